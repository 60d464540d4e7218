//! STATUS (RFC 9051 §6.3.11, §7.3.2) and its use by LIST-STATUS (RFC 5819): MESSAGES, UIDNEXT,
//! UIDVALIDITY, UNSEEN, DELETED, SIZE (RFC 8438), HIGHESTMODSEQ (RFC 7162 §3.1.6), RECENT
//! (RFC 3501; always 0: `\Recent` is not kept) and APPENDLIMIT (RFC 7889 §3).

use std::sync::Arc;

use mailstore::{Account, MailboxStatus};

use super::super::names;
use crate::response::{Data, Response, StatusValue};
use crate::server::session::{ServerConfig, ServerSession};
use crate::status::StatusItem;

/// The values of `items` for one mailbox's counters, in the order asked (an item asked twice is
/// answered once).
pub(super) fn from_status(
    status: &MailboxStatus,
    items: &[StatusItem],
    config: &ServerConfig,
) -> Vec<StatusValue<'static>> {
    let mut out: Vec<StatusValue<'static>> = Vec::with_capacity(items.len());
    for (i, &item) in items.iter().enumerate() {
        if items[..i].contains(&item) {
            continue;
        }
        let value = match item {
            StatusItem::Messages => u64::from(status.messages),
            StatusItem::UidNext => u64::from(status.uid_next),
            StatusItem::UidValidity => u64::from(status.uid_validity),
            StatusItem::Unseen => u64::from(status.unseen),
            StatusItem::Deleted => u64::from(status.deleted),
            StatusItem::Size => status.size,
            StatusItem::Recent => 0,
            StatusItem::HighestModSeq => status.highest_modseq,
            StatusItem::AppendLimit => config.append_limit,
        };
        out.push(StatusValue::Item(item, Some(value)));
    }
    out
}

/// STATUS with HIGHESTMODSEQ (also in LIST-STATUS) is a CONDSTORE enabling command (RFC 7162
/// §3.1).
pub(super) fn enables_condstore(items: &[StatusItem], session: &mut ServerSession) {
    if items.contains(&StatusItem::HighestModSeq) {
        session.enable_condstore();
    }
}

/// The values of `items` for `mailbox` (its store name).
pub(super) async fn values(
    account: &Arc<dyn Account>,
    mailbox: &str,
    items: &[StatusItem],
    config: &ServerConfig,
) -> mailstore::Result<Vec<StatusValue<'static>>> {
    let status = account.status(mailbox).await?;
    Ok(from_status(&status, items, config))
}

/// Writes `* STATUS mailbox (values)`.
pub(super) fn write(
    session: &mut ServerSession,
    store_name: &str,
    values: Vec<StatusValue<'static>>,
    utf8: bool,
) {
    session.untagged(&Response::Data(Data::Status {
        mailbox: names::to_wire(store_name, utf8),
        items: values,
    }));
}
