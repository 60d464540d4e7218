//! The example mail server with its built-in configuration: SMTP on 127.0.0.1:2525 delivering
//! to Maildir under `./mail-data`, POP3 on 127.0.0.1:1110; users alice/alice and bob/bob at
//! `localhost`. Stops on Ctrl-C. Log level from `RUST_LOG` (default `info`).

use examples::mail_server::{Config, run};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let config = Config::default();
    let data = config.data_dir.display().to_string();
    let users: Vec<String> = config.users.iter().map(|(u, _)| u.clone()).collect();
    let domain = config.domain.clone();
    run(
        config,
        |bound| {
            tracing::info!(
                smtp = %bound.smtp, pop3 = %bound.pop3, %data, %domain, ?users,
                "mail server listening (Ctrl-C stops)"
            );
        },
        async {
            let _ = tokio::signal::ctrl_c().await;
        },
    )
    .await
}
