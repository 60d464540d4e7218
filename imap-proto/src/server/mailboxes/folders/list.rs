//! LIST (RFC 9051 §6.3.9) with LIST-EXTENDED (RFC 5258), SPECIAL-USE (RFC 6154), CHILDREN
//! (RFC 3348) and LIST-STATUS (RFC 5819); LSUB (RFC 3501 §6.3.9).
//!
//! The reference and each pattern are joined (`reference + pattern`, as most servers do; RFC
//! 9051 leaves the rest to the implementation) and matched, in Unicode, against every name the
//! store lists: `*` matches anything, `%` anything but the hierarchy delimiter, and the `INBOX`
//! at the start of a name matches in any case. A name is listed once even when several
//! patterns (LIST-EXTENDED) match it.
//!
//! Attributes: `\Noselect` for a parent that exists only in its children's names,
//! `\HasChildren`/`\HasNoChildren` always (RFC 3348; RFC 9051 §7.3.1), the special use
//! (RFC 6154) always, `\Subscribed` with the SUBSCRIBED return or selection option (RFC 5258
//! §3.1). With RECURSIVEMATCH, a name that matches the pattern and has a descendant that
//! meets the selection but not the pattern is listed with `CHILDINFO` (RFC 5258 §3.5); LSUB
//! lists such a name as `\Noselect` (RFC 3501 §6.3.9).
//!
//! With the SUBSCRIBED selection option (and LSUB), subscribed names that name no mailbox are
//! listed too, `\NonExistent` (RFC 5258 §3.1; as `()` by LSUB).

use std::collections::HashSet;
use std::sync::Arc;

use mailstore::{Account, MailboxInfo, SpecialUse};

use super::super::{Mailboxes, Progress, names};
use super::{Answer, status};
use crate::command::{ListReturnOption, ListSelectOption};
use crate::response::{Data, ListExtendedItem, ListItem, MailboxAttribute, Response};
use crate::server::session::ServerSession;
use crate::server::view::AnnouncePoint;
use crate::status::StatusItem;
use crate::token::{IString, ListMailbox, Mailbox};
use crate::utf7;

/// A LIST or LSUB command, its options resolved (RFC 5258 §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in super::super) struct ListRequest {
    /// LSUB rather than LIST.
    lsub: bool,
    /// Selection `SUBSCRIBED` (or LSUB): subscribed names only.
    subscribed_only: bool,
    /// Selection `SPECIAL-USE` (RFC 6154 §5.1): names with a special use only.
    special_use_only: bool,
    /// Selection `RECURSIVEMATCH`: parents of selected names that the pattern misses.
    recursive: bool,
    /// Return `SUBSCRIBED` (implied by the selection option).
    return_subscribed: bool,
    /// Return `STATUS (items)` (RFC 5819).
    return_status: Option<Vec<StatusItem>>,
    /// The reference name.
    reference: Mailbox<'static>,
    /// The patterns (one, or several with LIST-EXTENDED).
    patterns: Vec<ListMailbox<'static>>,
}

impl ListRequest {
    /// A LIST command's request; `BAD` for RECURSIVEMATCH without another selection option
    /// (RFC 5258 §3.1).
    pub(in super::super) fn list(
        selection: Vec<ListSelectOption>,
        reference: Mailbox<'static>,
        patterns: Vec<ListMailbox<'static>>,
        return_opts: Vec<ListReturnOption>,
    ) -> Result<Self, Answer> {
        let has = |o: ListSelectOption| selection.contains(&o);
        let recursive = has(ListSelectOption::RecursiveMatch);
        let subscribed_only = has(ListSelectOption::Subscribed);
        let special_use_only = has(ListSelectOption::SpecialUse);
        if recursive && !subscribed_only && !special_use_only {
            return Err(Answer::bad("RECURSIVEMATCH needs another selection option"));
        }
        let mut return_status = None;
        let mut return_subscribed = subscribed_only;
        for option in return_opts {
            match option {
                ListReturnOption::Subscribed => return_subscribed = true,
                ListReturnOption::Status(items) => {
                    return_status.get_or_insert_with(Vec::new).extend(items)
                }
                // Both are always returned.
                ListReturnOption::Children | ListReturnOption::SpecialUse => {}
            }
        }
        Ok(ListRequest {
            lsub: false,
            subscribed_only,
            special_use_only,
            recursive,
            return_subscribed,
            return_status,
            reference,
            patterns,
        })
    }

    /// An LSUB command's request (RFC 3501 §6.3.9).
    pub(in super::super) fn lsub(
        reference: Mailbox<'static>,
        pattern: ListMailbox<'static>,
    ) -> Self {
        ListRequest {
            lsub: true,
            subscribed_only: true,
            special_use_only: false,
            recursive: true,
            return_subscribed: false,
            return_status: None,
            reference,
            patterns: vec![pattern],
        }
    }

    /// Whether `info` meets the selection options.
    fn selects(&self, info: &MailboxInfo) -> bool {
        (!self.subscribed_only || info.subscribed)
            && (!self.special_use_only || info.special_use.is_some())
    }
}

/// Wire octets as Unicode: UTF-8 when `utf8`, else modified UTF-7 (a raw `&` or 8-bit octets
/// from a client that assumed UTF-8 are taken as UTF-8, see [`crate::quirks`]).
fn decode(bytes: &[u8], utf8: bool) -> String {
    if !utf8 && let Some(s) = utf7::decode(bytes) {
        return s.into_owned();
    }
    String::from_utf8_lossy(bytes).into_owned()
}

/// Whether `name` matches `pattern` (RFC 9051 §6.3.9): `*` matches zero or more characters,
/// `%` the same without `sep`. The characters of a leading `INBOX` component of `name` match in
/// any case (INBOX is case-insensitive, RFC 9051 §5.1).
pub(super) fn matches(pattern: &[char], name: &[char], sep: char) -> bool {
    let inbox_len = {
        let head: String = name.iter().take(5).collect();
        if head == "INBOX" && (name.len() == 5 || name[5] == sep) {
            5
        } else {
            0
        }
    };
    let same = |p: char, i: usize, n: char| {
        if i < inbox_len {
            p.eq_ignore_ascii_case(&n)
        } else {
            p == n
        }
    };
    // reach[i]: the pattern so far can match the first i characters of the name.
    let mut reach = vec![false; name.len() + 1];
    reach[0] = true;
    for &p in pattern {
        match p {
            '*' => {
                let mut on = false;
                for r in reach.iter_mut() {
                    on |= *r;
                    *r = on;
                }
            }
            '%' => {
                let mut on = false;
                for i in 0..=name.len() {
                    on |= reach[i];
                    reach[i] = on;
                    if i < name.len() && name[i] == sep {
                        on = false;
                    }
                }
            }
            _ => {
                for i in (0..=name.len()).rev() {
                    reach[i] = i > 0 && reach[i - 1] && same(p, i - 1, name[i - 1]);
                }
            }
        }
        if !reach.iter().any(|&r| r) {
            return false;
        }
    }
    reach[name.len()]
}

fn special_use_attribute(u: SpecialUse) -> MailboxAttribute<'static> {
    match u {
        SpecialUse::All => MailboxAttribute::All,
        SpecialUse::Archive => MailboxAttribute::Archive,
        SpecialUse::Drafts => MailboxAttribute::Drafts,
        SpecialUse::Flagged => MailboxAttribute::Flagged,
        SpecialUse::Junk => MailboxAttribute::Junk,
        SpecialUse::Sent => MailboxAttribute::Sent,
        SpecialUse::Trash => MailboxAttribute::Trash,
    }
}

/// One name a LIST or LSUB writes.
#[derive(Debug)]
struct Entry {
    info: MailboxInfo,
    /// Listed (also) for CHILDINFO: a parent of names that meet the selection but not the
    /// pattern (RFC 5258 §3.5).
    child_info: bool,
    /// A subscription without a mailbox (`\NonExistent`).
    nonexistent: bool,
}

/// A LIST or LSUB whose lines are being written: paused when the output is full
/// ([`Progress::Paused`]), resumed by [`Mailboxes::resume`], so that a user with thousands of
/// folders never needs one huge output buffer.
pub(crate) struct ListJob {
    request: ListRequest,
    account: Arc<dyn Account>,
    /// The names still to write.
    entries: std::vec::IntoIter<Entry>,
    sep: char,
    utf8: bool,
    /// Where the command's completion announces changes of the selected mailbox.
    point: AnnouncePoint,
}

impl std::fmt::Debug for ListJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListJob")
            .field("lsub", &self.request.lsub)
            .field("left", &self.entries.len())
            .finish_non_exhaustive()
    }
}

impl Mailboxes {
    /// Runs LIST or LSUB: one line per name, with `* STATUS` after each selectable one when
    /// asked (RFC 5819); pauses when the output is full.
    pub(super) async fn run_list(
        &mut self,
        account: &Arc<dyn Account>,
        request: ListRequest,
        point: AnnouncePoint,
        session: &mut ServerSession,
    ) -> Progress {
        match self.start_list(account, request, point, session).await {
            Ok(job) => self.write_list_job(job, session).await,
            Err(answer) => {
                self.complete_with(session, point, answer).await;
                Progress::Done
            }
        }
    }

    /// Continues a LIST paused by back-pressure.
    pub(in super::super) async fn resume_list(
        &mut self,
        job: Box<ListJob>,
        session: &mut ServerSession,
    ) -> Progress {
        self.write_list_job(job, session).await
    }

    /// Answers the delimiter query and finds the names to list.
    async fn start_list(
        &mut self,
        account: &Arc<dyn Account>,
        request: ListRequest,
        point: AnnouncePoint,
        session: &mut ServerSession,
    ) -> Result<Box<ListJob>, Answer> {
        let utf8 = super::utf8_names(session);
        if let Some(items) = &request.return_status {
            status::enables_condstore(items, session);
        }
        let sep = account.separator();
        let reference = decode(request.reference.as_bytes(), utf8);
        let mut patterns: Vec<Vec<char>> = Vec::new();
        let mut delimiter_query = false;
        for p in &request.patterns {
            let p = decode(p.0.as_bytes(), utf8);
            if p.is_empty() {
                delimiter_query = true;
            } else {
                patterns.push(reference.chars().chain(p.chars()).collect());
            }
        }
        if delimiter_query {
            // RFC 9051 §6.3.9: an empty pattern asks for the delimiter and the root name: the
            // reference up to its first delimiter (`#news.` of `#news.comp.mail.misc`), or "".
            let root = reference
                .find(sep)
                .map_or("", |at| &reference[..at + sep.len_utf8()]);
            write_list(
                session,
                &request,
                vec![MailboxAttribute::NoSelect],
                sep,
                Mailbox::from_name(root, utf8),
                Vec::new(),
            );
        }
        let command = if request.lsub { "LSUB" } else { "LIST" };
        let mut infos = if patterns.is_empty() {
            Vec::new()
        } else {
            account
                .list()
                .await
                .map_err(|e| Answer::store(command, &e))?
        };
        // Subscriptions whose mailbox does not exist (RFC 5258 §3.1 `\NonExistent`).
        let mut nonexistent: HashSet<String> = HashSet::new();
        if request.subscribed_only && !patterns.is_empty() {
            let existing: HashSet<&str> = infos.iter().map(|i| i.name.as_str()).collect();
            let missing: Vec<String> = account
                .subscriptions()
                .await
                .map_err(|e| Answer::store(command, &e))?
                .into_iter()
                .filter(|n| !existing.contains(n.as_str()))
                .collect();
            if !missing.is_empty() {
                for name in missing {
                    infos.push(MailboxInfo {
                        name: name.clone(),
                        special_use: None,
                        subscribed: true,
                        has_children: false,
                        selectable: false,
                    });
                    nonexistent.insert(name);
                }
                // The store's order: INBOX first, then by hierarchy components.
                infos.sort_by(|a, b| {
                    let key = |n: &str| {
                        (
                            n != "INBOX",
                            n.split(sep).map(str::to_string).collect::<Vec<_>>(),
                        )
                    };
                    key(&a.name).cmp(&key(&b.name))
                });
            }
        }
        let matched: Vec<bool> = infos
            .iter()
            .map(|i| {
                let name: Vec<char> = names::unicode(&i.name).chars().collect();
                patterns.iter().any(|p| matches(p, &name, sep))
            })
            .collect();
        // The parents of the names that meet the selection but that no pattern matches.
        let mut parents_of_unmatched: HashSet<String> = HashSet::new();
        if request.recursive {
            for (info, _) in infos
                .iter()
                .zip(&matched)
                .filter(|(i, m)| !**m && request.selects(i))
            {
                let mut name = info.name.as_str();
                while let Some(at) = name.rfind(sep) {
                    name = &name[..at];
                    if !parents_of_unmatched.insert(name.to_string()) {
                        break;
                    }
                }
            }
        }
        let entries: Vec<Entry> = infos
            .into_iter()
            .zip(matched)
            .filter(|(_, m)| *m)
            .filter_map(|(info, _)| {
                let child_info = parents_of_unmatched.contains(&info.name);
                let nonexistent = nonexistent.contains(&info.name);
                (request.selects(&info) || child_info).then_some(Entry {
                    info,
                    child_info,
                    nonexistent,
                })
            })
            .collect();
        Ok(Box::new(ListJob {
            request,
            account: account.clone(),
            entries: entries.into_iter(),
            sep,
            utf8,
            point,
        }))
    }

    /// Writes the job's lines until the output is full (paused) or all are written (done).
    async fn write_list_job(
        &mut self,
        mut job: Box<ListJob>,
        session: &mut ServerSession,
    ) -> Progress {
        let (sep, utf8) = (job.sep, job.utf8);
        while let Some(Entry {
            info,
            child_info,
            nonexistent,
        }) = job.entries.next()
        {
            let request = &job.request;
            let selected = request.selects(&info);
            let wire = names::to_wire(&info.name, utf8);
            let mut attributes = Vec::new();
            if request.lsub {
                // RFC 3501 §6.3.9: `\Noselect` marks a name listed for its subscribed children.
                if !selected || (!info.selectable && !nonexistent) {
                    attributes.push(MailboxAttribute::NoSelect);
                }
                write_list(session, request, attributes, sep, wire, Vec::new());
            } else {
                if nonexistent {
                    // Implies `\Noselect`; nothing is known of children (RFC 5258 §3.1, §4).
                    attributes.push(MailboxAttribute::NonExistent);
                } else {
                    if !info.selectable {
                        attributes.push(MailboxAttribute::NoSelect);
                    }
                    attributes.push(if info.has_children {
                        MailboxAttribute::HasChildren
                    } else {
                        MailboxAttribute::HasNoChildren
                    });
                }
                if let Some(u) = info.special_use {
                    attributes.push(special_use_attribute(u));
                }
                if request.return_subscribed && info.subscribed {
                    attributes.push(MailboxAttribute::Subscribed);
                }
                let mut extended = Vec::new();
                if child_info {
                    let mut why = Vec::new();
                    if request.subscribed_only {
                        why.push(IString::from("SUBSCRIBED"));
                    }
                    if request.special_use_only {
                        why.push(IString::from("SPECIAL-USE"));
                    }
                    extended.push(ListExtendedItem::ChildInfo(why));
                }
                write_list(session, request, attributes, sep, wire, extended);
                if let Some(items) = &request.return_status
                    && info.selectable
                {
                    // A mailbox deleted meanwhile gets no STATUS line; the LIST goes on.
                    if let Ok(values) =
                        status::values(&job.account, &info.name, items, session.config()).await
                    {
                        status::write(session, &info.name, values, utf8);
                    }
                }
            }
            if session.should_flush() && job.entries.len() > 0 {
                self.list_job = Some(job);
                return Progress::Paused;
            }
        }
        let answer = if job.request.lsub {
            Answer::ok("LSUB completed")
        } else {
            Answer::ok("LIST completed")
        };
        self.complete_with(session, job.point, answer).await;
        Progress::Done
    }
}

/// Writes one `* LIST` (or `* LSUB`) line.
fn write_list(
    session: &mut ServerSession,
    request: &ListRequest,
    attributes: Vec<MailboxAttribute<'static>>,
    sep: char,
    mailbox: Mailbox<'static>,
    extended: Vec<ListExtendedItem<'static>>,
) {
    let item = ListItem {
        attributes,
        delimiter: Some(sep),
        mailbox,
        extended,
    };
    session.untagged(&Response::Data(if request.lsub {
        Data::Lsub(item)
    } else {
        Data::List(item)
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, name: &str, sep: char) -> bool {
        let p: Vec<char> = pattern.chars().collect();
        let n: Vec<char> = name.chars().collect();
        matches(&p, &n, sep)
    }

    #[test]
    fn wildcards_of_rfc_9051_6_3_9() {
        // (pattern, name, separator, matches)
        let table = [
            ("*", "INBOX", '.', true),
            ("*", "a.b.c", '.', true),
            ("%", "a", '.', true),
            ("%", "a.b", '.', false),
            ("a.%", "a.b", '.', true),
            ("a.%", "a.b.c", '.', false),
            ("a.*", "a.b.c", '.', true),
            ("a*", "a", '.', true),
            ("a*c", "abc.xc", '.', true),
            ("a%c", "abc.xc", '.', false),
            ("a%c", "abbbc", '.', true),
            ("%/%", "x/y", '/', true),
            ("%/%", "x.y", '/', false),
            ("%.%", "x.y", '/', true),
            ("", "a", '.', false),
            ("a", "A", '.', false),
            ("inbox", "INBOX", '.', true),
            ("Inbox.%", "INBOX.Sent", '.', true),
            ("inbox.sent", "INBOX.Sent", '.', false),
            ("inbox*", "INBOXES", '.', false),
            ("INBOX*", "INBOXES", '.', true),
            ("*ü*", "Entwürfe", '.', true),
            ("**%%*", "a.b", '.', true),
        ];
        for (pattern, name, sep, expected) in table {
            assert_eq!(m(pattern, name, sep), expected, "{pattern:?} vs {name:?}");
        }
    }

    #[test]
    fn recursive_match_alone_is_bad() {
        let r = ListRequest::list(
            vec![ListSelectOption::RecursiveMatch],
            Mailbox::Other("".into()),
            vec![ListMailbox("*".into())],
            Vec::new(),
        );
        assert_eq!(r.unwrap_err().kind, crate::response::StatusKind::Bad);
    }
}
