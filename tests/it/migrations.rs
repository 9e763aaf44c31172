//! The migration runner against real databases: fresh, re-run, edited and unknown files.

use std::borrow::Cow;

use gathering::db::migrate::{self, MigrateError, Migration};

use crate::support::TestDb;

fn migration(version: i32, name: &'static str, sql: &'static str) -> Migration {
    Migration::new(version, name, sql)
}

#[tokio::test]
async fn a_fresh_database_gets_every_migration_the_extension_and_the_schemas() {
    let db = TestDb::empty().await;
    let mut client = db.client().await;
    let report = migrate::run(&mut client, migrate::embedded())
        .await
        .unwrap();
    assert_eq!(report.applied.len(), migrate::embedded().len());
    assert_eq!(report.already_applied, 0);

    let version: String = client
        .query_one(
            "SELECT extversion FROM pg_extension WHERE extname = 'vector'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(version.starts_with("0.8"), "pgvector {version}");
    for schema in [
        "auth",
        "events",
        "audit",
        "llm",
        "agents",
        "tools",
        "pipeline",
        "scheduler",
        "memory",
    ] {
        let found = client
            .query_opt("SELECT 1 FROM pg_namespace WHERE nspname = $1", &[&schema])
            .await
            .unwrap();
        assert!(found.is_some(), "schema {schema} missing");
    }
    // Schemas arrive with the module that fills them, none ahead of time.
    for schema in ["agent", "circle", "conversation", "workspace"] {
        let found = client
            .query_opt("SELECT 1 FROM pg_namespace WHERE nspname = $1", &[&schema])
            .await
            .unwrap();
        assert!(found.is_none(), "empty schema {schema} still created");
    }
    // pgvector works, not just installed.
    let distance: f64 = client
        .query_one("SELECT '[1,2,3]'::vector <-> '[1,2,4]'::vector", &[])
        .await
        .unwrap()
        .get(0);
    assert!((distance - 1.0).abs() < 1e-9);
}

#[tokio::test]
async fn rerunning_applies_nothing_and_new_files_are_applied_in_order() {
    let db = TestDb::empty().await;
    let mut client = db.client().await;
    let first = [migration(1, "one", "CREATE TABLE t1 (id int)")];
    migrate::run(&mut client, &first).await.unwrap();
    let again = migrate::run(&mut client, &first).await.unwrap();
    assert!(again.applied.is_empty());
    assert_eq!(again.already_applied, 1);

    let more = [
        migration(1, "one", "CREATE TABLE t1 (id int)"),
        migration(2, "two", "ALTER TABLE t1 ADD COLUMN name text"),
        migration(3, "three", "INSERT INTO t1 VALUES (1, 'x')"),
    ];
    let report = migrate::run(&mut client, &more).await.unwrap();
    assert_eq!(report.applied, vec![2, 3]);
    let name: String = client
        .query_one("SELECT name FROM t1", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(name, "x");
}

#[tokio::test]
async fn an_edited_applied_migration_is_refused_naming_it() {
    let db = TestDb::empty().await;
    let mut client = db.client().await;
    migrate::run(
        &mut client,
        &[migration(1, "one", "CREATE TABLE t1 (id int)")],
    )
    .await
    .unwrap();
    let edited = [migration(1, "one", "CREATE TABLE t1 (id bigint)")];
    let err = migrate::run(&mut client, &edited).await.unwrap_err();
    assert!(
        matches!(err, MigrateError::Edited { version: 1, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("1_one"), "{err}");
}

#[tokio::test]
async fn a_database_migrated_by_a_newer_binary_is_refused() {
    let db = TestDb::empty().await;
    let mut client = db.client().await;
    let newer = [
        migration(1, "one", "SELECT 1"),
        migration(2, "two", "SELECT 2"),
    ];
    migrate::run(&mut client, &newer).await.unwrap();
    let err = migrate::run(&mut client, &newer[..1]).await.unwrap_err();
    assert!(
        matches!(err, MigrateError::Unknown { version: 2, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn a_failing_migration_leaves_nothing_half_applied() {
    let db = TestDb::empty().await;
    let mut client = db.client().await;
    let broken = [
        migration(1, "one", "CREATE TABLE t1 (id int)"),
        Migration {
            version: 2,
            name: Cow::Borrowed("two"),
            sql: Cow::Borrowed("CREATE TABLE t2 (id int); SELECT no_such_function()"),
        },
    ];
    let err = migrate::run(&mut client, &broken).await.unwrap_err();
    assert!(
        matches!(err, MigrateError::Failed { version: 2, .. }),
        "{err}"
    );
    let t2 = client
        .query_opt("SELECT 1 FROM pg_tables WHERE tablename = 't2'", &[])
        .await
        .unwrap();
    assert!(t2.is_none(), "the failed migration's table was rolled back");
    let recorded: Vec<i32> = client
        .query("SELECT version FROM public.schema_migrations", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(recorded, vec![1]);
}
