# The RFC 9051 §8 sample session, replayed with Python's imaplib: argv = port user password.
# Prints what imaplib returned for each command as "key<TAB>value" lines.
import imaplib
import re
import sys
import time

port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]


def out(key, value):
    print(f"{key}\t{value}", flush=True)


def show(data):
    """imaplib's answer as text: literals inline as {n}<octets>."""
    parts = []
    for item in data:
        if isinstance(item, tuple):
            parts.append(item[0].decode() + item[1].decode())
        elif item is not None:
            parts.append(item.decode())
    return "".join(parts)


c = imaplib.IMAP4("127.0.0.1", port)
out("greeting", c.welcome.decode())
# a001 login
typ, data = c.login(user, password)
out("login", typ)
# a002 select inbox
typ, data = c.select("inbox")
out("select", f"{typ} {show(data)}")
out("flags", show(c.response("FLAGS")[1]))
out("uidvalidity", show(c.response("UIDVALIDITY")[1]))
out("read-write", c.response("READ-WRITE")[0])
# a003 fetch 12 full
typ, data = c.fetch("12", "full")
full = show(data)
out("full", f"{typ} {full}")
date = re.search(r'INTERNALDATE "([^"]+)"', full)
out("internaldate", int(time.mktime(imaplib.Internaldate2tuple(f'INTERNALDATE "{date.group(1)}"'.encode()))) if date else "none")
# a004 fetch 12 body[header]
typ, data = c.fetch("12", "body[header]")
out("header", f"{typ} {data[0][0].decode()}")
out("header-octets", data[0][1].hex())
# a005 store 12 +flags \deleted
typ, data = c.store("12", "+flags", "\\deleted")
out("store", f"{typ} {show(data)}")
# a006 logout
typ, data = c.logout()
out("logout", f"{typ} {show(data)}")
