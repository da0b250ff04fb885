//! A shell inside the cluster: `kubectl exec` into a lab Pod, `kubectl run
//! NAME --image=busybox -it` and `kubectl debug -it POD --image=busybox`.
//! Commands are answered from the world: `nslookup` through cluster DNS,
//! `nc -zv`, `wget` and `ping` through [`World::reach`] from the Pod's
//! labels (so NetworkPolicies apply), `env` from the container's resolved
//! environment. Output follows busybox's wording. Each command inside the
//! shell takes simulated time, as a shell command does. No real process runs.

use std::collections::BTreeMap;

use kubeprep_sim::lab::{Reach, World};

use super::Console;
use crate::cmd::lab::STEP_MS;

/// The cluster DNS Service's address in the lab.
const DNS_IP: &str = "10.96.0.10";

/// Linux gives up on an unanswered TCP connect after about this long.
const TCP_TIMEOUT_MS: i64 = 127_000;

/// Which tools a container image has.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Image {
    /// busybox or alpine: `sh` and busybox's applets.
    Busybox,
    /// The Node.js app on alpine: busybox applets, no bash.
    App,
    /// Debian-based database images: bash, no network tools.
    Debian,
}

impl Image {
    fn of(image: &str) -> Option<Image> {
        let repo = image.split(['@']).next().unwrap_or(image);
        let base = repo.rsplit('/').next().unwrap_or(repo);
        let name = base.split(':').next().unwrap_or(base);
        match name {
            "busybox" | "alpine" | "netshoot" => Some(Image::Busybox),
            "shop-api" => Some(Image::App),
            "postgres" | "redis" => Some(Image::Debian),
            _ => None,
        }
    }
    fn not_found(self, cmd: &str) -> String {
        match self {
            Image::Debian => format!("bash: {cmd}: command not found"),
            _ => format!("sh: {cmd}: not found"),
        }
    }
}

/// Where the shell runs: the Pod's name, labels and environment.
struct Sandbox {
    hostname: String,
    /// The Pod's IP, which `localhost` reaches (none for a `kubectl run` Pod
    /// the lab does not keep).
    ip: Option<String>,
    labels: BTreeMap<String, String>,
    env: BTreeMap<String, String>,
    image: Image,
    prompt: String,
}

/// The first Pod of a Deployment, as `kubectl logs|exec deploy/NAME` picks
/// it (running and ready first, then the oldest), and how many it has.
pub fn first_pod_of(world: &World, deployment: &str) -> Result<(String, usize), String> {
    let Some(d) = world
        .deployments()
        .iter()
        .find(|d| d.metadata.name.as_deref() == Some(deployment))
    else {
        return Err(format!(
            "Error from server (NotFound): deployments.apps \"{deployment}\" not found"
        ));
    };
    let selector = d
        .spec
        .as_ref()
        .map(|s| s.selector.clone())
        .unwrap_or_default();
    let mut pods: Vec<_> = world
        .pods()
        .into_iter()
        .filter(|p| {
            p.metadata.deletion_timestamp.is_none()
                && kubeprep_sim::labels::selects(
                    &selector,
                    p.metadata.labels.as_ref().unwrap_or(&BTreeMap::new()),
                )
        })
        .collect();
    if pods.is_empty() {
        return Err(format!(
            "error: no pods found for deployment \"{deployment}\" (its selector matches none)"
        ));
    }
    pods.sort_by_key(|p| {
        let ready = p
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
        (
            !ready,
            p.metadata
                .creation_timestamp
                .as_ref()
                .map(|t| t.0.timestamp_millis()),
        )
    });
    let n = pods.len();
    Ok((pods[0].metadata.name.clone().unwrap_or_default(), n))
}

/// The environment every container in `default` gets: Service links and the API server.
fn service_env(world: &World) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    let mut link = |name: &str, ip: &str, port: i32, proto: &str, port_name: Option<&str>| {
        let n = name.to_uppercase().replace('-', "_");
        env.insert(format!("{n}_SERVICE_HOST"), ip.to_string());
        env.insert(format!("{n}_SERVICE_PORT"), port.to_string());
        if let Some(pn) = port_name.filter(|p| !p.is_empty()) {
            env.insert(
                format!("{n}_SERVICE_PORT_{}", pn.to_uppercase().replace('-', "_")),
                port.to_string(),
            );
        }
        let lower = proto.to_lowercase();
        env.insert(format!("{n}_PORT"), format!("{lower}://{ip}:{port}"));
        let p = format!("{n}_PORT_{port}_{proto}");
        env.insert(p.clone(), format!("{lower}://{ip}:{port}"));
        env.insert(format!("{p}_ADDR"), ip.to_string());
        env.insert(format!("{p}_PORT"), port.to_string());
        env.insert(format!("{p}_PROTO"), lower);
    };
    link("kubernetes", "10.96.0.1", 443, "TCP", Some("https"));
    for s in world.services() {
        let spec = s.spec.clone().unwrap_or_default();
        let (Some(name), Some(ip)) = (s.metadata.name.as_deref(), spec.cluster_ip.as_deref())
        else {
            continue;
        };
        if let Some(p) = spec.ports.iter().flatten().next() {
            link(
                name,
                ip,
                p.port,
                p.protocol.as_deref().unwrap_or("TCP"),
                p.name.as_deref(),
            );
        }
    }
    env
}

fn base_env(world: &World, hostname: &str, tty: bool) -> BTreeMap<String, String> {
    let mut env = service_env(world);
    env.insert("HOSTNAME".into(), hostname.into());
    env.insert(
        "PATH".into(),
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into(),
    );
    env.insert("HOME".into(), "/root".into());
    env.insert("SHLVL".into(), "1".into());
    if tty {
        env.insert("TERM".into(), "xterm".into());
    }
    env
}

/// A lab Pod's container as an exec target: its environment resolved from
/// ConfigMaps and Secrets as the kubelet would.
fn pod_sandbox(
    world: &World,
    pod: &str,
    container: Option<&str>,
    tty: bool,
) -> Result<Sandbox, String> {
    let p = world
        .pod(pod)
        .map_err(|e| format!("Error from server (NotFound): {e}"))?;
    let spec = p.spec.clone().unwrap_or_default();
    let c = match container {
        None => spec.containers.first(),
        Some(n) => spec.containers.iter().find(|c| c.name == n),
    };
    let Some(c) = c else {
        return Err(format!(
            "Error from server (BadRequest): container {} is not valid for pod {pod}",
            container.unwrap_or_default()
        ));
    };
    let running = p
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|cs| cs.iter().find(|s| s.name == c.name))
        .and_then(|s| s.state.as_ref())
        .is_some_and(|s| s.running.is_some());
    if !running || p.metadata.deletion_timestamp.is_some() {
        return Err(format!(
            "error: unable to upgrade connection: container not found (\"{}\")",
            c.name
        ));
    }
    let image = Image::of(c.image.as_deref().unwrap_or_default()).unwrap_or(Image::Debian);
    let mut env = base_env(world, pod, tty);
    if image == Image::App {
        env.insert("NODE_VERSION".into(), "20.17.0".into());
        env.insert("YARN_VERSION".into(), "1.22.22".into());
        env.insert("HOME".into(), "/home/node".into());
    }
    let cms = world.config_maps();
    let secrets = world.secrets();
    let secret_value = |name: &str, key: &str| -> Option<String> {
        secrets
            .iter()
            .find(|s| s.metadata.name.as_deref() == Some(name))
            .and_then(|s| s.data.as_ref())
            .and_then(|d| d.get(key))
            .map(|b| String::from_utf8_lossy(&b.0).into_owned())
    };
    for f in c.env_from.iter().flatten() {
        let prefix = f.prefix.clone().unwrap_or_default();
        if let Some(r) = &f.config_map_ref {
            if let Some(m) = cms
                .iter()
                .find(|m| m.metadata.name.as_deref() == Some(&r.name))
            {
                for (k, v) in m.data.iter().flatten() {
                    env.insert(format!("{prefix}{k}"), v.clone());
                }
            }
        }
        if let Some(r) = &f.secret_ref {
            if let Some(s) = secrets
                .iter()
                .find(|s| s.metadata.name.as_deref() == Some(&r.name))
            {
                for (k, v) in s.data.iter().flatten() {
                    env.insert(
                        format!("{prefix}{k}"),
                        String::from_utf8_lossy(&v.0).into_owned(),
                    );
                }
            }
        }
    }
    for e in c.env.iter().flatten() {
        let v = match (&e.value, &e.value_from) {
            (Some(v), _) => Some(v.clone()),
            (None, Some(f)) => {
                if let Some(s) = &f.secret_key_ref {
                    secret_value(&s.name, &s.key)
                } else if let Some(r) = &f.config_map_key_ref {
                    cms.iter()
                        .find(|m| m.metadata.name.as_deref() == Some(&r.name))
                        .and_then(|m| m.data.as_ref())
                        .and_then(|d| d.get(&r.key))
                        .cloned()
                } else {
                    None
                }
            }
            (None, None) => Some(String::new()),
        };
        if let Some(v) = v {
            env.insert(e.name.clone(), v);
        }
    }
    let prompt = match image {
        Image::App => "/app $ ".to_string(),
        Image::Busybox => "/ # ".to_string(),
        Image::Debian => format!("root@{pod}:/# "),
    };
    Ok(Sandbox {
        hostname: pod.to_string(),
        ip: p.status.as_ref().and_then(|s| s.pod_ip.clone()),
        labels: p.metadata.labels.clone().unwrap_or_default(),
        env,
        image,
        prompt,
    })
}

/// `kubectl exec [-it] POD [-c C] -- CMD ARGS`.
pub fn exec(world: &mut World, args: &[&str], console: &mut dyn Console) -> String {
    let (before, command) = match args.iter().position(|a| *a == "--") {
        Some(i) => (&args[..i], &args[i + 1..]),
        None => (args, &[][..]),
    };
    let mut stdin = false;
    let mut tty = false;
    let mut container = None;
    let mut pod = None;
    let mut extra = Vec::new();
    let mut it = before.iter().copied();
    while let Some(a) = it.next() {
        match a {
            "-i" | "--stdin" | "--stdin=true" => stdin = true,
            "-t" | "--tty" | "--tty=true" => tty = true,
            "-it" | "-ti" => {
                stdin = true;
                tty = true;
            }
            "-q" | "--quiet" => {}
            "-c" | "--container" => match it.next() {
                Some(c) => container = Some(c),
                None => return "error: flag needs an argument: 'c' in -c".into(),
            },
            a if a.starts_with("--container=") => container = Some(&a[12..]),
            a if a.starts_with('-') => return format!("error: unknown shorthand flag: {a}"),
            a if pod.is_none() => pod = Some(a),
            a => extra.push(a),
        }
    }
    let Some(pod) = pod else {
        return "error: expected 'exec POD_NAME COMMAND [ARG1] [ARG2] ... [ARGN]'.\nPOD or TYPE/NAME is a required argument for the exec command".into();
    };
    if !extra.is_empty() {
        return "error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead".into();
    }
    if command.is_empty() {
        return "error: you must specify at least one command for the container".into();
    }
    let picked;
    let pod = match pod.split_once('/') {
        Some(("pod" | "pods" | "po", p)) => p,
        Some(("deploy" | "deployment" | "deployments", d)) => match first_pod_of(world, d) {
            Ok((p, _)) => {
                picked = p;
                picked.as_str()
            }
            Err(e) => return e,
        },
        Some((other, _)) => {
            return format!(
                "error: cannot exec into a {other}: exec takes a pod or deployment/NAME"
            )
        }
        None => pod,
    };
    let mut sb = match pod_sandbox(world, pod, container, tty) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let words: Vec<String> = command.iter().map(|s| s.to_string()).collect();
    let shell = matches!(
        words[0].as_str(),
        "sh" | "/bin/sh" | "bash" | "/bin/bash" | "ash"
    );
    if shell && words.len() == 1 {
        if words[0].ends_with("bash") && sb.image != Image::Debian {
            return "error: Internal error occurred: error executing command in container: failed to exec in container: OCI runtime exec failed: exec failed: unable to start container process: exec: \"bash\": executable file not found in $PATH: unknown\ncommand terminated with exit code 126".into();
        }
        if !stdin {
            // A shell with no stdin reads end of file and exits at once.
            return String::new();
        }
        interactive(world, &mut sb, console, "");
        return String::new();
    }
    let (out, code) = if shell && words.get(1).map(String::as_str) == Some("-c") {
        let script = words.get(2).cloned().unwrap_or_default();
        run_script(world, &mut sb, &script)
    } else {
        run_words(world, &mut sb, &words)
    };
    if code != 0 {
        let sep = if out.is_empty() || out.ends_with('\n') {
            ""
        } else {
            "\n"
        };
        format!("{out}{sep}command terminated with exit code {code}")
    } else {
        out
    }
}

/// `kubectl run NAME --image=IMAGE [--rm] [-it] [--restart=Never] [--labels=k=v] [-- CMD]`.
pub fn run(world: &mut World, args: &[&str], console: &mut dyn Console) -> String {
    let (before, command) = match args.iter().position(|a| *a == "--") {
        Some(i) => (&args[..i], &args[i + 1..]),
        None => (args, &[][..]),
    };
    let mut name = None;
    let mut image = None;
    let mut rm = false;
    let mut stdin = false;
    let mut tty = false;
    let mut labels: BTreeMap<String, String> = BTreeMap::new();
    let mut it = before.iter().copied();
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v)),
            _ => (a, None),
        };
        match flag {
            "--image" | "--labels" | "-l" | "--restart" | "--env" | "--port" => {
                let Some(v) = inline.or_else(|| it.next()) else {
                    return format!("error: flag needs an argument: {flag}");
                };
                match flag {
                    "--image" => image = Some(v),
                    "--labels" | "-l" => {
                        for pair in v.split(',') {
                            match pair.split_once('=') {
                                Some((k, val)) if !k.is_empty() => {
                                    labels.insert(k.to_string(), val.to_string());
                                }
                                _ => return format!("error: invalid label spec: {pair}"),
                            }
                        }
                    }
                    "--restart" if !matches!(v, "Never" | "Always" | "OnFailure") => {
                        return format!("error: invalid restart policy: {v}")
                    }
                    _ => {}
                }
            }
            "--rm" => rm = inline != Some("false"),
            "-i" | "--stdin" => stdin = true,
            "-t" | "--tty" => tty = true,
            "-it" | "-ti" => {
                stdin = true;
                tty = true;
            }
            "--command" | "-q" | "--quiet" => {}
            f if f.starts_with('-') => return format!("error: unknown flag: {f}"),
            n if name.is_none() => name = Some(n),
            n => return format!("error: unexpected argument {n:?}: give the command after --"),
        }
    }
    let Some(name) = name else {
        return "error: NAME is required for run".into();
    };
    let Some(image) = image else {
        return "error: required flag(s) \"image\" not set".into();
    };
    if world.pod(name).is_ok() {
        return format!("Error from server (AlreadyExists): pods \"{name}\" already exists");
    }
    if rm && !stdin {
        return "error: --rm should only be used for attached containers".into();
    }
    match Image::of(image) {
        Some(Image::Busybox) => {}
        _ => {
            return format!(
                "error: the lab's debug Pods run busybox (or alpine): use --image=busybox, not {image:?}"
            )
        }
    }
    if !stdin {
        return format!(
            "error: the lab runs only interactive debug Pods: a detached pod/{name} would do nothing it models. Use: kubectl run {name} --image={image} --rm -it --restart=Never -- sh"
        );
    }
    labels
        .entry("run".into())
        .or_insert_with(|| name.to_string());
    // Scheduling, pulling busybox and starting take a few seconds.
    world.advance(3_000);
    let mut sb = Sandbox {
        hostname: name.to_string(),
        ip: None,
        labels,
        env: base_env(world, name, tty),
        image: Image::Busybox,
        prompt: "/ # ".into(),
    };
    let words: Vec<String> = command.iter().map(|s| s.to_string()).collect();
    let is_shell = words.is_empty()
        || (words.len() == 1 && matches!(words[0].as_str(), "sh" | "/bin/sh" | "ash"));
    let mut out = String::new();
    if is_shell {
        interactive(
            world,
            &mut sb,
            console,
            "If you don't see a command prompt, try pressing enter.\n",
        );
    } else if words[0].ends_with("bash") {
        out += "error: failed to start container: exec: \"bash\": executable file not found in $PATH\n";
    } else {
        let (o, _) = if matches!(words[0].as_str(), "sh" | "/bin/sh")
            && words.get(1).map(String::as_str) == Some("-c")
        {
            run_script(
                world,
                &mut sb,
                words.get(2).map(String::as_str).unwrap_or_default(),
            )
        } else {
            run_words(world, &mut sb, &words)
        };
        out += &o;
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
    }
    if rm {
        out += &format!("pod \"{name}\" deleted");
    } else {
        out += &format!(
            "Session ended, resume using 'kubectl attach {name} -c {name} -i -t' command when the pod is running\n(the lab does not keep debug Pods: {name} is gone)"
        );
    }
    out
}

/// `kubectl debug -it POD --image=busybox [--target=C] [-c NAME]`: an
/// ephemeral container in the Pod's network namespace, so its labels (and
/// the NetworkPolicies that select them) apply.
pub fn debug(world: &mut World, args: &[&str], console: &mut dyn Console) -> String {
    let mut pod = None;
    let mut image = None;
    let mut stdin = false;
    let mut tty = false;
    let mut name = None;
    let mut it = args.iter().copied();
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v)),
            _ => (a, None),
        };
        match flag {
            "--image" | "--target" | "-c" | "--container" | "--profile" => {
                let Some(v) = inline.or_else(|| it.next()) else {
                    return format!("error: flag needs an argument: {flag}");
                };
                match flag {
                    "--image" => image = Some(v),
                    "-c" | "--container" => name = Some(v.to_string()),
                    _ => {}
                }
            }
            "-i" | "--stdin" => stdin = true,
            "-t" | "--tty" => tty = true,
            "-it" | "-ti" => {
                stdin = true;
                tty = true;
            }
            "-q" | "--quiet" => {}
            "--" => break,
            f if f.starts_with("--copy-to") => {
                return "error: the lab debugs with an ephemeral container only, not --copy-to"
                    .into()
            }
            f if f.starts_with('-') => return format!("error: unknown flag: {f}"),
            p if pod.is_none() => pod = Some(p),
            p => return format!("error: unexpected argument {p:?}"),
        }
    }
    let Some(pod) = pod else {
        return "error: NAME is required for debug".into();
    };
    if pod.starts_with("node/") || pod.starts_with("nodes/") {
        return "error: the lab does not model node debugging; debug a pod".into();
    }
    let pod = pod.strip_prefix("pod/").unwrap_or(pod);
    let Some(image) = image else {
        return "error: --image is required for an ephemeral container (try --image=busybox)"
            .into();
    };
    if Image::of(image) != Some(Image::Busybox) {
        return format!("error: the lab's debug containers run busybox (or alpine), not {image:?}");
    }
    let p = match world.pod(pod) {
        Ok(p) => p,
        Err(e) => return format!("Error from server (NotFound): {e}"),
    };
    if !stdin {
        return "error: the lab runs only interactive debug containers: add -it".into();
    }
    let mut out = String::new();
    let name = name.unwrap_or_else(|| {
        let suffix: String = p
            .metadata
            .uid
            .clone()
            .unwrap_or_default()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(5)
            .collect();
        let n = format!("debugger-{suffix}");
        out += &format!("Defaulting debug container name to {n}.\n");
        n
    });
    console.write(&out);
    world.advance(3_000);
    let mut sb = Sandbox {
        hostname: pod.to_string(),
        ip: p.status.as_ref().and_then(|s| s.pod_ip.clone()),
        labels: p.metadata.labels.clone().unwrap_or_default(),
        env: base_env(world, pod, tty),
        image: Image::Busybox,
        prompt: "/ # ".into(),
    };
    interactive(
        world,
        &mut sb,
        console,
        "If you don't see a command prompt, try pressing enter.\n",
    );
    format!(
        "Session ended, the ephemeral container will not be restarted but may be reattached using 'kubectl attach {pod} -c {name} -i -t' if it is still running"
    )
}

/// Reads lines at the sandbox's prompt until `exit` or end of input.
fn interactive(world: &mut World, sb: &mut Sandbox, console: &mut dyn Console, banner: &str) {
    if !banner.is_empty() {
        console.write(banner);
    }
    while let Some(line) = console.read_line(&sb.prompt) {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line == "exit" || line.starts_with("exit ") || line == "logout" {
            break;
        }
        let (out, _) = run_script(world, sb, line);
        if !out.is_empty() {
            let mut out = super::escape(&out);
            if !out.ends_with('\n') {
                out.push('\n');
            }
            console.write(&out);
        }
    }
}

/// One shell line: `$VAR` expanded, `&&` and `;` chains run in turn.
fn run_script(world: &mut World, sb: &mut Sandbox, line: &str) -> (String, i32) {
    let mut out = String::new();
    let mut code = 0;
    for part in line.split(';') {
        for (j, cmd) in part.split("&&").enumerate() {
            if j > 0 && code != 0 {
                break;
            }
            let expanded = expand(cmd.trim(), &sb.env);
            let words = match super::split(&expanded) {
                Ok(w) => w,
                Err(_) => return ("sh: syntax error: unterminated quoted string".into(), 2),
            };
            if words.is_empty() {
                continue;
            }
            let (o, c) = run_words(world, sb, &words);
            if !o.is_empty() {
                out += &o;
                if !out.ends_with('\n') {
                    out.push('\n');
                }
            }
            code = c;
        }
    }
    (out.trim_end_matches('\n').to_string(), code)
}

/// `$NAME` and `${NAME}` from the environment (unset: empty).
fn expand(s: &str, env: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut single = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            single = !single;
        }
        if c == '$' && !single && i + 1 < chars.len() {
            let (name, next) = if chars[i + 1] == '{' {
                let end = chars[i + 2..].iter().position(|c| *c == '}');
                match end {
                    Some(e) => (
                        chars[i + 2..i + 2 + e].iter().collect::<String>(),
                        i + 3 + e,
                    ),
                    None => (String::new(), i + 1),
                }
            } else {
                let n: String = chars[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
                    .collect();
                let len = n.len();
                (n, i + 1 + len)
            };
            if !name.is_empty() {
                out += env.get(&name).map(String::as_str).unwrap_or_default();
                i = next;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// One command inside the sandbox; every command takes [`STEP_MS`].
fn run_words(world: &mut World, sb: &mut Sandbox, words: &[String]) -> (String, i32) {
    world.advance(STEP_MS);
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    let network_tool = matches!(w[0], "nslookup" | "nc" | "wget" | "ping");
    if network_tool && sb.image == Image::Debian {
        return (sb.image.not_found(w[0]), 127);
    }
    match w.as_slice() {
        ["env"] | ["printenv"] => (
            sb.env
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("\n"),
            0,
        ),
        ["printenv", names @ ..] => {
            let vals: Vec<&str> = names
                .iter()
                .filter_map(|n| sb.env.get(*n).map(String::as_str))
                .collect();
            let code = if vals.len() == names.len() { 0 } else { 1 };
            (vals.join("\n"), code)
        }
        ["echo", rest @ ..] => (rest.join(" "), 0),
        ["hostname"] => (sb.hostname.clone(), 0),
        ["pwd"] => (if sb.image == Image::App { "/app" } else { "/" }.into(), 0),
        ["id"] => (
            if sb.image == Image::App {
                "uid=1000(node) gid=1000(node) groups=1000(node)"
            } else {
                "uid=0(root) gid=0(root) groups=0(root),10(wheel)"
            }
            .into(),
            0,
        ),
        ["export", pairs @ ..] => {
            for p in pairs {
                if let Some((k, v)) = p.split_once('=') {
                    sb.env.insert(k.to_string(), v.to_string());
                }
            }
            (String::new(), 0)
        }
        ["cat", files @ ..] if !files.is_empty() => {
            let mut out = Vec::new();
            let mut code = 0;
            for f in files {
                match *f {
                    "/etc/resolv.conf" => out.push(format!(
                        "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver {DNS_IP}\noptions ndots:5"
                    )),
                    "/etc/hostname" => out.push(sb.hostname.clone()),
                    "/etc/hosts" => out.push(format!(
                        "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n{}\t{}",
                        pod_ip(world, &sb.hostname).unwrap_or_else(|| "10.244.1.250".into()),
                        sb.hostname
                    )),
                    f => {
                        out.push(format!("cat: can't open '{f}': No such file or directory"));
                        code = 1;
                    }
                }
            }
            (out.join("\n"), code)
        }
        ["nslookup", name, ..] => nslookup(world, sb, name),
        ["nc", rest @ ..] => nc(world, sb, rest),
        ["wget", rest @ ..] => wget(world, sb, rest),
        ["ping", rest @ ..] => ping(world, sb, rest),
        ["curl", ..]
        | ["dig", ..]
        | ["telnet", ..]
        | ["bash", ..]
        | ["psql", ..]
        | ["redis-cli", ..] => (sb.image.not_found(w[0]), 127),
        ["ls", ..] => (
            if sb.image == Image::App {
                "node_modules\npackage.json\nserver.js"
            } else {
                "bin   dev   etc   home  lib   proc  root  sys   tmp   usr   var"
            }
            .into(),
            0,
        ),
        ["true"] => (String::new(), 0),
        ["false"] => (String::new(), 1),
        [cmd, ..] => (sb.image.not_found(cmd), 127),
        [] => (String::new(), 0),
    }
}

fn pod_ip(world: &World, name: &str) -> Option<String> {
    world
        .pod(name)
        .ok()
        .and_then(|p| p.status.and_then(|s| s.pod_ip))
}

/// The name the search list turns `name` into when the Service exists.
fn fqdn(name: &str) -> String {
    let n = name.trim_end_matches('.');
    if n.ends_with(".svc.cluster.local") {
        n.to_string()
    } else if n.ends_with(".svc") {
        format!("{n}.cluster.local")
    } else if n.ends_with(".default") {
        format!("{n}.svc.cluster.local")
    } else {
        format!("{n}.default.svc.cluster.local")
    }
}

fn is_ip(s: &str) -> bool {
    s.parse::<std::net::Ipv4Addr>().is_ok()
}

/// busybox `nslookup NAME`.
fn nslookup(world: &mut World, sb: &Sandbox, name: &str) -> (String, i32) {
    let head = format!("Server:\t\t{DNS_IP}\nAddress:\t{DNS_IP}:53\n");
    match world.reach(&sb.labels, name, 1) {
        Reach::DnsTimeout => {
            world.advance(10_000);
            (
                ";; connection timed out; no servers could be reached\n".into(),
                1,
            )
        }
        Reach::UnknownHost => {
            let n = name.trim_end_matches('.');
            let mut tries: Vec<String> = Vec::new();
            if n.matches('.').count() < 5 {
                for s in [
                    "default.svc.cluster.local",
                    "svc.cluster.local",
                    "cluster.local",
                ] {
                    tries.push(format!("{n}.{s}"));
                }
            }
            tries.push(n.to_string());
            let mut out = head;
            for t in tries {
                out += &format!("\n** server can't find {t}: NXDOMAIN\n");
            }
            (out, 1)
        }
        _ if is_ip(name) => {
            let rev: Vec<&str> = name.split('.').rev().collect();
            (
                format!(
                    "{head}\n** server can't find {}.in-addr.arpa: NXDOMAIN\n",
                    rev.join(".")
                ),
                1,
            )
        }
        _ => match world.nslookup(name) {
            Some(ip) => (format!("{head}\nName:\t{}\nAddress: {ip}\n", fqdn(name)), 0),
            None => (
                format!("{head}\n** server can't find {name}: NXDOMAIN\n"),
                1,
            ),
        },
    }
}

/// busybox `nc [-z] [-v] [-w SECS] HOST PORT`.
fn nc(world: &mut World, sb: &Sandbox, args: &[&str]) -> (String, i32) {
    let mut verbose = false;
    let mut wait: Option<i64> = None;
    let mut rest = Vec::new();
    let mut it = args.iter().copied();
    while let Some(a) = it.next() {
        match a {
            "-w" => wait = it.next().and_then(|v| v.parse().ok()),
            a if a.starts_with("-w") => wait = a[2..].parse().ok(),
            a if a.starts_with('-') => {
                if a.contains('v') {
                    verbose = true;
                }
            }
            a => rest.push(a),
        }
    }
    let [host, port] = rest.as_slice() else {
        return (
            "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: nc [OPTIONS] HOST PORT  - connect".into(),
            1,
        );
    };
    let Ok(port) = port.parse::<i32>() else {
        return (format!("nc: bad port '{port}'"), 1);
    };
    if let Some(refused) = loopback_refused(sb, host, port) {
        return (format!("nc: {host} ({refused}): Connection refused"), 1);
    }
    let target = loopback(sb, host);
    match world.reach(&sb.labels, &target, port) {
        Reach::Open => (
            if verbose {
                let ip = resolve_ip(world, host);
                format!("{host} ({ip}:{port}) open")
            } else {
                String::new()
            },
            0,
        ),
        Reach::Refused(a) => (format!("nc: {host} ({a}): Connection refused"), 1),
        Reach::TimedOut(a) => {
            world.advance(wait.map_or(TCP_TIMEOUT_MS, |w| w * 1000));
            (format!("nc: {host} ({a}): Connection timed out"), 1)
        }
        Reach::UnknownHost => (format!("nc: bad address '{host}'"), 1),
        Reach::DnsTimeout => {
            world.advance(10_000);
            (format!("nc: bad address '{host}'"), 1)
        }
    }
}

/// `localhost` is the Pod's own network namespace: its IP, when it has one.
fn loopback(sb: &Sandbox, host: &str) -> String {
    match (host, &sb.ip) {
        ("localhost" | "127.0.0.1", Some(ip)) => ip.clone(),
        _ => host.to_string(),
    }
}

/// Nothing listens on a kept-nowhere debug Pod's loopback.
fn loopback_refused(sb: &Sandbox, host: &str, port: i32) -> Option<String> {
    (matches!(host, "localhost" | "127.0.0.1") && sb.ip.is_none())
        .then(|| format!("127.0.0.1:{port}"))
}

fn resolve_ip(world: &World, host: &str) -> String {
    if is_ip(host) {
        return host.to_string();
    }
    world.nslookup(host).unwrap_or_else(|| host.to_string())
}

/// busybox `wget [-q] [-O FILE|-O-] [-T SECS] [--spider] URL`.
fn wget(world: &mut World, sb: &Sandbox, args: &[&str]) -> (String, i32) {
    let mut quiet = false;
    let mut to_stdout = false;
    let mut timeout: Option<i64> = None;
    let mut spider = false;
    let mut url = None;
    let mut it = args.iter().copied();
    while let Some(a) = it.next() {
        match a {
            "-q" => quiet = true,
            "-qO-" | "-qO" | "-q0-" => {
                quiet = true;
                to_stdout = true;
                if a == "-qO" {
                    it.next();
                }
            }
            "-O" => to_stdout = it.next() == Some("-"),
            "-O-" => to_stdout = true,
            "-T" => timeout = it.next().and_then(|v| v.parse().ok()),
            "--spider" => spider = true,
            a if a.starts_with("--timeout=") => timeout = a[10..].parse().ok(),
            a if a.starts_with("-T") => timeout = a[2..].parse().ok(),
            a if a.starts_with('-') => {}
            a => url = Some(a),
        }
    }
    let Some(url) = url else {
        return ("wget: missing URL".into(), 1);
    };
    let rest = url.strip_prefix("http://").unwrap_or(url);
    if url.starts_with("https://") {
        return (
            "wget: not an http or ftp url: the lab serves plain http".into(),
            1,
        );
    }
    let (hostport, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => match p.parse::<i32>() {
            Ok(p) => (h, p),
            Err(_) => return (format!("wget: bad port spec '{p}'"), 1),
        },
        None => (hostport, 80),
    };
    if let Some(refused) = loopback_refused(sb, host, port) {
        let ip = refused
            .rsplit_once(':')
            .map_or("127.0.0.1", |(ip, _)| ip)
            .to_string();
        return (
            format!("wget: can't connect to remote host ({ip}): Connection refused"),
            1,
        );
    }
    let target = loopback(sb, host);
    let host = target.as_str();
    let connecting = if quiet {
        String::new()
    } else {
        format!(
            "Connecting to {hostport} ({}:{port})\n",
            resolve_ip(world, host)
        )
    };
    match world.reach(&sb.labels, host, port) {
        Reach::UnknownHost => (format!("wget: bad address '{hostport}'"), 1),
        Reach::DnsTimeout => {
            world.advance(10_000);
            (format!("wget: bad address '{hostport}'"), 1)
        }
        Reach::Refused(a) => {
            let ip = a
                .rsplit_once(':')
                .map_or(a.as_str(), |(ip, _)| ip)
                .to_string();
            (
                format!(
                    "{connecting}wget: can't connect to remote host ({ip}): Connection refused"
                ),
                1,
            )
        }
        Reach::TimedOut(_) => {
            world.advance(timeout.map_or(TCP_TIMEOUT_MS, |t| t * 1000));
            (format!("{connecting}wget: download timed out"), 1)
        }
        Reach::Open if matches!(port, 5432 | 6379) => (
            format!("{connecting}wget: error getting response: Connection reset by peer"),
            1,
        ),
        Reach::Open => {
            let body = match path {
                "/healthz" | "/livez" => "ok".to_string(),
                "/readyz" => "ready".to_string(),
                "/" => "{\"service\":\"shop-api\",\"version\":\"1.4.2\"}".to_string(),
                _ => {
                    return (
                        format!("{connecting}wget: server returned error: HTTP/1.1 404 Not Found"),
                        1,
                    )
                }
            };
            if spider {
                return (format!("{connecting}remote file exists"), 0);
            }
            if to_stdout {
                (format!("{connecting}{body}"), 0)
            } else {
                (
                    format!("{connecting}saving to 'index.html'\nindex.html           100% |********************************|    {}  0:00:00 ETA\n'index.html' saved", body.len()),
                    0,
                )
            }
        }
    }
}

/// busybox `ping [-c N] HOST`: ClusterIPs are virtual and never answer ICMP.
fn ping(world: &mut World, sb: &Sandbox, args: &[&str]) -> (String, i32) {
    let mut count: i64 = 4;
    let mut host = None;
    let mut it = args.iter().copied();
    while let Some(a) = it.next() {
        match a {
            "-c" => count = it.next().and_then(|v| v.parse().ok()).unwrap_or(4),
            a if a.starts_with("-c") => count = a[2..].parse().unwrap_or(4),
            a if a.starts_with('-') => {}
            a => host = Some(a),
        }
    }
    let count = count.clamp(1, 100);
    let Some(host) = host else {
        return ("ping: usage: ping [-c COUNT] HOST".into(), 1);
    };
    match world.reach(&sb.labels, host, 1) {
        Reach::UnknownHost | Reach::DnsTimeout => {
            return (format!("ping: bad address '{host}'"), 1)
        }
        _ => {}
    }
    let ip = resolve_ip(world, host);
    let head = format!("PING {host} ({ip}): 56 data bytes\n");
    let pod = world
        .pods()
        .into_iter()
        .any(|p| p.status.as_ref().and_then(|s| s.pod_ip.as_deref()) == Some(ip.as_str()));
    world.advance(count * 1000);
    if pod {
        let mut out = head;
        for i in 0..count {
            out += &format!(
                "64 bytes from {ip}: seq={i} ttl=63 time=0.{:03} ms\n",
                80 + i * 7
            );
        }
        out += &format!(
            "\n--- {host} ping statistics ---\n{count} packets transmitted, {count} packets received, 0% packet loss\nround-trip min/avg/max = 0.080/0.091/0.101 ms"
        );
        (out, 0)
    } else {
        (
            format!(
                "{head}\n--- {host} ping statistics ---\n{count} packets transmitted, 0 packets received, 100% packet loss"
            ),
            1,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_variables_outside_single_quotes() {
        let env = BTreeMap::from([("DB_HOST".to_string(), "postgres".to_string())]);
        assert_eq!(
            expand("echo $DB_HOST ${DB_HOST}x", &env),
            "echo postgres postgresx"
        );
        assert_eq!(expand("echo '$DB_HOST' $NOPE.", &env), "echo '$DB_HOST' .");
    }

    #[test]
    fn search_list_names() {
        assert_eq!(fqdn("postgres"), "postgres.default.svc.cluster.local");
        assert_eq!(
            fqdn("postgres.default"),
            "postgres.default.svc.cluster.local"
        );
        assert_eq!(
            fqdn("postgres.default.svc.cluster.local."),
            "postgres.default.svc.cluster.local"
        );
    }
}
