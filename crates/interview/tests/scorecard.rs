//! The scorecard of sessions over the embedded pack, and its renderings:
//! six areas with the candidate's own words, strengths, improvements and
//! resources in the promised numbers, escaping of hostile candidate text in
//! Markdown, HTML and JSON, the JSON shape, and Markdown snapshots.
//!
//! Not for: flow and commands (`tests/engine.rs`).

mod common;

use common::{clueless, grader, model, pack, squash, Session};
use kubeprep_bank::Pack;
use kubeprep_grade::Level;
use kubeprep_interview::report::{html, json, markdown};
use kubeprep_interview::scorecard::{
    AreaRating, Improvement, ImprovementKind, QuestionResult, ResourcePick, SessionInfo, Speaker,
    Strength, Turn, TurnKind,
};
use kubeprep_interview::simulate::{RequirementVerdict, Verdict};
use kubeprep_interview::{Challenge, Event, Prompt, PromptKind, Scorecard};

/// Strong on some questions (probes included), silent on others: a mixed session.
fn mixed(p: &Prompt, pack: &Pack) -> String {
    if p.question_id.len() % 2 == 1 {
        model(p, pack)
    } else {
        clueless(p, pack)
    }
}

fn all_answers(card: &Scorecard) -> String {
    squash(
        &card
            .questions
            .iter()
            .flat_map(|q| q.answers.iter().cloned())
            .collect::<Vec<_>>()
            .join(" "),
    )
}

#[test]
fn six_areas_each_justified_with_the_candidates_own_words() {
    let pack = pack();
    let grader = grader(&pack);
    let mut s = Session::start(&pack, &grader, 31, Some("ada"));
    s.play(model);
    let card = s.interview.scorecard();
    assert!(card.session.finished);
    assert_eq!(card.areas.len(), 6);
    let ids: Vec<&str> = card.areas.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "pods",
            "networking",
            "deployments",
            "troubleshooting",
            "scaling",
            "security"
        ]
    );
    let answers = all_answers(&card);
    let mut quoted = 0;
    for a in &card.areas {
        assert!(!a.justification.is_empty());
        match (&a.level, &a.evidence) {
            (None, _) => assert!(a.justification.starts_with("Not assessed"), "{a:?}"),
            (Some(_), Some(q)) => {
                quoted += 1;
                let q = q.trim_end_matches("...");
                assert!(
                    answers.contains(q),
                    "{} quotes {q:?}, which no answer says",
                    a.id
                );
                assert!(a.justification.contains(q));
            }
            (Some(_), None) => assert!(a.justification.contains("Never mentioned"), "{a:?}"),
        }
    }
    assert!(quoted >= 4, "most areas quote the candidate");
    assert_eq!(card.strengths.len(), 3);
    for st in &card.strengths {
        assert!(
            answers.contains(st.evidence.trim_end_matches("...")),
            "{st:?}"
        );
    }
    assert!(
        (2..=3).contains(&card.resources.len()),
        "{:?}",
        card.resources
    );
    assert!(
        card.overall_score >= 60,
        "model answers score well: {}",
        card.overall_score
    );
}

#[test]
fn a_mixed_session_lists_three_improvements_and_resources_from_the_gaps() {
    let pack = pack();
    let grader = grader(&pack);
    let mut s = Session::start(&pack, &grader, 32, None);
    s.play(mixed);
    let card = s.interview.scorecard();
    assert_eq!(card.improvements.len(), 3, "{:#?}", card.improvements);
    let misconceptions_first = card
        .improvements
        .iter()
        .skip_while(|i| i.kind == ImprovementKind::Misconception)
        .all(|i| i.kind == ImprovementKind::Missed);
    assert!(misconceptions_first);
    for i in card
        .improvements
        .iter()
        .filter(|i| i.kind == ImprovementKind::Missed)
    {
        assert!(i.text.starts_with("Next time, "), "{}", i.text);
    }
    assert!((2..=3).contains(&card.resources.len()));
    let missed: Vec<String> = card
        .questions
        .iter()
        .flat_map(|q| match &q.assessment {
            Some(a) => a.misses().iter().map(|k| k.id.clone()).collect::<Vec<_>>(),
            None => Vec::new(),
        })
        .collect();
    assert!(
        card.resources
            .iter()
            .any(|r| r.covers.iter().any(|c| missed.contains(c))),
        "resources come from the gaps: {:?}",
        card.resources
    );
    let overall = card
        .questions
        .iter()
        .map(|q| u32::from(q.score))
        .sum::<u32>() as f64
        / card.questions.len() as f64;
    assert_eq!(card.overall_score, overall.round() as u8);
    assert_eq!(card.strengths.len(), 3);
}

#[test]
fn renderings_escape_and_sanitise_hostile_candidate_text() {
    let pack = pack();
    let grader = grader(&pack);
    let mut s = Session::start(&pack, &grader, 33, Some("<script>alert('name')</script>"));
    let hostile = "A Pod groups containers that share a network namespace, so they talk over \
                   localhost <script>alert(1)</script> | broken cell \u{1b}[31mred\u{1b}[0m \
                   \u{1b}]0;pwned\u{7} and \u{202e}reversed.";
    s.answer(hostile);
    let at = s.at(1.0);
    s.send(Event::Finished { at_ms: at });
    let card = s.interview.scorecard();

    let page = html(&card);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.trim_end().ends_with("</html>"));
    assert!(!page.contains("<script"), "no candidate markup survives");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("&lt;script&gt;alert(&#39;name&#39;)"));

    let md = markdown(&card);
    assert!(
        md.match_indices("<script")
            .all(|(i, _)| md[..i].ends_with('\\')),
        "every candidate `<` is escaped"
    );
    assert!(md.contains(r"\<script\>alert(1)\</script\>"));
    // Every table row keeps its column count: candidate pipes are escaped.
    let mut columns = 0;
    for line in md.lines() {
        if line.starts_with("## ") {
            columns = match line {
                "## Areas" => 5,
                "## Questions" => 7,
                _ => 0,
            };
        } else if line.starts_with('|') && columns > 0 {
            let unescaped = line.matches('|').count() - line.matches(r"\|").count();
            assert_eq!(unescaped, columns, "{line}");
        }
    }

    let js = json(&card).to_string();
    for (name, text) in [("html", &page), ("markdown", &md), ("json", &js)] {
        assert!(!text.contains('\u{1b}'), "{name} has an ESC");
        assert!(!text.contains("\\u001b"), "{name} has an escaped ESC");
        assert!(!text.contains('\u{202e}'), "{name} has a bidi override");
        assert!(!text.contains("pwned"), "{name} kept an OSC payload");
    }
}

/// A test-local copy of the JSON contract: decoding fails if a field goes missing.
mod contract {
    #![allow(dead_code)]
    use serde::Deserialize;

    #[derive(Deserialize)]
    pub struct Card {
        pub session: Session,
        pub overall_score: u8,
        pub overall_level: String,
        pub areas: Vec<Area>,
        pub strengths: Vec<Strength>,
        pub improvements: Vec<Improvement>,
        pub resources: Vec<Resource>,
        pub questions: Vec<Question>,
        pub transcript: Vec<Turn>,
    }
    #[derive(Deserialize)]
    pub struct Session {
        pub pack: String,
        pub pack_version: String,
        pub candidate: Option<String>,
        pub started_at_ms: Option<i64>,
        pub elapsed_ms: i64,
        pub finished: bool,
        pub difficulty: String,
    }
    #[derive(Deserialize)]
    pub struct Area {
        pub id: String,
        pub title: String,
        pub level: String,
        pub score: Option<u8>,
        pub justification: String,
        pub evidence: Option<String>,
    }
    #[derive(Deserialize)]
    pub struct Strength {
        pub question: String,
        pub key_point: String,
        pub text: String,
        pub evidence: String,
    }
    #[derive(Deserialize)]
    pub struct Improvement {
        pub kind: String,
        pub question: String,
        pub text: String,
    }
    #[derive(Deserialize)]
    pub struct Resource {
        pub title: String,
        pub url: String,
    }
    #[derive(Deserialize)]
    pub struct Question {
        pub id: String,
        pub text: String,
        pub score: u8,
        pub level: String,
        pub hints_used: u8,
        pub skipped: bool,
        pub key_points: Vec<KeyPoint>,
        pub misconceptions: Vec<Misconception>,
        pub feedback: String,
    }
    #[derive(Deserialize)]
    pub struct KeyPoint {
        pub id: String,
        pub text: String,
        pub hit: bool,
        pub evidence: Option<String>,
    }
    #[derive(Deserialize)]
    pub struct Misconception {
        pub id: String,
        pub text: String,
        pub evidence: String,
    }
    #[derive(Deserialize)]
    pub struct Turn {
        pub speaker: String,
        pub text: String,
        pub question: Option<String>,
    }
}

#[test]
fn json_keeps_its_contract() {
    let pack = pack();
    let grader = grader(&pack);
    let mut s = Session::start(&pack, &grader, 34, Some("ada"));
    s.play(mixed);
    let value = json(&s.interview.scorecard());
    let card: contract::Card =
        serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{e}\n{value:#}"));
    assert_eq!(card.session.pack, "kubernetes");
    assert_eq!(card.areas.len(), 6);
    assert!(["novice", "intermediate", "expert"].contains(&card.overall_level.as_str()));
    for a in &card.areas {
        assert!(
            ["novice", "intermediate", "expert", "not_assessed"].contains(&a.level.as_str()),
            "{}",
            a.level
        );
        assert_eq!(a.score.is_none(), a.level == "not_assessed");
    }
    assert!(card
        .transcript
        .iter()
        .all(|t| t.speaker == "interviewer" || t.speaker == "candidate"));
    assert_eq!(card.session.candidate.as_deref(), Some("ada"));
    assert!(["easy", "normal", "hard"].contains(&card.session.difficulty.as_str()));
}

/// A hand-made scorecard: the renderers' snapshot does not move when content or grader do.
fn sample() -> Scorecard {
    Scorecard {
        session: SessionInfo {
            pack: "kubernetes".into(),
            pack_title: "Kubernetes operations interview".into(),
            pack_version: "1.0.0".into(),
            candidate: Some("Ada *Lovelace*".into()),
            interviewer: "Sam, DevOps lead".into(),
            started_at_ms: Some(common::T0),
            elapsed_ms: 31 * 60_000 + 5_000,
            finished: true,
            challenge: Challenge::Normal,
        },
        overall_score: 34,
        overall_level: Level::Novice,
        areas: vec![
            AreaRating {
                id: "deployments".into(),
                title: "Deployments and rollouts".into(),
                level: Some(Level::Expert),
                score: Some(100),
                justification: "Said \"maxUnavailable 0 so we never drop below six | ever\"; made every point asked about here.".into(),
                evidence: Some("maxUnavailable 0 so we never drop below six | ever".into()),
                descriptor: Some("Tunes maxSurge and maxUnavailable.".into()),
            },
            AreaRating {
                id: "networking".into(),
                title: "Services and networking".into(),
                level: Some(Level::Novice),
                score: Some(0),
                justification: "Never mentioned: drains connections: preStop delay, SIGTERM handling, a long enough grace period".into(),
                evidence: None,
                descriptor: Some("Knows that Services route traffic to Pods.".into()),
            },
            AreaRating {
                id: "security".into(),
                title: "Security".into(),
                level: None,
                score: None,
                justification: "Not assessed: no question in this session touched it.".into(),
                evidence: None,
                descriptor: None,
            },
        ],
        strengths: vec![Strength {
            question_id: "rollout-zero-downtime".into(),
            key_point_id: "max-unavailable-zero".into(),
            text: "Sets maxUnavailable: 0 so capacity never drops below 6".into(),
            evidence: "maxUnavailable 0 so we never drop below six | ever".into(),
        }],
        improvements: vec![
            Improvement {
                kind: ImprovementKind::Misconception,
                question_id: "rollout-zero-downtime".into(),
                point_id: "rollback-instant".into(),
                text: "Correct this: you said \"Rollback is instant with <kubectl rollout undo>\". Once the rollout has finished the old ReplicaSet is at zero.".into(),
            },
            Improvement {
                kind: ImprovementKind::Missed,
                question_id: "rollout-zero-downtime".into(),
                point_id: "graceful-shutdown".into(),
                text: "Next time, answer \"What happens to requests in flight when a Pod is terminated?\" before you are asked: Drains connections.".into(),
            },
        ],
        resources: vec![
            ResourcePick {
                title: "Kubernetes docs: Deployments".into(),
                url: "https://kubernetes.io/docs/concepts/workloads/controllers/deployment/".into(),
                area: "deployments".into(),
                covers: vec!["graceful-shutdown".into()],
            },
            ResourcePick {
                title: "Practise it: simulate a rollout and a rollback".into(),
                url: "kubeprep simulate rollout -f deploy.yaml --rollback-at 120".into(),
                area: "deployments".into(),
                covers: Vec::new(),
            },
        ],
        questions: vec![
            QuestionResult {
                id: "pod-basics".into(),
                text: "What is a Pod?".into(),
                kind: PromptKind::Main,
                phase: "Pod fundamentals".into(),
                score: 0,
                raw_score: 0,
                level: Level::Novice,
                hints_used: 0,
                skipped: true,
                probe: None,
                answer_ms: None,
                answers: Vec::new(),
                assessment: None,
                simulation: None,
            },
            QuestionResult {
                id: "rollout-zero-downtime".into(),
                text: "Payment API, 6 replicas: zero downtime?".into(),
                kind: PromptKind::Main,
                phase: "Deployments and rollouts".into(),
                score: 51,
                raw_score: 68,
                level: Level::Intermediate,
                hints_used: 2,
                skipped: false,
                probe: Some("What happens to requests in flight?".into()),
                answer_ms: Some(95_000),
                answers: vec!["maxUnavailable 0 so we never drop below six | ever.".into()],
                // The renderers show no per-point detail; keep the grader's types out of the snapshot.
                assessment: None,
                simulation: Some(Verdict {
                    scenario: Some("payment-rollout".into()),
                    title: Some("Zero-downtime rollout <of> the payment API".into()),
                    requirements: vec![
                        RequirementVerdict {
                            id: "zero-downtime".into(),
                            text: "At least 6 replicas available".into(),
                            passed: Some(true),
                            detail: "min_available was 6, which meets >= 6".into(),
                        },
                        RequirementVerdict {
                            id: "rollback-after-completion".into(),
                            text: "Roll back within 60 s | after completion".into(),
                            passed: Some(false),
                            detail: "rollback_s was 135 <script>".into(),
                        },
                    ],
                    problems: vec!["Deployment/<b>api</b>: no selector".into()],
                    notes: vec!["The rollout took 135 s.".into()],
                    not_run: None,
                }),
            },
        ],
        transcript: vec![
            Turn {
                speaker: Speaker::Interviewer,
                kind: TurnKind::Question,
                text: "Payment API, 6 replicas: zero downtime?".into(),
                question: Some("rollout-zero-downtime".into()),
            },
            Turn {
                speaker: Speaker::Candidate,
                kind: TurnKind::Command,
                text: "/hint".into(),
                question: Some("rollout-zero-downtime".into()),
            },
            Turn {
                speaker: Speaker::Candidate,
                kind: TurnKind::Answer,
                text: "maxUnavailable 0 so we never drop below six | ever.\nstrategy:\n  rollingUpdate:\n    maxUnavailable: 0\n<b>bold</b> # not a heading".into(),
                question: Some("rollout-zero-downtime".into()),
            },
            Turn {
                speaker: Speaker::Interviewer,
                kind: TurnKind::Reply,
                text: "Right -- 'maxUnavailable 0 so we never drop below six | ever' is exactly it.".into(),
                question: Some("rollout-zero-downtime".into()),
            },
        ],
        lab: None,
    }
}

#[test]
fn markdown_snapshot_of_a_hand_made_scorecard() {
    insta::assert_snapshot!("sample_markdown", markdown(&sample()));
}

#[test]
fn html_of_a_hand_made_scorecard_is_a_complete_escaped_page() {
    let page = html(&sample());
    for part in [
        "<header>",
        "id=\"areas\"",
        "class=\"badge expert\"",
        "class=\"badge none\">not assessed",
        "id=\"strengths\"",
        "id=\"improvements\"",
        "id=\"resources\"",
        "id=\"questions\"",
        "id=\"transcript\"",
        "Ada *Lovelace*",
        "&lt;b&gt;bold&lt;/b&gt;",
        "&lt;kubectl rollout undo&gt;",
    ] {
        assert!(page.contains(part), "missing {part}");
    }
    assert!(!page.contains("<b>bold</b>"));
    assert!(!page.contains("<script"));
}

#[test]
fn markdown_snapshot_of_a_scripted_session() {
    let pack = pack();
    let grader = grader(&pack);
    let mut s = Session::start(&pack, &grader, 42, Some("sam-test"));
    let first = "A Pod is the smallest unit Kubernetes schedules: one or more containers that \
                 share a network namespace and volumes, so they talk over localhost and are \
                 always placed on the same node together.";
    s.answer_after(2.0, first);
    if s.prompt().is_some_and(|p| p.kind == PromptKind::Probe) {
        s.answer("I'm not sure.");
    }
    let at = s.at(0.5);
    s.send(Event::HintRequested { at_ms: at });
    s.answer_after(2.0, "They share the network namespace, so localhost works between them, and any volume both mount. They do not share the filesystem of their images or their process namespace by default.");
    if s.prompt().is_some_and(|p| p.kind == PromptKind::Probe) {
        let at = s.at(0.5);
        s.send(Event::Skipped { at_ms: at });
    }
    let at = s.at(1.0);
    s.send(Event::Finished { at_ms: at });
    insta::assert_snapshot!(
        "scripted_session_markdown",
        markdown(&s.interview.scorecard())
    );
}
