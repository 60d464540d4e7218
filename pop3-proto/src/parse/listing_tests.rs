use super::*;

fn m(n: u32) -> MsgNum {
    MsgNum::new(n).expect("non-zero")
}

#[test]
fn stat_rfc1939() {
    let cases: &[(&[u8], Result<Stat, ListingError>)] = &[
        (
            b"2 320",
            Ok(Stat {
                count: 2,
                size: 320,
            }),
        ),
        (b"0 0", Ok(Stat { count: 0, size: 0 })),
        (
            b"1 18446744073709551615",
            Ok(Stat {
                count: 1,
                size: u64::MAX,
            }),
        ),
        (
            b"2 320 extra",
            Ok(Stat {
                count: 2,
                size: 320,
            }),
        ),
        (b"2", Err(ListingError::MissingField)),
        (b"", Err(ListingError::MissingField)),
        (b"x 320", Err(ListingError::BadNumber { at: 0 })),
        (b"2 3x", Err(ListingError::BadNumber { at: 2 })),
        (
            b"2 18446744073709551616",
            Err(ListingError::BadNumber { at: 2 }),
        ),
    ];
    for (text, want) in cases {
        assert_eq!(
            &parse_stat(text),
            want,
            "{:?}",
            String::from_utf8_lossy(text)
        );
    }
}

#[test]
fn list_rfc1939() {
    // RFC 1939 §5, LIST examples: the multi-line body and a single-line answer.
    let body = b"1 120\r\n2 200\r\n";
    assert_eq!(
        parse_scan_listings(body),
        Ok(vec![
            ScanListing {
                msg: m(1),
                size: 120
            },
            ScanListing {
                msg: m(2),
                size: 200
            },
        ])
    );
    assert_eq!(
        parse_scan_listing(b"2 200"),
        Ok(ScanListing {
            msg: m(2),
            size: 200
        })
    );
    assert_eq!(parse_scan_listings(b""), Ok(vec![]));
    assert_eq!(
        parse_scan_listing(b"0 200"),
        Err(ListingError::BadMessageNumber { at: 0 })
    );
    assert_eq!(parse_scan_listing(b"1"), Err(ListingError::MissingField));
}

#[test]
fn uidl_rfc1939() {
    // RFC 1939 §7, UIDL examples.
    let body = b"1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n";
    let got = parse_uid_listings(body).expect("valid");
    assert_eq!(got.len(), 2);
    assert_eq!(
        got.first().map(|l| (l.msg, l.uid.as_str())),
        Some((m(1), "whqtswO00WBw418f9t5JxYwZ"))
    );
    assert_eq!(
        got.get(1).map(|l| (l.msg, l.uid.as_str())),
        Some((m(2), "QhdPYR:00WBw1Ph7x7"))
    );
    let long = [b"1 ".as_slice(), &[b'u'; 71]].concat();
    assert_eq!(
        parse_uid_listing(&long),
        Err(ListingError::BadUid(UidError::Length { len: 71 }))
    );
    assert_eq!(
        parse_uid_listing(b"1 a\x7fb"),
        Err(ListingError::BadUid(UidError::InvalidByte {
            byte: 0x7f,
            at: 1
        }))
    );
    let seventy = [b"3 ".as_slice(), &[b'~'; 70]].concat();
    assert!(parse_uid_listing(&seventy).is_ok());
}

/// RFC 2449 §5's CAPA example, RFC 2595 §4, RFC 3206 §6, RFC 6856 §2–§3.
#[test]
fn capa_rfc2449() {
    let body = b"TOP\r\nUSER\r\nSASL CRAM-MD5 KERBEROS_V4\r\nRESP-CODES\r\nLOGIN-DELAY 900\r\n\
PIPELINING\r\nEXPIRE 60\r\nUIDL\r\nIMPLEMENTATION Shlemazle-Plotz-v302\r\n";
    assert_eq!(
        parse_capa(body),
        Ok(vec![
            Capability::Top,
            Capability::User,
            Capability::Sasl(vec!["CRAM-MD5".into(), "KERBEROS_V4".into()]),
            Capability::RespCodes,
            Capability::LoginDelay {
                seconds: 900,
                per_user: false
            },
            Capability::Pipelining,
            Capability::Expire {
                policy: ExpirePolicy::Days(60),
                per_user: false
            },
            Capability::Uidl,
            Capability::Implementation("Shlemazle-Plotz-v302".into()),
        ])
    );
    let cases: Vec<(&[u8], Capability<'_>)> = vec![
        (b"STLS", Capability::Stls),
        (b"AUTH-RESP-CODE", Capability::AuthRespCode),
        (b"UTF8", Capability::Utf8 { user: false }),
        (b"UTF8 USER", Capability::Utf8 { user: true }),
        (b"LANG", Capability::Lang),
        (
            b"EXPIRE NEVER",
            Capability::Expire {
                policy: ExpirePolicy::Never,
                per_user: false,
            },
        ),
        (
            b"EXPIRE 0 USER",
            Capability::Expire {
                policy: ExpirePolicy::Days(0),
                per_user: true,
            },
        ),
        (
            b"LOGIN-DELAY 300 USER",
            Capability::LoginDelay {
                seconds: 300,
                per_user: true,
            },
        ),
        (b"top", Capability::Top),
        (b"SASL", Capability::Sasl(vec![])),
        (
            b"IMPLEMENTATION a  b c",
            Capability::Implementation("a  b c".into()),
        ),
        (
            b"X-FOO bar baz",
            Capability::Other {
                name: "X-FOO".into(),
                params: vec!["bar".into(), "baz".into()],
            },
        ),
        (
            b"x-foo",
            Capability::Other {
                name: "X-FOO".into(),
                params: vec![],
            },
        ),
    ];
    for (line, want) in cases {
        assert_eq!(
            parse_capability(line),
            Ok(want),
            "{:?}",
            String::from_utf8_lossy(line)
        );
    }
    let bad: &[&[u8]] = &[
        b"LOGIN-DELAY",
        b"LOGIN-DELAY x",
        b"LOGIN-DELAY 9 NOBODY",
        b"EXPIRE soon",
        b"TOP 1",
        b"UTF8 USER USER",
    ];
    for line in bad {
        assert!(
            matches!(
                parse_capability(line),
                Err(ListingError::BadCapability { .. })
            ),
            "{:?}",
            String::from_utf8_lossy(line)
        );
    }
    assert_eq!(parse_capability(b""), Err(ListingError::MissingField));
    assert_eq!(parse_capability(b"\xff"), Err(ListingError::InvalidUtf8));
}

#[test]
fn lines_split() {
    let got: Vec<&[u8]> = lines(b"a\r\n\r\nb\r\nc").collect();
    assert_eq!(got, vec![&b"a"[..], b"", b"b", b"c"]);
    assert_eq!(lines(b"").count(), 0);
}
