//! What the world shows and accepts: objects as k8s-openapi types (Pods with
//! their kubelet-written status, Endpoints computed from selectors and
//! readiness, Events oldest first), container logs, and [`Change`]s checked
//! the way the API server checks them. Not the simulation itself.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{
    ConfigMap, ContainerState, ContainerStateRunning, ContainerStateTerminated,
    ContainerStateWaiting, ContainerStatus, EndpointAddress, EndpointPort, EndpointSubset,
    Endpoints, Event, Node, ObjectReference, Pod, PodCondition, PodIP, PodStatus, Secret, Service,
};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::kubelet::{Instance, St};
use super::{app, secret_normalize, time, Change, Kind, LabError, PodSim, Reach, World};
use crate::manifest::Object;

/// The most replicas a lab Deployment may ask for (3 nodes, small).
const MAX_REPLICAS: i32 = 100;

fn terminated(i: &Instance) -> ContainerStateTerminated {
    let (code, reason) = i.exit.unwrap_or((0, "Completed"));
    ContainerStateTerminated {
        container_id: Some(i.id.clone()),
        exit_code: code,
        reason: Some(reason.into()),
        started_at: Some(time(i.started)),
        finished_at: i.finished.map(time),
        ..Default::default()
    }
}

/// Go's `time.Duration` text for whole seconds: `10s`, `1m20s`, `5m0s`.
fn go_duration(ms: i64) -> String {
    let s = ms / 1000;
    if s < 60 {
        format!("{s}s")
    } else {
        format!("{}m{}s", s / 60, s % 60)
    }
}

fn waiting(reason: &str, message: Option<String>) -> ContainerState {
    ContainerState {
        waiting: Some(ContainerStateWaiting {
            reason: Some(reason.into()),
            message,
        }),
        ..Default::default()
    }
}

impl World {
    fn render_pod(&self, p: &PodSim) -> Pod {
        let mut statuses = Vec::new();
        for (c, spec) in p.containers.iter().zip(&p.spec.containers) {
            let name = &spec.name;
            let state = match &c.state {
                St::Creating | St::Pulling => waiting("ContainerCreating", None),
                St::PullFailed { reason, message } => waiting(reason, Some(message.clone())),
                St::ConfigError { message } => {
                    waiting("CreateContainerConfigError", Some(message.clone()))
                }
                St::BackOff { backoff, .. } if *backoff > 0 => waiting(
                    "CrashLoopBackOff",
                    Some(format!(
                        "back-off {} restarting failed container={name} pod={}_default({})",
                        go_duration(*backoff),
                        p.name(),
                        p.meta.uid.as_deref().unwrap_or_default()
                    )),
                ),
                St::BackOff { .. } => waiting("ContainerCreating", None),
                St::Running { .. } | St::Stopping { .. } => ContainerState {
                    running: c.current.as_ref().map(|i| ContainerStateRunning {
                        started_at: Some(time(i.started)),
                    }),
                    ..Default::default()
                },
                St::Exited => ContainerState {
                    terminated: c.last.as_ref().map(terminated),
                    ..Default::default()
                },
            };
            let running = state.running.is_some();
            statuses.push(ContainerStatus {
                name: name.clone(),
                image: spec.image.clone().unwrap_or_default(),
                image_id: if c.ever_started {
                    format!(
                        "{}@sha256:4b1e0c2f{:056x}",
                        spec.image.clone().unwrap_or_default(),
                        0
                    )
                } else {
                    String::new()
                },
                container_id: c.current.as_ref().or(c.last.as_ref()).map(|i| i.id.clone()),
                ready: c.ready,
                restart_count: c.restarts,
                started: Some(running),
                state: Some(state),
                last_state: Some(ContainerState {
                    terminated: match &c.state {
                        St::Exited => None,
                        _ => c.last.as_ref().map(terminated),
                    },
                    ..Default::default()
                }),
                ..Default::default()
            });
        }
        let ready = p.ready();
        let started = p.containers.iter().any(|c| c.ever_started);
        let cond = |t: &str, ok: bool, reason: Option<&str>| PodCondition {
            type_: t.into(),
            status: if ok { "True" } else { "False" }.into(),
            reason: reason.map(str::to_string),
            last_transition_time: Some(time(p.created)),
            ..Default::default()
        };
        let not_ready = (!ready).then_some("ContainersNotReady");
        Pod {
            metadata: p.meta.clone(),
            spec: Some(p.spec.clone()),
            status: Some(PodStatus {
                phase: Some(if started { "Running" } else { "Pending" }.into()),
                host_ip: self.nodes[p.node]
                    .status
                    .as_ref()
                    .and_then(|s| s.addresses.as_ref())
                    .and_then(|a| a.first())
                    .map(|a| a.address.clone()),
                pod_ip: Some(p.ip.clone()),
                pod_ips: Some(vec![PodIP { ip: p.ip.clone() }]),
                start_time: Some(time(p.created)),
                qos_class: Some("Burstable".into()),
                conditions: Some(vec![
                    cond("PodReadyToStartContainers", true, None),
                    cond("Initialized", true, None),
                    cond("Ready", ready, not_ready),
                    cond("ContainersReady", ready, not_ready),
                    cond("PodScheduled", true, None),
                ]),
                container_statuses: Some(statuses),
                ..Default::default()
            }),
        }
    }

    /// The Pods, oldest first, with their status as the kubelet reports it.
    pub fn pods(&self) -> Vec<Pod> {
        self.pods.iter().map(|p| self.render_pod(p)).collect()
    }

    /// One Pod by name.
    pub fn pod(&self, name: &str) -> Result<Pod, LabError> {
        self.pods
            .iter()
            .find(|p| p.name() == name)
            .map(|p| self.render_pod(p))
            .ok_or_else(|| LabError::NotFound {
                kind: "pods",
                name: name.into(),
            })
    }

    /// The three nodes.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The Deployments (`api`, `postgres`, `redis` unless deleted).
    pub fn deployments(&self) -> &[Deployment] {
        &self.deployments
    }

    /// The ReplicaSets, oldest first.
    pub fn replica_sets(&self) -> &[ReplicaSet] {
        &self.replica_sets
    }

    /// The Services.
    pub fn services(&self) -> &[Service] {
        &self.services
    }

    /// The ConfigMaps.
    pub fn config_maps(&self) -> &[ConfigMap] {
        &self.config_maps
    }

    /// The Secrets (values in `data`; `stringData` is folded in on write).
    pub fn secrets(&self) -> &[Secret] {
        &self.secrets
    }

    /// The NetworkPolicies.
    pub fn network_policies(&self) -> &[NetworkPolicy] {
        &self.network_policies
    }

    /// Events, oldest `lastTimestamp` first (as `kubectl get events --sort-by=.lastTimestamp`).
    pub fn events(&self) -> Vec<Event> {
        let mut e = self.events.clone();
        e.sort_by(|a, b| a.last_timestamp.cmp(&b.last_timestamp));
        e
    }

    /// Each Service's Endpoints: ready Pods its selector matches in
    /// `addresses`, the others in `notReadyAddresses`; no subsets when none match.
    pub fn endpoints(&self) -> Vec<Endpoints> {
        self.services
            .iter()
            .map(|s| {
                let pods: Vec<&PodSim> = self
                    .pods
                    .iter()
                    .filter(|p| p.deleting.is_none() && app::service_selects(s, p.labels()))
                    .collect();
                let address = |p: &&PodSim| EndpointAddress {
                    ip: p.ip.clone(),
                    node_name: p.spec.node_name.clone(),
                    target_ref: Some(ObjectReference {
                        kind: Some("Pod".into()),
                        name: p.meta.name.clone(),
                        namespace: Some("default".into()),
                        uid: p.meta.uid.clone(),
                        ..Default::default()
                    }),
                    ..Default::default()
                };
                let ready: Vec<EndpointAddress> =
                    pods.iter().filter(|p| p.ready()).map(address).collect();
                let not_ready: Vec<EndpointAddress> =
                    pods.iter().filter(|p| !p.ready()).map(address).collect();
                let ports = s
                    .spec
                    .as_ref()
                    .and_then(|sp| sp.ports.clone())
                    .unwrap_or_default()
                    .into_iter()
                    .map(|sp| {
                        let port = match &sp.target_port {
                            None => sp.port,
                            Some(IntOrString::Int(n)) => *n,
                            Some(IntOrString::String(name)) => pods
                                .iter()
                                .flat_map(|p| {
                                    p.spec
                                        .containers
                                        .iter()
                                        .flat_map(|c| c.ports.iter().flatten())
                                })
                                .find(|cp| cp.name.as_deref() == Some(name.as_str()))
                                .map_or(sp.port, |cp| cp.container_port),
                        };
                        EndpointPort {
                            name: sp.name.clone(),
                            port,
                            protocol: sp.protocol.clone(),
                            ..Default::default()
                        }
                    })
                    .collect();
                let subsets = (!pods.is_empty()).then(|| {
                    vec![EndpointSubset {
                        addresses: (!ready.is_empty()).then_some(ready),
                        not_ready_addresses: (!not_ready.is_empty()).then_some(not_ready),
                        ports: Some(ports),
                    }]
                });
                Endpoints {
                    metadata: ObjectMeta {
                        name: s.metadata.name.clone(),
                        namespace: Some("default".into()),
                        labels: s.metadata.labels.clone(),
                        creation_timestamp: s.metadata.creation_timestamp.clone(),
                        ..Default::default()
                    },
                    subsets,
                }
            })
            .collect()
    }

    /// A container's log lines up to now. `container` defaults to the Pod's
    /// first; `previous` reads the last terminated instance (`--previous`).
    /// While the container waits in CrashLoopBackOff, the plain form shows
    /// the instance that just ended, as the kubelet does.
    pub fn logs(
        &self,
        pod: &str,
        container: Option<&str>,
        previous: bool,
    ) -> Result<Vec<String>, LabError> {
        let p = self
            .pods
            .iter()
            .find(|p| p.name() == pod)
            .ok_or_else(|| LabError::NotFound {
                kind: "pods",
                name: pod.into(),
            })?;
        let idx = match container {
            None => 0,
            Some(c) => p
                .spec
                .containers
                .iter()
                .position(|s| s.name == c)
                .ok_or_else(|| {
                    LabError::Invalid(format!("container {c} is not valid for pod {pod}"))
                })?,
        };
        let name = p.spec.containers[idx].name.clone();
        let c = &p.containers[idx];
        let inst = if previous {
            c.last.as_ref().ok_or_else(|| LabError::NoPrevious {
                container: name.clone(),
                pod: pod.into(),
            })?
        } else {
            match c.current.as_ref().or(c.last.as_ref()) {
                Some(i) => i,
                None => {
                    let reason = match &c.state {
                        St::PullFailed { reason, .. } => reason.to_string(),
                        St::ConfigError { .. } => "CreateContainerConfigError".into(),
                        _ => "ContainerCreating".into(),
                    };
                    return Err(LabError::WaitingToStart {
                        container: name,
                        pod: pod.into(),
                        reason,
                    });
                }
            }
        };
        Ok(inst
            .lines
            .iter()
            .filter(|(t, _)| *t <= self.now)
            .map(|(_, l)| l.clone())
            .collect())
    }

    /// Cluster DNS for a debug Pod in `default`: the ClusterIP a Service
    /// name (short, `.default`, `.default.svc`, `.default.svc.cluster.local`) resolves to.
    pub fn nslookup(&self, name: &str) -> Option<String> {
        let view = self.view();
        app::resolve(name.trim_end_matches('.'), &view).map(|(_, ip)| ip)
    }

    /// A TCP connection from a Pod with `labels` in `default` (a debug Pod
    /// has `run: debug`) to `host:port`, through DNS, the Service, its
    /// endpoints and NetworkPolicies: what `nc -zv` and `wget` would see.
    pub fn reach(&self, labels: &BTreeMap<String, String>, host: &str, port: i32) -> Reach {
        let view = self.view();
        match app::connect(&view, labels, host, port) {
            app::Conn::NotFound => Reach::UnknownHost,
            app::Conn::DnsBlocked => Reach::DnsTimeout,
            app::Conn::Refused(a) => Reach::Refused(a),
            app::Conn::Timeout(a) => Reach::TimedOut(a),
            app::Conn::Open(_) => Reach::Open,
        }
    }

    /// Applies a change as the API server would, then lets the controllers
    /// react (no time passes).
    pub fn apply(&mut self, change: Change) -> Result<(), LabError> {
        match change {
            Change::Apply(obj) => self.apply_object(obj)?,
            Change::LabelPod { name, labels } => {
                let p = self
                    .pods
                    .iter_mut()
                    .find(|p| p.name() == name)
                    .ok_or(LabError::NotFound { kind: "pods", name })?;
                p.meta.labels = Some(labels);
            }
            Change::Delete { kind, name } => self.delete(kind, &name)?,
            Change::RolloutRestart { deployment } => {
                let stamp = self
                    .now()
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                let d = self
                    .deployments
                    .iter_mut()
                    .find(|d| d.metadata.name.as_deref() == Some(deployment.as_str()))
                    .ok_or(LabError::NotFound {
                        kind: "deployments.apps",
                        name: deployment,
                    })?;
                if let Some(spec) = d.spec.as_mut() {
                    spec.template
                        .metadata
                        .get_or_insert_with(Default::default)
                        .annotations
                        .get_or_insert_with(BTreeMap::new)
                        .insert("kubectl.kubernetes.io/restartedAt".into(), stamp);
                }
                d.metadata.generation = Some(d.metadata.generation.unwrap_or(1) + 1);
            }
        }
        self.reconcile();
        Ok(())
    }

    fn delete(&mut self, kind: Kind, name: &str) -> Result<(), LabError> {
        let missing = || LabError::NotFound {
            kind: kind.plural(),
            name: name.into(),
        };
        fn remove<T>(v: &mut Vec<T>, name: &str, meta: impl Fn(&T) -> &ObjectMeta) -> bool {
            let before = v.len();
            v.retain(|o| meta(o).name.as_deref() != Some(name));
            v.len() != before
        }
        let found = match kind {
            Kind::Pod => {
                if !self
                    .pods
                    .iter()
                    .any(|p| p.name() == name && p.deleting.is_none())
                {
                    return Err(missing());
                }
                self.delete_pod(name, None);
                true
            }
            Kind::Deployment | Kind::ReplicaSet => {
                let uid = match kind {
                    Kind::Deployment => self
                        .deployments
                        .iter()
                        .find(|d| d.metadata.name.as_deref() == Some(name))
                        .and_then(|d| d.metadata.uid.clone()),
                    _ => self
                        .replica_sets
                        .iter()
                        .find(|d| d.metadata.name.as_deref() == Some(name))
                        .and_then(|d| d.metadata.uid.clone()),
                };
                let Some(uid) = uid else {
                    return Err(missing());
                };
                let mut rs_uids = vec![uid.clone()];
                if kind == Kind::Deployment {
                    remove(&mut self.deployments, name, |d| &d.metadata);
                    rs_uids.extend(
                        self.replica_sets
                            .iter()
                            .filter(|r| {
                                r.metadata
                                    .owner_references
                                    .iter()
                                    .flatten()
                                    .any(|o| o.uid == uid)
                            })
                            .filter_map(|r| r.metadata.uid.clone()),
                    );
                }
                self.replica_sets.retain(|r| {
                    !rs_uids.contains(r.metadata.uid.as_ref().unwrap_or(&String::new()))
                });
                let doomed: Vec<String> = self
                    .pods
                    .iter()
                    .filter(|p| p.owner().is_some_and(|o| rs_uids.iter().any(|u| u == o)))
                    .map(|p| p.name().to_string())
                    .collect();
                for n in doomed {
                    self.delete_pod(&n, None);
                }
                true
            }
            Kind::Service => remove(&mut self.services, name, |o| &o.metadata),
            Kind::ConfigMap => remove(&mut self.config_maps, name, |o| &o.metadata),
            Kind::Secret => remove(&mut self.secrets, name, |o| &o.metadata),
            Kind::NetworkPolicy => remove(&mut self.network_policies, name, |o| &o.metadata),
        };
        if found {
            Ok(())
        } else {
            Err(missing())
        }
    }

    fn apply_object(&mut self, obj: Object) -> Result<(), LabError> {
        fn check_ns(meta: &ObjectMeta) -> Result<String, LabError> {
            if let Some(ns) = meta.namespace.as_deref() {
                if ns != "default" {
                    return Err(LabError::Invalid(format!("namespaces \"{ns}\" not found")));
                }
            }
            meta.name
                .clone()
                .filter(|n| !n.is_empty())
                .ok_or_else(|| LabError::Invalid("resource name may not be empty".into()))
        }
        fn upsert<T>(
            v: &mut Vec<T>,
            name: &str,
            mut obj: T,
            meta: impl Fn(&mut T) -> &mut ObjectMeta,
            uid: String,
            now: i64,
        ) {
            let existing = v
                .iter_mut()
                .position(|o| meta(o).name.as_deref() == Some(name));
            let m = meta(&mut obj);
            m.namespace = Some("default".into());
            match existing {
                Some(i) => {
                    let old = meta(&mut v[i]).clone();
                    let m = meta(&mut obj);
                    m.uid = old.uid;
                    m.creation_timestamp = old.creation_timestamp;
                    v[i] = obj;
                }
                None => {
                    m.uid = Some(uid);
                    m.creation_timestamp = Some(time(now));
                    v.push(obj);
                }
            }
        }
        let uid = self.rng.uid();
        let now = self.now;
        match obj {
            Object::Deployment(d) => {
                let mut d = *d;
                let name = check_ns(&d.metadata)?;
                let spec = d
                    .spec
                    .as_ref()
                    .ok_or_else(|| LabError::Invalid(format!("Deployment.apps \"{name}\" is invalid: spec: Required value")))?;
                let labels = spec.template.metadata.as_ref().and_then(|m| m.labels.clone()).unwrap_or_default();
                if !app::selector_matches(&spec.selector, &labels) {
                    return Err(LabError::Invalid(format!(
                        "Deployment.apps \"{name}\" is invalid: spec.template.metadata.labels: Invalid value: {labels:?}: `selector` does not match template `labels`"
                    )));
                }
                if let Some(old) = self.deployments.iter().find(|o| o.metadata.name.as_deref() == Some(name.as_str())) {
                    let old_sel = old.spec.as_ref().map(|s| &s.selector);
                    if old_sel != Some(&spec.selector) {
                        return Err(LabError::Invalid(format!(
                            "Deployment.apps \"{name}\" is invalid: spec.selector: Invalid value: field is immutable"
                        )));
                    }
                    let changed = old.spec.as_ref().map(|s| &s.template) != Some(&spec.template)
                        || old.spec.as_ref().and_then(|s| s.replicas) != spec.replicas;
                    d.metadata.generation = Some(old.metadata.generation.unwrap_or(1) + i64::from(changed));
                    // The candidate's annotations (kubectl's last-applied
                    // configuration among them) replace the old ones; those
                    // the deployment controller keeps stay unless given.
                    let mut annotations = d.metadata.annotations.take().unwrap_or_default();
                    for (k, v) in old.metadata.annotations.iter().flatten() {
                        if k.starts_with("deployment.kubernetes.io/") {
                            annotations.entry(k.clone()).or_insert_with(|| v.clone());
                        }
                    }
                    d.metadata.annotations = (!annotations.is_empty()).then_some(annotations);
                    d.status = old.status.clone();
                } else {
                    d.metadata.generation = Some(1);
                }
                if d.spec.as_ref().and_then(|s| s.replicas).is_some_and(|r| r < 0) {
                    return Err(LabError::Invalid(format!(
                        "Deployment.apps \"{name}\" is invalid: spec.replicas: Invalid value: must be greater than or equal to 0"
                    )));
                }
                if d.spec.as_ref().and_then(|s| s.replicas).is_some_and(|r| r > MAX_REPLICAS) {
                    return Err(LabError::Unsupported(format!(
                        "run more than {MAX_REPLICAS} replicas of a Deployment on its 3 nodes (asked for {})",
                        d.spec.as_ref().and_then(|s| s.replicas).unwrap_or_default()
                    )));
                }
                let no_containers = d
                    .spec
                    .as_ref()
                    .and_then(|s| s.template.spec.as_ref())
                    .is_none_or(|p| p.containers.is_empty());
                if no_containers {
                    return Err(LabError::Invalid(format!(
                        "Deployment.apps \"{name}\" is invalid: spec.template.spec.containers: Required value"
                    )));
                }
                upsert(&mut self.deployments, &name, d, |o| &mut o.metadata, uid, now);
            }
            Object::Service(s) => {
                let mut s = *s;
                let name = check_ns(&s.metadata)?;
                let old_ip = self
                    .services
                    .iter()
                    .find(|o| o.metadata.name.as_deref() == Some(name.as_str()))
                    .and_then(|o| o.spec.as_ref().and_then(|sp| sp.cluster_ip.clone()));
                let spec = s.spec.get_or_insert_with(Default::default);
                match (&old_ip, spec.cluster_ip.as_deref()) {
                    (Some(old), Some(new)) if !new.is_empty() && new != old => {
                        return Err(LabError::Invalid(format!(
                            "Service \"{name}\" is invalid: spec.clusterIPs[0]: Invalid value: []string{{\"{new}\"}}: may not change once set"
                        )))
                    }
                    _ => {}
                }
                let ip = old_ip.unwrap_or_else(|| format!("10.96.{}.{}", self.rng.below(250), 2 + self.rng.below(250)));
                spec.cluster_ip = Some(ip.clone());
                spec.cluster_ips = Some(vec![ip]);
                upsert(&mut self.services, &name, s, |o| &mut o.metadata, uid, now);
            }
            Object::ConfigMap(c) => {
                let name = check_ns(&c.metadata)?;
                upsert(&mut self.config_maps, &name, *c, |o| &mut o.metadata, uid, now);
            }
            Object::Secret(s) => {
                let mut s = *s;
                let name = check_ns(&s.metadata)?;
                secret_normalize(&mut s);
                upsert(&mut self.secrets, &name, s, |o| &mut o.metadata, uid, now);
            }
            Object::NetworkPolicy(n) => {
                let name = check_ns(&n.metadata)?;
                upsert(&mut self.network_policies, &name, *n, |o| &mut o.metadata, uid, now);
            }
            other => {
                return Err(LabError::Unsupported(format!(
                    "apply a {} (it changes Deployments, Services, ConfigMaps, Secrets and NetworkPolicies)",
                    other.kind()
                )))
            }
        }
        Ok(())
    }
}
