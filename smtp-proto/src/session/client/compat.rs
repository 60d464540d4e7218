//! TEMPORARY stand-ins for the interfaces other helpers are writing (removed at merge).
#![allow(missing_docs, dead_code)]

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
