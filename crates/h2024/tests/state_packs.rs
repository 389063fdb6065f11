//! The state packs (README, "State packs"): each reproduces the rule its source states.
//! They are starting points: each names its sources and what was not verified.

mod common;

use common::{documentation, evaluate, patient, provider, request};
use h2024::{Code, Engine, STATE_PACK_JSON};
use serde_json::{Value, json};

fn day_session(id: &str, date: &str, service: &str, start: &str, end: &str) -> Value {
    json!({"id": id, "patient": "p1", "provider": "pr1", "service": service,
           "start": format!("{date}T{start}:00-06:00"), "end": format!("{date}T{end}:00-06:00"),
           "setting": "home", "modality": "in_person", "documentation": documentation()})
}

fn run(policy: &str, encounters: Vec<Value>) -> Value {
    let mut p = patient("p1");
    p["authorizations"] = json!([]);
    evaluate(
        &Engine::with_state_packs(),
        &request(
            json!(policy),
            vec![p],
            vec![provider("pr1", "bachelors", "behavioral_health")],
            encounters,
        ),
    )
    .expect("evaluated")
}

fn rules(out: &Value) -> Vec<String> {
    out["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn every_pack_loads_names_its_sources_and_what_is_unverified() {
    let engine = Engine::with_state_packs();
    for (id, _) in STATE_PACK_JSON {
        let policy = engine.policy(id).unwrap_or_else(|| panic!("{id} loads"));
        assert_eq!(policy.id(), id);
        assert!(!policy.sources().is_empty(), "{id}");
        assert!(
            policy.sources().iter().all(|s| s.url.starts_with("http")),
            "{id}"
        );
        assert!(!policy.unverified().is_empty(), "{id}");
        assert!(!policy.description().is_empty(), "{id}");
    }
    // The default engine does not carry them.
    assert!(Engine::default().policy("tx-medicaid").is_none());
    // A caller's policy may extend a pack.
    let mine = Engine::with_state_packs()
        .load_policies_json(r#"[{"id": "tx-mco", "extends": "tx-medicaid"}]"#)
        .unwrap();
    assert_eq!(mine.units("tx-mco", Code::H2014, 44), Ok(2));
}

#[test]
fn texas_whole_units_and_a_sixteen_unit_day() {
    // TMPPM 15.046: 15 continuous minutes a unit, no partial unit.
    let out = run(
        "tx-medicaid",
        vec![day_session(
            "e1",
            "2026-03-02",
            "skills_training",
            "09:00",
            "09:44",
        )],
    );
    assert_eq!(out["lines"][0]["code"], "H2014");
    assert_eq!(out["lines"][0]["units"], 2);
    // H2014 at most 16 units (4 hours) a day: 5 hours are cut to 16.
    let out = run(
        "tx-medicaid",
        vec![day_session(
            "e1",
            "2026-03-02",
            "skills_training",
            "08:00",
            "13:00",
        )],
    );
    assert_eq!(out["lines"][0]["units"], 16);
    assert!(rules(&out).contains(&"units_exceed_daily_maximum".to_owned()));
}

#[test]
fn new_york_full_increments_and_group_time_apart() {
    let out = run(
        "ny-opwdd",
        vec![
            day_session("e1", "2026-03-02", "supported_employment", "09:00", "09:29"),
            day_session("e2", "2026-03-02", "supported_employment", "13:00", "13:16"),
            json!({"id": "g1", "patient": "p1", "provider": "pr1",
                   "service": "supported_employment", "group_size": 3,
                   "start": "2026-03-02T15:00:00-06:00", "end": "2026-03-02T15:20:00-06:00",
                   "setting": "community", "modality": "in_person",
                   "documentation": documentation()}),
        ],
    );
    let lines = out["lines"].as_array().unwrap();
    // Individual sessions of the day combined: 29 + 16 = 45 minutes = 3 full increments.
    assert_eq!(lines.len(), 2, "{lines:#?}");
    let individual = lines
        .iter()
        .find(|l| l["encounters"] == json!(["e1", "e2"]))
        .unwrap();
    assert_eq!(individual["units"], 3);
    // Group time on its own line: 20 minutes = 1 increment (no rounding up).
    let group = lines
        .iter()
        .find(|l| l["encounters"] == json!(["g1"]))
        .unwrap();
    assert_eq!(group["units"], 1);
    // Start and stop times are required.
    let out = run(
        "ny-opwdd",
        vec![json!({"id": "e1", "patient": "p1", "provider": "pr1",
                    "service": "supported_employment", "date": "2026-03-02", "minutes": 30,
                    "setting": "home", "modality": "in_person",
                    "documentation": documentation()})],
    );
    assert!(rules(&out).contains(&"missing_session_times".to_owned()));
}

#[test]
fn arizona_prior_authorization_from_its_date() {
    // 2 h 30 min of psychosocial rehabilitation: 10 units of H2017, above 8.
    let rehab = |id, date| day_session(id, date, "psychosocial_rehabilitation", "09:00", "11:30");
    let out = run(
        "az-complete-health",
        vec![rehab("before", "2024-10-14"), rehab("from", "2024-10-15")],
    );
    let on = |enc: &str| -> Vec<String> {
        out["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["encounter"] == enc)
            .map(|f| f["rule"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(!on("before").contains(&"prior_authorization_missing".to_owned()));
    assert!(on("from").contains(&"prior_authorization_missing".to_owned()));
    assert_eq!(out["lines"][1]["policy_version"], "2024-10-15");
    // 8 units a day or fewer: none needed.
    let out = run(
        "az-complete-health",
        vec![day_session(
            "e1",
            "2025-01-06",
            "psychosocial_rehabilitation",
            "09:00",
            "11:00",
        )],
    );
    assert!(!rules(&out).contains(&"prior_authorization_missing".to_owned()));
}

#[test]
fn michigan_fifteen_minute_codes_round_down_and_zero_is_not_reported() {
    let engine = Engine::with_state_packs();
    assert_eq!(engine.units("mi-pihp", Code::H2014, 14), Ok(0));
    assert_eq!(engine.units("mi-pihp", Code::H2014, 15), Ok(1));
    assert_eq!(engine.units("mi-pihp", Code::H2014, 29), Ok(1));
    assert_eq!(engine.units("mi-pihp", Code::H2014, 120), Ok(8));
    let out = run(
        "mi-pihp",
        vec![day_session(
            "e1",
            "2026-03-02",
            "skills_training",
            "09:00",
            "09:14",
        )],
    );
    assert!(out["lines"].as_array().unwrap().is_empty());
    assert!(rules(&out).contains(&"below_minimum_time".to_owned()));
}

#[test]
fn oklahoma_bills_supported_employment_as_t2019_with_clock_times() {
    let out = run(
        "ok-dds",
        vec![day_session(
            "e1",
            "2026-03-02",
            "supported_employment",
            "09:00",
            "09:45",
        )],
    );
    assert_eq!(out["lines"][0]["code"], "T2019");
    assert_eq!(out["lines"][0]["units"], 3);
    assert_eq!(out["lines"][0]["modifiers"], json!(["HN"]));
    let alternatives = alternative_codes(&out);
    assert!(alternatives.contains(&"H2023"), "{alternatives:?}");
    let out = run(
        "ok-dds",
        vec![json!({"id": "e1", "patient": "p1", "provider": "pr1",
                    "service": "supported_employment", "date": "2026-03-02", "minutes": 45,
                    "setting": "home", "modality": "in_person",
                    "documentation": documentation()})],
    );
    assert!(rules(&out).contains(&"missing_session_times".to_owned()));
}

#[test]
fn maine_section_17_codes_and_units() {
    let out = run(
        "me-mainecare",
        vec![
            day_session("e1", "2026-03-02", "community_support", "09:00", "09:45"),
            day_session(
                "e2",
                "2026-03-03",
                "psychosocial_rehabilitation",
                "09:00",
                "12:00",
            ),
            day_session(
                "e3",
                "2026-03-04",
                "ongoing_employment_support",
                "09:00",
                "09:30",
            ),
        ],
    );
    let lines = out["lines"].as_array().unwrap();
    assert_eq!(lines[0]["code"], "H2015");
    assert_eq!(lines[0]["units"], 3);
    // Three hours of psychosocial rehabilitation: the per-diem H2018, once.
    assert_eq!(lines[1]["code"], "H2018");
    assert_eq!(lines[1]["units"], 1);
    assert_eq!(lines[2]["code"], "H2025");
    assert_eq!(lines[2]["units"], 2);
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
