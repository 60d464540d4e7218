//! `COMPRESS=DEFLATE` (RFC 4978): raw DEFLATE (RFC 1951, no zlib header) in both directions,
//! applied by the driver to whole buffers rather than as a stream wrapper.
//!
//! - Out: each batch of responses is compressed and ended with a sync flush (RFC 4978 §4: the
//!   peer must be able to decompress everything sent so far, or a client waiting for a tagged
//!   response would wait forever).
//! - In: compressed octets read from the socket are inflated at most [`PLAIN_CHUNK`] octets at a
//!   time, and the next chunk is inflated only when the session asks for input again: a small
//!   compressed read that inflates to megabytes (a "zip bomb") never sits in memory at once.

use std::io;

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

/// Most plaintext octets inflated per step (the same as one plain read).
pub(crate) const PLAIN_CHUNK: usize = 4 * 1024;

/// The DEFLATE state of one compressed connection (both directions).
pub(crate) struct Deflate {
    deflate: Compress,
    inflate: Decompress,
    /// Compressed input read from the socket and not yet given to the inflater.
    pending: Vec<u8>,
    /// The last inflate step filled its output: the inflater may hold more output.
    more: bool,
    /// The client ended its DEFLATE stream: anything after it is a protocol error.
    ended: bool,
}

impl std::fmt::Debug for Deflate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deflate")
            .field("in", &self.inflate.total_in())
            .field("out", &self.deflate.total_out())
            .finish_non_exhaustive()
    }
}

impl Deflate {
    /// A fresh pair of streams (RFC 4978 §4: raw DEFLATE, each direction its own stream).
    pub(crate) fn new() -> Self {
        Self {
            // Level 6 (the default) as RFC 4978 §7 suggests a moderate level for interactive use.
            deflate: Compress::new(Compression::default(), false),
            inflate: Decompress::new(false),
            pending: Vec::new(),
            more: false,
            ended: false,
        }
    }

    /// Compresses `plain` and sync-flushes, so that the peer can read all of it at once.
    pub(crate) fn compress(&mut self, plain: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(plain.len() / 2 + 64);
        let mut input = plain;
        loop {
            if out.capacity() - out.len() < 64 {
                out.reserve(out.capacity().max(256));
            }
            let before = self.deflate.total_in();
            self.deflate
                .compress_vec(input, &mut out, FlushCompress::Sync)
                .map_err(io::Error::other)?;
            let consumed = usize::try_from(self.deflate.total_in() - before).unwrap_or(usize::MAX);
            input = input.get(consumed..).unwrap_or_default();
            // Done once all input is in and the flush fitted (room was left in `out`).
            if input.is_empty() && out.len() < out.capacity() {
                return Ok(out);
            }
        }
    }

    /// Takes compressed octets read from the peer.
    pub(crate) fn push(&mut self, compressed: &[u8]) {
        self.pending.extend_from_slice(compressed);
    }

    /// Whether [`Deflate::inflate`] may produce output without another read.
    pub(crate) fn has_input(&self) -> bool {
        !self.ended && (!self.pending.is_empty() || self.more)
    }

    /// Inflates up to [`PLAIN_CHUNK`] octets into `out` (cleared first); an empty `out` means
    /// more compressed input is needed. Corrupt input, or input after the end of the client's
    /// stream, is an [`io::ErrorKind::InvalidData`] error (the connection cannot go on).
    pub(crate) fn inflate(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        out.clear();
        if self.ended {
            return if self.pending.is_empty() {
                Ok(())
            } else {
                Err(invalid("data after the end of the DEFLATE stream"))
            };
        }
        out.resize(PLAIN_CHUNK, 0);
        let (in_before, out_before) = (self.inflate.total_in(), self.inflate.total_out());
        let status = self
            .inflate
            .decompress(&self.pending, out, FlushDecompress::None)
            .map_err(|e| invalid(&e.to_string()))?;
        let consumed = usize::try_from(self.inflate.total_in() - in_before).unwrap_or(usize::MAX);
        let produced = usize::try_from(self.inflate.total_out() - out_before).unwrap_or(0);
        out.truncate(produced);
        self.pending.drain(..consumed.min(self.pending.len()));
        if self.pending.is_empty() && self.pending.capacity() > PLAIN_CHUNK {
            // Keep an idle connection small after a burst.
            self.pending = Vec::new();
        }
        self.more = produced == PLAIN_CHUNK;
        if status == Status::StreamEnd {
            self.ended = true;
            self.more = false;
        }
        Ok(())
    }
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("COMPRESS=DEFLATE: {what}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read as _, Write as _};

    /// What a peer's raw DEFLATE decoder reads from our output.
    fn peer_inflate(data: &[u8]) -> Vec<u8> {
        let mut plain = Vec::new();
        let mut decoder = flate2::read::DeflateDecoder::new(data);
        // A sync-flushed stream has no end block: read until the decoder runs dry.
        let mut buf = [0u8; 1024];
        loop {
            match decoder.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => plain.extend_from_slice(buf.get(..n).unwrap_or_default()),
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
                Err(e) => panic!("peer cannot inflate: {e}"),
            }
        }
        plain
    }

    /// Inflates everything pushed, step by step.
    fn drain(d: &mut Deflate) -> Vec<u8> {
        let mut all = Vec::new();
        let mut chunk = Vec::new();
        while d.has_input() {
            d.inflate(&mut chunk).expect("inflate");
            assert!(chunk.len() <= PLAIN_CHUNK, "{} octets at once", chunk.len());
            if chunk.is_empty() {
                break;
            }
            all.extend_from_slice(&chunk);
        }
        all
    }

    #[test]
    fn each_batch_is_readable_on_its_own_after_the_sync_flush() {
        let mut d = Deflate::new();
        let first = d
            .compress(b"* OK [CAPABILITY IMAP4rev2] ready\r\n")
            .expect("first");
        // RFC 1951 §3.2.4 / RFC 4978 §4: a sync flush ends with an empty stored block.
        assert!(first.ends_with(&[0, 0, 0xff, 0xff]), "{first:02x?}");
        assert_eq!(
            peer_inflate(&first),
            b"* OK [CAPABILITY IMAP4rev2] ready\r\n"
        );
        let second = d.compress(b"a1 OK done\r\n").expect("second");
        let mut both = first.clone();
        both.extend_from_slice(&second);
        assert_eq!(
            peer_inflate(&both),
            b"* OK [CAPABILITY IMAP4rev2] ready\r\na1 OK done\r\n"
        );
    }

    #[test]
    fn large_output_compresses_and_round_trips() {
        let plain: Vec<u8> = (0..200_000u32)
            .flat_map(|i| format!("* {i} FETCH (FLAGS (\\Seen))\r\n").into_bytes())
            .collect();
        let mut d = Deflate::new();
        let packed = d.compress(&plain).expect("compress");
        assert!(
            packed.len() < plain.len() / 5,
            "{} of {}",
            packed.len(),
            plain.len()
        );
        assert_eq!(peer_inflate(&packed), plain);
    }

    #[test]
    fn input_from_a_peer_in_any_split_inflates_in_bounded_steps() {
        let plain: Vec<u8> = (0..5_000u32)
            .flat_map(|i| format!("a{i} NOOP\r\n").into_bytes())
            .collect();
        let mut encoder =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(&plain).expect("write");
        encoder.flush().expect("sync flush");
        let packed = encoder.get_ref().clone();
        for split in [1, 7, 4096] {
            let mut d = Deflate::new();
            let mut got = Vec::new();
            for piece in packed.chunks(split) {
                d.push(piece);
                got.extend(drain(&mut d));
            }
            assert_eq!(got, plain, "split {split}");
        }
    }

    #[test]
    fn a_bomb_is_inflated_one_chunk_at_a_time() {
        // 8 MiB of zeros compress to a few KiB: one read's worth.
        let mut encoder =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(&vec![0u8; 8 << 20]).expect("write");
        encoder.flush().expect("flush");
        let packed = encoder.get_ref().clone();
        assert!(packed.len() < 16 * 1024, "{}", packed.len());
        let mut d = Deflate::new();
        d.push(&packed);
        let mut chunk = Vec::new();
        d.inflate(&mut chunk).expect("inflate");
        assert_eq!(chunk.len(), PLAIN_CHUNK);
        assert!(d.has_input(), "more output must wait for the next step");
        assert!(chunk.capacity() <= 2 * PLAIN_CHUNK);
        let total = chunk.len() + drain(&mut d).len();
        assert_eq!(total, 8 << 20);
    }

    #[test]
    fn corrupt_input_is_an_error_not_a_panic() {
        let mut d = Deflate::new();
        // BTYPE 11 is reserved (RFC 1951 §3.2.3).
        d.push(&[0xff, 0xff, 0xff, 0xff]);
        let mut chunk = Vec::new();
        let err = d.inflate(&mut chunk).expect_err("reserved block type");
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    }
}
