//! The scorecard's JSON shape: types of their own with stable field names,
//! so the engine's types can change without breaking `--output json`, the
//! HTTP API or stored exports.
//!
//! Every string passes through [`sanitize`] on the way in: a JSON consumer
//! that prints a field to a terminal cannot be attacked through it. Field
//! names and enum spellings here are a contract; add fields, never rename
//! them. Not for: Markdown or HTML (`report.rs`).

use serde::{Deserialize, Serialize};

use crate::sanitize::sanitize;
use crate::scorecard as sc;

fn s(text: &str) -> String {
    sanitize(text).into_owned()
}

fn opt(text: Option<&str>) -> Option<String> {
    text.map(s)
}

/// The scorecard document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    /// About the session.
    pub session: Session,
    /// 0-100: the mean of question scores (skips count 0).
    pub overall_score: u8,
    /// `novice`, `intermediate` or `expert`.
    pub overall_level: String,
    /// Every rubric area, in rubric order.
    pub areas: Vec<Area>,
    /// Up to three strengths.
    pub strengths: Vec<Strength>,
    /// Up to three improvements.
    pub improvements: Vec<Improvement>,
    /// Two or three resources.
    pub resources: Vec<Resource>,
    /// The questions that count, in the order asked.
    pub questions: Vec<Question>,
    /// Every turn.
    pub transcript: Vec<Turn>,
    /// The hands-on lab (`--hands-on`): the shape of `kubeprep lab start
    /// --output json`'s scorecard. Absent when no lab was taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lab: Option<serde_json::Value>,
}

/// About the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Pack id.
    pub pack: String,
    /// Pack title.
    pub pack_title: String,
    /// Pack version.
    pub pack_version: String,
    /// The candidate, if named.
    pub candidate: Option<String>,
    /// "Name, role" of the interviewer.
    pub interviewer: String,
    /// Start time, Unix milliseconds.
    pub started_at_ms: Option<i64>,
    /// Active time in milliseconds (pauses excluded).
    pub elapsed_ms: i64,
    /// `false` for an interim scorecard.
    pub finished: bool,
    /// `easy`, `normal` or `hard`: the difficulty at the end.
    pub difficulty: String,
}

/// One rubric area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Area {
    /// Area id.
    pub id: String,
    /// Area title.
    pub title: String,
    /// `novice`, `intermediate`, `expert` or `not_assessed`.
    pub level: String,
    /// 0-100, `null` when not assessed.
    pub score: Option<u8>,
    /// One line: the candidate's words or what was missing.
    pub justification: String,
    /// The candidate's words the justification quotes, if any.
    pub evidence: Option<String>,
}

/// A strength.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Strength {
    /// Question id.
    pub question: String,
    /// Key point id.
    pub key_point: String,
    /// What the point is.
    pub text: String,
    /// The candidate's words.
    pub evidence: String,
}

/// An improvement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Improvement {
    /// `misconception`, `missed` or `stretch`.
    pub kind: String,
    /// Question id.
    pub question: String,
    /// Key point or misconception id.
    pub point: String,
    /// The action.
    pub text: String,
}

/// A resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    /// Title.
    pub title: String,
    /// URL or `kubeprep` command.
    pub url: String,
    /// Rubric area id.
    pub area: String,
    /// Missed key point ids it teaches.
    pub covers: Vec<String>,
}

/// One question's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// Question id.
    pub id: String,
    /// As asked.
    pub text: String,
    /// `main` or `follow_up`.
    pub kind: String,
    /// Phase title.
    pub phase: String,
    /// Final score, 0-100 (after hint penalties; 0 when skipped).
    pub score: u8,
    /// The grader's score before hint penalties.
    pub raw_score: u8,
    /// `novice`, `intermediate` or `expert`.
    pub level: String,
    /// Hints taken, 0-4.
    pub hints_used: u8,
    /// Skipped with `/skip`.
    pub skipped: bool,
    /// The probe asked, if any.
    pub probe: Option<String>,
    /// Active milliseconds to the first answer.
    pub answer_ms: Option<i64>,
    /// The candidate's answers.
    pub answers: Vec<String>,
    /// Every key point, hit or not (empty when skipped).
    pub key_points: Vec<KeyPoint>,
    /// Misconceptions stated.
    pub misconceptions: Vec<Misconception>,
    /// Right terms without the reasoning.
    pub salad: bool,
    /// The grader's feedback (empty when skipped).
    pub feedback: String,
    /// The latest manifest given for it, run on the simulated cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub simulation: Option<Simulation>,
}

/// A manifest run on the simulated cluster against the question's scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Simulation {
    /// Scenario id, when the question has one.
    pub scenario: Option<String>,
    /// Each requirement's verdict.
    pub requirements: Vec<SimulatedRequirement>,
    /// What the API server would reject and the most serious findings.
    pub problems: Vec<String>,
    /// What the simulation showed, with numbers.
    pub notes: Vec<String>,
}

/// One requirement, judged on the simulated cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulatedRequirement {
    /// Requirement id.
    pub id: String,
    /// The requirement.
    pub text: String,
    /// `true` met, `false` not met, `null` not simulated.
    pub passed: Option<bool>,
    /// What was measured.
    pub detail: String,
}

impl From<&crate::simulate::Verdict> for Simulation {
    fn from(v: &crate::simulate::Verdict) -> Simulation {
        Simulation {
            scenario: opt(v.scenario.as_deref()),
            requirements: v
                .requirements
                .iter()
                .map(|r| SimulatedRequirement {
                    id: s(&r.id),
                    text: s(&r.text),
                    passed: r.passed,
                    detail: s(&r.detail),
                })
                .collect(),
            problems: v.problems.iter().map(|p| s(p)).collect(),
            notes: v.notes.iter().map(|n| s(n)).collect(),
        }
    }
}

/// A key point's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyPoint {
    /// Key point id.
    pub id: String,
    /// What the point is.
    pub text: String,
    /// Rubric area id.
    pub area: String,
    /// 1-3.
    pub weight: u8,
    /// Whether it was made.
    pub hit: bool,
    /// 0.0-1.0.
    pub credit: f32,
    /// The sentence that earned it.
    pub evidence: Option<String>,
    /// The sentence that named it only to reject it.
    pub negated: Option<String>,
}

/// A misconception stated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Misconception {
    /// Misconception id.
    pub id: String,
    /// The wrong belief.
    pub text: String,
    /// The correction.
    pub correction: String,
    /// The sentence that states it.
    pub evidence: String,
}

/// One turn of the transcript.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Turn {
    /// `interviewer` or `candidate`.
    pub speaker: String,
    /// `say`, `question`, `probe`, `reply`, `hint`, `answer` or `command`.
    pub kind: String,
    /// What was said.
    pub text: String,
    /// The question it belongs to.
    pub question: Option<String>,
}

impl From<&sc::Scorecard> for Scorecard {
    fn from(card: &sc::Scorecard) -> Scorecard {
        let i = &card.session;
        Scorecard {
            session: Session {
                pack: s(&i.pack),
                pack_title: s(&i.pack_title),
                pack_version: s(&i.pack_version),
                candidate: opt(i.candidate.as_deref()),
                interviewer: s(&i.interviewer),
                started_at_ms: i.started_at_ms,
                elapsed_ms: i.elapsed_ms,
                finished: i.finished,
                difficulty: i.challenge.as_str().to_string(),
            },
            overall_score: card.overall_score,
            overall_level: card.overall_level.as_str().to_string(),
            areas: card
                .areas
                .iter()
                .map(|a| Area {
                    id: s(&a.id),
                    title: s(&a.title),
                    level: a.level.map_or("not_assessed", |l| l.as_str()).to_string(),
                    score: a.score,
                    justification: s(&a.justification),
                    evidence: opt(a.evidence.as_deref()),
                })
                .collect(),
            strengths: card
                .strengths
                .iter()
                .map(|x| Strength {
                    question: s(&x.question_id),
                    key_point: s(&x.key_point_id),
                    text: s(&x.text),
                    evidence: s(&x.evidence),
                })
                .collect(),
            improvements: card
                .improvements
                .iter()
                .map(|x| Improvement {
                    kind: x.kind.as_str().to_string(),
                    question: s(&x.question_id),
                    point: s(&x.point_id),
                    text: s(&x.text),
                })
                .collect(),
            resources: card
                .resources
                .iter()
                .map(|r| Resource {
                    title: s(&r.title),
                    url: s(&r.url),
                    area: s(&r.area),
                    covers: r.covers.iter().map(|c| s(c)).collect(),
                })
                .collect(),
            questions: card.questions.iter().map(question).collect(),
            transcript: card
                .transcript
                .iter()
                .map(|t| Turn {
                    speaker: t.speaker.as_str().to_string(),
                    kind: t.kind.as_str().to_string(),
                    text: s(&t.text),
                    question: opt(t.question.as_deref()),
                })
                .collect(),
            lab: card.lab.as_ref().map(|l| {
                let mut v = crate::lab::json(l);
                sanitize_strings(&mut v);
                v
            }),
        }
    }
}

/// Sanitises every string in a JSON document, in place.
fn sanitize_strings(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(t) => *t = s(t),
        serde_json::Value::Array(a) => a.iter_mut().for_each(sanitize_strings),
        serde_json::Value::Object(o) => o.values_mut().for_each(sanitize_strings),
        _ => {}
    }
}

impl From<&kubeprep_grade::PointResult> for KeyPoint {
    fn from(k: &kubeprep_grade::PointResult) -> KeyPoint {
        KeyPoint {
            id: s(&k.id),
            text: s(&k.text),
            area: s(&k.area),
            weight: k.weight,
            hit: k.hit(),
            credit: k.credit,
            evidence: opt(k.evidence.as_deref()),
            negated: opt(k.negated.as_deref()),
        }
    }
}

impl From<&kubeprep_grade::MisconceptionHit> for Misconception {
    fn from(m: &kubeprep_grade::MisconceptionHit) -> Misconception {
        Misconception {
            id: s(&m.id),
            text: s(&m.text),
            correction: s(&m.correction),
            evidence: s(&m.evidence),
        }
    }
}

fn question(q: &sc::QuestionResult) -> Question {
    let a = q.assessment.as_ref();
    Question {
        id: s(&q.id),
        text: s(&q.text),
        kind: q.kind.as_str().to_string(),
        phase: s(&q.phase),
        score: q.score,
        raw_score: q.raw_score,
        level: q.level.as_str().to_string(),
        hints_used: q.hints_used,
        skipped: q.skipped,
        probe: opt(q.probe.as_deref()),
        answer_ms: q.answer_ms,
        answers: q.answers.iter().map(|x| s(x)).collect(),
        key_points: a
            .map(|a| a.key_points.iter().map(KeyPoint::from).collect())
            .unwrap_or_default(),
        misconceptions: a
            .map(|a| a.misconceptions.iter().map(Misconception::from).collect())
            .unwrap_or_default(),
        salad: a.is_some_and(|a| a.salad),
        feedback: a.map(|a| s(&a.feedback)).unwrap_or_default(),
        simulation: q.simulation.as_ref().map(Simulation::from),
    }
}
