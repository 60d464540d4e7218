//! C:/S: transcripts of the selected state over a real Maildir (and one mbox) in a temporary
//! directory: commands are given as parsed `Request`s, the answers are the session's output.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use bytes::Bytes;
use mailstore::maildir::MaildirStore;
use mailstore::mbox::MboxStore;
use mailstore::{
    Account, AppendOptions, ByteStream, ChangeSet, CopyOutcome, FlagOp, Flags, MailStore,
    MailboxInfo, MailboxStatus, MessageMeta, MessageSource, QuotaUsage, SpecialUse, StoreOutcome,
    UidSet,
};

use super::super::{Mailboxes, Progress};
use crate::command::Command;
use crate::server::session::{Enabled, Request, ServerConfig, ServerSession, State};

/// 14-Nov-2023 22:13:20 +0000.
const DATE: u64 = 1_700_000_000;

const M1: &[u8] = b"From: Alice <alice@example.org>\r\n\
To: Bob <bob@example.org>\r\n\
Subject: Hello\r\n\
Date: Mon, 7 Feb 1994 21:52:25 -0800\r\n\
Message-ID: <1@example.org>\r\n\
\r\n\
Hi Bob.\r\n";

const M2: &[u8] = b"From: Carol <carol@example.org>\r\n\
To: Bob <bob@example.org>\r\n\
Subject: Lunch\r\n\
Date: Tue, 8 Feb 1994 12:00:00 +0000\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b\"\r\n\
\r\n\
--b\r\n\
Content-Type: text/plain; charset=us-ascii\r\n\
\r\n\
Noon at the fish place?\r\n\
--b\r\n\
Content-Type: application/octet-stream\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
AAECAw==\r\n\
--b--\r\n";

/// Stored with bare LFs: served as CRLF.
const M3: &[u8] = b"From: Dave <dave@example.org>\n\
Subject: Re: Lunch\n\
\n\
Fish it is.\n";

/// A session and its glue.
struct Client {
    mb: Mailboxes,
    s: ServerSession,
}

/// A parsed command, its input leaked so that it lives as long as the request.
fn request(line: &str) -> Request {
    let bytes: &'static [u8] = Box::leak(format!("{line}\r\n").into_bytes().into_boxed_slice());
    let (cmd, _) = Command::parse(bytes).expect("the test's command parses");
    Request {
        tag: cmd.tag,
        command: cmd.body,
    }
}

impl Client {
    async fn new(store: Arc<dyn MailStore>, config: ServerConfig) -> Client {
        let mut mb = Mailboxes::new(store);
        mb.open("alice").await.expect("account opens");
        let mut s = ServerSession::new_preauth(Arc::new(config), "alice");
        s.take_output();
        Client { mb, s }
    }

    /// Runs one command to its end, writing whenever it pauses; the output and the pauses.
    async fn run_counting(&mut self, line: &str) -> (String, usize) {
        let req = request(line);
        self.s.begin(req.tag.clone());
        let mut out = Vec::new();
        let mut pauses = 0;
        let mut p = self.mb.run(req, &mut self.s).await;
        out.extend(self.s.take_output());
        while p == Progress::Paused {
            pauses += 1;
            assert!(pauses < 100_000, "a paused command never ends");
            p = self.mb.resume(&mut self.s).await;
            out.extend(self.s.take_output());
        }
        (String::from_utf8_lossy(&out).into_owned(), pauses)
    }

    async fn run(&mut self, line: &str) -> String {
        self.run_counting(line).await.0
    }

    fn enable(&mut self, enabled: Enabled) {
        self.s.set_enabled(enabled);
    }
}

/// A Maildir store in a temporary directory with `messages` in INBOX (INTERNALDATE [`DATE`]).
async fn maildir(messages: &[&[u8]]) -> (tempfile::TempDir, Arc<MaildirStore>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(MaildirStore::new(dir.path()));
    let account = store.account("alice").await.expect("account");
    for m in messages {
        append(&*account, "INBOX", m).await;
    }
    (dir, store)
}

async fn append(account: &dyn Account, mailbox: &str, m: &[u8]) -> u32 {
    let options = AppendOptions {
        flags: Flags::new(),
        internal_date: Some(UNIX_EPOCH + Duration::from_secs(DATE)),
    };
    account
        .append(mailbox, MessageSource::from(m.to_vec()), options)
        .await
        .expect("append")
}

async fn client(store: &Arc<MaildirStore>) -> Client {
    Client::new(store.clone(), ServerConfig::new("test")).await
}

async fn status(store: &Arc<MaildirStore>, mailbox: &str) -> MailboxStatus {
    let account = store.account("alice").await.expect("account");
    account.status(mailbox).await.expect("status")
}

mod changes;
mod condstore;
mod headers;
mod search;
mod session;
mod stream;
mod wire;

/// A driver's futures hold `&Mailboxes` across awaits on a multi-threaded runtime.
#[test]
fn mailboxes_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Mailboxes>();
}
