//! `gathering knowledge add`, the real binary against a running server: a folder ingested,
//! ingested again (everything unchanged), then with one file changed and one corrupt (replaced,
//! failed with its reason, exit 1).

use std::path::Path;
use std::time::Duration;

use gathering::auth::model::Role;
use tokio::process::Command;

use super::{GUIDE_MD, GUIDE_PDF, rows, spawn, user};
use crate::support::{TestApp, repo_root, scratch_dir};

/// Runs `knowledge add DIR --collection docs --create` as `token`; (exit code, stdout, stderr).
async fn add(app: &TestApp, token: &str, dir: &Path) -> (Option<i32>, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gathering"));
    command
        .current_dir(repo_root())
        .kill_on_drop(true)
        .env_remove("GATHERING_TOKEN")
        .env_remove("GATHERING_SERVER")
        .env_remove("GATHERING_CONFIG")
        .args(["knowledge", "add"])
        .arg(dir)
        .args(["--collection", "docs", "--create"])
        .args(["--server", &format!("http://{}/", app.addr)])
        .args(["--token", token]);
    let output = tokio::time::timeout(Duration::from_secs(120), command.output())
        .await
        .expect("the command finishes")
        .expect("the binary runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_cli_ingests_a_folder_and_the_second_time_everything_is_unchanged() {
    let app = spawn().await;
    let (token, _) = user(&app, Role::Member).await;
    let dir = scratch_dir();
    let root = dir.path();
    std::fs::create_dir_all(root.join("more")).unwrap();
    std::fs::write(root.join("guide.md"), GUIDE_MD).unwrap();
    std::fs::write(root.join("guide.pdf"), GUIDE_PDF).unwrap();
    std::fs::write(
        root.join("notes.txt"),
        "Plain notes.\n\nA second paragraph.",
    )
    .unwrap();
    std::fs::write(
        root.join("more/people.csv"),
        "name,city\nAda,London\nGrace,Arlington\n",
    )
    .unwrap();
    std::fs::write(
        root.join("more/page.html"),
        "<h1>Page</h1><p>Hello there.</p>",
    )
    .unwrap();
    std::fs::write(root.join("photo.png"), [0x89, b'P', b'N', b'G']).unwrap();

    let (code, stdout, stderr) = add(&app, &token, root).await;
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(stderr.contains("created collection docs"), "{stderr}");
    assert!(
        stdout.contains("ingested 5, replaced 0, unchanged 0, failed 0"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("photo.png"),
        "other kinds are left out: {stdout}"
    );
    let (_, documents, _) = rows(&app).await;
    assert_eq!(documents, 5);

    let (code, stdout, stderr) = add(&app, &token, root).await;
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("ingested 0, replaced 0, unchanged 5, failed 0"),
        "{stdout}"
    );

    std::fs::write(root.join("notes.txt"), "Plain notes, edited.").unwrap();
    std::fs::write(root.join("more/broken.pdf"), &GUIDE_PDF[..200]).unwrap();
    let (code, stdout, stderr) = add(&app, &token, root).await;
    assert_eq!(code, Some(1), "a failure: {stdout}\n{stderr}");
    assert!(
        stdout.contains("ingested 0, replaced 1, unchanged 4, failed 1"),
        "{stdout}"
    );
    let reason = stdout
        .lines()
        .find(|l| l.starts_with("failed: "))
        .unwrap_or_else(|| panic!("a failure line: {stdout}"));
    assert!(
        reason.contains("broken.pdf") && reason.contains("cannot be read"),
        "{reason}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stdout.contains(&token) && !stderr.contains(&token));
    let (_, documents, _) = rows(&app).await;
    assert_eq!(documents, 5, "nothing of the broken file is stored");
}
