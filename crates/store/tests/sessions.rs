//! The store's contract, one behaviour per test, against a real SQLite file:
//! creating sessions, appending and reading events, summaries, listing,
//! resolving id prefixes and finding the session to resume.
//!
//! Not for: crash and concurrency behaviour (see `durability.rs`) or open
//! errors (see `open_errors.rs`).

mod common;

use common::{open, session, temp_db};
use kubeprep_store::{AnyStore, NewSession, SessionId, SessionStatus, Store, StoreError};
use serde_json::json;

fn id(text: &str) -> SessionId {
    SessionId(text.to_owned())
}

#[tokio::test]
async fn appended_events_read_back_in_order_with_their_payloads() {
    let (_dir, path) = temp_db();
    let store = open(&path).await;
    let sid = SessionId::new();
    store
        .create_session(NewSession {
            candidate: Some("Ada".to_owned()),
            ..session(sid.as_str(), 1_000)
        })
        .await
        .unwrap();

    let payloads = [
        ("started", json!({"pack": "kubernetes"})),
        (
            "answered",
            json!({"question": "pod-basics", "text": "A Pod is… \"quoted\" ✓"}),
        ),
        ("hint", json!({"level": 2})),
        (
            "answered",
            json!({"question": "pod-sidecar-sharing", "text": ""}),
        ),
    ];
    for (n, (kind, payload)) in payloads.iter().enumerate() {
        let seq = store
            .append(&sid, kind, 2_000 + n as i64, payload)
            .await
            .unwrap();
        assert_eq!(
            seq,
            n as i64 + 1,
            "sequence numbers count from 1 without gaps"
        );
    }

    let events = store.events(&sid).await.unwrap();
    assert_eq!(events.len(), payloads.len());
    for (n, (event, (kind, payload))) in events.iter().zip(&payloads).enumerate() {
        assert_eq!(event.seq, n as i64 + 1);
        assert_eq!(event.kind, *kind);
        assert_eq!(event.at_ms, 2_000 + n as i64);
        assert_eq!(event.payload, *payload);
    }
}

#[tokio::test]
async fn sequence_numbers_are_per_session() {
    let (_dir, path) = temp_db();
    let store = open(&path).await;
    store.create_session(session("aaaa", 1)).await.unwrap();
    store.create_session(session("bbbb", 2)).await.unwrap();
    let a1 = store.append(&id("aaaa"), "x", 10, &json!(1)).await.unwrap();
    let b1 = store.append(&id("bbbb"), "x", 11, &json!(2)).await.unwrap();
    let a2 = store.append(&id("aaaa"), "x", 12, &json!(3)).await.unwrap();
    assert_eq!((a1, b1, a2), (1, 1, 2));
    let a: Vec<_> = store.events(&id("aaaa")).await.unwrap();
    assert_eq!(
        a.iter().map(|e| e.payload.clone()).collect::<Vec<_>>(),
        [json!(1), json!(3)]
    );
}

#[tokio::test]
async fn a_new_session_has_no_events_and_an_in_progress_summary() {
    let (_dir, path) = temp_db();
    let store = open(&path).await;
    store.create_session(session("fresh", 5_000)).await.unwrap();
    assert!(store.events(&id("fresh")).await.unwrap().is_empty());
    let summary = store.session(&id("fresh")).await.unwrap();
    assert_eq!(summary.status, SessionStatus::InProgress);
    assert_eq!(summary.score, None);
    assert_eq!(summary.questions_answered, 0);
    assert_eq!(
        (summary.started_at_ms, summary.updated_at_ms),
        (5_000, 5_000)
    );
    assert_eq!(
        (summary.pack.as_str(), summary.pack_version.as_str()),
        ("kubernetes", "1.0.0")
    );
}

#[tokio::test]
async fn unknown_sessions_are_not_found_everywhere() {
    let (_dir, path) = temp_db();
    let store = open(&path).await;
    let ghost = id("ghost");
    let not_found = |err: StoreError| matches!(err, StoreError::NotFound { id } if id == "ghost");
    assert!(not_found(
        store
            .append(&ghost, "x", 1, &json!(null))
            .await
            .unwrap_err()
    ));
    assert!(not_found(store.events(&ghost).await.unwrap_err()));
    assert!(not_found(store.session(&ghost).await.unwrap_err()));
    assert!(not_found(
        store
            .set_summary(&ghost, SessionStatus::Finished, Some(50), 1, 1)
            .await
            .unwrap_err()
    ));
    assert_eq!(
        store.events(&ghost).await.unwrap_err().to_string(),
        "no session matches ghost"
    );
}

#[tokio::test]
async fn creating_a_session_twice_is_an_error() {
    let (_dir, path) = temp_db();
    let store = open(&path).await;
    store.create_session(session("twice", 1)).await.unwrap();
    let err = store.create_session(session("twice", 2)).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::AlreadyExists { id } if id.as_str() == "twice"),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "session twice already exists");
}

#[tokio::test]
async fn list_is_newest_first_with_summary_fields() {
    let (_dir, path) = temp_db();
    let store = open(&path).await;
    store.create_session(session("old", 1_000)).await.unwrap();
    store
        .create_session(NewSession {
            candidate: Some("Grace".to_owned()),
            ..session("new", 3_000)
        })
        .await
        .unwrap();
    store.create_session(session("mid", 2_000)).await.unwrap();
    store
        .set_summary(&id("old"), SessionStatus::Finished, Some(72), 5, 1_500)
        .await
        .unwrap();
    store
        .set_summary(&id("new"), SessionStatus::Paused, None, 2, 3_500)
        .await
        .unwrap();

    let all = store.list(None).await.unwrap();
    let ids: Vec<_> = all.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["new", "mid", "old"]);

    let new = &all[0];
    assert_eq!(new.candidate.as_deref(), Some("Grace"));
    assert_eq!(new.status, SessionStatus::Paused);
    assert_eq!(new.score, None);
    assert_eq!(new.questions_answered, 2);
    assert_eq!((new.started_at_ms, new.updated_at_ms), (3_000, 3_500));

    let old = &all[2];
    assert_eq!(old.status, SessionStatus::Finished);
    assert_eq!(old.score, Some(72));
    assert_eq!(old.questions_answered, 5);
    assert_eq!(old.candidate, None);

    let two = store.list(Some(2)).await.unwrap();
    assert_eq!(
        two.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["new", "mid"]
    );
    assert!(store.list(Some(0)).await.unwrap().is_empty());
}

#[tokio::test]
async fn appending_and_summaries_move_updated_at_forward_only() {
    let (_dir, path) = temp_db();
    let store = open(&path).await;
    store.create_session(session("s", 1_000)).await.unwrap();
    store
        .append(&id("s"), "answered", 4_000, &json!({}))
        .await
        .unwrap();
    assert_eq!(store.session(&id("s")).await.unwrap().updated_at_ms, 4_000);
    // A summary computed from an older clock reading must not move it back.
    store
        .set_summary(&id("s"), SessionStatus::InProgress, None, 1, 3_000)
        .await
        .unwrap();
    assert_eq!(store.session(&id("s")).await.unwrap().updated_at_ms, 4_000);
}

#[tokio::test]
async fn scores_above_100_are_rejected() {
    let (_dir, path) = temp_db();
    let store = open(&path).await;
    store.create_session(session("s", 1)).await.unwrap();
    let err = store
        .set_summary(&id("s"), SessionStatus::Finished, Some(101), 1, 2)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::InvalidScore { score: 101, .. }),
        "{err:?}"
    );
    store
        .set_summary(&id("s"), SessionStatus::Finished, Some(100), 1, 2)
        .await
        .unwrap();
}

#[tokio::test]
async fn resolve_accepts_a_unique_prefix() {
    let (_dir, path) = temp_db();
    let store = open(&path).await;
    store
        .create_session(session("4f0c2a6e-1111-4000-8000-000000000001", 1))
        .await
        .unwrap();
    store
        .create_session(session("4f0d9b7c-2222-4000-8000-000000000002", 2))
        .await
        .unwrap();
    store
        .create_session(session("a0000000-3333-4000-8000-000000000003", 3))
        .await
        .unwrap();

    for (prefix, expected) in [
        ("4f0c", "4f0c2a6e-1111-4000-8000-000000000001"),
        ("4F0D", "4f0d9b7c-2222-4000-8000-000000000002"),
        (" a ", "a0000000-3333-4000-8000-000000000003"),
        (
            "4f0c2a6e-1111-4000-8000-000000000001",
            "4f0c2a6e-1111-4000-8000-000000000001",
        ),
    ] {
        assert_eq!(
            store.resolve(prefix).await.unwrap().as_str(),
            expected,
            "{prefix:?}"
        );
    }
}

#[tokio::test]
async fn resolve_reports_ambiguous_prefixes_with_their_matches() {
    let (_dir, path) = temp_db();
    let store = open(&path).await;
    store
        .create_session(session("4f0c2a6e-1", 1))
        .await
        .unwrap();
    store
        .create_session(session("4f0d9b7c-2", 2))
        .await
        .unwrap();
    let err = store.resolve("4f0").await.unwrap_err();
    match &err {
        StoreError::Ambiguous { prefix, matches } => {
            assert_eq!(prefix, "4f0");
            assert_eq!(matches, &[id("4f0c2a6e-1"), id("4f0d9b7c-2")]);
        }
        other => panic!("expected Ambiguous, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "session prefix 4f0 is ambiguous: it matches 4f0c2a6e-1, 4f0d9b7c-2; type more characters"
    );
}

#[tokio::test]
async fn resolve_reports_unknown_and_empty_prefixes() {
    let (_dir, path) = temp_db();
    let store = open(&path).await;
    store.create_session(session("4f0c", 1)).await.unwrap();
    assert!(matches!(
        store.resolve("beef").await.unwrap_err(),
        StoreError::NotFound { id } if id == "beef"
    ));
    assert!(matches!(
        store.resolve("  ").await.unwrap_err(),
        StoreError::EmptyPrefix
    ));
}

// Regression guard: a LIKE-based lookup would treat `_` and `%` as wildcards.
#[tokio::test]
async fn resolve_treats_wildcard_characters_literally() {
    let (_dir, path) = temp_db();
    let store = open(&path).await;
    store.create_session(session("abc", 1)).await.unwrap();
    assert!(matches!(
        store.resolve("a_").await.unwrap_err(),
        StoreError::NotFound { .. }
    ));
    assert!(matches!(
        store.resolve("%").await.unwrap_err(),
        StoreError::NotFound { .. }
    ));
}

#[tokio::test]
async fn latest_resumable_is_the_most_recently_active_unfinished_session() {
    let (_dir, path) = temp_db();
    let store = open(&path).await;
    assert_eq!(store.latest_resumable().await.unwrap(), None);

    store.create_session(session("older", 1_000)).await.unwrap();
    store.create_session(session("newer", 2_000)).await.unwrap();
    assert_eq!(store.latest_resumable().await.unwrap(), Some(id("newer")));

    // Activity on the older one makes it the one to resume.
    store
        .append(&id("older"), "answered", 3_000, &json!({}))
        .await
        .unwrap();
    assert_eq!(store.latest_resumable().await.unwrap(), Some(id("older")));

    // Paused sessions are resumable; finished ones are not.
    store
        .set_summary(&id("older"), SessionStatus::Finished, Some(40), 3, 4_000)
        .await
        .unwrap();
    assert_eq!(store.latest_resumable().await.unwrap(), Some(id("newer")));
    store
        .set_summary(&id("newer"), SessionStatus::Paused, None, 1, 5_000)
        .await
        .unwrap();
    assert_eq!(store.latest_resumable().await.unwrap(), Some(id("newer")));
    store
        .set_summary(&id("newer"), SessionStatus::Finished, Some(90), 6, 6_000)
        .await
        .unwrap();
    assert_eq!(store.latest_resumable().await.unwrap(), None);
}

#[tokio::test]
async fn any_store_opens_paths_and_sqlite_urls_and_hides_postgres_passwords() {
    let (_dir, path) = temp_db();
    let store = AnyStore::open(&path).await.unwrap();
    store.create_session(session("via-any", 1)).await.unwrap();
    store.close().await;

    let url = format!("sqlite://{}", path.display());
    let store = AnyStore::open(std::path::Path::new(&url)).await.unwrap();
    assert_eq!(store.resolve("via").await.unwrap(), id("via-any"));

    // Port 1 on loopback refuses at once: a connection error, not a hang.
    let err = AnyStore::open(std::path::Path::new(
        "postgres://user:secret@127.0.0.1:1/kubeprep",
    ))
    .await
    .unwrap_err();
    assert!(matches!(err, StoreError::Connect { .. }), "{err:?}");
    assert!(err.to_string().contains("user:***@127.0.0.1:1"), "{err}");
    let message = err.to_string();
    assert!(
        !message.contains("secret"),
        "a URL's password must not leak: {message}"
    );
}

#[test]
fn session_ids_are_uuids_with_a_short_form() {
    let a = SessionId::new();
    let b = SessionId::new();
    assert_ne!(a, b);
    assert_eq!(a.as_str().len(), 36);
    assert_eq!(a.short(), &a.as_str()[..8]);
    assert_eq!(a.to_string(), a.as_str());
    assert_eq!(id("abc").short(), "abc");
}

#[test]
fn statuses_round_trip_through_their_stored_spelling() {
    for status in [
        SessionStatus::InProgress,
        SessionStatus::Paused,
        SessionStatus::Finished,
    ] {
        assert_eq!(SessionStatus::parse(status.as_str()), Some(status));
    }
    assert_eq!(SessionStatus::parse("done"), None);
}
