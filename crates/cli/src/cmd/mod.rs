//! The command line: global options and one module per subcommand.
//!
//! Each subcommand turns its flags into validated values (a loaded pack, an
//! opened store) before doing any work, then calls the libraries.

mod admin;
mod auth;
mod bank;
mod check;
mod grade;
mod history;
mod interview;
mod lab;
mod manifests;
mod report;
mod serve;
mod simulate;

pub use interview::{is_yaml_command, manifest_block, AnswerReader, Block};

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use kubeprep_bank::Pack;

use crate::Outcome;

/// A Kubernetes mock interviewer: a structured technical interview with hints,
/// adaptive difficulty, answers graded against an expert rubric, and a scorecard.
#[derive(Parser)]
#[command(name = "kubeprep", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    global: Global,
}

/// Options every subcommand takes.
#[derive(clap::Args, Clone)]
pub struct Global {
    /// The SQLite database holding sessions [default: $XDG_DATA_HOME/kubeprep/kubeprep.sqlite3]
    #[arg(long, global = true, env = "KUBEPREP_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Use the interview pack in this folder instead of the built-in Kubernetes pack
    #[arg(long, global = true, env = "KUBEPREP_PACK", value_name = "DIR")]
    pub pack: Option<PathBuf>,
    /// Never colour output (colour is used only on a terminal, and never when NO_COLOR is set)
    #[arg(long, global = true)]
    pub no_color: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Run a mock interview (answers from the terminal or from piped stdin)
    Interview(interview::Args),
    /// Grade one answer to one question
    Grade(grade::Args),
    /// Browse and check interview packs
    #[command(subcommand)]
    Bank(bank::Command),
    /// List past sessions with their scores
    History(history::Args),
    /// Export a session's scorecard and transcript
    Report(report::Args),
    /// Check manifests: static findings and, with --scenario, the scenario's requirements
    Check(check::Args),
    /// Run manifests on the simulated cluster
    #[command(subcommand)]
    Simulate(simulate::Command),
    /// Answer RBAC questions from policy files (kubectl auth can-i syntax)
    #[command(subcommand)]
    Auth(auth::Command),
    /// Troubleshooting labs: a broken simulated cluster and a kubectl-like shell
    #[command(subcommand)]
    Lab(lab::Command),
    /// Serve interviews in the browser for many candidates, with reviewers
    Serve(serve::Args),
    /// Manage accounts of `kubeprep serve` from the command line
    #[command(subcommand)]
    Admin(admin::Command),
}

/// Text for people or JSON for programs.
#[derive(ValueEnum, Clone, Copy, PartialEq, Eq, Default)]
pub enum Output {
    /// Tables and prose.
    #[default]
    Text,
    /// One JSON document.
    Json,
}

pub fn run(cli: Cli) -> Result<Outcome> {
    let g = cli.global;
    match cli.command {
        Command::Interview(a) => interview::run(&g, a),
        Command::Grade(a) => grade::run(&g, a),
        Command::Bank(c) => bank::run(&g, c),
        Command::History(a) => history::run(&g, a),
        Command::Report(a) => report::run(&g, a),
        Command::Check(a) => check::run(&g, a),
        Command::Simulate(c) => simulate::run(&g, c),
        Command::Auth(c) => auth::run(&g, c),
        Command::Lab(c) => lab::run(&g, c),
        Command::Serve(a) => serve::run(&g, a),
        Command::Admin(c) => admin::run(&g, c),
    }
}

impl Global {
    /// The pack to use: `--pack DIR` or the built-in one.
    pub fn load_pack(&self) -> Result<Pack> {
        match &self.pack {
            Some(dir) => Pack::load(dir)
                .map_err(|e| anyhow::anyhow!("{}", e.to_string().replace('\n', "; ")))
                .with_context(|| format!("invalid pack {}", dir.display())),
            None => Pack::embedded().map_err(|e| anyhow::anyhow!("built-in pack is broken: {e}")),
        }
    }

    /// Whether to colour output written to stdout.
    pub fn color(&self) -> bool {
        use std::io::IsTerminal;
        !self.no_color
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            && std::io::stdout().is_terminal()
    }

    /// Reads a stored session's events back into engine events.
    pub fn session_events(
        store: &kubeprep_store::AnyStore,
        rt: &tokio::runtime::Runtime,
        id: &kubeprep_store::SessionId,
    ) -> Result<Vec<kubeprep_interview::Event>> {
        use kubeprep_store::Store;
        rt.block_on(store.events(id))?
            .into_iter()
            .map(|e| {
                serde_json::from_value(e.payload).with_context(|| {
                    format!(
                        "session {id}: event {} cannot be read by this version",
                        e.seq
                    )
                })
            })
            .collect()
    }

    /// Opens the session store.
    pub fn open_store(&self) -> Result<(kubeprep_store::AnyStore, tokio::runtime::Runtime)> {
        let path = match &self.db {
            Some(p) => p.clone(),
            None => kubeprep_store::default_database_path().context(
                "no data directory found for the session database; set --db or KUBEPREP_DB",
            )?,
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        // The store's message already names the path and the reason; its OS cause would repeat it.
        let store = rt
            .block_on(kubeprep_store::AnyStore::open(&path))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok((store, rt))
    }
}
