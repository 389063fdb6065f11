//! A session's time: its date of service and the whole minutes it lasted.
//!
//! `docs/rules.md`, "Countable minutes" and "Date of service and session times": only
//! face-to-face minutes count, from exact start and end times; a partial minute does not
//! count (seconds are truncated); the date of service is the calendar date of the start in
//! its own UTC offset. Elapsed time is real time, so a session across a daylight-saving
//! change or midnight counts the minutes that actually passed.

use chrono::{DateTime, FixedOffset, NaiveDate};

/// The longest session accepted: one day.
pub const MAX_SESSION_MINUTES: u32 = 24 * 60;

/// A validated session time.
///
/// ```
/// use h2024::Session;
/// let start = "2026-03-08T01:30:00-05:00".parse()?;
/// let end = "2026-03-08T03:15:59-04:00".parse()?; // across the DST change
/// let session = Session::from_times(start, end).unwrap();
/// assert_eq!(session.minutes(), 45); // real elapsed minutes, seconds dropped
/// assert_eq!(session.date_of_service().to_string(), "2026-03-08");
/// # Ok::<(), chrono::ParseError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Session {
    date_of_service: NaiveDate,
    minutes: u32,
    span: Option<(DateTime<FixedOffset>, DateTime<FixedOffset>)>,
}

/// Why a session time is not acceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// The end is not after the start.
    #[error("must be after start")]
    EndNotAfterStart,
    /// The session lasts more than 24 hours.
    #[error("the session may not last more than 24 hours")]
    LongerThanADay,
    /// Total minutes outside 1..=1440.
    #[error("must be between 1 and 1440")]
    Minutes,
}

impl Session {
    /// A session documented with exact start and end times.
    ///
    /// # Errors
    ///
    /// [`SessionError::EndNotAfterStart`] or [`SessionError::LongerThanADay`].
    pub fn from_times(
        start: DateTime<FixedOffset>,
        end: DateTime<FixedOffset>,
    ) -> Result<Session, SessionError> {
        if end <= start {
            return Err(SessionError::EndNotAfterStart);
        }
        let seconds = (end - start).num_seconds();
        if seconds > i64::from(MAX_SESSION_MINUTES) * 60 {
            return Err(SessionError::LongerThanADay);
        }
        Ok(Session {
            date_of_service: start.date_naive(),
            minutes: (seconds / 60) as u32,
            span: Some((start, end)),
        })
    }

    /// A session documented only by its date and total minutes.
    ///
    /// # Errors
    ///
    /// [`SessionError::Minutes`] for minutes outside 1..=1440.
    pub fn from_minutes(date: NaiveDate, minutes: u32) -> Result<Session, SessionError> {
        if minutes == 0 || minutes > MAX_SESSION_MINUTES {
            return Err(SessionError::Minutes);
        }
        Ok(Session {
            date_of_service: date,
            minutes,
            span: None,
        })
    }

    /// The calendar date of the start, in the start's own offset.
    pub fn date_of_service(&self) -> NaiveDate {
        self.date_of_service
    }

    /// Whole minutes of service.
    pub fn minutes(&self) -> u32 {
        self.minutes
    }

    /// The exact start and end, when the session was documented with clock times.
    pub fn span(&self) -> Option<(DateTime<FixedOffset>, DateTime<FixedOffset>)> {
        self.span
    }

    /// Whether exact clock times were documented.
    pub fn has_clock_times(&self) -> bool {
        self.span.is_some()
    }

    /// The session's whole minutes on each calendar date it covers, in date order, for a
    /// payer that splits a session at midnight (`docs/rules.md`, "Sessions across
    /// midnight"). Dates are read in the start's own UTC offset, as the date of service is.
    /// Every part but the last counts the whole minutes up to midnight; the last takes the
    /// rest, so the parts add up to [`Session::minutes`] exactly. A part of no whole minute
    /// is left out. Without clock times there is one part, on the date of service.
    ///
    /// ```
    /// use h2024::Session;
    /// let start = "2026-03-02T23:30:00-05:00".parse()?;
    /// let end = "2026-03-03T00:45:00-05:00".parse()?;
    /// let session = Session::from_times(start, end).unwrap();
    /// let parts: Vec<(String, u32)> = session
    ///     .minutes_by_date()
    ///     .into_iter()
    ///     .map(|(date, minutes)| (date.to_string(), minutes))
    ///     .collect();
    /// assert_eq!(parts, [("2026-03-02".to_owned(), 30), ("2026-03-03".to_owned(), 45)]);
    /// # Ok::<(), chrono::ParseError>(())
    /// ```
    pub fn minutes_by_date(&self) -> Vec<(NaiveDate, u32)> {
        let Some((start, end)) = self.span else {
            return vec![(self.date_of_service, self.minutes)];
        };
        let offset = *start.offset();
        let mut parts = Vec::with_capacity(2);
        let mut from = start;
        let mut date = self.date_of_service;
        let mut left = self.minutes;
        // A session lasts at most a day, so this runs at most twice.
        while let Some(next) = date.succ_opt() {
            let midnight = next
                .and_hms_opt(0, 0, 0)
                .and_then(|t| t.and_local_timezone(offset).single());
            let Some(midnight) = midnight.filter(|&m| m < end) else {
                break;
            };
            let before = u32::try_from((midnight - from).num_seconds() / 60)
                .unwrap_or(u32::MAX)
                .min(left);
            if before > 0 {
                parts.push((date, before));
            }
            left -= before;
            from = midnight;
            date = next;
        }
        if left > 0 || parts.is_empty() {
            parts.push((date, left));
        }
        parts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(s: &str) -> DateTime<FixedOffset> {
        s.parse().unwrap()
    }

    #[test]
    fn seconds_are_truncated() {
        let s = Session::from_times(
            t("2026-03-02T09:00:00-05:00"),
            t("2026-03-02T09:07:59-05:00"),
        )
        .unwrap();
        assert_eq!(s.minutes(), 7);
    }

    #[test]
    fn across_midnight_the_start_date_counts() {
        let s = Session::from_times(
            t("2026-03-02T23:30:00-05:00"),
            t("2026-03-03T00:30:00-05:00"),
        )
        .unwrap();
        assert_eq!(s.minutes(), 60);
        assert_eq!(
            s.date_of_service(),
            NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
        );
    }

    #[test]
    fn date_follows_the_local_offset_not_utc() {
        // 20:00 in UTC-05:00 is already the next day in UTC.
        let s = Session::from_times(
            t("2026-03-02T20:00:00-05:00"),
            t("2026-03-02T21:00:00-05:00"),
        )
        .unwrap();
        assert_eq!(
            s.date_of_service(),
            NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
        );
    }

    #[test]
    fn bad_spans_are_refused() {
        let a = t("2026-03-02T09:00:00-05:00");
        assert_eq!(
            Session::from_times(a, a),
            Err(SessionError::EndNotAfterStart)
        );
        assert_eq!(
            Session::from_times(a, t("2026-03-03T09:00:01-05:00")),
            Err(SessionError::LongerThanADay)
        );
        assert!(Session::from_times(a, t("2026-03-03T09:00:00-05:00")).is_ok());
        let d = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        assert_eq!(Session::from_minutes(d, 0), Err(SessionError::Minutes));
        assert_eq!(Session::from_minutes(d, 1441), Err(SessionError::Minutes));
        assert!(!Session::from_minutes(d, 30).unwrap().has_clock_times());
    }

    #[test]
    fn a_session_splits_at_midnight_of_its_start_offset() {
        let d = |day| NaiveDate::from_ymd_opt(2026, 3, day).unwrap();
        let split = |a, b| Session::from_times(t(a), t(b)).unwrap().minutes_by_date();
        // Within a day: one part.
        assert_eq!(
            split("2026-03-02T09:00:00-05:00", "2026-03-02T10:00:00-05:00"),
            [(d(2), 60)]
        );
        // Ending at midnight: all on the start date.
        assert_eq!(
            split("2026-03-02T23:00:00-05:00", "2026-03-03T00:00:00-05:00"),
            [(d(2), 60)]
        );
        // Across midnight.
        assert_eq!(
            split("2026-03-02T23:50:00-05:00", "2026-03-03T00:20:00-05:00"),
            [(d(2), 10), (d(3), 20)]
        );
        // Seconds: the first part counts its whole minutes, the last takes the rest.
        assert_eq!(
            split("2026-03-02T23:50:40-05:00", "2026-03-03T00:20:10-05:00"),
            [(d(2), 9), (d(3), 20)]
        );
        // Under a minute before midnight: nothing on the start date.
        assert_eq!(
            split("2026-03-02T23:59:30-05:00", "2026-03-03T00:10:30-05:00"),
            [(d(3), 11)]
        );
        // The end written in another offset: midnight is the start offset's.
        assert_eq!(
            split("2026-03-02T23:30:00-05:00", "2026-03-03T05:30:00+00:00"),
            [(d(2), 30), (d(3), 30)]
        );
        // A whole day from midnight.
        assert_eq!(
            split("2026-03-02T00:00:00-05:00", "2026-03-03T00:00:00-05:00"),
            [(d(2), 1440)]
        );
        // Total minutes only: one part.
        assert_eq!(
            Session::from_minutes(d(2), 30).unwrap().minutes_by_date(),
            [(d(2), 30)]
        );
    }

    proptest! {
        #[test]
        fn split_at_midnight_conserves_minutes(secs in 1i64..=86_400, start_s in 0i64..86_400, offset_h in -12i32..=14) {
            let offset = FixedOffset::east_opt(offset_h * 3600).unwrap();
            let start = t("2026-06-01T00:00:00+00:00").with_timezone(&offset) + chrono::Duration::seconds(start_s);
            let session = Session::from_times(start, start + chrono::Duration::seconds(secs)).unwrap();
            let parts = session.minutes_by_date();
            prop_assert_eq!(parts.iter().map(|p| p.1).sum::<u32>(), session.minutes());
            prop_assert!(!parts.is_empty() && parts.len() <= 2);
            prop_assert!(parts.iter().skip(1).all(|p| p.1 > 0));
            let first = session.date_of_service();
            for (i, (date, _)) in parts.iter().enumerate() {
                prop_assert!(*date == first || (*date == first.succ_opt().unwrap() && i == parts.len() - 1));
            }
            prop_assert!(parts.windows(2).all(|w| w[0].0 < w[1].0));
        }

        #[test]
        fn minutes_are_the_elapsed_whole_minutes(secs in 1i64..=86_400, offset_h in -12i32..=14) {
            let offset = FixedOffset::east_opt(offset_h * 3600).unwrap();
            let start = t("2026-06-01T12:00:00+00:00").with_timezone(&offset);
            let end = start + chrono::Duration::seconds(secs);
            let s = Session::from_times(start, end).unwrap();
            prop_assert_eq!(i64::from(s.minutes()), secs / 60);
        }
    }
}
