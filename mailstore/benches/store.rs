//! Delivery throughput, server with server: the same messages delivered over LMTP (RFC 2033)
//! by the same client into
//! - **ours**: smtp-proto's tokio server in LMTP mode with a small handler ([`LmtpDelivery`])
//!   that streams each message into `mailstore` (each recipient's INBOX) before answering, and
//! - **Dovecot**: its LMTP server (`dovecot-lmtpd`) delivering into its own store,
//!
//! Maildir with Maildir, then mbox with mbox, with 1 and 16 concurrent LMTP sessions. Rounds
//! alternate the order (ours, Dovecot, Dovecot, ours, ...); before each run the previous run's
//! mail is deleted, `sync` runs and the disk settles for a moment. Each run delivers to a fresh
//! user, so neither side starts with an index or a mailbox of an earlier run.
//!
//! Durability, like for like (system calls per delivery, seen with `strace -f` on Dovecot 2.3.19):
//! - Maildir: ours writes the file in `tmp/`, fsyncs it, links it into `new/`, fsyncs the
//!   directory and appends the index record with an fsync (3 syncs, shared across concurrent
//!   deliveries by group commit). Dovecot with its default `mail_fsync = optimized`: fsync the
//!   file, rename into `new/`, fdatasync `new/` and `dovecot-uidlist` (3 syncs); `always` adds
//!   fdatasyncs of `dovecot.index.log` (twice) and `dovecot.index.cache` (6 in all).
//! - mbox: ours appends, fdatasyncs the mbox and then the index record (2 syncs, group commit).
//!   Dovecot `optimized`: one fdatasync of the mbox (its index is not synced); `always` adds
//!   the index cache and log (3 or more).
//!
//! Dovecot runs with `mail_fsync = optimized` (its default, the Maildir match) unless
//! `DOVECOT_MAIL_FSYNC` says otherwise. Both sides add `Return-Path:` and `Delivered-To:`
//! header fields (Dovecot also a `Received:` field).
//!
//! After each Maildir run the bench reports whether the delivered files' names carry `,S=` and
//! `,W=` (Dovecot's virtual size with CRLF line ends), for both sides.
//!
//! Settings (environment): `MAILSTORE_BENCH_MESSAGES` (default 2000 messages of 2-20 KB),
//! `MAILSTORE_BENCH_ROUNDS` (default 2 rounds per case), `MAILSTORE_BENCH_SESSIONS` (default
//! `1,16`), `MAILSTORE_BENCH_BACKENDS` (default `maildir,mbox`), `DOVECOT_MAIL_FSYNC`,
//! `DOVECOT_EXTRA` (more lines for Dovecot's configuration, e.g. `mbox_write_locks = fcntl`;
//! `\n` separates lines). A missing Dovecot LMTP server fails the bench (install
//! `dovecot-lmtpd`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use mailstore::maildir::MaildirStore;
use mailstore::mbox::MboxStore;
use mailstore::{Account, AppendOptions, MailStore, MessageSource};
use smtp_proto::client::{ConnectOptions, SmtpClient, Timeouts};
use smtp_proto::parse::address::parse_host;
use smtp_proto::server::{
    ConnectionInfo, DataEnd, Decision, EnhancedStatusCode, ForwardPath, Handler, MailFrom, Rcpt,
    Reply, ReplyCode, Server, Session,
};
use smtp_proto::session::client::{ClientConfig, Envelope, Protocol as ClientProtocol, TlsPolicy};
use smtp_proto::session::server::{Protocol, ServerConfig};
use testkit::bench::{mean, record};
use testkit::dovecot::{Dovecot, chown_dovecot, dovecot_lmtp_installed};
use tokio::io::{AsyncWriteExt, DuplexStream};
use tokio::task::JoinHandle;

/// Users the Dovecot instances know: one per run.
const USERS: usize = 64;

/// How long each run waits for the disk to settle after `sync`.
const SETTLE: Duration = Duration::from_millis(500);

/// The buffer between a session's body chunks and the store's append.
const PIPE: usize = 64 * 1024;

// ---------------------------------------------------------------------------------------------
// Our side: an LMTP server whose handler streams each message into mailstore.

/// LMTP local delivery into a `MailStore`: every recipient's local part is a user, the message
/// goes to their INBOX, one reply per recipient (RFC 2033 §4.2) once it is on disk.
struct LmtpDelivery(Arc<dyn MailStore>);

/// One LMTP connection's transaction.
struct Transaction {
    store: Arc<dyn MailStore>,
    from: String,
    /// Per recipient: the user (local part) and the address as given.
    users: Vec<(String, String)>,
    /// Per recipient: the pipe into its append, and the append (its UID once stored).
    deliveries: Vec<Delivery>,
}

/// One recipient's append under way.
struct Delivery {
    pipe: Option<DuplexStream>,
    append: JoinHandle<mailstore::Result<u32>>,
}

fn reply(code: u16, (class, subject, detail): (u8, u16, u16), text: &str) -> Reply<'static> {
    let code = ReplyCode::new(code).unwrap_or(ReplyCode::LOCAL_ERROR);
    Reply::new(
        code,
        Some(EnhancedStatusCode::new(class, subject, detail)),
        text.to_owned(),
    )
}

fn try_again() -> Reply<'static> {
    reply(451, (4, 3, 0), "local delivery failed, try again")
}

#[async_trait::async_trait]
impl Handler for LmtpDelivery {
    type Session = Transaction;

    async fn connect(&self, _info: &ConnectionInfo) -> Result<Transaction, Reply<'static>> {
        Ok(Transaction {
            store: self.0.clone(),
            from: String::new(),
            users: Vec::new(),
            deliveries: Vec::new(),
        })
    }
}

#[async_trait::async_trait]
impl Session for Transaction {
    async fn mail(&mut self, from: &MailFrom<'_>) -> Result<(), Reply<'static>> {
        self.from = from.path.to_string();
        self.users.clear();
        Ok(())
    }

    async fn rcpt(&mut self, to: &Rcpt<'_>) -> Result<(), Reply<'static>> {
        let ForwardPath::Mailbox(mailbox) = &to.path else {
            return Err(reply(550, (5, 1, 1), "no postmaster here"));
        };
        let user = mailbox.local_part.to_string().to_ascii_lowercase();
        self.users.push((user, mailbox.to_string()));
        Ok(())
    }

    async fn data_start(&mut self) -> Result<(), Reply<'static>> {
        self.deliveries.clear();
        for (user, address) in &self.users {
            let account: Arc<dyn Account> =
                self.store.account(user).await.map_err(|_| try_again())?;
            let (mut pipe, source) = tokio::io::duplex(PIPE);
            let append = tokio::spawn(async move {
                account
                    .append(
                        "INBOX",
                        MessageSource::Reader(Box::new(source)),
                        AppendOptions::default(),
                    )
                    .await
            });
            let header = format!("Return-Path: {}\r\nDelivered-To: {address}\r\n", self.from);
            // The append reads concurrently, so this cannot wait on a full pipe for long.
            let pipe = match pipe.write_all(header.as_bytes()).await {
                Ok(()) => Some(pipe),
                Err(_) => None,
            };
            self.deliveries.push(Delivery { pipe, append });
        }
        Ok(())
    }

    async fn data_chunk(&mut self, chunk: &[u8]) -> Result<(), Reply<'static>> {
        for d in &mut self.deliveries {
            if let Some(pipe) = &mut d.pipe
                && pipe.write_all(chunk).await.is_err()
            {
                // The append failed; its error is the answer at the end of data.
                d.pipe = None;
            }
        }
        Ok(())
    }

    async fn data_end(&mut self, end: &DataEnd) -> Decision {
        let all = self.data_end_per_recipient(end).await;
        if all.iter().all(|d| matches!(d, Decision::Accept)) {
            Decision::Accept
        } else {
            Decision::Reject(try_again())
        }
    }

    async fn data_end_per_recipient(&mut self, _end: &DataEnd) -> Vec<Decision> {
        let mut decisions = Vec::new();
        for mut d in std::mem::take(&mut self.deliveries) {
            let complete = match d.pipe.take() {
                Some(mut pipe) => pipe.shutdown().await.is_ok(),
                None => false,
            };
            let stored = matches!(d.append.await, Ok(Ok(_)));
            decisions.push(if complete && stored {
                Decision::Accept
            } else {
                Decision::Reject(try_again())
            });
        }
        decisions
    }

    async fn reset(&mut self) {
        for d in self.deliveries.drain(..) {
            d.append.abort();
        }
    }

    async fn logout(&mut self) {
        self.reset().await;
    }
}

/// Our LMTP server on `127.0.0.1:0`, serving until the returned sender is dropped.
fn start_ours(
    rt: &tokio::runtime::Runtime,
    store: Arc<dyn MailStore>,
) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let mut config = ServerConfig::new("lmtp.example.org");
    config.protocol = Protocol::Lmtp;
    let server = Server::new(config);
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    rt.spawn(async move {
        let shutdown = async move {
            let _ = stopped.await;
        };
        server
            .serve(listener, Arc::new(LmtpDelivery(store)), shutdown)
            .await
    });
    (addr, stop)
}

// ---------------------------------------------------------------------------------------------
// The client, the messages and the runs.

/// `n` messages of 2-20 KB (sizes spread evenly by a fixed pseudo-random sequence), CRLF lines.
fn messages(n: usize) -> Vec<Bytes> {
    let mut seed: u32 = 0x2545_f491;
    (0..n)
        .map(|i| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let size = 2048 + (seed as usize % (18 * 1024));
            let mut m = format!(
                "From: sender@example.org\r\nTo: rcpt@example.org\r\nSubject: bench {i}\r\n\
                 Message-ID: <{i}.bench@example.org>\r\nDate: Wed, 2 Dec 2026 04:00:00 +0000\r\n\r\n"
            )
            .into_bytes();
            while m.len() < size {
                m.extend_from_slice(
                    b"The quick brown fox jumps over the lazy dog, again and again, and again.\r\n",
                );
            }
            Bytes::from(m)
        })
        .collect()
}

/// Delivers `msgs` to `user@example.org` over `sessions` LMTP connections to `addr` (message
/// `i` on connection `i % sessions`); every message must be accepted. Returns the elapsed time.
fn deliver(
    client_rt: &tokio::runtime::Runtime,
    addr: SocketAddr,
    user: &str,
    msgs: &Arc<Vec<Bytes>>,
    sessions: usize,
) -> Duration {
    let rcpt = format!("{user}@example.org");
    client_rt.block_on(async {
        let start = Instant::now();
        let mut tasks = Vec::new();
        for s in 0..sessions {
            let msgs = msgs.clone();
            let rcpt = rcpt.clone();
            tasks.push(tokio::spawn(async move {
                let hello = parse_host(b"client.example.org")
                    .expect("host")
                    .into_owned();
                let mut config = ClientConfig::new(hello);
                config.protocol = ClientProtocol::Lmtp;
                config.tls = TlsPolicy::Never;
                let options = ConnectOptions {
                    timeouts: Timeouts::uniform(Duration::from_secs(60)),
                    ..ConnectOptions::default()
                };
                let mut client = SmtpClient::connect(addr, config, options)
                    .await
                    .expect("LMTP connect");
                for m in msgs.iter().skip(s).step_by(sessions) {
                    let envelope =
                        Envelope::parse("sender@example.org", &[rcpt.as_str()]).expect("addresses");
                    let outcome = client.send(envelope, &m[..]).await.expect("LMTP send");
                    assert!(outcome.all_accepted(), "refused: {outcome:?}");
                }
                client.quit().await.expect("QUIT");
            }));
        }
        for t in tasks {
            t.await.expect("client task");
        }
        start.elapsed()
    })
}

/// Deletes `path` (a previous run's mail), flushes the disk and waits for it to settle.
fn settle(paths: &[PathBuf]) {
    for p in paths {
        if p.exists() {
            std::fs::remove_dir_all(p).expect("remove the previous run's mail");
        }
    }
    let ok = std::process::Command::new("sync")
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "sync failed");
    std::thread::sleep(SETTLE);
}

/// All regular files under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// For a Maildir: how many message files `new/` + `cur/` hold, and how many carry `,S=` and
/// `,W=` in their names.
fn maildir_names(user_dir: &Path) -> (usize, usize, usize) {
    let names: Vec<String> = ["new", "cur"]
        .iter()
        .flat_map(|d| files(&user_dir.join(d)))
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    let s = names.iter().filter(|n| n.contains(",S=")).count();
    let w = names.iter().filter(|n| n.contains(",W=")).count();
    (names.len(), s, w)
}

/// An mbox file's message count (`From ` lines at the start of a line).
fn mbox_messages(file: &Path) -> usize {
    let data = std::fs::read(file).expect("read mbox");
    let mut n = usize::from(data.starts_with(b"From "));
    n += data.windows(6).filter(|w| w == b"\nFrom ").count();
    n
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Backend {
    Maildir,
    Mbox,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Maildir => "maildir",
            Backend::Mbox => "mbox",
        }
    }
}

/// One backend's pair of servers.
struct Pair {
    backend: Backend,
    ours_root: PathBuf,
    ours: SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
    dovecot: Dovecot,
    dovecot_root: PathBuf,
}

impl Pair {
    fn start(backend: Backend, dir: &Path, rt: &tokio::runtime::Runtime, extra: &str) -> Pair {
        let ours_root = dir.join("ours");
        let store: Arc<dyn MailStore> = match backend {
            Backend::Maildir => Arc::new(MaildirStore::new(&ours_root)),
            Backend::Mbox => Arc::new(MboxStore::new(&ours_root)),
        };
        let (ours, stop) = start_ours(rt, store);
        let dc_dir = dir.join("dovecot");
        std::fs::create_dir_all(&dc_dir).expect("mkdir");
        let users: Vec<String> = (0..USERS).map(|i| format!("u{i}")).collect();
        let pairs: Vec<(&str, &str)> = users.iter().map(|u| (u.as_str(), "secret")).collect();
        let d = dc_dir.display();
        let (dovecot_root, location) = match backend {
            Backend::Maildir => (dc_dir.join("mail"), String::new()),
            Backend::Mbox => (
                dc_dir.join("mbox"),
                format!("mail_location = mbox:{d}/mbox/%u:INBOX={d}/mbox/%u/inbox\n"),
            ),
        };
        std::fs::create_dir_all(&dovecot_root).expect("mkdir");
        chown_dovecot(&dovecot_root).expect("chown");
        let extra = format!("{location}{extra}");
        let dovecot = Dovecot::start_with_lmtp(&dc_dir, &pairs, &extra).expect("Dovecot starts");
        Pair {
            backend,
            ours_root,
            ours,
            _stop: stop,
            dovecot,
            dovecot_root,
        }
    }

    /// Runs one side once: settle, deliver to the fresh user `u{run}`, check what landed.
    fn run(
        &self,
        client_rt: &tokio::runtime::Runtime,
        dovecot_side: bool,
        run: usize,
        msgs: &Arc<Vec<Bytes>>,
        sessions: usize,
    ) {
        let user = format!("u{run}");
        let (root, addr, side) = if dovecot_side {
            let addr = self.dovecot.lmtp_addr().expect("LMTP listener");
            (&self.dovecot_root, addr, "dovecot")
        } else {
            (&self.ours_root, self.ours, "ours")
        };
        // Drop every earlier run's mail on both sides, then settle.
        let mut old = Vec::new();
        for r in [&self.ours_root, &self.dovecot_root] {
            for e in std::fs::read_dir(r).into_iter().flatten().flatten() {
                old.push(e.path());
            }
        }
        settle(&old);
        if dovecot_side {
            // Dovecot delivers as the `dovecot` user: its user directory must be its own.
            let home = root.join(&user);
            std::fs::create_dir_all(&home).expect("mkdir");
            chown_dovecot(&home).expect("chown");
        }
        let d = deliver(client_rt, addr, &user, msgs, sessions);
        let name = format!("{}/{side}/{sessions}", self.backend.name());
        record(&name, d, msgs.len() as u64);
        let user_dir = root.join(&user);
        match self.backend {
            Backend::Maildir => {
                let (n, s, w) = maildir_names(&user_dir);
                assert_eq!(n, msgs.len(), "{side}: every message is in the Maildir");
                eprintln!(
                    "  {name:<22} {:>8.0} msg/s   file names: {s}/{n} with ,S=  {w}/{n} with ,W={}",
                    msgs.len() as f64 / d.as_secs_f64(),
                    if w < n {
                        "  (not W= on every file)"
                    } else {
                        ""
                    }
                );
            }
            Backend::Mbox => {
                let inbox = if dovecot_side {
                    user_dir.join("inbox")
                } else {
                    mbox_inbox(&user_dir)
                };
                assert_eq!(
                    mbox_messages(&inbox),
                    msgs.len(),
                    "{side}: every message is in {}",
                    inbox.display()
                );
                eprintln!(
                    "  {name:<22} {:>8.0} msg/s",
                    msgs.len() as f64 / d.as_secs_f64()
                );
            }
        }
    }
}

/// Our mbox store's INBOX file in a user's directory: the largest file there (the side index
/// and locks are small).
fn mbox_inbox(user_dir: &Path) -> PathBuf {
    files(user_dir)
        .into_iter()
        .max_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .expect("our mbox INBOX")
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run only on the
    // former, build only on the latter.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    assert!(
        dovecot_lmtp_installed(),
        "this benchmark compares with Dovecot's LMTP server: apt-get install dovecot-lmtpd"
    );
    let n: usize = env_or("MAILSTORE_BENCH_MESSAGES", 2000);
    let rounds: usize = env_or("MAILSTORE_BENCH_ROUNDS", 2);
    let fsync: String = env_or("DOVECOT_MAIL_FSYNC", "optimized".to_string());
    let more = env_or("DOVECOT_EXTRA", String::new()).replace("\\n", "\n");
    let extra = format!("mail_fsync = {fsync}\n{more}\n");
    let sessions: Vec<usize> = env_or("MAILSTORE_BENCH_SESSIONS", "1,16".to_string())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let backends: Vec<Backend> = env_or("MAILSTORE_BENCH_BACKENDS", "maildir,mbox".to_string())
        .split(',')
        .filter_map(|s| match s.trim() {
            "maildir" => Some(Backend::Maildir),
            "mbox" => Some(Backend::Mbox),
            _ => None,
        })
        .collect();
    assert!(
        rounds * 2 * sessions.len() <= USERS,
        "at most {USERS} runs per backend"
    );
    let msgs = Arc::new(messages(n));
    let bytes: usize = msgs.iter().map(|m| m.len()).sum();
    eprintln!(
        "LMTP delivery, {n} messages ({} KB on average), {rounds} rounds, sessions {sessions:?}, \
         Dovecot mail_fsync = {fsync} {more}",
        bytes / n.max(1) / 1024
    );
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("server runtime");
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("client runtime");
    let tmp = tempfile::tempdir().expect("temp dir");
    for &backend in &backends {
        let dir = tmp.path().join(backend.name());
        let pair = Pair::start(backend, &dir, &server_rt, &extra);
        let mut run = 0;
        for &s in &sessions {
            for round in 0..rounds {
                // ours, Dovecot, Dovecot, ours, ...
                let order = if round % 2 == 0 {
                    [false, true]
                } else {
                    [true, false]
                };
                for dovecot_side in order {
                    pair.run(&client_rt, dovecot_side, run, &msgs, s);
                    run += 1;
                }
            }
        }
        let log = pair.dovecot.log();
        assert!(
            !log.contains("Error:") && !log.contains("Fatal:"),
            "Dovecot logged errors:\n{log}"
        );
    }
    summary(&backends, &sessions);
}

fn summary(backends: &[Backend], sessions: &[usize]) {
    eprintln!("\n== LMTP delivery: ours (smtp-proto + mailstore) vs Dovecot, same run ==");
    for b in backends {
        for s in sessions {
            let ours = mean(&format!("{}/ours/{s}", b.name()));
            let dc = mean(&format!("{}/dovecot/{s}", b.name()));
            if let (Some(a), Some(d)) = (ours, dc) {
                eprintln!(
                    "{:<8} {s:>2} session(s): ours {:>7.0} msg/s   dovecot {:>7.0} msg/s   ours/dovecot {:.2}x",
                    b.name(),
                    1.0 / a,
                    1.0 / d,
                    d / a
                );
            }
        }
    }
}
