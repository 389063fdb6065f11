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

// ---- derived modifiers by code family (`modifier_codes`) ----

fn ot_session(id: &str) -> Value {
    with(
        &session(id, "p1", "ot1", "09:00", "09:45"),
        json!({"service": "self_care_training", "setting": "clinic", "follow_up": true}),
    )
}

fn modifiers_of(r: &Value, line: usize) -> Vec<String> {
    r["lines"][line]["modifiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn follow_up_goes_on_h_and_t_codes_only_by_default() {
    let r = run(json!("medicaid"), vec![ot_session("e1")]);
    assert_eq!(r["lines"][0]["code"], "97535");
    assert_eq!(modifiers_of(&r, 0), ["GO"], "no TS on 97535");
    let r = run(
        json!("medicaid"),
        vec![with(
            &session("e1", "p1", "pr1", "09:00", "09:45"),
            json!({"follow_up": true, "early_intervention": true}),
        )],
    );
    assert_eq!(modifiers_of(&r, 0), ["HO", "TL", "TS"], "H2014 keeps them");
}

#[test]
fn modifier_codes_extends_a_modifier_to_more_codes() {
    let policy = json!({"extends": "medicaid", "modifier_codes": {"TS": ["H*", "T*", "97535"]}});
    let r = run(policy, vec![ot_session("e1")]);
    assert_eq!(modifiers_of(&r, 0), ["GO", "TS"]);
    // `*` is every code; `null` brings back the built-in rule.
    let every = json!({"extends": "medicaid", "modifier_codes": {"TS": ["*"]}});
    assert_eq!(
        modifiers_of(&run(every, vec![ot_session("e1")]), 0),
        ["GO", "TS"]
    );
    let engine = Engine::from_policies_json(
        r#"[{"id": "ts-all", "extends": "medicaid", "modifier_codes": {"TS": ["*"]}},
            {"id": "back", "extends": "ts-all", "modifier_codes": {"TS": null}}]"#,
    )
    .unwrap();
    let policy = engine.policy("back").unwrap();
    assert!(!policy.modifier_applies(h2024::Modifier::TS, h2024::Code::Cpt97535));
    assert!(policy.modifier_applies(h2024::Modifier::TS, h2024::Code::H2014));
    // A modifier may be taken off a code family: HO on no code at all.
    let none = json!({"extends": "medicaid", "modifier_codes": {"HO": []}});
    let r = run(none, vec![session("e1", "p1", "pr1", "09:00", "09:45")]);
    assert_eq!(modifiers_of(&r, 0), Vec::<String>::new());
}

#[test]
fn a_billed_modifier_the_policy_puts_on_other_codes_is_invalid() {
    let billed = with(
        &ot_session("e1"),
        json!({"billed": {"code": "97535", "modifiers": ["GO", "TS"], "units": 3, "place_of_service": "11"}}),
    );
    let r = run(json!("medicaid"), vec![billed]);
    let f = fired(&r, "invalid_modifier");
    assert_eq!(f.len(), 1, "{:#}", r["findings"]);
    assert_eq!(
        f[0].1["because"],
        json!({"kind": "not_for_code", "code": "97535"})
    );
    // Billed as the engine would: nothing.
    let clean = with(
        &ot_session("e1"),
        json!({"billed": {"code": "97535", "modifiers": ["GO"], "units": 3, "place_of_service": "11"}}),
    );
    let r = run(json!("medicaid"), vec![clean]);
    assert!(
        fired(&r, "invalid_modifier").is_empty(),
        "{:#}",
        r["findings"]
    );
    assert!(
        fired(&r, "missing_required_modifier").is_empty(),
        "{:#}",
        r["findings"]
    );
}

#[test]
fn modifier_codes_and_priority_errors_name_the_path() {
    for (policy, path) in [
        (
            json!({"modifier_codes": {"TS": ["H20145*"]}}),
            "[0].modifier_codes.TS[0]",
        ),
        (
            json!({"modifier_codes": {"TS": ["H*", "H*"]}}),
            "[0].modifier_codes.TS[1]",
        ),
        (
            json!({"modifier_codes": {"ZZ": ["H*"]}}),
            "[0].modifier_codes",
        ),
        (
            json!({"modifier_priority": ["TS", "TS"]}),
            "[0].modifier_priority[1]",
        ),
        (
            json!({"modifier_priority": ["QQ"]}),
            "[0].modifier_priority[0]",
        ),
    ] {
        let mut policy = policy;
        policy["id"] = json!("p");
        policy["extends"] = json!("medicaid");
        let err = Engine::from_policies_json(&json!([policy]).to_string()).unwrap_err();
        assert_eq!(err.path(), path, "{policy}: {err}");
        assert!(!err.to_string().contains("H20145") && !err.to_string().contains("ZZ"));
    }
}

// ---- which modifiers stay when more than four are required (`modifier_priority`) ----

fn crowded(modality: &str) -> Value {
    with(
        &session("e1", "p1", "pr1", "09:00", "09:45"),
        json!({"setting": "community", "follow_up": true, "early_intervention": true,
               "group_size": 2, "modality": modality}),
    )
}

#[test]
fn a_telehealth_line_keeps_its_telehealth_modifier() {
    let policy = json!({"extends": "medicaid", "setting_modifiers": {"community": "U1"}});
    // U1, HO, HQ, TL, TS, GT: the informational TS and TL go first.
    let r = run(policy.clone(), vec![crowded("audio_video")]);
    assert_eq!(modifiers_of(&r, 0), ["U1", "HO", "HQ", "GT"]);
    let f = fired(&r, "too_many_modifiers");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].1["required"], 6);
    assert_eq!(f[0].1["dropped"], json!(["TL", "TS"]));
    // In person: U1, HO, HQ, TL, TS: TS goes.
    let r = run(policy, vec![crowded("in_person")]);
    assert_eq!(modifiers_of(&r, 0), ["U1", "HO", "HQ", "TL"]);
}

#[test]
fn modifier_priority_decides_which_stay_and_modifier_order_still_orders_them() {
    let policy = json!({"extends": "medicaid", "setting_modifiers": {"community": "U1"},
                        "modifier_priority": ["TS", "TL"],
                        "modifier_order": ["GT"]});
    let r = run(policy, vec![crowded("audio_video")]);
    // Kept: TS, TL, then U1 and HO by default priority; HQ and GT are left off.
    assert_eq!(modifiers_of(&r, 0), ["U1", "HO", "TL", "TS"]);
    let f = fired(&r, "too_many_modifiers");
    assert_eq!(f[0].1["dropped"], json!(["HQ", "GT"]));
}

#[test]
fn four_or_fewer_modifiers_are_never_left_off() {
    let r = run(
        json!("medicaid"),
        vec![with(
            &session("e1", "p1", "pr1", "09:00", "09:45"),
            json!({"follow_up": true, "modality": "audio_video", "group_size": 2}),
        )],
    );
    assert_eq!(modifiers_of(&r, 0), ["HO", "HQ", "TS", "GT"]);
    assert!(fired(&r, "too_many_modifiers").is_empty());
}

/// The priority a modifier has under `priority` (the rule the README states), as a number:
/// listed ones first, then the default groups' order; an assistant modifier just after its
/// plan-of-care modifier when that one is present.
fn expected_rank(
    m: h2024::Modifier,
    priority: &[h2024::Modifier],
    present: &[h2024::Modifier],
) -> (usize, u8, usize, u8) {
    use h2024::Modifier::*;
    let base = |m: h2024::Modifier| {
        let listed = priority
            .iter()
            .position(|p| *p == m)
            .unwrap_or(priority.len());
        let group = match m.group() {
            h2024::ModifierGroup::StateDefined => 0,
            h2024::ModifierGroup::ProviderLevel => 1,
            h2024::ModifierGroup::Group => 2,
            h2024::ModifierGroup::Therapy => 3,
            h2024::ModifierGroup::TherapyAssistant => 4,
            h2024::ModifierGroup::Telehealth => 5,
            h2024::ModifierGroup::EarlyIntervention => 6,
            h2024::ModifierGroup::FollowUp => 7,
            h2024::ModifierGroup::Distinct => 8,
            _ => 9,
        };
        let at = h2024::Modifier::ALL.iter().position(|a| *a == m).unwrap();
        (listed, group, at)
    };
    let (l, g, a) = match m {
        CO if present.contains(&GO) => base(GO),
        CQ if present.contains(&GP) => base(GP),
        _ => base(m),
    };
    (
        l,
        g,
        a,
        u8::from(matches!(m, CO | CQ) && (present.contains(&GO) || present.contains(&GP))),
    )
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

    /// At most four stay; exactly the required ones when four or fewer; every one kept ranks
    /// above every one left off; the kept ones are in line order; CO or CQ never stays
    /// without its GO or GP.
    #[test]
    fn modifier_selection_keeps_at_most_four_and_never_a_lower_priority_one_instead(
        picked in proptest::sample::subsequence((0..h2024::Modifier::ALL.len()).collect::<Vec<_>>(), 0..9),
        priority in proptest::sample::subsequence((0..h2024::Modifier::ALL.len()).collect::<Vec<_>>(), 0..6),
        order in proptest::sample::subsequence((0..h2024::Modifier::ALL.len()).collect::<Vec<_>>(), 0..6),
        rotate in 0..8usize,
    ) {
        use h2024::Modifier;
        let all = Modifier::ALL;
        let mut required: Vec<Modifier> = picked.iter().map(|&i| all[i]).collect();
        if !required.is_empty() {
            let by = rotate % required.len();
            required.rotate_left(by);
        }
        let priority: Vec<Modifier> = priority.iter().rev().map(|&i| all[i]).collect();
        let order: Vec<Modifier> = order.iter().map(|&i| all[i]).collect();
        let (kept, dropped) = h2024::modifiers::fit_modifiers(&required, &priority, &order);
        proptest::prop_assert_eq!(kept.len(), required.len().min(4));
        proptest::prop_assert_eq!(kept.len() + dropped.len(), required.len());
        for m in &required {
            proptest::prop_assert!(kept.contains(m) || dropped.contains(m));
        }
        for k in &kept {
            for d in &dropped {
                proptest::prop_assert!(
                    expected_rank(*k, &priority, &required) < expected_rank(*d, &priority, &required),
                    "{k} kept over {d}"
                );
            }
        }
        let mut line = kept.clone();
        h2024::modifiers::sort_modifiers(&mut line, &order);
        proptest::prop_assert_eq!(&line, &kept);
        for (assistant, plan) in [(Modifier::CO, Modifier::GO), (Modifier::CQ, Modifier::GP)] {
            if kept.contains(&assistant) && required.contains(&plan) {
                proptest::prop_assert!(kept.contains(&plan));
            }
        }
    }
}

// ---- under `session` aggregation, one code for a day's sessions of one service ----

fn codes_and_units(r: &Value) -> Vec<(String, u64)> {
    r["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["code"].as_str().unwrap().to_owned(),
                l["units"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_days_sessions_of_one_service_bill_one_code_under_session_aggregation() {
    // 60 and 45 minutes: H2024 x 1 + H2014 x 3 if chosen apart; together H2014 x 7.
    let r = run(
        json!("commercial"),
        vec![
            session("e1", "p1", "pr1", "09:00", "10:00"),
            session("e2", "p1", "pr1", "13:00", "13:45"),
        ],
    );
    assert_eq!(codes_and_units(&r), [("H2014".to_owned(), 7)]);
    let reasons = r["decisions"][0]["reasons"].as_array().unwrap();
    assert!(
        reasons
            .iter()
            .any(|x| x == &json!({"kind": "same_service_day", "sessions": 2, "minutes": 105})),
        "{reasons:#?}"
    );
    // 60 and 60: both codes bill 120 minutes; the tie goes to the preferred H2024, x 2.
    let r = run(
        json!("commercial"),
        vec![
            session("e1", "p1", "pr1", "09:00", "10:00"),
            session("e2", "p1", "pr1", "13:00", "14:00"),
        ],
    );
    assert_eq!(codes_and_units(&r), [("H2024".to_owned(), 2)]);
}

#[test]
fn sessions_are_scored_as_they_round_one_by_one() {
    // 40 + 40 minutes under session aggregation: H2024 would bill 1 + 1 = 2 hours (120
    // minutes for 80), H2014 3 + 3 = 6 units (90 minutes): H2014 x 6.
    let r = run(
        json!("commercial"),
        vec![
            session("e1", "p1", "pr1", "09:00", "09:40"),
            session("e2", "p1", "pr1", "13:00", "13:40"),
        ],
    );
    assert_eq!(codes_and_units(&r), [("H2014".to_owned(), 6)]);
}

#[test]
fn other_providers_days_and_services_are_coded_apart() {
    let r = run(
        json!("commercial"),
        vec![
            session("e1", "p1", "pr1", "09:00", "10:00"),
            session("e2", "p1", "pr2", "13:00", "13:45"),
        ],
    );
    assert_eq!(
        codes_and_units(&r),
        [("H2014".to_owned(), 3), ("H2024".to_owned(), 1)]
    );
    let r = run(
        json!("commercial"),
        vec![
            session("e1", "p1", "pr1", "09:00", "10:00"),
            with(
                &session("e2", "p1", "pr1", "13:00", "13:45"),
                json!({"start": "2026-03-03T13:00:00-05:00", "end": "2026-03-03T13:45:00-05:00"}),
            ),
        ],
    );
    assert_eq!(
        codes_and_units(&r),
        [("H2024".to_owned(), 1), ("H2014".to_owned(), 3)]
    );
}

#[test]
fn a_single_session_is_coded_as_before() {
    let r = run(
        json!("commercial"),
        vec![session("e1", "p1", "pr1", "09:00", "10:00")],
    );
    assert_eq!(codes_and_units(&r), [("H2024".to_owned(), 1)]);
    let r = run(
        json!("commercial"),
        vec![session("e1", "p1", "pr1", "09:00", "09:45")],
    );
    assert_eq!(codes_and_units(&r), [("H2014".to_owned(), 3)]);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Under `session` aggregation, a day's skills-training sessions of one patient and one
    /// provider are billed under one code, and the units are those that code's sessions earn
    /// one by one.
    #[test]
    fn session_aggregation_bills_one_code_a_day(lengths in proptest::collection::vec(1u32..200, 1..5)) {
        let mut start = 8 * 60;
        let encounters: Vec<Value> = lengths
            .iter()
            .enumerate()
            .map(|(i, &minutes)| {
                let t = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
                let e = session(&format!("e{i}"), "p1", "pr1", &t(start), &t(start + minutes));
                start += minutes;
                e
            })
            .collect();
        let r = run(json!("commercial"), encounters);
        let lines = codes_and_units(&r);
        proptest::prop_assert!(lines.len() <= 1, "{lines:?}");
        if let Some((code, units)) = lines.first() {
            let unit = if code == "H2024" { 60 } else { 15 };
            let expected: u32 = lengths
                .iter()
                .map(|&m| m / unit + u32::from(m % unit * 2 > unit))
                .sum();
            proptest::prop_assert_eq!(*units, u64::from(expected));
        }
    }
}

// ---- documentation elements per code family (`documentation_elements`) ----

/// A note with only the given elements.
fn note(elements: &[&str]) -> Value {
    let full = json!({"skills_taught": ["budgeting"], "participation": "active",
                      "progress": "paid two bills on time", "techniques": ["modeling"],
                      "objectives": ["g1"], "challenges": "distracted",
                      "adjustments": "shorter tasks"});
    let mut out = json!({});
    for e in elements {
        out[*e] = full[*e].clone();
    }
    out
}

fn missing(r: &Value) -> Vec<String> {
    fired(r, "missing_documentation")
        .into_iter()
        .map(|(_, d)| d["element"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_therapy_note_needs_objectives_progress_and_techniques() {
    let therapy =
        |elements: &[&str]| with(&ot_session("e1"), json!({"documentation": note(elements)}));
    // Without skills taught and participation: nothing missing on 97535.
    let r = run(
        json!("medicaid"),
        vec![therapy(&["progress", "techniques", "objectives"])],
    );
    assert_eq!(r["lines"][0]["code"], "97535");
    assert!(missing(&r).is_empty(), "{:#}", r["findings"]);
    // Without techniques: one finding.
    let r = run(
        json!("medicaid"),
        vec![therapy(&["progress", "objectives", "skills_taught"])],
    );
    assert_eq!(missing(&r), ["techniques"]);
    // No note at all: the three.
    let r = run(
        json!("medicare"),
        vec![with(&ot_session("e1"), json!({"documentation": null}))],
    );
    assert_eq!(missing(&r), ["progress", "techniques", "objectives"]);
}

#[test]
fn a_skills_note_still_needs_the_five() {
    let r = run(
        json!("medicaid"),
        vec![with(
            &session("e1", "p1", "pr1", "09:00", "09:45"),
            json!({"documentation": note(&["progress", "techniques", "objectives"])}),
        )],
    );
    assert_eq!(missing(&r), ["skills_taught", "participation"]);
}

#[test]
fn documentation_elements_are_policy_data_the_most_specific_key_wins() {
    let policy = json!({"extends": "medicaid", "documentation_elements": {
        "default": ["progress", "challenges", "adjustments"],
        "H20*": ["participation"],
        "H2014": ["skills_taught"],
        "therapy": ["techniques"]}});
    let skills = |id: &str, service: &str, start: &str| {
        with(
            &session(id, "p1", "pr1", start, &format!("{}:45", &start[..2])),
            json!({"service": service, "documentation": {}}),
        )
    };
    let r = run(
        policy.clone(),
        vec![
            skills("e1", "skills_training", "09:00"),
            skills("e2", "psychosocial_rehabilitation", "11:00"),
        ],
    );
    let per_encounter = |id: &str| {
        fired(&r, "missing_documentation")
            .into_iter()
            .filter(|(e, _)| e == id)
            .map(|(_, d)| d["element"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(per_encounter("e1"), ["skills_taught"], "H2014: its own key");
    assert_eq!(
        per_encounter("e2"),
        ["participation"],
        "H2017: the prefix H20*"
    );
    let r = run(
        policy,
        vec![with(&ot_session("e1"), json!({"documentation": {}}))],
    );
    assert_eq!(missing(&r), ["techniques"], "97535: therapy");
    // `null` brings back the built-in lists.
    let engine = Engine::from_policies_json(
        r#"[{"id": "a", "extends": "medicaid", "documentation_elements": {"therapy": []}},
            {"id": "b", "extends": "a", "documentation_elements": {"therapy": null}}]"#,
    )
    .unwrap();
    assert!(
        engine
            .policy("a")
            .unwrap()
            .documentation_elements(h2024::Code::Cpt97535)
            .is_empty()
    );
    assert_eq!(
        engine
            .policy("b")
            .unwrap()
            .documentation_elements(h2024::Code::Cpt97535)
            .len(),
        3
    );
}

#[test]
fn documentation_elements_errors_name_the_path() {
    for (map, path) in [
        (
            json!({"default": ["skills_taught", "skills_taught"]}),
            "[0].documentation_elements.default[1]",
        ),
        (
            json!({"97535": ["signature"]}),
            "[0].documentation_elements.97535[0]",
        ),
        (json!({"H*": ["x"]}), "[0].documentation_elements.H*[0]"),
        (
            json!({"nonsense key": ["progress"]}),
            "[0].documentation_elements",
        ),
    ] {
        let policy = json!([{"id": "p", "extends": "medicaid", "documentation_elements": map}]);
        let err = Engine::from_policies_json(&policy.to_string()).unwrap_err();
        assert_eq!(err.path(), path, "{policy}: {err}");
        assert!(!err.to_string().contains("nonsense"));
    }
}
