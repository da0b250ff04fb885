//! One rollout run in virtual time: a priority queue of timed events (Pod
//! Ready and available, endpoint changes reaching the load balancer,
//! SIGTERM, kill, undo, the progress deadline, the horizon), requests
//! arriving at a fixed rate between them, and the deployment controller
//! (`controller.rs`) re-run after every instant that changed something.
//! The ReplicaSet controller is instantaneous: a ReplicaSet always has
//! exactly spec.replicas non-terminating Pods.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, VecDeque};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::controller::{
    self, equal_ignore_hash, DeploymentParams, ProgressReason, RsCounts, StatusCounts, StrategyKind,
};
use super::pod::PodTiming;
use super::{
    FailureReason, Frame, Model, PodCounts, ReplicaSetSummary, RollbackAt, RolloutError,
    RolloutReport, Sigterm, Step, Update, MAX_REPLICAS, MAX_RPS, MAX_UNTIL_MS,
};

/// `maxRevHistoryLengthInChars` in sync.go.
const MAX_REV_HISTORY_CHARS: usize = 2000;
/// The kubelet's one-time extension when preStop outlives the grace period.
const PRE_STOP_EXTENSION_MS: i64 = 2_000;
/// A stalled run stops this long after the progress deadline counted from
/// the last progress (or an hour after it when there is no deadline).
const HORIZON_MARGIN_MS: i64 = 120_000;
/// Controller syncs per instant; each sync makes at most one change, so a
/// handful suffice, and the bound keeps a bug from looping forever.
const MAX_SYNCS_PER_INSTANT: usize = 64;
/// The most requests one run may send.
const MAX_REQUESTS: i64 = 500_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    Ready(u32),
    Available(u32),
    EndpointAdd(u32),
    EndpointRemove(u32),
    Sigterm(u32),
    Kill(u32),
    Gone(u32),
    DeadlineCheck,
    Warm,
    Rollback,
    Horizon,
}

#[derive(Debug)]
struct Pod {
    rs: usize,
    created: i64,
    running: i64,
    warm: Option<i64>,
    ready_at: Option<i64>,
    is_ready: bool,
    is_available: bool,
    deleted: bool,
    stopped: bool,
    gone: bool,
    lb_pos: Option<usize>,
    in_flight: VecDeque<i64>,
}

#[derive(Debug)]
struct ReplicaSet {
    name: String,
    template: usize,
    revision: i64,
    history: String,
    created: u64,
    pods: Vec<u32>,
    ready: i64,
    available: i64,
    terminating: i64,
    deleted: bool,
}

impl ReplicaSet {
    fn spec(&self) -> i64 {
        self.pods.len() as i64
    }
}

struct Template {
    spec: PodTemplateSpec,
    timing: PodTiming,
    updated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Updating,
    Updated,
    RollingBack,
    Finished,
}

struct Sim<'m> {
    m: &'m Model,
    d: DeploymentParams,
    name: String,
    min_ready_ms: i64,
    pds: Option<i64>,
    history_limit: Option<i64>,
    templates: Vec<Template>,
    dep_template: usize,
    rss: Vec<ReplicaSet>,
    pods: Vec<Pod>,
    lb: Vec<u32>,
    rr: usize,
    queue: BinaryHeap<Reverse<(i64, u64, Event)>>,
    seq: u64,
    now: i64,
    phase: Phase,
    reason: ProgressReason,
    last_update: i64,
    last_status: StatusCounts,
    horizon: i64,
    // results
    duration: Option<i64>,
    rollback_started: Option<i64>,
    rollback: Option<i64>,
    rollback_note: Option<String>,
    exceeded_at: Option<i64>,
    min_available: i64,
    max_pods: i64,
    requests: u64,
    failures: BTreeMap<FailureReason, u64>,
    steps: Vec<Step>,
    timeline: Vec<Frame>,
}

/// Runs `update` against `deployment` (running as given, all Pods
/// available) under `model`, until the rollout (and any rollback) is
/// complete and every removed Pod has stopped, or until the horizon.
pub fn simulate(
    deployment: &Deployment,
    update: &Update,
    model: &Model,
) -> Result<RolloutReport, RolloutError> {
    check_model(model)?;
    let original = params(deployment)?;
    let name = deployment
        .metadata
        .name
        .clone()
        .unwrap_or_else(|| "deployment".to_string());
    let original_template = deployment
        .spec
        .as_ref()
        .map(|s| s.template.clone())
        .unwrap_or_default();
    let (updated, description) = apply_update(deployment, update)?;
    let new_params = params(&updated)?;
    let updated_template = updated
        .spec
        .as_ref()
        .map(|s| s.template.clone())
        .unwrap_or_default();
    let spec = updated.spec.as_ref();
    let min_ready_ms = i64::from(spec.and_then(|s| s.min_ready_seconds).unwrap_or(0).max(0)) * 1000;
    let pds = Some(i64::from(
        spec.and_then(|s| s.progress_deadline_seconds)
            .unwrap_or(600),
    ));
    let history_limit = Some(i64::from(
        spec.and_then(|s| s.revision_history_limit).unwrap_or(10),
    ));
    let template_changed = !equal_ignore_hash(&original_template, &updated_template);

    let mut templates = vec![Template {
        timing: PodTiming::of(&original_template, false),
        spec: original_template,
        updated: false,
    }];
    let dep_template = if template_changed {
        templates.push(Template {
            timing: PodTiming::of(&updated_template, model.new_version_broken),
            spec: updated_template,
            updated: true,
        });
        1
    } else {
        0
    };
    let timing = templates[dep_template].timing.clone();

    let mut sim = Sim {
        m: model,
        d: original.clone(),
        name: name.clone(),
        min_ready_ms,
        pds,
        history_limit,
        templates,
        dep_template: 0,
        rss: Vec::new(),
        pods: Vec::new(),
        lb: Vec::new(),
        rr: 0,
        queue: BinaryHeap::new(),
        seq: 0,
        now: 0,
        phase: Phase::Updating,
        reason: ProgressReason::NewReplicaSetAvailable,
        last_update: 0,
        last_status: StatusCounts::default(),
        horizon: 0,
        duration: None,
        rollback_started: None,
        rollback: None,
        rollback_note: None,
        exceeded_at: None,
        min_available: i64::MAX,
        max_pods: 0,
        requests: 0,
        failures: BTreeMap::new(),
        steps: Vec::new(),
        timeline: Vec::new(),
    };
    sim.start(original.replicas);
    // The update: a size change is a scaling event handled first (one active
    // ReplicaSet: it is simply resized), then the template change.
    sim.d = new_params;
    if sim.rss[0].spec() != sim.d.replicas {
        let n = sim.d.replicas;
        sim.scale(0, n);
        sim.record_step(None);
    }
    sim.dep_template = dep_template;
    if template_changed {
        sim.reason = ProgressReason::Progressing;
    }
    sim.extend_horizon(0);
    if let Some(RollbackAt::At(t)) = model.rollback {
        sim.push(t, Event::Rollback);
        // The run waits for the undo however late it is asked for.
        sim.extend_horizon(t);
    }
    sim.sync();
    sim.observe();
    sim.run();

    let d = &sim.d;
    let mut replica_sets: Vec<ReplicaSetSummary> = sim
        .rss
        .iter()
        .filter(|r| !r.deleted)
        .map(|r| ReplicaSetSummary {
            name: r.name.clone(),
            revision: r.revision,
            revision_history: r.history.clone(),
            replicas: r.spec(),
            updated_template: sim.templates[r.template].updated,
        })
        .collect();
    replica_sets.sort_by_key(|r| std::cmp::Reverse(r.revision));
    let failed = sim.failures.values().sum();
    Ok(RolloutReport {
        deployment: name,
        update: if template_changed {
            description
        } else {
            format!("{description} (the Pod template did not change: nothing to roll out)")
        },
        template_changed,
        replicas: d.replicas,
        strategy: d.strategy,
        max_surge: d.max_surge(),
        max_unavailable: d.max_unavailable(),
        min_ready_seconds: sim.min_ready_ms / 1000,
        progress_deadline_seconds: sim.pds,
        timing,
        model: model.clone(),
        duration_ms: sim.duration,
        rollback_started_ms: sim.rollback_started,
        rollback_ms: sim.rollback,
        rollback_note: sim.rollback_note.clone(),
        min_available: if sim.min_available == i64::MAX {
            0
        } else {
            sim.min_available
        },
        max_pods: sim.max_pods,
        requests_total: sim.requests,
        failed_requests: failed,
        failures: sim.failures.clone(),
        steps: std::mem::take(&mut sim.steps),
        timeline: std::mem::take(&mut sim.timeline),
        progress_deadline_exceeded_ms: sim.exceeded_at,
        ended_ms: sim.now,
        hit_horizon: sim.phase != Phase::Finished || !sim.quiet(),
        replica_sets,
    })
}

fn check_model(m: &Model) -> Result<(), RolloutError> {
    let durations = [
        ("--pod-start", m.pod_start_ms),
        ("--app-warmup", m.app_warmup_ms),
        ("--request-time", m.request_time_ms),
        ("--endpoint-lag", m.endpoint_lag_ms),
        ("--until", m.until_ms.unwrap_or(0)),
        (
            "--rollback-at",
            match m.rollback {
                Some(RollbackAt::At(t) | RollbackAt::AfterComplete(t)) => t,
                None => 0,
            },
        ),
    ];
    for (what, ms) in durations {
        if !(0..=MAX_UNTIL_MS).contains(&ms) {
            return Err(RolloutError::OutOfRange {
                what: what.to_string(),
                detail: format!("must be between 0 and 24h, got {ms} ms"),
            });
        }
    }
    if m.rps > MAX_RPS {
        return Err(RolloutError::OutOfRange {
            what: "--rps".to_string(),
            detail: format!("at most {MAX_RPS} requests per second, got {}", m.rps),
        });
    }
    // The longest run these flags allow: the latest action, then at most an
    // hour's deadline and the margin (twice over for an undo after completion).
    let span_s = match (m.until_ms, m.rollback) {
        (Some(until), _) => until / 1000 + 1,
        (None, Some(RollbackAt::At(t))) => t / 1000 + 2 * 3720,
        (None, Some(RollbackAt::AfterComplete(t))) => t / 1000 + 2 * 3720,
        (None, None) => 3720,
    };
    if i64::from(m.rps) * span_s > MAX_REQUESTS {
        return Err(RolloutError::OutOfRange {
            what: "--rps".to_string(),
            detail: format!(
                "{} req/s over up to {span_s} s could be more than {MAX_REQUESTS} requests; lower --rps or bound the run with --until",
                m.rps
            ),
        });
    }
    Ok(())
}

fn params(d: &Deployment) -> Result<DeploymentParams, RolloutError> {
    let spec = d.spec.as_ref();
    let replicas = i64::from(spec.and_then(|s| s.replicas).unwrap_or(1));
    if !(0..=MAX_REPLICAS).contains(&replicas) {
        return Err(RolloutError::OutOfRange {
            what: "spec.replicas".to_string(),
            detail: format!(
                "the simulator models every Pod and takes 0 to {MAX_REPLICAS}, got {replicas}"
            ),
        });
    }
    let strategy = spec.and_then(|s| s.strategy.as_ref());
    let kind = match strategy.and_then(|s| s.type_.as_deref()) {
        Some("Recreate") => StrategyKind::Recreate,
        _ => StrategyKind::RollingUpdate,
    };
    let ru = strategy.and_then(|s| s.rolling_update.as_ref());
    let default = || Some(IntOrString::String("25%".to_string()));
    let (max_surge, max_unavailable) = match ru {
        Some(ru) => (ru.max_surge.clone(), ru.max_unavailable.clone()),
        None => (default(), default()),
    };
    for (field, v) in [
        ("spec.strategy.rollingUpdate.maxSurge", &max_surge),
        (
            "spec.strategy.rollingUpdate.maxUnavailable",
            &max_unavailable,
        ),
    ] {
        if let Err(controller::BadIntOrPercent(value)) =
            controller::scaled_value(v.as_ref(), replicas, true)
        {
            return Err(RolloutError::BadIntOrPercent { field, value });
        }
    }
    Ok(DeploymentParams {
        replicas,
        strategy: kind,
        max_surge,
        max_unavailable,
    })
}

/// The Deployment after the update, and the update in words.
fn apply_update(d: &Deployment, u: &Update) -> Result<(Deployment, String), RolloutError> {
    let mut out = d.clone();
    let template = &mut out.spec.get_or_insert_with(Default::default).template;
    match u {
        Update::Restart => {
            template
                .metadata
                .get_or_insert_with(Default::default)
                .annotations
                .get_or_insert_with(Default::default)
                .insert(
                    "kubectl.kubernetes.io/restartedAt".to_string(),
                    "t=0".to_string(),
                );
            Ok((
                out,
                "template change with the same image (like kubectl rollout restart)".to_string(),
            ))
        }
        Update::Image { container, image } => {
            let containers = &mut template
                .spec
                .get_or_insert_with(Default::default)
                .containers;
            if containers.is_empty() {
                return Err(RolloutError::NoContainers);
            }
            let known = containers
                .iter()
                .map(|c| c.name.clone())
                .collect::<Vec<_>>()
                .join(", ");
            let c = match container {
                None => &mut containers[0],
                Some(n) => containers
                    .iter_mut()
                    .find(|c| &c.name == n)
                    .ok_or_else(|| RolloutError::NoSuchContainer {
                        name: n.clone(),
                        known,
                    })?,
            };
            c.image = Some(image.clone());
            let text = format!("image {image} for container {}", c.name);
            Ok((out, text))
        }
        Update::Apply(new) => {
            let (a, b) = (
                d.metadata.name.clone().unwrap_or_default(),
                new.metadata.name.clone().unwrap_or_default(),
            );
            if a != b {
                return Err(RolloutError::DifferentDeployment {
                    original: a,
                    updated: b,
                });
            }
            Ok(((**new).clone(), "the updated Deployment".to_string()))
        }
    }
}

impl Sim<'_> {
    fn push(&mut self, t: i64, e: Event) {
        self.seq += 1;
        self.queue.push(Reverse((t, self.seq, e)));
    }

    fn timing(&self, rs: usize) -> &PodTiming {
        &self.templates[self.rss[rs].template].timing
    }

    /// The Deployment as given, running: one ReplicaSet at revision 1, every
    /// Pod available and in the load balancer.
    fn start(&mut self, replicas: i64) {
        self.rss.push(ReplicaSet {
            name: format!("{}-v1", self.name),
            template: 0,
            revision: 1,
            history: String::new(),
            created: 0,
            pods: Vec::new(),
            ready: 0,
            available: 0,
            terminating: 0,
            deleted: false,
        });
        let long_ago = -3_600_000;
        for _ in 0..replicas {
            let id = self.pods.len() as u32;
            self.pods.push(Pod {
                rs: 0,
                created: long_ago,
                running: long_ago,
                warm: Some(long_ago),
                ready_at: Some(long_ago),
                is_ready: true,
                is_available: true,
                deleted: false,
                stopped: false,
                gone: false,
                lb_pos: Some(self.lb.len()),
                in_flight: VecDeque::new(),
            });
            self.lb.push(id);
            self.rss[0].pods.push(id);
        }
        self.rss[0].ready = replicas;
        self.rss[0].available = replicas;
        self.last_status = self.status();
    }

    fn extend_horizon(&mut self, from: i64) {
        let t = match self.m.until_ms {
            Some(u) => u,
            None => {
                let pds = self
                    .pds
                    .filter(|p| *p != i64::from(i32::MAX))
                    .unwrap_or(3600)
                    .clamp(0, 3600);
                from + pds * 1000 + HORIZON_MARGIN_MS
            }
        };
        if t > self.horizon {
            self.horizon = t;
            self.push(t, Event::Horizon);
        }
    }

    fn run(&mut self) {
        let mut k: i64 = 0; // requests sent so far
        let per_ms = self.m.rps;
        loop {
            let next_event = self
                .queue
                .peek()
                .map(|Reverse((t, _, _))| *t)
                .unwrap_or(i64::MAX);
            let next_request = if per_ms == 0 || k >= MAX_REQUESTS {
                i64::MAX
            } else {
                (i128::from(k) * 1000 / i128::from(per_ms)) as i64
            };
            if next_request < next_event {
                if next_request > self.horizon {
                    self.now = self.horizon;
                    return;
                }
                self.now = next_request;
                self.request();
                k += 1;
                continue;
            }
            if next_event == i64::MAX {
                return;
            }
            self.now = next_event;
            let mut stop = false;
            while let Some(Reverse((t, _, e))) = self.queue.peek().copied() {
                if t != self.now {
                    break;
                }
                self.queue.pop();
                if e == Event::Horizon && t >= self.horizon {
                    stop = true;
                }
                self.handle(e);
            }
            self.sync();
            self.observe();
            if stop || self.done() {
                return;
            }
        }
    }

    fn done(&self) -> bool {
        self.phase == Phase::Finished && self.quiet()
    }

    /// No Pod is still shutting down or warming up, and no endpoint change
    /// is in flight: the traffic has settled, so its failures are all counted.
    fn quiet(&self) -> bool {
        let now = self.now;
        self.rss.iter().all(|r| r.terminating == 0)
            && self
                .rss
                .iter()
                .filter(|r| !r.deleted)
                .flat_map(|r| &r.pods)
                .all(|&id| self.pods[id as usize].warm.is_some_and(|w| w <= now))
            && !self.queue.iter().any(|Reverse((_, _, e))| {
                matches!(e, Event::EndpointAdd(_) | Event::EndpointRemove(_))
            })
    }

    fn handle(&mut self, e: Event) {
        match e {
            Event::Ready(id) => {
                let p = &mut self.pods[id as usize];
                if p.deleted {
                    return;
                }
                p.is_ready = true;
                let rs = p.rs;
                self.rss[rs].ready += 1;
                let t = self.now + self.m.endpoint_lag_ms;
                self.push(t, Event::EndpointAdd(id));
            }
            Event::Available(id) => {
                let p = &mut self.pods[id as usize];
                if p.deleted || !p.is_ready {
                    return;
                }
                p.is_available = true;
                let rs = p.rs;
                self.rss[rs].available += 1;
            }
            Event::EndpointAdd(id) => {
                let p = &mut self.pods[id as usize];
                if p.lb_pos.is_none() {
                    p.lb_pos = Some(self.lb.len());
                    self.lb.push(id);
                }
            }
            Event::EndpointRemove(id) => {
                if let Some(pos) = self.pods[id as usize].lb_pos.take() {
                    self.lb.swap_remove(pos);
                    if let Some(&moved) = self.lb.get(pos) {
                        self.pods[moved as usize].lb_pos = Some(pos);
                    }
                }
            }
            Event::Sigterm(id) => {
                if self.pods[id as usize].gone {
                    return;
                }
                self.pods[id as usize].stopped = true;
                match self.m.sigterm {
                    Sigterm::Exit => self.stop_pod(id, true),
                    Sigterm::Drain => {
                        let now = self.now;
                        let p = &mut self.pods[id as usize];
                        while p.in_flight.front().is_some_and(|&end| end <= now) {
                            p.in_flight.pop_front();
                        }
                        match p.in_flight.back().copied() {
                            Some(last) => self.push(last, Event::Gone(id)),
                            None => self.stop_pod(id, false),
                        }
                    }
                }
            }
            Event::Kill(id) => self.stop_pod(id, true),
            Event::Gone(id) => self.stop_pod(id, true),
            Event::DeadlineCheck | Event::Warm | Event::Horizon => {}
            Event::Rollback => self.undo(),
        }
    }

    /// The Pod's processes end; requests still in flight fail when `kill`.
    fn stop_pod(&mut self, id: u32, kill: bool) {
        let now = self.now;
        let p = &mut self.pods[id as usize];
        if p.gone {
            return;
        }
        p.gone = true;
        p.stopped = true;
        let lost = if kill {
            p.in_flight.iter().filter(|&&end| end > now).count() as u64
        } else {
            0
        };
        p.in_flight = VecDeque::new();
        let rs = p.rs;
        if p.deleted {
            self.rss[rs].terminating -= 1;
        }
        if lost > 0 {
            *self
                .failures
                .entry(FailureReason::InFlightKilled)
                .or_default() += lost;
        }
    }

    fn request(&mut self) {
        self.requests += 1;
        if self.lb.is_empty() {
            *self
                .failures
                .entry(FailureReason::NoReadyEndpoint)
                .or_default() += 1;
            return;
        }
        let id = self.lb[self.rr % self.lb.len()];
        self.rr = self.rr.wrapping_add(1);
        let now = self.now;
        let p = &mut self.pods[id as usize];
        let reason = if p.stopped || now < p.running {
            Some(FailureReason::NotListening)
        } else if p.warm.is_none_or(|w| now < w) {
            Some(FailureReason::AppCold)
        } else {
            while p.in_flight.front().is_some_and(|&end| end <= now) {
                p.in_flight.pop_front();
            }
            p.in_flight.push_back(now + self.m.request_time_ms);
            None
        };
        if let Some(r) = reason {
            *self.failures.entry(r).or_default() += 1;
        }
    }

    fn status(&self) -> StatusCounts {
        let mut s = StatusCounts::default();
        let new = self.find_new();
        for (i, r) in self.rss.iter().enumerate() {
            s.replicas += r.spec();
            s.ready += r.ready;
            s.available += r.available;
            if Some(i) == new {
                s.updated += r.spec();
            }
        }
        s
    }

    /// `FindNewReplicaSet`: the oldest ReplicaSet whose template equals the
    /// Deployment's (templates are interned, so equal ids mean equal
    /// templates ignoring the hash label).
    fn find_new(&self) -> Option<usize> {
        self.rss
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.deleted && r.template == self.dep_template)
            .min_by_key(|(_, r)| r.created)
            .map(|(i, _)| i)
    }

    fn max_old_revision(&self, except: Option<usize>) -> i64 {
        self.rss
            .iter()
            .enumerate()
            .filter(|(i, r)| !r.deleted && Some(*i) != except)
            .map(|(_, r)| r.revision)
            .max()
            .unwrap_or(0)
    }

    /// Resizes a ReplicaSet; its ReplicaSet controller creates or deletes
    /// Pods at once.
    fn scale(&mut self, rs: usize, n: i64) {
        let spec = self.rss[rs].spec();
        if n > spec {
            let startup_timing = self.timing(rs).clone();
            for _ in spec..n {
                let id = self.pods.len() as u32;
                let s = startup_timing.startup(self.now, self.m);
                self.pods.push(Pod {
                    rs,
                    created: self.now,
                    running: s.running,
                    warm: s.warm,
                    ready_at: s.ready,
                    is_ready: false,
                    is_available: false,
                    deleted: false,
                    stopped: false,
                    gone: false,
                    lb_pos: None,
                    in_flight: VecDeque::new(),
                });
                self.rss[rs].pods.push(id);
                if let Some(r) = s.ready {
                    self.push(r, Event::Ready(id));
                    self.push(r + self.min_ready_ms, Event::Available(id));
                }
                // Ready before warm (no readiness probe): look again once warm.
                if let (Some(w), Some(r)) = (s.warm, s.ready) {
                    if w > r {
                        self.push(w, Event::Warm);
                    }
                }
            }
        } else if n < spec {
            let victims = self.pods_to_delete(rs, (spec - n) as usize);
            for id in victims {
                self.delete_pod(id);
            }
        }
        let total: i64 = self.rss.iter().map(ReplicaSet::spec).sum();
        self.max_pods = self.max_pods.max(total);
    }

    /// The ReplicaSet controller's deletion order (`ActivePodsWithRanks`):
    /// not running before running, not Ready before Ready, Ready more
    /// recently before longer, newer before older.
    fn pods_to_delete(&mut self, rs: usize, n: usize) -> Vec<u32> {
        let now = self.now;
        let pods = &self.pods;
        let key = |id: &u32| {
            let p = &pods[*id as usize];
            (
                now >= p.running,
                p.is_ready,
                Reverse(if p.is_ready { p.ready_at } else { None }),
                Reverse(p.created),
                Reverse(*id),
            )
        };
        let list = &mut self.rss[rs].pods;
        list.sort_by_key(key);
        let victims: Vec<u32> = list.drain(..n.min(list.len())).collect();
        victims
    }

    fn delete_pod(&mut self, id: u32) {
        let now = self.now;
        let p = &mut self.pods[id as usize];
        p.deleted = true;
        let rs = p.rs;
        let (was_ready, was_available, running) = (p.is_ready, p.is_available, now >= p.running);
        let r = &mut self.rss[rs];
        r.terminating += 1;
        if was_ready {
            r.ready -= 1;
        }
        if was_available {
            r.available -= 1;
        }
        if was_ready {
            self.push(now + self.m.endpoint_lag_ms, Event::EndpointRemove(id));
        }
        if !running {
            self.stop_pod(id, true);
            return;
        }
        let (pre_stop, grace) = {
            let t = self.timing(rs);
            (t.pre_stop_ms, t.grace_ms)
        };
        if pre_stop < grace {
            self.push(now + pre_stop, Event::Sigterm(id));
            self.push(now + grace, Event::Kill(id));
        } else {
            self.push(
                now + grace + PRE_STOP_EXTENSION_MS.min(pre_stop - grace),
                Event::Kill(id),
            );
        }
    }

    fn record_step(&mut self, new: Option<usize>) {
        let (mut old, mut old_available, mut n, mut n_available) = (0, 0, 0, 0);
        for (i, r) in self.rss.iter().enumerate() {
            if Some(i) == new {
                n += r.spec();
                n_available += r.available;
            } else {
                old += r.spec();
                old_available += r.available;
            }
        }
        self.steps.push(Step {
            t_ms: self.now,
            old,
            new: n,
            old_available,
            new_available: n_available,
        });
        self.min_available = self.min_available.min(old_available + n_available);
    }

    fn sync(&mut self) {
        for _ in 0..MAX_SYNCS_PER_INSTANT {
            let changed = match self.d.strategy {
                StrategyKind::RollingUpdate => self.sync_rolling(),
                StrategyKind::Recreate => self.sync_recreate(),
            };
            if !changed {
                break;
            }
        }
        self.sync_status();
    }

    /// Finds the new ReplicaSet, bringing its revision up to date; with
    /// `create`, makes one of `size(total_spec)` Pods when none exists.
    fn new_replica_set(&mut self, create: Option<i64>) -> (Option<usize>, bool) {
        if let Some(i) = self.find_new() {
            let max = self.max_old_revision(Some(i));
            if self.rss[i].revision < max + 1 {
                let old = self.rss[i].revision.to_string();
                let r = &mut self.rss[i];
                r.history =
                    controller::append_revision_history(&r.history, &old, MAX_REV_HISTORY_CHARS);
                r.revision = max + 1;
                // FoundNewReplicaSet
                self.reason = ProgressReason::Progressing;
                self.last_update = self.now;
                self.schedule_deadline_check();
            }
            return (Some(i), false);
        }
        let Some(size) = create else {
            return (None, false);
        };
        let revision = self.max_old_revision(None) + 1;
        let template = self.dep_template;
        self.rss.push(ReplicaSet {
            name: format!("{}-v{}", self.name, template + 1),
            template,
            revision,
            history: String::new(),
            created: self.rss.len() as u64,
            pods: Vec::new(),
            ready: 0,
            available: 0,
            terminating: 0,
            deleted: false,
        });
        let i = self.rss.len() - 1;
        self.scale(i, size);
        // NewReplicaSetCreated
        self.reason = ProgressReason::Progressing;
        self.last_update = self.now;
        self.schedule_deadline_check();
        self.record_step(Some(i));
        (Some(i), true)
    }

    fn total_spec(&self) -> i64 {
        self.rss.iter().map(ReplicaSet::spec).sum()
    }

    fn sync_rolling(&mut self) -> bool {
        let size = self
            .d
            .new_rs_new_replicas(self.total_spec(), 0)
            .unwrap_or(0);
        let (new, created) = self.new_replica_set(Some(size));
        let Some(new) = new else { return false };
        if created {
            return true;
        }
        if let Some(n) = controller::reconcile_new(&self.d, self.total_spec(), self.rss[new].spec())
        {
            self.scale(new, n);
            self.record_step(Some(new));
            return true;
        }
        let old = self.active_old(new);
        let counts: Vec<RsCounts> = old
            .iter()
            .map(|&i| RsCounts {
                spec: self.rss[i].spec(),
                available: self.rss[i].available,
            })
            .collect();
        let new_counts = RsCounts {
            spec: self.rss[new].spec(),
            available: self.rss[new].available,
        };
        if let Some(sizes) = controller::reconcile_old(&self.d, &counts, &new_counts) {
            for (&i, &n) in old.iter().zip(&sizes) {
                if n != self.rss[i].spec() {
                    self.scale(i, n);
                }
            }
            self.record_step(Some(new));
            return true;
        }
        false
    }

    fn sync_recreate(&mut self) -> bool {
        let (new, _) = self.new_replica_set(None);
        let old = self.active_old(new.unwrap_or(usize::MAX));
        if !old.is_empty() {
            for i in old {
                self.scale(i, 0);
            }
            self.record_step(new);
            return true;
        }
        let old_running = self
            .rss
            .iter()
            .enumerate()
            .any(|(i, r)| Some(i) != new && (r.terminating > 0 || r.spec() > 0));
        if old_running {
            return false;
        }
        let replicas = self.d.replicas;
        match new {
            None => {
                self.new_replica_set(Some(replicas));
                true
            }
            Some(i) if self.rss[i].spec() != replicas => {
                self.scale(i, replicas);
                self.record_step(Some(i));
                true
            }
            Some(_) => false,
        }
    }

    /// Old ReplicaSets with Pods, oldest first.
    fn active_old(&self, new: usize) -> Vec<usize> {
        let mut v: Vec<usize> = (0..self.rss.len())
            .filter(|&i| i != new && !self.rss[i].deleted && self.rss[i].spec() > 0)
            .collect();
        v.sort_by(|&a, &b| {
            self.rss[a]
                .created
                .cmp(&self.rss[b].created)
                .then_with(|| self.rss[a].name.cmp(&self.rss[b].name))
        });
        v
    }

    /// The Progressing condition was refreshed: a rollout that makes
    /// progress is not stalled, so the horizon moves too.
    fn schedule_deadline_check(&mut self) {
        self.extend_horizon(self.last_update);
    }

    /// `syncRolloutStatus`: complete, else progressing, else timed out; and
    /// the run's own bookkeeping (completion times, cleanup, the undo after
    /// completion).
    fn sync_status(&mut self) {
        let s = self.status();
        let complete = controller::deployment_complete(self.d.replicas, &s);
        if complete {
            self.reason = ProgressReason::NewReplicaSetAvailable;
            self.cleanup();
        } else if controller::deployment_progressing(&self.last_status, &s) {
            self.reason = ProgressReason::Progressing;
            self.last_update = self.now;
            self.schedule_deadline_check();
        } else if controller::timed_out(
            self.reason,
            self.last_update.max(0) as u64,
            self.pds,
            self.now.max(0) as u64,
        ) {
            if self.reason != ProgressReason::DeadlineExceeded && self.exceeded_at.is_none() {
                self.exceeded_at = Some(self.now);
            }
            self.reason = ProgressReason::DeadlineExceeded;
        }
        self.last_status = s;
        if !complete {
            // `requeueStuckDeployment`: look again when the deadline may have passed.
            if let Some(after) = controller::requeue_after(
                Some(self.reason),
                false,
                self.last_update,
                self.pds,
                self.now,
            ) {
                let t = controller::requeue_at(self.now, after);
                self.push(t, Event::DeadlineCheck);
            }
            return;
        }
        match self.phase {
            Phase::Updating => {
                self.duration = Some(self.now);
                self.phase = Phase::Updated;
                match self.m.rollback {
                    None => self.phase = Phase::Finished,
                    Some(RollbackAt::AfterComplete(after)) => {
                        let t = self.now + after;
                        self.push(t, Event::Rollback);
                        self.extend_horizon(t);
                    }
                    // An undo that already ran and found nothing to do.
                    Some(RollbackAt::At(_)) if self.rollback_note.is_some() => {
                        self.phase = Phase::Finished
                    }
                    Some(RollbackAt::At(_)) => {}
                }
            }
            Phase::RollingBack => {
                self.rollback = self.rollback_started.map(|t| self.now - t);
                self.phase = Phase::Finished;
            }
            _ => {}
        }
    }

    /// `cleanupDeployment`, run when the Deployment is complete.
    fn cleanup(&mut self) {
        let new = self.find_new();
        let old: Vec<usize> = (0..self.rss.len())
            .filter(|&i| Some(i) != new && !self.rss[i].deleted)
            .collect();
        let inputs: Vec<controller::CleanupInput> = old
            .iter()
            .map(|&i| {
                let r = &self.rss[i];
                controller::CleanupInput {
                    revision: Some(r.revision),
                    created: r.created,
                    name: r.name.clone(),
                    spec: r.spec(),
                    status_replicas: r.spec(),
                    observed: true,
                }
            })
            .collect();
        for k in controller::cleanup_deployment(&inputs, self.history_limit) {
            self.rss[old[k]].deleted = true;
        }
    }

    /// `kubectl rollout undo`: the previous revision's template comes back.
    fn undo(&mut self) {
        if self.rollback_started.is_some() || self.rollback_note.is_some() {
            return;
        }
        let revisions: Vec<i64> = self
            .rss
            .iter()
            .filter(|r| !r.deleted)
            .map(|r| r.revision)
            .collect();
        let target = controller::last_revision(&revisions);
        let found = self
            .rss
            .iter()
            .find(|r| !r.deleted && r.revision == target && target > 0);
        let Some(rs) = found else {
            self.rollback_note = Some(
                "no previous revision to roll back to (DeploymentRollbackRevisionNotFound)"
                    .to_string(),
            );
            if self.phase == Phase::Updated {
                self.phase = Phase::Finished;
            }
            return;
        };
        if rs.template == self.dep_template
            || equal_ignore_hash(
                &self.templates[rs.template].spec,
                &self.templates[self.dep_template].spec,
            )
        {
            self.rollback_note = Some(
                "the previous revision has the same template (DeploymentRollbackTemplateUnchanged)"
                    .to_string(),
            );
            if self.phase == Phase::Updated {
                self.phase = Phase::Finished;
            }
            return;
        }
        self.dep_template = rs.template;
        self.rollback_started = Some(self.now);
        self.phase = Phase::RollingBack;
        self.reason = ProgressReason::Progressing;
        self.last_update = self.now;
        self.extend_horizon(self.now);
    }

    /// Records the moment's availability, Pod count and the timeline frame.
    fn observe(&mut self) {
        let mut frame = Frame {
            t_ms: self.now,
            old: PodCounts::default(),
            new: PodCounts::default(),
        };
        let mut available = 0;
        let mut pods = 0;
        for r in &self.rss {
            let c = if self.templates[r.template].updated {
                &mut frame.new
            } else {
                &mut frame.old
            };
            c.available += r.available;
            c.ready += r.ready - r.available;
            c.starting += r.spec() - r.ready;
            c.terminating += r.terminating;
            available += r.available;
            pods += r.spec();
        }
        self.min_available = self.min_available.min(available);
        self.max_pods = self.max_pods.max(pods);
        // One frame per instant (the last state of it), and only on change.
        if self.timeline.last().is_some_and(|f| f.t_ms == frame.t_ms) {
            self.timeline.pop();
        }
        let same = self
            .timeline
            .last()
            .is_some_and(|f| f.old == frame.old && f.new == frame.new);
        if !same {
            self.timeline.push(frame);
        }
    }
}
