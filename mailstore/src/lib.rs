//! The mail storage trait (`MailStore`) that the IMAP and POP3 servers and the delivery agent use, with Maildir and mbox backends.
//!
//! Placeholder: filled by the mailstore issue.
