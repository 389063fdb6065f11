//! Services that collide in time: the same patient in two places at once, one provider with
//! two patients at once, and the same service entered twice.
//!
//! Sources: `docs/rules.md`, "Overlaps and duplicates": a service that overlaps another
//! (therapy, case management) at the same time is denied with CARC 97; an exact duplicate
//! with CARC 18. Psychotherapy and case-management encounters count as context even though
//! they get no code here.
//!
//! Every check sorts once and sweeps (O(n log n)); nothing compares all pairs. Each
//! overlapping encounter is reported once, against an earlier session still running.
//! Only encounters with clock times can overlap; duplicates documented by `date` and
//! `minutes` are found by provider, date, code and minutes.

use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::codes::{Code, Service};
use crate::evaluation::Evaluated;
use crate::findings::{Data, Finding, Rule};

/// An instant as (seconds, nanoseconds) since the Unix epoch: it orders and compares as the
/// instant does, whatever the UTC offset it was written in, and as two integers.
type Instant = (i64, u32);

fn instant(t: DateTime<FixedOffset>) -> Instant {
    (t.timestamp(), t.timestamp_subsec_nanos())
}

/// A session with clock times, keyed by its patient's or provider's rank.
struct Timed {
    who: u32,
    start: Instant,
    end: Instant,
    ci: usize,
}

/// `duplicate_encounter`, `overlapping_services` and `provider_overlap` findings. Each names
/// the other encounter in its data, never in its message. Sessions are grouped by sorting
/// (patient or provider, start, end, position), never by hashing.
pub(crate) fn check(contexts: &[Evaluated<'_>], found: &mut Vec<(usize, Finding)>) {
    // Sessions documented only by date and minutes: the same patient, provider, date, code
    // and minutes twice is taken as one session entered twice; each repeat is reported
    // against the first in request order.
    type UntimedKey = (u32, u32, NaiveDate, u32, Result<Code, Service>);
    let mut untimed: Vec<(UntimedKey, usize)> = contexts
        .iter()
        .enumerate()
        .filter_map(|(ci, ctx)| {
            let session = ctx.session.filter(|s| !s.has_clock_times())?;
            let key = (
                ctx.patient_rank,
                ctx.provider_rank,
                session.date_of_service(),
                session.minutes(),
                ctx.code.ok_or(ctx.enc.service),
            );
            Some((key, ci))
        })
        .collect();
    untimed.sort_unstable();
    for run in untimed.chunk_by(|a, b| a.0 == b.0) {
        let first = &contexts[run[0].1];
        for &(_, ci) in &run[1..] {
            found.push(contexts[ci].finding(
                Rule::DuplicateEncounter,
                Data::Duplicate {
                    other: first.enc.id.clone(),
                    clock_times: false,
                },
            ));
        }
    }

    let mut by_patient: Vec<Timed> = Vec::new();
    let mut by_provider: Vec<Timed> = Vec::new();
    for (ci, ctx) in contexts.iter().enumerate() {
        let Some((start, end)) = ctx.session.and_then(|s| s.span()) else {
            continue;
        };
        let (start, end) = (instant(start), instant(end));
        by_patient.push(Timed {
            who: ctx.patient_rank,
            start,
            end,
            ci,
        });
        if ctx.enc.group_size == 1 {
            by_provider.push(Timed {
                who: ctx.provider_rank,
                start,
                end,
                ci,
            });
        }
    }
    let order = |t: &Timed| (t.who, t.start, t.end, t.ci);
    by_patient.sort_unstable_by_key(order);
    by_provider.sort_unstable_by_key(order);

    for list in by_patient.chunk_by(|a, b| a.who == b.who) {
        // Exact duplicates: same code (or, uncoded, same service) and identical times. Equal
        // times are adjacent; within such a run, the first of each code in request order.
        let mut run_start = 0;
        let mut run_codes: Vec<(Result<Code, Service>, usize)> = Vec::new();
        let mut longest: Option<usize> = None;
        for i in 0..list.len() {
            let here = &list[i];
            let ctx = &contexts[here.ci];
            if i == 0 || (here.start, here.end) != (list[run_start].start, list[run_start].end) {
                run_start = i;
                run_codes.clear();
            }
            let code = ctx.code.ok_or(ctx.enc.service);
            let earlier = run_codes.iter().find(|(c, _)| *c == code).map(|(_, j)| *j);
            if let Some(j) = earlier {
                found.push(ctx.finding(
                    Rule::DuplicateEncounter,
                    Data::Duplicate {
                        other: contexts[list[j].ci].enc.id.clone(),
                        clock_times: true,
                    },
                ));
            } else if let Some(l) = longest.filter(|&l| here.start < list[l].end) {
                let other = &contexts[list[l].ci];
                found.push(ctx.finding(
                    Rule::OverlappingServices,
                    Data::Overlap {
                        other: other.enc.id.clone(),
                        service: ctx.enc.service,
                        other_service: other.enc.service,
                    },
                ));
            }
            if earlier.is_none() {
                run_codes.push((code, i));
            }
            if longest.is_none_or(|l| here.end > list[l].end) {
                longest = Some(i);
            }
        }
    }

    for list in by_provider.chunk_by(|a, b| a.who == b.who) {
        let patient = |i: usize| contexts[list[i].ci].patient_rank;
        // The earlier session that ends last, and the one that ends last among those of
        // another patient than that one's: enough to find another patient's running session.
        let mut last: Option<usize> = None;
        let mut last_other: Option<usize> = None;
        for i in 0..list.len() {
            let here = &list[i];
            let running = [last, last_other]
                .into_iter()
                .flatten()
                .find(|&j| patient(j) != patient(i) && here.start < list[j].end);
            if let Some(j) = running {
                found.push(contexts[here.ci].finding(
                    Rule::ProviderOverlap,
                    Data::ProviderOverlap {
                        other: contexts[list[j].ci].enc.id.clone(),
                    },
                ));
            }
            match last {
                Some(l) if here.end <= list[l].end => {
                    if patient(i) != patient(l) && last_other.is_none_or(|o| here.end > list[o].end)
                    {
                        last_other = Some(i);
                    }
                }
                Some(l) => {
                    if patient(i) != patient(l) {
                        last_other = Some(l);
                    }
                    last = Some(i);
                }
                None => last = Some(i),
            }
        }
    }
}
