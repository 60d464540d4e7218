//! Back-pressure: pipelined commands whose answers are large (LIST/UIDL over a big maildrop)
//! never make the session hold more than `max_pending_output` plus one line.

use super::*;

/// The longest listing line here: `50000 1050000` or `50000 uid-49999`, CRLF included.
const ONE_LINE: usize = 32;

/// A logged-in session over a maildrop of `count` messages; greeting and login answers taken.
fn logged_in(config: ServerConfig, count: u32) -> ServerSession {
    let mut s = ServerSession::new(Arc::new(config));
    s.feed(b"USER alice\r\nPASS secret\r\n");
    loop {
        match s.next_event().expect("correctly driven") {
            Event::Login { user, .. } => s
                .auth_outcome(AuthOutcome::Success { identity: user })
                .expect("login answered"),
            Event::OpenMaildrop { .. } => s
                .maildrop_opened(Ok((0..count)
                    .map(|i| MaildropEntry {
                        id: i,
                        size: 1000 + u64::from(i),
                        unique_id: format!("uid-{i}"),
                    })
                    .collect()))
                .expect("maildrop answered"),
            Event::NeedInput => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    let out = String::from_utf8(s.take_output()).expect("text");
    assert!(
        out.ends_with(&format!(
            "maildrop has {count} messages ({} octets)\r\n",
            1000 * u64::from(count) + u64::from(count) * u64::from(count.saturating_sub(1)) / 2
        )),
        "{out}"
    );
    s
}

/// Drives `s` like a driver whose socket takes `drain` octets per write, until `limit` octets
/// were written or the session needs input. Returns what was written and the peak of pending
/// output.
fn drain_slowly(s: &mut ServerSession, drain: usize, limit: usize) -> (Vec<u8>, usize) {
    let mut written = Vec::new();
    let mut peak = 0;
    while written.len() < limit {
        let event = s.next_event().expect("correctly driven");
        peak = peak.max(s.output().len());
        match event {
            Event::Flush => {
                let n = drain.min(s.output().len());
                written.extend_from_slice(&s.output()[..n]);
                s.output_written(n);
            }
            Event::NeedInput => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    written.extend(s.take_output());
    (written, peak)
}

#[test]
fn pipelined_list_over_a_large_maildrop_stays_under_the_bound() {
    let config = plaintext_config();
    let bound = config.max_pending_output;
    let mut s = logged_in(config, 50_000);
    // 16 KiB of pipelined LIST in one read; today's code would answer all 2730 at once (~1.6 GB).
    let lists = 16 * 1024 / b"LIST\r\n".len();
    s.feed(&b"LIST\r\n".repeat(lists));
    let (written, peak) = drain_slowly(&mut s, 1000, 4 << 20);
    assert!(
        peak <= bound + ONE_LINE,
        "pending output peaked at {peak} octets, bound {bound}"
    );
    assert!(
        written.len() >= 4 << 20,
        "the driver got {} octets",
        written.len()
    );
    // The first listing is complete and correct, and the second follows it.
    let text = String::from_utf8_lossy(&written);
    let total: u64 = (0..50_000u64).map(|i| 1000 + i).sum();
    let mut expected = format!("+OK 50000 messages ({total} octets)\r\n");
    for i in 0..50_000u64 {
        expected += &format!("{} {}\r\n", i + 1, 1000 + i);
    }
    expected += ".\r\n";
    assert!(text.starts_with(&expected), "first listing differs");
    assert!(text[expected.len()..].starts_with(&expected[..40]));
    // Not drained, the session adds nothing when asked again.
    assert_eq!(s.next_event(), Ok(Event::Flush));
    let held = s.output().len();
    assert!(held > bound && held <= bound + ONE_LINE, "{held}");
    assert_eq!(s.next_event(), Ok(Event::Flush));
    assert_eq!(s.output().len(), held);
}

#[test]
fn pipelined_uidl_is_generated_as_the_output_drains() {
    let mut config = plaintext_config();
    config.max_pending_output = 4096;
    let mut s = logged_in(config, 50_000);
    s.feed(&b"UIDL\r\nNOOP\r\n".repeat(3));
    let (written, peak) = drain_slowly(&mut s, 512, usize::MAX);
    assert!(peak <= 4096 + ONE_LINE, "{peak}");
    let text = String::from_utf8(written).expect("text");
    assert_eq!(text.matches("+OK Unique-id listing follows\r\n").count(), 3);
    assert_eq!(
        text.matches("\r\n50000 uid-49999\r\n.\r\n+OK\r\n").count(),
        3
    );
}

/// Deleted messages are skipped by the listing generated line by line, as by the whole one.
#[test]
fn incremental_listing_equals_the_whole_one() {
    let script = "DELE 2\r\nLIST\r\nUIDL\r\nRSET\r\nLIST\r\nDELE 1\r\nUIDL\r\nQUIT\r\n";
    let mut whole = Driver::new();
    whole.login();
    let expected = whole.run(script);
    assert!(expected.contains("+OK 2 messages (280 octets)\r\n1 120\r\n3 160\r\n.\r\n"));
    for bound in [0, 1, 7, 20] {
        let mut config = plaintext_config();
        config.max_pending_output = bound;
        let mut d = Driver::with_config(config);
        d.login();
        assert_eq!(d.run(script), expected, "bound {bound}");
        assert!(
            d.peak_output <= bound + ONE_LINE + 64,
            "bound {bound}: {}",
            d.peak_output
        );
    }
}
