//! The values the store speaks in: session ids, statuses, summaries and
//! stored events, shared by every backend.
//!
//! Not for: SQL or any backend detail, and not the interview engine's event
//! types (an event here is an opaque JSON payload with a kind).

use std::fmt;

/// A session's id: a UUID v4 in its lowercase hyphenated form. Users may
/// type any unique prefix of it (see [`Store::resolve`](crate::Store::resolve)).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(pub String);

impl SessionId {
    /// A fresh random id.
    #[allow(clippy::new_without_default)] // a default id would be a random one; say so at the call site
    pub fn new() -> Self {
        Self(uuid::Uuid::new_v4().to_string())
    }

    /// The full id.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first eight characters, enough to tell sessions apart in a
    /// listing and to pass back to [`Store::resolve`](crate::Store::resolve).
    pub fn short(&self) -> &str {
        self.0.get(..8).unwrap_or(&self.0)
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for SessionId {
    fn from(id: String) -> Self {
        Self(id)
    }
}

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SessionStatus {
    /// Started and not yet ended; also what a session is after a crash.
    InProgress,
    /// Explicitly paused by the candidate, to be resumed later.
    Paused,
    /// Ended with a scorecard; not offered for a bare `--resume`.
    Finished,
}

impl SessionStatus {
    /// The stable spelling stored in the database and used in JSON:
    /// `in_progress`, `paused` or `finished`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InProgress => "in_progress",
            Self::Paused => "paused",
            Self::Finished => "finished",
        }
    }

    /// The inverse of [`SessionStatus::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "in_progress" => Some(Self::InProgress),
            "paused" => Some(Self::Paused),
            "finished" => Some(Self::Finished),
            _ => None,
        }
    }
}

impl fmt::Display for SessionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the caller knows when a session starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// The id to record it under, usually [`SessionId::new`].
    pub id: SessionId,
    /// The pack's name, e.g. `kubernetes`.
    pub pack: String,
    /// The pack's version, so a resume can tell if the content changed.
    pub pack_version: String,
    /// The candidate's name, when given.
    pub candidate: Option<String>,
    /// When the session started, in Unix milliseconds.
    pub started_at_ms: i64,
}

/// One row of `kubeprep history`: a session and its latest summary.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionSummary {
    /// The session's id.
    pub id: SessionId,
    /// The pack's name.
    pub pack: String,
    /// The pack's version when the session started.
    pub pack_version: String,
    /// The candidate's name, when given.
    pub candidate: Option<String>,
    /// When the session started, in Unix milliseconds.
    pub started_at_ms: i64,
    /// The last activity: the latest of the last appended event's time and
    /// the last summary update, in Unix milliseconds.
    pub updated_at_ms: i64,
    /// Where the session stands.
    pub status: SessionStatus,
    /// The overall score 0-100, once there is one.
    pub score: Option<u8>,
    /// How many questions the candidate has answered so far.
    pub questions_answered: u32,
}

/// One event as stored: the caller's kind and payload plus the sequence
/// number the store assigned.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct StoredEvent {
    /// Position in the session's log, counting from 1, without gaps.
    pub seq: i64,
    /// The caller's name for the event, e.g. `answered`.
    pub kind: String,
    /// When it happened, in Unix milliseconds.
    pub at_ms: i64,
    /// The caller's serialised event, exactly as appended.
    pub payload: serde_json::Value,
}
