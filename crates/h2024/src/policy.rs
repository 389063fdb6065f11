//! Payer policies: the rules a payer applies, as data.
//!
//! A [`PolicySpec`] is the JSON a payer profile is written in; the three built-in policies
//! (`medicaid`, `commercial`, `medicare`) are written in it too (`src/policies/*.json`). A
//! spec may `extends` another policy and override some of its fields. [`Policy`] is a spec
//! resolved and checked once, when an [`Engine`](crate::Engine) is built: per-code rounding,
//! coverage, caps and modifiers.
//!
//! Rules that change by payer or by year (DOMAIN.md, preamble) live here, never in code.
//! Where a built-in value comes from: DOMAIN.md §1 (code sets), §2 (unit rules: midpoint for
//! Medicaid and commercial plans, the CMS 8-minute rule for Medicare), §3 (modifiers: GT for
//! Medicaid telehealth, 95/93 for commercial and Medicare).

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use crate::codes::{Code, CodeEntry, CodeSet, CodeSetId, Service, Unit};
use crate::error::{PolicyError, PolicyErrorKind};
use crate::modifiers::{Modifier, ModifierGroup};
use crate::request::Setting;
use crate::units::{Aggregation, Rounding, UnitRule};

/// The policy used when a request names none.
pub const DEFAULT_POLICY: &str = "medicaid";

/// The per-diem minimum when a policy sets none: a stand-in of 120 minutes, since each state
/// sets its own (DOMAIN.md §2, "Per diem").
pub const DEFAULT_PER_DIEM_MINUTES: u32 = 120;

/// The early-intervention age limit when a policy sets none: IDEA Part C (early
/// intervention, IFSP) serves children from birth to age three.
pub const DEFAULT_EARLY_INTERVENTION_MAX_AGE_YEARS: u32 = 3;

/// The built-in policies as JSON, in the same format as loaded policies.
pub const BUILTIN_POLICY_JSON: [(&str, &str); 3] = [
    ("medicaid", include_str!("policies/medicaid.json")),
    ("commercial", include_str!("policies/commercial.json")),
    ("medicare", include_str!("policies/medicare.json")),
];

fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A payer policy as written in JSON.
///
/// Every field but `id` may be left out when the policy `extends` another: it is then taken
/// from that policy. In the maps (`codes`, `units`, `max_units_per_day`,
/// `setting_modifiers`) an entry overrides the inherited entry of the same key, and `null`
/// removes it. For the optional modifiers, `null` means "none".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    /// The policy's id (1-64 letters, digits, `_`, `-`, `.`).
    pub id: String,
    /// The built-in or earlier-loaded policy this one starts from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// What the policy is for, in a sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Which built-in code set defines the codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_set: Option<CodeSetId>,
    /// Per-code overrides of the code set's unit, descriptor or service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codes: Option<BTreeMap<Code, Option<CodeOverride>>>,
    /// The codes the payer pays for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub covered_codes: Option<Vec<Code>>,
    /// Unit rules: key `default` for all codes, or a code for that code alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<BTreeMap<String, Option<UnitSpec>>>,
    /// Daily caps: the most units of a code per patient per date of service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_units_per_day: Option<BTreeMap<Code, Option<u32>>>,
    /// Tie-break order for code selection; codes not listed follow in canonical order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_preference: Option<Vec<Code>>,
    /// Whether every session must carry exact start and end times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires_clock_times: Option<bool>,
    /// The audio-video telehealth modifier (GT or 95), or `null` for none.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub telehealth_modifier: Option<Option<Modifier>>,
    /// The audio-only modifier (93 or FQ), or `null` when audio-only is not covered.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub audio_only_modifier: Option<Option<Modifier>>,
    /// Whether H-codes carry the provider-level modifier (HP/HO/HN/HM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_level_modifiers: Option<bool>,
    /// The early-intervention modifier (TL, or a U-modifier), or `null`.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub early_intervention_modifier: Option<Option<Modifier>>,
    /// The follow-up modifier (TS, or a U-modifier), or `null`.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub follow_up_modifier: Option<Option<Modifier>>,
    /// The group modifier (HQ, or a U-modifier), or `null`.
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub group_modifier: Option<Option<Modifier>>,
    /// State-defined level-of-care modifiers (U1-UD) by setting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setting_modifiers: Option<BTreeMap<Setting, Option<Modifier>>>,
    /// The payer's modifier order; modifiers not listed follow in the default order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modifier_order: Option<Vec<Modifier>>,
    /// When a prior authorization is needed (default `never`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prior_authorization: Option<PriorAuthorization>,
    /// Days a progress report stays current, or `null` when the payer sets no interval
    /// (the default).
    #[serde(
        default,
        deserialize_with = "double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub progress_report_interval_days: Option<Option<u32>>,
    /// Whether sessions whose main purpose is education are excluded (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excludes_educational: Option<bool>,
    /// The age from which early intervention no longer applies (default 3: IDEA Part C
    /// serves infants and toddlers under three).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub early_intervention_max_age_years: Option<u32>,
}

/// When a payer needs a prior authorization (DOMAIN.md §2 "Daily caps", §6: commercial
/// payers authorize repeated or long-term services; Arizona Complete Health authorizes adult
/// H2014/H2017 above 8 units a day).
///
/// In JSON: `"never"`, `"always"`, or `{"above_units_per_day": 8}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriorAuthorization {
    /// No authorization is needed.
    #[default]
    Never,
    /// Every line needs an authorization.
    Always,
    /// Needed only on days whose units of the code for the patient pass this number.
    AboveUnitsPerDay(u32),
}

/// A policy's override of one code's definition.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeOverride {
    /// The billing unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<Unit>,
    /// The descriptor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub descriptor: Option<String>,
    /// The service the code is billed for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<Service>,
}

/// The name of a unit rule in a policy's `units` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleName {
    /// See [`UnitRule::Midpoint`].
    Midpoint,
    /// See [`UnitRule::Whole`].
    Whole,
    /// See [`UnitRule::Threshold`]; needs `minutes`.
    Threshold,
    /// See [`UnitRule::Cms8Minute`].
    #[serde(rename = "cms_8_minute")]
    Cms8Minute,
    /// See [`UnitRule::PerDiem`]; takes `min_minutes`.
    PerDiem,
}

/// One entry of a policy's `units` map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitSpec {
    /// The rounding rule.
    pub rule: RuleName,
    /// For `threshold`: remainder minutes that earn the last unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u32>,
    /// For `per_diem`: minutes needed in the day (default 120).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_minutes: Option<u32>,
    /// `day` or `session`; a code's entry without it takes the `default` entry's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregate: Option<Aggregation>,
}

/// How the units of one code are computed and limited under a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRules {
    /// The code's definition after the policy's overrides.
    pub entry: CodeEntry,
    /// Its unit and rounding rule.
    pub rounding: Rounding,
    /// Whether minutes are summed per day before rounding.
    pub aggregation: Aggregation,
    /// The daily cap, if any.
    pub max_units_per_day: Option<u32>,
    /// Whether the payer pays for the code.
    pub covered: bool,
}

/// A resolved, checked payer policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    spec: PolicySpec,
    code_set: CodeSet,
    codes: [CodeRules; 5],
    preference: Vec<Code>,
    setting_modifiers: BTreeMap<Setting, Modifier>,
    modifier_order: Vec<Modifier>,
}

impl Policy {
    /// The policy's id.
    pub fn id(&self) -> &str {
        &self.spec.id
    }

    /// The policy with every inherited field filled in (`extends` kept for reference).
    pub fn spec(&self) -> &PolicySpec {
        &self.spec
    }

    /// The policy's description.
    pub fn description(&self) -> &str {
        self.spec.description.as_deref().unwrap_or("")
    }

    /// The code set, with the policy's overrides applied.
    pub fn code_set(&self) -> &CodeSet {
        &self.code_set
    }

    /// How `code` is billed under this policy.
    pub fn code(&self, code: Code) -> &CodeRules {
        &self.codes[code.index()]
    }

    /// Whether the payer pays for `code`.
    pub fn covers(&self, code: Code) -> bool {
        self.code(code).covered
    }

    /// All five codes in tie-break order: the policy's preference first.
    pub fn preference(&self) -> &[Code] {
        &self.preference
    }

    /// Whether sessions need exact start and end times.
    pub fn requires_clock_times(&self) -> bool {
        self.spec.requires_clock_times.unwrap_or(false)
    }

    /// The audio-video telehealth modifier.
    pub fn telehealth_modifier(&self) -> Option<Modifier> {
        self.spec.telehealth_modifier.flatten()
    }

    /// The audio-only modifier; `None` means audio-only is not covered.
    pub fn audio_only_modifier(&self) -> Option<Modifier> {
        self.spec.audio_only_modifier.flatten()
    }

    /// Whether H-codes carry HP/HO/HN/HM.
    pub fn provider_level_modifiers(&self) -> bool {
        self.spec.provider_level_modifiers.unwrap_or(false)
    }

    /// The early-intervention modifier.
    pub fn early_intervention_modifier(&self) -> Option<Modifier> {
        self.spec.early_intervention_modifier.flatten()
    }

    /// The follow-up modifier.
    pub fn follow_up_modifier(&self) -> Option<Modifier> {
        self.spec.follow_up_modifier.flatten()
    }

    /// The group modifier.
    pub fn group_modifier(&self) -> Option<Modifier> {
        self.spec.group_modifier.flatten()
    }

    /// The state-defined modifier for a setting.
    pub fn setting_modifier(&self, setting: Setting) -> Option<Modifier> {
        self.setting_modifiers.get(&setting).copied()
    }

    /// The payer's modifier order (may be empty: default order).
    pub fn modifier_order(&self) -> &[Modifier] {
        &self.modifier_order
    }

    /// When a prior authorization is needed.
    pub fn prior_authorization(&self) -> PriorAuthorization {
        self.spec.prior_authorization.unwrap_or_default()
    }

    /// Days a progress report stays current, if the payer sets an interval.
    pub fn progress_report_interval_days(&self) -> Option<u32> {
        self.spec.progress_report_interval_days.flatten()
    }

    /// Whether primarily educational sessions are excluded.
    pub fn excludes_educational(&self) -> bool {
        self.spec.excludes_educational.unwrap_or(false)
    }

    /// The age (in whole years, on the date of service) from which early intervention no
    /// longer applies.
    pub fn early_intervention_max_age_years(&self) -> u32 {
        self.spec
            .early_intervention_max_age_years
            .unwrap_or(DEFAULT_EARLY_INTERVENTION_MAX_AGE_YEARS)
    }

    /// The built-in policies, resolved.
    pub fn builtins() -> Vec<Policy> {
        let mut out: Vec<Policy> = Vec::with_capacity(BUILTIN_POLICY_JSON.len());
        for (id, json) in BUILTIN_POLICY_JSON {
            let spec: PolicySpec = match serde_json::from_str(json) {
                Ok(spec) => spec,
                // The built-in files are checked by tests; an edit that breaks one fails them.
                Err(e) => panic!("built-in policy {id} does not parse: {e}"),
            };
            match resolve(spec, &|_| None) {
                Ok(policy) => out.push(policy),
                Err(e) => panic!("built-in policy {id} is invalid: {e}"),
            }
        }
        out
    }
}

/// Resolves `spec` against its base (looked up with `base_of`) and checks it.
///
/// Paths in errors are relative to the spec (`units.H2014.rule`).
pub(crate) fn resolve(
    spec: PolicySpec,
    base_of: &dyn Fn(&str) -> Option<PolicySpec>,
) -> Result<Policy, PolicyError> {
    check_id(&spec.id)?;
    let merged = match &spec.extends {
        None => spec,
        Some(base_id) => {
            let base = base_of(base_id).ok_or_else(|| {
                PolicyError::new(
                    PolicyErrorKind::UnknownBase,
                    "extends",
                    "names no built-in or earlier policy",
                )
            })?;
            merge(base, spec)
        }
    };
    build(merged)
}

fn check_id(id: &str) -> Result<(), PolicyError> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(PolicyError::new(
            PolicyErrorKind::InvalidValue,
            "id",
            "must be 1-64 letters, digits, '_', '-' or '.'",
        ))
    }
}

fn merge_map<K: Ord, V>(
    base: Option<BTreeMap<K, Option<V>>>,
    over: Option<BTreeMap<K, Option<V>>>,
) -> Option<BTreeMap<K, Option<V>>> {
    let Some(over) = over else { return base };
    let mut map = base.unwrap_or_default();
    for (key, value) in over {
        match value {
            Some(v) => {
                map.insert(key, Some(v));
            }
            None => {
                map.remove(&key);
            }
        }
    }
    Some(map)
}

fn merge(base: PolicySpec, over: PolicySpec) -> PolicySpec {
    PolicySpec {
        id: over.id,
        extends: over.extends,
        description: over.description.or(base.description),
        code_set: over.code_set.or(base.code_set),
        codes: merge_map(base.codes, over.codes),
        covered_codes: over.covered_codes.or(base.covered_codes),
        units: merge_map(base.units, over.units),
        max_units_per_day: merge_map(base.max_units_per_day, over.max_units_per_day),
        code_preference: over.code_preference.or(base.code_preference),
        requires_clock_times: over.requires_clock_times.or(base.requires_clock_times),
        telehealth_modifier: over.telehealth_modifier.or(base.telehealth_modifier),
        audio_only_modifier: over.audio_only_modifier.or(base.audio_only_modifier),
        provider_level_modifiers: over
            .provider_level_modifiers
            .or(base.provider_level_modifiers),
        early_intervention_modifier: over
            .early_intervention_modifier
            .or(base.early_intervention_modifier),
        follow_up_modifier: over.follow_up_modifier.or(base.follow_up_modifier),
        group_modifier: over.group_modifier.or(base.group_modifier),
        setting_modifiers: merge_map(base.setting_modifiers, over.setting_modifiers),
        modifier_order: over.modifier_order.or(base.modifier_order),
        prior_authorization: over.prior_authorization.or(base.prior_authorization),
        progress_report_interval_days: over
            .progress_report_interval_days
            .or(base.progress_report_interval_days),
        excludes_educational: over.excludes_educational.or(base.excludes_educational),
        early_intervention_max_age_years: over
            .early_intervention_max_age_years
            .or(base.early_intervention_max_age_years),
    }
}

fn invalid(path: impl Into<String>, message: impl Into<String>) -> PolicyError {
    PolicyError::new(PolicyErrorKind::InvalidValue, path, message)
}

fn required<T: Clone>(value: &Option<T>, field: &str) -> Result<T, PolicyError> {
    value.clone().ok_or_else(|| {
        PolicyError::new(
            PolicyErrorKind::MissingField,
            field,
            "required in a policy without `extends`",
        )
    })
}

fn check_modifier(
    value: Option<Option<Modifier>>,
    field: &str,
    allowed: &[ModifierGroup],
    what: &str,
) -> Result<(), PolicyError> {
    match value {
        None => Err(PolicyError::new(
            PolicyErrorKind::MissingField,
            field,
            "required in a policy without `extends` (null for none)",
        )),
        Some(Some(m)) if !allowed.contains(&m.group()) => {
            Err(invalid(field, format!("must be {what}")))
        }
        Some(_) => Ok(()),
    }
}

fn no_duplicates<T: PartialEq>(items: &[T], field: &str) -> Result<(), PolicyError> {
    for (i, item) in items.iter().enumerate() {
        if items[..i].contains(item) {
            return Err(invalid(format!("{field}[{i}]"), "listed twice"));
        }
    }
    Ok(())
}

fn build(spec: PolicySpec) -> Result<Policy, PolicyError> {
    let code_set_id = required(&spec.code_set, "code_set")?;
    let covered = required(&spec.covered_codes, "covered_codes")?;
    no_duplicates(&covered, "covered_codes")?;
    let units = required(&spec.units, "units")?;
    let caps = spec.max_units_per_day.clone().unwrap_or_default();
    let preference = required(&spec.code_preference, "code_preference")?;
    no_duplicates(&preference, "code_preference")?;
    required(&spec.requires_clock_times, "requires_clock_times")?;
    required(&spec.provider_level_modifiers, "provider_level_modifiers")?;
    check_modifier(
        spec.telehealth_modifier,
        "telehealth_modifier",
        &[ModifierGroup::Telehealth],
        "GT or 95",
    )?;
    if let Some(Some(m)) = spec.telehealth_modifier {
        if !matches!(m, Modifier::GT | Modifier::M95) {
            return Err(invalid("telehealth_modifier", "must be GT or 95"));
        }
    }
    check_modifier(
        spec.audio_only_modifier,
        "audio_only_modifier",
        &[ModifierGroup::Telehealth],
        "93 or FQ",
    )?;
    if let Some(Some(m)) = spec.audio_only_modifier {
        if !matches!(m, Modifier::M93 | Modifier::FQ) {
            return Err(invalid("audio_only_modifier", "must be 93 or FQ"));
        }
    }
    use ModifierGroup as G;
    check_modifier(
        spec.early_intervention_modifier,
        "early_intervention_modifier",
        &[G::EarlyIntervention, G::StateDefined],
        "TL or a state-defined U-modifier",
    )?;
    check_modifier(
        spec.follow_up_modifier,
        "follow_up_modifier",
        &[G::FollowUp, G::StateDefined],
        "TS or a state-defined U-modifier",
    )?;
    check_modifier(
        spec.group_modifier,
        "group_modifier",
        &[G::Group, G::StateDefined],
        "HQ or a state-defined U-modifier",
    )?;
    let mut setting_modifiers = BTreeMap::new();
    for (setting, modifier) in spec.setting_modifiers.clone().unwrap_or_default() {
        let Some(modifier) = modifier else { continue };
        if modifier.group() != G::StateDefined {
            return Err(invalid(
                format!("setting_modifiers.{}", setting.as_str()),
                "must be a state-defined U-modifier (U1-UD)",
            ));
        }
        setting_modifiers.insert(setting, modifier);
    }
    let modifier_order = spec.modifier_order.clone().unwrap_or_default();
    no_duplicates(&modifier_order, "modifier_order")?;
    if let Some(PriorAuthorization::AboveUnitsPerDay(0)) = spec.prior_authorization {
        return Err(invalid(
            "prior_authorization.above_units_per_day",
            "must be at least 1 (use \"always\" to require an authorization for every line)",
        ));
    }
    if let Some(Some(0)) = spec.progress_report_interval_days {
        return Err(invalid(
            "progress_report_interval_days",
            "must be at least 1 day, or null for no interval",
        ));
    }
    if let Some(age) = spec.early_intervention_max_age_years {
        if age == 0 || age > 21 {
            return Err(invalid(
                "early_intervention_max_age_years",
                "must be between 1 and 21",
            ));
        }
    }

    // Code definitions after overrides.
    let mut code_set = CodeSet::builtin(code_set_id);
    for (code, over) in spec.codes.clone().unwrap_or_default() {
        let Some(over) = over else { continue };
        let entry = code_set.entry_mut(code);
        if let Some(unit) = over.unit {
            if let Unit::Minutes(m) = unit {
                if m == 0 || m > 1440 {
                    return Err(invalid(
                        format!("codes.{code}.unit.minutes"),
                        "must be between 1 and 1440",
                    ));
                }
            }
            entry.unit = unit;
        }
        if let Some(descriptor) = over.descriptor {
            if descriptor.is_empty() || descriptor.len() > 200 {
                return Err(invalid(
                    format!("codes.{code}.descriptor"),
                    "must be 1-200 characters",
                ));
            }
            entry.descriptor = descriptor;
        }
        if let Some(service) = over.service {
            if matches!(service, Service::Psychotherapy | Service::CaseManagement) {
                return Err(invalid(
                    format!("codes.{code}.service"),
                    "psychotherapy and case management are outside this code family",
                ));
            }
            entry.service = service;
        }
    }

    // Unit rules.
    for key in units.keys() {
        if key != "default" && key.parse::<Code>().is_err() {
            return Err(invalid(
                format!("units.{key}"),
                "keys are `default` or one of H2024, H2014, H2017, H2023, 97535",
            ));
        }
    }
    let default = units.get("default").copied().flatten().ok_or_else(|| {
        PolicyError::new(
            PolicyErrorKind::MissingField,
            "units.default",
            "the default unit rule is required",
        )
    })?;
    let default_aggregate = default.aggregate.unwrap_or_default();
    let mut rules: Vec<CodeRules> = Vec::with_capacity(5);
    for code in Code::ALL {
        let own = units.get(code.as_str()).copied().flatten();
        let (spec_used, path) = match own {
            Some(s) => (s, format!("units.{code}")),
            None => (default, "units.default".to_owned()),
        };
        let mut entry = code_set.entry(code).clone();
        let rule = unit_rule(&spec_used, &path)?;
        let rule = match (entry.unit, rule, own.is_some()) {
            // A per-diem code under a timed default rule: per diem with the default minimum.
            (Unit::PerDiem, UnitRule::PerDiem { .. }, _) => rule,
            (Unit::PerDiem, _, false) => UnitRule::PerDiem {
                min_minutes: DEFAULT_PER_DIEM_MINUTES,
            },
            (Unit::PerDiem, _, true) => {
                return Err(invalid(
                    format!("{path}.rule"),
                    format!("{code} is billed per diem here: its rule must be per_diem"),
                ));
            }
            // An explicit per_diem rule makes the code a per-diem code for this payer.
            (Unit::Minutes(_), UnitRule::PerDiem { .. }, true) => {
                entry.unit = Unit::PerDiem;
                rule
            }
            (Unit::Minutes(_), UnitRule::PerDiem { .. }, false) => {
                return Err(invalid(
                    "units.default.rule",
                    format!(
                        "per_diem cannot be the default for the timed code {code}; give per-diem codes their own entry"
                    ),
                ));
            }
            (Unit::Minutes(_), rule, _) => rule,
        };
        let rounding = Rounding::new(entry.unit, rule).map_err(|e| {
            invalid(
                format!("{path}.rule"),
                format!("{code} ({}): {e}", entry.unit),
            )
        })?;
        let pooled = matches!(rule, UnitRule::Cms8Minute | UnitRule::PerDiem { .. });
        let aggregation = match (own.and_then(|s| s.aggregate), pooled) {
            (Some(Aggregation::Session), true) => {
                return Err(invalid(
                    format!("{path}.aggregate"),
                    "cms_8_minute and per_diem always count the whole day",
                ));
            }
            (_, true) => Aggregation::Day,
            (Some(a), false) => a,
            (None, false) => default_aggregate,
        };
        let max_units_per_day = match caps.get(&code).copied().flatten() {
            Some(0) => {
                return Err(invalid(
                    format!("max_units_per_day.{code}"),
                    "must be at least 1 (leave the code out of covered_codes instead)",
                ));
            }
            cap => cap,
        };
        rules.push(CodeRules {
            entry,
            rounding,
            aggregation,
            max_units_per_day,
            covered: covered.contains(&code),
        });
    }
    for (i, r) in rules.iter().enumerate() {
        *code_set.entry_mut(Code::ALL[i]) = r.entry.clone();
    }
    let codes: [CodeRules; 5] = match rules.try_into() {
        Ok(codes) => codes,
        Err(_) => return Err(invalid("units", "internal: five codes expected")),
    };

    let mut full_preference = preference.clone();
    full_preference.extend(Code::ALL.iter().filter(|c| !preference.contains(c)));

    Ok(Policy {
        spec,
        code_set,
        codes,
        preference: full_preference,
        setting_modifiers,
        modifier_order,
    })
}

fn unit_rule(spec: &UnitSpec, path: &str) -> Result<UnitRule, PolicyError> {
    let stray = |field: &str| invalid(format!("{path}.{field}"), "not used by this rule");
    match spec.rule {
        RuleName::Threshold => {
            if spec.min_minutes.is_some() {
                return Err(stray("min_minutes"));
            }
            let minutes = spec.minutes.ok_or_else(|| {
                PolicyError::new(
                    PolicyErrorKind::MissingField,
                    format!("{path}.minutes"),
                    "the threshold rule needs `minutes`",
                )
            })?;
            Ok(UnitRule::Threshold { minutes })
        }
        RuleName::PerDiem => {
            if spec.minutes.is_some() {
                return Err(stray("minutes"));
            }
            Ok(UnitRule::PerDiem {
                min_minutes: spec.min_minutes.unwrap_or(DEFAULT_PER_DIEM_MINUTES),
            })
        }
        other => {
            if spec.minutes.is_some() {
                return Err(stray("minutes"));
            }
            if spec.min_minutes.is_some() {
                return Err(stray("min_minutes"));
            }
            Ok(match other {
                RuleName::Midpoint => UnitRule::Midpoint,
                RuleName::Whole => UnitRule::Whole,
                _ => UnitRule::Cms8Minute,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin(id: &str) -> Policy {
        Policy::builtins()
            .into_iter()
            .find(|p| p.id() == id)
            .unwrap()
    }

    fn load(json: &str) -> Result<Policy, PolicyError> {
        let spec: PolicySpec = serde_json::from_str(json).unwrap();
        resolve(spec, &|id| {
            Policy::builtins()
                .into_iter()
                .find(|p| p.id() == id)
                .map(|p| p.spec().clone())
        })
    }

    #[test]
    fn builtins_match_the_issue() {
        let medicaid = builtin("medicaid");
        assert_eq!(medicaid.code_set().id(), CodeSetId::Reference);
        assert!(Code::ALL.iter().all(|&c| medicaid.covers(c)));
        assert_eq!(
            medicaid.code(Code::H2014).rounding.rule(),
            UnitRule::Midpoint
        );
        assert_eq!(medicaid.code(Code::H2014).aggregation, Aggregation::Day);
        assert_eq!(medicaid.telehealth_modifier(), Some(Modifier::GT));
        assert_eq!(medicaid.audio_only_modifier(), None);
        assert!(medicaid.requires_clock_times());
        assert!(medicaid.provider_level_modifiers());

        let commercial = builtin("commercial");
        assert!(commercial.covers(Code::H2024) && commercial.covers(Code::H2014));
        assert!(!commercial.covers(Code::H2017) && !commercial.covers(Code::H2023));
        assert_eq!(
            commercial.code(Code::H2024).aggregation,
            Aggregation::Session
        );
        assert_eq!(commercial.audio_only_modifier(), Some(Modifier::M93));
        assert_eq!(commercial.follow_up_modifier(), None);

        let medicare = builtin("medicare");
        assert_eq!(medicare.code_set().id(), CodeSetId::National);
        assert!(medicare.covers(Code::Cpt97535) && !medicare.covers(Code::H2014));
        assert_eq!(
            medicare.code(Code::Cpt97535).rounding.rule(),
            UnitRule::Cms8Minute
        );
        assert_eq!(
            medicare.code(Code::H2024).rounding.rule(),
            UnitRule::PerDiem { min_minutes: 120 }
        );
        assert!(!medicare.requires_clock_times());
    }

    #[test]
    fn the_issue_example_policy_loads() {
        let p = load(
            r#"{"id": "ny-style", "extends": "medicaid", "code_set": "reference",
                "covered_codes": ["H2014", "H2017", "H2023"],
                "units": {"default": {"rule": "midpoint", "aggregate": "day"},
                          "H2014": {"rule": "whole"}, "H2017": {"rule": "threshold", "minutes": 10},
                          "H2024": {"rule": "per_diem", "min_minutes": 120}},
                "max_units_per_day": {"H2014": 16},
                "code_preference": ["H2024", "H2014"],
                "requires_clock_times": true,
                "telehealth_modifier": "GT", "audio_only_modifier": null,
                "provider_level_modifiers": true, "early_intervention_modifier": "TL",
                "follow_up_modifier": "TS", "group_modifier": "HQ",
                "setting_modifiers": {"community": "U1"},
                "modifier_order": ["U1", "HO", "HQ", "TS", "GT"]}"#,
        )
        .unwrap();
        assert_eq!(p.code(Code::H2014).rounding.rule(), UnitRule::Whole);
        assert_eq!(
            p.code(Code::H2017).rounding.rule(),
            UnitRule::Threshold { minutes: 10 }
        );
        assert_eq!(p.code(Code::H2024).rounding.unit(), Unit::PerDiem);
        assert_eq!(p.code(Code::H2014).max_units_per_day, Some(16));
        assert_eq!(p.setting_modifier(Setting::Community), Some(Modifier::U1));
        assert!(!p.covers(Code::H2024));
    }

    #[test]
    fn extends_inherits_and_null_removes() {
        let p = load(
            r#"{"id": "x", "extends": "medicaid", "telehealth_modifier": null,
                "units": {"H2014": {"rule": "whole"}}}"#,
        )
        .unwrap();
        assert_eq!(p.telehealth_modifier(), None);
        assert_eq!(p.follow_up_modifier(), Some(Modifier::TS));
        assert_eq!(p.code(Code::H2014).rounding.rule(), UnitRule::Whole);
        assert_eq!(p.code(Code::H2017).rounding.rule(), UnitRule::Midpoint);
        let q = load(r#"{"id": "y", "extends": "medicaid", "max_units_per_day": {"H2014": 8}}"#)
            .unwrap();
        assert_eq!(q.code(Code::H2014).max_units_per_day, Some(8));
    }

    #[test]
    fn invalid_policies_name_the_path() {
        let cases = [
            (
                r#"{"id": "x", "extends": "nope"}"#,
                "extends",
                PolicyErrorKind::UnknownBase,
            ),
            (r#"{"id": ""}"#, "id", PolicyErrorKind::InvalidValue),
            (r#"{"id": "x"}"#, "code_set", PolicyErrorKind::MissingField),
            (
                r#"{"id": "x", "extends": "medicaid", "telehealth_modifier": "HO"}"#,
                "telehealth_modifier",
                PolicyErrorKind::InvalidValue,
            ),
            (
                r#"{"id": "x", "extends": "medicaid", "units": {"H2014": {"rule": "threshold"}}}"#,
                "units.H2014.minutes",
                PolicyErrorKind::MissingField,
            ),
            (
                r#"{"id": "x", "extends": "medicaid", "units": {"H2014": {"rule": "threshold", "minutes": 20}}}"#,
                "units.H2014.rule",
                PolicyErrorKind::InvalidValue,
            ),
            (
                r#"{"id": "x", "extends": "medicaid", "units": {"default": {"rule": "cms_8_minute"}}}"#,
                "units.default.rule",
                PolicyErrorKind::InvalidValue,
            ),
            (
                r#"{"id": "x", "extends": "medicaid", "units": {"H9999": {"rule": "whole"}}}"#,
                "units.H9999",
                PolicyErrorKind::InvalidValue,
            ),
            (
                r#"{"id": "x", "extends": "medicaid", "units": {"H2014": {"rule": "whole", "min_minutes": 3}}}"#,
                "units.H2014.min_minutes",
                PolicyErrorKind::InvalidValue,
            ),
            (
                r#"{"id": "x", "extends": "medicare", "units": {"97535": {"rule": "cms_8_minute", "aggregate": "session"}}}"#,
                "units.97535.aggregate",
                PolicyErrorKind::InvalidValue,
            ),
            (
                r#"{"id": "x", "extends": "medicaid", "setting_modifiers": {"home": "HQ"}}"#,
                "setting_modifiers.home",
                PolicyErrorKind::InvalidValue,
            ),
            (
                r#"{"id": "x", "extends": "medicaid", "covered_codes": ["H2014", "H2014"]}"#,
                "covered_codes[1]",
                PolicyErrorKind::InvalidValue,
            ),
            (
                r#"{"id": "x", "extends": "medicaid", "max_units_per_day": {"H2014": 0}}"#,
                "max_units_per_day.H2014",
                PolicyErrorKind::InvalidValue,
            ),
            (
                r#"{"id": "x", "extends": "medicare", "units": {"H2024": {"rule": "midpoint"}}}"#,
                "units.H2024.rule",
                PolicyErrorKind::InvalidValue,
            ),
        ];
        for (json, path, kind) in cases {
            let err = load(json).unwrap_err();
            assert_eq!(err.path(), path, "{json}: {err}");
            assert_eq!(err.kind(), kind, "{json}: {err}");
        }
    }

    #[test]
    fn code_overrides_change_unit_and_service() {
        let p = load(
            r#"{"id": "x", "extends": "medicaid",
                "codes": {"H2024": {"unit": "per_diem", "service": "supported_employment"}}}"#,
        )
        .unwrap();
        assert_eq!(p.code(Code::H2024).rounding.unit(), Unit::PerDiem);
        assert_eq!(
            p.code(Code::H2024).rounding.rule(),
            UnitRule::PerDiem {
                min_minutes: DEFAULT_PER_DIEM_MINUTES
            }
        );
        assert_eq!(
            p.code_set().entry(Code::H2024).service,
            Service::SupportedEmployment
        );
    }

    #[test]
    fn preference_lists_every_code() {
        let p =
            load(r#"{"id": "x", "extends": "medicaid", "code_preference": ["H2014"]}"#).unwrap();
        assert_eq!(p.preference()[0], Code::H2014);
        assert_eq!(p.preference().len(), 5);
    }
}
