//! StatefulSet identities: ordinals parsed from Pod names, Pod, PVC and DNS
//! names, and the identity and storage invariants the controller enforces
//! (`stateful_set_utils.go`). Also label-selector matching, which the checks
//! and the scheduler share. Nothing here knows about time.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

/// The label the controller puts on each Pod with its own name.
pub const POD_NAME_LABEL: &str = "statefulset.kubernetes.io/pod-name";
/// The label the controller puts on each Pod with its ordinal.
pub const POD_INDEX_LABEL: &str = "apps.kubernetes.io/pod-index";

/// The parent StatefulSet's name and the ordinal read from a Pod name with the
/// pattern `(.*)-([0-9]+)$`. No match gives `("", None)`; a match whose number
/// does not fit a 32-bit integer gives the parent and `None`.
pub fn parent_and_ordinal(pod_name: &str) -> (String, Option<i32>) {
    // The greedy `(.*)` means the last `-` followed only by digits splits the name.
    let Some(dash) = pod_name.rfind('-') else {
        return (String::new(), None);
    };
    let digits = &pod_name[dash + 1..];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return (String::new(), None);
    }
    let parent = pod_name[..dash].to_string();
    (parent, digits.parse::<i32>().ok())
}

/// The ordinal of a Pod name, or `None` when it has none.
pub fn ordinal(pod_name: &str) -> Option<i32> {
    parent_and_ordinal(pod_name).1
}

/// The Pod name for an ordinal: `<set>-<ordinal>`.
pub fn pod_name(set: &str, ordinal: i64) -> String {
    format!("{set}-{ordinal}")
}

/// The PVC a volumeClaimTemplate gives an ordinal: `<template>-<set>-<ordinal>`.
pub fn claim_name(template: &str, set: &str, ordinal: i64) -> String {
    format!("{template}-{set}-{ordinal}")
}

/// A Pod's stable DNS name through its governing headless Service.
pub fn dns_name(pod: &str, service: &str, namespace: &str) -> String {
    format!("{pod}.{service}.{namespace}.svc.cluster.local")
}

/// What of a Pod the identity and storage invariants look at.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PodIdentity {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.labels`.
    pub labels: BTreeMap<String, String>,
    /// `spec.hostname`.
    pub hostname: String,
    /// `spec.subdomain`.
    pub subdomain: String,
    /// `spec.volumes`: volume name to the PVC it mounts (`None` for any other source).
    pub volumes: BTreeMap<String, Option<String>>,
}

/// The set-level facts identity and storage depend on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SetIdentity {
    /// The StatefulSet's name.
    pub name: String,
    /// Its namespace.
    pub namespace: String,
    /// `spec.serviceName` (may be empty).
    pub service_name: String,
    /// The volumeClaimTemplates' names.
    pub claim_templates: Vec<String>,
}

impl SetIdentity {
    /// A new Pod for `ordinal`, as the controller builds it (`newStatefulSetPod`:
    /// identity then storage).
    pub fn new_pod(&self, ordinal: i64, template_labels: &BTreeMap<String, String>) -> PodIdentity {
        let mut pod = PodIdentity {
            name: pod_name(&self.name, ordinal),
            labels: template_labels.clone(),
            ..PodIdentity::default()
        };
        self.update_identity(&mut pod);
        self.update_storage(&mut pod);
        pod
    }

    /// Rewrites a Pod's identity to the set's (`updateIdentity`): name from
    /// its ordinal, namespace, hostname, subdomain and the name/index labels.
    pub fn update_identity(&self, pod: &mut PodIdentity) {
        let ord = ordinal(&pod.name).map_or(-1, i64::from);
        pod.name = pod_name(&self.name, ord);
        pod.namespace = self.namespace.clone();
        pod.hostname = pod.name.clone();
        pod.subdomain = self.service_name.clone();
        pod.labels.insert(POD_NAME_LABEL.into(), pod.name.clone());
        pod.labels.insert(POD_INDEX_LABEL.into(), ord.to_string());
    }

    /// Points each claim template's volume at this ordinal's PVC, replacing a
    /// same-named volume of another kind and keeping every other volume
    /// (`updateStorage`).
    pub fn update_storage(&self, pod: &mut PodIdentity) {
        let ord = ordinal(&pod.name).map_or(-1, i64::from);
        for t in &self.claim_templates {
            pod.volumes
                .insert(t.clone(), Some(claim_name(t, &self.name, ord)));
        }
    }

    /// Whether the Pod has a valid identity for a member of the set
    /// (`identityMatches`): an ordinal, this set as parent, the canonical
    /// name, the set's namespace and the pod-name label.
    pub fn identity_matches(&self, pod: &PodIdentity) -> bool {
        let (parent, ord) = parent_and_ordinal(&pod.name);
        let Some(ord) = ord else { return false };
        ord >= 0
            && parent == self.name
            && pod.name == pod_name(&self.name, i64::from(ord))
            && pod.namespace == self.namespace
            && pod.labels.get(POD_NAME_LABEL) == Some(&pod.name)
    }

    /// Whether the Pod mounts every claim template's PVC for its ordinal
    /// (`storageMatches`).
    pub fn storage_matches(&self, pod: &PodIdentity) -> bool {
        let Some(ord) = ordinal(&pod.name) else {
            return false;
        };
        self.claim_templates.iter().all(|t| {
            matches!(pod.volumes.get(t), Some(Some(claim)) if *claim == claim_name(t, &self.name, i64::from(ord)))
        })
    }
}

/// Whether `labels` satisfy `selector` (see [`crate::labels::selects`]).
pub fn selector_matches(selector: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    crate::labels::selects(selector, labels)
}

/// Whether a selector selects nothing at all (`{}` selects everything for a
/// PDB or affinity term, but a Service with no selector selects no Pods).
pub fn selector_is_empty(selector: &LabelSelector) -> bool {
    !matches!(&selector.match_labels, Some(m) if !m.is_empty())
        && !matches!(&selector.match_expressions, Some(m) if !m.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> SetIdentity {
        SetIdentity {
            name: "foo".into(),
            namespace: "default".into(),
            service_name: "governing".into(),
            claim_templates: vec!["datadir".into()],
        }
    }

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[track_caller]
    fn check_ordinal(name: &str, parent: &str, ord: Option<i32>) {
        assert_eq!(
            parent_and_ordinal(name),
            (parent.to_string(), ord),
            "pod name {name:?}"
        );
    }

    #[test]
    fn ordinals_parse_from_the_last_dash_digits() {
        // From TestGetParentNameAndOrdinal (stateful_set_utils_test.go).
        check_ordinal("foo-1", "foo", Some(1));
        check_ordinal("1-bar", "", None);
        // The greedy prefix keeps earlier dashes in the parent.
        check_ordinal("redis-cluster-5", "redis-cluster", Some(5));
        check_ordinal("web-1-2", "web-1", Some(2));
        check_ordinal("foo-", "", None);
        check_ordinal("foo", "", None);
        check_ordinal("-3", "", Some(3));
        // Too large for int32: a parent, but no ordinal.
        check_ordinal("foo-99999999999", "foo", None);
        check_ordinal("foo-2147483647", "foo", Some(i32::MAX));
        check_ordinal("foo-2147483648", "foo", None);
    }

    #[test]
    fn names_follow_the_controller_patterns() {
        // From TestGetPodName / getPersistentVolumeClaimName.
        assert_eq!(pod_name("web", 0), "web-0");
        assert_eq!(
            claim_name("data", "redis-cluster", 4),
            "data-redis-cluster-4"
        );
        assert_eq!(
            dns_name("redis-cluster-0", "redis-cluster-headless", "default"),
            "redis-cluster-0.redis-cluster-headless.default.svc.cluster.local"
        );
    }

    #[track_caller]
    fn check_identity(edit: impl Fn(&mut PodIdentity), expect: bool) {
        let s = set();
        let mut pod = s.new_pod(1, &labels(&[("app", "foo")]));
        edit(&mut pod);
        assert_eq!(s.identity_matches(&pod), expect, "{pod:?}");
    }

    #[test]
    fn identity_matches_only_a_canonical_member() {
        // From TestIdentityMatches (stateful_set_utils_test.go).
        check_identity(|_| {}, true);
        check_identity(|p| p.name = "foo1".into(), false);
        check_identity(|p| p.name = "bar-1".into(), false);
        check_identity(|p| p.namespace = "other".into(), false);
        check_identity(
            |p| {
                p.labels.remove(POD_NAME_LABEL);
            },
            false,
        );
        check_identity(
            |p| {
                p.labels.insert(POD_NAME_LABEL.into(), "foo-2".into());
            },
            false,
        );
        // A leading zero parses but is not the canonical name.
        check_identity(
            |p| {
                p.name = "foo-01".into();
                p.labels.insert(POD_NAME_LABEL.into(), "foo-01".into());
            },
            false,
        );
    }

    #[test]
    fn update_identity_restores_a_broken_identity() {
        // From TestUpdateIdentity: a wrong namespace or hostname is put back.
        let s = set();
        let mut pod = s.new_pod(1, &BTreeMap::new());
        pod.namespace = "other".into();
        pod.hostname = "x".into();
        pod.labels.clear();
        assert!(!s.identity_matches(&pod));
        s.update_identity(&mut pod);
        assert!(s.identity_matches(&pod));
        assert_eq!(pod.hostname, "foo-1");
        assert_eq!(pod.subdomain, "governing");
        assert_eq!(pod.labels[POD_INDEX_LABEL], "1");
    }

    #[track_caller]
    fn check_storage(edit: impl Fn(&mut PodIdentity), expect: bool) {
        let s = set();
        let mut pod = s.new_pod(1, &BTreeMap::new());
        edit(&mut pod);
        assert_eq!(s.storage_matches(&pod), expect, "{pod:?}");
    }

    #[test]
    fn storage_matches_only_the_ordinals_own_claims() {
        // From TestStorageMatches (stateful_set_utils_test.go).
        check_storage(|_| {}, true);
        check_storage(
            |p| {
                p.volumes
                    .insert("datadir".into(), Some("datadir-foo-2".into()));
            },
            false,
        );
        check_storage(
            |p| {
                p.volumes.remove("datadir");
            },
            false,
        );
        // A volume of the right name that is not a PVC.
        check_storage(
            |p| {
                p.volumes.insert("datadir".into(), None);
            },
            false,
        );
        check_storage(|p| p.name = "foo".into(), false);
        // Extra volumes do not matter.
        check_storage(
            |p| {
                p.volumes.insert("conf".into(), None);
            },
            true,
        );
    }

    #[test]
    fn update_storage_replaces_conflicting_volumes_and_keeps_others() {
        // From TestUpdateStorage.
        let s = set();
        let mut pod = s.new_pod(3, &BTreeMap::new());
        pod.volumes.insert("datadir".into(), None);
        pod.volumes.insert("conf".into(), None);
        assert!(!s.storage_matches(&pod));
        s.update_storage(&mut pod);
        assert!(s.storage_matches(&pod));
        assert_eq!(pod.volumes["datadir"].as_deref(), Some("datadir-foo-3"));
        assert_eq!(pod.volumes["conf"], None);
    }

    #[test]
    fn selectors_match_labels_and_expressions() {
        use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;
        let l = labels(&[("app", "redis"), ("tier", "db")]);
        let req = |key: &str, op: &str, values: &[&str]| LabelSelectorRequirement {
            key: key.into(),
            operator: op.into(),
            values: Some(values.iter().map(|v| v.to_string()).collect()),
        };
        let sel = |ml: &[(&str, &str)], me: Vec<LabelSelectorRequirement>| LabelSelector {
            match_labels: Some(labels(ml)),
            match_expressions: Some(me),
        };
        assert!(selector_matches(&sel(&[("app", "redis")], vec![]), &l));
        assert!(!selector_matches(&sel(&[("app", "web")], vec![]), &l));
        assert!(selector_matches(
            &sel(&[], vec![req("tier", "In", &["db"])]),
            &l
        ));
        assert!(!selector_matches(
            &sel(&[], vec![req("tier", "NotIn", &["db"])]),
            &l
        ));
        assert!(selector_matches(
            &sel(&[], vec![req("zone", "DoesNotExist", &[])]),
            &l
        ));
        assert!(!selector_matches(
            &sel(&[], vec![req("zone", "Exists", &[])]),
            &l
        ));
        assert!(!selector_matches(
            &sel(&[], vec![req("app", "Bogus", &[])]),
            &l
        ));
        assert!(selector_matches(&LabelSelector::default(), &l));
        assert!(selector_is_empty(&LabelSelector::default()));
    }
}
