//! Mailbox-level commands of the authenticated state (RFC 9051 §6.3): LIST (LIST-EXTENDED,
//! LIST-STATUS, SPECIAL-USE, CHILDREN), LSUB, NAMESPACE, STATUS, CREATE, DELETE, RENAME,
//! SUBSCRIBE/UNSUBSCRIBE, GETQUOTA/GETQUOTAROOT/SETQUOTA.
//!
//! Each command computes an [`Answer`] (the tagged status); [`Mailboxes::complete_with`]
//! announces the selected mailbox's changes first (RFC 9051 §7.4.1: EXISTS and EXPUNGE may
//! follow any command but FETCH, STORE and SEARCH) and then completes the command.
//!
//! Layout: this module dispatches and holds CREATE, DELETE, RENAME, (UN)SUBSCRIBE and NAMESPACE;
//! `list` LIST and LSUB; `status` STATUS (shared with LIST-STATUS); `quota` the QUOTA commands.

pub(super) mod list;
mod quota;
mod status;

use std::borrow::Cow;
use std::sync::Arc;

use mailstore::{Account, SpecialUse, StoreError};

use super::{Mailboxes, Progress, names};
use crate::command::CommandBody;
use crate::response::{Code, Data, Namespace, NamespaceDescr, Response, Status, StatusKind};
use crate::server::session::{Request, ServerSession};
use crate::server::view::AnnouncePoint;
use crate::token::{Atom, IString, Mailbox};

/// The tagged status a command ends with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Answer {
    /// OK, NO or BAD.
    pub(super) kind: StatusKind,
    /// The response code, if any.
    pub(super) code: Option<Code<'static>>,
    /// The text.
    pub(super) text: Cow<'static, str>,
}

impl Answer {
    /// `OK text`.
    pub(super) fn ok(text: &'static str) -> Self {
        Answer {
            kind: StatusKind::Ok,
            code: None,
            text: Cow::Borrowed(text),
        }
    }

    /// `OK [code] text`.
    pub(super) fn ok_with(code: Code<'static>, text: &'static str) -> Self {
        Answer {
            kind: StatusKind::Ok,
            code: Some(code),
            text: Cow::Borrowed(text),
        }
    }

    /// `NO [code] text`.
    pub(super) fn no(code: Code<'static>, text: &'static str) -> Self {
        Answer {
            kind: StatusKind::No,
            code: Some(code),
            text: Cow::Borrowed(text),
        }
    }

    /// `BAD text` (RFC 9051 §7.1.3: a protocol-level error in the client's command).
    pub(super) fn bad(text: &'static str) -> Self {
        Answer {
            kind: StatusKind::Bad,
            code: None,
            text: Cow::Borrowed(text),
        }
    }

    /// `NO [code] text` for a failed store operation (RFC 5530 codes, see [`super::error`]);
    /// the details go to the log when the fault is ours.
    pub(super) fn store(command: &str, err: &StoreError) -> Self {
        let (code, text) = super::error::answer(err);
        if matches!(code, Code::ServerBug | Code::Corruption) {
            tracing::warn!(command, error = %err, "imap store operation failed");
        }
        Answer::no(code, text)
    }
}

/// Whether mailbox names travel as UTF-8 (RFC 6855 §3 UTF8=ACCEPT, RFC 9051 §5.1 IMAP4rev2)
/// rather than modified UTF-7 (RFC 3501 §5.1.3). The session's encoder is switched to UTF-8 on
/// the same condition, so either says it.
pub(super) fn utf8_names(session: &mut ServerSession) -> bool {
    let enabled = session.enabled();
    enabled.utf8_accept || enabled.imap4rev2 || session.encoder().utf8()
}

/// The store's name of `mailbox`, or the answer for a name that is not UTF-8.
pub(super) fn store_name(mailbox: &Mailbox<'_>, utf8: bool) -> Result<String, Answer> {
    names::to_store(mailbox, utf8)
        .ok_or_else(|| Answer::no(Code::Cannot, "Mailbox name is not valid UTF-8"))
}

/// The special use of `CREATE ... (USE (\attr))` (RFC 6154 §3); more than one, or one the store
/// does not know, is refused with `[USEATTR]` (RFC 6154 §6).
fn special_use(attrs: &[Atom<'_>]) -> Result<Option<SpecialUse>, Answer> {
    match attrs {
        [] => Ok(None),
        [one] => SpecialUse::parse(&format!("\\{}", one.as_str()))
            .map(Some)
            .ok_or_else(|| Answer::no(Code::UseAttr, "Unsupported special-use attribute")),
        _ => Err(Answer::no(
            Code::UseAttr,
            "Only one special-use attribute per mailbox",
        )),
    }
}

impl Mailboxes {
    /// Runs a mailbox-level command.
    pub(super) async fn run_folders(
        &mut self,
        request: Request,
        session: &mut ServerSession,
    ) -> Progress {
        let point = AnnouncePoint::for_command(&request.command);
        let answer = match (self.account().cloned(), request.command) {
            (
                Some(account),
                CommandBody::List {
                    selection,
                    reference,
                    patterns,
                    return_opts,
                },
            ) => match list::ListRequest::list(selection, reference, patterns, return_opts) {
                Ok(list) => return self.run_list(&account, list, point, session).await,
                Err(answer) => answer,
            },
            (Some(account), CommandBody::Lsub { reference, pattern }) => {
                let lsub = list::ListRequest::lsub(reference, pattern);
                return self.run_list(&account, lsub, point, session).await;
            }
            (Some(account), command) => self
                .folder_command(&account, command, session)
                .await
                .unwrap_or_else(|a| a),
            // The session asks for no mailbox command before the account is open.
            (None, _) => Answer::no(Code::Unavailable, "No mailboxes are open"),
        };
        self.complete_with(session, point, answer).await;
        Progress::Done
    }

    /// Announces the selected mailbox's changes that `point` allows, then completes the
    /// command with `answer`.
    pub(super) async fn complete_with(
        &mut self,
        session: &mut ServerSession,
        point: AnnouncePoint,
        answer: Answer,
    ) {
        if self.selected.is_some() {
            self.announce(session, point).await;
        }
        if let Err(e) = session.complete(answer.kind, answer.code, &answer.text) {
            tracing::warn!(error = %e, "imap glue completed a command that was not in progress");
        }
    }

    async fn folder_command(
        &mut self,
        account: &Arc<dyn Account>,
        command: CommandBody<'static>,
        session: &mut ServerSession,
    ) -> Result<Answer, Answer> {
        use CommandBody as C;
        let utf8 = utf8_names(session);
        let name = command.name();
        match command {
            C::Create {
                mailbox,
                special_use: attrs,
            } => {
                let use_ = special_use(&attrs)?;
                let mut store = store_name(&mailbox, utf8)?;
                // RFC 9051 §6.3.4: a trailing separator declares the intent to create names below.
                let sep = account.separator();
                while store.len() > 1 && store.ends_with(sep) {
                    store.pop();
                }
                if store == "INBOX" {
                    return Err(Answer::no(Code::AlreadyExists, "INBOX always exists"));
                }
                account
                    .create(&store, use_)
                    .await
                    .map_err(|e| Answer::store(name, &e))?;
                Ok(Answer::ok("CREATE completed"))
            }
            C::Delete { mailbox } => self.delete(account, &mailbox, utf8, session).await,
            C::Rename { from, to } => {
                let (from, to) = (store_name(&from, utf8)?, store_name(&to, utf8)?);
                account
                    .rename(&from, &to)
                    .await
                    .map_err(|e| Answer::store(name, &e))?;
                // The selected mailbox (or one of its parents) was renamed: it stays selected
                // under its new name (INBOX stays INBOX: its messages moved, and the announcement
                // reports them gone).
                let sep = account.separator();
                if let Some(sel) = self.selected.as_mut()
                    && from != "INBOX"
                {
                    if sel.name == from {
                        sel.name = to.clone();
                    } else if let Some(rest) = sel.name.strip_prefix(&format!("{from}{sep}")) {
                        sel.name = format!("{to}{sep}{rest}");
                    }
                }
                Ok(Answer::ok("RENAME completed"))
            }
            C::Subscribe { mailbox } | C::Unsubscribe { mailbox } => {
                let subscribe = name == "SUBSCRIBE";
                let store = store_name(&mailbox, utf8)?;
                account
                    .set_subscribed(&store, subscribe)
                    .await
                    .map_err(|e| Answer::store(name, &e))?;
                Ok(Answer::ok(if subscribe {
                    "SUBSCRIBE completed"
                } else {
                    "UNSUBSCRIBE completed"
                }))
            }
            C::Namespace => {
                // RFC 2342 §5, RFC 9051 §6.3.10: one personal namespace with an empty prefix.
                let personal = NamespaceDescr {
                    prefix: IString::from(""),
                    delimiter: Some(account.separator()),
                    extensions: Vec::new(),
                };
                session.untagged(&Response::Data(Data::Namespace(Namespace {
                    personal: vec![personal],
                    other: Vec::new(),
                    shared: Vec::new(),
                })));
                Ok(Answer::ok("NAMESPACE completed"))
            }
            C::Status { mailbox, items } => {
                let store = store_name(&mailbox, utf8)?;
                status::enables_condstore(&items, session);
                let values = status::values(account, &store, &items, session.config())
                    .await
                    .map_err(|e| Answer::store(name, &e))?;
                status::write(session, &store, values, utf8);
                Ok(Answer::ok("STATUS completed"))
            }
            C::GetQuota { root } => quota::get_quota(account, &root, session).await,
            C::GetQuotaRoot { mailbox } => {
                let store = store_name(&mailbox, utf8)?;
                quota::get_quota_root(account, &mailbox, &store, session).await
            }
            C::SetQuota { .. } => Err(Answer::no(
                Code::NoPerm,
                "Quotas are set by the administrator",
            )),
            C::Append { mailbox, messages } => self.append_whole(&mailbox, messages, session).await,
            other => {
                tracing::warn!(
                    command = other.name(),
                    "imap glue was given a command it does not run"
                );
                Err(Answer::bad("Command not available here"))
            }
        }
    }

    /// DELETE (RFC 9051 §6.3.5): INBOX and a mailbox with children (`[HASCHILDREN]`, RFC 5530)
    /// are refused; deleting the selected mailbox closes it (`* OK [CLOSED]`, RFC 7162 §3.2.11).
    async fn delete(
        &mut self,
        account: &Arc<dyn Account>,
        mailbox: &Mailbox<'_>,
        utf8: bool,
        session: &mut ServerSession,
    ) -> Result<Answer, Answer> {
        let store = store_name(mailbox, utf8)?;
        if store == "INBOX" {
            return Err(Answer::no(Code::Cannot, "INBOX cannot be deleted"));
        }
        let infos = account
            .list()
            .await
            .map_err(|e| Answer::store("DELETE", &e))?;
        match infos.iter().find(|i| i.name == store) {
            None => return Err(Answer::no(Code::NonExistent, "No such mailbox")),
            Some(info) if info.has_children => {
                return Err(Answer::no(
                    Code::HasChildren,
                    "Mailbox has children, delete them first",
                ));
            }
            Some(_) => {}
        }
        account
            .delete(&store)
            .await
            .map_err(|e| Answer::store("DELETE", &e))?;
        if self.selected.as_ref().is_some_and(|s| s.name == store) {
            self.selected = None;
            session.set_selected(None);
            session.untagged(&Response::Status(Status {
                tag: None,
                kind: StatusKind::Ok,
                code: Some(Code::Closed),
                text: "Selected mailbox was deleted".into(),
            }));
        }
        Ok(Answer::ok("DELETE completed"))
    }
}

#[cfg(test)]
pub(super) mod tests;

#[cfg(test)]
mod interop;

#[cfg(test)]
mod wire;
