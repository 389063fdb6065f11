//! The rounding rules payers use (`docs/rules.md`, "Round up", "Minimum session length",
//! "Sessions across midnight", "CMS 8-minute rule"): how they show in decisions, findings
//! and the audit, beyond the conformance cases.

mod common;

use common::{patient, provider, request, session, with};
use h2024::findings::Data;
use h2024::{Engine, Request, Response, Rule};
use serde_json::{Value, json};

fn evaluate(req: &Value) -> Response {
    Engine::default().evaluate(&Request::from_json(&req.to_string()).unwrap())
}

fn inline(units: Value) -> Value {
    json!({"extends": "medicaid", "units": units})
}

#[test]
fn a_split_session_is_explained_and_its_billed_units_are_not_compared_line_by_line() {
    let across = with(
        &session("e1", "p1", "pr1", "23:30", "23:59"),
        json!({"end": "2026-03-03T00:30:00-05:00", "code": "H2014",
               "billed": {"code": "H2014", "units": 4, "modifiers": ["HO"], "place_of_service": "12"}}),
    );
    let req = request(
        inline(json!({"default": {"rule": "midpoint", "split_at_midnight": true}})),
        vec![patient("p1")],
        vec![provider("pr1", "masters", "behavioral_health")],
        vec![across],
    );
    let r = evaluate(&req);
    assert_eq!(r.lines.len(), 2, "{:#?}", r.lines);
    assert_eq!(r.lines.iter().map(|l| l.units).sum::<u32>(), 4);
    // One billed entry for two lines: no billed_units_mismatch on either line.
    assert!(
        r.findings
            .iter()
            .all(|f| f.rule != Rule::BilledUnitsMismatch),
        "{:#?}",
        r.findings
    );
    let rationale = r.decisions[0].rationale();
    assert!(
        rationale
            .iter()
            .any(|s| s.contains("30 minutes on 2026-03-02, 30 minutes on 2026-03-03")),
        "{rationale:#?}"
    );
    assert!(
        rationale
            .iter()
            .any(|s| s.contains("this date's minutes of 1 session across midnight")),
        "{rationale:#?}"
    );
}

#[test]
fn a_short_session_is_told_the_minimum_and_its_billed_units_are_audited() {
    let short = with(
        &session("e1", "p1", "pr1", "09:00", "09:08"),
        json!({"code": "H2014",
               "billed": {"code": "H2014", "units": 1, "modifiers": ["HO"], "place_of_service": "12"}}),
    );
    let req = request(
        inline(json!({"default": {"rule": "midpoint", "min_session_minutes": 10}})),
        vec![patient("p1")],
        vec![provider("pr1", "masters", "behavioral_health")],
        vec![short],
    );
    let r = evaluate(&req);
    assert!(r.lines.is_empty());
    let below: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.rule == Rule::BelowMinimumTime)
        .collect();
    assert_eq!(below.len(), 1);
    assert_eq!(
        below[0].data,
        Data::BelowSessionMinimum {
            code: h2024::Code::H2014,
            session_minutes: 8,
            min_session_minutes: 10
        }
    );
    assert!(below[0].message().contains("at least 10 minutes"));
    // Billing a unit the session does not earn is flagged as for any line-less encounter.
    assert!(
        r.findings
            .iter()
            .any(|f| f.rule == Rule::BilledUnitsMismatch
                && f.element.as_deref() == Some("billed.units")),
        "{:#?}",
        r.findings
    );
    let rationale = r.decisions[0].rationale();
    assert!(
        rationale
            .iter()
            .any(|s| s.contains("shorter than the policy's minimum session length")),
        "{rationale:#?}"
    );
}

#[test]
fn engine_units_applies_the_minimum_session_length() {
    let engine = Engine::from_policies_json(
        r#"[{"id": "min10", "extends": "medicaid",
             "units": {"default": {"rule": "round_up", "min_session_minutes": 10}}}]"#,
    )
    .unwrap();
    assert_eq!(engine.units("min10", h2024::Code::H2014, 9), Ok(0));
    assert_eq!(engine.units("min10", h2024::Code::H2014, 10), Ok(1));
    assert_eq!(engine.units("min10", h2024::Code::H2014, 16), Ok(2));
}

#[test]
fn sessions_documented_by_total_minutes_are_never_split() {
    let e = json!({"id": "e1", "patient": "p1", "provider": "pr1", "service": "skills_training",
                   "date": "2026-03-02", "minutes": 60, "setting": "home", "code": "H2014"});
    let mut policy = inline(json!({"default": {"rule": "midpoint", "split_at_midnight": true}}));
    policy["requires_clock_times"] = json!(false);
    let req = request(
        policy,
        vec![patient("p1")],
        vec![provider("pr1", "masters", "behavioral_health")],
        vec![e],
    );
    let r = evaluate(&req);
    assert_eq!(r.lines.len(), 1);
    assert_eq!(r.lines[0].units, 4);
}
