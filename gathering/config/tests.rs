//! The configuration's layers, mappings and refusals.

use super::*;
use std::time::Duration;

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

/// Loads `text` as the configuration file, with `env` over it.
fn load_file(text: &str, env: &impl EnvSource) -> Result<Config, ConfigError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.toml");
    std::fs::write(&path, text).unwrap();
    let overrides = Overrides {
        config_file: Some(path),
        ..Overrides::default()
    };
    Config::load(env, &overrides)
}

#[test]
fn each_section_reads_its_keys_into_the_modules_settings() {
    let config = load_file(
        "[pipelines]\nlease_secs = 2.5\npoll_interval_ms = 100\n\
         [scheduler]\nenabled = false\nmisfire_grace_secs = 0\n\
         [events]\ndedup_window_ms = 250\nretention_days = 2\n\
         [auth]\nself_registration_role = \"member\"\n\
         [tools]\nhttp_allow_private = false\n",
        &[("GATHERING_HTTP_ALLOW_PRIVATE", "on")],
    )
    .unwrap();
    assert_eq!(config.pipelines.lease, Duration::from_millis(2500));
    assert_eq!(config.pipelines.poll_interval, Duration::from_millis(100));
    assert!(!config.scheduler.enabled);
    assert_eq!(config.scheduler.misfire_grace, Duration::ZERO);
    assert_eq!(config.events.dedup_window, Some(Duration::from_millis(250)));
    assert_eq!(config.events.retention, Duration::from_secs(2 * 24 * 3600));
    assert_eq!(
        config.auth.self_registration_role,
        crate::core::identity::Role::Member
    );
    assert!(
        config.tools.http_allow_private,
        "the environment beats the file"
    );
    // What the file does not say keeps the module's default.
    assert_eq!(config.pipelines.max_concurrent_runs, 64);
    let zero = load_file("[events]\ndedup_window_ms = 0\n", &[("X", "y")]).unwrap();
    assert_eq!(zero.events.dedup_window, None);
}

#[test]
fn out_of_range_values_name_the_key_and_bad_ones_the_line_or_variable() {
    let err = load_file("[pipelines]\nlease_secs = 0\n", &[("X", "y")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid pipelines.lease_secs: must be more than 0 and at most 3600"
    );
    let err = load_file("[scheduler]\nmisfire_grace_secs = 90000\n", &[("X", "y")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid scheduler.misfire_grace_secs: must be 0 to 86400"
    );
    let err = load_file("\n[pipelines]\ncancel_grace_secs = -1\n", &[("X", "y")]).unwrap_err();
    assert!(err.to_string().contains("line 3"), "{err}");
    let err = load_file("[auth]\nself_registration_role = \"boss\"\n", &[("X", "y")]).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("unknown role `boss`") && text.contains("line 2"),
        "{text}"
    );
    let err = load_file("[http]\ntrusted_proxies = [\"nope\"]\n", &[("X", "y")]).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("`nope` is not an IP address") && text.contains("line 2"),
        "{text}"
    );

    let err = load(&[("GATHERING_SELF_REGISTRATION", "maybe")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid GATHERING_SELF_REGISTRATION: expected true or false, got `maybe`"
    );
    let err = load(&[("GATHERING_TRUSTED_PROXIES", "10.0.0.1,10.0.0.0/40")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid GATHERING_TRUSTED_PROXIES: `10.0.0.0/40` is not an IP address or CIDR range"
    );
    let err = load(&[("GATHERING_ADDR", "localhost")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid GATHERING_ADDR: `localhost` is not an address like 127.0.0.1:8000"
    );
    let err = load(&[("GATHERING_DEVICE", "tpu")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid models.device: must be auto, cpu or cuda"
    );
}

#[test]
fn removed_and_environment_only_keys_are_refused_in_the_file() {
    // `events.handler_concurrency` went with the handler loop it sized.
    let err = load_file("[events]\nhandler_concurrency = 4\n", &[("X", "y")]).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("handler_concurrency") && text.contains("line 2"),
        "{text}"
    );
    // The first admin comes from the environment only.
    let err = load_file("[auth]\nadmin_email = \"a@b.c\"\n", &[("X", "y")]).unwrap_err();
    assert!(err.to_string().contains("admin_email"), "{err}");
    let config = load(&[
        ("GATHERING_ADMIN_EMAIL", "a@b.c"),
        ("GATHERING_ADMIN_PASSWORD", "secret password"),
    ])
    .unwrap();
    assert_eq!(config.auth.admin_email.as_deref(), Some("a@b.c"));
    let err = load(&[("GATHERING_ADMIN_EMAIL", "a@b.c")]).unwrap_err();
    assert!(err.to_string().contains("go together"), "{err}");
}
