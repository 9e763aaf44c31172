//! `gathering serve`: builds the app, prints where it listens (and the first-run setup link),
//! and runs it until SIGTERM or Ctrl-C starts the graceful shutdown.

use std::process::ExitCode;

use super::CliResult;
use crate::app::App;
use crate::config::Config;

/// `serve`: the whole server until SIGTERM or Ctrl-C.
pub async fn serve(config: Config) -> CliResult {
    let mut app = App::build(config).await?;
    app.print_setup_link();
    eprintln!("gathering listening on http://{}", app.local_addr());
    let token = app.shutdown_token();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("signal received");
        token.cancel();
    });
    app.run().await?;
    Ok(ExitCode::SUCCESS)
}

async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler installs");
    let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler installs");
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}
