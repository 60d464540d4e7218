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
                    _ => params.other.push(Param { keyword: k.to_owned() }),
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

// data
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BareLineEndingPolicy {
    #[default]
    Reject,
    Normalize,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataError;
impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("bare CR or LF")
    }
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decoded {
    pub consumed: usize,
    pub finished: bool,
}
/// Byte-at-a-time dot-unstuffer; the real one is faster.
#[derive(Debug)]
pub struct DataDecoder {
    st: u8, // 0 start of line, 1 mid, 2 saw CR mid, 3 dot at sol, 4 CR after dot
    len: u64,
    err: Option<DataError>,
}
impl DataDecoder {
    pub fn new(_p: BareLineEndingPolicy) -> Self {
        Self {
            st: 0,
            len: 0,
            err: None,
        }
    }
    pub fn error(&self) -> Option<&DataError> {
        self.err.as_ref()
    }
    pub fn body_len(&self) -> u64 {
        self.len
    }
    pub fn decode(&mut self, input: &[u8], out: &mut Vec<u8>) -> Decoded {
        for (i, &b) in input.iter().enumerate() {
            let start = out.len();
            match (self.st, b) {
                (0, b'.') => self.st = 3,
                (3, b'\r') => self.st = 4,
                (4, b'\n') => {
                    return Decoded {
                        consumed: i + 1,
                        finished: true,
                    };
                }
                (4, _) => {
                    self.err = Some(DataError);
                    out.push(b'\r');
                    out.push(b);
                    self.st = 1;
                }
                (2, b'\n') => {
                    out.extend_from_slice(b"\r\n");
                    self.st = 0;
                }
                (2, _) => {
                    self.err = Some(DataError);
                    out.push(b'\r');
                    if b == b'\r' {
                        self.st = 2
                    } else {
                        out.push(b);
                        self.st = 1
                    }
                }
                (_, b'\r') => self.st = 2,
                (_, b'\n') => {
                    self.err = Some(DataError);
                    out.push(b);
                    self.st = 1;
                }
                (_, _) => {
                    out.push(b);
                    self.st = 1;
                }
            }
            self.len += (out.len() - start) as u64;
        }
        Decoded {
            consumed: input.len(),
            finished: false,
        }
    }
}
#[derive(Debug)]
pub struct BdatDecoder {
    remaining: u64,
}
impl BdatDecoder {
    pub fn new(size: u64) -> Self {
        Self { remaining: size }
    }
    pub fn remaining(&self) -> u64 {
        self.remaining
    }
    pub fn decode(&mut self, input: &[u8], out: &mut Vec<u8>) -> Decoded {
        let n = usize::try_from(self.remaining)
            .unwrap_or(usize::MAX)
            .min(input.len());
        out.extend_from_slice(&input[..n]);
        self.remaining -= n as u64;
        Decoded {
            consumed: n,
            finished: self.remaining == 0,
        }
    }
}

// auth
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthResponse {
    Cancel,
    Data(Vec<u8>),
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthError;
impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid base64")
    }
}
pub fn decode_response(line: &[u8]) -> Result<AuthResponse, AuthError> {
    use base64::Engine;
    match line {
        b"*" => Ok(AuthResponse::Cancel),
        b"=" => Ok(AuthResponse::Data(Vec::new())),
        _ => base64::engine::general_purpose::STANDARD
            .decode(line)
            .map(AuthResponse::Data)
            .map_err(|_| AuthError),
    }
}
pub fn encode_challenge(bytes: &[u8], out: &mut Vec<u8>) {
    use base64::Engine;
    out.extend_from_slice(b"334 ");
    out.extend_from_slice(
        base64::engine::general_purpose::STANDARD
            .encode(bytes)
            .as_bytes(),
    );
    out.extend_from_slice(b"\r\n");
}

// sasl
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    Plain,
    Login,
    ScramSha256,
}
impl Mechanism {
    pub fn from_name(n: &str) -> Result<Self, ()> {
        match n.to_ascii_uppercase().as_str() {
            "PLAIN" => Ok(Self::Plain),
            "LOGIN" => Ok(Self::Login),
            "SCRAM-SHA-256" => Ok(Self::ScramSha256),
            _ => Err(()),
        }
    }
    pub fn is_plaintext(self) -> bool {
        !matches!(self, Self::ScramSha256)
    }
    pub fn name(&self) -> &'static str {
        match self {
            Self::Plain => "PLAIN",
            Self::Login => "LOGIN",
            Self::ScramSha256 => "SCRAM-SHA-256",
        }
    }
}

#[cfg(feature = "server")]
pub mod sasl {
    pub use super::Mechanism;
    #[derive(Debug)]
    pub struct SaslError(pub bool);
    impl SaslError {
        pub fn is_temporary(&self) -> bool {
            self.0
        }
    }
    #[async_trait::async_trait]
    pub trait CredentialStore: Send + Sync {
        async fn check_password(&self, user: &str, password: &str) -> bool;
    }
    pub struct Authenticated(String);
    impl Authenticated {
        pub fn user(&self) -> &str {
            &self.0
        }
    }
    pub enum ServerStep {
        Challenge(Vec<u8>),
        Success(Authenticated),
    }
    pub struct ServerSession {
        mechanism: Mechanism,
        user: Option<String>,
    }
    impl ServerSession {
        pub fn new(mechanism: Mechanism) -> Self {
            Self {
                mechanism,
                user: None,
            }
        }
        pub async fn start_with(
            &mut self,
            ir: Option<&[u8]>,
            store: &dyn CredentialStore,
        ) -> Result<ServerStep, SaslError> {
            match (self.mechanism, ir) {
                (Mechanism::Plain, None) => Ok(ServerStep::Challenge(Vec::new())),
                (_, None) => Ok(ServerStep::Challenge(b"Username:".to_vec())),
                (_, Some(r)) => self.step_with(r, store).await,
            }
        }
        pub async fn step_with(
            &mut self,
            r: &[u8],
            store: &dyn CredentialStore,
        ) -> Result<ServerStep, SaslError> {
            let (user, pass) = match self.mechanism {
                Mechanism::Plain => {
                    let mut p = r.split(|b| *b == 0).skip(1);
                    (
                        p.next().unwrap_or_default().to_vec(),
                        p.next().unwrap_or_default().to_vec(),
                    )
                }
                _ => match self.user.take() {
                    None => {
                        self.user = Some(String::from_utf8_lossy(r).into_owned());
                        return Ok(ServerStep::Challenge(b"Password:".to_vec()));
                    }
                    Some(u) => (u.into_bytes(), r.to_vec()),
                },
            };
            let (user, pass) = (
                String::from_utf8_lossy(&user).into_owned(),
                String::from_utf8_lossy(&pass).into_owned(),
            );
            if store.check_password(&user, &pass).await {
                Ok(ServerStep::Success(Authenticated(user)))
            } else {
                Err(SaslError(false))
            }
        }
    }
}
