//! The interview's rules as pure functions: which question comes next, how
//! difficulty adapts to the answers, and what a hint costs.
//!
//! The rules (also in the crate docs):
//!
//! - **Order.** In each phase, its `core` questions in order, then the `extra`
//!   questions the difficulty allows. A question with a `parent` is asked only
//!   if its parent was asked and not skipped.
//! - **Difficulty** ([`Challenge`]). `Easy` allows easy extras; `Normal` easy
//!   and medium; `Hard` all of them, hard ones first, skips easy core questions
//!   once the first question is behind, and appends a question's `constraint`.
//!   Among extras of equal rank, follow-ups that probe what their parent's
//!   answer missed come first.
//! - **Calibration.** Difficulty starts `Normal`. The first answered question
//!   sets it: below [`WEAK`] is `Easy`; [`STRONG`] or more (or [`QUICK_STRONG`]
//!   or more within [`QUICK_MS`] of active time) is `Hard`. After that, each
//!   finished question moves it at most one step by the running average of
//!   question scores (skips count 0), with hysteresis ([`adjust`]): Normal
//!   goes Hard at 75 and Easy below 40; Hard falls back below 60; Easy climbs
//!   back at 55. Once the candidate asks for `/easier` or `/harder`, their
//!   choice stands and the engine stops adjusting.
//! - **Hints** cost a share of the question's score, cumulatively: 10 %, 25 %,
//!   45 %, 70 % after 1, 2, 3, 4 hints ([`HINT_PENALTY_PERCENT`]).
//!
//! Not for: state or wording (`engine.rs`, `voice.rs`).

use std::cmp::Reverse;

use kubeprep_bank::{Difficulty, Pack, Phase, Question};

use crate::output::Challenge;
use crate::record::QuestionRecord;

/// A question score below this is weak.
pub const WEAK: u8 = 40;
/// A question score at or above this is strong.
pub const STRONG: u8 = 75;
/// A first answer this good, given within [`QUICK_MS`], also counts as strong.
pub const QUICK_STRONG: u8 = 65;
/// Active time within which a first answer counts as quick.
pub const QUICK_MS: i64 = 120_000;

/// Cumulative share of a question's score taken by 1, 2, 3 and 4 hints.
pub const HINT_PENALTY_PERCENT: [u8; 4] = [10, 25, 45, 70];

/// The share (percent) of a question's score that `hints` hints cost.
pub fn hint_penalty_percent(hints: u8) -> u8 {
    match hints {
        0 => 0,
        n => HINT_PENALTY_PERCENT[usize::from(n.min(4)) - 1],
    }
}

/// `score` after the penalty for `hints` hints, rounded to the nearest point.
pub fn penalised(score: u8, hints: u8) -> u8 {
    let keep = u32::from(100 - hint_penalty_percent(hints));
    let s = (u32::from(score) * keep + 50) / 100;
    u8::try_from(s).unwrap_or(100)
}

/// The difficulty set by the first answered question.
pub fn calibrate(score: u8, answer_ms: Option<i64>) -> Challenge {
    let quick = answer_ms.is_some_and(|ms| ms <= QUICK_MS);
    if score < WEAK {
        Challenge::Easy
    } else if score >= STRONG || (quick && score >= QUICK_STRONG) {
        Challenge::Hard
    } else {
        Challenge::Normal
    }
}

/// Hard drops back to Normal when the running average falls below this.
pub const KEEP_HARD: u8 = 60;
/// Easy climbs back to Normal when the running average reaches this.
pub const LEAVE_EASY: u8 = 55;

/// At most one step from `current`, by the running `average` of question
/// scores: Normal goes Hard at [`STRONG`] and Easy below [`WEAK`]; Hard holds
/// down to [`KEEP_HARD`] and Easy up to [`LEAVE_EASY`], so one middling answer
/// does not undo a clear signal.
pub fn adjust(current: Challenge, average: f64) -> Challenge {
    match current {
        Challenge::Normal if average >= f64::from(STRONG) => Challenge::Hard,
        Challenge::Normal if average < f64::from(WEAK) => Challenge::Easy,
        Challenge::Hard if average < f64::from(KEEP_HARD) => Challenge::Normal,
        Challenge::Easy if average >= f64::from(LEAVE_EASY) => Challenge::Normal,
        c => c,
    }
}

/// Whether difficulty `challenge` allows an extra question of `difficulty`.
fn allows(challenge: Challenge, difficulty: Difficulty) -> bool {
    match challenge {
        Challenge::Easy => difficulty == Difficulty::Easy,
        Challenge::Normal => difficulty <= Difficulty::Medium,
        Challenge::Hard => true,
    }
}

/// Whether `q`'s parent (if any) was asked and not skipped.
fn parent_answered(q: &Question, records: &[QuestionRecord]) -> bool {
    match &q.parent {
        None => true,
        Some(p) => records.iter().any(|r| &r.id == p && !r.skipped),
    }
}

/// How much a follow-up goes after what its parent's answer missed: its key
/// points that the parent missed by id (counted twice) or by area.
fn relevance(q: &Question, records: &[QuestionRecord]) -> usize {
    let Some(parent) = q
        .parent
        .as_deref()
        .and_then(|p| records.iter().find(|r| r.id == p))
    else {
        return 0;
    };
    let missed = parent.missed_points();
    let by_id = q
        .key_points
        .iter()
        .filter(|k| missed.iter().any(|(id, _)| *id == k.id))
        .count();
    let by_area = missed.iter().filter(|(_, area)| *area == q.topic).count();
    2 * by_id + by_area
}

/// The next question to ask in `phase`, if any is left for this difficulty.
pub(crate) fn next_question<'p>(
    pack: &'p Pack,
    phase: &Phase,
    challenge: Challenge,
    records: &[QuestionRecord],
) -> Option<&'p Question> {
    let fresh = |id: &str| !records.iter().any(|r| r.id == id);
    let past_first = !records.is_empty();
    let core = phase
        .core
        .iter()
        .filter(|id| fresh(id))
        .filter_map(|id| pack.question(id))
        .filter(|q| parent_answered(q, records))
        .find(|q| {
            !(challenge == Challenge::Hard && q.difficulty == Difficulty::Easy && past_first)
        });
    if core.is_some() {
        return core;
    }
    phase
        .extra
        .iter()
        .enumerate()
        .filter(|(_, id)| fresh(id))
        .filter_map(|(i, id)| pack.question(id).map(|q| (i, q)))
        .filter(|(_, q)| allows(challenge, q.difficulty) && parent_answered(q, records))
        .min_by_key(|(i, q)| {
            let rank = match challenge {
                Challenge::Hard => Reverse(q.difficulty),
                _ => Reverse(Difficulty::Easy),
            };
            (rank, Reverse(relevance(q, records)), *i)
        })
        .map(|(_, q)| q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hint_penalties_are_cumulative() {
        assert_eq!(penalised(80, 0), 80);
        assert_eq!(penalised(80, 1), 72);
        assert_eq!(penalised(80, 2), 60);
        assert_eq!(penalised(80, 3), 44);
        assert_eq!(penalised(80, 4), 24);
        assert_eq!(penalised(80, 9), 24, "there is no fifth level");
        assert_eq!(penalised(100, 0), 100);
        assert_eq!(penalised(0, 4), 0);
    }

    #[test]
    fn calibration_bands() {
        assert_eq!(calibrate(39, None), Challenge::Easy);
        assert_eq!(calibrate(40, None), Challenge::Normal);
        assert_eq!(calibrate(74, None), Challenge::Normal);
        assert_eq!(calibrate(75, None), Challenge::Hard);
        assert_eq!(calibrate(66, Some(60_000)), Challenge::Hard);
        assert_eq!(calibrate(66, Some(600_000)), Challenge::Normal);
    }

    #[test]
    fn adjustment_moves_one_step_towards_the_average_band() {
        assert_eq!(adjust(Challenge::Hard, 20.0), Challenge::Normal);
        assert_eq!(adjust(Challenge::Normal, 20.0), Challenge::Easy);
        assert_eq!(adjust(Challenge::Easy, 90.0), Challenge::Normal);
        assert_eq!(adjust(Challenge::Hard, 80.0), Challenge::Hard);
        assert_eq!(adjust(Challenge::Hard, 60.0), Challenge::Hard);
        assert_eq!(adjust(Challenge::Hard, 59.0), Challenge::Normal);
        assert_eq!(adjust(Challenge::Easy, 54.0), Challenge::Easy);
        assert_eq!(adjust(Challenge::Easy, 55.0), Challenge::Normal);
        assert_eq!(adjust(Challenge::Normal, 60.0), Challenge::Normal);
    }
}
