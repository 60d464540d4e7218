# IMAPClient (PyPI) against the server under test: argv = port user password.
# Prints what the client sees as "key<TAB>value" lines; the Rust test asserts on them.
import base64
import sys

import imapclient

port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]


def out(key, value):
    print(f"{key}\t{value}", flush=True)


def text(b):
    return b.decode() if isinstance(b, bytes) else str(b)


def addr(a):
    return f"{text(a.name) if a.name else ''} <{text(a.mailbox)}@{text(a.host)}>"


def flag_list(fs):
    """Flags sorted, without IMAP4rev1's session flag \\Recent (gone in IMAP4rev2)."""
    return " ".join(sorted(text(f) for f in fs if f != b"\\Recent"))


def structure(bs):
    """BODYSTRUCTURE as a compact string: type/subtype, multiparts in parentheses."""
    if bs.is_multipart:
        parts, subtype = bs[0], text(bs[1])
        return f"multipart/{subtype.lower()}(" + ",".join(structure(p) for p in parts) + ")"
    return f"{text(bs[0]).lower()}/{text(bs[1]).lower()}:{text(bs[5]).lower()}:{bs[6]}"


client = imapclient.IMAPClient("127.0.0.1", port=port, ssl=False, timeout=20)
out("welcome", text(client.welcome))
client.login(user, password)
for flags, delimiter, name in client.list_folders():
    out("folder", f"{name} {text(delimiter)} {' '.join(sorted(text(f) for f in flags))}")

selected = client.select_folder("INBOX")
out("exists", selected[b"EXISTS"])
out("uidvalidity", selected[b"UIDVALIDITY"])
out("search-subject", client.search(["SUBJECT", "parts"]))
out("search-from", client.search(["FROM", "alice.sender@example.org"]))
out("search-body", client.search(["BODY", "third"]) + client.search(["TEXT", "three"]))
out("search-unseen", client.search(["UNSEEN"]))
everything = client.search("ALL")
out("search-all", everything)

data = client.fetch(everything, ["ENVELOPE", "BODYSTRUCTURE", "BODY.PEEK[]", "RFC822.SIZE", "FLAGS"])
for uid in sorted(data):
    d = data[uid]
    env = d[b"ENVELOPE"]
    body = d[b"BODY[]"]
    out(f"{uid} subject", text(env.subject))
    out(f"{uid} from", addr(env.from_[0]))
    out(f"{uid} to", addr(env.to[0]))
    out(f"{uid} message-id", text(env.message_id))
    out(f"{uid} structure", structure(d[b"BODYSTRUCTURE"]))
    out(f"{uid} body", base64.b64encode(body).decode())
    out(f"{uid} size", f"{len(body)} {d[b'RFC822.SIZE']}")
    out(f"{uid} flags", flag_list(d[b"FLAGS"]))

first, second = everything[0], everything[1]
flagged = client.add_flags([first], [imapclient.FLAGGED, imapclient.SEEN])
out("add_flags", flag_list(flagged[first]))
out("has-move", client.has_capability("MOVE"))
client.move([second], "Archive")
out("after-move", client.search("ALL"))
out("archive-status", client.folder_status("Archive", ["MESSAGES"])[b"MESSAGES"])

# IDLE: another connection appends; this one must hear EXISTS.
client.idle()
other = imapclient.IMAPClient("127.0.0.1", port=port, ssl=False, timeout=20)
other.login(user, password)
appended = other.append("INBOX", b"From: idle@example.org\r\nSubject: during idle\r\n\r\nwake up\r\n")
out("append", text(appended))
other.logout()
heard = []
for _ in range(10):
    heard += client.idle_check(timeout=1)
    if any(r[1] == b"EXISTS" for r in heard):
        break
client.idle_done()
out("idle", " ".join(f"{r[0]}:{text(r[1])}" for r in heard if len(r) > 1 and r[1] == b"EXISTS"))
out("after-idle", client.search("ALL"))
out("logout", text(client.logout()))
