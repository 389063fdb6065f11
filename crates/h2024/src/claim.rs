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
//!    and individual time are never merged (DOMAIN.md §2, NY OPWDD);
//! 5. compute units ([`units`](crate::units)), pooling the CMS 8-minute rule per patient-day;
//! 6. apply daily caps (policy `max_units_per_day`; one unit a day for per-diem codes);
//! 7. drop lines that earn no unit, with a `below_minimum_time` finding per encounter;
//! 8. scrub what the engine would send: eligibility, documentation and treatment plan,
//!    the biller's intended line, prior authorization, overlaps and duplicates. These
//!    findings advise; they never change a line.
//!
//! Grouping is by hashing and sorting: the work grows as n log n in the number of
//! encounters, never pairwise.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;

use crate::codes::Code;
use crate::error::{RequestError, RequestErrorKind};
use crate::evaluation::{Evaluated, Evaluation};
use crate::explain::{Cap, Reason, Turndown, UnitsBasis};
use crate::findings::{Data, Finding, Rule};
use crate::modifiers::{RequiredModifiers, modality_modifier, required_modifiers};
use crate::policy::Policy;
use crate::request::Patient;
use crate::request::{Encounter, Modality, Provider, Timing};
use crate::response::{Alternative, Decision, Line, PlaceOfService};
use crate::selection::{self, Candidates};
use crate::session::Session;
use crate::units::{
    Aggregation, UnitRule, cms_8_minute_allocate, cms_8_minute_total_units, distribute,
};

/// An encounter that could not be read, with the field at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejected {
    pub index: usize,
    pub id: Option<String>,
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
    session: Session,
    pos: PlaceOfService,
    candidates: Vec<Code>,
    code: Code,
    /// The modifiers for `code`, once chosen.
    mods: Option<RequiredModifiers>,
}

type LineKey<'a> = (
    &'a str,
    &'a str,
    NaiveDate,
    Code,
    Vec<crate::modifiers::Modifier>,
    PlaceOfService,
);

struct LineAcc<'a> {
    key: LineKey<'a>,
    minutes: u32,
    session_units: u32,
    members: Vec<usize>,
    basis: Option<UnitsBasis>,
    /// Under the CMS rule, the day's minutes and units when the line gets no share.
    cms_short: Option<(u32, u32)>,
}

impl LineAcc<'_> {
    fn units(&self) -> u32 {
        self.basis.map_or(0, |b| b.units())
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
    fn finding(&mut self, item: usize, rule: Rule, data: Data) -> &mut Finding {
        let encounter = self.decisions[item].encounter.clone();
        self.findings
            .push((item, Finding::new(rule, Some(&encounter), data)));
        let last = self.findings.len() - 1;
        &mut self.findings[last].1
    }

    /// Records that the encounter at `item` gets no code: `reason` ends its decision.
    fn no_code(&mut self, item: usize, reason: Reason) {
        self.decisions[item].reasons.push(reason);
    }
}

/// Indexes `list` by id, refusing two entries with the same id (`what` names the list).
fn index_by_id<'a, T>(
    list: &'a [T],
    id: impl Fn(&T) -> &str,
    what: &str,
) -> Result<HashMap<&'a str, &'a T>, RequestError> {
    let mut index = HashMap::with_capacity(list.len());
    for (i, entry) in list.iter().enumerate() {
        if index.insert(id(entry), entry).is_some() {
            return Err(RequestError::new(
                RequestErrorKind::InvalidRequest,
                Some(format!("{what}[{i}].id")),
                format!("two {what} share this id"),
            ));
        }
    }
    Ok(index)
}

/// Evaluates `items` under `policy`: checks each encounter, chooses codes, derives
/// modifiers and place of service, builds lines and computes their units. The denial-risk
/// checks run afterwards on the result ([`checks`](crate::checks)).
pub(crate) fn build<'a>(
    policy: &Policy,
    patients: &'a [Patient],
    providers: &'a [Provider],
    items: &[Item<'a>],
) -> Result<Evaluation<'a>, RequestError> {
    let patient_by_id = index_by_id(patients, |p| p.id.as_str(), "patients")?;
    for (i, patient) in patients.iter().enumerate() {
        patient.check().map_err(|e| {
            RequestError::new(
                RequestErrorKind::InvalidRequest,
                Some(format!("patients[{i}].{}", e.field)),
                e.problem,
            )
        })?;
    }
    let provider_by_id = index_by_id(providers, |p| p.id.as_str(), "providers")?;

    let mut out = Output {
        decisions: items
            .iter()
            .enumerate()
            .map(|(i, item)| Decision {
                encounter: match item {
                    Item::Parsed(e) => e.id.clone(),
                    Item::Rejected(r) => r.id.clone().unwrap_or_else(|| format!("encounters[{i}]")),
                },
                code: None,
                line: None,
                reasons: Vec::new(),
                alternatives: Vec::new(),
            })
            .collect(),
        findings: Vec::new(),
    };

    let Checked {
        mut prepared,
        mut encounters,
        other_timed,
    } = check_encounters(policy, &patient_by_id, &provider_by_id, items, &mut out);
    choose_codes(policy, &mut prepared, &mut out);
    let mut accs = group_lines(policy, &mut prepared, &mut out);
    compute_units(policy, &mut accs, &other_timed);
    let capped = apply_caps(policy, &mut accs);
    let (lines, capped_lines, line_members) = emit_lines(policy, accs, capped, &prepared, &mut out);
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
        decisions: out.decisions,
        findings: out.findings,
    })
}

/// What steps 1-2 leave: the encounters to code, every valid encounter, and the other
/// timed services per patient-day.
struct Checked<'a> {
    prepared: Vec<Prepared<'a>>,
    encounters: Vec<Evaluated<'a>>,
    other_timed: OtherTimed<'a>,
}

/// Other timed services' minutes per patient-day and code.
type OtherTimed<'a> = HashMap<(&'a str, NaiveDate), BTreeMap<&'a str, u32>>;

/// Steps 1-2: checks each encounter and finds its candidate codes.
fn check_encounters<'a>(
    policy: &Policy,
    patient_by_id: &HashMap<&str, &'a Patient>,
    provider_by_id: &HashMap<&str, &'a Provider>,
    items: &[Item<'a>],
    out: &mut Output,
) -> Checked<'a> {
    let mut prepared: Vec<Prepared<'_>> = Vec::with_capacity(items.len());
    let mut encounters: Vec<Evaluated<'_>> = Vec::with_capacity(items.len());
    // Ids of the encounters read so far. A malformed encounter's id is not taken: it must
    // never make a valid encounter with the same id a duplicate.
    let mut seen_ids: HashSet<&str> = HashSet::with_capacity(items.len());
    let mut other_timed: OtherTimed<'_> = HashMap::new();
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
        let Some(&patient) = patient_by_id.get(enc.patient.as_str()) else {
            invalid(out, item, "patient", "names no patient in `patients`");
            continue;
        };
        let Some(&provider) = provider_by_id.get(enc.provider.as_str()) else {
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
        let pos = PlaceOfService::for_session(enc.setting, enc.modality);
        let ev = encounters.len();
        encounters.push(Evaluated {
            item,
            enc,
            patient,
            provider,
            session,
            code: None,
            line: None,
            modifiers: None,
            place_of_service: pos,
        });
        if let Some(session) = session {
            if !enc.other_timed_services.is_empty() {
                let day = other_timed
                    .entry((enc.patient.as_str(), session.date_of_service()))
                    .or_default();
                for other in &enc.other_timed_services {
                    // The day's minutes per code: repeated on several encounters, the
                    // largest counts (it is the same service listed again, not another one).
                    let m = day.entry(other.code.as_str()).or_default();
                    *m = (*m).max(other.minutes);
                }
            }
        }
        if selection::out_of_scope(enc.service) {
            let d = &mut out.decisions[item];
            d.reasons.push(Reason::OutOfScope {
                service: enc.service,
            });
            d.alternatives = Code::ALL
                .iter()
                .map(|&c| {
                    Alternative::new(
                        c,
                        Turndown::DoesNotBill {
                            service: enc.service,
                        },
                    )
                })
                .collect();
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
        let Candidates {
            codes,
            reasons,
            alternatives,
        } = match selection::candidates(policy, enc.service, provider, enc.group_size, enc.code) {
            Ok(c) => c,
            Err(u) => {
                let d = &mut out.decisions[item];
                d.reasons = u.reasons;
                d.alternatives = u.alternatives;
                out.finding(item, u.rule, u.data);
                continue;
            }
        };
        let d = &mut out.decisions[item];
        d.reasons = reasons;
        d.alternatives = alternatives;
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
            session,
            pos,
            code: codes[0],
            candidates: codes,
            mods: None,
        });
    }

    Checked {
        prepared,
        encounters,
        other_timed,
    }
}

/// Step 3: chooses each encounter's code among its candidates.
fn choose_codes(policy: &Policy, prepared: &mut [Prepared<'_>], out: &mut Output) {
    // Minutes already on lines whose code is settled count toward the line a candidate
    // would join.
    let mut settled: HashMap<LineKey<'_>, u32> = HashMap::new();
    type GroupKey<'a> = (
        &'a str,
        &'a str,
        NaiveDate,
        Vec<Code>,
        Vec<crate::modifiers::Modifier>,
        PlaceOfService,
        Option<usize>,
    );
    let mut groups: HashMap<GroupKey<'_>, Vec<usize>> = HashMap::new();
    for (pi, p) in prepared.iter_mut().enumerate() {
        let first = p.candidates[0];
        let mods = required_modifiers(policy, first, p.provider, p.enc);
        if p.candidates.len() == 1 {
            let m = settled.entry(line_key(p, first, &mods)).or_default();
            *m = m.saturating_add(p.session.minutes());
            p.mods = Some(mods);
        } else {
            let per_session = p
                .candidates
                .iter()
                .any(|&c| policy.code(c).aggregation == Aggregation::Session);
            groups
                .entry((
                    p.enc.patient.as_str(),
                    p.enc.provider.as_str(),
                    p.session.date_of_service(),
                    p.candidates.clone(),
                    mods.modifiers,
                    p.pos,
                    per_session.then_some(pi),
                ))
                .or_default()
                .push(pi);
        }
    }
    for members in groups.into_values() {
        let lead = &prepared[members[0]];
        let total = members.iter().fold(0u32, |s, &m| {
            s.saturating_add(prepared[m].session.minutes())
        });
        // Under `day` aggregation the minutes already settled on the line a candidate would
        // join count too; under `session` only the session's own minutes do.
        let per_session = lead
            .candidates
            .iter()
            .any(|&c| policy.code(c).aggregation == Aggregation::Session);
        let choice = selection::choose(policy, &lead.candidates, |code| {
            if per_session {
                return total;
            }
            let mods = required_modifiers(policy, code, lead.provider, lead.enc);
            total.saturating_add(
                settled
                    .get(&line_key(lead, code, &mods))
                    .copied()
                    .unwrap_or(0),
            )
        });
        let shared = (members.len() > 1).then(|| Reason::SharedLine {
            encounters: u32::try_from(members.len()).unwrap_or(u32::MAX),
            minutes: total,
        });
        for m in members {
            let p = &mut prepared[m];
            p.code = choice.code;
            let d = &mut out.decisions[p.item];
            d.reasons.extend(shared.iter().cloned());
            d.reasons.extend(choice.reasons.iter().cloned());
            d.alternatives.extend(choice.alternatives.iter().cloned());
            d.alternatives.sort_by_key(|a| a.code);
        }
    }
}

/// Step 4: derives modifiers (once per encounter, for its code) and groups encounters into
/// lines.
fn group_lines<'a>(
    policy: &Policy,
    prepared: &mut [Prepared<'a>],
    out: &mut Output,
) -> Vec<LineAcc<'a>> {
    let mut line_of: HashMap<LineKey<'_>, usize> = HashMap::with_capacity(prepared.len());
    let mut accs: Vec<LineAcc<'_>> = Vec::new();
    for (pi, p) in prepared.iter_mut().enumerate() {
        let rules = policy.code(p.code);
        let mods = match p.mods.take() {
            Some(m) if p.candidates.len() == 1 => m,
            _ => required_modifiers(policy, p.code, p.provider, p.enc),
        };
        let d = &mut out.decisions[p.item];
        d.code = Some(p.code);
        if p.candidates.len() == 1 {
            d.reasons.push(Reason::OnlyCandidate { code: p.code });
        }
        d.reasons.push(Reason::Modifiers {
            modifiers: mods.reasons(),
        });
        d.reasons.push(Reason::PlaceOfService {
            place_of_service: p.pos,
            setting: p.enc.setting,
            modality: p.enc.modality,
        });
        if !mods.dropped.is_empty() {
            out.finding(
                p.item,
                Rule::TooManyModifiers,
                Data::TooManyRequired {
                    required: mods.modifiers.len() + mods.dropped.len(),
                    dropped: mods.dropped.clone(),
                },
            );
        }
        let key = line_key(p, p.code, &mods);
        p.mods = Some(mods);
        let at = *line_of.entry(key.clone()).or_insert_with(|| {
            accs.push(LineAcc {
                key,
                minutes: 0,
                session_units: 0,
                members: Vec::new(),
                basis: None,
                cms_short: None,
            });
            accs.len() - 1
        });
        let acc = &mut accs[at];
        acc.minutes = acc.minutes.saturating_add(p.session.minutes());
        acc.session_units = acc
            .session_units
            .saturating_add(rules.rounding.units(p.session.minutes()));
        acc.members.push(pi);
    }

    accs
}

/// Step 5: computes each line's units.
fn compute_units(policy: &Policy, accs: &mut [LineAcc<'_>], other_timed: &OtherTimed<'_>) {
    let mut pools: HashMap<(&str, NaiveDate), Vec<usize>> = HashMap::new();
    for (ai, acc) in accs.iter_mut().enumerate() {
        let code = acc.key.3;
        let rules = policy.code(code);
        let rule = rules.rounding.rule();
        if rule == UnitRule::Cms8Minute {
            pools.entry((acc.key.0, acc.key.2)).or_default().push(ai);
            continue;
        }
        let unit = rules.rounding.unit();
        acc.basis = Some(match rules.aggregation {
            Aggregation::Day => UnitsBasis::Line {
                minutes: acc.minutes,
                rounding: rule,
                unit,
                units: rules.rounding.units(acc.minutes),
            },
            Aggregation::Session => UnitsBasis::Sessions {
                sessions: u32::try_from(acc.members.len()).unwrap_or(u32::MAX),
                minutes: acc.minutes,
                rounding: rule,
                unit,
                units: acc.session_units,
            },
        });
    }
    for ((patient, date), members) in pools {
        // Pool per code (CMS Pub 100-04 Ch. 5 §20.2: each code gets its full blocks, then
        // leftovers), our codes first, then the other timed services; then share each
        // code's units among its lines the same way. An other service listed under one of
        // our codes joins it.
        struct Pooled<'k> {
            code: &'k str,
            minutes: u32,
            lines: Vec<usize>,
            other: u32,
        }
        let mut pooled: Vec<Pooled<'_>> = Vec::new();
        let mut at_code: BTreeMap<&str, usize> = BTreeMap::new();
        for &ai in &members {
            let code = accs[ai].key.3.as_str();
            let at = *at_code.entry(code).or_insert_with(|| {
                pooled.push(Pooled {
                    code,
                    minutes: 0,
                    lines: Vec::new(),
                    other: 0,
                });
                pooled.len() - 1
            });
            pooled[at].minutes = pooled[at].minutes.saturating_add(accs[ai].minutes);
            pooled[at].lines.push(ai);
        }
        pooled.sort_by_key(|p| p.code);
        for (i, p) in pooled.iter().enumerate() {
            at_code.insert(p.code, i);
        }
        let mut other_total = 0u32;
        for (&code, &m) in other_timed.get(&(patient, date)).into_iter().flatten() {
            other_total = other_total.saturating_add(m);
            match at_code.get(code) {
                Some(&at) => {
                    let p = &mut pooled[at];
                    p.minutes = p.minutes.saturating_add(m);
                    p.other = p.other.saturating_add(m);
                }
                None => pooled.push(Pooled {
                    code,
                    minutes: m,
                    lines: Vec::new(),
                    other: m,
                }),
            }
        }
        let code_minutes: Vec<u32> = pooled.iter().map(|p| p.minutes).collect();
        let code_units = cms_8_minute_allocate(&code_minutes);
        let day_minutes = code_minutes.iter().fold(0u32, |s, &m| s.saturating_add(m));
        let day_units = cms_8_minute_total_units(day_minutes);
        for (p, &units) in pooled.iter().zip(&code_units) {
            if p.lines.is_empty() {
                continue;
            }
            let mut minutes: Vec<u32> = p.lines.iter().map(|&ai| accs[ai].minutes).collect();
            if p.other > 0 {
                minutes.push(p.other);
            }
            let shares = distribute(units, &minutes);
            for (&ai, &share) in p.lines.iter().zip(&shares) {
                let acc = &mut accs[ai];
                acc.basis = Some(UnitsBasis::Cms8Minute {
                    day_minutes,
                    other_minutes: other_total,
                    day_units,
                    code: acc.key.3,
                    code_minutes: p.minutes,
                    code_units: units,
                    line_minutes: acc.minutes,
                    units: share,
                });
                if share == 0 {
                    acc.cms_short = Some((day_minutes, day_units));
                }
            }
        }
    }
}

/// Step 6: sorts the lines and applies daily caps in that order; returns the cap applied to
/// each line it cut.
fn apply_caps(policy: &Policy, accs: &mut [LineAcc<'_>]) -> Vec<Option<Cap>> {
    accs.sort_by(|a, b| {
        (
            a.key.0,
            a.key.2,
            a.key.3.as_str(),
            a.key.1,
            &a.key.4,
            a.key.5,
        )
            .cmp(&(
                b.key.0,
                b.key.2,
                b.key.3.as_str(),
                b.key.1,
                &b.key.4,
                b.key.5,
            ))
    });
    let mut used: HashMap<(&str, NaiveDate, Code), u32> = HashMap::new();
    let mut capped: Vec<Option<Cap>> = vec![None; accs.len()];
    for (ai, acc) in accs.iter_mut().enumerate() {
        let code = acc.key.3;
        let rules = policy.code(code);
        let per_diem = matches!(rules.rounding.rule(), UnitRule::PerDiem { .. });
        let cap = match (rules.max_units_per_day, per_diem) {
            (Some(c), true) => Some(c.min(1)),
            (None, true) => Some(1),
            (c, false) => c,
        };
        let Some(cap) = cap else { continue };
        let so_far = used.entry((acc.key.0, acc.key.2, code)).or_default();
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

/// Step 7: emits the lines that earn units; the others become findings on every encounter
/// they hold. Returns the lines, whether the cap cut each, and each line's encounters.
fn emit_lines(
    policy: &Policy,
    accs: Vec<LineAcc<'_>>,
    capped: Vec<Option<Cap>>,
    prepared: &[Prepared<'_>],
    out: &mut Output,
) -> (Vec<Line>, Vec<bool>, Vec<Vec<usize>>) {
    let mut lines: Vec<Line> = Vec::with_capacity(accs.len());
    let mut capped_lines: Vec<bool> = Vec::with_capacity(accs.len());
    let mut line_members: Vec<Vec<usize>> = Vec::with_capacity(accs.len());
    for (acc, cap) in accs.into_iter().zip(capped) {
        let units = cap.map_or(acc.units(), |c| c.billed);
        let line_index = lines.len();
        for &m in &acc.members {
            let item = prepared[m].item;
            let d = &mut out.decisions[item];
            if let Some(basis) = acc.basis {
                d.reasons.push(Reason::Units(basis));
            }
            if let Some(cap) = cap {
                d.reasons.push(Reason::DailyCap(cap));
            }
            if units > 0 {
                d.line = Some(line_index);
            } else {
                d.reasons.push(Reason::NoLine);
            }
        }
        if let Some(cap) = cap {
            if units > 0 {
                out.finding(
                    prepared[acc.members[0]].item,
                    Rule::UnitsExceedDailyMaximum,
                    Data::DailyCap {
                        cap,
                        not_billed: false,
                    },
                )
                .line = Some(line_index);
            } else {
                for &m in &acc.members {
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
            let code = acc.key.3;
            let data = match acc.cms_short {
                Some((day_minutes, day_units)) => Data::Cms8MinuteShare {
                    code,
                    day_minutes,
                    day_units,
                },
                None => Data::BelowMinimum {
                    code,
                    minimum_minutes: policy.code(code).rounding.minimum_minutes(),
                    line_minutes: acc.minutes,
                },
            };
            for &m in &acc.members {
                out.finding(prepared[m].item, Rule::BelowMinimumTime, data.clone());
            }
        }
        if units == 0 {
            continue;
        }
        let (patient, provider, date, code, modifiers, pos) = acc.key;
        capped_lines.push(cap.is_some());
        line_members.push(acc.members.iter().map(|&m| prepared[m].ev).collect());
        lines.push(Line {
            patient: patient.to_owned(),
            provider: provider.to_owned(),
            date_of_service: date,
            code,
            modifiers,
            units,
            minutes: acc.minutes,
            place_of_service: pos,
            encounters: acc
                .members
                .iter()
                .map(|&m| prepared[m].enc.id.clone())
                .collect(),
        });
    }

    (lines, capped_lines, line_members)
}

fn line_key<'a>(p: &Prepared<'a>, code: Code, mods: &RequiredModifiers) -> LineKey<'a> {
    (
        p.enc.patient.as_str(),
        p.enc.provider.as_str(),
        p.session.date_of_service(),
        code,
        mods.modifiers.clone(),
        p.pos,
    )
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
