//! The JSON API over HTTP on SQLite and (in CI) PostgreSQL: a token made on
//! the account page drives a whole interview; the OpenAPI document lists
//! every route; and candidate A's token reaches none of B's session routes,
//! nor does the login cookie work on the API.

mod common;

use common::{Db, Server};
use kubeprep_server::web::Config;
use kubeprep_store::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn token(client: &common::Client) -> String {
    let response = client
        .post_csrf("/account/tokens", &[("name", "script")])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    let at = html.find("value=\"kp_").expect("the token is shown") + "value=\"".len();
    html[at..at + 3 + 64].to_owned()
}

struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

#[tokio::test]
async fn a_token_drives_an_interview_and_reaches_only_its_own_sessions() {
    for db in Db::all().await {
        let name = db.name;
        let server = Server::start(db.store.clone(), Config::default()).await;
        server.user("a@example.com", Role::Candidate).await;
        server.user("b@example.com", Role::Candidate).await;
        let api = |token| Api {
            http: reqwest::Client::new(),
            base: server.base.clone(),
            token,
        };
        let a_web = server.signed_in("a@example.com").await;
        let a = api(token(&a_web).await);
        let b = api(token(&server.signed_in("b@example.com").await).await);

        let (status, me) = a.call("GET", "/api/v1/me", None).await;
        assert_eq!(
            (status, me["email"].as_str()),
            (StatusCode::OK, Some("a@example.com")),
            "{name}"
        );

        let (status, started) = b.call("POST", "/api/v1/sessions", None).await;
        assert_eq!(status, StatusCode::CREATED, "{name}");
        let id = started["id"].as_str().unwrap().to_owned();
        assert!(
            started["question"].as_str().unwrap().contains("Pod"),
            "{name}: {started}"
        );
        let (status, after) = b
            .call(
                "POST",
                &format!("/api/v1/sessions/{id}/events"),
                Some(json!({"action": "answer", "text": "A Pod groups containers sharing a network namespace <script>"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{name}");
        assert!(
            after["transcript"].to_string().contains("<script>"),
            "{name}: JSON keeps text as typed"
        );
        let (status, error) = b
            .call(
                "POST",
                &format!("/api/v1/sessions/{id}/events"),
                Some(json!({"action": "explode"})),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{name}");
        assert!(error["error"].as_str().unwrap().contains("hint"), "{name}");

        // A's token: every route of B's session is a 404, and nothing is written.
        for (method, path, body) in [
            ("GET", format!("/api/v1/sessions/{id}"), None),
            ("GET", format!("/api/v1/sessions/{id}/scorecard"), None),
            (
                "POST",
                format!("/api/v1/sessions/{id}/events"),
                Some(json!({"action": "finish"})),
            ),
            (
                "POST",
                format!("/api/v1/sessions/{id}/notes"),
                Some(json!({"body": "x"})),
            ),
            (
                "PUT",
                format!("/api/v1/sessions/{id}/overrides"),
                Some(json!({"area": "pods", "rating": "expert", "reason": "x"})),
            ),
        ] {
            let (status, body) = a.call(method, &path, body).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{name}: {method} {path}");
            assert!(!body.to_string().contains("network namespace"), "{name}");
        }
        let (_, listed) = a.call("GET", "/api/v1/sessions", None).await;
        assert_eq!(listed, json!([]), "{name}");
        for path in ["/api/v1/review/sessions", "/api/v1/admin/users"] {
            assert_eq!(
                a.call("GET", path, None).await.0,
                StatusCode::FORBIDDEN,
                "{name}: {path}"
            );
        }
        let (status, _) = a
            .call(
                "POST",
                "/api/v1/admin/invites",
                Some(json!({"role": "admin"})),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{name}");

        let (status, done) = b
            .call(
                "POST",
                &format!("/api/v1/sessions/{id}/events"),
                Some(json!({"action": "finish"})),
            )
            .await;
        assert_eq!(
            (status, done["finished"].as_bool()),
            (StatusCode::OK, Some(true)),
            "{name}"
        );
        let (status, card) = b
            .call("GET", &format!("/api/v1/sessions/{id}/scorecard"), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{name}");
        assert_eq!(card["areas"].as_array().unwrap().len(), 6, "{name}");
        assert!(
            card.get("notes").is_none(),
            "{name}: notes are for reviewers"
        );

        // No token, a wrong token, or the login cookie: 401.
        let bad = api("kp_nope".to_owned());
        assert_eq!(
            bad.call("GET", "/api/v1/me", None).await.0,
            StatusCode::UNAUTHORIZED,
            "{name}"
        );
        let response = a_web.get("/api/v1/me").await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{name}: cookies do not work on the API"
        );

        server.stop().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let db = Db::sqlite().await;
    let server = Server::start(db.store.clone(), Config::default()).await;
    let doc: Value = reqwest::get(format!("{}/api/openapi.json", server.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/me",
        "/api/v1/sessions",
        "/api/v1/sessions/{id}",
        "/api/v1/sessions/{id}/events",
        "/api/v1/sessions/{id}/scorecard",
        "/api/v1/sessions/{id}/notes",
        "/api/v1/sessions/{id}/overrides",
        "/api/v1/review/sessions",
        "/api/v1/admin/invites",
        "/api/v1/admin/users",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from {doc}"
        );
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["token"]["scheme"],
        "bearer"
    );
    server.stop().await;
    db.finish().await;
}

/// A manifest sent beside an answer runs on the simulated cluster, and the
/// interviewer's reply carries the simulator's verdict (here: the API
/// server's refusal of a misspelt field, with the suggestion).
#[tokio::test]
async fn a_manifest_beside_an_answer_gets_the_simulators_verdict() {
    for db in Db::all().await {
        let name = db.name;
        let server = Server::start(db.store.clone(), Config::default()).await;
        server.user("c@example.com", Role::Candidate).await;
        let api = Api {
            http: reqwest::Client::new(),
            base: server.base.clone(),
            token: token(&server.signed_in("c@example.com").await).await,
        };
        let (status, started) = api.call("POST", "/api/v1/sessions", None).await;
        assert_eq!(status, StatusCode::CREATED, "{name}");
        let id = started["id"].as_str().unwrap().to_owned();
        let yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n        readynessProbe:\n          httpGet: {path: /, port: 80}\n";
        let (status, after) = api
            .call(
                "POST",
                &format!("/api/v1/sessions/{id}/events"),
                Some(json!({
                    "action": "answer",
                    "text": "A Pod is the smallest unit Kubernetes schedules: containers sharing a network namespace and volumes.",
                    "yaml": yaml,
                })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{name}: {after}");
        let transcript = after["transcript"].to_string();
        assert!(
            transcript.contains("the API server would not take this")
                && transcript
                    .contains("unknown field \\\"spec.template.spec.containers[0].readynessProbe"),
            "{name}: the reply names the misspelt field: {transcript}"
        );
    }
}
