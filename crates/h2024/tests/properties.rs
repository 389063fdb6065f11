//! Property tests over the whole engine: no input panics, minutes are never lost,
//! units grow with minutes, and billed time stays within the rounding rule's bounds.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, Timelike, Weekday};
use h2024::explain::Reason;
use h2024::findings::Data;
use h2024::{Code, Engine, Response, Rule, Unit, UnitRule};
use proptest::prelude::*;
use serde_json::{Value, json};

fn engine() -> Engine {
    Engine::from_policies_json(
        r#"[{"id": "whole", "extends": "medicaid", "units": {"default": {"rule": "whole"}}},
            {"id": "t10", "extends": "medicaid", "units": {"default": {"rule": "threshold", "minutes": 10}},
             "setting_modifiers": {"community": "U1", "school": "U2"},
             "modifier_order": ["CO", "TL", "TS", "GT", "U1"]}]"#,
    )
    .unwrap()
}

const SERVICES: [&str; 6] = [
    "skills_training",
    "psychosocial_rehabilitation",
    "supported_employment",
    "self_care_training",
    "psychotherapy",
    "case_management",
];
const SETTINGS: [&str; 5] = [
    "home",
    "clinic",
    "community",
    "school",
    "community_mental_health_center",
];
const MODALITIES: [&str; 3] = ["in_person", "audio_video", "audio_only"];
const PROVIDERS: [&str; 4] = ["pr0", "pr1", "ot", "pt"];
const POLICIES: [&str; 5] = ["medicaid", "commercial", "medicare", "whole", "t10"];

prop_compose! {
    fn encounter(i: usize)(
        patient in 0usize..3,
        provider in 0usize..4,
        service in 0usize..SERVICES.len(),
        setting in 0usize..SETTINGS.len(),
        modality in 0usize..MODALITIES.len(),
        day in 1u32..4,
        start in 0u32..(20 * 60),
        minutes in 1u32..300,
        group in 1u32..4,
        follow_up in any::<bool>(),
        ei in any::<bool>(),
        other in proptest::option::of(1u32..60),
    ) -> Value {
        let start_h = start / 60;
        let start_m = start % 60;
        let end = start + minutes;
        let (end_day, end_h, end_m) = (day + end / (24 * 60), (end / 60) % 24, end % 60);
        let mut e = json!({
            "id": format!("e{i}"),
            "patient": format!("p{patient}"),
            "provider": PROVIDERS[provider],
            "service": SERVICES[service],
            "setting": SETTINGS[setting],
            "modality": MODALITIES[modality],
            "start": format!("2026-03-{day:02}T{start_h:02}:{start_m:02}:00-05:00"),
            "end": format!("2026-03-{end_day:02}T{end_h:02}:{end_m:02}:00-05:00"),
            "group_size": group,
            "follow_up": follow_up,
            "early_intervention": ei,
        });
        if let Some(m) = other {
            e["other_timed_services"] = json!([{"code": "97110", "minutes": m}]);
        }
        e
    }
}

fn encounters() -> impl Strategy<Value = Vec<Value>> {
    (0usize..12).prop_flat_map(|n| (0..n).map(encounter).collect::<Vec<_>>())
}

fn request(policy: &str, encounters: Vec<Value>) -> Value {
    json!({
        "policy": policy,
        "patients": [{"id": "p0"}, {"id": "p1"}, {"id": "p2"}],
        "providers": [
            {"id": "pr0", "credential": "masters", "discipline": "behavioral_health"},
            {"id": "pr1", "credential": "paraprofessional", "discipline": "behavioral_health"},
            {"id": "ot", "credential": "masters", "discipline": "occupational_therapy", "assistant": true},
            {"id": "pt", "credential": "doctoral", "discipline": "physical_therapy"},
        ],
        "encounters": encounters,
    })
}

fn minutes_of(e: &Value) -> u32 {
    let start: chrono::DateTime<chrono::FixedOffset> =
        e["start"].as_str().unwrap().parse().unwrap();
    let end: chrono::DateTime<chrono::FixedOffset> = e["end"].as_str().unwrap().parse().unwrap();
    ((end - start).num_seconds() / 60) as u32
}

fn check_invariants(
    engine: &Engine,
    policy: &str,
    encs: &[Value],
    r: &Response,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(r.decisions.len(), encs.len());
    let by_id: HashMap<&str, &Value> = encs
        .iter()
        .map(|e| (e["id"].as_str().unwrap(), e))
        .collect();
    let p = engine.policy(policy).unwrap();
    // Every line's minutes are exactly its encounters' minutes: aggregation loses nothing.
    for (i, line) in r.lines.iter().enumerate() {
        let sum: u32 = line
            .encounters
            .iter()
            .map(|id| minutes_of(by_id[id.as_str()]))
            .sum();
        prop_assert_eq!(line.minutes, sum);
        prop_assert!(line.units > 0);
        prop_assert!(line.modifiers.len() <= 4);
        prop_assert!(h2024::modifiers::find_conflict(&line.modifiers).is_none());
        for id in &line.encounters {
            let d = r.decisions.iter().find(|d| &d.encounter == id).unwrap();
            prop_assert_eq!(d.line, Some(i));
            prop_assert_eq!(d.code, Some(line.code));
        }
        // Billed time bounds under day aggregation.
        let rules = p
            .code(line.code)
            .expect("a line bills a code of the code set");
        if let (Unit::Minutes(len), h2024::Aggregation::Day) =
            (rules.rounding.unit(), rules.aggregation)
        {
            let billed = i64::from(line.units) * i64::from(len);
            let documented = i64::from(line.minutes);
            let capped = r
                .findings
                .iter()
                .any(|f| f.rule == Rule::UnitsExceedDailyMaximum && f.line == Some(i));
            match rules.rounding.rule() {
                UnitRule::Midpoint if !capped => {
                    prop_assert!(2 * (billed - documented) < i64::from(len))
                }
                UnitRule::Whole => prop_assert!(billed <= documented),
                _ => {}
            }
        }
    }
    // Every encounter is accounted for: on a line, or with a finding that says why not.
    for d in &r.decisions {
        if d.line.is_none() {
            prop_assert!(
                r.findings
                    .iter()
                    .any(|f| f.encounter.as_deref() == Some(d.encounter.as_str())),
                "encounter {} has neither a line nor a finding",
                d.encounter
            );
        }
    }
    // Lines are sorted by patient, date, code.
    let keys: Vec<_> = r
        .lines
        .iter()
        .map(|l| (l.patient.clone(), l.date_of_service, l.code.as_str()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    prop_assert_eq!(keys, sorted);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn batches_keep_their_invariants(policy in 0usize..POLICIES.len(), encs in encounters()) {
        let engine = engine();
        let policy = POLICIES[policy];
        let text = engine.evaluate_json(&request(policy, encs.clone()).to_string()).unwrap();
        let r: Response = serde_json::from_str(&text).unwrap();
        check_invariants(&engine, policy, &encs, &r)?;
    }

    /// Each coded decision's `modifiers` reason is what `required_modifiers` derives for its
    /// own encounter, provider and code (decisions share equal lists; none may take
    /// another's), and a decision on a line lists that line's modifiers.
    #[test]
    fn each_decision_gives_its_own_modifiers(policy in 0usize..POLICIES.len(), encs in encounters()) {
        let engine = engine();
        let policy = POLICIES[policy];
        let text = request(policy, encs).to_string();
        let typed = h2024::Request::from_json(&text).unwrap();
        let r = engine.evaluate_json_to_response(&text).unwrap();
        let p = engine.policy(policy).unwrap();
        for (d, enc) in r.decisions.iter().zip(&typed.encounters) {
            let given = d.reasons.iter().find_map(|reason| match reason {
                Reason::Modifiers { modifiers } => Some(modifiers),
                _ => None,
            });
            let (Some(code), Some(given)) = (d.code, given) else { continue };
            let provider = typed.providers.iter().find(|pr| pr.id == enc.provider).unwrap();
            let derived = h2024::requirements::required_modifiers(p, code, provider, enc);
            prop_assert_eq!(&given[..], &derived.reasons()[..], "{}", d.encounter);
            if let Some(line) = d.line {
                let on_line: Vec<_> = given.iter().map(|m| m.modifier).collect();
                prop_assert_eq!(&on_line, &r.lines[line].modifiers, "{}", d.encounter);
            }
        }
    }

    #[test]
    fn findings_never_change_lines(policy in 0usize..POLICIES.len(), encs in encounters(),
                                   units in 0u32..20, half in any::<bool>(), educational in any::<bool>()) {
        let engine = engine();
        let policy = POLICIES[policy];
        let plain: Response = serde_json::from_str(
            &engine.evaluate_json(&request(policy, encs.clone()).to_string()).unwrap(),
        ).unwrap();
        let mut noisy = encs;
        for e in &mut noisy {
            e["educational"] = json!(educational);
            e["billed"] = json!({"code": "H2024", "modifiers": ["GT", "ZZ", "HO", "HN", "59"],
                                 "units": f64::from(units) + if half { 0.5 } else { 0.0 },
                                 "place_of_service": "03"});
            e["documentation"] = json!({"skills_taught": ["x"], "objectives": ["nope"]});
        }
        let mut req = request(policy, noisy);
        req["patients"][0]["treatment_plan"] = json!({"goals": [{"id": "g", "skills": ["x"]}]});
        req["patients"][1]["authorizations"] = json!([{"number": "A", "codes": ["H2014"], "start": "2026-03-02",
                                                       "end": "2026-03-02", "units_authorized": 1}]);
        let with: Response = serde_json::from_str(&engine.evaluate_json(&req.to_string()).unwrap()).unwrap();
        // What the lines bill; which authorization they draw on comes from the
        // authorizations on file, which only the noisy request has.
        prop_assert_eq!(billed(&with.lines), billed(&plain.lines));
        prop_assert!(with.findings.len() >= plain.findings.len());
    }

    #[test]
    fn more_minutes_never_fewer_units(policy in 0usize..POLICIES.len(), code in 0usize..5, minutes in 1u32..600, extra in 0u32..120) {
        let engine = engine();
        let code = Code::ALL[code];
        let units = |m: u32| {
            let e = json!({"id": "e", "patient": "p0", "provider": "pt", "service": "self_care_training",
                           "setting": "clinic", "code": code, "date": "2026-03-02", "minutes": m});
            let r: Response = serde_json::from_str(
                &engine.evaluate_json(&request(POLICIES[policy], vec![e]).to_string()).unwrap(),
            ).unwrap();
            r.lines.iter().map(|l| l.units).sum::<u32>()
        };
        prop_assert!(units(minutes) <= units(minutes + extra));
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,200}") {
        let _ = Engine::default().evaluate_json(&text);
        let _ = Engine::from_policies_json(&text);
    }

    #[test]
    fn arbitrary_json_values_never_panic(v in arbitrary_json(3)) {
        let engine = Engine::default();
        let _ = engine.evaluate_json(&v.to_string());
        let _ = engine.evaluate_json(&json!({"encounters": [v.clone()]}).to_string());
        let _ = engine.evaluate_json(&json!({"policy": v.clone()}).to_string());
        let _ = Engine::from_policies_json(&json!([v]).to_string());
    }

    #[test]
    fn mutated_encounters_never_panic(encs in encounters(), field in 0usize..14, v in arbitrary_json(1)) {
        let fields = ["id", "patient", "provider", "service", "setting", "modality", "start", "end",
                      "date", "minutes", "group_size", "code", "other_timed_services", "follow_up"];
        let mut encs = encs;
        if let Some(e) = encs.first_mut() {
            e[fields[field]] = v;
        }
        let engine = Engine::default();
        let text = engine.evaluate_json(&request("medicaid", encs.clone()).to_string()).unwrap();
        let r: Response = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(r.decisions.len(), encs.len());
    }
}

/// The lines without what they draw on the authorizations on file.
fn billed(lines: &[h2024::Line]) -> Vec<h2024::Line> {
    let mut lines = lines.to_vec();
    for line in &mut lines {
        line.authorization = None;
        line.authorization_units_remaining = None;
    }
    lines
}

/// A session of `minutes` for patient `p0` on day `day` after 2026-02-20 (any weekday,
/// across months), either code of skills training.
fn dated_session(i: usize, day: u32, minutes: u32) -> Value {
    let date = NaiveDate::from_ymd_opt(2026, 2, 20).unwrap() + Days::new(u64::from(day));
    json!({"id": format!("e{i}"), "patient": "p0", "provider": "pr0", "service": "skills_training",
           "setting": "home", "date": date.to_string(), "minutes": minutes})
}

const PERIODS: [&str; 4] = ["day", "week", "month", "authorization"];
const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Sun, "sunday"),
    (Weekday::Mon, "monday"),
    (Weekday::Tue, "tuesday"),
    (Weekday::Wed, "wednesday"),
    (Weekday::Thu, "thursday"),
    (Weekday::Fri, "friday"),
    (Weekday::Sat, "saturday"),
];

/// The first day of the period of `per` holding `date`, found by walking back day by day
/// (not the engine's arithmetic).
fn period_of(per: &str, date: NaiveDate, week_start: Weekday, auth_start: NaiveDate) -> NaiveDate {
    match per {
        "day" => date,
        "week" => {
            let mut d = date;
            while d.weekday() != week_start {
                d = d.pred_opt().unwrap();
            }
            d
        }
        "month" => NaiveDate::from_ymd_opt(date.year(), date.month(), 1).unwrap(),
        _ => auth_start,
    }
}

/// An authorization's limits as the property sees them: (`per`, position in `limits` or
/// `None` for `units_authorized`, units, units used before the request that count).
type Limit = (&'static str, Option<u8>, u64, u64);

prop_compose! {
    /// An authorization for a random subset of H2014/H2024, over random dates, with random
    /// limits (at most one per period).
    fn authorization()(
        codes in 1usize..4,
        start in 0u64..20,
        length in 0u64..60,
        units in 1u32..60,
        used in 0u32..40,
        limits in proptest::collection::vec(proptest::option::of(1u32..25), 4),
    ) -> Value {
        let from = NaiveDate::from_ymd_opt(2026, 2, 20).unwrap() + Days::new(start);
        let codes: Vec<&str> = [(1, "H2014"), (2, "H2024")]
            .iter()
            .filter(|(bit, _)| codes & bit != 0)
            .map(|&(_, c)| c)
            .collect();
        let limits: Vec<Value> = limits
            .iter()
            .zip(PERIODS)
            .filter_map(|(units, per)| units.map(|u| json!({"per": per, "units": u})))
            .collect();
        json!({"number": "A-1", "codes": codes, "start": from.to_string(),
               "end": (from + Days::new(length)).to_string(), "units_authorized": units,
               "units_used": used, "limits": limits})
    }
}

fn sessions() -> impl Strategy<Value = Vec<Value>> {
    proptest::collection::vec((0u32..75, 1u32..130), 0..40).prop_map(|days| {
        days.into_iter()
            .enumerate()
            .map(|(i, (day, minutes))| dated_session(i, day, minutes))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// For every line: it draws on the authorization exactly when the authorization lists
    /// its code and covers its date; the units left are the smallest of limit - usage in
    /// the line's period over the limits; every limit passed has its
    /// `authorization_exceeded`; and `authorization_near_limit` fires exactly on the first
    /// line of each limit and period that reaches the alert share without passing the limit.
    #[test]
    fn authorization_limits_are_tracked_per_period(
        auth in authorization(),
        encs in sessions(),
        week_start in 0usize..7,
        percent in 1u32..=100,
        require in any::<bool>(),
    ) {
        let (week_start, week_start_name) = WEEKDAYS[week_start];
        let policy = json!({"extends": "medicaid", "week_start": week_start_name,
                            "authorization_alert_percent": percent,
                            "requires_clock_times": false,
                            "prior_authorization": if require { json!("always") } else { json!("never") }});
        let mut req = request("medicaid", encs);
        req["policy"] = policy;
        req["patients"][0]["authorizations"] = json!([auth.clone()]);
        let r: Response = serde_json::from_str(&Engine::default().evaluate_json(&req.to_string()).unwrap()).unwrap();

        let date = |v: &Value| v.as_str().unwrap().parse::<NaiveDate>().unwrap();
        let (start, end) = (date(&auth["start"]), date(&auth["end"]));
        let codes: Vec<&str> = auth["codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
        let used = auth["units_used"].as_u64().unwrap();
        let mut limits: Vec<Limit> = vec![("authorization", None, auth["units_authorized"].as_u64().unwrap(), used)];
        for (j, l) in auth["limits"].as_array().unwrap().iter().enumerate() {
            let per = PERIODS.iter().find(|p| **p == l["per"]).unwrap();
            let base = if *per == "authorization" { used } else { 0 };
            limits.push((per, Some(j as u8), l["units"].as_u64().unwrap(), base));
        }
        let drawn: Vec<usize> = (0..r.lines.len())
            .filter(|&i| {
                let l = &r.lines[i];
                codes.contains(&l.code.as_str()) && start <= l.date_of_service && l.date_of_service <= end
            })
            .collect();
        for (i, line) in r.lines.iter().enumerate() {
            let draws = drawn.contains(&i);
            prop_assert_eq!(line.authorization.is_some(), draws, "line {}", i);
            prop_assert_eq!(line.authorization_units_remaining.is_some(), draws, "line {}", i);
        }
        let findings_on = |i: usize, rule: Rule| -> Vec<&h2024::Finding> {
            r.findings.iter().filter(|f| f.line == Some(i) && f.rule == rule).collect()
        };
        for &(per, index, limit, base) in &limits {
            let mut alerted: Vec<NaiveDate> = Vec::new();
            for (k, &i) in drawn.iter().enumerate() {
                let line = &r.lines[i];
                let period = period_of(per, line.date_of_service, week_start, start);
                // Usage in the period after this line: every earlier drawn line of the period.
                let usage: u64 = base + drawn[..=k]
                    .iter()
                    .filter(|&&j| period_of(per, r.lines[j].date_of_service, week_start, start) == period)
                    .map(|&j| u64::from(r.lines[j].units))
                    .sum::<u64>();
                let before = usage - u64::from(line.units);
                let of_limit = |f: &&h2024::Finding| match &f.data {
                    Data::AuthorizationExceeded { per: p, limit_index, period_start, .. }
                    | Data::AuthorizationNearLimit { per: p, limit_index, period_start, .. } => {
                        p.as_str() == per && *limit_index == index && *period_start == period
                    }
                    _ => false,
                };
                let exceeded: Vec<_> = findings_on(i, Rule::AuthorizationExceeded).into_iter().filter(of_limit).collect();
                prop_assert_eq!(exceeded.len(), usize::from(usage > limit), "line {} limit {:?}", i, (per, index));
                if let Some(f) = exceeded.first() {
                    let Data::AuthorizationExceeded { used_after_line, exceeded_by, authorized, .. } = &f.data else { unreachable!() };
                    prop_assert_eq!(*used_after_line, usage);
                    prop_assert_eq!(u64::from(*authorized), limit);
                    prop_assert_eq!(*exceeded_by, usage - limit.max(before));
                }
                let near = findings_on(i, Rule::AuthorizationNearLimit).into_iter().filter(of_limit).count();
                // The first line of the period at or past the alert share: the alert, unless
                // the line passes the limit (then the period has had its say).
                let reaches = u128::from(usage) * 100 >= u128::from(limit) * u128::from(percent);
                let first = reaches && !alerted.contains(&period);
                if first {
                    alerted.push(period);
                }
                prop_assert_eq!(near, usize::from(first && usage <= limit), "line {} limit {:?}", i, (per, index));
            }
        }
        // The units left: the smallest of what each limit has left in the line's period.
        for (k, &i) in drawn.iter().enumerate() {
            let line = &r.lines[i];
            let expected = limits
                .iter()
                .map(|&(per, _, limit, base)| {
                    let period = period_of(per, line.date_of_service, week_start, start);
                    let usage: u64 = base + drawn[..=k]
                        .iter()
                        .filter(|&&j| period_of(per, r.lines[j].date_of_service, week_start, start) == period)
                        .map(|&j| u64::from(r.lines[j].units))
                        .sum::<u64>();
                    limit as i64 - usage as i64
                })
                .min();
            prop_assert_eq!(line.authorization_units_remaining, expected, "line {}", i);
        }
        // Lines that draw on none: the code is listed by none (code mismatch) or the date is
        // outside it (expired), each flagged; a missing authorization never, one is on file.
        for (i, line) in r.lines.iter().enumerate() {
            if drawn.contains(&i) {
                continue;
            }
            let rule = if codes.contains(&line.code.as_str()) {
                Rule::AuthorizationExpired
            } else {
                Rule::AuthorizationCodeMismatch
            };
            prop_assert_eq!(findings_on(i, rule).len(), 1, "line {}", i);
        }
        prop_assert!(r.findings.iter().all(|f| f.rule != Rule::PriorAuthorizationMissing));
    }
}

fn arbitrary_json(depth: u32) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        "[a-zA-Z0-9_:+-]{0,30}".prop_map(Value::String),
        Just(json!("2026-03-02T09:00:00-05:00")),
        Just(json!("H2014")),
    ];
    leaf.prop_recursive(depth, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("id".to_owned()),
                    Just("extends".to_owned()),
                    Just("units".to_owned()),
                    Just("rule".to_owned()),
                    Just("start".to_owned()),
                    "[a-z_]{1,10}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

// The rounding rules payers use (docs/rules.md, "Round up", "Minimum session length",
// "Sessions across midnight", "CMS 8-minute rule"): properties over whole requests.

/// Policies that differ from `medicaid` (midpoint, day aggregation) in one rounding field.
fn rounding_engine() -> Engine {
    Engine::from_policies_json(
        r#"[{"id": "up", "extends": "medicaid", "units": {"default": {"rule": "round_up"}}},
            {"id": "min10", "extends": "medicaid", "units": {"default": {"min_session_minutes": 10}}},
            {"id": "up-min30", "extends": "up", "units": {"default": {"min_session_minutes": 30}}},
            {"id": "session-min10", "extends": "commercial",
             "units": {"default": {"min_session_minutes": 10}}},
            {"id": "up-split", "extends": "up", "units": {"default": {"split_at_midnight": true}}},
            {"id": "medicare-patient", "extends": "medicare", "units": {"default": {"pool": "patient"}}}]"#,
    )
    .unwrap()
}

prop_compose! {
    /// A session of H2014 pinned, for patient `p0` or `p1`, on 2 or 3 March, any length.
    fn pinned_session(i: usize)(
        patient in 0usize..2,
        day in 2u32..4,
        start in 0u32..(24 * 60),
        minutes in 1u32..600,
    ) -> Value {
        let end = start + minutes;
        json!({
            "id": format!("e{i}"), "patient": format!("p{patient}"), "provider": "pr0",
            "service": "skills_training", "setting": "home", "code": "H2014",
            "start": format!("2026-03-{day:02}T{:02}:{:02}:00-05:00", start / 60, start % 60),
            "end": format!("2026-03-{:02}T{:02}:{:02}:00-05:00", day + end / (24 * 60), (end / 60) % 24, end % 60),
        })
    }
}

fn pinned_sessions() -> impl Strategy<Value = Vec<Value>> {
    (1usize..8).prop_flat_map(|n| (0..n).map(pinned_session).collect::<Vec<_>>())
}

fn evaluate_under(engine: &Engine, policy: &str, encs: &[Value]) -> Response {
    let text = engine
        .evaluate_json(&request(policy, encs.to_vec()).to_string())
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn total_units(r: &Response) -> u32 {
    r.lines.iter().map(|l| l.units).sum()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn round_up_never_bills_less_than_midpoint(encs in pinned_sessions()) {
        let engine = rounding_engine();
        let up = evaluate_under(&engine, "up", &encs);
        let midpoint = evaluate_under(&engine, "medicaid", &encs);
        // Line by line (the same sessions share the same lines under both rules, or earn
        // none under midpoint), and in all.
        for line in &midpoint.lines {
            let same = up.lines.iter().find(|l| l.encounters == line.encounters);
            prop_assert!(same.is_some_and(|l| l.units >= line.units), "{line:?}");
        }
        prop_assert!(total_units(&up) >= total_units(&midpoint));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn min_session_minutes_never_increases_units(encs in pinned_sessions()) {
        let engine = rounding_engine();
        for (with, without) in [("min10", "medicaid"), ("up-min30", "up"), ("session-min10", "commercial")] {
            let short = evaluate_under(&engine, with, &encs);
            let all = evaluate_under(&engine, without, &encs);
            prop_assert!(total_units(&short) <= total_units(&all), "{with}: {:?} / {:?}", short.lines, all.lines);
            // Line by line: a line under the minimum holds a subset of the sessions of the
            // line of the same key without it, and no more units.
            for line in &short.lines {
                let same = all.lines.iter().find(|l| {
                    (&l.patient, l.date_of_service, l.code) == (&line.patient, line.date_of_service, line.code)
                        && line.encounters.iter().all(|e| l.encounters.contains(e))
                });
                prop_assert!(same.is_some_and(|l| l.units >= line.units && l.minutes >= line.minutes), "{line:?}");
            }
        }
    }
}

/// Minutes per (patient, date of service) of sessions split at midnight in their start's
/// offset, computed from the clock times alone.
fn minutes_by_patient_and_date(encs: &[Value]) -> BTreeMap<(String, NaiveDate), u32> {
    let mut out = BTreeMap::new();
    for e in encs {
        let start: DateTime<FixedOffset> = e["start"].as_str().unwrap().parse().unwrap();
        let total = minutes_of(e);
        let since_midnight = start.hour() * 60 + start.minute();
        let first = total.min(24 * 60 - since_midnight);
        let patient = e["patient"].as_str().unwrap().to_owned();
        *out.entry((patient.clone(), start.date_naive()))
            .or_default() += first;
        if total > first {
            *out.entry((patient, start.date_naive().succ_opt().unwrap()))
                .or_default() += total - first;
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn split_at_midnight_conserves_total_minutes_across_dates(encs in pinned_sessions()) {
        // Under round_up every minute on a line earns a unit, so no line is dropped and the
        // lines hold every documented minute.
        let engine = rounding_engine();
        let split = evaluate_under(&engine, "up-split", &encs);
        let whole = evaluate_under(&engine, "up", &encs);
        let documented: u32 = encs.iter().map(minutes_of).sum();
        let line_minutes = |r: &Response| r.lines.iter().map(|l| l.minutes).sum::<u32>();
        prop_assert_eq!(line_minutes(&split), documented);
        prop_assert_eq!(line_minutes(&whole), documented);
        // Each date holds exactly the minutes that fall on it.
        let mut by_date: BTreeMap<(String, NaiveDate), u32> = BTreeMap::new();
        for l in &split.lines {
            *by_date.entry((l.patient.to_string(), l.date_of_service)).or_default() += l.minutes;
        }
        prop_assert_eq!(by_date, minutes_by_patient_and_date(&encs));
        // Every encounter is on a line of each date it covers, the decision on the first.
        for d in &split.decisions {
            let first = split.lines.iter().position(|l| l.encounters.contains(&d.encounter));
            prop_assert_eq!(d.line, first);
        }
    }
}

const OTHER_CODES: [&str; 5] = ["97110", "97140", "97530", "97535", "97116"];

prop_compose! {
    /// A therapy session of 97535 by `provider` (minutes only, as Medicare takes them), with
    /// perhaps some other timed services listed.
    fn therapy_session(i: usize, provider: &'static str)(
        patient in 0usize..2,
        day in 2u32..4,
        minutes in 1u32..90,
        others in proptest::collection::vec((0usize..OTHER_CODES.len(), 1u32..40), 0..3),
    ) -> Value {
        json!({
            "id": format!("t{i}"), "patient": format!("p{patient}"), "provider": provider,
            "service": "self_care_training", "setting": "clinic",
            "date": format!("2026-03-{day:02}"), "minutes": minutes,
            "other_timed_services": others.iter()
                .map(|&(c, m)| json!({"code": OTHER_CODES[c], "minutes": m}))
                .collect::<Vec<_>>(),
        })
    }
}

fn therapy_sessions(provider: &'static str) -> impl Strategy<Value = Vec<Value>> {
    (1usize..8).prop_flat_map(move |n| {
        (0..n)
            .map(|i| therapy_session(i, provider))
            .collect::<Vec<_>>()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn discipline_pooling_equals_patient_pooling_with_one_discipline(
        ot in therapy_sessions("ot"), pt in therapy_sessions("pt"), which in 0usize..2,
    ) {
        let engine = rounding_engine();
        let encs = if which == 0 { ot } else { pt };
        let by_discipline = evaluate_under(&engine, "medicare", &encs);
        let by_patient = evaluate_under(&engine, "medicare-patient", &encs);
        prop_assert_eq!(&by_discipline.lines, &by_patient.lines);
        prop_assert_eq!(
            by_discipline.findings.iter().map(|f| (f.rule, f.encounter.clone())).collect::<Vec<_>>(),
            by_patient.findings.iter().map(|f| (f.rule, f.encounter.clone())).collect::<Vec<_>>()
        );
    }

}
