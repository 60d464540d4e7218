// imapflow's mailbox management, LIST-STATUS, QUOTA and SEARCH against the server under test:
// argv = port user password. Prints "key<TAB>value" lines; the Rust test asserts on them.
const { ImapFlow } = require("imapflow");

const [port, user, pass] = process.argv.slice(1);
const out = (key, value) => console.log(`${key}\t${value}`);

async function main() {
  const client = new ImapFlow({
    host: "127.0.0.1", port: Number(port), secure: false, doSTARTTLS: false,
    auth: { user, pass }, logger: false, connectionTimeout: 20000, socketTimeout: 30000,
  });
  await client.connect();
  const listed = await client.list({ statusQuery: { messages: true, unseen: true, uidNext: true } });
  for (const box of listed) {
    const s = box.status || {};
    out(`status ${box.path}`, `${s.messages} ${s.unseen} ${s.uidNext}`);
  }
  const created = await client.mailboxCreate(["Projekte", "Übersicht"]);
  out("created", `${created.path} ${created.created}`);
  const renamed = await client.mailboxRename("Projekte", "Alt");
  out("renamed", `${renamed.path} -> ${renamed.newPath}`);
  out("after-rename", (await client.list()).map((b) => b.path).filter((p) => p.startsWith("Alt") || p.startsWith("Projekte")).sort().join(" "));
  const quota = await client.getQuota("INBOX");
  out("quota", quota ? `${quota.path} ${quota.storage ? quota.storage.usage : "-"}` : "none");

  await client.mailboxOpen("INBOX");
  const search = async (key, query) => out(key, JSON.stringify(await client.search(query, { uid: true })));
  await search("search-or", { or: [{ subject: "parts" }, { from: "dave" }] });
  await search("search-larger", { seen: false, larger: 200 });
  await search("search-header", { header: { "message-id": "<m1@example.org>" } });
  await search("search-body-qp", { body: "lait" });
  await search("search-body-utf8", { body: "Café" });
  await search("search-text-utf8", { text: "café AU" });
  await search("search-not", { not: { subject: "message" } });
  await search("search-before", { sentBefore: new Date("1994-02-09T00:00:00Z") });
  out("delete", await client.messageDelete({ uid: "3" }, { uid: true }));
  out("after-delete", JSON.stringify(await client.search({ all: true }, { uid: true })));
  await client.mailboxClose();
  out("mailbox-delete", (await client.mailboxDelete("Alt.Übersicht")).path);
  await client.logout();
  out("done", "ok");
}

main().catch((e) => { console.error(e); process.exit(1); });
