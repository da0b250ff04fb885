//! `kubeprep admin`: account management without a browser — above all
//! creating the first admin of a fresh `kubeprep serve` database. The
//! password comes from a prompt without echo, or from stdin with
//! `--password-stdin` (for scripts); never from a flag, where it would end
//! up in shell history and `ps`.

use std::io::{IsTerminal, Read};

use anyhow::{Context, Result};
use kubeprep_server::web::auth;
use kubeprep_store::Role;

use super::serve::location;
use super::Global;
use crate::{term, Outcome};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Create an account (e.g. the first admin)
    CreateUser(CreateUser),
}

#[derive(clap::Args)]
pub struct CreateUser {
    /// The login e-mail
    #[arg(long, value_name = "EMAIL")]
    email: String,
    /// candidate, reviewer or admin
    #[arg(long, default_value = "candidate", value_parser = parse_role)]
    role: Role,
    /// Read the password from stdin (first line) instead of prompting
    #[arg(long)]
    password_stdin: bool,
    /// Database: a postgres:// URL or a SQLite file [default: --db]
    #[arg(long, env = "DATABASE_URL", value_name = "URL")]
    database_url: Option<String>,
}

fn parse_role(text: &str) -> Result<Role, String> {
    text.parse()
}

pub fn run(g: &Global, c: Command) -> Result<Outcome> {
    match c {
        Command::CreateUser(a) => create_user(g, a),
    }
}

fn read_password(from_stdin: bool) -> Result<String> {
    if from_stdin {
        let mut text = String::new();
        std::io::stdin()
            .take(4096)
            .read_to_string(&mut text)
            .context("cannot read the password from stdin")?;
        return Ok(text.lines().next().unwrap_or_default().to_owned());
    }
    if !std::io::stdin().is_terminal() {
        anyhow::bail!("no terminal to ask for the password; pass --password-stdin and pipe it in");
    }
    let first = rpassword::prompt_password("Password: ").context("cannot read the password")?;
    let again = rpassword::prompt_password("Again: ").context("cannot read the password")?;
    if first != again {
        anyhow::bail!("the two passwords differ; nothing was created");
    }
    Ok(first)
}

fn create_user(g: &Global, a: CreateUser) -> Result<Outcome> {
    let email = a.email.trim().to_owned();
    if !email.contains('@') {
        anyhow::bail!("--email {email:?} is not an e-mail address");
    }
    let password = read_password(a.password_stdin)?;
    if let Some(problem) = auth::password_problem(&password) {
        anyhow::bail!("{problem}");
    }
    let location = location(g, a.database_url.as_deref())?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let user = rt.block_on(async {
        let store = kubeprep_store::AnyStore::open(&location)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let hash = auth::hash_password(password)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let user = store
            .create_user(&email, &hash, a.role, kubeprep_server::web::now_ms())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        store.close().await;
        anyhow::Ok(user)
    })?;
    term::print(&format!(
        "Created {} ({}). Sign in at the address `kubeprep serve` prints.\n",
        kubeprep_interview::sanitize(&user.email),
        user.role
    ))?;
    Ok(Outcome::Ok)
}
