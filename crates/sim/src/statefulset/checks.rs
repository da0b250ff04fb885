//! Static checks for StatefulSets (`statefulset.*` finding ids): the
//! governing headless Service, per-Pod storage, pod management policy,
//! PodDisruptionBudgets, spreading across nodes, QoS for memory-bound data
//! stores and Redis Cluster's two ports. They accept equivalent correct
//! answers: topologySpreadConstraints as well as anti-affinity, any topology
//! key that spreads over nodes, quantities compared as numbers.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Container, PodSpec, Service};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::identity::{selector_is_empty, selector_matches};
use crate::check::{Finding, Severity};
use crate::manifest::{Document, Object};
use crate::quantity;

/// Images of data stores: they keep state and want one PVC per Pod.
const DATA_STORES: &[&str] = &[
    "redis",
    "valkey",
    "keydb",
    "memcached",
    "postgres",
    "mysql",
    "mariadb",
    "mongo",
    "cassandra",
    "scylla",
    "elasticsearch",
    "opensearch",
    "kafka",
    "zookeeper",
    "etcd",
    "rabbitmq",
    "clickhouse",
    "cockroach",
    "nats",
    "minio",
    "consul",
    "neo4j",
    "influxdb",
    "couchdb",
    "couchbase",
    "solr",
];
/// Images whose working set lives in memory: evicted or OOM-killed first
/// unless their memory is pinned (request == limit).
const MEMORY_BOUND: &[&str] = &[
    "redis",
    "valkey",
    "keydb",
    "memcached",
    "elasticsearch",
    "opensearch",
    "hazelcast",
    "ignite",
];

/// The last path segment of an image without tag or digest: `redis` for
/// `docker.io/bitnami/redis:7.2@sha256:...`.
fn image_base(image: &str) -> String {
    let no_digest = image.split('@').next().unwrap_or(image);
    let last = no_digest.rsplit('/').next().unwrap_or(no_digest);
    last.split(':').next().unwrap_or(last).to_ascii_lowercase()
}

fn is_kind(image: &str, kinds: &[&str]) -> bool {
    let base = image_base(image);
    // Exporters and sidecars named after the store are not the store.
    !base.contains("exporter") && kinds.iter().any(|k| base.starts_with(k))
}

fn is_redis(image: &str) -> bool {
    is_kind(image, &["redis", "valkey", "keydb"])
}

fn namespace(meta_ns: Option<&str>) -> &str {
    meta_ns.unwrap_or("default")
}

fn template_labels(set: &StatefulSet) -> BTreeMap<String, String> {
    set.spec
        .as_ref()
        .and_then(|s| s.template.metadata.as_ref())
        .and_then(|m| m.labels.clone())
        .unwrap_or_default()
}

fn services<'a>(objects: &'a [Object], ns: &str) -> impl Iterator<Item = &'a Service> + 'a {
    let ns = ns.to_string();
    objects.iter().filter_map(move |o| match o {
        Object::Service(s) if namespace(s.metadata.namespace.as_deref()) == ns => Some(&**s),
        _ => None,
    })
}

fn is_headless(svc: &Service) -> bool {
    svc.spec
        .as_ref()
        .and_then(|s| s.cluster_ip.as_deref())
        .is_some_and(|ip| ip == "None")
}

fn service_selects(svc: &Service, labels: &BTreeMap<String, String>) -> bool {
    svc.spec
        .as_ref()
        .and_then(|s| s.selector.as_ref())
        .is_some_and(|sel| !sel.is_empty() && sel.iter().all(|(k, v)| labels.get(k) == Some(v)))
}

/// The set's governing Service name when it is headless and selects the
/// set's Pods: the condition for per-Pod DNS names.
pub(super) fn headless_service<'a>(set: &'a StatefulSet, objects: &[Object]) -> Option<&'a str> {
    let name = set.spec.as_ref()?.service_name.as_deref()?;
    let labels = template_labels(set);
    let ns = namespace(set.metadata.namespace.as_deref());
    services(objects, ns)
        .find(|s| s.metadata.name.as_deref() == Some(name))
        .filter(|s| is_headless(s) && service_selects(s, &labels))
        .map(|_| name)
}

/// Every `statefulset.*` finding about the StatefulSets in `objects`
/// (without file locations; see [`findings_in`]).
pub fn findings(objects: &[Object]) -> Vec<Finding> {
    let mut out = Vec::new();
    for o in objects {
        if let Object::StatefulSet(set) = o {
            check_set(set, objects, &mut out);
        }
    }
    out
}

/// The findings about one StatefulSet (and its Service and PDBs).
pub(super) fn findings_for(set: &StatefulSet, objects: &[Object]) -> Vec<Finding> {
    let mut out = Vec::new();
    check_set(set, objects, &mut out);
    out
}

/// Like [`findings`], locating each finding at the document it is about.
pub fn findings_in(documents: &[Document]) -> Vec<Finding> {
    let objects: Vec<Object> = documents.iter().map(|d| d.object.clone()).collect();
    let mut out = findings(&objects);
    for f in &mut out {
        if let Some(d) = documents.iter().find(|d| d.object.reference() == f.object) {
            f.file = Some(d.file.clone());
            f.line = Some(d.line);
        }
    }
    out
}

struct Out<'a> {
    object: String,
    out: &'a mut Vec<Finding>,
}

impl Out<'_> {
    fn add(
        &mut self,
        id: &str,
        severity: Severity,
        path: &str,
        message: String,
        remediation: String,
    ) {
        self.add_on(
            &self.object.clone(),
            id,
            severity,
            path,
            message,
            remediation,
        );
    }

    fn add_on(
        &mut self,
        object: &str,
        id: &str,
        severity: Severity,
        path: &str,
        message: String,
        remediation: String,
    ) {
        self.out.push(Finding {
            id: id.to_string(),
            severity,
            object: object.to_string(),
            file: None,
            line: None,
            path: (!path.is_empty()).then(|| path.to_string()),
            message,
            remediation,
        });
    }
}

fn check_set(set: &StatefulSet, objects: &[Object], out: &mut Vec<Finding>) {
    let name = set.metadata.name.clone().unwrap_or_default();
    let mut o = Out {
        object: format!("StatefulSet/{name}"),
        out,
    };
    let Some(spec) = set.spec.as_ref() else {
        return;
    };
    let ns = namespace(set.metadata.namespace.as_deref()).to_string();
    let labels = template_labels(set);
    let replicas = i64::from(spec.replicas.unwrap_or(1));
    let pod = spec.template.spec.clone().unwrap_or_default();
    let images: Vec<&str> = pod
        .containers
        .iter()
        .filter_map(|c| c.image.as_deref())
        .collect();
    let data_store = images.iter().any(|i| is_kind(i, DATA_STORES));
    let memory_bound = images.iter().any(|i| is_kind(i, MEMORY_BOUND));
    let redis = images.iter().any(|i| is_redis(i));

    if selector_is_empty(&spec.selector) || !selector_matches(&spec.selector, &labels) {
        o.add(
            "statefulset.selector-mismatch",
            Severity::Error,
            "spec.template.metadata.labels",
            "the selector does not match the Pod template's labels: the API server rejects the StatefulSet".into(),
            "give spec.template.metadata.labels every label of spec.selector.matchLabels (for example `app: <name>`)".into(),
        );
    }

    // The governing Service.
    let svc_name = spec.service_name.as_deref().unwrap_or("");
    let svc = services(objects, &ns).find(|s| s.metadata.name.as_deref() == Some(svc_name));
    if svc_name.is_empty() {
        o.add(
            "statefulset.no-service-name",
            Severity::Warning,
            "spec.serviceName",
            "no serviceName: the Pods get no stable DNS names (<pod>.<service>.<ns>.svc.cluster.local)".into(),
            "create a headless Service (clusterIP: None) selecting the Pods and name it in spec.serviceName".into(),
        );
    } else if let Some(svc) = svc {
        let svc_ref = format!("Service/{svc_name}");
        if !is_headless(svc) {
            o.add_on(
                &svc_ref,
                "statefulset.service-not-headless",
                Severity::Error,
                "spec.clusterIP",
                format!("Service {svc_name} governs StatefulSet {name} but is not headless: Pods get no per-Pod DNS records"),
                "set `clusterIP: None` on the Service (clusterIP is immutable: delete and recreate it)".into(),
            );
        }
        let publishes = svc
            .spec
            .as_ref()
            .and_then(|s| s.publish_not_ready_addresses)
            .unwrap_or(false);
        if redis && is_headless(svc) && !publishes {
            o.add_on(
                &svc_ref,
                "statefulset.service-publish-not-ready",
                Severity::Info,
                "spec.publishNotReadyAddresses",
                format!("Service {svc_name} publishes DNS records only for Ready Pods: cluster peers cannot find each other while forming or recovering"),
                "set `publishNotReadyAddresses: true` on the headless Service".into(),
            );
        }
        if !service_selects(svc, &labels) {
            o.add_on(
                &svc_ref,
                "statefulset.service-selector-mismatch",
                Severity::Error,
                "spec.selector",
                format!("Service {svc_name}'s selector does not match the Pods of StatefulSet {name}: no DNS records for them"),
                "make spec.selector a subset of the StatefulSet's template labels".into(),
            );
        }
    } else {
        o.add(
            "statefulset.service-not-found",
            Severity::Warning,
            "spec.serviceName",
            format!("serviceName {svc_name:?} names no Service in these manifests (namespace {ns})"),
            format!("add a headless Service named {svc_name} (clusterIP: None) whose selector matches the Pod labels"),
        );
    }

    // Storage.
    let claims: Vec<String> = spec
        .volume_claim_templates
        .iter()
        .flatten()
        .filter_map(|c| c.metadata.name.clone())
        .collect();
    if claims.is_empty() {
        o.add(
            "statefulset.no-volume-claim-templates",
            if data_store { Severity::Warning } else { Severity::Info },
            "spec.volumeClaimTemplates",
            "no volumeClaimTemplates: the Pods have no storage of their own, and data is lost when a Pod is replaced".into(),
            "add a volumeClaimTemplate (for example `data`, ReadWriteOnce) and mount it; each Pod gets PVC data-<set>-<ordinal>".into(),
        );
    }
    let volumes: Vec<&str> = pod
        .volumes
        .iter()
        .flatten()
        .map(|v| v.name.as_str())
        .collect();
    for (ci, c) in pod.containers.iter().enumerate() {
        for (mi, m) in c.volume_mounts.iter().flatten().enumerate() {
            if !volumes.contains(&m.name.as_str()) && !claims.contains(&m.name) {
                o.add(
                    "statefulset.volume-mount-unknown",
                    Severity::Error,
                    &format!("spec.template.spec.containers[{ci}].volumeMounts[{mi}].name"),
                    format!(
                        "volumeMount {:?} names neither a volume nor a volumeClaimTemplate",
                        m.name
                    ),
                    "name a volumeClaimTemplate or a volume of the Pod template".into(),
                );
            }
        }
    }

    // Pod management policy.
    if spec.pod_management_policy.as_deref() == Some("Parallel") {
        o.add(
            "statefulset.parallel-no-ordered-startup",
            Severity::Warning,
            "spec.podManagementPolicy",
            "podManagementPolicy Parallel creates and deletes all Pods at once without waiting for readiness: no ordered startup".into(),
            "remove it (the default OrderedReady creates Pod N+1 only when Pod N is Running and Ready)".into(),
        );
        o.add(
            "statefulset.pod-management-policy-immutable",
            Severity::Info,
            "spec.podManagementPolicy",
            "podManagementPolicy is immutable: it cannot be switched to Parallel (or back) after the StatefulSet is created".into(),
            "choose it at creation; changing it means `kubectl delete statefulset --cascade=orphan` and recreating it".into(),
        );
    }

    // PodDisruptionBudget.
    if replicas > 1 {
        let pdbs: Vec<&PodDisruptionBudget> = objects
            .iter()
            .filter_map(|x| match x {
                Object::PodDisruptionBudget(p)
                    if namespace(p.metadata.namespace.as_deref()) == ns
                        && p.spec
                            .as_ref()
                            .and_then(|s| s.selector.as_ref())
                            .is_some_and(|sel| selector_matches(sel, &labels)) =>
                {
                    Some(&**p)
                }
                _ => None,
            })
            .collect();
        if pdbs.is_empty() {
            o.add(
                "statefulset.no-pdb",
                Severity::Warning,
                "",
                "no PodDisruptionBudget selects these Pods: a node drain may evict several at once".into(),
                "add a PodDisruptionBudget with `maxUnavailable: 1` and a selector matching the Pod labels".into(),
            );
        }
        for p in pdbs {
            let pname = p.metadata.name.clone().unwrap_or_default();
            if let Some(why) = pdb_blocks(p, replicas) {
                o.add_on(
                    &format!("PodDisruptionBudget/{pname}"),
                    "statefulset.pdb-never-allows-eviction",
                    Severity::Warning,
                    "spec",
                    format!("{why}: with all {replicas} Pods healthy it allows no eviction, so node drains hang"),
                    "use `maxUnavailable: 1` (or a minAvailable below the replica count)".into(),
                );
            }
        }
    }

    // Spreading across nodes.
    if replicas > 1 {
        match spread(&pod, &labels) {
            Spread::Required => {}
            Spread::Preferred => o.add(
                "statefulset.spread-preferred-only",
                Severity::Info,
                "spec.template.spec.affinity",
                "Pods are spread across nodes only as a preference: the scheduler may still co-locate them".into(),
                "use requiredDuringScheduling pod anti-affinity on kubernetes.io/hostname (needs as many nodes as replicas) or a DoNotSchedule topologySpreadConstraint".into(),
            ),
            Spread::None => o.add(
                "statefulset.no-spread",
                Severity::Warning,
                "spec.template.spec.affinity",
                "nothing spreads the Pods across nodes: one node failure can take several (a primary and its replica) at once".into(),
                "add pod anti-affinity on kubernetes.io/hostname or a topologySpreadConstraint (hostname or zone) selecting the Pod labels".into(),
            ),
        }
    }

    // QoS for memory-bound stores.
    if memory_bound {
        qos(&pod, &mut o);
    }

    // Redis Cluster ports.
    if redis {
        let ports: Vec<i32> = pod
            .containers
            .iter()
            .filter(|c| c.image.as_deref().is_some_and(is_redis))
            .flat_map(|c| c.ports.iter().flatten().map(|p| p.container_port))
            .collect();
        let named: BTreeMap<String, i32> = pod
            .containers
            .iter()
            .flat_map(|c| c.ports.iter().flatten())
            .filter_map(|p| p.name.clone().map(|n| (n, p.container_port)))
            .collect();
        for (port, what) in [(6379, "client"), (16379, "cluster bus")] {
            if !ports.contains(&port) {
                o.add(
                    "statefulset.redis-port-missing",
                    Severity::Warning,
                    "spec.template.spec.containers[].ports",
                    format!("the Redis container does not declare port {port} ({what})"),
                    format!(
                        "add `containerPort: {port}` (named, e.g. `{}`)",
                        if port == 6379 {
                            "client"
                        } else {
                            "cluster-bus"
                        }
                    ),
                );
            }
        }
        if let Some(svc) = svc {
            let svc_ports: Vec<i32> = svc
                .spec
                .as_ref()
                .and_then(|s| s.ports.as_ref())
                .into_iter()
                .flatten()
                .flat_map(|p| {
                    let target = match &p.target_port {
                        Some(IntOrString::Int(i)) => Some(*i),
                        Some(IntOrString::String(n)) => named.get(n).copied(),
                        None => None,
                    };
                    [Some(p.port), target]
                })
                .flatten()
                .collect();
            for (port, what) in [(6379, "client"), (16379, "cluster bus")] {
                if !svc_ports.contains(&port) {
                    o.add_on(
                        &format!("Service/{svc_name}"),
                        "statefulset.redis-port-missing",
                        Severity::Warning,
                        "spec.ports",
                        format!("headless Service {svc_name} has no port {port} ({what})"),
                        format!("add a named port {port} (several ports must each have a name)"),
                    );
                }
            }
        }
    }
}

/// Why a PDB allows no voluntary eviction when every Pod is healthy, as the
/// disruption controller computes it (percentages rounded up).
fn pdb_blocks(p: &PodDisruptionBudget, replicas: i64) -> Option<String> {
    let spec = p.spec.as_ref()?;
    let scaled = |v: &IntOrString| -> Option<i64> {
        match v {
            IntOrString::Int(i) => Some(i64::from(*i)),
            IntOrString::String(s) => {
                let pct: i64 = s.strip_suffix('%')?.trim().parse().ok()?;
                Some((pct * replicas + 99) / 100)
            }
        }
    };
    let show = |v: &IntOrString| match v {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    };
    if let Some(mu) = &spec.max_unavailable {
        let allowed = scaled(mu)?;
        return (allowed <= 0).then(|| format!("maxUnavailable {}", show(mu)));
    }
    if let Some(ma) = &spec.min_available {
        let desired = scaled(ma)?;
        return (replicas - desired <= 0)
            .then(|| format!("minAvailable {} of {replicas} replicas", show(ma)));
    }
    None
}

/// Whether the set's Pods are spread across nodes: by a required rule
/// (`Some(true)`), only by preferences (`Some(false)`), or not at all.
pub(super) fn spreads_across_nodes(set: &StatefulSet) -> Option<bool> {
    let pod = set.spec.as_ref()?.template.spec.clone().unwrap_or_default();
    match spread(&pod, &template_labels(set)) {
        Spread::Required => Some(true),
        Spread::Preferred => Some(false),
        Spread::None => None,
    }
}

enum Spread {
    Required,
    Preferred,
    None,
}

fn spreads_nodes(key: &str) -> bool {
    matches!(
        key,
        "kubernetes.io/hostname"
            | "topology.kubernetes.io/zone"
            | "failure-domain.beta.kubernetes.io/zone"
            | "topology.kubernetes.io/region"
            | "failure-domain.beta.kubernetes.io/region"
    ) || key.contains("zone")
        || key.contains("hostname")
        || key.contains("rack")
}

fn spread(pod: &PodSpec, labels: &BTreeMap<String, String>) -> Spread {
    let own = |sel: &Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector>| {
        sel.as_ref().is_some_and(|s| selector_matches(s, labels))
    };
    let anti = pod
        .affinity
        .as_ref()
        .and_then(|a| a.pod_anti_affinity.as_ref());
    let required = anti
        .and_then(|a| {
            a.required_during_scheduling_ignored_during_execution
                .as_ref()
        })
        .into_iter()
        .flatten()
        .any(|t| own(&t.label_selector) && spreads_nodes(&t.topology_key))
        || pod.topology_spread_constraints.iter().flatten().any(|c| {
            c.when_unsatisfiable == "DoNotSchedule"
                && own(&c.label_selector)
                && spreads_nodes(&c.topology_key)
        });
    if required {
        return Spread::Required;
    }
    let preferred =
        anti.and_then(|a| {
            a.preferred_during_scheduling_ignored_during_execution
                .as_ref()
        })
        .into_iter()
        .flatten()
        .any(|w| {
            own(&w.pod_affinity_term.label_selector)
                && spreads_nodes(&w.pod_affinity_term.topology_key)
        }) || pod
            .topology_spread_constraints
            .iter()
            .flatten()
            .any(|c| own(&c.label_selector) && spreads_nodes(&c.topology_key));
    if preferred {
        Spread::Preferred
    } else {
        Spread::None
    }
}

/// (request, limit) of a resource in base units; a missing request defaults
/// to the limit, as the API server defaults it.
fn resource(c: &Container, name: &str) -> (Option<f64>, Option<f64>) {
    let r = c.resources.as_ref();
    let get =
        |m: Option<&BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>>| {
            m.and_then(|m| m.get(name))
                .and_then(|q| quantity::parse(q).ok())
        };
    let limit = get(r.and_then(|r| r.limits.as_ref()));
    let request = get(r.and_then(|r| r.requests.as_ref())).or(limit);
    (request, limit)
}

fn qos(pod: &PodSpec, o: &mut Out<'_>) {
    let all: Vec<(String, &Container)> = pod
        .containers
        .iter()
        .enumerate()
        .map(|(i, c)| (format!("spec.template.spec.containers[{i}]"), c))
        .chain(
            pod.init_containers
                .iter()
                .flatten()
                .enumerate()
                .map(|(i, c)| (format!("spec.template.spec.initContainers[{i}]"), c)),
        )
        .collect();
    let equal = |(r, l): (Option<f64>, Option<f64>)| matches!((r, l), (Some(r), Some(l)) if r == l);
    for (path, c) in &all {
        if !equal(resource(c, "memory")) {
            o.add(
                "statefulset.not-guaranteed-qos",
                Severity::Warning,
                &format!("{path}.resources"),
                format!(
                    "container {:?} of a memory-bound store has no memory limit equal to its request: under node memory pressure it is evicted or OOM-killed before Guaranteed Pods",
                    c.name
                ),
                "set resources.requests.memory equal to resources.limits.memory (and cpu requests equal to limits for Guaranteed QoS)".into(),
            );
            return;
        }
    }
    if !all.iter().all(|(_, c)| equal(resource(c, "cpu"))) {
        o.add(
            "statefulset.burstable-qos",
            Severity::Info,
            "spec.template.spec.containers[].resources",
            "memory is pinned (request == limit) but CPU is not, so the Pod is Burstable, not Guaranteed".into(),
            "fine if you avoid CPU limits on purpose; for Guaranteed QoS set cpu requests equal to limits".into(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_bases_ignore_registry_tag_and_digest() {
        assert_eq!(
            image_base("docker.io/bitnami/redis:7.2@sha256:abc"),
            "redis"
        );
        assert_eq!(image_base("redis"), "redis");
        assert_eq!(image_base("localhost:5000/postgres:16"), "postgres");
        assert!(is_redis("redis:7"));
        assert!(!is_redis("oliver006/redis_exporter:v1"));
        assert!(!is_kind("nginx:1.27", DATA_STORES));
    }
}
