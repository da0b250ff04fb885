//! Running a scenario: the pack's scenario data turned into requirements,
//! the scenario's simulation run on the candidate's manifests, and what each
//! requirement measures collected into [`Measurements`]. `kubeprep check
//! --scenario` and the interview both come through here, so a manifest is
//! judged the same way wherever it is written.
//!
//! Not for: judging a measurement against its requirement
//! ([`super::requirement::evaluate`]) or rendering.

use kubeprep_bank::scenario::{parse_measure, Measure as BankMeasure};
use kubeprep_bank::Scenario;

use super::requirement::{
    evaluate, CanI, Comparison, Measure, Measurements, Requirement, RequirementResult,
};
use kubeprep_bank::schema::{HpaSimulation, RolloutSimulation};

use crate::hpa;
use crate::manifest::{Object, Parsed};
use crate::rbac::{self, Attributes, Policy, UserInfo};
use crate::rollout::{self, RollbackAt, Update};

/// The scenario's requirements in the simulator's terms. Fails only on a
/// measure the pack validator would have refused.
pub fn requirements(s: &Scenario) -> Result<Vec<Requirement>, String> {
    s.requirements
        .iter()
        .map(|r| {
            let measure = match parse_measure(&r.measure)
                .map_err(|e| format!("scenario {}: requirement {}: {e}", s.id, r.id))?
            {
                BankMeasure::Metric {
                    metric,
                    timing,
                    op,
                    value,
                } => Measure::Metric {
                    metric,
                    timing,
                    op: Comparison::parse(&op).ok_or_else(|| {
                        format!("scenario {}: requirement {}: bad operator {op}", s.id, r.id)
                    })?,
                    value,
                },
                BankMeasure::CanI => Measure::CanI(
                    r.can_i
                        .iter()
                        .map(|c| CanI {
                            verb: c.verb.clone(),
                            resource: c.resource.clone(),
                            subresource: c.subresource.clone(),
                            namespace: c.namespace.clone(),
                            user: c.user.clone(),
                            groups: c.groups.clone(),
                            expected: c.allowed,
                        })
                        .collect(),
                ),
            };
            Ok(Requirement {
                id: r.id.clone(),
                text: r.text.clone(),
                measure,
                proves: r.proves.clone(),
            })
        })
        .collect()
}

/// A scenario run on a set of manifests.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScenarioRun {
    /// What the simulation measured (`None`: nothing in the manifests could be simulated).
    pub measured: Option<Measurements>,
    /// One verdict per requirement.
    pub results: Vec<RequirementResult>,
    /// What the simulation showed, in sentences with the numbers
    /// ("with this Deployment 37 of 4,100 requests failed: ...").
    pub notes: Vec<String>,
    /// Why the simulation could not run, when it could not.
    pub not_run: Option<String>,
}

/// Runs `scenario`'s simulation on `parsed` and judges every requirement.
pub fn run(scenario: &Scenario, parsed: &Parsed) -> Result<ScenarioRun, String> {
    let reqs = requirements(scenario)?;
    // What the API server would reject never runs: simulating it would judge
    // a cluster that cannot exist.
    if let Some(first) = parsed.problems.first() {
        let n = parsed.problems.len();
        return Ok(ScenarioRun {
            results: evaluate(&reqs, None),
            measured: None,
            notes: Vec::new(),
            not_run: Some(format!(
                "the API server would reject these manifests ({n} problem{}, the first: {first}); fix {} and the scenario runs",
                if n == 1 { "" } else { "s" },
                if n == 1 { "it" } else { "them" }
            )),
        });
    }
    let mut notes = Vec::new();
    let measured = simulate(scenario, parsed, &reqs, &mut notes);
    let (measured, not_run) = match measured {
        Ok(m) => (Some(m), None),
        Err(why) => (None, Some(why)),
    };
    Ok(ScenarioRun {
        results: evaluate(&reqs, measured.as_ref()),
        measured,
        notes,
        not_run,
    })
}

fn simulate(
    scenario: &Scenario,
    parsed: &Parsed,
    reqs: &[Requirement],
    notes: &mut Vec<String>,
) -> Result<Measurements, String> {
    let sim = &scenario.simulation;
    let mut m = Measurements::default();
    if let Some(r) = &sim.rollout {
        rollout_runs(r, parsed, &mut m, notes)?;
    }
    if let Some(h) = &sim.hpa {
        hpa_run(h, parsed, &mut m, notes)?;
    }
    if let Some(st) = &sim.statefulset {
        let plan = crate::statefulset::NodeLossPlan {
            nodes: Some(st.nodes),
            fail_after_ready_ms: (st.node_loss.at_s.max(0.0) * 1000.0).round() as u64,
            ..Default::default()
        };
        statefulset_runs(parsed, &plan, &mut m, notes)?;
    }
    if sim.rbac.is_some() {
        rbac_rows(parsed, reqs, &mut m, notes);
    }
    Ok(m)
}

/// The StatefulSet started on the scenario's cluster, then the busiest node
/// lost the scenario's time after every Pod is Ready, and the out-of-service
/// taint applied two minutes later.
fn statefulset_runs(
    parsed: &Parsed,
    plan: &crate::statefulset::NodeLossPlan,
    m: &mut Measurements,
    notes: &mut Vec<String>,
) -> Result<(), String> {
    let objects: Vec<Object> = parsed.objects().cloned().collect();
    let set = crate::statefulset::pick(&objects, None).map_err(|e| e.to_string())?;
    let verdicts =
        crate::statefulset::redis_cluster_with(set, &objects, plan).map_err(|e| e.to_string())?;
    for v in verdicts {
        let metric = match v.id {
            "stable-identities" => "stable_identities",
            "storage" => "volumes_kept",
            "ordered-startup" => "ordered_startup",
            "survives-node-loss" => "survives_node_loss",
            _ => continue,
        };
        m.record(metric, None, Some(if v.passed { 1.0 } else { 0.0 }));
        notes.push(format!("{}: {}.", v.id, v.reason.trim_end_matches('.')));
    }
    Ok(())
}

fn secs(ms: Option<i64>) -> Option<f64> {
    ms.map(|v| v as f64 / 1000.0)
}

/// The update once without a rollback (duration, capacity, failed requests),
/// then once per rollback timing (`rollback_s@TIMING`).
fn rollout_runs(
    r: &RolloutSimulation,
    parsed: &Parsed,
    m: &mut Measurements,
    notes: &mut Vec<String>,
) -> Result<(), String> {
    let deployment = parsed
        .objects()
        .find_map(|o| match o {
            Object::Deployment(d) => Some(d.as_ref()),
            _ => None,
        })
        .ok_or("there is no Deployment to roll out")?;
    let update = Update::Image {
        container: None,
        image: r.to_image.clone(),
    };
    let model = rollout::Model {
        rps: r.rps.round().clamp(0.0, 100_000.0) as u32,
        request_time_ms: (r.request_time_s * 1000.0).round() as i64,
        ..rollout::Model::default()
    };
    let plain = rollout::simulate(deployment, &update, &model).map_err(|e| e.to_string())?;
    m.record("duration_s", None, secs(plain.duration_ms));
    m.record("min_available", None, Some(plain.min_available as f64));
    m.record("max_pods", None, Some(plain.max_pods as f64));
    m.record("requests_total", None, Some(plain.requests_total as f64));
    m.record("failed_requests", None, Some(plain.failed_requests as f64));
    m.record(
        "progress_deadline_exceeded",
        None,
        Some(if plain.progress_deadline_exceeded_ms.is_some() {
            1.0
        } else {
            0.0
        }),
    );
    match plain.duration_ms {
        Some(d) => notes.push(format!(
            "The rollout to {} took {:.0} s with at least {} of {} replicas available and at most {} Pods.",
            r.to_image,
            d as f64 / 1000.0,
            plain.min_available,
            plain.replicas,
            plain.max_pods
        )),
        None => notes.push(format!(
            "The rollout to {} never completed.",
            r.to_image
        )),
    }
    if plain.failed_requests > 0 {
        notes.push(format!(
            "{} of {} requests failed during the rollout — {}.",
            plain.failed_requests,
            plain.requests_total,
            plain.explanations().join("; ")
        ));
    }
    for t in &r.rollbacks {
        let at = if let Some(after) = t.after_complete_s {
            Some(RollbackAt::AfterComplete((after * 1000.0).round() as i64))
        } else if let Some(at) = t.at_s {
            Some(RollbackAt::At((at * 1000.0).round() as i64))
        } else if let Some(p) = t.at_progress {
            // When that share of the new replicas is first available in the plain run.
            let want = (p * plain.replicas as f64).ceil().max(1.0) as i64;
            plain
                .steps
                .iter()
                .find(|s| s.new_available >= want)
                .map(|s| RollbackAt::At(s.t_ms))
        } else {
            None
        };
        let Some(at) = at else {
            m.record("rollback_s", Some(&t.id), None);
            continue;
        };
        let model = rollout::Model {
            rollback: Some(at),
            ..model.clone()
        };
        let run = rollout::simulate(deployment, &update, &model).map_err(|e| e.to_string())?;
        let took = secs(run.rollback_ms);
        m.record("rollback_s", Some(&t.id), took);
        notes.push(match took {
            Some(s) => format!(
                "Rollback {}: back on the previous version in {s:.0} s.",
                t.id
            ),
            None => format!("Rollback {}: never got back to the previous version.", t.id),
        });
    }
    Ok(())
}

/// The sale: the HPA, its Deployment and any CronJobs against the traffic profile.
fn hpa_run(
    h: &HpaSimulation,
    parsed: &Parsed,
    m: &mut Measurements,
    notes: &mut Vec<String>,
) -> Result<(), String> {
    let profile = hpa::profile::parse(&h.traffic).map_err(|e| e.to_string())?;
    let mut opts = hpa::SimOptions::new(profile, h.pod_capacity_rps);
    opts.request_timeout_ms = (h.request_timeout_s * 1000.0).round() as i64;
    let time = hpa::parse_clock(&h.clock)
        .map_err(|e| e.to_string())?
        .time();
    // The wall clock runs in the schedules' time zone, on the day they first
    // fire: a CronJob dated for the sale day runs on the simulated sale day.
    let cronjobs: Vec<_> = parsed
        .objects()
        .filter_map(|o| match o {
            Object::CronJob(c) => Some(c.as_ref()),
            _ => None,
        })
        .collect();
    let zone = cronjobs
        .iter()
        .find_map(|c| c.spec.as_ref()?.time_zone.as_deref())
        .and_then(|z| hpa::parse_time_zone(z).ok())
        .unwrap_or(chrono_tz::Tz::UTC);
    opts.time_zone = zone;
    let year_start = opts.clock.date().and_time(chrono::NaiveTime::MIN).and_utc();
    let first = cronjobs
        .iter()
        .filter_map(|c| hpa::ScheduledJob::from_cronjob(c, zone).ok())
        .filter_map(|j| {
            j.firings(year_start, year_start + chrono::Duration::days(366))
                .first()
                .copied()
        })
        .min();
    let day = first
        .map(|f| f.with_timezone(&zone).date_naive())
        .unwrap_or(opts.clock.date());
    opts.clock = day.and_time(time);
    let input = hpa::HpaInput::from_objects(parsed.objects(), opts).map_err(|e| e.to_string())?;
    let report = hpa::simulate(&input).map_err(|e| e.to_string())?;
    let dropped = report.dropped.total().round();
    m.record("dropped_requests", None, Some(dropped));
    m.record("time_to_capacity_s", None, secs(report.time_to_capacity_ms));
    m.record("max_replicas", None, Some(f64::from(report.max_replicas)));
    let sale_ms = (h.announced_ahead_s * 1000.0).round() as i64;
    let at_sale = report
        .series
        .iter()
        .take_while(|p| p.t_ms <= sale_ms)
        .last()
        .map(|p| f64::from(p.replicas));
    m.record("replicas_at_sale_start", None, at_sale);
    // What the CronJobs did, and the HPA's scaling decisions around them.
    for e in report
        .events
        .iter()
        .filter(|e| {
            matches!(e.actor, hpa::Actor::CronJob(_))
                || (e.actor == hpa::Actor::Hpa && e.t_ms <= sale_ms)
        })
        .take(4)
    {
        let who = match &e.actor {
            hpa::Actor::CronJob(name) => format!("CronJob {name}"),
            _ => "HPA".to_string(),
        };
        notes.push(format!("{} {who}: {}", report.clock_at(e.t_ms), e.message));
    }
    notes.push(format!(
        "{dropped:.0} requests timed out; {} replicas when the sale started; capacity for the peak {}.",
        at_sale.map_or("no".to_string(), |v| format!("{v:.0}")),
        match report.time_to_capacity_ms {
            Some(ms) => format!("{:.0} s after the rise", ms as f64 / 1000.0),
            None => "never came".to_string(),
        }
    ));
    Ok(())
}

/// Asks every can-i row of every requirement against the manifests' policy.
fn rbac_rows(parsed: &Parsed, reqs: &[Requirement], m: &mut Measurements, notes: &mut Vec<String>) {
    let policy = Policy::from_documents(&parsed.documents);
    for r in reqs {
        let Measure::CanI(rows) = &r.measure else {
            continue;
        };
        for row in rows {
            let what = vec![row.resource.clone()];
            let Ok((target, _warnings)) = rbac::resources::request(
                &row.verb,
                &what,
                Some(row.namespace.as_deref().unwrap_or("")),
                row.subresource.as_deref(),
            ) else {
                continue;
            };
            let user = UserInfo::impersonated(row.user.as_deref().unwrap_or(""), &row.groups);
            let decision = policy.authorize(&Attributes {
                user,
                verb: row.verb.clone(),
                target,
            });
            m.record_can_i(row, decision.allowed);
            if decision.allowed != row.expected {
                notes.push(format!(
                    "`kubectl auth {}` answers {} but should answer {}{}",
                    row.command(),
                    if decision.allowed { "yes" } else { "no" },
                    if row.expected { "yes" } else { "no" },
                    if decision.allowed {
                        format!(" ({})", decision.reason)
                    } else {
                        String::new()
                    }
                ));
            }
        }
    }
}
