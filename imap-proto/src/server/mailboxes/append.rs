//! APPEND and MULTIAPPEND (RFC 9051 §6.3.12, RFC 3502, RFC 4315 APPENDUID, RFC 7889
//! APPENDLIMIT), streamed into the store: all the messages of one command are stored, or none.
//! (helper `imap-folders`)

use super::Mailboxes;
use crate::server::session::{AppendMessage, ServerSession};

/// The messages of an APPEND being received.
#[derive(Debug)]
pub(crate) struct Spool {}

impl Mailboxes {
    /// Answers [`Event::AppendMessage`](crate::server::session::Event::AppendMessage): accepts
    /// the literal ([`ServerSession::append_accept`]) or refuses it
    /// ([`ServerSession::append_refuse`]: no such mailbox `[TRYCREATE]`, over APPENDLIMIT
    /// `[TOOBIG]`, over quota `[OVERQUOTA]`).
    pub async fn append_message(&mut self, message: AppendMessage, session: &mut ServerSession) {
        let _ = (message, session, &self.append);
        unimplemented!("imap-folders")
    }

    /// [`Event::AppendData`](crate::server::session::Event::AppendData).
    pub async fn append_data(&mut self, data: &[u8]) {
        let _ = data;
        unimplemented!("imap-folders")
    }

    /// [`Event::AppendMessageEnd`](crate::server::session::Event::AppendMessageEnd).
    pub async fn append_message_end(&mut self) {
        unimplemented!("imap-folders")
    }

    /// Answers [`Event::AppendEnd`](crate::server::session::Event::AppendEnd): stores the
    /// messages and completes the command (`OK [APPENDUID v uids]`).
    pub async fn append_end(&mut self, session: &mut ServerSession) {
        let _ = session;
        unimplemented!("imap-folders")
    }

    /// [`Event::AppendAborted`](crate::server::session::Event::AppendAborted), or the connection
    /// ended mid-APPEND: discards what was received.
    pub fn append_aborted(&mut self) {
        unimplemented!("imap-folders")
    }
}
