//! Operations: the probes a Kubernetes Deployment uses (`/healthz`,
//! `/livez`, `/readyz` — ready only when the database answers), Prometheus
//! metrics at `/metrics` (hand-rolled counters and one latency histogram),
//! request logging through `tracing` (text or JSON), and the shutdown
//! signal (SIGTERM or Ctrl-C).
//!
//! The request log names the method, the route *template*
//! (`/invite/{token}`, never the token), the status and the latency: no
//! query strings, cookies, bodies or headers, so passwords and tokens
//! cannot reach it.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State as AxState};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::State;

/// Upper bounds (seconds) of the latency histogram's buckets.
const BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// Counters since the process started.
#[derive(Debug, Default)]
pub struct Metrics {
    by_class: [AtomicU64; 5],
    in_flight: AtomicU64,
    buckets: [AtomicU64; BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_us: AtomicU64,
    events: AtomicU64,
    logins_ok: AtomicU64,
    logins_failed: AtomicU64,
    logins_limited: AtomicU64,
}

/// How a login attempt ended, for the counters.
#[derive(Debug, Clone, Copy)]
pub enum LoginResult {
    /// Signed in.
    Ok,
    /// Wrong e-mail or password.
    Failed,
    /// Refused by the rate limiter.
    Limited,
}

impl Metrics {
    /// Counts one stored interview event.
    pub fn count_event(&self) {
        self.events.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one login attempt.
    pub fn count_login(&self, result: LoginResult) {
        let counter = match result {
            LoginResult::Ok => &self.logins_ok,
            LoginResult::Failed => &self.logins_failed,
            LoginResult::Limited => &self.logins_limited,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn observe(&self, status: StatusCode, seconds: f64) {
        let class = (status.as_u16() / 100).clamp(1, 5) as usize - 1;
        self.by_class[class].fetch_add(1, Ordering::Relaxed);
        for (bucket, bound) in self.buckets.iter().zip(BUCKETS) {
            if seconds <= bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_us
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }

    /// The Prometheus text exposition of every counter.
    pub fn render(&self) -> String {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut out = String::new();
        out.push_str(
            "# HELP kubeprep_http_requests_total HTTP requests answered, by status class.\n",
        );
        out.push_str("# TYPE kubeprep_http_requests_total counter\n");
        for (i, counter) in self.by_class.iter().enumerate() {
            let _ = writeln!(
                out,
                "kubeprep_http_requests_total{{class=\"{}xx\"}} {}",
                i + 1,
                get(counter)
            );
        }
        out.push_str("# HELP kubeprep_http_requests_in_flight Requests being handled now.\n");
        out.push_str("# TYPE kubeprep_http_requests_in_flight gauge\n");
        let _ = writeln!(
            out,
            "kubeprep_http_requests_in_flight {}",
            get(&self.in_flight)
        );
        out.push_str("# HELP kubeprep_http_request_duration_seconds Time to answer a request.\n");
        out.push_str("# TYPE kubeprep_http_request_duration_seconds histogram\n");
        for (bucket, bound) in self.buckets.iter().zip(BUCKETS) {
            let _ = writeln!(
                out,
                "kubeprep_http_request_duration_seconds_bucket{{le=\"{bound}\"}} {}",
                get(bucket)
            );
        }
        let count = get(&self.latency_count);
        let _ = writeln!(
            out,
            "kubeprep_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(
            out,
            "kubeprep_http_request_duration_seconds_sum {}",
            get(&self.latency_sum_us) as f64 / 1e6
        );
        let _ = writeln!(out, "kubeprep_http_request_duration_seconds_count {count}");
        out.push_str("# HELP kubeprep_interview_events_total Interview events stored.\n");
        out.push_str("# TYPE kubeprep_interview_events_total counter\n");
        let _ = writeln!(out, "kubeprep_interview_events_total {}", get(&self.events));
        out.push_str("# HELP kubeprep_logins_total Sign-in attempts, by result.\n");
        out.push_str("# TYPE kubeprep_logins_total counter\n");
        for (result, counter) in [
            ("ok", &self.logins_ok),
            ("failed", &self.logins_failed),
            ("limited", &self.logins_limited),
        ] {
            let _ = writeln!(
                out,
                "kubeprep_logins_total{{result=\"{result}\"}} {}",
                get(counter)
            );
        }
        out
    }
}

/// Middleware: counts and logs every request (route template, status,
/// latency — never the URL's own path, query, headers or body).
pub async fn observe(AxState(state): AxState<State>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned())
        .unwrap_or_else(|| "(unmatched)".to_owned());
    state.metrics.in_flight.fetch_add(1, Ordering::Relaxed);
    let response = next.run(request).await;
    state.metrics.in_flight.fetch_sub(1, Ordering::Relaxed);
    let seconds = started.elapsed().as_secs_f64();
    state.metrics.observe(response.status(), seconds);
    tracing::info!(
        method = %method,
        route = %route,
        status = response.status().as_u16(),
        ms = (seconds * 1000.0 * 10.0).round() / 10.0,
        "request"
    );
    response
}

/// `GET /healthz`: the process answers.
pub async fn healthz() -> &'static str {
    "ok\n"
}

/// `GET /livez`: the process is not wedged (same as `/healthz`; liveness
/// must not depend on the database, or a database outage restarts every
/// replica).
pub async fn livez() -> &'static str {
    "ok\n"
}

/// `GET /readyz`: 200 when the database answers, 503 otherwise.
pub async fn readyz(AxState(state): AxState<State>) -> Response {
    match tokio::time::timeout(std::time::Duration::from_secs(2), state.store.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready\n").into_response(),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness: the database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database timed out\n").into_response(),
    }
}

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(AxState(state): AxState<State>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// One human-readable line per event.
    #[default]
    Text,
    /// One JSON object per line, for a log pipeline.
    Json,
}

/// Installs the global `tracing` subscriber writing to stderr; the level
/// comes from `RUST_LOG` (default `info`).
pub fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // Installing twice (tests) is harmless: the first subscriber stays.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// Completes on SIGTERM (what Kubernetes sends) or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: no new connections; finishing requests in flight");
}
