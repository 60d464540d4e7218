//! The time each benchmark took, kept for a summary (with ratios against the peer) printed after
//! criterion's own report. Use it inside `iter_custom`: `record(name, elapsed, iters)`.

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

fn results() -> &'static Mutex<BTreeMap<String, (Duration, u64)>> {
    static R: OnceLock<Mutex<BTreeMap<String, (Duration, u64)>>> = OnceLock::new();
    R.get_or_init(|| Mutex::new(BTreeMap::new()))
}

/// Adds `iters` iterations taking `d` in all to benchmark `name`; returns `d` (for
/// `iter_custom`).
pub fn record(name: &str, d: Duration, iters: u64) -> Duration {
    let mut r = results().lock().unwrap_or_else(|p| p.into_inner());
    let e = r.entry(name.to_string()).or_insert((Duration::ZERO, 0));
    e.0 += d;
    e.1 += iters;
    d
}

/// Mean seconds per iteration of `name`, if it ran.
pub fn mean(name: &str) -> Option<f64> {
    let r = results().lock().unwrap_or_else(|p| p.into_inner());
    r.get(name)
        .filter(|(_, n)| *n > 0)
        .map(|(d, n)| d.as_secs_f64() / *n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_of_recorded_iterations() {
        assert_eq!(mean("testkit-bench-none"), None);
        record("testkit-bench-a", Duration::from_millis(30), 2);
        record("testkit-bench-a", Duration::from_millis(10), 2);
        let m = mean("testkit-bench-a").expect("recorded");
        assert!((m - 0.010).abs() < 1e-9, "{m}");
    }
}
