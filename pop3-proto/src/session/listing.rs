//! `LIST` and `UIDL` without an argument (RFC 1939 §5, §7), generated as the output drains.
//!
//! A maildrop may hold many thousands of messages, and a client may pipeline the same command
//! many times in one read (RFC 2449 §6.6). So the session writes the status line when it takes
//! the command, keeps a [`Listing`] cursor, and writes listing lines only while its output is
//! under [`super::ServerConfig::max_pending_output`]; past it, [`super::Event::Flush`] asks the
//! driver to write. No further command is taken until the terminator is written, so the
//! responses stay in order and the output holds at most the bound plus one line.
//!
//! The same shape serves any long answer the session generates itself (an IMAP `FETCH` or
//! `SEARCH` response over a large mailbox): a cursor in the session, advanced by `next_event`
//! while the output is under the bound.

use super::ServerSession;
use crate::build::response::{write_listing_end, write_scan_line, write_uid_line};
use crate::types::response::StatusLine;

/// Which listing is being written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ListingKind {
    /// `LIST`: `msg size` lines.
    Scan,
    /// `UIDL`: `msg unique-id` lines.
    Uid,
}

/// A multi-line listing under way: the next message (0-based index) to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Listing {
    kind: ListingKind,
    next: usize,
}

impl ServerSession {
    /// Answers `LIST`/`UIDL` without an argument: the status line now, the lines as the output
    /// drains ([`ServerSession::continue_listing`]).
    pub(super) fn start_listing(&mut self, kind: ListingKind) {
        let status = match kind {
            ListingKind::Scan => {
                let stat = self.maildrop.stat();
                StatusLine::ok(format!("{} messages ({} octets)", stat.count, stat.size))
            }
            ListingKind::Uid => StatusLine::ok("Unique-id listing follows"),
        };
        status.write_to(&mut self.output);
        self.listing = Some(Listing { kind, next: 0 });
    }

    /// Writes listing lines while the output is within the bound; the terminator once every
    /// message is listed. Returns whether the listing is complete.
    pub(super) fn continue_listing(&mut self) -> bool {
        let Some(listing) = &mut self.listing else {
            return true;
        };
        while self.output.len() <= self.config.max_pending_output {
            let next = match listing.kind {
                ListingKind::Scan => self.maildrop.scan_from(listing.next).map(|(line, next)| {
                    write_scan_line(line, &mut self.output);
                    next
                }),
                ListingKind::Uid => self.maildrop.uid_from(listing.next).map(|(line, next)| {
                    write_uid_line(&line, &mut self.output);
                    next
                }),
            };
            match next {
                Some(next) => listing.next = next,
                None => {
                    write_listing_end(&mut self.output);
                    self.listing = None;
                    return true;
                }
            }
        }
        false
    }
}
