//! `bole`, the one program: serves the HR platform over HTTP and runs the
//! operator's commands. Parsing is in `cli`, behaviour in `commands`, wiring in
//! the `bole-app` library.
//!
//! Exit codes: 0 success; 1 the work failed (invalid ID number, database
//! unreachable, duplicate username…); 2 usage or configuration error (clap's own
//! code for a bad command line, and ours for bad settings). Errors are printed
//! on stderr in Chinese, then English; nothing panics on bad input.

mod audit_cmd;
mod cli;
mod commands;
mod data_tools;
mod keys_cmd;
mod payroll_cmd;
mod payroll_run_cmd;
mod time_cmd;

use bole_app::ErrorClass;
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{}", e.msg.zh);
            eprintln!("error: {}", e.msg.en);
            match e.class {
                ErrorClass::Config => ExitCode::from(2),
                ErrorClass::Failure => ExitCode::FAILURE,
            }
        }
    }
}
