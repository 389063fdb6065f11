//! Services that collide in time: the same patient in two places at once, one provider with
//! two patients at once, and the same service entered twice.
//!
//! Sources: `docs/rules.md`, "Overlaps and duplicates": a service that overlaps another
//! (therapy, case management) at the same time is denied with CARC 97; an exact duplicate
//! with CARC 18; a provider cannot be one-on-one with a patient while running a session for
//! other patients (CMS: services given to two or more patients at the same time are a group
//! service). Psychotherapy and case-management encounters count as context even though
//! they get no code here.
//!
//! Every check sorts once and sweeps (O(n log n)); nothing compares all pairs. Each
//! finding goes on the later of the encounters it concerns, by start, then end, then id
//! compared as a string, whatever their order in the request, and names the earlier in its
//! data. Only encounters with clock times can overlap; duplicates documented by `date` and
//! `minutes` are found by provider, date, code and minutes (the later by id).

use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::codes::{Code, Service};
use crate::evaluation::{Evaluated, permute};
use crate::findings::{Data, Finding, Rule};
use crate::ids::Id;

/// An instant as one integer of 96 bits: the seconds since the Unix epoch (offset so that
/// they order as unsigned), then the nanoseconds. It orders and compares as the instant does,
/// whatever the UTC offset it was written in.
type Instant = u128;

/// The bits of an [`Instant`]; the patient's or provider's rank goes above them.
const INSTANT_BITS: u32 = 96;

fn instant(t: DateTime<FixedOffset>) -> Instant {
    let seconds = (t.timestamp() as u64) ^ (1 << 63);
    (u128::from(seconds) << 32) | u128::from(t.timestamp_subsec_nanos())
}

/// A session with clock times, keyed by its patient's or provider's rank, with what the
/// sweeps compare: they read the evaluated encounters and the request only to report a
/// finding. Walking a month of one provider's sessions in time order then reads one compact
/// list instead of encounters scattered across the request (a profile of a million
/// encounters found most of the sweeps' time in those scattered reads).
struct Timed<'a> {
    /// The rank above the start: one integer sorts by both.
    who_start: u128,
    end: Instant,
    /// The encounter's id: the last key of the order (`docs/rules.md`, "Overlaps and
    /// duplicates").
    id: &'a Id,
    /// The position of the encounter in the evaluated encounters.
    ci: u32,
    /// The patient's rank.
    patient: u32,
    /// The code chosen, if any.
    code: Option<Code>,
    /// The service documented.
    service: Service,
    /// A group session (two or more patients).
    group: bool,
}

impl<'a> Timed<'a> {
    fn new(who: u32, (start, end): (Instant, Instant), ctx: &Evaluated<'a>, ci: usize) -> Self {
        Timed {
            who_start: (u128::from(who) << INSTANT_BITS) | start,
            end,
            id: &ctx.enc.id,
            ci: ci as u32,
            patient: ctx.patient_rank,
            code: ctx.code,
            service: ctx.enc.service,
            group: ctx.enc.group_size >= 2,
        }
    }

    /// The code, or the service when the encounter got none: what makes two sessions with
    /// the same times duplicates.
    fn what(&self) -> Result<Code, Service> {
        self.code.ok_or(self.service)
    }

    /// The evaluated encounter.
    fn ctx<'c>(&self, contexts: &'c [Evaluated<'a>]) -> &'c Evaluated<'a> {
        &contexts[self.ci as usize]
    }

    fn who(&self) -> u32 {
        (self.who_start >> INSTANT_BITS) as u32
    }

    fn start(&self) -> Instant {
        self.who_start & ((1 << INSTANT_BITS) - 1)
    }
}

/// `duplicate_encounter`, `overlapping_services` and `provider_overlap` findings. Each names
/// the other encounter in its data, never in its message. Sessions are grouped by sorting
/// (patient or provider, start, end, id), never by hashing.
pub(crate) fn check(contexts: &[Evaluated<'_>], found: &mut Vec<(usize, Finding)>) {
    // Sessions documented only by date and minutes: the same patient, provider, date, code
    // and minutes twice is taken as one session entered twice; each repeat is reported
    // against the first by id.
    type UntimedKey<'a> = (u32, u32, NaiveDate, u32, Result<Code, Service>, &'a str);
    let mut untimed: Vec<(UntimedKey<'_>, usize)> = contexts
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
                ctx.enc.id.as_str(),
            );
            Some((key, ci))
        })
        .collect();
    untimed.sort_unstable();
    let same = |a: &UntimedKey<'_>, b: &UntimedKey<'_>| {
        (a.0, a.1, a.2, a.3, a.4) == (b.0, b.1, b.2, b.3, b.4)
    };
    for run in untimed.chunk_by(|a, b| same(&a.0, &b.0)) {
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

    let mut by_patient: Vec<Timed<'_>> = Vec::with_capacity(contexts.len());
    let mut by_provider: Vec<Timed<'_>> = Vec::with_capacity(contexts.len());
    for (ci, ctx) in contexts.iter().enumerate() {
        let Some((start, end)) = ctx.session.and_then(|s| s.span()) else {
            continue;
        };
        let span = (instant(start), instant(end));
        by_patient.push(Timed::new(ctx.patient_rank, span, ctx, ci));
        by_provider.push(Timed::new(ctx.provider_rank, span, ctx, ci));
    }
    in_order(&mut by_patient);
    in_order(&mut by_provider);

    for list in by_patient.chunk_by(|a, b| a.who() == b.who()) {
        patient_overlaps(contexts, list, found);
    }
    for list in by_provider.chunk_by(|a, b| a.who() == b.who()) {
        provider_overlaps(contexts, list, found);
    }
}

/// Orders sessions by rank, start, end and id (ids are unique among evaluated encounters, so
/// the order is total): placed by rank first, in linear time (a counting sort), then each
/// rank's sessions, few as a rule, sorted.
fn in_order(list: &mut [Timed<'_>]) {
    let ranks = list.iter().map(|t| t.who() as usize + 1).max().unwrap_or(0);
    // Where each rank's sessions start.
    let mut next = vec![0u32; ranks];
    for t in list.iter() {
        next[t.who() as usize] += 1;
    }
    let mut at = 0;
    for slot in &mut next {
        let count = *slot;
        *slot = at;
        at += count;
    }
    let target = list
        .iter()
        .map(|t| {
            let slot = &mut next[t.who() as usize];
            *slot += 1;
            *slot - 1
        })
        .collect();
    permute(list, target);
    for rank in list.chunk_by_mut(|a, b| a.who() == b.who()) {
        rank.sort_unstable_by(|a, b| (a.who_start, a.end, a.id).cmp(&(b.who_start, b.end, b.id)));
    }
}

/// One patient's sessions in order: exact duplicates and overlaps.
fn patient_overlaps(
    contexts: &[Evaluated<'_>],
    list: &[Timed<'_>],
    found: &mut Vec<(usize, Finding)>,
) {
    // Exact duplicates: same code (or, uncoded, same service) and identical times. Equal
    // times are adjacent; within such a run, the first of each code by id.
    let mut run_start = 0;
    let mut run_codes: Vec<(Result<Code, Service>, usize)> = Vec::new();
    let mut longest: Option<usize> = None;
    for i in 0..list.len() {
        let here = &list[i];
        if i == 0 || (here.start(), here.end) != (list[run_start].start(), list[run_start].end) {
            run_start = i;
            run_codes.clear();
        }
        let code = here.what();
        let earlier = run_codes.iter().find(|(c, _)| *c == code).map(|(_, j)| *j);
        if let Some(j) = earlier {
            found.push(here.ctx(contexts).finding(
                Rule::DuplicateEncounter,
                Data::Duplicate {
                    other: list[j].id.clone(),
                    clock_times: true,
                },
            ));
        } else if let Some(l) = longest.filter(|&l| here.start() < list[l].end) {
            let other = &list[l];
            found.push(here.ctx(contexts).finding(
                Rule::OverlappingServices,
                Data::Overlap {
                    other: other.id.clone(),
                    service: here.service,
                    other_service: other.service,
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

/// One provider's sessions in order: a session that overlaps a session of another patient,
/// unless both are part of one group session (group encounters with identical start and
/// end). Sessions with identical times form a run; a session is checked against the
/// earlier runs (still running: they started no later and end after it starts) and against
/// the earlier sessions of its own run.
fn provider_overlaps(
    contexts: &[Evaluated<'_>],
    list: &[Timed<'_>],
    found: &mut Vec<(usize, Finding)>,
) {
    let patient = |i: usize| list[i].patient;
    let group = |i: usize| list[i].group;
    // Over the earlier runs: the session that ends last, and the one that ends last among
    // those of another patient than that one's: enough to find another patient's running
    // session.
    let mut last: Option<usize> = None;
    let mut last_other: Option<usize> = None;
    let mut run_start = 0;
    while run_start < list.len() {
        let span = (list[run_start].start(), list[run_start].end);
        let run_end = run_start
            + list[run_start..]
                .iter()
                .take_while(|t| (t.start(), t.end) == span)
                .count();
        // In the run so far: the first two sessions of distinct patients, and the same
        // among individual sessions (a group session conflicts only with those).
        let mut any: [Option<usize>; 2] = [None, None];
        let mut individual: [Option<usize>; 2] = [None, None];
        for i in run_start..run_end {
            let earlier_run = [last, last_other]
                .into_iter()
                .flatten()
                .find(|&j| patient(j) != patient(i) && list[i].start() < list[j].end);
            let same_run = if group(i) { individual } else { any };
            let same_run = same_run
                .into_iter()
                .flatten()
                .find(|&j| patient(j) != patient(i));
            if let Some(j) = earlier_run.or(same_run) {
                found.push(list[i].ctx(contexts).finding(
                    Rule::ProviderOverlap,
                    Data::ProviderOverlap {
                        other: list[j].id.clone(),
                    },
                ));
            }
            let remember = |pair: &mut [Option<usize>; 2]| match *pair {
                [None, _] => pair[0] = Some(i),
                [Some(f), None] if patient(f) != patient(i) => pair[1] = Some(i),
                _ => {}
            };
            remember(&mut any);
            if !group(i) {
                remember(&mut individual);
            }
        }
        for i in run_start..run_end {
            match last {
                Some(l) if list[i].end <= list[l].end => {
                    if patient(i) != patient(l)
                        && last_other.is_none_or(|o| list[i].end > list[o].end)
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
        run_start = run_end;
    }
}
