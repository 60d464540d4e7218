//! A hostile client for the servers' tests: it pipelines one command over and over and never
//! reads the replies, until the server's writes back up and the connection stalls.

use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// Most bytes a jam writes before giving up on a stall (the server would be reading forever).
const MAX_BYTES: usize = 256 << 20;

/// How a jam ended.
#[derive(Debug)]
pub struct Jam {
    /// Bytes the client managed to write.
    pub written: usize,
    /// When the last write that made progress finished.
    pub last_progress: Instant,
    /// The write error that ended it (the server dropped the connection), or `None` if the
    /// jam stopped on `stall` or [`MAX_BYTES`] first.
    pub error: Option<std::io::Error>,
}

/// Writes `command` (e.g. `b"NOOP\r\n"`) repeatedly into `stream` without reading, in 64 KiB
/// batches, until a write fails (the server dropped the connection), a batch makes no progress
/// for `stall` (the connection is jammed: the server no longer reads), or 256 MiB are written.
///
/// Call it with a short `stall` to jam a connection and keep it open; with a long one to wait
/// for the server to drop it.
pub async fn jam(stream: &mut TcpStream, command: &[u8], stall: Duration) -> Jam {
    let batch: Vec<u8> = command
        .iter()
        .copied()
        .cycle()
        .take((64 * 1024 / command.len().max(1)) * command.len())
        .collect();
    let mut jam = Jam {
        written: 0,
        last_progress: Instant::now(),
        error: None,
    };
    while jam.written < MAX_BYTES {
        match tokio::time::timeout(stall, stream.write_all(&batch)).await {
            Err(_) => return jam,
            Ok(Err(error)) => {
                jam.error = Some(error);
                return jam;
            }
            Ok(Ok(())) => {
                jam.written += batch.len();
                jam.last_progress = Instant::now();
            }
        }
    }
    jam
}
