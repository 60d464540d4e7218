//! Valid IMAP that imap-codec fails to parse, as the SMTP comparison shows Stalwart's gaps: each
//! case asserts the verdict of imap-codec 1.0.0 and 2.0.0-alpha.10 (pinned in Cargo.toml, with the
//! extension features the corpus needs switched on, so no gap here is for want of a feature).
//!
//! - [`GAPS`]: valid per the cited RFC; at least one version rejects it.
//! - [`DEVIATIONS`]: not strictly valid, but sent by real clients or servers, and the issue has us
//!   accept them by default (see `quirks.rs`); at least one version rejects it.
//! - [`BOTH_PARSE`]: tried and parsed by both versions: kept so that the list of what imap-codec
//!   handles is checked too, and so that our parser is held to the same inputs.
//!
//! A verdict is `Parses` when the decoder returns the message with nothing left over, `Fails` when
//! it returns an error (failed, incomplete, or a literal announcement on a complete input) or stops
//! early. A new imap-codec release that changes a verdict fails these tests: update the pin and
//! the table together.
//!
//! Our parsers (`Command::parse`, `Response::parse`) are held to every case, gap or not, by
//! `ours_parses_every_case`.

use imap_codec_1::decode::Decoder as _;
use imap_codec_2::decode::Decoder as _;

/// Which parser a case is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    /// A client command (the server's parser).
    Command,
    /// A server response (the client's parser).
    Response,
}

/// What a decoder made of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    /// Decoded whole, nothing left over.
    Parses,
    /// An error, or stopped before the end.
    Fails,
}

use Side::{Command, Response};
use Verdict::{Fails, Parses};

/// One input and what each imap-codec version makes of it.
struct Case {
    /// What the input shows.
    name: &'static str,
    /// Where the syntax (or the deviation) comes from.
    source: &'static str,
    side: Side,
    input: &'static [u8],
    /// imap-codec 1.0.0's verdict.
    v1: Verdict,
    /// imap-codec 2.0.0-alpha.10's verdict.
    v2: Verdict,
}

const fn case(
    name: &'static str,
    source: &'static str,
    side: Side,
    input: &'static [u8],
    v1: Verdict,
    v2: Verdict,
) -> Case {
    Case {
        name,
        source,
        side,
        input,
        v1,
        v2,
    }
}

/// Valid inputs at least one imap-codec version rejects.
const GAPS: &[Case] = &[
    // ---- responses
    case("ESEARCH with tag, UID, MIN MAX COUNT", "RFC 4731 §3.1, RFC 9051 §7.3.4", Response,
        b"* ESEARCH (TAG \"a\") UID MIN 2 MAX 47 COUNT 12\r\n", Fails, Fails),
    case("ESEARCH, the RFC's example", "RFC 4731 §3.1", Response,
        b"* ESEARCH (TAG \"A282\") MIN 2 COUNT 3\r\n", Fails, Fails),
    case("ESEARCH without a tag", "RFC 9051 §7.3.4 (search-correlator optional)", Response,
        b"* ESEARCH COUNT 0\r\n", Fails, Fails),
    case("ESEARCH ALL with MODSEQ", "RFC 7162 §3.1.5", Response,
        b"* ESEARCH (TAG \"a567\") UID ALL 1:3,5 MODSEQ 1236\r\n", Fails, Fails),
    case("LIST with CHILDINFO extended data", "RFC 5258 §4", Response,
        b"* LIST () \"/\" INBOX (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n", Fails, Fails),
    case("LIST with OLDNAME extended data", "RFC 9051 §7.3.1 (mbox-list-extended)", Response,
        b"* LIST (\\HasNoChildren) \"/\" INBOX (\"OLDNAME\" (\"inbox\"))\r\n", Fails, Fails),
    case("LIST with a UTF-8 mailbox name", "RFC 9051 §4.3 (quoted UTF-8), RFC 6855 §3", Response,
        b"* LIST (\\HasNoChildren) \"/\" \"INBOX/Entw\xc3\xbcrfe\"\r\n", Fails, Parses),
    case("STATUS with SIZE", "RFC 8438 §3 (STATUS=SIZE)", Response,
        b"* STATUS INBOX (MESSAGES 17 SIZE 44292)\r\n", Fails, Parses),
    case("STATUS with APPENDLIMIT", "RFC 7889 §4", Response,
        b"* STATUS INBOX (APPENDLIMIT 257890)\r\n", Fails, Fails),
    case("STATUS with APPENDLIMIT NIL", "RFC 7889 §4", Response,
        b"* STATUS INBOX (APPENDLIMIT NIL)\r\n", Fails, Fails),
    case("STATUS with HIGHESTMODSEQ", "RFC 7162 §3.1.9", Response,
        b"* STATUS INBOX (HIGHESTMODSEQ 7011231777)\r\n", Fails, Parses),
    case("SEARCH with MODSEQ", "RFC 7162 §3.1.5", Response,
        b"* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)\r\n", Fails, Parses),
    case("FETCH MODSEQ", "RFC 7162 §3.1.4", Response,
        b"* 1 FETCH (UID 4 MODSEQ (12121231000))\r\n", Fails, Parses),
    case("FETCH FLAGS UID MODSEQ", "RFC 7162 §3.1.4", Response,
        b"* 1 FETCH (FLAGS (\\Seen) UID 4827313 MODSEQ (12345))\r\n", Fails, Parses),
    case("VANISHED", "RFC 7162 §3.2.10", Response,
        b"* VANISHED 405,407,410,425\r\n", Fails, Parses),
    case("VANISHED (EARLIER)", "RFC 7162 §3.2.10", Response,
        b"* VANISHED (EARLIER) 41,43:116,118,120:211,214:540\r\n", Fails, Parses),
    case("NAMESPACE", "RFC 2342 §5, RFC 9051 §7.3.5", Response,
        b"* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) ((\"#shared/\" \"/\")(\"#public/\" \"/\"))\r\n", Fails, Parses),
    case("NAMESPACE with NIL", "RFC 9051 §7.3.5", Response,
        b"* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n", Fails, Parses),
    case("ID NIL", "RFC 2971 §3.2", Response,
        b"* ID NIL\r\n", Fails, Parses),
    case("SORT", "RFC 5256 §4", Response,
        b"* SORT 2 84 882\r\n", Fails, Parses),
    case("SORT, empty", "RFC 5256 §4", Response,
        b"* SORT\r\n", Fails, Parses),
    case("THREAD", "RFC 5256 §4", Response,
        b"* THREAD (2)(3 6 (4 23)(44 7 96))\r\n", Fails, Parses),
    case("THREAD, empty", "RFC 5256 §4", Response,
        b"* THREAD\r\n", Fails, Parses),
    case("FETCH BINARY with literal8", "RFC 3516 §4.2, RFC 9051 §7.5.2", Response,
        b"* 12 FETCH (BINARY[1] ~{5}\r\nhello)\r\n", Fails, Parses),
    case("FETCH BINARY.SIZE", "RFC 3516 §4.2", Response,
        b"* 12 FETCH (BINARY.SIZE[1] 5)\r\n", Fails, Parses),
    case("tagged OK with empty text", "RFC 9051 §9 (resp-text), Appendix E item 23", Response,
        b"a OK \r\n", Fails, Fails),
    case("tagged OK with a code and empty text", "RFC 9051 §9 (resp-text)", Response,
        b"a OK [READ-WRITE] \r\n", Fails, Fails),
    case("BYE with empty text", "RFC 9051 §9 (resp-cond-bye)", Response,
        b"* BYE \r\n", Fails, Fails),
    // ---- commands
    case("LIST-EXTENDED selection and RETURN with STATUS", "RFC 5258 §3, RFC 5819 §2", Command,
        b"A01 LIST (SUBSCRIBED) \"\" \"*\" RETURN (CHILDREN STATUS (MESSAGES))\r\n", Fails, Fails),
    case("LIST RETURN (SPECIAL-USE)", "RFC 6154 §5.1", Command,
        b"t1 LIST \"\" \"%\" RETURN (SPECIAL-USE)\r\n", Fails, Fails),
    case("LIST (SPECIAL-USE) selection", "RFC 6154 §5.1", Command,
        b"t1 LIST (SPECIAL-USE) \"\" \"*\"\r\n", Fails, Fails),
    case("LIST RETURN (STATUS ...)", "RFC 5819 §2", Command,
        b"A02 LIST \"\" \"%\" RETURN (STATUS (MESSAGES UNSEEN))\r\n", Fails, Fails),
    case("LIST with several patterns", "RFC 5258 §3", Command,
        b"A03 LIST \"\" (\"foo\" \"bar\")\r\n", Fails, Fails),
    case("CREATE with USE", "RFC 6154 §3 (CREATE-SPECIAL-USE)", Command,
        b"t1 CREATE \"Drafts\" (USE (\\Drafts))\r\n", Fails, Fails),
    case("SEARCH RETURN (SAVE)", "RFC 5182 §2.1", Command,
        b"A282 UID SEARCH RETURN (SAVE) FLAGGED SINCE 1-Feb-1994\r\n", Fails, Fails),
    case("SEARCH RETURN (SAVE MIN)", "RFC 5182 §2.1", Command,
        b"a UID SEARCH RETURN (SAVE MIN) UNSEEN\r\n", Fails, Fails),
    case("UID FETCH $", "RFC 5182 §2.1", Command,
        b"A283 UID FETCH $ (FLAGS)\r\n", Fails, Fails),
    case("UID COPY $", "RFC 5182 §2.1", Command,
        b"A284 UID COPY $ \"Archive\"\r\n", Fails, Fails),
    case("SEARCH UID $", "RFC 5182 §2.1", Command,
        b"A285 UID SEARCH UID $ SMALLER 4096\r\n", Fails, Fails),
    case("SEARCH with $ as a key", "RFC 5182 §2.1 (seq-set =/ \"$\")", Command,
        b"a SEARCH 1:* $\r\n", Fails, Fails),
    case("SEARCH RETURN (MIN MAX COUNT)", "RFC 4731 §3.1", Command,
        b"A286 UID SEARCH RETURN (MIN MAX COUNT) UNSEEN\r\n", Fails, Fails),
    case("SEARCH RETURN ()", "RFC 4731 §3.1 (empty means ALL)", Command,
        b"A287 SEARCH RETURN () UNSEEN\r\n", Fails, Fails),
    case("SEARCH for any of eleven senders (OR chain)", "RFC 9051 §6.4.4 (OR nests; no depth limit)", Command,
        b"a UID SEARCH OR OR OR OR OR OR OR OR OR OR FROM a@example.com FROM b@example.com FROM c@example.com FROM d@example.com FROM e@example.com FROM f@example.com FROM g@example.com FROM h@example.com FROM i@example.com FROM j@example.com FROM k@example.com\r\n", Fails, Fails),
    case("UID FETCH (CHANGEDSINCE n VANISHED)", "RFC 7162 §3.2.6", Command,
        b"a UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n", Fails, Parses),
    case("STORE (UNCHANGEDSINCE n)", "RFC 7162 §3.1.3", Command,
        b"d105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)\r\n", Fails, Parses),
    case("STORE (UNCHANGEDSINCE 0)", "RFC 7162 §3.1.3 (mod-sequence-valzer)", Command,
        b"a STORE 1 (UNCHANGEDSINCE 0) +FLAGS (\\Seen)\r\n", Fails, Parses),
    case("SEARCH MODSEQ", "RFC 7162 §3.1.5", Command,
        b"a SEARCH MODSEQ 620162338\r\n", Fails, Parses),
    case("SEARCH MODSEQ with an entry", "RFC 7162 §3.1.5", Command,
        b"a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338\r\n", Fails, Parses),
    case("FETCH MODSEQ", "RFC 7162 §3.1.4.1", Command,
        b"a FETCH 1:* (FLAGS MODSEQ)\r\n", Fails, Parses),
    case("SELECT (CONDSTORE)", "RFC 7162 §3.1.8", Command,
        b"a SELECT INBOX (CONDSTORE)\r\n", Fails, Parses),
    case("SELECT (QRESYNC ...)", "RFC 7162 §3.2.5", Command,
        b"A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))\r\n", Fails, Parses),
    case("SELECT (QRESYNC) without known UIDs", "RFC 7162 §3.2.5", Command,
        b"a SELECT INBOX (QRESYNC (67890007 90060115194045000))\r\n", Fails, Parses),
    case("STATUS (SIZE)", "RFC 8438 §3", Command,
        b"a STATUS INBOX (MESSAGES SIZE)\r\n", Fails, Parses),
    case("STATUS (APPENDLIMIT)", "RFC 7889 §4", Command,
        b"a STATUS INBOX (APPENDLIMIT)\r\n", Fails, Fails),
    case("SELECT a UTF-8 mailbox name", "RFC 6855 §3, RFC 9051 §4.3", Command,
        b"a SELECT \"Entw\xc3\xbcrfe\"\r\n", Fails, Parses),
    case("RENAME a UTF-8 mailbox name", "RFC 6855 §3, RFC 9051 §4.3", Command,
        b"a RENAME \"Entw\xc3\xbcrfe\" \"Brouillons\"\r\n", Fails, Parses),
    case("APPEND UTF8 (literal8)", "RFC 6855 §4", Command,
        b"a APPEND INBOX UTF8 (~{5}\r\nhello)\r\n", Fails, Fails),
    case("APPEND with a binary literal", "RFC 3516 §4.1, RFC 9051 §6.3.12", Command,
        b"a APPEND INBOX (\\Seen) ~{5}\r\nhello\r\n", Fails, Parses),
    case("FETCH BINARY.PEEK partial", "RFC 3516 §4.2", Command,
        b"a UID FETCH 1 (BINARY.PEEK[1]<0.100>)\r\n", Fails, Parses),
    case("FETCH BINARY.PEEK[]", "RFC 3516 §4.2", Command,
        b"a FETCH 1 (BINARY.PEEK[])\r\n", Fails, Parses),
    case("FETCH BINARY.SIZE", "RFC 3516 §4.2", Command,
        b"a FETCH 1 (BINARY.SIZE[1])\r\n", Fails, Parses),
    case("ID NIL", "RFC 2971 §3.1", Command,
        b"a ID NIL\r\n", Fails, Parses),
    case("NAMESPACE", "RFC 2342 §5, RFC 9051 §6.3.10", Command,
        b"a NAMESPACE\r\n", Fails, Parses),
    case("UID EXPUNGE", "RFC 4315 §2.1, RFC 9051 §6.4.9", Command,
        b"a UID EXPUNGE 3000:3002\r\n", Fails, Parses),
    case("SORT", "RFC 5256 §3", Command,
        b"a SORT (DATE) UTF-8 ALL\r\n", Fails, Parses),
    case("UID SORT with REVERSE", "RFC 5256 §3", Command,
        b"a UID SORT (REVERSE ARRIVAL SUBJECT) UTF-8 SINCE 1-Feb-1994\r\n", Fails, Parses),
    case("UID THREAD", "RFC 5256 §3", Command,
        b"a UID THREAD REFERENCES UTF-8 ALL\r\n", Fails, Parses),
];

/// Real clients' and servers' deviations the issue has us accept, which imap-codec rejects.
const DEVIATIONS: &[Case] = &[
    case(
        "CHANGEDSINCE 0",
        "clients asking for every change; RFC 7162 §3.1.4.1 wants a positive mod-sequence",
        Command,
        b"a UID FETCH 1:* (FLAGS) (CHANGEDSINCE 0)\r\n",
        Fails,
        Fails,
    ),
    case(
        "CAPABILITY with a trailing space",
        "servers (imap-codec 2.0's quirk_trailing_space_capability)",
        Response,
        b"* CAPABILITY IMAP4rev1 IDLE \r\n",
        Fails,
        Parses,
    ),
    case(
        "STATUS with a trailing space",
        "servers (imap-codec 2.0's quirk_trailing_space_status)",
        Response,
        b"* STATUS INBOX (MESSAGES 17 UNSEEN 16) \r\n",
        Fails,
        Parses,
    ),
    case(
        "SEARCH with a trailing space",
        "servers (imap-codec 2.0's quirk_trailing_space_search)",
        Response,
        b"* SEARCH 1 2 \r\n",
        Fails,
        Parses,
    ),
    case(
        "empty SEARCH with a trailing space",
        "servers (imap-codec 2.0's quirk_trailing_space_search)",
        Response,
        b"* SEARCH \r\n",
        Fails,
        Parses,
    ),
    case(
        "continuation request without text",
        "servers (imap-codec 2.0's quirk_empty_continue_req)",
        Response,
        b"+\r\n",
        Fails,
        Parses,
    ),
    case(
        "tagged OK without SP and text",
        "servers; RFC 9051 errata on resp-text (SP may be dropped)",
        Response,
        b"a OK\r\n",
        Fails,
        Fails,
    ),
    case(
        "BYE without SP and text",
        "servers; RFC 9051 errata on resp-cond-bye",
        Response,
        b"* BYE\r\n",
        Fails,
        Fails,
    ),
];

/// Inputs both versions parse (valid ones, and a few deviations imap-codec already accepts).
const BOTH_PARSE: &[Case] = &[
    // ---- responses
    case("LIST \\Subscribed \\NonExistent", "RFC 5258 §3.4", Response,
        b"* LIST (\\Subscribed \\NonExistent) \"/\" \"Fruit/Peach\"\r\n", Parses, Parses),
    case("LIST with NIL delimiter", "RFC 9051 §7.3.1", Response,
        b"* LIST (\\Noselect) NIL \"\"\r\n", Parses, Parses),
    case("LIST \\Marked \\NoInferiors", "RFC 9051 §7.3.1", Response,
        b"* LIST (\\Marked \\NoInferiors) \"/\" \"inbox\"\r\n", Parses, Parses),
    case("LIST with a raw & (UTF8=ACCEPT), quoted", "RFC 6855 §3", Response,
        b"* LIST (\\HasNoChildren) \"/\" \"Tom & Jerry\"\r\n", Parses, Parses),
    case("LIST with a raw & (UTF8=ACCEPT), atom", "RFC 6855 §3", Response,
        b"* LIST (\\HasNoChildren) \"/\" Tom&Jerry\r\n", Parses, Parses),
    case("LIST R&D", "RFC 6855 §3", Response,
        b"* LIST () \"/\" \"R&D\"\r\n", Parses, Parses),
    case("LIST modified UTF-7", "RFC 3501 §5.1.3", Response,
        b"* LIST () \"/\" \"~peter/mail/&U,BTFw-/&ZeVnLIqe-\"\r\n", Parses, Parses),
    case("STATUS", "RFC 9051 §7.2.4", Response,
        b"* STATUS \"Archive\" (MESSAGES 3 UNSEEN 0)\r\n", Parses, Parses),
    case("STATUS DELETED", "RFC 9051 §7.2.4", Response,
        b"* STATUS INBOX (MESSAGES 17 DELETED 2)\r\n", Parses, Parses),
    case("[HIGHESTMODSEQ]", "RFC 7162 §3.1.2.1", Response,
        b"* OK [HIGHESTMODSEQ 715194045007] Highest\r\n", Parses, Parses),
    case("[NOMODSEQ]", "RFC 7162 §3.1.2.2", Response,
        b"* OK [NOMODSEQ] Sorry, this mailbox format doesn't support modsequences\r\n", Parses, Parses),
    case("[MODIFIED]", "RFC 7162 §3.1.3", Response,
        b"d105 OK [MODIFIED 7,9] Conditional STORE failed\r\n", Parses, Parses),
    case("[CLOSED]", "RFC 7162 §3.2.11", Response,
        b"* OK [CLOSED] Previous mailbox is now closed\r\n", Parses, Parses),
    case("[APPENDUID]", "RFC 4315 §3", Response,
        b"A003 OK [APPENDUID 38505 3955] APPEND completed\r\n", Parses, Parses),
    case("[COPYUID]", "RFC 4315 §3", Response,
        b"A004 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n", Parses, Parses),
    case("[UIDNOTSTICKY]", "RFC 4315 §3", Response,
        b"A292 OK [UIDNOTSTICKY] EXAMINE completed\r\n", Parses, Parses),
    case("[OVERQUOTA]", "RFC 9208 §4.3", Response,
        b"A003 NO [OVERQUOTA] APPEND Failed\r\n", Parses, Parses),
    case("[TOOBIG]", "RFC 7889 §3", Response,
        b"A003 NO [TOOBIG] Message too large\r\n", Parses, Parses),
    case("[UNKNOWN-CTE]", "RFC 3516 §4.3", Response,
        b"a NO [UNKNOWN-CTE] Can't decode\r\n", Parses, Parses),
    case("[ALREADYEXISTS]", "RFC 5530 §3", Response,
        b"o356 NO [ALREADYEXISTS] Mailbox exists\r\n", Parses, Parses),
    case("[NONEXISTENT]", "RFC 5530 §3", Response,
        b"A NO [NONEXISTENT] Unknown Mailbox\r\n", Parses, Parses),
    case("[USE]", "RFC 6154 §3", Response,
        b"t1 NO [USE] \\Sent not supported\r\n", Parses, Parses),
    case("[INUSE]", "RFC 5530 §3", Response,
        b"t1 NO [INUSE] Mailbox in use\r\n", Parses, Parses),
    case("[LIMIT]", "RFC 5530 §3", Response,
        b"t1 NO [LIMIT] Too many\r\n", Parses, Parses),
    case("[NOTSAVED]", "RFC 5182 §2.5", Response,
        b"t1 OK [NOTSAVED] Nothing saved\r\n", Parses, Parses),
    case("[HASCHILDREN]", "RFC 9051 §7.1", Response,
        b"t1 NO [HASCHILDREN] Has children\r\n", Parses, Parses),
    case("unknown response code with text", "RFC 9051 §9 (atom [SP 1*<any TEXT-CHAR except \"]\">])", Response,
        b"t1 OK [X-FOO bar baz] Done\r\n", Parses, Parses),
    case("code and no text", "servers (imap-codec's quirk_missing_text)", Response,
        b"a OK [READ-WRITE]\r\n", Parses, Parses),
    case("continuation with SP only", "RFC 9051 §9", Response,
        b"+ \r\n", Parses, Parses),
    case("continuation with base64", "RFC 9051 §9", Response,
        b"+ YmFzZTY0\r\n", Parses, Parses),
    case("continuation with a code", "RFC 9051 §9", Response,
        b"+ [ALERT] go ahead\r\n", Parses, Parses),
    case("ENABLED, empty", "RFC 5161 §4", Response,
        b"* ENABLED\r\n", Parses, Parses),
    case("ENABLED QRESYNC", "RFC 5161 §4", Response,
        b"* ENABLED QRESYNC\r\n", Parses, Parses),
    case("QUOTA", "RFC 9208 §5.1", Response,
        b"* QUOTA \"\" (STORAGE 10 512)\r\n", Parses, Parses),
    case("QUOTA MESSAGE MAILBOX", "RFC 9208 §5.1", Response,
        b"* QUOTA \"#user/alice\" (MESSAGE 42 1000 MAILBOX 12 20)\r\n", Parses, Parses),
    case("QUOTAROOT", "RFC 9208 §5.2", Response,
        b"* QUOTAROOT INBOX \"\"\r\n", Parses, Parses),
    case("FETCH BODY[] NIL", "RFC 9051 §7.5.2", Response,
        b"* 12 FETCH (BODY[] NIL)\r\n", Parses, Parses),
    case("FETCH BODY[]<0>", "RFC 9051 §7.5.2", Response,
        b"* 12 FETCH (BODY[]<0> {5}\r\nhello)\r\n", Parses, Parses),
    case("FETCH BODY[1.MIME]", "RFC 9051 §6.4.5", Response,
        b"* 1 FETCH (BODY[1.MIME] {5}\r\nhello)\r\n", Parses, Parses),
    case("FETCH BODY[HEADER.FIELDS (\"From\")]", "RFC 9051 §9 (header-fld-name = astring)", Response,
        b"* 4 FETCH (BODY[HEADER.FIELDS (\"From\")] {2}\r\n\r\n)\r\n", Parses, Parses),
    case("ENVELOPE with group syntax", "RFC 9051 §7.5.2", Response,
        b"* 12 FETCH (ENVELOPE (NIL NIL NIL NIL NIL ((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) NIL NIL NIL NIL))\r\n", Parses, Parses),
    case("BODYSTRUCTURE with body-extension", "RFC 9051 §9 (body-ext-1part)", Response,
        b"* 3 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 10 1 NIL NIL \"en\" \"loc\" (1 \"x\" NIL)))\r\n", Parses, Parses),
    case("BODYSTRUCTURE with a language list", "RFC 9051 §9 (body-fld-lang)", Response,
        b"* 3 FETCH (BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 10 1 NIL NIL (\"en\" \"de\") NIL))\r\n", Parses, Parses),
    case("BODYSTRUCTURE, RFC 3501's example", "RFC 3501 §7.4.2", Response,
        b"* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23)(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") \"<960723163407.20117h@cac.washington.edu>\" \"Compiler diff\" \"BASE64\" 4554 73) \"MIXED\"))\r\n", Parses, Parses),
    case("BODYSTRUCTURE with NIL parameters", "RFC 9051 §9 (body-fld-param)", Response,
        b"* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 3028 92))\r\n", Parses, Parses),
    case("INTERNALDATE with a leading space", "RFC 9051 §9 (date-day-fixed)", Response,
        b"* 3 FETCH (INTERNALDATE \" 1-Jan-2024 00:00:00 +0000\")\r\n", Parses, Parses),
    case("CAPABILITY IMAP4rev2", "RFC 9051 §7.2.2", Response,
        b"* CAPABILITY IMAP4rev2 IMAP4rev1 AUTH=PLAIN UTF8=ACCEPT APPENDLIMIT=35651584\r\n", Parses, Parses),
    case("SEARCH, empty", "RFC 3501 §7.2.5", Response,
        b"* SEARCH\r\n", Parses, Parses),
    case("BYE", "RFC 9051 §7.1.5", Response,
        b"* BYE Autologout; idle for too long\r\n", Parses, Parses),
    case("NO [ALERT]", "RFC 9051 §7.1", Response,
        b"* NO [ALERT] System shutdown in 10 minutes\r\n", Parses, Parses),
    case("FLAGS ()", "RFC 9051 §7.3.5", Response,
        b"* FLAGS ()\r\n", Parses, Parses),
    case("EXPUNGE", "RFC 9051 §7.5.1", Response,
        b"* 44 EXPUNGE\r\n", Parses, Parses),
    // ---- commands
    case("ENABLE QRESYNC", "RFC 5161 §3.1", Command,
        b"a ENABLE QRESYNC\r\n", Parses, Parses),
    case("STATUS (DELETED)", "RFC 9051 §6.3.11", Command,
        b"a STATUS INBOX (DELETED)\r\n", Parses, Parses),
    case("STATUS (HIGHESTMODSEQ)", "RFC 7162 §3.1.9", Command,
        b"a STATUS INBOX (HIGHESTMODSEQ)\r\n", Parses, Parses),
    case("SELECT with a raw & (UTF8=ACCEPT), quoted", "RFC 6855 §3", Command,
        b"a SELECT \"Tom & Jerry\"\r\n", Parses, Parses),
    case("SELECT with a raw & (UTF8=ACCEPT), atom", "RFC 6855 §3", Command,
        b"a SELECT Tom&Jerry\r\n", Parses, Parses),
    case("SELECT modified UTF-7", "RFC 3501 §5.1.3", Command,
        b"a SELECT \"~peter/mail/&U,BTFw-/&ZeVnLIqe-\"\r\n", Parses, Parses),
    case("UNSELECT", "RFC 3691 §2, RFC 9051 §6.4.2", Command,
        b"a UNSELECT\r\n", Parses, Parses),
    case("MOVE", "RFC 6851 §3.1", Command,
        b"a MOVE 1:3 Trash\r\n", Parses, Parses),
    case("UID MOVE", "RFC 6851 §3.2", Command,
        b"a UID MOVE 42:69 foo\r\n", Parses, Parses),
    case("GETQUOTA", "RFC 9208 §4.2", Command,
        b"a GETQUOTA \"\"\r\n", Parses, Parses),
    case("GETQUOTAROOT", "RFC 9208 §4.3", Command,
        b"a GETQUOTAROOT INBOX\r\n", Parses, Parses),
    case("SETQUOTA", "RFC 9208 §4.1", Command,
        b"a SETQUOTA \"\" (STORAGE 512)\r\n", Parses, Parses),
    case("AUTHENTICATE with SASL-IR", "RFC 4959 §3", Command,
        b"a AUTHENTICATE PLAIN AGpvZQBwYXNz\r\n", Parses, Parses),
    case("AUTHENTICATE with an empty SASL-IR", "RFC 4959 §3", Command,
        b"a AUTHENTICATE PLAIN =\r\n", Parses, Parses),
    case("COMPRESS DEFLATE", "RFC 4978 §3", Command,
        b"a COMPRESS DEFLATE\r\n", Parses, Parses),
    case("STARTTLS", "RFC 9051 §6.2.1", Command,
        b"a STARTTLS\r\n", Parses, Parses),
    case("APPEND with LITERAL+", "RFC 7888 §3", Command,
        b"a APPEND INBOX {5+}\r\nhello\r\n", Parses, Parses),
    case("APPEND with a synchronizing literal, inline", "RFC 9051 §6.3.12", Command,
        b"a APPEND INBOX {5}\r\nhello\r\n", Parses, Parses),
    case("LOGIN with LITERAL+", "RFC 7888 §3", Command,
        b"a LOGIN {3+}\r\njoe {4+}\r\npass\r\n", Parses, Parses),
    case("FETCH BODY[]<0.2048>", "RFC 9051 §6.4.5", Command,
        b"a FETCH 1 BODY[]<0.2048>\r\n", Parses, Parses),
    case("FETCH HEADER.FIELDS.NOT", "RFC 9051 §6.4.5", Command,
        b"a FETCH 1 (BODY.PEEK[HEADER.FIELDS.NOT (Received)])\r\n", Parses, Parses),
    case("FETCH FAST", "RFC 3501 §6.4.5", Command,
        b"a FETCH 1:* FAST\r\n", Parses, Parses),
    case("SEARCH CHARSET with a literal", "RFC 9051 §6.4.4", Command,
        b"a SEARCH CHARSET UTF-8 SUBJECT {4}\r\n\xd0\x9f\xd0\xb8\r\n", Parses, Parses),
    case("SEARCH for any of nine senders (OR chain)", "RFC 9051 §6.4.4", Command,
        b"a UID SEARCH OR OR OR OR OR OR OR OR FROM a FROM b FROM c FROM d FROM e FROM f FROM g FROM h FROM i\r\n", Parses, Parses),
    case("SEARCH with parenthesised keys", "RFC 9051 §6.4.4", Command,
        b"a SEARCH (OR (FROM a) (TO b)) (NOT (SUBJECT c))\r\n", Parses, Parses),
    case("UID SEARCH OR OR OR", "RFC 9051 §6.4.4", Command,
        b"a UID SEARCH OR OR OR FROM a TO b CC c BCC d\r\n", Parses, Parses),
    case("idle in lower case", "RFC 9051 §9 (case-insensitive)", Command,
        b"a idle\r\n", Parses, Parses),
    case("list in lower case", "RFC 9051 §9 (case-insensitive)", Command,
        b"a list \"\" \"*\"\r\n", Parses, Parses),
    case("COPY", "RFC 9051 §6.4.7", Command,
        b"a COPY 2:4 MEETING\r\n", Parses, Parses),
    case("CREATE", "RFC 9051 §6.3.4", Command,
        b"a CREATE owatagusiam/\r\n", Parses, Parses),
    case("DELETE", "RFC 9051 §6.3.5", Command,
        b"a DELETE blurdybloop\r\n", Parses, Parses),
    case("RENAME", "RFC 9051 §6.3.6", Command,
        b"a RENAME blurdybloop sarasoop\r\n", Parses, Parses),
    case("SUBSCRIBE", "RFC 9051 §6.3.7", Command,
        b"a SUBSCRIBE #news.comp.mail.mime\r\n", Parses, Parses),
    case("LSUB", "RFC 3501 §6.3.9", Command,
        b"a LSUB \"#news.\" \"comp.mail.*\"\r\n", Parses, Parses),
    case("CHECK", "RFC 3501 §6.4.1", Command,
        b"a CHECK\r\n", Parses, Parses),
    case("EXPUNGE", "RFC 9051 §6.4.3", Command,
        b"a EXPUNGE\r\n", Parses, Parses),
    case("STORE FLAGS with keywords", "RFC 9051 §6.4.6", Command,
        b"a STORE 1 FLAGS ($MDNSent NonJunk)\r\n", Parses, Parses),
    case("STORE +FLAGS without parentheses", "RFC 9051 §9 (store-att-flags)", Command,
        b"a STORE 1 +FLAGS \\Deleted\r\n", Parses, Parses),
    case("FETCH with a reversed range", "RFC 9051 §9 (seq-range)", Command,
        b"a FETCH 4:2 (FLAGS)\r\n", Parses, Parses),
];

/// imap-codec 1.0's verdict on one input.
fn codec_1(side: Side, input: &[u8]) -> Verdict {
    let whole = match side {
        Command => {
            matches!(imap_codec_1::CommandCodec::new().decode(input), Ok((rest, _)) if rest.is_empty())
        }
        Response => {
            matches!(imap_codec_1::ResponseCodec::new().decode(input), Ok((rest, _)) if rest.is_empty())
        }
    };
    if whole { Parses } else { Fails }
}

/// imap-codec 2.0.0-alpha.10's verdict on one input.
fn codec_2(side: Side, input: &[u8]) -> Verdict {
    let whole = match side {
        Command => {
            matches!(imap_codec_2::CommandCodec::new().decode(input), Ok((rest, _)) if rest.is_empty())
        }
        Response => {
            matches!(imap_codec_2::ResponseCodec::new().decode(input), Ok((rest, _)) if rest.is_empty())
        }
    };
    if whole { Parses } else { Fails }
}

/// Checks every case of `table` against both versions; lists every disagreement.
fn check_table(table: &[Case]) {
    let mut wrong = Vec::new();
    for c in table {
        for (version, expected, got) in [
            ("1.0.0", c.v1, codec_1(c.side, c.input)),
            ("2.0.0-alpha.10", c.v2, codec_2(c.side, c.input)),
        ] {
            if expected != got {
                wrong.push(format!(
                    "imap-codec {version} on {:?} ({}, {:?}): expected {expected:?}, got {got:?}: {:?}",
                    c.name,
                    c.source,
                    c.side,
                    String::from_utf8_lossy(c.input)
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "verdicts changed:\n{}", wrong.join("\n"));
}

#[test]
fn imap_codec_rejects_these_valid_inputs() {
    check_table(GAPS);
}

#[test]
fn imap_codec_rejects_these_accepted_deviations() {
    check_table(DEVIATIONS);
}

#[test]
fn imap_codec_parses_these_too() {
    check_table(BOTH_PARSE);
}

#[test]
fn every_gap_is_a_gap() {
    // A row of GAPS or DEVIATIONS where both versions parse belongs in BOTH_PARSE; a row of
    // BOTH_PARSE where one fails belongs in GAPS or DEVIATIONS.
    for c in GAPS.iter().chain(DEVIATIONS) {
        assert!(c.v1 == Fails || c.v2 == Fails, "{:?} is no gap", c.name);
    }
    for c in BOTH_PARSE {
        assert!(c.v1 == Parses && c.v2 == Parses, "{:?} is a gap", c.name);
    }
    // Every input is one whole message ending in CRLF, named once.
    let all: Vec<&Case> = GAPS.iter().chain(DEVIATIONS).chain(BOTH_PARSE).collect();
    for c in &all {
        assert!(
            c.input.ends_with(b"\r\n"),
            "{:?} does not end in CRLF",
            c.name
        );
        let same = all
            .iter()
            .filter(|o| o.name == c.name && o.side == c.side)
            .count();
        assert_eq!(same, 1, "{:?} ({:?}) is named twice", c.name, c.side);
    }
}

// ---- ours ---------------------------------------------------------------------------------------
// Our parsers must take every case above whole: the gaps, the deviations, and what imap-codec
// parses too (`Command::parse`/`Response::parse` return the octets consumed incl. the final CRLF).

/// Cases our parsers do not take yet, by name: each must still fail (so that the entry is
/// removed when it is fixed).
const OURS_MISSING: &[&str] = &[];

#[test]
fn ours_parses_every_case() {
    let mut wrong = Vec::new();
    for c in GAPS.iter().chain(DEVIATIONS).chain(BOTH_PARSE) {
        let result = match c.side {
            Command => imap_proto::command::Command::parse(c.input).map(|(_, used)| used),
            Response => imap_proto::response::Response::parse(c.input).map(|(_, used)| used),
        };
        let whole = matches!(result, Ok(used) if used == c.input.len());
        let missing = OURS_MISSING.contains(&c.name);
        match result {
            _ if whole && missing => wrong.push(format!(
                "{:?} parses now: drop it from OURS_MISSING",
                c.name
            )),
            _ if whole || missing => {}
            other => wrong.push(format!(
                "{:?} ({}, {:?}): {other:?} of {} octets: {:?}",
                c.name,
                c.source,
                c.side,
                c.input.len(),
                String::from_utf8_lossy(c.input)
            )),
        }
    }
    assert!(
        wrong.is_empty(),
        "our parsers disagree:\n{}",
        wrong.join("\n")
    );
    for name in OURS_MISSING {
        let known = GAPS
            .iter()
            .chain(DEVIATIONS)
            .chain(BOTH_PARSE)
            .any(|c| c.name == *name);
        assert!(known, "OURS_MISSING names no case: {name:?}");
    }
}
