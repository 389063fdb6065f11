//! What a policy requires of a session: the modifiers on its line, each with its ground
//! (README, "Modifiers and place of service"; sources in `docs` and the modifier meanings in
//! [`modifiers`](crate::modifiers)).
//!
//! Derived once per encounter and code, then reused by the line grouping and the audit.

use crate::codes::Code;
use crate::credentials::{Credential, Discipline};
use crate::modifiers::{LineModifiers, Modifier, fit_on_line};
use crate::places::Modality;
use crate::policy::Policy;
use crate::reasons::{Because, ModifierReason};
use crate::request::{Encounter, Provider};

/// The most modifiers a policy can require of one session (one of each derived kind).
const MAX_DERIVED: usize = 8;

/// The modifiers a payer requires on a line, with the ground for each. Kept inline (no heap
/// allocation): it is derived for every encounter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequiredModifiers {
    /// Every required modifier: those on the line first, in line order, then those left off,
    /// in priority order.
    list: [(Modifier, Because); MAX_DERIVED],
    len: u8,
    /// The same, as a line key.
    line: LineModifiers,
}

impl RequiredModifiers {
    /// The modifiers on the line: at most [`MAX_MODIFIERS`](crate::modifiers::MAX_MODIFIERS), in line order.
    pub fn modifiers(&self) -> &[Modifier] {
        self.line.as_slice()
    }

    /// Required modifiers that did not fit on the line (lowest in priority), in priority
    /// order.
    pub fn dropped(&self) -> impl ExactSizeIterator<Item = Modifier> + '_ {
        self.all()[self.line.len()..].iter().map(|(m, _)| *m)
    }

    /// How many modifiers are required in all, on the line or dropped.
    pub fn required(&self) -> usize {
        usize::from(self.len)
    }

    /// The modifiers on the line as a compact, ordered key.
    pub fn line_modifiers(&self) -> LineModifiers {
        self.line
    }

    fn all(&self) -> &[(Modifier, Because)] {
        &self.list[..usize::from(self.len)]
    }

    /// Why `modifier` is required, if it is.
    pub fn because(&self, modifier: Modifier) -> Option<Because> {
        self.all()
            .iter()
            .find(|(have, _)| *have == modifier)
            .map(|(_, why)| *why)
    }

    /// One typed reason per modifier on the line, in line order.
    pub fn reasons(&self) -> Vec<ModifierReason> {
        self.reasons_iter().collect()
    }

    /// Whether `reasons` are this value's [`reasons`](Self::reasons), without building them.
    pub(crate) fn has_reasons(&self, reasons: &[ModifierReason]) -> bool {
        reasons.len() == self.line.len() && self.reasons_iter().eq(reasons.iter().copied())
    }

    fn reasons_iter(&self) -> impl ExactSizeIterator<Item = ModifierReason> + '_ {
        self.all()[..self.line.len()]
            .iter()
            .map(|&(modifier, because)| ModifierReason { modifier, because })
    }
}

/// The modifier a policy puts on a session of `modality`: its telehealth modifier for audio
/// and video, its audio-only modifier for audio only (`None` there means audio-only is not
/// covered), none in person (README, "Modifiers and place of service").
pub fn modality_modifier(policy: &Policy, modality: Modality) -> Option<Modifier> {
    match modality {
        Modality::InPerson => None,
        Modality::AudioVideo => policy.telehealth_modifier(),
        Modality::AudioOnly => policy.audio_only_modifier(),
    }
}

/// Derives the modifiers `policy` requires for `code` on a session (`docs/rules.md`,
/// "Modifiers").
///
/// - the setting's state-defined U-modifier (`setting_modifiers`);
/// - the provider level by credential when the policy asks for it: doctoral HP, masters HO,
///   bachelors HN, associate and paraprofessional HM;
/// - the group modifier when `group_size` is 2 or more;
/// - on 97535, the therapy plan of care by discipline (GO occupational, GP physical, GN
///   speech) and CO/CQ when an OT/PT assistant rendered it;
/// - the early-intervention and follow-up modifiers when the session is so;
/// - the telehealth or audio-only modifier by modality.
///
/// Each goes only on the codes the policy's `modifier_codes` allow (by default the provider
/// levels, TL and TS on H and T codes; `docs/rules.md`, "Modifiers by code family"). When
/// more than four are required, the highest in the policy's `modifier_priority`, then the
/// default priority, stay; they are ordered by the policy's `modifier_order`, then the
/// default order; the others are returned in `dropped`, in priority order.
pub fn required_modifiers(
    policy: &Policy,
    code: Code,
    provider: &Provider,
    encounter: &Encounter,
) -> RequiredModifiers {
    let mut list = [(Modifier::KX, Because::FollowUp); MAX_DERIVED];
    let mut len = 0usize;
    // Only on the codes the policy puts the modifier on (`modifier_codes`); whether it was
    // added.
    let mut add = |m: Option<Modifier>, reason: Because| {
        let Some(m) = m.filter(|&m| policy.modifier_applies(m, code)) else {
            return false;
        };
        if len < MAX_DERIVED && !list[..len].iter().any(|(have, _)| *have == m) {
            list[len] = (m, reason);
            len += 1;
        }
        true
    };
    add(
        policy.setting_modifier(encounter.setting),
        Because::Setting {
            setting: encounter.setting,
        },
    );
    if policy.provider_level_modifiers() {
        let level = match provider.credential {
            Credential::Doctoral => Modifier::HP,
            Credential::Masters => Modifier::HO,
            Credential::Bachelors => Modifier::HN,
            Credential::Associate | Credential::Paraprofessional => Modifier::HM,
        };
        add(
            Some(level),
            Because::ProviderLevel {
                credential: provider.credential,
            },
        );
    }
    if encounter.group_size >= 2 {
        add(
            policy.group_modifier(),
            Because::Group {
                group_size: encounter.group_size,
            },
        );
    }
    if policy.is_therapy(code) {
        let (plan, assistant) = match provider.discipline {
            Discipline::OccupationalTherapy => (Some(Modifier::GO), Some(Modifier::CO)),
            Discipline::PhysicalTherapy => (Some(Modifier::GP), Some(Modifier::CQ)),
            Discipline::SpeechTherapy => (Some(Modifier::GN), None),
            _ => (None, None),
        };
        let has_plan = add(
            plan,
            Because::PlanOfCare {
                discipline: provider.discipline,
            },
        );
        // An assistant modifier never stands without its plan-of-care modifier.
        if provider.assistant && has_plan {
            add(assistant, Because::Assistant);
        }
    }
    if encounter.early_intervention {
        add(
            policy.early_intervention_modifier(),
            Because::EarlyIntervention,
        );
    }
    if encounter.follow_up {
        add(policy.follow_up_modifier(), Because::FollowUp);
    }
    let because = match encounter.modality {
        Modality::AudioOnly => Because::AudioOnly,
        _ => Because::AudioVideo,
    };
    add(modality_modifier(policy, encounter.modality), because);
    // The highest in priority fit on the line, in line order (`docs/rules.md`, "At most four
    // modifiers per line", "Modifier order").
    let kept = fit_on_line(
        &mut list[..len],
        |&(m, _)| m,
        policy.modifier_priority(),
        policy.modifier_order(),
    );
    let line = LineModifiers::new(list[..kept].iter().map(|(m, _)| *m));
    RequiredModifiers {
        list,
        len: len as u8,
        line,
    }
}
