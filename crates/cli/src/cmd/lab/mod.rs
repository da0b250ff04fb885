//! `kubeprep lab start crashloop`: a kubectl-like shell over the lab world.
//!
//! The world has one injected fault; every command the candidate types
//! advances its virtual clock by [`STEP_MS`] so back-off progresses. The
//! shell never says whether a change fixed the fault; the `check` command does.

mod kubectl;
mod serve;

use std::io::{BufRead, IsTerminal};

use anyhow::{anyhow, Result};
use kubeprep_sim::lab::{Fault, World};

use super::Global;
use crate::term::print;
use crate::Outcome;

/// Virtual time each shell command takes.
pub const STEP_MS: i64 = 5_000;

/// How long the api has been failing when the candidate arrives.
pub const HEAD_START_MS: i64 = 3 * 60_000;

/// `kubeprep lab …`
#[derive(clap::Subcommand)]
pub enum Command {
    /// Start a troubleshooting lab: a broken cluster and a kubectl-like shell
    #[command(subcommand)]
    Start(Scenario),
    /// Serve a lab to your own kubectl: a Kubernetes-compatible API on 127.0.0.1
    #[command(subcommand)]
    Serve(serve::Scenario),
}

/// The lab scenarios.
#[derive(clap::Subcommand)]
pub enum Scenario {
    /// Three api Pods in CrashLoopBackOff that "work on my laptop"
    Crashloop(Args),
}

/// Flags of `lab start crashloop`.
#[derive(clap::Args)]
pub struct Args {
    /// The fault to inject (default: a random one)
    #[arg(long, value_name = "ID")]
    fault: Option<String>,
    /// The world's seed (default: random)
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
}

pub fn run(_g: &Global, c: Command) -> Result<Outcome> {
    let a = match c {
        Command::Start(Scenario::Crashloop(a)) => a,
        Command::Serve(s) => return serve::run(s),
    };
    let seed = a.seed.unwrap_or_else(random_seed);
    let fault = match &a.fault {
        Some(id) => id.parse::<Fault>().map_err(|_| {
            let ids: Vec<&str> = Fault::ALL.iter().map(|f| f.id()).collect();
            anyhow!(
                "unknown fault {id:?}; use --fault with one of: {}",
                ids.join(", ")
            )
        })?,
        None => Fault::ALL[(seed % Fault::ALL.len() as u64) as usize],
    };
    let mut world = World::new(fault, seed);
    world.advance(HEAD_START_MS);
    print(BRIEFING)?;
    let mut used = 0u32;
    let stdin = std::io::stdin();
    let tty = stdin.is_terminal();
    let mut editor = if tty {
        Some(rustyline::DefaultEditor::new()?)
    } else {
        None
    };
    let mut lines = stdin.lock().lines();
    loop {
        let line = match &mut editor {
            Some(ed) => match ed.readline("$ ") {
                Ok(l) => {
                    let _ = ed.add_history_entry(l.as_str());
                    l
                }
                Err(rustyline::error::ReadlineError::Interrupted) => continue,
                Err(_) => break,
            },
            None => match lines.next() {
                Some(l) => l?,
                None => break,
            },
        };
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line == "exit" || line == "quit" {
            break;
        }
        if line == "help" {
            print(kubectl::HELP)?;
            print("\n")?;
            continue;
        }
        used += 1;
        world.advance(STEP_MS);
        let out = kubectl::execute(&mut world, line);
        print(&out)?;
        if !out.ends_with('\n') && !out.is_empty() {
            print("\n")?;
        }
    }
    let fixed = world.fault_fixed();
    let mut end = format!("\n{}\n\n", world.solution().trim_end());
    end += &match &fixed {
        Ok(()) => "Fault fixed: yes\n".to_string(),
        Err(why) => format!("Fault fixed: no ({why})\n"),
    };
    end += &format!(
        "Commands used: {used}; simulated time: {}\n",
        kubectl::age(world.elapsed_ms() - HEAD_START_MS)
    );
    print(&end)?;
    Ok(if fixed.is_ok() {
        Outcome::Ok
    } else {
        Outcome::Findings
    })
}

const BRIEFING: &str = "\
Lab: crashloop
A teammate deployed the `api` Deployment (3 replicas) in namespace default.
All 3 api Pods are in CrashLoopBackOff. \"It works on my laptop.\"
It talks to PostgreSQL and Redis, which run in the cluster.
Find the cause and fix it with kubectl. Each command takes 5 s of cluster time.
Commands: kubectl get|describe|logs|patch|delete|label|rollout restart|set,
`check` (is it fixed?), `help`, `exit`.
";

fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(std::process::id() as u64);
    h.finish()
}
