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
pub mod patch;
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
#[derive(Debug)]
pub struct LabState {
    /// The simulated cluster.
    pub world: World,
    /// Every request, in arrival order.
    pub requests: Vec<RequestRecord>,
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
            world,
            requests: Vec::new(),
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
        .route("/lab/v1/status", get(status_doc));
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
    {
        let mut st = lab.lock();
        st.sync();
        let at_ms = st.world.elapsed_ms();
        st.requests.push(RequestRecord {
            method: req.method().to_string(),
            path,
            query: req.uri().query().unwrap_or("").to_string(),
            at_ms,
        });
    }
    next.run(req).await
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
