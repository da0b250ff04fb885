//! `kubeprep lab start crashloop`: a kubectl-like shell over the lab world,
//! scored at the end.
//!
//! The world has one injected fault; every command the candidate types
//! advances its virtual clock by [`STEP_MS`] so back-off progresses. The
//! shell never says whether a change fixed the fault; the `check` command
//! does. Besides kubectl, the shell takes `hint` (the fault's 4-level
//! ladder) and `diagnose <root cause>` (graded at the end against the
//! fault's rubric); at `exit` or end of input it prints the lab scorecard
//! (`kubeprep_interview::lab`). The same [`Lab`] drives the lab inside
//! `kubeprep interview --hands-on`.

pub mod kubectl;
mod serve;

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

use anyhow::{anyhow, Context, Result};
use kubeprep_bank::Pack;
use kubeprep_grade::Grader;
use kubeprep_interview::lab::{self as score, LabSession, Step};
use kubeprep_interview::LabLine;
use kubeprep_sim::lab::{Fault, World};

use super::{Global, Output};
use crate::term::{self, print};
use crate::Outcome;

/// Virtual time each shell command takes.
pub const STEP_MS: i64 = 5_000;

/// How long the api has been failing when the candidate arrives.
pub const HEAD_START_MS: i64 = 3 * 60_000;

/// Longest `diagnose` text accepted, in bytes.
const MAX_DIAGNOSIS_BYTES: usize = 8 * 1024;

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

/// Which lab world: the flags `lab start` and `lab serve` share.
#[derive(clap::Args)]
pub struct WorldChoice {
    /// The fault to inject (default: the seed picks one)
    #[arg(long, value_name = "ID")]
    pub fault: Option<String>,
    /// The world's seed (default: random)
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
}

impl WorldChoice {
    /// The seed and the fault chosen (a random seed when none was given).
    pub fn resolve(&self) -> Result<(u64, Fault)> {
        let seed = self.seed.unwrap_or_else(random_seed);
        Ok((seed, choose_fault(self.fault.as_deref(), seed)?))
    }
}

/// Flags of `lab start crashloop`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    world: WorldChoice,
    /// The scorecard at the end: text, or one JSON document on stdout (the shell's own output then goes to stderr)
    #[arg(long, short = 'o', value_enum, default_value_t)]
    output: Output,
    /// Also write the scorecard as Markdown to FILE
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
}

/// The fault for `--fault`, or the seed's.
pub fn choose_fault(fault: Option<&str>, seed: u64) -> Result<Fault> {
    match fault {
        Some(id) => id.parse::<Fault>().map_err(|_| {
            let ids: Vec<&str> = Fault::ALL.iter().map(|f| f.id()).collect();
            anyhow!(
                "unknown fault {:?}; use --fault with one of: {}",
                kubeprep_interview::sanitize(id),
                ids.join(", ")
            )
        }),
        None => Ok(Fault::for_seed(seed)),
    }
}

/// What a line typed in the lab shell asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// Blank or a `#` comment.
    Nothing,
    /// `help`.
    Help,
    /// `exit`, `quit` (and `done` inside an interview).
    Exit,
    /// `hint`.
    Hint,
    /// `diagnose TEXT` (empty when no text was given).
    Diagnose(String),
    /// Anything else: a command for the cluster.
    Command(String),
}

impl Line {
    /// Reads one shell line.
    pub fn parse(line: &str) -> Line {
        let t = line.trim();
        let first = t.split_whitespace().next().unwrap_or("");
        match first {
            "" => Line::Nothing,
            _ if t.starts_with('#') => Line::Nothing,
            "help" if t == "help" => Line::Help,
            "exit" | "quit" | "done" if t == first => Line::Exit,
            "hint" if t == "hint" => Line::Hint,
            "diagnose" => Line::Diagnose(t["diagnose".len()..].trim().to_string()),
            _ => Line::Command(t.to_string()),
        }
    }
}

/// A running lab: the world, the scoring session, and the text to show.
pub struct Lab<'a> {
    /// The simulated cluster.
    pub world: World,
    /// The scoring session.
    pub session: LabSession<'a>,
}

impl<'a> Lab<'a> {
    /// A new lab `crashloop` with `fault`, the api already failing for [`HEAD_START_MS`].
    pub fn new(pack: &'a Pack, grader: &'a Grader, fault: Fault, seed: u64) -> Result<Lab<'a>> {
        let session = LabSession::new(pack, grader, "crashloop", fault.id(), seed)
            .with_context(|| format!("the pack has no lab `crashloop` with fault `{fault}`"))?;
        let world = arrival(fault, seed);
        Ok(Lab { world, session })
    }

    /// Simulated time since the candidate arrived.
    pub fn sim_ms(&self) -> i64 {
        sim_ms(&self.world)
    }

    /// Runs one command against the cluster (it takes [`STEP_MS`]) and records it.
    /// A command the cluster refused checks and changes nothing.
    pub fn command(&mut self, line: &str, console: &mut dyn kubectl::Console) -> String {
        let mut step = Step::from_line(line);
        let mut recorder = Recorder::new(console);
        let (out, refused) = run_command(&mut self.world, line, &mut recorder);
        if refused {
            step.checks.clear();
            step.change = false;
        }
        let sim_ms = self.sim_ms();
        self.session.record(sim_ms, step);
        for typed in recorder.typed {
            self.session.record(sim_ms, Step::from_inside(&typed));
        }
        out
    }

    /// The next hint, as text to show.
    pub fn hint(&mut self) -> String {
        match self.session.hint(self.sim_ms()) {
            Some(h) => format!("Hint {} ({}): {}\n", h.level, h.name, h.text),
            None => "No more hints -- that was the full walkthrough.\n".to_string(),
        }
    }

    /// Records a diagnosis; the answer to show.
    pub fn diagnose(&mut self, text: &str) -> Result<String> {
        if text.is_empty() {
            return Ok("usage: diagnose <the root cause, in your words>\n".to_string());
        }
        if text.len() > MAX_DIAGNOSIS_BYTES {
            return Ok(format!(
                "That diagnosis is over {} KB and was not recorded; say it in a few sentences.\n",
                MAX_DIAGNOSIS_BYTES / 1024
            ));
        }
        let sim_ms = self.sim_ms();
        self.session.diagnose(sim_ms, text)?;
        Ok(format!(
            "Diagnosis {} recorded; the last one counts. It is graded on the scorecard at the end.\n",
            self.session.diagnoses().len()
        ))
    }

    /// The scorecard, with the world's verdict on the fix.
    pub fn scorecard(&self) -> score::LabScorecard {
        self.session.scorecard(self.world.fault_fixed())
    }
}

/// The lab world for `fault` and `seed` as the candidate finds it, with
/// `commands` run again (a resumed lab is rebuilt this way: the world is
/// deterministic).
pub fn rebuild(fault: Fault, seed: u64, commands: &[LabLine]) -> World {
    let mut world = arrival(fault, seed);
    for c in commands {
        run_command(
            &mut world,
            &c.line,
            &mut Replay {
                lines: c.inside.iter().cloned().collect(),
            },
        );
    }
    world
}

/// A console that passes lines through and keeps those typed inside an
/// interactive sub-shell (`run -it`, `exec -it`), to score and to record.
pub struct Recorder<'a> {
    inner: &'a mut dyn kubectl::Console,
    /// The lines read, in order.
    pub typed: Vec<String>,
}

impl<'a> Recorder<'a> {
    /// Wraps `inner`.
    pub fn new(inner: &'a mut dyn kubectl::Console) -> Recorder<'a> {
        Recorder {
            inner,
            typed: Vec::new(),
        }
    }
}

impl kubectl::Console for Recorder<'_> {
    fn read_line(&mut self, prompt: &str) -> Option<String> {
        let line = self.inner.read_line(prompt)?;
        self.typed.push(line.clone());
        Some(line)
    }
    fn write(&mut self, s: &str) {
        self.inner.write(s);
    }
}

/// A console that answers a sub-shell with recorded lines and shows nothing:
/// how a resumed lab replays what was typed inside.
struct Replay {
    lines: std::collections::VecDeque<String>,
}

impl kubectl::Console for Replay {
    fn read_line(&mut self, _prompt: &str) -> Option<String> {
        self.lines.pop_front()
    }
    fn write(&mut self, _s: &str) {}
}

/// The lab world as the candidate finds it: the api failing for [`HEAD_START_MS`].
pub fn arrival(fault: Fault, seed: u64) -> World {
    let mut world = World::new(fault, seed);
    world.advance(HEAD_START_MS);
    world
}

/// Simulated time since the candidate arrived in `world`.
pub fn sim_ms(world: &World) -> i64 {
    world.elapsed_ms() - HEAD_START_MS
}

/// Runs one line against `world` (it takes [`STEP_MS`]): what to print
/// (ending in a newline) and whether the cluster refused it.
pub fn run_command(
    world: &mut World,
    line: &str,
    console: &mut dyn kubectl::Console,
) -> (String, bool) {
    world.advance(STEP_MS);
    let mut out = kubectl::execute(world, line, console);
    let refused = refused(&out);
    if !out.ends_with('\n') && !out.is_empty() {
        out.push('\n');
    }
    (out, refused)
}

/// Whether kubectl's answer is an error rather than what was asked for.
fn refused(out: &str) -> bool {
    let first = out.lines().next().unwrap_or("");
    first.starts_with("Error from server")
        || first.starts_with("error:")
        || first.contains(": command not found")
}

pub fn run(g: &Global, c: Command) -> Result<Outcome> {
    let a = match c {
        Command::Start(Scenario::Crashloop(a)) => a,
        Command::Serve(s) => return serve::run(g, s),
    };
    let (seed, fault) = a.world.resolve()?;
    let pack = g.load_pack()?;
    let grader = Grader::new(&pack)?;
    let mut lab = Lab::new(&pack, &grader, fault, seed)?;
    let json = a.output == Output::Json;
    // With JSON on stdout, the shell talks on stderr.
    let say = |s: &str| -> Result<()> {
        if json {
            term::eprint(s);
            Ok(())
        } else {
            print(s)
        }
    };
    say(BRIEFING)?;
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
                Some(l) => l.context("cannot read stdin (the lab reads UTF-8 lines)")?,
                None => break,
            },
        };
        let mut console = Terminal {
            editor: editor.as_mut(),
            lines: &mut lines,
            stderr: json,
        };
        match Line::parse(&line) {
            Line::Nothing => {}
            Line::Exit => break,
            Line::Help => say(&format!("{}\n{SHELL_HELP}\n", kubectl::HELP))?,
            Line::Hint => say(&lab.hint())?,
            Line::Diagnose(text) => say(&lab.diagnose(&text)?)?,
            // Names the candidate typed come back in kubectl's errors: never raw.
            Line::Command(cmd) => say(&kubeprep_interview::sanitize(
                &lab.command(&cmd, &mut console),
            ))?,
        }
    }
    let card = lab.scorecard();
    if let Some(path) = &a.report {
        let md = format!("# kubeprep lab report\n\n{}", score::markdown(&card));
        std::fs::write(path, md)
            .with_context(|| format!("cannot write the report to {}", path.display()))?;
    }
    if json {
        term::print_json(&score::json(&card))?;
    } else {
        print(&format!("\n{}", score::text(&card)))?;
    }
    Ok(if card.fix.fixed {
        Outcome::Ok
    } else {
        Outcome::Findings
    })
}

/// The lab's own commands, after kubectl's (`help`).
pub const SHELL_HELP: &str = "\
hint    the next hint: nudge, where to look, what it shows, the fix (each costs score)
diagnose <root cause>   say what is wrong, in your words (the last one counts)";

const BRIEFING: &str = "\
Lab: crashloop
A teammate deployed the `api` Deployment (3 replicas) in namespace default.
All 3 api Pods are in CrashLoopBackOff. \"It works on my laptop.\"
It talks to PostgreSQL and Redis, which run in the cluster.
Find the cause, fix it with kubectl, and say what it was with `diagnose <root cause>`.
Each command takes 5 s of cluster time. You are scored on the diagnosis, the fix,
and the path: look (describe, logs --previous, events, endpoints, config) before you change.
Commands: kubectl get|describe|logs|exec|run|debug|apply|create|edit|patch|
delete|label|rollout|scale|set|events, `check` (is it fixed?), `hint`,
`diagnose <text>`, `help`, `exit`.
";

/// The shell's own input and output as a [`kubectl::Console`] for
/// interactive sub-shells: the line editor on a terminal, else piped stdin
/// (no prompt is echoed then, as a shell without a terminal prints none).
struct Terminal<'a, L: Iterator<Item = std::io::Result<String>>> {
    editor: Option<&'a mut rustyline::DefaultEditor>,
    lines: &'a mut L,
    /// Talk on stderr (stdout carries the JSON scorecard).
    stderr: bool,
}

impl<L: Iterator<Item = std::io::Result<String>>> kubectl::Console for Terminal<'_, L> {
    fn read_line(&mut self, prompt: &str) -> Option<String> {
        match &mut self.editor {
            Some(ed) => loop {
                match ed.readline(prompt) {
                    Ok(l) => {
                        let _ = ed.add_history_entry(l.as_str());
                        return Some(l);
                    }
                    Err(rustyline::error::ReadlineError::Interrupted) => continue,
                    Err(_) => return None,
                }
            },
            None => self.lines.next().and_then(Result::ok),
        }
    }

    fn write(&mut self, s: &str) {
        if self.stderr {
            term::eprint(s);
        } else {
            let _ = print(s);
        }
    }
}

fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(std::process::id() as u64);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_lines_are_read() {
        assert_eq!(Line::parse("  "), Line::Nothing);
        assert_eq!(Line::parse("# note"), Line::Nothing);
        assert_eq!(Line::parse("hint"), Line::Hint);
        assert_eq!(Line::parse("done"), Line::Exit);
        assert_eq!(
            Line::parse("diagnose  the selector is wrong "),
            Line::Diagnose("the selector is wrong".into())
        );
        assert_eq!(Line::parse("diagnose"), Line::Diagnose(String::new()));
        assert_eq!(
            Line::parse("kubectl get pods"),
            Line::Command("kubectl get pods".into())
        );
        assert_eq!(Line::parse("hint me"), Line::Command("hint me".into()));
    }
}
