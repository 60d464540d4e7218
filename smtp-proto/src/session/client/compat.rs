//! TEMPORARY stand-ins for the interfaces other helpers are writing (removed at merge).
#![allow(missing_docs, dead_code)]

use std::borrow::Cow;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyCode(u16);
impl ReplyCode {
    pub const fn new(c: u16) -> Option<Self> {
        if c >= 200 && c <= 599 {
            Some(Self(c))
        } else {
            None
        }
    }
    pub const fn get(self) -> u16 {
        self.0
    }
    pub const fn is_positive_completion(self) -> bool {
        self.0 / 100 == 2
    }
    pub const fn is_positive_intermediate(self) -> bool {
        self.0 / 100 == 3
    }
    pub const fn is_transient_negative(self) -> bool {
        self.0 / 100 == 4
    }
    pub const fn is_permanent_negative(self) -> bool {
        self.0 / 100 == 5
    }
}
impl fmt::Display for ReplyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnhancedStatusCode {
    pub class: u8,
    pub subject: u16,
    pub detail: u16,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply<'a> {
    pub code: ReplyCode,
    pub enhanced: Option<EnhancedStatusCode>,
    pub lines: Vec<Cow<'a, str>>,
}
impl<'a> Reply<'a> {
    pub fn new(
        code: ReplyCode,
        enhanced: Option<EnhancedStatusCode>,
        text: impl Into<Cow<'a, str>>,
    ) -> Self {
        let t: Cow<'a, str> = text.into();
        Self {
            code,
            enhanced,
            lines: t.split('\n').map(|l| Cow::Owned(l.to_string())).collect(),
        }
    }
    pub const fn is_success(&self) -> bool {
        self.code.is_positive_completion()
    }
    pub const fn is_intermediate(&self) -> bool {
        self.code.is_positive_intermediate()
    }
    pub const fn is_temporary(&self) -> bool {
        self.code.is_transient_negative()
    }
    pub const fn is_permanent(&self) -> bool {
        self.code.is_permanent_negative()
    }
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }
    pub fn into_owned(self) -> Reply<'static> {
        Reply {
            code: self.code,
            enhanced: self.enhanced,
            lines: self
                .lines
                .into_iter()
                .map(|l| Cow::Owned(l.into_owned()))
                .collect(),
        }
    }
}
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    #[error("incomplete")]
    Incomplete,
    #[error("invalid code at {at}")]
    InvalidCode { at: usize },
    #[error("ehlo not ok")]
    EhloNotOk { code: u16 },
}
pub fn parse_reply(buf: &[u8]) -> Result<(Reply<'_>, usize), ReplyError> {
    let mut pos = 0;
    let mut code: Option<ReplyCode> = None;
    let mut lines = Vec::new();
    loop {
        let rest = buf.get(pos..).unwrap_or_default();
        let Some(nl) = rest.iter().position(|&b| b == b'\n') else {
            if rest.len() >= 4 && !rest[..3].iter().all(u8::is_ascii_digit) {
                return Err(ReplyError::InvalidCode { at: pos });
            }
            return Err(ReplyError::Incomplete);
        };
        let line = &rest[..nl];
        let line = line
            .strip_suffix(b"\r")
            .ok_or(ReplyError::InvalidCode { at: pos })?;
        if line.len() < 3 || !line[..3].iter().all(u8::is_ascii_digit) {
            return Err(ReplyError::InvalidCode { at: pos });
        }
        let c: u16 = std::str::from_utf8(&line[..3])
            .unwrap_or("0")
            .parse()
            .unwrap_or(0);
        let c = ReplyCode::new(c).ok_or(ReplyError::InvalidCode { at: pos })?;
        if code.is_some_and(|p| p != c) {
            return Err(ReplyError::InvalidCode { at: pos });
        }
        code = Some(c);
        let sep = line.get(3).copied();
        let text = String::from_utf8_lossy(line.get(4..).unwrap_or_default()).into_owned();
        lines.push(Cow::Owned(text));
        pos += nl + 1;
        match sep {
            Some(b'-') => continue,
            None | Some(b' ') => break,
            _ => return Err(ReplyError::InvalidCode { at: pos }),
        }
    }
    Ok((
        Reply {
            code: code.ok_or(ReplyError::Incomplete)?,
            enhanced: None,
            lines,
        },
        pos,
    ))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Capability<'a> {
    Size(Option<u64>),
    Auth(Vec<Cow<'a, str>>),
    Pipelining,
    Chunking,
    EightBitMime,
    BinaryMime,
    SmtpUtf8,
    Dsn,
    StartTls,
    EnhancedStatusCodes,
    RequireTls,
    MtPriority(Option<Cow<'a, str>>),
    Other {
        keyword: Cow<'a, str>,
        params: Vec<Cow<'a, str>>,
    },
}
impl Capability<'_> {
    pub fn keyword(&self) -> &str {
        match self {
            Self::Size(_) => "SIZE",
            Self::Auth(_) => "AUTH",
            Self::Pipelining => "PIPELINING",
            Self::Chunking => "CHUNKING",
            Self::EightBitMime => "8BITMIME",
            Self::BinaryMime => "BINARYMIME",
            Self::SmtpUtf8 => "SMTPUTF8",
            Self::Dsn => "DSN",
            Self::StartTls => "STARTTLS",
            Self::EnhancedStatusCodes => "ENHANCEDSTATUSCODES",
            Self::RequireTls => "REQUIRETLS",
            Self::MtPriority(_) => "MT-PRIORITY",
            Self::Other { keyword, .. } => keyword,
        }
    }
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EhloReply<'a> {
    pub domain: Cow<'a, str>,
    pub greeting: Option<Cow<'a, str>>,
    pub capabilities: Vec<Capability<'a>>,
}
impl EhloReply<'_> {
    pub fn from_reply<'r>(r: &'r Reply<'_>) -> Result<EhloReply<'r>, ReplyError> {
        if r.code.get() != 250 {
            return Err(ReplyError::EhloNotOk { code: r.code.get() });
        }
        let mut caps = Vec::new();
        for l in r.lines.iter().skip(1) {
            let mut it = l.split([' ', '=']);
            let kw = it.next().unwrap_or("").to_ascii_uppercase();
            let params: Vec<&str> = it.collect();
            caps.push(match kw.as_str() {
                "SIZE" => Capability::Size(params.first().and_then(|p| p.parse().ok())),
                "AUTH" => {
                    Capability::Auth(params.iter().map(|p| Cow::Owned(p.to_string())).collect())
                }
                "PIPELINING" => Capability::Pipelining,
                "CHUNKING" => Capability::Chunking,
                "8BITMIME" => Capability::EightBitMime,
                "BINARYMIME" => Capability::BinaryMime,
                "SMTPUTF8" => Capability::SmtpUtf8,
                "DSN" => Capability::Dsn,
                "STARTTLS" => Capability::StartTls,
                "ENHANCEDSTATUSCODES" => Capability::EnhancedStatusCodes,
                "REQUIRETLS" => Capability::RequireTls,
                _ => Capability::Other {
                    keyword: Cow::Owned(kw),
                    params: vec![],
                },
            });
        }
        let first = r.lines.first().map(|l| l.to_string()).unwrap_or_default();
        Ok(EhloReply {
            domain: Cow::Owned(first),
            greeting: None,
            capabilities: caps,
        })
    }
    pub fn has(&self, keyword: &str) -> bool {
        self.capabilities
            .iter()
            .any(|c| c.keyword().eq_ignore_ascii_case(keyword))
    }
    pub fn size_limit(&self) -> Option<u64> {
        self.capabilities.iter().find_map(|c| match c {
            Capability::Size(Some(n)) if *n > 0 => Some(*n),
            _ => None,
        })
    }
    pub fn auth_mechanisms(&self) -> Vec<&str> {
        let mut out = Vec::new();
        for c in &self.capabilities {
            if let Capability::Auth(m) = c {
                out.extend(m.iter().map(|s| s.as_ref()));
            }
        }
        out
    }
    pub fn into_owned(self) -> EhloReply<'static> {
        EhloReply {
            domain: Cow::Owned(self.domain.into_owned()),
            greeting: None,
            capabilities: self
                .capabilities
                .into_iter()
                .map(|c| match c {
                    Capability::Auth(m) => Capability::Auth(
                        m.into_iter().map(|s| Cow::Owned(s.into_owned())).collect(),
                    ),
                    Capability::Size(n) => Capability::Size(n),
                    Capability::Pipelining => Capability::Pipelining,
                    Capability::Chunking => Capability::Chunking,
                    Capability::EightBitMime => Capability::EightBitMime,
                    Capability::BinaryMime => Capability::BinaryMime,
                    Capability::SmtpUtf8 => Capability::SmtpUtf8,
                    Capability::Dsn => Capability::Dsn,
                    Capability::StartTls => Capability::StartTls,
                    Capability::EnhancedStatusCodes => Capability::EnhancedStatusCodes,
                    Capability::RequireTls => Capability::RequireTls,
                    Capability::MtPriority(p) => {
                        Capability::MtPriority(p.map(|s| Cow::Owned(s.into_owned())))
                    }
                    Capability::Other { keyword, .. } => Capability::Other {
                        keyword: Cow::Owned(keyword.into_owned()),
                        params: vec![],
                    },
                })
                .collect(),
        }
    }
}

// ---- commands
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host<'a>(pub Cow<'a, str>);
impl fmt::Display for Host<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox<'a>(pub Cow<'a, str>);
impl Mailbox<'_> {
    pub fn is_ascii(&self) -> bool {
        self.0.is_ascii()
    }
}
impl fmt::Display for Mailbox<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ret {
    Full,
    Hdrs,
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notify;
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param<'a> {
    pub keyword: Cow<'a, str>,
    pub value: Option<Cow<'a, str>>,
}
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MailParams<'a> {
    pub size: Option<u64>,
    pub body: Option<Body>,
    pub smtputf8: bool,
    pub ret: Option<Ret>,
    pub envid: Option<Cow<'a, str>>,
    pub auth: Option<Option<Mailbox<'a>>>,
    pub requiretls: bool,
    pub mt_priority: Option<i8>,
    pub other: Vec<Param<'a>>,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailFrom<'a> {
    pub path: ReversePath<'a>,
    pub params: MailParams<'a>,
}
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RcptParams<'a> {
    pub notify: Option<Notify>,
    pub orcpt: Option<(Cow<'a, str>, Cow<'a, str>)>,
    pub other: Vec<Param<'a>>,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rcpt<'a> {
    pub path: ForwardPath<'a>,
    pub params: RcptParams<'a>,
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
    Auth {
        mechanism: Cow<'a, str>,
        initial_response: Option<Cow<'a, [u8]>>,
    },
    Mail(MailFrom<'a>),
    Rcpt(Rcpt<'a>),
    Data,
    Bdat {
        size: u64,
        last: bool,
    },
    Rset,
    Quit,
    StartTls,
}
impl Command<'_> {
    pub fn write_to(&self, out: &mut Vec<u8>) {
        let s = match self {
            Self::Ehlo { host } => format!("EHLO {host}"),
            Self::Helo { host } => format!("HELO {host}"),
            Self::Lhlo { host } => format!("LHLO {host}"),
            Self::Mail(m) => {
                let mut s = match &m.path {
                    ReversePath::Null => "MAIL FROM:<>".to_string(),
                    ReversePath::Mailbox(b) => format!("MAIL FROM:<{b}>"),
                };
                if let Some(n) = m.params.size {
                    s.push_str(&format!(" SIZE={n}"));
                }
                match m.params.body {
                    Some(Body::EightBitMime) => s.push_str(" BODY=8BITMIME"),
                    Some(Body::BinaryMime) => s.push_str(" BODY=BINARYMIME"),
                    Some(Body::SevenBit) => s.push_str(" BODY=7BIT"),
                    None => {}
                }
                if m.params.smtputf8 {
                    s.push_str(" SMTPUTF8");
                }
                s
            }
            Self::Rcpt(r) => match &r.path {
                ForwardPath::Postmaster => "RCPT TO:<Postmaster>".to_string(),
                ForwardPath::Mailbox(b) => format!("RCPT TO:<{b}>"),
            },
            Self::Auth {
                mechanism,
                initial_response,
            } => match initial_response {
                Some(ir) => format!("AUTH {mechanism} {}", String::from_utf8_lossy(ir)),
                None => format!("AUTH {mechanism}"),
            },
            Self::Data => "DATA".into(),
            Self::Bdat { size, last } => {
                if *last {
                    format!("BDAT {size} LAST")
                } else {
                    format!("BDAT {size}")
                }
            }
            Self::Rset => "RSET".into(),
            Self::Quit => "QUIT".into(),
            Self::StartTls => "STARTTLS".into(),
        };
        out.extend_from_slice(s.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
}

// ---- data
#[derive(Debug, Default)]
pub struct DataEncoder {
    at_line_start: bool,
    last_cr: bool,
    any: bool,
}
impl DataEncoder {
    pub fn new() -> Self {
        Self {
            at_line_start: true,
            last_cr: false,
            any: false,
        }
    }
    pub fn encode(&mut self, input: &[u8], out: &mut Vec<u8>) {
        for &b in input {
            if self.at_line_start && b == b'.' {
                out.push(b'.');
            }
            out.push(b);
            self.at_line_start = self.last_cr && b == b'\n';
            self.last_cr = b == b'\r';
            self.any = true;
        }
    }
    pub fn finish(self, out: &mut Vec<u8>) {
        if self.any && !self.at_line_start {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b".\r\n");
    }
}

// ---- auth framing
pub mod auth {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
    pub enum AuthError {
        #[error("bad base64")]
        Base64,
    }
    pub fn encode_response(bytes: &[u8], out: &mut Vec<u8>) {
        out.extend_from_slice(STANDARD.encode(bytes).as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    pub fn encode_initial_response(bytes: &[u8]) -> String {
        if bytes.is_empty() {
            "=".into()
        } else {
            STANDARD.encode(bytes)
        }
    }
    pub fn decode_challenge(text: &[u8]) -> Result<Vec<u8>, AuthError> {
        STANDARD.decode(text.trim_ascii()).map_err(|_| AuthError::Base64)
    }
    pub fn encode_cancel(out: &mut Vec<u8>) {
        out.extend_from_slice(b"*\r\n");
    }
}

// ---- sasl client
pub mod sasl {
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Mechanism {
        Plain,
        Login,
        ScramSha1,
        ScramSha256,
    }
    impl Mechanism {
        pub fn is_plaintext(self) -> bool {
            matches!(self, Self::Plain | Self::Login)
        }
        pub fn name(self) -> &'static str {
            match self {
                Self::Plain => "PLAIN",
                Self::Login => "LOGIN",
                Self::ScramSha1 => "SCRAM-SHA-1",
                Self::ScramSha256 => "SCRAM-SHA-256",
            }
        }
    }
    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
    #[error("sasl error: {0}")]
    pub struct SaslError(pub String);
    #[derive(Clone)]
    pub struct Secret<T>(T);
    impl<T> Secret<T> {
        pub fn new(v: T) -> Self {
            Self(v)
        }
        pub fn expose(&self) -> &T {
            &self.0
        }
    }
    impl<T> std::fmt::Debug for Secret<T> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("Secret(..)")
        }
    }
    #[derive(Debug, Clone)]
    pub enum Credentials {
        Password { authcid: String, password: Secret<String>, authzid: Option<String> },
    }
    impl Credentials {
        pub fn password(authcid: &str, password: &str) -> Self {
            Self::Password { authcid: authcid.into(), password: Secret::new(password.into()), authzid: None }
        }
        pub fn with_authzid(self, id: &str) -> Self {
            let Self::Password { authcid, password, .. } = self;
            Self::Password { authcid, password, authzid: Some(id.into()) }
        }
    }
    pub struct ClientSession {
        mech: Mechanism,
        creds: Credentials,
        step: u8,
    }
    impl ClientSession {
        pub fn new(mech: Mechanism, creds: Credentials) -> Result<Self, SaslError> {
            if matches!(mech, Mechanism::ScramSha1 | Mechanism::ScramSha256) {
                return Err(SaslError("scram not in stand-in".into()));
            }
            Ok(Self { mech, creds, step: 0 })
        }
        pub fn initial_response(&mut self) -> Option<Vec<u8>> {
            let Credentials::Password { authcid, password, authzid } = &self.creds;
            match self.mech {
                Mechanism::Plain => {
                    self.step = 1;
                    Some(format!("{}\0{}\0{}", authzid.as_deref().unwrap_or(""), authcid, password.expose()).into_bytes())
                }
                _ => None,
            }
        }
        pub fn step(&mut self, _challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
            self.step += 1;
            let Credentials::Password { authcid, password, .. } = &self.creds;
            match (self.mech, self.step) {
                (Mechanism::Login, 1) => Ok(authcid.clone().into_bytes()),
                (Mechanism::Login, 2) => Ok(password.expose().clone().into_bytes()),
                _ => Err(SaslError("unexpected challenge".into())),
            }
        }
        pub fn finish(&self) -> Result<(), SaslError> {
            Ok(())
        }
    }
}
