//! Reading candidate text safely: a size limit, UTF-8 checked with the byte
//! offset of the first bad byte, and clear one-line errors.

use std::io::Read;
use std::path::Path;

use anyhow::{bail, Context, Result};

/// Answers longer than this are refused: no interview answer is that long.
pub const MAX_ANSWER_BYTES: usize = 100 * 1024;

/// Why a piece of candidate text was refused.
pub fn check_text(bytes: Vec<u8>, what: &str) -> Result<String> {
    if bytes.len() > MAX_ANSWER_BYTES {
        bail!(
            "{what} is larger than {} KB; answers are limited to {} KB, shorten it",
            MAX_ANSWER_BYTES / 1024,
            MAX_ANSWER_BYTES / 1024
        );
    }
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(e) => bail!(
            "{what} is not valid UTF-8 (bad byte at offset {}); save it as UTF-8 text",
            e.utf8_error().valid_up_to()
        ),
    }
}

/// Reads an answer from a file.
pub fn read_answer_file(path: &Path) -> Result<String> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("cannot read --answer-file {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_ANSWER_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read --answer-file {}", path.display()))?;
    check_text(bytes, &format!("the answer in {}", path.display()))
}

/// Reads an answer from stdin.
pub fn read_answer_stdin() -> Result<String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_ANSWER_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .context("cannot read the answer from stdin")?;
    check_text(bytes, "the answer on stdin")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_and_invalid_text_is_refused_with_a_reason() {
        let big = vec![b'a'; MAX_ANSWER_BYTES + 1];
        let e = check_text(big, "the answer").unwrap_err().to_string();
        assert!(e.contains("limited to 100 KB"), "{e}");
        let e = check_text(vec![b'o', b'k', 0xff], "the answer")
            .unwrap_err()
            .to_string();
        assert!(e.contains("offset 2"), "{e}");
        assert_eq!(check_text(b"fine".to_vec(), "x").unwrap(), "fine");
    }
}
