//! The Kubernetes REST surface over the lab world: one dispatcher that reads
//! the path (`/api/v1/namespaces/default/pods/NAME/log`, `/apis/apps/v1/...`),
//! the verb, the query (`labelSelector`, `fieldSelector`, `limit`, `watch`,
//! `dryRun`) and the `Accept` header (a `Table` when kubectl asks for one),
//! and answers as the API server would. Writes go through the strict
//! manifest parser and `World::apply`. Not discovery (see `discovery`) nor
//! patch arithmetic (see `patch`).

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{ACCEPT, CONTENT_TYPE, HOST};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use kubeprep_sim::lab::table::{self, FieldSelector, Item, Resource, Selector};
use kubeprep_sim::lab::{Change, Kind, LabError, World};
use kubeprep_sim::manifest::{self, ProblemKind};
use serde_json::{json, Value};

use super::discovery;
use super::status::ApiError;
use super::{body_bytes, Lab};
use kubeprep_sim::lab::patch::{self, PatchType};

type Query = BTreeMap<String, String>;

fn ok_json(code: StatusCode, v: Value) -> Response {
    (code, axum::Json(v)).into_response()
}

/// Every request that is not one of the lab's own endpoints.
pub(super) async fn dispatch(State(lab): State<Lab>, req: Request) -> Response {
    match handle(lab, req).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn handle(lab: Lab, req: Request) -> Result<Response, ApiError> {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let query: Query = axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
        .map_err(|e| ApiError::bad_request(format!("malformed query: {e}")))?
        .0
        .into_iter()
        .collect();
    let header = |h| {
        parts
            .headers
            .get(h)
            .and_then(|v: &axum::http::HeaderValue| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let accept = header(ACCEPT);
    let content_type = header(CONTENT_TYPE);
    let host = header(HOST);
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let method = parts.method.clone();
    if method == Method::GET {
        let doc = match segs.as_slice() {
            ["version"] => Some(discovery::version()),
            ["api"] => Some(discovery::core_versions(&host)),
            ["apis"] => Some(discovery::groups()),
            ["apis", g] => discovery::one_group(g),
            ["api", "v1"] => discovery::resources(""),
            ["apis", g, "v1"] => discovery::resources(g),
            ["openapi", "v3"] => Some(discovery::openapi_index()),
            ["openapi", "v3", rest @ ..] => {
                Some(discovery::openapi_document(&rest.join("/")).ok_or_else(ApiError::no_route)?)
            }
            _ => None,
        };
        if let Some(d) = doc {
            return Ok(ok_json(StatusCode::OK, d));
        }
    }
    let (group, rest) = match segs.as_slice() {
        ["api", "v1", rest @ ..] => ("", rest),
        ["apis", g, "v1", rest @ ..] => (*g, rest),
        _ => return Err(ApiError::no_route()),
    };
    let find = |plural: &str| {
        Resource::ALL
            .into_iter()
            .find(|r| r.group() == group && r.plural() == plural)
            .ok_or_else(ApiError::no_route)
    };
    // (resource, name, subresource, namespace given)
    let (resource, name, sub, namespace): (Resource, Option<&str>, Option<&str>, Option<&str>) =
        match rest {
            ["namespaces"] if group.is_empty() => (Resource::Namespaces, None, None, None),
            ["namespaces", ns] if group.is_empty() => (Resource::Namespaces, Some(*ns), None, None),
            ["namespaces", ns, res, tail @ ..] => {
                let r = find(res)?;
                if !r.namespaced() {
                    return Err(ApiError::no_route());
                }
                match tail {
                    [] => (r, None, None, Some(*ns)),
                    [n] => (r, Some(*n), None, Some(*ns)),
                    [n, s] => (r, Some(*n), Some(*s), Some(*ns)),
                    _ => return Err(ApiError::no_route()),
                }
            }
            [res] => (find(res)?, None, None, None),
            [res, n] => {
                let r = find(res)?;
                if r.namespaced() {
                    return Err(ApiError::no_route());
                }
                (r, Some(*n), None, None)
            }
            _ => return Err(ApiError::no_route()),
        };
    if let Some(ns) = namespace.filter(|ns| *ns != "default") {
        if method == Method::GET && name.is_none() {
            let mut st = lab.lock();
            let rv = st.next_revision();
            return Ok(list_response(resource, &[], &accept, &query, rv));
        }
        return Err(ApiError::not_found("namespaces", ns));
    }
    let body = body_bytes(body).await?;

    let dry_run = query.get("dryRun").is_some_and(|v| v == "All");
    let table = accept.contains("as=Table");
    match (method.clone(), name, sub) {
        (Method::GET, None, None) => {
            let labels = Selector::parse(query.get("labelSelector").map_or("", String::as_str))
                .map_err(|e| ApiError::bad_request(e.0))?;
            let fields = FieldSelector::parse(
                query.get("fieldSelector").map_or("", String::as_str),
                resource,
            )
            .map_err(|e| {
                ApiError::bad_request(format!(
                    "Unable to find \"{}\" that match label selector \"{}\", field selector \"{}\": {}",
                    resource.qualified(),
                    query.get("labelSelector").map_or("", String::as_str),
                    query.get("fieldSelector").map_or("", String::as_str),
                    e.0
                ))
            })?;
            if matches!(query.get("watch").map(String::as_str), Some("true" | "1")) {
                return Ok(watch(lab, resource, labels, fields, table, &query));
            }
            let mut st = lab.lock();
            let rv = st.next_revision();
            let mut items: Vec<Item> = items(&st.world, resource)
                .into_iter()
                .filter(|i| i.selected(&labels, &fields))
                .collect();
            if let Some(limit) = query.get("limit").and_then(|l| l.parse::<usize>().ok()) {
                if limit > 0 {
                    items.truncate(limit);
                }
            }
            Ok(list_response(resource, &items, &accept, &query, rv))
        }
        (Method::GET, Some(n), None) => {
            let st = lab.lock();
            let item = find_item(&st.world, resource, n)?;
            if table {
                Ok(ok_json(
                    StatusCode::OK,
                    table_doc(resource, &[item], &query, 0),
                ))
            } else {
                Ok(ok_json(StatusCode::OK, item.object))
            }
        }
        (_, Some(_), Some("exec" | "attach" | "portforward")) if resource == Resource::Pods => {
            Err(ApiError::not_allowed(
                "the lab cannot open a session in a container; `kubeprep lab start crashloop` has a shell that answers `kubectl exec` and `kubectl run debug`",
            ))
        }
        (Method::GET, Some(n), Some("log")) if resource == Resource::Pods => {
            let st = lab.lock();
            logs(&st.world, n, &query)
        }
        (m, Some(n), Some("scale")) if resource == Resource::Deployments => {
            let mut st = lab.lock();
            scale(&mut st.world, n, m, &content_type, &body, dry_run)
        }
        (Method::POST, None, None) => {
            let mut st = lab.lock();
            let v = read_body(&body, &content_type)?;
            let name = v["metadata"]["name"].as_str().unwrap_or("").to_string();
            if find_item(&st.world, resource, &name).is_ok() {
                return Err(ApiError::already_exists(&resource.qualified(), &name));
            }
            let out = write(&mut st.world, resource, &name, v, dry_run)?;
            Ok(ok_json(StatusCode::CREATED, out))
        }
        (Method::PUT, Some(n), None) => {
            let mut st = lab.lock();
            let v = read_body(&body, &content_type)?;
            let body_name = v["metadata"]["name"].as_str().unwrap_or("");
            if body_name != n {
                return Err(ApiError::bad_request(format!(
                    "the name of the object ({body_name}) does not match the name on the URL ({n})"
                )));
            }
            find_item(&st.world, resource, n)?;
            let out = write(&mut st.world, resource, n, v, dry_run)?;
            Ok(ok_json(StatusCode::OK, out))
        }
        (Method::PATCH, Some(n), None) => {
            let mut st = lab.lock();
            let kind = PatchType::from_content_type(&content_type)
                .ok_or_else(|| ApiError::unsupported_media(&content_type))?;
            let current = match find_item(&st.world, resource, n) {
                Ok(i) => i.object,
                // Server-side apply creates what does not exist yet.
                Err(_) if kind == PatchType::Apply => json!({}),
                Err(e) => return Err(e),
            };
            let new =
                patch::apply(kind, &current, &body).map_err(|e| ApiError::bad_request(e.0))?;
            let out = write(&mut st.world, resource, n, new, dry_run)?;
            Ok(ok_json(StatusCode::OK, out))
        }
        (Method::DELETE, Some(n), None) => {
            let mut st = lab.lock();
            delete(&mut st.world, resource, n, dry_run)
        }
        (Method::GET | Method::POST | Method::PUT | Method::PATCH | Method::DELETE, _, _) => {
            Err(ApiError::not_allowed(format!(
                "the server does not allow this method on the requested resource ({method} {})",
                resource.qualified()
            )))
        }
        _ => Err(ApiError::not_allowed(format!(
            "the server does not allow this method on the requested resource ({method})"
        ))),
    }
}

/// Every object of `resource`, its timestamps moved onto the wall clock.
fn items(world: &World, resource: Resource) -> Vec<Item> {
    let offset = wall_offset_ms(world);
    let mut all = table::items(world, resource);
    for i in &mut all {
        shift_times(&mut i.object, offset);
    }
    all
}

/// How far the world's clock is behind the wall clock. kubectl computes
/// ages (`describe`, `-o yaml`, `get -w`) from timestamps and its own clock,
/// so every timestamp served is moved by this much: the world's "now" is
/// served as the real now and ages come out as the world has them.
fn wall_offset_ms(world: &World) -> i64 {
    let d = chrono::Utc::now().timestamp_millis() - world.now().timestamp_millis();
    d - d.rem_euclid(1000)
}

/// Moves every RFC 3339 timestamp string in `v` by `offset_ms`.
fn shift_times(v: &mut Value, offset_ms: i64) {
    match v {
        Value::String(s) => {
            let looks_like_time = s.len() >= 20
                && s.ends_with('Z')
                && s.as_bytes().get(10) == Some(&b'T')
                && s.as_bytes()[..4].iter().all(u8::is_ascii_digit);
            if looks_like_time {
                if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
                    let t =
                        t.with_timezone(&chrono::Utc) + chrono::Duration::milliseconds(offset_ms);
                    let fmt = if s.contains('.') {
                        chrono::SecondsFormat::Micros
                    } else {
                        chrono::SecondsFormat::Secs
                    };
                    *s = t.to_rfc3339_opts(fmt, true);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| shift_times(x, offset_ms)),
        Value::Object(m) => m.values_mut().for_each(|x| shift_times(x, offset_ms)),
        _ => {}
    }
}

fn find_item(world: &World, resource: Resource, name: &str) -> Result<Item, ApiError> {
    items(world, resource)
        .into_iter()
        .find(|i| i.name() == name)
        .ok_or_else(|| ApiError::not_found(&resource.qualified(), name))
}

fn list_kind(resource: Resource) -> String {
    format!("{}List", resource.kind())
}

fn list_response(
    resource: Resource,
    items: &[Item],
    accept: &str,
    query: &Query,
    rv: u64,
) -> Response {
    if accept.contains("as=Table") {
        return ok_json(StatusCode::OK, table_doc(resource, items, query, rv));
    }
    ok_json(
        StatusCode::OK,
        json!({
            "kind": list_kind(resource),
            "apiVersion": resource.api_version(),
            "metadata": {"resourceVersion": rv.to_string()},
            "items": items.iter().map(|i| i.object.clone()).collect::<Vec<_>>(),
        }),
    )
}

/// A `meta.k8s.io/v1` Table of `items`, with each row's object as
/// `includeObject` asks (`Metadata` by default, `Object`, or `None`).
fn table_doc(resource: Resource, items: &[Item], query: &Query, rv: u64) -> Value {
    let include = query
        .get("includeObject")
        .map_or("Metadata", String::as_str);
    let columns: Vec<Value> = table::columns(resource)
        .iter()
        .map(|c| {
            json!({"name": c.name, "type": c.type_, "format": c.format,
                   "description": c.description, "priority": c.priority})
        })
        .collect();
    let rows: Vec<Value> = items
        .iter()
        .map(|i| {
            let cells: Vec<Value> = i
                .cells
                .iter()
                .map(|c| match c {
                    table::Cell::Text(s) => Value::String(s.clone()),
                    table::Cell::Int(n) => json!(n),
                })
                .collect();
            let mut row = json!({"cells": cells});
            match include {
                "None" => {}
                "Object" => row["object"] = i.object.clone(),
                _ => {
                    row["object"] = json!({
                        "kind": "PartialObjectMetadata",
                        "apiVersion": "meta.k8s.io/v1",
                        "metadata": i.object.get("metadata").cloned().unwrap_or(json!({})),
                    })
                }
            }
            row
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": rv.to_string()},
        "columnDefinitions": columns,
        "rows": rows,
    })
}

fn logs(world: &World, pod: &str, query: &Query) -> Result<Response, ApiError> {
    let previous = matches!(
        query.get("previous").map(String::as_str),
        Some("true" | "1")
    );
    let container = query
        .get("container")
        .map(String::as_str)
        .filter(|c| !c.is_empty());
    let lines = world.logs(pod, container, previous).map_err(|e| match e {
        LabError::NotFound { kind, name } => ApiError::not_found(kind, &name),
        other => ApiError::bad_request(other.to_string()),
    })?;
    let skip = match query.get("tailLines").map(|t| t.parse::<i64>()) {
        Some(Ok(n)) if n >= 0 => lines.len().saturating_sub(n as usize),
        Some(Ok(_)) | None => 0,
        Some(Err(_)) => {
            return Err(ApiError::bad_request(format!(
                "invalid tailLines {:?}: must be an integer",
                query.get("tailLines").map_or("", String::as_str)
            )))
        }
    };
    let mut text = lines[skip..].join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    Ok((StatusCode::OK, [(CONTENT_TYPE, "text/plain")], text).into_response())
}

/// A request body as JSON (kubectl sends JSON or protobuf; YAML is accepted too).
fn read_body(body: &[u8], content_type: &str) -> Result<Value, ApiError> {
    if content_type.starts_with("application/vnd.kubernetes.protobuf") {
        // kubectl's typed clients (`create configmap|secret`) send protobuf.
        return super::proto::decode(body).map_err(|e| ApiError::bad_request(e.0));
    }
    let yaml = content_type.contains("yaml");
    let kind = if yaml {
        PatchType::Apply
    } else {
        PatchType::Merge
    };
    patch::parse_body(kind, body).map_err(|e| ApiError::bad_request(e.0))
}

fn lab_kind(resource: Resource) -> Option<Kind> {
    Some(match resource {
        Resource::Pods => Kind::Pod,
        Resource::Deployments => Kind::Deployment,
        Resource::ReplicaSets => Kind::ReplicaSet,
        Resource::Services => Kind::Service,
        Resource::ConfigMaps => Kind::ConfigMap,
        Resource::Secrets => Kind::Secret,
        Resource::NetworkPolicies => Kind::NetworkPolicy,
        _ => return None,
    })
}

fn lab_error(resource: Resource, name: &str, e: LabError) -> ApiError {
    match e {
        LabError::NotFound { kind, name } => ApiError::not_found(kind, &name),
        LabError::Invalid(m) => ApiError::invalid(&resource.qualified(), name, m),
        LabError::Unsupported(m) => ApiError::not_allowed(format!("the lab cannot {m}")),
        other => ApiError::bad_request(other.to_string()),
    }
}

/// `Kind.group` as the API server names a kind in its `is invalid` messages.
fn kind_name(resource: Resource) -> String {
    match resource.group() {
        "" => resource.kind().to_string(),
        g => format!("{}.{g}", resource.kind()),
    }
}

/// Creates or replaces `name` with the object `v`, through the strict
/// manifest parser and the world; returns the object as stored.
fn write(
    world: &mut World,
    resource: Resource,
    name: &str,
    mut v: Value,
    dry_run: bool,
) -> Result<Value, ApiError> {
    if !v.is_object() {
        return Err(ApiError::bad_request("the body must be a JSON object"));
    }
    let got_kind = v["kind"].as_str().unwrap_or("");
    let got_api = v["apiVersion"].as_str().unwrap_or("");
    if got_kind != resource.kind() || got_api != resource.api_version() {
        return Err(ApiError::bad_request(format!(
            "the API version in the data ({got_api}) and kind ({got_kind}) do not match the request's ({}, {})",
            resource.api_version(),
            resource.kind()
        )));
    }
    if name.is_empty() {
        return Err(ApiError::invalid(
            &resource.qualified(),
            name,
            format!("{} \"\" is invalid: metadata.name: Required value: name or generateName is required", resource.kind()),
        ));
    }
    if let Some(ns) = v["metadata"]["namespace"].as_str() {
        if !ns.is_empty() && ns != "default" {
            return Err(ApiError::bad_request(format!(
                "the namespace of the provided object ({ns}) does not match the namespace sent on the request (default)"
            )));
        }
    }
    if resource.namespaced() {
        v["metadata"]["namespace"] = "default".into();
    }
    let mut target = world.clone();
    if resource == Resource::Pods {
        pod_update(&mut target, name, &v)?;
    } else {
        let Some(_) = lab_kind(resource).filter(|_| !matches!(resource, Resource::ReplicaSets))
        else {
            return Err(ApiError::not_allowed(format!(
                "the lab does not let you write {} (its controllers own them)",
                resource.qualified()
            )));
        };
        let object = to_manifest(resource, name, v)?;
        target
            .apply(Change::Apply(object))
            .map_err(|e| lab_error(resource, name, e))?;
    }
    let stored = find_item(&target, resource, name)?.object;
    if !dry_run {
        *world = target;
    }
    Ok(stored)
}

/// The object as the manifest parser reads it: without the fields the
/// server owns (status, uid, resourceVersion, managedFields, ...).
fn to_manifest(resource: Resource, name: &str, mut v: Value) -> Result<manifest::Object, ApiError> {
    if let Some(m) = v.as_object_mut() {
        m.remove("status");
    }
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        for f in [
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "generation",
            "managedFields",
            "selfLink",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
        ] {
            meta.remove(f);
        }
        if meta
            .get("annotations")
            .is_some_and(|a| a.as_object().is_some_and(|a| a.is_empty()))
        {
            meta.remove("annotations");
        }
    }
    let text = v.to_string();
    let parsed = manifest::parse_str(&format!("{}/{name}", resource.plural()), &text);
    if let Some(p) = parsed.problems.first() {
        let where_ = if p.path.is_empty() {
            String::new()
        } else {
            format!("{}: ", p.path)
        };
        let hint = p
            .hint
            .as_ref()
            .map(|h| format!(" ({h})"))
            .unwrap_or_default();
        return Err(match p.kind {
            ProblemKind::UnknownField | ProblemKind::Syntax | ProblemKind::UnknownKind => {
                ApiError::bad_request(format!(
                    "{} in version \"{}\" cannot be handled as a {}: strict decoding error: {where_}{}{hint}",
                    resource.kind(),
                    resource.api_version().rsplit('/').next().unwrap_or("v1"),
                    resource.kind(),
                    p.message
                ))
            }
            _ => ApiError::invalid(
                &resource.qualified(),
                name,
                format!("{} \"{name}\" is invalid: {where_}{}{hint}", kind_name(resource), p.message),
            ),
        });
    }
    parsed
        .documents
        .into_iter()
        .next()
        .map(|d| d.object)
        .ok_or_else(|| ApiError::bad_request("the body holds no object"))
}

/// A Pod write: only its labels can change in the lab.
fn pod_update(world: &mut World, name: &str, v: &Value) -> Result<(), ApiError> {
    let current = find_item(world, Resource::Pods, name).map_err(|_| {
        ApiError::not_allowed(
            "the lab cannot create Pods: its controllers do (use `kubeprep lab start` for `kubectl run debug`)",
        )
    })?;
    let cur = &current.object;
    if v.get("spec").is_some_and(|s| s != &cur["spec"]) {
        return Err(ApiError::invalid(
            "pods",
            name,
            format!("Pod \"{name}\" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative); the lab changes only a Pod's labels: change its Deployment instead"),
        ));
    }
    let labels: BTreeMap<String, String> = match v["metadata"].get("labels") {
        None | Some(Value::Null) => BTreeMap::new(),
        Some(l) => serde_json::from_value(l.clone()).map_err(|e| {
            ApiError::invalid(
                "pods",
                name,
                format!("Pod \"{name}\" is invalid: metadata.labels: {e}"),
            )
        })?,
    };
    for (k, val) in &labels {
        let probe = if val.is_empty() {
            k.clone()
        } else {
            format!("{k}={val}")
        };
        Selector::parse(&probe).map_err(|e| {
            ApiError::invalid(
                "pods",
                name,
                format!("Pod \"{name}\" is invalid: metadata.labels: {e}"),
            )
        })?;
    }
    world
        .apply(Change::LabelPod {
            name: name.to_string(),
            labels,
        })
        .map_err(|e| lab_error(Resource::Pods, name, e))
}

fn delete(
    world: &mut World,
    resource: Resource,
    name: &str,
    dry_run: bool,
) -> Result<Response, ApiError> {
    let Some(kind) = lab_kind(resource) else {
        return Err(ApiError::not_allowed(format!(
            "the lab does not let you delete {}",
            resource.qualified()
        )));
    };
    let item = find_item(world, resource, name)?;
    if !dry_run {
        world
            .apply(Change::Delete {
                kind,
                name: name.to_string(),
            })
            .map_err(|e| lab_error(resource, name, e))?;
    }
    if resource == Resource::Pods {
        // The API server answers a Pod delete with the Pod, now terminating.
        let now = find_item(world, resource, name)
            .map(|i| i.object)
            .unwrap_or(item.object);
        return Ok(ok_json(StatusCode::OK, now));
    }
    Ok(ok_json(
        StatusCode::OK,
        json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Success",
            "details": {"name": name, "group": resource.group(), "kind": resource.plural(),
                        "uid": item.meta.uid.unwrap_or_default()},
        }),
    ))
}

/// `deployments/{name}/scale`: get, patch or replace the replica count.
fn scale(
    world: &mut World,
    name: &str,
    method: Method,
    content_type: &str,
    body: &[u8],
    dry_run: bool,
) -> Result<Response, ApiError> {
    let d = find_item(world, Resource::Deployments, name)?;
    let replicas = d.object["spec"]["replicas"].as_i64().unwrap_or(1);
    let doc = |obj: &Value, replicas: i64| {
        json!({
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {"name": name, "namespace": "default",
                         "uid": obj["metadata"]["uid"], "creationTimestamp": obj["metadata"]["creationTimestamp"]},
            "spec": {"replicas": replicas},
            "status": {"replicas": obj["status"]["replicas"].as_i64().unwrap_or(0),
                       "selector": d.cells.get(7).map(|c| c.to_string()).unwrap_or_default()},
        })
    };
    let current = doc(&d.object, replicas);
    let wanted = match method {
        Method::GET => return Ok(ok_json(StatusCode::OK, current)),
        Method::PATCH => {
            let kind = PatchType::from_content_type(content_type)
                .ok_or_else(|| ApiError::unsupported_media(content_type))?;
            patch::apply(kind, &current, body).map_err(|e| ApiError::bad_request(e.0))?
        }
        Method::PUT => read_body(body, content_type)?,
        _ => return Err(ApiError::not_allowed("scale takes get, patch and update")),
    };
    let Some(n) = wanted["spec"]["replicas"].as_i64() else {
        return Err(ApiError::invalid(
            "deployments.apps",
            name,
            format!("Scale.autoscaling \"{name}\" is invalid: spec.replicas: Required value"),
        ));
    };
    if n < 0 {
        return Err(ApiError::invalid(
            "deployments.apps",
            name,
            format!("Scale.autoscaling \"{name}\" is invalid: spec.replicas: Invalid value: {n}: must be greater than or equal to 0"),
        ));
    }
    let mut obj = d.object.clone();
    obj["spec"]["replicas"] = json!(n);
    let stored = write(world, Resource::Deployments, name, obj, dry_run)?;
    Ok(ok_json(StatusCode::OK, doc(&stored, n)))
}

// ------------------------------------------------------------------- watch

/// How often a watch looks at the world for changes (wall time).
const WATCH_POLL: Duration = Duration::from_millis(250);

/// The longest a watch stays open when the client gives no timeout.
const WATCH_MAX: Duration = Duration::from_secs(30 * 60);

struct Watch {
    lab: Lab,
    resource: Resource,
    labels: Selector,
    fields: FieldSelector,
    table: bool,
    query: Query,
    seen: BTreeMap<String, (Value, Item)>,
    offset: i64,
    queue: VecDeque<Bytes>,
    deadline: Instant,
    first: bool,
}

impl Watch {
    fn current(&mut self) -> BTreeMap<String, (Value, Item)> {
        let mut st = self.lab.lock();
        st.sync();
        self.offset = wall_offset_ms(&st.world);
        table::items(&st.world, self.resource)
            .into_iter()
            .filter(|i| i.selected(&self.labels, &self.fields))
            .map(|i| (i.name().to_string(), (i.object.clone(), i)))
            .collect()
    }

    fn event(&self, type_: &str, item: &Item) -> Bytes {
        // Diffs compare the world's own timestamps; only what is sent moves.
        let mut item = item.clone();
        shift_times(&mut item.object, self.offset);
        let object = if self.table {
            table_doc(self.resource, std::slice::from_ref(&item), &self.query, 0)
        } else {
            item.object
        };
        let mut line = json!({"type": type_, "object": object}).to_string();
        line.push('\n');
        Bytes::from(line)
    }

    /// Queues ADDED, MODIFIED and DELETED events for what changed.
    fn diff(&mut self, now: BTreeMap<String, (Value, Item)>) {
        for (name, (obj, item)) in &now {
            match self.seen.get(name) {
                None => self.queue.push_back(self.event("ADDED", item)),
                Some((old, _)) if old != obj => self.queue.push_back(self.event("MODIFIED", item)),
                _ => {}
            }
        }
        for (name, (_, item)) in &self.seen {
            if !now.contains_key(name) {
                self.queue.push_back(self.event("DELETED", item));
            }
        }
        self.seen = now;
    }
}

fn watch(
    lab: Lab,
    resource: Resource,
    labels: Selector,
    fields: FieldSelector,
    table: bool,
    query: &Query,
) -> Response {
    let timeout = query
        .get("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .map_or(WATCH_MAX, |s| Duration::from_secs(s).min(WATCH_MAX));
    let mut w = Watch {
        lab,
        resource,
        labels,
        fields,
        table,
        query: query.clone(),
        seen: BTreeMap::new(),
        offset: 0,
        queue: VecDeque::new(),
        deadline: Instant::now() + timeout,
        first: true,
    };
    // From a list's resourceVersion the client has seen the current state;
    // without one (or "0") it starts with every object as ADDED.
    let from_list = query
        .get("resourceVersion")
        .is_some_and(|rv| !rv.is_empty() && rv != "0");
    if from_list {
        w.seen = w.current();
        w.first = false;
    }
    let stream = futures_util::stream::unfold(w, |mut w| async move {
        loop {
            if let Some(b) = w.queue.pop_front() {
                return Some((Ok::<Bytes, std::convert::Infallible>(b), w));
            }
            if Instant::now() >= w.deadline {
                return None;
            }
            if !w.first {
                tokio::time::sleep(WATCH_POLL).await;
            }
            w.first = false;
            let now = w.current();
            w.diff(now);
        }
    });
    let ct = if table {
        "application/json;as=Table;v=v1;g=meta.k8s.io"
    } else {
        "application/json"
    };
    (
        StatusCode::OK,
        [(CONTENT_TYPE, ct)],
        Body::from_stream(stream),
    )
        .into_response()
}
