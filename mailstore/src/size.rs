//! Message sizes as IMAP and POP3 count them: with CRLF line ends.
//!
//! RFC 9051 §7.5.2 (`RFC822.SIZE`) and RFC 1939 §5 (`LIST`) give a message's size in octets
//! as it is sent, with CRLF line ends; a file that stores LF line ends (Dovecot, mutt and most
//! MDAs write those) is bigger on the wire by one octet per LF without a CR. Dovecot writes that
//! size into Maildir file names as `,W=<size>` next to `,S=<bytes on disk>`.

/// Counts a message's size with CRLF line ends over chunks of any split.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rfc822Size {
    size: u64,
    last_was_cr: bool,
    /// What the last octet counted if it was a line feed (1 after a CR, 2 bare), else 0.
    last_lf: u8,
}

impl Rfc822Size {
    /// Adds the next chunk of the message.
    pub fn feed(&mut self, chunk: &[u8]) {
        self.size += chunk.len() as u64;
        let mut prev_cr = self.last_was_cr;
        match chunk.len() {
            0 => {}
            n if chunk[n - 1] != b'\n' => self.last_lf = 0,
            1 => self.last_lf = if self.last_was_cr { 1 } else { 2 },
            n => self.last_lf = if chunk[n - 2] == b'\r' { 1 } else { 2 },
        }
        for &b in chunk {
            if b == b'\n' && !prev_cr {
                self.size += 1;
            }
            prev_cr = b == b'\r';
        }
        self.last_was_cr = prev_cr;
    }

    /// The size so far.
    pub fn total(&self) -> u64 {
        self.size
    }

    /// The size so far without a final line feed, if the last octet fed was one (the mbox
    /// backend adds a line feed to a message that lacks one and leaves it out when reading).
    pub fn without_final_lf(&self) -> u64 {
        self.size - u64::from(self.last_lf)
    }

    /// Reads `reader` to its end and returns the size of what it read.
    pub fn of_reader(mut reader: impl std::io::Read) -> std::io::Result<u64> {
        let mut counter = Rfc822Size::default();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => return Ok(counter.total()),
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            counter.feed(&buf[..n]);
        }
    }
}

/// The size of `message` with CRLF line ends (`RFC822.SIZE`, POP3 `LIST`): its length plus one
/// for every LF not preceded by CR.
pub fn rfc822_size(message: &[u8]) -> u64 {
    let mut counter = Rfc822Size::default();
    counter.feed(message);
    counter.total()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_table() {
        let table: &[(&[u8], u64)] = &[
            (b"", 0),
            (b"a", 1),
            (b"a\n", 3),
            (b"a\r\n", 3),
            (b"\n\n", 4),
            (b"\r\n\r\n", 4),
            (b"a\rb\n", 5),
            (b"Subject: x\n\nbody\r\nend", 23),
        ];
        for (input, want) in table {
            assert_eq!(
                rfc822_size(input),
                *want,
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn any_split_gives_the_same_size() {
        let msg = b"A: b\r\n\nline\n\r\nx\r\r\n\n";
        let whole = rfc822_size(msg);
        for cut in 0..=msg.len() {
            let mut c = Rfc822Size::default();
            c.feed(&msg[..cut]);
            c.feed(&msg[cut..]);
            assert_eq!(c.total(), whole, "split at {cut}");
        }
        assert_eq!(Rfc822Size::of_reader(&msg[..]).expect("read"), whole);
    }

    #[test]
    fn final_line_feed_left_out() {
        // (message, size without its final LF): the size of the message cut before that LF.
        let table: &[&[u8]] = &[
            b"a\n", b"a\r\n", b"\n", b"\r\n", b"a", b"a\r", b"", b"x\n\n",
        ];
        for msg in table {
            let cut = msg.strip_suffix(b"\n").unwrap_or(msg);
            for at in 0..=msg.len() {
                let mut c = Rfc822Size::default();
                c.feed(&msg[..at]);
                c.feed(&msg[at..]);
                assert_eq!(
                    c.without_final_lf(),
                    rfc822_size(cut),
                    "{:?} split at {at}",
                    String::from_utf8_lossy(msg)
                );
            }
        }
    }
}
