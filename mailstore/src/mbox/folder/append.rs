//! Appending to an mbox: group commit of queued appends, each batch journalled before a byte
//! is written (see the journal module), written, fsynced, read back and indexed.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use super::super::format::{Quoter, from_line, needs_quoting};
use super::super::journal::Intent;
use super::super::scan::{Loc, Scanned, scan};
use super::{CHUNK, Mbox, Pending, stamp_of};
use crate::error::{IoContext, Result, StoreError};
use crate::index::{Entry, Record, epoch_secs};
use crate::size::Rfc822Size;
use crate::types::AppendOptions;

impl Mbox {
    /// Appends a spooled message: journal record (fsynced), separator line, quoted body, blank
    /// line; fsync; then the index record (fsynced); only then is the UID returned. Appends
    /// queued meanwhile by other threads of this process are written under the same lock with
    /// one journal fsync, one data fsync and one index fsync (group commit).
    pub fn append(&self, spool: &Path, opts: &AppendOptions, size: u64) -> Result<u32> {
        let slot = Arc::new(Mutex::new(None));
        self.queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Pending {
                spool: spool.to_path_buf(),
                size,
                flags: opts.flags.clone(),
                idate: epoch_secs(opts.internal_date.unwrap_or_else(SystemTime::now)),
                slot: slot.clone(),
            });
        let _commit = self.commit.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(done) = slot.lock().unwrap_or_else(|p| p.into_inner()).take() {
            return done;
        }
        let batch = std::mem::take(&mut *self.queue.lock().unwrap_or_else(|p| p.into_inner()));
        let results = self.commit_batch(&batch);
        for (p, r) in batch.iter().zip(results) {
            *p.slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
        }
        self.notify.notify_waiters();
        let mine = slot.lock().unwrap_or_else(|p| p.into_inner()).take();
        mine.unwrap_or_else(|| {
            Err(StoreError::io(
                &self.path,
                std::io::Error::other("lost append"),
            ))
        })
    }

    /// Streams the stored form of a spooled message (separator line, quoted body, final line
    /// feed if missing, blank line) into `sink`; returns whether a final line feed was added.
    fn stored_form(&self, p: &Pending, mut sink: impl FnMut(&[u8]) -> Result<()>) -> Result<bool> {
        let mut src = File::open(&p.spool).at(&p.spool)?;
        sink(from_line(p.idate).as_bytes())?;
        let mut quoter = Quoter::new(false);
        let mut last = b'\n';
        let mut buf = vec![0u8; CHUNK];
        let mut out = Vec::with_capacity(CHUNK + 64);
        loop {
            let n = src.read(&mut buf).at(&p.spool)?;
            let Some(chunk) = buf.get(..n).filter(|c| !c.is_empty()) else {
                break;
            };
            last = chunk[n - 1];
            out.clear();
            quoter.feed(chunk, &mut out);
            sink(&out)?;
        }
        out.clear();
        quoter.finish(&mut out);
        let added = last != b'\n';
        if added {
            out.push(b'\n');
        }
        out.push(b'\n');
        sink(&out)?;
        Ok(added)
    }

    /// The length [`Mbox::stored_form`] will write for a spooled message, counted line by line
    /// (one `>` more per line matching `>*From `), and the message's `RFC822.SIZE` (its size
    /// with CRLF line ends), counted over the same lines.
    fn stored_len(&self, p: &Pending) -> Result<(u64, u64)> {
        let src = File::open(&p.spool).at(&p.spool)?;
        let mut reader = BufReader::with_capacity(CHUNK, src);
        let mut line = Vec::new();
        let mut len = from_line(p.idate).len() as u64 + 1;
        let mut crlf = Rfc822Size::default();
        let mut last = b'\n';
        loop {
            line.clear();
            let n = reader.read_until(b'\n', &mut line).at(&p.spool)?;
            if n == 0 {
                break;
            }
            len += n as u64 + u64::from(needs_quoting(&line));
            crlf.feed(&line);
            last = line[n - 1];
        }
        Ok((len + u64::from(last != b'\n'), crlf.total()))
    }

    /// Appends a batch under the locks: journal the planned region (fsync), write, fsync,
    /// read back, index records (fsync), then empty the journal.
    fn commit_batch(&self, batch: &[Pending]) -> Vec<Result<u32>> {
        let copy =
            |e: &StoreError| StoreError::io(&self.path, std::io::Error::other(e.to_string()));
        let fail_all = |e: &StoreError| batch.iter().map(|_| Err(copy(e))).collect::<Vec<_>>();
        let mut guard = match self.lock() {
            Ok(g) => g,
            Err(e) => return fail_all(&e),
        };
        let (file, log, index) = guard.parts();
        let first = match file.metadata().at(&self.path) {
            Ok(m) => m.len(),
            Err(e) => return fail_all(&e),
        };
        // Another program's last message may lack its final line feed: ours starts a line.
        let mut last = [0u8];
        let lead =
            first > 0 && file.read_exact_at(&mut last, first - 1).is_ok() && last[0] != b'\n';
        // The plan: where each message will lie (its stored length is counted before writing)
        // and its `RFC822.SIZE`.
        let mut plan: Vec<Result<(u64, u64)>> = Vec::with_capacity(batch.len());
        let mut dates = Vec::with_capacity(batch.len());
        let mut pos = first + u64::from(lead);
        for p in batch {
            match self.stored_len(p) {
                Ok((len, rfc822_size)) => {
                    plan.push(Ok((pos, rfc822_size)));
                    dates.push(p.idate);
                    pos += len;
                }
                Err(e) => plan.push(Err(e)),
            }
        }
        let froms: Vec<u64> = plan
            .iter()
            .filter_map(|r| r.as_ref().ok().map(|&(from, _)| from))
            .collect();
        if froms.is_empty() {
            return plan.into_iter().map(|r| r.map(|_| 0)).collect();
        }
        let intent = Intent {
            start: first,
            end: pos,
            froms,
            dates,
        };
        if let Err(e) = self.journal.record(&intent) {
            return fail_all(&e);
        }
        let write = || -> Result<(Vec<bool>, Vec<Scanned>)> {
            if lead {
                file.write_all_at(b"\n", first).at(&self.path)?;
            }
            let mut added = Vec::new();
            for (p, planned) in batch.iter().zip(&plan) {
                let Ok((start, _)) = planned else { continue };
                let mut at = *start;
                added.push(self.stored_form(p, |b| {
                    file.write_all_at(b, at).at(&self.path)?;
                    at += b.len() as u64;
                    Ok(())
                })?);
            }
            file.sync_data().at(&self.path)?;
            // Read back what was written: locations and content keys come from the same scan
            // that will find the messages again after another program rewrites the file.
            // Each must read back as the spooled message: its length and its `RFC822.SIZE`.
            let found = scan(file, first).at(&self.path)?;
            let sizes = batch.iter().zip(&plan).filter_map(|(p, r)| {
                r.as_ref()
                    .ok()
                    .map(|&(from, rfc822)| (from, p.size, rfc822))
            });
            let matches = found.len() == intent.froms.len()
                && file.metadata().at(&self.path)?.len() == intent.end
                && found
                    .iter()
                    .zip(sizes.zip(&added))
                    .all(|(f, ((start, size, rfc822), a))| {
                        f.loc.from == start && f.len - u64::from(*a) == size && f.size(*a) == rfc822
                    });
            if !matches {
                return Err(StoreError::Corrupt {
                    what: "mbox",
                    path: self.path.clone(),
                    detail: format!("messages appended at byte {first} do not read back"),
                });
            }
            Ok((added, found))
        };
        let (added, found) = match write() {
            Ok(a) => a,
            Err(e) => {
                // Undo; the journal stays until the undo is on disk (then recovery is a no-op).
                if file.set_len(first).and_then(|_| file.sync_data()).is_ok() {
                    let _ = self.journal.clear(true);
                }
                return fail_all(&e);
            }
        };
        let modseq = index.highest_modseq + 1;
        let mut uid = index.uid_next;
        let mut records = Vec::new();
        let mut results = Vec::with_capacity(batch.len());
        let mut written = found.into_iter().zip(added);
        for (p, planned) in batch.iter().zip(plan) {
            let _ = std::fs::remove_file(&p.spool);
            let rfc822_size = match planned {
                Ok((_, rfc822_size)) => rfc822_size,
                Err(e) => {
                    results.push(Err(e));
                    continue;
                }
            };
            let Some((f, added)) = written.next() else {
                results.push(Err(StoreError::Corrupt {
                    what: "mbox",
                    path: self.path.clone(),
                    detail: "appended message missing on read-back".into(),
                }));
                continue;
            };
            records.push(Record::Add(Entry {
                uid,
                modseq,
                size: rfc822_size,
                idate: p.idate,
                loc: Loc { added, ..f.loc }.format(),
                flags: p.flags.clone(),
            }));
            results.push(Ok(uid));
            uid += 1;
        }
        let stamp = stamp_of(file, &self.path).map(Record::Stamp);
        let committed = stamp.and_then(|st| {
            records.push(st);
            log.append(index, records, true)
        });
        match committed {
            Ok(()) => {
                // Not synced: a journal naming a completed append is recognised as such.
                let _ = self.journal.clear(false);
                results
            }
            // Not acknowledged: the next writer cuts the journalled region.
            Err(e) => fail_all(&e),
        }
    }
}
