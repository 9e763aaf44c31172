//! `gathering users create`: a user from flags and a password on stdin, through the same
//! domain call as `POST /api/users`.

use std::process::ExitCode;

use super::CliResult;
use super::args::CreateUserArgs;
use super::maintenance::Maintenance;
use crate::auth::model::{Email, Password};
use crate::config::Config;

/// `users create`: parses everything before touching the database, then creates the user
/// through the same domain call as `POST /api/users` (audited, actor: the command line).
pub async fn create(args: CreateUserArgs, config: Config) -> CliResult {
    let email = Email::parse(&args.email).map_err(|e| format!("--email: {e}"))?;
    let role = args.role.parse().map_err(|e| format!("--role: {e}"))?;
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("reading the password from stdin: {e}"))?;
    let password = Password::parse(line.trim_end_matches(['\r', '\n']))
        .map_err(|e| format!("password (stdin): {e}"))?;
    let name = args.name.unwrap_or_else(|| {
        email
            .as_str()
            .split('@')
            .next()
            .unwrap_or("user")
            .to_owned()
    });
    let maintenance = Maintenance::open(&config).await?;
    let result = maintenance.create_user(email, name, password, role).await;
    maintenance.close().await;
    let user = result?;
    println!("created {} ({}, {})", user.email, user.role, user.id);
    Ok(ExitCode::SUCCESS)
}
