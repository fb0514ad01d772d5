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
    let tool = match cli.command {
        Some(Command::Load(args)) => runtime.block_on(livestock::tools::load::run(args)),
        Some(Command::LoadScreens(args)) => {
            runtime.block_on(livestock::tools::load_screens::run(args))
        }
        Some(Command::Demo(args)) => runtime.block_on(livestock::tools::demo::run(args)),
        Some(Command::Serve(args)) => return serve(&runtime, &args),
        None => return serve(&runtime, &cli.serve),
    };
    match tool {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("livestock: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Serves until a signal; a journal failure exits 74 (`EX_IOERR`), any other error 1.
fn serve(runtime: &tokio::runtime::Runtime, args: &livestock::config::ServeArgs) -> ExitCode {
    let served = Config::resolve(args)
        .map_err(livestock::RunError::Startup)
        .and_then(|config| runtime.block_on(livestock::run(config, livestock::shutdown_signal())));
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("livestock: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
