//! Claim lines: from validated sessions to coded, grouped, rounded and capped lines, with a
//! decision per encounter.
//!
//! The steps (each rule's source is in the module it comes from):
//! 1. check each encounter (ids, references, time: [`Encounter::timing`]);
//! 2. set aside what cannot be coded (out of scope, modality not covered, no covered code);
//! 3. choose among candidate codes ([`selection`](crate::selection)), by the minutes of the
//!    encounters that would share the line under `day` aggregation;
//! 4. derive modifiers and place of service, and group encounters into lines keyed by
//!    (patient, provider, date of service, code, modifiers, place of service), so group
//!    and individual time are never merged (`docs/rules.md`, "Aggregation"; NY OPWDD); a
//!    session shorter than the code's minimum session length joins no line, with a
//!    `below_minimum_time` finding (`docs/rules.md`, "Minimum session length");
//! 5. compute units ([`units`](crate::units)), pooling the CMS 8-minute rule per patient-day
//!    or per patient, day and discipline (`docs/rules.md`, "CMS 8-minute rule"), with the
//!    other timed services the policy counts;
//! 6. apply daily caps (policy `max_units_per_day`; one unit a day for per-diem codes);
//! 7. drop lines that earn no unit, with a `below_minimum_time` finding per encounter;
//! 8. scrub what the engine would send: eligibility, documentation and treatment plan,
//!    the biller's intended line, prior authorization, overlaps and duplicates. These
//!    findings advise; they never change a line.
//!
//! Grouping is by hashing and sorting: the work grows as n log n in the number of
//! encounters, never pairwise.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDate;

use crate::codes::{Code, Service};
use crate::credentials::Discipline;
use crate::error::{RequestError, RequestErrorKind};
use crate::evaluation::index::Index;
use crate::evaluation::{Evaluated, Evaluation, LineMembers};
use crate::findings::{Data, Finding, Rule};
use crate::ids::Id;
use crate::modifiers::LineModifiers;
use crate::places::Modality;
use crate::places::PlaceOfService;
use crate::policy::{DatedPolicy, Policy, Stretch, UNDATED};
use crate::reasons::{Cap, DateMinutes, ModifierReason, Reason, Turndown, UnitsBasis};
use crate::request::Patient;
use crate::request::{Encounter, Provider, Timing};
use crate::requirements::{RequiredModifiers, modality_modifier, required_modifiers};
use crate::response::{Alternative, Decision, Line};
use crate::selection::{self, Candidates, ChoiceScratch, Uncodable};
use crate::session::Session;
use crate::units::{
    Aggregation, Pool, UnitRule, cms_8_minute_allocate, cms_8_minute_total_units, distribute,
};

/// An encounter that could not be read, with the field at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejected {
    pub index: usize,
    pub id: Option<Id>,
    pub field: String,
    pub problem: String,
}

/// One entry of the request's encounter list.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Item<'a> {
    Parsed(&'a Encounter),
    Rejected(&'a Rejected),
}

/// An encounter that passed every check and has candidate codes.
struct Prepared<'a> {
    /// Index into the evaluated encounters.
    ev: usize,
    item: usize,
    enc: &'a Encounter,
    provider: &'a Provider,
    /// Ranks of the patient and provider ids.
    patient: u32,
    provider_rank: u32,
    session: Session,
    pos: PlaceOfService,
    /// Which of the policy's dated rules apply (by date of service).
    stretch: Stretch,
    /// Index into the request's candidate cache.
    candidates: usize,
    code: Code,
    /// The modifiers for `code`, once chosen.
    mods: Option<RequiredModifiers>,
}

/// What makes a claim line: encounters with equal keys share one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LineKey {
    /// The patient's rank.
    patient: u32,
    date: NaiveDate,
    code: Code,
    /// The provider's rank.
    provider: u32,
    modifiers: LineModifiers,
    pos: PlaceOfService,
}

/// The order of lines in the response: patient, date of service, code as written, then
/// provider, modifiers and place of service. Lines are grouped and ordered by sorting on it,
/// never by hashing: the work is n log n whatever the request holds.
impl Ord for LineKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.patient, self.date, self.code)
            .cmp(&(other.patient, other.date, other.code))
            .then((self.provider, self.modifiers, self.pos).cmp(&(
                other.provider,
                other.modifiers,
                other.pos,
            )))
    }
}

impl PartialOrd for LineKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

struct LineAcc<'a> {
    key: LineKey,
    patient: &'a Id,
    provider: &'a Id,
    /// The provider's discipline (the line's pool under the CMS discipline pool).
    discipline: Discipline,
    minutes: u32,
    session_units: u32,
    /// The line's encounters (positions in the chunk's prepared encounters): a range of
    /// [`Grouped::members`].
    members: std::ops::Range<usize>,
    /// The members that are the part, on this line's date, of a session split at midnight.
    split_members: Vec<usize>,
    basis: Option<UnitsBasis>,
    /// Under the CMS rule, the day's minutes and units when the line gets no share.
    cms_short: Option<(u32, u32)>,
}

impl LineAcc<'_> {
    fn units(&self) -> u32 {
        self.basis.map_or(0, |b| b.units())
    }
}

/// Candidate codes per distinct input of [`selection::candidates`]: computed once per
/// request for each, not per encounter.
#[derive(Default)]
struct CandidateCache {
    /// Each distinct input's position in `values`: a sorted map, so that the lookups stay
    /// logarithmic however many distinct inputs (pinned codes, group sizes) a request holds,
    /// and no value a request chooses is hashed (README, "Limits and bounds").
    index: BTreeMap<CandidateKey, usize>,
    values: Vec<Result<Candidates, Box<Uncodable>>>,
    /// Each entry's alternatives, shared by every decision that takes them as they are.
    alternatives: Vec<Arc<[Alternative]>>,
}

/// Everything [`selection::candidates`] reads: the policy version, the service, the
/// provider's discipline (whether they may bill a therapy code, and which discipline the
/// reasons name), the group size (whether the session is a group, and its size in the
/// reasons) and the pinned code.
type CandidateKey = (Stretch, Service, u8, u32, Option<Code>);

impl CandidateCache {
    fn get(
        &mut self,
        policy: &Policy,
        stretch: Stretch,
        enc: &Encounter,
        provider: &Provider,
    ) -> usize {
        let key = (
            stretch,
            enc.service,
            provider.discipline as u8,
            enc.group_size,
            enc.code,
        );
        let next = self.values.len();
        let at = *self.index.entry(key).or_insert(next);
        if at < next {
            return at;
        }
        let value = selection::candidates(policy, enc.service, provider, enc.group_size, enc.code);
        self.alternatives.push(match &value {
            Ok(c) => c.alternatives.as_slice().into(),
            Err(u) => u.alternatives.as_slice().into(),
        });
        self.values.push(value);
        at
    }

    fn codes(&self, at: usize) -> &[Code] {
        match &self.values[at] {
            Ok(c) => &c.codes,
            Err(_) => &[],
        }
    }
}

/// Decisions and findings under construction; findings remember their encounter's
/// position so they can be listed in request order.
struct Output {
    decisions: Vec<Decision>,
    findings: Vec<(usize, Finding)>,
}

impl Output {
    /// Adds a finding of `rule` on the encounter at `item` and returns it for refinement.
    /// Its `encounter` is written later, as for [`Evaluated::finding`].
    fn finding(&mut self, item: usize, rule: Rule, data: Data) -> &mut Finding {
        self.findings.push((item, Finding::about(rule, None, data)));
        let last = self.findings.len() - 1;
        &mut self.findings[last].1
    }

    /// Records that the encounter at `item` gets no code: `reason` ends its decision.
    fn no_code(&mut self, item: usize, reason: Reason) {
        self.decisions[item].reasons.push(reason);
    }
}

/// Evaluates `items` under `policy`: checks each encounter, chooses codes, derives
/// modifiers and place of service, builds lines and computes their units. The denial-risk
/// checks run afterwards on the result ([`checks`](crate::checks)).
pub(crate) fn build<'a>(
    dated: &'a DatedPolicy,
    patients: &'a [Patient],
    providers: &'a [Provider],
    items: &[Item<'a>],
) -> Result<Evaluation<'a>, RequestError> {
    let patient_index = Index::new(patients.iter().map(|p| p.id.as_str()).collect(), "patients")?;
    for (i, patient) in patients.iter().enumerate() {
        patient.check().map_err(|e| {
            RequestError::new(
                RequestErrorKind::InvalidRequest,
                Some(format!("patients[{i}].{}", e.field)),
                e.problem,
            )
        })?;
    }
    let provider_index = Index::new(
        providers.iter().map(|p| p.id.as_str()).collect(),
        "providers",
    )?;

    // One empty list of alternatives, shared by every decision until its own is set.
    let none: Arc<[Alternative]> = Arc::from([]);
    let mut out = Output {
        decisions: items
            .iter()
            .enumerate()
            .map(|(i, item)| Decision {
                encounter: match item {
                    Item::Parsed(e) => e.id.clone(),
                    Item::Rejected(r) => {
                        r.id.clone()
                            .unwrap_or_else(|| format!("encounters[{i}]").into())
                    }
                },
                code: None,
                line: None,
                policy_version: None,
                reasons: Vec::new(),
                alternatives: Arc::clone(&none),
            })
            .collect(),
        // Grown as found: most encounters get none here.
        findings: Vec::new(),
    };

    let mut cache = CandidateCache::default();
    let Checked {
        mut prepared,
        mut encounters,
        other_timed,
    } = check_encounters(
        dated,
        (patients, &patient_index),
        (providers, &provider_index),
        items,
        &mut cache,
        &mut out,
    );
    // Steps 3-7 run patient by patient: every key they group by holds the patient, and one
    // patient's encounters are few enough to stay in the processor's cache, where a whole
    // month's would not. Patients go in id order, so the lines come out in response order.
    // Within a patient, each stretch of dates under one policy version is a chunk of its
    // own: stretches follow one another in date order, so the order holds.
    in_patient_order(&mut prepared);
    let mut emitted = Emitted::default();
    let mut shared = SharedModifierReasons::default();
    for chunk in prepared.chunk_by_mut(|a, b| (a.patient, a.stretch) == (b.patient, b.stretch)) {
        let policy = dated.get(chunk[0].stretch);
        choose_codes(policy, &cache, chunk, &mut out);
        let Grouped { mut accs, members } =
            group_lines(policy, (&cache, &mut shared), chunk, &mut out);
        compute_units(policy, &mut accs, &other_timed);
        let capped = apply_caps(policy, &accs);
        emit_lines(
            policy,
            (accs, &members),
            capped,
            chunk,
            &mut out,
            &mut emitted,
        );
    }
    let Emitted {
        mut lines,
        capped: capped_lines,
        members: line_members,
        bases,
    } = emitted;
    // The lines live as long as the response: the room their growth left is given back.
    lines.shrink_to_fit();
    for p in prepared {
        let ev = &mut encounters[p.ev];
        ev.code = Some(p.code);
        ev.line = out.decisions[p.item].line;
        ev.modifiers = p.mods;
    }
    Ok(Evaluation {
        encounters,
        lines,
        line_members,
        capped: capped_lines,
        bases,
        decisions: out.decisions,
        findings: out.findings,
        patients: patient_index,
        providers: provider_index,
    })
}

/// Orders the encounters to code by patient, then stretch of dates, keeping request order
/// within each: the permutation is found by sorting small keys, then applied in place
/// cycle by cycle, so each (large) entry moves about once instead of once per merge pass.
fn in_patient_order(prepared: &mut [Prepared<'_>]) {
    let mut order: Vec<(u32, Stretch, u32)> = prepared
        .iter()
        .zip(0u32..)
        .map(|(p, i)| (p.patient, p.stretch, i))
        .collect();
    order.sort_unstable();
    // `target[i]`: where the entry now at `i` belongs.
    let mut target = vec![0u32; prepared.len()];
    for (to, &(_, _, from)) in (0u32..).zip(&order) {
        target[from as usize] = to;
    }
    drop(order);
    super::permute(prepared, target);
}

/// What steps 1-2 leave: the encounters to code, every valid encounter, and the other
/// timed services per patient-day.
struct Checked<'a> {
    prepared: Vec<Prepared<'a>>,
    encounters: Vec<Evaluated<'a>>,
    other_timed: OtherTimed<'a>,
}

/// A CMS 8-minute pool: the patient (rank), the date of service and, when the policy pools
/// by discipline, the discipline (`docs/rules.md`, "CMS 8-minute rule").
type PoolKey = (u32, NaiveDate, Option<&'static str>);

/// Other timed services' minutes per pool, by code.
type OtherTimed<'a> = BTreeMap<PoolKey, BTreeMap<&'a str, u32>>;

/// Steps 1-2: checks each encounter and finds its candidate codes.
fn check_encounters<'a>(
    dated: &'a DatedPolicy,
    (patients, patient_index): (&'a [Patient], &Index<'_>),
    (providers, provider_index): (&'a [Provider], &Index<'_>),
    items: &[Item<'a>],
    cache: &mut CandidateCache,
    out: &mut Output,
) -> Checked<'a> {
    // Sized for the encounters that could be read (none of a malformed one's room).
    let readable = items
        .iter()
        .filter(|i| matches!(i, Item::Parsed(_)))
        .count();
    let mut prepared: Vec<Prepared<'_>> = Vec::with_capacity(readable);
    let mut encounters: Vec<Evaluated<'_>> = Vec::with_capacity(readable);
    // Ids of the encounters read so far. A malformed encounter's id is not taken: it must
    // never make a valid encounter with the same id a duplicate.
    let mut seen_ids: HashSet<&str> = HashSet::with_capacity(readable);
    let mut other_timed: OtherTimed<'_> = BTreeMap::new();
    for (item, entry) in items.iter().enumerate() {
        let enc = match entry {
            Item::Rejected(r) => {
                debug_assert_eq!(r.index, item);
                invalid(out, item, &r.field, &r.problem);
                continue;
            }
            Item::Parsed(enc) => *enc,
        };
        if !seen_ids.insert(enc.id.as_str()) {
            invalid(
                out,
                item,
                "id",
                "another encounter in the request has this id",
            );
            continue;
        }
        let Some(patient_at) = patient_index.get(&enc.patient) else {
            invalid(out, item, "patient", "names no patient in `patients`");
            continue;
        };
        let Some(provider_at) = provider_index.get(&enc.provider) else {
            invalid(out, item, "provider", "names no provider in `providers`");
            continue;
        };
        let timing = match enc.timing() {
            Ok(t) => t,
            Err(e) => {
                invalid(out, item, &e.field, &e.problem);
                continue;
            }
        };
        let session = match timing {
            Timing::Session(s) => Some(s),
            Timing::Missing => None,
        };
        // The rules in force on the date of service (`docs/rules.md`, "Rules as data").
        let (stretch, policy) = match session.map(|s| s.date_of_service()) {
            None => (UNDATED, dated.base()),
            Some(date) => match dated.on(date) {
                Some(found) => found,
                None => {
                    let effective = dated.base().effective().unwrap_or_default();
                    let (from, to) = (effective.from, effective.to);
                    out.no_code(item, Reason::PolicyNotInEffect { date, from, to });
                    out.finding(
                        item,
                        Rule::PolicyNotInEffect,
                        Data::PolicyNotInEffect { date, from, to },
                    );
                    continue;
                }
            },
        };
        out.decisions[item].policy_version = policy.version();
        let patient_rank = patient_index.rank(patient_at);
        let provider = &providers[provider_at as usize];
        let pos = PlaceOfService::for_session(enc.setting, enc.modality);
        let ev = encounters.len();
        encounters.push(Evaluated {
            item,
            enc,
            patient: &patients[patient_at as usize],
            provider,
            policy,
            patient_rank,
            provider_rank: provider_index.rank(provider_at),
            session,
            code: None,
            line: None,
            modifiers: None,
            place_of_service: pos,
        });
        if let Some(session) = session {
            // Other timed services count in the pool of the encounter's date and, under the
            // discipline pool, of its provider's discipline; only the policy's timed codes
            // count (`docs/rules.md`, "Other timed services").
            let key = (
                patient_rank,
                session.date_of_service(),
                (policy.cms_pool() == Pool::Discipline).then(|| provider.discipline.as_str()),
            );
            for (index, other) in enc.other_timed_services.iter().enumerate() {
                if let Err(because) = policy.other_timed_service(&other.code) {
                    out.finding(
                        item,
                        Rule::OtherTimedServiceIgnored,
                        Data::OtherTimedServiceIgnored {
                            index,
                            code: other.code.clone(),
                            because,
                        },
                    )
                    .element = Some(format!("other_timed_services[{index}]"));
                    continue;
                }
                // The day's minutes per code: repeated on several encounters, the largest
                // counts (it is the same service listed again, not another one).
                let m = other_timed
                    .entry(key)
                    .or_default()
                    .entry(other.code.as_str())
                    .or_default();
                *m = (*m).max(other.minutes);
            }
        }
        if selection::out_of_scope(enc.service) {
            let d = &mut out.decisions[item];
            d.reasons.push(Reason::OutOfScope {
                service: enc.service,
            });
            d.alternatives = policy
                .code_set()
                .codes()
                .map(|c| {
                    Alternative::new(
                        c,
                        Turndown::DoesNotBill {
                            service: enc.service,
                        },
                    )
                })
                .collect::<Vec<_>>()
                .into();
            out.finding(
                item,
                Rule::ServiceOutOfScope,
                Data::OutOfScope {
                    service: enc.service,
                },
            );
            continue;
        }
        if enc.modality == Modality::AudioOnly && modality_modifier(policy, enc.modality).is_none()
        {
            out.no_code(item, Reason::AudioOnlyNotCovered);
            out.finding(
                item,
                Rule::ModalityNotCovered,
                Data::ModalityNotCovered {
                    modality: enc.modality,
                },
            );
            continue;
        }
        let at = cache.get(policy, stretch, enc, provider);
        let d = &mut out.decisions[item];
        match &cache.values[at] {
            Ok(c) => {
                // Room for the steps that follow: a score per candidate (two as a rule), the
                // choice, a shared line, modifiers, place of service, units.
                d.reasons = Vec::with_capacity(c.reasons.len() + 7);
                d.reasons.extend_from_slice(&c.reasons);
                d.alternatives = Arc::clone(&cache.alternatives[at]);
            }
            Err(u) => {
                d.reasons.clone_from(&u.reasons);
                d.alternatives = Arc::clone(&cache.alternatives[at]);
                out.finding(item, u.rule, u.data.clone());
                continue;
            }
        }
        let Some(session) = session else {
            out.no_code(item, Reason::NoTime);
            out.finding(item, Rule::MissingSessionTimes, Data::NoTime);
            continue;
        };
        if !session.has_clock_times() && policy.requires_clock_times() {
            out.finding(item, Rule::MissingSessionTimes, Data::ClockTimesRequired);
        }
        prepared.push(Prepared {
            ev,
            item,
            enc,
            provider,
            patient: patient_rank,
            provider_rank: provider_index.rank(provider_at),
            session,
            pos,
            stretch,
            code: cache.codes(at)[0],
            candidates: at,
            mods: None,
        });
    }

    Checked {
        prepared,
        encounters,
        other_timed,
    }
}

fn line_key(p: &Prepared<'_>, code: Code, mods: &RequiredModifiers) -> LineKey {
    LineKey {
        patient: p.patient,
        date: p.session.date_of_service(),
        code,
        provider: p.provider_rank,
        modifiers: mods.line_modifiers(),
        pos: p.pos,
    }
}

/// Encounters with several candidates are chosen for together: under `day` aggregation those
/// that would share a line (the line key of the first candidate, and the candidate codes as
/// a set); under `session` aggregation the sessions of the same service (the same candidate
/// codes) for the same patient, provider and day, so that a day's sessions of one service
/// bill one code (`docs/rules.md`, "Aggregation").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum GroupKey {
    Line(LineKey, u64),
    /// The patient's rank, the date of service, the provider's rank, the candidate codes.
    Day(u32, NaiveDate, u32, u64),
}

/// Step 3: chooses each encounter's code among its candidates.
fn choose_codes(
    policy: &Policy,
    cache: &CandidateCache,
    prepared: &mut [Prepared<'_>],
    out: &mut Output,
) {
    // Minutes already on lines whose code is settled count toward the line a candidate
    // would join: (line, minutes), sorted and summed per line.
    let mut settled: Vec<(LineKey, u32)> = Vec::new();
    // Sorted so that a group is a run.
    let mut groups: Vec<(GroupKey, usize)> = Vec::new();
    for (pi, p) in prepared.iter_mut().enumerate() {
        let candidates = cache.codes(p.candidates);
        let first = candidates[0];
        let mods = required_modifiers(policy, first, p.provider, p.enc);
        if candidates.len() == 1 {
            // A session under the code's minimum length adds no minutes to its line.
            let minutes = p.session.minutes();
            if policy.rules(first).counts_session(minutes) {
                settled.push((line_key(p, first, &mods), minutes));
            }
            p.mods = Some(mods);
        } else {
            let per_session = candidates
                .iter()
                .any(|&c| policy.rules(c).aggregation == Aggregation::Session);
            let set = candidates.iter().fold(0u64, |set, &c| {
                set | 1 << policy.code_set().position(c).unwrap_or_default()
            });
            let key = if per_session {
                GroupKey::Day(p.patient, p.session.date_of_service(), p.provider_rank, set)
            } else {
                GroupKey::Line(line_key(p, first, &mods), set)
            };
            groups.push((key, pi));
            // Kept for line grouping, which reuses it when the first candidate is chosen.
            p.mods = Some(mods);
        }
    }
    settled.sort_unstable_by_key(|&(key, _)| key);
    settled.dedup_by(|later, first| {
        let same = later.0 == first.0;
        if same {
            first.1 = first.1.saturating_add(later.1);
        }
        same
    });
    let settled_minutes = |key: &LineKey| {
        settled
            .binary_search_by(|(k, _)| k.cmp(key))
            .map_or(0, |at| settled[at].1)
    };
    groups.sort_unstable();
    // Reused from one run to the next.
    let mut choice = ChoiceScratch::default();
    let mut merged: Vec<(usize, Arc<[Alternative]>)> = Vec::new();
    let mut all: Vec<Alternative> = Vec::new();
    for run in groups.chunk_by(|a, b| a.0 == b.0) {
        let per_session = matches!(run[0].0, GroupKey::Day(..));
        let lead = &prepared[run[0].1];
        let candidates = cache.codes(lead.candidates);
        let total = run.iter().fold(0u32, |s, &(_, m)| {
            s.saturating_add(prepared[m].session.minutes())
        });
        // The minutes a candidate would bill: sessions under its minimum session length add
        // none (`docs/rules.md`, "Minimum session length").
        let counted = |code: Code| {
            let rules = policy.rules(code);
            if rules.min_session_minutes.is_none() {
                return total;
            }
            run.iter().fold(0u32, |s, &(_, m)| {
                let minutes = prepared[m].session.minutes();
                if rules.counts_session(minutes) {
                    s.saturating_add(minutes)
                } else {
                    s
                }
            })
        };
        // Under `day` aggregation the minutes already settled on the line a candidate would
        // join count too, rounded once; under `session` the day's sessions of the service
        // count, each rounded on its own (a per-diem or `day` candidate rounds their sum).
        let code = selection::choose_into(
            policy,
            candidates,
            |code| {
                let rules = policy.rules(code);
                if per_session {
                    let minutes = counted(code);
                    let units = if rules.aggregation == Aggregation::Session {
                        run.iter().fold(0u32, |s, &(_, m)| {
                            s.saturating_add(rules.session_units(prepared[m].session.minutes()))
                        })
                    } else {
                        rules.rounding.units(minutes)
                    };
                    return (minutes, units);
                }
                // The first candidate's modifiers were derived in the first pass.
                let derived;
                let mods = match &lead.mods {
                    Some(mods) if code == candidates[0] => mods,
                    _ => {
                        derived = required_modifiers(policy, code, lead.provider, lead.enc);
                        &derived
                    }
                };
                let minutes =
                    counted(code).saturating_add(settled_minutes(&line_key(lead, code, mods)));
                (minutes, rules.rounding.units(minutes))
            },
            &mut choice,
        );
        let together = u32::try_from(run.len()).unwrap_or(u32::MAX);
        let shared = (run.len() > 1).then_some(if per_session {
            Reason::SameServiceDay {
                sessions: together,
                minutes: total,
            }
        } else {
            Reason::SharedLine {
                encounters: together,
                minutes: total,
            }
        });
        // The codes turned down: the candidate step's and the choice's, merged once per
        // candidate step and shared by the run's decisions.
        merged.clear();
        for &(_, m) in run {
            let p = &mut prepared[m];
            p.code = code;
            let at = p.candidates;
            let alternatives = match merged.iter().find(|(k, _)| *k == at) {
                Some((_, shared)) => Arc::clone(shared),
                None => {
                    all.clear();
                    all.extend_from_slice(&cache.alternatives[at]);
                    all.extend_from_slice(&choice.alternatives);
                    all.sort_by_key(|a| policy.code_set().position(a.code));
                    let all: Arc<[Alternative]> = Arc::from(&all[..]);
                    merged.push((at, Arc::clone(&all)));
                    all
                }
            };
            let d = &mut out.decisions[p.item];
            d.reasons.extend(shared.iter().cloned());
            d.reasons.extend(choice.reasons.iter().cloned());
            d.alternatives = alternatives;
        }
    }
}

/// The last few distinct lists of modifier reasons the decisions took, shared rather than
/// built per decision: a patient's sessions mostly require the same modifiers for the same
/// grounds. A handful are kept, so a lookup stays a short scan whatever the request.
#[derive(Default)]
struct SharedModifierReasons(Vec<Arc<[ModifierReason]>>);

impl SharedModifierReasons {
    /// How many lists are kept; the oldest goes when a new one comes.
    const KEPT: usize = 8;

    /// `mods`' reasons, shared with an earlier decision's when they are the same.
    fn get(&mut self, mods: &RequiredModifiers) -> Arc<[ModifierReason]> {
        if let Some(same) = self.0.iter().find(|r| mods.has_reasons(r)) {
            return Arc::clone(same);
        }
        let new: Arc<[ModifierReason]> = mods.reasons().into();
        if self.0.len() == Self::KEPT {
            self.0.remove(0);
        }
        self.0.push(Arc::clone(&new));
        new
    }
}

/// A chunk's lines under construction, and their encounters.
struct Grouped<'a> {
    accs: Vec<LineAcc<'a>>,
    /// Every line's encounters, line after line (positions in the chunk's prepared
    /// encounters): one list for the chunk rather than one per line.
    members: Vec<usize>,
}

/// Step 4: derives modifiers (once per encounter, for its code) and groups encounters into
/// lines, in response order.
fn group_lines<'a>(
    policy: &Policy,
    (cache, shared): (&CandidateCache, &mut SharedModifierReasons),
    prepared: &mut [Prepared<'a>],
    out: &mut Output,
) -> Grouped<'a> {
    // (line, prepared encounter, its minutes on the line): one entry per encounter, or one
    // per date for a session split at midnight.
    let mut keyed: Vec<(LineKey, usize, u32)> = Vec::with_capacity(prepared.len());
    let mut split: Vec<usize> = Vec::new();
    for (pi, p) in prepared.iter_mut().enumerate() {
        let candidates = cache.codes(p.candidates);
        let single = candidates.len() == 1;
        // The modifiers were derived for the first candidate in step 3; derived again only
        // for another chosen code.
        let mods = match p.mods.take() {
            Some(m) if p.code == candidates[0] => m,
            _ => required_modifiers(policy, p.code, p.provider, p.enc),
        };
        let d = &mut out.decisions[p.item];
        d.code = Some(p.code);
        if single {
            d.reasons.push(Reason::OnlyCandidate { code: p.code });
        }
        d.reasons.push(Reason::Modifiers {
            modifiers: shared.get(&mods),
        });
        d.reasons.push(Reason::PlaceOfService {
            place_of_service: p.pos,
            setting: p.enc.setting,
            modality: p.enc.modality,
        });
        if mods.required() > mods.modifiers().len() {
            out.finding(
                p.item,
                Rule::TooManyModifiers,
                Data::TooManyRequired {
                    required: mods.required(),
                    dropped: mods.dropped().collect(),
                },
            );
        }
        let key = line_key(p, p.code, &mods);
        p.mods = Some(mods);
        // A session under the code's minimum length joins no line (`docs/rules.md`,
        // "Minimum session length").
        let minutes = p.session.minutes();
        let rules = policy.rules(p.code);
        if let Some(min) = rules.min_session_minutes.filter(|&min| minutes < min) {
            let d = &mut out.decisions[p.item];
            d.reasons.push(Reason::SessionBelowMinimum {
                code: p.code,
                minutes,
                min_session_minutes: min,
            });
            d.reasons.push(Reason::NoLine);
            out.finding(
                p.item,
                Rule::BelowMinimumTime,
                Data::BelowSessionMinimum {
                    code: p.code,
                    session_minutes: minutes,
                    min_session_minutes: min,
                },
            );
            continue;
        }
        // A session across midnight, under a policy that splits it, bills each date's
        // minutes on that date's line (`docs/rules.md`, "Sessions across midnight").
        if rules.split_at_midnight && p.session.has_clock_times() {
            let parts = p.session.minutes_by_date();
            if parts.len() > 1 {
                out.decisions[p.item].reasons.push(Reason::SplitAtMidnight {
                    dates: parts
                        .iter()
                        .map(|&(date_of_service, minutes)| DateMinutes {
                            date_of_service,
                            minutes,
                        })
                        .collect(),
                });
                for (date, minutes) in parts {
                    keyed.push((LineKey { date, ..key }, pi, minutes));
                }
                split.push(pi);
                continue;
            }
        }
        keyed.push((key, pi, minutes));
    }
    // Stable: a line's encounters stay in request order.
    keyed.sort_by_key(|&(key, _, _)| key);
    let members: Vec<usize> = keyed.iter().map(|&(_, pi, _)| pi).collect();
    let mut start = 0;
    let accs = keyed
        .chunk_by(|a, b| a.0 == b.0)
        .map(|run| {
            let p = &prepared[run[0].1];
            let rules = policy.rules(run[0].0.code);
            let mut acc = LineAcc {
                key: run[0].0,
                patient: &p.enc.patient,
                provider: &p.enc.provider,
                discipline: p.provider.discipline,
                minutes: 0,
                session_units: 0,
                members: start..start + run.len(),
                split_members: Vec::new(),
                basis: None,
                cms_short: None,
            };
            for &(_, pi, minutes) in run {
                acc.minutes = acc.minutes.saturating_add(minutes);
                acc.session_units = acc
                    .session_units
                    .saturating_add(rules.rounding.units(minutes));
                // Few encounters are split: a sorted search over them.
                if split.binary_search(&pi).is_ok() {
                    acc.split_members.push(pi);
                }
            }
            start += run.len();
            acc
        })
        .collect();
    Grouped { accs, members }
}

fn count(items: &[usize]) -> u32 {
    u32::try_from(items.len()).unwrap_or(u32::MAX)
}

/// Step 5: computes each line's units.
fn compute_units(policy: &Policy, accs: &mut [LineAcc<'_>], other_timed: &OtherTimed<'_>) {
    // Lines come in (patient, date) order, so each CMS pool is gathered in one pass; a day
    // holds one pool, or one per discipline (at most five) under the discipline pool.
    let by_discipline = policy.cms_pool() == Pool::Discipline;
    let mut pools: Vec<(PoolKey, Vec<usize>)> = Vec::new();
    for (ai, acc) in accs.iter_mut().enumerate() {
        let code = acc.key.code;
        let rules = policy.rules(code);
        let rule = rules.rounding.rule();
        if rule == UnitRule::Cms8Minute {
            let key = (
                acc.key.patient,
                acc.key.date,
                by_discipline.then(|| acc.discipline.as_str()),
            );
            let same_day = pools
                .iter_mut()
                .rev()
                .take_while(|(k, _)| (k.0, k.1) == (key.0, key.1))
                .find(|(k, _)| *k == key);
            match same_day {
                Some((_, lines)) => lines.push(ai),
                None => pools.push((key, vec![ai])),
            }
            continue;
        }
        let unit = rules.rounding.unit();
        acc.basis = Some(match rules.aggregation {
            Aggregation::Day => UnitsBasis::Line {
                minutes: acc.minutes,
                rounding: rule,
                unit,
                units: rules.rounding.units(acc.minutes),
                min_session_minutes: rules.min_session_minutes,
                split_at_midnight: rules.split_at_midnight,
                split_sessions: count(&acc.split_members),
            },
            Aggregation::Session => UnitsBasis::Sessions {
                sessions: u32::try_from(acc.members.len()).unwrap_or(u32::MAX),
                minutes: acc.minutes,
                rounding: rule,
                unit,
                units: acc.session_units,
                min_session_minutes: rules.min_session_minutes,
                split_at_midnight: rules.split_at_midnight,
                split_sessions: count(&acc.split_members),
            },
        });
    }
    for (key, members) in &pools {
        // Pool per code (CMS Pub 100-04 Ch. 5 §20.2: each code gets its full blocks, then
        // leftovers), our codes first, then the other timed services (never one of our
        // codes: those are ignored when read); then share each code's units among its lines
        // the same way.
        let discipline = key.2.map(|_| accs[members[0]].discipline);
        struct Pooled {
            /// `None` for an other service whose code is not a well-formed code.
            code: Option<Code>,
            minutes: u32,
            lines: Vec<usize>,
        }
        let mut pooled: Vec<Pooled> = Vec::new();
        for &ai in members {
            let code = Some(accs[ai].key.code);
            let at = match pooled.iter().position(|p| p.code == code) {
                // At most one entry per code the engine models (five).
                Some(at) => at,
                None => {
                    pooled.push(Pooled {
                        code,
                        minutes: 0,
                        lines: Vec::new(),
                    });
                    pooled.len() - 1
                }
            };
            pooled[at].minutes = pooled[at].minutes.saturating_add(accs[ai].minutes);
            pooled[at].lines.push(ai);
        }
        pooled.sort_by_key(|p| p.code);
        let mut other_total = 0u32;
        for (&code, &m) in other_timed.get(key).into_iter().flatten() {
            other_total = other_total.saturating_add(m);
            pooled.push(Pooled {
                code: code.parse().ok(),
                minutes: m,
                lines: Vec::new(),
            });
        }
        let code_minutes: Vec<u32> = pooled.iter().map(|p| p.minutes).collect();
        let code_units = cms_8_minute_allocate(&code_minutes);
        let day_minutes = code_minutes.iter().fold(0u32, |s, &m| s.saturating_add(m));
        let day_units = cms_8_minute_total_units(day_minutes);
        for (p, &units) in pooled.iter().zip(&code_units) {
            if p.lines.is_empty() {
                continue;
            }
            let minutes: Vec<u32> = p.lines.iter().map(|&ai| accs[ai].minutes).collect();
            let shares = distribute(units, &minutes);
            for (&ai, &share) in p.lines.iter().zip(&shares) {
                let acc = &mut accs[ai];
                acc.basis = Some(UnitsBasis::Cms8Minute {
                    pool: policy.cms_pool(),
                    discipline,
                    day_minutes,
                    other_minutes: other_total,
                    day_units,
                    code: acc.key.code,
                    code_minutes: p.minutes,
                    code_units: units,
                    line_minutes: acc.minutes,
                    units: share,
                    min_session_minutes: policy.rules(acc.key.code).min_session_minutes,
                    split_at_midnight: policy.rules(acc.key.code).split_at_midnight,
                    split_sessions: count(&acc.split_members),
                });
                if share == 0 {
                    acc.cms_short = Some((day_minutes, day_units));
                }
            }
        }
    }
}

/// Step 6: applies daily caps in line order; returns the cap applied to each line it cut.
fn apply_caps(policy: &Policy, accs: &[LineAcc<'_>]) -> Vec<Option<Cap>> {
    // Lines come in (patient, date, code) order: the units used so far that day are a
    // running count, reset when the three change.
    let mut day: Option<(u32, NaiveDate, Code)> = None;
    let mut used_today = 0u32;
    let mut capped: Vec<Option<Cap>> = vec![None; accs.len()];
    for (ai, acc) in accs.iter().enumerate() {
        let code = acc.key.code;
        let rules = policy.rules(code);
        let per_diem = matches!(rules.rounding.rule(), UnitRule::PerDiem { .. });
        let cap = match (rules.max_units_per_day, per_diem) {
            (Some(c), true) => Some(c.min(1)),
            (None, true) => Some(1),
            (c, false) => c,
        };
        let Some(cap) = cap else { continue };
        let this_day = (acc.key.patient, acc.key.date, code);
        if day != Some(this_day) {
            day = Some(this_day);
            used_today = 0;
        }
        let so_far = &mut used_today;
        let room = cap.saturating_sub(*so_far);
        let computed = acc.units();
        let billed = if computed > room {
            capped[ai] = Some(Cap {
                code,
                cap,
                computed,
                billed: room,
                per_diem,
            });
            room
        } else {
            computed
        };
        *so_far = so_far.saturating_add(billed);
    }

    capped
}

/// The lines emitted so far, whether the cap cut each, and each line's encounters (indexes
/// into the evaluated encounters).
#[derive(Default)]
struct Emitted {
    lines: Vec<Line>,
    capped: Vec<bool>,
    members: LineMembers,
    bases: Vec<Option<UnitsBasis>>,
}

/// Step 7: emits the lines that earn units, after those already emitted; the others become
/// findings on every encounter they hold.
fn emit_lines(
    policy: &Policy,
    (accs, all_members): (Vec<LineAcc<'_>>, &[usize]),
    capped: Vec<Option<Cap>>,
    prepared: &[Prepared<'_>],
    out: &mut Output,
    emitted: &mut Emitted,
) {
    let Emitted {
        lines,
        capped: capped_lines,
        members: line_members,
        bases,
    } = emitted;
    // Sessions split at midnight that had a line of theirs earn no unit: on no line at all
    // once every date is seen.
    let mut split_short: Vec<usize> = Vec::new();
    for (acc, cap) in accs.into_iter().zip(capped) {
        let units = cap.map_or(acc.units(), |c| c.billed);
        let line_index = lines.len();
        let members = &all_members[acc.members.clone()];
        for &m in members {
            let item = prepared[m].item;
            let d = &mut out.decisions[item];
            if let Some(basis) = acc.basis {
                d.reasons.push(Reason::Units(basis));
            }
            if let Some(cap) = cap {
                d.reasons.push(Reason::DailyCap(cap));
            }
            if units > 0 {
                // A split session is on the line of each date; the decision names the first.
                d.line.get_or_insert(line_index);
            } else if acc.split_members.contains(&m) {
                split_short.push(item);
            } else {
                d.reasons.push(Reason::NoLine);
            }
        }
        if let Some(cap) = cap {
            if units > 0 {
                out.finding(
                    prepared[members[0]].item,
                    Rule::UnitsExceedDailyMaximum,
                    Data::DailyCap {
                        cap,
                        not_billed: false,
                    },
                )
                .line = Some(line_index);
            } else {
                for &m in members {
                    out.finding(
                        prepared[m].item,
                        Rule::UnitsExceedDailyMaximum,
                        Data::DailyCap {
                            cap,
                            not_billed: true,
                        },
                    );
                }
            }
        } else if units == 0 {
            let code = acc.key.code;
            let data = match acc.cms_short {
                Some((day_minutes, day_units)) => Data::Cms8MinuteShare {
                    code,
                    day_minutes,
                    day_units,
                },
                None => Data::BelowMinimum {
                    code,
                    minimum_minutes: policy.rules(code).rounding.minimum_minutes(),
                    line_minutes: acc.minutes,
                },
            };
            for &m in members {
                out.finding(prepared[m].item, Rule::BelowMinimumTime, data.clone());
            }
        }
        if units == 0 {
            continue;
        }
        capped_lines.push(cap.is_some());
        bases.push(acc.basis);
        line_members.push(members.iter().map(|&m| prepared[m].ev));
        lines.push(Line {
            patient: acc.patient.clone(),
            provider: acc.provider.clone(),
            date_of_service: acc.key.date,
            code: acc.key.code,
            modifiers: acc.key.modifiers.as_slice().to_vec(),
            units,
            minutes: acc.minutes,
            place_of_service: acc.key.pos,
            encounters: members
                .iter()
                .map(|&m| prepared[m].enc.id.clone())
                .collect(),
            policy_version: policy.version(),
            // Filled in by the authorization check.
            authorization: None,
            authorization_units_remaining: None,
            // Filled in once the lines are priced and grouped into claims.
            charge_cents: None,
            diagnosis_pointers: Vec::new(),
            x12: None,
        });
    }
    split_short.sort_unstable();
    split_short.dedup();
    for item in split_short {
        let d = &mut out.decisions[item];
        if d.line.is_none() {
            d.reasons.push(Reason::NoLine);
        }
    }
}

fn invalid(out: &mut Output, item: usize, field: &str, problem: &str) {
    out.no_code(
        item,
        Reason::InvalidEncounter {
            field: field.to_owned(),
        },
    );
    out.finding(
        item,
        Rule::InvalidEncounter,
        Data::InvalidField {
            field: field.to_owned(),
            problem: problem.to_owned(),
        },
    );
}
