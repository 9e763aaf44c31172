//! The services the composition root builds from the configuration (auth, the model
//! service, agents with their tools), and the start-up steps that need the database (the
//! signing key, the first admin, the first-run setup link, the shipped personas).

use std::net::SocketAddr;
use std::sync::Arc;

use deadpool_postgres::Pool;
use secrecy::{ExposeSecret, SecretString};

use super::StartError;
use crate::auth::Auth;
use crate::config::Config;
use crate::events::bus::Bus;

/// The auth service, from the `[auth]` settings.
pub(crate) fn auth_service(config: &Config) -> Auth {
    Auth::new(config.auth.clone())
}

/// Loads the signing key and creates the first admin from the environment if asked.
pub(crate) async fn prepare_auth(
    auth: &Auth,
    pool: &Pool,
    config: &Config,
) -> Result<(), StartError> {
    let client = pool
        .get()
        .await
        .map_err(|e| anyhow::anyhow!("no database connection: {e}"))?;
    auth.init(&client)
        .await
        .map_err(|e| anyhow::anyhow!("preparing authentication: {e}"))?;
    drop(client);
    if config.auth.jwt_secret.is_none() {
        tracing::info!(
            "no GATHERING_JWT_SECRET: using the signing secret generated in the database"
        );
    }
    if let (Some(email), Some(password)) = (&config.auth.admin_email, &config.auth.admin_password) {
        let created = auth
            .ensure_first_admin(pool, email, password.expose_secret())
            .await
            .map_err(|e| anyhow::anyhow!("creating the first admin: {e}"))?;
        if let Some(user) = created {
            tracing::info!(user_id = %user.id, "created the first admin from GATHERING_ADMIN_EMAIL");
        }
    }
    Ok(())
}

/// Whether the database still has no admin once auth is prepared (none came from
/// `GATHERING_ADMIN_EMAIL` either): then first-run setup opens.
pub(super) async fn needs_first_admin(auth: &Auth, pool: &Pool) -> Result<bool, StartError> {
    let has_admin = auth
        .admin_exists(pool)
        .await
        .map_err(|e| anyhow::anyhow!("looking for an admin: {e}"))?;
    Ok(!has_admin)
}

/// Prints the first-run setup link: on standard output, once, never through `tracing`, so the
/// token never reaches the logs. The token is in the fragment, which browsers never send.
pub(super) fn print_setup(mut addr: SocketAddr, token: &SecretString) {
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    println!(
        "First run: open http://{addr}/setup#token={} to create the first admin (valid until used or until an admin exists)",
        token.expose_secret()
    );
}

/// Imports the shipped personas when the database has none yet. A failure is logged, never
/// fatal: personas can be imported later with `gathering personas import`.
pub(super) async fn import_personas(pool: &Pool, config: &Config) {
    let dir = &config.agents.personas_dir;
    match crate::personas::import_at_first_start(pool, dir).await {
        Ok(None) => {}
        Ok(Some(report)) => {
            tracing::info!(
                dir = %dir.display(),
                created = report.created.len(),
                failed = report.failed.len(),
                "imported the personas at first start"
            );
            for failure in &report.failed {
                tracing::warn!("persona not imported: {failure}");
            }
        }
        Err(e) => tracing::warn!(dir = %dir.display(), "personas not imported: {e}"),
    }
}

/// The agents service: tools (built-in, memory and MCP), the model service, memories,
/// per-agent queues.
pub(super) fn agents_service(
    config: &Config,
    pool: deadpool_postgres::Pool,
    llm: crate::models::LlmService,
    memories: crate::memory::Memories,
    bus: Bus,
) -> Result<crate::agents::Agents, StartError> {
    // rmcp's HTTP client takes its TLS crypto from the process default; ours is ring.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let tools = crate::tools::registry::ToolRegistry::new(pool.clone(), &config.tools, &memories)
        .map_err(|e| anyhow::anyhow!("the built-in tools could not be set up: {e}"))?;
    Ok(crate::agents::Agents::new(
        crate::agents::Services {
            pool,
            llm,
            tools,
            memories,
            bus,
        },
        crate::agents::AgentSettings {
            default_max_tokens: config.models.default_max_tokens as u32,
            ..config.agents.clone()
        },
    ))
}

/// The model service: local engines on the chosen device, hosted clients' timeouts and retries.
pub(super) fn llm_service(
    config: &Config,
    pool: deadpool_postgres::Pool,
) -> crate::models::LlmService {
    use crate::llm::local::{Device, LocalModels};
    let m = &config.models;
    let (device, why) = Device::choose(&m.device);
    if m.device == "cuda" && device == Device::Cpu {
        tracing::warn!("models.device is cuda but {why}: the local models run on the CPU");
    }
    tracing::info!(device = %device.describe(), reason = %why, "local model device");
    let local = LocalModels::new(m.local(device));
    crate::models::LlmService::new(pool, Arc::new(local), m.client_options())
}
