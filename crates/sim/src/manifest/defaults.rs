//! The API server's defaults, restated from kubernetes/kubernetes
//! `pkg/apis/{apps,autoscaling,batch,core,rbac,networking}/v*/defaults.go`,
//! applied to a typed object after the strictness checks (a defaulted field
//! is never mistaken for a written one) and before validation, the order the
//! API server uses. Only defaults that change what kubeprep simulates or
//! checks are applied.

use k8s_openapi::api::apps::v1::{
    RollingUpdateDeployment, RollingUpdateStatefulSetStrategy,
    StatefulSetPersistentVolumeClaimRetentionPolicy,
};
use k8s_openapi::api::autoscaling::v2::{
    HPAScalingPolicy, HPAScalingRules, MetricSpec, MetricTarget, ResourceMetricSource,
};
use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec, Probe};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::Object;

/// Applies the defaults of the object's API version, in place.
pub fn apply(object: &mut Object) {
    match object {
        Object::Deployment(d) => {
            let Some(spec) = d.spec.as_mut() else { return };
            spec.replicas.get_or_insert(1);
            let strategy = spec.strategy.get_or_insert_with(Default::default);
            let ty = strategy.type_.get_or_insert_with(|| "RollingUpdate".into());
            if ty == "RollingUpdate" {
                let ru = strategy
                    .rolling_update
                    .get_or_insert_with(RollingUpdateDeployment::default);
                ru.max_unavailable
                    .get_or_insert_with(|| IntOrString::String("25%".into()));
                ru.max_surge
                    .get_or_insert_with(|| IntOrString::String("25%".into()));
            }
            spec.revision_history_limit.get_or_insert(10);
            spec.progress_deadline_seconds.get_or_insert(600);
            pod_template(&mut spec.template);
        }
        Object::ReplicaSet(r) => {
            let Some(spec) = r.spec.as_mut() else { return };
            spec.replicas.get_or_insert(1);
            if let Some(t) = spec.template.as_mut() {
                pod_template(t);
            }
        }
        Object::StatefulSet(s) => {
            let Some(spec) = s.spec.as_mut() else { return };
            spec.pod_management_policy
                .get_or_insert_with(|| "OrderedReady".into());
            // SetDefaults_StatefulSet creates rollingUpdate only when it also
            // defaults the type; a written `type: RollingUpdate` keeps a missing
            // rollingUpdate missing (partition 0 is then implied).
            let strategy = spec.update_strategy.get_or_insert_with(Default::default);
            if strategy.type_.as_deref().unwrap_or("").is_empty() {
                strategy.type_ = Some("RollingUpdate".into());
                strategy
                    .rolling_update
                    .get_or_insert_with(RollingUpdateStatefulSetStrategy::default);
            }
            if strategy.type_.as_deref() == Some("RollingUpdate") {
                if let Some(ru) = strategy.rolling_update.as_mut() {
                    ru.partition.get_or_insert(0);
                }
            }
            let retention = spec
                .persistent_volume_claim_retention_policy
                .get_or_insert_with(StatefulSetPersistentVolumeClaimRetentionPolicy::default);
            retention
                .when_deleted
                .get_or_insert_with(|| "Retain".into());
            retention.when_scaled.get_or_insert_with(|| "Retain".into());
            spec.replicas.get_or_insert(1);
            spec.revision_history_limit.get_or_insert(10);
            pod_template(&mut spec.template);
            for pvc in &mut spec.volume_claim_templates.iter_mut().flatten() {
                if let Some(ps) = pvc.spec.as_mut() {
                    ps.volume_mode.get_or_insert_with(|| "Filesystem".into());
                }
            }
        }
        Object::Job(j) => {
            if let Some(spec) = j.spec.as_mut() {
                job_spec(spec);
            }
        }
        Object::CronJob(c) => {
            let Some(spec) = c.spec.as_mut() else { return };
            spec.concurrency_policy
                .get_or_insert_with(|| "Allow".into());
            spec.suspend.get_or_insert(false);
            spec.successful_jobs_history_limit.get_or_insert(3);
            spec.failed_jobs_history_limit.get_or_insert(1);
            if let Some(js) = spec.job_template.spec.as_mut() {
                job_spec(js);
            }
        }
        Object::Service(s) => {
            let Some(spec) = s.spec.as_mut() else { return };
            let ty = spec.type_.get_or_insert_with(|| "ClusterIP".into()).clone();
            spec.session_affinity.get_or_insert_with(|| "None".into());
            if ty != "ExternalName" {
                spec.internal_traffic_policy
                    .get_or_insert_with(|| "Cluster".into());
            }
            for port in spec.ports.iter_mut().flatten() {
                port.protocol.get_or_insert_with(|| "TCP".into());
                let unset = match &port.target_port {
                    None => true,
                    Some(IntOrString::Int(0)) => true,
                    Some(IntOrString::String(s)) => s.is_empty(),
                    Some(IntOrString::Int(_)) => false,
                };
                if unset {
                    port.target_port = Some(IntOrString::Int(port.port));
                }
            }
        }
        Object::HorizontalPodAutoscaler(h) => {
            let Some(spec) = h.spec.as_mut() else { return };
            spec.min_replicas.get_or_insert(1);
            if spec.metrics.as_ref().is_none_or(Vec::is_empty) {
                spec.metrics = Some(vec![MetricSpec {
                    type_: "Resource".into(),
                    resource: Some(ResourceMetricSource {
                        name: "cpu".into(),
                        target: MetricTarget {
                            type_: "Utilization".into(),
                            average_utilization: Some(80),
                            ..Default::default()
                        },
                    }),
                    ..Default::default()
                }]);
            }
            // Behavior defaults apply only when behavior is written.
            if let Some(b) = spec.behavior.as_mut() {
                b.scale_up = Some(scaling_rules(b.scale_up.take(), scale_up_rules()));
                b.scale_down = Some(scaling_rules(b.scale_down.take(), scale_down_rules()));
            }
        }
        Object::Secret(s) => {
            s.type_.get_or_insert_with(|| "Opaque".into());
        }
        Object::RoleBinding(b) => {
            if b.role_ref.api_group.is_empty() {
                b.role_ref.api_group = "rbac.authorization.k8s.io".into();
            }
            for s in b.subjects.iter_mut().flatten() {
                subject(s);
            }
        }
        Object::ClusterRoleBinding(b) => {
            if b.role_ref.api_group.is_empty() {
                b.role_ref.api_group = "rbac.authorization.k8s.io".into();
            }
            for s in b.subjects.iter_mut().flatten() {
                subject(s);
            }
        }
        Object::NetworkPolicy(n) => {
            let Some(spec) = n.spec.as_mut() else { return };
            if spec.policy_types.as_ref().is_none_or(Vec::is_empty) {
                let mut types = vec!["Ingress".to_string()];
                if spec.egress.is_some() {
                    types.push("Egress".into());
                }
                spec.policy_types = Some(types);
            }
            for rule in spec.ingress.iter_mut().flatten() {
                for p in rule.ports.iter_mut().flatten() {
                    p.protocol.get_or_insert_with(|| "TCP".into());
                }
            }
            for rule in spec.egress.iter_mut().flatten() {
                for p in rule.ports.iter_mut().flatten() {
                    p.protocol.get_or_insert_with(|| "TCP".into());
                }
            }
        }
        Object::PodDisruptionBudget(_)
        | Object::ConfigMap(_)
        | Object::Namespace(_)
        | Object::ServiceAccount(_)
        | Object::Role(_)
        | Object::ClusterRole(_) => {}
    }
}

fn subject(s: &mut k8s_openapi::api::rbac::v1::Subject) {
    // rbac/v1 SetDefaults_Subject: users and groups are in the RBAC API group.
    let group = s.api_group.get_or_insert_with(String::new);
    if group.is_empty() && (s.kind == "User" || s.kind == "Group") {
        *group = "rbac.authorization.k8s.io".into();
    }
}

fn job_spec(spec: &mut k8s_openapi::api::batch::v1::JobSpec) {
    if spec.completions.is_none() && spec.parallelism.is_none() {
        spec.completions = Some(1);
        spec.parallelism = Some(1);
    }
    spec.parallelism.get_or_insert(1);
    if spec.backoff_limit.is_none() {
        spec.backoff_limit = Some(if spec.backoff_limit_per_index.is_some() {
            i32::MAX
        } else {
            6
        });
    }
    spec.completion_mode
        .get_or_insert_with(|| "NonIndexed".into());
    spec.suspend.get_or_insert(false);
    if spec.pod_replacement_policy.is_none() {
        spec.pod_replacement_policy = Some(if spec.pod_failure_policy.is_some() {
            "Failed".into()
        } else {
            "TerminatingOrFailed".into()
        });
    }
    pod_template(&mut spec.template);
}

/// `GenerateHPAScaleUpRules`/`GenerateHPAScaleDownRules`: written parts win,
/// missing parts come from the defaults.
fn scaling_rules(from: Option<HPAScalingRules>, mut to: HPAScalingRules) -> HPAScalingRules {
    let Some(from) = from else { return to };
    if from.select_policy.is_some() {
        to.select_policy = from.select_policy;
    }
    if from.stabilization_window_seconds.is_some() {
        to.stabilization_window_seconds = from.stabilization_window_seconds;
    }
    if from.policies.is_some() {
        to.policies = from.policies;
    }
    if from.tolerance.is_some() {
        to.tolerance = from.tolerance;
    }
    to
}

fn policy(type_: &str, value: i32, period_seconds: i32) -> HPAScalingPolicy {
    HPAScalingPolicy {
        type_: type_.into(),
        value,
        period_seconds,
    }
}

/// The default scale-up rules: no window, the larger of 4 Pods or 100% per 15 s.
pub fn scale_up_rules() -> HPAScalingRules {
    HPAScalingRules {
        stabilization_window_seconds: Some(0),
        select_policy: Some("Max".into()),
        policies: Some(vec![policy("Pods", 4, 15), policy("Percent", 100, 15)]),
        tolerance: None,
    }
}

/// The default scale-down rules: window left to the controller (300 s), 100% per 15 s.
pub fn scale_down_rules() -> HPAScalingRules {
    HPAScalingRules {
        stabilization_window_seconds: None,
        select_policy: Some("Max".into()),
        policies: Some(vec![policy("Percent", 100, 15)]),
        tolerance: None,
    }
}

fn pod_template(t: &mut PodTemplateSpec) {
    if let Some(spec) = t.spec.as_mut() {
        pod_spec(spec);
    }
}

fn pod_spec(spec: &mut PodSpec) {
    spec.dns_policy.get_or_insert_with(|| "ClusterFirst".into());
    spec.restart_policy.get_or_insert_with(|| "Always".into());
    spec.termination_grace_period_seconds.get_or_insert(30);
    spec.scheduler_name
        .get_or_insert_with(|| "default-scheduler".into());
    spec.security_context.get_or_insert_with(Default::default);
    for c in spec.containers.iter_mut() {
        container(c);
    }
    for c in spec.init_containers.iter_mut().flatten() {
        container(c);
    }
}

fn container(c: &mut Container) {
    if c.image_pull_policy.is_none() {
        c.image_pull_policy = Some(pull_policy(c.image.as_deref().unwrap_or("")).into());
    }
    c.termination_message_path
        .get_or_insert_with(|| "/dev/termination-log".into());
    c.termination_message_policy
        .get_or_insert_with(|| "File".into());
    for p in c.ports.iter_mut().flatten() {
        p.protocol.get_or_insert_with(|| "TCP".into());
    }
    for probe in [
        c.readiness_probe.as_mut(),
        c.liveness_probe.as_mut(),
        c.startup_probe.as_mut(),
    ]
    .into_iter()
    .flatten()
    {
        probe_defaults(probe);
    }
}

fn probe_defaults(p: &mut Probe) {
    p.timeout_seconds.get_or_insert(1);
    p.period_seconds.get_or_insert(10);
    p.success_threshold.get_or_insert(1);
    p.failure_threshold.get_or_insert(3);
    if let Some(h) = p.http_get.as_mut() {
        h.path.get_or_insert_with(|| "/".into());
        h.scheme.get_or_insert_with(|| "HTTP".into());
    }
}

/// `Always` for `:latest` or no tag, `IfNotPresent` otherwise (a digest counts as a tag).
pub fn pull_policy(image: &str) -> &'static str {
    if image.contains('@') {
        return "IfNotPresent";
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        Some((_, tag)) if tag != "latest" => "IfNotPresent",
        _ => "Always",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(image: &str, want: &str) {
        assert_eq!(pull_policy(image), want, "{image}");
    }

    // From pkg/apis/core/v1/defaults_test.go TestSetDefaultsImagePullPolicy-style cases.
    #[test]
    fn image_pull_policy() {
        check("nginx", "Always");
        check("nginx:latest", "Always");
        check("nginx:1.27", "IfNotPresent");
        check("registry:5000/nginx", "Always");
        check("registry:5000/nginx:1.2", "IfNotPresent");
        check("nginx@sha256:abc", "IfNotPresent");
    }
}
