//! `/api/personas`: anyone signed in reads the personas; members create them; their creator or
//! an admin changes or deletes them (imported personas belong to the admins). Members also check
//! a persona FILE (`/api/personas/check`) with the server's own parser, errors at their line.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use super::error::{ApiError, ErrorBody, ErrorCode};
use super::extract::{ApiJson, Authed, Member, Viewer};
use super::views::{Page, SearchPageQuery, page_bounds, search_term};
use crate::personas::parse::ParseError;
use crate::personas::{self, Persona, PersonaName, PersonaSpec};

/// A persona as written through the API (the fields of a persona file's front matter, and its
/// prompt). `POST /api/personas/check` answers with one, ready to send here.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonaBody {
    pub name: String,
    pub display_name: String,
    pub role: String,
    #[serde(default)]
    pub traits: Vec<String>,
    #[serde(default)]
    pub communication_style: String,
    #[serde(default)]
    pub specializations: Vec<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    pub default_model: Option<String>,
    pub temperature: Option<f32>,
    /// Tools the agents made from this persona get by default.
    #[serde(default)]
    pub allowed_skills: Vec<String>,
    /// The persona's full prompt (Markdown).
    pub prompt: String,
}

impl PersonaBody {
    fn into_spec(self) -> Result<PersonaSpec, ApiError> {
        let name = PersonaName::parse(&self.name).map_err(|m| ApiError::field("name", m))?;
        Ok(PersonaSpec {
            name,
            display_name: self.display_name,
            role: self.role,
            traits: self.traits,
            communication_style: self.communication_style,
            specializations: self.specializations,
            languages: self.languages,
            default_model: self.default_model,
            temperature: self.temperature,
            allowed_skills: self.allowed_skills,
            prompt: self.prompt.trim().to_owned(),
        })
    }
}

impl From<PersonaSpec> for PersonaBody {
    fn from(s: PersonaSpec) -> Self {
        Self {
            name: s.name.as_str().to_owned(),
            display_name: s.display_name,
            role: s.role,
            traits: s.traits,
            communication_style: s.communication_style,
            specializations: s.specializations,
            languages: s.languages,
            default_model: s.default_model,
            temperature: s.temperature,
            allowed_skills: s.allowed_skills,
            prompt: s.prompt,
        }
    }
}

/// A persona file to check.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonaFileBody {
    /// The whole file: YAML front matter between two `---` lines, then the prompt in Markdown
    /// (at most 64 KiB).
    pub file: String,
}

/// A file's error for the client: 422 with the parser's message, `details.line` (the file's
/// 1-based line) when known and `details.field` when a field's limit refused it.
fn file_error(e: ParseError) -> ApiError {
    let mut details = serde_json::Map::new();
    if let Some(line) = e.line {
        details.insert("line".into(), line.into());
    }
    if let Some(field) = e.field {
        details.insert("field".into(), field.into());
    }
    ApiError::new(ErrorCode::ValidationFailed, e.message)
        .with_details(serde_json::Value::Object(details))
}

/// Check a persona file with the server's parser (that of `gathering personas import`) and
/// answer with its fields, ready for `POST`/`PUT /api/personas`. Nothing is stored.
#[utoipa::path(post, path = "/api/personas/check", tag = "agents", security(("bearer" = ["member"])),
    request_body = PersonaFileBody,
    responses(
        (status = 200, description = "the file is a valid persona: its fields", body = PersonaBody),
        (status = 403, description = "a viewer", body = ErrorBody),
        (status = 422, description = "the file is not a valid persona: the message, `details.line` (the file's line, when known) and `details.field` (when a field's limit refused it)", body = ErrorBody),
    ))]
pub async fn check(
    _authed: Authed<Member>,
    ApiJson(body): ApiJson<PersonaFileBody>,
) -> Result<Json<PersonaBody>, ApiError> {
    // `parse` applies every limit of `PersonaSpec::validate`, each at its field's line.
    let spec = personas::parse::parse(&body.file).map_err(file_error)?;
    Ok(Json(PersonaBody::from(spec)))
}

/// List personas, oldest first; `q` searches their name, display name and role.
#[utoipa::path(get, path = "/api/personas", tag = "agents", security(("bearer" = ["viewer"])),
    params(SearchPageQuery),
    responses(
        (status = 200, description = "a page of personas", body = Page<Persona>),
        (status = 401, description = "not signed in", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    _authed: Authed<Viewer>,
    Query(q): Query<SearchPageQuery>,
) -> Result<Json<Page<Persona>>, ApiError> {
    let (after, limit) = page_bounds(q.limit, q.cursor.as_deref())?;
    let search = search_term(q.q.as_deref())?;
    let items = personas::list(&state.pool, search.as_deref(), after, limit).await?;
    Ok(Json(Page::of(items, limit, |p| p.id)))
}

/// One persona.
#[utoipa::path(get, path = "/api/personas/{id}", tag = "agents", security(("bearer" = ["viewer"])),
    params(("id" = Uuid, Path, description = "the persona's id")),
    responses(
        (status = 200, description = "the persona", body = Persona),
        (status = 404, description = "no such persona", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<AppState>,
    _authed: Authed<Viewer>,
    Path(id): Path<Uuid>,
) -> Result<Json<Persona>, ApiError> {
    Ok(Json(personas::get(&state.pool, id).await?))
}

/// Create a persona.
#[utoipa::path(post, path = "/api/personas", tag = "agents", security(("bearer" = ["member"])),
    request_body = PersonaBody,
    responses(
        (status = 201, description = "created", body = Persona),
        (status = 403, description = "a viewer", body = ErrorBody),
        (status = 409, description = "the name is taken", body = ErrorBody),
        (status = 422, description = "an invalid field, named", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    authed: Authed<Member>,
    ApiJson(body): ApiJson<PersonaBody>,
) -> Result<(StatusCode, Json<Persona>), ApiError> {
    let p = personas::create(&state.pool, &authed.identity, body.into_spec()?).await?;
    Ok((StatusCode::CREATED, Json(p)))
}

/// Replace a persona (its creator or an admin).
#[utoipa::path(put, path = "/api/personas/{id}", tag = "agents", security(("bearer" = ["member"])),
    params(("id" = Uuid, Path, description = "the persona's id")),
    request_body = PersonaBody,
    responses(
        (status = 200, description = "replaced", body = Persona),
        (status = 403, description = "not its creator nor an admin", body = ErrorBody),
        (status = 404, description = "no such persona", body = ErrorBody),
        (status = 422, description = "an invalid field, named", body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<PersonaBody>,
) -> Result<Json<Persona>, ApiError> {
    Ok(Json(
        personas::update(&state.pool, &authed.identity, id, body.into_spec()?).await?,
    ))
}

/// Delete a persona no agent uses (its creator or an admin).
#[utoipa::path(delete, path = "/api/personas/{id}", tag = "agents", security(("bearer" = ["member"])),
    params(("id" = Uuid, Path, description = "the persona's id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 403, description = "not its creator nor an admin", body = ErrorBody),
        (status = 404, description = "no such persona", body = ErrorBody),
        (status = 409, description = "agents use it", body = ErrorBody),
    ))]
pub async fn delete(
    State(state): State<AppState>,
    authed: Authed<Member>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    personas::delete(&state.pool, &authed.identity, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
