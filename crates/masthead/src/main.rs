//! `masthead`: the one binary. Thin on purpose: it reads the command line,
//! then hands over to [`commands`].

mod billing;
mod check;
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
    let filter = tracing_subscriber::EnvFilter::try_from_env("MASTHEAD_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into());
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let json = cli.log_format == cli::LogFormat::Json;
    if json {
        commands::JSON_LOGS.store(true, std::sync::atomic::Ordering::Relaxed);
        logs.json().init();
    } else {
        logs.init();
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if json => {
            tracing::error!("error: {error:#}");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
