//! The interviewer's words: replies to answers built from the assessment
//! (what landed, quoted; what was vague; what was wrong, corrected plainly;
//! what is still missing, named without giving the answer away), and the
//! small lines around them, varied deterministically by the session seed.
//!
//! Only quotes what the candidate actually said (the grader's evidence
//! sentences), so it never praises what was not said. Not for: deciding
//! whether to probe or what comes next (`engine.rs`, `flow.rs`).

use kubeprep_bank::{Persona, Question};
use kubeprep_grade::{Assessment, PointResult};

use crate::record::Probe;
use crate::sanitize::sanitize;

/// Longest quote in a reply, in characters.
const REPLY_QUOTE: usize = 90;

/// A 64-bit mix (splitmix64) for choosing wordings.
pub(crate) fn mix(seed: u64, salt: u64) -> u64 {
    let mut z = seed ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// `text` as a short single-line quote: sanitised, whitespace collapsed,
/// trailing punctuation dropped, cut at a word boundary with `...` when
/// longer than `max` characters.
pub(crate) fn quote(text: &str, max: usize) -> String {
    let clean = sanitize(text);
    let line = clean.split_whitespace().collect::<Vec<_>>().join(" ");
    let line = line
        .trim_end_matches(['.', ';', '!', '?', ',', ':'])
        .trim_end();
    if line.chars().count() <= max {
        return line.to_string();
    }
    let cut: String = line.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i >= max / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}...", cut.trim_end_matches([',', ';', ':', '.', ' ']))
}

/// A question's text without a leading bare reaction ("Good. Now tell me ...",
/// as in the seed's sample session): the reply before it already reacted to
/// the answer, and a bare "Good." after a weak answer would praise nothing.
pub(crate) fn without_praise(text: &str) -> &str {
    let t = text.trim_start();
    for word in [
        "Good.",
        "Great.",
        "Nice.",
        "Excellent.",
        "Perfect.",
        "Good,",
        "Great,",
    ] {
        if let Some(rest) = t.strip_prefix(word) {
            let rest = rest.trim_start();
            if !rest.is_empty() {
                return rest;
            }
        }
    }
    t
}

/// Whether an assessment found nothing at all to work with.
pub(crate) fn is_empty_of_content(a: &Assessment) -> bool {
    a.hits().next().is_none() && a.misconceptions.is_empty()
}

/// The best-supported point made: heaviest weight times credit, with evidence.
fn best_hit<'a>(points: impl Iterator<Item = &'a PointResult>) -> Option<&'a PointResult> {
    points
        .filter(|k| k.evidence.is_some())
        .fold(None, |best: Option<&PointResult>, k| match best {
            Some(b) if f32::from(b.weight) * b.credit >= f32::from(k.weight) * k.credit => Some(b),
            _ => Some(k),
        })
}

/// A point counts as fully made (not just named in a list) from this credit on.
const FULL_CREDIT: f32 = 0.75;

/// The persona's voice for one session.
pub(crate) struct Voice<'p> {
    persona: &'p Persona,
    seed: u64,
}

impl<'p> Voice<'p> {
    pub(crate) fn new(persona: &'p Persona, seed: u64) -> Voice<'p> {
        Voice { persona, seed }
    }

    fn pick<'s>(&self, options: &'s [&'s str], salt: u64) -> &'s str {
        let n = options.len().max(1) as u64;
        let i = usize::try_from(mix(self.seed, salt) % n).unwrap_or(0);
        options.get(i).copied().unwrap_or("")
    }

    fn pick_owned<'s>(&self, options: &'s [String], fallback: &'s str, salt: u64) -> &'s str {
        if options.is_empty() {
            return fallback;
        }
        let n = options.len() as u64;
        let i = usize::try_from(mix(self.seed, salt) % n).unwrap_or(0);
        options.get(i).map_or(fallback, String::as_str)
    }

    /// An acknowledgement of `point`, quoting its evidence.
    fn acknowledge(&self, point: &PointResult, salt: u64) -> String {
        let ack = self.pick_owned(&self.persona.acknowledgements, "Right.", salt);
        let ack = ack.trim().trim_end_matches(['.', '!']);
        let tail = self.pick(
            &[
                "is exactly it.",
                "-- that's the part that matters.",
                "is what I wanted to hear.",
                "is the heart of it.",
            ],
            salt.wrapping_add(1),
        );
        let q = quote(point.evidence.as_deref().unwrap_or_default(), REPLY_QUOTE);
        format!("{ack} -- '{q}' {tail}")
    }

    /// A plain correction of each misconception (at most two).
    fn corrections(&self, a: &Assessment, skip: &[String], salt: u64) -> Vec<String> {
        a.misconceptions
            .iter()
            .filter(|m| !skip.contains(&m.id))
            .take(2)
            .enumerate()
            .map(|(i, m)| {
                let lead = if i == 0 {
                    self.pick(
                        &[
                            "One correction:",
                            "I have to stop you there:",
                            "That part's not right:",
                        ],
                        salt.wrapping_add(7),
                    )
                } else {
                    "And:"
                };
                format!(
                    "{lead} you said '{}'. {}",
                    quote(&m.evidence, REPLY_QUOTE),
                    m.correction.trim()
                )
            })
            .collect()
    }

    /// What the interviewer says to the first answer of a question. `probe` is
    /// what will be asked next within the question, if anything.
    pub(crate) fn first_reply(
        &self,
        question: &Question,
        a: &Assessment,
        probe: Option<&Probe>,
        salt: u64,
    ) -> String {
        let mut parts: Vec<String> = Vec::new();
        if is_empty_of_content(a) {
            parts.push(
                self.pick(
                    &[
                        "Let's not leave it there.",
                        "Let's not leave it there -- take it one step at a time.",
                        "Let's not leave it there; think out loud, it doesn't have to be polished.",
                    ],
                    salt,
                )
                .to_string(),
            );
            parts.push(
                "If you're stuck, /hint gives you a nudge (it costs part of this question's score)."
                    .to_string(),
            );
            return parts.join(" ");
        }
        let best = best_hit(a.hits().filter(|k| k.credit >= FULL_CREDIT));
        if let Some(k) = best {
            parts.push(self.acknowledge(k, salt));
        }
        parts.extend(self.corrections(a, &[], salt));
        if a.salad {
            parts.push(
                "You named the right pieces, but not how they fit together -- say what each one does and why you'd reach for it."
                    .to_string(),
            );
        } else if let Some(k) = best_hit(a.hits().filter(|k| k.credit < FULL_CREDIT)) {
            parts.push(format!(
                "'{}' names it, but doesn't say why it matters.",
                quote(k.evidence.as_deref().unwrap_or_default(), REPLY_QUOTE)
            ));
        }
        match probe {
            Some(p) if p.deepen => parts.push(
                self.pick(
                    &[
                        "Let me push on that.",
                        "Let's go one level deeper.",
                        "I want to dig into that.",
                    ],
                    salt.wrapping_add(3),
                )
                .to_string(),
            ),
            Some(_) => parts.push(
                self.pick(
                    &[
                        "But there's a gap.",
                        "One thing you didn't cover, though.",
                        "I'm missing one piece.",
                        "But something important is missing.",
                    ],
                    salt.wrapping_add(3),
                )
                .to_string(),
            ),
            None => parts.push(self.missing_line(question, a, salt)),
        }
        parts.retain(|p| !p.is_empty());
        parts.join(" ")
    }

    /// What is still missing once no probe will follow: named by its probe
    /// question (which names the concept without the answer), or nothing.
    fn missing_line(&self, question: &Question, a: &Assessment, salt: u64) -> String {
        let misses = a.misses();
        let Some(top) = misses.first() else {
            return self
                .pick(
                    &[
                        "That covers what I was looking for.",
                        "That's everything I was listening for.",
                    ],
                    salt.wrapping_add(5),
                )
                .to_string();
        };
        let probe = question
            .key_points
            .iter()
            .find(|k| k.id == top.id && top.weight >= 2)
            .and_then(|k| k.probe.as_deref());
        match probe {
            Some(p) => format!("Worth asking yourself afterwards: {}", p.trim()),
            None => {
                "A point or two I was listening for didn't come up; they'll be on the scorecard."
                    .to_string()
            }
        }
    }

    /// What the interviewer says to the answer to a probe: `before` is the
    /// assessment of the question's first answer alone, `after` of all answers.
    ///
    /// `alone` is the probe's answer graded on its own: for a deepen, where
    /// the point was already made, it is what the candidate said just now.
    pub(crate) fn probe_reply(
        &self,
        before: &Assessment,
        after: &Assessment,
        alone: Option<&Assessment>,
        probe: &Probe,
        salt: u64,
    ) -> String {
        let hit_before = |id: &str| before.hits().any(|k| k.id == id);
        let new_hits = || after.hits().filter(|k| !hit_before(&k.id));
        let mut parts = Vec::new();
        let got_it = probe
            .key_point
            .as_deref()
            .is_some_and(|id| after.hits().any(|k| k.id == id));
        if let Some(k) = best_hit(new_hits()) {
            parts.push(self.acknowledge(k, salt));
            if got_it && !probe.deepen {
                parts.push("That's the piece I was after.".to_string());
            }
        } else if let Some(k) = alone
            .filter(|_| probe.deepen)
            .and_then(|a| best_hit(a.hits().filter(|k| k.credit >= FULL_CREDIT)))
        {
            parts.push(self.acknowledge(k, salt));
        }
        let known: Vec<String> = before.misconceptions.iter().map(|m| m.id.clone()).collect();
        parts.extend(self.corrections(after, &known, salt));
        let still_missing = !probe.deepen && probe.key_point.is_some() && !got_it;
        if parts.is_empty() {
            parts.push(
                self.pick(
                    &[
                        "OK, let's leave that one -- it goes on the list to revisit.",
                        "Fair enough; that's one to revisit after today.",
                    ],
                    salt.wrapping_add(9),
                )
                .to_string(),
            );
        } else if still_missing {
            parts.push(
                "That still leaves the gap I was asking about; it goes on the list to revisit."
                    .to_string(),
            );
        }
        parts.join(" ")
    }

    /// Moving from one question to the next within a phase.
    pub(crate) fn transition(&self, salt: u64) -> String {
        self.pick_owned(&self.persona.transitions, "Let's move on.", salt)
            .trim()
            .to_string()
    }

    /// Acknowledging a `/skip`.
    pub(crate) fn skipped(&self, salt: u64) -> String {
        self.pick(
            &[
                "Fine -- we'll skip that one.",
                "OK, skipping it.",
                "No problem, let's leave that one.",
            ],
            salt,
        )
        .to_string()
    }

    /// When strong early answers move the interview to hard material.
    pub(crate) fn stepping_up(&self, salt: u64) -> String {
        self.pick(
            &[
                "You clearly know the basics -- let me skip ahead to harder material.",
                "OK, you know this well. Let's skip ahead to the harder problems.",
            ],
            salt,
        )
        .to_string()
    }

    /// After a `Resumed` event.
    pub(crate) fn welcome_back(&self) -> String {
        "Welcome back -- let's pick up where we left off.".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_short_verbatim_and_clean() {
        assert_eq!(
            quote("maxUnavailable: 0 so we never drop below six.", 90),
            "maxUnavailable: 0 so we never drop below six"
        );
        assert_eq!(quote("a  b\n c", 90), "a b c");
        let long = "word ".repeat(40);
        let q = quote(&long, 20);
        assert!(q.ends_with("...") && q.chars().count() <= 23, "{q}");
        assert_eq!(quote("\u{1b}[31mred\u{1b}[0m text", 90), "red text");
    }

    #[test]
    fn questions_do_not_open_with_bare_praise() {
        assert_eq!(
            without_praise("Good. Now tell me -- what do they share?"),
            "Now tell me -- what do they share?"
        );
        assert_eq!(without_praise("Good."), "Good.");
        assert_eq!(
            without_praise("Goodness, what a Pod"),
            "Goodness, what a Pod"
        );
    }

    #[test]
    fn mixing_is_deterministic_and_varies() {
        assert_eq!(mix(1, 2), mix(1, 2));
        assert_ne!(mix(1, 2), mix(1, 3));
        assert_ne!(mix(1, 2), mix(2, 2));
    }
}
