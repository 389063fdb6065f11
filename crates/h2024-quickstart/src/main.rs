//! The main job: a documented day of sessions, evaluated under each built-in policy.
//!
//! ```text
//! cargo run -p h2024-quickstart
//! ```
//!
//! Each built-in policy (`medicaid`, `commercial`, `medicare`) gets a day of the sessions its
//! payer covers, documented as that payer wants: a treatment plan with a functional deficit
//! for every goal, a recent progress report, a prior authorization, and a full note for
//! every session. So no finding is expected. For each encounter it prints the claim line
//! (code, units, minutes, modifiers, place of service), the reasons for the code and the
//! codes turned down, and any finding. `cargo run --example scrub` shows a day with the
//! mistakes a payer would deny it for, and corrected.
//!
//! It exits 1 if a day that should be clean gets a finding, 2 if a request is refused.

use h2024::explain::Turndown;
use h2024::{Engine, Response};
use serde_json::{Value, json};

/// The practice's patients: each with a treatment plan (every goal with its deficit), a
/// progress report two weeks old, and an authorization for the month.
fn patients() -> Value {
    let plan = |goals: Value| json!({"goals": goals, "last_progress_report": "2026-02-16"});
    let authorization = json!([{"number": "A-2026-03", "codes": ["H2024", "H2014", "H2017", "97535"],
                                "start": "2026-03-01", "end": "2026-03-31",
                                "units_authorized": 60, "units_used": 10}]);
    json!([
        {"id": "pat-1001", "birth_date": "1990-06-01", "authorizations": authorization,
         "treatment_plan": plan(json!([
             {"id": "g1", "skills": ["budgeting"], "deficit": "misses rent and utility payments"},
             {"id": "g2", "skills": ["meal_preparation"], "deficit": "no safe stove use"},
             {"id": "g3", "skills": ["coping"], "deficit": "leaves shops when anxious"}]))},
        {"id": "pat-1002", "birth_date": "2024-01-15", "authorizations": authorization,
         "treatment_plan": plan(json!([
             {"id": "g1", "skills": ["turn_taking"], "deficit": "cannot wait for a turn in play"}]))},
        {"id": "pat-1003", "birth_date": "1948-11-30", "authorizations": authorization,
         "treatment_plan": plan(json!([
             {"id": "g1", "skills": ["dressing"], "deficit": "needs help with buttons after a stroke"}]))}
    ])
}

fn providers() -> Value {
    json!([
        {"id": "skills-ma", "credential": "masters", "discipline": "behavioral_health"},
        {"id": "peer-para", "credential": "paraprofessional", "discipline": "behavioral_health"},
        {"id": "ot-ms", "credential": "masters", "discipline": "occupational_therapy"},
        {"id": "pta", "credential": "associate", "discipline": "physical_therapy", "assistant": true}
    ])
}

/// A session's note with every element a payer looks for.
fn note(skill: &str, goal: &str, progress: &str) -> Value {
    json!({"skills_taught": [skill], "participation": "active, asked questions",
           "progress": progress, "techniques": ["modeling", "role_play"], "objectives": [goal]})
}

/// The day's sessions, chosen for the payer of `policy`: what it covers, as it wants it.
fn encounters(policy: &str) -> Value {
    let budgeting_45 = json!({"id": "budgeting-45", "patient": "pat-1001", "provider": "skills-ma",
        "service": "skills_training", "setting": "home", "follow_up": true,
        "start": "2026-03-02T09:00:00-05:00", "end": "2026-03-02T09:45:00-05:00",
        "documentation": note("budgeting", "g1", "paid two bills on time")});
    let meal_prep_60 = json!({"id": "meal-prep-60", "patient": "pat-1001", "provider": "peer-para",
        "service": "skills_training", "setting": "community",
        "start": "2026-03-02T13:00:00-05:00", "end": "2026-03-02T14:00:00-05:00",
        "documentation": note("meal_preparation", "g2", "followed a three-step recipe")});
    let adl_ot_33 = json!({"id": "adl-ot-33", "patient": "pat-1003", "provider": "ot-ms",
        "service": "self_care_training", "setting": "clinic",
        "start": "2026-03-02T11:00:00-05:00", "end": "2026-03-02T11:33:00-05:00",
        "documentation": note("dressing", "g1", "buttoned a shirt with one cue")});
    match policy {
        "medicaid" => json!([
            budgeting_45,
            meal_prep_60,
            {"id": "ei-group-30", "patient": "pat-1002", "provider": "skills-ma",
             "service": "skills_training", "setting": "clinic", "early_intervention": true,
             "group_size": 4,
             "start": "2026-03-02T10:00:00-05:00", "end": "2026-03-02T10:30:00-05:00",
             "documentation": note("turn_taking", "g1", "waited for a turn three times")},
            {"id": "rehab-video-38", "patient": "pat-1001", "provider": "skills-ma",
             "service": "psychosocial_rehabilitation", "setting": "home", "modality": "audio_video",
             "start": "2026-03-03T08:00:00-05:00", "end": "2026-03-03T08:38:00-05:00",
             "documentation": note("coping", "g3", "named two calming steps")},
            adl_ot_33
        ]),
        "commercial" => json!([
            budgeting_45,
            meal_prep_60,
            {"id": "budget-video-38", "patient": "pat-1001", "provider": "skills-ma",
             "service": "skills_training", "setting": "home", "modality": "audio_video",
             "start": "2026-03-03T08:00:00-05:00", "end": "2026-03-03T08:38:00-05:00",
             "documentation": note("budgeting", "g1", "set up two automatic payments")},
            adl_ot_33
        ]),
        _ => json!([
            {"id": "adl-ot-33", "patient": "pat-1003", "provider": "ot-ms",
             "service": "self_care_training", "setting": "clinic",
             "start": "2026-03-02T11:00:00-05:00", "end": "2026-03-02T11:33:00-05:00",
             "other_timed_services": [{"code": "97140", "minutes": 7}],
             "documentation": note("dressing", "g1", "buttoned a shirt with one cue")},
            {"id": "adl-pta-20", "patient": "pat-1003", "provider": "pta",
             "service": "self_care_training", "setting": "clinic",
             "date": "2026-03-04", "minutes": 20,
             "documentation": note("dressing", "g1", "put on shoes without help")},
            {"id": "adl-ot-video-25", "patient": "pat-1003", "provider": "ot-ms",
             "service": "self_care_training", "setting": "home", "modality": "audio_video",
             "start": "2026-03-05T10:00:00-05:00", "end": "2026-03-05T10:25:00-05:00",
             "documentation": note("dressing", "g1", "chose clothes for the weather")}
        ]),
    }
}

fn print(response: &Response, description: &str) {
    println!("== policy {}: {description}", response.policy);
    println!(
        "{:<16} {:<6} {:>5} {:>7}  {:<12} {:<3}",
        "encounter", "code", "units", "minutes", "modifiers", "pos"
    );
    for decision in &response.decisions {
        let line = decision.line.map(|i| &response.lines[i]);
        let code = decision.code.as_ref().map(|c| c.as_str()).unwrap_or("-");
        let (units, minutes, modifiers, pos) = match line {
            Some(l) => (
                l.units.to_string(),
                l.minutes.to_string(),
                l.modifiers
                    .iter()
                    .map(|m| m.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                l.place_of_service.as_str(),
            ),
            None => ("-".into(), "-".into(), "-".into(), "-"),
        };
        println!(
            "{:<16} {:<6} {:>5} {:>7}  {:<12} {:<3}",
            decision.encounter, code, units, minutes, modifiers, pos
        );
        // Typed reasons, rendered here at the edge.
        for reason in &decision.reasons {
            println!("    why  {reason}");
        }
        // Codes for other services are listed together; the close calls get their reason.
        let (other_services, considered): (Vec<_>, Vec<_>) =
            decision.alternatives.iter().partition(|a| {
                matches!(
                    a.why,
                    Turndown::OtherService { .. } | Turndown::DoesNotBill { .. }
                )
            });
        for alt in considered {
            println!("    not  {}: {}", alt.code, alt.reason());
        }
        if !other_services.is_empty() {
            let codes: Vec<&str> = other_services.iter().map(|a| a.code.as_str()).collect();
            println!("    not  {}: codes for other services", codes.join(", "));
        }
        for finding in response
            .findings
            .iter()
            .filter(|f| f.encounter.as_deref() == Some(decision.encounter.as_str()))
        {
            println!(
                "    {:<7} {} (CARC {}): {}",
                finding.severity.as_str(),
                finding.rule.id(),
                finding.carc.as_deref().unwrap_or("-"),
                finding.message()
            );
        }
    }
    println!("findings: {}", response.findings.len());
    println!();
}

fn main() {
    let engine = Engine::default();
    let mut findings = 0;
    for policy in ["medicaid", "commercial", "medicare"] {
        let request = json!({"policy": policy, "patients": patients(), "providers": providers(),
                             "encounters": encounters(policy)});
        let description = engine
            .policy(policy)
            .map(|p| p.description().to_owned())
            .unwrap_or_default();
        match engine.evaluate_json_to_response(&request.to_string()) {
            Ok(response) => {
                findings += response.findings.len();
                print(&response, &description);
            }
            Err(e) => {
                eprintln!("quickstart: {e}");
                std::process::exit(2);
            }
        }
    }
    println!(
        "Every session above is documented as its payer wants, so no finding. For the findings \
         a payer would deny a claim for, and how to correct them: cargo run --example scrub"
    );
    if findings > 0 {
        eprintln!("quickstart: {findings} findings on days that should be clean");
        std::process::exit(1);
    }
}
