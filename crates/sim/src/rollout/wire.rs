//! The `kubeprep simulate rollout --output json` document: a type of its
//! own, so the engine's report can change without breaking programs that
//! read the JSON. Times are seconds (floats); a time that never came is null.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{PodCounts, RolloutReport, StrategyKind};

/// The JSON document.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RolloutJson {
    /// The Deployment's name.
    pub deployment: String,
    /// The update in words.
    pub update: String,
    /// Whether the update changed the Pod template.
    pub template_changed: bool,
    /// spec.replicas.
    pub replicas: i64,
    /// `RollingUpdate` or `Recreate`.
    pub strategy: &'static str,
    /// Resolved maxSurge.
    pub max_surge: i64,
    /// Resolved maxUnavailable.
    pub max_unavailable: i64,
    /// spec.minReadySeconds.
    pub min_ready_seconds: i64,
    /// From the update to the Deployment complete; null if never.
    pub duration_s: Option<f64>,
    /// The fewest available Pods at any moment.
    pub min_available: i64,
    /// The most non-terminating Pods at any moment.
    pub max_pods: i64,
    /// Requests sent.
    pub requests_total: u64,
    /// Requests that failed.
    pub failed_requests: u64,
    /// Failed requests by reason id (`not_listening`, `in_flight_killed`,
    /// `no_ready_endpoint`, `app_cold`); only reasons that occurred.
    pub failures_by_reason: BTreeMap<&'static str, u64>,
    /// Each ReplicaSet size change.
    pub steps: Vec<StepJson>,
    /// When `rollout undo` ran; null if not asked or never reached.
    pub rollback_at_s: Option<f64>,
    /// From the undo to every replica back on the previous template and
    /// available; null if not asked or never.
    pub rollback_s: Option<f64>,
    /// Why an undo did nothing, when it did not.
    pub rollback_note: Option<String>,
    /// Whether the Progressing condition reached ProgressDeadlineExceeded.
    pub progress_deadline_exceeded: bool,
    /// When it did.
    pub progress_deadline_exceeded_s: Option<f64>,
    /// When the simulation stopped.
    pub ended_s: f64,
    /// Whether it stopped at its horizon with the rollout unfinished.
    pub stalled: bool,
    /// The ReplicaSets at the end, newest revision first.
    pub replica_sets: Vec<ReplicaSetJson>,
    /// The Pods by template whenever they changed (`old`: the Deployment
    /// as given; `new`: the updated template).
    pub timeline: Vec<FrameJson>,
}

/// The Pods at one moment.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FrameJson {
    /// Seconds after the update.
    pub t: f64,
    /// Pods of the original template.
    pub old: PodCountsJson,
    /// Pods of the updated template.
    pub new: PodCountsJson,
}

/// Pods of one template by state.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PodCountsJson {
    /// Ready for at least minReadySeconds.
    pub available: i64,
    /// Ready, not yet available.
    pub ready: i64,
    /// Created, not Ready.
    pub starting: i64,
    /// Deleted, still running.
    pub terminating: i64,
}

impl From<&PodCounts> for PodCountsJson {
    fn from(c: &PodCounts) -> PodCountsJson {
        PodCountsJson {
            available: c.available,
            ready: c.ready,
            starting: c.starting,
            terminating: c.terminating,
        }
    }
}

/// One ReplicaSet size change.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StepJson {
    /// Seconds after the update.
    pub t: f64,
    /// Σ spec.replicas of the old ReplicaSets.
    pub old: i64,
    /// spec.replicas of the new ReplicaSet.
    pub new: i64,
    /// Available Pods of the old ReplicaSets.
    pub old_available: i64,
    /// Available Pods of the new ReplicaSet.
    pub new_available: i64,
}

/// One ReplicaSet at the end.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReplicaSetJson {
    /// Its name.
    pub name: String,
    /// `deployment.kubernetes.io/revision`.
    pub revision: i64,
    /// `deployment.kubernetes.io/revision-history` (empty when none).
    pub revision_history: String,
    /// spec.replicas.
    pub replicas: i64,
}

fn s(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

impl From<&RolloutReport> for RolloutJson {
    fn from(r: &RolloutReport) -> RolloutJson {
        RolloutJson {
            deployment: r.deployment.clone(),
            update: r.update.clone(),
            template_changed: r.template_changed,
            replicas: r.replicas,
            strategy: match r.strategy {
                StrategyKind::RollingUpdate => "RollingUpdate",
                StrategyKind::Recreate => "Recreate",
            },
            max_surge: r.max_surge,
            max_unavailable: r.max_unavailable,
            min_ready_seconds: r.min_ready_seconds,
            duration_s: r.duration_ms.map(s),
            min_available: r.min_available,
            max_pods: r.max_pods,
            requests_total: r.requests_total,
            failed_requests: r.failed_requests,
            failures_by_reason: r.failures.iter().map(|(k, v)| (k.id(), *v)).collect(),
            steps: r
                .steps
                .iter()
                .map(|st| StepJson {
                    t: s(st.t_ms),
                    old: st.old,
                    new: st.new,
                    old_available: st.old_available,
                    new_available: st.new_available,
                })
                .collect(),
            rollback_at_s: r.rollback_started_ms.map(s),
            rollback_s: r.rollback_ms.map(s),
            rollback_note: r.rollback_note.clone(),
            progress_deadline_exceeded: r.progress_deadline_exceeded_ms.is_some(),
            progress_deadline_exceeded_s: r.progress_deadline_exceeded_ms.map(s),
            ended_s: s(r.ended_ms),
            stalled: r.hit_horizon,
            replica_sets: r
                .replica_sets
                .iter()
                .map(|x| ReplicaSetJson {
                    name: x.name.clone(),
                    revision: x.revision,
                    revision_history: x.revision_history.clone(),
                    replicas: x.replicas,
                })
                .collect(),
            timeline: r
                .timeline
                .iter()
                .map(|f| FrameJson {
                    t: s(f.t_ms),
                    old: (&f.old).into(),
                    new: (&f.new).into(),
                })
                .collect(),
        }
    }
}
