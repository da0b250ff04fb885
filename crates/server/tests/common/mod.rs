//! The web application in-process for tests: a fresh store (a SQLite file,
//! or a throw-away PostgreSQL database when `KUBEPREP_TEST_DATABASE_URL` is
//! set — required in CI), the server on a free loopback port, and a cookie-
//! keeping HTTP client per person that does not follow redirects, so tests
//! see every status.

#![allow(dead_code, missing_docs)]

use std::path::Path;

use kubeprep_bank::Pack;
use kubeprep_server::web::{self, auth, AppState, Config, State};
use kubeprep_store::{AnyStore, Role, User};
use reqwest::redirect::Policy;
use reqwest::StatusCode;
use sqlx::Connection;

pub const TEST_DATABASE_ENV: &str = "KUBEPREP_TEST_DATABASE_URL";

/// A store and what keeps it alive.
pub struct Db {
    pub name: &'static str,
    pub store: AnyStore,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl Db {
    pub async fn sqlite() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let store = AnyStore::open(&dir.path().join("kp.sqlite3"))
            .await
            .unwrap();
        Db {
            name: "sqlite",
            store,
            _dir: Some(dir),
            pg: None,
        }
    }

    pub async fn postgres() -> Option<Db> {
        let url = match std::env::var(TEST_DATABASE_ENV) {
            Ok(url) if !url.is_empty() => url,
            _ if std::env::var_os("CI").is_some() => {
                panic!("{TEST_DATABASE_ENV} must name a PostgreSQL server in CI")
            }
            _ => return None,
        };
        let database = format!("kp_web_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {database}"))
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.ok();
        let (base, query) = url.split_once('?').unwrap_or((&url, ""));
        let (scheme, rest) = base.split_once("://").unwrap();
        let authority = rest.split('/').next().unwrap();
        let query = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        let test_url = format!("{scheme}://{authority}/{database}{query}");
        let store = AnyStore::open(Path::new(&test_url)).await.unwrap();
        Some(Db {
            name: "postgres",
            store,
            _dir: None,
            pg: Some((url, database)),
        })
    }

    /// SQLite, and PostgreSQL when configured.
    pub async fn all() -> Vec<Db> {
        let mut dbs = vec![Db::sqlite().await];
        dbs.extend(Db::postgres().await);
        dbs
    }

    pub async fn finish(self) {
        self.store.close().await;
        if let Some((url, database)) = self.pg {
            let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::query(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
                .execute(&mut conn)
                .await
                .ok();
        }
    }
}

/// The server running on a loopback port.
pub struct Server {
    pub base: String,
    pub state: State,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Server {
    pub async fn start(store: AnyStore, config: Config) -> Server {
        let pack = Pack::embedded().unwrap();
        let state = AppState::new(store, pack, config).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(web::serve(listener, state.clone(), async move {
            let _ = stopped.await;
        }));
        Server {
            base,
            state,
            stop: Some(stop),
            task: Some(tokio::spawn(async move {
                task.await.unwrap().unwrap();
            })),
        }
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
    }

    /// Makes an account directly in the store.
    pub async fn user(&self, email: &str, role: Role) -> User {
        let hash = auth::hash_password(PASSWORD.to_owned()).await.unwrap();
        self.state
            .store
            .create_user(email, &hash, role, web::now_ms())
            .await
            .unwrap()
    }

    /// A browser-like client for one person, not signed in.
    pub fn client(&self) -> Client {
        Client {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(Policy::none())
                .build()
                .unwrap(),
            base: self.base.clone(),
            csrf: String::new(),
        }
    }

    /// A client signed in as `email`.
    pub async fn signed_in(&self, email: &str) -> Client {
        let mut client = self.client();
        let response = client.login(email, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "sign in {email}");
        client.refresh_csrf("/home").await;
        client
    }
}

pub const PASSWORD: &str = "correct horse battery";

/// One person's browser.
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    /// The CSRF token of the last page read with [`Client::refresh_csrf`].
    pub csrf: String,
}

/// The value of the first `name="csrf"` field of a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let at = html.find(marker).expect("a form with a CSRF token") + marker.len();
    html[at..at + 64].to_owned()
}

impl Client {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.unwrap()
    }

    pub async fn text(&self, path: &str) -> (StatusCode, String) {
        let response = self.get(path).await;
        let status = response.status();
        (status, response.text().await.unwrap())
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Posts with this login's CSRF token added.
    pub async fn post_csrf(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let mut fields = vec![("csrf", self.csrf.as_str())];
        fields.extend_from_slice(form);
        self.post(path, &fields).await
    }

    pub async fn refresh_csrf(&mut self, path: &str) {
        let (status, html) = self.text(path).await;
        assert_eq!(status, StatusCode::OK, "GET {path}");
        self.csrf = csrf_of(&html);
    }

    pub async fn login(&mut self, email: &str, password: &str) -> reqwest::Response {
        let (_, html) = self.text("/login").await;
        let csrf = csrf_of(&html);
        self.post(
            "/login",
            &[("csrf", &csrf), ("email", email), ("password", password)],
        )
        .await
    }

    /// Starts an interview; returns its id.
    pub async fn start_interview(&self) -> String {
        let response = self.post_csrf("/sessions", &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        location(&response)
            .strip_prefix("/s/")
            .expect("a session page")
            .to_owned()
    }
}

/// The `Location` of a redirect, without scheme and host.
pub fn location(response: &reqwest::Response) -> String {
    let value = response
        .headers()
        .get("location")
        .expect("a redirect")
        .to_str()
        .unwrap();
    match value.find("://") {
        Some(at) => {
            let rest = &value[at + 3..];
            rest[rest.find('/').unwrap_or(rest.len())..].to_owned()
        }
        None => value.to_owned(),
    }
}
