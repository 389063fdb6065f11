//! Fee schedules: what a payer pays per unit of a code, by modifiers and dates of service
//! (`docs/policies.md`, "Fees"; `docs/rules.md`, "Fees and charges").
//!
//! A policy's `fees` is a list of [`Fee`] entries. An entry matches a claim line when its
//! code is the line's, every modifier it lists is on the line, and the line's date of
//! service is within its `from` and `to` (both inclusive, either open). Among the entries
//! that match, the one listing the most modifiers wins, then the one with the latest
//! `from` (an entry without `from` counts as the earliest), then the one listed first.
//!
//! Money is integer cents (`u64`) throughout: a line's charge is its units times the
//! entry's `cents_per_unit`, computed with checked arithmetic, never through floating point.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::codes::Code;
use crate::error::{PolicyError, PolicyErrorKind};
use crate::modifiers::{MAX_MODIFIERS, Modifier};

/// The most entries a policy's `fees` may list.
pub const MAX_FEES: usize = 1000;

/// The largest `cents_per_unit` a fee may give: $100,000.00 a unit. With a line's units (a
/// `u32`) a charge stays far within `u64`, and a claim's 50 lines within the 18 digits of
/// an X12 amount.
pub const MAX_CENTS_PER_UNIT: u64 = 10_000_000;

/// One entry of a policy's fee schedule (`fees`).
///
/// In JSON: `{"code": "H2014", "modifiers": ["HQ"], "cents_per_unit": 311, "from":
/// "2019-07-01", "to": null}`; `modifiers`, `from` and `to` may be left out (none, no start,
/// no end).
///
/// ```
/// use chrono::NaiveDate;
/// use h2024::{Code, Modifier};
/// use h2024::fees::Fee;
/// let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
/// let group = Fee::new(Code::H2014, 311).with_modifier(Modifier::HQ);
/// assert!(group.matches(Code::H2014, &[Modifier::HO, Modifier::HQ], day));
/// assert!(!group.matches(Code::H2014, &[Modifier::HO], day));
/// assert_eq!(group.charge_cents(3), Some(933));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Fee {
    /// The procedure code the fee is for.
    pub code: Code,
    /// Modifiers that must all be on the line for the fee to apply (at most four; none:
    /// any line of the code).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modifiers: Vec<Modifier>,
    /// What one unit is paid, in cents (0 to [`MAX_CENTS_PER_UNIT`]).
    pub cents_per_unit: u64,
    /// The first date of service the fee applies to (`None`: no start).
    #[serde(default)]
    pub from: Option<NaiveDate>,
    /// The last date of service the fee applies to (`None`: no end).
    #[serde(default)]
    pub to: Option<NaiveDate>,
}

impl Fee {
    /// A fee of `cents_per_unit` for every line of `code`, on every date.
    pub fn new(code: Code, cents_per_unit: u64) -> Fee {
        Fee {
            code,
            modifiers: Vec::new(),
            cents_per_unit,
            from: None,
            to: None,
        }
    }

    /// The same fee, only for lines that carry `modifier` too.
    pub fn with_modifier(mut self, modifier: Modifier) -> Fee {
        self.modifiers.push(modifier);
        self
    }

    /// The same fee, for dates of service from `from` to `to` (both inclusive; `None`:
    /// open).
    pub fn with_dates(mut self, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Fee {
        self.from = from;
        self.to = to;
        self
    }

    /// Whether the fee applies to a line of `code` with `modifiers` on `date`: the same
    /// code, every modifier of the fee on the line, the date within the fee's dates.
    pub fn matches(&self, code: Code, modifiers: &[Modifier], date: NaiveDate) -> bool {
        self.code == code
            && self.from.is_none_or(|from| from <= date)
            && self.to.is_none_or(|to| date <= to)
            && self.modifiers.iter().all(|m| modifiers.contains(m))
    }

    /// The charge for `units` units, in cents: `units × cents_per_unit` (`None` only if it
    /// does not fit in a `u64`, which a fee within [`MAX_CENTS_PER_UNIT`] never reaches).
    pub fn charge_cents(&self, units: u32) -> Option<u64> {
        u64::from(units).checked_mul(self.cents_per_unit)
    }
}

/// A policy's fees, checked, with an index for lookups: the entries of each code, best
/// first (most modifiers, then latest `from`, then listed first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FeeSchedule {
    listed: Vec<Fee>,
    /// Positions in `listed`, sorted by code, then best first.
    order: Vec<u32>,
}

fn invalid(path: String, message: &str) -> PolicyError {
    PolicyError::new(PolicyErrorKind::InvalidValue, path, message)
}

impl FeeSchedule {
    /// Checks `fees` (paths `fees[i]...`) and indexes them.
    pub(crate) fn new(fees: &[Fee]) -> Result<FeeSchedule, PolicyError> {
        if fees.len() > MAX_FEES {
            return Err(invalid(
                "fees".to_owned(),
                &format!("at most {MAX_FEES} entries"),
            ));
        }
        for (i, fee) in fees.iter().enumerate() {
            if fee.cents_per_unit > MAX_CENTS_PER_UNIT {
                return Err(invalid(
                    format!("fees[{i}].cents_per_unit"),
                    &format!("must be between 0 and {MAX_CENTS_PER_UNIT} cents"),
                ));
            }
            if let (Some(from), Some(to)) = (fee.from, fee.to) {
                if to < from {
                    return Err(invalid(
                        format!("fees[{i}].to"),
                        "before the entry's `from`",
                    ));
                }
            }
            if fee.modifiers.len() > MAX_MODIFIERS {
                return Err(invalid(
                    format!("fees[{i}].modifiers"),
                    "at most four modifiers (a claim line carries four)",
                ));
            }
            for (j, m) in fee.modifiers.iter().enumerate() {
                if fee.modifiers[..j].contains(m) {
                    return Err(invalid(format!("fees[{i}].modifiers[{j}]"), "listed twice"));
                }
            }
        }
        // Two entries for the same code and modifiers that start on the same day: neither
        // would ever be chosen over the other by a rule, only by list order. Refused.
        let mut keyed: Vec<(Code, Vec<Modifier>, Option<NaiveDate>, usize)> = fees
            .iter()
            .enumerate()
            .map(|(i, fee)| {
                let mut mods = fee.modifiers.clone();
                mods.sort_unstable();
                (fee.code, mods, fee.from, i)
            })
            .collect();
        keyed.sort_unstable();
        for pair in keyed.windows(2) {
            if (pair[0].0, &pair[0].1, pair[0].2) == (pair[1].0, &pair[1].1, pair[1].2) {
                return Err(invalid(
                    format!("fees[{}]", pair[1].3),
                    "another entry has the same code, modifiers and `from`",
                ));
            }
        }
        let mut order: Vec<u32> = (0..fees.len() as u32).collect();
        order.sort_by(|&a, &b| {
            let (fa, fb) = (&fees[a as usize], &fees[b as usize]);
            fa.code
                .cmp(&fb.code)
                .then(fb.modifiers.len().cmp(&fa.modifiers.len()))
                .then(fb.from.cmp(&fa.from))
                .then(a.cmp(&b))
        });
        Ok(FeeSchedule {
            listed: fees.to_vec(),
            order,
        })
    }

    /// The entries as listed.
    pub(crate) fn entries(&self) -> &[Fee] {
        &self.listed
    }

    /// The fee for a line of `code` with `modifiers` on `date` (module documentation), or
    /// `None` when no entry matches. Compares only the entries of `code`.
    pub(crate) fn find(&self, code: Code, modifiers: &[Modifier], date: NaiveDate) -> Option<&Fee> {
        let start = self
            .order
            .partition_point(|&i| self.listed[i as usize].code < code);
        self.order[start..]
            .iter()
            .map(|&i| &self.listed[i as usize])
            .take_while(|fee| fee.code == code)
            .find(|fee| fee.matches(code, modifiers, date))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn most_modifiers_then_latest_from_then_listed_first() {
        let fees = [
            Fee::new(Code::H2014, 1244).with_dates(Some(day(2019, 7, 1)), None),
            Fee::new(Code::H2014, 311)
                .with_modifier(Modifier::HQ)
                .with_dates(Some(day(2019, 7, 1)), None),
            Fee::new(Code::H2014, 1300).with_dates(Some(day(2026, 1, 1)), None),
            Fee::new(Code::H2014, 999).with_modifier(Modifier::HO),
            Fee::new(Code::H2017, 793),
        ];
        let s = FeeSchedule::new(&fees).unwrap();
        let at =
            |mods: &[Modifier], date| s.find(Code::H2014, mods, date).map(|f| f.cents_per_unit);
        assert_eq!(at(&[], day(2025, 1, 1)), Some(1244));
        assert_eq!(at(&[], day(2026, 1, 1)), Some(1300));
        assert_eq!(at(&[Modifier::HQ], day(2025, 1, 1)), Some(311));
        assert_eq!(at(&[Modifier::HN], day(2019, 6, 30)), None);
        // HO and HQ both match with one modifier each: the HQ entry has the later `from`
        // (the HO entry has none).
        assert_eq!(
            at(&[Modifier::HO, Modifier::HQ], day(2025, 1, 1)),
            Some(311)
        );
        assert_eq!(at(&[Modifier::HO], day(2019, 6, 30)), Some(999));
        assert_eq!(
            s.find(Code::H2017, &[], day(2020, 1, 1))
                .map(|f| f.cents_per_unit),
            Some(793)
        );
        assert_eq!(s.find(Code::H2023, &[], day(2020, 1, 1)), None);
    }

    #[test]
    fn ties_go_to_the_entry_listed_first() {
        let fees = [
            Fee::new(Code::H2014, 1).with_modifier(Modifier::HO),
            Fee::new(Code::H2014, 2).with_modifier(Modifier::HQ),
        ];
        let s = FeeSchedule::new(&fees).unwrap();
        let f = s.find(Code::H2014, &[Modifier::HQ, Modifier::HO], day(2026, 3, 2));
        assert_eq!(f.map(|f| f.cents_per_unit), Some(1));
    }

    #[test]
    fn invalid_entries_are_refused_by_path() {
        let cases: [(Vec<Fee>, &str); 5] = [
            (
                vec![Fee::new(Code::H2014, MAX_CENTS_PER_UNIT + 1)],
                "fees[0].cents_per_unit",
            ),
            (
                vec![
                    Fee::new(Code::H2014, 1)
                        .with_dates(Some(day(2026, 2, 1)), Some(day(2026, 1, 1))),
                ],
                "fees[0].to",
            ),
            (
                vec![
                    Fee::new(Code::H2014, 1)
                        .with_modifier(Modifier::HQ)
                        .with_modifier(Modifier::HQ),
                ],
                "fees[0].modifiers[1]",
            ),
            (
                vec![
                    Fee::new(Code::H2014, 1)
                        .with_modifier(Modifier::HQ)
                        .with_modifier(Modifier::HO),
                    Fee::new(Code::H2017, 1),
                    Fee::new(Code::H2014, 2)
                        .with_modifier(Modifier::HO)
                        .with_modifier(Modifier::HQ),
                ],
                "fees[2]",
            ),
            (vec![Fee::new(Code::H2014, 1); MAX_FEES + 1], "fees"),
        ];
        for (fees, path) in cases {
            let err = FeeSchedule::new(&fees).unwrap_err();
            assert_eq!(err.path(), path, "{err}");
        }
        assert!(FeeSchedule::new(&[Fee::new(Code::H2014, MAX_CENTS_PER_UNIT)]).is_ok());
    }

    #[test]
    fn charges_are_integer_cents() {
        let fee = Fee::new(Code::H2014, 1244);
        assert_eq!(fee.charge_cents(3), Some(3732));
        assert_eq!(fee.charge_cents(0), Some(0));
        let max = Fee::new(Code::H2014, MAX_CENTS_PER_UNIT);
        assert_eq!(
            max.charge_cents(u32::MAX),
            Some(u64::from(u32::MAX) * MAX_CENTS_PER_UNIT)
        );
        assert_eq!(Fee::new(Code::H2014, u64::MAX).charge_cents(2), None);
    }
}
