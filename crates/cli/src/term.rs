//! Terminal rendering: tables, the assessment, colour (only on a terminal and
//! never with NO_COLOR), and writing that turns a closed pipe into an error
//! `main` treats as success. Every piece of candidate text printed here has
//! passed through `kubeprep_interview::sanitize`.

use std::io::Write;

use anyhow::Result;
use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use kubeprep_bank::{Pack, Question};
use kubeprep_grade::Assessment;
use kubeprep_interview::sanitize;

/// Writes to stdout, reporting a closed pipe as an error.
pub fn print(s: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(s.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Writes to stderr, ignoring failures (there is nowhere left to report them).
pub fn eprint(s: &str) {
    let _ = std::io::stderr().lock().write_all(s.as_bytes());
}

/// Prints one JSON document and a newline.
pub fn print_json<T: serde::Serialize>(v: &T) -> Result<()> {
    let mut s = serde_json::to_string_pretty(v)?;
    s.push('\n');
    print(&s)
}

/// ANSI styles used on a colour terminal.
#[derive(Clone, Copy)]
pub enum Style {
    Bold,
    Dim,
    Green,
    Yellow,
    Red,
    Cyan,
}

/// `s` in `style` when `color`, else unchanged.
pub fn paint(s: &str, style: Style, color: bool) -> String {
    if !color {
        return s.to_string();
    }
    let code = match style {
        Style::Bold => "1",
        Style::Dim => "2",
        Style::Green => "32",
        Style::Yellow => "33",
        Style::Red => "31",
        Style::Cyan => "36",
    };
    format!("\x1b[{code}m{s}\x1b[0m")
}

/// The colour of a 0–100 score.
pub fn score_style(score: u8) -> Style {
    match score {
        0..=39 => Style::Red,
        40..=74 => Style::Yellow,
        _ => Style::Green,
    }
}

fn table() -> Table {
    use std::io::IsTerminal;
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    // On a terminal the table fits its width; elsewhere (pipes, files) 100 columns.
    if !std::io::stdout().is_terminal() {
        t.set_width(100);
    }
    t
}

/// `kubeprep bank list` as a table.
pub fn question_table(pack: &Pack, _color: bool) -> String {
    let mut t = table();
    t.set_header(["id", "area", "difficulty", "question"]);
    for q in &pack.questions {
        let text = one_line(&q.text, 70);
        t.add_row([
            q.id.as_str(),
            q.topic.as_str(),
            q.difficulty.as_str(),
            text.as_str(),
        ]);
    }
    format!(
        "{t}\n{} questions in pack `{}`\n",
        pack.questions.len(),
        pack.id
    )
}

/// The first `n` characters of `s` on one line.
pub fn one_line(s: &str, n: usize) -> String {
    let flat = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= n {
        flat
    } else {
        let cut: String = flat.chars().take(n - 1).collect();
        format!("{cut}…")
    }
}

/// `kubeprep bank show` as readable text.
pub fn question_detail(pack: &Pack, q: &Question) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "{} ({}, {}{})\n\n{}\n\n",
        q.id,
        pack.area(&q.topic)
            .map(|a| a.title.as_str())
            .unwrap_or(&q.topic),
        q.difficulty.as_str(),
        q.parent
            .as_deref()
            .map(|p| format!(", follows {p}"))
            .unwrap_or_default(),
        q.text.trim()
    ));
    if let Some(c) = &q.constraint {
        s.push_str(&format!("Harder: {}\n\n", c.trim()));
    }
    s.push_str("Hints:\n");
    for (i, (name, h)) in [
        ("nudge", &q.hints.nudge),
        ("direction", &q.hints.direction),
        ("partial", &q.hints.partial),
        ("walkthrough", &q.hints.walkthrough),
    ]
    .iter()
    .enumerate()
    {
        s.push_str(&format!(
            "  {}. {name}: {}\n",
            i + 1,
            one_line(h, usize::MAX)
        ));
    }
    let mut t = table();
    t.set_header(["key point", "area", "weight", "what counts"]);
    for k in &q.key_points {
        t.add_row([
            k.id.clone(),
            k.area.clone(),
            k.weight.to_string(),
            one_line(&k.text, 90),
        ]);
    }
    s.push_str(&format!("\n{t}\n"));
    if !q.misconceptions.is_empty() {
        s.push_str("\nMisconceptions:\n");
        for m in &q.misconceptions {
            s.push_str(&format!(
                "  - {}: {}\n    {}\n",
                m.id,
                one_line(&m.text, usize::MAX),
                one_line(&m.correction, usize::MAX)
            ));
        }
    }
    if !q.follow_ups.is_empty() {
        s.push_str(&format!("\nFollow-ups: {}\n", q.follow_ups.join(", ")));
    }
    s.push_str(&format!("\nModel answer:\n{}\n", q.model_answer.trim()));
    s
}

/// One graded answer, for people.
pub fn assessment(a: &Assessment, color: bool) -> String {
    let mut s = format!(
        "{}  {} / 100  {}\n\n",
        paint(&a.question, Style::Bold, color),
        paint(&a.score.to_string(), score_style(a.score), color),
        a.level.as_str()
    );
    let mut t = table();
    t.set_header(["", "key point", "evidence"]);
    for k in &a.key_points {
        let mark = if k.hit() {
            "✓"
        } else if k.negated.is_some() {
            "✗"
        } else {
            "·"
        };
        let ev = k
            .evidence
            .as_deref()
            .or(k.negated.as_deref())
            .map(|e| format!("\"{}\"", one_line(&sanitize(e), 80)))
            .unwrap_or_default();
        t.add_row([mark.to_string(), one_line(&k.text, 60), ev]);
    }
    s.push_str(&format!("{t}\n"));
    for m in &a.misconceptions {
        s.push_str(&format!(
            "{} \"{}\"\n  {}\n",
            paint("Misconception:", Style::Red, color),
            one_line(&sanitize(&m.evidence), 100),
            m.correction.trim()
        ));
    }
    s.push_str(&format!("\n{}\n", sanitize(&a.feedback)));
    s
}

/// Unix milliseconds as `YYYY-MM-DD HH:MM` UTC.
pub fn timestamp(ms: i64) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_else(|| "-".into())
}

/// One engine output, for the terminal (candidate text inside is sanitised).
pub fn output(o: &kubeprep_interview::Output, persona: &str, color: bool) -> String {
    use kubeprep_interview::{Output, PromptKind};
    let who = paint(&format!("{persona}:"), Style::Cyan, color);
    match o {
        Output::Say(t) => format!("{who} {}\n\n", sanitize(t.trim())),
        Output::Ask(p) => {
            let tag = match p.kind {
                PromptKind::Main => String::new(),
                PromptKind::FollowUp => paint("[follow-up] ", Style::Dim, color),
                PromptKind::Probe => String::new(),
            };
            format!(
                "{who} {tag}{}\n",
                paint(sanitize(p.text.trim()).as_ref(), Style::Bold, color)
            )
        }
        Output::Hint { level, name, text } => format!(
            "{} {}\n\n",
            paint(&format!("Hint {level}/4 ({name}):"), Style::Yellow, color),
            sanitize(text.trim())
        ),
        Output::Reply(r) => {
            let score = match (r.score, r.level) {
                (Some(s), Some(l)) => format!(
                    "  {}",
                    paint(
                        &format!("[{}: {s}/100, {}]", r.question_id, l.as_str()),
                        score_style(s),
                        color
                    )
                ),
                _ => String::new(),
            };
            format!("{who} {}{score}\n\n", sanitize(r.text.trim()))
        }
        Output::Status(s) => format!("{}\n", paint(&s.line(), Style::Dim, color)),
        Output::Notice(t) => format!(
            "{}\n",
            paint(&format!("({})", sanitize(t.trim())), Style::Dim, color)
        ),
        Output::Finished(card) => scorecard(card, color),
    }
}

/// Said once at the start of an interview.
pub fn protocol_help(tty: bool, color: bool) -> String {
    let how = if tty {
        "Answer on one or more lines; press Enter on an empty line (or type a lone `.`) to submit. Up/down recall earlier lines."
    } else {
        "Reading answers from stdin: each answer ends at an empty line or a lone `.`."
    };
    paint(
        &format!("({how} /hint, /skip, /easier, /harder, /time, /quit, /finish, /yaml, /help.)\n"),
        Style::Dim,
        color,
    )
}

/// The status line shown before each prompt on a terminal.
pub fn status_line(s: &kubeprep_interview::Status, color: bool) -> String {
    paint(&format!("[{}]\n", s.line()), Style::Dim, color)
}

/// Shown when a session is saved without finishing.
pub fn saved_message(id: &kubeprep_store::SessionId) -> String {
    format!(
        "Saved. Continue with `kubeprep interview --resume {}`.\n",
        id.short()
    )
}

/// The scorecard, for the terminal.
pub fn scorecard(card: &kubeprep_interview::Scorecard, color: bool) -> String {
    let mut s = String::new();
    let title = format!(
        "Scorecard{}: {}/100 overall ({})",
        card.session
            .candidate
            .as_deref()
            .map(|c| format!(" for {}", sanitize(c)))
            .unwrap_or_default(),
        card.overall_score,
        card.overall_level.as_str()
    );
    s.push_str(&format!("\n{}\n", paint(&title, Style::Bold, color)));
    let mut t = table();
    t.set_header(["area", "level", "score", "why"]);
    for a in &card.areas {
        let level = a.level.map(|l| l.as_str()).unwrap_or("not assessed");
        let score = a.score.map(|s| s.to_string()).unwrap_or_else(|| "-".into());
        t.add_row([
            a.title.clone(),
            match a.score {
                Some(sc) => paint(level, score_style(sc), color),
                None => level.to_string(),
            },
            score,
            sanitize(&a.justification).into_owned(),
        ]);
    }
    s.push_str(&format!("{t}\n"));
    s.push_str(&format!("\n{}\n", paint("Strengths", Style::Bold, color)));
    if card.strengths.is_empty() {
        s.push_str("  (none yet: no key point was made)\n");
    }
    for x in &card.strengths {
        s.push_str(&format!(
            "  + {} — \"{}\" ({})\n",
            x.text.trim_end_matches('.'),
            one_line(&sanitize(&x.evidence), 100),
            x.question_id
        ));
    }
    s.push_str(&format!(
        "\n{}\n",
        paint("Improvements", Style::Bold, color)
    ));
    for x in &card.improvements {
        s.push_str(&format!("  - {} ({})\n", sanitize(&x.text), x.question_id));
    }
    s.push_str(&format!("\n{}\n", paint("Resources", Style::Bold, color)));
    for r in &card.resources {
        s.push_str(&format!("  * {} — {}\n", r.title, r.url));
    }
    let mut q = table();
    q.set_header(["question", "score", "level", "hints", ""]);
    for r in &card.questions {
        q.add_row([
            r.id.clone(),
            r.score.to_string(),
            r.level.as_str().to_string(),
            r.hints_used.to_string(),
            if r.skipped {
                "skipped".into()
            } else {
                String::new()
            },
        ]);
    }
    s.push_str(&format!("\n{q}\n"));
    if let Some(lab) = &card.lab {
        // `lab::text` sanitises the candidate's words itself.
        s.push_str(&format!(
            "\n{}\n{}",
            paint("Hands-on lab", Style::Bold, color),
            kubeprep_interview::lab::text(lab)
        ));
    }
    for q in card.questions.iter() {
        let Some(v) = &q.simulation else { continue };
        s.push_str(&format!(
            "\n{} {} ({})\n",
            paint("Manifest run:", Style::Bold, color),
            q.id,
            sanitize(v.title.as_deref().unwrap_or("no scenario"))
        ));
        for p in &v.problems {
            s.push_str(&format!("  rejected: {}\n", sanitize(p)));
        }
        for r in &v.requirements {
            let (word, style) = match r.passed {
                Some(true) => ("PASS", Style::Green),
                Some(false) => ("FAIL", Style::Red),
                None => ("SKIP", Style::Dim),
            };
            s.push_str(&format!(
                "  {} {} — {}\n",
                paint(word, style, color),
                sanitize(&r.text),
                sanitize(&r.detail)
            ));
        }
    }
    s.push_str(&format!("\n{}\n", paint("Transcript", Style::Bold, color)));
    for turn in &card.transcript {
        let who = match turn.speaker {
            kubeprep_interview::scorecard::Speaker::Interviewer => {
                card.session.interviewer.as_str()
            }
            kubeprep_interview::scorecard::Speaker::Candidate => "You",
        };
        s.push_str(&format!(
            "  {who}: {}\n",
            one_line(&sanitize(&turn.text), 300)
        ));
    }
    s
}

/// The terminal line editor: rustyline with history, multi-line answers.
pub struct LineEditor {
    editor: rustyline::DefaultEditor,
}

impl LineEditor {
    pub fn new() -> Result<LineEditor> {
        Ok(LineEditor {
            editor: rustyline::DefaultEditor::new()?,
        })
    }
}

impl crate::cmd::AnswerReader for LineEditor {
    fn read_line(&mut self, prompt: &str) -> Result<Option<String>> {
        use rustyline::error::ReadlineError;
        loop {
            match self.editor.readline(prompt) {
                Ok(line) => {
                    let _ = self.editor.add_history_entry(line.as_str());
                    return Ok(Some(line));
                }
                Err(ReadlineError::Interrupted) => continue,
                Err(ReadlineError::Eof) => return Ok(None),
                Err(e) => return Err(e.into()),
            }
        }
    }

    fn read_block(&mut self) -> Result<crate::cmd::Block> {
        use crate::cmd::Block;
        use rustyline::error::ReadlineError;
        let mut lines: Vec<String> = Vec::new();
        // After `/yaml`, a manifest: empty lines are part of it, a lone `.` ends it.
        let mut manifest = false;
        loop {
            let prompt = match (manifest, lines.is_empty()) {
                (true, _) => "yaml| ",
                (false, true) => "> ",
                (false, false) => "… ",
            };
            match self.editor.readline(prompt) {
                Ok(line) => {
                    let t = line.trim();
                    if !manifest && lines.is_empty() && crate::cmd::is_yaml_command(t.as_bytes()) {
                        manifest = true;
                        print("(paste the manifest; end it with a line holding only `.`)\n")?;
                        continue;
                    }
                    if manifest {
                        if t == "." {
                            break;
                        }
                        lines.push(line);
                        continue;
                    }
                    if t.is_empty() || t == "." {
                        if lines.is_empty() {
                            continue;
                        }
                        break;
                    }
                    let _ = self.editor.add_history_entry(line.as_str());
                    let command = lines.is_empty() && t.starts_with('/');
                    lines.push(line);
                    if command {
                        break;
                    }
                }
                Err(ReadlineError::Interrupted) => {
                    if lines.is_empty() {
                        return Ok(Block::End);
                    }
                    lines.clear();
                    print("(answer discarded)\n")?;
                }
                Err(ReadlineError::Eof) => {
                    if lines.is_empty() {
                        return Ok(Block::End);
                    }
                    break;
                }
                Err(e) => return Err(e.into()),
            }
        }
        let text = lines.join("\n");
        match crate::input::check_text(text.into_bytes(), "that answer") {
            Ok(t) if manifest => Ok(crate::cmd::manifest_block(&t)),
            Ok(t) => Ok(Block::Text(t)),
            Err(e) => Ok(Block::Rejected(format!("{e}; it was not saved."))),
        }
    }
}
