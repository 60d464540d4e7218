//! FETCH and UID FETCH (RFC 9051 §6.4.5, §7.5.2; RFC 3516 BINARY; RFC 7162 MODSEQ,
//! CHANGEDSINCE, VANISHED).
//!
//! # How a FETCH runs
//! The messages are taken in chunks of [`CHUNK`]. Per chunk, the glue asks the store only for
//! what the items need: metadata ([`mailstore::Account::messages`]) for INTERNALDATE,
//! RFC822.SIZE and whole-message literals; MIME structures from the cache
//! ([`mailstore::Account::cached`]), parsing only the messages without one and putting those
//! back ([`mailstore::Account::put_cached`]) in one call; `\Seen` in one `store_flags` for the
//! non-PEEK body items. FLAGS, UID and MODSEQ come from the view and never touch the store.
//! The structure keeps the message's header block ([`MessageStructure::header`], up to
//! [`crate::server::mime::HEADER_KEPT`] octets): `BODY[HEADER]`, `HEADER.FIELDS (.NOT)` and
//! `RFC822.HEADER` are answered from it, so a FETCH of those (with or without ENVELOPE,
//! BODYSTRUCTURE and metadata items) reads no message at all.
//!
//! Each message's response is written with its small items first and its body literals
//! last. A literal of a message over [`STREAM_THRESHOLD`] octets is streamed from
//! [`mailstore::Account::read_stream`] in its CRLF form (bare LFs get their CR on the fly):
//! whenever the session's output is over its limit the FETCH stops with
//! [`Progress::Paused`], keeping its place in a [`FetchJob`], and goes on at
//! [`Mailboxes::resume`]. Smaller messages are read whole. So memory does not grow with the
//! mailbox or with a message.
//!
//! A message another session expunged (its EXPUNGE not yet sent, RFC 9051 §7.5.1) is answered
//! from the view when only FLAGS, UID and MODSEQ are asked; otherwise it is left out and the
//! FETCH ends `NO [EXPUNGEISSUED]` (RFC 5530).

mod respond;
mod stream;

use std::collections::{HashMap, VecDeque};
use std::num::NonZeroU32;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use futures::StreamExt;
use mailstore::{ByteStream, MessageMeta, UidSet};

use super::super::{Mailboxes, Progress};
use super::Job;
use crate::command::{FetchAttr, FetchItems, FetchModifiers};
use crate::encode::Encoder;
use crate::response::{Code, MsgAtt, StatusKind};
use crate::section::{Partial, Section, SectionText};
use crate::server::mime::{FieldFilter, MessageStructure, crlf_view};
use crate::server::session::ServerSession;
use crate::server::view::{AnnouncePoint, MessageSet};
use crate::token::{Date, DateTime, Flag, SequenceSet};

/// Messages prepared at once (metadata, structures, `\Seen`).
const CHUNK: usize = 128;
/// Messages larger than this are streamed rather than read whole.
pub(crate) const STREAM_THRESHOLD: u64 = 64 * 1024;

/// INTERNALDATE in UTC from the store's time (RFC 9051 §2.3.3).
pub(crate) fn date_time(t: SystemTime) -> DateTime {
    let secs = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    };
    let days = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)).clamp(1, 9999) as u16;
    let date = Date::new(year, month, day).unwrap_or_else(|_| {
        Date::new(1970, 1, 1).unwrap_or_else(|_| unreachable!("1-Jan-1970 is a date"))
    });
    DateTime {
        date,
        hour: (rest / 3600) as u8,
        minute: (rest / 60 % 60) as u8,
        second: (rest % 60) as u8,
        offset_minutes: 0,
    }
}

/// What the items of a FETCH need of the store.
#[derive(Debug, Clone, Copy, Default)]
struct Needs {
    /// INTERNALDATE, RFC822.SIZE, or a whole-message literal.
    meta: bool,
    /// The MIME structure.
    structure: bool,
    /// Something else than FLAGS, UID and MODSEQ (which the view answers).
    store: bool,
    /// A non-PEEK body item: `\Seen` is set (RFC 9051 §6.4.5).
    sets_seen: bool,
    /// Of the structure, only the top-level header block: every item is a metadata item or a
    /// header section of the message (not of a part): see
    /// [`MessageStructure::header_from_bytes`].
    header_only: bool,
}

fn needs_of(items: &[FetchAttr<'_>]) -> Needs {
    use FetchAttr as A;
    let mut n = Needs::default();
    for item in items {
        match item {
            A::Flags | A::Uid | A::ModSeq => {}
            A::InternalDate | A::Rfc822Size => n.meta = true,
            A::Envelope | A::Body | A::BodyStructure | A::Rfc822Header => n.structure = true,
            A::Rfc822 => {
                n.meta = true;
                n.sets_seen = true;
            }
            A::Rfc822Text => {
                n.structure = true;
                n.sets_seen = true;
            }
            A::BodySection { peek, section, .. } => {
                n.meta = true;
                if !section.part.is_empty() || section.text.is_some() {
                    n.structure = true;
                }
                n.sets_seen |= !peek;
            }
            A::Binary { peek, section, .. } => {
                n.meta = true;
                n.structure |= !section.part.is_empty();
                n.sets_seen |= !peek;
            }
            A::BinarySize { section } => {
                n.meta = true;
                n.structure |= !section.part.is_empty();
            }
        }
        if !matches!(item, A::Flags | A::Uid | A::ModSeq) {
            n.store = true;
        }
    }
    n.header_only = n.structure
        && items.iter().all(|item| match item {
            A::Flags | A::Uid | A::ModSeq | A::InternalDate | A::Rfc822Size | A::Rfc822Header => {
                true
            }
            A::BodySection { section, .. } => {
                section.part.is_empty()
                    && matches!(
                        section.text,
                        Some(
                            SectionText::Header
                                | SectionText::HeaderFields(_)
                                | SectionText::HeaderFieldsNot(_)
                        )
                    )
            }
            _ => false,
        });
    n
}

/// One message of the chunk being answered.
#[derive(Debug)]
struct Prepared {
    seq: u32,
    uid: u32,
    meta: Option<MessageMeta>,
    structure: Option<MessageStructure>,
    /// `\Seen` was set by this FETCH: FLAGS goes into the response.
    seen_set: bool,
}

/// A literal being streamed from the store: octets `start..end` of the message's CRLF form.
struct Streaming {
    /// In a mutex only to make `Mailboxes` `Sync` (a driver's futures hold `&Mailboxes` across
    /// awaits; a store stream is only `Send`); only ever reached through `get_mut`.
    stream: std::sync::Mutex<ByteStream>,
    /// Octets of the CRLF form read so far.
    pos: u64,
    start: u64,
    end: u64,
    /// The last octet read was a CR.
    last_cr: bool,
    /// Octets of the range read from the store but not yet written (a store chunk may be
    /// larger than the room in the output).
    buf: Vec<u8>,
    /// How much of `buf` is written.
    buf_pos: usize,
    /// The store's stream ended (or failed) before `end`.
    ended: bool,
}

/// A body literal of the message being answered, written after its other items.
#[derive(Debug, Clone)]
struct LiteralItem {
    /// `BODY[1]<0> ` and the like, ready to write.
    label: Vec<u8>,
    /// Octets of the CRLF form.
    start: u64,
    end: u64,
}

/// A FETCH in progress ([`Job::Fetch`]).
pub(crate) struct FetchJob {
    uid: bool,
    items: Vec<FetchAttr<'static>>,
    needs: Needs,
    changed_since: Option<u64>,
    point: AnnouncePoint,
    /// The messages still to answer, ascending ranges of message numbers; `next` is the next
    /// number of `ranges[0]`.
    ranges: VecDeque<(u32, u32)>,
    /// Messages of the loaded chunk.
    queue: VecDeque<Prepared>,
    /// The message whose response is open: its literals still to write.
    literals: VecDeque<LiteralItem>,
    /// Its UID, for the store stream.
    open_uid: Option<u32>,
    stream: Option<Streaming>,
    expunge_issued: bool,
    unknown_cte: bool,
    read_failed: bool,
}

impl std::fmt::Debug for FetchJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FetchJob")
            .field("uid", &self.uid)
            .field("items", &self.items.len())
            .field("ranges", &self.ranges)
            .field("queue", &self.queue.len())
            .field("streaming", &self.stream.is_some())
            .finish_non_exhaustive()
    }
}

impl Mailboxes {
    /// FETCH / UID FETCH: checks the command, then runs it as a [`FetchJob`].
    pub(super) async fn fetch(
        &mut self,
        uid: bool,
        set: &SequenceSet,
        items: &FetchItems<'_>,
        modifiers: FetchModifiers,
        point: AnnouncePoint,
        session: &mut ServerSession,
    ) -> Progress {
        if modifiers.vanished && (!uid || modifiers.changed_since.is_none()) {
            // RFC 7162 §3.2.6: VANISHED only with UID FETCH and CHANGEDSINCE.
            let _ = session.complete(
                StatusKind::Bad,
                None,
                "VANISHED needs UID FETCH CHANGEDSINCE",
            );
            return Progress::Done;
        }
        if modifiers.vanished && !session.enabled().qresync {
            let _ = session.complete(StatusKind::Bad, None, "ENABLE QRESYNC first");
            return Progress::Done;
        }
        let Some(messages) = self.resolve(set, uid, session) else {
            return Progress::Done;
        };
        let mut list: Vec<FetchAttr<'static>> = items
            .expand()
            .into_iter()
            .map(FetchAttr::into_owned)
            .collect();
        if uid && !list.contains(&FetchAttr::Uid) {
            // RFC 9051 §6.4.9: UID FETCH answers with the UID.
            list.insert(0, FetchAttr::Uid);
        }
        let condstore = modifiers.changed_since.is_some() || list.contains(&FetchAttr::ModSeq);
        if modifiers.changed_since.is_some() && !list.contains(&FetchAttr::ModSeq) {
            // RFC 7162 §3.1.4.1: CHANGEDSINCE implies MODSEQ.
            list.push(FetchAttr::ModSeq);
        }
        if condstore {
            session.enable_condstore();
        }
        let (Some(account), Some(sel)) = (self.account.clone(), self.selected.as_mut()) else {
            return Progress::Done;
        };
        if condstore {
            sel.view.enable_condstore();
        }
        if let (true, Some(since)) = (modifiers.vanished, modifiers.changed_since) {
            match account.changes_since(&sel.name, since).await {
                Ok(c) => {
                    for r in sel.view.vanished_earlier(Some(set), &c.expunged) {
                        session.untagged(&r);
                    }
                }
                Err(err) => return self.finish_store_error(session, point, "FETCH", &err).await,
            }
        }
        let mut needs = needs_of(&list);
        if sel.read_only {
            needs.sets_seen = false;
        }
        let job = FetchJob {
            uid,
            items: list,
            needs,
            changed_since: modifiers.changed_since,
            point,
            ranges: ranges_of(&messages),
            queue: VecDeque::new(),
            literals: VecDeque::new(),
            open_uid: None,
            stream: None,
            expunge_issued: false,
            unknown_cte: false,
            read_failed: false,
        };
        self.run_fetch(Box::new(job), session).await
    }

    /// Runs (or resumes) a FETCH until it is done or the output is full.
    pub(super) async fn run_fetch(
        &mut self,
        mut job: Box<FetchJob>,
        session: &mut ServerSession,
    ) -> Progress {
        loop {
            if job.stream.is_some() {
                if self.pump(&mut job, session).await == Progress::Paused {
                    self.job = Some(Job::Fetch(job));
                    return Progress::Paused;
                }
                continue;
            }
            if let Some(lit) = job.literals.pop_front() {
                self.start_literal(&mut job, lit, session).await;
                continue;
            }
            if job.open_uid.take().is_some() {
                session.encoder().raw(b")\r\n");
            }
            if session.should_flush() {
                self.job = Some(Job::Fetch(job));
                return Progress::Paused;
            }
            if job.queue.is_empty() {
                if job.ranges.is_empty() {
                    break;
                }
                if let Err(err) = self.load_chunk(&mut job).await {
                    return self
                        .finish_store_error(session, job.point, "FETCH", &err)
                        .await;
                }
                continue;
            }
            if let Some(p) = job.queue.pop_front() {
                self.write_message(&mut job, p, session).await;
            }
        }
        let point = job.point;
        if job.unknown_cte {
            return self
                .finish_with(
                    session,
                    point,
                    StatusKind::No,
                    Some(Code::UnknownCte),
                    "Unknown Content-Transfer-Encoding",
                )
                .await;
        }
        if job.expunge_issued || job.read_failed {
            return self
                .finish_with(
                    session,
                    point,
                    StatusKind::No,
                    Some(Code::ExpungeIssued),
                    "Some messages were expunged",
                )
                .await;
        }
        let done = if job.uid {
            "UID FETCH completed"
        } else {
            "FETCH completed"
        };
        self.finish(session, point, done).await
    }

    /// Loads the next chunk: metadata, structures (from the cache, parsing the rest once),
    /// and sets `\Seen` where the items ask for it.
    async fn load_chunk(&mut self, job: &mut FetchJob) -> Result<(), mailstore::StoreError> {
        let (Some(account), Some(sel)) = (self.account.clone(), self.selected.as_mut()) else {
            job.ranges.clear();
            return Ok(());
        };
        let view = &mut sel.view;
        // The next CHUNK message numbers (filtered by CHANGEDSINCE).
        let mut chunk: Vec<(u32, u32)> = Vec::with_capacity(CHUNK);
        while chunk.len() < CHUNK {
            let Some((a, b)) = job.ranges.front_mut() else {
                break;
            };
            let seq = *a;
            if *a >= *b {
                job.ranges.pop_front();
            } else {
                *a += 1;
            }
            if let Some(since) = job.changed_since
                && view.modseq(seq).is_none_or(|m| m <= since)
            {
                continue;
            }
            if let Some(uid) = view.uid(seq) {
                chunk.push((seq, uid));
            }
        }
        if chunk.is_empty() {
            return Ok(());
        }
        // One UID range per run of message numbers.
        let uids = view.uid_set(&MessageSet::from_ranges(
            chunk.iter().map(|&(seq, _)| (seq, seq)).collect(),
        ));
        let mut seen_set: Vec<u32> = Vec::new();
        if job.needs.sets_seen {
            let unseen: UidSet = chunk
                .iter()
                .filter(|&&(seq, _)| !view.is_seen(seq) && !view.is_expunged(seq))
                .map(|&(_, u)| u)
                .collect();
            if !unseen.is_empty() {
                let seen = mailstore::flags([mailstore::Flag::Seen]);
                let outcome = account
                    .store_flags(&sel.name, &unseen, mailstore::FlagOp::Add, &seen, None)
                    .await?;
                seen_set = outcome.updated.iter().map(|u| u.uid).collect();
                // The FETCH itself carries the new flags (and MODSEQ): no other response.
                let reply = crate::server::view::StoreReply {
                    uid: job.uid,
                    silent: true,
                };
                let _ = view.store_result(&outcome, reply);
            }
        }
        let mut metas: HashMap<u32, MessageMeta> = HashMap::new();
        if job.needs.meta || job.needs.structure {
            for m in account.messages(&sel.name, &uids).await? {
                metas.insert(m.uid, m);
            }
        }
        let mut structures: HashMap<u32, MessageStructure> = HashMap::new();
        if job.needs.structure {
            for (uid, blob) in account.cached(&sel.name, &uids).await? {
                let lean = match job.needs.header_only {
                    true => MessageStructure::header_from_bytes(&blob).ok().flatten(),
                    false => None,
                };
                if let Some(s) = lean.or_else(|| MessageStructure::from_bytes(&blob).ok()) {
                    structures.insert(uid, s);
                }
            }
            let mut fresh: Vec<(u32, Bytes)> = Vec::new();
            for &(_, uid) in &chunk {
                if structures.contains_key(&uid) || !metas.contains_key(&uid) {
                    continue;
                }
                let raw = match account.read(&sel.name, uid).await {
                    Ok(r) => r,
                    Err(mailstore::StoreError::NoSuchMessage { .. }) => continue,
                    Err(err) => return Err(err),
                };
                match MessageStructure::parse(&raw) {
                    Ok(s) => {
                        fresh.push((uid, Bytes::from(s.to_bytes())));
                        structures.insert(uid, s);
                    }
                    Err(err) => tracing::warn!(uid, error = %err, "FETCH: message not parsed"),
                }
            }
            if !fresh.is_empty()
                && let Err(err) = account.put_cached(&sel.name, fresh).await
            {
                // The cache only saves time.
                tracing::warn!(mailbox = %sel.name, error = %err, "put_cached failed");
            }
        }
        for (seq, uid) in chunk {
            job.queue.push_back(Prepared {
                seq,
                uid,
                meta: metas.remove(&uid),
                structure: structures.remove(&uid),
                seen_set: seen_set.contains(&uid),
            });
        }
        Ok(())
    }
}

/// The ranges of a message set, ascending.
fn ranges_of(set: &MessageSet) -> VecDeque<(u32, u32)> {
    set.ranges().iter().copied().collect()
}
