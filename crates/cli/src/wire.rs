//! The JSON the CLI prints (`--output json`): types of their own, so the
//! contract other tools rely on (design.md) does not move when the engine's
//! internal types do. Field names here are the contract.

use serde::Serialize;

/// One entry of `kubeprep bank list --output json`.
#[derive(Serialize)]
pub struct QuestionSummary {
    pub id: String,
    pub topic: String,
    pub difficulty: &'static str,
    pub text: String,
    /// The main question this one follows up, if any.
    pub parent: Option<String>,
}

impl From<&kubeprep_bank::Question> for QuestionSummary {
    fn from(q: &kubeprep_bank::Question) -> Self {
        QuestionSummary {
            id: q.id.clone(),
            topic: q.topic.clone(),
            difficulty: q.difficulty.as_str(),
            text: q.text.trim().to_string(),
            parent: q.parent.clone(),
        }
    }
}

/// `kubeprep bank show ID --output json`.
#[derive(Serialize)]
pub struct QuestionDetail {
    #[serde(flatten)]
    pub summary: QuestionSummary,
    pub hints: [String; 4],
    pub key_points: Vec<KeyPointDetail>,
    pub misconceptions: Vec<MisconceptionDetail>,
    pub follow_ups: Vec<String>,
    pub model_answer: String,
}

#[derive(Serialize)]
pub struct KeyPointDetail {
    pub id: String,
    pub text: String,
    pub area: String,
    pub weight: u8,
    pub detect: Vec<String>,
}

#[derive(Serialize)]
pub struct MisconceptionDetail {
    pub id: String,
    pub text: String,
    pub correction: String,
}

impl From<&kubeprep_bank::Question> for QuestionDetail {
    fn from(q: &kubeprep_bank::Question) -> Self {
        QuestionDetail {
            summary: q.into(),
            hints: [
                q.hints.nudge.clone(),
                q.hints.direction.clone(),
                q.hints.partial.clone(),
                q.hints.walkthrough.clone(),
            ],
            key_points: q
                .key_points
                .iter()
                .map(|k| KeyPointDetail {
                    id: k.id.clone(),
                    text: k.text.clone(),
                    area: k.area.clone(),
                    weight: k.weight,
                    detect: k.detect.clone(),
                })
                .collect(),
            misconceptions: q
                .misconceptions
                .iter()
                .map(|m| MisconceptionDetail {
                    id: m.id.clone(),
                    text: m.text.clone(),
                    correction: m.correction.clone(),
                })
                .collect(),
            follow_ups: q.follow_ups.clone(),
            model_answer: q.model_answer.clone(),
        }
    }
}

/// `kubeprep grade --output json`.
#[derive(Serialize)]
pub struct Assessment {
    pub question: String,
    pub score: u8,
    pub level: &'static str,
    pub key_points: Vec<KeyPoint>,
    pub misconceptions: Vec<Misconception>,
    /// The answer names the right terms without the reasoning that connects them.
    pub salad: bool,
    pub feedback: String,
}

/// A key point's result, as in the session report.
pub use kubeprep_interview::wire::KeyPoint;
/// A misconception stated, as in the session report.
pub use kubeprep_interview::wire::Misconception;

impl From<&kubeprep_grade::Assessment> for Assessment {
    fn from(a: &kubeprep_grade::Assessment) -> Self {
        Assessment {
            question: a.question.clone(),
            score: a.score,
            level: a.level.as_str(),
            key_points: a.key_points.iter().map(KeyPoint::from).collect(),
            misconceptions: a.misconceptions.iter().map(Misconception::from).collect(),
            salad: a.salad,
            feedback: a.feedback.clone(),
        }
    }
}
