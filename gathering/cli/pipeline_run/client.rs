//! The typed HTTP client of `pipeline run`'s remote mode: the endpoints it uses and their
//! answers as structs; sending and refusals are `cli::remote`'s.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

use super::{RunState, Stored};
pub(super) use crate::cli::remote::{ClientError, refusal};

/// A server's base URL and the token every request carries (never printed).
pub(super) struct Client {
    http: reqwest::Client,
    /// The base URL without a trailing `/`.
    base: String,
    token: String,
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
        crate::cli::remote::call(&self.base, &self.token, request, what).await
    }
}
