//! Helpers shared by the store's integration tests: a database file in a
//! fresh temporary directory and a terse way to describe a new session.
//!
//! Not for: assertions; each test states its own.

#![allow(dead_code)] // each test file uses a different subset

use std::path::PathBuf;

use kubeprep_store::{NewSession, SessionId, SqliteStore};
use tempfile::TempDir;

/// A database path inside a new temporary directory; the directory lives
/// as long as the returned guard. The file itself does not exist yet, and
/// it sits in a subdirectory that does not exist either, so every test also
/// exercises directory creation.
pub fn temp_db() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("create a temporary directory");
    let path = dir.path().join("data").join("kubeprep.sqlite3");
    (dir, path)
}

/// Opens a SQLite store at `path`, failing the test on error.
pub async fn open(path: &std::path::Path) -> SqliteStore {
    match SqliteStore::open(path).await {
        Ok(store) => store,
        Err(err) => panic!("open {}: {err}", path.display()),
    }
}

/// A new session of the Kubernetes pack with this id and start time.
pub fn session(id: &str, started_at_ms: i64) -> NewSession {
    NewSession {
        id: SessionId(id.to_owned()),
        pack: "kubernetes".to_owned(),
        pack_version: "1.0.0".to_owned(),
        candidate: None,
        started_at_ms,
    }
}
pub mod backends;
