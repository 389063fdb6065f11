//! Authorization periods (README, "Request and response" and "Findings"): limits per day,
//! week, month and authorization, what each line draws, the alert before a limit is used
//! up, and how limits and the policy fields that shape them are validated.

mod common;

use chrono::NaiveDate;
use common::{DATE, evaluate, patient, provider, request, session, with};
use h2024::findings::Data;
use h2024::request::{Authorization, Period};
use h2024::{
    Code, Credential, Discipline, Encounter, Engine, Patient, Provider, Request, Rule, Service,
    Setting,
};
use serde_json::{Value, json};

fn authorization(limits: Value) -> Value {
    json!({"number": "A-SECRET-9", "codes": ["H2014"], "start": "2026-01-01", "end": "2026-12-31",
           "units_authorized": 100, "units_used": 0, "limits": limits})
}

/// `p1` with one authorization of `limits`, one 45-minute session (H2014 x 3) on [`DATE`].
fn one_session(limits: Value) -> Value {
    let p1 = with(
        &patient("p1"),
        json!({"authorizations": [authorization(limits)]}),
    );
    request(
        json!("medicaid"),
        vec![p1],
        vec![provider("pr1", "masters", "behavioral_health")],
        vec![session("e1", "p1", "pr1", "09:00", "09:45")],
    )
}

fn refused(req: &Value) -> Value {
    evaluate(&Engine::default(), req).expect_err("refused as a whole")
}

#[test]
fn limits_are_validated_with_the_path_and_never_the_value() {
    let cases = [
        (
            json!([{"per": "week", "units": 0}]),
            "patients[0].authorizations[0].limits[0].units",
        ),
        (
            json!([{"per": "fortnight-SECRET", "units": 3}]),
            "patients[0].authorizations[0].limits[0].per",
        ),
        (
            json!([{"per": "week", "units": 3}, {"per": "month", "units": 9}, {"per": "week", "units": 4}]),
            "patients[0].authorizations[0].limits[2].per",
        ),
        (
            json!([{"per": "day", "units": 1}, {"per": "week", "units": 2}, {"per": "month", "units": 3},
                   {"per": "authorization", "units": 4}, {"per": "day", "units": 5}]),
            "patients[0].authorizations[0].limits",
        ),
        (
            json!([{"per": "week", "units": -3}]),
            "patients[0].authorizations[0].limits[0].units",
        ),
        (
            json!([{"per": "week", "units": 3, "note": "SECRET"}]),
            "patients[0].authorizations[0].limits[0]",
        ),
        (json!({"week": 3}), "patients[0].authorizations[0].limits"),
    ];
    for (limits, path) in cases {
        let err = refused(&one_session(limits.clone()));
        assert_eq!(err["kind"], "invalid_request", "{limits}: {err}");
        assert_eq!(err["path"], path, "{limits}: {err}");
        let text = err.to_string();
        assert!(
            !text.contains("SECRET") && !text.contains("fortnight"),
            "{text}"
        );
    }
    // Every period once, and no limits at all, are fine.
    let all = json!([{"per": "day", "units": 8}, {"per": "week", "units": 20},
                     {"per": "month", "units": 60}, {"per": "authorization", "units": 90}]);
    for limits in [all, json!([])] {
        assert!(evaluate(&Engine::default(), &one_session(limits)).is_ok());
    }
}

#[test]
fn the_policy_fields_are_validated_with_the_path() {
    for (field, value, path) in [
        ("week_start", json!("Caturday-SECRET"), "[0].week_start"),
        ("week_start", json!("Monday"), "[0].week_start"),
        (
            "authorization_alert_percent",
            json!(0),
            "[0].authorization_alert_percent",
        ),
        (
            "authorization_alert_percent",
            json!(101),
            "[0].authorization_alert_percent",
        ),
        (
            "authorization_alert_percent",
            json!(79.5),
            "[0].authorization_alert_percent",
        ),
    ] {
        let policies = json!([{"id": "x", "extends": "medicaid", field: value}]);
        let err = Engine::from_policies_json(&policies.to_string()).unwrap_err();
        assert_eq!(err.path(), path, "{value}: {err}");
        assert!(!err.to_string().contains("SECRET"), "{err}");
    }
    // In a request's inline policy, the path starts at `policy`.
    let mut req = one_session(json!([]));
    req["policy"] = json!({"extends": "medicaid", "authorization_alert_percent": 0});
    let err = refused(&req);
    assert_eq!(err["kind"], "invalid_policy");
    assert_eq!(err["path"], "policy.authorization_alert_percent");
}

#[test]
fn lines_carry_the_authorization_in_explained_and_compact_output() {
    for explain in [true, false] {
        let mut req = one_session(json!([{"per": "week", "units": 10}]));
        // A second patient without authorization: the fields are there, null.
        req["patients"].as_array_mut().unwrap().push(
            json!({"id": "p2", "birth_date": "1990-01-01", "treatment_plan": common::plan()}),
        );
        req["encounters"]
            .as_array_mut()
            .unwrap()
            .push(session("e2", "p2", "pr1", "10:00", "10:45"));
        req["explain"] = json!(explain);
        let r = evaluate(&Engine::default(), &req).unwrap();
        let lines = r["lines"].as_array().unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["authorization"], "A-SECRET-9", "{explain}");
        assert_eq!(lines[0]["authorization_units_remaining"], 7, "{explain}");
        assert_eq!(lines[1]["authorization"], Value::Null, "{explain}");
        assert_eq!(
            lines[1]["authorization_units_remaining"],
            Value::Null,
            "{explain}"
        );
        assert!(lines[1].as_object().unwrap().contains_key("authorization"));
        assert!(
            lines[1]
                .as_object()
                .unwrap()
                .contains_key("authorization_units_remaining")
        );
    }
}

#[test]
fn messages_name_the_limit_never_the_number_or_the_dates() {
    // 2 units a day: 3 pass the day's limit by 1; 3 of 4 a week is 75%, 3 of 3 a month
    // 100%: an alert on the month only.
    let req = one_session(
        json!([{"per": "day", "units": 2}, {"per": "week", "units": 4},
                                 {"per": "month", "units": 3}]),
    );
    let r = Engine::default()
        .evaluate_json_to_response(&req.to_string())
        .unwrap();
    let rules: Vec<(Rule, Option<&str>)> = r
        .findings
        .iter()
        .map(|f| (f.rule, f.element.as_deref()))
        .collect();
    assert_eq!(
        rules,
        [
            (
                Rule::AuthorizationExceeded,
                Some("authorizations[0].limits[0]")
            ),
            (
                Rule::AuthorizationNearLimit,
                Some("authorizations[0].limits[2]")
            ),
        ]
    );
    assert_eq!(r.lines[0].authorization_units_remaining, Some(-1));
    for f in &r.findings {
        let message = f.message();
        assert!(!message.contains("A-SECRET"), "{message}");
        assert!(!message.contains("2026"), "{message}");
        assert!(message.contains("`authorizations[0]`"), "{message}");
    }
    assert!(
        r.findings[0].message().contains("daily") && r.findings[0].message().contains("by 1"),
        "{}",
        r.findings[0].message()
    );
    assert!(
        r.findings[1].message().contains("monthly"),
        "{}",
        r.findings[1].message()
    );
    let Data::AuthorizationExceeded {
        number,
        per,
        period_start,
        exceeded_by,
        ..
    } = &r.findings[0].data
    else {
        panic!("{:?}", r.findings[0].data)
    };
    assert_eq!(
        (number.as_str(), *per, *exceeded_by),
        ("A-SECRET-9", Period::Day, 1)
    );
    assert_eq!(period_start.to_string(), DATE);
}

#[test]
fn a_line_passing_several_limits_gets_one_finding_each() {
    let req = one_session(
        json!([{"per": "day", "units": 1}, {"per": "week", "units": 2},
                                 {"per": "month", "units": 2}]),
    );
    let r = Engine::default()
        .evaluate_json_to_response(&req.to_string())
        .unwrap();
    let pers: Vec<Period> = r
        .findings
        .iter()
        .filter_map(|f| match &f.data {
            Data::AuthorizationExceeded { per, .. } => Some(*per),
            _ => None,
        })
        .collect();
    assert_eq!(pers, [Period::Day, Period::Week, Period::Month]);
    // No alert where the limit is passed.
    assert!(
        r.findings
            .iter()
            .all(|f| f.rule != Rule::AuthorizationNearLimit)
    );
    assert_eq!(r.lines[0].authorization_units_remaining, Some(-2));
}

#[test]
fn prior_authorization_missing_only_where_the_policy_requires_one() {
    let mut req = one_session(json!([]));
    req["patients"][0]
        .as_object_mut()
        .unwrap()
        .remove("authorizations");
    for (policy, missing) in [("medicaid", 0), ("commercial", 1), ("medicare", 0)] {
        req["policy"] = json!(policy);
        let r = Engine::default()
            .evaluate_json_to_response(&req.to_string())
            .unwrap();
        let fired = r
            .findings
            .iter()
            .filter(|f| f.rule == Rule::PriorAuthorizationMissing)
            .count();
        assert_eq!(fired, missing, "{policy}");
        assert!(r.lines.iter().all(|l| l.authorization.is_none()));
    }
}

#[test]
fn findings_under_a_policy_that_requires_none_say_so() {
    let mut req = one_session(json!([]));
    req["patients"][0]["authorizations"][0]["end"] = json!("2026-02-28");
    let r = Engine::default()
        .evaluate_json_to_response(&req.to_string())
        .unwrap();
    assert_eq!(r.findings.len(), 1, "{:#?}", r.findings);
    let f = &r.findings[0];
    assert_eq!(f.rule, Rule::AuthorizationExpired);
    let Data::AuthorizationExpired(need) = &f.data else {
        panic!("{:?}", f.data)
    };
    assert!(!need.required);
    assert!(f.message().contains("does not require"), "{}", f.message());
    // Under commercial (always), the same authorization is required.
    req["policy"] = json!("commercial");
    let r = Engine::default()
        .evaluate_json_to_response(&req.to_string())
        .unwrap();
    let f = r
        .findings
        .iter()
        .find(|f| f.rule == Rule::AuthorizationExpired)
        .unwrap();
    let Data::AuthorizationExpired(need) = &f.data else {
        panic!("{:?}", f.data)
    };
    assert!(need.required);
    assert!(f.message().contains("requires"), "{}", f.message());
}

#[test]
fn the_typed_api_builds_and_reads_limits() {
    let date = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    let at = |d: u32, h: u32| {
        chrono::DateTime::parse_from_rfc3339(&format!("2026-03-{d:02}T{h:02}:00:00-05:00")).unwrap()
    };
    let mut request = Request::new()
        .with_patient(
            Patient::new("p1").with_authorization(
                Authorization::new("A-1", vec![Code::H2014], date(1, 1), date(6, 30), 40)
                    .with_units_used(10)
                    .with_limit(Period::Week, 4),
            ),
        )
        .with_provider(Provider::new(
            "pr1",
            Credential::Masters,
            Discipline::BehavioralHealth,
        ));
    // Monday and Tuesday, 45 minutes each: H2014 x 3, then 6 of 4 in the week.
    for d in [2, 3] {
        request = request.with_encounter(
            Encounter::new(
                format!("e{d}"),
                "p1",
                "pr1",
                Service::SkillsTraining,
                Setting::Home,
            )
            .with_times(at(d, 9), at(d, 9) + chrono::Duration::minutes(45)),
        );
    }
    let r = Engine::default().evaluate(&request);
    let remaining: Vec<Option<i64>> = r
        .lines
        .iter()
        .map(|l| l.authorization_units_remaining)
        .collect();
    assert_eq!(remaining, [Some(1), Some(-2)]);
    assert!(
        r.lines
            .iter()
            .all(|l| l.authorization.as_deref() == Some("A-1"))
    );
    // The typed response reads back from its JSON with the same lines.
    let text = Engine::default()
        .evaluate_json(&serde_json::to_string(&request).unwrap())
        .unwrap();
    let back: h2024::Response = serde_json::from_str(&text).unwrap();
    assert_eq!(back.lines, r.lines);
    // A response written before these fields existed still reads, with none.
    let mut old: Value = serde_json::from_str(&text).unwrap();
    for line in old["lines"].as_array_mut().unwrap() {
        let line = line.as_object_mut().unwrap();
        line.remove("authorization");
        line.remove("authorization_units_remaining");
    }
    let old: h2024::Response = serde_json::from_value(old).unwrap();
    assert!(old.lines.iter().all(|l| l.authorization.is_none()));
}
