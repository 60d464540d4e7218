//! Session tests without sockets: RFC transcripts replayed, limits, order, malformed input.

use super::ServerConfig;
use super::trace::{App, replay};

pub(super) fn cfg() -> ServerConfig {
    ServerConfig::new("foo.com")
}

pub(super) fn both(config: impl Fn() -> ServerConfig, transcript: &str) -> App {
    let mut bytewise = App::default();
    replay(config(), &mut bytewise, transcript, true);
    let mut app = App::default();
    replay(config(), &mut app, transcript, false);
    assert_eq!(
        app.messages, bytewise.messages,
        "bulk and bytewise feeds agree"
    );
    assert_eq!(app.events, bytewise.events);
    app
}

mod backpressure;
mod rfc;
mod rules;
