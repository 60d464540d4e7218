//! Whole mail servers assembled from the crates: wiring and configuration only, nothing the
//! libraries should own.
//!
//! [`mail_server`]: the one-binary mail server (`cargo run -p examples --bin mail-server`). It
//! takes mail for its local users over SMTP, stores it in Maildir through `mailstore`, and gives
//! it back over POP3. Relay, the queue, IMAP and submission arrive with their crates.

pub mod mail_server;
