//! Label selectors, matched as the API machinery matches them: `matchLabels`
//! and `matchExpressions` (In, NotIn, Exists, DoesNotExist) all have to hold.
//!
//! An empty selector (`{}`) matches every set of labels; a missing one
//! (`None`) matches nothing, which is what PodDisruptionBudget and pod
//! affinity terms mean by it. Unknown operators match nothing.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

/// Whether `selector` selects an object labelled `labels` (a missing
/// selector selects nothing; see [`crate::labels::selects`]).
pub fn matches(
    selector: Option<&LabelSelector>,
    labels: Option<&BTreeMap<String, String>>,
) -> bool {
    let empty = BTreeMap::new();
    selector.is_some_and(|s| crate::labels::selects(s, labels.unwrap_or(&empty)))
}

/// Whether a Service's `selector` map selects `labels` (a Service without a
/// selector, or with an empty one, selects no Pods it manages).
pub fn map_matches(
    selector: Option<&BTreeMap<String, String>>,
    labels: Option<&BTreeMap<String, String>>,
) -> bool {
    let empty = BTreeMap::new();
    crate::labels::service_selects(selector, labels.unwrap_or(&empty))
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn expr(key: &str, op: &str, values: &[&str]) -> LabelSelectorRequirement {
        LabelSelectorRequirement {
            key: key.into(),
            operator: op.into(),
            values: (!values.is_empty()).then(|| values.iter().map(|v| v.to_string()).collect()),
        }
    }

    #[track_caller]
    fn check(selector: Option<LabelSelector>, object: &[(&str, &str)], want: bool) {
        assert_eq!(
            matches(selector.as_ref(), Some(&labels(object))),
            want,
            "{selector:?} against {object:?}"
        );
    }

    // Cases after apimachinery's labels selector tests (TestSelectorMatches,
    // TestRequirementMatches in staging/src/k8s.io/apimachinery/pkg/labels).
    #[test]
    fn selectors_match_as_the_api_machinery_matches() {
        let ml = |pairs: &[(&str, &str)]| LabelSelector {
            match_labels: Some(labels(pairs)),
            match_expressions: None,
        };
        let me = |e: Vec<LabelSelectorRequirement>| LabelSelector {
            match_labels: None,
            match_expressions: Some(e),
        };
        check(None, &[("app", "x")], false);
        check(Some(LabelSelector::default()), &[("app", "x")], true);
        check(Some(LabelSelector::default()), &[], true);
        check(
            Some(ml(&[("app", "x")])),
            &[("app", "x"), ("tier", "web")],
            true,
        );
        check(Some(ml(&[("app", "x")])), &[("app", "y")], false);
        check(
            Some(ml(&[("app", "x"), ("tier", "web")])),
            &[("app", "x")],
            false,
        );
        check(
            Some(me(vec![expr("app", "In", &["x", "y"])])),
            &[("app", "y")],
            true,
        );
        check(Some(me(vec![expr("app", "In", &["x"])])), &[], false);
        check(Some(me(vec![expr("app", "NotIn", &["x"])])), &[], true);
        check(
            Some(me(vec![expr("app", "NotIn", &["x"])])),
            &[("app", "x")],
            false,
        );
        check(
            Some(me(vec![expr("app", "Exists", &[])])),
            &[("app", "")],
            true,
        );
        check(
            Some(me(vec![expr("app", "DoesNotExist", &[])])),
            &[("app", "")],
            false,
        );
        check(
            Some(me(vec![expr("app", "Bogus", &[])])),
            &[("app", "x")],
            false,
        );
    }

    #[test]
    fn service_selectors_need_every_pair_and_an_empty_one_selects_nothing() {
        let l = labels(&[("app", "redis-cluster"), ("role", "x")]);
        assert!(map_matches(
            Some(&labels(&[("app", "redis-cluster")])),
            Some(&l)
        ));
        assert!(!map_matches(Some(&labels(&[("app", "redis")])), Some(&l)));
        assert!(!map_matches(Some(&BTreeMap::new()), Some(&l)));
        assert!(!map_matches(None, Some(&l)));
        assert!(!map_matches(
            Some(&labels(&[("app", "redis-cluster")])),
            None
        ));
    }
}
