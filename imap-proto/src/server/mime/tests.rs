use std::num::NonZeroU32;

use super::*;
use crate::encode::Encoder;
use crate::section::{Section, SectionText};

const ALT: &[u8] = b"From: Al <al@example.com>\r\n\
Subject: =?utf-8?q?caf=C3=A9?=\r\n\
Message-ID: <1@example.com>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"XX\"\r\n\
\r\n\
preamble\r\n\
--XX\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
hello\r\n\
world\r\n\
--XX\r\n\
Content-Type: message/rfc822\r\n\
\r\n\
From: b@example.org\r\n\
Subject: inner\r\n\
\r\n\
inner body\r\n\
--XX--\r\n";

fn nz(v: &[u32]) -> Vec<NonZeroU32> {
    v.iter().map(|&n| NonZeroU32::new(n).unwrap()).collect()
}

fn encoded(m: &MessageStructure, ext: bool) -> String {
    let mut e = Encoder::server();
    m.body_structure(ext).encode(ext, &mut e);
    String::from_utf8(e.take()).unwrap()
}

fn section(m: &MessageStructure, raw: &[u8], s: &Section<'_>) -> Option<Vec<u8>> {
    let view = crlf_view(raw);
    m.section_range(s).map(|r| r.extract(&view, s).into_owned())
}

#[test]
fn multipart_with_message_part() {
    let m = MessageStructure::parse(ALT).unwrap();
    assert_eq!(m.size as usize, ALT.len());
    assert!(!m.converted);
    assert_eq!(
        encoded(&m, false),
        "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 12 1)\
(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 49 \
(NIL \"inner\" ((NIL NIL \"b\" \"example.org\")) ((NIL NIL \"b\" \"example.org\")) \
((NIL NIL \"b\" \"example.org\")) NIL NIL NIL NIL NIL) \
(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 10 0) 3) \"mixed\")"
    );
    let env = m.envelope();
    assert_eq!(env.subject.as_bytes(), Some(&b"=?utf-8?q?caf=C3=A9?="[..]));
    assert_eq!(env.sender, env.from);
    assert_eq!(env.from[0].name.as_bytes(), Some(&b"Al"[..]));
    let cases: Vec<(Section<'_>, &[u8])> = vec![
        (
            Section {
                part: nz(&[1]),
                text: None,
            },
            b"hello\r\nworld",
        ),
        (
            Section {
                part: nz(&[1]),
                text: Some(SectionText::Mime),
            },
            b"Content-Type: text/plain; charset=utf-8\r\n\r\n",
        ),
        (
            Section {
                part: nz(&[2, 1]),
                text: None,
            },
            b"inner body",
        ),
        (
            Section {
                part: nz(&[2]),
                text: Some(SectionText::Text),
            },
            b"inner body",
        ),
        (
            Section {
                part: nz(&[2]),
                text: Some(SectionText::HeaderFields(vec!["subject".into()])),
            },
            b"Subject: inner\r\n\r\n",
        ),
        (
            Section {
                part: vec![],
                text: Some(SectionText::HeaderFieldsNot(vec![
                    "subject".into(),
                    "message-id".into(),
                    "mime-version".into(),
                    "content-type".into(),
                ])),
            },
            b"From: Al <al@example.com>\r\n\r\n",
        ),
    ];
    for (s, want) in cases {
        assert_eq!(
            section(&m, ALT, &s).as_deref(),
            Some(want),
            "{s:?}: {:?}",
            section(&m, ALT, &s).map(|v| String::from_utf8_lossy(&v).into_owned())
        );
    }
    assert!(
        m.section_range(&Section {
            part: nz(&[3]),
            text: None
        })
        .is_none()
    );
    assert!(
        m.section_range(&Section {
            part: nz(&[1]),
            text: Some(SectionText::Text)
        })
        .is_none()
    );
}

#[test]
fn lf_only_equals_crlf() {
    let lf = String::from_utf8(ALT.to_vec())
        .unwrap()
        .replace("\r\n", "\n")
        .into_bytes();
    let a = MessageStructure::parse(ALT).unwrap();
    let b = MessageStructure::parse(&lf).unwrap();
    assert!(b.converted);
    assert_eq!(a.size, b.size);
    assert_eq!(a.root, b.root);
    assert_eq!(a.envelope, b.envelope);
}

#[test]
fn single_part_defaults_and_sections() {
    let raw = b"Subject: x\r\n\r\nbody\r\n";
    let m = MessageStructure::parse(raw).unwrap();
    assert_eq!(
        encoded(&m, true),
        "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 6 1)"
    );
    let one = Section {
        part: nz(&[1]),
        text: None,
    };
    assert_eq!(section(&m, raw, &one).as_deref(), Some(&b"body\r\n"[..]));
    let header = Section {
        part: vec![],
        text: Some(SectionText::Header),
    };
    assert_eq!(
        section(&m, raw, &header).as_deref(),
        Some(&b"Subject: x\r\n\r\n"[..])
    );
    assert!(
        m.section_range(&Section {
            part: nz(&[2]),
            text: None
        })
        .is_none()
    );
    assert!(
        m.section_range(&Section {
            part: nz(&[1, 1]),
            text: None
        })
        .is_none()
    );
}

#[test]
fn store_round_trip_and_damage() {
    for raw in [ALT, b"Subject: x\r\n\r\nbody\r\n", b"", b"no header at all"] {
        let m = MessageStructure::parse(raw).unwrap();
        let b = m.to_bytes();
        assert_eq!(MessageStructure::from_bytes(&b).as_ref(), Ok(&m));
        // Every truncation and every single-octet change: an error or a value, never a panic.
        for n in 0..b.len() {
            assert!(MessageStructure::from_bytes(&b[..n]).is_err(), "prefix {n}");
        }
        for i in 0..b.len() {
            for x in [0x00, 0x01, 0x7f, 0x80, 0xff] {
                let mut c = b.clone();
                c[i] ^= x;
                if let Ok(s) = MessageStructure::from_bytes(&c) {
                    // A changed value that is still valid must still be usable.
                    let _ = s.body_structure(true);
                    let _ = s.section_range(&Section {
                        part: nz(&[1, 1]),
                        text: Some(SectionText::Text),
                    });
                }
            }
        }
    }
    assert_eq!(
        MessageStructure::from_bytes(b"IMS\x09"),
        Err(StoreError::Version(9))
    );
    assert_eq!(
        MessageStructure::from_bytes(b"xx"),
        Err(StoreError::NotStructure)
    );
    // A multipart claiming a billion parts in a few octets: refused before allocating.
    let m = MessageStructure::parse(ALT).unwrap();
    let mut b = m.to_bytes();
    let huge = [0xff, 0xff, 0xff, 0xff, 0x0f];
    b.truncate(20);
    b.extend_from_slice(&huge);
    assert!(MessageStructure::from_bytes(&b).is_err());
}

#[test]
fn deep_nesting_is_bounded() {
    let mut raw = Vec::new();
    for i in 0..200 {
        raw.extend_from_slice(
            format!("Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n").as_bytes(),
        );
    }
    raw.extend_from_slice(b"\r\nleaf\r\n");
    let m = MessageStructure::parse(&raw).unwrap();
    let mut depth = 0;
    let mut p = &m.root;
    while let PartKind::Multipart(parts) = &p.kind {
        p = &parts[0];
        depth += 1;
    }
    assert!(depth <= MAX_DEPTH + 1, "{depth}");
    assert!(depth >= MAX_DEPTH, "{depth}");
    let b = m.to_bytes();
    assert_eq!(MessageStructure::from_bytes(&b).as_ref(), Ok(&m));
    // What we send stays within what a client's parser (our own, at its default depth limit)
    // accepts.
    let mut e = Encoder::server();
    m.body_structure(true).encode(true, &mut e);
    let sent = e.take();
    let back = crate::response::BodyStructure::parse(&mut crate::Cursor::new(&sent)).unwrap();
    assert_eq!(back, m.body_structure(true));
}

#[test]
fn binary_decodes_the_transfer_encoding() {
    let raw = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
Content-Transfer-Encoding: base64\r\n\r\naGVs\r\nbG8=\r\n--b\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=A9 =\r\nau lait\r\n--b\r\n\
Content-Transfer-Encoding: x-uuencode\r\n\r\nbegin\r\n--b--\r\n";
    let m = MessageStructure::parse(raw).unwrap();
    assert_eq!(m.binary(&nz(&[1]), raw).as_deref(), Ok(&b"hello"[..]));
    assert_eq!(
        m.binary(&nz(&[2]), raw).as_deref(),
        Ok("café au lait".as_bytes())
    );
    assert_eq!(m.binary(&nz(&[3]), raw), Err(BinaryError::UnknownCte));
    assert_eq!(m.binary(&nz(&[4]), raw), Err(BinaryError::NoSuchPart));
    assert_eq!(m.binary(&[], raw).as_deref(), Ok(&raw[..]));
}

#[test]
fn hostile_headers_do_not_recurse() {
    // A megabyte of control characters and of nested comments in address fields.
    let mut raw = b"From: ".to_vec();
    raw.extend(std::iter::repeat_n(1u8, 1 << 20));
    raw.extend_from_slice(b"\r\nTo: ");
    raw.extend(std::iter::repeat_n(b'(', 1 << 20));
    raw.extend_from_slice(b"\r\n\r\nbody\r\n");
    let m = MessageStructure::parse(&raw).unwrap();
    assert!(m.envelope.from.is_empty());
    assert!(m.envelope.to.is_empty());
}

/// Every part lies inside its parent, header before body, and a section's range is inside
/// the message.
fn check_part(p: &Part, lo: u32, hi: u32) {
    assert!(lo <= p.header_start && p.header_start <= p.body_start);
    assert!(p.body_start <= p.end && p.end <= hi, "{p:?} in {lo}..{hi}");
    match &p.kind {
        PartKind::Multipart(parts) => {
            assert!(!parts.is_empty());
            for c in parts {
                check_part(c, p.body_start, p.end);
            }
        }
        PartKind::Message(_, inner) => check_part(inner, p.body_start, p.end),
        _ => {}
    }
}

mod props {
    use super::*;
    use proptest::prelude::*;

    /// Message-like text from MIME fragments, so that boundaries, headers and nesting occur.
    fn mime_text() -> impl Strategy<Value = Vec<u8>> {
        let frag = prop_oneof![
            Just(&b"Content-Type: multipart/mixed; boundary=a\r\n"[..]),
            Just(&b"Content-Type: multipart/digest; boundary=\"b\"\r\n"[..]),
            Just(&b"Content-Type: message/rfc822\r\n"[..]),
            Just(&b"Content-Type: text/plain; name*0=x; name*1*=y\r\n"[..]),
            Just(&b"Content-Transfer-Encoding: base64\r\n"[..]),
            Just(&b"From: A <a@b>, g: c@d;\r\n"[..]),
            Just(&b"Subject: =?utf-8?q?x?=\r\n \r\n"[..]),
            Just(&b"\r\n"[..]),
            Just(&b"\n"[..]),
            Just(&b"--a\r\n"[..]),
            Just(&b"--a--\r\n"[..]),
            Just(&b"--b\n"[..]),
            Just(&b"--b--"[..]),
            Just(&b"text line\r\n"[..]),
            Just(&b"(\"<@:;,\\"[..]),
        ];
        prop::collection::vec(frag, 0..40).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn parse_store_and_sections_hold(raw in mime_text()) {
            let m = MessageStructure::parse(&raw).unwrap();
            prop_assert_eq!(m.size as usize, crlf_view(&raw).len());
            check_part(&m.root, 0, m.size);
            let stored = MessageStructure::from_bytes(&m.to_bytes()).unwrap();
            prop_assert_eq!(&stored, &m);
            let view = crlf_view(&raw);
            for part in [&[][..], &[1], &[1, 1], &[2], &[1, 2, 1]] {
                let s = Section { part: nz(part), text: None };
                if let Some(r) = m.section_range(&s) {
                    prop_assert!(r.start <= r.end && r.end <= m.size);
                    let _ = r.extract(&view, &s);
                }
                let _ = m.binary(&nz(part), &view);
            }
            // What we send parses back as the same value (the grammar holds).
            let bs = {
                let mut e = Encoder::server();
                m.body_structure(true).encode(true, &mut e);
                e.take()
            };
            let mut c = crate::Cursor::new(&bs);
            let back = crate::response::BodyStructure::parse(&mut c).unwrap();
            prop_assert_eq!(back, m.body_structure(true));
            let env = {
                let mut e = Encoder::server();
                m.envelope().encode(&mut e);
                e.take()
            };
            let mut c = crate::Cursor::new(&env);
            prop_assert_eq!(crate::response::Envelope::parse(&mut c).unwrap(), m.envelope());
        }

        #[test]
        fn lf_and_crlf_forms_agree(raw in mime_text()) {
            let crlf = crlf_view(&raw).into_owned();
            let lf: Vec<u8> = String::from_utf8(crlf.clone()).unwrap().replace("\r\n", "\n").into_bytes();
            let a = MessageStructure::parse(&crlf).unwrap();
            let b = MessageStructure::parse(&lf).unwrap();
            prop_assert_eq!(a.size, b.size);
            prop_assert_eq!(a.root, b.root);
            prop_assert_eq!(a.envelope, b.envelope);
        }

        #[test]
        fn stored_bytes_never_panic(b in prop::collection::vec(any::<u8>(), 0..200)) {
            let mut input = b"IMS\x01".to_vec();
            input.extend_from_slice(&b);
            if let Ok(m) = MessageStructure::from_bytes(&input) {
                let _ = m.body_structure(true);
                prop_assert_eq!(MessageStructure::from_bytes(&m.to_bytes()), Ok(m));
            }
            let _ = MessageStructure::from_bytes(&b);
        }
    }
}

#[test]
fn header_block_is_kept_up_to_its_limit() {
    // In the CRLF form, empty line included.
    let m = MessageStructure::parse(b"Subject: a\nFrom: b@c\n\nbody\n").unwrap();
    assert_eq!(
        m.header.as_deref(),
        Some(&b"Subject: a\r\nFrom: b@c\r\n\r\n"[..])
    );
    let b = m.to_bytes();
    assert_eq!(MessageStructure::from_bytes(&b).as_ref(), Ok(&m));
    // A message without a body: all of it.
    let m = MessageStructure::parse(b"Subject: a\r\n").unwrap();
    assert_eq!(m.header.as_deref(), Some(&b"Subject: a\r\n"[..]));
    // HEADER_KEPT octets are kept, one more are not (read from the message).
    for (n, kept) in [(HEADER_KEPT - 7, true), (HEADER_KEPT - 6, false)] {
        let raw = format!("X: {}\r\n\r\nbody", "v".repeat(n));
        let m = MessageStructure::parse(raw.as_bytes()).unwrap();
        assert_eq!(m.header.is_some(), kept, "{n}");
        if let Some(h) = &m.header {
            assert_eq!(h.len(), HEADER_KEPT);
        }
        let b = m.to_bytes();
        assert_eq!(MessageStructure::from_bytes(&b).as_ref(), Ok(&m));
    }
    // Blobs of versions 1 (no header block) and 2 (the header block last) are refused, so
    // the message is parsed again.
    let m = MessageStructure::parse(ALT).unwrap();
    for v in [1, 2] {
        let mut old = m.to_bytes();
        old[3] = v;
        assert_eq!(
            MessageStructure::from_bytes(&old),
            Err(StoreError::Version(v))
        );
        assert_eq!(
            MessageStructure::header_from_bytes(&old),
            Err(StoreError::Version(v))
        );
    }
    // A header block that is not the top-level part's header is refused.
    let mut wrong = m.clone();
    wrong.header = Some(b"Subject: x\r\n\r\n"[..].into());
    assert!(MessageStructure::from_bytes(&wrong.to_bytes()).is_err());
}

#[test]
fn header_alone_reads_like_the_whole_structure() {
    let header = Section {
        part: Vec::new(),
        text: Some(SectionText::Header),
    };
    for raw in [
        ALT,
        b"Subject: x\nFrom: y\n\nbody\n",
        b"",
        b"no header at all",
    ] {
        let m = MessageStructure::parse(raw).unwrap();
        let b = m.to_bytes();
        let lean = MessageStructure::header_from_bytes(&b).unwrap().unwrap();
        assert_eq!(lean.header, m.header);
        assert_eq!((lean.size, lean.converted), (m.size, m.converted));
        assert_eq!(lean.section_range(&header), m.section_range(&header));
        // Damaged: an error or a value, never a panic.
        for n in 0..b.len() {
            let _ = MessageStructure::header_from_bytes(&b[..n]);
            let mut c = b.clone();
            c[n] ^= 0xff;
            if let Ok(Some(s)) = MessageStructure::header_from_bytes(&c) {
                let _ = s.section_range(&header);
            }
        }
    }
    // No header block kept: nothing.
    let mut m = MessageStructure::parse(ALT).unwrap();
    m.header = None;
    assert_eq!(MessageStructure::header_from_bytes(&m.to_bytes()), Ok(None));
}
