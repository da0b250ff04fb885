//! The kubectl subset the lab shell understands, rendered like kubectl's output.
//!
//! Every function returns the text to show (errors included, worded like
//! kubectl's), so a mistyped command never ends the session.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kubeprep_sim::lab::table::{
    self as lab_table, FieldSelector, Item, RenderOptions, Resource, Selector,
};
use kubeprep_sim::lab::{Change, Kind, World};
use kubeprep_sim::manifest::Object;
use serde_json::Value;

/// Runs one shell line against the world and returns what to print.
pub fn execute(world: &mut World, line: &str) -> String {
    let words = match split(line) {
        Ok(w) => w,
        Err(e) => return format!("error: {e}"),
    };
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["help"] => HELP.into(),
        ["check"] => match world.fault_fixed() {
            Ok(()) => "fixed: a new api Pod would now start and become Ready".into(),
            Err(why) => format!("not fixed: {why}"),
        },
        ["kubectl" | "k", rest @ ..] => kubectl(world, rest),
        [cmd, ..] => format!("{cmd}: command not found (try `kubectl ...`, `check` or `exit`)"),
        [] => String::new(),
    }
}

/// The shell's command summary (`help`, which takes no cluster time).
pub const HELP: &str = "\
kubectl get pods|svc|endpoints|deploy|rs|events|cm|secrets|netpol [NAME] [-o wide|json|yaml]
kubectl describe pod NAME
kubectl logs POD [-c CONTAINER] [--previous] [--tail N]
kubectl patch TYPE NAME -p '<json>' [--type strategic|merge]
kubectl delete TYPE NAME
kubectl label pod NAME KEY=VALUE|KEY- [--overwrite]
kubectl rollout restart deployment/NAME
kubectl set env|image|resources deployment/NAME ...
check   whether the fault is fixed (and why not)
exit    end the lab and show the solution";

fn label_pod(world: &mut World, name: &str, args: &[&str]) -> String {
    let pod = match world.pod(name) {
        Ok(p) => p,
        Err(e) => return format!("Error from server (NotFound): {e}"),
    };
    let mut labels = pod.metadata.labels.clone().unwrap_or_default();
    let overwrite = args.contains(&"--overwrite");
    let pairs: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| *a != "--overwrite")
        .collect();
    if pairs.is_empty() {
        return "error: at least one label update is required".into();
    }
    for pair in pairs {
        if let Some((k, v)) = pair.split_once('=') {
            if let Some(old) = labels.get(k) {
                if !overwrite && old != v {
                    return format!(
                        "error: '{k}' already has a value ({old}), and --overwrite is false"
                    );
                }
            }
            labels.insert(k.to_string(), v.to_string());
        } else if let Some(k) = pair.strip_suffix('-') {
            labels.remove(k);
        } else {
            return format!("error: invalid label spec: {pair}");
        }
    }
    match world.apply(Change::LabelPod {
        name: name.to_string(),
        labels,
    }) {
        Ok(()) => format!("pod/{name} labeled"),
        Err(e) => format!("error: {e}"),
    }
}

fn kubectl(world: &mut World, args: &[&str]) -> String {
    // Drop namespace flags: everything lives in `default`.
    let mut rest: Vec<&str> = Vec::new();
    let mut it = args.iter().copied();
    while let Some(a) = it.next() {
        match a {
            "-n" | "--namespace" => match it.next() {
                Some("default") => {}
                Some(ns) => return format!("No resources found in {ns} namespace."),
                None => return "error: flag needs an argument: 'n' in -n".into(),
            },
            "-n=default" | "--namespace=default" => {}
            _ => rest.push(a),
        }
    }
    match rest.as_slice() {
        ["get", what, flags @ ..] => get(world, what, flags),
        ["get"] => "error: You must specify the type of resource to get.".into(),
        ["logs", args @ ..] => logs(world, args),
        ["describe", "pod" | "pods" | "po", name] => describe_pod(world, name),
        ["describe", t] if t.starts_with("pod/") => describe_pod(world, &t[4..]),
        ["describe", what, ..] => format!("error: the lab describes pods only, not \"{what}\""),
        ["patch", args @ ..] => patch(world, args),
        ["delete", args @ ..] => delete(world, args),
        ["rollout", "restart", target] => match target
            .strip_prefix("deployment/")
            .or(target.strip_prefix("deploy/"))
        {
            Some(name) => match world.apply(Change::RolloutRestart {
                deployment: name.to_string(),
            }) {
                Ok(()) => format!("deployment.apps/{name} restarted"),
                Err(e) => format!("Error from server (NotFound): {e}"),
            },
            None => "error: the lab's rollout restart takes deployment/NAME".into(),
        },
        ["label", "pod" | "pods" | "po", name, pairs @ ..] => label_pod(world, name, pairs),
        ["label", t, pairs @ ..] if t.starts_with("pod/") => label_pod(world, &t[4..], pairs),
        ["set", "env", target, pairs @ ..] => set_env(world, target, pairs),
        ["set", "image", target, pairs @ ..] => set_image(world, target, pairs),
        ["set", "resources", target, flags @ ..] => set_resources(world, target, flags),
        [verb, ..] => format!("error: unknown command \"{verb}\" for \"kubectl\""),
        [] => "kubectl controls the Kubernetes cluster manager.".into(),
    }
}

/// `kubectl get TYPE[,TYPE...] [NAME...] [-o wide|json|yaml] [-l SELECTOR]
/// [--field-selector SELECTOR] [-A]`, or `get TYPE/NAME`.
fn get(world: &World, what: &str, args: &[&str]) -> String {
    let mut output = "";
    let mut names: Vec<&str> = Vec::new();
    let mut labels = "";
    let mut fields = "";
    let mut all_namespaces = false;
    let mut it = args.iter().copied();
    while let Some(a) = it.next() {
        match a {
            "-o" | "--output" => match it.next() {
                Some(o) => output = o,
                None => return "error: flag needs an argument: 'o' in -o".into(),
            },
            "-l" | "--selector" => match it.next() {
                Some(l) => labels = l,
                None => return "error: flag needs an argument: 'l' in -l".into(),
            },
            "--field-selector" => match it.next() {
                Some(f) => fields = f,
                None => return "error: flag needs an argument: --field-selector".into(),
            },
            "-A" | "--all-namespaces" | "--all-namespaces=true" => all_namespaces = true,
            a if a.starts_with("--selector=") => labels = &a[11..],
            a if a.starts_with("--field-selector=") => fields = &a[17..],
            a if a.starts_with("-l") => labels = a[2..].trim_start_matches('='),
            a if a.starts_with("--output=") => output = &a[9..],
            a if a.starts_with("-o") => output = a[2..].trim_start_matches('='),
            a if a.starts_with('-') => return format!("error: unknown flag: {a}"),
            a => names.push(a),
        }
    }
    let labels = match Selector::parse(labels) {
        Ok(s) => s,
        Err(e) => return format!("Error from server (BadRequest): {e}"),
    };
    let (what, named) = match what.split_once('/') {
        Some((k, n)) => (k, Some(n)),
        None => (what, None),
    };
    names.extend(named);
    let mut parts = Vec::new();
    for kind in what.split(',') {
        let part = match output {
            "" | "wide" => {
                let opts = RenderOptions {
                    wide: output == "wide",
                    namespace: all_namespaces,
                    ..RenderOptions::default()
                };
                get_table(world, kind, opts, &labels, fields, &names)
            }
            "json" | "yaml" => get_document(world, kind, &names, output == "yaml"),
            other => {
                return format!(
                    "error: unable to match a printer suitable for the output format \"{other}\", allowed formats are: json,wide,yaml"
                )
            }
        };
        parts.push(part);
    }
    parts.join("\n")
}

/// `-o json|yaml`: one object by name, or a List of all.
fn get_document(world: &World, word: &str, names: &[&str], yaml: bool) -> String {
    let Some(kind) = kind_of(word) else {
        return format!("error: the lab prints -o json|yaml for pods, deployments, replicasets, services, configmaps, secrets and networkpolicies, not \"{word}\"");
    };
    let all = match objects(world, kind) {
        Ok(v) => v,
        Err(e) => return format!("error: {e}"),
    };
    let doc = match names {
        [] => serde_json::json!({"apiVersion": "v1", "kind": "List", "items": all}),
        [name] => match all
            .into_iter()
            .find(|o| o["metadata"]["name"].as_str() == Some(name))
        {
            Some(o) => o,
            None => {
                return format!(
                    "Error from server (NotFound): {} \"{name}\" not found",
                    plural(kind)
                )
            }
        },
        _ => return "error: the lab prints one named object, or all of a kind".into(),
    };
    if yaml {
        let mut out = String::new();
        yaml_value(&mut out, &doc, 0);
        out
    } else {
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    }
}

/// Every object of a kind as JSON.
fn objects(world: &World, kind: Kind) -> Result<Vec<Value>, serde_json::Error> {
    fn all<T: serde::Serialize>(list: &[T]) -> Result<Vec<Value>, serde_json::Error> {
        list.iter().map(serde_json::to_value).collect()
    }
    match kind {
        Kind::Pod => all(&world.pods()),
        Kind::Deployment => all(world.deployments()),
        Kind::ReplicaSet => all(world.replica_sets()),
        Kind::Service => all(world.services()),
        Kind::ConfigMap => all(world.config_maps()),
        Kind::Secret => all(world.secrets()),
        Kind::NetworkPolicy => all(world.network_policies()),
    }
}

/// A YAML rendering of JSON (block style, kubectl's two-space indent).
fn yaml_value(out: &mut String, v: &Value, indent: usize) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, v) in m {
                out.push_str(&pad);
                out.push_str(&yaml_scalar_key(k));
                out.push(':');
                yaml_child(out, v, indent);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for v in a {
                out.push_str(&pad);
                out.push('-');
                match v {
                    Value::Object(m) if !m.is_empty() => {
                        // The first key on the dash's line, the rest under it.
                        let mut first = true;
                        for (k, v) in m {
                            if first {
                                out.push(' ');
                                first = false;
                            } else {
                                out.push_str(&" ".repeat(indent + 2));
                            }
                            out.push_str(&yaml_scalar_key(k));
                            out.push(':');
                            yaml_child(out, v, indent + 2);
                        }
                    }
                    _ => yaml_child(out, v, indent),
                }
            }
        }
        other => {
            out.push_str(&pad);
            out.push_str(&yaml_scalar(other));
            out.push('\n');
        }
    }
}

fn yaml_child(out: &mut String, v: &Value, indent: usize) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            yaml_value(out, v, indent + 2);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            yaml_value(out, v, indent);
        }
        other => {
            out.push(' ');
            out.push_str(&yaml_scalar(other));
            out.push('\n');
        }
    }
}

fn yaml_scalar_key(k: &str) -> String {
    yaml_scalar(&Value::String(k.to_string()))
}

fn yaml_scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
        Value::String(s) => {
            let plain = !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=@+:%".contains(c) || c == ' ')
                && !s.contains(": ")
                && !s.ends_with(':')
                && !s.starts_with([' ', '-', '.', '@', '%', ':'])
                && !s.ends_with(' ')
                && s.parse::<f64>().is_err()
                && !matches!(
                    s.to_ascii_lowercase().as_str(),
                    "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n" | "~"
                );
            if plain {
                s.clone()
            } else {
                serde_json::to_string(s).unwrap_or_default()
            }
        }
    }
}

/// kubectl's table for one kind, from the same rows the lab's API serves.
fn get_table(
    world: &World,
    what: &str,
    opts: RenderOptions,
    labels: &Selector,
    fields: &str,
    names: &[&str],
) -> String {
    let Some(resource) = Resource::from_word(what) else {
        return format!("error: the server doesn't have a resource type \"{what}\"");
    };
    let fields = match FieldSelector::parse(fields, resource) {
        Ok(f) => f,
        Err(e) => return format!("Error from server (BadRequest): {e}"),
    };
    let mut items: Vec<Item> = lab_table::items(world, resource)
        .into_iter()
        .filter(|i| i.selected(labels, &fields))
        .collect();
    if !names.is_empty() {
        if let Some(missing) = names
            .iter()
            .find(|n| !items.iter().any(|i| i.name() == **n))
        {
            return format!(
                "Error from server (NotFound): {} \"{missing}\" not found",
                resource.qualified()
            );
        }
        items.retain(|i| names.contains(&i.name()));
    }
    if items.is_empty() {
        return if opts.namespace || !resource.namespaced() {
            "No resources found".into()
        } else {
            "No resources found in default namespace.".into()
        };
    }
    lab_table::render(resource, &items, opts)
}

fn cols(c: &[&str]) -> Vec<String> {
    c.iter().map(|s| s.to_string()).collect()
}

fn since(t: Option<&Time>, now: i64) -> String {
    match t {
        Some(t) => age(now - t.0.timestamp_millis()),
        None => "<unknown>".into(),
    }
}

/// Rows as kubectl's tabwriter lays them out (padding 3, trailing spaces trimmed).
fn table(rows: &[Vec<String>]) -> String {
    lab_table::text_table(rows)
}

/// kubectl's short duration (apimachinery's `HumanDuration`).
pub use kubeprep_sim::lab::table::age;

fn logs(world: &World, args: &[&str]) -> String {
    let mut pod = None;
    let mut container = None;
    let mut previous = false;
    let mut tail: Option<usize> = None;
    let mut it = args.iter().copied();
    while let Some(a) = it.next() {
        match a {
            "-p" | "--previous" | "--previous=true" => previous = true,
            "-c" | "--container" => match it.next() {
                Some(c) => container = Some(c),
                None => return "error: flag needs an argument: 'c' in -c".into(),
            },
            "--tail" => match it.next().map(str::parse::<i64>) {
                Some(Ok(n)) => tail = usize::try_from(n).ok(),
                _ => return "error: invalid argument for \"--tail\" flag".into(),
            },
            a if a.starts_with("--tail=") => match a[7..].parse::<i64>() {
                Ok(n) => tail = usize::try_from(n).ok(),
                Err(_) => {
                    return format!(
                        "error: invalid argument \"{}\" for \"--tail\" flag",
                        &a[7..]
                    )
                }
            },
            a if a.starts_with('-') => return format!("error: unknown flag: {a}"),
            a => {
                if pod.is_some() {
                    return "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'"
                        .into();
                }
                pod = Some(a.strip_prefix("pod/").unwrap_or(a));
            }
        }
    }
    let Some(pod) = pod else {
        return "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command".into();
    };
    match world.logs(pod, container, previous) {
        Ok(lines) => {
            let skip = tail.map_or(0, |t| lines.len().saturating_sub(t));
            lines[skip..].join("\n")
        }
        Err(e) => format!("Error from server (BadRequest): {e}"),
    }
}

/// A resource word as kubectl accepts it, to the lab's kind.
fn kind_of(word: &str) -> Option<Kind> {
    Some(match word {
        "po" | "pod" | "pods" => Kind::Pod,
        "deploy" | "deployment" | "deployments" => Kind::Deployment,
        "rs" | "replicaset" | "replicasets" => Kind::ReplicaSet,
        "svc" | "service" | "services" => Kind::Service,
        "cm" | "configmap" | "configmaps" => Kind::ConfigMap,
        "secret" | "secrets" => Kind::Secret,
        "netpol" | "networkpolicy" | "networkpolicies" => Kind::NetworkPolicy,
        _ => return None,
    })
}

/// kubectl's singular resource name for messages (`service/postgres patched`).
fn singular(kind: Kind) -> &'static str {
    match kind {
        Kind::Pod => "pod",
        Kind::Deployment => "deployment.apps",
        Kind::ReplicaSet => "replicaset.apps",
        Kind::Service => "service",
        Kind::ConfigMap => "configmap",
        Kind::Secret => "secret",
        Kind::NetworkPolicy => "networkpolicy.networking.k8s.io",
    }
}

/// kubectl's plural resource name for NotFound errors.
fn plural(kind: Kind) -> &'static str {
    match kind {
        Kind::Pod => "pods",
        Kind::Deployment => "deployments.apps",
        Kind::ReplicaSet => "replicasets.apps",
        Kind::Service => "services",
        Kind::ConfigMap => "configmaps",
        Kind::Secret => "secrets",
        Kind::NetworkPolicy => "networkpolicies.networking.k8s.io",
    }
}

/// `TYPE NAME` or `TYPE/NAME` at the front of `args`, and the rest.
fn target<'a>(args: &'a [&'a str]) -> Result<(Kind, &'a str, &'a [&'a str]), String> {
    let (word, name, rest) = match args {
        [t, rest @ ..] if t.contains('/') => {
            let (k, n) = t.split_once('/').unwrap_or_default();
            (k, n, rest)
        }
        [k, n, rest @ ..] => (*k, *n, rest),
        _ => return Err("error: you must specify the type of resource and a name".into()),
    };
    match kind_of(word) {
        Some(k) => Ok((k, name, rest)),
        None => Err(format!(
            "error: the server doesn't have a resource type \"{word}\""
        )),
    }
}

/// The object as JSON, to merge a patch onto.
fn current(world: &World, kind: Kind, name: &str) -> Option<Result<Value, serde_json::Error>> {
    fn find<T: serde::Serialize>(
        list: &[T],
        name: &str,
        meta: fn(&T) -> Option<&str>,
    ) -> Option<Result<Value, serde_json::Error>> {
        list.iter()
            .find(|o| meta(o) == Some(name))
            .map(serde_json::to_value)
    }
    match kind {
        Kind::Service => find(world.services(), name, |o| o.metadata.name.as_deref()),
        Kind::Deployment => find(world.deployments(), name, |o| o.metadata.name.as_deref()),
        Kind::ConfigMap => find(world.config_maps(), name, |o| o.metadata.name.as_deref()),
        Kind::Secret => find(world.secrets(), name, |o| o.metadata.name.as_deref()),
        Kind::NetworkPolicy => find(world.network_policies(), name, |o| {
            o.metadata.name.as_deref()
        }),
        Kind::Pod | Kind::ReplicaSet => None,
    }
}

fn patch(world: &mut World, args: &[&str]) -> String {
    let (kind, name, rest) = match target(args) {
        Ok(t) => t,
        Err(e) => return e,
    };
    if matches!(kind, Kind::Pod | Kind::ReplicaSet) {
        return format!(
            "error: the lab cannot patch {}; patch their Deployment",
            plural(kind)
        );
    }
    let mut body = None;
    let mut strategic = true;
    let mut it = rest.iter().copied();
    while let Some(a) = it.next() {
        let ty = match a {
            "-p" | "--patch" => {
                body = it.next();
                continue;
            }
            a if a.starts_with("--patch=") => {
                body = Some(&a[8..]);
                continue;
            }
            "--type" => it.next().unwrap_or(""),
            a if a.starts_with("--type=") => &a[7..],
            a => return format!("error: unknown argument {a:?}"),
        };
        match ty {
            "merge" => strategic = false,
            "strategic" => strategic = true,
            t => {
                return format!(
                    "error: the lab applies --type strategic (the default) or merge, not {t:?}"
                )
            }
        }
    }
    let Some(body) = body else {
        return "error: must specify -p to patch".into();
    };
    let patch: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => return format!("error: unable to parse \"{body}\": {e}"),
    };
    let resource = singular(kind);
    let mut doc = match current(world, kind, name) {
        Some(Ok(v)) => v,
        Some(Err(e)) => return format!("error: {e}"),
        None => {
            return format!(
                "Error from server (NotFound): {} \"{name}\" not found",
                plural(kind)
            )
        }
    };
    let before = doc.clone();
    if strategic {
        strategic_merge(&mut doc, &patch);
    } else {
        merge(&mut doc, &patch);
    }
    if doc == before {
        return format!("{resource}/{name} patched (no change)");
    }
    let object = match kind {
        Kind::Service => serde_json::from_value(doc).map(|o| Object::Service(Box::new(o))),
        Kind::Deployment => serde_json::from_value(doc).map(|o| Object::Deployment(Box::new(o))),
        Kind::ConfigMap => serde_json::from_value(doc).map(|o| Object::ConfigMap(Box::new(o))),
        Kind::Secret => serde_json::from_value(doc).map(|o| Object::Secret(Box::new(o))),
        _ => serde_json::from_value(doc).map(|o| Object::NetworkPolicy(Box::new(o))),
    };
    match object {
        Ok(o) => match world.apply(Change::Apply(o)) {
            Ok(()) => format!("{resource}/{name} patched"),
            Err(e) => format!("The {resource} \"{name}\" is invalid: {e}"),
        },
        Err(e) => format!("error: the patch does not fit a {resource}: {e}"),
    }
}

fn delete(world: &mut World, args: &[&str]) -> String {
    let (kind, name, rest) = match target(args) {
        Ok(t) => t,
        Err(e) => return e,
    };
    if let Some(extra) = rest.first() {
        return format!("error: the lab deletes one object at a time; unexpected {extra:?}");
    }
    match world.apply(Change::Delete {
        kind,
        name: name.to_string(),
    }) {
        Ok(()) => format!("{} \"{name}\" deleted", singular(kind)),
        Err(e @ kubeprep_sim::lab::LabError::NotFound { .. }) => {
            format!("Error from server (NotFound): {e}")
        }
        Err(e) => format!("error: {e}"),
    }
}

/// kubectl's default strategic merge patch, approximated: like a JSON merge
/// patch, except that lists of objects that all carry a `name` (containers,
/// env, ports, volumes) merge item by item on that name.
fn strategic_merge(target: &mut Value, patch: &Value) {
    let keyed = |a: &Vec<Value>| {
        !a.is_empty()
            && a.iter()
                .all(|v| v.get("name").is_some_and(Value::is_string))
    };
    match (target, patch) {
        (Value::Array(t), Value::Array(p)) if keyed(p) && keyed(t) => {
            for item in p {
                match t.iter_mut().find(|x| x.get("name") == item.get("name")) {
                    Some(existing) => strategic_merge(existing, item),
                    None => t.push(item.clone()),
                }
            }
        }
        (t @ Value::Object(_), Value::Object(p)) => {
            if let Value::Object(t) = t {
                for (k, v) in p {
                    if v.is_null() {
                        t.remove(k);
                    } else {
                        strategic_merge(t.entry(k.clone()).or_insert(Value::Null), v);
                    }
                }
            }
        }
        (t, p) => merge(t, p),
    }
}

/// RFC 7386 JSON merge patch.
fn merge(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Default::default());
    }
    if let Value::Object(t) = target {
        for (k, v) in p {
            if v.is_null() {
                t.remove(k);
            } else {
                merge(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

fn set_env(world: &mut World, target: &str, pairs: &[&str]) -> String {
    let Some(name) = target
        .strip_prefix("deployment/")
        .or(target.strip_prefix("deploy/"))
    else {
        return "error: the lab's set env takes deployment/NAME KEY=VALUE...".into();
    };
    let Some(d) = world
        .deployments()
        .iter()
        .find(|d| d.metadata.name.as_deref() == Some(name))
        .cloned()
    else {
        return format!("Error from server (NotFound): deployments.apps \"{name}\" not found");
    };
    if pairs.is_empty() {
        return "error: at least one environment variable must be provided".into();
    }
    let mut d = d;
    let Some(spec) = d.spec.as_mut().and_then(|s| s.template.spec.as_mut()) else {
        return format!("error: deployment {name} has no Pod template");
    };
    for pair in pairs {
        let (key, value) = match pair.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => match pair.strip_suffix('-') {
                Some(k) => (k, None),
                None => return format!("error: {pair:?} is not KEY=VALUE or KEY-"),
            },
        };
        for c in &mut spec.containers {
            let env = c.env.get_or_insert_with(Vec::new);
            env.retain(|e| e.name != key);
            if let Some(v) = value {
                env.push(k8s_openapi::api::core::v1::EnvVar {
                    name: key.to_string(),
                    value: Some(v.to_string()),
                    value_from: None,
                });
            }
        }
    }
    match world.apply(Change::Apply(Object::Deployment(Box::new(d)))) {
        Ok(()) => format!("deployment.apps/{name} env updated"),
        Err(e) => format!("The deployment \"{name}\" is invalid: {e}"),
    }
}

fn set_image(world: &mut World, target: &str, pairs: &[&str]) -> String {
    let Some(name) = target
        .strip_prefix("deployment/")
        .or(target.strip_prefix("deploy/"))
    else {
        return "error: the lab's set image takes deployment/NAME CONTAINER=IMAGE...".into();
    };
    let Some(mut d) = world
        .deployments()
        .iter()
        .find(|d| d.metadata.name.as_deref() == Some(name))
        .cloned()
    else {
        return format!("Error from server (NotFound): deployments.apps \"{name}\" not found");
    };
    if pairs.is_empty() {
        return "error: at least one image update is required".into();
    }
    let Some(spec) = d.spec.as_mut().and_then(|s| s.template.spec.as_mut()) else {
        return format!("error: deployment {name} has no Pod template");
    };
    for pair in pairs {
        let Some((c, image)) = pair.split_once('=') else {
            return format!("error: {pair:?} is not CONTAINER=IMAGE");
        };
        let mut found = false;
        for ctr in &mut spec.containers {
            if c == "*" || ctr.name == c {
                ctr.image = Some(image.to_string());
                found = true;
            }
        }
        if !found {
            return format!("error: unable to find container named \"{c}\"");
        }
    }
    match world.apply(Change::Apply(Object::Deployment(Box::new(d)))) {
        Ok(()) => format!("deployment.apps/{name} image updated"),
        Err(e) => format!("The deployment \"{name}\" is invalid: {e}"),
    }
}

fn set_resources(world: &mut World, target: &str, flags: &[&str]) -> String {
    use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
    let Some(name) = target
        .strip_prefix("deployment/")
        .or(target.strip_prefix("deploy/"))
    else {
        return "error: the lab's set resources takes deployment/NAME --limits=... --requests=..."
            .into();
    };
    let mut limits = Vec::new();
    let mut requests = Vec::new();
    let mut only: Option<&str> = None;
    let mut it = flags.iter().copied();
    while let Some(f) = it.next() {
        let (flag, value) = match f.split_once('=') {
            Some((k, v)) if k.starts_with("--") => (k, Some(v)),
            _ => (f, None),
        };
        let value = match value.or_else(|| it.next()) {
            Some(v) => v,
            None => return format!("error: flag needs an argument: {flag}"),
        };
        let list = match flag {
            "--limits" => &mut limits,
            "--requests" => &mut requests,
            "-c" | "--containers" => {
                only = Some(value);
                continue;
            }
            other => return format!("error: unknown flag: {other}"),
        };
        for pair in value.split(',') {
            let Some((res, q)) = pair.split_once('=') else {
                return format!("error: {pair:?} is not RESOURCE=QUANTITY");
            };
            if kubeprep_sim::quantity::parse_str(q).is_err() {
                return format!("error: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': {q:?}");
            }
            list.push((res.to_string(), Quantity(q.to_string())));
        }
    }
    if limits.is_empty() && requests.is_empty() {
        return "error: you must specify an update to requests or limits (in the form of --requests/--limits)".into();
    }
    let Some(mut d) = world
        .deployments()
        .iter()
        .find(|d| d.metadata.name.as_deref() == Some(name))
        .cloned()
    else {
        return format!("Error from server (NotFound): deployments.apps \"{name}\" not found");
    };
    let Some(spec) = d.spec.as_mut().and_then(|s| s.template.spec.as_mut()) else {
        return format!("error: deployment {name} has no Pod template");
    };
    for c in &mut spec.containers {
        if only.is_some_and(|o| o != "*" && o != c.name) {
            continue;
        }
        let r = c.resources.get_or_insert_with(Default::default);
        for (k, v) in &limits {
            r.limits
                .get_or_insert_with(Default::default)
                .insert(k.clone(), v.clone());
        }
        for (k, v) in &requests {
            r.requests
                .get_or_insert_with(Default::default)
                .insert(k.clone(), v.clone());
        }
    }
    match world.apply(Change::Apply(Object::Deployment(Box::new(d)))) {
        Ok(()) => format!("deployment.apps/{name} resource requirements updated"),
        Err(e) => format!("The deployment \"{name}\" is invalid: {e}"),
    }
}

/// Splits a line into words, honouring single and double quotes.
fn split(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for ch in line.chars() {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(ch);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return Err("unterminated quote".into());
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

/// `kubectl describe pod NAME`, in kubectl's layout (the fields the lab models).
fn describe_pod(world: &World, name: &str) -> String {
    let p = match world.pod(name) {
        Ok(p) => p,
        Err(e) => return format!("Error from server (NotFound): {e}"),
    };
    let now = world.now().timestamp_millis();
    let spec = p.spec.clone().unwrap_or_default();
    let st = p.status.clone().unwrap_or_default();
    let mut o = String::new();
    let line = |o: &mut String, k: &str, v: &str| *o += &format!("{:<18}{v}\n", format!("{k}:"));
    line(&mut o, "Name", name);
    line(&mut o, "Namespace", "default");
    line(
        &mut o,
        "Node",
        spec.node_name.as_deref().unwrap_or("<none>"),
    );
    let labels: Vec<String> = p
        .metadata
        .labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    line(&mut o, "Labels", &labels.join("\n                  "));
    let status = if p.metadata.deletion_timestamp.is_some() {
        "Terminating".to_string()
    } else {
        st.phase.clone().unwrap_or("Pending".into())
    };
    line(&mut o, "Status", &status);
    line(&mut o, "IP", st.pod_ip.as_deref().unwrap_or(""));
    if let Some(r) = p.metadata.owner_references.iter().flatten().next() {
        line(&mut o, "Controlled By", &format!("{}/{}", r.kind, r.name));
    }
    o += "Containers:\n";
    let statuses = st.container_statuses.clone().unwrap_or_default();
    for c in &spec.containers {
        o += &format!("  {}:\n", c.name);
        let kv =
            |o: &mut String, k: &str, v: &str| *o += &format!("    {:<16}{v}\n", format!("{k}:"));
        kv(&mut o, "Image", c.image.as_deref().unwrap_or(""));
        if let Some(cmd) = &c.command {
            o += "    Command:\n";
            for a in cmd {
                o += &format!("      {a}\n");
            }
        }
        let cs = statuses.iter().find(|s| s.name == c.name);
        let state = |o: &mut String,
                     label: &str,
                     s: Option<&k8s_openapi::api::core::v1::ContainerState>| {
            let Some(s) = s else {
                return;
            };
            if let Some(w) = &s.waiting {
                *o += &format!("    {:<16}Waiting\n", format!("{label}:"));
                *o += &format!(
                    "      Reason:       {}\n",
                    w.reason.as_deref().unwrap_or("")
                );
                if let Some(m) = &w.message {
                    *o += &format!("      Message:      {m}\n");
                }
            } else if let Some(r) = &s.running {
                *o += &format!("    {:<16}Running\n", format!("{label}:"));
                if let Some(t) = &r.started_at {
                    *o += &format!("      Started:      {}\n", t.0.to_rfc2822());
                }
            } else if let Some(t) = &s.terminated {
                *o += &format!("    {:<16}Terminated\n", format!("{label}:"));
                *o += &format!(
                    "      Reason:       {}\n",
                    t.reason.as_deref().unwrap_or("")
                );
                *o += &format!("      Exit Code:    {}\n", t.exit_code);
                if let Some(s) = &t.started_at {
                    *o += &format!("      Started:      {}\n", s.0.to_rfc2822());
                }
                if let Some(f) = &t.finished_at {
                    *o += &format!("      Finished:     {}\n", f.0.to_rfc2822());
                }
            }
        };
        if let Some(cs) = cs {
            state(&mut o, "State", cs.state.as_ref());
            state(&mut o, "Last State", cs.last_state.as_ref());
            kv(&mut o, "Ready", if cs.ready { "True" } else { "False" });
            kv(&mut o, "Restart Count", &cs.restart_count.to_string());
        }
        if let Some(limits) = c.resources.as_ref().and_then(|r| r.limits.as_ref()) {
            o += "    Limits:\n";
            for (k, v) in limits {
                o += &format!("      {k}:  {}\n", v.0);
            }
        }
        if let Some(froms) = &c.env_from {
            o += "    Environment Variables from:\n";
            for f in froms {
                if let Some(r) = &f.config_map_ref {
                    o += &format!(
                        "      {}  ConfigMap  Optional: {}\n",
                        r.name,
                        r.optional.unwrap_or(false)
                    );
                }
                if let Some(r) = &f.secret_ref {
                    o += &format!(
                        "      {}  Secret  Optional: {}\n",
                        r.name,
                        r.optional.unwrap_or(false)
                    );
                }
            }
        }
        o += "    Environment:";
        match c.env.as_deref() {
            None | Some([]) => o += "  <none>\n",
            Some(env) => {
                o.push('\n');
                for e in env {
                    let v = match (&e.value, &e.value_from) {
                        (Some(v), _) => v.clone(),
                        (None, Some(f)) => {
                            if let Some(s) = &f.secret_key_ref {
                                format!(
                                    "<set to the key '{}' in secret '{}'>  Optional: {}",
                                    s.key,
                                    s.name,
                                    s.optional.unwrap_or(false)
                                )
                            } else if let Some(c) = &f.config_map_key_ref {
                                format!(
                                    "<set to the key '{}' of config map '{}'>  Optional: {}",
                                    c.key,
                                    c.name,
                                    c.optional.unwrap_or(false)
                                )
                            } else {
                                "<unsupported source>".into()
                            }
                        }
                        (None, None) => String::new(),
                    };
                    o += &format!("      {}:  {v}\n", e.name);
                }
            }
        }
    }
    o += "Conditions:\n";
    let mut conds = vec![cols(&["Type", "Status"])];
    for c in st.conditions.iter().flatten() {
        conds.push(vec![c.type_.clone(), c.status.clone()]);
    }
    for l in table(&conds).lines() {
        o += &format!("  {l}\n");
    }
    o += "Events:\n";
    let mut evs: Vec<_> = world
        .events()
        .into_iter()
        .filter(|e| {
            e.involved_object.kind.as_deref() == Some("Pod")
                && e.involved_object.name.as_deref() == Some(name)
        })
        .collect();
    evs.sort_by_key(|e| e.last_timestamp.as_ref().map(|t| t.0.timestamp_millis()));
    if evs.is_empty() {
        o += "  <none>\n";
        return o;
    }
    let mut rows = vec![
        cols(&["Type", "Reason", "Age", "From", "Message"]),
        cols(&["----", "------", "----", "----", "-------"]),
    ];
    for e in evs {
        let count = e.count.unwrap_or(1);
        let first = e.first_timestamp.as_ref().or(e.last_timestamp.as_ref());
        let age = if count > 1 {
            format!(
                "{} (x{count} over {})",
                since(e.last_timestamp.as_ref(), now),
                since(first, now)
            )
        } else {
            since(e.last_timestamp.as_ref(), now)
        };
        rows.push(vec![
            e.type_.clone().unwrap_or_default(),
            e.reason.clone().unwrap_or_default(),
            age,
            e.source
                .as_ref()
                .and_then(|s| s.component.clone())
                .unwrap_or_default(),
            e.message.clone().unwrap_or_default(),
        ]);
    }
    for l in table(&rows).lines() {
        o += &format!("  {l}\n");
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Pod;
    use kubeprep_sim::lab::table::pod_status;

    #[track_caller]
    fn check_age(secs: i64, want: &str) {
        assert_eq!(age(secs * 1000), want, "{secs}s");
    }

    /// Cases after apimachinery's `TestHumanDuration` (util/duration/duration_test.go).
    #[test]
    fn human_duration() {
        let cases = [
            (0, "0s"),
            (1, "1s"),
            (59, "59s"),
            (60, "60s"),
            (119, "119s"),
            (120, "2m"),
            (121, "2m1s"),
            (599, "9m59s"),
            (600, "10m"),
            (10_799, "179m"),
            (10_800, "3h"),
            (10_860, "3h1m"),
            (28_799, "7h59m"),
            (28_800, "8h"),
            (172_799, "47h"),
            (172_800, "2d"),
            (176_400, "2d1h"),
            (691_199, "7d23h"),
            (691_200, "8d"),
            (63_071_999, "729d"),
            (63_072_000, "2y"),
            (63_158_400, "2y1d"),
            (252_287_999, "7y364d"),
            (252_288_000, "8y"),
        ];
        for (s, want) in cases {
            check_age(s, want);
        }
        assert_eq!(age(-500), "0s");
        assert_eq!(age(-1999), "0s");
        assert_eq!(age(-5000), "<invalid>");
    }

    #[track_caller]
    fn check_pod(pod: serde_json::Value, want: (usize, usize, &str, i32)) {
        let p: Pod = serde_json::from_value(pod).expect("pod");
        let (ready, total, reason, restarts, _) = pod_status(&p);
        assert_eq!((ready, total, reason.as_str(), restarts), want);
    }

    /// Cases after kubectl's `TestPrintPod` (pkg/printers/internalversion/printers_test.go).
    #[test]
    fn pod_status_words() {
        use serde_json::json;
        let spec = json!({"containers": [{"name": "a"}, {"name": "b"}]});
        // Basic: one running ready, one waiting without reason.
        check_pod(
            json!({"spec": spec, "status": {"phase": "podPhase", "containerStatuses": [
                {"name": "a", "image": "", "imageID": "", "ready": true, "restartCount": 6,
                 "state": {"running": {}}},
                {"name": "b", "image": "", "imageID": "", "ready": false, "restartCount": 0}
            ]}}),
            (1, 2, "podPhase", 6),
        );
        // Waiting reason wins.
        check_pod(
            json!({"spec": spec, "status": {"phase": "podPhase", "containerStatuses": [
                {"name": "a", "image": "", "imageID": "", "ready": false, "restartCount": 3,
                 "state": {"waiting": {"reason": "ContainerWaitingReason"}}},
                {"name": "b", "image": "", "imageID": "", "ready": true, "restartCount": 3,
                 "state": {"running": {}}}
            ]}}),
            (1, 2, "ContainerWaitingReason", 6),
        );
        // Terminated reason.
        check_pod(
            json!({"spec": spec, "status": {"phase": "podPhase", "containerStatuses": [
                {"name": "a", "image": "", "imageID": "", "ready": false, "restartCount": 3,
                 "state": {"terminated": {"reason": "ContainerTerminatedReason", "exitCode": 1}}},
                {"name": "b", "image": "", "imageID": "", "ready": true, "restartCount": 3,
                 "state": {"running": {}}}
            ]}}),
            (1, 2, "ContainerTerminatedReason", 6),
        );
        // Terminated without reason: ExitCode, or Signal when one is set.
        check_pod(
            json!({"spec": spec, "status": {"phase": "podPhase", "containerStatuses": [
                {"name": "a", "image": "", "imageID": "", "ready": false, "restartCount": 3,
                 "state": {"terminated": {"exitCode": 1}}},
                {"name": "b", "image": "", "imageID": "", "ready": false, "restartCount": 0,
                 "state": {"terminated": {"exitCode": 0, "signal": 9}}}
            ]}}),
            (0, 2, "ExitCode:1", 3),
        );
        // Completed with a container still running and a Ready condition: Running.
        check_pod(
            json!({"spec": spec, "status": {"phase": "Running",
                "conditions": [{"type": "Ready", "status": "True"}],
                "containerStatuses": [
                {"name": "a", "image": "", "imageID": "", "ready": false, "restartCount": 0,
                 "state": {"terminated": {"reason": "Completed", "exitCode": 0}}},
                {"name": "b", "image": "", "imageID": "", "ready": true, "restartCount": 0,
                 "state": {"running": {}}}
            ]}}),
            (1, 2, "Running", 0),
        );
        // ... and without the Ready condition: NotReady.
        check_pod(
            json!({"spec": spec, "status": {"phase": "Running", "containerStatuses": [
                {"name": "a", "image": "", "imageID": "", "ready": false, "restartCount": 0,
                 "state": {"terminated": {"reason": "Completed", "exitCode": 0}}},
                {"name": "b", "image": "", "imageID": "", "ready": true, "restartCount": 0,
                 "state": {"running": {}}}
            ]}}),
            (1, 2, "NotReady", 0),
        );
        // Deleting and not terminal: Terminating.
        check_pod(
            json!({"metadata": {"deletionTimestamp": "2026-01-01T00:00:00Z"},
                "spec": spec, "status": {"phase": "Running"}}),
            (0, 2, "Terminating", 0),
        );
        // Deleting a Succeeded Pod keeps its phase.
        check_pod(
            json!({"metadata": {"deletionTimestamp": "2026-01-01T00:00:00Z"},
                "spec": spec, "status": {"phase": "Succeeded"}}),
            (0, 2, "Succeeded", 0),
        );
    }

    #[track_caller]
    fn check_merge(target: &str, patch: &str, want: &str) {
        let mut t: Value = serde_json::from_str(target).expect("target");
        merge(&mut t, &serde_json::from_str(patch).expect("patch"));
        assert_eq!(t, serde_json::from_str::<Value>(want).expect("want"));
    }

    /// The examples of RFC 7386, appendix A.
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
        check_merge(r#"["a","b"]"#, r#"["c","d"]"#, r#"["c","d"]"#);
        check_merge(r#"{"a":"b"}"#, r#"["c"]"#, r#"["c"]"#);
        check_merge(r#"{"a":"foo"}"#, "null", "null");
        check_merge(r#"{"a":"foo"}"#, r#""bar""#, r#""bar""#);
        check_merge(r#"{"e":null}"#, r#"{"a":1}"#, r#"{"e":null,"a":1}"#);
        check_merge(r#"[1,2]"#, r#"{"a":"b","c":null}"#, r#"{"a":"b"}"#);
        check_merge(
            r#"{}"#,
            r#"{"a":{"bb":{"ccc":null}}}"#,
            r#"{"a":{"bb":{}}}"#,
        );
    }

    #[test]
    fn yaml_of_json() {
        let v = serde_json::json!({
            "kind": "ConfigMap",
            "data": {"DB_HOST": "postgres", "PORT": "5432", "EMPTY": "", "FLAG": "true"},
            "items": [{"name": "a", "value": "x y"}, "plain"],
            "image": "ghcr.io/kubeprep/shop-api:1.4.2",
            "surge": "25%",
            "colon": "a: b",
            "none": {},
        });
        let mut out = String::new();
        yaml_value(&mut out, &v, 0);
        assert_eq!(
            out,
            // Keys sorted, as kubectl prints them.
            "colon: \"a: b\"\ndata:\n  DB_HOST: postgres\n  EMPTY: \"\"\n  FLAG: \"true\"\n  PORT: \"5432\"\nimage: ghcr.io/kubeprep/shop-api:1.4.2\nitems:\n- name: a\n  value: x y\n- plain\nkind: ConfigMap\nnone: {}\nsurge: 25%\n"
        );
    }

    #[test]
    fn strategic_merges_containers_by_name() {
        let mut t = serde_json::json!({"containers": [
            {"name": "api", "image": "a:1", "command": ["sh"]},
            {"name": "side", "image": "s:1"}
        ]});
        let p =
            serde_json::json!({"containers": [{"name": "api", "command": null, "image": "a:2"}]});
        strategic_merge(&mut t, &p);
        assert_eq!(
            t,
            serde_json::json!({"containers": [
                {"name": "api", "image": "a:2"},
                {"name": "side", "image": "s:1"}
            ]})
        );
        // A plain merge patch replaces the list.
        let mut t2 = serde_json::json!({"containers": [{"name": "api", "image": "a:1"}]});
        merge(&mut t2, &serde_json::json!({"containers": [{"name": "x"}]}));
        assert_eq!(t2, serde_json::json!({"containers": [{"name": "x"}]}));
    }

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(
            split(r#"kubectl patch svc pg -p '{"a": "b c"}'"#).unwrap_or_default(),
            ["kubectl", "patch", "svc", "pg", "-p", r#"{"a": "b c"}"#]
        );
        assert_eq!(split(r#"a "" b"#).unwrap_or_default(), ["a", "", "b"]);
        assert!(split("a 'b").is_err());
    }
}
