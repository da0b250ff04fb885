//! The lab's Kubernetes-compatible API: enough of the API server for the
//! real kubectl (1.28 or newer) to investigate and fix a lab world —
//! discovery, list/get/watch with Table responses and selectors, Pod logs,
//! create/replace/patch/apply/delete, the Deployment scale subresource —
//! plus the lab's own `/lab/v1/advance` and `/lab/v1/status`.
//!
//! kubectl sends credentials only over TLS, so the CLI serves HTTPS with a
//! self-signed certificate made at start ([`Certificate`], [`serve_tls`]);
//! [`serve`] is plain HTTP for in-process tests and benchmarks.
//!
//! The world's clock follows wall time (times a scale), advanced lazily when
//! a request arrives. Every request needs the bearer token except
//! `/version`, which real clusters also show to anyone. Every request is
//! logged (method, path, query, simulated time) for scoring. Not the CLI:
//! `kubeprep lab serve` builds the world, writes the kubeconfig and prints.

mod api;
pub mod discovery;
pub mod proto;
pub mod status;
mod tls;

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use kubeprep_interview::lab::{LabScorecard, LabSession, Step};
use kubeprep_sim::lab::World;
use serde::Serialize;
use tokio::net::TcpListener;

pub use status::ApiError;
pub use tls::{serve_tls, Certificate, TlsError};

/// Request bodies larger than this are refused with 413.
pub const MAX_BODY: usize = 1024 * 1024;

/// One request the candidate made, for scoring the path they took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestRecord {
    /// `GET`, `PATCH`, ...
    pub method: String,
    /// The URL path, e.g. `/api/v1/namespaces/default/pods`.
    pub path: String,
    /// The raw query string ("" when none).
    pub query: String,
    /// Simulated milliseconds since the api was deployed, when it arrived.
    pub at_ms: i64,
}

/// The world and what happened to it, shared by every request.
pub struct LabState {
    /// The simulated cluster.
    pub world: World,
    /// Every request, in arrival order.
    pub requests: Vec<RequestRecord>,
    /// The scoring: the path (what each successful request looked at or
    /// changed), hints and diagnoses. `None` serves the world unscored.
    pub scoring: Option<LabSession<'static>>,
    /// The world's clock when the candidate arrived.
    arrived_ms: i64,
    time_scale: f64,
    synced: Instant,
    carry_ms: f64,
    revision: u64,
}

impl LabState {
    /// A lab over `world` whose clock runs `time_scale` times wall time
    /// (0 stops it: only `/lab/v1/advance` moves it).
    pub fn new(world: World, time_scale: f64) -> LabState {
        LabState {
            arrived_ms: world.elapsed_ms(),
            world,
            requests: Vec::new(),
            scoring: None,
            time_scale: if time_scale.is_finite() {
                time_scale.max(0.0)
            } else {
                1.0
            },
            synced: Instant::now(),
            carry_ms: 0.0,
            revision: 1,
        }
    }

    /// The same lab, scored by `session`.
    pub fn scored(mut self, session: LabSession<'static>) -> LabState {
        self.scoring = Some(session);
        self
    }

    /// Simulated milliseconds since the candidate arrived.
    pub fn sim_ms(&self) -> i64 {
        self.world.elapsed_ms() - self.arrived_ms
    }

    /// The lab scorecard so far, with the world's verdict on the fix.
    pub fn scorecard(&self) -> Option<LabScorecard> {
        self.scoring
            .as_ref()
            .map(|s| s.scorecard(self.world.fault_fixed()))
    }

    /// Brings the world's clock up to wall time.
    pub fn sync(&mut self) {
        let now = Instant::now();
        let wall = now.duration_since(self.synced).as_secs_f64() * 1000.0;
        self.synced = now;
        let due = wall * self.time_scale + self.carry_ms;
        let whole = due.floor().min(kubeprep_sim::lab::MAX_ADVANCE_MS as f64);
        self.carry_ms = (due - whole).clamp(0.0, 1.0);
        if whole >= 1.0 {
            self.world.advance(whole as i64);
        }
    }

    /// A resourceVersion for list responses: it grows with every request.
    fn next_revision(&mut self) -> u64 {
        self.revision += 1;
        self.revision
    }
}

/// The state every handler reaches.
#[derive(Clone)]
pub struct Lab {
    state: Arc<Mutex<LabState>>,
    token: Arc<str>,
}

impl Lab {
    /// A lab that accepts requests bearing `token`.
    pub fn new(state: LabState, token: &str) -> Lab {
        Lab {
            state: Arc::new(Mutex::new(state)),
            token: token.into(),
        }
    }

    /// The shared state, locked (a poisoned lock is taken over: the world
    /// is plain data and stays consistent between calls).
    pub fn lock(&self) -> MutexGuard<'_, LabState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The router: the Kubernetes API, the lab's own endpoints, the token check
/// and the body limit.
pub fn router(lab: Lab) -> Router {
    let lab_routes = Router::new()
        .route("/lab/v1/advance", post(advance))
        .route("/lab/v1/status", get(status_doc))
        .route("/lab/v1/hint", post(hint))
        .route("/lab/v1/diagnose", post(diagnose))
        .route("/lab/v1/scorecard", get(scorecard));
    Router::new()
        .merge(lab_routes)
        .fallback(api::dispatch)
        .layer(middleware::from_fn_with_state(lab.clone(), authorize))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(MAX_BODY))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(lab)
}

/// Serves `router` on `listener` until `shutdown` completes, then lets
/// open requests (watches included) end.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Constant-time comparison, so the token cannot be guessed byte by byte.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn authorize(State(lab): State<Lab>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if path != "/version" && path != "/version/" {
        let ok = req
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|t| same(t.trim().as_bytes(), lab.token.as_bytes()));
        if !ok {
            return ApiError::unauthorized().into_response();
        }
    }
    let method = req.method().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    {
        let mut st = lab.lock();
        st.sync();
        let at_ms = st.world.elapsed_ms();
        st.requests.push(RequestRecord {
            method: method.clone(),
            path: path.clone(),
            query: query.clone(),
            at_ms,
        });
    }
    let response = next.run(req).await;
    // What the candidate looked at or changed counts for the path; a request
    // the server refused looked at and changed nothing.
    if response.status().is_success() && !path.starts_with("/lab/") {
        if let Some(step) = Step::from_api(&method, &path, &query) {
            let mut st = lab.lock();
            let sim_ms = st.sim_ms();
            if let Some(s) = st.scoring.as_mut() {
                s.record(sim_ms, step);
            }
        }
    }
    response
}

/// `POST /lab/v1/hint`: the next of the fault's four hints (each costs score).
async fn hint(State(lab): State<Lab>) -> Response {
    let mut st = lab.lock();
    let sim_ms = st.sim_ms();
    let Some(session) = st.scoring.as_mut() else {
        return ApiError::not_found_message("this lab is not scored: it has no hints")
            .into_response();
    };
    match session.hint(sim_ms) {
        Some(h) => axum::Json(serde_json::json!({
            "level": h.level,
            "name": h.name,
            "text": h.text,
        }))
        .into_response(),
        None => axum::Json(serde_json::json!({
            "level": null,
            "text": "No more hints -- that was the full walkthrough.",
        }))
        .into_response(),
    }
}

/// Longest diagnosis accepted, in bytes.
const MAX_DIAGNOSIS: usize = 8 * 1024;

/// `POST /lab/v1/diagnose`: records the root cause in the candidate's words
/// (the body: plain text, or JSON `{"text": "..."}`); the last one counts.
async fn diagnose(State(lab): State<Lab>, body: Body) -> Response {
    let bytes = match body_bytes(body).await {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let Ok(raw) = std::str::from_utf8(&bytes) else {
        return ApiError::bad_request("the diagnosis must be UTF-8 text").into_response();
    };
    let text = match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(serde_json::Value::Object(o)) => match o.get("text").and_then(|t| t.as_str()) {
            Some(t) => t.trim().to_string(),
            None => return ApiError::bad_request(
                "a JSON diagnosis needs a \"text\" string, e.g. {\"text\": \"the selector ...\"}",
            )
            .into_response(),
        },
        _ => raw.trim().to_string(),
    };
    if text.is_empty() {
        return ApiError::bad_request(
            "the diagnosis is empty; send the root cause in your words as the body",
        )
        .into_response();
    }
    if text.len() > MAX_DIAGNOSIS {
        return ApiError::bad_request("the diagnosis is over 8 KB; say it in a few sentences")
            .into_response();
    }
    let mut st = lab.lock();
    let sim_ms = st.sim_ms();
    let Some(session) = st.scoring.as_mut() else {
        return ApiError::not_found_message("this lab is not scored: it takes no diagnosis")
            .into_response();
    };
    match session.diagnose(sim_ms, &text) {
        Ok(_) => axum::Json(serde_json::json!({
            "recorded": session.diagnoses().len(),
            "message": "Diagnosis recorded; the last one counts. It is graded on the scorecard at the end.",
        }))
        .into_response(),
        Err(e) => ApiError::internal(&e.to_string()).into_response(),
    }
}

/// `GET /lab/v1/scorecard`: the lab scorecard as it stands (JSON).
async fn scorecard(State(lab): State<Lab>) -> Response {
    let st = lab.lock();
    match st.scorecard() {
        Some(card) => axum::Json(kubeprep_interview::lab::json(&card)).into_response(),
        None => ApiError::not_found_message("this lab is not scored").into_response(),
    }
}

/// The lab's own status document.
#[derive(Debug, Clone, Serialize)]
pub struct LabStatus {
    /// Whether the injected fault is fixed.
    pub fixed: bool,
    /// Why not, when it is not.
    pub reason: Option<String>,
    /// Simulated milliseconds since the api was deployed.
    pub elapsed_ms: i64,
    /// The same, as kubectl prints ages.
    pub elapsed: String,
    /// How many requests the lab has answered.
    pub requests: usize,
}

fn lab_status(st: &LabState) -> LabStatus {
    let fixed = st.world.fault_fixed();
    LabStatus {
        fixed: fixed.is_ok(),
        reason: fixed.err(),
        elapsed_ms: st.world.elapsed_ms(),
        elapsed: kubeprep_sim::lab::table::age(st.world.elapsed_ms()),
        requests: st.requests.len(),
    }
}

async fn status_doc(State(lab): State<Lab>) -> Response {
    let st = lab.lock();
    axum::Json(lab_status(&st)).into_response()
}

#[derive(serde::Deserialize)]
struct AdvanceQuery {
    seconds: Option<String>,
}

/// `POST /lab/v1/advance?seconds=N`: moves the clock on (at most a week).
async fn advance(
    State(lab): State<Lab>,
    axum::extract::Query(q): axum::extract::Query<AdvanceQuery>,
) -> Response {
    let seconds = match q.seconds.as_deref().map(str::parse::<f64>) {
        Some(Ok(s)) if s.is_finite() && s >= 0.0 => s,
        _ => {
            return ApiError::bad_request(
                "seconds must be a non-negative number, e.g. /lab/v1/advance?seconds=60",
            )
            .into_response()
        }
    };
    let ms = (seconds * 1000.0).min(kubeprep_sim::lab::MAX_ADVANCE_MS as f64) as i64;
    let mut st = lab.lock();
    st.world.advance(ms);
    axum::Json(lab_status(&st)).into_response()
}

/// A body as bytes, or 413 past [`MAX_BODY`].
async fn body_bytes(body: Body) -> Result<axum::body::Bytes, ApiError> {
    axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| ApiError::too_large(MAX_BODY))
}
