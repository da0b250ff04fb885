//! The PostgreSQL backend: a connection pool to one database, whose schema
//! lives in `migrations/postgres/` (the same tables as `migrations/sqlite/`,
//! in PostgreSQL's dialect), embedded at compile time and run on connect.
//! A commit is durable under PostgreSQL's default `synchronous_commit`, so
//! the promise of [`Store::append`] holds as it does for SQLite. The server
//! keeps no state of its own, so several replicas can share one database.
//!
//! Not for: SQLite, or knowing what an event means. Queries are built at
//! run time so that building the crate needs no database.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{ConnectOptions, Connection, Row};

use crate::{NewSession, SessionId, SessionStatus, SessionSummary, Store, StoreError, StoredEvent};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// How many connections one process holds. A replica of the server serves
/// hundreds of candidates with this many; PostgreSQL's default limit is 100.
const MAX_CONNECTIONS: u32 = 16;

/// How long to wait for a free connection (or for the server to answer)
/// before a request fails.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// How many matching ids an [`StoreError::Ambiguous`] lists.
const AMBIGUOUS_SHOWN: i64 = 5;

const SUMMARY_COLUMNS: &str = "id, pack, pack_version, candidate, started_at_ms, updated_at_ms, \
                               status, score, questions_answered";

/// A store in one PostgreSQL database. Cloning is cheap and shares the
/// connection pool.
#[derive(Debug, Clone)]
pub struct PgStore {
    pub(crate) pool: PgPool,
    shown_url: String,
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user:password@host/db`)
    /// and brings its schema up to date. The database must exist.
    ///
    /// Fails with [`StoreError::Connect`] (naming the URL without its
    /// password) when the server cannot be reached or refuses the login, and
    /// [`StoreError::MigrateUrl`] when the schema cannot be upgraded.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let shown_url = redact_url(url);
        let connect_error = |err: sqlx::Error| StoreError::Connect {
            url: shown_url.clone(),
            reason: crate::error::short_reason(&err.to_string()),
            source: Box::new(err),
        };
        let options: PgConnectOptions = url.parse().map_err(connect_error)?;
        // Bound values are never logged by sqlx, but statements are, at
        // debug; keep them out of the server's log altogether.
        let options = options.disable_statement_logging();
        // One direct attempt first: the pool retries a refused connection
        // until its timeout, but a wrong URL should fail at once.
        let probe = sqlx::PgConnection::connect_with(&options)
            .await
            .map_err(connect_error)?;
        probe.close().await.ok();
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(connect_error)?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|source| StoreError::MigrateUrl {
                url: shown_url.clone(),
                source,
            })?;
        Ok(Self { pool, shown_url })
    }

    /// The URL this store connected to, with any password replaced by `***`.
    pub fn url(&self) -> &str {
        &self.shown_url
    }

    /// Closes every connection, waiting for them to finish.
    pub async fn close(self) {
        self.pool.close().await;
    }
}

/// `postgres://user:secret@host/db` becomes `postgres://user:***@host/db`,
/// for error messages and logs.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, tail) = match rest.find('/') {
        Some(at) => rest.split_at(at),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            if userinfo.contains(':') {
                format!("{scheme}://{user}:***@{host}{tail}")
            } else {
                format!("{scheme}://{user}@{host}{tail}")
            }
        }
        None => url.to_owned(),
    }
    .split('?')
    .next()
    .unwrap_or_default()
    .to_owned()
}

fn db_error(action: String) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| StoreError::Database { action, source }
}

impl Store for PgStore {
    async fn create_session(&self, new: NewSession) -> Result<(), StoreError> {
        let result = sqlx::query(
            "INSERT INTO sessions (id, pack, pack_version, candidate, started_at_ms, updated_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $5)",
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
        let action = || format!("appending an event to session {id}");
        // Under READ COMMITTED two concurrent appends could both read the
        // same MAX(seq); locking the session row first serialises appends to
        // one session (and only to it). The commit is the durability point.
        let mut tx = self.pool.begin().await.map_err(db_error(action()))?;
        let locked = sqlx::query("SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE")
            .bind(id.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error(action()))?;
        if locked.is_none() {
            return Err(not_found(id));
        }
        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO events (session_id, seq, kind, at_ms, payload) \
             VALUES ($1, COALESCE((SELECT MAX(seq) FROM events WHERE session_id = $1), 0) + 1, \
                     $2, $3, $4) \
             RETURNING seq",
        )
        .bind(id.as_str())
        .bind(kind)
        .bind(at_ms)
        .bind(payload.to_string())
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error(action()))?;
        tx.commit().await.map_err(db_error(action()))?;
        Ok(seq)
    }

    async fn events(&self, id: &SessionId) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.seq, e.kind, e.at_ms, e.payload \
               FROM sessions s LEFT JOIN events e ON e.session_id = s.id \
              WHERE s.id = $1 \
              ORDER BY e.seq",
        )
        .bind(id.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(db_error(format!("reading the events of session {id}")))?;
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
                SET status = $2, score = $3, questions_answered = $4, \
                    updated_at_ms = GREATEST(updated_at_ms, $5) \
              WHERE id = $1",
        )
        .bind(id.as_str())
        .bind(status.as_str())
        .bind(score.map(i64::from))
        .bind(i64::from(questions_answered))
        .bind(updated_at_ms)
        .execute(&self.pool)
        .await
        .map_err(db_error(format!("updating the summary of session {id}")))?;
        if result.rows_affected() == 0 {
            return Err(not_found(id));
        }
        Ok(())
    }

    async fn session(&self, id: &SessionId) -> Result<SessionSummary, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM sessions WHERE id = $1"
        ))
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error(format!("reading session {id}")))?;
        match row {
            Some(row) => decode_summary(&row),
            None => Err(not_found(id)),
        }
    }

    async fn list(&self, limit: Option<u32>) -> Result<Vec<SessionSummary>, StoreError> {
        // LIMIT NULL is PostgreSQL for "no limit".
        let rows = sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM sessions \
              ORDER BY started_at_ms DESC, id DESC LIMIT $1"
        ))
        .bind(limit.map(i64::from))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("listing sessions".to_owned()))?;
        rows.iter().map(decode_summary).collect()
    }

    async fn latest_resumable(&self) -> Result<Option<SessionId>, StoreError> {
        let id: Option<String> = sqlx::query_scalar(
            "SELECT id FROM sessions WHERE status <> 'finished' \
              ORDER BY updated_at_ms DESC, started_at_ms DESC, id DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("finding the latest unfinished session".to_owned()))?;
        Ok(id.map(SessionId))
    }

    async fn resolve(&self, prefix: &str) -> Result<SessionId, StoreError> {
        let prefix = prefix.trim().to_lowercase();
        if prefix.is_empty() {
            return Err(StoreError::EmptyPrefix);
        }
        // substr rather than LIKE: % and _ in a prefix are not wildcards.
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT id FROM sessions \
              WHERE lower(substr(id, 1, length($1))) = $1 \
              ORDER BY length(id), id LIMIT $2",
        )
        .bind(&prefix)
        .bind(AMBIGUOUS_SHOWN + 1)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error(format!("looking up session {prefix}")))?;
        let exact = ids.first().filter(|first| first.to_lowercase() == prefix);
        if ids.len() == 1 || exact.is_some() {
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

fn decode_event(id: &SessionId, row: &PgRow) -> Result<Option<StoredEvent>, StoreError> {
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

pub(crate) fn decode_summary(row: &PgRow) -> Result<SessionSummary, StoreError> {
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

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_never_appear_in_a_shown_url() {
        assert_eq!(
            redact_url("postgres://kp:s3cret@db:5432/kubeprep?sslmode=require"),
            "postgres://kp:***@db:5432/kubeprep"
        );
        assert_eq!(
            redact_url("postgresql://kp@localhost/x"),
            "postgresql://kp@localhost/x"
        );
        assert_eq!(
            redact_url("postgres://p%40ss:w@h/d"),
            "postgres://p%40ss:***@h/d"
        );
    }
}
