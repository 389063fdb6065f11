//! The biller's intended line (`billed`) audited against what the engine would send: code,
//! modifiers, units and place of service.
//!
//! Sources: `docs/rules.md`, "Modifiers" (meanings, conflicts, at most four per line),
//! "Places of service" (CMS CR 12427 for telehealth) and "Denial reason codes (CARC)"
//! (CARC 4 for missing or inconsistent modifiers, 5 for place of service, 16 for missing
//! information, 96 for non-covered codes, 151 for units the information does not support,
//! 185 for an ineligible provider).

use crate::codes::Code;
use crate::evaluation::{Evaluated, Evaluation};
use crate::findings::{Data, Finding, NotValid, Rule};
use crate::modifiers::{MAX_MODIFIERS, Modifier, ModifierGroup, conflicts};
use crate::places::Modality;
use crate::places::PlaceOfService;
use crate::policy::Policy;
use crate::reasons::is_selection_step;
use crate::request::Billed;
use crate::requirements::{RequiredModifiers, modality_modifier, required_modifiers};
use crate::selection::provider_may_bill;

/// Audits every encounter's `billed` line, then the billed units of each line.
///
/// Each encounter is audited under the policy version in force on its date of service.
pub(crate) fn check(eval: &Evaluation<'_>, found: &mut Vec<(usize, Finding)>) {
    for ev in &eval.encounters {
        if let (Some(billed), Some(code)) = (&ev.enc.billed, ev.code) {
            encounter(ev.policy, eval, ev, billed, code, found);
        }
    }
    // Units are compared per line, since the sessions on a line are billed together; only
    // when every session on the line states whole units for the line's code, and none is a
    // session split at midnight, whose one `billed` entry stands for several lines
    // (`docs/rules.md`, "Sessions across midnight").
    let mut lines_of = vec![0u8; eval.encounters.len()];
    for &ci in eval.line_members.iter().flatten() {
        lines_of[ci] = lines_of[ci].saturating_add(1);
    }
    for (li, members) in eval.line_members.iter().enumerate() {
        let line = &eval.lines[li];
        let mut sum = 0u64;
        let mut comparable = !members.is_empty() && members.iter().all(|&ci| lines_of[ci] == 1);
        for &ci in members {
            match comparable_units(&eval.encounters[ci], line.code) {
                Some(units) => sum += units,
                None => comparable = false,
            }
        }
        if comparable && sum != u64::from(line.units) {
            let capped = eval.capped.get(li).copied().unwrap_or(false);
            let (item, f) = units_mismatch(
                &eval.encounters[members[0]],
                sum,
                line.units,
                line.minutes,
                capped,
            );
            found.push((item, f.on_line(li)));
        }
    }
    // Coded encounters that earned no line.
    for ev in eval.encounters.iter().filter(|c| c.line.is_none()) {
        let Some(code) = ev.code else { continue };
        if let Some(units) = comparable_units(ev, code) {
            if units > 0 {
                let minutes = ev.session.map(|s| s.minutes()).unwrap_or(0);
                found.push(units_mismatch(ev, units, 0, minutes, false));
            }
        }
    }
}

/// The encounter's billed units, when they can be compared with a line of `code`.
fn comparable_units(ev: &Evaluated<'_>, code: Code) -> Option<u64> {
    let billed = ev.enc.billed.as_ref()?;
    let same_code = billed.code.parse::<Code>().ok() == Some(code);
    (same_code && billed.units.fract() == 0.0).then_some(billed.units as u64)
}

fn units_mismatch(
    ev: &Evaluated<'_>,
    billed: u64,
    computed: u32,
    minutes: u32,
    capped: bool,
) -> (usize, Finding) {
    let (item, f) = ev.finding(
        Rule::BilledUnitsMismatch,
        Data::BilledUnitsMismatch {
            billed,
            computed,
            minutes,
            capped,
        },
    );
    (item, f.on_element("billed.units"))
}

fn encounter(
    policy: &Policy,
    eval: &Evaluation<'_>,
    ev: &Evaluated<'_>,
    billed: &Billed,
    engine_code: Code,
    found: &mut Vec<(usize, Finding)>,
) {
    let parsed_code = billed.code.parse::<Code>().ok();
    let mut flag = |rule: Rule, element: &str, data: Data| {
        let (item, mut f) = ev.finding(rule, data);
        f.element = Some(element.to_owned());
        f.line = ev.line;
        found.push((item, f));
    };

    // Code.
    let billed_code = match parsed_code {
        None => {
            flag(
                Rule::CodeNotCovered,
                "billed.code",
                Data::UnknownBilledCode { engine_code },
            );
            engine_code
        }
        Some(code) => {
            if !policy.covers(code) {
                flag(
                    Rule::CodeNotCovered,
                    "billed.code",
                    Data::CodeNotCovered { code, billed: true },
                );
            }
            if !provider_may_bill(policy, code, ev.provider) {
                flag(
                    Rule::ProviderNotEligible,
                    "billed.code",
                    Data::ProviderNotEligible {
                        code,
                        discipline: ev.provider.discipline,
                    },
                );
            }
            if code != engine_code {
                // Why the engine chose its code: the selection steps of its decision, by kind.
                let selection = eval.decisions[ev.item]
                    .reasons
                    .iter()
                    .filter(|r| is_selection_step(r))
                    .cloned()
                    .collect();
                flag(
                    Rule::BilledCodeMismatch,
                    "billed.code",
                    Data::BilledCodeMismatch {
                        billed: code,
                        chosen: engine_code,
                        selection,
                    },
                );
            }
            code
        }
    };

    // Modifiers: those the engine derived, or, for another billed code, derived for it.
    let required = match ev.modifiers {
        Some(m) if billed_code == engine_code => m,
        _ => required_modifiers(policy, billed_code, ev.provider, ev.enc),
    };
    if billed.modifiers.len() > MAX_MODIFIERS {
        flag(
            Rule::TooManyModifiers,
            "billed.modifiers",
            Data::TooManyBilled {
                billed: billed.modifiers.len(),
            },
        );
    }
    // The modifiers that parse, with their positions in `billed.modifiers`.
    let mut parsed: Vec<Modifier> = Vec::with_capacity(billed.modifiers.len());
    let mut positions: Vec<usize> = Vec::with_capacity(billed.modifiers.len());
    for (i, text) in billed.modifiers.iter().enumerate() {
        match text.parse::<Modifier>() {
            Ok(m) => {
                parsed.push(m);
                positions.push(i);
            }
            Err(problem) => flag(
                Rule::InvalidModifier,
                &format!("billed.modifiers[{i}]"),
                Data::UnreadableModifier { index: i, problem },
            ),
        }
    }
    let mut reported: Vec<(Modifier, Modifier)> = Vec::new();
    for conflict in conflicts(&parsed) {
        // Each distinct pair once, however often it repeats.
        if !reported.contains(&(conflict.first, conflict.second)) {
            reported.push((conflict.first, conflict.second));
            flag(
                Rule::ConflictingModifiers,
                "billed.modifiers",
                Data::ConflictingModifiers { conflict },
            );
        }
    }
    for reason in required.reasons() {
        if !parsed.contains(&reason.modifier) {
            flag(
                Rule::MissingRequiredModifier,
                "billed.modifiers",
                Data::MissingModifier {
                    modifier: reason.modifier,
                    because: reason.because,
                },
            );
        }
    }
    for (&m, &i) in parsed.iter().zip(&positions) {
        if required.modifiers().contains(&m) || required.dropped().any(|d| d == m) {
            continue;
        }
        if let Some(because) = not_valid(policy, ev, billed_code, m, &required) {
            flag(
                Rule::InvalidModifier,
                &format!("billed.modifiers[{i}]"),
                Data::ModifierNotValid {
                    modifier: m,
                    because,
                },
            );
        }
    }

    // Whole units.
    if billed.units.fract() != 0.0 {
        flag(Rule::UnroundedUnits, "billed.units", Data::UnroundedUnits);
    }

    // Place of service.
    if let Some(text) = &billed.place_of_service {
        let expected = ev.place_of_service;
        match text.parse::<PlaceOfService>() {
            Err(_) => flag(
                Rule::PlaceOfServiceMismatch,
                "billed.place_of_service",
                Data::UnknownPlaceOfService { expected },
            ),
            Ok(pos) if pos != expected => flag(
                Rule::PlaceOfServiceMismatch,
                "billed.place_of_service",
                Data::PlaceOfServiceMismatch {
                    billed: pos,
                    expected,
                    setting: ev.enc.setting,
                    modality: ev.enc.modality,
                },
            ),
            Ok(_) => {}
        }
    }
}

/// Why a billed modifier the engine does not require is wrong, or `None` when it is one the
/// engine leaves to the biller (59, X-modifiers, KX).
fn not_valid(
    policy: &Policy,
    ev: &Evaluated<'_>,
    code: Code,
    m: Modifier,
    required: &RequiredModifiers,
) -> Option<NotValid> {
    let enc = ev.enc;
    let same_group = required.modifiers().iter().find(|r| r.group() == m.group());
    let why = match m.group() {
        ModifierGroup::Distinct | ModifierGroup::Informational => return None,
        _ if same_group.is_some() => NotValid::Instead {
            expected: *same_group?,
        },
        ModifierGroup::Telehealth => match enc.modality {
            Modality::InPerson => NotValid::InPerson,
            modality => NotValid::PolicyTelehealth {
                modality,
                expected: modality_modifier(policy, modality),
            },
        },
        ModifierGroup::ProviderLevel if !policy.modifier_applies(m, code) => {
            NotValid::NoProviderLevelOnCode { code }
        }
        ModifierGroup::ProviderLevel => NotValid::NoProviderLevels,
        ModifierGroup::Group if enc.group_size < 2 => NotValid::Individual,
        ModifierGroup::EarlyIntervention if !enc.early_intervention => {
            NotValid::NotEarlyIntervention
        }
        ModifierGroup::FollowUp if !enc.follow_up => NotValid::NotFollowUp,
        ModifierGroup::Therapy | ModifierGroup::TherapyAssistant if !policy.is_therapy(code) => {
            NotValid::TherapyOnOtherCode { code }
        }
        ModifierGroup::TherapyAssistant if !ev.provider.assistant => NotValid::NotAssistant,
        // The session calls for it, but the policy puts it on other codes (`docs/rules.md`,
        // "Modifiers by code family").
        _ if !policy.modifier_applies(m, code) => NotValid::NotForCode { code },
        ModifierGroup::StateDefined => NotValid::SettingLevel {
            setting: enc.setting,
        },
        _ => NotValid::PolicyDoesNotUse,
    };
    Some(why)
}
