//! [`Mechanism`]: the SASL mechanisms this crate implements.

use crate::SaslError;
use crate::scram::ScramHash;

/// A SASL mechanism, by its IANA-registered name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mechanism {
    /// `PLAIN` (RFC 4616): authzid, authcid and password in one message.
    Plain,
    /// `LOGIN` (draft-murchison-sasl-login): user name and password in two
    /// answers to the prompts `Username:` and `Password:`.
    Login,
    /// `SCRAM-SHA-1` (RFC 5802), without channel binding.
    ScramSha1,
    /// `SCRAM-SHA-256` (RFC 7677), without channel binding.
    ScramSha256,
    /// `OAUTHBEARER` (RFC 7628): an OAuth 2.0 bearer token.
    OAuthBearer,
    /// `XOAUTH2` (Google's format): `user=...^Aauth=Bearer ...^A^A`.
    XOAuth2,
}

impl Mechanism {
    /// Every mechanism, strongest first (the order to advertise them in).
    pub const ALL: [Mechanism; 6] = [
        Mechanism::ScramSha256,
        Mechanism::ScramSha1,
        Mechanism::OAuthBearer,
        Mechanism::XOAuth2,
        Mechanism::Plain,
        Mechanism::Login,
    ];

    /// The mechanism's IANA name, upper case (`"SCRAM-SHA-256"`).
    pub fn name(self) -> &'static str {
        match self {
            Mechanism::Plain => "PLAIN",
            Mechanism::Login => "LOGIN",
            Mechanism::ScramSha1 => "SCRAM-SHA-1",
            Mechanism::ScramSha256 => "SCRAM-SHA-256",
            Mechanism::OAuthBearer => "OAUTHBEARER",
            Mechanism::XOAuth2 => "XOAUTH2",
        }
    }

    /// Looks a mechanism up by name, ignoring ASCII case (RFC 4422 §3.1 names
    /// are upper case, but clients vary).
    ///
    /// # Errors
    /// [`SaslError::UnsupportedMechanism`] for any other name, including the
    /// channel-binding variants `SCRAM-SHA-*-PLUS`.
    pub fn from_name(name: &str) -> Result<Self, SaslError> {
        Mechanism::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| SaslError::UnsupportedMechanism(name.to_owned()))
    }

    /// `true` when the mechanism sends a reusable credential in the clear: a
    /// password (PLAIN, LOGIN) or an OAuth 2.0 bearer token (OAUTHBEARER,
    /// XOAUTH2), which anyone who reads it can replay. A server offers these
    /// only over TLS (RFC 4616 §6, RFC 7628 §5, RFC 6750 §5.3: bearer tokens
    /// need confidentiality as passwords do), and a client sends them only
    /// over TLS. SCRAM proves knowledge of the password without sending it.
    pub fn sends_reusable_credential(self) -> bool {
        match self {
            Mechanism::Plain | Mechanism::Login | Mechanism::OAuthBearer | Mechanism::XOAuth2 => {
                true
            }
            Mechanism::ScramSha1 | Mechanism::ScramSha256 => false,
        }
    }

    /// The SCRAM hash function, for the SCRAM mechanisms.
    pub fn scram_hash(self) -> Option<ScramHash> {
        match self {
            Mechanism::ScramSha1 => Some(ScramHash::Sha1),
            Mechanism::ScramSha256 => Some(ScramHash::Sha256),
            _ => None,
        }
    }
}

impl std::fmt::Display for Mechanism {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Mechanism {
    type Err = SaslError;
    fn from_str(s: &str) -> Result<Self, SaslError> {
        Mechanism::from_name(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reusable_credentials_need_tls() {
        let table = [
            (Mechanism::Plain, true),
            (Mechanism::Login, true),
            (Mechanism::OAuthBearer, true),
            (Mechanism::XOAuth2, true),
            (Mechanism::ScramSha1, false),
            (Mechanism::ScramSha256, false),
        ];
        assert_eq!(table.len(), Mechanism::ALL.len());
        for (m, expected) in table {
            assert_eq!(m.sends_reusable_credential(), expected, "{m}");
        }
    }

    #[test]
    fn names_round_trip_case_insensitively() {
        for m in Mechanism::ALL {
            assert_eq!(Mechanism::from_name(m.name()), Ok(m));
            assert_eq!(Mechanism::from_name(&m.name().to_lowercase()), Ok(m));
        }
        let table = [
            ("plain", Ok(Mechanism::Plain)),
            ("Scram-Sha-256", Ok(Mechanism::ScramSha256)),
            ("xoauth2", Ok(Mechanism::XOAuth2)),
            (
                "SCRAM-SHA-256-PLUS",
                Err(SaslError::UnsupportedMechanism("SCRAM-SHA-256-PLUS".into())),
            ),
            ("", Err(SaslError::UnsupportedMechanism(String::new()))),
        ];
        for (name, expected) in table {
            assert_eq!(Mechanism::from_name(name), expected, "{name}");
        }
    }
}
