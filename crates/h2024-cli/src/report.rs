//! What the command line prints for people and spreadsheets: the `evaluate` table and CSV,
//! the `scrub` report and the `policies` list (README, "Command line").
//!
//! Ids, codes and the engine's own messages are printed as they are; no message here
//! repeats any other value of the request.

use std::collections::{BTreeSet, HashMap};
use std::io::{self, Write};

use h2024::x12::Dollars;
use h2024::{Decision, Engine, Finding, Line, Response, Severity};

/// A decision with its line (if any) and its findings.
struct Row<'a> {
    decision: &'a Decision,
    line: Option<&'a Line>,
    /// Whether this is the first row of its line (in request order): the row that shows the
    /// line's charge, so that a line several encounters share is charged once.
    first_of_line: bool,
    findings: Vec<&'a Finding>,
}

/// The decisions in request order with their lines and findings, and the findings that
/// belong to no decision (about the request as a whole).
fn rows(response: &Response) -> (Vec<Row<'_>>, Vec<&Finding>) {
    let mut by_encounter: HashMap<&str, Vec<&Finding>> = HashMap::new();
    let mut loose = Vec::new();
    for finding in &response.findings {
        match finding.encounter.as_deref() {
            Some(encounter) => by_encounter.entry(encounter).or_default().push(finding),
            None => loose.push(finding),
        }
    }
    let mut shown = vec![false; response.lines.len()];
    let rows = response
        .decisions
        .iter()
        .map(|decision| {
            let index = decision.line.filter(|&i| i < response.lines.len());
            let first_of_line = index.is_some_and(|i| !std::mem::replace(&mut shown[i], true));
            Row {
                decision,
                line: index.map(|i| &response.lines[i]),
                first_of_line,
                // The first decision of an id takes its findings (ids are unique in a valid
                // request).
                findings: by_encounter
                    .remove(decision.encounter.as_str())
                    .unwrap_or_default(),
            }
        })
        .collect();
    // Findings naming no decision's encounter, in response order.
    loose.extend(response.findings.iter().filter(|f| {
        f.encounter
            .as_deref()
            .is_some_and(|e| by_encounter.contains_key(e))
    }));
    (rows, loose)
}

fn modifiers(line: &Line) -> String {
    let names: Vec<&str> = line.modifiers.iter().map(|m| m.as_str()).collect();
    names.join(" ")
}

/// The charge shown on a row: the line's `charge_cents` in dollars with two decimals
/// (integer arithmetic, [`Dollars`]) on the first row of the line only, so that the column
/// sums to the lines' charges (README, "Command line"); `None` on the line's other rows, on
/// a row without a line, and when the line has no charge.
fn charge(row: &Row<'_>) -> Option<String> {
    row.line
        .filter(|_| row.first_of_line)
        .and_then(|l| l.charge_cents)
        .map(|cents| Dollars(cents).to_string())
}

/// The number of cells [`cells`] builds.
const COLUMNS: usize = 10;

/// The cells of a row, for the table and the CSV alike: encounter, patient, date of
/// service, code, units, minutes, modifiers, place of service, charge, line; `None` where
/// the encounter has no code or no line, or the row shows no charge.
fn cells(row: &Row<'_>) -> [Option<String>; COLUMNS] {
    let code = row.decision.code.map(|c| c.to_string());
    let line = row.line;
    let of_line = |value: fn(&Line) -> String| line.map(value);
    [
        Some(row.decision.encounter.to_string()),
        of_line(|l| l.patient.to_string()),
        of_line(|l| l.date_of_service.to_string()),
        code,
        of_line(|l| l.units.to_string()),
        of_line(|l| l.minutes.to_string()),
        of_line(modifiers),
        of_line(|l| l.place_of_service.as_str().to_owned()),
        charge(row),
        line.and(row.decision.line).map(|i| i.to_string()),
    ]
}

/// The table's header, a name for each of [`cells`].
const HEADER: [&str; COLUMNS] = [
    "ENCOUNTER",
    "PATIENT",
    "DATE",
    "CODE",
    "UNITS",
    "MINUTES",
    "MODIFIERS",
    "POS",
    "CHARGE",
    "LINE",
];

/// The CSV's header: a name for each of [`cells`], then the CSV's own fields.
const CSV_HEADER: [&str; COLUMNS + 3] = [
    "encounter",
    "patient",
    "date_of_service",
    "code",
    "units",
    "minutes",
    "modifiers",
    "place_of_service",
    "charge",
    "line",
    "provider",
    "policy_version",
    "findings",
];

/// One finding in words: severity, rule, CARC, element and the engine's message.
fn finding_text(finding: &Finding) -> String {
    let mut text = format!("{:<7} {}", finding.severity.as_str(), finding.rule.id());
    if let Some(carc) = &finding.carc {
        text.push_str(&format!(" (CARC {carc})"));
    }
    if let Some(element) = &finding.element {
        text.push_str(&format!(" at {element}"));
    }
    text.push_str(": ");
    text.push_str(&finding.message());
    text
}

/// `n` and `word`, in the plural unless `n` is 1: `1 finding`, `2 findings`.
fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Findings listed under the row they belong to, one a line, indented.
fn findings_under(findings: &[&Finding], out: &mut impl Write) -> io::Result<()> {
    for finding in findings {
        writeln!(out, "    {}", finding_text(finding))?;
    }
    Ok(())
}

/// The findings on no encounter, under `request:`, if there are any.
fn request_findings(loose: &[&Finding], out: &mut impl Write) -> io::Result<()> {
    if loose.is_empty() {
        return Ok(());
    }
    writeln!(out, "request:")?;
    findings_under(loose, out)
}

/// Counts of findings by severity, in words: `2 errors, 1 warning, 0 info`.
fn severities(findings: &[Finding]) -> String {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    format!(
        "{}, {}, {} info",
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
        count(Severity::Info)
    )
}

/// The `evaluate --format table` output: one row per encounter (its code, and its line's
/// units, modifiers, place of service and charge), its findings under it, then a summary.
pub fn table(response: &Response, out: &mut impl Write) -> io::Result<()> {
    let (rows, loose) = rows(response);
    let cells: Vec<[String; COLUMNS]> = rows
        .iter()
        .map(|row| cells(row).map(|c| c.unwrap_or_else(|| "-".to_owned())))
        .collect();
    let mut widths = HEADER.map(str::len);
    for row in &cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let print = |out: &mut dyn Write, row: &[String]| -> io::Result<()> {
        let mut text = String::new();
        for (i, (cell, width)) in row.iter().zip(widths).enumerate() {
            if i > 0 {
                text.push_str("  ");
            }
            text.push_str(cell);
            if i + 1 < row.len() {
                text.push_str(&" ".repeat(width - cell.chars().count()));
            }
        }
        writeln!(out, "{}", text.trim_end())
    };
    writeln!(out, "policy: {}", response.policy)?;
    print(out, &HEADER.map(str::to_owned))?;
    for (row, cells) in rows.iter().zip(&cells) {
        print(out, cells)?;
        findings_under(&row.findings, out)?;
    }
    request_findings(&loose, out)?;
    writeln!(
        out,
        "{}, {}, {}: {}",
        plural(response.decisions.len(), "encounter"),
        plural(response.lines.len(), "line"),
        plural(response.findings.len(), "finding"),
        severities(&response.findings)
    )
}

/// The `evaluate --format csv` output (RFC 4180): a header, then one row per encounter with
/// its line's values (the charge as in the table) and its findings (`severity:rule`,
/// separated by `; `); findings about no encounter in a last row with an empty encounter.
pub fn csv(response: &Response, out: &mut impl Write) -> io::Result<()> {
    let (rows, loose) = rows(response);
    write_record(out, &CSV_HEADER.map(str::to_owned))?;
    let findings = |list: &[&Finding]| -> String {
        let parts: Vec<String> = list
            .iter()
            .map(|f| format!("{}:{}", f.severity.as_str(), f.rule.id()))
            .collect();
        parts.join("; ")
    };
    for row in &rows {
        let mut record: Vec<String> = cells(row)
            .into_iter()
            .map(Option::unwrap_or_default)
            .collect();
        record.push(row.line.map(|l| l.provider.to_string()).unwrap_or_default());
        record.push(
            row.line
                .and_then(|l| l.policy_version)
                .map(|d| d.to_string())
                .unwrap_or_default(),
        );
        record.push(findings(&row.findings));
        write_record(out, &record)?;
    }
    if !loose.is_empty() {
        let mut record = vec![String::new(); CSV_HEADER.len()];
        record[CSV_HEADER.len() - 1] = findings(&loose);
        write_record(out, &record)?;
    }
    Ok(())
}

/// One CSV record, each field quoted when it must be (RFC 4180), ended by CRLF.
fn write_record(out: &mut impl Write, fields: &[String]) -> io::Result<()> {
    let mut text = String::new();
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&csv_field(field));
    }
    text.push_str("\r\n");
    out.write_all(text.as_bytes())
}

/// A CSV field: quoted when it holds a comma, a quote or a line break, or would start a
/// formula in a spreadsheet (`=`, `+`, `-`, `@`, a tab or a carriage return: ids come from
/// the request), with its quotes doubled; a formula start is disarmed with a leading `'`
/// (OWASP, "CSV Injection").
pub fn csv_field(field: &str) -> String {
    let formula = field.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = formula || field.contains([',', '"', '\n', '\r']);
    if !quote {
        return field.to_owned();
    }
    let mut text = String::with_capacity(field.len() + 3);
    text.push('"');
    if formula {
        text.push('\'');
    }
    text.push_str(&field.replace('"', "\"\""));
    text.push('"');
    text
}

/// The `scrub` output: each encounter with findings, its code and line, the findings under
/// it; findings about the request as a whole; then the counts.
pub fn scrub(response: &Response, out: &mut impl Write) -> io::Result<()> {
    let (rows, loose) = rows(response);
    let mut with_findings = 0;
    for row in rows.iter().filter(|r| !r.findings.is_empty()) {
        with_findings += 1;
        let billed = match (row.decision.code, row.line) {
            (Some(code), Some(line)) => format!(
                "{code} x {} on line {} ({})",
                line.units,
                row.decision.line.unwrap_or_default(),
                line.date_of_service
            ),
            (Some(code), None) => format!("{code}, on no line"),
            (None, _) => "no code".to_owned(),
        };
        writeln!(out, "{}: {billed}", row.decision.encounter)?;
        findings_under(&row.findings, out)?;
    }
    request_findings(&loose, out)?;
    writeln!(
        out,
        "{} on {with_findings} of {}: {}",
        plural(response.findings.len(), "finding"),
        plural(response.decisions.len(), "encounter"),
        severities(&response.findings)
    )
}

/// The `policies` list: id, number of versions, number of sources and description, by id.
pub fn policies(engine: &Engine, out: &mut impl Write) -> io::Result<()> {
    let mut rows: Vec<[String; 4]> = engine
        .policies()
        .map(|policy| {
            let versions: BTreeSet<_> = engine
                .policy_schedule(policy.id())
                .into_iter()
                .flatten()
                .filter_map(|(_, rules)| rules.version())
                .collect();
            [
                policy.id().to_owned(),
                versions.len().to_string(),
                policy.sources().len().to_string(),
                policy.description().to_owned(),
            ]
        })
        .collect();
    rows.sort();
    let header = ["ID", "VERSIONS", "SOURCES", "DESCRIPTION"].map(str::to_owned);
    let width = rows
        .iter()
        .chain([&header])
        .map(|r| r[0].chars().count())
        .max()
        .unwrap_or(0);
    for row in [header].iter().chain(&rows) {
        let line = format!(
            "{:<width$}  {:>8}  {:>7}  {}",
            row[0], row[1], row[2], row[3]
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_when_they_must_be() {
        assert_eq!(csv_field("e1"), "e1");
        assert_eq!(csv_field(""), "");
        assert_eq!(csv_field("HO TS"), "HO TS");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field("=1+2"), "\"'=1+2\"");
        assert_eq!(csv_field("@x"), "\"'@x\"");
        assert_eq!(csv_field("-3"), "\"'-3\"");
    }

    #[test]
    fn records_end_in_crlf() {
        let mut out = Vec::new();
        write_record(&mut out, &["a".to_owned(), "b,c".to_owned(), String::new()]).unwrap();
        assert_eq!(out, b"a,\"b,c\",\r\n");
    }
}
