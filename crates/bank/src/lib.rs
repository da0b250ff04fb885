//! Interview packs: the schema, loading from a folder or from the binary, and
//! validation with errors that name the file, the place and the reason.
//!
//! This crate holds content and its checks only. It does not grade answers
//! (`kubeprep-grade`) or run interviews (`kubeprep-interview`).

mod error;
mod lab;
mod load;
pub mod scenario;
pub mod schema;
mod validate;

use std::collections::{BTreeMap, HashMap};

pub use error::{PackError, PackErrors};
pub use schema::{
    Configuration, Difficulty, Hints, KeyPoint, Lab, LabCheck, LabFault, LabProof, Misconception,
    Persona, Phase, Problem, Question, Resource, RubricArea, Scenario, ScenarioRequirement,
};

/// A loaded, validated pack.
#[derive(Debug, Clone)]
pub struct Pack {
    /// Machine name, e.g. `kubernetes`.
    pub id: String,
    /// Human title.
    pub title: String,
    /// Content version.
    pub version: String,
    /// The interviewer.
    pub persona: Persona,
    /// The flow, in order.
    pub phases: Vec<Phase>,
    /// The rubric areas, in scorecard order.
    pub rubric: Vec<RubricArea>,
    /// All synonym groups, merged from every file.
    pub lexicon: BTreeMap<String, Vec<String>>,
    /// The problems from the problem bank.
    pub problems: Vec<Problem>,
    /// Every question, in file order.
    pub questions: Vec<Question>,
    /// The scenarios manifests are checked against, sorted by file name.
    pub scenarios: Vec<Scenario>,
    /// The hands-on labs (`labs/`), sorted by file name.
    pub labs: Vec<Lab>,
    index: HashMap<String, usize>,
}

impl Pack {
    /// The Kubernetes pack compiled into the binary.
    pub fn embedded() -> Result<Pack, PackErrors> {
        load::embedded()
    }

    /// Loads and validates the pack in folder `dir` (holding `pack.yaml` and `questions/`).
    pub fn load(dir: &std::path::Path) -> Result<Pack, PackErrors> {
        load::from_dir(dir)
    }

    /// The question with this id.
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.index.get(id).map(|&i| &self.questions[i])
    }

    /// The scenario with this id.
    pub fn scenario(&self, id: &str) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.id == id)
    }

    /// The scenario id closest to `id` (for "did you mean" messages).
    pub fn suggest_scenario(&self, id: &str) -> Option<&str> {
        self.scenarios
            .iter()
            .map(|s| (edit_distance(&s.id, id), s.id.as_str()))
            .filter(|(d, _)| *d <= 3 || id.len() > 4 && *d <= id.len() / 3)
            .min()
            .map(|(_, s)| s)
    }

    /// The JSON Schema of a file under `scenarios/`.
    pub fn scenario_schema() -> serde_json::Value {
        serde_json::to_value(schemars::schema_for!(schema::Scenario)).unwrap_or_default()
    }

    /// The lab with this id.
    pub fn lab(&self, id: &str) -> Option<&Lab> {
        self.labs.iter().find(|l| l.id == id)
    }

    /// The lab that stands in for interview question `question` (`--hands-on`).
    pub fn lab_for_question(&self, question: &str) -> Option<&Lab> {
        self.labs.iter().find(|l| l.question == question)
    }

    /// The JSON Schema of a file under `labs/`.
    pub fn lab_schema() -> serde_json::Value {
        serde_json::to_value(schemars::schema_for!(schema::Lab)).unwrap_or_default()
    }

    /// The rubric area with this id.
    pub fn area(&self, id: &str) -> Option<&RubricArea> {
        self.rubric.iter().find(|a| a.id == id)
    }

    /// The problem a question belongs to: the one whose question or follow-ups name it.
    pub fn problem_of(&self, question: &str) -> Option<&Problem> {
        let root = self
            .question(question)
            .and_then(|q| q.parent.as_deref())
            .unwrap_or(question);
        self.problems
            .iter()
            .find(|p| p.follow_ups.iter().any(|f| f == question || f == root))
            .or_else(|| {
                self.problems
                    .iter()
                    .find(|p| p.follow_ups.is_empty() && p.id == root)
            })
    }

    /// Ids that are close to `id` (for "did you mean" messages).
    pub fn suggest(&self, id: &str) -> Option<&str> {
        self.questions
            .iter()
            .map(|q| (edit_distance(&q.id, id), q.id.as_str()))
            .filter(|(d, _)| *d <= 3 || id.len() > 4 && *d <= id.len() / 3)
            .min()
            .map(|(_, s)| s)
    }

    /// The JSON Schema of `pack.yaml`.
    pub fn pack_schema() -> serde_json::Value {
        serde_json::to_value(schemars::schema_for!(schema::PackFile)).unwrap_or_default()
    }

    /// The JSON Schema of a file under `questions/`.
    pub fn questions_schema() -> serde_json::Value {
        serde_json::to_value(schemars::schema_for!(schema::QuestionsFile)).unwrap_or_default()
    }

    pub(crate) fn assemble(
        file: schema::PackFile,
        problems: Vec<Problem>,
        questions: Vec<Question>,
        lexicon: BTreeMap<String, Vec<String>>,
    ) -> Pack {
        let index = questions
            .iter()
            .enumerate()
            .map(|(i, q)| (q.id.clone(), i))
            .collect();
        Pack {
            id: file.id,
            title: file.title,
            version: file.version,
            persona: file.persona,
            phases: file.phases,
            rubric: file.rubric,
            lexicon,
            problems,
            questions,
            scenarios: Vec::new(),
            labs: Vec::new(),
            index,
        }
    }
}

/// Levenshtein distance, for suggestions only.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_pack_loads_and_has_the_design_question_ids() {
        let pack = Pack::embedded().unwrap_or_else(|e| panic!("{e}"));
        for id in [
            "pod-basics",
            "pod-sidecar-sharing",
            "rollout-zero-downtime",
            "rollout-bug-rollback",
            "rollout-readiness-wrong-data",
            "rollout-long-requests",
            "crashloop-debug",
            "crashloop-nothing-changed",
            "flash-sale-scaling",
            "flash-sale-exceeds",
            "flash-sale-db-connections",
            "redis-statefulset",
            "statefulset-pod-deleted",
            "statefulset-node-failure",
            "multi-team-rbac",
            "rbac-escalation",
            "rbac-serviceaccount-tokens",
            "probes-missing-readiness",
            "resources-requests-limits",
        ] {
            assert!(pack.question(id).is_some(), "missing question {id}");
        }
        assert_eq!(pack.questions.len(), 19);
        let budgets: Vec<u32> = pack.phases.iter().map(|p| p.minutes).collect();
        assert_eq!(budgets, [2, 10, 15, 10, 10, 3]);
        for seed_problem in [
            "payment-rollout",
            "crashloop-node-api",
            "flash-sale",
            "redis-cluster",
            "multi-team-rbac",
        ] {
            assert!(
                pack.problems.iter().any(|p| p.id == seed_problem),
                "the seed's problem {seed_problem}"
            );
        }
    }

    #[test]
    fn suggestion_finds_a_near_id() {
        let pack = Pack::embedded().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(pack.suggest("pod-basic"), Some("pod-basics"));
        assert_eq!(pack.suggest("zzzzzzzzzzzzzzzzzzzz"), None);
    }
}
