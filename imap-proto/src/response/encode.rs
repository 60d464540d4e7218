//! The response encoder's top level (server side).

use super::code::Capability;
use super::{Continue, Data, Response, Status, mailbox};
use crate::encode::Encoder;
use crate::token::Flag;

/// Text with CR and LF replaced by spaces, so that it cannot end the line early.
fn text(t: &str, e: &mut Encoder) {
    let b = t.as_bytes();
    if memchr::memchr2(b'\r', b'\n', b).is_none() {
        e.raw(b);
    } else {
        for &x in b {
            e.byte(if x == b'\r' || x == b'\n' { b' ' } else { x });
        }
    }
}

fn status(s: &Status<'_>, e: &mut Encoder) {
    match &s.tag {
        Some(t) => t.encode(e),
        None => {
            e.byte(b'*');
        }
    }
    e.sp().raw(s.kind.as_str().as_bytes());
    resp_text(s.code.as_ref(), &s.text, e);
}

fn resp_text(code: Option<&super::Code<'_>>, t: &str, e: &mut Encoder) {
    if let Some(code) = code {
        e.sp();
        code.encode(e);
    }
    if !t.is_empty() {
        e.sp();
        text(t, e);
    }
}

fn caps(list: &[Capability<'_>], e: &mut Encoder) {
    for c in list {
        e.sp();
        c.encode(e);
    }
}

pub(super) fn response(r: &Response<'_>, e: &mut Encoder) {
    match r {
        Response::Status(s) => status(s, e),
        Response::Continue(Continue { code, text: t }) => {
            e.byte(b'+');
            match code {
                Some(code) => {
                    e.sp();
                    code.encode(e);
                    if !t.is_empty() {
                        e.sp();
                        text(t, e);
                    }
                }
                None => {
                    e.sp();
                    text(t, e);
                }
            }
        }
        Response::Data(d) => {
            e.raw(b"* ");
            data(d, e);
        }
    }
    e.crlf();
}

fn numbers(nums: &[u32], modseq: Option<u64>, e: &mut Encoder) {
    for n in nums {
        e.sp().number(u64::from(*n));
    }
    if let Some(m) = modseq {
        e.raw(b" (MODSEQ ").number(m).byte(b')');
    }
}

fn data(d: &Data<'_>, e: &mut Encoder) {
    match d {
        Data::Capability(c) => {
            e.raw(b"CAPABILITY");
            caps(c, e);
        }
        Data::Enabled(c) => {
            e.raw(b"ENABLED");
            caps(c, e);
        }
        Data::List(l) => {
            e.raw(b"LIST ");
            l.encode(e);
        }
        Data::Lsub(l) => {
            e.raw(b"LSUB ");
            l.encode(e);
        }
        Data::Namespace(n) => {
            e.raw(b"NAMESPACE ");
            n.encode(e);
        }
        Data::Status { mailbox: m, items } => {
            e.raw(b"STATUS ");
            m.encode(e);
            e.sp();
            mailbox::encode_status_values(items, e);
        }
        Data::Esearch(s) => {
            e.raw(b"ESEARCH");
            s.encode(e);
        }
        Data::Search { nums, modseq } => {
            e.raw(b"SEARCH");
            numbers(nums, *modseq, e);
        }
        Data::Sort { nums, modseq } => {
            e.raw(b"SORT");
            numbers(nums, *modseq, e);
        }
        Data::Thread(t) => {
            e.raw(b"THREAD");
            if !t.is_empty() {
                e.sp();
            }
            for t in t {
                t.encode(e);
            }
        }
        Data::Flags(f) => {
            e.raw(b"FLAGS ");
            Flag::encode_list(f, e);
        }
        Data::Exists(n) => {
            e.number(u64::from(*n)).raw(b" EXISTS");
        }
        Data::Recent(n) => {
            e.number(u64::from(*n)).raw(b" RECENT");
        }
        Data::Expunge(n) => {
            e.number(u64::from(n.get())).raw(b" EXPUNGE");
        }
        Data::Vanished { earlier, uids } => {
            e.raw(b"VANISHED ");
            if *earlier {
                e.raw(b"(EARLIER) ");
            }
            uids.encode(e);
        }
        Data::Id(None) => {
            e.raw(b"ID NIL");
        }
        Data::Id(Some(v)) => {
            e.raw(b"ID (");
            for (i, (k, val)) in v.iter().enumerate() {
                if i > 0 {
                    e.sp();
                }
                k.encode(e);
                e.sp();
                val.encode(e);
            }
            e.byte(b')');
        }
        Data::Quota { root, resources } => {
            e.raw(b"QUOTA ");
            root.encode(e);
            e.raw(b" (");
            for (i, r) in resources.iter().enumerate() {
                if i > 0 {
                    e.sp();
                }
                r.encode(e);
            }
            e.byte(b')');
        }
        Data::QuotaRoot { mailbox: m, roots } => {
            e.raw(b"QUOTAROOT ");
            m.encode(e);
            for r in roots {
                e.sp();
                r.encode(e);
            }
        }
        Data::Fetch { seq, items } => {
            e.number(u64::from(seq.get())).raw(b" FETCH (");
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    e.sp();
                }
                it.encode(e);
            }
            e.byte(b')');
        }
        Data::Other {
            number,
            name,
            value,
        } => {
            if let Some(n) = number {
                e.number(u64::from(*n)).sp();
            }
            name.encode(e);
            if !value.0.is_empty() {
                e.sp();
                value.encode(e);
            }
        }
    }
}
