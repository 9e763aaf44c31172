//! SQL of `agents.personas`.

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;
use uuid::Uuid;

use super::{Persona, PersonaSpec, PersonaSpecView};

const COLUMNS: &str = "id, name, display_name, role, traits, communication_style, specializations,
    languages, default_model, temperature, allowed_skills, prompt, source_path, created_by,
    created_at, updated_at";

fn persona(row: &Row) -> Persona {
    Persona {
        id: row.get("id"),
        spec: PersonaSpecView {
            name: row.get("name"),
            display_name: row.get("display_name"),
            role: row.get("role"),
            traits: row.get("traits"),
            communication_style: row.get("communication_style"),
            specializations: row.get("specializations"),
            languages: row.get("languages"),
            default_model: row.get("default_model"),
            temperature: row.get("temperature"),
            allowed_skills: row.get("allowed_skills"),
            prompt: row.get("prompt"),
        },
        source_path: row.get("source_path"),
        created_by: row.get("created_by"),
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
    }
}

pub async fn list(
    client: &impl GenericClient,
    search: Option<&str>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Persona>, tokio_postgres::Error> {
    let rows = client
        .query(
            &format!(
                "SELECT {COLUMNS} FROM agents.personas
                  WHERE ($1::uuid IS NULL OR id > $1)
                    AND ($3::text IS NULL OR strpos(lower(name), lower($3)) > 0
                         OR strpos(lower(display_name), lower($3)) > 0
                         OR strpos(lower(role), lower($3)) > 0)
                  ORDER BY id LIMIT $2"
            ),
            &[&after, &limit, &search],
        )
        .await?;
    Ok(rows.iter().map(persona).collect())
}

pub async fn count(client: &impl GenericClient) -> Result<i64, tokio_postgres::Error> {
    Ok(client
        .query_one("SELECT count(*) FROM agents.personas", &[])
        .await?
        .get(0))
}

pub async fn get(
    client: &impl GenericClient,
    id: Uuid,
) -> Result<Option<Persona>, tokio_postgres::Error> {
    let row = client
        .query_opt(
            &format!("SELECT {COLUMNS} FROM agents.personas WHERE id = $1"),
            &[&id],
        )
        .await?;
    Ok(row.as_ref().map(persona))
}

pub async fn get_for_update(
    client: &impl GenericClient,
    id: Uuid,
) -> Result<Option<Persona>, tokio_postgres::Error> {
    let row = client
        .query_opt(
            &format!("SELECT {COLUMNS} FROM agents.personas WHERE id = $1 FOR UPDATE"),
            &[&id],
        )
        .await?;
    Ok(row.as_ref().map(persona))
}

pub async fn insert(
    client: &impl GenericClient,
    s: &PersonaSpec,
    source_path: Option<&str>,
    created_by: Option<Uuid>,
) -> Result<Persona, tokio_postgres::Error> {
    let row = client
        .query_one(
            &format!(
                "INSERT INTO agents.personas (id, name, display_name, role, traits,
                    communication_style, specializations, languages, default_model, temperature,
                    allowed_skills, prompt, source_path, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                 RETURNING {COLUMNS}"
            ),
            &[
                &Uuid::now_v7(),
                &s.name.as_str(),
                &s.display_name,
                &s.role,
                &s.traits,
                &s.communication_style,
                &s.specializations,
                &s.languages,
                &s.default_model,
                &s.temperature,
                &s.allowed_skills,
                &s.prompt,
                &source_path,
                &created_by,
            ],
        )
        .await?;
    Ok(persona(&row))
}

pub async fn update(
    client: &impl GenericClient,
    id: Uuid,
    s: &PersonaSpec,
    source_path: Option<&str>,
) -> Result<Persona, tokio_postgres::Error> {
    let row = client
        .query_one(
            &format!(
                "UPDATE agents.personas SET name = $2, display_name = $3, role = $4, traits = $5,
                    communication_style = $6, specializations = $7, languages = $8,
                    default_model = $9, temperature = $10, allowed_skills = $11, prompt = $12,
                    source_path = $13, updated_at = now()
                  WHERE id = $1 RETURNING {COLUMNS}"
            ),
            &[
                &id,
                &s.name.as_str(),
                &s.display_name,
                &s.role,
                &s.traits,
                &s.communication_style,
                &s.specializations,
                &s.languages,
                &s.default_model,
                &s.temperature,
                &s.allowed_skills,
                &s.prompt,
                &source_path,
            ],
        )
        .await?;
    Ok(persona(&row))
}

/// What an import did to one persona.
pub enum Upserted {
    Created(Persona),
    Updated(Persona),
    Unchanged,
}

/// Inserts the persona, or updates the one of the same name when any field differs.
pub async fn upsert(
    client: &impl GenericClient,
    s: &PersonaSpec,
    source_path: &str,
    created_by: Option<Uuid>,
) -> Result<Upserted, tokio_postgres::Error> {
    let existing = client
        .query_opt(
            &format!("SELECT {COLUMNS} FROM agents.personas WHERE name = $1 FOR UPDATE"),
            &[&s.name.as_str()],
        )
        .await?
        .map(|r| persona(&r));
    match existing {
        None => Ok(Upserted::Created(
            insert(client, s, Some(source_path), created_by).await?,
        )),
        Some(p) if p.spec == PersonaSpecView::from(s) => Ok(Upserted::Unchanged),
        Some(p) => Ok(Upserted::Updated(
            update(client, p.id, s, Some(source_path)).await?,
        )),
    }
}

pub async fn delete(client: &impl GenericClient, id: Uuid) -> Result<(), tokio_postgres::Error> {
    client
        .execute("DELETE FROM agents.personas WHERE id = $1", &[&id])
        .await?;
    Ok(())
}

pub async fn agents_using(
    client: &impl GenericClient,
    id: Uuid,
) -> Result<i64, tokio_postgres::Error> {
    Ok(client
        .query_one(
            "SELECT count(*) FROM agents.agents WHERE persona_id = $1",
            &[&id],
        )
        .await?
        .get(0))
}
