//! Where Stalwart's smtp-proto 0.2 `DataReceiver` (the benchmark peer) and ours differ: it only
//! recognises a dot after `CRLF` inside the data, so a transparency dot or the terminator on the
//! very first line of the body is missed. RFC 5321 §4.1.1.4: the CRLF ending the DATA command
//! makes the first line a line like any other ("CRLF.CRLF" may be the whole data).

use smtp_proto::data::{BareLineEndingPolicy, DataDecoder};
use stalwart_smtp_proto::request::receiver::DataReceiver;

fn ours(input: &[u8]) -> (Vec<u8>, bool) {
    let mut dec = DataDecoder::new(BareLineEndingPolicy::Reject);
    let mut out = Vec::new();
    let r = dec.decode(input, &mut out);
    (out, r.finished)
}

fn stalwart(input: &[u8]) -> (Vec<u8>, bool) {
    let mut dec = DataReceiver::new();
    let mut out = Vec::new();
    let finished = dec.ingest(&mut input.iter(), &mut out);
    (out, finished)
}

#[test]
fn stuffed_dot_on_the_first_line() {
    let wire = b"..signature\r\nbody\r\n.\r\n";
    assert_eq!(ours(wire), (b".signature\r\nbody\r\n".to_vec(), true));
    // Stalwart keeps the transparency dot.
    assert_eq!(stalwart(wire), (b"..signature\r\nbody\r\n".to_vec(), true));
}

#[test]
fn terminator_on_the_first_line() {
    // An empty message: DATA, 354, then at once ".CRLF".
    let wire = b".\r\nQUIT\r\n";
    assert_eq!(ours(wire), (Vec::new(), true));
    // Stalwart does not see the end of data and swallows the next command as body.
    let (body, finished) = stalwart(wire);
    assert!(!finished);
    assert_eq!(body, wire.to_vec());
}

#[test]
fn both_agree_on_later_lines() {
    let wire = b"a\r\n..b\r\n.\r\n";
    assert_eq!(ours(wire), (b"a\r\n.b\r\n".to_vec(), true));
    assert_eq!(stalwart(wire), ours(wire));
}
