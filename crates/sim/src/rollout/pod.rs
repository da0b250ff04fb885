//! What a Pod template means for the pod model: when a new Pod turns Ready
//! (pod start, app warm-up, startup and readiness probes) and how long it
//! takes to stop (preStop hook, termination grace period). Pure functions of
//! the template and the model; the event loop in `engine.rs` uses them.

use k8s_openapi::api::core::v1::{Container, PodTemplateSpec};

use super::Model;
use crate::pod::MAX_SECONDS;
pub use crate::pod::{pre_stop_ms, ProbeTiming};

/// How a template's Pods start and stop under the model.
#[derive(Debug, Clone, PartialEq)]
pub struct PodTiming {
    /// The readiness probe, if any container has one (the first found).
    pub readiness: Option<ProbeTiming>,
    /// The startup probe, if any (readiness probes wait for it).
    pub startup: Option<ProbeTiming>,
    /// The longest preStop hook among the containers, in ms.
    pub pre_stop_ms: i64,
    /// `terminationGracePeriodSeconds` (default 30) in ms.
    pub grace_ms: i64,
    /// The app never warms up (`--new-version-broken` on the updated template).
    pub broken: bool,
}

/// When a Pod's container runs, its app warms up and it turns Ready
/// (None: never), relative to the same clock as `created`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Startup {
    /// The container runs.
    pub running: i64,
    /// The app answers (None: never).
    pub warm: Option<i64>,
    /// The Ready condition turns True (None: never).
    pub ready: Option<i64>,
}

impl PodTiming {
    /// Reads the template.
    pub fn of(t: &PodTemplateSpec, broken: bool) -> PodTiming {
        let empty = Vec::new();
        let containers: &Vec<Container> = t.spec.as_ref().map(|s| &s.containers).unwrap_or(&empty);
        let readiness = containers
            .iter()
            .find_map(|c| c.readiness_probe.as_ref())
            .map(ProbeTiming::of);
        let startup = containers
            .iter()
            .find_map(|c| c.startup_probe.as_ref())
            .map(ProbeTiming::of);
        let pre_stop_ms = containers.iter().map(pre_stop_ms).max().unwrap_or(0);
        let grace_s = t
            .spec
            .as_ref()
            .and_then(|s| s.termination_grace_period_seconds)
            .unwrap_or(30)
            .max(0);
        PodTiming {
            readiness,
            startup,
            pre_stop_ms,
            grace_ms: grace_s.min(MAX_SECONDS) * 1000,
            broken,
        }
    }

    /// The startup of a Pod created at `created`.
    pub fn startup(&self, created: i64, m: &Model) -> Startup {
        let running = created + m.pod_start_ms;
        let warm = (!self.broken).then_some(running + m.app_warmup_ms);
        let ready = match (self.readiness, warm) {
            (_, None) => None,
            (None, Some(_)) => Some(running),
            (Some(r), Some(w)) => {
                // Readiness probes are held until the startup probe succeeds,
                // which it does at its first probe that finds the app warm.
                let gate = match self.startup {
                    Some(s) => s.first_tick_at_or_after(running, w),
                    None => running,
                };
                Some(r.ready_at(running, w.max(gate)))
            }
        };
        Startup {
            running,
            warm,
            ready,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{ExecAction, Lifecycle, LifecycleHandler, SleepAction};

    fn with_hook(h: LifecycleHandler) -> Container {
        Container {
            name: "c".into(),
            lifecycle: Some(Lifecycle {
                pre_stop: Some(h),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn exec(cmd: &[&str]) -> LifecycleHandler {
        LifecycleHandler {
            exec: Some(ExecAction {
                command: Some(cmd.iter().map(|s| s.to_string()).collect()),
            }),
            ..Default::default()
        }
    }

    #[track_caller]
    fn check_pre_stop(h: LifecycleHandler, want_ms: i64) {
        assert_eq!(pre_stop_ms(&with_hook(h)), want_ms);
    }

    #[test]
    fn pre_stop_forms() {
        check_pre_stop(
            LifecycleHandler {
                sleep: Some(SleepAction { seconds: 10 }),
                ..Default::default()
            },
            10_000,
        );
        check_pre_stop(exec(&["sleep", "5"]), 5_000);
        check_pre_stop(exec(&["/bin/sleep", "2.5"]), 2_500);
        check_pre_stop(exec(&["sh", "-c", "sleep 15"]), 15_000);
        check_pre_stop(exec(&["/bin/sh", "-c", "sleep 3 && kill -TERM 1"]), 3_000);
        check_pre_stop(exec(&["nginx", "-s", "quit"]), 0);
        assert_eq!(pre_stop_ms(&Container::default()), 0);
    }

    #[track_caller]
    fn check_ready(
        readiness: Option<ProbeTiming>,
        startup: Option<ProbeTiming>,
        want: Option<i64>,
    ) {
        let t = PodTiming {
            readiness,
            startup,
            pre_stop_ms: 0,
            grace_ms: 30_000,
            broken: false,
        };
        assert_eq!(t.startup(0, &Model::default()).ready, want);
    }

    fn probe(delay: i64, period: i64, success: i64) -> Option<ProbeTiming> {
        Some(ProbeTiming {
            initial_delay_ms: delay * 1000,
            period_ms: period * 1000,
            success_threshold: success,
        })
    }

    #[test]
    fn readiness_timing() {
        // Defaults: running at 5 s, warm at 13 s.
        check_ready(None, None, Some(5_000));
        // Probes at 5+10=15, 20, ...: first finding the app warm is 15.
        check_ready(probe(10, 5, 1), None, Some(15_000));
        // Probes at 5, 15, 25: 15 finds it warm; two successes: 25.
        check_ready(probe(0, 10, 2), None, Some(25_000));
        // A probe exactly when the app warms finds it warm: 5 + 8 = 13.
        check_ready(probe(8, 1, 1), None, Some(13_000));
        // Startup probe every 2 s from 5: succeeds at 13; readiness every 5 s from 5: 15.
        check_ready(probe(0, 5, 1), probe(0, 2, 1), Some(15_000));
        let broken = PodTiming {
            readiness: None,
            startup: None,
            pre_stop_ms: 0,
            grace_ms: 0,
            broken: true,
        };
        assert_eq!(broken.startup(0, &Model::default()).ready, None);
    }
}
