//! End-to-end behaviour of the engine through its JSON and typed interfaces.

use h2024::findings::Data;
use h2024::{Code, Engine, Request, RequestErrorKind, Response, Rule, Severity};
use serde_json::{Value, json};

fn provider(id: &str, credential: &str, discipline: &str) -> Value {
    json!({"id": id, "credential": credential, "discipline": discipline})
}

/// A fully documented session: findings come only from what a test changes.
fn enc(id: &str, start: &str, end: &str) -> Value {
    json!({"id": id, "patient": "p1", "provider": "pr1", "service": "skills_training",
           "setting": "home",
           "start": format!("2026-03-02T{start}:00-05:00"),
           "end": format!("2026-03-02T{end}:00-05:00"),
           "documentation": documentation()})
}

fn documentation() -> Value {
    json!({"skills_taught": ["budgeting"], "participation": "active",
           "progress": "completed the worksheet alone", "techniques": ["modeling", "role_play"],
           "objectives": ["g1"]})
}

fn plan() -> Value {
    json!({"goals": [{"id": "g1", "skills": ["budgeting", "meal_preparation"],
                      "deficit": "cannot manage monthly bills"}],
           "last_progress_report": "2026-02-15"})
}

fn authorization() -> Value {
    json!([{"number": "A-1", "codes": ["H2024", "H2014", "H2017", "H2023", "97535"],
            "start": "2026-01-01", "end": "2026-12-31", "units_authorized": 1000, "units_used": 0}])
}

fn request(policy: Value, encounters: Vec<Value>) -> Value {
    json!({
        "policy": policy,
        "patients": [
            {"id": "p1", "birth_date": "2024-05-01", "treatment_plan": plan(), "authorizations": authorization()},
            {"id": "p2", "treatment_plan": plan(), "authorizations": authorization()},
        ],
        "providers": [
            provider("pr1", "masters", "behavioral_health"),
            provider("pr2", "bachelors", "behavioral_health"),
            provider("ot1", "masters", "occupational_therapy"),
            provider("pt1", "doctoral", "physical_therapy"),
            {"id": "ota", "credential": "associate", "discipline": "occupational_therapy", "assistant": true},
        ],
        "encounters": encounters,
    })
}

fn run(engine: &Engine, req: &Value) -> Response {
    let text = engine.evaluate_json(&req.to_string()).expect("evaluated");
    let typed: Response = serde_json::from_str(&text).expect("response parses back");
    // The typed API gives the same answer as the JSON one.
    let request: Request = serde_json::from_value(req.clone()).expect("typed request");
    assert_eq!(engine.evaluate(&request), typed);
    typed
}

fn eval(req: &Value) -> Response {
    run(&Engine::default(), req)
}

fn rules_of(r: &Response, encounter: &str) -> Vec<Rule> {
    r.findings
        .iter()
        .filter(|f| f.encounter.as_deref() == Some(encounter))
        .map(|f| f.rule)
        .collect()
}

fn mods(r: &Response, line: usize) -> Vec<&'static str> {
    r.lines[line].modifiers.iter().map(|m| m.as_str()).collect()
}

#[test]
fn issue_examples_choose_between_h2024_and_h2014() {
    for (minutes, code, units) in [
        (45, Code::H2014, 3),
        (60, Code::H2024, 1),
        (75, Code::H2014, 5),
        (20, Code::H2014, 1),
        (120, Code::H2024, 2),
    ] {
        let start = 8 * 60;
        let end = start + minutes;
        let r = eval(&request(
            json!("medicaid"),
            vec![enc(
                "e1",
                &format!("{:02}:{:02}", start / 60, start % 60),
                &format!("{:02}:{:02}", end / 60, end % 60),
            )],
        ));
        assert_eq!(r.lines.len(), 1, "{minutes} minutes");
        assert_eq!(r.lines[0].code, code, "{minutes} minutes");
        assert_eq!(r.lines[0].units, units, "{minutes} minutes");
        assert_eq!(r.decisions[0].code, Some(code));
        assert!(r.decisions[0].alternatives.iter().any(|a| a.code != code));
        assert_eq!(
            r.decisions[0].alternatives.len(),
            4,
            "every other code explained"
        );
    }
}

#[test]
fn day_aggregation_sums_same_line_minutes_before_rounding() {
    // Two 20-minute sessions the same day: 40 minutes -> H2014 x 3 under day aggregation
    // (each alone would be 1 unit).
    let r = eval(&request(
        json!("medicaid"),
        vec![enc("a", "09:00", "09:20"), enc("b", "14:00", "14:20")],
    ));
    assert_eq!(r.lines.len(), 1);
    assert_eq!(r.lines[0].units, 3);
    assert_eq!(r.lines[0].minutes, 40);
    assert_eq!(r.lines[0].encounters, ["a", "b"]);
    assert_eq!(r.decisions[0].line, Some(0));
    assert_eq!(r.decisions[1].line, Some(0));

    // Commercial rounds each session: 20 -> 1, 20 -> 1 = 2.
    let r = eval(&request(
        json!("commercial"),
        vec![enc("a", "09:00", "09:20"), enc("b", "14:00", "14:20")],
    ));
    assert_eq!(r.lines.len(), 1);
    assert_eq!(r.lines[0].units, 2);
}

#[test]
fn day_aggregation_choice_uses_the_line_total() {
    // 30 + 30 minutes: together 60 -> H2024 x 1 (tie with H2014 x 4, preference H2024).
    let r = eval(&request(
        json!("medicaid"),
        vec![enc("a", "09:00", "09:30"), enc("b", "13:00", "13:30")],
    ));
    assert_eq!(r.lines.len(), 1);
    assert_eq!(r.lines[0].code, Code::H2024);
    assert_eq!(r.lines[0].units, 1);
}

#[test]
fn group_and_individual_time_are_never_merged() {
    let mut group = enc("g", "13:00", "13:30");
    group["group_size"] = json!(4);
    let r = eval(&request(
        json!("medicaid"),
        vec![enc("i", "09:00", "09:30"), group],
    ));
    assert_eq!(r.lines.len(), 2);
    let with_hq: Vec<_> = r
        .lines
        .iter()
        .filter(|l| l.modifiers.iter().any(|m| m.as_str() == "HQ"))
        .collect();
    assert_eq!(with_hq.len(), 1);
    assert_eq!(with_hq[0].encounters, ["g"]);
    assert!(r.lines.iter().all(|l| l.units == 2));
}

#[test]
fn modifiers_follow_credential_and_default_order() {
    let mut e = enc("e1", "09:00", "09:45");
    e["follow_up"] = json!(true);
    e["early_intervention"] = json!(true);
    e["modality"] = json!("audio_video");
    e["setting"] = json!("community");
    let engine = Engine::from_policies_json(
        r#"[{"id": "st", "extends": "medicaid", "setting_modifiers": {"community": "U1"}}]"#,
    )
    .unwrap();
    let r = run(&engine, &request(json!("st"), vec![e.clone()]));
    // U1, HO, TL, TS, GT: five required, four fit. The informational TS is left off first
    // (default priority), so the telehealth GT stays; the line keeps the default order.
    assert_eq!(mods(&r, 0), ["U1", "HO", "TL", "GT"]);
    assert_eq!(rules_of(&r, "e1"), [Rule::TooManyModifiers]);
    assert!(r.findings[0].message().contains("TS"));
    assert_eq!(r.lines[0].place_of_service.as_str(), "02");

    // A payer order puts the listed modifiers first.
    let engine = Engine::from_policies_json(
        r#"[{"id": "ord", "extends": "medicaid", "modifier_order": ["TS", "HO"]}]"#,
    )
    .unwrap();
    let mut e2 = enc("e1", "09:00", "09:45");
    e2["follow_up"] = json!(true);
    e2["group_size"] = json!(3);
    let r = run(&engine, &request(json!("ord"), vec![e2]));
    assert_eq!(mods(&r, 0), ["TS", "HO", "HQ"]);
}

#[test]
fn provider_levels() {
    for (credential, modifier) in [
        ("doctoral", "HP"),
        ("masters", "HO"),
        ("bachelors", "HN"),
        ("associate", "HM"),
        ("paraprofessional", "HM"),
    ] {
        let mut req = request(json!("medicaid"), vec![enc("e1", "09:00", "09:45")]);
        req["providers"] = json!([provider("pr1", credential, "behavioral_health")]);
        let r = eval(&req);
        assert_eq!(mods(&r, 0), [modifier], "{credential}");
    }
    // The commercial policy uses no provider-level modifier.
    let r = eval(&request(
        json!("commercial"),
        vec![enc("e1", "09:00", "09:45")],
    ));
    assert!(r.lines[0].modifiers.is_empty());
}

#[test]
fn therapy_modifiers_on_97535() {
    let mut ot = enc("ot", "09:00", "09:30");
    ot["provider"] = json!("ot1");
    ot["service"] = json!("self_care_training");
    let mut pt = enc("pt", "10:00", "10:30");
    pt["provider"] = json!("pt1");
    pt["service"] = json!("self_care_training");
    pt["patient"] = json!("p2");
    let mut ota = enc("ota", "11:00", "11:30");
    ota["provider"] = json!("ota");
    ota["service"] = json!("self_care_training");
    for policy in ["medicaid", "commercial", "medicare"] {
        let r = eval(&request(
            json!(policy),
            vec![ot.clone(), pt.clone(), ota.clone()],
        ));
        let by_enc = |id: &str| {
            let line = r
                .decisions
                .iter()
                .find(|d| d.encounter == id)
                .unwrap()
                .line
                .unwrap();
            assert_eq!(r.lines[line].code, Code::Cpt97535);
            r.lines[line]
                .modifiers
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(by_enc("ot"), ["GO"], "{policy}");
        assert_eq!(by_enc("pt"), ["GP"], "{policy}");
        assert_eq!(by_enc("ota"), ["GO", "CO"], "{policy}");
    }
}

#[test]
fn self_care_by_a_behavioural_provider_is_skills_training() {
    let mut e = enc("e1", "09:00", "09:45");
    e["service"] = json!("self_care_training");
    let r = eval(&request(json!("medicaid"), vec![e]));
    assert_eq!(r.lines[0].code, Code::H2014);
    let alt = r.decisions[0]
        .alternatives
        .iter()
        .find(|a| a.code == Code::Cpt97535)
        .unwrap();
    assert!(alt.reason().contains("occupational or physical"));
}

#[test]
fn telehealth_places_and_modifiers() {
    let mut home = enc("h", "09:00", "09:45");
    home["modality"] = json!("audio_video");
    let mut clinic = enc("c", "11:00", "11:45");
    clinic["modality"] = json!("audio_video");
    clinic["setting"] = json!("clinic");
    clinic["patient"] = json!("p2");
    let r = eval(&request(
        json!("medicaid"),
        vec![home.clone(), clinic.clone()],
    ));
    assert_eq!(r.lines[0].place_of_service.as_str(), "10");
    assert_eq!(mods(&r, 0), ["HO", "GT"]);
    assert_eq!(r.lines[1].place_of_service.as_str(), "02");
    let r = eval(&request(json!("commercial"), vec![home, clinic]));
    assert_eq!(mods(&r, 0), ["95"]);
}

#[test]
fn audio_only_depends_on_the_policy() {
    let mut e = enc("e1", "09:00", "09:45");
    e["modality"] = json!("audio_only");
    let r = eval(&request(json!("medicaid"), vec![e.clone()]));
    assert!(r.lines.is_empty());
    assert_eq!(r.decisions[0].code, None);
    assert_eq!(rules_of(&r, "e1"), [Rule::ModalityNotCovered]);
    let f = &r.findings[0];
    assert_eq!(
        (f.severity, f.carc.as_deref()),
        (Severity::Error, Some("58"))
    );

    let r = eval(&request(json!("commercial"), vec![e]));
    assert_eq!(mods(&r, 0), ["93"]);
    assert_eq!(r.lines[0].place_of_service.as_str(), "10");
}

#[test]
fn out_of_scope_services_get_no_code() {
    let mut e = enc("e1", "09:00", "09:45");
    e["service"] = json!("psychotherapy");
    let mut c = enc("e2", "11:00", "11:45");
    c["service"] = json!("case_management");
    let r = eval(&request(json!("medicaid"), vec![e, c]));
    assert!(r.lines.is_empty());
    assert_eq!(r.decisions.len(), 2);
    for (d, family) in r.decisions.iter().zip(["90832", "T1016"]) {
        assert_eq!(d.code, None);
        let f = r
            .findings
            .iter()
            .find(|f| f.encounter.as_deref() == Some(&d.encounter))
            .unwrap();
        assert_eq!(f.rule, Rule::ServiceOutOfScope);
        assert_eq!((f.severity, f.carc.as_deref()), (Severity::Info, None));
        assert!(f.message().contains(family), "{}", f.message());
    }
}

#[test]
fn uncovered_services_get_code_not_covered() {
    let mut e = enc("e1", "09:00", "09:45");
    e["service"] = json!("psychosocial_rehabilitation");
    let r = eval(&request(json!("commercial"), vec![e.clone()]));
    assert_eq!(r.decisions[0].code, None);
    assert_eq!(rules_of(&r, "e1"), [Rule::CodeNotCovered]);
    assert_eq!(r.findings[0].carc.as_deref(), Some("96"));
    let r = eval(&request(json!("medicaid"), vec![e]));
    assert_eq!(r.lines[0].code, Code::H2017);
}

#[test]
fn pinned_codes() {
    let mut e = enc("e1", "09:00", "10:00");
    e["code"] = json!("H2014");
    let r = eval(&request(json!("medicaid"), vec![e.clone()]));
    assert_eq!(r.lines[0].code, Code::H2014);
    assert_eq!(r.lines[0].units, 4);
    assert!(r.decisions[0].rationale()[0].contains("pinned"));

    e["code"] = json!("97535");
    let r = eval(&request(json!("medicaid"), vec![e.clone()]));
    assert_eq!(rules_of(&r, "e1"), [Rule::ProviderNotEligible]);
    assert_eq!(r.findings[0].carc.as_deref(), Some("185"));

    e["code"] = json!("H2017");
    let r = eval(&request(json!("commercial"), vec![e]));
    assert_eq!(rules_of(&r, "e1"), [Rule::CodeNotCovered]);
}

#[test]
fn medicare_cms_8_minute_worked_examples() {
    // 33 minutes of 97535 + 7 minutes of 97140: total 40 -> 3 units; 97535 gets its 2 full
    // blocks, the third unit goes to 97140 (7 leftover minutes beat 3).
    let mut e = enc("e1", "09:00", "09:33");
    e["provider"] = json!("pt1");
    e["service"] = json!("self_care_training");
    e["other_timed_services"] = json!([{"code": "97140", "minutes": 7}]);
    let r = eval(&request(json!("medicare"), vec![e.clone()]));
    assert_eq!(r.lines[0].units, 2);
    assert!(
        r.decisions[0]
            .rationale()
            .iter()
            .any(|s| s.contains("total 40"))
    );

    // 24 minutes of 97535 + 23 of 97110 -> 2 x 97535 + 1 x 97110.
    e["end"] = json!("2026-03-02T09:24:00-05:00");
    e["other_timed_services"] = json!([{"code": "97110", "minutes": 23}]);
    let r = eval(&request(json!("medicare"), vec![e.clone()]));
    assert_eq!(r.lines[0].units, 2);

    // Reversed: 23 minutes of 97535 + 24 of 97110 -> 97535 gets 1.
    e["end"] = json!("2026-03-02T09:23:00-05:00");
    e["other_timed_services"] = json!([{"code": "97110", "minutes": 24}]);
    let r = eval(&request(json!("medicare"), vec![e.clone()]));
    assert_eq!(r.lines[0].units, 1);

    // 7 minutes alone are not billed.
    e["end"] = json!("2026-03-02T09:07:00-05:00");
    e["other_timed_services"] = json!([]);
    let r = eval(&request(json!("medicare"), vec![e]));
    assert!(r.lines.is_empty());
    assert_eq!(rules_of(&r, "e1"), [Rule::BelowMinimumTime]);
}

#[test]
fn medicare_accepts_total_minutes_medicaid_flags_them() {
    let e = json!({"id": "e1", "patient": "p1", "provider": "pt1",
                   "service": "self_care_training", "setting": "clinic",
                   "date": "2026-03-02", "minutes": 38, "documentation": documentation()});
    let r = eval(&request(json!("medicare"), vec![e.clone()]));
    assert_eq!(r.lines[0].units, 3);
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    let r = eval(&request(json!("medicaid"), vec![e]));
    assert_eq!(r.lines[0].units, 3, "the line stands; the finding warns");
    assert_eq!(rules_of(&r, "e1"), [Rule::MissingSessionTimes]);
    assert_eq!(r.findings[0].carc.as_deref(), Some("16"));
}

#[test]
fn no_time_at_all_is_missing_session_times() {
    let e = json!({"id": "e1", "patient": "p1", "provider": "pr1",
                   "service": "skills_training", "setting": "home"});
    let r = eval(&request(json!("medicaid"), vec![e]));
    assert!(r.lines.is_empty());
    assert_eq!(rules_of(&r, "e1"), [Rule::MissingSessionTimes]);
    assert_eq!(r.decisions[0].code, None);
}

#[test]
fn per_diem_under_the_national_code_set() {
    let engine = Engine::from_policies_json(
        r#"[{"id": "se", "extends": "medicaid", "code_set": "national",
             "covered_codes": ["H2023", "H2024"]}]"#,
    )
    .unwrap();
    let mut a = enc("a", "08:00", "10:00");
    a["service"] = json!("supported_employment");
    let mut b = enc("b", "13:00", "14:30");
    b["service"] = json!("supported_employment");
    // 120 + 90 minutes: the day meets the 120-minute minimum -> H2024 x 1 (per diem).
    let r = run(&engine, &request(json!("se"), vec![a.clone(), b.clone()]));
    assert_eq!(r.lines.len(), 1);
    assert_eq!(r.lines[0].code, Code::H2024);
    assert_eq!(r.lines[0].units, 1);
    assert_eq!(r.lines[0].minutes, 210);
    // 90 minutes alone: H2023 x 6.
    let r = run(&engine, &request(json!("se"), vec![b]));
    assert_eq!(r.lines[0].code, Code::H2023);
    assert_eq!(r.lines[0].units, 6);
    assert!(
        r.decisions[0]
            .alternatives
            .iter()
            .any(|x| x.code == Code::H2024 && x.reason().contains("per diem needs 120"))
    );
}

#[test]
fn daily_cap_cuts_units() {
    let engine = Engine::from_policies_json(
        r#"[{"id": "cap", "extends": "medicaid", "max_units_per_day": {"H2014": 4},
             "code_preference": ["H2014"]}]"#,
    )
    .unwrap();
    let r = run(
        &engine,
        &request(json!("cap"), vec![enc("e1", "09:00", "10:30")]),
    );
    assert_eq!(r.lines[0].code, Code::H2014);
    assert_eq!(r.lines[0].units, 4);
    assert_eq!(rules_of(&r, "e1"), [Rule::UnitsExceedDailyMaximum]);
    let f = &r.findings[0];
    assert_eq!(
        (f.severity, f.carc.as_deref(), f.line),
        (Severity::Warning, Some("151"), Some(0))
    );
    assert!(f.message().contains("6 computed"), "{}", f.message());
}

#[test]
fn dst_and_midnight() {
    // 01:30 EST to 03:15 EDT on 2026-03-08 is 45 real minutes.
    let e = json!({"id": "e1", "patient": "p1", "provider": "pr1", "service": "skills_training",
                   "setting": "home", "start": "2026-03-08T01:30:00-05:00",
                   "end": "2026-03-08T03:15:00-04:00"});
    let r = eval(&request(json!("medicaid"), vec![e]));
    assert_eq!(r.lines[0].minutes, 45);
    assert_eq!(r.lines[0].units, 3);
    let e = json!({"id": "e1", "patient": "p1", "provider": "pr1", "service": "skills_training",
                   "setting": "home", "start": "2026-03-02T23:30:00-05:00",
                   "end": "2026-03-03T00:30:00-05:00"});
    let r = eval(&request(json!("medicaid"), vec![e]));
    assert_eq!(r.lines[0].date_of_service.to_string(), "2026-03-02");
    assert_eq!(r.lines[0].code, Code::H2024);
}

#[test]
fn malformed_encounters_do_not_sink_the_batch() {
    let good = enc("good", "09:00", "09:45");
    let mut bad_time = enc("bad_time", "10:00", "10:45");
    bad_time["start"] = json!("Jane Doe 1961-04-03");
    let backwards = enc("backwards", "12:00", "11:00");
    let mut too_long = enc("too_long", "09:00", "09:45");
    too_long["end"] = json!("2026-03-04T09:00:00-05:00");
    let mut unknown_patient = enc("unknown_patient", "13:00", "13:30");
    unknown_patient["patient"] = json!("Jane Doe");
    let mut unknown_provider = enc("unknown_provider", "13:00", "13:30");
    unknown_provider["provider"] = json!("nobody");
    let dup = enc("good", "15:00", "15:30");
    let mut unknown_field = enc("unknown_field", "16:00", "16:30");
    unknown_field["diagnosis_notes"] = json!("Jane Doe has ...");
    let mut bad_service = enc("bad_service", "16:00", "16:30");
    bad_service["service"] = json!("Jane Doe therapy");
    let no_id = json!({"patient": "p1"});
    let encounters = vec![
        good,
        bad_time,
        backwards,
        too_long,
        unknown_patient,
        unknown_provider,
        dup,
        unknown_field,
        bad_service,
        no_id,
    ];
    let req = request(json!("medicaid"), encounters);
    let text = Engine::default().evaluate_json(&req.to_string()).unwrap();
    assert!(!text.contains("Jane"), "patient data echoed: {text}");
    let r: Response = serde_json::from_str(&text).unwrap();
    assert_eq!(r.decisions.len(), 10, "one decision per encounter");
    assert_eq!(r.lines.len(), 1);
    assert_eq!(r.lines[0].encounters, ["good"]);
    let expect = [
        ("bad_time", "`start`"),
        ("backwards", "`end`"),
        ("too_long", "`end`"),
        ("unknown_patient", "`patient`"),
        ("unknown_provider", "`provider`"),
        // The unknown field's name is input: the finding names the encounter instead.
        ("unknown_field", "unknown field"),
        ("bad_service", "`service`"),
        ("encounters[9]", "`id`"),
    ];
    for (id, field) in expect {
        let f = r
            .findings
            .iter()
            .find(|f| f.encounter.as_deref() == Some(id))
            .unwrap_or_else(|| panic!("no finding for {id}"));
        assert_eq!(f.rule, Rule::InvalidEncounter);
        assert_eq!(
            (f.severity, f.carc.as_deref()),
            (Severity::Error, Some("16"))
        );
        assert!(f.message().contains(field), "{id}: {}", f.message());
    }
    // The duplicate id: the second one is refused.
    assert_eq!(r.decisions[6].code, None);
    assert_eq!(r.decisions[0].code, Some(Code::H2014));
    assert!(
        r.findings
            .iter()
            .filter(|f| f.encounter.as_deref() == Some("good"))
            .count()
            == 1
    );
}

#[test]
fn refused_requests() {
    let engine = Engine::default();
    let cases: [(&str, RequestErrorKind, Option<&str>); 7] = [
        ("not json", RequestErrorKind::InvalidJson, None),
        ("3", RequestErrorKind::InvalidRequest, None),
        (
            r#"{"encounters": [], "extra": 1}"#,
            RequestErrorKind::InvalidRequest,
            None,
        ),
        (
            r#"{"policy": "Jane Doe plan"}"#,
            RequestErrorKind::UnknownPolicy,
            Some("policy"),
        ),
        (
            r#"{"policy": {"id": "x", "extends": "medicaid", "units": {"H2014": {"rule": "up"}}}}"#,
            RequestErrorKind::InvalidPolicy,
            Some("policy.units.H2014.rule"),
        ),
        (
            r#"{"patients": [{"id": "p1", "birth_date": "Jane Doe"}]}"#,
            RequestErrorKind::InvalidRequest,
            Some("patients[0].birth_date"),
        ),
        (
            r#"{"patients": [{"id": "p1"}, {"id": "p1"}]}"#,
            RequestErrorKind::InvalidRequest,
            Some("patients[1].id"),
        ),
    ];
    for (text, kind, path) in cases {
        let err = engine.evaluate_json(text).unwrap_err();
        assert_eq!(err.kind(), kind, "{text}: {err}");
        assert_eq!(err.path(), path, "{text}: {err}");
        assert!(!err.to_string().contains("Jane"), "{err}");
        let doc: Value = serde_json::from_str(&err.to_json()).unwrap();
        assert!(doc["error"]["message"].is_string());
    }
    assert_eq!(
        engine.evaluate_json("{} trailing").unwrap_err().kind(),
        RequestErrorKind::InvalidJson
    );
}

#[test]
fn typed_evaluate_reports_refusal_as_a_finding() {
    let request: Request = serde_json::from_value(json!({
        "policy": "nope",
        "encounters": [enc("e1", "09:00", "09:45")]
    }))
    .unwrap();
    let engine = Engine::default();
    assert_eq!(
        engine.try_evaluate(&request).unwrap_err().kind(),
        RequestErrorKind::UnknownPolicy
    );
    let r = engine.evaluate(&request);
    assert_eq!(r.decisions.len(), 1);
    assert_eq!(r.decisions[0].code, None);
    assert_eq!(r.findings[0].rule, Rule::RequestRefused);
}

#[test]
fn inline_policy() {
    let policy = json!({"id": "inline", "extends": "medicaid", "units": {"H2014": {"rule": "whole"}},
                        "code_preference": ["H2014"]});
    let r = eval(&request(policy, vec![enc("e1", "09:00", "09:44")]));
    assert_eq!(r.policy, "inline");
    assert_eq!(r.lines[0].code, Code::H2014);
    assert_eq!(r.lines[0].units, 2);
}

#[test]
fn lines_are_sorted_by_patient_date_code() {
    let mut a = enc("a", "09:00", "09:45");
    a["patient"] = json!("p2");
    let b = enc("b", "09:00", "10:00");
    let mut c = enc("c", "11:00", "11:45");
    c["service"] = json!("psychosocial_rehabilitation");
    let mut d = json!({"id": "d", "patient": "p1", "provider": "pr1", "service": "skills_training",
                       "setting": "home", "start": "2026-03-01T09:00:00-05:00",
                       "end": "2026-03-01T09:45:00-05:00"});
    d["provider"] = json!("pr2");
    let r = eval(&request(json!("medicaid"), vec![a, b, c, d]));
    let order: Vec<(&str, String, &str)> = r
        .lines
        .iter()
        .map(|l| {
            (
                l.patient.as_str(),
                l.date_of_service.to_string(),
                l.code.as_str(),
            )
        })
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
    assert_eq!(order.len(), 4);
    for d in &r.decisions {
        let line = &r.lines[d.line.unwrap()];
        assert!(line.encounters.contains(&d.encounter));
    }
}

#[test]
fn policies_json_errors() {
    for (json, path) in [
        ("{}", ""),
        (r#"[{"id": "medicaid", "extends": "medicaid"}]"#, "[0].id"),
        (
            r#"[{"id": "a", "extends": "medicaid"}, {"id": "b", "extends": "zzz"}]"#,
            "[1].extends",
        ),
        (
            // An unknown field's name is input text: the path names the object holding it.
            r#"[{"id": "a", "extends": "medicaid", "color": "red"}]"#,
            "[0]",
        ),
    ] {
        let err = Engine::from_policies_json(json).unwrap_err();
        assert_eq!(err.path(), path, "{json}: {err}");
    }
    // A later policy may extend an earlier one.
    let engine = Engine::from_policies_json(
        r#"[{"id": "a", "extends": "medicaid", "telehealth_modifier": "95"},
            {"id": "b", "extends": "a", "follow_up_modifier": null}]"#,
    )
    .unwrap();
    let b = engine.policy("b").unwrap();
    assert_eq!(b.telehealth_modifier().map(|m| m.as_str()), Some("95"));
    assert_eq!(b.follow_up_modifier(), None);
}

#[test]
fn minutes_already_on_a_line_count_toward_the_choice() {
    // A pinned 30-minute H2024 session and an unpinned 30-minute session the same day:
    // joining the H2024 line bills 60 minutes as 1 hour exactly, so the unpinned session
    // goes there too.
    let mut pinned = enc("pinned", "09:00", "09:30");
    pinned["code"] = json!("H2024");
    let free = enc("free", "13:00", "13:30");
    let r = eval(&request(
        json!("medicaid"),
        vec![pinned.clone(), free.clone()],
    ));
    assert_eq!(r.lines.len(), 1, "{:#?}", r.lines);
    assert_eq!(r.lines[0].code, Code::H2024);
    assert_eq!(r.lines[0].units, 1);
    assert_eq!(r.lines[0].encounters, ["pinned", "free"]);
    // Under per-session rounding only the session's own minutes count: 30 minutes -> H2014.
    let r = eval(&request(json!("commercial"), vec![pinned, free]));
    let free_line = r.decisions[1].line.unwrap();
    assert_eq!(r.lines[free_line].code, Code::H2014);
}

#[test]
fn cms_pools_per_code_across_lines() {
    // Two OTs each give 10 minutes of 97535 the same day, and 10 minutes of 97110 are
    // listed: per code, 97535 has 20 minutes and 97110 10, together 30 = 2 units; 97535
    // gets its full block, the leftover unit goes to 97110 (10 leftover minutes beat 5).
    // The patient's whole day is one pool here (`pool: patient`); the built-in medicare
    // pools by discipline (docs/rules.md, "CMS 8-minute rule"; tests/rounding.rs).
    let medicare = json!({"extends": "medicare", "units": {"default": {"pool": "patient"}}});
    let mut a = enc("a", "09:00", "09:10");
    a["provider"] = json!("ot1");
    a["service"] = json!("self_care_training");
    a["other_timed_services"] = json!([{"code": "97110", "minutes": 10}]);
    let mut b = a.clone();
    b["id"] = json!("b");
    b["provider"] = json!("pt1");
    b["start"] = json!("2026-03-02T10:00:00-05:00");
    b["end"] = json!("2026-03-02T10:10:00-05:00");
    let r = eval(&request(medicare.clone(), vec![a.clone(), b.clone()]));
    let units: u32 = r.lines.iter().map(|l| l.units).sum();
    assert_eq!(units, 1, "{:#?}", r.lines);
    // The encounter left without a unit is told why.
    let f = r
        .findings
        .iter()
        .find(|f| f.rule == Rule::BelowMinimumTime)
        .unwrap();
    assert!(f.message().contains("CMS 8-minute rule"), "{}", f.message());

    // 20 + 20 minutes (97535 and 97110): 3 units, 2 of one and 1 of the other, never 3.
    a["end"] = json!("2026-03-02T09:20:00-05:00");
    a["other_timed_services"] = json!([{"code": "97110", "minutes": 20}]);
    let r = eval(&request(medicare.clone(), vec![a.clone()]));
    assert_eq!(r.lines[0].units, 2);

    // The same other service listed on two encounters of the day counts once.
    b["other_timed_services"] = json!([{"code": "97110", "minutes": 20}]);
    b["patient"] = json!("p1");
    let r = eval(&request(medicare.clone(), vec![a.clone(), b]));
    assert!(
        r.decisions
            .iter()
            .all(|d| d.rationale().iter().any(|s| s.contains("total 50"))),
        "{:#?}",
        r.decisions
    );

    // 97535 listed as an other service is not counted (other_timed_service_ignored): the
    // engine bills it from encounters, so the line's 20 minutes stand alone.
    a["other_timed_services"] = json!([{"code": "97535", "minutes": 10}]);
    let r = eval(&request(medicare.clone(), vec![a]));
    assert_eq!(r.lines[0].units, 1, "20 minutes of 97535 alone = 1 unit");
}

/// A writer that takes `room` bytes, then fails with its own error.
struct Failing {
    room: usize,
    written: Vec<u8>,
}

impl std::io::Write for Failing {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.written.len() + buf.len() > self.room {
            return Err(std::io::Error::other("the disk is full"));
        }
        self.written.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn the_writers_own_error_comes_back_from_evaluate_json_to_writer() {
    let engine = Engine::default();
    // Big enough for the response not to fit the first 64 KiB piece.
    let encounters: Vec<_> = (0..200)
        .map(|i| {
            serde_json::json!({
                "id": format!("e{i}"), "patient": "p1", "provider": "pr1",
                "service": "skills_training", "setting": "clinic",
                "date": "2026-03-02", "minutes": 60
            })
        })
        .collect();
    let request = serde_json::json!({
        "patients": [{"id": "p1"}],
        "providers": [{"id": "pr1", "credential": "paraprofessional",
                       "discipline": "behavioral_health"}],
        "encounters": encounters,
    })
    .to_string();
    let whole = engine.evaluate_json(&request).unwrap();
    assert!(whole.len() > 1 << 16, "{} bytes", whole.len());

    let mut out = Failing {
        room: 1000,
        written: Vec::new(),
    };
    match engine.evaluate_json_to_writer(&request, &mut out) {
        Err(h2024::WriteError::Io(e)) => {
            assert_eq!(e.kind(), std::io::ErrorKind::Other);
            assert_eq!(e.to_string(), "the disk is full");
        }
        other => panic!("expected the writer's error, got {other:?}"),
    }
    assert!(
        out.written.is_empty(),
        "a 64 KiB piece does not fit 1000 bytes"
    );

    // With room for everything, the same bytes as evaluate_json.
    let mut out = Failing {
        room: usize::MAX,
        written: Vec::new(),
    };
    engine.evaluate_json_to_writer(&request, &mut out).unwrap();
    assert_eq!(out.written, whole.as_bytes());
}

/// Patients and providers are found by id whether their lists are short (searched in
/// order) or long (hashed): every encounter of a request with 1 to 20 patients and
/// providers is coded on its own patient's and provider's line, a reference to no one is
/// an invalid encounter, and a repeated id is refused at its first repetition.
#[test]
fn patients_and_providers_are_found_in_short_and_long_lists() {
    let engine = Engine::default();
    for n in 1..=20usize {
        let patients: Vec<Value> = (0..n)
            .map(|i| json!({"id": format!("p{i}"), "treatment_plan": plan()}))
            .collect();
        let providers: Vec<Value> = (0..n)
            .map(|i| provider(&format!("pr{i}"), "masters", "behavioral_health"))
            .collect();
        // Encounter i: patient i, provider n-1-i; the last names a patient nobody has.
        let mut encounters: Vec<Value> = (0..n)
            .map(|i| {
                let mut e = enc(&format!("e{i}"), "09:00", "10:00");
                e["patient"] = json!(format!("p{i}"));
                e["provider"] = json!(format!("pr{}", n - 1 - i));
                e
            })
            .collect();
        let mut stray = enc("stray", "09:00", "10:00");
        stray["patient"] = json!("nobody");
        encounters.push(stray);
        let request = json!({"patients": patients, "providers": providers,
                             "encounters": encounters});
        let response = engine
            .evaluate_json_to_response(&request.to_string())
            .unwrap();
        for i in 0..n {
            let decision = &response.decisions[i];
            let line = &response.lines[decision.line.expect("coded")];
            assert_eq!(line.patient, format!("p{i}"), "n={n}");
            assert_eq!(line.provider, format!("pr{}", n - 1 - i), "n={n}");
        }
        assert!(response.decisions[n].line.is_none(), "n={n}");
        assert!(
            response
                .findings
                .iter()
                .any(|f| f.rule == Rule::InvalidEncounter
                    && f.encounter.as_deref() == Some("stray")
                    && matches!(&f.data, Data::InvalidField { field, .. } if field == "patient")),
            "n={n}"
        );

        // A repeated id, at each place it can first repeat.
        for (first, again) in [(0, n), (n - 1, n), (n / 2, n)] {
            let mut patients = patients.clone();
            patients.push(json!({"id": format!("p{first}")}));
            patients.push(json!({"id": "p0"}));
            let mut providers = providers.clone();
            providers.push(provider(
                &format!("pr{first}"),
                "masters",
                "behavioral_health",
            ));
            for (list, what) in [("patients", "patients"), ("providers", "providers")] {
                let mut request = json!({"patients": patients[..n].to_vec(),
                                         "providers": providers[..n].to_vec()});
                request[list] = json!(if list == "patients" {
                    &patients
                } else {
                    &providers
                });
                let err = engine.evaluate_json(&request.to_string()).unwrap_err();
                assert_eq!(err.kind(), RequestErrorKind::InvalidRequest, "n={n}");
                assert_eq!(
                    err.path(),
                    Some(format!("{what}[{again}].id").as_str()),
                    "n={n} first={first}"
                );
            }
        }
    }
}
