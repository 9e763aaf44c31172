//! Personas: who an agent is. A persona is a Markdown file with YAML front matter (`parse.rs`),
//! stored in PostgreSQL (`store.rs`), imported from `personas/` at first start or by
//! `gathering personas import DIR`, and edited through `/api/personas`. Importing a file again
//! updates the persona of the same name; a malformed file is reported with its path and line
//! while the others still import.
//!
//! Changes take the acting `core::identity::Identity` (the server itself for start-up imports):
//! only a persona's creator or an admin changes one, and every change is recorded through
//! `audit::record_change`. Start with [`import_dir`] and [`create`]; SQL is in `store.rs`.

mod lines;
pub mod parse;
pub mod store;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

pub use parse::{PersonaName, PersonaSpec};

use crate::core::error::DomainError;
use crate::core::identity::Identity;
use crate::events::EventType;

/// A stored persona.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Persona {
    pub id: Uuid,
    #[serde(flatten)]
    #[schema(inline)]
    pub spec: PersonaSpecView,
    /// The file it was imported from; `None` when created through the API.
    pub source_path: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The persona's fields as the API shows them (the schema of [`PersonaSpec`]).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PersonaSpecView {
    pub name: String,
    pub display_name: String,
    pub role: String,
    pub traits: Vec<String>,
    pub communication_style: String,
    pub specializations: Vec<String>,
    pub languages: Vec<String>,
    pub default_model: Option<String>,
    pub temperature: Option<f32>,
    pub allowed_skills: Vec<String>,
    pub prompt: String,
}

impl From<&PersonaSpec> for PersonaSpecView {
    fn from(s: &PersonaSpec) -> Self {
        Self {
            name: s.name.as_str().to_owned(),
            display_name: s.display_name.clone(),
            role: s.role.clone(),
            traits: s.traits.clone(),
            communication_style: s.communication_style.clone(),
            specializations: s.specializations.clone(),
            languages: s.languages.clone(),
            default_model: s.default_model.clone(),
            temperature: s.temperature,
            allowed_skills: s.allowed_skills.clone(),
            prompt: s.prompt.clone(),
        }
    }
}

fn check(spec: &PersonaSpec) -> Result<(), DomainError> {
    spec.validate().map_err(|message| {
        // `validate` says "field: what is wrong" (the field may carry an index: `traits[0]`).
        match message.split_once(": ") {
            Some((field, rest))
                if field
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_[]".contains(c)) =>
            {
                DomainError::invalid(field, rest)
            }
            _ => DomainError::invalid("persona", message),
        }
    })
}

/// Whether `who` may change a persona created by `created_by`: its creator, or an admin
/// (imported personas belong to the admins). Said with "creator", so not `Identity::may_change`.
fn may_edit(who: &Identity, created_by: Option<Uuid>) -> Result<(), DomainError> {
    if who.is_admin() || created_by.is_some_and(|c| who.is(c)) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(
            "only the persona's creator or an admin may change it".into(),
        ))
    }
}

/// A page of personas; `search`: only those whose name, display name or role contains it,
/// ignoring case.
pub async fn list(
    pool: &Pool,
    search: Option<&str>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Persona>, DomainError> {
    let client = pool.get().await?;
    Ok(store::list(&client, search, after, limit).await?)
}

pub async fn get(pool: &Pool, id: Uuid) -> Result<Persona, DomainError> {
    let client = pool.get().await?;
    store::get(&client, id)
        .await?
        .ok_or_else(|| DomainError::NotFound(format!("no persona {id}")))
}

pub async fn create(
    pool: &Pool,
    who: &Identity,
    spec: PersonaSpec,
) -> Result<Persona, DomainError> {
    check(&spec)?;
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let persona = store::insert(&tx, &spec, None, who.user_id)
        .await
        .map_err(|e| match e {
            e if crate::core::error::is_unique_violation(&e) => {
                DomainError::Conflict(format!("a persona named {} exists", spec.name))
            }
            e => e.into(),
        })?;
    changed(&tx, who, EventType::PersonaCreated, &persona).await?;
    tx.commit().await?;
    Ok(persona)
}

pub async fn update(
    pool: &Pool,
    who: &Identity,
    id: Uuid,
    spec: PersonaSpec,
) -> Result<Persona, DomainError> {
    check(&spec)?;
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let current = store::get_for_update(&tx, id)
        .await?
        .ok_or_else(|| DomainError::NotFound(format!("no persona {id}")))?;
    may_edit(who, current.created_by)?;
    let persona = store::update(&tx, id, &spec, current.source_path.as_deref())
        .await
        .map_err(|e| match e {
            e if crate::core::error::is_unique_violation(&e) => {
                DomainError::Conflict(format!("a persona named {} exists", spec.name))
            }
            e => e.into(),
        })?;
    changed(&tx, who, EventType::PersonaUpdated, &persona).await?;
    tx.commit().await?;
    Ok(persona)
}

pub async fn delete(pool: &Pool, who: &Identity, id: Uuid) -> Result<(), DomainError> {
    let mut client = pool.get().await?;
    let tx = client.transaction().await?;
    let current = store::get_for_update(&tx, id)
        .await?
        .ok_or_else(|| DomainError::NotFound(format!("no persona {id}")))?;
    may_edit(who, current.created_by)?;
    let users = store::agents_using(&tx, id).await?;
    if users > 0 {
        return Err(DomainError::Conflict(format!(
            "{users} agent(s) use persona {}; delete or move them first",
            current.spec.name
        )));
    }
    store::delete(&tx, id).await?;
    changed(&tx, who, EventType::PersonaDeleted, &current).await?;
    tx.commit().await?;
    Ok(())
}

/// What an import did, file by file.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub unchanged: Vec<String>,
    pub failed: Vec<ImportFailure>,
}

/// A file that did not import, and why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportFailure {
    pub path: String,
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for ImportFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// Imports every `*.md` file of `dir` (not recursive), in name order. A file whose persona
/// exists by name updates it (when it changed); a malformed file is reported and skipped.
pub async fn import_dir(
    pool: &Pool,
    who: &Identity,
    dir: &Path,
) -> Result<ImportReport, DomainError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| DomainError::invalid("dir", format!("cannot read {}: {e}", dir.display())))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md") && p.is_file())
        .collect();
    files.sort();
    let mut report = ImportReport::default();
    for path in files {
        let shown = path.display().to_string();
        let failure = |line, message: String| ImportFailure {
            path: shown.clone(),
            line,
            message,
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                report.failed.push(failure(None, e.to_string()));
                continue;
            }
        };
        let spec = match parse::parse(&text) {
            Ok(spec) => spec,
            Err(e) => {
                report.failed.push(failure(e.line, e.message));
                continue;
            }
        };
        if let Err(message) = spec.validate() {
            report.failed.push(failure(None, message));
            continue;
        }
        let name = spec.name.as_str().to_owned();
        let mut client = pool.get().await?;
        let tx = client.transaction().await?;
        match store::upsert(&tx, &spec, &shown, who.user_id).await? {
            store::Upserted::Created(p) => {
                changed(&tx, who, EventType::PersonaCreated, &p).await?;
                report.created.push(name);
            }
            store::Upserted::Updated(p) => {
                changed(&tx, who, EventType::PersonaUpdated, &p).await?;
                report.updated.push(name);
            }
            store::Upserted::Unchanged => report.unchanged.push(name),
        }
        tx.commit().await?;
    }
    Ok(report)
}

/// At first start (no persona stored yet), imports the shipped personas from `dir`. Returns
/// `None` when there was nothing to do.
pub async fn import_at_first_start(
    pool: &Pool,
    dir: &Path,
) -> Result<Option<ImportReport>, DomainError> {
    {
        let client = pool.get().await?;
        if store::count(&client).await? > 0 || !dir.is_dir() {
            return Ok(None);
        }
    }
    import_dir(pool, &Identity::system(), dir).await.map(Some)
}

/// Records a change to a persona (audit row and `persona.*` event, unscoped) in the change's
/// transaction.
async fn changed(
    tx: &impl deadpool_postgres::GenericClient,
    who: &Identity,
    event_type: EventType,
    p: &Persona,
) -> Result<(), DomainError> {
    let details = json!({"persona": summary(p)});
    crate::audit::record_change(
        tx,
        who,
        event_type,
        crate::events::Scope::default(),
        details,
    )
    .await?;
    Ok(())
}

/// The JSON an event or audit row carries about a persona (the prompt is left out: it can be
/// long, and the API has it).
pub(crate) fn summary(p: &Persona) -> serde_json::Value {
    json!({"id": p.id, "name": p.spec.name, "display_name": p.spec.display_name})
}
