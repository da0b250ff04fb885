//! The development set: realistic answers to all 19 questions graded 1–5 by an
//! interviewer (`testdata/devset.yaml`). The grader must rank them as the
//! interviewer did, and keep buzzword salad in the bottom bands.
//!
//! `KUBEPREP_DEVSET_REPORT=1 cargo test -p kubeprep-grade --test devset -- --nocapture`
//! prints every answer whose score falls outside its grade's band.

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

/// The floors this set must stay above.
const SPEARMAN_FLOOR: f64 = 0.82;
const SALAD_BELOW_40_FLOOR: f64 = 0.95;

fn ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for k in i..=j {
            r[idx[k]] = avg;
        }
        i = j + 1;
    }
    r
}

fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let cov: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let vy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
    cov / (vx.sqrt() * vy.sqrt())
}

fn spearman(x: &[f64], y: &[f64]) -> f64 {
    pearson(&ranks(x), &ranks(y))
}

#[test]
fn spearman_of_ties_and_perfect_order() {
    assert!((spearman(&[1.0, 2.0, 3.0], &[10.0, 20.0, 30.0]) - 1.0).abs() < 1e-9);
    assert!((spearman(&[1.0, 2.0, 3.0], &[30.0, 20.0, 10.0]) + 1.0).abs() < 1e-9);
    assert_eq!(ranks(&[5.0, 1.0, 5.0]), vec![2.5, 1.0, 2.5]);
}

#[test]
fn grader_ranks_the_development_set_like_the_interviewer() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/devset.yaml"))
            .expect("testdata/devset.yaml");
    let entries: Vec<Entry> = serde_norway::from_str(&text).expect("devset parses");
    let pack = Pack::embedded().expect("embedded pack");
    let grader = Grader::new(&pack).expect("grader");
    let report = std::env::var_os("KUBEPREP_DEVSET_REPORT").is_some();

    let mut scores = Vec::new();
    let mut grades = Vec::new();
    let mut salad = (0usize, 0usize);
    let mut in_band = 0usize;
    let mut questions = std::collections::BTreeSet::new();
    for e in &entries {
        let a = grader
            .grade(&e.question, &e.answer)
            .unwrap_or_else(|err| panic!("{}: {err}", e.question));
        questions.insert(e.question.clone());
        scores.push(f64::from(a.score));
        grades.push(f64::from(e.grade));
        let band = (u32::from(e.grade) - 1) * 20..=u32::from(e.grade) * 20;
        let ok = band.contains(&u32::from(a.score));
        in_band += usize::from(ok);
        if e.style == "salad" {
            salad.1 += 1;
            salad.0 += usize::from(a.score < 40);
        }
        if report && !ok {
            let hits: Vec<&str> = a.hits().map(|k| k.id.as_str()).collect();
            let mis: Vec<&str> = a.misconceptions.iter().map(|m| m.id.as_str()).collect();
            println!(
                "{:>3} want {} {:<28} {:<18} salad={} hits={hits:?} mis={mis:?}\n      {}",
                a.score,
                e.grade,
                e.question,
                e.style,
                a.salad,
                e.answer
                    .replace('\n', " ")
                    .chars()
                    .take(160)
                    .collect::<String>()
            );
        }
    }
    let rho = spearman(&scores, &grades);
    let salad_rate = salad.0 as f64 / salad.1.max(1) as f64;
    println!(
        "devset: {} answers over {} questions; spearman {rho:.3}; salad below 40: {}/{} ({:.0}%); score in the grade's band: {:.0}%",
        entries.len(),
        questions.len(),
        salad.0,
        salad.1,
        salad_rate * 100.0,
        in_band as f64 * 100.0 / entries.len() as f64
    );
    assert!(entries.len() >= 120, "the set needs at least 120 answers");
    assert_eq!(questions.len(), 19, "the set must cover all 19 questions");
    assert!(
        rho >= SPEARMAN_FLOOR,
        "spearman {rho:.3} fell below {SPEARMAN_FLOOR}"
    );
    assert!(
        salad_rate >= SALAD_BELOW_40_FLOOR,
        "only {:.0}% of salad answers scored below 40",
        salad_rate * 100.0
    );
}
