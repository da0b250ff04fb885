//! The simulation loop: one-second traffic ticks, an HPA sync every
//! `sync_ms`, CronJob runs and node arrivals as they fall due.
//!
//! Pods live in cohorts (all Pods created by one scale-up share their
//! timeline), so cost grows with the number of scale events, not replicas;
//! cohorts that have served for a full metric window merge into one.
//! The Pod lifecycle is this module's own small model (the rollout simulator
//! has its own with the same flags): scheduled → container running after
//! `pod_start` → app warm after `app_warmup` → Ready at the first readiness
//! probe that finds it warm (without a probe, Ready when running, and
//! requests reaching a cold app fail).

use std::collections::VecDeque;

use chrono::{TimeZone, Utc};

use super::calculator::{self, CalculatorConfig, Phase, PodGroup, ReadyCondition, Sample};
use super::controller::{Autoscaler, Limit};
use super::cron::Action;
use super::{
    Actor, Dropped, Event, HpaError, HpaInput, HpaReport, ProbeTiming, SimOptions, SyncPoint,
};

const TICK_MS: i64 = 1000;
/// Pods that were running long before the simulation starts.
const LONG_AGO_MS: i64 = -3_600_000;

#[derive(Debug, Clone, Copy)]
struct Cohort {
    count: i64,
    created_ms: i64,
    /// None while no node has room.
    scheduled_ms: Option<i64>,
}

#[derive(Debug, Clone, Copy)]
struct Timeline {
    running: i64,
    ready: i64,
    /// Ready and warm: serves requests successfully.
    serving: i64,
}

fn timeline(scheduled: i64, o: &SimOptions, probe: Option<ProbeTiming>) -> Timeline {
    let running = scheduled.saturating_add(o.pod_start_ms);
    let warm = running.saturating_add(o.app_warmup_ms);
    let ready = match probe {
        None => running,
        Some(p) => p.ready_at(running, warm),
    };
    Timeline {
        running,
        ready,
        serving: ready.max(warm),
    }
}

fn validate(o: &SimOptions) -> Result<(), HpaError> {
    let bad = |m: &str| Err(HpaError::Options(m.to_string()));
    if !(o.pod_capacity_rps.is_finite() && o.pod_capacity_rps > 0.0) {
        return bad("--pod-capacity must be a positive number of requests per second");
    }
    if o.request_timeout_ms < TICK_MS {
        return bad("--request-timeout must be at least 1s");
    }
    if o.pod_start_ms < 0
        || o.app_warmup_ms < 0
        || o.pod_start_ms > 86_400_000
        || o.app_warmup_ms > 86_400_000
    {
        return bad("--pod-start and --app-warmup must be between 0s and 24h");
    }
    if o.sync_ms < TICK_MS
        || o.sync_ms % TICK_MS != 0
        || o.metric_window_ms < TICK_MS
        || o.metric_window_ms % TICK_MS != 0
    {
        return bad("the sync period and metric window must be whole seconds");
    }
    if let Some(n) = o.nodes {
        if n.pods_per_node < 1 || n.nodes < 0 || n.buffer_nodes < 0 || n.provision_ms < 0 {
            return bad("--pods-per-node must be at least 1; --nodes, --buffer-nodes and --node-provision must not be negative");
        }
        if n.nodes > 1_000_000 || n.pods_per_node > 10_000 || n.buffer_nodes > 1_000_000 {
            return bad("--nodes, --buffer-nodes (at most 1000000) or --pods-per-node (at most 10000) is too large");
        }
    }
    if o.duration_ms
        .is_some_and(|d| d <= 0 || d > super::profile::MAX_DURATION_MS)
    {
        return bad("--duration must be within 1s..7d");
    }
    Ok(())
}

/// Runs the simulation.
pub fn simulate(input: &HpaInput) -> Result<HpaReport, HpaError> {
    let o = &input.options;
    validate(o)?;
    let w = &input.workload;
    let h = &input.hpa;
    let probe = w.readiness;
    let duration = o
        .duration_ms
        .unwrap_or_else(|| o.traffic.duration_ms())
        .max(TICK_MS);
    let cap = o.pod_capacity_rps;
    let cfg = CalculatorConfig::default();
    let window_ticks = (o.metric_window_ms / TICK_MS) as usize;

    let mut autoscaler = Autoscaler::new(h.min, h.max, h.behavior.clone());
    autoscaler.scale_up_factor = o.scale_up_factor;
    let mut replicas: i32 = w.replicas;
    let mut events: Vec<Event> = Vec::new();
    let mut series: Vec<SyncPoint> = Vec::new();

    // Nodes.
    let per_node = o.nodes.map_or(i64::MAX, |n| n.pods_per_node);
    let mut nodes = o.nodes.map_or(0, |n| n.nodes);
    let mut arriving: VecDeque<(i64, i64)> = VecDeque::new();
    let slots = |nodes: i64| {
        if o.nodes.is_some() {
            nodes.saturating_mul(per_node)
        } else {
            i64::MAX
        }
    };

    // Initial Pods: running long before t = 0, as many as fit.
    let initial = i64::from(replicas);
    let fit = initial.min(slots(nodes));
    let mut cohorts: Vec<Cohort> = Vec::new();
    if fit > 0 {
        cohorts.push(Cohort {
            count: fit,
            created_ms: LONG_AGO_MS,
            scheduled_ms: Some(LONG_AGO_MS),
        });
    }
    if initial > fit {
        cohorts.push(Cohort {
            count: initial - fit,
            created_ms: 0,
            scheduled_ms: None,
        });
    }

    // CronJob runs: (time, job index) in time order, each at firing + Pod start.
    let start_utc = o
        .time_zone
        .from_local_datetime(&o.clock)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| {
            HpaError::Options(format!(
                "--clock {} does not exist in {}",
                o.clock, o.time_zone
            ))
        })?;
    let end_utc = start_utc + chrono::Duration::milliseconds(duration);
    let mut runs: Vec<(i64, usize)> = Vec::new();
    let mut not_understood = Vec::new();
    for (i, job) in input.jobs.iter().enumerate() {
        for cmd in &job.not_understood {
            not_understood.push(format!("CronJob {}: {cmd}", job.name));
        }
        for at in job.firings(
            start_utc - chrono::Duration::milliseconds(o.pod_start_ms),
            end_utc,
        ) {
            let t = (at - start_utc).num_milliseconds() + o.pod_start_ms;
            if (0..duration).contains(&t) {
                runs.push((t, i));
            }
        }
    }
    runs.sort();
    let mut next_run = 0;

    // Load history: the load one serving Pod carried in each tick (req/s),
    // with the window before t = 0 filled with the starting load.
    let initial_serving = cohorts
        .iter()
        .filter(|c| c.scheduled_ms.is_some())
        .map(|c| c.count)
        .sum::<i64>();
    let initial_load = if initial_serving > 0 {
        (o.traffic.rate_at(0) / initial_serving as f64).min(cap)
    } else {
        0.0
    };
    let mut load: Vec<f64> = vec![initial_load; window_ticks];
    let history_offset = window_ticks as i64; // load[tick + offset]

    let mut queue: VecDeque<(i64, f64)> = VecDeque::new();
    let mut dropped = Dropped::default();
    let mut dropped_since_sync = 0.0;
    let mut requests_total = 0.0;
    let mut dropping = false;
    let mut max_replicas = replicas;
    let demand0 = o.traffic.rate_at(0);
    let peak = o.traffic.peak();
    let mut rise: Option<i64> = None;
    let mut time_to_capacity: Option<i64> = None;
    let mut last_error: Option<String> = None;

    let mut t = 0;
    while t < duration {
        // Nodes that finished provisioning.
        while arriving.front().is_some_and(|&(at, _)| at <= t) {
            if let Some((_, n)) = arriving.pop_front() {
                nodes += n;
                events.push(Event {
                    t_ms: t,
                    actor: Actor::Nodes,
                    message: format!("{n} node(s) joined ({nodes} nodes)"),
                });
            }
        }
        // CronJob runs due now.
        while next_run < runs.len() && runs[next_run].0 <= t {
            let job = &input.jobs[runs[next_run].1];
            for action in &job.actions {
                let message = match action {
                    Action::Scale { deployment, replicas: n } if *deployment == w.name => {
                        let before = replicas;
                        replicas = *n;
                        format!("kubectl scale → {n} replicas (was {before})")
                    }
                    Action::Scale { deployment, .. } => format!("kubectl scale deployment/{deployment}: not the HPA's target, no effect here"),
                    Action::PatchHpa { hpa, min, max } if *hpa == h.name => {
                        let mut parts = Vec::new();
                        if let Some(m) = min {
                            autoscaler.min = *m;
                            parts.push(format!("minReplicas {m}"));
                        }
                        if let Some(m) = max {
                            autoscaler.max = *m;
                            parts.push(format!("maxReplicas {m}"));
                        }
                        format!("kubectl patch hpa → {}", parts.join(", "))
                    }
                    Action::PatchHpa { hpa, .. } => format!("kubectl patch hpa {hpa}: not the simulated HPA, no effect here"),
                };
                events.push(Event {
                    t_ms: t,
                    actor: Actor::CronJob(job.name.clone()),
                    message,
                });
            }
            if job.actions.is_empty() {
                events.push(Event {
                    t_ms: t,
                    actor: Actor::CronJob(job.name.clone()),
                    message: "ran, but no command it runs is understood; nothing changes".into(),
                });
            }
            next_run += 1;
        }

        // The HPA.
        let mut sync: Option<(i32, Option<i32>, Option<i32>)> = None;
        if t % o.sync_ms == 0 {
            let current = replicas;
            let groups: Vec<PodGroup> = cohorts
                .iter()
                .map(|c| {
                    pod_group(
                        c,
                        t,
                        o,
                        probe,
                        w.cpu_request_milli,
                        &load,
                        history_offset,
                        window_ticks,
                        cap,
                    )
                })
                .collect();
            let mut util = None;
            let result = autoscaler.reconcile(current, t, || {
                calculator::resource_replicas(
                    current,
                    h.target_utilization,
                    &groups,
                    h.tolerances,
                    &cfg,
                    t,
                )
                .map(|p| {
                    util = Some(p.utilization);
                    p.replicas
                })
            });
            match result {
                Ok(d) => {
                    last_error = None;
                    if d.rescale {
                        let why = match (d.proposal, util) {
                            (None, _) if d.limit == Limit::TooFewReplicas => {
                                format!("below minReplicas {}", autoscaler.min)
                            }
                            (None, _) => format!("above maxReplicas {}", autoscaler.max),
                            (Some(_), Some(u)) => format!(
                                "desired {} (utilisation {u}% vs target {}%)",
                                d.desired, h.target_utilization
                            ),
                            (Some(_), None) => format!("desired {}", d.desired),
                        };
                        let held = match d.proposal {
                            Some(p) if p != d.desired => format!(
                                "; metrics proposed {p}, {}",
                                limit_words(d.limit, &autoscaler)
                            ),
                            _ => String::new(),
                        };
                        events.push(Event {
                            t_ms: t,
                            actor: Actor::Hpa,
                            message: format!("{why} → scaled {current} → {}{held}", d.desired),
                        });
                        replicas = d.desired;
                    } else if d.disabled && t == 0 {
                        events.push(Event { t_ms: t, actor: Actor::Hpa, message: "the Deployment has 0 replicas: autoscaling is disabled (ScalingDisabled)".into() });
                    }
                    sync = Some((
                        if d.disabled { current } else { d.desired },
                        d.proposal,
                        util,
                    ));
                }
                Err(e) => {
                    let m = e.to_string();
                    if last_error.as_deref() != Some(m.as_str()) {
                        events.push(Event {
                            t_ms: t,
                            actor: Actor::Hpa,
                            message: format!("cannot compute a recommendation: {m}; no scaling"),
                        });
                        last_error = Some(m);
                    }
                    sync = Some((current, None, None));
                }
            }
        }

        // The ReplicaSet controller follows spec.replicas at once.
        reconcile_pods(
            &mut cohorts,
            i64::from(replicas),
            t,
            o,
            probe,
            o.nodes.is_some(),
        );
        max_replicas = max_replicas.max(replicas);

        // Scheduling and the cluster autoscaler.
        if let Some(n) = o.nodes {
            let mut free = slots(nodes)
                - cohorts
                    .iter()
                    .filter(|c| c.scheduled_ms.is_some())
                    .map(|c| c.count)
                    .sum::<i64>();
            schedule(&mut cohorts, &mut free, t);
            let total: i64 = cohorts.iter().map(|c| c.count).sum();
            let pending: i64 = cohorts
                .iter()
                .filter(|c| c.scheduled_ms.is_none())
                .map(|c| c.count)
                .sum();
            let in_flight: i64 = arriving.iter().map(|a| a.1).sum();
            let needed = (total + per_node - 1) / per_node + n.buffer_nodes;
            if (pending > 0 || n.buffer_nodes > 0) && nodes + in_flight < needed {
                let add = needed - nodes - in_flight;
                let at = t + n.provision_ms;
                arriving.push_back((at, add));
                events.push(Event {
                    t_ms: t,
                    actor: Actor::Nodes,
                    message: if pending > 0 {
                        format!("cluster autoscaler adds {add} node(s) for {pending} pending Pod(s); they join in {}s", n.provision_ms / 1000)
                    } else {
                        format!("{add} node(s) added to keep {} buffer node(s) warm; they join in {}s", n.buffer_nodes, n.provision_ms / 1000)
                    },
                });
            }
        }

        // Traffic for [t, t + 1 s).
        let demand = o.traffic.rate_at(t + TICK_MS / 2);
        let arrivals = demand * (TICK_MS as f64 / 1000.0);
        requests_total += arrivals;
        let (ready, serving) = counts(&cohorts, t, o, probe);
        let mut tick_dropped = 0.0;
        let mut per_pod = 0.0;
        if ready == 0 {
            dropped.no_endpoint += arrivals;
            tick_dropped += arrivals;
        } else {
            let cold = arrivals * (ready - serving) as f64 / ready as f64;
            dropped.cold += cold;
            tick_dropped += cold;
            queue.push_back((t, arrivals - cold));
        }
        let mut capacity = serving as f64 * cap * (TICK_MS as f64 / 1000.0);
        let capacity_total = capacity;
        while capacity > 0.0 {
            let Some(front) = queue.front_mut() else {
                break;
            };
            if front.1 <= capacity {
                capacity -= front.1;
                queue.pop_front();
            } else {
                front.1 -= capacity;
                capacity = 0.0;
            }
        }
        let served = capacity_total - capacity;
        if serving > 0 {
            per_pod = served / serving as f64 / (TICK_MS as f64 / 1000.0);
        }
        while queue
            .front()
            .is_some_and(|&(a, _)| a + o.request_timeout_ms <= t + TICK_MS)
        {
            if let Some((_, n)) = queue.pop_front() {
                dropped.timed_out += n;
                tick_dropped += n;
            }
        }
        load.push(per_pod);
        dropped_since_sync += tick_dropped;
        if tick_dropped > 0.5 && !dropping {
            dropping = true;
            events.push(Event { t_ms: t, actor: Actor::Traffic, message: format!("requests start failing: {demand:.0} req/s against {:.0} req/s of ready capacity", serving as f64 * cap) });
        } else if tick_dropped <= 0.5 && dropping && queue.is_empty() {
            dropping = false;
            events.push(Event {
                t_ms: t,
                actor: Actor::Traffic,
                message: "requests stop failing".into(),
            });
        }
        if rise.is_none() && demand > demand0 * 1.0001 + 1e-9 {
            rise = Some(t);
            events.push(Event {
                t_ms: t,
                actor: Actor::Traffic,
                message: format!(
                    "demand starts rising from {demand0:.0} req/s (peak {peak:.0} req/s)"
                ),
            });
        }
        if time_to_capacity.is_none() {
            if let Some(r) = rise {
                if serving as f64 * cap >= peak {
                    time_to_capacity = Some(t - r);
                    events.push(Event {
                        t_ms: t,
                        actor: Actor::Traffic,
                        message: format!(
                            "ready capacity {:.0} req/s covers the peak of {peak:.0} req/s",
                            serving as f64 * cap
                        ),
                    });
                }
            }
        }

        if let Some((desired, proposal, utilization)) = sync {
            let period_s = if t == 0 {
                1.0
            } else {
                o.sync_ms as f64 / 1000.0
            };
            series.push(SyncPoint {
                t_ms: t,
                demand_rps: demand,
                desired,
                proposal,
                replicas,
                ready,
                capacity_rps: serving as f64 * cap,
                dropped_rps: dropped_since_sync / period_s,
                utilization,
                min_replicas: autoscaler.min,
            });
            dropped_since_sync = 0.0;
        }

        merge_veterans(&mut cohorts, t, o, probe);
        t += TICK_MS;
    }
    // A profile with no rise: time to capacity counts from t = 0.
    if rise.is_none() {
        time_to_capacity = None;
    }

    Ok(HpaReport {
        hpa: h.name.clone(),
        deployment: w.name.clone(),
        target_utilization: h.target_utilization,
        legacy: h.behavior.is_none(),
        clock: o.clock,
        series,
        events,
        requests_total,
        dropped,
        time_to_capacity_ms: time_to_capacity,
        max_replicas,
        peak_demand_rps: peak,
        not_understood,
    })
}

fn limit_words(limit: Limit, a: &Autoscaler) -> String {
    match limit {
        Limit::ScaleUpLimit => "held by the scale-up limit".into(),
        Limit::ScaleDownLimit => "held by the scale-down policy".into(),
        Limit::TooFewReplicas => format!("raised to minReplicas {}", a.min),
        Limit::TooManyReplicas => format!("capped at maxReplicas {}", a.max),
        Limit::DesiredWithinRange => "held by the stabilisation window".into(),
    }
}

/// Ready Pods and ready-and-warm Pods at `t`.
fn counts(cohorts: &[Cohort], t: i64, o: &SimOptions, probe: Option<ProbeTiming>) -> (i64, i64) {
    let mut ready = 0;
    let mut serving = 0;
    for c in cohorts {
        if let Some(s) = c.scheduled_ms {
            let tl = timeline(s, o, probe);
            if tl.ready <= t {
                ready += c.count;
            }
            if tl.serving <= t {
                serving += c.count;
            }
        }
    }
    (ready, serving)
}

#[allow(clippy::too_many_arguments)]
fn pod_group(
    c: &Cohort,
    t: i64,
    o: &SimOptions,
    probe: Option<ProbeTiming>,
    request_milli: i64,
    load: &[f64],
    offset: i64,
    window_ticks: usize,
    cap: f64,
) -> PodGroup {
    let pending = PodGroup {
        count: c.count,
        phase: Phase::Pending,
        deleting: false,
        start_ms: c.scheduled_ms,
        ready: None,
        sample: None,
        request_milli,
    };
    let Some(s) = c.scheduled_ms else {
        return pending;
    };
    let tl = timeline(s, o, probe);
    if t < tl.running {
        return pending;
    }
    let ready = if tl.ready <= t {
        ReadyCondition {
            ready: true,
            since_ms: tl.ready,
        }
    } else {
        ReadyCondition {
            ready: false,
            since_ms: tl.running,
        }
    };
    let sample = (tl.running + o.metric_window_ms <= t).then(|| {
        let first_tick = t / TICK_MS - window_ticks as i64;
        let mut sum = 0.0;
        for k in 0..window_ticks as i64 {
            let tick = first_tick + k;
            let idx = tick + offset;
            if tl.serving <= tick * TICK_MS && idx >= 0 {
                sum += load.get(idx as usize).copied().unwrap_or(0.0);
            }
        }
        let avg = sum / window_ticks as f64;
        Sample {
            usage_milli: (avg / cap * request_milli as f64).floor() as i64,
            at_ms: t,
            window_ms: o.metric_window_ms,
        }
    });
    PodGroup {
        phase: Phase::Running,
        ready: Some(ready),
        sample,
        ..pending
    }
}

/// Deletion order of the ReplicaSet controller: unscheduled, then pending,
/// then not ready, then ready; newer before older within each.
fn reconcile_pods(
    cohorts: &mut Vec<Cohort>,
    want: i64,
    t: i64,
    o: &SimOptions,
    probe: Option<ProbeTiming>,
    nodes: bool,
) {
    let have: i64 = cohorts.iter().map(|c| c.count).sum();
    if want > have {
        cohorts.push(Cohort {
            count: want - have,
            created_ms: t,
            scheduled_ms: if nodes { None } else { Some(t) },
        });
    } else if want < have {
        let rank = |c: &Cohort| -> u8 {
            match c.scheduled_ms {
                None => 0,
                Some(s) => {
                    let tl = timeline(s, o, probe);
                    if t < tl.running {
                        1
                    } else if t < tl.ready {
                        2
                    } else {
                        3
                    }
                }
            }
        };
        let mut order: Vec<usize> = (0..cohorts.len()).collect();
        order.sort_by_key(|&i| (rank(&cohorts[i]), std::cmp::Reverse(cohorts[i].created_ms)));
        let mut excess = have - want;
        for i in order {
            if excess == 0 {
                break;
            }
            let take = excess.min(cohorts[i].count);
            cohorts[i].count -= take;
            excess -= take;
        }
        cohorts.retain(|c| c.count > 0);
    }
}

/// Binds unscheduled Pods, oldest first, to free slots.
fn schedule(cohorts: &mut Vec<Cohort>, free: &mut i64, t: i64) {
    let mut split = Vec::new();
    for c in cohorts.iter_mut().filter(|c| c.scheduled_ms.is_none()) {
        if *free <= 0 {
            break;
        }
        let take = c.count.min(*free);
        *free -= take;
        if take == c.count {
            c.scheduled_ms = Some(t);
        } else {
            c.count -= take;
            split.push(Cohort {
                count: take,
                created_ms: c.created_ms,
                scheduled_ms: Some(t),
            });
        }
    }
    cohorts.extend(split);
    cohorts.sort_by_key(|c| (c.created_ms, c.scheduled_ms.unwrap_or(i64::MAX)));
}

/// Cohorts that have served for a whole window behave identically from now
/// on; merging them keeps the cost bounded by recent scale events.
fn merge_veterans(cohorts: &mut Vec<Cohort>, t: i64, o: &SimOptions, probe: Option<ProbeTiming>) {
    let settled = |c: &Cohort| {
        c.scheduled_ms.is_some_and(|s| {
            let tl = timeline(s, o, probe);
            tl.serving + o.metric_window_ms + calculator::CPU_INITIALIZATION_PERIOD_MS <= t
        })
    };
    let n = cohorts.iter().filter(|c| settled(c)).count();
    if n < 2 {
        return;
    }
    let mut merged: Option<Cohort> = None;
    cohorts.retain(|c| {
        if settled(c) {
            merged = Some(match merged {
                None => *c,
                Some(m) => Cohort {
                    count: m.count + c.count,
                    created_ms: m.created_ms.min(c.created_ms),
                    scheduled_ms: m.scheduled_ms.min(c.scheduled_ms),
                },
            });
            false
        } else {
            true
        }
    });
    if let Some(m) = merged {
        cohorts.insert(0, m);
    }
}
