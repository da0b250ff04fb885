//! The pack grades its own model answers as an expert would: every model
//! answer scores in the expert band and states none of its question's
//! misconceptions. A pattern that misfires on the right answer fails here.

use kubeprep_bank::Pack;
use kubeprep_grade::{Grader, Level};

#[test]
fn model_answers_score_expert_without_misconceptions() {
    let pack = Pack::embedded().expect("pack");
    let grader = Grader::new(&pack).expect("grader");
    let mut failures = Vec::new();
    for q in &pack.questions {
        let a = grader.grade(&q.id, &q.model_answer).expect("grade");
        if a.level != Level::Expert {
            failures.push(format!("{}: model answer scores {}", q.id, a.score));
        }
        for m in &a.misconceptions {
            failures.push(format!(
                "{}: model answer trips misconception {} on {:?}",
                q.id, m.id, m.evidence
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn an_expert_answer_to_another_question_lands_in_the_bottom_band() {
    let pack = Pack::embedded().expect("pack");
    let grader = Grader::new(&pack).expect("grader");
    for (answered, asked) in [
        ("pod-basics", "flash-sale-scaling"),
        ("multi-team-rbac", "rollout-zero-downtime"),
        ("flash-sale-scaling", "redis-statefulset"),
        ("resources-requests-limits", "rbac-escalation"),
    ] {
        let text = &pack.question(answered).expect("question").model_answer;
        let a = grader.grade(asked, text).expect("grade");
        assert!(
            a.score < 20,
            "{answered}'s model answer to {asked} scores {}",
            a.score
        );
    }
}
