//! The one place the server session names the crate's other layers and the `sasl` and
//! `mail-framing` crates.
pub(crate) use crate::auth::{AuthError, AuthResponse, decode_response, encode_challenge};
pub(crate) use crate::data::{BareLineEndingPolicy, BdatDecoder, DataDecoder};
pub(crate) use crate::parse::command::{CommandError, parse_command};
pub(crate) use crate::types::address::{ForwardPath, Host, ReversePath};
pub(crate) use crate::types::capability::{Capability, EhloReply};
pub(crate) use crate::types::command::{Body, Command, MailFrom, MailParams, Rcpt};
pub(crate) use crate::types::reply::{EnhancedStatusCode, Reply, ReplyCode};
#[cfg(feature = "server")]
pub(crate) use ::sasl;
pub(crate) use ::sasl::{AuthPolicy, Mechanism, Secret};
pub(crate) use mail_framing::line::{Line, LineFramer};
