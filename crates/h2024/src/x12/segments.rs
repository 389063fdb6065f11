//! Segments as text: the separators, writing one segment, amounts in dollars from cents,
//! and a claim line's 2400 loop (`docs/x12.md`, "Separators" and "2400").

use std::fmt;
use std::io;

use serde::{Deserialize, Serialize};

use crate::response::Line;
use crate::x12::X12Error;

/// The separators of an interchange (ISA: the element separator is the fourth character,
/// the repetition separator ISA11, the component separator ISA16, the segment terminator
/// follows ISA16).
///
/// In JSON: `{"element": "*", "component": ":", "repetition": "^", "segment": "~",
/// "line_break": false}`, each field optional (the defaults shown). Each separator is one
/// printable ASCII character that is neither a letter, a digit, a space nor `.` (amounts
/// are written with a decimal point), and the four differ. With `line_break`, a line feed
/// follows each segment terminator (for reading; receivers ignore it).
///
/// ```
/// use h2024::x12::Separators;
/// let s = Separators::default();
/// assert_eq!((s.element, s.component, s.repetition, s.segment), ('*', ':', '^', '~'));
/// assert!(s.check().is_ok());
/// let pipes = Separators::new('|', '>', '{', '\'').with_line_break(true);
/// assert!(pipes.check().is_ok());
/// let clash = Separators::new('*', '*', '^', '~');
/// assert_eq!(clash.check().unwrap_err().path(), Some("separators.component"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct Separators {
    /// Between elements.
    pub element: char,
    /// Between the components of a composite element.
    pub component: char,
    /// Between repeated elements (ISA11; this writer repeats none).
    pub repetition: char,
    /// After each segment.
    pub segment: char,
    /// Whether a line feed follows each segment terminator.
    pub line_break: bool,
}

impl Default for Separators {
    fn default() -> Self {
        Separators {
            element: '*',
            component: ':',
            repetition: '^',
            segment: '~',
            line_break: false,
        }
    }
}

impl Separators {
    /// The separators `element`, `component`, `repetition` and `segment`, without line
    /// breaks (not checked yet: [`Separators::check`]).
    pub fn new(element: char, component: char, repetition: char, segment: char) -> Self {
        Separators {
            element,
            component,
            repetition,
            segment,
            line_break: false,
        }
    }

    /// The same separators, with or without a line feed after each segment terminator.
    pub fn with_line_break(mut self, line_break: bool) -> Self {
        self.line_break = line_break;
        self
    }

    /// Checks that each separator is one printable ASCII character other than a letter, a
    /// digit, a space or `.`, and that the four differ.
    ///
    /// # Errors
    ///
    /// [`X12Error::Invalid`] naming the separator (`separators.component`).
    pub fn check(&self) -> Result<(), X12Error> {
        let all = [
            ("element", self.element),
            ("component", self.component),
            ("repetition", self.repetition),
            ("segment", self.segment),
        ];
        for (i, (name, c)) in all.iter().enumerate() {
            if !c.is_ascii_graphic() || c.is_ascii_alphanumeric() || *c == '.' {
                return Err(X12Error::invalid(
                    format!("separators.{name}"),
                    "must be one printable ASCII character other than a letter, a digit, a space or '.'",
                ));
            }
            if all[..i].iter().any(|(_, other)| other == c) {
                return Err(X12Error::invalid(
                    format!("separators.{name}"),
                    "must differ from the other separators",
                ));
            }
        }
        Ok(())
    }

    /// Whether `c` is one of the four separators.
    pub(crate) fn is_separator(&self, c: char) -> bool {
        c == self.element || c == self.component || c == self.repetition || c == self.segment
    }

    /// Whether `text` can be written as element data: printable ASCII (spaces inside) and
    /// no separator.
    pub(crate) fn writable(&self, text: &str) -> bool {
        text.chars()
            .all(|c| (c.is_ascii_graphic() || c == ' ') && !self.is_separator(c))
    }
}

/// An amount in cents written as dollars with two decimals (`1244` as `12.44`), from the
/// integer alone: no floating point.
///
/// ```
/// use h2024::x12::Dollars;
/// assert_eq!(Dollars(1244).to_string(), "12.44");
/// assert_eq!(Dollars(5).to_string(), "0.05");
/// assert_eq!(Dollars(785_00).to_string(), "785.00");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dollars(pub u64);

impl fmt::Display for Dollars {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// The most digits an X12 amount holds (data element 782, type R, 1-18).
pub(crate) const MAX_AMOUNT_DIGITS: usize = 18;

/// Whether `cents` fits an X12 amount as dollars with two decimals.
pub(crate) fn amount_fits(cents: u64) -> bool {
    // Dollars and two decimals: the digits of the cents, at least three.
    cents < 10u64.pow(MAX_AMOUNT_DIGITS as u32)
}

/// Where segments go: a string (a line's `x12`) or a writer (the interchange).
pub(crate) trait Sink {
    /// Appends text.
    fn put(&mut self, text: &str) -> io::Result<()>;
}

impl Sink for String {
    fn put(&mut self, text: &str) -> io::Result<()> {
        self.push_str(text);
        Ok(())
    }
}

/// Writes segments with the given separators, counting them.
pub(crate) struct Segments<S> {
    pub sink: S,
    pub seps: Separators,
    /// Segments written since the count was last reset (for SE01).
    pub count: u64,
    scratch: String,
}

impl<S: Sink> Segments<S> {
    pub(crate) fn new(sink: S, seps: Separators) -> Self {
        Segments {
            sink,
            seps,
            count: 0,
            scratch: String::with_capacity(128),
        }
    }

    /// Writes one segment: its id, then its elements. Trailing empty elements are left
    /// out, as X12 requires; a composite element is given with its components already
    /// joined ([`Segments::composite`]).
    pub(crate) fn segment(&mut self, id: &str, elements: &[&str]) -> io::Result<()> {
        let used = elements
            .iter()
            .rposition(|e| !e.is_empty())
            .map_or(0, |i| i + 1);
        self.scratch.clear();
        self.scratch.push_str(id);
        for e in &elements[..used] {
            self.scratch.push(self.seps.element);
            self.scratch.push_str(e);
        }
        self.scratch.push(self.seps.segment);
        if self.seps.line_break {
            self.scratch.push('\n');
        }
        self.count += 1;
        self.sink.put(&self.scratch)
    }

    /// Components joined by the component separator, trailing empty ones left out.
    pub(crate) fn composite(&self, components: &[&str]) -> String {
        let used = components
            .iter()
            .rposition(|c| !c.is_empty())
            .map_or(0, |i| i + 1);
        let mut out = String::with_capacity(24);
        for (i, c) in components[..used].iter().enumerate() {
            if i > 0 {
                out.push(self.seps.component);
            }
            out.push_str(c);
        }
        out
    }
}

/// The most characters of an authorization number on the 837P (REF02, data element 127).
pub(crate) const MAX_REFERENCE_CHARS: usize = 50;

/// Why a line cannot be written as a 2400 loop: the path below the line and the element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineGap {
    /// No charge (SV102).
    Charge,
    /// No diagnosis pointer (SV107).
    Pointers,
    /// An authorization number longer than REF02 holds.
    AuthorizationTooLong,
    /// An authorization number holding a separator or a character outside printable ASCII.
    AuthorizationText,
    /// A charge beyond the 18 digits of an X12 amount.
    ChargeTooLarge,
}

impl LineGap {
    /// The error for line `index` of the response.
    pub(crate) fn error(self, index: usize) -> X12Error {
        match self {
            LineGap::Charge => X12Error::Missing {
                path: format!("lines[{index}].charge_cents"),
                element: "SV102, the line's charge (the policy's `fees` give none for the line)",
            },
            LineGap::Pointers => X12Error::Missing {
                path: format!("lines[{index}].diagnosis_pointers"),
                element: "SV107, a diagnosis pointer (the line's encounters list no diagnosis its claim carries)",
            },
            LineGap::AuthorizationTooLong => X12Error::invalid(
                format!("lines[{index}].authorization"),
                "longer than the 50 characters of REF02",
            ),
            LineGap::AuthorizationText => X12Error::HoldsSeparator {
                path: format!("lines[{index}].authorization"),
            },
            LineGap::ChargeTooLarge => X12Error::invalid(
                format!("lines[{index}].charge_cents"),
                "more than the 18 digits of an X12 amount",
            ),
        }
    }
}

/// Checks that `line` can be written as a 2400 loop with `seps`.
pub(crate) fn line_gap(line: &Line, seps: &Separators) -> Option<LineGap> {
    match line.charge_cents {
        None => return Some(LineGap::Charge),
        Some(c) if !amount_fits(c) => return Some(LineGap::ChargeTooLarge),
        Some(_) => {}
    }
    if line.diagnosis_pointers.is_empty() {
        return Some(LineGap::Pointers);
    }
    if let Some(number) = &line.authorization {
        if number.len() > MAX_REFERENCE_CHARS {
            return Some(LineGap::AuthorizationTooLong);
        }
        if number.is_empty() || !seps.writable(number) {
            return Some(LineGap::AuthorizationText);
        }
    }
    None
}

/// Writes `line` as its 2400 loop, service line `number` of its claim: `LX`, `SV1` (the
/// code and modifiers, charge, `UN`, units, place of service, diagnosis pointers),
/// `DTP*472` (the date of service) and, when the line draws on an authorization,
/// `REF*G1` (its number). The caller has checked [`line_gap`].
pub(crate) fn service_line<S: Sink>(
    out: &mut Segments<S>,
    line: &Line,
    number: usize,
) -> io::Result<()> {
    out.segment("LX", &[&number.to_string()])?;
    let mut procedure: Vec<&str> = Vec::with_capacity(6);
    procedure.push("HC");
    procedure.push(line.code.as_str());
    procedure.extend(line.modifiers.iter().map(|m| m.as_str()));
    let procedure = out.composite(&procedure);
    let charge = Dollars(line.charge_cents.unwrap_or_default()).to_string();
    let units = line.units.to_string();
    let pointers: Vec<String> = line
        .diagnosis_pointers
        .iter()
        .map(|p| p.to_string())
        .collect();
    let pointers: Vec<&str> = pointers.iter().map(String::as_str).collect();
    let pointers = out.composite(&pointers);
    out.segment(
        "SV1",
        &[
            &procedure,
            &charge,
            "UN",
            &units,
            line.place_of_service.as_str(),
            "",
            &pointers,
        ],
    )?;
    let date = line.date_of_service.format("%Y%m%d").to_string();
    out.segment("DTP", &["472", "D8", &date])?;
    if let Some(number) = &line.authorization {
        out.segment("REF", &["G1", number])?;
    }
    Ok(())
}

/// A line's 2400 loop with the default separators, or `None` when it lacks an element.
pub(crate) fn line_x12(line: &Line, number: usize) -> Option<String> {
    let seps = Separators::default();
    if line_gap(line, &seps).is_some() {
        return None;
    }
    let mut out = Segments::new(String::with_capacity(128), seps);
    // Writing to a string cannot fail.
    service_line(&mut out, line, number).ok()?;
    Some(out.sink)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_empty_elements_and_components_are_left_out() {
        let mut out = Segments::new(String::new(), Separators::default());
        out.segment("N3", &["1 MAIN ST", ""]).unwrap();
        out.segment("NM1", &["IL", "1", "DOE", "JANE", "", "", "", "MI", "X1"])
            .unwrap();
        let c = out.composite(&["HC", "H2014", "HO", ""]);
        out.segment("SV1", &[&c]).unwrap();
        assert_eq!(
            out.sink,
            "N3*1 MAIN ST~NM1*IL*1*DOE*JANE****MI*X1~SV1*HC:H2014:HO~"
        );
        assert_eq!(out.count, 3);
    }

    #[test]
    fn separators_must_differ_and_stay_out_of_data() {
        for (seps, path) in [
            (
                Separators {
                    element: 'A',
                    ..Separators::default()
                },
                "separators.element",
            ),
            (
                Separators {
                    segment: '.',
                    ..Separators::default()
                },
                "separators.segment",
            ),
            (
                Separators {
                    repetition: ' ',
                    ..Separators::default()
                },
                "separators.repetition",
            ),
            (
                Separators {
                    segment: '*',
                    ..Separators::default()
                },
                "separators.segment",
            ),
            (
                Separators {
                    component: 'é',
                    ..Separators::default()
                },
                "separators.component",
            ),
        ] {
            assert_eq!(seps.check().unwrap_err().path(), Some(path));
        }
        let pipes = Separators {
            element: '|',
            component: '>',
            repetition: '{',
            segment: '\'',
            line_break: true,
        };
        assert!(pipes.check().is_ok());
        assert!(pipes.writable("A-77 *~:^"));
        assert!(!pipes.writable("A|77"));
        assert!(!Separators::default().writable("A*77"));
        assert!(!Separators::default().writable("A\n77"));
        assert!(!Separators::default().writable("Ä77"));
    }

    #[test]
    fn amounts() {
        assert_eq!(Dollars(0).to_string(), "0.00");
        assert_eq!(Dollars(100).to_string(), "1.00");
        assert_eq!(Dollars(u64::MAX).to_string(), "184467440737095516.15");
        assert!(amount_fits(999_999_999_999_999_999));
        assert!(!amount_fits(1_000_000_000_000_000_000));
    }
}
