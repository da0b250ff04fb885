//! What happens in a session: the [`Event`]s a caller stores before applying
//! them, and the parsing of a candidate's line into an answer or a command.
//!
//! Events are the one serialised engine type (they are the session's durable
//! record, in the store and in exported sessions), so their JSON shape is
//! stable: internally tagged by `type`, snake_case, Unix-millisecond `at_ms`
//! timestamps supplied by the caller. Not for: applying them (`engine.rs`).

use serde::{Deserialize, Serialize};

/// One thing that happened in a session. The caller stores it, then applies it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// The session began.
    Started {
        /// Unix time in milliseconds.
        at_ms: i64,
        /// Id of the pack used.
        pack: String,
        /// Version of the pack used.
        pack_version: String,
        /// Who is interviewed, if known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        candidate: Option<String>,
        /// Varies the interviewer's wording, deterministically.
        seed: u64,
    },
    /// The candidate answered the question being asked.
    Answered {
        /// Unix time in milliseconds.
        at_ms: i64,
        /// The answer as typed.
        text: String,
    },
    /// `/hint`: the next level of the hint ladder.
    HintRequested {
        /// Unix time in milliseconds.
        at_ms: i64,
    },
    /// `/skip`: give up this question (it scores 0).
    Skipped {
        /// Unix time in milliseconds.
        at_ms: i64,
    },
    /// `/easier`: one step down in difficulty.
    Easier {
        /// Unix time in milliseconds.
        at_ms: i64,
    },
    /// `/harder`: one step up in difficulty.
    Harder {
        /// Unix time in milliseconds.
        at_ms: i64,
    },
    /// `/time`: how much time is left.
    TimeAsked {
        /// Unix time in milliseconds.
        at_ms: i64,
    },
    /// `/quit`: the session is saved and the clock stops.
    Paused {
        /// Unix time in milliseconds.
        at_ms: i64,
    },
    /// The session was picked up again; the clock runs.
    Resumed {
        /// Unix time in milliseconds.
        at_ms: i64,
    },
    /// `/finish`: end now and produce the scorecard.
    Finished {
        /// Unix time in milliseconds.
        at_ms: i64,
    },
    /// `--hands-on`: the question a pack lab stands in for is taken as that
    /// lab (the fault and the world's seed come from the session's seed).
    HandsOn {
        /// Unix time in milliseconds.
        at_ms: i64,
    },
    /// A command run against the lab's cluster. The world is deterministic,
    /// so replaying these lines on a fresh world (fault and seed from the
    /// session) rebuilds it.
    LabCommand {
        /// Unix time in milliseconds.
        at_ms: i64,
        /// The line as typed.
        line: String,
        /// Simulated ms since the lab began, after the command.
        sim_ms: i64,
        /// The cluster refused it (an error): it checked and changed nothing.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        refused: bool,
        /// Lines typed inside the interactive shell the command opened
        /// (`run -it`, `exec -it`), in order.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        inside: Vec<String>,
    },
    /// `diagnose TEXT` in the lab: the root cause in the candidate's words.
    LabDiagnosed {
        /// Unix time in milliseconds.
        at_ms: i64,
        /// The diagnosis as typed.
        text: String,
        /// Simulated ms since the lab began.
        sim_ms: i64,
    },
    /// `done`: the candidate left the lab; the world's verdict on the fix.
    LabDone {
        /// Unix time in milliseconds.
        at_ms: i64,
        /// Simulated ms since the lab began.
        sim_ms: i64,
        /// Whether the fault is fixed, by the world's state.
        fixed: bool,
        /// Why it is not fixed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
}

impl Event {
    /// When it happened (Unix milliseconds).
    pub fn at_ms(&self) -> i64 {
        match self {
            Event::Started { at_ms, .. }
            | Event::Answered { at_ms, .. }
            | Event::HintRequested { at_ms }
            | Event::Skipped { at_ms }
            | Event::Easier { at_ms }
            | Event::Harder { at_ms }
            | Event::TimeAsked { at_ms }
            | Event::Paused { at_ms }
            | Event::Resumed { at_ms }
            | Event::Finished { at_ms }
            | Event::HandsOn { at_ms }
            | Event::LabCommand { at_ms, .. }
            | Event::LabDiagnosed { at_ms, .. }
            | Event::LabDone { at_ms, .. } => *at_ms,
        }
    }
}

/// A slash command the candidate can type instead of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    /// `/hint`: next hint level for this question (costs part of its score).
    Hint,
    /// `/skip`: move on; the question scores 0.
    Skip,
    /// `/easier`: one difficulty step down.
    Easier,
    /// `/harder`: one difficulty step up.
    Harder,
    /// `/time`: time used and left.
    Time,
    /// `/quit`: save and stop; the session can be resumed.
    Quit,
    /// `/finish`: end now and show the scorecard.
    Finish,
    /// `/help`: list the commands. Changes nothing, so it is not an event.
    Help,
}

impl Command {
    /// Every command, in the order `/help` lists them.
    pub const ALL: [Command; 8] = [
        Command::Hint,
        Command::Skip,
        Command::Easier,
        Command::Harder,
        Command::Time,
        Command::Quit,
        Command::Finish,
        Command::Help,
    ];

    /// The command as typed, with its slash.
    pub fn as_str(self) -> &'static str {
        match self {
            Command::Hint => "/hint",
            Command::Skip => "/skip",
            Command::Easier => "/easier",
            Command::Harder => "/harder",
            Command::Time => "/time",
            Command::Quit => "/quit",
            Command::Finish => "/finish",
            Command::Help => "/help",
        }
    }

    /// One line saying what it does.
    pub fn describe(self) -> &'static str {
        match self {
            Command::Hint => "next hint for this question (nudge, direction, partial, walkthrough); each costs part of its score",
            Command::Skip => "skip this question (it scores 0)",
            Command::Easier => "make the interview one step easier",
            Command::Harder => "make the interview one step harder",
            Command::Time => "show the phase and time used",
            Command::Quit => "save and stop; resume the session later",
            Command::Finish => "end the interview now and show the scorecard",
            Command::Help => "show this list",
        }
    }

    /// The event that records this command at `at_ms`; `None` for `/help`, which changes nothing.
    pub fn event(self, at_ms: i64) -> Option<Event> {
        Some(match self {
            Command::Hint => Event::HintRequested { at_ms },
            Command::Skip => Event::Skipped { at_ms },
            Command::Easier => Event::Easier { at_ms },
            Command::Harder => Event::Harder { at_ms },
            Command::Time => Event::TimeAsked { at_ms },
            Command::Quit => Event::Paused { at_ms },
            Command::Finish => Event::Finished { at_ms },
            Command::Help => return None,
        })
    }
}

/// The command list, one per line, for `/help`.
pub fn help() -> String {
    Command::ALL
        .iter()
        .map(|c| format!("{:<8} {}", c.as_str(), c.describe()))
        .chain(std::iter::once(format!(
            "{:<8} {}",
            "/yaml",
            "paste a manifest (empty lines allowed; a lone `.` ends it): it is run on the simulated cluster against the question's scenario"
        )))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What a line the candidate typed means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Nothing but whitespace: re-prompt, store nothing.
    Empty,
    /// A command.
    Command(Command),
    /// Something starting with `/` that is not a command (the text, trimmed).
    UnknownCommand(String),
    /// An answer (as typed, trimmed).
    Answer(String),
}

impl Input {
    /// Reads one line (or block) of candidate input.
    ///
    /// Commands are one word, case-insensitive, optionally followed by
    /// whitespace. A multi-line answer that merely starts with `/` (a path,
    /// say) stays an answer.
    pub fn parse(line: &str) -> Input {
        let t = line.trim();
        if t.is_empty() {
            return Input::Empty;
        }
        if !t.starts_with('/') || t.contains('\n') {
            return Input::Answer(t.to_string());
        }
        let word = t
            .split_whitespace()
            .next()
            .unwrap_or(t)
            .to_ascii_lowercase();
        let alias = |s: &str| -> Option<Command> {
            Some(match s {
                "/hint" | "/h" => Command::Hint,
                "/skip" | "/s" | "/next" => Command::Skip,
                "/easier" => Command::Easier,
                "/harder" => Command::Harder,
                "/time" | "/t" | "/status" => Command::Time,
                "/quit" | "/q" | "/exit" | "/pause" => Command::Quit,
                "/finish" | "/done" | "/end" => Command::Finish,
                "/help" | "/?" => Command::Help,
                _ => return None,
            })
        };
        match alias(&word) {
            Some(c) => Input::Command(c),
            // A lone unknown slash word is a typo; a sentence starting with a path is an answer.
            None if t.split_whitespace().count() == 1 => Input::UnknownCommand(t.to_string()),
            None => Input::Answer(t.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(line: &str, expected: Input) {
        assert_eq!(Input::parse(line), expected, "line: {line:?}");
    }

    #[test]
    fn parses_commands_answers_and_typos() {
        check("   ", Input::Empty);
        check("/hint", Input::Command(Command::Hint));
        check("  /HINT  ", Input::Command(Command::Hint));
        check("/skip", Input::Command(Command::Skip));
        check("/quit", Input::Command(Command::Quit));
        check("/finish", Input::Command(Command::Finish));
        check("/hnit", Input::UnknownCommand("/hnit".into()));
        check(
            "/var/log is mounted from an emptyDir",
            Input::Answer("/var/log is mounted from an emptyDir".into()),
        );
        check(" A Pod is ... ", Input::Answer("A Pod is ...".into()));
    }

    #[test]
    fn events_round_trip_as_tagged_json() {
        let ev = Event::Started {
            at_ms: 1_700_000_000_000,
            pack: "kubernetes".into(),
            pack_version: "1.0.0".into(),
            candidate: Some("ada".into()),
            seed: 7,
        };
        let json = serde_json::to_value(&ev).unwrap_or_default();
        assert_eq!(json["type"], "started");
        assert_eq!(json["seed"], 7);
        let back: Event = serde_json::from_value(json).unwrap_or(Event::Finished { at_ms: 0 });
        assert_eq!(back, ev);
        let hint = serde_json::to_string(&Event::HintRequested { at_ms: 5 }).unwrap_or_default();
        assert_eq!(hint, r#"{"type":"hint_requested","at_ms":5}"#);
    }

    #[test]
    fn help_lists_every_command() {
        let h = help();
        for c in Command::ALL {
            assert!(h.contains(c.as_str()));
        }
        assert_eq!(Command::Help.event(1), None);
        assert_eq!(Command::Quit.event(1), Some(Event::Paused { at_ms: 1 }));
    }
}
