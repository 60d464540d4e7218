//! The names the client session uses from the rest of the crate and from `sasl`, in one place.

pub(crate) use crate::auth::{
    AuthError, decode_challenge, encode_cancel, encode_initial_response, encode_response,
};
pub(crate) use crate::data::DataEncoder;
pub(crate) use crate::parse::reply::{ReplyError, parse_reply};
pub(crate) use crate::types::address::{ForwardPath, Host, ReversePath};
pub(crate) use crate::types::capability::{Capability, EhloReply};
pub(crate) use crate::types::command::{Body, Command, MailFrom, Rcpt};
pub(crate) use crate::types::reply::Reply;
pub(crate) use sasl::{
    ClientSession as SaslClient, Credentials as SaslCredentials, Mechanism, SaslError, Secret,
};
