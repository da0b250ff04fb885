//! A small harness for end-to-end tests: runs the real `kubeprep` binary in a
//! per-test temporary directory with its own database, feeds stdin, and
//! returns what it printed.

#![allow(dead_code, missing_docs, clippy::new_without_default)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

pub struct Kubeprep {
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Kubeprep {
    pub fn new() -> Kubeprep {
        Kubeprep {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("sessions.sqlite3")
    }

    /// The command with a clean environment: its own database, no colour.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kubeprep"));
        c.args(args)
            .current_dir(self.dir.path())
            .env("KUBEPREP_DB", self.db())
            .env_remove("KUBEPREP_PACK")
            .env("NO_COLOR", "1")
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("data"));
        c
    }

    pub fn run(&self, args: &[&str], stdin: &[u8]) -> Run {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn kubeprep");
        let mut input = child.stdin.take().expect("stdin");
        let data = stdin.to_vec();
        let writer = std::thread::spawn(move || {
            // The binary may stop reading early (an oversized answer); that is fine.
            let _ = input.write_all(&data);
        });
        let out: Output = child.wait_with_output().expect("wait");
        let _ = writer.join();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Run {
    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// stderr is exactly one line.
    #[track_caller]
    pub fn assert_one_line_error(&self, contains: &str) -> &Run {
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one line on stderr, got:\n{}", self.stderr);
        assert!(
            lines[0].contains(contains),
            "stderr {:?} should contain {contains:?}",
            lines[0]
        );
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        self
    }
}
