//! Denial-risk findings: what threatens a claim line, with a stable rule id, a severity and
//! the X12 claim adjustment reason code (CARC) a payer would deny it with.
//!
//! Rule ids, severities and CARCs are part of the public contract; the CARC meanings are
//! those of the X12 CARC list as summarised in `docs/rules.md`, "Denial reason codes (CARC)".
//! Messages name
//! fields, never patient data.

use std::borrow::Cow;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::codes::{Code, CodeSetId, Service};
use crate::credentials::Discipline;
use crate::error::RequestErrorKind;
use crate::ids::Id;
use crate::modifiers::{InvalidModifier, Modifier, ModifierConflict};
use crate::places::PlaceOfService;
use crate::places::{Modality, Setting};
use crate::policy::IgnoredBecause;
use crate::reasons::Because;
use crate::reasons::{Cap, Reason};
use crate::request::Period;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; no denial expected.
    Info,
    /// A real risk of denial or lost revenue.
    Warning,
    /// The payer will deny, or the line cannot be billed.
    Error,
}

impl Severity {
    /// The snake_case name used in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! rules {
    ($( $(#[$doc:meta])* $variant:ident = $id:literal, $severity:ident, $carc:expr; )*) => {
        /// A finding's rule. The id (`invalid_encounter`, ...) is stable.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(rename_all = "snake_case")]
        #[non_exhaustive]
        pub enum Rule {
            $( $(#[$doc])* $variant, )*
        }

        impl Rule {
            /// Every rule.
            pub const ALL: &'static [Rule] = &[ $( Rule::$variant, )* ];

            /// The stable rule id.
            pub const fn id(self) -> &'static str {
                match self { $( Rule::$variant => $id, )* }
            }

            /// The rule's severity.
            pub const fn severity(self) -> Severity {
                match self { $( Rule::$variant => Severity::$severity, )* }
            }

            /// The X12 claim adjustment reason code a payer would use, if any.
            pub const fn carc(self) -> Option<&'static str> {
                match self { $( Rule::$variant => $carc, )* }
            }
        }
    };
}

rules! {
    /// The request could not be evaluated as a whole (typed `Engine::evaluate` only).
    RequestRefused = "request_refused", Error, None;
    /// A malformed or inconsistent encounter (CARC 16: claim lacks information or has
    /// submission errors).
    InvalidEncounter = "invalid_encounter", Error, Some("16");
    /// The policy requires clock times and the encounter has none (CARC 16; Oklahoma OAC
    /// 317:30-5-248 and NY OPWDD require start and stop times).
    MissingSessionTimes = "missing_session_times", Error, Some("16");
    /// The line earns no unit, or the session is shorter than the policy's minimum session
    /// length and counts on no line (`docs/rules.md`, "Minimum session length"). No CARC:
    /// nothing is billed, so nothing is denied; the warning is revenue the times do not earn.
    BelowMinimumTime = "below_minimum_time", Warning, None;
    /// Psychotherapy or case management: another code family.
    ServiceOutOfScope = "service_out_of_scope", Info, None;
    /// The date of service is outside the dates the policy is in force.
    PolicyNotInEffect = "policy_not_in_effect", Error, None;
    /// The payer covers no candidate code, or not the billed or pinned code (CARC 96:
    /// non-covered charge).
    CodeNotCovered = "code_not_covered", Error, Some("96");
    /// The provider cannot bill the code (CARC 185: rendering provider not eligible).
    ProviderNotEligible = "provider_not_eligible", Error, Some("185");
    /// A primarily educational session under a policy that excludes them (CARC 96).
    EducationalPurpose = "educational_purpose", Error, Some("96");
    /// Audio-only where the policy does not cover it (CARC 58: treatment deemed rendered in
    /// an inappropriate or invalid place of service).
    ModalityNotCovered = "modality_not_covered", Error, Some("58");
    /// The billed line lacks a modifier the payer requires (CARC 4: modifier inconsistent
    /// or missing).
    MissingRequiredModifier = "missing_required_modifier", Error, Some("4");
    /// A billed modifier is malformed, unknown, or not valid for the code or policy (CARC 4).
    InvalidModifier = "invalid_modifier", Error, Some("4");
    /// Two billed modifiers conflict (CARC 4).
    ConflictingModifiers = "conflicting_modifiers", Error, Some("4");
    /// More than four modifiers required or billed (CARC 4).
    TooManyModifiers = "too_many_modifiers", Error, Some("4");
    /// Early intervention for a patient at or over the policy's age limit (CARC 4).
    EarlyInterventionAge = "early_intervention_age", Warning, Some("4");
    /// The billed place of service does not fit the setting and modality (CARC 5: place of
    /// service inconsistent with the procedure code or modifier).
    PlaceOfServiceMismatch = "place_of_service_mismatch", Error, Some("5");
    /// The billed code differs from the engine's choice.
    BilledCodeMismatch = "billed_code_mismatch", Warning, None;
    /// The billed units differ from the line's computed units (CARC 151: payment adjusted
    /// because the information does not support this many services).
    BilledUnitsMismatch = "billed_units_mismatch", Error, Some("151");
    /// Billed units are not a whole number (CARC 16).
    UnroundedUnits = "unrounded_units", Error, Some("16");
    /// The line was cut to the policy's daily cap (CARC 151).
    UnitsExceedDailyMaximum = "units_exceed_daily_maximum", Warning, Some("151");
    /// No treatment plan for a skills, rehabilitation or employment code (CARC 50: not
    /// deemed a medical necessity).
    NoTreatmentPlan = "no_treatment_plan", Error, Some("50");
    /// A skill taught or an objective that no goal of the plan covers (CARC 50).
    SkillNotInTreatmentPlan = "skill_not_in_treatment_plan", Error, Some("50");
    /// An addressed goal with no documented functional deficit (CARC 50).
    GoalWithoutDeficit = "goal_without_deficit", Error, Some("50");
    /// A documentation element is missing from the session note (CARC 16).
    MissingDocumentation = "missing_documentation", Warning, Some("16");
    /// The last progress report is older than the policy's interval, or there is none
    /// (CARC 50).
    ProgressReportOverdue = "progress_report_overdue", Warning, Some("50");
    /// A required prior authorization is absent (CARC 197: precertification/authorization
    /// absent).
    PriorAuthorizationMissing = "prior_authorization_missing", Error, Some("197");
    /// The date of service is outside the authorization (CARC 197).
    AuthorizationExpired = "authorization_expired", Error, Some("197");
    /// An authorization exists, but not for this code (CARC 15: the authorization number is
    /// missing, invalid, or does not apply to the billed services).
    AuthorizationCodeMismatch = "authorization_code_mismatch", Error, Some("15");
    /// The line passes the authorized units (CARC 198: precertification/authorization
    /// exceeded).
    AuthorizationExceeded = "authorization_exceeded", Error, Some("198");
    /// The line uses up the policy's `authorization_alert_percent` of an authorization
    /// limit or more, without passing it: once per limit and period.
    AuthorizationNearLimit = "authorization_near_limit", Info, None;
    /// Two encounters of the same patient overlap in time (CARC 97: the benefit for this
    /// service is included in another service).
    OverlappingServices = "overlapping_services", Error, Some("97");
    /// One provider with two patients at the same time outside one group session.
    ProviderOverlap = "provider_overlap", Warning, None;
    /// The same patient, code and times twice (CARC 18: exact duplicate claim/service).
    DuplicateEncounter = "duplicate_encounter", Error, Some("18");
    /// An entry of `other_timed_services` is not counted toward the CMS 8-minute total: its
    /// code is not among the policy's `timed_codes`, or the engine bills it itself
    /// (`docs/rules.md`, "Other timed services"). No CARC: the entry only feeds the unit
    /// count; the warning is that the total may be off.
    OtherTimedServiceIgnored = "other_timed_service_ignored", Warning, None;
    /// The policy has a fee schedule and no entry of it matches the line's code, modifiers
    /// and date of service: the line has no charge (`docs/rules.md`, "Fees and charges").
    /// No CARC: nothing is denied; the claim cannot be priced until a fee is found. Never
    /// raised under a policy without `fees`.
    FeeNotFound = "fee_not_found", Warning, None;
    /// The claim's lines name more than twelve distinct diagnoses: those beyond are left off
    /// the claim (837P HI, CMS-1500 box 21 hold twelve; `docs/rules.md`, "Diagnoses"). CARC
    /// 16: the claim lacks information the payer needs.
    TooManyDiagnoses = "too_many_diagnoses", Error, Some("16");
    /// An entry of `evv_visits` names an unknown patient or provider, repeats another's id,
    /// or its clock-out is not after its clock-in: it is ignored (`docs/rules.md`,
    /// "Electronic visit verification"). On no encounter; no CARC: the visit is not billed.
    InvalidEvvVisit = "invalid_evv_visit", Warning, None;
    /// An in-person encounter of a code the policy's `evv` requires, and no EVV visit of
    /// its patient and provider overlaps it (CARC 16: the aggregator finds no visit, "EVV
    /// Visit Not Found").
    EvvVisitMissing = "evv_visit_missing", Error, Some("16");
    /// Only unverified EVV visits overlap the encounter (CARC 16 once billed unverified).
    EvvVisitUnverified = "evv_visit_unverified", Warning, Some("16");
    /// The encounter starts before its verified visit's clock-in or ends after its
    /// clock-out by more than the policy's tolerance (CARC 16).
    EvvTimeMismatch = "evv_time_mismatch", Error, Some("16");
    /// The line's units exceed what its encounters' verified visit minutes earn under the
    /// same rounding (CARC 151: "Units Do Not Match").
    EvvUnitsExceeded = "evv_units_exceeded", Error, Some("151");
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One finding on an encounter or a line.
///
/// The values it is about are in [`Finding::data`]; its message is rendered from them
/// ([`Finding::message`]) and written to JSON only when the response is explained.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "schema",
    schemars(deny_unknown_fields, transform = finding_prose)
)]
#[non_exhaustive]
pub struct Finding {
    /// The rule that fired.
    pub rule: Rule,
    /// Its severity.
    pub severity: Severity,
    /// The CARC a payer would deny with, if any.
    pub carc: Option<Cow<'static, str>>,
    /// The encounter concerned (its id, or `encounters[i]` when it had no readable id).
    pub encounter: Option<Id>,
    /// The index of the line concerned in `Response.lines`, if the finding is about a line.
    pub line: Option<usize>,
    /// The documentation element or field concerned (`participation`,
    /// `documentation.skills_taught[1]`, `billed.modifiers[0]`), if any.
    pub element: Option<String>,
    /// The values the finding is about.
    pub data: Data,
}

impl Finding {
    /// A finding of `rule` on `encounter`, about `data`.
    pub fn new(rule: Rule, encounter: Option<&str>, data: Data) -> Finding {
        Finding::about(rule, encounter.map(Id::from), data)
    }

    /// [`Finding::new`] with the encounter's id already owned (no second copy).
    pub(crate) fn about(rule: Rule, encounter: Option<Id>, data: Data) -> Finding {
        Finding {
            rule,
            severity: rule.severity(),
            carc: rule.carc().map(Cow::Borrowed),
            encounter,
            line: None,
            element: None,
            data,
        }
    }

    /// The same finding, about the element or field `element`.
    pub fn on_element(mut self, element: impl Into<String>) -> Finding {
        self.element = Some(element.into());
        self
    }

    /// The same finding, about line `line`.
    pub fn on_line(mut self, line: usize) -> Finding {
        self.line = Some(line);
        self
    }
}

/// Where an authorization check stands for a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[non_exhaustive]
pub struct AuthorizationNeed {
    /// The line's code.
    pub code: Code,
    /// Whether the policy requires an authorization for the line. When it does not, the
    /// authorizations on file are checked all the same.
    #[serde(default = "yes")]
    pub required: bool,
    /// The policy's daily threshold above which an authorization is needed (`None`: always,
    /// or never when `required` is false).
    pub above_units_per_day: Option<u32>,
    /// The patient's units of the code that day.
    pub day_units: u32,
}

fn yes() -> bool {
    true
}

/// Why a billed modifier is not valid for the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum NotValid {
    /// The session calls for another modifier of the same group.
    Instead {
        /// The modifier the session calls for.
        expected: Modifier,
    },
    /// A telehealth modifier on an in-person session.
    InPerson,
    /// The policy's modifier for the session's telehealth modality differs (or there is none).
    PolicyTelehealth {
        /// The modality.
        modality: Modality,
        /// The policy's modifier for it.
        expected: Option<Modifier>,
    },
    /// A provider-level modifier on a code that takes none.
    NoProviderLevelOnCode {
        /// The code.
        code: Code,
    },
    /// The policy uses no provider-level modifiers.
    NoProviderLevels,
    /// A group modifier on an individual session.
    Individual,
    /// An early-intervention modifier on a session not marked so.
    NotEarlyIntervention,
    /// A follow-up modifier on a session not marked so.
    NotFollowUp,
    /// A therapy modifier on a code that is not 97535.
    TherapyOnOtherCode {
        /// The code.
        code: Code,
    },
    /// An assistant modifier for a provider who is not an assistant.
    NotAssistant,
    /// A state-defined modifier the policy does not map the setting to.
    SettingLevel {
        /// The setting.
        setting: Setting,
    },
    /// The session calls for the modifier, but the policy puts it on other codes
    /// (`modifier_codes`).
    NotForCode {
        /// The code.
        code: Code,
    },
    /// The policy does not use the modifier.
    PolicyDoesNotUse,
}

/// The values a finding is about, by kind. Serialized as `{"kind": "...", ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Data {
    /// The request was refused as a whole.
    RequestRefused {
        /// What kind of problem refused it.
        error: RequestErrorKind,
        /// The JSON path at fault, if any.
        path: Option<String>,
    },
    /// A malformed or inconsistent encounter field.
    InvalidField {
        /// The field at fault.
        field: String,
        /// What is wrong with it, in words (never its value).
        problem: String,
    },
    /// No session time at all.
    NoTime,
    /// Only `date` and `minutes` where the policy requires clock times.
    ClockTimesRequired,
    /// The line earns no unit.
    BelowMinimum {
        /// The line's code.
        code: Code,
        /// Minutes needed for a unit.
        minimum_minutes: u32,
        /// Minutes documented on the line.
        line_minutes: u32,
    },
    /// The session is shorter than the policy's minimum session length for the code: it
    /// earns no unit and adds no minutes to its line.
    BelowSessionMinimum {
        /// The code.
        code: Code,
        /// The session's minutes.
        session_minutes: u32,
        /// The minimum session length (`units.<code>.min_session_minutes`).
        min_session_minutes: u32,
    },
    /// An entry of `other_timed_services` that is not counted.
    OtherTimedServiceIgnored {
        /// Its position in `other_timed_services`.
        index: usize,
        /// Its code (a validated five-character code).
        code: String,
        /// Why it is not counted.
        because: IgnoredBecause,
    },
    /// Under the CMS 8-minute rule the day's units go to services with more minutes.
    #[serde(rename = "cms_8_minute_share")]
    Cms8MinuteShare {
        /// The line's code.
        code: Code,
        /// The patient's timed minutes that day.
        day_minutes: u32,
        /// Units they earn.
        day_units: u32,
    },
    /// A service billed with another code family.
    OutOfScope {
        /// The service.
        service: Service,
    },
    /// The policy covers no candidate code for the service.
    NoCoveredCode {
        /// The service.
        service: Service,
        /// Its codes in the code set.
        codes: Vec<Code>,
    },
    /// The code set has no code for the service.
    NoCodeForService {
        /// The service.
        service: Service,
        /// The code set.
        code_set: CodeSetId,
    },
    /// A pinned or billed code the policy does not cover.
    CodeNotCovered {
        /// The code.
        code: Code,
        /// Whether it was billed (`billed.code`) rather than pinned.
        billed: bool,
    },
    /// `billed.code` is not a code this library knows.
    UnknownBilledCode {
        /// The code the engine bills.
        engine_code: Code,
    },
    /// The provider cannot bill the code.
    ProviderNotEligible {
        /// The code.
        code: Code,
        /// The provider's discipline.
        discipline: Discipline,
    },
    /// An educational session under a policy that excludes them.
    Educational,
    /// The date of service is outside the policy's `effective` dates.
    PolicyNotInEffect {
        /// The date of service.
        date: NaiveDate,
        /// The policy's first date in force, if it has one.
        from: Option<NaiveDate>,
        /// The policy's last date in force, if it has one.
        to: Option<NaiveDate>,
    },
    /// Audio-only where the policy does not cover it.
    ModalityNotCovered {
        /// The modality.
        modality: Modality,
    },
    /// A required modifier is missing from `billed.modifiers`.
    MissingModifier {
        /// The modifier.
        modifier: Modifier,
        /// Why the policy requires it.
        because: Because,
    },
    /// A billed modifier that cannot be read.
    UnreadableModifier {
        /// Its position in `billed.modifiers`.
        index: usize,
        /// What is wrong with it.
        problem: InvalidModifier,
    },
    /// A billed modifier that is not valid for the line.
    ModifierNotValid {
        /// The modifier.
        modifier: Modifier,
        /// Why not.
        because: NotValid,
    },
    /// Two billed modifiers conflict.
    ConflictingModifiers {
        /// The pair and why.
        conflict: ModifierConflict,
    },
    /// More modifiers required than a line carries.
    TooManyRequired {
        /// How many the policy requires.
        required: usize,
        /// Those left off.
        dropped: Vec<Modifier>,
    },
    /// More modifiers billed than a line carries.
    TooManyBilled {
        /// How many were billed.
        billed: usize,
    },
    /// Early intervention at or over the age limit.
    EarlyInterventionAge {
        /// The policy's age limit in years.
        max_age_years: u32,
    },
    /// `billed.place_of_service` is not a known code.
    UnknownPlaceOfService {
        /// The place of service the session calls for.
        expected: PlaceOfService,
    },
    /// The billed place of service differs from the session's.
    PlaceOfServiceMismatch {
        /// The billed place of service.
        billed: PlaceOfService,
        /// The one the session calls for.
        expected: PlaceOfService,
        /// The setting.
        setting: Setting,
        /// The modality.
        modality: Modality,
    },
    /// The billed code differs from the engine's.
    BilledCodeMismatch {
        /// The billed code.
        billed: Code,
        /// The engine's code.
        chosen: Code,
        /// The selection steps of the engine's decision.
        selection: Vec<Reason>,
    },
    /// Billed units differ from the line's.
    BilledUnitsMismatch {
        /// Units billed.
        billed: u64,
        /// Units the engine computed.
        computed: u32,
        /// Documented minutes.
        minutes: u32,
        /// Whether the daily cap cut the line.
        capped: bool,
    },
    /// `billed.units` is not whole.
    UnroundedUnits,
    /// A daily cap cut the line.
    DailyCap {
        /// The cap.
        cap: Cap,
        /// Whether the encounter is left on no line.
        not_billed: bool,
    },
    /// No treatment plan for a plan-based code.
    NoTreatmentPlan {
        /// The code.
        code: Code,
    },
    /// A skill taught that no goal covers.
    SkillNotInPlan {
        /// Its position in `documentation.skills_taught`.
        index: usize,
    },
    /// An objective that names no goal.
    ObjectiveNotInPlan {
        /// Its position in `documentation.objectives`.
        index: usize,
    },
    /// An addressed goal without a documented deficit.
    GoalWithoutDeficit {
        /// The goal's position in `treatment_plan.goals`.
        goal: usize,
        /// The documentation element that addresses it (`skills_taught[0]`).
        via: String,
    },
    /// A documentation element is missing.
    MissingElement {
        /// The element.
        element: DocumentationElement,
    },
    /// The progress report is overdue or absent.
    ProgressReportOverdue {
        /// Days from the last report to the date of service (`None`: no report).
        days_since: Option<i64>,
        /// The policy's interval in days.
        interval_days: u32,
    },
    /// An authorization is required and the patient has none.
    NoAuthorization(AuthorizationNeed),
    /// Authorizations exist, none for the code.
    NoAuthorizationForCode(AuthorizationNeed),
    /// The date of service is outside every authorization for the code.
    AuthorizationExpired(AuthorizationNeed),
    /// The line passes a limit of the authorization: `units_authorized` or one of its
    /// `limits`, in the period named.
    AuthorizationExceeded {
        /// The authorization number.
        number: String,
        /// Its position in `authorizations`.
        authorization: usize,
        /// The period the limit counts over.
        per: Period,
        /// The position of the limit in the authorization's `limits`; `None` for
        /// `units_authorized`.
        limit_index: Option<u8>,
        /// The period's first day: the date of service, the first day of its week (from
        /// the policy's `week_start`), the first of its month, or the authorization's
        /// `start`.
        period_start: NaiveDate,
        /// The line's units.
        line_units: u32,
        /// Units used before the request that count toward the limit (`units_used` for the
        /// whole-authorization limits, 0 for the others).
        used_before_request: u32,
        /// Units used in the period after this line.
        used_after_line: u64,
        /// The limit: units authorized in the period.
        authorized: u32,
        /// By how much the line passes it (the whole line once it was used up).
        exceeded_by: u64,
    },
    /// The line uses up the policy's alert share of a limit of the authorization, without
    /// passing it.
    AuthorizationNearLimit {
        /// The authorization number.
        number: String,
        /// Its position in `authorizations`.
        authorization: usize,
        /// The period the limit counts over.
        per: Period,
        /// The position of the limit in the authorization's `limits`; `None` for
        /// `units_authorized`.
        limit_index: Option<u8>,
        /// The period's first day (as for `authorization_exceeded`).
        period_start: NaiveDate,
        /// Units used in the period after this line (with `units_used` for the
        /// whole-authorization limits).
        used_after_line: u64,
        /// The limit: units authorized in the period.
        authorized: u32,
        /// The policy's `authorization_alert_percent`.
        alert_percent: u32,
    },
    /// Two encounters of the patient overlap.
    Overlap {
        /// The earlier encounter still running.
        other: Id,
        /// This encounter's service.
        service: Service,
        /// The other encounter's service.
        other_service: Service,
    },
    /// The provider is with another patient at the same time, outside one group session.
    ProviderOverlap {
        /// The other encounter.
        other: Id,
    },
    /// An entry of `evv_visits` that is ignored.
    InvalidEvvVisit {
        /// The visit's id.
        visit: String,
        /// Its position in `evv_visits`.
        index: usize,
        /// What is wrong with it.
        problem: EvvVisitProblem,
    },
    /// No EVV visit of the encounter's patient and provider overlaps it.
    EvvVisitMissing {
        /// Whether the encounter has clock times to match (without them no visit can
        /// match).
        clock_times: bool,
    },
    /// Only unverified visits overlap the encounter; the one that overlaps most.
    EvvVisitUnverified {
        /// The visit's id.
        visit: String,
    },
    /// The encounter's times pass its verified visit's clock-in or clock-out.
    EvvTimeMismatch {
        /// The verified visit that overlaps the encounter most.
        visit: String,
        /// Whole minutes the encounter starts before clock-in (0: not before).
        started_early_minutes: u32,
        /// Whole minutes the encounter ends after clock-out (0: not after).
        ended_late_minutes: u32,
        /// The policy's `evv.tolerance_minutes`.
        tolerance_minutes: u32,
    },
    /// The line bills more units than its encounters' verified visit minutes earn.
    EvvUnitsExceeded {
        /// The verified visits of the line's encounters, in the line's order, each once.
        visits: Vec<String>,
        /// The line's units.
        units: u32,
        /// The minutes of the line's encounters within their visits.
        visit_minutes: u32,
        /// The units those minutes earn under the line's rounding.
        visit_units: u32,
    },
    /// The same service entered twice.
    Duplicate {
        /// The encounter it repeats.
        other: Id,
        /// Whether they match by clock times (or by date and minutes).
        clock_times: bool,
    },
    /// The policy's fee schedule has no entry for the line.
    FeeNotFound {
        /// The line's code.
        code: Code,
        /// The line's modifiers.
        modifiers: Vec<Modifier>,
        /// The line's date of service.
        date_of_service: NaiveDate,
    },
    /// A diagnosis of the encounter is left off its claim, which already carries twelve.
    TooManyDiagnoses {
        /// Its position in the encounter's `diagnoses`.
        index: usize,
        /// The claim, in `Response.claims`.
        claim: usize,
        /// The most a claim carries (12).
        max: usize,
    },
}

pub use crate::policy::DocumentationElement;

/// What is wrong with an entry of `evv_visits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EvvVisitProblem {
    /// `patient` names no patient in `patients`.
    UnknownPatient,
    /// `provider` names no provider in `providers`.
    UnknownProvider,
    /// `clock_out` is not after `clock_in`.
    ClockOutNotAfterClockIn,
    /// Another visit earlier in `evv_visits` has this id.
    DuplicateId,
}

impl EvvVisitProblem {
    /// The field at fault.
    pub const fn field(self) -> &'static str {
        match self {
            EvvVisitProblem::UnknownPatient => "patient",
            EvvVisitProblem::UnknownProvider => "provider",
            EvvVisitProblem::ClockOutNotAfterClockIn => "clock_out",
            EvvVisitProblem::DuplicateId => "id",
        }
    }
}

#[cfg(feature = "schema")]
/// Adds an optional string property `name` (prose, only in an explained response).
pub(crate) fn prose_property(
    schema: &mut schemars::Schema,
    name: &str,
    property: serde_json::Value,
) {
    if let Some(serde_json::Value::Object(properties)) = schema.get_mut("properties") {
        properties.insert(name.to_owned(), property);
    }
}

#[cfg(feature = "schema")]
/// A finding's `message`, in an explained response only.
pub(crate) fn finding_prose(schema: &mut schemars::Schema) {
    prose_property(
        schema,
        "message",
        serde_json::json!({
            "description": "What a biller can act on, rendered from `data`; names fields, never patient data. Only in an explained response (`explain` true).",
            "type": "string",
        }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_match_serde_names() {
        for &rule in Rule::ALL {
            let json = serde_json::to_string(&rule).unwrap();
            assert_eq!(json, format!("\"{}\"", rule.id()));
            assert_eq!(serde_json::from_str::<Rule>(&json).unwrap(), rule);
        }
    }

    #[test]
    fn finding_takes_severity_and_carc_from_its_rule() {
        let f = Finding::new(Rule::CodeNotCovered, Some("e1"), Data::UnroundedUnits);
        assert_eq!(f.severity, Severity::Error);
        assert_eq!(f.carc.as_deref(), Some("96"));
        let f = Finding::new(Rule::BelowMinimumTime, None, Data::UnroundedUnits).on_line(2);
        assert_eq!(f.carc, None);
        assert_eq!(f.line, Some(2));
        let v = serde_json::to_value(&f).unwrap();
        assert!(v["carc"].is_null());
    }
}
