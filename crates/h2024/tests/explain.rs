//! Reasons as data, prose on demand: `explain` on renders every rationale, alternative
//! reason and finding message from the typed reasons and data; `explain` off leaves the
//! prose out and keeps everything machine-readable, through JSON and the typed API alike.

mod common;

use common::{patient, provider, request, session, total_minutes, with};
use h2024::explain::{ChoiceGround, Reason};
use h2024::findings::Data;
use h2024::{Engine, Request, Response, Rule};
use serde_json::{Value, json};

/// A day with something of everything: a choice between codes, a pinned code, a billed
/// line the engine disagrees with, an out-of-scope service, overlaps and a duplicate.
fn busy_day() -> Value {
    let e1 = session("e1", "p1", "pr1", "09:00", "09:45");
    let e2 = with(
        &session("e2", "p1", "pr1", "10:00", "11:00"),
        json!({"billed": {"code": "H2024", "modifiers": ["HO", "GT"], "units": 2,
                          "place_of_service": "11"}}),
    );
    let e3 = with(
        &session("e3", "p2", "pr1", "10:30", "11:10"),
        json!({"code": "H2017", "group_size": 1}),
    );
    let e4 = with(
        &session("e4", "p1", "pr2", "10:15", "10:40"),
        json!({"service": "psychotherapy"}),
    );
    let e5 = total_minutes("e5", "p2", "pr2", 20);
    let e6 = total_minutes("e6", "p2", "pr2", 20);
    request(
        json!("medicaid"),
        vec![patient("p1"), patient("p2")],
        vec![
            provider("pr1", "masters", "behavioral_health"),
            provider("pr2", "bachelors", "behavioral_health"),
        ],
        vec![e1, e2, e3, e4, e5, e6],
    )
}

fn evaluate(req: &Value) -> Value {
    let text = Engine::default().evaluate_json(&req.to_string()).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Every key anywhere in `value`.
fn keys(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                keys(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

/// `value` without the prose keys, anywhere.
fn strip_prose(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| {
                    !matches!(k.as_str(), "rationale" | "reason" | "message" | "explain")
                })
                .map(|(k, v)| (k.clone(), strip_prose(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(strip_prose).collect()),
        other => other.clone(),
    }
}

#[test]
fn compact_keeps_everything_but_the_prose() {
    let req = busy_day();
    let explained = evaluate(&req);
    let compact = evaluate(&with(&req, json!({"explain": false})));
    assert_eq!(explained["explain"], true);
    assert_eq!(compact["explain"], false);

    let mut compact_keys = Vec::new();
    keys(&compact, &mut compact_keys);
    for prose in ["rationale", "reason", "message"] {
        assert!(
            !compact_keys.iter().any(|k| k == prose),
            "{prose} in {compact:#}"
        );
    }
    let mut explained_keys = Vec::new();
    keys(&explained, &mut explained_keys);
    for prose in ["rationale", "reason", "message"] {
        assert!(explained_keys.iter().any(|k| k == prose), "{prose} missing");
    }
    assert_eq!(strip_prose(&explained), strip_prose(&compact));
    // The typed values are there in both: reasons on decisions, why on alternatives, data on
    // findings.
    assert!(compact["decisions"][0]["reasons"].as_array().unwrap().len() > 3);
    assert!(compact["decisions"][0]["alternatives"][0]["why"]["kind"].is_string());
    assert!(
        compact["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["data"]["kind"].is_string())
    );
    let explained_len = explained.to_string().len();
    let compact_len = compact.to_string().len();
    assert!(
        compact_len * 3 < explained_len * 2,
        "{compact_len} vs {explained_len}"
    );
}

#[test]
fn prose_is_rendered_from_the_typed_values() {
    let req = busy_day();
    let engine = Engine::default();
    let typed: Response = engine.evaluate(&serde_json::from_value::<Request>(req.clone()).unwrap());
    let json = evaluate(&req);
    assert!(!typed.decisions.is_empty() && !typed.findings.is_empty());
    for (d, j) in typed
        .decisions
        .iter()
        .zip(json["decisions"].as_array().unwrap())
    {
        let rationale: Vec<String> = d.reasons.iter().map(|r| r.to_string()).collect();
        assert_eq!(serde_json::to_value(&rationale).unwrap(), j["rationale"]);
        assert_eq!(d.rationale(), rationale);
        for (a, ja) in d
            .alternatives
            .iter()
            .zip(j["alternatives"].as_array().unwrap())
        {
            assert_eq!(a.reason(), ja["reason"].as_str().unwrap());
            assert!(!a.reason().is_empty());
        }
    }
    for (f, j) in typed
        .findings
        .iter()
        .zip(json["findings"].as_array().unwrap())
    {
        assert_eq!(f.message(), j["message"].as_str().unwrap());
        assert_eq!(f.message(), f.data.to_string());
    }
    // The typed response reads back from its JSON, prose and all.
    let back: Response = serde_json::from_value(json).unwrap();
    assert_eq!(back, typed);
}

#[test]
fn the_typed_api_takes_explain_as_an_option() {
    let mut request: Request = serde_json::from_value(busy_day()).unwrap();
    assert!(request.explain, "explained by default");
    request.explain = false;
    let response = Engine::default().evaluate(&request);
    assert!(!response.explain);
    let text = serde_json::to_string(&response).unwrap();
    assert!(!text.contains("\"rationale\"") && !text.contains("\"message\""));
    // The typed values do not depend on the option.
    request.explain = true;
    let explained = Engine::default().evaluate(&request);
    assert_eq!(explained.decisions, response.decisions);
    assert_eq!(explained.findings, response.findings);
    assert_eq!(explained.lines, response.lines);
}

#[test]
fn the_audit_quotes_the_selection_as_typed_reasons() {
    let json = evaluate(&busy_day());
    let typed: Response = serde_json::from_value(json).unwrap();
    let mismatch = typed
        .findings
        .iter()
        .find(|f| f.rule == Rule::BilledCodeMismatch)
        .expect("e2 bills H2024 where the engine chooses H2014 for e1 and e2 together");
    let Data::BilledCodeMismatch {
        billed,
        chosen,
        selection,
    } = &mismatch.data
    else {
        panic!("{:?}", mismatch.data)
    };
    assert_eq!((billed.as_str(), chosen.as_str()), ("H2024", "H2014"));
    assert!(selection.iter().any(|r| matches!(
        r,
        Reason::Chosen {
            because: ChoiceGround::Closest,
            ..
        }
    )));
    assert!(
        selection
            .iter()
            .any(|r| matches!(r, Reason::ServiceCodes { .. }))
    );
    // The message says every selection step, whatever its wording.
    let message = mismatch.message();
    for step in selection {
        assert!(message.contains(&step.to_string()), "{message}");
    }
}

#[test]
fn messages_quote_no_other_encounter() {
    let json = evaluate(&busy_day());
    let findings = json["findings"].as_array().unwrap();
    let mut others = 0;
    for f in findings {
        if let Some(other) = f["data"]["other"].as_str() {
            others += 1;
            assert!(!f["message"].as_str().unwrap().contains(other), "{f}");
        }
    }
    // e4 overlaps e2 for p1; e6 repeats e5; pr1 sees p1 and p2 at once.
    assert!(others >= 3, "{findings:#?}");
}
