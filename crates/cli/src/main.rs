//! The `kubeprep` binary: parses the command line, runs one subcommand and
//! applies the exit policy (0 ok, 1 findings, 2 bad usage or bad input; a
//! broken pipe exits 0). All logic lives in the library crates.

mod cmd;
mod input;
mod term;
mod wire;

use std::process::ExitCode;

use clap::Parser;

/// The outcome of a command that ran to the end.
pub enum Outcome {
    /// Nothing to report.
    Ok,
    /// The command found what it looks for (a failed check, a score under the bar).
    Findings,
}

fn main() -> ExitCode {
    let cli = cmd::Cli::parse();
    match cmd::run(cli) {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            let chain: Vec<String> = err.chain().map(|e| e.to_string()).collect();
            let mut line = chain.join(": ");
            // Error text can carry candidate or file content: keep it on one clean line.
            line = kubeprep_interview::sanitize(&line).replace('\n', " ");
            term::eprint(&format!("kubeprep: {line}\n"));
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
