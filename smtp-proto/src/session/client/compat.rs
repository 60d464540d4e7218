//! TEMPORARY stand-ins for the interfaces other helpers are writing (removed at merge).
#![allow(missing_docs, dead_code)]

use std::borrow::Cow;
use std::fmt;

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
        STANDARD
            .decode(text.trim_ascii())
            .map_err(|_| AuthError::Base64)
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
        Password {
            authcid: String,
            password: Secret<String>,
            authzid: Option<String>,
        },
    }
    impl Credentials {
        pub fn password(authcid: &str, password: &str) -> Self {
            Self::Password {
                authcid: authcid.into(),
                password: Secret::new(password.into()),
                authzid: None,
            }
        }
        pub fn with_authzid(self, id: &str) -> Self {
            let Self::Password {
                authcid, password, ..
            } = self;
            Self::Password {
                authcid,
                password,
                authzid: Some(id.into()),
            }
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
            Ok(Self {
                mech,
                creds,
                step: 0,
            })
        }
        pub fn initial_response(&mut self) -> Option<Vec<u8>> {
            let Credentials::Password {
                authcid,
                password,
                authzid,
            } = &self.creds;
            match self.mech {
                Mechanism::Plain => {
                    self.step = 1;
                    Some(
                        format!(
                            "{}\0{}\0{}",
                            authzid.as_deref().unwrap_or(""),
                            authcid,
                            password.expose()
                        )
                        .into_bytes(),
                    )
                }
                _ => None,
            }
        }
        pub fn step(&mut self, _challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
            self.step += 1;
            let Credentials::Password {
                authcid, password, ..
            } = &self.creds;
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
