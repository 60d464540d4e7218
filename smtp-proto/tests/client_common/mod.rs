//! Helpers shared by the client integration tests: building envelope values.
#![allow(dead_code)]

use smtp_proto::parse::address::parse_host;
use smtp_proto::session::client::Envelope;
use smtp_proto::types::address::Host;

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
    Envelope::parse(from, to).expect("valid addresses")
}
