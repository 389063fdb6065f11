//! The `h2024` command line, run as a biller runs it, on the repository's example files
//! (`crates/h2024/examples/`): its output in each format, its exit codes (0 done, 1 error
//! findings in `scrub`, 2 refused input or bad usage) and its one-line errors that never
//! repeat a value of the request (README, "Command line").

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use h2024::Engine;
use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example(path: &str) -> String {
    repo()
        .join("crates/h2024/examples")
        .join(path)
        .display()
        .to_string()
}

/// The day of three sessions with findings (two errors).
fn day() -> String {
    example("requests/day.json")
}

/// A fully documented, correctly billed session: no finding.
fn clean() -> String {
    example("requests/clean.json")
}

fn h2024() -> Command {
    Command::new(env!("CARGO_BIN_EXE_h2024"))
}

/// Runs `h2024 args` (with `stdin`), checks its exit code, and returns stdout and stderr.
fn run<S: AsRef<OsStr>>(args: &[S], stdin: Option<&str>, code: i32) -> (String, String) {
    let mut cmd = h2024();
    cmd.args(args);
    if let Some(stdin) = stdin {
        cmd.write_stdin(stdin);
    }
    let assert = cmd.assert().code(code);
    let output = assert.get_output();
    (
        String::from_utf8(output.stdout.clone()).unwrap(),
        String::from_utf8(output.stderr.clone()).unwrap(),
    )
}

/// A refusal: exit 2, one line on stderr starting `h2024: `, which contains none of
/// `secrets`.
fn refused<S: AsRef<OsStr>>(args: &[S], stdin: Option<&str>, secrets: &[&str]) -> (String, String) {
    let (out, err) = run(args, stdin, 2);
    assert_eq!(err.lines().count(), 1, "one line on stderr: {err:?}");
    assert!(err.starts_with("h2024: "), "{err:?}");
    for secret in secrets {
        assert!(!err.contains(secret), "stderr repeats {secret:?}: {err:?}");
    }
    (out, err)
}

/// `h2024 --state-packs x12 REQUEST --envelope ENVELOPE [--output OUTPUT]`.
fn x12_args(request: &str, envelope: &str, output: Option<&Path>) -> Vec<String> {
    let mut args = ["--state-packs", "x12", request, "--envelope", envelope]
        .map(String::from)
        .to_vec();
    if let Some(output) = output {
        args.extend(["--output".to_owned(), output.display().to_string()]);
    }
    args
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn evaluate_prints_the_engines_response() {
    let (out, err) = run(&["evaluate", &day()], None, 0);
    assert_eq!(err, "");
    let text = std::fs::read_to_string(day()).unwrap();
    let expected = Engine::default().evaluate_json(&text).unwrap();
    assert_eq!(json(&out), json(&expected));
    let response = json(&out);
    assert_eq!(response["explain"], true);
    assert_eq!(response["lines"].as_array().unwrap().len(), 2);
    assert!(response["decisions"][0]["rationale"].is_array());
    assert!(response["findings"][0]["message"].is_string());
}

#[test]
fn evaluate_compact_leaves_the_prose_out() {
    let (out, _) = run(&["evaluate", "--compact", &day()], None, 0);
    let response = json(&out);
    assert_eq!(response["explain"], false);
    assert!(!out.contains("\"rationale\""));
    assert!(!out.contains("\"message\""));
    assert!(!out.contains("\"reason\""));
    assert_eq!(response["lines"].as_array().unwrap().len(), 2);
    assert!(response["findings"][0]["data"]["kind"].is_string());
}

#[test]
fn evaluate_reads_stdin() {
    let text = std::fs::read_to_string(day()).unwrap();
    let (from_stdin, _) = run(&["evaluate", "-"], Some(&text), 0);
    let (from_file, _) = run(&["evaluate", &day()], None, 0);
    assert_eq!(from_stdin, from_file);
}

#[test]
fn evaluate_table_has_a_row_per_encounter_and_its_findings_under_it() {
    let (out, err) = run(&["evaluate", "--format", "table", &day()], None, 0);
    assert_eq!(err, "");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "policy: medicaid");
    assert_eq!(
        lines[1],
        "ENCOUNTER  PATIENT  DATE        CODE   UNITS  MINUTES  MODIFIERS  POS  CHARGE  LINE"
    );
    assert_eq!(
        lines[2],
        "e1         p1       2026-03-02  H2014  3      45       HO TL TS   12   -       0"
    );
    // e1's findings, indented under it, each with severity, rule, CARC, element, message.
    assert!(
        lines[3].starts_with("    warning early_intervention_age (CARC 4) at early_intervention: ")
    );
    let e1_findings: Vec<&str> = lines[3..]
        .iter()
        .take_while(|l| l.starts_with("    "))
        .copied()
        .collect();
    assert_eq!(e1_findings.len(), 8);
    assert!(e1_findings.contains(
        &"    error   no_treatment_plan (CARC 50) at treatment_plan: H2014 needs a treatment plan \
          whose goals the sessions address; the patient has no `treatment_plan`"
    ));
    // e2: coded, below the minimum, on no line.
    let e2 = lines.iter().find(|l| l.starts_with("e2 ")).unwrap();
    assert_eq!(
        *e2,
        "e2         -        -           H2014  -      -        -          -    -       -"
    );
    let e3 = lines.iter().find(|l| l.starts_with("e3 ")).unwrap();
    assert_eq!(
        *e3,
        "e3         p2       2026-03-02  97535  3      38       GO GT      10   -       1"
    );
    assert_eq!(
        *lines.last().unwrap(),
        "3 encounters, 2 lines, 20 findings: 2 errors, 18 warnings, 0 info"
    );
}

#[test]
fn evaluate_csv_has_a_row_per_encounter() {
    let (out, _) = run(&["evaluate", "--format", "csv", &day()], None, 0);
    assert!(out.ends_with("\r\n"));
    let rows: Vec<&str> = out.split("\r\n").filter(|r| !r.is_empty()).collect();
    assert_eq!(rows.len(), 4, "{out}");
    assert_eq!(
        rows[0],
        "encounter,patient,date_of_service,code,units,minutes,modifiers,place_of_service,charge,\
         line,provider,policy_version,findings"
    );
    assert!(
        rows[1].starts_with(
            "e1,p1,2026-03-02,H2014,3,45,HO TL TS,12,,0,pr1,,warning:early_intervention_age; "
        ),
        "{}",
        rows[1]
    );
    assert!(rows[1].contains("error:no_treatment_plan"));
    assert!(rows[2].starts_with("e2,,,H2014,,,,,,,,,warning:below_minimum_time; "));
    assert!(rows[3].starts_with("e3,p2,2026-03-02,97535,3,38,GO GT,10,,1,ot1,,"));
    // Every row has the header's thirteen fields (no field here holds a comma).
    assert!(rows.iter().all(|r| r.split(',').count() == 13));
}

/// A request under an inline policy with a fee for H2014 only (1244 cents a unit): e1 and
/// e2 share one H2014 line, e3 is a 97535 line without a fee.
fn fees() -> String {
    repo()
        .join("crates/h2024-cli/tests/requests/fees.json")
        .display()
        .to_string()
}

/// Cents as dollars with two decimals, from the integer.
fn dollars(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// The request's fee for H2014 and the engine's lines for it, through the library.
fn fees_lines() -> (u64, Vec<Value>) {
    let text = std::fs::read_to_string(fees()).unwrap();
    let request = json(&text);
    let fee = &request["policy"]["fees"][0];
    assert_eq!(fee["code"], "H2014");
    let cents_per_unit = fee["cents_per_unit"].as_u64().unwrap();
    let response = json(&Engine::default().evaluate_json(&text).unwrap());
    (
        cents_per_unit,
        response["lines"].as_array().unwrap().clone(),
    )
}

#[test]
fn evaluate_table_shows_each_lines_charge_once() {
    let (cents_per_unit, lines) = fees_lines();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["encounters"], serde_json::json!(["e1", "e2"]));
    let units = lines[0]["units"].as_u64().unwrap();
    assert_eq!(
        lines[0]["charge_cents"].as_u64(),
        Some(units * cents_per_unit)
    );
    assert_eq!(lines[1]["charge_cents"], Value::Null);

    let (out, err) = run(&["evaluate", "--format", "table", &fees()], None, 0);
    assert_eq!(err, "");
    let text: Vec<&str> = out.lines().collect();
    let header = text[1];
    assert!(header.contains("  POS  CHARGE  LINE"), "{header}");
    // A cell: the word starting at its header's column.
    let cell = |row: &str, name: &str| -> String {
        let start = header.find(name).unwrap();
        row[start..].split_whitespace().next().unwrap().to_owned()
    };
    let row = |id: &str| *text.iter().find(|l| l.starts_with(id)).unwrap();
    // The shared line's charge on its first encounter's row only.
    assert_eq!(cell(row("e1 "), "CHARGE"), dollars(units * cents_per_unit));
    assert_eq!(cell(row("e1 "), "CHARGE"), "62.20");
    assert_eq!(cell(row("e2 "), "LINE"), "0");
    assert_eq!(cell(row("e2 "), "CHARGE"), "-");
    // No fee: no charge, and the engine's warning under the row.
    assert_eq!(cell(row("e3 "), "LINE"), "1");
    assert_eq!(cell(row("e3 "), "CHARGE"), "-");
    assert!(out.contains("    warning fee_not_found: "), "{out}");
}

#[test]
fn evaluate_csv_charge_column_sums_to_the_lines_charges() {
    let (cents_per_unit, lines) = fees_lines();
    let (out, _) = run(&["evaluate", "--format", "csv", &fees()], None, 0);
    let rows: Vec<Vec<&str>> = out
        .split("\r\n")
        .filter(|r| !r.is_empty())
        .map(|r| r.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 4, "{out}");
    let charge = rows[0].iter().position(|h| *h == "charge").unwrap();
    assert_eq!(rows[0][charge - 1], "place_of_service");
    let units = lines[0]["units"].as_u64().unwrap();
    let cells: Vec<(&str, &str)> = rows[1..].iter().map(|r| (r[0], r[charge])).collect();
    assert_eq!(
        cells,
        [
            ("e1", dollars(units * cents_per_unit).as_str()),
            ("e2", ""),
            ("e3", "")
        ]
    );
    // A biller summing the column gets the lines' total, the shared line counted once.
    let total: u64 = lines
        .iter()
        .filter_map(|l| l["charge_cents"].as_u64())
        .sum();
    let summed: u64 = rows[1..]
        .iter()
        .filter(|r| !r[charge].is_empty())
        .map(|r| {
            let (whole, cents) = r[charge].split_once('.').unwrap();
            assert_eq!(cents.len(), 2, "{}", r[charge]);
            whole.parse::<u64>().unwrap() * 100 + cents.parse::<u64>().unwrap()
        })
        .sum();
    assert_eq!(summed, total);
    assert!(rows[3].last().unwrap().contains("warning:fee_not_found"));
}

#[test]
fn csv_quotes_ids_and_disarms_formulas() {
    let request = r#"{"patients": [{"id": "=p,1"}],
        "providers": [{"id": "pr1", "credential": "masters", "discipline": "behavioral_health"}],
        "encounters": [{"id": "e \"1\"", "patient": "=p,1", "provider": "pr1",
            "service": "skills_training", "setting": "home",
            "start": "2026-03-02T09:00:00-05:00", "end": "2026-03-02T10:00:00-05:00"}]}"#;
    let (out, _) = run(&["evaluate", "--format", "csv", "-"], Some(request), 0);
    let row = out.split("\r\n").nth(1).unwrap();
    assert!(
        row.starts_with(r#""e ""1""","'=p,1",2026-03-02,H2024,1,60,"#),
        "{row}"
    );
}

#[test]
fn scrub_exits_1_on_an_error_finding_and_0_without() {
    let (out, _) = run(&["scrub", &day()], None, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "e1: H2014 x 3 on line 0 (2026-03-02)");
    assert!(lines.contains(&"e2: H2014, on no line"));
    assert!(lines.contains(&"e3: 97535 x 3 on line 1 (2026-03-02)"));
    assert!(out.contains(
        "    error   no_treatment_plan (CARC 50) at treatment_plan: H2014 needs a treatment plan"
    ));
    assert_eq!(
        *lines.last().unwrap(),
        "20 findings on 3 of 3 encounters: 2 errors, 18 warnings, 0 info"
    );

    let (out, err) = run(&["scrub", &clean()], None, 0);
    assert_eq!(
        out,
        "0 findings on 0 of 1 encounter: 0 errors, 0 warnings, 0 info\n"
    );
    assert_eq!(err, "");
}

#[test]
fn a_refused_request_exits_2_with_one_line_naming_the_field() {
    // Not JSON: the error document on stdout for --format json, one line on stderr.
    let (out, err) = refused(&["evaluate", "-"], Some("not json"), &[]);
    assert_eq!(json(&out)["error"]["kind"], "invalid_json");
    assert!(
        err.starts_with("h2024: request refused (invalid_json): "),
        "{err}"
    );

    // A patient with a field of its name: refused at the patient, the value never repeated.
    let request = r#"{"patients": [{"id": "p1", "name": "Jane Secret-Doe"}]}"#;
    let (out, err) = refused(
        &["evaluate", "--format", "table", "-"],
        Some(request),
        &["Jane", "Secret"],
    );
    assert_eq!(out, "", "no error document for a table");
    assert!(err.contains("(invalid_request) at `patients[0]`"), "{err}");

    // An unknown policy name is not repeated either.
    let request = r#"{"policy": "acme-secret-plan"}"#;
    let (_, err) = refused(&["scrub", "-"], Some(request), &["acme", "secret"]);
    assert!(err.contains("(unknown_policy) at `policy`"), "{err}");

    // A file that cannot be read.
    let missing = repo().join("crates/h2024/examples/requests/no-such-file.json");
    refused(
        &["evaluate", &missing.display().to_string()],
        None,
        &["no-such-file"],
    );
}

#[test]
fn a_malformed_encounter_is_a_finding_not_a_refusal() {
    let request = r#"{"encounters": [{"id": "e1", "patient": "Jane Secret-Doe"}]}"#;
    let (out, _) = run(&["scrub", "-"], Some(request), 1);
    assert!(out.contains("error   invalid_encounter (CARC 16)"), "{out}");
    assert!(!out.contains("Secret"), "{out}");
}

#[test]
fn policies_lists_ids_versions_sources_and_descriptions() {
    let (out, _) = run(&["policies"], None, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[0].starts_with("ID  ") && lines[0].ends_with("VERSIONS  SOURCES  DESCRIPTION"));
    assert!(lines[1].starts_with("commercial         0        0  Commercial plan"));
    assert!(lines[2].starts_with("medicaid           0        0  State Medicaid"));
    assert!(lines[3].starts_with("medicare           0        0  Medicare"));

    let (out, _) = run(&["--state-packs", "policies"], None, 0);
    assert_eq!(out.lines().count(), 10);
    assert!(
        out.lines()
            .any(|l| l.starts_with("az-complete-health         1        2  Arizona")),
        "{out}"
    );
}

#[test]
fn policies_shows_one_as_of_a_date() {
    let before = [
        "policies",
        "az-complete-health",
        "--state-packs",
        "--date",
        "2024-10-14",
    ];
    let (out, _) = run(&before, None, 0);
    let spec = json(&out);
    assert_eq!(spec["id"], "az-complete-health");
    assert_eq!(spec["prior_authorization"], "never");
    let after = [
        "policies",
        "az-complete-health",
        "--state-packs",
        "--date",
        "2024-10-15",
    ];
    let (out, _) = run(&after, None, 0);
    assert_eq!(json(&out)["prior_authorization"]["above_units_per_day"], 8);
    // Without a date: the policy's own fields.
    let (out, _) = run(&["policies", "medicare"], None, 0);
    assert_eq!(json(&out)["code_set"], "national");

    let (_, err) = refused(&["policies", "secret-plan"], None, &["secret"]);
    assert!(
        err.contains("ID names no built-in or loaded policy"),
        "{err}"
    );
    refused(
        &["policies", "medicaid", "--date", "2024-13-01"],
        None,
        &["2024-13"],
    );
}

#[test]
fn units_of_one_session() {
    assert_eq!(run(&["units", "--code", "H2014", "38"], None, 0).0, "3\n");
    let args = ["units", "--policy", "medicaid", "--code", "H2024", "91"];
    assert_eq!(run(&args, None, 0).0, "2\n");
    let args = [
        "--state-packs",
        "units",
        "--policy",
        "tx-medicaid",
        "--code",
        "H2014",
        "44",
    ];
    assert_eq!(run(&args, None, 0).0, "2\n");

    let (_, err) = refused(&["units", "--code", "H201", "38"], None, &["H201"]);
    assert!(err.contains("--code"), "{err}");
    let (_, err) = refused(&["units", "--code", "H2014", "1441"], None, &["1441"]);
    assert!(err.contains("1440 minutes"), "{err}");
    refused(
        &["units", "--policy", "secret", "--code", "H2014", "38"],
        None,
        &["secret"],
    );
    // T2019 is not in the medicaid policy's code set.
    refused(&["units", "--code", "T2019", "38"], None, &[]);
}

#[test]
fn policies_of_a_file_serve_every_command() {
    let file = example("policies/ny-style.json");
    // H2014 in whole units under ny-style: 29 minutes are 1 unit (2 under medicaid).
    let args = [
        "--policies",
        &file,
        "units",
        "--policy",
        "ny-style",
        "--code",
        "H2014",
        "29",
    ];
    assert_eq!(run(&args, None, 0).0, "1\n");
    let (out, _) = run(&["--policies", &file, "policies"], None, 0);
    assert!(out.lines().any(|l| l.starts_with("ny-style ")), "{out}");
    let request = r#"{"policy": "ny-style",
        "providers": [{"id": "pr1", "credential": "masters", "discipline": "behavioral_health"}],
        "patients": [{"id": "p1"}],
        "encounters": [{"id": "e1", "patient": "p1", "provider": "pr1",
            "service": "skills_training", "setting": "community",
            "start": "2026-03-02T09:00:00-05:00", "end": "2026-03-02T09:44:00-05:00"}]}"#;
    let (out, _) = run(&["evaluate", "--policies", &file, "-"], Some(request), 0);
    let line = &json(&out)["lines"][0];
    assert_eq!(line["units"], 2);
    assert_eq!(line["modifiers"], serde_json::json!(["U1", "HO"]));
}

#[test]
fn an_invalid_policies_file_is_refused_with_its_path() {
    let dir = std::env::temp_dir().join(format!("h2024-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.json");
    std::fs::write(
        &file,
        r#"[{"id": "mine", "extends": "medicaid", "units": {"H2014": {"rule": "round_secret"}}}]"#,
    )
    .unwrap();
    let (_, err) = refused(
        &["--policies", &file.display().to_string(), "policies"],
        None,
        &["round_secret"],
    );
    assert!(err.contains("`[0].units.H2014.rule`"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn schema_prints_the_committed_schemas() {
    for name in ["request", "response", "policy"] {
        let (out, _) = run(&["schema", name], None, 0);
        let committed =
            std::fs::read_to_string(repo().join(format!("schema/{name}.schema.json"))).unwrap();
        assert_eq!(out, committed, "{name}");
    }
}

#[test]
fn bad_usage_exits_2_with_one_line() {
    let (_, err) = refused(&["evaluate", "--format", "xml", &day()], None, &["xml"]);
    assert!(err.contains("--format"), "{err}");
    let (_, err) = refused(&["frobnicate"], None, &["frobnicate"]);
    assert!(err.contains("unknown command"), "{err}");
    refused(&["evaluate", "--compactt", &day()], None, &["compactt"]);
    let (_, err) = refused(&["evaluate"], None, &[]);
    assert!(err.contains("missing <FILE|->"), "{err}");
    refused(&["schema", "requests"], None, &["requests"]);
    // No command at all: the help, on stderr, and exit 2.
    let (_, err) = run::<&str>(&[], None, 2);
    assert!(err.contains("Usage: h2024"), "{err}");
    // Asked for: exit 0.
    let (out, _) = run(&["--help"], None, 0);
    assert!(out.contains("Exit codes: 0 done; 1 `scrub` found an error finding; 2 refused"));
    let (out, _) = run(&["--version"], None, 0);
    assert_eq!(out, format!("h2024 {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn a_large_input_draws_no_progress_off_a_terminal() {
    // Over 10 MB (whitespace is JSON too); stderr is a pipe here, so nothing is drawn on it.
    let mut text = std::fs::read_to_string(day()).unwrap();
    text.push_str(&" ".repeat(10_500_000));
    let (out, err) = run(&["evaluate", "--compact", "-"], Some(&text), 0);
    assert_eq!(err, "");
    assert_eq!(json(&out)["lines"].as_array().unwrap().len(), 2);
}

/// The 837P example: a request under `me-mainecare` (a state pack) and its envelope.
fn x12_request() -> String {
    example("x12/request.json")
}

fn x12_envelope() -> String {
    example("x12/envelope.json")
}

/// A directory of its own for one test (tests run in parallel), emptied first.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("h2024-cli-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// What the library writes for the example request and `envelope` (JSON text).
fn library_837p(envelope: &str) -> String {
    let text = std::fs::read_to_string(x12_request()).unwrap();
    let response = Engine::with_state_packs()
        .evaluate_json_to_response(&text)
        .unwrap();
    let envelope = h2024::x12::Envelope::from_json(envelope).unwrap();
    let mut out = Vec::new();
    h2024::x12::write_837p(&response, &envelope, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The segments of an interchange written with the default separators, each split into
/// its elements (line breaks after the terminators left out).
fn segments(interchange: &str) -> Vec<Vec<&str>> {
    interchange
        .split('~')
        .map(|s| s.trim_start_matches('\n'))
        .filter(|s| !s.is_empty())
        .map(|s| s.split('*').collect())
        .collect()
}

/// Dollars with two decimals (`65.62`) as cents.
fn cents(amount: &str) -> u64 {
    let (whole, fraction) = amount.split_once('.').unwrap();
    assert_eq!(fraction.len(), 2, "{amount}");
    whole.parse::<u64>().unwrap() * 100 + fraction.parse::<u64>().unwrap()
}

#[test]
fn x12_writes_the_librarys_interchange() {
    let args = x12_args(&x12_request(), &x12_envelope(), None);
    let (out, err) = run(&args, None, 0);
    assert_eq!(err, "");
    let envelope = std::fs::read_to_string(x12_envelope()).unwrap();
    assert_eq!(out, library_837p(&envelope));

    // Structure, read back from the text.
    assert!(out.starts_with("ISA*00*"), "{out}");
    let segs = segments(&out);
    let ids: Vec<&str> = segs.iter().map(|s| s[0]).collect();
    assert_eq!(ids[..4], ["ISA", "GS", "ST", "BHT"]);
    assert_eq!(ids[ids.len() - 3..], ["SE", "GE", "IEA"]);
    // SE01 counts the segments from ST to SE.
    let st = ids.iter().position(|id| *id == "ST").unwrap();
    let se = ids.iter().position(|id| *id == "SE").unwrap();
    assert_eq!(segs[se][1].parse::<usize>().unwrap(), se - st + 1);
    assert_eq!(segs[se][2], segs[st][2]);
    // One SV1 per line of the response, each claim's CLM02 the sum of its SV1 charges.
    let response = json(&run(&["--state-packs", "evaluate", &x12_request()], None, 0).0);
    let lines = response["lines"].as_array().unwrap();
    let sv1: Vec<&Vec<&str>> = segs.iter().filter(|s| s[0] == "SV1").collect();
    assert_eq!(sv1.len(), lines.len());
    assert!(
        out.contains("SV1*HC:H2014:HO:TS*37.32*UN*3*12**1:2~"),
        "{out}"
    );
    let claims: Vec<usize> = (0..segs.len()).filter(|&i| segs[i][0] == "CLM").collect();
    assert_eq!(claims.len(), response["claims"].as_array().unwrap().len());
    for (k, &start) in claims.iter().enumerate() {
        let end = claims.get(k + 1).copied().unwrap_or(se);
        let charges: u64 = segs[start..end]
            .iter()
            .filter(|s| s[0] == "SV1")
            .map(|s| cents(s[2]))
            .sum();
        assert!(charges > 0);
        assert_eq!(cents(segs[start][2]), charges, "claim {k}");
        assert_eq!(
            response["claims"][k]["charge_cents"].as_u64(),
            Some(charges)
        );
    }
}

#[test]
fn x12_reads_stdin_and_writes_the_output_file() {
    let dir = scratch("x12-output");
    let file = dir.join("claims.x12");
    let request = std::fs::read_to_string(x12_request()).unwrap();
    let args = x12_args("-", &x12_envelope(), Some(&file));
    let (out, err) = run(&args, Some(&request), 0);
    assert_eq!((out.as_str(), err.as_str()), ("", ""));
    let envelope = std::fs::read_to_string(x12_envelope()).unwrap();
    let expected = library_837p(&envelope);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), expected);
    // stdin to stdout: the same bytes.
    let (out, _) = run(&args[..5], Some(&request), 0);
    assert_eq!(out, expected);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn x12_with_other_separators() {
    let dir = scratch("x12-separators");
    let mut envelope = json(&std::fs::read_to_string(x12_envelope()).unwrap());
    envelope["separators"] = serde_json::json!({"element": "|", "component": ">",
        "repetition": "{", "segment": "'"});
    let text = envelope.to_string();
    let path = dir.join("envelope.json");
    std::fs::write(&path, &text).unwrap();
    let args = x12_args(&x12_request(), &path.display().to_string(), None);
    let (out, _) = run(&args, None, 0);
    assert_eq!(out, library_837p(&text));
    assert!(
        out.contains("SV1|HC>H2014>HO>TS|37.32|UN|3|12||1>2'"),
        "{out}"
    );
    assert!(!out.contains('\n'));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Every string in a JSON document (the envelope's names, ids and dates).
fn strings(value: &Value, into: &mut Vec<String>) {
    match value {
        Value::String(s) => into.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, into)),
        Value::Object(map) => map.values().for_each(|v| strings(v, into)),
        _ => {}
    }
}

/// Runs `x12` on the example request with the envelope `envelope` (written to a file) and
/// `--output`: refused (exit 2), one line that names `path` and repeats none of the
/// envelope's values, nothing on stdout and no output file.
fn envelope_refused(test: &str, envelope: &Value, path: &str) -> String {
    let dir = scratch(test);
    let file = dir.join("envelope.json");
    std::fs::write(&file, envelope.to_string()).unwrap();
    let output = dir.join("claims.x12");
    let args = x12_args(&x12_request(), &file.display().to_string(), Some(&output));
    let mut values = Vec::new();
    strings(envelope, &mut values);
    // Short codes (`ZZ`, `MC`, `ME`, `U`) could appear in any sentence; the names and ids
    // could not.
    // The values these tests put in all hold `SECRET`.
    let secrets: Vec<&str> = values
        .iter()
        .map(String::as_str)
        .filter(|v| v.len() > 3)
        .chain(["SECRET"])
        .collect();
    assert!(secrets.contains(&"EXAMPLE SKILLS PRACTICE") && secrets.contains(&"PORTLAND"));
    let (out, err) = refused(&args, None, &secrets);
    assert_eq!(out, "");
    assert!(err.contains(&format!("`{path}`")), "{err}");
    assert!(!output.exists(), "no output file");
    std::fs::remove_dir_all(&dir).unwrap();
    err
}

#[test]
fn x12_refuses_an_envelope_by_its_path_without_its_values() {
    let example = json(&std::fs::read_to_string(x12_envelope()).unwrap());

    // A required element missing.
    let mut envelope = example.clone();
    envelope["billing_provider"]
        .as_object_mut()
        .unwrap()
        .remove("npi");
    let err = envelope_refused("x12-missing", &envelope, "billing_provider.npi");
    assert!(
        err.starts_with("h2024: --envelope refused at `billing_provider.npi`: "),
        "{err}"
    );

    // (name, the path refused, the change to the example envelope)
    type Change = fn(&mut Value);
    let cases: [(&str, &str, Change); 4] = [
        // An NPI whose check digit is wrong.
        ("x12-npi", "rendering_providers[0].npi", |e| {
            e["rendering_providers"][0]["npi"] = "1987654321".into();
        }),
        // A name holding the element separator.
        ("x12-separator", "subscribers[1].last_name", |e| {
            e["subscribers"][1]["last_name"] = "SECRET*NAME".into();
        }),
        // A value of the wrong type, and a field the envelope does not have.
        ("x12-date", "subscribers[0].birth_date", |e| {
            e["subscribers"][0]["birth_date"] = "1998-13-45-SECRET".into();
        }),
        ("x12-unknown", "subscribers[0]", |e| {
            e["subscribers"][0]["ssn"] = "SECRET-SSN".into();
        }),
    ];
    for (name, path, change) in cases {
        let mut envelope = example.clone();
        change(&mut envelope);
        envelope_refused(name, &envelope, path);
    }

    // A patient with claims and no subscriber: the claim's path in the response.
    let mut envelope = example;
    envelope["subscribers"].as_array_mut().unwrap().remove(1);
    let err = envelope_refused("x12-subscriber", &envelope, "claims[1].patient");
    assert!(err.starts_with("h2024: interchange refused at "), "{err}");
}

#[test]
fn x12_refuses_a_missing_envelope_file_or_argument() {
    let missing = repo().join("crates/h2024/examples/x12/no-such-envelope.json");
    let args = [
        "--state-packs",
        "x12",
        &x12_request(),
        "--envelope",
        &missing.display().to_string(),
    ];
    let (out, err) = refused(&args, None, &["no-such-envelope"]);
    assert_eq!(out, "");
    assert!(
        err.starts_with("h2024: cannot read the --envelope file: "),
        "{err}"
    );

    let (_, err) = refused(&["--state-packs", "x12", &x12_request()], None, &[]);
    assert!(err.contains("missing --envelope"), "{err}");
    // The help says what happens to claims that cannot be written.
    let (out, _) = run(&["x12", "--help"], None, 0);
    assert!(out.contains("All or nothing"), "{out}");
    assert!(out.contains("--output <OUT>"), "{out}");
}

#[test]
fn x12_refuses_a_request_as_evaluate_does() {
    let envelope = x12_envelope();
    // Not JSON: no error document on stdout, which is the interchange's.
    let (out, err) = refused(
        &["x12", "-", "--envelope", &envelope],
        Some("not json"),
        &[],
    );
    assert_eq!(out, "");
    assert!(
        err.starts_with("h2024: request refused (invalid_json): "),
        "{err}"
    );
    // The example's policy is a state pack: without --state-packs it names no policy, and
    // is not repeated.
    let (out, err) = refused(
        &["x12", &x12_request(), "--envelope", &envelope],
        None,
        &["mainecare"],
    );
    assert_eq!(out, "");
    assert!(err.contains("(unknown_policy) at `policy`"), "{err}");
}

#[test]
fn x12_writes_nothing_when_a_claim_cannot_be_written() {
    let dir = scratch("x12-unwritable");
    let output = dir.join("claims.x12");
    std::fs::write(&output, "an earlier interchange").unwrap();
    let envelope = x12_envelope();
    let output_arg = output.display().to_string();
    // Lines with charges but encounters without diagnoses: HI, required, has nothing.
    let args = [
        "x12",
        &fees(),
        "--envelope",
        &envelope,
        "--output",
        &output_arg,
    ];
    let (out, err) = refused(&args, None, &[]);
    assert_eq!(out, "");
    assert!(
        err.starts_with("h2024: interchange refused at `claims[0].diagnoses`: missing; "),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        "an earlier interchange"
    );
    // The same on stdout: nothing written.
    let (out, _) = refused(&args[..4], None, &[]);
    assert_eq!(out, "");
    // A line without a charge (medicaid has no fees): its claim has no total.
    let request = r#"{"patients": [{"id": "p1"}],
        "providers": [{"id": "pr1", "credential": "masters", "discipline": "behavioral_health"}],
        "encounters": [{"id": "e1", "patient": "p1", "provider": "pr1",
            "service": "skills_training", "setting": "home", "diagnoses": ["F84.0"],
            "start": "2026-03-02T09:00:00-05:00", "end": "2026-03-02T10:00:00-05:00"}]}"#;
    let (_, err) = refused(&["x12", "-", "--envelope", &envelope], Some(request), &[]);
    assert!(
        err.contains("at `claims[0].charge_cents`: missing; the 837P requires CLM02"),
        "{err}"
    );
    // No encounter, no line, no claim.
    let (_, err) = refused(&["x12", "-", "--envelope", &envelope], Some("{}"), &[]);
    assert!(
        err.starts_with("h2024: interchange refused at `claims`: "),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn x12_reports_an_output_that_cannot_be_written() {
    let dir = scratch("x12-no-dir");
    let output = dir.join("no-such-dir/claims.x12");
    let args = x12_args(&x12_request(), &x12_envelope(), Some(&output));
    let (_, err) = refused(&args, None, &["no-such-dir"]);
    assert!(
        err.starts_with("h2024: cannot write the --output file: "),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
