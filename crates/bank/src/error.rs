//! Pack errors: each names the file, the place in it and what is wrong.

use std::fmt;

/// One problem found in a pack.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PackError {
    /// A file could not be read.
    #[error("{file}: cannot read: {reason}")]
    Io {
        /// The file.
        file: String,
        /// The operating system's reason.
        reason: String,
    },
    /// A file is not valid YAML for its schema.
    #[error("{file}:{line}:{column}: {reason}")]
    Syntax {
        /// The file.
        file: String,
        /// 1-based line (0 when unknown).
        line: usize,
        /// 1-based column (0 when unknown).
        column: usize,
        /// What the parser said.
        reason: String,
    },
    /// The content is well-formed but wrong (duplicate id, dangling reference, ...).
    #[error("{file}:{line}: {path}: {reason}")]
    Invalid {
        /// The file.
        file: String,
        /// 1-based line of the offending item (0 when unknown).
        line: usize,
        /// Where in the document, e.g. `questions[2].key_points[0].area`.
        path: String,
        /// What is wrong and how to fix it.
        reason: String,
    },
}

/// Every problem found in a pack (validation reports them all, not just the first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackErrors(pub Vec<PackError>);

impl fmt::Display for PackErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PackErrors {}
