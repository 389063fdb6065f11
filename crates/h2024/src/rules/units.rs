//! Turning service minutes into billable units.
//!
//! Every rule here is described, with its source, in `docs/rules.md`, "Units":
//!
//! - **midpoint** (AMA CPT time rule): a unit is attained once its midpoint is passed, so a
//!   15-minute unit needs 8 minutes and an hourly unit 31.
//! - **whole** (NY OPWDD supported-employment manual item 19; Texas TMPPM Behavioral Health
//!   Handbook §15.046): only full units count, the remainder is dropped.
//! - **threshold**: a payer-set number of remainder minutes earns the last unit (midpoint is
//!   threshold 8 for 15-minute units and 31 for hourly ones).
//! - **round up**: every started unit counts (Michigan's "up to 15 minutes" codes;
//!   `docs/rules.md`, "Round up").
//! - **CMS 8-minute rule** (Medicare Claims Processing Manual, Pub 100-04 Ch. 5 §20.2): the
//!   day's timed minutes across all 15-minute timed codes are pooled, the total read from the
//!   CMS table (`(m + 7) / 15`), then allocated: full 15-minute blocks to each code, the
//!   remaining units one by one to the largest leftovers ([`cms_8_minute_allocate`]). The
//!   pool is the patient's day or each discipline's day ([`Pool`]; Medicare bills each
//!   discipline under its own plan of care, Pub 100-02 Ch. 15 §220.1.2).
//! - **per diem**: one unit per date of service once a minimum time is met.
//!
//! Only whole minutes count: callers truncate seconds before they get here.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::codes::Unit;

/// The unit length the CMS 8-minute rule applies to (15-minute timed codes).
pub const CMS_TIMED_UNIT_MINUTES: u32 = 15;

/// How remainder minutes are rounded into units.
///
/// In JSON (the `units` entries of a policy): `{"rule": "midpoint"}`, `{"rule": "whole"}`,
/// `{"rule": "threshold", "minutes": 10}`, `{"rule": "round_up"}`, `{"rule": "cms_8_minute"}`,
/// `{"rule": "per_diem", "min_minutes": 120}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "rule", rename_all = "snake_case")]
#[non_exhaustive]
pub enum UnitRule {
    /// A unit once its midpoint is passed (8 of 15 minutes, 31 of 60).
    Midpoint,
    /// Full units only; remainder minutes are dropped.
    Whole,
    /// One unit per full unit length, plus one when the remainder reaches `minutes`.
    Threshold {
        /// Remainder minutes that earn the last unit (1 to the unit length).
        minutes: u32,
    },
    /// The CMS 8-minute rule: the patient's timed minutes of the day are pooled across codes.
    #[serde(rename = "cms_8_minute")]
    Cms8Minute,
    /// Every started unit counts: 1 to 15 minutes of a 15-minute unit earn 1 unit, 16 earn 2
    /// (`docs/rules.md`, "Round up").
    RoundUp,
    /// One unit per date of service once `min_minutes` are documented that day.
    PerDiem {
        /// Minutes needed in the day to earn the unit.
        min_minutes: u32,
    },
}

impl fmt::Display for UnitRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnitRule::Midpoint => f.write_str("midpoint rule"),
            UnitRule::Whole => f.write_str("whole units only"),
            UnitRule::Threshold { minutes } => {
                write!(
                    f,
                    "threshold rule ({minutes} remainder minutes earn a unit)"
                )
            }
            UnitRule::Cms8Minute => f.write_str("CMS 8-minute rule"),
            UnitRule::RoundUp => f.write_str("round-up rule (every started unit counts)"),
            UnitRule::PerDiem { min_minutes } => {
                write!(f, "per diem (at least {min_minutes} minutes in the day)")
            }
        }
    }
}

/// Whether minutes that share a claim line are summed before rounding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// Sum the minutes of the day's sessions on the line, then round once.
    #[default]
    Day,
    /// Round each session on its own, then add the units.
    Session,
}

impl fmt::Display for Aggregation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Aggregation::Day => "minutes summed per day",
            Aggregation::Session => "each session rounded on its own",
        })
    }
}

/// Whose timed minutes of a day the CMS 8-minute rule pools (`docs/rules.md`, "CMS 8-minute
/// rule").
///
/// In JSON, the `pool` of a `cms_8_minute` units entry: `"patient"` or `"discipline"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Pool {
    /// All the patient's timed minutes of the day, whoever furnished them.
    #[default]
    Patient,
    /// The patient's timed minutes of the day under each discipline's plan of care apart
    /// (occupational therapy, physical therapy and speech-language pathology each on its
    /// own; other disciplines each on their own too): a line counts under its provider's
    /// discipline, an other timed service under the discipline of the provider of the
    /// encounter that lists it.
    Discipline,
}

impl Pool {
    /// The snake_case name used in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Pool::Patient => "patient",
            Pool::Discipline => "discipline",
        }
    }
}

impl fmt::Display for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a unit and a rule cannot go together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UnitRuleError {
    /// A per-diem unit needs the per-diem rule, and the per-diem rule a per-diem unit.
    #[error("a per-diem unit goes with the per_diem rule, and only with it")]
    PerDiemMismatch,
    /// The CMS 8-minute rule is for 15-minute timed codes.
    #[error("the cms_8_minute rule applies only to 15-minute units")]
    CmsNeedsFifteenMinutes,
    /// A threshold outside 1..=unit length.
    #[error("threshold minutes must be between 1 and the unit length ({unit_minutes})")]
    ThresholdOutOfRange {
        /// The unit length the threshold must fit in.
        unit_minutes: u32,
    },
    /// A unit length outside 1..=1440 minutes.
    #[error("a unit is between 1 and 1440 minutes long")]
    UnitLength,
    /// A per-diem minimum of zero or over a day.
    #[error("a per-diem minimum is between 1 and 1440 minutes")]
    PerDiemMinimum,
}

/// A code's billing unit together with the rule that rounds minutes into it; only valid
/// pairs can be built.
///
/// ```
/// use h2024::{Unit, UnitRule, units::Rounding};
/// let quarter_hours = Rounding::new(Unit::Minutes(15), UnitRule::Midpoint)?;
/// assert_eq!(quarter_hours.units(7), 0);
/// assert_eq!(quarter_hours.units(8), 1);
/// assert_eq!(quarter_hours.units(23), 2);
/// assert_eq!(quarter_hours.units(38), 3);
/// let hours = Rounding::new(Unit::Minutes(60), UnitRule::Midpoint)?;
/// assert_eq!(hours.units(31), 1);
/// assert_eq!(hours.units(91), 2);
/// let started = Rounding::new(Unit::Minutes(15), UnitRule::RoundUp)?;
/// assert_eq!(started.units(1), 1);
/// assert_eq!(started.units(15), 1);
/// assert_eq!(started.units(16), 2);
/// # Ok::<(), h2024::units::UnitRuleError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rounding {
    unit: Unit,
    rule: UnitRule,
}

impl Rounding {
    /// Pairs a unit with a rule, refusing combinations that have no meaning.
    ///
    /// # Errors
    ///
    /// A [`UnitRuleError`] saying which combination is refused.
    pub fn new(unit: Unit, rule: UnitRule) -> Result<Rounding, UnitRuleError> {
        match (unit, rule) {
            (Unit::PerDiem, UnitRule::PerDiem { min_minutes }) => {
                if min_minutes == 0 || min_minutes > 1440 {
                    return Err(UnitRuleError::PerDiemMinimum);
                }
            }
            (Unit::PerDiem, _) | (Unit::Minutes(_), UnitRule::PerDiem { .. }) => {
                return Err(UnitRuleError::PerDiemMismatch);
            }
            (Unit::Minutes(len), rule) => {
                if len == 0 || len > 1440 {
                    return Err(UnitRuleError::UnitLength);
                }
                match rule {
                    UnitRule::Cms8Minute if len != CMS_TIMED_UNIT_MINUTES => {
                        return Err(UnitRuleError::CmsNeedsFifteenMinutes);
                    }
                    UnitRule::Threshold { minutes } if minutes == 0 || minutes > len => {
                        return Err(UnitRuleError::ThresholdOutOfRange { unit_minutes: len });
                    }
                    _ => {}
                }
            }
        }
        Ok(Rounding { unit, rule })
    }

    /// The billing unit.
    pub fn unit(&self) -> Unit {
        self.unit
    }

    /// The rounding rule.
    pub fn rule(&self) -> UnitRule {
        self.rule
    }

    /// Units earned by `minutes` of one code on its own.
    ///
    /// Under the CMS 8-minute rule this is the table read for a day with no other timed
    /// service; pooling across codes is [`cms_8_minute_allocate`].
    pub fn units(&self, minutes: u32) -> u32 {
        match (self.unit, self.rule) {
            (Unit::PerDiem, UnitRule::PerDiem { min_minutes }) => u32::from(minutes >= min_minutes),
            (Unit::PerDiem, _) => 0, // unreachable by construction
            (Unit::Minutes(len), rule) => {
                let full = minutes / len;
                let rest = minutes % len;
                let last = match rule {
                    UnitRule::Midpoint => u64::from(rest) * 2 > u64::from(len),
                    UnitRule::Whole => false,
                    UnitRule::Threshold { minutes: t } => rest >= t,
                    UnitRule::RoundUp => rest > 0,
                    UnitRule::Cms8Minute => return cms_8_minute_total_units(minutes),
                    UnitRule::PerDiem { .. } => false, // unreachable by construction
                };
                full + u32::from(last)
            }
        }
    }

    /// The minutes that `units` stand for on a claim, or `None` for a per-diem unit.
    pub fn billed_minutes(&self, units: u32) -> Option<u64> {
        self.unit
            .minutes()
            .map(|len| u64::from(len) * u64::from(units))
    }

    /// The fewest minutes that earn one unit.
    pub fn minimum_minutes(&self) -> u32 {
        match (self.unit, self.rule) {
            (_, UnitRule::PerDiem { min_minutes }) => min_minutes.max(1),
            (Unit::Minutes(len), UnitRule::Midpoint) => len / 2 + 1,
            (Unit::Minutes(len), UnitRule::Whole) => len,
            (Unit::Minutes(_), UnitRule::Threshold { minutes }) => minutes,
            (Unit::Minutes(_), UnitRule::RoundUp) => 1,
            (_, UnitRule::Cms8Minute) => 8,
            (Unit::PerDiem, _) => 1,
        }
    }
}

/// Total units for a day's pooled timed minutes under the CMS 8-minute rule.
///
/// The CMS table (Pub 100-04 Ch. 5 §20.2): 8-22 minutes = 1 unit, 23-37 = 2, 38-52 = 3,
/// ..., that is `(m + 7) / 15`; under 8 minutes, none.
///
/// ```
/// use h2024::units::cms_8_minute_total_units;
/// assert_eq!(cms_8_minute_total_units(7), 0);
/// assert_eq!(cms_8_minute_total_units(8), 1);
/// assert_eq!(cms_8_minute_total_units(22), 1);
/// assert_eq!(cms_8_minute_total_units(23), 2);
/// assert_eq!(cms_8_minute_total_units(127), 8);
/// ```
pub fn cms_8_minute_total_units(minutes: u32) -> u32 {
    ((u64::from(minutes) + 7) / u64::from(CMS_TIMED_UNIT_MINUTES)) as u32
}

/// Allocates the CMS 8-minute total among the day's timed services.
///
/// `minutes[i]` are the minutes of service `i`; the result gives its units. Each service
/// first gets its full 15-minute blocks; the units still left in the total go one at a time
/// to the services with the most leftover minutes, ties to the service with more minutes in
/// all, then to the earlier one. A service never gets more than one unit beyond its full
/// blocks.
///
/// CMS's worked examples (CMS Pub 100-04 Ch. 5 §20.2; `docs/rules.md`, "CMS 8-minute rule"):
///
/// ```
/// use h2024::units::cms_8_minute_allocate;
/// assert_eq!(cms_8_minute_allocate(&[24, 23]), [2, 1]); // 97112 + 97110
/// assert_eq!(cms_8_minute_allocate(&[33, 7]), [2, 1]);  // 97110 + 97140
/// assert_eq!(cms_8_minute_allocate(&[20, 20]), [2, 1]); // never 3 of one
/// assert_eq!(cms_8_minute_allocate(&[5]), [0]);         // alone under 8 minutes
/// ```
pub fn cms_8_minute_allocate(minutes: &[u32]) -> Vec<u32> {
    let total_minutes = minutes.iter().fold(0u32, |sum, &m| sum.saturating_add(m));
    distribute(cms_8_minute_total_units(total_minutes), minutes)
}

/// Shares `units` among services of `minutes[i]` minutes the CMS way: each gets its full
/// 15-minute blocks, then the units left go one at a time to the largest leftovers (ties
/// to more minutes in all, then to the earlier service). When `units` is the CMS total for
/// these minutes, no service gets more than one unit beyond its full blocks; units beyond
/// what the leftovers can take are not handed out.
///
/// ```
/// use h2024::units::distribute;
/// assert_eq!(distribute(3, &[24, 23]), [2, 1]);
/// assert_eq!(distribute(1, &[10, 10]), [1, 0]);
/// ```
pub fn distribute(units: u32, minutes: &[u32]) -> Vec<u32> {
    let len = CMS_TIMED_UNIT_MINUTES;
    let mut shares: Vec<u32> = minutes.iter().map(|m| m / len).collect();
    let full: u32 = shares.iter().fold(0u32, |sum, &u| sum.saturating_add(u));
    if units < full {
        // Fewer units than full blocks: hand them out by minutes, largest first.
        let mut order: Vec<usize> = (0..minutes.len()).collect();
        order.sort_by(|&a, &b| minutes[b].cmp(&minutes[a]).then(a.cmp(&b)));
        let mut left = units;
        for i in order {
            let take = shares[i].min(left);
            shares[i] = take;
            left -= take;
        }
        return shares;
    }
    let mut left = units - full;
    if left > 0 {
        let mut order: Vec<usize> = (0..minutes.len())
            .filter(|&i| minutes[i] % len > 0)
            .collect();
        order.sort_by(|&a, &b| {
            (minutes[b] % len)
                .cmp(&(minutes[a] % len))
                .then(minutes[b].cmp(&minutes[a]))
                .then(a.cmp(&b))
        });
        for i in order {
            if left == 0 {
                break;
            }
            shares[i] += 1;
            left -= 1;
        }
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn r(unit: Unit, rule: UnitRule) -> Rounding {
        Rounding::new(unit, rule).unwrap()
    }

    const Q: Unit = Unit::Minutes(15);
    const H: Unit = Unit::Minutes(60);

    #[test]
    fn midpoint_examples_from_domain_reference() {
        let q = r(Q, UnitRule::Midpoint);
        for (m, u) in [
            (0, 0),
            (7, 0),
            (8, 1),
            (22, 1),
            (23, 2),
            (37, 2),
            (38, 3),
            (45, 3),
        ] {
            assert_eq!(q.units(m), u, "{m} minutes");
        }
        let h = r(H, UnitRule::Midpoint);
        for (m, u) in [(30, 0), (31, 1), (60, 1), (90, 1), (91, 2), (120, 2)] {
            assert_eq!(h.units(m), u, "{m} minutes");
        }
    }

    #[test]
    fn whole_drops_the_remainder() {
        let q = r(Q, UnitRule::Whole);
        for (m, u) in [(14, 0), (15, 1), (29, 1), (30, 2), (59, 3)] {
            assert_eq!(q.units(m), u, "{m} minutes");
        }
    }

    #[test]
    fn threshold_is_midpoint_at_8_and_31() {
        for m in 0..300 {
            assert_eq!(
                r(Q, UnitRule::Threshold { minutes: 8 }).units(m),
                r(Q, UnitRule::Midpoint).units(m)
            );
            assert_eq!(
                r(H, UnitRule::Threshold { minutes: 31 }).units(m),
                r(H, UnitRule::Midpoint).units(m)
            );
        }
        let t10 = r(Q, UnitRule::Threshold { minutes: 10 });
        assert_eq!(t10.units(9), 0);
        assert_eq!(t10.units(10), 1);
        assert_eq!(t10.units(24), 1);
        assert_eq!(t10.units(25), 2);
    }

    #[test]
    fn round_up_counts_every_started_unit() {
        // docs/rules.md, "Round up": 1-15 minutes = 1 unit, 16 = 2.
        let q = r(Q, UnitRule::RoundUp);
        for (m, u) in [(0, 0), (1, 1), (15, 1), (16, 2), (30, 2), (31, 3)] {
            assert_eq!(q.units(m), u, "{m} minutes");
        }
        let h = r(H, UnitRule::RoundUp);
        assert_eq!(h.units(1), 1);
        assert_eq!(h.units(61), 2);
        assert_eq!(q.minimum_minutes(), 1);
    }

    #[test]
    fn per_diem_is_one_unit_once_the_minimum_is_met() {
        let p = r(Unit::PerDiem, UnitRule::PerDiem { min_minutes: 120 });
        assert_eq!(p.units(119), 0);
        assert_eq!(p.units(120), 1);
        assert_eq!(p.units(600), 1);
        assert_eq!(p.billed_minutes(1), None);
    }

    #[test]
    fn cms_table_rows() {
        let rows = [
            (8, 22, 1),
            (23, 37, 2),
            (38, 52, 3),
            (53, 67, 4),
            (68, 82, 5),
            (83, 97, 6),
            (98, 112, 7),
            (113, 127, 8),
        ];
        for (lo, hi, u) in rows {
            assert_eq!(cms_8_minute_total_units(lo), u);
            assert_eq!(cms_8_minute_total_units(hi), u);
        }
        assert_eq!(cms_8_minute_total_units(0), 0);
        assert_eq!(
            cms_8_minute_total_units(u32::MAX),
            ((u64::from(u32::MAX) + 7) / 15) as u32
        );
    }

    #[test]
    fn cms_ties_go_to_more_minutes() {
        // 9 and 24 minutes: leftovers 9 and 9; 24 has more minutes in all.
        // Total 33 -> 2 units; full blocks 0 + 1; the remaining unit goes to the 24.
        assert_eq!(cms_8_minute_allocate(&[9, 24]), [0, 2]);
        assert_eq!(cms_8_minute_allocate(&[]), Vec::<u32>::new());
        assert_eq!(cms_8_minute_allocate(&[7, 7]), [1, 0]);
    }

    #[test]
    fn invalid_pairs_are_refused() {
        assert_eq!(
            Rounding::new(Unit::PerDiem, UnitRule::PerDiem { min_minutes: 0 }),
            Err(UnitRuleError::PerDiemMinimum)
        );
        assert_eq!(
            Rounding::new(Unit::PerDiem, UnitRule::Midpoint),
            Err(UnitRuleError::PerDiemMismatch)
        );
        assert_eq!(
            Rounding::new(Q, UnitRule::PerDiem { min_minutes: 60 }),
            Err(UnitRuleError::PerDiemMismatch)
        );
        assert_eq!(
            Rounding::new(H, UnitRule::Cms8Minute),
            Err(UnitRuleError::CmsNeedsFifteenMinutes)
        );
        assert!(Rounding::new(Q, UnitRule::Threshold { minutes: 0 }).is_err());
        assert!(Rounding::new(Q, UnitRule::Threshold { minutes: 16 }).is_err());
        assert!(Rounding::new(Unit::Minutes(0), UnitRule::Whole).is_err());
    }

    fn any_rounding() -> impl Strategy<Value = Rounding> {
        prop_oneof![
            (1u32..=120).prop_map(|len| r(Unit::Minutes(len), UnitRule::Midpoint)),
            (1u32..=120).prop_map(|len| r(Unit::Minutes(len), UnitRule::Whole)),
            (1u32..=120)
                .prop_flat_map(|len| (Just(len), 1..=len))
                .prop_map(|(len, t)| r(Unit::Minutes(len), UnitRule::Threshold { minutes: t })),
            Just(r(Q, UnitRule::Cms8Minute)),
            (1u32..=120).prop_map(|len| r(Unit::Minutes(len), UnitRule::RoundUp)),
            (1u32..=1440).prop_map(|min| r(Unit::PerDiem, UnitRule::PerDiem { min_minutes: min })),
        ]
    }

    proptest! {
        #[test]
        fn units_never_decrease_as_minutes_grow(rounding in any_rounding(), m in 0u32..100_000, extra in 0u32..1000) {
            prop_assert!(rounding.units(m) <= rounding.units(m + extra));
        }

        #[test]
        fn midpoint_bills_at_most_half_a_unit_more_and_less(len in 1u32..=120, m in 0u32..100_000) {
            let rounding = r(Unit::Minutes(len), UnitRule::Midpoint);
            let billed = rounding.billed_minutes(rounding.units(m)).unwrap() as i64;
            let diff = billed - i64::from(m);
            prop_assert!(2 * diff < i64::from(len), "over by {diff}");
            prop_assert!(-2 * diff <= i64::from(len), "under by {}", -diff);
        }

        #[test]
        fn whole_never_exceeds_the_documented_time(len in 1u32..=120, m in 0u32..100_000) {
            let rounding = r(Unit::Minutes(len), UnitRule::Whole);
            let billed = rounding.billed_minutes(rounding.units(m)).unwrap();
            prop_assert!(billed <= u64::from(m));
            prop_assert!(u64::from(m) - billed < u64::from(len));
        }

        #[test]
        fn round_up_never_bills_less_than_midpoint(len in 1u32..=120, m in 0u32..100_000) {
            let up = r(Unit::Minutes(len), UnitRule::RoundUp).units(m);
            let mid = r(Unit::Minutes(len), UnitRule::Midpoint).units(m);
            prop_assert!(up >= mid, "{m} minutes of {len}: round_up {up} < midpoint {mid}");
            // And never more than one unit beyond the full units.
            prop_assert_eq!(up, m.div_ceil(len));
        }

        #[test]
        fn threshold_bounds(len in 1u32..=120, t_frac in 0.0f64..1.0, m in 0u32..100_000) {
            let t = 1 + ((f64::from(len - 1)) * t_frac) as u32;
            let rounding = r(Unit::Minutes(len), UnitRule::Threshold { minutes: t });
            let u = rounding.units(m);
            prop_assert!(u == m / len || u == m / len + 1);
        }

        #[test]
        fn cms_allocation_conserves_the_table_total(mins in proptest::collection::vec(0u32..200, 0..8)) {
            let units = cms_8_minute_allocate(&mins);
            prop_assert_eq!(units.len(), mins.len());
            let total: u32 = mins.iter().sum();
            prop_assert_eq!(units.iter().sum::<u32>(), cms_8_minute_total_units(total));
            for (u, m) in units.iter().zip(&mins) {
                prop_assert!(*u == m / 15 || *u == m / 15 + 1);
                if *m == 0 {
                    prop_assert_eq!(*u, 0);
                }
            }
        }

        #[test]
        fn distribute_conserves_units_up_to_what_fits(units in 0u32..40, mins in proptest::collection::vec(0u32..200, 1..6)) {
            let shares = distribute(units, &mins);
            let full: u32 = mins.iter().map(|m| m / 15).sum();
            let with_leftover = full + mins.iter().filter(|m| *m % 15 > 0).count() as u32;
            let given: u32 = shares.iter().sum();
            prop_assert_eq!(given, units.min(with_leftover));
            for (s, m) in shares.iter().zip(&mins) {
                prop_assert!(*s <= m / 15 + 1);
            }
        }

        #[test]
        fn cms_single_service_equals_the_table(m in 0u32..100_000) {
            prop_assert_eq!(cms_8_minute_allocate(&[m]), vec![cms_8_minute_total_units(m)]);
            prop_assert_eq!(r(Q, UnitRule::Cms8Minute).units(m), cms_8_minute_total_units(m));
        }

        #[test]
        fn cms_more_minutes_never_fewer_total_units(mins in proptest::collection::vec(0u32..200, 1..6), i in 0usize..6, extra in 0u32..60) {
            let mut more = mins.clone();
            let i = i % more.len();
            more[i] += extra;
            let before: u32 = cms_8_minute_allocate(&mins).iter().sum();
            let after: u32 = cms_8_minute_allocate(&more).iter().sum();
            prop_assert!(before <= after);
        }
    }
}
