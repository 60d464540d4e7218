//! Tests of the view: the RFC 9051 and RFC 7162 examples as C:/S: expectations on the encoded
//! responses, sequence-set resolution, and a property test of a client's numbering against the
//! server's view under random interleavings of other sessions' changes and announce points.

use std::num::NonZeroU32;

use super::*;
use crate::command::{Command, QResync};
use crate::response::{Code, Status, StatusKind};
use crate::token::{SequenceSet, Tag};

fn sf(names: &[&str]) -> mailstore::Flags {
    names
        .iter()
        .map(|n| mailstore::Flag::parse(n).expect("flag"))
        .collect()
}

fn meta(uid: u32, flags: &[&str], modseq: u64) -> mailstore::MessageMeta {
    mailstore::MessageMeta {
        uid,
        flags: sf(flags),
        size: 100,
        internal_date: std::time::UNIX_EPOCH,
        modseq,
        unique_id: mailstore::unique_id(1, uid),
    }
}

/// A view of messages with these UIDs, no flags, MODSEQ = UID.
fn view_of(uids: impl IntoIterator<Item = u32>) -> MailboxView {
    let uids: Vec<u32> = uids.into_iter().collect();
    let last = uids.last().copied().unwrap_or(0);
    let mut v = MailboxView::new(ViewInfo {
        uid_validity: 1,
        uid_next: last + 1,
        highest_modseq: u64::from(last),
    });
    for u in uids {
        v.push(u, &sf(&[]), u64::from(u)).expect("push");
    }
    v
}

fn wire(rs: &[Response<'_>]) -> String {
    let mut e = crate::Encoder::server();
    for r in rs {
        r.encode(&mut e);
    }
    String::from_utf8(e.take()).expect("ascii")
}

fn set(s: &str) -> SequenceSet {
    SequenceSet::parse(&mut crate::Cursor::new(format!("{s} ").as_bytes())).expect("set")
}

const HOLD: AnnouncePoint = AnnouncePoint::Command {
    allows_expunge: false,
};
const ALLOW: AnnouncePoint = AnnouncePoint::Command {
    allows_expunge: true,
};

#[test]
fn rfc9051_7_5_1_expunges_renumber_in_ascending_order() {
    // RFC 9051 §7.5.1: "if the messages 3, 4, 7, and 11 had been expunged, [...]
    // S: * 3 EXPUNGE / * 3 EXPUNGE / * 5 EXPUNGE / * 8 EXPUNGE".
    let mut v = view_of(1..=12);
    for seq in [3, 4, 7, 11] {
        v.apply(&mailstore::Change::Expunged(seq));
    }
    assert_eq!(v.exists(), 12);
    let out = v.announce(ALLOW);
    assert_eq!(
        wire(&out),
        "* 3 EXPUNGE\r\n* 3 EXPUNGE\r\n* 5 EXPUNGE\r\n* 8 EXPUNGE\r\n"
    );
    assert_eq!(v.exists(), 8);
    let uids: Vec<u32> = (1..=8).filter_map(|s| v.uid(s)).collect();
    assert_eq!(uids, [1, 2, 5, 6, 8, 9, 10, 12]);
    assert!(!v.has_pending());
}

#[test]
fn no_expunge_while_responding_to_fetch_store_search() {
    // RFC 9051 §7.5.1: "An EXPUNGE response MUST NOT be sent [...] while responding to a FETCH,
    // STORE, or SEARCH command." EXISTS and flag updates may go.
    let mut v = view_of(1..=3);
    v.apply(&mailstore::Change::Expunged(2));
    v.apply(&mailstore::Change::Flags(meta(3, &["\\Seen"], 10)));
    v.apply(&mailstore::Change::New(meta(4, &[], 11)));
    let out = v.announce(HOLD);
    assert_eq!(wire(&out), "* 4 EXISTS\r\n* 3 FETCH (FLAGS (\\Seen))\r\n");
    // Message 2 still answers to number 2, marked expunged.
    assert_eq!(v.uid(2), Some(2));
    assert!(v.is_expunged(2));
    assert_eq!(v.uid(4), Some(4));
    // Nothing more until expunges are allowed.
    assert!(v.announce(HOLD).is_empty());
    let mut e = crate::Encoder::server();
    v.announce_into(AnnouncePoint::Idle, &mut e);
    assert_eq!(e.take(), b"* 2 EXPUNGE\r\n");
    assert_eq!(v.exists(), 3);
    assert_eq!(v.seq_of(4), NonZeroU32::new(3));
}

#[test]
fn announce_point_of_each_command() {
    let table: &[(&str, bool)] = &[
        ("a FETCH 1 FLAGS\r\n", false),
        ("a UID FETCH 1 FLAGS\r\n", true),
        ("a STORE 1 +FLAGS (\\Seen)\r\n", false),
        ("a UID STORE 1 +FLAGS (\\Seen)\r\n", true),
        ("a SEARCH ALL\r\n", false),
        ("a UID SEARCH ALL\r\n", true),
        ("a SORT (DATE) UTF-8 ALL\r\n", false),
        ("a UID SORT (DATE) UTF-8 ALL\r\n", true),
        ("a THREAD REFERENCES UTF-8 ALL\r\n", false),
        ("a NOOP\r\n", true),
        ("a CHECK\r\n", true),
        ("a COPY 1 B\r\n", true),
        ("a EXPUNGE\r\n", true),
    ];
    for (line, allows) in table {
        let (cmd, _) = Command::parse(line.as_bytes()).expect(line);
        assert_eq!(
            AnnouncePoint::for_command(&cmd.body),
            AnnouncePoint::Command {
                allows_expunge: *allows
            },
            "{line}"
        );
    }
}

#[test]
fn qresync_sends_vanished_instead_of_expunge() {
    // RFC 7162 §3.2.10: once QRESYNC is enabled, VANISHED replaces EXPUNGE.
    let mut v = view_of(1..=10);
    v.enable_qresync();
    for u in [3, 4, 7] {
        v.apply(&mailstore::Change::Expunged(u));
    }
    v.apply(&mailstore::Change::Flags(meta(9, &["\\Flagged"], 20)));
    let out = v.announce(ALLOW);
    assert_eq!(
        wire(&out),
        "* VANISHED 3:4,7\r\n* 6 FETCH (UID 9 FLAGS (\\Flagged) MODSEQ (20))\r\n"
    );
    assert_eq!(v.exists(), 7);
}

#[test]
fn condstore_puts_modseq_in_unsolicited_fetch() {
    // RFC 7162 §3.1.4.1 ... the server MUST include MODSEQ in unsolicited FETCH responses once
    // CONDSTORE is enabled; a MODSEQ change with the same flags is reported too.
    let mut v = view_of(1..=2);
    v.enable_condstore();
    v.apply(&mailstore::Change::Flags(meta(2, &["$Junk"], 7)));
    v.apply(&mailstore::Change::Flags(meta(1, &[], 8)));
    let out = v.announce(HOLD);
    assert_eq!(
        wire(&out),
        "* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Junk)\r\n\
         * 1 FETCH (FLAGS () MODSEQ (8))\r\n\
         * 2 FETCH (FLAGS ($Junk) MODSEQ (7))\r\n"
    );
}

#[test]
fn a_new_keyword_gets_a_flags_response_before_its_fetch() {
    // RFC 9051 §7.3.5: FLAGS lists the flags applicable to the mailbox; a keyword that appears
    // is announced before it is used.
    let mut v = view_of(1..=1);
    let select = v.flags_data();
    assert_eq!(
        wire(&[Response::Data(select)]),
        "* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)\r\n"
    );
    v.apply(&mailstore::Change::Flags(meta(1, &["$Forwarded"], 5)));
    let out = v.announce(ALLOW);
    assert_eq!(
        wire(&out),
        "* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Forwarded)\r\n\
         * 1 FETCH (FLAGS ($Forwarded))\r\n"
    );
    // Known now: no second FLAGS.
    v.apply(&mailstore::Change::Flags(meta(
        1,
        &["$forwarded", "\\Seen"],
        6,
    )));
    assert_eq!(
        wire(&v.announce(ALLOW)),
        "* 1 FETCH (FLAGS (\\Seen $Forwarded))\r\n"
    );
}

#[test]
fn changes_the_view_already_has_are_not_announced_again() {
    // The session's own STORE comes back through changes_since / the feed: nothing to send
    // (under CONDSTORE even a MODSEQ change alone would be announced).
    let mut v = view_of(1..=3);
    v.enable_condstore();
    let outcome = mailstore::StoreOutcome {
        updated: vec![mailstore::FlagUpdate {
            uid: 2,
            flags: sf(&["\\Deleted"]),
            modseq: 9,
        }],
        modified: vec![],
    };
    let (out, modified) = v.store_result(&outcome, StoreReply::default());
    assert_eq!(wire(&out), "* 2 FETCH (FLAGS (\\Deleted) MODSEQ (9))\r\n");
    assert_eq!(modified, None);
    v.apply_changes(&mailstore::ChangeSet {
        highest_modseq: 9,
        changed: vec![meta(2, &["\\Deleted"], 9)],
        expunged: vec![],
    });
    assert!(v.announce(ALLOW).is_empty());
    assert_eq!(v.synced_modseq(), 9);
    // Our own EXPUNGE, reported back later, is ignored as well.
    assert_eq!(wire(&v.expunged_by_self(&[2])), "* 2 EXPUNGE\r\n");
    v.apply(&mailstore::Change::Expunged(2));
    assert!(v.announce(ALLOW).is_empty());
    assert_eq!(v.exists(), 2);
}

#[test]
fn own_store_answers_a_pending_flag_change_once() {
    // Another session flagged message 1; our STORE's FETCH carries the current flags, so the
    // pending FETCH is not sent again. A keyword new to the mailbox brings a FLAGS response
    // before the FETCH (RFC 9051 §7.3.5).
    let mut v = view_of(1..=2);
    v.flags_data();
    v.apply(&mailstore::Change::Flags(meta(1, &["\\Flagged"], 5)));
    let outcome = mailstore::StoreOutcome {
        updated: vec![mailstore::FlagUpdate {
            uid: 1,
            flags: sf(&["\\Flagged", "$Label1"]),
            modseq: 6,
        }],
        modified: vec![],
    };
    let (out, _) = v.store_result(&outcome, StoreReply::default());
    assert_eq!(
        wire(&out),
        "* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Label1)\r\n\
         * 1 FETCH (FLAGS (\\Flagged $Label1))\r\n"
    );
    assert!(v.announce(ALLOW).is_empty());
    // With .SILENT the other session's change stays pending and is announced later.
    v.apply(&mailstore::Change::Flags(meta(2, &["\\Seen"], 7)));
    let outcome = mailstore::StoreOutcome {
        updated: vec![mailstore::FlagUpdate {
            uid: 2,
            flags: sf(&["\\Seen", "\\Answered"]),
            modseq: 8,
        }],
        modified: vec![],
    };
    let silent = StoreReply {
        uid: false,
        silent: true,
    };
    assert!(v.store_result(&outcome, silent).0.is_empty());
    assert_eq!(
        wire(&v.announce(HOLD)),
        "* 2 FETCH (FLAGS (\\Seen \\Answered))\r\n"
    );
}

#[test]
fn own_expunge_announces_pending_expunges_of_others_too() {
    let mut v = view_of([10, 20, 30, 40]);
    v.apply(&mailstore::Change::Expunged(40));
    let out = v.expunged_by_self(&[20]);
    assert_eq!(wire(&out), "* 2 EXPUNGE\r\n* 3 EXPUNGE\r\n");
    assert_eq!(v.exists(), 2);
    assert_eq!((v.uid(1), v.uid(2)), (Some(10), Some(30)));
}

#[test]
fn rfc9051_6_4_6_store_answers_with_the_new_flags() {
    // RFC 9051 §6.4.6: C: A003 STORE 2:4 +FLAGS (\Deleted) / S: * 2 FETCH (FLAGS (\Deleted
    // \Seen)) / * 3 FETCH (FLAGS (\Deleted)) / * 4 FETCH (FLAGS (\Deleted \Flagged \Seen)).
    // The same flags; this server writes system flags in one fixed order.
    let mut v = view_of(1..=4);
    let m = v.resolve(&set("2:4"), false).expect("set");
    assert_eq!(v.uid_set(&m).ranges(), &[2..=4]);
    let outcome = mailstore::StoreOutcome {
        updated: vec![
            mailstore::FlagUpdate {
                uid: 2,
                flags: sf(&["\\Deleted", "\\Seen"]),
                modseq: 5,
            },
            mailstore::FlagUpdate {
                uid: 3,
                flags: sf(&["\\Deleted"]),
                modseq: 5,
            },
            mailstore::FlagUpdate {
                uid: 4,
                flags: sf(&["\\Deleted", "\\Flagged", "\\Seen"]),
                modseq: 5,
            },
        ],
        modified: vec![],
    };
    let (out, _) = v.store_result(&outcome, StoreReply::default());
    assert_eq!(
        wire(&out),
        "* 2 FETCH (FLAGS (\\Seen \\Deleted))\r\n\
         * 3 FETCH (FLAGS (\\Deleted))\r\n\
         * 4 FETCH (FLAGS (\\Seen \\Flagged \\Deleted))\r\n"
    );
    assert!(v.is_deleted(3) && !v.is_deleted(1) && v.is_seen(4));
    assert_eq!(v.first_unseen(), Some(1));
    // .SILENT without CONDSTORE: nothing back.
    let (out, _) = v.store_result(
        &outcome,
        StoreReply {
            uid: false,
            silent: true,
        },
    );
    assert!(out.is_empty());
}

fn tagged_ok(tag: &str, code: Option<Code<'static>>, text: &str) -> Response<'static> {
    Response::Status(Status {
        tag: Some(Tag::new(tag.to_string()).expect("tag")),
        kind: StatusKind::Ok,
        code,
        text: text.to_string().into(),
    })
}

#[test]
fn rfc7162_3_1_3_silent_conditional_store_reports_modseq_and_modified() {
    // RFC 7162 §3.1.3 example 4:
    // C: d105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\Deleted)
    // S: * 5 FETCH (MODSEQ (320162350))
    // S: d105 OK [MODIFIED 7,9] Conditional STORE failed
    let mut v = view_of(1..=9);
    v.enable_condstore();
    let outcome = mailstore::StoreOutcome {
        updated: vec![mailstore::FlagUpdate {
            uid: 5,
            flags: sf(&["\\Deleted"]),
            modseq: 320162350,
        }],
        modified: vec![9, 7],
    };
    let reply = StoreReply {
        uid: false,
        silent: true,
    };
    let (mut out, modified) = v.store_result(&outcome, reply);
    out.push(tagged_ok("d105", modified, "Conditional STORE failed"));
    assert_eq!(
        wire(&out),
        "* 5 FETCH (MODSEQ (320162350))\r\nd105 OK [MODIFIED 7,9] Conditional STORE failed\r\n"
    );
}

#[test]
fn rfc7162_uid_store_silent_carries_uid_and_modseq() {
    // RFC 7162 §3.1.3 example 3 (UID form):
    // C: a103 UID STORE 6,4,8 (UNCHANGEDSINCE 12121230045) +FLAGS.SILENT (\Deleted)
    // S: * 1 FETCH (UID 4 MODSEQ (12121231000))
    // S: * 2 FETCH (UID 6 MODSEQ (12121230852))
    // S: * 4 FETCH (UID 8 MODSEQ (12121130956))
    let mut v = view_of([4, 6, 7, 8]);
    v.enable_condstore();
    let up = |uid, modseq| mailstore::FlagUpdate {
        uid,
        flags: sf(&["\\Deleted"]),
        modseq,
    };
    let outcome = mailstore::StoreOutcome {
        updated: vec![up(4, 12121231000), up(6, 12121230852), up(8, 12121130956)],
        modified: vec![],
    };
    let reply = StoreReply {
        uid: true,
        silent: true,
    };
    let (out, modified) = v.store_result(&outcome, reply);
    assert_eq!(
        wire(&out),
        "* 1 FETCH (UID 4 MODSEQ (12121231000))\r\n\
         * 2 FETCH (UID 6 MODSEQ (12121230852))\r\n\
         * 4 FETCH (UID 8 MODSEQ (12121130956))\r\n"
    );
    assert_eq!(modified, None);
    // MODIFIED of a UID STORE lists UIDs.
    assert_eq!(
        v.modified_code(&[8, 6], true),
        Some(Code::Modified(set("6,8")))
    );
    assert_eq!(
        v.modified_code(&[8, 6], false),
        Some(Code::Modified(set("2,4")))
    );
}

#[test]
fn rfc7162_3_2_5_1_select_qresync() {
    // RFC 7162 §3.2.5.1's example, with message numbers made consistent with the UIDs (the
    // example's own are not: UIDs 43:116 vanished, yet message 49 has UID 117):
    // C: A03 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))
    // S: * VANISHED (EARLIER) 41,43:116,118,120:211,214:540
    // S: * 49 FETCH (UID 117 FLAGS (\Seen \Answered) MODSEQ (90060115194045001))
    // S: * 50 FETCH (UID 119 FLAGS (\Draft $MDNSent) MODSEQ (90060115194045308))
    // S: * 51 FETCH (UID 541 FLAGS (\Seen $Forwarded) MODSEQ (90060115194045001))
    let mut v = MailboxView::new(ViewInfo {
        uid_validity: 67890007,
        uid_next: 600,
        highest_modseq: 90060115194045308,
    });
    let old = 20050715194045000 - 1000;
    for uid in (1..=40).chain([42]) {
        v.push(uid, &sf(&["\\Seen"]), old).expect("push");
    }
    v.push(117, &sf(&["\\Seen", "\\Answered"]), 90060115194045001)
        .expect("push");
    v.push(119, &sf(&["\\Draft", "$MDNSent"]), 90060115194045308)
        .expect("push");
    v.push(541, &sf(&["\\Seen", "$Forwarded"]), 90060115194045001)
        .expect("push");
    v.push(599, &sf(&[]), old).expect("push");
    // What mailstore's changes_since(20050715194045000) reports as expunged: also UIDs the
    // client did not list (212, 213) and above its range (550), which are left out.
    let expunged: Vec<u32> = [41]
        .into_iter()
        .chain(43..=116)
        .chain([118])
        .chain(120..=213)
        .chain(214..=540)
        .chain([550])
        .collect();
    let params = QResync {
        uid_validity: NonZeroU32::new(67890007).expect("nz"),
        mod_seq: 20050715194045000,
        known_uids: Some(set("41,43:211,214:541")),
        seq_match: None,
    };
    let out = v.qresync(&params, &expunged);
    assert_eq!(
        wire(&out),
        "* VANISHED (EARLIER) 41,43:116,118,120:211,214:540\r\n\
         * 42 FETCH (UID 117 FLAGS (\\Seen \\Answered) MODSEQ (90060115194045001))\r\n\
         * 43 FETCH (UID 119 FLAGS (\\Draft $MDNSent) MODSEQ (90060115194045308))\r\n\
         * 44 FETCH (UID 541 FLAGS (\\Seen $Forwarded) MODSEQ (90060115194045001))\r\n"
    );
    assert!(v.qresync_enabled() && v.condstore());
    // Without known UIDs every expunged UID is reported.
    let all = QResync {
        known_uids: None,
        ..params.clone()
    };
    let out = v.qresync(&all, &[212, 550]);
    assert!(wire(&out).starts_with("* VANISHED (EARLIER) 212,550\r\n"));
    // Another UIDVALIDITY: the parameters are ignored (RFC 7162 §3.2.5.2).
    let stale = QResync {
        uid_validity: NonZeroU32::new(1).expect("nz"),
        ..params
    };
    assert!(v.qresync(&stale, &expunged).is_empty());
}

#[test]
fn rfc7162_3_2_6_uid_fetch_changedsince_vanished() {
    // RFC 7162 §3.2.6:
    // C: A02 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)
    // S: * VANISHED (EARLIER) 300:310,405,411
    // S: * 1 FETCH (UID 404 MODSEQ (65402) FLAGS (\Seen))
    // S: * 2 FETCH (UID 406 MODSEQ (75403) FLAGS (\Deleted))
    // S: * 4 FETCH (UID 408 MODSEQ (29738) FLAGS ($NoJunk $AutoJunk $MDNSent))
    let mut v = MailboxView::new(ViewInfo {
        uid_validity: 1,
        uid_next: 600,
        highest_modseq: 75403,
    });
    for (uid, modseq) in [(404, 65402), (406, 75403), (407, 12000), (408, 29738)] {
        v.push(uid, &sf(&[]), modseq).expect("push");
    }
    v.enable_qresync();
    let requested = set("300:500");
    let expunged: Vec<u32> = (250..=260)
        .chain(300..=310)
        .chain([405, 411, 550])
        .collect();
    assert_eq!(
        wire(&v.vanished_earlier(Some(&requested), &expunged)),
        "* VANISHED (EARLIER) 300:310,405,411\r\n"
    );
    let m = v.resolve(&requested, true).expect("set");
    let changed: Vec<u32> = v.changed_since(&m, 12345).collect();
    assert_eq!(changed, [1, 2, 4]);
    // `300:*` reaches expunged UIDs above the last message (up to UIDNEXT − 1).
    assert_eq!(
        wire(&v.vanished_earlier(Some(&set("300:*")), &[550])),
        "* VANISHED (EARLIER) 550\r\n"
    );
    // A UID expunged by another session but not yet announced is not EARLIER.
    v.apply(&mailstore::Change::Expunged(407));
    assert!(v.vanished_earlier(None, &[407]).is_empty());
}

#[test]
fn sequence_sets_resolve_as_numbers_and_uids() {
    let v = view_of([2, 4, 6, 8, 10]);
    let seqs = |s: &str, uid: bool| -> Result<Vec<u32>, ViewError> {
        v.resolve(&set(s), uid).map(|m| m.iter().collect())
    };
    assert_eq!(seqs("1:*", false), Ok(vec![1, 2, 3, 4, 5]));
    assert_eq!(seqs("4:2", false), Ok(vec![2, 3, 4]));
    assert_eq!(seqs("5,1,2:3,3", false), Ok(vec![1, 2, 3, 5]));
    assert_eq!(
        seqs("6", false),
        Err(ViewError::NoSuchMessage { seq: 6, exists: 5 })
    );
    // UIDs: absent ones are ignored; `n:*` with n above every UID includes the highest
    // (RFC 9051 §6.4.8: "a UID range of 559:* always includes the UID of the last message").
    assert_eq!(seqs("3:7", true), Ok(vec![2, 3]));
    assert_eq!(seqs("559:*", true), Ok(vec![5]));
    assert_eq!(seqs("1,3,5", true), Ok(vec![]));
    assert_eq!(seqs("*", true), Ok(vec![5]));
    let m = v.resolve(&set("1:2,4:5"), false).expect("set");
    assert_eq!(m.len(), 4);
    assert_eq!(v.uid_set(&m).ranges(), &[2..=4, 8..=10]);
    assert!(m.contains(4) && !m.contains(3));

    // An empty mailbox: any message number, `*` included, is an error; UIDs name nothing.
    let empty = view_of([]);
    assert_eq!(
        empty.resolve(&set("*"), false),
        Err(ViewError::NoSuchMessage { seq: 0, exists: 0 })
    );
    assert_eq!(empty.resolve(&set("1:*"), true), Ok(MessageSet::default()));
}

#[test]
fn saved_search_follows_expunges() {
    // RFC 5182 §2.1: `$` names the messages of the last saved search; expunged ones drop out.
    let mut v = view_of([2, 4, 6, 8]);
    v.save_search([8, 4, 6]);
    let m = v.resolve(&SequenceSet::Saved, false).expect("set");
    assert_eq!(m.iter().collect::<Vec<_>>(), [2, 3, 4]);
    v.apply(&mailstore::Change::Expunged(4));
    v.announce(ALLOW);
    let m = v.resolve(&SequenceSet::Saved, true).expect("set");
    assert_eq!(m.iter().collect::<Vec<_>>(), [2, 3]);
    assert_eq!(v.saved_search().collect::<Vec<_>>(), [6, 8]);
}

#[test]
fn compact_sequence_sets() {
    let s = |v: &[u32]| sequence_set(v.iter().copied()).map(|s| wire_set(&s));
    assert_eq!(s(&[]), None);
    assert_eq!(s(&[1, 2, 3, 5, 7, 8]), Some("1:3,5,7:8".into()));
    assert_eq!(s(&[4, 4, 5]), Some("4:5".into()));
    assert_eq!(
        s(&[u32::MAX - 1, u32::MAX]),
        Some("4294967294:4294967295".into())
    );
    let parts = sequence_sets([1, 3, 5, 7, 9], 2);
    let parts: Vec<String> = parts.iter().map(wire_set).collect();
    assert_eq!(parts, ["1,3", "5,7", "9"]);
}

fn wire_set(s: &SequenceSet) -> String {
    let mut e = crate::Encoder::server();
    s.encode(&mut e);
    String::from_utf8(e.take()).expect("ascii")
}

#[test]
fn snapshot_uids_must_ascend_and_may_pass_uidnext() {
    let mut v = view_of([5]);
    assert_eq!(
        v.push(5, &sf(&[]), 1),
        Err(ViewError::UidOutOfOrder {
            uid: 5,
            previous: 5
        })
    );
    assert!(v.push(0, &sf(&[]), 1).is_err());
    // A message that arrived between `status` and `messages` moves UIDNEXT.
    v.push(9, &sf(&[]), 1).expect("push");
    assert_eq!(v.uid_next(), 10);
    let status = mailstore::MailboxStatus {
        uid_validity: 3,
        uid_next: 3,
        messages: 2,
        unseen: 0,
        deleted: 0,
        size: 0,
        highest_modseq: 4,
    };
    let v = MailboxView::from_store(&status, &[meta(1, &[], 1), meta(2, &["\\Seen"], 4)])
        .expect("view");
    assert_eq!((v.exists(), v.uid_validity(), v.synced_modseq()), (2, 3, 4));
    assert_eq!(v.first_unseen(), Some(1));
    assert_eq!(view_of([]).first_unseen(), None);
    let mut w = view_of([]);
    w.push(1, &sf(&["\\Seen"]), 1).expect("push");
    w.push(2, &sf(&["\\Flagged"]), 1).expect("push");
    assert_eq!(w.first_unseen(), Some(2));
    assert_eq!(
        v.flags(2).expect("flags").first().map(|f| f.as_str()),
        Some("\\Seen")
    );
    assert!(MailboxView::from_store(&status, &[meta(2, &[], 1), meta(1, &[], 1)]).is_err());
}

#[test]
fn from_snapshot_is_the_view_from_store() {
    let status = mailstore::MailboxStatus {
        uid_validity: 3,
        uid_next: 40,
        messages: 35,
        unseen: 0,
        deleted: 0,
        size: 0,
        highest_modseq: 90,
    };
    // Keywords past the inline bits too, interned in the same order.
    let names: Vec<String> = (0..30).map(|i| format!("k{i:02}")).collect();
    let mut metas = Vec::new();
    for uid in 1..=35u32 {
        let mut f: Vec<&str> = vec!["\\Seen", "\\Deleted", "\\Draft", "\\Flagged", "\\Answered"]
            .into_iter()
            .filter(|_| uid % 3 != 0)
            .take(uid as usize % 6)
            .collect();
        f.extend(names.iter().take(uid as usize).map(String::as_str));
        metas.push(meta(uid, &f, u64::from(uid) + 2));
    }
    let compact: Vec<mailstore::MessageFlags> = metas
        .iter()
        .map(|m| mailstore::MessageFlags::new(m.uid, m.modseq, &m.flags))
        .collect();
    let snapshot = mailstore::FlagSnapshot {
        status,
        messages: compact,
    };
    let mut a = MailboxView::from_store(&status, &metas).expect("view");
    let mut b = MailboxView::from_snapshot(&snapshot).expect("view");
    assert_eq!(a.flags_data(), b.flags_data());
    assert_eq!(
        (a.exists(), a.uid_next(), a.synced_modseq()),
        (b.exists(), b.uid_next(), b.synced_modseq())
    );
    assert_eq!(a.first_unseen(), b.first_unseen());
    for seq in 1..=35 {
        assert_eq!(a.uid(seq), b.uid(seq));
        assert_eq!(a.modseq(seq), b.modseq(seq));
        assert_eq!(a.flags(seq), b.flags(seq), "message {seq}");
    }
    let mut bad = snapshot.clone();
    bad.messages.swap(0, 1);
    assert!(MailboxView::from_snapshot(&bad).is_err());
}

#[test]
fn memory_for_100000_messages_stays_small() {
    let mut v = MailboxView::new(ViewInfo {
        uid_validity: 1,
        uid_next: 200_001,
        highest_modseq: 1,
    });
    let kinds = [
        sf(&["\\Seen"]),
        sf(&["\\Seen", "$Forwarded"]),
        sf(&["$Junk", "\\Flagged"]),
        sf(&[]),
    ];
    v.reserve(100_001);
    for i in 0..100_000u32 {
        v.push(2 * i + 1, &kinds[i as usize % 4], u64::from(i))
            .expect("push");
    }
    // 16 octets a message: UID, flag bits, MODSEQ.
    let size = v.heap_size();
    assert!(size >= 1_600_000, "heap size {size} under the arrays' size");
    assert!(size < 1_610_000, "heap size {size} for 100,000 messages");
    // A message with more keywords than fit inline costs its overflow list, plus (here) the
    // interning of 40 keyword names new to the mailbox.
    let many: Vec<String> = (0..40).map(|i| format!("kw{i}")).collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    v.push(200_001, &sf(&refs), 1).expect("push");
    let grown = v.heap_size() - size;
    assert!(
        grown < 40 * 100,
        "one message with 40 keywords cost {grown} octets"
    );
    assert_eq!(v.flags(100_001).expect("flags").len(), 40);
}

mod model;
