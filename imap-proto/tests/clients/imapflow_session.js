// imapflow (npm) against the server under test: argv = port user password tls ("tls" for
// implicit TLS with any certificate, "plain" otherwise).
// Prints what the client sees as "key<TAB>value" lines; the Rust test asserts on them.
const { ImapFlow } = require("imapflow");

const [port, user, pass, mode] = process.argv.slice(1);
const out = (key, value) => console.log(`${key}\t${value}`);
const address = (a) => `${a.name || ""} <${a.address}>`;
const structure = (node) =>
  node.childNodes
    ? `${node.type}(${node.childNodes.map(structure).join(",")})`
    : `${node.type}:${node.encoding}:${node.size}`;

const options = () => ({
  host: "127.0.0.1",
  port: Number(port),
  secure: mode === "tls",
  tls: { rejectUnauthorized: false },
  doSTARTTLS: mode === "tls" ? undefined : false,
  auth: { user, pass },
  logger: false,
  qresync: true,
  connectionTimeout: 20000,
  greetingTimeout: 20000,
  socketTimeout: 30000,
});

async function main() {
  const client = new ImapFlow(options());
  client.on("error", (e) => out("error", e.message));
  await client.connect();
  out("secure", client.secureConnection);
  out("capabilities", [...client.capabilities.keys()].sort().join(" "));
  out("enabled", [...client.enabled].sort().join(" "));
  for (const box of await client.list()) {
    out("list", `${box.path} ${box.delimiter} ${box.specialUse || "-"}`);
  }

  const box = await client.mailboxOpen("INBOX");
  // (imapflow updates the mailbox object as untagged responses come: keep the value now.)
  const selectedModseq = box.highestModseq;
  out("open", `${box.path} exists=${box.exists} uidValidity=${box.uidValidity} ` +
    `highestModseq=${box.highestModseq !== undefined}`);
  const uids = [];
  for await (const m of client.fetch("1:*", {
    uid: true, envelope: true, bodyStructure: true, source: true, flags: true, size: true,
  })) {
    uids.push(m.uid);
    out(`${m.seq} uid`, m.uid);
    out(`${m.seq} subject`, m.envelope.subject);
    out(`${m.seq} from`, address(m.envelope.from[0]));
    out(`${m.seq} message-id`, m.envelope.messageId);
    out(`${m.seq} structure`, structure(m.bodyStructure));
    out(`${m.seq} source`, m.source.toString("base64"));
    out(`${m.seq} size`, `${m.source.length} ${m.size}`);
    out(`${m.seq} flags`, [...m.flags].filter((f) => f !== "\\Recent").sort().join(" "));
  }

  out("flagsAdd", await client.messageFlagsAdd({ uid: String(uids[0]) }, ["\\Flagged", "$Important"], { uid: true }));
  const flags = await client.fetchOne(String(uids[0]), { flags: true, modseq: true }, { uid: true });
  out("flags-after", [...flags.flags].filter((f) => f !== "\\Recent").sort().join(" "));
  out("modseq", `${selectedModseq} ${flags.modseq}`);

  const moved = await client.messageMove({ uid: String(uids[1]) }, "Archive", { uid: true });
  out("move", `${moved.destination} ${[...(moved.uidMap || new Map()).entries()].map(([a, b]) => `${a}->${b}`).join(",")}`);

  const appended = await client.append("INBOX", "From: flow@example.org\r\nSubject: appended by imapflow\r\n\r\nappended\r\n", ["\\Seen"]);
  out("append", `${appended.destination} uid=${appended.uid} uidValidity=${appended.uidValidity === box.uidValidity}`);
  out("status", JSON.stringify(await client.status("INBOX", { messages: true, uidNext: true, unseen: true })));

  // IDLE: another connection appends; this one must get an EXISTS.
  const exists = new Promise((resolve) => client.on("exists", resolve));
  const idle = client.idle();
  await new Promise((r) => setTimeout(r, 300));
  const other = new ImapFlow(options());
  await other.connect();
  await other.append("INBOX", "From: idle@example.org\r\nSubject: during idle\r\n\r\nwake up\r\n");
  await other.logout();
  const heard = await Promise.race([exists, new Promise((r) => setTimeout(() => r(null), 10000).unref())]);
  out("idle-exists", heard ? `${heard.path} ${heard.prevCount}->${heard.count}` : "none");
  await client.logout();
  await idle.catch(() => {});
  out("done", "ok");
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
