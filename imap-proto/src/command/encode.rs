//! The command encoder (client side): each command written as RFC 9051 §9 and the extensions
//! spell it, the inverse of [`super::parse`].

use base64::Engine as _;

use crate::encode::Encoder;
use crate::status::StatusItem;
use crate::token::{Flag, Mailbox, SequenceSet};

use super::search::encode_keys;
use super::{CommandBody, ListReturnOption, ListSelectOption, SelectParam, StoreKind};

fn word_mailbox(e: &mut Encoder, word: &[u8], m: &Mailbox<'_>) {
    e.raw(word).sp();
    m.encode(e);
}

fn word_set_mailbox(e: &mut Encoder, uid: bool, word: &[u8], set: &SequenceSet, m: &Mailbox<'_>) {
    if uid {
        e.raw(b"UID ");
    }
    e.raw(word).sp();
    set.encode(e);
    e.sp();
    m.encode(e);
}

fn list_of<T>(e: &mut Encoder, items: &[T], mut f: impl FnMut(&mut Encoder, &T)) {
    e.byte(b'(');
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            e.sp();
        }
        f(e, it);
    }
    e.byte(b')');
}

fn select_params(e: &mut Encoder, params: &[SelectParam]) {
    if params.is_empty() {
        return;
    }
    e.sp();
    list_of(e, params, |e, p| match p {
        SelectParam::CondStore => {
            e.raw(b"CONDSTORE");
        }
        SelectParam::QResync(q) => {
            e.raw(b"QRESYNC (");
            e.number(u64::from(q.uid_validity.get()))
                .sp()
                .number(q.mod_seq);
            if let Some(k) = &q.known_uids {
                e.sp();
                k.encode(e);
            }
            if let Some((s, u)) = &q.seq_match {
                e.raw(b" (");
                s.encode(e);
                e.sp();
                u.encode(e);
                e.byte(b')');
            }
            e.byte(b')');
        }
    });
}

/// Write the command after `tag SP`, without the CRLF.
pub(super) fn body(b: &CommandBody<'_>, e: &mut Encoder) {
    use CommandBody as B;
    match b {
        B::Capability
        | B::Noop
        | B::Logout
        | B::StartTls
        | B::Namespace
        | B::Idle
        | B::Check
        | B::Close
        | B::Unselect
        | B::Expunge => {
            e.raw(b.name().as_bytes());
        }
        B::Authenticate {
            mechanism,
            initial_response,
        } => {
            e.raw(b"AUTHENTICATE ");
            mechanism.encode(e);
            if let Some(ir) = initial_response {
                e.sp();
                if ir.expose().is_empty() {
                    e.byte(b'=');
                } else {
                    let text = base64::engine::general_purpose::STANDARD.encode(ir.expose());
                    e.raw(text.as_bytes());
                }
            }
        }
        B::Login { username, password } => {
            e.raw(b"LOGIN ");
            username.encode(e);
            e.sp();
            password.expose().encode(e);
        }
        B::Enable { capabilities } => {
            e.raw(b"ENABLE");
            for cap in capabilities {
                e.sp();
                cap.encode(e);
            }
        }
        B::Select { mailbox, params } => {
            word_mailbox(e, b"SELECT", mailbox);
            select_params(e, params);
        }
        B::Examine { mailbox, params } => {
            word_mailbox(e, b"EXAMINE", mailbox);
            select_params(e, params);
        }
        B::Create {
            mailbox,
            special_use,
        } => {
            word_mailbox(e, b"CREATE", mailbox);
            if !special_use.is_empty() {
                e.raw(b" (USE ");
                list_of(e, special_use, |e, a| {
                    e.byte(b'\\');
                    a.encode(e);
                });
                e.byte(b')');
            }
        }
        B::Delete { mailbox } => word_mailbox(e, b"DELETE", mailbox),
        B::Rename { from, to } => {
            word_mailbox(e, b"RENAME", from);
            e.sp();
            to.encode(e);
        }
        B::Subscribe { mailbox } => word_mailbox(e, b"SUBSCRIBE", mailbox),
        B::Unsubscribe { mailbox } => word_mailbox(e, b"UNSUBSCRIBE", mailbox),
        B::List {
            selection,
            reference,
            patterns,
            return_opts,
        } => {
            e.raw(b"LIST ");
            if !selection.is_empty() {
                list_of(e, selection, |e, s| {
                    e.raw(match s {
                        ListSelectOption::Subscribed => b"SUBSCRIBED".as_slice(),
                        ListSelectOption::Remote => b"REMOTE",
                        ListSelectOption::RecursiveMatch => b"RECURSIVEMATCH",
                        ListSelectOption::SpecialUse => b"SPECIAL-USE",
                    });
                });
                e.sp();
            }
            reference.encode(e);
            e.sp();
            if patterns.len() == 1 {
                patterns[0].encode(e);
            } else {
                list_of(e, patterns, |e, p| p.encode(e));
            }
            if !return_opts.is_empty() {
                e.raw(b" RETURN ");
                list_of(e, return_opts, |e, o| match o {
                    ListReturnOption::Subscribed => {
                        e.raw(b"SUBSCRIBED");
                    }
                    ListReturnOption::Children => {
                        e.raw(b"CHILDREN");
                    }
                    ListReturnOption::SpecialUse => {
                        e.raw(b"SPECIAL-USE");
                    }
                    ListReturnOption::Status(items) => {
                        e.raw(b"STATUS ");
                        StatusItem::encode_list(items, e);
                    }
                });
            }
        }
        B::Lsub { reference, pattern } => {
            word_mailbox(e, b"LSUB", reference);
            e.sp();
            pattern.encode(e);
        }
        B::Status { mailbox, items } => {
            word_mailbox(e, b"STATUS", mailbox);
            e.sp();
            StatusItem::encode_list(items, e);
        }
        B::Append { mailbox, messages } => {
            word_mailbox(e, b"APPEND", mailbox);
            for m in messages {
                m.encode(e);
            }
        }
        B::UidExpunge { uids } => {
            e.raw(b"UID EXPUNGE ");
            uids.encode(e);
        }
        B::Search {
            uid,
            return_opts,
            charset,
            criteria,
        } => {
            e.raw(if *uid { b"UID SEARCH " } else { b"SEARCH " });
            if let Some(opts) = return_opts {
                e.raw(b"RETURN ");
                list_of(e, opts, |e, o| {
                    e.raw(o.as_str().as_bytes());
                });
                e.sp();
            }
            if let Some(cs) = charset {
                e.raw(b"CHARSET ");
                cs.encode(e);
                e.sp();
            }
            encode_keys(criteria, e);
        }
        B::Fetch {
            uid,
            set,
            items,
            modifiers,
        } => {
            e.raw(if *uid { b"UID FETCH " } else { b"FETCH " });
            set.encode(e);
            e.sp();
            items.encode(e);
            modifiers.encode(e);
        }
        B::Store {
            uid,
            set,
            unchanged_since,
            kind,
            silent,
            flags,
        } => {
            e.raw(if *uid { b"UID STORE " } else { b"STORE " });
            set.encode(e);
            e.sp();
            if let Some(n) = unchanged_since {
                e.raw(b"(UNCHANGEDSINCE ").number(*n).raw(b") ");
            }
            match kind {
                StoreKind::Replace => {}
                StoreKind::Add => {
                    e.byte(b'+');
                }
                StoreKind::Remove => {
                    e.byte(b'-');
                }
            }
            e.raw(if *silent { b"FLAGS.SILENT " } else { b"FLAGS " });
            Flag::encode_list(flags, e);
        }
        B::Copy { uid, set, mailbox } => word_set_mailbox(e, *uid, b"COPY", set, mailbox),
        B::Move { uid, set, mailbox } => word_set_mailbox(e, *uid, b"MOVE", set, mailbox),
        B::Sort {
            uid,
            criteria,
            charset,
            keys,
        } => {
            e.raw(if *uid { b"UID SORT " } else { b"SORT " });
            list_of(e, criteria, |e, c| c.encode(e));
            e.sp();
            charset.encode(e);
            e.sp();
            encode_keys(keys, e);
        }
        B::Thread {
            uid,
            algorithm,
            charset,
            keys,
        } => {
            e.raw(if *uid { b"UID THREAD " } else { b"THREAD " });
            algorithm.encode(e);
            e.sp();
            charset.encode(e);
            e.sp();
            encode_keys(keys, e);
        }
        B::Id { params } => {
            e.raw(b"ID ");
            match params {
                None => {
                    e.raw(b"NIL");
                }
                Some(p) => list_of(e, p, |e, (k, v)| {
                    k.encode(e);
                    e.sp();
                    v.encode(e);
                }),
            }
        }
        B::GetQuota { root } => {
            e.raw(b"GETQUOTA ");
            root.encode(e);
        }
        B::GetQuotaRoot { mailbox } => word_mailbox(e, b"GETQUOTAROOT", mailbox),
        B::SetQuota { root, limits } => {
            e.raw(b"SETQUOTA ");
            root.encode(e);
            e.sp();
            list_of(e, limits, |e, l| {
                l.resource.encode(e);
                e.sp().number(l.limit);
            });
        }
        B::Compress { algorithm } => {
            e.raw(b"COMPRESS ");
            algorithm.encode(e);
        }
    }
}
