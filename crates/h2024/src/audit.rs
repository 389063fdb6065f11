//! The biller's intended line (`billed`) audited against what the engine would send: code,
//! modifiers, units and place of service.
//!
//! Sources: DOMAIN.md §3 (modifier meanings, conflicts, at most four per line), §4 (place
//! of service; CMS CR 12427 for telehealth), §5 (CARC 4 for missing or inconsistent
//! modifiers, 5 for place of service, 16 for missing information, 96 for non-covered
//! codes, 151 for units the information does not support, 185 for an ineligible provider).

use crate::claim::{Context, Output};
use crate::codes::Code;
use crate::findings::Rule;
use crate::modifiers::{
    MAX_MODIFIERS, Modifier, ModifierGroup, RequiredModifiers, conflicts, required_modifiers,
};
use crate::policy::Policy;
use crate::request::{Billed, Modality};
use crate::response::{Line, PlaceOfService};

/// Audits every encounter's `billed` line, then the billed units of each line.
pub(crate) fn check(
    policy: &Policy,
    contexts: &[Context<'_>],
    lines: &[Line],
    line_members: &[Vec<usize>],
    capped: &[bool],
    out: &mut Output,
) {
    for ctx in contexts {
        if let (Some(billed), Some(code)) = (&ctx.enc.billed, ctx.code) {
            encounter(policy, ctx, billed, code, out);
        }
    }
    // Units are compared per line, since the sessions on a line are billed together; only
    // when every session on the line states whole units for the line's code.
    for (li, members) in line_members.iter().enumerate() {
        let line = &lines[li];
        let mut sum = 0u64;
        let mut comparable = !members.is_empty();
        for &ci in members {
            match comparable_units(&contexts[ci], line.code) {
                Some(units) => sum += units,
                None => comparable = false,
            }
        }
        if comparable && sum != u64::from(line.units) {
            let first = contexts[members[0]].item;
            let capped = capped.get(li).copied().unwrap_or(false);
            units_mismatch(out, first, Some(li), sum, line.units, line.minutes, capped);
        }
    }
    // Coded encounters that earned no line.
    for ctx in contexts.iter().filter(|c| c.line.is_none()) {
        let Some(code) = ctx.code else { continue };
        if let Some(units) = comparable_units(ctx, code) {
            if units > 0 {
                let minutes = ctx.session.map(|s| s.minutes()).unwrap_or(0);
                units_mismatch(out, ctx.item, None, units, 0, minutes, false);
            }
        }
    }
}

/// The encounter's billed units, when they can be compared with a line of `code`.
fn comparable_units(ctx: &Context<'_>, code: Code) -> Option<u64> {
    let billed = ctx.enc.billed.as_ref()?;
    let same_code = billed.code.parse::<Code>().ok() == Some(code);
    (same_code && billed.units.fract() == 0.0).then_some(billed.units as u64)
}

fn units_mismatch(
    out: &mut Output,
    item: usize,
    line: Option<usize>,
    billed: u64,
    computed: u32,
    minutes: u32,
    capped: bool,
) {
    let message = if capped && billed > u64::from(computed) {
        format!(
            "`billed.units` claim {billed} but the policy's daily cap allows {computed} on this line (see units_exceed_daily_maximum)"
        )
    } else if billed > u64::from(computed) {
        format!(
            "`billed.units` claim {billed} but the documented {minutes} minutes support {computed}: more units than the times support"
        )
    } else {
        format!(
            "`billed.units` claim {billed} but the documented {minutes} minutes support {computed}: fewer units than earned, revenue left behind"
        )
    };
    let f = out.finding(item, Rule::BilledUnitsMismatch, message);
    f.line = line;
    f.element = Some("billed.units".to_owned());
}

fn encounter(
    policy: &Policy,
    ctx: &Context<'_>,
    billed: &Billed,
    engine_code: Code,
    out: &mut Output,
) {
    let item = ctx.item;
    let parsed_code = billed.code.parse::<Code>().ok();
    // Why the engine chose its code (the selection steps of its rationale), when it differs.
    let why_engine = match parsed_code {
        Some(code) if code != engine_code => out.decisions[item]
            .rationale
            .iter()
            .filter(|r| {
                r.starts_with("service ")
                    || r.starts_with("code ")
                    || r.starts_with("self-care")
                    || r.contains(" is chosen")
                    || r.contains("only candidate")
            })
            .cloned()
            .collect::<Vec<_>>()
            .join("; "),
        _ => String::new(),
    };
    let mut flag = |rule: Rule, element: &str, message: String| {
        let f = out.finding(item, rule, message);
        f.element = Some(element.to_owned());
        f.line = ctx.line;
    };

    // Code.
    let billed_code = match parsed_code {
        None => {
            flag(
                Rule::CodeNotCovered,
                "billed.code",
                format!(
                    "`billed.code` is not one of H2024, H2014, H2017, H2023, 97535; the engine bills {engine_code}"
                ),
            );
            engine_code
        }
        Some(code) => {
            if !policy.covers(code) {
                flag(
                    Rule::CodeNotCovered,
                    "billed.code",
                    format!(
                        "policy {} does not cover the billed code {code}",
                        policy.id()
                    ),
                );
            }
            if code == Code::Cpt97535 && !ctx.provider.discipline.is_ot_or_pt() {
                flag(
                    Rule::ProviderNotEligible,
                    "billed.code",
                    format!(
                        "97535 is billed by occupational or physical therapists; the provider's discipline is {}",
                        ctx.provider.discipline.as_str()
                    ),
                );
            }
            if code != engine_code {
                flag(
                    Rule::BilledCodeMismatch,
                    "billed.code",
                    format!("billed {code}, the engine chose {engine_code}: {why_engine}"),
                );
            }
            code
        }
    };

    // Modifiers.
    let required = required_modifiers(policy, billed_code, ctx.provider, ctx.enc);
    if billed.modifiers.len() > MAX_MODIFIERS {
        flag(
            Rule::TooManyModifiers,
            "billed.modifiers",
            format!(
                "{} modifiers billed; a claim line carries at most {MAX_MODIFIERS}",
                billed.modifiers.len()
            ),
        );
    }
    let mut parsed: Vec<Modifier> = Vec::with_capacity(billed.modifiers.len());
    for (i, text) in billed.modifiers.iter().enumerate() {
        match text.parse::<Modifier>() {
            Ok(m) => parsed.push(m),
            Err(e) => flag(
                Rule::InvalidModifier,
                &format!("billed.modifiers[{i}]"),
                format!("`billed.modifiers[{i}]`: {e}"),
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
                conflict.to_string(),
            );
        }
    }
    for (i, reason) in required.modifiers.iter().zip(required.reasons()) {
        if !parsed.contains(i) {
            flag(
                Rule::MissingRequiredModifier,
                "billed.modifiers",
                format!("policy {} requires {reason}", policy.id()),
            );
        }
    }
    for &m in &parsed {
        if required.modifiers.contains(&m) || required.dropped.contains(&m) {
            continue;
        }
        if let Some(why) = not_valid(policy, ctx, billed_code, m, &required) {
            flag(
                Rule::InvalidModifier,
                "billed.modifiers",
                format!("{m} ({}) is not valid here: {why}", m.meaning()),
            );
        }
    }

    // Whole units.
    if billed.units.fract() != 0.0 {
        flag(
            Rule::UnroundedUnits,
            "billed.units",
            "`billed.units` is not a whole number; bill whole units computed from the session times".to_owned(),
        );
    }

    // Place of service.
    if let Some(text) = &billed.place_of_service {
        let engine_pos = PlaceOfService::for_session(ctx.enc.setting, ctx.enc.modality);
        match text.parse::<PlaceOfService>() {
            Err(_) => flag(
                Rule::PlaceOfServiceMismatch,
                "billed.place_of_service",
                format!(
                    "`billed.place_of_service` is not a place-of-service code this library knows; the session calls for {engine_pos} ({})",
                    engine_pos.meaning()
                ),
            ),
            Ok(pos) if pos != engine_pos => flag(
                Rule::PlaceOfServiceMismatch,
                "billed.place_of_service",
                format!(
                    "billed place of service {pos} ({}), but an {} session with the patient in the {} setting is {engine_pos} ({})",
                    pos.meaning(),
                    match ctx.enc.modality {
                        Modality::InPerson => "in-person",
                        Modality::AudioVideo => "audio-video",
                        Modality::AudioOnly => "audio-only",
                    },
                    ctx.enc.setting.as_str(),
                    engine_pos.meaning()
                ),
            ),
            Ok(_) => {}
        }
    }
}

/// Why a billed modifier the engine does not require is wrong, or `None` when it is one the
/// engine leaves to the biller (59, X-modifiers, KX).
fn not_valid(
    policy: &Policy,
    ctx: &Context<'_>,
    code: Code,
    m: Modifier,
    required: &RequiredModifiers,
) -> Option<String> {
    let enc = ctx.enc;
    let same_group = required.modifiers.iter().find(|r| r.group() == m.group());
    let why = match m.group() {
        ModifierGroup::Distinct | ModifierGroup::Informational => return None,
        _ if same_group.is_some() => format!(
            "the session calls for {} instead",
            same_group.map(|r| r.as_str()).unwrap_or_default()
        ),
        ModifierGroup::Telehealth => match enc.modality {
            Modality::InPerson => "the session was in person".to_owned(),
            Modality::AudioVideo => format!(
                "policy {} uses {} for audio-video telehealth",
                policy.id(),
                policy
                    .telehealth_modifier()
                    .map(|t| t.as_str())
                    .unwrap_or("no modifier")
            ),
            Modality::AudioOnly => format!(
                "policy {} uses {} for audio-only",
                policy.id(),
                policy
                    .audio_only_modifier()
                    .map(|t| t.as_str())
                    .unwrap_or("no modifier")
            ),
        },
        ModifierGroup::ProviderLevel if !code.is_h_code() => {
            format!("{code} carries no provider-level modifier")
        }
        ModifierGroup::ProviderLevel => {
            format!("policy {} uses no provider-level modifiers", policy.id())
        }
        ModifierGroup::Group if enc.group_size < 2 => "the session was individual".to_owned(),
        ModifierGroup::EarlyIntervention if !enc.early_intervention => {
            "the session is not marked early intervention".to_owned()
        }
        ModifierGroup::FollowUp if !enc.follow_up => {
            "the session is not marked as a follow-up".to_owned()
        }
        ModifierGroup::Therapy | ModifierGroup::TherapyAssistant if code != Code::Cpt97535 => {
            format!("therapy modifiers go with 97535, not {code}")
        }
        ModifierGroup::TherapyAssistant if !ctx.provider.assistant => {
            "the provider is not an assistant".to_owned()
        }
        ModifierGroup::StateDefined => format!(
            "policy {} maps the {} setting to no such level of care",
            policy.id(),
            enc.setting.as_str()
        ),
        _ => format!("policy {} does not use it", policy.id()),
    };
    Some(why)
}
