//! Where and how a session happened: the patient's setting, the modality, and the CMS
//! place-of-service code they map to (README, "Modifiers and place of service"; CMS CR 12427
//! for telehealth).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Where the patient was during the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Setting {
    /// The patient's home.
    Home,
    /// A clinic or office.
    Clinic,
    /// In the community (a store, a workplace, public transport).
    Community,
    /// A school.
    School,
    /// A community mental health center.
    CommunityMentalHealthCenter,
}

impl Setting {
    /// The snake_case name used in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Setting::Home => "home",
            Setting::Clinic => "clinic",
            Setting::Community => "community",
            Setting::School => "school",
            Setting::CommunityMentalHealthCenter => "community_mental_health_center",
        }
    }
}

/// How the session was delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Modality {
    /// Face to face.
    #[default]
    InPerson,
    /// Telehealth with real-time audio and video.
    AudioVideo,
    /// Telehealth by audio only.
    AudioOnly,
}

impl Modality {
    /// The snake_case name used in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Modality::InPerson => "in_person",
            Modality::AudioVideo => "audio_video",
            Modality::AudioOnly => "audio_only",
        }
    }

    /// Any telehealth modality.
    pub const fn is_telehealth(self) -> bool {
        !matches!(self, Modality::InPerson)
    }
}

/// A CMS place-of-service code (`docs/rules.md`, "Places of service").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
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

#[cfg(feature = "schema")]
impl schemars::JsonSchema for PlaceOfService {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PlaceOfService".into()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        "h2024::PlaceOfService".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let codes: Vec<&str> = PlaceOfService::ALL.iter().map(|p| p.as_str()).collect();
        schemars::json_schema!({
            "type": "string",
            "description": "A CMS place-of-service code (X12 837P SV105).",
            "enum": codes,
        })
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
