//! The engine's memory of one asked question: what was asked, every answer,
//! the latest assessment, hints, probe and skip. The scorecard is built from
//! these.
//!
//! Internal bookkeeping only; the public view of a finished question is
//! `scorecard::QuestionResult`.

use kubeprep_grade::{Assessment, Proof};

use crate::flow;
use crate::output::PromptKind;

/// The one probe asked within a question.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Probe {
    /// What was asked.
    pub text: String,
    /// The key point it goes after (missed for a probe, made for a deepen), if any.
    pub key_point: Option<String>,
    /// Whether it goes deeper into a point made rather than after one missed.
    pub deepen: bool,
}

/// One question asked in the session.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct QuestionRecord {
    /// Pack question id.
    pub id: String,
    /// Main question or follow-up.
    pub kind: PromptKind,
    /// The text as asked (with any constraint).
    pub text: String,
    /// Index of the phase it was asked in.
    pub phase: usize,
    /// Every answer given to it (the main answer, then the probe's).
    pub answers: Vec<String>,
    /// The assessment of all answers together.
    pub assessment: Option<Assessment>,
    /// The assessment of the first answer alone (what a probe reply compares against).
    pub first: Option<Assessment>,
    /// Hints taken.
    pub hints: u8,
    /// Skipped with `/skip` before any answer.
    pub skipped: bool,
    /// The probe asked, if any.
    pub probe: Option<Probe>,
    /// Active time from the question to its first answer.
    pub answer_ms: Option<i64>,
    /// Active session time when it was asked.
    pub asked_at_elapsed_ms: i64,
    /// No more answers are expected.
    pub done: bool,
    /// The latest manifest given in an answer, run on the simulated cluster.
    pub simulation: Option<crate::simulate::Verdict>,
    /// The key points that manifest proved.
    pub proofs: Vec<Proof>,
}

impl QuestionRecord {
    pub(crate) fn new(
        id: String,
        kind: PromptKind,
        text: String,
        phase: usize,
        asked_at_elapsed_ms: i64,
    ) -> QuestionRecord {
        QuestionRecord {
            id,
            kind,
            text,
            phase,
            answers: Vec::new(),
            assessment: None,
            first: None,
            hints: 0,
            skipped: false,
            probe: None,
            answer_ms: None,
            asked_at_elapsed_ms,
            done: false,
            simulation: None,
            proofs: Vec::new(),
        }
    }

    /// The grader's score of all answers, before hint penalties (0 when skipped).
    pub(crate) fn raw_score(&self) -> u8 {
        if self.skipped {
            return 0;
        }
        self.assessment.as_ref().map_or(0, |a| a.score)
    }

    /// The question's score: the raw score less the hint penalty.
    pub(crate) fn score(&self) -> u8 {
        flow::penalised(self.raw_score(), self.hints)
    }

    /// Whether the question counts in the scorecard: answered, or skipped.
    pub(crate) fn counts(&self) -> bool {
        self.skipped || self.assessment.is_some()
    }

    /// The assessment, if the question was answered and not skipped.
    pub(crate) fn graded(&self) -> Option<&Assessment> {
        if self.skipped {
            None
        } else {
            self.assessment.as_ref()
        }
    }

    /// `(id, area)` of the key points the graded answer missed (none when skipped).
    pub(crate) fn missed_points(&self) -> Vec<(&str, &str)> {
        self.graded()
            .map(|a| {
                a.key_points
                    .iter()
                    .filter(|k| !k.hit())
                    .map(|k| (k.id.as_str(), k.area.as_str()))
                    .collect()
            })
            .unwrap_or_default()
    }
}
