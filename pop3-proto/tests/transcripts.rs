//! RFC session examples replayed as `C:`/`S:` transcripts, both ways, with no sockets.
//!
//! Server side: each `C:` line parses to the expected command. Client side: each expected
//! command is written byte for byte as the `C:` line. Then the server's whole output, as one
//! stream, is read back the way a client would (status line, then the multi-line body when the
//! command has one and the status is `+OK`), fed in chunks of every size from 1 octet up, and
//! must give each `S:` response in order with nothing left over.

use pop3_proto::multiline::MultilineDecoder;
use pop3_proto::parse::command::parse_command;
use pop3_proto::parse::response::{ResponseError, parse_response};
use pop3_proto::types::command::Command;
use pop3_proto::types::response::Response;

/// One exchange: the client's line (None for the greeting) and the server's answer, whose
/// body (for multi-line answers) is given decoded.
struct Exchange {
    client: Option<&'static str>,
    status: &'static str,
    body: Option<&'static [u8]>,
}

const fn ex(client: &'static str, status: &'static str) -> Exchange {
    Exchange {
        client: Some(client),
        status,
        body: None,
    }
}

const fn multi(client: &'static str, status: &'static str, body: &'static [u8]) -> Exchange {
    Exchange {
        client: Some(client),
        status,
        body: Some(body),
    }
}

const fn greeting(status: &'static str) -> Exchange {
    Exchange {
        client: None,
        status,
        body: None,
    }
}

/// What the client reads back for one exchange.
#[derive(Debug, PartialEq)]
struct Read {
    response: Response<'static>,
    body: Option<Vec<u8>>,
}

/// Reads the server stream `wire` for `exchanges` as a client does, feeding it `chunk` octets
/// at a time.
fn read_stream(wire: &[u8], exchanges: &[Exchange], chunk: usize) -> Vec<Read> {
    let mut pending: Vec<u8> = Vec::new();
    let mut chunks = wire.chunks(chunk.max(1));
    let mut reads = Vec::new();
    for ex in exchanges {
        let command = ex
            .client
            .map(|c| parse_command(c.as_bytes()).expect("command"));
        let response = loop {
            match parse_response(&pending) {
                Ok((r, n)) => {
                    let r = r.into_owned();
                    pending.drain(..n);
                    break r;
                }
                Err(ResponseError::Incomplete) => {
                    pending.extend_from_slice(chunks.next().expect("stream ended early"));
                }
                Err(e) => panic!("bad response: {e}"),
            }
        };
        let wants_body = matches!(&response, Response::Status(s) if s.is_ok())
            && command
                .as_ref()
                .is_some_and(Command::has_multiline_response);
        let body = wants_body.then(|| {
            let mut dec = MultilineDecoder::new();
            let mut body = Vec::new();
            loop {
                let res = dec.decode(&pending, &mut body);
                pending.drain(..res.consumed);
                if res.finished {
                    break body;
                }
                pending.extend_from_slice(chunks.next().expect("body ended early"));
            }
        });
        reads.push(Read { response, body });
    }
    assert!(
        pending.is_empty() && chunks.next().is_none(),
        "bytes left over"
    );
    reads
}

fn replay(exchanges: &[Exchange], server_wire: &[u8]) {
    for ex in exchanges {
        if let Some(c) = ex.client {
            let cmd = parse_command(c.as_bytes()).unwrap_or_else(|e| panic!("C: {c}: {e}"));
            assert_eq!(cmd.to_bytes(), format!("{c}\r\n").into_bytes(), "C: {c}");
        }
    }
    let expected: Vec<Read> = exchanges
        .iter()
        .map(|ex| {
            let line = format!("{}\r\n", ex.status);
            let (response, n) = parse_response(line.as_bytes()).expect("S: line");
            assert_eq!(n, line.len());
            Read {
                response: response.into_owned(),
                body: ex.body.map(<[u8]>::to_vec),
            }
        })
        .collect();
    for chunk in 1..=server_wire.len() {
        assert_eq!(
            read_stream(server_wire, exchanges, chunk),
            expected,
            "chunks of {chunk}"
        );
    }
    // The server side writes the same bytes from the same values.
    let mut built = Vec::new();
    for (ex, read) in exchanges.iter().zip(&expected) {
        read.response.write_to(&mut built);
        if let Some(body) = ex.body {
            let mut enc = pop3_proto::multiline::MultilineEncoder::new();
            enc.encode(body, &mut built);
            enc.finish(&mut built);
        }
    }
    assert_eq!(
        String::from_utf8_lossy(&built),
        String::from_utf8_lossy(server_wire)
    );
}

const MSG1: &[u8] =
    b"From: a@example.org\r\nSubject: one\r\n\r\nHello.\r\n.\r\nA dot line above.\r\n";
const MSG2: &[u8] = b"From: b@example.org\r\n\r\n..two dots\r\n";

/// RFC 1939 §10, the example POP3 session (message bodies made up).
#[test]
fn rfc1939_example_session() {
    let exchanges = [
        greeting("+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>"),
        ex(
            "APOP mrose c4c9334bac560ecc979e58001b3e22fb",
            "+OK mrose's maildrop has 2 messages (320 octets)",
        ),
        ex("STAT", "+OK 2 320"),
        multi("LIST", "+OK 2 messages (320 octets)", b"1 120\r\n2 200\r\n"),
        multi("RETR 1", "+OK 120 octets", MSG1),
        ex("DELE 1", "+OK message 1 deleted"),
        multi("RETR 2", "+OK 200 octets", MSG2),
        ex("DELE 2", "+OK message 2 deleted"),
        ex("QUIT", "+OK dewey POP3 server signing off (maildrop empty)"),
    ];
    let wire = [
        b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n".as_slice(),
        b"+OK mrose's maildrop has 2 messages (320 octets)\r\n",
        b"+OK 2 320\r\n",
        b"+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n",
        b"+OK 120 octets\r\nFrom: a@example.org\r\nSubject: one\r\n\r\nHello.\r\n..\r\nA dot line above.\r\n.\r\n",
        b"+OK message 1 deleted\r\n",
        b"+OK 200 octets\r\nFrom: b@example.org\r\n\r\n...two dots\r\n.\r\n",
        b"+OK message 2 deleted\r\n",
        b"+OK dewey POP3 server signing off (maildrop empty)\r\n",
    ]
    .concat();
    replay(&exchanges, &wire);
}

/// RFC 1939 §5–§7, the per-command examples with their error answers.
#[test]
fn rfc1939_command_examples() {
    let exchanges = [
        greeting("+OK POP3 server ready"),
        ex("USER frated", "-ERR sorry, no mailbox for frated here"),
        ex("USER mrose", "+OK mrose is a real hoopy frood"),
        ex("PASS secret", "-ERR maildrop already locked"),
        ex(
            "PASS secret",
            "+OK mrose's maildrop has 2 messages (320 octets)",
        ),
        ex("LIST 2", "+OK 2 200"),
        ex(
            "LIST 3",
            "-ERR no such message, only 2 messages in maildrop",
        ),
        ex("DELE 1", "+OK message 1 deleted"),
        ex("DELE 2", "-ERR message 2 already deleted"),
        ex("NOOP", "+OK"),
        ex("RSET", "+OK maildrop has 2 messages (320 octets)"),
        multi("TOP 1 10", "+OK", b"From: a@example.org\r\n\r\nfirst\r\n"),
        ex("TOP 100 3", "-ERR no such message"),
        multi(
            "UIDL",
            "+OK",
            b"1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n",
        ),
        ex("UIDL 2", "+OK 2 QhdPYR:00WBw1Ph7x7"),
        ex(
            "UIDL 3",
            "-ERR no such message, only 2 messages in maildrop",
        ),
        ex("QUIT", "+OK dewey POP3 server signing off"),
    ];
    let wire = b"+OK POP3 server ready\r\n-ERR sorry, no mailbox for frated here\r\n\
+OK mrose is a real hoopy frood\r\n-ERR maildrop already locked\r\n\
+OK mrose's maildrop has 2 messages (320 octets)\r\n+OK 2 200\r\n\
-ERR no such message, only 2 messages in maildrop\r\n+OK message 1 deleted\r\n\
-ERR message 2 already deleted\r\n+OK\r\n+OK maildrop has 2 messages (320 octets)\r\n\
+OK\r\nFrom: a@example.org\r\n\r\nfirst\r\n.\r\n-ERR no such message\r\n\
+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n+OK 2 QhdPYR:00WBw1Ph7x7\r\n\
-ERR no such message, only 2 messages in maildrop\r\n+OK dewey POP3 server signing off\r\n";
    replay(&exchanges, wire);
}

/// RFC 2449 §5 (CAPA) and §8 (response codes), RFC 2595 §4 (STLS).
#[test]
fn rfc2449_capa_and_rfc2595_stls() {
    let exchanges = [
        greeting("+OK POP3 server ready"),
        multi(
            "CAPA",
            "+OK Capability list follows",
            b"TOP\r\nUSER\r\nSASL CRAM-MD5 KERBEROS_V4\r\nRESP-CODES\r\nLOGIN-DELAY 900\r\n\
PIPELINING\r\nEXPIRE 60\r\nUIDL\r\nIMPLEMENTATION Shlemazle-Plotz-v302\r\nSTLS\r\n",
        ),
        ex("STLS", "+OK Begin TLS negotiation"),
        ex("STLS", "-ERR Command not permitted when TLS active"),
        ex("USER mrose", "+OK"),
        ex(
            "PASS secret",
            "-ERR [IN-USE] Do you have another POP session running?",
        ),
        ex(
            "PASS secret",
            "-ERR [LOGIN-DELAY] minimum time between logins is 15 minutes",
        ),
    ];
    let wire = b"+OK POP3 server ready\r\n+OK Capability list follows\r\nTOP\r\nUSER\r\n\
SASL CRAM-MD5 KERBEROS_V4\r\nRESP-CODES\r\nLOGIN-DELAY 900\r\nPIPELINING\r\nEXPIRE 60\r\nUIDL\r\n\
IMPLEMENTATION Shlemazle-Plotz-v302\r\nSTLS\r\n.\r\n+OK Begin TLS negotiation\r\n\
-ERR Command not permitted when TLS active\r\n+OK\r\n\
-ERR [IN-USE] Do you have another POP session running?\r\n\
-ERR [LOGIN-DELAY] minimum time between logins is 15 minutes\r\n";
    replay(&exchanges, wire);
}

/// RFC 5034 §6 (AUTH) and RFC 3206 §4–§5 (SYS and AUTH codes); the client's SASL lines are
/// not commands, so the server's continuations are read on their own.
#[test]
fn rfc5034_auth() {
    let exchanges = [
        greeting("+OK POP3 server ready"),
        multi("AUTH", "+OK", b"PLAIN\r\nSCRAM-SHA-256\r\n"),
        ex(
            "AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=",
            "+OK Maildrop locked and ready",
        ),
        ex("AUTH PLAIN =", "-ERR [AUTH] Invalid password"),
        ex("AUTH GSSAPI", "-ERR [SYS/TEMP] Backend is down. Try later."),
        ex(
            "AUTH X-UNKNOWN",
            "-ERR [SYS/PERM] Your account has been disabled",
        ),
    ];
    let wire = b"+OK POP3 server ready\r\n+OK\r\nPLAIN\r\nSCRAM-SHA-256\r\n.\r\n\
+OK Maildrop locked and ready\r\n-ERR [AUTH] Invalid password\r\n\
-ERR [SYS/TEMP] Backend is down. Try later.\r\n\
-ERR [SYS/PERM] Your account has been disabled\r\n";
    replay(&exchanges, wire);

    // S: + (empty challenge), C: the PLAIN response, S: +OK.
    let (r, n) = parse_response(b"+ \r\n+OK Maildrop locked and ready\r\n").expect("continuation");
    let Response::Continuation(c) = r else {
        panic!("not a continuation")
    };
    assert_eq!(c.decode(), Ok(Vec::new()));
    assert_eq!(n, 4);
    let line = pop3_proto::parse::auth::parse_auth_response(b"dGVzdAB0ZXN0AHRlc3Q=").expect("b64");
    let decoded = line.decode().expect("data").expect("valid").into_inner();
    assert_eq!(decoded, b"test\0test\0test");
}

/// RFC 6856 §2–§3 (UTF8, LANG).
#[test]
fn rfc6856_utf8_lang() {
    let exchanges = [
        greeting("+OK POP3 server ready"),
        multi(
            "CAPA",
            "+OK Capability list follows",
            b"UTF8 USER\r\nLANG\r\nUIDL\r\n",
        ),
        ex("UTF8", "+OK UTF8 enabled"),
        multi(
            "LANG",
            "+OK Language listing follows:",
            b"en English\r\nen-boont English Boontling dialect\r\nde Deutsch\r\nit Italiano\r\n\
es Espanol\r\nsv Svenska\r\n",
        ),
        ex("LANG es", "+OK es Idioma cambiado"),
        ex("LANG uga", "-ERR es Idioma <<UGA>> no es conocido"),
        ex("LANG sv", "+OK sv Kommandot \"LANG\" lyckades"),
        ex("LANG *", "+OK es Idioma cambiado"),
        ex("USER élève", "-ERR [UTF8] UTF-8 must be enabled"),
    ];
    let wire = "+OK POP3 server ready\r\n+OK Capability list follows\r\nUTF8 USER\r\nLANG\r\nUIDL\r\n.\r\n\
+OK UTF8 enabled\r\n+OK Language listing follows:\r\nen English\r\n\
en-boont English Boontling dialect\r\nde Deutsch\r\nit Italiano\r\nes Espanol\r\nsv Svenska\r\n.\r\n\
+OK es Idioma cambiado\r\n-ERR es Idioma <<UGA>> no es conocido\r\n\
+OK sv Kommandot \"LANG\" lyckades\r\n+OK es Idioma cambiado\r\n\
-ERR [UTF8] UTF-8 must be enabled\r\n";
    replay(&exchanges, wire.as_bytes());
}
