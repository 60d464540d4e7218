//! Real clients against `smtp_proto::auth` framing and `sasl` server
//! sessions: Python's `smtplib` (PLAIN, LOGIN) and curl (PLAIN, LOGIN,
//! OAUTHBEARER, XOAUTH2). A minimal line server stands in for the SMTP server
//! session (answers 250 to everything but AUTH, DATA and QUIT). A missing
//! client fails its test, naming the package to install.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sasl::{Mechanism, MemoryStore, ServerSession, ServerStep};
use smtp_proto::auth::{self, AuthResponse, ReplyParts};

fn reply(w: &mut TcpStream, (code, (a, b, c), text): ReplyParts) {
    let _ = w.write_all(format!("{code} {a}.{b}.{c} {text}\r\n").as_bytes());
}

/// Runs one AUTH exchange; returns the outcome as a short string.
fn run_auth(
    rt: &tokio::runtime::Runtime,
    args: &str,
    reader: &mut BufReader<TcpStream>,
    w: &mut TcpStream,
    store: &MemoryStore,
) -> String {
    let mut words = args.split(' ');
    let Ok(mech) = Mechanism::from_name(words.next().unwrap_or_default()) else {
        reply(w, auth::UNRECOGNIZED_MECHANISM);
        return "unrecognized".into();
    };
    let ir = match words.next().map(|ir| auth::decode_response(ir.as_bytes())) {
        None => None,
        Some(Ok(AuthResponse::Data(d))) => Some(d.into_inner()),
        Some(Ok(AuthResponse::Cancel)) => {
            reply(w, auth::CANCELLED);
            return "cancelled".into();
        }
        Some(Err(e)) => {
            reply(w, e.reply());
            return e.to_string();
        }
    };
    let mut session = ServerSession::new(mech);
    let mut step = rt.block_on(session.start_with(ir.as_deref(), store));
    loop {
        match step {
            Ok(ServerStep::Challenge(c)) => {
                let mut out = Vec::new();
                auth::encode_challenge(&c, &mut out);
                let _ = w.write_all(&out);
                let mut line = Vec::new();
                if reader.read_until(b'\n', &mut line).unwrap_or(0) == 0 {
                    return "eof".into();
                }
                match auth::decode_response(&line) {
                    Ok(AuthResponse::Data(d)) => {
                        step = rt.block_on(session.step_with(d.expose(), store))
                    }
                    Ok(AuthResponse::Cancel) => {
                        reply(w, auth::CANCELLED);
                        return "cancelled".into();
                    }
                    Err(e) => {
                        reply(w, e.reply());
                        return e.to_string();
                    }
                }
            }
            Ok(ServerStep::Success(a)) => {
                reply(w, auth::SUCCEEDED);
                return format!("{mech} ok {}", a.user());
            }
            Ok(ServerStep::NeedCredentials(_)) => return "unreachable".into(),
            Err(e) => {
                reply(w, auth::reply_for_sasl_error(&e));
                return format!("{mech} failed");
            }
        }
    }
}

fn serve_one(stream: TcpStream, store: &MemoryStore, log: &Mutex<Vec<String>>, mechs: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut w = stream.try_clone().expect("clone");
    let mut reader = BufReader::new(stream);
    let _ = w.write_all(b"220 test ESMTP\r\n");
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let cmd = line.trim_end();
        let verb = cmd
            .split(' ')
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => {
                let ehlo = format!("250-test\r\n250-AUTH {mechs}\r\n250 8BITMIME\r\n");
                let _ = w.write_all(ehlo.as_bytes());
            }
            "AUTH" => {
                let outcome = run_auth(
                    &rt,
                    cmd.get(5..).unwrap_or_default(),
                    &mut reader,
                    &mut w,
                    store,
                );
                log.lock().expect("log").push(outcome);
            }
            "DATA" => {
                let _ = w.write_all(b"354 go ahead\r\n");
                let mut body = String::new();
                while reader.read_line(&mut body).unwrap_or(0) > 0 && !body.ends_with("\r\n.\r\n") {
                }
                let _ = w.write_all(b"250 2.0.0 ok\r\n");
            }
            "QUIT" => {
                let _ = w.write_all(b"221 2.0.0 bye\r\n");
                return;
            }
            _ => {
                let _ = w.write_all(b"250 2.0.0 ok\r\n");
            }
        }
    }
}

/// Starts the line server advertising `mechs`; returns its port and the log
/// of AUTH outcomes.
fn start_server(mechs: &'static str) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let store = MemoryStore::new()
        .with_iterations(64)
        .with_user("user", "pencil");
    store.add_token("tok123", "user");
    let log = Arc::new(Mutex::new(Vec::new()));
    let log2 = Arc::clone(&log);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            serve_one(stream, &store, &log2, mechs);
        }
    });
    (port, log)
}

/// The `n`th outcome (1-based) once the server thread has logged it: the server writes its
/// reply before logging, so a client may exit before the entry is there. Waits up to 10 s.
fn nth_outcome(log: &Mutex<Vec<String>>, n: usize) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(entry) = log.lock().expect("log").get(n - 1) {
            return entry.clone();
        }
        if std::time::Instant::now() > deadline {
            return String::new();
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn python_smtplib_plain_and_login() {
    testkit::peer::require("python3");
    let (port, log) = start_server("PLAIN LOGIN SCRAM-SHA-256");
    let table = [
        ("PLAIN", "pencil", "235", "PLAIN ok user"),
        ("LOGIN", "pencil", "235", "LOGIN ok user"),
        ("PLAIN", "wrong", "535", "PLAIN failed"),
        ("LOGIN", "wrong", "535", "LOGIN failed"),
    ];
    for (n, (mech, pass, code, outcome)) in table.into_iter().enumerate() {
        // smtplib's auth_plain/auth_login read self.user and self.password.
        let script = format!(
            "import smtplib\n\
             s = smtplib.SMTP('127.0.0.1', {port}, timeout=10)\n\
             s.user, s.password = 'user', '{pass}'\n\
             s.ehlo()\n\
             try:\n    print(s.auth('{mech}', s.auth_{}, initial_response_ok=True)[0])\n\
             except smtplib.SMTPAuthenticationError as e:\n    print(e.smtp_code)\n\
             s.quit()\n",
            mech.to_lowercase()
        );
        let out = Command::new("timeout")
            .args(["20", "python3", "-c", &script])
            .output()
            .expect("python3");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            stdout.trim(),
            code,
            "{mech} {pass}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(nth_outcome(&log, n + 1), outcome);
    }
}

#[test]
fn curl_plain_login_oauthbearer_xoauth2() {
    testkit::peer::require("curl");
    // curl 7.88 picks OAUTHBEARER whenever offered, whatever AUTH= says: the
    // second server offers XOAUTH2 without it.
    let (port, log) = start_server("PLAIN LOGIN SCRAM-SHA-256 OAUTHBEARER XOAUTH2");
    let (port2, log2) = start_server("PLAIN LOGIN XOAUTH2");
    let bearer = |tok, mech| {
        [
            "--user",
            "user",
            "--oauth2-bearer",
            tok,
            "--login-options",
            mech,
        ]
    };
    let table: [(u16, Vec<&str>, bool, &str); 6] = [
        (
            port,
            vec!["--user", "user:pencil", "--login-options", "AUTH=PLAIN"],
            true,
            "PLAIN ok user",
        ),
        (
            port,
            vec!["--user", "user:pencil", "--login-options", "AUTH=LOGIN"],
            true,
            "LOGIN ok user",
        ),
        (
            port,
            vec!["--user", "user:wrong", "--login-options", "AUTH=PLAIN"],
            false,
            "PLAIN failed",
        ),
        (
            port,
            bearer("tok123", "AUTH=OAUTHBEARER").to_vec(),
            true,
            "OAUTHBEARER ok user",
        ),
        (
            port2,
            bearer("tok123", "AUTH=XOAUTH2").to_vec(),
            true,
            "XOAUTH2 ok user",
        ),
        (
            port,
            bearer("bad", "AUTH=OAUTHBEARER").to_vec(),
            false,
            "OAUTHBEARER failed",
        ),
    ];
    // How many outcomes each server's log should hold after each row.
    let (mut count, mut count2) = (0, 0);
    for (port, args, success, outcome) in table {
        let url = format!("smtp://127.0.0.1:{port}");
        let mut child = Command::new(testkit::peer::require("curl"))
            .args([
                "-s",
                "--max-time",
                "10",
                &url,
                "--mail-from",
                "a@example.com",
                "--mail-rcpt",
                "b@example.com",
                "-T",
                "-",
            ])
            .args(&args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("curl");
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(b"Subject: t\r\n\r\nhello\r\n");
        }
        let mut sink = String::new();
        if let Some(mut out) = child.stdout.take() {
            let _ = out.read_to_string(&mut sink);
        }
        let status = child.wait().expect("curl wait");
        assert_eq!(status.success(), success, "{args:?}: {status}");
        let (log, n) = if port == port2 {
            count2 += 1;
            (&log2, count2)
        } else {
            count += 1;
            (&log, count)
        };
        assert_eq!(nth_outcome(log, n), outcome, "{args:?}");
    }
}
