//! Prior authorization: whether a line needs one, whether one on file covers it, and
//! whether the authorized units last.
//!
//! Sources: DOMAIN.md §2 (Arizona Complete Health: adult H2014/H2017 need prior
//! authorization above 8 units a day), §6 (commercial payers: prior authorization for
//! repeated or long-term services), §5 (CARC 197 authorization absent or expired, 15
//! authorization not for the billed service, 198 authorized units exceeded).
//!
//! Lines come sorted by patient, then date of service, so each authorization's running
//! total is kept in date order in one pass (O(lines)).

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::claim::{Context, Output};
use crate::codes::Code;
use crate::findings::Rule;
use crate::policy::{Policy, PriorAuthorization};
use crate::response::Line;

/// Adds prior-authorization findings to the lines that need an authorization.
pub(crate) fn check(
    policy: &Policy,
    contexts: &[Context<'_>],
    lines: &[Line],
    line_members: &[Vec<usize>],
    out: &mut Output,
) {
    let threshold = match policy.prior_authorization() {
        PriorAuthorization::Never => return,
        PriorAuthorization::Always => None,
        PriorAuthorization::AboveUnitsPerDay(n) => Some(n),
    };
    let mut day_units: HashMap<(&str, NaiveDate, Code), u32> = HashMap::new();
    for line in lines {
        let u = day_units
            .entry((line.patient.as_str(), line.date_of_service, line.code))
            .or_default();
        *u = u.saturating_add(line.units);
    }
    // Units used so far, per (patient, authorization index).
    let mut used: HashMap<(&str, usize), u64> = HashMap::new();
    for (li, line) in lines.iter().enumerate() {
        let Some(&first) = line_members[li].first() else {
            continue;
        };
        let ctx = &contexts[first];
        let day = day_units
            .get(&(line.patient.as_str(), line.date_of_service, line.code))
            .copied()
            .unwrap_or(line.units);
        if let Some(n) = threshold {
            if day <= n {
                continue;
            }
        }
        let needed = match threshold {
            None => format!("policy {} requires prior authorization", policy.id()),
            Some(n) => format!(
                "policy {} requires prior authorization above {n} units of {} a day ({day} that day)",
                policy.id(),
                line.code
            ),
        };
        let mut flag = |rule: Rule, element: Option<String>, message: String| {
            let f = out.finding(ctx.item, rule, message);
            f.line = Some(li);
            f.element = element;
        };
        let auths = &ctx.patient.authorizations;
        if auths.is_empty() {
            flag(
                Rule::PriorAuthorizationMissing,
                Some("authorizations".to_owned()),
                format!("{needed}; the patient has no `authorizations` on file"),
            );
            continue;
        }
        let for_code: Vec<usize> = (0..auths.len())
            .filter(|&a| auths[a].codes.contains(&line.code))
            .collect();
        if for_code.is_empty() {
            flag(
                Rule::AuthorizationCodeMismatch,
                Some("authorizations".to_owned()),
                format!("{needed}; no authorization on file lists {}", line.code),
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
                Some(format!("authorizations[{}]", for_code[0])),
                format!(
                    "{needed}; the date of service is outside every authorization for {} on file",
                    line.code
                ),
            );
            continue;
        };
        let auth = &auths[a];
        let so_far = used
            .entry((line.patient.as_str(), a))
            .or_insert(u64::from(auth.units_used));
        let before = *so_far;
        let after = before + u64::from(line.units);
        *so_far = after;
        let limit = u64::from(auth.units_authorized);
        if after > limit {
            let message = if before >= limit {
                format!(
                    "`authorizations[{a}]` was used up before this line: all {} units exceed the {limit} authorized",
                    line.units
                )
            } else {
                format!(
                    "this line passes `authorizations[{a}]` by {} units ({after} of {limit} authorized, counting {} used before this request)",
                    after - limit,
                    auth.units_used
                )
            };
            flag(
                Rule::AuthorizationExceeded,
                Some(format!("authorizations[{a}]")),
                message,
            );
        }
    }
}
