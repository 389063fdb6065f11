//! The response: claim lines, one decision per encounter, and findings.
//!
//! These types are the response JSON (`schema_version` 1).

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use serde::ser::{SerializeSeq, SerializeStruct};

use crate::codes::Code;
use crate::explain::{Reason, Turndown};
use crate::findings::{Finding, Rendered};
use crate::modifiers::Modifier;
use crate::request::{Modality, Setting};

/// The version of the response format.
pub const SCHEMA_VERSION: u32 = 1;

/// What the engine made of a request.
///
/// Serialized with `explain` on (the default), decisions carry their `rationale` and each
/// alternative its `reason`, and findings their `message`, all rendered from the typed
/// reasons and data; with `explain` off those three are left out and everything
/// machine-readable stays.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Response {
    /// The response format's version ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// The id of the policy applied (`inline` for an inline policy without an id).
    pub policy: String,
    /// Whether the serialized response carries prose (rationale, reasons, messages).
    #[serde(default = "yes")]
    pub explain: bool,
    /// Claim lines, sorted by patient, date of service, code as written (then provider,
    /// modifiers, place of service).
    pub lines: Vec<Line>,
    /// Exactly one decision per encounter, in request order.
    pub decisions: Vec<Decision>,
    /// What threatens the lines, in request order of their encounters.
    pub findings: Vec<Finding>,
}

fn yes() -> bool {
    true
}

impl Serialize for Response {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let explain = self.explain;
        let mut s = serializer.serialize_struct("Response", 6)?;
        s.serialize_field("schema_version", &self.schema_version)?;
        s.serialize_field("policy", &self.policy)?;
        s.serialize_field("explain", &explain)?;
        s.serialize_field("lines", &self.lines)?;
        s.serialize_field("decisions", &ExplainList(&self.decisions, explain))?;
        s.serialize_field("findings", &ExplainList(&self.findings, explain))?;
        s.end()
    }
}

/// A value whose JSON depends on whether the response is explained.
pub(crate) trait ExplainSerialize {
    /// Serializes the value, with its prose only when `explain` is on.
    fn serialize_with<S: Serializer>(
        &self,
        serializer: S,
        explain: bool,
    ) -> Result<S::Ok, S::Error>;
}

/// A slice serialized as a JSON array, each element explained or not.
struct ExplainList<'a, T>(&'a [T], bool);

impl<T: ExplainSerialize> Serialize for ExplainList<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for item in self.0 {
            seq.serialize_element(&Explained(item, self.1))?;
        }
        seq.end()
    }
}

struct Explained<'a, T>(&'a T, bool);

impl<T: ExplainSerialize> Serialize for Explained<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize_with(serializer, self.1)
    }
}

/// One claim line (an X12 837P SV1 service line with its DTP*472 date).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Line {
    /// The patient's id.
    pub patient: String,
    /// The rendering provider's id.
    pub provider: String,
    /// The date of service.
    pub date_of_service: NaiveDate,
    /// The procedure code.
    pub code: Code,
    /// Up to four modifiers, in line order.
    pub modifiers: Vec<Modifier>,
    /// Units of service (SV104, unit basis `UN`).
    pub units: u32,
    /// Documented minutes of the encounters on the line.
    pub minutes: u32,
    /// The place of service (SV105).
    pub place_of_service: PlaceOfService,
    /// The encounters billed on this line.
    pub encounters: Vec<String>,
}

/// The code decision for one encounter, with the reasons.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Decision {
    /// The encounter's id (or `encounters[i]` when it had no readable id).
    pub encounter: String,
    /// The chosen code; `None` when the encounter cannot be coded.
    pub code: Option<Code>,
    /// The index of the line in `Response.lines` that bills the encounter, if any.
    pub line: Option<usize>,
    /// Every step of the decision, in order, as data.
    pub reasons: Vec<Reason>,
    /// Each code of the family that was turned down, and why.
    pub alternatives: Vec<Alternative>,
}

impl Decision {
    /// Every step of the decision, in words (what JSON calls `rationale`).
    pub fn rationale(&self) -> Vec<String> {
        self.reasons.iter().map(ToString::to_string).collect()
    }
}

impl ExplainSerialize for Decision {
    fn serialize_with<S: Serializer>(
        &self,
        serializer: S,
        explain: bool,
    ) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Decision", 6)?;
        s.serialize_field("encounter", &self.encounter)?;
        s.serialize_field("code", &self.code)?;
        s.serialize_field("line", &self.line)?;
        s.serialize_field("reasons", &self.reasons)?;
        if explain {
            s.serialize_field("rationale", &RenderedList(&self.reasons))?;
        }
        s.serialize_field("alternatives", &ExplainList(&self.alternatives, explain))?;
        s.end()
    }
}

impl Serialize for Decision {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ExplainSerialize::serialize_with(self, serializer, true)
    }
}

/// A code that was turned down.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Alternative {
    /// The code.
    pub code: Code,
    /// Why it was not chosen, as data.
    pub why: Turndown,
}

impl Alternative {
    /// A code turned down, and why.
    pub fn new(code: Code, why: Turndown) -> Alternative {
        Alternative { code, why }
    }

    /// Why it was not chosen, in words (what JSON calls `reason`).
    pub fn reason(&self) -> String {
        AlternativeText(self).to_string()
    }
}

impl ExplainSerialize for Alternative {
    fn serialize_with<S: Serializer>(
        &self,
        serializer: S,
        explain: bool,
    ) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Alternative", 3)?;
        s.serialize_field("code", &self.code)?;
        s.serialize_field("why", &self.why)?;
        if explain {
            s.serialize_field("reason", &Rendered(&AlternativeText(self)))?;
        }
        s.end()
    }
}

impl Serialize for Alternative {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ExplainSerialize::serialize_with(self, serializer, true)
    }
}

/// An alternative's reason in words, with its code where the sentence needs it.
struct AlternativeText<'a>(&'a Alternative);

impl fmt::Display for AlternativeText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self.0.code;
        match &self.0.why {
            Turndown::PinnedOther { pinned } => {
                write!(f, "the request pins {pinned}; {code} was not considered")
            }
            Turndown::NotCovered => write!(f, "the policy does not cover {code}"),
            Turndown::OtherService { .. } | Turndown::DoesNotBill { .. } => {
                write!(f, "{code} {}", self.0.why)
            }
            other => other.fmt(f),
        }
    }
}

struct RenderedList<'a, T: fmt::Display>(&'a [T]);

impl<T: fmt::Display> Serialize for RenderedList<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for item in self.0 {
            seq.serialize_element(&Rendered(item))?;
        }
        seq.end()
    }
}

/// A CMS place-of-service code (DOMAIN.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PlaceOfService {
    /// 02: telehealth, patient not at home.
    Telehealth,
    /// 03: school.
    School,
    /// 10: telehealth, patient at home.
    TelehealthHome,
    /// 11: office.
    Office,
    /// 12: home.
    Home,
    /// 15: mobile unit.
    MobileUnit,
    /// 53: community mental health center.
    CommunityMentalHealthCenter,
    /// 99: other place of service.
    Other,
}

impl PlaceOfService {
    /// Every place of service this library knows.
    pub const ALL: [PlaceOfService; 8] = [
        PlaceOfService::Telehealth,
        PlaceOfService::School,
        PlaceOfService::TelehealthHome,
        PlaceOfService::Office,
        PlaceOfService::Home,
        PlaceOfService::MobileUnit,
        PlaceOfService::CommunityMentalHealthCenter,
        PlaceOfService::Other,
    ];

    /// The two-digit code.
    pub const fn as_str(self) -> &'static str {
        match self {
            PlaceOfService::Telehealth => "02",
            PlaceOfService::School => "03",
            PlaceOfService::TelehealthHome => "10",
            PlaceOfService::Office => "11",
            PlaceOfService::Home => "12",
            PlaceOfService::MobileUnit => "15",
            PlaceOfService::CommunityMentalHealthCenter => "53",
            PlaceOfService::Other => "99",
        }
    }

    /// The place of service for a setting and modality: telehealth is 10 when the patient
    /// is at home and 02 otherwise (CMS CR 12427); in person it follows the setting (home 12,
    /// clinic 11, community 99, school 03, community mental health center 53).
    ///
    /// ```
    /// use h2024::{Modality, PlaceOfService, Setting};
    /// assert_eq!(PlaceOfService::for_session(Setting::Home, Modality::InPerson).as_str(), "12");
    /// assert_eq!(PlaceOfService::for_session(Setting::Home, Modality::AudioVideo).as_str(), "10");
    /// assert_eq!(PlaceOfService::for_session(Setting::Clinic, Modality::AudioOnly).as_str(), "02");
    /// ```
    pub const fn for_session(setting: Setting, modality: Modality) -> PlaceOfService {
        match (modality.is_telehealth(), setting) {
            (true, Setting::Home) => PlaceOfService::TelehealthHome,
            (true, _) => PlaceOfService::Telehealth,
            (false, Setting::Home) => PlaceOfService::Home,
            (false, Setting::Clinic) => PlaceOfService::Office,
            (false, Setting::Community) => PlaceOfService::Other,
            (false, Setting::School) => PlaceOfService::School,
            (false, Setting::CommunityMentalHealthCenter) => {
                PlaceOfService::CommunityMentalHealthCenter
            }
        }
    }

    /// What the code stands for.
    pub const fn meaning(self) -> &'static str {
        match self {
            PlaceOfService::Telehealth => "telehealth, patient not at home",
            PlaceOfService::School => "school",
            PlaceOfService::TelehealthHome => "telehealth, patient at home",
            PlaceOfService::Office => "office",
            PlaceOfService::Home => "home",
            PlaceOfService::MobileUnit => "mobile unit",
            PlaceOfService::CommunityMentalHealthCenter => "community mental health center",
            PlaceOfService::Other => "other place of service",
        }
    }
}

impl fmt::Display for PlaceOfService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for text that is not a known place-of-service code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown place of service: expected one of 02, 03, 10, 11, 12, 15, 53, 99")]
pub struct UnknownPlaceOfService;

impl std::str::FromStr for PlaceOfService {
    type Err = UnknownPlaceOfService;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PlaceOfService::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or(UnknownPlaceOfService)
    }
}

impl Serialize for PlaceOfService {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PlaceOfService {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn place_of_service_round_trips() {
        for pos in PlaceOfService::ALL {
            assert_eq!(pos.as_str().parse::<PlaceOfService>(), Ok(pos));
            let json = serde_json::to_string(&pos).unwrap();
            assert_eq!(serde_json::from_str::<PlaceOfService>(&json).unwrap(), pos);
        }
        assert!("13".parse::<PlaceOfService>().is_err());
    }

    #[test]
    fn in_person_places_follow_the_setting() {
        use Setting::*;
        let expect = [
            (Home, "12"),
            (Clinic, "11"),
            (Community, "99"),
            (School, "03"),
            (CommunityMentalHealthCenter, "53"),
        ];
        for (setting, code) in expect {
            assert_eq!(
                PlaceOfService::for_session(setting, Modality::InPerson).as_str(),
                code
            );
            let tele = PlaceOfService::for_session(setting, Modality::AudioVideo).as_str();
            assert_eq!(tele, if setting == Home { "10" } else { "02" });
        }
    }
}
