//! SASL mechanisms shared by the SMTP, POP3 and IMAP crates.
