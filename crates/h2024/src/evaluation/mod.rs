//! The evaluation of a request, as typed data: what the engine made of each encounter and
//! each line. Built once by [`claim`](crate::claim), then read (never changed) by the
//! [`checks`](crate::checks) and turned into the response by the engine.

pub(crate) mod claim;
pub(crate) mod index;

use crate::codes::Code;
use crate::evaluation::index::Index;
use crate::findings::{Data, Finding, Rule};
use crate::places::PlaceOfService;
use crate::policy::Policy;
use crate::reasons::UnitsBasis;
use crate::request::{Encounter, Patient, Provider};
use crate::requirements::RequiredModifiers;
use crate::response::{Decision, Line};
use crate::session::Session;

/// One encounter that passed validation (coded or not).
pub(crate) struct Evaluated<'a> {
    /// Position in the request.
    pub item: usize,
    pub enc: &'a Encounter,
    pub patient: &'a Patient,
    pub provider: &'a Provider,
    /// The policy's rules in force on the encounter's date of service (its own fields
    /// when it has no date).
    pub policy: &'a Policy,
    /// The patient's and the provider's ranks in id order (integer keys for the checks).
    pub patient_rank: u32,
    pub provider_rank: u32,
    /// `None` when the encounter documents no time at all.
    pub session: Option<Session>,
    /// The decision's code.
    pub code: Option<Code>,
    /// The line that bills it.
    pub line: Option<usize>,
    /// The modifiers the policy requires for `code`, derived once.
    pub modifiers: Option<RequiredModifiers>,
    /// The place of service for the setting and modality.
    pub place_of_service: PlaceOfService,
}

impl Evaluated<'_> {
    /// A finding of `rule` on this encounter, with its position in the request. The
    /// finding's `encounter` is left empty: the engine writes each finding's encounter id
    /// once the findings are in request order, reading the ids in order rather than one
    /// encounter here and one there while the checks run.
    pub fn finding(&self, rule: Rule, data: Data) -> (usize, Finding) {
        (self.item, Finding::about(rule, None, data))
    }
}

/// Everything the engine computed for a request, before the checks.
pub(crate) struct Evaluation<'a> {
    /// The encounters that passed validation, in request order.
    pub encounters: Vec<Evaluated<'a>>,
    /// The claim lines.
    pub lines: Vec<Line>,
    /// For each line, its encounters (indexes into `encounters`).
    pub line_members: LineMembers,
    /// For each line, whether the daily cap cut it.
    pub capped: Vec<bool>,
    /// For each line, how its units were computed.
    pub bases: Vec<Option<UnitsBasis>>,
    /// One decision per request entry.
    pub decisions: Vec<Decision>,
    /// Findings of the evaluation itself (invalid, uncodable, caps, no unit), each with the
    /// position of its encounter in the request.
    pub findings: Vec<(usize, Finding)>,
    /// The patients by id, with their ranks.
    pub patients: Index<'a>,
    /// The providers by id, with their ranks.
    pub providers: Index<'a>,
}

/// For each line, its encounters (indexes into [`Evaluation::encounters`]): one list for
/// all lines, cut where each line's ends, so that a line costs no allocation of its own.
#[derive(Debug, Default)]
pub(crate) struct LineMembers {
    flat: Vec<usize>,
    /// Where each line's encounters end in `flat`.
    ends: Vec<usize>,
}

impl LineMembers {
    /// Adds the next line's encounters.
    pub fn push(&mut self, members: impl IntoIterator<Item = usize>) {
        self.flat.extend(members);
        self.ends.push(self.flat.len());
    }

    /// Each line's encounters, in line order.
    pub fn iter(&self) -> impl Iterator<Item = &[usize]> + '_ {
        (0..self.ends.len()).map(|li| &self[li])
    }
}

impl std::ops::Index<usize> for LineMembers {
    type Output = [usize];

    fn index(&self, li: usize) -> &[usize] {
        let start = li.checked_sub(1).map_or(0, |before| self.ends[before]);
        &self.flat[start..self.ends[li]]
    }
}

/// Moves each item to its place: the item at `i` goes to `target[i]` (a permutation of the
/// positions). In place, cycle by cycle: each item moves about once and nothing is copied
/// aside.
pub(crate) fn permute<T>(items: &mut [T], mut target: Vec<u32>) {
    debug_assert_eq!(items.len(), target.len());
    for start in 0..items.len() {
        while target[start] as usize != start {
            let to = target[start] as usize;
            items.swap(start, to);
            target.swap(start, to);
        }
    }
}
