//! `kubeprep serve`: runs the web application (`kubeprep_server::web`) on
//! an address until SIGTERM or Ctrl-C, then finishes the requests in flight
//! and exits. Prints the address to open once the socket is bound.
//!
//! Not for: anything the server does; this only turns flags into a
//! configuration, opens the store and starts the runtime.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use kubeprep_server::web::{self, ops};

use super::Global;
use crate::{term, Outcome};

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on (port 0 picks a free port)
    #[arg(
        long,
        env = "KUBEPREP_ADDR",
        default_value = "127.0.0.1:8080",
        value_name = "HOST:PORT"
    )]
    addr: SocketAddr,
    /// Database: a postgres:// URL or a SQLite file [default: --db, i.e. the CLI's SQLite file]
    #[arg(long, env = "DATABASE_URL", value_name = "URL")]
    database_url: Option<String>,
    /// Mark cookies Secure (set it when a proxy terminates HTTPS without sending X-Forwarded-Proto)
    #[arg(long, env = "KUBEPREP_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Log format on stderr
    #[arg(long, env = "KUBEPREP_LOG_FORMAT", value_enum, default_value = "text")]
    log_format: LogFormat,
    /// Largest request body in bytes; larger requests get 413
    #[arg(long, env = "KUBEPREP_BODY_LIMIT", default_value_t = 64 * 1024, value_name = "BYTES")]
    body_limit: usize,
    /// Sign-in attempts allowed per minute for one address and e-mail
    #[arg(
        long,
        env = "KUBEPREP_LOGIN_RATE",
        default_value_t = 5,
        value_name = "N"
    )]
    login_rate: u32,
}

#[derive(clap::ValueEnum, Clone, Copy)]
enum LogFormat {
    Text,
    Json,
}

/// The database location of the server: `--database-url`, else the CLI's.
pub fn location(g: &Global, url: Option<&str>) -> Result<PathBuf> {
    match url.filter(|u| !u.is_empty()) {
        Some(url) => Ok(PathBuf::from(url)),
        None => match &g.db {
            Some(path) => Ok(path.clone()),
            None => kubeprep_store::default_database_path().context(
                "no data directory found for the database; set --database-url or DATABASE_URL",
            ),
        },
    }
}

pub fn run(g: &Global, a: Args) -> Result<Outcome> {
    if a.body_limit < 1024 {
        anyhow::bail!(
            "--body-limit {} is too small to send an answer; use at least 1024",
            a.body_limit
        );
    }
    let pack = g.load_pack()?;
    let location = location(g, a.database_url.as_deref())?;
    ops::init_logging(match a.log_format {
        LogFormat::Text => ops::LogFormat::Text,
        LogFormat::Json => ops::LogFormat::Json,
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(async move {
        let store = kubeprep_store::AnyStore::open(&location)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let backend = store.backend();
        let config = web::Config {
            secure_cookies: a.secure_cookies,
            body_limit: a.body_limit,
            login_attempts_per_minute: a.login_rate,
            ..web::Config::default()
        };
        let state = web::AppState::new(store.clone(), pack, config)?;
        let listener = tokio::net::TcpListener::bind(a.addr)
            .await
            .with_context(|| format!("cannot listen on {}", a.addr))?;
        let bound = listener.local_addr()?;
        tracing::info!(addr = %bound, backend, "listening");
        term::print(&format!("kubeprep serving on http://{bound}/\n"))?;
        web::serve(listener, state, ops::shutdown_signal())
            .await
            .context("the server stopped")?;
        store.close().await;
        tracing::info!("stopped");
        Ok(Outcome::Ok)
    })
}
