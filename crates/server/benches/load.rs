//! Load: N simulated candidates (default 500) each start an interview over
//! the JSON API and answer with think time (default 1.5 s ± 50 %) for a
//! while (default 120 s), against SQLite and, when
//! `KUBEPREP_TEST_DATABASE_URL` is set, PostgreSQL; then every answer that
//! got a 200 must be in the database. A bare axum endpoint driven by the
//! same candidates in the same run is the baseline.
//!
//! `cargo bench -p kubeprep-server --bench load` (env: `LOAD_CANDIDATES`,
//! `LOAD_SECONDS`, `LOAD_THINK_MS`). Not a divan benchmark: what matters is
//! the latency distribution under concurrency, not a function's median.
//! The server runs in this process on its own runtime (2 worker threads),
//! the candidates on another.

#![allow(clippy::print_stdout, missing_docs)]

use std::path::Path;
use std::time::{Duration, Instant};

use kubeprep_bank::Pack;
use kubeprep_server::web::{self, auth, AppState, Config};
use kubeprep_store::{AnyStore, Role, SessionId, Store};
use rand::{Rng, SeedableRng};
use sqlx::Connection;

const ANSWERS: [&str; 6] = [
    "A Pod is the smallest deployable unit: one or more containers sharing a network namespace, IP and volumes, scheduled together.",
    "Requests are what the scheduler reserves; limits are enforced by the kubelet and kernel. Exceeding the memory limit gets the container OOMKilled.",
    "A Service gives a stable virtual IP and DNS name; kube-proxy programs iptables or IPVS so traffic reaches ready endpoints selected by labels.",
    "A rolling update creates a new ReplicaSet and scales it up while scaling the old one down, bounded by maxSurge and maxUnavailable; readiness gates progress.",
    "I would check kubectl describe pod for events, then logs --previous, then the probe configuration and resource limits.",
    "I am not sure, but I think it has to do with the controller reconciling desired and actual state.",
];

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Outcome {
    latencies_us: Vec<u64>,
    errors: u64,
    /// (session, answers acknowledged) per session started.
    sessions: Vec<(String, u64)>,
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index] as f64 / 1000.0
}

async fn candidate(
    client: reqwest::Client,
    base: String,
    token: Option<String>,
    until: Instant,
    think_ms: u64,
) -> Outcome {
    let mut out = Outcome {
        latencies_us: Vec::new(),
        errors: 0,
        sessions: Vec::new(),
    };
    let mut rng = rand::rngs::StdRng::from_entropy();
    // Spread the starts over one think time.
    tokio::time::sleep(Duration::from_millis(rng.gen_range(0..think_ms.max(1)))).await;
    let mut session: Option<String> = None;
    let mut n = 0usize;
    while Instant::now() < until {
        let started = Instant::now();
        let ok = match &token {
            None => client
                .get(format!("{base}/"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success()),
            Some(token) => match &session {
                None => match client
                    .post(format!("{base}/api/v1/sessions"))
                    .bearer_auth(token)
                    .send()
                    .await
                {
                    Ok(r) if r.status().is_success() => {
                        let body: serde_json::Value = r.json().await.unwrap_or_default();
                        let id = body["id"].as_str().unwrap_or_default().to_owned();
                        out.sessions.push((id.clone(), 0));
                        session = Some(id);
                        true
                    }
                    _ => false,
                },
                Some(id) => {
                    n += 1;
                    let action = if n % 7 == 0 { "hint" } else { "answer" };
                    let text = ANSWERS[n % ANSWERS.len()];
                    match client
                        .post(format!("{base}/api/v1/sessions/{id}/events"))
                        .bearer_auth(token)
                        .json(&serde_json::json!({"action": action, "text": text}))
                        .send()
                        .await
                    {
                        Ok(r) if r.status().is_success() => {
                            let body: serde_json::Value = r.json().await.unwrap_or_default();
                            if action == "answer" {
                                if let Some(last) = out.sessions.last_mut() {
                                    last.1 += 1;
                                }
                            }
                            if body["finished"].as_bool() == Some(true) {
                                session = None;
                            }
                            true
                        }
                        _ => false,
                    }
                }
            },
        };
        out.latencies_us.push(started.elapsed().as_micros() as u64);
        if !ok {
            out.errors += 1;
        }
        let pause = think_ms / 2 + rng.gen_range(0..=think_ms);
        tokio::time::sleep(Duration::from_millis(pause)).await;
    }
    out
}

struct Report {
    name: String,
    requests: usize,
    errors: u64,
    p50: f64,
    p90: f64,
    p99: f64,
    max: f64,
    rate: f64,
    lost: u64,
}

async fn drive(
    name: &str,
    base: &str,
    tokens: Vec<Option<String>>,
    seconds: u64,
    think_ms: u64,
) -> (Report, Vec<(String, u64)>) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1024)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = tokens
        .into_iter()
        .map(|token| {
            tokio::spawn(candidate(
                client.clone(),
                base.to_owned(),
                token,
                until,
                think_ms,
            ))
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut sessions = Vec::new();
    for task in tasks {
        let out = task.await.unwrap();
        latencies.extend(out.latencies_us);
        errors += out.errors;
        sessions.extend(out.sessions);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let report = Report {
        name: name.to_owned(),
        requests: latencies.len(),
        errors,
        p50: percentile(&latencies, 0.50),
        p90: percentile(&latencies, 0.90),
        p99: percentile(&latencies, 0.99),
        max: percentile(&latencies, 1.0),
        rate: latencies.len() as f64 / elapsed,
        lost: 0,
    };
    (report, sessions)
}

fn server_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Runs the server on `store` and the candidates against it.
fn load_app(name: &str, store: AnyStore, candidates: u64, seconds: u64, think_ms: u64) -> Report {
    let server_rt = server_runtime();
    let pack = Pack::embedded().unwrap();
    let state = AppState::new(store.clone(), pack, Config::default()).unwrap();
    let listener = server_rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = server_rt.spawn(web::serve(listener, state, async move {
        let _ = stopped.await;
    }));

    let client_rt = tokio::runtime::Runtime::new().unwrap();
    let tokens = client_rt.block_on(async {
        let hash = auth::hash_password("load-test-password".to_owned())
            .await
            .unwrap();
        let mut tokens = Vec::new();
        for i in 0..candidates {
            let user = store
                .create_user(&format!("load{i}@example.com"), &hash, Role::Candidate, 0)
                .await
                .unwrap();
            let token = format!("kp_{}", auth::random_token());
            store
                .create_api_token(&auth::token_hash(&token), user.id, "load", 0)
                .await
                .unwrap();
            tokens.push(Some(token));
        }
        tokens
    });
    let (mut report, sessions) = client_rt.block_on(drive(name, &base, tokens, seconds, think_ms));
    // Every acknowledged answer is stored.
    report.lost = client_rt.block_on(async {
        let mut lost = 0;
        for (id, acknowledged) in &sessions {
            let events = store.events(&SessionId(id.clone())).await.unwrap();
            let stored = events.iter().filter(|e| e.kind == "answered").count() as u64;
            lost += acknowledged.saturating_sub(stored);
            assert!(
                stored >= *acknowledged,
                "session {id}: {stored} < {acknowledged}"
            );
        }
        lost
    });
    let _ = stop.send(());
    server_rt.block_on(served).unwrap().unwrap();
    report
}

fn load_baseline(candidates: u64, seconds: u64, think_ms: u64) -> Report {
    let server_rt = server_runtime();
    let listener = server_rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "ok" }));
    server_rt.spawn(async move { axum::serve(listener, app).await });
    let client_rt = tokio::runtime::Runtime::new().unwrap();
    let tokens = vec![None; candidates as usize];
    client_rt
        .block_on(drive("bare axum", &base, tokens, seconds, think_ms))
        .0
}

fn main() {
    let candidates = env_number("LOAD_CANDIDATES", 500);
    let seconds = env_number("LOAD_SECONDS", 120);
    let think_ms = env_number("LOAD_THINK_MS", 1500);
    println!(
        "{candidates} candidates, {seconds} s each run, think time {think_ms} ms ± 50 %, server on 2 worker threads"
    );
    let mut reports = vec![load_baseline(candidates, seconds, think_ms)];

    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sqlite = rt
        .block_on(AnyStore::open(&dir.path().join("load.sqlite3")))
        .unwrap();
    reports.push(load_app("sqlite", sqlite, candidates, seconds, think_ms));

    if let Ok(url) = std::env::var("KUBEPREP_TEST_DATABASE_URL") {
        let database = format!("kp_load_{}", uuid::Uuid::new_v4().simple());
        rt.block_on(async {
            let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::query(&format!("CREATE DATABASE {database}"))
                .execute(&mut conn)
                .await
                .unwrap();
        });
        let (base, _) = url.split_once('?').unwrap_or((&url, ""));
        let (scheme, rest) = base.split_once("://").unwrap();
        let authority = rest.split('/').next().unwrap();
        let pg_url = format!("{scheme}://{authority}/{database}");
        let pg = rt.block_on(AnyStore::open(Path::new(&pg_url))).unwrap();
        reports.push(load_app(
            "postgres",
            pg.clone(),
            candidates,
            seconds,
            think_ms,
        ));
        rt.block_on(async {
            pg.close().await;
            let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
            let _ = sqlx::query(&format!("DROP DATABASE {database} WITH (FORCE)"))
                .execute(&mut conn)
                .await;
        });
    } else {
        println!("(KUBEPREP_TEST_DATABASE_URL not set: no PostgreSQL run)");
    }

    let baseline_p99 = reports[0].p99.max(0.001);
    println!(
        "{:<10} {:>9} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>6} {:>10}",
        "backend",
        "requests",
        "errors",
        "req/s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "max ms",
        "lost",
        "p99/base"
    );
    for r in &reports {
        println!(
            "{:<10} {:>9} {:>7} {:>8.1} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>6} {:>10.1}",
            r.name,
            r.requests,
            r.errors,
            r.rate,
            r.p50,
            r.p90,
            r.p99,
            r.max,
            r.lost,
            r.p99 / baseline_p99
        );
    }
}
