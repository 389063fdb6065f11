//! The conformance suite: every `*.json` case file under `tests/conformance/` is run through
//! `Engine::evaluate_json` and compared with its expectation. All failing cases are reported
//! together. The case format and its semantics are in `tests/conformance/README.md`.
//!
//! `cargo test -p h2024 --test conformance` runs it; `CONFORMANCE_CASE=text` runs only the
//! cases whose name contains `text`.

mod common;

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use common::{evaluate, evaluate_text, json_files, pair_up, subset_diffs, without};
use h2024::Engine;
use serde_json::Value;

const CASE_KEYS: &[&str] = &[
    "name",
    "rule",
    "policies",
    "request",
    "request_text",
    "expect",
];
const EXPECT_KEYS: &[&str] = &[
    "lines",
    "claims",
    "decisions",
    "decisions_exhaustive",
    "findings",
    "findings_include",
    "findings_exclude_rules",
    "error",
];

#[test]
fn conformance() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let only = std::env::var("CONFORMANCE_CASE").ok();
    let files = json_files(&root);

    let (mut run, mut failures, mut names) = (0, Vec::new(), HashSet::new());
    for file in &files {
        let shown = file.strip_prefix(&root).unwrap_or(file).display();
        let cases = match load(file) {
            Ok(cases) => cases,
            Err(problem) => {
                failures.push(format!("{shown}: {problem}"));
                continue;
            }
        };
        for (i, case) in cases.iter().enumerate() {
            let name = case["name"]
                .as_str()
                .map_or(format!("case {i}"), str::to_owned);
            if !names.insert(name.clone()) {
                failures.push(format!("{shown} › {name}: another case has this name"));
            }
            if only.as_deref().is_some_and(|only| !name.contains(only)) {
                continue;
            }
            run += 1;
            let problems = check(case);
            if !problems.is_empty() {
                failures.push(format!(
                    "{shown} › {name}\n  rule: {}\n  - {}",
                    case["rule"].as_str().unwrap_or("(none)"),
                    problems.join("\n  - ")
                ));
            }
        }
    }
    assert!(
        run > 0 || only.is_some(),
        "no conformance case found under {}",
        root.display()
    );
    assert!(
        failures.is_empty(),
        "{} of {run} conformance cases failed:\n\n{}\n",
        failures.len(),
        failures.join("\n\n")
    );
    eprintln!("{run} conformance cases passed");
}

/// The cases of a file: one case object or a list of them.
fn load(file: &Path) -> Result<Vec<Value>, String> {
    let text = fs::read_to_string(file).map_err(|e| e.to_string())?;
    match serde_json::from_str(&text) {
        Ok(Value::Array(cases)) => Ok(cases),
        Ok(case @ Value::Object(_)) => Ok(vec![case]),
        Ok(_) => Err("not a case object or a list of cases".to_owned()),
        Err(e) => Err(format!("not valid JSON: {e}")),
    }
}

/// What is wrong with a case: its own shape, or the engine's answer against its expectation.
fn check(case: &Value) -> Vec<String> {
    let problems = shape_problems(case);
    if !problems.is_empty() {
        return problems;
    }
    let expect = &case["expect"];
    let engine = match case.get("policies") {
        None => Engine::default(),
        Some(policies) => match Engine::from_policies_json(&policies.to_string()) {
            Ok(engine) => engine,
            Err(e) => return vec![format!("`policies` refused at `{}`: {e}", e.path())],
        },
    };
    let result = match case.get("request_text") {
        Some(text) => evaluate_text(&engine, text.as_str().unwrap_or_default()),
        None => evaluate(&engine, &case["request"]),
    };
    match (result, expect.get("error")) {
        (Err(error), Some(expected)) => subset_diffs(expected, &error, "error"),
        (Err(error), None) => vec![format!("the request was refused: {error}")],
        (Ok(_), Some(expected)) => vec![format!(
            "expected the request to be refused with {expected}, but it was evaluated"
        )],
        (Ok(response), None) => {
            let mut problems = Vec::new();
            if let Some(lines) = expect.get("lines") {
                problems.extend(check_lines(lines, &response["lines"]));
            }
            if let Some(claims) = expect.get("claims") {
                problems.extend(check_list("claims", claims, &response["claims"]));
            }
            if let Some(decisions) = expect.get("decisions") {
                let exhaustive = expect["decisions_exhaustive"] == Value::Bool(true);
                problems.extend(check_decisions(
                    decisions,
                    &response["decisions"],
                    exhaustive,
                ));
            }
            problems.extend(check_findings(expect, &response["findings"]));
            problems
        }
    }
}

/// Mistakes in the case file itself: unknown keys (typos), missing keys, wrong types.
fn shape_problems(case: &Value) -> Vec<String> {
    let expect = &case["expect"];
    let mut problems = unknown_keys(case, CASE_KEYS, "");
    problems.extend(unknown_keys(expect, EXPECT_KEYS, "expect."));
    for key in ["name", "rule", "expect"] {
        if case.get(key).is_none() {
            problems.push(format!("the case has no `{key}`"));
        }
    }
    for key in [
        "lines",
        "claims",
        "decisions",
        "findings_include",
        "findings_exclude_rules",
    ] {
        if expect.get(key).is_some_and(|v| !v.is_array()) {
            problems.push(format!("`expect.{key}` must be a list"));
        }
    }
    if list(&expect["decisions"])
        .iter()
        .any(|d| !d["encounter"].is_string())
    {
        problems.push("every expected decision needs its `encounter` id".to_owned());
    }
    if expect.get("decisions_exhaustive").is_some() && expect.get("decisions").is_none() {
        problems.push("`decisions_exhaustive` needs `decisions`".to_owned());
    }
    if case.get("request").is_some() == case.get("request_text").is_some() {
        problems.push("give exactly one of `request` and `request_text`".to_owned());
    }
    let says_findings = ["findings", "findings_include", "findings_exclude_rules"]
        .iter()
        .any(|key| expect.get(key).is_some());
    if expect.get("error").is_none() && !says_findings {
        problems.push(
            "say what findings to expect: `findings` (a list, or \"any\"), \
             `findings_include` or `findings_exclude_rules`"
                .to_owned(),
        );
    }
    problems
}

fn unknown_keys(value: &Value, known: &[&str], prefix: &str) -> Vec<String> {
    match value.as_object() {
        Some(fields) => fields
            .keys()
            .filter(|key| !known.contains(&key.as_str()))
            .map(|key| format!("unknown key `{prefix}{key}` (known: {})", known.join(", ")))
            .collect(),
        None if prefix.is_empty() => vec!["a case must be an object".to_owned()],
        None => vec![format!(
            "`{}` must be an object",
            prefix.trim_end_matches('.')
        )],
    }
}

fn list(value: &Value) -> &[Value] {
    value.as_array().map_or(&[], Vec::as_slice)
}

/// The exact list of lines, each line matched as a subset.
fn check_lines(expected: &Value, actual: &Value) -> Vec<String> {
    check_list("lines", expected, actual)
}

/// The exact list of `what` (lines, claims), each entry matched as a subset.
fn check_list(what: &str, expected: &Value, actual: &Value) -> Vec<String> {
    let (expected, actual) = (list(expected), list(actual));
    if expected.len() != actual.len() {
        let mut problems = vec![format!(
            "{what}: expected {} entries, got {}",
            expected.len(),
            actual.len()
        )];
        problems.extend(actual.iter().map(|entry| format!("  got {entry}")));
        return problems;
    }
    expected
        .iter()
        .zip(actual)
        .enumerate()
        .flat_map(|(i, (e, a))| subset_diffs(e, a, &format!("{what}[{i}]")))
        .collect()
}

/// Each expected decision against the actual decision for the same encounter.
fn check_decisions(expected: &Value, actual: &Value, exhaustive: bool) -> Vec<String> {
    let actual = list(actual);
    let mut problems = Vec::new();
    for e in list(expected) {
        let id = &e["encounter"];
        match actual.iter().find(|a| a["encounter"] == *id) {
            Some(a) => problems.extend(subset_diffs(e, a, &format!("decisions[{id}]"))),
            None => problems.push(format!("decisions: no decision for encounter {id}")),
        }
    }
    if exhaustive {
        for a in actual {
            if !list(expected)
                .iter()
                .any(|e| e["encounter"] == a["encounter"])
            {
                let shown = without(a, &["rationale", "alternatives"]);
                problems.push(format!("decisions: unexpected decision {shown}"));
            }
        }
    }
    problems
}

fn check_findings(expect: &Value, actual: &Value) -> Vec<String> {
    let actual = list(actual);
    let mut problems = Vec::new();
    match expect.get("findings") {
        Some(Value::String(any)) if any == "any" => {}
        Some(Value::Array(expected)) => problems.extend(match_findings(expected, actual, true)),
        Some(other) => problems.push(format!("`findings` must be a list or \"any\": {other}")),
        None => {}
    }
    if let Some(include) = expect.get("findings_include") {
        problems.extend(match_findings(list(include), actual, false));
    }
    for rule in list(&expect["findings_exclude_rules"]) {
        for f in actual.iter().filter(|f| f["rule"] == *rule) {
            problems.push(format!("findings: excluded rule {rule} fired: {f}"));
        }
    }
    problems
}

/// Pairs each expected finding with a distinct actual finding it is a subset of. Reports
/// the expected ones left without a partner and, when `exact`, the actual ones too.
fn match_findings(expected: &[Value], actual: &[Value], exact: bool) -> Vec<String> {
    let fits: Vec<Vec<bool>> = expected
        .iter()
        .map(|e| {
            actual
                .iter()
                .map(|a| subset_diffs(e, a, "").is_empty())
                .collect()
        })
        .collect();
    let owner = pair_up(&fits, actual.len());
    let mut problems = Vec::new();
    for (i, e) in expected.iter().enumerate() {
        if owner.contains(&Some(i)) {
            continue;
        }
        problems.push(format!("findings: missing {e}"));
        // The closest unpaired finding of the same rule, to show what differs.
        let near =
            (0..actual.len()).find(|&a| owner[a].is_none() && actual[a]["rule"] == e["rule"]);
        if let Some(a) = near {
            for diff in subset_diffs(e, &actual[a], &format!("findings[{a}]")) {
                problems.push(format!("  closest: {diff}"));
            }
        }
    }
    if exact {
        for (a, found) in actual.iter().enumerate() {
            if owner[a].is_none() {
                problems.push(format!("findings: unexpected findings[{a}] {found}"));
            }
        }
    }
    problems
}
