//! The 837P writer (README, "From a response to a claim"; `docs/x12.md`): each segment of
//! the shipped example interchange, the counts and control numbers, custom separators,
//! and every refusal naming a path, never a value, before anything is written.

use h2024::x12::{Envelope, Separators, X12Error, write_837p};
use h2024::{Engine, Request, Response};
use serde_json::{Value, json};

const REQUEST: &str = include_str!("../examples/x12/request.json");
const ENVELOPE: &str = include_str!("../examples/x12/envelope.json");

fn engine() -> Engine {
    Engine::with_state_packs()
}

fn response_of(request: &Value) -> Response {
    let request = Request::from_json(&request.to_string()).expect("a valid request");
    engine().evaluate(&request)
}

fn example_request() -> Value {
    serde_json::from_str(REQUEST).unwrap()
}

fn example_envelope() -> Value {
    serde_json::from_str(ENVELOPE).unwrap()
}

fn envelope(value: &Value) -> Envelope {
    Envelope::from_json(&value.to_string()).expect("a readable envelope")
}

/// The interchange as text, and as segments split into elements.
fn write(response: &Response, envelope: &Envelope) -> Result<String, X12Error> {
    let mut out = Vec::new();
    let result = write_837p(response, envelope, &mut out);
    if result.is_err() {
        assert!(out.is_empty(), "nothing is written before a refusal");
    }
    result.map(|()| String::from_utf8(out).expect("ASCII"))
}

fn segments(text: &str, seps: &Separators) -> Vec<Vec<String>> {
    text.split(seps.segment)
        .map(|s| s.trim_start_matches('\n'))
        .filter(|s| !s.is_empty())
        .map(|s| s.split(seps.element).map(str::to_owned).collect())
        .collect()
}

fn example() -> Vec<Vec<String>> {
    let text = write(
        &response_of(&example_request()),
        &envelope(&example_envelope()),
    )
    .unwrap();
    segments(&text, &Separators::default())
}

fn find<'a>(segs: &'a [Vec<String>], id: &str) -> Vec<&'a Vec<String>> {
    segs.iter().filter(|s| s[0] == id).collect()
}

fn strs(seg: &[String]) -> Vec<&str> {
    seg.iter().map(String::as_str).collect()
}

#[test]
fn the_example_is_priced_and_grouped_by_patient() {
    let r = response_of(&example_request());
    assert_eq!(r.claims.len(), 2);
    assert_eq!(r.claims[0].patient, "p1");
    assert_eq!(r.claims[0].lines, [0, 1, 2]);
    // H2014 x 3 at 1244, H2014 HQ x 4 at 311, H2017 x 2 at 793 (MaineCare section 17).
    let charges: Vec<Option<u64>> = r.lines.iter().map(|l| l.charge_cents).collect();
    assert_eq!(charges, [Some(3732), Some(1244), Some(1586), Some(3732)]);
    assert_eq!(r.claims[0].charge_cents, Some(3732 + 1244 + 1586));
    let findings: Vec<&str> = r.findings.iter().map(|f| f.rule.id()).collect();
    assert!(findings.is_empty(), "{findings:?}");
}

#[test]
fn isa_is_fixed_width_and_names_the_separators() {
    let segs = example();
    let isa = strs(&segs[0]);
    assert_eq!(
        isa,
        [
            "ISA",
            "00",
            "          ",
            "00",
            "          ",
            "ZZ",
            "SKILLSPRACTICE ",
            "ZZ",
            "MAINECARE      ",
            "260331",
            "1605",
            "^",
            "00501",
            "000000042",
            "0",
            "T",
            ":"
        ]
    );
    // 105 characters and the terminator: the ISA is fixed width.
    assert_eq!(segs[0].join("*").len() + 1, 106);
    let iea = strs(segs.last().unwrap());
    assert_eq!(iea, ["IEA", "1", "000000042"]);
}

#[test]
fn header_submitter_and_receiver() {
    let segs = example();
    assert_eq!(
        strs(&segs[1]),
        [
            "GS",
            "HC",
            "SKILLSPRACTICE",
            "MAINECARE",
            "20260331",
            "1605",
            "42",
            "X",
            "005010X222A1"
        ]
    );
    assert_eq!(strs(&segs[2]), ["ST", "837", "0001", "005010X222A1"]);
    assert_eq!(
        strs(&segs[3]),
        [
            "BHT",
            "0019",
            "00",
            "BATCH-2026-03",
            "20260331",
            "1605",
            "CH"
        ]
    );
    assert_eq!(
        strs(&segs[4]),
        [
            "NM1",
            "41",
            "2",
            "EXAMPLE SKILLS PRACTICE",
            "",
            "",
            "",
            "",
            "46",
            "SKILLSPRACTICE"
        ]
    );
    assert_eq!(
        strs(&segs[5]),
        [
            "PER",
            "IC",
            "BILLING OFFICE",
            "TE",
            "2075550100",
            "EM",
            "billing@example.org"
        ]
    );
    assert_eq!(
        strs(&segs[6]),
        [
            "NM1",
            "40",
            "2",
            "MAINECARE",
            "",
            "",
            "",
            "",
            "46",
            "MAINECARE"
        ]
    );
}

#[test]
fn billing_provider_loop() {
    let segs = example();
    let loop_2000a: Vec<Vec<&str>> = segs[7..13].iter().map(|s| strs(s)).collect();
    assert_eq!(
        loop_2000a,
        [
            vec!["HL", "1", "", "20", "1"],
            vec!["PRV", "BI", "PXC", "251S00000X"],
            vec![
                "NM1",
                "85",
                "2",
                "EXAMPLE SKILLS PRACTICE",
                "",
                "",
                "",
                "",
                "XX",
                "1234567893"
            ],
            vec!["N3", "100 EXAMPLE ST"],
            vec!["N4", "PORTLAND", "ME", "041010001"],
            vec!["REF", "EI", "990000001"],
        ]
    );
}

#[test]
fn subscriber_and_payer_loops() {
    let segs = example();
    let hls: Vec<Vec<&str>> = find(&segs, "HL").iter().map(|s| strs(s)).collect();
    assert_eq!(
        hls,
        [
            vec!["HL", "1", "", "20", "1"],
            vec!["HL", "2", "1", "22", "0"],
            vec!["HL", "3", "1", "22", "0"]
        ]
    );
    let at = segs
        .iter()
        .position(|s| s[0] == "HL" && s[1] == "2")
        .unwrap();
    let loop_2000b: Vec<Vec<&str>> = segs[at..at + 7].iter().map(|s| strs(s)).collect();
    assert_eq!(
        loop_2000b,
        [
            vec!["HL", "2", "1", "22", "0"],
            vec!["SBR", "P", "18", "", "", "", "", "", "", "MC"],
            vec![
                "NM1",
                "IL",
                "1",
                "SAMPLE",
                "ALEX",
                "",
                "",
                "",
                "MI",
                "ME0000001"
            ],
            vec!["N3", "1 TEST LANE", "APT 2"],
            vec!["N4", "PORTLAND", "ME", "04101"],
            vec!["DMG", "D8", "19980412", "U"],
            vec![
                "NM1",
                "PR",
                "2",
                "MAINECARE",
                "",
                "",
                "",
                "",
                "PI",
                "MAINECARE"
            ],
        ]
    );
}

#[test]
fn claims_carry_total_place_of_service_and_diagnoses() {
    let segs = example();
    let clms: Vec<Vec<&str>> = find(&segs, "CLM").iter().map(|s| strs(s)).collect();
    assert_eq!(
        clms,
        [
            vec![
                "CLM",
                "B202603-1",
                "65.62",
                "",
                "",
                "12:B:1",
                "Y",
                "A",
                "Y",
                "Y"
            ],
            vec![
                "CLM",
                "B202603-2",
                "37.32",
                "",
                "",
                "10:B:1",
                "Y",
                "A",
                "Y",
                "Y"
            ],
        ]
    );
    let his: Vec<Vec<&str>> = find(&segs, "HI").iter().map(|s| strs(s)).collect();
    assert_eq!(
        his,
        [
            vec!["HI", "ABK:F840", "ABF:F411", "ABF:Z591"],
            vec!["HI", "ABK:F70"]
        ]
    );
}

#[test]
fn service_lines_are_the_lines_x12_with_their_rendering_provider() {
    let r = response_of(&example_request());
    let mut env = example_envelope();
    env["separators"]["line_break"] = json!(false);
    let text = write(&r, &envelope(&env)).unwrap();
    for (claim_at, claim) in r.claims.iter().enumerate() {
        for &li in &claim.lines {
            let x12 = r.lines[li]
                .x12
                .as_deref()
                .expect("a priced line with a diagnosis");
            assert!(text.contains(x12), "claim {claim_at}, line {li}: {x12}");
        }
    }
    assert_eq!(
        r.lines[0].x12.as_deref(),
        Some("LX*1~SV1*HC:H2014:HO:TS*37.32*UN*3*12**1:2~DTP*472*D8*20260302~REF*G1*ME-2026-0042~")
    );
    // LX counts within each claim.
    assert_eq!(r.lines[3].x12.as_deref().map(|x| &x[..5]), Some("LX*1~"));
    let segs = segments(&text, &Separators::default());
    let lx: Vec<&str> = find(&segs, "LX").iter().map(|s| s[1].as_str()).collect();
    assert_eq!(lx, ["1", "2", "3", "1"]);
    // 2420A after each line of a listed provider.
    let nm82 = find(&segs, "NM1")
        .into_iter()
        .filter(|s| s[1] == "82")
        .count();
    assert_eq!(nm82, 4);
    assert!(text.contains("NM1*82*1*WORKER*RILEY****XX*1456789019~"));
}

#[test]
fn trailers_count_segments_and_repeat_control_numbers() {
    let segs = example();
    let st = segs.iter().position(|s| s[0] == "ST").unwrap();
    let se = segs.iter().position(|s| s[0] == "SE").unwrap();
    assert_eq!(strs(&segs[se]), ["SE", &(se - st + 1).to_string(), "0001"]);
    assert_eq!(strs(&segs[se + 1]), ["GE", "1", "42"]);
    assert_eq!(segs.len(), se + 3);
}

#[test]
fn separators_are_configurable() {
    let mut env = example_envelope();
    env["separators"] =
        json!({"element": "|", "component": ">", "repetition": "{", "segment": "'"});
    let env = envelope(&env);
    let text = write(&response_of(&example_request()), &env).unwrap();
    assert!(text.starts_with("ISA|00|          |00|"));
    assert!(text.contains("|{|00501|000000042|0|T|>'"));
    assert!(text.contains("SV1|HC>H2014>HO>TS|37.32|UN|3|12||1>2'"));
    assert!(!text.contains('~') && !text.contains('\n'));
    let segs = segments(&text, &env.separators);
    assert_eq!(segs.last().map(|s| s[0].as_str()), Some("IEA"));
}

#[test]
fn data_holding_a_separator_is_refused_by_path() {
    let r = response_of(&example_request());
    let mut env = example_envelope();
    env["submitter"]["name"] = json!("SMITH*JONES");
    let err = write(&r, &envelope(&env)).unwrap_err();
    assert!(matches!(err, X12Error::HoldsSeparator { .. }), "{err}");
    assert_eq!(err.path(), Some("submitter.name"));
    assert!(!err.to_string().contains("SMITH"), "{err}");
    // The same name is fine once '*' is not a separator.
    env["separators"]["element"] = json!("|");
    assert!(write(&r, &envelope(&env)).is_ok());
    // A separator in an authorization number, from the request.
    let mut req = example_request();
    req["patients"][0]["authorizations"][0]["number"] = json!("ME~42");
    let r = response_of(&req);
    assert_eq!(r.lines[0].authorization.as_deref(), Some("ME~42"));
    assert_eq!(r.lines[0].x12, None);
    let err = write(&r, &envelope(&example_envelope())).unwrap_err();
    assert_eq!(err.path(), Some("lines[0].authorization"));
    assert!(!err.to_string().contains("ME~42"), "{err}");
}

#[test]
fn separators_that_collide_are_refused() {
    let r = response_of(&example_request());
    for (seps, path) in [
        (json!({"component": "*"}), "separators.component"),
        (json!({"segment": "A"}), "separators.segment"),
        (json!({"element": "."}), "separators.element"),
        (json!({"repetition": " "}), "separators.repetition"),
    ] {
        let mut env = example_envelope();
        env["separators"] = seps;
        let err = write(&r, &envelope(&env)).unwrap_err();
        assert_eq!(err.path(), Some(path), "{err}");
    }
}

#[test]
fn npis_are_checked_by_their_check_digit() {
    let r = response_of(&example_request());
    for (field, path) in [
        ("/billing_provider/npi", "billing_provider.npi"),
        ("/rendering_providers/1/npi", "rendering_providers[1].npi"),
    ] {
        let mut env = example_envelope();
        *env.pointer_mut(field).unwrap() = json!("1234567890");
        let err = write(&r, &envelope(&env)).unwrap_err();
        assert_eq!(err.path(), Some(path), "{err}");
        assert!(!err.to_string().contains("1234567890"), "{err}");
    }
}

#[test]
fn envelope_values_are_checked_by_path_without_echo() {
    let r = response_of(&example_request());
    for (field, value, path) in [
        (
            "/billing_provider/tax_id",
            json!("99-0000001"),
            "billing_provider.tax_id",
        ),
        (
            "/billing_provider/address/postal_code",
            json!("04101"),
            "billing_provider.address.postal_code",
        ),
        (
            "/subscribers/0/address/state",
            json!("Maine"),
            "subscribers[0].address.state",
        ),
        (
            "/subscribers/1/member_id",
            json!("X"),
            "subscribers[1].member_id",
        ),
        (
            "/subscribers/1/patient",
            json!("p1"),
            "subscribers[1].patient",
        ),
        ("/payer/claim_filing", json!("XX"), "payer.claim_filing"),
        ("/submitter/phone", json!("207-555-0100"), "submitter.phone"),
        (
            "/interchange/control_number",
            json!(0),
            "interchange.control_number",
        ),
        (
            "/interchange/sender_id",
            json!("A-SENDER-ID-TOO-LONG"),
            "interchange.sender_id",
        ),
        (
            "/interchange/sender_qualifier",
            json!("99"),
            "interchange.sender_qualifier",
        ),
        (
            "/billing_provider/taxonomy",
            json!("251S"),
            "billing_provider.taxonomy",
        ),
        ("/claim_id_prefix", json!("P".repeat(31)), "claim_id_prefix"),
    ] {
        let mut env = example_envelope();
        *env.pointer_mut(field).unwrap() = value.clone();
        let err = write(&r, &envelope(&env)).unwrap_err();
        assert_eq!(err.path(), Some(path), "{field}: {err}");
        if let Some(text) = value.as_str() {
            assert!(!err.to_string().contains(text), "{err}");
        }
    }
}

#[test]
fn a_missing_envelope_field_is_named() {
    let mut env = example_envelope();
    env["billing_provider"]
        .as_object_mut()
        .unwrap()
        .remove("npi");
    let err = Envelope::from_json(&env.to_string()).unwrap_err();
    assert!(matches!(err, X12Error::Envelope { .. }));
    assert_eq!(err.path(), Some("billing_provider.npi"));
    let mut env = example_envelope();
    env["subscribers"][0]["ssn"] = json!("000-00-0000");
    let err = Envelope::from_json(&env.to_string()).unwrap_err();
    assert_eq!(err.path(), Some("subscribers[0]"));
    assert!(!err.to_string().contains("000-00"), "{err}");
    let err = Envelope::from_json("[]").unwrap_err();
    assert_eq!(err.path(), Some(""));
}

#[test]
fn what_the_response_lacks_is_refused_by_path() {
    // A claim whose patient has no subscriber in the envelope.
    let r = response_of(&example_request());
    let mut env = example_envelope();
    env["subscribers"].as_array_mut().unwrap().truncate(1);
    let err = write(&r, &envelope(&env)).unwrap_err();
    assert!(matches!(err, X12Error::Missing { .. }), "{err}");
    assert_eq!(err.path(), Some("claims[1].patient"));

    // Lines without a charge: the built-in medicaid policy has no fees.
    let mut req = example_request();
    req["policy"] = json!("medicaid");
    let r = response_of(&req);
    assert!(
        r.lines
            .iter()
            .all(|l| l.charge_cents.is_none() && l.x12.is_none())
    );
    let err = write(&r, &envelope(&example_envelope())).unwrap_err();
    assert_eq!(err.path(), Some("claims[0].charge_cents"));

    // A claim whose encounters list no diagnosis.
    let mut req = example_request();
    for e in req["encounters"].as_array_mut().unwrap() {
        e.as_object_mut().unwrap().remove("diagnoses");
    }
    let r = response_of(&req);
    let err = write(&r, &envelope(&example_envelope())).unwrap_err();
    assert_eq!(err.path(), Some("claims[0].diagnoses"));

    // A line without a diagnosis on a claim that has some.
    let mut req = example_request();
    req["encounters"][1]
        .as_object_mut()
        .unwrap()
        .remove("diagnoses");
    let r = response_of(&req);
    assert!(r.lines[1].diagnosis_pointers.is_empty());
    let err = write(&r, &envelope(&example_envelope())).unwrap_err();
    assert_eq!(err.path(), Some("lines[1].diagnosis_pointers"));

    // No claim at all.
    let mut req = example_request();
    req["encounters"] = json!([]);
    let err = write(&response_of(&req), &envelope(&example_envelope())).unwrap_err();
    assert_eq!(err.path(), Some("claims"));
}

#[test]
fn a_patient_with_more_than_100_claims_gets_another_subscriber_loop() {
    // 101 claims of 50 lines and one more line: 5051 sessions on as many days.
    let mut req = example_request();
    let start = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    let n = 100 * 50 + 51;
    req["patients"][0]["authorizations"] = json!([]);
    req["encounters"] = (0..n)
        .map(|i| {
            let day = start + chrono::Days::new(i as u64);
            json!({"id": format!("e{i}"), "patient": "p1", "provider": "pr1",
                   "service": "skills_training", "setting": "home", "follow_up": true,
                   "start": format!("{day}T09:00:00-05:00"), "end": format!("{day}T09:45:00-05:00"),
                   "diagnoses": ["F84.0"]})
        })
        .collect();
    let r = response_of(&req);
    assert_eq!(r.lines.len(), n);
    assert_eq!(r.claims.len(), 102);
    assert!(r.claims.iter().all(|c| c.lines.len() <= 50));
    let text = write(&r, &envelope(&example_envelope())).unwrap();
    let segs = segments(&text, &Separators::default());
    let subscriber_loops = find(&segs, "HL").iter().filter(|s| s[3] == "22").count();
    assert_eq!(subscriber_loops, 2);
    assert_eq!(find(&segs, "CLM").len(), 102);
    assert_eq!(find(&segs, "LX").len(), n);
    let se = find(&segs, "SE")[0];
    let st = segs.iter().position(|s| s[0] == "ST").unwrap();
    assert_eq!(se[1], (segs.len() - 2 - st).to_string());
}

#[test]
fn an_output_failure_is_an_io_error() {
    struct Broken;
    impl std::io::Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let r = response_of(&example_request());
    let err = write_837p(&r, &envelope(&example_envelope()), Broken).unwrap_err();
    assert!(matches!(err, X12Error::Io(_)), "{err}");
    assert_eq!(err.path(), None);
}
