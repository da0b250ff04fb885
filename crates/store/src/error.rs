//! The store's one error type, shared by every backend, and the wording of
//! its messages: each says what failed (the database path, the session id,
//! the prefix) in one line that the CLI can print as it is.
//!
//! Not for: deciding exit codes or printing; the binary does that.

use std::path::PathBuf;

use crate::SessionId;

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database could not be created or opened: its directory could not
    /// be made, the file is not writable, or it is not a database. `reason`
    /// is a short lower-case phrase such as `permission denied`.
    #[error("cannot open database {}: {reason} (set --db or KUBEPREP_DB to a writable path)", path.display())]
    Open {
        /// The database file that was being opened.
        path: PathBuf,
        /// What went wrong, in a few words.
        reason: String,
        /// The underlying I/O or database error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },

    /// The database opened but its schema could not be brought up to date,
    /// for example because a newer kubeprep already migrated it further.
    #[error("cannot upgrade the schema of database {}: {source}", path.display())]
    Migrate {
        /// The database file.
        path: PathBuf,
        /// What the migrator reported.
        #[source]
        source: sqlx::migrate::MigrateError,
    },

    /// A PostgreSQL server could not be reached, refused the login, or the
    /// URL does not parse. `url` never contains the password.
    #[error("cannot connect to database {url}: {reason} (check --database-url or DATABASE_URL)")]
    Connect {
        /// The URL with its password replaced by `***`.
        url: String,
        /// What went wrong, in a few words.
        reason: String,
        /// The driver's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },

    /// A PostgreSQL database could not be migrated to this version's schema.
    #[error("cannot upgrade the schema of database {url}: {source}")]
    MigrateUrl {
        /// The URL with its password replaced by `***`.
        url: String,
        /// What the migrator reported.
        #[source]
        source: sqlx::migrate::MigrateError,
    },

    /// A value that must be unique is taken, e.g. an e-mail address or a
    /// cohort name.
    #[error("{what} already exists")]
    Duplicate {
        /// What is taken, e.g. `user ada@example.com`.
        what: String,
    },

    /// An invite token is unknown, used or expired.
    #[error("this invite link is unknown, already used or expired; ask for a new one")]
    InviteInvalid,

    /// A row that an account operation refers to does not exist.
    #[error("no {what}")]
    Missing {
        /// What is missing, e.g. `user 7`.
        what: String,
    },

    /// The database location names a backend this build does not support.
    #[error("{scheme}:// databases are not supported yet; use a SQLite file path")]
    UnsupportedBackend {
        /// The URL scheme, e.g. `postgres`.
        scheme: String,
    },

    /// No session has this id, or no id starts with this prefix.
    #[error("no session matches {id}")]
    NotFound {
        /// The id or prefix that was looked up.
        id: String,
    },

    /// More than one session id starts with this prefix.
    #[error(
        "session prefix {prefix} is ambiguous: it matches {}; type more characters",
        list_ids(matches)
    )]
    Ambiguous {
        /// The prefix that was looked up.
        prefix: String,
        /// Some of the matching ids (at most a handful).
        matches: Vec<SessionId>,
    },

    /// An empty session id prefix was given; it would match every session.
    #[error("no session id given")]
    EmptyPrefix,

    /// [`Store::create_session`](crate::Store::create_session) was given an
    /// id that is already taken.
    #[error("session {id} already exists")]
    AlreadyExists {
        /// The id that is taken.
        id: SessionId,
    },

    /// A score outside 0-100 was given for a session.
    #[error("score {score} for session {id} is out of range 0-100")]
    InvalidScore {
        /// The session whose summary was being set.
        id: SessionId,
        /// The rejected score.
        score: u8,
    },

    /// A stored row does not decode: the payload is not JSON, or a column
    /// holds a value this version does not know.
    #[error("session {id} has a corrupt stored {what}")]
    Corrupt {
        /// The session the row belongs to.
        id: SessionId,
        /// What does not decode, e.g. `event 3 payload` or `status "x"`.
        what: String,
        /// The decoding error, when there is one.
        #[source]
        source: Option<serde_json::Error>,
    },

    /// A query failed after the database was opened (locked for too long,
    /// disk full, I/O error).
    #[error("database error while {action}")]
    Database {
        /// What the store was doing, e.g. `appending to session 4f0c…`.
        action: String,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
}

fn list_ids(ids: &[SessionId]) -> String {
    ids.iter()
        .map(|id| id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Turns an error's message into the short phrase of an open error:
/// `Permission denied (os error 13)` becomes `permission denied`.
pub(crate) fn short_reason(message: &str) -> String {
    let message = match message.rfind(" (os error ") {
        Some(at) if message.ends_with(')') => &message[..at],
        _ => message,
    };
    let mut chars = message.chars();
    match chars.next() {
        // Keep acronyms ("I/O error") as they are; lower-case a capitalised word.
        Some(first) if chars.next().is_some_and(|c| c.is_lowercase()) => first
            .to_lowercase()
            .chain(message.chars().skip(1))
            .collect(),
        _ => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::short_reason;

    #[track_caller]
    fn check(message: &str, expected: &str) {
        assert_eq!(short_reason(message), expected);
    }

    #[test]
    fn reasons_are_short_lower_case_phrases() {
        check("Permission denied (os error 13)", "permission denied");
        check("Not a directory (os error 20)", "not a directory");
        check(
            "Read-only file system (os error 30)",
            "read-only file system",
        );
        check(
            "unable to open database file",
            "unable to open database file",
        );
        check("I/O error", "I/O error");
        check("", "");
    }
}
