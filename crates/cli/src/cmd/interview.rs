//! `kubeprep interview`: the terminal front-end of the interview engine.
//!
//! Reads answers and commands (rustyline on a terminal, plain lines on a
//! pipe: the same protocol), stores each event before the engine sees it,
//! renders the engine's outputs, and keeps the session summary current for
//! `kubeprep history`. Not for: deciding anything about the interview.

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, Result};
use kubeprep_bank::Pack;
use kubeprep_grade::Grader;
use kubeprep_interview::{Event, Input, Interview, Output};
use kubeprep_sim::lab::{Fault, World};
use kubeprep_store::{AnyStore, NewSession, SessionId, SessionStatus, Store};

use super::{lab, Global};
use crate::{input, term, Outcome};

#[derive(clap::Args)]
pub struct Args {
    /// Continue a saved session: the latest unfinished one, or the one with this id (a prefix is enough)
    #[arg(long, value_name = "ID", num_args = 0..=1, default_missing_value = "")]
    resume: Option<String>,
    /// The candidate's name, shown on the scorecard
    #[arg(long, value_name = "NAME")]
    candidate: Option<String>,
    /// Vary the interviewer's wording with this seed (default: random); it also picks the lab's fault
    #[arg(long)]
    seed: Option<u64>,
    /// Take the troubleshooting question hands-on: a broken cluster to fix with kubectl
    /// (type `diagnose <root cause>`, `hint`, and `done` to return to the interview)
    #[arg(long)]
    hands_on: bool,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A running session: the engine, where its events go, and how to print.
struct Session<'a> {
    engine: Interview<'a>,
    store: &'a AnyStore,
    rt: &'a tokio::runtime::Runtime,
    id: SessionId,
    color: bool,
    persona: &'a str,
    /// The last thing printed was the status (after `/time`): do not repeat it.
    just_showed_status: bool,
}

impl Session<'_> {
    /// Stores the event, then applies it and prints what the engine says.
    fn act(&mut self, ev: Event) -> Result<()> {
        let payload = serde_json::to_value(&ev)?;
        let kind = payload
            .get("type")
            .and_then(|t| t.as_str())
            .unwrap_or("event")
            .to_string();
        self.rt
            .block_on(self.store.append(&self.id, &kind, ev.at_ms(), &payload))
            .context("cannot save the session; nothing was lost before this action")?;
        let outputs = self.engine.apply(&ev);
        self.just_showed_status = matches!(outputs.last(), Some(Output::Status(_)));
        self.render(&outputs)?;
        self.save_summary()
    }

    fn save_summary(&self) -> Result<()> {
        let card = self.engine.scorecard();
        let status = if self.engine.is_finished() {
            SessionStatus::Finished
        } else if self.engine.is_paused() {
            SessionStatus::Paused
        } else {
            SessionStatus::InProgress
        };
        let answered = card.questions.iter().filter(|q| !q.skipped).count() as u32;
        let score = (!card.questions.is_empty()).then_some(card.overall_score);
        self.rt.block_on(
            self.store
                .set_summary(&self.id, status, score, answered, now_ms()),
        )?;
        Ok(())
    }

    fn render(&self, outputs: &[Output]) -> Result<()> {
        let mut s = String::new();
        for o in outputs {
            s.push_str(&term::output(o, self.persona, self.color));
        }
        term::print(&s)
    }
}

pub fn run(g: &Global, a: Args) -> Result<Outcome> {
    let pack: Pack = g.load_pack()?;
    let grader = Grader::new(&pack)?;
    let (store, rt) = g.open_store()?;
    let color = g.color();
    let tty = std::io::stdin().is_terminal();

    let (id, events) = match &a.resume {
        Some(prefix) => {
            let id = if prefix.is_empty() {
                rt.block_on(store.latest_resumable())?.context(
                    "there is no unfinished session to resume; start one with `kubeprep interview`",
                )?
            } else {
                rt.block_on(store.resolve(prefix))?
            };
            let events = Global::session_events(&store, &rt, &id)?;
            (id, events)
        }
        None => (SessionId::new(), Vec::new()),
    };

    let mut session = Session {
        engine: Interview::new(&pack, &grader),
        store: &store,
        rt: &rt,
        id: id.clone(),
        color,
        persona: &pack.persona.name,
        just_showed_status: false,
    };

    if events.is_empty() {
        let start = now_ms();
        rt.block_on(store.create_session(NewSession {
            id: id.clone(),
            pack: pack.id.clone(),
            pack_version: pack.version.clone(),
            candidate: a.candidate.clone(),
            started_at_ms: start,
        }))?;
        term::print(&term::protocol_help(tty, color))?;
        session.act(Event::Started {
            at_ms: start,
            pack: pack.id.clone(),
            pack_version: pack.version.clone(),
            candidate: a.candidate.clone(),
            seed: a.seed.unwrap_or(start as u64),
        })?;
        if a.hands_on {
            session.act(Event::HandsOn { at_ms: start })?;
        }
    } else {
        let (engine, _) = Interview::replay(&pack, &grader, &events);
        session.engine = engine;
        if session.engine.is_finished() {
            let card = session.engine.scorecard();
            term::print(&term::scorecard(&card, color))?;
            term::print(&format!(
                "Session {} is already finished. Export it with `kubeprep report {} --format md`.\n",
                id.short(),
                id.short()
            ))?;
            return Ok(Outcome::Ok);
        }
        term::print(&format!("Resuming session {}.\n", id.short()))?;
        session.act(Event::Resumed { at_ms: now_ms() })?;
        if let Some(p) = session.engine.current_prompt() {
            session.render(&[Output::Ask(p)])?;
        }
    }

    let mut reader: Box<dyn AnswerReader> = if tty {
        Box::new(term::LineEditor::new()?)
    } else {
        Box::new(PipeReader {
            lines: std::io::stdin().lock(),
        })
    };

    // The lab's world while the candidate is in a hands-on lab.
    let mut world: Option<World> = None;
    loop {
        if session.engine.is_finished() {
            break;
        }
        if let Some(open) = session.engine.open_lab() {
            let w = match &mut world {
                Some(w) => w,
                None => {
                    let fault: Fault = open
                        .fault
                        .parse()
                        .map_err(|e| anyhow::anyhow!("the session's lab cannot start: {e}"))?;
                    if !open.commands.is_empty() {
                        term::print("(Rebuilding the lab's cluster from your commands.)\n")?;
                    }
                    world.insert(lab::rebuild(fault, open.seed, &open.commands))
                }
            };
            match lab_turn(&mut session, reader.as_mut(), w, &id)? {
                LabTurn::Continue => {}
                LabTurn::Left => world = None,
                LabTurn::Stop => return Ok(Outcome::Ok),
            }
            continue;
        }
        world = None;
        if tty && !session.just_showed_status {
            let st = session.engine.status(now_ms());
            term::print(&term::status_line(&st, color))?;
        }
        let block = match reader.read_block()? {
            Block::Text(t) => t,
            Block::Rejected(reason) => {
                term::print(&format!("{reason}\n"))?;
                continue;
            }
            Block::End => {
                // End of input saves the session, like /quit.
                session.act(Event::Paused { at_ms: now_ms() })?;
                term::print(&term::saved_message(&id))?;
                return Ok(Outcome::Ok);
            }
        };
        let ev = match Input::parse(&block) {
            Input::Empty => continue,
            Input::UnknownCommand(c) => {
                term::print(&format!(
                    "Unknown command {}; type /help for the list.\n",
                    kubeprep_interview::sanitize(&c)
                ))?;
                continue;
            }
            Input::Command(kubeprep_interview::Command::Help) => {
                term::print(&format!("{}\n", kubeprep_interview::help()))?;
                continue;
            }
            Input::Command(c) => match c.event(now_ms()) {
                Some(ev) => ev,
                None => continue,
            },
            Input::Answer(text) => Event::Answered {
                at_ms: now_ms(),
                text,
            },
        };
        let pausing = matches!(ev, Event::Paused { .. });
        session.act(ev)?;
        if pausing {
            term::print(&term::saved_message(&id))?;
            return Ok(Outcome::Ok);
        }
    }
    term::print(&format!(
        "Saved as session {}: `kubeprep report {} --format md|html|json` exports it.\n",
        id.short(),
        id.short()
    ))?;
    Ok(Outcome::Ok)
}

/// What the interview loop does after one line in the lab.
enum LabTurn {
    /// Stay in the lab.
    Continue,
    /// The candidate left the lab (`done`, `/skip`).
    Left,
    /// The session was saved and the command ends.
    Stop,
}

/// Reads and acts on one line typed in the hands-on lab.
fn lab_turn(
    session: &mut Session<'_>,
    reader: &mut dyn AnswerReader,
    world: &mut World,
    id: &SessionId,
) -> Result<LabTurn> {
    let Some(line) = reader.read_line("$ ")? else {
        // End of input saves the session, like /quit; the lab resumes from its commands.
        session.act(Event::Paused { at_ms: now_ms() })?;
        term::print(&term::saved_message(id))?;
        return Ok(LabTurn::Stop);
    };
    let done = |world: &World| {
        let fixed = world.fault_fixed();
        Event::LabDone {
            at_ms: now_ms(),
            sim_ms: lab::sim_ms(world),
            fixed: fixed.is_ok(),
            reason: fixed.err(),
        }
    };
    if line.trim_start().starts_with('/') {
        match Input::parse(&line) {
            Input::Command(kubeprep_interview::Command::Help) => {
                term::print(&format!("{LAB_HELP}\n{}\n", kubeprep_interview::help()))?;
            }
            Input::Command(kubeprep_interview::Command::Finish) => {
                session.act(done(world))?;
                if !session.engine.is_finished() {
                    session.act(Event::Finished { at_ms: now_ms() })?;
                }
                return Ok(LabTurn::Left);
            }
            Input::Command(c) => {
                if let Some(ev) = c.event(now_ms()) {
                    let pausing = matches!(ev, Event::Paused { .. });
                    let skipping = matches!(ev, Event::Skipped { .. });
                    session.act(ev)?;
                    if pausing {
                        term::print(&term::saved_message(id))?;
                        return Ok(LabTurn::Stop);
                    }
                    if skipping {
                        return Ok(LabTurn::Left);
                    }
                }
            }
            _ => {
                term::print(&format!(
                    "Unknown command {}; in the lab type kubectl commands, `hint`, `diagnose <root cause>` or `done`.\n",
                    kubeprep_interview::sanitize(line.trim())
                ))?;
            }
        }
        return Ok(LabTurn::Continue);
    }
    match lab::Line::parse(&line) {
        lab::Line::Nothing => {}
        lab::Line::Help => term::print(&format!("{LAB_HELP}\n"))?,
        lab::Line::Hint => session.act(Event::HintRequested { at_ms: now_ms() })?,
        lab::Line::Diagnose(text) => {
            if text.len() > input::MAX_ANSWER_BYTES {
                term::print("That diagnosis is too long and was not saved.\n")?;
            } else {
                session.act(Event::LabDiagnosed {
                    at_ms: now_ms(),
                    text,
                    sim_ms: lab::sim_ms(world),
                })?;
            }
        }
        lab::Line::Exit => {
            session.act(done(world))?;
            return Ok(LabTurn::Left);
        }
        lab::Line::Command(cmd) => {
            let mut console = ReaderConsole { reader };
            let mut recorder = lab::Recorder::new(&mut console);
            let (out, refused) = lab::run_command(world, &cmd, &mut recorder);
            let inside = recorder.typed;
            session.act(Event::LabCommand {
                at_ms: now_ms(),
                line: cmd,
                sim_ms: lab::sim_ms(world),
                refused,
                inside,
            })?;
            term::print(&kubeprep_interview::sanitize(&out))?;
        }
    }
    Ok(LabTurn::Continue)
}

/// The interview's input as the console of a lab sub-shell (`run -it`).
struct ReaderConsole<'a> {
    reader: &'a mut dyn AnswerReader,
}

impl lab::kubectl::Console for ReaderConsole<'_> {
    fn read_line(&mut self, prompt: &str) -> Option<String> {
        self.reader.read_line(prompt).ok().flatten()
    }
    fn write(&mut self, s: &str) {
        let _ = term::print(s);
    }
}

/// The lab's commands inside an interview.
const LAB_HELP: &str = "\
In the lab: kubectl get|describe|logs|patch|delete|label|rollout restart|set ...,
`check` (is it fixed?), `hint` (or /hint), `diagnose <root cause>` (the last one counts),
`done` to go back to the interview; /skip, /time, /quit and /finish work as in the interview.";

/// One submitted block of input.
pub enum Block {
    /// Lines up to the submitting empty line or `.`.
    Text(String),
    /// Input that cannot be an answer, with the reason to show.
    Rejected(String),
    /// No more input.
    End,
}

/// Where answers come from.
pub trait AnswerReader {
    /// The next block: an answer, a command, or the end.
    fn read_block(&mut self) -> Result<Block>;

    /// The next single line (a lab shell command); `None` at the end of input.
    fn read_line(&mut self, prompt: &str) -> Result<Option<String>>;
}

/// Piped stdin: the same protocol as the terminal, without an editor.
struct PipeReader<R: BufRead> {
    lines: R,
}

impl<R: BufRead> AnswerReader for PipeReader<R> {
    fn read_block(&mut self) -> Result<Block> {
        let mut block: Vec<u8> = Vec::new();
        let mut too_big = false;
        let mut got_any = false;
        // After `/yaml`, a manifest: empty lines are part of it, a lone `.` ends it.
        let mut manifest = false;
        loop {
            let mut line = Vec::new();
            let n = self
                .lines
                .read_until(b'\n', &mut line)
                .context("cannot read stdin")?;
            if n == 0 {
                if !got_any {
                    return Ok(Block::End);
                }
                break;
            }
            got_any = true;
            let trimmed = line.trim_ascii();
            if !manifest && block.is_empty() && is_yaml_command(trimmed) {
                manifest = true;
                continue;
            }
            if manifest && trimmed != b"." {
                if !too_big && block.len() + line.len() > input::MAX_ANSWER_BYTES {
                    too_big = true;
                }
                if !too_big {
                    block.extend_from_slice(&line);
                }
                continue;
            }
            let is_command = !manifest && block.is_empty() && trimmed.starts_with(b"/");
            if trimmed.is_empty() || trimmed == b"." {
                if manifest {
                    break;
                }
                if block.is_empty() && !too_big {
                    continue;
                }
                break;
            }
            if too_big || block.len() + line.len() > input::MAX_ANSWER_BYTES {
                too_big = true;
                block.clear();
                continue;
            }
            block.extend_from_slice(&line);
            if is_command {
                break;
            }
        }
        if too_big {
            return Ok(Block::Rejected(format!(
                "That answer is over {} KB and was not saved; keep answers shorter.",
                input::MAX_ANSWER_BYTES / 1024
            )));
        }
        match input::check_text(block, "that answer") {
            Ok(t) if manifest => Ok(manifest_block(&t)),
            Ok(t) => Ok(Block::Text(t)),
            Err(e) => Ok(Block::Rejected(format!("{e}; it was not saved."))),
        }
    }

    fn read_line(&mut self, _prompt: &str) -> Result<Option<String>> {
        let mut line = Vec::new();
        let n = std::io::Read::take(&mut self.lines, input::MAX_ANSWER_BYTES as u64 + 1)
            .read_until(b'\n', &mut line)
            .context("cannot read stdin")?;
        if n == 0 {
            return Ok(None);
        }
        if line.len() > input::MAX_ANSWER_BYTES {
            // Drop the rest of an oversized line.
            let mut rest = Vec::new();
            self.lines.read_until(b'\n', &mut rest).ok();
            return Ok(Some(String::new()));
        }
        Ok(Some(String::from_utf8_lossy(&line).trim_end().to_string()))
    }
}

/// `/yaml` (or `/manifest`) on a line of its own starts a manifest.
pub fn is_yaml_command(line: &[u8]) -> bool {
    line.eq_ignore_ascii_case(b"/yaml") || line.eq_ignore_ascii_case(b"/manifest")
}

/// A manifest read after `/yaml`, submitted as an answer holding a fenced YAML block.
pub fn manifest_block(text: &str) -> Block {
    let body = text.trim_matches('\n');
    if body.trim().is_empty() {
        return Block::Rejected("The manifest was empty; nothing was saved.".to_string());
    }
    Block::Text(format!("```yaml\n{body}\n```"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(input: &[u8]) -> Vec<String> {
        let mut r = PipeReader { lines: input };
        let mut out = Vec::new();
        loop {
            match r.read_block().unwrap() {
                Block::Text(t) => out.push(t),
                Block::Rejected(why) => out.push(format!("REJECTED {why}")),
                Block::End => return out,
            }
        }
    }

    #[test]
    fn yaml_command_reads_a_manifest_with_empty_lines_until_a_lone_dot() {
        let b = blocks(
            b"/yaml\napiVersion: apps/v1\n\nkind: Deployment\n.\nthen an answer\n\n/yaml\n.\n",
        );
        assert_eq!(
            b,
            vec![
                "```yaml\napiVersion: apps/v1\n\nkind: Deployment\n```",
                "then an answer\n",
                "REJECTED The manifest was empty; nothing was saved.",
            ]
        );
    }

    #[test]
    fn pipe_protocol_splits_answers_and_commands() {
        let b = blocks(b"first line\nsecond line\n\n/hint\nyaml:\n  a: 1\n.\n\n\nlast");
        assert_eq!(
            b,
            vec![
                "first line\nsecond line\n",
                "/hint\n",
                "yaml:\n  a: 1\n",
                "last"
            ]
        );
    }

    #[test]
    fn bad_blocks_are_rejected_and_reading_goes_on() {
        let mut input = b"ok \xff\n\n".to_vec();
        input.extend(vec![b'x'; input::MAX_ANSWER_BYTES + 10]);
        input.extend(b"\n\nafter\n");
        let b = blocks(&input);
        assert!(
            b[0].starts_with("REJECTED") && b[0].contains("UTF-8"),
            "{b:?}"
        );
        assert!(b[1].starts_with("REJECTED") && b[1].contains("KB"), "{b:?}");
        assert_eq!(b[2], "after\n");
    }
}
