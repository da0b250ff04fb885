//! `kubeprep simulate statefulset`: runs a StatefulSet on the simulated
//! cluster (ordered or parallel creation, identities, volumes, Pod deletion
//! and node loss) and prints the timeline, or the JSON wire type below.

use std::path::PathBuf;

use anyhow::{Context, Result};
use kubeprep_sim::manifest::Object;
use kubeprep_sim::statefulset::{
    self, parse_at, parse_duration, render_text, seconds, Action, Model, StsReport,
};
use serde::Serialize;

use super::super::{Global, Output};
use crate::{term, Outcome};

/// Flags (boxed: the subcommand enum stays small).
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    flags: Box<Flags>,
}

/// The flags themselves.
#[derive(clap::Args)]
struct Flags {
    /// Manifest files (YAML or JSON; `-` is stdin): the StatefulSet, its headless Service, PDBs
    #[arg(short = 'f', long = "filename", value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    /// Which StatefulSet, when the files hold several
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// Schedulable nodes, named node-1, node-2, ...
    #[arg(long, value_name = "N", default_value_t = 3)]
    nodes: u32,
    /// Zones the nodes are spread over (zone-a, zone-b, ...); volumes are bound to their first zone
    #[arg(long, value_name = "Z", default_value_t = 1)]
    zones: u32,
    /// From a Pod's volumes being attached to its container running
    #[arg(long, value_name = "DURATION", default_value = "5s")]
    pod_start: String,
    /// From the container running to the app passing its readiness probe
    #[arg(long, value_name = "DURATION", default_value = "8s")]
    app_warmup: String,
    /// From a node's failure to NotReady (node-monitor-grace-period: 50s since 1.32, 40s before)
    #[arg(long, value_name = "DURATION", default_value = "50s")]
    node_monitor_grace: String,
    /// `kubectl delete pod NAME` at virtual time T (repeatable), e.g. redis-cluster-2@60s
    #[arg(long, value_name = "NAME@T")]
    delete_pod: Vec<String>,
    /// The node stops at T (kubelet silent, containers dead), e.g. node-2@60s (repeatable)
    #[arg(long, value_name = "NODE@T")]
    fail_node: Vec<String>,
    /// At T, `kubectl delete pod --grace-period=0 --force` every Pod of the set on a failed node
    #[arg(long, value_name = "T")]
    force_delete_at: Option<String>,
    /// At T, taint every failed node node.kubernetes.io/out-of-service=nodeshutdown:NoExecute
    #[arg(long, value_name = "T")]
    out_of_service_at: Option<String>,
    /// `kubectl scale statefulset --replicas=N` at T, e.g. 3@120s (repeatable)
    #[arg(long, value_name = "N@T")]
    scale: Vec<String>,
    /// Change the Pod template (a new revision) at T: a rolling update, or OnDelete
    #[arg(long, value_name = "T")]
    update_at: Option<String>,
    /// Stop simulating at this virtual time, whatever is pending
    #[arg(long, value_name = "DURATION", default_value = "24h")]
    until: String,
    /// Output format
    #[arg(long, short, value_enum, default_value_t)]
    output: Output,
}

impl Flags {
    /// The model the flags describe, validated before anything runs.
    fn model(&self) -> Result<Model> {
        let dur = |flag: &str, v: &str| parse_duration(v).with_context(|| format!("--{flag}"));
        let mut actions = Vec::new();
        for v in &self.delete_pod {
            let (pod, at_ms) = parse_at(v).context("--delete-pod")?;
            actions.push(Action::DeletePod { pod, at_ms });
        }
        for v in &self.fail_node {
            let (node, at_ms) = parse_at(v).context("--fail-node")?;
            actions.push(Action::FailNode { node, at_ms });
        }
        if let Some(v) = &self.force_delete_at {
            actions.push(Action::ForceDelete {
                at_ms: dur("force-delete-at", v)?,
            });
        }
        if let Some(v) = &self.out_of_service_at {
            actions.push(Action::OutOfService {
                at_ms: dur("out-of-service-at", v)?,
            });
        }
        for v in &self.scale {
            let (n, at_ms) = parse_at(v).context("--scale")?;
            let replicas: i64 = n.parse().map_err(|_| {
                anyhow::anyhow!(
                    "--scale {v}: {n:?} is not a replica count; write N@T, for example 3@120s"
                )
            })?;
            actions.push(Action::Scale { replicas, at_ms });
        }
        if let Some(v) = &self.update_at {
            actions.push(Action::Update {
                at_ms: dur("update-at", v)?,
            });
        }
        Ok(Model {
            nodes: self.nodes,
            zones: self.zones,
            pod_start_ms: dur("pod-start", &self.pod_start)?,
            app_warmup_ms: dur("app-warmup", &self.app_warmup)?,
            node_monitor_grace_ms: dur("node-monitor-grace", &self.node_monitor_grace)?,
            horizon_ms: dur("until", &self.until)?,
            actions,
            ..Model::default()
        })
    }
}

pub fn run(g: &Global, a: Args) -> Result<Outcome> {
    let a = a.flags;
    let model = a.model()?;
    let parsed = crate::cmd::manifests::load_valid(&a.files)?;
    let objects: Vec<Object> = parsed.objects().cloned().collect();
    let set = statefulset::pick(&objects, a.name.as_deref())?;
    let report = statefulset::simulate(set, &objects, &model)?;
    match a.output {
        Output::Json => term::print_json(&Json::from(&report))?,
        Output::Text => {
            let text = render_text(&report);
            term::print(&kubeprep_interview::sanitize(&text))?;
        }
    }
    let _ = g;
    Ok(Outcome::Ok)
}

/// `--output json`: the simulation's wire format.
#[derive(Serialize)]
struct Json {
    statefulset: String,
    namespace: String,
    service: Option<String>,
    pod_management_policy: String,
    update_strategy: String,
    replicas: i64,
    final_replicas: i64,
    model: JsonModel,
    nodes: Vec<JsonNode>,
    pods: Vec<JsonPod>,
    history: Vec<JsonRecord>,
    /// When all replicas were first Running and Ready.
    ready_s: Option<f64>,
    /// After the first disruption, when all replicas were Running and Ready again.
    recovered_s: Option<f64>,
    end_s: f64,
    truncated: bool,
    events: Vec<JsonEvent>,
    findings: Vec<kubeprep_sim::check::Finding>,
}

#[derive(Serialize)]
struct JsonModel {
    nodes: u32,
    zones: u32,
    pod_start_s: f64,
    app_warmup_s: f64,
    node_monitor_grace_s: f64,
    unreachable_toleration_s: u64,
    pod_gc_period_s: f64,
    force_detach_s: f64,
}

#[derive(Serialize)]
struct JsonNode {
    name: String,
    zone: String,
    failed_at: Option<f64>,
    not_ready_at: Option<f64>,
    out_of_service_at: Option<f64>,
}

#[derive(Serialize)]
struct JsonPod {
    name: String,
    ordinal: i64,
    hostname: String,
    node: Option<String>,
    /// The first (usually only) claim's PVC.
    pvc: Option<String>,
    pvcs: Vec<String>,
    volume_zone: Option<String>,
    dns: Option<String>,
    ready_at: Option<f64>,
    state: String,
    incarnations: usize,
}

#[derive(Serialize)]
struct JsonRecord {
    name: String,
    ordinal: i64,
    revision: u32,
    node: Option<String>,
    created_at: f64,
    scheduled_at: Option<f64>,
    attached_at: Option<f64>,
    running_at: Option<f64>,
    ready_at: Option<f64>,
    unready_at: Option<f64>,
    deleting_at: Option<f64>,
    deleted_at: Option<f64>,
    force_deleted: bool,
}

#[derive(Serialize)]
struct JsonEvent {
    t: f64,
    object: String,
    reason: String,
    message: String,
}

fn opt(ms: Option<u64>) -> Option<f64> {
    ms.map(seconds)
}

impl From<&StsReport> for Json {
    fn from(r: &StsReport) -> Json {
        let m = &r.model;
        Json {
            statefulset: r.name.clone(),
            namespace: r.namespace.clone(),
            service: r.service.clone(),
            pod_management_policy: r.policy.to_string(),
            update_strategy: r.update_strategy.clone(),
            replicas: r.replicas,
            final_replicas: r.final_replicas,
            model: JsonModel {
                nodes: m.nodes,
                zones: m.zones,
                pod_start_s: seconds(m.pod_start_ms),
                app_warmup_s: seconds(m.app_warmup_ms),
                node_monitor_grace_s: seconds(m.node_monitor_grace_ms),
                unreachable_toleration_s: m.default_toleration_s,
                pod_gc_period_s: seconds(m.pod_gc_period_ms),
                force_detach_s: seconds(m.force_detach_ms),
            },
            nodes: r
                .nodes
                .iter()
                .map(|n| JsonNode {
                    name: n.name.clone(),
                    zone: n.zone.clone(),
                    failed_at: opt(n.failed_ms),
                    not_ready_at: opt(n.not_ready_ms),
                    out_of_service_at: opt(n.out_of_service_ms),
                })
                .collect(),
            pods: r
                .pods
                .iter()
                .map(|p| JsonPod {
                    name: p.name.clone(),
                    ordinal: p.ordinal,
                    hostname: p.name.clone(),
                    node: p.node.clone(),
                    pvc: p.pvcs.first().cloned(),
                    pvcs: p.pvcs.clone(),
                    volume_zone: p.volume_zone.clone(),
                    dns: p.dns.clone(),
                    ready_at: opt(p.ready_ms),
                    state: p.state.clone(),
                    incarnations: p.incarnations,
                })
                .collect(),
            history: r
                .records
                .iter()
                .map(|x| JsonRecord {
                    name: x.name.clone(),
                    ordinal: x.ordinal,
                    revision: x.revision,
                    node: x.node.clone(),
                    created_at: seconds(x.created_ms),
                    scheduled_at: opt(x.scheduled_ms),
                    attached_at: opt(x.attached_ms),
                    running_at: opt(x.running_ms),
                    ready_at: opt(x.ready_ms),
                    unready_at: opt(x.unready_ms),
                    deleting_at: opt(x.deleting_ms),
                    deleted_at: opt(x.gone_ms),
                    force_deleted: x.force_deleted,
                })
                .collect(),
            ready_s: opt(r.ready_ms),
            recovered_s: opt(r.recovered_ms),
            end_s: seconds(r.end_ms),
            truncated: r.truncated,
            events: r
                .events
                .iter()
                .map(|e| JsonEvent {
                    t: seconds(e.t_ms),
                    object: e.object.clone(),
                    reason: e.reason.clone(),
                    message: e.message.clone(),
                })
                .collect(),
            findings: r.findings.clone(),
        }
    }
}
