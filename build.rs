//! Embeds `migrations/NNNN_name.sql` into the binary, in order, so a server needs no files
//! beside it to migrate its database; makes sure `dashboard/dist/` exists (empty in a clone
//! without the built dashboard) so the embedded dashboard (`api::dashboard`) always compiles.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    dashboard_dist();
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("migrations");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("migrations/ exists")
        .map(|e| e.expect("readable migrations/").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    let mut out = String::from("&[\n");
    for path in files {
        let stem = path.file_stem().unwrap().to_str().expect("utf-8 file name");
        let (version, name) = stem
            .split_once('_')
            .unwrap_or_else(|| panic!("{stem}.sql: expected NNNN_name.sql"));
        let version: i32 = version
            .parse()
            .unwrap_or_else(|_| panic!("{stem}.sql: expected a number before `_`"));
        println!("cargo:rerun-if-changed={}", path.display());
        writeln!(
            out,
            "    crate::db::migrate::Migration::new({version}, {name:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .unwrap();
    }
    out.push_str("]\n");
    let target = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("migrations.rs");
    std::fs::write(target, out).unwrap();
}

/// `rust-embed` refuses a missing folder: a clone that never built the dashboard gets an empty
/// one, and the server answers its "dashboard not built" page. Rebuilt when the app changes.
fn dashboard_dist() {
    let dist = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("dashboard/dist");
    if !dist.is_dir() {
        std::fs::create_dir_all(&dist).expect("create dashboard/dist");
    }
    println!("cargo:rerun-if-changed={}", dist.display());
}
