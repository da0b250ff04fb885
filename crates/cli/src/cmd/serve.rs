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
    /// A YAML file with any of these settings (keys as the flags: addr,
    /// database_url, secure_cookies, log_format, body_limit, login_rate,
    /// behind_proxy);
    /// flags and environment variables override it
    #[arg(long, env = "KUBEPREP_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Address to listen on (port 0 picks a free port) [default: 127.0.0.1:8080]
    #[arg(long, env = "KUBEPREP_ADDR", value_name = "HOST:PORT")]
    addr: Option<SocketAddr>,
    /// Database: a postgres:// URL or a SQLite file [default: --db, i.e. the CLI's SQLite file]
    #[arg(long, env = "DATABASE_URL", value_name = "URL")]
    database_url: Option<String>,
    /// Mark cookies Secure (set it when a proxy terminates HTTPS without sending X-Forwarded-Proto)
    #[arg(long, env = "KUBEPREP_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Log format on stderr [default: text]
    #[arg(long, env = "KUBEPREP_LOG_FORMAT", value_enum)]
    log_format: Option<LogFormat>,
    /// Largest request body in bytes; larger requests get 413 [default: 65536]
    #[arg(long, env = "KUBEPREP_BODY_LIMIT", value_name = "BYTES")]
    body_limit: Option<usize>,
    /// Sign-in attempts allowed per minute for one address and e-mail [default: 5]
    #[arg(long, env = "KUBEPREP_LOGIN_RATE", value_name = "N")]
    login_rate: Option<u32>,
    /// Behind a reverse proxy that appends the client's address to X-Forwarded-For: rate-limit on that address
    #[arg(long, env = "KUBEPREP_BEHIND_PROXY")]
    behind_proxy: bool,
}

#[derive(clap::ValueEnum, serde::Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
enum LogFormat {
    Text,
    Json,
}

/// The settings a `--config` file may hold; each is overridden by its flag.
#[derive(serde::Deserialize, Default, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    addr: Option<SocketAddr>,
    database_url: Option<String>,
    secure_cookies: Option<bool>,
    log_format: Option<LogFormat>,
    body_limit: Option<usize>,
    login_rate: Option<u32>,
    behind_proxy: Option<bool>,
}

/// Reads a `--config` file; errors name the file, line and setting.
fn read_config(path: &std::path::Path) -> Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the config file {}", path.display()))?;
    if text.trim().is_empty() {
        return Ok(FileConfig::default());
    }
    serde_norway::from_str(&text).map_err(|e| {
        let at = e
            .location()
            .map(|l| format!(":{}", l.line()))
            .unwrap_or_default();
        anyhow::anyhow!(
            "{}{at}: {e}; the settings are addr, database_url, secure_cookies, log_format (text|json), body_limit, login_rate, behind_proxy",
            path.display()
        )
    })
}

/// The flags over the config file over the defaults.
struct Settings {
    addr: SocketAddr,
    database_url: Option<String>,
    secure_cookies: bool,
    log_format: LogFormat,
    body_limit: usize,
    login_rate: u32,
    behind_proxy: bool,
}

fn settings(a: Args) -> Result<Settings> {
    let file = match &a.config {
        Some(path) => read_config(path)?,
        None => FileConfig::default(),
    };
    Ok(Settings {
        addr: a
            .addr
            .or(file.addr)
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
        database_url: a.database_url.or(file.database_url),
        secure_cookies: a.secure_cookies || file.secure_cookies.unwrap_or(false),
        log_format: a.log_format.or(file.log_format).unwrap_or(LogFormat::Text),
        body_limit: a.body_limit.or(file.body_limit).unwrap_or(64 * 1024),
        login_rate: a.login_rate.or(file.login_rate).unwrap_or(5),
        behind_proxy: a.behind_proxy || file.behind_proxy.unwrap_or(false),
    })
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
    let a = settings(a)?;
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
            behind_proxy: a.behind_proxy,
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
