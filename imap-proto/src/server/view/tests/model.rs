//! The property test: another session appends, expunges and flags messages in a store
//! model; this session polls, announces, stores and expunges; a client applies exactly the
//! announced responses to a plain Vec and must keep the view's numbering.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::response::MsgAtt;

/// Flag bits of the model: `\Seen`, `\Deleted`, `$A`, `$B`.
const NAMES: [&str; 4] = ["\\Seen", "\\Deleted", "$A", "$B"];

fn flags_of(bits: u8) -> mailstore::Flags {
    (0..4)
        .filter(|i| bits & (1 << i) != 0)
        .map(|i| mailstore::Flag::parse(NAMES[i]).expect("flag"))
        .collect()
}

fn names_of(bits: u8) -> Vec<String> {
    let mut v: Vec<String> = (0..4)
        .filter(|i| bits & (1 << i) != 0)
        .map(|i| NAMES[i].to_ascii_lowercase())
        .collect();
    v.sort();
    v
}

/// What mailstore keeps: messages, expunge tombstones, HIGHESTMODSEQ, UIDNEXT.
#[derive(Debug, Default)]
struct Store {
    msgs: BTreeMap<u32, (u8, u64)>,
    expunged: BTreeMap<u32, u64>,
    highest: u64,
    uid_next: u32,
}

impl Store {
    fn bump(&mut self) -> u64 {
        self.highest += 1;
        self.highest
    }
    fn append(&mut self, bits: u8) {
        let m = self.bump();
        self.msgs.insert(self.uid_next, (bits & 0b1101, m));
        self.uid_next += 1;
    }
    fn nth(&self, pick: usize) -> Option<u32> {
        let n = self.msgs.len();
        (n > 0).then(|| *self.msgs.keys().nth(pick % n).expect("nth"))
    }
    fn set_flags(&mut self, uid: u32, bits: u8) -> Option<mailstore::FlagUpdate> {
        let m = self.bump();
        let e = self.msgs.get_mut(&uid)?;
        *e = (bits, m);
        Some(mailstore::FlagUpdate {
            uid,
            flags: flags_of(bits),
            modseq: m,
        })
    }
    fn expunge_uid(&mut self, uid: u32) {
        if self.msgs.remove(&uid).is_some() {
            let m = self.bump();
            self.expunged.insert(uid, m);
        }
    }
    fn expunge_deleted(&mut self) -> Vec<u32> {
        let gone: Vec<u32> = self
            .msgs
            .iter()
            .filter(|(_, (b, _))| b & 2 != 0)
            .map(|(&u, _)| u)
            .collect();
        for &u in &gone {
            self.expunge_uid(u);
        }
        gone
    }
    fn changes_since(&self, modseq: u64) -> mailstore::ChangeSet {
        mailstore::ChangeSet {
            highest_modseq: self.highest,
            changed: self
                .msgs
                .iter()
                .filter(|(_, (_, m))| *m > modseq)
                .map(|(&uid, &(bits, m))| mailstore::MessageMeta {
                    uid,
                    flags: flags_of(bits),
                    size: 0,
                    internal_date: std::time::UNIX_EPOCH,
                    modseq: m,
                    unique_id: String::new(),
                })
                .collect(),
            expunged: self
                .expunged
                .iter()
                .filter(|(_, m)| **m > modseq)
                .map(|(&u, _)| u)
                .collect(),
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    OtherAppend(u8),
    OtherExpunge(usize),
    OtherFlags(usize, u8),
    Poll,
    Feed,
    Announce(u8),
    OwnStore {
        pick: usize,
        bits: u8,
        silent: bool,
        uid: bool,
    },
    OwnExpunge,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => any::<u8>().prop_map(Op::OtherAppend),
        2 => any::<usize>().prop_map(Op::OtherExpunge),
        2 => (any::<usize>(), 0u8..16).prop_map(|(p, b)| Op::OtherFlags(p, b)),
        2 => Just(Op::Poll),
        1 => Just(Op::Feed),
        3 => (0u8..3).prop_map(Op::Announce),
        2 => (any::<usize>(), 0u8..16, any::<bool>(), any::<bool>())
            .prop_map(|(pick, bits, silent, uid)| Op::OwnStore { pick, bits, silent, uid }),
        1 => Just(Op::OwnExpunge),
    ]
}

/// The client: UID and flags (lower-case, sorted) by message number − 1.
type Client = Vec<(u32, Option<Vec<String>>)>;

fn client_apply(client: &mut Client, view: &MailboxView, out: &[Response<'_>], expunge_ok: bool) {
    for r in out {
        // Every response goes over the wire and back: what the client parses.
        let bytes = r.to_bytes();
        let (r, _) = Response::parse(&bytes).expect("parse own response");
        let Response::Data(d) = r else {
            panic!("unexpected {r:?}")
        };
        match d {
            Data::Expunge(n) => {
                assert!(expunge_ok, "EXPUNGE where RFC 9051 §7.5.1 forbids it");
                let n = n.get() as usize;
                assert!(n <= client.len(), "EXPUNGE {n} of {}", client.len());
                client.remove(n - 1);
            }
            Data::Vanished { earlier, uids } => {
                assert!(expunge_ok, "VANISHED where RFC 9051 §7.5.1 forbids it");
                assert!(!earlier);
                let before = client.len();
                client.retain(|(u, _)| !uids.contains(*u, u32::MAX));
                assert!(client.len() < before, "VANISHED of nothing known");
            }
            Data::Exists(n) => {
                let n = n as usize;
                assert!(n >= client.len(), "EXISTS went down");
                // The client asks `UID FETCH` of the new messages at once.
                for seq in client.len() + 1..=n {
                    let uid = view.uid(seq as u32).expect("new message");
                    client.push((uid, None));
                }
            }
            Data::Fetch { seq, items } => {
                let i = seq.get() as usize - 1;
                assert!(i < client.len(), "FETCH {} of {}", i + 1, client.len());
                for it in items {
                    match it {
                        MsgAtt::Uid(u) => assert_eq!(client[i].0, u.get(), "FETCH {seq}"),
                        MsgAtt::Flags(f) => {
                            let mut v: Vec<String> =
                                f.iter().map(|f| f.as_str().to_ascii_lowercase()).collect();
                            v.sort();
                            client[i].1 = Some(v);
                        }
                        MsgAtt::ModSeq(_) => {}
                        other => panic!("unexpected {other:?}"),
                    }
                }
            }
            Data::Flags(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    // New messages: the client fetched their flags with their UIDs.
    for (i, c) in client.iter_mut().enumerate() {
        if c.1.is_none() {
            let f = view.flags(i as u32 + 1).expect("flags");
            let mut v: Vec<String> = f.iter().map(|f| f.as_str().to_ascii_lowercase()).collect();
            v.sort();
            c.1 = Some(v);
        }
    }
}

fn run(initial: Vec<u8>, mode: u8, ops: Vec<Op>) {
    let mut store = Store {
        uid_next: 1,
        ..Store::default()
    };
    for b in initial {
        store.append(b);
    }
    let status = mailstore::MailboxStatus {
        uid_validity: 1,
        uid_next: store.uid_next,
        messages: store.msgs.len() as u32,
        unseen: 0,
        deleted: 0,
        size: 0,
        highest_modseq: store.highest,
    };
    let metas = store.changes_since(0).changed;
    let mut view = MailboxView::from_store(&status, &metas).expect("view");
    match mode {
        1 => view.enable_condstore(),
        2 => view.enable_qresync(),
        _ => {}
    }
    let mut client: Client = metas
        .iter()
        .map(|m| {
            let bits = store.msgs[&m.uid].0;
            (m.uid, Some(names_of(bits)))
        })
        .collect();
    // Whether the view has applied every change of the store.
    let mut synced = true;
    for op in ops {
        match op {
            Op::OtherAppend(b) => {
                store.append(b);
                synced = false;
            }
            Op::OtherExpunge(p) => {
                if let Some(u) = store.nth(p) {
                    store.expunge_uid(u);
                    synced = false;
                }
            }
            Op::OtherFlags(p, b) => {
                if let Some(u) = store.nth(p) {
                    store.set_flags(u, b);
                    synced = false;
                }
            }
            Op::Poll => {
                view.apply_changes(&store.changes_since(view.synced_modseq()));
                synced = true;
            }
            Op::Feed => {
                // The change feed's events, one by one (synced_modseq does not move).
                let set = store.changes_since(view.synced_modseq());
                for &u in &set.expunged {
                    view.apply(&mailstore::Change::Expunged(u));
                }
                for m in set.changed {
                    view.apply(&mailstore::Change::Flags(m));
                }
                synced = true;
            }
            Op::Announce(k) => {
                let point = match k {
                    0 => HOLD,
                    1 => ALLOW,
                    _ => AnnouncePoint::Idle,
                };
                let out = view.announce(point);
                client_apply(&mut client, &view, &out, point != HOLD);
                if synced && point != HOLD {
                    // Everything announced: the client sees the store as it is.
                    assert!(!view.has_pending());
                    let store_uids: Vec<u32> = store.msgs.keys().copied().collect();
                    let client_uids: Vec<u32> = client.iter().map(|c| c.0).collect();
                    assert_eq!(client_uids, store_uids);
                }
                if synced {
                    for (i, (uid, f)) in client.iter().enumerate() {
                        if view.is_expunged(i as u32 + 1) {
                            continue;
                        }
                        let bits = store.msgs.get(uid).expect("known message in store").0;
                        assert_eq!(f.as_ref(), Some(&names_of(bits)), "flags of UID {uid}");
                    }
                }
            }
            Op::OwnStore {
                pick,
                bits,
                silent,
                uid,
            } => {
                if view.exists() == 0 {
                    continue;
                }
                let seq = (pick % view.exists() as usize) as u32 + 1;
                let u = view.uid(seq).expect("uid");
                let Some(update) = store.set_flags(u, bits) else {
                    continue; // expunged in the store: nothing stored
                };
                let outcome = mailstore::StoreOutcome {
                    updated: vec![update],
                    modified: vec![],
                };
                let (out, _) = view.store_result(&outcome, StoreReply { uid, silent });
                client_apply(&mut client, &view, &out, false);
                if silent {
                    // The client assumes its FLAGS replace took effect.
                    client[seq as usize - 1].1 = Some(names_of(bits));
                } else {
                    assert_eq!(client[seq as usize - 1].1, Some(names_of(bits)));
                }
            }
            Op::OwnExpunge => {
                let gone = store.expunge_deleted();
                let out = view.expunged_by_self(&gone);
                client_apply(&mut client, &view, &out, true);
            }
        }
        // After every step: the client's numbering is the view's.
        assert_eq!(client.len(), view.exists() as usize);
        for (i, (uid, _)) in client.iter().enumerate() {
            let seq = i as u32 + 1;
            assert_eq!(view.uid(seq), Some(*uid), "message {seq}");
            // A number never names a message that is gone without the view knowing.
            if synced && !store.msgs.contains_key(uid) {
                assert!(view.is_expunged(seq), "UID {uid} gone but not pending");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn client_numbering_follows_the_view(
        initial in proptest::collection::vec(0u8..16, 0..12),
        mode in 0u8..3,
        ops in proptest::collection::vec(op(), 0..60),
    ) {
        run(initial, mode, ops);
    }
}
