//! A manifest in an answer, run: read by the simulator's strict parser,
//! checked, and simulated against the scenario of the question being
//! answered. The verdict earns the key points its met requirements prove and
//! gives the interviewer numbers to react to. Pure: the simulator runs in
//! virtual time, so replaying a session reproduces every verdict.
//!
//! Not for: finding the manifest in the answer (`manifest.rs`) or grading words.

use kubeprep_bank::Pack;
use kubeprep_grade::Proof;
use kubeprep_sim::check::{self, Options, Severity};
use kubeprep_sim::manifest::ProblemKind;

/// What running the candidate's manifest showed.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The scenario it ran against, if the question has one.
    pub scenario: Option<String>,
    /// The scenario's title.
    pub title: Option<String>,
    /// Each requirement's verdict.
    pub requirements: Vec<RequirementVerdict>,
    /// What the API server would reject, and the most serious findings, as `Kind/name: message`.
    pub problems: Vec<String>,
    /// What the simulation showed, with numbers.
    pub notes: Vec<String>,
    /// Why nothing was simulated, when nothing was.
    pub not_run: Option<String>,
}

/// One requirement, judged.
#[derive(Debug, Clone, PartialEq)]
pub struct RequirementVerdict {
    /// Requirement id.
    pub id: String,
    /// The requirement as the problem states it.
    pub text: String,
    /// Met, not met, or not simulated.
    pub passed: Option<bool>,
    /// What was measured and why it passed or failed.
    pub detail: String,
}

impl Verdict {
    /// Requirements met, out of those judged.
    pub fn tally(&self) -> (usize, usize) {
        let judged = self.requirements.iter().filter(|r| r.passed.is_some());
        let met = judged.clone().filter(|r| r.passed == Some(true)).count();
        (met, judged.count())
    }
}

/// At most this many problems are quoted back.
const MAX_PROBLEMS: usize = 3;

/// Runs the manifest in `yaml` for question `question`; the proofs are the
/// key points of that question that met requirements demonstrate.
pub(crate) fn run(pack: &Pack, question: &str, yaml: &str) -> (Verdict, Vec<Proof>) {
    let scenario = pack
        .scenarios
        .iter()
        .find(|s| s.questions.iter().any(|q| q == question));
    let zero_downtime = scenario.is_some_and(|s| {
        s.requirements
            .iter()
            .any(|r| r.measure.starts_with("failed_requests"))
    });
    let (parsed, findings) = check::run(
        &[("answer".to_string(), yaml.to_string())],
        &Options { zero_downtime },
    );
    let mut problems: Vec<String> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| {
            let what = match &f.path {
                Some(p) if f.id.starts_with("manifest.") && !f.message.contains(p.as_str()) => {
                    format!("{p}: {}", f.message)
                }
                _ => f.message.clone(),
            };
            if f.object.is_empty() {
                what
            } else {
                format!("{}: {what}", f.object)
            }
        })
        .collect();
    problems.truncate(MAX_PROBLEMS);
    let mut verdict = Verdict {
        scenario: scenario.map(|s| s.id.clone()),
        title: scenario.map(|s| s.title.clone()),
        requirements: Vec::new(),
        problems,
        notes: Vec::new(),
        not_run: None,
    };
    let unreadable = parsed
        .problems
        .iter()
        .any(|p| matches!(p.kind, ProblemKind::Syntax | ProblemKind::UnknownKind));
    if parsed.documents.is_empty() && !parsed.skipped.is_empty() {
        let mut kinds: Vec<&str> = parsed.skipped.iter().map(|k| k.kind.as_str()).collect();
        kinds.dedup();
        verdict.notes.push(format!(
            "I read it, but the simulated cluster does not model {} objects, so there is nothing to run.",
            kinds.join(" or ")
        ));
    }
    let Some(scenario) = scenario else {
        return (verdict, Vec::new());
    };
    if unreadable || parsed.documents.is_empty() {
        verdict.not_run = Some(if !unreadable && !parsed.skipped.is_empty() {
            "it holds no object the simulated cluster models".to_string()
        } else {
            "the manifest could not be read".to_string()
        });
        return (verdict, Vec::new());
    }
    let run = match check::scenario::run(scenario, &parsed) {
        Ok(r) => r,
        Err(e) => {
            verdict.not_run = Some(e);
            return (verdict, Vec::new());
        }
    };
    let mut proofs = Vec::new();
    for r in &run.results {
        if r.passed == Some(true) {
            for p in &r.proves {
                if let Some((q, kp)) = p.split_once('/') {
                    if q == question {
                        proofs.push(Proof {
                            key_point: kp.to_string(),
                            evidence: format!("simulated: {} ({})", r.text, r.reason),
                        });
                    }
                }
            }
        }
        verdict.requirements.push(RequirementVerdict {
            id: r.id.clone(),
            text: r.text.clone(),
            passed: r.passed,
            detail: r.reason.clone(),
        });
    }
    verdict.notes = run.notes;
    verdict.not_run = run.not_run;
    (verdict, proofs)
}

impl Verdict {
    /// What the interviewer says about the run, with the numbers.
    pub fn reaction(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if !self.problems.is_empty() {
            parts.push(format!(
                "Before anything runs: the API server would not take this as written — {}.",
                self.problems.join("; ")
            ));
        }
        match (&self.title, &self.not_run) {
            (Some(title), Some(why)) => {
                parts.push(format!("I could not run it against the {title} scenario: {why}."))
            }
            (Some(title), None) => {
                let (met, judged) = self.tally();
                if judged > 0 {
                    parts.push(format!(
                        "I ran it on the simulated cluster against the {title} scenario: it meets {met} of {judged} requirements."
                    ));
                }
                for r in self.requirements.iter().filter(|r| r.passed == Some(false)).take(2) {
                    parts.push(format!("Not met — {}: {}.", r.text, r.detail.trim_end_matches('.')));
                }
                if let Some(n) = self.notes.first() {
                    parts.push(n.clone());
                }
                if met < judged {
                    parts.push("What would you change?".to_string());
                }
            }
            (None, _) if self.problems.is_empty() => match self.notes.first() {
                Some(note) => parts.push(note.clone()),
                None => parts.push("Your manifest reads cleanly; there is no scenario to run it against for this question.".to_string()),
            },
            (None, _) => {}
        }
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack() -> Pack {
        Pack::embedded().expect("built-in pack")
    }

    /// The pack's corrected payment Deployment (maxSurge 2, minReadySeconds 30).
    fn corrected_deployment(pack: &Pack) -> String {
        let p = pack
            .problems
            .iter()
            .find(|p| p.id == "payment-rollout")
            .expect("problem");
        p.configurations
            .iter()
            .find(|c| c.title == "Deployment (corrected)")
            .expect("configuration")
            .yaml
            .clone()
    }

    #[test]
    fn a_manifest_of_kinds_the_cluster_does_not_model_says_so() {
        let pack = pack();
        let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx:1.27\n";
        let (v, _) = run(&pack, "pod-basics", pod);
        let said = v.reaction();
        assert!(said.contains("does not model Pod objects"), "{said}");
        assert!(!said.contains("reads cleanly"), "{said}");
        let (v, _) = run(&pack, "rollout-zero-downtime", pod);
        assert_eq!(
            v.not_run.as_deref(),
            Some("it holds no object the simulated cluster models")
        );
    }

    #[test]
    fn a_manifest_for_a_rollout_question_is_run_against_its_scenario() {
        let pack = pack();
        let (v, proofs) = run(&pack, "rollout-zero-downtime", &corrected_deployment(&pack));
        assert_eq!(v.scenario.as_deref(), Some("payment-rollout"));
        let verdict = |id: &str| v.requirements.iter().find(|r| r.id == id).unwrap().passed;
        assert_eq!(verdict("zero-downtime"), Some(true), "{v:#?}");
        assert_eq!(verdict("no-failed-requests"), Some(true), "{v:#?}");
        // Two minutes after a completed rollout, undo is three waves: over 60 s.
        assert_eq!(verdict("rollback-after-completion"), Some(false), "{v:#?}");
        assert_eq!(v.tally(), (3, 4));
        let proven: Vec<&str> = proofs.iter().map(|p| p.key_point.as_str()).collect();
        assert!(proven.contains(&"max-unavailable-zero"), "{proven:?}");
        assert!(!proven.contains(&"rollback-speed"), "{proven:?}");
        let said = v.reaction();
        assert!(said.contains("meets 3 of 4 requirements"), "{said}");
        assert!(
            said.contains("135"),
            "the reaction quotes the measured rollback: {said}"
        );
    }

    #[test]
    fn a_manifest_the_api_server_rejects_is_named_as_such() {
        let pack = pack();
        let yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n        - name: api\n          image: api:1\n";
        let (v, proofs) = run(&pack, "pod-basics", yaml);
        assert_eq!(v.scenario, None);
        assert!(!v.problems.is_empty(), "{v:#?}");
        assert!(proofs.is_empty());
        assert!(
            v.reaction().starts_with("Before anything runs"),
            "{}",
            v.reaction()
        );
    }
}
