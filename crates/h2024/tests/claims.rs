//! Fees, diagnoses and claims through the public API (README, "From a response to a
//! claim"): the new line and claim fields in explained and compact output, fee entries
//! validated by path without echo (also in versions), the state packs' fees, diagnoses
//! read and refused without echo, and the findings' messages.

mod common;

use chrono::NaiveDate;
use common::{DATE, at, documentation, plan, provider};
use h2024::fees::{Fee, MAX_FEES};
use h2024::{
    Code, Diagnosis, Encounter, Engine, Modifier, Patient, PolicyErrorKind, Provider, Request,
    Rule, Service, Setting,
};
use serde_json::{Value, json};

fn session(id: &str, start: &str, end: &str) -> Value {
    json!({"id": id, "patient": "p1", "provider": "pr1", "service": "skills_training",
           "start": at(start), "end": at(end), "setting": "home", "follow_up": true,
           "documentation": documentation()})
}

fn request(policy: Value, encounters: Vec<Value>, explain: bool) -> String {
    json!({"policy": policy, "explain": explain,
           "patients": [{"id": "p1", "birth_date": "1990-01-01", "treatment_plan": plan()}],
           "providers": [provider("pr1", "masters", "behavioral_health")],
           "encounters": encounters})
    .to_string()
}

fn priced() -> Value {
    json!({"extends": "medicaid", "fees": [
        {"code": "H2014", "cents_per_unit": 1244},
        {"code": "H2014", "modifiers": ["HQ"], "cents_per_unit": 311}]})
}

fn evaluate(json: &str) -> Value {
    serde_json::from_str(&Engine::with_state_packs().evaluate_json(json).unwrap()).unwrap()
}

#[test]
fn line_and_claim_fields_are_in_explained_and_compact_output() {
    let mut e1 = session("e1", "09:00", "09:45");
    e1["diagnoses"] = json!(["F84.0", "f41.1"]);
    for explain in [true, false] {
        let text = Engine::default()
            .evaluate_json(&request(priced(), vec![e1.clone()], explain))
            .unwrap();
        let r: Value = serde_json::from_str(&text).unwrap();
        let line = &r["lines"][0];
        assert_eq!(line["charge_cents"], 3732, "{explain}");
        assert_eq!(line["diagnosis_pointers"], json!([1, 2]));
        assert_eq!(
            line["x12"],
            "LX*1~SV1*HC:H2014:HO:TS*37.32*UN*3*12**1:2~DTP*472*D8*20260302~"
        );
        assert_eq!(
            r["claims"],
            json!([{"patient": "p1", "lines": [0], "diagnoses": ["F84.0", "F41.1"],
                    "charge_cents": 3732, "place_of_service": "12"}])
        );
        // The claims come last: the lines, decisions and findings are where they were.
        assert!(text.ends_with(r#""place_of_service":"12"}]}"#), "{text}");
        assert!(text.find(r#""claims":"#) > text.find(r#""findings":"#));
    }
}

#[test]
fn fee_not_found_names_the_line_not_the_policy() {
    let policy = json!({"extends": "medicaid", "description": "SECRET PLAN TEXT",
                        "fees": [{"code": "H2017", "cents_per_unit": 793}]});
    let r = evaluate(&request(
        policy,
        vec![session("e1", "09:00", "09:45")],
        true,
    ));
    let f = &r["findings"][0];
    assert_eq!(f["rule"], "fee_not_found");
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["carc"], Value::Null);
    assert_eq!(f["line"], 0);
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains("H2014 with HO, TS on 2026-03-02"),
        "{message}"
    );
    assert!(!message.contains("SECRET"), "{message}");
    assert_eq!(r["lines"][0]["charge_cents"], Value::Null);
    assert_eq!(r["claims"][0]["charge_cents"], Value::Null);
}

#[test]
fn too_many_diagnoses_says_which_and_where() {
    let twelve: Vec<String> = (20..32).map(|n| format!("F{n}")).collect();
    let mut e1 = session("e1", "09:00", "09:45");
    e1["diagnoses"] = json!(twelve);
    let mut e2 = session("e2", "10:00", "10:45");
    e2["start"] = json!(format!("2026-03-03T10:00:00-05:00"));
    e2["end"] = json!(format!("2026-03-03T10:45:00-05:00"));
    e2["diagnoses"] = json!(["F20", "F99", "F98"]);
    let r = evaluate(&request(json!("medicaid"), vec![e1, e2], true));
    let found: Vec<&Value> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "too_many_diagnoses")
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0]["element"], "diagnoses[1]");
    assert_eq!(found[1]["element"], "diagnoses[2]");
    assert_eq!(found[0]["carc"], "16");
    let message = found[0]["message"].as_str().unwrap();
    assert!(message.contains("`diagnoses[1]`"), "{message}");
    assert!(!message.contains("F99"), "{message}");
    assert_eq!(r["lines"][1]["diagnosis_pointers"], json!([1]));
}

#[test]
fn a_malformed_diagnosis_is_named_never_repeated() {
    let mut e1 = session("e1", "09:00", "09:45");
    e1["diagnoses"] = json!(["F84.0", "Jane Doe"]);
    let r = evaluate(&request(json!("medicaid"), vec![e1], true));
    assert_eq!(r["lines"], json!([]));
    let f = &r["findings"][0];
    assert_eq!(f["rule"], "invalid_encounter");
    assert_eq!(f["data"]["field"], "diagnoses[1]");
    assert!(!r.to_string().contains("Jane"));
}

#[test]
fn fee_entries_are_refused_by_path_without_echo() {
    let base = |fees: Value| json!([{"id": "x", "extends": "medicaid", "fees": fees}]).to_string();
    let cases = [
        (
            json!([{"code": "H2014", "cents_per_unit": 12.44}]),
            "[0].fees[0].cents_per_unit",
        ),
        (
            json!([{"code": "H2014", "cents_per_unit": -1}]),
            "[0].fees[0].cents_per_unit",
        ),
        (
            json!([{"code": "H2014", "cents_per_unit": 10_000_001}]),
            "[0].fees[0].cents_per_unit",
        ),
        (
            json!([{"code": "Jane1", "cents_per_unit": 1}]),
            "[0].fees[0].code",
        ),
        (
            json!([{"code": "H2014", "modifiers": ["HQ", "ZZ"], "cents_per_unit": 1}]),
            "[0].fees[0].modifiers[1]",
        ),
        (
            json!([{"code": "H2014", "modifiers": ["HQ", "HO", "TS", "GT", "U1"], "cents_per_unit": 1}]),
            "[0].fees[0].modifiers",
        ),
        (
            json!([{"code": "H2014", "cents_per_unit": 1, "from": "2026-02-01", "to": "2026-01-31"}]),
            "[0].fees[0].to",
        ),
        (
            json!([{"code": "H2014", "cents_per_unit": 1, "from": "2026-01-01"},
                {"code": "H2014", "cents_per_unit": 2, "from": "2026-01-01"}]),
            "[0].fees[1]",
        ),
        (
            json!([{"code": "H2014", "cents_per_unit": 1, "rate": "Jane"}]),
            "[0].fees[0]",
        ),
        (
            json!(vec![
                json!({"code": "H2014", "cents_per_unit": 1});
                MAX_FEES + 1
            ]),
            "[0].fees",
        ),
    ];
    for (fees, path) in cases {
        let err = Engine::from_policies_json(&base(fees.clone())).unwrap_err();
        assert_eq!(err.path(), path, "{fees}: {err}");
        assert!(!err.to_string().contains("Jane"), "{err}");
        assert!(!err.to_string().contains("12.44"), "{err}");
    }
    // In a version, the path says which.
    let err = Engine::from_policies_json(
        &json!([{"id": "x", "extends": "medicaid",
                 "versions": [{"from": "2026-01-01", "fees": [{"code": "H2014", "cents_per_unit": 1,
                                                                "from": "2026-02-01", "to": "2026-01-01"}]}]}])
        .to_string(),
    )
    .unwrap_err();
    assert_eq!(err.path(), "[0].versions[0].fees[0].to");
    assert_eq!(err.kind(), PolicyErrorKind::InvalidValue);
}

#[test]
fn fees_are_inherited_whole_and_replaced_whole() {
    let engine = Engine::from_policies_json(
        &json!([{"id": "a", "extends": "medicaid", "fees": [
                    {"code": "H2014", "cents_per_unit": 1244},
                    {"code": "H2014", "modifiers": ["HQ"], "cents_per_unit": 311}]},
                {"id": "b", "extends": "a"},
                {"id": "c", "extends": "a", "fees": [{"code": "H2017", "cents_per_unit": 793}]},
                {"id": "d", "extends": "a", "fees": []}])
        .to_string(),
    )
    .unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let rate = |id: &str, code: Code, mods: &[Modifier]| {
        engine
            .policy(id)
            .unwrap()
            .fee(code, mods, day)
            .map(|f| f.cents_per_unit)
    };
    assert_eq!(rate("b", Code::H2014, &[Modifier::HQ]), Some(311));
    assert_eq!(rate("c", Code::H2014, &[]), None);
    assert_eq!(rate("c", Code::H2017, &[]), Some(793));
    assert!(engine.policy("d").unwrap().fees().is_empty());
    assert_eq!(engine.policy("b").unwrap().fees().len(), 2);
    assert!(Engine::default().policies().all(|p| p.fees().is_empty()));
}

#[test]
fn the_state_packs_price_their_codes() {
    let engine = Engine::with_state_packs();
    let on = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let maine = engine.policy("me-mainecare").unwrap();
    let rate = |code: &str, mods: &[Modifier]| {
        maine
            .fee(code.parse().unwrap(), mods, on(2026, 3, 2))
            .map(|f| f.cents_per_unit)
    };
    assert_eq!(rate("H2014", &[Modifier::HO]), Some(1244));
    assert_eq!(rate("H2014", &[Modifier::HO, Modifier::HQ]), Some(311));
    assert_eq!(rate("H2015", &[]), Some(2128));
    assert_eq!(rate("H2017", &[]), Some(793));
    assert_eq!(rate("H2018", &[]), Some(7588));
    assert_eq!(rate("H2025", &[]), Some(1244));
    assert_eq!(
        maine
            .fee(Code::H2014, &[], on(2019, 6, 30))
            .map(|f| f.cents_per_unit),
        None
    );
    let oklahoma = engine.policy("ok-dds").unwrap();
    let t2019: Code = "T2019".parse().unwrap();
    assert_eq!(
        oklahoma
            .fee(t2019, &[], on(2022, 10, 3))
            .map(|f| f.cents_per_unit),
        Some(785)
    );
    assert_eq!(oklahoma.fee(t2019, &[], on(2022, 10, 2)), None);
    assert!(oklahoma.unverified().contains("TG"));
}

#[test]
fn typed_requests_carry_diagnoses() {
    let start = chrono::DateTime::parse_from_rfc3339(&at("09:00")).unwrap();
    let end = chrono::DateTime::parse_from_rfc3339(&at("09:45")).unwrap();
    let f840: Diagnosis = "F84.0".parse().unwrap();
    let request = Request::new()
        .with_inline_policy(
            serde_json::from_value(json!({"extends": "medicaid",
                "fees": [Fee::new(Code::H2014, 1244)]}))
            .unwrap(),
        )
        .with_patient(Patient::new("p1"))
        .with_provider(Provider::new(
            "pr1",
            h2024::Credential::Masters,
            h2024::Discipline::BehavioralHealth,
        ))
        .with_encounter(
            Encounter::new("e1", "p1", "pr1", Service::SkillsTraining, Setting::Home)
                .with_times(start, end)
                .with_diagnosis(f840),
        );
    let r = Engine::default().evaluate(&request);
    assert_eq!(r.lines[0].charge_cents, Some(3 * 1244));
    assert_eq!(r.claims[0].diagnoses, [f840]);
    assert_eq!(r.claims[0].charge_cents, Some(3732));
    assert_eq!(r.lines[0].diagnosis_pointers, [1]);
    assert!(
        !r.findings
            .iter()
            .any(|f| matches!(f.rule, Rule::FeeNotFound | Rule::TooManyDiagnoses))
    );
    // A refused request has no claim.
    let refused = Engine::default().evaluate(&Request::new().with_policy("nope"));
    assert!(refused.claims.is_empty());
    assert_eq!(DATE, "2026-03-02");
}
