# IMAPClient (PyPI) using the server's extensions: argv = port user password.
# Prints what the library returned as "key<TAB>value" lines; the Rust test asserts on them.
import datetime
import sys

import imapclient

port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]


def out(key, value):
    print(f"{key}\t{value}", flush=True)


def text(b):
    return b.decode() if isinstance(b, bytes) else str(b)


c = imapclient.IMAPClient("127.0.0.1", port=port, ssl=False, timeout=20)
c.login(user, password)
ns = c.namespace()
out("namespace", " ".join(f"{text(p)}|{text(d)}" for p, d in ns.personal))
server_id = c.id_({"name": "imapclient-test", "version": "1"})
fields = server_id[0] if server_id and isinstance(server_id[0], tuple) else ()
server_id = dict(zip(fields[::2], fields[1::2]))
out("id-name", text(server_id.get(b"name", b"none")))
out("enable", " ".join(text(x) for x in c.enable("CONDSTORE")))

status = c.folder_status("INBOX", ["MESSAGES", "UIDNEXT", "UNSEEN", "SIZE", "HIGHESTMODSEQ"])
out("status", " ".join(f"{text(k)}={v}" for k, v in sorted(status.items())))
selected = c.select_folder("INBOX")
out("select-highestmodseq", selected.get(b"HIGHESTMODSEQ", "none"))
modseq = selected.get(b"HIGHESTMODSEQ", 0)

# SORT (RFC 5256) and THREAD.
out("sort-subject", c.sort(["SUBJECT"]))
out("sort-reverse-date", c.sort(["REVERSE", "DATE"]))
out("sort-from", c.sort(["FROM"]))
out("sort-size", c.sort(["SIZE"]))
out("thread", c.thread("ORDEREDSUBJECT"))

# CONDSTORE: a STORE moves one message past the SELECT's HIGHESTMODSEQ.
c.add_flags([2], [b"$Work"])
changed = c.fetch(c.search("ALL"), ["FLAGS"], modifiers=[f"CHANGEDSINCE {modseq}"])
out("changedsince", sorted(changed))
out("changed-flags", " ".join(sorted(text(f) for f in changed[2][b"FLAGS"])) if 2 in changed else "none")

# APPEND with flags and an INTERNALDATE, read back.
when = datetime.datetime(2020, 2, 29, 12, 34, 56, tzinfo=datetime.timezone.utc)
appended = c.append("INBOX", b"Subject: dated\r\n\r\nleap day\r\n", flags=[b"\\Seen"], msg_time=when)
out("append", text(appended))
new_uid = c.search(["SUBJECT", "dated"])[0]
got = c.fetch([new_uid], ["INTERNALDATE", "FLAGS"])[new_uid]
internal = got[b"INTERNALDATE"]
if internal.tzinfo is None:
    internal = internal.astimezone()
out("internaldate", int(internal.timestamp()))
out("appended-flags", " ".join(sorted(text(f) for f in got[b"FLAGS"] if f != b"\\Recent")))

# COPY with COPYUID, UID EXPUNGE of one of two deleted messages.
c.copy([1], "Archive")
out("archive-messages", c.folder_status("Archive", ["MESSAGES"])[b"MESSAGES"])
c.add_flags([1, 3], [imapclient.DELETED])
c.uid_expunge([3])
out("after-uid-expunge", c.search("ALL"))
out("deleted-left", c.search(["DELETED"]))
c.unselect_folder()

# Folders: hierarchy, rename with children, subscriptions, delete.
c.create_folder("Projects.2026")
HAS_CHILDREN = b"\\HasChildren"
out("list-projects", " ".join(sorted(
    text(n) + (":children" if HAS_CHILDREN in f else ":leaf") for f, d, n in c.list_folders("Projects*"))))
c.rename_folder("Projects", "Done")
out("after-rename", " ".join(sorted(text(n) for f, d, n in c.list_folders("*") if text(n).startswith(("Projects", "Done")))))
c.subscribe_folder("Archive")
out("subscribed", " ".join(sorted(text(n) for f, d, n in c.list_sub_folders())))
c.delete_folder("Done.2026")
out("after-delete", " ".join(sorted(text(n) for f, d, n in c.list_folders("Done*"))))
out("logout", text(c.logout()))
