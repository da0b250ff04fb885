//! The HorizontalPodAutoscaler against a traffic profile, in virtual time.
//!
//! [`HpaInput::from_objects`] reads the HPA, the Deployment it targets and any
//! CronJobs from parsed manifests; [`simulate`] runs the HPA controller
//! ([`controller`], [`calculator`]) every 15 s against demand from a
//! [`profile`], with Pods that start, warm up and pass readiness, requests that
//! queue and time out above ready capacity, optional nodes with a cluster
//! autoscaler, and CronJobs ([`cron`]) that run `kubectl scale` or `kubectl
//! patch hpa` at their scheduled wall-clock time. The result is an
//! [`HpaReport`]: a per-sync series, notable events and a summary. Nothing
//! here prints; the CLI renders the report.

pub mod calculator;
pub mod controller;
pub mod cron;
pub mod profile;
mod sim;

use chrono::NaiveDateTime;
use chrono_tz::Tz;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::{HPAScalingRules, HorizontalPodAutoscaler};
use k8s_openapi::api::core::v1::PodSpec;

use crate::manifest::Object;
use crate::quantity;

pub use calculator::Tolerances;
pub use controller::{Behavior, Limit, Policy, PolicyKind, Rules, SelectPolicy};
pub use cron::{Action, ScheduledJob};
pub use profile::{Profile, ProfileError};
pub use sim::simulate;

/// Why a simulation cannot run. Each names what failed and how to fix it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum HpaError {
    /// No HorizontalPodAutoscaler among the manifests.
    #[error("no HorizontalPodAutoscaler in the manifests; add one with -f hpa.yaml")]
    NoHpa,
    /// Several HPAs and none chosen.
    #[error("{count} HorizontalPodAutoscalers in the manifests ({names}); simulate one at a time")]
    SeveralHpas {
        /// How many.
        count: usize,
        /// Their names.
        names: String,
    },
    /// The scale target is not among the manifests or not a Deployment.
    #[error("HorizontalPodAutoscaler {hpa}: its scaleTargetRef {kind}/{name} is not in the manifests; add the Deployment with -f")]
    TargetNotFound {
        /// The HPA.
        hpa: String,
        /// The target's kind.
        kind: String,
        /// The target's name.
        name: String,
    },
    /// Something in the HPA this simulator does not model.
    #[error("HorizontalPodAutoscaler {hpa}: {message}")]
    Unsupported {
        /// The HPA.
        hpa: String,
        /// What is not modelled and what would be.
        message: String,
    },
    /// The HPA spec is invalid (the API server would reject it).
    #[error("HorizontalPodAutoscaler {hpa}: {message}")]
    InvalidHpa {
        /// The HPA.
        hpa: String,
        /// What is wrong.
        message: String,
    },
    /// A container has no CPU request, so utilisation is undefined (upstream fails the same way).
    #[error("Deployment {deployment}: container {container} has no resources.requests.cpu, so CPU utilisation is undefined and the HPA cannot scale; set a CPU request")]
    MissingCpuRequest {
        /// The Deployment.
        deployment: String,
        /// The container.
        container: String,
    },
    /// A CronJob that cannot be scheduled.
    #[error(transparent)]
    Cron(#[from] cron::CronError),
    /// A simulation option is out of range.
    #[error("{0}")]
    Options(String),
}

/// Nodes and the cluster autoscaler (`--nodes`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NodeOptions {
    /// Nodes at t = 0.
    pub nodes: i64,
    /// Pods that fit on one node.
    pub pods_per_node: i64,
    /// How long a new node takes to join, ms.
    pub provision_ms: i64,
    /// Empty nodes kept warm beyond what the Pods need.
    pub buffer_nodes: i64,
}

/// The load and Pod model's knobs; `Default` gives the documented defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct SimOptions {
    /// Demand over time.
    pub traffic: Profile,
    /// Requests per second one Pod serves at 100% of its CPU request.
    pub pod_capacity_rps: f64,
    /// A queued request fails after this long, ms (30 s).
    pub request_timeout_ms: i64,
    /// Scheduled to container running, ms (5 s).
    pub pod_start_ms: i64,
    /// Container running to app warm, ms (8 s).
    pub app_warmup_ms: i64,
    /// Wall-clock time at t = 0, in `time_zone`.
    pub clock: NaiveDateTime,
    /// The zone of the clock (and of CronJobs without `timeZone`).
    pub time_zone: Tz,
    /// Nodes, if modelled; None means room for every Pod.
    pub nodes: Option<NodeOptions>,
    /// HPA sync period, ms (15 s).
    pub sync_ms: i64,
    /// Window of a CPU sample, ms (15 s, metrics-server's resolution).
    pub metric_window_ms: i64,
    /// Simulated length, ms; None means the profile's length.
    pub duration_ms: Option<i64>,
    /// The legacy scale-up factor (2 in production, 8 in upstream tests).
    pub scale_up_factor: f64,
}

impl SimOptions {
    /// The defaults with a profile and a per-Pod capacity.
    pub fn new(traffic: Profile, pod_capacity_rps: f64) -> SimOptions {
        SimOptions {
            traffic,
            pod_capacity_rps,
            request_timeout_ms: 30_000,
            pod_start_ms: 5_000,
            app_warmup_ms: 8_000,
            clock: chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .unwrap_or_default(),
            time_zone: Tz::UTC,
            nodes: None,
            sync_ms: 15_000,
            metric_window_ms: 15_000,
            duration_ms: None,
            scale_up_factor: controller::SCALE_UP_LIMIT_FACTOR,
        }
    }
}

/// Parses `--clock`: `HH:MM[:SS]` (on 2026-01-01) or `YYYY-MM-DDTHH:MM[:SS]`.
pub fn parse_clock(text: &str) -> Result<NaiveDateTime, HpaError> {
    let t = text.trim();
    let bad = || {
        HpaError::Options(format!(
            "--clock {t:?} is not a time; write 13:00, 13:00:30 or 2026-11-27T13:00"
        ))
    };
    if t.contains('T') {
        NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S")
            .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M"))
            .map_err(|_| bad())
    } else {
        let time = chrono::NaiveTime::parse_from_str(t, "%H:%M:%S")
            .or_else(|_| chrono::NaiveTime::parse_from_str(t, "%H:%M"))
            .map_err(|_| bad())?;
        let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).ok_or_else(bad)?;
        Ok(day.and_time(time))
    }
}

/// Parses `--time-zone`: an IANA zone name such as `UTC` or `Europe/Berlin`.
pub fn parse_time_zone(text: &str) -> Result<Tz, HpaError> {
    text.trim().parse::<Tz>().map_err(|_| {
        HpaError::Options(format!(
            "--time-zone {text:?} is not an IANA time zone; write UTC or a name like Europe/Berlin"
        ))
    })
}

/// The readiness probe's timing (shared with the other simulators).
pub use crate::pod::ProbeTiming;

/// The scale target as the simulation needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Workload {
    /// Deployment name.
    pub name: String,
    /// `spec.replicas` (default 1).
    pub replicas: i32,
    /// Sum of the containers' CPU requests, millicores.
    pub cpu_request_milli: i64,
    /// The readiness probe, if any container has one.
    pub readiness: Option<ProbeTiming>,
}

/// The HPA as the simulation needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct HpaSpec {
    /// HPA name.
    pub name: String,
    /// `minReplicas` (default 1).
    pub min: i32,
    /// `maxReplicas`.
    pub max: i32,
    /// CPU `averageUtilization` target.
    pub target_utilization: i32,
    /// Behavior with defaults, or None (legacy path).
    pub behavior: Option<Behavior>,
    /// Per-direction tolerances.
    pub tolerances: Tolerances,
}

/// Everything a simulation needs.
#[derive(Debug, Clone)]
pub struct HpaInput {
    /// The autoscaler.
    pub hpa: HpaSpec,
    /// Its target.
    pub workload: Workload,
    /// CronJobs.
    pub jobs: Vec<ScheduledJob>,
    /// Model knobs.
    pub options: SimOptions,
}

/// Who did something notable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// The HPA controller.
    Hpa,
    /// A CronJob, by name.
    CronJob(String),
    /// The cluster autoscaler / nodes.
    Nodes,
    /// The traffic profile.
    Traffic,
}

/// A notable moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Virtual time, ms.
    pub t_ms: i64,
    /// Who.
    pub actor: Actor,
    /// What happened, in a sentence.
    pub message: String,
}

/// The state after one HPA sync.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SyncPoint {
    /// Virtual time, ms.
    pub t_ms: i64,
    /// Demand at that moment, req/s.
    pub demand_rps: f64,
    /// The HPA's (normalised) desired count; current when it did not decide.
    pub desired: i32,
    /// The metrics' proposal before normalisation, when computed.
    pub proposal: Option<i32>,
    /// `spec.replicas` after the sync.
    pub replicas: i32,
    /// Ready Pods.
    pub ready: i64,
    /// What the ready, warm Pods can serve, req/s.
    pub capacity_rps: f64,
    /// Requests dropped per second over the last sync period.
    pub dropped_rps: f64,
    /// CPU utilisation the HPA saw (%), when computed.
    pub utilization: Option<i32>,
    /// The HPA's minReplicas at that moment (CronJobs may patch it).
    pub min_replicas: i32,
}

/// Dropped requests by cause.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Dropped {
    /// Queued longer than the request timeout.
    pub timed_out: f64,
    /// No ready endpoint at all.
    pub no_endpoint: f64,
    /// Routed to a Pod that was Ready but not warm (no readiness probe).
    pub cold: f64,
}

impl Dropped {
    /// The total.
    pub fn total(&self) -> f64 {
        self.timed_out + self.no_endpoint + self.cold
    }
}

/// The result of a simulation.
#[derive(Debug, Clone)]
pub struct HpaReport {
    /// HPA name.
    pub hpa: String,
    /// Deployment name.
    pub deployment: String,
    /// The target utilisation, %.
    pub target_utilization: i32,
    /// Whether the legacy path (no `behavior`) ran.
    pub legacy: bool,
    /// Wall clock at t = 0.
    pub clock: NaiveDateTime,
    /// One point per sync.
    pub series: Vec<SyncPoint>,
    /// Notable events in time order.
    pub events: Vec<Event>,
    /// Requests that arrived.
    pub requests_total: f64,
    /// Requests dropped, by cause.
    pub dropped: Dropped,
    /// From the first rise in demand until ready capacity first covered the
    /// profile's peak, ms (0 if it already did; None if never).
    pub time_to_capacity_ms: Option<i64>,
    /// The highest `spec.replicas` reached.
    pub max_replicas: i32,
    /// The profile's peak demand, req/s.
    pub peak_demand_rps: f64,
    /// CronJob commands that were not understood, as "CronJob name: command".
    pub not_understood: Vec<String>,
}

impl HpaReport {
    /// The wall-clock time of a virtual time, `HH:MM:SS`.
    pub fn clock_at(&self, t_ms: i64) -> String {
        (self.clock + chrono::Duration::milliseconds(t_ms))
            .format("%H:%M:%S")
            .to_string()
    }
}

fn hpa_name(h: &HorizontalPodAutoscaler) -> String {
    h.metadata.name.clone().unwrap_or_default()
}

fn rules_from(
    r: Option<&HPAScalingRules>,
    defaults: Rules,
    hpa: &str,
) -> Result<(Rules, Option<f64>), HpaError> {
    let Some(r) = r else {
        return Ok((defaults, None));
    };
    let invalid = |m: String| HpaError::InvalidHpa {
        hpa: hpa.to_string(),
        message: m,
    };
    let select = match r.select_policy.as_deref() {
        None | Some("Max") => SelectPolicy::Max,
        Some("Min") => SelectPolicy::Min,
        Some("Disabled") => SelectPolicy::Disabled,
        Some(o) => {
            return Err(invalid(format!(
                "selectPolicy {o:?} is not Max, Min or Disabled"
            )))
        }
    };
    let policies = match &r.policies {
        None => defaults.policies.clone(),
        Some(ps) => {
            let mut out = Vec::new();
            for p in ps {
                let kind = match p.type_.as_str() {
                    "Pods" => PolicyKind::Pods,
                    "Percent" => PolicyKind::Percent,
                    o => return Err(invalid(format!("policy type {o:?} is not Pods or Percent"))),
                };
                if p.value <= 0 {
                    return Err(invalid(format!(
                        "policy value {} must be greater than 0",
                        p.value
                    )));
                }
                if p.period_seconds <= 0 || p.period_seconds > 1800 {
                    return Err(invalid(format!(
                        "policy periodSeconds {} must be within 1..1800",
                        p.period_seconds
                    )));
                }
                out.push(Policy {
                    kind,
                    value: p.value,
                    period_s: p.period_seconds,
                });
            }
            out
        }
    };
    let window_s = r.stabilization_window_seconds.unwrap_or(defaults.window_s);
    if !(0..=3600).contains(&window_s) {
        return Err(invalid(format!(
            "stabilizationWindowSeconds {window_s} must be within 0..3600"
        )));
    }
    let tolerance = match &r.tolerance {
        None => None,
        Some(q) => Some(quantity::parse(q).map_err(|e| invalid(format!("tolerance: {e}")))?),
    };
    Ok((
        Rules {
            window_s,
            select,
            policies,
        },
        tolerance,
    ))
}

fn probe_timing(spec: &PodSpec) -> Option<ProbeTiming> {
    crate::pod::readiness(spec)
}

fn workload_from(d: &Deployment) -> Result<Workload, HpaError> {
    let name = d.metadata.name.clone().unwrap_or_default();
    let spec = d.spec.as_ref();
    let pod = spec.and_then(|s| s.template.spec.as_ref());
    let mut request = 0i64;
    if let Some(pod) = pod {
        // Restartable (sidecar) init containers count; plain init containers do not.
        let sidecars = pod
            .init_containers
            .iter()
            .flatten()
            .filter(|c| c.restart_policy.as_deref() == Some("Always"));
        for c in pod.containers.iter().chain(sidecars) {
            let cpu = c
                .resources
                .as_ref()
                .and_then(|r| r.requests.as_ref())
                .and_then(|r| r.get("cpu"));
            let Some(cpu) = cpu else {
                return Err(HpaError::MissingCpuRequest {
                    deployment: name,
                    container: c.name.clone(),
                });
            };
            let m = quantity::millis(cpu).map_err(|e| {
                HpaError::Options(format!("Deployment {name}: container {}: {e}", c.name))
            })?;
            request = request.saturating_add(m.max(0));
        }
    }
    if request <= 0 {
        return Err(HpaError::MissingCpuRequest {
            deployment: name,
            container: "(none)".into(),
        });
    }
    Ok(Workload {
        replicas: spec.and_then(|s| s.replicas).unwrap_or(1).max(0),
        cpu_request_milli: request,
        readiness: pod.and_then(probe_timing),
        name,
    })
}

fn hpa_from(h: &HorizontalPodAutoscaler) -> Result<HpaSpec, HpaError> {
    let name = hpa_name(h);
    let invalid = |m: String| HpaError::InvalidHpa {
        hpa: name.clone(),
        message: m,
    };
    let unsupported = |m: String| HpaError::Unsupported {
        hpa: name.clone(),
        message: m,
    };
    let spec = h
        .spec
        .as_ref()
        .ok_or_else(|| invalid("has no spec".into()))?;
    let min = spec.min_replicas.unwrap_or(1);
    if min < 0 {
        return Err(invalid(format!("minReplicas {min} must not be negative")));
    }
    if spec.max_replicas < 1 || spec.max_replicas < min {
        return Err(invalid(format!(
            "maxReplicas {} must be at least 1 and at least minReplicas {min}",
            spec.max_replicas
        )));
    }
    let metrics = spec.metrics.clone().unwrap_or_default();
    let target_utilization = if metrics.is_empty() {
        80 // autoscaling/v2 defaulting: CPU at 80%
    } else {
        if metrics.len() > 1 {
            return Err(unsupported(format!(
                "{} metrics; the simulator models one CPU Utilization metric (the load model has no other signal)",
                metrics.len()
            )));
        }
        let m = &metrics[0];
        let res = m.resource.as_ref().filter(|_| m.type_ == "Resource");
        let res = res.ok_or_else(|| {
            unsupported(format!(
                "metric type {:?} is not simulated; use type: Resource with resource.name: cpu",
                m.type_
            ))
        })?;
        if res.name != "cpu" {
            return Err(unsupported(format!(
                "resource metric {:?} is not simulated; only cpu is",
                res.name
            )));
        }
        if res.target.type_ != "Utilization" {
            return Err(unsupported(format!(
                "cpu target type {:?} is not simulated; use Utilization",
                res.target.type_
            )));
        }
        let u = res
            .target
            .average_utilization
            .ok_or_else(|| invalid("cpu Utilization target without averageUtilization".into()))?;
        if u < 1 {
            return Err(invalid(format!(
                "averageUtilization {u} must be at least 1"
            )));
        }
        u
    };
    let mut tolerances = Tolerances::default();
    let behavior = match &spec.behavior {
        None => None,
        Some(b) => {
            let (up, tu) = rules_from(b.scale_up.as_ref(), Behavior::default_up(), &name)?;
            let (mut down, td) =
                rules_from(b.scale_down.as_ref(), Behavior::default_down(), &name)?;
            if b.scale_down
                .as_ref()
                .is_some_and(|r| r.stabilization_window_seconds.is_none())
            {
                down.window_s = Behavior::default_down().window_s;
            }
            if let Some(t) = tu {
                tolerances.up = t;
            }
            if let Some(t) = td {
                tolerances.down = t;
            }
            Some(Behavior { up, down })
        }
    };
    Ok(HpaSpec {
        name,
        min,
        max: spec.max_replicas,
        target_utilization,
        behavior,
        tolerances,
    })
}

impl HpaInput {
    /// Finds the HPA (exactly one), its Deployment and the CronJobs among `objects`.
    pub fn from_objects<'a>(
        objects: impl IntoIterator<Item = &'a Object>,
        options: SimOptions,
    ) -> Result<HpaInput, HpaError> {
        let objects: Vec<&Object> = objects.into_iter().collect();
        let hpas: Vec<&HorizontalPodAutoscaler> = objects
            .iter()
            .filter_map(|o| match o {
                Object::HorizontalPodAutoscaler(h) => Some(h.as_ref()),
                _ => None,
            })
            .collect();
        let h = match hpas.as_slice() {
            [] => return Err(HpaError::NoHpa),
            [h] => *h,
            many => {
                return Err(HpaError::SeveralHpas {
                    count: many.len(),
                    names: many
                        .iter()
                        .map(|h| hpa_name(h))
                        .collect::<Vec<_>>()
                        .join(", "),
                })
            }
        };
        let spec = hpa_from(h)?;
        let target = h
            .spec
            .as_ref()
            .map(|s| s.scale_target_ref.clone())
            .unwrap_or_default();
        if target.kind != "Deployment" {
            return Err(HpaError::Unsupported {
                hpa: spec.name,
                message: format!(
                    "scaleTargetRef kind {:?} is not simulated; only Deployment is",
                    target.kind
                ),
            });
        }
        let deployment = objects
            .iter()
            .find_map(|o| match o {
                Object::Deployment(d)
                    if d.metadata.name.as_deref() == Some(target.name.as_str()) =>
                {
                    Some(d.as_ref())
                }
                _ => None,
            })
            .ok_or_else(|| HpaError::TargetNotFound {
                hpa: spec.name.clone(),
                kind: target.kind.clone(),
                name: target.name.clone(),
            })?;
        let workload = workload_from(deployment)?;
        let mut jobs = Vec::new();
        for o in &objects {
            if let Object::CronJob(cj) = o {
                jobs.push(ScheduledJob::from_cronjob(cj, options.time_zone)?);
            }
        }
        Ok(HpaInput {
            hpa: spec,
            workload,
            jobs,
            options,
        })
    }
}
