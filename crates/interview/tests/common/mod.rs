//! Test harness for driving interviews over the embedded pack: a session that
//! records every event it applies (so tests can replay them) and helpers to
//! answer whatever is being asked.
//!
//! Shared by the integration tests; not a public API.

#![allow(dead_code)]

use kubeprep_bank::Pack;
use kubeprep_grade::Grader;
use kubeprep_interview::{Event, Interview, Output, Prompt, PromptKind};

/// 2026-01-05 09:00 UTC, a fixed start so snapshots are stable.
pub const T0: i64 = 1_767_603_600_000;
pub const MINUTE: i64 = 60_000;

pub fn pack() -> Pack {
    Pack::embedded().unwrap_or_else(|e| panic!("embedded pack: {e}"))
}

pub fn grader(pack: &Pack) -> Grader {
    Grader::new(pack).unwrap_or_else(|e| panic!("grader: {e}"))
}

/// An interview plus the events applied to it and the outputs it produced.
pub struct Session<'a> {
    pub pack: &'a Pack,
    pub interview: Interview<'a>,
    pub events: Vec<Event>,
    pub outputs: Vec<Output>,
    pub now: i64,
}

impl<'a> Session<'a> {
    pub fn start(
        pack: &'a Pack,
        grader: &'a Grader,
        seed: u64,
        candidate: Option<&str>,
    ) -> Session<'a> {
        let mut s = Session {
            pack,
            interview: Interview::new(pack, grader),
            events: Vec::new(),
            outputs: Vec::new(),
            now: T0,
        };
        s.send(Event::Started {
            at_ms: T0,
            pack: pack.id.clone(),
            pack_version: pack.version.clone(),
            candidate: candidate.map(str::to_string),
            seed,
        });
        s
    }

    /// Stores the event, applies it, and returns this event's outputs.
    pub fn send(&mut self, ev: Event) -> Vec<Output> {
        self.now = self.now.max(ev.at_ms());
        let out = self.interview.apply(&ev);
        self.events.push(ev);
        self.outputs.extend(out.iter().cloned());
        out
    }

    /// Answers `text` after `minutes` of thinking.
    pub fn answer_after(&mut self, minutes: f64, text: &str) -> Vec<Output> {
        let at_ms = self.now + (minutes * MINUTE as f64) as i64;
        self.send(Event::Answered {
            at_ms,
            text: text.to_string(),
        })
    }

    /// Answers `text` after one minute.
    pub fn answer(&mut self, text: &str) -> Vec<Output> {
        self.answer_after(1.0, text)
    }

    pub fn at(&self, minutes: f64) -> i64 {
        self.now + (minutes * MINUTE as f64) as i64
    }

    pub fn prompt(&self) -> Option<Prompt> {
        self.interview.current_prompt()
    }

    /// The model answer of the question being asked (probes get the question's own).
    pub fn model_answer(&self) -> String {
        let p = self
            .prompt()
            .unwrap_or_else(|| panic!("nothing is being asked"));
        self.pack
            .question(&p.question_id)
            .map(|q| q.model_answer.clone())
            .unwrap_or_else(|| panic!("unknown question {}", p.question_id))
    }

    /// Plays to the end: `strategy` gives each answer from the prompt.
    pub fn play(&mut self, mut strategy: impl FnMut(&Prompt, &Pack) -> String) {
        for _ in 0..200 {
            if self.interview.is_finished() {
                return;
            }
            let Some(p) = self.prompt() else {
                panic!("not finished, but nothing is asked");
            };
            let text = strategy(&p, self.pack);
            self.answer(&text);
        }
        panic!("the interview did not finish within 200 answers");
    }

    /// Question ids asked (main and follow-up), in order.
    pub fn asked(&self) -> Vec<String> {
        self.outputs
            .iter()
            .filter_map(|o| match o {
                Output::Ask(p) if p.kind != PromptKind::Probe => Some(p.question_id.clone()),
                _ => None,
            })
            .collect()
    }

    /// Every prompt asked, in order.
    pub fn prompts(&self) -> Vec<Prompt> {
        self.outputs
            .iter()
            .filter_map(|o| match o {
                Output::Ask(p) => Some(p.clone()),
                _ => None,
            })
            .collect()
    }
}

/// Answers every question (and probe) with the question's model answer.
pub fn model(p: &Prompt, pack: &Pack) -> String {
    pack.question(&p.question_id)
        .map(|q| q.model_answer.clone())
        .unwrap_or_default()
}

/// Answers nothing useful.
pub fn clueless(_: &Prompt, _: &Pack) -> String {
    "I don't know.".to_string()
}

/// Whitespace collapsed, for comparing quotes with answers.
pub fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
