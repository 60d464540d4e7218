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

/// Waits up to `timeout` for the server to close `stream` (EOF or reset), discarding what it
/// sends; panics when it does not.
pub async fn closed(stream: &mut TcpStream, timeout: Duration) {
    use tokio::io::AsyncReadExt;
    let mut buf = vec![0u8; 64 * 1024];
    let wait = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    if tokio::time::timeout(timeout, wait).await.is_err() {
        panic!("the server did not close the connection within {timeout:?}");
    }
}

/// Jams `stream` with `command` until the connection stalls (no progress for 2 s, long enough
/// that a busy server has stopped reading, not merely fallen behind), and asserts the server
/// did not drop it meanwhile: a jammed connection, kept open.
pub async fn jammed(stream: &mut TcpStream, command: &[u8]) -> Jam {
    let jam = jam(stream, command, Duration::from_secs(2)).await;
    assert!(jam.error.is_none(), "dropped before the jam: {jam:?}");
    jam
}

/// Goes on jamming `stream` with `command` in a task (for at most 256 MiB or a 30 s stall), so
/// that a server still reading it keeps receiving commands; the task ends with the [`Jam`] when
/// the server drops the connection.
pub fn keep_jamming(mut stream: TcpStream, command: &'static [u8]) -> tokio::task::JoinHandle<Jam> {
    tokio::spawn(async move { jam(&mut stream, command, Duration::from_secs(30)).await })
}

/// Pipelines `command` into `stream` without reading, and asserts that the server drops the
/// connection (a write fails) after it has written at least 1 MiB, and at most
/// `write_timeout` + 3 s after the last write that made progress (the slack covers the socket
/// buffers filling in 64 KiB steps). Prints the figures, naming `who`.
pub async fn assert_dropped(
    who: &str,
    stream: &mut TcpStream,
    command: &[u8],
    write_timeout: Duration,
) -> Jam {
    let started = Instant::now();
    let jam = jam(stream, command, Duration::from_secs(15)).await;
    let took = started.elapsed();
    let since_progress = jam.last_progress.elapsed();
    println!(
        "{who}: {} MB written; dropped {took:?} after the first write, {since_progress:?} after \
         the last progress (write time-out {write_timeout:?})",
        jam.written >> 20
    );
    assert!(
        jam.error.is_some(),
        "the server never dropped the client: {jam:?}"
    );
    assert!(
        jam.written >= 1 << 20,
        "it wrote only {} bytes",
        jam.written
    );
    assert!(
        since_progress < write_timeout + Duration::from_secs(3),
        "dropped {since_progress:?} after the last progress"
    );
    jam
}

/// After a server's shutdown that took `took` with a jammed client (`jam`, then `jammer` still
/// pipelining, from [`jammed`] and [`keep_jamming`]): prints the figures, naming `who`, and
/// asserts the shutdown finished well within `grace` + the listener's abort deadline (the stop
/// flag ends the blocked write itself: `took < grace + 2 s`) and that the server dropped the
/// jammer's connection (within 30 s).
pub async fn assert_shutdown_cut(
    who: &str,
    took: Duration,
    grace: Duration,
    jam: &Jam,
    jammer: tokio::task::JoinHandle<Jam>,
) {
    println!(
        "{who}: shutdown with a jammed client ({} MB written) took {took:?}",
        jam.written >> 20
    );
    assert!(took < grace + Duration::from_secs(2), "{took:?}");
    let after = tokio::time::timeout(Duration::from_secs(30), jammer)
        .await
        .expect("the jammer to end within 30 s")
        .expect("jammer task");
    assert!(
        after.error.is_some(),
        "the connection stayed open: {after:?}"
    );
}
