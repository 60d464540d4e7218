//! SELECT and EXAMINE (RFC 9051 §6.3.2, §6.3.3; RFC 7162 §3.1.8 CONDSTORE, §3.2.5 QRESYNC,
//! §3.2.11 CLOSED; RFC 3501 §6.3.1 for IMAP4rev1 clients).

use std::borrow::Cow;

use mailstore::UidSet;

use super::super::{Mailboxes, Progress, Selected, error, names};
use crate::command::SelectParam;
use crate::response::{Code, Data, ListItem, Response, Status, StatusKind};
use crate::server::session::ServerSession;
use crate::server::view::MailboxView;
use crate::token::{Flag, FlagPerm, Mailbox};

/// The first window of UIDs asked of the store while building the view; it grows while the
/// windows come back sparse, so that a mailbox of 100,000 messages takes a few dozen calls
/// and never holds more than one window's metadata at once.
const FIRST_WINDOW: u32 = 4096;
/// The largest UID window.
const MAX_WINDOW: u32 = 1 << 20;
/// Metadata of at most about this many messages is held at once while building the view.
const TARGET_CHUNK: usize = 4096;

/// An untagged `* OK [code] text`.
fn ok(code: Code<'static>, text: &'static str) -> Response<'static> {
    Response::Status(Status {
        tag: None,
        kind: StatusKind::Ok,
        code: Some(code),
        text: Cow::Borrowed(text),
    })
}

impl Mailboxes {
    /// SELECT (`read_only == false`) or EXAMINE.
    pub(super) async fn select(
        &mut self,
        mailbox: &Mailbox<'_>,
        params: &[SelectParam],
        read_only: bool,
        session: &mut ServerSession,
    ) -> Progress {
        let command = if read_only { "EXAMINE" } else { "SELECT" };
        let enabled = session.enabled();
        // A SELECT while selected closes the mailbox first, without expunging (RFC 9051
        // §6.3.2), and says so to the clients that know the code (RFC 7162 §3.2.11 under
        // QRESYNC, RFC 9051 §7.1 CLOSED for IMAP4rev2), as Dovecot does.
        if self.selected.take().is_some() {
            self.job = None;
            session.set_selected(None);
            if enabled.qresync || enabled.imap4rev2 {
                session.untagged(&ok(Code::Closed, "Previous mailbox closed"));
            }
        }
        let qresync = params.iter().find_map(|p| match p {
            SelectParam::QResync(q) => Some(q),
            SelectParam::CondStore => None,
        });
        if qresync.is_some() && !enabled.qresync {
            // RFC 7162 §3.2.5: QRESYNC parameter without ENABLE QRESYNC.
            let _ = session.complete(StatusKind::Bad, None, "ENABLE QRESYNC first");
            return Progress::Done;
        }
        let Some(name) = names::to_store(mailbox, enabled.utf8_accept) else {
            let _ = session.complete(StatusKind::No, Some(Code::Cannot), "Invalid mailbox name");
            return Progress::Done;
        };
        let Some(account) = self.account.clone() else {
            let _ = session.complete(StatusKind::No, None, "No account is open");
            return Progress::Done;
        };
        let status = match account.status(&name).await {
            Ok(s) => s,
            Err(err) => {
                error::complete_no(session, command, &err);
                return Progress::Done;
            }
        };
        let mut view = MailboxView::new((&status).into());
        view.reserve(status.messages as usize);
        // The metadata in windows of UIDs, not all at once.
        let mut lo = 1u32;
        let mut window = FIRST_WINDOW;
        while lo < status.uid_next {
            let hi = lo.saturating_add(window - 1).min(status.uid_next - 1);
            let metas = match account.messages(&name, &UidSet::range(lo, hi)).await {
                Ok(m) => m,
                Err(err) => {
                    error::complete_no(session, command, &err);
                    return Progress::Done;
                }
            };
            for m in &metas {
                if let Err(err) = view.push(m.uid, &m.flags, m.modseq) {
                    tracing::warn!(mailbox = %name, error = %err, "store gave UIDs out of order");
                }
            }
            if metas.len() < TARGET_CHUNK / 2 {
                window = window.saturating_mul(2).min(MAX_WINDOW);
            }
            if hi == u32::MAX {
                break;
            }
            lo = hi + 1;
        }
        let condstore = enabled.condstore
            || enabled.qresync
            || params.iter().any(|p| matches!(p, SelectParam::CondStore))
            || qresync.is_some();
        if condstore {
            session.enable_condstore();
            view.enable_condstore();
        }
        if enabled.qresync {
            view.enable_qresync();
        }

        session.untagged(&Response::Data(view.flags_data()));
        let permanent = if read_only {
            Vec::new()
        } else {
            [
                Flag::Seen,
                Flag::Answered,
                Flag::Flagged,
                Flag::Deleted,
                Flag::Draft,
            ]
            .into_iter()
            .map(FlagPerm::Flag)
            .chain([FlagPerm::Any])
            .collect()
        };
        let permanent_text = if read_only {
            "No permanent flags permitted"
        } else {
            "Flags permitted"
        };
        session.untagged(&ok(Code::PermanentFlags(permanent), permanent_text));
        session.untagged(&Response::Data(Data::Exists(view.exists())));
        if !enabled.imap4rev2 {
            // IMAP4rev1 (RFC 3501 §6.3.1): RECENT and the first unseen message.
            session.untagged(&Response::Data(Data::Recent(0)));
            if let Some(n) = view.first_unseen() {
                session.untagged(&ok(Code::Unseen(n), "First unseen"));
            }
        }
        session.untagged(&ok(Code::UidValidity(view.uid_validity()), "UIDs valid"));
        session.untagged(&ok(Code::UidNext(view.uid_next()), "Predicted next UID"));
        session.untagged(&ok(Code::HighestModSeq(view.synced_modseq()), "Highest"));
        if enabled.imap4rev2 {
            // RFC 9051 §6.3.2: a LIST response with the mailbox name.
            session.untagged(&Response::Data(Data::List(ListItem {
                attributes: Vec::new(),
                delimiter: Some(account.separator()),
                mailbox: names::to_wire(&name, enabled.utf8_accept),
                extended: Vec::new(),
            })));
        }
        if let Some(q) = qresync {
            let expunged = if q.uid_validity.get() == view.uid_validity() {
                match account.changes_since(&name, q.mod_seq).await {
                    Ok(c) => c.expunged,
                    Err(err) => {
                        error::complete_no(session, command, &err);
                        return Progress::Done;
                    }
                }
            } else {
                Vec::new()
            };
            for r in view.qresync(q, &expunged) {
                session.untagged(&r);
            }
        }
        self.selected = Some(Selected {
            name,
            read_only,
            view,
        });
        session.set_selected(Some(read_only));
        let (code, text) = if read_only {
            (Code::ReadOnly, "EXAMINE completed")
        } else {
            (Code::ReadWrite, "SELECT completed")
        };
        let _ = session.complete(StatusKind::Ok, Some(code), text);
        Progress::Done
    }
}
