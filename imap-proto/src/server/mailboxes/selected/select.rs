//! SELECT and EXAMINE (RFC 9051 §6.3.2, §6.3.3; RFC 7162 §3.1.8 CONDSTORE, §3.2.5 QRESYNC,
//! §3.2.11 CLOSED; RFC 3501 §6.3.1 for IMAP4rev1 clients).

use std::borrow::Cow;

use super::super::{Mailboxes, Progress, Selected, error, names};
use crate::command::SelectParam;
use crate::response::{Code, Data, ListItem, Response, Status, StatusKind};
use crate::server::session::ServerSession;
use crate::server::view::MailboxView;
use crate::token::{Flag, FlagPerm, Mailbox};

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
        // The counters and every message's UID, flags and MODSEQ at one instant, in one pass
        // over the store's index (compact: 32 octets a message while the view is built).
        let snapshot = match account.flag_snapshot(&name).await {
            Ok(s) => s,
            Err(err) => {
                error::complete_no(session, command, &err);
                return Progress::Done;
            }
        };
        let mut view = MailboxView::new((&snapshot.status).into());
        view.reserve(snapshot.messages.len());
        for m in &snapshot.messages {
            if let Err(err) = view.push_compact(m) {
                tracing::warn!(mailbox = %name, error = %err, "store gave UIDs out of order");
            }
        }
        drop(snapshot);
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
