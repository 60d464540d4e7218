// imapflow fetching every message of INBOX with its RFC822.SIZE, source and envelope, and one
// message's text: argv = port user password uid (whose TEXT part to download). Prints per message
// "<uid> size<TAB><RFC822.SIZE> <source octets>" and "<uid> source<TAB><base64>".
const { ImapFlow } = require("imapflow");

const [port, user, pass, textUid] = process.argv.slice(1);
const out = (key, value) => console.log(`${key}\t${value}`);

async function main() {
  const client = new ImapFlow({
    host: "127.0.0.1", port: Number(port), secure: false, doSTARTTLS: false,
    auth: { user, pass }, logger: false, connectionTimeout: 20000, socketTimeout: 60000,
  });
  await client.connect();
  await client.mailboxOpen("INBOX");
  for await (const m of client.fetch("1:*", { uid: true, size: true, source: true, envelope: true })) {
    out(`${m.uid} size`, `${m.size} ${m.source.length}`);
    out(`${m.uid} subject`, m.envelope.subject);
    out(`${m.uid} source`, m.source.toString("base64"));
  }
  // BODY.PEEK[TEXT] of one message, as imapflow downloads it (in chunks).
  const { content } = await client.download(textUid, "TEXT", { uid: true });
  const chunks = [];
  for await (const c of content) chunks.push(c);
  const text = Buffer.concat(chunks);
  out("download", text.length);
  out("download-ends", text.subarray(text.length - 60).toString("base64"));
  await client.logout();
  out("done", "ok");
}

main().catch((e) => { console.error(e); process.exit(1); });
