//! Progress of long runs (`detect`, `features`, `train` on a hundred
//! million transactions): a bar on a terminal (indicatif), a line every ten
//! seconds otherwise (logs of a batch job).

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One stage of a run.
pub struct Progress {
    label: String,
    bar: Option<ProgressBar>,
    /// Without a terminal: when a line was last printed.
    last_line: Mutex<Instant>,
    started: Instant,
}

impl Progress {
    /// A stage of `total` steps (`None`: counted without an end).
    pub fn new(label: &str, total: Option<u64>) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = match total {
                Some(n) => ProgressBar::new(n),
                None => ProgressBar::new_spinner(),
            };
            let template = if total.is_some() {
                "{msg} [{bar:30}] {human_pos}/{human_len} ({per_sec}, {eta} left)"
            } else {
                "{msg} {spinner} {human_pos} ({per_sec})"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message(format!("nexus: {label}"));
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress {
            label: label.to_string(),
            bar,
            last_line: Mutex::new(Instant::now()),
            started: Instant::now(),
        }
    }

    /// `done` of `total` steps so far.
    pub fn set(&self, done: u64, total: u64) {
        match &self.bar {
            Some(bar) => {
                if bar.length() != Some(total) && total > 0 {
                    bar.set_length(total);
                }
                bar.set_position(done);
            }
            None => {
                let mut last = self.last_line.lock().unwrap_or_else(|e| e.into_inner());
                if last.elapsed() >= Duration::from_secs(10) {
                    *last = Instant::now();
                    let share = if total > 0 {
                        format!(" ({:.0}%)", 100.0 * done as f64 / total as f64)
                    } else {
                        String::new()
                    };
                    eprintln!(
                        "nexus: {}: {done}{}{share} after {:.0} s",
                        self.label,
                        if total > 0 {
                            format!(" of {total}")
                        } else {
                            String::new()
                        },
                        self.started.elapsed().as_secs_f64()
                    );
                }
            }
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
