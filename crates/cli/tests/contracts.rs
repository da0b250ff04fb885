//! The command-line contracts other tools rely on (design.md): `bank list`
//! and `grade` JSON shapes, decoded into test-local copies of the schema,
//! and the exit codes.

mod util;

use serde::Deserialize;
use util::Kubeprep;

#[derive(Deserialize)]
struct ListedQuestion {
    id: String,
    topic: String,
    difficulty: String,
    text: String,
}

#[derive(Deserialize)]
struct Graded {
    question: String,
    score: u8,
    level: String,
    key_points: Vec<GradedPoint>,
    misconceptions: Vec<GradedMisconception>,
    feedback: String,
}

#[derive(Deserialize)]
struct GradedPoint {
    id: String,
    text: String,
    hit: bool,
    evidence: Option<String>,
}

#[derive(Deserialize)]
struct GradedMisconception {
    id: String,
    text: String,
    evidence: String,
}

#[test]
fn bank_list_json_has_the_19_design_ids() {
    let k = Kubeprep::new();
    let r = k.run(&["bank", "list", "--output", "json"], b"");
    r.assert_code(0);
    let list: Vec<ListedQuestion> = serde_json::from_str(&r.stdout).expect("json array");
    assert_eq!(list.len(), 19);
    for q in &list {
        assert!(!q.topic.is_empty() && !q.text.is_empty());
        assert!(
            ["easy", "medium", "hard"].contains(&q.difficulty.as_str()),
            "{}",
            q.difficulty
        );
    }
    assert!(list.iter().any(|q| q.id == "rollout-zero-downtime"));
}

#[test]
fn grade_json_follows_the_contract_and_quotes_evidence() {
    let k = Kubeprep::new();
    let answer = "I'd use a RollingUpdate with maxUnavailable: 0 and maxSurge: 2 so we never drop below six pods. \
                  A readiness probe makes sure the Service only sends traffic to new pods once they are ready. \
                  The schema change goes expand and contract so old and new versions both work with the database, \
                  and if something breaks I run kubectl rollout undo.";
    let r = k.run(
        &[
            "grade",
            "--question",
            "rollout-zero-downtime",
            "--output",
            "json",
        ],
        answer.as_bytes(),
    );
    r.assert_code(0);
    let g: Graded = serde_json::from_str(&r.stdout).expect("json object");
    assert_eq!(g.question, "rollout-zero-downtime");
    assert!(g.score > 40, "a solid answer scores {}", g.score);
    assert!(["novice", "intermediate", "expert"].contains(&g.level.as_str()));
    assert!(!g.feedback.is_empty());
    let hits: Vec<&GradedPoint> = g.key_points.iter().filter(|k| k.hit).collect();
    assert!(hits.len() >= 3);
    for h in hits {
        let ev = h.evidence.as_deref().expect("a hit carries evidence");
        assert!(
            answer.contains(ev),
            "{} evidence {ev:?} is quoted verbatim",
            h.id
        );
        assert!(!h.text.is_empty());
    }
    for m in &g.misconceptions {
        assert!(!m.id.is_empty() && !m.text.is_empty() && answer.contains(&m.evidence));
    }
}

#[test]
fn grade_reads_an_answer_file_and_fail_under_exits_1() {
    let k = Kubeprep::new();
    let f = k.dir.path().join("a.txt");
    std::fs::write(&f, "I don't know").unwrap();
    let f = f.to_str().unwrap();
    let r = k.run(
        &[
            "grade",
            "-q",
            "pod-basics",
            "--answer-file",
            f,
            "--output",
            "json",
        ],
        b"",
    );
    r.assert_code(0);
    let g: Graded = serde_json::from_str(&r.stdout).unwrap();
    assert!(g.score < 20 && g.level == "novice");
    k.run(
        &[
            "grade",
            "-q",
            "pod-basics",
            "--answer-file",
            f,
            "--fail-under",
            "50",
        ],
        b"",
    )
    .assert_code(1);
}

#[test]
fn bank_show_and_validate() {
    let k = Kubeprep::new();
    let r = k.run(&["bank", "show", "crashloop-debug"], b"");
    r.assert_code(0);
    assert!(r.stdout.contains("walkthrough"));
    let pack = concat!(env!("CARGO_MANIFEST_DIR"), "/../../packs/kubernetes");
    k.run(&["bank", "validate", pack], b"").assert_code(0);
}
