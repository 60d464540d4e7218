//! One message's FETCH response (RFC 9051 §7.5.2): the items from the view, the metadata
//! and the MIME structure, body literals from memory, and the big ones queued for streaming.

use std::borrow::Cow;

use super::*;

/// The label of a body item as it is answered (RFC 9051 §7.5.2): `BODY[section]<origin> `.
fn body_label(section: &Section<'_>, partial: Option<Partial>) -> Vec<u8> {
    let mut e = Encoder::server();
    e.raw(b"BODY");
    section.encode(&mut e);
    if let Some(p) = partial {
        e.byte(b'<').number(p.offset).byte(b'>');
    }
    e.sp();
    e.take()
}

/// `start..end` narrowed by `<offset.length>`.
fn narrow(start: u64, end: u64, partial: Option<Partial>) -> (u64, u64) {
    match partial {
        None => (start, end),
        Some(p) => {
            let s = start.saturating_add(p.offset).min(end);
            let e = match p.length {
                Some(l) => s.saturating_add(l.get()).min(end),
                None => end,
            };
            (s, e)
        }
    }
}

impl Mailboxes {
    /// Writes one message's response up to its literals, which are queued in `job`.
    pub(super) async fn write_message(
        &mut self,
        job: &mut FetchJob,
        p: Prepared,
        session: &mut ServerSession,
    ) {
        let (Some(account), Some(sel)) = (self.account.clone(), self.selected.as_ref()) else {
            return;
        };
        let view = &sel.view;
        let Some(seq) = NonZeroU32::new(p.seq) else {
            return;
        };
        let gone = view.is_expunged(p.seq)
            || (job.needs.meta && p.meta.is_none())
            || (job.needs.structure && p.structure.is_none());
        if gone && job.needs.store {
            job.expunge_issued = true;
            return;
        }
        // The message itself, when an item needs it in memory (or it is small).
        let size = p.meta.as_ref().map_or(0, |m| m.size);
        let whole = job.items.iter().any(|i| match i {
            FetchAttr::Binary { .. } => true,
            FetchAttr::BinarySize { section } => !section.part.is_empty(),
            _ => false,
        }) || (size <= STREAM_THRESHOLD && needs_literal(&job.items));
        // HEADER.FIELDS of a big message stored with CRLFs: only the octets up to the end of
        // the last header asked for (offsets of the stored form are those of the CRLF form).
        let header_end = job
            .items
            .iter()
            .filter_map(|i| match i {
                FetchAttr::BodySection { section, .. }
                    if matches!(
                        section.text,
                        Some(SectionText::HeaderFields(_) | SectionText::HeaderFieldsNot(_))
                    ) =>
                {
                    Some(
                        p.structure
                            .as_ref()
                            .and_then(|s| s.section_range(section))
                            .map_or(0, |r| u64::from(r.end)),
                    )
                }
                _ => None,
            })
            .max();
        let prefix = match (&p.structure, header_end) {
            (Some(s), Some(end)) if !whole && !s.converted => Some(end),
            (_, Some(_)) => None,
            (_, None) if whole => None,
            (_, None) => Some(0),
        };
        // The header block kept with the structure, when it holds every octet the items ask
        // for: the message is not read at all.
        let kept_header = p
            .structure
            .as_ref()
            .and_then(|s| Some((s, s.header.as_deref()?)))
            .filter(|(s, h)| within_header(&job.items, s, h.len() as u64))
            .map(|(_, h)| h);
        // `raw` is the CRLF form: all of it, or the prefix the header fields need, or the
        // kept header block (which every range asked for lies in, as if it were all of it).
        let raw: Option<Cow<'_, [u8]>> = match prefix {
            _ if gone => None,
            _ if kept_header.is_some() => kept_header.map(Cow::Borrowed),
            Some(0) => None,
            Some(end) => match account.read_range(&sel.name, p.uid, 0..end).await {
                Ok(r) => Some(Cow::Owned(r)),
                Err(err) => {
                    tracing::warn!(uid = p.uid, error = %err, "FETCH: message not read");
                    job.read_failed = true;
                    return;
                }
            },
            None => match account.read(&sel.name, p.uid).await {
                Ok(r) => Some(Cow::Owned(crlf_view(&r).into_owned())),
                Err(err) => {
                    tracing::warn!(uid = p.uid, error = %err, "FETCH: message not read");
                    job.read_failed = true;
                    return;
                }
            },
        };
        let raw_is_whole = raw.is_some() && (prefix.is_none() || kept_header.is_some());

        let e = session.encoder();
        e.raw(b"* ").number(u64::from(seq.get())).raw(b" FETCH (");
        let mut first = true;
        let mut item = |e: &mut Encoder, a: MsgAtt<'_>| {
            if !first {
                e.sp();
            }
            first = false;
            a.encode(e);
        };
        let mut literals: Vec<LiteralItem> = Vec::new();
        let mut memory: Vec<(Vec<u8>, Vec<u8>, bool)> = Vec::new();
        let mut flags_sent = false;
        for a in &job.items {
            match a {
                FetchAttr::Flags => {
                    flags_sent = true;
                    let flags: Vec<Flag<'static>> = view
                        .flags(p.seq)
                        .unwrap_or_default()
                        .into_iter()
                        .map(Flag::into_owned)
                        .collect();
                    item(e, MsgAtt::Flags(flags));
                }
                FetchAttr::Uid => {
                    if let Some(u) = NonZeroU32::new(p.uid) {
                        item(e, MsgAtt::Uid(u));
                    }
                }
                FetchAttr::ModSeq => item(e, MsgAtt::ModSeq(view.modseq(p.seq).unwrap_or(0))),
                FetchAttr::InternalDate => {
                    if let Some(m) = &p.meta {
                        item(e, MsgAtt::InternalDate(date_time(m.internal_date)));
                    }
                }
                FetchAttr::Rfc822Size => {
                    if let Some(m) = &p.meta {
                        item(e, MsgAtt::Rfc822Size(m.size));
                    }
                }
                FetchAttr::Envelope => {
                    if let Some(s) = &p.structure {
                        item(e, MsgAtt::Envelope(Box::new(s.envelope())));
                    }
                }
                FetchAttr::Body => {
                    if let Some(s) = &p.structure {
                        item(e, MsgAtt::Body(Box::new(s.body_structure(false))));
                    }
                }
                FetchAttr::BodyStructure => {
                    if let Some(s) = &p.structure {
                        item(e, MsgAtt::BodyStructure(Box::new(s.body_structure(true))));
                    }
                }
                FetchAttr::Rfc822 => {
                    literals.push(LiteralItem {
                        label: b"RFC822 ".to_vec(),
                        start: 0,
                        end: size,
                    });
                }
                FetchAttr::Rfc822Header | FetchAttr::Rfc822Text => {
                    let text = if *a == FetchAttr::Rfc822Header {
                        SectionText::Header
                    } else {
                        SectionText::Text
                    };
                    let section = Section {
                        part: Vec::new(),
                        text: Some(text),
                    };
                    let (start, end) = p
                        .structure
                        .as_ref()
                        .and_then(|s| s.section_range(&section))
                        .map_or((0, 0), |r| (u64::from(r.start), u64::from(r.end)));
                    let label: &[u8] = if *a == FetchAttr::Rfc822Header {
                        b"RFC822.HEADER "
                    } else {
                        b"RFC822.TEXT "
                    };
                    literals.push(LiteralItem {
                        label: label.to_vec(),
                        start,
                        end,
                    });
                }
                FetchAttr::BodySection {
                    section, partial, ..
                } => {
                    let label = body_label(section, *partial);
                    let range = if section.part.is_empty() && section.text.is_none() {
                        Some((0, size, FieldFilter::All))
                    } else {
                        p.structure
                            .as_ref()
                            .and_then(|s| s.section_range(section))
                            .map(|r| (u64::from(r.start), u64::from(r.end), r.filter))
                    };
                    match range {
                        Some((start, end, FieldFilter::All)) => {
                            let (start, end) = narrow(start, end, *partial);
                            literals.push(LiteralItem { label, start, end });
                        }
                        Some((start, end, filter)) => {
                            let r = crate::server::mime::SectionRange {
                                start: start as u32,
                                end: end as u32,
                                filter,
                            };
                            let data = raw
                                .as_deref()
                                .map(|m| r.extract(m, section).into_owned())
                                .unwrap_or_default();
                            let (s, t) = narrow(0, data.len() as u64, *partial);
                            memory.push((label, data[s as usize..t as usize].to_vec(), false));
                        }
                        None => literals.push(LiteralItem {
                            label,
                            start: 0,
                            end: 0,
                        }),
                    }
                }
                FetchAttr::Binary {
                    section, partial, ..
                } => {
                    let mut label_e = Encoder::server();
                    // RFC 9051 §9 `msg-att-static`: BINARY answers carry no `<origin>`.
                    label_e.raw(b"BINARY");
                    section.encode(&mut label_e);
                    label_e.sp();
                    let label = label_e.take();
                    match decoded(&p, raw.as_deref(), &section.part) {
                        Ok(data) => {
                            let (s, t) = narrow(0, data.len() as u64, *partial);
                            let bytes = data[s as usize..t as usize].to_vec();
                            let binary = memchr::memchr(0, &bytes).is_some();
                            memory.push((label, bytes, binary));
                        }
                        Err(Cte::Unknown) => job.unknown_cte = true,
                        Err(Cte::NoPart) => memory.push((label, Vec::new(), false)),
                    }
                }
                FetchAttr::BinarySize { section } if section.part.is_empty() => item(
                    e,
                    MsgAtt::BinarySize {
                        section: section.clone(),
                        size,
                    },
                ),
                FetchAttr::BinarySize { section } => {
                    match decoded(&p, raw.as_deref(), &section.part) {
                        Ok(data) => item(
                            e,
                            MsgAtt::BinarySize {
                                section: section.clone(),
                                size: data.len() as u64,
                            },
                        ),
                        Err(Cte::Unknown) => job.unknown_cte = true,
                        Err(Cte::NoPart) => item(
                            e,
                            MsgAtt::BinarySize {
                                section: section.clone(),
                                size: 0,
                            },
                        ),
                    }
                }
            }
        }
        if p.seen_set && !flags_sent {
            // RFC 9051 §6.4.5: the implicit \Seen is reported.
            let flags: Vec<Flag<'static>> = view
                .flags(p.seq)
                .unwrap_or_default()
                .into_iter()
                .map(Flag::into_owned)
                .collect();
            item(e, MsgAtt::Flags(flags));
        }
        if p.seen_set && view.condstore() && !job.items.contains(&FetchAttr::ModSeq) {
            // RFC 7162 §3.1.4: a flag change carries its MODSEQ under CONDSTORE.
            item(e, MsgAtt::ModSeq(view.modseq(p.seq).unwrap_or(0)));
        }
        for (label, data, binary) in memory {
            if !first {
                e.sp();
            }
            first = false;
            e.raw(&label);
            e.literal(&data, binary);
        }
        for lit in literals {
            if let (true, Some(r)) = (raw_is_whole, raw.as_deref()) {
                // The message is in memory: write the literal now.
                if !first {
                    e.sp();
                }
                first = false;
                e.raw(&lit.label);
                let bytes = r
                    .get(lit.start as usize..lit.end as usize)
                    .unwrap_or_default();
                e.literal_header(lit.end - lit.start, false);
                e.raw(bytes);
                // A message shorter than its metadata says: keep the literal's length.
                pad(e, (lit.end - lit.start).saturating_sub(bytes.len() as u64));
            } else {
                let mut lit = lit;
                if !first {
                    lit.label.insert(0, b' ');
                }
                first = false;
                job.literals.push_back(lit);
            }
        }
        job.open_uid = Some(p.uid);
    }
}

/// Whether every octet `items` need of the message lies in its first `header_len` octets (the
/// header block [`MessageStructure::header`] keeps): `BODY[HEADER]`, `HEADER.FIELDS (.NOT)`,
/// `RFC822.HEADER`, a partial of those, and items that need no octets of the message at all.
fn within_header(items: &[FetchAttr<'_>], s: &MessageStructure, header_len: u64) -> bool {
    let section_end = |section: &Section<'_>| {
        if section.part.is_empty() && section.text.is_none() {
            // `BODY[]` is answered from the store's RFC822.SIZE: always read.
            u64::MAX
        } else {
            s.section_range(section).map_or(0, |r| u64::from(r.end))
        }
    };
    items.iter().all(|i| match i {
        FetchAttr::Flags
        | FetchAttr::Uid
        | FetchAttr::ModSeq
        | FetchAttr::InternalDate
        | FetchAttr::Rfc822Size
        | FetchAttr::Envelope
        | FetchAttr::Body
        | FetchAttr::BodyStructure
        | FetchAttr::Rfc822Header => true,
        FetchAttr::BinarySize { section } => section.part.is_empty(),
        FetchAttr::BodySection { section, .. } => section_end(section) <= header_len,
        FetchAttr::Rfc822 | FetchAttr::Rfc822Text | FetchAttr::Binary { .. } => false,
    })
}

/// Whether an item is a body literal.
fn needs_literal(items: &[FetchAttr<'_>]) -> bool {
    items.iter().any(|i| {
        matches!(
            i,
            FetchAttr::Rfc822
                | FetchAttr::Rfc822Header
                | FetchAttr::Rfc822Text
                | FetchAttr::BodySection { .. }
        )
    })
}
/// Why BINARY has nothing to give.
enum Cte {
    Unknown,
    NoPart,
}

/// `BINARY[part]`'s content (RFC 3516 §4.2).
fn decoded<'m>(
    p: &Prepared,
    raw: Option<&'m [u8]>,
    part: &[NonZeroU32],
) -> Result<std::borrow::Cow<'m, [u8]>, Cte> {
    let raw = raw.ok_or(Cte::NoPart)?;
    if part.is_empty() {
        return Ok(std::borrow::Cow::Borrowed(raw));
    }
    let s = p.structure.as_ref().ok_or(Cte::NoPart)?;
    s.binary(part, raw).map_err(|e| match e {
        crate::server::mime::BinaryError::UnknownCte => Cte::Unknown,
        _ => Cte::NoPart,
    })
}

/// Fills a literal whose source ended early (the message changed under us, an I/O error):
/// the protocol stays in step; the FETCH ends `NO`.
fn pad(e: &mut Encoder, n: u64) {
    const SPACES: [u8; 1024] = [b' '; 1024];
    let mut left = n;
    while left > 0 {
        let k = left.min(SPACES.len() as u64) as usize;
        e.raw(&SPACES[..k]);
        left -= k as u64;
    }
}
