//! The conformance suite: written once against [`MailStore`]/[`Account`] and run against every
//! backend (the crate's own tests run it on Maildir and mbox; a third-party backend runs it the
//! same way). Each check panics with a message saying which rule was broken.
//!
//! ```ignore
//! #[tokio::test(flavor = "multi_thread")]
//! async fn conformance() {
//!     let dir = tempfile::tempdir().unwrap();
//!     let store = std::sync::Arc::new(MyStore::new(dir.path()));
//!     mailstore::conformance::run_all(store).await;
//! }
//! ```
//! Checks that need more than one store value ([`persistence`], [`change_feed_across_instances`],
//! [`cached_across_instances`])
//! or a configured quota
//! ([`quota`]) are separate, as are the helpers for the multi-process test
//! ([`deliver_tagged`], [`assert_each_once`]).

use std::sync::Arc;

mod cache;
mod concurrency;
mod mailboxes;
mod messages;

pub use cache::{cached_across_instances, cached_data};
pub use concurrency::{
    assert_each_once, change_feed, change_feed_across_instances, concurrent_tasks, deliver_tagged,
    persistence, quota, session_lock,
};
pub use mailboxes::{mailboxes, names_refused};
pub use messages::{append_and_read, copy_and_move, expunge_rules, flags_and_modseq, rfc822_sizes};

use crate::{Account, AppendOptions, Flag, MailStore, Quota, flags};

/// The quota [`quota`] expects the store to give user `conf-quota`.
pub const QUOTA: Quota = Quota {
    max_bytes: Some(10_000),
    max_messages: Some(5),
};

/// A test message whose `X-Conformance-Id` header is `id`, with a body of `lines` lines
/// including mbox traps (`From ` and `>From ` at line starts).
pub fn message(id: &str, lines: usize) -> Vec<u8> {
    let mut m = format!(
        "From: a@example.org\nTo: b@example.org\nSubject: test {id}\nMessage-ID: <{id}@conformance>\nX-Conformance-Id: {id}\n\n"
    )
    .into_bytes();
    for i in 0..lines {
        match i % 5 {
            1 => m.extend_from_slice(b"From here on, a line an mbox must quote\n"),
            3 => m.extend_from_slice(b">From already quoted once\n"),
            _ => m.extend_from_slice(format!("line {i} of {id}\n").as_bytes()),
        }
    }
    m
}

/// The `X-Conformance-Id` of a message.
pub fn id_of(msg: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(msg);
    text.lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix("X-Conformance-Id: "))
        .map(|s| s.trim().to_string())
}

/// Checks a reported [`MessageMeta::size`](crate::MessageMeta::size) against the message's
/// bytes: its size with CRLF line ends ([`rfc822_size`](crate::rfc822_size)).
pub(crate) fn assert_size(reported: u64, message: &[u8], what: &str) {
    let crlf = crate::rfc822_size(message);
    assert_eq!(
        reported, crlf,
        "{what}: size {reported}, want {crlf} (with CRLF line ends)"
    );
}

pub(crate) fn opts(f: &[Flag]) -> AppendOptions {
    AppendOptions {
        flags: flags(f.iter().cloned()),
        internal_date: None,
    }
}

pub(crate) async fn append(acc: &dyn Account, mbox: &str, msg: Vec<u8>, f: &[Flag]) -> u32 {
    acc.append(mbox, msg.into(), opts(f))
        .await
        .unwrap_or_else(|e| panic!("append to {mbox}: {e}"))
}

/// Runs every check that needs only one store value.
pub async fn run_all(store: Arc<dyn MailStore>) {
    mailboxes(store.as_ref()).await;
    names_refused(store.as_ref()).await;
    append_and_read(store.as_ref()).await;
    flags_and_modseq(store.as_ref()).await;
    expunge_rules(store.as_ref()).await;
    copy_and_move(store.as_ref()).await;
    rfc822_sizes(store.as_ref()).await;
    cached_data(store.as_ref()).await;
    change_feed(store.as_ref()).await;
    concurrent_tasks(store.clone()).await;
}
