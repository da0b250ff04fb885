//! `kubeprep simulate rollout`: a Deployment's rolling update (and
//! `rollout undo`) on the simulated cluster, drawn as a timeline of Pods by
//! version, then the summary and the failed requests explained.

use std::path::PathBuf;

use anyhow::{anyhow, bail, Context, Result};
use clap::ValueEnum;
use k8s_openapi::api::apps::v1::Deployment;
use kubeprep_sim::manifest::Object;
use kubeprep_sim::rollout::{
    self, duration, secs, wire::RolloutJson, Frame, Model, PodCounts, RollbackAt, RolloutReport,
    Sigterm, StrategyKind, Update,
};

use crate::cmd::{manifests, Global, Output};
use crate::term::{self, paint, Style};
use crate::Outcome;

/// What the app does on SIGTERM.
#[derive(ValueEnum, Clone, Copy, Default)]
pub enum AppSigterm {
    /// Stops at once; requests in flight fail
    #[default]
    Exit,
    /// Stops accepting connections and finishes requests in flight
    Drain,
}

/// Flags (boxed: the flag set is large and the command enums stay small).
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    flags: Box<Flags>,
}

/// The flags themselves.
#[derive(clap::Args)]
struct Flags {
    /// The manifest(s) holding the Deployment as it runs now
    #[arg(short = 'f', long = "filename", value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    /// The Deployment to roll out, when the files hold several
    #[arg(long)]
    name: Option<String>,
    /// The update: set this image (on the first container, or --container)
    #[arg(long, value_name = "IMG", conflicts_with = "to")]
    to_image: Option<String>,
    /// The container --to-image changes
    #[arg(long, value_name = "NAME", requires = "to_image")]
    container: Option<String>,
    /// The update: the updated Deployment (as `kubectl apply` would apply it)
    #[arg(long, value_name = "FILE")]
    to: Option<PathBuf>,
    /// Container running this long after its ReplicaSet is scaled up
    #[arg(long, value_name = "DUR", default_value = "5s")]
    pod_start: String,
    /// The app serves (and passes probes) this long after its container starts
    #[arg(long, value_name = "DUR", default_value = "8s")]
    app_warmup: String,
    /// Requests per second, spread over the ready endpoints
    #[arg(long, value_name = "N", default_value_t = 100)]
    rps: u32,
    /// How long each request takes
    #[arg(long, value_name = "DUR", default_value = "100ms")]
    request_time: String,
    /// Endpoint additions and removals reach the load balancer this late
    #[arg(long, value_name = "DUR", default_value = "1s")]
    endpoint_lag: String,
    /// What the app does on SIGTERM
    #[arg(long, value_enum, default_value_t)]
    app_sigterm: AppSigterm,
    /// The new version never passes readiness (shows a stalled rollout)
    #[arg(long)]
    new_version_broken: bool,
    /// Run `kubectl rollout undo` at this virtual time (after the update at 0)
    #[arg(long, value_name = "T", conflicts_with = "rollback_after")]
    rollback_at: Option<String>,
    /// Run `kubectl rollout undo` this long after the update completes
    #[arg(long, value_name = "DUR")]
    rollback_after: Option<String>,
    /// Stop at this virtual time [default: progressDeadlineSeconds (at most 1h) + 2m after the last progress or undo]
    #[arg(long, value_name = "T")]
    until: Option<String>,
    /// Output format
    #[arg(long, short, value_enum, default_value_t)]
    output: Output,
}

fn dur(flag: &str, v: &str) -> Result<i64> {
    duration::parse(v).map_err(|e| anyhow!("--{flag}: {e}"))
}

impl Flags {
    fn model(&self) -> Result<Model> {
        let rollback = match (&self.rollback_at, &self.rollback_after) {
            (Some(t), _) => Some(RollbackAt::At(dur("rollback-at", t)?)),
            (None, Some(d)) => Some(RollbackAt::AfterComplete(dur("rollback-after", d)?)),
            (None, None) => None,
        };
        Ok(Model {
            pod_start_ms: dur("pod-start", &self.pod_start)?,
            app_warmup_ms: dur("app-warmup", &self.app_warmup)?,
            rps: self.rps,
            request_time_ms: dur("request-time", &self.request_time)?,
            endpoint_lag_ms: dur("endpoint-lag", &self.endpoint_lag)?,
            sigterm: match self.app_sigterm {
                AppSigterm::Exit => Sigterm::Exit,
                AppSigterm::Drain => Sigterm::Drain,
            },
            new_version_broken: self.new_version_broken,
            rollback,
            until_ms: self.until.as_deref().map(|u| dur("until", u)).transpose()?,
        })
    }
}

/// The one Deployment in `files` (named `name` if given).
fn pick(files: &[PathBuf], name: Option<&str>, what: &str) -> Result<Deployment> {
    let parsed = manifests::load_valid(files)?;
    let all: Vec<&Deployment> = parsed
        .objects()
        .filter_map(|o| match o {
            Object::Deployment(d) => Some(&**d),
            _ => None,
        })
        .collect();
    let names = || {
        all.iter()
            .map(|d| d.metadata.name.clone().unwrap_or_default())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let found: Vec<&&Deployment> = all
        .iter()
        .filter(|d| name.is_none_or(|n| d.metadata.name.as_deref() == Some(n)))
        .collect();
    match (found.as_slice(), name) {
        ([one], _) => Ok((**one).clone()),
        ([], None) => bail!("{what} holds no Deployment; give a file with `kind: Deployment`"),
        ([], Some(n)) => bail!(
            "{what} holds no Deployment named {n:?} (found: {}); check --name",
            names()
        ),
        (_, _) => bail!(
            "{what} holds several Deployments ({}); choose one with --name",
            names()
        ),
    }
}

pub fn run(g: &Global, a: Args) -> Result<Outcome> {
    let a = a.flags;
    let model = a.model()?;
    let current = pick(&a.files, a.name.as_deref(), "-f")?;
    let update = match (&a.to_image, &a.to) {
        (Some(img), _) => Update::Image {
            container: a.container.clone(),
            image: img.clone(),
        },
        (None, Some(f)) => {
            let name = current.metadata.name.clone();
            Update::Apply(Box::new(pick(
                std::slice::from_ref(f),
                name.as_deref(),
                "--to",
            )?))
        }
        (None, None) => Update::Restart,
    };
    let report =
        rollout::simulate(&current, &update, &model).context("cannot simulate the rollout")?;
    match a.output {
        Output::Json => term::print_json(&RolloutJson::from(&report))?,
        Output::Text => term::print(&render(&report, g.color()))?,
    }
    Ok(Outcome::Ok)
}

/// The widest timeline row, in blocks.
const MAX_BLOCKS: i64 = 48;
/// The most timeline rows drawn.
const MAX_ROWS: usize = 48;

fn blocks(n: i64, unit: i64) -> usize {
    if n <= 0 {
        0
    } else {
        ((n + unit - 1) / unit) as usize
    }
}

fn row(f: &Frame, unit: i64, color: bool) -> (String, usize) {
    let parts: [(i64, char, Style); 7] = [
        (f.old.available, 'O', Style::Cyan),
        (f.old.ready, 'o', Style::Cyan),
        (f.old.starting, ':', Style::Dim),
        (f.new.available, 'N', Style::Green),
        (f.new.ready, 'n', Style::Green),
        (f.new.starting, '+', Style::Yellow),
        (f.old.terminating + f.new.terminating, 'x', Style::Red),
    ];
    let mut s = String::new();
    let mut width = 0;
    for (n, c, style) in parts {
        let k = blocks(n, unit);
        if k > 0 {
            s.push_str(&paint(&c.to_string().repeat(k), style, color));
            width += k;
        }
    }
    (s, width)
}

fn pods(c: &PodCounts) -> i64 {
    c.available + c.ready + c.starting
}

/// The rows to draw: every frame, or an even sample keeping the first and last.
fn sample(frames: &[Frame]) -> Vec<&Frame> {
    if frames.len() <= MAX_ROWS {
        return frames.iter().collect();
    }
    let n = frames.len();
    (0..MAX_ROWS)
        .map(|i| &frames[i * (n - 1) / (MAX_ROWS - 1)])
        .collect()
}

fn opt_s(ms: Option<i64>) -> String {
    ms.map(|m| format!("{} s", secs(m)))
        .unwrap_or_else(|| "never".to_string())
}

/// The timeline, the summary and the failures, as text.
pub fn render(r: &RolloutReport, color: bool) -> String {
    let mut out = String::new();
    let strategy = match r.strategy {
        StrategyKind::RollingUpdate => {
            format!(
                "RollingUpdate (maxSurge {}, maxUnavailable {})",
                r.max_surge, r.max_unavailable
            )
        }
        StrategyKind::Recreate => "Recreate".to_string(),
    };
    out.push_str(&format!(
        "{} deployment/{}: {}\n",
        paint("Rollout of", Style::Bold, color),
        r.deployment,
        r.update
    ));
    out.push_str(&format!(
        "{} replicas, {strategy}, minReadySeconds {}; {} req/s of {} ms\n\n",
        r.replicas, r.min_ready_seconds, r.model.rps, r.model.request_time_ms
    ));

    let widest = r
        .timeline
        .iter()
        .map(|f| pods(&f.old) + pods(&f.new) + f.old.terminating + f.new.terminating)
        .max()
        .unwrap_or(0);
    let unit = ((widest + MAX_BLOCKS - 1) / MAX_BLOCKS).max(1);
    let mut marks: Vec<(i64, String)> = Vec::new();
    if let Some(d) = r.duration_ms {
        marks.push((d, "update complete".to_string()));
    }
    if let Some(t) = r.progress_deadline_exceeded_ms {
        marks.push((t, "progress deadline exceeded".to_string()));
    }
    if let Some(t) = r.rollback_started_ms {
        marks.push((t, "rollout undo".to_string()));
        if let Some(d) = r.rollback_ms {
            marks.push((t + d, "rollback complete".to_string()));
        }
    }
    let rows = sample(&r.timeline);
    let pad = blocks(widest, unit);
    for (i, f) in rows.iter().enumerate() {
        let next_t = rows.get(i + 1).map(|n| n.t_ms).unwrap_or(i64::MAX);
        let (bar, w) = row(f, unit, color);
        let avail = f.old.available + f.new.available;
        let mut line = format!(
            "{:>8} s  {bar}{}  available {avail:>3}, pods {:>3}",
            secs(f.t_ms),
            " ".repeat(pad.saturating_sub(w)),
            pods(&f.old) + pods(&f.new)
        );
        let notes: Vec<&str> = marks
            .iter()
            .filter(|(t, _)| *t >= f.t_ms && *t < next_t)
            .map(|(_, s)| s.as_str())
            .collect();
        if !notes.is_empty() {
            line.push_str(&format!("  ← {}", notes.join(", ")));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str(&format!(
        "\n{}  O old available  o old ready  : old starting  N new available  n new ready  + new starting  x terminating{}\n",
        paint("legend", Style::Dim, color),
        if unit > 1 { format!("  (one letter = {unit} Pods)") } else { String::new() }
    ));

    out.push_str(&format!("\n{}\n", paint("Summary", Style::Bold, color)));
    let duration = match r.duration_ms {
        Some(d) => format!("{} s", secs(d)),
        None if r.rollback_started_ms.is_some() && r.template_changed => {
            "never (rolled back first)".to_string()
        }
        None => format!("never (stopped at {} s)", secs(r.ended_ms)),
    };
    out.push_str(&format!("  rollout            {duration}\n"));
    if r.model.rollback.is_some() {
        let rb = match (&r.rollback_note, r.rollback_started_ms) {
            (Some(note), _) => format!("did nothing: {note}"),
            (None, Some(t)) => format!("undo at {} s took {}", secs(t), opt_s(r.rollback_ms)),
            (None, None) => "undo never ran (the rollout never completed)".to_string(),
        };
        out.push_str(&format!("  rollback           {rb}\n"));
    }
    out.push_str(&format!(
        "  min available      {} of {}\n",
        r.min_available, r.replicas
    ));
    out.push_str(&format!(
        "  max pods           {} (replicas + maxSurge = {})\n",
        r.max_pods,
        r.replicas + r.max_surge
    ));
    let pct = if r.requests_total > 0 {
        r.failed_requests as f64 * 100.0 / r.requests_total as f64
    } else {
        0.0
    };
    let failed = format!("{} failed ({pct:.2}%)", r.failed_requests);
    out.push_str(&format!(
        "  requests           {} sent, {}\n",
        r.requests_total,
        paint(
            &failed,
            if r.failed_requests > 0 {
                Style::Red
            } else {
                Style::Green
            },
            color
        )
    ));
    let deadline = match (r.progress_deadline_exceeded_ms, r.progress_deadline_seconds) {
        (Some(t), _) => format!(
            "exceeded at {} s (the condition only; the rollout is not stopped)",
            secs(t)
        ),
        (None, Some(p)) => format!("not exceeded ({p} s)"),
        (None, None) => "none".to_string(),
    };
    out.push_str(&format!("  progress deadline  {deadline}\n"));
    if let Some(top) = r.replica_sets.first() {
        let list: Vec<String> = r
            .replica_sets
            .iter()
            .map(|x| {
                let hist = if x.revision_history.is_empty() {
                    String::new()
                } else {
                    format!(", history {}", x.revision_history)
                };
                format!("{} rev {}{hist} ({} Pods)", x.name, x.revision, x.replicas)
            })
            .collect();
        let _ = top;
        out.push_str(&format!("  replica sets       {}\n", list.join("; ")));
    }
    if r.hit_horizon {
        out.push_str(&format!(
            "  stopped            at the horizon, {} s, with the rollout unfinished\n",
            secs(r.ended_ms)
        ));
    }
    let why = r.explanations();
    if !why.is_empty() {
        out.push_str(&format!(
            "\n{}\n",
            paint("Failed requests", Style::Bold, color)
        ));
        for w in why {
            out.push_str(&format!("  {w}\n"));
        }
    }
    out
}
