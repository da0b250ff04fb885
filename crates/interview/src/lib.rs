//! The interview engine: a pure state machine over session events, with an
//! adaptive flow, a hint ladder, probes chosen from what an answer missed,
//! replies in the pack's persona, and the scorecard with its Markdown, HTML
//! and JSON renderings.
//!
//! No I/O, no clock reads, no printing: the caller stores each [`Event`]
//! (with its time) before applying it, and renders the [`Output`]s. Session
//! state is a fold over events, so `--resume` is [`Interview::replay`] and an
//! old session can be re-graded by a newer grader. Not for: persistence
//! (`kubeprep-store`), terminals or HTTP (`kubeprep-cli`, the server), or
//! grading itself (`kubeprep-grade`).
//!
//! ```no_run
//! use kubeprep_bank::Pack;
//! use kubeprep_grade::Grader;
//! use kubeprep_interview::{Event, Interview, Output};
//!
//! let pack = Pack::embedded().expect("the embedded pack is valid");
//! let grader = Grader::new(&pack).expect("its patterns compile");
//! let mut interview = Interview::new(&pack, &grader);
//! let started = Event::Started {
//!     at_ms: 0,
//!     pack: pack.id.clone(),
//!     pack_version: pack.version.clone(),
//!     candidate: None,
//!     seed: 42,
//! };
//! for output in interview.apply(&started) {
//!     if let Output::Ask(prompt) = output {
//!         assert_eq!(prompt.question_id, "pod-basics");
//!     }
//! }
//! let answer = Event::Answered { at_ms: 60_000, text: "A Pod is ...".into() };
//! let _replies = interview.apply(&answer);
//! let _markdown = kubeprep_interview::report::markdown(&interview.scorecard());
//! ```
//!
//! # The rules
//!
//! - **Flow.** The persona's opening line, then the pack's phases in order. In
//!   a phase, its `core` questions, then the `extra` questions the difficulty
//!   allows; a follow-up (a question with a `parent`) only if its parent was
//!   asked and not skipped. When the flow runs out, the closing line and the
//!   scorecard ([`Output::Finished`]), without any event.
//! - **Difficulty** ([`Challenge`]): starts `Normal`; the first answered
//!   question sets it (score < 40 `Easy`; >= 75, or >= 65 answered within two
//!   minutes, `Hard`); after each later question it moves at most one step
//!   by the running average of question scores, with hysteresis (`Normal`
//!   goes `Hard` at 75 and `Easy` below 40; `Hard` falls back below 60; `Easy`
//!   climbs back at 55). `Easy` asks easy extras only, `Normal` easy and medium,
//!   `Hard` all, hard first, skips easy core questions after the first
//!   question and appends each question's `constraint`. `/easier` and
//!   `/harder` move one step and pin the difficulty: the engine stops
//!   adjusting. See [`flow`].
//! - **Probes.** After a question's first answer, at most one probe: the
//!   `probe` of a missed weight-3 key point; after a misconception, the
//!   heaviest missed point's probe; for an answer with nothing in it, the
//!   heaviest missed point's probe after an honest "Let's not leave it
//!   there"; otherwise, when no core point is missing, the `deepen` of the
//!   heaviest point made. The probe's answer is graded together with the
//!   first answer, so the candidate can still earn the point. No probes once
//!   the phase's or the interview's time is up.
//! - **Hints.** `/hint` gives the next of nudge, direction, partial,
//!   walkthrough; the question's score loses 10 %, 25 %, 45 %, 70 % in total
//!   after 1-4 hints. There is no fifth.
//! - **Skip.** `/skip` scores the question 0 and marks it skipped (skipping a
//!   probe keeps the first answer's grade instead).
//! - **Time.** Active time runs between `Started`/`Resumed` and `Paused`;
//!   an action while paused resumes the clock without counting the gap. When
//!   a phase's budget is spent the interview moves to the next phase after the
//!   current question; when the total is spent it finishes after it.
//! - **Scorecard.** See [`scorecard`] for areas, strengths, improvements and
//!   resources.
//! - **Hands-on.** After [`Event::HandsOn`], a question that a pack lab stands
//!   in for (`labs/*.yaml`, its `question`) is asked as that lab: the lab's
//!   intro instead of the question, a fault picked by the session seed
//!   (`Fault::ALL[seed % 10]`, the world seeded with the same seed). The
//!   front-end runs the world and records `LabCommand` (each line, with the
//!   simulated time and whether the cluster refused it), `LabDiagnosed`, and
//!   `LabDone` (the world's verdict on the fix); `/hint` gives the fault's
//!   ladder. At `LabDone` the question is graded on the diagnoses together,
//!   with the checks made before the first change as proofs of the
//!   question's debugging key points (the lab's `proves`), and the lab's hints
//!   as its hint penalty; the [`lab::LabScorecard`] joins the scorecard.
//!   [`Interview::open_lab`] gives a front-end what it needs to rebuild the
//!   world on resume: the fault, the seed and every line run.

mod engine;
mod event;
pub mod flow;
pub mod lab;
pub mod manifest;
mod output;
mod record;
pub mod report;
mod sanitize;
pub mod scorecard;
pub mod simulate;
mod voice;
pub mod wire;

pub use engine::{Interview, LabLine, OpenLab};
pub use event::{help, Command, Event, Input};
pub use output::{clock, Challenge, Output, Prompt, PromptKind, Reply, Status};
pub use sanitize::sanitize;
pub use scorecard::Scorecard;
