//! APPEND and MULTIAPPEND (RFC 9051 §6.3.12, RFC 3502, RFC 4315 APPENDUID, RFC 7889
//! APPENDLIMIT), streamed into the store: all the messages of one command are stored, or none.
//!
//! # The spool
//! Each announced message is checked first (the mailbox exists, else `[TRYCREATE]`; its size is
//! within APPENDLIMIT, else `[TOOBIG]`; it and the messages before it fit the quota, else
//! `[OVERQUOTA]`), before the client sends a single octet of it. Its octets are then spooled:
//! small messages in memory (at most [`IN_MEMORY`] each, [`MEMORY_BUDGET`] per command), the
//! others one after the other in one unnamed temporary file per command under
//! [`std::env::temp_dir`] (created, then unlinked at once, so it disappears with its handle,
//! whatever happens to the session); at most [`MAX_MESSAGES`] per command. Nothing reaches
//! the store before the command's end ([`Mailboxes::append_end`]): a MULTIAPPEND must store all
//! its messages or none (RFC 3502 §6.3.11), and its syntax is only known complete at its end.
//! A pipe straight into [`Account::append`] would store the first message before the second
//! arrives and would have to undo it on a disconnect; the spool costs one extra write of a
//! large message and never leaves a half-written message in the store.
//!
//! At the end the messages are stored one after the other, each streamed from its spool
//! ([`MessageSource::Reader`]); if storing message *k* fails, the *k − 1* already stored are
//! flagged `\Deleted` and expunged by UID, and the command answers `NO`. A disconnect
//! mid-literal drops [`Mailboxes`] (or calls [`Mailboxes::append_aborted`]): the spool goes and
//! the store never saw a thing.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use mailstore::{Account, AppendOptions, FlagOp, MessageSource, StoreError, UidSet};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use super::Mailboxes;
use super::folders::{Answer, store_name, utf8_names};
use crate::command::AppendMessage as WholeMessage;
use crate::response::Code;
use crate::server::session::{AppendMessage, ServerSession};
use crate::server::view::AnnouncePoint;
use crate::token::{DateTime, Flag, Mailbox, SeqNo, SeqRange, SequenceSet};

/// A message up to this size is spooled in memory.
pub(crate) const IN_MEMORY: u64 = 64 * 1024;
/// At most this many octets of one APPEND command are spooled in memory; the rest in its file.
pub(crate) const MEMORY_BUDGET: u64 = 1024 * 1024;
/// At most this many messages in one MULTIAPPEND (RFC 3502); more are refused with `[LIMIT]`
/// (RFC 5530), as the command's messages are all held until its end.
pub(crate) const MAX_MESSAGES: usize = 1000;

/// Where one message's octets wait.
#[derive(Debug)]
enum Body {
    /// In memory.
    Memory(Vec<u8>),
    /// In the spool's file, from this offset (its length is the message's size).
    File {
        /// Where the message starts in the file.
        offset: u64,
    },
}

/// One message of the command.
#[derive(Debug)]
struct Spooled {
    /// Flags and INTERNALDATE.
    options: AppendOptions,
    /// Its octets.
    body: Body,
    /// The size announced.
    size: u64,
    /// The octets received so far.
    received: u64,
}

/// The messages of an APPEND being received.
#[derive(Debug)]
pub(crate) struct Spool {
    /// The store's name of the target mailbox.
    mailbox: String,
    /// The messages, the last one possibly still being received.
    messages: Vec<Spooled>,
    /// Octets held in memory.
    in_memory: u64,
    /// The unnamed file holding the messages not kept in memory, one after the other (one
    /// descriptor per command, whatever the number of messages).
    file: Option<tokio::fs::File>,
    /// The octets announced for the file so far.
    file_len: u64,
    /// The account's quota use when the command began.
    usage: mailstore::QuotaUsage,
    /// A spooling failure: the command ends with it.
    failed: Option<Answer>,
}

impl Spool {
    fn fail(&mut self, answer: Answer) {
        self.failed.get_or_insert(answer);
    }
}

/// The store's flags of an APPEND's flag list: `\Recent` and unknown `\`-flags are ignored
/// (RFC 9051 §6.3.12 sets only the flags a message can have).
fn append_flags(flags: &[Flag<'_>]) -> mailstore::Flags {
    flags
        .iter()
        .filter_map(|f| match f {
            Flag::Seen => Some(mailstore::Flag::Seen),
            Flag::Answered => Some(mailstore::Flag::Answered),
            Flag::Flagged => Some(mailstore::Flag::Flagged),
            Flag::Deleted => Some(mailstore::Flag::Deleted),
            Flag::Draft => Some(mailstore::Flag::Draft),
            Flag::Keyword(k) => mailstore::Flag::parse(k.as_str()),
            Flag::Recent | Flag::Extension(_) => None,
        })
        .collect()
}

/// The instant of a `date-time`.
fn instant(date_time: &DateTime) -> Option<SystemTime> {
    let secs = date_time.unix_timestamp();
    let offset = Duration::from_secs(secs.unsigned_abs());
    if secs >= 0 {
        SystemTime::UNIX_EPOCH.checked_add(offset)
    } else {
        SystemTime::UNIX_EPOCH.checked_sub(offset)
    }
}

/// An unnamed file for a message's octets: created under the temporary directory (readable by
/// its owner only) and unlinked at once.
async fn unnamed_file() -> std::io::Result<tokio::fs::File> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir();
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!(".imap-append-{}-{n}-{nanos}", std::process::id()));
        let mut options = tokio::fs::OpenOptions::new();
        options.read(true).write(true).create_new(true);
        #[cfg(unix)]
        options.mode(0o600);
        match options.open(&path).await {
            Ok(file) => {
                tokio::fs::remove_file(&path).await?;
                return Ok(file);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// The UIDs as a sequence set, consecutive ones as ranges (RFC 4315 §3 `uid-set`).
fn uid_set(uids: &[u32]) -> SequenceSet {
    let mut sorted: Vec<u32> = uids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut ranges = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j + 1 < sorted.len() && sorted[j + 1] == sorted[j] + 1 {
            j += 1;
        }
        let (Some(a), Some(b)) = (SeqNo::new(sorted[i]), SeqNo::new(sorted[j])) else {
            i = j + 1;
            continue;
        };
        ranges.push(if i == j {
            SeqRange::Single(a)
        } else {
            SeqRange::Range(a, b)
        });
        i = j + 1;
    }
    SequenceSet::Ranges(ranges)
}

impl Mailboxes {
    /// Answers [`Event::AppendMessage`](crate::server::session::Event::AppendMessage): accepts
    /// the literal ([`ServerSession::append_accept`]) or refuses it
    /// ([`ServerSession::append_refuse`]: no such mailbox `[TRYCREATE]`, over APPENDLIMIT
    /// `[TOOBIG]`, over quota `[OVERQUOTA]`).
    pub async fn append_message(&mut self, message: AppendMessage, session: &mut ServerSession) {
        let utf8 = utf8_names(session);
        let admitted = self
            .admit(
                &message.mailbox,
                message.index,
                message.size,
                &message.flags,
                message.date_time.as_ref(),
                utf8,
                session.config().append_limit,
            )
            .await;
        let result = match admitted {
            Ok(()) => session.append_accept(),
            Err(answer) => {
                self.append = None;
                session.append_refuse(answer.code, &answer.text)
            }
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "imap glue answered an APPEND message nobody announced");
        }
    }

    /// Checks one announced message and starts its spool entry (the first message starts the
    /// spool).
    #[allow(clippy::too_many_arguments)]
    async fn admit(
        &mut self,
        mailbox: &Mailbox<'_>,
        index: u32,
        size: u64,
        flags: &[Flag<'_>],
        date_time: Option<&DateTime>,
        utf8: bool,
        append_limit: u64,
    ) -> Result<(), Answer> {
        let Some(account) = self.account().cloned() else {
            return Err(Answer::no(Code::Unavailable, "No mailboxes are open"));
        };
        if index == 0 {
            let name = store_name(mailbox, utf8)?;
            match account.status(&name).await {
                Ok(_) => {}
                Err(StoreError::NoSuchMailbox(_) | StoreError::InvalidName { .. }) => {
                    return Err(Answer::no(Code::TryCreate, "No such mailbox"));
                }
                Err(e) => return Err(Answer::store("APPEND", &e)),
            }
            let usage = account
                .quota()
                .await
                .map_err(|e| Answer::store("APPEND", &e))?;
            self.append = Some(Spool {
                mailbox: name,
                messages: Vec::new(),
                in_memory: 0,
                file: None,
                file_len: 0,
                usage,
                failed: None,
            });
        }
        let Some(spool) = self.append.as_mut() else {
            tracing::warn!(index, "imap APPEND message without its first message");
            return Err(Answer::no(Code::ServerBug, "APPEND out of order"));
        };
        if size > append_limit {
            return Err(Answer::no(
                Code::TooBig,
                "Message is larger than APPENDLIMIT",
            ));
        }
        if spool.messages.len() >= MAX_MESSAGES {
            return Err(Answer::no(Code::Limit, "Too many messages in one APPEND"));
        }
        let usage = spool.usage;
        let pending: u64 = spool.messages.iter().map(|m| m.size).sum::<u64>() + size;
        let count = spool.messages.len() as u64 + 1;
        let over_bytes = usage
            .limit
            .max_bytes
            .is_some_and(|max| usage.bytes.saturating_add(pending) > max);
        let over_count = usage
            .limit
            .max_messages
            .is_some_and(|max| usage.messages.saturating_add(count) > max);
        if over_bytes || over_count {
            return Err(Answer::no(Code::OverQuota, "Quota exceeded"));
        }
        let body = if size <= IN_MEMORY && spool.in_memory + size <= MEMORY_BUDGET {
            spool.in_memory += size;
            Body::Memory(Vec::with_capacity(size as usize))
        } else {
            if spool.file.is_none() {
                let file = unnamed_file().await.map_err(|e| {
                    tracing::warn!(error = %e, "imap APPEND could not create a spool file");
                    Answer::no(Code::Unavailable, "Cannot receive the message now")
                })?;
                spool.file = Some(file);
            }
            let offset = spool.file_len;
            spool.file_len += size;
            Body::File { offset }
        };
        spool.messages.push(Spooled {
            options: AppendOptions {
                flags: append_flags(flags),
                internal_date: date_time.and_then(instant),
            },
            body,
            size,
            received: 0,
        });
        Ok(())
    }

    /// [`Event::AppendData`](crate::server::session::Event::AppendData).
    pub async fn append_data(&mut self, data: &[u8]) {
        let Some(spool) = self.append.as_mut() else {
            return;
        };
        let Some(message) = spool.messages.last_mut() else {
            return;
        };
        let room = message.size.saturating_sub(message.received);
        let data = &data[..data.len().min(usize::try_from(room).unwrap_or(usize::MAX))];
        message.received += data.len() as u64;
        // Messages arrive in order: the file's end is where the last one's octets go.
        let written = match (&mut message.body, spool.file.as_mut()) {
            (Body::Memory(v), _) => {
                v.extend_from_slice(data);
                Ok(())
            }
            (Body::File { .. }, Some(f)) => f.write_all(data).await,
            (Body::File { .. }, None) => Err(std::io::Error::other("no spool file")),
        };
        if let Err(e) = written {
            tracing::warn!(error = %e, "imap APPEND could not spool the message");
            spool.fail(Answer::no(
                Code::Unavailable,
                "Cannot receive the message now",
            ));
        }
    }

    /// [`Event::AppendMessageEnd`](crate::server::session::Event::AppendMessageEnd).
    pub async fn append_message_end(&mut self) {
        let Some(spool) = self.append.as_mut() else {
            return;
        };
        let Some(message) = spool.messages.last_mut() else {
            return;
        };
        if message.received != message.size {
            tracing::warn!(
                announced = message.size,
                received = message.received,
                "imap APPEND literal of the wrong length"
            );
            spool.fail(Answer::no(Code::ServerBug, "Message length mismatch"));
        }
    }

    /// Answers [`Event::AppendEnd`](crate::server::session::Event::AppendEnd): stores the
    /// messages and completes the command (`OK [APPENDUID v uids]`).
    pub async fn append_end(&mut self, session: &mut ServerSession) {
        let answer = match (self.append.take(), self.account().cloned()) {
            (Some(spool), Some(account)) => store_all(&account, spool).await,
            _ => Answer::no(Code::ServerBug, "No APPEND in progress"),
        };
        // APPEND to the selected mailbox: the new messages are announced (EXISTS) here.
        self.complete_with(
            session,
            AnnouncePoint::Command {
                allows_expunge: true,
            },
            answer,
        )
        .await;
    }

    /// [`Event::AppendAborted`](crate::server::session::Event::AppendAborted), or the connection
    /// ended mid-APPEND: discards what was received.
    pub fn append_aborted(&mut self) {
        self.append = None;
    }

    /// An APPEND that the session parsed whole (its literals in memory): the same checks and
    /// the same all-or-none storing as the streamed form.
    pub(super) async fn append_whole(
        &mut self,
        mailbox: &Mailbox<'_>,
        messages: Vec<WholeMessage<'static>>,
        session: &mut ServerSession,
    ) -> Result<Answer, Answer> {
        let utf8 = utf8_names(session);
        let limit = session.config().append_limit;
        for (index, m) in messages.iter().enumerate() {
            let index = u32::try_from(index).unwrap_or(u32::MAX);
            let size = m.message.data.len() as u64;
            if let Err(answer) = self
                .admit(
                    mailbox,
                    index,
                    size,
                    &m.flags,
                    m.date_time.as_ref(),
                    utf8,
                    limit,
                )
                .await
            {
                self.append = None;
                return Err(answer);
            }
            self.append_data(&m.message.data).await;
            self.append_message_end().await;
        }
        match (self.append.take(), self.account().cloned()) {
            (Some(spool), Some(account)) => Ok(store_all(&account, spool).await),
            _ => Err(Answer::no(Code::ServerBug, "No APPEND in progress")),
        }
    }
}

/// Stores the spooled messages in order; on a failure, removes those already stored.
async fn store_all(account: &Arc<dyn Account>, mut spool: Spool) -> Answer {
    if let Some(answer) = spool.failed {
        return answer;
    }
    if let Some(f) = spool.file.as_mut()
        && let Err(e) = f.flush().await
    {
        tracing::warn!(error = %e, "imap APPEND could not spool the message");
        return Answer::no(Code::Unavailable, "Cannot receive the message now");
    }
    let mut uids = Vec::with_capacity(spool.messages.len());
    for message in spool.messages {
        let source = match message.body {
            Body::Memory(v) => MessageSource::Bytes(v.into()),
            Body::File { offset } => match segment(spool.file.as_ref(), offset, message.size).await
            {
                Ok(reader) => MessageSource::Reader(reader),
                Err(e) => {
                    tracing::warn!(error = %e, "imap APPEND could not read its spool file");
                    undo(account, &spool.mailbox, &uids).await;
                    return Answer::no(Code::Unavailable, "Cannot store the message now");
                }
            },
        };
        match account
            .append(&spool.mailbox, source, message.options)
            .await
        {
            Ok(uid) => uids.push(uid),
            Err(e) => {
                undo(account, &spool.mailbox, &uids).await;
                return match e {
                    StoreError::NoSuchMailbox(_) => Answer::no(Code::TryCreate, "No such mailbox"),
                    e => Answer::store("APPEND", &e),
                };
            }
        }
    }
    match account.status(&spool.mailbox).await {
        Ok(status) if !uids.is_empty() => Answer::ok_with(
            Code::AppendUid {
                uid_validity: status.uid_validity,
                uids: uid_set(&uids),
            },
            "APPEND completed",
        ),
        _ => Answer::ok("APPEND completed"),
    }
}

/// `len` octets of the spool file from `offset`, as a reader of its own (a duplicate of the
/// file's descriptor, read to its end before the next one is made).
async fn segment(
    file: Option<&tokio::fs::File>,
    offset: u64,
    len: u64,
) -> std::io::Result<Box<dyn tokio::io::AsyncRead + Send + Unpin>> {
    let file = file.ok_or_else(|| std::io::Error::other("no spool file"))?;
    let mut reader = file.try_clone().await?;
    reader.seek(std::io::SeekFrom::Start(offset)).await?;
    Ok(Box::new(reader.take(len)))
}

/// Removes the messages of a failed MULTIAPPEND that were stored (RFC 3502 §6.3.11: none of
/// them may stay): `\Deleted`, then UID EXPUNGE of exactly those.
async fn undo(account: &Arc<dyn Account>, mailbox: &str, uids: &[u32]) {
    if uids.is_empty() {
        return;
    }
    let set: UidSet = uids.iter().copied().collect();
    let deleted = mailstore::flags([mailstore::Flag::Deleted]);
    let result = async {
        account
            .store_flags(mailbox, &set, FlagOp::Add, &deleted, None)
            .await?;
        account.expunge(mailbox, Some(&set)).await
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(error = %e, ?uids, "imap MULTIAPPEND could not remove the messages it stored");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::mailboxes::folders::tests::Harness;
    use crate::token::Tag;

    const LIMIT: u64 = 64 * 1024 * 1024;

    fn big(len: usize) -> Vec<u8> {
        let mut m = b"Subject: big\r\n\r\n".to_vec();
        while m.len() < len {
            m.extend_from_slice(
                b"0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrs\r\n",
            );
        }
        m.truncate(len - 2);
        m.extend_from_slice(b"\r\n");
        m
    }

    /// Announces one message and streams it in `chunk`-sized pieces.
    async fn stream(h: &mut Harness, index: u32, message: &[u8], chunk: usize) {
        h.mailboxes
            .admit(
                &Mailbox::Inbox,
                index,
                message.len() as u64,
                &[Flag::Seen],
                None,
                false,
                LIMIT,
            )
            .await
            .expect("admitted");
        for piece in message.chunks(chunk) {
            h.mailboxes.append_data(piece).await;
        }
        h.mailboxes.append_message_end().await;
    }

    fn spooled_in_files(h: &Harness) -> Vec<bool> {
        let spool = h.mailboxes.append.as_ref().expect("spool");
        spool
            .messages
            .iter()
            .map(|m| matches!(m.body, Body::File { .. }))
            .collect()
    }

    #[tokio::test]
    async fn streamed_multiappend_small_in_memory_large_in_a_file() {
        let mut h = Harness::maildir().await;
        let validity = h.account().status("INBOX").await.unwrap().uid_validity;
        let small = b"Subject: small\r\n\r\nhi\r\n".to_vec();
        let large = big(IN_MEMORY as usize * 3 + 17);
        h.session.begin(Tag::new("A1").unwrap());
        stream(&mut h, 0, &small, 5).await;
        stream(&mut h, 1, &large, 4096).await;
        assert_eq!(spooled_in_files(&h), [false, true]);
        // Nothing is in the store before the command's end.
        assert_eq!(h.account().status("INBOX").await.unwrap().messages, 0);
        h.mailboxes.append_end(&mut h.session).await;
        assert_eq!(
            String::from_utf8(h.session.take_output()).unwrap(),
            format!("A1 OK [APPENDUID {validity} 1:2] APPEND completed\r\n")
        );
        let account = h.account();
        assert_eq!(account.read("INBOX", 1).await.unwrap(), small);
        assert_eq!(account.read("INBOX", 2).await.unwrap(), large);
        let metas = account.messages("INBOX", &UidSet::all()).await.unwrap();
        assert!(
            metas
                .iter()
                .all(|m| m.flags.contains(&mailstore::Flag::Seen))
        );
        assert!(h.mailboxes.append.is_none());
    }

    #[tokio::test]
    async fn memory_budget_sends_later_messages_to_files() {
        let mut h = Harness::maildir().await;
        let n = (MEMORY_BUDGET / IN_MEMORY) as u32 + 3;
        // Each message different, the file-spooled ones of different sizes.
        let messages: Vec<Vec<u8>> = (0..n)
            .map(|i| {
                let mut m = big(IN_MEMORY as usize - 100 + i as usize * 7);
                m.splice(0..0, format!("X-Index: {i}\r\n").into_bytes());
                m.truncate(IN_MEMORY as usize - 100 + i as usize * 7);
                m
            })
            .collect();
        h.session.begin(Tag::new("A1").unwrap());
        for (i, m) in messages.iter().enumerate() {
            stream(&mut h, i as u32, m, 65536).await;
        }
        let files = spooled_in_files(&h);
        let in_memory = files.iter().filter(|f| !**f).count() as u64;
        let in_memory_octets: usize = (0..files.len())
            .filter(|&i| !files[i])
            .map(|i| messages[i].len())
            .sum();
        assert!(in_memory >= 14 && in_memory_octets as u64 <= MEMORY_BUDGET);
        assert!(files.iter().filter(|f| **f).count() >= 3);
        h.mailboxes.append_end(&mut h.session).await;
        let out = String::from_utf8(h.session.take_output()).unwrap();
        assert!(
            out.starts_with("A1 OK [APPENDUID ") && out.contains(&format!(" 1:{n}]")),
            "{out}"
        );
        let account = h.account();
        for (uid, m) in (1..).zip(&messages) {
            assert_eq!(&account.read("INBOX", uid).await.unwrap(), m, "UID {uid}");
        }
    }

    #[tokio::test]
    async fn multiappend_of_too_many_messages_is_refused() {
        let mut h = Harness::maildir().await;
        for i in 0..MAX_MESSAGES as u32 {
            stream(&mut h, i, b"x\r\n", 10).await;
        }
        let refused = h
            .mailboxes
            .admit(
                &Mailbox::Inbox,
                MAX_MESSAGES as u32,
                3,
                &[],
                None,
                false,
                LIMIT,
            )
            .await
            .unwrap_err();
        assert_eq!(refused.code, Some(Code::Limit));
    }

    #[tokio::test]
    async fn one_spool_file_without_a_name() {
        let mut h = Harness::maildir().await;
        let m = big(IN_MEMORY as usize + 1);
        stream(&mut h, 0, &m, 1000).await;
        stream(&mut h, 1, &m, 1000).await;
        assert_eq!(spooled_in_files(&h), [true, true]);
        let spool = h.mailboxes.append.as_mut().unwrap();
        let f = spool.file.as_mut().expect("one file for both");
        // (tokio hands writes to a thread: the file has them all once flushed.)
        f.flush().await.unwrap();
        use std::os::unix::fs::MetadataExt;
        let meta = f.metadata().await.unwrap();
        assert_eq!((meta.nlink(), meta.len()), (0, 2 * m.len() as u64));
    }

    #[tokio::test]
    async fn aborted_or_dropped_mid_literal_leaves_nothing() {
        let mut h = Harness::maildir().await;
        let m = big(IN_MEMORY as usize * 2);
        // The command turns out malformed after its first message.
        stream(&mut h, 0, &m, 8192).await;
        h.mailboxes.append_aborted();
        assert!(h.mailboxes.append.is_none());

        // The connection drops halfway through a literal.
        h.mailboxes
            .admit(&Mailbox::Inbox, 0, m.len() as u64, &[], None, false, LIMIT)
            .await
            .unwrap();
        h.mailboxes.append_data(&m[..m.len() / 2]).await;
        let account = h.account();
        drop(h.mailboxes);
        let st = account.status("INBOX").await.unwrap();
        assert_eq!((st.messages, st.uid_next), (0, 1));
        let maildir = h.dir.path().join("mail/alice");
        for sub in ["new", "cur", "tmp"] {
            let entries = std::fs::read_dir(maildir.join(sub)).unwrap().count();
            assert_eq!(entries, 0, "{sub}/ of the INBOX Maildir");
        }
    }

    #[tokio::test]
    async fn refusals_before_the_literal() {
        let quota = mailstore::Quota {
            max_bytes: Some(1000),
            max_messages: None,
        };
        let mut h =
            Harness::maildir_with(quota, crate::server::session::ServerConfig::new("t")).await;
        let admit = |mailbox: Mailbox<'static>, index: u32, size: u64, limit: u64| {
            (mailbox, index, size, limit)
        };
        let cases = [
            (
                admit(Mailbox::from("nowhere"), 0, 10, LIMIT),
                Code::TryCreate,
            ),
            (admit(Mailbox::Inbox, 0, 101, 100), Code::TooBig),
            (admit(Mailbox::Inbox, 0, 1001, LIMIT), Code::OverQuota),
        ];
        for ((mailbox, index, size, limit), code) in cases {
            let refused = h
                .mailboxes
                .admit(&mailbox, index, size, &[], None, false, limit)
                .await
                .unwrap_err();
            assert_eq!(
                (refused.kind, refused.code),
                (crate::response::StatusKind::No, Some(code))
            );
        }
        // Two messages that fit the quota one by one, not together.
        h.mailboxes
            .admit(&Mailbox::Inbox, 0, 600, &[], None, false, LIMIT)
            .await
            .unwrap();
        let refused = h
            .mailboxes
            .admit(&Mailbox::Inbox, 1, 600, &[], None, false, LIMIT)
            .await
            .unwrap_err();
        assert_eq!(refused.code, Some(Code::OverQuota));
    }

    #[test]
    fn uid_sets_of_appenduid() {
        let table: [(&[u32], &str); 4] = [
            (&[7], "7"),
            (&[1, 2, 3], "1:3"),
            (&[5, 1, 2, 9, 10, 4], "1:2,4:5,9:10"),
            (&[3, 3], "3"),
        ];
        for (uids, expected) in table {
            let mut e = crate::Encoder::server();
            uid_set(uids).encode(&mut e);
            assert_eq!(String::from_utf8(e.take()).unwrap(), expected);
        }
    }

    #[test]
    fn append_flags_and_dates() {
        let flags = [
            Flag::Seen,
            Flag::Recent,
            Flag::Keyword(crate::token::Atom::new("$Junk").unwrap()),
            Flag::Extension(crate::token::Atom::new("Foo").unwrap()),
        ];
        assert_eq!(
            append_flags(&flags),
            mailstore::flags([
                mailstore::Flag::Seen,
                mailstore::Flag::Keyword("$Junk".into())
            ])
        );
        let mut c = crate::Cursor::new(b"\"01-Jan-1960 00:00:00 +0000\"");
        let before_epoch = DateTime::parse(&mut c).unwrap();
        assert_eq!(
            instant(&before_epoch),
            SystemTime::UNIX_EPOCH.checked_sub(Duration::from_secs(315_619_200))
        );
    }
}
