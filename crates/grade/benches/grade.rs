//! Grading speed over the development set: one answer at a time (the median
//! is the per-answer figure) and the whole set in one go. A baseline that
//! only normalises the same answers is measured in the same run.
//!
//! `cargo bench -p kubeprep-grade`

use kubeprep_bank::Pack;
use kubeprep_grade::Grader;
use serde::Deserialize;

#[derive(Deserialize)]
struct Entry {
    question: String,
    answer: String,
}

fn devset() -> Vec<Entry> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/devset.yaml"))
            .expect("testdata/devset.yaml");
    serde_norway::from_str(&text).expect("devset parses")
}

fn main() {
    divan::main();
}

/// One answer: cycles through the development set so the median is over realistic answers.
#[divan::bench]
fn one_answer(bencher: divan::Bencher) {
    let pack = Pack::embedded().expect("pack");
    let grader = Grader::new(&pack).expect("grader");
    let set = devset();
    let mut i = 0usize;
    bencher.bench_local(|| {
        let e = &set[i % set.len()];
        i += 1;
        grader
            .grade(&e.question, divan::black_box(&e.answer))
            .expect("grade")
    });
}

/// The whole development set, graded in one process.
#[divan::bench(sample_count = 30)]
fn whole_devset(bencher: divan::Bencher) {
    let pack = Pack::embedded().expect("pack");
    let grader = Grader::new(&pack).expect("grader");
    let set = devset();
    bencher.bench_local(|| {
        set.iter()
            .map(|e| u32::from(grader.grade(&e.question, &e.answer).expect("grade").score))
            .sum::<u32>()
    });
}

/// Building the grader from the embedded pack (done once per process).
#[divan::bench(sample_count = 30)]
fn build_grader() -> Grader {
    let pack = Pack::embedded().expect("pack");
    Grader::new(&pack).expect("grader")
}

/// Baseline: lower-casing and splitting the same answers into words.
#[divan::bench]
fn baseline_split_words(bencher: divan::Bencher) {
    let set = devset();
    let mut i = 0usize;
    bencher.bench_local(|| {
        let e = &set[i % set.len()];
        i += 1;
        divan::black_box(&e.answer)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .count()
    });
}
