//! The capability list (RFC 9051 §6.1.1, §7.2.2), by state.

use super::*;
use crate::token::Atom;

/// An atom from a constant that is one (never fails for the names below).
fn atom(name: &'static str) -> Atom<'static> {
    Atom::new(name).unwrap_or_else(|_| unreachable!("{name} is an atom"))
}

impl ServerSession {
    /// The capabilities offered now (RFC 9051 §6.1.1), as the greeting, `CAPABILITY` and the
    /// `OK [CAPABILITY ...]` of a login list them.
    ///
    /// Before authentication: `IMAP4rev2 IMAP4rev1`, `STARTTLS` on a plain connection when the
    /// application has TLS, `LOGINDISABLED` when plaintext logins are refused
    /// ([`sasl::AuthPolicy::plaintext_allowed`]), `AUTH=` for each configured mechanism that
    /// may be used (SCRAM always; PLAIN only where plaintext is allowed), `SASL-IR`,
    /// `LITERAL+`, `ID`, `ENABLE`. Once authenticated, the extensions of the mailbox commands
    /// (RFC 9051 and those the issue names), `APPENDLIMIT=n` (RFC 7889) and
    /// `COMPRESS=DEFLATE` (RFC 4978) until it is active.
    pub fn capabilities(&self) -> Vec<Capability<'static>> {
        use Capability as C;
        let mut caps = vec![C::Imap4Rev2, C::Imap4Rev1];
        if self.state == State::NotAuthenticated {
            let plaintext = self.config.auth.plaintext_allowed(self.stats.tls);
            if self.config.starttls && !self.stats.tls {
                caps.push(C::StartTls);
            }
            if !plaintext {
                caps.push(C::LoginDisabled);
            }
            for m in &self.config.sasl_mechanisms {
                if plaintext || !m.sends_reusable_credential() {
                    caps.push(C::Auth(atom(m.name())));
                }
            }
            caps.extend([C::SaslIr, C::LiteralPlus, C::Id, C::Enable]);
            return caps;
        }
        caps.extend([
            C::LiteralPlus,
            C::Enable,
            C::Idle,
            C::Namespace,
            C::UidPlus,
            C::Move,
            C::Unselect,
            C::Id,
            C::Children,
            C::ListExtended,
            C::ListStatus,
            C::SpecialUse,
            C::CreateSpecialUse,
            C::CondStore,
            C::QResync,
            C::Esearch,
            C::SearchRes,
            C::Sort,
            C::Thread(atom("REFERENCES")),
            C::Thread(atom("ORDEREDSUBJECT")),
            C::StatusSize,
            C::Quota,
            C::QuotaRes(atom("STORAGE")),
            C::QuotaRes(atom("MESSAGE")),
            C::AppendLimit(Some(self.config.append_limit)),
            C::Binary,
            C::Other(atom("MULTIAPPEND")),
            C::Utf8Accept,
        ]);
        if self.config.compress && !self.stats.compressed {
            caps.push(C::Compress(atom("DEFLATE")));
        }
        caps
    }
}
