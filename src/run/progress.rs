//! The progress bar on stderr, on a terminal only: drawn from the start for a sweep, after a
//! second for the other commands. A sweep written to a log file (a cluster job's output) gets a
//! line of words per 10% instead, never a bar.

use std::io::IsTerminal as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{HumanDuration, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar on stderr (indicatif), drawn on a terminal only. A sweep's is drawn from the
/// start, redrawn in place; in a log file (a cluster job's output) a sweep writes a line of words
/// per 10% ("progress: 40 of 100 runs done (40%; ...)"), with no bar. Other commands show one
/// only on a terminal and only once they have run for a second, so a quick run prints nothing
/// extra.
pub struct Progress {
    /// None: counts nothing, draws nothing.
    bar: Option<ProgressBar>,
    terminal: bool,
    /// Not drawn before this.
    from: Instant,
    /// Log files: the last tenth written (under a lock, so lines never go backwards).
    logged: Mutex<u64>,
    pub(super) drawn: AtomicBool,
}

impl Progress {
    /// A sweep's progress bar.
    pub fn new(total: usize) -> Self {
        Progress::make(total, Instant::now(), true)
    }

    /// A bar that appears on a terminal after a second.
    pub fn when_slow(total: usize) -> Self {
        Progress::make(total, Instant::now() + Duration::from_secs(1), false)
    }

    /// Counts and draws nothing.
    pub fn silent() -> Self {
        Progress { bar: None, terminal: false, from: Instant::now(), logged: Mutex::new(0), drawn: false.into() }
    }

    fn make(total: usize, from: Instant, in_logs: bool) -> Self {
        let terminal = std::io::stderr().is_terminal();
        if !terminal && !in_logs {
            return Progress::silent();
        }
        // Drawn by hand in a log file, and on a terminal from `from` on.
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
        let style = ProgressStyle::with_template("[{bar:30}] {pos}/{len} ({elapsed}, about {eta} left)").map(|s| s.progress_chars("#>-"));
        if let Ok(style) = style {
            bar.set_style(style);
        }
        Progress { bar: Some(bar), terminal, from, logged: Mutex::new(0), drawn: false.into() }
    }

    pub fn tick(&self) {
        let Some(bar) = &self.bar else { return };
        bar.inc(1);
        if self.terminal {
            if Instant::now() >= self.from && !self.drawn.swap(true, Ordering::Relaxed) {
                bar.set_draw_target(ProgressDrawTarget::stderr());
            }
            return;
        }
        let Ok(mut logged) = self.logged.lock() else { return };
        let (n, total) = (bar.position(), bar.length().unwrap_or(1).max(1));
        let tenth = n * 10 / total;
        if tenth > *logged || (n == total && *logged < 10) {
            *logged = tenth;
            // A log file gets words, not a bar: a bar's characters are a terminal's drawing.
            eprintln!(
                "progress: {n} of {total} runs done ({}%; {} elapsed, about {} left)",
                n * 100 / total,
                HumanDuration(bar.elapsed()),
                HumanDuration(bar.eta())
            );
            self.drawn.store(true, Ordering::Relaxed);
        }
    }

    /// Leaves the finished bar on the terminal, if one was drawn.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar
            && self.terminal
            && self.drawn.load(Ordering::Relaxed)
        {
            bar.finish();
        }
    }
}
