//! Agents' settings, the `[agents]` section of the configuration: defined here once (field,
//! doc, default, range); `config/` reads the section into this type.

use std::path::PathBuf;

use serde::Deserialize;

use crate::core::settings::{Invalid, check};

/// Settings of agents and personas (config `[agents]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgentSettings {
    /// Persona files imported at first start (`GATHERING_PERSONAS_DIR`).
    pub personas_dir: PathBuf,
    /// The chat model of agents whose persona names none.
    pub default_model: String,
    /// Turns one agent runs at once (on this instance); more wait in its queue.
    pub max_concurrent_turns: usize,
    /// Turns that may wait for one agent; past this, 429 `agent_busy`.
    pub max_queued_turns: usize,
    /// Answer length when neither the request nor the agent says. Not read from `[agents]`:
    /// the composition root sets it from `models.default_max_tokens`.
    #[serde(skip)]
    pub default_max_tokens: u32,
}

impl Default for AgentSettings {
    fn default() -> Self {
        Self {
            personas_dir: PathBuf::from("personas"),
            default_model: "smollm2-135m-instruct".into(),
            max_concurrent_turns: 4,
            max_queued_turns: 32,
            default_max_tokens: 512,
        }
    }
}

impl AgentSettings {
    pub fn validate(&self) -> Result<(), Invalid> {
        check(
            (1..=256).contains(&self.max_concurrent_turns),
            "agents.max_concurrent_turns",
            "must be between 1 and 256",
        )?;
        check(
            self.max_queued_turns <= 10_000,
            "agents.max_queued_turns",
            "must be at most 10000",
        )
    }
}
