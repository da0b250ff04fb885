//! Both backends for the same test body: a SQLite file in a temporary
//! directory, and a fresh database on the PostgreSQL server named by
//! `KUBEPREP_TEST_DATABASE_URL`. Without that variable the PostgreSQL half
//! is skipped with a note, except when `CI` is set: there it is a failure,
//! because CI must exercise both.

use std::path::Path;

use kubeprep_store::AnyStore;
use sqlx::Connection;

/// The environment variable naming a PostgreSQL server for tests; the user
/// must be allowed to create databases.
pub const TEST_DATABASE_ENV: &str = "KUBEPREP_TEST_DATABASE_URL";

/// A store and what keeps it alive (the temporary directory, or the name of
/// the throw-away PostgreSQL database to drop afterwards).
pub struct Backend {
    /// `sqlite` or `postgres`.
    pub name: &'static str,
    /// The store under test.
    pub store: AnyStore,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl Backend {
    /// Closes the store and, for PostgreSQL, drops its database.
    pub async fn finish(self) {
        self.store.close().await;
        if let Some((admin_url, database)) = self.pg {
            let mut conn = sqlx::PgConnection::connect(&admin_url)
                .await
                .expect("reconnect to drop the test database");
            sqlx::query(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
                .execute(&mut conn)
                .await
                .expect("drop the test database");
        }
    }
}

/// A fresh SQLite store.
pub async fn sqlite() -> Backend {
    let dir = tempfile::tempdir().expect("create a temporary directory");
    let path = dir.path().join("kubeprep.sqlite3");
    let store = AnyStore::open(&path).await.expect("open SQLite");
    Backend {
        name: "sqlite",
        store,
        _dir: Some(dir),
        pg: None,
    }
}

/// A fresh PostgreSQL database, or `None` (with a note) when no server is
/// configured outside CI.
pub async fn postgres() -> Option<Backend> {
    let url = match std::env::var(TEST_DATABASE_ENV) {
        Ok(url) if !url.is_empty() => url,
        _ if std::env::var_os("CI").is_some() => {
            panic!("{TEST_DATABASE_ENV} must name a PostgreSQL server in CI (.ci/run starts one)")
        }
        _ => {
            #[allow(clippy::print_stderr)] // the note is the point: a test runner shows it
            {
                eprintln!("note: {TEST_DATABASE_ENV} is not set; skipping the PostgreSQL half");
            }
            return None;
        }
    };
    let database = format!("kp_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&url)
        .await
        .unwrap_or_else(|err| panic!("connect to {TEST_DATABASE_ENV}: {err}"));
    sqlx::query(&format!("CREATE DATABASE {database}"))
        .execute(&mut conn)
        .await
        .expect("create a test database (the user needs CREATEDB)");
    conn.close().await.ok();
    let test_url = with_database(&url, &database);
    let store = AnyStore::open(Path::new(&test_url))
        .await
        .unwrap_or_else(|err| panic!("open the test database: {err}"));
    Some(Backend {
        name: "postgres",
        store,
        _dir: None,
        pg: Some((url, database)),
    })
}

/// Every configured backend.
pub async fn all() -> Vec<Backend> {
    let mut backends = vec![sqlite().await];
    backends.extend(postgres().await);
    backends
}

/// `url` with its database name replaced by `database`.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let (scheme, rest) = base.split_once("://").expect("a URL with a scheme");
    let authority = rest.split('/').next().unwrap_or(rest);
    format!("{scheme}://{authority}/{database}{query}")
}
