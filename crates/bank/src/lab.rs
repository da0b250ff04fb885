//! Labs: checking every file under `labs/` against the pack (a known
//! question to stand in for, rubric areas, weights, complete hint ladders,
//! detection patterns, a fix, evidence and a path per fault).
//!
//! Whether a fault id names a fault the lab world can inject is the
//! simulator's catalog; the interview crate's tests hold the two together.
//! This module only makes sure the data is sound.

use std::collections::{BTreeMap, HashSet};

use crate::error::PackError;
use crate::schema::Lab;
use crate::validate::{check_patterns, Report};
use crate::Pack;

fn kebab(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Checks every lab against the pack; returns them all (errors go to `errors`).
pub(crate) fn validate(
    pack: &Pack,
    labs: Vec<(String, Lab)>,
    texts: &BTreeMap<String, String>,
    errors: &mut Vec<PackError>,
) -> Vec<Lab> {
    let mut r = Report { texts, errors };
    let areas: HashSet<&str> = pack.rubric.iter().map(|a| a.id.as_str()).collect();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (file, lab) in labs {
        if !seen.insert(lab.id.clone()) {
            r.at(
                &file,
                &lab.id,
                "id".into(),
                format!("duplicate lab id `{}`; ids must be unique", lab.id),
            );
        }
        if !kebab(&lab.id) {
            r.at(
                &file,
                &lab.id,
                "id".into(),
                "lab ids are kebab-case: lower-case letters, digits and `-`".into(),
            );
        }
        match pack.question(&lab.question) {
            None => r.at(
                &file,
                "question:",
                "question".into(),
                format!("`{}` is not a question in questions/", lab.question),
            ),
            Some(q) => {
                for p in &lab.proves {
                    if !q.key_points.iter().any(|k| k.id == p.key_point) {
                        r.at(
                            &file,
                            &p.key_point,
                            format!("proves.{}", p.check.id()),
                            format!(
                                "`{}` is not a key point of question `{}`",
                                p.key_point, q.id
                            ),
                        );
                    }
                }
            }
        }
        for (field, text) in [
            ("intro", &lab.intro),
            ("diagnosis_prompt", &lab.diagnosis_prompt),
        ] {
            if text.trim().is_empty() {
                r.at(&file, field, field.into(), format!("`{field}` is empty"));
            }
        }
        if lab.faults.is_empty() {
            r.at(
                &file,
                "faults",
                "faults".into(),
                "a lab needs at least one fault".into(),
            );
        }
        let mut fault_ids = HashSet::new();
        for f in &lab.faults {
            let fp = format!("faults.{}", f.id);
            if !fault_ids.insert(f.id.as_str()) {
                r.at(&file, &f.id, fp.clone(), "duplicate fault id".into());
            }
            if !kebab(&f.id) {
                r.at(
                    &file,
                    &f.id,
                    fp.clone(),
                    "fault ids are kebab-case, as `--fault` takes them".into(),
                );
            }
            for (field, text) in [("cause", &f.cause), ("fix", &f.fix)] {
                if text.trim().is_empty() {
                    r.at(
                        &file,
                        &f.id,
                        format!("{fp}.{field}"),
                        format!("`{field}` is empty"),
                    );
                }
            }
            for (level, text) in [
                ("nudge", &f.hints.nudge),
                ("direction", &f.hints.direction),
                ("partial", &f.hints.partial),
                ("walkthrough", &f.hints.walkthrough),
            ] {
                if text.trim().is_empty() {
                    r.at(
                        &file,
                        &f.id,
                        format!("{fp}.hints.{level}"),
                        "every hint level needs text (nudge, direction, partial, walkthrough)"
                            .into(),
                    );
                }
            }
            if f.evidence.is_empty() {
                r.at(
                    &file,
                    &f.id,
                    format!("{fp}.evidence"),
                    "name at least one check that leads to this fault (describe-pod, previous-logs, events, endpoints, config, network-policies, connectivity)".into(),
                );
            }
            if f.path.iter().all(|s| s.trim().is_empty()) {
                r.at(
                    &file,
                    &f.id,
                    format!("{fp}.path"),
                    "the systematic path needs at least one step".into(),
                );
            }
            if f.key_points.is_empty() {
                r.at(
                    &file,
                    &f.id,
                    format!("{fp}.key_points"),
                    "a diagnosis rubric needs at least one key point".into(),
                );
            }
            let mut kp_ids = HashSet::new();
            for kp in &f.key_points {
                let kpp = format!("{fp}.key_points.{}", kp.id);
                if !kp_ids.insert(kp.id.as_str()) {
                    r.at(&file, &kp.id, kpp.clone(), "duplicate key point id".into());
                }
                if !areas.contains(kp.area.as_str()) {
                    r.at(
                        &file,
                        &kp.id,
                        format!("{kpp}.area"),
                        format!("unknown rubric area `{}`", kp.area),
                    );
                }
                if !(1..=3).contains(&kp.weight) {
                    r.at(
                        &file,
                        &kp.id,
                        format!("{kpp}.weight"),
                        format!(
                            "weight {} is out of range; use 1 (nice to have), 2 (expected) or 3 (core)",
                            kp.weight
                        ),
                    );
                }
                check_patterns(&mut r, &file, &kp.id, &kpp, &kp.detect, &pack.lexicon);
            }
            for m in &f.misconceptions {
                let mp = format!("{fp}.misconceptions.{}", m.id);
                if m.correction.trim().is_empty() {
                    r.at(
                        &file,
                        &m.id,
                        format!("{mp}.correction"),
                        "a misconception needs a correction".into(),
                    );
                }
                check_patterns(&mut r, &file, &m.id, &mp, &m.detect, &pack.lexicon);
            }
        }
        out.push(lab);
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::Pack;

    /// The embedded pack's folder with `labs/crashloop.yaml` replaced by `lab`.
    fn load_with(lab: &str) -> Result<Pack, crate::PackErrors> {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../packs/kubernetes");
        let dir = tempfile::tempdir().map_err(|e| {
            crate::PackErrors(vec![crate::PackError::Io {
                file: "tmp".into(),
                reason: e.to_string(),
            }])
        })?;
        for sub in ["", "questions", "scenarios", "labs"] {
            let _ = std::fs::create_dir_all(dir.path().join(sub));
        }
        for sub in ["questions", "scenarios"] {
            for e in std::fs::read_dir(src.join(sub))
                .into_iter()
                .flatten()
                .flatten()
            {
                let _ = std::fs::copy(e.path(), dir.path().join(sub).join(e.file_name()));
            }
        }
        let _ = std::fs::copy(src.join("pack.yaml"), dir.path().join("pack.yaml"));
        let _ = std::fs::write(dir.path().join("labs/crashloop.yaml"), lab);
        Pack::load(dir.path())
    }

    #[test]
    fn the_embedded_lab_loads_from_a_folder_too() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../packs/kubernetes/labs/crashloop.yaml");
        let text = std::fs::read_to_string(src).unwrap_or_default();
        let pack = load_with(&text).unwrap_or_else(|e| panic!("{e}"));
        let lab = pack.lab("crashloop").expect("lab");
        assert_eq!(lab.faults.len(), 10);
        assert_eq!(lab.diagnosis_questions().len(), 10);
        assert_eq!(
            lab.question_id("bad-image"),
            "lab-crashloop-bad-image".to_string()
        );
    }

    #[test]
    fn lab_errors_name_file_line_path_and_reason() {
        let bad = r#"
id: crashloop
title: t
question: no-such-question
intro: hello
diagnosis_prompt: why?
faults:
  - id: Bad_Id
    cause: c
    key_points:
      - id: kp
        text: t
        area: nowhere
        weight: 7
        detect: ["a||b"]
    hints: {nudge: n, direction: d, partial: "", walkthrough: w}
    fix: f
    evidence: []
    path: [step]
"#;
        let errs = load_with(bad)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        for needle in [
            "labs/crashloop.yaml:4: question: `no-such-question` is not a question",
            "faults.Bad_Id: fault ids are kebab-case",
            "faults.Bad_Id.hints.partial",
            "faults.Bad_Id.evidence",
            "key_points.kp.area: unknown rubric area `nowhere`",
            "key_points.kp.weight: weight 7 is out of range",
            "has an empty term",
        ] {
            assert!(errs.contains(needle), "missing {needle:?} in\n{errs}");
        }
        let unknown_check = bad.replace("evidence: []", "evidence: [guess]");
        let errs = load_with(&unknown_check)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(errs.contains("labs/crashloop.yaml:"), "{errs}");
        assert!(errs.contains("unknown variant `guess`"), "{errs}");
    }
}
