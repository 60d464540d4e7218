//! The example mail server with its built-in configuration: SMTP on 127.0.0.1:2525 delivering
//! to Maildir under `./mail-data`, POP3 on 127.0.0.1:1110, IMAP on 127.0.0.1:1143 (the same
//! Maildir); users alice/alice and bob/bob at `localhost`. Stops on Ctrl-C (SIGINT). Log level from `RUST_LOG` (default `info`).
//!
//! Environment overrides (for tests and trials): `MAIL_SERVER_SMTP`, `MAIL_SERVER_POP3` and
//! `MAIL_SERVER_IMAP` (listen addresses, e.g. `127.0.0.1:0`), `MAIL_SERVER_DATA` (the data directory).

use examples::mail_server::{Config, run};

/// `Config::default()` with the environment overrides applied.
fn config() -> std::io::Result<Config> {
    let mut config = Config::default();
    let addr = |var: &str| -> std::io::Result<Option<std::net::SocketAddr>> {
        match std::env::var(var) {
            Ok(v) => v.parse().map(Some).map_err(|e| {
                std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{var}={v}: {e}"))
            }),
            Err(_) => Ok(None),
        }
    };
    if let Some(a) = addr("MAIL_SERVER_SMTP")? {
        config.smtp = a;
    }
    if let Some(a) = addr("MAIL_SERVER_POP3")? {
        config.pop3 = a;
    }
    if let Some(a) = addr("MAIL_SERVER_IMAP")? {
        config.imap = a;
    }
    if let Some(dir) = std::env::var_os("MAIL_SERVER_DATA") {
        config.data_dir = dir.into();
    }
    Ok(config)
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let config = config()?;
    let data = config.data_dir.display().to_string();
    let users: Vec<String> = config.users.iter().map(|(u, _)| u.clone()).collect();
    let domain = config.domain.clone();
    run(
        config,
        |bound| {
            tracing::info!(
                smtp = %bound.smtp, pop3 = %bound.pop3, imap = %bound.imap, %data, %domain, ?users,
                "mail server listening (Ctrl-C stops)"
            );
        },
        async {
            let _ = tokio::signal::ctrl_c().await;
        },
    )
    .await
}
