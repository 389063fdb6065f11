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

use crate::audit;
use crate::authorization;
use crate::codes::Code;
use crate::documentation;
use crate::eligibility;
use crate::error::{RequestError, RequestErrorKind};
use crate::findings::{Finding, Rule};
use crate::modifiers::{Modifier, RequiredModifiers, required_modifiers};
use crate::overlaps;
use crate::policy::Policy;
use crate::request::Patient;
use crate::request::{Encounter, Modality, Provider, Timing};
use crate::response::{Alternative, Decision, Line, PlaceOfService, Response, SCHEMA_VERSION};
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
    item: usize,
    enc: &'a Encounter,
    provider: &'a Provider,
    session: Session,
    pos: PlaceOfService,
    candidates: Vec<Code>,
    code: Code,
}

type LineKey<'a> = (
    &'a str,
    &'a str,
    NaiveDate,
    Code,
    Vec<Modifier>,
    PlaceOfService,
);

struct LineAcc<'a> {
    key: LineKey<'a>,
    minutes: u32,
    session_units: u32,
    members: Vec<usize>,
    units: u32,
    units_note: String,
    /// Why the line earns no unit, when the rounding rule alone does not say.
    zero_reason: Option<String>,
}

/// Decisions and findings under construction; findings remember their encounter's
/// position so they can be listed in request order.
pub(crate) struct Output {
    pub decisions: Vec<Decision>,
    pub findings: Vec<(usize, Finding)>,
}

impl Output {
    /// Adds a finding of `rule` on the encounter at `item` and returns it for refinement.
    pub fn finding(&mut self, item: usize, rule: Rule, message: impl Into<String>) -> &mut Finding {
        let encounter = self.decisions[item].encounter.clone();
        self.findings
            .push((item, Finding::new(rule, Some(&encounter), message)));
        let last = self.findings.len() - 1;
        &mut self.findings[last].1
    }

    /// The encounter id shown for the encounter at `item`.
    pub fn encounter_id(&self, item: usize) -> &str {
        &self.decisions[item].encounter
    }
}

/// What the checks that follow line building know about an encounter that passed
/// validation (including those that could not be coded).
pub(crate) struct Context<'a> {
    /// Position in the request.
    pub item: usize,
    pub enc: &'a Encounter,
    pub patient: &'a Patient,
    pub provider: &'a Provider,
    /// `None` when the encounter documents no time at all.
    pub session: Option<Session>,
    /// The decision's code.
    pub code: Option<Code>,
    /// The line that bills it.
    pub line: Option<usize>,
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

/// Evaluates `items` under `policy`.
pub(crate) fn evaluate(
    policy: &Policy,
    patients: &[Patient],
    providers: &[Provider],
    items: &[Item<'_>],
) -> Result<Response, RequestError> {
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
                rationale: Vec::new(),
                alternatives: Vec::new(),
            })
            .collect(),
        findings: Vec::new(),
    };

    let Checked {
        mut prepared,
        mut contexts,
        other_timed,
    } = check_encounters(policy, &patient_by_id, &provider_by_id, items, &mut out);
    choose_codes(policy, &mut prepared, &mut out);
    let mut accs = group_lines(policy, &prepared, &mut out);
    compute_units(policy, &mut accs, &other_timed);
    let capped = apply_caps(policy, &mut accs);
    let (lines, capped_lines) = emit_lines(policy, accs, capped, &prepared, &mut out);
    scrub(policy, &mut contexts, &lines, &capped_lines, &mut out);

    let mut findings = out.findings;
    findings.sort_by_key(|(item, _)| *item);
    Ok(Response {
        schema_version: SCHEMA_VERSION,
        policy: policy.id().to_owned(),
        lines,
        decisions: out.decisions,
        findings: findings.into_iter().map(|(_, f)| f).collect(),
    })
}

/// What step 1-2 leaves: the encounters to code, every valid encounter's context, and the
/// other timed services per patient-day.
struct Checked<'a> {
    prepared: Vec<Prepared<'a>>,
    contexts: Vec<Context<'a>>,
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
    let mut contexts: Vec<Context<'_>> = Vec::with_capacity(items.len());
    let mut seen_ids: HashSet<&str> = HashSet::with_capacity(items.len());
    let mut other_timed: HashMap<(&str, NaiveDate), BTreeMap<&str, u32>> = HashMap::new();
    for (item, entry) in items.iter().enumerate() {
        let enc = match entry {
            Item::Rejected(r) => {
                debug_assert_eq!(r.index, item);
                if let Some(id) = &r.id {
                    seen_ids.insert(id.as_str());
                }
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
        contexts.push(Context {
            item,
            enc,
            patient,
            provider,
            session: match timing {
                Timing::Session(s) => Some(s),
                Timing::Missing => None,
            },
            code: None,
            line: None,
        });
        if let Timing::Session(session) = timing {
            let day = other_timed
                .entry((enc.patient.as_str(), session.date_of_service()))
                .or_default();
            for other in &enc.other_timed_services {
                // The day's minutes per code: repeated on several encounters, the largest
                // counts (it is the same service listed again, not another one).
                let m = day.entry(other.code.as_str()).or_default();
                *m = (*m).max(other.minutes);
            }
        }
        if let Some(family) = selection::other_family(enc.service) {
            let d = &mut out.decisions[item];
            d.rationale.push(format!("no code: {family}"));
            d.alternatives = Code::ALL
                .iter()
                .map(|&c| Alternative {
                    code: c,
                    reason: format!("{c} does not bill {}", enc.service),
                })
                .collect();
            out.finding(item, Rule::ServiceOutOfScope, family);
            continue;
        }
        if enc.modality == Modality::AudioOnly && policy.audio_only_modifier().is_none() {
            out.decisions[item].rationale.push(format!(
                "no code: policy {} does not cover audio-only services",
                policy.id()
            ));
            out.finding(
                item,
                Rule::ModalityNotCovered,
                format!(
                    "`modality` is audio_only and policy {} does not cover audio-only services; deliver by audio and video or in person",
                    policy.id()
                ),
            );
            continue;
        }
        let Candidates {
            codes,
            rationale,
            alternatives,
        } = match selection::candidates(policy, enc.service, provider, enc.group_size, enc.code) {
            Ok(c) => c,
            Err(u) => {
                let d = &mut out.decisions[item];
                d.rationale = u.rationale;
                d.rationale.push(format!("no code: {}", u.message));
                d.alternatives = u.alternatives;
                out.finding(item, u.rule, u.message);
                continue;
            }
        };
        let d = &mut out.decisions[item];
        d.rationale = rationale;
        d.alternatives = alternatives;
        let session = match timing {
            Timing::Session(s) => s,
            Timing::Missing => {
                d.rationale
                    .push("no code: no time documented, so no unit can be computed".to_owned());
                out.finding(
                    item,
                    Rule::MissingSessionTimes,
                    "no session time: give `start` and `end` (or `date` and `minutes` where the payer accepts total minutes)",
                );
                continue;
            }
        };
        if !session.has_clock_times() && policy.requires_clock_times() {
            out.finding(
                item,
                Rule::MissingSessionTimes,
                format!(
                    "policy {} requires exact `start` and `end` times; the encounter gives only `date` and `minutes`",
                    policy.id()
                ),
            );
        }
        let pos = PlaceOfService::for_session(enc.setting, enc.modality);
        prepared.push(Prepared {
            item,
            enc,
            provider,
            session,
            pos,
            code: codes[0],
            candidates: codes,
        });
    }

    Checked {
        prepared,
        contexts,
        other_timed,
    }
}

/// Step 3: chooses each encounter's code among its candidates.
fn choose_codes(policy: &Policy, prepared: &mut [Prepared<'_>], out: &mut Output) {
    // 3. Choose codes. Minutes already on lines whose code is settled count toward the
    // line a candidate would join.
    let mut settled: HashMap<LineKey<'_>, u32> = HashMap::new();
    type GroupKey<'a> = (
        &'a str,
        &'a str,
        NaiveDate,
        Vec<Code>,
        Vec<Modifier>,
        PlaceOfService,
        Option<usize>,
    );
    let mut groups: HashMap<GroupKey<'_>, Vec<usize>> = HashMap::new();
    for (pi, p) in prepared.iter().enumerate() {
        let first = p.candidates[0];
        let mods = required_modifiers(policy, first, p.provider, p.enc);
        if p.candidates.len() == 1 {
            let m = settled.entry(line_key(p, first, &mods)).or_default();
            *m = m.saturating_add(p.session.minutes());
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
        let shared = (members.len() > 1).then(|| {
            format!(
                "{} encounters of the same patient, provider, day and place share a line; their {total} minutes are considered together",
                members.len()
            )
        });
        for m in members {
            let p = &mut prepared[m];
            p.code = choice.code;
            let d = &mut out.decisions[p.item];
            d.rationale.extend(shared.iter().cloned());
            d.rationale.extend(choice.rationale.iter().cloned());
            d.alternatives.extend(choice.alternatives.iter().cloned());
            d.alternatives.sort_by_key(|a| a.code);
        }
    }
}

/// Step 4: derives modifiers and place of service, and groups encounters into lines.
fn group_lines<'a>(
    policy: &Policy,
    prepared: &[Prepared<'a>],
    out: &mut Output,
) -> Vec<LineAcc<'a>> {
    // 4. Modifiers, place of service and lines.
    let mut line_of: HashMap<LineKey<'_>, usize> = HashMap::with_capacity(prepared.len());
    let mut accs: Vec<LineAcc<'_>> = Vec::new();
    for (pi, p) in prepared.iter().enumerate() {
        let rules = policy.code(p.code);
        let mods = required_modifiers(policy, p.code, p.provider, p.enc);
        let d = &mut out.decisions[p.item];
        d.code = Some(p.code);
        if p.candidates.len() == 1 {
            d.rationale
                .push(format!("{} is the only candidate", p.code));
        }
        d.rationale.push(if mods.modifiers.is_empty() {
            "modifiers: none required by the policy".to_owned()
        } else {
            format!("modifiers: {}", mods.reasons().join("; "))
        });
        d.rationale.push(format!(
            "place of service {} ({}): setting {}, {}",
            p.pos,
            p.pos.meaning(),
            p.enc.setting.as_str(),
            p.enc.modality.as_str()
        ));
        if !mods.dropped.is_empty() {
            let dropped: Vec<&str> = mods.dropped.iter().map(|m| m.as_str()).collect();
            let message = format!(
                "policy {} requires {} modifiers and a line carries four; {} did not fit and were left off",
                policy.id(),
                mods.modifiers.len() + mods.dropped.len(),
                dropped.join(", ")
            );
            out.finding(p.item, Rule::TooManyModifiers, message);
        }
        let key = line_key(p, p.code, &mods);
        let at = *line_of.entry(key.clone()).or_insert_with(|| {
            accs.push(LineAcc {
                key,
                minutes: 0,
                session_units: 0,
                members: Vec::new(),
                units: 0,
                units_note: String::new(),
                zero_reason: None,
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
    // 5. Units.
    let mut pools: HashMap<(&str, NaiveDate), Vec<usize>> = HashMap::new();
    for (ai, acc) in accs.iter_mut().enumerate() {
        let code = acc.key.3;
        let rules = policy.code(code);
        let rule = rules.rounding.rule();
        if rule == UnitRule::Cms8Minute {
            pools.entry((acc.key.0, acc.key.2)).or_default().push(ai);
            continue;
        }
        let (units, how) = match rules.aggregation {
            Aggregation::Day => (
                rules.rounding.units(acc.minutes),
                format!("{} minutes on the line", acc.minutes),
            ),
            Aggregation::Session if acc.members.len() == 1 => (
                acc.session_units,
                format!("{} minutes, the session rounded on its own", acc.minutes),
            ),
            Aggregation::Session => (
                acc.session_units,
                format!(
                    "{} sessions rounded one by one ({} minutes in all)",
                    acc.members.len(),
                    acc.minutes
                ),
            ),
        };
        acc.units = units;
        acc.units_note = format!(
            "units: {how} under the {rule} ({}) = {units} {}",
            rules.rounding.unit(),
            plural(units)
        );
    }
    for ((patient, date), members) in pools {
        // Pool per code (DOMAIN.md §2: each code gets its full blocks, then leftovers), our
        // codes first, then the other timed services; then share each code's units among
        // its lines the same way. An other service listed under one of our codes joins it.
        struct Pooled<'k> {
            code: &'k str,
            minutes: u32,
            lines: Vec<usize>,
            other: u32,
        }
        let mut pooled: Vec<Pooled<'_>> = Vec::new();
        for &ai in &members {
            let code = accs[ai].key.3.as_str();
            let at = match pooled.iter().position(|p| p.code == code) {
                Some(at) => at,
                None => {
                    pooled.push(Pooled {
                        code,
                        minutes: 0,
                        lines: Vec::new(),
                        other: 0,
                    });
                    pooled.len() - 1
                }
            };
            pooled[at].minutes = pooled[at].minutes.saturating_add(accs[ai].minutes);
            pooled[at].lines.push(ai);
        }
        pooled.sort_by_key(|p| p.code);
        let mut other_total = 0u32;
        for (&code, &m) in other_timed.get(&(patient, date)).into_iter().flatten() {
            other_total = other_total.saturating_add(m);
            match pooled.iter_mut().find(|p| p.code == code) {
                Some(p) => {
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
        let day_total = code_minutes.iter().fold(0u32, |s, &m| s.saturating_add(m));
        let day_units = cms_8_minute_total_units(day_total);
        for (p, &units) in pooled.iter().zip(&code_units) {
            let mut minutes: Vec<u32> = p.lines.iter().map(|&ai| accs[ai].minutes).collect();
            if p.other > 0 {
                minutes.push(p.other);
            }
            let shares = distribute(units, &minutes);
            for (&ai, &share) in p.lines.iter().zip(&shares) {
                let acc = &mut accs[ai];
                acc.units = share;
                acc.units_note = format!(
                    "units: CMS 8-minute rule: the patient's timed minutes that day total {day_total} ({other_total} of them in other timed services) = {day_units} {}; {} has {} of those minutes and gets {units}; this line's {} minutes get {share}",
                    plural(day_units),
                    p.code,
                    p.minutes,
                    acc.minutes,
                );
                if share == 0 {
                    acc.zero_reason = Some(format!(
                        "under the CMS 8-minute rule the patient's {day_total} timed minutes that day earn {day_units} {}, and they go to the services with more minutes",
                        plural(day_units)
                    ));
                }
            }
        }
    }
}

/// Step 6: sorts the lines and applies daily caps in that order; returns the cap's note
/// for each line it cut.
fn apply_caps(policy: &Policy, accs: &mut [LineAcc<'_>]) -> Vec<Option<String>> {
    // 6. Sort lines and apply daily caps in that order.
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
    let mut capped: Vec<Option<String>> = vec![None; accs.len()];
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
        if acc.units > room {
            let computed = acc.units;
            acc.units = room;
            capped[ai] = Some(format!(
                "{code} is limited to {cap} {} per patient per day under policy {}{}; {computed} computed, {room} billed on this line",
                plural(cap),
                policy.id(),
                if per_diem { " (per diem)" } else { "" },
            ));
        }
        *so_far = so_far.saturating_add(acc.units);
    }

    capped
}

/// Step 7: emits the lines that earn units; the others become findings on every encounter
/// they hold. Returns the lines and whether the cap cut each.
fn emit_lines(
    policy: &Policy,
    accs: Vec<LineAcc<'_>>,
    capped: Vec<Option<String>>,
    prepared: &[Prepared<'_>],
    out: &mut Output,
) -> (Vec<Line>, Vec<bool>) {
    // 7. Emit lines; lines without units become findings on every encounter they hold.
    let mut lines: Vec<Line> = Vec::with_capacity(accs.len());
    let mut capped_lines: Vec<bool> = Vec::with_capacity(accs.len());
    for (acc, cap_note) in accs.into_iter().zip(capped) {
        let (patient, provider, date, code, modifiers, pos) = acc.key;
        let line_index = lines.len();
        for &m in &acc.members {
            let item = prepared[m].item;
            let d = &mut out.decisions[item];
            d.rationale.push(acc.units_note.clone());
            if let Some(note) = &cap_note {
                d.rationale.push(format!("daily cap: {note}"));
            }
            if acc.units > 0 {
                d.line = Some(line_index);
            } else {
                d.rationale
                    .push("no line: the line earns no unit".to_owned());
            }
        }
        if let Some(note) = &cap_note {
            if acc.units > 0 {
                let first = prepared[acc.members[0]].item;
                out.finding(first, Rule::UnitsExceedDailyMaximum, note.clone())
                    .line = Some(line_index);
            } else {
                for &m in &acc.members {
                    out.finding(
                        prepared[m].item,
                        Rule::UnitsExceedDailyMaximum,
                        format!("{note}; the encounter is not billed"),
                    );
                }
            }
        } else if acc.units == 0 {
            let minimum = policy.code(code).rounding.minimum_minutes();
            let message = match &acc.zero_reason {
                Some(reason) => format!("{code} earns no unit on this line: {reason}"),
                None => format!(
                    "{code} needs at least {minimum} minutes for a unit under policy {}; the line has {} documented minutes",
                    policy.id(),
                    acc.minutes
                ),
            };
            for &m in &acc.members {
                out.finding(prepared[m].item, Rule::BelowMinimumTime, message.clone());
            }
        }
        if acc.units == 0 {
            continue;
        }
        capped_lines.push(cap_note.is_some());
        lines.push(Line {
            patient: patient.to_owned(),
            provider: provider.to_owned(),
            date_of_service: date,
            code,
            modifiers,
            units: acc.units,
            minutes: acc.minutes,
            place_of_service: pos,
            encounters: acc
                .members
                .iter()
                .map(|&m| prepared[m].enc.id.clone())
                .collect(),
        });
    }

    (lines, capped_lines)
}

/// Step 8: the denial-risk checks on what the engine would send.
fn scrub(
    policy: &Policy,
    contexts: &mut [Context<'_>],
    lines: &[Line],
    capped_lines: &[bool],
    out: &mut Output,
) {
    // 8. Denial-risk checks on what the engine would send.
    let mut line_members: Vec<Vec<usize>> = vec![Vec::new(); lines.len()];
    for (ci, ctx) in contexts.iter_mut().enumerate() {
        let d = &out.decisions[ctx.item];
        ctx.code = d.code;
        ctx.line = d.line;
        if let Some(line) = d.line {
            line_members[line].push(ci);
        }
    }
    let mut plans = documentation::PlanIndexes::new();
    for ctx in contexts.iter() {
        eligibility::check(policy, ctx, out);
        documentation::check(policy, ctx, &mut plans, out);
    }
    audit::check(policy, contexts, lines, &line_members, capped_lines, out);
    authorization::check(policy, contexts, lines, &line_members, out);
    overlaps::check(contexts, out);
}

fn plural(units: u32) -> &'static str {
    if units == 1 { "unit" } else { "units" }
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
    out.decisions[item].rationale.push(format!(
        "no code: the encounter is invalid (field `{field}`)"
    ));
    out.finding(
        item,
        Rule::InvalidEncounter,
        format!("encounter field `{field}`: {problem}"),
    );
}
