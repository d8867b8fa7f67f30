//! `server`: serves the Klarsicht portal. `server --help` lists every setting.

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = server::settings::Cli::parse();
    match server::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One line that says what is wrong and how to fix it.
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
