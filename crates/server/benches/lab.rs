//! Round trips against the running lab API over loopback: the Table that
//! `kubectl get pods` asks for, the JSON list, and a bare axum endpoint as
//! the same-run baseline (all plain HTTP on one kept-alive connection, as
//! kubectl keeps its connection); then a whole `kubectl get pods` process
//! against the TLS server, when kubectl is on PATH.
//!
//! `cargo bench -p kubeprep-server --bench lab`

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::OnceLock;

use axum::routing::get;
use axum::Router;
use kubeprep_server::lab::{router, serve, serve_tls, Certificate, Lab, LabState};
use kubeprep_sim::lab::{Fault, World};

const TOKEN: &str = "bench-token";

struct Servers {
    lab: SocketAddr,
    bare: SocketAddr,
    tls: SocketAddr,
    kubeconfig: PathBuf,
    _runtime: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
}

fn lab() -> Lab {
    let mut world = World::new(Fault::ServiceSelectorMismatch, 1);
    world.advance(180_000);
    Lab::new(LabState::new(world, 1.0), TOKEN)
}

fn servers() -> &'static Servers {
    static S: OnceLock<Servers> = OnceLock::new();
    S.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let (lab_addr, bare) = runtime.block_on(async {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let b = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let (la, ba) = (l.local_addr().unwrap(), b.local_addr().unwrap());
            tokio::spawn(serve(l, router(lab()), std::future::pending()));
            let bare = Router::new().route("/", get(|| async { "ok" }));
            tokio::spawn(async move { axum::serve(b, bare).await });
            (la, ba)
        });
        let cert = Certificate::self_signed().expect("cert");
        let tls_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let tls = tls_listener.local_addr().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let kubeconfig = dir.path().join("kc");
        std::fs::write(
            &kubeconfig,
            format!(
                "apiVersion: v1\nkind: Config\nclusters:\n- name: l\n  cluster:\n    server: https://{tls}\n    certificate-authority-data: {}\nusers:\n- name: l\n  user:\n    token: {TOKEN}\ncontexts:\n- name: l\n  context: {{cluster: l, user: l, namespace: default}}\ncurrent-context: l\n",
                cert.authority_data()
            ),
        )
        .unwrap();
        runtime.spawn(async move {
            let _ = serve_tls(tls_listener, router(lab()), &cert, std::future::pending()).await;
        });
        Servers {
            lab: lab_addr,
            bare,
            tls,
            kubeconfig,
            _runtime: runtime,
            _dir: dir,
        }
    })
}

struct Conn {
    write: TcpStream,
    read: BufReader<TcpStream>,
}

impl Conn {
    fn open(addr: SocketAddr) -> Conn {
        let s = TcpStream::connect(addr).unwrap();
        s.set_nodelay(true).unwrap();
        Conn {
            read: BufReader::new(s.try_clone().unwrap()),
            write: s,
        }
    }

    /// Sends one request and reads the whole response; returns the body size.
    fn round_trip(&mut self, request: &[u8]) -> usize {
        self.write.write_all(request).unwrap();
        let mut len = 0usize;
        let mut line = String::new();
        loop {
            line.clear();
            self.read.read_line(&mut line).unwrap();
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; len];
        self.read.read_exact(&mut body).unwrap();
        assert!(len > 0);
        len
    }
}

fn request(path: &str, accept: &str) -> Vec<u8> {
    format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\nAccept: {accept}\r\n\r\n"
    )
    .into_bytes()
}

const TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

fn main() {
    divan::main();
}

/// `GET /api/v1/namespaces/default/pods` as `kubectl get pods` asks: a Table.
#[divan::bench]
fn pods_table(b: divan::Bencher) {
    let mut c = Conn::open(servers().lab);
    let req = request("/api/v1/namespaces/default/pods?limit=500", TABLE);
    b.bench_local(|| c.round_trip(&req));
}

/// The same list as JSON (`kubectl get pods -o json`).
#[divan::bench]
fn pods_json(b: divan::Bencher) {
    let mut c = Conn::open(servers().lab);
    let req = request("/api/v1/namespaces/default/pods", "application/json");
    b.bench_local(|| c.round_trip(&req));
}

/// Baseline: a bare axum endpoint, same runtime, same connection handling.
#[divan::bench]
fn bare_axum(b: divan::Bencher) {
    let mut c = Conn::open(servers().bare);
    let req = request("/", "text/plain");
    b.bench_local(|| c.round_trip(&req));
}

/// A whole `kubectl get pods` process over TLS (discovery cached after the
/// first run). Skipped when kubectl is not on PATH.
#[divan::bench(sample_count = 20, sample_size = 1)]
#[allow(clippy::print_stderr)] // says why the figure is missing
fn kubectl_get_pods(b: divan::Bencher) {
    let s = servers();
    let cache = s._dir.path().join("cache");
    let run = || {
        std::process::Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&s.kubeconfig)
            .arg("--cache-dir")
            .arg(&cache)
            .args(["get", "pods"])
            .output()
    };
    match run() {
        Ok(o) if o.status.success() => {}
        _ => {
            eprintln!(
                "kubectl not available or failing against {}: skipped",
                s.tls
            );
            return;
        }
    }
    b.bench_local(|| run().map(|o| o.stdout.len()).unwrap_or(0));
}
