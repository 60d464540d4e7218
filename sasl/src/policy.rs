//! [`AuthPolicy`]: the authentication rules every server of the family enforces the same way.

use std::time::Duration;

/// The authentication rules of a server session, with one meaning and one set of defaults in
/// every protocol of the family (SMTP AUTH, POP3 `USER`/`PASS`/`APOP`/`AUTH`, IMAP `LOGIN`/
/// `AUTHENTICATE`). Each session configuration carries one as its `auth` field.
///
/// Sans-IO: the session enforces [`AuthPolicy::allow_plaintext`] and
/// [`AuthPolicy::max_failures`]; the driver waits [`AuthPolicy::failure_delay`].
///
/// ```
/// let mut policy = sasl::AuthPolicy::default();
/// assert!(!policy.allow_plaintext);
/// assert_eq!(policy.max_failures, 3);
/// policy.failure_delay = std::time::Duration::from_millis(500);
/// // Three failures are answered; the fourth closes the connection.
/// assert!(!policy.failure_closes(3));
/// assert!(policy.failure_closes(4));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthPolicy {
    /// Whether credentials may travel in the clear on a connection without TLS: the SASL
    /// mechanisms for which [`crate::Mechanism::sends_reusable_credential`] is true, POP3 `USER`/`PASS` and
    /// IMAP `LOGIN`. When false they are hidden from the capability list and refused until TLS
    /// is active (SMTP: RFC 4954 §4, `538 5.7.11`; POP3: RFC 2595 §2.1, `-ERR [AUTH]`; IMAP:
    /// RFC 9051 §6.2.3, `LOGINDISABLED`); SCRAM, which never sends the password, stays
    /// allowed. Default false.
    pub allow_plaintext: bool,
    /// Failed logins tolerated per connection: each is answered as a failure; the next one
    /// (failure number `max_failures + 1`) ends the session instead. Default 3.
    pub max_failures: u32,
    /// How long the server waits before it answers a failed login (slows password guessing; the
    /// rest of the server goes on meanwhile). Default 2 seconds.
    pub failure_delay: Duration,
}

impl Default for AuthPolicy {
    /// Plaintext credentials only under TLS, 3 failures tolerated, 2 seconds of delay after each.
    fn default() -> Self {
        Self {
            allow_plaintext: false,
            max_failures: 3,
            failure_delay: Duration::from_secs(2),
        }
    }
}

impl AuthPolicy {
    /// Whether the connection's `failures`-th failed login (counting from 1) ends the session.
    pub fn failure_closes(&self, failures: u32) -> bool {
        failures > self.max_failures
    }

    /// Whether a mechanism that sends credentials in the clear
    /// ([`crate::Mechanism::sends_reusable_credential`]) may be used, given whether TLS is active.
    pub fn plaintext_allowed(&self, tls: bool) -> bool {
        tls || self.allow_plaintext
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_meaning() {
        let policy = AuthPolicy::default();
        assert!(!policy.allow_plaintext);
        assert_eq!(policy.max_failures, 3);
        assert_eq!(policy.failure_delay, Duration::from_secs(2));
        let closes: Vec<bool> = (1..=4).map(|n| policy.failure_closes(n)).collect();
        assert_eq!(closes, [false, false, false, true]);
        assert!(!policy.plaintext_allowed(false));
        assert!(policy.plaintext_allowed(true));
        let open = AuthPolicy {
            allow_plaintext: true,
            ..policy
        };
        assert!(open.plaintext_allowed(false));
        let strict = AuthPolicy {
            max_failures: 0,
            ..policy
        };
        assert!(strict.failure_closes(1));
    }
}
