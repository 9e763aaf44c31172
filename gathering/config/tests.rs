//! The configuration's layers, mappings and refusals.

use super::*;

fn load(env: &impl EnvSource) -> Result<Config, ConfigError> {
    Config::load(env, &Overrides::default())
}

#[test]
fn defaults_need_no_configuration() {
    let config = load(&[("X", "y")]).unwrap();
    assert_eq!(config.addr.to_string(), "127.0.0.1:8000");
    assert!(config.database_url.is_none());
    assert_eq!(config.env, Environment::Development);
}

#[test]
fn environment_overrides_defaults_and_flags_override_environment() {
    let env = [
        ("GATHERING_ADDR", "127.0.0.1:9000"),
        ("GATHERING_DATA_DIR", "/tmp/x"),
        ("GATHERING_ENV", "production"),
    ];
    let config = load(&env).unwrap();
    assert_eq!(config.addr.port(), 9000);
    assert_eq!(config.data_dir, PathBuf::from("/tmp/x"));
    assert_eq!(config.env, Environment::Production);

    let overrides = Overrides {
        addr: Some("127.0.0.1:9100".parse().unwrap()),
        ..Overrides::default()
    };
    assert_eq!(Config::load(&env, &overrides).unwrap().addr.port(), 9100);
}

#[test]
fn invalid_values_name_the_setting() {
    let err = load(&[("GATHERING_ADDR", "localhost")]).unwrap_err();
    assert!(err.to_string().contains("GATHERING_ADDR"), "{err}");
    let err = load(&[("GATHERING_ENV", "staging")]).unwrap_err();
    assert!(err.to_string().contains("GATHERING_ENV"), "{err}");
    let err = load(&[("DATABASE_URL", "postgres://x:5432:bad")]).unwrap_err();
    assert!(err.to_string().contains("DATABASE_URL"), "{err}");
    let err = load(&[("GATHERING_CORS_ORIGINS", "https://a.example/")]).unwrap_err();
    assert!(err.to_string().contains("cors_origins"), "{err}");
    let err = load(&[("RUST_LOG", "info,[")]).unwrap_err();
    assert!(err.to_string().contains("RUST_LOG"), "{err}");
}

#[test]
fn production_refuses_generated_secrets_open_registration_and_any_origin() {
    let secret = "0123456789abcdef0123456789abcdef0123";
    let ok = load(&[
        ("GATHERING_ENV", "production"),
        ("GATHERING_JWT_SECRET", secret),
    ])
    .unwrap();
    ok.check_production().unwrap();
    // Development accepts all three.
    let dev = load(&[
        ("GATHERING_SELF_REGISTRATION", "true"),
        ("GATHERING_CORS_ORIGINS", "*"),
    ])
    .unwrap();
    dev.check_production().unwrap();

    let err = load(&[("GATHERING_ENV", "production")])
        .unwrap()
        .check_production()
        .unwrap_err();
    assert!(err.to_string().contains("GATHERING_JWT_SECRET"), "{err}");
    let err = load(&[
        ("GATHERING_ENV", "production"),
        ("GATHERING_JWT_SECRET", secret),
        ("GATHERING_SELF_REGISTRATION", "true"),
        ("GATHERING_CORS_ORIGINS", "*"),
    ])
    .unwrap()
    .check_production()
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("self_registration") && err.contains("cors_origins"),
        "{err}"
    );
    load(&[
        ("GATHERING_ENV", "production"),
        ("GATHERING_JWT_SECRET", secret),
        ("GATHERING_SELF_REGISTRATION", "true"),
        ("GATHERING_CONFIRM_OPEN_REGISTRATION", "yes"),
    ])
    .unwrap()
    .check_production()
    .unwrap();
}

#[test]
fn trusted_proxies_take_addresses_and_ranges() {
    let config = load(&[("GATHERING_TRUSTED_PROXIES", "10.0.0.1, 192.168.0.0/16,::1")]).unwrap();
    let shown: Vec<String> = config
        .http
        .trusted_proxies
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(shown, ["10.0.0.1/32", "192.168.0.0/16", "::1/128"]);
    let err = load(&[("GATHERING_TRUSTED_PROXIES", "10.0.0.0/40")]).unwrap_err();
    assert!(
        err.to_string().contains("GATHERING_TRUSTED_PROXIES"),
        "{err}"
    );
    let err = load(&[("GATHERING_SELF_REGISTRATION", "maybe")]).unwrap_err();
    assert!(
        err.to_string().contains("GATHERING_SELF_REGISTRATION"),
        "{err}"
    );
}

#[test]
fn database_url_never_prints() {
    let config = load(&[("DATABASE_URL", "postgres://u:hunter2@localhost/db")]).unwrap();
    let shown = format!("{config:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
}

#[test]
fn file_layer_rejects_unknown_keys_and_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.toml");
    std::fs::write(&path, "addr = \"127.0.0.1:7000\"\n[http]\nbody_limt = 3\n").unwrap();
    let overrides = Overrides {
        config_file: Some(path.clone()),
        ..Overrides::default()
    };
    let err = Config::load(&[("X", "y")], &overrides).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("body_limt") && text.contains("line 3"),
        "{text}"
    );

    std::fs::write(
        &path,
        "addr = \"127.0.0.1:7000\"\n[http]\ncors_origins = [\"https://a.example\"]\n",
    )
    .unwrap();
    let config = Config::load(&[("X", "y")], &overrides).unwrap();
    assert_eq!(config.addr.port(), 7000);
    assert_eq!(config.http.cors_origins, vec!["https://a.example"]);
    // The environment beats the file.
    let config = Config::load(&[("GATHERING_ADDR", "127.0.0.1:7001")], &overrides).unwrap();
    assert_eq!(config.addr.port(), 7001);
}
