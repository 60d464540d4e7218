//! SEARCH, ESEARCH (RFC 4731), SEARCHRES (RFC 5182), SORT and THREAD (RFC 5256).

use super::*;

#[tokio::test]
async fn esearch_searchres_and_charsets() {
    let (_dir, store) = maildir(&[M1, M2, M3]).await;
    let mut c = client(&store).await;
    c.run("a select INBOX").await;
    assert_eq!(
        c.run("b search subject lunch").await,
        "* SEARCH 2 3\r\nb OK SEARCH completed\r\n"
    );
    assert_eq!(
        c.run("c uid search body fish").await,
        "* SEARCH 2 3\r\nc OK UID SEARCH completed\r\n"
    );
    // RFC 4731 §3: ESEARCH with the command's tag.
    assert_eq!(
        c.run("d search return (min max count) from example.org")
            .await,
        "* ESEARCH (TAG \"d\") MIN 1 MAX 3 COUNT 3\r\nd OK SEARCH completed\r\n"
    );
    assert_eq!(
        c.run("e uid search return () not subject hello").await,
        "* ESEARCH (TAG \"e\") UID ALL 2:3\r\ne OK UID SEARCH completed\r\n"
    );
    // RFC 5182: SAVE alone answers nothing; `$` names the saved messages.
    assert_eq!(
        c.run("f search return (save) text \"fish\"").await,
        "f OK SEARCH completed\r\n"
    );
    assert_eq!(
        c.run("g fetch $ (uid)").await,
        "* 2 FETCH (UID 2)\r\n* 3 FETCH (UID 3)\r\ng OK FETCH completed\r\n"
    );
    assert_eq!(
        c.run("h search $ subject re").await,
        "* SEARCH 3\r\nh OK SEARCH completed\r\n"
    );
    assert_eq!(
        c.run("i search charset utf-8 subject hello").await,
        "* SEARCH 1\r\ni OK SEARCH completed\r\n"
    );
    assert_eq!(
        c.run("j search charset koi8-r subject hello").await,
        "j NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset\r\n"
    );
    // SORT and THREAD (RFC 5256).
    assert_eq!(
        c.run("k sort (reverse subject) utf-8 all").await,
        "* SORT 2 3 1\r\nk OK SORT completed\r\n"
    );
    assert_eq!(
        c.run("l uid thread orderedsubject utf-8 all").await,
        "* THREAD (1)(2 3)\r\nl OK UID THREAD completed\r\n"
    );
}
