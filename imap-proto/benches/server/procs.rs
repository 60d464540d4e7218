//! Server memory from `/proc`: the proportional set size (PSS, `smaps_rollup`) summed over a
//! process and all its descendants. PSS counts a page shared by k processes as 1/k in each, so
//! the sum over Dovecot's many processes is what they cost together (RSS would count the shared
//! libraries once per process); for our server, one process, PSS and RSS nearly agree.

use std::collections::HashMap;

/// The parent of every process, from `/proc/*/stat`.
fn parents() -> HashMap<u32, u32> {
    let mut map = HashMap::new();
    let Ok(rd) = std::fs::read_dir("/proc") else {
        return map;
    };
    for e in rd.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // `pid (comm) state ppid ...`: comm may hold spaces and parentheses.
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        if let Some(ppid) = rest
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse::<u32>().ok())
        {
            map.insert(pid, ppid);
        }
    }
    map
}

/// `root` and all its descendants.
pub fn tree(root: u32) -> Vec<u32> {
    let parents = parents();
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let p = out[i];
        out.extend(parents.iter().filter(|&(_, &pp)| pp == p).map(|(&c, _)| c));
        i += 1;
    }
    out
}

/// A process's PSS in KiB (0 when it is gone).
pub fn pss_kib(pid: u32) -> u64 {
    let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else {
        return 0;
    };
    text.lines()
        .find_map(|l| l.strip_prefix("Pss:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// PSS in KiB of `root` and its descendants, and how many processes that is.
pub fn tree_pss_kib(root: u32) -> (u64, usize) {
    let pids = tree(root);
    (pids.iter().map(|&p| pss_kib(p)).sum(), pids.len())
}
