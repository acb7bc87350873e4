//! The waits between attempts to reach something that is down: a relay to pair with or stream
//! from, a smee channel. Each wait doubles from `min` up to `max` and is drawn at random
//! between half and all of its step, so that desktops cut off together (a relay restarting)
//! do not all come back at once.

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};

/// Never-ending waits: the first between `min / 2` and `min`, the later ones doubling, none
/// longer than `max`. Start a new one to start over (after a connection that worked).
pub fn delays(min: Duration, max: Duration) -> impl Iterator<Item = Duration> + Send {
    // backon adds up to 100 % of each step: steps from `min / 2` to `max / 2` make waits
    // from half to all of `min` … `max`.
    ExponentialBuilder::new()
        .with_min_delay(min / 2)
        .with_max_delay(max / 2)
        .with_jitter()
        .without_max_times()
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_from_min_to_max_each_between_half_and_all_of_its_step() {
        let (min, max) = (Duration::from_millis(500), Duration::from_secs(60));
        let waits: Vec<Duration> = delays(min, max).take(40).collect();
        assert_eq!(waits.len(), 40, "it never runs out");
        for (attempt, wait) in waits.iter().enumerate() {
            let step = min.saturating_mul(1 << attempt.min(20)).min(max);
            assert!(
                *wait >= step / 2 && *wait < step,
                "attempt {attempt}: {wait:?} for a step of {step:?}"
            );
        }
    }

    #[test]
    fn the_waits_are_jittered() {
        let first: Vec<Duration> = (0..20)
            .map(|_| delays(Duration::from_secs(1), Duration::from_secs(60)).nth(3))
            .map(|wait| wait.unwrap_or_default())
            .collect();
        assert!(
            first.iter().any(|w| *w != first[0]),
            "20 desktops would reconnect at the same moment: {first:?}"
        );
    }
}
