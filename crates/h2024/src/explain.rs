//! Why the engine decided what it did, as data: the typed steps of a decision
//! ([`Reason`]) and why each code was turned down ([`Turndown`]).
//!
//! The evaluation records these values; prose is rendered from them only at the edge, when a
//! response is serialized with `explain` on (or when a caller asks for
//! [`Decision::rationale`](crate::Decision::rationale)). No module reads rendered text: the
//! audit, for one, picks the selection steps out of a decision by their kind.
//!
//! Every kind serializes as `{"kind": "snake_case_name", ...values}`; the kinds are stable
//! and listed in the README ("Reasons").
//!
//! Rendering never quotes policy text (descriptions, descriptors, policy ids): a reason
//! names codes, services, settings, minutes and units only.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::codes::{Code, CodeSetId, Service, Unit};
use crate::modifiers::{Because, Modifier};
use crate::request::{Discipline, Modality, Setting};
use crate::response::PlaceOfService;
use crate::units::UnitRule;

/// One step of a code decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
        codes: Vec<Code>,
    },
    /// The subset of those codes the policy covers.
    CoveredCodes {
        /// The covered codes.
        codes: Vec<Code>,
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
        modifiers: Vec<ModifierReason>,
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
    /// How the line's units were computed.
    Units(UnitsBasis),
    /// The policy's daily cap cut the line.
    DailyCap(Cap),
    /// The line earns no unit, so the encounter is on no line.
    NoLine,
    /// The request was refused as a whole; no code.
    RequestRefused,
}

/// Why 97535 does not bill a self-care session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
pub struct ModifierReason {
    /// The modifier.
    pub modifier: Modifier,
    /// Why the policy requires it.
    pub because: Because,
}

/// How a line's units were computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
    },
    /// The CMS 8-minute rule over the patient's timed minutes of the day.
    #[serde(rename = "cms_8_minute")]
    Cms8Minute {
        /// The patient's timed minutes that day.
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

fn list(f: &mut fmt::Formatter<'_>, codes: &[Code]) -> fmt::Result {
    for (i, c) in codes.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        f.write_str(c.as_str())?;
    }
    Ok(())
}

fn plural(n: u32, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

fn discipline_label(d: Discipline) -> &'static str {
    match d {
        Discipline::BehavioralHealth => "behavioural health",
        Discipline::OccupationalTherapy => "occupational therapy",
        Discipline::PhysicalTherapy => "physical therapy",
        Discipline::SpeechTherapy => "speech therapy",
        Discipline::CaseManagement => "case management",
    }
}

/// The code family that bills a service outside this library's scope, in words.
pub(crate) fn other_family(service: Service) -> &'static str {
    match service {
        Service::Psychotherapy => {
            "psychotherapy is billed with the CPT psychotherapy codes (90832-90838), not with skills-training codes"
        }
        Service::CaseManagement => {
            "case management is billed with the case-management codes (HCPCS T1016/T1017, G9002), not with skills-training codes"
        }
        _ => "the service is billed with another code family",
    }
}

impl fmt::Display for NotTherapy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            NotTherapy::Discipline { discipline } => write!(
                f,
                "97535 is billed by occupational or physical therapists and may not be covered for strictly behavioural services; the provider's discipline is {}",
                discipline_label(discipline)
            ),
            NotTherapy::Group { group_size } => write!(
                f,
                "97535 is one-on-one training; this session had {group_size} patients"
            ),
        }
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = plural(self.units, "", "s");
        match self.billed_minutes {
            Some(billed) => {
                write!(
                    f,
                    "{} earns {} unit{s} for {} minutes ({billed} billed minutes, ",
                    self.code, self.units, self.minutes
                )?;
                let diff = billed as i64 - i64::from(self.minutes);
                match diff {
                    0 => f.write_str("exact)"),
                    d if d > 0 => write!(f, "{d} over)"),
                    d => write!(f, "{} under)", -d),
                }
            }
            None => write!(
                f,
                "{} earns {} per-diem unit{s} for {} minutes in the day",
                self.code, self.units, self.minutes
            ),
        }
    }
}

impl fmt::Display for UnitsBasis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            UnitsBasis::Line {
                minutes,
                rounding: rule,
                unit,
                units,
            } => write!(
                f,
                "units: {minutes} minutes on the line under the {rule} ({unit}) = {units} {}",
                plural(units, "unit", "units")
            ),
            UnitsBasis::Sessions {
                sessions: 1,
                minutes,
                rounding: rule,
                unit,
                units,
            } => write!(
                f,
                "units: {minutes} minutes, the session rounded on its own under the {rule} ({unit}) = {units} {}",
                plural(units, "unit", "units")
            ),
            UnitsBasis::Sessions {
                sessions,
                minutes,
                rounding: rule,
                unit,
                units,
            } => write!(
                f,
                "units: {sessions} sessions rounded one by one ({minutes} minutes in all) under the {rule} ({unit}) = {units} {}",
                plural(units, "unit", "units")
            ),
            UnitsBasis::Cms8Minute {
                day_minutes,
                other_minutes,
                day_units,
                code,
                code_minutes,
                code_units,
                line_minutes,
                units,
            } => write!(
                f,
                "units: CMS 8-minute rule: the patient's timed minutes that day total {day_minutes} ({other_minutes} of them in other timed services) = {day_units} {}; {code} has {code_minutes} of those minutes and gets {code_units}; this line's {line_minutes} minutes get {units}",
                plural(day_units, "unit", "units")
            ),
        }
    }
}

impl fmt::Display for Cap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is limited to {} {} per patient per day under the policy{}; {} computed, {} billed on this line",
            self.code,
            self.cap,
            plural(self.cap, "unit", "units"),
            if self.per_diem { " (per diem)" } else { "" },
            self.computed,
            self.billed
        )
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::InvalidEncounter { field } => {
                write!(f, "no code: the encounter is invalid (field `{field}`)")
            }
            Reason::OutOfScope { service } => write!(f, "no code: {}", other_family(*service)),
            Reason::AudioOnlyNotCovered => {
                f.write_str("no code: the policy does not cover audio-only services")
            }
            Reason::Pinned { code, unit } => {
                write!(f, "code {code} pinned by the request ({unit})")
            }
            Reason::PinnedForOtherService {
                code,
                code_service,
                code_set,
                service,
            } => write!(
                f,
                "note: {code} is defined for {code_service} in code set {code_set}; the session documents {service}"
            ),
            Reason::SelfCareAsSkillsTraining { because } => write!(
                f,
                "self-care training outside 97535's scope is billed as skills training: {because}"
            ),
            Reason::ServiceCodes {
                service,
                code_set,
                codes,
            } => {
                write!(f, "service {service}: code set {code_set} lists ")?;
                if codes.is_empty() {
                    f.write_str("no code")
                } else {
                    list(f, codes)
                }
            }
            Reason::CoveredCodes { codes } => {
                f.write_str("the policy covers ")?;
                list(f, codes)
            }
            Reason::ProviderNotEligible { code, discipline } => write!(
                f,
                "no code: {code} is billed by occupational or physical therapists; the provider's discipline is {}",
                discipline_label(*discipline)
            ),
            Reason::PinnedNotCovered { code } => {
                write!(
                    f,
                    "no code: the policy does not cover the pinned code {code}"
                )
            }
            Reason::NoCodeForService { service, code_set } => {
                write!(f, "no code: code set {code_set} has no code for {service}")
            }
            Reason::NoCoveredCode { service, codes } => {
                write!(
                    f,
                    "no code: the policy covers none of the codes for {service} ("
                )?;
                list(f, codes)?;
                f.write_str(")")
            }
            Reason::NoTime => {
                f.write_str("no code: no time documented, so no unit can be computed")
            }
            Reason::SharedLine {
                encounters,
                minutes,
            } => write!(
                f,
                "{encounters} encounters of the same patient, provider, day and place share a line; their {minutes} minutes are considered together"
            ),
            Reason::Scored(score) => score.fmt(f),
            Reason::Chosen { code, because } => match because {
                ChoiceGround::PerDiemMet => {
                    write!(f, "{code} is chosen: the day meets its per-diem minimum")
                }
                ChoiceGround::Closest => write!(
                    f,
                    "{code} is chosen: its billed time is closest to the documented minutes"
                ),
                ChoiceGround::Preferred => write!(
                    f,
                    "{code} is chosen: billed time ties, and the policy prefers it"
                ),
                ChoiceGround::SmallestMinimum { minimum_minutes } => write!(
                    f,
                    "no candidate earns a unit; {code} is chosen as the code with the smallest minimum ({minimum_minutes} minutes)"
                ),
            },
            Reason::OnlyCandidate { code } => write!(f, "{code} is the only candidate"),
            Reason::Modifiers { modifiers } => {
                if modifiers.is_empty() {
                    return f.write_str("modifiers: none required by the policy");
                }
                f.write_str("modifiers: ")?;
                for (i, m) in modifiers.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{}: {}", m.modifier, m.because)?;
                }
                Ok(())
            }
            Reason::PlaceOfService {
                place_of_service,
                setting,
                modality,
            } => write!(
                f,
                "place of service {place_of_service} ({}): setting {}, {}",
                place_of_service.meaning(),
                setting.as_str(),
                modality.as_str()
            ),
            Reason::Units(basis) => basis.fmt(f),
            Reason::DailyCap(cap) => write!(f, "daily cap: {cap}"),
            Reason::NoLine => f.write_str("no line: the line earns no unit"),
            Reason::RequestRefused => f.write_str("no code: the request was refused as a whole"),
        }
    }
}

impl fmt::Display for Turndown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Turndown::PinnedOther { pinned } => {
                write!(f, "the request pins {pinned}; this code was not considered")
            }
            Turndown::OtherService {
                code_service,
                code_set,
                service,
            } => write!(
                f,
                "bills {code_service} in code set {code_set}, not {service}"
            ),
            Turndown::DoesNotBill { service } => write!(f, "does not bill {service}"),
            Turndown::NotCovered => f.write_str("the policy does not cover it"),
            Turndown::NotTherapy { because } => because.fmt(f),
            Turndown::PerDiemMinimum {
                minimum_minutes,
                minutes,
            } => write!(
                f,
                "per diem needs {minimum_minutes} minutes in the day; {minutes} documented"
            ),
            Turndown::FitsWorse { score, chosen } => write!(f, "{score}; {chosen} fits better"),
        }
    }
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
