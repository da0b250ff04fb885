//! The HTML of every page (maud templates, which escape every interpolated
//! value: nothing here uses `PreEscaped` on text that came from a person),
//! the stylesheet and the one small script. Pages are plain forms that work
//! without JavaScript; the script only ticks the clock, scrolls the
//! conversation and sends an answer on Ctrl+Enter.
//!
//! Not for: deciding what to show (handlers in `pages.rs` pass the data).

use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use kubeprep_interview::scorecard::{Speaker, Turn, TurnKind};
use kubeprep_interview::{clock, Scorecard, Status};
use kubeprep_store::{
    AreaOverride, Cohort, Invite, Note, OwnedSummary, Role, SessionStatus, SessionSummary, User,
};
use maud::{html, Markup, DOCTYPE};

use super::auth::Viewer;
use super::chart;

const CSS: &str = include_str!("app.css");
const JS: &str = include_str!("app.js");

/// `GET /static/app.css`.
pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        CSS,
    )
}

/// `GET /static/app.js`.
pub async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        JS,
    )
}

/// A date and time in UTC, e.g. `25 Nov 2026 14:05 UTC`.
pub fn when(ms: i64) -> String {
    let Ok(at) = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) else {
        return String::new();
    };
    let format = time::macros::format_description!(
        "[day padding:none] [month repr:short] [year] [hour]:[minute] UTC"
    );
    at.format(&format).unwrap_or_default()
}

/// A short date, e.g. `25 Nov`.
pub fn short_date(ms: i64) -> String {
    let Ok(at) = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) else {
        return String::new();
    };
    let format = time::macros::format_description!("[day padding:none] [month repr:short]");
    at.format(&format).unwrap_or_default()
}

/// The frame of every page: header with navigation, then `body`.
pub fn page(title: &str, viewer: Option<&Viewer>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · kubeprep" }
                link rel="stylesheet" href="/static/app.css";
                script src="/static/app.js" defer {}
            }
            body {
                header.top {
                    div.wrap {
                        a.brand href="/" { span.logo { "⎈" } "kubeprep" }
                        @if let Some(viewer) = viewer {
                            nav {
                                a href="/home" { "Interviews" }
                                a href="/account" { "Account" }
                                @if viewer.user.role >= Role::Reviewer { a href="/review" { "Review" } }
                                @if viewer.user.role == Role::Admin { a href="/admin" { "Admin" } }
                                form.inline method="post" action="/logout" {
                                    input type="hidden" name="csrf" value=(viewer.csrf);
                                    button.link type="submit" title=(viewer.user.email) { "Sign out" }
                                }
                            }
                        }
                    }
                }
                main.wrap { (body) }
                footer.wrap { "kubeprep — Kubernetes mock interviews" }
            }
        }
    }
}

/// A page saying what went wrong.
pub fn error_page(status: StatusCode, message: &str) -> Markup {
    page(
        status.canonical_reason().unwrap_or("Error"),
        None,
        html! {
            section.card.narrow {
                h1 { (status.as_u16()) " · " (status.canonical_reason().unwrap_or("Error")) }
                p { (message) }
                p { a.button href="/" { "Back to kubeprep" } }
            }
        },
    )
}

fn flash(error: Option<&str>) -> Markup {
    html! { @if let Some(error) = error { p.flash.error role="alert" { (error) } } }
}

/// The sign-in page.
pub fn login(csrf: &str, email: &str, error: Option<&str>) -> Markup {
    page(
        "Sign in",
        None,
        html! {
            section.card.narrow {
                h1 { "Sign in" }
                p.muted { "Practise Kubernetes interviews and see where you stand." }
                (flash(error))
                form method="post" action="/login" {
                    input type="hidden" name="csrf" value=(csrf);
                    label { "E-mail" input type="email" name="email" value=(email) required autocomplete="username" autofocus; }
                    label { "Password" input type="password" name="password" required autocomplete="current-password"; }
                    button.primary type="submit" { "Sign in" }
                }
                p.muted.small { "No account? Ask your organiser for an invite link." }
            }
        },
    )
}

/// The sign-up page of an invite link.
pub fn signup(token: &str, csrf: &str, role: Role, email: &str, error: Option<&str>) -> Markup {
    page(
        "Create your account",
        None,
        html! {
            section.card.narrow {
                h1 { "Create your account" }
                p.muted { "You were invited as a " strong { (role) } "." }
                (flash(error))
                form method="post" action=(format!("/invite/{token}")) {
                    input type="hidden" name="csrf" value=(csrf);
                    label { "E-mail" input type="email" name="email" value=(email) required autocomplete="username" autofocus; }
                    label { "Password (at least 10 characters)" input type="password" name="password" required minlength="10" autocomplete="new-password"; }
                    button.primary type="submit" { "Create account" }
                }
            }
        },
    )
}

fn status_badge(status: SessionStatus) -> Markup {
    let (class, text) = match status {
        SessionStatus::InProgress => ("badge live", "in progress"),
        SessionStatus::Paused => ("badge paused", "paused"),
        SessionStatus::Finished => ("badge done", "finished"),
    };
    html! { span class=(class) { (text) } }
}

fn score_cell(score: Option<u8>) -> Markup {
    html! {
        @match score {
            Some(s) => span.score style=(format!("--c:{}", chart::score_colour(s))) { (s) },
            None => span.muted { "—" },
        }
    }
}

fn session_link(summary: &SessionSummary) -> String {
    if summary.status == SessionStatus::Finished {
        format!("/s/{}/scorecard", summary.id)
    } else {
        format!("/s/{}", summary.id)
    }
}

/// The candidate's home: start an interview, past sessions, progress.
pub fn home(viewer: &Viewer, sessions: &[SessionSummary], progress: Option<Markup>) -> Markup {
    page(
        "Your interviews",
        Some(viewer),
        html! {
            section.hero {
                div {
                    h1 { "Your interviews" }
                    p.muted { "A structured Kubernetes interview: about fifty minutes, six areas, a scorecard with evidence at the end. You can pause and come back." }
                }
                form method="post" action="/sessions" {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    button.primary.big type="submit" { "Start a new interview" }
                }
            }
            @if let Some(progress) = progress {
                section.card {
                    h2 { "Progress by area" }
                    (progress)
                }
            }
            section.card {
                h2 { "History" }
                @if sessions.is_empty() {
                    p.muted { "No interviews yet. Start one above." }
                } @else {
                    table.list {
                        thead { tr { th { "Started" } th { "Status" } th.num { "Answered" } th.num { "Score" } th {} } }
                        tbody {
                            @for s in sessions {
                                tr {
                                    td { (when(s.started_at_ms)) }
                                    td { (status_badge(s.status)) }
                                    td.num { (s.questions_answered) }
                                    td.num { (score_cell(s.score)) }
                                    td.right {
                                        a href=(session_link(s)) {
                                            @if s.status == SessionStatus::Finished { "Scorecard" } @else { "Continue" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// What the interview page shows.
pub struct InterviewView<'a> {
    /// The session's id.
    pub id: &'a str,
    /// The conversation so far.
    pub transcript: &'a [Turn],
    /// Where the interview stands now.
    pub status: Status,
    /// The candidate paused it.
    pub paused: bool,
    /// A notice from the last action ("No more hints"), if any.
    pub notice: Option<&'a str>,
}

fn turn(t: &Turn) -> Markup {
    let (class, who) = match (t.speaker, t.kind) {
        (_, TurnKind::Command) => ("turn command", ""),
        (Speaker::Candidate, _) => ("turn candidate", "You"),
        (Speaker::Interviewer, TurnKind::Hint) => ("turn hint", "Hint"),
        (Speaker::Interviewer, TurnKind::Question | TurnKind::Probe) => {
            ("turn interviewer question", "Interviewer")
        }
        (Speaker::Interviewer, _) => ("turn interviewer", "Interviewer"),
    };
    html! {
        div class=(class) {
            @if !who.is_empty() { div.who { (who) } }
            div.text { (t.text) }
        }
    }
}

/// The interview: conversation, phase and clock, answer form and commands.
pub fn interview(viewer: &Viewer, v: &InterviewView<'_>) -> Markup {
    let s = &v.status;
    html! {
        (page("Interview", Some(viewer), html! {
            section.status-bar
                data-phase-elapsed=(s.phase_elapsed_ms) data-total-elapsed=(s.total_elapsed_ms)
                data-running=(if v.paused { "0" } else { "1" }) {
                div.phase {
                    span.muted { "Phase " (s.phase_number) " of " (s.phase_count) }
                    strong { (s.phase_title) }
                }
                div.clocks {
                    span { "Phase " b #phase-clock { (clock(s.phase_elapsed_ms)) } " / " (clock(s.phase_budget_ms)) }
                    span { "Total " b #total-clock { (clock(s.total_elapsed_ms)) } " / " (clock(s.total_budget_ms)) }
                    span.badge { (s.challenge.as_str()) }
                }
            }
            section.conversation #conversation {
                @for t in v.transcript { (turn(t)) }
                @if let Some(notice) = v.notice { div.turn.command { (notice) } }
            }
            @if v.paused {
                form.card.answer method="post" action=(format!("/s/{}/act", v.id)) {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    p { "This interview is paused; the clock is stopped." }
                    button.primary type="submit" name="action" value="resume" { "Resume the interview" }
                }
            } @else {
                form.card.answer #answer-form method="post" action=(format!("/s/{}/act", v.id)) {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    label for="answer" { "Your answer" }
                    textarea #answer name="text" rows="6" placeholder="Answer as you would out loud. Ctrl+Enter sends." {}
                    details {
                        summary { "Add a manifest (YAML)" }
                        textarea.code name="yaml" rows="10" spellcheck="false" placeholder="apiVersion: apps/v1\nkind: Deployment\n…" {}
                        p.muted.small { "The manifest is run on a simulated cluster against the question's scenario; the interviewer tells you what happened." }
                    }
                    div.actions {
                        button.primary type="submit" name="action" value="answer" { "Send answer" }
                        div.commands {
                            button type="submit" name="action" value="hint" title="The next hint; it costs part of this question's score" { "Hint" }
                            button type="submit" name="action" value="skip" title="Skip this question (scores 0)" { "Skip" }
                            button type="submit" name="action" value="easier" { "Easier" }
                            button type="submit" name="action" value="harder" { "Harder" }
                            button type="submit" name="action" value="pause" title="Stop the clock; continue later" { "Pause" }
                            button.danger type="submit" name="action" value="finish" { "Finish now" }
                        }
                    }
                }
            }
        }))
    }
}

/// What the scorecard page shows besides the scorecard.
pub struct ScorecardView<'a> {
    /// The session's id.
    pub id: &'a str,
    /// The owner's e-mail (for reviewers).
    pub owner: Option<&'a str>,
    /// Reviewer notes.
    pub notes: &'a [Note],
    /// Reviewer overrides.
    pub overrides: &'a [AreaOverride],
    /// Whether the viewer may write notes and overrides.
    pub can_review: bool,
}

fn level_name(level: Option<kubeprep_grade::Level>) -> &'static str {
    level.map_or("not assessed", |l| l.as_str())
}

/// The scorecard: chart, areas with evidence, strengths, improvements,
/// resources, questions, transcript; reviewer notes and overrides.
pub fn scorecard(viewer: &Viewer, card: &Scorecard, v: &ScorecardView<'_>) -> Markup {
    let bars: Vec<chart::Bar<'_>> = card
        .areas
        .iter()
        .map(|a| chart::Bar {
            title: &a.title,
            score: a.score,
        })
        .collect();
    let override_of = |area: &str| v.overrides.iter().find(|o| o.area == area);
    page(
        "Scorecard",
        Some(viewer),
        html! {
            section.hero {
                div {
                    h1 { "Scorecard" }
                    p.muted {
                        (card.session.pack_title)
                        @if let Some(owner) = v.owner { " · " (owner) }
                        @if let Some(at) = card.session.started_at_ms { " · " (when(at)) }
                        " · " (clock(card.session.elapsed_ms)) " active"
                        @if !card.session.finished { " · " strong { "interim (not finished)" } }
                    }
                }
                div.overall style=(format!("--c:{}", chart::score_colour(card.overall_score))) {
                    span.big-score { (card.overall_score) }
                    span.level { (card.overall_level.as_str()) }
                }
            }
            section.card {
                h2 { "Areas" }
                (chart::area_bars(&bars))
                table.areas {
                    thead { tr { th { "Area" } th { "Rating" } th { "Why" } } }
                    tbody {
                        @for a in &card.areas {
                            tr {
                                td { strong { (a.title) } }
                                td.nowrap {
                                    @if let Some(o) = override_of(&a.id) {
                                        span.badge.override { (o.rating) }
                                        div.small.muted { "grader: " (level_name(a.level)) }
                                    } @else {
                                        span.badge { (level_name(a.level)) }
                                    }
                                    div { (score_cell(a.score)) }
                                }
                                td {
                                    p { (a.justification) }
                                    @if let Some(e) = &a.evidence { blockquote { "“" (e) "”" } }
                                    @if let Some(o) = override_of(&a.id) {
                                        p.small.override-note { "Reviewer " (o.reviewer_email) ": " (o.reason) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            div.grid2 {
                section.card {
                    h2 { "Strengths" }
                    @if card.strengths.is_empty() { p.muted { "None yet." } }
                    ul.points { @for s in &card.strengths { li { strong { (s.text) } blockquote { "“" (s.evidence) "”" } } } }
                }
                section.card {
                    h2 { "To improve" }
                    @if card.improvements.is_empty() { p.muted { "Nothing stood out." } }
                    ul.points { @for i in &card.improvements { li { span.badge { (i.kind.as_str()) } " " (i.text) } } }
                }
            }
            section.card {
                h2 { "Resources" }
                ul.points {
                    @for r in &card.resources {
                        li {
                            @if r.url.starts_with("https://") { a href=(r.url) rel="noopener noreferrer" { (r.title) } }
                            @else { strong { (r.title) } " — " code { (r.url) } }
                        }
                    }
                }
            }
            section.card {
                h2 { "Questions" }
                table.list {
                    thead { tr { th { "Question" } th.num { "Hints" } th.num { "Score" } } }
                    tbody {
                        @for q in &card.questions {
                            tr {
                                td { (q.text) @if q.skipped { " " span.badge { "skipped" } } }
                                td.num { (q.hints_used) }
                                td.num { (score_cell(Some(q.score))) }
                            }
                        }
                    }
                }
            }
            section.card {
                details {
                    summary { h2.inline { "Transcript" } }
                    div.conversation.transcript { @for t in &card.transcript { (turn(t)) } }
                }
            }
            section.card {
                h2 { "Download" }
                p {
                    a.button href=(format!("/s/{}/scorecard.md", v.id)) download { "Markdown" }
                    " "
                    a.button href=(format!("/s/{}/scorecard.json", v.id)) download { "JSON" }
                }
            }
            @if v.can_review || !v.notes.is_empty() {
                section.card #review {
                    h2 { "Reviewer notes" }
                    @if v.notes.is_empty() { p.muted { "No notes yet." } }
                    @for n in v.notes {
                        div.note { div.small.muted { (n.author_email) " · " (when(n.created_at_ms)) } div.text { (n.body) } }
                    }
                    @if v.can_review {
                        form method="post" action=(format!("/s/{}/notes", v.id)) {
                            input type="hidden" name="csrf" value=(viewer.csrf);
                            label { "Add a note" textarea name="body" rows="3" required {} }
                            button type="submit" { "Save note" }
                        }
                        h3 { "Override an area's rating" }
                        form.override-form method="post" action=(format!("/s/{}/overrides", v.id)) {
                            input type="hidden" name="csrf" value=(viewer.csrf);
                            label { "Area" select name="area" { @for a in &card.areas { option value=(a.id) { (a.title) } } } }
                            label { "Rating" select name="rating" { @for l in ["novice", "intermediate", "expert"] { option value=(l) { (l) } } } }
                            label.wide { "Reason (required)" input type="text" name="reason" required maxlength="500"; }
                            button type="submit" { "Save override" }
                        }
                    }
                }
            }
        },
    )
}

/// The reviewer's list of sessions.
pub fn review(viewer: &Viewer, sessions: &[OwnedSummary]) -> Markup {
    page(
        "Review",
        Some(viewer),
        html! {
            h1 { "Sessions to review" }
            section.card {
                @if sessions.is_empty() {
                    p.muted { "No sessions from your cohorts yet." }
                } @else {
                    table.list {
                        thead { tr { th { "Candidate" } th { "Started" } th { "Status" } th.num { "Score" } th {} } }
                        tbody {
                            @for s in sessions {
                                tr {
                                    td { (s.owner_email.as_deref().unwrap_or("—")) }
                                    td { (when(s.summary.started_at_ms)) }
                                    td { (status_badge(s.summary.status)) }
                                    td.num { (score_cell(s.summary.score)) }
                                    td.right { a href=(format!("/s/{}/scorecard", s.summary.id)) { "Open" } }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// What the admin page shows.
pub struct AdminView<'a> {
    /// Every user.
    pub users: &'a [User],
    /// Every cohort with its members.
    pub cohorts: &'a [(Cohort, Vec<User>)],
    /// Every invite.
    pub invites: &'a [Invite],
    /// A link just made, shown once.
    pub new_link: Option<&'a str>,
}

/// Cohorts, invites and roles.
pub fn admin(viewer: &Viewer, v: &AdminView<'_>) -> Markup {
    let now = super::now_ms();
    page(
        "Admin",
        Some(viewer),
        html! {
            h1 { "Administration" }
            @if let Some(link) = v.new_link {
                section.card.flash.ok {
                    p { strong { "Invite link" } " — copy it now; it is shown only once:" }
                    input.code.copy type="text" readonly value=(link) onclick="this.select()";
                }
            }
            div.grid2 {
                section.card {
                    h2 { "Invite someone" }
                    form method="post" action="/admin/invites" {
                        input type="hidden" name="csrf" value=(viewer.csrf);
                        label { "Role" select name="role" { @for r in Role::ALL { option value=(r.as_str()) { (r) } } } }
                        label { "Cohort" select name="cohort" {
                            option value="" { "(none)" }
                            @for (c, _) in v.cohorts { option value=(c.id) { (c.name) } }
                        } }
                        button.primary type="submit" { "Create invite link" }
                    }
                }
                section.card {
                    h2 { "New cohort" }
                    form method="post" action="/admin/cohorts" {
                        input type="hidden" name="csrf" value=(viewer.csrf);
                        label { "Name" input type="text" name="name" required maxlength="100"; }
                        button type="submit" { "Create cohort" }
                    }
                }
            }
            section.card {
                h2 { "Cohorts" }
                @if v.cohorts.is_empty() { p.muted { "No cohorts yet." } }
                @for (c, members) in v.cohorts {
                    div.cohort {
                        h3 { (c.name) }
                        p.small {
                            @if members.is_empty() { span.muted { "No members." } }
                            @for m in members { span.chip { (m.email) " · " (m.role) } " " }
                        }
                        form.inline-form method="post" action="/admin/members" {
                            input type="hidden" name="csrf" value=(viewer.csrf);
                            input type="hidden" name="cohort" value=(c.id);
                            select name="user" aria-label="User" { @for u in v.users { option value=(u.id) { (u.email) } } }
                            button type="submit" { "Add to " (c.name) }
                        }
                    }
                }
            }
            section.card {
                h2 { "Users" }
                table.list {
                    thead { tr { th { "E-mail" } th { "Role" } th { "Since" } } }
                    tbody {
                        @for u in v.users {
                            tr {
                                td { (u.email) }
                                td {
                                    form.inline-form method="post" action="/admin/roles" {
                                        input type="hidden" name="csrf" value=(viewer.csrf);
                                        input type="hidden" name="user" value=(u.id);
                                        select name="role" aria-label="Role" {
                                            @for r in Role::ALL { option value=(r.as_str()) selected[r == u.role] { (r) } }
                                        }
                                        button type="submit" { "Change" }
                                    }
                                }
                                td { (short_date(u.created_at_ms)) }
                            }
                        }
                    }
                }
            }
            section.card {
                h2 { "Invites" }
                table.list {
                    thead { tr { th { "Role" } th { "Made" } th { "State" } } }
                    tbody {
                        @for i in v.invites {
                            tr {
                                td { (i.role) }
                                td { (when(i.created_at_ms)) }
                                td {
                                    @if i.used_at_ms.is_some() { span.badge.done { "used" } }
                                    @else if i.expires_at_ms <= now { span.badge { "expired" } }
                                    @else { span.badge.live { "open until " (short_date(i.expires_at_ms)) } }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// The account page: a personal API token for scripts.
pub fn account(viewer: &Viewer, new_token: Option<&str>) -> Markup {
    page(
        "Account",
        Some(viewer),
        html! {
            h1 { "Account" }
            p.muted { "Signed in as " strong { (viewer.user.email) } " (" (viewer.user.role) ")." }
            @if let Some(token) = new_token {
                section.card.flash.ok {
                    p { strong { "Your API token" } " — copy it now; it is shown only once:" }
                    input.code.copy type="text" readonly value=(token) onclick="this.select()";
                    p.small { "Use it as " code { "Authorization: Bearer <token>" } ". The API is described at " a href="/api/openapi.json" { "/api/openapi.json" } "." }
                }
            }
            section.card {
                h2 { "New API token" }
                form method="post" action="/account/tokens" {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    label { "Name" input type="text" name="name" required maxlength="100" placeholder="e.g. nightly export"; }
                    button.primary type="submit" { "Create token" }
                }
            }
        },
    )
}
