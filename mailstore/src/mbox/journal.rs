//! The append journal: before an append writes a byte into the mbox, it records where its
//! messages will lie (fsynced); recovery cuts exactly that region when the append did not
//! complete, and nothing else. The journal is a one-line file beside the mailbox's index
//! (`<index>.journal`):
//!
//! ```text
//! P <start> <end> <from>:<date>[,<from>:<date> ...] LF
//! ```
//!
//! `start` is the file's length when the append began (the index's stamp length), `end` the
//! length it will have when every message is written, each `from` the offset of one message's
//! `From ` line and `date` the time on it (seconds): a separator at a planned offset is ours
//! only if it is exactly the planned line. An append is complete when the index holds an entry whose `From `
//! line is at `from` (its record is fsynced before the UID is returned); the journal is then
//! emptied (without an fsync: a journal that names a completed append is recognised as such).
//!
//! This replaces guessing by the separator sender: a message another program copied from one of
//! our mboxes keeps our `From ` line (mutt does), and must never be taken for a torn append.

use std::fs::OpenOptions;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;

use super::format::from_line;
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
    /// The date on each of those lines (seconds since the epoch).
    pub dates: Vec<u64>,
}

impl Intent {
    pub(crate) fn encode(&self) -> String {
        let froms: Vec<String> = self
            .froms
            .iter()
            .zip(&self.dates)
            .map(|(f, d)| format!("{f}:{d}"))
            .collect();
        format!("P {} {} {}\n", self.start, self.end, froms.join(","))
    }

    pub(crate) fn decode(text: &[u8]) -> Option<Intent> {
        let line = std::str::from_utf8(text).ok()?.strip_suffix('\n')?;
        let mut t = line.split(' ');
        if t.next()? != "P" {
            return None;
        }
        let start = t.next()?.parse().ok()?;
        let end = t.next()?.parse().ok()?;
        let (froms, dates): (Vec<u64>, Vec<u64>) = t
            .next()?
            .split(',')
            .map(|f| {
                let (at, date) = f.split_once(':')?;
                Some((at.parse().ok()?, date.parse().ok()?))
            })
            .collect::<Option<Vec<(u64, u64)>>>()?
            .into_iter()
            .unzip();
        let sane = t.next().is_none()
            && start <= end
            && froms.windows(2).all(|w| w[0] < w[1])
            && froms.iter().all(|f| (start..end).contains(f));
        sane.then_some(Intent {
            start,
            end,
            froms,
            dates,
        })
    }

    /// The separator line this append planned at `at`, if any.
    pub fn planned_line(&self, at: u64) -> Option<String> {
        let i = self.froms.iter().position(|&f| f == at)?;
        Some(from_line(*self.dates.get(i)?))
    }

    /// The bytes to cut from a file of length `len` when the first message from `start` on
    /// that this append did not write begins at `foreign` (another program appended it after
    /// the crash): from `start` up to the first of the planned end, the end of the file, or
    /// `foreign`. `None` when nothing of the append is in the file.
    pub fn torn_range(&self, len: u64, foreign: Option<u64>) -> Option<Range<u64>> {
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
            dates: vec![0, 1_795_381_392, 7],
        };
        assert_eq!(Intent::decode(i.encode().as_bytes()), Some(i.clone()));
        // Torn, garbled or impossible journals record nothing.
        let text = i.encode();
        for bad in [
            &text.as_bytes()[..text.len() - 1],
            b"",
            b"P 10 5 7:0\n",
            b"P 10 300 120:0,10:0\n",
            b"P 10 300 400:0\n",
            b"P 10 300 120\n",
            b"X 1 2 1:0\n",
        ] {
            assert_eq!(Intent::decode(bad), None, "{bad:?}");
        }
    }

    /// (file length, first message not of this append, expected cut)
    type Case = (u64, Option<u64>, Option<Range<u64>>);

    #[test]
    fn torn_range_table() {
        let i = Intent {
            start: 100,
            end: 400,
            froms: vec![100, 250],
            dates: vec![0, 60],
        };
        assert_eq!(
            i.planned_line(250).as_deref(),
            Some("From mailstore@localhost Thu Jan  1 00:01:00 1970\n")
        );
        assert_eq!(i.planned_line(251), None);
        let table: &[Case] = &[
            (100, None, None),
            (90, None, None),
            (180, None, Some(100..180)),
            (400, None, Some(100..400)),
            // Another program appended after the crash: its message is kept.
            (500, Some(400), Some(100..400)),
            (260, Some(180), Some(100..180)),
            (300, Some(280), Some(100..280)),
            // Appended where this append would have begun: nothing of ours to cut.
            (150, Some(100), None),
        ];
        for (len, foreign, want) in table {
            assert_eq!(
                i.torn_range(*len, *foreign),
                *want,
                "len {len} foreign {foreign:?}"
            );
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
            dates: vec![5],
        };
        j.record(&i).expect("record");
        assert_eq!(j.read().expect("read"), Some(i));
        let shorter = Intent {
            start: 5,
            end: 6,
            froms: vec![5],
            dates: vec![0],
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
