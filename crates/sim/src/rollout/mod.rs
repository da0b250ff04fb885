//! The deployment controller's rolling update, Recreate and rollback
//! (`kubectl rollout undo`) in virtual time, with a pod lifecycle and a
//! request-level traffic model.
//!
//! - [`controller`]: the controller's arithmetic as pure functions, checked
//!   against Kubernetes' own test tables.
//! - [`simulate`]: one run: the Deployment as given is running, the
//!   [`Update`] is applied at t = 0, and the [`Model`] says how Pods start,
//!   stop and serve traffic. The result is a [`RolloutReport`].
//! - [`wire`]: the `--output json` document.
//!
//! Not here: parsing manifests (see `manifest`), rendering (the CLI).

pub mod controller;
pub use crate::duration;
mod engine;
pub mod pod;
pub mod wire;

use std::collections::BTreeMap;
use std::fmt;

use k8s_openapi::api::apps::v1::Deployment;

pub use controller::StrategyKind;
pub use engine::simulate;

/// The most Pods a simulation models one by one.
pub const MAX_REPLICAS: i64 = 100_000;
/// The most requests per second the traffic model sends.
pub const MAX_RPS: u32 = 100_000;
/// The longest simulated span `--until` may ask for (24 h).
pub const MAX_UNTIL_MS: i64 = 24 * 3600 * 1000;

/// What happens to the Deployment at t = 0.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    /// A template change with the same image, like `kubectl rollout restart`
    /// (a `kubectl.kubernetes.io/restartedAt` template annotation).
    Restart,
    /// `kubectl set image`: a new image for one container (the first when
    /// `container` is None).
    Image {
        /// The container to change.
        container: Option<String>,
        /// The new image.
        image: String,
    },
    /// `kubectl apply` of the updated Deployment.
    Apply(Box<Deployment>),
}

/// What a Pod's app does on SIGTERM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sigterm {
    /// Stops at once: requests in flight fail.
    #[default]
    Exit,
    /// Stops accepting connections and finishes the requests in flight.
    Drain,
}

/// When `rollout undo` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RollbackAt {
    /// At this virtual time (ms after the update).
    At(i64),
    /// This long (ms) after the update completes (never if it does not).
    AfterComplete(i64),
}

/// The pod and traffic model; `Default` gives the documented defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// From a ReplicaSet scale-up to the container running (`--pod-start`, 5 s).
    pub pod_start_ms: i64,
    /// From the container running to the app serving (`--app-warmup`, 8 s).
    pub app_warmup_ms: i64,
    /// Requests per second (`--rps`, 100); 0 sends none.
    pub rps: u32,
    /// How long each request takes (`--request-time`, 100 ms).
    pub request_time_ms: i64,
    /// Endpoint changes reach the load balancer this late (`--endpoint-lag`, 1 s).
    pub endpoint_lag_ms: i64,
    /// The app's SIGTERM handling (`--app-sigterm`, exit).
    pub sigterm: Sigterm,
    /// Pods of the updated template never pass readiness (`--new-version-broken`).
    pub new_version_broken: bool,
    /// `rollout undo` (`--rollback-at` / `--rollback-after`).
    pub rollback: Option<RollbackAt>,
    /// Stop here (ms) instead of the default horizon (`--until`).
    pub until_ms: Option<i64>,
}

impl Default for Model {
    fn default() -> Model {
        Model {
            pod_start_ms: 5_000,
            app_warmup_ms: 8_000,
            rps: 100,
            request_time_ms: 100,
            endpoint_lag_ms: 1_000,
            sigterm: Sigterm::Exit,
            new_version_broken: false,
            rollback: None,
            until_ms: None,
        }
    }
}

/// Why a request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FailureReason {
    /// Routed to a Pod whose app no longer accepts connections.
    NotListening,
    /// In flight on a Pod whose app exited or was killed.
    InFlightKilled,
    /// The load balancer had no ready endpoint.
    NoReadyEndpoint,
    /// Reached an app that was not warm yet (Ready without a readiness probe).
    AppCold,
}

impl FailureReason {
    /// The stable snake_case id used in JSON.
    pub fn id(self) -> &'static str {
        match self {
            FailureReason::NotListening => "not_listening",
            FailureReason::InFlightKilled => "in_flight_killed",
            FailureReason::NoReadyEndpoint => "no_ready_endpoint",
            FailureReason::AppCold => "app_cold",
        }
    }
}

impl fmt::Display for FailureReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One ReplicaSet size change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Virtual time, ms.
    pub t_ms: i64,
    /// Σ spec.replicas of the old ReplicaSets.
    pub old: i64,
    /// spec.replicas of the new ReplicaSet.
    pub new: i64,
    /// Σ available Pods of the old ReplicaSets.
    pub old_available: i64,
    /// Available Pods of the new ReplicaSet.
    pub new_available: i64,
}

/// Pods of one template in one state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PodCounts {
    /// Ready for at least minReadySeconds.
    pub available: i64,
    /// Ready, not yet available.
    pub ready: i64,
    /// Created, not Ready.
    pub starting: i64,
    /// Deleted, still running.
    pub terminating: i64,
}

/// The Pods at one moment, by template: `old` is the Deployment as given,
/// `new` the updated template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    /// Virtual time, ms.
    pub t_ms: i64,
    /// Pods of the original template.
    pub old: PodCounts,
    /// Pods of the updated template.
    pub new: PodCounts,
}

/// One ReplicaSet at the end of the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaSetSummary {
    /// Its name (`<deployment>-<revision of first use>`, the hash is not modelled).
    pub name: String,
    /// The `deployment.kubernetes.io/revision` annotation.
    pub revision: i64,
    /// The `deployment.kubernetes.io/revision-history` annotation.
    pub revision_history: String,
    /// spec.replicas.
    pub replicas: i64,
    /// Whether it runs the updated template.
    pub updated_template: bool,
}

/// What the run showed.
#[derive(Debug, Clone, PartialEq)]
pub struct RolloutReport {
    /// The Deployment's name.
    pub deployment: String,
    /// The update in words ("image payment-api:v3", "template change with the same image ...").
    pub update: String,
    /// Whether the update changed the pod template at all.
    pub template_changed: bool,
    /// spec.replicas (after the update).
    pub replicas: i64,
    /// The strategy.
    pub strategy: StrategyKind,
    /// Resolved maxSurge.
    pub max_surge: i64,
    /// Resolved maxUnavailable.
    pub max_unavailable: i64,
    /// spec.minReadySeconds.
    pub min_ready_seconds: i64,
    /// spec.progressDeadlineSeconds (None: never).
    pub progress_deadline_seconds: Option<i64>,
    /// The updated template's Pod timing (for explanations).
    pub timing: pod::PodTiming,
    /// The model the run used.
    pub model: Model,
    /// From the update to the Deployment complete on the updated template (None: never).
    pub duration_ms: Option<i64>,
    /// When `rollout undo` ran (None: not asked, or never reached).
    pub rollback_started_ms: Option<i64>,
    /// From the undo to the Deployment complete on the previous template (None: not asked or never).
    pub rollback_ms: Option<i64>,
    /// Why an asked-for undo did nothing, if it did not.
    pub rollback_note: Option<String>,
    /// The fewest available Pods at any moment.
    pub min_available: i64,
    /// The most non-terminating Pods at any moment.
    pub max_pods: i64,
    /// Requests sent.
    pub requests_total: u64,
    /// Requests that failed.
    pub failed_requests: u64,
    /// Failed requests by reason.
    pub failures: BTreeMap<FailureReason, u64>,
    /// Every ReplicaSet size change.
    pub steps: Vec<Step>,
    /// The Pods by template whenever they changed.
    pub timeline: Vec<Frame>,
    /// When the Progressing condition first turned ProgressDeadlineExceeded.
    pub progress_deadline_exceeded_ms: Option<i64>,
    /// When the run stopped.
    pub ended_ms: i64,
    /// Whether it stopped at the horizon with work left (a stalled rollout).
    pub hit_horizon: bool,
    /// The ReplicaSets at the end, newest revision first.
    pub replica_sets: Vec<ReplicaSetSummary>,
}

impl RolloutReport {
    /// One sentence per failure reason saying why requests failed and what
    /// would prevent it, biggest first.
    pub fn explanations(&self) -> Vec<String> {
        let mut v: Vec<(&FailureReason, &u64)> = self.failures.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        v.into_iter()
            .map(|(r, n)| format!("{n} {}: {}", plural(*n, "request"), self.explain(*r)))
            .collect()
    }

    fn explain(&self, r: FailureReason) -> String {
        let m = &self.model;
        let t = &self.timing;
        let lag = secs(m.endpoint_lag_ms);
        match r {
            FailureReason::NotListening => {
                let stop = t.pre_stop_ms.min(t.grace_ms);
                let early = m.endpoint_lag_ms - stop;
                if early > 0 {
                    format!(
                        "routed to a Pod that had stopped listening — each old Pod stopped about {} s before it left the endpoints (endpoint lag {lag} s, preStop {} s); add a preStop sleep longer than the lag",
                        secs(early),
                        secs(stop)
                    )
                } else {
                    "routed to a Pod that had stopped listening — the grace period ran out before the Pod left the endpoints; raise terminationGracePeriodSeconds".to_string()
                }
            }
            FailureReason::InFlightKilled => match m.sigterm {
                Sigterm::Exit => format!(
                    "in flight when the app exited on SIGTERM ({} ms each); handle SIGTERM by draining (--app-sigterm drain) or delay it with a preStop sleep",
                    m.request_time_ms
                ),
                Sigterm::Drain => format!(
                    "in flight when the Pod was killed at the end of its grace period ({} s); raise terminationGracePeriodSeconds above preStop + the longest request",
                    secs(t.grace_ms)
                ),
            },
            FailureReason::NoReadyEndpoint => {
                "found no ready endpoint — every Pod was out of the load balancer at once; keep maxUnavailable below replicas (or avoid Recreate)".to_string()
            }
            FailureReason::AppCold => format!(
                "reached an app still warming up — the Pod turned Ready when its container started, {} s before the app could serve; add a readiness probe",
                secs(m.app_warmup_ms)
            ),
        }
    }
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

/// Milliseconds as seconds with one decimal ("1.0").
pub fn secs(ms: i64) -> String {
    format!("{:.1}", ms as f64 / 1000.0)
}

/// Why a simulation could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RolloutError {
    /// maxSurge or maxUnavailable is a string that is not `N%`.
    #[error("{field}: {value:?} is not an integer or a percentage like \"25%\"")]
    BadIntOrPercent {
        /// The field path.
        field: &'static str,
        /// The value given.
        value: String,
    },
    /// A count or duration the simulator cannot take.
    #[error("{what}: {detail}")]
    OutOfRange {
        /// The field or flag.
        what: String,
        /// What is wrong and the limit.
        detail: String,
    },
    /// `--container` names no container of the template.
    #[error("no container named {name:?} in the Pod template (containers: {known})")]
    NoSuchContainer {
        /// The name asked for.
        name: String,
        /// The names present.
        known: String,
    },
    /// The template has no containers.
    #[error("the Pod template has no containers; add one under spec.template.spec.containers")]
    NoContainers,
    /// The updated Deployment is not the same object.
    #[error("the updated Deployment is named {updated:?}, not {original:?}; --to must hold the same Deployment")]
    DifferentDeployment {
        /// The original name.
        original: String,
        /// The updated name.
        updated: String,
    },
}

#[cfg(test)]
mod tests;
