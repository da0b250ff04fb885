//! The interview engine: a pure state machine folded over session [`Event`]s.
//!
//! [`Interview::apply`] takes one event and returns what the interviewer says
//! ([`Output`]s); [`Interview::replay`] folds a stored session, so resuming a
//! session and re-grading it with a newer grader are the same operation. The
//! engine reads no clock (every event carries its time), does no I/O and
//! prints nothing. Not for: the rules of flow and difficulty (`flow.rs`), the
//! wording (`voice.rs`) or the scorecard's contents (`scorecard.rs`).

use kubeprep_bank::{Pack, Phase, Question};
use kubeprep_grade::{Assessment, Grader, Level, Proof};

use crate::event::Event;
use crate::flow;
use crate::lab::{LabScorecard, LabSession, Step};
use crate::output::{Challenge, Output, Prompt, PromptKind, Reply, Status};
use crate::record::{Probe, QuestionRecord};
use crate::scorecard::{self, Scorecard, SessionInfo, Speaker, Turn, TurnKind};
use crate::voice::{self, Voice};

/// Minutes to milliseconds.
fn minutes_ms(minutes: u32) -> i64 {
    i64::from(minutes) * 60_000
}

/// Active time: it runs between `Started`/`Resumed` and `Paused`.
#[derive(Debug, Clone, Default)]
struct Clock {
    total_ms: i64,
    phase_ms: i64,
    /// When the clock last advanced, while it runs.
    running_since: Option<i64>,
}

impl Clock {
    /// Advances to `at_ms` if running. Timestamps that go backwards add nothing.
    fn tick(&mut self, at_ms: i64) {
        if let Some(last) = self.running_since {
            let d = at_ms.saturating_sub(last).max(0);
            self.total_ms = self.total_ms.saturating_add(d);
            self.phase_ms = self.phase_ms.saturating_add(d);
            self.running_since = Some(last.max(at_ms));
        }
    }

    fn stop(&mut self, at_ms: i64) {
        self.tick(at_ms);
        self.running_since = None;
    }

    fn start(&mut self, at_ms: i64) {
        if self.running_since.is_none() {
            self.running_since = Some(at_ms);
        }
    }

    /// Runs from `at_ms`, dropping whatever time passed since the last event.
    fn restart(&mut self, at_ms: i64) {
        self.running_since = Some(at_ms);
    }

    /// `(total, phase)` as they would be at `now_ms`, without advancing.
    fn peek(&self, now_ms: i64) -> (i64, i64) {
        let d = self
            .running_since
            .map_or(0, |last| now_ms.saturating_sub(last).max(0));
        (
            self.total_ms.saturating_add(d),
            self.phase_ms.saturating_add(d),
        )
    }
}

/// What `Started` said about the session.
#[derive(Debug, Clone)]
struct Session {
    pack_version: String,
    candidate: Option<String>,
    seed: u64,
    started_at_ms: i64,
}

/// An interview in progress: the fold of its events so far.
pub struct Interview<'a> {
    pack: &'a Pack,
    grader: &'a Grader,
    session: Option<Session>,
    clock: Clock,
    /// Index into `pack.phases`.
    phase: usize,
    /// The current phase's intro has been said.
    phase_opened: bool,
    challenge: Challenge,
    /// The candidate chose the difficulty; the engine no longer adjusts it.
    pinned: bool,
    /// The first answered question has set the difficulty.
    calibrated: bool,
    records: Vec<QuestionRecord>,
    /// Index into `records` of the question being asked.
    current: Option<usize>,
    transcript: Vec<Turn>,
    paused: bool,
    finished: bool,
    /// `--hands-on`: questions a pack lab stands in for are taken as labs.
    hands_on: bool,
    /// The lab in progress, with the lines run in it (to rebuild its world).
    lab: Option<(LabSession<'a>, Vec<LabLine>)>,
    /// The lab's result, once it is done.
    lab_card: Option<LabScorecard>,
}

/// A lab in progress, as a front-end needs it to (re)build the lab's world:
/// `World::new(fault, seed)`, then every line in `commands` again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenLab {
    /// Lab id, e.g. `crashloop`.
    pub lab: String,
    /// The fault's id.
    pub fault: String,
    /// The world's seed.
    pub seed: u64,
    /// The lines run so far, in order.
    pub commands: Vec<LabLine>,
}

/// One command run in a lab, with what was typed inside the interactive
/// shell it opened, if any: replayed in order, they rebuild the world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabLine {
    /// The command as typed.
    pub line: String,
    /// Lines typed inside its sub-shell.
    pub inside: Vec<String>,
}

impl<'a> Interview<'a> {
    /// A session that has not started: apply `Event::Started` first.
    pub fn new(pack: &'a Pack, grader: &'a Grader) -> Interview<'a> {
        Interview {
            pack,
            grader,
            session: None,
            clock: Clock::default(),
            phase: 0,
            phase_opened: false,
            challenge: Challenge::Normal,
            pinned: false,
            calibrated: false,
            records: Vec::new(),
            current: None,
            transcript: Vec::new(),
            paused: false,
            finished: false,
            hands_on: false,
            lab: None,
            lab_card: None,
        }
    }

    /// The lab in progress, if the candidate is in one.
    pub fn open_lab(&self) -> Option<OpenLab> {
        self.lab.as_ref().map(|(s, lines)| OpenLab {
            lab: s.lab().id.clone(),
            fault: s.fault().id.clone(),
            seed: self.session.as_ref().map_or(0, |x| x.seed),
            commands: lines.clone(),
        })
    }

    /// Folds `events` into a session; returns it with every output produced on the way.
    pub fn replay(
        pack: &'a Pack,
        grader: &'a Grader,
        events: &[Event],
    ) -> (Interview<'a>, Vec<Output>) {
        let mut interview = Interview::new(pack, grader);
        let outputs = events.iter().flat_map(|e| interview.apply(e)).collect();
        (interview, outputs)
    }

    /// Applies one event (already stored by the caller) and says what follows.
    pub fn apply(&mut self, ev: &Event) -> Vec<Output> {
        let mut out = Vec::new();
        if self.finished {
            out.push(Output::Notice(
                "This interview is over; the scorecard is final.".to_string(),
            ));
            return out;
        }
        let at = ev.at_ms();
        if let Event::Started {
            pack,
            pack_version,
            candidate,
            seed,
            ..
        } = ev
        {
            self.start(at, pack, pack_version, candidate.clone(), *seed, &mut out);
            return out;
        }
        if self.session.is_none() {
            out.push(Output::Notice(
                "The interview has not started yet.".to_string(),
            ));
            return out;
        }
        match ev {
            // Time away (paused, or a crashed front-end) never counts: the clock restarts now.
            Event::Resumed { .. } => self.clock.restart(at),
            Event::Paused { .. } | Event::Finished { .. } => self.clock.tick(at),
            _ if self.paused => {
                // An action while paused resumes the clock from now; the gap does not count.
                self.paused = false;
                self.clock.start(at);
            }
            _ => self.clock.tick(at),
        }
        match ev {
            Event::Started { .. } => {}
            Event::Answered { text, .. } => self.answer(text, &mut out),
            Event::HintRequested { .. } => self.hint(&mut out),
            Event::Skipped { .. } => self.skip(&mut out),
            Event::Easier { .. } => self.change_challenge(false, &mut out),
            Event::Harder { .. } => self.change_challenge(true, &mut out),
            Event::TimeAsked { .. } => out.push(Output::Status(self.status(at))),
            Event::Paused { .. } => {
                self.clock.stop(at);
                self.paused = true;
                out.push(Output::Notice(
                    "Paused. Your session is saved; resume it to pick up where you left off."
                        .to_string(),
                ));
            }
            Event::Resumed { .. } => {
                self.paused = false;
                let line = self.voice().welcome_back();
                self.say(line, &mut out);
                if let Some(p) = self.current_prompt() {
                    out.push(Output::Ask(p));
                }
            }
            Event::Finished { .. } => {
                self.command_turn("/finish");
                self.finish(at, &mut out);
            }
            Event::HandsOn { .. } => self.hands_on = true,
            Event::LabCommand {
                line,
                sim_ms,
                refused,
                inside,
                ..
            } => self.lab_command(line, inside, *sim_ms, *refused, &mut out),
            Event::LabDiagnosed { text, sim_ms, .. } => self.lab_diagnosed(text, *sim_ms, &mut out),
            Event::LabDone {
                sim_ms,
                fixed,
                reason,
                ..
            } => self.lab_done(*sim_ms, *fixed, reason.as_deref(), &mut out),
        }
        out
    }

    /// What is being asked right now (to re-show after a resume), if anything.
    pub fn current_prompt(&self) -> Option<Prompt> {
        if self.finished {
            return None;
        }
        let r = self.records.get(self.current?)?;
        let phase_title = self.phase_title(r.phase);
        Some(match &r.probe {
            Some(p) => Prompt {
                question_id: r.id.clone(),
                kind: PromptKind::Probe,
                text: p.text.clone(),
                phase_title,
            },
            None => Prompt {
                question_id: r.id.clone(),
                kind: r.kind,
                text: r.text.clone(),
                phase_title,
            },
        })
    }

    /// Where the interview stands at `now_ms` (the clock is not advanced).
    pub fn status(&self, now_ms: i64) -> Status {
        let (total, phase_elapsed) = self.clock.peek(now_ms);
        let index = self.phase.min(self.pack.phases.len().saturating_sub(1));
        let phase = self.pack.phases.get(index);
        Status {
            phase_id: phase.map(|p| p.id.clone()).unwrap_or_default(),
            phase_title: phase.map(|p| p.title.clone()).unwrap_or_default(),
            phase_number: index + 1,
            phase_count: self.pack.phases.len(),
            phase_elapsed_ms: phase_elapsed,
            phase_budget_ms: phase.map_or(0, |p| minutes_ms(p.minutes)),
            total_elapsed_ms: total,
            total_budget_ms: self.total_budget_ms(),
            question_number: self.records.len(),
            challenge: self.challenge,
            paused: self.paused,
            finished: self.finished,
        }
    }

    /// Whether the interview is over.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Whether the session is paused (`/quit`).
    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// The current difficulty.
    pub fn challenge(&self) -> Challenge {
        self.challenge
    }

    /// Every turn so far.
    pub fn transcript(&self) -> &[Turn] {
        &self.transcript
    }

    /// The scorecard of what has been answered so far (final once finished).
    pub fn scorecard(&self) -> Scorecard {
        let info = SessionInfo {
            pack: self.pack.id.clone(),
            pack_title: self.pack.title.clone(),
            pack_version: self
                .session
                .as_ref()
                .map_or_else(|| self.pack.version.clone(), |s| s.pack_version.clone()),
            candidate: self.session.as_ref().and_then(|s| s.candidate.clone()),
            interviewer: format!("{}, {}", self.pack.persona.name, self.pack.persona.role),
            started_at_ms: self.session.as_ref().map(|s| s.started_at_ms),
            elapsed_ms: self.clock.total_ms,
            finished: self.finished,
            challenge: self.challenge,
        };
        scorecard::build(
            self.pack,
            info,
            &self.records,
            &self.transcript,
            self.lab_card.clone(),
        )
    }

    // ---- event handlers -------------------------------------------------

    fn start(
        &mut self,
        at: i64,
        pack: &str,
        pack_version: &str,
        candidate: Option<String>,
        seed: u64,
        out: &mut Vec<Output>,
    ) {
        if self.session.is_some() {
            out.push(Output::Notice(
                "The interview has already started.".to_string(),
            ));
            return;
        }
        if pack != self.pack.id || pack_version != self.pack.version {
            out.push(Output::Notice(format!(
                "This session was recorded with pack {pack} {pack_version}; it is graded with {} {}.",
                self.pack.id, self.pack.version
            )));
        }
        self.session = Some(Session {
            pack_version: pack_version.to_string(),
            candidate,
            seed,
            started_at_ms: at,
        });
        self.clock.start(at);
        let opening = self.pack.persona.opening.trim().to_string();
        self.say(opening, out);
        self.advance(out);
    }

    fn answer(&mut self, text: &str, out: &mut Vec<Output>) {
        if self.lab.is_some() {
            out.push(Output::Notice(LAB_HELP.to_string()));
            return;
        }
        let Some(i) = self.current else {
            out.push(Output::Notice(
                "There is no question waiting for an answer.".to_string(),
            ));
            return;
        };
        let text = text.trim();
        if text.is_empty() {
            out.push(Output::Notice(
                "Type an answer, or /hint, /skip, /help.".to_string(),
            ));
            return;
        }
        let qid = self.records[i].id.clone();
        self.turn(Speaker::Candidate, TurnKind::Answer, text, Some(&qid));
        let elapsed = self.clock.total_ms;
        let rec = &mut self.records[i];
        if rec.answers.is_empty() {
            rec.answer_ms = Some(elapsed.saturating_sub(rec.asked_at_elapsed_ms));
        }
        rec.answers.push(text.to_string());
        // A manifest in the answer is run; the latest one stands for the question.
        let ran = crate::manifest::extract(text).map(|yaml| {
            let (verdict, proofs) = crate::simulate::run(self.pack, &qid, &yaml);
            rec.simulation = Some(verdict.clone());
            rec.proofs = proofs;
            verdict
        });
        let combined = rec.answers.join("\n\n");
        let assessment = match self.grader.grade_with_proofs(&qid, &combined, &rec.proofs) {
            Ok(a) => a,
            Err(e) => {
                out.push(Output::Notice(format!(
                    "This answer could not be graded ({e}); moving on."
                )));
                self.records[i].done = true;
                self.complete(out);
                return;
            }
        };
        let salt = self.salt();
        let pack = self.pack;
        let question = pack.question(&qid);
        let voice = self.voice();
        if let Some(probe) = self.records[i].probe.clone() {
            // The probe's answer: re-graded together with the first answer.
            let before = self.records[i]
                .first
                .clone()
                .unwrap_or_else(|| assessment.clone());
            let alone = self.grader.grade(&qid, text).ok();
            let mut text = voice.probe_reply(&before, &assessment, alone.as_ref(), &probe, salt);
            if let Some(v) = &ran {
                text = format!("{}\n\n{text}", v.reaction());
            }
            let rec = &mut self.records[i];
            rec.assessment = Some(assessment);
            rec.done = true;
            self.reply_final(i, text, out);
            self.complete(out);
            return;
        }
        let time_left = self.within_budgets();
        let probe = match question {
            Some(q) if time_left => choose_probe(q, &assessment),
            _ => None,
        };
        let mut text = match question {
            Some(q) => voice.first_reply(q, &assessment, probe.as_ref(), salt),
            None => assessment.feedback.clone(),
        };
        if let Some(v) = &ran {
            text = format!("{}\n\n{text}", v.reaction());
        }
        let rec = &mut self.records[i];
        rec.first = Some(assessment.clone());
        rec.assessment = Some(assessment);
        match probe {
            Some(p) => {
                rec.probe = Some(p.clone());
                self.turn(Speaker::Interviewer, TurnKind::Reply, &text, Some(&qid));
                out.push(Output::Reply(Reply {
                    question_id: qid.clone(),
                    text,
                    score: None,
                    level: None,
                }));
                self.turn(Speaker::Interviewer, TurnKind::Probe, &p.text, Some(&qid));
                out.push(Output::Ask(Prompt {
                    question_id: qid,
                    kind: PromptKind::Probe,
                    text: p.text,
                    phase_title: self.phase_title(self.records[i].phase),
                }));
            }
            None => {
                rec.done = true;
                self.reply_final(i, text, out);
                self.complete(out);
            }
        }
    }

    fn hint(&mut self, out: &mut Vec<Output>) {
        let Some(i) = self.current else {
            out.push(Output::Notice(
                "There is no question to give a hint for.".to_string(),
            ));
            return;
        };
        let qid = self.records[i].id.clone();
        self.command_turn_for("/hint", &qid);
        if let Some((lab, _)) = &mut self.lab {
            let sim_ms = lab.actions().last().map_or(0, |a| a.sim_ms);
            match lab.hint(sim_ms) {
                Some(h) => {
                    self.records[i].hints = h.level;
                    self.turn(
                        Speaker::Interviewer,
                        TurnKind::Hint,
                        &format!("Hint {} ({}): {}", h.level, h.name, h.text),
                        Some(&qid),
                    );
                    out.push(Output::Hint {
                        level: h.level,
                        name: h.name,
                        text: h.text,
                    });
                }
                None => out.push(Output::Notice(
                    "No more hints for this lab -- that was the full walkthrough.".to_string(),
                )),
            }
            return;
        }
        let used = self.records[i].hints;
        let pack = self.pack;
        let Some(q) = pack.question(&qid) else {
            out.push(Output::Notice(
                "There are no hints for this question.".to_string(),
            ));
            return;
        };
        let (name, text) = match used {
            0 => ("nudge", &q.hints.nudge),
            1 => ("direction", &q.hints.direction),
            2 => ("partial", &q.hints.partial),
            3 => ("walkthrough", &q.hints.walkthrough),
            _ => {
                out.push(Output::Notice(
                    "No more hints for this question -- that was the full walkthrough.".to_string(),
                ));
                return;
            }
        };
        let level = used + 1;
        self.records[i].hints = level;
        let text = text.trim().to_string();
        self.turn(
            Speaker::Interviewer,
            TurnKind::Hint,
            &format!("Hint {level} ({name}): {text}"),
            Some(&qid),
        );
        out.push(Output::Hint { level, name, text });
    }

    fn skip(&mut self, out: &mut Vec<Output>) {
        let Some(i) = self.current else {
            out.push(Output::Notice("There is no question to skip.".to_string()));
            return;
        };
        let qid = self.records[i].id.clone();
        self.command_turn_for("/skip", &qid);
        self.lab = None;
        let rec = &mut self.records[i];
        // Skipping a probe keeps the answer already given; skipping a question scores it 0.
        if rec.probe.is_none() {
            rec.skipped = true;
        }
        rec.done = true;
        let line = self.voice().skipped(self.salt());
        self.reply_final(i, line, out);
        self.complete(out);
    }

    fn change_challenge(&mut self, harder: bool, out: &mut Vec<Output>) {
        self.command_turn(if harder { "/harder" } else { "/easier" });
        let next = if harder {
            self.challenge.harder()
        } else {
            self.challenge.easier()
        };
        if next == self.challenge {
            out.push(Output::Notice(format!(
                "Difficulty is already at its {} setting.",
                if harder { "hardest" } else { "easiest" }
            )));
            return;
        }
        self.challenge = next;
        self.pinned = true;
        out.push(Output::Notice(if harder {
            "Harder it is: the next questions will be tougher.".to_string()
        } else {
            "Easier it is: the next questions will be gentler.".to_string()
        }));
    }

    fn finish(&mut self, at: i64, out: &mut Vec<Output>) {
        // A lab left open (the front-end sends `LabDone` first when it can) counts as not taken.
        self.lab = None;
        if let Some(i) = self.current.take() {
            // An answered question counts as it stands; an unanswered one does not count.
            if let Some(r) = self.records.get_mut(i) {
                r.done = true;
            }
        }
        self.clock.stop(at);
        self.finished = true;
        self.paused = false;
        let closing = self.pack.persona.closing.trim().to_string();
        self.say(closing, out);
        out.push(Output::Finished(Box::new(self.scorecard())));
    }

    // ---- the hands-on lab -------------------------------------------------

    fn lab_command(
        &mut self,
        line: &str,
        inside: &[String],
        sim_ms: i64,
        refused: bool,
        out: &mut Vec<Output>,
    ) {
        let Some((lab, lines)) = &mut self.lab else {
            out.push(Output::Notice("There is no lab in progress.".to_string()));
            return;
        };
        let mut step = Step::from_line(line);
        if refused {
            step.checks.clear();
            step.change = false;
        }
        lab.record(sim_ms, step);
        for typed in inside {
            lab.record(sim_ms, Step::from_inside(typed));
        }
        lines.push(LabLine {
            line: line.to_string(),
            inside: inside.to_vec(),
        });
        let q = self
            .current
            .and_then(|i| self.records.get(i))
            .map(|r| r.id.clone());
        self.turn(
            Speaker::Candidate,
            TurnKind::Command,
            &format!("$ {line}"),
            q.as_deref(),
        );
    }

    fn lab_diagnosed(&mut self, text: &str, sim_ms: i64, out: &mut Vec<Output>) {
        let Some((lab, _)) = &mut self.lab else {
            out.push(Output::Notice("There is no lab in progress.".to_string()));
            return;
        };
        let text = text.trim();
        if text.is_empty() {
            out.push(Output::Notice(
                "Say what the root cause is: diagnose <what you found>.".to_string(),
            ));
            return;
        }
        if let Err(e) = lab.diagnose(sim_ms, text) {
            out.push(Output::Notice(format!(
                "This diagnosis could not be graded ({e})."
            )));
            return;
        }
        let n = lab.diagnoses().len();
        let q = self
            .current
            .and_then(|i| self.records.get(i))
            .map(|r| r.id.clone());
        self.turn(Speaker::Candidate, TurnKind::Answer, text, q.as_deref());
        out.push(Output::Notice(format!(
            "Diagnosis {n} noted; the last one counts. Type `done` when you are finished."
        )));
    }

    fn lab_done(&mut self, sim_ms: i64, fixed: bool, reason: Option<&str>, out: &mut Vec<Output>) {
        let Some((mut lab, _)) = self.lab.take() else {
            out.push(Output::Notice("There is no lab in progress.".to_string()));
            return;
        };
        let Some(i) = self.current else {
            return;
        };
        // The world's clock at `done` is the lab's duration.
        lab.record_time(sim_ms);
        let verdict = if fixed {
            Ok(())
        } else {
            Err(reason.unwrap_or("the fault is still there").to_string())
        };
        let card = lab.scorecard(verdict);
        let qid = self.records[i].id.clone();
        let proofs: Vec<Proof> = lab
            .lab()
            .proves
            .iter()
            .filter_map(|p| {
                let done = card
                    .path
                    .iter()
                    .find(|c| c.check == p.check.id() && c.done && c.before_first_change)?;
                Some(Proof {
                    key_point: p.key_point.clone(),
                    evidence: format!(
                        "In the lab, before changing anything: `{}`",
                        done.command.as_deref().unwrap_or(p.check.id())
                    ),
                })
            })
            .collect();
        let answers: Vec<String> = lab.diagnoses().iter().map(|d| d.text.clone()).collect();
        let combined = answers.join("\n\n");
        let assessment = self.grader.grade_with_proofs(&qid, &combined, &proofs).ok();
        let rec = &mut self.records[i];
        rec.answers = answers;
        rec.proofs = proofs;
        rec.hints = card.hints;
        rec.answer_ms = Some(self.clock.total_ms.saturating_sub(rec.asked_at_elapsed_ms));
        rec.first = assessment.clone();
        rec.assessment = assessment;
        rec.done = true;
        let mut text = String::new();
        text.push_str(&if card.fix.fixed {
            "You fixed it -- the api Pods come up Ready.".to_string()
        } else {
            format!(
                "It's still broken: {}.",
                card.fix
                    .reason
                    .as_deref()
                    .unwrap_or("the fault is still there")
                    .trim_end_matches('.')
            )
        });
        text.push_str(&format!(
            " Lab score {}/100: diagnosis {}/100, path {}/100{}, {} commands.",
            card.overall,
            card.diagnosis.score,
            card.path_score,
            if card.guessed {
                " (you changed things before looking)"
            } else {
                ""
            },
            card.commands
        ));
        if !card.diagnosis.given {
            text.push_str(" You never said what the root cause was.");
        }
        text.push_str(&format!(" What it was: {}", card.cause));
        self.lab_card = Some(card);
        self.reply_final(i, text, out);
        self.complete(out);
    }

    // ---- flow -----------------------------------------------------------

    /// After a question is done: adapt difficulty, respect the budgets, ask the next.
    fn complete(&mut self, out: &mut Vec<Output>) {
        let Some(i) = self.current.take() else {
            return;
        };
        self.adapt(i, out);
        if self.clock.total_ms >= self.total_budget_ms() {
            let at = self.clock.running_since.unwrap_or_default();
            self.finish(at, out);
            return;
        }
        let over_phase = self
            .pack
            .phases
            .get(self.phase)
            .is_some_and(|p| self.clock.phase_ms >= minutes_ms(p.minutes));
        if over_phase {
            self.next_phase();
        }
        self.advance(out);
    }

    /// Asks the next question: in this phase if one is left, else in the next phases;
    /// finishes when none is left.
    fn advance(&mut self, out: &mut Vec<Output>) {
        let pack = self.pack;
        loop {
            let Some(phase) = pack.phases.get(self.phase) else {
                let at = self.clock.running_since.unwrap_or_default();
                self.phase = self.pack.phases.len().saturating_sub(1);
                self.finish(at, out);
                return;
            };
            if let Some(q) = flow::next_question(pack, phase, self.challenge, &self.records) {
                let line = if self.phase_opened {
                    Some(self.voice().transition(self.salt()))
                } else {
                    self.phase_opened = true;
                    phase
                        .intro
                        .as_deref()
                        .map(|s| s.trim().to_string())
                        .or_else(|| {
                            (!self.records.is_empty()).then(|| self.voice().transition(self.salt()))
                        })
                };
                if let Some(line) = line {
                    self.say(line, out);
                }
                self.ask(q, phase, out);
                return;
            }
            self.next_phase();
        }
    }

    fn next_phase(&mut self) {
        self.phase += 1;
        self.phase_opened = false;
        self.clock.phase_ms = 0;
    }

    fn ask(&mut self, q: &Question, phase: &Phase, out: &mut Vec<Output>) {
        let kind = if q.parent.is_some() {
            PromptKind::FollowUp
        } else {
            PromptKind::Main
        };
        let pack = self.pack;
        let lab = pack
            .lab_for_question(&q.id)
            .filter(|_| self.hands_on && self.lab_card.is_none());
        // Hands-on: the question is taken as its lab, introduced by the lab.
        let mut lab_intro = None;
        if let Some(lab) = lab {
            let seed = self.session.as_ref().map_or(0, |s| s.seed);
            let fault = kubeprep_sim::lab::Fault::for_seed(seed);
            if let Some(session) = LabSession::new(pack, self.grader, &lab.id, fault.id(), seed) {
                self.lab = Some((session, Vec::new()));
                lab_intro = Some(lab.intro.trim().to_string());
            }
        }
        let text = match lab_intro {
            Some(intro) => intro,
            None => {
                let text = voice::without_praise(q.text.trim()).to_string();
                match q
                    .constraint
                    .as_deref()
                    .map(str::trim)
                    .filter(|c| !c.is_empty() && self.challenge == Challenge::Hard)
                {
                    Some(c) => format!("{text} {c}"),
                    None => text,
                }
            }
        };
        self.records.push(QuestionRecord::new(
            q.id.clone(),
            kind,
            text.clone(),
            self.phase,
            self.clock.total_ms,
        ));
        self.current = Some(self.records.len() - 1);
        self.turn(Speaker::Interviewer, TurnKind::Question, &text, Some(&q.id));
        out.push(Output::Ask(Prompt {
            question_id: q.id.clone(),
            kind,
            text,
            phase_title: phase.title.clone(),
        }));
    }

    /// Difficulty after question `i` is done (see `flow.rs` for the rule).
    fn adapt(&mut self, i: usize, out: &mut Vec<Output>) {
        if self.pinned {
            return;
        }
        let Some(rec) = self.records.get(i) else {
            return;
        };
        let next = if self.calibrated {
            let counted: Vec<u8> = self
                .records
                .iter()
                .filter(|r| r.done && r.counts())
                .map(QuestionRecord::score)
                .collect();
            if counted.is_empty() {
                return;
            }
            let avg = counted.iter().map(|&s| f64::from(s)).sum::<f64>() / counted.len() as f64;
            flow::adjust(self.challenge, avg)
        } else if rec.assessment.is_some() && !rec.skipped {
            self.calibrated = true;
            flow::calibrate(rec.score(), rec.answer_ms)
        } else {
            return;
        };
        if next == Challenge::Hard && self.challenge != Challenge::Hard {
            let line = self.voice().stepping_up(self.salt());
            self.say(line, out);
        }
        self.challenge = next;
    }

    // ---- helpers --------------------------------------------------------

    fn voice(&self) -> Voice<'a> {
        Voice::new(
            &self.pack.persona,
            self.session.as_ref().map_or(0, |s| s.seed),
        )
    }

    /// Varies wording with the position in the conversation (replays identically).
    fn salt(&self) -> u64 {
        self.transcript.len() as u64
    }

    fn total_budget_ms(&self) -> i64 {
        self.pack.phases.iter().map(|p| minutes_ms(p.minutes)).sum()
    }

    fn within_budgets(&self) -> bool {
        let phase_ok = self
            .pack
            .phases
            .get(self.phase)
            .is_some_and(|p| self.clock.phase_ms < minutes_ms(p.minutes));
        phase_ok && self.clock.total_ms < self.total_budget_ms()
    }

    fn phase_title(&self, index: usize) -> String {
        self.pack
            .phases
            .get(index)
            .map(|p| p.title.clone())
            .unwrap_or_default()
    }

    fn say(&mut self, text: String, out: &mut Vec<Output>) {
        if text.is_empty() {
            return;
        }
        self.turn(Speaker::Interviewer, TurnKind::Say, &text, None);
        out.push(Output::Say(text));
    }

    /// The reply that closes question `i`, with its final score.
    fn reply_final(&mut self, i: usize, text: String, out: &mut Vec<Output>) {
        let Some(rec) = self.records.get(i) else {
            return;
        };
        let (qid, score) = (rec.id.clone(), rec.score());
        self.turn(Speaker::Interviewer, TurnKind::Reply, &text, Some(&qid));
        out.push(Output::Reply(Reply {
            question_id: qid,
            text,
            score: Some(score),
            level: Some(Level::from_score(score)),
        }));
    }

    fn turn(&mut self, speaker: Speaker, kind: TurnKind, text: &str, question: Option<&str>) {
        self.transcript.push(Turn {
            speaker,
            kind,
            text: text.to_string(),
            question: question.map(str::to_string),
        });
    }

    fn command_turn(&mut self, command: &str) {
        let q = self
            .current
            .and_then(|i| self.records.get(i))
            .map(|r| r.id.clone());
        self.turn(Speaker::Candidate, TurnKind::Command, command, q.as_deref());
    }

    fn command_turn_for(&mut self, command: &str, question: &str) {
        self.turn(
            Speaker::Candidate,
            TurnKind::Command,
            command,
            Some(question),
        );
    }
}

/// Said when a candidate types an answer while in the lab.
const LAB_HELP: &str = "You're in the lab: type kubectl commands, `diagnose <root cause>`, `hint`, or `done` to go back to the interview.";

/// The one probe to ask after a question's first answer, if any:
///
/// - an answer with nothing in it: the heaviest missed point's probe (or a
///   plain "take another run at it");
/// - a missed core (weight 3) point: its probe;
/// - a misconception: the heaviest missed point's probe;
/// - otherwise, when no core point is missing and the answer is not buzzword
///   salad: the `deepen` of the heaviest point made.
fn choose_probe(q: &Question, a: &Assessment) -> Option<Probe> {
    let probe_of = |id: &str| {
        q.key_points
            .iter()
            .find(|k| k.id == id)
            .and_then(|k| k.probe.as_deref())
            .map(str::trim)
            .filter(|p| !p.is_empty())
    };
    let missed = a.misses();
    let missed_probe = |min_weight: u8| {
        missed
            .iter()
            .filter(|k| k.weight >= min_weight)
            .find_map(|k| probe_of(&k.id).map(|p| (k.id.clone(), p.to_string())))
    };
    let as_probe = |(id, text): (String, String)| Probe {
        text,
        key_point: Some(id),
        deepen: false,
    };
    if voice::is_empty_of_content(a) {
        return Some(missed_probe(1).map(as_probe).unwrap_or_else(|| Probe {
            text: "Take another run at it: what would you actually do, step by step?".to_string(),
            key_point: None,
            deepen: false,
        }));
    }
    if let Some(p) = missed_probe(3) {
        return Some(as_probe(p));
    }
    if !a.misconceptions.is_empty() {
        return missed_probe(1).map(as_probe);
    }
    if missed.iter().any(|k| k.weight >= 3) || a.salad {
        return None;
    }
    let mut made: Vec<_> = a.hits().filter(|k| k.credit >= 0.75).collect();
    made.sort_by_key(|k| std::cmp::Reverse(k.weight));
    made.into_iter().find_map(|k| {
        q.key_points
            .iter()
            .find(|p| p.id == k.id)
            .and_then(|p| p.deepen.as_deref())
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(|d| Probe {
                text: d.to_string(),
                key_point: Some(k.id.clone()),
                deepen: true,
            })
    })
}
