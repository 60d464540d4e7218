//! The literal examples of RFC 9051, 3501, 3502, 7888 and 3516, each in every split.

use super::*;

/// RFC 9051 §6.3.12: the APPEND example (a synchronizing literal of 326 octets).
const RFC9051_APPEND_MESSAGE: &[u8] = b"Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n\
From: Fred Foobar <foobar@Blurdybloop.example>\r\n\
Subject: afternoon meeting\r\n\
To: mooch@owatagu.siam.edu.example\r\n\
Message-Id: <B27397-0100000@Blurdybloop.example>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";

fn rfc9051_append() -> Vec<u8> {
    [
        &b"A003 APPEND saved-messages (\\Seen) {326}\r\n"[..],
        RFC9051_APPEND_MESSAGE,
        b"\r\n",
    ]
    .concat()
}

#[test]
fn rfc9051_append_accepted_inline() {
    assert_eq!(RFC9051_APPEND_MESSAGE.len(), 326);
    let input = rfc9051_append();
    let got = same_for_every_split(
        FramerLimits::default(),
        &input,
        &mut always(Decision::Accept),
    );
    assert_eq!(
        got,
        vec![
            announced(sync(326), b"A003 APPEND saved-messages (\\Seen) {326}\r\n"),
            Ev::Message(input.clone()),
        ]
    );
}

#[test]
fn rfc9051_append_streamed() {
    let input = [rfc9051_append(), b"A004 NOOP\r\n".to_vec()].concat();
    let got = same_for_every_split(
        FramerLimits::default(),
        &input,
        &mut always(Decision::Stream),
    );
    assert_eq!(
        got,
        vec![
            announced(sync(326), b"A003 APPEND saved-messages (\\Seen) {326}\r\n"),
            Ev::Streamed(RFC9051_APPEND_MESSAGE.to_vec()),
            Ev::MessageEnd(b"\r\n".to_vec()),
            Ev::Message(b"A004 NOOP\r\n".to_vec()),
        ]
    );
}

/// RFC 3502 §6: MULTIAPPEND, two messages in one command; both streamed, and the second
/// announcement's prefix is the text since the first literal.
#[test]
fn rfc3502_multiappend_streamed() {
    let first: &[u8] = b"Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n\
From: Fred Foobar <foobar@Blurdybloop.example.COM>\r\n\
Subject: afternoon meeting\r\n\
To: mooch@owatagu.example.net\r\n\
Message-Id: <B27397-0100000@Blurdybloop.example.COM>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";
    let second: &[u8] = b"Date: Mon, 7 Feb 1994 22:43:04 -0800 (PST)\r\n\
From: Joe Mooch <mooch@OWaTaGu.example.net>\r\n\
Subject: Re: afternoon meeting\r\n\
To: foobar@blurdybloop.example.com\r\n\
Message-Id: <a0434793874930@OWaTaGu.example.net>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
3:30 is fine with me.\r\n";
    assert_eq!((first.len(), second.len()), (329, 295));
    let input = [
        &b"A003 APPEND saved-messages (\\Seen) {329}\r\n"[..],
        first,
        b" (\\Seen) \" 7-Feb-1994 22:43:04 -0800\" {295}\r\n",
        second,
        b"\r\n",
    ]
    .concat();
    let got = same_for_every_split(
        FramerLimits::default(),
        &input,
        &mut always(Decision::Stream),
    );
    assert_eq!(
        got,
        vec![
            announced(sync(329), b"A003 APPEND saved-messages (\\Seen) {329}\r\n"),
            Ev::Streamed(first.to_vec()),
            Ev::Announced {
                header: sync(295),
                prefix: b" (\\Seen) \" 7-Feb-1994 22:43:04 -0800\" {295}\r\n".to_vec(),
                continued: true,
                fits_inline: true,
            },
            Ev::Streamed(second.to_vec()),
            Ev::MessageEnd(b"\r\n".to_vec()),
        ]
    );
}

/// RFC 3501 §7.5 (RFC 9051 §7.5): LOGIN with two synchronizing literals; RFC 7888 §3: the same
/// with non-synchronizing ones. Both assemble to one message.
#[test]
fn login_with_literals_sync_and_literal_plus() {
    for (input, headers) in [
        (
            &b"A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\n"[..],
            [sync(11), sync(7)],
        ),
        (
            b"A001 LOGIN {11+}\r\nFRED FOOBAR {7+}\r\nfat man\r\n",
            [non_sync(11), non_sync(7)],
        ),
    ] {
        let got = same_for_every_split(
            FramerLimits::default(),
            input,
            &mut always(Decision::Accept),
        );
        let first_line = input.iter().position(|&b| b == b'\n').unwrap() + 1;
        let after_literal = first_line + 11;
        let second_end = after_literal
            + input[after_literal..]
                .iter()
                .position(|&b| b == b'\n')
                .unwrap()
            + 1;
        assert_eq!(
            got,
            vec![
                announced(headers[0], &input[..first_line]),
                announced(headers[1], &input[..second_end]),
                Ev::Message(input.to_vec()),
            ],
            "{}",
            String::from_utf8_lossy(input)
        );
        // With LITERAL+ auto-accepted, the non-synchronizing form needs no decision at all.
        let mut asm = Assembler::new(FramerLimits::default());
        asm.set_auto_accept(AutoAccept::NonSynchronizingUpTo(4096));
        let got = run(&mut asm, &[input], &mut always(Decision::Refuse));
        if headers[0].is_synchronizing() {
            assert!(matches!(got[0], Ev::Announced { .. }), "{got:?}");
        } else {
            assert_eq!(got, vec![Ev::Message(input.to_vec())]);
        }
    }
}

/// RFC 3516 §4.1 literal8 in an APPEND (binary content with NUL and bare CR/LF), synchronizing
/// and non-synchronizing.
#[test]
fn binary_literal8_append() {
    let content: Vec<u8> = (0u8..=255).chain([0, b'\r', b'\n', b'\n', 0]).collect();
    for plus in ["", "+"] {
        let head = format!(
            "A5 APPEND Drafts (\\Draft) ~{{{}{plus}}}\r\n",
            content.len()
        );
        let input = [head.as_bytes(), &content, b"\r\n"].concat();
        let got = same_for_every_split(
            FramerLimits::default(),
            &input,
            &mut always(Decision::Accept),
        );
        let header = LiteralHeader {
            length: content.len() as u64,
            mode: if plus.is_empty() {
                LiteralMode::Sync
            } else {
                LiteralMode::NonSync
            },
            binary: true,
        };
        assert_eq!(
            got,
            vec![
                announced(header, head.as_bytes()),
                Ev::Message(input.clone())
            ]
        );
    }
}

/// A server response with a literal (RFC 3501 §8 sample session: `a004 fetch 12 body[header]`),
/// read by a client that accepts response literals without a decision.
#[test]
fn fetch_response_with_literal_read_by_a_client() {
    let header: &[u8] = b"Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n\
From: Terry Gray <gray@cac.washington.edu>\r\n\
Subject: IMAP4rev1 WG mtg summary and minutes\r\n\
To: imap@cac.washington.edu\r\n\
cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n\
Message-Id: <B27397-0100000@cac.washington.edu>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n";
    assert_eq!(header.len(), 342);
    let response = [&b"* 12 FETCH (BODY[HEADER] {342}\r\n"[..], header, b")\r\n"].concat();
    let input = [&response[..], b"a004 OK FETCH completed\r\n"].concat();
    for cut in 0..=input.len() {
        let mut asm = Assembler::for_responses(FramerLimits::default());
        let (a, b) = input.split_at(cut);
        let got = run(&mut asm, &[a, b], &mut always(Decision::Refuse));
        assert_eq!(
            got,
            vec![
                Ev::Message(response.clone()),
                Ev::Message(b"a004 OK FETCH completed\r\n".to_vec()),
            ],
            "cut at {cut}"
        );
    }
    // Over the auto-accept bound, the client is asked (and may stream a large BODY[]).
    let mut asm = Assembler::for_responses(FramerLimits {
        max_message: 100,
        ..FramerLimits::default()
    });
    let got = run(&mut asm, &[&input], &mut always(Decision::Stream));
    assert_eq!(
        got,
        vec![
            Ev::Announced {
                header: sync(342),
                prefix: b"* 12 FETCH (BODY[HEADER] {342}\r\n".to_vec(),
                continued: false,
                fits_inline: false,
            },
            Ev::Streamed(header.to_vec()),
            Ev::MessageEnd(b")\r\n".to_vec()),
            Ev::Message(b"a004 OK FETCH completed\r\n".to_vec()),
        ]
    );
}

/// A literal's octets are never taken for lines or announcements, whatever they hold.
#[test]
fn literal_octets_are_not_lines() {
    let input: &[u8] = b"A1 LOGIN {12+}\r\nA2 LOGOUT\r\n {3}\r\nabc\r\nA3 NOOP\r\n";
    let got = same_for_every_split(
        FramerLimits::default(),
        input,
        &mut always(Decision::Accept),
    );
    assert_eq!(
        got,
        vec![
            announced(non_sync(12), b"A1 LOGIN {12+}\r\n"),
            announced(sync(3), b"A1 LOGIN {12+}\r\nA2 LOGOUT\r\n {3}\r\n"),
            Ev::Message(b"A1 LOGIN {12+}\r\nA2 LOGOUT\r\n {3}\r\nabc\r\n".to_vec()),
            Ev::Message(b"A3 NOOP\r\n".to_vec()),
        ]
    );
}

#[test]
fn empty_literals() {
    let input: &[u8] = b"A1 LOGIN {0}\r\n {0+}\r\n\r\nA2 NOOP\r\n";
    for decision in [Decision::Accept, Decision::Stream] {
        let got = same_for_every_split(FramerLimits::default(), input, &mut always(decision));
        let want = match decision {
            Decision::Accept => vec![
                announced(sync(0), b"A1 LOGIN {0}\r\n"),
                announced(non_sync(0), b"A1 LOGIN {0}\r\n {0+}\r\n"),
                Ev::Message(b"A1 LOGIN {0}\r\n {0+}\r\n\r\n".to_vec()),
                Ev::Message(b"A2 NOOP\r\n".to_vec()),
            ],
            _ => vec![
                announced(sync(0), b"A1 LOGIN {0}\r\n"),
                Ev::Streamed(Vec::new()),
                Ev::Announced {
                    header: non_sync(0),
                    prefix: b" {0+}\r\n".to_vec(),
                    continued: true,
                    fits_inline: true,
                },
                Ev::Streamed(Vec::new()),
                Ev::MessageEnd(b"\r\n".to_vec()),
                Ev::Message(b"A2 NOOP\r\n".to_vec()),
            ],
        };
        assert_eq!(got, want, "{decision:?}");
    }
    // A refused `{0+}` is discarded (nothing to read) with the rest of its message.
    let got = same_for_every_split(
        FramerLimits::default(),
        b"A1 X {0+}\r\n more\r\nA2 NOOP\r\n",
        &mut always(Decision::Refuse),
    );
    assert_eq!(
        got,
        vec![
            announced(non_sync(0), b"A1 X {0+}\r\n"),
            Ev::Message(b"A2 NOOP\r\n".to_vec()),
        ]
    );
}
