//! Helpers shared by integration tests: request building blocks (patients with treatment
//! plans, providers, fully documented encounters), a JSON subset matcher, and the JSON files
//! of a folder.
//!
//! A test file uses them with `mod common;`. Not every test uses every helper.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use h2024::Engine;
use serde_json::{Map, Value, json};

/// The date of service the helpers use (a Monday).
pub const DATE: &str = "2026-03-02";

/// The UTC offset of the helpers' clock times (US Eastern, standard time).
pub const OFFSET: &str = "-05:00";

/// `"HH:MM"` on [`DATE`] as an RFC 3339 timestamp.
pub fn at(time: &str) -> String {
    format!("{DATE}T{time}:00{OFFSET}")
}

/// A provider who is not an assistant.
pub fn provider(id: &str, credential: &str, discipline: &str) -> Value {
    json!({"id": id, "credential": credential, "discipline": discipline, "assistant": false})
}

/// A therapy assistant (an OTA or PTA: CO or CQ on 97535).
pub fn assistant(id: &str, discipline: &str) -> Value {
    json!({"id": id, "credential": "associate", "discipline": discipline, "assistant": true})
}

/// A treatment plan whose goal `g1` covers budgeting and `g2` meal preparation, each with a
/// functional deficit, and a progress report 15 days before [`DATE`].
pub fn plan() -> Value {
    json!({"goals": [
               {"id": "g1", "skills": ["budgeting"], "deficit": "cannot manage monthly bills"},
               {"id": "g2", "skills": ["meal_preparation"], "deficit": "no safe cooking"}],
           "last_progress_report": "2026-02-15"})
}

/// An authorization for `codes` over all of 2026, with room to spare.
pub fn authorization(codes: &[&str]) -> Value {
    json!({"number": "A-1", "codes": codes, "start": "2026-01-01", "end": "2026-12-31",
           "units_authorized": 1000, "units_used": 0})
}

/// An adult patient with [`plan`] and an authorization for every code of the family.
pub fn patient(id: &str) -> Value {
    json!({"id": id, "birth_date": "1990-01-01", "treatment_plan": plan(),
           "authorizations": [authorization(&["H2024", "H2014", "H2017", "H2023", "97535"])]})
}

/// A session note with every element the checks look for, matching [`plan`]'s goal `g1`.
pub fn documentation() -> Value {
    json!({"skills_taught": ["budgeting"], "participation": "active",
           "progress": "paid two bills on time", "techniques": ["modeling", "role_play"],
           "objectives": ["g1"]})
}

/// A fully documented, in-person, one-on-one skills-training session at home on [`DATE`]
/// from `start` to `end` (`"HH:MM"`).
pub fn session(id: &str, patient: &str, provider: &str, start: &str, end: &str) -> Value {
    json!({"id": id, "patient": patient, "provider": provider, "service": "skills_training",
           "start": at(start), "end": at(end), "setting": "home", "modality": "in_person",
           "documentation": documentation()})
}

/// Like [`session`], documented by total `minutes` on [`DATE`] instead of clock times.
pub fn total_minutes(id: &str, patient: &str, provider: &str, minutes: u32) -> Value {
    json!({"id": id, "patient": patient, "provider": provider, "service": "skills_training",
           "date": DATE, "minutes": minutes, "setting": "home", "modality": "in_person",
           "documentation": documentation()})
}

/// `value` with `changes` merged in: a key set to `null` is removed.
pub fn with(value: &Value, changes: Value) -> Value {
    let mut out = value.clone();
    if let (Some(fields), Value::Object(changes)) = (out.as_object_mut(), changes) {
        for (key, change) in changes {
            if change.is_null() {
                fields.remove(&key);
            } else {
                fields.insert(key, change);
            }
        }
    }
    out
}

/// A request under `policy` (an id or an inline policy object).
pub fn request(
    policy: Value,
    patients: Vec<Value>,
    providers: Vec<Value>,
    encounters: Vec<Value>,
) -> Value {
    json!({"policy": policy, "patients": patients, "providers": providers,
           "encounters": encounters})
}

/// Evaluates `request` through the JSON interface: the response document, or the error
/// document's `error` object when the request is refused as a whole.
pub fn evaluate(engine: &Engine, request: &Value) -> Result<Value, Value> {
    evaluate_text(engine, &request.to_string())
}

/// Like [`evaluate`], for request text that may not be JSON at all.
pub fn evaluate_text(engine: &Engine, request: &str) -> Result<Value, Value> {
    match engine.evaluate_json(request) {
        Ok(text) => Ok(serde_json::from_str(&text).expect("the response is JSON")),
        Err(err) => {
            let doc: Value = serde_json::from_str(&err.to_json()).expect("the error is JSON");
            Err(doc["error"].clone())
        }
    }
}

/// Where `expected` is not a subset of `actual`, one line per difference, each starting
/// with its JSON path under `path`.
///
/// Objects match when every key of `expected` is in `actual` with a matching value (keys
/// only in `actual` are ignored), recursively. `{"$includes": [a, b]}` matches a list in
/// which `a` and `b` each match (as subsets) a different element, in any order, among
/// others. Everything else, lists included, must be equal.
pub fn subset_diffs(expected: &Value, actual: &Value, path: &str) -> Vec<String> {
    if let Some(wanted) = includes(expected) {
        return includes_diffs(wanted, actual, path);
    }
    match (expected, actual) {
        (Value::Object(expected), Value::Object(actual)) => expected
            .iter()
            .flat_map(|(key, value)| {
                let here = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match actual.get(key) {
                    Some(found) => subset_diffs(value, found, &here),
                    None => vec![format!("{here}: expected {value}, but there is no `{key}`")],
                }
            })
            .collect(),
        _ if expected == actual => Vec::new(),
        _ => vec![format!("{path}: expected {expected}, got {actual}")],
    }
}

/// The elements of `{"$includes": [...]}`.
fn includes(expected: &Value) -> Option<&[Value]> {
    match expected.as_object() {
        Some(fields) if fields.len() == 1 => fields.get("$includes")?.as_array().map(Vec::as_slice),
        _ => None,
    }
}

fn includes_diffs(wanted: &[Value], actual: &Value, path: &str) -> Vec<String> {
    let Some(actual) = actual.as_array() else {
        return vec![format!("{path}: expected a list, got {actual}")];
    };
    let fits: Vec<Vec<bool>> = wanted
        .iter()
        .map(|w| actual.iter().map(|a| is_subset(w, a)).collect())
        .collect();
    let owner = pair_up(&fits, actual.len());
    (0..wanted.len())
        .filter(|w| !owner.contains(&Some(*w)))
        .map(|w| format!("{path}: no element matches {}", wanted[w]))
        .collect()
}

/// A maximum matching between expected items and actual items (Kuhn's augmenting paths),
/// where `fits[e][a]` says expected item `e` may pair with actual item `a`: for each actual
/// item, the expected item it is paired with.
pub fn pair_up(fits: &[Vec<bool>], actual: usize) -> Vec<Option<usize>> {
    fn augment(
        e: usize,
        fits: &[Vec<bool>],
        seen: &mut [bool],
        owner: &mut [Option<usize>],
    ) -> bool {
        for a in 0..owner.len() {
            if fits[e][a] && !seen[a] {
                seen[a] = true;
                if owner[a].is_none_or(|other| augment(other, fits, seen, owner)) {
                    owner[a] = Some(e);
                    return true;
                }
            }
        }
        false
    }
    let mut owner = vec![None; actual];
    for e in 0..fits.len() {
        augment(e, fits, &mut vec![false; actual], &mut owner);
    }
    owner
}

/// Whether `expected` is a subset of `actual` (see [`subset_diffs`]).
pub fn is_subset(expected: &Value, actual: &Value) -> bool {
    subset_diffs(expected, actual, "").is_empty()
}

/// Panics with the differences when `expected` is not a subset of `actual`.
#[track_caller]
pub fn assert_subset(expected: &Value, actual: &Value) {
    let diffs = subset_diffs(expected, actual, "");
    assert!(diffs.is_empty(), "{}\nin {actual:#}", diffs.join("\n"));
}

/// `value` without the keys in `keys` (to show an object without its prose).
pub fn without(value: &Value, keys: &[&str]) -> Value {
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .filter(|(k, _)| !keys.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<Map<String, Value>>(),
        ),
        other => other.clone(),
    }
}

/// The `*.json` files under `dir`, recursively, in path order.
pub fn json_files(dir: &Path) -> Vec<PathBuf> {
    fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
        let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                collect(&path, out);
            } else if path.extension().is_some_and(|ext| ext == "json") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    collect(dir, &mut files);
    files.sort();
    files
}

/// A JSON file's value (a test fails naming the file when it is not JSON).
pub fn read_json(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every conformance case under `tests/conformance` (a file holds one case or a list), in
/// path order, each with how a failure names it: its file under that folder and its name.
pub fn conformance_cases() -> Vec<(String, Value)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let mut all = Vec::new();
    for file in json_files(&root) {
        let shown = file
            .strip_prefix(&root)
            .unwrap_or(&file)
            .display()
            .to_string();
        let cases = match read_json(&file) {
            Value::Array(cases) => cases,
            case => vec![case],
        };
        for (i, case) in cases.into_iter().enumerate() {
            let name = case["name"]
                .as_str()
                .map_or(format!("case {i}"), str::to_owned);
            all.push((format!("{shown} › {name}"), case));
        }
    }
    all
}
