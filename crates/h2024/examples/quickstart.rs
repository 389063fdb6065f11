//! A day of skills-training sessions evaluated under each built-in policy.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! For each policy it prints one row per encounter (code, units, modifiers, place of
//! service), the reasons for the code, the codes turned down, and the findings.

use h2024::explain::Turndown;
use h2024::{Engine, Request, Response};
use serde_json::json;

fn day() -> serde_json::Value {
    json!({
        "patients": [
            {"id": "pat-1001", "birth_date": "1990-06-01"},
            {"id": "pat-1002", "birth_date": "2024-01-15"},
            {"id": "pat-1003", "birth_date": "1948-11-30"}
        ],
        "providers": [
            {"id": "skills-ma", "credential": "masters", "discipline": "behavioral_health"},
            {"id": "peer-para", "credential": "paraprofessional", "discipline": "behavioral_health"},
            {"id": "ot-ms", "credential": "masters", "discipline": "occupational_therapy"},
            {"id": "pta", "credential": "associate", "discipline": "physical_therapy", "assistant": true}
        ],
        "encounters": [
            {"id": "budgeting-45", "patient": "pat-1001", "provider": "skills-ma",
             "service": "skills_training", "setting": "home", "follow_up": true,
             "start": "2026-03-02T09:00:00-05:00", "end": "2026-03-02T09:45:00-05:00"},
            {"id": "meal-prep-60", "patient": "pat-1001", "provider": "peer-para",
             "service": "skills_training", "setting": "community",
             "start": "2026-03-02T13:00:00-05:00", "end": "2026-03-02T14:00:00-05:00"},
            {"id": "ei-group-30", "patient": "pat-1002", "provider": "skills-ma",
             "service": "skills_training", "setting": "clinic", "early_intervention": true,
             "group_size": 4,
             "start": "2026-03-02T10:00:00-05:00", "end": "2026-03-02T10:30:00-05:00"},
            {"id": "rehab-video-38", "patient": "pat-1001", "provider": "skills-ma",
             "service": "psychosocial_rehabilitation", "setting": "home", "modality": "audio_video",
             "start": "2026-03-03T08:00:00-05:00", "end": "2026-03-03T08:38:00-05:00"},
            {"id": "adl-ot-33", "patient": "pat-1003", "provider": "ot-ms",
             "service": "self_care_training", "setting": "clinic",
             "start": "2026-03-02T11:00:00-05:00", "end": "2026-03-02T11:33:00-05:00",
             "other_timed_services": [{"code": "97140", "minutes": 7}]},
            {"id": "adl-pta-20", "patient": "pat-1003", "provider": "pta",
             "service": "self_care_training", "setting": "clinic",
             "date": "2026-03-04", "minutes": 20},
            {"id": "phone-check-in", "patient": "pat-1001", "provider": "skills-ma",
             "service": "skills_training", "setting": "home", "modality": "audio_only",
             "start": "2026-03-04T16:00:00-05:00", "end": "2026-03-04T16:25:00-05:00"},
            {"id": "counselling", "patient": "pat-1001", "provider": "skills-ma",
             "service": "psychotherapy", "setting": "clinic",
             "start": "2026-03-05T09:00:00-05:00", "end": "2026-03-05T09:50:00-05:00"}
        ]
    })
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
    println!();
}

fn main() {
    let engine = Engine::default();
    for policy in ["medicaid", "commercial", "medicare"] {
        let mut request = day();
        request["policy"] = json!(policy);
        let request: Request = match serde_json::from_value(request) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("quickstart: bad request: {e}");
                std::process::exit(1);
            }
        };
        let description = engine
            .policy(policy)
            .map(|p| p.description().to_owned())
            .unwrap_or_default();
        match engine.try_evaluate(&request) {
            Ok(response) => print(&response, &description),
            Err(e) => {
                eprintln!("quickstart: {e}");
                std::process::exit(2);
            }
        }
    }
}
