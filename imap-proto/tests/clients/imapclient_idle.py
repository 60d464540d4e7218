# IMAPClient idling on INBOX while the test delivers: argv = port user password marker-dir.
# Before each wait it creates the file marker-dir/idling-N, on which the test delivers one
# message; prints how long the EXISTS took ("key<TAB>seconds", or "none").
import os
import sys
import time

import imapclient

port, user, password, markers = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]


def out(key, value):
    print(f"{key}\t{value}", flush=True)


client = imapclient.IMAPClient("127.0.0.1", port=port, ssl=False, timeout=20)
client.login(user, password)
exists = client.select_folder("INBOX")[b"EXISTS"]
out("exists", exists)
client.idle()
for n, source in enumerate(["delivery-agent", "other-process"], start=1):
    start = time.monotonic()
    open(os.path.join(markers, f"idling-{n}"), "w").close()
    heard = None
    while heard is None and time.monotonic() - start < 10:
        for response in client.idle_check(timeout=0.2):
            if len(response) > 1 and response[1] == b"EXISTS" and response[0] == exists + n:
                heard = time.monotonic() - start
    out(source, f"{heard:.3f}" if heard is not None else "none")
client.idle_done()
out("search", client.search("ALL"))
client.logout()
