//! Finding messages in an mbox file, and copying a file without some byte ranges.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::Path;

use super::format::{
    Fnv, flags_from_header, is_quoted_from, is_separator, is_volatile_header, parse_from_line_date,
};
use crate::error::{IoContext, Result};
use crate::size::Rfc822Size;
use crate::types::Flags;

const CHUNK: usize = 64 * 1024;
/// How much of a message the content key covers.
const KEY_BYTES: usize = 64 * 1024;

/// Where a message lies in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Loc {
    pub from: u64,
    pub body: u64,
    pub raw: u64,
    pub added: bool,
    pub key: u64,
}

impl Loc {
    pub fn parse(s: &str) -> Option<Loc> {
        let mut it = s.split(':');
        let loc = Loc {
            from: it.next()?.parse().ok()?,
            body: it.next()?.parse().ok()?,
            raw: it.next()?.parse().ok()?,
            added: it.next()? == "1",
            key: u64::from_str_radix(it.next()?, 16).ok()?,
        };
        Some(loc)
    }
    pub fn format(self) -> String {
        format!(
            "{}:{}:{}:{}:{:x}",
            self.from, self.body, self.raw, self.added as u8, self.key
        )
    }
    pub fn shifted(self, by: u64) -> Loc {
        Loc {
            from: self.from - by,
            body: self.body - by,
            ..self
        }
    }
}

/// A message found by scanning the file.
#[derive(Debug)]
pub(crate) struct Scanned {
    pub loc: Loc,
    /// Length of the un-quoted message (what reading returns, plus a line feed the append
    /// added, if it did).
    pub len: u64,
    /// The same with CRLF line ends, counted line by line.
    crlf: Rfc822Size,
    pub idate: u64,
    pub flags: Flags,
}

impl Scanned {
    /// `RFC822.SIZE`: the size with CRLF line ends of the message as reading returns it
    /// (un-quoted, without the line feed the append `added`).
    pub fn size(&self, added: bool) -> u64 {
        if added {
            self.crlf.without_final_lf()
        } else {
            self.crlf.total()
        }
    }
}

/// A message being scanned.
struct Open {
    s: Scanned,
    key: Fnv,
    keyed: usize,
    in_headers: bool,
    /// The CRLF count before the last line (the blank line that ends a message is not in it).
    before_last: Rfc822Size,
}

/// Reads a file through `pread`, never moving a shared offset or opening another descriptor.
struct PosReader<'a> {
    file: &'a File,
    pos: u64,
}

impl Read for PosReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read_at(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

/// Scans messages from `start` (which must be a line start) to the end of the file.
///
/// A message's sizes are counted as reading returns it: un-quoted (one `>` less on each
/// `>+From ` line, as [`Quoter`](super::format::Quoter) un-quotes), without the blank line
/// that ends it.
pub(crate) fn scan(file: &File, start: u64) -> std::io::Result<Vec<Scanned>> {
    scan_reader(
        BufReader::with_capacity(CHUNK, PosReader { file, pos: start }),
        start,
    )
}

/// [`scan`] over any reader positioned at offset `start` of the file.
pub(crate) fn scan_reader(mut reader: impl BufRead, start: u64) -> std::io::Result<Vec<Scanned>> {
    let mut out: Vec<Scanned> = Vec::new();
    let mut cur: Option<Open> = None;
    let mut line = Vec::new();
    let mut pos = start;
    let mut prev_blank = false;
    let finish = |cur: Option<Open>, end: u64, prev_blank: bool, out: &mut Vec<Scanned>| {
        if let Some(Open {
            mut s,
            key,
            before_last,
            ..
        }) = cur
        {
            let sep = prev_blank && end > s.loc.body;
            if sep {
                s.len -= 1;
                s.crlf = before_last;
            }
            s.loc.raw = end - s.loc.body - u64::from(sep);
            s.loc.key = key.0;
            out.push(s);
        }
    };
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line)?;
        if n == 0 {
            break;
        }
        if is_separator(&line) {
            finish(cur.take(), pos, prev_blank, &mut out);
            cur = Some(Open {
                s: Scanned {
                    loc: Loc {
                        from: pos,
                        body: pos + n as u64,
                        raw: 0,
                        added: false,
                        key: 0,
                    },
                    len: 0,
                    crlf: Rfc822Size::default(),
                    idate: parse_from_line_date(line.trim_ascii_end()).unwrap_or(0),
                    flags: Flags::new(),
                },
                key: Fnv::new(),
                keyed: 0,
                in_headers: true,
                before_last: Rfc822Size::default(),
            });
        } else if let Some(o) = cur.as_mut() {
            let mut volatile = false;
            if o.in_headers {
                if line == b"\n" || line == b"\r\n" {
                    o.in_headers = false;
                } else {
                    flags_from_header(&line, &mut o.s.flags);
                    volatile = is_volatile_header(&line);
                }
            }
            if !volatile && o.keyed < KEY_BYTES {
                o.key.update(&line);
                o.keyed += line.len();
            }
            // Reading removes one `>` from a quoted `From ` line.
            let unquoted = &line[usize::from(is_quoted_from(&line))..];
            o.s.len += unquoted.len() as u64;
            o.before_last = o.s.crlf;
            o.s.crlf.feed(unquoted);
        }
        prev_blank = line == b"\n";
        pos += n as u64;
    }
    finish(cur.take(), pos, prev_blank, &mut out);
    Ok(out)
}

/// Copies `src` (of length `len`) into `dst` from its start, leaving out `ranges` (sorted,
/// disjoint); returns the length written. Nothing is synced.
pub(crate) fn copy_except(
    src: &File,
    len: u64,
    ranges: &[Range<u64>],
    dst: &File,
    path: &Path,
) -> Result<u64> {
    let mut keep = Vec::with_capacity(ranges.len() + 1);
    let mut at = 0;
    for r in ranges {
        keep.push(at..r.start.min(len));
        at = r.end;
    }
    keep.push(at..len);
    let mut write = 0;
    let mut buf = vec![0u8; CHUNK];
    for k in keep {
        let mut read = k.start;
        while read < k.end {
            let want = ((k.end - read) as usize).min(CHUNK);
            let n = src.read_at(&mut buf[..want], read).at(path)?;
            if n == 0 {
                break;
            }
            dst.write_all_at(&buf[..n], write).at(path)?;
            read += n as u64;
            write += n as u64;
        }
    }
    Ok(write)
}

/// Bytes removed by `ranges` before offset `at`.
pub(crate) fn removed_before(ranges: &[Range<u64>], at: u64) -> u64 {
    ranges
        .iter()
        .filter(|r| r.end <= at)
        .map(|r| r.end - r.start)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::super::lock::open_rw;
    use super::*;
    use crate::types::Flag;

    type Expected<'a> = (&'a [u8], u64, u64, &'a [Flag]);

    fn scan_bytes(data: &[u8]) -> Vec<Scanned> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("mbox");
        std::fs::write(&path, data).expect("write");
        scan(&File::open(&path).expect("open"), 0).expect("scan")
    }

    #[test]
    fn scan_table() {
        // (mbox bytes, expected (raw body, un-quoted length, its size with CRLF line ends, flags)
        // per message)
        let table: &[(&[u8], &[Expected])] = &[
            (b"", &[]),
            (b"garbage\n", &[]),
            (
                b"From a Thu Jan  1 00:00:00 1970\nS: x\n\nbody\n\n",
                &[(b"S: x\n\nbody\n", 11, 14, &[])],
            ),
            (
                b"From a Thu Jan  1 00:00:00 1970\nStatus: RO\n\n>From q\n\nFrom b Thu Jan  1 00:00:00 1970\nX-Status: F\n\nb\n",
                &[
                    (b"Status: RO\n\n>From q\n", 19, 22, &[Flag::Seen]),
                    (b"X-Status: F\n\nb\n", 15, 18, &[Flag::Flagged]),
                ],
            ),
            (
                b"From a Thu Jan  1 00:00:00 1970\r\nS: y\r\n\r\nz\r\n\nFrom b Jan 1 00:00 1970\nno blank before next\nFrom c Jan 1 00:00 1970\n",
                &[
                    (b"S: y\r\n\r\nz\r\n", 11, 11, &[]),
                    (b"no blank before next\n", 21, 22, &[]),
                    (b"", 0, 0, &[]),
                ],
            ),
            // mutt writes body lines unquoted (it relies on Content-Length): a `From ` line
            // without a date is not a separator.
            (
                b"From a@b Thu Jan  1 00:00:00 1970\nContent-Length: 22\n\nx\nFrom here on\nFrom x\n\n",
                &[(b"Content-Length: 22\n\nx\nFrom here on\nFrom x\n", 42, 47, &[])],
            ),
        ];
        for (data, expected) in table {
            let found = scan_bytes(data);
            assert_eq!(found.len(), expected.len(), "{data:?}");
            for (s, (raw, len, size, flags)) in found.iter().zip(expected.iter()) {
                let body = &data[s.loc.body as usize..(s.loc.body + s.loc.raw) as usize];
                assert_eq!(body, *raw, "{data:?}");
                assert_eq!(s.len, *len, "{data:?}");
                assert_eq!(s.size(false), *size, "{data:?}");
                assert_eq!(
                    s.flags,
                    flags.iter().cloned().collect::<Flags>(),
                    "{data:?}"
                );
            }
        }
    }

    /// A message of ours that lacked its final line feed: the size leaves out the one the
    /// append added, whatever precedes it.
    #[test]
    fn added_line_feed_left_out_of_the_size() {
        let table: &[(&[u8], &[u8])] = &[
            (b"S: x\n\nend", b"From a Jan 1 00:00 1970\nS: x\n\nend\n\n"),
            (
                b"S: x\n\nend\r",
                b"From a Jan 1 00:00 1970\nS: x\n\nend\r\n\n",
            ),
            (
                b"S: x\n\n>From q",
                b"From a Jan 1 00:00 1970\nS: x\n\n>>From q\n\n",
            ),
        ];
        for (message, stored) in table {
            let found = scan_bytes(stored);
            assert_eq!(found.len(), 1, "{stored:?}");
            assert_eq!(found[0].len, message.len() as u64 + 1, "{stored:?}");
            assert_eq!(
                found[0].size(true),
                crate::rfc822_size(message),
                "{stored:?}"
            );
        }
    }

    #[test]
    fn content_key_ignores_status_headers() {
        let a = scan_bytes(b"From a Jan 1 00:00 1970\nSubject: s\nStatus: O\n\nbody\n\n");
        let b =
            scan_bytes(b"From b Feb 2 00:00 1971\nSubject: s\nStatus: RO\nX-Status: A\n\nbody\n\n");
        let c = scan_bytes(b"From a Jan 1 00:00 1970\nSubject: t\n\nbody\n\n");
        assert_eq!(a[0].loc.key, b[0].loc.key);
        assert_ne!(a[0].loc.key, c[0].loc.key);
    }

    #[test]
    fn copy_except_leaves_ranges_out() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f");
        std::fs::write(&path, b"0123456789abcdef").expect("write");
        let src = open_rw(&path, false).expect("open");
        let out = dir.path().join("g");
        let dst = open_rw(&out, true).expect("create");
        let n = copy_except(&src, 16, &[2..4, 10..13], &dst, &out).expect("copy");
        assert_eq!(n, 11);
        assert_eq!(std::fs::read(&out).expect("read"), b"01456789def");
        assert_eq!(std::fs::read(&path).expect("read"), b"0123456789abcdef");
        assert_eq!(removed_before(&[2..4, 10..13], 14), 5);
        assert_eq!(removed_before(&[2..4, 10..13], 5), 2);
    }
}
