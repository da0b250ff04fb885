//! The answer grader: a candidate's answer to one question becomes an
//! [`Assessment`] — key points credited with the sentence that earned them,
//! misconceptions caught, a 0–100 score calibrated to an interviewer's 1–5
//! grade, a level, and feedback that praises only what was said.
//!
//! Deterministic and offline. Not for: choosing questions or keeping
//! interview state (`kubeprep-interview`), or storing anything.

mod error;
mod matcher;
mod normalize;
mod score;
mod similarity;

use std::collections::HashMap;

use kubeprep_bank::Pack;

pub use error::GradeError;
use matcher::{CompiledQuestion, Matcher};

/// Where a score falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// 0–39: the essentials are missing or wrong.
    Novice,
    /// 40–74: the main idea, without the operational depth.
    Intermediate,
    /// 75–100: complete and reasoned.
    Expert,
}

impl Level {
    /// The level of a 0–100 score.
    pub fn from_score(score: u8) -> Level {
        match score {
            0..=39 => Level::Novice,
            40..=74 => Level::Intermediate,
            _ => Level::Expert,
        }
    }

    /// `novice`, `intermediate` or `expert`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Novice => "novice",
            Level::Intermediate => "intermediate",
            Level::Expert => "expert",
        }
    }
}

/// A key point shown by running the candidate's manifest, with what showed it.
#[derive(Debug, Clone, PartialEq)]
pub struct Proof {
    /// Key point id.
    pub key_point: String,
    /// What the simulation measured, quoted as the point's evidence.
    pub evidence: String,
}

/// One key point of the question, and whether the answer made it.
#[derive(Debug, Clone, PartialEq)]
pub struct PointResult {
    /// Key point id.
    pub id: String,
    /// What the point is.
    pub text: String,
    /// Rubric area id.
    pub area: String,
    /// 1–3.
    pub weight: u8,
    /// Credit earned, 0.0–1.0 (a point named in a bare list of terms earns part).
    pub credit: f32,
    /// The sentence of the answer that earned it (as the candidate wrote it), if any.
    pub evidence: Option<String>,
    /// The answer named the point only to reject it ("I wouldn't bother with ...").
    pub negated: Option<String>,
}

impl PointResult {
    /// Whether the point counts as made.
    pub fn hit(&self) -> bool {
        self.credit > 0.0
    }
}

/// A misconception the answer states.
#[derive(Debug, Clone, PartialEq)]
pub struct MisconceptionHit {
    /// Misconception id.
    pub id: String,
    /// The wrong belief.
    pub text: String,
    /// The correction.
    pub correction: String,
    /// The sentence that states it.
    pub evidence: String,
}

/// The grade of one answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// Question id.
    pub question: String,
    /// 0–100.
    pub score: u8,
    /// The level of the score.
    pub level: Level,
    /// Every key point of the question, hit or not, in pack order.
    pub key_points: Vec<PointResult>,
    /// Misconceptions stated.
    pub misconceptions: Vec<MisconceptionHit>,
    /// The answer names the right terms without the reasoning that connects them.
    pub salad: bool,
    /// Feedback in plain words: what landed (quoted), what was missing, what was wrong.
    pub feedback: String,
    /// The measurements the score is computed from.
    pub signals: Signals,
}

/// What the score is computed from, for explaining and calibrating it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Signals {
    /// Credited key-point weight over the question's total weight, 0–1.
    pub coverage: f32,
    /// Cosine similarity of the answer's words to the question's reference text
    /// (model answer, key points, walkthrough), weighted by how specific each word is.
    pub similarity: f32,
    /// The highest similarity to another question's reference text: an answer
    /// much closer to another question answers that one.
    pub closest_other: f32,
    /// Share of the answer's sentences that explain (rather than list terms).
    pub explained: f32,
    /// Number of words in the answer.
    pub words: u32,
}

impl Assessment {
    /// Key points made.
    pub fn hits(&self) -> impl Iterator<Item = &PointResult> {
        self.key_points.iter().filter(|k| k.hit())
    }

    /// Key points missed, heaviest first.
    pub fn misses(&self) -> Vec<&PointResult> {
        let mut m: Vec<_> = self.key_points.iter().filter(|k| !k.hit()).collect();
        m.sort_by_key(|p| std::cmp::Reverse(p.weight));
        m
    }
}

/// Grades answers against one pack. Build once; grading is then allocation-light.
pub struct Grader {
    matcher: Matcher,
    questions: HashMap<String, CompiledQuestion>,
    references: similarity::References,
    /// The labs' diagnosis rubrics compete only with each other for the
    /// on-topic signal, so interview grading is the same with or without labs.
    lab_references: similarity::References,
    stop: Vec<String>,
}

impl Grader {
    /// Compiles every question's detection patterns, and every lab fault's
    /// diagnosis rubric as a question of its own (id `lab-<lab>-<fault>`,
    /// see [`kubeprep_bank::Lab::question_id`]) that no interview flow asks.
    pub fn new(pack: &Pack) -> Result<Grader, GradeError> {
        let mut matcher = Matcher::new(&pack.lexicon);
        let mut questions = HashMap::new();
        for q in &pack.questions {
            let compiled = matcher.compile_question(q)?;
            questions.insert(q.id.clone(), compiled);
        }
        let lab_questions: Vec<_> = pack
            .labs
            .iter()
            .flat_map(|l| l.diagnosis_questions())
            .collect();
        for q in &lab_questions {
            let compiled = matcher.compile_question(q)?;
            questions.insert(q.id.clone(), compiled);
        }
        matcher.finish();
        let (references, stop) =
            similarity::References::build(matcher.normalizer(), &pack.questions);
        let (lab_references, _) =
            similarity::References::build(matcher.normalizer(), &lab_questions);
        Ok(Grader {
            matcher,
            questions,
            references,
            lab_references,
            stop,
        })
    }

    /// Grades `answer` as an answer to question `question`.
    pub fn grade(&self, question: &str, answer: &str) -> Result<Assessment, GradeError> {
        self.grade_with_proofs(question, answer, &[])
    }

    /// Grades `answer`, crediting in full the key points that `proofs` show
    /// were demonstrated rather than said (a manifest that met a scenario
    /// requirement on the simulated cluster). A proof for a key point the
    /// question does not have is ignored.
    pub fn grade_with_proofs(
        &self,
        question: &str,
        answer: &str,
        proofs: &[Proof],
    ) -> Result<Assessment, GradeError> {
        let q = self
            .questions
            .get(question)
            .ok_or_else(|| GradeError::UnknownQuestion {
                id: question.to_string(),
            })?;
        let t = self.matcher.tokenize(answer);
        let references = if self.references.by_question.contains_key(question) {
            &self.references
        } else {
            &self.lab_references
        };
        let (similarity, closest_other) = references.similarity(
            question,
            t.sentences
                .iter()
                .flat_map(|s| s.words.iter().map(|w| w.stem.as_str())),
            &self.stop,
        );
        Ok(score::assess(
            &self.matcher,
            q,
            answer,
            t,
            similarity,
            closest_other,
            proofs,
        ))
    }
}
