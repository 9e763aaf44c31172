//! Template databases: a database migrated once and then cloned with `CREATE DATABASE ...
//! TEMPLATE`, so every integration test gets a fresh, fully migrated database in milliseconds.

use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tokio_postgres::{Client, NoTls};

use super::migrate::{self, Migration};

/// Connects to `dbname` on the server described by `server` (its own dbname is ignored).
pub async fn connect_to(
    server: &tokio_postgres::Config,
    dbname: &str,
) -> Result<(Client, tokio::task::JoinHandle<()>), tokio_postgres::Error> {
    let mut config = server.clone();
    config.dbname(dbname);
    let (client, connection) = config.connect(NoTls).await?;
    let handle = tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok((client, handle))
}

/// The template's name for a set of migrations: a new set gets a new template.
pub fn template_name(migrations: &[Migration]) -> String {
    let mut hasher = Sha256::new();
    for m in migrations {
        hasher.update(m.version.to_be_bytes());
        hasher.update(m.checksum().as_bytes());
    }
    format!("tmpl_{}", &hex::encode(hasher.finalize())[..16])
}

/// Creates (once) and returns the migrated template database for `migrations`. Built under
/// another name and renamed when complete, so a crash never leaves a half-migrated template.
pub async fn ensure_template(
    server: &tokio_postgres::Config,
    migrations: &[Migration],
) -> anyhow::Result<String> {
    let name = template_name(migrations);
    let (admin, _conn) = connect_to(server, "postgres").await?;
    if exists(&admin, &name).await? {
        return Ok(name);
    }
    let building = format!("{name}_building");
    // Two statements: DROP/CREATE DATABASE refuse to run inside one implicit transaction.
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
        .await?;
    admin
        .batch_execute(&format!("CREATE DATABASE {building}"))
        .await?;
    {
        let (mut client, conn) = connect_to(server, &building).await?;
        migrate::run(&mut client, migrations).await?;
        drop(client);
        conn.await?;
    }
    // The server notices the closed session a moment after the socket closes.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match admin
            .batch_execute(&format!("ALTER DATABASE {building} RENAME TO {name}"))
            .await
        {
            Ok(()) => return Ok(name),
            Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::OBJECT_IN_USE) => {
                if Instant::now() > deadline {
                    return Err(e.into());
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Creates `name` as a copy of `template`.
pub async fn clone_database(
    server: &tokio_postgres::Config,
    template: &str,
    name: &str,
) -> anyhow::Result<()> {
    let (admin, _conn) = connect_to(server, "postgres").await?;
    admin
        .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
        .await?;
    Ok(())
}

/// Drops every database whose name starts with `prefix` (leftovers of earlier test runs).
pub async fn drop_databases_with_prefix(
    server: &tokio_postgres::Config,
    prefix: &str,
) -> anyhow::Result<usize> {
    let (admin, _conn) = connect_to(server, "postgres").await?;
    let rows = admin
        .query(
            "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
            &[&prefix],
        )
        .await?;
    for row in &rows {
        let name: String = row.get(0);
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await?;
    }
    Ok(rows.len())
}

async fn exists(admin: &Client, name: &str) -> Result<bool, tokio_postgres::Error> {
    Ok(admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await?
        .is_some())
}
