//! The timetable: the next occurrence after a time (cron in its time zone, DST included, by
//! croner; intervals counted from their anchor, so they never drift), and what is due at a tick
//! once the catch-up policy has decided about occurrences missed while no instance ran.

use std::collections::VecDeque;

use chrono::{DateTime, TimeDelta, Utc};

use super::model::{CatchUp, Options, Timing};

/// The first occurrence strictly after `t`, within the start and end dates; `None` when there is
/// none (an event schedule, a `once` that passed, the end date).
pub fn next_after(
    timing: &Timing,
    anchor: DateTime<Utc>,
    options: &Options,
    t: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    // Nothing before the start date: look from just before it.
    let t = match options.start_at {
        Some(start) if t < start => start - TimeDelta::microseconds(1),
        _ => t,
    };
    let next = match timing {
        Timing::Cron { cron, tz } => cron
            .find_next_occurrence(&t.with_timezone(tz), false)
            .ok()
            .map(|n| n.with_timezone(&Utc)),
        Timing::Interval { every } => {
            if t < anchor {
                Some(anchor)
            } else {
                let step = every.num_microseconds()?;
                let since = (t - anchor).num_microseconds()?;
                anchor.checked_add_signed(TimeDelta::microseconds((since / step + 1) * step))
            }
        }
        Timing::Once { at } => (*at > t).then_some(*at),
        Timing::Event { .. } => None,
    };
    next.filter(|n| options.end_at.is_none_or(|end| *n <= end))
}

/// The first `n` occurrences after `t`.
pub fn upcoming(
    timing: &Timing,
    anchor: DateTime<Utc>,
    options: &Options,
    t: DateTime<Utc>,
    n: usize,
) -> Vec<DateTime<Utc>> {
    let mut out = Vec::with_capacity(n);
    let mut at = t;
    while out.len() < n {
        match next_after(timing, anchor, options, at) {
            Some(next) => {
                out.push(next);
                at = next;
            }
            None => break,
        }
    }
    out
}

/// What a tick fires.
#[derive(Debug, Default, PartialEq)]
pub struct Due {
    /// Occurrences to execute, oldest first, each with whether it is a catch-up of a missed one.
    pub fire: Vec<(DateTime<Utc>, bool)>,
    /// Missed occurrences the catch-up policy leaves unexecuted.
    pub dropped: u64,
    /// The schedule's next occurrence after this tick.
    pub next: Option<DateTime<Utc>>,
}

/// How many occurrences one tick looks at before jumping ahead (a schedule every second down
/// for a day has 86,400; the policy keeps at most its limit of them).
const SCAN_LIMIT: u64 = 200_000;

/// The occurrences from `from` (the schedule's next unfired one) to `now`. Those older than
/// `grace` were missed (no instance ran): `skip` drops them, `latest` executes the newest of
/// them unless one is on time, `all` executes up to the limit (the newest ones).
pub fn due(
    timing: &Timing,
    anchor: DateTime<Utc>,
    options: &Options,
    from: DateTime<Utc>,
    now: DateTime<Utc>,
    grace: TimeDelta,
) -> Due {
    let missed_before = now - grace;
    let keep = match options.catch_up {
        CatchUp::Skip => 0,
        CatchUp::Latest => 1,
        CatchUp::All => options.catch_up_limit,
    };
    let mut missed: VecDeque<DateTime<Utc>> = VecDeque::new();
    let mut on_time = Vec::new();
    let mut dropped = 0u64;
    let mut scanned = 0u64;
    let mut prev: Option<DateTime<Utc>> = None;
    let mut at = Some(from);
    while let Some(t) = at {
        if t > now {
            break;
        }
        scanned += 1;
        if scanned > SCAN_LIMIT
            && let Some(step) = prev.map(|p| t - p).filter(|s| *s > TimeDelta::zero())
        {
            // Jump to a little before the newest occurrences the policy keeps: what is jumped
            // over counts as dropped (estimated from the last step, exact for intervals).
            let target = missed_before - step * (keep as i32 + 1);
            if target > t {
                dropped += missed.len() as u64;
                missed.clear();
                dropped += ((target - t).num_microseconds().unwrap_or(0)
                    / step.num_microseconds().unwrap_or(1).max(1))
                    as u64;
                scanned = 0;
                prev = None;
                at = next_after(timing, anchor, options, target);
                continue;
            }
        }
        prev = Some(t);
        if t < missed_before {
            missed.push_back(t);
            if missed.len() > keep {
                missed.pop_front();
                dropped += 1;
            }
        } else {
            on_time.push(t);
        }
        at = next_after(timing, anchor, options, t);
    }
    if options.catch_up == CatchUp::Latest && !on_time.is_empty() {
        dropped += missed.len() as u64;
        missed.clear();
    }
    let mut fire: Vec<(DateTime<Utc>, bool)> = missed.into_iter().map(|t| (t, true)).collect();
    fire.extend(on_time.into_iter().map(|t| (t, false)));
    Due {
        fire,
        dropped,
        next: at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orchestration::scheduler::model::{Overlap, parse_cron};
    use chrono::TimeZone;
    use chrono_tz::Tz;

    fn options() -> Options {
        Options {
            start_at: None,
            end_at: None,
            max_executions: None,
            retry_count: 0,
            retry_delay: std::time::Duration::ZERO,
            overlap: Overlap::Skip,
            catch_up: CatchUp::Latest,
            catch_up_limit: 100,
        }
    }

    fn cron(pattern: &str, tz: &str) -> Timing {
        Timing::Cron {
            cron: Box::new(parse_cron(pattern).unwrap()),
            tz: tz.parse().unwrap(),
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_daily_job_in_the_spring_gap_runs_once_that_day_and_keeps_its_local_time() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let timing = cron("30 2 * * *", "America/New_York");
        let from = ny.with_ymd_and_hms(2026, 3, 7, 12, 0, 0).unwrap().to_utc();
        let times = upcoming(&timing, from, &options(), from, 3);
        // 2:30 does not exist on 8 March (clocks go 2:00 -> 3:00): it runs at 3:00 EDT.
        assert_eq!(
            times,
            vec![
                utc("2026-03-08T03:00:00-04:00"),
                utc("2026-03-09T02:30:00-04:00"),
                utc("2026-03-10T02:30:00-04:00"),
            ]
        );
    }

    #[test]
    fn a_daily_job_in_the_autumn_overlap_runs_once_not_twice() {
        let timing = cron("30 1 * * *", "America/New_York");
        let from = utc("2026-10-31T12:00:00-04:00");
        let times = upcoming(&timing, from, &options(), from, 3);
        // 1:30 happens twice on 1 November (EDT, then EST): one run, at the first.
        assert_eq!(
            times,
            vec![
                utc("2026-11-01T01:30:00-04:00"),
                utc("2026-11-02T01:30:00-05:00"),
                utc("2026-11-03T01:30:00-05:00"),
            ]
        );
    }

    #[test]
    fn cron_with_seconds_and_in_a_zone() {
        let every_ten = cron("*/10 * * * * *", "UTC");
        let from = utc("2026-01-01T00:00:03Z");
        assert_eq!(
            upcoming(&every_ten, from, &options(), from, 2),
            vec![utc("2026-01-01T00:00:10Z"), utc("2026-01-01T00:00:20Z")]
        );
        let nine_paris = cron("0 9 * * *", "Europe/Paris");
        assert_eq!(
            next_after(&nine_paris, from, &options(), from),
            Some(utc("2026-01-01T08:00:00Z"))
        );
    }

    #[test]
    fn intervals_count_from_their_anchor_and_respect_start_and_end() {
        let timing = Timing::Interval {
            every: TimeDelta::seconds(10),
        };
        let anchor = utc("2026-01-01T00:00:00Z");
        let o = options();
        // From a late tick, the next occurrence is still on the anchor's grid.
        assert_eq!(
            next_after(&timing, anchor, &o, utc("2026-01-01T00:00:13.5Z")),
            Some(utc("2026-01-01T00:00:20Z"))
        );
        let bounded = Options {
            start_at: Some(utc("2026-01-01T00:01:00Z")),
            end_at: Some(utc("2026-01-01T00:01:20Z")),
            ..options()
        };
        assert_eq!(
            upcoming(&timing, anchor, &bounded, anchor, 5),
            vec![
                utc("2026-01-01T00:01:00Z"),
                utc("2026-01-01T00:01:10Z"),
                utc("2026-01-01T00:01:20Z")
            ]
        );
    }

    #[test]
    fn catch_up_policies_after_downtime() {
        let timing = Timing::Interval {
            every: TimeDelta::seconds(1),
        };
        let anchor = utc("2026-01-01T00:00:00Z");
        let now = utc("2026-01-01T00:00:10.2Z");
        let grace = TimeDelta::seconds(2);
        let with = |catch_up, limit| Options {
            catch_up,
            catch_up_limit: limit,
            ..options()
        };
        // Occurrences 0..=10 are due; 0..=8 are older than the grace window (missed).
        let latest = due(
            &timing,
            anchor,
            &with(CatchUp::Latest, 100),
            anchor,
            now,
            grace,
        );
        assert_eq!(
            latest.fire,
            vec![
                (utc("2026-01-01T00:00:09Z"), false),
                (utc("2026-01-01T00:00:10Z"), false)
            ]
        );
        assert_eq!(latest.dropped, 9);
        assert_eq!(latest.next, Some(utc("2026-01-01T00:00:11Z")));
        // All missed, bounded: the newest three of them, then the on-time ones.
        let all = due(&timing, anchor, &with(CatchUp::All, 3), anchor, now, grace);
        assert_eq!(all.fire.len(), 5);
        assert_eq!(all.fire[0], (utc("2026-01-01T00:00:06Z"), true));
        assert_eq!(all.dropped, 6);
        let skip = due(
            &timing,
            anchor,
            &with(CatchUp::Skip, 100),
            anchor,
            now,
            grace,
        );
        assert_eq!(skip.fire.len(), 2);
        assert_eq!(skip.dropped, 9);
        // Down for longer than a minute on a once-a-minute cron: latest runs the last missed one.
        let minutely = cron("* * * * *", "UTC");
        let late = due(
            &minutely,
            anchor,
            &with(CatchUp::Latest, 100),
            utc("2026-01-01T00:01:00Z"),
            utc("2026-01-01T00:05:30Z"),
            grace,
        );
        assert_eq!(late.fire, vec![(utc("2026-01-01T00:05:00Z"), true)]);
        assert_eq!(late.dropped, 4);
        assert_eq!(late.next, Some(utc("2026-01-01T00:06:00Z")));
    }

    #[test]
    fn a_long_downtime_of_a_per_second_schedule_is_bounded() {
        let timing = Timing::Interval {
            every: TimeDelta::seconds(1),
        };
        let anchor = utc("2026-01-01T00:00:00Z");
        let now = anchor + TimeDelta::days(3);
        let o = Options {
            catch_up: CatchUp::All,
            catch_up_limit: 10,
            ..options()
        };
        let d = due(&timing, anchor, &o, anchor, now, TimeDelta::seconds(2));
        assert_eq!(d.fire.len(), 10 + 3);
        assert!(
            d.fire
                .iter()
                .all(|(t, _)| *t <= now && *t > now - TimeDelta::seconds(20))
        );
        assert_eq!(d.next, Some(now + TimeDelta::seconds(1)));
    }
}
