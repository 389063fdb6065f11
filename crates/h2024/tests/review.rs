//! The fixes of the domain review (issue 10, part 2): each one fired, and silent on a clean
//! claim.

mod common;

use common::{evaluate, patient, provider, request, session, with};
use h2024::Engine;
use serde_json::{Value, json};

fn run(policy: Value, encounters: Vec<Value>) -> Value {
    let req = request(
        policy,
        vec![patient("p1"), patient("p2"), patient("p3")],
        vec![
            provider("pr1", "masters", "behavioral_health"),
            provider("pr2", "bachelors", "behavioral_health"),
            provider("ot1", "masters", "occupational_therapy"),
        ],
        encounters,
    );
    evaluate(&Engine::default(), &req).expect("evaluated")
}

/// The findings of `rule`, as (encounter, data).
fn fired(response: &Value, rule: &str) -> Vec<(String, Value)> {
    response["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| {
            (
                f["encounter"].as_str().unwrap_or("").to_owned(),
                f["data"].clone(),
            )
        })
        .collect()
}

fn group(id: &str, patient: &str, start: &str, end: &str, size: u32) -> Value {
    with(
        &session(id, patient, "pr1", start, end),
        json!({"group_size": size}),
    )
}

// ---- provider_overlap: individual and group sessions ----

#[test]
fn an_individual_session_during_a_group_of_other_patients_is_a_provider_overlap() {
    let r = run(
        json!("medicaid"),
        vec![
            group("g1", "p1", "09:00", "10:00", 2),
            group("g2", "p2", "09:00", "10:00", 2),
            session("i3", "p3", "pr1", "09:30", "10:15"),
        ],
    );
    let f = fired(&r, "provider_overlap");
    assert_eq!(f.len(), 1, "{:#}", r["findings"]);
    assert_eq!(f[0].0, "i3");
    assert_eq!(f[0].1["other"], "g1");
}

#[test]
fn an_individual_session_with_the_same_times_as_a_group_is_a_provider_overlap() {
    let r = run(
        json!("medicaid"),
        vec![
            session("a", "p3", "pr1", "09:00", "10:00"),
            group("g1", "p1", "09:00", "10:00", 2),
            group("g2", "p2", "09:00", "10:00", 2),
        ],
    );
    let f = fired(&r, "provider_overlap");
    // By id, "a" comes first: each group encounter is checked against it.
    assert_eq!(f.len(), 2, "{:#}", r["findings"]);
    assert_eq!(
        f.iter()
            .map(|(e, d)| (e.as_str(), d["other"].as_str().unwrap()))
            .collect::<Vec<_>>(),
        [("g1", "a"), ("g2", "a")]
    );
}

#[test]
fn one_group_session_is_no_provider_overlap() {
    let r = run(
        json!("medicaid"),
        vec![
            group("g1", "p1", "09:00", "10:00", 3),
            group("g2", "p2", "09:00", "10:00", 3),
            group("g3", "p3", "09:00", "10:00", 3),
        ],
    );
    assert!(
        fired(&r, "provider_overlap").is_empty(),
        "{:#}",
        r["findings"]
    );
}

#[test]
fn two_groups_of_one_provider_at_overlapping_times_are_a_provider_overlap() {
    let r = run(
        json!("medicaid"),
        vec![
            group("g1", "p1", "09:00", "10:00", 2),
            group("g2", "p2", "09:00", "10:00", 2),
            group("h1", "p3", "09:45", "10:45", 2),
        ],
    );
    let f = fired(&r, "provider_overlap");
    assert_eq!(f.len(), 1, "{:#}", r["findings"]);
    assert_eq!(f[0].0, "h1");
    // Back to back, the second group is fine.
    let r = run(
        json!("medicaid"),
        vec![
            group("g1", "p1", "09:00", "10:00", 2),
            group("g2", "p2", "09:00", "10:00", 2),
            group("h1", "p3", "10:00", "11:00", 2),
        ],
    );
    assert!(
        fired(&r, "provider_overlap").is_empty(),
        "{:#}",
        r["findings"]
    );
}

// ---- findings on several encounters go on the later one, whatever the request order ----

#[test]
fn overlaps_go_on_the_later_encounter_whatever_the_request_order() {
    let early = session("z-early", "p1", "pr1", "09:00", "09:45");
    let late = with(
        &session("a-late", "p1", "pr2", "09:30", "10:00"),
        json!({"service": "psychosocial_rehabilitation"}),
    );
    for order in [
        vec![early.clone(), late.clone()],
        vec![late.clone(), early.clone()],
    ] {
        let r = run(json!("medicaid"), order);
        let f = fired(&r, "overlapping_services");
        assert_eq!(f.len(), 1, "{:#}", r["findings"]);
        assert_eq!(f[0].0, "a-late");
        assert_eq!(f[0].1["other"], "z-early");
    }
}

#[test]
fn provider_overlaps_go_on_the_later_encounter_whatever_the_request_order() {
    let early = session("z-early", "p1", "pr1", "09:00", "09:45");
    let late = session("a-late", "p2", "pr1", "09:30", "10:00");
    for order in [
        vec![early.clone(), late.clone()],
        vec![late.clone(), early.clone()],
    ] {
        let r = run(json!("medicaid"), order);
        let f = fired(&r, "provider_overlap");
        assert_eq!(f.len(), 1, "{:#}", r["findings"]);
        assert_eq!(f[0].0, "a-late");
        assert_eq!(f[0].1["other"], "z-early");
    }
}

#[test]
fn equal_times_go_by_id_compared_as_a_string() {
    // Same start: the later end is later. Same start and end: the greater id ("e10" < "e9").
    let a = session("e9", "p1", "pr1", "09:00", "09:45");
    let b = session("e10", "p1", "pr1", "09:00", "09:45");
    for order in [vec![a.clone(), b.clone()], vec![b.clone(), a.clone()]] {
        let r = run(json!("medicaid"), order);
        let f = fired(&r, "duplicate_encounter");
        assert_eq!(f.len(), 1, "{:#}", r["findings"]);
        assert_eq!(f[0].0, "e9");
        assert_eq!(f[0].1["other"], "e10");
    }
    let a = session("a", "p1", "pr1", "09:00", "10:00");
    let b = with(
        &session("b", "p1", "pr2", "09:00", "09:30"),
        json!({"service": "psychosocial_rehabilitation"}),
    );
    for order in [vec![a.clone(), b.clone()], vec![b.clone(), a.clone()]] {
        let r = run(json!("medicaid"), order);
        let f = fired(&r, "overlapping_services");
        assert_eq!(f.len(), 1, "{:#}", r["findings"]);
        assert_eq!(f[0].0, "a", "the later end is the later encounter");
        assert_eq!(f[0].1["other"], "b");
    }
}

#[test]
fn total_minute_duplicates_go_on_the_greater_id_whatever_the_request_order() {
    let a = common::total_minutes("m2", "p1", "ot1", 38);
    let b = common::total_minutes("m1", "p1", "ot1", 38);
    let (a, b) = (
        with(
            &a,
            json!({"service": "self_care_training", "setting": "clinic"}),
        ),
        with(
            &b,
            json!({"service": "self_care_training", "setting": "clinic"}),
        ),
    );
    for order in [vec![a.clone(), b.clone()], vec![b.clone(), a.clone()]] {
        let r = run(json!("medicare"), order);
        let f = fired(&r, "duplicate_encounter");
        assert_eq!(f.len(), 1, "{:#}", r["findings"]);
        assert_eq!(f[0].0, "m2");
        assert_eq!(f[0].1["other"], "m1");
    }
}

#[test]
fn a_clean_day_has_no_overlap() {
    let r = run(
        json!("medicaid"),
        vec![
            session("e1", "p1", "pr1", "09:00", "09:45"),
            session("e2", "p2", "pr1", "09:45", "10:30"),
            group("g1", "p1", "11:00", "12:00", 2),
            group("g2", "p2", "11:00", "12:00", 2),
        ],
    );
    for rule in [
        "provider_overlap",
        "overlapping_services",
        "duplicate_encounter",
    ] {
        assert!(fired(&r, rule).is_empty(), "{rule}: {:#}", r["findings"]);
    }
}

/// (rule, encounter, data) of the overlap findings, sorted.
fn overlap_findings(response: &Value) -> Vec<String> {
    let mut out: Vec<String> = response["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            [
                "provider_overlap",
                "overlapping_services",
                "duplicate_encounter",
            ]
            .contains(&f["rule"].as_str().unwrap())
        })
        .map(|f| format!("{} {} {}", f["rule"], f["encounter"], f["data"]))
        .collect();
    out.sort();
    out
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// The overlap findings do not depend on the order of the request, and each goes on the
    /// later of its two encounters (start, then end, then id as a string).
    #[test]
    fn overlap_findings_ignore_request_order_and_go_on_the_later_encounter(
        sessions in proptest::collection::vec((0..3usize, 0..2usize, 0..8u32, 1..6u32, proptest::bool::ANY), 1..10),
        seed in proptest::prelude::any::<u64>(),
    ) {
        let time = |quarter: u32| format!("{:02}:{:02}", 9 + quarter / 4, quarter % 4 * 15);
        let encounters: Vec<Value> = sessions
            .iter()
            .enumerate()
            .map(|(i, &(p, pr, start, length, grouped))| {
                let e = session(&format!("e{i}"), ["p1", "p2", "p3"][p], ["pr1", "pr2"][pr],
                                &time(start), &time(start + length));
                if grouped { with(&e, json!({"group_size": 2})) } else { e }
            })
            .collect();
        // A permutation from the seed: rotate, then reverse when the seed is odd.
        let mut shuffled = encounters.clone();
        shuffled.rotate_left((seed % encounters.len() as u64) as usize);
        if seed % 2 == 1 {
            shuffled.reverse();
        }
        let a = run(json!("medicaid"), encounters.clone());
        let b = run(json!("medicaid"), shuffled);
        proptest::prop_assert_eq!(overlap_findings(&a), overlap_findings(&b));
        let key = |id: &str| {
            let e = encounters.iter().find(|e| e["id"] == id).unwrap();
            (e["start"].as_str().unwrap().to_owned(), e["end"].as_str().unwrap().to_owned(), id.to_owned())
        };
        for f in a["findings"].as_array().unwrap() {
            if let Some(other) = f["data"]["other"].as_str() {
                let here = f["encounter"].as_str().unwrap();
                proptest::prop_assert!(key(other) < key(here), "{f}");
            }
        }
    }
}
