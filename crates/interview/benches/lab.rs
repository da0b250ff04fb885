//! Lab scoring speed: classifying a kubectl line and an API request, grading
//! a diagnosis, and building a lab scorecard over a 40-command session. The
//! baseline in the same run is grading an interview answer of the same
//! length with the same grader.
//!
//! `cargo bench -p kubeprep-interview --bench lab`

use kubeprep_bank::Pack;
use kubeprep_grade::Grader;
use kubeprep_interview::lab::{LabSession, Step};

const DIAGNOSIS: &str = "The postgres Service's selector doesn't match the labels on the postgres pods, so its endpoints are empty and the app gets ECONNREFUSED on 5432 and exits 1.";

const LINES: &[&str] = &[
    "kubectl get pods -o wide",
    "kubectl describe pod api-7d9c-x2",
    "kubectl logs api-7d9c-x2 --previous --tail 50",
    "kubectl get endpoints",
    "kubectl get cm api-config -o yaml",
    "kubectl run debug --image=busybox --rm -it -- nc -zv postgres 5432",
    r#"kubectl patch svc postgres -p '{"spec":{"selector":{"app":"postgres"}}}'"#,
    "kubectl get events --sort-by=.lastTimestamp",
];

fn main() {
    divan::main();
}

#[divan::bench]
fn classify_kubectl_line(bencher: divan::Bencher) {
    let mut i = 0usize;
    bencher.bench_local(|| {
        i += 1;
        Step::from_line(divan::black_box(LINES[i % LINES.len()]))
    });
}

#[divan::bench]
fn classify_api_request() -> Option<Step> {
    Step::from_api(
        divan::black_box("GET"),
        divan::black_box("/api/v1/namespaces/default/pods/api-7d9c-x2/log"),
        divan::black_box("container=api&previous=true"),
    )
}

#[divan::bench]
fn grade_diagnosis(bencher: divan::Bencher) {
    let pack = Pack::embedded().expect("pack");
    let grader = Grader::new(&pack).expect("grader");
    bencher.bench_local(|| {
        grader
            .grade(
                "lab-crashloop-service-selector-mismatch",
                divan::black_box(DIAGNOSIS),
            )
            .expect("graded")
    });
}

/// Baseline: the same grader on an interview question, same text length.
#[divan::bench]
fn baseline_grade_interview_answer(bencher: divan::Bencher) {
    let pack = Pack::embedded().expect("pack");
    let grader = Grader::new(&pack).expect("grader");
    bencher.bench_local(|| {
        grader
            .grade("crashloop-debug", divan::black_box(DIAGNOSIS))
            .expect("graded")
    });
}

#[divan::bench]
fn scorecard_of_a_40_command_lab(bencher: divan::Bencher) {
    let pack = Pack::embedded().expect("pack");
    let grader = Grader::new(&pack).expect("grader");
    let mut s =
        LabSession::new(&pack, &grader, "crashloop", "service-selector-mismatch", 1).expect("lab");
    for i in 0..40 {
        s.record(i * 5_000, Step::from_line(LINES[i as usize % LINES.len()]));
    }
    s.diagnose(200_000, DIAGNOSIS).expect("graded");
    bencher.bench_local(|| s.scorecard(Ok(())));
}
