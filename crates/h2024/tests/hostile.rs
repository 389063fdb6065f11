//! Hostile input: documents built to slip past the format, to make an error message repeat
//! what it was given, or to make the engine do far more work than the document's size.
//! README, "Errors" and "Your own policies".

use h2024::{Engine, PolicyErrorKind, RequestErrorKind, Response, Rule};
use serde_json::{Value, json};

fn patient() -> Value {
    json!({"id": "p1", "birth_date": "2020-01-01",
           "treatment_plan": {"goals": [{"id": "g1", "skills": ["budgeting"], "deficit": "x"}]},
           "authorizations": [{"number": "A-1", "codes": ["H2014"], "start": "2026-01-01",
                               "end": "2026-12-31", "units_authorized": 10}]})
}

fn provider() -> Value {
    json!({"id": "pr1", "credential": "masters", "discipline": "behavioral_health"})
}

fn encounter() -> Value {
    json!({"id": "e1", "patient": "p1", "provider": "pr1", "service": "skills_training",
           "setting": "home", "start": "2026-03-02T09:00:00-05:00",
           "end": "2026-03-02T09:45:00-05:00",
           "other_timed_services": [{"code": "97110", "minutes": 10}],
           "documentation": {"skills_taught": ["budgeting"], "objectives": ["g1"]},
           "billed": {"code": "H2014", "units": 3}})
}

fn request() -> Value {
    json!({"policy": "medicaid", "patients": [patient()], "providers": [provider()],
           "encounters": [encounter()]})
}

/// The object's values in field order: the positional form serde's derive also accepts.
fn positional(object: &Value) -> Value {
    Value::Array(object.as_object().unwrap().values().cloned().collect())
}

/// Replaces the object at `pointer` (a JSON pointer) with its positional form.
fn as_array_at(doc: &Value, pointer: &str) -> Value {
    let mut doc = doc.clone();
    let target = doc.pointer_mut(pointer).unwrap();
    *target = positional(target);
    doc
}

fn evaluate(doc: &Value) -> Result<Response, h2024::RequestError> {
    Engine::default().evaluate_json_to_response(&doc.to_string())
}

fn invalid_encounter(r: &Response) -> &h2024::Finding {
    r.findings
        .iter()
        .find(|f| f.rule == Rule::InvalidEncounter)
        .expect("an invalid_encounter finding")
}

#[test]
fn the_untouched_request_is_valid() {
    let r = evaluate(&request()).unwrap();
    assert!(r.findings.iter().all(|f| f.rule != Rule::InvalidEncounter));
    assert_eq!(r.lines.len(), 1);
}

#[test]
fn arrays_are_refused_where_an_object_is_expected_in_a_request() {
    let err = evaluate(&positional(&request())).unwrap_err();
    assert_eq!(err.kind(), RequestErrorKind::InvalidRequest);
    assert_eq!(err.path(), None);
    assert_eq!(err.message(), "must be an object");
    for (pointer, path) in [
        ("/patients/0", "patients[0]"),
        ("/patients/0/treatment_plan", "patients[0].treatment_plan"),
        (
            "/patients/0/treatment_plan/goals/0",
            "patients[0].treatment_plan.goals[0]",
        ),
        (
            "/patients/0/authorizations/0",
            "patients[0].authorizations[0]",
        ),
        ("/providers/0", "providers[0]"),
    ] {
        let err = evaluate(&as_array_at(&request(), pointer)).unwrap_err();
        assert_eq!(err.kind(), RequestErrorKind::InvalidRequest, "{pointer}");
        assert_eq!(err.path(), Some(path), "{pointer}");
        assert_eq!(err.message(), "must be an object", "{pointer}");
    }
}

#[test]
fn arrays_are_refused_where_an_object_is_expected_in_an_encounter() {
    for (pointer, field) in [
        ("/encounters/0", "(encounter)"),
        ("/encounters/0/documentation", "documentation"),
        ("/encounters/0/billed", "billed"),
        (
            "/encounters/0/other_timed_services/0",
            "other_timed_services[0]",
        ),
    ] {
        let r = evaluate(&as_array_at(&request(), pointer)).unwrap();
        let f = invalid_encounter(&r);
        assert!(
            f.message().contains(&format!("`{field}`"))
                && f.message().contains("must be an object"),
            "{pointer}: {}",
            f.message()
        );
        assert!(r.lines.is_empty(), "{pointer}");
    }
}

#[test]
fn arrays_are_refused_where_an_object_is_expected_in_a_policy() {
    let spec = json!({"id": "ny", "extends": "medicaid",
                      "codes": {"H2024": {"descriptor": "skills"}},
                      "units": {"default": {"rule": "midpoint", "aggregate": "day"}}});
    let doc = json!([spec]);
    assert!(Engine::from_policies_json(&doc.to_string()).is_ok());
    for (pointer, path) in [
        ("/0", "[0]"),
        ("/0/codes/H2024", "[0].codes.H2024"),
        ("/0/units/default", "[0].units.default"),
    ] {
        let err = Engine::from_policies_json(&as_array_at(&doc, pointer).to_string()).unwrap_err();
        assert_eq!(err.kind(), PolicyErrorKind::InvalidValue, "{pointer}");
        assert_eq!(err.path(), path, "{pointer}");
        assert_eq!(err.message(), "must be an object", "{pointer}");
    }
    // An inline policy too.
    let mut req = request();
    req["policy"] = spec.clone();
    assert!(evaluate(&req).is_ok());
    for (pointer, path) in [
        ("/policy", "policy"),
        ("/policy/units/default", "policy.units.default"),
    ] {
        let err = evaluate(&as_array_at(&req, pointer)).unwrap_err();
        assert_eq!(err.kind(), RequestErrorKind::InvalidPolicy, "{pointer}");
        assert_eq!(err.path(), Some(path), "{pointer}");
    }
}

/// serde's own messages quote values (`invalid type: string "…"`, `unknown variant
/// `…``); none reaches an error or a finding.
#[test]
fn serde_messages_never_reach_the_caller() {
    let secret = "Jane Doe 1961-02-03";
    let mut bad_enum = request();
    bad_enum["providers"][0]["credential"] = json!(secret);
    let mut bad_type = request();
    bad_type["patients"][0]["birth_date"] = json!(secret);
    let mut bad_field = request();
    bad_field["patients"][0][secret] = json!(1);
    let mut bad_code = request();
    bad_code["patients"][0]["authorizations"][0]["codes"][0] = json!(secret);
    for doc in [bad_enum, bad_type, bad_field, bad_code] {
        let err = evaluate(&doc).unwrap_err();
        let text = format!("{err} {}", err.to_json());
        assert!(!text.contains("Jane"), "{text}");
        assert!(!text.contains("invalid type"), "{text}");
        assert!(!text.contains("unknown variant"), "{text}");
        assert!(!text.contains("expected"), "{text}");
    }
    let mut enc = encounter();
    enc["setting"] = json!(secret);
    enc["modality"] = json!(secret);
    let mut req = request();
    req["encounters"] = json!([enc]);
    let r = evaluate(&req).unwrap();
    let f = invalid_encounter(&r);
    assert!(!f.message().contains("Jane"), "{}", f.message());
    assert!(f.message().contains("must be one of"), "{}", f.message());
}

/// The positional form in field order: serde's derive reads it as the object; the engine
/// refuses it.
#[test]
fn positional_forms_in_field_order_are_refused() {
    let enc = json!([
        "e1",
        "p1",
        "pr1",
        "skills_training",
        "2026-03-02T09:00:00-05:00",
        "2026-03-02T09:45:00-05:00",
        null,
        null,
        "home"
    ]);
    let parsed: h2024::Encounter = serde_json::from_value(enc.clone()).unwrap();
    assert_eq!(parsed.id, "e1");
    let patient = json!(["p1"]);
    assert!(serde_json::from_value::<h2024::Patient>(patient.clone()).is_ok());

    let mut req = request();
    req["encounters"] = json!([enc]);
    let r = evaluate(&req).unwrap();
    assert!(r.lines.is_empty());
    assert!(
        invalid_encounter(&r)
            .message()
            .contains("must be an object")
    );
    // A rejected positional encounter is not reported under its first element.
    assert_eq!(r.decisions[0].encounter, "encounters[0]");

    let mut req = request();
    req["patients"] = json!([patient]);
    let err = evaluate(&req).unwrap_err();
    assert_eq!(err.path(), Some("patients[0]"));
}

fn long_id() -> String {
    // Multi-byte characters: the limit counts characters, not bytes.
    "é".repeat(h2024::MAX_ID_CHARS + 1)
}

#[test]
fn ids_at_the_limit_are_accepted() {
    let id = "é".repeat(h2024::MAX_ID_CHARS);
    let mut req = request();
    req["patients"][0]["id"] = json!(id);
    req["encounters"][0]["patient"] = json!(id);
    req["encounters"][0]["id"] = json!(id);
    let r = evaluate(&req).unwrap();
    assert_eq!(r.lines.len(), 1);
    assert_eq!(r.decisions[0].encounter, id);
}

#[test]
fn long_ids_in_an_encounter_are_invalid_encounters() {
    for (field, pointer) in [
        ("id", "/encounters/0/id"),
        ("patient", "/encounters/0/patient"),
        ("provider", "/encounters/0/provider"),
        (
            "documentation.objectives[0]",
            "/encounters/0/documentation/objectives/0",
        ),
    ] {
        let mut req = request();
        *req.pointer_mut(pointer).unwrap() = json!(long_id());
        let text = Engine::default().evaluate_json(&req.to_string()).unwrap();
        assert!(!text.contains("éé"), "{field}: the id is echoed");
        let r: Response = serde_json::from_str(&text).unwrap();
        let f = invalid_encounter(&r);
        assert!(
            f.message().contains(&format!("`{field}`")) && f.message().contains("128"),
            "{field}: {}",
            f.message()
        );
        let shown = if field == "id" { "encounters[0]" } else { "e1" };
        assert_eq!(r.decisions[0].encounter, shown, "{field}");
        assert!(r.lines.is_empty());
        // The typed interface says the same.
        let typed: h2024::Request = serde_json::from_value(req).unwrap();
        assert_eq!(Engine::default().evaluate(&typed), r, "{field}");
    }
    // A long id on an encounter that is malformed anyway is not repeated either.
    let mut req = request();
    req["encounters"][0]["id"] = json!(long_id());
    req["encounters"][0]["setting"] = json!("nowhere");
    let r = evaluate(&req).unwrap();
    assert_eq!(r.decisions[0].encounter, "encounters[0]");
}

#[test]
fn long_ids_of_patients_and_providers_refuse_the_request() {
    for (pointer, path) in [
        ("/patients/0/id", "patients[0].id"),
        (
            "/patients/0/treatment_plan/goals/0/id",
            "patients[0].treatment_plan.goals[0].id",
        ),
        (
            "/patients/0/authorizations/0/number",
            "patients[0].authorizations[0].number",
        ),
        ("/providers/0/id", "providers[0].id"),
    ] {
        let mut req = request();
        *req.pointer_mut(pointer).unwrap() = json!(long_id());
        let err = evaluate(&req).unwrap_err();
        assert_eq!(err.kind(), RequestErrorKind::InvalidRequest, "{pointer}");
        assert_eq!(err.path(), Some(path), "{pointer}");
        assert!(err.message().contains("128"), "{pointer}: {err}");
        assert!(!err.to_json().contains("éé"));
        let typed: h2024::Request = serde_json::from_value(req).unwrap();
        let typed_err = Engine::default().try_evaluate(&typed).unwrap_err();
        assert_eq!(typed_err.path(), Some(path), "{pointer}");
    }
}

fn load_error(policies: &Value) -> h2024::PolicyError {
    Engine::from_policies_json(&policies.to_string()).unwrap_err()
}

#[test]
fn unknown_policy_keys_are_never_echoed() {
    let weird = format!("Jane Doe {} \u{202e}\"", "x".repeat(10_000));
    for key in [weird.as_str(), "jane_doe", "H99X9"] {
        for (field, value) in [
            ("units", json!({"rule": "whole"})),
            ("codes", json!({"descriptor": "d"})),
            ("max_units_per_day", json!(4)),
            ("setting_modifiers", json!("U1")),
        ] {
            let spec = json!([{"id": "x", "extends": "medicaid", field: {key: value}}]);
            let err = load_error(&spec);
            assert_eq!(err.kind(), PolicyErrorKind::InvalidValue, "{field}");
            assert_eq!(err.path(), format!("[0].{field}"), "{field}");
            let text = err.to_string();
            assert!(!text.contains("Jane") && !text.contains("jane"), "{text}");
            assert!(!text.contains("H99X9"), "{text}");
            assert!(text.contains("unknown key"), "{text}");
        }
    }
    let err = load_error(&json!([{"id": "x", "extends": "medicaid", "units": {"jane": {}}}]));
    assert!(
        err.message().contains("default, a procedure code"),
        "the keys are named: {err}"
    );
    // Unknown field names, at any depth.
    for spec in [
        json!([{"id": "x", "extends": "medicaid", "jane_doe": 1}]),
        json!([{"id": "x", "extends": "medicaid", "units": {"default": {"jane_doe": 1}}}]),
        json!([{"id": "x", "extends": "medicaid", "codes": {"H2014": {"jane_doe": 1}}}]),
    ] {
        let err = load_error(&spec);
        assert!(!err.to_string().contains("jane"), "{err}");
        assert!(err.message().starts_with("unknown field"), "{err}");
    }
}

#[test]
fn the_unknown_policy_error_lists_no_policy() {
    let many: Vec<Value> = (0..1000)
        .map(|i| json!({"id": format!("payer-{i}"), "extends": "medicaid"}))
        .collect();
    let engine = Engine::from_policies_json(&Value::Array(many).to_string()).unwrap();
    let mut req = request();
    req["policy"] = json!("Jane Doe's plan");
    let err = engine.evaluate_json(&req.to_string()).unwrap_err();
    assert_eq!(err.kind(), RequestErrorKind::UnknownPolicy);
    assert_eq!(err.path(), Some("policy"));
    assert!(err.to_json().len() < 200, "{}", err.to_json());
    assert!(!err.to_json().contains("payer-") && !err.to_json().contains("medicaid"));
    assert!(!err.to_json().contains("Jane"));
}

#[test]
fn inline_policy_ids_never_enter_a_message() {
    for id in [
        json!("Jane Doe"),
        json!("x".repeat(100_000)),
        json!(1),
        json!(["Jane"]),
    ] {
        let mut req = request();
        req["policy"] = json!({"id": id, "extends": "medicaid"});
        let err = evaluate(&req).unwrap_err();
        assert_eq!(err.kind(), RequestErrorKind::InvalidPolicy, "{id}");
        assert_eq!(err.path(), Some("policy.id"), "{id}");
        assert!(err.to_json().len() < 300, "{}", err.to_json());
        assert!(!err.to_json().contains("Jane"), "{}", err.to_json());
    }
}

#[test]
fn policy_text_never_enters_a_rationale_or_message() {
    // A descriptor and a description of an inline policy, with a pinned code whose
    // decision names the code: neither text may appear anywhere in the response but
    // nowhere is it quoted either (the policy's own id is the response's `policy`).
    let mut req = request();
    req["policy"] = json!({"id": "payer-x", "extends": "medicaid",
                           "description": "Jane Doe's plan",
                           "codes": {"H2014": {"descriptor": "Jane Doe skills"}}});
    req["encounters"][0]["code"] = json!("H2014");
    req["encounters"][0]["billed"] = json!({"code": "H2024", "units": 1});
    let text = Engine::default().evaluate_json(&req.to_string()).unwrap();
    assert!(!text.contains("Jane"), "{text}");
    let r: Response = serde_json::from_str(&text).unwrap();
    assert!(
        r.decisions[0]
            .rationale()
            .iter()
            .any(|s| s.contains("pinned"))
    );
    assert!(r.findings.iter().all(|f| !f.message().contains("payer-x")));
    assert!(
        r.decisions[0]
            .rationale()
            .iter()
            .all(|s| !s.contains("payer-x"))
    );
}

#[test]
fn an_inline_policy_without_an_id_is_called_inline() {
    let mut req = request();
    req["policy"] = json!({"extends": "commercial"});
    let r = evaluate(&req).unwrap();
    assert_eq!(r.policy, "inline");
    let typed = h2024::Request::from_json(&req.to_string()).unwrap();
    assert_eq!(Engine::default().evaluate(&typed).policy, "inline");
}

#[test]
fn an_inline_policy_may_not_pose_as_a_built_in_or_loaded_policy() {
    let engine =
        Engine::from_policies_json(r#"[{"id": "acme", "extends": "commercial"}]"#).unwrap();
    for id in ["medicaid", "commercial", "medicare", "acme"] {
        let mut req = request();
        req["policy"] = json!({"id": id, "extends": "medicaid", "telehealth_modifier": "95"});
        let err = engine.evaluate_json(&req.to_string()).unwrap_err();
        assert_eq!(err.kind(), RequestErrorKind::InvalidPolicy, "{id}");
        assert_eq!(err.path(), Some("policy.id"), "{id}");
        // The typed interface refuses it too, and its response does not carry that name.
        let typed = h2024::Request::from_json(&req.to_string()).unwrap();
        let r = engine.evaluate(&typed);
        assert_eq!(r.policy, "inline", "{id}");
        assert_eq!(r.findings[0].rule, Rule::RequestRefused);
    }
    // Another name is fine, and the response carries it.
    let mut req = request();
    req["policy"] = json!({"id": "my-medicaid", "extends": "medicaid"});
    assert_eq!(
        engine
            .evaluate_json_to_response(&req.to_string())
            .unwrap()
            .policy,
        "my-medicaid"
    );
}

#[test]
fn refused_responses_do_not_repeat_a_malformed_policy_name() {
    let req = h2024::Request::new().with_policy("Jane Doe's plan");
    let r = Engine::default().evaluate(&req);
    assert_eq!(r.policy, "");
    let req = h2024::Request::new().with_policy("unknown-payer");
    assert_eq!(Engine::default().evaluate(&req).policy, "unknown-payer");
}

#[test]
fn loaded_policies_need_an_id_other_than_inline() {
    let err = load_error(&json!([{"extends": "medicaid"}]));
    assert_eq!(
        (err.kind(), err.path()),
        (PolicyErrorKind::MissingField, "[0].id")
    );
    let err = load_error(&json!([{"id": "inline", "extends": "medicaid"}]));
    assert_eq!(
        (err.kind(), err.path()),
        (PolicyErrorKind::InvalidValue, "[0].id")
    );
}

#[test]
fn deep_nesting_is_refused_without_exhausting_the_stack() {
    let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_objects = format!("{}1{}", r#"{"a":"#.repeat(100_000), "}".repeat(100_000));
    for nested in [&deep, &deep_objects] {
        // In an encounter (read once strictly, then probed for its id), a patient, an
        // inline policy, and as the whole document.
        let enc = format!(r#"{{"id": "e1", "patient": "p1", "extra": {nested}}}"#);
        let text = format!(r#"{{"encounters": [{enc}]}}"#);
        match Engine::default().evaluate_json_to_response(&text) {
            Ok(r) => assert_eq!(r.findings[0].rule, Rule::InvalidEncounter),
            Err(err) => assert_eq!(err.kind(), RequestErrorKind::InvalidJson),
        }
        for text in [
            format!(r#"{{"patients": [{{"id": "p1", "x": {nested}}}]}}"#),
            format!(r#"{{"policy": {{"extends": "medicaid", "units": {nested}}}}}"#),
            nested.clone(),
        ] {
            assert!(Engine::default().evaluate_json(&text).is_err());
        }
        assert!(Engine::from_policies_json(nested).is_err());
    }
}
