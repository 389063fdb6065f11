//! The denial-risk checks: each a function of the evaluation and the policy that returns
//! findings. None changes the evaluation or reads text another module wrote.
//!
//! - [`eligibility`]: educational sessions, early intervention past its age limit;
//! - [`documentation`]: the session note, the treatment plan, progress reports;
//! - [`audit`]: the biller's intended line against the engine's;
//! - [`authorization`]: prior authorization and the limits of the authorizations on
//!   file (it also says which authorization each line draws on, for the engine to write on
//!   the line);
//! - [`overlaps`]: overlapping services, a provider with two patients, duplicates;
//! - [`evv`]: electronic visit verification, the encounters and lines against the visits.

mod audit;
mod authorization;
mod documentation;
mod eligibility;
mod evv;
mod overlaps;

use crate::evaluation::Evaluation;
use crate::findings::Finding;
use crate::request::EvvVisit;

pub(crate) use authorization::Drawn;

/// What the checks found.
pub(crate) struct Checked {
    /// Every check's findings, each with the position of its encounter in the request (one
    /// past the last encounter for a finding on no encounter).
    pub findings: Vec<(usize, Finding)>,
    /// The lines that draw on an authorization on file, with what each leaves.
    pub drawn: Vec<Drawn>,
}

/// Every check's findings, and what the lines draw on the authorizations on file. Each
/// encounter and line is checked under the policy version in force on its date of service
/// ([`Evaluated::policy`](crate::evaluation::Evaluated)).
pub(crate) fn run(eval: &Evaluation<'_>, visits: &[EvvVisit]) -> Checked {
    let mut found = Vec::new();
    let mut drawn = Vec::new();
    let mut plans = documentation::PlanIndexes::default();
    for ev in &eval.encounters {
        eligibility::check(ev.policy, ev, &mut found);
        documentation::check(ev.policy, ev, &mut plans, &mut found);
    }
    audit::check(eval, &mut found);
    authorization::check(eval, &mut found, &mut drawn);
    overlaps::check(&eval.encounters, &mut found);
    // Findings on a visit go after every encounter's.
    evv::check(eval, visits, eval.decisions.len(), &mut found);
    Checked {
        findings: found,
        drawn,
    }
}
