//! Test harness shared by the protocol crates' integration tests: free ports, self-signed
//! certificates, and real peers (Python scripts) run with a time-out and killed on drop.
//!
//! ```no_run
//! # async fn demo() {
//! let port = testkit::free_port();
//! let certs = testkit::TestCerts::generate();
//! let out = testkit::Python::script("import sys; print(sys.argv[1])")
//!     .arg(port.to_string())
//!     .run()
//!     .await;
//! out.assert_success();
//! # let _ = certs;
//! # }
//! ```

pub mod bench;
pub mod credentials;
pub mod dovecot;
pub mod jam;
pub mod maildir;
pub mod node;
pub mod peer;
pub mod redaction;
pub mod server;
pub mod strace;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::AsyncReadExt;

/// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it, release it).
/// Prefer binding `127.0.0.1:0` yourself when the server under test accepts a listener.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("binding 127.0.0.1:0 always works on a test machine")
}

/// A self-signed certificate for `localhost` and `127.0.0.1`, its key, and a PEM file of it that
/// clients can trust (Python's `cafile`, curl's `--cacert`).
pub struct TestCerts {
    cert: CertificateDer<'static>,
    key: Vec<u8>,
    cert_pem: String,
    dir: tempfile::TempDir,
}

impl std::fmt::Debug for TestCerts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestCerts")
            .field("ca_file", &self.ca_file())
            .finish_non_exhaustive()
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

impl TestCerts {
    /// Generates a fresh certificate (rcgen) and writes `cert.pem` into a temporary directory.
    pub fn generate() -> Self {
        let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
        let certified =
            rcgen::generate_simple_self_signed(names).expect("rcgen self-signed certificate");
        let cert_pem = certified.cert.pem();
        let dir = tempfile::tempdir().expect("temporary directory");
        std::fs::write(dir.path().join("cert.pem"), &cert_pem).expect("write cert.pem");
        std::fs::write(
            dir.path().join("key.pem"),
            certified.signing_key.serialize_pem(),
        )
        .expect("write key.pem");
        Self {
            cert: certified.cert.der().clone(),
            key: certified.signing_key.serialize_der(),
            cert_pem,
            dir,
        }
    }

    /// The certificate in PEM.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// Path of the certificate's PEM file: the CA file a client trusts.
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("cert.pem")
    }

    /// Path of the private key's PEM file (PKCS#8), for peers such as Dovecot or Postfix.
    pub fn key_file(&self) -> PathBuf {
        self.dir.path().join("key.pem")
    }

    /// A rustls server configuration presenting this certificate (ring provider).
    pub fn server_config(&self) -> Arc<rustls::ServerConfig> {
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.clone()));
        let config = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .expect("ring supports the default protocol versions")
            .with_no_client_auth()
            .with_single_cert(vec![self.cert.clone()], key)
            .expect("rcgen key matches its certificate");
        Arc::new(config)
    }

    /// A rustls client configuration that trusts this certificate only.
    pub fn client_config(&self) -> Arc<rustls::ClientConfig> {
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(self.cert.clone())
            .expect("a valid self-signed certificate");
        let config = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .expect("ring supports the default protocol versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        Arc::new(config)
    }
}

/// A Python 3 script to run as a test peer (`python3 -c SCRIPT ARGS...`).
#[derive(Debug, Clone)]
pub struct Python {
    script: String,
    args: Vec<String>,
    timeout: Duration,
    dir: Option<PathBuf>,
}

/// What a [`Python`] run produced.
#[derive(Debug, Clone)]
pub struct Output {
    /// Exit status; `None` when the time-out killed it.
    pub status: Option<ExitStatus>,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
}

impl From<Collected> for Output {
    fn from(run: Collected) -> Self {
        Output {
            status: run.status,
            stdout: String::from_utf8_lossy(&run.stdout).into_owned(),
            stderr: run.stderr,
        }
    }
}

impl Output {
    /// Whether the script ran to completion with exit status 0.
    pub fn success(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }

    /// Panics with the script's output unless it succeeded.
    #[track_caller]
    pub fn assert_success(&self) {
        assert!(
            self.success(),
            "python failed ({:?})\n--- stdout\n{}\n--- stderr\n{}",
            self.status,
            self.stdout,
            self.stderr
        );
    }
}

impl Python {
    /// A script given as source text; 30 second time-out.
    pub fn script(source: impl Into<String>) -> Self {
        Self {
            script: source.into(),
            args: Vec::new(),
            timeout: Duration::from_secs(30),
            dir: None,
        }
    }

    /// A script read from a file.
    pub fn file(path: impl AsRef<Path>) -> std::io::Result<Self> {
        Ok(Self::script(std::fs::read_to_string(path)?))
    }

    /// Appends an argument (`sys.argv[1]`, ...).
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Sets the time-out after which the process is killed.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Runs in this working directory.
    pub fn current_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }

    /// Runs the script; the process is killed at the time-out (and if this future is dropped).
    pub async fn run(&self) -> Output {
        let mut command = tokio::process::Command::new(peer::require("python3"));
        command.arg("-c").arg(&self.script).args(&self.args);
        if let Some(dir) = &self.dir {
            command.current_dir(dir);
        }
        run_command(command, self.timeout).await.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn python_runs_and_times_out() {
        let out = Python::script("import sys; print(sys.argv[1]); sys.exit(3)")
            .arg("hi")
            .run()
            .await;
        assert_eq!(out.stdout.trim(), "hi");
        assert_eq!(out.status.and_then(|s| s.code()), Some(3));
        let out = Python::script("import time; time.sleep(30)")
            .timeout(Duration::from_millis(300))
            .run()
            .await;
        assert!(out.status.is_none() && out.stderr.contains("killed"));
    }

    #[test]
    fn certificates_build_rustls_configs() {
        let certs = TestCerts::generate();
        let _server = certs.server_config();
        let _client = certs.client_config();
        assert!(certs.cert_pem().starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(certs.ca_file().is_file());
        assert_ne!(free_port(), 0);
    }
}

/// What a child process produced, from [`collect`].
#[derive(Debug)]
pub struct Collected {
    /// Exit status; `None` when the time-out killed it.
    pub status: Option<ExitStatus>,
    /// Standard output, as bytes.
    pub stdout: Vec<u8>,
    /// Standard error, lossily decoded (with a note when the time-out killed the process).
    pub stderr: String,
}

impl Collected {
    /// The exit code (`None` if killed by a signal or the time-out).
    pub fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }

    /// Standard output, lossily decoded.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Panics with everything the program printed unless it exited with 0.
    #[track_caller]
    pub fn assert_success(&self, what: &str) {
        assert!(
            self.code() == Some(0),
            "{what} failed ({:?})\n--- stdout\n{}\n--- stderr\n{}",
            self.status,
            self.text(),
            self.stderr
        );
    }
}

/// Runs `program` (looked up with [`peer::require`], so a missing peer fails the test) with
/// `args` and the environment `envs`; see [`run_command`].
pub async fn run_program(
    program: &str,
    args: &[&str],
    envs: &[(&str, &Path)],
    timeout: Duration,
) -> Collected {
    let mut command = tokio::process::Command::new(peer::require(program));
    command.args(args);
    for (key, value) in envs {
        command.env(key, value);
    }
    run_command(command, timeout).await
}

/// Runs `command` with stdin empty, stdout and stderr piped and collected (see [`collect`]),
/// killing it after `timeout` (and if this future is dropped). On the tokio runtime, so a server
/// under test keeps serving. A command that cannot start comes back with no status and the
/// reason in its stderr.
pub async fn run_command(mut command: tokio::process::Command, timeout: Duration) -> Collected {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    match command.spawn() {
        Ok(child) => collect(child, timeout).await,
        Err(e) => Collected {
            status: None,
            stdout: Vec::new(),
            stderr: format!(
                "cannot start {}: {e}",
                command.as_std().get_program().to_string_lossy()
            ),
        },
    }
}

/// Waits for `child` (spawned with piped stdout and stderr) up to `timeout`, then kills it,
/// reading both outputs meanwhile so that a chatty process cannot block on a full pipe.
pub async fn collect(mut child: tokio::process::Child, timeout: Duration) -> Collected {
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let wait = async {
        let read_out = async {
            if let Some(s) = stdout.as_mut() {
                let _ = s.read_to_end(&mut out).await;
            }
        };
        let read_err = async {
            if let Some(s) = stderr.as_mut() {
                let _ = s.read_to_end(&mut err).await;
            }
        };
        tokio::join!(read_out, read_err);
        child.wait().await.ok()
    };
    let status = match tokio::time::timeout(timeout, wait).await {
        Ok(status) => status,
        Err(_) => {
            let _ = child.kill().await;
            None
        }
    };
    let mut stderr = String::from_utf8_lossy(&err).into_owned();
    if status.is_none() {
        stderr.push_str(&format!("\n[testkit: killed after {timeout:?}]"));
    }
    Collected {
        status,
        stdout: out,
        stderr,
    }
}
