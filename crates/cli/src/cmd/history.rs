//! `kubeprep history`: past sessions, newest first, with their scores.

use anyhow::Result;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use kubeprep_store::Store;
use serde::Serialize;

use super::{Global, Output};
use crate::{term, Outcome};

#[derive(clap::Args)]
pub struct Args {
    /// Output format
    #[arg(long, short, value_enum, default_value_t)]
    output: Output,
    /// Show at most this many sessions
    #[arg(long, default_value_t = 50)]
    limit: u32,
}

/// One row of `kubeprep history --output json`.
#[derive(Serialize)]
struct Row {
    id: String,
    pack: String,
    candidate: Option<String>,
    started_at: String,
    updated_at: String,
    status: &'static str,
    score: Option<u8>,
    questions_answered: u32,
}

pub fn run(g: &Global, a: Args) -> Result<Outcome> {
    let (store, rt) = g.open_store()?;
    let sessions = rt.block_on(store.list(Some(a.limit)))?;
    let rows: Vec<Row> = sessions
        .iter()
        .map(|s| Row {
            id: s.id.to_string(),
            pack: s.pack.clone(),
            candidate: s.candidate.clone(),
            started_at: term::timestamp(s.started_at_ms),
            updated_at: term::timestamp(s.updated_at_ms),
            status: s.status.as_str(),
            score: s.score,
            questions_answered: s.questions_answered,
        })
        .collect();
    match a.output {
        Output::Json => term::print_json(&rows)?,
        Output::Text if rows.is_empty() => {
            term::print("No sessions yet. Start one with `kubeprep interview`.\n")?
        }
        Output::Text => {
            let mut t = Table::new();
            t.load_preset(UTF8_FULL_CONDENSED);
            t.set_header([
                "session",
                "started",
                "candidate",
                "status",
                "answered",
                "score",
            ]);
            for (r, s) in rows.iter().zip(&sessions) {
                t.add_row([
                    s.id.short().to_string(),
                    r.started_at.clone(),
                    kubeprep_interview::sanitize(r.candidate.as_deref().unwrap_or("-"))
                        .into_owned(),
                    r.status.to_string(),
                    r.questions_answered.to_string(),
                    r.score.map(|s| s.to_string()).unwrap_or_else(|| "-".into()),
                ]);
            }
            term::print(&format!(
                "{t}\nResume one with `kubeprep interview --resume ID`; export with `kubeprep report ID --format md`.\n"
            ))?;
        }
    }
    Ok(Outcome::Ok)
}
