//! Prior authorization: whether a line needs one, which authorization on file it draws on,
//! and whether that authorization's limits last.
//!
//! Sources: `docs/rules.md`, "Prior authorization" (Arizona Complete Health: adult
//! H2014/H2017 need prior authorization above 8 units a day; commercial payers: prior
//! authorization for repeated or long-term services), "Authorization periods" (limits per
//! day, week, month and authorization; the alert before a limit is used up) and "Denial
//! reason codes (CARC)" (CARC 197 authorization absent or expired, 15 authorization not for
//! the billed service, 198 authorized units exceeded).
//!
//! The authorizations on file are checked under every policy; only a missing authorization
//! depends on the policy requiring one. Lines come sorted by patient, then date of service,
//! so each limit keeps one running total for its current period (day, week, month or the
//! whole authorization), started afresh when the period changes: one pass over the lines,
//! constant work per line and limit (O(lines)).

use chrono::{Datelike, Days, NaiveDate};

use crate::evaluation::Evaluation;
use crate::findings::{AuthorizationNeed, Data, Finding, Rule};
use crate::policy::{Policy, PriorAuthorization, Weekday};
use crate::request::{Authorization, Period};

/// What a line draws on: the authorization's number and the units its limits have left
/// after the line (the smallest of them; negative once one is passed).
pub(crate) struct Drawn {
    /// The line, in `Evaluation::lines`.
    pub line: usize,
    /// The authorization's number.
    pub number: String,
    /// Units left after the line.
    pub remaining: i64,
}

/// The first day of the period of `per` that holds `date`.
fn period_start(
    per: Period,
    date: NaiveDate,
    week_start: Weekday,
    auth: &Authorization,
) -> NaiveDate {
    match per {
        Period::Day => date,
        Period::Week => {
            let from_sunday = date.weekday().num_days_from_sunday();
            let back = (from_sunday + 7 - week_start.days_from_sunday()) % 7;
            date.checked_sub_days(Days::new(u64::from(back)))
                .unwrap_or(date)
        }
        Period::Month => date.with_day(1).unwrap_or(date),
        Period::Authorization => auth.start,
    }
}

/// One limit of an authorization and its running total in the current period.
struct Tally {
    per: Period,
    /// Position in `limits` (at most four); `None` for `units_authorized`.
    index: Option<u8>,
    limit: u32,
    /// Units that count before the request (`units_used`, whole-authorization limits only).
    base: u32,
    /// The current period's first day.
    period: Option<NaiveDate>,
    /// Units used in the current period, `base` included.
    used: u64,
    /// Whether the current period has had its near-limit alert (or passed the limit).
    alerted: bool,
}

impl Tally {
    fn of(auth: &Authorization) -> Vec<Tally> {
        let whole = |per: Period| {
            if per == Period::Authorization {
                auth.units_used
            } else {
                0
            }
        };
        let mut tallies = Vec::with_capacity(1 + auth.limits.len());
        tallies.push(Tally {
            per: Period::Authorization,
            index: None,
            limit: auth.units_authorized,
            base: auth.units_used,
            period: None,
            used: 0,
            alerted: false,
        });
        // Limits are checked when the request is read: at most MAX_AUTHORIZATION_LIMITS.
        tallies.extend((0u8..).zip(&auth.limits).map(|(j, l)| Tally {
            per: l.per,
            index: Some(j),
            limit: l.units,
            base: whole(l.per),
            period: None,
            used: 0,
            alerted: false,
        }));
        tallies
    }
}

/// The units a patient's day of a code adds up to, for each line: lines come sorted by
/// patient, date and code, so those of one day and code are a run of lines.
fn day_units(eval: &Evaluation<'_>) -> Vec<u32> {
    let lines = &eval.lines;
    let mut day_units: Vec<u32> = vec![0; lines.len()];
    let day_of = |li: usize| {
        (
            &lines[li].patient,
            lines[li].date_of_service,
            lines[li].code,
        )
    };
    let mut start = 0;
    while start < lines.len() {
        let mut end = start;
        let mut units = 0u32;
        while end < lines.len() && day_of(end) == day_of(start) {
            units = units.saturating_add(lines[end].units);
            end += 1;
        }
        day_units[start..end].fill(units);
        start = end;
    }
    day_units
}

/// Prior-authorization findings on the lines, and what each line draws on. Each line is
/// checked under the policy version in force on its date of service.
pub(crate) fn check(
    eval: &Evaluation<'_>,
    found: &mut Vec<(usize, Finding)>,
    drawn: &mut Vec<Drawn>,
) {
    let lines = &eval.lines;
    let day_units = day_units(eval);
    // The running totals of each of the current patient's authorizations, made when a line
    // first draws on it (lines come by patient, in date order).
    let mut patient: Option<&str> = None;
    let mut tallies: Vec<Option<Vec<Tally>>> = Vec::new();
    for (li, line) in lines.iter().enumerate() {
        let Some(&first) = eval.line_members[li].first() else {
            continue;
        };
        let ev = &eval.encounters[first];
        let policy: &Policy = ev.policy;
        let threshold = match policy.prior_authorization() {
            PriorAuthorization::AboveUnitsPerDay(n) => Some(n),
            _ => None,
        };
        let week_start = policy.week_start();
        let percent = u128::from(policy.authorization_alert_percent());
        if patient != Some(line.patient.as_str()) {
            patient = Some(line.patient.as_str());
            tallies.clear();
        }
        let day = day_units[li];
        let required = match policy.prior_authorization() {
            PriorAuthorization::Always => true,
            PriorAuthorization::AboveUnitsPerDay(n) => day > n,
            _ => false,
        };
        let need = AuthorizationNeed {
            code: line.code,
            required,
            above_units_per_day: threshold,
            day_units: day,
        };
        let mut flag = |rule: Rule, element: String, data: Data| {
            let (item, f) = ev.finding(rule, data);
            found.push((item, f.on_line(li).on_element(element)));
        };
        let auths = &ev.patient.authorizations;
        if auths.is_empty() {
            if required {
                flag(
                    Rule::PriorAuthorizationMissing,
                    "authorizations".to_owned(),
                    Data::NoAuthorization(need),
                );
            }
            continue;
        }
        let dos = line.date_of_service;
        let lists = |a: &Authorization| a.codes.contains(&line.code);
        let Some(a) = auths
            .iter()
            .position(|auth| lists(auth) && auth.start <= dos && dos <= auth.end)
        else {
            match auths.iter().position(lists) {
                None => flag(
                    Rule::AuthorizationCodeMismatch,
                    "authorizations".to_owned(),
                    Data::NoAuthorizationForCode(need),
                ),
                Some(listed) => flag(
                    Rule::AuthorizationExpired,
                    format!("authorizations[{listed}]"),
                    Data::AuthorizationExpired(need),
                ),
            }
            continue;
        };
        let auth = &auths[a];
        if tallies.len() < auths.len() {
            tallies.resize_with(auths.len(), || None);
        }
        let units = u64::from(line.units);
        let mut remaining = i64::MAX;
        for t in tallies[a].get_or_insert_with(|| Tally::of(auth)) {
            let start = period_start(t.per, dos, week_start, auth);
            if t.period != Some(start) {
                t.period = Some(start);
                t.used = u64::from(t.base);
                t.alerted = false;
            }
            let before = t.used;
            let after = before.saturating_add(units);
            t.used = after;
            let limit = u64::from(t.limit);
            let left = i64::from(t.limit).saturating_sub(i64::try_from(after).unwrap_or(i64::MAX));
            remaining = remaining.min(left);
            let element = match t.index {
                None => format!("authorizations[{a}]"),
                Some(j) => format!("authorizations[{a}].limits[{j}]"),
            };
            if after > limit {
                // Passing the limit says more than the alert would: none follows in this
                // period.
                t.alerted = true;
                flag(
                    Rule::AuthorizationExceeded,
                    element,
                    Data::AuthorizationExceeded {
                        number: auth.number.clone(),
                        authorization: a,
                        per: t.per,
                        limit_index: t.index,
                        period_start: start,
                        line_units: line.units,
                        used_before_request: t.base,
                        used_after_line: after,
                        authorized: t.limit,
                        exceeded_by: after - limit.max(before),
                    },
                );
            } else if !t.alerted && u128::from(after) * 100 >= u128::from(limit) * percent {
                // Integer arithmetic: used/limit >= percent/100.
                t.alerted = true;
                flag(
                    Rule::AuthorizationNearLimit,
                    element,
                    Data::AuthorizationNearLimit {
                        number: auth.number.clone(),
                        authorization: a,
                        per: t.per,
                        limit_index: t.index,
                        period_start: start,
                        used_after_line: after,
                        authorized: t.limit,
                        alert_percent: policy.authorization_alert_percent(),
                    },
                );
            }
        }
        drawn.push(Drawn {
            line: li,
            number: auth.number.clone(),
            remaining,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    #[test]
    fn periods_start_where_the_policy_says() {
        let auth = Authorization::new("A", vec![], date(1, 14), date(6, 30), 10);
        // 2026-03-04 is a Wednesday.
        let wed = date(3, 4);
        assert_eq!(period_start(Period::Day, wed, Weekday::Sunday, &auth), wed);
        assert_eq!(
            period_start(Period::Week, wed, Weekday::Sunday, &auth),
            date(3, 1)
        );
        assert_eq!(
            period_start(Period::Week, wed, Weekday::Monday, &auth),
            date(3, 2)
        );
        assert_eq!(
            period_start(Period::Week, wed, Weekday::Wednesday, &auth),
            wed
        );
        assert_eq!(
            period_start(Period::Week, wed, Weekday::Thursday, &auth),
            date(2, 26)
        );
        assert_eq!(
            period_start(Period::Month, wed, Weekday::Sunday, &auth),
            date(3, 1)
        );
        assert_eq!(
            period_start(Period::Authorization, wed, Weekday::Sunday, &auth),
            date(1, 14)
        );
    }
}
