//! Resource names as kubectl resolves them: plural, singular, kind and short
//! names of the built-in API types, with their group and scope; any other
//! `type.group` taken as given.
//!
//! This stands in for the discovery-backed RESTMapper kubectl uses against
//! a live cluster. It is a table, not a cluster.

/// One built-in resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceType {
    /// Plural resource name (`deployments`).
    pub plural: &'static str,
    /// Singular name (`deployment`), which is also the kind, lower-cased.
    pub singular: &'static str,
    /// Short names (`deploy`).
    pub short: &'static [&'static str],
    /// API group ("" for core).
    pub group: &'static str,
    /// The group's preferred version.
    pub version: &'static str,
    /// Namespaced or cluster-scoped.
    pub namespaced: bool,
}

const fn t(
    plural: &'static str,
    singular: &'static str,
    short: &'static [&'static str],
    group: &'static str,
    version: &'static str,
    namespaced: bool,
) -> ResourceType {
    ResourceType {
        plural,
        singular,
        short,
        group,
        version,
        namespaced,
    }
}

/// The built-in types, in kubectl's group preference order (core first).
pub const TYPES: &[ResourceType] = &[
    t("pods", "pod", &["po"], "", "v1", true),
    t("services", "service", &["svc"], "", "v1", true),
    t("secrets", "secret", &[], "", "v1", true),
    t("configmaps", "configmap", &["cm"], "", "v1", true),
    t("namespaces", "namespace", &["ns"], "", "v1", false),
    t("nodes", "node", &["no"], "", "v1", false),
    t("serviceaccounts", "serviceaccount", &["sa"], "", "v1", true),
    t(
        "persistentvolumeclaims",
        "persistentvolumeclaim",
        &["pvc"],
        "",
        "v1",
        true,
    ),
    t(
        "persistentvolumes",
        "persistentvolume",
        &["pv"],
        "",
        "v1",
        false,
    ),
    t("events", "event", &["ev"], "", "v1", true),
    t("endpoints", "endpoints", &["ep"], "", "v1", true),
    t(
        "replicationcontrollers",
        "replicationcontroller",
        &["rc"],
        "",
        "v1",
        true,
    ),
    t(
        "resourcequotas",
        "resourcequota",
        &["quota"],
        "",
        "v1",
        true,
    ),
    t("limitranges", "limitrange", &["limits"], "", "v1", true),
    t("podtemplates", "podtemplate", &[], "", "v1", true),
    t("bindings", "binding", &[], "", "v1", true),
    t(
        "componentstatuses",
        "componentstatus",
        &["cs"],
        "",
        "v1",
        false,
    ),
    t("deployments", "deployment", &["deploy"], "apps", "v1", true),
    t("statefulsets", "statefulset", &["sts"], "apps", "v1", true),
    t("daemonsets", "daemonset", &["ds"], "apps", "v1", true),
    t("replicasets", "replicaset", &["rs"], "apps", "v1", true),
    t(
        "controllerrevisions",
        "controllerrevision",
        &[],
        "apps",
        "v1",
        true,
    ),
    t(
        "horizontalpodautoscalers",
        "horizontalpodautoscaler",
        &["hpa"],
        "autoscaling",
        "v2",
        true,
    ),
    t("jobs", "job", &[], "batch", "v1", true),
    t("cronjobs", "cronjob", &["cj"], "batch", "v1", true),
    t(
        "ingresses",
        "ingress",
        &["ing"],
        "networking.k8s.io",
        "v1",
        true,
    ),
    t(
        "networkpolicies",
        "networkpolicy",
        &["netpol"],
        "networking.k8s.io",
        "v1",
        true,
    ),
    t(
        "ingressclasses",
        "ingressclass",
        &[],
        "networking.k8s.io",
        "v1",
        false,
    ),
    t(
        "poddisruptionbudgets",
        "poddisruptionbudget",
        &["pdb"],
        "policy",
        "v1",
        true,
    ),
    t(
        "roles",
        "role",
        &[],
        "rbac.authorization.k8s.io",
        "v1",
        true,
    ),
    t(
        "rolebindings",
        "rolebinding",
        &[],
        "rbac.authorization.k8s.io",
        "v1",
        true,
    ),
    t(
        "clusterroles",
        "clusterrole",
        &[],
        "rbac.authorization.k8s.io",
        "v1",
        false,
    ),
    t(
        "clusterrolebindings",
        "clusterrolebinding",
        &[],
        "rbac.authorization.k8s.io",
        "v1",
        false,
    ),
    t(
        "storageclasses",
        "storageclass",
        &["sc"],
        "storage.k8s.io",
        "v1",
        false,
    ),
    t(
        "csidrivers",
        "csidriver",
        &[],
        "storage.k8s.io",
        "v1",
        false,
    ),
    t("csinodes", "csinode", &[], "storage.k8s.io", "v1", false),
    t(
        "volumeattachments",
        "volumeattachment",
        &[],
        "storage.k8s.io",
        "v1",
        false,
    ),
    t(
        "endpointslices",
        "endpointslice",
        &[],
        "discovery.k8s.io",
        "v1",
        true,
    ),
    t("leases", "lease", &[], "coordination.k8s.io", "v1", true),
    t(
        "priorityclasses",
        "priorityclass",
        &["pc"],
        "scheduling.k8s.io",
        "v1",
        false,
    ),
    t(
        "runtimeclasses",
        "runtimeclass",
        &[],
        "node.k8s.io",
        "v1",
        false,
    ),
    t(
        "customresourcedefinitions",
        "customresourcedefinition",
        &["crd", "crds"],
        "apiextensions.k8s.io",
        "v1",
        false,
    ),
    t(
        "apiservices",
        "apiservice",
        &[],
        "apiregistration.k8s.io",
        "v1",
        false,
    ),
    t(
        "certificatesigningrequests",
        "certificatesigningrequest",
        &["csr"],
        "certificates.k8s.io",
        "v1",
        false,
    ),
    t(
        "validatingwebhookconfigurations",
        "validatingwebhookconfiguration",
        &[],
        "admissionregistration.k8s.io",
        "v1",
        false,
    ),
    t(
        "mutatingwebhookconfigurations",
        "mutatingwebhookconfiguration",
        &[],
        "admissionregistration.k8s.io",
        "v1",
        false,
    ),
    t(
        "tokenreviews",
        "tokenreview",
        &[],
        "authentication.k8s.io",
        "v1",
        false,
    ),
    t(
        "selfsubjectreviews",
        "selfsubjectreview",
        &[],
        "authentication.k8s.io",
        "v1",
        false,
    ),
    t(
        "selfsubjectaccessreviews",
        "selfsubjectaccessreview",
        &[],
        "authorization.k8s.io",
        "v1",
        false,
    ),
    t(
        "selfsubjectrulesreviews",
        "selfsubjectrulesreview",
        &[],
        "authorization.k8s.io",
        "v1",
        false,
    ),
    t(
        "subjectaccessreviews",
        "subjectaccessreview",
        &[],
        "authorization.k8s.io",
        "v1",
        false,
    ),
    t(
        "localsubjectaccessreviews",
        "localsubjectaccessreview",
        &[],
        "authorization.k8s.io",
        "v1",
        true,
    ),
    t(
        "flowschemas",
        "flowschema",
        &[],
        "flowcontrol.apiserver.k8s.io",
        "v1",
        false,
    ),
    t(
        "prioritylevelconfigurations",
        "prioritylevelconfiguration",
        &[],
        "flowcontrol.apiserver.k8s.io",
        "v1",
        false,
    ),
    t("events", "event", &["ev"], "events.k8s.io", "v1", true),
];

/// A resource argument resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The API group.
    pub group: String,
    /// The plural resource name.
    pub resource: String,
    /// Some(namespaced) for a known type; None when taken as given.
    pub namespaced: Option<bool>,
}

/// Names kubectl passes through without looking them up (impersonation targets).
const NON_STANDARD: &[(&str, &str)] = &[
    ("users", ""),
    ("groups", ""),
    ("userextras", "authentication.k8s.io"),
    ("uids", "authentication.k8s.io"),
];

fn lookup(
    resource: &str,
    group: Option<&str>,
    version: Option<&str>,
) -> Option<&'static ResourceType> {
    TYPES.iter().find(|ty| {
        group.is_none_or(|g| g == ty.group)
            && version.is_none_or(|v| v == ty.version)
            && (ty.plural == resource || ty.singular == resource || ty.short.contains(&resource))
    })
}

/// Resolves `TYPE[.VERSION.GROUP]` or `TYPE[.GROUP]` as kubectl's
/// `auth can-i` does (case-insensitive: `Pod`, `pod`, `pods`, `po`).
/// The second value is kubectl's warning for an unknown type, if any.
pub fn resolve(arg: &str) -> (Resolved, Option<String>) {
    if arg == "*" {
        let r = Resolved {
            group: String::new(),
            resource: "*".into(),
            namespaced: None,
        };
        return (r, None);
    }
    let lower = arg.to_lowercase();
    let known = |ty: &ResourceType| Resolved {
        group: ty.group.to_string(),
        resource: ty.plural.to_string(),
        namespaced: Some(ty.namespaced),
    };
    let parts: Vec<&str> = lower.splitn(3, '.').collect();
    if parts.len() == 3 {
        if let Some(ty) = lookup(parts[0], Some(parts[2]), Some(parts[1])) {
            return (known(ty), None);
        }
    }
    let (resource, group) = match lower.split_once('.') {
        Some((r, g)) => (r, Some(g)),
        None => (lower.as_str(), None),
    };
    if let Some(ty) = lookup(resource, group, None) {
        return (known(ty), None);
    }
    let group = group.unwrap_or("");
    let given = Resolved {
        group: group.to_string(),
        resource: resource.to_string(),
        namespaced: None,
    };
    if NON_STANDARD.contains(&(resource, group)) {
        return (given, None);
    }
    let warning = if group.is_empty() {
        format!("the server doesn't have a resource type '{resource}'")
    } else {
        format!("the server doesn't have a resource type '{resource}' in group '{group}'")
    };
    (given, Some(warning))
}

/// Verbs kubectl knows for resources; others draw a warning.
pub const RESOURCE_VERBS: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "use",
    "bind",
    "impersonate",
    "*",
    "approve",
    "sign",
    "escalate",
    "attest",
];

/// Verbs kubectl knows for non-resource URLs; others draw a warning.
pub const NON_RESOURCE_VERBS: &[&str] = &[
    "get", "put", "post", "head", "options", "delete", "patch", "*",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(arg: &str, group: &str, resource: &str, namespaced: Option<bool>, warns: bool) {
        let (r, w) = resolve(arg);
        assert_eq!(
            (
                r.group.as_str(),
                r.resource.as_str(),
                r.namespaced,
                w.is_some()
            ),
            (group, resource, namespaced, warns),
            "{arg}"
        );
    }

    #[test]
    fn resolves_like_kubectl() {
        check("pods", "", "pods", Some(true), false);
        check("po", "", "pods", Some(true), false);
        check("Pod", "", "pods", Some(true), false);
        check("deploy", "apps", "deployments", Some(true), false);
        check("deployments.apps", "apps", "deployments", Some(true), false);
        check(
            "deployments.v1.apps",
            "apps",
            "deployments",
            Some(true),
            false,
        );
        check(
            "hpa",
            "autoscaling",
            "horizontalpodautoscalers",
            Some(true),
            false,
        );
        check(
            "netpol",
            "networking.k8s.io",
            "networkpolicies",
            Some(true),
            false,
        );
        check("ns", "", "namespaces", Some(false), false);
        check("no", "", "nodes", Some(false), false);
        check(
            "clusterroles",
            "rbac.authorization.k8s.io",
            "clusterroles",
            Some(false),
            false,
        );
        check("events", "", "events", Some(true), false);
        check(
            "events.events.k8s.io",
            "events.k8s.io",
            "events",
            Some(true),
            false,
        );
        check("widgets.example.com", "example.com", "widgets", None, true);
        check("widgets", "", "widgets", None, true);
        check("users", "", "users", None, false);
        check("*", "", "*", None, false);
    }
}

/// kubectl's positional arguments that do not make a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// A URL together with a name.
    #[error("NonResourceURL and ResourceName can not specified together: drop {0:?}")]
    UrlWithName(String),
    /// A URL together with `--subresource`.
    #[error("--subresource can not be used with NonResourceURL {0}")]
    UrlWithSubresource(String),
    /// `TYPE/NAME NAME`.
    #[error("name given twice ({0} and {1}): use TYPE/NAME or TYPE NAME")]
    NameTwice(String, String),
    /// Nothing before the `/`, or no argument at all.
    #[error("no resource type in {0:?}: write TYPE, TYPE/NAME or a URL starting with /")]
    NoType(String),
}

/// The request of `kubectl auth can-i VERB WHAT... [-n NS | -A]
/// [--subresource S]`: `WHAT` is `TYPE[.GROUP]`, `TYPE NAME`, `TYPE/NAME` or a
/// URL starting with `/`; `namespace` None means `-A` (namespace "").
/// The second value holds kubectl's warnings (unknown type or verb, a
/// namespace given for a cluster-scoped type); the request is made anyway,
/// as kubectl makes it.
pub fn request(
    verb: &str,
    what: &[String],
    namespace: Option<&str>,
    subresource: Option<&str>,
) -> Result<(super::Target, Vec<String>), RequestError> {
    use super::Target;
    let mut warnings = Vec::new();
    let first = what.first().map(String::as_str).unwrap_or("");
    if first.starts_with('/') {
        if let Some(name) = what.get(1) {
            return Err(RequestError::UrlWithName(name.clone()));
        }
        if subresource.is_some() {
            return Err(RequestError::UrlWithSubresource(first.to_string()));
        }
        if !NON_RESOURCE_VERBS.contains(&verb) {
            warnings.push(format!("verb '{verb}' is not a known verb"));
        }
        let path = first.to_string();
        return Ok((Target::NonResource { path }, warnings));
    }
    let (type_arg, mut name) = match first.split_once('/') {
        Some((t, n)) => (t, n.to_string()),
        None => (first, String::new()),
    };
    if let Some(n) = what.get(1) {
        if !name.is_empty() {
            return Err(RequestError::NameTwice(first.to_string(), n.clone()));
        }
        name = n.clone();
    }
    if type_arg.is_empty() {
        return Err(RequestError::NoType(first.to_string()));
    }
    let (r, warning) = resolve(type_arg);
    warnings.extend(warning);
    if !RESOURCE_VERBS.contains(&verb) {
        warnings.push(format!("verb '{verb}' is not a known verb"));
    }
    if namespace.is_some() && r.namespaced == Some(false) {
        warnings.push(if r.group.is_empty() {
            format!("resource '{}' is not namespace scoped", r.resource)
        } else {
            format!(
                "resource '{}' is not namespace scoped in group '{}'",
                r.resource, r.group
            )
        });
    }
    let target = Target::Resource {
        namespace: namespace.unwrap_or("").to_string(),
        api_group: r.group,
        resource: r.resource,
        subresource: subresource.unwrap_or("").to_string(),
        name,
    };
    Ok((target, warnings))
}
