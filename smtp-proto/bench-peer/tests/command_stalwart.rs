//! Where our command parser and Stalwart's smtp-proto 0.2 disagree, and why ours is right
//! (RFC 5321 §4.1.2 and §4.1.3); run with the rest of `scripts/test-all`.

use smtp_proto::parse::command::parse_command;
use smtp_proto::types::address::{AddressLiteral, ForwardPath, Host, ReversePath};
use smtp_proto::types::command::Command;
use stalwart_smtp_proto::Request;

fn stalwart(line: &[u8]) -> Result<Request<std::borrow::Cow<'_, str>>, stalwart_smtp_proto::Error> {
    Request::parse(&mut line.iter())
}

#[test]
fn address_literal_recipient() {
    // `Mailbox = Local-part "@" ( Domain / address-literal )`: a literal is a valid domain part.
    let line = b"RCPT TO:<postmaster@[198.51.100.7]>\r\n";
    let Ok(Command::Rcpt(rcpt)) = parse_command(&line[..line.len() - 2]) else {
        panic!("ours must parse {line:?}");
    };
    let ForwardPath::Mailbox(mailbox) = rcpt.path else {
        panic!("a mailbox, not <postmaster>");
    };
    assert_eq!(
        mailbox.host,
        Host::Literal(AddressLiteral::Ipv4([198, 51, 100, 7].into()))
    );
    assert!(stalwart(line).is_err(), "Stalwart rejects the literal");
}

#[test]
fn quoted_local_part_keeps_its_meaning() {
    // `Quoted-string` local part: the quotes are part of the address's syntax; a parser that
    // drops them turns `"john doe"@example.org` into an unusable `john doe@example.org`.
    let line = b"MAIL FROM:<\"john doe\"@example.org>\r\n";
    let Ok(Command::Mail(mail)) = parse_command(&line[..line.len() - 2]) else {
        panic!("ours must parse {line:?}");
    };
    let ReversePath::Mailbox(mailbox) = &mail.path else {
        panic!("not the null path");
    };
    assert_eq!(mailbox.local_part.as_str(), "john doe");
    assert!(mailbox.local_part.needs_quoting());
    assert_eq!(mailbox.to_string(), "\"john doe\"@example.org");

    match stalwart(line) {
        Ok(Request::Mail { from }) => {
            assert_eq!(
                from.address, "john doe@example.org",
                "Stalwart drops the quotes"
            );
        }
        other => panic!("Stalwart's result changed: {other:?}"),
    }
}
