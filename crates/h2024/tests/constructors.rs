//! Requests and policies built in Rust equal the same ones read from JSON (README, "Rust
//! API").

use chrono::{DateTime, NaiveDate};
use h2024::policy::{RuleName, UnitSpec, UnitsKey};
use h2024::request::{Authorization, Billed, Documentation, Goal, TreatmentPlan};
use h2024::{
    Code, Credential, Discipline, Encounter, Engine, Modality, OtherTimedService, Patient,
    PolicySpec, Provider, Request, Service, Setting,
};
use serde_json::json;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn a_built_request_equals_the_same_request_in_json() {
    let time = |t: &str| DateTime::parse_from_rfc3339(t).unwrap();
    let built = Request::new()
        .with_policy("commercial")
        .with_patient(
            Patient::new("p1")
                .with_birth_date(date(2020, 1, 1))
                .with_treatment_plan(
                    TreatmentPlan::new()
                        .with_goal(
                            Goal::new("g1")
                                .with_skill("budgeting")
                                .with_deficit("bills"),
                        )
                        .with_last_progress_report(date(2026, 2, 15)),
                )
                .with_authorization(
                    Authorization::new(
                        "A-1",
                        vec![Code::H2014],
                        date(2026, 1, 1),
                        date(2026, 6, 30),
                        40,
                    )
                    .with_units_used(12),
                ),
        )
        .with_provider(Provider::new(
            "pr1",
            Credential::Masters,
            Discipline::BehavioralHealth,
        ))
        .with_provider(
            Provider::new(
                "ota",
                Credential::Associate,
                Discipline::OccupationalTherapy,
            )
            .with_assistant(true),
        )
        .with_encounter(
            Encounter::new("e1", "p1", "pr1", Service::SkillsTraining, Setting::Home)
                .with_times(
                    time("2026-03-02T09:00:00-05:00"),
                    time("2026-03-02T09:45:00-05:00"),
                )
                .with_modality(Modality::AudioVideo)
                .with_follow_up(true)
                .with_early_intervention(true)
                .with_group_size(2)
                .with_code(Code::H2014)
                .with_other_timed_service(OtherTimedService::new("97110", 23))
                .with_documentation(
                    Documentation::new()
                        .with_skill_taught("budgeting")
                        .with_participation("active")
                        .with_progress("paid a bill")
                        .with_technique("modeling")
                        .with_objective("g1")
                        .with_challenges("none")
                        .with_adjustments("none"),
                )
                .with_educational(false)
                .with_billed(
                    Billed::new("H2014", 3.0)
                        .with_modifier("HQ")
                        .with_place_of_service("02"),
                ),
        )
        .with_encounter(
            Encounter::new(
                "e2",
                "p1",
                "ota",
                Service::SelfCareTraining,
                Setting::Clinic,
            )
            .with_minutes(date(2026, 3, 3), 38),
        );
    let text = json!({
        "policy": "commercial",
        "patients": [{"id": "p1", "birth_date": "2020-01-01",
                      "treatment_plan": {"goals": [{"id": "g1", "skills": ["budgeting"], "deficit": "bills"}],
                                         "last_progress_report": "2026-02-15"},
                      "authorizations": [{"number": "A-1", "codes": ["H2014"], "start": "2026-01-01",
                                          "end": "2026-06-30", "units_authorized": 40, "units_used": 12}]}],
        "providers": [{"id": "pr1", "credential": "masters", "discipline": "behavioral_health"},
                      {"id": "ota", "credential": "associate", "discipline": "occupational_therapy",
                       "assistant": true}],
        "encounters": [
            {"id": "e1", "patient": "p1", "provider": "pr1", "service": "skills_training",
             "setting": "home", "start": "2026-03-02T09:00:00-05:00", "end": "2026-03-02T09:45:00-05:00",
             "modality": "audio_video", "follow_up": true, "early_intervention": true, "group_size": 2,
             "code": "H2014", "other_timed_services": [{"code": "97110", "minutes": 23}],
             "documentation": {"skills_taught": ["budgeting"], "participation": "active",
                               "progress": "paid a bill", "techniques": ["modeling"], "objectives": ["g1"],
                               "challenges": "none", "adjustments": "none"},
             "educational": false,
             "billed": {"code": "H2014", "modifiers": ["HQ"], "units": 3.0, "place_of_service": "02"}},
            {"id": "e2", "patient": "p1", "provider": "ota", "service": "self_care_training",
             "setting": "clinic", "date": "2026-03-03", "minutes": 38}
        ]
    })
    .to_string();
    let read = Request::from_json(&text).unwrap();
    assert_eq!(built, read);
    assert_eq!(Request::new(), Request::from_json("{}").unwrap());
    assert_eq!(
        Request::new().with_explain(false),
        Request::from_json(r#"{"explain": false}"#).unwrap()
    );
    let engine = Engine::default();
    assert_eq!(
        engine.evaluate(&built),
        engine.evaluate_json_to_response(&text).unwrap()
    );
}

#[test]
fn policies_built_in_rust_equal_policies_read_from_json() {
    let mut spec = PolicySpec::extending("ny-style", "medicaid");
    spec.covered_codes = Some(vec![Code::H2014, Code::H2017]);
    let mut whole = UnitSpec::default();
    whole.rule = Some(RuleName::Whole);
    spec.units = Some([(UnitsKey::Code(Code::H2014), Some(whole))].into());
    spec.max_units_per_day = Some([(Code::H2014, Some(16))].into());
    let built = Engine::from_policies(vec![spec]).unwrap();
    let read = Engine::from_policies_json(
        r#"[{"id": "ny-style", "extends": "medicaid", "covered_codes": ["H2014", "H2017"],
             "units": {"H2014": {"rule": "whole"}}, "max_units_per_day": {"H2014": 16}}]"#,
    )
    .unwrap();
    assert_eq!(built.policy("ny-style"), read.policy("ny-style"));
    // The same checks, with the same paths.
    let mut bad = PolicySpec::extending("x", "medicaid");
    bad.max_units_per_day = Some([(Code::H2014, Some(0))].into());
    let err =
        Engine::from_policies(vec![PolicySpec::extending("ok", "medicaid"), bad]).unwrap_err();
    assert_eq!(err.path(), "[1].max_units_per_day.H2014");
    let err = Engine::from_policies(vec![PolicySpec::extending("y", "nope")]).unwrap_err();
    assert_eq!(err.path(), "[0].extends");
}
