//! `kubectl describe` for the lab's kinds other than Pods (deployment,
//! replicaset, service, endpoints, configmap, secret, networkpolicy, node),
//! laid out as kubectl's describers do: `Key:\tvalue` lines aligned by an
//! elastic tab writer (Go's `text/tabwriter` settings), the pod template as
//! `DescribePodTemplate` prints it, and the Events section last.
//! Secrets show sizes, never values. Not the Pod describer (in `kubectl.rs`).

use std::collections::BTreeMap;
use std::io::Write;

use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStatus, Event, PodTemplateSpec, Probe, Volume,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, Time};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kubeprep_sim::lab::table::Resource;
use kubeprep_sim::lab::World;

/// kubectl's describer output for one object of `word` (a resource word as
/// kubectl accepts it), or for every object of that kind when `name` is
/// `None`; a name that matches nothing exactly describes the objects it
/// prefixes, as kubectl does.
pub fn describe(world: &World, word: &str, name: Option<&str>) -> String {
    let resource = match Resource::from_word(word) {
        Some(r) if !matches!(r, Resource::Events | Resource::Namespaces) => r,
        _ => return format!("error: the server doesn't have a resource type \"{word}\""),
    };
    let names: Vec<String> = match resource {
        Resource::Pods => names_of(&world.pods(), |o| &o.metadata.name),
        Resource::Deployments => names_of(world.deployments(), |o| &o.metadata.name),
        Resource::ReplicaSets => names_of(world.replica_sets(), |o| &o.metadata.name),
        Resource::Services => names_of(world.services(), |o| &o.metadata.name),
        Resource::Endpoints => names_of(&world.endpoints(), |o| &o.metadata.name),
        Resource::ConfigMaps => names_of(world.config_maps(), |o| &o.metadata.name),
        Resource::Secrets => names_of(world.secrets(), |o| &o.metadata.name),
        Resource::Nodes => names_of(world.nodes(), |o| &o.metadata.name),
        _ => names_of(world.network_policies(), |o| &o.metadata.name),
    };
    let chosen: Vec<&String> = match name {
        None => names.iter().collect(),
        Some(n) if names.iter().any(|x| x == n) => names.iter().filter(|x| *x == n).collect(),
        Some(n) => names.iter().filter(|x| x.starts_with(n)).collect(),
    };
    if chosen.is_empty() {
        return match name {
            Some(n) => format!(
                "Error from server (NotFound): {} \"{n}\" not found",
                resource.qualified()
            ),
            None => "No resources found in default namespace.".into(),
        };
    }
    let parts: Vec<String> = chosen
        .into_iter()
        .map(|n| match resource {
            Resource::Pods => pod(world, n),
            Resource::Deployments => deployment(world, n),
            Resource::ReplicaSets => replica_set(world, n),
            Resource::Services => service(world, n),
            Resource::Endpoints => endpoints(world, n),
            Resource::ConfigMaps => config_map(world, n),
            Resource::Secrets => secret(world, n),
            Resource::Nodes => node(world, n),
            _ => network_policy(world, n),
        })
        .collect();
    parts.join("\n\n")
}

fn names_of<T>(list: &[T], name: fn(&T) -> &Option<String>) -> Vec<String> {
    let mut v: Vec<String> = list.iter().filter_map(|o| name(o).clone()).collect();
    v.sort();
    v
}

/// Aligns `\t`-separated cells as kubectl's describers do (Go's tabwriter
/// with padding 2): a column block runs over consecutive lines that have a
/// cell in it. Trailing blanks are trimmed.
pub fn tabbed(text: &str) -> String {
    let mut tw = tabwriter::TabWriter::new(Vec::new()).minwidth(0).padding(2);
    let _ = tw.write_all(text.as_bytes());
    let bytes = tw.into_inner().unwrap_or_default();
    let s = String::from_utf8_lossy(&bytes);
    let mut out = String::new();
    for l in s.lines() {
        out += l.trim_end();
        out.push('\n');
    }
    out
}

/// Go's `time.RFC1123Z`, as describers print creation times.
pub fn rfc1123z(t: Option<&Time>) -> String {
    match t {
        Some(t) => t.0.format("%a, %d %b %Y %H:%M:%S %z").to_string(),
        None => "<unknown>".into(),
    }
}

/// `printLabelsMultiline`: `Title:\tk=v`, then `\tk=v` per further label.
/// The lines every describer starts with: name, namespace, labels, annotations.
fn head(
    o: &mut String,
    name: &str,
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
) {
    *o += &format!("Name:\t{name}\n");
    *o += "Namespace:\tdefault\n";
    labels(o, "Labels", meta.labels.as_ref());
    annotations(o, "Annotations", meta.annotations.as_ref());
}

pub fn labels(o: &mut String, title: &str, labels: Option<&BTreeMap<String, String>>) {
    *o += &format!("{title}:\t");
    match labels.filter(|l| !l.is_empty()) {
        None => *o += "<none>\n",
        Some(l) => {
            for (i, (k, v)) in l.iter().enumerate() {
                if i > 0 {
                    let indent = title.len() - title.trim_start().len();
                    *o += &format!("{}\t", " ".repeat(indent));
                }
                *o += &format!("{k}={v}\n");
            }
        }
    }
}

/// `printAnnotationsMultiline`: `key: value`, skipping kubectl's last-applied copy.
fn annotations(o: &mut String, title: &str, ann: Option<&BTreeMap<String, String>>) {
    let shown: Vec<(&String, &String)> = ann
        .into_iter()
        .flatten()
        .filter(|(k, _)| *k != "kubectl.kubernetes.io/last-applied-configuration")
        .collect();
    *o += &format!("{title}:\t");
    if shown.is_empty() {
        *o += "<none>\n";
        return;
    }
    for (i, (k, v)) in shown.into_iter().enumerate() {
        if i > 0 {
            *o += "\t";
        }
        let v = if v.chars().count() > 140 {
            format!("{}...", v.chars().take(140).collect::<String>())
        } else {
            v.clone()
        };
        *o += &format!("{k}: {v}\n");
    }
}

/// `labels.FormatLabels`: `k=v,k=v` sorted, or `<none>`.
pub fn format_labels(l: Option<&BTreeMap<String, String>>) -> String {
    let s: Vec<String> = l
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if s.is_empty() {
        "<none>".into()
    } else {
        s.join(",")
    }
}

/// `metav1.FormatLabelSelector`.
pub fn format_selector(s: Option<&LabelSelector>) -> String {
    let Some(s) = s else {
        return "<none>".into();
    };
    let mut parts: Vec<String> = s
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for e in s.match_expressions.iter().flatten() {
        let vals = e.values.clone().unwrap_or_default().join(",");
        parts.push(match e.operator.as_str() {
            "In" => format!("{} in ({vals})", e.key),
            "NotIn" => format!("{} notin ({vals})", e.key),
            "Exists" => e.key.clone(),
            "DoesNotExist" => format!("!{}", e.key),
            op => format!("{} {op} ({vals})", e.key),
        });
    }
    if parts.is_empty() {
        "<none>".into()
    } else {
        parts.join(",")
    }
}

fn int_or_string(v: &IntOrString) -> String {
    match v {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

/// Events about one object, oldest first, as `searchEvents` finds them.
pub fn events_of(world: &World, kind: &str, name: &str) -> Vec<Event> {
    world
        .events()
        .into_iter()
        .filter(|e| {
            e.involved_object.kind.as_deref() == Some(kind)
                && e.involved_object.name.as_deref() == Some(name)
        })
        .collect()
}

/// The body (tab-aligned) followed by `DescribeEvents`: `Events:\t<none>`
/// joins the body's alignment; a table is flushed and aligned on its own.
pub fn with_events(mut body: String, events: &[Event], now: i64) -> String {
    if events.is_empty() {
        body += "Events:\t<none>\n";
        return tabbed(&body);
    }
    let mut ev = String::from(
        "Events:\n  Type\tReason\tAge\tFrom\tMessage\n  ----\t------\t----\t----\t-------\n",
    );
    for e in events {
        let first = e.first_timestamp.as_ref().or(e.last_timestamp.as_ref());
        let count = e.count.unwrap_or(1);
        let age = if count > 1 {
            format!(
                "{} (x{count} over {})",
                super::since(e.last_timestamp.as_ref(), now),
                super::since(first, now)
            )
        } else {
            super::since(first, now)
        };
        let from = e
            .source
            .as_ref()
            .and_then(|s| s.component.clone())
            .or(e.reporting_component.clone())
            .unwrap_or_default();
        ev += &format!(
            "  {}\t{}\t{age}\t{from}\t{}\n",
            e.type_.as_deref().unwrap_or_default(),
            e.reason.as_deref().unwrap_or_default(),
            e.message.as_deref().unwrap_or_default().trim()
        );
    }
    tabbed(&body) + &tabbed(&ev)
}

/// `DescribeProbe`.
pub fn probe(p: &Probe) -> String {
    let attrs = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        p.initial_delay_seconds.unwrap_or(0),
        p.timeout_seconds.unwrap_or(1),
        p.period_seconds.unwrap_or(10),
        p.success_threshold.unwrap_or(1),
        p.failure_threshold.unwrap_or(3)
    );
    if let Some(e) = &p.exec {
        return format!(
            "exec [{}] {attrs}",
            e.command.clone().unwrap_or_default().join(" ")
        );
    }
    if let Some(h) = &p.http_get {
        let scheme = h.scheme.as_deref().unwrap_or("HTTP").to_lowercase();
        return format!(
            "http-get {scheme}://{}:{}{} {attrs}",
            h.host.as_deref().unwrap_or_default(),
            int_or_string(&h.port),
            h.path.as_deref().unwrap_or_default()
        );
    }
    if let Some(t) = &p.tcp_socket {
        return format!(
            "tcp-socket {}:{} {attrs}",
            t.host.as_deref().unwrap_or_default(),
            int_or_string(&t.port)
        );
    }
    format!("unknown {attrs}")
}

/// `describeContainers`: a pod template's (`space` = "  ", no statuses) or
/// a Pod's (`space` = "", with their statuses).
fn containers(
    o: &mut String,
    space: &str,
    containers: &[Container],
    statuses: Option<&[ContainerStatus]>,
) {
    *o += &format!("{space}Containers:\n");
    let name_indent = if space.is_empty() { "" } else { " " };
    for c in containers {
        let status = statuses.and_then(|s| s.iter().find(|s| s.name == c.name));
        *o += &format!("  {name_indent}{}:\n", c.name);
        if let Some(s) = status {
            *o += &format!(
                "    Container ID:\t{}\n",
                s.container_id.as_deref().unwrap_or_default()
            );
        }
        *o += &format!("    Image:\t{}\n", c.image.as_deref().unwrap_or_default());
        if let Some(s) = status {
            *o += &format!("    Image ID:\t{}\n", s.image_id);
        }
        let ports: Vec<String> = c
            .ports
            .iter()
            .flatten()
            .map(|p| {
                let proto = p.protocol.as_deref().unwrap_or("TCP");
                match &p.name {
                    Some(n) => format!("{}/{proto} ({n})", p.container_port),
                    None => format!("{}/{proto}", p.container_port),
                }
            })
            .collect();
        let host: Vec<String> = c
            .ports
            .iter()
            .flatten()
            .map(|p| {
                let proto = p.protocol.as_deref().unwrap_or("TCP");
                match &p.name {
                    Some(n) => format!("{}/{proto} ({n})", p.host_port.unwrap_or(0)),
                    None => format!("{}/{proto}", p.host_port.unwrap_or(0)),
                }
            })
            .collect();
        let or_none = |v: &[String]| {
            if v.is_empty() {
                "<none>".to_string()
            } else {
                v.join(", ")
            }
        };
        let plural = if ports.len() > 1 { "s" } else { "" };
        *o += &format!("    Port{plural}:\t{}\n", or_none(&ports));
        *o += &format!("    Host Port{plural}:\t{}\n", or_none(&host));
        for (title, list) in [("Command", &c.command), ("Args", &c.args)] {
            if let Some(list) = list.as_ref().filter(|l| !l.is_empty()) {
                *o += &format!("    {title}:\n");
                for a in list {
                    for l in a.split('\n') {
                        *o += &format!("      {l}\n");
                    }
                }
            }
        }
        if let Some(s) = status {
            state(o, "State", s.state.as_ref());
            if s.last_state
                .as_ref()
                .is_some_and(|l| l.terminated.is_some())
            {
                state(o, "Last State", s.last_state.as_ref());
            }
            *o += &format!("    Ready:\t{}\n", if s.ready { "True" } else { "False" });
            *o += &format!("    Restart Count:\t{}\n", s.restart_count);
        }
        let r = c.resources.clone().unwrap_or_default();
        for (title, map) in [("Limits", &r.limits), ("Requests", &r.requests)] {
            if let Some(m) = map.as_ref().filter(|m| !m.is_empty()) {
                *o += &format!("    {title}:\n");
                for (k, v) in m {
                    *o += &format!("      {k}:\t{}\n", v.0);
                }
            }
        }
        for (title, p) in [
            ("Liveness", &c.liveness_probe),
            ("Readiness", &c.readiness_probe),
            ("Startup", &c.startup_probe),
        ] {
            if let Some(p) = p {
                *o += &format!("    {title}:\t{}\n", probe(p));
            }
        }
        if let Some(froms) = c.env_from.as_ref().filter(|f| !f.is_empty()) {
            *o += "    Environment Variables from:\n";
            for f in froms {
                let (name, from, optional) = if let Some(r) = &f.config_map_ref {
                    (r.name.clone(), "ConfigMap", r.optional.unwrap_or(false))
                } else if let Some(r) = &f.secret_ref {
                    (r.name.clone(), "Secret", r.optional.unwrap_or(false))
                } else {
                    continue;
                };
                match f.prefix.as_deref().filter(|p| !p.is_empty()) {
                    None => *o += &format!("      {name}\t{from}\tOptional: {optional}\n"),
                    Some(p) => {
                        *o += &format!(
                            "      {name}\t{from} with prefix '{p}'\tOptional: {optional}\n"
                        )
                    }
                }
            }
        }
        match c.env.as_deref() {
            None | Some([]) => *o += "    Environment:\t<none>\n",
            Some(env) => {
                *o += "    Environment:\n";
                for e in env {
                    match (&e.value_from, &e.value) {
                        (Some(f), _) => {
                            if let Some(s) = &f.secret_key_ref {
                                *o += &format!(
                                    "      {}:\t<set to the key '{}' in secret '{}'>\tOptional: {}\n",
                                    e.name,
                                    s.key,
                                    s.name,
                                    s.optional.unwrap_or(false)
                                );
                            } else if let Some(c) = &f.config_map_key_ref {
                                *o += &format!(
                                    "      {}:\t<set to the key '{}' of config map '{}'>\tOptional: {}\n",
                                    e.name,
                                    c.key,
                                    c.name,
                                    c.optional.unwrap_or(false)
                                );
                            } else if let Some(r) = &f.field_ref {
                                *o += &format!(
                                    "      {}:\t ({}:{})\n",
                                    e.name,
                                    r.api_version.as_deref().unwrap_or("v1"),
                                    r.field_path
                                );
                            }
                        }
                        (None, v) => {
                            for (i, l) in v.as_deref().unwrap_or_default().split('\n').enumerate() {
                                if i == 0 {
                                    *o += &format!("      {}:\t{l}\n", e.name);
                                } else {
                                    *o += &format!("      \t{l}\n");
                                }
                            }
                        }
                    }
                }
            }
        }
        match c.volume_mounts.as_deref() {
            None | Some([]) => *o += "    Mounts:\t<none>\n",
            Some(m) => {
                *o += "    Mounts:\n";
                for v in m {
                    let ro = if v.read_only.unwrap_or(false) {
                        "ro"
                    } else {
                        "rw"
                    };
                    *o += &format!("      {} from {} ({ro})\n", v.mount_path, v.name);
                }
            }
        }
    }
}

/// `DescribePodTemplate`.
pub fn pod_template(o: &mut String, t: Option<&PodTemplateSpec>) {
    *o += "Pod Template:\n";
    let Some(t) = t else {
        *o += "  <unset>";
        return;
    };
    let meta = t.metadata.clone().unwrap_or_default();
    labels(o, "  Labels", meta.labels.as_ref());
    if meta.annotations.as_ref().is_some_and(|a| !a.is_empty()) {
        annotations(o, "  Annotations", meta.annotations.as_ref());
    }
    let spec = t.spec.clone().unwrap_or_default();
    if let Some(sa) = spec
        .service_account_name
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        *o += &format!("  Service Account:\t{sa}\n");
    }
    containers(o, "  ", &spec.containers, None);
    volumes(o, "  ", spec.volumes.as_deref());
    labels(o, "  Node-Selectors", spec.node_selector.as_ref());
    tolerations(o, "  ", spec.tolerations.as_deref());
}

/// `describeStatus`: a waiting state shows its reason only, as kubectl does.
fn state(o: &mut String, label: &str, s: Option<&ContainerState>) {
    let Some(s) = s else {
        *o += &format!("    {label}:\tWaiting\n");
        return;
    };
    if let Some(r) = &s.running {
        *o += &format!("    {label}:\tRunning\n");
        *o += &format!("      Started:\t{}\n", rfc1123z(r.started_at.as_ref()));
    } else if let Some(w) = &s.waiting {
        *o += &format!("    {label}:\tWaiting\n");
        if let Some(r) = w.reason.as_deref().filter(|r| !r.is_empty()) {
            *o += &format!("      Reason:\t{r}\n");
        }
    } else if let Some(t) = &s.terminated {
        *o += &format!("    {label}:\tTerminated\n");
        if let Some(r) = t.reason.as_deref().filter(|r| !r.is_empty()) {
            *o += &format!("      Reason:\t{r}\n");
        }
        if let Some(m) = t.message.as_deref().filter(|m| !m.is_empty()) {
            *o += &format!("      Message:\t{m}\n");
        }
        *o += &format!("      Exit Code:\t{}\n", t.exit_code);
        if let Some(sig) = t.signal.filter(|s| *s > 0) {
            *o += &format!("      Signal:\t{sig}\n");
        }
        *o += &format!("      Started:\t{}\n", rfc1123z(t.started_at.as_ref()));
        *o += &format!("      Finished:\t{}\n", rfc1123z(t.finished_at.as_ref()));
    } else {
        *o += &format!("    {label}:\tWaiting\n");
    }
}

fn volumes(o: &mut String, space: &str, vols: Option<&[Volume]>) {
    match vols {
        None | Some([]) => *o += &format!("{space}Volumes:\t<none>\n"),
        Some(vols) => {
            *o += &format!("{space}Volumes:\n");
            for v in vols {
                *o += &format!("{space} {}:\n", v.name);
                if let Some(c) = &v.config_map {
                    *o += "    Type:\tConfigMap (a volume populated by a ConfigMap)\n";
                    *o += &format!("    Name:\t{}\n", c.name);
                } else if let Some(s) = &v.secret {
                    *o += "    Type:\tSecret (a volume populated by a Secret)\n";
                    *o += &format!(
                        "    SecretName:\t{}\n",
                        s.secret_name.as_deref().unwrap_or_default()
                    );
                } else if v.empty_dir.is_some() {
                    *o += "    Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n";
                }
            }
        }
    }
}

fn tolerations(o: &mut String, space: &str, ts: Option<&[k8s_openapi::api::core::v1::Toleration]>) {
    match ts {
        None | Some([]) => *o += &format!("{space}Tolerations:\t<none>\n"),
        Some(ts) => {
            for (i, t) in ts.iter().enumerate() {
                let head = if i == 0 {
                    format!("{space}Tolerations:")
                } else {
                    String::new()
                };
                let mut s = t.key.clone().unwrap_or_default();
                if let Some(v) = t.value.as_deref().filter(|v| !v.is_empty()) {
                    s += &format!("={v}");
                }
                if let Some(e) = t.effect.as_deref().filter(|e| !e.is_empty()) {
                    s += &format!(":{e}");
                }
                if t.operator.as_deref() == Some("Exists") && t.value.is_none() {
                    s += if s.is_empty() {
                        "op=Exists"
                    } else {
                        " op=Exists"
                    };
                }
                if let Some(secs) = t.toleration_seconds {
                    s += &format!(" for {secs}s");
                }
                *o += &format!("{head}\t{s}\n");
            }
        }
    }
}

/// kubectl's QoS class: Guaranteed when every container's requests equal
/// its limits for CPU and memory, BestEffort when none sets any, else Burstable.
fn qos_class(containers: &[Container]) -> &'static str {
    let mut any = false;
    let mut guaranteed = true;
    for c in containers {
        let r = c.resources.clone().unwrap_or_default();
        let limits = r.limits.unwrap_or_default();
        let requests = r.requests.unwrap_or_default();
        any |= !limits.is_empty() || !requests.is_empty();
        for res in ["cpu", "memory"] {
            let l = limits.get(res);
            let q = requests.get(res).or(l);
            if l.is_none() || q != l {
                guaranteed = false;
            }
        }
    }
    match (any, guaranteed) {
        (false, _) => "BestEffort",
        (true, true) => "Guaranteed",
        _ => "Burstable",
    }
}

/// `kubectl describe pod NAME`: kubectl's pod describer over what the lab models.
pub fn pod(world: &World, name: &str) -> String {
    let p = match world.pod(name) {
        Ok(p) => p,
        Err(e) => return format!("Error from server (NotFound): {e}"),
    };
    let now = world.now().timestamp_millis();
    let spec = p.spec.clone().unwrap_or_default();
    let st = p.status.clone().unwrap_or_default();
    let mut o = String::new();
    o += &format!("Name:\t{name}\n");
    o += "Namespace:\tdefault\n";
    o += &format!("Priority:\t{}\n", spec.priority.unwrap_or(0));
    o += &format!(
        "Service Account:\t{}\n",
        spec.service_account_name.as_deref().unwrap_or("default")
    );
    match spec.node_name.as_deref() {
        None | Some("") => o += "Node:\t<none>\n",
        Some(n) => {
            let host_ip = world
                .nodes()
                .iter()
                .find(|x| x.metadata.name.as_deref() == Some(n))
                .and_then(|x| x.status.as_ref())
                .and_then(|s| s.addresses.as_ref())
                .and_then(|a| a.iter().find(|a| a.type_ == "InternalIP"))
                .map(|a| a.address.clone())
                .or(st.host_ip.clone())
                .unwrap_or_default();
            o += &format!("Node:\t{n}/{host_ip}\n");
        }
    }
    let start = st
        .start_time
        .as_ref()
        .or(p.metadata.creation_timestamp.as_ref());
    o += &format!("Start Time:\t{}\n", rfc1123z(start));
    labels(&mut o, "Labels", p.metadata.labels.as_ref());
    annotations(&mut o, "Annotations", p.metadata.annotations.as_ref());
    match &p.metadata.deletion_timestamp {
        Some(t) => {
            let grace = spec.termination_grace_period_seconds.unwrap_or(30);
            o += &format!(
                "Status:\tTerminating (lasts {})\n",
                super::age(now - t.0.timestamp_millis())
            );
            o += &format!("Termination Grace Period:\t{grace}s\n");
        }
        None => o += &format!("Status:\t{}\n", st.phase.as_deref().unwrap_or("Pending")),
    }
    if let Some(r) = st.reason.as_deref().filter(|r| !r.is_empty()) {
        o += &format!("Reason:\t{r}\n");
    }
    if let Some(m) = st.message.as_deref().filter(|m| !m.is_empty()) {
        o += &format!("Message:\t{m}\n");
    }
    o += &format!("IP:\t{}\n", st.pod_ip.as_deref().unwrap_or_default());
    let ips: Vec<String> = match (&st.pod_ips, &st.pod_ip) {
        (Some(ips), _) if !ips.is_empty() => ips.iter().map(|i| i.ip.clone()).collect(),
        (_, Some(ip)) => vec![ip.clone()],
        _ => Vec::new(),
    };
    if ips.is_empty() {
        o += "IPs:\t<none>\n";
    } else {
        o += "IPs:\n";
        for ip in ips {
            o += &format!("  IP:\t{ip}\n");
        }
    }
    if let Some(r) = p
        .metadata
        .owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true))
    {
        o += &format!("Controlled By:\t{}/{}\n", r.kind, r.name);
    }
    containers(
        &mut o,
        "",
        &spec.containers,
        Some(st.container_statuses.as_deref().unwrap_or_default()),
    );
    if let Some(conds) = st.conditions.as_ref().filter(|c| !c.is_empty()) {
        o += "Conditions:\n  Type\tStatus\n";
        for c in conds {
            o += &format!("  {} \t{} \n", c.type_, c.status);
        }
    }
    volumes(&mut o, "", spec.volumes.as_deref());
    o += &format!(
        "QoS Class:\t{}\n",
        st.qos_class
            .as_deref()
            .unwrap_or_else(|| qos_class(&spec.containers))
    );
    labels(&mut o, "Node-Selectors", spec.node_selector.as_ref());
    tolerations(&mut o, "", spec.tolerations.as_deref());
    with_events(o, &events_of(world, "Pod", name), now)
}

/// The Deployment's conditions, as the deployment controller would set
/// them (the lab's controller does not write them): Available and
/// Progressing, which turns False (ProgressDeadlineExceeded) once the newest
/// ReplicaSet is older than the progress deadline without completing.
pub fn deployment_conditions(
    world: &World,
    d: &k8s_openapi::api::apps::v1::Deployment,
    now: i64,
) -> Vec<(&'static str, &'static str, &'static str)> {
    let spec = d.spec.clone().unwrap_or_default();
    let st = d.status.clone().unwrap_or_default();
    let want = spec.replicas.unwrap_or(1);
    let max_unavailable = spec
        .strategy
        .as_ref()
        .and_then(|s| s.rolling_update.as_ref())
        .and_then(|r| r.max_unavailable.clone())
        .map_or(0, |v| match v {
            IntOrString::Int(i) => i,
            IntOrString::String(p) => {
                let pct: i32 = p.trim_end_matches('%').parse().unwrap_or(25);
                want * pct / 100
            }
        });
    let available = st.available_replicas.unwrap_or(0);
    let avail = if available >= want - max_unavailable {
        ("Available", "True", "MinimumReplicasAvailable")
    } else {
        ("Available", "False", "MinimumReplicasUnavailable")
    };
    let complete = st.updated_replicas.unwrap_or(0) == want
        && st.replicas.unwrap_or(0) == want
        && available == want;
    let deadline = i64::from(spec.progress_deadline_seconds.unwrap_or(600)) * 1000;
    // Progress is timed from the newest ReplicaSet: the rollout's start.
    let uid = d.metadata.uid.clone().unwrap_or_default();
    let started = world
        .replica_sets()
        .iter()
        .filter(|r| {
            r.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|o| o.uid == uid)
        })
        .filter_map(|r| r.metadata.creation_timestamp.as_ref())
        .map(|t| t.0.timestamp_millis())
        .max()
        .or(d
            .metadata
            .creation_timestamp
            .as_ref()
            .map(|t| t.0.timestamp_millis()))
        .unwrap_or(now);
    let progressing = if complete {
        ("Progressing", "True", "NewReplicaSetAvailable")
    } else if now - started > deadline {
        ("Progressing", "False", "ProgressDeadlineExceeded")
    } else {
        ("Progressing", "True", "ReplicaSetUpdated")
    };
    vec![avail, progressing]
}

fn deployment(world: &World, name: &str) -> String {
    let Some(d) = world
        .deployments()
        .iter()
        .find(|d| d.metadata.name.as_deref() == Some(name))
    else {
        return String::new();
    };
    let now = world.now().timestamp_millis();
    let spec = d.spec.clone().unwrap_or_default();
    let st = d.status.clone().unwrap_or_default();
    let mut o = String::new();
    o += &format!("Name:\t{name}\n");
    o += "Namespace:\tdefault\n";
    o += &format!(
        "CreationTimestamp:\t{}\n",
        rfc1123z(d.metadata.creation_timestamp.as_ref())
    );
    labels(&mut o, "Labels", d.metadata.labels.as_ref());
    annotations(&mut o, "Annotations", d.metadata.annotations.as_ref());
    o += &format!("Selector:\t{}\n", format_selector(Some(&spec.selector)));
    o += &format!(
        "Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable\n",
        spec.replicas.unwrap_or(1),
        st.updated_replicas.unwrap_or(0),
        st.replicas.unwrap_or(0),
        st.available_replicas.unwrap_or(0),
        st.unavailable_replicas.unwrap_or(0)
    );
    let strategy = spec.strategy.clone().unwrap_or_default();
    o += &format!(
        "StrategyType:\t{}\n",
        strategy.type_.as_deref().unwrap_or("RollingUpdate")
    );
    o += &format!(
        "MinReadySeconds:\t{}\n",
        spec.min_ready_seconds.unwrap_or(0)
    );
    if let Some(ru) = &strategy.rolling_update {
        o += &format!(
            "RollingUpdateStrategy:\t{} max unavailable, {} max surge\n",
            ru.max_unavailable
                .as_ref()
                .map_or("25%".into(), int_or_string),
            ru.max_surge.as_ref().map_or("25%".into(), int_or_string)
        );
    }
    pod_template(&mut o, Some(&spec.template));
    o += "Conditions:\n  Type\tStatus\tReason\n  ----\t------\t------\n";
    for (t, s, r) in deployment_conditions(world, d, now) {
        o += &format!("  {t} \t{s}\t{r}\n");
    }
    let uid = d.metadata.uid.clone().unwrap_or_default();
    let hash_of = |rs: &k8s_openapi::api::apps::v1::ReplicaSet| {
        rs.metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("pod-template-hash"))
            .cloned()
    };
    let owned: Vec<_> = world
        .replica_sets()
        .iter()
        .filter(|r| {
            r.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|o| o.uid == uid)
        })
        .collect();
    // The new ReplicaSet is the one whose template matches the Deployment's.
    let new = owned.iter().copied().find(|r| {
        let mut t = r.spec.as_ref().and_then(|s| s.template.clone());
        if let Some(l) = t
            .as_mut()
            .and_then(|t| t.metadata.as_mut())
            .and_then(|m| m.labels.as_mut())
        {
            l.remove("pod-template-hash");
        }
        hash_of(r).is_some() && t.as_ref() == Some(&spec.template)
    });
    let show = |r: &k8s_openapi::api::apps::v1::ReplicaSet| {
        format!(
            "{} ({}/{} replicas created)",
            r.metadata.name.as_deref().unwrap_or_default(),
            r.status.as_ref().map_or(0, |s| s.replicas),
            r.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0)
        )
    };
    let old: Vec<String> = owned
        .iter()
        .filter(|r| new.is_none_or(|n| n.metadata.uid != r.metadata.uid))
        .filter(|r| r.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0) > 0)
        .map(|r| show(r))
        .collect();
    o += &format!(
        "OldReplicaSets:\t{}\n",
        if old.is_empty() {
            "<none>".into()
        } else {
            old.join(", ")
        }
    );
    o += &format!("NewReplicaSet:\t{}\n", new.map_or("<none>".into(), show));
    with_events(o, &events_of(world, "Deployment", name), now)
}

fn replica_set(world: &World, name: &str) -> String {
    let Some(r) = world
        .replica_sets()
        .iter()
        .find(|d| d.metadata.name.as_deref() == Some(name))
    else {
        return String::new();
    };
    let now = world.now().timestamp_millis();
    let spec = r.spec.clone().unwrap_or_default();
    let uid = r.metadata.uid.clone();
    let (mut running, mut waiting, mut succeeded, mut failed) = (0, 0, 0, 0);
    for p in world.pods() {
        let owned = p
            .metadata
            .owner_references
            .iter()
            .flatten()
            .any(|o| Some(&o.uid) == uid.as_ref());
        if !owned {
            continue;
        }
        match p.status.as_ref().and_then(|s| s.phase.as_deref()) {
            Some("Running") => running += 1,
            Some("Succeeded") => succeeded += 1,
            Some("Failed") => failed += 1,
            _ => waiting += 1,
        }
    }
    let mut o = String::new();
    o += &format!("Name:\t{name}\n");
    o += "Namespace:\tdefault\n";
    o += &format!("Selector:\t{}\n", format_selector(Some(&spec.selector)));
    labels(&mut o, "Labels", r.metadata.labels.as_ref());
    annotations(&mut o, "Annotations", r.metadata.annotations.as_ref());
    if let Some(owner) = r
        .metadata
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true))
    {
        o += &format!("Controlled By:\t{}/{}\n", owner.kind, owner.name);
    }
    o += &format!(
        "Replicas:\t{} current / {} desired\n",
        r.status.as_ref().map_or(0, |s| s.replicas),
        spec.replicas.unwrap_or(1)
    );
    o += &format!(
        "Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n"
    );
    pod_template(&mut o, spec.template.as_ref());
    with_events(o, &events_of(world, "ReplicaSet", name), now)
}

fn service(world: &World, name: &str) -> String {
    let Some(s) = world
        .services()
        .iter()
        .find(|d| d.metadata.name.as_deref() == Some(name))
    else {
        return String::new();
    };
    let now = world.now().timestamp_millis();
    let spec = s.spec.clone().unwrap_or_default();
    let ep = world
        .endpoints()
        .into_iter()
        .find(|e| e.metadata.name.as_deref() == Some(name));
    let mut o = String::new();
    head(&mut o, name, &s.metadata);
    o += &format!("Selector:\t{}\n", format_labels(spec.selector.as_ref()));
    o += &format!("Type:\t{}\n", spec.type_.as_deref().unwrap_or("ClusterIP"));
    if let Some(p) = &spec.ip_family_policy {
        o += &format!("IP Family Policy:\t{p}\n");
    }
    o += &format!(
        "IP Families:\t{}\n",
        spec.ip_families
            .as_ref()
            .filter(|f| !f.is_empty())
            .map_or("<none>".into(), |f| f.join(","))
    );
    o += &format!("IP:\t{}\n", spec.cluster_ip.as_deref().unwrap_or_default());
    o += &format!(
        "IPs:\t{}\n",
        spec.cluster_ips
            .as_ref()
            .filter(|f| !f.is_empty())
            .map_or("<none>".into(), |f| f.join(","))
    );
    for p in spec.ports.iter().flatten() {
        let pname = p.name.clone().filter(|n| !n.is_empty());
        let proto = p.protocol.as_deref().unwrap_or("TCP");
        let shown = pname.clone().unwrap_or("<unset>".into());
        o += &format!("Port:\t{shown}\t{}/{proto}\n", p.port);
        o += &format!(
            "TargetPort:\t{}/{proto}\n",
            p.target_port
                .as_ref()
                .map_or(p.port.to_string(), int_or_string)
        );
        if let Some(np) = p.node_port {
            o += &format!("NodePort:\t{shown}\t{np}/{proto}\n");
        }
        // Ready addresses only, at most three, as formatEndpointSlices lists them.
        let mut list = Vec::new();
        let mut count = 0;
        if let Some(ep) = &ep {
            for sub in ep.subsets.iter().flatten() {
                for port in sub.ports.iter().flatten() {
                    if port.name != pname {
                        continue;
                    }
                    for a in sub.addresses.iter().flatten() {
                        if list.len() < 3 {
                            list.push(format!("{}:{}", a.ip, port.port));
                        }
                        count += 1;
                    }
                }
            }
        }
        let mut shown = list.join(",");
        if count > 3 {
            shown += &format!(" + {} more...", count - 3);
        }
        o += &format!("Endpoints:\t{shown}\n");
    }
    o += &format!(
        "Session Affinity:\t{}\n",
        spec.session_affinity.as_deref().unwrap_or("None")
    );
    if let Some(p) = &spec.internal_traffic_policy {
        o += &format!("Internal Traffic Policy:\t{p}\n");
    }
    with_events(o, &events_of(world, "Service", name), now)
}

fn endpoints(world: &World, name: &str) -> String {
    let Some(e) = world
        .endpoints()
        .into_iter()
        .find(|d| d.metadata.name.as_deref() == Some(name))
    else {
        return String::new();
    };
    let now = world.now().timestamp_millis();
    let mut o = String::new();
    head(&mut o, name, &e.metadata);
    o += "Subsets:\n";
    for s in e.subsets.iter().flatten() {
        let ips = |a: &Option<Vec<k8s_openapi::api::core::v1::EndpointAddress>>| {
            let v: Vec<String> = a.iter().flatten().map(|a| a.ip.clone()).collect();
            if v.is_empty() {
                "<none>".to_string()
            } else {
                v.join(",")
            }
        };
        o += &format!("  Addresses:\t{}\n", ips(&s.addresses));
        o += &format!("  NotReadyAddresses:\t{}\n", ips(&s.not_ready_addresses));
        if let Some(ports) = s.ports.as_ref().filter(|p| !p.is_empty()) {
            o += "  Ports:\n    Name\tPort\tProtocol\n    ----\t----\t--------\n";
            for p in ports {
                o += &format!(
                    "    {}\t{}\t{}\n",
                    p.name.clone().unwrap_or("<unset>".into()),
                    p.port,
                    p.protocol.as_deref().unwrap_or("TCP")
                );
            }
        }
        o += "\n";
    }
    with_events(o, &events_of(world, "Endpoints", name), now)
}

fn config_map(world: &World, name: &str) -> String {
    let Some(c) = world
        .config_maps()
        .iter()
        .find(|d| d.metadata.name.as_deref() == Some(name))
    else {
        return String::new();
    };
    let now = world.now().timestamp_millis();
    let mut o = String::new();
    head(&mut o, name, &c.metadata);
    o += "\nData\n====\n";
    for (k, v) in c.data.iter().flatten() {
        o += &format!("{k}:\n----\n{v}\n\n");
    }
    o += "\nBinaryData\n====\n";
    for (k, v) in c.binary_data.iter().flatten() {
        o += &format!("{k}: {} bytes\n", v.0.len());
    }
    o += "\n";
    with_events(o, &events_of(world, "ConfigMap", name), now)
}

fn secret(world: &World, name: &str) -> String {
    let Some(s) = world
        .secrets()
        .iter()
        .find(|d| d.metadata.name.as_deref() == Some(name))
    else {
        return String::new();
    };
    let mut o = String::new();
    head(&mut o, name, &s.metadata);
    o += &format!("\nType:\t{}\n", s.type_.as_deref().unwrap_or("Opaque"));
    o += "\nData\n====\n";
    // Sizes only: describe never prints a Secret's values.
    for (k, v) in s.data.iter().flatten() {
        o += &format!("{k}:\t{} bytes\n", v.0.len());
    }
    tabbed(&o)
}

fn network_policy(world: &World, name: &str) -> String {
    let Some(n) = world
        .network_policies()
        .iter()
        .find(|d| d.metadata.name.as_deref() == Some(name))
    else {
        return String::new();
    };
    let spec = n.spec.clone().unwrap_or_default();
    let mut o = String::new();
    o += &format!("Name:\t{name}\n");
    o += "Namespace:\tdefault\n";
    o += &format!(
        "Created on:\t{}\n",
        n.metadata
            .creation_timestamp
            .as_ref()
            .map_or(String::new(), |t| t
                .0
                .format("%Y-%m-%d %H:%M:%S %z UTC")
                .to_string())
    );
    labels(&mut o, "Labels", n.metadata.labels.as_ref());
    annotations(&mut o, "Annotations", n.metadata.annotations.as_ref());
    o += "Spec:\n";
    let sel = spec.pod_selector.clone().unwrap_or_default();
    let empty = sel.match_labels.as_ref().is_none_or(|m| m.is_empty())
        && sel.match_expressions.as_ref().is_none_or(|m| m.is_empty());
    if empty {
        o += "  PodSelector:     <none> (Allowing the specific traffic to all pods in this namespace)\n";
    } else {
        o += &format!("  PodSelector:     {}\n", format_selector(Some(&sel)));
    }
    let types = spec.policy_types.clone().unwrap_or_default();
    let ingress_on = types.is_empty() || types.iter().any(|t| t == "Ingress");
    let egress_on = types.iter().any(|t| t == "Egress")
        || (types.is_empty() && spec.egress.as_ref().is_some_and(|e| !e.is_empty()));
    let peer =
        |o: &mut String, word: &str, p: &k8s_openapi::api::networking::v1::NetworkPolicyPeer| {
            *o += &format!("    {word}:\n");
            if let (Some(ns), Some(ps)) = (&p.namespace_selector, &p.pod_selector) {
                *o += &format!("      NamespaceSelector: {}\n", format_selector(Some(ns)));
                *o += &format!("      PodSelector: {}\n", format_selector(Some(ps)));
            } else if let Some(ps) = &p.pod_selector {
                *o += &format!("      PodSelector: {}\n", format_selector(Some(ps)));
            } else if let Some(ns) = &p.namespace_selector {
                *o += &format!("      NamespaceSelector: {}\n", format_selector(Some(ns)));
            } else if let Some(b) = &p.ip_block {
                *o += "      IPBlock:\n";
                *o += &format!("        CIDR: {}\n", b.cidr);
                *o += &format!(
                    "        Except: {}\n",
                    b.except.clone().unwrap_or_default().join(", ")
                );
            }
        };
    let ports =
        |o: &mut String,
         ports: &Option<Vec<k8s_openapi::api::networking::v1::NetworkPolicyPort>>| {
            match ports.as_deref() {
                None | Some([]) => *o += "    To Port: <any> (traffic allowed to all ports)\n",
                Some(ps) => {
                    for p in ps {
                        *o += &format!(
                            "    To Port: {}/{}\n",
                            p.port.as_ref().map_or(String::new(), int_or_string),
                            p.protocol.as_deref().unwrap_or("TCP")
                        );
                    }
                }
            }
        };
    // One printer for both directions: (ports, peers) per rule.
    type Rule<'a> = (
        &'a Option<Vec<k8s_openapi::api::networking::v1::NetworkPolicyPort>>,
        Option<&'a [k8s_openapi::api::networking::v1::NetworkPolicyPeer]>,
    );
    let direction = |o: &mut String, on: bool, dir: &str, word: &str, rules: Option<Vec<Rule>>| {
        if !on {
            *o += &format!("  Not affecting {dir} traffic\n");
            return;
        }
        *o += &format!("  Allowing {dir} traffic:\n");
        match rules.as_deref() {
            None | Some([]) => {
                *o += &format!("    <none> (Selected pods are isolated for {dir} connectivity)\n")
            }
            Some(rules) => {
                for (i, (rule_ports, peers)) in rules.iter().enumerate() {
                    ports(o, rule_ports);
                    match peers {
                        None | Some([]) => {
                            let what = if word == "From" {
                                "source"
                            } else {
                                "destination"
                            };
                            *o += &format!("    {word}: <any> (traffic not restricted by {what})\n")
                        }
                        Some(ps) => ps.iter().for_each(|p| peer(o, word, p)),
                    }
                    if i + 1 < rules.len() {
                        *o += "    ----------\n";
                    }
                }
            }
        }
    };
    let ingress: Option<Vec<Rule>> = spec
        .ingress
        .as_ref()
        .map(|rs| rs.iter().map(|r| (&r.ports, r.from.as_deref())).collect());
    let egress: Option<Vec<Rule>> = spec
        .egress
        .as_ref()
        .map(|rs| rs.iter().map(|r| (&r.ports, r.to.as_deref())).collect());
    direction(&mut o, ingress_on, "ingress", "From", ingress);
    direction(&mut o, egress_on, "egress", "To", egress);
    let shown = if types.is_empty() {
        "<none>".to_string()
    } else {
        types.join(", ")
    };
    o += &format!("  Policy Types: {shown}\n");
    tabbed(&o)
}

fn node(world: &World, name: &str) -> String {
    let Some(n) = world
        .nodes()
        .iter()
        .find(|d| d.metadata.name.as_deref() == Some(name))
    else {
        return String::new();
    };
    let now = world.now().timestamp_millis();
    let st = n.status.clone().unwrap_or_default();
    let spec = n.spec.clone().unwrap_or_default();
    let mut o = String::new();
    o += &format!("Name:\t{name}\n");
    o += "Roles:\t<none>\n";
    labels(&mut o, "Labels", n.metadata.labels.as_ref());
    annotations(&mut o, "Annotations", n.metadata.annotations.as_ref());
    o += &format!(
        "CreationTimestamp:\t{}\n",
        rfc1123z(n.metadata.creation_timestamp.as_ref())
    );
    o += "Taints:\t<none>\n";
    o += &format!("Unschedulable:\t{}\n", spec.unschedulable.unwrap_or(false));
    let body = tabbed(&o);
    let mut c = String::from(
        "Conditions:\n  Type\tStatus\tReason\tMessage\n  ----\t------\t------\t-------\n",
    );
    for cond in st.conditions.iter().flatten() {
        c += &format!(
            "  {}\t{}\t{}\t{}\n",
            cond.type_,
            cond.status,
            cond.reason.as_deref().unwrap_or_default(),
            cond.message.as_deref().unwrap_or_default()
        );
    }
    let mut rest = tabbed(&c);
    let mut a = String::from("Addresses:\n");
    for addr in st.addresses.iter().flatten() {
        a += &format!("  {}:\t{}\n", addr.type_, addr.address);
    }
    for (title, m) in [("Capacity", &st.capacity), ("Allocatable", &st.allocatable)] {
        a += &format!("{title}:\n");
        for (k, v) in m.iter().flatten() {
            a += &format!("  {k}:\t{}\n", v.0);
        }
    }
    if let Some(i) = &st.node_info {
        a += "System Info:\n";
        a += &format!("  Machine ID:\t{}\n", i.machine_id);
        a += &format!("  System UUID:\t{}\n", i.system_uuid);
        a += &format!("  Boot ID:\t{}\n", i.boot_id);
        a += &format!("  Kernel Version:\t{}\n", i.kernel_version);
        a += &format!("  OS Image:\t{}\n", i.os_image);
        a += &format!("  Operating System:\t{}\n", i.operating_system);
        a += &format!("  Architecture:\t{}\n", i.architecture);
        a += &format!(
            "  Container Runtime Version:\t{}\n",
            i.container_runtime_version
        );
        a += &format!("  Kubelet Version:\t{}\n", i.kubelet_version);
    }
    if let Some(cidr) = &spec.pod_cidr {
        a += &format!("PodCIDR:\t{cidr}\n");
        a += &format!("PodCIDRs:\t{cidr}\n");
    }
    let pods: Vec<_> = world
        .pods()
        .into_iter()
        .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(name))
        .collect();
    a += &format!("Non-terminated Pods:\t({} in total)\n", pods.len());
    a += "  Namespace\tName\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n";
    a += "  ---------\t----\t------------\t----------\t---------------\t-------------\t---\n";
    for p in &pods {
        let get = |which: &str, res: &str| -> String {
            let v: Vec<String> = p
                .spec
                .iter()
                .flat_map(|s| s.containers.iter())
                .filter_map(|c| {
                    let r = c.resources.as_ref()?;
                    let m = if which == "requests" {
                        r.requests.as_ref()
                    } else {
                        r.limits.as_ref()
                    }?;
                    m.get(res).map(|q| q.0.clone())
                })
                .collect();
            if v.is_empty() {
                "0 (0%)".into()
            } else {
                v.join("+")
            }
        };
        a += &format!(
            "  default\t{}\t{}\t{}\t{}\t{}\t{}\n",
            p.metadata.name.as_deref().unwrap_or_default(),
            get("requests", "cpu"),
            get("limits", "cpu"),
            get("requests", "memory"),
            get("limits", "memory"),
            super::since(p.metadata.creation_timestamp.as_ref(), now)
        );
    }
    rest += &tabbed(&a);
    let events = events_of(world, "Node", name);
    body + &rest + &with_events(String::new(), &events, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabbed_aligns_blocks_like_go_tabwriter() {
        let s = tabbed("Name:\tapi\nNamespace:\tdefault\nPod Template:\n  Labels:\tapp=api\n");
        assert_eq!(
            s,
            "Name:       api\nNamespace:  default\nPod Template:\n  Labels:  app=api\n"
        );
    }

    #[test]
    fn labels_continue_under_the_first() {
        let mut o = String::new();
        let l = BTreeMap::from([("a".to_string(), "1".to_string()), ("b".into(), "2".into())]);
        labels(&mut o, "Labels", Some(&l));
        o += "Selector:\ta=1\n";
        assert_eq!(
            tabbed(&o),
            "Labels:    a=1\n           b=2\nSelector:  a=1\n"
        );
    }
}
