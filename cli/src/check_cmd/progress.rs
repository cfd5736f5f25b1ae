//! The progress spinner of `eca-guard check` (stderr, terminals only).

use std::io::{self, IsTerminal};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A spinner on stderr, shown only on a terminal and only for runs longer than 0.7 s.
pub struct Progress {
    pub bar: ProgressBar,
    started: Instant,
    pub shown: bool,
    tty: bool,
}

impl Progress {
    pub fn new() -> Progress {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {pos} apps checked in {elapsed} {msg}") {
            bar.set_style(style);
        }
        Progress {
            bar,
            started: Instant::now(),
            shown: false,
            tty: io::stderr().is_terminal(),
        }
    }

    pub fn tick(&mut self) {
        self.bar.inc(1);
        if self.tty && !self.shown && self.started.elapsed() > Duration::from_millis(700) {
            self.shown = true;
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    pub fn print(&self, f: impl FnOnce()) {
        if self.shown {
            self.bar.suspend(f);
        } else {
            f();
        }
    }
}
