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
        None => {
            #[cfg(target_os = "linux")]
            webkit_rendering();
            shell::run(cli.data_dir.clone(), cli.mode())
        }
    }
}

/// How WebKitGTK draws the window, set before GTK starts (and before any thread exists, so
/// the environment is safe to change; the web and network processes inherit it). Measured
/// under Xvfb on 2 cores (README, "The window, measured"):
/// - no accelerated compositing (`WEBKIT_DISABLE_COMPOSITING_MODE=1`): the page is painted
///   straight into the window's buffer instead of into GL layers composited every frame. With
///   Mesa's software GL the compositor's threads took both cores for seconds after Orders
///   opened (frames 100 ms apart: a dropdown's new rows waited for them), and its layers held
///   about 50 to 90 MiB (idle tree PSS 288 -> 229 MiB, Orders scrolled 377 -> 288). The counter's
///   page is text, buttons and one QR code, with no animation: nothing it shows needs layers.
/// - Skia paints on the CPU (`WEBKIT_SKIA_ENABLE_CPU_RENDERING=1`): what painting there is,
///   should compositing be turned back on, without GL textures (about 40 MiB).
///
/// A user's own setting wins: `WEBKIT_DISABLE_COMPOSITING_MODE=0` gives compositing back
/// (e.g. on a machine whose GPU makes it cheap), `WEBKIT_SKIA_ENABLE_CPU_RENDERING=0` GL
/// painting.
#[cfg(target_os = "linux")]
fn webkit_rendering() {
    for (name, value) in [
        ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
        ("WEBKIT_SKIA_ENABLE_CPU_RENDERING", "1"),
    ] {
        if std::env::var_os(name).is_none() {
            std::env::set_var(name, value);
        }
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
