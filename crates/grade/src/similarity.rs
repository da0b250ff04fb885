//! How close an answer's vocabulary is to what an expert would say: a
//! TF-IDF cosine between the answer and the question's reference text (its
//! model answer, key points and walkthrough), with word weights from how
//! specific each word is across the pack's questions.
//!
//! A second opinion beside key-point patterns: it notices an on-topic answer
//! phrased in ways no pattern foresaw, and it stays near zero for an answer
//! to another question. Not for: crediting key points (that needs patterns
//! and evidence) — the score uses it only as a minor signal.

use std::collections::{BTreeMap, HashMap};

use kubeprep_bank::Question;

use crate::normalize::Normalizer;

/// Words too common to say anything about the topic.
const STOP: &[&str] = &[
    "the",
    "a",
    "an",
    "is",
    "are",
    "be",
    "it",
    "its",
    "we",
    "you",
    "i",
    "they",
    "will",
    "would",
    "should",
    "can",
    "could",
    "to",
    "of",
    "in",
    "on",
    "for",
    "with",
    "so",
    "because",
    "if",
    "when",
    "then",
    "that",
    "which",
    "this",
    "until",
    "before",
    "after",
    "and",
    "or",
    "but",
    "my",
    "our",
    "your",
    "their",
    "there",
    "what",
    "how",
    "by",
    "from",
    "into",
    "as",
    "at",
    "do",
    "does",
    "not",
    "no",
    "have",
    "has",
    "get",
    "make",
    "each",
    "every",
    "all",
    "any",
    "them",
    "me",
    "us",
    "one",
    "only",
    "also",
    "just",
    "need",
    "want",
    "let",
    "since",
    "while",
    "was",
    "were",
    "been",
    "than",
    "these",
    "those",
    "some",
    "more",
    "most",
    "very",
    "really",
    "like",
    "think",
    "know",
    "say",
    "said",
    "use",
    "used",
    "using",
    "thing",
    "things",
    "way",
    "maybe",
    "probably",
    "basically",
    "actually",
    "um",
    "uh",
    "yeah",
    "okay",
    "ok",
    "well",
    "sure",
    "go",
    "going",
    "kubernetes",
    "k8s",
    "pod",
    "pods",
    "container",
    "containers",
    "here",
    "where",
    "who",
    "why",
    "even",
    "still",
    "much",
    "many",
    "lot",
    "other",
    "same",
    "new",
    "s",
    "t",
];

/// The reference vector of one question.
#[derive(Debug, Clone, Default)]
pub(crate) struct Reference {
    weights: BTreeMap<String, f32>,
    norm: f32,
}

/// Builds reference vectors for all questions with shared word weights.
pub(crate) struct References {
    pub by_question: HashMap<String, Reference>,
    idf: HashMap<String, f32>,
    default_idf: f32,
}

/// Word counts, ordered so that sums over them are the same on every run.
fn content_stems<'a>(
    stems: impl Iterator<Item = &'a str>,
    stop: &[String],
) -> BTreeMap<String, f32> {
    let mut counts: BTreeMap<String, f32> = BTreeMap::new();
    for s in stems {
        if s.len() < 2 || s.bytes().all(|b| b.is_ascii_digit()) || stop.iter().any(|x| x == s) {
            continue;
        }
        *counts.entry(s.to_string()).or_default() += 1.0;
    }
    counts
}

impl References {
    pub fn build(norm: &Normalizer, questions: &[Question]) -> (References, Vec<String>) {
        let stop: Vec<String> = STOP.iter().flat_map(|w| norm.words(w)).collect();
        let mut docs: Vec<(String, BTreeMap<String, f32>)> = Vec::new();
        for q in questions {
            let mut text = String::new();
            text.push_str(&q.model_answer);
            text.push('\n');
            text.push_str(&q.hints.walkthrough);
            for k in &q.key_points {
                text.push('\n');
                text.push_str(&k.text);
            }
            let words = norm.words(&text);
            docs.push((
                q.id.clone(),
                content_stems(words.iter().map(String::as_str), &stop),
            ));
        }
        let n = docs.len().max(1) as f32;
        let mut df: HashMap<String, f32> = HashMap::new();
        for (_, d) in &docs {
            for w in d.keys() {
                *df.entry(w.clone()).or_default() += 1.0;
            }
        }
        let idf: HashMap<String, f32> = df
            .iter()
            .map(|(w, c)| (w.clone(), (1.0 + n / c).ln()))
            .collect();
        let default_idf = (1.0 + n).ln();
        let by_question = docs
            .into_iter()
            .map(|(id, counts)| {
                let weights: BTreeMap<String, f32> = counts
                    .into_iter()
                    .map(|(w, c)| {
                        let wt = c.sqrt() * idf.get(&w).copied().unwrap_or(default_idf);
                        (w, wt)
                    })
                    .collect();
                let norm = weights.values().map(|v| v * v).sum::<f32>().sqrt();
                (id, Reference { weights, norm })
            })
            .collect();
        (
            References {
                by_question,
                idf,
                default_idf,
            },
            stop,
        )
    }

    /// Cosine similarity of `stems` (an answer's words) to the question's
    /// reference, and the highest similarity to any other question's.
    pub fn similarity<'a>(
        &self,
        question: &str,
        stems: impl Iterator<Item = &'a str>,
        stop: &[String],
    ) -> (f32, f32) {
        let counts = content_stems(stems, stop);
        let answer: Vec<(&String, f32)> = counts
            .iter()
            .map(|(w, c)| {
                (
                    w,
                    c.sqrt() * self.idf.get(w).copied().unwrap_or(self.default_idf),
                )
            })
            .collect();
        let norm = answer.iter().map(|(_, a)| a * a).sum::<f32>().sqrt();
        let cosine = |r: &Reference| -> f32 {
            if norm == 0.0 || r.norm == 0.0 {
                return 0.0;
            }
            let dot: f32 = answer
                .iter()
                .filter_map(|(w, a)| r.weights.get(*w).map(|b| a * b))
                .sum();
            dot / (norm * r.norm)
        };
        let this = self.by_question.get(question).map(cosine).unwrap_or(0.0);
        let other = self
            .by_question
            .iter()
            .filter(|(id, _)| id.as_str() != question)
            .map(|(_, r)| cosine(r))
            .fold(0.0f32, f32::max);
        (this, other)
    }
}
