# Two IMAPClient sessions on one INBOX: A idles, B flags message 1 and expunges message 3
# (UID EXPUNGE), then A leaves IDLE and searches. argv = port user password.
# Prints what A heard during IDLE ("heard<TAB>n:TYPE:data") and its view afterwards.
import sys
import time

import imapclient

port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]


def out(key, value):
    print(f"{key}\t{value}", flush=True)


def connect():
    c = imapclient.IMAPClient("127.0.0.1", port=port, ssl=False, timeout=20)
    c.login(user, password)
    c.select_folder("INBOX")
    return c


a, b = connect(), connect()
a.idle()
b.add_flags([1], [imapclient.FLAGGED])
b.add_flags([3], [imapclient.DELETED])
b.uid_expunge([3])
heard = []
start = time.monotonic()
while time.monotonic() - start < 10 and not any(r[1] == b"EXPUNGE" for r in heard if len(r) > 1):
    heard += a.idle_check(timeout=0.5)
a.idle_done()
for r in heard:
    if len(r) > 1 and r[1] in (b"EXPUNGE", b"FETCH"):
        data = r[2] if len(r) > 2 else ""
        if isinstance(data, tuple):
            data = " ".join(
                str(x) if not isinstance(x, (tuple, bytes)) else
                (x.decode() if isinstance(x, bytes) else "(" + " ".join(y.decode() for y in x if y != b"\\Recent") + ")")
                for x in data)
        out("heard", f"{r[0]}:{r[1].decode()}:{data}")
out("a-search", a.search("ALL"))
out("a-flags", a.get_flags([1])[1])
out("b-search", b.search("ALL"))
a.logout()
b.logout()
