//! The server's capabilities as the client tracks them (RFC 9051 §6.1.1, §7.2.2).

use crate::encode::{Encoder, LiteralStyle};
use crate::response::Capability;

/// The capability list a server advertised (in the greeting's or a tagged OK's `CAPABILITY`
/// code, or a `* CAPABILITY` response). Names compare case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Capabilities {
    list: Vec<Capability<'static>>,
    names: Vec<String>,
}

impl Capabilities {
    /// The list as the response parser read it.
    pub fn new(list: Vec<Capability<'_>>) -> Self {
        let list: Vec<Capability<'static>> = list.into_iter().map(Capability::into_owned).collect();
        let names = list
            .iter()
            .map(|c| {
                let mut e = Encoder::server();
                c.encode(&mut e);
                String::from_utf8_lossy(e.as_bytes()).into_owned()
            })
            .collect();
        Capabilities { list, names }
    }

    /// A list from names (for tests and applications that know the server); each name must
    /// be an atom.
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        Self::new(names.into_iter().map(Capability::from_atom).collect())
    }

    /// The capabilities, typed.
    pub fn list(&self) -> &[Capability<'static>] {
        &self.list
    }

    /// The names as the server wrote them.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }

    /// Whether the server advertised `name` (e.g. `"IDLE"`, `"LITERAL+"`).
    pub fn has(&self, name: &str) -> bool {
        self.names.iter().any(|n| n.eq_ignore_ascii_case(name))
    }

    /// Whether `AUTH=mechanism` is advertised (RFC 9051 §6.2.2).
    pub fn auth(&self, mechanism: &str) -> bool {
        self.names.iter().any(|n| {
            n.len() == mechanism.len() + 5
                && n.as_bytes()[..5].eq_ignore_ascii_case(b"AUTH=")
                && n[5..].eq_ignore_ascii_case(mechanism)
        })
    }

    /// The SASL mechanisms advertised as `AUTH=...`.
    pub fn auth_mechanisms(&self) -> impl Iterator<Item = &str> {
        self.names
            .iter()
            .filter(|n| n.len() > 5 && n.as_bytes()[..5].eq_ignore_ascii_case(b"AUTH="))
            .map(|n| &n[5..])
    }

    /// `IMAP4rev2` (RFC 9051).
    pub fn imap4rev2(&self) -> bool {
        self.has("IMAP4rev2")
    }

    /// `LOGINDISABLED` (RFC 9051 §6.2.3): LOGIN must not be sent.
    pub fn login_disabled(&self) -> bool {
        self.has("LOGINDISABLED")
    }

    /// `SASL-IR` (RFC 4959): AUTHENTICATE may carry the initial response; IMAP4rev2 includes
    /// it (RFC 9051 §6.2.2, and its §8 sample sends one without `SASL-IR` advertised).
    pub fn sasl_ir(&self) -> bool {
        self.has("SASL-IR") || self.imap4rev2()
    }

    /// How a client writes literals to this server: `{n+}` always with LITERAL+, up to 4096
    /// octets with LITERAL- (RFC 7888 §3, §4; IMAP4rev2 includes LITERAL-, RFC 9051 §4.3),
    /// else synchronizing.
    pub fn literal_style(&self) -> LiteralStyle {
        if self.has("LITERAL+") {
            LiteralStyle::NonSync { max: None }
        } else if self.has("LITERAL-") || self.imap4rev2() {
            LiteralStyle::NonSync { max: Some(4096) }
        } else {
            LiteralStyle::Sync
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        let mut cur =
            crate::Cursor::new(b" IMAP4rev1  STARTTLS AUTH=PLAIN auth=scram-sha-256 LITERAL- \r\n");
        let c = Capabilities::new(Capability::parse_list(&mut cur).unwrap());
        assert_eq!(c.names().count(), 5);
        assert_eq!(c.list()[1], Capability::StartTls);
        assert!(c.has("starttls") && !c.has("IDLE"));
        assert!(c.auth("PLAIN") && c.auth("SCRAM-SHA-256") && !c.auth("XOAUTH2"));
        assert_eq!(
            c.auth_mechanisms().collect::<Vec<_>>(),
            vec!["PLAIN", "scram-sha-256"]
        );
        assert_eq!(c.literal_style(), LiteralStyle::NonSync { max: Some(4096) });
        let c = Capabilities::from_names(["IMAP4rev1", "LITERAL+", "LITERAL-"]);
        assert_eq!(c.literal_style(), LiteralStyle::NonSync { max: None });
        let c = Capabilities::from_names(["IMAP4rev1"]);
        assert_eq!(c.literal_style(), LiteralStyle::Sync);
        assert!(!c.imap4rev2() && !c.sasl_ir() && !c.login_disabled());
    }
}
