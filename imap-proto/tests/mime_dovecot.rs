//! Proof against a real peer: Dovecot computes ENVELOPE, BODYSTRUCTURE, BODY, RFC822.SIZE and
//! body sections too. The corpus in `tests/data/mime/` goes into a Maildir, Dovecot serves it,
//! our own [`ClientSession`] fetches every item (and every part's sections) through a small
//! blocking driver, and each value must equal what [`MessageStructure`] computes from the file.
//!
//! Values are compared parsed ([`imap_proto::response`]), so that `NIL` extension fields and
//! absent ones, or a quoted string and a literal, count as the same. Where Dovecot and the RFC
//! disagree we follow the RFC: such cases are listed in [`RFC_OVER_DOVECOT`] and must show up
//! as exactly those differences. A missing Dovecot fails the test (`testkit::peer::require`).

use std::path::PathBuf;

use imap_proto::client::ClientConfig;
use imap_proto::response::{Data, MsgAtt, Response};
use imap_proto::section::Section;
use imap_proto::server::mime::{MessageStructure, Part, PartKind, crlf_view};
use testkit::dovecot::{Dovecot, chown_dovecot};

#[path = "common/blocking.rs"]
mod blocking;
use blocking::Conn;

/// Differences from Dovecot where we follow the RFC instead (or, where the RFC says nothing,
/// give the more useful answer): (file, item).
///
/// - `15-headers-galore.eml` ENVELOPE: `Message-ID:` with its value folded onto the next line.
///   Dovecot removes the white space after the colon on the first line only, and the CRLF, so
///   its envelope holds `" <galore.15@example.com>"` with a leading space. RFC 5322 §3.6.4 makes
///   that space folding white space around the `msg-id` (`[CFWS] "<" ... ">" [CFWS]`), not part
///   of it; we send `"<galore.15@example.com>"`, which a client can compare with the
///   `In-Reply-To:`/`References:` of replies (the same holds for any envelope string field
///   that starts on a continuation line).
/// - `17-encoded-rfc822.eml` BODYSTRUCTURE, BODY, BODY[1]: a base64-encoded message/rfc822
///   part (which RFC 2046 §5.2.1 forbids). Both of us read it in place (empty envelope, all the
///   text as the enclosed header, an empty text/plain body), but Dovecot counts the CRLF before
///   the close delimiter into the part (70 octets, 1 line, and BODY[1] ends with CRLF), unlike
///   for every other part of the corpus. RFC 2046 §5.1.1: that CRLF belongs to the delimiter;
///   we give 68 octets, 0 lines, and BODY[1] without it, consistent with the other parts.
///   Its `BODY[1.HEADER.FIELDS.NOT (Subject)]` from Dovecot holds the base64 lines (which are
///   no header fields: they have no colon) and even the close delimiter `--E--`, outside the
///   part; `BODY[1.HEADER.FIELDS (Subject From)]` is empty. RFC 9051 §6.4.5: only header
///   fields, and the blank line is included in every header section: we send CRLF for both.
/// - `20-odd-addresses.eml` ENVELOPE: `Broken <unclosed@example.com` (no closing `>`). Dovecot
///   gives the host `SYNTAX_ERROR`; RFC 5322 §4 asks receivers to be liberal with obsolete and
///   broken syntax and RFC 9051 says nothing, so we give the address that was evidently meant,
///   `unclosed@example.com`, which a reply can use. (For `root` and `<>` we send Dovecot's
///   `MISSING_DOMAIN`/`MISSING_MAILBOX`: a `NIL` host would read as a group marker.)
const RFC_OVER_DOVECOT: &[(&str, &str)] = &[
    ("15-headers-galore.eml", "ENVELOPE"),
    ("17-encoded-rfc822.eml", "BODYSTRUCTURE"),
    ("17-encoded-rfc822.eml", "BODY"),
    ("17-encoded-rfc822.eml", "BODY[1]"),
    (
        "17-encoded-rfc822.eml",
        "BODY[1.HEADER.FIELDS (SUBJECT FROM)]",
    ),
    (
        "17-encoded-rfc822.eml",
        "BODY[1.HEADER.FIELDS.NOT (SUBJECT)]",
    ),
    ("20-odd-addresses.eml", "ENVELOPE"),
];

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/mime");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("corpus directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).expect("read corpus file"))
        })
        .collect();
    files.sort();
    assert!(files.len() >= 15, "corpus has {} messages", files.len());
    files
}

/// Every part's number path (`1`, `2.1`, ...), depth first, with whether it is a
/// message/rfc822 part (HEADER and TEXT apply to it).
fn part_paths(p: &Part, prefix: &str, in_message: bool, out: &mut Vec<(String, bool)>) {
    match &p.kind {
        PartKind::Multipart(parts) => {
            for (i, c) in parts.iter().enumerate() {
                let path = if prefix.is_empty() {
                    format!("{}", i + 1)
                } else {
                    format!("{prefix}.{}", i + 1)
                };
                out.push((path.clone(), matches!(c.kind, PartKind::Message(..))));
                // Children of a multipart are numbered under it.
                part_paths_inner(c, &path, out);
            }
        }
        _ if in_message => {
            // A non-multipart message body is part 1 of its message.
            let path = if prefix.is_empty() {
                "1".to_owned()
            } else {
                format!("{prefix}.1")
            };
            out.push((path.clone(), matches!(p.kind, PartKind::Message(..))));
            part_paths_inner(p, &path, out);
        }
        _ => {}
    }
}

fn part_paths_inner(p: &Part, path: &str, out: &mut Vec<(String, bool)>) {
    match &p.kind {
        PartKind::Multipart(_) => part_paths(p, path, false, out),
        PartKind::Message(_, inner) => part_paths(inner, path, true, out),
        _ => {}
    }
}

#[test]
fn envelope_bodystructure_and_sections_equal_dovecots() {
    testkit::peer::require("dovecot");
    let files = corpus();
    let dir = tempfile::tempdir().expect("temp dir");
    let dc = Dovecot::start(dir.path(), &[("alice", "secret")]).expect("start Dovecot");
    let maildir = dc.maildir("alice");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).expect("mkdir");
    }
    // The folder "flipped" holds each message with its other line ends: the CRLF files with
    // bare LFs, the LF file with CRLFs. Both forms must give the same answers.
    let flipped: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(name, raw)| {
            let text = String::from_utf8_lossy(raw);
            let other = if raw.windows(2).any(|w| w == b"\r\n") {
                text.replace("\r\n", "\n")
            } else {
                text.replace('\n', "\r\n")
            };
            (format!("flipped/{name}"), other.into_bytes())
        })
        .collect();
    for (dir, set) in [
        (maildir.clone(), &files),
        (maildir.join(".flipped"), &flipped),
    ] {
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(dir.join(sub)).expect("mkdir");
        }
        for (i, (_, raw)) in set.iter().enumerate() {
            let name = format!("{}.M{i}P1.mimetest:2,S", 1_700_000_000 + i);
            std::fs::write(dir.join("cur").join(name), raw).expect("write message");
        }
    }
    std::fs::write(maildir.join(".flipped/maildirfolder"), b"").expect("maildirfolder");
    chown_dovecot(&dc.mail_root()).expect("chown");

    let mut d = Conn::open(
        dc.imap_addr(),
        ClientConfig {
            allow_plaintext_credentials: true,
            ..ClientConfig::default()
        },
    );
    d.greeting();
    let tag = d
        .session
        .login("alice", &sasl::Secret::new("secret".to_owned()))
        .expect("LOGIN");
    d.ok(&tag);
    let mut differences: Vec<(String, String, String)> = Vec::new();
    let mut compared = 0usize;
    for (mailbox, files) in [("INBOX", &files), ("flipped", &flipped)] {
        let tag = d.session.select(mailbox);
        d.ok(&tag);

        // Which sequence number holds which file: by the whole message's content.
        let all = d.command_ok("FETCH 1:* (BODY.PEEK[])");
        let mut by_seq = Vec::new();
        for u in &all.untagged {
            let Response::Data(Data::Fetch { seq, items }) = u.clone() else {
                continue;
            };
            for item in items {
                if let MsgAtt::BodySection { data, .. } = item {
                    let body = data.as_bytes().unwrap_or_default().to_vec();
                    let idx = files
                        .iter()
                        .position(|(_, raw)| *crlf_view(raw) == *body)
                        .unwrap_or_else(|| {
                            panic!(
                                "message {seq} matches no corpus file:\n{}",
                                String::from_utf8_lossy(&body)
                            )
                        });
                    by_seq.push((seq.get(), idx));
                }
            }
        }
        assert_eq!(by_seq.len(), files.len(), "Dovecot serves every file");

        for &(seq, idx) in &by_seq {
            let (name, raw) = &files[idx];
            let ours = MessageStructure::parse(raw).expect("parse");
            // The stored form gives the same answers.
            let ours = MessageStructure::from_bytes(&ours.to_bytes()).expect("stored form");
            let view = crlf_view(raw);
            let mut paths = Vec::new();
            part_paths(&ours.root, "", true, &mut paths);
            let mut items = String::from(
                "ENVELOPE BODYSTRUCTURE BODY RFC822.SIZE BODY.PEEK[HEADER] BODY.PEEK[TEXT] \
             BODY.PEEK[HEADER.FIELDS (From Subject Message-ID)] \
             BODY.PEEK[HEADER.FIELDS.NOT (Subject Date)]",
            );
            // BODY[1] and BODY[1.MIME] always; every other part's too.
            if !paths.iter().any(|(p, _)| p == "1") {
                paths.insert(0, ("1".to_owned(), false));
            }
            for (p, is_message) in &paths {
                items.push_str(&format!(" BODY.PEEK[{p}] BODY.PEEK[{p}.MIME]"));
                if *is_message {
                    items.push_str(&format!(
                        " BODY.PEEK[{p}.HEADER] BODY.PEEK[{p}.TEXT] \
                     BODY.PEEK[{p}.HEADER.FIELDS (Subject From)] \
                     BODY.PEEK[{p}.HEADER.FIELDS.NOT (Subject)]"
                    ));
                }
            }
            let done = d.command_ok(&format!("FETCH {seq} ({items})"));
            let mut seen = 0;
            for u in &done.untagged {
                let Response::Data(Data::Fetch { items, .. }) = u.clone() else {
                    continue;
                };
                for item in items {
                    seen += 1;
                    let (what, same, theirs, mine) = match &item {
                        MsgAtt::Envelope(e) => {
                            let o = ours.envelope();
                            (
                                "ENVELOPE".to_owned(),
                                **e == o,
                                enc(|x| e.encode(x)),
                                enc(|x| o.encode(x)),
                            )
                        }
                        MsgAtt::BodyStructure(b) | MsgAtt::Body(b) => {
                            let ext = matches!(item, MsgAtt::BodyStructure(_));
                            let o = ours.body_structure(ext);
                            let what = if ext { "BODYSTRUCTURE" } else { "BODY" };
                            (
                                what.to_owned(),
                                **b == o,
                                enc(|x| b.encode(ext, x)),
                                enc(|x| o.encode(ext, x)),
                            )
                        }
                        MsgAtt::Rfc822Size(n) => (
                            "RFC822.SIZE".to_owned(),
                            *n == u64::from(ours.size),
                            n.to_string(),
                            ours.size.to_string(),
                        ),
                        MsgAtt::BodySection { section, data, .. } => {
                            let mine = ours
                                .section_range(section)
                                .map(|r| r.extract(&view, section).into_owned())
                                .unwrap_or_default();
                            let theirs = data.as_bytes().unwrap_or_default();
                            (
                                section_name(section),
                                theirs == mine.as_slice(),
                                String::from_utf8_lossy(theirs).into_owned(),
                                String::from_utf8_lossy(&mine).into_owned(),
                            )
                        }
                        _ => continue,
                    };
                    compared += 1;
                    if !same {
                        differences.push((
                            name.clone(),
                            what,
                            format!("dovecot: {theirs}\n  ours:    {mine}"),
                        ));
                    }
                }
            }
            assert!(seen >= 9, "{name}: Dovecot answered {seen} items");
        }
    }
    let mut listed: Vec<(String, &str)> = differences
        .iter()
        .map(|(f, w, _)| (f.clone(), w.as_str()))
        .collect();
    // Each listed difference shows up in both line-end forms.
    let mut expected: Vec<(String, &str)> = RFC_OVER_DOVECOT
        .iter()
        .map(|(f, w)| (f.to_string(), *w))
        .collect();
    expected.extend(
        RFC_OVER_DOVECOT
            .iter()
            .map(|(f, w)| (format!("flipped/{f}"), *w)),
    );
    listed.sort();
    expected.sort();
    let report: String = differences
        .iter()
        .map(|(f, w, d)| format!("{f} {w}:\n  {d}\n"))
        .collect();
    assert_eq!(
        listed, expected,
        "differences from Dovecot ({compared} values compared):\n{report}"
    );
    assert!(compared > 400, "only {compared} values compared");
}

fn enc(f: impl FnOnce(&mut imap_proto::Encoder)) -> String {
    let mut e = imap_proto::Encoder::server();
    f(&mut e);
    String::from_utf8_lossy(&e.take()).into_owned()
}

fn section_name(s: &Section<'_>) -> String {
    let mut e = imap_proto::Encoder::server();
    s.encode(&mut e);
    format!("BODY{}", String::from_utf8_lossy(&e.take()))
}
