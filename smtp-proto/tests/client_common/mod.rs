//! Helpers shared by the client integration tests: building envelope values.
#![allow(dead_code)]

use smtp_proto::session::client::Envelope;
use smtp_proto::session::client::compat::{
    ForwardPath, Host, MailFrom, Mailbox, Rcpt, ReversePath,
};

#[allow(unused_imports)]
pub use smtp_proto::session::client::compat::sasl::Mechanism;

/// The EHLO name.
pub fn host(name: &str) -> Host<'static> {
    Host(name.to_string().into())
}

/// An envelope without parameters; `from == ""` is the null reverse path.
pub fn envelope(from: &str, to: &[&str]) -> Envelope {
    Envelope {
        from: MailFrom {
            path: if from.is_empty() {
                ReversePath::Null
            } else {
                ReversePath::Mailbox(Mailbox(from.to_string().into()))
            },
            params: Default::default(),
        },
        recipients: to
            .iter()
            .map(|t| Rcpt {
                path: ForwardPath::Mailbox(Mailbox(t.to_string().into())),
                params: Default::default(),
            })
            .collect(),
    }
}
