//! Renderings of a [`Scorecard`]: Markdown, a self-contained HTML page, and
//! JSON (through the stable types in `wire.rs`).
//!
//! Candidate words reach every rendering (quotes, answers, the transcript),
//! so every string is [`sanitize`]d and then escaped for its format: Markdown
//! so it cannot break out of a table cell or inline text, HTML so it cannot
//! become markup. Not for: the terminal's live rendering of an interview
//! (the CLI's job) or deciding what the scorecard says (`scorecard.rs`).

use std::fmt::Write as _;

use kubeprep_grade::Level;

use crate::output::clock;
use crate::sanitize::sanitize;
use crate::scorecard::{Scorecard, Speaker, Turn, TurnKind};
use crate::wire;

/// The scorecard as JSON, in the stable shape of [`wire::Scorecard`].
pub fn json(card: &Scorecard) -> serde_json::Value {
    serde_json::to_value(wire::Scorecard::from(card)).unwrap_or(serde_json::Value::Null)
}

// ---- Markdown -------------------------------------------------------------

/// Escapes text for inline Markdown (and table cells): sanitised, one line,
/// with every character that could start markup backslash-escaped.
pub(crate) fn md(text: &str) -> String {
    let clean = sanitize(text);
    let mut out = String::with_capacity(clean.len() + 8);
    for c in clean
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
    {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '&' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes multi-line text as Markdown lines, each starting with `prefix`
/// (e.g. `> ` for a quote), with hard line breaks between them.
fn md_block(text: &str, prefix: &str) -> String {
    let clean = sanitize(text);
    let lines: Vec<String> = clean
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            // Keep indentation readable (YAML in answers) without starting a code block.
            let indent = l.len() - l.trim_start().len();
            format!("{prefix}{}{}", "\u{a0}".repeat(indent.min(12)), md(l))
        })
        .collect();
    lines.join("  \n")
}

fn level_name(level: Option<Level>) -> &'static str {
    level.map_or("not assessed", Level::as_str)
}

fn is_link(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

/// Who is speaking, for transcripts.
fn speaker_name<'c>(card: &'c Scorecard, turn: &Turn) -> &'c str {
    match turn.speaker {
        Speaker::Interviewer => card
            .session
            .interviewer
            .split(',')
            .next()
            .unwrap_or("Interviewer"),
        Speaker::Candidate => "Candidate",
    }
}

/// The scorecard as a Markdown document.
pub fn markdown(card: &Scorecard) -> String {
    let mut o = String::new();
    let i = &card.session;
    let _ = writeln!(o, "# {} -- scorecard\n", md(&i.pack_title));
    let mut meta = Vec::new();
    if let Some(c) = &i.candidate {
        meta.push(format!("**Candidate:** {}", md(c)));
    }
    meta.push(format!("**Interviewer:** {}", md(&i.interviewer)));
    meta.push(format!("**Pack:** {} {}", md(&i.pack), md(&i.pack_version)));
    if let Some(at) = i.started_at_ms {
        meta.push(format!("**Started:** {}", utc(at)));
    }
    meta.push(format!("**Time:** {}", clock(i.elapsed_ms)));
    meta.push(format!("**Difficulty:** {}", i.challenge.as_str()));
    let _ = writeln!(o, "{}\n", meta.join(" · "));
    if !i.finished {
        let _ = writeln!(
            o,
            "_Interim scorecard: the interview is still in progress._\n"
        );
    }
    let _ = writeln!(
        o,
        "**Overall: {}/100 ({})**\n",
        card.overall_score,
        card.overall_level.as_str()
    );

    let _ = writeln!(o, "## Areas\n");
    let _ = writeln!(o, "| Area | Level | Score | Justification |");
    let _ = writeln!(o, "|---|---|---:|---|");
    for a in &card.areas {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} |",
            md(&a.title),
            level_name(a.level),
            a.score.map_or_else(|| "–".to_string(), |s| s.to_string()),
            md(&a.justification)
        );
    }

    let _ = writeln!(o, "\n## Strengths\n");
    if card.strengths.is_empty() {
        let _ = writeln!(o, "_No point was made clearly enough to quote yet._");
    }
    for (n, s) in card.strengths.iter().enumerate() {
        let _ = writeln!(
            o,
            "{}. {} -- you said: \"{}\" ({})",
            n + 1,
            md(&s.text),
            md(&s.evidence),
            md(&s.question_id)
        );
    }

    let _ = writeln!(o, "\n## Improvements\n");
    if card.improvements.is_empty() {
        let _ = writeln!(o, "_Nothing missed in the questions answered._");
    }
    for (n, s) in card.improvements.iter().enumerate() {
        let from = if s.question_id.is_empty() {
            String::new()
        } else {
            format!(" ({})", md(&s.question_id))
        };
        let _ = writeln!(o, "{}. {}{from}", n + 1, md(&s.text));
    }

    let _ = writeln!(o, "\n## Resources\n");
    for r in &card.resources {
        let target = if is_link(&r.url) {
            format!(
                "[{}](<{}>)",
                md(&r.title),
                sanitize(&r.url).replace(['<', '>', '\n'], "")
            )
        } else {
            format!(
                "{}: `{}`",
                md(&r.title),
                sanitize(&r.url).replace(['`', '\n'], "")
            )
        };
        if r.covers.is_empty() {
            let _ = writeln!(o, "- {target}");
        } else {
            let _ = writeln!(o, "- {target} -- covers {}", md(&r.covers.join(", ")));
        }
    }

    let _ = writeln!(o, "\n## Questions\n");
    let _ = writeln!(o, "| # | Question | Score | Level | Hints | Notes |");
    let _ = writeln!(o, "|---:|---|---:|---|---:|---|");
    for (n, q) in card.questions.iter().enumerate() {
        let mut notes = Vec::new();
        if q.skipped {
            notes.push("skipped".to_string());
        }
        if q.hints_used > 0 {
            notes.push(format!("raw {} before hints", q.raw_score));
        }
        if q.probe.is_some() {
            notes.push("probed".to_string());
        }
        if let Some(v) = &q.simulation {
            notes.push(simulation_note(v));
        }
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} |",
            n + 1,
            md(&q.id),
            q.score,
            q.level.as_str(),
            q.hints_used,
            md(&notes.join(", "))
        );
    }

    let simulated: Vec<_> = card
        .questions
        .iter()
        .filter_map(|q| q.simulation.as_ref().map(|v| (q, v)))
        .collect();
    if !simulated.is_empty() {
        let _ = writeln!(o, "\n## Manifests run on the simulated cluster\n");
        for (q, v) in simulated {
            let scenario = v.title.as_deref().unwrap_or("no scenario");
            let _ = writeln!(o, "**{}** ({}):\n", md(&q.id), md(scenario));
            for p in &v.problems {
                let _ = writeln!(o, "- rejected: {}", md(p));
            }
            for r in &v.requirements {
                let mark = match r.passed {
                    Some(true) => "PASS",
                    Some(false) => "FAIL",
                    None => "not simulated",
                };
                let _ = writeln!(o, "- {mark}: {} — {}", md(&r.text), md(&r.detail));
            }
            for n in &v.notes {
                let _ = writeln!(o, "- {}", md(n));
            }
            let _ = writeln!(o);
        }
    }

    if let Some(lab) = &card.lab {
        let _ = writeln!(o, "\n{}", crate::lab::markdown(lab).trim_end());
    }

    let _ = writeln!(o, "\n## Transcript\n");
    for t in &card.transcript {
        let who = md(speaker_name(card, t));
        let line = match (t.speaker, t.kind) {
            (Speaker::Candidate, TurnKind::Command) => format!("> _{}_", md(&t.text)),
            (Speaker::Candidate, _) => format!("> **{who}:**  \n{}", md_block(&t.text, "> ")),
            (Speaker::Interviewer, _) => format!("**{who}:** {}", md(&t.text)),
        };
        let _ = writeln!(o, "{line}\n");
    }
    o
}

// ---- HTML -------------------------------------------------------------------

/// Escapes text for HTML text and attribute values, after sanitising it.
fn h(text: &str) -> String {
    let clean = sanitize(text);
    let mut out = String::with_capacity(clean.len() + 8);
    for c in clean.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn badge(level: Option<Level>) -> String {
    let (class, name) = match level {
        Some(Level::Expert) => ("expert", "expert"),
        Some(Level::Intermediate) => ("intermediate", "intermediate"),
        Some(Level::Novice) => ("novice", "novice"),
        None => ("none", "not assessed"),
    };
    format!(r#"<span class="badge {class}">{name}</span>"#)
}

const CSS: &str = r#"
:root{--ink:#1b2330;--muted:#5d6b7e;--line:#e3e8ef;--bg:#f5f7fa;--card:#fff;--accent:#326ce5;
--expert:#1f8a4c;--expert-bg:#e3f5ea;--inter:#a86400;--inter-bg:#fff1d6;--novice:#b42318;--novice-bg:#fde7e5;--none:#6b7280;--none-bg:#eef0f3}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
header{background:linear-gradient(135deg,#326ce5,#1d4fb8);color:#fff;padding:28px 0}
.wrap{max-width:980px;margin:0 auto;padding:0 20px}
header h1{margin:0 0 6px;font-size:24px}
header .meta{opacity:.9;font-size:14px}
header .meta span{margin-right:14px}
.overall{display:flex;align-items:center;gap:18px;margin-top:18px}
.score{font-size:44px;font-weight:700;line-height:1}
.score small{font-size:16px;font-weight:400;opacity:.85}
.interim{background:#fff3;border-radius:6px;padding:4px 10px;font-size:13px}
main{padding:24px 0 40px}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:18px 20px;margin-bottom:18px}
h2{font-size:17px;margin:0 0 12px}
table{width:100%;border-collapse:collapse}
th,td{text-align:left;padding:8px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.badge{display:inline-block;padding:2px 9px;border-radius:999px;font-size:12px;font-weight:600;white-space:nowrap}
.badge.expert{color:var(--expert);background:var(--expert-bg)}
.badge.intermediate{color:var(--inter);background:var(--inter-bg)}
.badge.novice{color:var(--novice);background:var(--novice-bg)}
.badge.none{color:var(--none);background:var(--none-bg)}
.bar{height:6px;background:var(--line);border-radius:3px;margin-top:6px;min-width:80px}
.bar i{display:block;height:100%;border-radius:3px;background:var(--accent)}
.bar i.expert{background:var(--expert)}.bar i.intermediate{background:#d99a1e}.bar i.novice{background:var(--novice)}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:18px}
@media (max-width:760px){.cols{grid-template-columns:1fr}}
ol{margin:0;padding-left:20px}
li{margin-bottom:10px}
q,.quote{color:#24405f;font-style:italic}
.muted{color:var(--muted);font-size:13px}
a{color:var(--accent)}
code{background:var(--bg);border:1px solid var(--line);border-radius:4px;padding:1px 5px;font-size:13px}
.turn{display:flex;margin:10px 0}
.turn .bubble{max-width:80%;padding:10px 14px;border-radius:12px;white-space:pre-wrap;word-wrap:break-word}
.turn.interviewer .bubble{background:var(--bg);border:1px solid var(--line)}
.turn.question .bubble{border-left:3px solid var(--accent);font-weight:500}
.turn.candidate{justify-content:flex-end}
.turn.candidate .bubble{background:#e8f0fe;border:1px solid #c9dafc}
.turn.hint .bubble{background:#fff8e6;border:1px solid #f3dfa6}
.turn.command .bubble{background:none;border:1px dashed var(--line);color:var(--muted);font-family:ui-monospace,Menlo,monospace;font-size:13px}
.who{font-size:12px;font-weight:600;color:var(--muted);margin-bottom:2px}
footer{color:var(--muted);font-size:12px;text-align:center;padding-bottom:30px}
"#;

/// The scorecard as a complete, self-contained HTML page (inline CSS, no scripts).
pub fn html(card: &Scorecard) -> String {
    let mut o = String::new();
    let i = &card.session;
    let title = format!(
        "{} -- scorecard{}",
        i.pack_title,
        i.candidate
            .as_deref()
            .map(|c| format!(" for {c}"))
            .unwrap_or_default()
    );
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        h(&title)
    );

    // Header
    let _ = write!(
        o,
        "<header><div class=\"wrap\">\n<h1>{}</h1>\n<div class=\"meta\">",
        h(&i.pack_title)
    );
    if let Some(c) = &i.candidate {
        let _ = write!(o, "<span>Candidate: <b>{}</b></span>", h(c));
    }
    let _ = write!(o, "<span>Interviewer: {}</span>", h(&i.interviewer));
    if let Some(at) = i.started_at_ms {
        let _ = write!(o, "<span>{}</span>", h(&utc(at)));
    }
    let _ = writeln!(
        o,
        "<span>Time: {}</span><span>Difficulty: {}</span><span>Pack: {} {}</span></div>",
        clock(i.elapsed_ms),
        i.challenge.as_str(),
        h(&i.pack),
        h(&i.pack_version)
    );
    let _ = write!(
        o,
        "<div class=\"overall\"><div class=\"score\">{}<small>/100</small></div>{}",
        card.overall_score,
        badge(Some(card.overall_level))
    );
    if !i.finished {
        o.push_str("<span class=\"interim\">Interim: the interview is still in progress</span>");
    }
    o.push_str("</div>\n</div></header>\n<main class=\"wrap\">\n");

    // Areas
    o.push_str("<section id=\"areas\"><h2>Areas</h2>\n<table>\n<thead><tr><th>Area</th><th>Level</th><th>Score</th><th>Justification</th></tr></thead>\n<tbody>\n");
    for a in &card.areas {
        let bar = match (a.score, a.level) {
            (Some(s), Some(l)) => format!(
                "<div class=\"bar\"><i class=\"{}\" style=\"width:{s}%\"></i></div>",
                l.as_str()
            ),
            _ => String::new(),
        };
        let _ = writeln!(
            o,
            "<tr><td><b>{}</b>{bar}</td><td>{}</td><td class=\"num\">{}</td><td>{}{}</td></tr>",
            h(&a.title),
            badge(a.level),
            a.score.map_or_else(|| "–".to_string(), |s| s.to_string()),
            h(&a.justification),
            a.descriptor
                .as_deref()
                .map(|d| format!("<div class=\"muted\">{}</div>", h(d)))
                .unwrap_or_default()
        );
    }
    o.push_str("</tbody></table></section>\n");

    // Strengths and improvements
    o.push_str("<div class=\"cols\">\n<section id=\"strengths\"><h2>Strengths</h2>\n");
    if card.strengths.is_empty() {
        o.push_str("<p class=\"muted\">No point was made clearly enough to quote yet.</p>\n");
    } else {
        o.push_str("<ol>\n");
        for s in &card.strengths {
            let _ = writeln!(
                o,
                "<li>{}<br><span class=\"quote\">&ldquo;{}&rdquo;</span> <span class=\"muted\">{}</span></li>",
                h(&s.text),
                h(&s.evidence),
                h(&s.question_id)
            );
        }
        o.push_str("</ol>\n");
    }
    o.push_str("</section>\n<section id=\"improvements\"><h2>Improvements</h2>\n");
    if card.improvements.is_empty() {
        o.push_str("<p class=\"muted\">Nothing missed in the questions answered.</p>\n");
    } else {
        o.push_str("<ol>\n");
        for s in &card.improvements {
            let _ = writeln!(
                o,
                "<li>{} <span class=\"muted\">{}</span></li>",
                h(&s.text),
                h(&s.question_id)
            );
        }
        o.push_str("</ol>\n");
    }
    o.push_str("</section>\n</div>\n");

    // Resources
    o.push_str("<section id=\"resources\"><h2>Resources</h2>\n<ul>\n");
    for r in &card.resources {
        let target = if is_link(&r.url) {
            format!("<a href=\"{}\">{}</a>", h(&r.url), h(&r.title))
        } else {
            format!("{}: <code>{}</code>", h(&r.title), h(&r.url))
        };
        let covers = if r.covers.is_empty() {
            String::new()
        } else {
            format!(
                " <span class=\"muted\">covers {}</span>",
                h(&r.covers.join(", "))
            )
        };
        let _ = writeln!(o, "<li>{target}{covers}</li>");
    }
    o.push_str("</ul></section>\n");

    // Questions
    o.push_str("<section id=\"questions\"><h2>Questions</h2>\n<table>\n<thead><tr><th>#</th><th>Question</th><th>Score</th><th>Level</th><th>Hints</th><th>Notes</th></tr></thead>\n<tbody>\n");
    for (n, q) in card.questions.iter().enumerate() {
        let mut notes = Vec::new();
        if q.skipped {
            notes.push("skipped".to_string());
        }
        if q.hints_used > 0 {
            notes.push(format!("raw {} before hints", q.raw_score));
        }
        if q.probe.is_some() {
            notes.push("probed".to_string());
        }
        if let Some(v) = &q.simulation {
            notes.push(simulation_note(v));
        }
        let _ = writeln!(
            o,
            "<tr><td class=\"num\">{}</td><td><b>{}</b><div class=\"muted\">{}</div></td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            n + 1,
            h(&q.id),
            h(&q.text),
            q.score,
            badge(Some(q.level)),
            q.hints_used,
            h(&notes.join(", "))
        );
    }
    o.push_str("</tbody></table></section>\n");

    if let Some(lab) = &card.lab {
        // The terminal rendering (sanitised), escaped for HTML.
        let _ = writeln!(
            o,
            "<section id=\"lab\"><h2>Hands-on lab</h2>\n<pre>{}</pre></section>",
            h(&crate::lab::text(lab))
        );
    }

    // Transcript
    o.push_str("<section id=\"transcript\"><h2>Transcript</h2>\n");
    for t in &card.transcript {
        let class = match (t.speaker, t.kind) {
            (_, TurnKind::Hint) => "interviewer hint",
            (_, TurnKind::Command) => "candidate command",
            (_, TurnKind::Question | TurnKind::Probe) => "interviewer question",
            (Speaker::Interviewer, _) => "interviewer",
            (Speaker::Candidate, _) => "candidate",
        };
        let _ = writeln!(
            o,
            "<div class=\"turn {class}\"><div class=\"bubble\"><div class=\"who\">{}</div>{}</div></div>",
            h(speaker_name(card, t)),
            h(t.text.trim())
        );
    }
    o.push_str("</section>\n</main>\n<footer>Generated by kubeprep. Scores are deterministic: the same answers always get the same grade.</footer>\n</body>\n</html>\n");
    o
}

/// `YYYY-MM-DD HH:MM UTC` for Unix milliseconds (proleptic Gregorian calendar).
fn utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's days-from-civil inverse.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        (rem % 3600) / 60
    )
}

/// "simulated: 3 of 4 requirements met" (or what stopped the run).
fn simulation_note(v: &crate::simulate::Verdict) -> String {
    let (met, judged) = v.tally();
    if judged > 0 {
        format!("simulated: {met} of {judged} requirements met")
    } else if !v.problems.is_empty() {
        "manifest rejected".to_string()
    } else {
        "manifest checked".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(1_700_000_000_000), "2023-11-14 22:13 UTC");
        assert_eq!(utc(951_782_400_000), "2000-02-29 00:00 UTC");
    }

    #[test]
    fn markdown_escaping_keeps_text_inside_its_cell() {
        assert_eq!(md("a | b"), r"a \| b");
        assert_eq!(md("<script>x</script>"), r"\<script\>x\</script\>");
        assert_eq!(md("line\nbreak"), "line break");
        assert_eq!(md("**bold** [link](x)"), r"\*\*bold\*\* \[link\](x)");
        assert_eq!(md("\u{1b}[31mred"), "red");
    }

    #[test]
    fn html_escaping() {
        assert_eq!(
            h("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }
}
