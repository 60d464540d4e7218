use std::borrow::Cow;

use proptest::prelude::*;

use super::*;
use crate::multiline::MultilineDecoder;
use crate::parse::listing::{parse_capa, parse_scan_listings, parse_stat, parse_uid_listings};
use crate::parse::response::{ResponseError, parse_response};
use crate::types::listing::{MsgNum, Uid};
use crate::types::response::Status;

fn m(n: u32) -> MsgNum {
    MsgNum::new(n).expect("non-zero")
}

#[test]
fn status_lines() {
    let cases: Vec<(Response<'_>, &[u8])> = vec![
        (StatusLine::ok("").into(), b"+OK\r\n"),
        (StatusLine::ok("2 320").into(), b"+OK 2 320\r\n"),
        (
            StatusLine::err("no such message").into(),
            b"-ERR no such message\r\n",
        ),
        (
            StatusLine::err("Do you have another POP session running?")
                .with_code(ResponseCode::InUse)
                .into(),
            b"-ERR [IN-USE] Do you have another POP session running?\r\n",
        ),
        (
            StatusLine::err("").with_code(ResponseCode::SysTemp).into(),
            b"-ERR [SYS/TEMP]\r\n",
        ),
        (
            StatusLine::err("x")
                .with_code(ResponseCode::Other("BAD CODE".into()))
                .into(),
            b"-ERR x\r\n",
        ),
        (StatusLine::ok("a\r\nDELE 1").into(), b"+OK a  DELE 1\r\n"),
        (
            Response::Continuation(Continuation::from_base64("")),
            b"+ \r\n",
        ),
        (
            Response::Continuation(Continuation::encode(b"hi")),
            b"+ aGk=\r\n",
        ),
    ];
    for (r, wire) in cases {
        assert_eq!(r.to_bytes(), wire, "{r:?}");
    }
}

/// RFC 1939 §5 STAT/LIST and §7 UIDL answers, built then parsed back.
#[test]
fn listings_rfc1939() {
    let mut out = Vec::new();
    write_stat(
        Stat {
            count: 2,
            size: 320,
        },
        &mut out,
    );
    assert_eq!(out, b"+OK 2 320\r\n");
    let (r, _) = parse_response(&out).expect("valid");
    let Response::Status(s) = r else {
        panic!("status")
    };
    assert_eq!(
        parse_stat(s.text.as_bytes()),
        Ok(Stat {
            count: 2,
            size: 320
        })
    );

    out.clear();
    write_scan_listing(
        ScanListing {
            msg: m(2),
            size: 200,
        },
        &mut out,
    );
    assert_eq!(out, b"+OK 2 200\r\n");

    out.clear();
    let list = [
        ScanListing {
            msg: m(1),
            size: 120,
        },
        ScanListing {
            msg: m(2),
            size: 200,
        },
    ];
    write_scan_listings("2 messages (320 octets)", list, &mut out);
    assert_eq!(
        out,
        b"+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n"
    );
    assert_eq!(parse_scan_listings(&body_of(&out)), Ok(list.to_vec()));

    out.clear();
    let uids = [
        UidListing {
            msg: m(1),
            uid: Uid::new("whqtswO00WBw418f9t5JxYwZ").expect("uid"),
        },
        UidListing {
            msg: m(2),
            uid: Uid::new("QhdPYR:00WBw1Ph7x7").expect("uid"),
        },
    ];
    write_uid_listings("", uids, &mut out);
    assert_eq!(
        out,
        b"+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n"
    );
    let body = body_of(&out);
    assert_eq!(parse_uid_listings(&body), Ok(uids.to_vec()));

    out.clear();
    write_uid_listing(uids[1], &mut out);
    assert_eq!(out, b"+OK 2 QhdPYR:00WBw1Ph7x7\r\n");
}

/// Splits a multi-line response into its status line and decoded body.
fn body_of(wire: &[u8]) -> Vec<u8> {
    let (r, n) = parse_response(wire).expect("status line");
    assert!(matches!(
        r,
        Response::Status(StatusLine {
            status: Status::Ok,
            ..
        })
    ));
    let mut body = Vec::new();
    let res = MultilineDecoder::new().decode(wire.get(n..).unwrap_or_default(), &mut body);
    assert!(res.finished);
    assert_eq!(n + res.consumed, wire.len());
    body
}

/// RFC 2449 §5's CAPA example, byte for byte.
#[test]
fn capa_rfc2449() {
    let caps = vec![
        Capability::Top,
        Capability::User,
        Capability::Sasl(vec!["CRAM-MD5".into(), "KERBEROS_V4".into()]),
        Capability::RespCodes,
        Capability::LoginDelay {
            seconds: 900,
            per_user: false,
        },
        Capability::Pipelining,
        Capability::Expire {
            policy: ExpirePolicy::Days(60),
            per_user: false,
        },
        Capability::Uidl,
        Capability::Implementation("Shlemazle-Plotz-v302".into()),
    ];
    let mut out = Vec::new();
    write_capa(&caps, &mut out);
    assert_eq!(
        out,
        b"+OK Capability list follows\r\nTOP\r\nUSER\r\nSASL CRAM-MD5 KERBEROS_V4\r\nRESP-CODES\r\n\
LOGIN-DELAY 900\r\nPIPELINING\r\nEXPIRE 60\r\nUIDL\r\nIMPLEMENTATION Shlemazle-Plotz-v302\r\n.\r\n"
            .as_slice()
    );
    assert_eq!(parse_capa(&body_of(&out)), Ok(caps));
}

#[test]
fn multiline_stuffs_lines() {
    let mut out = Vec::new();
    write_multiline(&StatusLine::ok("x"), [".a", "b\r\n.", ""], &mut out);
    assert_eq!(out, b"+OK x\r\n..a\r\nb  .\r\n\r\n.\r\n");
}

fn capability() -> impl Strategy<Value = Capability<'static>> {
    let tok = "[!-~]{1,20}";
    prop_oneof![
        Just(Capability::Top),
        Just(Capability::User),
        proptest::collection::vec(tok, 0..4)
            .prop_map(|v| Capability::Sasl(v.into_iter().map(Cow::Owned).collect())),
        Just(Capability::RespCodes),
        (any::<u32>(), any::<bool>())
            .prop_map(|(seconds, per_user)| Capability::LoginDelay { seconds, per_user }),
        Just(Capability::Pipelining),
        (proptest::option::of(any::<u32>()), any::<bool>()).prop_map(|(d, per_user)| {
            Capability::Expire {
                policy: d.map_or(ExpirePolicy::Never, ExpirePolicy::Days),
                per_user,
            }
        }),
        Just(Capability::Uidl),
        "[!-~]([ -~]{0,30}[!-~])?".prop_map(|t| Capability::Implementation(Cow::Owned(t))),
        Just(Capability::Stls),
        any::<bool>().prop_map(|user| Capability::Utf8 { user }),
        Just(Capability::Lang),
        Just(Capability::AuthRespCode),
        ("X-[A-Z0-9-]{1,10}", proptest::collection::vec(tok, 0..3)).prop_map(|(n, p)| {
            Capability::Other {
                name: Cow::Owned(n),
                params: p.into_iter().map(Cow::Owned).collect(),
            }
        }),
    ]
}

fn code() -> impl Strategy<Value = ResponseCode<'static>> {
    prop_oneof![
        Just(ResponseCode::InUse),
        Just(ResponseCode::LoginDelay),
        Just(ResponseCode::SysTemp),
        Just(ResponseCode::SysPerm),
        Just(ResponseCode::Auth),
        Just(ResponseCode::Utf8),
        "X-[A-Z]{1,8}(/[A-Z0-9-]{1,8}){0,2}".prop_map(|s| ResponseCode::Other(Cow::Owned(s))),
    ]
}

fn response() -> impl Strategy<Value = Response<'static>> {
    prop_oneof![
        (
            prop_oneof![Just(Status::Ok), Just(Status::Err)],
            proptest::option::of(code()),
            // Text that does not itself look like a code, any printable Unicode.
            "([^\\[\\r\\n\\x00\\p{Cc}][^\\r\\n\\x00\\p{Cc}]{0,60})?",
        )
            .prop_map(|(status, code, text)| Response::Status(StatusLine {
                status,
                code,
                text: Cow::Owned(text),
            })),
        proptest::collection::vec(any::<u8>(), 0..100)
            .prop_map(|b| Response::Continuation(Continuation::encode(&b))),
    ]
}

proptest! {
    #[test]
    fn response_build_then_parse(r in response()) {
        let wire = r.to_bytes();
        prop_assume!(wire.len() <= 512);
        prop_assert_eq!(parse_response(&wire), Ok((r, wire.len())));
        for k in 0..wire.len() {
            prop_assert_eq!(
                parse_response(wire.get(..k).unwrap_or_default()),
                Err(ResponseError::Incomplete)
            );
        }
    }

    #[test]
    fn capa_build_then_parse(caps in proptest::collection::vec(capability(), 0..8)) {
        let mut out = Vec::new();
        write_capa(&caps, &mut out);
        let body = body_of(&out);
        prop_assert_eq!(parse_capa(&body), Ok(caps));
    }
}
