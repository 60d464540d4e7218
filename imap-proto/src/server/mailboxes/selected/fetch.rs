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
    /// In a mutex only so that the job is `Sync` (the stream is `Send` only); never locked,
    /// reached through `get_mut`.
    stream: std::sync::Mutex<ByteStream>,
    /// Octets of the CRLF form read so far.
    pos: u64,
    start: u64,
    end: u64,
    /// The last octet read was a CR.
    last_cr: bool,
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

/// The label of a body item as it is answered (RFC 9051 §7.5.2): `BODY[section]<origin> `.
fn body_label(section: &Section<'_>, partial: Option<Partial>) -> Vec<u8> {
    let mut e = Encoder::server();
    e.raw(b"BODY");
    section.encode(&mut e);
    if let Some(p) = partial {
        e.byte(b'<').number(p.offset).byte(b'>');
    }
    e.sp();
    e.take()
}

/// `start..end` narrowed by `<offset.length>`.
fn narrow(start: u64, end: u64, partial: Option<Partial>) -> (u64, u64) {
    match partial {
        None => (start, end),
        Some(p) => {
            let s = start.saturating_add(p.offset).min(end);
            let e = match p.length {
                Some(l) => s.saturating_add(l.get()).min(end),
                None => end,
            };
            (s, e)
        }
    }
}

/// Appends `chunk` (raw octets) in CRLF form to `out`; `last_cr` carries over chunks.
fn crlf_chunk(chunk: &[u8], last_cr: &mut bool, out: &mut Vec<u8>) {
    let mut from = 0;
    for i in memchr::memchr_iter(b'\n', chunk) {
        let cr_before = if i == 0 { *last_cr } else { chunk[i - 1] == b'\r' };
        if !cr_before {
            out.extend_from_slice(&chunk[from..i]);
            out.extend_from_slice(b"\r\n");
            from = i + 1;
        }
    }
    out.extend_from_slice(&chunk[from..]);
    if let Some(&b) = chunk.last() {
        *last_cr = b == b'\r';
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
            let _ = session.complete(StatusKind::Bad, None, "VANISHED needs UID FETCH CHANGEDSINCE");
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
        let uids: UidSet = chunk.iter().map(|&(_, u)| u).collect();
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
                if let Ok(s) = MessageStructure::from_bytes(&blob) {
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

    /// Writes one message's response up to its literals, which are queued in `job`.
    async fn write_message(&mut self, job: &mut FetchJob, p: Prepared, session: &mut ServerSession) {
        let (Some(account), Some(sel)) = (self.account.clone(), self.selected.as_ref()) else {
            return;
        };
        let view = &sel.view;
        let Some(seq) = NonZeroU32::new(p.seq) else {
            return;
        };
        let gone = view.is_expunged(p.seq)
            || (job.needs.meta && p.meta.is_none())
            || (job.needs.structure && p.structure.is_none());
        if gone && job.needs.store {
            job.expunge_issued = true;
            return;
        }
        // The message itself, when an item needs it in memory (or it is small).
        let size = p.meta.as_ref().map_or(0, |m| m.size);
        let wants_raw = job.items.iter().any(|i| match i {
            FetchAttr::Binary { .. } => true,
            FetchAttr::BinarySize { section } => !section.part.is_empty(),
            FetchAttr::BodySection { section, .. } => matches!(
                section.text,
                Some(SectionText::HeaderFields(_) | SectionText::HeaderFieldsNot(_))
            ),
            _ => false,
        }) || (size <= STREAM_THRESHOLD && needs_literal(&job.items));
        let raw: Option<Vec<u8>> = if wants_raw && !gone {
            match account.read(&sel.name, p.uid).await {
                Ok(r) => Some(crlf_view(&r).into_owned()),
                Err(err) => {
                    tracing::warn!(uid = p.uid, error = %err, "FETCH: message not read");
                    job.read_failed = true;
                    return;
                }
            }
        } else {
            None
        };

        let e = session.encoder();
        e.raw(b"* ").number(u64::from(seq.get())).raw(b" FETCH (");
        let mut first = true;
        let mut item = |e: &mut Encoder, a: MsgAtt<'_>| {
            if !first {
                e.sp();
            }
            first = false;
            a.encode(e);
        };
        let mut literals: Vec<LiteralItem> = Vec::new();
        let mut memory: Vec<(Vec<u8>, Vec<u8>, bool)> = Vec::new();
        let mut flags_sent = false;
        for a in &job.items {
            match a {
                FetchAttr::Flags => {
                    flags_sent = true;
                    let flags: Vec<Flag<'static>> = view
                        .flags(p.seq)
                        .unwrap_or_default()
                        .into_iter()
                        .map(Flag::into_owned)
                        .collect();
                    item(e, MsgAtt::Flags(flags));
                }
                FetchAttr::Uid => {
                    if let Some(u) = NonZeroU32::new(p.uid) {
                        item(e, MsgAtt::Uid(u));
                    }
                }
                FetchAttr::ModSeq => item(e, MsgAtt::ModSeq(view.modseq(p.seq).unwrap_or(0))),
                FetchAttr::InternalDate => {
                    if let Some(m) = &p.meta {
                        item(e, MsgAtt::InternalDate(date_time(m.internal_date)));
                    }
                }
                FetchAttr::Rfc822Size => {
                    if let Some(m) = &p.meta {
                        item(e, MsgAtt::Rfc822Size(m.size));
                    }
                }
                FetchAttr::Envelope => {
                    if let Some(s) = &p.structure {
                        item(e, MsgAtt::Envelope(Box::new(s.envelope())));
                    }
                }
                FetchAttr::Body => {
                    if let Some(s) = &p.structure {
                        item(e, MsgAtt::Body(Box::new(s.body_structure(false))));
                    }
                }
                FetchAttr::BodyStructure => {
                    if let Some(s) = &p.structure {
                        item(e, MsgAtt::BodyStructure(Box::new(s.body_structure(true))));
                    }
                }
                FetchAttr::Rfc822 => {
                    literals.push(LiteralItem {
                        label: b"RFC822 ".to_vec(),
                        start: 0,
                        end: size,
                    });
                }
                FetchAttr::Rfc822Header | FetchAttr::Rfc822Text => {
                    let text = if *a == FetchAttr::Rfc822Header {
                        SectionText::Header
                    } else {
                        SectionText::Text
                    };
                    let section = Section {
                        part: Vec::new(),
                        text: Some(text),
                    };
                    let (start, end) = p
                        .structure
                        .as_ref()
                        .and_then(|s| s.section_range(&section))
                        .map_or((0, 0), |r| (u64::from(r.start), u64::from(r.end)));
                    let label: &[u8] = if *a == FetchAttr::Rfc822Header {
                        b"RFC822.HEADER "
                    } else {
                        b"RFC822.TEXT "
                    };
                    literals.push(LiteralItem {
                        label: label.to_vec(),
                        start,
                        end,
                    });
                }
                FetchAttr::BodySection {
                    section, partial, ..
                } => {
                    let label = body_label(section, *partial);
                    let range = if section.part.is_empty() && section.text.is_none() {
                        Some((0, size, FieldFilter::All))
                    } else {
                        p.structure
                            .as_ref()
                            .and_then(|s| s.section_range(section))
                            .map(|r| (u64::from(r.start), u64::from(r.end), r.filter))
                    };
                    match range {
                        Some((start, end, FieldFilter::All)) => {
                            let (start, end) = narrow(start, end, *partial);
                            literals.push(LiteralItem { label, start, end });
                        }
                        Some((start, end, filter)) => {
                            let r = crate::server::mime::SectionRange {
                                start: start as u32,
                                end: end as u32,
                                filter,
                            };
                            let data = raw
                                .as_deref()
                                .map(|m| r.extract(m, section).into_owned())
                                .unwrap_or_default();
                            let (s, t) = narrow(0, data.len() as u64, *partial);
                            memory.push((label, data[s as usize..t as usize].to_vec(), false));
                        }
                        None => literals.push(LiteralItem {
                            label,
                            start: 0,
                            end: 0,
                        }),
                    }
                }
                FetchAttr::Binary {
                    section, partial, ..
                } => {
                    let mut label_e = Encoder::server();
                    label_e.raw(b"BINARY");
                    section.encode(&mut label_e);
                    if let Some(p) = partial {
                        label_e.byte(b'<').number(p.offset).byte(b'>');
                    }
                    label_e.sp();
                    let label = label_e.take();
                    match decoded(&p, raw.as_deref(), &section.part) {
                        Ok(data) => {
                            let (s, t) = narrow(0, data.len() as u64, *partial);
                            let bytes = data[s as usize..t as usize].to_vec();
                            let binary = memchr::memchr(0, &bytes).is_some();
                            memory.push((label, bytes, binary));
                        }
                        Err(Cte::Unknown) => job.unknown_cte = true,
                        Err(Cte::NoPart) => memory.push((label, Vec::new(), false)),
                    }
                }
                FetchAttr::BinarySize { section } => match decoded(&p, raw.as_deref(), &section.part)
                {
                    Ok(data) => item(
                        e,
                        MsgAtt::BinarySize {
                            section: section.clone(),
                            size: if section.part.is_empty() {
                                size
                            } else {
                                data.len() as u64
                            },
                        },
                    ),
                    Err(Cte::Unknown) => job.unknown_cte = true,
                    Err(Cte::NoPart) => item(
                        e,
                        MsgAtt::BinarySize {
                            section: section.clone(),
                            size: 0,
                        },
                    ),
                },
            }
        }
        if p.seen_set && !flags_sent {
            // RFC 9051 §6.4.5: the implicit \Seen is reported.
            let flags: Vec<Flag<'static>> = view
                .flags(p.seq)
                .unwrap_or_default()
                .into_iter()
                .map(Flag::into_owned)
                .collect();
            item(e, MsgAtt::Flags(flags));
        }
        for (label, data, binary) in memory {
            if !first {
                e.sp();
            }
            first = false;
            e.raw(&label);
            e.literal(&data, binary);
        }
        for lit in literals {
            if let Some(r) = raw.as_deref() {
                // The message is in memory: write the literal now.
                if !first {
                    e.sp();
                }
                first = false;
                e.raw(&lit.label);
                let bytes = r.get(lit.start as usize..lit.end as usize).unwrap_or_default();
                e.literal_header(lit.end - lit.start, false);
                e.raw(bytes);
                // A message shorter than its metadata says: keep the literal's length.
                pad(e, (lit.end - lit.start).saturating_sub(bytes.len() as u64));
            } else {
                let mut lit = lit;
                if !first {
                    lit.label.insert(0, b' ');
                }
                first = false;
                job.literals.push_back(lit);
            }
        }
        job.open_uid = Some(p.uid);
    }

    /// Writes a literal's header and opens its stream (or writes it at once when empty).
    async fn start_literal(
        &mut self,
        job: &mut FetchJob,
        lit: LiteralItem,
        session: &mut ServerSession,
    ) {
        let e = session.encoder();
        e.raw(&lit.label);
        e.literal_header(lit.end - lit.start, false);
        if lit.end == lit.start {
            return;
        }
        let (Some(account), Some(sel), Some(uid)) =
            (self.account.clone(), self.selected.as_ref(), job.open_uid)
        else {
            pad(session.encoder(), lit.end - lit.start);
            return;
        };
        match account.read_stream(&sel.name, uid).await {
            Ok(stream) => {
                job.stream = Some(Streaming {
                    stream: std::sync::Mutex::new(stream),
                    pos: 0,
                    start: lit.start,
                    end: lit.end,
                    last_cr: false,
                });
            }
            Err(err) => {
                tracing::warn!(uid, error = %err, "FETCH: message not read");
                job.read_failed = true;
                pad(session.encoder(), lit.end - lit.start);
            }
        }
    }

    /// Copies the stream's octets into the output until the literal is complete
    /// ([`Progress::Done`]) or the output is full ([`Progress::Paused`]).
    async fn pump(&mut self, job: &mut FetchJob, session: &mut ServerSession) -> Progress {
        let Some(st) = job.stream.as_mut() else {
            return Progress::Done;
        };
        let mut buf = Vec::new();
        while st.pos < st.end {
            if session.should_flush() {
                return Progress::Paused;
            }
            let stream = st
                .stream
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match stream.next().await {
                Some(Ok(chunk)) => {
                    buf.clear();
                    crlf_chunk(&chunk, &mut st.last_cr, &mut buf);
                    let len = buf.len() as u64;
                    let from = st.start.clamp(st.pos, st.pos + len) - st.pos;
                    let to = st.end.clamp(st.pos, st.pos + len) - st.pos;
                    session.encoder().raw(&buf[from as usize..to as usize]);
                    st.pos += len;
                }
                Some(Err(err)) => {
                    tracing::warn!(error = %err, "FETCH: reading the message failed");
                    job.read_failed = true;
                    let missing = st.end - st.pos.max(st.start);
                    pad(session.encoder(), missing);
                    st.pos = st.end;
                }
                None => {
                    // Shorter than its size: the literal keeps its announced length.
                    let missing = st.end - st.pos.max(st.start);
                    pad(session.encoder(), missing);
                    st.pos = st.end;
                }
            }
        }
        job.stream = None;
        Progress::Done
    }
}

/// Whether an item is a body literal.
fn needs_literal(items: &[FetchAttr<'_>]) -> bool {
    items.iter().any(|i| {
        matches!(
            i,
            FetchAttr::Rfc822
                | FetchAttr::Rfc822Header
                | FetchAttr::Rfc822Text
                | FetchAttr::BodySection { .. }
        )
    })
}

/// Fills a literal whose source ended early (the message changed under us, an I/O error):
/// the protocol stays in step; the FETCH ends `NO`.
fn pad(e: &mut Encoder, n: u64) {
    const SPACES: [u8; 1024] = [b' '; 1024];
    let mut left = n;
    while left > 0 {
        let k = left.min(SPACES.len() as u64) as usize;
        e.raw(&SPACES[..k]);
        left -= k as u64;
    }
}

/// Why BINARY has nothing to give.
enum Cte {
    Unknown,
    NoPart,
}

/// `BINARY[part]`'s content (RFC 3516 §4.2).
fn decoded<'m>(
    p: &Prepared,
    raw: Option<&'m [u8]>,
    part: &[NonZeroU32],
) -> Result<std::borrow::Cow<'m, [u8]>, Cte> {
    let raw = raw.ok_or(Cte::NoPart)?;
    if part.is_empty() {
        return Ok(std::borrow::Cow::Borrowed(raw));
    }
    let s = p.structure.as_ref().ok_or(Cte::NoPart)?;
    s.binary(part, raw).map_err(|e| match e {
        crate::server::mime::BinaryError::UnknownCte => Cte::Unknown,
        _ => Cte::NoPart,
    })
}

/// The ranges of a message set, ascending.
fn ranges_of(set: &MessageSet) -> VecDeque<(u32, u32)> {
    set.ranges().iter().copied().collect()
}
