//! The pack file format: what a pack author writes, as Rust types.
//!
//! These types are deserialised from YAML (strictly: unknown fields are
//! errors) and produce the JSON Schema that `kubeprep bank schema` prints.
//! They hold content only; checks that span files (ids, references, hint
//! ladders) live in `validate.rs`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The top-level `pack.yaml` of a pack: who interviews, the flow, the rubric.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PackFile {
    /// Machine name of the pack, e.g. `kubernetes`.
    pub id: String,
    /// Human title, e.g. "Kubernetes operations".
    pub title: String,
    /// Content version; bump it when questions or key points change.
    pub version: String,
    /// The interviewer's persona.
    pub persona: Persona,
    /// The interview flow: phases in order, each with a time budget.
    pub phases: Vec<Phase>,
    /// The rubric: the areas the scorecard rates.
    pub rubric: Vec<RubricArea>,
    /// Named synonym groups usable in detection patterns as `@name`.
    #[serde(default)]
    pub lexicon: BTreeMap<String, Vec<String>>,
}

/// The interviewer the candidate talks to.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Persona {
    /// Display name, e.g. "Sam".
    pub name: String,
    /// Role, e.g. "DevOps lead".
    pub role: String,
    /// How the persona talks and what it values (documentation for authors and an optional LLM voice).
    pub style: String,
    /// The opening line, said before the first question.
    pub opening: String,
    /// Said when the interview ends, before the scorecard.
    pub closing: String,
    /// Short acknowledgements used when a point lands, varied by the engine.
    #[serde(default)]
    pub acknowledgements: Vec<String>,
    /// Lines used to move to the next question.
    #[serde(default)]
    pub transitions: Vec<String>,
}

/// One phase of the interview flow.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// Machine name, e.g. `deployments`.
    pub id: String,
    /// Shown in the status line, e.g. "Deployments and rollouts".
    pub title: String,
    /// Time budget in minutes; when it runs out the interviewer moves on after the current question.
    pub minutes: u32,
    /// What the interviewer says when the phase starts (optional).
    #[serde(default)]
    pub intro: Option<String>,
    /// Questions always asked in this phase, in order.
    #[serde(default)]
    pub core: Vec<String>,
    /// Questions asked when difficulty and time allow, in order.
    #[serde(default)]
    pub extra: Vec<String>,
}

/// A rubric area with its three levels and study resources.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RubricArea {
    /// One of the area ids key points refer to, e.g. `deployments`.
    pub id: String,
    /// Title, e.g. "Deployments and rollouts".
    pub title: String,
    /// What a novice shows in this area.
    pub novice: String,
    /// What an intermediate candidate shows.
    pub intermediate: String,
    /// What an expert shows.
    pub expert: String,
    /// Where to study this area.
    pub resources: Vec<Resource>,
}

/// Something to read or do to improve in an area.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Resource {
    /// Title of the resource.
    pub title: String,
    /// Where it is (a URL, or a `kubeprep` command).
    pub url: String,
    /// Which gap it closes: key point ids it teaches (used to choose resources from gaps).
    #[serde(default)]
    pub covers: Vec<String>,
}

/// A file under `questions/`: one seed problem (optional) and its questions.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionsFile {
    /// The seed problem these questions come from, with its configurations.
    #[serde(default)]
    pub problem: Option<Problem>,
    /// Synonym groups added by this file (names must be unique across the pack).
    #[serde(default)]
    pub lexicon: BTreeMap<String, Vec<String>>,
    /// The questions.
    pub questions: Vec<Question>,
}

/// A design or troubleshooting problem from the problem bank.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Problem {
    /// Machine name, e.g. `payment-rollout`.
    pub id: String,
    /// Title.
    pub title: String,
    /// The scenario as given to the candidate.
    pub scenario: String,
    /// The question that opens this problem.
    pub question: String,
    /// Reference configurations (YAML) with notes on what they get right and wrong.
    #[serde(default)]
    pub configurations: Vec<Configuration>,
    /// The model answer for the whole problem (Markdown).
    pub model_answer: String,
    /// Follow-up question ids, in the order an interviewer would ask them.
    #[serde(default)]
    pub follow_ups: Vec<String>,
}

/// A reference manifest.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Configuration {
    /// Title, e.g. "Deployment".
    pub title: String,
    /// The manifest, as YAML text.
    pub yaml: String,
    /// What to notice about it (corrections to the seed go here).
    #[serde(default)]
    pub notes: Option<String>,
    /// A scenario id: this configuration, together with the problem's other
    /// configurations naming the same scenario, meets every requirement of it
    /// (checked in CI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
}

/// How hard a question is; drives adaptive flow.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Difficulty {
    /// Warm-up material.
    Easy,
    /// What a working practitioner should handle.
    Medium,
    /// Senior material: asked when the candidate is strong.
    Hard,
}

impl Difficulty {
    /// Lower-case name, as in pack files.
    pub fn as_str(self) -> &'static str {
        match self {
            Difficulty::Easy => "easy",
            Difficulty::Medium => "medium",
            Difficulty::Hard => "hard",
        }
    }
}

/// One interview question.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Stable id used by every interface, e.g. `rollout-zero-downtime`.
    pub id: String,
    /// The rubric area this question mainly assesses.
    pub topic: String,
    /// How hard it is.
    pub difficulty: Difficulty,
    /// The question as the interviewer asks it.
    pub text: String,
    /// For follow-up questions: the question they follow.
    #[serde(default)]
    pub parent: Option<String>,
    /// An extra constraint added when the candidate is strong (hard mode).
    #[serde(default)]
    pub constraint: Option<String>,
    /// The 4-level hint ladder.
    pub hints: Hints,
    /// What an expert answer contains.
    pub key_points: Vec<KeyPoint>,
    /// Wrong beliefs worth flagging.
    #[serde(default)]
    pub misconceptions: Vec<Misconception>,
    /// Follow-up question ids.
    #[serde(default)]
    pub follow_ups: Vec<String>,
    /// The model answer (Markdown).
    pub model_answer: String,
}

/// The hint ladder: each level is asked for explicitly and costs score.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Hints {
    /// Level 1: a question that points the way.
    pub nudge: String,
    /// Level 2: names the mechanism to use.
    pub direction: String,
    /// Level 3: the key settings or steps.
    pub partial: String,
    /// Level 4: the full walkthrough.
    pub walkthrough: String,
}

/// Something an expert answer says, and how to recognise it.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyPoint {
    /// Id, unique within the question.
    pub id: String,
    /// What the point is, phrased as feedback ("Sets maxUnavailable: 0 so ...").
    pub text: String,
    /// Rubric area id.
    pub area: String,
    /// 1 (nice to have), 2 (expected), 3 (core).
    pub weight: u8,
    /// Detection patterns; the point is made if any one matches within a sentence.
    pub detect: Vec<String>,
    /// What the interviewer asks when the answer misses this point.
    #[serde(default)]
    pub probe: Option<String>,
    /// What the interviewer asks to go deeper when the answer makes this point.
    #[serde(default)]
    pub deepen: Option<String>,
}

/// A wrong belief and its correction.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Misconception {
    /// Id, unique within the question.
    pub id: String,
    /// The wrong belief, stated.
    pub text: String,
    /// The plain correction the interviewer gives.
    pub correction: String,
    /// Detection patterns, as for key points.
    pub detect: Vec<String>,
}

/// A file under `scenarios/`: one scenario a candidate's manifests are run
/// against (`kubeprep check --scenario ID`), with its requirements.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Stable id, e.g. `payment-rollout`.
    pub id: String,
    /// Title.
    pub title: String,
    /// The seed problem it belongs to (a `problem.id` under `questions/`).
    pub problem: String,
    /// The questions whose answers are simulated against it.
    pub questions: Vec<String>,
    /// The situation, as the candidate is told it.
    pub description: String,
    /// What to simulate, with which parameters.
    pub simulation: Simulation,
    /// What must hold; each is judged PASS or FAIL with what was measured.
    pub requirements: Vec<ScenarioRequirement>,
}

/// What a scenario simulates: exactly one of the simulators.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Simulation {
    /// A rolling update and its rollbacks (`kubeprep simulate rollout`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout: Option<RolloutSimulation>,
    /// Autoscaling against a traffic profile (`kubeprep simulate hpa`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hpa: Option<HpaSimulation>,
    /// A StatefulSet's startup and a failure (`kubeprep simulate statefulset`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statefulset: Option<StatefulSetSimulation>,
    /// RBAC questions (`kubeprep auth can-i`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rbac: Option<RbacSimulation>,
}

/// Parameters of a rollout scenario.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RolloutSimulation {
    /// Replicas the Deployment must run.
    pub replicas: u32,
    /// Requests per second during the rollout.
    pub rps: f64,
    /// Seconds each request takes.
    #[serde(default = "default_request_time")]
    pub request_time_s: f64,
    /// The image the update rolls to (`--to-image`).
    pub to_image: String,
    /// When `rollout undo` runs, each a separate run of the simulation.
    #[serde(default)]
    pub rollbacks: Vec<RollbackTiming>,
}

fn default_request_time() -> f64 {
    0.1
}

/// One moment at which a rollback is simulated.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RollbackTiming {
    /// Name used in measures, e.g. `mid-rollout` (`rollback_s@mid-rollout`).
    pub id: String,
    /// What the moment is.
    pub text: String,
    /// Seconds after the update starts; `null` with `after_complete_s`.
    #[serde(default)]
    pub at_s: Option<f64>,
    /// Seconds after the update completes.
    #[serde(default)]
    pub after_complete_s: Option<f64>,
    /// Fraction of the new replicas available when the undo runs (mid-rollout), 0 to 1.
    #[serde(default)]
    pub at_progress: Option<f64>,
}

/// Parameters of an autoscaling scenario.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HpaSimulation {
    /// The traffic profile, e.g. `1000 for 60m, ramp to 10000 over 60s, 10000 for 30m`.
    pub traffic: String,
    /// Requests per second one Pod serves at 100% of its CPU request.
    pub pod_capacity_rps: f64,
    /// Seconds a queued request waits before it times out.
    pub request_timeout_s: f64,
    /// Seconds between the announcement and the traffic step.
    pub announced_ahead_s: f64,
    /// Wall-clock time when the profile starts (`HH:MM`), so CronJob schedules fire.
    pub clock: String,
}

/// Parameters of a StatefulSet scenario.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatefulSetSimulation {
    /// Replicas the StatefulSet must run.
    pub replicas: u32,
    /// Nodes in the simulated cluster.
    pub nodes: u32,
    /// When a node is lost, and which.
    pub node_loss: NodeLoss,
}

/// A node lost during a StatefulSet scenario.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeLoss {
    /// Seconds after every Pod is Ready.
    pub at_s: f64,
    /// The node that fails: the one running this Pod.
    pub node_of: String,
}

/// Parameters of an RBAC scenario.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RbacSimulation {
    /// The namespaces of the cluster.
    pub namespaces: Vec<String>,
    /// The teams: who is in them and which namespace is theirs.
    pub teams: Vec<Team>,
}

/// A team sharing the cluster.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Team {
    /// The team's group, as the authenticator reports it.
    pub group: String,
    /// A user in it, for `--as`.
    pub user: String,
    /// The team's namespace (none for a cluster-wide team).
    #[serde(default)]
    pub namespace: Option<String>,
}

/// One requirement of a scenario.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioRequirement {
    /// Id, unique within the scenario.
    pub id: String,
    /// The requirement as the problem states it.
    pub text: String,
    /// `METRIC[@TIMING] OP NUMBER` (e.g. `rollback_s@mid-rollout <= 60`), or `can_i` with `can_i` rows.
    pub measure: String,
    /// For `measure: can_i`: the questions and their expected answers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub can_i: Vec<CanIRow>,
    /// Key points a met requirement proves, as `question-id/key-point-id`.
    #[serde(default)]
    pub proves: Vec<String>,
}

/// One `kubectl auth can-i` question and the answer the requirement expects.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CanIRow {
    /// The verb, e.g. `get`.
    pub verb: String,
    /// The resource as kubectl takes it, e.g. `secrets`, `deployments.apps`.
    pub resource: String,
    /// A subresource, e.g. `exec`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subresource: Option<String>,
    /// The namespace; absent for a cluster-wide question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// `--as`.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "as")]
    pub user: Option<String>,
    /// `--as-group`, each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// The answer the requirement expects.
    pub allowed: bool,
}

/// The metrics each simulator reports, by simulation kind (what a `measure` may name).
pub const METRICS: &[(&str, &[&str])] = &[
    (
        "rollout",
        &[
            "duration_s",
            "min_available",
            "max_pods",
            "requests_total",
            "failed_requests",
            "rollback_s",
            "progress_deadline_exceeded",
        ],
    ),
    (
        "hpa",
        &[
            "dropped_requests",
            "time_to_capacity_s",
            "max_replicas",
            "replicas_at_sale_start",
        ],
    ),
    (
        "statefulset",
        &[
            "ordered_startup",
            "stable_identities",
            "volumes_kept",
            "survives_node_loss",
            "recovered_s",
        ],
    ),
    ("rbac", &[]),
];

/// A file under `labs/`: one hands-on troubleshooting lab (`kubeprep lab
/// start ID`) and, per fault the lab world can inject, how to recognise a
/// right diagnosis, the hint ladder, the fix and the systematic path.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lab {
    /// Stable id, e.g. `crashloop` (`kubeprep lab start crashloop`).
    pub id: String,
    /// Title.
    pub title: String,
    /// The interview question this lab stands in for with `kubeprep interview
    /// --hands-on` (its diagnosis is graded against that question too).
    pub question: String,
    /// What the interviewer says to hand the candidate the broken cluster.
    pub intro: String,
    /// The ask when a diagnosis is graded: the question a diagnosis answers.
    pub diagnosis_prompt: String,
    /// In an interview, the checks made before the first change prove these
    /// key points of `question` (what the candidate did, not said).
    #[serde(default)]
    pub proves: Vec<LabProof>,
    /// One entry per fault of the lab world (ids as `--fault` takes them).
    pub faults: Vec<LabFault>,
}

/// A check that, made in the lab before any change, proves a key point of the
/// interview question the lab stands in for.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LabProof {
    /// The check.
    pub check: LabCheck,
    /// A key point id of the lab's `question`.
    pub key_point: String,
}

/// One injected fault: the diagnosis rubric, hints, fix and path.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LabFault {
    /// The fault id, e.g. `service-selector-mismatch`.
    pub id: String,
    /// The root cause in a line, as an expert would say it.
    pub cause: String,
    /// What a right diagnosis says (graded like an interview answer's key points).
    pub key_points: Vec<KeyPoint>,
    /// Wrong beliefs a diagnosis of this fault tends to state.
    #[serde(default)]
    pub misconceptions: Vec<Misconception>,
    /// The 4-level hint ladder: nudge, where to look, what it shows, the fix.
    pub hints: Hints,
    /// The fix, in words (any change that removes the fault counts; this is one).
    pub fix: String,
    /// The checks that lead to this fault's cause: the path is scored on them.
    pub evidence: Vec<LabCheck>,
    /// The systematic path for this fault, one step per entry.
    pub path: Vec<String>,
}

/// Something a systematic investigator looks at before changing anything.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum LabCheck {
    /// `kubectl describe pod`: state, Last State, exit code, restarts, events.
    DescribePod,
    /// `kubectl logs --previous`: what the crashed instance said.
    PreviousLogs,
    /// `kubectl get events` (or a Pod's events through describe).
    Events,
    /// The Service's endpoints (`get endpoints`, `describe svc`).
    Endpoints,
    /// ConfigMaps, Secrets and the Deployment's env (`get cm/secret`, `set env --list`, `get deploy -o yaml`).
    Config,
    /// NetworkPolicies.
    NetworkPolicies,
    /// Connectivity tested from inside the cluster (`run`/`exec`/`debug` with nslookup, nc, wget).
    Connectivity,
}

impl LabCheck {
    /// Every check, in the order a systematic path takes them.
    pub const ALL: [LabCheck; 7] = [
        LabCheck::DescribePod,
        LabCheck::PreviousLogs,
        LabCheck::Events,
        LabCheck::Endpoints,
        LabCheck::Config,
        LabCheck::NetworkPolicies,
        LabCheck::Connectivity,
    ];

    /// The id as in pack files, e.g. `previous-logs`.
    pub fn id(self) -> &'static str {
        match self {
            LabCheck::DescribePod => "describe-pod",
            LabCheck::PreviousLogs => "previous-logs",
            LabCheck::Events => "events",
            LabCheck::Endpoints => "endpoints",
            LabCheck::Config => "config",
            LabCheck::NetworkPolicies => "network-policies",
            LabCheck::Connectivity => "connectivity",
        }
    }

    /// What doing it means, for scorecards.
    pub fn describe(self) -> &'static str {
        match self {
            LabCheck::DescribePod => "described the Pod (state, Last State, exit code, events)",
            LabCheck::PreviousLogs => "read the crashed container's logs (--previous)",
            LabCheck::Events => "read the events",
            LabCheck::Endpoints => "checked the Service's endpoints",
            LabCheck::Config => {
                "checked the configuration (ConfigMaps, Secrets, the Deployment's env)"
            }
            LabCheck::NetworkPolicies => "checked the NetworkPolicies",
            LabCheck::Connectivity => "tested connectivity from inside the cluster",
        }
    }
}

impl Lab {
    /// The fault with this id.
    pub fn fault(&self, id: &str) -> Option<&LabFault> {
        self.faults.iter().find(|f| f.id == id)
    }

    /// The id under which the grader knows a fault's diagnosis rubric:
    /// `lab-<lab>-<fault>`. Interview flows never ask it.
    pub fn question_id(&self, fault: &str) -> String {
        format!("lab-{}-{fault}", self.id)
    }

    /// Each fault's diagnosis rubric as a question, so the grader that grades
    /// interview answers grades diagnoses too (same patterns, negation,
    /// evidence and calibration).
    pub fn diagnosis_questions(&self) -> Vec<Question> {
        self.faults
            .iter()
            .map(|f| Question {
                id: self.question_id(&f.id),
                topic: "troubleshooting".to_string(),
                difficulty: Difficulty::Medium,
                text: self.diagnosis_prompt.clone(),
                parent: None,
                constraint: None,
                hints: f.hints.clone(),
                key_points: f.key_points.clone(),
                misconceptions: f.misconceptions.clone(),
                follow_ups: Vec::new(),
                model_answer: format!("{}\n\n{}", f.cause.trim(), f.fix.trim()),
            })
            .collect()
    }
}
