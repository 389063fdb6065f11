//! The response JSON is byte for byte what serde_json writes for the same response.
//!
//! The engine writes responses with its own serializer (faster than serde_json's, the same
//! output). For every conformance case (`tests/conformance/`), example request
//! (`examples/requests/`, with the example policies loaded), request of the command line's
//! tests and the benchmark workload (`benches/workload`), explained and compact, the text of
//! [`Engine::evaluate_json`], the bytes of [`Engine::evaluate_json_to_writer`] and those of
//! [`Response::to_json`] and [`Response::write_json`] equal `serde_json::to_string` of the
//! typed response of [`Engine::evaluate_json_to_response`] (the same `Serialize`
//! implementation, prose included, written by serde_json).

mod common;
#[path = "../benches/workload/mod.rs"]
mod workload;

use std::fs;
use std::path::PathBuf;

use common::{conformance_cases, json_files, patient, provider, read_json, request, session};
use h2024::{Engine, Response};
use serde_json::{Value, json};
use workload::{Explain, Practice};

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Where `ours` first differs from `expected`, with some context.
fn first_difference(ours: &str, expected: &str) -> String {
    let at = ours
        .bytes()
        .zip(expected.bytes())
        .position(|(a, b)| a != b)
        .unwrap_or(ours.len().min(expected.len()));
    let context = |text: &str| {
        let bytes = &text.as_bytes()[at.saturating_sub(60)..(at + 60).min(text.len())];
        String::from_utf8_lossy(bytes).into_owned()
    };
    format!(
        "at byte {at} (lengths {} and {}):\n    ours:       {}\n    serde_json: {}",
        ours.len(),
        expected.len(),
        context(ours),
        context(expected)
    )
}

/// What the responses to one set of requests came to.
#[derive(Default)]
struct Report {
    /// Responses compared (each through both entry points).
    compared: usize,
    /// Requests refused as a whole (nothing to compare).
    refused: usize,
    failures: Vec<String>,
}

impl Report {
    /// Compares the engine's JSON of `request` with serde_json's of the same response, and
    /// returns the response.
    fn check(&mut self, engine: &Engine, what: &str, request: &str) -> Option<Response> {
        let Ok(response) = engine.evaluate_json_to_response(request) else {
            self.refused += 1;
            if engine.evaluate_json(request).is_ok() {
                self.failures.push(format!(
                    "{what}: evaluate_json took what the typed call refused"
                ));
            }
            return None;
        };
        let expected = serde_json::to_string(&response).expect("serde_json writes a response");
        self.compared += 1;
        match engine.evaluate_json(request) {
            Ok(ours) if ours == expected => {}
            Ok(ours) => self.failures.push(format!(
                "{what}: evaluate_json {}",
                first_difference(&ours, &expected)
            )),
            Err(e) => self
                .failures
                .push(format!("{what}: evaluate_json refused it: {e}")),
        }
        if response.to_json() != expected {
            self.failures.push(format!(
                "{what}: Response::to_json {}",
                first_difference(&response.to_json(), &expected)
            ));
        }
        let mut written = Vec::new();
        response
            .write_json(&mut written)
            .expect("a vector takes every byte");
        if written != expected.as_bytes() {
            self.failures.push(format!(
                "{what}: Response::write_json {}",
                first_difference(&String::from_utf8_lossy(&written), &expected)
            ));
        }
        let mut written = Vec::new();
        match engine.evaluate_json_to_writer(request, &mut written) {
            Ok(()) if written == expected.as_bytes() => {}
            Ok(()) => self.failures.push(format!(
                "{what}: evaluate_json_to_writer {}",
                first_difference(&String::from_utf8_lossy(&written), &expected)
            )),
            Err(e) => self
                .failures
                .push(format!("{what}: evaluate_json_to_writer failed: {e}")),
        }
        Some(response)
    }

    /// [`Report::check`] on `request` explained and compact (its `explain` set each way).
    fn check_both(&mut self, engine: &Engine, what: &str, request: &Value) {
        for explain in [true, false] {
            let mut request = request.clone();
            if let Some(fields) = request.as_object_mut() {
                fields.insert("explain".to_owned(), Value::Bool(explain));
            }
            let mode = if explain { "explained" } else { "compact" };
            self.check(engine, &format!("{what} ({mode})"), &request.to_string());
        }
    }

    #[track_caller]
    fn assert_ok(&self, at_least: usize) {
        assert!(
            self.failures.is_empty(),
            "{} response(s) differ from serde_json's:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
        assert!(
            self.compared >= at_least,
            "only {} responses compared ({} refused)",
            self.compared,
            self.refused
        );
    }
}

#[test]
fn conformance_cases_are_written_as_serde_json_writes_them() {
    let mut report = Report::default();
    for (what, case) in &conformance_cases() {
        let engine = match case.get("policies") {
            None => Engine::default(),
            Some(policies) => match Engine::from_policies_json(&policies.to_string()) {
                Ok(engine) => engine,
                // A case about a policy the engine refuses.
                Err(_) => continue,
            },
        };
        if let Some(request) = case.get("request") {
            report.check_both(&engine, what, request);
        } else if let Some(text) = case["request_text"].as_str() {
            // As it is; and explained and compact when it is a JSON object.
            report.check(&engine, what, text);
            if let Ok(request @ Value::Object(_)) = serde_json::from_str(text) {
                report.check_both(&engine, what, &request);
            }
        }
    }
    report.assert_ok(300);
}

#[test]
fn example_requests_are_written_as_serde_json_writes_them() {
    let mut engine = Engine::with_state_packs();
    for file in json_files(&crate_dir().join("examples/policies")) {
        engine = engine
            .load_policies_json(&fs::read_to_string(&file).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    }
    let mut report = Report::default();
    let examples = json_files(&crate_dir().join("examples/requests"));
    let cli = json_files(&crate_dir().join("../h2024-cli/tests/requests"));
    assert!(!examples.is_empty() && !cli.is_empty());
    for file in examples.iter().chain(&cli) {
        report.check_both(&engine, &file.display().to_string(), &read_json(file));
    }
    report.assert_ok(2 * (examples.len() + cli.len()));
}

#[test]
fn the_benchmark_workload_is_written_as_serde_json_writes_it() {
    let engine = Engine::default();
    let mut report = Report::default();
    for explain in [Explain::Default, Explain::Off] {
        // A month large enough for findings (providers overlap), written in many chunks.
        let text = workload::request(Practice::FIXED, N, "medicaid", explain);
        let response = report.check(&engine, &format!("{N} encounters ({explain:?})"), &text);
        let response = response.expect("the workload is evaluated");
        assert!(!response.findings.is_empty());
        assert!(serde_json::to_string(&response).unwrap().len() > 4 << 16);
        for i in [0, 1, 7, N - 1] {
            let text = workload::single(i, "medicaid", explain);
            report.check(
                &engine,
                &format!("encounter {i} alone ({explain:?})"),
                &text,
            );
        }
    }
    report.assert_ok(10);
}

/// Encounters of the workload's month.
const N: usize = 6_000;

/// Ids with what JSON escapes and what it leaves as it is (quotes, backslashes, control
/// characters, U+007F, non-ASCII) reach the response through the engine.
#[test]
fn ids_that_need_escaping_are_written_as_serde_json_writes_them() {
    let engine = Engine::default();
    let ids = [
        "quote\"d",
        "back\\slash",
        "line\nbreak\ttab\r",
        "bell\u{7}nul\u{0}unit\u{1f}",
        "del\u{7f}",
        "é€😀",
        "a long id of more than thirty-two bytes \"quoted\" at the end\u{1}",
    ];
    let mut report = Report::default();
    for (i, id) in ids.iter().enumerate() {
        let doc = request(
            json!("medicaid"),
            vec![patient(id)],
            vec![provider(id, "masters", "behavioral_health")],
            vec![session(id, id, id, "09:00", "10:00")],
        );
        report.check_both(&engine, &format!("ids {i}"), &doc);
        let response = engine.evaluate_json_to_response(&doc.to_string()).unwrap();
        assert_eq!(response.lines[0].patient, *id);
    }
    report.assert_ok(2 * ids.len());
}
