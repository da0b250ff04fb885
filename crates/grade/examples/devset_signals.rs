//! Prints every development-set answer's grade, score and signals as TSV,
//! for calibrating the score (the constants in `src/score.rs`).
//!
//! `cargo run --release -p kubeprep-grade --example devset_signals > signals.tsv`

#![allow(clippy::print_stdout)]

use kubeprep_bank::Pack;
use kubeprep_grade::Grader;
use serde::Deserialize;

#[derive(Deserialize)]
struct Entry {
    question: String,
    style: String,
    grade: u8,
    answer: String,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/devset.yaml"))?;
    let entries: Vec<Entry> = serde_norway::from_str(&text)?;
    let pack = Pack::embedded()?;
    let grader = Grader::new(&pack)?;
    println!("question\tstyle\tgrade\tscore\tcoverage\tsimilarity\tclosest_other\texplained\twords\tmisconceptions\tsalad");
    for e in &entries {
        let a = grader.grade(&e.question, &e.answer)?;
        let s = a.signals;
        println!(
            "{}\t{}\t{}\t{}\t{:.4}\t{:.4}\t{:.4}\t{:.3}\t{}\t{}\t{}",
            e.question,
            e.style,
            e.grade,
            a.score,
            s.coverage,
            s.similarity,
            s.closest_other,
            s.explained,
            s.words,
            a.misconceptions.len(),
            u8::from(a.salad)
        );
    }
    Ok(())
}
