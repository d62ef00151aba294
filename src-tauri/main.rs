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
/// the environment is safe to change; the web and network processes inherit it): Skia paints
/// the page's tiles on the CPU instead of through GL. Measured idle on the counter under Xvfb
/// (Mesa's software GL; README, "The window, measured"): the web process's GL painting held
/// about 40 MiB of tile and texture memory, the tree's PSS went from about 337 to 292 MiB, and
/// the page still composites (WebDriver's screenshots, which hung with compositing off or
/// with `WEBKIT_DISABLE_DMABUF_RENDERER`, keep working). The counter's page is text, buttons
/// and one QR code: the CPU paints it at once. A user's own setting wins
/// (`WEBKIT_SKIA_ENABLE_CPU_RENDERING=0` gives GL painting back, e.g. to compare).
#[cfg(target_os = "linux")]
fn webkit_rendering() {
    if std::env::var_os("WEBKIT_SKIA_ENABLE_CPU_RENDERING").is_none() {
        std::env::set_var("WEBKIT_SKIA_ENABLE_CPU_RENDERING", "1");
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
