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

fn therapy(id: &str, provider: &str, minutes: u32, others: Value) -> Value {
    json!({"id": id, "patient": "p1", "provider": provider, "service": "self_care_training",
           "setting": "clinic", "date": "2026-03-02", "minutes": minutes,
           "other_timed_services": others})
}

#[test]
fn an_ignored_other_timed_service_is_named_by_its_field_and_code_only() {
    let req = request(
        json!("medicare"),
        vec![patient("p1")],
        vec![provider("ot-secret-id", "masters", "occupational_therapy")],
        vec![therapy(
            "enc-secret-id",
            "ot-secret-id",
            20,
            json!([{"code": "97110", "minutes": 5}, {"code": "G0283", "minutes": 9}]),
        )],
    );
    let r = evaluate(&req);
    let ignored: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.rule == Rule::OtherTimedServiceIgnored)
        .collect();
    assert_eq!(ignored.len(), 1, "{:#?}", r.findings);
    let f = ignored[0];
    assert_eq!(f.severity, h2024::Severity::Warning);
    assert_eq!(f.carc, None);
    assert_eq!(f.element.as_deref(), Some("other_timed_services[1]"));
    let message = f.message();
    assert!(
        message.contains("`other_timed_services[1]` (G0283)"),
        "{message}"
    );
    assert!(message.contains("timed_codes"), "{message}");
    assert!(!message.contains("secret"), "{message}");
    // 20 + 5 minutes = 2 units, both to 97535 (a full block and the larger leftover).
    assert_eq!(r.lines[0].units, 2);
}

#[test]
fn the_discipline_pool_is_named_in_the_rationale() {
    let req = request(
        json!("medicare"),
        vec![patient("p1")],
        vec![
            provider("ot1", "masters", "occupational_therapy"),
            provider("pt1", "doctoral", "physical_therapy"),
        ],
        vec![
            therapy("a", "ot1", 12, json!([])),
            therapy("b", "pt1", 9, json!([])),
        ],
    );
    let r = evaluate(&req);
    assert_eq!(r.lines.len(), 2);
    let a = r.decisions[0].rationale().join("\n");
    assert!(
        a.contains("under the occupational therapy plan of care total 12"),
        "{a}"
    );
    let b = r.decisions[1].rationale().join("\n");
    assert!(
        b.contains("under the physical therapy plan of care total 9"),
        "{b}"
    );
}

#[test]
fn other_timed_services_on_a_policy_without_the_cms_rule_are_still_checked() {
    // The entries are read under every policy; only the CMS rule counts them.
    let e = with(
        &session("e1", "p1", "pr1", "09:00", "09:30"),
        json!({"other_timed_services": [{"code": "H2014", "minutes": 10}]}),
    );
    let req = request(
        json!("medicaid"),
        vec![patient("p1")],
        vec![provider("pr1", "masters", "behavioral_health")],
        vec![e],
    );
    let r = evaluate(&req);
    assert!(
        matches!(
            &r.findings[..],
            [f] if f.rule == Rule::OtherTimedServiceIgnored
                && matches!(&f.data, Data::OtherTimedServiceIgnored { index: 0, code, because: h2024::policy::IgnoredBecause::BilledByTheEngine } if code == "H2014")
        ),
        "{:#?}",
        r.findings
    );
}

#[test]
fn every_policy_example_of_the_rounding_rules_section_loads() {
    let doc = include_str!("../../../docs/policies.md");
    let start = doc.find("## Rounding rules").unwrap();
    // The section ends where the next one starts.
    let end = doc[start + 1..]
        .find("\n## ")
        .map_or(doc.len(), |at| at + start + 1);
    let mut examples = 0;
    for block in doc[start..end].split("```json").skip(1) {
        let json = &block[..block.find("```").unwrap()];
        Engine::from_policies_json(&format!("[{json}]")).unwrap_or_else(|e| panic!("{json}: {e}"));
        examples += 1;
    }
    assert!(examples >= 6, "{examples} examples");
}
