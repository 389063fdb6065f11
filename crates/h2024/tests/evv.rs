//! Electronic visit verification (issue 10, part 1): each EVV finding fired, and silent on a
//! clean claim; a documented day with matching verified visits raises nothing under each
//! built-in policy with EVV on; the visits a request may hold.

mod common;

use common::{at, evaluate, patient, provider, request, session, with};
use h2024::{Engine, Rule, Severity};
use serde_json::{Value, json};

/// `base` with EVV required for `codes`.
fn evv_policy(base: &str, codes: &[&str]) -> Value {
    json!({"extends": base, "evv": {"required_codes": codes}})
}

fn visit(id: &str, patient: &str, provider: &str, clock_in: &str, clock_out: &str) -> Value {
    json!({"id": id, "patient": patient, "provider": provider, "clock_in": at(clock_in),
           "clock_out": at(clock_out), "status": "verified", "location": "home"})
}

fn unverified(v: Value) -> Value {
    with(&v, json!({"status": "unverified"}))
}

fn providers() -> Vec<Value> {
    vec![
        provider("pr1", "masters", "behavioral_health"),
        provider("pr2", "bachelors", "behavioral_health"),
        provider("ot1", "masters", "occupational_therapy"),
    ]
}

fn run(policy: Value, encounters: Vec<Value>, visits: Vec<Value>) -> Value {
    let mut req = request(
        policy,
        vec![patient("p1"), patient("p2")],
        providers(),
        encounters,
    );
    req["evv_visits"] = json!(visits);
    evaluate(&Engine::default(), &req).expect("evaluated")
}

/// The findings of the EVV rules.
fn evv_findings(r: &Value) -> Vec<Value> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().contains("evv"))
        .cloned()
        .collect()
}

fn fired(r: &Value, rule: &str) -> Vec<Value> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .cloned()
        .collect()
}

fn skills(id: &str, start: &str, end: &str) -> Value {
    with(
        &session(id, "p1", "pr1", start, end),
        json!({"follow_up": true}),
    )
}

fn medicaid_evv() -> Value {
    evv_policy("medicaid", &["H2014", "H2024"])
}

// ---- a documented day with matching verified visits: nothing under each policy ----

#[test]
fn a_documented_day_with_matching_visits_raises_nothing_under_each_builtin_policy() {
    for base in ["medicaid", "commercial", "medicare"] {
        let (encounters, visits, codes) = if base == "medicare" {
            let ot = |id: &str, start: &str, end: &str| {
                with(
                    &session(id, "p1", "ot1", start, end),
                    json!({"service": "self_care_training", "setting": "home",
                           "documentation": {"progress": "dressed alone",
                                             "techniques": ["task_analysis"],
                                             "objectives": ["g2"]}}),
                )
            };
            (
                vec![ot("e1", "09:00", "09:38"), ot("e2", "14:00", "14:30")],
                vec![
                    visit("v1", "p1", "ot1", "09:00", "09:38"),
                    visit("v2", "p1", "ot1", "13:58", "14:31"),
                ],
                vec!["97535"],
            )
        } else {
            (
                vec![
                    skills("e1", "09:00", "09:45"),
                    skills("e2", "13:00", "13:30"),
                    with(
                        &skills("e3", "09:00", "10:00"),
                        json!({"patient": "p2", "provider": "pr2"}),
                    ),
                ],
                vec![
                    visit("v1", "p1", "pr1", "09:00", "09:45"),
                    visit("v2", "p1", "pr1", "12:55", "13:40"),
                    visit("v3", "p2", "pr2", "08:59", "10:00"),
                ],
                vec!["H2014", "H2024"],
            )
        };
        let r = run(evv_policy(base, &codes), encounters, visits);
        assert!(!r["lines"].as_array().unwrap().is_empty(), "{base}");
        let loud: Vec<&Value> = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] != Severity::Info.as_str())
            .collect();
        assert!(loud.is_empty(), "{base}: {loud:#?}");
    }
}

#[test]
fn without_evv_in_the_policy_visits_are_not_checked() {
    let r = run(
        json!("medicaid"),
        vec![skills("e1", "09:00", "09:45")],
        vec![],
    );
    assert!(evv_findings(&r).is_empty(), "{:#}", r["findings"]);
}

// ---- evv_visit_missing ----

#[test]
fn evv_visit_missing_when_no_visit_overlaps() {
    for visits in [
        vec![],
        vec![visit("v1", "p1", "pr2", "09:00", "09:45")], // another provider
        vec![visit("v1", "p2", "pr1", "09:00", "09:45")], // another patient
        vec![visit("v1", "p1", "pr1", "09:45", "10:30")], // back to back
    ] {
        let r = run(medicaid_evv(), vec![skills("e1", "09:00", "09:45")], visits);
        let f = evv_findings(&r);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0]["rule"], "evv_visit_missing");
        assert_eq!(f[0]["severity"], "error");
        assert_eq!(f[0]["carc"], "16");
        assert_eq!(f[0]["encounter"], "e1");
        assert_eq!(f[0]["line"], 0);
        assert_eq!(
            f[0]["data"],
            json!({"kind": "evv_visit_missing", "clock_times": true})
        );
    }
    let r = run(
        medicaid_evv(),
        vec![skills("e1", "09:00", "09:45")],
        vec![visit("v1", "p1", "pr1", "09:00", "09:45")],
    );
    assert!(evv_findings(&r).is_empty(), "{:#}", r["findings"]);
}

#[test]
fn evv_visit_missing_for_a_session_without_clock_times() {
    let e = with(
        &common::total_minutes("e1", "p1", "ot1", 38),
        json!({"service": "self_care_training", "setting": "home"}),
    );
    let r = run(
        evv_policy("medicare", &["97535"]),
        vec![e],
        vec![visit("v1", "p1", "ot1", "09:00", "09:45")],
    );
    let f = fired(&r, "evv_visit_missing");
    assert_eq!(f.len(), 1, "{:#}", r["findings"]);
    assert_eq!(f[0]["data"]["clock_times"], false);
}

#[test]
fn evv_applies_to_required_codes_in_person_outside_exempt_settings() {
    let policy = json!({"extends": "medicaid",
                        "evv": {"required_codes": ["H2014"], "exempt_settings": ["clinic"]}});
    for e in [
        with(
            &skills("e1", "09:00", "09:45"),
            json!({"modality": "audio_video"}),
        ),
        with(
            &skills("e1", "09:00", "09:45"),
            json!({"setting": "clinic"}),
        ),
        skills("e1", "09:00", "10:00"), // H2024: not required
        with(
            &skills("e1", "09:00", "09:45"),
            json!({"service": "psychotherapy"}),
        ),
    ] {
        let r = run(policy.clone(), vec![e.clone()], vec![]);
        assert!(evv_findings(&r).is_empty(), "{e}: {:#}", r["findings"]);
    }
    let r = run(policy, vec![skills("e1", "09:00", "09:45")], vec![]);
    assert_eq!(fired(&r, "evv_visit_missing").len(), 1);
}

// ---- evv_visit_unverified ----

#[test]
fn evv_visit_unverified_when_only_unverified_visits_overlap() {
    // The unverified visit is short: with no verified visit, no time or units finding.
    let r = run(
        medicaid_evv(),
        vec![skills("e1", "09:00", "09:45")],
        vec![
            unverified(visit("u1", "p1", "pr1", "09:10", "09:20")),
            unverified(visit("u2", "p1", "pr1", "09:00", "09:40")),
        ],
    );
    let f = evv_findings(&r);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0]["rule"], "evv_visit_unverified");
    assert_eq!(f[0]["severity"], "warning");
    assert_eq!(f[0]["carc"], "16");
    assert_eq!(
        f[0]["data"],
        json!({"kind": "evv_visit_unverified", "visit": "u2"})
    );
    assert!(!f[0]["message"].as_str().unwrap().contains("u2"));
    // A verified visit is taken over an unverified one that overlaps more.
    let r = run(
        medicaid_evv(),
        vec![skills("e1", "09:00", "09:45")],
        vec![
            unverified(visit("u1", "p1", "pr1", "09:00", "09:45")),
            visit("v1", "p1", "pr1", "09:00", "09:45"),
        ],
    );
    assert!(evv_findings(&r).is_empty(), "{:#}", r["findings"]);
}

// ---- evv_time_mismatch ----

#[test]
fn evv_time_mismatch_when_the_session_passes_clock_in_or_clock_out() {
    let r = run(
        medicaid_evv(),
        vec![skills("e1", "09:00", "09:45")],
        vec![visit("v1", "p1", "pr1", "09:10", "09:50")],
    );
    let f = fired(&r, "evv_time_mismatch");
    assert_eq!(f.len(), 1, "{:#}", r["findings"]);
    assert_eq!(f[0]["severity"], "error");
    assert_eq!(f[0]["carc"], "16");
    assert_eq!(
        f[0]["data"],
        json!({"kind": "evv_time_mismatch", "visit": "v1", "started_early_minutes": 10,
               "ended_late_minutes": 0, "tolerance_minutes": 0})
    );
    assert!(!f[0]["message"].as_str().unwrap().contains("v1"));
    // Ends after clock-out.
    let r = run(
        medicaid_evv(),
        vec![skills("e1", "09:00", "09:45")],
        vec![visit("v1", "p1", "pr1", "08:50", "09:40")],
    );
    let f = fired(&r, "evv_time_mismatch");
    assert_eq!(f[0]["data"]["ended_late_minutes"], 5);
    // Within the tolerance: nothing.
    let tolerant = json!({"extends": "medicaid",
                          "evv": {"required_codes": ["H2014"], "tolerance_minutes": 10}});
    let r = run(
        tolerant,
        vec![skills("e1", "09:00", "09:45")],
        vec![visit("v1", "p1", "pr1", "09:10", "09:50")],
    );
    assert!(
        fired(&r, "evv_time_mismatch").is_empty(),
        "{:#}",
        r["findings"]
    );
    // Seconds do not count.
    let mut v = visit("v1", "p1", "pr1", "09:00", "09:45");
    v["clock_in"] = json!("2026-03-02T09:00:59-05:00");
    let r = run(
        medicaid_evv(),
        vec![skills("e1", "09:00", "09:45")],
        vec![v],
    );
    assert!(
        fired(&r, "evv_time_mismatch").is_empty(),
        "{:#}",
        r["findings"]
    );
}

// ---- evv_units_exceeded ----

#[test]
fn evv_units_exceeded_when_the_visit_minutes_earn_fewer_units() {
    // 45 minutes bill H2014 x 3; the visit covers 20 of them: 1 unit.
    let r = run(
        evv_policy("medicaid", &["H2014"]),
        vec![skills("e1", "09:00", "09:45")],
        vec![visit("v1", "p1", "pr1", "09:00", "09:20")],
    );
    let f = fired(&r, "evv_units_exceeded");
    assert_eq!(f.len(), 1, "{:#}", r["findings"]);
    assert_eq!(f[0]["severity"], "error");
    assert_eq!(f[0]["carc"], "151");
    assert_eq!(f[0]["line"], 0);
    assert_eq!(
        f[0]["data"],
        json!({"kind": "evv_units_exceeded", "visits": ["v1"], "units": 3,
               "visit_minutes": 20, "visit_units": 1})
    );
    assert!(!f[0]["message"].as_str().unwrap().contains("v1"));
    // A visit short by less than the rounding: 38 of 45 minutes still earn 3 units.
    let r = run(
        evv_policy("medicaid", &["H2014"]),
        vec![skills("e1", "09:00", "09:45")],
        vec![visit("v1", "p1", "pr1", "09:00", "09:38")],
    );
    assert!(
        fired(&r, "evv_units_exceeded").is_empty(),
        "{:#}",
        r["findings"]
    );
}

#[test]
fn evv_units_are_counted_per_line_as_the_line_counts_them() {
    // Day aggregation: 20 + 20 minutes on one line = 3 units; the visits cover 20 + 10 =
    // 30 minutes = 2 units.
    let encounters = vec![
        skills("e1", "09:00", "09:20"),
        skills("e2", "13:00", "13:20"),
    ];
    let short = vec![
        visit("v1", "p1", "pr1", "09:00", "09:20"),
        visit("v2", "p1", "pr1", "13:00", "13:10"),
    ];
    let r = run(
        evv_policy("medicaid", &["H2014"]),
        encounters.clone(),
        short.clone(),
    );
    assert_eq!(r["lines"][0]["units"], 3);
    let f = fired(&r, "evv_units_exceeded");
    assert_eq!(f.len(), 1, "{:#}", r["findings"]);
    assert_eq!(f[0]["encounter"], "e1");
    assert_eq!(f[0]["data"]["visits"], json!(["v1", "v2"]));
    assert_eq!(f[0]["data"]["visit_minutes"], 30);
    assert_eq!(f[0]["data"]["visit_units"], 2);
    // Session aggregation (commercial): 20 + 20 minutes = 1 + 1 units; 20 + 10 minutes
    // earn 1 + 1 too.
    let r = run(evv_policy("commercial", &["H2014"]), encounters, short);
    assert_eq!(r["lines"][0]["units"], 2);
    assert!(
        fired(&r, "evv_units_exceeded").is_empty(),
        "{:#}",
        r["findings"]
    );
}

#[test]
fn one_visit_may_cover_several_sessions() {
    let r = run(
        medicaid_evv(),
        vec![
            skills("e1", "09:00", "09:45"),
            skills("e2", "10:00", "10:45"),
        ],
        vec![visit("v1", "p1", "pr1", "08:55", "10:50")],
    );
    assert!(evv_findings(&r).is_empty(), "{:#}", r["findings"]);
}

// ---- the visit that overlaps most ----

#[test]
fn the_verified_visit_that_overlaps_most_is_the_match() {
    // v1 overlaps 10 minutes, v2 35: v2 is the match, and it starts after the session.
    let r = run(
        medicaid_evv(),
        vec![skills("e1", "09:00", "09:45")],
        vec![
            visit("v1", "p1", "pr1", "08:30", "09:10"),
            visit("v2", "p1", "pr1", "09:10", "10:00"),
        ],
    );
    let f = fired(&r, "evv_time_mismatch");
    assert_eq!(f[0]["data"]["visit"], "v2", "{:#}", r["findings"]);
    // A tie (20 minutes each): the earlier clock-in.
    let r = run(
        medicaid_evv(),
        vec![skills("e1", "09:00", "09:40")],
        vec![
            visit("late", "p1", "pr1", "09:20", "10:00"),
            visit("early", "p1", "pr1", "08:00", "09:20"),
        ],
    );
    let f = fired(&r, "evv_time_mismatch");
    assert_eq!(f[0]["data"]["visit"], "early", "{:#}", r["findings"]);
}

// ---- invalid_evv_visit ----

#[test]
fn invalid_evv_visits_are_ignored_with_a_finding_on_no_encounter() {
    let mut backwards = visit("v4", "p1", "pr1", "09:45", "09:00");
    backwards["location"] = json!("clinic");
    let r = run(
        medicaid_evv(),
        vec![skills("e1", "09:00", "09:45")],
        vec![
            visit("v1", "nobody", "pr1", "09:00", "09:45"),
            visit("v2", "p1", "nobody", "09:00", "09:45"),
            visit("v3", "p1", "pr1", "09:00", "09:00"),
            backwards,
            visit("ok", "p1", "pr1", "09:00", "09:45"),
            visit("ok", "p1", "pr1", "09:00", "09:45"),
        ],
    );
    let f = fired(&r, "invalid_evv_visit");
    assert_eq!(f.len(), 5, "{:#}", r["findings"]);
    let problems: Vec<(&str, &str, &str)> = f
        .iter()
        .map(|f| {
            (
                f["data"]["visit"].as_str().unwrap(),
                f["data"]["problem"].as_str().unwrap(),
                f["element"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        problems,
        [
            ("v1", "unknown_patient", "evv_visits[0].patient"),
            ("v2", "unknown_provider", "evv_visits[1].provider"),
            (
                "v3",
                "clock_out_not_after_clock_in",
                "evv_visits[2].clock_out"
            ),
            (
                "v4",
                "clock_out_not_after_clock_in",
                "evv_visits[3].clock_out"
            ),
            ("ok", "duplicate_id", "evv_visits[5].id"),
        ]
    );
    for finding in &f {
        assert_eq!(finding["severity"], "warning");
        assert!(finding["carc"].is_null());
        assert!(finding["encounter"].is_null());
        assert!(finding["line"].is_null());
        let message = finding["message"].as_str().unwrap();
        assert!(
            !message.contains("nobody") && !message.contains("\"v"),
            "{message}"
        );
    }
    // After every encounter's findings; the valid visit still matches.
    let all = r["findings"].as_array().unwrap();
    let first_invalid = all
        .iter()
        .position(|f| f["rule"] == "invalid_evv_visit")
        .unwrap();
    assert!(
        all[first_invalid..]
            .iter()
            .all(|f| f["rule"] == "invalid_evv_visit")
    );
    assert!(fired(&r, "evv_visit_missing").is_empty());
    // A clean request has none.
    let r = run(
        medicaid_evv(),
        vec![skills("e1", "09:00", "09:45")],
        vec![visit("v1", "p1", "pr1", "09:00", "09:45")],
    );
    assert!(fired(&r, "invalid_evv_visit").is_empty());
}

#[test]
fn malformed_or_oversized_visits_refuse_the_request_naming_the_path() {
    let long = "v".repeat(129);
    for (change, path) in [
        (json!({"id": long}), "evv_visits[0].id"),
        (json!({"patient": "p".repeat(129)}), "evv_visits[0].patient"),
        (json!({"clock_in": "yesterday"}), "evv_visits[0].clock_in"),
        (json!({"status": "maybe"}), "evv_visits[0].status"),
        (json!({"location": "moon"}), "evv_visits[0].location"),
        (json!({"extra": 1}), "evv_visits[0]"),
        (json!({"clock_out": null}), "evv_visits[0].clock_out"),
    ] {
        let mut req = request(
            medicaid_evv(),
            vec![patient("p1")],
            providers(),
            vec![skills("e1", "09:00", "09:45")],
        );
        req["evv_visits"] = json!([with(
            &visit("v1", "p1", "pr1", "09:00", "09:45"),
            change.clone()
        )]);
        let err = evaluate(&Engine::default(), &req).unwrap_err();
        assert_eq!(err["kind"], "invalid_request", "{change}");
        assert_eq!(err["path"], path, "{change}: {err}");
        assert!(!err["message"].as_str().unwrap().contains("vvvv"));
    }
    // 128 characters are fine.
    let mut req = request(medicaid_evv(), vec![patient("p1")], providers(), vec![]);
    req["evv_visits"] = json!([visit(&"v".repeat(128), "p1", "pr1", "09:00", "09:45")]);
    assert!(evaluate(&Engine::default(), &req).is_ok());
}

#[test]
fn the_typed_request_checks_visits_too() {
    use chrono::DateTime;
    use h2024::request::{EvvVisit, VisitStatus};
    let t = |s: &str| DateTime::parse_from_rfc3339(&at(s)).unwrap();
    let request = h2024::Request::new().with_evv_visit(EvvVisit::new(
        "v".repeat(200),
        "p1",
        "pr1",
        t("09:00"),
        t("09:45"),
        VisitStatus::Verified,
        h2024::Setting::Home,
    ));
    let err = Engine::default().try_evaluate(&request).unwrap_err();
    assert_eq!(err.path(), Some("evv_visits[0].id"));
    let response = Engine::default().evaluate(&request);
    assert_eq!(response.findings[0].rule, Rule::RequestRefused);
}

// ---- the policy's `evv` ----

#[test]
fn evv_policy_errors_name_the_path() {
    for (evv, path) in [
        (
            json!({"required_codes": ["T2019"]}),
            "[0].evv.required_codes[0]",
        ),
        (
            json!({"required_codes": ["H2014", "H2014"]}),
            "[0].evv.required_codes[1]",
        ),
        (
            json!({"required_codes": ["H2014"], "exempt_settings": ["home", "home"]}),
            "[0].evv.exempt_settings[1]",
        ),
        (
            json!({"required_codes": ["H2014"], "tolerance_minutes": 1441}),
            "[0].evv.tolerance_minutes",
        ),
        (json!({"required_codes": ["H2014"], "grace": 5}), "[0].evv"),
        (json!({}), "[0].evv.required_codes"),
    ] {
        let policy = json!([{"id": "p", "extends": "medicaid", "evv": evv}]);
        let err = Engine::from_policies_json(&policy.to_string()).unwrap_err();
        assert_eq!(err.path(), path, "{policy}: {err}");
    }
}

#[test]
fn evv_may_start_with_a_version_and_a_child_may_turn_it_off() {
    let engine = Engine::from_policies_json(
        r#"[{"id": "dated", "extends": "medicaid",
             "versions": [{"from": "2026-03-02", "evv": {"required_codes": ["H2014"]}}]},
            {"id": "off", "extends": "dated", "evv": null}]"#,
    )
    .unwrap();
    let day = |date: &str| {
        with(
            &skills("e1", "09:00", "09:45"),
            json!({"start": format!("{date}T09:00:00-05:00"), "end": format!("{date}T09:45:00-05:00")}),
        )
    };
    let run_on = |policy: &str, date: &str| {
        let req = request(
            json!(policy),
            vec![patient("p1")],
            providers(),
            vec![day(date)],
        );
        evaluate(&engine, &req).unwrap()
    };
    assert!(fired(&run_on("dated", "2026-03-01"), "evv_visit_missing").is_empty());
    assert_eq!(
        fired(&run_on("dated", "2026-03-02"), "evv_visit_missing").len(),
        1
    );
    assert!(
        engine
            .policy_on("off", chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap())
            .unwrap()
            .evv()
            .is_none()
    );
}

// ---- properties ----

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// Visits that cover the sessions exactly never raise an EVV finding, whatever the
    /// rounding rule and aggregation: the units the visit minutes earn are the line's.
    #[test]
    fn visits_that_cover_the_sessions_exactly_raise_nothing(
        lengths in proptest::collection::vec(1u32..150, 1..5),
        rule in 0..5usize,
        gap in 0u32..30,
    ) {
        let (base, units, codes) = match rule {
            0 => ("medicaid", json!({"default": {"rule": "midpoint", "aggregate": "day"}}), vec!["H2014", "H2024"]),
            1 => ("commercial", json!({"default": {"rule": "midpoint", "aggregate": "session"}}), vec!["H2014", "H2024"]),
            2 => ("medicaid", json!({"default": {"rule": "round_up", "aggregate": "day"}}), vec!["H2014", "H2024"]),
            3 => ("medicaid", json!({"default": {"rule": "whole", "aggregate": "session", "min_session_minutes": 8}}), vec!["H2014", "H2024"]),
            _ => ("medicare", json!({"default": {"rule": "cms_8_minute", "aggregate": "day"}}), vec!["97535"]),
        };
        let policy = json!({"extends": base, "units": units, "evv": {"required_codes": codes}});
        let mut start = 8 * 60;
        let mut encounters = Vec::new();
        let mut visits = Vec::new();
        let t = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
        for (i, &minutes) in lengths.iter().enumerate() {
            let (from, to) = (t(start), t(start + minutes));
            let e = if base == "medicare" {
                with(&session(&format!("e{i}"), "p1", "ot1", &from, &to),
                     json!({"service": "self_care_training"}))
            } else {
                session(&format!("e{i}"), "p1", "pr1", &from, &to)
            };
            encounters.push(e);
            let provider = if base == "medicare" { "ot1" } else { "pr1" };
            visits.push(visit(&format!("v{i}"), "p1", provider, &from, &to));
            start += minutes + gap;
        }
        let r = run(policy, encounters, visits);
        let f = evv_findings(&r);
        proptest::prop_assert!(f.is_empty(), "{:#?}", f);
    }

    /// A visit shorter than its session never makes the session's line bill fewer units
    /// than it did: EVV findings advise and never change a line.
    #[test]
    fn evv_findings_never_change_lines(minutes in 1u32..120, covered in 0u32..120) {
        let t = |m: u32| format!("{:02}:{:02}", 9 + m / 60, m % 60);
        let e = skills("e1", "09:00", &t(minutes));
        let without = run(json!("medicaid"), vec![e.clone()], vec![]);
        let with_evv = run(
            medicaid_evv(),
            vec![e],
            vec![visit("v1", "p1", "pr1", "09:00", &t(covered.max(1)))],
        );
        proptest::prop_assert_eq!(&without["lines"], &with_evv["lines"]);
    }
}
