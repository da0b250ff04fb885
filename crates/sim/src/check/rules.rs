//! The catalogue of check ids: every id a finding can carry, its usual
//! severity and what it is about. SARIF output lists these as rules, and a
//! test keeps the catalogue and the checks in step.
//!
//! The RBAC and StatefulSet areas add their own ids when the lead wires them
//! into [`super::area_findings`]; findings with ids not listed here still
//! print, with their own message as help.

use super::Severity;

/// One check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The stable id, `area.what`.
    pub id: &'static str,
    /// Its usual severity.
    pub severity: Severity,
    /// What it checks, in one sentence.
    pub summary: &'static str,
    /// How to fix what it finds.
    pub help: &'static str,
}

const fn rule(
    id: &'static str,
    severity: Severity,
    summary: &'static str,
    help: &'static str,
) -> Rule {
    Rule {
        id,
        severity,
        summary,
        help,
    }
}

use Severity::{Error, Info, Warning};

/// Every check `kubeprep check` runs itself.
pub const RULES: &[Rule] = &[
    rule("manifest.syntax", Error, "The file is not YAML or JSON that can be read safely.", "Fix the YAML at the position given (indentation, quoting, a missing `:`)."),
    rule("manifest.unknown-kind", Error, "The document's apiVersion/kind is missing or not one kubeprep simulates.", "Use one of the kinds kubeprep simulates, with its apiVersion."),
    rule("manifest.unknown-field", Error, "A field the object's schema does not have; the API server rejects it.", "Remove the field or move it where the schema has it (e.g. minReadySeconds belongs at spec.minReadySeconds, not in the Pod template)."),
    rule("manifest.missing-field", Error, "A required field is missing; the API server rejects the object.", "Add the field (e.g. spec.selector with labels that the Pod template carries)."),
    rule("manifest.invalid", Error, "A value the API server refuses (e.g. a selector that does not match the template labels).", "Correct the value as the message says."),
    rule("container.no-readiness-probe", Warning, "A served workload's container has no readiness probe.", "Add readinessProbe (an httpGet on an endpoint that checks the app can serve)."),
    rule("container.no-liveness-probe", Info, "A container has no liveness probe.", "Add a livenessProbe that fails only when a restart helps."),
    rule("container.liveness-same-as-readiness", Info, "The liveness probe checks the same thing as the readiness probe.", "Point livenessProbe at a cheaper endpoint that only says the process is alive, or drop it."),
    rule("container.startup-probe-advised", Info, "A probe waits a long initialDelaySeconds instead of using a startupProbe.", "Add a startupProbe covering the slowest start and lower initialDelaySeconds."),
    rule("container.no-cpu-request", Warning, "A container has no CPU request.", "Set resources.requests.cpu."),
    rule("container.no-memory-request", Warning, "A container has no memory request.", "Set resources.requests.memory."),
    rule("container.no-memory-limit", Warning, "A container has no memory limit.", "Set resources.limits.memory (equal to the request for Guaranteed QoS)."),
    rule("container.limit-below-request", Error, "A resource limit is below its request; the API server rejects it.", "Raise the limit to at least the request (quantities compare numerically: 512Mi == 536870912)."),
    rule("container.invalid-quantity", Error, "A resource quantity cannot be read.", "Write a number with an optional suffix: 500m, 2, 512Mi, 1Gi."),
    rule("container.image-unpinned", Warning, "An image has no tag or uses latest.", "Pin a version tag or a digest (image@sha256:...)."),
    rule("cronjob.kubectl-image-unpinned", Warning, "A kubectl image has no tag or uses latest.", "Pin the kubectl image to the cluster's minor version or a digest."),
    rule("pod.automount-service-account-token", Warning, "A Pod that does not call the API gets a ServiceAccount token mounted.", "Set automountServiceAccountToken: false on the Pod spec or its ServiceAccount."),
    rule("rollout.no-prestop", Warning, "No preStop delay: terminating Pods stop while load balancers still route to them (an error when the scenario asks for no failed requests).", "Add lifecycle.preStop (sleep a few seconds), handle SIGTERM, keep terminationGracePeriodSeconds above the delay plus the longest request."),
    rule("rollout.grace-shorter-than-prestop", Error, "terminationGracePeriodSeconds is not longer than the preStop delay.", "Set terminationGracePeriodSeconds to the preStop delay plus the longest request."),
    rule("rollout.max-unavailable-nonzero", Info, "The rolling update may take replicas out of service.", "For zero downtime at full capacity set maxUnavailable: 0 with maxSurge >= 1."),
    rule("workload.no-pdb", Warning, "A replicated workload has no PodDisruptionBudget.", "Add a PodDisruptionBudget selecting its Pods with maxUnavailable: 1."),
    rule("workload.no-anti-affinity", Warning, "Nothing spreads a replicated workload's Pods across nodes.", "Add topologySpreadConstraints or podAntiAffinity (required or preferred) with a node-spreading topologyKey."),
    rule("hpa.replicas-set", Warning, "A Deployment sets replicas while an HPA scales it.", "Drop spec.replicas from the manifest; the HPA's minReplicas sets the floor."),
    rule("hpa.target-missing", Info, "An HPA's scale target is not in the files checked.", "Check scaleTargetRef, or pass the target's manifest too."),
    rule("cronjob.scales-hpa-target", Error, "A CronJob runs kubectl scale on a Deployment that an HPA owns; the HPA undoes it at its next sync.", "Patch the HPA's minReplicas instead (kubectl patch hpa NAME -p '{\"spec\":{\"minReplicas\":N}}')."),
    rule("cronjob.kubectl-no-service-account", Error, "A CronJob runs kubectl as the default ServiceAccount, which has no RBAC rights.", "Give it a ServiceAccount with a Role granting only what the command needs, bound by a RoleBinding."),
    rule("service.selector-matches-nothing", Warning, "A Service's selector matches no Pod template in the files.", "Make the selector a subset of the workload's template labels."),
    rule("pdb.selects-nothing", Warning, "A PodDisruptionBudget selects no workload's Pods.", "Make its selector match the workload's template labels."),
    rule("pdb.never-satisfiable", Warning, "A PodDisruptionBudget allows no disruption even when every Pod is healthy.", "Allow at least one: maxUnavailable: 1 or minAvailable below the replica count."),
    // RBAC least privilege (`rbac::findings`).
    rule("rbac.wildcard-verb", Warning, "A role grants every verb (`*`), including bind, escalate and impersonate where they apply.", "List the verbs the role needs."),
    rule("rbac.wildcard-resource", Warning, "A role grants every resource (`*`) in its API groups.", "List the resources the role needs."),
    rule("rbac.wildcard-api-group", Warning, "A role grants every API group (`*`), including ones installed later.", "List the API groups the role needs."),
    rule("rbac.secrets-list", Warning, "A role can list or watch Secrets, which returns every Secret's data.", "Grant get on named Secrets (resourceNames), or mount Secrets into the workloads that need them."),
    rule("rbac.secrets-get", Info, "A role can read Secrets.", "Limit it to named Secrets with resourceNames where you can."),
    rule("rbac.pods-exec", Warning, "A role can exec or attach into Pods, which reaches every Secret the Pods mount.", "Drop pods/exec and pods/attach, or grant them to a small, audited group."),
    rule("rbac.escalation-verb", Warning, "A role grants bind, escalate or impersonate: a path to more rights than it holds.", "Drop those verbs, or bind such a role only to a small admin group."),
    rule("rbac.cluster-admin-binding", Warning, "A binding grants cluster-admin.", "Bind a narrower role, or keep cluster-admin to a small break-glass group."),
    rule("rbac.unbound-role", Warning, "A role is bound to nobody, so it grants nothing.", "Bind it to the group that needs it, or delete it."),
    rule("rbac.missing-role", Warning, "A binding refers to a role that the files do not define: it grants nothing.", "Define the role, or fix roleRef's kind and name."),
    rule("rbac.invalid-role-ref", Error, "A binding's roleRef cannot be resolved (a RoleBinding to a Role elsewhere, a wrong kind).", "Point roleRef at a Role in the binding's namespace or at a ClusterRole."),
    rule("rbac.no-subjects", Info, "A binding has no subjects.", "Add the users, groups or ServiceAccounts it is for, or delete it."),
    rule("rbac.cross-namespace-service-account", Info, "A RoleBinding grants to a ServiceAccount of another namespace.", "Make sure that is intended: workloads in that namespace get these rights here."),
    // StatefulSets (`statefulset::findings`).
    rule("statefulset.selector-mismatch", Error, "The StatefulSet's selector does not match its Pod template labels.", "Make spec.selector match spec.template.metadata.labels."),
    rule("statefulset.no-service-name", Warning, "No serviceName: the Pods get no stable DNS names.", "Create a headless Service (clusterIP: None) selecting the Pods and name it in spec.serviceName."),
    rule("statefulset.service-not-found", Warning, "serviceName names a Service that is not in the files.", "Add the headless Service, or correct spec.serviceName."),
    rule("statefulset.service-not-headless", Error, "serviceName names a Service that is not headless.", "Set clusterIP: None on the governing Service."),
    rule("statefulset.service-selector-mismatch", Error, "The governing Service's selector does not select the StatefulSet's Pods.", "Make the Service's selector a subset of the Pod template labels."),
    rule("statefulset.service-publish-not-ready", Info, "Peers cannot find each other by DNS before they are Ready.", "Set publishNotReadyAddresses: true on the headless Service for cluster bootstrapping."),
    rule("statefulset.no-volume-claim-templates", Warning, "No volumeClaimTemplates: Pods keep no storage of their own across restarts.", "Add volumeClaimTemplates and mount the volume."),
    rule("statefulset.volume-mount-unknown", Error, "A container mounts a volume that neither the Pod nor volumeClaimTemplates define.", "Name a defined volume or claim template in volumeMounts."),
    rule("statefulset.parallel-no-ordered-startup", Warning, "podManagementPolicy Parallel starts every Pod at once: no ordered startup.", "Use OrderedReady (the default) when members must start in order."),
    rule("statefulset.pod-management-policy-immutable", Info, "podManagementPolicy cannot be changed on an existing StatefulSet.", "Choose it at creation; changing it means deleting the StatefulSet (with --cascade=orphan) and recreating it."),
    rule("statefulset.no-pdb", Warning, "No PodDisruptionBudget protects the StatefulSet's Pods from voluntary disruption.", "Add a PodDisruptionBudget with maxUnavailable: 1 selecting the Pods."),
    rule("statefulset.pdb-never-allows-eviction", Warning, "The PodDisruptionBudget can never allow an eviction: node drains block.", "Allow at least one Pod to be unavailable."),
    rule("statefulset.no-spread", Warning, "Nothing spreads the Pods across nodes: one node can hold a primary and its replica.", "Add pod anti-affinity or topologySpreadConstraints on kubernetes.io/hostname (or a zone key)."),
    rule("statefulset.spread-preferred-only", Info, "Spreading is only preferred: under pressure two members can share a node.", "Use required anti-affinity or DoNotSchedule spread for members that must not share a node."),
    rule("statefulset.not-guaranteed-qos", Warning, "A memory-bound data store is not Guaranteed QoS: it is among the first evicted under memory pressure.", "Set requests equal to limits for memory (and CPU) in every container."),
    rule("statefulset.burstable-qos", Info, "Memory is pinned (request = limit) but CPU is not: Burstable QoS.", "Set a CPU limit equal to the request for Guaranteed QoS, if CPU throttling is acceptable."),
    rule("statefulset.redis-port-missing", Warning, "A Redis Cluster port (6379 client, 16379 bus) is missing on the container or the headless Service.", "Expose both ports on the container and the Service."),
];

/// The rule with this id, if it is one of [`RULES`].
pub fn rule_for(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_area_dot_what() {
        let mut seen = std::collections::HashSet::new();
        for r in RULES {
            assert!(seen.insert(r.id), "duplicate {}", r.id);
            let (area, what) = r.id.split_once('.').expect(r.id);
            assert!(
                !area.is_empty() && !what.is_empty() && !what.contains('.'),
                "{}",
                r.id
            );
            assert!(
                r.id.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '.' || c == '-'),
                "{}",
                r.id
            );
        }
    }
}
