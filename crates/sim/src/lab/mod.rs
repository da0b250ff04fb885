//! The lab world: a small simulated cluster (three nodes, the `default`
//! namespace, the seed's Node.js `api` with PostgreSQL and Redis) with one
//! injected [`Fault`], advanced on a virtual clock. The deployment and
//! ReplicaSet controllers, the kubelet (image pulls, restart back-off,
//! probes, logs) and the event recorder run inside [`World::advance`];
//! changes come in through [`World::apply`]; [`World::fault_fixed`] judges
//! the resulting state. Pure: no I/O, no wall clock, same seed → same world.
//! Not the kubectl shell or the HTTP API: those sit on top of this.

mod app;
mod fault;
mod kubelet;
pub mod patch;
mod scenario;
pub mod table;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, TimeZone, Utc};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentStatus, ReplicaSet, ReplicaSetStatus};
use k8s_openapi::api::core::v1::{
    ConfigMap, Event, EventSource, Node, ObjectReference, PodSpec, Secret, Service,
};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use k8s_openapi::ByteString;

pub use fault::{Fault, UnknownFault};

use crate::manifest::Object;
use crate::rollout::controller::{self, DeploymentParams, RsCounts, StrategyKind};
use app::{Peer, View};
use kubelet::Ctr;
use scenario::{Details, Rng};

/// The lab clock's zero: every world starts at this instant.
const EPOCH_MS: i64 = 1_772_442_000_000; // 2026-03-02T09:00:00Z

/// How long the databases run before the api is deployed at time zero.
const WARM_UP_MS: i64 = 300_000;

/// The longest single [`World::advance`]: one simulated week.
pub const MAX_ADVANCE_MS: i64 = 7 * 24 * 3_600_000;

/// Something the lab refused or could not find.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LabError {
    /// No object of that kind and name (kubectl's wording).
    #[error("{kind} \"{name}\" not found")]
    NotFound {
        /// The resource, plural, e.g. `pods`.
        kind: &'static str,
        /// The name asked for.
        name: String,
    },
    /// `logs --previous` on a container that has not terminated yet.
    #[error("previous terminated container \"{container}\" in pod \"{pod}\" not found")]
    NoPrevious {
        /// The container.
        container: String,
        /// The Pod.
        pod: String,
    },
    /// `logs` on a container that never started.
    #[error("container \"{container}\" in pod \"{pod}\" is waiting to start: {reason}")]
    WaitingToStart {
        /// The container.
        container: String,
        /// The Pod.
        pod: String,
        /// Its waiting reason, e.g. `CreateContainerConfigError`.
        reason: String,
    },
    /// A change the API server would reject, with its reason.
    #[error("{0}")]
    Invalid(String),
    /// A change the lab does not model.
    #[error("the lab cannot {0}")]
    Unsupported(String),
}

/// How a TCP connection attempt from inside the cluster ends ([`World::reach`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// Connected: something listens there.
    Open,
    /// `connection refused` at this `ip:port` (no endpoints, or nothing listening).
    Refused(String),
    /// No answer from this `ip:port` (a NetworkPolicy drops it, or no Service port).
    TimedOut(String),
    /// DNS has no such name (`NXDOMAIN`).
    UnknownHost,
    /// DNS itself is blocked by a NetworkPolicy.
    DnsTimeout,
}

/// A resource kind a [`Change::Delete`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `pods`.
    Pod,
    /// `deployments.apps`.
    Deployment,
    /// `replicasets.apps`.
    ReplicaSet,
    /// `services`.
    Service,
    /// `configmaps`.
    ConfigMap,
    /// `secrets`.
    Secret,
    /// `networkpolicies.networking.k8s.io`.
    NetworkPolicy,
}

impl Kind {
    fn plural(self) -> &'static str {
        match self {
            Kind::Pod => "pods",
            Kind::Deployment => "deployments.apps",
            Kind::ReplicaSet => "replicasets.apps",
            Kind::Service => "services",
            Kind::ConfigMap => "configmaps",
            Kind::Secret => "secrets",
            Kind::NetworkPolicy => "networkpolicies.networking.k8s.io",
        }
    }
}

/// A change to the world, as the API server receives it once kubectl has
/// merged a patch or read a file.
#[derive(Debug, Clone)]
pub enum Change {
    /// Create or replace a Deployment, Service, ConfigMap, Secret or
    /// NetworkPolicy (`apply`, `replace`, `patch`, `edit`, `set env`, `create`).
    Apply(Object),
    /// Replace a Pod's labels (`kubectl label pod`).
    LabelPod {
        /// The Pod.
        name: String,
        /// Its new labels, all of them.
        labels: BTreeMap<String, String>,
    },
    /// Delete one object (`kubectl delete`).
    Delete {
        /// Its kind.
        kind: Kind,
        /// Its name.
        name: String,
    },
    /// `kubectl rollout restart deployment/<name>`.
    RolloutRestart {
        /// The Deployment.
        deployment: String,
    },
}

/// One Pod as the kubelet and controllers keep it.
#[derive(Debug, Clone)]
struct PodSim {
    meta: ObjectMeta,
    spec: PodSpec,
    node: usize,
    ip: String,
    created: i64,
    deleting: Option<i64>,
    /// When it disappears (deletion finished).
    gone_at: Option<i64>,
    containers: Vec<Ctr>,
}

impl PodSim {
    fn name(&self) -> &str {
        self.meta.name.as_deref().unwrap_or_default()
    }
    fn labels(&self) -> &BTreeMap<String, String> {
        static EMPTY: BTreeMap<String, String> = BTreeMap::new();
        self.meta.labels.as_ref().unwrap_or(&EMPTY)
    }
    fn ready(&self) -> bool {
        self.deleting.is_none() && self.containers.iter().all(|c| c.ready)
    }
    fn owner(&self) -> Option<&str> {
        self.meta
            .owner_references
            .as_ref()?
            .iter()
            .find(|o| o.controller == Some(true))
            .map(|o| o.uid.as_str())
    }
}

/// A small cluster with one injected fault, on a virtual clock.
#[derive(Debug, Clone)]
pub struct World {
    fault: Fault,
    seed: u64,
    rng: Rng,
    now: i64,
    details: Details,
    nodes: Vec<Node>,
    node_images: Vec<BTreeSet<String>>,
    deployments: Vec<Deployment>,
    replica_sets: Vec<ReplicaSet>,
    pods: Vec<PodSim>,
    services: Vec<Service>,
    config_maps: Vec<ConfigMap>,
    secrets: Vec<Secret>,
    network_policies: Vec<NetworkPolicy>,
    events: Vec<Event>,
    event_index: HashMap<String, usize>,
    next_ip: [u32; 3],
    resource_version: u64,
    /// pod-template-hash by (Deployment uid, generation): hashing the
    /// template on every controller pass would dominate `advance`.
    hashes: HashMap<(String, i64), String>,
}

fn time(ms: i64) -> Time {
    Time(
        Utc.timestamp_millis_opt(EPOCH_MS + ms)
            .single()
            .unwrap_or_default(),
    )
}

fn secret_normalize(s: &mut Secret) {
    if let Some(sd) = s.string_data.take() {
        let data = s.data.get_or_insert_with(BTreeMap::new);
        for (k, v) in sd {
            data.insert(k, ByteString(v.into_bytes()));
        }
    }
}

fn fnv32a(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

impl World {
    /// A world with `fault`; `seed` picks names, IPs and the fault's variant.
    /// The Pods are created at once; advance the clock to watch them fail.
    pub fn new(fault: Fault, seed: u64) -> World {
        let mut rng = Rng::new(seed);
        let mut start = scenario::build(fault, &mut rng);
        for s in &mut start.secrets {
            secret_normalize(s);
        }
        let mut w = World {
            fault,
            seed,
            rng,
            now: 0,
            details: start.details,
            node_images: vec![BTreeSet::new(); start.nodes.len()],
            nodes: start.nodes,
            deployments: Vec::new(),
            replica_sets: Vec::new(),
            pods: Vec::new(),
            services: start.services,
            config_maps: start.config_maps,
            secrets: start.secrets,
            network_policies: start.network_policies,
            events: Vec::new(),
            event_index: HashMap::new(),
            next_ip: [2, 2, 2],
            resource_version: 1000,
            hashes: HashMap::new(),
        };
        // The databases have been up for a while when the api is deployed:
        // they start five minutes before time zero.
        let mut deployments = start.deployments;
        let api = deployments.remove(0);
        w.deployments = deployments;
        w.now = -WARM_UP_MS;
        for i in 0..w.nodes.len() {
            let uid = w.rng.uid();
            w.nodes[i].metadata.uid = Some(uid);
            w.nodes[i].metadata.creation_timestamp = Some(time(-86_400_000 * 12));
            // Every node already has the database images cached.
            w.node_images[i].insert("postgres:16.4".into());
            w.node_images[i].insert("redis:7.4".into());
        }
        for d in 0..w.deployments.len() {
            let uid = w.rng.uid();
            let m = &mut w.deployments[d].metadata;
            m.uid = Some(uid);
            m.creation_timestamp = Some(time(-WARM_UP_MS));
        }
        for s in 0..w.services.len() {
            let uid = w.rng.uid();
            w.services[s].metadata.uid = Some(uid);
            w.services[s].metadata.creation_timestamp = Some(time(-WARM_UP_MS));
        }
        // Configuration came with the databases.
        let made = || Some(time(-WARM_UP_MS));
        w.config_maps
            .iter_mut()
            .for_each(|c| c.metadata.creation_timestamp = made());
        w.secrets
            .iter_mut()
            .for_each(|c| c.metadata.creation_timestamp = made());
        w.network_policies
            .iter_mut()
            .for_each(|c| c.metadata.creation_timestamp = made());
        w.reconcile();
        w.advance(WARM_UP_MS);
        let mut api = api;
        api.metadata.uid = Some(w.rng.uid());
        api.metadata.creation_timestamp = Some(time(0));
        w.deployments.insert(0, api);
        w.reconcile();
        w
    }

    /// The injected fault.
    pub fn fault(&self) -> Fault {
        self.fault
    }

    /// The seed the world was built from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The virtual time now.
    pub fn now(&self) -> DateTime<Utc> {
        time(self.now).0
    }

    /// Milliseconds of virtual time since the api was deployed (the
    /// databases were started five minutes earlier).
    pub fn elapsed_ms(&self) -> i64 {
        self.now
    }

    /// Moves virtual time forward by `ms` (at most [`MAX_ADVANCE_MS`]; a
    /// negative value does nothing), running the kubelet and controllers at
    /// every instant something happens.
    pub fn advance(&mut self, ms: i64) {
        let target = self.now.saturating_add(ms.clamp(0, MAX_ADVANCE_MS));
        // Every step moves time forward or settles a state; the bound is a
        // guard against a modelling bug, not a limit a lab reaches.
        for _ in 0..2_000_000 {
            let next = self
                .pods
                .iter()
                .flat_map(|p| p.containers.iter().filter_map(|c| c.wake).chain(p.gone_at))
                .min();
            match next {
                Some(t) if t <= target => {
                    self.now = self.now.max(t);
                    // The controllers read only which Pods exist and which are
                    // Ready; most wake-ups (back-off events, retries) change neither.
                    if self.step() {
                        self.reconcile();
                    }
                }
                _ => break,
            }
        }
        self.now = target;
        self.reconcile();
    }

    /// Runs every container whose wake-up time has come, and removes Pods
    /// whose deletion finished.
    /// Returns whether a Pod went away or changed readiness.
    fn step(&mut self) -> bool {
        let now = self.now;
        let gone: Vec<usize> = (0..self.pods.len())
            .filter(|&i| self.pods[i].gone_at.is_some_and(|t| t <= now))
            .collect();
        let mut changed = !gone.is_empty();
        for i in gone.into_iter().rev() {
            self.pods.remove(i);
        }
        for p in 0..self.pods.len() {
            for c in 0..self.pods[p].containers.len() {
                if self.pods[p].containers[c].wake.is_some_and(|t| t <= now) {
                    let before = self.pods[p].containers[c].ready;
                    self.container_wake(p, c);
                    changed |= self.pods[p].containers[c].ready != before;
                }
            }
        }
        changed
    }

    fn bump(&mut self) -> String {
        self.resource_version += 1;
        self.resource_version.to_string()
    }

    /// Records an event the way client-go's recorder does: an identical
    /// event (same object, reason, message, source) bumps `count` and
    /// `lastTimestamp` instead of adding a row.
    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        obj: ObjectReference,
        kind: &str,
        reason: &str,
        message: String,
        component: &str,
        host: Option<String>,
        at: i64,
    ) {
        let key = format!(
            "{}/{}/{}/{}/{}/{}",
            obj.kind.as_deref().unwrap_or_default(),
            obj.name.as_deref().unwrap_or_default(),
            obj.field_path.as_deref().unwrap_or_default(),
            reason,
            message,
            component
        );
        if let Some(&i) = self.event_index.get(&key) {
            let e = &mut self.events[i];
            e.count = Some(e.count.unwrap_or(1).saturating_add(1));
            e.last_timestamp = Some(time(at));
            return;
        }
        let name = format!(
            "{}.{:016x}",
            obj.name.as_deref().unwrap_or_default(),
            self.rng.next() >> 4
        );
        let uid = self.rng.uid();
        let rv = self.bump();
        self.events.push(Event {
            metadata: ObjectMeta {
                name: Some(name),
                namespace: Some("default".into()),
                uid: Some(uid),
                resource_version: Some(rv),
                creation_timestamp: Some(time(at)),
                ..Default::default()
            },
            involved_object: obj,
            reason: Some(reason.into()),
            message: Some(message),
            type_: Some(kind.into()),
            count: Some(1),
            first_timestamp: Some(time(at)),
            last_timestamp: Some(time(at)),
            source: Some(EventSource {
                component: Some(component.into()),
                host: host.clone(),
            }),
            reporting_component: Some(component.into()),
            reporting_instance: Some(host.unwrap_or_default()),
            ..Default::default()
        });
        self.event_index.insert(key, self.events.len() - 1);
    }

    fn object_ref(
        kind: &str,
        api: &str,
        meta: &ObjectMeta,
        field: Option<String>,
    ) -> ObjectReference {
        ObjectReference {
            api_version: Some(api.into()),
            kind: Some(kind.into()),
            name: meta.name.clone(),
            namespace: Some("default".into()),
            uid: meta.uid.clone(),
            resource_version: meta.resource_version.clone(),
            field_path: field,
        }
    }

    /// The parts of the world the app and the network read.
    fn view(&self) -> View<'_> {
        View {
            services: &self.services,
            config_maps: &self.config_maps,
            secrets: &self.secrets,
            policies: &self.network_policies,
            pods: self
                .pods
                .iter()
                .map(|p| Peer {
                    namespace: "default",
                    labels: p.labels(),
                    ip: &p.ip,
                    ready: p.ready(),
                    ports: p
                        .spec
                        .containers
                        .iter()
                        .flat_map(|c| c.ports.iter().flatten())
                        .map(|cp| (cp.name.clone().unwrap_or_default(), cp.container_port))
                        .collect(),
                    listens: p.containers.iter().find_map(|c| c.listening(self.now)),
                    serves: app::serves(
                        p.spec
                            .containers
                            .first()
                            .and_then(|c| c.image.as_deref())
                            .unwrap_or_default(),
                    ),
                })
                .collect(),
            details: &self.details,
        }
    }

    // ---- controllers -------------------------------------------------

    /// Runs the deployment and ReplicaSet controllers until they settle.
    fn reconcile(&mut self) {
        for d in 0..self.deployments.len() {
            let dep = &self.deployments[d];
            let key = (
                dep.metadata.uid.clone().unwrap_or_default(),
                dep.metadata.generation.unwrap_or(1),
            );
            if !self.hashes.contains_key(&key) {
                let h = self.compute_template_hash(dep);
                self.hashes.insert(key, h);
            }
        }
        for _ in 0..20 {
            let mut changed = false;
            for d in 0..self.deployments.len() {
                changed |= self.sync_deployment(d);
            }
            for r in 0..self.replica_sets.len() {
                changed |= self.sync_replica_set(r);
            }
            if !changed {
                break;
            }
        }
        self.update_statuses();
    }

    fn template_hash(&self, d: &Deployment) -> String {
        let key = (
            d.metadata.uid.clone().unwrap_or_default(),
            d.metadata.generation.unwrap_or(1),
        );
        match self.hashes.get(&key) {
            Some(h) => h.clone(),
            None => self.compute_template_hash(d),
        }
    }

    fn compute_template_hash(&self, d: &Deployment) -> String {
        let t = d.spec.as_ref().map(|s| &s.template);
        let json = serde_json::to_string(&t).unwrap_or_default();
        let mut bytes = json.into_bytes();
        bytes.extend_from_slice(&self.seed.to_le_bytes());
        fnv32a(&bytes)
            .to_string()
            .bytes()
            .map(|b| scenario::SAFE[b as usize % scenario::SAFE.len()] as char)
            .collect()
    }

    fn rs_counts(&self, r: usize) -> RsCounts {
        let uid = self.replica_sets[r].metadata.uid.as_deref();
        let available = self
            .pods
            .iter()
            .filter(|p| p.owner() == uid && p.ready())
            .count() as i64;
        RsCounts {
            spec: self.replica_sets[r]
                .spec
                .as_ref()
                .and_then(|s| s.replicas)
                .unwrap_or(0) as i64,
            available,
        }
    }

    fn set_rs_replicas(&mut self, r: usize, n: i64, dep: usize) {
        let old = self.rs_counts(r).spec;
        if old == n {
            return;
        }
        if let Some(s) = self.replica_sets[r].spec.as_mut() {
            s.replicas = Some(n.clamp(0, i32::MAX as i64) as i32);
        }
        let rs_name = self.replica_sets[r]
            .metadata
            .name
            .clone()
            .unwrap_or_default();
        let verb = if n > old { "up" } else { "down" };
        let obj = Self::object_ref(
            "Deployment",
            "apps/v1",
            &self.deployments[dep].metadata,
            None,
        );
        self.record(
            obj,
            "Normal",
            "ScalingReplicaSet",
            format!("Scaled {verb} replica set {rs_name} from {old} to {n}"),
            "deployment-controller",
            None,
            self.now,
        );
    }

    fn sync_deployment(&mut self, d: usize) -> bool {
        let dep = self.deployments[d].clone();
        let Some(spec) = dep.spec.clone() else {
            return false;
        };
        let duid = dep.metadata.uid.clone().unwrap_or_default();
        let hash = self.template_hash(&dep);
        let owned: Vec<usize> = (0..self.replica_sets.len())
            .filter(|&r| {
                self.replica_sets[r]
                    .metadata
                    .owner_references
                    .iter()
                    .flatten()
                    .any(|o| o.uid == duid)
            })
            .collect();
        let revision = |rs: &ReplicaSet| -> i64 {
            rs.metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("deployment.kubernetes.io/revision"))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        let max_rev = owned
            .iter()
            .map(|&r| revision(&self.replica_sets[r]))
            .max()
            .unwrap_or(0);
        let new = owned.iter().copied().find(|&r| {
            self.replica_sets[r]
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("pod-template-hash"))
                == Some(&hash)
        });
        let mut changed = false;
        let new = match new {
            Some(r) => {
                if revision(&self.replica_sets[r]) < max_rev {
                    // A rollback or a return to an old template takes the next revision.
                    self.replica_sets[r]
                        .metadata
                        .annotations
                        .get_or_insert_with(BTreeMap::new)
                        .insert(
                            "deployment.kubernetes.io/revision".into(),
                            (max_rev + 1).to_string(),
                        );
                    changed = true;
                }
                r
            }
            None => {
                let name = format!(
                    "{}-{hash}",
                    dep.metadata.name.as_deref().unwrap_or_default()
                );
                let mut template = spec.template.clone();
                template
                    .metadata
                    .get_or_insert_with(Default::default)
                    .labels
                    .get_or_insert_with(BTreeMap::new)
                    .insert("pod-template-hash".into(), hash.clone());
                let mut selector = spec.selector.clone();
                selector
                    .match_labels
                    .get_or_insert_with(BTreeMap::new)
                    .insert("pod-template-hash".into(), hash.clone());
                let mut labels = template
                    .metadata
                    .as_ref()
                    .and_then(|m| m.labels.clone())
                    .unwrap_or_default();
                labels.insert("pod-template-hash".into(), hash.clone());
                let uid = self.rng.uid();
                let rs = ReplicaSet {
                    metadata: ObjectMeta {
                        name: Some(name),
                        namespace: Some("default".into()),
                        uid: Some(uid),
                        labels: Some(labels),
                        creation_timestamp: Some(time(self.now)),
                        annotations: Some(BTreeMap::from([
                            (
                                "deployment.kubernetes.io/revision".to_string(),
                                (max_rev + 1).to_string(),
                            ),
                            (
                                "deployment.kubernetes.io/desired-replicas".to_string(),
                                spec.replicas.unwrap_or(1).to_string(),
                            ),
                        ])),
                        owner_references: Some(vec![OwnerReference {
                            api_version: "apps/v1".into(),
                            kind: "Deployment".into(),
                            name: dep.metadata.name.clone().unwrap_or_default(),
                            uid: duid.clone(),
                            controller: Some(true),
                            block_owner_deletion: Some(true),
                        }]),
                        ..Default::default()
                    },
                    spec: Some(k8s_openapi::api::apps::v1::ReplicaSetSpec {
                        replicas: Some(0),
                        selector,
                        template: Some(template),
                        min_ready_seconds: spec.min_ready_seconds,
                    }),
                    status: None,
                };
                self.replica_sets.push(rs);
                changed = true;
                self.replica_sets.len() - 1
            }
        };
        let strategy = spec.strategy.clone().unwrap_or_default();
        let recreate = strategy.type_.as_deref() == Some("Recreate");
        let ru = strategy.rolling_update.unwrap_or_default();
        let params = DeploymentParams {
            replicas: spec.replicas.unwrap_or(1) as i64,
            strategy: if recreate {
                StrategyKind::Recreate
            } else {
                StrategyKind::RollingUpdate
            },
            max_surge: Some(ru.max_surge.unwrap_or(IntOrString::String("25%".into()))),
            max_unavailable: Some(
                ru.max_unavailable
                    .unwrap_or(IntOrString::String("25%".into())),
            ),
        };
        let mut old: Vec<usize> = owned.into_iter().filter(|&r| r != new).collect();
        old.sort_by_key(|&r| revision(&self.replica_sets[r]));
        let old_counts: Vec<RsCounts> = old.iter().map(|&r| self.rs_counts(r)).collect();
        let new_counts = self.rs_counts(new);
        if recreate {
            if old_counts.iter().any(|c| c.spec > 0) {
                for &r in &old {
                    self.set_rs_replicas(r, 0, d);
                }
                return true;
            }
            let old_uids: Vec<Option<String>> = old
                .iter()
                .map(|&r| self.replica_sets[r].metadata.uid.clone())
                .collect();
            if self
                .pods
                .iter()
                .any(|p| old_uids.iter().any(|u| u.as_deref() == p.owner()))
            {
                return changed;
            }
            if new_counts.spec != params.replicas {
                self.set_rs_replicas(new, params.replicas, d);
                return true;
            }
            return changed;
        }
        let total: i64 = old_counts.iter().map(|c| c.spec).sum::<i64>() + new_counts.spec;
        if let Some(n) = controller::reconcile_new(&params, total, new_counts.spec) {
            self.set_rs_replicas(new, n, d);
            changed = true;
        }
        let new_counts = self.rs_counts(new);
        if let Some(sizes) = controller::reconcile_old(&params, &old_counts, &new_counts) {
            for (&r, n) in old.iter().zip(sizes) {
                self.set_rs_replicas(r, n, d);
            }
            changed = true;
        }
        changed
    }

    fn sync_replica_set(&mut self, r: usize) -> bool {
        let rs = self.replica_sets[r].clone();
        let uid = rs.metadata.uid.clone().unwrap_or_default();
        let Some(spec) = rs.spec.clone() else {
            return false;
        };
        let mut changed = false;
        // Pods relabelled out of the selector are released (orphaned).
        for p in &mut self.pods {
            if p.owner() == Some(uid.as_str()) && !app::selector_matches(&spec.selector, p.labels())
            {
                p.meta.owner_references = None;
                changed = true;
            }
        }
        let active: Vec<usize> = (0..self.pods.len())
            .filter(|&i| {
                self.pods[i].owner() == Some(uid.as_str()) && self.pods[i].deleting.is_none()
            })
            .collect();
        let want = spec.replicas.unwrap_or(1).max(0) as usize;
        if active.len() < want {
            for _ in active.len()..want {
                self.create_pod(r);
            }
            changed = true;
        } else if active.len() > want {
            // Not-ready Pods go first, then the youngest (the controller's ranking, shortened).
            let mut rank = active.clone();
            rank.sort_by_key(|&i| {
                (
                    self.pods[i].ready(),
                    std::cmp::Reverse(self.pods[i].created),
                )
            });
            let doomed: Vec<String> = rank[..active.len() - want]
                .iter()
                .map(|&i| self.pods[i].name().to_string())
                .collect();
            for name in doomed {
                self.delete_pod(&name, Some(&rs));
            }
            changed = true;
        }
        changed
    }

    fn create_pod(&mut self, r: usize) {
        let rs = &self.replica_sets[r];
        let rs_name = rs.metadata.name.clone().unwrap_or_default();
        let template = rs
            .spec
            .as_ref()
            .and_then(|s| s.template.clone())
            .unwrap_or_default();
        let owner = OwnerReference {
            api_version: "apps/v1".into(),
            kind: "ReplicaSet".into(),
            name: rs_name.clone(),
            uid: rs.metadata.uid.clone().unwrap_or_default(),
            controller: Some(true),
            block_owner_deletion: Some(true),
        };
        let rs_meta = rs.metadata.clone();
        let name = loop {
            let n = format!("{rs_name}-{}", self.rng.suffix(5));
            if !self.pods.iter().any(|p| p.name() == n) {
                break n;
            }
        };
        // The scheduler spreads: fewest Pods first, ties broken by the seed.
        let mut load = vec![0usize; self.nodes.len()];
        for p in self.pods.iter().filter(|p| p.deleting.is_none()) {
            load[p.node] += 1;
        }
        let least = *load.iter().min().unwrap_or(&0);
        let candidates: Vec<usize> = (0..load.len()).filter(|&i| load[i] == least).collect();
        let node = candidates[self.rng.below(candidates.len() as u64) as usize];
        let ip = format!("10.244.{}.{}", node + 1, self.next_ip[node]);
        self.next_ip[node] = if self.next_ip[node] >= 254 {
            2
        } else {
            self.next_ip[node] + 1
        };
        let uid = self.rng.uid();
        let rv = self.bump();
        let meta = ObjectMeta {
            name: Some(name.clone()),
            generate_name: Some(format!("{rs_name}-")),
            namespace: Some("default".into()),
            uid: Some(uid),
            resource_version: Some(rv),
            labels: template.metadata.as_ref().and_then(|m| m.labels.clone()),
            annotations: template
                .metadata
                .as_ref()
                .and_then(|m| m.annotations.clone()),
            creation_timestamp: Some(time(self.now)),
            owner_references: Some(vec![owner]),
            ..Default::default()
        };
        let mut spec = template.spec.unwrap_or_default();
        let node_name = self.nodes[node].metadata.name.clone().unwrap_or_default();
        spec.node_name = Some(node_name.clone());
        let pull_ms = 1_500 + self.rng.below(3_000) as i64;
        let containers = spec
            .containers
            .iter()
            .map(|c| Ctr::new(c, self.now + 1_000, pull_ms))
            .collect();
        let sim = PodSim {
            meta: meta.clone(),
            spec,
            node,
            ip,
            created: self.now,
            deleting: None,
            gone_at: None,
            containers,
        };
        self.pods.push(sim);
        self.record(
            Self::object_ref("ReplicaSet", "apps/v1", &rs_meta, None),
            "Normal",
            "SuccessfulCreate",
            format!("Created pod: {name}"),
            "replicaset-controller",
            None,
            self.now,
        );
        self.record(
            Self::object_ref("Pod", "v1", &meta, None),
            "Normal",
            "Scheduled",
            format!("Successfully assigned default/{name} to {node_name}"),
            "default-scheduler",
            None,
            self.now,
        );
    }

    /// Starts a Pod's graceful deletion.
    fn delete_pod(&mut self, name: &str, by: Option<&ReplicaSet>) {
        let Some(i) = self.pods.iter().position(|p| p.name() == name) else {
            return;
        };
        if self.pods[i].deleting.is_some() {
            return;
        }
        let now = self.now;
        self.pods[i].deleting = Some(now);
        self.pods[i].meta.deletion_timestamp = Some(time(now));
        let grace = self.pods[i]
            .spec
            .termination_grace_period_seconds
            .unwrap_or(30)
            .max(0)
            * 1000;
        let mut gone = now;
        let meta = self.pods[i].meta.clone();
        let host = self.pods[i].spec.node_name.clone();
        for c in 0..self.pods[i].containers.len() {
            let cname = self.pods[i].spec.containers[c].name.clone();
            let image = self.pods[i].spec.containers[c]
                .image
                .clone()
                .unwrap_or_default();
            if let Some(end) = self.pods[i].containers[c].stop(now, grace, &image) {
                gone = gone.max(end);
                self.record(
                    Self::object_ref(
                        "Pod",
                        "v1",
                        &meta,
                        Some(format!("spec.containers{{{cname}}}")),
                    ),
                    "Normal",
                    "Killing",
                    format!("Stopping container {cname}"),
                    "kubelet",
                    host.clone(),
                    now,
                );
            }
        }
        self.pods[i].gone_at = Some(gone);
        if let Some(rs) = by {
            self.record(
                Self::object_ref("ReplicaSet", "apps/v1", &rs.metadata, None),
                "Normal",
                "SuccessfulDelete",
                format!("Deleted pod: {name}"),
                "replicaset-controller",
                None,
                now,
            );
        }
    }

    fn update_statuses(&mut self) {
        for r in 0..self.replica_sets.len() {
            let uid = self.replica_sets[r].metadata.uid.clone();
            let owned: Vec<&PodSim> = self
                .pods
                .iter()
                .filter(|p| p.owner() == uid.as_deref() && p.deleting.is_none())
                .collect();
            let ready = owned.iter().filter(|p| p.ready()).count() as i32;
            self.replica_sets[r].status = Some(ReplicaSetStatus {
                replicas: owned.len() as i32,
                fully_labeled_replicas: Some(owned.len() as i32),
                ready_replicas: Some(ready),
                available_replicas: Some(ready),
                observed_generation: Some(1),
                ..Default::default()
            });
        }
        for d in 0..self.deployments.len() {
            let dep = &self.deployments[d];
            let duid = dep.metadata.uid.clone().unwrap_or_default();
            let hash = self.template_hash(dep);
            let mut replicas = 0;
            let mut updated = 0;
            let mut ready = 0;
            let mut revision = None;
            for rs in self.replica_sets.iter().filter(|rs| {
                rs.metadata
                    .owner_references
                    .iter()
                    .flatten()
                    .any(|o| o.uid == duid)
            }) {
                let st = rs.status.clone().unwrap_or_default();
                replicas += st.replicas;
                ready += st.ready_replicas.unwrap_or(0);
                if rs
                    .metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get("pod-template-hash"))
                    == Some(&hash)
                {
                    updated += st.replicas;
                    revision = rs
                        .metadata
                        .annotations
                        .as_ref()
                        .and_then(|a| a.get("deployment.kubernetes.io/revision"))
                        .cloned();
                }
            }
            let want = dep.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
            let generation = dep.metadata.generation;
            let dm = &mut self.deployments[d];
            if let Some(rev) = revision {
                dm.metadata
                    .annotations
                    .get_or_insert_with(BTreeMap::new)
                    .insert("deployment.kubernetes.io/revision".into(), rev);
            }
            dm.status = Some(DeploymentStatus {
                replicas: Some(replicas),
                updated_replicas: Some(updated),
                ready_replicas: Some(ready),
                available_replicas: Some(ready),
                unavailable_replicas: Some((want - ready).max(0)),
                observed_generation: generation,
                ..Default::default()
            });
        }
    }

    // ---- the kubelet -------------------------------------------------

    fn container_wake(&mut self, p: usize, c: usize) {
        let plan = {
            let pod = &self.pods[p];
            let container = &pod.spec.containers[c];
            let needs_start = self.pods[p].containers[c].wants_start(self.now);
            if needs_start {
                let view = self.view();
                Some(kubelet::plan_start(
                    container,
                    pod.labels(),
                    &pod.ip,
                    &view,
                    &self.node_images[pod.node],
                ))
            } else {
                None
            }
        };
        let pod = &mut self.pods[p];
        let node = pod.node;
        let spec = pod.spec.containers[c].clone();
        let name = pod.meta.name.clone().unwrap_or_default();
        let uid = pod.meta.uid.clone().unwrap_or_default();
        let ip = pod.ip.clone();
        let grace = pod
            .spec
            .termination_grace_period_seconds
            .unwrap_or(30)
            .max(0)
            * 1000;
        let mut out = Vec::new();
        pod.containers[c].wake(
            self.now,
            &spec,
            &name,
            &uid,
            &ip,
            plan,
            grace,
            &mut self.rng,
            &mut out,
        );
        let meta = self.pods[p].meta.clone();
        let host = self.pods[p].spec.node_name.clone();
        for ev in out {
            match ev {
                kubelet::Out::Event {
                    at,
                    kind,
                    reason,
                    message,
                } => {
                    let field = Some(format!("spec.containers{{{}}}", spec.name));
                    self.record(
                        Self::object_ref("Pod", "v1", &meta, field),
                        kind,
                        reason,
                        message,
                        "kubelet",
                        host.clone(),
                        at,
                    );
                }
                kubelet::Out::Pulled(image) => {
                    self.node_images[node].insert(image);
                }
            }
        }
    }
}

mod judge;
mod view;
