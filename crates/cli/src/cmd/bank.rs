//! `kubeprep bank`: list and show questions, validate a pack, print the pack schema.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::{Subcommand, ValueEnum};
use kubeprep_bank::Pack;

use super::{Global, Output};
use crate::{term, wire, Outcome};

#[derive(Subcommand)]
pub enum Command {
    /// List the questions of the pack
    List {
        /// Output format
        #[arg(long, short, value_enum, default_value_t)]
        output: Output,
    },
    /// Show one question: text, hints, key points, misconceptions, model answer
    Show {
        /// Question id (see `kubeprep bank list`)
        id: String,
        /// Output format
        #[arg(long, short, value_enum, default_value_t)]
        output: Output,
    },
    /// Check a pack folder: schema, ids, hint ladders, references (exit 1 when it has problems)
    Validate {
        /// The pack folder (holding pack.yaml and questions/)
        path: PathBuf,
    },
    /// Print the JSON Schema of pack files, for editors
    Schema {
        /// Which file's schema
        #[arg(value_enum, default_value_t = SchemaKind::Questions)]
        kind: SchemaKind,
    },
}

#[derive(ValueEnum, Clone, Copy, Default)]
pub enum SchemaKind {
    /// `pack.yaml`
    Pack,
    /// files under `questions/`
    #[default]
    Questions,
    /// files under `scenarios/`
    Scenario,
    /// files under `labs/`
    Lab,
}

pub fn run(g: &Global, c: Command) -> Result<Outcome> {
    match c {
        Command::List { output } => {
            let pack = g.load_pack()?;
            match output {
                Output::Json => {
                    let list: Vec<wire::QuestionSummary> = pack
                        .questions
                        .iter()
                        .map(wire::QuestionSummary::from)
                        .collect();
                    term::print_json(&list)?;
                }
                Output::Text => term::print(&term::question_table(&pack, g.color()))?,
            }
            Ok(Outcome::Ok)
        }
        Command::Show { id, output } => {
            let pack = g.load_pack()?;
            let Some(q) = pack.question(&id) else {
                let hint = match pack.suggest(&id) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "see `kubeprep bank list`".into(),
                };
                bail!(
                    "unknown question id `{}`: {hint}",
                    kubeprep_interview::sanitize(&id)
                );
            };
            match output {
                Output::Json => term::print_json(&wire::QuestionDetail::from(q))?,
                Output::Text => term::print(&term::question_detail(&pack, q))?,
            }
            Ok(Outcome::Ok)
        }
        Command::Validate { path } => {
            if !path.join("pack.yaml").is_file() {
                bail!(
                    "{} is not a pack folder: it has no pack.yaml (a pack holds pack.yaml and questions/*.yaml)",
                    path.display()
                );
            }
            match Pack::load(&path) {
                Ok(pack) => {
                    // Patterns must also compile for the grader.
                    if let Err(e) = kubeprep_grade::Grader::new(&pack) {
                        term::eprint(&format!("{}: {e}\n", path.display()));
                        return Ok(Outcome::Findings);
                    }
                    term::print(&format!(
                        "ok: {} `{}` v{}: {} questions, {} problems, {} phases, {} rubric areas, {} lab faults\n",
                        path.display(),
                        pack.id,
                        pack.version,
                        pack.questions.len(),
                        pack.problems.len(),
                        pack.phases.len(),
                        pack.rubric.len(),
                        pack.labs.iter().map(|l| l.faults.len()).sum::<usize>()
                    ))?;
                    Ok(Outcome::Ok)
                }
                Err(errors) => {
                    for e in &errors.0 {
                        term::eprint(&format!("{}/{e}\n", path.display()));
                    }
                    term::eprint(&format!(
                        "{} problem(s) in {}\n",
                        errors.0.len(),
                        path.display()
                    ));
                    Ok(Outcome::Findings)
                }
            }
        }
        Command::Schema { kind } => {
            let schema = match kind {
                SchemaKind::Pack => Pack::pack_schema(),
                SchemaKind::Questions => Pack::questions_schema(),
                SchemaKind::Scenario => Pack::scenario_schema(),
                SchemaKind::Lab => Pack::lab_schema(),
            };
            term::print_json(&schema)?;
            Ok(Outcome::Ok)
        }
    }
}
