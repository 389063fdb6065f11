//! `Engine::from_policies_json` on arbitrary text: never panics; every policy it accepts
//! evaluates a session and answers `units` for every code.
#![no_main]

use h2024::{Code, Engine};
use libfuzzer_sys::fuzz_target;

const ENCOUNTERS: &str = r#""patients": [{"id": "p1", "birth_date": "2024-01-15"}],
  "providers": [{"id": "pr1", "credential": "masters", "discipline": "behavioral_health"},
                {"id": "ot1", "credential": "masters", "discipline": "occupational_therapy"}],
  "encounters": [
    {"id": "e1", "patient": "p1", "provider": "pr1", "service": "skills_training",
     "setting": "home", "follow_up": true, "early_intervention": true, "group_size": 2,
     "start": "2026-03-02T09:00:00-05:00", "end": "2026-03-02T09:45:00-05:00"},
    {"id": "e2", "patient": "p1", "provider": "pr1", "service": "supported_employment",
     "setting": "community", "modality": "audio_video",
     "start": "2026-03-02T13:00:00-05:00", "end": "2026-03-02T16:10:00-05:00"},
    {"id": "e3", "patient": "p1", "provider": "ot1", "service": "self_care_training",
     "setting": "clinic", "date": "2026-03-03", "minutes": 38}]"#;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let engine = match Engine::from_policies_json(text) {
        Ok(engine) => engine,
        Err(err) => {
            let _ = err.to_string();
            return;
        }
    };
    for policy in engine.policies() {
        let request = format!(
            r#"{{"policy": {}, {ENCOUNTERS}}}"#,
            serde_json::to_string(policy.id()).unwrap()
        );
        let response = engine
            .evaluate_json_to_response(&request)
            .expect("a loaded policy evaluates");
        assert_eq!(response.decisions.len(), 3);
        for line in &response.lines {
            assert!(line.modifiers.len() <= 4);
        }
        for code in Code::ALL {
            for minutes in [0, 7, 8, 38, 60, 120, 1440] {
                engine
                    .units(policy.id(), code, minutes)
                    .expect("units for a known policy");
            }
        }
    }
});
