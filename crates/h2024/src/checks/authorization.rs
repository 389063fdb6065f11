//! Prior authorization: whether a line needs one, whether one on file covers it, and
//! whether the authorized units last.
//!
//! Sources: `docs/rules.md`, "Prior authorization" (Arizona Complete Health: adult
//! H2014/H2017 need prior authorization above 8 units a day; commercial payers: prior
//! authorization for repeated or long-term services) and "Denial reason codes (CARC)"
//! (CARC 197 authorization absent or expired, 15 authorization not for the billed service,
//! 198 authorized units exceeded).
//!
//! Lines come sorted by patient, then date of service, so each authorization's running
//! total is kept in date order in one pass (O(lines)).

use crate::evaluation::Evaluation;
use crate::findings::{AuthorizationNeed, Data, Finding, Rule};
use crate::policy::PriorAuthorization;

/// Prior-authorization findings on the lines that need an authorization.
///
/// Each line is checked under the policy version in force on its date of service.
pub(crate) fn check(eval: &Evaluation<'_>, found: &mut Vec<(usize, Finding)>) {
    let lines = &eval.lines;
    // Lines come sorted by patient, date and code: the units of a patient's code on a day
    // are those of a run of lines.
    let mut day_units: Vec<u32> = vec![0; lines.len()];
    let day_of = |li: usize| {
        (
            &lines[li].patient,
            lines[li].date_of_service,
            lines[li].code,
        )
    };
    let mut start = 0;
    while start < lines.len() {
        let mut end = start;
        let mut units = 0u32;
        while end < lines.len() && day_of(end) == day_of(start) {
            units = units.saturating_add(lines[end].units);
            end += 1;
        }
        day_units[start..end].fill(units);
        start = end;
    }
    // Units used so far of each of the current patient's authorizations (lines come by
    // patient, in date order).
    let mut patient: Option<&str> = None;
    let mut used: Vec<Option<u64>> = Vec::new();
    for (li, line) in lines.iter().enumerate() {
        let Some(&first) = eval.line_members[li].first() else {
            continue;
        };
        let ev = &eval.encounters[first];
        let threshold = match ev.policy.prior_authorization() {
            PriorAuthorization::Never => continue,
            PriorAuthorization::Always => None,
            PriorAuthorization::AboveUnitsPerDay(n) => Some(n),
        };
        if patient != Some(line.patient.as_str()) {
            patient = Some(line.patient.as_str());
            used.clear();
        }
        let day = day_units[li];
        if let Some(n) = threshold {
            if day <= n {
                continue;
            }
        }
        let need = AuthorizationNeed {
            code: line.code,
            above_units_per_day: threshold,
            day_units: day,
        };
        let mut flag = |rule: Rule, element: String, data: Data| {
            let (item, f) = ev.finding(rule, data);
            found.push((item, f.on_line(li).on_element(element)));
        };
        let auths = &ev.patient.authorizations;
        if auths.is_empty() {
            flag(
                Rule::PriorAuthorizationMissing,
                "authorizations".to_owned(),
                Data::NoAuthorization(need),
            );
            continue;
        }
        let for_code: Vec<usize> = (0..auths.len())
            .filter(|&a| auths[a].codes.contains(&line.code))
            .collect();
        if for_code.is_empty() {
            flag(
                Rule::AuthorizationCodeMismatch,
                "authorizations".to_owned(),
                Data::NoAuthorizationForCode(need),
            );
            continue;
        }
        let dos = line.date_of_service;
        let Some(&a) = for_code
            .iter()
            .find(|&&a| auths[a].start <= dos && dos <= auths[a].end)
        else {
            flag(
                Rule::AuthorizationExpired,
                format!("authorizations[{}]", for_code[0]),
                Data::AuthorizationExpired(need),
            );
            continue;
        };
        let auth = &auths[a];
        if used.len() < auths.len() {
            used.resize(auths.len(), None);
        }
        let so_far = used[a].get_or_insert(u64::from(auth.units_used));
        let before = *so_far;
        let after = before + u64::from(line.units);
        *so_far = after;
        let limit = u64::from(auth.units_authorized);
        if after > limit {
            flag(
                Rule::AuthorizationExceeded,
                format!("authorizations[{a}]"),
                Data::AuthorizationExceeded {
                    number: auth.number.clone(),
                    authorization: a,
                    line_units: line.units,
                    used_before_request: auth.units_used,
                    used_after_line: after,
                    authorized: auth.units_authorized,
                    exceeded_by: after - limit.max(before),
                },
            );
        }
    }
}
