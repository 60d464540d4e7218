//! Our server in a process of its own (this bench binary run again with `IMAP_BENCH_SERVE`
//! set), so that its memory is measured apart from the load client's, as Dovecot's is: the
//! crate's tokio driver on two worker threads (Dovecot here has 2 cores too), serving
//! `mailstore`'s Maildir backend, one plain listener and one implicit-TLS listener.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use imap_proto::server::session::ServerConfig;
use imap_proto::server::{Limits, Server};

/// The variable that makes this binary our server instead of the benchmark.
pub const SERVE_VAR: &str = "IMAP_BENCH_SERVE";

/// Our server, running; killed on drop.
pub struct Ours {
    child: Child,
    /// The plain listener.
    pub plain: SocketAddr,
    /// The implicit-TLS listener (RFC 8314).
    pub tls: SocketAddr,
}

impl Ours {
    /// Starts our server on `mail_root` (Maildirs `<root>/<user>`) for `users`, all with
    /// password `password`, with the PEM certificate and key for TLS.
    pub fn start(
        mail_root: &Path,
        users: &[String],
        password: &str,
        cert: &Path,
        key: &Path,
    ) -> Ours {
        let exe = std::env::current_exe().expect("the bench binary's path");
        let mut child = Command::new(exe)
            .env(SERVE_VAR, "1")
            .arg(mail_root)
            .arg(cert)
            .arg(key)
            .arg(password)
            .args(users)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start our server");
        let out = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(out)
            .read_line(&mut line)
            .expect("our server's address line");
        let mut words = line.split_whitespace();
        let (Some("LISTENING"), Some(plain), Some(tls)) =
            (words.next(), words.next(), words.next())
        else {
            panic!("our server did not start: {line:?}");
        };
        Ours {
            plain: plain.parse().expect("plain address"),
            tls: tls.parse().expect("TLS address"),
            child,
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Ours {
    fn drop(&mut self) {
        // Closing its standard input stops it; kill it if it lingers.
        drop(self.child.stdin.take());
        for _ in 0..50 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Our server's process (arguments: mail root, certificate, key, password, users): binds a
/// plain and an implicit-TLS listener on `127.0.0.1:0`, prints `LISTENING <plain> <tls>`, and
/// serves until its standard input closes. Limits are raised for thousands of connections of
/// one user from one address; everything else is the server's default.
pub fn serve_main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [root, cert, key, password, users @ ..] = &args[..] else {
        panic!("usage: {SERVE_VAR}=1 server ROOT CERT KEY PASSWORD USER...");
    };
    use rustls::pki_types::pem::PemObject;
    let certs =
        vec![rustls::pki_types::CertificateDer::from_pem_file(cert).expect("read the certificate")];
    let key = rustls::pki_types::PrivateKeyDer::from_pem_file(key).expect("read the key");
    let tls = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("TLS versions")
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .expect("certificate and key");
    let tls = Arc::new(tls);
    let credentials = sasl::MemoryStore::new().with_iterations(1);
    for u in users {
        credentials.add_user(u, password);
    }
    let credentials: Arc<dyn sasl::CredentialStore> = Arc::new(credentials);
    let store: Arc<dyn mailstore::MailStore> =
        Arc::new(mailstore::maildir::MaildirStore::new(root));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("server runtime");
    rt.block_on(async move {
        let mut config = ServerConfig::new("imap.bench.example");
        config.auth.allow_plaintext = true;
        let limits = Limits::default().with_connections(100_000, 100_000);
        let plain = Server::new(config.clone())
            .limits(limits)
            .max_per_user(100_000);
        let implicit = Server::new(config)
            .with_tls(tls)
            .implicit_tls(true)
            .limits(limits)
            .max_per_user(100_000);
        let l1 = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let l2 = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        println!(
            "LISTENING {} {}",
            l1.local_addr().expect("address"),
            l2.local_addr().expect("address")
        );
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        // Standard input closing (the bench ended or died) stops both listeners.
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
            let _ = stop_tx.send(true);
        });
        let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|v| *v).await;
        };
        let a = plain.serve(
            l1,
            store.clone(),
            credentials.clone(),
            stopped(stop_rx.clone()),
        );
        let b = implicit.serve(l2, store, credentials, stopped(stop_rx));
        let (a, b) = tokio::join!(a, b);
        a.expect("plain listener");
        b.expect("TLS listener");
    });
}
