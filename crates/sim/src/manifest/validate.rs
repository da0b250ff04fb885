//! The API server's create-time validation that matters to kubeprep,
//! restated from kubernetes/kubernetes `pkg/apis/{apps,autoscaling,batch,core,rbac,policy}/validation/validation.go`,
//! with the API server's wording ("Required value", "Unsupported value: ...").
//! It runs on the defaulted object, as the API server does.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::path::FieldPath;
use super::{Object, ProblemKind};

/// Fields the API server requires, per kind (k8s-openapi fills them with
/// empty values when they are missing, so presence is checked on the text).
const REQUIRED: &[(&str, &[&str])] = &[
    ("Deployment", &["spec.selector", "spec.template"]),
    ("ReplicaSet", &["spec.selector"]),
    ("StatefulSet", &["spec.selector", "spec.template"]),
    ("Job", &["spec.template"]),
    ("CronJob", &["spec.schedule", "spec.jobTemplate"]),
    (
        "HorizontalPodAutoscaler",
        &["spec.scaleTargetRef", "spec.maxReplicas"],
    ),
    ("RoleBinding", &["roleRef"]),
    ("ClusterRoleBinding", &["roleRef"]),
];

/// One validation failure.
pub struct Violation {
    pub kind: ProblemKind,
    pub path: FieldPath,
    pub message: String,
    pub hint: Option<String>,
}

#[derive(Default)]
struct Out(Vec<Violation>);

impl Out {
    fn required(&mut self, path: &str, hint: Option<&str>) {
        self.push(
            ProblemKind::MissingField,
            path,
            "Required value".into(),
            hint,
        );
    }
    fn invalid(&mut self, path: &str, message: String, hint: Option<&str>) {
        self.push(ProblemKind::Invalid, path, message, hint);
    }
    fn unsupported(&mut self, path: &str, value: &str, supported: &[&str]) {
        let list: Vec<String> = supported.iter().map(|s| format!("{s:?}")).collect();
        self.invalid(
            path,
            format!(
                "Unsupported value: {value:?}: supported values: {}",
                list.join(", ")
            ),
            None,
        );
    }
    fn push(&mut self, kind: ProblemKind, path: &str, message: String, hint: Option<&str>) {
        self.0.push(Violation {
            kind,
            path: FieldPath::parse(path).unwrap_or_default(),
            message,
            hint: hint.map(str::to_string),
        });
    }
}

/// Everything the API server would refuse in `object`.
/// `written` tells whether a field path was written in the document (the
/// typed object cannot tell a missing required field from an empty one).
pub fn check(object: &Object, written: &dyn Fn(&str) -> bool) -> Vec<Violation> {
    let mut out = Out::default();
    for (kind, paths) in REQUIRED {
        if *kind != object.kind() {
            continue;
        }
        for path in *paths {
            let parent = path.rsplit_once('.').map_or("", |(p, _)| p);
            if (parent.is_empty() || written(parent)) && !written(path) {
                out.required(path, None);
            }
        }
    }
    let meta = object.metadata();
    match meta.name.as_deref() {
        None | Some("") => {
            if meta.generate_name.as_deref().unwrap_or("").is_empty() {
                out.required("metadata.name", Some("name the object"));
            }
        }
        Some(name) => {
            let service = matches!(object, Object::Service(_));
            let err = if service {
                dns1035_label(name)
            } else {
                dns1123_subdomain(name)
            };
            if let Some(e) = err {
                out.invalid(
                    "metadata.name",
                    format!("Invalid value: {name:?}: {e}"),
                    None,
                );
            }
        }
    }
    match object {
        Object::Deployment(d) => match &d.spec {
            None => out.required("spec", None),
            Some(spec) => {
                non_negative(&mut out, "spec.replicas", spec.replicas);
                non_negative(&mut out, "spec.minReadySeconds", spec.min_ready_seconds);
                non_negative(
                    &mut out,
                    "spec.revisionHistoryLimit",
                    spec.revision_history_limit,
                );
                selector(
                    &mut out,
                    written("spec.selector").then_some(&spec.selector),
                    Some(&spec.template),
                    "deployment",
                );
                workload_template(&mut out, "spec.template", &spec.template, &["Always"]);
                if let Some(s) = &spec.strategy {
                    let ty = s.type_.as_deref().unwrap_or("");
                    match ty {
                        "RollingUpdate" => {
                            if let Some(ru) = &s.rolling_update {
                                rolling_update(
                                    &mut out,
                                    ru.max_surge.as_ref(),
                                    ru.max_unavailable.as_ref(),
                                );
                            }
                        }
                        "Recreate" => {
                            if s.rolling_update.is_some() {
                                out.invalid(
                                    "spec.strategy.rollingUpdate",
                                    "Forbidden: may not be specified when strategy `type` is 'Recreate'".into(),
                                    Some("remove rollingUpdate, or use type RollingUpdate"),
                                );
                            }
                        }
                        other => out.unsupported(
                            "spec.strategy.type",
                            other,
                            &["Recreate", "RollingUpdate"],
                        ),
                    }
                }
                if let Some(p) = spec.progress_deadline_seconds {
                    if p <= 0 {
                        out.invalid(
                            "spec.progressDeadlineSeconds",
                            format!("Invalid value: {p}: must be greater than 0"),
                            None,
                        );
                    } else if p <= spec.min_ready_seconds.unwrap_or(0) {
                        out.invalid(
                            "spec.progressDeadlineSeconds",
                            format!("Invalid value: {p}: must be greater than minReadySeconds"),
                            None,
                        );
                    }
                }
            }
        },
        Object::ReplicaSet(r) => match &r.spec {
            None => out.required("spec", None),
            Some(spec) => {
                non_negative(&mut out, "spec.replicas", spec.replicas);
                match &spec.template {
                    Some(t) => {
                        selector(
                            &mut out,
                            written("spec.selector").then_some(&spec.selector),
                            Some(t),
                            "replicaset",
                        );
                        workload_template(&mut out, "spec.template", t, &["Always"]);
                    }
                    None => out.required("spec.template", None),
                }
            }
        },
        Object::StatefulSet(s) => match &s.spec {
            None => out.required("spec", None),
            Some(spec) => {
                non_negative(&mut out, "spec.replicas", spec.replicas);
                non_negative(
                    &mut out,
                    "spec.revisionHistoryLimit",
                    spec.revision_history_limit,
                );
                selector(
                    &mut out,
                    written("spec.selector").then_some(&spec.selector),
                    Some(&spec.template),
                    "statefulset",
                );
                workload_template(&mut out, "spec.template", &spec.template, &["Always"]);
                if let Some(p) = spec.pod_management_policy.as_deref() {
                    if p != "OrderedReady" && p != "Parallel" {
                        out.unsupported(
                            "spec.podManagementPolicy",
                            p,
                            &["OrderedReady", "Parallel"],
                        );
                    }
                }
                if let Some(u) = &spec.update_strategy {
                    match u.type_.as_deref().unwrap_or("") {
                        "RollingUpdate" => {
                            if let Some(p) = u.rolling_update.as_ref().and_then(|r| r.partition) {
                                non_negative(
                                    &mut out,
                                    "spec.updateStrategy.rollingUpdate.partition",
                                    Some(p),
                                );
                            }
                        }
                        "OnDelete" => {
                            if u.rolling_update.is_some() {
                                out.invalid(
                                    "spec.updateStrategy.rollingUpdate",
                                    "Invalid value: only allowed for updateStrategy 'RollingUpdate'".into(),
                                    None,
                                );
                            }
                        }
                        other => out.unsupported(
                            "spec.updateStrategy.type",
                            other,
                            &["OnDelete", "RollingUpdate"],
                        ),
                    }
                }
                for (i, pvc) in spec.volume_claim_templates.iter().flatten().enumerate() {
                    if pvc.metadata.name.as_deref().unwrap_or("").is_empty() {
                        out.required(
                            &format!("spec.volumeClaimTemplates[{i}].metadata.name"),
                            None,
                        );
                    }
                }
            }
        },
        Object::Job(j) => match &j.spec {
            None => out.required("spec", None),
            Some(spec) => job(&mut out, "spec", spec),
        },
        Object::CronJob(c) => match &c.spec {
            None => out.required("spec", None),
            Some(spec) => {
                if spec.schedule.trim().is_empty() {
                    out.required("spec.schedule", None);
                } else if spec.schedule.split_whitespace().count() != 5
                    && !spec.schedule.starts_with('@')
                {
                    out.invalid(
                        "spec.schedule",
                        format!(
                            "Invalid value: {:?}: expected exactly 5 fields",
                            spec.schedule
                        ),
                        Some("minute hour day-of-month month day-of-week, e.g. \"50 * * * *\""),
                    );
                }
                if let Some(p) = spec.concurrency_policy.as_deref() {
                    if !["Allow", "Forbid", "Replace"].contains(&p) {
                        out.unsupported(
                            "spec.concurrencyPolicy",
                            p,
                            &["Allow", "Forbid", "Replace"],
                        );
                    }
                }
                match &spec.job_template.spec {
                    Some(js) => job(&mut out, "spec.jobTemplate.spec", js),
                    None => out.required("spec.jobTemplate.spec", None),
                }
            }
        },
        Object::HorizontalPodAutoscaler(h) => match &h.spec {
            None => out.required("spec", None),
            Some(spec) => {
                let r = &spec.scale_target_ref;
                if r.kind.is_empty() {
                    out.required("spec.scaleTargetRef.kind", None);
                }
                if r.name.is_empty() {
                    out.required("spec.scaleTargetRef.name", None);
                }
                let min = spec.min_replicas.unwrap_or(1);
                if min < 1 {
                    out.invalid(
                        "spec.minReplicas",
                        format!("Invalid value: {min}: must be greater than or equal to 1"),
                        None,
                    );
                }
                if spec.max_replicas < 1 {
                    out.invalid(
                        "spec.maxReplicas",
                        format!(
                            "Invalid value: {}: must be greater than 0",
                            spec.max_replicas
                        ),
                        None,
                    );
                } else if spec.max_replicas < min {
                    out.invalid(
                        "spec.maxReplicas",
                        format!(
                            "Invalid value: {}: must be greater than or equal to `minReplicas`",
                            spec.max_replicas
                        ),
                        None,
                    );
                }
                if let Some(b) = &spec.behavior {
                    for (dir, rules) in [("scaleUp", &b.scale_up), ("scaleDown", &b.scale_down)] {
                        let Some(rules) = rules else { continue };
                        let base = format!("spec.behavior.{dir}");
                        if let Some(w) = rules.stabilization_window_seconds {
                            if !(0..=3600).contains(&w) {
                                out.invalid(&format!("{base}.stabilizationWindowSeconds"), format!("Invalid value: {w}: must be less than or equal to 3600 and greater than or equal to 0"), None);
                            }
                        }
                        if let Some(p) = rules.select_policy.as_deref() {
                            if !["Max", "Min", "Disabled"].contains(&p) {
                                out.unsupported(
                                    &format!("{base}.selectPolicy"),
                                    p,
                                    &["Disabled", "Max", "Min"],
                                );
                            }
                        }
                        for (i, p) in rules.policies.iter().flatten().enumerate() {
                            let at = format!("{base}.policies[{i}]");
                            if p.type_ != "Pods" && p.type_ != "Percent" {
                                out.unsupported(
                                    &format!("{at}.type"),
                                    &p.type_,
                                    &["Percent", "Pods"],
                                );
                            }
                            if p.value <= 0 {
                                out.invalid(
                                    &format!("{at}.value"),
                                    format!(
                                        "Invalid value: {}: must be greater than zero",
                                        p.value
                                    ),
                                    None,
                                );
                            }
                            if !(1..=1800).contains(&p.period_seconds) {
                                out.invalid(&format!("{at}.periodSeconds"), format!("Invalid value: {}: must be greater than zero and less than or equal to 1800", p.period_seconds), None);
                            }
                        }
                    }
                }
            }
        },
        Object::RoleBinding(b) => {
            role_ref(&mut out, &b.role_ref, &["ClusterRole", "Role"]);
            subjects(&mut out, b.subjects.as_deref(), true);
        }
        Object::ClusterRoleBinding(b) => {
            role_ref(&mut out, &b.role_ref, &["ClusterRole"]);
            subjects(&mut out, b.subjects.as_deref(), false);
        }
        Object::Service(s) => {
            let Some(spec) = &s.spec else {
                out.required("spec", None);
                return out.0;
            };
            let ty = spec.type_.as_deref().unwrap_or("ClusterIP");
            if !["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"].contains(&ty) {
                out.unsupported(
                    "spec.type",
                    ty,
                    &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"],
                );
            }
            let headless = spec.cluster_ip.as_deref() == Some("None");
            let ports = spec.ports.as_deref().unwrap_or(&[]);
            if ports.is_empty() && ty != "ExternalName" && !headless {
                out.required("spec.ports", None);
            }
            for (i, p) in ports.iter().enumerate() {
                if ports.len() > 1 && p.name.as_deref().unwrap_or("").is_empty() {
                    out.required(
                        &format!("spec.ports[{i}].name"),
                        Some("name every port when a Service has more than one"),
                    );
                }
                if !(1..=65535).contains(&p.port) {
                    out.invalid(
                        &format!("spec.ports[{i}].port"),
                        format!(
                            "Invalid value: {}: must be between 1 and 65535, inclusive",
                            p.port
                        ),
                        None,
                    );
                }
                if let Some(IntOrString::Int(t)) = p.target_port {
                    if !(1..=65535).contains(&t) {
                        out.invalid(
                            &format!("spec.ports[{i}].targetPort"),
                            format!("Invalid value: {t}: must be between 1 and 65535, inclusive"),
                            None,
                        );
                    }
                }
                if let Some(proto) = p.protocol.as_deref() {
                    if !["TCP", "UDP", "SCTP"].contains(&proto) {
                        out.unsupported(
                            &format!("spec.ports[{i}].protocol"),
                            proto,
                            &["SCTP", "TCP", "UDP"],
                        );
                    }
                }
            }
        }
        Object::PodDisruptionBudget(p) => {
            if let Some(spec) = &p.spec {
                if spec.min_available.is_some() && spec.max_unavailable.is_some() {
                    out.invalid(
                        "spec",
                        "Invalid value: minAvailable and maxUnavailable cannot be both set".into(),
                        Some("keep one of them"),
                    );
                }
                for (field, v) in [
                    ("minAvailable", &spec.min_available),
                    ("maxUnavailable", &spec.max_unavailable),
                ] {
                    if let Some(v) = v {
                        int_or_percent(&mut out, &format!("spec.{field}"), v, true);
                    }
                }
            }
        }
        Object::ConfigMap(_)
        | Object::Secret(_)
        | Object::Namespace(_)
        | Object::ServiceAccount(_)
        | Object::Role(_)
        | Object::ClusterRole(_)
        | Object::NetworkPolicy(_) => {}
    }
    out.0
}

fn non_negative(out: &mut Out, path: &str, v: Option<i32>) {
    if let Some(v) = v {
        if v < 0 {
            out.invalid(
                path,
                format!("Invalid value: {v}: must be greater than or equal to 0"),
                None,
            );
        }
    }
}

fn job(out: &mut Out, base: &str, spec: &k8s_openapi::api::batch::v1::JobSpec) {
    non_negative(out, &format!("{base}.parallelism"), spec.parallelism);
    non_negative(out, &format!("{base}.completions"), spec.completions);
    non_negative(out, &format!("{base}.backoffLimit"), spec.backoff_limit);
    workload_template(
        out,
        &format!("{base}.template"),
        &spec.template,
        &["OnFailure", "Never"],
    );
}

fn role_ref(out: &mut Out, r: &k8s_openapi::api::rbac::v1::RoleRef, kinds: &[&str]) {
    if r.kind.is_empty() {
        out.required("roleRef.kind", None);
    } else if !kinds.contains(&r.kind.as_str()) {
        out.unsupported("roleRef.kind", &r.kind, kinds);
    }
    if r.name.is_empty() {
        out.required("roleRef.name", None);
    }
    if r.api_group != "rbac.authorization.k8s.io" {
        out.unsupported(
            "roleRef.apiGroup",
            &r.api_group,
            &["rbac.authorization.k8s.io"],
        );
    }
}

fn subjects(
    out: &mut Out,
    subjects: Option<&[k8s_openapi::api::rbac::v1::Subject]>,
    namespaced: bool,
) {
    for (i, s) in subjects.unwrap_or(&[]).iter().enumerate() {
        let at = format!("subjects[{i}]");
        if s.name.is_empty() {
            out.required(&format!("{at}.name"), None);
        }
        let group = s.api_group.as_deref().unwrap_or("");
        match s.kind.as_str() {
            "ServiceAccount" => {
                if !group.is_empty() {
                    out.unsupported(&format!("{at}.apiGroup"), group, &[""]);
                }
                if !namespaced && s.namespace.as_deref().unwrap_or("").is_empty() {
                    out.required(&format!("{at}.namespace"), None);
                }
            }
            "User" | "Group" => {
                if group != "rbac.authorization.k8s.io" {
                    out.unsupported(
                        &format!("{at}.apiGroup"),
                        group,
                        &["rbac.authorization.k8s.io"],
                    );
                }
            }
            other => out.unsupported(
                &format!("{at}.kind"),
                other,
                &["Group", "ServiceAccount", "User"],
            ),
        }
    }
}

fn rolling_update(out: &mut Out, surge: Option<&IntOrString>, unavailable: Option<&IntOrString>) {
    let base = "spec.strategy.rollingUpdate";
    if let Some(s) = surge {
        int_or_percent(out, &format!("{base}.maxSurge"), s, false);
    }
    if let Some(u) = unavailable {
        int_or_percent(out, &format!("{base}.maxUnavailable"), u, true);
    }
    let zero = |v: Option<&IntOrString>| match v {
        None => true,
        Some(IntOrString::Int(0)) => true,
        Some(IntOrString::String(s)) => s == "0%",
        _ => false,
    };
    if zero(surge) && zero(unavailable) {
        let shown = match unavailable {
            Some(IntOrString::String(s)) => format!("{s:?}"),
            _ => "0".into(),
        };
        out.invalid(
            &format!("{base}.maxUnavailable"),
            format!("Invalid value: {shown}: may not be 0 when `maxSurge` is 0"),
            Some("a rollout must be allowed to add or remove at least one Pod; set maxSurge to 1 or more"),
        );
    }
}

fn int_or_percent(out: &mut Out, path: &str, v: &IntOrString, at_most_100: bool) {
    match v {
        IntOrString::Int(i) => non_negative(out, path, Some(*i)),
        IntOrString::String(s) => {
            let digits = s
                .strip_suffix('%')
                .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
            match digits {
                None => out.invalid(
                    path,
                    format!("Invalid value: {s:?}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"),
                    Some("write an integer such as 1, or a percent such as \"25%\""),
                ),
                Some(d) => {
                    if at_most_100 && d.parse::<u64>().map_or(true, |p| p > 100) {
                        out.invalid(path, format!("Invalid value: {s:?}: must not be greater than 100%"), None);
                    }
                }
            }
        }
    }
}

/// `ValidateDeploymentSpec` and its ReplicaSet/StatefulSet twins: a missing
/// selector (reported as required) matches nothing, so the template's labels
/// are also reported; an empty one matches everything and is refused itself.
fn selector(
    out: &mut Out,
    sel: Option<&LabelSelector>,
    template: Option<&PodTemplateSpec>,
    what: &str,
) {
    let Some(sel) = sel else {
        if let Some(t) = template {
            let labels = t
                .metadata
                .as_ref()
                .and_then(|m| m.labels.clone())
                .unwrap_or_default();
            out.invalid(
                "spec.template.metadata.labels",
                format!("Invalid value: {labels:?}: `selector` does not match template `labels`"),
                Some("add spec.selector.matchLabels and the same labels under spec.template.metadata.labels"),
            );
        }
        return;
    };
    let empty = sel.match_labels.as_ref().is_none_or(BTreeMap::is_empty)
        && sel.match_expressions.as_ref().is_none_or(Vec::is_empty);
    if empty {
        out.invalid(
            "spec.selector",
            format!("Invalid value: empty selector is invalid for {what}"),
            Some("add spec.selector.matchLabels matching spec.template.metadata.labels"),
        );
        return;
    }
    let Some(t) = template else { return };
    let labels = t
        .metadata
        .as_ref()
        .and_then(|m| m.labels.clone())
        .unwrap_or_default();
    if !matches(sel, &labels) {
        let want: Vec<String> = sel
            .match_labels
            .iter()
            .flatten()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        let hint = if want.is_empty() {
            "label the Pod template so that the selector matches it".to_string()
        } else {
            format!(
                "add these labels to spec.template.metadata.labels: {}",
                want.join(", ")
            )
        };
        out.invalid(
            "spec.template.metadata.labels",
            format!("Invalid value: {labels:?}: `selector` does not match template `labels`"),
            Some(&hint),
        );
    }
}

/// Whether `labels` match a label selector (see [`crate::labels::selects`]).
pub fn matches(sel: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    crate::labels::selects(sel, labels)
}

fn workload_template(out: &mut Out, base: &str, t: &PodTemplateSpec, restart: &[&str]) {
    match &t.spec {
        None => out.required(&format!("{base}.spec"), None),
        Some(spec) => pod_spec(out, &format!("{base}.spec"), spec, restart),
    }
}

fn pod_spec(out: &mut Out, base: &str, spec: &PodSpec, restart: &[&str]) {
    if spec.containers.is_empty() {
        out.required(
            &format!("{base}.containers"),
            Some("a Pod needs at least one container"),
        );
    }
    let mut names: Vec<&str> = Vec::new();
    for (i, c) in spec.containers.iter().enumerate() {
        let at = format!("{base}.containers[{i}]");
        if c.name.is_empty() {
            out.required(&format!("{at}.name"), None);
        } else if names.contains(&c.name.as_str()) {
            out.invalid(
                &format!("{at}.name"),
                format!("Duplicate value: {:?}", c.name),
                None,
            );
        } else {
            if let Some(e) = dns1123_label(&c.name) {
                out.invalid(
                    &format!("{at}.name"),
                    format!("Invalid value: {:?}: {e}", c.name),
                    None,
                );
            }
            names.push(&c.name);
        }
        if c.image.as_deref().unwrap_or("").trim().is_empty() {
            out.required(&format!("{at}.image"), None);
        }
        for (j, p) in c.ports.iter().flatten().enumerate() {
            if !(1..=65535).contains(&p.container_port) {
                out.invalid(
                    &format!("{at}.ports[{j}].containerPort"),
                    format!(
                        "Invalid value: {}: must be between 1 and 65535, inclusive",
                        p.container_port
                    ),
                    None,
                );
            }
        }
    }
    if let Some(r) = spec.restart_policy.as_deref() {
        if !restart.contains(&r) {
            let hint = if restart.contains(&"Never") {
                Some("Job Pods must not restart in place: set restartPolicy: OnFailure or Never in the Pod template")
            } else {
                None
            };
            let list: Vec<String> = restart.iter().map(|s| format!("{s:?}")).collect();
            out.invalid(
                &format!("{base}.restartPolicy"),
                format!(
                    "Unsupported value: {r:?}: supported values: {}",
                    list.join(", ")
                ),
                hint,
            );
        }
    }
}

fn dns1123_label(s: &str) -> Option<&'static str> {
    let ok = !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    (!ok).then_some("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character")
}

fn dns1123_subdomain(s: &str) -> Option<&'static str> {
    let ok = s.len() <= 253 && s.split('.').all(|l| dns1123_label(l).is_none());
    (!ok).then_some("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character")
}

fn dns1035_label(s: &str) -> Option<&'static str> {
    let ok = dns1123_label(s).is_none() && s.starts_with(|c: char| c.is_ascii_lowercase());
    (!ok).then_some("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character")
}
