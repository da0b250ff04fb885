//! Strips what a terminal or a document would interpret from untrusted text:
//! escape sequences (CSI, OSC, DCS and friends), C0 and C1 control characters
//! other than `\n` and `\t`, and Unicode bidirectional overrides.
//!
//! Every renderer passes candidate text through [`sanitize`] before escaping it
//! for its own format. This module does not escape for Markdown or HTML; that
//! is `report.rs`'s job.

use std::borrow::Cow;

/// ESC, the start of every 7-bit escape sequence.
const ESC: char = '\u{1b}';
/// BEL, which may terminate an OSC sequence.
const BEL: char = '\u{7}';

/// `text` without terminal control and escape sequences, control characters
/// (except `\n` and `\t`) or bidirectional overrides. Borrows when nothing
/// needed removing.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_suspect) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ESC => match chars.next() {
                // CSI: parameters and intermediates, then one final byte.
                Some('[') => skip_csi(&mut chars),
                // OSC, DCS, SOS, PM, APC: a string ended by ST (ESC \) or, for OSC, BEL.
                Some(']' | 'P' | 'X' | '^' | '_') => skip_string(&mut chars),
                // nF sequences: intermediates (0x20-0x2F), then a final byte.
                Some(c) if ('\u{20}'..='\u{2f}').contains(&c) => {
                    while chars
                        .next_if(|c| ('\u{20}'..='\u{2f}').contains(c))
                        .is_some()
                    {}
                    chars.next();
                }
                // Two-character sequences (ESC c, ESC 7, ...): the second is consumed.
                Some(_) | None => {}
            },
            // 8-bit CSI and the 8-bit string introducers.
            '\u{9b}' => skip_csi(&mut chars),
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            '\r' => {
                // A lone carriage return can overwrite the line on a terminal; CRLF becomes LF.
                if chars.peek() != Some(&'\n') {
                    out.push(' ');
                }
            }
            c if is_suspect(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    // Parameter bytes 0x30-0x3F, intermediate bytes 0x20-0x2F, final byte 0x40-0x7E;
    // anything else ends a malformed sequence and is kept.
    while let Some(&c) = chars.peek() {
        if ('\u{20}'..='\u{3f}').contains(&c) {
            chars.next();
        } else {
            if ('\u{40}'..='\u{7e}').contains(&c) {
                chars.next();
            }
            break;
        }
    }
}

fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            BEL | '\u{9c}' => break,
            ESC => {
                chars.next_if_eq(&'\\');
                break;
            }
            _ => {}
        }
    }
}

/// Characters that never reach a rendering.
fn is_suspect(c: char) -> bool {
    match c {
        '\n' | '\t' => false,
        c if c.is_control() => true, // C0, DEL and C1
        // Bidi embeddings, overrides and isolates; the implicit marks.
        '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{061c}' => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[track_caller]
    fn check(input: &str, expected: &str) {
        assert_eq!(sanitize(input), expected, "input: {input:?}");
    }

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(
            sanitize("plain text\nwith\ttabs"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn removes_escape_sequences_and_controls() {
        check("\u{1b}[31mred\u{1b}[0m", "red");
        check("\u{1b}[2J\u{1b}[H clear", " clear");
        check("a\u{1b}]0;evil title\u{7}b", "ab");
        check(
            "a\u{1b}]8;;http://x\u{1b}\\link\u{1b}]8;;\u{1b}\\b",
            "alinkb",
        );
        check("a\u{1b}Pq#0;2;0;0;0\u{1b}\\b", "ab");
        check("a\u{1b}cb", "ab");
        check("a\u{1b}(Bb", "ab");
        check("a\u{9b}31mb", "ab");
        check("a\u{9d}0;t\u{9c}b", "ab");
        check("bell\u{7} back\u{8}space del\u{7f}", "bell backspace del");
        check("line\r\nnext", "line\nnext");
        check("over\rwrite", "over write");
        check("trailing escape \u{1b}", "trailing escape ");
    }

    #[test]
    fn removes_bidi_overrides() {
        check("admin\u{202e}txt.exe", "admintxt.exe");
        check("\u{2066}isolated\u{2069}", "isolated");
    }

    #[test]
    fn keeps_newlines_tabs_and_unicode() {
        check("naïve — ok\n\tindented 🚀", "naïve — ok\n\tindented 🚀");
    }
}
