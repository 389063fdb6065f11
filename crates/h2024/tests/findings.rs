//! Every denial-risk rule: a test that fires it and the clean claim that keeps it silent.

use h2024::findings::Data;
use h2024::{Engine, Finding, Response, Rule, Service, Severity};
use serde_json::{Value, json};

/// A fully documented, correctly billed day under `policy`: one session per patient.
fn clean(policy: &str) -> Value {
    let (enc, provider) = match policy {
        "medicare" => (
            json!({"id": "e1", "patient": "p1", "provider": "ot1", "service": "self_care_training",
                   "setting": "clinic", "start": "2026-03-02T09:00:00-05:00",
                   "end": "2026-03-02T09:38:00-05:00", "documentation": documentation(),
                   "billed": {"code": "97535", "modifiers": ["GO"], "units": 3, "place_of_service": "11"}}),
            json!({"id": "ot1", "credential": "masters", "discipline": "occupational_therapy"}),
        ),
        _ => (
            json!({"id": "e1", "patient": "p1", "provider": "pr1", "service": "skills_training",
                   "setting": "home", "follow_up": true, "start": "2026-03-02T09:00:00-05:00",
                   "end": "2026-03-02T09:45:00-05:00", "documentation": documentation(),
                   "billed": {"code": "H2014",
                              "modifiers": if policy == "medicaid" { json!(["HO", "TS"]) } else { json!([]) },
                              "units": 3, "place_of_service": "12"}}),
            json!({"id": "pr1", "credential": "masters", "discipline": "behavioral_health"}),
        ),
    };
    json!({
        "policy": policy,
        "patients": [{"id": "p1", "birth_date": "1990-01-01", "treatment_plan": plan(),
                      "authorizations": [{"number": "A-77", "codes": ["H2014", "H2024", "97535"],
                                          "start": "2026-01-01", "end": "2026-06-30",
                                          "units_authorized": 40, "units_used": 12}]}],
        "providers": [provider, {"id": "pr2", "credential": "bachelors", "discipline": "behavioral_health"}],
        "encounters": [enc],
    })
}

fn documentation() -> Value {
    json!({"skills_taught": ["budgeting"], "participation": "active",
           "progress": "paid two bills on time", "techniques": ["modeling", "role_play"],
           "objectives": ["g1"], "challenges": "distracted", "adjustments": "shorter tasks"})
}

fn plan() -> Value {
    json!({"goals": [{"id": "g1", "skills": ["budgeting"], "deficit": "cannot manage monthly bills"},
                     {"id": "g2", "skills": ["meal_preparation"], "deficit": "no safe cooking"}],
           "last_progress_report": "2026-02-15"})
}

fn eval(req: &Value) -> Response {
    let text = Engine::default()
        .evaluate_json(&req.to_string())
        .expect("evaluated");
    serde_json::from_str(&text).expect("response")
}

fn fired(r: &Response, rule: Rule) -> Vec<&Finding> {
    r.findings.iter().filter(|f| f.rule == rule).collect()
}

/// Runs `req`, checks that `rule` fired exactly `count` times with its fixed severity and
/// CARC, and returns the findings.
fn expect(req: &Value, rule: Rule, count: usize) -> Vec<Finding> {
    let r = eval(req);
    let found: Vec<Finding> = fired(&r, rule).into_iter().cloned().collect();
    assert_eq!(found.len(), count, "{rule}: {:#?}", r.findings);
    for f in &found {
        assert_eq!(f.severity, rule.severity());
        assert_eq!(f.carc.as_deref(), rule.carc());
        assert!(!f.message().is_empty());
    }
    found
}

fn e1(req: &mut Value) -> &mut Value {
    &mut req["encounters"][0]
}

/// Replaces the encounter's clock times with `date` and total `minutes`.
fn total_minutes_only(e: &mut Value, minutes: u32) {
    let fields = e.as_object_mut().unwrap();
    fields.remove("start");
    fields.remove("end");
    e["date"] = json!("2026-03-02");
    e["minutes"] = json!(minutes);
}

#[test]
fn clean_claims_raise_no_error_or_warning_under_each_builtin_policy() {
    for policy in ["medicaid", "commercial", "medicare"] {
        let r = eval(&clean(policy));
        assert_eq!(r.lines.len(), 1, "{policy}");
        let loud: Vec<_> = r
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Warning)
            .collect();
        assert!(loud.is_empty(), "{policy}: {loud:#?}");
    }
}

#[test]
fn missing_session_times() {
    let mut req = clean("medicaid");
    let e = e1(&mut req);
    total_minutes_only(e, 45);
    expect(&req, Rule::MissingSessionTimes, 1);
    expect(&clean("medicaid"), Rule::MissingSessionTimes, 0);
    // Medicare takes total minutes.
    let mut req = clean("medicare");
    let e = e1(&mut req);
    total_minutes_only(e, 38);
    expect(&req, Rule::MissingSessionTimes, 0);
}

#[test]
fn below_minimum_time() {
    let mut req = clean("medicaid");
    e1(&mut req)["end"] = json!("2026-03-02T09:07:00-05:00");
    let f = expect(&req, Rule::BelowMinimumTime, 1);
    assert!(f[0].message().contains("8 minutes"), "{}", f[0].message());
    // The billed 3 units are now unsupported.
    let r = eval(&req);
    assert!(r.lines.is_empty());
    assert_eq!(fired(&r, Rule::BilledUnitsMismatch).len(), 1);
}

#[test]
fn service_out_of_scope_and_code_not_covered() {
    let mut req = clean("medicaid");
    e1(&mut req)["service"] = json!("case_management");
    expect(&req, Rule::ServiceOutOfScope, 1);

    let mut req = clean("commercial");
    e1(&mut req)["billed"]["code"] = json!("H2017");
    let f = expect(&req, Rule::CodeNotCovered, 1);
    assert_eq!(f[0].element.as_deref(), Some("billed.code"));
    let mut req = clean("commercial");
    e1(&mut req)["billed"]["code"] = json!("H0004");
    expect(&req, Rule::CodeNotCovered, 1);
}

#[test]
fn provider_not_eligible() {
    let mut req = clean("medicaid");
    e1(&mut req)["billed"]["code"] = json!("97535");
    expect(&req, Rule::ProviderNotEligible, 1);
    expect(&clean("medicare"), Rule::ProviderNotEligible, 0);
}

#[test]
fn educational_purpose() {
    let mut req = clean("commercial");
    e1(&mut req)["educational"] = json!(true);
    let r = eval(&req);
    assert_eq!(fired(&r, Rule::EducationalPurpose).len(), 1);
    assert_eq!(r.lines.len(), 1, "findings advise; the line stands");
    let mut req = clean("medicaid");
    e1(&mut req)["educational"] = json!(true);
    expect(&req, Rule::EducationalPurpose, 0);
}

#[test]
fn modality_not_covered() {
    let mut req = clean("medicaid");
    e1(&mut req)["modality"] = json!("audio_only");
    expect(&req, Rule::ModalityNotCovered, 1);
}

#[test]
fn missing_and_invalid_modifiers() {
    let mut req = clean("medicaid");
    e1(&mut req)["billed"]["modifiers"] = json!([]);
    let f = expect(&req, Rule::MissingRequiredModifier, 2);
    assert!(f[0].message().contains("HO"), "{}", f[0].message());
    assert!(f[1].message().contains("TS"), "{}", f[1].message());

    // GT on an in-person session, TL without early intervention, a malformed and an
    // unknown modifier.
    let mut req = clean("medicaid");
    e1(&mut req)["billed"]["modifiers"] = json!(["HO", "TS", "GT", "TL"]);
    let f = expect(&req, Rule::InvalidModifier, 2);
    assert!(f[0].message().contains("in person"), "{}", f[0].message());
    assert!(
        f[1].message().contains("early intervention"),
        "{}",
        f[1].message()
    );
    let mut req = clean("medicaid");
    e1(&mut req)["billed"]["modifiers"] = json!(["HO", "TS", "H-", "ZZ"]);
    let f = expect(&req, Rule::InvalidModifier, 2);
    assert_eq!(f[0].element.as_deref(), Some("billed.modifiers[2]"));

    // GT under a policy that uses 95.
    let mut req = clean("commercial");
    e1(&mut req)["modality"] = json!("audio_video");
    e1(&mut req)["billed"]["modifiers"] = json!(["GT"]);
    e1(&mut req)["billed"]["place_of_service"] = json!("10");
    let r = eval(&req);
    assert_eq!(fired(&r, Rule::InvalidModifier).len(), 1);
    assert_eq!(fired(&r, Rule::MissingRequiredModifier).len(), 1);
    assert!(fired(&r, Rule::InvalidModifier)[0].message().contains("95"));

    // 59 and KX are left to the biller.
    let mut req = clean("medicaid");
    e1(&mut req)["billed"]["modifiers"] = json!(["HO", "TS", "59"]);
    expect(&req, Rule::InvalidModifier, 0);
}

#[test]
fn conflicting_and_too_many_modifiers() {
    let mut req = clean("medicaid");
    e1(&mut req)["billed"]["modifiers"] = json!(["HO", "HN", "TS"]);
    let f = expect(&req, Rule::ConflictingModifiers, 1);
    assert!(f[0].message().contains("HO") && f[0].message().contains("HN"));
    let mut req = clean("medicaid");
    e1(&mut req)["billed"]["modifiers"] = json!(["HO", "TS", "59", "XE", "KX"]);
    expect(&req, Rule::TooManyModifiers, 1);
    expect(&req, Rule::ConflictingModifiers, 1);
    expect(&clean("medicaid"), Rule::ConflictingModifiers, 0);
}

#[test]
fn early_intervention_age() {
    let mut req = clean("medicaid");
    e1(&mut req)["early_intervention"] = json!(true);
    e1(&mut req)["billed"]["modifiers"] = json!(["HO", "TL", "TS"]);
    let f = expect(&req, Rule::EarlyInterventionAge, 1);
    assert!(!f[0].message().contains("1990"));
    req["patients"][0]["birth_date"] = json!("2024-01-01");
    expect(&req, Rule::EarlyInterventionAge, 0);
    // Exactly three on the date of service is over the limit.
    req["patients"][0]["birth_date"] = json!("2023-03-02");
    expect(&req, Rule::EarlyInterventionAge, 1);
    req["patients"][0]["birth_date"] = json!("2023-03-03");
    expect(&req, Rule::EarlyInterventionAge, 0);
}

#[test]
fn place_of_service_mismatch() {
    let mut req = clean("medicaid");
    e1(&mut req)["billed"]["place_of_service"] = json!("11");
    let f = expect(&req, Rule::PlaceOfServiceMismatch, 1);
    assert!(f[0].message().contains("12"));
    // A telehealth session billed with an in-person place of service.
    let mut req = clean("medicaid");
    e1(&mut req)["modality"] = json!("audio_video");
    e1(&mut req)["billed"]["modifiers"] = json!(["HO", "TS", "GT"]);
    let f = expect(&req, Rule::PlaceOfServiceMismatch, 1);
    assert!(f[0].message().contains("10"));
}

#[test]
fn billed_code_and_units() {
    let mut req = clean("medicaid");
    e1(&mut req)["billed"]["code"] = json!("H2024");
    e1(&mut req)["billed"]["units"] = json!(1);
    let f = expect(&req, Rule::BilledCodeMismatch, 1);
    assert!(f[0].message().contains("closest"), "{}", f[0].message());
    expect(&req, Rule::BilledUnitsMismatch, 0);

    let mut req = clean("medicaid");
    e1(&mut req)["billed"]["units"] = json!(4);
    let f = expect(&req, Rule::BilledUnitsMismatch, 1);
    assert!(f[0].message().contains("more units"), "{}", f[0].message());
    assert_eq!(f[0].line, Some(0));
    e1(&mut req)["billed"]["units"] = json!(2);
    let f = expect(&req, Rule::BilledUnitsMismatch, 1);
    assert!(
        f[0].message().contains("revenue left behind"),
        "{}",
        f[0].message()
    );

    e1(&mut req)["billed"]["units"] = json!(2.5);
    expect(&req, Rule::UnroundedUnits, 1);
    expect(&req, Rule::BilledUnitsMismatch, 0);

    // Two sessions billed separately, one line under day aggregation: 20 + 20 minutes earn
    // 3 units together; billing 1 + 1 leaves one behind.
    let mut req = clean("medicaid");
    let mut a = e1(&mut req).clone();
    a["end"] = json!("2026-03-02T09:20:00-05:00");
    a["billed"]["units"] = json!(1);
    let mut b = a.clone();
    b["id"] = json!("e2");
    b["start"] = json!("2026-03-02T14:00:00-05:00");
    b["end"] = json!("2026-03-02T14:20:00-05:00");
    req["encounters"] = json!([a, b]);
    let f = expect(&req, Rule::BilledUnitsMismatch, 1);
    assert!(
        f[0].message().contains("claim 2") && f[0].message().contains("support 3"),
        "{}",
        f[0].message()
    );
}

#[test]
fn units_exceed_daily_maximum() {
    let mut req = clean("medicaid");
    req["policy"] =
        json!({"id": "capped", "extends": "medicaid", "max_units_per_day": {"H2014": 2}});
    let r = eval(&req);
    assert_eq!(r.lines[0].units, 2);
    assert_eq!(fired(&r, Rule::UnitsExceedDailyMaximum).len(), 1);
}

#[test]
fn treatment_plan_rules() {
    let mut req = clean("medicaid");
    req["patients"][0]
        .as_object_mut()
        .unwrap()
        .remove("treatment_plan");
    expect(&req, Rule::NoTreatmentPlan, 1);
    // 97535 is therapy: its plan of care is not this treatment plan.
    let mut req = clean("medicare");
    req["patients"][0]
        .as_object_mut()
        .unwrap()
        .remove("treatment_plan");
    expect(&req, Rule::NoTreatmentPlan, 0);

    let mut req = clean("medicaid");
    e1(&mut req)["documentation"]["skills_taught"] = json!(["budgeting", "Jane's cooking"]);
    e1(&mut req)["documentation"]["objectives"] = json!(["g1", "g9"]);
    let f = expect(&req, Rule::SkillNotInTreatmentPlan, 2);
    assert_eq!(f[0].element.as_deref(), Some("skills_taught[1]"));
    assert_eq!(f[1].element.as_deref(), Some("objectives[1]"));
    assert!(f.iter().all(|f| !f.message().contains("Jane")));
    // Skills match without regard to case or spacing.
    e1(&mut req)["documentation"]["skills_taught"] = json!([" Budgeting "]);
    e1(&mut req)["documentation"]["objectives"] = json!(["g1"]);
    expect(&req, Rule::SkillNotInTreatmentPlan, 0);

    let mut req = clean("medicaid");
    req["patients"][0]["treatment_plan"]["goals"][0]
        .as_object_mut()
        .unwrap()
        .remove("deficit");
    let f = expect(&req, Rule::GoalWithoutDeficit, 1);
    assert_eq!(
        f[0].element.as_deref(),
        Some("treatment_plan.goals[0].deficit")
    );
    // A goal the session does not address may lack one.
    let mut req = clean("medicaid");
    req["patients"][0]["treatment_plan"]["goals"][1]["deficit"] = json!("");
    expect(&req, Rule::GoalWithoutDeficit, 0);
}

#[test]
fn missing_documentation() {
    let mut req = clean("medicaid");
    e1(&mut req)["documentation"]
        .as_object_mut()
        .unwrap()
        .remove("participation");
    let f = expect(&req, Rule::MissingDocumentation, 1);
    assert_eq!(f[0].element.as_deref(), Some("participation"));
    e1(&mut req)
        .as_object_mut()
        .unwrap()
        .remove("documentation");
    let f = expect(&req, Rule::MissingDocumentation, 5);
    let elements: Vec<_> = f.iter().map(|f| f.element.clone().unwrap()).collect();
    assert_eq!(
        elements,
        [
            "skills_taught",
            "participation",
            "progress",
            "techniques",
            "objectives"
        ]
    );
}

#[test]
fn progress_report_overdue() {
    let mut req = clean("medicaid");
    req["patients"][0]["treatment_plan"]["last_progress_report"] = json!("2025-11-01");
    let f = expect(&req, Rule::ProgressReportOverdue, 1);
    assert!(f[0].message().contains("121 days"), "{}", f[0].message());
    // 90 days exactly is still current under medicaid; commercial wants 30.
    req["patients"][0]["treatment_plan"]["last_progress_report"] = json!("2025-12-02");
    expect(&req, Rule::ProgressReportOverdue, 0);
    req["policy"] = json!("commercial");
    e1(&mut req)["billed"]["modifiers"] = json!([]);
    expect(&req, Rule::ProgressReportOverdue, 1);
    req["patients"][0]["treatment_plan"]
        .as_object_mut()
        .unwrap()
        .remove("last_progress_report");
    let f = expect(&req, Rule::ProgressReportOverdue, 1);
    assert!(f[0].message().contains("no progress report"));
}

#[test]
fn prior_authorization() {
    let mut req = clean("commercial");
    req["patients"][0]["authorizations"] = json!([]);
    expect(&req, Rule::PriorAuthorizationMissing, 1);
    expect(&clean("medicaid"), Rule::PriorAuthorizationMissing, 0);

    let mut req = clean("commercial");
    req["patients"][0]["authorizations"][0]["codes"] = json!(["H2024"]);
    expect(&req, Rule::AuthorizationCodeMismatch, 1);

    let mut req = clean("commercial");
    req["patients"][0]["authorizations"][0]["end"] = json!("2026-02-28");
    expect(&req, Rule::AuthorizationExpired, 1);

    // 38 used of 40: this line's 3 units pass by 1; a later day's line is all beyond.
    let mut req = clean("commercial");
    req["patients"][0]["authorizations"][0]["units_used"] = json!(38);
    let mut later = e1(&mut req).clone();
    later["id"] = json!("e2");
    later["start"] = json!("2026-03-03T09:00:00-05:00");
    later["end"] = json!("2026-03-03T09:45:00-05:00");
    req["encounters"].as_array_mut().unwrap().push(later);
    let f = expect(&req, Rule::AuthorizationExceeded, 2);
    assert!(f[0].message().contains("by 1 units"), "{}", f[0].message());
    assert_eq!(f[0].encounter.as_deref(), Some("e1"));
    assert!(f[1].message().contains("used up"), "{}", f[1].message());

    // Above 8 units a day only (Arizona Complete Health style).
    let mut req = clean("medicaid");
    req["policy"] = json!({"id": "az", "extends": "medicaid", "prior_authorization": {"above_units_per_day": 8}});
    req["patients"][0]["authorizations"] = json!([]);
    expect(&req, Rule::PriorAuthorizationMissing, 0);
    e1(&mut req)["end"] = json!("2026-03-02T11:30:00-05:00"); // 150 minutes: 10 units of H2014
    e1(&mut req)["code"] = json!("H2014");
    e1(&mut req)["billed"]["units"] = json!(10);
    expect(&req, Rule::PriorAuthorizationMissing, 1);
}

#[test]
fn overlaps_and_duplicates() {
    let mut req = clean("medicaid");
    let mut therapy = e1(&mut req).clone();
    therapy["id"] = json!("psy");
    therapy["service"] = json!("psychotherapy");
    therapy["start"] = json!("2026-03-02T09:30:00-05:00");
    therapy["end"] = json!("2026-03-02T10:20:00-05:00");
    therapy.as_object_mut().unwrap().remove("billed");
    req["encounters"]
        .as_array_mut()
        .unwrap()
        .push(therapy.clone());
    let f = expect(&req, Rule::OverlappingServices, 1);
    assert_eq!(f[0].encounter.as_deref(), Some("psy"));
    // The earlier encounter is named in the data, never in the message.
    assert_eq!(
        f[0].data,
        Data::Overlap {
            other: "e1".into(),
            service: Service::Psychotherapy,
            other_service: Service::SkillsTraining
        }
    );
    assert!(!f[0].message().contains("e1"));
    // Back to back is not an overlap.
    therapy["start"] = json!("2026-03-02T09:45:00-05:00");
    req["encounters"][1] = therapy;
    expect(&req, Rule::OverlappingServices, 0);

    // One provider, two patients, individual sessions at once.
    let mut req = clean("medicaid");
    let mut other = e1(&mut req).clone();
    other["id"] = json!("e2");
    other["patient"] = json!("p2");
    let mut p2 = req["patients"][0].clone();
    p2["id"] = json!("p2");
    req["patients"].as_array_mut().unwrap().push(p2);
    req["encounters"]
        .as_array_mut()
        .unwrap()
        .push(other.clone());
    expect(&req, Rule::ProviderOverlap, 1);
    expect(&req, Rule::OverlappingServices, 0);
    // As a group session it is fine.
    for i in 0..2 {
        req["encounters"][i]["group_size"] = json!(2);
        req["encounters"][i]["billed"]["modifiers"] = json!(["HO", "HQ", "TS"]);
    }
    expect(&req, Rule::ProviderOverlap, 0);

    // The same session twice.
    let mut req = clean("medicaid");
    let mut dup = e1(&mut req).clone();
    dup["id"] = json!("e1-again");
    req["encounters"].as_array_mut().unwrap().push(dup);
    let f = expect(&req, Rule::DuplicateEncounter, 1);
    assert_eq!(f[0].encounter.as_deref(), Some("e1-again"));
    expect(&req, Rule::OverlappingServices, 0);
}

#[test]
fn findings_never_change_lines() {
    let clean_lines = eval(&clean("medicaid")).lines;
    let mut messy = clean("medicaid");
    let e = e1(&mut messy);
    e["educational"] = json!(true);
    e.as_object_mut().unwrap().remove("documentation");
    e["billed"] = json!({"code": "H2024", "modifiers": ["GT", "ZZ", "HN", "HO"], "units": 7.5, "place_of_service": "03"});
    messy["patients"][0]
        .as_object_mut()
        .unwrap()
        .remove("treatment_plan");
    messy["patients"][0]["authorizations"] = json!([]);
    let r = eval(&messy);
    assert!(r.findings.len() >= 8, "{:#?}", r.findings);
    // What the line bills; which authorization it draws on depends on the authorizations
    // on file, which the messy request removes.
    assert_eq!(billed(r.lines), billed(clean_lines));
}

/// The lines without what they draw on the authorizations on file.
fn billed(mut lines: Vec<h2024::Line>) -> Vec<h2024::Line> {
    for line in &mut lines {
        line.authorization = None;
        line.authorization_units_remaining = None;
    }
    lines
}

#[test]
fn absurd_list_sizes_are_refused_not_processed() {
    // Thousands of billed modifiers: one invalid_encounter, not a quadratic blow-up.
    let mut req = clean("medicaid");
    e1(&mut req)["billed"]["modifiers"] = json!(vec!["HO"; 4000]);
    let r = eval(&req);
    assert_eq!(fired(&r, Rule::InvalidEncounter).len(), 1);
    assert!(
        fired(&r, Rule::InvalidEncounter)[0]
            .message()
            .contains("billed.modifiers")
    );
    assert_eq!(fired(&r, Rule::ConflictingModifiers).len(), 0);
    // Up to ten are audited; a pair repeated is reported once.
    e1(&mut req)["billed"]["modifiers"] = json!(["HO", "TS", "HO", "HO"]);
    let f = expect(&req, Rule::ConflictingModifiers, 1);
    assert!(f[0].message().contains("twice"), "{}", f[0].message());
    // A patient with a thousand goals is refused as a whole, naming the path.
    let mut req = clean("medicaid");
    let goal = json!({"id": "g", "skills": ["budgeting"], "deficit": "x"});
    req["patients"][0]["treatment_plan"]["goals"] = json!(vec![goal; 1000]);
    let err = Engine::default()
        .evaluate_json(&req.to_string())
        .unwrap_err();
    assert_eq!(err.path(), Some("patients[0].treatment_plan.goals"));
}

#[test]
fn a_cap_that_leaves_no_unit_is_reported_on_every_encounter() {
    let mut req = clean("medicaid");
    req["policy"] = json!({"id": "cap", "extends": "medicaid", "max_units_per_day": {"H2017": 2}});
    let mut a = e1(&mut req).clone();
    a["service"] = json!("psychosocial_rehabilitation");
    a.as_object_mut().unwrap().remove("billed");
    let mut b = a.clone();
    b["id"] = json!("b");
    b["provider"] = json!("pr2");
    b["start"] = json!("2026-03-02T10:00:00-05:00");
    b["end"] = json!("2026-03-02T10:30:00-05:00");
    let mut c = b.clone();
    c["id"] = json!("c");
    c["start"] = json!("2026-03-02T11:00:00-05:00");
    c["end"] = json!("2026-03-02T11:30:00-05:00");
    req["encounters"] = json!([a, b, c]);
    let r = eval(&req);
    // a: 45 minutes = 3 units, cut to 2; b + c (same line, pr2) = 4 units, cut to 0.
    assert_eq!(r.lines.len(), 1);
    assert_eq!(r.lines[0].units, 2);
    for id in ["e1", "b", "c"] {
        assert!(
            r.findings
                .iter()
                .any(|f| f.rule == Rule::UnitsExceedDailyMaximum
                    && f.encounter.as_deref() == Some(id)),
            "{id}: {:#?}",
            r.findings
        );
    }
}

#[test]
fn billed_units_against_a_capped_line_name_the_cap() {
    let mut req = clean("medicaid");
    req["policy"] = json!({"id": "cap", "extends": "medicaid", "max_units_per_day": {"H2014": 2}});
    let f = expect(&req, Rule::BilledUnitsMismatch, 1);
    assert!(f[0].message().contains("daily cap"), "{}", f[0].message());
}

#[test]
fn provider_overlap_with_another_patient_behind_a_longer_session() {
    // pr1: A (p1) 09:00-11:00, B (p2) 09:10-10:30, C (p1) 09:20-09:40.
    // B overlaps A; C overlaps B, another patient's session, though A runs longer.
    let mut req = clean("medicaid");
    let mut p2 = req["patients"][0].clone();
    p2["id"] = json!("p2");
    req["patients"].as_array_mut().unwrap().push(p2);
    let base = e1(&mut req).clone();
    let session = |id: &str, patient: &str, start: &str, end: &str| {
        let mut e = base.clone();
        e["id"] = json!(id);
        e["patient"] = json!(patient);
        e["start"] = json!(format!("2026-03-02T{start}:00-05:00"));
        e["end"] = json!(format!("2026-03-02T{end}:00-05:00"));
        e.as_object_mut().unwrap().remove("billed");
        e
    };
    req["encounters"] = json!([
        session("A", "p1", "09:00", "11:00"),
        session("B", "p2", "09:10", "10:30"),
        session("C", "p1", "09:20", "09:40"),
    ]);
    let f = expect(&req, Rule::ProviderOverlap, 2);
    let flagged: Vec<_> = f.iter().map(|f| f.encounter.clone().unwrap()).collect();
    assert_eq!(flagged, ["B", "C"]);
    assert_eq!(f[1].data, Data::ProviderOverlap { other: "B".into() });
}

#[test]
fn duplicates_documented_by_total_minutes() {
    let mut req = clean("medicare");
    let e = e1(&mut req);
    total_minutes_only(e, 38);
    let mut again = e.clone();
    again["id"] = json!("e1-again");
    req["encounters"]
        .as_array_mut()
        .unwrap()
        .push(again.clone());
    let f = expect(&req, Rule::DuplicateEncounter, 1);
    assert_eq!(f[0].encounter.as_deref(), Some("e1-again"));
    // A different number of minutes is another session.
    again["minutes"] = json!(20);
    req["encounters"][1] = again;
    expect(&req, Rule::DuplicateEncounter, 0);
}

#[test]
fn a_rejected_encounter_never_displaces_a_valid_one() {
    let mut req = clean("medicaid");
    let mut bad = e1(&mut req).clone();
    bad["start"] = json!("yesterday");
    let good = e1(&mut req).clone();
    req["encounters"] = json!([bad, good]);
    let r = eval(&req);
    let invalid = fired(&r, Rule::InvalidEncounter);
    assert_eq!(invalid.len(), 1, "{:#?}", r.findings);
    assert_eq!(invalid[0].element, None);
    assert!(matches!(&invalid[0].data, Data::InvalidField { field, .. } if field == "start"));
    // The valid encounter with the same id is coded and billed.
    assert_eq!(r.decisions[1].code, Some(h2024::Code::H2014));
    assert_eq!(r.lines.len(), 1);
}

#[test]
fn rule_ids_are_stable() {
    // The ids are part of the public contract: renaming one breaks billing systems.
    let ids: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
    assert_eq!(
        ids,
        [
            "request_refused",
            "invalid_encounter",
            "missing_session_times",
            "below_minimum_time",
            "service_out_of_scope",
            "policy_not_in_effect",
            "code_not_covered",
            "provider_not_eligible",
            "educational_purpose",
            "modality_not_covered",
            "missing_required_modifier",
            "invalid_modifier",
            "conflicting_modifiers",
            "too_many_modifiers",
            "early_intervention_age",
            "place_of_service_mismatch",
            "billed_code_mismatch",
            "billed_units_mismatch",
            "unrounded_units",
            "units_exceed_daily_maximum",
            "no_treatment_plan",
            "skill_not_in_treatment_plan",
            "goal_without_deficit",
            "missing_documentation",
            "progress_report_overdue",
            "prior_authorization_missing",
            "authorization_expired",
            "authorization_code_mismatch",
            "authorization_exceeded",
            "authorization_near_limit",
            "overlapping_services",
            "provider_overlap",
            "duplicate_encounter",
            "other_timed_service_ignored",
            "fee_not_found",
            "too_many_diagnoses",
            "invalid_evv_visit",
            "evv_visit_missing",
            "evv_visit_unverified",
            "evv_time_mismatch",
            "evv_units_exceeded",
        ]
    );
}
