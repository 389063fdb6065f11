//! Whether the payer pays for this kind of session at all: primarily educational sessions
//! and early intervention past its age limit.
//!
//! Sources: DOMAIN.md §6 (commercial payers do not cover primarily educational services;
//! CARC 96) and §3 (TL marks early intervention under an individualized family service
//! plan, which IDEA Part C provides from birth to age three).

use crate::claim::{Context, Output};
use crate::findings::Rule;
use crate::policy::Policy;

/// Adds `educational_purpose` and `early_intervention_age` findings for one encounter.
pub(crate) fn check(policy: &Policy, ctx: &Context<'_>, out: &mut Output) {
    if ctx.code.is_none() {
        return;
    }
    if ctx.enc.educational && policy.excludes_educational() {
        out.finding(
            ctx.item,
            Rule::EducationalPurpose,
            format!(
                "`educational` is true and policy {} does not cover services whose main purpose is education; document the functional deficit the skills address",
                policy.id()
            ),
        )
        .element = Some("educational".to_owned());
    }
    if !ctx.enc.early_intervention {
        return;
    }
    let (Some(session), Some(birth)) = (ctx.session, ctx.patient.birth_date) else {
        return;
    };
    let limit = policy.early_intervention_max_age_years();
    let Some(age) = session.date_of_service().years_since(birth) else {
        return;
    };
    if age >= limit {
        out.finding(
            ctx.item,
            Rule::EarlyInterventionAge,
            format!(
                "`early_intervention` is true but the patient is {limit} years old or over on the date of service (the limit under policy {}); check the IFSP and the TL modifier",
                policy.id()
            ),
        )
        .element = Some("early_intervention".to_owned());
    }
}
