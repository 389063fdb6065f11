//! Procedure-code modifiers: what each one means, the order they go in and which pairs
//! conflict.
//!
//! Sources: the CMS HCPCS Level II modifier list and CPT modifiers as summarised in
//! `docs/rules.md`, "Modifiers". At most four modifiers fit on a claim line (X12 837P SV101,
//! CMS-1500 item 24D). Pricing modifiers (level of care, provider level, group) go first,
//! informational ones (telehealth) last; a payer may fix its own order.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The most modifiers one claim line carries (X12 837P SV101-3..6; CMS-1500 24D).
pub const MAX_MODIFIERS: usize = 4;

macro_rules! modifiers {
    ($( $(#[$doc:meta])* $variant:ident = $text:literal, $group:ident, $meaning:literal; )*) => {
        /// A known two-character modifier.
        ///
        /// ```
        /// use h2024::{Modifier, ModifierGroup};
        /// let m: Modifier = "HO".parse()?;
        /// assert_eq!(m.group(), ModifierGroup::ProviderLevel);
        /// assert_eq!(m.meaning(), "Master's degree level");
        /// assert_eq!("95".parse::<Modifier>()?.to_string(), "95");
        /// assert!("ZZ".parse::<Modifier>().is_err());
        /// # Ok::<(), h2024::InvalidModifier>(())
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Modifier {
            $( $(#[$doc])* $variant, )*
        }

        impl Modifier {
            /// Every modifier this library knows.
            pub const ALL: &'static [Modifier] = &[ $( Modifier::$variant, )* ];

            /// The two characters written on the claim.
            pub const fn as_str(self) -> &'static str {
                match self { $( Modifier::$variant => $text, )* }
            }

            /// What the modifier means (CMS HCPCS file / CPT, in our words).
            pub const fn meaning(self) -> &'static str {
                match self { $( Modifier::$variant => $meaning, )* }
            }

            /// The group the modifier belongs to, which fixes its default position.
            pub const fn group(self) -> ModifierGroup {
                match self { $( Modifier::$variant => ModifierGroup::$group, )* }
            }
        }
    };
}

modifiers! {
    /// Doctoral level.
    HP = "HP", ProviderLevel, "Doctoral level";
    /// Master's degree level.
    HO = "HO", ProviderLevel, "Master's degree level";
    /// Bachelor's degree level.
    HN = "HN", ProviderLevel, "Bachelor's degree level";
    /// Less than bachelor's degree level.
    HM = "HM", ProviderLevel, "Less than bachelor's degree level";
    /// Group setting.
    HQ = "HQ", Group, "Group setting";
    /// Services delivered under an outpatient occupational therapy plan of care.
    GO = "GO", Therapy, "Occupational therapy plan of care";
    /// Services delivered under an outpatient physical therapy plan of care.
    GP = "GP", Therapy, "Physical therapy plan of care";
    /// Services delivered under an outpatient speech-language pathology plan of care.
    GN = "GN", Therapy, "Speech-language pathology plan of care";
    /// Furnished in whole or in part by an occupational therapy assistant.
    CO = "CO", TherapyAssistant, "Occupational therapy assistant furnished the service";
    /// Furnished in whole or in part by a physical therapist assistant.
    CQ = "CQ", TherapyAssistant, "Physical therapist assistant furnished the service";
    /// Early intervention / individualized family service plan (IFSP).
    TL = "TL", EarlyIntervention, "Early intervention/individualized family service plan";
    /// Follow-up service.
    TS = "TS", FollowUp, "Follow-up service";
    /// Via interactive audio and video telecommunication systems.
    GT = "GT", Telehealth, "Interactive audio and video telecommunication";
    /// Synchronous telemedicine via real-time interactive audio and video (CPT).
    M95 = "95", Telehealth, "Synchronous audio-video telemedicine";
    /// Audio-only (CPT).
    M93 = "93", Telehealth, "Audio-only telemedicine";
    /// Audio-only communication technology (HCPCS).
    FQ = "FQ", Telehealth, "Audio-only communication technology";
    /// Medicaid level of care 1, as defined by each state.
    U1 = "U1", StateDefined, "Medicaid level of care 1, state-defined";
    /// Medicaid level of care 2, as defined by each state.
    U2 = "U2", StateDefined, "Medicaid level of care 2, state-defined";
    /// Medicaid level of care 3, as defined by each state.
    U3 = "U3", StateDefined, "Medicaid level of care 3, state-defined";
    /// Medicaid level of care 4, as defined by each state.
    U4 = "U4", StateDefined, "Medicaid level of care 4, state-defined";
    /// Medicaid level of care 5, as defined by each state.
    U5 = "U5", StateDefined, "Medicaid level of care 5, state-defined";
    /// Medicaid level of care 6, as defined by each state.
    U6 = "U6", StateDefined, "Medicaid level of care 6, state-defined";
    /// Medicaid level of care 7, as defined by each state.
    U7 = "U7", StateDefined, "Medicaid level of care 7, state-defined";
    /// Medicaid level of care 8, as defined by each state.
    U8 = "U8", StateDefined, "Medicaid level of care 8, state-defined";
    /// Medicaid level of care 9, as defined by each state.
    U9 = "U9", StateDefined, "Medicaid level of care 9, state-defined";
    /// Medicaid level of care 10, as defined by each state.
    UA = "UA", StateDefined, "Medicaid level of care 10, state-defined";
    /// Medicaid level of care 11, as defined by each state.
    UB = "UB", StateDefined, "Medicaid level of care 11, state-defined";
    /// Medicaid level of care 12, as defined by each state.
    UC = "UC", StateDefined, "Medicaid level of care 12, state-defined";
    /// Medicaid level of care 13, as defined by each state.
    UD = "UD", StateDefined, "Medicaid level of care 13, state-defined";
    /// Distinct procedural service.
    M59 = "59", Distinct, "Distinct procedural service";
    /// Separate encounter (a narrower form of 59).
    XE = "XE", Distinct, "Separate encounter";
    /// Separate practitioner (a narrower form of 59).
    XP = "XP", Distinct, "Separate practitioner";
    /// Separate structure (a narrower form of 59).
    XS = "XS", Distinct, "Separate structure";
    /// Unusual non-overlapping service (a narrower form of 59).
    XU = "XU", Distinct, "Unusual non-overlapping service";
    /// Requirements specified in the medical policy have been met.
    KX = "KX", Informational, "Medical policy requirements met";
}

/// The groups of modifiers, in the default order they appear on a line.
///
/// The default order puts pricing modifiers first and informational ones last
/// (`docs/rules.md`, "Modifier order"): state-defined U-modifiers, provider level, group,
/// therapy discipline, therapy assistant, early intervention, follow-up, distinct service,
/// other informational, telehealth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ModifierGroup {
    /// U1-UD: Medicaid level of care, state-defined.
    StateDefined,
    /// HP/HO/HN/HM: the rendering provider's education level.
    ProviderLevel,
    /// HQ: group setting.
    Group,
    /// GO/GP/GN: therapy plan of care.
    Therapy,
    /// CO/CQ: therapy assistant.
    TherapyAssistant,
    /// TL: early intervention.
    EarlyIntervention,
    /// TS: follow-up.
    FollowUp,
    /// 59 and XE/XP/XS/XU: distinct procedural service.
    Distinct,
    /// KX and other informational modifiers.
    Informational,
    /// GT/95/93/FQ: telehealth.
    Telehealth,
}

impl fmt::Display for Modifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for text that is not a known modifier.
///
/// The message does not repeat the rejected text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum InvalidModifier {
    /// Not two ASCII letters or digits.
    #[error("a modifier is two letters or digits")]
    Malformed,
    /// Well formed, but not a modifier this library knows.
    #[error("not a modifier this library knows (see Modifier::ALL)")]
    Unknown,
}

impl FromStr for Modifier {
    type Err = InvalidModifier;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() != 2 || !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(InvalidModifier::Malformed);
        }
        Modifier::ALL
            .iter()
            .copied()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
            .ok_or(InvalidModifier::Unknown)
    }
}

impl Serialize for Modifier {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Modifier {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Two modifiers that must never stand on the same line, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[error("{first} and {second} conflict: {}", kind.reason())]
pub struct ModifierConflict {
    /// The first modifier of the pair, in line order (for [`ConflictKind::MissingPlanOfCare`],
    /// the assistant modifier).
    pub first: Modifier,
    /// The second modifier of the pair (for [`ConflictKind::MissingPlanOfCare`], the
    /// plan-of-care modifier that is missing).
    pub second: Modifier,
    /// Why they conflict.
    pub kind: ConflictKind,
}

/// Why two modifiers conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ConflictKind {
    /// The same modifier twice.
    Repeated,
    /// Two provider levels.
    ProviderLevels,
    /// Two therapy plans of care.
    PlansOfCare,
    /// Two assistant modifiers.
    Assistants,
    /// Two telehealth or audio-only modifiers.
    Telehealth,
    /// 59 with an X-modifier, or two X-modifiers.
    Distinct,
    /// An assistant modifier without its discipline's plan-of-care modifier.
    MissingPlanOfCare,
}

impl ConflictKind {
    /// Why the pair conflicts, in words.
    pub const fn reason(self) -> &'static str {
        match self {
            ConflictKind::Repeated => "the same modifier twice",
            ConflictKind::ProviderLevels => "one provider level per line",
            ConflictKind::PlansOfCare => "one therapy plan of care per line",
            ConflictKind::Assistants => "one assistant modifier per line",
            ConflictKind::Telehealth => "one telehealth modifier per line",
            ConflictKind::Distinct => {
                "59 and the X-modifiers (its narrower forms) never go together"
            }
            ConflictKind::MissingPlanOfCare => {
                "an assistant modifier needs its discipline's plan-of-care modifier"
            }
        }
    }
}

/// The first conflict among `modifiers`, if any (`docs/rules.md`, "Modifier conflicts").
///
/// Conflicts: two provider levels, two therapy disciplines, two telehealth modifiers (GT with
/// 95 included), 59 with an X-modifier or two X-modifiers, the same modifier twice, CO
/// without GO and CQ without GP (an assistant modifier pairs with its discipline).
///
/// ```
/// use h2024::{Modifier, modifiers::find_conflict};
/// assert!(find_conflict(&[Modifier::HO, Modifier::TS]).is_none());
/// assert!(find_conflict(&[Modifier::GT, Modifier::M95]).is_some());
/// assert!(find_conflict(&[Modifier::CO, Modifier::GP]).is_some());
/// ```
pub fn find_conflict(modifiers: &[Modifier]) -> Option<ModifierConflict> {
    conflicts(modifiers).into_iter().next()
}

/// Every conflict among `modifiers`: each conflicting pair once, then each assistant
/// modifier without its discipline's modifier. See [`find_conflict`].
pub fn conflicts(modifiers: &[Modifier]) -> Vec<ModifierConflict> {
    let mut found = Vec::new();
    for (i, &first) in modifiers.iter().enumerate() {
        for &second in &modifiers[i + 1..] {
            let kind = if first == second {
                Some(ConflictKind::Repeated)
            } else if first.group() == second.group() {
                match first.group() {
                    ModifierGroup::ProviderLevel => Some(ConflictKind::ProviderLevels),
                    ModifierGroup::Therapy => Some(ConflictKind::PlansOfCare),
                    ModifierGroup::TherapyAssistant => Some(ConflictKind::Assistants),
                    ModifierGroup::Telehealth => Some(ConflictKind::Telehealth),
                    ModifierGroup::Distinct => Some(ConflictKind::Distinct),
                    _ => None,
                }
            } else {
                None
            };
            if let Some(kind) = kind {
                found.push(ModifierConflict {
                    first,
                    second,
                    kind,
                });
            }
        }
    }
    for (assistant, discipline) in [(Modifier::CO, Modifier::GO), (Modifier::CQ, Modifier::GP)] {
        if modifiers.contains(&assistant) && !modifiers.contains(&discipline) {
            found.push(ModifierConflict {
                first: assistant,
                second: discipline,
                kind: ConflictKind::MissingPlanOfCare,
            });
        }
    }
    found
}

/// Sorts `modifiers` into line order: those in `policy_order` first, in that order, then the
/// rest in the default group order ([`ModifierGroup`]), ties by [`Modifier::ALL`] order.
///
/// An assistant modifier stands right after its plan-of-care modifier when both are there
/// (CO after GO, CQ after GP), whatever the policy order says, so that cutting a line to
/// four modifiers never keeps CO without GO.
///
/// ```
/// use h2024::{Modifier, modifiers::sort_modifiers};
/// let mut mods = vec![Modifier::GT, Modifier::TS, Modifier::HO, Modifier::U1];
/// sort_modifiers(&mut mods, &[]);
/// assert_eq!(mods, [Modifier::U1, Modifier::HO, Modifier::TS, Modifier::GT]);
/// sort_modifiers(&mut mods, &[Modifier::HO]);
/// assert_eq!(mods, [Modifier::HO, Modifier::U1, Modifier::TS, Modifier::GT]);
/// ```
pub fn sort_modifiers(modifiers: &mut [Modifier], policy_order: &[Modifier]) {
    let has_go = modifiers.contains(&Modifier::GO);
    let has_gp = modifiers.contains(&Modifier::GP);
    modifiers.sort_by_key(|&m| sort_key(m, policy_order, has_go, has_gp));
}

/// A modifier's place in line order (see [`sort_modifiers`]).
pub(crate) fn sort_key(
    m: Modifier,
    policy_order: &[Modifier],
    has_go: bool,
    has_gp: bool,
) -> ((usize, ModifierGroup, Modifier), u8) {
    let key = |m: Modifier| {
        let listed = policy_order
            .iter()
            .position(|p| *p == m)
            .unwrap_or(policy_order.len());
        (listed, m.group(), m)
    };
    match m {
        Modifier::CO if has_go => (key(Modifier::GO), 1),
        Modifier::CQ if has_gp => (key(Modifier::GP), 1),
        _ => (key(m), 0),
    }
}

/// The default priority of a modifier group when more modifiers are required than a line
/// carries (`docs/rules.md`, "At most four modifiers per line"): pricing modifiers first
/// (state U-modifiers, provider level, group, therapy discipline, therapy assistant), then the
/// telehealth or audio-only modifier, then early intervention and follow-up, which only
/// inform; 0 is kept first.
pub const fn default_priority(group: ModifierGroup) -> u8 {
    match group {
        ModifierGroup::StateDefined => 0,
        ModifierGroup::ProviderLevel => 1,
        ModifierGroup::Group => 2,
        ModifierGroup::Therapy => 3,
        ModifierGroup::TherapyAssistant => 4,
        ModifierGroup::Telehealth => 5,
        ModifierGroup::EarlyIntervention => 6,
        ModifierGroup::FollowUp => 7,
        ModifierGroup::Distinct => 8,
        ModifierGroup::Informational => 9,
    }
}

/// A modifier's place in priority order: those in `policy_priority` first, in that order,
/// then the rest by [`default_priority`], ties by [`Modifier::ALL`] order. An assistant
/// modifier comes right after its plan-of-care modifier when both are there, so that it is
/// never kept without it.
pub(crate) fn priority_key(
    m: Modifier,
    policy_priority: &[Modifier],
    has_go: bool,
    has_gp: bool,
) -> ((usize, u8, Modifier), u8) {
    let key = |m: Modifier| {
        let listed = policy_priority
            .iter()
            .position(|p| *p == m)
            .unwrap_or(policy_priority.len());
        (listed, default_priority(m.group()), m)
    };
    match m {
        Modifier::CO if has_go => (key(Modifier::GO), 1),
        Modifier::CQ if has_gp => (key(Modifier::GP), 1),
        _ => (key(m), 0),
    }
}

/// Sorts `items` (each holding the modifier `modifier_of` gives) so that the first
/// [`MAX_MODIFIERS`] are those of highest priority, in line order, and any others follow in
/// priority order; returns how many fit on the line.
pub(crate) fn fit_on_line<T>(
    items: &mut [T],
    modifier_of: impl Fn(&T) -> Modifier,
    policy_priority: &[Modifier],
    policy_order: &[Modifier],
) -> usize {
    let has_go = items.iter().any(|t| modifier_of(t) == Modifier::GO);
    let has_gp = items.iter().any(|t| modifier_of(t) == Modifier::GP);
    if items.len() > MAX_MODIFIERS {
        items.sort_by_key(|t| priority_key(modifier_of(t), policy_priority, has_go, has_gp));
    }
    let kept = items.len().min(MAX_MODIFIERS);
    items[..kept].sort_by_key(|t| sort_key(modifier_of(t), policy_order, has_go, has_gp));
    kept
}

/// Which of `modifiers` go on a line of at most [`MAX_MODIFIERS`], and which are left off:
/// the highest in priority stay (`policy_priority` first, then [`default_priority`]), in
/// line order (`policy_order` first, then the default order, as [`sort_modifiers`]); the
/// others are returned in priority order.
///
/// ```
/// use h2024::Modifier::*;
/// use h2024::modifiers::fit_modifiers;
/// // Five required: the informational TS goes first, and the telehealth GT stays.
/// let (kept, dropped) = fit_modifiers(&[U1, HO, TL, TS, GT], &[], &[]);
/// assert_eq!(kept, [U1, HO, TL, GT]);
/// assert_eq!(dropped, [TS]);
/// // A payer that values TS above everything: TL is left off instead.
/// let (kept, dropped) = fit_modifiers(&[U1, HO, TL, TS, GT], &[TS], &[]);
/// assert_eq!(kept, [U1, HO, TS, GT]);
/// assert_eq!(dropped, [TL]);
/// ```
pub fn fit_modifiers(
    modifiers: &[Modifier],
    policy_priority: &[Modifier],
    policy_order: &[Modifier],
) -> (Vec<Modifier>, Vec<Modifier>) {
    let mut all = modifiers.to_vec();
    let kept = fit_on_line(&mut all, |m| *m, policy_priority, policy_order);
    let dropped = all.split_off(kept);
    (all, dropped)
}

/// Up to [`MAX_MODIFIERS`] modifiers in line order, stored inline; ordered and compared as
/// the slice they hold (by a key computed once: sorting lines compares it often).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LineModifiers {
    list: [Modifier; MAX_MODIFIERS],
    len: u8,
    /// The list as one number that orders as the slice does: each modifier's position in
    /// [`Modifier::ALL`] plus one, six bits each, first modifier highest; 0 for none.
    key: u32,
}

impl LineModifiers {
    /// The first [`MAX_MODIFIERS`] of `modifiers`, in the order given.
    pub fn new(modifiers: impl IntoIterator<Item = Modifier>) -> LineModifiers {
        let mut line = LineModifiers {
            list: [Modifier::KX; MAX_MODIFIERS],
            len: 0,
            key: 0,
        };
        for (i, m) in (0..MAX_MODIFIERS).zip(modifiers) {
            line.list[i] = m;
            line.len += 1;
            line.key |= (m as u32 + 1) << (6 * (MAX_MODIFIERS - 1 - i));
        }
        line
    }

    /// The modifiers, in line order.
    pub fn as_slice(&self) -> &[Modifier] {
        &self.list[..usize::from(self.len)]
    }

    /// How many.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl PartialOrd for LineModifiers {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for LineModifiers {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key.cmp(&other.key)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Modifier {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Modifier".into()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        "h2024::Modifier".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let names: Vec<&str> = Modifier::ALL.iter().map(|m| m.as_str()).collect();
        schemars::json_schema!({
            "type": "string",
            "description": "A procedure-code modifier this library knows, in upper case (README, \"Modifiers and place of service\").",
            "enum": names,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_modifier_round_trips() {
        for &m in Modifier::ALL {
            assert_eq!(m.as_str().len(), 2);
            assert_eq!(m.as_str().parse::<Modifier>(), Ok(m));
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(serde_json::from_str::<Modifier>(&json).unwrap(), m);
        }
    }

    #[test]
    fn malformed_and_unknown_are_told_apart() {
        assert_eq!("H".parse::<Modifier>(), Err(InvalidModifier::Malformed));
        assert_eq!("HOO".parse::<Modifier>(), Err(InvalidModifier::Malformed));
        assert_eq!("H-".parse::<Modifier>(), Err(InvalidModifier::Malformed));
        assert_eq!("ZZ".parse::<Modifier>(), Err(InvalidModifier::Unknown));
        assert_eq!("ho".parse::<Modifier>(), Ok(Modifier::HO));
    }

    #[test]
    fn conflicts_named_in_domain_reference() {
        use Modifier::*;
        for pair in [
            [GT, M95],
            [HO, HN],
            [GO, GP],
            [M59, XE],
            [XS, XU],
            [M93, FQ],
            [TS, TS],
        ] {
            assert!(find_conflict(&pair).is_some(), "{pair:?}");
        }
        assert!(find_conflict(&[CO]).is_some());
        assert!(find_conflict(&[CQ, GO]).is_some());
        assert!(find_conflict(&[GO, CO]).is_none());
        assert!(find_conflict(&[GP, CQ, M95]).is_none());
        assert!(find_conflict(&[U1, HO, HQ, TS]).is_none());
        // Each problem once: CO without GO is one conflict, however many others stand by.
        assert_eq!(conflicts(&[CO, HO, HQ]).len(), 1);
        assert_eq!(conflicts(&[GT, M95, HO, HN]).len(), 2);
    }

    #[test]
    fn assistant_modifiers_follow_their_plan_of_care() {
        use Modifier::*;
        let mut mods = vec![GT, TS, TL, CO, GO];
        sort_modifiers(&mut mods, &[CO, TL, TS, GT]);
        assert_eq!(mods, [TL, TS, GT, GO, CO]);
        // Cut to four, the orphan CO goes with its GO.
        assert!(find_conflict(&mods[..4]).is_none());
    }

    #[test]
    fn default_order_puts_pricing_first_and_telehealth_last() {
        use Modifier::*;
        let mut mods = vec![GT, TS, TL, CO, GO, HQ, HM, U4];
        sort_modifiers(&mut mods, &[]);
        assert_eq!(mods, [U4, HM, HQ, GO, CO, TL, TS, GT]);
    }

    proptest::proptest! {
        #[test]
        fn line_modifiers_order_as_their_slices(
            a in proptest::collection::vec(0..Modifier::ALL.len(), 0..=4),
            b in proptest::collection::vec(0..Modifier::ALL.len(), 0..=4),
        ) {
            let a: Vec<Modifier> = a.into_iter().map(|i| Modifier::ALL[i]).collect();
            let b: Vec<Modifier> = b.into_iter().map(|i| Modifier::ALL[i]).collect();
            let (la, lb) = (LineModifiers::new(a.clone()), LineModifiers::new(b.clone()));
            proptest::prop_assert_eq!(la.as_slice(), &a[..]);
            proptest::prop_assert_eq!(la.cmp(&lb), a.cmp(&b));
            proptest::prop_assert_eq!(la == lb, a == b);
        }
    }
}
