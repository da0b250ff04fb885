//! The web application end to end over real HTTP, on SQLite and (when
//! configured, always in CI) PostgreSQL: the whole journey from an invite
//! to a reviewed scorecard, and the security promises — candidate A can
//! reach none of candidate B's session routes, candidate text renders
//! escaped, forms need their CSRF token, bodies over the limit get 413 and
//! sign-in is rate-limited.

mod common;

use common::{csrf_of, location, Db, Server, PASSWORD};
use kubeprep_server::web::Config;
use kubeprep_store::{Role, SessionId, SessionStatus, Store};
use reqwest::StatusCode;

const XSS: &str = "<script>alert('pwned')</script><img src=x onerror=alert(1)>";

/// Answers the current question, expecting to stay on the interview.
async fn answer(client: &common::Client, id: &str, text: &str) {
    let response = client
        .post_csrf(
            &format!("/s/{id}/act"),
            &[("action", "answer"), ("text", text)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn invite_interview_scorecard_and_review_on_every_database() {
    for db in Db::all().await {
        let name = db.name;
        let server = Server::start(db.store.clone(), Config::default()).await;
        server.user("admin@example.com", Role::Admin).await;
        let mut admin = server.signed_in("admin@example.com").await;

        // A cohort, and invites for a candidate and a reviewer in it.
        let response = admin
            .post_csrf("/admin/cohorts", &[("name", "Autumn")])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{name}");
        admin.refresh_csrf("/admin").await;
        let cohort = server.state.store.cohorts().await.unwrap()[0]
            .id
            .to_string();
        let mut links = Vec::new();
        for role in ["candidate", "reviewer"] {
            let response = admin
                .post_csrf("/admin/invites", &[("role", role), ("cohort", &cohort)])
                .await;
            assert_eq!(response.status(), StatusCode::OK, "{name}");
            let html = response.text().await.unwrap();
            let at = html.find("/invite/").expect("the new link is shown");
            links.push(html[at..at + "/invite/".len() + 64].to_owned());
        }

        // The candidate signs up through the link and is signed in.
        let mut candidate = server.client();
        let (status, html) = candidate.text(&links[0]).await;
        assert_eq!(status, StatusCode::OK, "{name}");
        assert!(html.contains("invited as a"), "{name}");
        let csrf = csrf_of(&html);
        let short = candidate
            .post(
                &links[0],
                &[
                    ("csrf", &csrf),
                    ("email", "cand@example.com"),
                    ("password", "short"),
                ],
            )
            .await;
        assert_eq!(
            short.status(),
            StatusCode::BAD_REQUEST,
            "{name}: short password"
        );
        let (_, html) = candidate.text(&links[0]).await;
        let response = candidate
            .post(
                &links[0],
                &[
                    ("csrf", &csrf_of(&html)),
                    ("email", "cand@example.com"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{name}");
        assert_eq!(location(&response), "/home", "{name}");
        // The link works once.
        let (status, _) = server.client().text(&links[0]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name}: used link");
        candidate.refresh_csrf("/home").await;

        // The interview: answers (one with HTML), a hint, a manifest, then finish.
        let id = candidate.start_interview().await;
        let (status, page) = candidate.text(&format!("/s/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{name}");
        assert!(
            page.contains("what is a Pod"),
            "{name}: the first question is asked"
        );
        answer(
            &candidate,
            &id,
            &format!("A Pod is the smallest deployable unit: containers sharing a network namespace, IP and volumes, scheduled together. {XSS}"),
        )
        .await;
        let response = candidate
            .post_csrf(&format!("/s/{id}/act"), &[("action", "hint")])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{name}");
        let response = candidate
            .post_csrf(
                &format!("/s/{id}/act"),
                &[
                    ("action", "answer"),
                    ("text", "Here is one."),
                    ("yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx\n"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{name}");
        let (_, page) = candidate.text(&format!("/s/{id}")).await;
        assert!(
            !page.contains(XSS),
            "{name}: raw candidate HTML on the page"
        );
        assert!(page.contains("&lt;script&gt;alert"), "{name}: escaped");
        assert!(
            page.contains("kind: Pod"),
            "{name}: the manifest is in the conversation"
        );

        // Pause and resume: the clock stops and the page offers to resume.
        candidate
            .post_csrf(&format!("/s/{id}/act"), &[("action", "pause")])
            .await;
        let (_, page) = candidate.text(&format!("/s/{id}")).await;
        assert!(page.contains("Resume the interview"), "{name}");
        let summary = server
            .state
            .store
            .session(&SessionId(id.clone()))
            .await
            .unwrap();
        assert_eq!(summary.status, SessionStatus::Paused, "{name}");
        candidate
            .post_csrf(&format!("/s/{id}/act"), &[("action", "resume")])
            .await;

        let response = candidate
            .post_csrf(&format!("/s/{id}/act"), &[("action", "finish")])
            .await;
        assert_eq!(location(&response), format!("/s/{id}/scorecard"), "{name}");
        let (status, card) = candidate.text(&format!("/s/{id}/scorecard")).await;
        assert_eq!(status, StatusCode::OK, "{name}");
        assert!(card.contains("<svg"), "{name}: the chart");
        assert!(
            card.contains("Strengths") && card.contains("Resources"),
            "{name}"
        );
        assert!(
            !card.contains(XSS) && card.contains("&lt;script&gt;"),
            "{name}"
        );
        let md = candidate.get(&format!("/s/{id}/scorecard.md")).await;
        assert!(md.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment"));
        assert!(md.text().await.unwrap().contains("scorecard"), "{name}");
        let json: serde_json::Value = candidate
            .get(&format!("/s/{id}/scorecard.json"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            json["areas"].as_array().map(Vec::len),
            Some(6),
            "{name}: {json}"
        );
        let summary = server
            .state
            .store
            .session(&SessionId(id.clone()))
            .await
            .unwrap();
        assert_eq!(summary.status, SessionStatus::Finished, "{name}");
        assert!(summary.questions_answered >= 1, "{name}");
        let (_, home) = candidate.text("/home").await;
        assert!(
            home.contains(&format!("/s/{id}/scorecard")),
            "{name}: history links it"
        );

        // The reviewer signs up, finds the session, notes and overrides.
        let mut reviewer = server.client();
        let (_, html) = reviewer.text(&links[1]).await;
        let response = reviewer
            .post(
                &links[1],
                &[
                    ("csrf", &csrf_of(&html)),
                    ("email", "rev@example.com"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{name}");
        reviewer.refresh_csrf("/review").await;
        let (_, list) = reviewer.text("/review").await;
        assert!(list.contains("cand@example.com"), "{name}");
        assert!(list.contains(&format!("/s/{id}/scorecard")), "{name}");
        let response = reviewer
            .post_csrf(
                &format!("/s/{id}/notes"),
                &[("body", &format!("Solid. {XSS}"))],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{name}");
        let area = json["areas"][0]["id"].as_str().unwrap().to_owned();
        let response = reviewer
            .post_csrf(
                &format!("/s/{id}/overrides"),
                &[
                    ("area", &area),
                    ("rating", "expert"),
                    ("reason", "Explained it well live"),
                ],
            )
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{name}");
        let (_, card) = reviewer.text(&format!("/s/{id}/scorecard")).await;
        assert!(
            card.contains("Solid. &lt;script&gt;"),
            "{name}: the note, escaped"
        );
        assert!(card.contains("Explained it well live"), "{name}");
        assert!(
            card.contains("grader: "),
            "{name}: the grader's rating stays beside"
        );
        // The candidate sees the override, not the reviewers' notes.
        let (_, card) = candidate.text(&format!("/s/{id}/scorecard")).await;
        assert!(card.contains("Explained it well live"), "{name}");
        assert!(!card.contains("Solid."), "{name}");
        // A reviewer cannot answer for the candidate.
        let response = reviewer
            .post_csrf(
                &format!("/s/{id}/act"),
                &[("action", "answer"), ("text", "x")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{name}");

        server.stop().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn candidates_reach_none_of_each_others_sessions_on_any_route() {
    for db in Db::all().await {
        let name = db.name;
        let server = Server::start(db.store.clone(), Config::default()).await;
        server.user("a@example.com", Role::Candidate).await;
        server.user("b@example.com", Role::Candidate).await;
        server.user("rev@example.com", Role::Reviewer).await;
        let a = server.signed_in("a@example.com").await;
        let b = server.signed_in("b@example.com").await;
        let reviewer = server.signed_in("rev@example.com").await;
        let id = b.start_interview().await;
        answer(&b, &id, "B's private answer about Pods").await;
        let events_before = server
            .state
            .store
            .events(&SessionId(id.clone()))
            .await
            .unwrap()
            .len();

        let reads = [
            format!("/s/{id}"),
            format!("/s/{id}/scorecard"),
            format!("/s/{id}/scorecard.md"),
            format!("/s/{id}/scorecard.json"),
        ];
        for who in [&a, &reviewer] {
            for path in &reads {
                let (status, body) = who.text(path).await;
                assert_eq!(status, StatusCode::NOT_FOUND, "{name}: GET {path}");
                assert!(!body.contains("private answer"), "{name}: GET {path}");
            }
            for (path, form) in [
                (
                    format!("/s/{id}/act"),
                    vec![("action", "answer"), ("text", "injected")],
                ),
                (format!("/s/{id}/act"), vec![("action", "finish")]),
                (format!("/s/{id}/notes"), vec![("body", "injected")]),
                (
                    format!("/s/{id}/overrides"),
                    vec![("area", "x"), ("rating", "expert"), ("reason", "injected")],
                ),
            ] {
                let response = who.post_csrf(&path, &form).await;
                assert_eq!(
                    response.status(),
                    StatusCode::NOT_FOUND,
                    "{name}: POST {path}"
                );
            }
        }
        // An unknown session looks exactly the same.
        let (status, _) = a.text("/s/00000000-0000-4000-8000-000000000000").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{name}");
        let events_after = server
            .state
            .store
            .events(&SessionId(id.clone()))
            .await
            .unwrap();
        assert_eq!(
            events_after.len(),
            events_before,
            "{name}: nothing was written"
        );
        assert!(server
            .state
            .store
            .notes(&SessionId(id.clone()))
            .await
            .unwrap()
            .is_empty());
        // A's history does not list B's session; role pages are refused.
        let (_, home) = a.text("/home").await;
        assert!(!home.contains(&id), "{name}");
        assert_eq!(
            a.get("/review").await.status(),
            StatusCode::FORBIDDEN,
            "{name}"
        );
        assert_eq!(
            a.get("/admin").await.status(),
            StatusCode::FORBIDDEN,
            "{name}"
        );
        assert_eq!(
            reviewer.get("/admin").await.status(),
            StatusCode::FORBIDDEN,
            "{name}"
        );
        let response = a
            .post_csrf("/admin/roles", &[("user", "1"), ("role", "admin")])
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{name}");
        let response = a
            .post_csrf("/admin/invites", &[("role", "admin"), ("cohort", "")])
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{name}");
        // Signed out, every page sends to the sign-in page.
        let anonymous = server.client();
        for path in reads
            .iter()
            .map(String::as_str)
            .chain(["/home", "/review", "/admin"])
        {
            let response = anonymous.get(path).await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{name}: {path}");
            assert_eq!(location(&response), "/login", "{name}: {path}");
        }
        // B still owns it and can continue.
        assert_eq!(
            b.get(&format!("/s/{id}")).await.status(),
            StatusCode::OK,
            "{name}"
        );

        server.stop().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn forms_need_their_csrf_token_and_logout_ends_the_login() {
    let db = Db::sqlite().await;
    let server = Server::start(db.store.clone(), Config::default()).await;
    server.user("a@example.com", Role::Candidate).await;
    let a = server.signed_in("a@example.com").await;
    let response = a
        .post("/sessions", &[("csrf", "0".repeat(64).as_str())])
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = a.post("/sessions", &[]).await;
    assert!(response.status().is_client_error());
    assert!(server.state.store.list(None).await.unwrap().is_empty());
    // Sign-in without the pre-login cookie's token is refused too.
    let fresh = server.client();
    let response = fresh
        .post(
            "/login",
            &[
                ("csrf", "x"),
                ("email", "a@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    let response = a.post_csrf("/logout", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&a.get("/home").await), "/login");
    server.stop().await;
    db.finish().await;
}

#[tokio::test]
async fn cookies_are_http_only_same_site_and_secure_behind_https() {
    let db = Db::sqlite().await;
    let server = Server::start(db.store.clone(), Config::default()).await;
    server.user("a@example.com", Role::Candidate).await;
    let client = server.client();
    let (_, html) = client.text("/login").await;
    let csrf = csrf_of(&html);
    let response = client
        .http
        .post(client.url("/login"))
        .header("x-forwarded-proto", "https")
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "a@example.com"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("kp_session="))
        .expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    server.stop().await;
    db.finish().await;
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_address_and_email() {
    let db = Db::sqlite().await;
    let config = Config {
        login_attempts_per_minute: 3,
        ..Config::default()
    };
    let server = Server::start(db.store.clone(), config).await;
    server.user("a@example.com", Role::Candidate).await;
    let mut client = server.client();
    for _ in 0..3 {
        let response = client.login("a@example.com", "wrong password").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused now.
    let response = client.login("a@example.com", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    // Another account from the same address is not locked out.
    server.user("b@example.com", Role::Candidate).await;
    let response = client.login("b@example.com", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let metrics = client.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("kubeprep_logins_total{result=\"limited\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("kubeprep_logins_total{result=\"failed\"} 3"),
        "{metrics}"
    );
    server.stop().await;
    db.finish().await;
}

#[tokio::test]
async fn bodies_over_the_limit_get_413_and_nothing_is_stored() {
    let db = Db::sqlite().await;
    let config = Config {
        body_limit: 4096,
        ..Config::default()
    };
    let server = Server::start(db.store.clone(), config).await;
    server.user("a@example.com", Role::Candidate).await;
    let a = server.signed_in("a@example.com").await;
    let id = a.start_interview().await;
    let before = server
        .state
        .store
        .events(&SessionId(id.clone()))
        .await
        .unwrap()
        .len();
    let big = "x".repeat(10_000);
    let response = a
        .post_csrf(
            &format!("/s/{id}/act"),
            &[("action", "answer"), ("text", &big)],
        )
        .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let after = server
        .state
        .store
        .events(&SessionId(id))
        .await
        .unwrap()
        .len();
    assert_eq!(before, after);
    server.stop().await;
    db.finish().await;
}

#[tokio::test]
async fn probes_and_metrics_answer() {
    let db = Db::sqlite().await;
    let server = Server::start(db.store.clone(), Config::default()).await;
    let client = server.client();
    for path in ["/healthz", "/livez", "/readyz"] {
        assert_eq!(client.get(path).await.status(), StatusCode::OK, "{path}");
    }
    let metrics = client.get("/metrics").await;
    assert!(metrics.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = metrics.text().await.unwrap();
    assert!(
        text.contains("kubeprep_http_requests_total{class=\"2xx\"} 3"),
        "{text}"
    );
    assert!(text.contains("# TYPE kubeprep_http_request_duration_seconds histogram"));
    // With the database gone, the replica is not ready but still alive.
    server.state.store.clone().close().await;
    assert_eq!(
        client.get("/readyz").await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(client.get("/livez").await.status(), StatusCode::OK);
    server.stop().await;
}

#[tokio::test]
async fn two_replicas_on_one_database_serve_the_same_interview_in_turn() {
    for db in Db::all().await {
        let name = db.name;
        // Two servers, each with its own engine cache, like two Pods.
        let one = Server::start(db.store.clone(), Config::default()).await;
        let two = Server::start(db.store.clone(), Config::default()).await;
        one.user("a@example.com", Role::Candidate).await;
        let mut on_one = one.signed_in("a@example.com").await;
        let id = on_one.start_interview().await;
        on_one.refresh_csrf(&format!("/s/{id}")).await;
        // The same login cookie works on the other replica (sessions live in the store).
        let mut on_two = two.client();
        on_two.http = on_one.http.clone();
        on_two.csrf = on_one.csrf.clone();
        for (n, replica) in [&on_one, &on_two, &on_one, &on_two, &on_one]
            .into_iter()
            .enumerate()
        {
            answer(
                replica,
                &id,
                &format!("answer number {n} about Pods and containers"),
            )
            .await;
        }
        for replica in [&on_one, &on_two] {
            let (_, page) = replica.text(&format!("/s/{id}")).await;
            let positions: Vec<usize> = (0..5)
                .map(|n| {
                    page.find(&format!("answer number {n} "))
                        .expect("every answer, on both")
                })
                .collect();
            assert!(
                positions.windows(2).all(|w| w[0] < w[1]),
                "{name}: in order"
            );
        }
        let events = db.store.events(&SessionId(id.clone())).await.unwrap();
        assert_eq!(
            events.iter().filter(|e| e.kind == "answered").count(),
            5,
            "{name}"
        );
        one.stop().await;
        two.stop().await;
        db.finish().await;
    }
}

/// What the interviewer says outside the conversation (here "No more hints"
/// after the fourth) shows once on the page after the redirect.
#[tokio::test]
async fn an_actions_notice_shows_once_after_the_redirect() {
    for db in Db::all().await {
        let name = db.name;
        let server = Server::start(db.store.clone(), Config::default()).await;
        server.user("n@example.com", Role::Candidate).await;
        let candidate = server.signed_in("n@example.com").await;
        let id = candidate.start_interview().await;
        for _ in 0..4 {
            let response = candidate
                .post_csrf(&format!("/s/{id}/act"), &[("action", "hint")])
                .await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{name}");
        }
        let (_, page) = candidate.text(&format!("/s/{id}")).await;
        assert!(!page.contains("No more hints"), "{name}: not yet");
        let response = candidate
            .post_csrf(&format!("/s/{id}/act"), &[("action", "hint")])
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{name}");
        let (_, page) = candidate.text(&format!("/s/{id}")).await;
        assert!(page.contains("No more hints"), "{name}: {page}");
        let (_, page) = candidate.text(&format!("/s/{id}")).await;
        assert!(!page.contains("No more hints"), "{name}: shown once");
    }
}
