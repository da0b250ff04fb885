//! Detection patterns: compiling a pack's patterns to interned word ids,
//! correcting typos in answers against the pack's vocabulary, and finding
//! which patterns match which sentence, with negation.
//!
//! The pattern language is documented in `packs/README.md`. Not for: turning
//! matches into a score (that is `score.rs`).

use std::collections::{BTreeMap, HashMap, HashSet};

use kubeprep_bank::Question;

use crate::error::GradeError;
use crate::normalize::{Normalizer, Sentence};

/// An interned word id.
type Id = u32;
/// Words that are not in the pack's vocabulary.
const UNKNOWN: Id = Id::MAX;

#[derive(Debug, Clone)]
enum Atom {
    Word(Id),
    Prefix(String),
}

/// One alternative of a term: a single word or a phrase of adjacent words.
#[derive(Debug, Clone)]
struct Alt(Vec<Atom>);

/// A term: any of its alternatives.
#[derive(Debug, Clone)]
struct Term {
    alts: Vec<Alt>,
    /// The term itself names a negation ("without", "never"): the pattern is about absence.
    is_negation: bool,
}

/// A compiled pattern: every term must occur in one sentence.
#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    terms: Vec<Term>,
    about_absence: bool,
}

/// A key point or misconception with its compiled patterns.
#[derive(Debug, Clone)]
pub(crate) struct Detector {
    pub id: String,
    pub text: String,
    pub area: String,
    pub weight: u8,
    pub correction: String,
    patterns: Vec<Pattern>,
}

/// A question ready for grading.
#[derive(Debug, Clone)]
pub(crate) struct CompiledQuestion {
    pub id: String,
    pub key_points: Vec<Detector>,
    pub misconceptions: Vec<Detector>,
}

/// An answer's sentences as word ids.
pub(crate) struct Tokens {
    pub sentences: Vec<Sentence>,
    pub ids: Vec<Vec<Id>>,
}

/// How a detector fared on an answer.
#[derive(Debug, Clone, Default)]
pub(crate) struct Detection {
    /// Index of the sentence that made the point, preferring explained sentences.
    pub sentences: Vec<usize>,
    /// Index of a sentence that named the point only to reject it.
    pub negated: Option<usize>,
}

/// Words that negate what follows them within a clause.
const NEGATIONS: &[&str] = &[
    "not", "no", "never", "without", "nor", "neither", "skip", "avoid", "instead", "lack", "ignore",
];
/// Words after which a negation is a gate ("not ... until ready"), not a rejection.
const GATES: &[&str] = &["until", "unless", "before", "till", "only", "except"];
/// Words that end a negation's reach within a sentence.
const BREAKS: &[&str] = &[
    "but",
    "because",
    "so",
    "then",
    "which",
    "that",
    "when",
    "if",
    "while",
    "since",
    "otherwise",
];
/// Words after a term that dismiss it ("maxSurge doesn't matter", "probes are overkill").
const DISMISSALS: &[&str] = &[
    "overkill",
    "pointless",
    "useless",
    "unnecessary",
    "irrelevant",
    "optional",
    "overrated",
];
const DISMISSED_AFTER_NOT: &[&str] = &[
    "matter",
    "need",
    "needed",
    "necessary",
    "required",
    "important",
    "help",
    "worth",
    "relevant",
    "useful",
];
/// Words that connect terms into reasoning: a list of terms has none of them.
const REASONING: &[&str] = &[
    "because",
    "so",
    "since",
    "until",
    "before",
    "after",
    "if",
    "when",
    "which",
    "otherwise",
    "means",
    "ensures",
    "while",
    "then",
    "instead",
    "unless",
    "prevents",
    "waits",
    "without",
    "whereas",
    "therefore",
    "once",
    "by",
];
/// Function words: their presence is what separates an explanation from a list of terms.
pub(crate) const FUNCTION_WORDS: &[&str] = &[
    "the", "a", "an", "is", "are", "be", "it", "its", "we", "you", "i", "they", "will", "would",
    "should", "can", "could", "to", "of", "in", "on", "for", "with", "so", "because", "if", "when",
    "then", "that", "which", "this", "until", "before", "after", "and", "or", "but", "my", "our",
    "your", "their", "there", "what", "how", "by", "from", "into", "as", "at", "do", "does", "not",
    "no", "have", "has", "get", "make", "each", "every", "all", "any", "them", "me", "us", "one",
    "only", "also", "just", "need", "want", "let", "since", "while", "means", "mean", "keep",
    "wait", "first", "same", "own", "other", "was", "were", "been",
];

/// Interns words, compiles patterns and tokenises answers.
pub(crate) struct Matcher {
    norm: Normalizer,
    lexicon: BTreeMap<String, Vec<String>>,
    ids: HashMap<String, Id>,
    /// Stems used by patterns (typo targets).
    vocabulary: HashSet<Id>,
    /// One-deletion variants of vocabulary stems -> the stem.
    deletions: HashMap<String, Id>,
    pub(crate) negations: HashSet<Id>,
    gates: HashSet<Id>,
    breaks: HashSet<Id>,
    dismissals: HashSet<Id>,
    dismissed_after_not: HashSet<Id>,
    pub(crate) function_words: HashSet<Id>,
    pub(crate) reasoning: HashSet<Id>,
    pub(crate) conjunctions: HashSet<Id>,
    not_id: Id,
}

impl Matcher {
    pub fn new(lexicon: &BTreeMap<String, Vec<String>>) -> Matcher {
        let mut m = Matcher {
            norm: Normalizer::new(),
            lexicon: lexicon.clone(),
            ids: HashMap::new(),
            vocabulary: HashSet::new(),
            deletions: HashMap::new(),
            negations: HashSet::new(),
            gates: HashSet::new(),
            breaks: HashSet::new(),
            dismissals: HashSet::new(),
            dismissed_after_not: HashSet::new(),
            function_words: HashSet::new(),
            reasoning: HashSet::new(),
            conjunctions: HashSet::new(),
            not_id: 0,
        };
        m.negations = m.intern_set(NEGATIONS);
        m.gates = m.intern_set(GATES);
        m.breaks = m.intern_set(BREAKS);
        m.dismissals = m.intern_set(DISMISSALS);
        m.dismissed_after_not = m.intern_set(DISMISSED_AFTER_NOT);
        m.function_words = m.intern_set(FUNCTION_WORDS);
        m.reasoning = m.intern_set(REASONING);
        m.conjunctions = m.intern_set(&["and", "or", "plus", "also"]);
        m.not_id = m.intern("not");
        m
    }

    fn intern_set(&mut self, words: &[&str]) -> HashSet<Id> {
        let stems: Vec<String> = words.iter().flat_map(|w| self.norm.words(w)).collect();
        stems.iter().map(|s| self.intern(s)).collect()
    }

    fn intern(&mut self, stem: &str) -> Id {
        if let Some(&id) = self.ids.get(stem) {
            return id;
        }
        let id = self.ids.len() as Id;
        self.ids.insert(stem.to_string(), id);
        id
    }

    /// The normaliser answers and patterns share.
    pub fn normalizer(&self) -> &Normalizer {
        &self.norm
    }

    /// Builds the typo index once every pattern is compiled.
    pub fn finish(&mut self) {
        let mut deletions = HashMap::new();
        let mut vocab: Vec<(&String, &Id)> = self
            .ids
            .iter()
            .filter(|(_, id)| self.vocabulary.contains(id))
            .collect();
        vocab.sort();
        for (stem, &id) in vocab {
            if stem.chars().count() < 5 || stem.bytes().any(|b| b.is_ascii_digit()) {
                continue;
            }
            for d in one_deletions(stem) {
                deletions.entry(d).or_insert(id);
            }
        }
        self.deletions = deletions;
    }

    pub fn compile_question(&mut self, q: &Question) -> Result<CompiledQuestion, GradeError> {
        let mut key_points = Vec::new();
        for kp in &q.key_points {
            key_points.push(Detector {
                id: kp.id.clone(),
                text: kp.text.clone(),
                area: kp.area.clone(),
                weight: kp.weight,
                correction: String::new(),
                patterns: self.compile_patterns(&q.id, &kp.id, &kp.detect)?,
            });
        }
        let mut misconceptions = Vec::new();
        for m in &q.misconceptions {
            misconceptions.push(Detector {
                id: m.id.clone(),
                text: m.text.clone(),
                area: q.topic.clone(),
                weight: 0,
                correction: m.correction.clone(),
                patterns: self.compile_patterns(&q.id, &m.id, &m.detect)?,
            });
        }
        Ok(CompiledQuestion {
            id: q.id.clone(),
            key_points,
            misconceptions,
        })
    }

    fn compile_patterns(
        &mut self,
        question: &str,
        item: &str,
        patterns: &[String],
    ) -> Result<Vec<Pattern>, GradeError> {
        patterns
            .iter()
            .map(|p| self.compile_pattern(p))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| GradeError::BadPattern {
                question: question.to_string(),
                item: item.to_string(),
                reason: "a term or lexicon group normalises to no words".into(),
            })
    }

    fn compile_pattern(&mut self, pattern: &str) -> Option<Pattern> {
        let mut terms = Vec::new();
        for raw_term in pattern.split_whitespace() {
            let mut alts = Vec::new();
            let mut is_negation = false;
            for raw_alt in raw_term.split('|') {
                let expanded: Vec<String> = match raw_alt.strip_prefix('@') {
                    Some(name) => self.lexicon.get(name)?.clone(),
                    None => vec![raw_alt.to_string()],
                };
                for alt in expanded {
                    let compiled = self.compile_alt(&alt)?;
                    if let [Atom::Word(id)] = compiled.0.as_slice() {
                        if self.negations.contains(id) {
                            is_negation = true;
                        }
                    }
                    alts.push(compiled);
                }
            }
            if alts.is_empty() {
                return None;
            }
            terms.push(Term { alts, is_negation });
        }
        if terms.is_empty() {
            return None;
        }
        let about_absence = terms.iter().any(|t| t.is_negation);
        Some(Pattern {
            terms,
            about_absence,
        })
    }

    fn compile_alt(&mut self, alt: &str) -> Option<Alt> {
        let (body, prefix) = match alt.strip_suffix('*') {
            Some(b) => (b, true),
            None => (alt, false),
        };
        let text = body.replace('_', " ");
        let words = self.norm.words(&text);
        if words.is_empty() {
            return None;
        }
        let n = words.len();
        let mut atoms = Vec::with_capacity(n);
        for (i, w) in words.into_iter().enumerate() {
            if prefix && i == n - 1 {
                // Prefixes match the raw-ish stem: keep the un-stemmed lower-case body.
                let raw = text.split_whitespace().last().unwrap_or(&w).to_lowercase();
                atoms.push(Atom::Prefix(raw));
            } else {
                let id = self.intern(&w);
                self.vocabulary.insert(id);
                atoms.push(Atom::Word(id));
            }
        }
        Some(Alt(atoms))
    }

    /// Normalises an answer and maps its words to ids, correcting one-letter typos.
    pub fn tokenize(&self, answer: &str) -> Tokens {
        let sentences = self.norm.sentences(answer);
        let ids = sentences
            .iter()
            .map(|s| s.words.iter().map(|w| self.lookup(&w.stem)).collect())
            .collect();
        Tokens { sentences, ids }
    }

    fn lookup(&self, stem: &str) -> Id {
        if let Some(&id) = self.ids.get(stem) {
            return id;
        }
        if stem.chars().count() < 5 || stem.bytes().any(|b| b.is_ascii_digit()) {
            return UNKNOWN;
        }
        // The answer lacks a letter: it is a deletion of a vocabulary stem.
        if let Some(&id) = self.deletions.get(stem) {
            return id;
        }
        for d in one_deletions(stem) {
            // The answer has an extra letter.
            if let Some(&id) = self.ids.get(&d) {
                if self.vocabulary.contains(&id) && d.chars().count() >= 5 {
                    return id;
                }
            }
            // A substituted or transposed letter.
            if let Some(&id) = self.deletions.get(&d) {
                return id;
            }
        }
        UNKNOWN
    }

    /// Runs a detector over an answer.
    pub fn detect(&self, d: &Detector, t: &Tokens) -> Detection {
        let mut out = Detection::default();
        for (si, (sentence, ids)) in t.sentences.iter().zip(&t.ids).enumerate() {
            let mut matched = false;
            let mut negated = false;
            for p in &d.patterns {
                match self.match_pattern(p, sentence, ids) {
                    Match::Yes => {
                        matched = true;
                        break;
                    }
                    Match::Negated => negated = true,
                    Match::No => {}
                }
            }
            if matched {
                out.sentences.push(si);
            } else if negated && out.negated.is_none() {
                out.negated = Some(si);
            }
        }
        out
    }

    fn match_pattern(&self, p: &Pattern, s: &Sentence, ids: &[Id]) -> Match {
        let mut any_negated = false;
        // Each term must be made by its own words: one word cannot satisfy two terms.
        let mut used: u128 = 0;
        let mask = |start: usize, len: usize| -> u128 {
            (start..start + len)
                .filter(|&i| i < 128)
                .fold(0u128, |m, i| m | (1u128 << i))
        };
        for term in &p.terms {
            let mut found = false;
            let mut found_negated = false;
            for alt in &term.alts {
                for start in occurrences(alt, s, ids) {
                    let m = mask(start, alt.0.len());
                    if m & used != 0 {
                        continue;
                    }
                    if p.about_absence
                        || term.is_negation
                        || !self.is_negated(s, ids, start, alt.0.len())
                    {
                        used |= m;
                        found = true;
                        break;
                    }
                    found_negated = true;
                }
                if found {
                    break;
                }
            }
            if !found {
                if found_negated {
                    any_negated = true;
                    continue;
                }
                return Match::No;
            }
        }
        if any_negated {
            Match::Negated
        } else {
            Match::Yes
        }
    }

    /// A negation within four words before `pos` in the same clause (and no gate
    /// word after it), or a dismissal just after the phrase.
    fn is_negated(&self, s: &Sentence, ids: &[Id], pos: usize, len: usize) -> bool {
        let clause = s.words[pos].clause;
        let lo = pos.saturating_sub(4);
        for j in (lo..pos).rev() {
            if s.words[j].clause != clause || self.breaks.contains(&ids[j]) {
                break;
            }
            if self.negations.contains(&ids[j]) {
                // "not ... until ready" gates rather than rejects: the gate follows in the same clause.
                let gated = ids[j + 1..]
                    .iter()
                    .zip(&s.words[j + 1..])
                    .take_while(|(_, w)| w.clause == clause)
                    .any(|(id, _)| self.gates.contains(id));
                if !gated {
                    return true;
                }
            }
        }
        let end = pos + len;
        let hi = (end + 4).min(ids.len());
        for j in end..hi {
            if self.breaks.contains(&ids[j]) {
                break;
            }
            if self.dismissals.contains(&ids[j]) {
                return true;
            }
            if ids[j] == self.not_id
                && ids[j + 1..(j + 3).min(ids.len())]
                    .iter()
                    .any(|id| self.dismissed_after_not.contains(id))
            {
                return true;
            }
        }
        false
    }
}

enum Match {
    Yes,
    Negated,
    No,
}

/// Start positions where `alt` occurs in the sentence.
fn occurrences<'a>(
    alt: &'a Alt,
    s: &'a Sentence,
    ids: &'a [Id],
) -> impl Iterator<Item = usize> + 'a {
    let n = alt.0.len();
    (0..ids.len().saturating_sub(n - 1)).filter(move |&i| {
        alt.0.iter().enumerate().all(|(k, atom)| match atom {
            Atom::Word(id) => ids[i + k] == *id,
            Atom::Prefix(p) => {
                s.words[i + k].raw.starts_with(p.as_str())
                    || s.words[i + k].stem.starts_with(p.as_str())
            }
        })
    })
}

fn one_deletions(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    (0..chars.len())
        .map(|i| {
            chars
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, c)| *c)
                .collect()
        })
        .collect()
}
