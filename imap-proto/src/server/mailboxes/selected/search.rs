//! SEARCH (RFC 9051 §6.4.4; RFC 4731 ESEARCH; RFC 5182 SEARCHRES; RFC 7162 §3.1.5 MODSEQ),
//! SORT and THREAD (RFC 5256) over [`crate::server::search`].
//!
//! The messages are visited in chunks of [`CHUNK`]: their metadata comes from the store per
//! chunk, and a message is read only when metadata cannot decide it, and, for keys on the
//! header (and SORT, THREAD), only when the cache holds no header block of it (FETCH keeps one
//! with each message's structure, [`MessageStructure::header`]).

use std::borrow::Cow;
use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use super::super::{Mailboxes, Progress};
use super::fetch::date_time;
use crate::command::{SearchKey, SearchReturnOption, SortCriterion, ThreadAlgorithm};
use crate::response::{Code, Data, Esearch, Response, StatusKind};
use crate::server::mime::MessageStructure;
use crate::server::search::{
    self as s, DEFAULT_BODY_LIMIT, MessageSummary, Needs, SearchContext, SearchError,
    SearchProgram, SortItem,
};
use crate::server::session::ServerSession;
use crate::server::view::{AnnouncePoint, MessageSet};
use crate::token::{AString, IString, Tag};
use mailstore::UidSet;

/// Messages whose metadata is asked of the store at once.
const CHUNK: u32 = 512;
/// Octets of a message read for its header (SORT, THREAD).
const HEADER_LIMIT: u64 = 256 * 1024;

/// One matching message.
#[derive(Debug, Clone, Copy)]
struct Hit {
    seq: u32,
    uid: u32,
    modseq: u64,
    /// INTERNALDATE, seconds since the epoch.
    arrival: i64,
    size: u64,
}

fn seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

/// The `NO [BADCHARSET (UTF-8)]` or `BAD` of a program that does not compile.
fn refuse(session: &mut ServerSession, err: &SearchError) {
    match err {
        SearchError::BadCharset { .. } => {
            let _ = session.complete(
                StatusKind::No,
                Some(Code::BadCharset(vec![
                    AString::from("UTF-8".to_string()),
                    AString::from("US-ASCII".to_string()),
                ])),
                "Unsupported charset",
            );
        }
        _ => {
            let _ = session.complete(StatusKind::Bad, None, &err.to_string());
        }
    }
}

/// The message as far as the keys read it: its first [`HEADER_LIMIT`] octets when only the
/// header is searched, else all of it.
async fn read_for(
    account: &dyn mailstore::Account,
    mailbox: &str,
    uid: u32,
    needs: Needs,
) -> mailstore::Result<Vec<u8>> {
    if needs == Needs::Header {
        account.read_range(mailbox, uid, 0..HEADER_LIMIT).await
    } else {
        account.read(mailbox, uid).await
    }
}

/// The header blocks kept in the cache with the messages' structures
/// ([`MessageStructure::header`], written by FETCH) of those of `uids` that have one: a key
/// on the header is decided on these without reading the message. The cache only saves time:
/// when it fails, every message is read.
async fn kept_headers(
    account: &dyn mailstore::Account,
    mailbox: &str,
    uids: &UidSet,
) -> HashMap<u32, Box<[u8]>> {
    match account.cached(mailbox, uids).await {
        Ok(entries) => entries
            .into_iter()
            .filter_map(|(uid, blob)| {
                Some((uid, MessageStructure::from_bytes(&blob).ok()?.header?))
            })
            .collect(),
        Err(err) => {
            tracing::warn!(mailbox, error = %err, "SEARCH: cache not read");
            HashMap::new()
        }
    }
}

impl Mailboxes {
    /// The messages of the selected mailbox that `program` matches, ascending.
    async fn matching(
        &mut self,
        program: &SearchProgram,
    ) -> Result<Vec<Hit>, mailstore::StoreError> {
        let (Some(account), Some(sel)) = (self.account.clone(), self.selected.as_ref()) else {
            return Ok(Vec::new());
        };
        let view = &sel.view;
        let exists = view.exists();
        let saved: Vec<u32> = view.saved_search().collect();
        let ctx = SearchContext {
            max_seq: exists,
            max_uid: view.uid(exists).unwrap_or(0),
            saved: &saved,
            now: seconds(SystemTime::now()),
            body_limit: DEFAULT_BODY_LIMIT,
        };
        let mut hits = Vec::new();
        let mut first = 1u32;
        while first <= exists {
            let last = first.saturating_add(CHUNK - 1).min(exists);
            let set = MessageSet::from_ranges(vec![(first, last)]);
            let uids = view.uid_set(&set);
            let metas = account.messages(&sel.name, &uids).await?;
            let headers = if program.needs() == Needs::Header {
                kept_headers(&*account, &sel.name, &uids).await
            } else {
                HashMap::new()
            };
            for m in &metas {
                // Messages others expunged meanwhile are not in `metas`; those not yet
                // announced are skipped (they match nothing).
                let Some(seq) = view.seq_of(m.uid) else {
                    continue;
                };
                let seq = seq.get();
                let flags = view.flags(seq).unwrap_or_default();
                let modseq = view.modseq(seq).unwrap_or(m.modseq);
                let meta = s::MessageMeta {
                    seq,
                    uid: m.uid,
                    flags: &flags,
                    recent: false,
                    internal_date: date_time(m.internal_date),
                    size: m.size,
                    mod_seq: modseq,
                };
                let matched = match program.matches_metadata(&meta, &ctx) {
                    Some(b) => b,
                    None => {
                        let raw = match headers.get(&m.uid) {
                            Some(header) => Cow::Borrowed(&header[..]),
                            None => {
                                match read_for(&*account, &sel.name, m.uid, program.needs()).await {
                                    Ok(raw) => Cow::Owned(raw),
                                    Err(mailstore::StoreError::NoSuchMessage { .. }) => continue,
                                    Err(err) => return Err(err),
                                }
                            }
                        };
                        match program.matches(&meta, &ctx, &mut &raw[..]) {
                            Ok(b) => b,
                            Err(never) => match never {},
                        }
                    }
                };
                if matched {
                    hits.push(Hit {
                        seq,
                        uid: m.uid,
                        modseq,
                        arrival: seconds(m.internal_date),
                        size: m.size,
                    });
                }
            }
            first = last + 1;
        }
        Ok(hits)
    }

    /// Compiles the keys, or answers the command and returns `None`.
    fn compile(
        charset: Option<&[u8]>,
        keys: &[SearchKey<'_>],
        session: &mut ServerSession,
    ) -> Option<SearchProgram> {
        match SearchProgram::compile(charset, keys) {
            Ok(p) => {
                if p.has_mod_seq() {
                    session.enable_condstore();
                }
                Some(p)
            }
            Err(err) => {
                refuse(session, &err);
                None
            }
        }
    }

    /// SEARCH / UID SEARCH, with `RETURN` (ESEARCH, SAVE).
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn search(
        &mut self,
        tag: &Tag<'_>,
        uid: bool,
        return_opts: Option<&[SearchReturnOption]>,
        charset: Option<&[u8]>,
        keys: &[SearchKey<'_>],
        point: AnnouncePoint,
        session: &mut ServerSession,
    ) -> Progress {
        let Some(program) = Self::compile(charset, keys, session) else {
            return Progress::Done;
        };
        if program.has_mod_seq()
            && let Some(sel) = self.selected.as_mut()
        {
            sel.view.enable_condstore();
        }
        let hits = match self.matching(&program).await {
            Ok(h) => h,
            Err(err) => {
                return self
                    .finish_store_error(session, point, "SEARCH", &err)
                    .await;
            }
        };
        let nums: Vec<u32> = hits
            .iter()
            .map(|h| if uid { h.uid } else { h.seq })
            .collect();
        let modseq = program
            .has_mod_seq()
            .then(|| hits.iter().map(|h| h.modseq).max())
            .flatten();
        // RFC 9051 §6.4.4, §7.3.4: an IMAP4rev2 client always gets ESEARCH (no RETURN is
        // RETURN (ALL)); an IMAP4rev1 client without RETURN gets SEARCH.
        let return_opts = match return_opts {
            None if session.enabled().imap4rev2 => Some(&[][..]),
            other => other,
        };
        match return_opts {
            None => session.untagged(&Response::Data(Data::Search { nums, modseq })),
            Some(opts) => {
                if opts.contains(&SearchReturnOption::Save)
                    && let Some(sel) = self.selected.as_mut()
                {
                    let uids: Vec<u32> = hits.iter().map(|h| h.uid).collect();
                    sel.view.save_search(s::saved_result(opts, &uids));
                }
                // RFC 5182 §2.4: SAVE alone gives no ESEARCH response.
                if opts != [SearchReturnOption::Save] {
                    let opts: Vec<SearchReturnOption> = opts
                        .iter()
                        .copied()
                        .filter(|o| *o != SearchReturnOption::Save)
                        .collect();
                    session.untagged(&Response::Data(Data::Esearch(Esearch {
                        tag: Some(IString::Quoted(Cow::Owned(
                            tag.as_str().as_bytes().to_vec(),
                        ))),
                        uid,
                        data: s::return_data(&opts, &nums, modseq),
                    })));
                }
            }
        }
        let done = if uid {
            "UID SEARCH completed"
        } else {
            "SEARCH completed"
        };
        self.finish(session, point, done).await
    }

    /// The summaries of `hits` read from their headers (or empty ones when `needs` is
    /// metadata only).
    async fn summaries(
        &self,
        hits: &[Hit],
        needs: Needs,
    ) -> Result<Vec<MessageSummary>, mailstore::StoreError> {
        let (Some(account), Some(sel)) = (self.account.as_ref(), self.selected.as_ref()) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::with_capacity(hits.len());
        if needs == Needs::Metadata {
            out.resize_with(hits.len(), MessageSummary::default);
            return Ok(out);
        }
        for chunk in hits.chunks(CHUNK as usize) {
            let uids: UidSet = chunk.iter().map(|h| h.uid).collect();
            let headers = kept_headers(&**account, &sel.name, &uids).await;
            for h in chunk {
                if let Some(header) = headers.get(&h.uid) {
                    out.push(MessageSummary::from_header(header));
                    continue;
                }
                let raw = match account.read_range(&sel.name, h.uid, 0..HEADER_LIMIT).await {
                    Ok(r) => r,
                    Err(mailstore::StoreError::NoSuchMessage { .. }) => Vec::new(),
                    Err(err) => return Err(err),
                };
                out.push(MessageSummary::from_header(&raw));
            }
        }
        Ok(out)
    }

    /// SORT / UID SORT (RFC 5256 §3).
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn sort(
        &mut self,
        uid: bool,
        criteria: &[SortCriterion],
        charset: &[u8],
        keys: &[SearchKey<'_>],
        point: AnnouncePoint,
        session: &mut ServerSession,
    ) -> Progress {
        let Some(program) = Self::compile(Some(charset), keys, session) else {
            return Progress::Done;
        };
        let hits = match self.matching(&program).await {
            Ok(h) => h,
            Err(err) => return self.finish_store_error(session, point, "SORT", &err).await,
        };
        let summaries = match self.summaries(&hits, s::sort_needs(criteria)).await {
            Ok(s) => s,
            Err(err) => return self.finish_store_error(session, point, "SORT", &err).await,
        };
        let mut items: Vec<SortItem<'_>> = hits
            .iter()
            .zip(&summaries)
            .map(|(h, summary)| SortItem {
                seq: h.seq,
                uid: h.uid,
                arrival: h.arrival,
                size: h.size,
                summary,
            })
            .collect();
        s::sort(criteria, &mut items);
        let nums = items
            .iter()
            .map(|i| if uid { i.uid } else { i.seq })
            .collect();
        let modseq = program
            .has_mod_seq()
            .then(|| hits.iter().map(|h| h.modseq).max())
            .flatten();
        session.untagged(&Response::Data(Data::Sort { nums, modseq }));
        let done = if uid {
            "UID SORT completed"
        } else {
            "SORT completed"
        };
        self.finish(session, point, done).await
    }

    /// THREAD / UID THREAD (RFC 5256 §4).
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn thread(
        &mut self,
        uid: bool,
        algorithm: &ThreadAlgorithm<'_>,
        charset: &[u8],
        keys: &[SearchKey<'_>],
        point: AnnouncePoint,
        session: &mut ServerSession,
    ) -> Progress {
        let Some(program) = Self::compile(Some(charset), keys, session) else {
            return Progress::Done;
        };
        let hits = match self.matching(&program).await {
            Ok(h) => h,
            Err(err) => {
                return self
                    .finish_store_error(session, point, "THREAD", &err)
                    .await;
            }
        };
        let summaries = match self.summaries(&hits, Needs::Header).await {
            Ok(s) => s,
            Err(err) => {
                return self
                    .finish_store_error(session, point, "THREAD", &err)
                    .await;
            }
        };
        let items: Vec<SortItem<'_>> = hits
            .iter()
            .zip(&summaries)
            .map(|(h, summary)| SortItem {
                seq: h.seq,
                uid: h.uid,
                arrival: h.arrival,
                size: h.size,
                summary,
            })
            .collect();
        match s::thread(algorithm, &items, uid) {
            Ok(threads) => session.untagged(&Response::Data(Data::Thread(threads))),
            Err(err) => {
                let _ = session.complete(StatusKind::Bad, None, &err.to_string());
                return Progress::Done;
            }
        }
        let done = if uid {
            "UID THREAD completed"
        } else {
            "THREAD completed"
        };
        self.finish(session, point, done).await
    }
}
