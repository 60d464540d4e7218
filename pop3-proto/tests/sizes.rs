//! POP3 `LIST` sizes of messages stored with LF line ends (as Dovecot, mutt and most MDAs store
//! them): the size is the one `RETR` sends, with CRLF line ends (RFC 1939 §5 "exact size"), for
//! a message this crate's store wrote (`,W=` in its Maildir name) and for one another program
//! dropped into `new/` without `W=` (counted once by the store). Python's poplib checks it.

mod support;

use std::time::Duration;

use support::{Options, TestServer};
use testkit::Python;

#[tokio::test]
async fn list_gives_the_crlf_size_of_lf_files() {
    let server = TestServer::start(Options::default()).await;
    let ours: &[u8] = b"Subject: ours\n\nline one\n.dot line\nline three\n";
    server.deliver("alice", ours).await;
    let outside: &[u8] = b"Subject: outside\n\nfirst\r\nsecond\n\nlast\n";
    let new = server.root.join("alice").join("new");
    std::fs::write(new.join("1700000000.M1P1.elsewhere"), outside).expect("outside file");

    let out = Python::script(
        r#"
import poplib, sys
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
p.user("alice"); p.pass_("wonderland")
count, total = p.stat()
print("STAT", count, total)
for entry in p.list()[1]:
    n, size = entry.split()
    lines = p.retr(int(n))[1]
    # poplib removed the dot-stuffing and the line ends: put CRLF back.
    sent = sum(len(l) + 2 for l in lines)
    print("MSG", int(n), int(size), sent)
p.quit()
"#,
    )
    .arg(server.addr.port().to_string())
    .timeout(Duration::from_secs(30))
    .run()
    .await;
    out.assert_success();
    let msgs: Vec<(u64, u64)> = out
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("MSG "))
        .map(|l| {
            let v: Vec<u64> = l.split(' ').map(|x| x.parse().expect("number")).collect();
            (v[1], v[2])
        })
        .collect();
    assert_eq!(msgs.len(), 2, "{}", out.stdout);
    let mut want = vec![
        mailstore::rfc822_size(ours),
        mailstore::rfc822_size(outside),
    ];
    want.sort_unstable();
    let mut listed: Vec<u64> = msgs.iter().map(|(list, _)| *list).collect();
    listed.sort_unstable();
    assert_eq!(listed, want, "LIST sizes are the CRLF sizes");
    for (list, sent) in &msgs {
        assert_eq!(list, sent, "LIST size equals the octets RETR sent");
    }
    for stored in [ours.len() as u64, outside.len() as u64] {
        assert!(
            !listed.contains(&stored),
            "a stored (LF) length {stored} was listed: {listed:?}"
        );
    }
    let total: u64 = want.iter().sum();
    assert!(
        out.stdout.contains(&format!("STAT 2 {total}\n")),
        "STAT sums the CRLF sizes: {}",
        out.stdout
    );
    server.stop().await;
}
