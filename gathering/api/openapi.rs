//! The OpenAPI 3.1 document, generated from the handlers' annotations, served at
//! `/api/openapi.json` with an interactive page at `/api/docs`.

use utoipa::OpenApi;

use utoipa::Modify;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use super::{
    agents, api_keys, audit, auth, circle_tasks, circles, conversations, discussions, error,
    events, health, knowledge, llm, memories, metrics, openai, overview, personas, pipelines,
    schedules, session, setup, tools, users, views,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "gathering",
        description = "Self-hosted multi-agent collaboration platform with DAG pipelines. Every error has the shape `{\"error\": {\"code\", \"message\", \"details\"}}`; codes are listed in docs/api.md. Protected operations name the least role they need in their `bearer` security requirement (`viewer` < `member` < `admin`); send an access token or an API key as `Authorization: Bearer ...`."
    ),
    paths(
        health::live, health::ready, metrics::render,
        auth::login, auth::refresh, auth::logout, auth::me, auth::register,
        session::sign_in, session::refresh_session, session::sign_out, setup::status, setup::complete,
        users::list, users::create, users::get, users::update,
        api_keys::list, api_keys::create, api_keys::revoke,
        audit::list, events::list, events::stream, overview::get,
        llm::list_providers, llm::create_provider, llm::update_provider, llm::delete_provider,
        llm::list_models, llm::create_model, llm::update_model, llm::delete_model, llm::usage,
        openai::models, openai::chat_completions, openai::embeddings,
        personas::list, personas::get, personas::create, personas::update, personas::delete,
        personas::check,
        agents::list, agents::get, agents::create, agents::update, agents::delete, agents::chat,
        conversations::list, conversations::get, conversations::messages, conversations::delete,
        tools::list, tools::list_servers, tools::create_server, tools::refresh_server,
        tools::delete_server,
        pipelines::node_types, pipelines::validate_document, pipelines::list,
        pipelines::create, pipelines::get,
        pipelines::update, pipelines::delete, pipelines::versions, pipelines::version,
        pipelines::diff, pipelines::start_run, pipelines::list_runs, pipelines::breakers,
        pipelines::rotate_webhook, pipelines::webhook, pipelines::get_run, pipelines::cancel_run,
        pipelines::rerun, pipelines::decide,
        schedules::list, schedules::create, schedules::preview, schedules::get,
        schedules::update, schedules::delete,
        schedules::pause, schedules::resume, schedules::trigger, schedules::runs,
        schedules::notifications, schedules::mark_read,
        memories::list, memories::create, memories::get, memories::update, memories::delete,
        memories::purge, memories::search, memories::embedding, memories::set_embedding,
        knowledge::create_collection, knowledge::list_collections, knowledge::get_collection,
        knowledge::update_collection, knowledge::delete_collection, knowledge::list_documents,
        knowledge::upload, knowledge::get_document, knowledge::delete_document,
        knowledge::search,
        circles::list, circles::create, circles::get, circles::update, circles::archive,
        circles::put_agent, circles::remove_agent, circles::put_person, circles::remove_person,
        discussions::list, discussions::create, discussions::get, discussions::messages,
        discussions::post, discussions::pause, discussions::resume, discussions::stop,
        discussions::speaker, discussions::continue_discussion,
        circle_tasks::list, circle_tasks::create, circle_tasks::get, circle_tasks::update,
        circle_tasks::route, circle_tasks::accept, circle_tasks::refuse, circle_tasks::review,
        circle_tasks::conflicts,
    ),
    components(schemas(
        error::ErrorBody, error::ErrorDetail, health::HealthStatus,
        views::LoginRequest, views::RefreshRequest, views::TokenView, views::SessionView,
        views::SetupStatus, views::SetupRequest,
        views::CreateUserRequest, views::UserView, views::RegisterRequest,
        views::UpdateUserRequest, views::CreateApiKeyRequest, views::ApiKeyView,
        views::CreatedApiKeyView, views::AuditEventView, views::EventView, views::EventPage,
        crate::models::Provider, crate::models::Model,
        crate::models::NewProvider, crate::models::ProviderPatch,
        crate::models::NewModel, crate::models::ModelPatch,
        crate::models::UsageTotal, crate::models::UsageGroup,
        crate::models::ProviderKind, crate::models::ModelKind,
        openai::ModelList, openai::ModelObject, openai::ChatCompletionRequest,
        openai::ChatCompletion, openai::EmbeddingRequest,
        crate::personas::Persona, personas::PersonaBody, personas::PersonaFileBody,
        crate::agents::Agent, crate::agents::NewAgent, crate::agents::AgentPatch,
        crate::agents::AgentStatus, agents::ChatBody, agents::ChatReply, agents::ToolCallView,
        crate::agents::runtime::TurnEvent, crate::agents::runtime::RecalledMemory,
        crate::conversations::Conversation, crate::conversations::StoredMessage,
        crate::conversations::MessageRecall,
        tools::ToolView, crate::tools::servers::McpServer, crate::tools::servers::NewMcpServer,
        pipelines::NodeTypeView, pipelines::ValidationReport,
        crate::orchestration::pipeline::Problem,
        pipelines::StartRun, pipelines::WebhookSecret, pipelines::Decision, pipelines::DecisionKind,
        crate::orchestration::pipeline::records::StoredPipeline,
        crate::orchestration::pipeline::records::Version,
        crate::orchestration::pipeline::records::Run,
        crate::orchestration::pipeline::records::RunNode,
        crate::orchestration::pipeline::records::RunStatus,
        crate::orchestration::pipeline::records::NodeStatus,
        crate::orchestration::pipeline::records::Breaker,
        crate::orchestration::pipeline::records::BreakerState,
        crate::orchestration::scheduler::ScheduleRequest, schedules::PreviewRequest,
        crate::orchestration::scheduler::service::Preview,
        crate::overview::Overview, crate::overview::OverviewCounts,
        crate::overview::OverviewRuns, crate::overview::OverviewUsage,
        crate::memory::Memory, crate::memory::MemoryDetail, crate::memory::NewMemory,
        crate::memory::MemoryPatch, crate::memory::ScopeKind, crate::memory::MemoryType,
        crate::memory::SearchMode, crate::memory::SearchResult, crate::memory::Hit,
        crate::memory::model::Provenance, crate::memory::model::Link,
        crate::memory::model::LinkKind, crate::memory::model::Version,
        crate::memory::EmbeddingStatus, crate::memory::embed::Coverage,
        memories::SearchBody, memories::EmbeddingBody,
        crate::memory::knowledge::Collection, crate::memory::knowledge::CollectionScope,
        crate::memory::knowledge::Document, crate::memory::knowledge::DocumentDetail,
        crate::memory::knowledge::ChunkView, crate::memory::knowledge::Ingested,
        crate::memory::knowledge::Outcome, crate::memory::knowledge::KnowledgeHit,
        crate::memory::knowledge::KnowledgeResult,
        knowledge::CollectionBody, knowledge::CollectionPatchBody, knowledge::KnowledgeSearchBody,
        knowledge::DocumentList, knowledge::UploadReport, knowledge::UploadForm,
        crate::circles::Circle, crate::circles::CircleDetail, crate::circles::CircleSettings,
        crate::circles::AgentMember, crate::circles::PersonMember, crate::circles::AgentRole,
        crate::circles::PersonRole, crate::circles::NewCircle, crate::circles::CirclePatch,
        crate::circles::AgentMembership, crate::circles::PersonMembership,
        crate::circles::discussion::Discussion, crate::circles::discussion::NewDiscussion,
        crate::circles::discussion::DiscussionMessage, crate::circles::discussion::NewPost,
        crate::circles::discussion::SpeakerChoice, crate::circles::discussion::ContinueDiscussion,
        crate::circles::discussion::DiscussionStatus,
        crate::circles::discussion::model::DiscussionAgent,
        crate::circles::discussion::model::MessageKind,
        crate::circles::discussion::model::MessageStatus,
        crate::circles::discussion::turns::Mode, crate::circles::discussion::ending::Limits,
        crate::circles::discussion::ending::OnTimeout, discussions::MessagePage,
        crate::circles::tasks::Task, crate::circles::tasks::TaskDetail,
        crate::circles::tasks::HistoryEntry, crate::circles::tasks::Conflict,
        crate::circles::tasks::NewTask, crate::circles::tasks::TaskPatch,
        crate::circles::tasks::Review, crate::circles::tasks::Verdict,
        crate::circles::tasks::Priority, crate::circles::tasks::TaskStatus,
        circle_tasks::AcceptBody, circle_tasks::RefuseBody,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "health", description = "Probes and metrics"),
        (name = "auth", description = "Sign in, refresh, sign out (API clients: tokens in bodies; browsers: /api/auth/session with a refresh cookie); first-run setup"),
        (name = "users", description = "User management (admins)"),
        (name = "api-keys", description = "API keys for scripts and integrators"),
        (name = "audit", description = "The audit log (admins)"),
        (name = "events", description = "Event history, for resuming live streams"),
        (name = "overview", description = "A dashboard's first page in one call"),
        (name = "llm", description = "Model providers, models and usage"),
        (name = "agents", description = "Personas, agents, chat, conversations and tools"),
        (name = "pipelines", description = "Pipelines: JSON DAGs"),
        (name = "schedules", description = "Schedules (cron, interval, once, event) fired exactly once across instances; their runs; in-app notifications"),
        (name = "memory", description = "Memories in scopes that are access control: versions, links, semantic, keyword and hybrid search; the embedding model"),
        (name = "knowledge", description = "Knowledge collections: documents uploaded, cut into chunks that cite their document, headings and position, and searched by meaning and keywords"),
        (name = "circles", description = "Circles of agents and people: members and roles, discussions streamed live and durable across instances, tasks routed by a facilitator and reviewed"),
        (name = "openai", description = "OpenAI-compatible endpoints, for any OpenAI SDK"),
    )
)]
pub struct ApiDoc;

/// Declares the `bearer` scheme the protected operations name.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT access token or gk_ API key")
                    .build(),
            ),
        );
    }
}

/// The document as served.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    qualify_operation_ids(&mut doc);
    doc
}

/// utoipa names an operation after its handler function, so `list` or `get` appear in many
/// modules; OpenAPI requires operation ids to be unique (generated clients, such as the
/// dashboard's types, refuse the document otherwise). Each becomes `<resource>_<function>`,
/// the resource being the path's first segment after `/api` (`/api/pipeline-runs/{id}` ->
/// `pipeline_runs_get_run`); a test keeps them unique.
fn qualify_operation_ids(doc: &mut utoipa::openapi::OpenApi) {
    for (path, item) in doc.paths.paths.iter_mut() {
        let mut segments = path.trim_start_matches('/').split('/');
        let first = segments.next().unwrap_or_default();
        let resource = match first {
            "api" => segments.next().unwrap_or(first),
            other => other,
        }
        .replace('-', "_");
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            if let Some(id) = operation.operation_id.as_mut()
                && !id.starts_with(&format!("{resource}_"))
            {
                *id = format!("{resource}_{id}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn operation_ids_are_unique() {
        let doc = super::document();
        let mut seen = std::collections::BTreeMap::new();
        for (path, item) in &doc.paths.paths {
            let operations = [&item.get, &item.put, &item.post, &item.delete, &item.patch];
            for operation in operations.into_iter().flatten() {
                let id = operation
                    .operation_id
                    .clone()
                    .expect("every operation has an id");
                if let Some(other) = seen.insert(id.clone(), path.clone()) {
                    panic!("operation id {id} is used by {other} and {path}");
                }
            }
        }
        assert!(seen.len() > 50, "{} operations", seen.len());
    }
}
