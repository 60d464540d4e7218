//! POP3 commands (RFC 1939 §4–§7, RFC 2449 §5, RFC 2595 §4, RFC 5034 §4, RFC 6856 §2–§3).
//!
//! Parse them with [`crate::parse::command::parse_command`], write them with
//! [`Command::write_to`].

use std::borrow::Cow;

use sasl::Secret;

use super::listing::MsgNum;

/// One command line, its arguments borrowed from the line where possible.
///
/// Credentials (`PASS`'s password, `APOP`'s digest, `AUTH`'s initial response) are wrapped in [`Secret`], whose
/// `Debug` prints `[redacted]`, so logging a command never leaks them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command<'a> {
    /// `USER name` (RFC 1939 §7).
    User(Cow<'a, str>),
    /// `PASS string` (RFC 1939 §7): the rest of the line, spaces included.
    Pass(Secret<Cow<'a, str>>),
    /// `APOP name digest` (RFC 1939 §7).
    Apop {
        /// The mailbox name.
        name: Cow<'a, str>,
        /// The MD5 digest of the greeting's timestamp and the shared secret, 32 lower-case hex
        /// digits. Wrapped in [`Secret`]: with the greeting it allows an offline guess of the
        /// shared secret.
        digest: Secret<Cow<'a, str>>,
    },
    /// `STAT` (RFC 1939 §5).
    Stat,
    /// `LIST [msg]` (RFC 1939 §5).
    List(Option<MsgNum>),
    /// `RETR msg` (RFC 1939 §5).
    Retr(MsgNum),
    /// `DELE msg` (RFC 1939 §5).
    Dele(MsgNum),
    /// `NOOP` (RFC 1939 §5).
    Noop,
    /// `RSET` (RFC 1939 §5).
    Rset,
    /// `QUIT` (RFC 1939 §4, §6).
    Quit,
    /// `TOP msg n` (RFC 1939 §7): the header and the first `lines` lines of the body.
    Top {
        /// The message number.
        msg: MsgNum,
        /// How many body lines to send (0: the header only).
        lines: u32,
    },
    /// `UIDL [msg]` (RFC 1939 §7).
    Uidl(Option<MsgNum>),
    /// `CAPA` (RFC 2449 §5).
    Capa,
    /// `STLS` (RFC 2595 §4).
    Stls,
    /// `AUTH` with no argument: list the SASL mechanisms (RFC 5034 §4, as implemented by most
    /// servers; the list ends with `.`).
    AuthList,
    /// `AUTH mechanism [initial-response]` (RFC 5034 §4).
    Auth {
        /// The SASL mechanism name, upper case.
        mechanism: Cow<'a, str>,
        /// The initial response as sent: base64 text, or `=` for an empty response.
        initial_response: Option<Secret<Cow<'a, str>>>,
    },
    /// `UTF8` (RFC 6856 §2).
    Utf8,
    /// `LANG [lang-or-wild]` (RFC 6856 §3): without argument, list the languages.
    Lang(Option<LangArg<'a>>),
}

/// The argument of `LANG` (RFC 6856 §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LangArg<'a> {
    /// A language tag (RFC 5646), as sent.
    Tag(Cow<'a, str>),
    /// `*`: the server's default language.
    Wildcard,
}

impl LangArg<'_> {
    /// Detaches the argument from the line it borrowed from.
    pub fn into_owned(self) -> LangArg<'static> {
        match self {
            LangArg::Tag(t) => LangArg::Tag(Cow::Owned(t.into_owned())),
            LangArg::Wildcard => LangArg::Wildcard,
        }
    }
}

impl Command<'_> {
    /// The command keyword in upper case (`"RETR"`, `"STLS"`, ...).
    pub fn keyword(&self) -> &'static str {
        match self {
            Command::User(_) => "USER",
            Command::Pass(_) => "PASS",
            Command::Apop { .. } => "APOP",
            Command::Stat => "STAT",
            Command::List(_) => "LIST",
            Command::Retr(_) => "RETR",
            Command::Dele(_) => "DELE",
            Command::Noop => "NOOP",
            Command::Rset => "RSET",
            Command::Quit => "QUIT",
            Command::Top { .. } => "TOP",
            Command::Uidl(_) => "UIDL",
            Command::Capa => "CAPA",
            Command::Stls => "STLS",
            Command::AuthList | Command::Auth { .. } => "AUTH",
            Command::Utf8 => "UTF8",
            Command::Lang(_) => "LANG",
        }
    }

    /// Whether the server answers with a multi-line response (RFC 1939 §3) when it answers
    /// `+OK`. `LIST`/`UIDL` with an argument and `LANG` with one are single-line.
    pub fn has_multiline_response(&self) -> bool {
        matches!(
            self,
            Command::List(None)
                | Command::Uidl(None)
                | Command::Retr(_)
                | Command::Top { .. }
                | Command::Capa
                | Command::AuthList
                | Command::Lang(None)
        )
    }

    /// Detaches the command from the line it borrowed from.
    pub fn into_owned(self) -> Command<'static> {
        fn own(c: Cow<'_, str>) -> Cow<'static, str> {
            Cow::Owned(c.into_owned())
        }
        match self {
            Command::User(n) => Command::User(own(n)),
            Command::Pass(p) => Command::Pass(Secret::new(own(p.into_inner()))),
            Command::Apop { name, digest } => Command::Apop {
                name: own(name),
                digest: Secret::new(own(digest.into_inner())),
            },
            Command::Stat => Command::Stat,
            Command::List(m) => Command::List(m),
            Command::Retr(m) => Command::Retr(m),
            Command::Dele(m) => Command::Dele(m),
            Command::Noop => Command::Noop,
            Command::Rset => Command::Rset,
            Command::Quit => Command::Quit,
            Command::Top { msg, lines } => Command::Top { msg, lines },
            Command::Uidl(m) => Command::Uidl(m),
            Command::Capa => Command::Capa,
            Command::Stls => Command::Stls,
            Command::AuthList => Command::AuthList,
            Command::Auth {
                mechanism,
                initial_response,
            } => Command::Auth {
                mechanism: own(mechanism),
                initial_response: initial_response.map(|r| Secret::new(own(r.into_inner()))),
            },
            Command::Utf8 => Command::Utf8,
            Command::Lang(l) => Command::Lang(l.map(LangArg::into_owned)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_credentials() {
        let c = Command::Pass(Secret::new(Cow::Borrowed("tanstaaf")));
        assert!(!format!("{c:?}").contains("tanstaaf"));
        let c = Command::Auth {
            mechanism: "PLAIN".into(),
            initial_response: Some(Secret::new("AGZvbwBiYXI=".into())),
        };
        let s = format!("{c:?}");
        assert!(!s.contains("AGZvbwBiYXI="), "{s}");
        assert!(s.contains("PLAIN"));
        let c = Command::Apop {
            name: "mrose".into(),
            digest: Secret::new("c4c9334bac560ecc979e58001b3e22fb".into()),
        };
        let s = format!("{c:?}");
        assert!(!s.contains("c4c9334bac560ecc979e58001b3e22fb"), "{s}");
        assert!(s.contains("mrose"));
    }

    #[test]
    fn into_owned_keeps_value() {
        let line = String::from("mrose");
        let c = Command::User(Cow::Borrowed(&line)).into_owned();
        drop(line);
        assert_eq!(c, Command::User("mrose".into()));
    }
}
