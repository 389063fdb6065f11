//! Payer policies: the rules a payer applies, as data.
//!
//! A [`PolicySpec`] is the JSON a payer profile is written in; the three built-in policies
//! (`medicaid`, `commercial`, `medicare`) are written in it too (`src/policies/*.json`). A
//! spec may `extends` another policy and override some of its fields. [`Policy`] is a spec
//! resolved and checked once, when an [`Engine`](crate::Engine) is built: per-code rounding,
//! coverage, caps and modifiers.
//!
//! Rules that change by payer or by year (`docs/rules.md`, "Rules as data") live here, never
//! in code. Where a built-in value comes from, all in `docs/rules.md`: "Codes" (code sets),
//! "Units" (unit rules: midpoint for Medicaid and commercial plans, the CMS 8-minute rule for
//! Medicare, pooled per discipline; the other timed services it counts), "Modifiers" (GT for
//! Medicaid telehealth, 95/93 for commercial and Medicare).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::codes::{Code, CodeEntry, CodePattern, CodeSet, CodeSetId, MAX_CODES, Service, Unit};
use crate::error::{PolicyError, PolicyErrorKind};
use crate::fees::{Fee, FeeSchedule};
use crate::modifiers::{Modifier, ModifierGroup};
use crate::places::Setting;
use crate::session::MAX_SESSION_MINUTES;
use crate::units::{Aggregation, Pool, Rounding, UnitRule};

/// The policy used when a request names none.
pub const DEFAULT_POLICY: &str = "medicaid";

/// The name of a request's inline policy that gives no `id` (README, "Your own
/// policies"). No loaded policy may take it.
pub const INLINE_POLICY_ID: &str = "inline";

/// The per-diem minimum when a policy sets none: a stand-in of 120 minutes, since each state
/// sets its own (`docs/rules.md`, "Per diem").
pub const DEFAULT_PER_DIEM_MINUTES: u32 = 120;

/// The other timed services a policy counts when it sets no `timed_codes`: 15-minute timed
/// therapy codes named in CMS's worked examples of the 8-minute rule (Pub 100-04 Ch. 5 §20.2:
/// 97035 ultrasound, 97110 therapeutic exercise, 97112 neuromuscular re-education, 97116
/// gait training, 97140 manual therapy; `docs/rules.md`, "Other timed services"). 97535,
/// billed by the engine itself, is not among them. In code order.
pub const DEFAULT_TIMED_CODES: [&str; 5] = ["97035", "97110", "97112", "97116", "97140"];

/// The most codes a policy's `timed_codes` may list.
pub const MAX_TIMED_CODES: usize = 1000;

/// The early-intervention age limit when a policy sets none: IDEA Part C (early
/// intervention, IFSP) serves children from birth to age three.
pub const DEFAULT_EARLY_INTERVENTION_MAX_AGE_YEARS: u32 = 3;

/// The state packs as JSON: starting points for state Medicaid programs, each with its
/// sources and what was not verified (README, "State packs"). Loaded by
/// [`Engine::with_state_packs`](crate::Engine::with_state_packs), in this order (each
/// extends `medicaid`).
pub const STATE_PACK_JSON: [(&str, &str); 6] = [
    (
        "tx-medicaid",
        include_str!("policies/states/tx-medicaid.json"),
    ),
    ("ny-opwdd", include_str!("policies/states/ny-opwdd.json")),
    (
        "az-complete-health",
        include_str!("policies/states/az-complete-health.json"),
    ),
    ("mi-pihp", include_str!("policies/states/mi-pihp.json")),
    ("ok-dds", include_str!("policies/states/ok-dds.json")),
    (
        "me-mainecare",
        include_str!("policies/states/me-mainecare.json"),
    ),
];

/// Which codes the derived modifiers go on when a policy's `modifier_codes` says nothing of
/// them: the provider levels (HP, HO, HN, HM), early intervention (TL) and follow-up (TS)
/// on H and T codes, the Medicaid behavioural-health and waiver codes they qualify
/// (`docs/rules.md`, "Modifiers by code family"); every other modifier on every code.
pub const DEFAULT_MODIFIER_CODES: [(Modifier, &[&str]); 6] = [
    (Modifier::HP, &["H*", "T*"]),
    (Modifier::HO, &["H*", "T*"]),
    (Modifier::HN, &["H*", "T*"]),
    (Modifier::HM, &["H*", "T*"]),
    (Modifier::TL, &["H*", "T*"]),
    (Modifier::TS, &["H*", "T*"]),
];

/// The share of an authorization limit, in percent, whose use raises
/// `authorization_near_limit` when a policy sets none.
pub const DEFAULT_AUTHORIZATION_ALERT_PERCENT: u32 = 80;

/// The built-in policies as JSON, in the same format as loaded policies.
pub const BUILTIN_POLICY_JSON: [(&str, &str); 3] = [
    ("medicaid", include_str!("policies/medicaid.json")),
    ("commercial", include_str!("policies/commercial.json")),
    ("medicare", include_str!("policies/medicare.json")),
];

fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Reads a text once into a shared string: a policy's description is kept once however
/// many policies extend it.
fn shared_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Arc<str>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(|text| text.map(Arc::from))
}

fn serialize_shared_text<S: Serializer>(
    text: &Option<Arc<str>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    text.as_deref().serialize(serializer)
}

/// A code as a map key: a malformed key is refused, and the error reports the map without
/// repeating the key (README, "Errors").
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct CodeKey(Code);

impl<'de> Deserialize<'de> for CodeKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse()
            .map(CodeKey)
            .map_err(|_| serde::de::Error::unknown_variant(&text, &["a procedure code"]))
    }
}

fn code_keyed<'de, D, V>(deserializer: D) -> Result<Option<BTreeMap<Code, V>>, D::Error>
where
    D: Deserializer<'de>,
    V: Deserialize<'de>,
{
    let map = Option::<BTreeMap<CodeKey, V>>::deserialize(deserializer)?;
    Ok(map.map(|m| m.into_iter().map(|(k, v)| (k.0, v)).collect()))
}

/// A key of a policy's `units` map: `default` (every code without its own entry) or a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UnitsKey {
    /// The rule for every code without an entry of its own.
    Default,
    /// The rule for one code.
    Code(Code),
}

impl UnitsKey {
    /// The key as written in JSON: `default` or the code.
    pub fn as_str(&self) -> &str {
        match self {
            UnitsKey::Default => "default",
            UnitsKey::Code(code) => code.as_str(),
        }
    }
}

impl fmt::Display for UnitsKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for UnitsKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for UnitsKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        if text == "default" {
            return Ok(UnitsKey::Default);
        }
        text.parse()
            .map(UnitsKey::Code)
            .map_err(|_| serde::de::Error::unknown_variant(&text, &["default", "a procedure code"]))
    }
}

/// A payer policy as written in JSON.
///
/// Every field but `id` may be left out when the policy `extends` another: it is then taken
/// from that policy. In the maps (`codes`, `units`, `max_units_per_day`,
/// `setting_modifiers`, `modifier_codes`, `documentation_elements`) an entry overrides the inherited entry of the same key field by
/// field (an entry of `codes` or `units` that gives only some fields keeps the others from
/// the inherited entry), and `null` removes it. For the optional modifiers, `null` means
/// "none". README, "Your own policies".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PolicySpec {
    /// The policy's id (1-64 letters, digits, `_`, `-`, `.`). An inline policy may leave it
    /// out (empty): it is then called `inline`.
    #[serde(default)]
    pub id: String,
    /// The built-in or earlier-loaded policy this one starts from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// What the policy is for, in a sentence. Shared, not copied, by the policies that
    /// extend this one.
    #[serde(
        default,
        deserialize_with = "shared_text",
        serialize_with = "serialize_shared_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<Arc<str>>,
    /// Which built-in code set defines the codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_set: Option<CodeSetId>,
    /// Per-code overrides of the code set's unit, descriptor, service or therapy flag, and
    /// codes the code set does not define (which then need `descriptor`, `unit` and
    /// `service`).
    #[serde(
        default,
        deserialize_with = "code_keyed",
        skip_serializing_if = "Option::is_none"
    )]
    pub codes: Option<BTreeMap<Code, Option<CodeOverride>>>,
    /// The codes the payer pays for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub covered_codes: Option<Vec<Code>>,
    /// Unit rules: key `default` for all codes, or a code for that code alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<BTreeMap<UnitsKey, Option<UnitSpec>>>,
    /// The other timed services (`other_timed_services` of an encounter) the CMS 8-minute
    /// rule counts: 15-minute timed codes the engine does not bill itself (default:
    /// [`DEFAULT_TIMED_CODES`]; `docs/rules.md`, "Other timed services").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(length(max = MAX_TIMED_CODES)))]
    pub timed_codes: Option<Vec<String>>,
    /// Daily caps: the most units of a code per patient per date of service.
    #[serde(
        default,
        deserialize_with = "code_keyed",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_units_per_day: Option<BTreeMap<Code, Option<u32>>>,
    /// Tie-break order for code selection; codes not listed follow in canonical order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_preference: Option<Vec<Code>>,
    /// Whether every session must carry exact start and end times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires_clock_times: Option<bool>,
    /// The audio-video telehealth modifier (GT or 95), or `null` for none.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub telehealth_modifier: Option<Option<Modifier>>,
    /// The audio-only modifier (93 or FQ), or `null` when audio-only is not covered.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub audio_only_modifier: Option<Option<Modifier>>,
    /// Whether H-codes carry the provider-level modifier (HP/HO/HN/HM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_level_modifiers: Option<bool>,
    /// The early-intervention modifier (TL, or a U-modifier), or `null`.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub early_intervention_modifier: Option<Option<Modifier>>,
    /// The follow-up modifier (TS, or a U-modifier), or `null`.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub follow_up_modifier: Option<Option<Modifier>>,
    /// The group modifier (HQ, or a U-modifier), or `null`.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub group_modifier: Option<Option<Modifier>>,
    /// State-defined level-of-care modifiers (U1-UD) by setting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setting_modifiers: Option<BTreeMap<Setting, Option<Modifier>>>,
    /// The payer's modifier order; modifiers not listed follow in the default order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modifier_order: Option<Vec<Modifier>>,
    /// Which codes a derived modifier goes on: modifier to code patterns (`"H*"`,
    /// `"97535"`, `"*"`). Modifiers without an entry keep the built-in rule
    /// ([`DEFAULT_MODIFIER_CODES`]: provider levels, TL and TS on H and T codes; every other
    /// modifier on every code). `docs/rules.md`, "Modifiers by code family".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modifier_codes: Option<BTreeMap<Modifier, Option<Vec<CodePattern>>>>,
    /// The payer's modifier priority, most important first: when more modifiers are
    /// required than a line carries, the highest in priority stay. Modifiers not listed
    /// follow in the default priority (`docs/rules.md`, "At most four modifiers per line").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modifier_priority: Option<Vec<Modifier>>,
    /// Electronic visit verification: the codes whose in-person encounters need a verified
    /// EVV visit, the settings exempt from it and the minutes of tolerance; `null` (the
    /// default) for no EVV check (`docs/rules.md`, "Electronic visit verification"). A
    /// version or a policy that extends this one replaces it as a whole.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub evv: Option<Option<Evv>>,
    /// The session-note elements required per code family: `default`, `therapy` or a code
    /// pattern to the elements (default: [`DEFAULT_DOCUMENTATION_ELEMENTS`], and
    /// [`DEFAULT_THERAPY_DOCUMENTATION_ELEMENTS`] for therapy codes). A code takes the most
    /// specific key that matches it: the code itself, then the longest prefix, then
    /// `therapy` for a therapy code, then `default` (`docs/rules.md`, "Session note
    /// elements").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation_elements:
        Option<BTreeMap<DocumentationKey, Option<Vec<DocumentationElement>>>>,
    /// When a prior authorization is needed (default `never`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prior_authorization: Option<PriorAuthorization>,
    /// Days a progress report stays current, or `null` when the payer sets no interval
    /// (the default).
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub progress_report_interval_days: Option<Option<u32>>,
    /// Whether sessions whose main purpose is education are excluded (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excludes_educational: Option<bool>,
    /// The age from which early intervention no longer applies (default 3: IDEA Part C
    /// serves infants and toddlers under three).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub early_intervention_max_age_years: Option<u32>,
    /// The dates the policy is in force, both inclusive (absent: every date). A date of
    /// service outside them gets no line and a `policy_not_in_effect` finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<Effective>,
    /// Dated versions, in date order: each overrides the policy's fields from its `from`
    /// to its `to` (or to the day before the next version's `from`). A version may set
    /// every field but `id`, `extends`, `effective` and `versions`; its maps merge key by
    /// key over the policy's, as `extends` does. README, "Policy versions".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(length(max = MAX_VERSIONS)))]
    pub versions: Option<Vec<PolicySpec>>,
    /// In a version: its first date of service (required there, refused elsewhere).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// In a version: its last date of service (absent: the day before the next version's
    /// `from`, or open-ended for the last). Refused outside a version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    /// Where the policy's rules come from (at most 32). Shared, not copied, by the
    /// policies that extend it; never quoted in a message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(length(max = MAX_SOURCES)))]
    pub sources: Option<Arc<[Source]>>,
    /// What of the policy could not be checked against its sources, in a few sentences
    /// (at most 2000 characters). Shared like `description`; never quoted in a message.
    #[serde(
        default,
        deserialize_with = "shared_text",
        serialize_with = "serialize_shared_text",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "schema", schemars(length(max = 2000)))]
    pub unverified: Option<Arc<str>>,
    /// The first day of the week for authorization limits `per` `week` (default `sunday`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub week_start: Option<Weekday>,
    /// How much of an authorization limit, in percent (1-100, default 80), a line uses up
    /// before `authorization_near_limit` says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 100)))]
    pub authorization_alert_percent: Option<u32>,
    /// The fee schedule: what each unit of a code is paid, by modifiers and dates (at most
    /// [`MAX_FEES`](crate::fees::MAX_FEES) entries; default none). Unlike the maps, a list
    /// given here (by a policy that `extends` another, or by a version) replaces the
    /// inherited list whole. `docs/policies.md`, "Fees".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fees: Option<Vec<Fee>>,
}

/// An element of a session note a policy may require (`documentation_elements`): a field of
/// the encounter's `documentation`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DocumentationElement {
    /// `skills_taught`.
    SkillsTaught,
    /// `participation`.
    Participation,
    /// `progress`.
    Progress,
    /// `techniques`.
    Techniques,
    /// `objectives`.
    Objectives,
    /// `challenges`.
    Challenges,
    /// `adjustments`.
    Adjustments,
}

impl DocumentationElement {
    /// Every element, in the order findings list them.
    pub const ALL: [DocumentationElement; 7] = [
        DocumentationElement::SkillsTaught,
        DocumentationElement::Participation,
        DocumentationElement::Progress,
        DocumentationElement::Techniques,
        DocumentationElement::Objectives,
        DocumentationElement::Challenges,
        DocumentationElement::Adjustments,
    ];

    /// The field name.
    pub const fn as_str(self) -> &'static str {
        match self {
            DocumentationElement::SkillsTaught => "skills_taught",
            DocumentationElement::Participation => "participation",
            DocumentationElement::Progress => "progress",
            DocumentationElement::Techniques => "techniques",
            DocumentationElement::Objectives => "objectives",
            DocumentationElement::Challenges => "challenges",
            DocumentationElement::Adjustments => "adjustments",
        }
    }
}

/// A key of a policy's `documentation_elements` map: `default` (every code no other key
/// matches), `therapy` (every therapy code, 97535 built in) or a code pattern (`"97535"`,
/// `"H*"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DocumentationKey {
    /// Every code no other key matches.
    Default,
    /// Every therapy code (see [`CodeEntry::therapy`](crate::CodeEntry::therapy)).
    Therapy,
    /// The codes a pattern matches.
    Codes(CodePattern),
}

impl fmt::Display for DocumentationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocumentationKey::Default => f.write_str("default"),
            DocumentationKey::Therapy => f.write_str("therapy"),
            DocumentationKey::Codes(pattern) => pattern.fmt(f),
        }
    }
}

impl Serialize for DocumentationKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DocumentationKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        match text.as_ref() {
            "default" => Ok(DocumentationKey::Default),
            "therapy" => Ok(DocumentationKey::Therapy),
            _ => text.parse().map(DocumentationKey::Codes).map_err(|_| {
                serde::de::Error::unknown_variant(&text, &["default", "therapy", "a code pattern"])
            }),
        }
    }
}

/// The session-note elements required when a policy's `documentation_elements` gives no
/// `default` entry: the five the skills-training notes of Oklahoma OAC 317:30-5-248 and NY
/// OPWDD record (`docs/rules.md`, "Session note elements").
pub const DEFAULT_DOCUMENTATION_ELEMENTS: [DocumentationElement; 5] = [
    DocumentationElement::SkillsTaught,
    DocumentationElement::Participation,
    DocumentationElement::Progress,
    DocumentationElement::Techniques,
    DocumentationElement::Objectives,
];

/// The elements required of therapy codes (97535) when a policy's `documentation_elements`
/// gives no `therapy` entry: what a therapy treatment note records against the plan of care
/// (`docs/rules.md`, "Session note elements": Medicare Benefit Policy Manual Ch. 15 §220.3).
pub const DEFAULT_THERAPY_DOCUMENTATION_ELEMENTS: [DocumentationElement; 3] = [
    DocumentationElement::Progress,
    DocumentationElement::Techniques,
    DocumentationElement::Objectives,
];

/// A day of the week, as a policy's `week_start` names it (lowercase English).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    /// Sunday, the default first day of the week.
    #[default]
    Sunday,
    /// Monday (ISO 8601 weeks).
    Monday,
    /// Tuesday.
    Tuesday,
    /// Wednesday.
    Wednesday,
    /// Thursday.
    Thursday,
    /// Friday.
    Friday,
    /// Saturday.
    Saturday,
}

impl Weekday {
    /// The name used in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Weekday::Sunday => "sunday",
            Weekday::Monday => "monday",
            Weekday::Tuesday => "tuesday",
            Weekday::Wednesday => "wednesday",
            Weekday::Thursday => "thursday",
            Weekday::Friday => "friday",
            Weekday::Saturday => "saturday",
        }
    }

    /// Days from Sunday (Sunday 0, Saturday 6).
    pub const fn days_from_sunday(self) -> u32 {
        self as u32
    }
}

impl fmt::Display for Weekday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A public document a policy's rules come from.
///
/// In JSON: `{"url": "https://...", "section": "15.046", "read": "2026-11-28"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Source {
    /// Where the document is (1-500 characters).
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = 500)))]
    pub url: String,
    /// The part of it that states the rule (at most 200 characters; may be empty).
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(length(max = 200)))]
    pub section: String,
    /// When it was last read against the policy (`null`: not re-read; the policy's
    /// `unverified` note says so).
    #[serde(default)]
    pub read: Option<NaiveDate>,
}

/// The most sources a policy may list.
pub const MAX_SOURCES: usize = 32;

/// The dates a policy is in force, both inclusive; an absent end is open.
///
/// In JSON: `{"from": "2024-01-01", "to": null}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Effective {
    /// The first date of service in force (absent: no start).
    #[serde(default)]
    pub from: Option<NaiveDate>,
    /// The last date of service in force (absent: no end).
    #[serde(default)]
    pub to: Option<NaiveDate>,
}

impl Effective {
    /// Whether `date` is within the range.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from.is_none_or(|from| from <= date) && self.to.is_none_or(|to| date <= to)
    }
}

impl PolicySpec {
    /// A policy called `id` that takes every field from the built-in or loaded policy
    /// `base`; set the fields to override afterwards. An empty `id` suits a request's
    /// inline policy, which is then called `inline`.
    ///
    /// ```
    /// use h2024::{Code, Engine, PolicySpec, Request};
    /// use h2024::policy::{RuleName, UnitSpec, UnitsKey};
    /// let mut spec = PolicySpec::extending("ny-style", "medicaid");
    /// let mut whole = UnitSpec::default();
    /// whole.rule = Some(RuleName::Whole);
    /// spec.units = Some([(UnitsKey::Code(Code::H2014), Some(whole))].into());
    /// let engine = Engine::from_policies(vec![spec.clone()])?;
    /// assert_eq!(engine.units("ny-style", Code::H2014, 29), Ok(1));
    /// // The same spec inline, without an id:
    /// spec.id.clear();
    /// let response = Engine::default().evaluate(&Request::new().with_inline_policy(spec));
    /// assert_eq!(response.policy, "inline");
    /// # Ok::<(), h2024::PolicyError>(())
    /// ```
    pub fn extending(id: impl Into<String>, base: impl Into<String>) -> PolicySpec {
        PolicySpec {
            id: id.into(),
            extends: Some(base.into()),
            ..PolicySpec::default()
        }
    }
}

/// When a payer needs a prior authorization (`docs/rules.md`, "Prior authorization":
/// commercial payers authorize repeated or long-term services; Arizona Complete Health
/// authorizes adult H2014/H2017 above 8 units a day).
///
/// In JSON: `"never"`, `"always"`, or `{"above_units_per_day": 8}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PriorAuthorization {
    /// No authorization is needed.
    #[default]
    Never,
    /// Every line needs an authorization.
    Always,
    /// Needed only on days whose units of the code for the patient pass this number.
    AboveUnitsPerDay(u32),
}

/// A payer's electronic visit verification rules (policy field `evv`).
///
/// In JSON: `{"required_codes": ["H2014"], "exempt_settings": ["clinic"],
/// "tolerance_minutes": 0}`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Evv {
    /// The codes whose in-person encounters need an EVV visit (codes of the policy's code
    /// set, each once).
    pub required_codes: Vec<Code>,
    /// Settings where no EVV visit is needed (default none).
    #[serde(default)]
    pub exempt_settings: Vec<Setting>,
    /// Minutes an encounter may start before clock-in or end after clock-out without an
    /// `evv_time_mismatch` (0 to 1440, default 0).
    #[serde(default)]
    pub tolerance_minutes: u32,
}

impl Evv {
    /// EVV for `required_codes`, no setting exempt, no tolerance.
    pub fn new(required_codes: Vec<Code>) -> Evv {
        Evv {
            required_codes,
            ..Evv::default()
        }
    }

    /// Whether an encounter of `code` in `setting` needs a visit (in person: the caller
    /// checks the modality).
    pub fn requires(&self, code: Code, setting: Setting) -> bool {
        self.required_codes.contains(&code) && !self.exempt_settings.contains(&setting)
    }
}

/// Why an entry of an encounter's `other_timed_services` is not counted (finding
/// `other_timed_service_ignored`; `docs/rules.md`, "Other timed services").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum IgnoredBecause {
    /// The policy's `timed_codes` do not list the code.
    NotATimedCode,
    /// The engine bills the code itself (one of the policy's code set, 97535 included):
    /// its minutes come from the encounters, not from a list.
    BilledByTheEngine,
}

/// A policy's override of one code's definition, or the definition of a code of its own.
///
/// For a code the code set does not define, `descriptor`, `unit` and `service` are
/// required; `therapy` defaults to `false`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CodeOverride {
    /// The billing unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Unit>,
    /// The descriptor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub descriptor: Option<String>,
    /// The service the code is billed for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<Service>,
    /// A therapy code (see [`CodeEntry::therapy`](crate::CodeEntry::therapy)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub therapy: Option<bool>,
}

/// The name of a unit rule in a policy's `units` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RuleName {
    /// See [`UnitRule::Midpoint`].
    #[cfg_attr(
        feature = "schema",
        schemars(
            description = "A unit once its midpoint is passed: 8 of 15 minutes, 31 of 60 (AMA CPT time rule)."
        )
    )]
    Midpoint,
    /// See [`UnitRule::Whole`].
    #[cfg_attr(
        feature = "schema",
        schemars(description = "Full units only; the remainder is dropped.")
    )]
    Whole,
    /// See [`UnitRule::Threshold`]; needs `minutes`.
    #[cfg_attr(
        feature = "schema",
        schemars(
            description = "A unit per full unit length, plus one when the remainder reaches `minutes` (required)."
        )
    )]
    Threshold,
    /// See [`UnitRule::Cms8Minute`].
    #[cfg_attr(
        feature = "schema",
        schemars(
            description = "The CMS 8-minute rule: the day's timed minutes pooled across 15-minute timed codes (by `pool`), then allocated per code."
        )
    )]
    #[serde(rename = "cms_8_minute")]
    Cms8Minute,
    /// See [`UnitRule::PerDiem`]; takes `min_minutes`.
    #[cfg_attr(
        feature = "schema",
        schemars(
            description = "One unit per date of service once `min_minutes` (default 120) are documented that day."
        )
    )]
    PerDiem,
    /// See [`UnitRule::RoundUp`].
    #[cfg_attr(
        feature = "schema",
        schemars(
            description = "Every started unit counts: 1-15 minutes of a 15-minute unit earn 1 unit, 16 earn 2."
        )
    )]
    RoundUp,
}

/// One entry of a policy's `units` map.
///
/// In a policy that `extends` another, an entry is merged field by field over the inherited
/// entry of the same key; `minutes` and `min_minutes` belong to their rule and are not
/// inherited when the entry changes the rule. `docs/policies.md`, "Rounding rules", shows
/// each field with an example.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct UnitSpec {
    /// The rounding rule; required once inherited entries are merged in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<RuleName>,
    /// For `threshold`: remainder minutes that earn the last unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u32>,
    /// For `per_diem`: minutes needed in the day (default 120).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_minutes: Option<u32>,
    /// `day` or `session`; a code's entry without it takes the `default` entry's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregate: Option<Aggregation>,
    /// For the timed rules: a session shorter than this many minutes earns no unit and adds
    /// no minutes to its line (`docs/rules.md`, "Minimum session length"); 1 to 1440. A
    /// code's entry without it takes the `default` entry's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_session_minutes: Option<u32>,
    /// Whether a session across midnight bills its minutes on each date of service it
    /// covers (default false: all on the start's date; `docs/rules.md`, "Sessions across
    /// midnight"). A code's entry without it takes the `default` entry's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split_at_midnight: Option<bool>,
    /// For `cms_8_minute`: whose minutes of the day are pooled, `patient` (default) or
    /// `discipline`. Every `cms_8_minute` code of a policy pools the same way. A code's
    /// entry without it takes the `default` entry's when that entry is `cms_8_minute` too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<Pool>,
}

/// How the units of one code are computed and limited under a policy. (The code's
/// definition after the policy's overrides is [`Policy::code_set`]'s entry.)
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CodeRules {
    /// Its unit and rounding rule.
    pub rounding: Rounding,
    /// Whether minutes are summed per day before rounding.
    pub aggregation: Aggregation,
    /// The daily cap, if any.
    pub max_units_per_day: Option<u32>,
    /// Whether the payer pays for the code.
    pub covered: bool,
    /// Sessions shorter than this earn no unit and add no minutes to their line (`None`: no
    /// minimum; always `None` for a per-diem code).
    pub min_session_minutes: Option<u32>,
    /// Whether a session across midnight bills its minutes on each date it covers.
    pub split_at_midnight: bool,
    /// Under `cms_8_minute`, whose minutes of the day are pooled (`Patient` for the other
    /// rules, where it means nothing).
    pub pool: Pool,
}

impl CodeRules {
    /// Whether a session of `minutes` counts toward a line under the minimum session length
    /// (`docs/rules.md`, "Minimum session length").
    pub fn counts_session(&self, minutes: u32) -> bool {
        self.min_session_minutes.is_none_or(|min| minutes >= min)
    }

    /// The units one session of `minutes` earns on its own: none below the minimum session
    /// length, otherwise [`Rounding::units`].
    pub fn session_units(&self, minutes: u32) -> u32 {
        if self.counts_session(minutes) {
            self.rounding.units(minutes)
        } else {
            0
        }
    }
}

/// A resolved, checked payer policy: every inherited field and every default filled in
/// once, when the policy is loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    spec: PolicySpec,
    /// The `from` of the version these rules are, `None` for the policy's own fields.
    version: Option<NaiveDate>,
    code_set: CodeSet,
    /// One per code of `code_set`, in its order.
    codes: Vec<CodeRules>,
    cms_pool: Pool,
    timed_codes: Vec<String>,
    preference: Vec<Code>,
    requires_clock_times: bool,
    telehealth_modifier: Option<Modifier>,
    audio_only_modifier: Option<Modifier>,
    provider_level_modifiers: bool,
    early_intervention_modifier: Option<Modifier>,
    follow_up_modifier: Option<Modifier>,
    group_modifier: Option<Modifier>,
    setting_modifiers: BTreeMap<Setting, Modifier>,
    modifier_order: Vec<Modifier>,
    /// Every modifier with a restriction to some codes (the defaults included).
    modifier_codes: BTreeMap<Modifier, Vec<CodePattern>>,
    modifier_priority: Vec<Modifier>,
    evv: Option<Evv>,
    /// The required note elements by key, most specific first (codes, longer prefixes,
    /// `therapy`, `default`).
    documentation_elements: Vec<(DocumentationKey, Vec<DocumentationElement>)>,
    prior_authorization: PriorAuthorization,
    progress_report_interval_days: Option<u32>,
    excludes_educational: bool,
    early_intervention_max_age_years: u32,
    week_start: Weekday,
    authorization_alert_percent: u32,
    fees: FeeSchedule,
}

impl Policy {
    /// The policy's id.
    pub fn id(&self) -> &str {
        &self.spec.id
    }

    /// The policy with every inherited field filled in (`extends` kept for reference), and
    /// for a version, the version's fields merged in (`versions` left out).
    pub fn spec(&self) -> &PolicySpec {
        &self.spec
    }

    /// Which version of the policy these rules are: the `from` of the version in force
    /// (its own or, for a policy that `extends` another, the latest of its parent's and
    /// its own), `None` for the policy's own fields. Responses report it as
    /// `policy_version`.
    pub fn version(&self) -> Option<NaiveDate> {
        self.version
    }

    /// The dates the policy is in force (`None`: every date).
    pub fn effective(&self) -> Option<Effective> {
        self.spec.effective
    }

    /// Where the policy's rules come from (empty when it names none).
    pub fn sources(&self) -> &[Source] {
        self.spec.sources.as_deref().unwrap_or_default()
    }

    /// What of the policy could not be checked against its sources ("" when it says
    /// nothing).
    pub fn unverified(&self) -> &str {
        self.spec.unverified.as_deref().unwrap_or("")
    }

    /// The policy's description.
    pub fn description(&self) -> &str {
        self.spec.description.as_deref().unwrap_or("")
    }

    /// The code set, with the policy's overrides applied.
    pub fn code_set(&self) -> &CodeSet {
        &self.code_set
    }

    /// How `code` is billed under this policy; `None` for a code its code set does not
    /// define.
    pub fn code(&self, code: Code) -> Option<&CodeRules> {
        self.code_set.position(code).map(|at| &self.codes[at])
    }

    /// How a code of the code set is billed. Callers pass codes taken from the code set.
    pub(crate) fn rules(&self, code: Code) -> &CodeRules {
        let at = self.code_set.position(code).unwrap_or_default();
        &self.codes[at]
    }

    /// The definition of a code of the code set. Callers pass codes taken from the code set.
    pub(crate) fn entry(&self, code: Code) -> &CodeEntry {
        let at = self.code_set.position(code).unwrap_or_default();
        &self.code_set.entries()[at]
    }

    /// Whether the payer pays for `code` (never for a code its code set does not define).
    pub fn covers(&self, code: Code) -> bool {
        self.code(code).is_some_and(|rules| rules.covered)
    }

    /// Whether `code` is a therapy code under this policy (97535 in the built-in code sets;
    /// README, "Your own policies").
    pub fn is_therapy(&self, code: Code) -> bool {
        self.code_set.entry(code).is_some_and(|e| e.therapy)
    }

    /// Whose timed minutes of a day the CMS 8-minute rule pools under this policy (the same
    /// for every `cms_8_minute` code; `Patient` when no code uses the rule).
    pub fn cms_pool(&self) -> Pool {
        self.cms_pool
    }

    /// The other timed services the CMS 8-minute rule counts, in code order.
    pub fn timed_codes(&self) -> &[String] {
        &self.timed_codes
    }

    /// Whether `code`, listed in an encounter's `other_timed_services`, counts toward the
    /// CMS 8-minute total: it must be one of [`Policy::timed_codes`] and not a code the
    /// engine bills itself (`docs/rules.md`, "Other timed services").
    ///
    /// # Errors
    ///
    /// Why the entry is not counted: [`IgnoredBecause::BilledByTheEngine`] for a code of the
    /// policy's code set, [`IgnoredBecause::NotATimedCode`] for one not in `timed_codes`.
    pub fn other_timed_service(&self, code: &str) -> Result<(), IgnoredBecause> {
        if self.models_code(code) {
            Err(IgnoredBecause::BilledByTheEngine)
        } else if self
            .timed_codes
            .binary_search_by(|c| c.as_str().cmp(code))
            .is_err()
        {
            Err(IgnoredBecause::NotATimedCode)
        } else {
            Ok(())
        }
    }

    /// Whether the engine bills `code` itself: a code of the policy's code set.
    pub fn models_code(&self, code: &str) -> bool {
        self.code_set
            .entries()
            .iter()
            .any(|entry| entry.code.as_str() == code)
    }

    /// Every code of the code set in tie-break order: the policy's preference first.
    pub fn preference(&self) -> &[Code] {
        &self.preference
    }

    /// Whether sessions need exact start and end times.
    pub fn requires_clock_times(&self) -> bool {
        self.requires_clock_times
    }

    /// The audio-video telehealth modifier.
    pub fn telehealth_modifier(&self) -> Option<Modifier> {
        self.telehealth_modifier
    }

    /// The audio-only modifier; `None` means audio-only is not covered.
    pub fn audio_only_modifier(&self) -> Option<Modifier> {
        self.audio_only_modifier
    }

    /// Whether H-codes carry HP/HO/HN/HM.
    pub fn provider_level_modifiers(&self) -> bool {
        self.provider_level_modifiers
    }

    /// The early-intervention modifier.
    pub fn early_intervention_modifier(&self) -> Option<Modifier> {
        self.early_intervention_modifier
    }

    /// The follow-up modifier.
    pub fn follow_up_modifier(&self) -> Option<Modifier> {
        self.follow_up_modifier
    }

    /// The group modifier.
    pub fn group_modifier(&self) -> Option<Modifier> {
        self.group_modifier
    }

    /// The state-defined modifier for a setting.
    pub fn setting_modifier(&self, setting: Setting) -> Option<Modifier> {
        self.setting_modifiers.get(&setting).copied()
    }

    /// The payer's modifier order (may be empty: default order).
    pub fn modifier_order(&self) -> &[Modifier] {
        &self.modifier_order
    }

    /// The codes `modifier` goes on when the policy derives it, or `None` for every code
    /// (`modifier_codes` and its defaults).
    pub fn modifier_codes(&self, modifier: Modifier) -> Option<&[CodePattern]> {
        self.modifier_codes.get(&modifier).map(Vec::as_slice)
    }

    /// Whether the policy puts `modifier` on a line of `code`, when the session calls for it
    /// (`docs/rules.md`, "Modifiers by code family").
    pub fn modifier_applies(&self, modifier: Modifier, code: Code) -> bool {
        self.modifier_codes(modifier)
            .is_none_or(|patterns| patterns.iter().any(|p| p.matches(code)))
    }

    /// The payer's modifier priority (may be empty: default priority).
    pub fn modifier_priority(&self) -> &[Modifier] {
        &self.modifier_priority
    }

    /// The payer's electronic visit verification rules, if it checks EVV.
    pub fn evv(&self) -> Option<&Evv> {
        self.evv.as_ref()
    }

    /// The session-note elements required for `code` (`documentation_elements`): those of
    /// the most specific key that matches it.
    pub fn documentation_elements(&self, code: Code) -> &[DocumentationElement] {
        let therapy = self.is_therapy(code);
        self.documentation_elements
            .iter()
            .find(|(key, _)| match key {
                DocumentationKey::Codes(pattern) => pattern.matches(code),
                DocumentationKey::Therapy => therapy,
                DocumentationKey::Default => true,
            })
            .map_or(&[], |(_, elements)| elements.as_slice())
    }

    /// When a prior authorization is needed.
    pub fn prior_authorization(&self) -> PriorAuthorization {
        self.prior_authorization
    }

    /// Days a progress report stays current, if the payer sets an interval.
    pub fn progress_report_interval_days(&self) -> Option<u32> {
        self.progress_report_interval_days
    }

    /// Whether primarily educational sessions are excluded.
    pub fn excludes_educational(&self) -> bool {
        self.excludes_educational
    }

    /// The age (in whole years, on the date of service) from which early intervention no
    /// longer applies.
    pub fn early_intervention_max_age_years(&self) -> u32 {
        self.early_intervention_max_age_years
    }

    /// The first day of the week for authorization limits per week.
    pub fn week_start(&self) -> Weekday {
        self.week_start
    }

    /// The share of an authorization limit, in percent (1-100), whose use raises
    /// `authorization_near_limit`.
    pub fn authorization_alert_percent(&self) -> u32 {
        self.authorization_alert_percent
    }

    /// The fee schedule as listed (empty when the policy gives none).
    pub fn fees(&self) -> &[Fee] {
        self.fees.entries()
    }

    /// The fee for a line of `code` with `modifiers` on `date`: among the entries that
    /// match (same code, every modifier of the entry on the line, the date in its range),
    /// the one listing the most modifiers, then the latest `from`, then the one listed
    /// first. `None` when none matches.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use h2024::{Code, Engine, Modifier};
    /// let engine = Engine::from_policies_json(r#"[{"id": "me", "extends": "medicaid", "fees": [
    ///   {"code": "H2014", "cents_per_unit": 1244, "from": "2019-07-01"},
    ///   {"code": "H2014", "modifiers": ["HQ"], "cents_per_unit": 311, "from": "2019-07-01"}]}]"#)?;
    /// let policy = engine.policy("me").unwrap();
    /// let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    /// let fee = |mods: &[Modifier]| policy.fee(Code::H2014, mods, day).map(|f| f.cents_per_unit);
    /// assert_eq!(fee(&[Modifier::HO]), Some(1244));
    /// assert_eq!(fee(&[Modifier::HO, Modifier::HQ]), Some(311));
    /// assert_eq!(policy.fee(Code::H2017, &[], day), None);
    /// # Ok::<(), h2024::PolicyError>(())
    /// ```
    pub fn fee(&self, code: Code, modifiers: &[Modifier], date: NaiveDate) -> Option<&Fee> {
        self.fees.find(code, modifiers, date)
    }

    /// The built-in policies, resolved.
    pub fn builtins() -> Vec<Policy> {
        let mut out: Vec<Policy> = Vec::with_capacity(BUILTIN_POLICY_JSON.len());
        for (id, json) in BUILTIN_POLICY_JSON {
            let spec: PolicySpec = match crate::strict::from_str(json) {
                Ok(spec) => spec,
                // The built-in files are checked by tests; an edit that breaks one fails them.
                Err(e) => panic!(
                    "built-in policy {id} does not parse at `{}`: {}",
                    e.path, e.message
                ),
            };
            match resolve(spec, &|_| None) {
                Ok(policy) => out.push(policy.base().clone()),
                Err(e) => panic!("built-in policy {id} is invalid: {e}"),
            }
        }
        out
    }
}

/// The most versions one policy may list.
pub const MAX_VERSIONS: usize = 256;

/// A policy with its dated versions: which rules are in force on each date of service.
///
/// Resolved once, when the policy is loaded: one [`Policy`] for the policy's own fields and
/// one per stretch of dates where a version (its own or its parent's) is in force. The
/// stretches are sorted and cover every date; a lookup is a binary search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DatedPolicy {
    /// The policy's own fields (no version).
    base: Arc<Policy>,
    /// From which date each stretch holds (`None`: from the beginning), sorted, and the
    /// rules in force then.
    stretches: Vec<(Option<NaiveDate>, Arc<Policy>)>,
}

/// Which rules of a [`DatedPolicy`] an item is evaluated under: a stretch's position
/// (monotonic in date), or the policy's own fields for an item without a date.
pub(crate) type Stretch = u32;

/// The [`Stretch`] of an item without a date of service.
pub(crate) const UNDATED: Stretch = Stretch::MAX;

impl DatedPolicy {
    /// A policy without versions.
    pub(crate) fn undated(policy: Policy) -> DatedPolicy {
        let base = Arc::new(policy);
        DatedPolicy {
            stretches: vec![(None, Arc::clone(&base))],
            base,
        }
    }

    /// The policy's own fields.
    pub(crate) fn base(&self) -> &Policy {
        &self.base
    }

    /// The stretch in force on `date` and its rules, or `None` when the policy is not in
    /// effect on that date.
    pub(crate) fn on(&self, date: NaiveDate) -> Option<(Stretch, &Policy)> {
        if !self.base.effective().is_none_or(|e| e.contains(date)) {
            return None;
        }
        let after = self
            .stretches
            .partition_point(|(from, _)| from.is_none_or(|f| f <= date));
        let at = after.checked_sub(1)?;
        Some((Stretch::try_from(at).ok()?, &self.stretches[at].1))
    }

    /// Each date from which the rules change (`None`: from the beginning), in date order,
    /// with the rules in force from then.
    pub(crate) fn stretches(&self) -> impl Iterator<Item = (Option<NaiveDate>, &Policy)> {
        self.stretches
            .iter()
            .map(|(from, policy)| (*from, &**policy))
    }

    /// The rules of a stretch ([`UNDATED`]: the policy's own fields).
    pub(crate) fn get(&self, stretch: Stretch) -> &Policy {
        self.stretches
            .get(stretch as usize)
            .map_or(&self.base, |(_, p)| p)
    }
}

/// A version's dates, checked: from `from` to `end` (inclusive; `None`: open).
struct VersionSpan {
    from: NaiveDate,
    end: Option<NaiveDate>,
}

/// Checks the dates of `versions` and where each ends.
fn version_spans(versions: &[PolicySpec]) -> Result<Vec<VersionSpan>, PolicyError> {
    if versions.len() > MAX_VERSIONS {
        return Err(invalid(
            "versions",
            format!("at most {MAX_VERSIONS} versions"),
        ));
    }
    let mut spans: Vec<VersionSpan> = Vec::with_capacity(versions.len());
    for (i, v) in versions.iter().enumerate() {
        let at = |field: &str| format!("versions[{i}].{field}");
        let only_policy = "a version may not set it (only the policy itself)";
        if !v.id.is_empty() {
            return Err(invalid(at("id"), only_policy));
        }
        if v.extends.is_some() {
            return Err(invalid(at("extends"), only_policy));
        }
        if v.effective.is_some() {
            return Err(invalid(at("effective"), only_policy));
        }
        if v.versions.is_some() {
            return Err(invalid(at("versions"), only_policy));
        }
        let from = v.from.ok_or_else(|| {
            PolicyError::new(
                PolicyErrorKind::MissingField,
                at("from"),
                "every version needs the date it starts",
            )
        })?;
        if v.to.is_some_and(|to| to < from) {
            return Err(invalid(at("to"), "before the version's `from`"));
        }
        if let Some(prev) = spans.last_mut() {
            if from <= prev.from {
                return Err(invalid(
                    at("from"),
                    "versions must be listed in date order, each starting after the previous",
                ));
            }
            match prev.end {
                Some(end) if end >= from => {
                    return Err(invalid(at("from"), "overlaps the previous version"));
                }
                Some(_) => {}
                None => prev.end = from.pred_opt(),
            }
        }
        spans.push(VersionSpan { from, end: v.to });
    }
    Ok(spans)
}

/// Resolves `spec` against its base (looked up with `base_of`) and checks it, with its
/// versions.
///
/// Paths in errors are relative to the spec (`units.H2014.rule`, `versions[1].from`).
pub(crate) fn resolve(
    mut spec: PolicySpec,
    base_of: &dyn Fn(&str) -> Option<DatedPolicy>,
) -> Result<DatedPolicy, PolicyError> {
    check_id(&spec.id)?;
    for (field, set) in [("from", spec.from.is_some()), ("to", spec.to.is_some())] {
        if set {
            return Err(invalid(
                field,
                "only a version has dates; the policy's own are `effective`",
            ));
        }
    }
    if let Some(Effective {
        from: Some(from),
        to: Some(to),
    }) = spec.effective
    {
        if to < from {
            return Err(invalid("effective.to", "before `effective.from`"));
        }
    }
    let versions = spec.versions.take().unwrap_or_default();
    let spans = version_spans(&versions)?;
    let parent = match &spec.extends {
        None => None,
        Some(base_id) => Some(base_of(base_id).ok_or_else(|| {
            PolicyError::new(
                PolicyErrorKind::UnknownBase,
                "extends",
                "names no built-in or earlier policy",
            )
        })?),
    };
    let own = spec.clone();
    let flat = |under: Option<&Policy>, version: Option<usize>| -> PolicySpec {
        let mut merged = match under {
            Some(parent) => merge(parent.spec().clone(), own.clone()),
            None => own.clone(),
        };
        if let Some(i) = version {
            let mut v = versions[i].clone();
            v.id.clone_from(&merged.id);
            v.extends.clone_from(&merged.extends);
            v.effective = merged.effective;
            merged = merge(merged, v);
        }
        merged.from = None;
        merged.to = None;
        merged
    };
    let base = Arc::new(build(flat(parent.as_ref().map(DatedPolicy::base), None))?);

    // Every date where the rules may change: the parent's stretches and the versions'
    // starts and the days after their ends.
    let mut starts: Vec<NaiveDate> = Vec::new();
    if let Some(p) = &parent {
        starts.extend(p.stretches.iter().filter_map(|(from, _)| *from));
    }
    for span in &spans {
        starts.push(span.from);
        starts.extend(span.end.and_then(|e| e.succ_opt()));
    }
    starts.sort_unstable();
    starts.dedup();

    let mut stretches: Vec<(Option<NaiveDate>, Arc<Policy>)> = vec![(None, Arc::clone(&base))];
    for from in starts {
        let under = parent.as_ref().map(|p| {
            let after = p
                .stretches
                .partition_point(|(f, _)| f.is_none_or(|f| f <= from));
            &*p.stretches[after.saturating_sub(1)].1
        });
        let mine = spans
            .iter()
            .position(|s| s.from <= from && s.end.is_none_or(|e| from <= e));
        let label = match (under.and_then(Policy::version), mine.map(|i| spans[i].from)) {
            (None, None) => None,
            (a, b) => a.max(b),
        };
        let rules = match label {
            None => Arc::clone(&base),
            Some(label) => {
                let at = mine.map(|i| format!("versions[{i}]"));
                let mut policy = build(flat(under, mine)).map_err(|e| match &at {
                    Some(at) => e.prefixed(at),
                    None => e,
                })?;
                policy.version = Some(label);
                Arc::new(policy)
            }
        };
        stretches.push((Some(from), rules));
    }
    Ok(DatedPolicy { base, stretches })
}

/// Whether `id` is a well-formed policy id: 1-64 ASCII letters, digits, `_`, `-` or `.`.
pub(crate) fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

fn check_id(id: &str) -> Result<(), PolicyError> {
    if is_valid_id(id) {
        Ok(())
    } else {
        Err(PolicyError::new(
            PolicyErrorKind::InvalidValue,
            "id",
            "must be 1-64 letters, digits, '_', '-' or '.'",
        ))
    }
}

/// Merges a map field: each entry of `over` replaces (`null`: removes) the inherited entry
/// of the same key, merged with it by `merge_entry` when both exist.
fn merge_map<K: Ord, V>(
    base: Option<BTreeMap<K, Option<V>>>,
    over: Option<BTreeMap<K, Option<V>>>,
    merge_entry: fn(V, V) -> V,
) -> Option<BTreeMap<K, Option<V>>> {
    let Some(over) = over else { return base };
    let mut map = base.unwrap_or_default();
    for (key, value) in over {
        match value {
            Some(v) => {
                let merged = match map.remove(&key) {
                    Some(Some(inherited)) => merge_entry(inherited, v),
                    _ => v,
                };
                map.insert(key, Some(merged));
            }
            None => {
                map.remove(&key);
            }
        }
    }
    Some(map)
}

fn replace<V>(_inherited: V, over: V) -> V {
    over
}

/// A `codes` entry over the inherited one: field by field.
fn merge_code(base: CodeOverride, over: CodeOverride) -> CodeOverride {
    CodeOverride {
        unit: over.unit.or(base.unit),
        descriptor: over.descriptor.or(base.descriptor),
        service: over.service.or(base.service),
        therapy: over.therapy.or(base.therapy),
    }
}

/// A `units` entry over the inherited one: field by field, except that a rule's parameters
/// (`minutes`, `min_minutes`) are inherited only while the rule stays the same.
fn merge_unit(base: UnitSpec, over: UnitSpec) -> UnitSpec {
    let same_rule = over.rule.is_none() || over.rule == base.rule;
    let inherit = |value: Option<u32>| if same_rule { value } else { None };
    UnitSpec {
        rule: over.rule.or(base.rule),
        minutes: over.minutes.or(inherit(base.minutes)),
        min_minutes: over.min_minutes.or(inherit(base.min_minutes)),
        aggregate: over.aggregate.or(base.aggregate),
        // A session minimum means nothing to a per-diem rule: not carried into one.
        min_session_minutes: over.min_session_minutes.or(
            if over.rule == Some(RuleName::PerDiem) && !same_rule {
                None
            } else {
                base.min_session_minutes
            },
        ),
        split_at_midnight: over.split_at_midnight.or(base.split_at_midnight),
        pool: over.pool.or(if same_rule { base.pool } else { None }),
    }
}

fn merge(base: PolicySpec, over: PolicySpec) -> PolicySpec {
    PolicySpec {
        id: over.id,
        extends: over.extends,
        description: over.description.or(base.description),
        code_set: over.code_set.or(base.code_set),
        codes: merge_map(base.codes, over.codes, merge_code),
        covered_codes: over.covered_codes.or(base.covered_codes),
        units: merge_map(base.units, over.units, merge_unit),
        timed_codes: over.timed_codes.or(base.timed_codes),
        max_units_per_day: merge_map(base.max_units_per_day, over.max_units_per_day, replace),
        code_preference: over.code_preference.or(base.code_preference),
        requires_clock_times: over.requires_clock_times.or(base.requires_clock_times),
        telehealth_modifier: over.telehealth_modifier.or(base.telehealth_modifier),
        audio_only_modifier: over.audio_only_modifier.or(base.audio_only_modifier),
        provider_level_modifiers: over
            .provider_level_modifiers
            .or(base.provider_level_modifiers),
        early_intervention_modifier: over
            .early_intervention_modifier
            .or(base.early_intervention_modifier),
        follow_up_modifier: over.follow_up_modifier.or(base.follow_up_modifier),
        group_modifier: over.group_modifier.or(base.group_modifier),
        setting_modifiers: merge_map(base.setting_modifiers, over.setting_modifiers, replace),
        modifier_order: over.modifier_order.or(base.modifier_order),
        modifier_codes: merge_map(base.modifier_codes, over.modifier_codes, replace),
        modifier_priority: over.modifier_priority.or(base.modifier_priority),
        evv: over.evv.or(base.evv),
        documentation_elements: merge_map(
            base.documentation_elements,
            over.documentation_elements,
            replace,
        ),
        prior_authorization: over.prior_authorization.or(base.prior_authorization),
        progress_report_interval_days: over
            .progress_report_interval_days
            .or(base.progress_report_interval_days),
        excludes_educational: over.excludes_educational.or(base.excludes_educational),
        early_intervention_max_age_years: over
            .early_intervention_max_age_years
            .or(base.early_intervention_max_age_years),
        effective: over.effective.or(base.effective),
        // A parent's versions are applied by date (`resolve`), never copied.
        versions: over.versions,
        from: over.from,
        to: over.to,
        sources: over.sources.or(base.sources),
        unverified: over.unverified.or(base.unverified),
        week_start: over.week_start.or(base.week_start),
        authorization_alert_percent: over
            .authorization_alert_percent
            .or(base.authorization_alert_percent),
        fees: over.fees.or(base.fees),
    }
}

fn invalid(path: impl Into<String>, message: impl Into<String>) -> PolicyError {
    PolicyError::new(PolicyErrorKind::InvalidValue, path, message)
}

fn required<T: Clone>(value: &Option<T>, field: &str) -> Result<T, PolicyError> {
    value.clone().ok_or_else(|| {
        PolicyError::new(
            PolicyErrorKind::MissingField,
            field,
            "required in a policy without `extends`",
        )
    })
}

/// A modifier field: required (`null` for none) and of one of the `allowed` groups.
fn check_modifier(
    value: Option<Option<Modifier>>,
    field: &str,
    allowed: &[ModifierGroup],
    what: &str,
) -> Result<Option<Modifier>, PolicyError> {
    match value {
        None => Err(PolicyError::new(
            PolicyErrorKind::MissingField,
            field,
            "required in a policy without `extends` (null for none)",
        )),
        Some(Some(m)) if !allowed.contains(&m.group()) => {
            Err(invalid(field, format!("must be {what}")))
        }
        Some(m) => Ok(m),
    }
}

fn no_duplicates<T: PartialEq>(items: &[T], field: &str) -> Result<(), PolicyError> {
    for (i, item) in items.iter().enumerate() {
        if items[..i].contains(item) {
            return Err(invalid(format!("{field}[{i}]"), "listed twice"));
        }
    }
    Ok(())
}

/// Checks a merged spec and fills in every default: the [`Policy`] holds plain values.
fn build(spec: PolicySpec) -> Result<Policy, PolicyError> {
    use ModifierGroup as G;
    let code_set_id = required(&spec.code_set, "code_set")?;
    let covered = required(&spec.covered_codes, "covered_codes")?;
    no_duplicates(&covered, "covered_codes")?;
    let preference = required(&spec.code_preference, "code_preference")?;
    no_duplicates(&preference, "code_preference")?;
    let requires_clock_times = required(&spec.requires_clock_times, "requires_clock_times")?;
    let provider_level_modifiers =
        required(&spec.provider_level_modifiers, "provider_level_modifiers")?;
    let telehealth_modifier = check_modifier(
        spec.telehealth_modifier,
        "telehealth_modifier",
        &[G::Telehealth],
        "GT or 95",
    )?;
    if telehealth_modifier.is_some_and(|m| !matches!(m, Modifier::GT | Modifier::M95)) {
        return Err(invalid("telehealth_modifier", "must be GT or 95"));
    }
    let audio_only_modifier = check_modifier(
        spec.audio_only_modifier,
        "audio_only_modifier",
        &[G::Telehealth],
        "93 or FQ",
    )?;
    if audio_only_modifier.is_some_and(|m| !matches!(m, Modifier::M93 | Modifier::FQ)) {
        return Err(invalid("audio_only_modifier", "must be 93 or FQ"));
    }
    let early_intervention_modifier = check_modifier(
        spec.early_intervention_modifier,
        "early_intervention_modifier",
        &[G::EarlyIntervention, G::StateDefined],
        "TL or a state-defined U-modifier",
    )?;
    let follow_up_modifier = check_modifier(
        spec.follow_up_modifier,
        "follow_up_modifier",
        &[G::FollowUp, G::StateDefined],
        "TS or a state-defined U-modifier",
    )?;
    let group_modifier = check_modifier(
        spec.group_modifier,
        "group_modifier",
        &[G::Group, G::StateDefined],
        "HQ or a state-defined U-modifier",
    )?;
    let mut setting_modifiers = BTreeMap::new();
    for (&setting, &modifier) in spec.setting_modifiers.iter().flatten() {
        let Some(modifier) = modifier else { continue };
        if modifier.group() != G::StateDefined {
            return Err(invalid(
                format!("setting_modifiers.{}", setting.as_str()),
                "must be a state-defined U-modifier (U1-UD)",
            ));
        }
        setting_modifiers.insert(setting, modifier);
    }
    let modifier_order = spec.modifier_order.clone().unwrap_or_default();
    no_duplicates(&modifier_order, "modifier_order")?;
    let modifier_priority = spec.modifier_priority.clone().unwrap_or_default();
    no_duplicates(&modifier_priority, "modifier_priority")?;
    let modifier_codes = modifier_codes(&spec)?;
    let documentation_elements = documentation_elements(&spec)?;
    let evv = spec.evv.clone().flatten();
    let prior_authorization = spec.prior_authorization.unwrap_or_default();
    if prior_authorization == PriorAuthorization::AboveUnitsPerDay(0) {
        return Err(invalid(
            "prior_authorization.above_units_per_day",
            "must be at least 1 (use \"always\" to require an authorization for every line)",
        ));
    }
    let progress_report_interval_days = spec.progress_report_interval_days.flatten();
    if progress_report_interval_days == Some(0) {
        return Err(invalid(
            "progress_report_interval_days",
            "must be at least 1 day, or null for no interval",
        ));
    }
    let early_intervention_max_age_years = spec
        .early_intervention_max_age_years
        .unwrap_or(DEFAULT_EARLY_INTERVENTION_MAX_AGE_YEARS);
    if early_intervention_max_age_years == 0 || early_intervention_max_age_years > 21 {
        return Err(invalid(
            "early_intervention_max_age_years",
            "must be between 1 and 21",
        ));
    }
    let week_start = spec.week_start.unwrap_or_default();
    let authorization_alert_percent = spec
        .authorization_alert_percent
        .unwrap_or(DEFAULT_AUTHORIZATION_ALERT_PERCENT);
    if !(1..=100).contains(&authorization_alert_percent) {
        return Err(invalid(
            "authorization_alert_percent",
            "must be between 1 and 100",
        ));
    }

    let mut code_set = CodeSet::builtin(code_set_id);
    apply_code_overrides(&spec, &mut code_set)?;
    let codes = code_rules(&spec, &mut code_set, &covered)?;
    let cms_pool = cms_pool(&code_set, &codes)?;
    let timed_codes = timed_codes(&spec, &code_set)?;

    for (field, list) in [
        ("covered_codes", &covered),
        ("code_preference", &preference),
    ] {
        if let Some(i) = list.iter().position(|&c| !code_set.contains(c)) {
            return Err(invalid(
                format!("{field}[{i}]"),
                "names a code the policy's code set does not define",
            ));
        }
    }
    let mut full_preference = preference.clone();
    full_preference.extend(code_set.codes().filter(|c| !preference.contains(c)));
    let excludes_educational = spec.excludes_educational.unwrap_or(false);
    check_sources(&spec)?;
    let fees = FeeSchedule::new(spec.fees.as_deref().unwrap_or_default())?;
    if let Some(evv) = &evv {
        check_evv(evv, &code_set)?;
    }

    Ok(Policy {
        spec,
        version: None,
        code_set,
        codes,
        cms_pool,
        timed_codes,
        preference: full_preference,
        requires_clock_times,
        telehealth_modifier,
        audio_only_modifier,
        provider_level_modifiers,
        early_intervention_modifier,
        follow_up_modifier,
        group_modifier,
        setting_modifiers,
        modifier_order,
        modifier_codes,
        modifier_priority,
        evv,
        documentation_elements,
        prior_authorization,
        progress_report_interval_days,
        excludes_educational,
        early_intervention_max_age_years,
        week_start,
        authorization_alert_percent,
        fees,
    })
}

/// The policy's `modifier_codes` over [`DEFAULT_MODIFIER_CODES`]: each entry replaces the
/// default of its modifier; lists hold at most [`MAX_CODES`] distinct patterns.
fn modifier_codes(spec: &PolicySpec) -> Result<BTreeMap<Modifier, Vec<CodePattern>>, PolicyError> {
    let mut map: BTreeMap<Modifier, Vec<CodePattern>> = BTreeMap::new();
    for (modifier, patterns) in DEFAULT_MODIFIER_CODES {
        let patterns = patterns.iter().filter_map(|p| p.parse().ok()).collect();
        map.insert(modifier, patterns);
    }
    for (&modifier, patterns) in spec.modifier_codes.iter().flatten() {
        let Some(patterns) = patterns else { continue };
        let path = format!("modifier_codes.{modifier}");
        if patterns.len() > MAX_CODES {
            return Err(invalid(path, format!("at most {MAX_CODES} patterns")));
        }
        no_duplicates(patterns, &path)?;
        map.insert(modifier, patterns.clone());
    }
    Ok(map)
}

/// The policy's `documentation_elements` with the defaults of `default` and `therapy`,
/// most specific key first.
fn documentation_elements(
    spec: &PolicySpec,
) -> Result<Vec<(DocumentationKey, Vec<DocumentationElement>)>, PolicyError> {
    let mut map: BTreeMap<DocumentationKey, Vec<DocumentationElement>> = BTreeMap::new();
    map.insert(
        DocumentationKey::Default,
        DEFAULT_DOCUMENTATION_ELEMENTS.to_vec(),
    );
    map.insert(
        DocumentationKey::Therapy,
        DEFAULT_THERAPY_DOCUMENTATION_ELEMENTS.to_vec(),
    );
    let given = spec.documentation_elements.iter().flatten();
    if given.clone().count() > MAX_CODES + 2 {
        return Err(invalid(
            "documentation_elements",
            format!("at most {} keys", MAX_CODES + 2),
        ));
    }
    for (&key, elements) in given {
        let Some(elements) = elements else { continue };
        no_duplicates(elements, &format!("documentation_elements.{key}"))?;
        map.insert(key, elements.clone());
    }
    let mut out: Vec<(DocumentationKey, Vec<DocumentationElement>)> = map.into_iter().collect();
    let rank = |key: &DocumentationKey| match key {
        DocumentationKey::Codes(pattern) => std::cmp::Reverse(pattern.specificity() + 2),
        DocumentationKey::Therapy => std::cmp::Reverse(1),
        DocumentationKey::Default => std::cmp::Reverse(0),
    };
    out.sort_by_key(|(key, _)| rank(key));
    Ok(out)
}

/// Checks the policy's `evv`: required codes of the code set, each once; exempt settings
/// each once; a tolerance of at most a day.
fn check_evv(evv: &Evv, code_set: &CodeSet) -> Result<(), PolicyError> {
    no_duplicates(&evv.required_codes, "evv.required_codes")?;
    if let Some(i) = evv
        .required_codes
        .iter()
        .position(|&c| !code_set.contains(c))
    {
        return Err(invalid(
            format!("evv.required_codes[{i}]"),
            "names a code the policy's code set does not define",
        ));
    }
    no_duplicates(&evv.exempt_settings, "evv.exempt_settings")?;
    if evv.tolerance_minutes > MAX_SESSION_MINUTES {
        return Err(invalid(
            "evv.tolerance_minutes",
            format!("must be between 0 and {MAX_SESSION_MINUTES}"),
        ));
    }
    Ok(())
}

/// Checks the sizes of the policy's `sources` and `unverified` note.
fn check_sources(spec: &PolicySpec) -> Result<(), PolicyError> {
    if let Some(note) = &spec.unverified {
        if note.chars().count() > 2000 {
            return Err(invalid("unverified", "at most 2000 characters"));
        }
    }
    let Some(sources) = &spec.sources else {
        return Ok(());
    };
    if sources.len() > MAX_SOURCES {
        return Err(invalid("sources", format!("at most {MAX_SOURCES} sources")));
    }
    for (i, source) in sources.iter().enumerate() {
        let url = source.url.chars().count();
        if url == 0 || url > 500 {
            return Err(invalid(
                format!("sources[{i}].url"),
                "must be 1-500 characters",
            ));
        }
        if source.section.chars().count() > 200 {
            return Err(invalid(
                format!("sources[{i}].section"),
                "at most 200 characters",
            ));
        }
    }
    Ok(())
}

/// The one pool of the policy's `cms_8_minute` codes (`docs/rules.md`, "CMS 8-minute rule":
/// the day's pool holds every timed code, so the codes cannot pool differently).
fn cms_pool(code_set: &CodeSet, codes: &[CodeRules]) -> Result<Pool, PolicyError> {
    let mut pools = code_set
        .codes()
        .zip(codes)
        .filter(|(_, rules)| rules.rounding.rule() == UnitRule::Cms8Minute);
    let Some((_, first)) = pools.next() else {
        return Ok(Pool::Patient);
    };
    match pools.find(|(_, rules)| rules.pool != first.pool) {
        Some((code, _)) => Err(invalid(
            format!("units.{code}.pool"),
            "every cms_8_minute code of a policy pools the same way",
        )),
        None => Ok(first.pool),
    }
}

/// The policy's `timed_codes`, checked and sorted: five-character codes (a digit or a
/// letter, then four digits), listed once, none billed by the engine itself.
fn timed_codes(spec: &PolicySpec, code_set: &CodeSet) -> Result<Vec<String>, PolicyError> {
    let Some(listed) = &spec.timed_codes else {
        return Ok(DEFAULT_TIMED_CODES.iter().map(|&c| c.to_owned()).collect());
    };
    if listed.len() > MAX_TIMED_CODES {
        return Err(invalid(
            "timed_codes",
            format!("lists at most {MAX_TIMED_CODES} codes"),
        ));
    }
    for (i, code) in listed.iter().enumerate() {
        let well_formed = code.len() == 5
            && code.bytes().all(|b| b.is_ascii_alphanumeric())
            && code.bytes().skip(1).all(|b| b.is_ascii_digit());
        if !well_formed {
            return Err(invalid(
                format!("timed_codes[{i}]"),
                "must be a five-character CPT or HCPCS code",
            ));
        }
        if code_set.entries().iter().any(|e| e.code.as_str() == code) {
            return Err(invalid(
                format!("timed_codes[{i}]"),
                "the engine bills this code itself; list only other timed services",
            ));
        }
    }
    no_duplicates(listed, "timed_codes")?;
    let mut sorted = listed.clone();
    sorted.sort_unstable();
    Ok(sorted)
}

/// The code definitions after the policy's `codes` overrides, its own codes added.
fn apply_code_overrides(spec: &PolicySpec, code_set: &mut CodeSet) -> Result<(), PolicyError> {
    for (&code, over) in spec.codes.iter().flatten() {
        let Some(over) = over else { continue };
        if !code_set.contains(code) {
            if code_set.entries().len() >= MAX_CODES {
                return Err(invalid(
                    "codes",
                    format!("a code set holds at most {MAX_CODES} codes"),
                ));
            }
            let need = |present: bool, field: &str| {
                if present {
                    Ok(())
                } else {
                    Err(PolicyError::new(
                        PolicyErrorKind::MissingField,
                        format!("codes.{code}.{field}"),
                        "required for a code the code set does not define",
                    ))
                }
            };
            need(over.descriptor.is_some(), "descriptor")?;
            need(over.unit.is_some(), "unit")?;
            need(over.service.is_some(), "service")?;
            // Placeholders, replaced below by the checked values.
            code_set.push(CodeEntry::new(
                code,
                String::new(),
                Unit::PerDiem,
                Service::SkillsTraining,
            ));
        }
        let Some(entry) = code_set.entry_mut(code) else {
            continue;
        };
        if let Some(unit) = over.unit {
            if let Unit::Minutes(m) = unit {
                if m == 0 || m > 1440 {
                    return Err(invalid(
                        format!("codes.{code}.unit.minutes"),
                        "must be between 1 and 1440",
                    ));
                }
            }
            entry.unit = unit;
        }
        if let Some(descriptor) = &over.descriptor {
            if descriptor.is_empty() || descriptor.len() > 200 {
                return Err(invalid(
                    format!("codes.{code}.descriptor"),
                    "must be 1-200 characters",
                ));
            }
            entry.descriptor.clone_from(descriptor);
        }
        if let Some(service) = over.service {
            if matches!(service, Service::Psychotherapy | Service::CaseManagement) {
                return Err(invalid(
                    format!("codes.{code}.service"),
                    "psychotherapy and case management are outside this code family",
                ));
            }
            entry.service = service;
        }
        if let Some(therapy) = over.therapy {
            entry.therapy = therapy;
        }
    }
    Ok(())
}

/// Each code's rounding, aggregation, cap and coverage; an explicit `per_diem` rule makes
/// a timed code a per-diem code in `code_set`.
fn code_rules(
    spec: &PolicySpec,
    code_set: &mut CodeSet,
    covered: &[Code],
) -> Result<Vec<CodeRules>, PolicyError> {
    let units = required(&spec.units, "units")?;
    let default = units
        .get(&UnitsKey::Default)
        .copied()
        .flatten()
        .ok_or_else(|| {
            PolicyError::new(
                PolicyErrorKind::MissingField,
                "units.default",
                "the default unit rule is required",
            )
        })?;
    let default_aggregate = default.aggregate.unwrap_or_default();
    for (key, path) in [
        (
            units.keys().find_map(|k| match k {
                UnitsKey::Code(c) if !code_set.contains(*c) => Some(*c),
                _ => None,
            }),
            "units",
        ),
        (
            spec.max_units_per_day
                .iter()
                .flatten()
                .map(|(c, _)| *c)
                .find(|c| !code_set.contains(*c)),
            "max_units_per_day",
        ),
    ] {
        if key.is_some() {
            return Err(invalid(
                path,
                "names a code the policy's code set does not define",
            ));
        }
    }
    let codes: Vec<Code> = code_set.codes().collect();
    let mut rules: Vec<CodeRules> = Vec::with_capacity(codes.len());
    for code in codes {
        let own = units.get(&UnitsKey::Code(code)).copied().flatten();
        let (spec_used, path) = match own {
            Some(s) => (s, format!("units.{code}")),
            None => (default, "units.default".to_owned()),
        };
        let unit = entry_unit(code_set, code);
        let rule = unit_rule(&spec_used, &path)?;
        let rule = match (unit, rule, own.is_some()) {
            // A per-diem code under a timed default rule: per diem with the default minimum.
            (Unit::PerDiem, UnitRule::PerDiem { .. }, _) => rule,
            (Unit::PerDiem, _, false) => UnitRule::PerDiem {
                min_minutes: DEFAULT_PER_DIEM_MINUTES,
            },
            (Unit::PerDiem, _, true) => {
                return Err(invalid(
                    format!("{path}.rule"),
                    format!("{code} is billed per diem here: its rule must be per_diem"),
                ));
            }
            // An explicit per_diem rule makes the code a per-diem code for this payer.
            (Unit::Minutes(_), UnitRule::PerDiem { .. }, true) => {
                if let Some(entry) = code_set.entry_mut(code) {
                    entry.unit = Unit::PerDiem;
                }
                rule
            }
            (Unit::Minutes(_), UnitRule::PerDiem { .. }, false) => {
                return Err(invalid(
                    "units.default.rule",
                    format!(
                        "per_diem cannot be the default for the timed code {code}; give per-diem codes their own entry"
                    ),
                ));
            }
            (Unit::Minutes(_), rule, _) => rule,
        };
        let unit = entry_unit(code_set, code);
        let rounding = Rounding::new(unit, rule)
            .map_err(|e| invalid(format!("{path}.rule"), format!("{code} ({unit}): {e}")))?;
        let pooled = matches!(rule, UnitRule::Cms8Minute | UnitRule::PerDiem { .. });
        let aggregation = match (own.and_then(|s| s.aggregate), pooled) {
            (Some(Aggregation::Session), true) => {
                return Err(invalid(
                    format!("{path}.aggregate"),
                    "cms_8_minute and per_diem always count the whole day",
                ));
            }
            (_, true) => Aggregation::Day,
            (Some(a), false) => a,
            (None, false) => default_aggregate,
        };
        let pool = match rule {
            UnitRule::Cms8Minute => own
                .and_then(|s| s.pool)
                .or(default
                    .pool
                    .filter(|_| default.rule == Some(RuleName::Cms8Minute)))
                .unwrap_or_default(),
            _ => Pool::Patient,
        };
        let min_session_minutes = match rule {
            UnitRule::PerDiem { .. } => None,
            _ => own
                .and_then(|s| s.min_session_minutes)
                .or(default.min_session_minutes),
        };
        let cap = spec
            .max_units_per_day
            .as_ref()
            .and_then(|caps| caps.get(&code).copied().flatten());
        if cap == Some(0) {
            return Err(invalid(
                format!("max_units_per_day.{code}"),
                "must be at least 1 (leave the code out of covered_codes instead)",
            ));
        }
        rules.push(CodeRules {
            rounding,
            aggregation,
            max_units_per_day: cap,
            covered: covered.contains(&code),
            min_session_minutes,
            split_at_midnight: own
                .and_then(|s| s.split_at_midnight)
                .or(default.split_at_midnight)
                .unwrap_or(false),
            pool,
        });
    }
    Ok(rules)
}

/// The unit of a code of `code_set`.
fn entry_unit(code_set: &CodeSet, code: Code) -> Unit {
    code_set.entry(code).map_or(Unit::PerDiem, |e| e.unit)
}

fn unit_rule(spec: &UnitSpec, path: &str) -> Result<UnitRule, PolicyError> {
    let stray = |field: &str| invalid(format!("{path}.{field}"), "not used by this rule");
    if spec
        .min_session_minutes
        .is_some_and(|m| m == 0 || m > MAX_SESSION_MINUTES)
    {
        return Err(invalid(
            format!("{path}.min_session_minutes"),
            "must be between 1 and 1440",
        ));
    }
    let name = spec.rule.ok_or_else(|| {
        PolicyError::new(
            PolicyErrorKind::MissingField,
            format!("{path}.rule"),
            "every unit rule entry needs `rule` (its own or inherited)",
        )
    })?;
    if spec.pool.is_some() && name != RuleName::Cms8Minute {
        return Err(stray("pool"));
    }
    match name {
        RuleName::Threshold => {
            if spec.min_minutes.is_some() {
                return Err(stray("min_minutes"));
            }
            let minutes = spec.minutes.ok_or_else(|| {
                PolicyError::new(
                    PolicyErrorKind::MissingField,
                    format!("{path}.minutes"),
                    "the threshold rule needs `minutes`",
                )
            })?;
            Ok(UnitRule::Threshold { minutes })
        }
        RuleName::PerDiem => {
            if spec.minutes.is_some() {
                return Err(stray("minutes"));
            }
            // A per-diem unit is earned by the day's minutes (`min_minutes`), not by a session.
            if spec.min_session_minutes.is_some() {
                return Err(stray("min_session_minutes"));
            }
            Ok(UnitRule::PerDiem {
                min_minutes: spec.min_minutes.unwrap_or(DEFAULT_PER_DIEM_MINUTES),
            })
        }
        other => {
            if spec.minutes.is_some() {
                return Err(stray("minutes"));
            }
            if spec.min_minutes.is_some() {
                return Err(stray("min_minutes"));
            }
            Ok(match other {
                RuleName::Midpoint => UnitRule::Midpoint,
                RuleName::Whole => UnitRule::Whole,
                RuleName::RoundUp => UnitRule::RoundUp,
                _ => UnitRule::Cms8Minute,
            })
        }
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for DocumentationKey {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DocumentationKey".into()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        "h2024::DocumentationKey".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "`default`, `therapy`, or a code pattern (a procedure code, or up to four letters and digits followed by `*`).",
            "pattern": "^(?:default|therapy|[A-Za-z0-9]{0,4}\\*|[A-Va-v][0-9]{4}|[0-9]{4}[0-9A-Za-z])$",
        })
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for UnitsKey {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "UnitsKey".into()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        "h2024::policy::UnitsKey".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A key of a policy's `units` map: `default` (every code without an entry of its own) or a code.",
            "anyOf": [
                {"type": "string", "enum": ["default"]},
                <Code as schemars::JsonSchema>::json_schema(generator),
            ],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin(id: &str) -> Policy {
        Policy::builtins()
            .into_iter()
            .find(|p| p.id() == id)
            .unwrap()
    }

    fn load(json: &str) -> Result<Policy, PolicyError> {
        let spec: PolicySpec =
            crate::strict::from_str(json).map_err(|f| PolicyError::from_failure("", f))?;
        resolve(spec, &|id| {
            Policy::builtins()
                .into_iter()
                .find(|p| p.id() == id)
                .map(DatedPolicy::undated)
        })
        .map(|dated| dated.base().clone())
    }

    #[test]
    fn builtins_match_the_issue() {
        let medicaid = builtin("medicaid");
        assert_eq!(medicaid.code_set().id(), CodeSetId::Reference);
        assert!(Code::ALL.iter().all(|&c| medicaid.covers(c)));
        assert_eq!(
            medicaid.code(Code::H2014).unwrap().rounding.rule(),
            UnitRule::Midpoint
        );
        assert_eq!(
            medicaid.code(Code::H2014).unwrap().aggregation,
            Aggregation::Day
        );
        assert_eq!(medicaid.telehealth_modifier(), Some(Modifier::GT));
        assert_eq!(medicaid.audio_only_modifier(), None);
        assert!(medicaid.requires_clock_times());
        assert!(medicaid.provider_level_modifiers());

        let commercial = builtin("commercial");
        assert!(commercial.covers(Code::H2024) && commercial.covers(Code::H2014));
        assert!(!commercial.covers(Code::H2017) && !commercial.covers(Code::H2023));
        assert_eq!(
            commercial.code(Code::H2024).unwrap().aggregation,
            Aggregation::Session
        );
        assert_eq!(commercial.audio_only_modifier(), Some(Modifier::M93));
        assert_eq!(commercial.follow_up_modifier(), None);

        let medicare = builtin("medicare");
        assert_eq!(medicare.code_set().id(), CodeSetId::National);
        assert!(medicare.covers(Code::Cpt97535) && !medicare.covers(Code::H2014));
        assert_eq!(
            medicare.code(Code::Cpt97535).unwrap().rounding.rule(),
            UnitRule::Cms8Minute
        );
        assert_eq!(
            medicare.code(Code::H2024).unwrap().rounding.rule(),
            UnitRule::PerDiem { min_minutes: 120 }
        );
        assert!(!medicare.requires_clock_times());
    }

    #[test]
    fn the_issue_example_policy_loads() {
        let p = load(
            r#"{"id": "ny-style", "extends": "medicaid", "code_set": "reference",
                "covered_codes": ["H2014", "H2017", "H2023"],
                "units": {"default": {"rule": "midpoint", "aggregate": "day"},
                          "H2014": {"rule": "whole"}, "H2017": {"rule": "threshold", "minutes": 10},
                          "H2024": {"rule": "per_diem", "min_minutes": 120}},
                "max_units_per_day": {"H2014": 16},
                "code_preference": ["H2024", "H2014"],
                "requires_clock_times": true,
                "telehealth_modifier": "GT", "audio_only_modifier": null,
                "provider_level_modifiers": true, "early_intervention_modifier": "TL",
                "follow_up_modifier": "TS", "group_modifier": "HQ",
                "setting_modifiers": {"community": "U1"},
                "modifier_order": ["U1", "HO", "HQ", "TS", "GT"]}"#,
        )
        .unwrap();
        assert_eq!(
            p.code(Code::H2014).unwrap().rounding.rule(),
            UnitRule::Whole
        );
        assert_eq!(
            p.code(Code::H2017).unwrap().rounding.rule(),
            UnitRule::Threshold { minutes: 10 }
        );
        assert_eq!(p.code(Code::H2024).unwrap().rounding.unit(), Unit::PerDiem);
        assert_eq!(p.code(Code::H2014).unwrap().max_units_per_day, Some(16));
        assert_eq!(p.setting_modifier(Setting::Community), Some(Modifier::U1));
        assert!(!p.covers(Code::H2024));
    }

    #[test]
    fn extends_inherits_and_null_removes() {
        let p = load(
            r#"{"id": "x", "extends": "medicaid", "telehealth_modifier": null,
                "units": {"H2014": {"rule": "whole"}}}"#,
        )
        .unwrap();
        assert_eq!(p.telehealth_modifier(), None);
        assert_eq!(p.follow_up_modifier(), Some(Modifier::TS));
        assert_eq!(
            p.code(Code::H2014).unwrap().rounding.rule(),
            UnitRule::Whole
        );
        assert_eq!(
            p.code(Code::H2017).unwrap().rounding.rule(),
            UnitRule::Midpoint
        );
        let q = load(r#"{"id": "y", "extends": "medicaid", "max_units_per_day": {"H2014": 8}}"#)
            .unwrap();
        assert_eq!(q.code(Code::H2014).unwrap().max_units_per_day, Some(8));
    }

    #[test]
    fn invalid_policies_name_the_path() {
        let cases = [
            (
                r#"{"id": "x", "extends": "nope"}"#,
                "extends",
                PolicyErrorKind::UnknownBase,
            ),
            (r#"{"id": ""}"#, "id", PolicyErrorKind::InvalidValue),
            (r#"{"id": "x"}"#, "code_set", PolicyErrorKind::MissingField),
            (
                r#"{"id": "x", "extends": "medicaid", "telehealth_modifier": "HO"}"#,
                "telehealth_modifier",
                PolicyErrorKind::InvalidValue,
            ),
            (
                r#"{"id": "x", "extends": "medicaid", "units": {"H2014": {"rule": "threshold"}}}"#,
                "units.H2014.minutes",
                PolicyErrorKind::MissingField,
            ),
            (
                r#"{"id": "x", "extends": "medicaid", "units": {"H2014": {"rule": "threshold", "minutes": 20}}}"#,
                "units.H2014.rule",
                PolicyErrorKind::InvalidValue,
            ),
            (
                r#"{"id": "x", "extends": "medicaid", "units": {"default": {"rule": "cms_8_minute"}}}"#,
                "units.default.rule",
                PolicyErrorKind::InvalidValue,
            ),
            (
                // An unknown key is input text: the path names the map.
                r#"{"id": "x", "extends": "medicaid", "units": {"H9999": {"rule": "whole"}}}"#,
                "units",
                PolicyErrorKind::InvalidValue,
            ),
            (
                r#"{"id": "x", "extends": "medicaid", "units": {"H2014": {"rule": "whole", "min_minutes": 3}}}"#,
                "units.H2014.min_minutes",
                PolicyErrorKind::InvalidValue,
            ),
            (
                r#"{"id": "x", "extends": "medicare", "units": {"97535": {"rule": "cms_8_minute", "aggregate": "session"}}}"#,
                "units.97535.aggregate",
                PolicyErrorKind::InvalidValue,
            ),
            (
                r#"{"id": "x", "extends": "medicaid", "setting_modifiers": {"home": "HQ"}}"#,
                "setting_modifiers.home",
                PolicyErrorKind::InvalidValue,
            ),
            (
                r#"{"id": "x", "extends": "medicaid", "covered_codes": ["H2014", "H2014"]}"#,
                "covered_codes[1]",
                PolicyErrorKind::InvalidValue,
            ),
            (
                r#"{"id": "x", "extends": "medicaid", "max_units_per_day": {"H2014": 0}}"#,
                "max_units_per_day.H2014",
                PolicyErrorKind::InvalidValue,
            ),
            (
                r#"{"id": "x", "extends": "medicare", "units": {"H2024": {"rule": "midpoint"}}}"#,
                "units.H2024.rule",
                PolicyErrorKind::InvalidValue,
            ),
            (
                r#"{"id": "x", "extends": "medicaid", "authorization_alert_percent": 0}"#,
                "authorization_alert_percent",
                PolicyErrorKind::InvalidValue,
            ),
            (
                r#"{"id": "x", "extends": "medicaid", "authorization_alert_percent": 101}"#,
                "authorization_alert_percent",
                PolicyErrorKind::InvalidValue,
            ),
            (
                // An unknown weekday is input text: named by the field, never repeated.
                r#"{"id": "x", "extends": "medicaid", "week_start": "Monday"}"#,
                "week_start",
                PolicyErrorKind::InvalidValue,
            ),
            (
                r#"{"id": "x", "extends": "medicaid", "units": {"H2014": {"rule": "whole", "min_session_minutes": 0}}}"#,
                "units.H2014.min_session_minutes",
                PolicyErrorKind::InvalidValue,
            ),
            (
                r#"{"id": "x", "extends": "medicaid", "units": {"default": {"rule": "midpoint", "min_session_minutes": 1441}}}"#,
                "units.default.min_session_minutes",
                PolicyErrorKind::InvalidValue,
            ),
            (
                r#"{"id": "x", "extends": "medicaid", "units": {"H2024": {"rule": "per_diem", "min_session_minutes": 10}}}"#,
                "units.H2024.min_session_minutes",
                PolicyErrorKind::InvalidValue,
            ),
            (
                r#"{"id": "x", "extends": "medicaid", "units": {"H2014": {"rule": "midpoint", "pool": "patient"}}}"#,
                "units.H2014.pool",
                PolicyErrorKind::InvalidValue,
            ),
            (
                r#"{"id": "x", "extends": "medicare", "units": {"97535": {"rule": "cms_8_minute", "pool": "patient"}, "H2014": {"rule": "cms_8_minute"}}}"#,
                "units.97535.pool",
                PolicyErrorKind::InvalidValue,
            ),
            (
                r#"{"id": "x", "extends": "medicare", "timed_codes": ["97110", "97535"]}"#,
                "timed_codes[1]",
                PolicyErrorKind::InvalidValue,
            ),
            (
                r#"{"id": "x", "extends": "medicare", "timed_codes": ["97110", "9711"]}"#,
                "timed_codes[1]",
                PolicyErrorKind::InvalidValue,
            ),
            (
                r#"{"id": "x", "extends": "medicare", "timed_codes": ["97110", "97112", "97110"]}"#,
                "timed_codes[2]",
                PolicyErrorKind::InvalidValue,
            ),
        ];
        for (json, path, kind) in cases {
            let err = load(json).unwrap_err();
            assert_eq!(err.path(), path, "{json}: {err}");
            assert_eq!(err.kind(), kind, "{json}: {err}");
        }
    }

    #[test]
    fn code_overrides_change_unit_and_service() {
        let p = load(
            r#"{"id": "x", "extends": "medicaid",
                "codes": {"H2024": {"unit": "per_diem", "service": "supported_employment"}}}"#,
        )
        .unwrap();
        assert_eq!(p.code(Code::H2024).unwrap().rounding.unit(), Unit::PerDiem);
        assert_eq!(
            p.code(Code::H2024).unwrap().rounding.rule(),
            UnitRule::PerDiem {
                min_minutes: DEFAULT_PER_DIEM_MINUTES
            }
        );
        assert_eq!(
            p.code_set().entry(Code::H2024).unwrap().service,
            Service::SupportedEmployment
        );
    }

    #[test]
    fn preference_lists_every_code() {
        let p =
            load(r#"{"id": "x", "extends": "medicaid", "code_preference": ["H2014"]}"#).unwrap();
        assert_eq!(p.preference()[0], Code::H2014);
        assert_eq!(p.preference().len(), 5);
    }

    #[test]
    fn entries_merge_field_by_field() {
        let engine = crate::Engine::from_policies_json(
            r#"[{"id": "a", "extends": "medicaid",
                 "units": {"default": {"rule": "midpoint", "aggregate": "session"},
                           "H2017": {"rule": "threshold", "minutes": 10, "aggregate": "day"},
                           "H2023": {"rule": "per_diem", "min_minutes": 90}},
                 "codes": {"H2024": {"descriptor": "hourly skills", "service": "skills_training"}}},
                {"id": "b", "extends": "a",
                 "units": {"default": {"rule": "whole"},
                           "H2017": {"minutes": 12},
                           "H2023": {"aggregate": "day"}},
                 "codes": {"H2024": {"descriptor": "skills, per hour"}}},
                {"id": "c", "extends": "b", "units": {"H2017": {"rule": "midpoint"}}}]"#,
        )
        .unwrap();
        let b = engine.policy("b").unwrap();
        // `rule` alone keeps the inherited `aggregate`.
        assert_eq!(
            b.code(Code::H2014).unwrap().rounding.rule(),
            UnitRule::Whole
        );
        assert_eq!(
            b.code(Code::H2014).unwrap().aggregation,
            Aggregation::Session
        );
        // A per-code entry merges over the inherited entry of the same code.
        assert_eq!(
            b.code(Code::H2017).unwrap().rounding.rule(),
            UnitRule::Threshold { minutes: 12 }
        );
        assert_eq!(b.code(Code::H2017).unwrap().aggregation, Aggregation::Day);
        assert_eq!(
            b.code(Code::H2023).unwrap().rounding.rule(),
            UnitRule::PerDiem { min_minutes: 90 }
        );
        assert_eq!(
            b.spec().units.as_ref().unwrap()[&UnitsKey::Default],
            Some(UnitSpec {
                rule: Some(RuleName::Whole),
                aggregate: Some(Aggregation::Session),
                ..UnitSpec::default()
            })
        );
        let entry = b.code_set().entry(Code::H2024).unwrap();
        assert_eq!(entry.descriptor, "skills, per hour");
        assert_eq!(entry.service, Service::SkillsTraining);
        // A new rule does not inherit the old rule's parameters.
        let c = engine.policy("c").unwrap();
        assert_eq!(
            c.code(Code::H2017).unwrap().rounding.rule(),
            UnitRule::Midpoint
        );
        assert_eq!(c.code(Code::H2017).unwrap().aggregation, Aggregation::Day);
    }

    #[test]
    fn min_session_minutes_falls_back_to_the_default_entry_and_skips_per_diem() {
        let p = load(
            r#"{"id": "x", "extends": "medicaid",
                "units": {"default": {"rule": "midpoint", "min_session_minutes": 10},
                          "H2017": {"rule": "whole"},
                          "H2023": {"rule": "round_up", "min_session_minutes": 5},
                          "H2024": {"rule": "per_diem"}}}"#,
        )
        .unwrap();
        assert_eq!(p.code(Code::H2014).unwrap().min_session_minutes, Some(10));
        assert_eq!(p.code(Code::H2017).unwrap().min_session_minutes, Some(10));
        assert_eq!(p.code(Code::H2023).unwrap().min_session_minutes, Some(5));
        assert_eq!(p.code(Code::H2024).unwrap().min_session_minutes, None);
        assert_eq!(p.code(Code::H2014).unwrap().session_units(9), 0);
        assert_eq!(p.code(Code::H2014).unwrap().session_units(10), 1);
        assert_eq!(p.code(Code::H2023).unwrap().session_units(4), 0);
        assert_eq!(p.code(Code::H2023).unwrap().session_units(5), 1);
        // A child that turns an entry with a minimum into per diem drops the minimum.
        let engine = crate::Engine::from_policies_json(
            r#"[{"id": "a", "extends": "medicaid",
                 "units": {"H2024": {"rule": "midpoint", "min_session_minutes": 20}}},
                {"id": "b", "extends": "a", "units": {"H2024": {"rule": "per_diem"}}},
                {"id": "c", "extends": "a", "units": {"H2024": {"rule": "whole"}}}]"#,
        )
        .unwrap();
        assert_eq!(
            engine
                .policy("b")
                .unwrap()
                .code(Code::H2024)
                .unwrap()
                .min_session_minutes,
            None
        );
        assert_eq!(
            engine
                .policy("c")
                .unwrap()
                .code(Code::H2024)
                .unwrap()
                .min_session_minutes,
            Some(20)
        );
        assert_eq!(engine.units("c", Code::H2024, 19), Ok(0));
    }

    #[test]
    fn medicare_pools_by_discipline_and_counts_the_cms_example_codes() {
        // docs/rules.md, "CMS 8-minute rule" and "Other timed services".
        let medicare = builtin("medicare");
        assert_eq!(medicare.cms_pool(), Pool::Discipline);
        assert_eq!(
            medicare.code(Code::Cpt97535).unwrap().pool,
            Pool::Discipline
        );
        assert_eq!(medicare.timed_codes(), DEFAULT_TIMED_CODES);
        assert_eq!(medicare.other_timed_service("97110"), Ok(()));
        assert_eq!(
            medicare.other_timed_service("97999"),
            Err(IgnoredBecause::NotATimedCode)
        );
        assert_eq!(
            medicare.other_timed_service("97535"),
            Err(IgnoredBecause::BilledByTheEngine)
        );
        assert_eq!(
            medicare.other_timed_service("H2014"),
            Err(IgnoredBecause::BilledByTheEngine)
        );
        // Policies without the CMS rule pool nothing; the default list still applies.
        let medicaid = builtin("medicaid");
        assert_eq!(medicaid.cms_pool(), Pool::Patient);
        assert_eq!(medicaid.timed_codes(), DEFAULT_TIMED_CODES);
        assert!(DEFAULT_TIMED_CODES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn pool_and_timed_codes_are_inherited_and_overridden() {
        let engine = crate::Engine::from_policies_json(
            r#"[{"id": "a", "extends": "medicare", "units": {"default": {"pool": "patient"}},
                 "timed_codes": ["97530", "97110"]},
                {"id": "b", "extends": "a"},
                {"id": "c", "extends": "a", "units": {"default": {"rule": "cms_8_minute"}}},
                {"id": "d", "extends": "medicare", "units": {"97535": {"rule": "cms_8_minute"}}},
                {"id": "e", "extends": "medicaid", "units": {"default": {"rule": "whole"}}}]"#,
        )
        .unwrap();
        let b = engine.policy("b").unwrap();
        assert_eq!(b.cms_pool(), Pool::Patient);
        // Sorted, whatever the order written.
        assert_eq!(b.timed_codes(), ["97110", "97530"]);
        // The same rule keeps its pool.
        assert_eq!(engine.policy("c").unwrap().cms_pool(), Pool::Patient);
        // A code's own cms_8_minute entry takes the default entry's pool.
        assert_eq!(engine.policy("d").unwrap().cms_pool(), Pool::Discipline);
        // A rule other than cms_8_minute drops the pool.
        assert_eq!(engine.policy("e").unwrap().cms_pool(), Pool::Patient);
    }

    #[test]
    fn a_code_entry_without_a_rule_anywhere_is_refused() {
        let err =
            load(r#"{"id": "x", "extends": "medicaid", "units": {"H2014": {"aggregate": "day"}}}"#)
                .unwrap_err();
        assert_eq!(err.path(), "units.H2014.rule");
        assert_eq!(err.kind(), PolicyErrorKind::MissingField);
    }

    #[test]
    fn descriptions_are_shared_by_the_policies_that_extend_them() {
        let long = "d".repeat(1 << 20);
        let mut json =
            format!(r#"[{{"id": "base", "extends": "medicaid", "description": "{long}"}}"#);
        for i in 0..50 {
            json.push_str(&format!(r#", {{"id": "c{i}", "extends": "base"}}"#));
        }
        json.push(']');
        let engine = crate::Engine::from_policies_json(&json).unwrap();
        let base = engine
            .policy("base")
            .unwrap()
            .spec()
            .description
            .clone()
            .unwrap();
        for i in 0..50 {
            let child = engine.policy(&format!("c{i}")).unwrap();
            assert_eq!(child.description().len(), 1 << 20);
            let shared = child.spec().description.as_ref().unwrap();
            assert!(Arc::ptr_eq(shared, &base), "c{i} holds a copy");
        }
    }

    #[test]
    fn getters_return_the_resolved_values() {
        let p = load(
            r#"{"id": "x", "code_set": "reference", "covered_codes": ["H2014"],
                        "units": {"default": {"rule": "midpoint"}}, "code_preference": [],
                        "requires_clock_times": false, "telehealth_modifier": null,
                        "audio_only_modifier": null, "provider_level_modifiers": false,
                        "early_intervention_modifier": null, "follow_up_modifier": null,
                        "group_modifier": null}"#,
        )
        .unwrap();
        assert_eq!(p.prior_authorization(), PriorAuthorization::Never);
        assert_eq!(p.progress_report_interval_days(), None);
        assert!(!p.excludes_educational());
        assert_eq!(
            p.early_intervention_max_age_years(),
            DEFAULT_EARLY_INTERVENTION_MAX_AGE_YEARS
        );
        assert_eq!(p.code(Code::H2014).unwrap().aggregation, Aggregation::Day);
        assert!(p.modifier_order().is_empty());
        assert_eq!(p.week_start(), Weekday::Sunday);
        assert_eq!(
            p.authorization_alert_percent(),
            DEFAULT_AUTHORIZATION_ALERT_PERCENT
        );
    }

    #[test]
    fn authorization_fields_are_read_and_inherited() {
        let engine = crate::Engine::from_policies_json(
            r#"[{"id": "a", "extends": "medicaid", "week_start": "monday",
                 "authorization_alert_percent": 100},
                {"id": "b", "extends": "a", "authorization_alert_percent": 1}]"#,
        )
        .unwrap();
        let a = engine.policy("a").unwrap();
        assert_eq!(a.week_start(), Weekday::Monday);
        assert_eq!(a.authorization_alert_percent(), 100);
        let b = engine.policy("b").unwrap();
        assert_eq!(b.week_start(), Weekday::Monday);
        assert_eq!(b.authorization_alert_percent(), 1);
        assert_eq!(Weekday::Saturday.days_from_sunday(), 6);
    }
}
