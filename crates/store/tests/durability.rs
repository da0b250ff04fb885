//! The durability story: what `append` promises survives dropping the store,
//! concurrent writers, and `kill -9` of the writing process. The checks are
//! generic over [`Store`] so a PostgreSQL backend can run the same story.
//!
//! Not for: the per-method contract (see `sessions.rs`).

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use common::{open, session, temp_db};
use kubeprep_store::{SessionId, SqliteStore, Store};
use serde_json::json;

/// Appends `count` events numbered `0..count` from writer `writer`.
async fn append_many<S: Store>(store: &S, id: &SessionId, writer: &str, count: u32) {
    for n in 0..count {
        store
            .append(
                id,
                "answered",
                i64::from(n),
                &json!({"writer": writer, "n": n}),
            )
            .await
            .unwrap_or_else(|err| panic!("writer {writer}, event {n}: {err}"));
    }
}

/// Every event is there, numbered 1..=len without gaps.
async fn assert_gapless<S: Store>(store: &S, id: &SessionId, expected_len: usize) {
    let events = store.events(id).await.unwrap();
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    let expected: Vec<i64> = (1..=expected_len as i64).collect();
    assert_eq!(seqs, expected);
}

#[tokio::test]
async fn events_survive_dropping_the_store_and_reopening_the_file() {
    let (_dir, path) = temp_db();
    let id = SessionId::new();
    {
        let store = open(&path).await;
        store.create_session(session(id.as_str(), 1)).await.unwrap();
        append_many(&store, &id, "only", 25).await;
        // Dropped without close(): no checkpoint, the events are in the WAL.
    }
    let store = open(&path).await;
    assert_gapless(&store, &id, 25).await;
    let events = store.events(&id).await.unwrap();
    assert_eq!(events[24].payload, json!({"writer": "only", "n": 24}));
    // Reopening an up-to-date database runs no migration and appends go on.
    assert_eq!(
        store.append(&id, "answered", 99, &json!({})).await.unwrap(),
        26
    );
}

#[tokio::test]
async fn concurrent_appends_from_two_handles_lose_nothing() {
    let (_dir, path) = temp_db();
    let first = open(&path).await;
    let second = open(&path).await;
    let id = SessionId::new();
    first.create_session(session(id.as_str(), 1)).await.unwrap();

    const EACH: u32 = 150;
    tokio::join!(
        append_many(&first, &id, "first", EACH),
        append_many(&second, &id, "second", EACH),
    );

    assert_gapless(&first, &id, 2 * EACH as usize).await;
    // Each writer's events are all there, in the order it wrote them.
    let events = second.events(&id).await.unwrap();
    for writer in ["first", "second"] {
        let ns: Vec<u64> = events
            .iter()
            .filter(|e| e.payload["writer"] == writer)
            .map(|e| e.payload["n"].as_u64().unwrap())
            .collect();
        assert_eq!(
            ns,
            (0..u64::from(EACH)).collect::<Vec<_>>(),
            "writer {writer}"
        );
    }
}

#[tokio::test]
async fn concurrent_appends_from_two_threads_lose_nothing() {
    let (_dir, path) = temp_db();
    let id = SessionId::new();
    open(&path)
        .await
        .create_session(session(id.as_str(), 1))
        .await
        .unwrap();

    // Two OS threads, each with its own runtime and store handle, as two
    // processes would be.
    let writers: Vec<_> = ["left", "right"]
        .into_iter()
        .map(|writer| {
            let (path, id) = (path.clone(), id.clone());
            std::thread::spawn(move || {
                runtime().block_on(async {
                    let store = open(&path).await;
                    append_many(&store, &id, writer, 100).await;
                    store.close().await;
                });
            })
        })
        .collect();
    for writer in writers {
        writer.join().expect("writer thread panicked");
    }
    assert_gapless(&open(&path).await, &id, 200).await;
}

const CHILD_DB_ENV: &str = "KUBEPREP_STORE_TEST_CHILD_DB";
const CHILD_SESSION_ENV: &str = "KUBEPREP_STORE_TEST_CHILD_SESSION";

/// The child process of `kill_9_loses_no_acknowledged_event`: it appends
/// until it is killed and reports each sequence number on stdout the moment
/// `append` returns. Does nothing unless started by that test.
#[test]
fn child_appends_until_killed() {
    let (Some(path), Some(id)) = (
        std::env::var_os(CHILD_DB_ENV),
        std::env::var(CHILD_SESSION_ENV).ok(),
    ) else {
        return;
    };
    runtime().block_on(async {
        let store = open(Path::new(&path)).await;
        let id = SessionId(id);
        let mut stdout = std::io::stdout().lock();
        // Bounded, so a lost parent cannot leave it running forever.
        for n in 0..100_000_i64 {
            let seq = store
                .append(&id, "answered", n, &json!({"n": n}))
                .await
                .unwrap();
            writeln!(stdout, "acked {seq}").unwrap();
            stdout.flush().unwrap();
        }
    });
}

#[test]
fn kill_9_loses_no_acknowledged_event() {
    let (_dir, path) = temp_db();
    let id = SessionId::new();
    runtime().block_on(async {
        let store = open(&path).await;
        store.create_session(session(id.as_str(), 1)).await.unwrap();
        store.close().await;
    });

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["child_appends_until_killed", "--exact"])
        .env(CHILD_DB_ENV, &path)
        .env(CHILD_SESSION_ENV, id.as_str())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the child test process");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut acked = BTreeSet::new();
    for line in lines.by_ref() {
        if let Some(seq) = line.unwrap().strip_prefix("acked ") {
            acked.insert(seq.parse::<i64>().unwrap());
            if acked.len() == 40 {
                break;
            }
        }
    }
    // SIGKILL, most likely in the middle of the next append.
    child.kill().unwrap();
    child.wait().unwrap();
    for line in lines {
        let Ok(line) = line else { break };
        if let Some(seq) = line.strip_prefix("acked ") {
            acked.insert(seq.parse::<i64>().unwrap());
        }
    }
    assert!(
        acked.len() >= 40,
        "the child acknowledged only {} events",
        acked.len()
    );

    runtime().block_on(async {
        let store: SqliteStore = open(&path).await;
        let events = store.events(&id).await.unwrap();
        let stored: BTreeSet<i64> = events.iter().map(|e| e.seq).collect();
        let lost: Vec<_> = acked.difference(&stored).collect();
        assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
        // At most the one in flight may have committed without its ack.
        assert!(stored.len() <= acked.len() + 1);
        assert_gapless(&store, &id, events.len()).await;
        for event in &events {
            assert_eq!(event.payload, json!({"n": event.seq - 1}));
        }
    });
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("build a tokio runtime")
}
