//! The replica calculator for a CPU `Utilization` target, restated from
//! `pkg/controller/podautoscaler/replica_calculator.go` (`GetResourceReplicas`,
//! `groupPods`) and `metrics/utilization.go`: pod classification into ready,
//! unready (pending, never ready, or still initialising with a stale sample),
//! missing and ignored, then the conservative re-computation when some Pods
//! are missing or unready.
//!
//! Pods come in groups of identical Pods (`count`), so a thousand Pods
//! created in one scale-up cost one entry. Nothing here knows about traffic.

/// `--horizontal-pod-autoscaler-cpu-initialization-period` (5 min).
pub const CPU_INITIALIZATION_PERIOD_MS: i64 = 300_000;
/// `--horizontal-pod-autoscaler-initial-readiness-delay` (30 s).
pub const INITIAL_READINESS_DELAY_MS: i64 = 30_000;
/// `--horizontal-pod-autoscaler-tolerance` (0.1).
pub const TOLERANCE: f64 = 0.1;

/// A Pod's phase as far as the calculator cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Not yet running (unscheduled, or its containers are starting).
    Pending,
    /// Running.
    Running,
    /// Failed.
    Failed,
}

/// The Pod's Ready condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadyCondition {
    /// True when Ready.
    pub ready: bool,
    /// `lastTransitionTime`.
    pub since_ms: i64,
}

/// A CPU sample from the metrics API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// Usage in millicores.
    pub usage_milli: i64,
    /// The sample's timestamp (end of its window).
    pub at_ms: i64,
    /// The sample's window.
    pub window_ms: i64,
}

/// A group of identical Pods matched by the HPA's selector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PodGroup {
    /// How many Pods are alike.
    pub count: i64,
    /// Phase.
    pub phase: Phase,
    /// deletionTimestamp set.
    pub deleting: bool,
    /// `status.startTime`.
    pub start_ms: Option<i64>,
    /// The Ready condition, if the kubelet has set one.
    pub ready: Option<ReadyCondition>,
    /// The CPU sample of each Pod, if metrics has one.
    pub sample: Option<Sample>,
    /// The sum of the containers' CPU requests, in millicores.
    pub request_milli: i64,
}

/// Per-direction tolerances (the 1.33 `behavior.scale{Up,Down}.tolerance`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerances {
    /// Below 1.
    pub down: f64,
    /// Above 1.
    pub up: f64,
}

impl Default for Tolerances {
    fn default() -> Self {
        Tolerances {
            down: TOLERANCE,
            up: TOLERANCE,
        }
    }
}

impl Tolerances {
    /// (1 − down) ≤ r ≤ (1 + up), both ends inclusive.
    pub fn within(&self, ratio: f64) -> bool {
        (1.0 - self.down) <= ratio && ratio <= (1.0 + self.up)
    }
}

/// The calculator's controller flags.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CalculatorConfig {
    /// CPU initialisation period.
    pub cpu_initialization_ms: i64,
    /// Initial readiness delay.
    pub initial_readiness_delay_ms: i64,
}

impl Default for CalculatorConfig {
    fn default() -> Self {
        CalculatorConfig {
            cpu_initialization_ms: CPU_INITIALIZATION_PERIOD_MS,
            initial_readiness_delay_ms: INITIAL_READINESS_DELAY_MS,
        }
    }
}

/// Why no proposal could be made (the HPA does not scale that sync).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CalcError {
    /// The selector matched no Pod.
    #[error("no pods returned by selector while calculating replica count")]
    NoPods,
    /// Every Pod was unready, pending or without a sample.
    #[error("did not receive metrics for targeted pods (pods might be unready)")]
    NoMetrics,
    /// The Pods have no CPU request.
    #[error("missing request for cpu")]
    MissingRequest,
}

/// The calculator's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Proposal {
    /// The proposed replica count.
    pub replicas: i32,
    /// Current utilisation (% of request) over the ready Pods' samples.
    pub utilization: i32,
    /// Raw average usage in millicores.
    pub raw_average_milli: i64,
    /// Pods classified ready.
    pub ready: i64,
    /// Pods classified unready (pending or not ready).
    pub unready: i64,
    /// Pods without a sample.
    pub missing: i64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Ignored,
    Unready,
    Missing,
    Ready,
}

fn classify(p: &PodGroup, now_ms: i64, cfg: &CalculatorConfig) -> Class {
    if p.deleting || p.phase == Phase::Failed {
        return Class::Ignored;
    }
    if p.phase == Phase::Pending {
        return Class::Unready;
    }
    let Some(sample) = p.sample else {
        return Class::Missing;
    };
    let (Some(cond), Some(start)) = (p.ready, p.start_ms) else {
        return Class::Unready;
    };
    let unready = if start + cfg.cpu_initialization_ms > now_ms {
        !cond.ready || sample.at_ms < cond.since_ms + sample.window_ms
    } else {
        !cond.ready && start + cfg.initial_readiness_delay_ms > cond.since_ms
    };
    if unready {
        Class::Unready
    } else {
        Class::Ready
    }
}

/// `GetResourceUtilizationRatio` over (usage, request, count) entries.
fn utilization_ratio(entries: &[(i64, i64, i64)], target: i32) -> Option<(f64, i32, i64)> {
    let mut usage: i128 = 0;
    let mut request: i128 = 0;
    let mut n: i128 = 0;
    for &(u, r, c) in entries {
        usage += i128::from(u) * i128::from(c);
        request += i128::from(r) * i128::from(c);
        n += i128::from(c);
    }
    if request == 0 || n == 0 {
        return None;
    }
    let util = ((usage * 100) / request).clamp(0, i128::from(i32::MAX)) as i32;
    Some((
        f64::from(util) / f64::from(target),
        util,
        (usage / n) as i64,
    ))
}

fn ceil_i32(v: f64) -> i32 {
    let c = v.ceil();
    if c >= f64::from(i32::MAX) {
        i32::MAX
    } else {
        c as i32
    }
}

/// `GetResourceReplicas` for CPU with a `Utilization` target.
pub fn resource_replicas(
    current: i32,
    target_utilization: i32,
    pods: &[PodGroup],
    tol: Tolerances,
    cfg: &CalculatorConfig,
    now_ms: i64,
) -> Result<Proposal, CalcError> {
    let total: i64 = pods.iter().map(|p| p.count).sum();
    if total == 0 {
        return Err(CalcError::NoPods);
    }
    let mut ready_entries = Vec::new();
    let (mut ready, mut unready, mut missing) = (0i64, 0i64, 0i64);
    let mut missing_groups = Vec::new();
    let mut unready_groups = Vec::new();
    for p in pods.iter().filter(|p| p.count > 0) {
        if p.request_milli <= 0 {
            return Err(CalcError::MissingRequest);
        }
        match classify(p, now_ms, cfg) {
            Class::Ignored => {}
            Class::Unready => {
                unready += p.count;
                unready_groups.push(*p);
            }
            Class::Missing => {
                missing += p.count;
                missing_groups.push(*p);
            }
            Class::Ready => {
                ready += p.count;
                let usage = p.sample.map_or(0, |s| s.usage_milli);
                ready_entries.push((usage, p.request_milli, p.count));
            }
        }
    }
    if ready_entries.is_empty() {
        return Err(CalcError::NoMetrics);
    }
    let (ratio, utilization, raw) =
        utilization_ratio(&ready_entries, target_utilization).ok_or(CalcError::NoMetrics)?;
    let proposal = |replicas| Proposal {
        replicas,
        utilization,
        raw_average_milli: raw,
        ready,
        unready,
        missing,
    };
    let scale_up_with_unready = unready > 0 && ratio > 1.0;
    if !scale_up_with_unready && missing == 0 {
        if tol.within(ratio) {
            return Ok(proposal(current));
        }
        return Ok(proposal(ceil_i32(ratio * ready as f64)));
    }
    let mut entries = ready_entries;
    if missing > 0 {
        if ratio < 1.0 {
            let fallback = i64::from(target_utilization.max(100));
            for p in &missing_groups {
                entries.push((p.request_milli * fallback / 100, p.request_milli, p.count));
            }
        } else if ratio > 1.0 {
            for p in &missing_groups {
                entries.push((0, p.request_milli, p.count));
            }
        }
    }
    if scale_up_with_unready {
        for p in &unready_groups {
            entries.push((0, p.request_milli, p.count));
        }
    }
    let (new_ratio, _, _) =
        utilization_ratio(&entries, target_utilization).ok_or(CalcError::NoMetrics)?;
    if tol.within(new_ratio) || (ratio < 1.0 && new_ratio > 1.0) || (ratio > 1.0 && new_ratio < 1.0)
    {
        return Ok(proposal(current));
    }
    let n: i64 = entries.iter().map(|e| e.2).sum();
    let replicas = ceil_i32(new_ratio * n as f64);
    if (new_ratio < 1.0 && replicas > current) || (new_ratio > 1.0 && replicas < current) {
        return Ok(proposal(current));
    }
    Ok(proposal(replicas))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Upstream test constants: cpuInitializationPeriod 2 min, delayOfInitialReadinessStatus 10 s.
    const TEST_CFG: CalculatorConfig = CalculatorConfig {
        cpu_initialization_ms: 120_000,
        initial_readiness_delay_ms: 10_000,
    };
    const NOW: i64 = 10_000_000;

    /// How a test Pod looks, the way upstream's test builds them: started long
    /// ago (or recently), Ready true/false since some time, with a fresh sample.
    #[derive(Clone, Copy)]
    enum P {
        /// Running, ready long ago, with `usage` millicores.
        Ready(i64),
        /// Running, Ready=False, never ready, with usage (its sample is dropped).
        Unready(i64),
        /// Pending.
        Pending,
        /// Running without a sample.
        Missing,
        /// Failed.
        Failed,
        /// Being deleted.
        Deleting(i64),
    }

    fn group(p: P, request: i64) -> PodGroup {
        let started = NOW - 600_000;
        let sample = |u| {
            Some(Sample {
                usage_milli: u,
                at_ms: NOW,
                window_ms: 60_000,
            })
        };
        let base = PodGroup {
            count: 1,
            phase: Phase::Running,
            deleting: false,
            start_ms: Some(started),
            ready: Some(ReadyCondition {
                ready: true,
                since_ms: started,
            }),
            sample: None,
            request_milli: request,
        };
        match p {
            P::Ready(u) => PodGroup {
                sample: sample(u),
                ..base
            },
            P::Unready(u) => PodGroup {
                sample: sample(u),
                ready: Some(ReadyCondition {
                    ready: false,
                    since_ms: started,
                }),
                start_ms: Some(NOW - 60_000),
                ..base
            },
            P::Pending => PodGroup {
                phase: Phase::Pending,
                ready: None,
                ..base
            },
            P::Missing => base,
            P::Failed => PodGroup {
                phase: Phase::Failed,
                sample: sample(0),
                ..base
            },
            P::Deleting(u) => PodGroup {
                deleting: true,
                sample: sample(u),
                ..base
            },
        }
    }

    #[track_caller]
    fn check(current: i32, target: i32, pods: &[P], request: i64, expected: i32, utilization: i32) {
        let groups: Vec<_> = pods.iter().map(|&p| group(p, request)).collect();
        let got = resource_replicas(
            current,
            target,
            &groups,
            Tolerances::default(),
            &TEST_CFG,
            NOW,
        )
        .expect("a proposal");
        assert_eq!((got.replicas, got.utilization), (expected, utilization));
    }

    /// Ported from upstream replica_calculator_test.go (TestReplicaCalc*).
    #[test]
    fn cpu_cases() {
        use P::*;
        // TestReplicaCalcScaleUp: 3 pods at 300/500/700m of 1000m, target 30% -> 5 (util 50).
        check(3, 30, &[Ready(300), Ready(500), Ready(700)], 1000, 5, 50);
        // TestReplicaCalcScaleUpUnreadyLessScale: one unready pod -> 4 (util 60).
        check(3, 30, &[Unready(300), Ready(500), Ready(700)], 1000, 4, 60);
        // TestReplicaCalcScaleUpUnreadyNoScale: unready pods count as 0 -> ratio within tolerance, 3.
        check(
            3,
            30,
            &[Ready(400), Unready(500), Unready(700)],
            1000,
            3,
            40,
        );
        // TestReplicaCalcScaleUpIgnoresFailedPods: failed pods ignored -> 4.
        check(
            2,
            30,
            &[Ready(500), Ready(700), Failed, Failed],
            1000,
            4,
            60,
        );
        // TestReplicaCalcScaleUpIgnoresDeletionPods -> 4.
        check(
            2,
            30,
            &[Ready(500), Ready(700), Deleting(100), Deleting(100)],
            1000,
            4,
            60,
        );
        // TestReplicaCalcScaleUpPending: pending pod counts as 0 on scale-up -> 4.
        check(3, 30, &[Ready(500), Ready(700), Pending], 1000, 4, 60);
        // TestReplicaCalcScaleUpPendingNoScale: pending pod makes it within tolerance -> 3.
        check(3, 50, &[Ready(700), Ready(800), Pending], 1000, 3, 75);
        // TestReplicaCalcScaleDown: 5 pods at 100,300,500,250,250 of 1000m, target 50 -> 3 (util 28).
        check(
            5,
            50,
            &[Ready(100), Ready(300), Ready(500), Ready(250), Ready(250)],
            1000,
            3,
            28,
        );
        // TestReplicaCalcScaleDownIgnoresUnreadyPods: unready ignored on scale-down -> 2 (util 30).
        check(
            5,
            50,
            &[
                Ready(100),
                Ready(300),
                Ready(500),
                Unready(250),
                Unready(250),
            ],
            1000,
            2,
            30,
        );
        // TestReplicaCalcTolerance: 1080/1100/1020 of 1000 vs 100 -> 3 (util 106... within 1.1).
        check(
            3,
            100,
            &[Ready(1080), Ready(1100), Ready(1020)],
            1000,
            3,
            106,
        );
        // Semantics note: 102% vs 100% -> stays 3.
        check(
            3,
            100,
            &[Ready(1020), Ready(1020), Ready(1020)],
            1000,
            3,
            102,
        );
        // TestReplicaCalcMissingMetricsNoChangeEq: one missing pod, ratio within tolerance -> 2.
        check(2, 100, &[Ready(1000), Missing], 1000, 2, 100);
        // TestReplicaCalcMissingMetricsNoChangeGt: missing counts as 0 on scale-up, back within tolerance -> 2.
        check(2, 100, &[Ready(1900), Missing], 1000, 2, 190);
        // TestReplicaCalcMissingMetricsNoChangeLt: missing counts as 100% on scale-down, flips direction -> 2.
        check(2, 100, &[Ready(600), Missing], 1000, 2, 60);
        // TestReplicaCalcMissingMetricsScaleUp (ported shape): 3 pods, one missing, 2 at 200% -> ceil(400/300x3)=4.
        check(3, 100, &[Ready(2000), Ready(2000), Missing], 1000, 4, 200);
        // TestReplicaCalcMissingMetricsScaleDown: missing at max(target,100)% on scale-down:
        // 4 pods, 1 missing, 3 at 100m of 1000m, target 50 -> (300+1000)/4000 = 32% -> ceil(0.65 x 4) = 3.
        check(
            4,
            50,
            &[Ready(100), Ready(100), Ready(100), Missing],
            1000,
            3,
            10,
        );
        // §2.6: 3 pods at 90% vs 50% -> 6.
        check(3, 50, &[Ready(900), Ready(900), Ready(900)], 1000, 6, 90);
    }

    #[test]
    fn errors() {
        let none: Vec<PodGroup> = vec![];
        assert_eq!(
            resource_replicas(1, 50, &none, Tolerances::default(), &TEST_CFG, NOW),
            Err(CalcError::NoPods)
        );
        let unready = [group(P::Unready(10), 1000), group(P::Pending, 1000)];
        assert_eq!(
            resource_replicas(2, 50, &unready, Tolerances::default(), &TEST_CFG, NOW),
            Err(CalcError::NoMetrics)
        );
        let no_request = [group(P::Ready(10), 0)];
        assert_eq!(
            resource_replicas(1, 50, &no_request, Tolerances::default(), &TEST_CFG, NOW),
            Err(CalcError::MissingRequest)
        );
    }

    /// groupPods cases (upstream TestGroupPods), CPU resource.
    #[test]
    fn classification() {
        let cfg = TEST_CFG;
        let s = |at| {
            Some(Sample {
                usage_milli: 1,
                at_ms: at,
                window_ms: 60_000,
            })
        };
        let pod = |start: i64, ready: bool, since: i64, sample| PodGroup {
            count: 1,
            phase: Phase::Running,
            deleting: false,
            start_ms: Some(start),
            ready: Some(ReadyCondition {
                ready,
                since_ms: since,
            }),
            sample,
            request_milli: 1,
        };
        let c = |p: PodGroup| classify(&p, NOW, &cfg);
        // "count in a ready pod - memory"-like: ready long ago, fresh sample -> ready
        assert!(c(pod(NOW - 600_000, true, NOW - 600_000, s(NOW))) == Class::Ready);
        // "unready a pod without ready condition"
        assert!(
            c(PodGroup {
                ready: None,
                ..pod(NOW, true, NOW, s(NOW))
            }) == Class::Unready
        );
        // "count in a ready pod with fresh metrics during initialization period"
        assert!(c(pod(NOW - 60_000, true, NOW - 60_000 - 1000, s(NOW))) == Class::Ready);
        // "unready a ready pod with stale metrics during initialization period": sample older than transition + window
        assert!(c(pod(NOW - 10_000, true, NOW - 10_000, s(NOW))) == Class::Unready);
        // "unready an unready pod during initialization period"
        assert!(c(pod(NOW - 10_000, false, NOW - 9_000, s(NOW))) == Class::Unready);
        // "count in a ready pod without fresh metrics after initialization period"
        assert!(
            c(pod(
                NOW - 3_600_000,
                true,
                NOW - 3_600_000,
                s(NOW - 3_600_000)
            )) == Class::Ready
        );
        // "count in an unready pod that was ready after initialization period" (transition > start + delay)
        assert!(c(pod(NOW - 600_000, false, NOW - 600_000 + 20_000, s(NOW))) == Class::Ready);
        // "unready pod that has never been ready after initialization period" (transition < start + delay)
        assert!(c(pod(NOW - 600_000, false, NOW - 600_000 + 5_000, s(NOW))) == Class::Unready);
        // "a missing pod"
        assert!(c(pod(NOW - 600_000, true, NOW - 600_000, None)) == Class::Missing);
        // "ignore pod which is failed"
        assert!(
            c(PodGroup {
                phase: Phase::Failed,
                ..pod(NOW, true, NOW, s(NOW))
            }) == Class::Ignored
        );
        // "pending pods are unready"
        assert!(
            c(PodGroup {
                phase: Phase::Pending,
                ..pod(NOW, true, NOW, None)
            }) == Class::Unready
        );
    }
}
