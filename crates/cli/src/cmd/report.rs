//! `kubeprep report`: a session's scorecard and transcript as Markdown, HTML
//! or JSON, rebuilt by replaying the stored events (so a newer grader
//! re-grades an old session).

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::ValueEnum;
use kubeprep_grade::Grader;
use kubeprep_interview::{report, Interview};
use kubeprep_store::Store;

use super::Global;
use crate::{term, Outcome};

#[derive(clap::Args)]
pub struct Args {
    /// Session id (a unique prefix is enough; see `kubeprep history`)
    session: String,
    /// Export format
    #[arg(long, short, value_enum, default_value_t = Format::Md)]
    format: Format,
    /// Write to this file instead of stdout
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy)]
enum Format {
    /// Markdown
    Md,
    /// A self-contained HTML page
    Html,
    /// JSON
    Json,
}

pub fn run(g: &Global, a: Args) -> Result<Outcome> {
    let pack = g.load_pack()?;
    let grader = Grader::new(&pack)?;
    let (store, rt) = g.open_store()?;
    let id = rt.block_on(store.resolve(&a.session))?;
    let events = Global::session_events(&store, &rt, &id)?;
    let (engine, _) = Interview::replay(&pack, &grader, &events);
    let card = engine.scorecard();
    let text = match a.format {
        Format::Md => report::markdown(&card),
        Format::Html => report::html(&card),
        Format::Json => {
            let mut v = report::json(&card);
            if let Some(obj) = v.as_object_mut() {
                obj.insert("id".into(), serde_json::Value::String(id.to_string()));
            }
            let mut s = serde_json::to_string_pretty(&v)?;
            s.push('\n');
            s
        }
    };
    match &a.output {
        Some(path) => {
            std::fs::write(path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            term::eprint(&format!("wrote {}\n", path.display()));
        }
        None => term::print(&text)?,
    }
    Ok(Outcome::Ok)
}
