//! The web application behind `kubeprep serve`: server-rendered pages
//! (maud, which escapes every interpolated value), a JSON API, accounts with
//! roles, and the operational endpoints a Kubernetes Deployment probes.
//!
//! Every request reads what it needs from the store and writes events
//! before applying them, exactly like the CLI: an interview is a replay of
//! its stored events, so a replica can die between two requests and another
//! picks the session up. In memory there are only the login rate limiter,
//! the metrics counters (per replica by nature) and a cache of replayed
//! engines that is brought up to date from the store before every use.
//!
//! Not for: the interview's logic or SQL; this module translates HTTP to
//! engine events and store calls.
//!
//! Layout: [`auth`] (passwords, cookies, CSRF, the viewer extractor, rate
//! limiting), [`pages`] (HTML handlers), [`view`] (maud templates and CSS),
//! [`chart`] (server-drawn SVG), [`session`] (driving the engine), [`api`]
//! (the JSON API and its OpenAPI description),
//! [`ops`] (probes, metrics, logging, shutdown).

pub mod api;
pub mod auth;
pub mod chart;
pub mod error;
pub mod ops;
pub mod pages;
pub mod session;
pub mod view;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use kubeprep_bank::Pack;
use kubeprep_grade::Grader;
use kubeprep_store::AnyStore;

/// How the server behaves; the CLI fills it from flags and environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// Mark cookies `Secure` even when a request does not say it came over
    /// HTTPS (`X-Forwarded-Proto: https` always does).
    pub secure_cookies: bool,
    /// Largest request body accepted; larger ones get 413.
    pub body_limit: usize,
    /// Login attempts allowed per minute for one address and e-mail.
    pub login_attempts_per_minute: u32,
    /// Behind a reverse proxy that appends the client's address to
    /// `X-Forwarded-For`: rate limits key on that address, not the proxy's.
    pub behind_proxy: bool,
    /// How long a login lasts.
    pub session_hours: i64,
    /// How long an invite link works.
    pub invite_days: i64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            body_limit: 64 * 1024,
            login_attempts_per_minute: 5,
            behind_proxy: false,
            session_hours: 12,
            invite_days: 7,
        }
    }
}

/// What every handler shares: the store, the pack and its grader, the
/// configuration, the login limiter and the metrics.
pub struct AppState {
    /// Where sessions and accounts live.
    pub store: AnyStore,
    /// The interview pack (leaked once per state: engines borrow it for the
    /// life of the process).
    pub pack: &'static Pack,
    /// The pack's compiled grader (leaked likewise).
    pub grader: &'static Grader,
    /// Replayed engines by session, checked against the store before use
    /// (see `session::load`): a cache, never the truth.
    pub engines: session::EngineCache,
    /// Behaviour switches.
    pub config: Config,
    /// Login attempts by address and e-mail.
    pub login_limiter: auth::LoginLimiter,
    /// Counters for `/metrics`.
    pub metrics: ops::Metrics,
}

impl AppState {
    /// Builds the shared state. Fails when the pack's patterns do not compile.
    pub fn new(store: AnyStore, pack: Pack, config: Config) -> anyhow::Result<Arc<Self>> {
        let grader = Grader::new(&pack)
            .map_err(|err| anyhow::anyhow!("the pack's grader does not compile: {err}"))?;
        let login_limiter = auth::LoginLimiter::new(config.login_attempts_per_minute);
        // One pack and grader per server, alive until the process ends; a
        // cached engine borrows them, so they must outlive any request.
        let pack: &'static Pack = Box::leak(Box::new(pack));
        let grader: &'static Grader = Box::leak(Box::new(grader));
        Ok(Arc::new(Self {
            store,
            pack,
            grader,
            engines: session::EngineCache::default(),
            config,
            login_limiter,
            metrics: ops::Metrics::default(),
        }))
    }
}

/// Shared state as handlers receive it.
pub type State = Arc<AppState>;

/// Every route of the application, with the body limit, metrics and
/// request logging around them.
pub fn router(state: State) -> Router {
    let limit = state.config.body_limit;
    Router::new()
        .route("/", get(pages::root))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route(
            "/invite/{token}",
            get(pages::invite_form).post(pages::invite_accept),
        )
        .route("/home", get(pages::home))
        .route("/sessions", post(pages::start_session))
        .route("/s/{id}", get(pages::interview_page))
        .route("/s/{id}/act", post(pages::act))
        .route("/s/{id}/scorecard", get(pages::scorecard_page))
        .route("/s/{id}/scorecard.md", get(pages::scorecard_markdown))
        .route("/s/{id}/scorecard.json", get(pages::scorecard_json))
        .route("/s/{id}/notes", post(pages::add_note))
        .route("/s/{id}/overrides", post(pages::set_override))
        .route("/review", get(pages::review))
        .route("/admin", get(pages::admin))
        .route("/admin/cohorts", post(pages::admin_create_cohort))
        .route("/admin/invites", post(pages::admin_create_invite))
        .route("/admin/roles", post(pages::admin_set_role))
        .route("/admin/members", post(pages::admin_add_member))
        .route("/account", get(pages::account))
        .route("/account/tokens", post(pages::create_token))
        .route("/api/openapi.json", get(api::openapi))
        .route("/api/v1/me", get(api::me))
        .route(
            "/api/v1/sessions",
            get(api::list_sessions).post(api::start_session),
        )
        .route("/api/v1/sessions/{id}", get(api::get_session))
        .route("/api/v1/sessions/{id}/events", post(api::act))
        .route("/api/v1/sessions/{id}/scorecard", get(api::scorecard))
        .route("/api/v1/sessions/{id}/notes", post(api::add_note))
        .route(
            "/api/v1/sessions/{id}/overrides",
            axum::routing::put(api::set_override),
        )
        .route("/api/v1/review/sessions", get(api::review_sessions))
        .route("/api/v1/admin/invites", post(api::create_invite))
        .route("/api/v1/admin/users", get(api::list_users))
        .route("/healthz", get(ops::healthz))
        .route("/livez", get(ops::livez))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/static/app.css", get(view::stylesheet))
        .route("/static/app.js", get(view::script))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ops::observe,
        ))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(limit))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

/// Serves `router` on `listener` until `shutdown` completes; then stops
/// accepting connections and returns once every in-flight request has been
/// answered.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: State,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Now, in Unix milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
