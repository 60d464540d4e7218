//! QUOTA (RFC 9208) from the store's per-user quota: one quota root, `""`, for every mailbox of
//! the account, with the resources `STORAGE` (units of 1024 octets, §5.1) and `MESSAGE` (§5.2)
//! that have a limit. SETQUOTA is refused with `[NOPERM]` (limits are the administrator's).

use std::sync::Arc;

use mailstore::{Account, QuotaUsage};

use super::super::names;
use super::Answer;
use crate::response::{Code, Data, QuotaResource, Response};
use crate::server::session::ServerSession;
use crate::token::{AString, Atom, Mailbox};

/// The name of the account's one quota root.
const ROOT: &str = "";

/// The resources of `usage` that have a limit (RFC 9208 §5: STORAGE in KiB, the usage rounded
/// up so that a non-empty mailbox never shows 0 of a limit, the limit rounded down).
pub(super) fn resources(usage: &QuotaUsage) -> Vec<QuotaResource<'static>> {
    let mut out = Vec::new();
    if let Some(max) = usage.limit.max_bytes {
        out.push(QuotaResource {
            name: Atom::from_parsed("STORAGE"),
            usage: usage.bytes.div_ceil(1024),
            limit: max / 1024,
        });
    }
    if let Some(max) = usage.limit.max_messages {
        out.push(QuotaResource {
            name: Atom::from_parsed("MESSAGE"),
            usage: usage.messages,
            limit: max,
        });
    }
    out
}

fn write_quota(session: &mut ServerSession, resources: Vec<QuotaResource<'static>>) {
    session.untagged(&Response::Data(Data::Quota {
        root: AString::from(ROOT),
        resources,
    }));
}

/// `GETQUOTA root` (RFC 9208 §4.2): `* QUOTA "" (...)` for the root `""` when the account has
/// a limit; any other root does not exist.
pub(super) async fn get_quota(
    account: &Arc<dyn Account>,
    root: &AString<'_>,
    session: &mut ServerSession,
) -> Result<Answer, Answer> {
    let usage = account
        .quota()
        .await
        .map_err(|e| Answer::store("GETQUOTA", &e))?;
    let resources = resources(&usage);
    if root.as_bytes() != ROOT.as_bytes() || resources.is_empty() {
        return Err(Answer::no(Code::NonExistent, "No such quota root"));
    }
    write_quota(session, resources);
    Ok(Answer::ok("GETQUOTA completed"))
}

/// `GETQUOTAROOT mailbox` (RFC 9208 §4.3): `* QUOTAROOT mailbox ""` and the root's QUOTA, or
/// `* QUOTAROOT mailbox` alone when the account has no limit.
pub(super) async fn get_quota_root(
    account: &Arc<dyn Account>,
    mailbox: &Mailbox<'_>,
    store_name: &str,
    session: &mut ServerSession,
) -> Result<Answer, Answer> {
    account
        .status(store_name)
        .await
        .map_err(|e| Answer::store("GETQUOTAROOT", &e))?;
    let usage = account
        .quota()
        .await
        .map_err(|e| Answer::store("GETQUOTAROOT", &e))?;
    let resources = resources(&usage);
    let utf8 = super::utf8_names(session);
    let shown = match mailbox {
        Mailbox::Inbox => Mailbox::Inbox,
        Mailbox::Other(_) => names::to_wire(store_name, utf8),
    };
    let roots = if resources.is_empty() {
        Vec::new()
    } else {
        vec![AString::from(ROOT)]
    };
    session.untagged(&Response::Data(Data::QuotaRoot {
        mailbox: shown,
        roots,
    }));
    if !resources.is_empty() {
        write_quota(session, resources);
    }
    Ok(Answer::ok("GETQUOTAROOT completed"))
}
