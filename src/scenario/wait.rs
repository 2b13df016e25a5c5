//! Waiting on the virtual clock, for scenario steps and the shell alike: the limits of
//! one wait ([`MAX_WAIT`]) and of a whole run ([`MAX_TOTAL_WAIT`]), and the one
//! `wait-for` loop ([`wait_for`]).

use std::time::Duration;

use super::expect::StepOutcome;
use super::run::Backend;
use super::{format_duration, MAX_TOTAL_WAIT, MAX_WAIT};

/// How far the virtual clock moves between two looks at a `wait-for` condition.
pub const WAIT_FOR_POLL: Duration = Duration::from_secs(1);

/// A wait beyond a limit: the same words in a scenario file and in the shell.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WaitLimit {
    /// One `wait` or `timeout` longer than [`MAX_WAIT`].
    #[error("`{key}`: `{text}` is longer than the limit of 24h (MAX_WAIT)")]
    TooLong {
        /// `wait` or `timeout`.
        key: String,
        /// The duration as written.
        text: String,
    },
    /// The waits and wait-for timeouts of one run together beyond [`MAX_TOTAL_WAIT`].
    #[error("waiting (and the wait-for timeouts) would take more than 7 days in all (limit MAX_TOTAL_WAIT)")]
    TotalTooLong,
}

impl WaitLimit {
    /// What to do instead.
    pub fn hint(&self) -> &'static str {
        match self {
            WaitLimit::TooLong { .. } => "wait in steps of at most 24h",
            WaitLimit::TotalTooLong => "shorten the waits and wait-for timeouts",
        }
    }
}

/// Virtual time scheduled so far by one run: a scenario's steps or a shell session.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WaitBudget {
    used: Duration,
}

impl WaitBudget {
    /// Nothing scheduled yet.
    pub fn new() -> WaitBudget {
        WaitBudget::default()
    }

    /// Schedules `d` (written `text` under `key`): refused when it is longer than
    /// [`MAX_WAIT`] or would bring the run past [`MAX_TOTAL_WAIT`]; a refused wait uses nothing.
    ///
    /// ```
    /// use std::time::Duration;
    /// use vpcsim::scenario::wait::{WaitBudget, WaitLimit};
    /// let mut budget = WaitBudget::new();
    /// assert!(budget.charge("wait", "24h", Duration::from_secs(24 * 3600)).is_ok());
    /// let err = budget.charge("wait", "25h", Duration::from_secs(25 * 3600)).unwrap_err();
    /// assert!(err.to_string().contains("MAX_WAIT"));
    /// ```
    pub fn charge(&mut self, key: &str, text: &str, d: Duration) -> Result<(), WaitLimit> {
        if d > MAX_WAIT {
            return Err(WaitLimit::TooLong { key: key.to_string(), text: text.to_string() });
        }
        let total = self.used + d;
        if total > MAX_TOTAL_WAIT {
            return Err(WaitLimit::TotalTooLong);
        }
        self.used = total;
        Ok(())
    }
}

/// Advances the clock until `resource` is in `state`, or `timeout` passes: exit 0 with
/// how long it took, or exit 1 saying why not. The condition is looked at every
/// [`WAIT_FOR_POLL`], but the clock jumps from one scheduled change
/// ([`Backend::next_change`]) to the next, since nothing changes in between: the cost
/// grows with the changes on the way, not with the timeout. It reports the same waits as
/// looking every second would.
pub fn wait_for(backend: &mut dyn Backend, resource: &str, state: &str, timeout: Duration) -> StepOutcome {
    let limit = whole_polls(timeout);
    let mut waited = Duration::ZERO;
    loop {
        match backend.state_of(resource, state) {
            Err(e) => return StepOutcome::failed(1, e),
            Ok(true) => {
                return StepOutcome::ok(format!("{resource} is {state} after {}\n", format_duration(waited)))
            }
            Ok(false) if waited >= limit => {
                let message =
                    format!("timed out after {}: {resource} is not {state}\n", format_duration(waited));
                return StepOutcome::failed(1, message);
            }
            Ok(false) => {
                // The first look at or after the next change, and never past the timeout's.
                let next =
                    backend.next_change().map_or(limit, |d| waited + whole_polls(d).max(WAIT_FOR_POLL));
                let step = next.min(limit) - waited;
                backend.advance(step);
                waited += step;
            }
        }
    }
}

/// `d` rounded up to a whole number of [`WAIT_FOR_POLL`]s.
fn whole_polls(d: Duration) -> Duration {
    let poll = WAIT_FOR_POLL.as_nanos();
    let polls = d.as_nanos().div_ceil(poll);
    WAIT_FOR_POLL * u32::try_from(polls).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_wait_uses_nothing_of_the_budget() {
        let mut budget = WaitBudget::new();
        let day = Duration::from_secs(24 * 3600);
        for _ in 0..7 {
            budget.charge("wait", "24h", day).unwrap();
        }
        assert_eq!(budget.charge("wait", "1s", Duration::from_secs(1)), Err(WaitLimit::TotalTooLong));
        assert_eq!(budget.used, MAX_TOTAL_WAIT);
        assert_eq!(
            WaitBudget::new().charge("timeout", "25h", day + Duration::from_secs(3600)),
            Err(WaitLimit::TooLong { key: "timeout".into(), text: "25h".into() })
        );
    }
}
