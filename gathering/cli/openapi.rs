//! `gathering openapi`: the OpenAPI document as JSON, for the dashboard's generated types.

use std::process::ExitCode;

use super::CliResult;

/// Prints the document served at `/api/openapi.json`.
pub fn print() -> CliResult {
    let document = crate::api::openapi::document();
    println!("{}", serde_json::to_string_pretty(&document)?);
    Ok(ExitCode::SUCCESS)
}
