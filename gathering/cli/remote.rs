//! What the commands that talk to a running server share (`pipeline run`, `knowledge add`):
//! sending a request with the caller's token, reading the answer as a typed struct, and a
//! refusal read from the API's error shape (`{"error": {"code", "message", "details"}}`) into
//! one message with every problem listed.

use serde::Deserialize;
use serde::de::DeserializeOwned;

/// Why a request gave no usable answer.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No answer: the server could not be reached, or the connection broke.
    #[error("{base}: {reason}")]
    Unreachable { base: String, reason: String },
    /// The server refused, in its error shape (or, from something else, without one).
    #[error("the server answered {status}: {message}{problems}")]
    Refused {
        status: reqwest::StatusCode,
        message: String,
        /// Every validation problem, one indented line each (empty when there are none).
        problems: String,
    },
    /// A success whose body is not what the endpoint documents.
    #[error("{what}: unexpected answer from the server: {reason}")]
    Unexpected { what: String, reason: String },
}

impl ClientError {
    /// The API's message of a refusal, else the whole error.
    pub fn reason(&self) -> String {
        match self {
            Self::Refused {
                message, problems, ..
            } => format!("{message}{problems}"),
            other => other.to_string(),
        }
    }
}

/// `{"error": {...}}`, the one error shape of the API.
#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    message: String,
    #[serde(default)]
    details: Option<ErrorDetails>,
}

/// The details of a refusal that lists problems (a refused pipeline's).
#[derive(Deserialize)]
struct ErrorDetails {
    #[serde(default)]
    errors: Vec<Problem>,
}

#[derive(Deserialize)]
struct Problem {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

/// Sends `request` with `token` to the server at `base`; the answer as `T`, or why there is
/// none. `what` names the endpoint in errors.
pub async fn call<T: DeserializeOwned>(
    base: &str,
    token: &str,
    request: reqwest::RequestBuilder,
    what: &str,
) -> Result<T, ClientError> {
    let unreachable = |e: reqwest::Error| ClientError::Unreachable {
        base: base.to_owned(),
        reason: e.without_url().to_string(),
    };
    let response = request
        .bearer_auth(token)
        .send()
        .await
        .map_err(unreachable)?;
    let status = response.status();
    let body = response.bytes().await.map_err(unreachable)?;
    if !status.is_success() {
        return Err(refusal(status, &body));
    }
    serde_json::from_slice(&body).map_err(|e| ClientError::Unexpected {
        what: what.to_owned(),
        reason: e.to_string(),
    })
}

/// A refusal from its body: the API's message and problems, or "no details" for a body in
/// another shape (a proxy's page, say).
pub fn refusal(status: reqwest::StatusCode, body: &[u8]) -> ClientError {
    let Ok(ErrorBody { error }) = serde_json::from_slice::<ErrorBody>(body) else {
        return ClientError::Refused {
            status,
            message: "no details".to_owned(),
            problems: String::new(),
        };
    };
    let mut problems = String::new();
    for p in error.details.map(|d| d.errors).unwrap_or_default() {
        // Each as a JSON string, quoted, as `pipeline run` has always printed them.
        problems.push_str(&format!(
            "\n  {}: {}",
            json_text(p.code.as_deref()),
            json_text(p.message.as_deref())
        ));
    }
    ClientError::Refused {
        status,
        message: error.message,
        problems,
    }
}

/// `text` as JSON: quoted and escaped, or `null`.
fn json_text(text: Option<&str>) -> String {
    serde_json::to_string(&text).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_lists_every_problem_and_other_bodies_say_no_details() {
        let body = br#"{"error": {"code": "validation_failed", "message": "the pipeline is invalid",
            "details": {"errors": [{"code": "unknown_node", "message": "edge e names no node"}]}}}"#;
        let error = refusal(reqwest::StatusCode::UNPROCESSABLE_ENTITY, body);
        assert_eq!(
            error.to_string(),
            "the server answered 422 Unprocessable Entity: the pipeline is invalid\n  \
             \"unknown_node\": \"edge e names no node\""
        );
        let error = refusal(
            reqwest::StatusCode::BAD_GATEWAY,
            b"<html>bad gateway</html>",
        );
        assert_eq!(
            error.to_string(),
            "the server answered 502 Bad Gateway: no details"
        );
        assert_eq!(error.reason(), "no details");
    }
}
