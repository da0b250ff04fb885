//! What a container does when the kubelet starts it: the environment the
//! kubelet resolves from ConfigMaps and Secrets, and the Node.js api's own
//! start-up (read env, connect to PostgreSQL and Redis through cluster DNS,
//! Services, endpoints and NetworkPolicies, listen on :3000) with the log
//! lines and exit codes a real one shows. Not the kubelet's timing: that
//! lives in `mod.rs`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, Container, Probe, Secret, Service};
use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::scenario::{Details, KNOWN_IMAGES};

/// A Pod as the network sees it.
#[derive(Debug, Clone)]
pub(crate) struct Peer<'a> {
    pub namespace: &'a str,
    pub labels: &'a BTreeMap<String, String>,
    pub ip: &'a str,
    pub ready: bool,
    /// The ports its containers declare (name, number).
    pub ports: Vec<(String, i32)>,
    /// The port its process really listens on, if any.
    pub listens: Option<i32>,
    /// What its first container runs: `postgres`, `redis`, `api` or empty.
    pub serves: &'static str,
}

/// The parts of the world start-up reads.
pub(crate) struct View<'a> {
    pub services: &'a [Service],
    pub config_maps: &'a [ConfigMap],
    pub secrets: &'a [Secret],
    pub policies: &'a [NetworkPolicy],
    pub pods: Vec<Peer<'a>>,
    pub details: &'a Details,
}

/// What a container start leads to, in ms after the start.
#[derive(Debug, Clone, Default)]
pub(crate) struct Run {
    /// Log lines with their offset.
    pub lines: Vec<(i64, String)>,
    /// Exit: (offset, code, reason).
    pub exit: Option<(i64, i32, &'static str)>,
    /// When the process listens on its port (offset), if it does.
    pub listen: Option<i64>,
    /// The port it listens on.
    pub port: Option<i32>,
}

/// What a container image serves, for the network model.
pub(crate) fn serves(image: &str) -> &'static str {
    if image.starts_with("postgres") {
        "postgres"
    } else if image.starts_with("redis") {
        "redis"
    } else if image.contains("shop-api") {
        "api"
    } else {
        ""
    }
}

/// Whether `image` exists in the lab's registry.
pub(crate) fn image_exists(image: &str) -> bool {
    let full = if image.contains(':') || image.contains('@') {
        image.to_string()
    } else {
        format!("{image}:latest")
    };
    KNOWN_IMAGES
        .iter()
        .any(|k| *k == image || *k == full || format!("{k}:latest") == full)
}

/// `matchLabels` and `matchExpressions` against labels; an empty selector matches all.
pub(crate) fn selector_matches(sel: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    crate::labels::selects(sel, labels)
}

/// A Service's `spec.selector` (map form); None or empty selects nothing here.
pub(crate) fn service_selects(svc: &Service, labels: &BTreeMap<String, String>) -> bool {
    crate::labels::service_selects(svc.spec.as_ref().and_then(|s| s.selector.as_ref()), labels)
}

/// The environment the kubelet builds: `envFrom` first, then `env`
/// (later wins); an error is the `CreateContainerConfigError` message.
pub(crate) fn resolve_env(
    c: &Container,
    view: &View<'_>,
) -> Result<BTreeMap<String, String>, String> {
    let mut env = BTreeMap::new();
    let cm = |name: &str| {
        view.config_maps
            .iter()
            .find(|m| m.metadata.name.as_deref() == Some(name))
    };
    let secret = |name: &str| {
        view.secrets
            .iter()
            .find(|m| m.metadata.name.as_deref() == Some(name))
    };
    let secret_value = |s: &Secret, key: &str| -> Option<String> {
        s.data
            .as_ref()
            .and_then(|d| d.get(key))
            .map(|b| String::from_utf8_lossy(&b.0).into_owned())
    };
    for from in c.env_from.iter().flatten() {
        let prefix = from.prefix.clone().unwrap_or_default();
        if let Some(r) = &from.config_map_ref {
            match cm(&r.name) {
                Some(m) => {
                    for (k, v) in m.data.iter().flatten() {
                        env.insert(format!("{prefix}{k}"), v.clone());
                    }
                }
                None if r.optional == Some(true) => {}
                None => return Err(format!("configmap \"{}\" not found", r.name)),
            }
        }
        if let Some(r) = &from.secret_ref {
            match secret(&r.name) {
                Some(s) => {
                    for k in s.data.iter().flat_map(|d| d.keys()) {
                        env.insert(
                            format!("{prefix}{k}"),
                            secret_value(s, k).unwrap_or_default(),
                        );
                    }
                }
                None if r.optional == Some(true) => {}
                None => return Err(format!("secret \"{}\" not found", r.name)),
            }
        }
    }
    for e in c.env.iter().flatten() {
        let value = if let Some(v) = &e.value {
            expand(v, &env)
        } else if let Some(from) = &e.value_from {
            if let Some(r) = &from.config_map_key_ref {
                match cm(&r.name) {
                    Some(m) => match m.data.as_ref().and_then(|d| d.get(&r.key)) {
                        Some(v) => v.clone(),
                        None if r.optional == Some(true) => continue,
                        None => {
                            return Err(format!(
                                "couldn't find key {} in ConfigMap default/{}",
                                r.key, r.name
                            ))
                        }
                    },
                    None if r.optional == Some(true) => continue,
                    None => return Err(format!("configmap \"{}\" not found", r.name)),
                }
            } else if let Some(r) = &from.secret_key_ref {
                match secret(&r.name) {
                    Some(s) => match secret_value(s, &r.key) {
                        Some(v) => v,
                        None if r.optional == Some(true) => continue,
                        None => {
                            return Err(format!(
                                "couldn't find key {} in Secret default/{}",
                                r.key, r.name
                            ))
                        }
                    },
                    None if r.optional == Some(true) => continue,
                    None => return Err(format!("secret \"{}\" not found", r.name)),
                }
            } else {
                String::new()
            }
        } else {
            String::new()
        };
        env.insert(e.name.clone(), value);
    }
    Ok(env)
}

/// `$(VAR)` expansion as the kubelet does it; unknown references stay as written.
fn expand(v: &str, env: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = v;
    while let Some(i) = rest.find("$(") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match after.find(')') {
            Some(j) => {
                let name = &after[..j];
                match env.get(name) {
                    Some(val) => out.push_str(val),
                    None => out.push_str(&rest[i..i + 3 + j]),
                }
                rest = &after[j + 1..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// How a TCP connection from a Pod with `from` labels ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Conn {
    /// DNS has no such name.
    NotFound,
    /// DNS itself is blocked by a NetworkPolicy.
    DnsBlocked,
    /// Nothing listens / no endpoints: `ECONNREFUSED ip:port`.
    Refused(String),
    /// Packets dropped: a timeout to `ip:port`.
    Timeout(String),
    /// Connected to the Pod with this app label.
    Open(String),
}

const SUFFIXES: [&str; 4] = ["", ".default", ".default.svc", ".default.svc.cluster.local"];

/// Resolves `host` the way cluster DNS with the Pod's search path does.
pub(crate) fn resolve<'a>(host: &str, view: &'a View<'_>) -> Option<(&'a Service, String)> {
    view.services.iter().find_map(|s| {
        let name = s.metadata.name.as_deref()?;
        let ip = s.spec.as_ref()?.cluster_ip.clone()?;
        let hit = SUFFIXES.iter().any(|suf| format!("{name}{suf}") == host) || ip == host;
        hit.then_some((s, ip))
    })
}

fn port_matches(
    ports: &Option<Vec<NetworkPolicyPort>>,
    port: i32,
    named: &[(String, i32)],
    proto: &str,
) -> bool {
    let Some(ports) = ports else { return true };
    if ports.is_empty() {
        return true;
    }
    ports.iter().any(|p| {
        let pr = p.protocol.as_deref().unwrap_or("TCP");
        if pr != proto {
            return false;
        }
        match &p.port {
            None => true,
            Some(IntOrString::Int(n)) => match p.end_port {
                Some(end) => (*n..=end).contains(&port),
                None => *n == port,
            },
            Some(IntOrString::String(name)) => named.iter().any(|(n, v)| n == name && *v == port),
        }
    })
}

fn peer_matches(
    peers: &Option<Vec<NetworkPolicyPeer>>,
    ns: &str,
    labels: &BTreeMap<String, String>,
) -> bool {
    let Some(peers) = peers else { return true };
    if peers.is_empty() {
        return true;
    }
    let mut ns_labels = BTreeMap::new();
    ns_labels.insert("kubernetes.io/metadata.name".to_string(), ns.to_string());
    peers.iter().any(|p| {
        if let Some(b) = &p.ip_block {
            return b.cidr == "0.0.0.0/0";
        }
        let ns_ok = match &p.namespace_selector {
            Some(sel) => selector_matches(sel, &ns_labels),
            None => ns == "default",
        };
        let pod_ok = p
            .pod_selector
            .as_ref()
            .is_none_or(|sel| selector_matches(sel, labels));
        ns_ok && pod_ok
    })
}

/// Whether NetworkPolicies let `from` (in default) reach `to` on `port`.
pub(crate) fn allowed(
    view: &View<'_>,
    from: &BTreeMap<String, String>,
    to_ns: &str,
    to: &BTreeMap<String, String>,
    to_ports: &[(String, i32)],
    port: i32,
    proto: &str,
) -> bool {
    let applies = |p: &NetworkPolicy, kind: &str, ns: &str, labels: &BTreeMap<String, String>| {
        let Some(spec) = &p.spec else { return false };
        if p.metadata.namespace.as_deref().unwrap_or("default") != ns {
            return false;
        }
        let types = spec.policy_types.clone().unwrap_or_else(|| {
            let mut t = vec!["Ingress".to_string()];
            if spec.egress.is_some() {
                t.push("Egress".into());
            }
            t
        });
        types.iter().any(|t| t == kind)
            && selector_matches(&spec.pod_selector.clone().unwrap_or_default(), labels)
    };
    let egress: Vec<_> = view
        .policies
        .iter()
        .filter(|p| applies(p, "Egress", "default", from))
        .collect();
    if !egress.is_empty() {
        let ok = egress.iter().any(|p| {
            p.spec
                .as_ref()
                .and_then(|s| s.egress.as_ref())
                .is_some_and(|rules| {
                    rules.iter().any(|r| {
                        peer_matches(&r.to, to_ns, to)
                            && port_matches(&r.ports, port, to_ports, proto)
                    })
                })
        });
        if !ok {
            return false;
        }
    }
    let ingress: Vec<_> = view
        .policies
        .iter()
        .filter(|p| applies(p, "Ingress", to_ns, to))
        .collect();
    if !ingress.is_empty() {
        let ok = ingress.iter().any(|p| {
            p.spec
                .as_ref()
                .and_then(|s| s.ingress.as_ref())
                .is_some_and(|rules| {
                    rules.iter().any(|r| {
                        peer_matches(&r.from, "default", from)
                            && port_matches(&r.ports, port, to_ports, proto)
                    })
                })
        });
        if !ok {
            return false;
        }
    }
    true
}

fn kube_dns_labels() -> BTreeMap<String, String> {
    BTreeMap::from([("k8s-app".to_string(), "kube-dns".to_string())])
}

/// Whether a Pod with `from` labels can reach cluster DNS.
pub(crate) fn dns_allowed(view: &View<'_>, from: &BTreeMap<String, String>) -> bool {
    let ports = [("dns".to_string(), 53), ("dns-tcp".to_string(), 53)];
    allowed(
        view,
        from,
        "kube-system",
        &kube_dns_labels(),
        &ports,
        53,
        "UDP",
    )
}

/// A TCP connection from a Pod with `from` labels to `host:port`.
pub(crate) fn connect(
    view: &View<'_>,
    from: &BTreeMap<String, String>,
    host: &str,
    port: i32,
) -> Conn {
    if !dns_allowed(view, from) && host.parse::<std::net::Ipv4Addr>().is_err() {
        return Conn::DnsBlocked;
    }
    // A Pod IP directly.
    if let Some(p) = view.pods.iter().find(|p| p.ip == host) {
        return to_pod(view, from, p, port, host);
    }
    let Some((svc, ip)) = resolve(host, view) else {
        return Conn::NotFound;
    };
    let addr = format!("{ip}:{port}");
    let Some(sp) = svc
        .spec
        .as_ref()
        .and_then(|s| s.ports.as_ref())
        .and_then(|ps| ps.iter().find(|p| p.port == port))
    else {
        // No rule for that port on the virtual IP: packets go nowhere.
        return Conn::Timeout(addr);
    };
    let endpoints: Vec<&Peer<'_>> = view
        .pods
        .iter()
        .filter(|p| p.namespace == "default" && p.ready && service_selects(svc, p.labels))
        .collect();
    let Some(target) = endpoints.first() else {
        // kube-proxy rejects connections to a Service without endpoints.
        return Conn::Refused(addr);
    };
    let tp = match &sp.target_port {
        None => port,
        Some(IntOrString::Int(n)) => *n,
        Some(IntOrString::String(name)) => match target.ports.iter().find(|(n, _)| n == name) {
            Some((_, n)) => *n,
            None => return Conn::Refused(addr),
        },
    };
    match to_pod(view, from, target, tp, host) {
        Conn::Refused(_) => Conn::Refused(addr),
        Conn::Timeout(_) => Conn::Timeout(addr),
        other => other,
    }
}

fn to_pod(
    view: &View<'_>,
    from: &BTreeMap<String, String>,
    p: &Peer<'_>,
    port: i32,
    _host: &str,
) -> Conn {
    let addr = format!("{}:{port}", p.ip);
    if !allowed(view, from, p.namespace, p.labels, &p.ports, port, "TCP") {
        return Conn::Timeout(addr);
    }
    if p.listens != Some(port) {
        return Conn::Refused(addr);
    }
    Conn::Open(p.serves.to_string())
}

fn mib(c: &Container) -> Option<f64> {
    let q = c.resources.as_ref()?.limits.as_ref()?.get("memory")?;
    crate::quantity::parse(q)
        .ok()
        .map(|b| b / (1024.0 * 1024.0))
}

/// The api's start-up given its environment.
pub(crate) fn api_run(
    c: &Container,
    env: &BTreeMap<String, String>,
    labels: &BTreeMap<String, String>,
    view: &View<'_>,
) -> Run {
    let d = view.details;
    let mut run = Run::default();
    let mut t = 0;
    let say = |run: &mut Run, t: i64, s: &str| {
        for line in s.lines() {
            run.lines.push((t, line.to_string()));
        }
    };
    let argv: Vec<String> = c
        .command
        .clone()
        .unwrap_or_else(|| {
            vec![
                "docker-entrypoint.sh".into(),
                "node".into(),
                "server.js".into(),
            ]
        })
        .into_iter()
        .chain(c.args.clone().unwrap_or_default())
        .filter(|a| a != "docker-entrypoint.sh")
        .collect();
    let words: Vec<&str> = argv.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["node", "server.js"]
        | ["node", "/app/server.js"]
        | ["npm", "start"]
        | ["npm", "run", "start"] => {}
        ["node", "--version"] | ["node", "-v"] => {
            say(&mut run, 80, "v20.17.0");
            run.exit = Some((90, 0, "Completed"));
            return run;
        }
        ["npm", "run", "build"] => {
            say(
                &mut run,
                200,
                "\n> shop-api@1.4.2 build\n> tsc -p tsconfig.json\n",
            );
            run.exit = Some((2400, 0, "Completed"));
            return run;
        }
        ["node", "migrate.js"] => {
            say(
                &mut run,
                300,
                "Running migrations against postgres:5432/shop",
            );
            say(
                &mut run,
                900,
                "No pending migrations. Database is up to date.",
            );
            run.exit = Some((950, 0, "Completed"));
            return run;
        }
        ["node", script, ..] => {
            say(&mut run, 60, &format!("node:internal/modules/cjs/loader:1228\n  throw err;\n  ^\n\nError: Cannot find module '/app/{script}'\n    at Module._resolveFilename (node:internal/modules/cjs/loader:1225:15)\n    at node:internal/main/run_main_module:28:49 {{\n  code: 'MODULE_NOT_FOUND',\n  requireStack: []\n}}\n\nNode.js v20.17.0"));
            run.exit = Some((70, 1, "Error"));
            return run;
        }
        ["sh" | "/bin/sh" | "bash", "-c", script] => {
            say(
                &mut run,
                10,
                &format!(
                    "sh: 1: {}: not found",
                    script.split_whitespace().next().unwrap_or("")
                ),
            );
            run.exit = Some((12, 127, "Error"));
            return run;
        }
        [first, ..] => {
            run.exit = Some((0, 128, "StartError"));
            run.lines.push((
                0,
                format!("exec: \"{first}\": executable file not found in $PATH"),
            ));
            return run;
        }
        [] => {}
    }
    if words.first() == Some(&"npm") {
        say(
            &mut run,
            150,
            "\n> shop-api@1.4.2 start\n> node server.js\n",
        );
    }
    t += d.boot_ms / 2;
    say(
        &mut run,
        t,
        &format!(
            "[api] shop-api 1.4.2 starting (node v20.17.0, NODE_ENV={})",
            env.get("NODE_ENV").map_or("development", String::as_str)
        ),
    );
    // The app exits 1 at the first thing it cannot do, logging why at `at`.
    let crash = |mut run: Run, at: i64, msg: &str| {
        say(&mut run, at, msg);
        run.exit = Some((at + 5, 1, "Error"));
        run
    };
    for key in ["DB_HOST", "DB_USER", "DB_PASSWORD", "DB_NAME", "REDIS_HOST"] {
        if env.get(key).is_none_or(|v| v.is_empty()) {
            return crash(run, t + 5, &format!(
                "/app/src/config.js:14\n    throw new Error(`Missing required environment variable ${{name}}`);\n    ^\n\nError: Missing required environment variable {key}\n    at required (/app/src/config.js:14:11)\n    at Object.<anonymous> (/app/src/config.js:22:15)\n    at Module._compile (node:internal/modules/cjs/loader:1469:14)\n\nNode.js v20.17.0"
            ));
        }
    }
    let db_host = env["DB_HOST"].clone();
    let db_port: i32 = env
        .get("DB_PORT")
        .and_then(|p| p.parse().ok())
        .unwrap_or(5432);
    t += d.boot_ms / 2;
    say(
        &mut run,
        t,
        &format!("[db] connecting to {db_host}:{db_port}"),
    );
    let node_err = |msg: &str, at: &str| format!("{msg}\n    at {at}\nNode.js v20.17.0");
    const PG_PARSER: &str =
        "Parser.parseErrorMessage (/app/node_modules/pg-protocol/dist/parser.js:283:98)";
    let user = env["DB_USER"].as_str();
    let db_failure = match connect(view, labels, &db_host, db_port) {
        Conn::NotFound => Some((40, format!(
            "Error: getaddrinfo ENOTFOUND {db_host}\n    at GetAddrInfoReqWrap.onlookup [as oncomplete] (node:dns:107:26) {{\n  errno: -3008,\n  code: 'ENOTFOUND',\n  syscall: 'getaddrinfo',\n  hostname: '{db_host}'\n}}\n\nNode.js v20.17.0"
        ))),
        Conn::DnsBlocked => Some((
            10_000,
            node_err(
                &format!("Error: getaddrinfo EAI_AGAIN {db_host}"),
                "GetAddrInfoReqWrap.onlookup [as oncomplete] (node:dns:107:26)",
            ),
        )),
        Conn::Refused(addr) => Some((
            15,
            node_err(
                &format!("Error: connect ECONNREFUSED {addr}"),
                "TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16)",
            ),
        )),
        Conn::Timeout(_) => Some((10_000, node_err("Error: Connection terminated due to connection timeout", "Client._handleErrorWhileConnecting (/app/node_modules/pg/lib/client.js:336:19)"))),
        Conn::Open(app) if app != "postgres" => Some((
            2_000,
            node_err(
                "Error: Connection terminated unexpectedly",
                "Connection.<anonymous> (/app/node_modules/pg/lib/client.js:132:73)",
            ),
        )),
        Conn::Open(_) if user != "shop" || env["DB_PASSWORD"] != d.db_password => Some((
            30,
            node_err(
                &format!("error: password authentication failed for user \"{user}\""),
                PG_PARSER,
            ),
        )),
        Conn::Open(_) if env["DB_NAME"] != "shop" => Some((
            30,
            node_err(
                &format!("error: database \"{}\" does not exist", env["DB_NAME"]),
                PG_PARSER,
            ),
        )),
        Conn::Open(_) => None,
    };
    if let Some((delay, msg)) = db_failure {
        return crash(run, t + delay, &msg);
    }
    t += 30;
    say(
        &mut run,
        t,
        &format!("Connected to PostgreSQL at {db_host}:{db_port}"),
    );
    let redis_host = env["REDIS_HOST"].clone();
    let redis_port: i32 = env
        .get("REDIS_PORT")
        .and_then(|p| p.parse().ok())
        .unwrap_or(6379);
    let redis_err = |e: &str| format!("[ioredis] Unhandled error event: {e}");
    const REDIS_PARSER: &str =
        "\n    at parseError (/app/node_modules/redis-parser/lib/parser.js:179:12)";
    let pass = env.get("REDIS_PASSWORD").cloned().unwrap_or_default();
    let redis_failure = match connect(view, labels, &redis_host, redis_port) {
        Conn::NotFound => {
            // ioredis reports it, then the app's own handler a moment later.
            say(
                &mut run,
                t + 40,
                &redis_err(&format!("Error: getaddrinfo ENOTFOUND {redis_host}")),
            );
            say(&mut run, t + 41, &format!("Error: Redis connection to {redis_host}:{redis_port} failed - getaddrinfo ENOTFOUND {redis_host}"));
            Some((40, String::new()))
        }
        Conn::DnsBlocked => Some((
            10_000,
            redis_err(&format!("Error: getaddrinfo EAI_AGAIN {redis_host}")),
        )),
        Conn::Refused(addr) => Some((15, redis_err(&format!("Error: connect ECONNREFUSED {addr}")))),
        Conn::Timeout(addr) => Some((
            10_000,
            redis_err(&format!("Error: connect ETIMEDOUT {addr}")),
        )),
        Conn::Open(app) if app != "redis" => Some((
            10,
            redis_err("Error: Protocol error, got \"H\" as reply type byte"),
        )),
        Conn::Open(_) if pass.is_empty() => Some((
            10,
            format!("ReplyError: NOAUTH Authentication required.{REDIS_PARSER}"),
        )),
        Conn::Open(_) if pass != d.redis_password => Some((
            10,
            format!("ReplyError: WRONGPASS invalid username-password pair or user is disabled.{REDIS_PARSER}"),
        )),
        Conn::Open(_) => None,
    };
    if let Some((delay, msg)) = redis_failure {
        return crash(run, t + delay, &msg);
    }
    t += 10;
    say(
        &mut run,
        t,
        &format!("Connected to Redis at {redis_host}:{redis_port}"),
    );
    let port: i32 = env.get("PORT").and_then(|p| p.parse().ok()).unwrap_or(3000);
    t += 20;
    say(&mut run, t, &format!("Listening on :{port}"));
    run.listen = Some(t);
    run.port = Some(port);
    if let Some(limit) = mib(c) {
        if limit < d.memory_need_mib {
            // The heap grows while the product cache warms up; the kernel kills it.
            say(
                &mut run,
                t + 200,
                "[cache] warming product cache (48,213 items)",
            );
            let at = t + 2_000 + (limit as i64) * 40;
            run.exit = Some((at, 137, "OOMKilled"));
        }
    }
    run
}

/// What a probe against a container listening on `listen` answers:
/// Ok, or the failure message the kubelet puts in its event.
pub(crate) fn probe(p: &Probe, c: &Container, ip: &str, listen: Option<i32>) -> Result<(), String> {
    let resolve = |port: &IntOrString| -> Option<i32> {
        match port {
            IntOrString::Int(n) => Some(*n),
            IntOrString::String(name) => c
                .ports
                .iter()
                .flatten()
                .find(|p| p.name.as_deref() == Some(name))
                .map(|p| p.container_port),
        }
    };
    if let Some(h) = &p.http_get {
        let path = h.path.clone().unwrap_or_else(|| "/".into());
        let Some(port) = resolve(&h.port) else {
            return Err(format!(
                "Get \"http://{ip}:{:?}{path}\": invalid port",
                h.port
            ));
        };
        let url = format!("http://{ip}:{port}{path}");
        if listen != Some(port) {
            return Err(format!(
                "Get \"{url}\": dial tcp {ip}:{port}: connect: connection refused"
            ));
        }
        if !["/healthz", "/readyz", "/livez"].contains(&path.as_str()) {
            return Err("HTTP probe failed with statuscode: 404".into());
        }
        return Ok(());
    }
    if let Some(s) = &p.tcp_socket {
        let port = resolve(&s.port).unwrap_or(0);
        if listen != Some(port) {
            return Err(format!("dial tcp {ip}:{port}: connect: connection refused"));
        }
        return Ok(());
    }
    Ok(())
}
