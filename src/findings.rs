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
    /// A malformed or inconsistent encounter (CARC 16: missing or invalid information).
    InvalidEncounter = "invalid_encounter", Error, Some("16");
    /// The policy requires clock times and the encounter has none (CARC 16).
    MissingSessionTimes = "missing_session_times", Error, Some("16");
    /// The line earns no unit.
    BelowMinimumTime = "below_minimum_time", Warning, None;
    /// Psychotherapy or case management: another code family.
    ServiceOutOfScope = "service_out_of_scope", Info, None;
    /// The payer covers no candidate code (CARC 96: non-covered charge).
    CodeNotCovered = "code_not_covered", Error, Some("96");
    /// The provider cannot bill the code (CARC 185: rendering provider not eligible).
    ProviderNotEligible = "provider_not_eligible", Error, Some("185");
    /// Audio-only where the policy does not cover it (CARC 58: place/type of service).
    ModalityNotCovered = "modality_not_covered", Error, Some("58");
    /// More than four modifiers required (CARC 4: modifier inconsistent or missing).
    TooManyModifiers = "too_many_modifiers", Error, Some("4");
    /// The line was cut to the policy's daily cap (CARC 151: units not supported).
    UnitsExceedDailyMaximum = "units_exceed_daily_maximum", Warning, Some("151");
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
            message: message.into(),
        }
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
