//! The kubectl subset the lab shell understands, rendered like kubectl's output.
//!
//! Every function returns the text to show (errors included, worded like
//! kubectl's), so a mistyped command never ends the session. Commands that
//! need more input (a shell inside a Pod, an editor) talk through a
//! [`Console`]. The larger commands live in submodules: `describe`,
//! `apply` (apply, create, replace), `edit`, `shell` (exec, run, debug),
//! `rollout` (status, history, undo, scale) and `events`.

mod apply;
mod describe;
mod edit;
mod events;
mod rollout;
mod shell;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kubeprep_sim::lab::patch::{self, PatchType};
use kubeprep_sim::lab::table::{
    self as lab_table, FieldSelector, Item, RenderOptions, Resource, Selector,
};
use kubeprep_sim::lab::{Change, Kind, World};
use kubeprep_sim::manifest::Object;
use serde_json::Value;

/// Where an interactive command reads more lines and shows output as it
/// happens: the terminal (line editor or piped stdin) in the shell, a
/// script in tests.
pub trait Console {
    /// The next line typed after `prompt`, or `None` at the end of input.
    fn read_line(&mut self, prompt: &str) -> Option<String>;
    /// Shows `s` at once (already escaped by the caller).
    fn write(&mut self, s: &str);
}

/// Runs one shell line against the world and returns what to print.
/// Interactive commands (`exec -it`, `run -it`, `debug -it`, `edit`) read
/// and write through `console` before returning.
/// A trailing `> FILE` or `>> FILE` writes the command's output to that file
/// (as a shell would, so `kubectl get deploy api -o yaml > api.yaml` then
/// `kubectl apply -f api.yaml` works); errors still show on the terminal.
pub fn execute(world: &mut World, line: &str, console: &mut dyn Console) -> String {
    let Some((command, path, append)) = redirect(line) else {
        return escape(&run_line(world, line, console));
    };
    if path.is_empty() {
        return "sh: syntax error: unexpected newline".into();
    }
    let out = run_line(world, command, console);
    if out.starts_with("error:") || out.starts_with("Error from server") {
        return escape(&out);
    }
    let mut text = out;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    let written = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(append)
        .truncate(!append)
        .open(&path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
    match written {
        Ok(()) => String::new(),
        Err(e) => escape(&format!("sh: can't create {path}: {e}")),
    }
}

/// The command before an unquoted trailing `>`/`>>`, the file, and whether to append.
fn redirect(line: &str) -> Option<(&str, String, bool)> {
    let mut quote: Option<char> = None;
    let mut at = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '>') => {
                at = Some(i);
                break;
            }
            _ => {}
        }
    }
    let at = at?;
    let append = line[at + 1..].starts_with('>');
    let rest = &line[at + 1 + usize::from(append)..];
    let path = rest.trim().trim_matches(['\'', '"']).to_string();
    Some((line[..at].trim_end(), path, append))
}

/// Control characters (other than newline and tab) shown in caret notation,
/// so text a candidate put into an object never drives the terminal.
pub fn escape(s: &str) -> String {
    if !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            c if (c as u32) < 0x20 => {
                out.push('^');
                out.push(char::from_u32(c as u32 + 0x40).unwrap_or('?'));
            }
            '\u{7f}' => out.push_str("^?"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn run_line(world: &mut World, line: &str, console: &mut dyn Console) -> String {
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
        ["kubectl" | "k", rest @ ..] => kubectl(world, rest, console),
        [cmd, ..] => format!("{cmd}: command not found (try `kubectl ...`, `check` or `exit`)"),
        [] => String::new(),
    }
}

/// The shell's command summary (`help`, which takes no cluster time).
pub const HELP: &str = "\
kubectl get pods|svc|endpoints|deploy|rs|events|cm|secrets|netpol [NAME] [-o wide|json|yaml]
kubectl describe TYPE [NAME|PREFIX]   (pod, deploy, rs, svc, ep, cm, secret, netpol, node)
kubectl logs POD|deploy/NAME [-c CONTAINER] [--previous] [--tail N] [-f: prints what is there]
kubectl apply|create|replace -f FILE|DIR
kubectl create configmap|secret generic NAME --from-literal=KEY=VALUE [--from-file=[KEY=]PATH]
kubectl edit TYPE NAME                  (opens $KUBE_EDITOR, $EDITOR or vi)
kubectl exec [-it] POD [-c CONTAINER] -- CMD [ARGS]   (sh, env, nslookup, nc -zv, wget, cat)
kubectl run NAME --image=busybox --rm -it --restart=Never [--labels=k=v] -- sh
kubectl debug -it POD --image=busybox
kubectl rollout status|history|undo deployment/NAME [--to-revision=N]
kubectl scale deployment/NAME --replicas=N
kubectl events [--for pod/NAME] [--types=Warning]
kubectl get events --sort-by=.lastTimestamp|.metadata.creationTimestamp
kubectl patch TYPE NAME -p '<json>' [--type strategic|merge]
kubectl delete TYPE NAME
kubectl label pod NAME KEY=VALUE|KEY- [--overwrite]
kubectl rollout restart deployment/NAME
kubectl set env|image|resources deployment/NAME ...
CMD > FILE | >> FILE   write a command's output to a file (e.g. -o yaml, then edit and apply -f)
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

fn kubectl(world: &mut World, args: &[&str], console: &mut dyn Console) -> String {
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
        ["get", what @ ("events" | "event" | "ev"), flags @ ..]
            if flags.iter().any(|f| f.starts_with("--sort-by")) =>
        {
            events::get_sorted(world, what, flags)
        }
        ["get", what, flags @ ..] => get(world, what, flags),
        ["get"] => "error: You must specify the type of resource to get.".into(),
        ["logs", args @ ..] => logs(world, args),
        ["describe", args @ ..] => describe(world, args),
        ["apply" | "replace", args @ ..] => apply::from_files(world, rest[0], args),
        ["create", args @ ..] => apply::create(world, args),
        ["edit", args @ ..] => edit::edit(world, args, console),
        ["exec", args @ ..] => shell::exec(world, args, console),
        ["run", args @ ..] => shell::run(world, args, console),
        ["debug", args @ ..] => shell::debug(world, args, console),
        ["rollout", "status", args @ ..] => rollout::status(world, args),
        ["rollout", "history", args @ ..] => rollout::history(world, args),
        ["rollout", "undo", args @ ..] => rollout::undo(world, args),
        ["scale", args @ ..] => rollout::scale(world, args),
        ["events", args @ ..] => events::events(world, args),
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

fn since(t: Option<&Time>, now: i64) -> String {
    match t {
        Some(t) => age(now - t.0.timestamp_millis()),
        None => "<unknown>".into(),
    }
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
            // -f prints what the container has logged so far and returns:
            // the lab's clock only moves between commands.
            "-f" | "--follow" | "--follow=true" => {}
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
                pod = Some(
                    a.strip_prefix("pod/")
                        .or(a.strip_prefix("po/"))
                        .unwrap_or(a),
                );
            }
        }
    }
    let Some(pod) = pod else {
        return "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command".into();
    };
    let mut found = String::new();
    let picked;
    let pod = match pod.split_once('/') {
        Some(("deploy" | "deployment" | "deployments" | "deployment.apps", d)) => {
            match shell::first_pod_of(world, d) {
                Ok((p, n)) => {
                    found = format!("Found {n} pods, using pod/{p}\n");
                    picked = p;
                    picked.as_str()
                }
                Err(e) => return e,
            }
        }
        Some((other, _)) => {
            return format!(
                "error: the lab reads logs of pod/NAME or deployment/NAME, not {other:?}"
            )
        }
        None => pod,
    };
    match world.logs(pod, container, previous) {
        Ok(lines) => {
            let skip = tail.map_or(0, |t| lines.len().saturating_sub(t));
            found + &lines[skip..].join("\n")
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
    let mut kind_of_patch = PatchType::Strategic;
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
        kind_of_patch = match ty {
            "strategic" => PatchType::Strategic,
            "merge" => PatchType::Merge,
            "json" => PatchType::Json,
            t => return format!("error: --type must be one of [json merge strategic], not {t:?}"),
        };
    }
    let Some(body) = body else {
        return "error: must specify -p to patch".into();
    };
    if let Err(e) = serde_json::from_str::<Value>(body) {
        return format!("error: unable to parse \"{body}\": {e}");
    }
    let resource = singular(kind);
    let before = match current(world, kind, name) {
        Some(Ok(v)) => v,
        Some(Err(e)) => return format!("error: {e}"),
        None => {
            return format!(
                "Error from server (NotFound): {} \"{name}\" not found",
                plural(kind)
            )
        }
    };
    // The same patch engine the lab's API server runs for the real kubectl.
    let doc = match patch::apply(kind_of_patch, &before, body.as_bytes()) {
        Ok(doc) => doc,
        Err(e) => return format!("Error from server (BadRequest): {}", e.0),
    };
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

/// `kubectl describe TYPE [NAME]`, `describe TYPE/NAME`, `describe TYPE N1 N2`.
fn describe(world: &World, args: &[&str]) -> String {
    let (word, name) = match args {
        [t] if t.contains('/') => {
            let (k, n) = t.split_once('/').unwrap_or_default();
            (k, Some(n))
        }
        [t] => (*t, None),
        [t, n] => (*t, Some(*n)),
        [] => return "error: You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.".into(),
        [_, _, extra, ..] if extra.starts_with('-') => {
            return format!("error: unknown flag: {extra}")
        }
        [t, names @ ..] => {
            return names
                .iter()
                .map(|n| describe(world, &[t, n]))
                .collect::<Vec<_>>()
                .join("\n\n")
        }
    };
    describe::describe(world, word, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A console over fixed lines that records prompts and output.
    struct Script {
        lines: std::collections::VecDeque<String>,
        prompts: Vec<String>,
        out: String,
    }

    impl Console for Script {
        fn read_line(&mut self, prompt: &str) -> Option<String> {
            self.prompts.push(prompt.to_string());
            self.lines.pop_front()
        }
        fn write(&mut self, s: &str) {
            self.out += s;
        }
    }

    fn script(lines: &[&str]) -> Script {
        Script {
            lines: lines.iter().map(|l| l.to_string()).collect(),
            prompts: Vec::new(),
            out: String::new(),
        }
    }

    #[test]
    fn sub_shells_read_through_the_console_and_take_time() {
        let mut w = World::new(kubeprep_sim::lab::Fault::ServiceSelectorMismatch, 1);
        w.advance(180_000);
        let before = w.elapsed_ms();
        let mut c = script(&[
            "nslookup redis",
            "",
            "nc -zv postgres 5432",
            "exit",
            "after",
        ]);
        let out = execute(
            &mut w,
            "kubectl run debug --image=busybox:1.36 --rm -it --restart=Never -- sh",
            &mut c,
        );
        assert_eq!(out, "pod \"debug\" deleted");
        assert_eq!(c.prompts, ["/ # "; 4]);
        assert!(
            c.out.starts_with("If you don't see a command prompt"),
            "{}",
            c.out
        );
        assert!(
            c.out.contains("Name:\tredis.default.svc.cluster.local\n"),
            "{}",
            c.out
        );
        assert!(c.out.contains(":5432): Connection refused\n"), "{}", c.out);
        // The line after `exit` is left for the lab shell.
        assert_eq!(c.lines.front().map(String::as_str), Some("after"));
        // Start-up plus two commands of simulated time.
        assert_eq!(
            w.elapsed_ms() - before,
            3_000 + 2 * crate::cmd::lab::STEP_MS
        );
    }

    #[test]
    fn exec_into_a_running_app_reaches_its_own_port() {
        let mut w = World::new(kubeprep_sim::lab::Fault::ServiceSelectorMismatch, 1);
        w.advance(180_000);
        let mut c = script(&[]);
        let fix = r#"kubectl patch svc postgres -p '{"spec":{"selector":{"app":"postgres","tier":null}}}'"#;
        assert_eq!(execute(&mut w, fix, &mut c), "service/postgres patched");
        execute(&mut w, "kubectl rollout restart deployment/api", &mut c);
        let status = execute(&mut w, "kubectl rollout status deployment/api", &mut c);
        assert!(
            status.ends_with("deployment \"api\" successfully rolled out"),
            "{status}"
        );
        let mut c = script(&[
            "wget -qO- http://localhost:3000/healthz",
            "echo $DB_HOST",
            "exit",
        ]);
        let out = execute(&mut w, "kubectl exec -it deploy/api -- sh", &mut c);
        assert_eq!(out, "");
        assert_eq!(c.prompts, ["/app $ "; 3]);
        assert_eq!(c.out, "ok\npostgres\n");
    }

    #[test]
    fn redirects_output_to_a_file() {
        assert_eq!(
            redirect("k get po > out.txt"),
            Some(("k get po", "out.txt".into(), false))
        );
        assert_eq!(
            redirect("k get po >> 'a b'"),
            Some(("k get po", "a b".into(), true))
        );
        assert_eq!(redirect(r#"k patch svc x -p '{"a":">"}'"#), None);
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("api.yaml");
        let mut w = World::new(kubeprep_sim::lab::Fault::OomKilled, 1);
        let mut c = script(&[]);
        let line = format!("kubectl get deploy api -o yaml > {}", file.display());
        assert_eq!(execute(&mut w, &line, &mut c), "");
        let text = std::fs::read_to_string(&file).expect("written");
        assert!(text.starts_with("apiVersion: apps/v1\n"), "{text}");
        let text = text
            .replace("memory: 64Mi", "memory: 256Mi")
            .replace("memory: 96Mi", "memory: 256Mi")
            .replace("memory: 128Mi", "memory: 256Mi");
        std::fs::write(&file, text).expect("write");
        let out = execute(
            &mut w,
            &format!("kubectl apply -f {}", file.display()),
            &mut c,
        );
        assert_eq!(out, "deployment.apps/api configured");
        assert_eq!(w.fault_fixed(), Ok(()));
        let bad = execute(&mut w, "kubectl get nope > x.txt", &mut c);
        assert!(bad.starts_with("error: the server doesn't have"), "{bad}");
    }

    #[test]
    fn escapes_control_characters() {
        assert_eq!(escape("a\u{1b}[31mb\tc\n"), "a^[[31mb\tc\n");
        assert_eq!(escape("x\u{7f}\u{9b}"), "x^?\\u{9b}");
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
    fn splits_like_a_shell() {
        assert_eq!(
            split(r#"kubectl patch svc pg -p '{"a": "b c"}'"#).unwrap_or_default(),
            ["kubectl", "patch", "svc", "pg", "-p", r#"{"a": "b c"}"#]
        );
        assert_eq!(split(r#"a "" b"#).unwrap_or_default(), ["a", "", "b"]);
        assert!(split("a 'b").is_err());
    }
}
