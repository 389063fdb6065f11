//! Denial-risk findings: what threatens a claim line, with a stable rule id, a severity and
//! the X12 claim adjustment reason code (CARC) a payer would deny it with.
//!
//! Rule ids, severities and CARCs are part of the public contract; the CARC meanings are
//! those of the X12 CARC list as summarised in `../shared/DOMAIN.md` §5. Messages name
//! fields, never patient data.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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
        #[serde(rename_all = "snake_case")]
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
    /// The line earns no unit.
    BelowMinimumTime = "below_minimum_time", Warning, None;
    /// Psychotherapy or case management: another code family.
    ServiceOutOfScope = "service_out_of_scope", Info, None;
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
    /// Two encounters of the same patient overlap in time (CARC 97: the benefit for this
    /// service is included in another service).
    OverlappingServices = "overlapping_services", Error, Some("97");
    /// One provider in two individual sessions with different patients at the same time.
    ProviderOverlap = "provider_overlap", Warning, None;
    /// The same patient, code and times twice (CARC 18: exact duplicate claim/service).
    DuplicateEncounter = "duplicate_encounter", Error, Some("18");
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One finding on an encounter or a line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule that fired.
    pub rule: Rule,
    /// Its severity.
    pub severity: Severity,
    /// The CARC a payer would deny with, if any.
    pub carc: Option<String>,
    /// The encounter concerned (its id, or `encounters[i]` when it had no readable id).
    pub encounter: Option<String>,
    /// The index of the line concerned in `Response.lines`, if the finding is about a line.
    pub line: Option<usize>,
    /// The documentation element or field concerned (`participation`,
    /// `documentation.skills_taught[1]`, `billed.modifiers[0]`), if any.
    pub element: Option<String>,
    /// What a biller can act on. Names fields, never patient data.
    pub message: String,
}

impl Finding {
    /// A finding of `rule` on `encounter`.
    pub fn new(rule: Rule, encounter: Option<&str>, message: impl Into<String>) -> Finding {
        Finding {
            rule,
            severity: rule.severity(),
            carc: rule.carc().map(str::to_owned),
            encounter: encounter.map(str::to_owned),
            line: None,
            element: None,
            message: message.into(),
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
        let f = Finding::new(Rule::CodeNotCovered, Some("e1"), "x");
        assert_eq!(f.severity, Severity::Error);
        assert_eq!(f.carc.as_deref(), Some("96"));
        let f = Finding::new(Rule::BelowMinimumTime, None, "x").on_line(2);
        assert_eq!(f.carc, None);
        assert_eq!(f.line, Some(2));
        let v = serde_json::to_value(&f).unwrap();
        assert!(v["carc"].is_null());
    }
}
