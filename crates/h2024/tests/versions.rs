//! Policy versions and effective dates (README, "Policy versions"): each line is evaluated
//! under the version in force on its date of service.

mod common;

use common::{documentation, evaluate, patient, provider, request};
use h2024::{Engine, PolicyErrorKind};
use proptest::prelude::*;
use serde_json::{Value, json};

fn engine(policies: Value) -> Engine {
    Engine::from_policies_json(&policies.to_string()).expect("policies load")
}

fn load_error(policies: Value) -> h2024::PolicyError {
    Engine::from_policies_json(&policies.to_string()).unwrap_err()
}

/// A documented session of `service` on `date` from `start` to `end` (`"HH:MM"`).
fn on(id: &str, date: &str, service: &str, start: &str, end: &str) -> Value {
    json!({"id": id, "patient": "p1", "provider": "pr1", "service": service,
           "start": format!("{date}T{start}:00-07:00"), "end": format!("{date}T{end}:00-07:00"),
           "setting": "home", "modality": "in_person", "documentation": documentation()})
}

fn run(engine: &Engine, policy: Value, encounters: Vec<Value>) -> Value {
    let mut p = patient("p1");
    p["authorizations"] = json!([]);
    p["treatment_plan"]["last_progress_report"] = json!(null);
    evaluate(
        engine,
        &request(
            policy,
            vec![p],
            vec![provider("pr1", "masters", "behavioral_health")],
            encounters,
        ),
    )
    .expect("evaluated")
}

fn rules_on(out: &Value, encounter: &str) -> Vec<String> {
    out["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["encounter"] == encounter)
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect()
}

/// The issue's Arizona example: prior authorization above 8 units a day from 2024-10-15,
/// and a cap of 8 units of H2017 a day from 2025-02-01 to 2025-12-31.
fn arizona() -> Value {
    json!({"id": "az-medicaid", "extends": "medicaid",
    "effective": {"from": "2024-01-01", "to": null},
    "versions": [
      {"from": "2024-10-15", "prior_authorization": {"above_units_per_day": 8}},
      {"from": "2025-02-01", "to": "2025-12-31", "max_units_per_day": {"H2017": 8}}
    ]})
}

#[test]
fn each_line_takes_the_version_in_force_on_its_date() {
    let e = engine(json!([arizona()]));
    // 2 h 30 min of psychosocial rehabilitation = 10 units of H2017 each day.
    let rehab = |id, date| on(id, date, "psychosocial_rehabilitation", "09:00", "11:30");
    let out = run(
        &e,
        json!("az-medicaid"),
        vec![
            rehab("before", "2024-10-14"),
            rehab("first", "2024-10-15"),
            rehab("capped", "2025-03-03"),
            rehab("after", "2026-01-05"),
        ],
    );
    let lines = out["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 4);
    let version = |i: usize| lines[i]["policy_version"].clone();
    assert_eq!(version(0), Value::Null);
    assert_eq!(version(1), "2024-10-15");
    assert_eq!(version(2), "2025-02-01");
    // After the second version's `to`, the first version is not back: the policy's own
    // fields hold.
    assert_eq!(version(3), Value::Null);
    assert_eq!(out["decisions"][1]["policy_version"], "2024-10-15");
    // Prior authorization only from 2024-10-15, and only while that version is in force.
    assert!(!rules_on(&out, "before").contains(&"prior_authorization_missing".into()));
    assert!(rules_on(&out, "first").contains(&"prior_authorization_missing".into()));
    assert!(!rules_on(&out, "after").contains(&"prior_authorization_missing".into()));
    // The cap of the 2025 version.
    assert_eq!(lines[0]["units"], 10);
    assert_eq!(lines[2]["units"], 8);
    assert!(rules_on(&out, "capped").contains(&"units_exceed_daily_maximum".into()));
    assert_eq!(lines[3]["units"], 10);
}

#[test]
fn outside_the_effective_dates_there_is_no_line() {
    let e = engine(json!([arizona()]));
    let out = run(
        &e,
        json!("az-medicaid"),
        vec![on("old", "2023-12-31", "skills_training", "09:00", "09:30")],
    );
    assert!(out["lines"].as_array().unwrap().is_empty());
    assert_eq!(out["decisions"][0]["code"], Value::Null);
    let f = &out["findings"][0];
    assert_eq!(f["rule"], "policy_not_in_effect");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["carc"], Value::Null);
    assert_eq!(f["data"]["date"], "2023-12-31");
    assert_eq!(f["data"]["from"], "2024-01-01");
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains("2023-12-31") && message.contains("2024-01-01"),
        "{message}"
    );
    assert!(!message.contains("az-medicaid"), "{message}");
}

#[test]
fn a_child_policy_takes_its_parents_version_beneath_its_own_fields() {
    let e = engine(json!([
        arizona(),
        {"id": "az-plan", "extends": "az-medicaid", "max_units_per_day": {"H2017": 12},
         "versions": [{"from": "2025-06-01", "telehealth_modifier": "95"}]}
    ]));
    let rehab = |id, date| on(id, date, "psychosocial_rehabilitation", "09:00", "11:30");
    let out = run(
        &e,
        json!("az-plan"),
        vec![
            rehab("e1", "2024-09-02"),
            rehab("e2", "2024-11-04"),
            rehab("e3", "2025-03-03"),
            rehab("e4", "2025-07-07"),
        ],
    );
    let lines = out["lines"].as_array().unwrap();
    // The parent's 2024-10-15 version beneath the child's own fields.
    assert_eq!(lines[0]["policy_version"], Value::Null);
    assert_eq!(lines[1]["policy_version"], "2024-10-15");
    assert!(rules_on(&out, "e2").contains(&"prior_authorization_missing".into()));
    // The parent's 2025 cap (8) is beneath the child's own cap (12): the child's holds.
    assert_eq!(lines[2]["policy_version"], "2025-02-01");
    assert_eq!(lines[2]["units"], 10);
    // The child's own version, on top of the parent's version in force.
    assert_eq!(lines[3]["policy_version"], "2025-06-01");
    let p = e
        .policy_on(
            "az-plan",
            chrono::NaiveDate::from_ymd_opt(2025, 7, 7).unwrap(),
        )
        .unwrap();
    assert_eq!(
        p.telehealth_modifier().map(|m| m.to_string()),
        Some("95".into())
    );
    assert_eq!(
        p.code(h2024::Code::H2017).unwrap().max_units_per_day,
        Some(12)
    );
}

#[test]
fn a_versions_maps_merge_key_by_key_and_null_removes() {
    let e = engine(json!([{
        "id": "v", "extends": "medicaid",
        "max_units_per_day": {"H2014": 16, "H2017": 8},
        "versions": [{"from": "2026-01-01", "max_units_per_day": {"H2014": null, "H2023": 4},
                      "units": {"H2014": {"rule": "whole"}}}]
    }]));
    let p = e
        .policy_on("v", chrono::NaiveDate::from_ymd_opt(2026, 2, 1).unwrap())
        .unwrap();
    let cap = |c: h2024::Code| p.code(c).unwrap().max_units_per_day;
    assert_eq!(cap(h2024::Code::H2014), None);
    assert_eq!(cap(h2024::Code::H2017), Some(8));
    assert_eq!(cap(h2024::Code::H2023), Some(4));
    // The units entry merged field by field: the inherited aggregate stays.
    assert_eq!(
        p.code(h2024::Code::H2014).unwrap().rounding.rule(),
        h2024::UnitRule::Whole
    );
    let before = e.policy("v").unwrap();
    assert_eq!(
        before.code(h2024::Code::H2014).unwrap().max_units_per_day,
        Some(16)
    );
    assert_eq!(before.version(), None);
}

#[test]
fn versions_are_checked_with_their_paths() {
    let base = |versions: Value| json!([{"id": "x", "extends": "medicaid", "versions": versions}]);
    let cases = [
        (
            json!([{"to": "2025-01-01"}]),
            "[0].versions[0].from",
            PolicyErrorKind::MissingField,
        ),
        (
            json!([{"from": "2025-02-01"}, {"from": "2025-01-01"}]),
            "[0].versions[1].from",
            PolicyErrorKind::InvalidValue,
        ),
        (
            json!([{"from": "2025-01-01"}, {"from": "2025-01-01"}]),
            "[0].versions[1].from",
            PolicyErrorKind::InvalidValue,
        ),
        (
            json!([{"from": "2025-01-01", "to": "2025-03-01"}, {"from": "2025-02-01"}]),
            "[0].versions[1].from",
            PolicyErrorKind::InvalidValue,
        ),
        (
            json!([{"from": "2025-03-01", "to": "2025-01-01"}]),
            "[0].versions[0].to",
            PolicyErrorKind::InvalidValue,
        ),
        (
            json!([{"from": "2025-01-01", "id": "y"}]),
            "[0].versions[0].id",
            PolicyErrorKind::InvalidValue,
        ),
        (
            json!([{"from": "2025-01-01", "extends": "commercial"}]),
            "[0].versions[0].extends",
            PolicyErrorKind::InvalidValue,
        ),
        (
            json!([{"from": "2025-01-01", "effective": {"from": "2025-01-01"}}]),
            "[0].versions[0].effective",
            PolicyErrorKind::InvalidValue,
        ),
        (
            json!([{"from": "2025-01-01", "versions": []}]),
            "[0].versions[0].versions",
            PolicyErrorKind::InvalidValue,
        ),
        // A version's own fields are checked like the policy's, under its path.
        (
            json!([{"from": "2025-01-01", "units": {"H2014": {"rule": "threshold"}}}]),
            "[0].versions[0].units.H2014.minutes",
            PolicyErrorKind::MissingField,
        ),
    ];
    for (versions, path, kind) in cases {
        let err = load_error(base(versions.clone()));
        assert_eq!(err.path(), path, "{versions}: {err}");
        assert_eq!(err.kind(), kind, "{versions}: {err}");
    }
    // Dates belong to versions; the policy's own are `effective`.
    let err = load_error(json!([{"id": "x", "extends": "medicaid", "from": "2025-01-01"}]));
    assert_eq!(err.path(), "[0].from");
    let err = load_error(json!([{"id": "x", "extends": "medicaid",
                                 "effective": {"from": "2025-01-01", "to": "2024-01-01"}}]));
    assert_eq!(err.path(), "[0].effective.to");
    // Too many versions.
    let many: Vec<Value> = (0..=h2024::MAX_VERSIONS)
        .map(|i| {
            let d =
                chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Days::new(i as u64);
            json!({"from": d.to_string()})
        })
        .collect();
    let err = load_error(base(json!(many)));
    assert_eq!(err.path(), "[0].versions");
}

#[test]
fn an_inline_policy_may_carry_versions() {
    let out = run(
        &Engine::default(),
        json!({"extends": "medicaid",
               "versions": [{"from": "2026-03-01", "max_units_per_day": {"H2014": 2}}]}),
        vec![on("e1", "2026-03-02", "skills_training", "09:00", "10:00")],
    );
    assert_eq!(out["lines"][0]["code"], "H2024");
    assert_eq!(out["lines"][0]["policy_version"], "2026-03-01");
}

/// A request of `n` sessions on dates spread over two years, of several services.
fn month(days: &[(u16, u8, u8)]) -> Vec<Value> {
    let services = [
        "skills_training",
        "psychosocial_rehabilitation",
        "supported_employment",
    ];
    days.iter()
        .enumerate()
        .map(|(i, &(day, minutes, service))| {
            let date = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()
                + chrono::Days::new(u64::from(day));
            let start = 8 * 60 + (i as u32 % 8) * 70;
            let end = start + u32::from(minutes);
            on(
                &format!("e{i}"),
                &date.to_string(),
                services[usize::from(service) % services.len()],
                &format!("{:02}:{:02}", start / 60, start % 60),
                &format!("{:02}:{:02}", end / 60, end % 60),
            )
        })
        .collect()
}

fn without_versions(mut out: Value) -> Value {
    for key in ["lines", "decisions"] {
        for item in out[key].as_array_mut().unwrap() {
            item.as_object_mut().unwrap().remove("policy_version");
        }
    }
    out
}

proptest! {
    /// A policy with one version covering every date behaves exactly like the same policy
    /// with the version's fields written into it (only `policy_version` differs).
    #[test]
    fn one_version_covering_all_dates_is_the_same_policy(
        days in proptest::collection::vec((0u16..700, 1u8..=60, 0u8..3), 1..30),
        cap in 1u32..12,
        rule in prop_oneof![Just("midpoint"), Just("whole")],
    ) {
        let fields = json!({"max_units_per_day": {"H2014": cap, "H2017": cap},
                            "units": {"default": {"rule": rule}}});
        let mut flat = json!({"id": "flat", "extends": "medicaid"});
        let mut dated = json!({"id": "dated", "extends": "medicaid",
                               "versions": [{"from": "1900-01-01"}]});
        for (k, v) in fields.as_object().unwrap() {
            flat[k] = v.clone();
            dated["versions"][0][k] = v.clone();
        }
        let e = engine(json!([flat, dated]));
        let encounters = month(&days);
        let a = run(&e, json!("flat"), encounters.clone());
        let mut b = run(&e, json!("dated"), encounters);
        for line in b["lines"].as_array().unwrap() {
            prop_assert_eq!(&line["policy_version"], &json!("1900-01-01"));
        }
        b["policy"] = json!("flat");
        prop_assert_eq!(without_versions(a), without_versions(b));
    }
}

#[test]
fn the_policies_guide_examples_load() {
    let doc = include_str!("../../../docs/policies.md");
    let mut loaded = 0;
    for block in doc.split("```json").skip(1) {
        let json = block[..block.find("```").unwrap()].trim();
        let array = if json.starts_with('[') {
            json.to_owned()
        } else if json.starts_with("{\"id\"") {
            format!("[{json}]")
        } else {
            continue;
        };
        Engine::from_policies_json(&array).unwrap_or_else(|e| panic!("{json}: {e}"));
        loaded += 1;
    }
    assert!(loaded >= 8, "{loaded} examples");
}
