//! Electronic visit verification (EVV): each in-person encounter of a code the policy's `evv`
//! requires is matched with the visit the state's EVV system verified, and its line is
//! checked against it.
//!
//! Sources: `docs/rules.md`, "Electronic visit verification": the 21st Century Cures Act,
//! section 12006, has an EVV system verify the service, the member, the date, the location,
//! the provider and the begin and end times of visits made in the home; state aggregators
//! match each claim line with a verified visit and deny a line with none ("EVV Visit Not
//! Found") or whose units differ from the visit's ("Units Do Not Match"); Texas HHSC's EVV
//! Policy Handbook (8000, "Calculation of Bill Hours") has billed units match the visit's
//! bill hours and no billed time before clock-in or after clock-out. CARC 16 (information
//! missing or not matching) and 151 (units the information does not support).
//!
//! The matching visit of an encounter is the verified visit of the same patient and provider
//! that overlaps it most (ties: the earlier clock-in); with none, the unverified visit that
//! overlaps it most is named. Visits are grouped by sorting (patient, provider, status,
//! clock-in), and each encounter's best visit is found with a binary search and two
//! segment trees over its group's visits: O(log n) per encounter, O(n log n) in all, never
//! pairwise.

use std::cmp::Reverse;
use std::collections::HashSet;

use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::evaluation::{Evaluated, Evaluation};
use crate::findings::{Data, EvvVisitProblem, Finding, Rule};
use crate::places::Modality;
use crate::reasons::UnitsBasis;
use crate::request::{EvvVisit, VisitStatus};
use crate::units::cms_8_minute_total_units;

/// An instant in nanoseconds since the Unix epoch: it orders as the instant does, whatever
/// the offset it was written in, and differences are exact.
type Nanos = i128;

const NANOS_PER_MINUTE: Nanos = 60_000_000_000;

fn nanos(t: DateTime<FixedOffset>) -> Nanos {
    Nanos::from(t.timestamp()) * 1_000_000_000 + Nanos::from(t.timestamp_subsec_nanos())
}

/// Whole minutes in a span of nanoseconds (seconds and less do not count, as for sessions:
/// `docs/rules.md`, "Countable minutes").
fn whole_minutes(span: Nanos) -> u32 {
    u32::try_from(span.max(0) / NANOS_PER_MINUTE).unwrap_or(u32::MAX)
}

/// A visit that passed validation.
struct Visit<'a> {
    id: &'a str,
    patient: u32,
    provider: u32,
    verified: bool,
    clock_in: Nanos,
    clock_out: Nanos,
}

/// A max segment tree over a fixed list: the largest value in a range, and the first
/// position from a point on whose value reaches a bound.
struct MaxTree<T> {
    size: usize,
    tree: Vec<Option<T>>,
}

impl<T: Ord + Copy> MaxTree<T> {
    fn new(values: impl ExactSizeIterator<Item = T>) -> Self {
        let size = values.len().next_power_of_two();
        let mut tree = vec![None; 2 * size];
        for (i, v) in values.enumerate() {
            tree[size + i] = Some(v);
        }
        for node in (1..size).rev() {
            tree[node] = tree[2 * node].max(tree[2 * node + 1]);
        }
        MaxTree { size, tree }
    }

    /// The largest value at positions `from..to`.
    fn max(&self, from: usize, to: usize) -> Option<T> {
        let (mut lo, mut hi) = (from + self.size, to + self.size);
        let mut best = None;
        while lo < hi {
            if lo % 2 == 1 {
                best = best.max(self.tree[lo]);
                lo += 1;
            }
            if hi % 2 == 1 {
                hi -= 1;
                best = best.max(self.tree[hi]);
            }
            lo /= 2;
            hi /= 2;
        }
        best
    }

    /// The first position at or after `from` whose value is at least `bound`.
    fn first_at_least(&self, from: usize, bound: T) -> Option<usize> {
        self.descend(1, 0, self.size, from, bound)
    }

    fn descend(&self, node: usize, lo: usize, hi: usize, from: usize, bound: T) -> Option<usize> {
        if hi <= from || self.tree[node].is_none_or(|v| v < bound) {
            return None;
        }
        if hi - lo == 1 {
            return Some(lo);
        }
        let mid = (lo + hi) / 2;
        self.descend(2 * node, lo, mid, from, bound)
            .or_else(|| self.descend(2 * node + 1, mid, hi, from, bound))
    }
}

/// The visits of one patient, provider and status, sorted by clock-in (then clock-out, id),
/// ready for "which visit overlaps this span most".
struct Group {
    /// Positions in the valid visits, in clock-in order.
    visits: Vec<usize>,
    clock_in: Vec<Nanos>,
    /// The latest clock-out among the visits up to each position.
    latest_out: Vec<Nanos>,
    clock_out: MaxTree<Nanos>,
    /// Each visit's length, with its position (the earlier wins a tie).
    length: MaxTree<(Nanos, Reverse<usize>)>,
}

impl Group {
    fn new(visits: Vec<usize>, all: &[Visit<'_>]) -> Group {
        let clock_in: Vec<Nanos> = visits.iter().map(|&v| all[v].clock_in).collect();
        let outs: Vec<Nanos> = visits.iter().map(|&v| all[v].clock_out).collect();
        let latest_out = outs
            .iter()
            .scan(Nanos::MIN, |latest, &out| {
                *latest = (*latest).max(out);
                Some(*latest)
            })
            .collect();
        let length = MaxTree::new(
            visits
                .iter()
                .enumerate()
                .map(|(at, &v)| (all[v].clock_out - all[v].clock_in, Reverse(at))),
        );
        Group {
            clock_out: MaxTree::new(outs.into_iter()),
            visits,
            clock_in,
            latest_out,
            length,
        }
    }

    /// The visit that overlaps `start..end` most (ties: the earlier in clock-in order), as
    /// a position in the valid visits, with the overlap; `None` when none overlaps.
    ///
    /// The visits that clock in by `start` overlap it by `min(end, clock_out) - start`: the
    /// latest clock-out among them decides. Those that clock in inside the span overlap it
    /// by `min(end, clock_out) - clock_in`: the first of them that clocks out at or after
    /// `end` beats every later one, and before it every visit lies inside the span, where
    /// the longest wins.
    fn best(&self, start: Nanos, end: Nanos) -> Option<(usize, Nanos)> {
        let by_start = self.clock_in.partition_point(|&t| t <= start);
        let before_end = self.clock_in.partition_point(|&t| t < end);
        // (overlap, earlier first) of each candidate.
        let mut best: Option<(Nanos, Reverse<usize>)> = None;
        if let Some(&latest) = by_start.checked_sub(1).map(|i| &self.latest_out[i]) {
            if latest > start {
                let reach = latest.min(end);
                let at = self.latest_out.partition_point(|&t| t < reach);
                best = best.max(Some((reach - start, Reverse(at))));
            }
        }
        let crossing = self
            .clock_out
            .first_at_least(by_start, end)
            .filter(|&at| at < before_end);
        if let Some(at) = crossing {
            best = best.max(Some((end - self.clock_in[at], Reverse(at))));
        }
        let inside_end = crossing.unwrap_or(before_end);
        if by_start < inside_end {
            best = best.max(self.length.max(by_start, inside_end));
        }
        best.map(|(overlap, Reverse(at))| (self.visits[at], overlap))
    }
}

/// An encounter's verified visit: its position in the valid visits.
type Matched = Option<usize>;

/// `invalid_evv_visit` for each visit that cannot be used (on no encounter: `request_item`
/// places them after every encounter's findings), then `evv_visit_missing`,
/// `evv_visit_unverified` and `evv_time_mismatch` per encounter and `evv_units_exceeded` per
/// line, under the policy version of each encounter's date.
pub(crate) fn check(
    eval: &Evaluation<'_>,
    visits: &[EvvVisit],
    request_item: usize,
    found: &mut Vec<(usize, Finding)>,
) {
    let valid = validate(eval, visits, request_item, found);
    // The encounters EVV applies to: coded, on a line, in person, of a code the policy of
    // their date requires a visit for, in a setting it does not exempt.
    let applies = |ev: &Evaluated<'_>| {
        let (Some(code), Some(_)) = (ev.code, ev.line) else {
            return false;
        };
        ev.enc.modality == Modality::InPerson
            && ev
                .policy
                .evv()
                .is_some_and(|evv| evv.requires(code, ev.enc.setting))
    };
    if !eval.encounters.iter().any(applies) {
        // Nothing to match (no policy in force requires EVV, as a rule): no tables built.
        return;
    }
    let mut matched: Vec<Matched> = vec![None; eval.encounters.len()];
    let mut checked = vec![false; eval.encounters.len()];
    // (patient, provider, encounter) of the encounters with clock times to match.
    let mut wanted: Vec<(u32, u32, usize)> = Vec::new();
    for (ci, ev) in eval.encounters.iter().enumerate() {
        if !applies(ev) {
            continue;
        }
        checked[ci] = true;
        if ev.session.and_then(|s| s.span()).is_some() {
            wanted.push((ev.patient_rank, ev.provider_rank, ci));
        } else {
            found.push(on_line(
                ev,
                Rule::EvvVisitMissing,
                Data::EvvVisitMissing { clock_times: false },
            ));
        }
    }
    if wanted.is_empty() {
        return;
    }
    wanted.sort_unstable();
    // Valid visits by (patient, provider, unverified, clock-in, clock-out, id).
    let mut order: Vec<usize> = (0..valid.len()).collect();
    order.sort_unstable_by(|&a, &b| {
        let (x, y) = (&valid[a], &valid[b]);
        (
            x.patient,
            x.provider,
            !x.verified,
            x.clock_in,
            x.clock_out,
            x.id,
        )
            .cmp(&(
                y.patient,
                y.provider,
                !y.verified,
                y.clock_in,
                y.clock_out,
                y.id,
            ))
    });
    let mut rest = order.as_slice();
    for pair in wanted.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
        let (patient, provider) = (pair[0].0, pair[0].1);
        // Skip the visits of earlier pairs, then take this pair's, verified first.
        let skip =
            rest.partition_point(|&v| (valid[v].patient, valid[v].provider) < (patient, provider));
        rest = &rest[skip..];
        let take =
            rest.partition_point(|&v| (valid[v].patient, valid[v].provider) == (patient, provider));
        let (mine, after) = rest.split_at(take);
        rest = after;
        let split = mine.partition_point(|&v| valid[v].verified);
        let verified = Group::new(mine[..split].to_vec(), &valid);
        let unverified = Group::new(mine[split..].to_vec(), &valid);
        for &(_, _, ci) in pair {
            let ev = &eval.encounters[ci];
            let Some((start, end)) = ev.session.and_then(|s| s.span()) else {
                continue;
            };
            let (start, end) = (nanos(start), nanos(end));
            if let Some((v, _)) = verified.best(start, end) {
                matched[ci] = Some(v);
                time_check(ev, &valid[v], start, end, found);
            } else if let Some((v, _)) = unverified.best(start, end) {
                found.push(on_line(
                    ev,
                    Rule::EvvVisitUnverified,
                    Data::EvvVisitUnverified {
                        visit: valid[v].id.to_owned(),
                    },
                ));
            } else {
                found.push(on_line(
                    ev,
                    Rule::EvvVisitMissing,
                    Data::EvvVisitMissing { clock_times: true },
                ));
            }
        }
    }
    units_check(eval, &valid, &matched, &checked, found);
}

fn on_line(ev: &Evaluated<'_>, rule: Rule, data: Data) -> (usize, Finding) {
    let (item, mut f) = ev.finding(rule, data);
    f.line = ev.line;
    (item, f)
}

/// The visits that can be used; an `invalid_evv_visit` for each of the others.
fn validate<'v>(
    eval: &Evaluation<'_>,
    visits: &'v [EvvVisit],
    request_item: usize,
    found: &mut Vec<(usize, Finding)>,
) -> Vec<Visit<'v>> {
    let mut valid = Vec::with_capacity(visits.len());
    let mut ids: HashSet<&str> = HashSet::with_capacity(visits.len());
    for (index, visit) in visits.iter().enumerate() {
        let patient = eval.patients.rank_of(&visit.patient);
        let provider = eval.providers.rank_of(&visit.provider);
        let (clock_in, clock_out) = (nanos(visit.clock_in), nanos(visit.clock_out));
        let problem = if patient.is_none() {
            Some(EvvVisitProblem::UnknownPatient)
        } else if provider.is_none() {
            Some(EvvVisitProblem::UnknownProvider)
        } else if clock_out <= clock_in {
            Some(EvvVisitProblem::ClockOutNotAfterClockIn)
        } else if !ids.insert(visit.id.as_str()) {
            Some(EvvVisitProblem::DuplicateId)
        } else {
            None
        };
        match (problem, patient, provider) {
            (None, Some(patient), Some(provider)) => valid.push(Visit {
                id: &visit.id,
                patient,
                provider,
                verified: visit.status == VisitStatus::Verified,
                clock_in,
                clock_out,
            }),
            (problem, _, _) => {
                let problem = problem.unwrap_or(EvvVisitProblem::UnknownPatient);
                let finding = Finding::new(
                    Rule::InvalidEvvVisit,
                    None,
                    Data::InvalidEvvVisit {
                        visit: visit.id.clone(),
                        index,
                        problem,
                    },
                )
                .on_element(format!("evv_visits[{index}].{}", problem.field()));
                found.push((request_item, finding));
            }
        }
    }
    valid
}

/// `evv_time_mismatch` when the session starts before clock-in or ends after clock-out by
/// more whole minutes than the policy's tolerance.
fn time_check(
    ev: &Evaluated<'_>,
    visit: &Visit<'_>,
    start: Nanos,
    end: Nanos,
    found: &mut Vec<(usize, Finding)>,
) {
    let tolerance = ev.policy.evv().map_or(0, |evv| evv.tolerance_minutes);
    let early = whole_minutes(visit.clock_in - start);
    let late = whole_minutes(end - visit.clock_out);
    if early > tolerance || late > tolerance {
        found.push(on_line(
            ev,
            Rule::EvvTimeMismatch,
            Data::EvvTimeMismatch {
                visit: visit.id.to_owned(),
                started_early_minutes: early,
                ended_late_minutes: late,
                tolerance_minutes: tolerance,
            },
        ));
    }
}

/// The part of a session on `date` (in the start's offset), as a span.
fn part_on(
    start: DateTime<FixedOffset>,
    end: DateTime<FixedOffset>,
    date: NaiveDate,
) -> (Nanos, Nanos) {
    let offset = *start.offset();
    let midnight = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(offset).single())
            .map(nanos)
    };
    let from = midnight(date).map_or(nanos(start), |m| m.max(nanos(start)));
    let to = date
        .succ_opt()
        .and_then(midnight)
        .map_or(nanos(end), |m| m.min(nanos(end)));
    (from, to)
}

/// Minutes of a span within a visit: all `minutes` when the visit covers it, otherwise the
/// whole minutes of the overlap (never more than `minutes`).
fn within(span: (Nanos, Nanos), minutes: u32, visit: &Visit<'_>) -> u32 {
    if visit.clock_in <= span.0 && span.1 <= visit.clock_out {
        return minutes;
    }
    let overlap = span.1.min(visit.clock_out) - span.0.max(visit.clock_in);
    whole_minutes(overlap).min(minutes)
}

/// `evv_units_exceeded` on each line whose units exceed what its encounters' minutes within
/// their verified visits earn, counted as the line's units were (`docs/rules.md`,
/// "Electronic visit verification"). A line with an encounter that has no verified visit is
/// not checked: that encounter has its own finding.
fn units_check(
    eval: &Evaluation<'_>,
    valid: &[Visit<'_>],
    matched: &[Matched],
    checked: &[bool],
    found: &mut Vec<(usize, Finding)>,
) {
    for (li, members) in eval.line_members.iter().enumerate() {
        let Some(&first) = members.first() else {
            continue;
        };
        if !checked[first] || members.iter().any(|&ci| matched[ci].is_none()) {
            continue;
        }
        let line = &eval.lines[li];
        let lead = &eval.encounters[first];
        let Some(rules) = lead.policy.code(line.code) else {
            continue;
        };
        let Some(basis) = eval.bases.get(li).copied().flatten() else {
            continue;
        };
        let mut visit_ids: Vec<&str> = Vec::new();
        let mut total = 0u32;
        let mut session_units = 0u32;
        for &ci in members {
            let ev = &eval.encounters[ci];
            let (Some(session), Some(v)) = (ev.session, matched[ci]) else {
                continue;
            };
            let Some((start, end)) = session.span() else {
                continue;
            };
            let visit = &valid[v];
            if !visit_ids.contains(&visit.id) {
                visit_ids.push(visit.id);
            }
            // The session's minutes on this line: all of them, or this date's part of a
            // session split at midnight.
            let parts = session.minutes_by_date();
            let split = rules.split_at_midnight && parts.len() > 1;
            let (span, minutes) = match parts.iter().find(|(d, _)| *d == line.date_of_service) {
                Some(&(date, minutes)) if split => (part_on(start, end, date), minutes),
                _ => ((nanos(start), nanos(end)), session.minutes()),
            };
            // A minimum session length applies to the whole session within its visit.
            let whole = within((nanos(start), nanos(end)), session.minutes(), visit);
            if !rules.counts_session(whole) {
                continue;
            }
            let on_line = within(span, minutes, visit);
            total = total.saturating_add(on_line);
            session_units = session_units.saturating_add(rules.rounding.units(on_line));
        }
        let visit_units = match basis {
            UnitsBasis::Line { .. } => rules.rounding.units(total),
            UnitsBasis::Sessions { .. } => session_units,
            // The day's pool without the line's minutes outside the visits: the units the
            // pool loses come off the line's share.
            UnitsBasis::Cms8Minute {
                day_minutes,
                day_units,
                line_minutes,
                units,
                ..
            } => {
                let short = line_minutes.saturating_sub(total);
                let lost = day_units
                    .saturating_sub(cms_8_minute_total_units(day_minutes.saturating_sub(short)));
                units.saturating_sub(lost)
            }
        };
        if line.units > visit_units {
            let (item, finding) = lead.finding(
                Rule::EvvUnitsExceeded,
                Data::EvvUnitsExceeded {
                    visits: visit_ids.iter().map(|&id| id.to_owned()).collect(),
                    units: line.units,
                    visit_minutes: total,
                    visit_units,
                },
            );
            found.push((item, finding.on_line(li)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visit(clock_in: i128, clock_out: i128) -> Visit<'static> {
        Visit {
            id: "v",
            patient: 0,
            provider: 0,
            verified: true,
            clock_in,
            clock_out,
        }
    }

    /// The best visit by comparing every visit: what `Group::best` must agree with.
    fn naive(
        visits: &[Visit<'_>],
        order: &[usize],
        start: i128,
        end: i128,
    ) -> Option<(usize, i128)> {
        let mut best: Option<(i128, Reverse<usize>)> = None;
        for (at, &v) in order.iter().enumerate() {
            let overlap = end.min(visits[v].clock_out) - start.max(visits[v].clock_in);
            if overlap > 0 {
                best = best.max(Some((overlap, Reverse(at))));
            }
        }
        best.map(|(o, Reverse(at))| (order[at], o))
    }

    proptest::proptest! {
        #[test]
        fn the_sweep_finds_the_visit_a_pairwise_search_finds(
            spans in proptest::collection::vec((0i128..60, 1i128..40), 0..24),
            queries in proptest::collection::vec((0i128..70, 1i128..40), 1..12),
        ) {
            let visits: Vec<Visit<'_>> = spans.iter().map(|&(s, l)| visit(s, s + l)).collect();
            let mut order: Vec<usize> = (0..visits.len()).collect();
            order.sort_by_key(|&v| (visits[v].clock_in, visits[v].clock_out));
            let group = Group::new(order.clone(), &visits);
            for (start, length) in queries {
                let end = start + length;
                proptest::prop_assert_eq!(group.best(start, end), naive(&visits, &order, start, end));
            }
        }
    }

    #[test]
    fn ties_go_to_the_earlier_clock_in() {
        let visits = [visit(0, 10), visit(5, 20), visit(10, 25)];
        let group = Group::new(vec![0, 1, 2], &visits);
        // 10..20: visit 1 overlaps 10, visit 2 overlaps 10: the earlier clock-in wins.
        assert_eq!(group.best(10, 20), Some((1, 10)));
        // 0..10: visit 0 overlaps 10, visit 1 5.
        assert_eq!(group.best(0, 10), Some((0, 10)));
        // Back to back: no overlap.
        assert_eq!(group.best(25, 30), None);
        assert_eq!(Group::new(Vec::new(), &visits).best(0, 10), None);
    }
}
