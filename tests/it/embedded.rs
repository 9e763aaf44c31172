//! The embedded PostgreSQL manager on real clusters in scratch directories: start, reuse,
//! stop, stale `postmaster.pid`, a data dir that belongs to somebody else.

use std::path::Path;

use gathering::db::embedded::{EmbeddedError, EmbeddedPostgres, Lifetime, Status};
use secrecy::ExposeSecret;

use crate::support::{pg_dir, scratch_dir};

/// Stops the cluster when a test ends, passing or not: no test leaves a postgres behind.
struct StopOnDrop(EmbeddedPostgres);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let _ = self.0.stop();
    }
}

async fn vector_version(url: &str) -> String {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("the printed url connects");
    tokio::spawn(connection);
    client
        .query_one(
            "SELECT extversion FROM pg_extension WHERE extname = 'vector'",
            &[],
        )
        .await
        .expect("vector is installed in the database")
        .get(0)
}

fn write_pid_file(pgdata: &Path, pid: u32, port: u16) {
    let text = format!(
        "{pid}\n{}\n0\n{port}\n/tmp\n127.0.0.1\n  0 0\nready\n",
        pgdata.display()
    );
    std::fs::write(pgdata.join("postmaster.pid"), text).unwrap();
}

#[tokio::test]
async fn start_reuse_stop_and_recover_from_stale_pid_files() {
    let dir = scratch_dir();
    let data_dir = dir.path().join("data");
    let manager = EmbeddedPostgres::new(&pg_dir(), &data_dir).unwrap();
    let _guard = StopOnDrop(manager.clone());
    assert_eq!(manager.status().unwrap(), Status::NotInitialised);

    let first = manager.start(Lifetime::Process).await.unwrap();
    assert!(first.started_here);
    assert!(
        matches!(manager.status().unwrap(), Status::Running { port, .. } if port == first.port)
    );
    assert!(
        vector_version(first.url.expose_secret())
            .await
            .starts_with("0.8")
    );
    assert_eq!(
        manager.url().unwrap().expose_secret(),
        first.url.expose_secret()
    );

    // A second manager (another process, in real life) reuses the running cluster.
    let again = EmbeddedPostgres::new(&pg_dir(), &data_dir)
        .unwrap()
        .start(Lifetime::Process)
        .await
        .unwrap();
    assert!(!again.started_here);
    assert_eq!(again.port, first.port);

    // A cluster whose starting process died (crash, kill -9) is adopted by the next one.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead_pid = child.id();
    child.wait().unwrap();
    std::fs::write(data_dir.join("started-by"), dead_pid.to_string()).unwrap();
    let adopted = EmbeddedPostgres::new(&pg_dir(), &data_dir)
        .unwrap()
        .start(Lifetime::Process)
        .await
        .unwrap();
    assert!(adopted.started_here, "an abandoned cluster is adopted");
    assert_eq!(adopted.port, first.port);

    assert!(manager.stop().unwrap());
    assert_eq!(manager.status().unwrap(), Status::Stopped);
    assert!(
        !manager.stop().unwrap(),
        "stopping a stopped cluster is a no-op"
    );

    // One started by `db start` (detached) is never adopted.
    let detached = manager.start(Lifetime::Detached).await.unwrap();
    assert!(detached.started_here);
    let user = manager.start(Lifetime::Process).await.unwrap();
    assert!(
        !user.started_here,
        "a detached cluster belongs to `db stop`"
    );
    assert!(manager.stop().unwrap());

    // A pid file naming a live process that is not postgres (a reused pid): stale.
    let pgdata = data_dir.join("pgdata");
    write_pid_file(&pgdata, std::process::id(), first.port);
    assert_eq!(manager.status().unwrap(), Status::Stopped);
    assert!(
        !pgdata.join("postmaster.pid").exists(),
        "the stale pid file is removed"
    );

    // A pid file naming a dead process: the next start recovers.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead_pid = child.id();
    child.wait().unwrap();
    write_pid_file(&pgdata, dead_pid, first.port);
    let restarted = manager.start(Lifetime::Process).await.unwrap();
    assert!(restarted.started_here);
    assert!(
        vector_version(restarted.url.expose_secret())
            .await
            .starts_with("0.8")
    );
    assert!(manager.stop().unwrap());
}

#[tokio::test]
async fn a_data_dir_owned_by_someone_else_is_refused() {
    let dir = scratch_dir();
    let data_dir = dir.path().join("data");
    std::fs::create_dir(&data_dir).unwrap();
    let foreign = if nix::unistd::Uid::effective().is_root() {
        // Root may take over its own directories, never another user's.
        let nobody = nix::unistd::User::from_name("nobody")
            .unwrap()
            .expect("user nobody");
        nix::unistd::chown(&data_dir, Some(nobody.uid), Some(nobody.gid)).unwrap();
        data_dir.clone()
    } else {
        Path::new("/").to_owned()
    };
    let err = EmbeddedPostgres::new(&pg_dir(), &foreign)
        .unwrap()
        .start(Lifetime::Process)
        .await
        .unwrap_err();
    assert!(matches!(err, EmbeddedError::ForeignDataDir { .. }), "{err}");
    assert!(err.to_string().contains("is owned by"), "{err}");
}

#[tokio::test]
async fn missing_binaries_name_the_directory_and_the_fix() {
    let dir = scratch_dir();
    let err = EmbeddedPostgres::new(dir.path(), &dir.path().join("data")).unwrap_err();
    let text = err.to_string();
    assert!(text.contains(&dir.path().display().to_string()), "{text}");
    assert!(text.contains("scripts/bootstrap"), "{text}");
}
