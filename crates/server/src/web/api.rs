//! The JSON API: everything the pages do, for scripts, under `/api/v1`,
//! authenticated by a personal API token (`Authorization: Bearer …`; only
//! its SHA-256 is stored), and described as OpenAPI 3 at
//! `/api/openapi.json` (generated from these handlers by utoipa).
//!
//! Access rules are the pages' own (`session::access`): a session answers
//! its owner and its reviewers, and 404 to everyone else. Errors are
//! `{"error": "…"}` with the status of the matching page.
//!
//! Not for: cookies. The API never accepts the login cookie, so a page
//! from another site cannot make a browser call it (no CSRF surface).

use axum::extract::{FromRequestParts, Path, State as AxState};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kubeprep_interview::report;
use kubeprep_interview::scorecard::Turn;
use kubeprep_store::{NewInvite, Role, SessionId, SessionSummary, User};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use super::auth;
use super::error::WebError;
use super::session::{self, Access};
use super::{now_ms, State};

/// The OpenAPI description of the API.
#[derive(OpenApi)]
#[openapi(
    info(title = "kubeprep", description = "Kubernetes mock interviews: candidates, reviewers, admins."),
    paths(me, list_sessions, start_session, get_session, act, scorecard, review_sessions,
          add_note, set_override, create_invite, list_users),
    components(schemas(Me, SessionOut, SessionDetail, TurnOut, ActIn, NoteIn, OverrideIn,
                       InviteIn, InviteOut, ApiError)),
    modifiers(&BearerAuth),
    security(("token" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "token",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
    }
}

/// `GET /api/openapi.json`.
pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// An API failure.
#[derive(Serialize, ToSchema)]
pub struct ApiError {
    /// What went wrong and how to fix it.
    error: String,
}

/// A [`WebError`] as JSON.
pub struct JsonError(WebError);

impl From<WebError> for JsonError {
    fn from(err: WebError) -> Self {
        Self(err)
    }
}

impl From<kubeprep_store::StoreError> for JsonError {
    fn from(err: kubeprep_store::StoreError) -> Self {
        Self(err.into())
    }
}

impl IntoResponse for JsonError {
    fn into_response(self) -> Response {
        if let WebError::Internal(err) = &self.0 {
            tracing::error!(error = %format!("{err:#}"), "API request failed");
        }
        let message = match &self.0 {
            WebError::Csrf | WebError::TooMany => self.0.message(),
            other => other.message(),
        };
        (self.0.status(), Json(ApiError { error: message })).into_response()
    }
}

type ApiResult<T> = Result<T, JsonError>;

/// The user of a request with a valid API token.
pub struct ApiUser(pub User);

impl FromRequestParts<State> for ApiUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &State) -> Result<Self, Self::Rejection> {
        let unauthorized = || {
            (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                Json(ApiError {
                    error: "send a personal API token as `Authorization: Bearer <token>`; make one on your account page".to_owned(),
                }),
            )
                .into_response()
        };
        let Some(token) = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        else {
            return Err(unauthorized());
        };
        match state
            .store
            .api_token_user(&auth::token_hash(token.trim()))
            .await
        {
            Ok(Some(user)) => Ok(ApiUser(user)),
            Ok(None) => Err(unauthorized()),
            Err(err) => Err(JsonError::from(err).into_response()),
        }
    }
}

/// Who the token belongs to.
#[derive(Serialize, ToSchema)]
pub struct Me {
    id: i64,
    email: String,
    /// `candidate`, `reviewer` or `admin`.
    role: String,
}

/// A session's summary.
#[derive(Serialize, ToSchema)]
pub struct SessionOut {
    id: String,
    /// `in_progress`, `paused` or `finished`.
    status: String,
    started_at_ms: i64,
    updated_at_ms: i64,
    score: Option<u8>,
    questions_answered: u32,
    /// The owner's e-mail (reviewer listings only).
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<String>,
}

impl SessionOut {
    fn from(summary: &SessionSummary, owner: Option<String>) -> Self {
        Self {
            id: summary.id.to_string(),
            status: summary.status.as_str().to_owned(),
            started_at_ms: summary.started_at_ms,
            updated_at_ms: summary.updated_at_ms,
            score: summary.score,
            questions_answered: summary.questions_answered,
            owner,
        }
    }
}

/// One turn of the conversation.
#[derive(Serialize, ToSchema)]
pub struct TurnOut {
    /// `interviewer` or `candidate`.
    speaker: String,
    /// `say`, `question`, `probe`, `reply`, `hint`, `answer` or `command`.
    kind: String,
    text: String,
}

impl From<&Turn> for TurnOut {
    fn from(turn: &Turn) -> Self {
        Self {
            speaker: turn.speaker.as_str().to_owned(),
            kind: turn.kind.as_str().to_owned(),
            text: turn.text.clone(),
        }
    }
}

/// A session as the interview page shows it.
#[derive(Serialize, ToSchema)]
pub struct SessionDetail {
    id: String,
    finished: bool,
    paused: bool,
    phase: String,
    phase_number: usize,
    phase_count: usize,
    phase_elapsed_ms: i64,
    total_elapsed_ms: i64,
    /// `easy`, `normal` or `hard`.
    challenge: String,
    /// The question being asked, if any.
    question: Option<String>,
    transcript: Vec<TurnOut>,
}

async fn detail(state: &State, id: &SessionId) -> ApiResult<SessionDetail> {
    let engine = session::load(state, id).await?;
    let detail = detail_of(id, &engine);
    session::keep(state, id, engine);
    Ok(detail)
}

fn detail_of(id: &SessionId, engine: &session::Loaded) -> SessionDetail {
    let status = engine.status(now_ms());
    SessionDetail {
        id: id.to_string(),
        finished: engine.is_finished(),
        paused: engine.is_paused(),
        phase: status.phase_title.clone(),
        phase_number: status.phase_number,
        phase_count: status.phase_count,
        phase_elapsed_ms: status.phase_elapsed_ms,
        total_elapsed_ms: status.total_elapsed_ms,
        challenge: status.challenge.as_str().to_owned(),
        question: engine.current_prompt().map(|p| p.text),
        transcript: engine.transcript().iter().map(TurnOut::from).collect(),
    }
}

/// Who am I.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me)))]
pub async fn me(ApiUser(user): ApiUser) -> Json<Me> {
    Json(Me {
        id: user.id,
        email: user.email,
        role: user.role.as_str().to_owned(),
    })
}

/// My sessions, newest first.
#[utoipa::path(get, path = "/api/v1/sessions", responses((status = 200, body = [SessionOut])))]
pub async fn list_sessions(
    AxState(state): AxState<State>,
    ApiUser(user): ApiUser,
) -> ApiResult<Json<Vec<SessionOut>>> {
    let sessions = state.store.sessions_of(user.id).await?;
    Ok(Json(
        sessions.iter().map(|s| SessionOut::from(s, None)).collect(),
    ))
}

/// Start an interview.
#[utoipa::path(post, path = "/api/v1/sessions", responses((status = 201, body = SessionDetail)))]
pub async fn start_session(
    AxState(state): AxState<State>,
    ApiUser(user): ApiUser,
) -> ApiResult<(StatusCode, Json<SessionDetail>)> {
    let seed = rand::rngs::OsRng.next_u64();
    let id = session::start(&state, &user, seed).await?;
    Ok((StatusCode::CREATED, Json(detail(&state, &id).await?)))
}

/// One session: where it stands and its conversation.
#[utoipa::path(get, path = "/api/v1/sessions/{id}",
    params(("id" = String, Path, description = "Session id")),
    responses((status = 200, body = SessionDetail), (status = 404, body = ApiError)))]
pub async fn get_session(
    AxState(state): AxState<State>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<SessionDetail>> {
    let id = SessionId(id);
    session::access(&state, &user, &id).await?;
    Ok(Json(detail(&state, &id).await?))
}

/// An answer or a command.
#[derive(Deserialize, ToSchema)]
pub struct ActIn {
    /// `answer`, `hint`, `skip`, `easier`, `harder`, `pause`, `resume` or `finish`.
    action: String,
    /// The answer (for `answer`).
    #[serde(default)]
    text: String,
    /// A manifest to run on the simulated cluster (for `answer`).
    #[serde(default)]
    yaml: String,
}

/// Answer, or send a command; the owner only.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/events", request_body = ActIn,
    params(("id" = String, Path, description = "Session id")),
    responses((status = 200, body = SessionDetail), (status = 400, body = ApiError), (status = 404, body = ApiError)))]
pub async fn act(
    AxState(state): AxState<State>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    Json(input): Json<ActIn>,
) -> ApiResult<Json<SessionDetail>> {
    let id = SessionId(id);
    if session::access(&state, &user, &id).await? != Access::Owner {
        return Err(WebError::NotFound.into());
    }
    let mut engine = session::load(&state, &id).await?;
    if engine.is_finished() {
        session::keep(&state, &id, engine);
        return Err(WebError::BadRequest("this interview is finished".to_owned()).into());
    }
    if let Some(event) = session::event_for(&input.action, &input.text, &input.yaml, now_ms())? {
        session::act(&state, &id, &mut engine, event).await?;
    }
    let detail = detail_of(&id, &engine);
    session::keep(&state, &id, engine);
    Ok(Json(detail))
}

/// The scorecard (the CLI's JSON shape) with reviewers' overrides.
#[utoipa::path(get, path = "/api/v1/sessions/{id}/scorecard",
    params(("id" = String, Path, description = "Session id")),
    responses((status = 200, description = "The scorecard as `kubeprep report --format json` prints it, plus `overrides`"),
              (status = 404, body = ApiError)))]
pub async fn scorecard(
    AxState(state): AxState<State>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let id = SessionId(id);
    let access = session::access(&state, &user, &id).await?;
    let engine = session::load(&state, &id).await?;
    let card = engine.scorecard();
    session::keep(&state, &id, engine);
    let mut json = report::json(&card);
    let overrides = state.store.overrides(&id).await?;
    let notes = if access == Access::Reviewer {
        state.store.notes(&id).await?
    } else {
        Vec::new()
    };
    if let Some(object) = json.as_object_mut() {
        object.insert(
            "overrides".to_owned(),
            overrides
                .iter()
                .map(|o| {
                    serde_json::json!({"area": o.area, "rating": o.rating,
                        "grader_rating": o.grader_rating, "reason": o.reason,
                        "reviewer": o.reviewer_email, "at_ms": o.at_ms})
                })
                .collect(),
        );
        if access == Access::Reviewer {
            object.insert(
                "notes".to_owned(),
                notes
                    .iter()
                    .map(|n| serde_json::json!({"author": n.author_email, "body": n.body, "at_ms": n.created_at_ms}))
                    .collect(),
            );
        }
    }
    Ok(Json(json))
}

/// Sessions of the cohorts I review (all, for an admin).
#[utoipa::path(get, path = "/api/v1/review/sessions", responses((status = 200, body = [SessionOut]), (status = 403, body = ApiError)))]
pub async fn review_sessions(
    AxState(state): AxState<State>,
    ApiUser(user): ApiUser,
) -> ApiResult<Json<Vec<SessionOut>>> {
    if user.role < Role::Reviewer {
        return Err(WebError::Forbidden.into());
    }
    let sessions = state.store.reviewable_sessions(&user).await?;
    Ok(Json(
        sessions
            .iter()
            .map(|s| SessionOut::from(&s.summary, s.owner_email.clone()))
            .collect(),
    ))
}

/// A reviewer's note.
#[derive(Deserialize, ToSchema)]
pub struct NoteIn {
    body: String,
}

/// Add a note; reviewers of the session only.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/notes", request_body = NoteIn,
    params(("id" = String, Path, description = "Session id")),
    responses((status = 201, description = "Saved"), (status = 404, body = ApiError)))]
pub async fn add_note(
    AxState(state): AxState<State>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    Json(input): Json<NoteIn>,
) -> ApiResult<StatusCode> {
    let id = SessionId(id);
    if session::access(&state, &user, &id).await? != Access::Reviewer {
        return Err(WebError::NotFound.into());
    }
    let body = input.body.trim();
    if body.is_empty() || body.chars().count() > 5_000 {
        return Err(WebError::BadRequest("a note is 1 to 5000 characters".to_owned()).into());
    }
    state.store.add_note(&id, &user, body, now_ms()).await?;
    Ok(StatusCode::CREATED)
}

/// A reviewer's rating of an area.
#[derive(Deserialize, ToSchema)]
pub struct OverrideIn {
    /// The rubric area's id.
    area: String,
    /// `novice`, `intermediate` or `expert`.
    rating: String,
    /// Why (required).
    reason: String,
}

/// Override an area's rating; reviewers of the session only. The grader's
/// rating is kept beside it.
#[utoipa::path(put, path = "/api/v1/sessions/{id}/overrides", request_body = OverrideIn,
    params(("id" = String, Path, description = "Session id")),
    responses((status = 204, description = "Saved"), (status = 400, body = ApiError), (status = 404, body = ApiError)))]
pub async fn set_override(
    AxState(state): AxState<State>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    Json(input): Json<OverrideIn>,
) -> ApiResult<StatusCode> {
    let id = SessionId(id);
    if session::access(&state, &user, &id).await? != Access::Reviewer {
        return Err(WebError::NotFound.into());
    }
    let engine = session::load(&state, &id).await?;
    let card = engine.scorecard();
    session::keep(&state, &id, engine);
    let Some(area) = card.areas.iter().find(|a| a.id == input.area) else {
        return Err(WebError::BadRequest(format!("unknown area {:?}", input.area)).into());
    };
    if !["novice", "intermediate", "expert"].contains(&input.rating.as_str()) {
        return Err(
            WebError::BadRequest("rating is novice, intermediate or expert".to_owned()).into(),
        );
    }
    let reason = input.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(WebError::BadRequest("give a reason of 1 to 500 characters".to_owned()).into());
    }
    state
        .store
        .set_override(
            &id,
            &area.id,
            &input.rating,
            area.level.map(|l| l.as_str()),
            reason,
            &user,
            now_ms(),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new invite.
#[derive(Deserialize, ToSchema)]
pub struct InviteIn {
    /// `candidate`, `reviewer` or `admin`.
    role: String,
    /// The cohort to join.
    cohort_id: Option<i64>,
}

/// The invite's token, shown once.
#[derive(Serialize, ToSchema)]
pub struct InviteOut {
    /// Put it after `/invite/` on this server.
    token: String,
    expires_at_ms: i64,
}

/// Create an invite; admins only.
#[utoipa::path(post, path = "/api/v1/admin/invites", request_body = InviteIn,
    responses((status = 201, body = InviteOut), (status = 403, body = ApiError)))]
pub async fn create_invite(
    AxState(state): AxState<State>,
    ApiUser(user): ApiUser,
    Json(input): Json<InviteIn>,
) -> ApiResult<(StatusCode, Json<InviteOut>)> {
    if user.role != Role::Admin {
        return Err(WebError::Forbidden.into());
    }
    let role: Role = input.role.parse().map_err(WebError::BadRequest)?;
    let token = auth::random_token();
    let now = now_ms();
    let expires_at_ms = now + state.config.invite_days * 86_400_000;
    state
        .store
        .create_invite(&NewInvite {
            token_hash: auth::token_hash(&token),
            role,
            cohort_id: input.cohort_id,
            created_by: Some(user.id),
            created_at_ms: now,
            expires_at_ms,
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(InviteOut {
            token,
            expires_at_ms,
        }),
    ))
}

/// Every user; admins only.
#[utoipa::path(get, path = "/api/v1/admin/users", responses((status = 200, body = [Me]), (status = 403, body = ApiError)))]
pub async fn list_users(
    AxState(state): AxState<State>,
    ApiUser(user): ApiUser,
) -> ApiResult<Json<Vec<Me>>> {
    if user.role != Role::Admin {
        return Err(WebError::Forbidden.into());
    }
    Ok(Json(
        state
            .store
            .users()
            .await?
            .into_iter()
            .map(|u| Me {
                id: u.id,
                email: u.email,
                role: u.role.as_str().to_owned(),
            })
            .collect(),
    ))
}
