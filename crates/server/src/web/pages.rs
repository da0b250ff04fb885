//! The HTML handlers: sign-in and sign-up, the candidate's interviews, the
//! interview itself, scorecards with downloads, the reviewer's list, notes
//! and overrides, and administration.
//!
//! Access rules, applied here and nowhere else: a session is opened only by
//! its owner (who may answer) or by a reviewer of a cohort the owner is in
//! and any admin (who may read, note and override) — anyone else gets the
//! same 404 as for a session that does not exist. Every POST checks the
//! CSRF token of the signed-in user (or, before sign-in, the double-submit
//! cookie). Forms redirect after success (POST/redirect/GET), so a reload
//! never sends an answer twice.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State as AxState};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use axum_extra::extract::cookie::CookieJar;
use kubeprep_interview::{report, Output};
use kubeprep_store::{NewInvite, Role, SessionId, SessionStatus};
use rand::RngCore;
use serde::Deserialize;

use super::auth::{self, Viewer};
use super::error::{WebError, WebResult};
use super::ops::LoginResult;
use super::session::{self, Access};
use super::view::{self, AdminView, InterviewView, ScorecardView};
use super::{now_ms, State};

/// Longest note a reviewer may write, in characters.
const NOTE_CHARS: usize = 5_000;
/// How many finished sessions the progress chart shows.
const PROGRESS_SESSIONS: usize = 12;

/// A form that carries only its CSRF token.
#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// `GET /`: home when signed in, else the sign-in page.
pub async fn root(AxState(state): AxState<State>, headers: HeaderMap) -> WebResult<Redirect> {
    Ok(match auth::current(&state, &headers).await? {
        Some(_) => Redirect::to("/home"),
        None => Redirect::to("/login"),
    })
}

/// Anything else.
pub async fn not_found() -> WebError {
    WebError::NotFound
}

/// The pre-login CSRF token: the cookie's, or a new one set on `jar`.
fn prelogin_csrf(state: &State, headers: &HeaderMap, jar: CookieJar) -> (CookieJar, String) {
    if let Some(existing) = jar.get(auth::PRELOGIN_CSRF_COOKIE) {
        let token = existing.value().to_owned();
        if token.len() == 64 {
            return (jar, token);
        }
    }
    let token = auth::random_token();
    let secure = auth::is_secure(state, headers);
    let jar = jar.add(auth::cookie(
        auth::PRELOGIN_CSRF_COOKIE,
        token.clone(),
        secure,
        3600,
    ));
    (jar, token)
}

fn check_prelogin_csrf(jar: &CookieJar, sent: &str) -> WebResult<()> {
    match jar.get(auth::PRELOGIN_CSRF_COOKIE) {
        Some(cookie) if auth::same_secret(cookie.value(), sent) => Ok(()),
        _ => Err(WebError::Csrf),
    }
}

/// Signs `user` in: a new login session, its cookie, then `/home`.
async fn sign_in(
    state: &State,
    headers: &HeaderMap,
    jar: CookieJar,
    user_id: i64,
) -> WebResult<Response> {
    let token = auth::random_token();
    let now = now_ms();
    let hours = state.config.session_hours;
    state
        .store
        .create_web_session(
            &auth::token_hash(&token),
            user_id,
            &auth::random_token(),
            now,
            now + hours * 3_600_000,
        )
        .await?;
    let secure = auth::is_secure(state, headers);
    let jar = jar
        .add(auth::cookie(
            auth::SESSION_COOKIE,
            token,
            secure,
            hours * 3600,
        ))
        .remove(auth::PRELOGIN_CSRF_COOKIE);
    Ok((jar, Redirect::to("/home")).into_response())
}

/// `GET /login`.
pub async fn login_form(
    AxState(state): AxState<State>,
    headers: HeaderMap,
    jar: CookieJar,
) -> WebResult<Response> {
    if auth::current(&state, &headers).await?.is_some() {
        return Ok(Redirect::to("/home").into_response());
    }
    let (jar, csrf) = prelogin_csrf(&state, &headers, jar);
    Ok((jar, view::login(&csrf, "", None)).into_response())
}

/// The sign-in form.
#[derive(Deserialize)]
pub struct LoginForm {
    csrf: String,
    email: String,
    password: String,
}

/// `POST /login`: rate-limited per client address and e-mail; a wrong
/// e-mail and a wrong password look and take the same.
pub async fn login(
    AxState(state): AxState<State>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> WebResult<Response> {
    check_prelogin_csrf(&jar, &form.csrf)?;
    let client = auth::client_ip(peer.ip(), &headers, state.config.behind_proxy);
    if !state.login_limiter.allow(&client.to_string(), &form.email) {
        state.metrics.count_login(LoginResult::Limited);
        tracing::warn!(ip = %client, "sign-in rate limit reached");
        return Err(WebError::TooMany);
    }
    let user = state.store.user_by_email(&form.email).await?;
    let hash = user.as_ref().map_or_else(
        || auth::decoy_hash().to_owned(),
        |u| u.password_hash.clone(),
    );
    let matches = auth::verify_password(hash, form.password).await;
    match user {
        Some(user) if matches => {
            state.metrics.count_login(LoginResult::Ok);
            tracing::info!(user = user.id, "signed in");
            sign_in(&state, &headers, jar, user.id).await
        }
        _ => {
            state.metrics.count_login(LoginResult::Failed);
            let (jar, csrf) = prelogin_csrf(&state, &headers, jar);
            Ok((
                StatusCode::UNAUTHORIZED,
                jar,
                view::login(&csrf, &form.email, Some("Wrong e-mail or password.")),
            )
                .into_response())
        }
    }
}

/// `POST /logout`.
pub async fn logout(
    AxState(state): AxState<State>,
    viewer: Viewer,
    jar: CookieJar,
    Form(form): Form<CsrfForm>,
) -> WebResult<Response> {
    viewer.check_csrf(&form.csrf)?;
    state
        .store
        .delete_web_session(&viewer.session_hash, now_ms())
        .await?;
    let jar =
        jar.remove(axum_extra::extract::cookie::Cookie::build(auth::SESSION_COOKIE).path("/"));
    Ok((jar, Redirect::to("/login")).into_response())
}

async fn open_invite(state: &State, token: &str) -> WebResult<kubeprep_store::Invite> {
    let invite = state.store.invite(&auth::token_hash(token)).await?;
    match invite {
        Some(invite) if invite.used_at_ms.is_none() && invite.expires_at_ms > now_ms() => {
            Ok(invite)
        }
        _ => Err(WebError::BadRequest(
            kubeprep_store::StoreError::InviteInvalid.to_string(),
        )),
    }
}

/// `GET /invite/{token}`: the sign-up form of an invite link.
pub async fn invite_form(
    AxState(state): AxState<State>,
    Path(token): Path<String>,
    headers: HeaderMap,
    jar: CookieJar,
) -> WebResult<Response> {
    let invite = open_invite(&state, &token).await?;
    let (jar, csrf) = prelogin_csrf(&state, &headers, jar);
    Ok((jar, view::signup(&token, &csrf, invite.role, "", None)).into_response())
}

/// `POST /invite/{token}`: makes the account and signs it in.
pub async fn invite_accept(
    AxState(state): AxState<State>,
    Path(token): Path<String>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> WebResult<Response> {
    check_prelogin_csrf(&jar, &form.csrf)?;
    let invite = open_invite(&state, &token).await?;
    let email = form.email.trim();
    let problem = if !email.contains('@') || email.len() > 254 {
        Some("Enter your e-mail address.".to_owned())
    } else {
        auth::password_problem(&form.password)
    };
    if let Some(problem) = problem {
        let (jar, csrf) = prelogin_csrf(&state, &headers, jar);
        return Ok((
            StatusCode::BAD_REQUEST,
            jar,
            view::signup(&token, &csrf, invite.role, email, Some(&problem)),
        )
            .into_response());
    }
    let hash = auth::hash_password(form.password).await?;
    match state
        .store
        .redeem_invite(&auth::token_hash(&token), email, &hash, now_ms())
        .await
    {
        Ok(user) => {
            tracing::info!(user = user.id, role = %user.role, "account created from an invite");
            sign_in(&state, &headers, jar, user.id).await
        }
        Err(kubeprep_store::StoreError::Duplicate { .. }) => {
            let (jar, csrf) = prelogin_csrf(&state, &headers, jar);
            Ok((
                StatusCode::BAD_REQUEST,
                jar,
                view::signup(
                    &token,
                    &csrf,
                    invite.role,
                    email,
                    Some("An account with this e-mail exists already; sign in instead."),
                ),
            )
                .into_response())
        }
        Err(err) => Err(err.into()),
    }
}

/// `GET /home`: the viewer's interviews and progress.
pub async fn home(AxState(state): AxState<State>, viewer: Viewer) -> WebResult<Response> {
    let sessions = state.store.sessions_of(viewer.user.id).await?;
    let mut finished: Vec<_> = sessions
        .iter()
        .filter(|s| s.status == SessionStatus::Finished)
        .take(PROGRESS_SESSIONS)
        .collect();
    finished.reverse();
    let progress = if finished.len() >= 2 {
        let mut labels = Vec::new();
        let mut points = Vec::new();
        for summary in &finished {
            let engine = session::load(&state, &summary.id).await?;
            let card = engine.scorecard();
            session::keep(&state, &summary.id, engine);
            labels.push(view::short_date(summary.started_at_ms));
            points.push(card.areas.iter().map(|a| a.score).collect());
        }
        let titles: Vec<&str> = state.pack.rubric.iter().map(|a| a.title.as_str()).collect();
        Some(super::chart::progress(&titles, &labels, &points))
    } else {
        None
    };
    Ok(view::home(&viewer, &sessions, progress).into_response())
}

/// `POST /sessions`: starts an interview.
pub async fn start_session(
    AxState(state): AxState<State>,
    viewer: Viewer,
    Form(form): Form<CsrfForm>,
) -> WebResult<Redirect> {
    viewer.check_csrf(&form.csrf)?;
    let seed = rand::rngs::OsRng.next_u64();
    let id = session::start(&state, &viewer.user, seed).await?;
    tracing::info!(user = viewer.user.id, session = %id, "interview started");
    Ok(Redirect::to(&format!("/s/{id}")))
}

/// `GET /s/{id}`: the interview (its owner) or the interim scorecard
/// (a reviewer).
pub async fn interview_page(
    AxState(state): AxState<State>,
    viewer: Viewer,
    Path(id): Path<String>,
    jar: CookieJar,
) -> WebResult<Response> {
    let id = SessionId(id);
    if session::access(&state, &viewer.user, &id).await? == Access::Reviewer {
        return Ok(Redirect::to(&format!("/s/{id}/scorecard")).into_response());
    }
    let engine = session::load(&state, &id).await?;
    if engine.is_finished() {
        session::keep(&state, &id, engine);
        return Ok(Redirect::to(&format!("/s/{id}/scorecard")).into_response());
    }
    // The notice of the last action (e.g. "No more hints"), carried over
    // the redirect in a short-lived cookie and shown once.
    let notice = jar
        .get(NOTICE_COOKIE)
        .and_then(|c| hex::decode(c.value()).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let page = view::interview(
        &viewer,
        &InterviewView {
            id: id.as_str(),
            transcript: engine.transcript(),
            status: engine.status(now_ms()),
            paused: engine.is_paused(),
            notice: notice.as_deref(),
        },
    );
    session::keep(&state, &id, engine);
    let jar = jar.remove(axum_extra::extract::cookie::Cookie::build(NOTICE_COOKIE).path("/"));
    Ok((jar, page).into_response())
}

/// Carries an action's notice over the redirect to the interview page.
const NOTICE_COOKIE: &str = "kp_notice";

/// Notices longer than this are cut (a cookie is small).
const MAX_NOTICE_BYTES: usize = 1000;

/// The interview form: one of the buttons, and the answer fields.
#[derive(Deserialize)]
pub struct ActForm {
    csrf: String,
    action: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    yaml: String,
}

/// `POST /s/{id}/act`: an answer or a command. Only the owner may act.
pub async fn act(
    AxState(state): AxState<State>,
    viewer: Viewer,
    Path(id): Path<String>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<ActForm>,
) -> WebResult<Response> {
    viewer.check_csrf(&form.csrf)?;
    let id = SessionId(id);
    if session::access(&state, &viewer.user, &id).await? != Access::Owner {
        return Err(WebError::NotFound);
    }
    let mut engine = session::load(&state, &id).await?;
    let scorecard = format!("/s/{id}/scorecard");
    if engine.is_finished() {
        return Ok(Redirect::to(&scorecard).into_response());
    }
    let Some(event) = session::event_for(&form.action, &form.text, &form.yaml, now_ms())? else {
        return Ok(Redirect::to(&format!("/s/{id}")).into_response());
    };
    let outputs = session::act(&state, &id, &mut engine, event).await?;
    let finished = engine.is_finished() || outputs.iter().any(|o| matches!(o, Output::Finished(_)));
    session::keep(&state, &id, engine);
    if finished {
        return Ok(Redirect::to(&scorecard).into_response());
    }
    let mut notice = outputs
        .iter()
        .filter_map(|o| match o {
            Output::Notice(text) => Some(text.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(" ");
    if notice.is_empty() {
        return Ok(Redirect::to(&format!("/s/{id}")).into_response());
    }
    if notice.len() > MAX_NOTICE_BYTES {
        let mut cut = MAX_NOTICE_BYTES;
        while !notice.is_char_boundary(cut) {
            cut -= 1;
        }
        notice.truncate(cut);
    }
    let secure = auth::is_secure(&state, &headers);
    let jar = jar.add(auth::cookie(NOTICE_COOKIE, hex::encode(notice), secure, 60));
    Ok((jar, Redirect::to(&format!("/s/{id}"))).into_response())
}

/// What a scorecard page needs, after the access check.
async fn scorecard_data(
    state: &State,
    viewer: &Viewer,
    id: &SessionId,
) -> WebResult<(Access, kubeprep_interview::Scorecard)> {
    let access = session::access(state, &viewer.user, id).await?;
    let engine = session::load(state, id).await?;
    let card = engine.scorecard();
    session::keep(state, id, engine);
    Ok((access, card))
}

/// `GET /s/{id}/scorecard`.
pub async fn scorecard_page(
    AxState(state): AxState<State>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let id = SessionId(id);
    let (access, card) = scorecard_data(&state, &viewer, &id).await?;
    let overrides = state.store.overrides(&id).await?;
    let is_reviewer = access == Access::Reviewer;
    // Notes are the reviewers' working space; candidates see overrides only.
    let notes = if is_reviewer {
        state.store.notes(&id).await?
    } else {
        Vec::new()
    };
    let owner_email = if is_reviewer {
        match state.store.session_owner(&id).await? {
            Some(Some(owner)) => state.store.user(owner).await?.map(|u| u.email),
            _ => None,
        }
    } else {
        None
    };
    Ok(view::scorecard(
        &viewer,
        &card,
        &ScorecardView {
            id: id.as_str(),
            owner: owner_email.as_deref(),
            notes: &notes,
            overrides: &overrides,
            can_review: is_reviewer,
        },
    )
    .into_response())
}

fn download(content_type: &str, filename: String, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// `GET /s/{id}/scorecard.md`.
pub async fn scorecard_markdown(
    AxState(state): AxState<State>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let id = SessionId(id);
    let (_, card) = scorecard_data(&state, &viewer, &id).await?;
    Ok(download(
        "text/markdown; charset=utf-8",
        format!("kubeprep-{}.md", id.short()),
        report::markdown(&card),
    ))
}

/// `GET /s/{id}/scorecard.json`: the CLI's JSON scorecard plus the
/// reviewers' overrides.
pub async fn scorecard_json(
    AxState(state): AxState<State>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let id = SessionId(id);
    let (_, card) = scorecard_data(&state, &viewer, &id).await?;
    let mut json = report::json(&card);
    let overrides = state.store.overrides(&id).await?;
    if let Some(object) = json.as_object_mut() {
        object.insert(
            "overrides".to_owned(),
            overrides
                .iter()
                .map(|o| {
                    serde_json::json!({
                        "area": o.area,
                        "rating": o.rating,
                        "grader_rating": o.grader_rating,
                        "reason": o.reason,
                        "reviewer": o.reviewer_email,
                        "at_ms": o.at_ms,
                    })
                })
                .collect(),
        );
    }
    Ok(download(
        "application/json",
        format!("kubeprep-{}.json", id.short()),
        serde_json::to_string_pretty(&json).unwrap_or_default(),
    ))
}

/// A reviewer's note.
#[derive(Deserialize)]
pub struct NoteForm {
    csrf: String,
    body: String,
}

/// `POST /s/{id}/notes`: reviewers of the session only.
pub async fn add_note(
    AxState(state): AxState<State>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<NoteForm>,
) -> WebResult<Redirect> {
    viewer.check_csrf(&form.csrf)?;
    let id = SessionId(id);
    if session::access(&state, &viewer.user, &id).await? != Access::Reviewer {
        return Err(WebError::NotFound);
    }
    let body = form.body.trim();
    if body.is_empty() || body.chars().count() > NOTE_CHARS {
        return Err(WebError::BadRequest(format!(
            "A note is 1 to {NOTE_CHARS} characters."
        )));
    }
    state
        .store
        .add_note(&id, &viewer.user, body, now_ms())
        .await?;
    Ok(Redirect::to(&format!("/s/{id}/scorecard#review")))
}

/// A reviewer's rating of one area.
#[derive(Deserialize)]
pub struct OverrideForm {
    csrf: String,
    area: String,
    rating: String,
    reason: String,
}

/// `POST /s/{id}/overrides`: reviewers of the session only; the grader's
/// rating is stored beside the new one.
pub async fn set_override(
    AxState(state): AxState<State>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<OverrideForm>,
) -> WebResult<Redirect> {
    viewer.check_csrf(&form.csrf)?;
    let id = SessionId(id);
    let (access, card) = scorecard_data(&state, &viewer, &id).await?;
    if access != Access::Reviewer {
        return Err(WebError::NotFound);
    }
    let Some(area) = card.areas.iter().find(|a| a.id == form.area) else {
        return Err(WebError::BadRequest(
            "Unknown area; pick one from the list.".to_owned(),
        ));
    };
    if !["novice", "intermediate", "expert"].contains(&form.rating.as_str()) {
        return Err(WebError::BadRequest(
            "The rating is novice, intermediate or expert.".to_owned(),
        ));
    }
    let reason = form.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(WebError::BadRequest(
            "Give a reason of at most 500 characters.".to_owned(),
        ));
    }
    state
        .store
        .set_override(
            &id,
            &area.id,
            &form.rating,
            area.level.map(|l| l.as_str()),
            reason,
            &viewer.user,
            now_ms(),
        )
        .await?;
    Ok(Redirect::to(&format!("/s/{id}/scorecard#review")))
}

/// `GET /review`: the sessions of the reviewer's cohorts.
pub async fn review(AxState(state): AxState<State>, viewer: Viewer) -> WebResult<Response> {
    viewer.require(Role::Reviewer)?;
    let sessions = state.store.reviewable_sessions(&viewer.user).await?;
    Ok(view::review(&viewer, &sessions).into_response())
}

async fn admin_page(state: &State, viewer: &Viewer, new_link: Option<&str>) -> WebResult<Response> {
    let users = state.store.users().await?;
    let mut cohorts = Vec::new();
    for cohort in state.store.cohorts().await? {
        let members = state.store.cohort_members(cohort.id).await?;
        cohorts.push((cohort, members));
    }
    let invites = state.store.invites().await?;
    Ok(view::admin(
        viewer,
        &AdminView {
            users: &users,
            cohorts: &cohorts,
            invites: &invites,
            new_link,
        },
    )
    .into_response())
}

/// `GET /admin`.
pub async fn admin(AxState(state): AxState<State>, viewer: Viewer) -> WebResult<Response> {
    viewer.require(Role::Admin)?;
    admin_page(&state, &viewer, None).await
}

/// A new cohort.
#[derive(Deserialize)]
pub struct CohortForm {
    csrf: String,
    name: String,
}

/// `POST /admin/cohorts`.
pub async fn admin_create_cohort(
    AxState(state): AxState<State>,
    viewer: Viewer,
    Form(form): Form<CohortForm>,
) -> WebResult<Redirect> {
    viewer.require(Role::Admin)?;
    viewer.check_csrf(&form.csrf)?;
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(WebError::BadRequest(
            "A cohort name is 1 to 100 characters.".to_owned(),
        ));
    }
    state.store.create_cohort(name, now_ms()).await?;
    Ok(Redirect::to("/admin"))
}

/// A new invite.
#[derive(Deserialize)]
pub struct InviteForm {
    csrf: String,
    role: String,
    #[serde(default)]
    cohort: String,
}

fn parse_role(text: &str) -> WebResult<Role> {
    text.parse().map_err(WebError::BadRequest)
}

fn parse_id(text: &str, what: &str) -> WebResult<i64> {
    text.trim()
        .parse()
        .map_err(|_| WebError::BadRequest(format!("Pick a {what} from the list.")))
}

/// `POST /admin/invites`: shows the link once (only its hash is stored).
pub async fn admin_create_invite(
    AxState(state): AxState<State>,
    viewer: Viewer,
    headers: HeaderMap,
    Form(form): Form<InviteForm>,
) -> WebResult<Response> {
    viewer.require(Role::Admin)?;
    viewer.check_csrf(&form.csrf)?;
    let role = parse_role(&form.role)?;
    let cohort_id = if form.cohort.trim().is_empty() {
        None
    } else {
        Some(parse_id(&form.cohort, "cohort")?)
    };
    let token = auth::random_token();
    let now = now_ms();
    state
        .store
        .create_invite(&NewInvite {
            token_hash: auth::token_hash(&token),
            role,
            cohort_id,
            created_by: Some(viewer.user.id),
            created_at_ms: now,
            expires_at_ms: now + state.config.invite_days * 86_400_000,
        })
        .await?;
    let link = format!("{}/invite/{token}", base_url(&state, &headers));
    admin_page(&state, &viewer, Some(&link)).await
}

/// `scheme://host` of this request, for links shown to people.
fn base_url(state: &State, headers: &HeaderMap) -> String {
    let host = headers
        .get("x-forwarded-host")
        .or_else(|| headers.get(header::HOST))
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let scheme = if auth::is_secure(state, headers) {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// A role change.
#[derive(Deserialize)]
pub struct RoleForm {
    csrf: String,
    user: String,
    role: String,
}

/// `POST /admin/roles`. An admin cannot demote themselves (so there is
/// always one admin left).
pub async fn admin_set_role(
    AxState(state): AxState<State>,
    viewer: Viewer,
    Form(form): Form<RoleForm>,
) -> WebResult<Redirect> {
    viewer.require(Role::Admin)?;
    viewer.check_csrf(&form.csrf)?;
    let user = parse_id(&form.user, "user")?;
    let role = parse_role(&form.role)?;
    if user == viewer.user.id && role != Role::Admin {
        return Err(WebError::BadRequest(
            "You cannot remove your own admin role; ask another admin.".to_owned(),
        ));
    }
    state
        .store
        .set_role(user, role)
        .await
        .map_err(|err| match err {
            kubeprep_store::StoreError::Missing { .. } => WebError::NotFound,
            other => other.into(),
        })?;
    Ok(Redirect::to("/admin"))
}

/// Adding a member to a cohort.
#[derive(Deserialize)]
pub struct MemberForm {
    csrf: String,
    cohort: String,
    user: String,
}

/// `POST /admin/members`.
pub async fn admin_add_member(
    AxState(state): AxState<State>,
    viewer: Viewer,
    Form(form): Form<MemberForm>,
) -> WebResult<Redirect> {
    viewer.require(Role::Admin)?;
    viewer.check_csrf(&form.csrf)?;
    let cohort = parse_id(&form.cohort, "cohort")?;
    let user = parse_id(&form.user, "user")?;
    state
        .store
        .add_to_cohort(cohort, user)
        .await
        .map_err(|err| match err {
            kubeprep_store::StoreError::Missing { .. } => WebError::NotFound,
            other => other.into(),
        })?;
    Ok(Redirect::to("/admin"))
}

/// `GET /account`: the viewer's API tokens form.
pub async fn account(viewer: Viewer) -> Response {
    view::account(&viewer, None).into_response()
}

/// A new API token's name.
#[derive(Deserialize)]
pub struct TokenForm {
    csrf: String,
    name: String,
}

/// `POST /account/tokens`: makes a personal API token and shows it once.
pub async fn create_token(
    AxState(state): AxState<State>,
    viewer: Viewer,
    Form(form): Form<TokenForm>,
) -> WebResult<Response> {
    viewer.check_csrf(&form.csrf)?;
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(WebError::BadRequest(
            "Name the token (1 to 100 characters), e.g. after the script that uses it.".to_owned(),
        ));
    }
    let token = format!("kp_{}", auth::random_token());
    state
        .store
        .create_api_token(&auth::token_hash(&token), viewer.user.id, name, now_ms())
        .await?;
    Ok(view::account(&viewer, Some(&token)).into_response())
}
