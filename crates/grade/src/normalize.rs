//! Text normalisation shared by answers and detection patterns: sentence
//! splitting with spans into the original text, word splitting (camelCase,
//! snake_case, kebab-case, contractions), lower-casing, number words to
//! digits, and English stemming.
//!
//! Not for: deciding what matches (that is `matcher.rs`).

use rust_stemmers::{Algorithm, Stemmer};

/// A word of a sentence after normalisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word {
    /// The stemmed, lower-case form.
    pub stem: String,
    /// The lower-case word before stemming (prefix patterns match it).
    pub raw: String,
    /// The clause number within the sentence (commas and brackets start a new clause).
    pub clause: u16,
}

/// A sentence: its words and where it is in the original text.
#[derive(Debug, Clone)]
pub(crate) struct Sentence {
    /// Byte range of the sentence in the answer.
    pub start: usize,
    /// End of the byte range.
    pub end: usize,
    /// The normalised words.
    pub words: Vec<Word>,
    /// The sentence looks like a line of YAML (`key: value`) or a shell command.
    pub config_line: bool,
}

/// Splits `text` into sentences and normalises each.
pub(crate) struct Normalizer {
    stemmer: Stemmer,
}

const NUMBER_WORDS: &[(&str, &str)] = &[
    ("zero", "0"),
    ("one", "1"),
    ("two", "2"),
    ("three", "3"),
    ("four", "4"),
    ("five", "5"),
    ("six", "6"),
    ("seven", "7"),
    ("eight", "8"),
    ("nine", "9"),
    ("ten", "10"),
    ("eleven", "11"),
    ("twelve", "12"),
    ("fifteen", "15"),
    ("twenty", "20"),
    ("thirty", "30"),
    ("forty", "40"),
    ("fifty", "50"),
    ("sixty", "60"),
    ("hundred", "100"),
];

const ABBREVIATIONS: &[&str] = &["e.g", "i.e", "etc", "vs", "eg", "ie", "approx", "ca"];

impl Normalizer {
    pub fn new() -> Normalizer {
        Normalizer {
            stemmer: Stemmer::create(Algorithm::English),
        }
    }

    /// Normalises one word (already lower-case, alphanumeric) to its stem.
    pub fn stem_word(&self, w: &str) -> String {
        if let Some((_, d)) = NUMBER_WORDS.iter().find(|(n, _)| *n == w) {
            return (*d).to_string();
        }
        if w.bytes().all(|b| b.is_ascii_digit()) {
            return w.to_string();
        }
        self.stemmer.stem(w).into_owned()
    }

    /// Normalises a fragment of text (a pattern alternative) into stems, ignoring sentence structure.
    pub fn words(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        split_words(text, &mut |w, _| out.push(self.stem_word(&w)));
        out
    }

    /// Splits an answer into normalised sentences.
    pub fn sentences(&self, text: &str) -> Vec<Sentence> {
        let mut out = Vec::new();
        for (start, end) in sentence_spans(text) {
            let raw = &text[start..end];
            let mut words = Vec::new();
            let mut clause = 0u16;
            split_words(raw, &mut |w, new_clause| {
                if new_clause {
                    clause = clause.saturating_add(1);
                }
                words.push(Word {
                    stem: self.stem_word(&w),
                    raw: w,
                    clause,
                });
            });
            if words.is_empty() {
                continue;
            }
            out.push(Sentence {
                start,
                end,
                words,
                config_line: is_config_line(raw),
            });
        }
        out
    }
}

/// A line of YAML (`key: value`, `- item`) or a command (`kubectl ...`).
fn is_config_line(raw: &str) -> bool {
    let t = raw
        .trim()
        .trim_start_matches("- ")
        .trim_start_matches('$')
        .trim();
    if t.starts_with("kubectl ") || t.starts_with("helm ") || t.starts_with("redis-cli ") {
        // One command, not a comma-separated list of things to try.
        return t.matches(',').count() < 2;
    }
    match t.split_once(':') {
        Some((key, _)) => {
            !key.is_empty()
                && key.len() < 40
                && key.chars().all(|c| {
                    c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' || c == '"'
                })
        }
        None => false,
    }
}

/// Byte spans of sentences: split at line breaks, `;`, `!`, `?`, and `.` followed by
/// whitespace or the end (but not after common abbreviations).
fn sentence_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let split = match b {
            b'\n' => line_break_ends_sentence(text, start, i),
            b';' | b'!' | b'?' => true,
            b'.' => {
                let next_ws = bytes.get(i + 1).is_none_or(|n| n.is_ascii_whitespace());
                if next_ws {
                    let before = &text[start..i];
                    let last = before
                        .rsplit(|c: char| c.is_whitespace() || c == '(')
                        .next()
                        .unwrap_or("")
                        .to_ascii_lowercase();
                    !ABBREVIATIONS.contains(&last.as_str())
                } else {
                    false
                }
            }
            _ => false,
        };
        if split {
            if !text[start..i].trim().is_empty() {
                spans.push(trim_span(text, start, i));
            }
            start = i + 1;
        }
        i += 1;
    }
    if !text[start..].trim().is_empty() {
        spans.push(trim_span(text, start, text.len()));
    }
    spans
}

/// A line break inside hard-wrapped prose continues the sentence; it ends one
/// before a blank line, a bullet or a YAML/command line, and after a line
/// that is itself one of those or ends with a colon.
fn line_break_ends_sentence(text: &str, sentence_start: usize, at: usize) -> bool {
    let line_start = text[..at]
        .rfind('\n')
        .map(|p| p + 1)
        .unwrap_or(0)
        .max(sentence_start);
    let line = text[line_start..at].trim();
    let next = text[at + 1..].lines().next().unwrap_or("");
    let next_t = next.trim();
    if line.is_empty() || next_t.is_empty() || line.ends_with(':') {
        return true;
    }
    let starts_item = |l: &str| {
        l.starts_with(['-', '*', '•', '#', '>', '$', '|'])
            || l.split_once(['.', ')']).is_some_and(|(n, _)| {
                !n.is_empty() && n.len() <= 2 && n.bytes().all(|b| b.is_ascii_digit())
            })
    };
    let indented = next.starts_with(' ') && !text[line_start..at].starts_with(' ');
    starts_item(next_t)
        || starts_item(line)
        || is_config_line(line)
        || is_config_line(next_t)
        || indented
}

fn trim_span(text: &str, start: usize, end: usize) -> (usize, usize) {
    let s = &text[start..end];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    (start + lead, end - trail)
}

/// Calls `f(word, starts_new_clause)` for every lower-case word of `text`, splitting
/// camelCase, digits from letters, and expanding `n't` to `not`.
fn split_words(text: &str, f: &mut dyn FnMut(String, bool)) {
    let mut pending_clause = false;
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphanumeric() {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric()) {
                i += 1;
            }
            // Contractions: word + ' + t / s / ll / re / ve / d / m
            let mut word: Vec<char> = chars[start..i].to_vec();
            let mut negate = false;
            if i + 1 < chars.len() && (chars[i] == '\'' || chars[i] == '\u{2019}') {
                let rest: String = chars[i + 1..]
                    .iter()
                    .take_while(|c| c.is_alphabetic())
                    .collect::<String>()
                    .to_lowercase();
                if rest == "t" && word.last().is_some_and(|c| *c == 'n' || *c == 'N') {
                    word.pop();
                    // won't, can't, shan't: the stem before n't is not a word.
                    let base: String = word.iter().collect::<String>().to_lowercase();
                    match base.as_str() {
                        "wo" => word = "will".chars().collect(),
                        "ca" => word = "can".chars().collect(),
                        "sha" => word = "shall".chars().collect(),
                        _ => {}
                    }
                    negate = true;
                    i += 2;
                } else if matches!(rest.as_str(), "s" | "ll" | "re" | "ve" | "d" | "m") {
                    i += 1 + rest.chars().count();
                }
            }
            let lower: String = word.iter().collect::<String>().to_lowercase();
            if lower == "cannot" {
                f("can".into(), std::mem::take(&mut pending_clause));
                f("not".into(), false);
                continue;
            }
            for part in camel_parts(&word) {
                f(part, std::mem::take(&mut pending_clause));
            }
            if negate {
                f("not".into(), false);
            }
            continue;
        }
        if matches!(c, ',' | '(' | ')' | '\u{2014}' | '\u{2013}' | '[' | ']') {
            pending_clause = true;
        }
        i += 1;
    }
}

/// Splits one alphanumeric run into lower-case parts at camelCase and letter/digit boundaries.
fn camel_parts(word: &[char]) -> Vec<String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    for (j, &c) in word.iter().enumerate() {
        if j > 0 {
            let p = word[j - 1];
            let next_lower = word.get(j + 1).is_some_and(|n| n.is_lowercase());
            // A plural acronym ("IPs", "PVCs") stays one word.
            let plural_acronym = next_lower && j + 2 == word.len() && word[j + 1] == 's';
            let next_lower = next_lower && !plural_acronym;
            let boundary = (p.is_lowercase() && c.is_uppercase())
                || (p.is_uppercase() && c.is_uppercase() && next_lower)
                || (p.is_ascii_digit() != c.is_ascii_digit());
            if boundary && !cur.is_empty() {
                parts.push(std::mem::take(&mut cur));
            }
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        parts.push(cur);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(t: &str) -> Vec<String> {
        Normalizer::new().words(t)
    }

    #[test]
    fn camel_case_and_yaml_spellings_normalise_alike() {
        assert_eq!(
            words("maxUnavailable: 0"),
            words("max unavailable of zero")[..2]
                .to_vec()
                .into_iter()
                .chain(["0".to_string()])
                .collect::<Vec<_>>()
        );
        assert_eq!(words("readinessProbe"), words("readiness probes"));
        assert_eq!(words("HTTPServer"), vec!["http", "server"]);
        assert_eq!(words("IPs"), words("ips"));
        assert_eq!(words("PVCs"), words("pvcs"));
        assert_eq!(words("ReplicaSet"), words("replica set"));
        assert_eq!(words("max-surge"), words("max_surge"));
    }

    #[test]
    fn contractions_expand_to_not() {
        assert_eq!(words("don't"), vec!["do", "not"]);
        assert_eq!(words("wouldn\u{2019}t"), vec!["would", "not"]);
        assert_eq!(words("cannot"), vec!["can", "not"]);
        assert_eq!(words("won't"), vec!["will", "not"]);
        assert_eq!(words("can't"), vec!["can", "not"]);
        assert_eq!(words("it's"), vec!["it"]);
    }

    #[test]
    fn sentences_keep_spans_and_skip_abbreviations_and_dotted_names() {
        let text = "Use a probe, e.g. httpGet. Check postgres-svc.default.svc.cluster.local!\nkubectl get pods";
        let s = Normalizer::new().sentences(text);
        let raw: Vec<&str> = s.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(
            raw,
            [
                "Use a probe, e.g. httpGet.",
                "Check postgres-svc.default.svc.cluster.local!",
                "kubectl get pods"
            ]
            .iter()
            .map(|s| s.trim_end_matches(['.', '!']))
            .collect::<Vec<_>>()
        );
        assert!(s[2].config_line);
        assert_eq!(s[0].words[2].clause, 0);
        assert_eq!(s[0].words[3].clause, 1);
    }

    #[test]
    fn number_words_become_digits() {
        assert_eq!(words("six replicas"), words("6 replica"));
    }
}
