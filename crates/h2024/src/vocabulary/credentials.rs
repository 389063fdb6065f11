//! Who renders a service: a provider's education level and professional discipline, the
//! facts behind the provider-level modifiers (HP/HO/HN/HM) and 97535 eligibility (README,
//! "Modifiers and place of service").

use serde::{Deserialize, Serialize};

/// A provider's education level (`docs/rules.md`, "Provider level": HP/HO/HN/HM).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Credential {
    /// Doctoral level (HP).
    Doctoral,
    /// Master's level (HO).
    Masters,
    /// Bachelor's level (HN).
    Bachelors,
    /// Associate degree (HM: below bachelor's).
    Associate,
    /// Paraprofessional (HM: below bachelor's).
    Paraprofessional,
}

impl Credential {
    /// The snake_case name used in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Credential::Doctoral => "doctoral",
            Credential::Masters => "masters",
            Credential::Bachelors => "bachelors",
            Credential::Associate => "associate",
            Credential::Paraprofessional => "paraprofessional",
        }
    }
}

/// A provider's professional discipline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Discipline {
    /// Behavioural health (counsellors, skills trainers, peer specialists).
    BehavioralHealth,
    /// Occupational therapy.
    OccupationalTherapy,
    /// Physical therapy.
    PhysicalTherapy,
    /// Speech-language pathology.
    SpeechTherapy,
    /// Case management.
    CaseManagement,
}

impl Discipline {
    /// The snake_case name used in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Discipline::BehavioralHealth => "behavioral_health",
            Discipline::OccupationalTherapy => "occupational_therapy",
            Discipline::PhysicalTherapy => "physical_therapy",
            Discipline::SpeechTherapy => "speech_therapy",
            Discipline::CaseManagement => "case_management",
        }
    }

    /// Occupational or physical therapy: the disciplines that bill 97535.
    pub const fn is_ot_or_pt(self) -> bool {
        matches!(
            self,
            Discipline::OccupationalTherapy | Discipline::PhysicalTherapy
        )
    }
}
