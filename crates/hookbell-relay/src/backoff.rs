//! The waits between attempts to reach something that is down: a relay to pair with or stream
//! from, a smee channel. Each wait doubles from `min` up to `max` and is drawn at random
//! between half and all of its step, so that desktops cut off together (a relay restarting)
//! do not all come back at once.

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBackoff, ExponentialBuilder};

/// The waits of one run of failed attempts.
pub struct Backoff {
    min: Duration,
    max: Duration,
    waits: ExponentialBackoff,
}

impl Backoff {
    /// Waits from about `min` up to `max`.
    pub fn new(min: Duration, max: Duration) -> Backoff {
        // backon adds up to 100 % of each step: steps from `min / 2` to `max / 2` make waits
        // from half to all of `min` … `max`.
        let waits = ExponentialBuilder::new()
            .with_min_delay(min / 2)
            .with_max_delay(max / 2)
            .with_jitter()
            .without_max_times()
            .build();
        Backoff { min, max, waits }
    }

    /// The wait before the next attempt: the first between `min / 2` and `min`, the later ones
    /// doubling, none longer than `max`.
    pub fn next_wait(&mut self) -> Duration {
        // Built without a limit on attempts, the waits never run out.
        self.waits.next().unwrap_or(self.max)
    }

    /// Starts over from `min`, after an attempt that worked.
    pub fn reset(&mut self) {
        *self = Backoff::new(self.min, self.max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_from_min_to_max_each_between_half_and_all_of_its_step() {
        let (min, max) = (Duration::from_millis(500), Duration::from_secs(60));
        let mut backoff = Backoff::new(min, max);
        for attempt in 0..40 {
            let wait = backoff.next_wait();
            let step = min.saturating_mul(1 << attempt.min(20)).min(max);
            assert!(
                wait >= step / 2 && wait < step,
                "attempt {attempt}: {wait:?} for a step of {step:?}"
            );
        }
        backoff.reset();
        assert!(backoff.next_wait() < min, "a reset starts over");
    }

    #[test]
    fn the_waits_are_jittered() {
        let fourth: Vec<Duration> = (0..20)
            .map(|_| {
                let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
                (0..4)
                    .map(|_| backoff.next_wait())
                    .last()
                    .unwrap_or_default()
            })
            .collect();
        assert!(
            fourth.iter().any(|w| *w != fourth[0]),
            "20 desktops would reconnect at the same moment: {fourth:?}"
        );
    }
}
