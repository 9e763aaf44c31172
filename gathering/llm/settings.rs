//! Language models' settings, the `[models]` section of the configuration: the local models
//! and the clients of hosted providers. Defined here once (field, doc, default, range);
//! `config/` reads the section into this type, and the two constructors below hand the local
//! engine and the provider clients their parts.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::local::{Device, LocalSettings};
use super::retry::ClientOptions;
use crate::core::settings::{self as de, Invalid, check};

/// Settings of the language models (config `[models]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Where the bootstrap unpacked the local models (`GATHERING_MODELS_DIR`).
    pub dir: PathBuf,
    /// `auto` (CUDA when built for it and present, else CPU), `cpu` or `cuda`
    /// (`GATHERING_DEVICE`).
    pub device: String,
    /// Load the local models at start instead of on first use.
    pub preload: bool,
    /// Conversations the local chat model decodes together in one forward pass.
    pub max_batch: usize,
    /// Tokens a local answer may have when the request sets no `max_tokens`.
    pub default_max_tokens: usize,
    /// Per attempt, until a hosted provider's response headers arrive. `provider_timeout_secs`.
    #[serde(rename = "provider_timeout_secs", deserialize_with = "de::secs")]
    pub provider_timeout: Duration,
    /// Retries of a hosted call on 429, 5xx and connection errors.
    pub provider_retries: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            dir: PathBuf::from(".gathering/models"),
            device: "auto".into(),
            preload: false,
            max_batch: 8,
            default_max_tokens: 512,
            provider_timeout: Duration::from_secs(120),
            provider_retries: 3,
        }
    }
}

impl Settings {
    pub fn validate(&self) -> Result<(), Invalid> {
        check(
            ["auto", "cpu", "cuda"].contains(&self.device.as_str()),
            "models.device",
            "must be auto, cpu or cuda",
        )?;
        check(
            (1..=64).contains(&self.max_batch),
            "models.max_batch",
            "must be between 1 and 64",
        )?;
        check(
            self.default_max_tokens > 0,
            "models.default_max_tokens",
            "must be greater than 0",
        )?;
        check(
            !self.provider_timeout.is_zero(),
            "models.provider_timeout_secs",
            "must be greater than 0",
        )
    }

    /// The local engine's part, on the device already chosen from `device`.
    pub fn local(&self, device: Device) -> LocalSettings {
        LocalSettings {
            dir: self.dir.clone(),
            device,
            max_batch: self.max_batch,
            default_max_tokens: self.default_max_tokens,
        }
    }

    /// How hosted providers are called.
    pub fn client_options(&self) -> ClientOptions {
        ClientOptions {
            timeout: self.provider_timeout,
            max_retries: self.provider_retries,
            ..ClientOptions::default()
        }
    }
}
