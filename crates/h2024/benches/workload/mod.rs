//! The benchmark workload: a month of a practice's documented sessions.
//!
//! `n` encounters spread over 30 days, 1,000 patients (each with a treatment plan) and 50
//! providers, mixing services, settings, modalities and group sessions. Every encounter is
//! fully documented, so the findings are the typical few rather than one per missing element.
//! The same `n` always gives the same document.
//!
//! In the benchmark month the practice does not grow with `n` ([`Practice::FIXED`]): a
//! larger month crowds each patient's and each provider's days. From about 10k encounters
//! providers overlap (`provider_overlap`), from about 100k patients' sessions overlap
//! (`overlapping_services`) and repeat (`duplicate_encounter`); findings per encounter go
//! from 0 at 1k to 0.69 at 10k, 1.34 at 100k and 1.93 at 1M, and lines merge (37k lines for
//! 100k encounters, 70k for 1M). Growth per encounter across sizes is therefore more work
//! per encounter as well as scaling. [`Practice::growing`] keeps the crowding of the 10k
//! month at every size (the practice grows with `n`), so that growth across sizes is
//! scaling alone.
//!
//! Shared by `benches/evaluate.rs` (`mod workload;`) and `examples/scale.rs`
//! (`#[path = "../benches/workload/mod.rs"]`). It lives in a folder so that Cargo does not
//! take it for a benchmark of its own. The JSON is written as text, not built as a
//! `serde_json::Value`, so that generating a million encounters costs little more memory
//! than the request itself.
// Each includer uses a different part of it.
#![allow(dead_code)]

use std::fmt::Write as _;

use h2024::{Encounter, Engine, Request};

/// Patients in the fixed practice.
pub const PATIENTS: usize = 1_000;
/// Rendering providers in the fixed practice.
pub const PROVIDERS: usize = 50;
/// Encounters a month of the fixed practice holds before a growing practice grows.
const MONTH: usize = 10_000;

/// The practice whose month is generated: how many patients and providers share the
/// encounters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Practice {
    /// Patients; encounter `i` is patient `(31 i) mod patients`.
    pub patients: usize,
    /// Rendering providers; encounter `i` is provider `(17 i) mod providers`.
    pub providers: usize,
}

impl Practice {
    /// The benchmark practice: 1,000 patients and 50 providers, whatever the size.
    pub const FIXED: Practice = Practice {
        patients: PATIENTS,
        providers: PROVIDERS,
    };

    /// A practice as crowded as the fixed one is by a 10k month: `k` times its patients and
    /// providers for `n` encounters, `k` = `n` / 10,000 (at least 1), raised past multiples
    /// of 17 and 31 so that the strides above still reach every patient and provider. Below
    /// 20k encounters it is the fixed practice.
    pub fn growing(n: usize) -> Practice {
        let mut k = (n / MONTH).max(1);
        while k % 17 == 0 || k % 31 == 0 {
            k += 1;
        }
        Practice {
            patients: PATIENTS * k,
            providers: PROVIDERS * k,
        }
    }

    fn patient_of(self, i: usize) -> usize {
        (i * 31) % self.patients
    }

    fn provider_of(self, i: usize) -> usize {
        (i * 17) % self.providers
    }
}

/// Whether the request asks for the explained response (the default, no `explain` field)
/// or the compact one (`"explain": false`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Explain {
    /// No `explain` field: the engine explains every decision (today's output).
    Default,
    /// `"explain": false`: the compact response.
    Off,
}

const SERVICES: [&str; 5] = [
    "skills_training",
    "skills_training",
    "psychosocial_rehabilitation",
    "supported_employment",
    "self_care_training",
];
const SETTINGS: [&str; 4] = ["home", "clinic", "community", "school"];
const CREDENTIALS: [&str; 3] = ["masters", "bachelors", "paraprofessional"];

/// Bytes of one encounter's JSON, a little more than the longest (387), to reserve the request.
const ENCOUNTER_BYTES: usize = 400;

/// The request JSON for encounters `0..n` of `practice` under `policy`.
pub fn request(practice: Practice, n: usize, policy: &str, explain: Explain) -> String {
    let mut out = String::with_capacity(200 * practice.patients + n * ENCOUNTER_BYTES);
    open(&mut out, policy, explain, practice);
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        encounter(&mut out, practice, i);
    }
    out.push_str("]}");
    out
}

/// The typed request for encounters `0..n` of `practice` under `policy`: the same document
/// as [`request`], parsed one encounter at a time so that the whole text never exists.
pub fn typed(practice: Practice, n: usize, policy: &str) -> Request {
    let mut head = String::new();
    open(&mut head, policy, Explain::Default, practice);
    head.push_str("]}");
    let mut request: Request = serde_json::from_str(&head).expect("the workload is valid");
    request.encounters.reserve_exact(n);
    let mut text = String::with_capacity(ENCOUNTER_BYTES);
    for i in 0..n {
        text.clear();
        encounter(&mut text, practice, i);
        let parsed: Encounter = serde_json::from_str(&text).expect("the workload is valid");
        request.encounters.push(parsed);
    }
    request
}

/// A request with the single encounter `i` of the fixed practice's month, its patient and
/// its provider.
pub fn single(i: usize, policy: &str, explain: Explain) -> String {
    let practice = Practice::FIXED;
    let (patient, provider) = (practice.patient_of(i), practice.provider_of(i));
    let mut out = String::new();
    start(&mut out, policy, explain);
    people(&mut out, patient..patient + 1, provider..provider + 1);
    encounter(&mut out, practice, i);
    out.push_str("]}");
    out
}

/// Whether `engine` takes `"explain": false`. Until it does, it refuses the field (unknown
/// field, `invalid_request`) and the compact measurements are reported as not available.
pub fn compact_supported(engine: &Engine) -> bool {
    engine
        .evaluate_json(&single(1, "medicaid", Explain::Off))
        .is_ok()
}

/// Everything up to the first encounter: `{"policy":...,"patients":[...],...,"encounters":[`.
fn open(out: &mut String, policy: &str, explain: Explain, practice: Practice) {
    start(out, policy, explain);
    people(out, 0..practice.patients, 0..practice.providers);
}

/// `{"policy":...,` and the `explain` field if any.
fn start(out: &mut String, policy: &str, explain: Explain) {
    // Policy ids are plain words: no JSON escaping needed.
    assert!(
        policy
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
    write!(out, r#"{{"policy":"{policy}","#).unwrap();
    if explain == Explain::Off {
        out.push_str(r#""explain":false,"#);
    }
}

/// `"patients":[...],"providers":[...],"encounters":[`.
fn people(out: &mut String, patients: std::ops::Range<usize>, providers: std::ops::Range<usize>) {
    out.push_str(r#""patients":["#);
    for (k, i) in patients.enumerate() {
        if k > 0 {
            out.push(',');
        }
        write!(
            out,
            r#"{{"id":"p{i}","treatment_plan":{{"goals":[{{"id":"g1","skills":["budgeting","meal_preparation"],"deficit":"cannot manage monthly bills"}}],"last_progress_report":"2026-02-20"}}}}"#
        )
        .unwrap();
    }
    out.push_str(r#"],"providers":["#);
    for (k, i) in providers.enumerate() {
        if k > 0 {
            out.push(',');
        }
        let discipline = if i % 10 == 0 {
            "occupational_therapy"
        } else {
            "behavioral_health"
        };
        let credential = CREDENTIALS[i % CREDENTIALS.len()];
        write!(
            out,
            r#"{{"id":"pr{i}","credential":"{credential}","discipline":"{discipline}"}}"#
        )
        .unwrap();
    }
    out.push_str(r#"],"encounters":["#);
}

/// Encounter `i` of `practice`'s month.
fn encounter(out: &mut String, practice: Practice, i: usize) {
    let day = 1 + (i / 7) % 30;
    let hour = 8 + (i % 9);
    let minutes = 10 + (i * 7) % 110;
    let end = hour * 60 + minutes;
    write!(
        out,
        r#"{{"id":"e{i}","patient":"p{patient}","provider":"pr{provider}","service":"{service}","setting":"{setting}","modality":"{modality}","follow_up":{follow_up},"group_size":{group_size},"start":"2026-03-{day:02}T{hour:02}:00:00-05:00","end":"2026-03-{day:02}T{end_h:02}:{end_m:02}:00-05:00","documentation":{{"skills_taught":["budgeting"],"participation":"active","progress":"paid two bills","techniques":["modeling"],"objectives":["g1"]}}}}"#,
        patient = practice.patient_of(i),
        provider = practice.provider_of(i),
        service = SERVICES[i % SERVICES.len()],
        setting = SETTINGS[i % SETTINGS.len()],
        modality = if i % 11 == 0 {
            "audio_video"
        } else {
            "in_person"
        },
        follow_up = i % 3 != 0,
        group_size = if i % 13 == 0 { 4 } else { 1 },
        end_h = end / 60,
        end_m = end % 60,
    )
    .unwrap();
}
