//! Events two ways: `kubectl events` (the newer command: `--for TYPE/NAME`,
//! `--types`, sorted by last timestamp) and `kubectl get events --sort-by=…`
//! (`.lastTimestamp` or `.metadata.creationTimestamp`). The plain `get
//! events` table lives with the other `get` tables.

use k8s_openapi::api::core::v1::Event;
use kubeprep_sim::lab::World;

fn table(rows: &str) -> String {
    // kubectl's table printers pad columns by three spaces.
    let mut tw = tabwriter::TabWriter::new(Vec::new()).minwidth(0).padding(3);
    let _ = std::io::Write::write_all(&mut tw, rows.as_bytes());
    String::from_utf8_lossy(&tw.into_inner().unwrap_or_default())
        .lines()
        .map(|l| format!("{}\n", l.trim_end()))
        .collect()
}

fn cell(s: &str) -> String {
    s.trim().replace(['\t', '\n'], " ")
}

/// `kubectl events [--for TYPE/NAME] [--types=Normal,Warning]`.
pub fn events(world: &World, args: &[&str]) -> String {
    let mut target: Option<(String, String)> = None;
    let mut types: Vec<String> = Vec::new();
    let mut it = args.iter().copied();
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v)),
            _ => (a, None),
        };
        match flag {
            "--for" | "--types" => {
                let Some(v) = inline.or_else(|| it.next()) else {
                    return format!("error: flag needs an argument: {flag}");
                };
                if flag == "--types" {
                    for t in v.split(',') {
                        if !matches!(t, "Normal" | "Warning") {
                            return format!(
                                "error: valid --types are Normal or Warning, not {t:?}"
                            );
                        }
                        types.push(t.to_string());
                    }
                    continue;
                }
                let Some((k, n)) = v.split_once('/') else {
                    return format!("error: --for must be in resource/name form, not {v:?}");
                };
                let kind = match k {
                    "pod" | "pods" | "po" => "Pod",
                    "deployment" | "deployments" | "deploy" => "Deployment",
                    "replicaset" | "replicasets" | "rs" => "ReplicaSet",
                    "service" | "services" | "svc" => "Service",
                    "node" | "nodes" | "no" => "Node",
                    other => {
                        return format!(
                            "error: the server doesn't have a resource type \"{other}\""
                        )
                    }
                };
                target = Some((kind.to_string(), n.to_string()));
            }
            "-w" | "--watch" => {}
            "-A" | "--all-namespaces" => {}
            f => return format!("error: unknown flag: {f}"),
        }
    }
    let now = world.now().timestamp_millis();
    let evs: Vec<Event> = world
        .events()
        .into_iter()
        .filter(|e| match &target {
            Some((k, n)) => {
                e.involved_object.kind.as_deref() == Some(k.as_str())
                    && e.involved_object.name.as_deref() == Some(n.as_str())
            }
            None => true,
        })
        .filter(|e| {
            types.is_empty() || types.iter().any(|t| Some(t.as_str()) == e.type_.as_deref())
        })
        .collect();
    if evs.is_empty() {
        return "No events found in default namespace.".into();
    }
    let mut rows = String::from("LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE\n");
    for e in &evs {
        let first = e.first_timestamp.as_ref().or(e.last_timestamp.as_ref());
        let count = e.count.unwrap_or(1);
        let seen = if count > 1 {
            format!(
                "{} (x{count} over {})",
                super::since(e.last_timestamp.as_ref(), now),
                super::since(first, now)
            )
        } else {
            super::since(first, now)
        };
        rows += &format!(
            "{seen}\t{}\t{}\t{}/{}\t{}\n",
            cell(e.type_.as_deref().unwrap_or_default()),
            cell(e.reason.as_deref().unwrap_or_default()),
            e.involved_object.kind.as_deref().unwrap_or_default(),
            e.involved_object.name.as_deref().unwrap_or_default(),
            cell(e.message.as_deref().unwrap_or_default())
        );
    }
    table(&rows)
}

/// `kubectl get events --sort-by=.lastTimestamp|.metadata.creationTimestamp`.
pub fn get_sorted(world: &World, _word: &str, flags: &[&str]) -> String {
    let mut key = None;
    let mut it = flags.iter().copied();
    while let Some(f) = it.next() {
        if let Some(v) = f.strip_prefix("--sort-by=") {
            key = Some(v);
        } else if f == "--sort-by" {
            key = it.next();
        } else {
            return format!("error: the lab sorts events with --sort-by alone; unexpected {f:?}");
        }
    }
    let key = key.unwrap_or_default().trim_matches(['{', '}', '\'', '"']);
    let now = world.now().timestamp_millis();
    let mut evs = world.events();
    match key {
        ".lastTimestamp" | "lastTimestamp" => {
            evs.sort_by_key(|e| e.last_timestamp.as_ref().map(|t| t.0.timestamp_millis()))
        }
        ".metadata.creationTimestamp" | ".firstTimestamp" | "metadata.creationTimestamp" => {
            evs.sort_by_key(|e| {
                e.metadata
                    .creation_timestamp
                    .as_ref()
                    .or(e.first_timestamp.as_ref())
                    .map(|t| t.0.timestamp_millis())
            })
        }
        ".count" => evs.sort_by_key(|e| e.count.unwrap_or(1)),
        other => {
            return format!(
                "error: the lab sorts events by .lastTimestamp, .metadata.creationTimestamp or .count, not {other:?}"
            )
        }
    }
    if evs.is_empty() {
        return "No resources found in default namespace.".into();
    }
    let mut rows = String::from("LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE\n");
    for e in &evs {
        rows += &format!(
            "{}\t{}\t{}\t{}/{}\t{}\n",
            super::since(e.last_timestamp.as_ref(), now),
            cell(e.type_.as_deref().unwrap_or_default()),
            cell(e.reason.as_deref().unwrap_or_default()),
            e.involved_object
                .kind
                .as_deref()
                .unwrap_or_default()
                .to_lowercase(),
            e.involved_object.name.as_deref().unwrap_or_default(),
            cell(e.message.as_deref().unwrap_or_default())
        );
    }
    table(&rows)
}
