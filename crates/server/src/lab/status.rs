//! The API server's error bodies: a `metav1.Status` with the HTTP code, the
//! reason kubectl prints in `Error from server (Reason): message`, and the
//! details it reads (kind, name). Not the success bodies: handlers build those.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// A failed request, as the API server reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status code.
    pub code: u16,
    /// The machine-readable reason, e.g. `NotFound`, `Invalid`.
    pub reason: &'static str,
    /// What went wrong, as kubectl prints it.
    pub message: String,
    /// The resource (plural, with group) the error is about, when known.
    pub kind: Option<String>,
    /// The object's name, when known.
    pub name: Option<String>,
}

impl ApiError {
    fn new(code: u16, reason: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            reason,
            message: message.into(),
            kind: None,
            name: None,
        }
    }

    /// 404: `pods "x" not found`.
    pub fn not_found(resource: &str, name: &str) -> ApiError {
        ApiError {
            kind: Some(resource.to_string()),
            name: Some(name.to_string()),
            ..ApiError::new(404, "NotFound", format!("{resource} \"{name}\" not found"))
        }
    }

    /// 404 for a path the lab does not serve.
    pub fn no_route() -> ApiError {
        ApiError::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
        )
    }

    /// 404 with a message of the lab's own (its `/lab/v1` endpoints).
    pub fn not_found_message(message: impl Into<String>) -> ApiError {
        ApiError::new(404, "NotFound", message)
    }

    /// 500: something on the server's side failed.
    pub fn internal(message: &str) -> ApiError {
        ApiError::new(500, "InternalError", message)
    }

    /// 400: a malformed request.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "BadRequest", message)
    }

    /// 422: an object the API server would refuse.
    pub fn invalid(resource: &str, name: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            kind: Some(resource.to_string()),
            name: Some(name.to_string()),
            ..ApiError::new(422, "Invalid", message)
        }
    }

    /// 409: create of an object that exists.
    pub fn already_exists(resource: &str, name: &str) -> ApiError {
        ApiError {
            kind: Some(resource.to_string()),
            name: Some(name.to_string()),
            ..ApiError::new(
                409,
                "AlreadyExists",
                format!("{resource} \"{name}\" already exists"),
            )
        }
    }

    /// 405: a verb the lab does not offer on this resource.
    pub fn not_allowed(message: impl Into<String>) -> ApiError {
        ApiError::new(405, "MethodNotAllowed", message)
    }

    /// 401: no or a wrong bearer token.
    pub fn unauthorized() -> ApiError {
        ApiError::new(401, "Unauthorized", "Unauthorized")
    }

    /// 413: a body over the limit.
    pub fn too_large(limit: usize) -> ApiError {
        ApiError::new(
            413,
            "RequestEntityTooLarge",
            format!("the request body is larger than {limit} bytes"),
        )
    }

    /// 415: a patch type the lab does not know.
    pub fn unsupported_media(content_type: &str) -> ApiError {
        ApiError::new(
            415,
            "UnsupportedMediaType",
            format!("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got {content_type:?})"),
        )
    }

    /// The `metav1.Status` body.
    pub fn body(&self) -> Value {
        let mut details = serde_json::Map::new();
        if let Some(n) = &self.name {
            details.insert("name".into(), n.clone().into());
        }
        if let Some(k) = &self.kind {
            let (kind, group) = k.split_once('.').unwrap_or((k, ""));
            details.insert("kind".into(), kind.into());
            if !group.is_empty() {
                details.insert("group".into(), group.into());
            }
        }
        let mut v = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if !details.is_empty() {
            v["details"] = Value::Object(details);
        }
        v
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = StatusCode::from_u16(self.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (code, axum::Json(self.body())).into_response()
    }
}
