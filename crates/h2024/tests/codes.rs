//! Codes beyond the five: the national code set's neighbours, codes a policy defines, their
//! validation, and how selection, modifiers and errors treat them (README, "Codes beyond
//! the five"; `docs/rules.md`, "Codes beyond the five").

mod common;

use common::{evaluate, patient, provider, request, session, with};
use h2024::{Code, CodeSet, CodeSetId, Engine, PolicyErrorKind, Unit};
use serde_json::{Value, json};

fn engine(policies: Value) -> Engine {
    Engine::from_policies_json(&policies.to_string()).expect("policies load")
}

fn load_error(policies: Value) -> h2024::PolicyError {
    Engine::from_policies_json(&policies.to_string()).unwrap_err()
}

fn code(text: &str) -> Code {
    text.parse().expect("a well-formed code")
}

/// A Medicaid policy on the national code set that covers the given codes.
fn national(covered: &[&str]) -> Value {
    json!({"id": "nat", "extends": "medicaid", "code_set": "national", "covered_codes": covered})
}

/// A session of `service` from `start` to `end` on the helpers' date.
fn of(service: &str, id: &str, start: &str, end: &str) -> Value {
    with(
        &session(id, "p1", "pr1", start, end),
        json!({"service": service}),
    )
}

fn run(engine: &Engine, policy: &str, encounters: Vec<Value>) -> Value {
    let mut p = patient("p1");
    p["authorizations"] = json!([]);
    evaluate(
        engine,
        &request(
            json!(policy),
            vec![p],
            vec![provider("pr1", "bachelors", "behavioral_health")],
            encounters,
        ),
    )
    .expect("evaluated")
}

#[test]
fn the_national_set_defines_the_neighbours_with_their_units() {
    let set = CodeSet::builtin(CodeSetId::National);
    let expect = [
        ("H2015", Unit::Minutes(15), "community_support"),
        ("H2016", Unit::PerDiem, "community_support"),
        ("H2018", Unit::PerDiem, "psychosocial_rehabilitation"),
        ("H2025", Unit::Minutes(15), "ongoing_employment_support"),
        ("H2026", Unit::PerDiem, "ongoing_employment_support"),
        ("T2018", Unit::PerDiem, "supported_employment"),
        ("T2019", Unit::Minutes(15), "supported_employment"),
    ];
    for (text, unit, service) in expect {
        let entry = set.entry(code(text)).expect(text);
        assert_eq!(entry.unit, unit, "{text}");
        assert_eq!(entry.service.as_str(), service, "{text}");
        assert!(!entry.therapy, "{text}");
    }
    // The reference set stays the five.
    let reference = CodeSet::builtin(CodeSetId::Reference);
    assert_eq!(reference.codes().collect::<Vec<_>>(), Code::ALL);
}

#[test]
fn a_national_code_bills_only_where_the_policy_covers_it() {
    let e = engine(json!([
        national(&["H2014", "H2015", "H2016"]),
        with(&national(&["H2014"]), json!({"id": "nat-narrow"})),
    ]));
    let enc = of("community_support", "e1", "09:00", "09:38");
    let out = run(&e, "nat", vec![enc.clone()]);
    assert_eq!(out["lines"][0]["code"], "H2015");
    assert_eq!(out["lines"][0]["units"], 3);
    // HN: provider-level modifiers apply to H codes beyond the five too.
    assert_eq!(out["lines"][0]["modifiers"], json!(["HN"]));
    let alts = alternative_codes(&out);
    assert!(
        alts.contains(&"H2016") && alts.contains(&"T2019"),
        "{alts:?}"
    );

    let narrow = run(&e, "nat-narrow", vec![enc]);
    assert!(narrow["lines"].as_array().unwrap().is_empty());
    assert_eq!(narrow["decisions"][0]["code"], Value::Null);
    assert_eq!(narrow["findings"][0]["rule"], "code_not_covered");
}

#[test]
fn a_per_diem_neighbour_wins_once_the_day_meets_its_minimum() {
    let e = engine(json!([national(&["H2015", "H2016"])]));
    // 2 h 10 min of community support: past the 120-minute per-diem default.
    let long = run(
        &e,
        "nat",
        vec![of("community_support", "e1", "09:00", "11:10")],
    );
    assert_eq!(long["lines"][0]["code"], "H2016");
    assert_eq!(long["lines"][0]["units"], 1);
    let short = run(
        &e,
        "nat",
        vec![of("community_support", "e1", "09:00", "10:00")],
    );
    assert_eq!(short["lines"][0]["code"], "H2015");
    assert_eq!(short["lines"][0]["units"], 4);
}

#[test]
fn t_codes_take_provider_levels_and_supported_employment_prefers_by_policy() {
    let e = engine(json!([with(
        &national(&["H2023", "T2019"]),
        json!({"code_preference": ["T2019"]})
    )]));
    let out = run(
        &e,
        "nat",
        vec![of("supported_employment", "e1", "09:00", "09:30")],
    );
    // H2023 and T2019 bill the same 30 minutes the same way: the preference decides.
    assert_eq!(out["lines"][0]["code"], "T2019");
    assert_eq!(out["lines"][0]["units"], 2);
    assert_eq!(out["lines"][0]["modifiers"], json!(["HN"]));
}

#[test]
fn a_policy_defines_a_code_of_its_own() {
    let e = engine(json!([{
        "id": "ok-dds", "extends": "medicaid",
        "codes": {"T2019": {"descriptor": "Employment specialist, per 15 minutes",
                            "unit": {"minutes": 15}, "service": "supported_employment"}},
        "covered_codes": ["T2019"]
    }]));
    let policy = e.policy("ok-dds").unwrap();
    let entry = policy.code_set().entry(code("T2019")).unwrap();
    assert_eq!(entry.unit, Unit::Minutes(15));
    assert!(policy.covers(code("T2019")));
    assert!(!policy.covers(Code::H2023));
    assert_eq!(e.units("ok-dds", code("T2019"), 44), Ok(3));
    let out = run(
        &e,
        "ok-dds",
        vec![of("supported_employment", "e1", "09:00", "09:44")],
    );
    assert_eq!(out["lines"][0]["code"], "T2019");
    assert_eq!(out["lines"][0]["units"], 3);
    // Defined codes are listed after the built-in ones, in the set's order.
    let alts = alternative_codes(&out);
    assert_eq!(alts, ["H2024", "H2014", "H2017", "H2023", "97535"]);
}

#[test]
fn a_policy_defined_therapy_code_takes_therapy_modifiers_and_therapists_only() {
    let e = engine(json!([{
        "id": "t", "extends": "medicaid",
        "codes": {"97530": {"descriptor": "Therapeutic activities (our label)",
                            "unit": {"minutes": 15}, "service": "self_care_training",
                            "therapy": true}},
        "covered_codes": ["H2014", "97535", "97530"],
        "code_preference": ["97530"]
    }]));
    assert!(e.policy("t").unwrap().is_therapy(code("97530")));
    let mut p = patient("p1");
    p["authorizations"] = json!([]);
    let req = |prov: &str| {
        request(
            json!("t"),
            vec![p.clone()],
            vec![
                provider("ot1", "masters", "occupational_therapy"),
                provider("bh1", "masters", "behavioral_health"),
            ],
            vec![with(
                &session("e1", "p1", prov, "09:00", "09:30"),
                json!({"service": "self_care_training"}),
            )],
        )
    };
    let ot = evaluate(&e, &req("ot1")).unwrap();
    assert_eq!(ot["lines"][0]["code"], "97530");
    assert_eq!(ot["lines"][0]["modifiers"], json!(["GO"]));
    // A behavioural-health provider: both therapy codes are turned down, skills training
    // bills instead.
    let bh = evaluate(&e, &req("bh1")).unwrap();
    assert_eq!(bh["lines"][0]["code"], "H2014");
    let turned: Vec<&Value> = bh["decisions"][0]["alternatives"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["why"]["kind"] == "not_therapy")
        .collect();
    assert_eq!(turned.len(), 2, "{turned:?}");
}

#[test]
fn a_new_code_needs_its_definition_and_errors_name_the_field() {
    for (missing, def) in [
        (
            "descriptor",
            json!({"unit": {"minutes": 15}, "service": "supported_employment"}),
        ),
        (
            "unit",
            json!({"descriptor": "d", "service": "supported_employment"}),
        ),
        ("service", json!({"descriptor": "d", "unit": "per_diem"})),
    ] {
        let err = load_error(json!([{"id": "x", "extends": "medicaid",
                                     "codes": {"T2019": def}}]));
        assert_eq!(err.kind(), PolicyErrorKind::MissingField, "{missing}");
        assert_eq!(err.path(), format!("[0].codes.T2019.{missing}"));
    }
    // Malformed codes are refused wherever they appear, never echoed.
    for (field, value) in [
        (
            "codes",
            json!({"X2019": {"descriptor": "d", "unit": "per_diem",
                                   "service": "supported_employment"}}),
        ),
        ("covered_codes", json!(["H2014", "H20149"])),
        ("code_preference", json!(["2019"])),
        ("max_units_per_day", json!({"HX014": 4})),
    ] {
        let err = load_error(json!([{"id": "x", "extends": "medicaid", field: value}]));
        assert!(err.path().starts_with(&format!("[0].{field}")), "{err}");
        let text = err.to_string();
        for bad in ["X2019", "H20149", "\"2019", "HX014"] {
            assert!(!text.contains(bad), "{text}");
        }
    }
}

#[test]
fn codes_the_code_set_does_not_define_are_refused_where_the_policy_uses_them() {
    for (field, value, path) in [
        (
            "covered_codes",
            json!(["H2014", "T2019"]),
            "[0].covered_codes[1]",
        ),
        (
            "code_preference",
            json!(["T2019"]),
            "[0].code_preference[0]",
        ),
        ("units", json!({"T2019": {"rule": "whole"}}), "[0].units"),
        (
            "max_units_per_day",
            json!({"T2019": 4}),
            "[0].max_units_per_day",
        ),
    ] {
        let err = load_error(json!([{"id": "x", "extends": "medicaid", field: value}]));
        assert_eq!(err.kind(), PolicyErrorKind::InvalidValue, "{field}");
        assert_eq!(err.path(), path, "{field}");
        assert!(err.message().contains("does not define"), "{err}");
    }
}

#[test]
fn a_code_set_holds_at_most_its_limit() {
    let mut codes = serde_json::Map::new();
    for n in 0..h2024::MAX_CODES {
        codes.insert(
            format!("T{:04}", 3000 + n),
            json!({"descriptor": "d", "unit": "per_diem", "service": "supported_employment"}),
        );
    }
    let err = load_error(json!([{"id": "x", "extends": "medicaid", "codes": codes}]));
    assert_eq!(err.path(), "[0].codes");
    assert!(err.message().contains(&h2024::MAX_CODES.to_string()));
}

#[test]
fn a_pinned_or_billed_code_outside_the_code_set_is_not_covered() {
    let e = Engine::default();
    let pinned = with(
        &session("e1", "p1", "pr1", "09:00", "09:30"),
        json!({"code": "T2019"}),
    );
    let out = run(&e, "medicaid", vec![pinned]);
    assert_eq!(out["decisions"][0]["code"], Value::Null);
    assert_eq!(out["findings"][0]["rule"], "code_not_covered");
    assert_eq!(out["findings"][0]["data"]["code"], "T2019");

    let billed = with(
        &session("e1", "p1", "pr1", "09:00", "09:30"),
        json!({"billed": {"code": "T2019", "units": 2}}),
    );
    let out = run(&e, "medicaid", vec![billed]);
    assert_eq!(out["lines"][0]["code"], "H2014");
    let rules: Vec<&str> = out["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"billed_code_mismatch"), "{rules:?}");
}

#[test]
fn a_malformed_code_in_a_request_is_refused_by_path_without_echo() {
    let e = Engine::default();
    let enc = with(
        &session("e1", "p1", "pr1", "09:00", "09:30"),
        json!({"code": "Z9999"}),
    );
    let out = run(&e, "medicaid", vec![enc]);
    let finding = &out["findings"][0];
    assert_eq!(finding["rule"], "invalid_encounter");
    assert!(!out.to_string().contains("Z9999"));
}

/// The codes the first decision turned down, in order.
fn alternative_codes(out: &Value) -> Vec<&str> {
    out["decisions"][0]["alternatives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect()
}
