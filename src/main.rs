//! The `livestock` binary: configuration, logging, signals, then [`livestock::run`].

use clap::Parser;
use livestock::config::{Cli, Command, Config};
use std::process::ExitCode;

/// mimalloc: the server allocates many small short-lived buffers per request; glibc's malloc showed
/// as the top user-space cost under load.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("livestock: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match cli.command {
        Some(Command::Load(args)) => runtime.block_on(livestock::load::run(args)),
        Some(Command::LoadScreens(args)) => runtime.block_on(livestock::screens_load::run(args)),
        Some(Command::Demo(args)) => runtime.block_on(livestock::demo::run(args)),
        Some(Command::Serve(args)) => serve(&runtime, &args),
        None => serve(&runtime, &cli.serve),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("livestock: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve(
    runtime: &tokio::runtime::Runtime,
    args: &livestock::config::ServeArgs,
) -> Result<(), String> {
    let config = Config::resolve(args)?;
    runtime.block_on(livestock::run(config, livestock::shutdown_signal()))
}
