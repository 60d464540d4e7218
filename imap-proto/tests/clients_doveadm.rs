//! Dovecot as an IMAP client: `doveadm backup -R` with its `imapc` storage copies alice's
//! account from our server into a local Maildir (dsync, a strict user of FETCH, UID, MODSEQ
//! and flags). Every message is compared byte for byte by UID, every flag and keyword, and the
//! UIDVALIDITY; then changes on the server (an expunge, a flag, a delivery) are synced again.

#[path = "common/clients.rs"]
mod clients;
mod server_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clients::{FIRST, PARTS, THIRD, contents, create, maildir_letters, put, run, simple, to_lf};
use mailstore::{Flag, FlagOp, UidSet};
use server_support::TestServer;

/// A local folder: its UIDVALIDITY, and by UID each message's octets and flags (sorted).
type Local = (u32, BTreeMap<u32, (Vec<u8>, Vec<String>)>);

/// A doveadm set-up of the test's own: its configuration (local Maildir, imapc pointing at
/// our server) in a directory owned by the `dovecot` user (mail is never accessed as root).
struct Doveadm {
    dir: tempfile::TempDir,
}

impl Doveadm {
    fn new(port: u16) -> Doveadm {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path().display();
        std::fs::create_dir(dir.path().join("home")).expect("home");
        std::fs::write(
            dir.path().join("doveadm.conf"),
            format!(
                "mail_location = maildir:{d}/local\n\
                 mail_uid = dovecot\nmail_gid = dovecot\nfirst_valid_uid = 1\n\
                 imapc_host = 127.0.0.1\nimapc_port = {port}\n\
                 imapc_user = alice\nimapc_password = wonderland\n\
                 imapc_features = rfc822.size fetch-headers modseq\n\
                 namespace inbox {{\n  inbox = yes\n  separator = .\n}}\n"
            ),
        )
        .expect("doveadm.conf");
        testkit::dovecot::chown_dovecot(dir.path()).expect("chown to dovecot");
        Doveadm { dir }
    }

    /// `doveadm backup -R imapc:`: makes the local Maildir a copy of the server's account.
    async fn backup(&self) -> String {
        let conf = self.dir.path().join("doveadm.conf").display().to_string();
        let home = self.dir.path().join("home");
        let run = run(
            "doveadm",
            &["-c", &conf, "backup", "-R", "imapc:"],
            &[("HOME", &home), ("USER", Path::new("alice"))],
            Duration::from_secs(90),
        )
        .await;
        run.assert_success("doveadm backup -R");
        run.output
    }

    /// The local Maildir folder of `mailbox` (Dovecot's Maildir++ layout).
    fn folder(&self, mailbox: &str) -> PathBuf {
        let local = self.dir.path().join("local");
        if mailbox == "INBOX" {
            local
        } else {
            local.join(format!(".{mailbox}"))
        }
    }

    /// The keywords of the Maildir root (`dovecot-keywords`: `N name` lines, letter `a` + N).
    fn keywords(&self) -> BTreeMap<char, String> {
        let text = std::fs::read_to_string(self.dir.path().join("local/dovecot-keywords"))
            .unwrap_or_default();
        text.lines()
            .filter_map(|l| l.split_once(' '))
            .filter_map(|(n, name)| {
                let n: u8 = n.parse().ok()?;
                Some((char::from(b'a' + n), name.to_owned()))
            })
            .collect()
    }

    /// `(uidvalidity, uid → (bytes, flags and keywords sorted))` of a local folder, from its
    /// `dovecot-uidlist`.
    fn local(&self, mailbox: &str) -> Local {
        let folder = self.folder(mailbox);
        let uidlist =
            std::fs::read_to_string(folder.join("dovecot-uidlist")).expect("dovecot-uidlist");
        let mut lines = uidlist.lines();
        let header = lines.next().unwrap_or_default();
        let uid_validity = header
            .split(' ')
            .find_map(|f| f.strip_prefix('V'))
            .and_then(|v| v.parse().ok())
            .expect("UIDVALIDITY in the uidlist header");
        let mut files = BTreeMap::new();
        for sub in ["cur", "new"] {
            for entry in std::fs::read_dir(folder.join(sub))
                .into_iter()
                .flatten()
                .flatten()
            {
                let name = entry.file_name().to_string_lossy().into_owned();
                files.insert(name, entry.path());
            }
        }
        let keywords = self.keywords();
        let mut messages = BTreeMap::new();
        for line in lines {
            let Some((uid, rest)) = line.split_once(' ') else {
                continue;
            };
            let Some(base) = rest.rsplit_once(':').map(|(_, b)| b) else {
                continue;
            };
            let uid: u32 = uid.parse().expect("uid");
            let Some((name, path)) = files.iter().find(|(n, _)| n.starts_with(base)) else {
                continue; // listed, but expunged since
            };
            let letters = maildir_letters(name);
            let mut flags: Vec<String> = clients::letters_to_flags(&letters);
            flags.extend(letters.chars().filter_map(|c| keywords.get(&c).cloned()));
            flags.sort();
            messages.insert(uid, (std::fs::read(path).expect("read"), flags));
        }
        (uid_validity, messages)
    }
}

/// Asserts that the local copy of `mailbox` is the server's: same UIDVALIDITY, same UIDs,
/// each message the same octets (Dovecot stores LF line ends) and flags.
async fn assert_same(server: &TestServer, doveadm: &Doveadm, mailbox: &str, log: &str) {
    let (uid_validity, local) = doveadm.local(mailbox);
    assert_eq!(
        uid_validity,
        server.uid_validity("alice", mailbox).await,
        "{mailbox}: UIDVALIDITY\n{log}"
    );
    let far = contents(server, mailbox).await;
    let far_uids: Vec<u32> = far.iter().map(|m| m.0).collect();
    let local_uids: Vec<u32> = local.keys().copied().collect();
    assert_eq!(local_uids, far_uids, "{mailbox}: UIDs\n{log}");
    for (uid, bytes, flags) in far {
        let (local_bytes, local_flags) = &local[&uid];
        assert!(
            *local_bytes == to_lf(&bytes),
            "{mailbox} UID {uid}: the octets differ\n{log}"
        );
        assert_eq!(*local_flags, flags, "{mailbox} UID {uid}: flags\n{log}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doveadm_backup_over_imapc_copies_every_message_and_flag() {
    testkit::peer::require("doveadm");
    let server = TestServer::start(Default::default()).await;
    put(&server, "INBOX", FIRST, &[Flag::Seen]).await;
    put(
        &server,
        "INBOX",
        PARTS,
        &[
            Flag::Flagged,
            Flag::Answered,
            Flag::Keyword("$Label1".into()),
        ],
    )
    .await;
    put(&server, "INBOX", THIRD, &[]).await;
    create(&server, "Work").await;
    put(
        &server,
        "Work",
        &simple("w@example.org", "work item", "work"),
        &[Flag::Draft],
    )
    .await;

    let doveadm = Doveadm::new(server.addr.port());
    let log = doveadm.backup().await;
    assert_eq!(doveadm.local("INBOX").1.len(), 3, "{log}");
    assert_same(&server, &doveadm, "INBOX", &log).await;
    assert_same(&server, &doveadm, "Work", &log).await;

    // Changes on the server: THIRD expunged, FIRST flagged, a new delivery; synced again.
    let account = server.account("alice").await;
    let deleted = [Flag::Deleted].into_iter().collect();
    account
        .store_flags("INBOX", &UidSet::single(3), FlagOp::Add, &deleted, None)
        .await
        .expect("flag deleted");
    assert_eq!(
        account.expunge("INBOX", None).await.expect("expunge"),
        vec![3]
    );
    let flagged = [Flag::Flagged].into_iter().collect();
    account
        .store_flags("INBOX", &UidSet::single(1), FlagOp::Add, &flagged, None)
        .await
        .expect("flag");
    put(
        &server,
        "INBOX",
        &simple("n@example.org", "later", "later"),
        &[],
    )
    .await;

    let log = doveadm.backup().await;
    let local = doveadm.local("INBOX").1;
    assert_eq!(
        local.keys().copied().collect::<Vec<_>>(),
        vec![1, 2, 4],
        "{log}"
    );
    assert_same(&server, &doveadm, "INBOX", &log).await;
    assert_same(&server, &doveadm, "Work", &log).await;
    server.stop().await;
}
