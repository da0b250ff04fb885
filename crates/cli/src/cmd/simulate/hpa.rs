//! `kubeprep simulate hpa`: run a HorizontalPodAutoscaler, its Deployment and
//! any CronJobs against a traffic profile, then print a chart of demand
//! against ready capacity and replicas, the notable events and a summary
//! (or the JSON report). The simulation itself is `kubeprep_sim::hpa`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use kubeprep_sim::hpa::{self, Actor, HpaInput, HpaReport, NodeOptions, SimOptions};

use crate::cmd::{manifests, Global, Output};
use crate::term::{self, Style};
use crate::Outcome;

/// Flags (boxed so the `simulate` command enum stays small).
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    flags: Box<Flags>,
}

/// The flags of `simulate hpa`.
#[derive(clap::Args)]
struct Flags {
    /// Manifests: the HPA, the Deployment it scales, any CronJobs (repeat -f)
    #[arg(short = 'f', long = "filename", value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    /// Demand over time, e.g. "1000 for 50m, ramp to 10000 over 60s, 10000 for 30m"
    #[arg(long, value_name = "PROFILE")]
    traffic: String,
    /// Requests per second one Pod serves at 100% of its CPU request
    #[arg(long, value_name = "RPS", default_value_t = 200.0)]
    pod_capacity: f64,
    /// A request waiting longer than this for a free Pod fails
    #[arg(long, value_name = "DURATION", default_value = "30s")]
    request_timeout: String,
    /// From a Pod's creation (and a node for it) to its container running
    #[arg(long, value_name = "DURATION", default_value = "5s")]
    pod_start: String,
    /// From the container running to the app answering
    #[arg(long, value_name = "DURATION", default_value = "8s")]
    app_warmup: String,
    /// Wall-clock time at the start: 13:00 or 2026-11-27T13:00 (CronJobs fire by it)
    #[arg(long, value_name = "TIME", default_value = "00:00")]
    clock: String,
    /// Time zone of --clock and of CronJobs without spec.timeZone
    #[arg(long, value_name = "ZONE", default_value = "UTC")]
    time_zone: String,
    /// How long to simulate (default: the profile's length)
    #[arg(long, value_name = "DURATION")]
    duration: Option<String>,
    /// Model nodes: this many at the start (default: room for every Pod)
    #[arg(long, value_name = "N")]
    nodes: Option<i64>,
    /// Pods that fit on one node (with --nodes)
    #[arg(long, value_name = "K", default_value_t = 10, requires = "nodes")]
    pods_per_node: i64,
    /// How long the cluster autoscaler takes to add a node (with --nodes)
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "90s",
        requires = "nodes"
    )]
    node_provision: String,
    /// Empty nodes kept warm beyond what the Pods need (with --nodes)
    #[arg(long, value_name = "B", default_value_t = 0, requires = "nodes")]
    buffer_nodes: i64,
    /// Exit 1 when any request is dropped (for scripts and CI)
    #[arg(long)]
    fail_on_drops: bool,
    /// Output format
    #[arg(long, short, value_enum, default_value_t)]
    output: Output,
}

fn duration(flag: &str, text: &str) -> Result<i64> {
    hpa::profile::parse_duration_ms(text).map_err(|e| anyhow::anyhow!("--{flag}: {e}"))
}

/// Turns the flags into simulation options, refusing bad values up front.
fn options(a: &Flags) -> Result<SimOptions> {
    let traffic = hpa::profile::parse(&a.traffic)?;
    let mut o = SimOptions::new(traffic, a.pod_capacity);
    o.request_timeout_ms = duration("request-timeout", &a.request_timeout)?;
    o.pod_start_ms = duration("pod-start", &a.pod_start)?;
    o.app_warmup_ms = duration("app-warmup", &a.app_warmup)?;
    o.clock = hpa::parse_clock(&a.clock)?;
    o.time_zone = hpa::parse_time_zone(&a.time_zone)?;
    if let Some(d) = &a.duration {
        o.duration_ms = Some(duration("duration", d)?);
    }
    if let Some(nodes) = a.nodes {
        o.nodes = Some(NodeOptions {
            nodes,
            pods_per_node: a.pods_per_node,
            provision_ms: duration("node-provision", &a.node_provision)?,
            buffer_nodes: a.buffer_nodes,
        });
    }
    Ok(o)
}

pub fn run(g: &Global, a: Args) -> Result<Outcome> {
    let a = *a.flags;
    let options = options(&a)?;
    let parsed = manifests::load(&a.files)?;
    // Problems the API server would reject (the seed's CronJob has one) do not
    // stop the simulation of what did parse; they are reported with it.
    let problems: Vec<String> = parsed.problems.iter().map(|p| p.to_string()).collect();
    let input = match HpaInput::from_objects(parsed.objects(), options) {
        Ok(i) => i,
        Err(e) if !problems.is_empty() => {
            return Err(anyhow::anyhow!(
                "{e} (the manifests also have problems: {})",
                problems[0]
            ))
        }
        Err(e) => return Err(e.into()),
    };
    let report = hpa::simulate(&input).context("the simulation failed")?;
    match a.output {
        Output::Json => term::print_json(&wire::Report::new(&report, &problems))?,
        Output::Text => term::print(&render(&report, &problems, g.color()))?,
    }
    if a.fail_on_drops && report.dropped.total().round() > 0.0 {
        return Ok(Outcome::Findings);
    }
    Ok(Outcome::Ok)
}

/// The JSON report of `kubeprep simulate hpa --output json`.
pub mod wire {
    use kubeprep_sim::hpa::{Actor, HpaReport};
    use serde::Serialize;

    /// The whole report.
    #[derive(Serialize)]
    pub struct Report {
        pub hpa: String,
        pub deployment: String,
        pub target_utilization: i32,
        /// "legacy" (no behavior) or "behavior".
        pub path: &'static str,
        /// Wall clock at t = 0, ISO 8601 without zone.
        pub clock_start: String,
        pub series: Vec<Point>,
        pub events: Vec<Event>,
        pub requests_total: u64,
        pub dropped_requests: u64,
        pub dropped_by_reason: DroppedByReason,
        pub time_to_capacity_s: Option<f64>,
        pub max_replicas: i32,
        pub peak_demand_rps: f64,
        pub not_understood: Vec<String>,
        pub manifest_problems: Vec<String>,
    }

    /// One HPA sync.
    #[derive(Serialize)]
    pub struct Point {
        /// Seconds since the start.
        pub t: f64,
        pub clock: String,
        pub demand_rps: f64,
        pub desired: i32,
        pub replicas: i32,
        pub ready: i64,
        pub capacity_rps: f64,
        pub dropped_rps: f64,
        pub utilization: Option<i32>,
        pub min_replicas: i32,
    }

    /// A notable event.
    #[derive(Serialize)]
    pub struct Event {
        pub t: f64,
        pub clock: String,
        /// "hpa", "cronjob", "nodes" or "traffic".
        pub source: &'static str,
        /// The CronJob's name, for "cronjob".
        pub name: Option<String>,
        pub message: String,
    }

    /// Dropped requests by cause.
    #[derive(Serialize)]
    pub struct DroppedByReason {
        pub timed_out: u64,
        pub no_endpoint: u64,
        pub cold: u64,
    }

    fn round(x: f64) -> f64 {
        (x * 10.0).round() / 10.0
    }

    impl Report {
        pub fn new(r: &HpaReport, problems: &[String]) -> Report {
            Report {
                hpa: r.hpa.clone(),
                deployment: r.deployment.clone(),
                target_utilization: r.target_utilization,
                path: if r.legacy { "legacy" } else { "behavior" },
                clock_start: r.clock.format("%Y-%m-%dT%H:%M:%S").to_string(),
                series: r
                    .series
                    .iter()
                    .map(|p| Point {
                        t: p.t_ms as f64 / 1000.0,
                        clock: r.clock_at(p.t_ms),
                        demand_rps: round(p.demand_rps),
                        desired: p.desired,
                        replicas: p.replicas,
                        ready: p.ready,
                        capacity_rps: round(p.capacity_rps),
                        dropped_rps: round(p.dropped_rps),
                        utilization: p.utilization,
                        min_replicas: p.min_replicas,
                    })
                    .collect(),
                events: r
                    .events
                    .iter()
                    .map(|e| {
                        let (source, name) = match &e.actor {
                            Actor::Hpa => ("hpa", None),
                            Actor::CronJob(n) => ("cronjob", Some(n.clone())),
                            Actor::Nodes => ("nodes", None),
                            Actor::Traffic => ("traffic", None),
                        };
                        Event {
                            t: e.t_ms as f64 / 1000.0,
                            clock: r.clock_at(e.t_ms),
                            source,
                            name,
                            message: e.message.clone(),
                        }
                    })
                    .collect(),
                requests_total: r.requests_total.round() as u64,
                dropped_requests: r.dropped.total().round() as u64,
                dropped_by_reason: DroppedByReason {
                    timed_out: r.dropped.timed_out.round() as u64,
                    no_endpoint: r.dropped.no_endpoint.round() as u64,
                    cold: r.dropped.cold.round() as u64,
                },
                time_to_capacity_s: r.time_to_capacity_ms.map(|ms| ms as f64 / 1000.0),
                max_replicas: r.max_replicas,
                peak_demand_rps: round(r.peak_demand_rps),
                not_understood: r.not_understood.clone(),
                manifest_problems: problems.to_vec(),
            }
        }
    }
}

const CHART_WIDTH: usize = 60;
const CHART_HEIGHT: usize = 10;

fn human(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{:.0}k", v / 1000.0)
    } else if v >= 1000.0 {
        format!("{:.1}k", v / 1000.0)
    } else {
        format!("{v:.0}")
    }
}

/// The text report: chart, events, summary.
pub fn render(r: &HpaReport, problems: &[String], color: bool) -> String {
    let mut out = String::new();
    let path = if r.legacy {
        "legacy path: no behavior"
    } else {
        "behavior path"
    };
    out.push_str(&term::paint(
        &format!(
            "HPA {} → Deployment {} (CPU target {}%, {path})\n\n",
            r.hpa, r.deployment, r.target_utilization
        ),
        Style::Bold,
        color,
    ));
    out.push_str(&chart(r));
    out.push('\n');
    out.push_str(&term::paint("Events\n", Style::Bold, color));
    if r.events.is_empty() {
        out.push_str("  (none)\n");
    }
    for e in &r.events {
        let who = match &e.actor {
            Actor::Hpa => "HPA".to_string(),
            Actor::CronJob(n) => format!("CronJob {n}"),
            Actor::Nodes => "Nodes".to_string(),
            Actor::Traffic => "Traffic".to_string(),
        };
        out.push_str(&format!("  {} {who}: {}\n", r.clock_at(e.t_ms), e.message));
    }
    out.push('\n');
    out.push_str(&term::paint("Summary\n", Style::Bold, color));
    let dropped = r.dropped.total().round();
    let dropped_line = format!(
        "  dropped requests: {dropped:.0} of {:.0} (timed out {:.0}, no ready endpoint {:.0}, cold app {:.0})\n",
        r.requests_total.round(),
        r.dropped.timed_out.round(),
        r.dropped.no_endpoint.round(),
        r.dropped.cold.round()
    );
    out.push_str(&term::paint(
        &dropped_line,
        if dropped > 0.0 {
            Style::Red
        } else {
            Style::Green
        },
        color,
    ));
    let ttc = match r.time_to_capacity_ms {
        Some(0) => "capacity for the peak was in place before demand rose".to_string(),
        Some(ms) => format!("{}s from the first rise in demand", ms / 1000),
        None => "never reached".to_string(),
    };
    out.push_str(&format!(
        "  time to capacity ({} req/s): {ttc}\n",
        human(r.peak_demand_rps)
    ));
    out.push_str(&format!("  max replicas: {}\n", r.max_replicas));
    for n in &r.not_understood {
        out.push_str(&format!("  not understood (no effect simulated): {n}\n"));
    }
    if let Some(first) = problems.first() {
        out.push_str(&format!(
            "  manifest problems: {} (the API server would reject this; simulated anyway), first: {first}\n",
            problems.len()
        ));
    }
    out
}

/// Demand (`•`) against ready capacity (`█`), unserved demand as `░`, then a
/// row of replicas; one column per slice of time.
fn chart(r: &HpaReport) -> String {
    let Some(last) = r.series.last() else {
        return "  (no syncs)\n".into();
    };
    let end = last.t_ms + 1;
    let cols = CHART_WIDTH.min(r.series.len()).max(1);
    let mut demand = vec![0.0f64; cols];
    let mut capacity = vec![f64::INFINITY; cols];
    let mut replicas = vec![0i32; cols];
    for p in &r.series {
        let c = ((p.t_ms as i128 * cols as i128) / end as i128) as usize;
        let c = c.min(cols - 1);
        demand[c] = demand[c].max(p.demand_rps);
        capacity[c] = capacity[c].min(p.capacity_rps);
        replicas[c] = replicas[c].max(p.replicas);
    }
    for c in 1..cols {
        if capacity[c].is_infinite() {
            capacity[c] = capacity[c - 1];
            demand[c] = demand[c - 1];
            replicas[c] = replicas[c - 1];
        }
    }
    let top = demand
        .iter()
        .chain(capacity.iter())
        .cloned()
        .filter(|v| v.is_finite())
        .fold(1.0, f64::max);
    let level = |v: f64| ((v / top) * CHART_HEIGHT as f64).round() as usize;
    let mut out = String::new();
    for row in (1..=CHART_HEIGHT).rev() {
        let label = if row == CHART_HEIGHT {
            human(top)
        } else if row == CHART_HEIGHT / 2 {
            human(top / 2.0)
        } else {
            String::new()
        };
        let unit = if label.is_empty() { "     " } else { "req/s" };
        out.push_str(&format!("{label:>6} {unit} │"));
        for c in 0..cols {
            let (d, k) = (level(demand[c]), level(capacity[c]));
            let ch = if d == row {
                '•'
            } else if k >= row {
                '█'
            } else if d > row {
                '░'
            } else {
                ' '
            };
            out.push(ch);
        }
        out.push('\n');
    }
    out.push_str(&format!("{:>12} └{}\n", "", "─".repeat(cols)));
    let max_r = replicas.iter().copied().max().unwrap_or(0).max(1);
    let bars = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    out.push_str(&format!("{:>6} pods  ", max_r));
    for &n in &replicas {
        let i = ((n.max(0) as f64 / max_r as f64) * 7.0).round() as usize;
        out.push(bars[i.min(7)]);
    }
    out.push('\n');
    let mid = r.clock_at(end / 2);
    let first = r.clock_at(0);
    let lastc = r.clock_at(last.t_ms);
    let gap = cols.saturating_sub(first.len() + mid.len() + lastc.len()) / 2;
    out.push_str(&format!(
        "{:>14}{first}{}{mid}{}{lastc}\n",
        "",
        " ".repeat(gap),
        " ".repeat(cols.saturating_sub(first.len() + mid.len() + lastc.len() + gap))
    ));
    out.push_str(&format!("{:>14}• demand   █ ready capacity   ░ demand above capacity   ▁▅█ replicas (max {max_r})\n", ""));
    out
}
