//! The grader's errors.

/// Why an answer could not be graded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GradeError {
    /// The question id is not in the pack.
    #[error("unknown question id `{id}` (list them with `kubeprep bank list`)")]
    UnknownQuestion {
        /// The id asked for.
        id: String,
    },
    /// A detection pattern cannot be compiled.
    #[error("question `{question}`, `{item}`: bad detection pattern: {reason}")]
    BadPattern {
        /// The question.
        question: String,
        /// The key point or misconception.
        item: String,
        /// What is wrong.
        reason: String,
    },
}
