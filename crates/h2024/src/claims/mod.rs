//! From claim lines to claims: each line priced from the policy's fee schedule, a
//! patient's lines grouped into claims of at most 50, each claim's diagnoses and each
//! line's pointers to them, and each line's 837P 2400 loop (README, "From a response to a
//! claim"; `docs/rules.md`, "Fees and charges" and "Diagnoses"; `docs/x12.md`).
//!
//! Runs once the lines and their authorizations are known, in one pass over the lines in
//! response order: linear in the lines and their encounters' diagnoses.

use std::collections::HashSet;

use crate::evaluation::Evaluation;
use crate::findings::{Data, Finding, Rule};
use crate::places::PlaceOfService;
use crate::policy::{DatedPolicy, Policy};
use crate::response::{Claim, Line, MAX_CLAIM_DIAGNOSES, MAX_CLAIM_LINES};
use crate::x12::segments::line_x12;

/// The most diagnosis pointers a line carries (837P SV107-1 to -4; CMS-1500 24E).
pub(crate) const MAX_LINE_POINTERS: usize = 4;

/// What this step adds to a response.
pub(crate) struct Finished {
    /// The claims, in line order.
    pub claims: Vec<Claim>,
    /// `fee_not_found` and `too_many_diagnoses`, each with its encounter's position.
    pub findings: Vec<(usize, Finding)>,
}

/// Prices `lines`, groups them into claims, points each line at its claim's diagnoses and
/// writes each line's 2400 loop. `lines` are the evaluation's, taken out of it.
pub(crate) fn finish(dated: &DatedPolicy, eval: &Evaluation<'_>, lines: &mut [Line]) -> Finished {
    let mut findings = Vec::new();
    price(dated, eval, lines, &mut findings);
    let mut claims = Vec::new();
    let mut start = 0;
    while start < lines.len() {
        // Lines come sorted by patient: a patient's lines are a run.
        let end = start
            + lines[start..]
                .iter()
                .take_while(|l| l.patient == lines[start].patient)
                .count();
        let mut from = start;
        while from < end {
            let to = end.min(from + MAX_CLAIM_LINES);
            let at = claims.len();
            claims.push(claim(eval, lines, from..to, at, &mut findings));
            from = to;
        }
        start = end;
    }
    Finished { claims, findings }
}

/// Each line's charge: its units times the fee of the policy version in force on its date
/// of service; `fee_not_found` on each of its encounters when that version lists fees and
/// none matches (a policy without fees prices nothing and warns of nothing).
fn price(
    dated: &DatedPolicy,
    eval: &Evaluation<'_>,
    lines: &mut [Line],
    findings: &mut Vec<(usize, Finding)>,
) {
    // Neighbouring lines often share code, modifiers and date: the last lookup is reused.
    let mut last: Option<(usize, *const Policy, Option<u64>)> = None;
    for li in 0..lines.len() {
        let Some((_, policy)) = dated.on(lines[li].date_of_service) else {
            continue;
        };
        if policy.fees().is_empty() {
            continue;
        }
        let line = &lines[li];
        let units = line.units;
        let cents_per_unit = match last {
            Some((prev, p, cents))
                if std::ptr::eq(p, policy)
                    && lines[prev].code == line.code
                    && lines[prev].modifiers == line.modifiers
                    && lines[prev].date_of_service == line.date_of_service =>
            {
                cents
            }
            _ => policy
                .fee(line.code, &line.modifiers, line.date_of_service)
                .map(|fee| fee.cents_per_unit),
        };
        last = Some((li, policy, cents_per_unit));
        match cents_per_unit {
            Some(cents) => lines[li].charge_cents = u64::from(units).checked_mul(cents),
            None => {
                let line = &lines[li];
                for &m in &eval.line_members[li] {
                    let data = Data::FeeNotFound {
                        code: line.code,
                        modifiers: line.modifiers.clone(),
                        date_of_service: line.date_of_service,
                    };
                    let (item, finding) = eval.encounters[m].finding(Rule::FeeNotFound, data);
                    findings.push((item, finding.on_line(li)));
                }
            }
        }
    }
}

/// The claim of lines `range` (one patient's), number `at` in the response: its
/// diagnoses, each line's pointers and 2400 loop, its total and place of service.
fn claim(
    eval: &Evaluation<'_>,
    lines: &mut [Line],
    range: std::ops::Range<usize>,
    at: usize,
    findings: &mut Vec<(usize, Finding)>,
) -> Claim {
    // Allocated only for claims with diagnoses, as are the pointers below.
    let mut diagnoses = Vec::new();
    // The (encounter, position) of each diagnosis left off, reported once: an encounter
    // split at midnight is on two lines.
    let mut left_off: HashSet<(usize, usize)> = HashSet::new();
    for li in range.clone() {
        let mut pointers: Vec<u8> = Vec::new();
        for &m in &eval.line_members[li] {
            let ev = &eval.encounters[m];
            for (j, d) in ev.enc.diagnoses.iter().enumerate() {
                let position = match diagnoses.iter().position(|x| x == d) {
                    Some(p) => p,
                    None if diagnoses.len() < MAX_CLAIM_DIAGNOSES => {
                        diagnoses.push(*d);
                        diagnoses.len() - 1
                    }
                    None => {
                        if left_off.insert((m, j)) {
                            let data = Data::TooManyDiagnoses {
                                index: j,
                                claim: at,
                                max: MAX_CLAIM_DIAGNOSES,
                            };
                            let (item, finding) = ev.finding(Rule::TooManyDiagnoses, data);
                            findings.push((
                                item,
                                finding.on_element(format!("diagnoses[{j}]")).on_line(li),
                            ));
                        }
                        continue;
                    }
                };
                // At most twelve: a pointer is 1 to 12.
                let pointer = (position + 1) as u8;
                if pointers.len() < MAX_LINE_POINTERS && !pointers.contains(&pointer) {
                    pointers.push(pointer);
                }
            }
        }
        lines[li].diagnosis_pointers = pointers;
    }
    let mut charge_cents = Some(0u64);
    let mut places: Vec<(PlaceOfService, usize)> = Vec::new();
    for (n, li) in range.clone().enumerate() {
        let line = &mut lines[li];
        charge_cents = match (charge_cents, line.charge_cents) {
            (Some(total), Some(charge)) => total.checked_add(charge),
            _ => None,
        };
        match places.iter_mut().find(|(p, _)| *p == line.place_of_service) {
            Some((_, count)) => *count += 1,
            None => places.push((line.place_of_service, 1)),
        }
        line.x12 = line_x12(&*line, n + 1);
    }
    // The most frequent; among equals the first seen (the earliest line's).
    let place_of_service = places
        .iter()
        .fold(
            None::<(PlaceOfService, usize)>,
            |best, &(p, c)| match best {
                Some((_, b)) if b >= c => best,
                _ => Some((p, c)),
            },
        )
        .map_or(lines[range.start].place_of_service, |(p, _)| p);
    Claim {
        patient: lines[range.start].patient.clone(),
        lines: range.collect(),
        diagnoses,
        charge_cents,
        place_of_service,
    }
}
