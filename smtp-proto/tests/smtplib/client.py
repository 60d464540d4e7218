# The Python side of tests/smtplib.rs: one scenario per argv[2], results printed as JSON.
import json, smtplib, ssl, sys
port, mode = int(sys.argv[1]), sys.argv[2]
arg = sys.argv[3] if len(sys.argv) > 3 else ""
out = {}
if mode == "implicit":
    s = smtplib.SMTP_SSL("localhost", port, local_hostname="client.test", timeout=10,
                         context=ssl.create_default_context(cafile=arg))
    s.ehlo()
    out = {"features": sorted(s.esmtp_features.keys())}
    s.sendmail("a@client.test", ["implicit@mx.test"], b"Subject: 465\r\n\r\nimplicit TLS\r\n")
elif mode == "starttls_injection":
    import socket
    def reply(f):
        lines = []
        while True:
            line = f.readline()
            lines.append(line.decode().rstrip())
            if len(line) < 4 or line[3:4] != b"-":
                return lines
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    f = raw.makefile("rb")
    reply(f)
    raw.sendall(b"EHLO client.test\r\n")
    reply(f)
    # CVE-2011-0411: commands injected after STARTTLS in the same packet must not survive the handshake.
    raw.sendall(b"STARTTLS\r\nEHLO evil\r\nMAIL FROM:<evil@client.test>\r\n")
    out["starttls"] = reply(f)
    tls = ssl.create_default_context(cafile=arg).wrap_socket(raw, server_hostname="localhost")
    g = tls.makefile("rb")
    tls.sendall(b"RCPT TO:<victim@mx.test>\r\n")
    out["after"] = reply(g)
    tls.sendall(b"QUIT\r\n")
    out["quit"] = reply(g)
    print(json.dumps(out))
    sys.exit(0)
elif mode == "refused_connection":
    try:
        smtplib.SMTP("127.0.0.1", port, local_hostname="client.test", timeout=10)
    except smtplib.SMTPConnectError as e:
        print(json.dumps({"code": e.smtp_code, "text": e.smtp_error.decode()}))
    sys.exit(0)
elif mode == "lmtp":
    s = smtplib.LMTP("127.0.0.1", port, local_hostname="client.test", timeout=10)
    s.ehlo()
    out = {"features": sorted(s.esmtp_features.keys())}
    s.sendmail("a@client.test", ["lmtp@mx.test"], b"Subject: lmtp\r\n\r\nvia LHLO\r\n")
else:
    s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.test", timeout=10)
if mode == "features":
    code, _ = s.ehlo()
    out = {"code": code, "features": sorted(s.esmtp_features.keys()), "size": s.esmtp_features.get("size")}
elif mode == "send":
    out = {"refused": s.sendmail("a@client.test", arg.split(","), bytes.fromhex(sys.argv[4]))}
elif mode == "starttls":
    s.ehlo()
    before = sorted(s.esmtp_features.keys())
    s.starttls(context=ssl.create_default_context(cafile=arg))
    s.ehlo()
    after = sorted(s.esmtp_features.keys())
    s.sendmail("a@client.test", ["tls@mx.test"], b"Subject: tls\r\n\r\nover TLS\r\n")
    out = {"before": before, "after": after}
elif mode == "implicit":
    pass
elif mode == "utf8":
    body = "Subject: gr\u00fc\u00dfe\r\n\r\nJ\u00f6rg says hall\u00f6\r\n".encode()
    out = {"refused": s.sendmail("j\u00f6rg@client.test", ["\u00fcser@mx.test"], body,
                                 mail_options=["SMTPUTF8", "BODY=8BITMIME"])}
elif mode == "content":
    try:
        s.sendmail("a@client.test", ["c@mx.test"], b"line\r\n" * 1000 + b"REJECT-ME\r\n")
    except smtplib.SMTPDataError as e:
        out["refused"] = [e.smtp_code, e.smtp_error.decode()]
    s.sendmail("a@client.test", ["c@mx.test"], b"fine\r\n")
elif mode == "refused":
    try:
        s.sendmail("a@client.test", ["nobody@mx.test"], b"x\r\n")
    except smtplib.SMTPRecipientsRefused as e:
        out = {"refused": {k: [v[0], v[1].decode()] for k, v in e.recipients.items()}}
elif mode == "toolarge":
    big = b"y" * 20000 + b"\r\n"
    try:
        s.sendmail("a@client.test", ["big@mx.test"], big)
    except smtplib.SMTPSenderRefused as e:
        out["declared"] = [e.smtp_code, e.smtp_error.decode()]
    s.ehlo()
    s.mail("a@client.test")
    s.rcpt("big@mx.test")
    out["body"] = list(s.data(big))
    out["body"][1] = out["body"][1].decode()
    out["after"] = s.noop()[0]
elif mode == "auth":
    mech, user, password, ir, cafile = arg.split(":")
    s.ehlo()
    if cafile:
        out["before"] = s.esmtp_features.get("auth", "")
        s.starttls(context=ssl.create_default_context(cafile=cafile))
        s.ehlo()
    out["advertised"] = s.esmtp_features.get("auth", "")
    s.user, s.password = user, password
    try:
        code, resp = s.auth(mech, getattr(s, "auth_" + mech.lower()), initial_response_ok=(ir == "ir"))
        out["auth"] = [code, resp.decode()]
        s.sendmail("a@client.test", ["authed@mx.test"], b"hi\r\n")
    except smtplib.SMTPAuthenticationError as e:
        out["auth"] = [e.smtp_code, e.smtp_error.decode()]
s.quit()
print(json.dumps(out))
