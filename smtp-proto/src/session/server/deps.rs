//! The one place the server session names the crate's other layers and the `sasl` crate.
pub(crate) use super::stand_in::{
    Body, Command, CommandError, ForwardPath, Host, MailFrom, MailParams, Rcpt, ReversePath,
    parse_command,
};
pub(crate) use crate::auth::{AuthResponse, decode_response, encode_challenge};
pub(crate) use crate::data::{BareLineEndingPolicy, BdatDecoder, DataDecoder};
pub(crate) use crate::types::reply::{EnhancedStatusCode, Reply, ReplyCode};
#[cfg(feature = "server")]
pub(crate) use ::sasl;
pub(crate) use ::sasl::Mechanism;
