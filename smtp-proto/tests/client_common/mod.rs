//! Helpers shared by the client integration tests: building envelope values.
#![allow(dead_code)]

use smtp_proto::parse::address::{parse_forward_path, parse_host, parse_reverse_path};
use smtp_proto::session::client::Envelope;
use smtp_proto::types::address::Host;
use smtp_proto::types::command::{MailFrom, Rcpt};

#[allow(unused_imports)]
pub use sasl::Mechanism;

/// The EHLO name.
pub fn host(name: &str) -> Host<'static> {
    parse_host(name.as_bytes())
        .expect("a valid host")
        .into_owned()
}

/// An envelope without parameters; `from == ""` is the null reverse path.
pub fn envelope(from: &str, to: &[&str]) -> Envelope {
    Envelope {
        from: MailFrom {
            path: parse_reverse_path(format!("<{from}>").as_bytes())
                .expect("a valid reverse path")
                .into_owned(),
            params: Default::default(),
        },
        recipients: to
            .iter()
            .map(|t| Rcpt {
                path: parse_forward_path(format!("<{t}>").as_bytes())
                    .expect("a valid forward path")
                    .into_owned(),
                params: Default::default(),
            })
            .collect(),
    }
}
