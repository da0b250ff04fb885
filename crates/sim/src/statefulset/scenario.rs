//! The `redis-cluster` scenario's requirements as pass/fail verdicts, for
//! `kubeprep check --scenario redis-cluster`: stable identities, storage,
//! ordered startup, and surviving a node loss, each decided by running the
//! simulation rather than by reading fields alone.

use k8s_openapi::api::apps::v1::StatefulSet;

use super::{simulate, Action, Model, PodManagement, StsError};
use crate::manifest::Object;

/// One scenario requirement and whether the manifests meet it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// 1-based, in the scenario's order.
    pub number: u32,
    /// Stable id: `stable-identities`, `storage`, `ordered-startup`, `survives-node-loss`.
    pub id: &'static str,
    /// Met or not.
    pub passed: bool,
    /// Why, with the numbers from the simulation.
    pub reason: String,
}

/// Decides the four `redis-cluster` requirements for `set`. The cluster has
/// one node more than replicas (so required hostname anti-affinity can
/// place every Pod and a replacement), in one zone; the node holding the most
/// Pods fails 60 s after the set is ready and gets the out-of-service taint
/// 120 s later.
pub fn redis_cluster(set: &StatefulSet, objects: &[Object]) -> Result<Vec<Requirement>, StsError> {
    redis_cluster_with(set, objects, &NodeLossPlan::default())
}

/// The cluster and the failure a `redis-cluster` run uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeLossPlan {
    /// Nodes in the cluster; `None`: one more than the replicas.
    pub nodes: Option<u32>,
    /// How long after every Pod is Ready the busiest node fails, ms.
    pub fail_after_ready_ms: u64,
    /// How long after the failure the out-of-service taint is applied, ms.
    pub taint_after_ms: u64,
}

impl Default for NodeLossPlan {
    fn default() -> NodeLossPlan {
        NodeLossPlan {
            nodes: None,
            fail_after_ready_ms: 60_000,
            taint_after_ms: 120_000,
        }
    }
}

/// [`redis_cluster`] with the scenario's own cluster size and failure time.
pub fn redis_cluster_with(
    set: &StatefulSet,
    objects: &[Object],
    plan: &NodeLossPlan,
) -> Result<Vec<Requirement>, StsError> {
    let replicas = set
        .spec
        .as_ref()
        .and_then(|s| s.replicas)
        .unwrap_or(1)
        .max(0);
    let nodes = plan
        .nodes
        .unwrap_or_else(|| (replicas as u32).saturating_add(1))
        .clamp(1, super::MAX_NODES);
    let base = Model {
        nodes,
        ..Model::default()
    };
    let first = simulate(set, objects, &base)?;
    let mut out = Vec::new();

    let dns_ok = !first.pods.is_empty() && first.pods.iter().all(|p| p.dns.is_some());
    out.push(Requirement {
        number: 1,
        id: "stable-identities",
        passed: dns_ok,
        reason: if dns_ok {
            format!(
                "each Pod keeps its name and DNS name, e.g. {}",
                first.pods[0].dns.clone().unwrap_or_default()
            )
        } else {
            "no per-Pod DNS names: serviceName must name a headless Service (clusterIP: None) whose selector matches the Pods".into()
        },
    });

    let storage_ok = !first.pods.is_empty() && first.pods.iter().all(|p| !p.pvcs.is_empty());
    out.push(Requirement {
        number: 2,
        id: "storage",
        passed: storage_ok,
        reason: if storage_ok {
            format!(
                "one PVC per Pod from volumeClaimTemplates, e.g. {}",
                first.pods[0].pvcs.join(", ")
            )
        } else {
            "no volumeClaimTemplates: the Pods have no storage of their own".into()
        },
    });

    // Ordered: every Pod created only once its predecessor was Ready.
    let mut ordered = first.policy == PodManagement::OrderedReady;
    let mut prev_ready: Option<u64> = None;
    for p in first.pods.iter() {
        let Some(rec) = first.records.iter().find(|r| r.ordinal == p.ordinal) else {
            ordered = false;
            break;
        };
        if let Some(prev) = prev_ready {
            if rec.created_ms < prev {
                ordered = false;
            }
        }
        prev_ready = rec.ready_ms.or(Some(u64::MAX));
    }
    out.push(Requirement {
        number: 3,
        id: "ordered-startup",
        passed: ordered && first.ready_ms.is_some(),
        reason: match (first.policy, first.ready_ms) {
            (PodManagement::Parallel, _) => {
                "podManagementPolicy Parallel creates every Pod at once: no ordered startup".into()
            }
            (_, None) => format!(
                "the Pods never all became Ready on {nodes} nodes (see `kubeprep simulate statefulset`)"
            ),
            (_, Some(t)) => format!(
                "OrderedReady: each Pod created after its predecessor was Ready; all {replicas} Ready at {}s",
                t / 1000
            ),
        },
    });

    let survives = match first.ready_ms {
        None => (
            false,
            "the set never became ready, so it cannot survive a node loss".to_string(),
        ),
        Some(ready) => {
            let mut per_node: std::collections::BTreeMap<&str, usize> = Default::default();
            for p in &first.pods {
                if let Some(n) = p.node.as_deref() {
                    *per_node.entry(n).or_default() += 1;
                }
            }
            let (node, lost) = per_node
                .iter()
                .max_by_key(|(n, c)| (**c, std::cmp::Reverse(**n)))
                .map(|(n, c)| (n.to_string(), *c))
                .unwrap_or_default();
            let fail = ready + plan.fail_after_ready_ms;
            let model = Model {
                actions: vec![
                    Action::FailNode {
                        node: node.clone(),
                        at_ms: fail,
                    },
                    Action::OutOfService {
                        at_ms: fail + plan.taint_after_ms,
                    },
                ],
                ..base.clone()
            };
            let after = simulate(set, objects, &model)?;
            let spread = super::checks::spreads_across_nodes(set);
            match (lost, after.recovered_ms) {
                _ if spread.is_none() => (
                    false,
                    "nothing spreads the Pods across nodes: one node can hold a primary and its replica (add pod anti-affinity or a topology spread constraint)".to_string(),
                ),
                (n, _) if n > 1 => (
                    false,
                    format!("{node} held {n} Pods: losing it takes several Redis nodes at once (spread them with anti-affinity or topology spread)"),
                ),
                (_, Some(t)) => (
                    true,
                    format!(
                        "{node} failed at {}s: its Pod came back with the same name and PVC after the out-of-service taint, all Ready at {}s",
                        fail / 1000,
                        t / 1000
                    ),
                ),
                (_, None) => (
                    false,
                    format!("{node} failed at {}s and the set was not Ready again by {}s", fail / 1000, after.end_ms / 1000),
                ),
            }
        }
    };
    out.push(Requirement {
        number: 4,
        id: "survives-node-loss",
        passed: survives.0,
        reason: survives.1,
    });
    Ok(out)
}
