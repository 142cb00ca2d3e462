//! `masthead`: the one binary. Thin on purpose: it reads the command line,
//! then hands over to [`commands`].

mod billing;
mod cli;
mod commands;
mod epaper;
mod index;
mod newsletters;
mod seed;
mod staff;
mod watch;
mod wire_import;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc: under a burst of readers the server allocates and frees from
/// many threads at once, where it keeps both time and memory (RSS) lower
/// than the system allocator (see bench/RESULTS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MASTHEAD_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
