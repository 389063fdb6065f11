//! Services that collide in time: the same patient in two places at once, one provider with
//! two patients at once, and the same service entered twice.
//!
//! Sources: DOMAIN.md §5: a service that overlaps another (therapy, case management) at the
//! same time is denied with CARC 97; an exact duplicate with CARC 18. Psychotherapy and
//! case-management encounters count as context even though they get no code here.
//!
//! Every check sorts once and sweeps (O(n log n)); nothing compares all pairs. Each
//! overlapping encounter is reported once, against an earlier session still running.
//! Only encounters with clock times can overlap; duplicates documented by `date` and
//! `minutes` are found by provider, date, code and minutes.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::codes::{Code, Service};
use crate::evaluation::Evaluated;
use crate::findings::{Data, Finding, Rule};

struct Timed {
    ci: usize,
    start: DateTime<FixedOffset>,
    end: DateTime<FixedOffset>,
}

/// `duplicate_encounter`, `overlapping_services` and `provider_overlap` findings. Each names
/// the other encounter in its data, never in its message.
pub(crate) fn check(contexts: &[Evaluated<'_>], found: &mut Vec<(usize, Finding)>) {
    let mut by_patient: HashMap<&str, Vec<Timed>> = HashMap::new();
    let mut by_provider: HashMap<&str, Vec<Timed>> = HashMap::new();
    // Sessions documented only by date and minutes: the same patient, provider, date, code
    // and minutes twice is taken as one session entered twice.
    type UntimedKey<'a> = (&'a str, &'a str, NaiveDate, u32, Result<Code, Service>);
    let mut untimed: HashMap<UntimedKey<'_>, usize> = HashMap::new();
    for (ci, ctx) in contexts.iter().enumerate() {
        let Some(session) = ctx.session.filter(|s| !s.has_clock_times()) else {
            continue;
        };
        let key = (
            ctx.enc.patient.as_str(),
            ctx.enc.provider.as_str(),
            session.date_of_service(),
            session.minutes(),
            ctx.code.ok_or(ctx.enc.service),
        );
        match untimed.get(&key) {
            Some(&first) => found.push(ctx.finding(
                Rule::DuplicateEncounter,
                Data::Duplicate {
                    other: contexts[first].enc.id.clone(),
                    clock_times: false,
                },
            )),
            None => {
                untimed.insert(key, ci);
            }
        }
    }

    for (ci, ctx) in contexts.iter().enumerate() {
        let Some((start, end)) = ctx.session.and_then(|s| s.span()) else {
            continue;
        };
        by_patient
            .entry(ctx.enc.patient.as_str())
            .or_default()
            .push(Timed { ci, start, end });
        if ctx.enc.group_size == 1 {
            by_provider
                .entry(ctx.enc.provider.as_str())
                .or_default()
                .push(Timed { ci, start, end });
        }
    }

    let mut patients: Vec<_> = by_patient.into_values().collect();
    patients.sort_by_key(|list| list[0].ci);
    for mut list in patients {
        list.sort_by_key(|t| (t.start, t.end, t.ci));
        // Exact duplicates: same code (or, uncoded, same service) and identical times.
        type DuplicateKey = (
            DateTime<FixedOffset>,
            DateTime<FixedOffset>,
            Result<Code, Service>,
        );
        let mut seen: HashMap<DuplicateKey, usize> = HashMap::new();
        let mut longest: Option<usize> = None;
        for i in 0..list.len() {
            let here = &list[i];
            let ctx = &contexts[here.ci];
            let key = (here.start, here.end, ctx.code.ok_or(ctx.enc.service));
            if let Some(&j) = seen.get(&key) {
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
            seen.entry(key).or_insert(i);
            if longest.is_none_or(|l| here.end > list[l].end) {
                longest = Some(i);
            }
        }
    }

    let mut providers: Vec<_> = by_provider.into_values().collect();
    providers.sort_by_key(|list| list[0].ci);
    for mut list in providers {
        list.sort_by_key(|t| (t.start, t.end, t.ci));
        let patient = |i: usize| contexts[list[i].ci].enc.patient.as_str();
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
