//! Start-up and shutdown of the in-process server: readiness while migrating, the ordered
//! shutdown, several instances starting at once on one database.

use std::time::Duration;

use gathering::app::ShutdownStep;
use gathering::db::migrate::LOCK_KEY;

use crate::support::{TestApp, TestDb, json, poll_until};

#[tokio::test]
async fn readiness_is_503_with_a_reason_until_migrations_are_applied() {
    let db = TestDb::empty().await;
    // Another "instance" holds the migration lock, so this one waits in the starting phase.
    let holder = db.client().await;
    holder
        .execute("SELECT pg_advisory_lock($1)", &[&LOCK_KEY])
        .await
        .unwrap();

    let app = TestApp::start(db).await;
    let saw_starting = poll_until(Duration::from_secs(10), || async {
        let response = app.get("/health/ready").await;
        if response.status() != 503 {
            return false;
        }
        let body = json(response).await;
        body["error"]["code"] == "not_ready"
            && body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("migrations"))
    })
    .await;
    assert!(saw_starting, "readiness never reported the migration phase");
    assert_eq!(
        app.get("/health/live").await.status(),
        200,
        "alive while starting"
    );

    holder
        .execute("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY])
        .await
        .unwrap();
    app.wait_ready().await;
    let applied: i64 = holder
        .query_one("SELECT count(*) FROM public.schema_migrations", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(applied, gathering::db::migrate::embedded().len() as i64);
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn shutdown_runs_its_steps_in_order_and_stops_serving() {
    let app = TestApp::spawn().await;
    let addr = app.addr;
    let report = app.shutdown().await.expect("clean shutdown");
    assert_eq!(
        report.steps,
        vec![
            ShutdownStep::NotReady,
            ShutdownStep::Drained { forced: false },
            ShutdownStep::TasksStopped,
            ShutdownStep::PoolClosed,
        ],
        "an external database is never stopped by the server"
    );
    let refused = reqwest::get(format!("http://{addr}/health/live")).await;
    assert!(refused.is_err(), "the listener is closed after shutdown");
}

#[tokio::test]
async fn two_instances_starting_at_once_on_one_database_both_come_up() {
    let db = TestDb::empty().await;
    let url = db.url.clone();
    let second_db = TestDb {
        name: db.name.clone(),
        url,
    };
    let (a, b) = tokio::join!(TestApp::start(db), TestApp::start(second_db));
    tokio::join!(a.wait_ready(), b.wait_ready());

    let client = a.db.client().await;
    let rows = client
        .query(
            "SELECT version, count(*) FROM public.schema_migrations GROUP BY version",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), gathering::db::migrate::embedded().len());
    assert!(
        rows.iter().all(|r| r.get::<_, i64>(1) == 1),
        "each migration applied once"
    );
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
}
