//! `/api/knowledge`: collections of documents, uploads, and search with citations. A viewer
//! reads and searches what it may see; a member creates collections, uploads and deletes in
//! the ones it may change. A collection or document the caller may not see is a 404, as if it
//! did not exist. Uploads are multipart (`file` parts) under their own body limit,
//! `memory.max_upload_bytes`, so the JSON routes keep `http.body_limit_bytes`.

use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{DefaultBodyLimit, FromRef, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use uuid::Uuid;

use super::error::{ApiError, ErrorBody, ErrorCode};
use super::extract::{ApiJson, Authed, Member, Viewer};
use super::memories::search_error;
use super::views::{Page, PageQuery, page_bounds};
use super::{AppState, HttpSettings, middleware};
use crate::memory::Reader;
use crate::memory::knowledge::{
    Collection, CollectionName, CollectionPatch, CollectionRef, CollectionScope, Document,
    DocumentDetail, Ingested, Knowledge, KnowledgeError, KnowledgeQuery, KnowledgeResult,
    NewCollection, Upload,
};
use crate::memory::model::SearchMode;

/// Room in an upload's body for the multipart framing around its files.
const MULTIPART_OVERHEAD: usize = 256 * 1024;
/// The most files one upload carries.
const MAX_FILES: usize = 100;

impl FromRef<AppState> for Knowledge {
    fn from_ref(state: &AppState) -> Self {
        Knowledge::new(&state.memories)
    }
}

/// The routes that take uploads, with a body limit of their own (`memory.max_upload_bytes`
/// and the multipart framing) instead of `http.body_limit_bytes`.
pub fn upload_routes(state: AppState, http: &HttpSettings) -> Router {
    let limit = Knowledge::new(&state.memories)
        .max_upload_bytes()
        .saturating_add(MULTIPART_OVERHEAD);
    Router::new()
        .route(
            "/api/knowledge/collections/{collection}/documents",
            get(list_documents).post(upload),
        )
        .with_state(state)
        .layer(CatchPanicLayer::custom(middleware::panic_response))
        .layer(DefaultBodyLimit::max(limit))
        .layer(RequestBodyLimitLayer::new(limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            http.request_timeout,
        ))
}

/// An upload's refusal: 413, 415 or 422 naming the file; the domain's otherwise.
fn upload_error(e: KnowledgeError) -> ApiError {
    let message = e.to_string();
    match e {
        KnowledgeError::TooLarge { limit } => ApiError::new(ErrorCode::PayloadTooLarge, message)
            .with_details(json!({"limit_bytes": limit})),
        KnowledgeError::Unsupported { file, .. } => {
            ApiError::new(ErrorCode::UnsupportedMediaType, message)
                .with_details(json!({"file": file}))
        }
        KnowledgeError::InvalidDocument { file, .. } => {
            ApiError::new(ErrorCode::InvalidDocument, message).with_details(json!({"file": file}))
        }
        KnowledgeError::Domain(e) => e.into(),
    }
}

/// A collection named in a path or a search: a name that cannot exist is simply not found.
fn collection_ref(raw: &str) -> Result<CollectionRef, ApiError> {
    CollectionRef::parse(raw).map_err(|_| ApiError::new(ErrorCode::NotFound, "no such collection"))
}

/// `POST /api/knowledge/collections`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectionBody {
    /// Unique: 1 to 63 lowercase letters, digits, `.`, `_` and `-`, starting with a letter or
    /// digit.
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// `user` (default: yours, and the users it is shared with), `circle` (its members) or
    /// `global` (everyone reads, admins change).
    #[serde(default)]
    pub scope: CollectionScope,
    /// The circle of a `circle` collection; left out otherwise.
    pub scope_id: Option<Uuid>,
    /// Users who may read it.
    #[serde(default)]
    pub shared_with: Vec<Uuid>,
}

/// `PATCH /api/knowledge/collections/{collection}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectionPatchBody {
    pub description: Option<String>,
    /// The whole list of users who may read it (replaces the old one).
    pub shared_with: Option<Vec<Uuid>>,
}

/// `POST /api/knowledge/search`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KnowledgeSearchBody {
    pub query: String,
    /// Only these collections (ids or names); every one you may read when left out.
    #[serde(default)]
    pub collections: Vec<String>,
    /// `hybrid` (default), `semantic` or `keyword`.
    #[serde(default)]
    pub mode: SearchMode,
    /// 1 to 100; 10 by default.
    pub limit: Option<usize>,
    /// The least cosine similarity of a semantic match, 0 to 1.
    pub threshold: Option<f32>,
}

/// The documents of a collection.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DocumentList {
    pub items: Vec<Document>,
}

/// What an upload did, file by file, in the order sent.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UploadReport {
    pub documents: Vec<Ingested>,
}

/// A multipart upload as the OpenAPI document shows it.
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)] // reason: only its schema is used (the handler reads the parts itself)
pub struct UploadForm {
    /// One or more files (`.md`, `.txt`, `.html`, `.pdf`, `.csv`), each part named `file`
    /// with its file name.
    #[schema(value_type = Vec<String>, format = Binary)]
    pub file: Vec<Vec<u8>>,
}

/// Create a collection (yours; `global` ones by admins).
#[utoipa::path(post, path = "/api/knowledge/collections", tag = "knowledge", security(("bearer" = ["member"])),
    request_body = CollectionBody,
    responses(
        (status = 201, description = "created", body = Collection),
        (status = 403, description = "a scope you may not create in (global for a member, a circle you are not in)", body = ErrorBody),
        (status = 409, description = "the name is taken", body = ErrorBody),
        (status = 422, description = "an invalid field, named", body = ErrorBody),
    ))]
pub async fn create_collection(
    State(knowledge): State<Knowledge>,
    authed: Authed<Member>,
    ApiJson(body): ApiJson<CollectionBody>,
) -> Result<(StatusCode, Json<Collection>), ApiError> {
    let new = NewCollection {
        name: CollectionName::parse(&body.name)?,
        description: body.description,
        scope: body.scope,
        scope_id: body.scope_id,
        shared_with: body.shared_with,
    };
    let reader = Reader::person(&authed.identity)?;
    let created = knowledge.create_collection(&reader, new).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// List the collections you may read, oldest first.
#[utoipa::path(get, path = "/api/knowledge/collections", tag = "knowledge", security(("bearer" = ["viewer"])),
    params(PageQuery),
    responses(
        (status = 200, description = "a page of collections", body = Page<Collection>),
        (status = 422, description = "an invalid limit or cursor", body = ErrorBody),
    ))]
pub async fn list_collections(
    State(knowledge): State<Knowledge>,
    authed: Authed<Viewer>,
    Query(q): Query<PageQuery>,
) -> Result<Json<Page<Collection>>, ApiError> {
    let (after, limit) = page_bounds(q.limit, q.cursor.as_deref())?;
    let reader = Reader::person(&authed.identity)?;
    let items = knowledge.list_collections(&reader, after, limit).await?;
    Ok(Json(Page::of(items, limit, |c| c.id)))
}

/// One collection, by id or name.
#[utoipa::path(get, path = "/api/knowledge/collections/{collection}", tag = "knowledge", security(("bearer" = ["viewer"])),
    params(("collection" = String, Path, description = "the collection's id or name")),
    responses(
        (status = 200, description = "the collection", body = Collection),
        (status = 404, description = "no such collection you may read", body = ErrorBody),
    ))]
pub async fn get_collection(
    State(knowledge): State<Knowledge>,
    authed: Authed<Viewer>,
    Path(collection): Path<String>,
) -> Result<Json<Collection>, ApiError> {
    let named = collection_ref(&collection)?;
    let reader = Reader::person(&authed.identity)?;
    Ok(Json(knowledge.get_collection(&reader, &named).await?))
}

/// Change a collection's description or who it is shared with (its owner, or an admin).
#[utoipa::path(patch, path = "/api/knowledge/collections/{collection}", tag = "knowledge", security(("bearer" = ["member"])),
    params(("collection" = String, Path, description = "the collection's id or name")),
    request_body = CollectionPatchBody,
    responses(
        (status = 200, description = "changed", body = Collection),
        (status = 403, description = "you may read it but not change it", body = ErrorBody),
        (status = 404, description = "no such collection you may read", body = ErrorBody),
        (status = 422, description = "an invalid field, named", body = ErrorBody),
    ))]
pub async fn update_collection(
    State(knowledge): State<Knowledge>,
    authed: Authed<Member>,
    Path(collection): Path<String>,
    ApiJson(body): ApiJson<CollectionPatchBody>,
) -> Result<Json<Collection>, ApiError> {
    let named = collection_ref(&collection)?;
    let reader = Reader::person(&authed.identity)?;
    let patch = CollectionPatch {
        description: body.description,
        shared_with: body.shared_with,
    };
    Ok(Json(
        knowledge.update_collection(&reader, &named, patch).await?,
    ))
}

/// Delete a collection with its documents (its owner, or an admin).
#[utoipa::path(delete, path = "/api/knowledge/collections/{collection}", tag = "knowledge", security(("bearer" = ["member"])),
    params(("collection" = String, Path, description = "the collection's id or name")),
    responses(
        (status = 204, description = "deleted"),
        (status = 403, description = "you may read it but not change it", body = ErrorBody),
        (status = 404, description = "no such collection you may read", body = ErrorBody),
    ))]
pub async fn delete_collection(
    State(knowledge): State<Knowledge>,
    authed: Authed<Member>,
    Path(collection): Path<String>,
) -> Result<StatusCode, ApiError> {
    let named = collection_ref(&collection)?;
    let reader = Reader::person(&authed.identity)?;
    knowledge.delete_collection(&reader, &named).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The documents of a collection, by name.
#[utoipa::path(get, path = "/api/knowledge/collections/{collection}/documents", tag = "knowledge", security(("bearer" = ["viewer"])),
    params(("collection" = String, Path, description = "the collection's id or name")),
    responses(
        (status = 200, description = "its documents", body = DocumentList),
        (status = 404, description = "no such collection you may read", body = ErrorBody),
    ))]
pub async fn list_documents(
    State(knowledge): State<Knowledge>,
    authed: Authed<Viewer>,
    Path(collection): Path<String>,
) -> Result<Json<DocumentList>, ApiError> {
    let named = collection_ref(&collection)?;
    let reader = Reader::person(&authed.identity)?;
    let items = knowledge.documents(&reader, &named).await?;
    Ok(Json(DocumentList { items }))
}

/// Upload documents into a collection you may change: each `file` part becomes a document
/// (`ingested`), replaces the chunks of the document of the same name (`replaced`), or is left
/// as it is when its bytes did not change (`unchanged`). All or nothing: when one file is
/// refused, nothing is stored.
#[utoipa::path(post, path = "/api/knowledge/collections/{collection}/documents", tag = "knowledge", security(("bearer" = ["member"])),
    params(("collection" = String, Path, description = "the collection's id or name")),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "what became of each file", body = UploadReport),
        (status = 403, description = "you may read the collection but not change it", body = ErrorBody),
        (status = 404, description = "no such collection you may read", body = ErrorBody),
        (status = 413, description = "the files exceed memory.max_upload_bytes together (`details.limit_bytes`)", body = ErrorBody),
        (status = 415, description = "not multipart, or a file of a kind not read (`details.file`)", body = ErrorBody),
        (status = 422, description = "a corrupt file or one without text (`invalid_document`, `details.file`); a part that is not a named file", body = ErrorBody),
    ))]
pub async fn upload(
    State(knowledge): State<Knowledge>,
    authed: Authed<Member>,
    Path(collection): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<UploadReport>, ApiError> {
    let named = collection_ref(&collection)?;
    let mut multipart = multipart.map_err(|_| {
        ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "send multipart/form-data with one or more `file` parts",
        )
    })?;
    let limit = knowledge.max_upload_bytes();
    let mut files: Vec<Upload> = Vec::new();
    let mut total = 0usize;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| part_error(&e, limit))?
    {
        if field.name() != Some("file") {
            return Err(ApiError::field(
                "file",
                "every part must be a file named `file`",
            ));
        }
        let Some(file_name) = field.file_name().map(str::to_owned) else {
            return Err(ApiError::field(
                "file",
                "each file part needs its file name",
            ));
        };
        if files.len() == MAX_FILES {
            return Err(ApiError::field(
                "file",
                format!("at most {MAX_FILES} files per upload"),
            ));
        }
        let content_type = field.content_type().map(str::to_owned);
        let mut bytes = Vec::new();
        while let Some(piece) = field.chunk().await.map_err(|e| part_error(&e, limit))? {
            total += piece.len();
            if total > limit {
                return Err(upload_error(KnowledgeError::TooLarge { limit }));
            }
            bytes.extend_from_slice(&piece);
        }
        files.push(Upload {
            file_name,
            content_type,
            bytes,
        });
    }
    let reader = Reader::person(&authed.identity)?;
    let documents = knowledge
        .upload(&reader, &named, files)
        .await
        .map_err(upload_error)?;
    Ok(Json(UploadReport { documents }))
}

/// A broken multipart body: too large (413), or malformed (400; never ours to log as a fault).
fn part_error(e: &MultipartError, limit: usize) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return upload_error(KnowledgeError::TooLarge { limit });
    }
    ApiError::new(ErrorCode::BadRequest, e.body_text())
}

/// One document with its chunks in order.
#[utoipa::path(get, path = "/api/knowledge/documents/{id}", tag = "knowledge", security(("bearer" = ["viewer"])),
    params(("id" = Uuid, Path, description = "the document's id")),
    responses(
        (status = 200, description = "the document and its chunks", body = DocumentDetail),
        (status = 404, description = "no such document you may read", body = ErrorBody),
    ))]
pub async fn get_document(
    State(knowledge): State<Knowledge>,
    authed: Authed<Viewer>,
    Path(id): Path<Uuid>,
) -> Result<Json<DocumentDetail>, ApiError> {
    let reader = Reader::person(&authed.identity)?;
    Ok(Json(knowledge.document(&reader, id).await?))
}

/// Delete a document with its chunks (who may change its collection).
#[utoipa::path(delete, path = "/api/knowledge/documents/{id}", tag = "knowledge", security(("bearer" = ["member"])),
    params(("id" = Uuid, Path, description = "the document's id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 403, description = "you may read it but not change its collection", body = ErrorBody),
        (status = 404, description = "no such document you may read", body = ErrorBody),
    ))]
pub async fn delete_document(
    State(knowledge): State<Knowledge>,
    authed: Authed<Member>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let reader = Reader::person(&authed.identity)?;
    knowledge.delete_document(&reader, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Search the chunks of the collections you may read: by meaning, by keywords, or both fused
/// by reciprocal rank; each hit cites its collection, document, heading path and position.
#[utoipa::path(post, path = "/api/knowledge/search", tag = "knowledge", security(("bearer" = ["viewer"])),
    request_body = KnowledgeSearchBody,
    responses(
        (status = 200, description = "the best matches first", body = KnowledgeResult),
        (status = 404, description = "a named collection you may not read", body = ErrorBody),
        (status = 422, description = "an invalid field, named", body = ErrorBody),
        (status = 503, description = "semantic search while no embedding model answers", body = ErrorBody),
    ))]
pub async fn search(
    State(knowledge): State<Knowledge>,
    authed: Authed<Viewer>,
    ApiJson(body): ApiJson<KnowledgeSearchBody>,
) -> Result<Json<KnowledgeResult>, ApiError> {
    let collections = body
        .collections
        .iter()
        .map(|c| collection_ref(c))
        .collect::<Result<Vec<_>, _>>()?;
    let query = KnowledgeQuery {
        query: body.query,
        collections,
        mode: body.mode,
        limit: body.limit.unwrap_or(10),
        threshold: body.threshold,
    };
    let reader = Reader::person(&authed.identity)?;
    let found = knowledge
        .search(&reader, &query)
        .await
        .map_err(search_error)?;
    Ok(Json(found))
}
