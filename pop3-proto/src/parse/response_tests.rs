use super::*;

fn ok(text: &str) -> Response<'_> {
    Response::Status(StatusLine::ok(text))
}

fn err(text: &str) -> Response<'_> {
    Response::Status(StatusLine::err(text))
}

fn coded(status: Status, code: ResponseCode<'static>, text: &'static str) -> Response<'static> {
    Response::Status(StatusLine {
        status,
        code: Some(code),
        text: text.into(),
    })
}

/// `S:` status lines from RFC 1939 §4–§7 and §10, RFC 2449 §8, RFC 2595 §4, RFC 3206 §4–§5,
/// RFC 5034 §6 and RFC 6856 §2–§3.
#[test]
fn rfc_examples() {
    let cases: Vec<(&[u8], Response<'_>)> = vec![
        (
            b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n",
            ok("POP3 server ready <1896.697170952@dbc.mtview.ca.us>"),
        ),
        (b"+OK 2 320\r\n", ok("2 320")),
        (
            b"+OK 2 messages (320 octets)\r\n",
            ok("2 messages (320 octets)"),
        ),
        (b"+OK 2 200\r\n", ok("2 200")),
        (
            b"-ERR no such message, only 2 messages in maildrop\r\n",
            err("no such message, only 2 messages in maildrop"),
        ),
        (b"+OK 120 octets\r\n", ok("120 octets")),
        (b"+OK message 1 deleted\r\n", ok("message 1 deleted")),
        (
            b"-ERR message 2 already deleted\r\n",
            err("message 2 already deleted"),
        ),
        (b"+OK\r\n", ok("")),
        (
            b"+OK maildrop has 2 messages (320 octets)\r\n",
            ok("maildrop has 2 messages (320 octets)"),
        ),
        (
            b"+OK dewey POP3 server signing off\r\n",
            ok("dewey POP3 server signing off"),
        ),
        (
            b"+OK dewey POP3 server signing off (maildrop empty)\r\n",
            ok("dewey POP3 server signing off (maildrop empty)"),
        ),
        (b"+OK 2 QhdPYR:00WBw1Ph7x7\r\n", ok("2 QhdPYR:00WBw1Ph7x7")),
        (
            b"-ERR sorry, no mailbox for frated here\r\n",
            err("sorry, no mailbox for frated here"),
        ),
        (
            b"+OK mrose is a real hoopy frood\r\n",
            ok("mrose is a real hoopy frood"),
        ),
        (
            b"-ERR maildrop already locked\r\n",
            err("maildrop already locked"),
        ),
        (
            b"+OK Capability list follows\r\n",
            ok("Capability list follows"),
        ),
        // RFC 2449 §8
        (
            b"-ERR [IN-USE] Do you have another POP session running?\r\n",
            coded(
                Status::Err,
                ResponseCode::InUse,
                "Do you have another POP session running?",
            ),
        ),
        (
            b"-ERR [LOGIN-DELAY] minimum time between logins is 15 minutes\r\n",
            coded(
                Status::Err,
                ResponseCode::LoginDelay,
                "minimum time between logins is 15 minutes",
            ),
        ),
        // RFC 3206 §4–§5
        (
            b"-ERR [SYS/TEMP] Backend is down. Try later.\r\n",
            coded(
                Status::Err,
                ResponseCode::SysTemp,
                "Backend is down. Try later.",
            ),
        ),
        (
            b"-ERR [SYS/PERM] Your account has been disabled\r\n",
            coded(
                Status::Err,
                ResponseCode::SysPerm,
                "Your account has been disabled",
            ),
        ),
        (
            b"-ERR [AUTH] Invalid password\r\n",
            coded(Status::Err, ResponseCode::Auth, "Invalid password"),
        ),
        // RFC 2595 §4
        (
            b"+OK Begin TLS negotiation\r\n",
            ok("Begin TLS negotiation"),
        ),
        (
            b"-ERR Command not permitted when TLS active\r\n",
            err("Command not permitted when TLS active"),
        ),
        // RFC 5034 §6
        (
            b"+ \r\n",
            Response::Continuation(Continuation::from_base64("")),
        ),
        (
            b"+\r\n",
            Response::Continuation(Continuation::from_base64("")),
        ),
        (
            b"+ YGgGCSqGSIb3EgECAgIAb1kwV6ADAgEFoQMCAQ+iSzBJoAMCAQGiQgRAtHTEuOP2\r\n",
            Response::Continuation(Continuation::from_base64(
                "YGgGCSqGSIb3EgECAgIAb1kwV6ADAgEFoQMCAQ+iSzBJoAMCAQGiQgRAtHTEuOP2",
            )),
        ),
        (
            b"+OK Maildrop locked and ready\r\n",
            ok("Maildrop locked and ready"),
        ),
        // RFC 6856 §2–§3
        (b"+OK UTF8 enabled\r\n", ok("UTF8 enabled")),
        (
            b"-ERR [UTF8] UTF-8 must be enabled\r\n",
            coded(Status::Err, ResponseCode::Utf8, "UTF-8 must be enabled"),
        ),
        (b"+OK es Idioma cambiado\r\n", ok("es Idioma cambiado")),
        (
            b"+OK Language listing follows:\r\n",
            ok("Language listing follows:"),
        ),
        (
            b"+OK [XYZ/ABC] text\r\n",
            coded(Status::Ok, ResponseCode::Other("XYZ/ABC".into()), "text"),
        ),
        (
            b"-ERR [SYS/TEMP/QUOTA] over quota\r\n",
            coded(
                Status::Err,
                ResponseCode::Other("SYS/TEMP/QUOTA".into()),
                "over quota",
            ),
        ),
        (
            b"-ERR [in-use]\r\n",
            coded(Status::Err, ResponseCode::InUse, ""),
        ),
        // Not a well-formed code: kept as text.
        (b"-ERR [IN USE] x\r\n", err("[IN USE] x")),
        (b"-ERR [] x\r\n", err("[] x")),
        (b"-ERR [A//B] x\r\n", err("[A//B] x")),
        (b"-ERR [unclosed\r\n", err("[unclosed")),
        (b"+ok lower\r\n", ok("lower")),
    ];
    for (input, want) in cases {
        let got = parse_response(input);
        assert_eq!(
            got,
            Ok((want, input.len())),
            "{:?}",
            String::from_utf8_lossy(input)
        );
        // Every strict prefix is incomplete.
        for k in 0..input.len() {
            assert_eq!(
                parse_response(input.get(..k).unwrap_or_default()),
                Err(ResponseError::Incomplete),
                "prefix {k} of {:?}",
                String::from_utf8_lossy(input)
            );
        }
    }
}

#[test]
fn consumed_stops_at_line_end() {
    let buf = b"+OK 2 messages\r\n1 120\r\n.\r\n";
    let (r, n) = parse_response(buf).expect("valid");
    assert_eq!(r, ok("2 messages"));
    assert_eq!(buf.get(n..), Some(&b"1 120\r\n.\r\n"[..]));
}

#[test]
fn apop_greeting_timestamp() {
    let (r, _) = parse_response(b"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n")
        .expect("valid");
    let Response::Status(s) = r else {
        panic!("not a status line")
    };
    assert_eq!(
        s.apop_timestamp(),
        Some("<1896.697170952@dbc.mtview.ca.us>")
    );
}

#[test]
fn errors() {
    let long = [b"+OK ".as_slice(), &[b'a'; 600]].concat();
    let cases: Vec<(&[u8], ResponseError)> = vec![
        (b"OK\r\n", ResponseError::BadStatus),
        (b"+OKAY\r\n", ResponseError::BadStatus),
        (b"-ERROR\r\n", ResponseError::BadStatus),
        (b"\r\n", ResponseError::BadStatus),
        (b"+OK\n", ResponseError::BareLf { at: 3 }),
        (b"\n", ResponseError::BareLf { at: 0 }),
        (b"+OK a\rb\r\n", ResponseError::BareCr { at: 5 }),
        (b"+OK a\rb", ResponseError::BareCr { at: 5 }),
        (b"+ a!b\r\n", ResponseError::BadBase64 { at: 3 }),
        (&long, ResponseError::LineTooLong { max: 512 }),
    ];
    for (input, want) in cases {
        assert_eq!(
            parse_response(input),
            Err(want),
            "{:?}",
            String::from_utf8_lossy(input)
        );
    }
    assert!(parse_response_with(&[long.as_slice(), b"\r\n"].concat(), 1000).is_ok());
}

#[test]
fn non_utf8_text_is_replaced() {
    let (r, _) = parse_response(b"+OK caf\xe9\r\n").expect("valid");
    assert_eq!(r, ok("caf\u{FFFD}"));
}
