//! The billing codes this library models and the code sets that define them.
//!
//! A [`Code`] is one of the five procedure codes of the skills-training family. What a code
//! *means* (its descriptor, its billing unit and the kind of service it is for) is data: a
//! [`CodeSet`]. Two code sets are built in, because the brief this product was built from and
//! the CMS national HCPCS file disagree about H2024 (`docs/rules.md`, "The H2024 conflict"):
//!
//! - [`CodeSetId::Reference`] (the default): H2024 is "skills training and development, per
//!   hour", as the brief and some state Medicaid programs define it.
//! - [`CodeSetId::National`]: the CMS HCPCS Level II descriptors, where H2024 is "supported
//!   employment, per diem".
//!
//! CPT 97535 is an AMA code: only the number and our own short label are shipped, never the
//! AMA descriptor (`docs/rules.md`, "CPT 97535 text").

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A procedure code of the skills-training family.
///
/// ```
/// use h2024::Code;
/// let code: Code = "H2014".parse()?;
/// assert_eq!(code, Code::H2014);
/// assert_eq!(code.to_string(), "H2014");
/// assert_eq!("97535".parse::<Code>()?, Code::Cpt97535);
/// assert!("H9999".parse::<Code>().is_err());
/// # Ok::<(), h2024::UnknownCode>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Code {
    /// HCPCS H2024: skills training and development, per hour (reference code set) or
    /// supported employment, per diem (national code set).
    H2024,
    /// HCPCS H2014: skills training and development, per 15 minutes.
    H2014,
    /// HCPCS H2017: psychosocial rehabilitation services, per 15 minutes.
    H2017,
    /// HCPCS H2023: supported employment, per 15 minutes.
    H2023,
    /// CPT 97535: self-care/home management training, each 15 minutes.
    Cpt97535,
}

impl Code {
    /// Every code, in the family's canonical order (also the default preference order).
    pub const ALL: [Code; 5] = [
        Code::H2024,
        Code::H2014,
        Code::H2017,
        Code::H2023,
        Code::Cpt97535,
    ];

    /// The code as it is written on a claim (`"H2024"`, `"97535"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Code::H2024 => "H2024",
            Code::H2014 => "H2014",
            Code::H2017 => "H2017",
            Code::H2023 => "H2023",
            Code::Cpt97535 => "97535",
        }
    }

    /// Whether this is a HCPCS Level II H-code (the Medicaid behavioural-health codes that
    /// carry provider-level modifiers), as opposed to the CPT therapy code 97535.
    pub const fn is_h_code(self) -> bool {
        !matches!(self, Code::Cpt97535)
    }

    /// The code's place when codes are sorted as written (`97535` before the H-codes).
    pub(crate) const fn written_order(self) -> u8 {
        match self {
            Code::Cpt97535 => 0,
            Code::H2014 => 1,
            Code::H2017 => 2,
            Code::H2023 => 3,
            Code::H2024 => 4,
        }
    }

    pub(crate) const fn index(self) -> usize {
        match self {
            Code::H2024 => 0,
            Code::H2014 => 1,
            Code::H2017 => 2,
            Code::H2023 => 3,
            Code::Cpt97535 => 4,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for a string that is not one of the five codes this library models.
///
/// The message lists the accepted codes; it does not repeat the rejected text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown code: expected one of H2024, H2014, H2017, H2023, 97535")]
pub struct UnknownCode;

impl FromStr for Code {
    type Err = UnknownCode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Code::ALL
            .into_iter()
            .find(|code| code.as_str().eq_ignore_ascii_case(s))
            .ok_or(UnknownCode)
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
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Service {
    /// Teaching life skills (budgeting, meal preparation, hygiene, communication) tied to
    /// functional deficits (H2024 / H2014).
    SkillsTraining,
    /// Rehabilitation of psychiatric function (H2017).
    PsychosocialRehabilitation,
    /// Preparing for and supporting work (H2023; H2024 in the national code set).
    SupportedEmployment,
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

/// What a code set says about one code: its descriptor, billing unit and service.
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
}

/// The identifier of a built-in code set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CodeSetId {
    /// The product brief's definitions: H2024 is skills training per hour.
    Reference,
    /// The CMS national HCPCS descriptors: H2024 is supported employment per diem.
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

/// The definitions of all five codes, one [`CodeEntry`] each.
///
/// ```
/// use h2024::{Code, CodeSet, CodeSetId, Service, Unit};
/// let reference = CodeSet::builtin(CodeSetId::Reference);
/// assert_eq!(reference.entry(Code::H2024).unit, Unit::Minutes(60));
/// let national = CodeSet::builtin(CodeSetId::National);
/// assert_eq!(national.entry(Code::H2024).unit, Unit::PerDiem);
/// assert_eq!(national.entry(Code::H2024).service, Service::SupportedEmployment);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeSet {
    id: CodeSetId,
    entries: [CodeEntry; 5],
}

impl CodeSet {
    /// One of the two built-in code sets (`docs/rules.md`, "Code descriptions and units").
    pub fn builtin(id: CodeSetId) -> CodeSet {
        let entry = |code, descriptor: &str, unit, service| CodeEntry {
            code,
            descriptor: descriptor.to_owned(),
            unit,
            service,
        };
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
        CodeSet {
            id,
            entries: [
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
                entry(
                    Code::Cpt97535,
                    "Self-care/home management training (CPT), 15-minute units",
                    Unit::Minutes(15),
                    Service::SelfCareTraining,
                ),
            ],
        }
    }

    /// Which built-in code set this started from.
    pub fn id(&self) -> CodeSetId {
        self.id
    }

    /// The definition of `code`.
    pub fn entry(&self, code: Code) -> &CodeEntry {
        &self.entries[code.index()]
    }

    /// All entries, in [`Code::ALL`] order.
    pub fn entries(&self) -> &[CodeEntry] {
        &self.entries
    }

    pub(crate) fn entry_mut(&mut self, code: Code) -> &mut CodeEntry {
        &mut self.entries[code.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_order_is_the_order_of_the_written_codes() {
        let mut by_text = Code::ALL;
        by_text.sort_by_key(|c| c.as_str());
        let mut by_rank = Code::ALL;
        by_rank.sort_by_key(|c| c.written_order());
        assert_eq!(by_text, by_rank);
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
        let err = serde_json::from_str::<Code>("\"H0004\"").unwrap_err();
        assert!(!err.to_string().contains("H0004"));
        assert!("".parse::<Code>().is_err());
        assert!("97110".parse::<Code>().is_err());
    }

    #[test]
    fn code_sets_disagree_only_about_h2024() {
        let reference = CodeSet::builtin(CodeSetId::Reference);
        let national = CodeSet::builtin(CodeSetId::National);
        for code in Code::ALL {
            assert_eq!(reference.entry(code).code, code);
            assert_eq!(
                reference.entry(code) == national.entry(code),
                code != Code::H2024
            );
        }
        assert_eq!(reference.entry(Code::H2024).unit, Unit::Minutes(60));
        assert_eq!(national.entry(Code::H2024).unit, Unit::PerDiem);
        assert_eq!(reference.entry(Code::H2014).unit, Unit::Minutes(15));
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
