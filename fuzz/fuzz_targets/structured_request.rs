//! A structure-aware request: `arbitrary` builds a request of the right shape (ids from a
//! small set, so that patients, providers and encounters meet; times within a few weeks;
//! the vocabulary's values and a few wrong ones; at most 24 encounters, so that each run is
//! quick), written as JSON and evaluated.
//!
//! Invariants: the response reads back as a `Response`; exactly one decision per
//! encounter, in request order; a decision's line exists and holds its encounter; at most
//! four modifiers per line; a line has units only with minutes; the typed API
//! (`Request::from_json` then `Engine::evaluate`) gives the same answer as the JSON one;
//! the compact response is the explained one without its prose.
#![no_main]

use std::sync::LazyLock;

use arbitrary::Arbitrary;
use h2024::{Engine, Request, Response};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value, json};

static ENGINE: LazyLock<Engine> = LazyLock::new(Engine::default);

const POLICIES: [&str; 4] = ["medicaid", "commercial", "medicare", "nope"];
const CREDENTIALS: [&str; 6] = [
    "doctoral",
    "masters",
    "bachelors",
    "associate",
    "paraprofessional",
    "wizard",
];
const DISCIPLINES: [&str; 5] = [
    "behavioral_health",
    "occupational_therapy",
    "physical_therapy",
    "speech_therapy",
    "case_management",
];
const SERVICES: [&str; 7] = [
    "skills_training",
    "psychosocial_rehabilitation",
    "supported_employment",
    "self_care_training",
    "psychotherapy",
    "case_management",
    "juggling",
];
const SETTINGS: [&str; 5] = [
    "home",
    "clinic",
    "community",
    "school",
    "community_mental_health_center",
];
const MODALITIES: [&str; 3] = ["in_person", "audio_video", "audio_only"];
const CODES: [&str; 7] = [
    "H2024", "H2014", "H2017", "H2023", "97535", "97110", "h2014",
];
const MODIFIERS: [&str; 14] = [
    "HO", "HN", "HM", "HP", "HQ", "GT", "95", "93", "TS", "TL", "GO", "GP", "CQ", "U1",
];
const PLACES: [&str; 6] = ["12", "11", "99", "03", "10", "02"];
const OFFSETS: [&str; 3] = ["-05:00", "+00:00", "-04:00"];
const SKILLS: [&str; 3] = ["budgeting", " Budgeting ", "cooking"];

fn pick<'a>(list: &[&'a str], i: u8) -> &'a str {
    list[usize::from(i) % list.len()]
}

#[derive(Arbitrary, Debug)]
struct FuzzRequest {
    policy: Option<u8>,
    explain: bool,
    patients: Vec<FuzzPatient>,
    providers: Vec<FuzzProvider>,
    encounters: Vec<FuzzEncounter>,
}

#[derive(Arbitrary, Debug)]
struct FuzzPatient {
    id: u8,
    birth_year: Option<u8>,
    plan: Option<FuzzPlan>,
    authorization: Option<FuzzAuthorization>,
}

#[derive(Arbitrary, Debug)]
struct FuzzPlan {
    goals: Vec<(u8, u8, bool)>,
    last_progress_report_day: Option<u8>,
}

#[derive(Arbitrary, Debug)]
struct FuzzAuthorization {
    codes: Vec<u8>,
    start_day: u8,
    days: u8,
    authorized: u16,
    used: u16,
}

#[derive(Arbitrary, Debug)]
struct FuzzProvider {
    id: u8,
    credential: u8,
    discipline: u8,
    assistant: bool,
}

#[derive(Arbitrary, Debug)]
struct FuzzEncounter {
    id: u8,
    patient: u8,
    provider: u8,
    service: u8,
    setting: u8,
    modality: Option<u8>,
    time: FuzzTime,
    follow_up: bool,
    early_intervention: bool,
    group_size: Option<u8>,
    code: Option<u8>,
    other_timed: Vec<(u8, u8)>,
    documentation: Option<FuzzDocumentation>,
    educational: bool,
    billed: Option<FuzzBilled>,
}

#[derive(Arbitrary, Debug)]
enum FuzzTime {
    Clock {
        day: u8,
        start_minute: u16,
        minutes: i16,
        offset: u8,
    },
    Total {
        day: u8,
        minutes: u16,
    },
    None,
}

#[derive(Arbitrary, Debug)]
struct FuzzDocumentation {
    skills: Vec<u8>,
    participation: bool,
    progress: bool,
    techniques: u8,
    objectives: Vec<u8>,
}

#[derive(Arbitrary, Debug)]
struct FuzzBilled {
    code: u8,
    modifiers: Vec<u8>,
    units: u8,
    half_unit: bool,
    place: u8,
}

fn date(day: u8) -> String {
    // Fourteen days around the first of March 2026 (leap-free), some before the plan.
    let day = u32::from(day) % 40;
    if day < 28 {
        format!("2026-02-{:02}", day + 1)
    } else {
        format!("2026-03-{:02}", day - 27)
    }
}

fn clock(day: u8, minute: i32, offset: u8) -> String {
    let minute = minute.rem_euclid(24 * 60);
    format!(
        "{}T{:02}:{:02}:00{}",
        date(day),
        minute / 60,
        minute % 60,
        pick(&OFFSETS, offset)
    )
}

impl FuzzRequest {
    fn to_json(&self) -> Value {
        let mut request = Map::new();
        if let Some(p) = self.policy {
            request.insert("policy".into(), json!(pick(&POLICIES, p)));
        }
        request.insert("explain".into(), json!(self.explain));
        request.insert(
            "patients".into(),
            self.patients
                .iter()
                .take(6)
                .map(FuzzPatient::to_json)
                .collect(),
        );
        request.insert(
            "providers".into(),
            self.providers
                .iter()
                .take(4)
                .map(FuzzProvider::to_json)
                .collect(),
        );
        request.insert(
            "encounters".into(),
            self.encounters
                .iter()
                .take(24)
                .map(FuzzEncounter::to_json)
                .collect(),
        );
        Value::Object(request)
    }
}

impl FuzzPatient {
    fn to_json(&self) -> Value {
        let mut patient = Map::new();
        patient.insert("id".into(), json!(format!("p{}", self.id % 4)));
        if let Some(year) = self.birth_year {
            patient.insert(
                "birth_date".into(),
                json!(format!("{}-06-15", 1930 + u32::from(year % 100))),
            );
        }
        if let Some(plan) = &self.plan {
            let goals: Vec<Value> = plan
                .goals
                .iter()
                .take(8)
                .map(|&(id, skill, deficit)| {
                    let mut goal =
                        json!({"id": format!("g{}", id % 4), "skills": [pick(&SKILLS, skill)]});
                    if deficit {
                        goal["deficit"] = json!("cannot manage monthly bills");
                    }
                    goal
                })
                .collect();
            let mut plan_json = json!({"goals": goals});
            if let Some(day) = plan.last_progress_report_day {
                plan_json["last_progress_report"] = json!(date(day));
            }
            patient.insert("treatment_plan".into(), plan_json);
        }
        if let Some(a) = &self.authorization {
            let codes: Vec<&str> = a.codes.iter().take(6).map(|&c| pick(&CODES, c)).collect();
            let start = date(a.start_day);
            let end = date(a.start_day.saturating_add(a.days));
            patient.insert(
                "authorizations".into(),
                json!([{"number": "A-1", "codes": codes, "start": start, "end": end,
                        "units_authorized": a.authorized, "units_used": a.used}]),
            );
        }
        Value::Object(patient)
    }
}

impl FuzzProvider {
    fn to_json(&self) -> Value {
        json!({"id": format!("pr{}", self.id % 3), "credential": pick(&CREDENTIALS, self.credential),
               "discipline": pick(&DISCIPLINES, self.discipline), "assistant": self.assistant})
    }
}

impl FuzzEncounter {
    fn to_json(&self) -> Value {
        let mut e = Map::new();
        e.insert("id".into(), json!(format!("e{}", self.id % 32)));
        e.insert("patient".into(), json!(format!("p{}", self.patient % 4)));
        e.insert("provider".into(), json!(format!("pr{}", self.provider % 3)));
        e.insert("service".into(), json!(pick(&SERVICES, self.service)));
        e.insert("setting".into(), json!(pick(&SETTINGS, self.setting)));
        if let Some(m) = self.modality {
            e.insert("modality".into(), json!(pick(&MODALITIES, m)));
        }
        match self.time {
            FuzzTime::Clock {
                day,
                start_minute,
                minutes,
                offset,
            } => {
                let start = i32::from(start_minute % 1440);
                e.insert("start".into(), json!(clock(day, start, offset)));
                let end_day = if start + i32::from(minutes) >= 1440 {
                    day.saturating_add(1)
                } else {
                    day
                };
                e.insert(
                    "end".into(),
                    json!(clock(end_day, start + i32::from(minutes), offset)),
                );
            }
            FuzzTime::Total { day, minutes } => {
                e.insert("date".into(), json!(date(day)));
                e.insert("minutes".into(), json!(minutes % 1500));
            }
            FuzzTime::None => {}
        }
        e.insert("follow_up".into(), json!(self.follow_up));
        e.insert("early_intervention".into(), json!(self.early_intervention));
        if let Some(size) = self.group_size {
            e.insert("group_size".into(), json!(size % 12));
        }
        if let Some(code) = self.code {
            e.insert("code".into(), json!(pick(&CODES, code)));
        }
        let other: Vec<Value> = self
            .other_timed
            .iter()
            .take(8)
            .map(|&(code, minutes)| json!({"code": format!("9{:04}", code), "minutes": minutes}))
            .collect();
        e.insert("other_timed_services".into(), json!(other));
        if let Some(d) = &self.documentation {
            let mut doc = Map::new();
            let skills: Vec<&str> = d.skills.iter().take(4).map(|&s| pick(&SKILLS, s)).collect();
            doc.insert("skills_taught".into(), json!(skills));
            if d.participation {
                doc.insert("participation".into(), json!("active"));
            }
            if d.progress {
                doc.insert("progress".into(), json!("paid two bills on time"));
            }
            let techniques: Vec<&str> = ["modeling", "role_play", "didactic"]
                .into_iter()
                .take(usize::from(d.techniques % 4))
                .collect();
            doc.insert("techniques".into(), json!(techniques));
            let objectives: Vec<String> = d
                .objectives
                .iter()
                .take(4)
                .map(|o| format!("g{}", o % 5))
                .collect();
            doc.insert("objectives".into(), json!(objectives));
            e.insert("documentation".into(), Value::Object(doc));
        }
        e.insert("educational".into(), json!(self.educational));
        if let Some(b) = &self.billed {
            let modifiers: Vec<&str> = b
                .modifiers
                .iter()
                .take(6)
                .map(|&m| pick(&MODIFIERS, m))
                .collect();
            let units = f64::from(b.units % 40) + if b.half_unit { 0.5 } else { 0.0 };
            e.insert(
                "billed".into(),
                json!({"code": pick(&CODES, b.code), "modifiers": modifiers, "units": units,
                       "place_of_service": pick(&PLACES, b.place)}),
            );
        }
        Value::Object(e)
    }
}

fn check(request: &Value, response: &Response) {
    let encounters = request["encounters"].as_array().map_or(0, Vec::len);
    assert_eq!(
        response.decisions.len(),
        encounters,
        "one decision per encounter"
    );
    for line in &response.lines {
        assert!(line.modifiers.len() <= 4, "at most four modifiers per line");
        assert!(line.units == 0 || line.minutes > 0, "units need minutes");
    }
    for decision in &response.decisions {
        if let Some(i) = decision.line {
            let line = response.lines.get(i).expect("a decision's line exists");
            assert!(line.encounters.contains(&decision.encounter));
            assert_eq!(Some(line.code), decision.code);
        }
    }
}

fn without_prose(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for key in ["rationale", "reason", "message"] {
                map.remove(key);
            }
            map.remove("explain");
            map.values_mut().for_each(without_prose);
        }
        Value::Array(items) => items.iter_mut().for_each(without_prose),
        _ => {}
    }
}

fuzz_target!(|input: FuzzRequest| {
    let request = input.to_json();
    let text = request.to_string();
    let Ok(json) = ENGINE.evaluate_json(&text) else {
        return; // refused as a whole (an unknown policy, duplicate ids): nothing to check
    };
    let response: Response = serde_json::from_str(&json).expect("the response reads back");
    check(&request, &response);

    // The typed API agrees with the JSON one whenever the request reads as a typed one.
    if let Ok(typed) = Request::from_json(&text) {
        assert_eq!(ENGINE.evaluate(&typed), response);
    }

    // The other `explain` gives the same response, with or without the prose.
    let mut other = request.clone();
    other["explain"] = json!(!input.explain);
    let other_json = ENGINE
        .evaluate_json(&other.to_string())
        .expect("explain does not change whether a request is refused");
    let mut a: Value = serde_json::from_str(&json).unwrap();
    let mut b: Value = serde_json::from_str(&other_json).unwrap();
    without_prose(&mut a);
    without_prose(&mut b);
    assert_eq!(a, b, "explain changes nothing but the prose");
});
