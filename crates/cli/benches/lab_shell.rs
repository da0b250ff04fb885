//! What the lab shell's heavier commands cost end to end: a piped
//! `kubeprep lab start crashloop` session that only exits (the baseline:
//! process start, building the world and its three-minute head start, the
//! solution text) against sessions that describe every kind, probe from a
//! debug Pod, and wait out a rollout after a fix.
//!
//! `cargo bench -p kubeprep --bench lab_shell`

use std::io::Write;
use std::process::{Command, Stdio};

fn main() {
    divan::main();
}

fn session(fault: &str, script: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubeprep"))
        .args(["lab", "start", "crashloop", "--fault", fault, "--seed", "1"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    if let Some(mut input) = child.stdin.take() {
        input.write_all(script.as_bytes()).expect("stdin");
    }
    let status = child.wait().expect("wait");
    assert!(status.code().is_some_and(|c| c <= 1), "{status}");
}

/// Baseline: start the lab and exit at once.
#[divan::bench(sample_count = 30)]
fn baseline_exit() {
    session("service-selector-mismatch", "exit\n");
}

/// `describe` of every lab kind, Pods by prefix (three of them).
#[divan::bench(sample_count = 30)]
fn describe_everything() {
    session(
        "egress-blocked",
        "kubectl describe pods api\nkubectl describe deploy\nkubectl describe rs\nkubectl describe svc\n\
         kubectl describe ep\nkubectl describe cm\nkubectl describe secret\nkubectl describe netpol\n\
         kubectl describe nodes\nexit\n",
    );
}

/// A debug Pod: nslookup, nc to both databases (one times out), wget, env.
#[divan::bench(sample_count = 30)]
fn debug_pod_probes() {
    session(
        "egress-blocked",
        "kubectl run debug --image=busybox --rm -it --labels=app=api -- sh\nnslookup postgres\n\
         nc -zv -w 2 postgres 5432\nnc -zv redis 6379\nwget -qO- -T 2 http://api/\nenv\nexit\nexit\n",
    );
}

/// Fix, restart and `rollout status` until the new Pods are available.
#[divan::bench(sample_count = 30)]
fn fix_and_rollout_status() {
    session(
        "service-selector-mismatch",
        "kubectl patch svc postgres -p '{\"spec\":{\"selector\":{\"app\":\"postgres\",\"tier\":null}}}'\n\
         kubectl rollout restart deployment/api\nkubectl rollout status deployment/api\nexit\n",
    );
}
