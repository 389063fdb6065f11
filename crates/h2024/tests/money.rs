//! Money and claims as properties (README, "From a response to a claim"): for any fee
//! schedule and any sessions, every line's charge is its units times the rate a naive
//! reading of the fee rule picks (integers only), `fee_not_found` fires exactly on the
//! lines without one, each claim's total is the sum of its lines, and claims partition a
//! patient's lines in order, at most 50 a claim, with at most twelve diagnoses each.

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate};
use h2024::findings::Data;
use h2024::{Engine, Response, Rule};
use proptest::prelude::*;
use serde_json::{Value, json};

const CODES: [&str; 3] = ["H2014", "H2017", "H2024"];
const MODIFIERS: [&str; 5] = ["HO", "HN", "HQ", "TS", "GT"];
const ICD: [&str; 16] = [
    "F84.0", "F41.1", "F70", "F71", "F90.0", "F90.1", "F32.9", "F33.1", "F43.10", "F60.3", "F20.9",
    "F25.0", "Z59.1", "Z56.0", "F81.0", "F88",
];

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 2, 1).unwrap()
}

fn day(offset: u32) -> NaiveDate {
    start() + Days::new(u64::from(offset))
}

/// A fee entry as the test reads it: code, modifiers, cents, from, to.
#[derive(Debug, Clone)]
struct Fee {
    code: &'static str,
    modifiers: Vec<&'static str>,
    cents: u64,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

prop_compose! {
    fn fee()(
        code in 0..CODES.len(),
        modifiers in proptest::sample::subsequence(MODIFIERS.to_vec(), 0..=2),
        cents in 0u64..=100_000,
        from in proptest::option::of(0u32..40),
        length in proptest::option::of(0u32..40),
    ) -> Fee {
        Fee {
            code: CODES[code],
            modifiers,
            cents,
            from: from.map(day),
            to: length.map(|l| day(from.unwrap_or(0) + l)),
        }
    }
}

prop_compose! {
    fn encounter(i: usize)(
        patient in 0usize..3,
        provider in 0usize..2,
        psr in any::<bool>(),
        offset in 0u32..45,
        begin in 0u32..(20 * 60),
        minutes in 10u32..200,
        group in 1u32..3,
        telehealth in any::<bool>(),
        diagnoses in proptest::sample::subsequence(ICD.to_vec(), 0..=5),
    ) -> Value {
        let date = day(offset);
        let end = begin + minutes;
        let time = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
        json!({
            "id": format!("e{i}"),
            "patient": format!("p{patient}"),
            "provider": format!("pr{provider}"),
            "service": if psr { "psychosocial_rehabilitation" } else { "skills_training" },
            "setting": "home",
            "modality": if telehealth { "audio_video" } else { "in_person" },
            "start": format!("{date}T{}:00-05:00", time(begin)),
            "end": format!("{date}T{}:00-05:00", time(end.min(23 * 60 + 59))),
            "group_size": group,
            "follow_up": true,
            "diagnoses": diagnoses,
        })
    }
}

fn encounters() -> impl Strategy<Value = Vec<Value>> {
    (1usize..40).prop_flat_map(|n| (0..n).map(encounter).collect::<Vec<_>>())
}

/// The fees a policy accepts: the first of entries with the same code, modifier set and
/// `from` (the policy refuses the others).
fn accepted(fees: Vec<Fee>) -> Vec<Fee> {
    let mut seen = BTreeSet::new();
    fees.into_iter()
        .filter(|f| {
            let mut mods = f.modifiers.clone();
            mods.sort_unstable();
            seen.insert((f.code, mods, f.from))
        })
        .collect()
}

/// The fee rule read naively: every matching entry, the most modifiers, then the latest
/// `from` (none is earliest), then the first listed.
fn naive_rate(fees: &[Fee], code: &str, modifiers: &[String], date: NaiveDate) -> Option<u64> {
    let mut best: Option<&Fee> = None;
    for f in fees {
        let matches = f.code == code
            && f.from.is_none_or(|from| from <= date)
            && f.to.is_none_or(|to| date <= to)
            && f.modifiers.iter().all(|m| modifiers.iter().any(|l| l == m));
        if !matches {
            continue;
        }
        best = match best {
            Some(b) if (b.modifiers.len(), b.from) >= (f.modifiers.len(), f.from) => Some(b),
            _ => Some(f),
        };
    }
    best.map(|f| f.cents)
}

fn evaluate(fees: &[Fee], encounters: Vec<Value>) -> Response {
    let fees_json: Vec<Value> = fees
        .iter()
        .map(|f| {
            json!({"code": f.code, "modifiers": f.modifiers, "cents_per_unit": f.cents,
                   "from": f.from, "to": f.to})
        })
        .collect();
    let engine = Engine::from_policies_json(
        &json!([{"id": "priced", "extends": "medicaid", "fees": fees_json}]).to_string(),
    )
    .expect("the accepted fees are valid");
    let request = json!({
        "policy": "priced",
        "explain": false,
        "patients": [{"id": "p0"}, {"id": "p1"}, {"id": "p2"}],
        "providers": [
            {"id": "pr0", "credential": "masters", "discipline": "behavioral_health"},
            {"id": "pr1", "credential": "bachelors", "discipline": "behavioral_health"},
        ],
        "encounters": encounters,
    });
    engine.evaluate(&serde_json::from_value(request).expect("a valid request"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn charges_are_units_times_the_rate_and_claims_add_up(
        fees in proptest::collection::vec(fee(), 0..12),
        encs in encounters(),
    ) {
        let fees = accepted(fees);
        let by_id: std::collections::HashMap<String, Value> = encs
            .iter()
            .map(|e| (e["id"].as_str().unwrap().to_owned(), e.clone()))
            .collect();
        let r = evaluate(&fees, encs);
        for (li, line) in r.lines.iter().enumerate() {
            let modifiers: Vec<String> = line.modifiers.iter().map(|m| m.to_string()).collect();
            let rate = naive_rate(&fees, line.code.as_str(), &modifiers, line.date_of_service);
            let expected = rate.map(|cents| u64::from(line.units) * cents);
            prop_assert_eq!(line.charge_cents, expected, "line {}", li);
            let warned: Vec<&str> = r
                .findings
                .iter()
                .filter(|f| f.rule == Rule::FeeNotFound && f.line == Some(li))
                .filter_map(|f| f.encounter.as_deref())
                .collect();
            if rate.is_none() && !fees.is_empty() {
                let mut on: Vec<&str> = line.encounters.iter().map(h2024::Id::as_str).collect();
                on.sort_unstable();
                let mut got = warned.clone();
                got.sort_unstable();
                prop_assert_eq!(got, on, "line {}", li);
                let data_ok = r.findings.iter().filter(|f| f.line == Some(li)).all(|f| {
                    !matches!(&f.data, Data::FeeNotFound { code, .. } if *code != line.code)
                });
                prop_assert!(data_ok);
            } else {
                prop_assert!(warned.is_empty(), "line {} warned though priced", li);
            }
        }

        // Claims partition the lines in order, a patient's at a time, at most 50 each.
        let flat: Vec<usize> = r.claims.iter().flat_map(|c| c.lines.clone()).collect();
        prop_assert_eq!(flat, (0..r.lines.len()).collect::<Vec<_>>());
        for (k, claim) in r.claims.iter().enumerate() {
            prop_assert!(!claim.lines.is_empty() && claim.lines.len() <= 50);
            prop_assert!(claim.lines.iter().all(|&li| r.lines[li].patient == claim.patient));
            if k + 1 < r.claims.len() && r.claims[k + 1].patient == claim.patient {
                prop_assert_eq!(claim.lines.len(), 50);
            }
            // The total is the sum of the lines', or none when a line has none.
            let sum = claim
                .lines
                .iter()
                .map(|&li| r.lines[li].charge_cents)
                .try_fold(0u64, |total, c| c.and_then(|c| total.checked_add(c)));
            prop_assert_eq!(claim.charge_cents, sum, "claim {}", k);
            // The diagnoses: the first twelve distinct, in line and encounter order.
            let mut expected: Vec<String> = Vec::new();
            for &li in &claim.lines {
                for id in &r.lines[li].encounters {
                    for d in by_id[id.as_str()]["diagnoses"].as_array().unwrap() {
                        let d: h2024::Diagnosis = d.as_str().unwrap().parse().unwrap();
                        let d = d.to_string();
                        if !expected.contains(&d) && expected.len() < 12 {
                            expected.push(d);
                        }
                    }
                }
            }
            let got: Vec<String> = claim.diagnoses.iter().map(|d| d.to_string()).collect();
            prop_assert_eq!(got, expected, "claim {}", k);
            for &li in &claim.lines {
                let pointers = &r.lines[li].diagnosis_pointers;
                prop_assert!(pointers.len() <= 4);
                prop_assert!(pointers.iter().all(|&p| p >= 1 && usize::from(p) <= claim.diagnoses.len()));
                let x12 = r.lines[li].x12.is_some();
                prop_assert_eq!(x12, r.lines[li].charge_cents.is_some() && !pointers.is_empty());
            }
        }
    }
}
