//! Checks on one workload and its Pod template: probes, requests and limits,
//! image pinning, the ServiceAccount token, rollout safety, and the
//! protections a replicated workload needs (a PodDisruptionBudget, spreading
//! across nodes).
//!
//! StatefulSet-specific checks (serviceName, volume claims, ordered startup,
//! PDB and spreading of its Pods) belong to the StatefulSet area; here a
//! StatefulSet only gets the container checks every Pod template gets.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec, Probe};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::relations::{hpa_for, kubectl_commands};
use super::selector;
use super::{namespace, pod_template, Finding, Options, Severity};
use crate::manifest::{Document, Object};
use crate::quantity;

/// A liveness or startup delay at least this long (seconds) is better written
/// as a startupProbe.
pub const HUGE_INITIAL_DELAY_S: i32 = 60;

/// The grace period the API server fills in when none is written.
pub const DEFAULT_GRACE_S: i64 = 30;

/// Runs every workload check on `doc` (other documents are used to find the
/// Services, HPAs, PDBs and ServiceAccounts that refer to it).
pub fn check(doc: &Document, docs: &[Document], opts: &Options, out: &mut Vec<Finding>) {
    let Some((template, tpath)) = pod_template(&doc.object) else {
        return;
    };
    let Some(spec) = template.spec.as_ref() else {
        return;
    };
    let long_running = matches!(
        doc.object,
        Object::Deployment(_) | Object::ReplicaSet(_) | Object::StatefulSet(_)
    );
    let served = long_running && is_served(doc, template, spec, docs);
    let spath = format!("{tpath}.spec");
    for (i, c) in spec.containers.iter().enumerate() {
        let cpath = format!("{spath}.containers[{i}]");
        resources(doc, c, &cpath, out);
        image(doc, c, &cpath, out);
        if long_running {
            probes(doc, c, &cpath, served, out);
        }
    }
    automount(doc, spec, &spath, docs, out);
    match &doc.object {
        Object::Deployment(d) => {
            rollout(doc, d, spec, &spath, served, opts, out);
            replicated(doc, template, tpath, docs, out);
        }
        Object::ReplicaSet(_) => replicated(doc, template, tpath, docs, out),
        _ => {}
    }
}

/// A workload is served when a Service in the files selects its Pods, a
/// container declares a port, or a container has a readiness probe (only
/// something that takes traffic needs one).
fn is_served(
    doc: &Document,
    template: &PodTemplateSpec,
    spec: &PodSpec,
    docs: &[Document],
) -> bool {
    let labels = template.metadata.as_ref().and_then(|m| m.labels.as_ref());
    let ns = namespace(&doc.object);
    let by_service = docs.iter().any(|d| match &d.object {
        Object::Service(s) => {
            namespace(&d.object) == ns
                && selector::map_matches(s.spec.as_ref().and_then(|s| s.selector.as_ref()), labels)
        }
        _ => false,
    });
    by_service
        || spec
            .containers
            .iter()
            .any(|c| c.ports.as_ref().is_some_and(|p| !p.is_empty()) || c.readiness_probe.is_some())
}

fn resources(doc: &Document, c: &Container, cpath: &str, out: &mut Vec<Finding>) {
    let res = c.resources.as_ref();
    let requests = res.and_then(|r| r.requests.as_ref());
    let limits = res.and_then(|r| r.limits.as_ref());
    let name = &c.name;
    for (resource, id) in [
        ("cpu", "container.no-cpu-request"),
        ("memory", "container.no-memory-request"),
    ] {
        if requests.and_then(|r| r.get(resource)).is_none() {
            out.push(Finding::at(
                doc,
                id,
                Severity::Warning,
                format!("{cpath}.resources.requests.{resource}"),
                format!("container `{name}` has no {resource} request: the scheduler places it as if it needed none, and an HPA on {resource} utilisation cannot compute a percentage"),
                format!("set `resources.requests.{resource}` on container `{name}` to what one replica uses under normal load (e.g. {})", if resource == "cpu" { "`250m`" } else { "`256Mi`" }),
            ));
        }
    }
    if limits.and_then(|l| l.get("memory")).is_none() {
        out.push(Finding::at(
            doc,
            "container.no-memory-limit",
            Severity::Warning,
            format!("{cpath}.resources.limits.memory"),
            format!("container `{name}` has no memory limit: a leak grows until the node runs out of memory and evicts its neighbours"),
            format!("set `resources.limits.memory` on container `{name}` (equal to the request gives Guaranteed QoS)"),
        ));
    }
    // The API server rejects a limit below its request; compare numerically.
    for resource in ["cpu", "memory"] {
        let parsed = |map: Option<&'_ BTreeMap<String, Quantity>>, kind: &'static str| {
            map.and_then(|m| m.get(resource))
                .map(|q| (kind, q.clone(), quantity::parse(q)))
        };
        let req = parsed(requests, "requests");
        let lim = parsed(limits, "limits");
        for (kind, q, value) in req.iter().chain(lim.iter()) {
            if value.is_err() {
                out.push(Finding::at(
                    doc,
                    "container.invalid-quantity",
                    Severity::Error,
                    format!("{cpath}.resources.{kind}.{resource}"),
                    format!("`{}` is not a Kubernetes quantity", q.0),
                    "write a number with an optional suffix: `500m`, `2`, `512Mi`, `1Gi`, `536870912`",
                ));
            }
        }
        if let (Some((_, rq, Ok(r))), Some((_, lq, Ok(l)))) = (&req, &lim) {
            if l < r {
                out.push(Finding::at(
                    doc,
                    "container.limit-below-request",
                    Severity::Error,
                    format!("{cpath}.resources.limits.{resource}"),
                    format!("container `{name}`'s {resource} limit `{}` is below its request `{}`; the API server rejects it", lq.0, rq.0),
                    format!("raise `resources.limits.{resource}` to at least the request, or lower the request"),
                ));
            }
        }
    }
}

/// Splits an image reference into (repository, tag, digest).
pub fn split_image(image: &str) -> (&str, Option<&str>, Option<&str>) {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    // A tag follows the last ':' after the last '/' (a registry port comes before a '/').
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[last_slash..].rfind(':') {
        Some(i) => (
            &rest[..last_slash + i],
            Some(&rest[last_slash + i + 1..]),
            digest,
        ),
        None => (rest, None, digest),
    }
}

/// Whether an image runs kubectl (its repository's last segment is `kubectl`).
pub fn is_kubectl_image(image: &str) -> bool {
    let (repo, _, _) = split_image(image);
    repo.rsplit('/').next() == Some("kubectl")
}

fn image(doc: &Document, c: &Container, cpath: &str, out: &mut Vec<Finding>) {
    let Some(img) = c.image.as_deref() else {
        return;
    };
    let (repo, tag, digest) = split_image(img);
    if digest.is_some() {
        return;
    }
    let problem = match tag {
        None => "has no tag, so it means `latest`",
        Some("latest") => "uses the `latest` tag",
        Some(_) => return,
    };
    if is_kubectl_image(img) {
        out.push(Finding::at(
            doc,
            "cronjob.kubectl-image-unpinned",
            Severity::Warning,
            format!("{cpath}.image"),
            format!("kubectl image `{img}` {problem}: the kubectl version changes under you and can drift outside the supported skew of the API server"),
            format!("pin it to the cluster's minor version, e.g. `{repo}:1.34` or a digest `{repo}@sha256:...`"),
        ));
    } else {
        out.push(Finding::at(
            doc,
            "container.image-unpinned",
            Severity::Warning,
            format!("{cpath}.image"),
            format!("image `{img}` {problem}: replicas can run different builds and a rollback does not bring the old code back"),
            format!("pin a version tag (`{repo}:1.4.2`) or a digest (`{repo}@sha256:...`)"),
        ));
    }
}

/// The probe's handler, without timings: what it checks.
fn handler(p: &Probe) -> (String, String, String, String) {
    let s = |v: Option<String>| v.unwrap_or_default();
    (
        s(p.exec.as_ref().map(|e| format!("{:?}", e.command))),
        s(p.http_get.as_ref().map(|h| {
            format!(
                "{:?}:{}:{:?}",
                h.path,
                port_str(&h.port),
                h.scheme.as_deref().unwrap_or("HTTP")
            )
        })),
        s(p.tcp_socket.as_ref().map(|t| port_str(&t.port))),
        s(p.grpc
            .as_ref()
            .map(|g| format!("{}:{:?}", g.port, g.service))),
    )
}

fn port_str(p: &IntOrString) -> String {
    match p {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

fn probes(doc: &Document, c: &Container, cpath: &str, served: bool, out: &mut Vec<Finding>) {
    let name = &c.name;
    if served && c.readiness_probe.is_none() {
        out.push(Finding::at(
            doc,
            "container.no-readiness-probe",
            Severity::Warning,
            format!("{cpath}.readinessProbe"),
            format!("container `{name}` has no readiness probe: its Pod joins the Service endpoints as soon as the container starts, before the app can answer, and a rollout counts it available"),
            format!("add `readinessProbe` to container `{name}` (an httpGet on a health endpoint that checks the app can serve)"),
        ));
    }
    match (&c.liveness_probe, &c.readiness_probe) {
        (None, _) => out.push(Finding::at(
            doc,
            "container.no-liveness-probe",
            Severity::Info,
            format!("{cpath}.livenessProbe"),
            format!("container `{name}` has no liveness probe: a hung process stays up until someone restarts it"),
            format!("add a `livenessProbe` to container `{name}` that fails only when a restart helps (a deadlock), not when a dependency is down"),
        )),
        (Some(l), Some(r)) if handler(l) == handler(r) => out.push(Finding::at(
            doc,
            "container.liveness-same-as-readiness",
            Severity::Info,
            format!("{cpath}.livenessProbe"),
            format!("container `{name}`'s liveness probe checks the same thing as its readiness probe: when the app is briefly not ready (a slow dependency), the kubelet restarts it instead of only taking it out of the endpoints"),
            "point `livenessProbe` at a cheaper endpoint that only says the process is alive, or drop it".to_string(),
        )),
        _ => {}
    }
    if c.startup_probe.is_none() {
        for (probe, field) in [
            (&c.liveness_probe, "livenessProbe"),
            (&c.readiness_probe, "readinessProbe"),
        ] {
            let delay = probe
                .as_ref()
                .and_then(|p| p.initial_delay_seconds)
                .unwrap_or(0);
            if delay >= HUGE_INITIAL_DELAY_S {
                out.push(Finding::at(
                    doc,
                    "container.startup-probe-advised",
                    Severity::Info,
                    format!("{cpath}.{field}.initialDelaySeconds"),
                    format!("container `{name}` waits {delay} s before its first {field} check: every start pays the worst case"),
                    format!("add a `startupProbe` (failureThreshold x periodSeconds covering the slowest start) and lower `{field}.initialDelaySeconds`"),
                ));
            }
        }
    }
}

fn automount(
    doc: &Document,
    spec: &PodSpec,
    spath: &str,
    docs: &[Document],
    out: &mut Vec<Finding>,
) {
    if spec.automount_service_account_token == Some(false) {
        return;
    }
    let sa = spec
        .service_account_name
        .as_deref()
        .filter(|s| !s.is_empty())
        .or(spec.service_account.as_deref().filter(|s| !s.is_empty()));
    // A Pod with its own ServiceAccount, or running kubectl, calls the API.
    let calls_api = sa.is_some_and(|s| s != "default")
        || spec.containers.iter().any(|c| {
            !kubectl_commands(c).is_empty() || c.image.as_deref().is_some_and(is_kubectl_image)
        });
    if calls_api {
        return;
    }
    let sa_name = sa.unwrap_or("default");
    let ns = namespace(&doc.object);
    let sa_off = docs.iter().any(|d| match &d.object {
        Object::ServiceAccount(s) => {
            namespace(&d.object) == ns
                && d.object.name() == sa_name
                && s.automount_service_account_token == Some(false)
        }
        _ => false,
    });
    if sa_off && spec.automount_service_account_token.is_none() {
        return;
    }
    out.push(Finding::at(
        doc,
        "pod.automount-service-account-token",
        Severity::Warning,
        format!("{spath}.automountServiceAccountToken"),
        "the Pod does not call the Kubernetes API but gets a ServiceAccount token mounted: anyone who breaks into it can use the token",
        format!("set `{spath}.automountServiceAccountToken: false` (or on the ServiceAccount `{sa_name}`)"),
    ));
}

/// The seconds a preStop hook delays SIGTERM: a `sleep` action, or an exec
/// whose command sleeps (`sleep 5`, `sh -c "sleep 5 && ..."`). `None` when
/// there is no preStop hook; `Some(None)` when its length cannot be told.
pub fn pre_stop_seconds(c: &Container) -> Option<Option<f64>> {
    if !crate::pod::has_pre_stop(c) {
        return None;
    }
    let ms = crate::pod::pre_stop_ms(c);
    Some((ms > 0).then_some(ms as f64 / 1000.0))
}

/// `intOrPercent` resolved against `total`, rounding up or down as the
/// deployment controller does (`intstr.GetScaledValueFromIntOrPercent`).
pub fn scaled(v: &IntOrString, total: i64, round_up: bool) -> Option<i64> {
    crate::rollout::controller::scaled_value(Some(v), total, round_up).ok()
}

/// The rolling update's (maxSurge, maxUnavailable) for `replicas`, as
/// `ResolveFenceposts` resolves them (defaults 25% and 25%; both zero means
/// maxUnavailable 1).
pub fn fenceposts(d: &Deployment, replicas: i64) -> Option<(i64, i64)> {
    let strategy = d.spec.as_ref()?.strategy.as_ref();
    if strategy.and_then(|s| s.type_.as_deref()) == Some("Recreate") {
        return None;
    }
    let ru = strategy.and_then(|s| s.rolling_update.as_ref());
    let pct = IntOrString::String("25%".into());
    crate::rollout::controller::resolve_fenceposts(
        Some(ru.and_then(|r| r.max_surge.as_ref()).unwrap_or(&pct)),
        Some(ru.and_then(|r| r.max_unavailable.as_ref()).unwrap_or(&pct)),
        replicas,
    )
    .ok()
}

fn rollout(
    doc: &Document,
    d: &Deployment,
    spec: &PodSpec,
    spath: &str,
    served: bool,
    opts: &Options,
    out: &mut Vec<Finding>,
) {
    let grace = spec
        .termination_grace_period_seconds
        .unwrap_or(DEFAULT_GRACE_S);
    let mut any_pre_stop = false;
    for c in &spec.containers {
        let Some(secs) = pre_stop_seconds(c) else {
            continue;
        };
        any_pre_stop = true;
        if let Some(s) = secs {
            if (grace as f64) <= s {
                out.push(Finding::at(
                    doc,
                    "rollout.grace-shorter-than-prestop",
                    Severity::Error,
                    format!("{spath}.terminationGracePeriodSeconds"),
                    format!("terminationGracePeriodSeconds ({grace} s) is not longer than container `{}`'s preStop delay ({s} s): the Pod is killed before the app can finish its in-flight requests", c.name),
                    format!("set `{spath}.terminationGracePeriodSeconds` to the preStop delay plus the longest request (e.g. {})", (s.ceil() as i64).saturating_add(30)),
                ));
            }
        }
    }
    if served && !any_pre_stop {
        out.push(Finding::at(
            doc,
            "rollout.no-prestop",
            if opts.zero_downtime { Severity::Error } else { Severity::Warning },
            format!("{spath}.containers[0].lifecycle.preStop"),
            "no container has a preStop delay: a terminating Pod gets SIGTERM while the load balancers still send it requests (endpoint removal takes a moment to propagate), and those requests fail",
            "add `lifecycle.preStop` (`sleep: {seconds: 5}` or `exec: [sleep, \"5\"]`) to the serving container, handle SIGTERM by draining, and keep `terminationGracePeriodSeconds` above the delay plus the longest request",
        ));
    }
    let replicas = i64::from(d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1));
    if let Some((_, unavailable)) = fenceposts(d, replicas) {
        if unavailable > 0 && replicas > 1 {
            out.push(Finding::at(
                doc,
                "rollout.max-unavailable-nonzero",
                Severity::Info,
                "spec.strategy.rollingUpdate.maxUnavailable",
                format!("the rolling update may take {unavailable} of {replicas} replicas out of service at a time: capacity drops during every rollout"),
                "for zero downtime at full capacity set `spec.strategy.rollingUpdate.maxUnavailable: 0` with `maxSurge` of at least 1",
            ));
        }
    }
}

/// Replicas a workload runs: `spec.replicas` (default 1), or the minReplicas
/// of an HPA that targets it.
pub fn replicas(doc: &Document, docs: &[Document]) -> i64 {
    if let Some(h) = hpa_for(doc, docs) {
        return i64::from(h.spec.as_ref().and_then(|s| s.min_replicas).unwrap_or(1));
    }
    let r = match &doc.object {
        Object::Deployment(d) => d.spec.as_ref().and_then(|s| s.replicas),
        Object::ReplicaSet(r) => r.spec.as_ref().and_then(|s| s.replicas),
        Object::StatefulSet(s) => s.spec.as_ref().and_then(|s| s.replicas),
        _ => None,
    };
    i64::from(r.unwrap_or(1))
}

fn replicated(
    doc: &Document,
    template: &PodTemplateSpec,
    tpath: &str,
    docs: &[Document],
    out: &mut Vec<Finding>,
) {
    let n = replicas(doc, docs);
    if n <= 1 {
        return;
    }
    let labels = template.metadata.as_ref().and_then(|m| m.labels.as_ref());
    let ns = namespace(&doc.object);
    let has_pdb = docs.iter().any(|d| match &d.object {
        Object::PodDisruptionBudget(p) => {
            namespace(&d.object) == ns
                && selector::matches(p.spec.as_ref().and_then(|s| s.selector.as_ref()), labels)
        }
        _ => false,
    });
    if !has_pdb {
        out.push(Finding::at(
            doc,
            "workload.no-pdb",
            Severity::Warning,
            "",
            format!("{n} replicas and no PodDisruptionBudget selects them: a node drain may evict them all at once"),
            format!("add a PodDisruptionBudget whose selector matches the template labels, with `maxUnavailable: 1` (or `minAvailable: {}`)", n - 1),
        ));
    }
    let spec = template.spec.as_ref();
    let anti = spec
        .and_then(|s| s.affinity.as_ref())
        .and_then(|a| a.pod_anti_affinity.as_ref());
    let required = anti
        .and_then(|a| {
            a.required_during_scheduling_ignored_during_execution
                .as_ref()
        })
        .into_iter()
        .flatten();
    let preferred = anti
        .and_then(|a| {
            a.preferred_during_scheduling_ignored_during_execution
                .as_ref()
        })
        .into_iter()
        .flatten()
        .map(|w| &w.pod_affinity_term);
    // Any topology key spreads across nodes: hostname, zone, region, rack...
    let spread_by_affinity = required.chain(preferred).any(|t| {
        !t.topology_key.is_empty()
            && (selector::matches(t.label_selector.as_ref(), labels)
                || t.match_label_keys.as_ref().is_some_and(|k| !k.is_empty()))
    });
    let spread_by_constraints = spec
        .and_then(|s| s.topology_spread_constraints.as_ref())
        .into_iter()
        .flatten()
        .any(|t| {
            !t.topology_key.is_empty()
                && (selector::matches(t.label_selector.as_ref(), labels)
                    || t.match_label_keys.as_ref().is_some_and(|k| !k.is_empty()))
        });
    if !spread_by_affinity && !spread_by_constraints {
        out.push(Finding::at(
            doc,
            "workload.no-anti-affinity",
            Severity::Warning,
            format!("{tpath}.spec.affinity.podAntiAffinity"),
            format!("nothing spreads the {n} replicas across nodes: the scheduler may put them all on one node, and losing it loses the service"),
            "add `topologySpreadConstraints` (topologyKey `kubernetes.io/hostname` or `topology.kubernetes.io/zone`, a labelSelector matching the Pods) or a preferred `podAntiAffinity` term with such a key",
        ));
    }
}
