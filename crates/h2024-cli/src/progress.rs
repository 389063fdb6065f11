//! A progress bar on stderr while a large request is read, then a spinner while it is
//! evaluated: only when stderr is a terminal and the input is over 10 MB (README, "Command
//! line"). Nothing is drawn otherwise, so pipes and logs stay clean.

use std::io::{self, Write as _};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Inputs over this many bytes get a progress bar (10 MB).
pub const THRESHOLD: u64 = 10_000_000;

/// The width of the bar, in characters.
const WIDTH: usize = 30;

/// How often the spinner turns.
const TICK: Duration = Duration::from_millis(100);

/// The progress shown for one input.
#[derive(Debug)]
pub struct Progress {
    /// stderr is a terminal.
    terminal: bool,
    /// The input's size, when known (a file).
    total: Option<u64>,
    /// Drawing: a terminal and an input over [`THRESHOLD`].
    shown: bool,
    /// The last percentage (or megabyte, for stdin) drawn, so as to draw on change only.
    last: Option<u64>,
}

impl Progress {
    /// Progress drawn on stderr when `terminal` (stderr is a terminal).
    pub fn new(terminal: bool) -> Progress {
        Progress {
            terminal,
            total: None,
            shown: false,
            last: None,
        }
    }

    /// Reading starts; `total` is the input's size when known.
    pub fn start_reading(&mut self, total: Option<u64>) {
        self.total = total;
        self.shown = self.terminal && total.is_some_and(|t| t > THRESHOLD);
    }

    /// `done` bytes are read.
    pub fn read(&mut self, done: u64) {
        if let Some(text) = self.update(done) {
            draw(&text);
        }
    }

    /// What to draw once `done` bytes are read: the bar when it changed, else nothing.
    fn update(&mut self, done: u64) -> Option<String> {
        if !self.shown && self.terminal && done > THRESHOLD {
            // stdin, whose size shows only as it is read.
            self.shown = true;
        }
        if !self.shown {
            return None;
        }
        let step = match self.total {
            Some(total) if total > 0 => done.saturating_mul(100) / total,
            _ => done / 1_000_000,
        };
        (self.last != Some(step)).then(|| {
            self.last = Some(step);
            bar(done, self.total)
        })
    }

    /// Reading is done.
    pub fn finish_reading(&mut self) {
        if self.shown {
            draw("");
        }
    }

    /// Runs `evaluate`, with a spinner turning on stderr meanwhile when the input was large.
    pub fn evaluating<T: Send>(&self, evaluate: impl FnOnce() -> T + Send) -> T {
        if !self.shown {
            return evaluate();
        }
        let stop = AtomicBool::new(false);
        std::thread::scope(|scope| {
            scope.spawn(|| {
                let started = Instant::now();
                let mut turn = 0;
                while !stop.load(Ordering::Relaxed) {
                    draw(&spinner(turn, started.elapsed()));
                    turn += 1;
                    std::thread::sleep(TICK);
                }
                draw("");
            });
            let result = evaluate();
            stop.store(true, Ordering::Relaxed);
            result
        })
    }
}

/// Replaces the current stderr line with `text` (an empty text clears it).
fn draw(text: &str) {
    let mut err = io::stderr().lock();
    // A progress line that cannot be drawn is no reason to stop.
    let _ = write!(err, "\r\x1b[2K{text}");
    let _ = err.flush();
}

/// The reading bar: `reading [#####.....]  45%  123.4 of 270.0 MB`, or the megabytes read
/// when the size is unknown.
pub fn bar(done: u64, total: Option<u64>) -> String {
    let mb = |bytes: u64| bytes as f64 / 1e6;
    match total {
        Some(total) if total > 0 => {
            let done = done.min(total);
            let filled = usize::try_from(done.saturating_mul(WIDTH as u64) / total).unwrap_or(0);
            format!(
                "reading [{}{}] {:>3}%  {:.1} of {:.1} MB",
                "#".repeat(filled),
                ".".repeat(WIDTH - filled),
                done.saturating_mul(100) / total,
                mb(done),
                mb(total)
            )
        }
        _ => format!("reading {:.1} MB", mb(done)),
    }
}

/// The spinner while evaluating: `evaluating | 3s`.
pub fn spinner(turn: usize, elapsed: Duration) -> String {
    const FRAMES: [char; 4] = ['|', '/', '-', '\\'];
    format!(
        "evaluating {} {}s",
        FRAMES[turn % FRAMES.len()],
        elapsed.as_secs()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_fills_with_the_input() {
        assert_eq!(
            bar(0, Some(20_000_000)),
            format!("reading [{}]   0%  0.0 of 20.0 MB", ".".repeat(30))
        );
        assert_eq!(
            bar(10_000_000, Some(20_000_000)),
            format!(
                "reading [{}{}]  50%  10.0 of 20.0 MB",
                "#".repeat(15),
                ".".repeat(15)
            )
        );
        assert_eq!(
            bar(20_000_000, Some(20_000_000)),
            format!("reading [{}] 100%  20.0 of 20.0 MB", "#".repeat(30))
        );
        assert_eq!(bar(12_345_678, None), "reading 12.3 MB");
    }

    #[test]
    fn the_spinner_turns() {
        assert_eq!(spinner(0, Duration::from_secs(3)), "evaluating | 3s");
        assert_eq!(spinner(5, Duration::ZERO), "evaluating / 0s");
    }

    #[test]
    fn nothing_is_shown_off_a_terminal_or_for_a_small_input() {
        let mut off = Progress::new(false);
        off.start_reading(Some(THRESHOLD * 3));
        assert_eq!(off.update(THRESHOLD * 2), None);
        let mut small = Progress::new(true);
        small.start_reading(Some(THRESHOLD));
        assert_eq!(small.update(THRESHOLD), None);
        assert_eq!(small.evaluating(|| 7), 7);
    }

    #[test]
    fn a_large_input_on_a_terminal_is_shown_as_it_changes() {
        let mut file = Progress::new(true);
        file.start_reading(Some(THRESHOLD * 2));
        assert_eq!(
            file.update(THRESHOLD),
            Some(bar(THRESHOLD, Some(THRESHOLD * 2)))
        );
        assert_eq!(file.update(THRESHOLD + 1), None); // still 50%
        let mut stdin = Progress::new(true);
        stdin.start_reading(None);
        assert_eq!(stdin.update(THRESHOLD), None);
        assert_eq!(stdin.update(THRESHOLD + 1), Some(bar(THRESHOLD + 1, None)));
    }
}
