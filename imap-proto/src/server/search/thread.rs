//! THREAD (RFC 5256 §4): ORDEREDSUBJECT and REFERENCES.
//!
//! The REFERENCES algorithm runs on an arena of nodes (a message, or a dummy standing for a
//! message ID that was referenced but is not in the set) with parent and child links, the
//! steps numbered as in the RFC. Deep chains cost no stack: every walk over the tree is
//! iterative; only the nesting of the output (one level per branching) is bounded, by
//! [`MAX_NESTING`].

use std::collections::HashMap;

use crate::command::ThreadAlgorithm;
use crate::response::Thread;

use super::SearchError;
use super::sort::{SortItem, by_sent_date};

/// Branching depth of the output beyond which a subtree is given flat, its messages in a chain
/// in tree order (the THREAD response's nesting is recursive data: this bounds it).
pub const MAX_NESTING: usize = 200;

/// Computes the threads of `items` with `algorithm` (RFC 5256 §4), numbered by UID when `uid`
/// (UID THREAD) and by sequence number otherwise.
pub fn thread(
    algorithm: &ThreadAlgorithm<'_>,
    items: &[SortItem<'_>],
    uid: bool,
) -> Result<Vec<Thread>, SearchError> {
    let number = |i: usize| if uid { items[i].uid } else { items[i].seq };
    match algorithm {
        ThreadAlgorithm::OrderedSubject => Ok(ordered_subject(items, number)),
        ThreadAlgorithm::References => Ok(references(items, number)),
        ThreadAlgorithm::Other(a) => Err(SearchError::UnknownAlgorithm(a.as_str().to_owned())),
    }
}

/// ORDEREDSUBJECT: sort by base subject then sent date, split by base subject, each thread's
/// first message the parent of all the others, threads ordered by their first message's
/// sent date.
fn ordered_subject(items: &[SortItem<'_>], number: impl Fn(usize) -> u32) -> Vec<Thread> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&items[a], &items[b]);
        x.summary
            .base_subject
            .cmp(&y.summary.base_subject)
            .then_with(|| by_sent_date(x, y))
    });
    let mut groups: Vec<&[usize]> = order
        .chunk_by(|&a, &b| items[a].summary.base_subject == items[b].summary.base_subject)
        .collect();
    groups.sort_by(|a, b| by_sent_date(&items[a[0]], &items[b[0]]));
    groups
        .into_iter()
        .map(|g| {
            let mut t = Thread {
                members: vec![number(g[0])],
                children: Vec::new(),
            };
            match &g[1..] {
                [] => {}
                [one] => t.members.push(number(*one)),
                rest => {
                    t.children = rest
                        .iter()
                        .map(|&i| Thread {
                            members: vec![number(i)],
                            children: Vec::new(),
                        })
                        .collect();
                }
            }
            t
        })
        .collect()
}

#[derive(Debug, Clone, Default)]
struct Node {
    /// The message (an index into the items), `None` for a dummy.
    msg: Option<usize>,
    parent: Option<usize>,
    children: Vec<usize>,
}

struct Tree<'i, 'a> {
    items: &'i [SortItem<'a>],
    nodes: Vec<Node>,
}

impl Tree<'_, '_> {
    fn new_node(&mut self, msg: Option<usize>) -> usize {
        self.nodes.push(Node {
            msg,
            ..Node::default()
        });
        self.nodes.len() - 1
    }

    /// Whether `a` is `b` or one of its descendants.
    fn is_descendant(&self, a: usize, b: usize) -> bool {
        let mut cur = Some(a);
        while let Some(c) = cur {
            if c == b {
                return true;
            }
            cur = self.nodes[c].parent;
        }
        false
    }

    fn unlink(&mut self, child: usize) {
        if let Some(p) = self.nodes[child].parent.take() {
            self.nodes[p].children.retain(|&c| c != child);
        }
    }

    /// Makes `parent` the parent of `child` unless that would make a loop.
    fn link(&mut self, parent: usize, child: usize) {
        if self.is_descendant(parent, child) {
            return;
        }
        self.nodes[child].parent = Some(parent);
        self.nodes[parent].children.push(child);
    }

    /// The sort key of a node (RFC 5256 §4 steps 4 and 6): its message's sent date and
    /// sequence number, a dummy's from its first child.
    fn first_message(&self, mut n: usize) -> Option<usize> {
        loop {
            match self.nodes[n].msg {
                Some(m) => return Some(m),
                None => n = *self.nodes[n].children.first()?,
            }
        }
    }

    fn sort_siblings(&self, list: &mut [usize]) {
        list.sort_by(
            |&a, &b| match (self.first_message(a), self.first_message(b)) {
                (Some(x), Some(y)) => by_sent_date(&self.items[x], &self.items[y]),
                (x, y) => x.is_none().cmp(&y.is_none()),
            },
        );
    }

    /// Nodes below `roots` in post-order (children before their parent), iteratively.
    fn post_order(&self, roots: &[usize]) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.nodes.len());
        let mut stack: Vec<(usize, usize)> = roots.iter().rev().map(|&r| (r, 0)).collect();
        while let Some((n, i)) = stack.pop() {
            if let Some(&c) = self.nodes[n].children.get(i) {
                stack.push((n, i + 1));
                stack.push((c, 0));
            } else {
                out.push(n);
            }
        }
        out
    }

    fn subject(&self, n: usize) -> Option<&str> {
        self.first_message(n)
            .map(|m| self.items[m].summary.base_subject.as_str())
    }

    fn is_dummy(&self, n: usize) -> bool {
        self.nodes[n].msg.is_none()
    }

    fn is_reply(&self, n: usize) -> bool {
        self.nodes[n]
            .msg
            .is_some_and(|m| self.items[m].summary.reply_or_forward)
    }
}

/// REFERENCES (RFC 5256 §4).
fn references(items: &[SortItem<'_>], number: impl Fn(usize) -> u32) -> Vec<Thread> {
    let mut tree = Tree {
        items,
        nodes: Vec::with_capacity(items.len() * 2),
    };
    let mut ids: HashMap<&str, usize> = HashMap::with_capacity(items.len() * 2);
    // (1) in sequence order, so that the lowest-numbered of duplicates keeps the ID.
    let mut by_seq: Vec<usize> = (0..items.len()).collect();
    by_seq.sort_by_key(|&i| items[i].seq);
    for &i in &by_seq {
        let s = items[i].summary;
        let me = match s.message_id.as_deref().map(|id| (id, ids.get(id).copied())) {
            Some((_, Some(n))) if tree.nodes[n].msg.is_none() => {
                tree.nodes[n].msg = Some(i);
                n
            }
            Some((id, None)) => {
                let n = tree.new_node(Some(i));
                ids.insert(id, n);
                n
            }
            // No ID, or a duplicate: a unique ID of its own.
            _ => tree.new_node(Some(i)),
        };
        // (1B) link the references in a chain, keeping existing parents.
        let mut prev: Option<usize> = None;
        for r in &s.references {
            let n = match ids.get(r.as_str()) {
                Some(&n) => n,
                None => {
                    let n = tree.new_node(None);
                    ids.insert(r, n);
                    n
                }
            };
            if let Some(p) = prev
                && tree.nodes[n].parent.is_none()
            {
                tree.link(p, n);
            }
            prev = Some(n);
        }
        // (1C) the last reference is the parent, replacing any parent given before.
        tree.unlink(me);
        if let Some(p) = prev {
            tree.link(p, me);
        }
    }
    // (2) the roots.
    let roots: Vec<usize> = (0..tree.nodes.len())
        .filter(|&n| tree.nodes[n].parent.is_none())
        .collect();
    // (3) prune dummies: below the root always, at the root only when empty or with one child.
    for n in tree.post_order(&roots) {
        let children = std::mem::take(&mut tree.nodes[n].children);
        let mut kept = Vec::with_capacity(children.len());
        for c in children {
            if tree.is_dummy(c) {
                kept.extend_from_slice(&tree.nodes[c].children);
            } else {
                kept.push(c);
            }
        }
        for &c in &kept {
            tree.nodes[c].parent = Some(n);
        }
        tree.nodes[n].children = kept;
    }
    let mut top = Vec::with_capacity(roots.len());
    for r in roots {
        if !tree.is_dummy(r) || tree.nodes[r].children.len() > 1 {
            top.push(r);
        } else if let Some(&only) = tree.nodes[r].children.first() {
            tree.nodes[only].parent = None;
            top.push(only);
        }
    }
    // (4) sort the top level by sent date (a dummy by its first child, children sorted first).
    for &r in &top {
        if tree.is_dummy(r) {
            let mut c = std::mem::take(&mut tree.nodes[r].children);
            tree.sort_siblings(&mut c);
            tree.nodes[r].children = c;
        }
    }
    tree.sort_siblings(&mut top);
    // (5) group the top level by base subject.
    let mut table: HashMap<String, usize> = HashMap::new();
    for &r in &top {
        let Some(subj) = tree.subject(r).filter(|s| !s.is_empty()) else {
            continue;
        };
        match table.get(subj) {
            None => {
                table.insert(subj.to_owned(), r);
            }
            Some(&t) => {
                if !tree.is_dummy(t)
                    && (tree.is_dummy(r) || (tree.is_reply(t) && !tree.is_reply(r)))
                {
                    table.insert(subj.to_owned(), r);
                }
            }
        }
    }
    let mut top_pos: HashMap<usize, usize> = top.iter().enumerate().map(|(i, &r)| (r, i)).collect();
    let mut keep = vec![true; top.len()];
    for k in 0..top.len() {
        let r = top[k];
        if !keep[k] {
            continue;
        }
        let Some(subj) = tree.subject(r).filter(|s| !s.is_empty()).map(str::to_owned) else {
            continue;
        };
        let Some(&t) = table.get(&subj) else {
            continue;
        };
        if t == r {
            continue;
        }
        if tree.is_dummy(t) && tree.is_dummy(r) {
            let moved = std::mem::take(&mut tree.nodes[r].children);
            for &c in &moved {
                tree.nodes[c].parent = Some(t);
            }
            tree.nodes[t].children.extend(moved);
            keep[k] = false;
        } else if tree.is_dummy(t) || (tree.is_reply(r) && !tree.is_reply(t)) {
            tree.nodes[r].parent = Some(t);
            tree.nodes[t].children.push(r);
            keep[k] = false;
        } else {
            let d = tree.new_node(None);
            let tp = top_pos[&t];
            tree.nodes[d].children = vec![t, r];
            tree.nodes[t].parent = Some(d);
            tree.nodes[r].parent = Some(d);
            top[tp] = d;
            top_pos.insert(d, tp);
            keep[k] = false;
            table.insert(subj, d);
        }
    }
    let mut top: Vec<usize> = top
        .into_iter()
        .zip(keep)
        .filter_map(|(r, k)| k.then_some(r))
        .collect();
    // (6) sort every set of siblings by sent date, the deepest first.
    for n in tree.post_order(&top) {
        let mut c = std::mem::take(&mut tree.nodes[n].children);
        tree.sort_siblings(&mut c);
        tree.nodes[n].children = c;
    }
    tree.sort_siblings(&mut top);
    top.iter()
        .map(|&r| to_thread(&tree, r, &number, 0))
        .collect()
}

/// The response form of the subtree at `n`: single-child chains as members, branches as
/// children.
fn to_thread(
    tree: &Tree<'_, '_>,
    mut n: usize,
    number: &impl Fn(usize) -> u32,
    depth: usize,
) -> Thread {
    let mut t = Thread::default();
    if depth >= MAX_NESTING {
        for m in tree.pre_order(n) {
            if let Some(msg) = tree.nodes[m].msg {
                t.members.push(number(msg));
            }
        }
        return t;
    }
    loop {
        let node = &tree.nodes[n];
        if let Some(m) = node.msg {
            t.members.push(number(m));
        }
        match node.children.as_slice() {
            [] => return t,
            [only] if node.msg.is_some() => n = *only,
            many => {
                t.children = many
                    .iter()
                    .map(|&c| to_thread(tree, c, number, depth + 1))
                    .collect();
                return t;
            }
        }
    }
}

impl Tree<'_, '_> {
    /// The subtree at `n` in pre-order, iteratively.
    fn pre_order(&self, n: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack = vec![n];
        while let Some(x) = stack.pop() {
            out.push(x);
            stack.extend(self.nodes[x].children.iter().rev());
        }
        out
    }
}
