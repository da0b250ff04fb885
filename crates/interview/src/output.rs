//! What the engine says back: [`Output`]s that front-ends render, and the
//! small value types they carry ([`Prompt`], [`Reply`], [`Status`],
//! [`Challenge`]).
//!
//! Outputs are plain words with no terminal or HTML formatting, and they may
//! contain candidate text (quoted in replies), so a front-end sanitises what
//! it prints (`crate::sanitize`). Not for: deciding what to say (`engine.rs`,
//! `voice.rs`).

use kubeprep_grade::Level;

use crate::scorecard::Scorecard;

/// Something for the front-end to show, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// The interviewer says something that is not a question (opening, transitions, closing).
    Say(String),
    /// The interviewer asks a question; the candidate answers it next.
    Ask(Prompt),
    /// One rung of the hint ladder for the current question.
    Hint {
        /// 1 (nudge) to 4 (walkthrough).
        level: u8,
        /// `nudge`, `direction`, `partial` or `walkthrough`.
        name: &'static str,
        /// The hint.
        text: String,
    },
    /// The interviewer's reaction to an answer.
    Reply(Reply),
    /// Time and place in the interview (after `/time`).
    Status(Status),
    /// Session housekeeping: not the interviewer speaking ("No more hints for this question").
    Notice(String),
    /// The interview is over; here is the scorecard.
    Finished(Box<Scorecard>),
}

/// How a question comes up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PromptKind {
    /// A main question of the flow.
    Main,
    /// A follow-up question (it has a parent question in the pack).
    FollowUp,
    /// A one-off probe within the current question: what the answer missed, or going deeper.
    Probe,
}

impl PromptKind {
    /// `main`, `follow_up` or `probe`.
    pub fn as_str(self) -> &'static str {
        match self {
            PromptKind::Main => "main",
            PromptKind::FollowUp => "follow_up",
            PromptKind::Probe => "probe",
        }
    }
}

/// A question put to the candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    /// The pack question this belongs to (a probe belongs to the question it probes).
    pub question_id: String,
    /// Main question, follow-up or probe.
    pub kind: PromptKind,
    /// What the interviewer asks (with the hard-mode constraint appended when it applies).
    pub text: String,
    /// The phase it is asked in.
    pub phase_title: String,
}

/// The interviewer's reaction to an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The question answered.
    pub question_id: String,
    /// What the interviewer says: what landed (quoted), what was vague or missing, corrections.
    pub text: String,
    /// The question's final score (after hint penalties) once the question is done;
    /// `None` while a probe is still to be answered.
    pub score: Option<u8>,
    /// The level of `score`.
    pub level: Option<Level>,
}

/// How hard the engine picks questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Challenge {
    /// Easy extras only.
    Easy,
    /// Easy and medium extras.
    #[default]
    Normal,
    /// Every extra, hard ones first; easy core questions skipped after the first
    /// question; constraints added to questions.
    Hard,
}

impl Challenge {
    /// One step easier (saturating).
    pub fn easier(self) -> Challenge {
        match self {
            Challenge::Hard => Challenge::Normal,
            _ => Challenge::Easy,
        }
    }

    /// One step harder (saturating).
    pub fn harder(self) -> Challenge {
        match self {
            Challenge::Easy => Challenge::Normal,
            _ => Challenge::Hard,
        }
    }

    /// `easy`, `normal` or `hard`.
    pub fn as_str(self) -> &'static str {
        match self {
            Challenge::Easy => "easy",
            Challenge::Normal => "normal",
            Challenge::Hard => "hard",
        }
    }
}

/// Where the interview stands in time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// Current phase id.
    pub phase_id: String,
    /// Current phase title.
    pub phase_title: String,
    /// 1-based number of the current phase.
    pub phase_number: usize,
    /// How many phases there are.
    pub phase_count: usize,
    /// Time spent in this phase (ms, pauses excluded).
    pub phase_elapsed_ms: i64,
    /// This phase's budget (ms).
    pub phase_budget_ms: i64,
    /// Time spent in the interview (ms, pauses excluded).
    pub total_elapsed_ms: i64,
    /// The sum of all phase budgets (ms).
    pub total_budget_ms: i64,
    /// How many questions (main and follow-up) have been asked, including the current one.
    pub question_number: usize,
    /// Current difficulty.
    pub challenge: Challenge,
    /// The session is paused (`/quit`).
    pub paused: bool,
    /// The interview is over.
    pub finished: bool,
}

impl Status {
    /// A one-line summary, e.g. `Deployments and rollouts (3/6) · 4:10 of 15:00 in this phase · 16:30 of 50:00 total · question 4`.
    pub fn line(&self) -> String {
        format!(
            "{} ({}/{}) · {} of {} in this phase · {} of {} total · question {}",
            self.phase_title,
            self.phase_number,
            self.phase_count,
            clock(self.phase_elapsed_ms),
            clock(self.phase_budget_ms),
            clock(self.total_elapsed_ms),
            clock(self.total_budget_ms),
            self.question_number,
        )
    }
}

/// `m:ss` for a duration in milliseconds (negative durations read as zero).
pub fn clock(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    format!("{}:{:02}", s / 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_steps_saturate() {
        assert_eq!(Challenge::Easy.easier(), Challenge::Easy);
        assert_eq!(Challenge::Normal.easier(), Challenge::Easy);
        assert_eq!(Challenge::Normal.harder(), Challenge::Hard);
        assert_eq!(Challenge::Hard.harder(), Challenge::Hard);
    }

    #[test]
    fn clock_formats_minutes_and_seconds() {
        assert_eq!(clock(0), "0:00");
        assert_eq!(clock(61_999), "1:01");
        assert_eq!(clock(50 * 60_000), "50:00");
        assert_eq!(clock(-5), "0:00");
    }
}
