//! How the grader treats real answers: YAML and plain spellings, typos,
//! negation, buzzword salad, evidence, and empty or off-topic answers.
//! Runs against a small fixture pack so the cases do not move with content.

use kubeprep_bank::Pack;
use kubeprep_grade::{Assessment, Grader, Proof};

fn grade(answer: &str) -> Assessment {
    let pack = Pack::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/mini"
    )))
    .unwrap_or_else(|e| panic!("{e}"));
    Grader::new(&pack)
        .expect("grader")
        .grade("rollout", answer)
        .expect("grade")
}

#[track_caller]
fn check_hit(answer: &str, point: &str, expected: bool) {
    let a = grade(answer);
    let k = a.key_points.iter().find(|k| k.id == point).expect("point");
    assert_eq!(k.hit(), expected, "{point} in {answer:?}: {a:#?}");
}

#[test]
fn yaml_plain_and_typo_spellings_all_count() {
    for answer in [
        "maxUnavailable: 0",
        "I would set max unavailable of zero so we keep all six running.",
        "Set maxUnavaliable=0 so capacity never drops.",
        "max-unavailable: 0",
        "We never kill an old pod until the new one is serving.",
    ] {
        check_hit(answer, "max-unavailable-zero", true);
    }
    check_hit("maxUnavailable: 1", "max-unavailable-zero", false);
}

#[test]
fn negated_terms_earn_nothing() {
    check_hit(
        "I wouldn't bother with a readiness probe for this.",
        "readiness",
        false,
    );
    check_hit("No readiness probe is needed here.", "readiness", false);
    check_hit(
        "maxSurge doesn't matter much here, honestly.",
        "surge",
        false,
    );
    // A negation that gates ("not ... until") is not a rejection.
    check_hit(
        "The pod doesn't get traffic until the readiness probe passes.",
        "readiness",
        true,
    );
    let a = grade("I wouldn't bother with a readiness probe for this.");
    let k = a
        .key_points
        .iter()
        .find(|k| k.id == "readiness")
        .expect("point");
    assert!(k.negated.is_some(), "the rejection is reported");
}

#[test]
fn every_credited_point_quotes_the_sentence_that_earned_it() {
    let answer = "First I'd add a readiness probe so the Service only sends traffic to warm pods. \
                  Then maxUnavailable: 0 keeps capacity.";
    let a = grade(answer);
    for k in a.hits() {
        let ev = k.evidence.as_deref().expect("evidence");
        assert!(answer.contains(ev), "evidence {ev:?} is verbatim");
    }
    let r = a.key_points.iter().find(|k| k.id == "readiness").unwrap();
    assert!(r
        .evidence
        .as_deref()
        .unwrap()
        .contains("readiness probe so the Service"));
}

#[test]
fn salad_lands_in_the_bottom_band() {
    let salad = grade("readiness probe, maxSurge, maxUnavailable 0, rollback, canary, blue-green");
    assert!(salad.salad, "{salad:#?}");
    assert!(salad.score < 40, "salad scored {}", salad.score);
    let explained = grade(
        "I'd set maxUnavailable to 0 so we never drop below six pods, and use maxSurge 2 so two new pods start at once. \
         A readiness probe makes sure the Service only routes requests to pods that are actually ready. \
         If it breaks I run kubectl rollout undo to roll back.",
    );
    assert!(!explained.salad);
    // A plain sentence that makes several points is not a list of terms.
    let plain =
        grade("Set maxUnavailable to 0 and maxSurge to 2 with a readiness probe on every pod.");
    assert!(!plain.salad, "{plain:#?}");
    let listed =
        grade("I'd use a readiness probe and maxSurge and maxUnavailable 0, and also rollback.");
    assert!(listed.salad, "{listed:#?}");
    assert!(
        explained.score >= 80,
        "explained scored {}",
        explained.score
    );
}

#[test]
fn empty_of_content_answers_score_in_the_bottom_band_without_praise() {
    for answer in [
        "fine",
        "I don't know",
        "it depends",
        "Pods share a network namespace and volumes.",
    ] {
        let a = grade(answer);
        assert!(a.score < 20, "{answer:?} scored {}", a.score);
        assert_eq!(a.hits().count(), 0);
        assert!(!a.feedback.contains("Credited"), "{}", a.feedback);
    }
}

#[test]
fn misconceptions_are_caught_and_cost_score() {
    let plain = "I'd set maxUnavailable to 0 so we never lose capacity, and roll back with kubectl rollout undo if needed.";
    let wrong = "I'd set maxUnavailable to 0 so we never lose capacity, and roll back with kubectl rollout undo if needed. The rollback is instant.";
    let (a, b) = (grade(plain), grade(wrong));
    assert_eq!(b.misconceptions.len(), 1);
    assert!(b.misconceptions[0].evidence.contains("instant"));
    assert!(b.score < a.score);
    // Denying the misconception is not stating it.
    assert!(grade("Rollback is not instant: it is another rollout.")
        .misconceptions
        .is_empty());
}

#[test]
fn removing_a_key_point_never_raises_the_score() {
    let full = "maxUnavailable: 0 keeps every old pod until a new one is ready. \
                We add a readiness probe so traffic waits for warm pods. \
                maxSurge 2 lets two new pods start at once. \
                kubectl rollout undo rolls back if it breaks.";
    let sentences: Vec<&str> = full.split(". ").collect();
    let all = grade(full).score;
    for skip in 0..sentences.len() {
        let partial: Vec<&str> = sentences
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, s)| *s)
            .collect();
        let s = grade(&partial.join(". ")).score;
        assert!(s <= all, "dropping sentence {skip} raised {all} to {s}");
    }
}

#[test]
fn a_point_proven_on_the_simulated_cluster_earns_full_credit_and_raises_the_score() {
    let pack = Pack::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/mini"
    )))
    .unwrap_or_else(|e| panic!("{e}"));
    let grader = Grader::new(&pack).expect("grader");
    let answer =
        "I would set maxUnavailable to 0 so that capacity never drops while new Pods start.";
    let plain = grader.grade("rollout", answer).expect("grade");
    let proofs = [
        Proof {
            key_point: "readiness".into(),
            evidence: "simulation: no request failed during the rollout".into(),
        },
        Proof {
            key_point: "no-such-point".into(),
            evidence: "ignored".into(),
        },
    ];
    let proven = grader
        .grade_with_proofs("rollout", answer, &proofs)
        .expect("grade");
    let before = plain
        .key_points
        .iter()
        .find(|k| k.id == "readiness")
        .unwrap();
    let after = proven
        .key_points
        .iter()
        .find(|k| k.id == "readiness")
        .unwrap();
    assert!(!before.hit(), "{before:?}");
    assert_eq!(after.credit, 1.0);
    assert_eq!(
        after.evidence.as_deref(),
        Some("simulation: no request failed during the rollout")
    );
    assert!(
        proven.score > plain.score,
        "{} <= {}",
        proven.score,
        plain.score
    );
}
