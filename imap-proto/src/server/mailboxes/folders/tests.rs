//! Transcripts of the mailbox-level commands over a Maildir (and an mbox store for the `/`
//! delimiter): each `C:` line is parsed by the crate's command parser and run by
//! [`Mailboxes::run`]; the `S:` lines are what the session's output must hold.

use std::sync::Arc;

use mailstore::maildir::MaildirStore;
use mailstore::mbox::MboxStore;
use mailstore::{MailStore, Quota};

use super::super::{Mailboxes, Progress};
use crate::command::Command;
use crate::server::session::{Request, ServerConfig, ServerSession};

/// A session of user `alice` over a store in a temporary directory.
pub(in super::super) struct Harness {
    pub(in super::super) dir: tempfile::TempDir,
    pub(in super::super) mailboxes: Mailboxes,
    pub(in super::super) session: ServerSession,
}

impl Harness {
    pub(in super::super) async fn maildir() -> Self {
        Self::maildir_with(Quota::default(), ServerConfig::new("imap.test")).await
    }

    pub(in super::super) async fn maildir_with(quota: Quota, config: ServerConfig) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = MaildirStore::new(dir.path().join("mail")).with_quota(quota);
        Self::open(dir, Arc::new(store), config).await
    }

    pub(in super::super) async fn mbox() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = MboxStore::new(dir.path().join("mail"));
        Self::open(dir, Arc::new(store), ServerConfig::new("imap.test")).await
    }

    pub(in super::super) async fn open(
        dir: tempfile::TempDir,
        store: Arc<dyn MailStore>,
        config: ServerConfig,
    ) -> Self {
        let mut mailboxes = Mailboxes::new(store);
        mailboxes.open("alice").await.expect("open account");
        let mut session = ServerSession::new(Arc::new(config));
        session.take_output();
        Harness {
            dir,
            mailboxes,
            session,
        }
    }

    /// Mailbox names and strings as UTF-8 (as after `ENABLE UTF8=ACCEPT`).
    pub(in super::super) fn utf8(&mut self) {
        self.session.encoder().set_utf8(true);
    }

    /// Starts one command line (CRLF added; literals inline): done, or paused by back-pressure.
    pub(in super::super) async fn start(&mut self, line: &str) -> Progress {
        let input: &'static [u8] = Box::leak(format!("{line}\r\n").into_bytes().into_boxed_slice());
        let (command, _) = Command::parse(input).unwrap_or_else(|e| panic!("{line:?}: {e:?}"));
        self.session.begin(command.tag.clone().into_owned());
        self.mailboxes
            .run(
                Request {
                    tag: command.tag.into_owned(),
                    command: command.body,
                },
                &mut self.session,
            )
            .await
    }

    /// Runs one command line to its end and returns what the session wrote.
    pub(in super::super) async fn run(&mut self, line: &str) -> String {
        assert_eq!(self.start(line).await, Progress::Done, "{line}");
        String::from_utf8_lossy(&self.session.take_output()).into_owned()
    }

    /// Runs a transcript: `C: ` lines are sent, the `S: ` lines after each must be its output,
    /// exactly and in order.
    pub(in super::super) async fn transcript(&mut self, script: &str) {
        let mut steps: Vec<(String, String)> = Vec::new();
        for line in script.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if let Some(c) = line.strip_prefix("C: ") {
                steps.push((c.to_string(), String::new()));
            } else if let Some(s) = line.strip_prefix("S: ") {
                let step = steps.last_mut().expect("S: before any C:");
                step.1.push_str(s);
                step.1.push_str("\r\n");
            } else {
                panic!("transcript line without C:/S: {line:?}");
            }
        }
        for (command, expected) in steps {
            let got = self.run(&command).await;
            assert_eq!(got, expected, "after C: {command}");
        }
    }

    /// The account, for setting up and checking through the store directly.
    pub(in super::super) fn account(&self) -> Arc<dyn mailstore::Account> {
        self.mailboxes.account().expect("account").clone()
    }
}

fn message(subject: &str) -> Vec<u8> {
    format!("From: a@example.org\r\nSubject: {subject}\r\n\r\nbody of {subject}\r\n").into_bytes()
}

#[tokio::test]
async fn delimiter_query_and_wildcards_rfc_9051_6_3_9() {
    let mut h = Harness::maildir().await;
    h.transcript(
        r#"
        C: a1 LIST "" ""
        S: * LIST (\Noselect) "." ""
        S: a1 OK LIST completed
        C: A102 LIST #news.comp.mail.misc ""
        S: * LIST (\Noselect) "." #news.
        S: A102 OK LIST completed
        C: a1c LIST nohierarchy ""
        S: * LIST (\Noselect) "." ""
        S: a1c OK LIST completed
        C: a2 CREATE foo.bar
        S: a2 OK CREATE completed
        C: a3 CREATE meetings
        S: a3 OK CREATE completed
        C: a4 LIST "" %
        S: * LIST (\HasNoChildren) "." INBOX
        S: * LIST (\HasChildren) "." foo
        S: * LIST (\HasNoChildren) "." meetings
        S: a4 OK LIST completed
        C: a5 LIST "" *
        S: * LIST (\HasNoChildren) "." INBOX
        S: * LIST (\HasChildren) "." foo
        S: * LIST (\HasNoChildren) "." foo.bar
        S: * LIST (\HasNoChildren) "." meetings
        S: a5 OK LIST completed
        C: a6 LIST foo. %
        S: * LIST (\HasNoChildren) "." foo.bar
        S: a6 OK LIST completed
        C: a7 LIST "" f*
        S: * LIST (\HasChildren) "." foo
        S: * LIST (\HasNoChildren) "." foo.bar
        S: a7 OK LIST completed
        C: a8 LIST "" inbox
        S: * LIST (\HasNoChildren) "." INBOX
        S: a8 OK LIST completed
        C: a9 LIST "" nothing*
        S: a9 OK LIST completed
        "#,
    )
    .await;
}

#[tokio::test]
async fn parent_made_by_another_program_is_noselect() {
    let mut h = Harness::maildir().await;
    // Dovecot and other Maildir++ writers may create `.a.b` without `.a`.
    let folder = h.dir.path().join("mail/alice/.a.b");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(folder.join(sub)).unwrap();
    }
    h.transcript(
        r#"
        C: a1 LIST "" %
        S: * LIST (\HasNoChildren) "." INBOX
        S: * LIST (\Noselect \HasChildren) "." a
        S: a1 OK LIST completed
        C: a2 LIST "" a.%
        S: * LIST (\HasNoChildren) "." a.b
        S: a2 OK LIST completed
        C: a3 LIST "" % RETURN (STATUS (MESSAGES))
        S: * LIST (\HasNoChildren) "." INBOX
        S: * STATUS INBOX (MESSAGES 0)
        S: * LIST (\Noselect \HasChildren) "." a
        S: a3 OK LIST completed
        "#,
    )
    .await;
}

#[tokio::test]
async fn mbox_store_uses_slash() {
    let mut h = Harness::mbox().await;
    h.transcript(
        r#"
        C: a1 LIST "" ""
        S: * LIST (\Noselect) "/" ""
        S: a1 OK LIST completed
        C: A103 LIST /usr/staff/jones ""
        S: * LIST (\Noselect) "/" /
        S: A103 OK LIST completed
        C: a2 CREATE Archive/2026
        S: a2 OK CREATE completed
        C: a3 LIST "" %
        S: * LIST (\HasNoChildren) "/" INBOX
        S: * LIST (\HasChildren) "/" Archive
        S: a3 OK LIST completed
        C: a4 LIST Archive/ %
        S: * LIST (\HasNoChildren) "/" Archive/2026
        S: a4 OK LIST completed
        C: a5 NAMESPACE
        S: * NAMESPACE (("" "/")) NIL NIL
        S: a5 OK NAMESPACE completed
        "#,
    )
    .await;
}

/// RFC 5258 §5, examples adapted: `.` as delimiter, `\HasChildren`/`\HasNoChildren` always.
#[tokio::test]
async fn list_extended_rfc_5258_examples() {
    let mut h = Harness::maildir().await;
    for name in [
        "Fruit.Apple",
        "Fruit.Banana",
        "Tofu",
        "Vegetable.Broccoli",
        "Vegetable.Corn",
    ] {
        let out = h.run(&format!("c CREATE {name}")).await;
        assert!(out.ends_with("c OK CREATE completed\r\n"), "{out}");
    }
    for name in [
        "INBOX",
        "Fruit.Banana",
        "Fruit.Peach",
        "Vegetable",
        "Vegetable.Broccoli",
    ] {
        let out = h.run(&format!("s SUBSCRIBE {name}")).await;
        assert_eq!(out, "s OK SUBSCRIBE completed\r\n");
    }
    h.transcript(
        r#"
        C: A01 LIST "" %
        S: * LIST (\HasNoChildren) "." INBOX
        S: * LIST (\HasChildren) "." Fruit
        S: * LIST (\HasNoChildren) "." Tofu
        S: * LIST (\HasChildren) "." Vegetable
        S: A01 OK LIST completed
        C: A02 LIST (SUBSCRIBED) "" *
        S: * LIST (\HasNoChildren \Subscribed) "." INBOX
        S: * LIST (\HasNoChildren \Subscribed) "." Fruit.Banana
        S: * LIST (\NonExistent \Subscribed) "." Fruit.Peach
        S: * LIST (\HasChildren \Subscribed) "." Vegetable
        S: * LIST (\HasNoChildren \Subscribed) "." Vegetable.Broccoli
        S: A02 OK LIST completed
        C: A03 LIST () "" % RETURN (CHILDREN)
        S: * LIST (\HasNoChildren) "." INBOX
        S: * LIST (\HasChildren) "." Fruit
        S: * LIST (\HasNoChildren) "." Tofu
        S: * LIST (\HasChildren) "." Vegetable
        S: A03 OK LIST completed
        C: A04 LIST "" % RETURN (SUBSCRIBED)
        S: * LIST (\HasNoChildren \Subscribed) "." INBOX
        S: * LIST (\HasChildren) "." Fruit
        S: * LIST (\HasNoChildren) "." Tofu
        S: * LIST (\HasChildren \Subscribed) "." Vegetable
        S: A04 OK LIST completed
        C: A05 LIST (SUBSCRIBED RECURSIVEMATCH) "" % RETURN (CHILDREN)
        S: * LIST (\HasNoChildren \Subscribed) "." INBOX
        S: * LIST (\HasChildren) "." Fruit (CHILDINFO ("SUBSCRIBED"))
        S: * LIST (\HasChildren \Subscribed) "." Vegetable (CHILDINFO ("SUBSCRIBED"))
        S: A05 OK LIST completed
        C: A05b LIST "" Fruit.*
        S: * LIST (\HasNoChildren) "." Fruit.Apple
        S: * LIST (\HasNoChildren) "." Fruit.Banana
        S: A05b OK LIST completed
        C: A05c LSUB "" Fruit.*
        S: * LSUB () "." Fruit.Banana
        S: * LSUB () "." Fruit.Peach
        S: A05c OK LSUB completed
        C: A06 LIST (SUBSCRIBED REMOTE) "" %
        S: * LIST (\HasNoChildren \Subscribed) "." INBOX
        S: * LIST (\HasChildren \Subscribed) "." Vegetable
        S: A06 OK LIST completed
        C: A07 LIST "" (Fruit.% Tofu)
        S: * LIST (\HasNoChildren) "." Fruit.Apple
        S: * LIST (\HasNoChildren) "." Fruit.Banana
        S: * LIST (\HasNoChildren) "." Tofu
        S: A07 OK LIST completed
        C: A08 LIST "" (Tofu T*)
        S: * LIST (\HasNoChildren) "." Tofu
        S: A08 OK LIST completed
        C: A09 LIST (RECURSIVEMATCH) "" %
        S: A09 BAD RECURSIVEMATCH needs another selection option
        "#,
    )
    .await;
}

#[tokio::test]
async fn lsub_marks_unsubscribed_parents_noselect_rfc_3501() {
    let mut h = Harness::maildir().await;
    h.transcript(
        r#"
        C: a1 CREATE news.comp.mail.misc
        S: a1 OK CREATE completed
        C: a2 CREATE news.comp.mail.mime
        S: a2 OK CREATE completed
        C: a3 SUBSCRIBE news.comp.mail.misc
        S: a3 OK SUBSCRIBE completed
        C: a4 LSUB "news." "comp.mail.*"
        S: * LSUB () "." news.comp.mail.misc
        S: a4 OK LSUB completed
        C: a5 LSUB "news." "comp.%"
        S: * LSUB (\Noselect) "." news.comp.mail
        S: a5 OK LSUB completed
        C: a6 UNSUBSCRIBE news.comp.mail.misc
        S: a6 OK UNSUBSCRIBE completed
        C: a7 LSUB "" *
        S: a7 OK LSUB completed
        "#,
    )
    .await;
}

#[tokio::test]
async fn special_use_create_and_list_rfc_6154() {
    let mut h = Harness::maildir().await;
    h.transcript(
        r#"
        C: t1 CREATE MySpecial (USE (\Drafts \Sent))
        S: t1 NO [USEATTR] Only one special-use attribute per mailbox
        C: t2 CREATE Sent (USE (\Sent))
        S: t2 OK CREATE completed
        C: t3 CREATE Papierkorb (USE (\Trash))
        S: t3 OK CREATE completed
        C: t4 CREATE Foo (USE (\Important))
        S: t4 NO [USEATTR] Unsupported special-use attribute
        C: t5 LIST "" %
        S: * LIST (\HasNoChildren) "." INBOX
        S: * LIST (\HasNoChildren \Trash) "." Papierkorb
        S: * LIST (\HasNoChildren \Sent) "." Sent
        S: t5 OK LIST completed
        C: t6 LIST (SPECIAL-USE) "" * RETURN (SPECIAL-USE)
        S: * LIST (\HasNoChildren \Trash) "." Papierkorb
        S: * LIST (\HasNoChildren \Sent) "." Sent
        S: t6 OK LIST completed
        "#,
    )
    .await;
    let names: Vec<String> = h
        .account()
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.name)
        .collect();
    assert!(
        !names.iter().any(|n| n == "MySpecial" || n == "Foo"),
        "{names:?}"
    );
}

#[tokio::test]
async fn list_status_rfc_5819() {
    let mut h = Harness::maildir().await;
    let account = h.account();
    account.create("Lists.IETF", None).await.unwrap();
    for (i, seen) in [false, true, false].into_iter().enumerate() {
        let flags = if seen {
            mailstore::flags([mailstore::Flag::Seen])
        } else {
            mailstore::Flags::new()
        };
        account
            .append(
                "INBOX",
                message(&format!("m{i}")).into(),
                mailstore::AppendOptions {
                    flags,
                    internal_date: None,
                },
            )
            .await
            .unwrap();
    }
    h.transcript(
        r#"
        C: A01 LIST "" % RETURN (STATUS (MESSAGES UNSEEN))
        S: * LIST (\HasNoChildren) "." INBOX
        S: * STATUS INBOX (MESSAGES 3 UNSEEN 2)
        S: * LIST (\HasChildren) "." Lists
        S: * STATUS Lists (MESSAGES 0 UNSEEN 0)
        S: A01 OK LIST completed
        "#,
    )
    .await;
}

#[tokio::test]
async fn status_items() {
    let mut h = Harness::maildir().await;
    let account = h.account();
    let deleted = mailstore::flags([mailstore::Flag::Deleted, mailstore::Flag::Seen]);
    let mut size = 0;
    for (i, flags) in [mailstore::Flags::new(), deleted].into_iter().enumerate() {
        let m = message(&format!("m{i}"));
        size += m.len();
        account
            .append(
                "INBOX",
                m.into(),
                mailstore::AppendOptions {
                    flags,
                    internal_date: None,
                },
            )
            .await
            .unwrap();
    }
    let st = account.status("INBOX").await.unwrap();
    assert!(!h.session.enabled().condstore);
    let out = h
        .run("s1 STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE RECENT HIGHESTMODSEQ APPENDLIMIT)")
        .await;
    assert_eq!(
        out,
        format!(
            "* STATUS INBOX (MESSAGES 2 UIDNEXT 3 UIDVALIDITY {} UNSEEN 1 DELETED 1 SIZE {size} RECENT 0 HIGHESTMODSEQ {} APPENDLIMIT {})\r\ns1 OK STATUS completed\r\n",
            st.uid_validity,
            st.highest_modseq,
            64 * 1024 * 1024
        )
    );
    assert!(st.highest_modseq > 0);
    // RFC 7162 §3.1: STATUS (HIGHESTMODSEQ) enables CONDSTORE.
    assert!(h.session.enabled().condstore);
    h.transcript(
        r#"
        C: s2 STATUS nowhere (MESSAGES)
        S: s2 NO [NONEXISTENT] No such mailbox
        C: s3 STATUS inbox (MESSAGES MESSAGES)
        S: * STATUS INBOX (MESSAGES 2)
        S: s3 OK STATUS completed
        "#,
    )
    .await;
}

#[tokio::test]
async fn create_delete_with_children() {
    let mut h = Harness::maildir().await;
    h.transcript(
        r#"
        C: c1 CREATE owatagusiam.
        S: c1 OK CREATE completed
        C: c2 CREATE owatagusiam.blurdybloop
        S: c2 OK CREATE completed
        C: c3 CREATE owatagusiam
        S: c3 NO [ALREADYEXISTS] Mailbox already exists
        C: c4 CREATE inbox
        S: c4 NO [ALREADYEXISTS] INBOX always exists
        C: c4b SUBSCRIBE owatagusiam.blurdybloop
        S: c4b OK SUBSCRIBE completed
        C: c5 DELETE owatagusiam
        S: c5 NO [HASCHILDREN] Mailbox has children, delete them first
        C: c6 DELETE owatagusiam.blurdybloop
        S: c6 OK DELETE completed
        C: c7 DELETE owatagusiam
        S: c7 OK DELETE completed
        C: c8 DELETE owatagusiam
        S: c8 NO [NONEXISTENT] No such mailbox
        C: c9 DELETE INBOX
        S: c9 NO [CANNOT] INBOX cannot be deleted
        C: c10 LIST "" *
        S: * LIST (\HasNoChildren) "." INBOX
        S: c10 OK LIST completed
        C: c10b LIST (SUBSCRIBED) "" *
        S: * LIST (\NonExistent \Subscribed) "." owatagusiam.blurdybloop
        S: c10b OK LIST completed
        C: c11 CREATE "a..b"
        S: c11 NO [CANNOT] empty hierarchy component
        "#,
    )
    .await;
}

#[tokio::test]
async fn rename_moves_children() {
    let mut h = Harness::maildir().await;
    h.transcript(
        r#"
        C: r1 CREATE foo.bar.zap
        S: r1 OK CREATE completed
        C: r2 SUBSCRIBE foo.bar
        S: r2 OK SUBSCRIBE completed
        C: r3 RENAME foo zowie
        S: r3 OK RENAME completed
        C: r4 LIST "" *
        S: * LIST (\HasNoChildren) "." INBOX
        S: * LIST (\HasChildren) "." zowie
        S: * LIST (\HasChildren) "." zowie.bar
        S: * LIST (\HasNoChildren) "." zowie.bar.zap
        S: r4 OK LIST completed
        C: r5 LIST (SUBSCRIBED) "" *
        S: * LIST (\HasChildren \Subscribed) "." zowie.bar
        S: r5 OK LIST completed
        C: r6 RENAME nowhere x
        S: r6 NO [NONEXISTENT] No such mailbox
        C: r7 RENAME zowie INBOX
        S: r7 NO [ALREADYEXISTS] Mailbox already exists
        "#,
    )
    .await;
}

#[tokio::test]
async fn rename_inbox_moves_its_messages() {
    let mut h = Harness::maildir().await;
    let account = h.account();
    for i in 0..2 {
        account
            .append(
                "INBOX",
                message(&format!("m{i}")).into(),
                Default::default(),
            )
            .await
            .unwrap();
    }
    h.transcript(
        r#"
        C: r1 RENAME INBOX old-mail
        S: r1 OK RENAME completed
        C: r2 STATUS INBOX (MESSAGES)
        S: * STATUS INBOX (MESSAGES 0)
        S: r2 OK STATUS completed
        C: r3 STATUS old-mail (MESSAGES)
        S: * STATUS old-mail (MESSAGES 2)
        S: r3 OK STATUS completed
        "#,
    )
    .await;
}

#[tokio::test]
async fn quota_rfc_9208() {
    let quota = Quota {
        max_bytes: Some(10 * 1024),
        max_messages: Some(5),
    };
    let mut h = Harness::maildir_with(quota, ServerConfig::new("imap.test")).await;
    h.account()
        .append("INBOX", message("one").into(), Default::default())
        .await
        .unwrap();
    h.transcript(
        r#"
        C: q1 GETQUOTAROOT INBOX
        S: * QUOTAROOT INBOX ""
        S: * QUOTA "" (STORAGE 1 10 MESSAGE 1 5)
        S: q1 OK GETQUOTAROOT completed
        C: q2 GETQUOTA ""
        S: * QUOTA "" (STORAGE 1 10 MESSAGE 1 5)
        S: q2 OK GETQUOTA completed
        C: q3 GETQUOTA "other"
        S: q3 NO [NONEXISTENT] No such quota root
        C: q4 SETQUOTA "" (STORAGE 512)
        S: q4 NO [NOPERM] Quotas are set by the administrator
        C: q5 GETQUOTAROOT nowhere
        S: q5 NO [NONEXISTENT] No such mailbox
        "#,
    )
    .await;

    let mut unlimited = Harness::maildir().await;
    unlimited
        .transcript(
            r#"
        C: q1 GETQUOTAROOT INBOX
        S: * QUOTAROOT INBOX
        S: q1 OK GETQUOTAROOT completed
        C: q2 GETQUOTA ""
        S: q2 NO [NONEXISTENT] No such quota root
        "#,
        )
        .await;
}

#[tokio::test]
async fn non_ascii_names_modified_utf7_and_utf8() {
    let mut h = Harness::maildir().await;
    h.transcript(
        r#"
        C: u1 CREATE Entw&APw-rfe
        S: u1 OK CREATE completed
        C: u2 LIST "" Entw*
        S: * LIST (\HasNoChildren) "." Entw&APw-rfe
        S: u2 OK LIST completed
        "#,
    )
    .await;
    // Stored as Dovecot stores it: the Maildir++ folder name in modified UTF-7.
    assert!(h.dir.path().join("mail/alice/.Entw&APw-rfe").is_dir());

    h.utf8();
    h.transcript(
        r#"
        C: u3 CREATE "Bücher.Übersicht"
        S: u3 OK CREATE completed
        C: u4 LIST "" *
        S: * LIST (\HasNoChildren) "." INBOX
        S: * LIST (\HasChildren) "." "Bücher"
        S: * LIST (\HasNoChildren) "." "Bücher.Übersicht"
        S: * LIST (\HasNoChildren) "." "Entwürfe"
        S: u4 OK LIST completed
        C: u5 LIST "Bücher." "%"
        S: * LIST (\HasNoChildren) "." "Bücher.Übersicht"
        S: u5 OK LIST completed
        C: u6 STATUS "Entwürfe" (MESSAGES)
        S: * STATUS "Entwürfe" (MESSAGES 0)
        S: u6 OK STATUS completed
        C: u7 RENAME "Entwürfe" "Brouillons"
        S: u7 OK RENAME completed
        "#,
    )
    .await;
    assert!(
        h.dir
            .path()
            .join("mail/alice/.B&APw-cher.&ANw-bersicht")
            .is_dir()
    );

    // The same folders seen by an IMAP4rev1 client.
    h.session.encoder().set_utf8(false);
    h.transcript(
        r#"
        C: u8 LIST "" B*
        S: * LIST (\HasChildren) "." B&APw-cher
        S: * LIST (\HasNoChildren) "." B&APw-cher.&ANw-bersicht
        S: * LIST (\HasNoChildren) "." Brouillons
        S: u8 OK LIST completed
        "#,
    )
    .await;
}

#[tokio::test]
async fn append_whole_single_and_multi() {
    let mut h = Harness::maildir().await;
    let validity = h.account().status("INBOX").await.unwrap().uid_validity;
    let out = h
        .run(
            "A003 APPEND INBOX (\\Seen) \" 7-Feb-1994 21:52:25 -0800\" {14+}\r\nSubject: x\r\n\r\n",
        )
        .await;
    assert_eq!(
        out,
        format!("A003 OK [APPENDUID {validity} 1] APPEND completed\r\n")
    );
    let out = h
        .run("A004 APPEND INBOX {7+}\r\nFirst\r\n (\\Flagged $Work) {8+}\r\nSecond\r\n")
        .await;
    assert_eq!(
        out,
        format!("A004 OK [APPENDUID {validity} 2:3] APPEND completed\r\n")
    );
    let account = h.account();
    let metas = account
        .messages("INBOX", &mailstore::UidSet::all())
        .await
        .unwrap();
    assert_eq!(metas.len(), 3);
    assert!(metas[0].flags.contains(&mailstore::Flag::Seen));
    let date = metas[0]
        .internal_date
        .duration_since(std::time::SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert_eq!(date, 760_686_745);
    assert!(metas[2].flags.contains(&mailstore::Flag::Flagged));
    assert!(
        metas[2]
            .flags
            .contains(&mailstore::Flag::Keyword("$Work".into()))
    );
    assert_eq!(account.read("INBOX", 3).await.unwrap(), b"Second\r\n");
}

#[tokio::test]
async fn append_refused_trycreate_toobig_overquota() {
    let mut config = ServerConfig::new("imap.test");
    config.append_limit = 20;
    let quota = Quota {
        max_bytes: None,
        max_messages: Some(1),
    };
    let mut h = Harness::maildir_with(quota, config).await;
    let table = [
        (
            "a1 APPEND nowhere {5+}\r\nhello",
            "a1 NO [TRYCREATE] No such mailbox\r\n",
        ),
        (
            "a2 APPEND INBOX {21+}\r\n123456789012345678901",
            "a2 NO [TOOBIG] Message is larger than APPENDLIMIT\r\n",
        ),
        (
            "a3 APPEND INBOX {5+}\r\nhello {5+}\r\nworld",
            "a3 NO [OVERQUOTA] Quota exceeded\r\n",
        ),
    ];
    for (command, expected) in table {
        assert_eq!(h.run(command).await, expected, "{command}");
    }
    assert_eq!(h.account().status("INBOX").await.unwrap().messages, 0);
}

#[tokio::test]
async fn multiappend_failing_late_stores_nothing() {
    let mut h = Harness::maildir().await;
    // The second message is empty: the store refuses it after the first was stored.
    let out = h.run("a1 APPEND INBOX {5+}\r\nhello {0+}\r\n").await;
    assert_eq!(out, "a1 NO [CANNOT] empty message\r\n");
    let st = h.account().status("INBOX").await.unwrap();
    assert_eq!(
        (st.messages, st.uid_next),
        (0, 2),
        "stored and removed again"
    );
}

#[tokio::test]
async fn list_of_many_folders_pauses_when_the_output_is_full() {
    let mut config = ServerConfig::new("imap.test");
    config.max_pending_output = 512;
    let mut h = Harness::maildir_with(Quota::default(), config).await;
    let account = h.account();
    let mut expected =
        String::from("* LIST (\\HasNoChildren) \".\" INBOX\r\n* STATUS INBOX (MESSAGES 0)\r\n");
    for i in 0..80 {
        account.create(&format!("F{i:03}.Sub"), None).await.unwrap();
        expected += &format!(
            "* LIST (\\HasChildren) \".\" F{i:03}\r\n* STATUS F{i:03} (MESSAGES 0)\r\n\
             * LIST (\\HasNoChildren) \".\" F{i:03}.Sub\r\n* STATUS F{i:03}.Sub (MESSAGES 0)\r\n"
        );
    }
    expected += "l1 OK LIST completed\r\n";
    let mut progress = h.start("l1 LIST \"\" * RETURN (STATUS (MESSAGES))").await;
    let (mut out, mut pauses) = (Vec::new(), 0);
    while progress == Progress::Paused {
        pauses += 1;
        let chunk = h.session.take_output();
        // At most the limit and the last LIST line with its STATUS line.
        assert!(chunk.len() <= 512 + 100, "{} octets waited", chunk.len());
        out.extend(chunk);
        progress = h.mailboxes.resume(&mut h.session).await;
    }
    out.extend(h.session.take_output());
    assert!(pauses >= expected.len() / (512 + 100), "{pauses} pauses");
    assert_eq!(String::from_utf8(out).unwrap(), expected);
}
