//! The interview engine over the embedded pack: the fold is deterministic,
//! commands do what they say, the flow adapts to the answers and respects the
//! time budgets, probes can earn a missed point back.
//!
//! Not for: scorecard renderings (`tests/scorecard.rs`).

mod common;

use common::{clueless, grader, model, pack, squash, Session, MINUTE};
use kubeprep_bank::Difficulty;
use kubeprep_interview::flow::penalised;
use kubeprep_interview::{Challenge, Event, Interview, Output, PromptKind};

fn replies(outputs: &[Output]) -> Vec<&kubeprep_interview::Reply> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Reply(r) => Some(r),
            _ => None,
        })
        .collect()
}

fn notices(outputs: &[Output]) -> Vec<&str> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Notice(n) => Some(n.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn starts_with_the_opening_and_pod_basics() {
    let (pack, grader) = {
        let p = pack();
        let g = grader(&p);
        (p, g)
    };
    let s = Session::start(&pack, &grader, 1, None);
    assert!(matches!(&s.outputs[0], Output::Say(t) if t.starts_with("Hey, welcome.")));
    let p = s.prompt().unwrap_or_else(|| panic!("a first question"));
    assert_eq!(p.question_id, "pod-basics");
    assert_eq!(p.kind, PromptKind::Main);
    assert_eq!(p.phase_title, "Pod fundamentals");
    assert!(matches!(s.outputs.last(), Some(Output::Ask(_))));
}

#[test]
fn replay_equals_the_incremental_fold() {
    let pack = pack();
    let grader = grader(&pack);
    let mut s = Session::start(&pack, &grader, 99, Some("ada"));
    let a = s.model_answer();
    s.answer_after(2.0, &a);
    let at = s.at(0.5);
    s.send(Event::HintRequested { at_ms: at });
    s.answer("I'm not sure.");
    let at = s.at(0.2);
    s.send(Event::Paused { at_ms: at });
    let at = s.at(300.0);
    s.send(Event::Resumed { at_ms: at });
    let at = s.at(0.1);
    s.send(Event::Skipped { at_ms: at });
    let at = s.at(0.1);
    s.send(Event::Easier { at_ms: at });
    let at = s.at(0.1);
    s.send(Event::TimeAsked { at_ms: at });
    for _ in 0..4 {
        if s.interview.is_finished() {
            break;
        }
        let a = s.model_answer();
        s.answer_after(3.0, &a);
    }

    // Events survive the store's JSON.
    let stored: Vec<String> = s
        .events
        .iter()
        .map(|e| serde_json::to_string(e).unwrap_or_default())
        .collect();
    let events: Vec<Event> = stored
        .iter()
        .map(|j| serde_json::from_str(j).unwrap_or_else(|e| panic!("{e}: {j}")))
        .collect();
    assert_eq!(events, s.events);

    let (replayed, outputs) = Interview::replay(&pack, &grader, &events);
    assert_eq!(outputs, s.outputs);
    assert_eq!(replayed.current_prompt(), s.interview.current_prompt());
    // Compared through the JSON contract: the grader's internal `signals` are
    // floats whose last bits may vary between runs; everything shown must not.
    assert_eq!(
        kubeprep_interview::report::json(&replayed.scorecard()),
        kubeprep_interview::report::json(&s.interview.scorecard())
    );
    assert_eq!(
        kubeprep_interview::report::markdown(&replayed.scorecard()),
        kubeprep_interview::report::markdown(&s.interview.scorecard())
    );
    assert_eq!(replayed.status(s.now), s.interview.status(s.now));

    // A different seed varies wording, never the grading.
    let mut other = events.clone();
    if let Some(Event::Started { seed, .. }) = other.first_mut() {
        *seed = 7;
    }
    let (varied, _) = Interview::replay(&pack, &grader, &other);
    let (a, b) = (varied.scorecard(), s.interview.scorecard());
    assert_eq!(a.overall_score, b.overall_score);
    assert_eq!(
        a.questions.iter().map(|q| q.score).collect::<Vec<_>>(),
        b.questions.iter().map(|q| q.score).collect::<Vec<_>>()
    );
}

#[test]
fn hints_climb_the_ladder_and_cost_part_of_the_score() {
    let pack = pack();
    let grader = grader(&pack);
    let mut s = Session::start(&pack, &grader, 3, None);
    let mut levels = Vec::new();
    for _ in 0..5 {
        let at = s.at(0.1);
        for o in s.send(Event::HintRequested { at_ms: at }) {
            match o {
                Output::Hint { level, name, text } => {
                    assert!(!text.is_empty());
                    levels.push((level, name));
                }
                Output::Notice(n) => assert!(n.starts_with("No more hints"), "{n}"),
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    assert_eq!(
        levels,
        [
            (1, "nudge"),
            (2, "direction"),
            (3, "partial"),
            (4, "walkthrough")
        ]
    );
    let a = s.model_answer();
    s.answer(&a);
    if s.prompt().is_some_and(|p| p.kind == PromptKind::Probe) {
        let at = s.at(0.1);
        s.send(Event::Skipped { at_ms: at });
    }
    let card = s.interview.scorecard();
    let q = &card.questions[0];
    assert_eq!(q.id, "pod-basics");
    assert_eq!(q.hints_used, 4);
    assert!(q.raw_score > 0, "the model answer scores");
    assert_eq!(q.score, penalised(q.raw_score, 4));
    assert!(q.score < q.raw_score);

    // Two hints cost 25 %.
    let mut s = Session::start(&pack, &grader, 3, None);
    for _ in 0..2 {
        let at = s.at(0.1);
        s.send(Event::HintRequested { at_ms: at });
    }
    let a = s.model_answer();
    s.answer(&a);
    if s.prompt().is_some_and(|p| p.kind == PromptKind::Probe) {
        let at = s.at(0.1);
        s.send(Event::Skipped { at_ms: at });
    }
    let q = &s.interview.scorecard().questions[0];
    assert_eq!(q.hints_used, 2);
    assert_eq!(u32::from(q.score), (u32::from(q.raw_score) * 75 + 50) / 100);
}

#[test]
fn skip_scores_zero_and_moves_on() {
    let pack = pack();
    let grader = grader(&pack);
    let mut s = Session::start(&pack, &grader, 5, None);
    let at = s.at(0.5);
    let out = s.send(Event::Skipped { at_ms: at });
    let r = replies(&out);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].score, Some(0));
    let next = s.prompt().unwrap_or_else(|| panic!("a next question"));
    assert_ne!(next.question_id, "pod-basics");
    let card = s.interview.scorecard();
    assert_eq!(card.questions.len(), 1);
    assert!(card.questions[0].skipped);
    assert_eq!(card.questions[0].score, 0);
    assert_eq!(card.overall_score, 0);
}

#[test]
fn follow_ups_need_their_parent_answered() {
    let pack = pack();
    let grader = grader(&pack);
    let mut s = Session::start(&pack, &grader, 11, None);
    // Skip every question that has follow-ups; answer the rest with the model answer.
    let mut skipped = Vec::new();
    for _ in 0..200 {
        if s.interview.is_finished() {
            break;
        }
        let Some(p) = s.prompt() else { break };
        let has_follow_ups = pack
            .questions
            .iter()
            .any(|q| q.parent.as_deref() == Some(p.question_id.as_str()));
        if has_follow_ups && p.kind != PromptKind::Probe {
            skipped.push(p.question_id.clone());
            let at = s.at(0.5);
            s.send(Event::Skipped { at_ms: at });
        } else {
            let a = model(&p, &pack);
            s.answer(&a);
        }
    }
    for id in s.asked() {
        if let Some(parent) = pack.question(&id).and_then(|q| q.parent.as_deref()) {
            assert!(
                !skipped.iter().any(|s| s == parent),
                "{id} was asked although its parent {parent} was skipped"
            );
        }
    }
}

#[test]
fn easier_and_harder_step_once_and_saturate() {
    let pack = pack();
    let grader = grader(&pack);
    let mut s = Session::start(&pack, &grader, 5, None);
    assert_eq!(s.interview.challenge(), Challenge::Normal);
    let at = s.at(0.1);
    let out = s.send(Event::Harder { at_ms: at });
    assert_eq!(
        notices(&out),
        ["Harder it is: the next questions will be tougher."]
    );
    assert_eq!(s.interview.challenge(), Challenge::Hard);
    let at = s.at(0.1);
    let out = s.send(Event::Harder { at_ms: at });
    assert!(notices(&out)[0].contains("already"), "{out:?}");
    assert_eq!(s.interview.challenge(), Challenge::Hard);
    for expected in [Challenge::Normal, Challenge::Easy, Challenge::Easy] {
        let at = s.at(0.1);
        s.send(Event::Easier { at_ms: at });
        assert_eq!(s.interview.challenge(), expected);
    }
    // The candidate's choice stands: a strong answer does not move it.
    let a = s.model_answer();
    s.answer(&a);
    assert_eq!(s.interview.challenge(), Challenge::Easy);
    assert_eq!(s.interview.status(s.now).challenge, Challenge::Easy);
}

#[test]
fn a_strong_warm_up_skips_ahead_to_the_hard_problems() {
    let pack = pack();
    let grader = grader(&pack);
    let mut s = Session::start(&pack, &grader, 21, None);
    s.play(model);
    let asked = s.asked();
    assert!(
        asked.iter().any(|q| q == "redis-statefulset"),
        "asked: {asked:?}"
    );
    assert!(
        asked.iter().any(|q| q == "multi-team-rbac"),
        "asked: {asked:?}"
    );
    let card = s.interview.scorecard();
    assert!(
        card.questions[0].score >= 75,
        "pod-basics: {}",
        card.questions[0].score
    );
    // Hard mode appends the question's constraint and skips easy core questions after the first.
    let redis = s
        .prompts()
        .into_iter()
        .find(|p| p.question_id == "redis-statefulset")
        .unwrap_or_else(|| panic!("redis-statefulset asked"));
    if let Some(c) = pack
        .question("redis-statefulset")
        .and_then(|q| q.constraint.as_deref())
    {
        assert!(
            redis.text.ends_with(c.trim()),
            "constraint missing: {}",
            redis.text
        );
    }
    for phase in &pack.phases {
        for id in phase.core.iter().filter(|id| id.as_str() != "pod-basics") {
            if pack
                .question(id)
                .is_some_and(|q| q.difficulty == Difficulty::Easy)
            {
                assert!(
                    !asked.contains(id),
                    "easy core question {id} asked in hard mode"
                );
            }
        }
    }
    assert!(s.interview.is_finished());
    assert!(matches!(s.outputs.last(), Some(Output::Finished(_))));
}

#[test]
fn a_weak_warm_up_keeps_to_the_easier_problems() {
    let pack = pack();
    let grader = grader(&pack);
    let mut s = Session::start(&pack, &grader, 22, None);
    s.play(clueless);
    let asked = s.asked();
    assert!(
        !asked.iter().any(|q| q == "redis-statefulset"),
        "asked: {asked:?}"
    );
    assert!(
        !asked.iter().any(|q| q == "multi-team-rbac"),
        "asked: {asked:?}"
    );
    assert_eq!(s.interview.challenge(), Challenge::Easy);
    for id in &asked {
        let q = pack.question(id).unwrap_or_else(|| panic!("{id}"));
        let core = pack.phases.iter().any(|p| p.core.contains(id));
        assert!(
            core || q.difficulty == Difficulty::Easy,
            "{id} is a {:?} extra",
            q.difficulty
        );
    }
    assert!(s.interview.is_finished());
}

#[test]
fn an_empty_of_content_answer_gets_an_honest_reply() {
    let pack = pack();
    let grader = grader(&pack);
    let mut s = Session::start(&pack, &grader, 4, None);
    let out = s.answer("I don't know");
    let r = replies(&out);
    assert_eq!(r.len(), 1);
    assert!(
        r[0].text.starts_with("Let's not leave it there"),
        "{}",
        r[0].text
    );
    assert!(r[0].text.contains("/hint"));
    assert!(!r[0].text.to_lowercase().contains("good"), "{}", r[0].text);
    assert_eq!(s.prompt().map(|p| p.kind), Some(PromptKind::Probe));

    // A blank answer is not a turn.
    let turns = s.interview.transcript().len();
    let out = s.answer("   ");
    assert_eq!(notices(&out).len(), 1);
    assert_eq!(s.interview.transcript().len(), turns);
}

#[test]
fn replies_quote_what_the_candidate_said() {
    let pack = pack();
    let grader = grader(&pack);
    let mut s = Session::start(&pack, &grader, 8, None);
    let answer = s.model_answer();
    let out = s.answer(&answer);
    let r = replies(&out);
    let text = &r[0].text;
    assert!(!text.to_lowercase().contains("good answer"), "{text}");
    let start = text
        .find("-- '")
        .unwrap_or_else(|| panic!("no quote in {text}"))
        + 4;
    let len = text[start..]
        .find("' ")
        .unwrap_or_else(|| panic!("unterminated quote in {text}"));
    let quoted = text[start..start + len].trim_end_matches("...");
    assert!(
        squash(&answer).contains(quoted),
        "{quoted:?} is not in the answer"
    );
}

#[test]
fn a_probe_answer_is_graded_with_the_first_and_can_raise_the_score() {
    let pack = pack();
    let grader = grader(&pack);
    let mut s = Session::start(&pack, &grader, 9, None);
    let first = "A Pod runs containers.";
    s.answer(first);
    let probe = s.prompt().unwrap_or_else(|| panic!("a probe"));
    assert_eq!(probe.kind, PromptKind::Probe);
    assert_eq!(probe.question_id, "pod-basics");
    let q = pack
        .question("pod-basics")
        .unwrap_or_else(|| panic!("pod-basics"));
    assert!(
        q.key_points
            .iter()
            .any(|k| k.probe.as_deref().map(str::trim) == Some(probe.text.as_str())),
        "the probe is a key point's probe: {}",
        probe.text
    );
    let before = grader
        .grade("pod-basics", first)
        .unwrap_or_else(|e| panic!("{e}"))
        .score;
    let out = s.answer(&q.model_answer);
    let r = replies(&out);
    assert!(r[0].score.is_some(), "the question is done after its probe");
    let card = s.interview.scorecard();
    assert_eq!(card.questions[0].answers.len(), 2);
    assert!(
        card.questions[0].score > before,
        "{} should beat {before}",
        card.questions[0].score
    );
    // At most one probe per question.
    assert_ne!(s.prompt().map(|p| p.question_id), Some("pod-basics".into()));
}

#[test]
fn a_spent_phase_budget_moves_to_the_next_phase() {
    let pack = pack();
    let grader = grader(&pack);
    let mut s = Session::start(&pack, &grader, 10, None);
    let a = s.model_answer();
    s.answer_after(11.0, &a);
    let p = s.prompt().unwrap_or_else(|| panic!("a next question"));
    assert_eq!(p.phase_title, "Deployments and rollouts");
    assert_ne!(p.kind, PromptKind::Probe, "no probes once time is up");
    assert_eq!(s.interview.status(s.now).phase_elapsed_ms, 0);
}

#[test]
fn a_spent_total_budget_finishes_after_the_current_question() {
    let pack = pack();
    let grader = grader(&pack);
    let mut s = Session::start(&pack, &grader, 10, None);
    let out = s.answer_after(
        51.0,
        "A Pod is a group of containers that share a network namespace.",
    );
    assert!(s.interview.is_finished());
    assert!(matches!(out.last(), Some(Output::Finished(_))));
    let out = s.answer("more");
    assert_eq!(notices(&out).len(), 1);
}

#[test]
fn time_paused_does_not_count_and_resume_re_asks() {
    let pack = pack();
    let grader = grader(&pack);
    let mut s = Session::start(&pack, &grader, 12, None);
    let at = s.at(3.0);
    s.send(Event::Paused { at_ms: at });
    assert!(s.interview.is_paused());
    let at = s.at(600.0);
    let out = s.send(Event::Resumed { at_ms: at });
    assert!(matches!(out.last(), Some(Output::Ask(p)) if p.question_id == "pod-basics"));
    let at = s.at(1.0);
    let out = s.send(Event::TimeAsked { at_ms: at });
    let Some(Output::Status(st)) = out.first() else {
        panic!("a status: {out:?}")
    };
    assert_eq!(st.total_elapsed_ms, 4 * MINUTE);
    assert_eq!(st.phase_title, "Pod fundamentals");
    assert_eq!(st.total_budget_ms, 50 * MINUTE);
    assert_eq!(st.question_number, 1);
}

#[test]
fn finish_ends_now_with_the_scorecard() {
    let pack = pack();
    let grader = grader(&pack);
    let mut s = Session::start(&pack, &grader, 13, None);
    let at = s.at(1.0);
    let out = s.send(Event::Finished { at_ms: at });
    let Some(Output::Finished(card)) = out.last() else {
        panic!("a scorecard: {out:?}")
    };
    assert!(card.session.finished);
    assert!(
        card.questions.is_empty(),
        "an unanswered question does not count"
    );
    assert!(s.interview.current_prompt().is_none());
}

#[test]
fn resuming_after_a_crash_does_not_count_the_time_away() {
    let pack = pack();
    let grader = grader(&pack);
    let mut s = Session::start(&pack, &grader, 14, None);
    let at = s.at(2.0);
    s.send(Event::TimeAsked { at_ms: at });
    // The front-end died without a Paused event; the candidate comes back a day later.
    let events = s.events.clone();
    let (mut resumed, _) = Interview::replay(&pack, &grader, &events);
    let back = s.now + 24 * 60 * MINUTE;
    let out = resumed.apply(&Event::Resumed { at_ms: back });
    assert!(matches!(out.last(), Some(Output::Ask(p)) if p.question_id == "pod-basics"));
    assert_eq!(resumed.status(back + MINUTE).total_elapsed_ms, 3 * MINUTE);
}

/// A manifest pasted into an answer is run against the question's scenario:
/// the reply quotes the simulated numbers, met requirements earn their key
/// points, the verdict reaches the scorecard, and a replay reproduces it.
#[test]
fn a_pasted_manifest_is_simulated_and_earns_the_points_it_proves() {
    let pack = pack();
    let grader = grader(&pack);
    let mut s = Session::start(&pack, &grader, 7, None);
    let yaml = pack
        .problems
        .iter()
        .find(|p| p.id == "payment-rollout")
        .and_then(|p| {
            p.configurations
                .iter()
                .find(|c| c.title == "Deployment (corrected)")
        })
        .expect("the corrected Deployment")
        .yaml
        .clone();
    let mut reply = None;
    for _ in 0..40 {
        let Some(p) = s.prompt() else { break };
        if p.question_id == "rollout-zero-downtime" && p.kind != PromptKind::Probe {
            let out = s.answer(&format!(
                "I would roll it out with this Deployment:\n```yaml\n{yaml}```\nso capacity never drops."
            ));
            reply = replies(&out).first().map(|r| r.text.clone());
            break;
        }
        let answer = s.model_answer();
        s.answer(&answer);
    }
    let reply = reply.expect("rollout-zero-downtime was asked");
    assert!(
        reply.contains("payment-rollout") || reply.contains("payment API"),
        "{reply}"
    );
    assert!(reply.contains("meets 3 of 4 requirements"), "{reply}");
    assert!(
        reply.contains("135"),
        "the measured rollback is quoted: {reply}"
    );

    s.send(Event::Finished { at_ms: s.at(1.0) });
    let card = s.interview.scorecard();
    let q = card
        .questions
        .iter()
        .find(|q| q.id == "rollout-zero-downtime")
        .expect("in the scorecard");
    let v = q.simulation.as_ref().expect("the verdict is kept");
    assert_eq!(v.tally(), (3, 4));
    let a = q.assessment.as_ref().expect("graded");
    let kp = a
        .key_points
        .iter()
        .find(|k| k.id == "max-unavailable-zero")
        .expect("key point");
    assert_eq!(kp.credit, 1.0, "{kp:?}");

    let (again, _) = Interview::replay(&pack, &grader, &s.events);
    assert_eq!(again.scorecard(), card, "a replay reproduces the verdicts");
}
