//! `kubeprep grade`: grade one answer to one question, as text or JSON.

use std::path::PathBuf;

use anyhow::{bail, Result};
use kubeprep_grade::Grader;

use super::{Global, Output};
use crate::{input, term, wire, Outcome};

#[derive(clap::Args)]
pub struct Args {
    /// Question id (see `kubeprep bank list`)
    #[arg(long, short)]
    question: String,
    /// Read the answer from this file instead of stdin
    #[arg(long, value_name = "FILE")]
    answer_file: Option<PathBuf>,
    /// Output format
    #[arg(long, short, value_enum, default_value_t)]
    output: Output,
    /// Exit 1 when the score is below this (for scripts and CI)
    #[arg(long, value_name = "SCORE", value_parser = clap::value_parser!(u8).range(0..=100))]
    fail_under: Option<u8>,
}

pub fn run(g: &Global, a: Args) -> Result<Outcome> {
    let pack = g.load_pack()?;
    if pack.question(&a.question).is_none() {
        let hint = match pack.suggest(&a.question) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "see `kubeprep bank list`".into(),
        };
        bail!(
            "unknown question id `{}` in --question: {hint}",
            kubeprep_interview::sanitize(&a.question)
        );
    }
    let answer = match &a.answer_file {
        Some(path) => input::read_answer_file(path)?,
        None => input::read_answer_stdin()?,
    };
    if answer.trim().is_empty() {
        bail!("the answer is empty: pass it on stdin or with --answer-file FILE");
    }
    let grader = Grader::new(&pack)?;
    let assessment = grader.grade(&a.question, &answer)?;
    match a.output {
        Output::Json => term::print_json(&wire::Assessment::from(&assessment))?,
        Output::Text => term::print(&term::assessment(&assessment, g.color()))?,
    }
    Ok(match a.fail_under {
        Some(bar) if assessment.score < bar => Outcome::Findings,
        _ => Outcome::Ok,
    })
}
