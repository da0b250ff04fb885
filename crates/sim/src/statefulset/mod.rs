//! StatefulSets: the controller's ordering, identities and volumes in virtual
//! time, and the static checks an interview about stateful workloads cares
//! about. It is not a general scheduler or kubelet: Pods, nodes and volumes
//! are modelled only as far as the StatefulSet's guarantees depend on them.
//!
//! - [`simulate`] runs one StatefulSet on a small simulated cluster
//!   ([`Model`]: nodes, zones, Pod start and warm-up, disruptions) and returns
//!   an [`StsReport`]: every Pod incarnation with its node, volume and
//!   readiness times, the events, and when the set was first (and again) ready.
//! - [`findings`] checks manifests (`statefulset.*` ids) for `kubeprep check`.
//! - [`redis_cluster`] decides the `redis-cluster` scenario's four
//!   requirements (identities, storage, ordered startup, node loss) by simulation.
//! - [`render_text`] draws a report as a timeline, an identities table and
//!   the events, for a terminal (plain text; the caller prints it).
//!
//! The controller follows `pkg/controller/statefulset/stateful_set_control.go`
//! (1.2x-1.34: `processReplica`, `processCondemned`, the rolling update loop);
//! identities follow `stateful_set_utils.go` ([`identity`]).

mod checks;
mod engine;
pub mod identity;
mod render;
mod scenario;

use std::fmt;

use k8s_openapi::api::apps::v1::StatefulSet;

use crate::check::Finding;
use crate::manifest::Object;

pub use checks::{findings, findings_in};
pub use render::render_text;
pub use scenario::{redis_cluster, redis_cluster_with, NodeLossPlan, Requirement};

/// The most replicas a simulation accepts: enough for any interview, small
/// enough to answer in about a second at worst (the controller's sync walks
/// every ordinal after every event).
pub const MAX_REPLICAS: i64 = 2000;
/// The most nodes a simulation accepts.
pub const MAX_NODES: u32 = 1000;

/// The simulated cluster and what happens to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Schedulable nodes, named `node-1`, `node-2`, ...
    pub nodes: u32,
    /// Zones the nodes are spread over round-robin (`zone-a`, `zone-b`, ...);
    /// a volume is bound to the zone of the node its Pod first ran on.
    pub zones: u32,
    /// From a Pod's volumes being attached to its container running.
    pub pod_start_ms: u64,
    /// From the container running to the app answering its readiness probe.
    pub app_warmup_ms: u64,
    /// `node-monitor-grace-period`: from a node's last heartbeat to NotReady
    /// (50 s since Kubernetes 1.32, 40 s before).
    pub node_monitor_grace_ms: u64,
    /// The `tolerationSeconds` the DefaultTolerationSeconds admission plugin
    /// gives every Pod for `node.kubernetes.io/unreachable:NoExecute`.
    pub default_toleration_s: u64,
    /// The Pod garbage collector's period (20 s): how often it force-deletes
    /// terminating Pods on out-of-service nodes.
    pub pod_gc_period_ms: u64,
    /// The attach-detach controller's `maxWaitForUnmountDuration` (6 min):
    /// how long a volume stays attached to an unreachable node after its Pod
    /// was deleted, unless the node has the out-of-service taint.
    pub force_detach_ms: u64,
    /// What happens, in any order (they are sorted by time).
    pub actions: Vec<Action>,
    /// Virtual time after which the simulation stops, whatever is pending.
    pub horizon_ms: u64,
}

impl Default for Model {
    fn default() -> Model {
        Model {
            nodes: 3,
            zones: 1,
            pod_start_ms: 5_000,
            app_warmup_ms: 8_000,
            node_monitor_grace_ms: 50_000,
            default_toleration_s: 300,
            pod_gc_period_ms: 20_000,
            force_detach_ms: 360_000,
            actions: Vec::new(),
            horizon_ms: 24 * 3600 * 1000,
        }
    }
}

/// Something done to the cluster at a virtual time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `kubectl delete pod NAME` (graceful).
    DeletePod {
        /// The Pod's name.
        pod: String,
        /// When.
        at_ms: u64,
    },
    /// The node stops: its kubelet no longer reports and its containers die.
    FailNode {
        /// The node's name (`node-2`).
        node: String,
        /// When.
        at_ms: u64,
    },
    /// `kubectl delete pod --grace-period=0 --force` for every Pod of the set
    /// on a failed node.
    ForceDelete {
        /// When.
        at_ms: u64,
    },
    /// `kubectl taint node NODE node.kubernetes.io/out-of-service=nodeshutdown:NoExecute`
    /// on every failed node (non-graceful node shutdown).
    OutOfService {
        /// When.
        at_ms: u64,
    },
    /// `kubectl scale statefulset --replicas=N`.
    Scale {
        /// The new replica count.
        replicas: i64,
        /// When.
        at_ms: u64,
    },
    /// A change to the Pod template (a new revision), as `kubectl set image` does.
    Update {
        /// When.
        at_ms: u64,
    },
}

impl Action {
    /// When the action happens.
    pub fn at_ms(&self) -> u64 {
        match self {
            Action::DeletePod { at_ms, .. }
            | Action::FailNode { at_ms, .. }
            | Action::ForceDelete { at_ms }
            | Action::OutOfService { at_ms }
            | Action::Scale { at_ms, .. }
            | Action::Update { at_ms } => *at_ms,
        }
    }
}

/// Why a simulation cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StsError {
    /// The input has no StatefulSet.
    #[error("no StatefulSet in the manifests; give a file with `kind: StatefulSet`")]
    NoStatefulSet,
    /// The input has several StatefulSets and none was chosen.
    #[error("several StatefulSets ({names}); pick one with --name")]
    Ambiguous {
        /// Their names, comma-separated.
        names: String,
    },
    /// The chosen StatefulSet is not in the input.
    #[error("no StatefulSet named {name:?} (found: {found})")]
    NotFound {
        /// The name asked for.
        name: String,
        /// The names found.
        found: String,
    },
    /// A replica count outside what can be simulated.
    #[error("StatefulSet/{set}: {what} {replicas} is out of range; use 0 to {MAX_REPLICAS}")]
    Replicas {
        /// The set.
        set: String,
        /// Which count (`spec.replicas`, `--scale`).
        what: String,
        /// The value.
        replicas: i64,
    },
    /// A node count outside what can be simulated.
    #[error("--nodes {nodes} is out of range: use 1 to {MAX_NODES}; --zones {zones} must be between 1 and the number of nodes")]
    Nodes {
        /// Nodes asked for.
        nodes: u32,
        /// Zones asked for.
        zones: u32,
    },
    /// The API server would refuse the StatefulSet.
    #[error("StatefulSet/{set}: {path}: {message}")]
    Invalid {
        /// The set.
        set: String,
        /// The field path.
        path: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A disruption names a Pod that is not one of the set's.
    #[error("--delete-pod {pod}: not a Pod of StatefulSet/{set}; its Pods are named {set}-0 to {set}-{last}")]
    UnknownPod {
        /// The name given.
        pod: String,
        /// The set.
        set: String,
        /// The highest ordinal at the start.
        last: i64,
    },
    /// A disruption names a node that does not exist.
    #[error("--fail-node {node}: no such node; the nodes are node-1 to node-{nodes} (--nodes)")]
    UnknownNode {
        /// The name given.
        node: String,
        /// How many nodes there are.
        nodes: u32,
    },
    /// A time or duration that does not parse.
    #[error("{text:?} is not a duration: write 90s, 2m, 1m30s, 500ms or a number of seconds")]
    Duration {
        /// The text as written.
        text: String,
    },
    /// A `NAME@TIME` argument without its `@`.
    #[error("{text:?}: write NAME@TIME, for example redis-2@60s")]
    At {
        /// The text as written.
        text: String,
    },
}

/// How the controller manages Pods (`spec.podManagementPolicy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodManagement {
    /// One at a time, in ordinal order, each waiting for its predecessors.
    OrderedReady,
    /// All at once, without waiting.
    Parallel,
}

impl fmt::Display for PodManagement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PodManagement::OrderedReady => "OrderedReady",
            PodManagement::Parallel => "Parallel",
        })
    }
}

/// One Pod object's life, from creation to removal from the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodRecord {
    /// `<set>-<ordinal>`.
    pub name: String,
    /// Its ordinal.
    pub ordinal: i64,
    /// The template revision it was created from (1 is the initial one).
    pub revision: u32,
    /// The node it was bound to, if it was scheduled.
    pub node: Option<String>,
    /// Created by the controller.
    pub created_ms: u64,
    /// Bound to a node.
    pub scheduled_ms: Option<u64>,
    /// Its volumes attached to that node.
    pub attached_ms: Option<u64>,
    /// Containers running (phase Running).
    pub running_ms: Option<u64>,
    /// Ready condition True.
    pub ready_ms: Option<u64>,
    /// Ready condition set False because its node stopped reporting.
    pub unready_ms: Option<u64>,
    /// deletionTimestamp set (Terminating).
    pub deleting_ms: Option<u64>,
    /// Removed from the API.
    pub gone_ms: Option<u64>,
    /// Removed by a force delete (nobody confirmed its containers stopped).
    pub force_deleted: bool,
}

/// One Pod identity at the end of the simulation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodReport {
    /// Its ordinal.
    pub ordinal: i64,
    /// `<set>-<ordinal>`, also its hostname.
    pub name: String,
    /// `<pod>.<service>.<ns>.svc.cluster.local`, when `serviceName` names a
    /// headless Service whose selector matches the Pods.
    pub dns: Option<String>,
    /// `<template>-<set>-<ordinal>` for each volumeClaimTemplate.
    pub pvcs: Vec<String>,
    /// Where the latest incarnation runs (or was bound).
    pub node: Option<String>,
    /// The zone its volumes are bound to, once provisioned.
    pub volume_zone: Option<String>,
    /// When the latest incarnation turned Ready.
    pub ready_ms: Option<u64>,
    /// The latest incarnation's state at the end, as kubectl shows it.
    pub state: String,
    /// How many Pod objects had this name.
    pub incarnations: usize,
}

/// Something that happened, as `kubectl get events` would tell it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Virtual time.
    pub t_ms: u64,
    /// `Kind/name` of the object involved.
    pub object: String,
    /// A CamelCase reason (`SuccessfulCreate`, `NodeNotReady`, `TaintManagerEviction`, ...).
    pub reason: String,
    /// What happened.
    pub message: String,
}

/// A node at the end of the simulation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeReport {
    /// `node-N`.
    pub name: String,
    /// `zone-a`, ...
    pub zone: String,
    /// When it failed, if it did.
    pub failed_ms: Option<u64>,
    /// When the node controller marked it NotReady.
    pub not_ready_ms: Option<u64>,
    /// When it got the out-of-service taint.
    pub out_of_service_ms: Option<u64>,
}

/// What a simulation found.
#[derive(Debug, Clone, PartialEq)]
pub struct StsReport {
    /// `namespace/name`.
    pub set: String,
    /// The set's name.
    pub name: String,
    /// Its namespace.
    pub namespace: String,
    /// The headless Service giving Pods DNS names, when valid.
    pub service: Option<String>,
    /// `spec.podManagementPolicy`.
    pub policy: PodManagement,
    /// `spec.updateStrategy.type`.
    pub update_strategy: String,
    /// Replicas at the start.
    pub replicas: i64,
    /// Replicas at the end (after any `--scale`).
    pub final_replicas: i64,
    /// The model the simulation ran with.
    pub model: Model,
    /// The nodes.
    pub nodes: Vec<NodeReport>,
    /// Each identity (ordinal) at the end, by ordinal.
    pub pods: Vec<PodReport>,
    /// Every Pod object, in creation order.
    pub records: Vec<PodRecord>,
    /// What happened, in time order.
    pub events: Vec<Event>,
    /// When all replicas were first Running and Ready (None if never).
    pub ready_ms: Option<u64>,
    /// After the first disruption, when all replicas were Running and Ready
    /// again (None if there was no disruption or they never were).
    pub recovered_ms: Option<u64>,
    /// The last virtual time simulated.
    pub end_ms: u64,
    /// True when the horizon cut the simulation short.
    pub truncated: bool,
    /// The `statefulset.*` findings about this set.
    pub findings: Vec<Finding>,
}

/// Runs `set` on the simulated cluster described by `model`. `objects` are
/// the other manifests (the headless Service, PodDisruptionBudgets), used for
/// DNS names and findings.
pub fn simulate(
    set: &StatefulSet,
    objects: &[Object],
    model: &Model,
) -> Result<StsReport, StsError> {
    engine::run(set, objects, model)
}

/// Picks the StatefulSet to simulate: the one named, or the only one.
pub fn pick<'a>(objects: &'a [Object], name: Option<&str>) -> Result<&'a StatefulSet, StsError> {
    let sets: Vec<&StatefulSet> = objects
        .iter()
        .filter_map(|o| match o {
            Object::StatefulSet(s) => Some(&**s),
            _ => None,
        })
        .collect();
    let names = || {
        sets.iter()
            .map(|s| s.metadata.name.clone().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match name {
        Some(n) => sets
            .iter()
            .copied()
            .find(|s| s.metadata.name.as_deref() == Some(n))
            .ok_or_else(|| StsError::NotFound {
                name: n.to_string(),
                found: names(),
            }),
        None => match sets.len() {
            0 => Err(StsError::NoStatefulSet),
            1 => Ok(sets[0]),
            _ => Err(StsError::Ambiguous { names: names() }),
        },
    }
}

/// Reads a duration: `90s`, `2m`, `1m30s`, `1h`, `500ms`, or a bare number
/// of seconds (`60`, `2.5`). At most a week.
pub fn parse_duration(text: &str) -> Result<u64, StsError> {
    const WEEK_MS: i64 = 7 * 24 * 3600 * 1000;
    crate::duration::parse_within(text, WEEK_MS)
        .map(|ms| ms as u64)
        .map_err(|_| StsError::Duration {
            text: text.to_string(),
        })
}

/// Splits `NAME@TIME` (`redis-2@60s`) into the name and the time.
pub fn parse_at(text: &str) -> Result<(String, u64), StsError> {
    let (name, at) = text.rsplit_once('@').ok_or_else(|| StsError::At {
        text: text.to_string(),
    })?;
    if name.trim().is_empty() {
        return Err(StsError::At {
            text: text.to_string(),
        });
    }
    Ok((name.trim().to_string(), parse_duration(at)?))
}

/// Seconds, for reports: `12.5`.
pub fn seconds(ms: u64) -> f64 {
    ms as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_duration(text: &str, ms: Option<u64>) {
        assert_eq!(parse_duration(text).ok(), ms, "{text:?}");
    }

    #[test]
    fn durations_read_as_kubectl_writes_them() {
        check_duration("60s", Some(60_000));
        check_duration("60", Some(60_000));
        check_duration("2.5", Some(2_500));
        check_duration("1m30s", Some(90_000));
        check_duration("2m", Some(120_000));
        check_duration("1h", Some(3_600_000));
        check_duration("500ms", Some(500));
        check_duration("0s", Some(0));
        check_duration("", None);
        check_duration("s", None);
        check_duration("-5s", None);
        check_duration("5x", None);
        check_duration("9999999999h", None);
        check_duration("1e400", None);
    }

    #[test]
    fn at_arguments_split_on_the_last_at_sign() {
        assert_eq!(parse_at("redis-2@60s").unwrap(), ("redis-2".into(), 60_000));
        assert!(matches!(parse_at("redis-2"), Err(StsError::At { .. })));
        assert!(matches!(parse_at("@5s"), Err(StsError::At { .. })));
        assert!(matches!(parse_at("x@soon"), Err(StsError::Duration { .. })));
    }
}
