//! Work the window does off the frame (the forecast, the compare view's bands, the parameter
//! band, the cards' chance check): each runs on a background thread and is taken in by a system
//! once it is done. Launching again supersedes the job on its way: its result is never read.

use std::sync::{Arc, Mutex};

/// The newest background job of one kind, until its result is taken.
pub struct Job<T> {
    /// Where the newest job puts its result; an older job writes into a slot nobody reads.
    slot: Arc<Mutex<Option<T>>>,
    running: bool,
}

impl<T> Default for Job<T> {
    fn default() -> Self {
        Job { slot: Arc::new(Mutex::new(None)), running: false }
    }
}

impl<T: Send + 'static> Job<T> {
    /// Starts `work` on a background thread, superseding the job on its way.
    pub fn launch(&mut self, work: impl FnOnce() -> T + Send + 'static) {
        let slot = Arc::new(Mutex::new(None));
        self.slot = slot.clone();
        self.running = true;
        std::thread::spawn(move || {
            let result = work();
            if let Ok(mut s) = slot.lock() {
                *s = Some(result);
            }
        });
    }

    /// The newest job's result, once, when it is done.
    pub fn take(&mut self) -> Option<T> {
        let result = self.slot.lock().ok().and_then(|mut s| s.take());
        if result.is_some() {
            self.running = false;
        }
        result
    }

    /// Launched and not taken in yet (the window keeps drawing until it is).
    pub fn running(&self) -> bool {
        self.running
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_newest_job_is_taken_in() {
        let mut job = Job::default();
        assert!(!job.running() && job.take().is_none());
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        // The first job waits until the second is done; its result must never come in.
        job.launch(move || {
            rx.recv().ok();
            1
        });
        job.launch(|| 2);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let got = loop {
            if let Some(v) = job.take() {
                break v;
            }
            assert!(std::time::Instant::now() < deadline, "the job never finished");
            std::thread::yield_now();
        };
        assert_eq!(got, 2);
        assert!(!job.running());
        tx.send(()).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert_eq!(job.take(), None, "the superseded job's result is not read");
    }
}
