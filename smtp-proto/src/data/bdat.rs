//! BDAT chunk framing (RFC 3030 §2).

use super::Decoded;

/// Receives the octets of one `BDAT` chunk (RFC 3030 §2).
///
/// ```text
/// bdat-cmd   = "BDAT" SP chunk-size [ SP end-marker ] CRLF
/// chunk-size = 1*DIGIT
/// end-marker = "LAST"
/// ```
///
/// The `chunk-size` octets that follow the command line are the chunk, taken as they are: no dot
/// un-stuffing, no terminator, any octet allowed ("the data ... is not dot-stuffed"). The decoder
/// consumes exactly that many octets across calls and leaves the rest (the next command) alone.
#[derive(Clone, Debug)]
pub struct BdatDecoder {
    remaining: u64,
    body_len: u64,
}

impl BdatDecoder {
    /// A decoder for a chunk of `size` octets (`BDAT 0 LAST` gives one that is finished at once).
    pub fn new(size: u64) -> Self {
        Self {
            remaining: size,
            body_len: 0,
        }
    }

    /// Octets of the chunk still to come.
    pub fn remaining(&self) -> u64 {
        self.remaining
    }

    /// Octets of the chunk received so far.
    pub fn body_len(&self) -> u64 {
        self.body_len
    }

    /// Whether the whole chunk was received.
    pub fn is_finished(&self) -> bool {
        self.remaining == 0
    }

    /// Appends the chunk octets found in `input` to `out`.
    pub fn decode(&mut self, input: &[u8], out: &mut Vec<u8>) -> Decoded {
        self.decode_slices(input, |s| out.extend_from_slice(s))
    }

    /// Zero-copy form of [`BdatDecoder::decode`]: hands the chunk octets of `input` to `f` (at
    /// most one call, never with an empty slice).
    pub fn decode_slices<'a>(&mut self, input: &'a [u8], mut f: impl FnMut(&'a [u8])) -> Decoded {
        let take = usize::try_from(self.remaining).map_or(input.len(), |r| r.min(input.len()));
        let (chunk, _) = input.split_at(take);
        if !chunk.is_empty() {
            f(chunk);
        }
        self.remaining -= take as u64;
        self.body_len += take as u64;
        Decoded {
            consumed: take,
            finished: self.remaining == 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC3030_41: &[u8] =
        b"To: Susan@random.com\r\nFrom: Sam@random.com\r\nSubject: This is a bodiless test message\r\n";

    #[test]
    fn table() {
        // (size, chunks fed, expected body, expected consumed per call, finished at the end)
        type Case<'a> = (u64, &'a [&'a [u8]], &'a [u8], &'a [usize], bool);
        let cases: &[Case] = &[
            // RFC 3030 §4.1 example: "BDAT 86 LAST" then the three header lines (86 octets).
            (86, &[RFC3030_41], RFC3030_41, &[86], true),
            // Same, with the next command pipelined behind it and split mid-line.
            (
                86,
                &[
                    &RFC3030_41[..30],
                    b"",
                    b"m@random.com\r\nSubject: This is a bodiless test message\r\nQUIT\r\n",
                ],
                RFC3030_41,
                &[30, 0, 56],
                true,
            ),
            // No un-stuffing and no terminator: dots and CRLF.CRLF are plain octets.
            (
                10,
                &[b"..\r\n.\r\nab\nQUIT\r\n"],
                b"..\r\n.\r\nab\n",
                &[10],
                true,
            ),
            // Split anywhere; the next command is left.
            (5, &[b"ab", b"c", b"deRSET\r\n"], b"abcde", &[2, 1, 2], true),
            (0, &[b"QUIT\r\n"], b"", &[0], true),
            (7, &[b"abc"], b"abc", &[3], false),
            (3, &[b"", b"abc"], b"abc", &[0, 3], true),
        ];
        for (size, chunks, body, consumed, finished) in cases {
            let mut dec = BdatDecoder::new(*size);
            let mut out = Vec::new();
            let got: Vec<usize> = chunks
                .iter()
                .map(|c| dec.decode(c, &mut out).consumed)
                .collect();
            assert_eq!(out, *body);
            assert_eq!(got, *consumed);
            assert_eq!(dec.is_finished(), *finished);
            assert_eq!(dec.remaining(), size - body.len() as u64);
            assert_eq!(dec.body_len(), body.len() as u64);
        }
    }

    #[test]
    fn finished_consumes_nothing() {
        let mut dec = BdatDecoder::new(2);
        let mut out = Vec::new();
        assert_eq!(
            dec.decode(b"abcd", &mut out),
            Decoded {
                consumed: 2,
                finished: true
            }
        );
        assert_eq!(
            dec.decode(b"cd", &mut out),
            Decoded {
                consumed: 0,
                finished: true
            }
        );
        assert_eq!(out, b"ab");
    }
}
