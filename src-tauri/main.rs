// No console window behind the app on Windows release builds.
#![cfg_attr(
    all(not(debug_assertions), target_os = "windows"),
    windows_subsystem = "windows"
)]

//! The `paydesk` binary: with a subcommand it is the CLI, without one it opens the window.

mod bench;
mod bench_shop;
mod cli;
mod shell;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let mut cli = cli::Cli::parse();
    init_logging();
    match cli.command.take() {
        Some(command) => cli::run(cli, command),
        None => shell::run(cli.data_dir.clone(), cli.mode()),
    }
}

/// Logs go to stderr, filtered by PAYDESK_LOG (default: warnings; `PAYDESK_LOG=paydesk=info`
/// shows the app's progress).
/// Nothing secret is ever logged: credentials only exist inside `Sensitive`.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PAYDESK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
}
