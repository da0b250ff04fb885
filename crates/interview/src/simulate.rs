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
            if f.object.is_empty() {
                f.message.clone()
            } else {
                format!("{}: {}", f.object, f.message)
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
    let Some(scenario) = scenario else {
        return (verdict, Vec::new());
    };
    if unreadable || parsed.documents.is_empty() {
        verdict.not_run = Some("the manifest could not be read".to_string());
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
            (None, _) if self.problems.is_empty() => {
                parts.push("Your manifest reads cleanly; there is no scenario to run it against for this question.".to_string())
            }
            (None, _) => {}
        }
        parts.join(" ")
    }
}
