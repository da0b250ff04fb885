//! The HPA controller's normalisation of a metric proposal, restated from
//! `pkg/controller/podautoscaler/horizontal.go`: the clamps to min/max, the
//! legacy path (`behavior` absent: 5-minute stabilisation of the max and a
//! per-sync scale-up limit of max(2 x current, 4)) and the behavior path
//! (stabilisation windows, rate-limiting policies and scale events).
//!
//! Times are virtual milliseconds. This module knows nothing of Pods or
//! metrics: it takes the proposal the replica calculator made.

/// Production `scaleUpLimitFactor` (upstream tests set 8 in their `init()`).
pub const SCALE_UP_LIMIT_FACTOR: f64 = 2.0;
/// Production `scaleUpLimitMinimum`.
pub const SCALE_UP_LIMIT_MINIMUM: f64 = 4.0;
/// kube-controller-manager's `--horizontal-pod-autoscaler-downscale-stabilization` (5 min).
pub const DOWNSCALE_STABILIZATION_MS: i64 = 300_000;

/// How a policy measures change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    /// An absolute number of Pods per period.
    Pods,
    /// A percentage of the replicas at the start of the period.
    Percent,
}

/// One scaling policy (`behavior.scaleUp.policies[]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Pods or Percent.
    pub kind: PolicyKind,
    /// The amount of change allowed per period.
    pub value: i32,
    /// The period in seconds.
    pub period_s: i32,
}

/// `selectPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectPolicy {
    /// The policy allowing the largest change (the default).
    Max,
    /// The policy allowing the smallest change.
    Min,
    /// No scaling in this direction.
    Disabled,
}

/// One direction of `behavior`, with the API defaults filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    /// `stabilizationWindowSeconds`, in seconds.
    pub window_s: i32,
    /// `selectPolicy`.
    pub select: SelectPolicy,
    /// `policies`.
    pub policies: Vec<Policy>,
}

/// `spec.behavior` with every default applied (autoscaling/v2 `defaults.go`
/// plus the controller's 300 s fill-in of a nil scale-down window).
#[derive(Debug, Clone, PartialEq)]
pub struct Behavior {
    /// `scaleUp`.
    pub up: Rules,
    /// `scaleDown`.
    pub down: Rules,
}

impl Behavior {
    /// The defaults of `behavior.scaleUp`: no window, Max of 4 Pods / 15 s and 100% / 15 s.
    pub fn default_up() -> Rules {
        Rules {
            window_s: 0,
            select: SelectPolicy::Max,
            policies: vec![
                Policy {
                    kind: PolicyKind::Pods,
                    value: 4,
                    period_s: 15,
                },
                Policy {
                    kind: PolicyKind::Percent,
                    value: 100,
                    period_s: 15,
                },
            ],
        }
    }

    /// The defaults of `behavior.scaleDown`: 300 s window, Max of 100% / 15 s.
    pub fn default_down() -> Rules {
        Rules {
            window_s: (DOWNSCALE_STABILIZATION_MS / 1000) as i32,
            select: SelectPolicy::Max,
            policies: vec![Policy {
                kind: PolicyKind::Percent,
                value: 100,
                period_s: 15,
            }],
        }
    }
}

/// A stored (unstabilised) recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recommendation {
    /// The recommended replica count.
    pub replicas: i32,
    /// When it was made.
    pub at_ms: i64,
}

/// A stored scale event (behavior path only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaleEvent {
    /// The absolute change in replicas.
    pub change: i32,
    /// When it happened.
    pub at_ms: i64,
    /// Older than the longest policy period; its slot may be reused.
    pub outdated: bool,
}

/// Why the final count is what it is (the HPA's ScalingLimited reasons).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Within the allowed range.
    DesiredWithinRange,
    /// Raised to minReplicas.
    TooFewReplicas,
    /// Lowered to maxReplicas.
    TooManyReplicas,
    /// Held by the scale-up limit (legacy factor or behavior policies).
    ScaleUpLimit,
    /// Held by the scale-down policies.
    ScaleDownLimit,
}

/// Legacy stabilisation (`stabilizeRecommendation`): the max of the new
/// recommendation and every stored one not older than the window; the new one
/// replaces the last sample older than the window, or is appended.
pub fn stabilize_legacy(
    recs: &mut Vec<Recommendation>,
    desired: i32,
    now_ms: i64,
    window_ms: i64,
) -> i32 {
    let cutoff = now_ms - window_ms;
    let mut max = desired;
    let mut old = None;
    for (i, r) in recs.iter().enumerate() {
        if r.at_ms < cutoff {
            old = Some(i);
        } else if r.replicas > max {
            max = r.replicas;
        }
    }
    let new = Recommendation {
        replicas: desired,
        at_ms: now_ms,
    };
    match old {
        Some(i) => recs[i] = new,
        None => recs.push(new),
    }
    max
}

/// `calculateScaleUpLimit`: max(factor x current, minimum).
pub fn legacy_scale_up_limit(current: i32, factor: f64) -> i32 {
    saturate((factor * current as f64).max(SCALE_UP_LIMIT_MINIMUM))
}

/// `convertDesiredReplicasWithRules`: the legacy clamp.
pub fn convert_with_rules(
    current: i32,
    desired: i32,
    min: i32,
    max: i32,
    factor: f64,
) -> (i32, Limit) {
    let limit = legacy_scale_up_limit(current, factor);
    let (max_allowed, reason) = if max > limit {
        (limit, Limit::ScaleUpLimit)
    } else {
        (max, Limit::TooManyReplicas)
    };
    if desired < min {
        (min, Limit::TooFewReplicas)
    } else if desired > max_allowed {
        (max_allowed, reason)
    } else {
        (desired, Limit::DesiredWithinRange)
    }
}

/// `stabilizeRecommendationWithBehaviors`: current raised to the min of the
/// up-window and lowered to the max of the down-window; stores `desired`.
pub fn stabilize_with_behavior(
    recs: &mut Vec<Recommendation>,
    current: i32,
    desired: i32,
    up_window_s: i32,
    down_window_s: i32,
    now_ms: i64,
) -> i32 {
    let up_cutoff = now_ms - i64::from(up_window_s) * 1000;
    let down_cutoff = now_ms - i64::from(down_window_s) * 1000;
    let mut up = desired;
    let mut down = desired;
    let mut old = None;
    for (i, r) in recs.iter().enumerate() {
        if r.at_ms > up_cutoff {
            up = up.min(r.replicas);
        }
        if r.at_ms > down_cutoff {
            down = down.max(r.replicas);
        }
        if r.at_ms < up_cutoff && r.at_ms < down_cutoff {
            old = Some(i);
        }
    }
    let mut result = current;
    if result < up {
        result = up;
    }
    if result > down {
        result = down;
    }
    let new = Recommendation {
        replicas: desired,
        at_ms: now_ms,
    };
    match old {
        Some(i) => recs[i] = new,
        None => recs.push(new),
    }
    result
}

/// `getReplicasChangePerPeriod`: the sum of changes strictly newer than now − period.
pub fn change_in_period(period_s: i32, events: &[ScaleEvent], now_ms: i64) -> i64 {
    let cutoff = now_ms - i64::from(period_s) * 1000;
    events
        .iter()
        .filter(|e| e.at_ms > cutoff)
        .map(|e| i64::from(e.change))
        .sum()
}

fn saturate(v: f64) -> i32 {
    // Go's int32(float) of an in-range value truncates; we also saturate.
    if v >= i32::MAX as f64 {
        i32::MAX
    } else if v <= i32::MIN as f64 {
        i32::MIN
    } else {
        v as i32
    }
}

fn clamp_i64(v: i64) -> i32 {
    v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

/// `calculateScaleUpLimitWithScalingRules`.
pub fn scale_up_limit(
    current: i32,
    up: &[ScaleEvent],
    down: &[ScaleEvent],
    rules: &Rules,
    now_ms: i64,
) -> i32 {
    let (mut result, pick): (i32, fn(i32, i32) -> i32) = match rules.select {
        SelectPolicy::Disabled => return current,
        SelectPolicy::Min => (i32::MAX, std::cmp::min),
        SelectPolicy::Max => (i32::MIN, std::cmp::max),
    };
    for p in &rules.policies {
        let start = i64::from(current) - change_in_period(p.period_s, up, now_ms)
            + change_in_period(p.period_s, down, now_ms);
        let proposed = match p.kind {
            PolicyKind::Pods => clamp_i64(start + i64::from(p.value)),
            PolicyKind::Percent => {
                saturate((start as f64 * (1.0 + f64::from(p.value) / 100.0)).ceil())
            }
        };
        result = pick(result, proposed);
    }
    result
}

/// `calculateScaleDownLimitWithBehaviors`.
pub fn scale_down_limit(
    current: i32,
    up: &[ScaleEvent],
    down: &[ScaleEvent],
    rules: &Rules,
    now_ms: i64,
) -> i32 {
    let (mut result, pick): (i32, fn(i32, i32) -> i32) = match rules.select {
        SelectPolicy::Disabled => return current,
        SelectPolicy::Min => (i32::MIN, std::cmp::max),
        SelectPolicy::Max => (i32::MAX, std::cmp::min),
    };
    for p in &rules.policies {
        let start = i64::from(current) - change_in_period(p.period_s, up, now_ms)
            + change_in_period(p.period_s, down, now_ms);
        let proposed = match p.kind {
            PolicyKind::Pods => clamp_i64(start - i64::from(p.value)),
            PolicyKind::Percent => saturate(start as f64 * (1.0 - f64::from(p.value) / 100.0)),
        };
        result = pick(result, proposed);
    }
    result
}

/// `convertDesiredReplicasWithBehaviorRate`: the rate limit from the stabilised value.
#[allow(clippy::too_many_arguments)]
pub fn convert_with_behavior_rate(
    current: i32,
    desired: i32,
    min: i32,
    max: i32,
    behavior: &Behavior,
    up: &[ScaleEvent],
    down: &[ScaleEvent],
    now_ms: i64,
) -> (i32, Limit) {
    if desired > current {
        let limit = scale_up_limit(current, up, down, &behavior.up, now_ms).max(current);
        let (max_allowed, reason) = if max > limit {
            (limit, Limit::ScaleUpLimit)
        } else {
            (max, Limit::TooManyReplicas)
        };
        if desired > max_allowed {
            return (max_allowed, reason);
        }
    } else if desired < current {
        let limit = scale_down_limit(current, up, down, &behavior.down, now_ms).min(current);
        let (min_allowed, reason) = if min < limit {
            (limit, Limit::ScaleDownLimit)
        } else {
            (min, Limit::TooFewReplicas)
        };
        if desired < min_allowed {
            return (min_allowed, reason);
        }
    }
    (desired, Limit::DesiredWithinRange)
}

fn longest_period(rules: &Rules) -> i32 {
    rules.policies.iter().map(|p| p.period_s).max().unwrap_or(0)
}

/// `storeScaleEvent`: marks events older than the longest policy period of
/// that direction outdated, then overwrites the last outdated one or appends.
pub fn store_scale_event(
    behavior: &Behavior,
    up: &mut Vec<ScaleEvent>,
    down: &mut Vec<ScaleEvent>,
    previous: i32,
    new: i32,
    now_ms: i64,
) {
    let (events, rules, change) = if new > previous {
        (up, &behavior.up, new - previous)
    } else {
        (down, &behavior.down, previous - new)
    };
    let cutoff = now_ms - i64::from(longest_period(rules)) * 1000;
    let mut old = None;
    for (i, e) in events.iter_mut().enumerate() {
        if e.at_ms < cutoff {
            e.outdated = true;
        }
        if e.outdated {
            old = Some(i);
        }
    }
    let event = ScaleEvent {
        change,
        at_ms: now_ms,
        outdated: false,
    };
    match old {
        Some(i) => events[i] = event,
        None => events.push(event),
    }
}

/// What one reconcile decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// The replica count the HPA sets (equal to current when nothing changes).
    pub desired: i32,
    /// The proposal of the metrics, before normalisation (None when skipped).
    pub proposal: Option<i32>,
    /// Whether the scale subresource is written.
    pub rescale: bool,
    /// What limited the result.
    pub limit: Limit,
    /// Autoscaling disabled because the target has 0 replicas.
    pub disabled: bool,
}

/// One HPA's controller state across syncs: its spec bounds and behavior, its
/// recommendation history and scale events.
#[derive(Debug, Clone)]
pub struct Autoscaler {
    /// `spec.minReplicas` (defaulted to 1).
    pub min: i32,
    /// `spec.maxReplicas`.
    pub max: i32,
    /// `spec.behavior` with defaults, or None for the legacy path.
    pub behavior: Option<Behavior>,
    /// The legacy scale-up factor (2 in production).
    pub scale_up_factor: f64,
    /// The legacy downscale stabilisation window.
    pub downscale_window_ms: i64,
    /// Stored recommendations (the controller's `recommendations[key]`).
    pub recommendations: Vec<Recommendation>,
    /// Stored scale-up events.
    pub up_events: Vec<ScaleEvent>,
    /// Stored scale-down events.
    pub down_events: Vec<ScaleEvent>,
    seeded: bool,
}

impl Autoscaler {
    /// A freshly created HPA with production constants.
    pub fn new(min: i32, max: i32, behavior: Option<Behavior>) -> Autoscaler {
        Autoscaler {
            min,
            max,
            behavior,
            scale_up_factor: SCALE_UP_LIMIT_FACTOR,
            downscale_window_ms: DOWNSCALE_STABILIZATION_MS,
            recommendations: Vec::new(),
            up_events: Vec::new(),
            down_events: Vec::new(),
            seeded: false,
        }
    }

    /// One `reconcileAutoscaler`. `proposal` computes the metrics' proposal
    /// (max over metrics) and is called only when the clamps do not apply;
    /// an error there means no scaling this sync.
    pub fn reconcile<E>(
        &mut self,
        current: i32,
        now_ms: i64,
        proposal: impl FnOnce() -> Result<i32, E>,
    ) -> Result<Decision, E> {
        if !self.seeded {
            // recordInitialRecommendation
            self.recommendations.push(Recommendation {
                replicas: current,
                at_ms: now_ms,
            });
            self.seeded = true;
        }
        let d = |desired, proposal, limit| Decision {
            desired,
            proposal,
            rescale: desired != current,
            limit,
            disabled: false,
        };
        if current == 0 && self.min != 0 {
            return Ok(Decision {
                desired: 0,
                proposal: None,
                rescale: false,
                limit: Limit::DesiredWithinRange,
                disabled: true,
            });
        }
        if current > self.max {
            return Ok(d(self.max, None, Limit::TooManyReplicas));
        }
        if current < self.min {
            return Ok(d(self.min, None, Limit::TooFewReplicas));
        }
        let metric = proposal()?;
        let prenormalized = metric.max(0);
        let (desired, limit) = match &self.behavior {
            None => {
                let stabilized = stabilize_legacy(
                    &mut self.recommendations,
                    prenormalized,
                    now_ms,
                    self.downscale_window_ms,
                );
                convert_with_rules(
                    current,
                    stabilized,
                    self.min,
                    self.max,
                    self.scale_up_factor,
                )
            }
            Some(b) => {
                let stabilized = stabilize_with_behavior(
                    &mut self.recommendations,
                    current,
                    prenormalized,
                    b.up.window_s,
                    b.down.window_s,
                    now_ms,
                );
                convert_with_behavior_rate(
                    current,
                    stabilized,
                    self.min,
                    self.max,
                    b,
                    &self.up_events,
                    &self.down_events,
                    now_ms,
                )
            }
        };
        if desired != current {
            if let Some(b) = &self.behavior {
                store_scale_event(
                    b,
                    &mut self.up_events,
                    &mut self.down_events,
                    current,
                    desired,
                    now_ms,
                );
            }
        }
        Ok(d(desired, Some(metric), limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1000;

    fn pods(value: i32, period_s: i32) -> Policy {
        Policy {
            kind: PolicyKind::Pods,
            value,
            period_s,
        }
    }
    fn percent(value: i32, period_s: i32) -> Policy {
        Policy {
            kind: PolicyKind::Percent,
            value,
            period_s,
        }
    }
    fn rules(window_s: i32, select: SelectPolicy, policies: Vec<Policy>) -> Rules {
        Rules {
            window_s,
            select,
            policies,
        }
    }

    #[track_caller]
    fn check_rules(
        current: i32,
        desired: i32,
        min: i32,
        max: i32,
        factor: f64,
        expected: i32,
        reason: Limit,
    ) {
        assert_eq!(
            convert_with_rules(current, desired, min, max, factor),
            (expected, reason)
        );
    }

    /// Upstream TestConvertDesiredReplicasWithRules (its init() sets factor 8;
    /// cases marked "production" use 2).
    #[test]
    fn legacy_rules() {
        // "Desired within range": 5 current, 7 desired, 3..8.
        check_rules(5, 7, 3, 8, 8.0, 7, Limit::DesiredWithinRange);
        // "Below min": 3 current, 1 desired, min 2.
        check_rules(3, 1, 2, 8, 8.0, 2, Limit::TooFewReplicas);
        // "Above max": factor 8 makes the limit 16 > max 8, so max binds.
        check_rules(5, 13, 3, 8, 8.0, 8, Limit::TooManyReplicas);
        // "Scale-up limit": 1 current, factor 8: limit max(8, 4) = 8 < max 20.
        check_rules(1, 15, 1, 20, 8.0, 8, Limit::ScaleUpLimit);
        // production: from 1 the limit is max(2, 4) = 4.
        check_rules(1, 15, 1, 20, 2.0, 4, Limit::ScaleUpLimit);
        // production: 4 -> 8 -> 16 -> 20 (semantics note §2.6).
        check_rules(4, 20, 1, 20, 2.0, 8, Limit::ScaleUpLimit);
        check_rules(8, 20, 1, 20, 2.0, 16, Limit::ScaleUpLimit);
        check_rules(16, 20, 1, 20, 2.0, 20, Limit::DesiredWithinRange);
        // limit equal to max is reported as TooManyReplicas
        check_rules(10, 30, 1, 20, 2.0, 20, Limit::TooManyReplicas);
    }

    #[test]
    fn legacy_stabilization_keeps_the_max_of_five_minutes() {
        // TestNormalizeDesiredReplicas-style: history in window wins over a lower proposal.
        let mut recs = vec![
            Recommendation {
                replicas: 10,
                at_ms: 0,
            },
            Recommendation {
                replicas: 4,
                at_ms: 100 * S,
            },
        ];
        assert_eq!(
            stabilize_legacy(&mut recs, 3, 300 * S, 300 * S),
            10,
            "a sample exactly 300 s old still counts"
        );
        assert_eq!(recs.len(), 3);
        assert_eq!(
            stabilize_legacy(&mut recs, 3, 301 * S, 300 * S),
            4,
            "older than the window it is dropped"
        );
        // the new sample overwrote the last old one (index 0), no growth
        assert_eq!(recs.len(), 3);
        assert_eq!(
            recs[0],
            Recommendation {
                replicas: 3,
                at_ms: 301 * S
            }
        );
    }

    #[track_caller]
    fn check_stabilize(
        recs: &[(i32, i64)],
        current: i32,
        desired: i32,
        up_s: i32,
        down_s: i32,
        expected: i32,
        stored: usize,
    ) {
        let now = 1_000 * S;
        let mut r: Vec<Recommendation> = recs
            .iter()
            .map(|&(replicas, ago_s)| Recommendation {
                replicas,
                at_ms: now - ago_s * S,
            })
            .collect();
        assert_eq!(
            stabilize_with_behavior(&mut r, current, desired, up_s, down_s, now),
            expected
        );
        assert_eq!(r.len(), stored, "stored recommendations");
    }

    /// Upstream TestNormalizeDesiredReplicasWithBehavior.
    #[test]
    fn behavior_stabilization() {
        // "No recommendations": desired 5 from current 1 -> 5.
        check_stabilize(&[], 1, 5, 0, 300, 5, 1);
        // "Simple scale down stabilization": {4 at -1m, 5 at -2m, 6 at -3m}, current 100, desired 3 -> 6.
        check_stabilize(&[(4, 60), (5, 120), (6, 180)], 100, 3, 300, 300, 6, 4);
        // "Simple scale up stabilization": {10 at -1m, 9 at -2m, 8 at -3m}, current 1, desired 7 -> 7; window 300 -> min is 7.
        check_stabilize(&[(10, 60), (9, 120), (8, 180)], 1, 7, 300, 300, 7, 4);
        // "No scale down stabilization": windows (300, 300), current 2, {3 at -3m}, desired 1 -> 2.
        check_stabilize(&[(3, 180)], 2, 1, 300, 300, 2, 2);
        // "Scale up stabilization with 0 window ignores history".
        check_stabilize(&[(1, 10)], 2, 8, 0, 300, 8, 2);
        // a sample older than both windows is replaced, not appended
        check_stabilize(&[(9, 400), (7, 10)], 5, 5, 60, 300, 5, 2);
    }

    #[track_caller]
    fn check_up(current: i32, up: &[(i32, i64)], down: &[(i32, i64)], r: Rules, expected: i32) {
        let now = 1_000 * S;
        let ev = |v: &[(i32, i64)]| {
            v.iter()
                .map(|&(change, ago)| ScaleEvent {
                    change,
                    at_ms: now - ago * S,
                    outdated: false,
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            scale_up_limit(current, &ev(up), &ev(down), &r, now),
            expected
        );
    }

    #[track_caller]
    fn check_down(current: i32, up: &[(i32, i64)], down: &[(i32, i64)], r: Rules, expected: i32) {
        let now = 1_000 * S;
        let ev = |v: &[(i32, i64)]| {
            v.iter()
                .map(|&(change, ago)| ScaleEvent {
                    change,
                    at_ms: now - ago * S,
                    outdated: false,
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            scale_down_limit(current, &ev(up), &ev(down), &r, now),
            expected
        );
    }

    /// Upstream TestScalingWithRules / TestCalculateScaleUpLimitWithScalingRules style cases.
    #[test]
    fn rate_limits() {
        use SelectPolicy::*;
        // defaults from 1: max(1 + 4, ceil(1 x 2)) = 5 (§2.6).
        check_up(1, &[], &[], Behavior::default_up(), 5);
        // defaults from 4, 8: 8 then 16.
        check_up(4, &[], &[], Behavior::default_up(), 8);
        check_up(8, &[(4, 15)], &[], Behavior::default_up(), 16); // the event exactly 15 s old is not counted
                                                                  // an event inside the period lowers the start: current 8 after +4 at -10 s: start 4 -> max(8, 8) = 8.
        check_up(8, &[(4, 10)], &[], Behavior::default_up(), 8);
        // Min select takes the smaller: Pods 4 vs 100%: from 10 -> min(14, 20) = 14.
        check_up(
            10,
            &[],
            &[],
            rules(0, Min, vec![pods(4, 60), percent(100, 60)]),
            14,
        );
        // Percent rounds up: 3 x 1.1 = 3.3 -> 4.
        check_up(3, &[], &[], rules(0, Max, vec![percent(10, 60)]), 4);
        // scale-down events in the period raise the start.
        check_up(6, &[], &[(2, 30)], rules(0, Max, vec![pods(1, 60)]), 9);
        check_up(6, &[], &[], rules(0, Disabled, vec![pods(1, 60)]), 6);
        // down: Percent truncates: 10 x 0.85 = 8.5 -> 8.
        check_down(10, &[], &[], rules(300, Max, vec![percent(15, 60)]), 8);
        // Max select = largest change = min of proposals.
        check_down(
            10,
            &[],
            &[],
            rules(300, Max, vec![percent(50, 60), pods(1, 60)]),
            5,
        );
        check_down(
            10,
            &[],
            &[],
            rules(300, Min, vec![percent(50, 60), pods(1, 60)]),
            9,
        );
        // Pods 1 / 60 s after a step down 20 s ago: start 10 + 1 -> 10 (no further drop allowed).
        check_down(9, &[], &[(1, 20)], rules(300, Max, vec![pods(1, 60)]), 9);
        check_down(9, &[], &[(1, 61)], rules(300, Max, vec![pods(1, 60)]), 8);
        check_down(9, &[], &[], rules(300, Disabled, vec![pods(1, 60)]), 9);
    }

    #[test]
    fn behavior_rate_conversion() {
        let b = Behavior {
            up: Behavior::default_up(),
            down: rules(300, SelectPolicy::Max, vec![pods(1, 60)]),
        };
        assert_eq!(
            convert_with_behavior_rate(4, 20, 1, 100, &b, &[], &[], 0),
            (8, Limit::ScaleUpLimit)
        );
        assert_eq!(
            convert_with_behavior_rate(4, 20, 1, 6, &b, &[], &[], 0),
            (6, Limit::TooManyReplicas)
        );
        assert_eq!(
            convert_with_behavior_rate(10, 3, 1, 100, &b, &[], &[], 0),
            (9, Limit::ScaleDownLimit)
        );
        assert_eq!(
            convert_with_behavior_rate(10, 3, 9, 100, &b, &[], &[], 0),
            (9, Limit::TooFewReplicas)
        );
        assert_eq!(
            convert_with_behavior_rate(10, 10, 1, 100, &b, &[], &[], 0),
            (10, Limit::DesiredWithinRange)
        );
    }

    /// Upstream TestStoreScaleEvents: outdated events are overwritten.
    #[test]
    fn scale_events_reuse_outdated_slots() {
        let b = Behavior {
            up: rules(0, SelectPolicy::Max, vec![pods(4, 60)]),
            down: Behavior::default_down(),
        };
        let mut up = vec![
            ScaleEvent {
                change: 1,
                at_ms: 0,
                outdated: false,
            },
            ScaleEvent {
                change: 2,
                at_ms: 50 * S,
                outdated: false,
            },
            ScaleEvent {
                change: 3,
                at_ms: 100 * S,
                outdated: false,
            },
        ];
        let mut down = Vec::new();
        store_scale_event(&b, &mut up, &mut down, 5, 10, 120 * S);
        // cutoff 60 s: the first two are outdated, the last outdated (index 1) is overwritten
        assert_eq!(up.len(), 3);
        assert_eq!(
            up[1],
            ScaleEvent {
                change: 5,
                at_ms: 120 * S,
                outdated: false
            }
        );
        assert!(up[0].outdated);
        store_scale_event(&b, &mut up, &mut down, 10, 7, 121 * S);
        assert_eq!(
            down,
            vec![ScaleEvent {
                change: 3,
                at_ms: 121 * S,
                outdated: false
            }]
        );
    }

    #[test]
    fn reconcile_clamps_skip_metrics() {
        // TestScaleUpRCImmediately: current 1 below min 2 -> 2 without metrics.
        let mut a = Autoscaler::new(2, 6, None);
        let d = a
            .reconcile::<()>(1, 0, || panic!("metrics must not be read"))
            .expect("ok");
        assert_eq!((d.desired, d.rescale), (2, true));
        // TestScaleDownRCImmediately: current 6 above max 5 -> 5.
        let mut a = Autoscaler::new(2, 5, None);
        assert_eq!(a.reconcile::<()>(6, 0, || panic!()).expect("ok").desired, 5);
        // current 0 with min 1: disabled
        let d = a.reconcile::<()>(0, 15 * S, || panic!()).expect("ok");
        assert!(d.disabled && !d.rescale);
    }

    #[test]
    fn fresh_hpa_cannot_scale_below_its_start_for_five_minutes() {
        let mut a = Autoscaler::new(1, 100, None);
        for t in (0..=300).step_by(15) {
            let d = a.reconcile::<()>(10, t * S, || Ok(3)).expect("ok");
            assert_eq!(d.desired, 10, "at {t}s");
        }
        let d = a.reconcile::<()>(10, 315 * S, || Ok(3)).expect("ok");
        assert_eq!(d.desired, 3);
    }

    #[test]
    fn behavior_path_bursts_like_section_2_6() {
        let mut a = Autoscaler::new(
            1,
            20,
            Some(Behavior {
                up: Behavior::default_up(),
                down: Behavior::default_down(),
            }),
        );
        let mut current = 4;
        let mut seen = vec![];
        for i in 0..4 {
            let d = a
                .reconcile::<()>(current, i * 15 * S, || Ok(20))
                .expect("ok");
            current = d.desired;
            seen.push(current);
        }
        assert_eq!(seen, vec![8, 16, 20, 20]);
    }

    /// Cases from the test tables of Karmada's FederatedHPA controller, a port
    /// of horizontal.go (TestNormalizeDesiredReplicasWithBehaviors,
    /// TestStabilizeRecommendationWithBehaviors, TestConvertDesiredReplicasWithBehaviorRate,
    /// TestGetReplicasChangePerPeriod, TestConvertDesiredReplicasWithRules).
    #[test]
    fn ported_normalization_tables() {
        use SelectPolicy::Max;
        // "Scale up with behavior": Percent 200 / 60 s, 5 -> proposal 15, max 10 -> 10.
        let b = Behavior {
            up: rules(300, Max, vec![percent(200, 60)]),
            down: rules(300, Max, vec![percent(100, 60)]),
        };
        let mut a = Autoscaler::new(1, 10, Some(b));
        a.seeded = true; // the table calls the normalizer directly, without the initial recommendation
        assert_eq!(a.reconcile::<()>(5, 0, || Ok(15)).expect("ok").desired, 10);
        // "Scale down with behavior": Percent 50 / 60 s, 8 -> proposal 2 -> trunc(8 x 0.5) = 4.
        let b = Behavior {
            up: rules(300, Max, vec![percent(200, 60)]),
            down: rules(300, Max, vec![percent(50, 60)]),
        };
        let mut a = Autoscaler::new(1, 10, Some(b));
        a.seeded = true;
        assert_eq!(a.reconcile::<()>(8, 0, || Ok(2)).expect("ok").desired, 4);
        // Stabilisation with windows up 300 s / down 600 s; nothing is old enough to be replaced.
        check_stabilize(&[(8, 120), (7, 240)], 5, 10, 300, 600, 7, 3); // "Scale up stabilized"
        check_stabilize(&[(5, 300), (4, 480)], 8, 3, 300, 600, 5, 3); // "Scale down stabilized"
        check_stabilize(&[(5, 60)], 5, 5, 300, 600, 5, 2); // "No change needed"
                                                           // Rate: "Scale up within limits", "Scale down within limits", "Scale up beyond MaxReplicas".
        let b = Behavior {
            up: rules(0, Max, vec![percent(200, 60)]),
            down: rules(300, Max, vec![percent(100, 60)]),
        };
        assert_eq!(
            convert_with_behavior_rate(5, 8, 1, 10, &b, &[], &[], 0),
            (8, Limit::DesiredWithinRange)
        );
        assert_eq!(
            convert_with_behavior_rate(5, 3, 1, 10, &b, &[], &[], 0),
            (3, Limit::DesiredWithinRange)
        );
        assert_eq!(
            convert_with_behavior_rate(8, 12, 1, 10, &b, &[], &[], 0),
            (10, Limit::TooManyReplicas)
        );
        // Change per period: 3 at -30 s, 2 at -45 s, 1 at -70 s -> 5 within 60 s.
        let now = 1_000 * S;
        let ev = |change, ago: i64| ScaleEvent {
            change,
            at_ms: now - ago * S,
            outdated: false,
        };
        assert_eq!(
            change_in_period(60, &[ev(3, 30), ev(2, 45), ev(1, 70)], now),
            5
        );
        assert_eq!(change_in_period(60, &[], now), 0);
        // Legacy rules with the production factor 2.
        check_rules(5, 7, 3, 10, 2.0, 7, Limit::DesiredWithinRange);
        check_rules(5, 2, 3, 10, 2.0, 3, Limit::TooFewReplicas);
        check_rules(5, 15, 3, 10, 2.0, 10, Limit::TooManyReplicas);
    }
}
