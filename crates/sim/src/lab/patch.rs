//! The patch types kubectl sends, applied to an object's JSON: strategic
//! merge patch (`application/strategic-merge-patch+json`) with the merge
//! keys of the lists kubectl touches, JSON merge patch (RFC 7386), JSON
//! patch (RFC 6902), and an approximation of server-side apply
//! (`application/apply-patch+yaml`: the applied configuration merged over
//! the live object with strategic-merge semantics, without field ownership
//! or conflict detection). Pure functions over `serde_json::Value`; never
//! panics on any input (fuzzed). Not the validation of the result: the
//! manifest parser does that.

use serde_json::{Map, Value};

/// The patch formats the lab accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    /// `application/strategic-merge-patch+json`
    Strategic,
    /// `application/merge-patch+json`
    Merge,
    /// `application/json-patch+json`
    Json,
    /// `application/apply-patch+yaml` (server-side apply, approximated)
    Apply,
}

impl PatchType {
    /// The patch type of a `Content-Type` header value, parameters ignored.
    pub fn from_content_type(ct: &str) -> Option<PatchType> {
        let base = ct.split(';').next().unwrap_or("").trim();
        Some(match base {
            "application/strategic-merge-patch+json" => PatchType::Strategic,
            "application/merge-patch+json" => PatchType::Merge,
            "application/json-patch+json" => PatchType::Json,
            "application/apply-patch+yaml" | "application/apply-patch+json" => PatchType::Apply,
            _ => return None,
        })
    }
}

/// A patch that could not be read or applied, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PatchError(pub String);

/// The deepest nesting a patch may have; deeper input is refused rather
/// than recursed into.
const MAX_DEPTH: usize = 64;

fn depth(v: &Value) -> usize {
    // Iterative, so a hostile document cannot overflow the stack here.
    let mut max = 0;
    let mut stack = vec![(v, 1usize)];
    while let Some((v, d)) = stack.pop() {
        max = max.max(d);
        if d > MAX_DEPTH {
            break;
        }
        match v {
            Value::Object(m) => stack.extend(m.values().map(|c| (c, d + 1))),
            Value::Array(a) => stack.extend(a.iter().map(|c| (c, d + 1))),
            _ => {}
        }
    }
    max
}

/// Reads a patch body: JSON, or for server-side apply YAML.
pub fn parse_body(kind: PatchType, body: &[u8]) -> Result<Value, PatchError> {
    let text =
        std::str::from_utf8(body).map_err(|_| PatchError("the patch is not valid UTF-8".into()))?;
    let v: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) if kind == PatchType::Apply => serde_norway::from_str(text)
            .map_err(|y| PatchError(format!("error decoding YAML: {y} (and as JSON: {e})")))?,
        Err(e) => return Err(PatchError(format!("error decoding patch: {e}"))),
    };
    if depth(&v) > MAX_DEPTH {
        return Err(PatchError(format!(
            "the patch is nested deeper than {MAX_DEPTH} levels"
        )));
    }
    Ok(v)
}

/// Applies a patch body of `kind` to `current` and returns the new object.
pub fn apply(kind: PatchType, current: &Value, body: &[u8]) -> Result<Value, PatchError> {
    let patch = parse_body(kind, body)?;
    let mut doc = current.clone();
    match kind {
        PatchType::Strategic | PatchType::Apply => {
            if !patch.is_object() {
                return Err(PatchError(
                    "unable to find api field in struct Unstructured for the json field \"\": the patch must be a JSON object".into(),
                ));
            }
            strategic_merge(&mut doc, &patch, "")?;
        }
        PatchType::Merge => {
            if !patch.is_object() {
                return Err(PatchError(
                    "a JSON merge patch must be a JSON object".into(),
                ));
            }
            json_patch::merge(&mut doc, &patch);
        }
        PatchType::Json => {
            let ops: json_patch::Patch = serde_json::from_value(patch)
                .map_err(|e| PatchError(format!("error decoding JSON patch: {e}")))?;
            json_patch::patch(&mut doc, &ops)
                .map_err(|e| PatchError(format!("the JSON patch could not be applied: {e}")))?;
        }
    }
    Ok(doc)
}

/// The merge key of a list field, by its name and the items it holds; `None`
/// for lists that a patch replaces whole (atomic lists such as `envFrom`,
/// `args`, `command`, `tolerations`).
fn merge_key(field: &str, items: &[Value]) -> Option<&'static str> {
    let has = |k: &str| items.iter().any(|i| i.get(k).is_some());
    Some(match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets" => "name",
        "volumeMounts" | "volumeDevices" => "mountPath",
        // Container ports merge by containerPort, Service ports by port.
        "ports" if has("containerPort") => "containerPort",
        "ports" => "port",
        "conditions" => "type",
        "ownerReferences" => "uid",
        "hostAliases" => "ip",
        "topologySpreadConstraints" => "topologyKey",
        _ => return None,
    })
}

/// Removes the directives (`$patch`, `$setElementOrder/…`, `$retainKeys`,
/// `$deleteFromPrimitiveList/…`) from a value being inserted as it is.
fn clean(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !k.starts_with('$'))
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), clean(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(
            a.iter()
                .filter(|i| i.get("$patch").is_none())
                .map(clean)
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Strategic merge of `patch` into `target` (both JSON objects at the top).
fn strategic_merge(target: &mut Value, patch: &Value, field: &str) -> Result<(), PatchError> {
    let Value::Object(p) = patch else {
        *target = clean(patch);
        return Ok(());
    };
    match p.get("$patch").and_then(Value::as_str) {
        Some("replace") => {
            *target = clean(patch);
            return Ok(());
        }
        Some("delete") => {
            *target = Value::Object(Map::new());
            return Ok(());
        }
        Some("merge") | None => {}
        Some(other) => {
            return Err(PatchError(format!(
                "unknown patch type: {other} in field {field:?}"
            )))
        }
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(t) = target else {
        return Ok(());
    };
    for (k, v) in p {
        if k == "$patch" || k.starts_with("$setElementOrder/") {
            continue;
        }
        if k == "$retainKeys" {
            if let Value::Array(keep) = v {
                let keep: Vec<&str> = keep.iter().filter_map(Value::as_str).collect();
                t.retain(|key, _| keep.contains(&key.as_str()) || p.contains_key(key));
            }
            continue;
        }
        if let Some(list) = k.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(Value::Array(have)), Value::Array(drop)) = (t.get_mut(list), v) {
                have.retain(|x| !drop.contains(x));
            }
            continue;
        }
        if k.starts_with('$') {
            return Err(PatchError(format!("unknown directive {k:?} in the patch")));
        }
        match v {
            Value::Null => {
                t.remove(k);
            }
            Value::Object(_) => {
                let slot = t.entry(k.clone()).or_insert(Value::Null);
                strategic_merge(slot, v, k)?;
            }
            Value::Array(items) => {
                let slot = t.entry(k.clone()).or_insert(Value::Array(vec![]));
                merge_list(slot, items, k)?;
            }
            other => {
                t.insert(k.clone(), other.clone());
            }
        }
    }
    Ok(())
}

fn merge_list(target: &mut Value, items: &[Value], field: &str) -> Result<(), PatchError> {
    // `[{"$patch": "replace"}, ...]` replaces the list with the other items.
    if items
        .iter()
        .any(|i| i.get("$patch").and_then(Value::as_str) == Some("replace"))
    {
        *target = Value::Array(
            items
                .iter()
                .filter(|i| i.get("$patch").is_none())
                .map(clean)
                .collect(),
        );
        return Ok(());
    }
    let existing: Vec<Value> = match target {
        Value::Array(a) => a.clone(),
        _ => vec![],
    };
    let key = merge_key(field, items).or_else(|| merge_key(field, &existing));
    let Some(key) = key.filter(|_| items.iter().all(Value::is_object)) else {
        *target = clean(&Value::Array(items.to_vec()));
        return Ok(());
    };
    let mut out = existing;
    for item in items {
        let id = item.get(key).cloned().unwrap_or(Value::Null);
        let pos = out.iter().position(|o| o.get(key) == Some(&id));
        if item.get("$patch").and_then(Value::as_str) == Some("delete") {
            if let Some(i) = pos {
                out.remove(i);
            }
            continue;
        }
        if id.is_null() {
            return Err(PatchError(format!(
                "map: {item} does not contain declared merge key: {key}"
            )));
        }
        match pos {
            Some(i) => strategic_merge(&mut out[i], item, field)?,
            None => out.push(clean(item)),
        }
    }
    *target = Value::Array(out);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_merge(target: &str, patch: &str, want: &str) {
        let t: Value = serde_json::from_str(target).expect("target");
        let got = apply(PatchType::Merge, &t, patch.as_bytes()).expect("patch");
        assert_eq!(got, serde_json::from_str::<Value>(want).expect("want"));
    }

    #[test]
    fn strategic_merges_containers_by_name() {
        let t = json!({"containers": [
            {"name": "api", "image": "a:1", "command": ["sh"]},
            {"name": "side", "image": "s:1"}
        ]});
        let p = json!({"containers": [{"name": "api", "command": null, "image": "a:2"}]});
        check(
            PatchType::Strategic,
            t,
            p,
            json!({"containers": [
                {"name": "api", "image": "a:2"},
                {"name": "side", "image": "s:1"}
            ]}),
        );
        // A plain merge patch replaces the list.
        check(
            PatchType::Merge,
            json!({"containers": [{"name": "api", "image": "a:1"}]}),
            json!({"containers": [{"name": "x"}]}),
            json!({"containers": [{"name": "x"}]}),
        );
    }

    /// The examples of RFC 7386, appendix A, whose patch is an object (the
    /// API server takes no other merge patch).
    #[test]
    fn json_merge_patch() {
        check_merge(r#"{"a":"b"}"#, r#"{"a":"c"}"#, r#"{"a":"c"}"#);
        check_merge(r#"{"a":"b"}"#, r#"{"b":"c"}"#, r#"{"a":"b","b":"c"}"#);
        check_merge(r#"{"a":"b"}"#, r#"{"a":null}"#, r#"{}"#);
        check_merge(r#"{"a":"b","b":"c"}"#, r#"{"a":null}"#, r#"{"b":"c"}"#);
        check_merge(r#"{"a":["b"]}"#, r#"{"a":"c"}"#, r#"{"a":"c"}"#);
        check_merge(r#"{"a":"c"}"#, r#"{"a":["b"]}"#, r#"{"a":["b"]}"#);
        check_merge(
            r#"{"a":{"b":"c"}}"#,
            r#"{"a":{"b":"d","c":null}}"#,
            r#"{"a":{"b":"d"}}"#,
        );
        check_merge(r#"{"a":[{"b":"c"}]}"#, r#"{"a":[1]}"#, r#"{"a":[1]}"#);
        check_merge(r#"{"e":null}"#, r#"{"a":1}"#, r#"{"e":null,"a":1}"#);
        check_merge(r#"[1,2]"#, r#"{"a":"b","c":null}"#, r#"{"a":"b"}"#);
        check_merge(
            r#"{}"#,
            r#"{"a":{"bb":{"ccc":null}}}"#,
            r#"{"a":{"bb":{}}}"#,
        );
    }
    use serde_json::json;

    #[track_caller]
    fn check(kind: PatchType, current: Value, patch: Value, want: Value) {
        let got = apply(kind, &current, patch.to_string().as_bytes()).unwrap();
        assert_eq!(got, want);
    }

    fn pod(containers: Value) -> Value {
        json!({"spec": {"template": {"spec": {"containers": containers}}}})
    }

    #[test]
    fn containers_merge_by_name() {
        check(
            PatchType::Strategic,
            pod(json!([{"name": "api", "image": "a:1"}, {"name": "side", "image": "s:1"}])),
            json!({"spec": {"template": {"spec": {
                "$setElementOrder/containers": [{"name": "api"}, {"name": "side"}],
                "containers": [{"name": "api", "image": "a:2"}]}}}}),
            pod(json!([{"name": "api", "image": "a:2"}, {"name": "side", "image": "s:1"}])),
        );
    }

    #[test]
    fn env_merges_by_name_and_deletes() {
        check(
            PatchType::Strategic,
            pod(
                json!([{"name": "api", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]}]),
            ),
            json!({"spec": {"template": {"spec": {"containers": [{"name": "api", "env": [
                {"name": "A", "value": "9"}, {"name": "B", "$patch": "delete"}, {"name": "C", "value": "3"}]}]}}}}),
            pod(
                json!([{"name": "api", "env": [{"name": "A", "value": "9"}, {"name": "C", "value": "3"}]}]),
            ),
        );
    }

    #[test]
    fn service_selector_is_a_map_and_null_deletes() {
        check(
            PatchType::Strategic,
            json!({"spec": {"selector": {"app": "postgress", "tier": "db"}}}),
            json!({"spec": {"selector": {"app": "postgres", "tier": null}}}),
            json!({"spec": {"selector": {"app": "postgres"}}}),
        );
    }

    #[test]
    fn ports_merge_by_their_own_keys() {
        check(
            PatchType::Strategic,
            json!({"spec": {"ports": [{"port": 5432, "targetPort": 5433}]}}),
            json!({"spec": {"ports": [{"port": 5432, "targetPort": 5432}]}}),
            json!({"spec": {"ports": [{"port": 5432, "targetPort": 5432}]}}),
        );
        check(
            PatchType::Strategic,
            pod(json!([{"name": "api", "ports": [{"containerPort": 8080}]}])),
            json!({"spec": {"template": {"spec": {"containers": [{"name": "api", "ports": [{"containerPort": 9090}]}]}}}}),
            pod(
                json!([{"name": "api", "ports": [{"containerPort": 8080}, {"containerPort": 9090}]}]),
            ),
        );
    }

    #[test]
    fn atomic_lists_and_replace_directives_replace() {
        check(
            PatchType::Strategic,
            pod(
                json!([{"name": "api", "envFrom": [{"configMapRef": {"name": "a"}}], "command": ["x"]}]),
            ),
            json!({"spec": {"template": {"spec": {"containers": [{"name": "api", "envFrom": [{"configMapRef": {"name": "b"}}], "command": ["y", "z"]}]}}}}),
            pod(
                json!([{"name": "api", "envFrom": [{"configMapRef": {"name": "b"}}], "command": ["y", "z"]}]),
            ),
        );
        check(
            PatchType::Strategic,
            json!({"spec": {"selector": {"a": "1", "b": "2"}}}),
            json!({"spec": {"selector": {"$patch": "replace", "c": "3"}}}),
            json!({"spec": {"selector": {"c": "3"}}}),
        );
        check(
            PatchType::Strategic,
            pod(json!([{"name": "a"}, {"name": "b"}])),
            json!({"spec": {"template": {"spec": {"containers": [{"$patch": "replace"}, {"name": "c"}]}}}}),
            pod(json!([{"name": "c"}])),
        );
    }

    #[test]
    fn merge_and_json_patches_follow_their_rfcs() {
        check(
            PatchType::Merge,
            json!({"a": {"b": 1, "c": 2}, "l": [1, 2]}),
            json!({"a": {"b": null}, "l": [3]}),
            json!({"a": {"c": 2}, "l": [3]}),
        );
        check(
            PatchType::Json,
            json!({"spec": {"replicas": 3}}),
            json!([{"op": "replace", "path": "/spec/replicas", "value": 1}]),
            json!({"spec": {"replicas": 1}}),
        );
    }

    #[test]
    fn bad_patches_are_errors_not_panics() {
        let cur = json!({"a": 1});
        for (kind, body) in [
            (PatchType::Strategic, "{"),
            (PatchType::Strategic, "[1]"),
            (PatchType::Strategic, r#"{"$patch": "explode"}"#),
            (
                PatchType::Strategic,
                r#"{"l": [{"name": "x"}], "containers": [{"image": "y"}]}"#,
            ),
            (PatchType::Merge, "3"),
            (PatchType::Json, r#"[{"op": "remove", "path": "/nope"}]"#),
            (PatchType::Json, r#"{"op": "add"}"#),
            (PatchType::Apply, "a: [b"),
        ] {
            assert!(
                apply(kind, &cur, body.as_bytes()).is_err(),
                "{kind:?} {body}"
            );
        }
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert!(apply(PatchType::Merge, &cur, deep.as_bytes()).is_err());
    }

    #[test]
    fn server_side_apply_reads_yaml() {
        let cur = json!({"metadata": {"name": "c"}, "data": {"a": "1"}});
        let got = apply(
            PatchType::Apply,
            &cur,
            b"metadata:\n  name: c\ndata:\n  b: \"2\"\n",
        )
        .unwrap();
        assert_eq!(
            got,
            json!({"metadata": {"name": "c"}, "data": {"a": "1", "b": "2"}})
        );
    }
}
