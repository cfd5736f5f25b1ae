//! Fuzz target `packs_lint`: `eca-guard packs lint FILE` on arbitrary text, through
//! `lint::assert_holds` (cli/src/lint.rs). The CLI is a binary crate, so its lint module is
//! compiled in here from its own file, with the two names it takes from the CLI's root.
#![no_main]

use std::process::ExitCode;

/// The CLI's `println!` (cli/src/main.rs), which lint.rs's `run` uses (never called here).
macro_rules! println {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// The CLI's exit status for unreadable input (cli/src/main.rs).
const EXIT_INPUT: u8 = 2;

/// The CLI's error exit (cli/src/main.rs), for lint.rs's `run`.
fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("eca-guard: {message}");
    ExitCode::from(EXIT_INPUT)
}

#[allow(dead_code)]
#[path = "../../cli/src/lint.rs"]
mod lint;

libfuzzer_sys::fuzz_target!(|data: &[u8]| lint::assert_holds(&String::from_utf8_lossy(data)));
