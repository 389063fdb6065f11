//! Scrubbing a small practice's day before the claims go out.
//!
//! ```text
//! cargo run --example scrub
//! ```
//!
//! The same day is evaluated twice: first as the staff entered it, with the mistakes a
//! payer would deny, then corrected. For each encounter the engine's line and every
//! finding are printed, grouped by encounter.

use h2024::{Engine, Response, Severity};
use serde_json::{Value, json};

fn note() -> Value {
    json!({"skills_taught": ["budgeting"], "participation": "active, asked questions",
           "progress": "balanced the checkbook with one prompt", "techniques": ["modeling", "role_play"],
           "objectives": ["g1"], "challenges": "lost focus after 30 minutes", "adjustments": "short breaks"})
}

fn practice_day(corrected: bool) -> Value {
    let plan = json!({
        "goals": [
            {"id": "g1", "skills": ["budgeting", "bill_paying"], "deficit": "misses rent and utility payments"},
            {"id": "g2", "skills": ["meal_preparation"],
             "deficit": if corrected { json!("relies on take-out; no safe stove use") } else { Value::Null }}
        ],
        "last_progress_report": if corrected { "2026-02-20" } else { "2025-10-15" }
    });
    let meal_note = json!({"skills_taught": ["meal_preparation"], "participation": "engaged",
                           "progress": "followed a three-step recipe", "techniques": ["didactic", "modeling"],
                           "objectives": ["g2"]});
    let encounters = json!([
        // Skills training at home, 45 minutes. Mistakes: no provider-level modifier, billed
        // as one hour of H2024.
        {"id": "0302-ana-am", "patient": "pat-ana", "provider": "kim-ma", "service": "skills_training",
         "setting": "home", "follow_up": true,
         "start": "2026-03-02T09:00:00-05:00", "end": "2026-03-02T09:45:00-05:00",
         "documentation": note(),
         "billed": if corrected {
             json!({"code": "H2014", "modifiers": ["HO", "TS"], "units": 3, "place_of_service": "12"})
         } else {
             json!({"code": "H2024", "modifiers": ["TS"], "units": 1, "place_of_service": "12"})
         }},
        // Meal preparation in the community. Mistakes: the addressed goal has no deficit on
        // file, the note lacks participation, and the place of service says office.
        {"id": "0302-ana-pm", "patient": "pat-ana", "provider": "lee-ba", "service": "skills_training",
         "setting": "community",
         "start": "2026-03-02T13:00:00-05:00", "end": "2026-03-02T14:00:00-05:00",
         "documentation": if corrected { meal_note.clone() } else {
             let mut n = meal_note.clone();
             n.as_object_mut().map(|o| o.remove("participation"));
             n
         },
         "billed": {"code": "H2024", "modifiers": ["HN"], "units": 1,
                    "place_of_service": if corrected { "99" } else { "11" }}},
        // Video session entered with 2.5 units and the commercial modifier 95.
        {"id": "0302-ben-video", "patient": "pat-ben", "provider": "kim-ma", "service": "skills_training",
         "setting": "home", "modality": "audio_video",
         "start": "2026-03-02T10:00:00-05:00", "end": "2026-03-02T10:38:00-05:00",
         "documentation": note(),
         "billed": if corrected {
             json!({"code": "H2014", "modifiers": ["HO", "GT"], "units": 3, "place_of_service": "10"})
         } else {
             json!({"code": "H2014", "modifiers": ["HO", "95"], "units": 2.5, "place_of_service": "12"})
         }},
        // Psychotherapy by another clinician, entered as overlapping the video session.
        {"id": "0302-ben-therapy", "patient": "pat-ben", "provider": "dr-ortiz", "service": "psychotherapy",
         "setting": "clinic",
         "start": if corrected { "2026-03-02T11:00:00-05:00" } else { "2026-03-02T10:30:00-05:00" },
         "end": if corrected { "2026-03-02T11:50:00-05:00" } else { "2026-03-02T11:20:00-05:00" }},
        // The morning session entered twice by two staff members (removed when corrected).
        {"id": "0302-ana-am-dup", "patient": "pat-ana", "provider": "kim-ma", "service": "skills_training",
         "setting": "home", "follow_up": true,
         "start": "2026-03-02T09:00:00-05:00", "end": "2026-03-02T09:45:00-05:00",
         "documentation": note()}
    ]);
    let mut encounters = encounters.as_array().cloned().unwrap_or_default();
    if corrected {
        encounters.retain(|e| e["id"] != "0302-ana-am-dup");
    }
    json!({
        "policy": "medicaid",
        "patients": [
            {"id": "pat-ana", "treatment_plan": plan},
            {"id": "pat-ben", "treatment_plan": {
                "goals": [{"id": "g1", "skills": ["budgeting"], "deficit": "cannot track spending"}],
                "last_progress_report": "2026-02-01"}}
        ],
        "providers": [
            {"id": "kim-ma", "credential": "masters", "discipline": "behavioral_health"},
            {"id": "lee-ba", "credential": "bachelors", "discipline": "behavioral_health"},
            {"id": "dr-ortiz", "credential": "doctoral", "discipline": "behavioral_health"}
        ],
        "encounters": encounters
    })
}

fn print(title: &str, response: &Response) {
    println!("=== {title}");
    for decision in &response.decisions {
        let line = decision.line.map(|i| &response.lines[i]);
        match line {
            Some(l) => println!(
                "{}: {} x {} [{}] POS {}",
                decision.encounter,
                l.code,
                l.units,
                l.modifiers
                    .iter()
                    .map(|m| m.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                l.place_of_service
            ),
            None => println!(
                "{}: no line ({})",
                decision.encounter,
                decision
                    .code
                    .as_ref()
                    .map(|c| c.as_str())
                    .unwrap_or("not coded")
            ),
        }
        let mut any = false;
        for f in response
            .findings
            .iter()
            .filter(|f| f.encounter.as_deref() == Some(decision.encounter.as_str()))
        {
            any = true;
            println!(
                "    {:<7} {:<28} CARC {:<4} {}",
                f.severity.as_str(),
                f.rule.id(),
                f.carc.as_deref().unwrap_or("-"),
                f.message()
            );
        }
        if !any {
            println!("    clean");
        }
    }
    let count = |s: Severity| response.findings.iter().filter(|f| f.severity == s).count();
    println!(
        "--- {} errors, {} warnings, {} info\n",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    );
}

fn main() {
    let engine = Engine::default();
    for (title, corrected) in [("as entered", false), ("corrected", true)] {
        match engine.evaluate_json_to_response(&practice_day(corrected).to_string()) {
            Ok(response) => print(title, &response),
            Err(e) => {
                eprintln!("scrub: {e}");
                std::process::exit(2);
            }
        }
    }
}
