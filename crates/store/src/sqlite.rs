//! The SQLite backend: one database file in WAL mode with `synchronous =
//! FULL`, so an appended event has reached the disk when `append` returns,
//! and several processes (a second terminal, `kubeprep history` during an
//! interview) can use the file at once. Schema changes live in
//! `migrations/sqlite/`, embedded at compile time and run on open.
//!
//! Not for: other databases, or knowing what an event means. Queries are
//! built at run time so that building the crate needs no database.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::migrate::{MigrateError, Migrator};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::Row;

use crate::error::short_reason;
use crate::{NewSession, SessionId, SessionStatus, SessionSummary, Store, StoreError, StoredEvent};

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// How long a write waits for another connection's write to finish before
/// failing with "database is locked". Writes are single short statements,
/// so only a stuck process could hold the lock this long.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// A CLI needs one writer and maybe a reader; a server a few more. SQLite
/// serialises writers anyway.
const MAX_CONNECTIONS: u32 = 4;

/// How many matching ids an [`StoreError::Ambiguous`] lists.
const AMBIGUOUS_SHOWN: i64 = 5;

const SUMMARY_COLUMNS: &str = "id, pack, pack_version, candidate, started_at_ms, updated_at_ms, \
                               status, score, questions_answered";

/// A store in one SQLite database file. Cloning is cheap and shares the
/// connection pool.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pub(crate) pool: SqlitePool,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens the database file at `path`, creating it and its parent
    /// directories if missing, and brings its schema up to date.
    ///
    /// Fails with [`StoreError::Open`] (naming the path and a short reason)
    /// when the file cannot be created or opened, and with
    /// [`StoreError::Migrate`] when the schema cannot be upgraded.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            // Blocking, but once per process and before any other work.
            std::fs::create_dir_all(parent).map_err(|err| StoreError::Open {
                path: path.to_owned(),
                reason: io_reason(path, &err),
                source: Box::new(err),
            })?;
        }

        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_with(options)
            .await
            .map_err(|err| open_error(path, err))?;

        MIGRATOR.run(&pool).await.map_err(|err| match err {
            // A file we can read but not write fails here, at the first write.
            MigrateError::Execute(err) if is_access_error(&err) => open_error(path, err),
            source => StoreError::Migrate {
                path: path.to_owned(),
                source,
            },
        })?;

        Ok(Self {
            pool,
            path: path.to_owned(),
        })
    }

    /// The database file this store was opened on.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes every connection, waiting for them to finish and checkpoint.
    /// Dropping the store is also safe: every appended event is already
    /// durable.
    pub async fn close(self) {
        self.pool.close().await;
    }
}

impl Store for SqliteStore {
    async fn create_session(&self, new: NewSession) -> Result<(), StoreError> {
        let result = sqlx::query(
            "INSERT INTO sessions (id, pack, pack_version, candidate, started_at_ms, updated_at_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        )
        .bind(new.id.as_str())
        .bind(&new.pack)
        .bind(&new.pack_version)
        .bind(new.candidate.as_deref())
        .bind(new.started_at_ms)
        .execute(&self.pool)
        .await;
        match result {
            Ok(_) => Ok(()),
            Err(err)
                if err
                    .as_database_error()
                    .is_some_and(|db| db.is_unique_violation()) =>
            {
                Err(StoreError::AlreadyExists { id: new.id })
            }
            Err(source) => Err(StoreError::Database {
                action: format!("creating session {}", new.id),
                source,
            }),
        }
    }

    async fn append(
        &self,
        id: &SessionId,
        kind: &str,
        at_ms: i64,
        payload: &serde_json::Value,
    ) -> Result<i64, StoreError> {
        let payload = payload.to_string();
        // One statement in autocommit mode is one transaction. A writing
        // statement takes SQLite's write lock before it reads MAX(seq), so
        // two concurrent appends cannot pick the same number; and stepping
        // it to completion (fetch_all) means the commit, and with
        // synchronous = FULL its fsync, has happened when this returns.
        let rows = sqlx::query(
            "INSERT INTO events (session_id, seq, kind, at_ms, payload) \
             SELECT s.id, \
                    COALESCE((SELECT MAX(e.seq) FROM events e WHERE e.session_id = s.id), 0) + 1, \
                    ?2, ?3, ?4 \
               FROM sessions s WHERE s.id = ?1 \
             RETURNING seq",
        )
        .bind(id.as_str())
        .bind(kind)
        .bind(at_ms)
        .bind(payload)
        .fetch_all(&self.pool)
        .await
        .map_err(|source| StoreError::Database {
            action: format!("appending an event to session {id}"),
            source,
        })?;
        match rows.first() {
            Some(row) => row.try_get("seq").map_err(|source| StoreError::Database {
                action: format!("reading the sequence number of an event of session {id}"),
                source,
            }),
            None => Err(not_found(id)),
        }
    }

    async fn events(&self, id: &SessionId) -> Result<Vec<StoredEvent>, StoreError> {
        // The LEFT JOIN tells "no such session" (no row) from "no events
        // yet" (one row of NULLs) in a single consistent read.
        let rows = sqlx::query(
            "SELECT e.seq, e.kind, e.at_ms, e.payload \
               FROM sessions s LEFT JOIN events e ON e.session_id = s.id \
              WHERE s.id = ?1 \
              ORDER BY e.seq",
        )
        .bind(id.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(|source| StoreError::Database {
            action: format!("reading the events of session {id}"),
            source,
        })?;
        if rows.is_empty() {
            return Err(not_found(id));
        }
        let mut events = Vec::with_capacity(rows.len());
        for row in rows {
            if let Some(event) = decode_event(id, &row)? {
                events.push(event);
            }
        }
        Ok(events)
    }

    async fn set_summary(
        &self,
        id: &SessionId,
        status: SessionStatus,
        score: Option<u8>,
        questions_answered: u32,
        updated_at_ms: i64,
    ) -> Result<(), StoreError> {
        if let Some(score) = score.filter(|&score| score > 100) {
            return Err(StoreError::InvalidScore {
                id: id.clone(),
                score,
            });
        }
        let result = sqlx::query(
            "UPDATE sessions \
                SET status = ?2, score = ?3, questions_answered = ?4, \
                    updated_at_ms = MAX(updated_at_ms, ?5) \
              WHERE id = ?1",
        )
        .bind(id.as_str())
        .bind(status.as_str())
        .bind(score.map(i64::from))
        .bind(i64::from(questions_answered))
        .bind(updated_at_ms)
        .execute(&self.pool)
        .await
        .map_err(|source| StoreError::Database {
            action: format!("updating the summary of session {id}"),
            source,
        })?;
        if result.rows_affected() == 0 {
            return Err(not_found(id));
        }
        Ok(())
    }

    async fn session(&self, id: &SessionId) -> Result<SessionSummary, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM sessions WHERE id = ?1"
        ))
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(|source| StoreError::Database {
            action: format!("reading session {id}"),
            source,
        })?;
        match row {
            Some(row) => decode_summary(&row),
            None => Err(not_found(id)),
        }
    }

    async fn list(&self, limit: Option<u32>) -> Result<Vec<SessionSummary>, StoreError> {
        // LIMIT -1 is SQLite for "no limit".
        let rows = sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM sessions \
              ORDER BY started_at_ms DESC, id DESC LIMIT ?1"
        ))
        .bind(limit.map_or(-1, i64::from))
        .fetch_all(&self.pool)
        .await
        .map_err(|source| StoreError::Database {
            action: "listing sessions".to_owned(),
            source,
        })?;
        rows.iter().map(decode_summary).collect()
    }

    async fn latest_resumable(&self) -> Result<Option<SessionId>, StoreError> {
        let id: Option<String> = sqlx::query_scalar(
            "SELECT id FROM sessions WHERE status <> 'finished' \
              ORDER BY updated_at_ms DESC, started_at_ms DESC, id DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(|source| StoreError::Database {
            action: "finding the latest unfinished session".to_owned(),
            source,
        })?;
        Ok(id.map(SessionId))
    }

    async fn resolve(&self, prefix: &str) -> Result<SessionId, StoreError> {
        let prefix = prefix.trim().to_lowercase();
        if prefix.is_empty() {
            return Err(StoreError::EmptyPrefix);
        }
        // substr rather than LIKE: a prefix containing % or _ must not act
        // as a wildcard.
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM sessions \
              WHERE lower(substr(id, 1, length(?1))) = ?1 \
              ORDER BY length(id), id LIMIT ?2",
        )
        .bind(&prefix)
        .bind(AMBIGUOUS_SHOWN + 1)
        .fetch_all(&self.pool)
        .await
        .map_err(|source| StoreError::Database {
            action: format!("looking up session {prefix}"),
            source,
        })?;
        let exact = ids.first().filter(|first| first.to_lowercase() == prefix);
        if ids.len() == 1 || exact.is_some() {
            // A whole id wins over longer ids it is a prefix of (sorted first).
            return Ok(SessionId(ids[0].clone()));
        }
        if ids.is_empty() {
            return Err(StoreError::NotFound { id: prefix });
        }
        Err(StoreError::Ambiguous {
            matches: ids
                .into_iter()
                .take(AMBIGUOUS_SHOWN as usize)
                .map(SessionId)
                .collect(),
            prefix,
        })
    }
}

fn not_found(id: &SessionId) -> StoreError {
    StoreError::NotFound { id: id.to_string() }
}

/// One row of the events query; `None` for the all-NULL row of a session
/// without events.
fn decode_event(id: &SessionId, row: &SqliteRow) -> Result<Option<StoredEvent>, StoreError> {
    let column_error = |source| StoreError::Database {
        action: format!("decoding an event of session {id}"),
        source,
    };
    let Some(seq) = row.try_get::<Option<i64>, _>("seq").map_err(column_error)? else {
        return Ok(None);
    };
    let kind: String = row.try_get("kind").map_err(column_error)?;
    let at_ms: i64 = row.try_get("at_ms").map_err(column_error)?;
    let payload: String = row.try_get("payload").map_err(column_error)?;
    let payload = serde_json::from_str(&payload).map_err(|source| StoreError::Corrupt {
        id: id.clone(),
        what: format!("event {seq} payload"),
        source: Some(source),
    })?;
    Ok(Some(StoredEvent {
        seq,
        kind,
        at_ms,
        payload,
    }))
}

pub(crate) fn decode_summary(row: &SqliteRow) -> Result<SessionSummary, StoreError> {
    let column_error = |source| StoreError::Database {
        action: "decoding a session summary".to_owned(),
        source,
    };
    let id = SessionId(row.try_get("id").map_err(column_error)?);
    let corrupt = |what: String| StoreError::Corrupt {
        id: id.clone(),
        what,
        source: None,
    };
    let status: String = row.try_get("status").map_err(column_error)?;
    let status =
        SessionStatus::parse(&status).ok_or_else(|| corrupt(format!("status {status:?}")))?;
    let score = match row
        .try_get::<Option<i64>, _>("score")
        .map_err(column_error)?
    {
        None => None,
        Some(score) => Some(
            u8::try_from(score)
                .ok()
                .filter(|&s| s <= 100)
                .ok_or_else(|| corrupt(format!("score {score}")))?,
        ),
    };
    let answered: i64 = row.try_get("questions_answered").map_err(column_error)?;
    let questions_answered =
        u32::try_from(answered).map_err(|_| corrupt(format!("questions_answered {answered}")))?;
    Ok(SessionSummary {
        pack: row.try_get("pack").map_err(column_error)?,
        pack_version: row.try_get("pack_version").map_err(column_error)?,
        candidate: row.try_get("candidate").map_err(column_error)?,
        started_at_ms: row.try_get("started_at_ms").map_err(column_error)?,
        updated_at_ms: row.try_get("updated_at_ms").map_err(column_error)?,
        status,
        score,
        questions_answered,
        id,
    })
}

fn open_error(path: &Path, err: sqlx::Error) -> StoreError {
    let reason = match &err {
        // SQLite's "unable to open database file" does not say why.
        sqlx::Error::Database(_) if path.is_dir() => "it is a directory".to_owned(),
        sqlx::Error::Database(db) => short_reason(db.message()),
        sqlx::Error::Io(io) => io_reason(path, io),
        other => short_reason(&other.to_string()),
    };
    StoreError::Open {
        path: path.to_owned(),
        reason,
        source: Box::new(err),
    }
}

/// The reason for a failed directory or file creation. "File exists" or
/// "not a directory" alone does not say which component is the culprit, so
/// name it.
fn io_reason(path: &Path, err: &std::io::Error) -> String {
    let not_a_directory = path
        .ancestors()
        .skip(1)
        .find(|ancestor| ancestor.exists() && !ancestor.is_dir());
    match not_a_directory {
        Some(ancestor) => format!("{} is not a directory", ancestor.display()),
        None => short_reason(&err.to_string()),
    }
}

/// Whether a database error means the file cannot be opened or written at
/// all (as opposed to a bug in a migration).
fn is_access_error(err: &sqlx::Error) -> bool {
    const SQLITE_PERM: i32 = 3;
    const SQLITE_READONLY: i32 = 8;
    const SQLITE_IOERR: i32 = 10;
    const SQLITE_CANTOPEN: i32 = 14;
    const SQLITE_NOTADB: i32 = 26;
    match err {
        sqlx::Error::Io(_) => true,
        sqlx::Error::Database(db) => db
            .code()
            .and_then(|code| code.parse::<i32>().ok())
            .is_some_and(|code| {
                matches!(
                    code & 0xff,
                    SQLITE_PERM | SQLITE_READONLY | SQLITE_IOERR | SQLITE_CANTOPEN | SQLITE_NOTADB
                )
            }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The durability promise rests on these settings; pin them on a pooled
    // connection, where they must hold for every query.
    #[tokio::test]
    async fn connections_use_wal_full_sync_busy_timeout_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("db.sqlite3"))
            .await
            .unwrap();
        let mut conn = store.pool.acquire().await.unwrap();
        let text = |sql| sqlx::query_scalar::<_, String>(sql);
        let int = |sql| sqlx::query_scalar::<_, i64>(sql);
        assert_eq!(
            text("PRAGMA journal_mode")
                .fetch_one(&mut *conn)
                .await
                .unwrap(),
            "wal"
        );
        // 2 = FULL
        assert_eq!(
            int("PRAGMA synchronous")
                .fetch_one(&mut *conn)
                .await
                .unwrap(),
            2
        );
        assert_eq!(
            int("PRAGMA busy_timeout")
                .fetch_one(&mut *conn)
                .await
                .unwrap(),
            BUSY_TIMEOUT.as_millis() as i64
        );
        assert_eq!(
            int("PRAGMA foreign_keys")
                .fetch_one(&mut *conn)
                .await
                .unwrap(),
            1
        );
    }
}
