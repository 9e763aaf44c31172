//! The typed HTTP client of `pipeline run`'s remote mode: the four endpoints it uses, their
//! answers as structs, and a refusal read from the API's error shape
//! (`{"error": {"code", "message", "details"}}`) into one message with every problem listed.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

use super::{RunState, Stored};

/// A server's base URL and the token every request carries (never printed).
pub(super) struct Client {
    http: reqwest::Client,
    /// The base URL without a trailing `/`.
    base: String,
    token: String,
}

/// Why a request gave no usable answer.
#[derive(Debug, thiserror::Error)]
pub(super) enum ClientError {
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

/// The details of a refused pipeline: its validation problems.
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

/// A page of `GET /api/pipelines`.
#[derive(Deserialize)]
struct PipelinePage {
    items: Vec<PipelineItem>,
    next_cursor: Option<String>,
}

#[derive(Deserialize)]
struct PipelineItem {
    id: Uuid,
    name: String,
}

/// The answer to `POST /api/pipelines/{id}/runs` (a run; only its id is needed).
#[derive(Deserialize)]
struct StartedRun {
    id: Uuid,
}

impl Client {
    pub(super) fn new(server: &str, token: String) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: server.trim_end_matches('/').to_owned(),
            token,
        }
    }

    pub(super) fn base(&self) -> &str {
        &self.base
    }

    pub(super) fn token(&self) -> &str {
        &self.token
    }

    /// Stores `doc` as a new pipeline (`POST /api/pipelines`), or as a new version of the one
    /// named `name` (`PUT /api/pipelines/{id}`), found by paging `GET /api/pipelines`.
    pub(super) async fn store(&self, name: &str, doc: &Value) -> Result<Stored, ClientError> {
        let mut cursor: Option<String> = None;
        let existing = loop {
            let mut url = format!("{}/api/pipelines?limit=200", self.base);
            if let Some(c) = &cursor {
                url.push_str(&format!("&cursor={c}"));
            }
            let page: PipelinePage = self.call(self.http.get(url), "GET /api/pipelines").await?;
            if let Some(found) = page.items.iter().find(|p| p.name == name) {
                break Some(found.id);
            }
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break None,
            }
        };
        match existing {
            Some(id) => {
                let url = format!("{}/api/pipelines/{id}", self.base);
                self.call(self.http.put(url).json(doc), "PUT /api/pipelines/{id}")
                    .await
            }
            None => {
                let url = format!("{}/api/pipelines", self.base);
                self.call(self.http.post(url).json(doc), "POST /api/pipelines")
                    .await
            }
        }
    }

    /// Starts a run (`POST /api/pipelines/{id}/runs`) with `input` as its trigger data.
    pub(super) async fn start(&self, pipeline: Uuid, input: Value) -> Result<Uuid, ClientError> {
        let url = format!("{}/api/pipelines/{pipeline}/runs", self.base);
        let body = serde_json::json!({"trigger_data": input});
        let run: StartedRun = self
            .call(
                self.http.post(url).json(&body),
                "POST /api/pipelines/{id}/runs",
            )
            .await?;
        Ok(run.id)
    }

    /// The run with its nodes (`GET /api/pipeline-runs/{id}`).
    pub(super) async fn run(&self, id: Uuid) -> Result<RunState, ClientError> {
        let url = format!("{}/api/pipeline-runs/{id}", self.base);
        self.call(self.http.get(url), "GET /api/pipeline-runs/{id}")
            .await
    }

    /// Sends `request` with the token; the answer as `T`, or why there is none.
    async fn call<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<T, ClientError> {
        let response = request.bearer_auth(&self.token).send().await.map_err(|e| {
            ClientError::Unreachable {
                base: self.base.clone(),
                reason: e.without_url().to_string(),
            }
        })?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| ClientError::Unreachable {
                base: self.base.clone(),
                reason: e.without_url().to_string(),
            })?;
        if !status.is_success() {
            return Err(refusal(status, &body));
        }
        serde_json::from_slice(&body).map_err(|e| ClientError::Unexpected {
            what: what.to_owned(),
            reason: e.to_string(),
        })
    }
}

/// A refusal from its body: the API's message and problems, or "no details" for a body in
/// another shape (a proxy's page, say).
pub(super) fn refusal(status: reqwest::StatusCode, body: &[u8]) -> ClientError {
    let Ok(ErrorBody { error }) = serde_json::from_slice::<ErrorBody>(body) else {
        return ClientError::Refused {
            status,
            message: "no details".to_owned(),
            problems: String::new(),
        };
    };
    let mut problems = String::new();
    for p in error.details.map(|d| d.errors).unwrap_or_default() {
        // Each as a JSON string, quoted, as this command has always printed them.
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
    }
}
