//! What a handler can fail with, and how each failure looks: an HTML page
//! with the right status for the browser. Internal errors are logged with
//! their cause and shown as a plain "something went wrong" (the cause may
//! name the database). Not for: deciding access (see `pages.rs`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kubeprep_store::StoreError;

use super::view;

/// A failed request.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// No such thing, or not yours: the two are deliberately the same.
    #[error("not found")]
    NotFound,
    /// Signed in, but the role does not allow this.
    #[error("forbidden")]
    Forbidden,
    /// The form or request is wrong; the message says how to fix it.
    #[error("{0}")]
    BadRequest(String),
    /// A form came without a valid CSRF token (stale page, or a forged form).
    #[error("the form expired")]
    Csrf,
    /// Too many login attempts.
    #[error("too many attempts")]
    TooMany,
    /// The store or something else failed.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for WebError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound { .. } => Self::NotFound,
            StoreError::Duplicate { what } => Self::BadRequest(format!("{what} already exists")),
            StoreError::InviteInvalid => Self::BadRequest(StoreError::InviteInvalid.to_string()),
            other => Self::Internal(other.into()),
        }
    }
}

impl WebError {
    /// The HTTP status for this failure.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Csrf => StatusCode::FORBIDDEN,
            Self::TooMany => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// One sentence for the person who sees the page.
    pub fn message(&self) -> String {
        match self {
            Self::NotFound => "There is nothing here, or it is not yours to see.".to_owned(),
            Self::Forbidden => "Your role does not allow this.".to_owned(),
            Self::BadRequest(message) => message.clone(),
            Self::Csrf => {
                "This form expired. Go back, reload the page and send it again.".to_owned()
            }
            Self::TooMany => {
                "Too many sign-in attempts. Wait a minute before trying again.".to_owned()
            }
            Self::Internal(_) => {
                "Something went wrong on our side. Your answers so far are saved; try again in a moment."
                    .to_owned()
            }
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let Self::Internal(err) = &self {
            tracing::error!(error = %format!("{err:#}"), "request failed");
        }
        let status = self.status();
        (status, view::error_page(status, &self.message())).into_response()
    }
}

/// What page handlers return.
pub type WebResult<T> = Result<T, WebError>;
