//! Body literals streamed from the store in the message's CRLF form, in pieces that fit the
//! session's output (back-pressure), resumable after [`Progress::Paused`].

use super::*;

/// Appends `chunk` (raw octets) in CRLF form to `out`; `last_cr` carries over chunks.
fn crlf_chunk(chunk: &[u8], last_cr: &mut bool, out: &mut Vec<u8>) {
    let mut from = 0;
    for i in memchr::memchr_iter(b'\n', chunk) {
        let cr_before = if i == 0 {
            *last_cr
        } else {
            chunk[i - 1] == b'\r'
        };
        if !cr_before {
            out.extend_from_slice(&chunk[from..i]);
            out.extend_from_slice(b"\r\n");
            from = i + 1;
        }
    }
    out.extend_from_slice(&chunk[from..]);
    if let Some(&b) = chunk.last() {
        *last_cr = b == b'\r';
    }
}

impl Mailboxes {
    /// Writes a literal's header and opens its stream (or writes it at once when empty).
    pub(super) async fn start_literal(
        &mut self,
        job: &mut FetchJob,
        lit: LiteralItem,
        session: &mut ServerSession,
    ) {
        let e = session.encoder();
        e.raw(&lit.label);
        e.literal_header(lit.end - lit.start, false);
        if lit.end == lit.start {
            return;
        }
        let opened = match (self.account.clone(), self.selected.as_ref(), job.open_uid) {
            (Some(account), Some(sel), Some(uid)) => account
                .read_stream(&sel.name, uid)
                .await
                .map_err(|err| tracing::warn!(uid, error = %err, "FETCH: message not read")),
            _ => Err(()),
        };
        let ended = opened.is_err();
        if ended {
            // The literal is announced: it is filled with spaces and the FETCH ends NO.
            job.read_failed = true;
        }
        let stream: ByteStream = opened.unwrap_or_else(|()| Box::pin(futures::stream::empty()));
        job.stream = Some(Streaming {
            stream: std::sync::Mutex::new(stream),
            pos: 0,
            start: lit.start,
            end: lit.end,
            last_cr: false,
            buf: Vec::new(),
            buf_pos: 0,
            ended,
        });
    }

    /// Copies the stream's octets into the output until the literal is complete
    /// ([`Progress::Done`]) or the output is full ([`Progress::Paused`]).
    pub(super) async fn pump(
        &mut self,
        job: &mut FetchJob,
        session: &mut ServerSession,
    ) -> Progress {
        let Some(st) = job.stream.as_mut() else {
            return Progress::Done;
        };
        let limit = session.config().max_pending_output;
        let mut converted = Vec::new();
        loop {
            if st.buf_pos < st.buf.len() {
                // Write what fits in the room the output has left (at least a little).
                let room = limit.saturating_sub(session.output().len()).max(512);
                let to = (st.buf_pos + room).min(st.buf.len());
                session.encoder().raw(&st.buf[st.buf_pos..to]);
                st.buf_pos = to;
                if session.should_flush() {
                    return Progress::Paused;
                }
                continue;
            }
            if st.pos >= st.end {
                break;
            }
            if session.should_flush() {
                return Progress::Paused;
            }
            if st.ended {
                // The source ended early: spaces keep the literal's announced length, a
                // block at a time.
                let at = st.pos.max(st.start);
                let n = (st.end - at).min(64 * 1024);
                st.buf.clear();
                st.buf.resize(n as usize, b' ');
                st.buf_pos = 0;
                st.pos = at + n;
                continue;
            }
            let stream = st
                .stream
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match stream.next().await {
                Some(Ok(chunk)) => {
                    converted.clear();
                    crlf_chunk(&chunk, &mut st.last_cr, &mut converted);
                    let len = converted.len() as u64;
                    let from = (st.start.clamp(st.pos, st.pos + len) - st.pos) as usize;
                    let to = (st.end.clamp(st.pos, st.pos + len) - st.pos) as usize;
                    st.buf.clear();
                    st.buf.extend_from_slice(&converted[from..to]);
                    st.buf_pos = 0;
                    st.pos += len;
                }
                Some(Err(err)) => {
                    tracing::warn!(error = %err, "FETCH: reading the message failed");
                    job.read_failed = true;
                    st.ended = true;
                }
                None => {
                    tracing::warn!("FETCH: message shorter than its size");
                    job.read_failed = true;
                    st.ended = true;
                }
            }
        }
        job.stream = None;
        Progress::Done
    }
}
