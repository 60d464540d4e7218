//! The one-binary mail server: SMTP in (local delivery into Maildir), POP3 and IMAP out.
//!
//! ```text
//!                                                                      ┌▶ pop3_proto::server ──▶ MUA
//! MUA/MTA ──SMTP──▶ smtp_proto::server + LocalDelivery ──▶ mailstore (Maildir)
//!                                                                      └▶ imap_proto::server ──▶ MUA
//! ```
//! [`Config::default`] is the built-in configuration: loopback only, SMTP on 127.0.0.1:2525, POP3
//! on 127.0.0.1:1110, IMAP on 127.0.0.1:1143, domain `localhost`, users `alice`/`alice` and
//! `bob`/`bob`, mail under `./mail-data`. Plaintext logins are allowed because it listens on
//! loopback only. POP3 and IMAP serve the same Maildir: a message's POP3 `UIDL` is its IMAP
//! `<UIDVALIDITY>.<UID>`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use mailstore::maildir::MaildirStore;
use mailstore::{AppendOptions, MailStore, MessageSource};
use smtp_proto::server::{
    ConnectionInfo, DataEnd, Decision, EnhancedStatusCode, ForwardPath, Handler, Limits, MailFrom,
    Rcpt, Reply, ReplyCode, Server, Session,
};
use smtp_proto::session::server::ServerConfig as SmtpConfig;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

/// What the server runs with.
#[derive(Debug, Clone)]
pub struct Config {
    /// The host name in greetings.
    pub hostname: String,
    /// The domain whose mail is delivered locally (`user@domain`).
    pub domain: String,
    /// Where SMTP listens.
    pub smtp: SocketAddr,
    /// Where POP3 listens.
    pub pop3: SocketAddr,
    /// Where IMAP listens.
    pub imap: SocketAddr,
    /// The Maildir root (`DIR/<user>/`) and the spool for messages being received.
    pub data_dir: PathBuf,
    /// Users: name and password.
    pub users: Vec<(String, String)>,
    /// Connection limits and shutdown deadlines of the three servers.
    pub limits: Limits,
}

impl Default for Config {
    /// Loopback only: SMTP 127.0.0.1:2525, POP3 127.0.0.1:1110, IMAP 127.0.0.1:1143, domain
    /// `localhost`, users
    /// alice/alice and bob/bob, data in `./mail-data`, the default [`Limits`] (1000
    /// connections, 50 per address; shutdown: 10 s of grace, sessions aborted 5 s later).
    fn default() -> Self {
        Self {
            hostname: "localhost".into(),
            domain: "localhost".into(),
            smtp: SocketAddr::from(([127, 0, 0, 1], 2525)),
            pop3: SocketAddr::from(([127, 0, 0, 1], 1110)),
            imap: SocketAddr::from(([127, 0, 0, 1], 1143)),
            data_dir: PathBuf::from("mail-data"),
            users: vec![
                ("alice".into(), "alice".into()),
                ("bob".into(), "bob".into()),
            ],
            limits: Limits::default(),
        }
    }
}

/// The running server's addresses (useful when the config asked for port 0).
#[derive(Debug, Clone, Copy)]
pub struct Bound {
    /// SMTP's address.
    pub smtp: SocketAddr,
    /// POP3's address.
    pub pop3: SocketAddr,
    /// IMAP's address.
    pub imap: SocketAddr,
}

/// Binds the three listeners, then serves until `shutdown` resolves. `on_bound` is told the
/// addresses once listening.
pub async fn run(
    config: Config,
    on_bound: impl FnOnce(Bound),
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let store = Arc::new(MaildirStore::new(config.data_dir.join("maildir")));
    let spool = config.data_dir.join("spool");
    tokio::fs::create_dir_all(&spool).await?;
    let users = sasl::MemoryStore::new();
    for (name, password) in &config.users {
        users.add_user(name, password);
    }
    let users = Arc::new(users);

    let smtp_listener = TcpListener::bind(config.smtp).await?;
    let pop3_listener = TcpListener::bind(config.pop3).await?;
    let imap_listener = TcpListener::bind(config.imap).await?;
    on_bound(Bound {
        smtp: smtp_listener.local_addr()?,
        pop3: pop3_listener.local_addr()?,
        imap: imap_listener.local_addr()?,
    });

    let delivery = Arc::new(LocalDelivery(Arc::new(Shared {
        store: store.clone(),
        domain: config.domain.clone(),
        users: config.users.iter().map(|(u, _)| u.clone()).collect(),
        spool,
        next: AtomicU64::new(0),
    })));
    let smtp = Server::new(SmtpConfig::new(config.hostname.clone())).limits(config.limits);
    let mut pop3_config = pop3_proto::session::ServerConfig::new(config.hostname.clone());
    pop3_config.auth.allow_plaintext = true; // loopback only
    pop3_config.implementation = Some("mail-crates example".into());
    let pop3 = pop3_proto::server::Server::new(pop3_config).limits(config.limits);
    let mut imap_config = imap_proto::server::session::ServerConfig::new(config.hostname.clone());
    imap_config.auth.allow_plaintext = true; // loopback only
    let imap = imap_proto::server::Server::new(imap_config).limits(config.limits);

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_tx.send(true);
    });
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let smtp_task = smtp.serve(smtp_listener, delivery, stopped(stop_rx.clone()));
    let pop3_task = pop3.serve(
        pop3_listener,
        store.clone(),
        users.clone(),
        stopped(stop_rx.clone()),
    );
    let imap_task = imap.serve(imap_listener, store, users, stopped(stop_rx));
    let (a, b, c) = tokio::join!(smtp_task, pop3_task, imap_task);
    a.and(b).and(c)
}

/// Local delivery: accepts mail for `user@domain` of known users and appends it to their INBOX
/// (fsynced by the Maildir backend) before answering 250.
struct LocalDelivery(Arc<Shared>);

/// What all SMTP connections share.
struct Shared {
    store: Arc<MaildirStore>,
    domain: String,
    users: Vec<String>,
    spool: PathBuf,
    next: AtomicU64,
}

/// One SMTP connection's transaction.
struct Transaction {
    delivery: Arc<Shared>,
    from: String,
    recipients: Vec<String>,
    /// The body as it streams in, spooled to disk (never held whole in memory).
    spool: Option<(PathBuf, tokio::fs::File)>,
}

#[async_trait::async_trait]
impl Handler for LocalDelivery {
    type Session = Transaction;

    async fn connect(&self, _info: &ConnectionInfo) -> Result<Transaction, Reply<'static>> {
        Ok(Transaction {
            delivery: self.0.clone(),
            from: String::new(),
            recipients: Vec::new(),
            spool: None,
        })
    }
}

impl Transaction {
    async fn discard_spool(&mut self) {
        if let Some((path, _)) = self.spool.take() {
            let _ = tokio::fs::remove_file(path).await;
        }
    }
}

#[async_trait::async_trait]
impl Session for Transaction {
    async fn mail(&mut self, from: &MailFrom<'_>) -> Result<(), Reply<'static>> {
        self.from = from.path.to_string();
        self.recipients.clear();
        Ok(())
    }

    async fn rcpt(&mut self, to: &Rcpt<'_>) -> Result<(), Reply<'static>> {
        let ForwardPath::Mailbox(mailbox) = &to.path else {
            return Err(reply(550, (5, 1, 1), "no postmaster here"));
        };
        let user = mailbox.local_part.to_string().to_ascii_lowercase();
        let domain_ok = mailbox
            .host
            .to_string()
            .eq_ignore_ascii_case(&self.delivery.domain);
        if !domain_ok {
            return Err(reply(550, (5, 7, 1), "relaying denied"));
        }
        if !self.delivery.users.contains(&user) {
            return Err(reply(550, (5, 1, 1), "no such user here"));
        }
        self.recipients.push(user);
        Ok(())
    }

    async fn data_start(&mut self) -> Result<(), Reply<'static>> {
        self.discard_spool().await;
        let n = self.delivery.next.fetch_add(1, Ordering::Relaxed);
        let path = self
            .delivery
            .spool
            .join(format!("{}.{n}.msg", std::process::id()));
        let file = tokio::fs::File::create(&path)
            .await
            .map_err(|_| reply(451, (4, 3, 0), "cannot spool the message"))?;
        self.spool = Some((path, file));
        Ok(())
    }

    async fn data_chunk(&mut self, chunk: &[u8]) -> Result<(), Reply<'static>> {
        let Some((_, file)) = &mut self.spool else {
            return Err(reply(451, (4, 3, 0), "no spool"));
        };
        file.write_all(chunk)
            .await
            .map_err(|_| reply(451, (4, 3, 0), "cannot spool the message"))
    }

    async fn data_end(&mut self, _end: &DataEnd) -> Decision {
        let Some((path, mut file)) = self.spool.take() else {
            return Decision::Reject(reply(451, (4, 3, 0), "no spool"));
        };
        let _ = file.flush().await;
        drop(file);
        let mut failed = false;
        for user in std::mem::take(&mut self.recipients) {
            let header = format!("Return-Path: {}\r\n", self.from);
            let delivered = async {
                let body = tokio::fs::File::open(&path).await?;
                let source = std::io::Cursor::new(header.into_bytes()).chain(body);
                let account = self.delivery.store.account(&user).await?;
                account
                    .append(
                        "INBOX",
                        MessageSource::Reader(Box::new(source)),
                        AppendOptions::default(),
                    )
                    .await?;
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            }
            .await;
            if let Err(error) = delivered {
                tracing::warn!(%user, %error, "local delivery failed");
                failed = true;
            }
        }
        let _ = tokio::fs::remove_file(&path).await;
        if failed {
            Decision::Reject(reply(451, (4, 3, 0), "local delivery failed, try again"))
        } else {
            Decision::Accept
        }
    }

    async fn reset(&mut self) {
        self.recipients.clear();
        self.discard_spool().await;
    }

    async fn logout(&mut self) {
        self.discard_spool().await;
    }
}

/// A reply with an enhanced status code (RFC 3463); `code` is one of the constants used here.
fn reply(code: u16, (class, subject, detail): (u8, u16, u16), text: &str) -> Reply<'static> {
    let code = ReplyCode::new(code).unwrap_or(ReplyCode::LOCAL_ERROR);
    let enhanced = EnhancedStatusCode::new(class, subject, detail);
    Reply::new(code, Some(enhanced), text.to_owned())
}
