//! `kubectl apply|create|replace -f FILE|DIR` through the strict manifest
//! parser, and `kubectl create configmap|secret generic NAME --from-…`.
//! Each object goes to the world as [`Change::Apply`]; a document the API
//! server would reject (a syntax error, an unknown field, a missing field)
//! is refused with kubectl's wording, the file and the line, and the other
//! documents still apply, as kubectl applies each object on its own.
//! Not the patch or set commands (in `kubectl.rs`).

use std::collections::BTreeMap;
use std::path::Path;

use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::ByteString;
use kubeprep_sim::lab::{Change, Kind, LabError, World};
use kubeprep_sim::manifest::{self, Object, ProblemKind};
use serde_json::Value;

/// The largest manifest file the shell reads, as the parser's own limit.
const MAX_FILE: u64 = manifest::MAX_BYTES as u64;

/// `apply -f`, `replace -f` or `create -f` (`verb`), over every file named.
pub fn from_files(world: &mut World, verb: &str, args: &[&str]) -> String {
    let mut paths: Vec<&str> = Vec::new();
    let mut recursive = false;
    let mut it = args.iter().copied();
    while let Some(a) = it.next() {
        match a {
            "-f" | "--filename" => match it.next() {
                Some(p) => paths.push(p),
                None => return "error: flag needs an argument: 'f' in -f".into(),
            },
            a if a.starts_with("--filename=") => paths.push(&a[11..]),
            a if a.starts_with("-f=") => paths.push(&a[3..]),
            a if a.starts_with("-f") && a.len() > 2 => paths.push(&a[2..]),
            "-R" | "--recursive" => recursive = true,
            "--validate=strict" | "--validate=true" | "--server-side" => {}
            a if a.starts_with('-') => return format!("error: unknown flag: {a}"),
            a => {
                return format!(
                    "error: Unexpected args: [{a}]\nSee 'kubectl {verb} -h' for help and examples"
                )
            }
        }
    }
    if paths.is_empty() {
        return format!(
            "error: must specify one of -f and -k\n\nSee 'kubectl {verb} -h' for help and examples"
        );
    }
    let mut out: Vec<String> = Vec::new();
    for p in paths {
        if p == "-" {
            out.push("error: the lab's shell reads manifests from files, not from stdin: write one (e.g. with cat > fix.yaml) and use -f FILE".into());
            continue;
        }
        let files = match files_under(Path::new(p), recursive) {
            Ok(f) => f,
            Err(e) => {
                out.push(e);
                continue;
            }
        };
        for f in files {
            out.extend(apply_file(world, verb, &f));
        }
    }
    out.join("\n")
}

/// A file, or a directory's `.yaml`, `.yml` and `.json` files in name order.
fn files_under(path: &Path, recursive: bool) -> Result<Vec<String>, String> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path)
        .map_err(|_| format!("error: the path \"{shown}\" does not exist"))?;
    if meta.is_file() {
        return Ok(vec![shown]);
    }
    let mut found = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(path)
        .map_err(|e| format!("error: cannot read directory \"{shown}\": {e}"))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for e in entries {
        if e.is_dir() {
            if recursive {
                found.extend(files_under(&e, true)?);
            }
        } else if e
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| matches!(x, "yaml" | "yml" | "json"))
        {
            found.push(e.display().to_string());
        }
    }
    if found.is_empty() {
        return Err(format!(
            "error: no objects passed to apply (no .yaml, .yml or .json files in \"{shown}\")"
        ));
    }
    Ok(found)
}

fn apply_file(world: &mut World, verb: &str, file: &str) -> Vec<String> {
    let too_big = std::fs::metadata(file).is_ok_and(|m| m.len() > MAX_FILE);
    if too_big {
        return vec![format!(
            "error: {file} is larger than {} MB",
            MAX_FILE / 1024 / 1024
        )];
    }
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => return vec![format!("error: cannot read \"{file}\": {e}")],
    };
    apply_text(world, verb, file, &text)
}

/// Parses `text` strictly and applies every document the API server would
/// accept; returns one line per object or problem.
pub fn apply_text(world: &mut World, verb: &str, file: &str, text: &str) -> Vec<String> {
    let parsed = manifest::parse_str(file, text);
    let verbing = match verb {
        "create" => "creating",
        "replace" => "replacing",
        _ => "applying",
    };
    let mut out = Vec::new();
    for p in &parsed.problems {
        out.push(problem_line(p, verbing));
    }
    for s in &parsed.skipped {
        out.push(format!(
            "error: the lab does not model {} objects ({}:{}: {}/{})",
            s.kind, s.file, s.line, s.kind, s.name
        ));
    }
    if parsed.documents.is_empty() && out.is_empty() {
        return vec![format!("error: no objects passed to {verb}")];
    }
    for d in parsed.documents {
        let reference = d.object.reference();
        if parsed
            .problems
            .iter()
            .any(|p| p.object.as_deref() == Some(reference.as_str()) && p.file == d.file)
        {
            continue;
        }
        out.push(put(world, verb, file, d.object));
    }
    out
}

fn problem_line(p: &manifest::Problem, verbing: &str) -> String {
    let at = match p.line {
        Some(l) => format!("{}:{l}", p.file),
        None => p.file.clone(),
    };
    let (kind, name) = p
        .object
        .as_deref()
        .and_then(|o| o.split_once('/'))
        .unwrap_or(("object", ""));
    let hint = p
        .hint
        .as_deref()
        .map_or(String::new(), |h| format!(" ({h})"));
    match p.kind {
        ProblemKind::Syntax => format!("error: error parsing {at}: {}{hint}", p.message),
        ProblemKind::UnknownKind => {
            format!("error: resource mapping not found at {at}: {}{hint}", p.message)
        }
        ProblemKind::UnknownField => format!(
            "Error from server (BadRequest): error when {verbing} \"{at}\": {kind} cannot be handled as a {kind}: strict decoding error: {}{hint}",
            p.message
        ),
        _ => {
            let path = if p.path.is_empty() {
                String::new()
            } else {
                format!("{}: ", p.path)
            };
            format!(
                "The {kind} \"{name}\" is invalid: {path}{}{hint} ({at})",
                p.message
            )
        }
    }
}

/// The lab kind of a parsed object, when the lab keeps that kind.
fn lab_kind(o: &Object) -> Option<Kind> {
    Some(match o {
        Object::Deployment(_) => Kind::Deployment,
        Object::ReplicaSet(_) => Kind::ReplicaSet,
        Object::Service(_) => Kind::Service,
        Object::ConfigMap(_) => Kind::ConfigMap,
        Object::Secret(_) => Kind::Secret,
        Object::NetworkPolicy(_) => Kind::NetworkPolicy,
        _ => return None,
    })
}

/// What `unchanged` compares: the object without status and server fields.
fn comparable(v: Option<Value>) -> Option<Value> {
    let mut v = v?;
    if let Value::Object(m) = &mut v {
        m.remove("status");
        if let Some(Value::Object(meta)) = m.get_mut("metadata") {
            for k in ["resourceVersion", "generation", "managedFields", "uid"] {
                meta.remove(k);
            }
        }
    }
    Some(v)
}

/// Sends one object to the world and words the result as kubectl does.
pub fn put(world: &mut World, verb: &str, file: &str, obj: Object) -> String {
    let name = obj.name().to_string();
    let Some(kind) = lab_kind(&obj) else {
        return format!(
            "error: the lab does not model {} objects ({file}: {})",
            obj.kind(),
            obj.reference()
        );
    };
    let resource = super::singular(kind);
    let before = super::current(world, kind, &name).and_then(Result::ok);
    let exists = before.is_some()
        || (kind == Kind::ReplicaSet
            && world
                .replica_sets()
                .iter()
                .any(|r| r.metadata.name.as_deref() == Some(name.as_str())));
    match verb {
        "create" if exists => {
            return format!(
                "Error from server (AlreadyExists): error when creating \"{file}\": {} \"{name}\" already exists",
                super::plural(kind)
            )
        }
        "replace" if !exists => {
            return format!(
                "Error from server (NotFound): error when replacing \"{file}\": {} \"{name}\" not found",
                super::plural(kind)
            )
        }
        _ => {}
    }
    match world.apply(Change::Apply(obj)) {
        Ok(()) => {
            let after = super::current(world, kind, &name).and_then(Result::ok);
            let word = match verb {
                "create" => "created",
                "replace" => "replaced",
                _ if !exists => "created",
                _ if comparable(before) == comparable(after) => "unchanged",
                _ => "configured",
            };
            format!("{resource}/{name} {word}")
        }
        Err(e @ LabError::Invalid(_)) if e.to_string().contains("is invalid") => {
            format!("The {e}")
        }
        Err(e @ LabError::Invalid(_)) => format!(
            "Error from server (NotFound): error when {} \"{file}\": {e}",
            match verb {
                "create" => "creating",
                "replace" => "replacing",
                _ => "applying",
            }
        ),
        Err(e) => format!("error: {e}"),
    }
}

/// `kubectl create …`: `-f FILE`, `configmap NAME --from-…`, `secret generic NAME --from-…`.
pub fn create(world: &mut World, args: &[&str]) -> String {
    match args {
        [first, ..] if first.starts_with("-f") || first.starts_with("--filename") => {
            from_files(world, "create", args)
        }
        ["configmap" | "cm", name, flags @ ..] if !name.starts_with('-') => {
            from_literals(world, false, name, flags)
        }
        ["secret", "generic", name, flags @ ..] if !name.starts_with('-') => {
            from_literals(world, true, name, flags)
        }
        ["secret", kind @ ("docker-registry" | "tls"), ..] => format!(
            "error: the lab's Secrets are generic; it does not model {kind} Secrets"
        ),
        ["configmap" | "cm"] | ["secret", "generic"] => "error: exactly one NAME is required, got 0".into(),
        ["secret", ..] => "error: create secret takes a type: kubectl create secret generic NAME --from-literal=KEY=VALUE".into(),
        [what, ..] => format!(
            "error: the lab creates configmaps and secrets from the command line, not {what:?}; write other objects to a file and use kubectl apply -f FILE"
        ),
        [] => "error: must specify one of -f and -k".into(),
    }
}

/// A valid ConfigMap or Secret key (`[-._a-zA-Z0-9]+`, not `.` or `..`).
fn valid_key(k: &str) -> bool {
    !k.is_empty()
        && k != "."
        && k != ".."
        && k.len() <= 253
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn from_literals(world: &mut World, secret: bool, name: &str, flags: &[&str]) -> String {
    let what = if secret { "Secret" } else { "ConfigMap" };
    let mut data: BTreeMap<String, String> = BTreeMap::new();
    let mut dry_run = false;
    let mut output: Option<&str> = None;
    let mut secret_type = "Opaque".to_string();
    let add = |data: &mut BTreeMap<String, String>, k: &str, v: String| -> Result<(), String> {
        if !valid_key(k) {
            return Err(format!("error: {k:?} is not a valid key name for a {what}: a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
        }
        if data.contains_key(k) {
            return Err(format!("error: cannot add key {k}, another key by that name already exists in Data for {what} \"{name}\""));
        }
        data.insert(k.to_string(), v);
        Ok(())
    };
    let mut it = flags.iter().copied();
    while let Some(f) = it.next() {
        let (flag, value) = match f.split_once('=') {
            Some((k, v)) if k.starts_with("--") => (k, Some(v)),
            _ => (f, None),
        };
        let takes_value = matches!(
            flag,
            "--from-literal" | "--from-file" | "--from-env-file" | "--type" | "-o" | "--output"
        );
        let value = if takes_value {
            match value.or_else(|| it.next()) {
                Some(v) => v,
                None => return format!("error: flag needs an argument: {flag}"),
            }
        } else {
            value.unwrap_or("")
        };
        let result = match flag {
            "--from-literal" => match value.split_once('=') {
                Some((k, v)) if !k.is_empty() => add(&mut data, k, v.to_string()),
                _ => Err(format!(
                    "error: invalid literal source {value}, expected key=value"
                )),
            },
            "--from-file" => {
                let (key, path) = match value.split_once('=') {
                    Some((k, p)) => (Some(k), p),
                    None => (None, value),
                };
                read_sources(key, path).and_then(|pairs| {
                    pairs
                        .into_iter()
                        .try_for_each(|(k, v)| add(&mut data, &k, v))
                })
            }
            "--from-env-file" => match std::fs::read_to_string(value) {
                Ok(text) => text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .try_for_each(|l| match l.split_once('=') {
                        Some((k, v)) => add(&mut data, k.trim(), v.to_string()),
                        None => Err(format!(
                            "error: {value}: {l:?} is not a valid env line (KEY=VALUE)"
                        )),
                    }),
                Err(_) => Err(format!("error: the path \"{value}\" does not exist")),
            },
            "--type" if secret => {
                secret_type = value.to_string();
                Ok(())
            }
            "--dry-run" => {
                dry_run = matches!(value, "" | "client" | "server" | "true");
                Ok(())
            }
            "-o" | "--output" => {
                output = Some(value);
                Ok(())
            }
            f if f.starts_with("-o") => {
                output = Some(f[2..].trim_start_matches('='));
                Ok(())
            }
            other => Err(format!("error: unknown flag: {other}")),
        };
        if let Err(e) = result {
            return e;
        }
    }
    let meta = ObjectMeta {
        name: Some(name.to_string()),
        ..Default::default()
    };
    let object = if secret {
        Object::Secret(Box::new(Secret {
            metadata: meta,
            type_: Some(secret_type),
            data: Some(
                data.into_iter()
                    .map(|(k, v)| (k, ByteString(v.into_bytes())))
                    .collect(),
            ),
            ..Default::default()
        }))
    } else {
        Object::ConfigMap(Box::new(ConfigMap {
            metadata: meta,
            data: Some(data),
            ..Default::default()
        }))
    };
    let resource = if secret { "secret" } else { "configmap" };
    if dry_run {
        let mut v = match &object {
            Object::Secret(s) => serde_json::to_value(s),
            Object::ConfigMap(c) => serde_json::to_value(c),
            _ => Ok(Value::Null),
        }
        .unwrap_or_default();
        v["metadata"]["creationTimestamp"] = Value::Null;
        return match output {
            Some("yaml") => {
                let mut out = String::new();
                super::yaml_value(&mut out, &v, 0);
                out
            }
            Some("json") => serde_json::to_string_pretty(&v).unwrap_or_default(),
            Some("name") => format!("{resource}/{name}"),
            None => format!("{resource}/{name} created (dry run)"),
            Some(o) => format!("error: unable to match a printer suitable for the output format \"{o}\", allowed formats are: json,name,yaml"),
        };
    }
    let kind = if secret {
        Kind::Secret
    } else {
        Kind::ConfigMap
    };
    if super::current(world, kind, name).is_some() {
        return format!(
            "error: failed to create {}: {} \"{name}\" already exists",
            resource,
            super::plural(kind)
        );
    }
    match world.apply(Change::Apply(object)) {
        Ok(()) => format!("{resource}/{name} created"),
        Err(e) => format!("error: failed to create {resource}: {e}"),
    }
}

/// `--from-file` sources: one file (key = its name unless given), or a
/// directory's regular files.
fn read_sources(key: Option<&str>, path: &str) -> Result<Vec<(String, String)>, String> {
    let p = Path::new(path);
    let meta =
        std::fs::metadata(p).map_err(|_| format!("error: the path \"{path}\" does not exist"))?;
    let read = |f: &Path| -> Result<String, String> {
        if std::fs::metadata(f).is_ok_and(|m| m.len() > MAX_FILE) {
            return Err(format!("error: {} is too large", f.display()));
        }
        std::fs::read_to_string(f)
            .map_err(|e| format!("error: cannot read \"{}\": {e}", f.display()))
    };
    if meta.is_file() {
        let k = key.map(str::to_string).unwrap_or_else(|| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
        return Ok(vec![(k, read(p)?)]);
    }
    if key.is_some() {
        return Err(format!(
            "error: cannot give a key name for a directory path: {path}"
        ));
    }
    let mut entries: Vec<_> = std::fs::read_dir(p)
        .map_err(|e| format!("error: cannot read directory \"{path}\": {e}"))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|e| e.is_file())
        .collect();
    entries.sort();
    entries
        .iter()
        .map(|e| {
            Ok((
                e.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                read(e)?,
            ))
        })
        .collect()
}
