//! The reasons for a decision, as typed data: each step of a code decision ([`Reason`]),
//! why a code was turned down ([`Turndown`]) and why a modifier is required ([`Because`]).
//!
//! The rules produce these values; the [`explain`](crate::explain) module renders them as
//! prose, and nothing reads that prose back. Every kind serializes as
//! `{"kind": "snake_case_name", ...values}`; the kinds are stable and listed in the README
//! ("Reasons as data, prose on demand").

use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::codes::{Code, CodeSetId, Service, Unit};
use crate::credentials::{Credential, Discipline};
use crate::modifiers::Modifier;
use crate::places::PlaceOfService;
use crate::places::{Modality, Setting};
use crate::units::{Pool, UnitRule};

/// One step of a code decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    /// The encounter could not be read or is inconsistent; no code.
    InvalidEncounter {
        /// The field at fault.
        field: String,
    },
    /// Psychotherapy or case management: billed with another code family; no code.
    OutOfScope {
        /// The service documented.
        service: Service,
    },
    /// Audio-only telehealth under a policy that does not cover it; no code.
    AudioOnlyNotCovered,
    /// The date of service is outside the dates the policy is in force; no code.
    PolicyNotInEffect {
        /// The date of service.
        date: NaiveDate,
        /// The policy's first date in force, if it has one.
        from: Option<NaiveDate>,
        /// The policy's last date in force, if it has one.
        to: Option<NaiveDate>,
    },
    /// The request pins the code.
    Pinned {
        /// The pinned code.
        code: Code,
        /// Its billing unit under the policy.
        unit: Unit,
    },
    /// The pinned code is defined for another service than the one documented.
    PinnedForOtherService {
        /// The pinned code.
        code: Code,
        /// The service the code set defines it for.
        code_service: Service,
        /// The code set.
        code_set: CodeSetId,
        /// The service documented.
        service: Service,
    },
    /// Self-care training outside 97535's scope is coded as skills training.
    SelfCareAsSkillsTraining {
        /// Why 97535 does not apply.
        because: NotTherapy,
    },
    /// The codes the code set lists for the service.
    ServiceCodes {
        /// The service looked up.
        service: Service,
        /// The code set.
        code_set: CodeSetId,
        /// Its codes for the service, in the policy's preference order.
        codes: Arc<[Code]>,
    },
    /// The subset of those codes the policy covers.
    CoveredCodes {
        /// The covered codes.
        codes: Arc<[Code]>,
    },
    /// The pinned code is 97535 and the provider is not an occupational or physical
    /// therapist; no code.
    ProviderNotEligible {
        /// The pinned code.
        code: Code,
        /// The provider's discipline.
        discipline: Discipline,
    },
    /// The pinned code is not covered by the policy; no code.
    PinnedNotCovered {
        /// The pinned code.
        code: Code,
    },
    /// The code set has no code for the service; no code.
    NoCodeForService {
        /// The service looked up.
        service: Service,
        /// The code set.
        code_set: CodeSetId,
    },
    /// The policy covers none of the service's codes; no code.
    NoCoveredCode {
        /// The service looked up.
        service: Service,
        /// The codes it does not cover.
        codes: Vec<Code>,
    },
    /// No session time at all; no code.
    NoTime,
    /// Several encounters would share a line and are considered together.
    SharedLine {
        /// How many encounters.
        encounters: u32,
        /// Their minutes together.
        minutes: u32,
    },
    /// Under `session` aggregation, several sessions of the same service for the same
    /// patient, provider and day are coded together: one code for the day, scored on the
    /// units each session earns (`docs/rules.md`, "Aggregation").
    SameServiceDay {
        /// How many sessions.
        sessions: u32,
        /// Their minutes together.
        minutes: u32,
    },
    /// What one candidate would bill.
    Scored(Score),
    /// The candidate chosen, and on what ground.
    Chosen {
        /// The code chosen.
        code: Code,
        /// On what ground.
        because: ChoiceGround,
    },
    /// The only candidate code.
    OnlyCandidate {
        /// The code.
        code: Code,
    },
    /// The modifiers the policy requires on the line, each with its ground (none: empty).
    Modifiers {
        /// The modifiers in line order.
        modifiers: Arc<[ModifierReason]>,
    },
    /// The place of service, from the setting and modality.
    PlaceOfService {
        /// The place of service.
        place_of_service: PlaceOfService,
        /// The setting documented.
        setting: Setting,
        /// The modality documented.
        modality: Modality,
    },
    /// The session is shorter than the code's minimum session length: it earns no unit and
    /// adds no minutes to a line (`docs/rules.md`, "Minimum session length").
    SessionBelowMinimum {
        /// The code.
        code: Code,
        /// The session's minutes.
        minutes: u32,
        /// The policy's minimum session length for the code.
        min_session_minutes: u32,
    },
    /// The session crosses midnight and the policy splits it: its minutes bill on each date
    /// of service it covers, each on that date's line (`docs/rules.md`, "Sessions across
    /// midnight").
    SplitAtMidnight {
        /// The dates and the session's minutes on each, in date order.
        dates: Vec<DateMinutes>,
    },
    /// How the line's units were computed.
    Units(UnitsBasis),
    /// The policy's daily cap cut the line.
    DailyCap(Cap),
    /// The line earns no unit, so the encounter is on no line.
    NoLine,
    /// The request was refused as a whole; no code.
    RequestRefused,
}

/// A session's minutes on one date of service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DateMinutes {
    /// The date of service.
    pub date_of_service: NaiveDate,
    /// The session's whole minutes on that date.
    pub minutes: u32,
}

/// Why 97535 does not bill a self-care session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum NotTherapy {
    /// The provider is not an occupational or physical therapist.
    Discipline {
        /// The provider's discipline.
        discipline: Discipline,
    },
    /// A group session; 97535 is one-on-one.
    Group {
        /// Patients in the session.
        group_size: u32,
    },
}

/// What a candidate code would bill for the minutes of its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Score {
    /// The candidate.
    pub code: Code,
    /// The units it earns.
    pub units: u32,
    /// The documented minutes it would bill.
    pub minutes: u32,
    /// Units times unit length; `None` for a per-diem code.
    pub billed_minutes: Option<u64>,
}

/// On what ground a candidate was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChoiceGround {
    /// The day meets the per-diem code's minimum.
    PerDiemMet,
    /// Its billed time is closest to the documented minutes.
    Closest,
    /// Billed time ties; the policy's preference decides.
    Preferred,
    /// No candidate earns a unit; the code with the smallest minimum is kept.
    SmallestMinimum {
        /// That minimum, in minutes.
        minimum_minutes: u32,
    },
}

/// One required modifier and its ground.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ModifierReason {
    /// The modifier.
    pub modifier: Modifier,
    /// Why the policy requires it.
    pub because: Because,
}

/// How a line's units were computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "basis", rename_all = "snake_case")]
#[non_exhaustive]
pub enum UnitsBasis {
    /// The line's minutes rounded once (`day` aggregation).
    Line {
        /// Minutes on the line.
        minutes: u32,
        /// The rounding rule.
        rounding: UnitRule,
        /// The billing unit.
        unit: Unit,
        /// Units earned.
        units: u32,
        /// The minimum session length applied (sessions shorter are on no line), if any.
        #[serde(default)]
        min_session_minutes: Option<u32>,
        /// Whether the policy splits sessions across midnight by date.
        #[serde(default)]
        split_at_midnight: bool,
        /// Of the line's sessions, how many are the part of a session across midnight that
        /// falls on this date.
        #[serde(default)]
        split_sessions: u32,
    },
    /// Each session rounded on its own, then added (`session` aggregation).
    Sessions {
        /// Sessions on the line.
        sessions: u32,
        /// Minutes on the line.
        minutes: u32,
        /// The rounding rule.
        rounding: UnitRule,
        /// The billing unit.
        unit: Unit,
        /// Units earned.
        units: u32,
        /// The minimum session length applied (sessions shorter are on no line), if any.
        #[serde(default)]
        min_session_minutes: Option<u32>,
        /// Whether the policy splits sessions across midnight by date.
        #[serde(default)]
        split_at_midnight: bool,
        /// Of the line's sessions, how many are the part of a session across midnight that
        /// falls on this date.
        #[serde(default)]
        split_sessions: u32,
    },
    /// The CMS 8-minute rule over the patient's timed minutes of the day (of one discipline
    /// when the policy pools by discipline).
    #[serde(rename = "cms_8_minute")]
    Cms8Minute {
        /// Whose minutes are pooled.
        #[serde(default)]
        pool: Pool,
        /// Under the `discipline` pool, the discipline whose minutes these are.
        #[serde(default)]
        discipline: Option<Discipline>,
        /// The patient's timed minutes that day (in the pool).
        day_minutes: u32,
        /// Of which in other timed services.
        other_minutes: u32,
        /// Units the day's minutes earn.
        day_units: u32,
        /// The line's code.
        code: Code,
        /// The code's minutes that day.
        code_minutes: u32,
        /// The code's share of the day's units.
        code_units: u32,
        /// This line's minutes.
        line_minutes: u32,
        /// This line's share of the code's units.
        units: u32,
        /// The minimum session length applied (shorter sessions count in no pool), if any.
        #[serde(default)]
        min_session_minutes: Option<u32>,
        /// Whether the policy splits sessions across midnight by date.
        #[serde(default)]
        split_at_midnight: bool,
        /// Of the line's sessions, how many are the part of a session across midnight that
        /// falls on this date.
        #[serde(default)]
        split_sessions: u32,
    },
}

impl UnitsBasis {
    /// The units the basis arrives at.
    pub fn units(&self) -> u32 {
        match *self {
            UnitsBasis::Line { units, .. }
            | UnitsBasis::Sessions { units, .. }
            | UnitsBasis::Cms8Minute { units, .. } => units,
        }
    }
}

/// A daily cap applied to a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Cap {
    /// The code.
    pub code: Code,
    /// Units allowed per patient per day.
    pub cap: u32,
    /// Units computed for the line.
    pub computed: u32,
    /// Units left on the line.
    pub billed: u32,
    /// Whether the code is billed per diem (cap of one).
    pub per_diem: bool,
}

/// Why a code was turned down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Turndown {
    /// The request pins another code.
    PinnedOther {
        /// The pinned code.
        pinned: Code,
    },
    /// The code bills another service in the code set.
    OtherService {
        /// The service the code bills.
        code_service: Service,
        /// The code set.
        code_set: CodeSetId,
        /// The service looked up.
        service: Service,
    },
    /// The code does not bill the documented service (psychotherapy, case management).
    DoesNotBill {
        /// The service documented.
        service: Service,
    },
    /// The policy does not cover the code.
    NotCovered,
    /// 97535 does not apply to the session.
    NotTherapy {
        /// Why not.
        because: NotTherapy,
    },
    /// A per-diem code whose minimum the day does not meet.
    PerDiemMinimum {
        /// The minimum, in minutes.
        minimum_minutes: u32,
        /// Minutes documented that day.
        minutes: u32,
    },
    /// Another candidate fits the documented minutes better.
    FitsWorse {
        /// What this code would bill.
        score: Score,
        /// The code chosen instead.
        chosen: Code,
    },
}

/// Why a policy requires a modifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Because {
    /// The setting's state-defined level of care.
    Setting {
        /// The setting.
        setting: Setting,
    },
    /// The rendering provider's education level.
    ProviderLevel {
        /// The provider's credential.
        credential: Credential,
    },
    /// A group session.
    Group {
        /// Patients in the session.
        group_size: u32,
    },
    /// The therapy plan of care of the provider's discipline.
    PlanOfCare {
        /// The provider's discipline.
        discipline: Discipline,
    },
    /// Furnished by a therapy assistant.
    Assistant,
    /// An early-intervention (IFSP) service.
    EarlyIntervention,
    /// A follow-up service.
    FollowUp,
    /// Telehealth by real-time audio and video.
    AudioVideo,
    /// Telehealth by audio only.
    AudioOnly,
}

/// Whether a decision step belongs to code selection (what the audit quotes when the billed
/// code differs from the engine's).
pub(crate) fn is_selection_step(reason: &Reason) -> bool {
    matches!(
        reason,
        Reason::Pinned { .. }
            | Reason::ServiceCodes { .. }
            | Reason::SelfCareAsSkillsTraining { .. }
            | Reason::Chosen { .. }
            | Reason::OnlyCandidate { .. }
    )
}
