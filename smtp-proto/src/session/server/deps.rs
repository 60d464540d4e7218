//! The one place the server session names the crate's other layers and the `sasl` crate.
#[cfg(feature = "server")]
pub(crate) use super::stand_in::sasl;
pub(crate) use super::stand_in::{
    AuthResponse, BareLineEndingPolicy, BdatDecoder, Body, Command, CommandError, DataDecoder,
    ForwardPath, Host, MailFrom, MailParams, Mechanism, Rcpt, ReversePath, decode_response,
    encode_challenge, parse_command,
};
pub(crate) use crate::types::reply::{EnhancedStatusCode, Reply, ReplyCode};
