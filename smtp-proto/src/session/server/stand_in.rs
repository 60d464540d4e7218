//! TEMPORARY stand-ins for the APIs other helpers are writing (types, parse, data, auth, sasl).
//! Deleted when their code lands on `main`; only [`super::deps`] refers to this module.
#![allow(missing_docs, dead_code)]

use std::borrow::Cow;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox<'a> {
    pub local_part: Cow<'a, str>,
    pub host: Cow<'a, str>,
}
impl Mailbox<'_> {
    pub fn is_ascii(&self) -> bool {
        self.local_part.is_ascii() && self.host.is_ascii()
    }
    pub fn into_owned(self) -> Mailbox<'static> {
        Mailbox {
            local_part: Cow::Owned(self.local_part.into_owned()),
            host: Cow::Owned(self.host.into_owned()),
        }
    }
}
impl fmt::Display for Mailbox<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.local_part, self.host)
    }
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReversePath<'a> {
    Null,
    Mailbox(Mailbox<'a>),
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardPath<'a> {
    Postmaster,
    Mailbox(Mailbox<'a>),
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    SevenBit,
    EightBitMime,
    BinaryMime,
}
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MailParams {
    pub size: Option<u64>,
    pub body: Option<Body>,
    pub smtputf8: bool,
    pub requiretls: bool,
    pub ret: Option<()>,
    pub envid: Option<String>,
    pub auth: Option<Option<String>>,
    pub mt_priority: Option<i8>,
    pub other: Vec<Param>,
}
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Param {
    pub keyword: String,
}
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RcptParams {
    pub notify: Option<()>,
    pub orcpt: Option<()>,
    pub other: Vec<Param>,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailFrom<'a> {
    pub path: ReversePath<'a>,
    pub params: MailParams,
}
impl MailFrom<'_> {
    pub fn into_owned(self) -> MailFrom<'static> {
        MailFrom {
            path: match self.path {
                ReversePath::Null => ReversePath::Null,
                ReversePath::Mailbox(m) => ReversePath::Mailbox(m.into_owned()),
            },
            params: self.params,
        }
    }
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rcpt<'a> {
    pub path: ForwardPath<'a>,
    pub params: RcptParams,
}
impl Rcpt<'_> {
    pub fn into_owned(self) -> Rcpt<'static> {
        Rcpt {
            params: self.params,
            path: match self.path {
                ForwardPath::Postmaster => ForwardPath::Postmaster,
                ForwardPath::Mailbox(m) => ForwardPath::Mailbox(m.into_owned()),
            },
        }
    }
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host<'a> {
    Domain(Cow<'a, str>),
}
impl Host<'_> {
    pub fn into_owned(self) -> Host<'static> {
        match self {
            Host::Domain(d) => Host::Domain(Cow::Owned(d.into_owned())),
        }
    }
}
impl fmt::Display for Host<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Domain(d) => f.write_str(d),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command<'a> {
    Ehlo {
        host: Host<'a>,
    },
    Helo {
        host: Host<'a>,
    },
    Lhlo {
        host: Host<'a>,
    },
    Mail(MailFrom<'a>),
    Rcpt(Rcpt<'a>),
    Data,
    Bdat {
        size: u64,
        last: bool,
    },
    Rset,
    Vrfy(Cow<'a, str>),
    Expn(Cow<'a, str>),
    Help(Option<Cow<'a, str>>),
    Noop(Option<Cow<'a, str>>),
    Quit,
    StartTls,
    Auth {
        mechanism: Cow<'a, str>,
        initial_response: Option<Cow<'a, [u8]>>,
    },
    Etrn(Cow<'a, str>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandError(pub u16, pub (u8, u16, u16), pub &'static str);
impl CommandError {
    pub fn code(&self) -> u16 {
        self.0
    }
    pub fn enhanced(&self) -> (u8, u16, u16) {
        self.1
    }
}
impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.2)
    }
}
impl std::error::Error for CommandError {}

fn syntax() -> CommandError {
    CommandError(501, (5, 5, 4), "syntax error in parameters")
}

fn path(s: &str) -> Result<Option<Mailbox<'_>>, CommandError> {
    let inner = s
        .strip_prefix('<')
        .and_then(|s| s.strip_suffix('>'))
        .ok_or_else(syntax)?;
    if inner.is_empty() {
        return Ok(None);
    }
    let (l, h) = inner.rsplit_once('@').ok_or_else(syntax)?;
    Ok(Some(Mailbox {
        local_part: Cow::Borrowed(l),
        host: Cow::Borrowed(h),
    }))
}

pub fn parse_command(line: &[u8]) -> Result<Command<'_>, CommandError> {
    let s = std::str::from_utf8(line).map_err(|_| CommandError(500, (5, 5, 2), "invalid UTF-8"))?;
    let (verb, rest) = s.split_once(' ').unwrap_or((s, ""));
    let v = verb.to_ascii_uppercase();
    let arg =
        |r: &str| -> Result<(), CommandError> { if r.is_empty() { Ok(()) } else { Err(syntax()) } };
    Ok(match v.as_str() {
        "EHLO" | "HELO" | "LHLO" => {
            if rest.is_empty() || rest.contains(' ') {
                return Err(CommandError(501, (5, 5, 4), "syntax: EHLO domain"));
            }
            let host = Host::Domain(Cow::Borrowed(rest));
            match v.as_str() {
                "EHLO" => Command::Ehlo { host },
                "HELO" => Command::Helo { host },
                _ => Command::Lhlo { host },
            }
        }
        "MAIL" => {
            let r = rest
                .strip_prefix("FROM:")
                .or_else(|| rest.strip_prefix("from:"))
                .ok_or_else(syntax)?;
            let mut it = r.split(' ');
            let p = path(it.next().unwrap_or(""))?;
            let mut params = MailParams::default();
            for kv in it {
                let (k, val) = kv.split_once('=').unwrap_or((kv, ""));
                match k.to_ascii_uppercase().as_str() {
                    "SIZE" => params.size = Some(val.parse().map_err(|_| syntax())?),
                    "BODY" => {
                        params.body = Some(match val.to_ascii_uppercase().as_str() {
                            "7BIT" => Body::SevenBit,
                            "8BITMIME" => Body::EightBitMime,
                            "BINARYMIME" => Body::BinaryMime,
                            _ => return Err(CommandError(501, (5, 5, 4), "bad BODY")),
                        })
                    }
                    "SMTPUTF8" => params.smtputf8 = true,
                    "REQUIRETLS" => params.requiretls = true,
                    _ => params.other.push(Param {
                        keyword: k.to_owned(),
                    }),
                }
            }
            Command::Mail(MailFrom {
                path: p.map_or(ReversePath::Null, ReversePath::Mailbox),
                params,
            })
        }
        "RCPT" => {
            let r = rest
                .strip_prefix("TO:")
                .or_else(|| rest.strip_prefix("to:"))
                .ok_or_else(syntax)?;
            let p = r.split(' ').next().unwrap_or("");
            if p.eq_ignore_ascii_case("<postmaster>") {
                Command::Rcpt(Rcpt {
                    path: ForwardPath::Postmaster,
                    params: RcptParams::default(),
                })
            } else {
                Command::Rcpt(Rcpt {
                    path: ForwardPath::Mailbox(path(p)?.ok_or_else(syntax)?),
                    params: RcptParams::default(),
                })
            }
        }
        "DATA" => {
            arg(rest)?;
            Command::Data
        }
        "BDAT" => {
            let mut it = rest.split(' ');
            let size = it.next().unwrap_or("").parse().map_err(|_| syntax())?;
            let last = match it.next() {
                None => false,
                Some(l) if l.eq_ignore_ascii_case("LAST") => true,
                _ => return Err(syntax()),
            };
            Command::Bdat { size, last }
        }
        "RSET" => {
            arg(rest)?;
            Command::Rset
        }
        "VRFY" => Command::Vrfy(Cow::Borrowed(rest)),
        "EXPN" => Command::Expn(Cow::Borrowed(rest)),
        "ETRN" => Command::Etrn(Cow::Borrowed(rest)),
        "HELP" => Command::Help((!rest.is_empty()).then_some(Cow::Borrowed(rest))),
        "NOOP" => Command::Noop((!rest.is_empty()).then_some(Cow::Borrowed(rest))),
        "QUIT" => {
            arg(rest)?;
            Command::Quit
        }
        "STARTTLS" => {
            arg(rest)?;
            Command::StartTls
        }
        "AUTH" => {
            let (m, ir) = rest
                .split_once(' ')
                .map_or((rest, None), |(m, i)| (m, Some(i)));
            if m.is_empty() {
                return Err(syntax());
            }
            Command::Auth {
                mechanism: Cow::Owned(m.to_ascii_uppercase()),
                initial_response: ir.map(|i| Cow::Borrowed(i.as_bytes())),
            }
        }
        _ => return Err(CommandError(500, (5, 5, 1), "command unrecognized")),
    })
}
