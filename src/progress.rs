//! The progress bar of long runs: on stderr, only when stderr is a terminal and the run is
//! not in CI, and only once the run has taken long enough to be worth one (a pre-commit run
//! on a few files never flashes a bar).

use crate::engine::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a run goes before its bar appears.
const SHOW_AFTER: Duration = Duration::from_millis(400);

/// Whether a bar may be drawn: stderr is a terminal that can redraw a line, and no CI
/// system is running us (CI logs capture stderr through a pseudo-terminal at times).
pub fn wanted(stderr_is_terminal: bool, ci: Option<&str>, term: Option<&str>) -> bool {
    stderr_is_terminal
        && ci.is_none_or(|value| value.is_empty() || value == "0" || value == "false")
        && term != Some("dumb")
}

/// A bar on stderr when [`wanted`] says so for this process.
pub fn for_stderr() -> Option<Arc<dyn Progress>> {
    let ci = std::env::var("CI").ok();
    let term = std::env::var("TERM").ok();
    wanted(
        std::io::stderr().is_terminal(),
        ci.as_deref(),
        term.as_deref(),
    )
    .then(|| Arc::new(TerminalProgress::new()) as Arc<dyn Progress>)
}

/// An indicatif bar, hidden until [`SHOW_AFTER`] has passed.
#[derive(Debug)]
pub struct TerminalProgress {
    bar: ProgressBar,
    started: Instant,
    shown: AtomicBool,
}

impl TerminalProgress {
    fn new() -> Self {
        Self {
            bar: ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()),
            started: Instant::now(),
            shown: AtomicBool::new(false),
        }
    }

    fn show_when_due(&self) {
        if !self.shown.load(Ordering::Relaxed)
            && self.started.elapsed() >= SHOW_AFTER
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            self.bar
                .set_draw_target(ProgressDrawTarget::stderr_with_hz(10));
            self.bar.enable_steady_tick(Duration::from_millis(100));
        }
    }
}

impl Progress for TerminalProgress {
    fn start(&self, phase: &'static str, total: usize) {
        let style = if total == 0 {
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
        } else {
            ProgressStyle::with_template(
                "{spinner} {msg} [{bar:30}] {pos}/{len} files ({elapsed}, {eta} left)",
            )
        };
        if let Ok(style) = style {
            self.bar.set_style(style.progress_chars("=> "));
        }
        self.bar.set_length(total as u64);
        self.bar.set_position(0);
        self.bar.reset_eta();
        self.bar.set_message(phase);
        self.show_when_due();
    }

    fn advance(&self) {
        self.bar.inc(1);
        self.show_when_due();
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::wanted;

    #[test]
    fn a_bar_only_on_a_terminal_outside_ci() {
        assert!(wanted(true, None, Some("xterm-256color")));
        assert!(!wanted(false, None, Some("xterm")), "a pipe or a file");
        assert!(!wanted(true, Some("true"), Some("xterm")), "CI=true");
        assert!(!wanted(true, Some("1"), None), "CI=1");
        assert!(wanted(true, Some("false"), None), "CI=false is no CI");
        assert!(
            !wanted(true, None, Some("dumb")),
            "a terminal that cannot redraw"
        );
    }
}
