//! Command serialiser (client side): [`Command::write_to`].
//!
//! Output follows RFC 1939 §3: the keyword in upper case, arguments separated by one space, the
//! line ended by CRLF. Values built by the application are written as given, except that CR, LF
//! and NUL (and, in one-word arguments such as `USER`'s name, white space) are replaced by `?`,
//! so that no value can end the line early or smuggle a second command. `PASS` keeps its spaces
//! (RFC 1939 §7). Length limits are not checked here: a client sends `AUTH`'s initial response
//! only when the line stays within 255 octets (RFC 5034 §4), see [`Command::fits_line_limit`].

use crate::parse::command::MAX_COMMAND_LINE;
use crate::types::command::{Command, LangArg};

/// Appends `s` with CR, LF, NUL (and, when `word`, SP and TAB) replaced by `?`.
fn push_arg(out: &mut Vec<u8>, s: &str, word: bool) {
    out.push(b' ');
    out.extend(s.bytes().map(|b| match b {
        b'\r' | b'\n' | 0 => b'?',
        b' ' | b'\t' if word => b'?',
        _ => b,
    }));
}

impl Command<'_> {
    /// Appends the command line, CRLF included, to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.keyword().as_bytes());
        match self {
            Command::User(name) => push_arg(out, name, true),
            Command::Pass(p) => push_arg(out, p.expose(), false),
            Command::Apop { name, digest } => {
                push_arg(out, name, true);
                push_arg(out, digest.expose(), true);
            }
            Command::List(Some(m))
            | Command::Uidl(Some(m))
            | Command::Retr(m)
            | Command::Dele(m) => push_arg(out, &m.to_string(), true),
            Command::Top { msg, lines } => {
                push_arg(out, &msg.to_string(), true);
                push_arg(out, &lines.to_string(), true);
            }
            Command::Auth {
                mechanism,
                initial_response,
            } => {
                push_arg(out, mechanism, true);
                if let Some(r) = initial_response {
                    push_arg(out, r.expose(), true);
                }
            }
            Command::Lang(Some(LangArg::Tag(t))) => push_arg(out, t, true),
            Command::Lang(Some(LangArg::Wildcard)) => out.extend_from_slice(b" *"),
            Command::List(None)
            | Command::Uidl(None)
            | Command::Stat
            | Command::Noop
            | Command::Rset
            | Command::Quit
            | Command::Capa
            | Command::Stls
            | Command::AuthList
            | Command::Utf8
            | Command::Lang(None) => {}
        }
        out.extend_from_slice(b"\r\n");
    }

    /// The command line as a new buffer; see [`Command::write_to`].
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_to(&mut out);
        out
    }

    /// Whether the written line, CRLF included, stays within RFC 2449 §4's 255 octets. A client
    /// checks this before sending `AUTH` with an initial response, and otherwise sends `AUTH
    /// mechanism` and the response after the server's `+` (RFC 5034 §4).
    pub fn fits_line_limit(&self) -> bool {
        self.to_bytes().len() <= MAX_COMMAND_LINE
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use proptest::prelude::*;
    use sasl::Secret;

    use super::*;
    use crate::parse::command::parse_command;
    use crate::types::listing::MsgNum;

    fn m(n: u32) -> MsgNum {
        MsgNum::new(n).expect("non-zero")
    }

    #[test]
    fn table() {
        let cases: Vec<(Command<'_>, &[u8])> = vec![
            (Command::Stat, b"STAT\r\n"),
            (Command::List(None), b"LIST\r\n"),
            (Command::List(Some(m(2))), b"LIST 2\r\n"),
            (
                Command::Top {
                    msg: m(1),
                    lines: 10,
                },
                b"TOP 1 10\r\n",
            ),
            (Command::User("mrose".into()), b"USER mrose\r\n"),
            (
                Command::User("a b\r\nDELE 1".into()),
                b"USER a?b??DELE?1\r\n",
            ),
            (
                Command::Pass(Secret::new("my secret\r\nX".into())),
                b"PASS my secret??X\r\n",
            ),
            (
                Command::Apop {
                    name: "mrose".into(),
                    digest: Secret::new("c4c9334bac560ecc979e58001b3e22fb".into()),
                },
                b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n",
            ),
            (Command::AuthList, b"AUTH\r\n"),
            (
                Command::Auth {
                    mechanism: "PLAIN".into(),
                    initial_response: Some(Secret::new("=".into())),
                },
                b"AUTH PLAIN =\r\n",
            ),
            (Command::Lang(Some(LangArg::Wildcard)), b"LANG *\r\n"),
            (
                Command::Lang(Some(LangArg::Tag("es".into()))),
                b"LANG es\r\n",
            ),
            (Command::Utf8, b"UTF8\r\n"),
            (Command::Stls, b"STLS\r\n"),
        ];
        for (cmd, wire) in cases {
            assert_eq!(cmd.to_bytes(), wire, "{cmd:?}");
        }
        let long = Command::Auth {
            mechanism: "PLAIN".into(),
            initial_response: Some(Secret::new("A".repeat(250).into())),
        };
        assert!(!long.fits_line_limit());
        assert!(Command::Quit.fits_line_limit());
    }

    fn word() -> impl Strategy<Value = String> {
        "[!-~&&[^*]][!-~]{0,39}".prop_map(|s| s)
    }

    fn msg() -> impl Strategy<Value = MsgNum> {
        (1u32..).prop_map(m)
    }

    fn command() -> impl Strategy<Value = Command<'static>> {
        prop_oneof![
            word().prop_map(|w| Command::User(Cow::Owned(w))),
            "[!-~][ -~]{0,39}".prop_map(|p| Command::Pass(Secret::new(Cow::Owned(p)))),
            (word(), "[0-9a-f]{32}").prop_map(|(n, d)| Command::Apop {
                name: Cow::Owned(n),
                digest: Secret::new(Cow::Owned(d)),
            }),
            Just(Command::Stat),
            proptest::option::of(msg()).prop_map(Command::List),
            msg().prop_map(Command::Retr),
            msg().prop_map(Command::Dele),
            Just(Command::Noop),
            Just(Command::Rset),
            Just(Command::Quit),
            (msg(), any::<u32>()).prop_map(|(msg, lines)| Command::Top { msg, lines }),
            proptest::option::of(msg()).prop_map(Command::Uidl),
            Just(Command::Capa),
            Just(Command::Stls),
            Just(Command::AuthList),
            (
                "[A-Z0-9_-]{1,20}",
                proptest::option::of("[A-Za-z0-9+/]{0,200}={0,2}")
                    .prop_filter("empty response is '='", |r| r
                        .as_ref()
                        .is_none_or(|r| !r.is_empty()))
            )
                .prop_map(|(mechanism, r)| Command::Auth {
                    mechanism: Cow::Owned(mechanism),
                    initial_response: r.map(|r| Secret::new(Cow::Owned(r))),
                }),
            Just(Command::Utf8),
            proptest::option::of(prop_oneof![
                Just(LangArg::Wildcard),
                "[a-zA-Z][a-zA-Z0-9-]{0,20}".prop_map(|t| LangArg::Tag(Cow::Owned(t))),
            ])
            .prop_map(Command::Lang),
        ]
    }

    proptest! {
        #[test]
        fn build_then_parse(cmd in command()) {
            let wire = cmd.to_bytes();
            prop_assert!(wire.ends_with(b"\r\n"));
            let line = wire.get(..wire.len() - 2).unwrap_or_default();
            prop_assert_eq!(parse_command(line), Ok(cmd));
        }
    }
}
