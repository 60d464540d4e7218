//! Interop with the real mutt (the Debian package), driven headless inside a tmux server of the
//! test's own: mutt reads the Maildir and mbox files this crate wrote, changes them, and this
//! crate (a fresh store value) reads what mutt left. Without mutt or tmux the tests fail, naming
//! the package to install (`testkit::peer::require`).
//!
//! Every mutt session runs with `HOME` in a temporary directory, `-n` (no system muttrc) and a
//! muttrc of the test's own; every step waits for the expected screen text with a time-out.

use std::collections::BTreeMap;
use std::path::Path;

#[path = "support/tmux.rs"]
mod tmux;
use tmux::Tmux;

use mailstore::conformance::{id_of, message};
use mailstore::maildir::MaildirStore;
use mailstore::mbox::MboxStore;
use mailstore::{Account, AppendOptions, Flag, Flags, MailStore, MessageMeta, UidSet, flags};

/// Fails the test unless mutt and tmux are installed.
fn require_mutt() {
    testkit::peer::require("mutt");
    testkit::peer::require("tmux");
}

/// The INBOX the Maildir tests deliver: (id, flags). `sort=subject` lists them in this order
/// (subjects are `test <id>`).
fn inbox() -> Vec<(&'static str, Flags)> {
    vec![
        ("a-plain", Flags::new()),
        ("b-seen", flags([Flag::Seen])),
        ("c-flagged", flags([Flag::Flagged])),
        ("d-deleted-answered", flags([Flag::Deleted, Flag::Answered])),
        ("e-answered-seen", flags([Flag::Answered, Flag::Seen])),
    ]
}

const LINES: usize = 5;

/// A mutt session on `folder` with the test's muttrc (`mbox_type` as given).
struct Mutt {
    tmux: Tmux,
}

impl Mutt {
    fn start(dir: &Path, mbox_type: &str, folder: &Path, spool: &Path, extra: &str) -> Mutt {
        let home = dir.join("home");
        std::fs::create_dir_all(&home).expect("mkdir home");
        let rc = dir.join("muttrc");
        let conf = format!(
            r#"set mbox_type={mbox_type}
set folder="{folder}"
set spoolfile="{spool}"
set index_format="%4C %Z %s"
set sort=subject
set mark_old=no
set move=no
set confirmappend=no
set confirmcreate=no
set delete=yes
set wait_key=no
set header_cache=""
set quit=yes
set beep=no
set sendmail="/bin/false"
"#,
            folder = folder.display(),
            spool = spool.display(),
        );
        std::fs::write(&rc, conf).expect("muttrc");
        let cmd = format!(
            "mutt -n -F '{}' {extra} -f '{}'",
            rc.display(),
            spool.display()
        );
        let tmux = Tmux::start(dir, &home, &cmd);
        Mutt { tmux }
    }

    /// The index rows on screen: subject -> the three `%Z` status columns.
    fn rows(&self, screen: &str) -> BTreeMap<String, String> {
        screen
            .lines()
            .filter_map(|l| {
                let num = l.get(..4)?.trim();
                if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let z = l.get(5..8)?;
                let subject = l.get(9..)?.trim_end().strip_prefix("test ")?;
                Some((subject.to_string(), z.to_string()))
            })
            .collect()
    }

    /// Waits until the index shows exactly the subjects of `want` with those status columns.
    fn expect_index(&self, want: &[(&str, &str)]) -> String {
        let want: BTreeMap<String, String> = want
            .iter()
            .map(|(s, z)| (s.to_string(), z.to_string()))
            .collect();
        self.tmux
            .wait_until(&format!("the index {want:?}"), tmux::STEP, |s| {
                self.rows(s) == want
            })
    }

    /// Moves the cursor to message number `n` of the index.
    fn jump(&self, n: usize) {
        self.tmux.type_text(&n.to_string());
        self.tmux.wait_for("Jump to message:");
        self.tmux.keys(&["Enter"]);
        self.tmux
            .wait_until(&format!("cursor on message {n}"), tmux::STEP, |s| {
                !s.contains("Jump to message:")
            });
    }

    /// Opens message `n` in the pager, waits for `text` in it, and goes back to the index.
    fn view(&self, n: usize, text: &str) -> String {
        self.jump(n);
        self.tmux.keys(&["Enter"]);
        let screen = self.tmux.wait_for(text);
        self.tmux.keys(&["q"]);
        self.tmux.wait_for("q:Quit");
        screen
    }

    /// Answers a prompt that starts with `prompt` (clearing mutt's suggestion) with `answer`.
    fn answer(&self, prompt: &str, answer: &str) {
        self.tmux.wait_for(prompt);
        self.tmux.keys(&["C-u"]);
        self.tmux.type_text(answer);
        self.tmux.keys(&["Enter"]);
    }

    /// Quits and checks that mutt exited with status 0.
    fn quit(self) {
        self.tmux.keys(&["q"]);
        assert_eq!(self.tmux.wait_exit(), 0, "mutt's exit status");
    }
}

/// Screen lines, trailing blanks removed.
fn lines(screen: &str) -> Vec<&str> {
    screen.lines().map(str::trim_end).collect()
}

/// `id -> (uid, flags)` of every message of `mailbox`, from a fresh store value.
async fn view_of(store: &dyn MailStore, mailbox: &str) -> BTreeMap<String, (u32, Flags)> {
    let acc = store.account("u").await.expect("account");
    let metas: Vec<MessageMeta> = acc
        .messages(mailbox, &UidSet::all())
        .await
        .expect("messages");
    let mut out = BTreeMap::new();
    for m in metas {
        let data = acc.read(mailbox, m.uid).await.expect("read");
        let id = id_of(&data).unwrap_or_else(|| format!("<no id: {data:?}>"));
        out.insert(id, (m.uid, m.flags));
    }
    out
}

/// Checks that `got` is message `id` as this test wrote it: every original header line present
/// (mutt may add `Status:`, `Content-Length:`, `Lines:`), the body byte for byte.
fn assert_same_message(got: &[u8], id: &str) {
    let want = message(id, LINES);
    let split = |m: &[u8]| -> (Vec<u8>, Vec<u8>) {
        let at = m
            .windows(2)
            .position(|w| w == b"\n\n")
            .map_or(m.len(), |p| p + 2);
        (m[..at].to_vec(), m[at..].to_vec())
    };
    let (wh, wb) = split(&want);
    let (gh, gb) = split(got);
    let gh = String::from_utf8_lossy(&gh).to_string();
    for line in String::from_utf8_lossy(&wh)
        .lines()
        .filter(|l| !l.is_empty())
    {
        assert!(
            gh.lines().any(|g| g == line),
            "{id}: header {line:?} kept; got headers:\n{gh}"
        );
    }
    assert_eq!(
        String::from_utf8_lossy(&gb),
        String::from_utf8_lossy(&wb),
        "{id}: body intact"
    );
}

/// Appends the test message `id` to `mailbox` with `flags`.
async fn put(acc: &dyn Account, mailbox: &str, id: &str, flags: Flags) {
    let o = AppendOptions {
        flags,
        internal_date: None,
    };
    acc.append(mailbox, message(id, LINES).into(), o)
        .await
        .expect("append");
}

/// Delivers [`inbox`] and one message to `Archive` with a Maildir store under `root`.
fn deliver_maildir(rt: &tokio::runtime::Runtime, root: &Path) -> BTreeMap<String, (u32, Flags)> {
    rt.block_on(async {
        let store = MaildirStore::new(root);
        let acc = store.account("u").await.expect("account");
        acc.create("Archive", None).await.expect("create");
        for (id, f) in inbox() {
            put(&*acc, "INBOX", id, f).await;
        }
        put(&*acc, "Archive", "z-archived", Flags::new()).await;
        view_of(&store, "INBOX").await
    })
}

/// mutt reads the Maildir++ this crate wrote: messages, flags, bodies and folders.
#[test]
fn mutt_reads_our_maildir() {
    require_mutt();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let root = dir.join("mail");
    let before = deliver_maildir(&rt, &root);
    let mdir = root.join("u");

    // Read-only (-R): what mutt shows, without it changing anything.
    let mutt = Mutt::start(dir, "Maildir", &mdir, &mdir, "-R");
    // %Z: N new (in new/), O old (in cur/, not seen), r replied and seen, D deleted, ! flagged.
    mutt.expect_index(&[
        ("a-plain", "N  "),
        ("b-seen", "   "),
        ("c-flagged", "O !"),
        ("d-deleted-answered", "OD "),
        ("e-answered-seen", "r  "),
    ]);
    // \Answered of an unseen message is not in %Z: limit the view to replied messages (~Q).
    mutt.tmux.keys(&["l"]);
    mutt.answer("Limit to messages matching:", "~Q");
    mutt.expect_index(&[("d-deleted-answered", "OD "), ("e-answered-seen", "r  ")]);
    mutt.tmux.keys(&["l"]);
    mutt.answer("Limit to messages matching:", "~A");
    mutt.expect_index(&[
        ("a-plain", "N  "),
        ("b-seen", "   "),
        ("c-flagged", "O !"),
        ("d-deleted-answered", "OD "),
        ("e-answered-seen", "r  "),
    ]);
    // The pager shows the body as written (Maildir has no From quoting).
    let screen = mutt.view(1, "line 4 of a-plain");
    let shown = lines(&screen);
    for want in [
        "Subject: test a-plain",
        "line 0 of a-plain",
        "From here on, a line an mbox must quote",
        ">From already quoted once",
    ] {
        assert!(shown.contains(&want), "pager shows {want:?}:\n{screen}");
    }
    // The folder, by mutt's `=.Archive` Maildir++ name.
    mutt.tmux.keys(&["c"]);
    mutt.answer("Open mailbox", "=.Archive");
    mutt.expect_index(&[("z-archived", "N  ")]);
    mutt.view(1, "line 4 of z-archived");
    mutt.quit();

    // Nothing changed for us: same UIDs, same flags.
    let after = rt.block_on(view_of(&MaildirStore::new(&root), "INBOX"));
    assert_eq!(after, before, "a read-only mutt session changes nothing");
}

/// mutt changes the Maildir this crate wrote (flag, read, delete + expunge, copy into a new
/// folder); a fresh store value sees all of it, with the UIDs of the remaining messages kept.
#[test]
fn we_read_what_mutt_changed_in_our_maildir() {
    require_mutt();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let root = dir.join("mail");
    let before = deliver_maildir(&rt, &root);
    let mdir = root.join("u");

    let mutt = Mutt::start(dir, "Maildir", &mdir, &mdir, "");
    mutt.expect_index(&[
        ("a-plain", "N  "),
        ("b-seen", "   "),
        ("c-flagged", "O !"),
        ("d-deleted-answered", "OD "),
        ("e-answered-seen", "r  "),
    ]);
    // Read a-plain, flag b-seen, delete c-flagged.
    mutt.view(1, "line 4 of a-plain");
    mutt.jump(2);
    mutt.tmux.keys(&["F"]);
    mutt.jump(3);
    mutt.tmux.keys(&["d"]);
    mutt.expect_index(&[
        ("a-plain", "   "),
        ("b-seen", "  !"),
        ("c-flagged", "OD!"),
        ("d-deleted-answered", "OD "),
        ("e-answered-seen", "r  "),
    ]);
    // Copy e-answered-seen into a new folder `.Sent` (mutt creates the Maildir).
    mutt.jump(5);
    mutt.tmux.keys(&["C"]);
    mutt.answer("Copy to mailbox", "=.Sent");
    mutt.tmux.wait_until("the copy", tmux::STEP, |_| {
        std::fs::read_dir(mdir.join(".Sent/cur"))
            .map(|d| d.count() == 1)
            .unwrap_or(false)
    });
    // Sync: the two deleted messages are removed.
    mutt.tmux.keys(&["$"]);
    mutt.expect_index(&[
        ("a-plain", "   "),
        ("b-seen", "  !"),
        ("e-answered-seen", "r  "),
    ]);
    mutt.quit();

    rt.block_on(async {
        let store = MaildirStore::new(&root);
        let after = view_of(&store, "INBOX").await;
        let mut want = BTreeMap::new();
        for (id, f) in [
            ("a-plain", flags([Flag::Seen])),
            ("b-seen", flags([Flag::Seen, Flag::Flagged])),
            ("e-answered-seen", flags([Flag::Answered, Flag::Seen])),
        ] {
            want.insert(id.to_string(), (before[id].0, f));
        }
        assert_eq!(after, want, "mutt's changes seen, UIDs kept");
        let acc = store.account("u").await.expect("account");
        let names: Vec<String> = acc
            .list()
            .await
            .expect("list")
            .into_iter()
            .map(|m| m.name)
            .collect();
        assert!(
            names.iter().any(|n| n == "Sent"),
            "the folder mutt created is listed: {names:?}"
        );
        let sent = acc
            .messages("Sent", &UidSet::all())
            .await
            .expect("messages");
        assert_eq!(sent.len(), 1, "{sent:?}");
        assert_eq!(sent[0].flags, flags([Flag::Answered, Flag::Seen]));
        let data = acc.read("Sent", sent[0].uid).await.expect("read");
        assert_same_message(&data, "e-answered-seen");
        for (id, _) in inbox().iter().filter(|(id, _)| want.contains_key(*id)) {
            let data = acc.read("INBOX", want[*id].0).await.expect("read");
            assert_eq!(data, message(id, LINES), "{id} intact after mutt's renames");
        }
    });
}

/// mutt reads the mbox this crate wrote and expunges from it; mutt writes a new mbox (copying a
/// message whose body has a `From ` line from a Maildir, unquoted, with `Content-Length:` as
/// mutt does); a fresh store value reads both.
#[test]
fn mutt_and_our_mbox() {
    require_mutt();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let mbox_root = dir.join("mbox");
    let maildir_root = dir.join("maildir");
    let before = rt.block_on(async {
        let md = MaildirStore::new(&maildir_root);
        let acc = md.account("u").await.expect("account");
        put(&*acc, "INBOX", "f-from-maildir", Flags::new()).await;
        let store = MboxStore::new(&mbox_root);
        let acc = store.account("u").await.expect("account");
        for (id, f) in [
            ("a-plain", Flags::new()),
            ("b-seen", flags([Flag::Seen])),
            ("c-flagged", flags([Flag::Flagged])),
        ] {
            put(&*acc, "INBOX", id, f).await;
        }
        view_of(&store, "INBOX").await
    });
    let udir = mbox_root.join("u");
    let mutt = Mutt::start(dir, "mbox", &udir, &udir.join("INBOX"), "");
    // Our flags live in our side index, which mutt does not read: all are new to mutt.
    mutt.expect_index(&[("a-plain", "N  "), ("b-seen", "N  "), ("c-flagged", "N  ")]);
    // mutt shows the body lines as stored: it does not un-quote mboxrd (`>From ` stays), and
    // no body line was taken for a separator.
    let screen = mutt.view(1, "line 4 of a-plain");
    let shown = lines(&screen);
    for want in [
        "Subject: test a-plain",
        "line 0 of a-plain",
        ">From here on, a line an mbox must quote",
        "line 2 of a-plain",
        ">>From already quoted once",
        "line 4 of a-plain",
    ] {
        assert!(shown.contains(&want), "pager shows {want:?}:\n{screen}");
    }
    // Delete b-seen and sync: mutt rewrites the file (adding Status:, Content-Length:, Lines:).
    mutt.jump(2);
    mutt.tmux.keys(&["d"]);
    mutt.expect_index(&[("a-plain", "   "), ("b-seen", "ND "), ("c-flagged", "N  ")]);
    mutt.tmux.keys(&["$"]);
    mutt.expect_index(&[("a-plain", "   "), ("c-flagged", "N  ")]);
    // mutt writes an mbox of its own: a message copied from a Maildir.
    mutt.tmux.keys(&["c"]);
    mutt.answer(
        "Open mailbox",
        &maildir_root.join("u").display().to_string(),
    );
    mutt.expect_index(&[("f-from-maildir", "N  ")]);
    mutt.tmux.keys(&["C"]);
    mutt.answer("Copy to mailbox", "=Saved");
    mutt.tmux.wait_until("the copy", tmux::STEP, |_| {
        std::fs::read(udir.join("Saved")).is_ok_and(|d| d.ends_with(b"f-from-maildir\n\n"))
    });
    mutt.quit();
    let saved = std::fs::read(udir.join("Saved")).expect("mutt's mbox");
    assert!(
        saved
            .split(|&b| b == b'\n')
            .any(|l| l == b"From here on, a line an mbox must quote"),
        "mutt writes body lines unquoted (Content-Length instead)"
    );

    rt.block_on(async {
        let store = MboxStore::new(&mbox_root);
        let after = view_of(&store, "INBOX").await;
        assert_eq!(
            after.keys().collect::<Vec<_>>(),
            ["a-plain", "c-flagged"],
            "mutt's expunge seen"
        );
        for id in ["a-plain", "c-flagged"] {
            assert_eq!(after[id].0, before[id].0, "{id}: UID kept");
        }
        // Flags of messages this crate wrote live in its side index only: mutt's read mark on
        // a-plain (`Status: RO`) is not taken over, and our flags survive mutt's rewrite.
        assert_eq!(
            after["c-flagged"].1,
            flags([Flag::Flagged]),
            "our flag kept"
        );
        let acc = store.account("u").await.expect("account");
        for m in acc
            .messages("INBOX", &UidSet::all())
            .await
            .expect("messages")
        {
            let data = acc.read("INBOX", m.uid).await.expect("read");
            assert_eq!(
                mailstore::rfc822_size(&data),
                m.size,
                "size is the CRLF size of the message read"
            );
            let id = id_of(&data).expect("id");
            assert_same_message(&data, &id);
        }
        let names: Vec<String> = acc
            .list()
            .await
            .expect("list")
            .into_iter()
            .map(|m| m.name)
            .collect();
        assert!(
            names.iter().any(|n| n == "Saved"),
            "the mbox mutt created is listed: {names:?}"
        );
        let metas = acc
            .messages("Saved", &UidSet::all())
            .await
            .expect("messages");
        assert_eq!(
            metas.len(),
            1,
            "one message, not split at its From line: {metas:?}"
        );
        let data = acc.read("Saved", metas[0].uid).await.expect("read");
        // mutt's `>From already quoted once` is literal (it does not quote, it relies on
        // Content-Length), and reading mboxrd removes one `>`: the one line this cannot keep.
        let text = String::from_utf8_lossy(&data).replace(
            "\nFrom already quoted once\n",
            "\n>From already quoted once\n",
        );
        assert_same_message(text.as_bytes(), "f-from-maildir");
    });
}

/// mutt copies (`C`) and saves (`s`) messages from one of our mboxes into another of our mboxes,
/// keeping our `From ` line on them; our next open and append (under the locks) keep both
/// copies, byte for byte in their bodies. (This crate once took any unknown message at the end
/// with its own `From ` sender for a torn append of its own and cut it.)
#[test]
fn mutt_copies_between_our_mboxes() {
    require_mutt();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let root = dir.join("mbox");
    let (inbox_before, other_before) = rt.block_on(async {
        let store = MboxStore::new(&root);
        let acc = store.account("u").await.expect("account");
        acc.create("Other", None).await.expect("create");
        for id in ["a-plain", "b-saved", "c-kept"] {
            put(&*acc, "INBOX", id, Flags::new()).await;
        }
        put(&*acc, "Other", "o-other", Flags::new()).await;
        (
            view_of(&store, "INBOX").await,
            view_of(&store, "Other").await,
        )
    });
    let udir = root.join("u");
    let other = udir.join("Other");
    let has = |id: &str| {
        std::fs::read(&other).is_ok_and(|d| {
            String::from_utf8_lossy(&d).contains(&format!("X-Conformance-Id: {id}\n"))
        })
    };
    let mutt = Mutt::start(dir, "mbox", &udir, &udir.join("INBOX"), "");
    mutt.expect_index(&[("a-plain", "N  "), ("b-saved", "N  "), ("c-kept", "N  ")]);
    mutt.jump(1);
    mutt.tmux.keys(&["C"]);
    mutt.answer("Copy to mailbox", "=Other");
    mutt.tmux
        .wait_until("the copy", tmux::STEP, |_| has("a-plain"));
    mutt.jump(2);
    mutt.tmux.keys(&["s"]);
    mutt.answer("Save to mailbox", "=Other");
    mutt.tmux
        .wait_until("the save", tmux::STEP, |_| has("b-saved"));
    // Quitting purges the saved message from INBOX (`delete=yes`).
    mutt.quit();
    let raw = std::fs::read(&other).expect("read Other");
    let ours = raw
        .split(|&b| b == b'\n')
        .filter(|l| l.starts_with(b"From mailstore@localhost "))
        .count();
    assert_eq!(ours, 3, "mutt kept our From line on both copies");

    rt.block_on(async {
        let store = MboxStore::new(&root);
        let after = view_of(&store, "Other").await;
        assert_eq!(
            after.keys().collect::<Vec<_>>(),
            ["a-plain", "b-saved", "o-other"],
            "mutt's copies kept on our next open"
        );
        assert_eq!(after["o-other"].0, other_before["o-other"].0, "UID kept");
        let acc = store.account("u").await.expect("account");
        // Our next append (a writer under the locks) keeps them too.
        put(&*acc, "Other", "d-after", Flags::new()).await;
        let metas = acc
            .messages("Other", &UidSet::all())
            .await
            .expect("messages");
        assert_eq!(metas.len(), 4, "{metas:?}");
        for m in metas {
            let data = acc.read("Other", m.uid).await.expect("read");
            assert_eq!(
                mailstore::rfc822_size(&data),
                m.size,
                "size is the CRLF size of the message read"
            );
            let id = id_of(&data).expect("id");
            assert_same_message(&data, &id);
        }
        let inbox = view_of(&store, "INBOX").await;
        assert_eq!(
            inbox.keys().collect::<Vec<_>>(),
            ["a-plain", "c-kept"],
            "the saved message left INBOX"
        );
        for id in ["a-plain", "c-kept"] {
            assert_eq!(inbox[id].0, inbox_before[id].0, "{id}: UID kept");
        }
    });
}
