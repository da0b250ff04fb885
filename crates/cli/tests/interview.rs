//! Whole interviews through the real binary and a real SQLite file: a
//! scripted interview reaches the scorecard; a killed interview resumes with
//! every submitted answer; history and report read what was stored.

mod util;

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use serde::Deserialize;
use util::Kubeprep;

/// Answers a well-prepared candidate gives, in the order the flow asks at normal difficulty.
const SCRIPT: &str = include_str!("data/strong-candidate.txt");

#[derive(Deserialize)]
struct HistoryRow {
    id: String,
    status: String,
    score: Option<u8>,
    questions_answered: u32,
}

#[derive(Deserialize)]
struct Report {
    overall_score: u8,
    areas: Vec<Area>,
    strengths: Vec<serde_json::Value>,
    improvements: Vec<serde_json::Value>,
    resources: Vec<serde_json::Value>,
    transcript: Vec<Turn>,
}

#[derive(Deserialize)]
struct Area {
    id: String,
    level: Option<String>,
    justification: String,
    evidence: Option<String>,
}

#[derive(Deserialize)]
struct Turn {
    speaker: String,
    text: String,
}

fn history(k: &Kubeprep) -> Vec<HistoryRow> {
    let r = k.run(&["history", "--output", "json"], b"");
    r.assert_code(0);
    serde_json::from_str(&r.stdout).expect("history json")
}

fn report(k: &Kubeprep, id: &str) -> Report {
    let r = k.run(&["report", id, "--format", "json"], b"");
    r.assert_code(0);
    serde_json::from_str(&r.stdout).expect("report json")
}

#[test]
fn scripted_interview_reaches_a_scorecard_with_six_rated_areas_and_quotes() {
    let k = Kubeprep::new();
    let r = k.run(
        &["interview", "--candidate", "ada", "--seed", "7"],
        SCRIPT.as_bytes(),
    );
    r.assert_code(0);
    assert!(r.stdout.contains("Scorecard for ada"), "{}", r.stdout);
    for title in [
        "Pod fundamentals",
        "Services and networking",
        "Deployments and rollouts",
        "Troubleshooting",
        "Scaling",
        "Security",
    ] {
        assert!(r.stdout.contains(title), "area {title} on the scorecard");
    }
    assert!(!r.stdout.contains('\x1b'), "no colour on a pipe");

    let rows = history(&k);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, "finished");
    assert!(
        rows[0].questions_answered >= 8,
        "answered {}",
        rows[0].questions_answered
    );
    let score = rows[0].score.expect("a finished session has a score");

    let rep = report(&k, &rows[0].id[..8]);
    assert_eq!(rep.overall_score, score);
    assert_eq!(rep.areas.len(), 6);
    for a in &rep.areas {
        assert!(a.level.is_some(), "area {} is rated", a.id);
        let ev = a
            .evidence
            .as_deref()
            .unwrap_or_else(|| panic!("area {} quotes the candidate", a.id));
        let probe: String = ev.trim_end_matches('…').chars().take(40).collect();
        assert!(
            SCRIPT.contains(probe.trim()),
            "area {} quotes {ev:?}, which the candidate said",
            a.id
        );
        assert!(!a.justification.is_empty());
    }
    assert_eq!(rep.strengths.len(), 3);
    assert_eq!(rep.improvements.len(), 3);
    assert!((2..=3).contains(&rep.resources.len()));
    assert!(rep.transcript.iter().any(
        |t| t.speaker == "candidate" && t.text.contains("smallest thing Kubernetes schedules")
    ));
    assert!(score >= 50, "a strong script scores {score}");

    for format in ["md", "html"] {
        let out = k.run(&["report", &rows[0].id[..8], "--format", format], b"");
        out.assert_code(0);
        assert!(out.stdout.contains("Deployments and rollouts"));
    }
}

#[test]
fn commands_work_from_a_script_and_quit_saves_for_resume() {
    let k = Kubeprep::new();
    let r = k.run(
        &["interview", "--seed", "1"],
        b"/help\n/time\n/hint\n/hint\nA Pod is one or more containers scheduled together on one node, sharing a network namespace and volumes.\n\n/quit\n",
    );
    r.assert_code(0);
    assert!(r.stdout.contains("/easier"), "help lists commands");
    assert!(r.stdout.contains("Hint 1/4"), "{}", r.stdout);
    assert!(r.stdout.contains("Hint 2/4"));
    assert!(r.stdout.contains("--resume"));
    let rows = history(&k);
    assert_eq!(rows[0].status, "paused");

    let r = k.run(&["interview", "--resume"], b"/skip\n/finish\n");
    r.assert_code(0);
    assert!(r.stdout.contains("Resuming session"));
    assert!(r.stdout.contains("Scorecard"));
    let rep = report(&k, &rows[0].id);
    assert!(rep
        .transcript
        .iter()
        .any(|t| t.speaker == "candidate" && t.text.contains("sharing a network namespace")));
}

#[test]
fn killed_mid_interview_loses_no_submitted_answer() {
    let k = Kubeprep::new();
    let mut child = k
        .command(&["interview", "--seed", "3"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let answers = [
        "A Pod is the smallest unit Kubernetes schedules: containers that share one network namespace and volumes.",
        "They share the network namespace, so localhost works between them, and any mounted volumes; each keeps its own filesystem and limits.",
    ];
    let mut replies = 0;
    for a in answers {
        writeln!(stdin, "{a}\n").expect("write answer");
        stdin.flush().unwrap();
        // Wait for the interviewer's reply: the answer is committed before it is written.
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let line = rx
                .recv_timeout(deadline.saturating_duration_since(std::time::Instant::now()))
                .expect("a reply before the deadline");
            if line.starts_with("Sam: ") {
                replies += 1;
                break;
            }
        }
        // Drain the rest of the reply and the next question.
        while rx.recv_timeout(Duration::from_millis(300)).is_ok() {}
    }
    assert_eq!(replies, 2);
    // Kill -9 in the middle of the interview, with stdin still open.
    child.kill().expect("kill");
    child.wait().unwrap();
    drop(stdin);

    let rows = history(&k);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, "in_progress", "killed, not paused");
    let r = k.run(&["interview", "--resume", &rows[0].id[..6]], b"/finish\n");
    r.assert_code(0);
    let rep = report(&k, &rows[0].id);
    for a in answers {
        assert!(
            rep.transcript
                .iter()
                .any(|t| t.speaker == "candidate" && t.text.contains(a)),
            "answer {a:?} survived the kill"
        );
    }
}

#[test]
fn bad_answers_inside_an_interview_get_a_handled_prompt() {
    let k = Kubeprep::new();
    let mut input = b"\x1b]0;pwned\x07A Pod \x1b[31mgroups\x1b[0m containers that share a network namespace.\n\n".to_vec();
    input.extend(b"bad \xff utf8\n\n");
    input.extend(vec![b'y'; 10 * 1024 * 1024]);
    input.extend(b"\n\n/unknowncmd\n/quit\n");
    let r = k.run(&["interview", "--seed", "2"], &input);
    r.assert_code(0);
    assert!(
        !r.stdout.contains('\x1b') && !r.stdout.contains('\x07'),
        "escapes reached the terminal"
    );
    assert!(r.stdout.contains("not valid UTF-8"), "{}", r.stdout);
    assert!(r.stdout.contains("KB"), "oversized answer refused");
    assert!(r.stdout.contains("Unknown command"));
    let rows = history(&k);
    assert_eq!(rows[0].status, "paused");
    // The report escapes too.
    let md = k.run(&["report", &rows[0].id, "--format", "md"], b"");
    assert!(!md.stdout.contains('\x1b'));
    let html = k.run(&["report", &rows[0].id, "--format", "html"], b"");
    assert!(!html.stdout.contains('\x1b'));
}
