//! The JSON Schemas under `schema/` (README, "JSON Schema").
//!
//! - Each committed schema is exactly what `h2024::schema` generates from the types now;
//!   `H2024_BLESS=1 cargo test -p h2024 --test schema` rewrites them. Each is a valid draft
//!   2020-12 schema.
//! - Every example of the repository validates against them, checked by an independent
//!   validator (the `jsonschema` crate): the example requests and policies
//!   (`crates/h2024/examples/requests/`, `crates/h2024/examples/policies/`), the requests of
//!   the command line's tests (`crates/h2024-cli/tests/requests/`), the requests and
//!   policies of the conformance cases (`tests/conformance/`), the built-in policies and state
//!   packs (`crates/h2024/src/policies/`) and every policy as the engine resolves it, the JSON
//!   blocks of `docs/policies.md` and of the README, and the engine's responses to all those
//!   requests, explained and compact.
//!
//! A request the engine reads with an `invalid_encounter` finding, or refuses, is not a valid
//! request and is not held to the request schema; its response still is held to the
//! response schema.

use std::fs;
use std::path::{Path, PathBuf};

mod common;

use common::{conformance_cases, json_files, read_json};
use h2024::Engine;
use h2024::schema::Document;
use jsonschema::Validator;
use serde_json::Value;

const BLESS_HINT: &str = "run `H2024_BLESS=1 cargo test -p h2024 --test schema` to regenerate \
                          it, review the diff, and commit it";

fn repo() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

fn crate_dir() -> PathBuf {
    repo().join("crates/h2024")
}

fn schema_path(doc: Document) -> PathBuf {
    repo().join("schema").join(doc.file_name())
}

fn bless() -> bool {
    std::env::var_os("H2024_BLESS").is_some_and(|v| v == "1")
}

/// The first line where two texts differ, for a readable failure.
fn first_difference(committed: &str, generated: &str) -> String {
    let (mut a, mut b) = (committed.lines(), generated.lines());
    for number in 1.. {
        match (a.next(), b.next()) {
            (None, None) => break,
            (x, y) if x == y => continue,
            (x, y) => {
                return format!(
                    "first difference at line {number}:\n  committed: {}\n  generated: {}",
                    x.unwrap_or("(end of file)"),
                    y.unwrap_or("(end of file)")
                );
            }
        }
    }
    "(only line endings differ)".to_owned()
}

#[test]
fn committed_schemas_match_the_types() {
    for doc in Document::ALL {
        let path = schema_path(doc);
        let generated = doc.to_json();
        if bless() {
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, &generated).unwrap();
            continue;
        }
        let committed = fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "schema/{} differs from what h2024::schema generates from the types; {BLESS_HINT}.\n{}",
            doc.file_name(),
            first_difference(&committed, &generated)
        );
    }
}

fn committed(doc: Document) -> Value {
    let text = fs::read_to_string(schema_path(doc))
        .unwrap_or_else(|e| panic!("schema/{}: {e}; {BLESS_HINT}", doc.file_name()));
    serde_json::from_str(&text).unwrap()
}

fn validator(doc: Document) -> Validator {
    let schema = committed(doc);
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("schema/{} does not compile: {e}", doc.file_name()))
}

#[test]
fn schemas_are_valid_draft_2020_12() {
    for doc in Document::ALL {
        let schema = committed(doc);
        assert_eq!(
            schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{doc}"
        );
        if let Err(e) = jsonschema::meta::validate(&schema) {
            panic!("schema/{} is not a valid schema: {e}", doc.file_name());
        }
    }
}

/// The schemas say what the docs say: the prose only in explained responses, a policy's
/// `id` required, the request's fields.
#[test]
fn schemas_describe_the_documents() {
    let response = committed(Document::Response);
    let defs = &response["$defs"];
    for (def, prose) in [
        ("Decision", "rationale"),
        ("Alternative", "reason"),
        ("Finding", "message"),
    ] {
        assert!(defs[def]["properties"][prose].is_object(), "{def}.{prose}");
        let required = defs[def]["required"].as_array().unwrap();
        assert!(!required.iter().any(|r| r == prose), "{def}.{prose}");
        assert_eq!(defs[def]["additionalProperties"], false, "{def}");
    }
    let policy = committed(Document::Policy);
    assert_eq!(policy["required"], serde_json::json!(["id"]));
    let request = committed(Document::Request);
    let fields: Vec<&str> = request["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        fields,
        [
            "encounters",
            "evv_visits",
            "explain",
            "patients",
            "policy",
            "providers"
        ]
    );
}

/// Every problem of `instance` against `validator`, one a line.
fn problems(validator: &Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// The examples found, and what failed.
#[derive(Default)]
struct Report {
    requests: usize,
    policies: usize,
    responses: usize,
    failures: Vec<String>,
}

struct Validators {
    request: Validator,
    response: Validator,
    policy: Validator,
}

impl Report {
    fn check(&mut self, validator: &Validator, what: &str, instance: &Value) {
        let problems = problems(validator, instance);
        if !problems.is_empty() {
            self.failures
                .push(format!("{what}:\n    {}", problems.join("\n    ")));
        }
    }

    fn policy(&mut self, v: &Validators, what: &str, policy: &Value) {
        self.policies += 1;
        self.check(&v.policy, what, policy);
    }

    /// A request, and the engine's responses to it (explained and compact) under `engine`.
    fn request(&mut self, v: &Validators, engine: &Engine, what: &str, request: &Value) {
        let mut responses = Vec::new();
        for explain in [true, false] {
            let mut request = request.clone();
            if let Some(object) = request.as_object_mut() {
                object.insert("explain".to_owned(), Value::Bool(explain));
            }
            if let Ok(text) = engine.evaluate_json(&request.to_string()) {
                responses.push(serde_json::from_str::<Value>(&text).unwrap());
            }
        }
        // Refused, or with an encounter the engine could not read: not a valid request.
        let invalid = responses.is_empty()
            || responses[0]["findings"]
                .as_array()
                .is_some_and(|f| f.iter().any(|f| f["rule"] == "invalid_encounter"));
        if !invalid {
            self.requests += 1;
            self.check(&v.request, what, request);
        }
        for (response, mode) in responses.iter().zip(["explained", "compact"]) {
            self.responses += 1;
            self.check(&v.response, &format!("{what} ({mode} response)"), response);
        }
    }
}

/// The JSON files under `dir`, in path order, each with its path from the repository's root
/// (how a failure names it).
fn shown_json_files(dir: &Path) -> Vec<(PathBuf, String)> {
    json_files(dir)
        .into_iter()
        .map(|file| {
            let shown = file
                .strip_prefix(repo())
                .unwrap_or(&file)
                .display()
                .to_string();
            (file, shown)
        })
        .collect()
}

/// The ```` ```json ```` blocks of a Markdown file.
fn json_blocks(path: &Path) -> Vec<Value> {
    let text = fs::read_to_string(path).unwrap();
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match &mut current {
            None if line.trim_start() == "```json" => current = Some(String::new()),
            Some(block) if line.trim_start() == "```" => {
                blocks.push(serde_json::from_str(block).unwrap_or_else(|e| {
                    panic!("{}: a json block does not parse: {e}", path.display())
                }));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    blocks
}

/// The policies of a document: an array of them, or one.
fn each_policy(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

#[test]
fn examples_validate() {
    let v = Validators {
        request: validator(Document::Request),
        response: validator(Document::Response),
        policy: validator(Document::Policy),
    };
    let mut report = Report::default();
    let mut engine = Engine::with_state_packs();

    // The built-in policies and the state packs.
    for (file, shown) in &shown_json_files(&crate_dir().join("src/policies")) {
        report.policy(&v, shown, &read_json(file));
    }

    // The example policies files (arrays), loaded for the example requests.
    for (file, shown) in &shown_json_files(&crate_dir().join("examples/policies")) {
        let policies = read_json(file);
        for policy in each_policy(&policies) {
            report.policy(&v, shown, policy);
        }
        engine = engine
            .load_policies_json(&policies.to_string())
            .unwrap_or_else(|e| panic!("{shown}: {e}"));
    }

    // Every policy as resolved by the engine (what `h2024 policies ID --date D` prints),
    // on each of its dated stretches.
    for policy in engine.policies() {
        for (from, rules) in engine.policy_schedule(policy.id()).unwrap() {
            let what = format!("resolved policy {} from {from:?}", policy.id());
            report.policy(&v, &what, &serde_json::to_value(rules.spec()).unwrap());
        }
    }

    // The example requests.
    let examples = shown_json_files(&crate_dir().join("examples/requests"));
    assert!(!examples.is_empty(), "no example request");
    // And those the command line's tests run.
    let cli = shown_json_files(&repo().join("crates/h2024-cli/tests/requests"));
    assert!(!cli.is_empty(), "no request of the command line's tests");
    for (file, shown) in examples.iter().chain(&cli) {
        report.request(&v, &engine, shown, &read_json(file));
    }

    // The policies and requests of the docs.
    for doc in ["docs/policies.md", "README.md"] {
        for (i, block) in json_blocks(&repo().join(doc)).iter().enumerate() {
            let what = format!("{doc}, json block {i}");
            if block.get("encounters").is_some() {
                report.request(&v, &engine, &what, block);
            } else if block.is_object()
                && block.get("id").is_none()
                && block.get("extends").is_none()
            {
                // A fragment of a response (a line shown on its own): not a document.
                continue;
            } else {
                for policy in each_policy(block) {
                    report.policy(&v, &what, policy);
                }
            }
        }
    }

    // The conformance cases: their policies (those the engine loads) and requests.
    for (what, case) in &conformance_cases() {
        let what = format!("crates/h2024/tests/conformance/{what}");
        let engine = match case.get("policies") {
            None => Engine::default(),
            Some(policies) => match Engine::from_policies_json(&policies.to_string()) {
                Ok(engine) => {
                    for policy in each_policy(policies) {
                        report.policy(&v, &format!("{what}, policies"), policy);
                    }
                    engine
                }
                // A case about a policy the engine refuses.
                Err(_) => continue,
            },
        };
        if let Some(request) = case.get("request") {
            report.request(&v, &engine, &what, request);
        }
    }

    assert!(
        report.failures.is_empty(),
        "{} example(s) do not validate against the committed schemas:\n{}",
        report.failures.len(),
        report.failures.join("\n")
    );
    // Enough of each kind was found to mean something.
    assert!(report.requests >= 150, "{} requests", report.requests);
    assert!(report.policies >= 40, "{} policies", report.policies);
    assert!(report.responses >= 300, "{} responses", report.responses);
}

/// The response schema holds the prose to `explain`: all of it in an explained response,
/// none in a compact one.
#[test]
fn the_response_schema_ties_the_prose_to_explain() {
    let validator = validator(Document::Response);
    let request = fs::read_to_string(crate_dir().join("examples/requests/day.json")).unwrap();
    let explained: Value =
        serde_json::from_str(&Engine::default().evaluate_json(&request).unwrap()).unwrap();
    assert!(validator.is_valid(&explained));
    let mut compact = explained.clone();
    compact["explain"] = Value::Bool(false);
    assert!(
        !validator.is_valid(&compact),
        "a compact response with prose"
    );
    for pointer in [
        "/decisions/0/rationale",
        "/decisions/0/alternatives/0/reason",
        "/findings/0/message",
    ] {
        let mut without = explained.clone();
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        without
            .pointer_mut(parent)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .remove(key)
            .unwrap_or_else(|| panic!("{pointer}"));
        assert!(!validator.is_valid(&without), "explained without {pointer}");
    }
}

/// The schemas refuse what the engine refuses for its shape: an unknown field, a wrong type,
/// an unknown enum value, a malformed code.
#[test]
fn schemas_refuse_malformed_documents() {
    let request = validator(Document::Request);
    let policy = validator(Document::Policy);
    let encounter = serde_json::json!({
        "id": "e1", "patient": "p1", "provider": "pr1", "service": "skills_training",
        "setting": "home", "start": "2026-03-02T09:00:00-05:00", "end": "2026-03-02T09:45:00-05:00"
    });
    let ok = serde_json::json!({"encounters": [encounter]});
    assert!(request.is_valid(&ok));
    for (field, value) in [
        ("/encounters/0/servce", serde_json::json!("skills_training")),
        ("/encounters/0/service", serde_json::json!("skill_training")),
        ("/encounters/0/start", serde_json::json!("09:00")),
        ("/encounters/0/group_size", serde_json::json!(0)),
        ("/encounters/0/code", serde_json::json!("H201")),
        ("/encounters/0/setting", serde_json::json!(3)),
        ("/explain", serde_json::json!("yes")),
    ] {
        let mut bad = ok.clone();
        let (parent, key) = field.rsplit_once('/').unwrap();
        bad.pointer_mut(parent).unwrap()[key] = value;
        assert!(!request.is_valid(&bad), "{field}");
    }
    assert!(policy.is_valid(&serde_json::json!({"id": "mine", "extends": "medicaid"})));
    for bad in [
        serde_json::json!({"extends": "medicaid"}),
        serde_json::json!({"id": "mine", "units": {"H2014": {"rule": "round_down"}}}),
        serde_json::json!({"id": "mine", "units": {"H201": {"rule": "whole"}}}),
        serde_json::json!({"id": "mine", "telehealth_modifier": "ZZ"}),
        serde_json::json!({"id": "mine", "week_start": "Monday"}),
        serde_json::json!({"id": "mine", "authorization_alert_percent": 0}),
        serde_json::json!({"id": "mine", "colour": "blue"}),
    ] {
        assert!(!policy.is_valid(&bad), "{bad}");
    }
}
