//! The billing codes this library models and the code sets that define them.
//!
//! A [`Code`] is a procedure code as written on a claim: a HCPCS Level II code (a letter
//! A-V and four digits) or a CPT code (four digits, then a digit or a letter). What a code
//! *means* (its descriptor, its billing unit, the kind of service it is for and whether it
//! is a therapy code) is data: a [`CodeSet`]. Two code sets are built in, because the brief
//! this product was built from and the CMS national HCPCS file disagree about H2024
//! (`docs/rules.md`, "The H2024 conflict"):
//!
//! - [`CodeSetId::Reference`] (the default): the five codes of the skills-training family,
//!   H2024 being "skills training and development, per hour", as the brief and some state
//!   Medicaid programs define it.
//! - [`CodeSetId::National`]: the CMS HCPCS Level II descriptors, where H2024 is "supported
//!   employment, per diem", plus their per-diem and 15-minute neighbours (H2015, H2016,
//!   H2018, H2025, H2026, T2018, T2019; `docs/rules.md`, "Codes beyond the five").
//!
//! A policy may define further codes of its own (README, "Your own policies").
//!
//! CPT 97535 is an AMA code: only the number and our own short label are shipped, never the
//! AMA descriptor (`docs/rules.md`, "CPT 97535 text").

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A procedure code: a validated HCPCS Level II or CPT code.
///
/// The five codes of the skills-training family are named constants; any other well-formed
/// code parses too (whether a policy bills it is the policy's [`CodeSet`]'s business).
/// Parsing accepts lower case and stores upper case.
///
/// ```
/// use h2024::Code;
/// let code: Code = "H2014".parse()?;
/// assert_eq!(code, Code::H2014);
/// assert_eq!(code.to_string(), "H2014");
/// assert_eq!("97535".parse::<Code>()?, Code::Cpt97535);
/// assert_eq!("t2019".parse::<Code>()?.as_str(), "T2019");
/// assert!("H201".parse::<Code>().is_err()); // too short
/// assert!("W2014".parse::<Code>().is_err()); // HCPCS Level II letters are A-V
/// # Ok::<(), h2024::InvalidCode>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Code([u8; 5]);

#[allow(non_upper_case_globals)]
impl Code {
    /// HCPCS H2024: skills training and development, per hour (reference code set) or
    /// supported employment, per diem (national code set).
    pub const H2024: Code = Code(*b"H2024");
    /// HCPCS H2014: skills training and development, per 15 minutes.
    pub const H2014: Code = Code(*b"H2014");
    /// HCPCS H2017: psychosocial rehabilitation services, per 15 minutes.
    pub const H2017: Code = Code(*b"H2017");
    /// HCPCS H2023: supported employment, per 15 minutes.
    pub const H2023: Code = Code(*b"H2023");
    /// CPT 97535: self-care/home management training, each 15 minutes.
    pub const Cpt97535: Code = Code(*b"97535");

    /// The five codes of the skills-training family, in the family's canonical order (also
    /// the default preference order).
    pub const ALL: [Code; 5] = [
        Code::H2024,
        Code::H2014,
        Code::H2017,
        Code::H2023,
        Code::Cpt97535,
    ];

    /// The code as it is written on a claim (`"H2024"`, `"97535"`).
    pub fn as_str(&self) -> &str {
        // Every constructor checks the bytes are ASCII letters and digits.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// Whether this is a HCPCS Level II code (a letter, then four digits), as opposed to a
    /// CPT code.
    pub const fn is_hcpcs(self) -> bool {
        self.0[0].is_ascii_uppercase()
    }

    /// Whether this is a HCPCS Level II H or T code: the Medicaid behavioural-health and
    /// waiver codes that carry provider-level modifiers (HM, HN, HO, HP).
    pub const fn is_h_or_t_code(self) -> bool {
        matches!(self.0[0], b'H' | b'T')
    }

    /// Parses a code from its bytes (any case).
    const fn parse_bytes(text: &[u8]) -> Result<Code, InvalidCode> {
        if text.len() != 5 {
            return Err(InvalidCode);
        }
        let mut out = [0u8; 5];
        let mut i = 0;
        while i < 5 {
            out[i] = text[i].to_ascii_uppercase();
            i += 1;
        }
        let digits4 = out[1].is_ascii_digit()
            && out[2].is_ascii_digit()
            && out[3].is_ascii_digit()
            && out[4].is_ascii_digit();
        // HCPCS Level II: a letter A-V, four digits.
        let hcpcs = matches!(out[0], b'A'..=b'V') && digits4;
        // CPT: four digits, then a digit (Category I) or a letter (F: Category II, T:
        // Category III, U: proprietary laboratory analyses, M: multianalyte assays).
        let cpt = out[0].is_ascii_digit()
            && out[1].is_ascii_digit()
            && out[2].is_ascii_digit()
            && out[3].is_ascii_digit()
            && out[4].is_ascii_alphanumeric();
        if hcpcs || cpt {
            Ok(Code(out))
        } else {
            Err(InvalidCode)
        }
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Code({})", self.as_str())
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for a string that is not a well-formed procedure code.
///
/// The message says what a code looks like; it does not repeat the rejected text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid code: expected a HCPCS Level II code (a letter A-V and four digits) or a CPT code \
     (four digits, then a digit or a letter)"
)]
pub struct InvalidCode;

impl FromStr for Code {
    type Err = InvalidCode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Code::parse_bytes(s.as_bytes())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The billing unit of a code.
///
/// In JSON: `{"minutes": 15}`, `{"minutes": 60}` or `"per_diem"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Unit {
    /// A timed unit of this many minutes (15 or 60 for the built-in code sets).
    #[serde(rename = "minutes")]
    Minutes(u32),
    /// One unit per date of service.
    PerDiem,
}

impl Unit {
    /// The unit length in minutes, or `None` for a per-diem unit.
    pub const fn minutes(self) -> Option<u32> {
        match self {
            Unit::Minutes(m) => Some(m),
            Unit::PerDiem => None,
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unit::Minutes(60) => f.write_str("per hour"),
            Unit::Minutes(m) => write!(f, "per {m} minutes"),
            Unit::PerDiem => f.write_str("per diem"),
        }
    }
}

/// The kind of service a documented session delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Service {
    /// Teaching life skills (budgeting, meal preparation, hygiene, communication) tied to
    /// functional deficits (H2024 / H2014).
    SkillsTraining,
    /// Rehabilitation of psychiatric function (H2017).
    PsychosocialRehabilitation,
    /// Preparing for and supporting work (H2023, T2019; H2024 and T2018 per diem in the
    /// national code set).
    SupportedEmployment,
    /// Comprehensive community support (H2015, H2016 in the national code set).
    CommunitySupport,
    /// Ongoing support to maintain employment (H2025, H2026 in the national code set).
    OngoingEmploymentSupport,
    /// Training in activities of daily living by an occupational or physical therapist
    /// (97535).
    SelfCareTraining,
    /// Psychotherapy: another code family (CPT 90832-90838), not modelled here.
    Psychotherapy,
    /// Case management: another code family (T1016/T1017, G9002), not modelled here.
    CaseManagement,
}

impl Service {
    /// The snake_case name used in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Service::SkillsTraining => "skills_training",
            Service::PsychosocialRehabilitation => "psychosocial_rehabilitation",
            Service::SupportedEmployment => "supported_employment",
            Service::CommunitySupport => "community_support",
            Service::OngoingEmploymentSupport => "ongoing_employment_support",
            Service::SelfCareTraining => "self_care_training",
            Service::Psychotherapy => "psychotherapy",
            Service::CaseManagement => "case_management",
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a code set says about one code: its descriptor, billing unit and service, and
/// whether it is a therapy code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CodeEntry {
    /// The code.
    pub code: Code,
    /// A short descriptor (our own wording for 97535: CPT text is AMA-copyrighted).
    pub descriptor: String,
    /// The billing unit.
    pub unit: Unit,
    /// The service the code is billed for.
    pub service: Service,
    /// A therapy code: billed by occupational and physical therapists only, one patient at
    /// a time, with the therapy modifiers (GO/GP/GN, CO/CQ) instead of the provider-level
    /// ones (97535 in both built-in code sets).
    #[serde(default)]
    pub therapy: bool,
}

impl CodeEntry {
    /// An entry (not a therapy code; see [`CodeEntry::therapy`]).
    pub fn new(code: Code, descriptor: impl Into<String>, unit: Unit, service: Service) -> Self {
        CodeEntry {
            code,
            descriptor: descriptor.into(),
            unit,
            service,
            therapy: false,
        }
    }
}

/// The identifier of a built-in code set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CodeSetId {
    /// The product brief's definitions: H2024 is skills training per hour.
    Reference,
    /// The CMS national HCPCS descriptors: H2024 is supported employment per diem, with the
    /// family's per-diem and 15-minute neighbours.
    National,
}

impl CodeSetId {
    /// The snake_case name used in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            CodeSetId::Reference => "reference",
            CodeSetId::National => "national",
        }
    }
}

impl fmt::Display for CodeSetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The most codes one code set (a built-in set and a policy's own codes together) may
/// define.
pub const MAX_CODES: usize = 64;

/// Code definitions, one [`CodeEntry`] per code, in the set's canonical order: the built-in
/// codes first, then a policy's own codes as written (sorted by code).
///
/// ```
/// use h2024::{Code, CodeSet, CodeSetId, Service, Unit};
/// let reference = CodeSet::builtin(CodeSetId::Reference);
/// assert_eq!(reference.entry(Code::H2024).unwrap().unit, Unit::Minutes(60));
/// assert_eq!(reference.entries().len(), 5);
/// let national = CodeSet::builtin(CodeSetId::National);
/// let h2024 = national.entry(Code::H2024).unwrap();
/// assert_eq!(h2024.unit, Unit::PerDiem);
/// assert_eq!(h2024.service, Service::SupportedEmployment);
/// let t2019: Code = "T2019".parse()?;
/// assert_eq!(national.entry(t2019).unwrap().unit, Unit::Minutes(15));
/// assert!(reference.entry(t2019).is_none());
/// # Ok::<(), h2024::InvalidCode>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeSet {
    id: CodeSetId,
    entries: Vec<CodeEntry>,
}

/// A code of the built-in tables: written as a constant, checked by the tests.
const fn builtin_code(text: &str) -> Code {
    match Code::parse_bytes(text.as_bytes()) {
        Ok(code) => code,
        Err(_) => Code::H2024,
    }
}

impl CodeSet {
    /// One of the two built-in code sets (`docs/rules.md`, "Code descriptions and units"
    /// and "Codes beyond the five").
    pub fn builtin(id: CodeSetId) -> CodeSet {
        let entry = CodeEntry::new;
        let h2024 = match id {
            // The brief's reading (`docs/rules.md`, "The H2024 conflict").
            CodeSetId::Reference => entry(
                Code::H2024,
                "Skills training and development, per hour",
                Unit::Minutes(60),
                Service::SkillsTraining,
            ),
            // CMS HCPCS Level II file (`docs/rules.md`, "Code descriptions and units").
            CodeSetId::National => entry(
                Code::H2024,
                "Supported employment, per diem",
                Unit::PerDiem,
                Service::SupportedEmployment,
            ),
        };
        let mut entries = vec![
            h2024,
            entry(
                Code::H2014,
                "Skills training and development, per 15 minutes",
                Unit::Minutes(15),
                Service::SkillsTraining,
            ),
            entry(
                Code::H2017,
                "Psychosocial rehabilitation services, per 15 minutes",
                Unit::Minutes(15),
                Service::PsychosocialRehabilitation,
            ),
            entry(
                Code::H2023,
                "Supported employment, per 15 minutes",
                Unit::Minutes(15),
                Service::SupportedEmployment,
            ),
            CodeEntry {
                therapy: true,
                ..entry(
                    Code::Cpt97535,
                    "Self-care/home management training (CPT), 15-minute units",
                    Unit::Minutes(15),
                    Service::SelfCareTraining,
                )
            },
        ];
        if id == CodeSetId::National {
            // The national neighbours, in our own short words (`docs/rules.md`, "Codes
            // beyond the five", which gives the public source of each).
            let more = [
                (
                    "H2015",
                    "Comprehensive community support, per 15 minutes",
                    Unit::Minutes(15),
                    Service::CommunitySupport,
                ),
                (
                    "H2016",
                    "Comprehensive community support, per diem",
                    Unit::PerDiem,
                    Service::CommunitySupport,
                ),
                (
                    "H2018",
                    "Psychosocial rehabilitation services, per diem",
                    Unit::PerDiem,
                    Service::PsychosocialRehabilitation,
                ),
                (
                    "H2025",
                    "Ongoing support to maintain employment, per 15 minutes",
                    Unit::Minutes(15),
                    Service::OngoingEmploymentSupport,
                ),
                (
                    "H2026",
                    "Ongoing support to maintain employment, per diem",
                    Unit::PerDiem,
                    Service::OngoingEmploymentSupport,
                ),
                (
                    "T2018",
                    "Supported employment habilitation (waiver), per diem",
                    Unit::PerDiem,
                    Service::SupportedEmployment,
                ),
                (
                    "T2019",
                    "Supported employment habilitation (waiver), per 15 minutes",
                    Unit::Minutes(15),
                    Service::SupportedEmployment,
                ),
            ];
            entries.extend(
                more.into_iter().map(|(code, text, unit, service)| {
                    entry(builtin_code(code), text, unit, service)
                }),
            );
        }
        CodeSet { id, entries }
    }

    /// Which built-in code set this started from.
    pub fn id(&self) -> CodeSetId {
        self.id
    }

    /// The definition of `code`, if the set defines it.
    pub fn entry(&self, code: Code) -> Option<&CodeEntry> {
        self.position(code).map(|at| &self.entries[at])
    }

    /// Whether the set defines `code`.
    pub fn contains(&self, code: Code) -> bool {
        self.position(code).is_some()
    }

    /// All entries, in the set's canonical order.
    pub fn entries(&self) -> &[CodeEntry] {
        &self.entries
    }

    /// The codes, in the set's canonical order.
    pub fn codes(&self) -> impl ExactSizeIterator<Item = Code> + '_ {
        self.entries.iter().map(|e| e.code)
    }

    /// Where `code` is in [`CodeSet::entries`]: its rank in the canonical order.
    pub fn position(&self, code: Code) -> Option<usize> {
        self.entries.iter().position(|e| e.code == code)
    }

    pub(crate) fn entry_mut(&mut self, code: Code) -> Option<&mut CodeEntry> {
        self.entries.iter_mut().find(|e| e.code == code)
    }

    /// Adds a code the set does not define yet (the caller checks [`MAX_CODES`]).
    pub(crate) fn push(&mut self, entry: CodeEntry) {
        self.entries.push(entry);
    }
}

/// A pattern over codes, as a policy writes it: one code (`"97535"`), or every code that
/// starts with a prefix of one to four letters or digits followed by `*` (`"H*"` for every
/// code starting with H, `"H20*"`); `"*"` alone stands for every code.
///
/// ```
/// use h2024::Code;
/// use h2024::codes::CodePattern;
/// let h: CodePattern = "H*".parse()?;
/// assert!(h.matches(Code::H2014));
/// assert!(!h.matches(Code::Cpt97535));
/// let one: CodePattern = "97535".parse()?;
/// assert!(one.matches(Code::Cpt97535) && !one.matches(Code::H2014));
/// assert_eq!(one.to_string(), "97535");
/// assert!("*".parse::<CodePattern>()?.matches(Code::H2024));
/// assert!("H2014*".parse::<CodePattern>().is_err()); // a whole code is written without *
/// # Ok::<(), h2024::codes::InvalidCodePattern>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CodePattern {
    /// The code, or the prefix padded with zeros.
    bytes: [u8; 5],
    /// How many of `bytes` a code must start with (5 for one code).
    len: u8,
}

/// The error for a string that is neither a code nor a code prefix followed by `*`.
///
/// The message says what a pattern looks like; it does not repeat the rejected text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid code pattern: expected a code, or one to four letters or digits followed by * (\"H*\"), or * alone"
)]
pub struct InvalidCodePattern;

impl CodePattern {
    /// The pattern that matches `code` alone.
    pub const fn code(code: Code) -> CodePattern {
        CodePattern {
            bytes: code.0,
            len: 5,
        }
    }

    /// Whether `code` matches.
    pub fn matches(&self, code: Code) -> bool {
        let len = usize::from(self.len);
        code.0[..len] == self.bytes[..len]
    }

    /// Whether the pattern names one code (rather than a prefix).
    pub const fn is_code(&self) -> bool {
        self.len == 5
    }

    /// How many leading characters a code must share with the pattern (5 for one code, 0
    /// for `*`): the longer, the more specific.
    pub const fn specificity(&self) -> usize {
        self.len as usize
    }
}

impl FromStr for CodePattern {
    type Err = InvalidCodePattern;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let Some(prefix) = s.strip_suffix('*') else {
            return s
                .parse::<Code>()
                .map(CodePattern::code)
                .map_err(|_| InvalidCodePattern);
        };
        if prefix.len() > 4 || !prefix.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(InvalidCodePattern);
        }
        let mut bytes = [0u8; 5];
        for (to, from) in bytes.iter_mut().zip(prefix.bytes()) {
            *to = from.to_ascii_uppercase();
        }
        Ok(CodePattern {
            bytes,
            len: prefix.len() as u8,
        })
    }
}

impl fmt::Display for CodePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let len = usize::from(self.len);
        f.write_str(std::str::from_utf8(&self.bytes[..len]).unwrap_or_default())?;
        if !self.is_code() {
            f.write_str("*")?;
        }
        Ok(())
    }
}

impl fmt::Debug for CodePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CodePattern({self})")
    }
}

impl Serialize for CodePattern {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CodePattern {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(|_| {
            serde::de::Error::unknown_variant(&text, &["a code", "a code prefix followed by *"])
        })
    }
}

#[cfg(feature = "schema")]
const CODE_DESCRIPTION: &str = "A procedure code: a HCPCS Level II code (a letter A-V and four digits) or a CPT code (four digits, then a digit or a letter), in upper case.";

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Code {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Code".into()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        "h2024::Code".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": CODE_DESCRIPTION,
            "pattern": "^(?:[A-V][0-9]{4}|[0-9]{4}[0-9A-Z])$",
        })
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for CodePattern {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "CodePattern".into()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        "h2024::CodePattern".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A procedure code, or up to four letters and digits followed by `*` for every code starting with them (`*` alone: every code).",
            "pattern": "^(?:[A-Za-z0-9]{0,4}\\*|[A-Va-v][0-9]{4}|[0-9]{4}[0-9A-Za-z])$",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_order_as_written() {
        let mut by_text = Code::ALL;
        by_text.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        let mut by_code = Code::ALL;
        by_code.sort();
        assert_eq!(by_text, by_code);
    }

    #[test]
    fn code_shapes() {
        for good in [
            "H2014", "T2019", "A0000", "V9999", "97535", "0001F", "0042T", "h2015",
        ] {
            let code: Code = good.parse().unwrap();
            assert_eq!(code.as_str(), good.to_ascii_uppercase());
            assert_eq!(code.is_hcpcs(), good.as_bytes()[0].is_ascii_alphabetic());
        }
        for bad in [
            "", "H201", "H20144", "W2014", "Z0000", "HH014", "9753", "9753-", "H20.4", "é2014",
            "97 35",
        ] {
            assert_eq!(bad.parse::<Code>(), Err(InvalidCode), "{bad:?}");
        }
        assert!(Code::H2014.is_h_or_t_code());
        assert!("T2019".parse::<Code>().unwrap().is_h_or_t_code());
        assert!(!Code::Cpt97535.is_h_or_t_code());
        assert!(!"G0151".parse::<Code>().unwrap().is_h_or_t_code());
    }

    #[test]
    fn builtin_tables_hold_well_formed_distinct_codes() {
        for id in [CodeSetId::Reference, CodeSetId::National] {
            let set = CodeSet::builtin(id);
            for (i, e) in set.entries().iter().enumerate() {
                assert_eq!(e.code.as_str().parse::<Code>(), Ok(e.code));
                assert_eq!(set.position(e.code), Some(i));
                assert!(!e.descriptor.is_empty() && e.descriptor.len() <= 200);
                assert_eq!(e.therapy, e.code == Code::Cpt97535);
            }
            assert!(set.entries().len() <= MAX_CODES);
        }
        let national = CodeSet::builtin(CodeSetId::National);
        assert_eq!(national.entries().len(), 12);
        // A 15-minute code and its per-diem twin bill the same service.
        for (timed, per_diem) in [
            ("H2015", "H2016"),
            ("H2025", "H2026"),
            ("T2019", "T2018"),
            ("H2017", "H2018"),
        ] {
            let t = national.entry(timed.parse().unwrap()).unwrap();
            let d = national.entry(per_diem.parse().unwrap()).unwrap();
            assert_eq!(t.unit, Unit::Minutes(15));
            assert_eq!(d.unit, Unit::PerDiem);
            assert_eq!(t.service, d.service);
        }
    }

    #[test]
    fn codes_round_trip_through_text_and_json() {
        for code in Code::ALL {
            assert_eq!(code.as_str().parse::<Code>(), Ok(code));
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<Code>(&json).unwrap(), code);
        }
        assert_eq!("h2014".parse::<Code>(), Ok(Code::H2014));
    }

    #[test]
    fn unknown_code_is_refused_without_echo() {
        let err = serde_json::from_str::<Code>("\"H00X4\"").unwrap_err();
        assert!(!err.to_string().contains("H00X4"));
        assert!("".parse::<Code>().is_err());
        assert!("97110".parse::<Code>().is_ok());
    }

    #[test]
    fn code_sets_disagree_only_about_h2024() {
        let reference = CodeSet::builtin(CodeSetId::Reference);
        let national = CodeSet::builtin(CodeSetId::National);
        for code in Code::ALL {
            assert_eq!(reference.entry(code).unwrap().code, code);
            assert_eq!(
                reference.entry(code) == national.entry(code),
                code != Code::H2024
            );
        }
        assert_eq!(
            reference.entry(Code::H2024).unwrap().unit,
            Unit::Minutes(60)
        );
        assert_eq!(national.entry(Code::H2024).unwrap().unit, Unit::PerDiem);
        assert_eq!(
            reference.entry(Code::H2014).unwrap().unit,
            Unit::Minutes(15)
        );
    }

    #[test]
    fn unit_json_shapes() {
        assert_eq!(
            serde_json::to_string(&Unit::Minutes(15)).unwrap(),
            r#"{"minutes":15}"#
        );
        assert_eq!(
            serde_json::to_string(&Unit::PerDiem).unwrap(),
            r#""per_diem""#
        );
        assert_eq!(
            serde_json::from_str::<Unit>(r#"{"minutes":60}"#).unwrap(),
            Unit::Minutes(60)
        );
    }
}
