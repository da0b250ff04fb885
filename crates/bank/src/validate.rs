//! Cross-file checks: unique ids, resolved references, complete hint ladders,
//! weights in range, lexicon references that exist.
//!
//! Every problem is collected (not just the first) with its file, line and
//! path, so an author fixes a pack in one pass.

use std::collections::{BTreeMap, HashSet};

use crate::error::PackError;
use crate::schema::{PackFile, Question, QuestionsFile};
use crate::Pack;

/// Finds the 1-based line of the first `id: <id>` (or of `needle`) in `text`, 0 if absent.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| {
            let t = l.trim_start().trim_start_matches("- ").trim();
            t.strip_prefix("id:")
                .map(|v| v.trim().trim_matches(['"', '\'']) == needle)
                .unwrap_or(false)
                || (!needle.is_empty() && l.contains(needle) && needle.len() > 8)
        })
        .map(|i| i + 1)
        .unwrap_or(0)
}

pub(crate) struct Report<'a> {
    pub texts: &'a BTreeMap<String, String>,
    pub errors: &'a mut Vec<PackError>,
}

impl Report<'_> {
    pub fn at(&mut self, file: &str, anchor: &str, path: String, reason: String) {
        let line = self
            .texts
            .get(file)
            .map(|t| line_of(t, anchor))
            .unwrap_or(0);
        self.errors.push(PackError::Invalid {
            file: file.to_string(),
            line,
            path,
            reason,
        });
    }
}

/// Pattern references to lexicon groups (`@name`) in a detection pattern.
fn lexicon_refs(pattern: &str) -> impl Iterator<Item = &str> {
    pattern
        .split(|c: char| c.is_whitespace() || c == '|')
        .filter_map(|alt| alt.strip_prefix('@'))
}

pub(crate) fn assemble(
    pack_name: &str,
    pack: PackFile,
    files: Vec<(String, String, QuestionsFile)>,
    texts: &BTreeMap<String, String>,
    errors: &mut Vec<PackError>,
) -> Pack {
    let mut r = Report { texts, errors };
    let areas: HashSet<&str> = pack.rubric.iter().map(|a| a.id.as_str()).collect();

    // Lexicon: merged, each name defined once.
    let mut lexicon = pack.lexicon.clone();
    for (file, _, qf) in &files {
        for (name, entries) in &qf.lexicon {
            if lexicon.contains_key(name) {
                r.at(
                    file,
                    name,
                    format!("lexicon.{name}"),
                    format!("lexicon group `{name}` is defined twice; rename one (prefix it with the file's topic)"),
                );
            } else {
                lexicon.insert(name.clone(), entries.clone());
            }
        }
    }
    for (name, entries) in &lexicon {
        if entries.is_empty() || entries.iter().any(|e| e.trim().is_empty()) {
            r.at(
                pack_name,
                name,
                format!("lexicon.{name}"),
                "a lexicon group needs at least one non-empty entry".into(),
            );
        }
    }

    // Questions: unique ids, fields in range.
    let mut questions: Vec<(String, Question)> = Vec::new();
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for (file, _, qf) in files {
        if let Some(p) = qf.problem {
            problems.push((file.clone(), p));
        }
        for q in qf.questions {
            if !seen.insert(q.id.clone()) {
                r.at(
                    &file,
                    &q.id,
                    format!("questions.{}", q.id),
                    "duplicate question id; ids must be unique across the pack".into(),
                );
                continue;
            }
            questions.push((file.clone(), q));
        }
    }
    let ids: HashSet<&str> = questions.iter().map(|(_, q)| q.id.as_str()).collect();
    let mut all_points: HashSet<&str> = HashSet::new();

    for (file, q) in &questions {
        let qp = format!("questions.{}", q.id);
        if q.id.is_empty()
            || !q
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            r.at(
                file,
                &q.id,
                qp.clone(),
                "question ids are kebab-case: lower-case letters, digits and `-`".into(),
            );
        }
        if !areas.contains(q.topic.as_str()) {
            r.at(
                file,
                &q.id,
                format!("{qp}.topic"),
                format!(
                    "unknown rubric area `{}`; use one of the rubric ids in pack.yaml",
                    q.topic
                ),
            );
        }
        if q.text.trim().is_empty() {
            r.at(
                file,
                &q.id,
                format!("{qp}.text"),
                "the question text is empty".into(),
            );
        }
        for (level, text) in [
            ("nudge", &q.hints.nudge),
            ("direction", &q.hints.direction),
            ("partial", &q.hints.partial),
            ("walkthrough", &q.hints.walkthrough),
        ] {
            if text.trim().is_empty() {
                r.at(
                    file,
                    &q.id,
                    format!("{qp}.hints.{level}"),
                    "every hint level needs text (nudge, direction, partial, walkthrough)".into(),
                );
            }
        }
        if q.model_answer.trim().is_empty() {
            r.at(
                file,
                &q.id,
                format!("{qp}.model_answer"),
                "the model answer is empty".into(),
            );
        }
        if let Some(parent) = &q.parent {
            if !ids.contains(parent.as_str()) {
                r.at(
                    file,
                    &q.id,
                    format!("{qp}.parent"),
                    format!("parent `{parent}` is not a question in this pack"),
                );
            }
        }
        for f in &q.follow_ups {
            if !ids.contains(f.as_str()) {
                r.at(
                    file,
                    &q.id,
                    format!("{qp}.follow_ups"),
                    format!("follow-up `{f}` is not a question in this pack"),
                );
            }
        }
        if q.key_points.is_empty() {
            r.at(
                file,
                &q.id,
                format!("{qp}.key_points"),
                "a question needs at least one key point".into(),
            );
        }
        let mut kp_ids = HashSet::new();
        for kp in &q.key_points {
            let kpp = format!("{qp}.key_points.{}", kp.id);
            all_points.insert(kp.id.as_str());
            if !kp_ids.insert(kp.id.as_str()) {
                r.at(
                    file,
                    &kp.id,
                    kpp.clone(),
                    "duplicate key point id within the question".into(),
                );
            }
            if !areas.contains(kp.area.as_str()) {
                r.at(
                    file,
                    &kp.id,
                    format!("{kpp}.area"),
                    format!("unknown rubric area `{}`", kp.area),
                );
            }
            if !(1..=3).contains(&kp.weight) {
                r.at(
                    file,
                    &kp.id,
                    format!("{kpp}.weight"),
                    format!(
                        "weight {} is out of range; use 1 (nice to have), 2 (expected) or 3 (core)",
                        kp.weight
                    ),
                );
            }
            check_patterns(&mut r, file, &kp.id, &kpp, &kp.detect, &lexicon);
        }
        let mut m_ids = HashSet::new();
        for m in &q.misconceptions {
            let mp = format!("{qp}.misconceptions.{}", m.id);
            if !m_ids.insert(m.id.as_str()) {
                r.at(
                    file,
                    &m.id,
                    mp.clone(),
                    "duplicate misconception id within the question".into(),
                );
            }
            if m.correction.trim().is_empty() {
                r.at(
                    file,
                    &m.id,
                    format!("{mp}.correction"),
                    "a misconception needs a correction".into(),
                );
            }
            check_patterns(&mut r, file, &m.id, &mp, &m.detect, &lexicon);
        }
    }

    for (file, p) in &problems {
        for f in &p.follow_ups {
            if !ids.contains(f.as_str()) {
                r.at(
                    file,
                    &p.id,
                    format!("problem.{}.follow_ups", p.id),
                    format!("`{f}` is not a question in this pack"),
                );
            }
        }
    }

    // Flow and rubric.
    let mut placed = HashSet::new();
    for ph in &pack.phases {
        for id in ph.core.iter().chain(&ph.extra) {
            if !ids.contains(id.as_str()) {
                r.at(
                    pack_name,
                    &ph.id,
                    format!("phases.{}", ph.id),
                    format!("`{id}` is not a question in this pack"),
                );
            }
            if !placed.insert(id.as_str()) {
                r.at(
                    pack_name,
                    &ph.id,
                    format!("phases.{}", ph.id),
                    format!("`{id}` is placed in more than one phase"),
                );
            }
        }
    }
    for (file, q) in &questions {
        if !placed.contains(q.id.as_str()) {
            r.at(
                file,
                &q.id,
                format!("questions.{}", q.id),
                "the question is in no phase; add it to a phase's core or extra list in pack.yaml"
                    .into(),
            );
        }
    }
    if pack.phases.is_empty() {
        r.at(
            pack_name,
            "phases",
            "phases".into(),
            "a pack needs at least one phase".into(),
        );
    }
    for a in &pack.rubric {
        if a.resources.is_empty() {
            r.at(
                pack_name,
                &a.id,
                format!("rubric.{}.resources", a.id),
                "every rubric area needs at least one resource".into(),
            );
        }
        for res in &a.resources {
            for c in &res.covers {
                if !all_points.contains(c.as_str()) {
                    r.at(
                        pack_name,
                        c,
                        format!("rubric.{}.resources", a.id),
                        format!("`{c}` in covers is not a key point id of any question"),
                    );
                }
            }
        }
    }

    let questions: Vec<Question> = questions.into_iter().map(|(_, q)| q).collect();
    let problems = problems.into_iter().map(|(_, p)| p).collect();
    Pack::assemble(pack, problems, questions, lexicon)
}

pub(crate) fn check_patterns(
    r: &mut Report<'_>,
    file: &str,
    anchor: &str,
    path: &str,
    patterns: &[String],
    lexicon: &BTreeMap<String, Vec<String>>,
) {
    if patterns.is_empty() {
        r.at(
            file,
            anchor,
            format!("{path}.detect"),
            "needs at least one detection pattern".into(),
        );
    }
    for (i, p) in patterns.iter().enumerate() {
        if p.trim().is_empty()
            || p.split_whitespace()
                .any(|t| t.split('|').any(str::is_empty))
        {
            r.at(file, anchor, format!("{path}.detect[{i}]"), format!("pattern `{p}` has an empty term or alternative (check for `||` or a trailing `|`)"));
        }
        for name in lexicon_refs(p) {
            if !lexicon.contains_key(name) {
                r.at(
                    file,
                    anchor,
                    format!("{path}.detect[{i}]"),
                    format!("unknown lexicon group `@{name}`; define it under `lexicon:`"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::line_of;

    #[test]
    fn line_of_finds_id_lines() {
        let text = "questions:\n  - id: a\n    text: x\n  - id: b\n";
        assert_eq!(line_of(text, "b"), 4);
        assert_eq!(line_of(text, "zz"), 0);
    }
}
