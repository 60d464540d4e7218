//! Sizes agree with a real Dovecot's `RFC822.SIZE` (RFC 9051 §7.5.2) on one Maildir holding
//! three LF files: one Dovecot saved (IMAP APPEND; named `,S=,W=` by Dovecot), one this crate
//! appended (named `,S=,W=` by us), one another program dropped into `new/` (no sizes in the
//! name: counted by both); and on a message Dovecot's LMTP server delivered. Dovecot missing
//! fails the test.

use std::collections::BTreeMap;

#[path = "support/dovecot.rs"]
mod support;
use support::{Dovecot, Imap, chown_dovecot};

use mailstore::maildir::MaildirStore;
use mailstore::{AppendOptions, MailStore, UidSet};

/// `X-Conformance-Id -> RFC822.SIZE` of INBOX as Dovecot reports it.
fn dovecot_sizes(imap: &mut Imap) -> BTreeMap<String, u64> {
    imap.ok("SELECT INBOX");
    let data = imap.ok("UID FETCH 1:* (RFC822.SIZE BODY.PEEK[HEADER.FIELDS (X-Conformance-Id)])");
    let text = String::from_utf8_lossy(&data).to_string();
    let mut out = BTreeMap::new();
    for part in text.split("* ").filter(|p| p.contains("FETCH")) {
        let size = part
            .split("RFC822.SIZE ")
            .nth(1)
            .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse::<u64>().ok())
            .expect("RFC822.SIZE in FETCH");
        let id = part
            .lines()
            .find_map(|l| l.strip_prefix("X-Conformance-Id: "))
            .map(|s| s.trim().to_string())
            .expect("id in FETCH");
        out.insert(id, size);
    }
    out
}

/// The file of the message whose name contains `needle`, in `new/` or `cur/`.
fn file_named(mdir: &std::path::Path, needle: impl Fn(&[u8]) -> bool) -> String {
    for sub in ["new", "cur"] {
        for e in std::fs::read_dir(mdir.join(sub))
            .expect("read_dir")
            .flatten()
        {
            if needle(&std::fs::read(e.path()).expect("read")) {
                return e.file_name().to_string_lossy().into_owned();
            }
        }
    }
    panic!("no such file in {}", mdir.display());
}

fn has(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn our_sizes_equal_dovecots_rfc822_size() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("mail")).expect("mkdir");
    chown_dovecot(&dir.join("mail"));
    let dc = Dovecot::start(dir);
    let mut imap = dc.connect("alice");
    let theirs =
        "Subject: saved by Dovecot\r\nX-Conformance-Id: dovecot\r\n\r\none\r\ntwo\r\n\r\nthree\r\n";
    let (_, status) = imap.run("APPEND INBOX ()", Some(theirs.as_bytes()));
    assert!(status.contains("OK"), "APPEND: {status}");
    imap.ok("LOGOUT");
    drop(imap);

    let mdir = dir.join("mail").join("alice");
    let outside = b"Subject: dropped in\nX-Conformance-Id: outside\n\nfirst\n\nsecond\r\nthird\n";
    std::fs::write(mdir.join("new").join("1700000001.M1P1.elsewhere"), outside)
        .expect("outside file");
    let ours = b"Subject: appended by us\nX-Conformance-Id: ours\n\nalpha\nbeta\n\ngamma\n";
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let store = MaildirStore::new(dir.join("mail"));
        let acc = store.account("alice").await.expect("account");
        acc.append("INBOX", ours.to_vec().into(), AppendOptions::default())
            .await
            .expect("append");
    });
    chown_dovecot(&dir.join("mail"));

    let mut imap = dc.connect("alice");
    let from_dovecot = dovecot_sizes(&mut imap);
    imap.ok("LOGOUT");
    drop(imap);

    let from_us: BTreeMap<String, u64> = rt.block_on(async {
        let store = MaildirStore::new(dir.join("mail"));
        let acc = store.account("alice").await.expect("account");
        let mut out = BTreeMap::new();
        for m in acc
            .messages("INBOX", &UidSet::all())
            .await
            .expect("messages")
        {
            let data = acc.read("INBOX", m.uid).await.expect("read");
            let id = mailstore::conformance::id_of(&data).expect("id");
            assert_eq!(
                m.size,
                mailstore::rfc822_size(&data),
                "{id}: size is the CRLF size"
            );
            out.insert(id, m.size);
        }
        out
    });
    assert_eq!(
        from_dovecot.len(),
        3,
        "Dovecot sees three: {from_dovecot:?}"
    );
    assert_eq!(from_us, from_dovecot, "our sizes are Dovecot's RFC822.SIZE");
    assert_eq!(from_us["ours"], mailstore::rfc822_size(ours));
    assert_eq!(from_us["outside"], mailstore::rfc822_size(outside));

    // The names: Dovecot's and ours carry S= (bytes on disk, LF) and W= (RFC822.SIZE).
    let dovecot_file = file_named(&mdir, |d| has(d, "X-Conformance-Id: dovecot"));
    let on_disk = std::fs::read(
        mdir.join(if mdir.join("cur").join(&dovecot_file).exists() {
            "cur"
        } else {
            "new"
        })
        .join(&dovecot_file),
    )
    .expect("read Dovecot's file");
    assert!(!has(&on_disk, "\r\n"), "Dovecot stored LF line ends");
    assert!(
        dovecot_file.contains(&format!(",S={},W={}", on_disk.len(), from_us["dovecot"])),
        "Dovecot's name {dovecot_file} has S=<on disk>,W=<RFC822.SIZE>"
    );
    let our_file = file_named(&mdir, |d| has(d, "X-Conformance-Id: ours"));
    let base = our_file.split(':').next().expect("base");
    assert!(
        base.ends_with(&format!(
            ",S={},W={}",
            ours.len(),
            mailstore::rfc822_size(ours)
        )),
        "our name {our_file} has S=<on disk>,W=<RFC822.SIZE>"
    );
}

/// Reads one LMTP/SMTP reply (all its lines); returns the last line.
fn lmtp_reply(r: &mut impl std::io::BufRead, what: &str, code: &str) -> String {
    loop {
        let mut line = String::new();
        r.read_line(&mut line).expect("LMTP reply");
        assert!(line.starts_with(code), "{what}: {line:?}");
        if line.as_bytes().get(3) == Some(&b' ') {
            return line;
        }
    }
}

/// A message Dovecot's LMTP server delivers (sent with CRLF, stored with LF line ends, named
/// `,S=<on disk>,W=<RFC822.SIZE>`) gets `MessageMeta::size` equal to the `W=` value, which is
/// Dovecot's `RFC822.SIZE` and the file's size with CRLF line ends.
#[test]
fn dovecot_lmtp_delivery_size_is_its_w_value() {
    use std::io::{BufReader, Write};
    assert!(
        testkit::dovecot::dovecot_lmtp_installed(),
        "this test delivers with Dovecot's LMTP server: apt-get install dovecot-lmtpd"
    );
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("mail")).expect("mkdir");
    chown_dovecot(&dir.join("mail"));
    let dc = Dovecot::start_with_lmtp(dir);
    let addr = dc.lmtp_addr();
    let stream = std::net::TcpStream::connect(addr).expect("connect LMTP");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .expect("timeout");
    let mut w = stream.try_clone().expect("clone");
    let mut r = BufReader::new(stream);
    lmtp_reply(&mut r, "greeting", "220");
    let mut say = |cmd: &str, code: &str, r: &mut BufReader<std::net::TcpStream>| {
        w.write_all(cmd.as_bytes()).expect("send");
        lmtp_reply(r, cmd.trim_end(), code)
    };
    say("LHLO test.example\r\n", "250", &mut r);
    say("MAIL FROM:<sender@example.org>\r\n", "250", &mut r);
    say("RCPT TO:<alice>\r\n", "250", &mut r);
    say("DATA\r\n", "354", &mut r);
    let body = "Subject: delivered by LMTP\r\nX-Conformance-Id: lmtp\r\n\r\nline one\r\n\r\n\
                ..a dot-stuffed line\r\nlast line\r\n.\r\n";
    say(body, "250", &mut r);
    say("QUIT\r\n", "221", &mut r);
    drop(r);

    let mdir = dc.maildir("alice");
    let name = file_named(&mdir, |d| has(d, "X-Conformance-Id: lmtp"));
    let sub = if mdir.join("new").join(&name).exists() {
        "new"
    } else {
        "cur"
    };
    let on_disk = std::fs::read(mdir.join(sub).join(&name)).expect("read Dovecot's file");
    assert!(!has(&on_disk, "\r\n"), "Dovecot stored LF line ends");
    let w_value: u64 = name
        .split(',')
        .find_map(|p| p.strip_prefix("W="))
        .and_then(|w| w.split(':').next())
        .and_then(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("W= in Dovecot's name {name}"));
    assert_eq!(
        w_value,
        mailstore::rfc822_size(&on_disk),
        "W= is the CRLF size"
    );
    let mut imap = dc.connect("alice");
    let from_dovecot = dovecot_sizes(&mut imap);
    imap.ok("LOGOUT");
    drop(imap);

    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let metas = rt.block_on(async {
        let store = MaildirStore::new(dir.join("mail"));
        let acc = store.account("alice").await.expect("account");
        acc.messages("INBOX", &UidSet::all())
            .await
            .expect("messages")
    });
    assert_eq!(metas.len(), 1);
    assert_eq!(metas[0].size, w_value, "our size is the W= value");
    assert_eq!(
        from_dovecot.get("lmtp"),
        Some(&w_value),
        "and Dovecot's RFC822.SIZE"
    );
}
