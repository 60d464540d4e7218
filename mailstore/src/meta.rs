//! Per-account metadata shared by both backends: subscriptions and special-use attributes,
//! kept in one small text file (`sub <name>` / `use <name> <\Attr>` lines) replaced atomically
//! under a lock file.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;

use crate::error::{IoContext, Result};
use crate::index::{escape, unescape};
use crate::types::SpecialUse;

/// The parsed metadata file.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct MetaData {
    pub subscribed: BTreeSet<String>,
    pub special_use: BTreeMap<String, SpecialUse>,
}

/// Access to an account's metadata file.
#[derive(Debug, Clone)]
pub(crate) struct Meta {
    path: PathBuf,
    lock: PathBuf,
}

impl Meta {
    /// Metadata stored in `dir`.
    pub fn new(dir: &std::path::Path) -> Meta {
        Meta {
            path: dir.join("mailstore-meta"),
            lock: dir.join("mailstore-meta.lock"),
        }
    }

    /// Reads the file (empty data if absent; unreadable lines are skipped).
    pub fn read(&self) -> Result<MetaData> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(crate::StoreError::io(&self.path, e)),
        };
        let mut data = MetaData::default();
        for line in text.lines() {
            let mut t = line.split(' ');
            match (t.next(), t.next().and_then(unescape), t.next()) {
                (Some("sub"), Some(name), None) => {
                    data.subscribed.insert(name);
                }
                (Some("use"), Some(name), Some(attr)) => {
                    if let Some(u) = SpecialUse::parse(attr) {
                        data.special_use.insert(name, u);
                    }
                }
                _ => {}
            }
        }
        Ok(data)
    }

    /// Changes the metadata with `f` under the lock.
    pub fn update(&self, f: impl FnOnce(&mut MetaData)) -> Result<()> {
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&self.lock)
            .at(&self.lock)?;
        lock.lock().at(&self.lock)?;
        let mut data = self.read()?;
        f(&mut data);
        let mut text = String::new();
        for name in &data.subscribed {
            text.push_str(&format!("sub {}\n", escape(name)));
        }
        for (name, u) in &data.special_use {
            text.push_str(&format!("use {} {}\n", escape(name), u.as_imap()));
        }
        let tmp = self.path.with_extension("tmp");
        let mut f = File::create(&tmp).at(&tmp)?;
        f.write_all(text.as_bytes()).at(&tmp)?;
        f.sync_all().at(&tmp)?;
        std::fs::rename(&tmp, &self.path).at(&self.path)?;
        Ok(())
    }

    /// Moves the metadata of `from` and of its children (`from` + `sep` + ...) to `to`.
    pub fn rename(&self, from: &str, to: &str, sep: char) -> Result<()> {
        let map = |name: &str| -> Option<String> {
            if name == from {
                Some(to.to_string())
            } else {
                name.strip_prefix(&format!("{from}{sep}"))
                    .map(|rest| format!("{to}{sep}{rest}"))
            }
        };
        self.update(|d| {
            d.subscribed = d
                .subscribed
                .iter()
                .map(|n| map(n).unwrap_or_else(|| n.clone()))
                .collect();
            d.special_use = d
                .special_use
                .iter()
                .map(|(n, u)| (map(n).unwrap_or_else(|| n.clone()), *u))
                .collect();
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_and_rename() {
        let dir = tempfile::tempdir().unwrap();
        let meta = Meta::new(dir.path());
        meta.update(|d| {
            d.subscribed.insert("A b".into());
            d.subscribed.insert("A b.c".into());
            d.special_use.insert("A b.c".into(), SpecialUse::Sent);
        })
        .unwrap();
        meta.rename("A b", "Z", '.').unwrap();
        let d = meta.read().unwrap();
        assert_eq!(d.subscribed.iter().collect::<Vec<_>>(), vec!["Z", "Z.c"]);
        assert_eq!(d.special_use.get("Z.c"), Some(&SpecialUse::Sent));
    }
}
