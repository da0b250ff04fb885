//! Persistence of event-sourced interview sessions: a session row with a
//! summary for `kubeprep history`, and an append-only log of opaque events
//! that is durable the moment [`Store::append`] returns; and the accounts
//! of the web server (users, cohorts, invites, notes, overrides: see
//! [`AnyStore::create_user`] and its neighbours). Two backends behind the
//! same [`Store`] trait and [`AnyStore`]: a SQLite file ([`SqliteStore`],
//! the default) and a PostgreSQL server ([`PgStore`], chosen by a
//! `postgres://` URL), each with its own migration folder describing the
//! same schema.
//!
//! Not for: the meaning of events. The store never looks inside a payload;
//! the caller serialises the interview engine's events and folds them back
//! into a session on resume. This crate does not print, read stdin, or
//! depend on the interview engine.
//!
//! ```no_run
//! # async fn demo() -> Result<(), kubeprep_store::StoreError> {
//! use kubeprep_store::{AnyStore, NewSession, SessionId, Store};
//!
//! let path = kubeprep_store::default_database_path().expect("a home directory");
//! let store = AnyStore::open(&path).await?;
//! let id = SessionId::new();
//! store
//!     .create_session(NewSession {
//!         id: id.clone(),
//!         pack: "kubernetes".into(),
//!         pack_version: "1".into(),
//!         candidate: None,
//!         started_at_ms: 1_700_000_000_000,
//!     })
//!     .await?;
//! let seq = store
//!     .append(&id, "answered", 1_700_000_060_000, &serde_json::json!({"text": "..."}))
//!     .await?;
//! assert_eq!(seq, 1);
//! # Ok(())
//! # }
//! ```

mod accounts;
mod error;
mod postgres;
mod session;
mod sqlite;

use std::ffi::OsString;
use std::future::Future;
use std::path::{Path, PathBuf};

pub use accounts::{
    AreaOverride, Cohort, Invite, NewInvite, Note, OwnedSummary, Role, User, UserId,
};
pub use error::StoreError;
pub use postgres::{redact_url, PgStore};
pub use session::{NewSession, SessionId, SessionStatus, SessionSummary, StoredEvent};
pub use sqlite::SqliteStore;

/// The environment variable that overrides where the database lives (the
/// CLI's `--db` flag overrides it in turn).
pub const DATABASE_ENV: &str = "KUBEPREP_DB";

/// Where the database lives when the user says nothing: `$KUBEPREP_DB` if it
/// is set and not empty, else `<XDG data dir>/kubeprep/kubeprep.sqlite3`
/// (`~/.local/share/kubeprep/kubeprep.sqlite3` on Linux). `None` when no
/// home directory can be found.
pub fn default_database_path() -> Option<PathBuf> {
    database_path_from(std::env::var_os(DATABASE_ENV))
}

/// [`default_database_path`] with the environment value passed in, so the
/// precedence is testable without touching the process environment.
fn database_path_from(env_value: Option<OsString>) -> Option<PathBuf> {
    match env_value {
        Some(value) if !value.is_empty() => Some(PathBuf::from(value)),
        _ => directories::BaseDirs::new()
            .map(|dirs| dirs.data_dir().join("kubeprep").join("kubeprep.sqlite3")),
    }
}

/// The operations every backend offers. Callers normally hold an
/// [`AnyStore`]; code that should run against every backend (the durability
/// tests) can be generic over this trait.
///
/// All methods take `&self` and may be called concurrently; every backend is
/// a connection pool.
pub trait Store {
    /// Records a new session with status [`SessionStatus::InProgress`], no
    /// score, and `updated_at_ms` equal to `started_at_ms`.
    /// Fails with [`StoreError::AlreadyExists`] if the id is taken.
    fn create_session(
        &self,
        new: NewSession,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Appends one event to a session's log and returns its sequence number
    /// (1 for the first event). When this returns `Ok`, the event is
    /// committed to stable storage: a crash or `kill -9` right after cannot
    /// lose it. Each call is its own transaction. Also moves the session's
    /// `updated_at_ms` forward to `at_ms`.
    /// Fails with [`StoreError::NotFound`] if the session does not exist.
    fn append(
        &self,
        id: &SessionId,
        kind: &str,
        at_ms: i64,
        payload: &serde_json::Value,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;

    /// Every event of a session, in sequence order.
    /// Fails with [`StoreError::NotFound`] if the session does not exist.
    fn events(
        &self,
        id: &SessionId,
    ) -> impl Future<Output = Result<Vec<StoredEvent>, StoreError>> + Send;

    /// Replaces a session's summary (what `kubeprep history` shows).
    /// Fails with [`StoreError::InvalidScore`] for a score above 100 and
    /// [`StoreError::NotFound`] if the session does not exist.
    fn set_summary(
        &self,
        id: &SessionId,
        status: SessionStatus,
        score: Option<u8>,
        questions_answered: u32,
        updated_at_ms: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// One session's summary.
    /// Fails with [`StoreError::NotFound`] if the session does not exist.
    fn session(
        &self,
        id: &SessionId,
    ) -> impl Future<Output = Result<SessionSummary, StoreError>> + Send;

    /// Session summaries, newest first (by `started_at_ms`), at most `limit`
    /// of them when given.
    fn list(
        &self,
        limit: Option<u32>,
    ) -> impl Future<Output = Result<Vec<SessionSummary>, StoreError>> + Send;

    /// The session a bare `--resume` continues: the most recently active
    /// (by `updated_at_ms`) session that is not finished, if any.
    fn latest_resumable(
        &self,
    ) -> impl Future<Output = Result<Option<SessionId>, StoreError>> + Send;

    /// The one session whose id starts with `prefix` (like git's abbreviated
    /// hashes; case and surrounding spaces are ignored).
    /// Fails with [`StoreError::EmptyPrefix`], [`StoreError::NotFound`] or
    /// [`StoreError::Ambiguous`].
    fn resolve(&self, prefix: &str) -> impl Future<Output = Result<SessionId, StoreError>> + Send;
}

/// A store on whichever backend the database location names.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AnyStore {
    /// A SQLite database file.
    Sqlite(SqliteStore),
    /// A PostgreSQL database.
    Postgres(PgStore),
}

impl AnyStore {
    /// Opens the store at `location`: a `postgres://` or `postgresql://`
    /// URL connects to PostgreSQL; a file path (optionally written as a
    /// `sqlite:` URL) opens SQLite, creating the file and its directories.
    /// Either way the schema is brought up to date.
    pub async fn open(location: &Path) -> Result<Self, StoreError> {
        match location.to_str() {
            Some(text) if text.starts_with("postgres://") || text.starts_with("postgresql://") => {
                Ok(Self::Postgres(PgStore::connect(text).await?))
            }
            Some(text) if text.starts_with("sqlite:") => {
                let path = text.strip_prefix("sqlite:").unwrap_or(text);
                let path = path.strip_prefix("//").unwrap_or(path);
                Ok(Self::Sqlite(SqliteStore::open(Path::new(path)).await?))
            }
            _ => Ok(Self::Sqlite(SqliteStore::open(location).await?)),
        }
    }

    /// Closes every connection, waiting for them to finish. Dropping the
    /// store is also safe: every appended event is already durable.
    pub async fn close(self) {
        match self {
            Self::Sqlite(store) => store.close().await,
            Self::Postgres(store) => store.close().await,
        }
    }

    /// Which backend this is: `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

impl From<PgStore> for AnyStore {
    fn from(store: PgStore) -> Self {
        Self::Postgres(store)
    }
}

impl From<SqliteStore> for AnyStore {
    fn from(store: SqliteStore) -> Self {
        Self::Sqlite(store)
    }
}

impl Store for AnyStore {
    async fn create_session(&self, new: NewSession) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(store) => store.create_session(new).await,
            Self::Postgres(store) => store.create_session(new).await,
        }
    }

    async fn append(
        &self,
        id: &SessionId,
        kind: &str,
        at_ms: i64,
        payload: &serde_json::Value,
    ) -> Result<i64, StoreError> {
        match self {
            Self::Sqlite(store) => store.append(id, kind, at_ms, payload).await,
            Self::Postgres(store) => store.append(id, kind, at_ms, payload).await,
        }
    }

    async fn events(&self, id: &SessionId) -> Result<Vec<StoredEvent>, StoreError> {
        match self {
            Self::Sqlite(store) => store.events(id).await,
            Self::Postgres(store) => store.events(id).await,
        }
    }

    async fn set_summary(
        &self,
        id: &SessionId,
        status: SessionStatus,
        score: Option<u8>,
        questions_answered: u32,
        updated_at_ms: i64,
    ) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(store) => {
                store
                    .set_summary(id, status, score, questions_answered, updated_at_ms)
                    .await
            }
            Self::Postgres(store) => {
                store
                    .set_summary(id, status, score, questions_answered, updated_at_ms)
                    .await
            }
        }
    }

    async fn session(&self, id: &SessionId) -> Result<SessionSummary, StoreError> {
        match self {
            Self::Sqlite(store) => store.session(id).await,
            Self::Postgres(store) => store.session(id).await,
        }
    }

    async fn list(&self, limit: Option<u32>) -> Result<Vec<SessionSummary>, StoreError> {
        match self {
            Self::Sqlite(store) => store.list(limit).await,
            Self::Postgres(store) => store.list(limit).await,
        }
    }

    async fn latest_resumable(&self) -> Result<Option<SessionId>, StoreError> {
        match self {
            Self::Sqlite(store) => store.latest_resumable().await,
            Self::Postgres(store) => store.latest_resumable().await,
        }
    }

    async fn resolve(&self, prefix: &str) -> Result<SessionId, StoreError> {
        match self {
            Self::Sqlite(store) => store.resolve(prefix).await,
            Self::Postgres(store) => store.resolve(prefix).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_the_xdg_default() {
        assert_eq!(
            database_path_from(Some("/tmp/x.sqlite3".into())),
            Some(PathBuf::from("/tmp/x.sqlite3"))
        );
    }

    #[test]
    fn empty_environment_value_falls_back_to_the_data_dir() {
        let default = database_path_from(Some(OsString::new()));
        assert_eq!(default, database_path_from(None));
        if let Some(path) = default {
            assert!(
                path.ends_with("kubeprep/kubeprep.sqlite3"),
                "{}",
                path.display()
            );
        }
    }
}
