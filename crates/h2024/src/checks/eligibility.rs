//! Whether the payer pays for this kind of session at all: primarily educational sessions
//! and early intervention past its age limit.
//!
//! Sources: `docs/rules.md`, "Coverage exclusions" (commercial payers do not cover primarily
//! educational services; CARC 96) and "Early intervention (TL)" (TL marks early
//! intervention under an individualized family service plan, which IDEA Part C provides
//! from birth to age three).

use crate::evaluation::Evaluated;
use crate::findings::{Data, Finding, Rule};
use crate::policy::Policy;

/// `educational_purpose` and `early_intervention_age` findings for one encounter.
pub(crate) fn check(policy: &Policy, ev: &Evaluated<'_>, found: &mut Vec<(usize, Finding)>) {
    if ev.code.is_none() {
        return;
    }
    if ev.enc.educational && policy.excludes_educational() {
        let (item, f) = ev.finding(Rule::EducationalPurpose, Data::Educational);
        found.push((item, f.on_element("educational")));
    }
    if !ev.enc.early_intervention {
        return;
    }
    let (Some(session), Some(birth)) = (ev.session, ev.patient.birth_date) else {
        return;
    };
    let limit = policy.early_intervention_max_age_years();
    let Some(age) = session.date_of_service().years_since(birth) else {
        return;
    };
    if age >= limit {
        let (item, f) = ev.finding(
            Rule::EarlyInterventionAge,
            Data::EarlyInterventionAge {
                max_age_years: limit,
            },
        );
        found.push((item, f.on_element("early_intervention")));
    }
}
