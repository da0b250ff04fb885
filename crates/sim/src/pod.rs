//! What a Pod template says about a Pod's life, for every simulator: when a
//! new Pod turns Ready (its readiness probe's timing against the app's
//! warm-up) and how long its preStop hook holds it (a `sleep` handler or an
//! exec of `sleep N`). Pure functions of the template; the rollout, HPA and
//! StatefulSet simulators and the static checks all read Pods through here.

use k8s_openapi::api::core::v1::{Container, PodSpec, Probe};

/// Longer grace periods and hooks are taken as this (about 31 years): no
/// simulation gets near it, and time arithmetic cannot overflow.
pub const MAX_SECONDS: i64 = 1_000_000_000;

/// Probe timing, in milliseconds, with the API defaults applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProbeTiming {
    /// `initialDelaySeconds` (default 0).
    pub initial_delay_ms: i64,
    /// `periodSeconds` (default 10, at least 1).
    pub period_ms: i64,
    /// `successThreshold` (default 1, at least 1).
    pub success_threshold: i64,
}

impl ProbeTiming {
    /// Reads a probe.
    pub fn of(p: &Probe) -> ProbeTiming {
        ProbeTiming {
            initial_delay_ms: i64::from(p.initial_delay_seconds.unwrap_or(0).max(0)) * 1000,
            period_ms: i64::from(p.period_seconds.unwrap_or(10).max(1)) * 1000,
            success_threshold: i64::from(p.success_threshold.unwrap_or(1).max(1)),
        }
    }

    /// The first probe at or after `not_before`, probes running at
    /// `running + initialDelay + k × period`.
    pub fn first_tick_at_or_after(&self, running: i64, not_before: i64) -> i64 {
        let first = running + self.initial_delay_ms;
        if not_before <= first {
            return first;
        }
        let k = (not_before - first + self.period_ms - 1) / self.period_ms;
        first + k * self.period_ms
    }

    /// When a Pod whose container runs at `running` and whose app is warm at
    /// `warm` turns Ready: the first probe that finds the app warm, plus
    /// `successThreshold - 1` more periods.
    pub fn ready_at(&self, running: i64, warm: i64) -> i64 {
        self.first_tick_at_or_after(running, warm) + (self.success_threshold - 1) * self.period_ms
    }
}

/// The readiness probe of a Pod: the first container's that has one.
pub fn readiness(spec: &PodSpec) -> Option<ProbeTiming> {
    spec.containers
        .iter()
        .find_map(|c| c.readiness_probe.as_ref())
        .map(ProbeTiming::of)
}

/// The preStop hook's duration in ms: `sleep: {seconds}`, or an exec whose
/// command line runs `sleep N` (directly, or in a `sh -c` script, where every
/// `sleep` in the script counts); anything else 0.
pub fn pre_stop_ms(c: &Container) -> i64 {
    let Some(h) = c.lifecycle.as_ref().and_then(|l| l.pre_stop.as_ref()) else {
        return 0;
    };
    if let Some(s) = &h.sleep {
        return s.seconds.clamp(0, MAX_SECONDS) * 1000;
    }
    let Some(cmd) = h.exec.as_ref().and_then(|e| e.command.as_ref()) else {
        return 0;
    };
    let words: Vec<&str> = cmd
        .iter()
        .flat_map(|a| a.split(|c: char| c.is_whitespace() || c == ';' || c == '&' || c == '|'))
        .filter(|w| !w.is_empty())
        .collect();
    let total: f64 = words
        .windows(2)
        .filter(|w| w[0].rsplit('/').next() == Some("sleep"))
        .filter_map(|w| {
            w[1].trim_matches('"')
                .trim_end_matches('s')
                .parse::<f64>()
                .ok()
        })
        .filter(|v| v.is_finite() && *v >= 0.0)
        .sum();
    (total.min(MAX_SECONDS as f64) * 1000.0).round() as i64
}

/// Whether the container has a preStop hook at all (of any kind).
pub fn has_pre_stop(c: &Container) -> bool {
    c.lifecycle
        .as_ref()
        .and_then(|l| l.pre_stop.as_ref())
        .is_some()
}
