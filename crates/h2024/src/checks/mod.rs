//! The denial-risk checks: each a function of the evaluation and the policy that returns
//! findings. None changes the evaluation or reads text another module wrote.
//!
//! - [`eligibility`]: educational sessions, early intervention past its age limit;
//! - [`documentation`]: the session note, the treatment plan, progress reports;
//! - [`audit`]: the biller's intended line against the engine's;
//! - [`authorization`]: prior authorization and authorized units;
//! - [`overlaps`]: overlapping services, a provider with two patients, duplicates.

mod audit;
mod authorization;
mod documentation;
mod eligibility;
mod overlaps;

use crate::evaluation::Evaluation;
use crate::findings::Finding;
use crate::policy::Policy;

/// Every check's findings, each with the position of its encounter in the request.
pub(crate) fn run(policy: &Policy, eval: &Evaluation<'_>) -> Vec<(usize, Finding)> {
    let mut found = Vec::new();
    let mut plans = documentation::PlanIndexes::default();
    for ev in &eval.encounters {
        eligibility::check(policy, ev, &mut found);
        documentation::check(policy, ev, &mut plans, &mut found);
    }
    audit::check(policy, eval, &mut found);
    authorization::check(policy, eval, &mut found);
    overlaps::check(&eval.encounters, &mut found);
    found
}
