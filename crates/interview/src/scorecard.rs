//! The scorecard: what the session shows about the candidate, as plain data,
//! and how it is built from the questions asked.
//!
//! Rules (also in the crate docs):
//!
//! - **Areas.** For every rubric area, over the questions that count (answered
//!   or skipped), the credited weight of the key points in that area against
//!   the weight available; a question's hint penalty scales its credit, and a
//!   skipped question makes its points available with no credit. The ratio is
//!   the area score (0-100), its level the grader's bands. The justification
//!   quotes the best evidence sentence in the area, or says plainly what never
//!   came up. An area no question touched is "not assessed".
//! - **Strengths.** The three heaviest points made (weight x credit), each with
//!   the candidate's words; points with a quote not used yet come first.
//! - **Improvements.** Misconceptions first (with the correction), then the
//!   heaviest points missed, one per question before a second from any, up to
//!   three in all; when the answers left fewer gaps, questions that needed
//!   hints, then the weakest areas below expert, then areas not assessed.
//! - **Resources.** Two or three of the rubric's resources whose `covers`
//!   teach the most missed weight; topped up from the weakest areas.
//! - **Overall.** The mean of question scores, skips counting 0.
//!
//! Nothing here invents a quote: every quote is an evidence sentence the
//! grader took from an answer. Not for: rendering (`report.rs`) or the JSON
//! shape (`wire.rs`).

use std::collections::HashSet;

use kubeprep_bank::Pack;
use kubeprep_grade::{Assessment, Level};

use crate::flow;
use crate::output::{Challenge, PromptKind};
use crate::record::QuestionRecord;
use crate::voice::quote;

/// Longest evidence quote on the scorecard, in characters.
pub const QUOTE_CHARS: usize = 100;
/// Longest key point text in an area's justification, in characters.
const MISSING_CHARS: usize = 110;

/// The result of a session, at any moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Scorecard {
    /// Who, what, when.
    pub session: SessionInfo,
    /// Mean of the question scores (skips count 0), 0-100.
    pub overall_score: u8,
    /// The level of the overall score.
    pub overall_level: Level,
    /// Every rubric area, in rubric order.
    pub areas: Vec<AreaRating>,
    /// Up to three points made, heaviest first.
    pub strengths: Vec<Strength>,
    /// Up to three things to do differently, corrections first.
    pub improvements: Vec<Improvement>,
    /// Two or three resources chosen from the gaps.
    pub resources: Vec<ResourcePick>,
    /// Every question that counts (answered or skipped), in the order asked.
    pub questions: Vec<QuestionResult>,
    /// Every turn, interviewer and candidate, in order.
    pub transcript: Vec<Turn>,
    /// The hands-on lab taken in place of its question (`--hands-on`), if any.
    pub lab: Option<crate::lab::LabScorecard>,
}

/// About the session.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SessionInfo {
    /// Pack id.
    pub pack: String,
    /// Pack title.
    pub pack_title: String,
    /// Pack version the session was recorded with.
    pub pack_version: String,
    /// The candidate, if named.
    pub candidate: Option<String>,
    /// The interviewer's name.
    pub interviewer: String,
    /// When it started (Unix ms).
    pub started_at_ms: Option<i64>,
    /// Active time (pauses excluded).
    pub elapsed_ms: i64,
    /// Whether the interview is over (otherwise this is an interim scorecard).
    pub finished: bool,
    /// Difficulty at the end.
    pub challenge: Challenge,
}

/// One rubric area, rated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaRating {
    /// Area id.
    pub id: String,
    /// Area title.
    pub title: String,
    /// `None` when no question touched the area.
    pub level: Option<Level>,
    /// 0-100 when assessed.
    pub score: Option<u8>,
    /// One line: the candidate's words, or what was missing.
    pub justification: String,
    /// The quote the justification uses (the candidate's words), if any.
    pub evidence: Option<String>,
    /// The rubric's description of the level reached.
    pub descriptor: Option<String>,
}

/// A point the candidate made well.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Strength {
    /// The question.
    pub question_id: String,
    /// The key point.
    pub key_point_id: String,
    /// What the point is.
    pub text: String,
    /// The candidate's words that made it.
    pub evidence: String,
}

/// Why an improvement is listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImprovementKind {
    /// A wrong belief was stated.
    Misconception,
    /// An important point was missed.
    Missed,
    /// Nothing was missed there, but there is a next level (hints needed, an area below expert or not assessed).
    Stretch,
}

impl ImprovementKind {
    /// `misconception`, `missed` or `stretch`.
    pub fn as_str(self) -> &'static str {
        match self {
            ImprovementKind::Misconception => "misconception",
            ImprovementKind::Missed => "missed",
            ImprovementKind::Stretch => "stretch",
        }
    }
}

/// Something to do differently next time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Improvement {
    /// Why it is listed.
    pub kind: ImprovementKind,
    /// The question it comes from (empty for an area-level stretch).
    pub question_id: String,
    /// The key point, misconception or (for an area-level stretch) area id.
    pub point_id: String,
    /// The action, in words.
    pub text: String,
}

/// A study resource picked from the gaps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePick {
    /// Title.
    pub title: String,
    /// URL or `kubeprep` command.
    pub url: String,
    /// The rubric area it belongs to.
    pub area: String,
    /// Missed key point ids it teaches (empty when picked for the weakest area).
    pub covers: Vec<String>,
}

/// One question's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionResult {
    /// Question id.
    pub id: String,
    /// The question as asked.
    pub text: String,
    /// Main question or follow-up.
    pub kind: PromptKind,
    /// The phase it was asked in.
    pub phase: String,
    /// Final score: the grader's, less the hint penalty (0 when skipped).
    pub score: u8,
    /// The grader's score before the hint penalty.
    pub raw_score: u8,
    /// The level of `score`.
    pub level: Level,
    /// Hints taken (0-4).
    pub hints_used: u8,
    /// Skipped with `/skip`.
    pub skipped: bool,
    /// The probe asked within the question, if any.
    pub probe: Option<String>,
    /// Active time to the first answer.
    pub answer_ms: Option<i64>,
    /// The candidate's answers, in order (main answer, then the probe's).
    pub answers: Vec<String>,
    /// The grade of all answers together (`None` when skipped).
    pub assessment: Option<Assessment>,
    /// The latest manifest the candidate gave for it, run on the simulated cluster.
    pub simulation: Option<crate::simulate::Verdict>,
}

/// Who speaks in a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Speaker {
    /// The persona.
    Interviewer,
    /// The candidate.
    Candidate,
}

impl Speaker {
    /// `interviewer` or `candidate`.
    pub fn as_str(self) -> &'static str {
        match self {
            Speaker::Interviewer => "interviewer",
            Speaker::Candidate => "candidate",
        }
    }
}

/// What a turn is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TurnKind {
    /// Opening, transitions, closing.
    Say,
    /// A main or follow-up question.
    Question,
    /// A probe within a question.
    Probe,
    /// A reaction to an answer.
    Reply,
    /// A hint.
    Hint,
    /// The candidate's answer.
    Answer,
    /// A candidate command (`/hint`, `/skip`, ...).
    Command,
}

impl TurnKind {
    /// Snake-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            TurnKind::Say => "say",
            TurnKind::Question => "question",
            TurnKind::Probe => "probe",
            TurnKind::Reply => "reply",
            TurnKind::Hint => "hint",
            TurnKind::Answer => "answer",
            TurnKind::Command => "command",
        }
    }
}

/// One turn of the conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    /// Who speaks.
    pub speaker: Speaker,
    /// What kind of turn.
    pub kind: TurnKind,
    /// What was said (candidate text as typed: sanitise before display).
    pub text: String,
    /// The question it belongs to, if any.
    pub question: Option<String>,
}

/// `text` with its first letter lower-cased, unless it starts an acronym or code.
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && b.is_lowercase() => {
            a.to_lowercase().chain(text.chars().skip(1)).collect()
        }
        _ => text.to_string(),
    }
}

/// A point available in an area: made (with credit and evidence) or missed.
struct PointView<'r> {
    record: usize,
    question: &'r str,
    id: &'r str,
    text: &'r str,
    area: &'r str,
    weight: u8,
    /// Credit after the hint penalty.
    credit: f32,
    evidence: Option<&'r str>,
}

/// Every key point of every question that counts, with credit.
fn points<'r>(pack: &'r Pack, records: &'r [QuestionRecord]) -> Vec<PointView<'r>> {
    let mut out = Vec::new();
    for (i, r) in records.iter().enumerate().filter(|(_, r)| r.counts()) {
        let keep = 1.0 - f32::from(flow::hint_penalty_percent(r.hints)) / 100.0;
        let pack_q = pack.question(&r.id);
        match r.graded() {
            Some(a) => out.extend(a.key_points.iter().map(|k| PointView {
                record: i,
                question: &r.id,
                id: &k.id,
                text: &k.text,
                area: &k.area,
                weight: k.weight,
                credit: k.credit.clamp(0.0, 1.0) * keep,
                evidence: k.evidence.as_deref().filter(|_| k.hit()),
            })),
            None => {
                if let Some(q) = pack_q {
                    out.extend(q.key_points.iter().map(|k| PointView {
                        record: i,
                        question: &r.id,
                        id: &k.id,
                        text: &k.text,
                        area: &k.area,
                        weight: k.weight,
                        credit: 0.0,
                        evidence: None,
                    }));
                }
            }
        }
    }
    out
}

fn weighted(p: &PointView<'_>) -> f32 {
    f32::from(p.weight) * p.credit
}

/// Builds the scorecard from the session's questions and transcript.
pub(crate) fn build(
    pack: &Pack,
    session: SessionInfo,
    records: &[QuestionRecord],
    transcript: &[Turn],
    lab: Option<crate::lab::LabScorecard>,
) -> Scorecard {
    let counted: Vec<&QuestionRecord> = records.iter().filter(|r| r.counts()).collect();
    let overall_score = if counted.is_empty() {
        0
    } else {
        let sum: u32 = counted.iter().map(|r| u32::from(r.score())).sum();
        let n = u32::try_from(counted.len()).unwrap_or(u32::MAX);
        u8::try_from((sum + n / 2) / n).unwrap_or(100)
    };
    let pts = points(pack, records);
    let areas: Vec<AreaRating> = pack.rubric.iter().map(|a| rate_area(a, &pts)).collect();
    let resources = pick_resources(pack, &pts, &areas);
    Scorecard {
        session,
        overall_score,
        overall_level: Level::from_score(overall_score),
        strengths: strengths(&pts),
        improvements: stretch(pack, records, &areas, improvements(records, &pts)),
        resources,
        areas,
        questions: counted
            .iter()
            .map(|r| QuestionResult {
                id: r.id.clone(),
                text: r.text.clone(),
                kind: r.kind,
                phase: pack
                    .phases
                    .get(r.phase)
                    .map(|p| p.title.clone())
                    .unwrap_or_default(),
                score: r.score(),
                raw_score: r.raw_score(),
                level: Level::from_score(r.score()),
                hints_used: r.hints,
                skipped: r.skipped,
                probe: r.probe.as_ref().map(|p| p.text.clone()),
                answer_ms: r.answer_ms,
                answers: r.answers.clone(),
                assessment: r.graded().cloned(),
                simulation: r.simulation.clone(),
            })
            .collect(),
        transcript: transcript.to_vec(),
        lab,
    }
}

fn rate_area(area: &kubeprep_bank::RubricArea, pts: &[PointView<'_>]) -> AreaRating {
    let mine: Vec<&PointView<'_>> = pts.iter().filter(|p| p.area == area.id).collect();
    let available: f32 = mine.iter().map(|p| f32::from(p.weight)).sum();
    if mine.is_empty() || available <= 0.0 {
        return AreaRating {
            id: area.id.clone(),
            title: area.title.clone(),
            level: None,
            score: None,
            justification: "Not assessed: no question in this session touched it.".to_string(),
            evidence: None,
            descriptor: None,
        };
    }
    let credited: f32 = mine.iter().map(|p| weighted(p)).sum();
    let score = (100.0 * credited / available).round().clamp(0.0, 100.0) as u8;
    let level = Level::from_score(score);
    // Best evidence: heaviest credited point; the earliest wins ties.
    let best = mine
        .iter()
        .filter(|p| p.evidence.is_some() && p.credit > 0.0)
        .fold(None, |best: Option<&&PointView<'_>>, p| match best {
            Some(b) if weighted(b) >= weighted(p) => Some(b),
            _ => Some(p),
        });
    // Heaviest miss; the earliest wins ties.
    let missing = mine.iter().filter(|p| p.credit <= 0.0).fold(
        None,
        |m: Option<&&PointView<'_>>, p| match m {
            Some(b) if b.weight >= p.weight => Some(b),
            _ => Some(p),
        },
    );
    let made = mine.iter().filter(|p| p.credit > 0.0).count();
    let evidence = best.and_then(|p| p.evidence).map(|e| quote(e, QUOTE_CHARS));
    let justification = match (&evidence, missing) {
        (Some(q), Some(m)) => format!(
            "Said \"{q}\" ({made} of {} points made); biggest gap: {}",
            mine.len(),
            lower_first(&quote(m.text, MISSING_CHARS))
        ),
        (Some(q), None) => format!("Said \"{q}\"; made every point asked about here."),
        (None, Some(m)) => format!(
            "Never mentioned what matters most here: {}",
            lower_first(&quote(m.text, MISSING_CHARS))
        ),
        (None, None) => "Points named only in passing, without the reasoning.".to_string(),
    };
    let descriptor = Some(
        match level {
            Level::Novice => &area.novice,
            Level::Intermediate => &area.intermediate,
            Level::Expert => &area.expert,
        }
        .clone(),
    );
    AreaRating {
        id: area.id.clone(),
        title: area.title.clone(),
        level: Some(level),
        score: Some(score),
        justification,
        evidence,
        descriptor,
    }
}

fn strengths(pts: &[PointView<'_>]) -> Vec<Strength> {
    let mut made: Vec<&PointView<'_>> = pts
        .iter()
        .filter(|p| p.credit > 0.0 && p.evidence.is_some())
        .collect();
    // Stable: equal weight keeps the order asked.
    made.sort_by(|a, b| weighted(b).total_cmp(&weighted(a)));
    // Distinct points; distinct quotes first, a repeated quote only to fill up.
    let mut picked: Vec<&PointView<'_>> = Vec::new();
    for pass in 0..2 {
        for p in &made {
            let repeat_quote = picked.iter().any(|q| q.evidence == p.evidence);
            if picked.len() < 3
                && !picked.iter().any(|q| q.id == p.id)
                && (pass == 1 || !repeat_quote)
            {
                picked.push(p);
            }
        }
    }
    picked
        .into_iter()
        .map(|p| Strength {
            question_id: p.question.to_string(),
            key_point_id: p.id.to_string(),
            text: p.text.trim().to_string(),
            evidence: quote(p.evidence.unwrap_or_default(), QUOTE_CHARS),
        })
        .collect()
}

fn improvements(records: &[QuestionRecord], pts: &[PointView<'_>]) -> Vec<Improvement> {
    let mut out: Vec<Improvement> = Vec::new();
    let mut seen_mis = HashSet::new();
    for r in records.iter().filter(|r| r.counts()) {
        for m in r
            .graded()
            .map(|a| a.misconceptions.as_slice())
            .unwrap_or(&[])
        {
            if out.len() < 3 && seen_mis.insert((r.id.as_str(), m.id.as_str())) {
                out.push(Improvement {
                    kind: ImprovementKind::Misconception,
                    question_id: r.id.clone(),
                    point_id: m.id.clone(),
                    text: format!(
                        "Correct this: you said \"{}\". {}",
                        quote(&m.evidence, QUOTE_CHARS),
                        m.correction.trim()
                    ),
                });
            }
        }
    }
    let mut missed: Vec<&PointView<'_>> = pts.iter().filter(|p| p.credit <= 0.0).collect();
    missed.sort_by(|a, b| b.weight.cmp(&a.weight).then(a.record.cmp(&b.record)));
    let mut seen_ids: HashSet<&str> = HashSet::new();
    let mut used_questions: HashSet<&str> = out.iter().map(|i| i.question_id.as_str()).collect();
    let mut picked: Vec<&PointView<'_>> = Vec::new();
    let room = 3usize.saturating_sub(out.len());
    // First pass: one per question; second pass: the heaviest remaining.
    for pass in 0..2 {
        for p in &missed {
            if picked.len() >= room {
                break;
            }
            if seen_ids.contains(p.id) || (pass == 0 && used_questions.contains(p.question)) {
                continue;
            }
            seen_ids.insert(p.id);
            used_questions.insert(p.question);
            picked.push(p);
        }
    }
    out.extend(picked.into_iter().map(|p| Improvement {
        kind: ImprovementKind::Missed,
        question_id: p.question.to_string(),
        point_id: p.id.to_string(),
        text: next_time(p.text.trim()),
    }));
    out
}

/// Tops `out` up to three when the answers left fewer gaps: questions that
/// needed hints, then the weakest areas below expert (their expert
/// descriptor), then areas nobody asked about.
fn stretch(
    pack: &Pack,
    records: &[QuestionRecord],
    areas: &[AreaRating],
    mut out: Vec<Improvement>,
) -> Vec<Improvement> {
    for r in records
        .iter()
        .filter(|r| r.counts() && r.hints > 0 && !r.skipped)
    {
        if out.len() >= 3 {
            return out;
        }
        out.push(Improvement {
            kind: ImprovementKind::Stretch,
            question_id: r.id.clone(),
            point_id: String::new(),
            text: format!(
                "Next time, answer {} without hints: you needed {} ({} % of its score).",
                r.id,
                r.hints,
                flow::hint_penalty_percent(r.hints)
            ),
        });
    }
    let mut weakest: Vec<&AreaRating> = areas
        .iter()
        .filter(|a| a.level.is_some_and(|l| l != Level::Expert))
        .collect();
    weakest.sort_by_key(|a| a.score);
    let unassessed = areas.iter().filter(|a| a.level.is_none());
    for a in weakest.into_iter().chain(unassessed) {
        if out.len() >= 3 {
            break;
        }
        let Some(area) = pack.area(&a.id) else {
            continue;
        };
        let lead = if a.level.is_some() {
            format!("To reach expert in {}", area.title)
        } else {
            format!("{} was not assessed today; to show it", area.title)
        };
        out.push(Improvement {
            kind: ImprovementKind::Stretch,
            question_id: String::new(),
            point_id: area.id.clone(),
            text: format!("{lead}: {}", lower_first(area.expert.trim())),
        });
    }
    out
}

/// A key point (written as feedback: "Says ...", "Knows ...") as an action:
/// "Next time, say ...", "Next time, show that you know ...".
fn next_time(text: &str) -> String {
    let (verb, rest) = text.split_once(' ').unwrap_or((text, ""));
    let lower = verb.to_lowercase();
    let shown = [
        "knows",
        "understands",
        "sees",
        "recognises",
        "recognizes",
        "realises",
    ];
    if shown.contains(&lower.as_str()) {
        return format!(
            "Next time, show that you {} {rest}",
            &lower[..lower.len() - 1]
        );
    }
    let base = if ["is", "has", "was", "does"].contains(&lower.as_str()) || !lower.ends_with('s') {
        None
    } else if lower.ends_with("ies") && lower.len() > 4 {
        Some(format!("{}y", &lower[..lower.len() - 3]))
    } else if ["ches", "shes", "sses", "xes", "zzes"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        Some(lower[..lower.len() - 2].to_string())
    } else {
        Some(lower[..lower.len() - 1].to_string())
    };
    match base {
        Some(b) if verb.chars().all(char::is_alphabetic) && !rest.is_empty() => {
            format!("Next time, {b} {rest}")
        }
        _ => format!("Next time, make this point: {text}"),
    }
}

fn pick_resources(pack: &Pack, pts: &[PointView<'_>], areas: &[AreaRating]) -> Vec<ResourcePick> {
    // Missed key point ids with their heaviest weight.
    let mut missed: Vec<(&str, u8)> = Vec::new();
    for p in pts.iter().filter(|p| p.credit <= 0.0) {
        match missed.iter_mut().find(|(id, _)| *id == p.id) {
            Some((_, w)) => *w = (*w).max(p.weight),
            None => missed.push((p.id, p.weight)),
        }
    }
    let mut ranked: Vec<(u32, usize, ResourcePick)> = Vec::new();
    let mut order = 0usize;
    for area in &pack.rubric {
        for r in &area.resources {
            order += 1;
            let covers: Vec<(&str, u8)> = missed
                .iter()
                .filter(|(id, _)| r.covers.iter().any(|c| c == id))
                .copied()
                .collect();
            let gain: u32 = covers.iter().map(|(_, w)| u32::from(*w)).sum();
            if gain > 0 {
                ranked.push((
                    gain,
                    order,
                    ResourcePick {
                        title: r.title.clone(),
                        url: r.url.clone(),
                        area: area.id.clone(),
                        covers: covers.iter().map(|(id, _)| id.to_string()).collect(),
                    },
                ));
            }
        }
    }
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut out: Vec<ResourcePick> = Vec::new();
    for (_, _, r) in ranked {
        if out.len() < 3 && !out.iter().any(|o| o.url == r.url) {
            out.push(r);
        }
    }
    // Top up from the weakest assessed areas (then the rest, in rubric order).
    let mut by_weakness: Vec<&AreaRating> = areas.iter().collect();
    by_weakness.sort_by_key(|a| (a.score.is_none(), a.score));
    for a in by_weakness {
        if out.len() >= 2 {
            break;
        }
        let Some(area) = pack.area(&a.id) else {
            continue;
        };
        if let Some(r) = area
            .resources
            .iter()
            .find(|r| !out.iter().any(|o| o.url == r.url))
        {
            out.push(ResourcePick {
                title: r.title.clone(),
                url: r.url.clone(),
                area: area.id.clone(),
                covers: Vec::new(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::lower_first;

    #[test]
    fn key_points_become_actions() {
        use super::next_time;
        assert_eq!(
            next_time("Says a Pod is the unit"),
            "Next time, say a Pod is the unit"
        );
        assert_eq!(
            next_time("Knows that probes gate traffic"),
            "Next time, show that you know that probes gate traffic"
        );
        assert_eq!(next_time("Catches it early"), "Next time, catch it early");
        assert_eq!(
            next_time("Distinguishes A from B"),
            "Next time, distinguish A from B"
        );
        assert_eq!(next_time("Ties it together"), "Next time, tie it together");
        assert_eq!(
            next_time("Applies the policy"),
            "Next time, apply the policy"
        );
        assert_eq!(
            next_time("Sets maxUnavailable: 0"),
            "Next time, set maxUnavailable: 0"
        );
        assert_eq!(
            next_time("Is careful"),
            "Next time, make this point: Is careful"
        );
        assert_eq!(
            next_time("The Pod restarts"),
            "Next time, make this point: The Pod restarts"
        );
        assert_eq!(
            next_time("`kubectl` first"),
            "Next time, make this point: `kubectl` first"
        );
    }

    #[test]
    fn lower_first_keeps_acronyms_and_code() {
        assert_eq!(lower_first("Sets maxUnavailable"), "sets maxUnavailable");
        assert_eq!(lower_first("RBAC roles"), "RBAC roles");
        assert_eq!(lower_first("`kubectl` first"), "`kubectl` first");
        assert_eq!(lower_first(""), "");
    }
}
