//! Explanations in words, rendered from the typed reasons and finding data at the edge: when
//! a response is serialized with `explain` on, or when a caller asks for
//! [`Decision::rationale`](crate::Decision::rationale), [`Alternative::reason`](crate::Alternative::reason)
//! or [`Finding::message`](crate::Finding::message). No module reads this text.
//!
//! The types are re-exported here from the rules that produce them. Rendering never quotes
//! policy text (descriptions, descriptors, policy ids) or another encounter's id: a sentence
//! names codes, services, settings, fields, minutes and units only.

use std::fmt;

pub use crate::reasons::{
    Because, Cap, ChoiceGround, DateMinutes, ModifierReason, NotTherapy, Reason, Score, Turndown,
    UnitsBasis,
};

use crate::codes::{Code, Service};
use crate::credentials::Discipline;
use crate::findings::{AuthorizationNeed, Data, EvvVisitProblem, Finding, NotValid};
use crate::modifiers::MAX_MODIFIERS;
use crate::places::Modality;
use crate::policy::IgnoredBecause;
use crate::request::Period;
use crate::response::{Alternative, Decision};

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
        self.fmt_rule(f)?;
        let (UnitsBasis::Line {
            min_session_minutes,
            split_sessions,
            ..
        }
        | UnitsBasis::Sessions {
            min_session_minutes,
            split_sessions,
            ..
        }
        | UnitsBasis::Cms8Minute {
            min_session_minutes,
            split_sessions,
            ..
        }) = *self;
        if let Some(min) = min_session_minutes {
            write!(f, " (sessions under {min} minutes count on no line)")?;
        }
        if split_sessions > 0 {
            write!(
                f,
                " (counting only this date's minutes of {split_sessions} {} across midnight)",
                plural(split_sessions, "session", "sessions")
            )?;
        }
        Ok(())
    }
}

impl UnitsBasis {
    /// The rule and its arithmetic, in words.
    fn fmt_rule(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            UnitsBasis::Line {
                minutes,
                rounding: rule,
                unit,
                units,
                ..
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
                ..
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
                ..
            } => write!(
                f,
                "units: {sessions} sessions rounded one by one ({minutes} minutes in all) under the {rule} ({unit}) = {units} {}",
                plural(units, "unit", "units")
            ),
            UnitsBasis::Cms8Minute {
                discipline,
                day_minutes,
                other_minutes,
                day_units,
                code,
                code_minutes,
                code_units,
                line_minutes,
                units,
                ..
            } => {
                f.write_str("units: CMS 8-minute rule: the patient's timed minutes that day")?;
                if let Some(d) = discipline {
                    write!(f, " under the {} plan of care", discipline_label(d))?;
                }
                write!(
                    f,
                    " total {day_minutes} ({other_minutes} of them in other timed services) = {day_units} {}; {code} has {code_minutes} of those minutes and gets {code_units}; this line's {line_minutes} minutes get {units}",
                    plural(day_units, "unit", "units")
                )
            }
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
            Reason::PolicyNotInEffect { date, from, to } => {
                write!(f, "no code: the policy is not in effect on {date} (")?;
                in_effect(f, *from, *to)?;
                f.write_str(")")
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
            Reason::SameServiceDay { sessions, minutes } => write!(
                f,
                "{sessions} sessions of the same service for the same patient, provider and day are coded together, each rounded on its own ({minutes} minutes in all): one code for the day"
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
            Reason::SessionBelowMinimum {
                code,
                minutes,
                min_session_minutes,
            } => write!(
                f,
                "no unit: the {minutes}-minute session is shorter than the policy's minimum session length for {code} ({min_session_minutes} minutes), so it counts on no line"
            ),
            Reason::SplitAtMidnight { dates } => {
                f.write_str("the session crosses midnight and the policy splits it by date: ")?;
                for (i, part) in dates.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{} minutes on {}", part.minutes, part.date_of_service)?;
                }
                Ok(())
            }
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

impl fmt::Display for Because {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Because::Setting { setting } => write!(
                f,
                "state-defined level of care for the {} setting",
                setting.as_str()
            ),
            Because::ProviderLevel { credential } => {
                write!(f, "{}-level rendering provider", credential.as_str())
            }
            Because::Group { group_size } => write!(f, "group session of {group_size} patients"),
            Because::PlanOfCare { discipline } => write!(
                f,
                "{} plan of care (97535 is an always-therapy code)",
                discipline.as_str()
            ),
            Because::Assistant => f.write_str("furnished by a therapy assistant"),
            Because::EarlyIntervention => f.write_str("early intervention (IFSP) service"),
            Because::FollowUp => f.write_str("follow-up service"),
            Because::AudioVideo => f.write_str("telehealth by real-time audio and video"),
            Because::AudioOnly => f.write_str("telehealth by audio only"),
        }
    }
}

impl Decision {
    /// Every step of the decision, in words (what JSON calls `rationale`).
    pub fn rationale(&self) -> Vec<String> {
        self.reasons.iter().map(ToString::to_string).collect()
    }
}

impl Alternative {
    /// Why it was not chosen, in words (what JSON calls `reason`).
    pub fn reason(&self) -> String {
        AlternativeText(self).to_string()
    }
}

impl Finding {
    /// What a biller can act on, rendered from the data. Names fields, never patient data,
    /// policy text or another encounter's id.
    pub fn message(&self) -> String {
        self.data.to_string()
    }
}

/// An authorization limit in words: the field that sets it and how often it counts.
struct LimitText(usize, Option<u8>, Period);

impl fmt::Display for LimitText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let LimitText(a, index, per) = *self;
        let Some(j) = index else {
            return write!(f, "`authorizations[{a}]`");
        };
        let kind = match per {
            Period::Day => "daily",
            Period::Week => "weekly",
            Period::Month => "monthly",
            Period::Authorization => "whole-authorization",
        };
        write!(
            f,
            "the {kind} limit of `authorizations[{a}]` (`limits[{j}]`)"
        )
    }
}

/// The period a limit counts, by its kind only: the dates are patient data, in
/// `data.period_start`.
fn within(per: Period) -> &'static str {
    match per {
        Period::Day => " on its date of service",
        Period::Week => " in its week",
        Period::Month => " in its month",
        Period::Authorization => "",
    }
}

/// An alternative's reason in words, with its code where the sentence needs it.
pub(crate) struct AlternativeText<'a>(pub &'a Alternative);

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

fn discipline_words(d: Discipline) -> &'static str {
    d.as_str()
}

fn modality_words(m: Modality) -> &'static str {
    match m {
        Modality::InPerson => "in-person",
        Modality::AudioVideo => "audio-video",
        Modality::AudioOnly => "audio-only",
    }
}

fn need(f: &mut fmt::Formatter<'_>, n: &AuthorizationNeed) -> fmt::Result {
    match n.above_units_per_day {
        _ if !n.required => write!(
            f,
            "the policy does not require prior authorization for this line ({} units of {} that day), but the authorizations on file are checked",
            n.day_units, n.code
        ),
        None => f.write_str("the policy requires prior authorization"),
        Some(limit) => write!(
            f,
            "the policy requires prior authorization above {limit} units of {} a day ({} that day)",
            n.code, n.day_units
        ),
    }
}

impl fmt::Display for Data {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Data::RequestRefused { error, path } => {
                write!(f, "the request was refused as a whole ({})", error.as_str())?;
                if let Some(path) = path {
                    write!(f, " at `{path}`")?;
                }
                Ok(())
            }
            Data::InvalidField { field, problem } => {
                write!(f, "encounter field `{field}`: {problem}")
            }
            Data::NoTime => f.write_str(
                "no session time: give `start` and `end` (or `date` and `minutes` where the payer accepts total minutes)",
            ),
            Data::ClockTimesRequired => f.write_str(
                "the policy requires exact `start` and `end` times; the encounter gives only `date` and `minutes`",
            ),
            Data::BelowMinimum {
                code,
                minimum_minutes,
                line_minutes,
            } => write!(
                f,
                "{code} needs at least {minimum_minutes} minutes for a unit under the policy; the line has {line_minutes} documented minutes"
            ),
            Data::BelowSessionMinimum {
                code,
                session_minutes,
                min_session_minutes,
            } => write!(
                f,
                "{code}: the session lasted {session_minutes} minutes and the policy counts only sessions of at least {min_session_minutes} minutes (`min_session_minutes`); it earns no unit and adds no minutes to the line"
            ),
            Data::OtherTimedServiceIgnored {
                index,
                code,
                because,
            } => {
                write!(f, "`other_timed_services[{index}]` ({code}) is not counted toward the CMS 8-minute total: ")?;
                match because {
                    IgnoredBecause::NotATimedCode => f.write_str(
                        "the policy's `timed_codes` do not list it as a 15-minute timed service",
                    ),
                    IgnoredBecause::BilledByTheEngine => f.write_str(
                        "the engine bills this code itself; document it as an encounter instead",
                    ),
                }
            }
            Data::Cms8MinuteShare {
                code,
                day_minutes,
                day_units,
            } => write!(
                f,
                "{code} earns no unit on this line: under the CMS 8-minute rule the patient's {day_minutes} timed minutes that day earn {day_units} {}, and they go to the services with more minutes",
                if *day_units == 1 { "unit" } else { "units" }
            ),
            Data::OutOfScope { service } => f.write_str(other_family(*service)),
            Data::NoCoveredCode { service, codes } => {
                write!(f, "the policy covers none of the codes for {service} (")?;
                for (i, c) in codes.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(c.as_str())?;
                }
                f.write_str(")")
            }
            Data::NoCodeForService { service, code_set } => {
                write!(f, "code set {code_set} has no code for {service}")
            }
            Data::CodeNotCovered { code, billed } => write!(
                f,
                "the policy does not cover the {} code {code}",
                if *billed { "billed" } else { "pinned" }
            ),
            Data::UnknownBilledCode { engine_code } => write!(
                f,
                "`billed.code` is not one of H2024, H2014, H2017, H2023, 97535; the engine bills {engine_code}"
            ),
            Data::ProviderNotEligible { code, discipline } => write!(
                f,
                "{code} is billed by occupational or physical therapists; the provider's discipline is {}",
                discipline_words(*discipline)
            ),
            Data::Educational => f.write_str(
                "`educational` is true and the policy does not cover services whose main purpose is education; document the functional deficit the skills address",
            ),
            Data::PolicyNotInEffect { date, from, to } => {
                write!(f, "the date of service {date} is outside the policy's dates (")?;
                in_effect(f, *from, *to)?;
                f.write_str("); evaluate it under the policy in force on that date")
            }
            Data::ModalityNotCovered { modality } => write!(
                f,
                "`modality` is {} and the policy does not cover audio-only services; deliver by audio and video or in person",
                modality.as_str()
            ),
            Data::MissingModifier { modifier, because } => {
                write!(f, "the policy requires {modifier}: {because}")
            }
            Data::UnreadableModifier { index, problem } => {
                write!(f, "`billed.modifiers[{index}]`: {problem}")
            }
            Data::ModifierNotValid { modifier, because } => {
                write!(
                    f,
                    "{modifier} ({}) is not valid here: ",
                    modifier.meaning()
                )?;
                match because {
                    NotValid::Instead { expected } => {
                        write!(f, "the session calls for {expected} instead")
                    }
                    NotValid::InPerson => f.write_str("the session was in person"),
                    NotValid::PolicyTelehealth { modality, expected } => write!(
                        f,
                        "the policy uses {} for {}",
                        expected.map(|m| m.as_str()).unwrap_or("no modifier"),
                        match modality {
                            Modality::AudioOnly => "audio-only",
                            _ => "audio-video telehealth",
                        }
                    ),
                    NotValid::NoProviderLevelOnCode { code } => {
                        write!(f, "{code} carries no provider-level modifier")
                    }
                    NotValid::NoProviderLevels => {
                        f.write_str("the policy uses no provider-level modifiers")
                    }
                    NotValid::Individual => f.write_str("the session was individual"),
                    NotValid::NotEarlyIntervention => {
                        f.write_str("the session is not marked early intervention")
                    }
                    NotValid::NotFollowUp => f.write_str("the session is not marked as a follow-up"),
                    NotValid::TherapyOnOtherCode { code } => {
                        write!(f, "therapy modifiers go with 97535, not {code}")
                    }
                    NotValid::NotAssistant => f.write_str("the provider is not an assistant"),
                    NotValid::SettingLevel { setting } => write!(
                        f,
                        "the policy maps the {} setting to no such level of care",
                        setting.as_str()
                    ),
                    NotValid::NotForCode { code } => write!(
                        f,
                        "the policy puts it on other codes than {code} (`modifier_codes`)"
                    ),
                    NotValid::PolicyDoesNotUse => f.write_str("the policy does not use it"),
                }
            }
            Data::ConflictingModifiers { conflict } => conflict.fmt(f),
            Data::TooManyRequired { required, dropped } => {
                write!(
                    f,
                    "the policy requires {required} modifiers and a line carries four; "
                )?;
                for (i, m) in dropped.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(m.as_str())?;
                }
                f.write_str(" did not fit and were left off")
            }
            Data::TooManyBilled { billed } => write!(
                f,
                "{billed} modifiers billed; a claim line carries at most {MAX_MODIFIERS}"
            ),
            Data::EarlyInterventionAge { max_age_years } => write!(
                f,
                "`early_intervention` is true but the patient is {max_age_years} years old or over on the date of service (the policy's limit); check the IFSP and the TL modifier"
            ),
            Data::UnknownPlaceOfService { expected } => write!(
                f,
                "`billed.place_of_service` is not a place-of-service code this library knows; the session calls for {expected} ({})",
                expected.meaning()
            ),
            Data::PlaceOfServiceMismatch {
                billed,
                expected,
                setting,
                modality,
            } => write!(
                f,
                "billed place of service {billed} ({}), but an {} session with the patient in the {} setting is {expected} ({})",
                billed.meaning(),
                modality_words(*modality),
                setting.as_str(),
                expected.meaning()
            ),
            Data::BilledCodeMismatch {
                billed,
                chosen,
                selection,
            } => {
                write!(f, "billed {billed}, the engine chose {chosen}: ")?;
                for (i, r) in selection.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    r.fmt(f)?;
                }
                Ok(())
            }
            Data::BilledUnitsMismatch {
                billed,
                computed,
                minutes,
                capped,
            } => {
                if *capped && *billed > u64::from(*computed) {
                    write!(
                        f,
                        "`billed.units` claim {billed} but the policy's daily cap allows {computed} on this line (see units_exceed_daily_maximum)"
                    )
                } else if *billed > u64::from(*computed) {
                    write!(
                        f,
                        "`billed.units` claim {billed} but the documented {minutes} minutes support {computed}: more units than the times support"
                    )
                } else {
                    write!(
                        f,
                        "`billed.units` claim {billed} but the documented {minutes} minutes support {computed}: fewer units than earned, revenue left behind"
                    )
                }
            }
            Data::UnroundedUnits => f.write_str(
                "`billed.units` is not a whole number; bill whole units computed from the session times",
            ),
            Data::DailyCap { cap, not_billed } => {
                cap.fmt(f)?;
                if *not_billed {
                    f.write_str("; the encounter is not billed")?;
                }
                Ok(())
            }
            Data::NoTreatmentPlan { code } => write!(
                f,
                "{code} needs a treatment plan whose goals the sessions address; the patient has no `treatment_plan`"
            ),
            Data::SkillNotInPlan { index } => write!(
                f,
                "`documentation.skills_taught[{index}]` is not among the skills of any treatment-plan goal"
            ),
            Data::ObjectiveNotInPlan { index } => write!(
                f,
                "`documentation.objectives[{index}]` names no goal of the treatment plan"
            ),
            Data::GoalWithoutDeficit { goal, via } => write!(
                f,
                "`treatment_plan.goals[{goal}]`, addressed through `documentation.{via}`, documents no functional deficit"
            ),
            Data::MissingElement { element } => write!(
                f,
                "the session note does not document `{}`",
                element.as_str()
            ),
            Data::ProgressReportOverdue {
                days_since,
                interval_days,
            } => match days_since {
                None => write!(
                    f,
                    "no progress report on file; the policy expects one every {interval_days} days"
                ),
                Some(days) => write!(
                    f,
                    "the last progress report is {days} days before the date of service; the policy expects one every {interval_days} days"
                ),
            },
            Data::NoAuthorization(n) => {
                need(f, n)?;
                f.write_str("; the patient has no `authorizations` on file")
            }
            Data::NoAuthorizationForCode(n) => {
                need(f, n)?;
                write!(f, "; no authorization on file lists {}", n.code)
            }
            Data::AuthorizationExpired(n) => {
                need(f, n)?;
                write!(
                    f,
                    "; the date of service is outside every authorization for {} on file",
                    n.code
                )
            }
            Data::AuthorizationExceeded {
                authorization,
                per,
                limit_index,
                line_units,
                used_before_request,
                used_after_line,
                authorized,
                exceeded_by,
                ..
            } => {
                let limit = LimitText(*authorization, *limit_index, *per);
                let within = within(*per);
                if u64::from(*line_units) == *exceeded_by {
                    write!(
                        f,
                        "{limit} was used up{within} before this line: all {line_units} units exceed the {authorized} authorized"
                    )
                } else if *per == Period::Authorization {
                    write!(
                        f,
                        "this line passes {limit} by {exceeded_by} units ({used_after_line} of {authorized} authorized, counting {used_before_request} used before this request)"
                    )
                } else {
                    write!(
                        f,
                        "this line passes {limit} by {exceeded_by} units ({used_after_line} of {authorized} authorized{within})"
                    )
                }
            }
            Data::AuthorizationNearLimit {
                authorization,
                per,
                limit_index,
                used_after_line,
                authorized,
                alert_percent,
                ..
            } => {
                let limit = LimitText(*authorization, *limit_index, *per);
                let left = u64::from(*authorized).saturating_sub(*used_after_line);
                write!(
                    f,
                    "{limit}: {used_after_line} of {authorized} units used{} with this line ({alert_percent}% or more); {left} {} left",
                    within(*per),
                    if left == 1 { "unit" } else { "units" }
                )
            }
            Data::Overlap {
                service,
                other_service,
                ..
            } => write!(
                f,
                "the patient's {service} session overlaps an earlier {other_service} session still running (`data.other`); a patient receives one service at a time"
            ),
            Data::ProviderOverlap { .. } => f.write_str(
                "the provider has a session with another patient at the same time (`data.other`) that is not part of one group session with this one (a group is its encounters with identical start and end)",
            ),
            Data::InvalidEvvVisit { index, problem, .. } => {
                write!(f, "`evv_visits[{index}]` is ignored: ")?;
                match problem {
                    EvvVisitProblem::UnknownPatient => {
                        f.write_str("`patient` names no patient in `patients`")
                    }
                    EvvVisitProblem::UnknownProvider => {
                        f.write_str("`provider` names no provider in `providers`")
                    }
                    EvvVisitProblem::ClockOutNotAfterClockIn => {
                        f.write_str("`clock_out` is not after `clock_in`")
                    }
                    EvvVisitProblem::DuplicateId => {
                        f.write_str("an earlier entry of `evv_visits` has the same `id`")
                    }
                }
            }
            Data::EvvVisitMissing { clock_times } => {
                if *clock_times {
                    f.write_str(
                        "the policy requires an electronic visit verification (EVV) record for this code in person, and no EVV visit of the patient and provider overlaps the session: the claim would find no visit to match",
                    )
                } else {
                    f.write_str(
                        "the policy requires an electronic visit verification (EVV) record for this code in person, and the encounter has no `start` and `end` to match a visit with",
                    )
                }
            }
            Data::EvvVisitUnverified { .. } => f.write_str(
                "only an unverified EVV visit (`data.visit`) overlaps the session: have the visit verified in the EVV system before billing",
            ),
            Data::EvvTimeMismatch {
                started_early_minutes,
                ended_late_minutes,
                tolerance_minutes,
                ..
            } => {
                f.write_str("the session's times fall outside its verified EVV visit (`data.visit`): ")?;
                if *started_early_minutes > 0 {
                    write!(f, "it starts {started_early_minutes} minutes before clock-in")?;
                    if *ended_late_minutes > 0 {
                        f.write_str(" and ")?;
                    }
                }
                if *ended_late_minutes > 0 {
                    write!(f, "it ends {ended_late_minutes} minutes after clock-out")?;
                }
                write!(
                    f,
                    "; the policy allows {tolerance_minutes} {}",
                    if *tolerance_minutes == 1 { "minute" } else { "minutes" }
                )
            }
            Data::EvvUnitsExceeded {
                units,
                visit_minutes,
                visit_units,
                ..
            } => write!(
                f,
                "the line bills {units} {} but the {visit_minutes} minutes of its sessions within their verified EVV visits (`data.visits`) earn {visit_units} under the same rounding: the units would not match the visits",
                if *units == 1 { "unit" } else { "units" }
            ),
            Data::FeeNotFound {
                code,
                modifiers,
                date_of_service,
            } => {
                write!(f, "the policy's `fees` give no fee for {code}")?;
                for (i, m) in modifiers.iter().enumerate() {
                    f.write_str(if i == 0 { " with " } else { ", " })?;
                    f.write_str(m.as_str())?;
                }
                write!(
                    f,
                    " on {date_of_service}: the line has no charge; add a fee for the code (with no modifiers, or with modifiers the line carries) in force that day"
                )
            }
            Data::TooManyDiagnoses { index, claim, max } => write!(
                f,
                "`diagnoses[{index}]` is left off `claims[{claim}]`: a claim carries at most {max} diagnoses and its earlier lines already name {max}; bill this encounter on a claim of its own or keep the diagnoses its lines need"
            ),
            Data::Duplicate { clock_times, .. } => {
                if *clock_times {
                    f.write_str(
                        "same patient, code and start and end times as an earlier encounter (`data.other`): bill the service once",
                    )
                } else {
                    f.write_str(
                        "same patient, provider, code, date and minutes as an earlier encounter (`data.other`): bill the service once",
                    )
                }
            }
        }
    }
}

/// The dates a policy is in force, in words: "in force from 2024-01-01 to 2025-12-31".
fn in_effect(
    f: &mut fmt::Formatter<'_>,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> fmt::Result {
    f.write_str("in force")?;
    if let Some(from) = from {
        write!(f, " from {from}")?;
    }
    match to {
        Some(to) => write!(f, " to {to}"),
        None => f.write_str(" with no end date"),
    }
}
