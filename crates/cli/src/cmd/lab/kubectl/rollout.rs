//! `kubectl rollout status|history|undo` and `kubectl scale` for the lab's
//! Deployments. `status` advances the world second by second, printing
//! kubectl's waiting lines as they change, until the rollout completes, the
//! progress deadline passes without progress, or `--timeout` runs out.
//! `undo` makes an older ReplicaSet's template the Deployment's, as kubectl
//! does; the deployment controller then gives that ReplicaSet the next revision.

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use kubeprep_sim::lab::{Change, World};
use kubeprep_sim::manifest::Object;

/// The longest `rollout status` waits without `--timeout`: one hour.
const MAX_WAIT_MS: i64 = 3_600_000;

/// `deployment/NAME`, `deploy/NAME` or `deployment NAME`, and the rest.
fn deployment_target<'a>(args: &'a [&'a str]) -> Result<(&'a str, Vec<&'a str>), String> {
    let mut name = None;
    let mut rest = Vec::new();
    let mut it = args.iter().copied();
    while let Some(a) = it.next() {
        if a.starts_with('-') {
            rest.push(a);
            continue;
        }
        if name.is_some() {
            rest.push(a);
            continue;
        }
        match a.split_once('/') {
            Some(("deployment" | "deploy" | "deployments" | "deployment.apps", n)) => {
                name = Some(n)
            }
            Some((other, _)) => {
                return Err(format!(
                    "error: the lab's rollouts are Deployments, not {other:?}"
                ))
            }
            None if matches!(a, "deployment" | "deploy" | "deployments") => match it.next() {
                Some(n) => name = Some(n),
                None => return Err("error: required resource not specified".into()),
            },
            None => {
                return Err(format!(
                    "error: the server doesn't have a resource type \"{a}\""
                ))
            }
        }
    }
    match name {
        Some(n) => Ok((n, rest)),
        None => Err("error: required resource not specified".into()),
    }
}

fn find(world: &World, name: &str) -> Result<Deployment, String> {
    world
        .deployments()
        .iter()
        .find(|d| d.metadata.name.as_deref() == Some(name))
        .cloned()
        .ok_or_else(|| {
            format!("Error from server (NotFound): deployments.apps \"{name}\" not found")
        })
}

fn revision(rs: &ReplicaSet) -> i64 {
    rs.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("deployment.kubernetes.io/revision"))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// The Deployment's ReplicaSets, oldest revision first.
fn history_of(world: &World, d: &Deployment) -> Vec<ReplicaSet> {
    let uid = d.metadata.uid.clone().unwrap_or_default();
    let mut v: Vec<ReplicaSet> = world
        .replica_sets()
        .iter()
        .filter(|r| {
            r.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|o| o.uid == uid)
        })
        .cloned()
        .collect();
    v.sort_by_key(revision);
    v
}

/// kubectl's `DeploymentStatusViewer`: the line to print and whether done.
fn status_line(d: &Deployment) -> (String, bool) {
    let name = d.metadata.name.as_deref().unwrap_or_default();
    let st = d.status.clone().unwrap_or_default();
    let want = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let updated = st.updated_replicas.unwrap_or(0);
    let total = st.replicas.unwrap_or(0);
    let available = st.available_replicas.unwrap_or(0);
    if updated < want {
        return (format!("Waiting for deployment \"{name}\" rollout to finish: {updated} out of {want} new replicas have been updated..."), false);
    }
    if total > updated {
        return (format!("Waiting for deployment \"{name}\" rollout to finish: {} old replicas are pending termination...", total - updated), false);
    }
    if available < updated {
        return (format!("Waiting for deployment \"{name}\" rollout to finish: {available} of {updated} updated replicas are available..."), false);
    }
    (
        format!("deployment \"{name}\" successfully rolled out"),
        true,
    )
}

fn parse_duration_ms(s: &str) -> Option<i64> {
    let (num, unit) = s.split_at(s.find(|c: char| c.is_ascii_alphabetic())?);
    let n: f64 = num.parse().ok()?;
    let ms = match unit {
        "ms" => n,
        "s" => n * 1000.0,
        "m" => n * 60_000.0,
        "h" => n * 3_600_000.0,
        _ => return None,
    };
    Some(ms as i64)
}

/// `kubectl rollout status deployment/NAME [--timeout=D] [--watch=false]`.
pub fn status(world: &mut World, args: &[&str]) -> String {
    let (name, flags) = match deployment_target(args) {
        Ok(t) => t,
        Err(e) => return e,
    };
    let mut timeout: Option<i64> = None;
    let mut watch = true;
    for f in flags {
        if let Some(v) = f.strip_prefix("--timeout=") {
            match parse_duration_ms(v) {
                Some(ms) if ms > 0 => timeout = Some(ms),
                Some(_) => {}
                None => return format!("error: invalid argument \"{v}\" for \"--timeout\" flag: time: invalid duration \"{v}\""),
            }
        } else if f == "--watch=false" || f == "-w=false" {
            watch = false;
        } else if f != "--watch" && f != "-w" && f != "--watch=true" {
            return format!("error: unknown flag: {f}");
        }
    }
    let d = match find(world, name) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let now = world.now().timestamp_millis();
    // A rollout already past its deadline fails at once, as kubectl reads
    // the Progressing condition before printing anything.
    let past = super::describe::deployment_conditions(world, &d, now)
        .iter()
        .any(|(_, _, r)| *r == "ProgressDeadlineExceeded");
    if past {
        return format!("error: deployment \"{name}\" exceeded its progress deadline");
    }
    let (mut line, mut done) = status_line(&d);
    let mut out = vec![line.clone()];
    if done || !watch {
        return out.join("\n");
    }
    let deadline_ms = i64::from(
        d.spec
            .as_ref()
            .and_then(|s| s.progress_deadline_seconds)
            .unwrap_or(600),
    ) * 1000;
    // Progress is measured from the newest ReplicaSet (the rollout's start)
    // and from every change in the Deployment's status after it.
    let mut last_progress = history_of(world, &d)
        .last()
        .and_then(|r| r.metadata.creation_timestamp.as_ref())
        .map_or(now, |t| t.0.timestamp_millis());
    let mut last_status = d.status.clone();
    let start = now;
    let limit = timeout.unwrap_or(MAX_WAIT_MS);
    while !done {
        world.advance(1_000);
        let now = world.now().timestamp_millis();
        let d = match find(world, name) {
            Ok(d) => d,
            Err(e) => {
                out.push(e);
                break;
            }
        };
        if d.status != last_status {
            last_status = d.status.clone();
            last_progress = now;
        }
        let (l, ok) = status_line(&d);
        done = ok;
        if l != line {
            out.push(l.clone());
            line = l;
        }
        if done {
            break;
        }
        if now - last_progress > deadline_ms {
            out.push(format!(
                "error: deployment \"{name}\" exceeded its progress deadline"
            ));
            break;
        }
        if now - start >= limit {
            out.push("error: timed out waiting for the condition".into());
            break;
        }
    }
    out.join("\n")
}

/// `kubectl rollout history deployment/NAME [--revision=N]`.
pub fn history(world: &mut World, args: &[&str]) -> String {
    let (name, flags) = match deployment_target(args) {
        Ok(t) => t,
        Err(e) => return e,
    };
    let mut want: Option<i64> = None;
    for f in flags {
        match f.strip_prefix("--revision=").map(str::parse::<i64>) {
            Some(Ok(n)) => want = Some(n),
            _ => return format!("error: unknown flag: {f}"),
        }
    }
    let d = match find(world, name) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let hist = history_of(world, &d);
    if let Some(n) = want.filter(|n| *n > 0) {
        let Some(rs) = hist.iter().find(|r| revision(r) == n) else {
            return "error: unable to find the specified revision".into();
        };
        let mut o = String::new();
        super::describe::pod_template(&mut o, rs.spec.as_ref().and_then(|s| s.template.as_ref()));
        return format!(
            "deployment.apps/{name} with revision #{n}\n{}",
            super::describe::tabbed(&o)
        );
    }
    let mut rows = String::from("REVISION\tCHANGE-CAUSE\n");
    for rs in &hist {
        let cause = rs
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get("kubernetes.io/change-cause"))
            .cloned()
            .unwrap_or("<none>".into());
        rows += &format!("{}\t{cause}\n", revision(rs));
    }
    let mut tw = tabwriter::TabWriter::new(Vec::new()).minwidth(0).padding(2);
    let _ = std::io::Write::write_all(&mut tw, rows.as_bytes());
    let table = String::from_utf8_lossy(&tw.into_inner().unwrap_or_default()).into_owned();
    format!("deployment.apps/{name} \n{table}")
}

/// `kubectl rollout undo deployment/NAME [--to-revision=N]`.
pub fn undo(world: &mut World, args: &[&str]) -> String {
    let (name, flags) = match deployment_target(args) {
        Ok(t) => t,
        Err(e) => return e,
    };
    let mut to: i64 = 0;
    for f in flags {
        match f.strip_prefix("--to-revision=").map(str::parse::<i64>) {
            Some(Ok(n)) if n >= 0 => to = n,
            _ => return format!("error: unknown flag: {f}"),
        }
    }
    let d = match find(world, name) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let hist = history_of(world, &d);
    let current = hist.iter().map(revision).max().unwrap_or(0);
    let target = if to == 0 {
        if hist.len() <= 1 {
            return format!("error: no rollout history found for deployment \"{name}\"");
        }
        hist.iter().rev().find(|r| revision(r) < current)
    } else {
        hist.iter().find(|r| revision(r) == to)
    };
    let Some(target) = target else {
        return format!("error: unable to find specified revision {to} in history");
    };
    let mut template = target
        .spec
        .as_ref()
        .and_then(|s| s.template.clone())
        .unwrap_or_default();
    if let Some(l) = template.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        l.remove("pod-template-hash");
    }
    let spec_template = d.spec.as_ref().map(|s| &s.template);
    if spec_template == Some(&template) {
        return format!(
            "deployment.apps/{name} skipped rollback (current template already matches revision {})",
            revision(target)
        );
    }
    let mut d = d;
    if let Some(s) = d.spec.as_mut() {
        s.template = template;
    }
    match world.apply(Change::Apply(Object::Deployment(Box::new(d)))) {
        Ok(()) => format!("deployment.apps/{name} rolled back"),
        Err(e) => format!("error: {e}"),
    }
}

/// `kubectl scale deployment/NAME --replicas=N [--current-replicas=M]`.
pub fn scale(world: &mut World, args: &[&str]) -> String {
    let mut replicas: Option<&str> = None;
    let mut current: Option<&str> = None;
    let mut targets: Vec<&str> = Vec::new();
    let mut it = args.iter().copied();
    while let Some(a) = it.next() {
        match a {
            "--replicas" => replicas = it.next(),
            "--current-replicas" => current = it.next(),
            a if a.starts_with("--replicas=") => replicas = Some(&a[11..]),
            a if a.starts_with("--current-replicas=") => current = Some(&a[19..]),
            a if a.starts_with('-') => return format!("error: unknown flag: {a}"),
            a => targets.push(a),
        }
    }
    let Some(replicas) = replicas else {
        return "error: required flag(s) \"replicas\" not set".into();
    };
    let Ok(n) = replicas.parse::<i32>() else {
        return format!("error: invalid argument \"{replicas}\" for \"--replicas\" flag: strconv.ParseInt: parsing \"{replicas}\": invalid syntax");
    };
    if n < 0 {
        return "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0".into();
    }
    if let [kind, ..] = targets.as_slice() {
        if kind.starts_with("rs/") || kind.starts_with("replicaset") || *kind == "rs" {
            return "error: the lab scales Deployments: its ReplicaSets are owned by them and would be scaled back".into();
        }
    }
    let (name, _) = match deployment_target(&targets) {
        Ok(t) => t,
        Err(e) => return e,
    };
    let d = match find(world, name) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let have = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    if let Some(c) = current {
        if c.parse::<i32>().ok() != Some(have) {
            return format!("error: Expected replicas to be {c}, was {have}");
        }
    }
    let mut d = d;
    if let Some(s) = d.spec.as_mut() {
        s.replicas = Some(n);
    }
    match world.apply(Change::Apply(Object::Deployment(Box::new(d)))) {
        Ok(()) => format!("deployment.apps/{name} scaled"),
        Err(e) => format!("error: {e}"),
    }
}
