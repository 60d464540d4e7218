//! Interoperability with a real peer: our `ClientSession` logs in to a Dovecot
//! IMAP server with every password mechanism, and Dovecot verifies logins
//! against SCRAM secrets our `ScramSecrets::derive` computed. Fails, naming the
//! package to install, when `dovecot` is not installed; any setup failure of the
//! peer fails the test too.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sasl::{ClientSession, Credentials, Mechanism, SaslError, ScramHash, ScramSecrets};

/// A Dovecot instance, killed (by its pid) when dropped.
struct Dovecot {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn dovecot_store_line(user: &str, s: &ScramSecrets) -> String {
    let scheme = match s.hash {
        ScramHash::Sha1 => "SCRAM-SHA-1",
        ScramHash::Sha256 => "SCRAM-SHA-256",
    };
    format!(
        "{user}:{{{scheme}}}{},{},{},{}\n",
        s.iterations,
        STANDARD.encode(&s.salt),
        STANDARD.encode(&s.stored_key),
        STANDARD.encode(&s.server_key)
    )
}

/// Starts Dovecot with PLAIN, LOGIN and SCRAM users; panics (failing the test)
/// if it is not installed or does not start.
fn start_dovecot() -> Dovecot {
    let program = testkit::peer::require("dovecot");
    let port = testkit::free_port();
    let dir = std::env::temp_dir().join(format!("sasl-dovecot-{}-{port}", std::process::id()));
    std::fs::create_dir_all(dir.join("mail")).expect("create the Dovecot directory");
    let chmod = Command::new("chmod").args(["-R", "777"]).arg(&dir).status();
    assert!(chmod.is_ok_and(|s| s.success()), "chmod {}", dir.display());
    let salt = b"interop-salt-123";
    let mut passwd = String::from("plainuser:{PLAIN}pencil\n");
    passwd += &dovecot_store_line(
        "s256user",
        &ScramSecrets::derive("pencil", salt, 4096, ScramHash::Sha256),
    );
    passwd += &dovecot_store_line(
        "s1user",
        &ScramSecrets::derive("pencil", salt, 4096, ScramHash::Sha1),
    );
    std::fs::write(dir.join("passwd"), passwd).expect("write the passwd file");
    let d = dir.display();
    let conf = format!(
        "base_dir = {d}/run\nstate_dir = {d}/state\nlog_path = {d}/dovecot.log\n\
         protocols = imap\nlisten = 127.0.0.1\nssl = no\ndisable_plaintext_auth = no\n\
         auth_mechanisms = plain login scram-sha-1 scram-sha-256\nfirst_valid_uid = 1\nauth_failure_delay = 0\n\
         mail_location = maildir:{d}/mail/%u\n\
         passdb {{\n  driver = passwd-file\n  args = {d}/passwd\n}}\n\
         userdb {{\n  driver = static\n  args = uid=dovecot gid=dovecot home={d}/mail/%u\n}}\n\
         service imap-login {{\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n  \
         inet_listener imaps {{\n    port = 0\n  }}\n}}\n"
    );
    std::fs::write(dir.join("dovecot.conf"), conf).expect("write dovecot.conf");
    let child = Command::new(program)
        .arg("-F")
        .arg("-c")
        .arg(dir.join("dovecot.conf"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start dovecot");
    let server = Dovecot { child, port, dir };
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return server;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // The directory (and the log in it) goes with `server`: show the log now.
    let log = std::fs::read_to_string(server.dir.join("dovecot.log")).unwrap_or_default();
    panic!("dovecot did not listen on port {port} within 10 s; its log:\n{log}");
}

/// Logs in with `AUTHENTICATE` (SASL-IR); returns the tagged result line and
/// the client's `finish()` verdict.
fn imap_login(
    port: u16,
    mech: Mechanism,
    user: &str,
    pass: &str,
) -> (String, Result<(), SaslError>) {
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut w = stream;
    let mut line = String::new();
    reader.read_line(&mut line).expect("greeting");
    let mut client = ClientSession::new(mech, Credentials::password(user, pass)).expect("session");
    let mut cmd = format!("a AUTHENTICATE {}", mech.name());
    if let Some(ir) = client.initial_response() {
        cmd = format!(
            "{cmd} {}",
            if ir.is_empty() {
                "=".into()
            } else {
                STANDARD.encode(ir)
            }
        );
    }
    w.write_all(format!("{cmd}\r\n").as_bytes()).expect("write");
    loop {
        line.clear();
        if reader.read_line(&mut line).expect("read") == 0 {
            return ("EOF".into(), client.finish());
        }
        if let Some(text) = line.strip_prefix("+") {
            let challenge = STANDARD.decode(text.trim()).expect("challenge base64");
            let response = match client.step(&challenge) {
                Ok(r) => STANDARD.encode(r),
                Err(_) => "*".into(),
            };
            w.write_all(format!("{response}\r\n").as_bytes())
                .expect("write");
        } else if line.starts_with("a ") {
            return (line.trim_end().to_owned(), client.finish());
        }
    }
}

#[test]
fn client_logs_in_to_dovecot_and_dovecot_accepts_our_scram_secrets() {
    let dovecot = start_dovecot();
    let mechs = [
        Mechanism::Plain,
        Mechanism::Login,
        Mechanism::ScramSha1,
        Mechanism::ScramSha256,
    ];
    for mech in mechs {
        let (result, finish) = imap_login(dovecot.port, mech, "plainuser", "pencil");
        assert!(result.starts_with("a OK"), "{mech}: {result}");
        assert_eq!(finish, Ok(()), "{mech}");
    }
    // Secrets derived by ScramSecrets::derive, checked by Dovecot's SCRAM
    // server and by its PLAIN verifier.
    for (user, mech) in [
        ("s256user", Mechanism::ScramSha256),
        ("s1user", Mechanism::ScramSha1),
    ] {
        let (result, finish) = imap_login(dovecot.port, mech, user, "pencil");
        assert!(result.starts_with("a OK"), "{user} {mech}: {result}");
        assert_eq!(finish, Ok(()));
        let (result, _) = imap_login(dovecot.port, Mechanism::Plain, user, "pencil");
        assert!(result.starts_with("a OK"), "{user} PLAIN: {result}");
    }
    // Failures last and few: Dovecot's per-IP auth penalty doubles the delay
    // of each further failure (0.5 s, 4 s, ...).
    for mech in [Mechanism::Plain, Mechanism::ScramSha256] {
        let (result, _) = imap_login(dovecot.port, mech, "plainuser", "wrong");
        assert!(
            result.starts_with("a NO"),
            "{mech} wrong password: {result}"
        );
    }
}
