//! The one place the server session names the crate's other layers and the `sasl` crate.
pub(crate) use super::stand_in::{
    AuthResponse, BareLineEndingPolicy, BdatDecoder, Body, Command, CommandError, DataDecoder, EnhancedStatusCode,
    ForwardPath, Host, MailFrom, Mechanism, Rcpt, Reply, ReplyCode, ReversePath, decode_response, encode_challenge,
    parse_command,
};
#[cfg(feature = "server")]
pub(crate) use super::stand_in::sasl;
