//! Header sections (RFC 9051 §6.4.5) and SEARCH/SORT header keys answered from the header block
//! kept with the cached MIME structure, without reading the message: the same octets as when
//! the message is read, in CRLF form for a message stored with bare LFs.

use super::stream::CachingStore;
use super::*;

/// Five messages: M1-M3, one whose header (bare LFs) is over what a structure keeps, one
/// without a body. All start with `F`.
fn messages() -> Vec<Vec<u8>> {
    let long = "y".repeat(crate::server::mime::HEADER_KEPT);
    let big = format!("From: e@example.org\nSubject: Big\nX-Long: {long}\n\nbody\n").into_bytes();
    let bare = b"From: f@example.org\r\nSubject: no body\r\n".to_vec();
    vec![M1.to_vec(), M2.to_vec(), M3.to_vec(), big, bare]
}

async fn cached_client() -> (tempfile::TempDir, Client, Arc<AtomicUsize>) {
    let all = messages();
    let refs: Vec<&[u8]> = all.iter().map(Vec::as_slice).collect();
    let (dir, _) = maildir(&refs).await;
    let store = Arc::new(CachingStore::new(dir.path()));
    let reads = store.reads.clone();
    let mut c = Client::new(store, ServerConfig::new("test")).await;
    c.run("a select INBOX").await;
    // Each message is read once, parsed, and its structure cached.
    c.run("b fetch 1:* bodystructure").await;
    assert_eq!(reads.load(Ordering::SeqCst), 5);
    (dir, c, reads)
}

#[tokio::test]
async fn header_sections_from_the_kept_header_are_the_messages_octets() {
    let (_dir, mut c, reads) = cached_client().await;
    // Each item, and how many messages must still be read for it: the one whose header is not
    // kept (4), and those where the item asks for more than the header.
    let items = [
        ("RFC822.HEADER", 1),
        ("BODY.PEEK[HEADER]", 1),
        ("BODY.PEEK[HEADER]<3.7>", 1),
        ("BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]", 1),
        ("BODY.PEEK[HEADER.FIELDS.NOT (subject)]", 1),
        (
            "ENVELOPE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (Date)] UID",
            1,
        ),
        // Part 1 of M2 is in its body.
        ("BODY.PEEK[1.MIME]", 2),
        // Only the message without a body has an empty TEXT within its header.
        ("BODY.PEEK[TEXT]", 4),
        ("BODY.PEEK[HEADER] BINARY.PEEK[1]", 5),
    ];
    for (n, (item, want_reads)) in items.into_iter().enumerate() {
        let before = reads.load(Ordering::SeqCst);
        let kept = c.run(&format!("k{n} fetch 1:* ({item})")).await;
        assert_eq!(reads.load(Ordering::SeqCst) - before, want_reads, "{item}");
        // BODY.PEEK[]<0.1> makes every message be read whole: the same octets otherwise.
        let read = c
            .run(&format!("k{n} fetch 1:* ({item} BODY.PEEK[]<0.1>)"))
            .await;
        assert_eq!(read.replace(" BODY[]<0> {1}\r\nF)", ")"), kept, "{item}");
        assert!(
            kept.ends_with(&format!("k{n} OK FETCH completed\r\n")),
            "{kept}"
        );
    }
    // The message stored with bare LFs is served with CRLFs from the kept header too.
    let out = c.run("c fetch 3 rfc822.header").await;
    assert_eq!(
        out,
        "* 3 FETCH (RFC822.HEADER {53}\r\nFrom: Dave <dave@example.org>\r\n\
         Subject: Re: Lunch\r\n\r\n)\r\nc OK FETCH completed\r\n"
    );
}

#[tokio::test]
async fn search_and_sort_on_the_header_use_the_kept_header() {
    let (_dir, mut c, reads) = cached_client().await;
    let before = reads.load(Ordering::SeqCst);
    let out = c.run("c search subject lunch").await;
    assert_eq!(out, "* SEARCH 2 3\r\nc OK SEARCH completed\r\n");
    let out = c.run("d search header x-long yyy").await;
    assert_eq!(out, "* SEARCH 4\r\nd OK SEARCH completed\r\n");
    let out = c.run("e sort (subject) utf-8 all").await;
    assert_eq!(out, "* SORT 4 1 2 3 5\r\ne OK SORT completed\r\n");
    // Only the message whose header is not kept was read, once per command.
    assert_eq!(reads.load(Ordering::SeqCst) - before, 3);
    // A key on the body still reads the messages.
    let out = c.run("f search body fish").await;
    assert_eq!(out, "* SEARCH 2 3\r\nf OK SEARCH completed\r\n");
    assert_eq!(reads.load(Ordering::SeqCst) - before, 8);
}
