//! The compiled form of a search key tree and its three-valued evaluation (RFC 9051 §6.4.4).

use mail_parser::{Message, MessageParser, PartType};

use crate::command::SearchKey;
use crate::token::{Date, Flag, SequenceSet};

use super::fold::{Needle, fold_lower_into};
use super::header::{HeaderFields, decode_text, header_of, parse_date};
use super::{MessageContent, MessageMeta, Needs, SearchContext, SearchError, check_charset};

/// The sent date of a message whose Date field is missing or unparsable, for SENTBEFORE,
/// SENTON and SENTSINCE: RFC 9051 does not say; Dovecot takes the Unix epoch, and so do we
/// (so `SENTBEFORE` matches such a message and `SENTSINCE` does not).
const EPOCH: Date = Date {
    year: 1970,
    month: 1,
    day: 1,
};

/// How deep attached messages (message/rfc822 in message/rfc822 ...) are searched.
const MAX_NESTING: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SystemFlag {
    Answered,
    Deleted,
    Draft,
    Flagged,
    Seen,
}

impl SystemFlag {
    fn is(self, f: &Flag<'_>) -> bool {
        matches!(
            (self, f),
            (SystemFlag::Answered, Flag::Answered)
                | (SystemFlag::Deleted, Flag::Deleted)
                | (SystemFlag::Draft, Flag::Draft)
                | (SystemFlag::Flagged, Flag::Flagged)
                | (SystemFlag::Seen, Flag::Seen)
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Before,
    On,
    Since,
}

impl Cmp {
    fn test(self, have: Date, want: Date) -> bool {
        match self {
            Cmp::Before => have < want,
            Cmp::On => have == want,
            Cmp::Since => have >= want,
        }
    }
}

#[derive(Debug, Clone)]
enum Node {
    All,
    Flag(SystemFlag, bool),
    Keyword(String, bool),
    Recent(bool),
    New,
    InternalDate(Cmp, Date),
    SentDate(Cmp, Date),
    Larger(u64),
    Smaller(u64),
    Seq(SequenceSet),
    Uid(SequenceSet),
    ModSeq(u64),
    Older(u32),
    Younger(u32),
    Header(Vec<u8>, Needle),
    Body(Needle),
    Text(Needle),
    Not(Box<Node>),
    Or(Box<Node>, Box<Node>),
    And(Vec<Node>),
}

impl Node {
    fn needs(&self) -> Needs {
        match self {
            Node::Header(..) | Node::SentDate(..) => Needs::Header,
            Node::Body(_) | Node::Text(_) => Needs::Body,
            Node::Not(n) => n.needs(),
            Node::Or(a, b) => a.needs().max(b.needs()),
            Node::And(v) => v.iter().map(Node::needs).max().unwrap_or(Needs::Metadata),
            _ => Needs::Metadata,
        }
    }

    fn any(&self, f: &impl Fn(&Node) -> bool) -> bool {
        f(self)
            || match self {
                Node::Not(n) => n.any(f),
                Node::Or(a, b) => a.any(f) || b.any(f),
                Node::And(v) => v.iter().any(|n| n.any(f)),
                _ => false,
            }
    }
}

fn text(s: &crate::token::AString<'_>) -> Result<Needle, SearchError> {
    let s = std::str::from_utf8(s.as_bytes()).map_err(|_| SearchError::InvalidUtf8)?;
    Ok(Needle::new(s))
}

fn compile(key: &SearchKey<'_>) -> Result<Node, SearchError> {
    use SearchKey as K;
    let header = |name: &str, s| Ok(Node::Header(name.as_bytes().to_vec(), text(s)?));
    Ok(match key {
        K::All => Node::All,
        K::Answered => Node::Flag(SystemFlag::Answered, true),
        K::Deleted => Node::Flag(SystemFlag::Deleted, true),
        K::Draft => Node::Flag(SystemFlag::Draft, true),
        K::Flagged => Node::Flag(SystemFlag::Flagged, true),
        K::Seen => Node::Flag(SystemFlag::Seen, true),
        K::Unanswered => Node::Flag(SystemFlag::Answered, false),
        K::Undeleted => Node::Flag(SystemFlag::Deleted, false),
        K::Undraft => Node::Flag(SystemFlag::Draft, false),
        K::Unflagged => Node::Flag(SystemFlag::Flagged, false),
        K::Unseen => Node::Flag(SystemFlag::Seen, false),
        K::Keyword(a) => Node::Keyword(a.as_str().to_owned(), true),
        K::Unkeyword(a) => Node::Keyword(a.as_str().to_owned(), false),
        K::Recent => Node::Recent(true),
        K::Old => Node::Recent(false),
        K::New => Node::New,
        K::Before(d) => Node::InternalDate(Cmp::Before, *d),
        K::On(d) => Node::InternalDate(Cmp::On, *d),
        K::Since(d) => Node::InternalDate(Cmp::Since, *d),
        K::SentBefore(d) => Node::SentDate(Cmp::Before, *d),
        K::SentOn(d) => Node::SentDate(Cmp::On, *d),
        K::SentSince(d) => Node::SentDate(Cmp::Since, *d),
        K::Larger(n) => Node::Larger(*n),
        K::Smaller(n) => Node::Smaller(*n),
        K::SequenceSet(s) => Node::Seq(s.clone()),
        K::Uid(s) => Node::Uid(s.clone()),
        K::ModSeq { mod_seq, .. } => Node::ModSeq(*mod_seq),
        K::Older(n) => Node::Older(n.get()),
        K::Younger(n) => Node::Younger(n.get()),
        K::Bcc(s) => header("bcc", s)?,
        K::Cc(s) => header("cc", s)?,
        K::From(s) => header("from", s)?,
        K::Subject(s) => header("subject", s)?,
        K::To(s) => header("to", s)?,
        K::Header(name, s) => Node::Header(name.as_bytes().to_vec(), text(s)?),
        K::Body(s) => Node::Body(text(s)?),
        K::Text(s) => Node::Text(text(s)?),
        K::Not(k) => Node::Not(Box::new(compile(k)?)),
        K::Or(a, b) => Node::Or(Box::new(compile(a)?), Box::new(compile(b)?)),
        K::And(keys) => and(keys)?,
    })
}

/// All of `keys`, the cheapest first (metadata, then header, then body keys).
fn and(keys: &[SearchKey<'_>]) -> Result<Node, SearchError> {
    let mut v = keys.iter().map(compile).collect::<Result<Vec<_>, _>>()?;
    if v.len() == 1 {
        return Ok(v.remove(0));
    }
    v.sort_by_key(Node::needs);
    Ok(Node::And(v))
}

/// A SEARCH program: the keys of one SEARCH (or SORT/THREAD) command, checked and compiled
/// once, then run against each message with [`SearchProgram::matches`].
#[derive(Debug, Clone)]
pub struct SearchProgram {
    root: Node,
    needs: Needs,
}

/// What one evaluation pass can see.
struct Env<'e> {
    meta: &'e MessageMeta<'e>,
    ctx: &'e SearchContext<'e>,
    header: Option<&'e [u8]>,
    /// The folded searchable body text.
    body: Option<&'e BodyText>,
}

impl SearchProgram {
    /// Compiles `keys` (all must match, RFC 9051 §6.4.4) searched with `charset`
    /// ([`check_charset`]); search strings must be UTF-8.
    pub fn compile(charset: Option<&[u8]>, keys: &[SearchKey<'_>]) -> Result<Self, SearchError> {
        check_charset(charset)?;
        let root = and(keys)?;
        let needs = root.needs();
        Ok(SearchProgram { root, needs })
    }

    /// What the keys read of a message at most: a caller may preload that much, or rely on
    /// [`SearchProgram::matches`] asking only when needed.
    pub fn needs(&self) -> Needs {
        self.needs
    }

    /// Whether the keys use the saved result `$` (RFC 5182 §2.1).
    pub fn uses_saved(&self) -> bool {
        self.root.any(&|n| {
            matches!(
                n,
                Node::Seq(SequenceSet::Saved) | Node::Uid(SequenceSet::Saved)
            )
        })
    }

    /// Whether the keys include MODSEQ, after which the SEARCH response carries the highest
    /// mod-sequence of the matches (RFC 7162 §3.1.5).
    pub fn has_mod_seq(&self) -> bool {
        self.root.any(&|n| matches!(n, Node::ModSeq(_)))
    }

    /// Decides from metadata alone: `None` when the header or body must be read.
    pub fn matches_metadata(
        &self,
        meta: &MessageMeta<'_>,
        ctx: &SearchContext<'_>,
    ) -> Option<bool> {
        let env = Env {
            meta,
            ctx,
            header: None,
            body: None,
        };
        eval(&self.root, &env, &mut String::new())
    }

    /// Whether the message matches, reading `content` only if metadata leaves it open, and its
    /// body only if the header does too.
    pub fn matches<C: MessageContent + ?Sized>(
        &self,
        meta: &MessageMeta<'_>,
        ctx: &SearchContext<'_>,
        content: &mut C,
    ) -> Result<bool, C::Error> {
        let mut scratch = String::new();
        let env = Env {
            meta,
            ctx,
            header: None,
            body: None,
        };
        if let Some(b) = eval(&self.root, &env, &mut scratch) {
            return Ok(b);
        }
        let raw = content.raw_message()?;
        let env = Env {
            header: Some(header_of(raw)),
            ..env
        };
        if let Some(b) = eval(&self.root, &env, &mut scratch) {
            return Ok(b);
        }
        let body = searchable_body(raw, ctx.body_limit);
        let env = Env {
            body: Some(&body),
            ..env
        };
        Ok(eval(&self.root, &env, &mut scratch).unwrap_or(false))
    }
}

fn eval(n: &Node, env: &Env<'_>, scratch: &mut String) -> Option<bool> {
    let m = env.meta;
    Some(match n {
        Node::All => true,
        Node::Flag(f, want) => m.flags.iter().any(|x| f.is(x)) == *want,
        Node::Keyword(k, want) => {
            m.flags.iter().any(|x| match x {
                Flag::Keyword(a) => a.as_str().eq_ignore_ascii_case(k),
                _ => false,
            }) == *want
        }
        Node::Recent(want) => is_recent(m) == *want,
        Node::New => is_recent(m) && !m.flags.contains(&Flag::Seen),
        Node::InternalDate(c, d) => c.test(m.internal_date.date, *d),
        Node::Larger(n) => m.size > *n,
        Node::Smaller(n) => m.size < *n,
        Node::Seq(SequenceSet::Saved) | Node::Uid(SequenceSet::Saved) => {
            env.ctx.saved.binary_search(&m.uid).is_ok()
        }
        Node::Seq(s) => s.contains(m.seq, env.ctx.max_seq),
        Node::Uid(s) => s.contains(m.uid, env.ctx.max_uid),
        Node::ModSeq(v) => m.mod_seq >= *v,
        Node::Older(secs) => m.internal_date.unix_timestamp() <= env.ctx.now - i64::from(*secs),
        Node::Younger(secs) => m.internal_date.unix_timestamp() > env.ctx.now - i64::from(*secs),
        Node::SentDate(c, d) => {
            let h = env.header?;
            let sent = HeaderFields::new(h)
                .find(|(name, _)| name.eq_ignore_ascii_case(b"date"))
                .and_then(|(_, v)| parse_date(v))
                .map_or(EPOCH, |sent| sent.date);
            c.test(sent, *d)
        }
        Node::Header(name, needle) => {
            let h = env.header?;
            header_contains(h, Some(name), needle, scratch)
        }
        Node::Body(needle) => needle.in_folded(&env.body?.text),
        Node::Text(needle) => {
            let body = env.body?;
            needle.is_empty()
                || header_contains(env.header?, None, needle, scratch)
                || needle.in_folded(&body.mime_headers)
                || needle.in_folded(&body.text)
        }
        Node::Not(a) => !eval(a, env, scratch)?,
        Node::Or(a, b) => {
            let ra = eval(a, env, scratch);
            if ra == Some(true) {
                return ra;
            }
            let rb = eval(b, env, scratch);
            if rb == Some(true) {
                return rb;
            }
            ra? || rb?
        }
        Node::And(v) => {
            let mut known = true;
            for c in v {
                match eval(c, env, scratch) {
                    Some(false) => return Some(false),
                    None => known = false,
                    Some(true) => {}
                }
            }
            if !known {
                return None;
            }
            true
        }
    })
}

fn is_recent(m: &MessageMeta<'_>) -> bool {
    m.recent || m.flags.contains(&Flag::Recent)
}

/// Whether a field named `name` (any field when `None`: TEXT) contains the needle in its
/// decoded value. An empty needle matches a field that is present (RFC 9051 §6.4.4 HEADER).
fn header_contains(
    header: &[u8],
    name: Option<&[u8]>,
    needle: &Needle,
    scratch: &mut String,
) -> bool {
    HeaderFields::new(header).any(|(n, v)| {
        if let Some(want) = name
            && !n.eq_ignore_ascii_case(want)
        {
            return false;
        }
        if needle.is_empty() {
            return true;
        }
        let value = decode_text(v);
        if needle.in_text(&value, scratch) {
            return true;
        }
        // TEXT covers the field names too.
        name.is_none() && needle.in_text(&String::from_utf8_lossy(n), scratch)
    })
}

/// What BODY and TEXT search beyond the message's header, folded.
#[derive(Debug, Default)]
struct BodyText {
    /// The decoded text parts (HTML as text).
    text: String,
    /// The header fields of the body parts and of attached messages (TEXT only, as in
    /// Dovecot), `name: value` per line.
    mime_headers: String,
}

/// The body text of `raw`, at most `limit` octets of it (text and MIME headers together).
fn searchable_body(raw: &[u8], limit: usize) -> BodyText {
    let mut out = BodyText::default();
    if let Some(msg) = MessageParser::new().parse(raw) {
        let mut budget = limit;
        collect_body(&msg, 0, &mut budget, &mut out);
    }
    out
}

fn collect_body(msg: &Message<'_>, depth: usize, budget: &mut usize, out: &mut BodyText) {
    let raw = msg.raw_message();
    for (i, part) in msg.parts.iter().enumerate() {
        if *budget == 0 {
            return;
        }
        if i > 0 {
            let (start, end) = (part.offset_header as usize, part.offset_body as usize);
            if let Some(h) = raw.get(start..end.max(start)) {
                for (name, value) in HeaderFields::new(h) {
                    let line = format!("{}: {}", String::from_utf8_lossy(name), decode_text(value));
                    push_limited(&line, budget, &mut out.mime_headers);
                }
            }
        }
        let out_text = &mut out.text;
        match &part.body {
            PartType::Text(t) => push_limited(t, budget, out_text),
            PartType::Html(h) => push_limited(
                &mail_parser::decoders::html::html_to_text(h),
                budget,
                out_text,
            ),
            PartType::Message(inner) if depth < MAX_NESTING => {
                for (name, value) in HeaderFields::new(header_of(inner.raw_message())) {
                    let line = format!("{}: {}", String::from_utf8_lossy(name), decode_text(value));
                    push_limited(&line, budget, &mut out.mime_headers);
                }
                collect_body(inner, depth + 1, budget, out);
            }
            _ => {}
        }
    }
}

/// Appends `text` folded, cut to the budget at a character boundary, and a line end.
fn push_limited(text: &str, budget: &mut usize, out: &mut String) {
    let mut end = text.len().min(*budget);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    *budget -= end;
    fold_lower_into(&text[..end], out);
    out.push('\n');
}
