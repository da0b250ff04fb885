//! Start-up cost of the binary a user feels first: `kubeprep --help`, and
//! `kubeprep bank list` (loads and validates the embedded pack), against
//! spawning `/bin/true` in the same run as the baseline for process start.
//!
//! `cargo bench -p kubeprep --bench startup`

use std::process::{Command, Stdio};

fn main() {
    divan::main();
}

fn run(program: &str, args: &[&str]) {
    let status = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("spawn");
    assert!(status.success());
}

/// Baseline: spawning a process that does nothing.
#[divan::bench(sample_count = 50)]
fn baseline_true() {
    run("true", &[]);
}

/// `kubeprep --help`.
#[divan::bench(sample_count = 50)]
fn help() {
    run(env!("CARGO_BIN_EXE_kubeprep"), &["--help"]);
}

/// `kubeprep bank list`: parse, validate and list the embedded pack.
#[divan::bench(sample_count = 30)]
fn bank_list() {
    run(
        env!("CARGO_BIN_EXE_kubeprep"),
        &["bank", "list", "--output", "json"],
    );
}
