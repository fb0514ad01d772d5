//! The `livestock` binary: the command line (clap) and its dispatch, nothing else. Serving is
//! [`livestock::run`] over a [`Config`] resolved from the serve flags; the other commands are the
//! tools of [`livestock::tools`], which bring their own server.

use clap::{Parser, Subcommand};
use livestock::config::{Config, ServeArgs};
use livestock::tools::{demo, load, load_screens};
use std::process::ExitCode;

/// mimalloc: the server allocates many small short-lived buffers per request; glibc's malloc showed
/// as the top user-space cost under load.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug)]
#[command(
    name = "livestock",
    version,
    about = "直播库存看板: the stock book and live board of a live-stream shop"
)]
#[command(args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// `livestock` alone serves, with the same flags as `livestock serve`.
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the API and the screens (the default).
    Serve(ServeArgs),
    /// Post one-unit paid orders for one hot SKU as fast as a server takes them, and report.
    Load(load::LoadArgs),
    /// Connect many WebSocket screens while orders arrive at a fixed rate; report memory per idle
    /// screen and the delay from an order's acknowledgement to the diff that carries it.
    LoadScreens(load_screens::ScreensArgs),
    /// Start a server and play a believable live show on it, so the board moves (SPEC F7).
    Demo(demo::DemoArgs),
}

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
        Some(Command::Load(args)) => runtime.block_on(load::run(args)),
        Some(Command::LoadScreens(args)) => runtime.block_on(load_screens::run(args)),
        Some(Command::Demo(args)) => runtime.block_on(demo::run(args)),
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

/// Serves until a signal; a journal failure exits 74 (`EX_IOERR`), any other error (a bad config
/// among them) 1.
fn serve(runtime: &tokio::runtime::Runtime, args: &ServeArgs) -> ExitCode {
    let served = Config::resolve(args)
        .map_err(livestock::RunError::Startup)
        .and_then(|config| runtime.block_on(livestock::run(config, livestock::shutdown_signal())));
    let code = match served {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("livestock: {e}");
            e.exit_code()
        }
    };
    // The journal is flushed (or failed) by now: exit without dropping the runtime and the
    // readers' copy of every order, which with millions of orders takes seconds (issue 15: a
    // clean stop within 2 s).
    std::process::exit(i32::from(code))
}
