//! From detections to an [`Assessment`]: credit per key point (full for an
//! explained sentence, most for a manifest or command line, little for a bare
//! list of terms), misconception penalties, the buzzword-salad cap, the
//! calibrated 0–100 score, and feedback that quotes the answer.
//!
//! Not for: pattern matching (`matcher.rs`).

use crate::matcher::{CompiledQuestion, Matcher, Tokens};
use crate::{Assessment, Level, MisconceptionHit, PointResult, Signals};

/// Credit for a point made in a sentence that explains (has the words that connect terms).
const EXPLAINED: f32 = 1.0;
/// Credit for a point shown in a line of YAML or a command.
const CONFIG: f32 = 0.8;
/// Credit for a point named in a fragment or a list of terms.
const FRAGMENT: f32 = 0.35;
/// Coverage (share of key-point weight) that earns the whole coverage share.
const FULL_COVERAGE: f32 = 1.0;
/// How much of the score coverage can earn.
const COVERAGE_SHARE: f32 = 0.6;
/// How much of the score depth can earn.
const DEPTH_SHARE: f32 = 0.5;
/// Words at which depth is full.
const DEPTH_WORDS: f32 = 150.0;
/// Coverage plus similarity at which an answer counts as fully on topic.
const ON_TOPIC: f32 = 0.1;
/// An answer this many times closer to another question's text is off topic.
const OFF_TOPIC_RATIO: f32 = 1.3;
/// The highest score an answer to another question can get.
const OFF_TOPIC_CAP: f32 = 15.0;
/// Each misconception keeps this share of the score.
const MISCONCEPTION_FACTOR: f32 = 0.7;
/// The highest score a buzzword-salad answer can get.
const SALAD_CAP: f32 = 10.0;
/// Evidence quotes are cut to this many characters.
const EVIDENCE_CHARS: usize = 280;

/// How well a sentence carries reasoning.
fn sentence_credit(m: &Matcher, t: &Tokens, i: usize) -> f32 {
    let s = &t.sentences[i];
    if s.config_line {
        return CONFIG;
    }
    let n = s.words.len();
    let function = t.ids[i]
        .iter()
        .filter(|id| m.function_words.contains(id))
        .count();
    if n >= 5 && function >= 2 && function * 8 >= n {
        EXPLAINED
    } else {
        FRAGMENT
    }
}

fn quote(answer: &str, t: &Tokens, i: usize) -> String {
    let s = &t.sentences[i];
    let text = answer[s.start..s.end].trim();
    let text = text.trim_start_matches(['-', '*', '•', ' ']).trim();
    // Hard-wrapped sentences are quoted on one line.
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= EVIDENCE_CHARS {
        return text;
    }
    let cut: String = text.chars().take(EVIDENCE_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

pub(crate) fn assess(
    m: &Matcher,
    q: &CompiledQuestion,
    answer: &str,
    t: Tokens,
    similarity: f32,
    closest_other: f32,
    proofs: &[crate::Proof],
) -> Assessment {
    let detections: Vec<_> = q.key_points.iter().map(|kp| m.detect(kp, &t)).collect();
    // A sentence that names three or more points in a handful of words each,
    // with nothing connecting them, is a list of terms, whatever its grammar.
    let mut per_sentence = vec![0usize; t.sentences.len()];
    for d in &detections {
        for &i in &d.sentences {
            per_sentence[i] += 1;
        }
    }
    let credits: Vec<f32> = (0..t.sentences.len())
        .map(|i| {
            let n = per_sentence[i];
            let words = t.sentences[i].words.len();
            // A leading "So" opens the answer; it connects nothing.
            let connected = t.ids[i].iter().skip(1).any(|id| m.reasoning.contains(id));
            let ws = &t.sentences[i].words;
            let separators = t.ids[i]
                .iter()
                .filter(|id| m.conjunctions.contains(id))
                .count()
                + ws.windows(2).filter(|w| w[0].clause != w[1].clause).count();
            // Dense (few words per point, joined by and/commas) or strung together
            // with far more separators than a sentence needs.
            let dense = words < n * 7 && separators + 1 >= n;
            let strung = separators >= 2 * n;
            // Settings with their values ("maxSurge 2, minReadySeconds 30") are concrete, not name-dropping.
            let values = ws
                .iter()
                .filter(|w| w.stem.bytes().all(|b| b.is_ascii_digit()))
                .count();
            if n >= 3 && !connected && values < 2 && (dense || strung) {
                FRAGMENT
            } else {
                sentence_credit(m, &t, i)
            }
        })
        .collect();

    let mut key_points = Vec::with_capacity(q.key_points.len());
    let mut fragment_hits = 0usize;
    let mut hits = 0usize;
    for (kp, d) in q.key_points.iter().zip(&detections) {
        let best = d
            .sentences
            .iter()
            .copied()
            .max_by(|&a, &b| credits[a].total_cmp(&credits[b]).then(b.cmp(&a)));
        let credit = best.map(|i| credits[i]).unwrap_or(0.0);
        if let Some(i) = best {
            hits += 1;
            if credits[i] <= FRAGMENT {
                fragment_hits += 1;
            }
        }
        key_points.push(PointResult {
            id: kp.id.clone(),
            text: kp.text.clone(),
            area: kp.area.clone(),
            weight: kp.weight,
            credit,
            evidence: best.map(|i| quote(answer, &t, i)),
            negated: if best.is_none() {
                d.negated.map(|i| quote(answer, &t, i))
            } else {
                None
            },
        });
    }

    // A requirement met on the simulated cluster proves its key points in full.
    for proof in proofs {
        if let Some(p) = key_points.iter_mut().find(|p| p.id == proof.key_point) {
            if p.credit < EXPLAINED {
                if p.credit == 0.0 {
                    hits += 1;
                } else if p.credit <= FRAGMENT {
                    fragment_hits = fragment_hits.saturating_sub(1);
                }
                p.credit = EXPLAINED;
                p.evidence = Some(proof.evidence.clone());
                p.negated = None;
            }
        }
    }

    let misconceptions: Vec<MisconceptionHit> = q
        .misconceptions
        .iter()
        .filter_map(|mc| {
            let d = m.detect(mc, &t);
            d.sentences.first().map(|&i| MisconceptionHit {
                id: mc.id.clone(),
                text: mc.text.clone(),
                correction: mc.correction.clone(),
                evidence: quote(answer, &t, i),
            })
        })
        .collect();

    let total_words: usize = t.sentences.iter().map(|s| s.words.len()).sum();
    let function_words: usize = t
        .ids
        .iter()
        .flatten()
        .filter(|id| m.function_words.contains(id))
        .count();
    let config_sentences = t.sentences.iter().filter(|s| s.config_line).count();
    let mostly_config = config_sentences * 2 >= t.sentences.len().max(1);
    let explained_sentences = credits.iter().filter(|&&c| c >= EXPLAINED).count();
    // Many short fragments and almost nothing explained: keywords, not an answer.
    let fragmented = t.sentences.len() >= 4 && explained_sentences * 3 < t.sentences.len();
    let salad = hits >= 1
        && !mostly_config
        && ((hits >= 2 && fragment_hits * 5 >= hits * 3)
            || (total_words >= 6 && function_words * 7 < total_words)
            || fragmented);

    let explained_share = if t.sentences.is_empty() {
        0.0
    } else {
        explained_sentences as f32 / t.sentences.len() as f32
    };
    let total: f32 = q.key_points.iter().map(|k| f32::from(k.weight)).sum();
    let earned: f32 = key_points
        .iter()
        .map(|k| f32::from(k.weight) * k.credit)
        .sum();
    let coverage = if total > 0.0 { earned / total } else { 0.0 };
    let mut score = calibrate(coverage, similarity, total_words);
    for _ in misconceptions.iter().take(3) {
        score *= MISCONCEPTION_FACTOR;
    }
    if salad {
        score = score.min(SALAD_CAP);
    }
    if total_words < 4 {
        score = score.min(5.0);
    }
    // An answer to another question: its words belong elsewhere and it makes
    // few of this question's points.
    let off_topic = closest_other > similarity * OFF_TOPIC_RATIO && coverage < 0.25;
    if off_topic {
        score = score.min(OFF_TOPIC_CAP);
    }
    let score = score.round().clamp(0.0, 100.0) as u8;
    let feedback = feedback(
        &key_points,
        &misconceptions,
        salad,
        negated_any(&key_points),
    );
    Assessment {
        question: q.id.clone(),
        score,
        level: Level::from_score(score),
        key_points,
        misconceptions,
        salad,
        feedback,
        signals: Signals {
            coverage,
            similarity,
            closest_other,
            explained: explained_share,
            words: total_words as u32,
        },
    }
}

fn negated_any(points: &[PointResult]) -> Option<&PointResult> {
    points.iter().find(|p| p.negated.is_some())
}

/// Maps the signals to the 0–100 scale whose bands match an interviewer's
/// 1–5 grade (fitted on the development set, `testdata/devset.yaml`):
/// key-point coverage carries most of the score; depth (how much the answer
/// says, on a log scale) carries the rest, but only for an answer that is on
/// topic — it makes points or uses the question's vocabulary.
fn calibrate(coverage: f32, similarity: f32, words: usize) -> f32 {
    let cov = (coverage / FULL_COVERAGE).min(1.15);
    let depth = ((1.0 + words as f32).ln() / (1.0 + DEPTH_WORDS).ln()).min(1.0);
    let on_topic = ((coverage + similarity) / ON_TOPIC).min(1.0);
    (100.0 * (COVERAGE_SHARE * cov.powf(0.8) + DEPTH_SHARE * depth * on_topic)).min(100.0)
}

fn feedback(
    points: &[PointResult],
    misconceptions: &[MisconceptionHit],
    salad: bool,
    negated: Option<&PointResult>,
) -> String {
    let mut parts = Vec::new();
    let mut hits: Vec<&PointResult> = points.iter().filter(|p| p.hit()).collect();
    hits.sort_by_key(|p| std::cmp::Reverse(p.weight));
    if salad {
        parts.push(
            "The answer names the right terms without explaining how they work together or why; say what each one does in this situation."
                .to_string(),
        );
    } else if hits.is_empty() {
        parts.push("The answer did not make any of the points this question is about.".to_string());
    } else {
        let said: Vec<String> = hits
            .iter()
            .take(3)
            .map(|p| {
                format!(
                    "{} (\"{}\")",
                    p.text.trim_end_matches('.'),
                    shorten(p.evidence.as_deref().unwrap_or(""), 90)
                )
            })
            .collect();
        parts.push(format!("Credited: {}.", said.join("; ")));
    }
    for m in misconceptions {
        parts.push(format!(
            "Wrong: \"{}\" — {}",
            shorten(&m.evidence, 90),
            m.correction.trim()
        ));
    }
    if let Some(n) = negated {
        parts.push(format!(
            "You set aside something that matters: {}",
            n.text.trim()
        ));
    }
    let mut misses: Vec<&PointResult> = points.iter().filter(|p| !p.hit()).collect();
    misses.sort_by_key(|p| std::cmp::Reverse(p.weight));
    if !misses.is_empty() {
        let list: Vec<&str> = misses
            .iter()
            .take(3)
            .map(|p| p.text.trim_end_matches('.'))
            .collect();
        parts.push(format!("Missing: {}.", list.join("; ")));
    }
    parts.join(" ")
}

fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let cut: String = s.chars().take(n - 1).collect();
        format!("{}…", cut.trim_end())
    }
}
