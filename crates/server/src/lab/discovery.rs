//! Discovery and OpenAPI: what kubectl asks before it does anything. The
//! legacy discovery documents (`/api`, `/apis`, one `APIResourceList` per
//! group version: kubectl falls back to them cleanly when the server answers
//! plain JSON to its aggregated-discovery `Accept`), `/version`, and the
//! minimal OpenAPI v3 documents kubectl's query-parameter verifier reads to
//! learn that PATCH supports `fieldValidation` (without them `kubectl apply`
//! needs `/openapi/v2` and fails). Not the resources themselves.

use kubeprep_sim::lab::table::Resource;
use serde_json::{json, Value};

/// The group versions the lab serves, as URL prefixes without the leading
/// slash: `api/v1`, `apis/apps/v1`, `apis/networking.k8s.io/v1`.
pub const GROUP_VERSIONS: [(&str, &str); 3] =
    [("", "v1"), ("apps", "v1"), ("networking.k8s.io", "v1")];

/// `GET /version`: the Kubernetes version the lab imitates.
pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": "34",
        "gitVersion": "v1.34.0-kubeprep",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-03-02T09:00:00Z",
        "goVersion": "go1.24.0",
        "compiler": "gc",
        "platform": "linux/amd64"
    })
}

/// `GET /api`.
pub fn core_versions(addr: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": addr}]
    })
}

fn group(name: &str) -> Value {
    let gv = format!("{name}/v1");
    json!({
        "name": name,
        "versions": [{"groupVersion": gv, "version": "v1"}],
        "preferredVersion": {"groupVersion": gv, "version": "v1"}
    })
}

/// `GET /apis`.
pub fn groups() -> Value {
    json!({
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [group("apps"), group("networking.k8s.io")]
    })
}

/// `GET /apis/{group}`, when the lab serves that group.
pub fn one_group(name: &str) -> Option<Value> {
    GROUP_VERSIONS
        .iter()
        .any(|(g, _)| *g == name && !g.is_empty())
        .then(|| {
            let mut g = group(name);
            g["kind"] = "APIGroup".into();
            g["apiVersion"] = "v1".into();
            g
        })
}

const VERBS: [&str; 7] = [
    "create", "delete", "get", "list", "patch", "update", "watch",
];

/// The verbs the lab offers on `r`.
pub fn verbs(r: Resource) -> &'static [&'static str] {
    match r {
        Resource::Endpoints | Resource::Events | Resource::Nodes | Resource::Namespaces => {
            &["get", "list", "watch"]
        }
        _ => &VERBS,
    }
}

/// `GET /api/v1` or `/apis/{group}/v1`: the `APIResourceList`.
pub fn resources(group: &str) -> Option<Value> {
    if !GROUP_VERSIONS.iter().any(|(g, _)| *g == group) {
        return None;
    }
    let mut list = Vec::new();
    for r in Resource::ALL.into_iter().filter(|r| r.group() == group) {
        let mut e = json!({
            "name": r.plural(),
            "singularName": r.singular(),
            "namespaced": r.namespaced(),
            "kind": r.kind(),
            "verbs": verbs(r),
        });
        if !r.short_names().is_empty() {
            e["shortNames"] = json!(r.short_names());
        }
        if matches!(
            r,
            Resource::Pods | Resource::Services | Resource::Deployments | Resource::ReplicaSets
        ) {
            e["categories"] = json!(["all"]);
        }
        list.push(e);
        if r == Resource::Pods {
            list.push(json!({"name": "pods/log", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": ["get"]}));
        }
        if r == Resource::Deployments {
            list.push(json!({"name": "deployments/scale", "singularName": "", "namespaced": true,
                "group": "autoscaling", "version": "v1", "kind": "Scale", "verbs": ["get", "patch", "update"]}));
        }
    }
    let gv = if group.is_empty() {
        "v1".to_string()
    } else {
        format!("{group}/v1")
    };
    Some(json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": gv,
        "resources": list,
    }))
}

fn prefix(group: &str) -> String {
    if group.is_empty() {
        "api/v1".into()
    } else {
        format!("apis/{group}/v1")
    }
}

/// `GET /openapi/v3`: where each group version's document is.
pub fn openapi_index() -> Value {
    let mut paths = serde_json::Map::new();
    for (g, _) in GROUP_VERSIONS {
        let p = prefix(g);
        paths.insert(
            p.clone(),
            json!({"serverRelativeURL": format!("/openapi/v3/{p}?hash=kubeprep1")}),
        );
    }
    json!({"paths": paths})
}

/// `GET /openapi/v3/api/v1` (and the others): one PATCH operation per kind,
/// tagged with its group-version-kind and listing `fieldValidation`, which
/// is all kubectl's query-parameter verifier reads. The operations carry no
/// request body, so kubectl computes strategic merge patches from its own
/// built-in types, as it does for every core kind.
pub fn openapi_document(path: &str) -> Option<Value> {
    let (group, _) = GROUP_VERSIONS.iter().find(|(g, _)| prefix(g) == path)?;
    let mut paths = serde_json::Map::new();
    for r in Resource::ALL.into_iter().filter(|r| r.group() == *group) {
        let url = if r.namespaced() {
            format!(
                "/{}/namespaces/{{namespace}}/{}/{{name}}",
                prefix(group),
                r.plural()
            )
        } else {
            format!("/{}/{}/{{name}}", prefix(group), r.plural())
        };
        let params: Vec<Value> = ["dryRun", "fieldManager", "fieldValidation", "force"]
            .iter()
            .map(|n| json!({"name": n, "in": "query", "schema": {"type": "string", "uniqueItems": true}}))
            .collect();
        paths.insert(
            url,
            json!({"patch": {
                "operationId": format!("patch{}", r.kind()),
                "parameters": params,
                "responses": {"200": {"description": "OK"}},
                "x-kubernetes-action": "patch",
                "x-kubernetes-group-version-kind": {"group": group, "version": "v1", "kind": r.kind()},
            }}),
        );
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.34.0"},
        "paths": paths,
        "components": {"schemas": {}}
    }))
}
