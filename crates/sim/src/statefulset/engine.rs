//! The simulation: the StatefulSet controller's sync (newer
//! `stateful_set_control.go`), a small scheduler, the kubelet's Pod start and
//! readiness, the node lifecycle controller's NotReady marking and taint
//! eviction, the Pod garbage collector and the attach-detach controller, all
//! driven by one virtual-time event queue. After every event the controller
//! syncs until it changes nothing (syncs are instantaneous), then the
//! scheduler places pending Pods.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{
    Container, PodAffinityTerm, PodSpec, Probe, TopologySpreadConstraint,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::identity::{claim_name, dns_name, pod_name, selector_is_empty, selector_matches};
use super::{
    checks, Action, Event, Model, NodeReport, PodManagement, PodRecord, PodReport, StsError,
    StsReport, MAX_NODES, MAX_REPLICAS,
};
use crate::manifest::Object;

/// The unreachable taint's key.
const UNREACHABLE: &str = "node.kubernetes.io/unreachable";
/// Hostname topology key.
const HOSTNAME: &str = "kubernetes.io/hostname";
/// Hard bound on processed events, beyond the horizon.
const MAX_EVENTS: usize = 2_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    Action(usize),
    Started(usize),
    Ready(usize),
    Available(usize),
    Gone(usize),
    NodeNotReady(usize),
    Evict(usize),
    GcTick,
    Detached(i64, u64),
}

/// A topology domain of a node for a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Domain {
    Node(usize),
    Zone(usize),
    Region,
}

fn domain(key: &str, node: usize, zone: usize) -> Option<Domain> {
    match key {
        HOSTNAME => Some(Domain::Node(node)),
        "topology.kubernetes.io/zone" | "failure-domain.beta.kubernetes.io/zone" => {
            Some(Domain::Zone(zone))
        }
        "topology.kubernetes.io/region" | "failure-domain.beta.kubernetes.io/region" => {
            Some(Domain::Region)
        }
        _ => None,
    }
}

struct Node {
    name: String,
    zone: usize,
    failed_ms: Option<u64>,
    not_ready_ms: Option<u64>,
    oos_ms: Option<u64>,
}

impl Node {
    fn dead_at(&self, t: u64) -> bool {
        self.failed_ms.is_some_and(|f| f <= t)
    }
    fn schedulable(&self) -> bool {
        self.not_ready_ms.is_none() && self.oos_ms.is_none()
    }
}

struct Pod {
    rec: PodRecord,
    node: Option<usize>,
    ready: bool,
    available: bool,
    waiting_volume: bool,
    unschedulable_reported: bool,
}

impl Pod {
    fn terminating(&self) -> bool {
        self.rec.deleting_ms.is_some()
    }
    fn running(&self) -> bool {
        self.rec.running_ms.is_some()
    }
    fn running_and_ready(&self) -> bool {
        self.running() && self.ready
    }
    fn healthy(&self) -> bool {
        self.running_and_ready() && !self.terminating()
    }
}

/// One ordinal's volumes (all its claim templates travel together).
#[derive(Default)]
struct Volume {
    zone: Option<usize>,
    attached_to: Option<usize>,
    generation: u64,
}

/// Everything the simulation reads from the manifests.
struct Spec {
    name: String,
    namespace: String,
    replicas: i64,
    start: i64,
    policy: PodManagement,
    on_delete: bool,
    partition: i64,
    min_ready_ms: u64,
    claims: Vec<String>,
    service: Option<String>,
    /// Per container: readiness probe timing (initial delay, period, success threshold).
    probes: Vec<Option<(u64, u64, u64)>>,
    termination_ms: u64,
    /// `None`: tolerates unreachable forever.
    unreachable_toleration_ms: Option<u64>,
    anti_required: Vec<String>,
    anti_preferred: Vec<(i64, String)>,
    spread_hard: Vec<(i64, String, i64)>,
    spread_soft: Vec<String>,
}

fn read_spec(set: &StatefulSet, objects: &[Object], model: &Model) -> Result<Spec, StsError> {
    let name = set.metadata.name.clone().unwrap_or_default();
    let invalid = |path: &str, message: String| StsError::Invalid {
        set: name.clone(),
        path: path.to_string(),
        message,
    };
    if name.is_empty() {
        return Err(invalid(
            "metadata.name",
            "required: name the StatefulSet".into(),
        ));
    }
    let namespace = set
        .metadata
        .namespace
        .clone()
        .unwrap_or_else(|| "default".into());
    let spec = set
        .spec
        .as_ref()
        .ok_or_else(|| invalid("spec", "required: a StatefulSet needs a spec".into()))?;
    let replicas = i64::from(spec.replicas.unwrap_or(1));
    if !(0..=MAX_REPLICAS).contains(&replicas) {
        return Err(StsError::Replicas {
            set: name,
            what: "spec.replicas".into(),
            replicas,
        });
    }
    let labels = spec
        .template
        .metadata
        .as_ref()
        .and_then(|m| m.labels.clone())
        .unwrap_or_default();
    if selector_is_empty(&spec.selector) || !selector_matches(&spec.selector, &labels) {
        return Err(invalid(
            "spec.template.metadata.labels",
            "`selector` does not match template `labels` (the API server rejects it); add the selector's labels to spec.template.metadata.labels".into(),
        ));
    }
    let policy = match spec.pod_management_policy.as_deref() {
        None | Some("OrderedReady") => PodManagement::OrderedReady,
        Some("Parallel") => PodManagement::Parallel,
        Some(other) => {
            return Err(invalid(
                "spec.podManagementPolicy",
                format!("unsupported value {other:?}: use OrderedReady or Parallel"),
            ))
        }
    };
    let strategy = spec.update_strategy.as_ref();
    let on_delete = match strategy.and_then(|s| s.type_.as_deref()) {
        None | Some("RollingUpdate") => false,
        Some("OnDelete") => true,
        Some(other) => {
            return Err(invalid(
                "spec.updateStrategy.type",
                format!("unsupported value {other:?}: use RollingUpdate or OnDelete"),
            ))
        }
    };
    let partition = i64::from(
        strategy
            .and_then(|s| s.rolling_update.as_ref())
            .and_then(|r| r.partition)
            .unwrap_or(0),
    );
    if partition < 0 {
        return Err(invalid(
            "spec.updateStrategy.rollingUpdate.partition",
            "must be 0 or more".into(),
        ));
    }
    let start = i64::from(spec.ordinals.as_ref().and_then(|o| o.start).unwrap_or(0));
    if start < 0 {
        return Err(invalid("spec.ordinals.start", "must be 0 or more".into()));
    }
    let min_ready = spec.min_ready_seconds.unwrap_or(0);
    if min_ready < 0 {
        return Err(invalid("spec.minReadySeconds", "must be 0 or more".into()));
    }
    let claims: Vec<String> = spec
        .volume_claim_templates
        .iter()
        .flatten()
        .map(|c| c.metadata.name.clone().unwrap_or_default())
        .collect();
    let pod = spec.template.spec.clone().unwrap_or_default();
    let service = checks::headless_service(set, objects).map(|s| s.to_string());
    let probes = pod
        .containers
        .iter()
        .map(|c| c.readiness_probe.as_ref().map(probe_timing))
        .collect();
    let grace_ms = pod
        .termination_grace_period_seconds
        .unwrap_or(30)
        .clamp(0, 7 * 24 * 3600) as u64
        * 1000;
    let pre_stop_ms = pod.containers.iter().map(pre_stop_ms).max().unwrap_or(0);
    let unreachable_toleration_ms = unreachable_toleration(&pod, model);
    let own =
        |sel: &Option<LabelSelector>| sel.as_ref().is_some_and(|s| selector_matches(s, &labels));
    let anti = pod
        .affinity
        .as_ref()
        .and_then(|a| a.pod_anti_affinity.as_ref());
    let own_term = |t: &PodAffinityTerm| own(&t.label_selector);
    let anti_required = anti
        .and_then(|a| {
            a.required_during_scheduling_ignored_during_execution
                .as_ref()
        })
        .into_iter()
        .flatten()
        .filter(|t| own_term(t))
        .map(|t| t.topology_key.clone())
        .collect();
    let anti_preferred = anti
        .and_then(|a| {
            a.preferred_during_scheduling_ignored_during_execution
                .as_ref()
        })
        .into_iter()
        .flatten()
        .filter(|w| own_term(&w.pod_affinity_term))
        .map(|w| {
            (
                i64::from(w.weight),
                w.pod_affinity_term.topology_key.clone(),
            )
        })
        .collect();
    let spread: Vec<&TopologySpreadConstraint> = pod
        .topology_spread_constraints
        .iter()
        .flatten()
        .filter(|c| own(&c.label_selector))
        .collect();
    let spread_hard = spread
        .iter()
        .filter(|c| c.when_unsatisfiable == "DoNotSchedule")
        .map(|c| {
            (
                i64::from(c.max_skew.max(1)),
                c.topology_key.clone(),
                i64::from(c.min_domains.unwrap_or(1).max(1)),
            )
        })
        .collect();
    let spread_soft = spread
        .iter()
        .filter(|c| c.when_unsatisfiable != "DoNotSchedule")
        .map(|c| c.topology_key.clone())
        .collect();
    Ok(Spec {
        name,
        namespace,
        replicas,
        start,
        policy,
        on_delete,
        partition,
        min_ready_ms: min_ready as u64 * 1000,
        claims,
        service,
        probes,
        termination_ms: pre_stop_ms.min(grace_ms),
        unreachable_toleration_ms,
        anti_required,
        anti_preferred,
        spread_hard,
        spread_soft,
    })
}

/// (initialDelaySeconds, periodSeconds, successThreshold) in ms / count, with
/// the API defaults (0, 10, 1).
fn probe_timing(p: &Probe) -> (u64, u64, u64) {
    let t = crate::pod::ProbeTiming::of(p);
    (
        t.initial_delay_ms as u64,
        t.period_ms as u64,
        t.success_threshold as u64,
    )
}

/// How long a container's preStop hook keeps it alive (see [`crate::pod::pre_stop_ms`]).
fn pre_stop_ms(c: &Container) -> u64 {
    crate::pod::pre_stop_ms(c).max(0) as u64
}

fn unreachable_toleration(pod: &PodSpec, model: &Model) -> Option<u64> {
    for t in pod.tolerations.iter().flatten() {
        let key_ok = match t.key.as_deref() {
            None | Some("") => t.operator.as_deref() == Some("Exists"),
            Some(k) => k == UNREACHABLE,
        };
        let effect_ok = matches!(t.effect.as_deref(), None | Some("") | Some("NoExecute"));
        if key_ok && effect_ok {
            return t
                .toleration_seconds
                .map(|s| s.clamp(0, 7 * 24 * 3600) as u64 * 1000);
        }
    }
    Some(model.default_toleration_s.min(7 * 24 * 3600) * 1000)
}

struct Sim<'a> {
    spec: Spec,
    model: &'a Model,
    replicas: i64,
    current_rev: u32,
    update_rev: u32,
    nodes: Vec<Node>,
    pods: Vec<Pod>,
    /// Ordinal to the index of the Pod object that exists with that name.
    live: BTreeMap<i64, usize>,
    /// Pods waiting for a node, as (ordinal, index).
    unscheduled: BTreeSet<(i64, usize)>,
    volumes: BTreeMap<i64, Volume>,
    queue: BinaryHeap<Reverse<(u64, u64, Ev)>>,
    seq: u64,
    events: Vec<Event>,
    gc_scheduled: bool,
}

pub(super) fn run(
    set: &StatefulSet,
    objects: &[Object],
    model: &Model,
) -> Result<StsReport, StsError> {
    if model.nodes == 0 || model.nodes > MAX_NODES || model.zones == 0 || model.zones > model.nodes
    {
        return Err(StsError::Nodes {
            nodes: model.nodes,
            zones: model.zones,
        });
    }
    let spec = read_spec(set, objects, model)?;
    let last = spec.start + spec.replicas - 1;
    for a in &model.actions {
        match a {
            Action::DeletePod { pod, .. } => {
                let (parent, ord) = super::identity::parent_and_ordinal(pod);
                if parent != spec.name || ord.is_none() {
                    return Err(StsError::UnknownPod {
                        pod: pod.clone(),
                        set: spec.name.clone(),
                        last: last.max(0),
                    });
                }
            }
            Action::FailNode { node, .. } => {
                let ok = node
                    .strip_prefix("node-")
                    .and_then(|n| n.parse::<u32>().ok())
                    .is_some_and(|n| {
                        (1..=model.nodes).contains(&n) && *node == format!("node-{n}")
                    });
                if !ok {
                    return Err(StsError::UnknownNode {
                        node: node.clone(),
                        nodes: model.nodes,
                    });
                }
            }
            Action::Scale { replicas, .. } if !(0..=MAX_REPLICAS).contains(replicas) => {
                return Err(StsError::Replicas {
                    set: spec.name.clone(),
                    what: "--scale".into(),
                    replicas: *replicas,
                });
            }
            _ => {}
        }
    }
    let nodes = (0..model.nodes as usize)
        .map(|i| Node {
            name: format!("node-{}", i + 1),
            zone: i % model.zones as usize,
            failed_ms: None,
            not_ready_ms: None,
            oos_ms: None,
        })
        .collect();
    let findings = checks::findings_for(set, objects);
    let mut sim = Sim {
        replicas: spec.replicas,
        spec,
        model,
        current_rev: 1,
        update_rev: 1,
        nodes,
        pods: Vec::new(),
        live: BTreeMap::new(),
        unscheduled: BTreeSet::new(),
        volumes: BTreeMap::new(),
        queue: BinaryHeap::new(),
        seq: 0,
        events: Vec::new(),
        gc_scheduled: false,
    };
    let mut actions: Vec<(usize, &Action)> = model.actions.iter().enumerate().collect();
    actions.sort_by_key(|(i, a)| (a.at_ms(), *i));
    for (i, a) in actions {
        sim.push(a.at_ms(), Ev::Action(i));
    }
    Ok(sim.run_to_end(findings))
}

fn zone_name(z: usize) -> String {
    let mut s = String::from("zone-");
    if z < 26 {
        s.push((b'a' + z as u8) as char);
    } else {
        s.push_str(&z.to_string());
    }
    s
}

impl Sim<'_> {
    fn push(&mut self, t: u64, ev: Ev) {
        self.seq += 1;
        self.queue.push(Reverse((t, self.seq, ev)));
    }

    fn event(&mut self, t: u64, object: String, reason: &str, message: String) {
        self.events.push(Event {
            t_ms: t,
            object,
            reason: reason.to_string(),
            message,
        });
    }

    fn pod_ref(&self, i: usize) -> String {
        format!("Pod/{}", self.pods[i].rec.name)
    }

    fn range(&self) -> std::ops::Range<i64> {
        self.spec.start..self.spec.start + self.replicas
    }

    fn all_ready(&self) -> bool {
        self.range()
            .all(|o| self.live.get(&o).is_some_and(|&i| self.pods[i].healthy()))
    }

    fn run_to_end(mut self, findings: Vec<crate::check::Finding>) -> StsReport {
        let mut t = 0;
        let mut ready_ms = None;
        let mut recovered_ms = None;
        let mut disrupted = false;
        let mut degraded = false;
        let mut truncated = false;
        let mut processed = 0usize;
        self.settle(0);
        if self.all_ready() {
            ready_ms = Some(0);
        }
        while let Some(Reverse((at, _, ev))) = self.queue.pop() {
            if at > self.model.horizon_ms || processed >= MAX_EVENTS {
                truncated = true;
                t = t.max(self.model.horizon_ms.min(at));
                break;
            }
            processed += 1;
            t = at;
            if let Ev::Action(i) = ev {
                if matches!(
                    self.model.actions[i],
                    Action::DeletePod { .. } | Action::FailNode { .. }
                ) {
                    disrupted = true;
                }
            }
            self.handle(t, ev);
            self.settle(t);
            let ok = self.all_ready();
            if ok && ready_ms.is_none() {
                ready_ms = Some(t);
            }
            if disrupted && !ok {
                degraded = true;
            }
            if disrupted && degraded && ok && recovered_ms.is_none() {
                recovered_ms = Some(t);
            }
        }
        self.report(t, ready_ms, recovered_ms, truncated, findings)
    }

    /// Controller syncs until nothing changes, scheduling after each.
    fn settle(&mut self, t: u64) {
        // Each sync changes at most one thing in OrderedReady; bound the loop anyway.
        let bound = 4 * (self.live.len() + self.replicas.max(0) as usize) + 8;
        for _ in 0..bound {
            let changed = self.sync(t);
            self.schedule(t);
            if !changed {
                break;
            }
        }
    }

    fn available(&self, i: usize, t: u64) -> bool {
        let p = &self.pods[i];
        p.running_and_ready()
            && (self.spec.min_ready_ms == 0
                || p.available
                || p.rec
                    .ready_ms
                    .is_some_and(|r| r + self.spec.min_ready_ms <= t))
    }

    /// One pass of `updateStatefulSet`; true when it created or deleted a Pod.
    fn sync(&mut self, t: u64) -> bool {
        let monotonic = self.spec.policy == PodManagement::OrderedReady;
        let range = self.range();
        let mut condemned: Vec<usize> = self
            .live
            .iter()
            .filter(|(o, _)| !range.contains(o))
            .map(|(_, &i)| i)
            .collect();
        condemned.reverse(); // highest ordinal first
        let first_unhealthy = range
            .clone()
            .filter_map(|o| self.live.get(&o).copied())
            .chain(condemned.iter().copied())
            .find(|&i| !self.pods[i].healthy());
        let mut changed = false;
        for o in range.clone() {
            match self.live.get(&o).copied() {
                None => {
                    self.create(o, t);
                    changed = true;
                    if monotonic {
                        return true;
                    }
                }
                Some(i) => {
                    if self.pods[i].terminating() && monotonic {
                        return changed;
                    }
                    if !self.available(i, t) && monotonic {
                        return changed;
                    }
                }
            }
        }
        for &i in &condemned {
            if self.pods[i].terminating() {
                if monotonic {
                    return changed;
                }
                continue;
            }
            let first = first_unhealthy == Some(i);
            if monotonic && !first && (!self.pods[i].running_and_ready() || !self.available(i, t)) {
                return changed;
            }
            self.delete(i, t, Some("scale down"));
            changed = true;
            if monotonic {
                return true;
            }
        }
        if self.spec.on_delete {
            return changed;
        }
        let len = self.replicas;
        let mut target = len - 1;
        while target >= self.spec.partition && target >= 0 {
            let o = self.spec.start + target;
            let Some(i) = self.live.get(&o).copied() else {
                return changed;
            };
            if self.pods[i].rec.revision != self.update_rev && !self.pods[i].terminating() {
                self.delete(i, t, Some("rolling update"));
                return true;
            }
            if !self.pods[i].healthy() {
                return changed;
            }
            target -= 1;
        }
        // Every replica updated and ready: the update revision becomes current.
        if self.current_rev != self.update_rev
            && self.range().all(|o| {
                self.live.get(&o).is_some_and(|&i| {
                    self.pods[i].rec.revision == self.update_rev && self.pods[i].healthy()
                })
            })
        {
            self.current_rev = self.update_rev;
        }
        changed
    }

    fn create(&mut self, o: i64, t: u64) {
        // newVersionedStatefulSetPod: below the partition the current revision.
        let revision = if !self.spec.on_delete && o < self.spec.start + self.spec.partition {
            self.current_rev
        } else {
            self.update_rev
        };
        let name = pod_name(&self.spec.name, o);
        let i = self.pods.len();
        self.pods.push(Pod {
            rec: PodRecord {
                name: name.clone(),
                ordinal: o,
                revision,
                node: None,
                created_ms: t,
                scheduled_ms: None,
                attached_ms: None,
                running_ms: None,
                ready_ms: None,
                unready_ms: None,
                deleting_ms: None,
                gone_ms: None,
                force_deleted: false,
            },
            node: None,
            ready: false,
            available: false,
            waiting_volume: false,
            unschedulable_reported: false,
        });
        self.live.insert(o, i);
        self.unscheduled.insert((o, i));
        let fresh = !self.volumes.contains_key(&o);
        self.volumes.entry(o).or_default();
        let claims = self.claims(o).join(", ");
        let msg = if self.spec.claims.is_empty() {
            format!(
                "create Pod {name} in StatefulSet {} successful",
                self.spec.name
            )
        } else if fresh {
            format!(
                "create Claim {claims} Pod {name} in StatefulSet {} success",
                self.spec.name
            )
        } else {
            format!(
                "create Pod {name} in StatefulSet {} successful (reusing {claims})",
                self.spec.name
            )
        };
        self.event(
            t,
            format!("StatefulSet/{}", self.spec.name),
            "SuccessfulCreate",
            msg,
        );
    }

    fn claims(&self, o: i64) -> Vec<String> {
        self.spec
            .claims
            .iter()
            .map(|c| claim_name(c, &self.spec.name, o))
            .collect()
    }

    /// A graceful delete (deletionTimestamp set). Unscheduled Pods go at once;
    /// a Pod on a dead node stays Terminating.
    /// `by_controller` names why the StatefulSet controller deleted it (an
    /// event on the set); other deleters log their own events.
    fn delete(&mut self, i: usize, t: u64, by_controller: Option<&str>) {
        if self.pods[i].terminating() {
            return;
        }
        self.pods[i].rec.deleting_ms = Some(t);
        let name = self.pods[i].rec.name.clone();
        if let Some(why) = by_controller {
            self.event(
                t,
                format!("StatefulSet/{}", self.spec.name),
                "SuccessfulDelete",
                format!(
                    "delete Pod {name} in StatefulSet {} successful ({why})",
                    self.spec.name
                ),
            );
        }
        match self.pods[i].node {
            None => self.remove(i, t),
            Some(n) if self.nodes[n].dead_at(t) => {
                let ev_ref = self.pod_ref(i);
                let node = self.nodes[n].name.clone();
                self.event(
                    t,
                    ev_ref,
                    "Terminating",
                    format!("stays Terminating: the kubelet on {node} cannot confirm its containers stopped"),
                );
            }
            Some(_) => {
                let delay = if self.pods[i].running() {
                    self.spec.termination_ms
                } else {
                    0
                };
                self.push(t + delay, Ev::Gone(i));
            }
        }
    }

    /// The Pod object leaves the API; its ordinal is free again.
    fn remove(&mut self, i: usize, t: u64) {
        let o = self.pods[i].rec.ordinal;
        if self.live.get(&o) == Some(&i) {
            self.live.remove(&o);
        }
        self.pods[i].rec.gone_ms = Some(t);
        self.pods[i].ready = false;
        let node = self.pods[i].node;
        let force = self.pods[i].rec.force_deleted;
        if let (Some(n), Some(v)) = (node, self.volumes.get_mut(&o)) {
            if v.attached_to == Some(n) {
                let dead = self.nodes[n].dead_at(t);
                if !dead || self.nodes[n].oos_ms.is_some() {
                    v.attached_to = None;
                    if dead && !self.spec.claims.is_empty() {
                        let claims = self.claims(o).join(", ");
                        let node = self.nodes[n].name.clone();
                        self.event(
                            t,
                            format!("Node/{node}"),
                            "VolumeDetached",
                            format!("{claims} force-detached from {node} at once (out-of-service taint)"),
                        );
                    }
                } else {
                    v.generation += 1;
                    let g = v.generation;
                    let at = t + self.model.force_detach_ms;
                    self.push(at, Ev::Detached(o, g));
                }
            }
        }
        let _ = force;
        let r = self.pod_ref(i);
        self.event(t, r, "Deleted", "removed from the API".into());
    }

    fn handle(&mut self, t: u64, ev: Ev) {
        match ev {
            Ev::Action(a) => self.action(a, t),
            Ev::Started(i) => {
                let p = &self.pods[i];
                let Some(n) = p.node else { return };
                if p.rec.gone_ms.is_some() || p.running() || self.nodes[n].dead_at(t) {
                    return;
                }
                self.pods[i].rec.running_ms = Some(t);
                let node = self.nodes[n].name.clone();
                let r = self.pod_ref(i);
                self.event(t, r, "Started", format!("container running on {node}"));
                // Ready when every container's readiness probe finds the app warm.
                let warm = t + self.model.app_warmup_ms;
                let ready_at = self
                    .spec
                    .probes
                    .iter()
                    .map(|p| match p {
                        None => t,
                        Some((delay, period, success)) => {
                            let first = t + delay;
                            let k = if warm <= first {
                                0
                            } else {
                                (warm - first).div_ceil(*period)
                            };
                            first + (k + success - 1) * period
                        }
                    })
                    .max()
                    .unwrap_or(t);
                self.push(ready_at, Ev::Ready(i));
            }
            Ev::Ready(i) => {
                let p = &self.pods[i];
                let Some(n) = p.node else { return };
                if p.rec.gone_ms.is_some()
                    || self.nodes[n].dead_at(t)
                    || self.nodes[n].not_ready_ms.is_some()
                {
                    return;
                }
                self.pods[i].ready = true;
                self.pods[i].rec.ready_ms = Some(t);
                let r = self.pod_ref(i);
                self.event(
                    t,
                    r,
                    "Ready",
                    "readiness probe passed: Running and Ready".into(),
                );
                if self.spec.min_ready_ms > 0 {
                    self.push(t + self.spec.min_ready_ms, Ev::Available(i));
                } else {
                    self.pods[i].available = true;
                }
            }
            Ev::Available(i) => {
                if self.pods[i].ready {
                    self.pods[i].available = true;
                }
            }
            Ev::Gone(i) => {
                let p = &self.pods[i];
                if p.rec.gone_ms.is_some() {
                    return;
                }
                if let Some(n) = p.node {
                    if self.nodes[n].dead_at(t) {
                        return; // nobody left to confirm
                    }
                }
                self.remove(i, t);
            }
            Ev::NodeNotReady(n) => self.node_not_ready(n, t),
            Ev::Evict(i) => {
                if self.pods[i].rec.gone_ms.is_some() || self.pods[i].terminating() {
                    return;
                }
                let r = self.pod_ref(i);
                self.event(
                    t,
                    r,
                    "TaintManagerEviction",
                    format!(
                        "Marking for deletion: {UNREACHABLE}:NoExecute tolerated for {}s",
                        self.spec.unreachable_toleration_ms.unwrap_or(0) / 1000
                    ),
                );
                self.delete(i, t, None);
                self.maybe_gc(t);
            }
            Ev::GcTick => {
                self.gc_scheduled = false;
                let victims: Vec<usize> = self
                    .live
                    .values()
                    .copied()
                    .filter(|&i| {
                        let p = &self.pods[i];
                        p.terminating()
                            && p.node.is_some_and(|n| {
                                self.nodes[n].oos_ms.is_some()
                                    && self.nodes[n].not_ready_ms.is_some()
                            })
                    })
                    .collect();
                for i in victims {
                    self.pods[i].rec.force_deleted = true;
                    let r = self.pod_ref(i);
                    self.event(
                        t,
                        r,
                        "PodGC",
                        "force-deleted by the Pod garbage collector: terminating on an out-of-service node".into(),
                    );
                    self.remove(i, t);
                }
                self.maybe_gc(t + 1);
            }
            Ev::Detached(o, g) => {
                let claims = self.claims(o).join(", ");
                let Some(v) = self.volumes.get_mut(&o) else {
                    return;
                };
                if v.generation != g {
                    return;
                }
                let Some(n) = v.attached_to.take() else {
                    return;
                };
                let node = self.nodes[n].name.clone();
                self.event(
                    t,
                    format!("Node/{node}"),
                    "VolumeDetached",
                    format!(
                        "{claims} force-detached from unreachable {node} after maxWaitForUnmountDuration ({}s)",
                        self.model.force_detach_ms / 1000
                    ),
                );
                if let Some(&i) = self.live.get(&o) {
                    if self.pods[i].waiting_volume {
                        self.attach(i, t);
                    }
                }
            }
        }
    }

    /// Schedules a Pod GC pass at the next period boundary when one has work.
    fn maybe_gc(&mut self, t: u64) {
        if self.gc_scheduled {
            return;
        }
        let work = self.live.values().any(|&i| {
            let p = &self.pods[i];
            p.terminating()
                && p.node.is_some_and(|n| {
                    self.nodes[n].oos_ms.is_some() && self.nodes[n].not_ready_ms.is_some()
                })
        });
        if work {
            let period = self.model.pod_gc_period_ms.max(1);
            let at = t.div_ceil(period) * period;
            self.gc_scheduled = true;
            self.push(at, Ev::GcTick);
        }
    }

    fn node_not_ready(&mut self, n: usize, t: u64) {
        self.nodes[n].not_ready_ms = Some(t);
        let node = self.nodes[n].name.clone();
        self.event(
            t,
            format!("Node/{node}"),
            "NodeNotReady",
            format!(
                "no heartbeat for {}s (node-monitor-grace-period): Ready Unknown, tainted {UNREACHABLE}:NoSchedule and :NoExecute",
                self.model.node_monitor_grace_ms / 1000
            ),
        );
        let on: Vec<usize> = self
            .live
            .values()
            .copied()
            .filter(|&i| self.pods[i].node == Some(n))
            .collect();
        for i in on {
            if self.pods[i].ready {
                self.pods[i].ready = false;
                self.pods[i].available = false;
                self.pods[i].rec.unready_ms = Some(t);
                let r = self.pod_ref(i);
                self.event(
                    t,
                    r,
                    "NodeNotReady",
                    format!("Ready condition set False: {node} is not reporting"),
                );
            }
            if self.nodes[n].oos_ms.is_none() {
                if let Some(tol) = self.spec.unreachable_toleration_ms {
                    self.push(t + tol, Ev::Evict(i));
                }
            }
        }
        self.maybe_gc(t);
    }

    fn action(&mut self, a: usize, t: u64) {
        match self.model.actions[a].clone() {
            Action::DeletePod { pod, .. } => {
                let o = super::identity::ordinal(&pod).map_or(-1, i64::from);
                match self.live.get(&o).copied() {
                    Some(i) if self.pods[i].rec.name == pod => {
                        self.event(
                            t,
                            format!("Pod/{pod}"),
                            "Killing",
                            "kubectl delete pod (graceful)".into(),
                        );
                        self.delete(i, t, None);
                    }
                    _ => self.event(
                        t,
                        format!("Pod/{pod}"),
                        "NotFound",
                        "kubectl delete pod: no such Pod at this time".into(),
                    ),
                }
            }
            Action::FailNode { node, .. } => {
                let Some(n) = self.nodes.iter().position(|x| x.name == node) else {
                    return;
                };
                if self.nodes[n].failed_ms.is_some() {
                    return;
                }
                self.nodes[n].failed_ms = Some(t);
                let pods: Vec<String> = self
                    .live
                    .values()
                    .filter(|&&i| self.pods[i].node == Some(n))
                    .map(|&i| self.pods[i].rec.name.clone())
                    .collect();
                self.event(
                    t,
                    format!("Node/{node}"),
                    "NodeFailed",
                    format!(
                        "{node} stops (kubelet silent, containers dead); Pods on it: {}",
                        if pods.is_empty() {
                            "none".into()
                        } else {
                            pods.join(", ")
                        }
                    ),
                );
                self.push(t + self.model.node_monitor_grace_ms, Ev::NodeNotReady(n));
            }
            Action::ForceDelete { .. } => {
                let victims: Vec<usize> = self
                    .live
                    .values()
                    .copied()
                    .filter(|&i| self.pods[i].node.is_some_and(|n| self.nodes[n].dead_at(t)))
                    .collect();
                if victims.is_empty() {
                    self.event(
                        t,
                        format!("StatefulSet/{}", self.spec.name),
                        "ForceDelete",
                        "kubectl delete pod --force: no Pod of the set on a failed node".into(),
                    );
                }
                for i in victims {
                    self.pods[i].rec.force_deleted = true;
                    if self.pods[i].rec.deleting_ms.is_none() {
                        self.pods[i].rec.deleting_ms = Some(t);
                    }
                    let r = self.pod_ref(i);
                    self.event(
                        t,
                        r,
                        "ForceDelete",
                        "kubectl delete pod --grace-period=0 --force".into(),
                    );
                    self.remove(i, t);
                }
            }
            Action::OutOfService { .. } => {
                let failed: Vec<usize> = (0..self.nodes.len())
                    .filter(|&n| self.nodes[n].dead_at(t))
                    .collect();
                if failed.is_empty() {
                    self.event(
                        t,
                        format!("StatefulSet/{}", self.spec.name),
                        "OutOfService",
                        "no failed node to taint".into(),
                    );
                }
                for n in failed {
                    if self.nodes[n].oos_ms.is_some() {
                        continue;
                    }
                    self.nodes[n].oos_ms = Some(t);
                    let node = self.nodes[n].name.clone();
                    self.event(
                        t,
                        format!("Node/{node}"),
                        "OutOfService",
                        "tainted node.kubernetes.io/out-of-service=nodeshutdown:NoExecute".into(),
                    );
                    // The taint manager evicts Pods that do not tolerate it at once.
                    let on: Vec<usize> = self
                        .live
                        .values()
                        .copied()
                        .filter(|&i| self.pods[i].node == Some(n) && !self.pods[i].terminating())
                        .collect();
                    for i in on {
                        let r = self.pod_ref(i);
                        self.event(
                            t,
                            r,
                            "TaintManagerEviction",
                            "Marking for deletion: node.kubernetes.io/out-of-service:NoExecute is not tolerated".into(),
                        );
                        self.delete(i, t, None);
                    }
                    // Volumes of Pods already gone are detached without waiting.
                    let stuck: Vec<i64> = self
                        .volumes
                        .iter()
                        .filter(|(o, v)| {
                            v.attached_to == Some(n)
                                && self
                                    .live
                                    .get(o)
                                    .is_none_or(|&i| self.pods[i].node != Some(n))
                        })
                        .map(|(o, _)| *o)
                        .collect();
                    for o in stuck {
                        if let Some(v) = self.volumes.get_mut(&o) {
                            v.generation += 1;
                            let g = v.generation;
                            self.push(t, Ev::Detached(o, g));
                        }
                    }
                }
                self.maybe_gc(t);
            }
            Action::Scale { replicas, .. } => {
                self.event(
                    t,
                    format!("StatefulSet/{}", self.spec.name),
                    "Scaled",
                    format!("replicas {} -> {replicas}", self.replicas),
                );
                self.replicas = replicas;
            }
            Action::Update { .. } => {
                self.update_rev += 1;
                self.event(
                    t,
                    format!("StatefulSet/{}", self.spec.name),
                    "Updated",
                    format!("Pod template changed: revision {}", self.update_rev),
                );
            }
        }
    }

    /// Binds pending Pods, lowest ordinal first.
    fn schedule(&mut self, t: u64) {
        // Lowest ordinal first; deleted or bound Pods leave the set.
        let pending: Vec<usize> = self
            .unscheduled
            .iter()
            .map(|&(_, i)| i)
            .filter(|&i| self.pods[i].node.is_none() && !self.pods[i].terminating())
            .collect();
        self.unscheduled
            .retain(|&(_, i)| self.pods[i].node.is_none() && !self.pods[i].terminating());
        for i in pending {
            match self.place(i) {
                Ok(n) => {
                    let o = self.pods[i].rec.ordinal;
                    self.pods[i].node = Some(n);
                    self.unscheduled.remove(&(o, i));
                    self.pods[i].rec.node = Some(self.nodes[n].name.clone());
                    self.pods[i].rec.scheduled_ms = Some(t);
                    let node = self.nodes[n].name.clone();
                    let r = self.pod_ref(i);
                    self.event(t, r, "Scheduled", format!("assigned to {node}"));
                    let zone = self.nodes[n].zone;
                    let claims = self.claims(o);
                    if let Some(v) = self.volumes.get_mut(&o) {
                        if v.zone.is_none() && !claims.is_empty() {
                            v.zone = Some(zone);
                            self.event(
                                t,
                                format!("PersistentVolumeClaim/{}", claims.join(", ")),
                                "ProvisioningSucceeded",
                                format!(
                                    "volume provisioned in {} and bound (WaitForFirstConsumer)",
                                    zone_name(zone)
                                ),
                            );
                        }
                    }
                    self.attach(i, t);
                }
                Err(why) => {
                    if !self.pods[i].unschedulable_reported {
                        self.pods[i].unschedulable_reported = true;
                        let r = self.pod_ref(i);
                        self.event(t, r, "FailedScheduling", why);
                    }
                }
            }
        }
    }

    /// Attaches the Pod's volumes to its node, or waits while they are still
    /// attached elsewhere (ReadWriteOnce).
    fn attach(&mut self, i: usize, t: u64) {
        let Some(n) = self.pods[i].node else { return };
        let o = self.pods[i].rec.ordinal;
        let claims = self.claims(o);
        let v = self.volumes.entry(o).or_default();
        match v.attached_to {
            Some(other) if other != n => {
                if !self.pods[i].waiting_volume {
                    self.pods[i].waiting_volume = true;
                    let other = self.nodes[other].name.clone();
                    let r = self.pod_ref(i);
                    self.event(
                        t,
                        r,
                        "FailedAttachVolume",
                        format!(
                            "Multi-Attach error for {}: still attached to {other}",
                            claims.join(", ")
                        ),
                    );
                }
            }
            _ => {
                v.attached_to = Some(n);
                self.pods[i].waiting_volume = false;
                self.pods[i].rec.attached_ms = Some(t);
                if !claims.is_empty() {
                    let node = self.nodes[n].name.clone();
                    let r = self.pod_ref(i);
                    self.event(
                        t,
                        r,
                        "SuccessfulAttachVolume",
                        format!("{} attached to {node}", claims.join(", ")),
                    );
                }
                self.push(t + self.model.pod_start_ms, Ev::Started(i));
            }
        }
    }

    /// The node for a Pod, or why there is none (as the scheduler says it).
    fn place(&self, i: usize) -> Result<usize, String> {
        let o = self.pods[i].rec.ordinal;
        let vol_zone = self.volumes.get(&o).and_then(|v| v.zone);
        // Set Pods bound to each node: all (anti-affinity) and non-terminating (spread).
        let mut all = vec![0i64; self.nodes.len()];
        let mut active = vec![0i64; self.nodes.len()];
        for &j in self.live.values() {
            if let Some(n) = self.pods[j].node {
                all[n] += 1;
                if !self.pods[j].terminating() {
                    active[n] += 1;
                }
            }
        }
        // Pods per topology domain, for every key the constraints use.
        let mut keys: Vec<&str> = vec!["topology.kubernetes.io/zone"];
        keys.extend(self.spec.anti_required.iter().map(String::as_str));
        keys.extend(self.spec.anti_preferred.iter().map(|(_, k)| k.as_str()));
        keys.extend(self.spec.spread_hard.iter().map(|(_, k, _)| k.as_str()));
        keys.extend(self.spec.spread_soft.iter().map(String::as_str));
        let mut by_domain: BTreeMap<(&str, bool), BTreeMap<Domain, i64>> = BTreeMap::new();
        for &key in &keys {
            for (counts, is_all) in [(&all, true), (&active, false)] {
                let per = by_domain.entry((key, is_all)).or_default();
                for (m, nm) in self.nodes.iter().enumerate() {
                    if let Some(d) = domain(key, m, nm.zone) {
                        *per.entry(d).or_default() += counts[m];
                    }
                }
            }
        }
        let count_in = |is_all: bool, key: &str, n: usize| -> i64 {
            let Some(d) = domain(key, n, self.nodes[n].zone) else {
                return 0;
            };
            by_domain
                .get(&(key, is_all))
                .and_then(|m| m.get(&d))
                .copied()
                .unwrap_or(0)
        };
        let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
        let mut best: Option<((i64, i64, i64, i64), usize)> = None;
        for (n, node) in self.nodes.iter().enumerate() {
            let reason = if !node.schedulable() {
                Some("node(s) had untolerated taint {node.kubernetes.io/unreachable}")
            } else if vol_zone.is_some_and(|z| z != node.zone) {
                Some("node(s) had volume node affinity conflict")
            } else if self
                .spec
                .anti_required
                .iter()
                .any(|k| domain(k, n, node.zone).is_some() && count_in(true, k, n) > 0)
            {
                Some("node(s) didn't match pod anti-affinity rules")
            } else if self
                .spec
                .spread_hard
                .iter()
                .any(|(skew, key, min_domains)| {
                    if domain(key, n, node.zone).is_none() {
                        return true;
                    }
                    let per = by_domain.get(&(key.as_str(), false));
                    let domains = per.map_or(0, |m| m.len()) as i64;
                    let min = if domains < *min_domains {
                        0
                    } else {
                        per.and_then(|m| m.values().copied().min()).unwrap_or(0)
                    };
                    count_in(false, key, n) + 1 - min > *skew
                })
            {
                Some("node(s) didn't match pod topology spread constraints")
            } else {
                None
            };
            if let Some(r) = reason {
                *reasons.entry(r).or_default() += 1;
                continue;
            }
            let pref: i64 = self
                .spec
                .anti_preferred
                .iter()
                .map(|(w, k)| w * count_in(true, k, n))
                .sum();
            let soft: i64 = self
                .spec
                .spread_soft
                .iter()
                .map(|k| count_in(false, k, n))
                .sum();
            let zone_load = count_in(false, "topology.kubernetes.io/zone", n);
            let score = (pref, soft, active[n], zone_load);
            if !matches!(best, Some((s, _)) if s <= score) {
                best = Some((score, n));
            }
        }
        match best {
            Some((_, n)) => Ok(n),
            None => {
                let detail: Vec<String> = reasons.iter().map(|(r, c)| format!("{c} {r}")).collect();
                Err(format!(
                    "0/{} nodes are available: {}",
                    self.nodes.len(),
                    detail.join(", ")
                ))
            }
        }
    }

    fn report(
        self,
        end_ms: u64,
        ready_ms: Option<u64>,
        recovered_ms: Option<u64>,
        truncated: bool,
        findings: Vec<crate::check::Finding>,
    ) -> StsReport {
        let spec = &self.spec;
        let mut ordinals: Vec<i64> = self.range().collect();
        for &o in self.live.keys() {
            if !ordinals.contains(&o) {
                ordinals.push(o);
            }
        }
        ordinals.sort_unstable();
        let pods = ordinals
            .iter()
            .map(|&o| {
                let name = pod_name(&spec.name, o);
                let records: Vec<&Pod> = self.pods.iter().filter(|p| p.rec.ordinal == o).collect();
                let last = records.last();
                PodReport {
                    ordinal: o,
                    dns: spec
                        .service
                        .as_ref()
                        .map(|s| dns_name(&name, s, &spec.namespace)),
                    pvcs: self.claims(o),
                    node: last.and_then(|p| p.rec.node.clone()),
                    volume_zone: self.volumes.get(&o).and_then(|v| v.zone).map(zone_name),
                    ready_ms: last.filter(|p| p.ready).and_then(|p| p.rec.ready_ms),
                    state: last.map_or_else(|| "Absent".to_string(), |p| self.state(p, end_ms)),
                    incarnations: records.len(),
                    name,
                }
            })
            .collect();
        StsReport {
            set: format!("{}/{}", spec.namespace, spec.name),
            name: spec.name.clone(),
            namespace: spec.namespace.clone(),
            service: spec.service.clone(),
            policy: spec.policy,
            update_strategy: if spec.on_delete {
                "OnDelete"
            } else {
                "RollingUpdate"
            }
            .into(),
            replicas: spec.replicas,
            final_replicas: self.replicas,
            model: self.model.clone(),
            nodes: self
                .nodes
                .iter()
                .map(|n| NodeReport {
                    name: n.name.clone(),
                    zone: zone_name(n.zone),
                    failed_ms: n.failed_ms,
                    not_ready_ms: n.not_ready_ms,
                    out_of_service_ms: n.oos_ms,
                })
                .collect(),
            pods,
            records: self.pods.iter().map(|p| p.rec.clone()).collect(),
            events: self.events,
            ready_ms,
            recovered_ms,
            end_ms,
            truncated,
            findings,
        }
    }

    fn state(&self, p: &Pod, t: u64) -> String {
        if p.rec.gone_ms.is_some() {
            return "Deleted".into();
        }
        let waiting = if p.waiting_volume {
            " (Multi-Attach)"
        } else {
            ""
        };
        let s = if p.terminating() {
            "Terminating"
        } else if p.rec.unready_ms.is_some() {
            "Unknown (node lost)"
        } else if p.ready {
            "Running, Ready"
        } else if p.running() {
            "Running, not Ready"
        } else if p.node.is_some() {
            "ContainerCreating"
        } else {
            "Pending"
        };
        let _ = t;
        format!("{s}{waiting}")
    }
}
