//! The append journal: before an append writes a byte into the mbox, it records where its
//! messages will lie (fsynced); recovery cuts exactly that region when the append did not
//! complete, and nothing else. The journal is a one-line file beside the mailbox's index
//! (`<index>.journal`):
//!
//! ```text
//! P <start> <end> <from>[,<from> ...] LF
//! ```
//!
//! `start` is the file's length when the append began (the index's stamp length), `end` the
//! length it will have when every message is written, and each `from` the offset of one
//! message's `From ` line. An append is complete when the index holds an entry whose `From `
//! line is at `from` (its record is fsynced before the UID is returned); the journal is then
//! emptied (without an fsync: a journal that names a completed append is recognised as such).
//!
//! This replaces guessing by the separator sender: a message another program copied from one of
//! our mboxes keeps our `From ` line (mutt does), and must never be taken for a torn append.

use std::fs::OpenOptions;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;

use crate::error::{IoContext, Result};
use crate::index::sync_dir;

/// Where an append's messages will lie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Intent {
    /// The file's length before the append.
    pub start: u64,
    /// The file's length once every message is written.
    pub end: u64,
    /// Offsets of the appended messages' `From ` lines, ascending.
    pub froms: Vec<u64>,
}

impl Intent {
    fn encode(&self) -> String {
        let froms: Vec<String> = self.froms.iter().map(u64::to_string).collect();
        format!("P {} {} {}\n", self.start, self.end, froms.join(","))
    }

    fn decode(text: &[u8]) -> Option<Intent> {
        let line = std::str::from_utf8(text).ok()?.strip_suffix('\n')?;
        let mut t = line.split(' ');
        if t.next()? != "P" {
            return None;
        }
        let start = t.next()?.parse().ok()?;
        let end = t.next()?.parse().ok()?;
        let froms = t
            .next()?
            .split(',')
            .map(|f| f.parse().ok())
            .collect::<Option<Vec<u64>>>()?;
        let sane = t.next().is_none()
            && start <= end
            && froms.windows(2).all(|w| w[0] < w[1])
            && froms.iter().all(|f| (start..end).contains(f));
        sane.then_some(Intent { start, end, froms })
    }

    /// The bytes to cut from a file of length `len` whose messages from `start` on begin at
    /// `separators` (ascending): from `start` up to the first of the planned end, the end of
    /// the file, or a message this append did not plan (another program appended it after a
    /// crash). `None` when nothing of the append is in the file.
    pub fn torn_range(&self, len: u64, separators: &[u64]) -> Option<Range<u64>> {
        let foreign = separators
            .iter()
            .copied()
            .find(|s| *s > self.start && !self.froms.contains(s));
        let end = [Some(self.end), Some(len), foreign]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(len);
        (end > self.start).then_some(self.start..end)
    }
}

/// The journal file of one mbox.
#[derive(Debug)]
pub(crate) struct Journal {
    path: PathBuf,
}

impl Journal {
    /// The journal at `path` (created on first use).
    pub fn new(path: PathBuf) -> Journal {
        Journal { path }
    }

    /// Records `intent` durably (fdatasync; the directory too when the file is new). The caller
    /// holds the mbox's locks.
    pub fn record(&self, intent: &Intent) -> Result<()> {
        let created = !self.path.exists();
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&self.path)
            .at(&self.path)?;
        let text = intent.encode();
        file.write_all_at(text.as_bytes(), 0).at(&self.path)?;
        file.set_len(text.len() as u64).at(&self.path)?;
        file.sync_data().at(&self.path)?;
        if created && let Some(dir) = self.path.parent() {
            sync_dir(dir)?;
        }
        Ok(())
    }

    /// The recorded intent, if any (an empty, missing or torn journal records none: a torn
    /// journal was being written before any byte of its append).
    pub fn read(&self) -> Result<Option<Intent>> {
        match std::fs::read(&self.path) {
            Ok(text) => Ok(Intent::decode(&text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(crate::error::StoreError::io(&self.path, e)),
        }
    }

    /// Whether the journal holds anything (one `stat`).
    pub fn pending(&self) -> bool {
        std::fs::metadata(&self.path).is_ok_and(|m| m.len() > 0)
    }

    /// Empties the journal; with `durable`, waits until that is on disk (also when an earlier
    /// clear without `durable` emptied it).
    pub fn clear(&self, durable: bool) -> Result<()> {
        let file = match OpenOptions::new().write(true).open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(crate::error::StoreError::io(&self.path, e)),
        };
        if file.metadata().at(&self.path)?.len() > 0 {
            file.set_len(0).at(&self.path)?;
        }
        if durable {
            file.sync_data().at(&self.path)?;
        }
        Ok(())
    }

    /// The journal's path.
    #[cfg(test)]
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_decode_round_trip() {
        let i = Intent {
            start: 10,
            end: 300,
            froms: vec![10, 120, 200],
        };
        assert_eq!(Intent::decode(i.encode().as_bytes()), Some(i.clone()));
        // Torn, garbled or impossible journals record nothing.
        let text = i.encode();
        for bad in [
            &text.as_bytes()[..text.len() - 1],
            b"",
            b"P 10 5 7\n",
            b"P 10 300 120,10\n",
            b"P 10 300 400\n",
            b"X 1 2 1\n",
        ] {
            assert_eq!(Intent::decode(bad), None, "{bad:?}");
        }
    }

    /// (file length, separators at or after start, expected cut)
    type Case<'a> = (u64, &'a [u64], Option<Range<u64>>);

    #[test]
    fn torn_range_table() {
        let i = Intent {
            start: 100,
            end: 400,
            froms: vec![100, 250],
        };
        let table: &[Case] = &[
            (100, &[], None),
            (90, &[], None),
            (180, &[100], Some(100..180)),
            (400, &[100, 250], Some(100..400)),
            // Another program appended after the crash: its message is kept.
            (500, &[100, 250, 400], Some(100..400)),
            (260, &[100, 180], Some(100..180)),
            (300, &[100, 250, 280], Some(100..280)),
            // A copy of one of ours (our `From ` line) appended after a torn write.
            (350, &[100, 130], Some(100..130)),
        ];
        for (len, seps, want) in table {
            assert_eq!(i.torn_range(*len, seps), *want, "len {len} seps {seps:?}");
        }
    }

    #[test]
    fn record_read_clear() {
        let dir = tempfile::tempdir().expect("tempdir");
        let j = Journal::new(dir.path().join("x.journal"));
        assert_eq!(j.read().expect("read"), None);
        j.clear(true).expect("clear of a missing journal");
        let i = Intent {
            start: 0,
            end: 50,
            froms: vec![0],
        };
        j.record(&i).expect("record");
        assert_eq!(j.read().expect("read"), Some(i));
        let shorter = Intent {
            start: 5,
            end: 6,
            froms: vec![5],
        };
        j.record(&shorter).expect("record over a longer one");
        assert_eq!(j.read().expect("read"), Some(shorter));
        assert!(j.pending());
        j.clear(false).expect("clear");
        assert!(!j.pending());
        assert_eq!(j.read().expect("read"), None);
        assert_eq!(std::fs::metadata(j.path()).expect("stat").len(), 0);
    }
}
