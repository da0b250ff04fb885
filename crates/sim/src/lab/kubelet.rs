//! The kubelet, one container at a time: image pulls with their back-off
//! (semantics §5.2), environment resolution (`CreateContainerConfigError`),
//! start, readiness and liveness probes, exits, and the CrashLoopBackOff
//! restart back-off (§5.1: 10 s doubling to 300 s, reset after a run of more
//! than 10 minutes). Each container says when it next needs the clock
//! (`wake`); the world calls it then. Not the controllers, not rendering.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Container, Probe};

use super::app::{self, Run, View};
use super::scenario::Rng;

/// `MaxContainerBackOff` and the initial back-off, in ms.
pub(crate) const BACKOFF_MAX: i64 = 300_000;
pub(crate) const BACKOFF_INITIAL: i64 = 10_000;
/// The pod worker re-syncs a Pod whose sync failed after this long.
pub(crate) const SYNC_ON_ERROR: i64 = 10_000;

/// client-go's `flowcontrol.Backoff` entry: (current back-off, lastUpdate).
pub(crate) type Entry = Option<(i64, i64)>;

/// `Backoff.Next(id, eventTime)` at `now`.
pub(crate) fn next(entry: Entry, event_time: i64, now: i64) -> Entry {
    match entry {
        Some((b, last)) if event_time - last <= 2 * BACKOFF_MAX => {
            Some(((b * 2).min(BACKOFF_MAX), now))
        }
        _ => Some((BACKOFF_INITIAL, now)),
    }
}

/// `Backoff.IsInBackOffSince(id, eventTime)` at `now`.
pub(crate) fn in_backoff(entry: Entry, event_time: i64, now: i64) -> bool {
    match entry {
        Some((b, last)) if event_time - last <= 2 * BACKOFF_MAX => now - event_time < b,
        _ => false,
    }
}

/// `Backoff.IsInBackOffSinceUpdate(id, now)`: the image puller's check.
pub(crate) fn in_backoff_since_update(entry: Entry, now: i64) -> bool {
    match entry {
        Some((b, last)) if now - last <= 2 * BACKOFF_MAX => now - last < b,
        _ => false,
    }
}

/// What starting the container would do now.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    image_present: bool,
    image_exists: bool,
    start: Result<Run, String>,
}

/// Decides what a start of `c` in a Pod with `labels` and `ip` does.
pub(crate) fn plan_start(
    c: &Container,
    labels: &BTreeMap<String, String>,
    _ip: &str,
    view: &View<'_>,
    cached: &BTreeSet<String>,
) -> Plan {
    let image = c.image.clone().unwrap_or_default();
    let start = app::resolve_env(c, view).map(|env| run_for(c, &env, labels, view));
    Plan {
        image_present: cached.contains(&image),
        image_exists: app::image_exists(&image),
        start,
    }
}

/// The process the image runs.
pub(crate) fn run_for(
    c: &Container,
    env: &BTreeMap<String, String>,
    labels: &BTreeMap<String, String>,
    view: &View<'_>,
) -> Run {
    let image = c.image.clone().unwrap_or_default();
    let simple = |port: i32, lines: &[&str]| Run {
        lines: lines
            .iter()
            .enumerate()
            .map(|(i, l)| (200 * i as i64, l.to_string()))
            .collect(),
        exit: None,
        listen: Some(1_500),
        port: Some(port),
    };
    if image.starts_with("postgres") {
        simple(5432, &[
            "PostgreSQL Database directory appears to contain a database; Skipping initialization",
            "2026-03-02 08:55:02.114 UTC [1] LOG:  starting PostgreSQL 16.4 (Debian 16.4-1.pgdg120+2) on x86_64-pc-linux-gnu",
            "2026-03-02 08:55:02.115 UTC [1] LOG:  listening on IPv4 address \"0.0.0.0\", port 5432",
            "2026-03-02 08:55:02.131 UTC [1] LOG:  database system is ready to accept connections",
        ])
    } else if image.starts_with("redis") {
        simple(
            6379,
            &[
                "1:C 02 Mar 2026 08:55:01.402 * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo",
                "1:M 02 Mar 2026 08:55:01.403 * Running mode=standalone, port=6379.",
                "1:M 02 Mar 2026 08:55:01.404 * Ready to accept connections tcp",
            ],
        )
    } else if image.contains("shop-api") {
        app::api_run(c, env, labels, view)
    } else {
        Run {
            lines: Vec::new(),
            exit: None,
            listen: None,
            port: None,
        }
    }
}

/// One container instance (one container ID).
#[derive(Debug, Clone)]
pub(crate) struct Instance {
    pub id: String,
    pub started: i64,
    pub finished: Option<i64>,
    pub exit: Option<(i32, &'static str)>,
    pub lines: Vec<(i64, String)>,
}

#[derive(Debug, Clone)]
pub(crate) enum Step {
    Ready,
    Unhealthy(String),
    Kill,
    Exit(i32, &'static str),
}

/// Where the container is.
#[derive(Debug, Clone)]
pub(crate) enum St {
    /// Sandbox being made; the first pull or start is due at `wake`.
    Creating,
    /// Pulling an image that exists, done at `wake`.
    Pulling,
    /// Waiting after a failed pull: `ErrImagePull` or `ImagePullBackOff`.
    PullFailed {
        reason: &'static str,
        message: String,
    },
    /// Waiting: `CreateContainerConfigError`.
    ConfigError { message: String },
    /// Running; the timed steps still ahead.
    Running {
        listen: Option<(i64, i32)>,
        steps: Vec<(i64, Step)>,
    },
    /// Being stopped (liveness kill or Pod deletion); exits at `wake`.
    Stopping {
        code: i32,
        reason: &'static str,
        restart: bool,
    },
    /// Waiting: `CrashLoopBackOff` until `until`.
    BackOff { until: i64, backoff: i64 },
    /// Gone for good (Pod deleted).
    Exited,
}

/// One container's kubelet state.
#[derive(Debug, Clone)]
pub(crate) struct Ctr {
    pub state: St,
    pub wake: Option<i64>,
    pub restarts: i32,
    pub ready: bool,
    pub ever_started: bool,
    pub current: Option<Instance>,
    pub last: Option<Instance>,
    crash: Entry,
    pull: Entry,
    pull_ms: i64,
}

/// What a wake-up tells the world.
pub(crate) enum Out {
    /// An event on the Pod, for this container.
    Event {
        at: i64,
        kind: &'static str,
        reason: &'static str,
        message: String,
    },
    /// The node now has this image.
    Pulled(String),
}

fn ev(out: &mut Vec<Out>, at: i64, kind: &'static str, reason: &'static str, message: String) {
    out.push(Out::Event {
        at,
        kind,
        reason,
        message,
    });
}

fn probe_times(p: &Probe, start: i64) -> impl Iterator<Item = i64> {
    let first = start + i64::from(p.initial_delay_seconds.unwrap_or(0).max(0)) * 1000;
    let period = i64::from(p.period_seconds.unwrap_or(10).max(1)) * 1000;
    (0..10_000i64).map(move |k| first + k * period)
}

impl Ctr {
    pub(crate) fn new(_c: &Container, first: i64, pull_ms: i64) -> Ctr {
        Ctr {
            state: St::Creating,
            wake: Some(first),
            restarts: 0,
            ready: false,
            ever_started: false,
            current: None,
            last: None,
            crash: None,
            pull: None,
            pull_ms,
        }
    }

    /// The port the process listens on now, if it does.
    pub(crate) fn listening(&self, now: i64) -> Option<i32> {
        match &self.state {
            St::Running {
                listen: Some((t, port)),
                ..
            } if *t <= now => Some(*port),
            _ => None,
        }
    }

    /// Whether this wake-up may start the container (so the world must plan it).
    pub(crate) fn wants_start(&self, now: i64) -> bool {
        match &self.state {
            St::Creating | St::Pulling | St::PullFailed { .. } | St::ConfigError { .. } => true,
            St::BackOff { until, .. } => *until <= now,
            _ => false,
        }
    }

    /// Starts stopping for a Pod deletion; returns when it will have exited,
    /// or None when no process was running.
    pub(crate) fn stop(&mut self, now: i64, grace: i64, image: &str) -> Option<i64> {
        self.ready = false;
        match &self.state {
            St::Running { steps, .. } => {
                // Node.js as PID 1 has no SIGTERM handler: the kubelet's
                // SIGKILL ends it after the grace period. The databases exit cleanly.
                let own_exit = steps
                    .iter()
                    .find_map(|(t, s)| matches!(s, Step::Exit(..)).then_some(*t));
                let (end, code, reason) = if image.contains("shop-api") {
                    (now + grace, 137, "Error")
                } else {
                    (now + 300.min(grace), 0, "Completed")
                };
                let end = own_exit.map_or(end, |e| e.min(end));
                self.state = St::Stopping {
                    code,
                    reason,
                    restart: false,
                };
                self.wake = Some(end);
                Some(end)
            }
            St::Stopping { .. } => self.wake,
            _ => {
                self.state = St::Exited;
                self.wake = None;
                None
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn wake(
        &mut self,
        now: i64,
        spec: &Container,
        pod: &str,
        pod_uid: &str,
        ip: &str,
        plan: Option<Plan>,
        grace: i64,
        rng: &mut Rng,
        out: &mut Vec<Out>,
    ) {
        let image = spec.image.clone().unwrap_or_default();
        let name = spec.name.clone();
        let state = std::mem::replace(&mut self.state, St::Exited);
        self.wake = None;
        if let St::BackOff { until, backoff } = state {
            if until > now {
                ev(out, now, "Warning", "BackOff", format!("Back-off restarting failed container {name} in pod {pod}_default({pod_uid})"));
                self.state = St::BackOff { until, backoff };
                self.wake = Some(until.min(now + SYNC_ON_ERROR));
                return;
            }
        }
        match state {
            St::Exited => {}
            St::Creating
            | St::PullFailed { .. }
            | St::Pulling
            | St::ConfigError { .. }
            | St::BackOff { .. } => {
                let Some(plan) = plan else {
                    self.state = state;
                    return;
                };
                let pulling_done = matches!(state, St::Pulling);
                if let St::BackOff { .. } = state {
                    let finished = self.last.as_ref().and_then(|i| i.finished).unwrap_or(now);
                    self.crash = next(self.crash, finished, now);
                    self.restarts = self.restarts.saturating_add(1);
                }
                if pulling_done {
                    out.push(Out::Pulled(image.clone()));
                    let s = self.pull_ms as f64 / 1000.0;
                    ev(out, now, "Normal", "Pulled", format!(
                        "Successfully pulled image \"{image}\" in {s:.3}s ({s:.3}s including waiting). Image size: 48213654 bytes."
                    ));
                } else if plan.image_present {
                    ev(
                        out,
                        now,
                        "Normal",
                        "Pulled",
                        format!("Container image \"{image}\" already present on machine"),
                    );
                } else if plan.image_exists {
                    ev(
                        out,
                        now,
                        "Normal",
                        "Pulling",
                        format!("Pulling image \"{image}\""),
                    );
                    self.state = St::Pulling;
                    self.wake = Some(now + self.pull_ms);
                    return;
                } else {
                    // §5.2: pull unless in back-off; each failure advances the back-off.
                    if in_backoff_since_update(self.pull, now) {
                        ev(
                            out,
                            now,
                            "Normal",
                            "BackOff",
                            format!("Back-off pulling image \"{image}\""),
                        );
                        ev(
                            out,
                            now,
                            "Warning",
                            "Failed",
                            "Error: ImagePullBackOff".into(),
                        );
                        self.state = St::PullFailed {
                            reason: "ImagePullBackOff",
                            message: format!("Back-off pulling image \"{image}\""),
                        };
                    } else {
                        let full = if image.contains('/') {
                            image.clone()
                        } else {
                            format!("docker.io/library/{image}")
                        };
                        let full = if full.rsplit('/').next().is_some_and(|l| l.contains(':')) {
                            full
                        } else {
                            format!("{full}:latest")
                        };
                        let message = format!(
                            "rpc error: code = NotFound desc = failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": {full}: not found"
                        );
                        ev(
                            out,
                            now,
                            "Normal",
                            "Pulling",
                            format!("Pulling image \"{image}\""),
                        );
                        ev(
                            out,
                            now,
                            "Warning",
                            "Failed",
                            format!("Failed to pull image \"{image}\": {message}"),
                        );
                        ev(out, now, "Warning", "Failed", "Error: ErrImagePull".into());
                        self.pull = next(self.pull, now, now);
                        self.state = St::PullFailed {
                            reason: "ErrImagePull",
                            message,
                        };
                    }
                    self.wake = Some(now + SYNC_ON_ERROR);
                    return;
                }
                self.start(now, spec, ip, plan.start, grace, rng, out);
            }
            St::Running { listen, mut steps } => {
                while let Some((t, _)) = steps.first() {
                    if *t > now {
                        break;
                    }
                    let (t, step) = steps.remove(0);
                    match step {
                        Step::Ready => self.ready = true,
                        Step::Unhealthy(msg) => ev(
                            out,
                            t,
                            "Warning",
                            "Unhealthy",
                            format!("Liveness probe failed: {msg}"),
                        ),
                        Step::Kill => {
                            self.ready = false;
                            ev(
                                out,
                                t,
                                "Normal",
                                "Killing",
                                format!(
                                    "Container {name} failed liveness probe, will be restarted"
                                ),
                            );
                        }
                        Step::Exit(code, reason) => {
                            self.finish(t, code, reason, pod, pod_uid, &name, out);
                            return;
                        }
                    }
                }
                self.wake = steps.first().map(|(t, _)| *t);
                self.state = St::Running { listen, steps };
            }
            St::Stopping {
                code,
                reason,
                restart,
            } => {
                if restart {
                    self.finish(now, code, reason, pod, pod_uid, &name, out);
                } else {
                    self.end_instance(now, code, reason);
                    self.state = St::Exited;
                }
            }
        }
    }

    fn end_instance(&mut self, at: i64, code: i32, reason: &'static str) {
        self.ready = false;
        if let Some(mut i) = self.current.take() {
            i.finished = Some(at);
            i.exit = Some((code, reason));
            i.lines.retain(|(t, _)| *t <= at);
            self.last = Some(i);
        }
    }

    /// The process exited at `at`: restartPolicy Always restarts it, now or after the back-off.
    #[allow(clippy::too_many_arguments)]
    fn finish(
        &mut self,
        at: i64,
        code: i32,
        reason: &'static str,
        pod: &str,
        pod_uid: &str,
        name: &str,
        out: &mut Vec<Out>,
    ) {
        self.end_instance(at, code, reason);
        let backoff = if in_backoff(self.crash, at, at) {
            self.crash.map_or(0, |(b, _)| b)
        } else {
            0
        };
        self.state = St::BackOff {
            until: at + backoff,
            backoff,
        };
        self.wake = Some(at);
        if backoff > 0 {
            ev(
                out,
                at,
                "Warning",
                "BackOff",
                format!(
                    "Back-off restarting failed container {name} in pod {pod}_default({pod_uid})"
                ),
            );
            self.wake = Some((at + SYNC_ON_ERROR).min(at + backoff));
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn start(
        &mut self,
        now: i64,
        spec: &Container,
        ip: &str,
        start: Result<Run, String>,
        grace: i64,
        rng: &mut Rng,
        out: &mut Vec<Out>,
    ) {
        let name = spec.name.clone();
        let run = match start {
            Err(message) => {
                ev(out, now, "Warning", "Failed", format!("Error: {message}"));
                self.state = St::ConfigError { message };
                self.wake = Some(now + SYNC_ON_ERROR);
                return;
            }
            Ok(run) => run,
        };
        ev(
            out,
            now,
            "Normal",
            "Created",
            format!("Created container: {name}"),
        );
        ev(
            out,
            now,
            "Normal",
            "Started",
            format!("Started container {name}"),
        );
        self.ever_started = true;
        let id = format!(
            "containerd://{:016x}{:016x}{:016x}{:016x}",
            rng.next(),
            rng.next(),
            rng.next(),
            rng.next()
        );
        self.current = Some(Instance {
            id,
            started: now,
            finished: None,
            exit: None,
            lines: run
                .lines
                .iter()
                .map(|(t, l)| (now + t, l.clone()))
                .collect(),
        });
        if let Some((_, code, reason)) = run.exit {
            if code == 128 && reason == "StartError" {
                // The runtime could not start the process at all.
                let msg = run
                    .lines
                    .first()
                    .map(|(_, l)| l.clone())
                    .unwrap_or_default();
                ev(out, now, "Warning", "Failed", format!("Error: failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: {msg}"));
            }
        }
        let listen = run.listen.zip(run.port).map(|(t, p)| (now + t, p));
        let exit = run.exit.map(|(t, code, reason)| (now + t, code, reason));
        let listening_at = |t: i64| listen.filter(|(l, _)| *l <= t).map(|(_, p)| p);
        let mut steps: Vec<(i64, Step)> = Vec::new();
        let ends = |t: i64| exit.is_some_and(|(e, _, _)| t >= e);
        // Readiness: the first probe that finds the app listening.
        match &spec.readiness_probe {
            Some(p) => {
                for t in probe_times(p, now) {
                    if ends(t) {
                        break;
                    }
                    if listen.is_some_and(|(l, _)| l <= t) {
                        if app::probe(p, spec, ip, listening_at(t)).is_ok() {
                            steps.push((t, Step::Ready));
                        }
                        break;
                    }
                    if listen.is_none() {
                        break;
                    }
                }
            }
            None => steps.push((listen.map_or(now, |(l, _)| l), Step::Ready)),
        }
        // Liveness: failureThreshold consecutive failures kill the container.
        let mut kill = None;
        if let Some(p) = &spec.liveness_probe {
            let threshold = p.failure_threshold.unwrap_or(3).max(1);
            let mut fails = 0;
            for t in probe_times(p, now) {
                if ends(t) {
                    break;
                }
                match app::probe(p, spec, ip, listening_at(t)) {
                    Ok(()) => {
                        if listen.is_some_and(|(l, _)| l <= t) {
                            break;
                        }
                        fails = 0;
                    }
                    Err(msg) => {
                        fails += 1;
                        steps.push((t, Step::Unhealthy(msg)));
                        if fails >= threshold {
                            steps.push((t, Step::Kill));
                            kill = Some(t);
                            break;
                        }
                    }
                }
            }
        }
        match (kill, exit) {
            (Some(k), Some((e, code, reason))) if e < k + grace => {
                steps.retain(|(t, _)| *t <= e);
                steps.push((e, Step::Exit(code, reason)));
            }
            (Some(k), _) => {
                steps.retain(|(t, s)| *t < k || matches!(s, Step::Kill | Step::Unhealthy(_)));
                steps.push((k + grace, Step::Exit(137, "Error")));
            }
            (None, Some((e, code, reason))) => {
                steps.retain(|(t, _)| *t <= e);
                steps.push((e, Step::Exit(code, reason)));
            }
            (None, None) => {}
        }
        steps.sort_by_key(|(t, s)| (*t, matches!(s, Step::Exit(..))));
        self.wake = steps.first().map(|(t, _)| *t);
        self.state = St::Running { listen, steps };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Replays `Next` calls at the given times (ms) and returns the back-off
    /// after each, the way client-go's flowcontrol tests step a fake clock.
    #[track_caller]
    fn check(times: &[i64], want: &[i64]) {
        let mut e: Entry = None;
        let got: Vec<i64> = times
            .iter()
            .map(|&t| {
                e = next(e, t, t);
                e.map_or(0, |(b, _)| b)
            })
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn next_doubles_to_the_cap() {
        // client-go util/flowcontrol/backoff_test.go TestSlowBackoff: each
        // step doubles until the max, then stays there.
        check(
            &[
                0, 10_000, 30_000, 70_000, 150_000, 310_000, 610_000, 910_000,
            ],
            &[
                10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000,
            ],
        );
    }

    #[test]
    fn next_resets_after_twice_the_cap() {
        // TestBackoffReset: an event more than 2 × max after the last update
        // starts again at the initial back-off.
        check(
            &[0, 10_000, 30_000, 630_001],
            &[10_000, 20_000, 40_000, 10_000],
        );
        // Exactly 2 × max is not yet expired (hasExpired uses >).
        check(&[0, 600_000], &[10_000, 20_000]);
    }

    #[test]
    fn in_backoff_since_and_since_update() {
        // TestIsInBackOffSinceUpdate / IsInBackOffSince: within the current
        // back-off of the event time (or last update) only.
        let e = Some((20_000, 100_000));
        assert!(in_backoff(e, 105_000, 124_999));
        assert!(!in_backoff(e, 105_000, 125_000));
        assert!(!in_backoff(None, 0, 0));
        assert!(
            !in_backoff(e, 700_001, 700_001),
            "expired entries are not in back-off"
        );
        assert!(in_backoff_since_update(e, 119_999));
        assert!(!in_backoff_since_update(e, 120_000));
    }
}
