//! Code selection: which code of the family bills a session, and why every other code was
//! turned down.
//!
//! The scope of each code comes from the code set (`docs/rules.md`, "Scope of each code"):
//! H2024/H2014 teach life skills, H2017 rehabilitates psychiatric function, H2023 supports
//! employment, 97535 is one-on-one training in activities of daily living by an
//! occupational or physical therapist and "may not be covered for strictly behavioural
//! health services".
//! Psychotherapy and case management belong to other code families.
//!
//! Between codes for the same service (H2024 per hour and H2014 per 15 minutes in the
//! reference code set; H2024 per diem and H2023 in the national one), the engine takes a
//! per-diem code once the day meets its minimum, otherwise the code whose billed time
//! (units x unit length) is closest to the documented minutes; ties go to the policy's
//! preference order.

use crate::codes::{Code, Service};
use crate::findings::{Data, Rule};
use crate::policy::Policy;
use crate::reasons::{ChoiceGround, NotTherapy, Reason, Score, Turndown};
use crate::request::Provider;
use crate::response::Alternative;

/// The codes that may bill a session, with the reasons for those turned down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Candidates {
    /// In the policy's preference order; never empty.
    pub codes: Vec<Code>,
    pub reasons: Vec<Reason>,
    pub alternatives: Vec<Alternative>,
}

/// Why a session cannot be coded at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Uncodable {
    pub rule: Rule,
    pub data: Data,
    pub reasons: Vec<Reason>,
    pub alternatives: Vec<Alternative>,
}

/// Whether the service is billed with another code family (psychotherapy, case
/// management).
pub(crate) fn out_of_scope(service: Service) -> bool {
    matches!(service, Service::Psychotherapy | Service::CaseManagement)
}

/// Whether a provider may bill `code`: therapy codes (97535 built in) are billed by
/// occupational and physical therapists only (README, "Read this first"; CPT 97535 and CMS
/// therapy policy).
pub(crate) fn provider_may_bill(policy: &Policy, code: Code, provider: &Provider) -> bool {
    !policy.is_therapy(code) || provider.discipline.is_ot_or_pt()
}

/// The candidate codes for a session, before its minutes are known.
pub(crate) fn candidates(
    policy: &Policy,
    service: Service,
    provider: &Provider,
    group_size: u32,
    pinned: Option<Code>,
) -> Result<Candidates, Box<Uncodable>> {
    let set = policy.code_set();

    if let Some(code) = pinned {
        let mut alternatives = others(policy, &[code], |_| Turndown::PinnedOther { pinned: code });
        let Some(entry) = set.entry(code) else {
            // A code the policy's code set does not define: the policy does not pay for it.
            return Err(Box::new(Uncodable {
                rule: Rule::CodeNotCovered,
                data: Data::CodeNotCovered {
                    code,
                    billed: false,
                },
                reasons: vec![Reason::PinnedNotCovered { code }],
                alternatives,
            }));
        };
        let pinned_reason = Reason::Pinned {
            code,
            unit: entry.unit,
        };
        if !provider_may_bill(policy, code, provider) {
            return Err(Box::new(Uncodable {
                rule: Rule::ProviderNotEligible,
                data: Data::ProviderNotEligible {
                    code,
                    discipline: provider.discipline,
                },
                reasons: vec![
                    pinned_reason,
                    Reason::ProviderNotEligible {
                        code,
                        discipline: provider.discipline,
                    },
                ],
                alternatives,
            }));
        }
        if !policy.covers(code) {
            return Err(Box::new(Uncodable {
                rule: Rule::CodeNotCovered,
                data: Data::CodeNotCovered {
                    code,
                    billed: false,
                },
                reasons: vec![pinned_reason, Reason::PinnedNotCovered { code }],
                alternatives,
            }));
        }
        let mut reasons = vec![pinned_reason];
        if entry.service != service && (entry.therapy || service != Service::SelfCareTraining) {
            reasons.push(Reason::PinnedForOtherService {
                code,
                code_service: entry.service,
                code_set: set.id(),
                service,
            });
        }
        alternatives.retain(|a| a.code != code);
        return Ok(Candidates {
            codes: vec![code],
            reasons,
            alternatives,
        });
    }

    let mut reasons = Vec::new();
    // The service the code set's codes are looked up by.
    let mut lookup = service;
    let mut special: Vec<Alternative> = Vec::new();
    // Therapy codes (97535 built in) are one-on-one sessions of an occupational or
    // physical therapist; self-care training outside them is coded as skills training.
    let why_not = if !provider.discipline.is_ot_or_pt() {
        Some(NotTherapy::Discipline {
            discipline: provider.discipline,
        })
    } else if group_size >= 2 {
        Some(NotTherapy::Group { group_size })
    } else {
        None
    };
    if let Some(because) = why_not {
        special.extend(
            set.entries()
                .iter()
                .filter(|e| e.therapy && e.service == service)
                .map(|e| Alternative::new(e.code, Turndown::NotTherapy { because })),
        );
        if service == Service::SelfCareTraining {
            reasons.push(Reason::SelfCareAsSkillsTraining { because });
            lookup = Service::SkillsTraining;
        }
    }

    let natural: Vec<Code> = policy
        .preference()
        .iter()
        .copied()
        .filter(|&c| policy.entry(c).service == lookup && !special.iter().any(|a| a.code == c))
        .collect();
    reasons.push(Reason::ServiceCodes {
        service: lookup,
        code_set: set.id(),
        codes: natural.as_slice().into(),
    });
    let covered: Vec<Code> = natural
        .iter()
        .copied()
        .filter(|&c| policy.covers(c))
        .collect();
    let mut alternatives = special;
    alternatives.extend(others(policy, &natural, |c| Turndown::OtherService {
        code_service: policy.entry(c).service,
        code_set: set.id(),
        service: lookup,
    }));
    for &c in natural.iter().filter(|c| !covered.contains(c)) {
        alternatives.push(Alternative::new(c, Turndown::NotCovered));
    }
    alternatives.retain(|a| !covered.contains(&a.code));
    alternatives.sort_by_key(|a| set.position(a.code));
    alternatives.dedup_by_key(|a| a.code);

    if covered.is_empty() {
        let (reason, data) = if natural.is_empty() {
            (
                Reason::NoCodeForService {
                    service: lookup,
                    code_set: set.id(),
                },
                Data::NoCodeForService {
                    service: lookup,
                    code_set: set.id(),
                },
            )
        } else {
            (
                Reason::NoCoveredCode {
                    service: lookup,
                    codes: natural.clone(),
                },
                Data::NoCoveredCode {
                    service: lookup,
                    codes: natural,
                },
            )
        };
        reasons.push(reason);
        return Err(Box::new(Uncodable {
            rule: Rule::CodeNotCovered,
            data,
            reasons,
            alternatives,
        }));
    }
    if covered.len() < natural.len() {
        reasons.push(Reason::CoveredCodes {
            codes: covered.as_slice().into(),
        });
    }
    Ok(Candidates {
        codes: covered,
        reasons,
        alternatives,
    })
}

/// Alternatives for every code of the code set not in `considered`.
pub(crate) fn others(
    policy: &Policy,
    considered: &[Code],
    why: impl Fn(Code) -> Turndown,
) -> Vec<Alternative> {
    policy
        .code_set()
        .entries()
        .iter()
        .map(|e| e.code)
        .filter(|c| !considered.contains(c))
        .map(|c| Alternative::new(c, why(c)))
        .collect()
}

/// The outcome of choosing among candidates for known minutes.
#[cfg(test)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Choice {
    pub code: Code,
    pub reasons: Vec<Reason>,
    pub alternatives: Vec<Alternative>,
}

/// Chooses among `candidates` (in preference order), given the minutes each would bill on
/// its line.
#[cfg(test)]
pub(crate) fn choose(
    policy: &Policy,
    candidates: &[Code],
    minutes_for: impl Fn(Code) -> u32,
) -> Choice {
    choose_scored(policy, candidates, |code| {
        let minutes = minutes_for(code);
        (minutes, policy.rules(code).rounding.units(minutes))
    })
}

/// Chooses among `candidates` (in preference order), given the minutes and the units each
/// would bill (units rounded once on a line's minutes, or session by session).
#[cfg(test)]
pub(crate) fn choose_scored(
    policy: &Policy,
    candidates: &[Code],
    score_for: impl Fn(Code) -> (u32, u32),
) -> Choice {
    let mut scratch = ChoiceScratch::default();
    let code = choose_into(policy, candidates, score_for, &mut scratch);
    Choice {
        code,
        reasons: scratch.reasons,
        alternatives: scratch.alternatives,
    }
}

/// What [`choose_into`] writes besides the code: kept from one choice to the next so that
/// choosing allocates nothing once the lists have grown.
#[derive(Debug, Default)]
pub(crate) struct ChoiceScratch {
    scored: Vec<Score>,
    /// The choice's reasons: each candidate's score, then the choice.
    pub reasons: Vec<Reason>,
    /// The candidates turned down, in preference order.
    pub alternatives: Vec<Alternative>,
}

/// Chooses among `candidates` (in preference order), given the minutes and the units each
/// would bill (units rounded once on a line's minutes, or session by session); returns the
/// code chosen and leaves the reasons and the codes turned down in `out`.
pub(crate) fn choose_into(
    policy: &Policy,
    candidates: &[Code],
    score_for: impl Fn(Code) -> (u32, u32),
    out: &mut ChoiceScratch,
) -> Code {
    let ChoiceScratch {
        scored,
        reasons,
        alternatives,
    } = out;
    scored.clear();
    reasons.clear();
    alternatives.clear();
    scored.extend(candidates.iter().map(|&code| {
        let rounding = policy.rules(code).rounding;
        let (minutes, units) = score_for(code);
        Score {
            code,
            minutes,
            units,
            billed_minutes: rounding.billed_minutes(units),
        }
    }));
    let Some(first) = scored.first() else {
        // Callers never pass an empty list; keep a defined answer anyway.
        return Code::H2014;
    };
    if scored.len() == 1 {
        reasons.push(Reason::OnlyCandidate { code: first.code });
        return first.code;
    }
    reasons.extend(scored.iter().map(|s| Reason::Scored(*s)));
    let distance = |s: &Score| {
        s.billed_minutes
            .map(|b| (b as i64 - i64::from(s.minutes)).unsigned_abs())
            .unwrap_or(u64::MAX)
    };
    let per_diem = scored
        .iter()
        .find(|s| s.billed_minutes.is_none() && s.units > 0);
    let (chosen, because) = if let Some(s) = per_diem {
        (s, ChoiceGround::PerDiemMet)
    } else if let Some(s) = scored
        .iter()
        .filter(|s| s.units > 0 && s.billed_minutes.is_some())
        .min_by_key(|s| distance(s))
    {
        let tie = scored
            .iter()
            .filter(|o| o.units > 0 && o.billed_minutes.is_some() && distance(o) == distance(s))
            .count()
            > 1;
        (
            s,
            if tie {
                ChoiceGround::Preferred
            } else {
                ChoiceGround::Closest
            },
        )
    } else {
        let s = scored
            .iter()
            .min_by_key(|s| policy.rules(s.code).rounding.minimum_minutes())
            .unwrap_or(first);
        (
            s,
            ChoiceGround::SmallestMinimum {
                minimum_minutes: policy.rules(s.code).rounding.minimum_minutes(),
            },
        )
    };
    reasons.push(Reason::Chosen {
        code: chosen.code,
        because,
    });
    alternatives.extend(scored.iter().filter(|s| s.code != chosen.code).map(|s| {
        Alternative::new(
            s.code,
            if s.billed_minutes.is_none() && s.units == 0 {
                Turndown::PerDiemMinimum {
                    minimum_minutes: policy.rules(s.code).rounding.minimum_minutes(),
                    minutes: s.minutes,
                }
            } else {
                Turndown::FitsWorse {
                    score: *s,
                    chosen: chosen.code,
                }
            },
        )
    }));
    chosen.code
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::{Credential, Discipline};

    fn policy(id: &str) -> Policy {
        Policy::builtins()
            .into_iter()
            .find(|p| p.id() == id)
            .unwrap()
    }

    fn provider(discipline: Discipline) -> Provider {
        Provider {
            id: "pr".into(),
            credential: Credential::Masters,
            discipline,
            assistant: false,
        }
    }

    #[test]
    fn skills_training_between_h2024_and_h2014() {
        let p = policy("medicaid");
        let c = candidates(
            &p,
            Service::SkillsTraining,
            &provider(Discipline::BehavioralHealth),
            1,
            None,
        )
        .unwrap();
        assert_eq!(c.codes, [Code::H2024, Code::H2014]);
        for (minutes, code) in [
            (45, Code::H2014),
            (60, Code::H2024),
            (75, Code::H2014),
            (20, Code::H2014),
            (120, Code::H2024),
        ] {
            assert_eq!(
                choose(&p, &c.codes, |_| minutes).code,
                code,
                "{minutes} minutes"
            );
        }
        // every other code of the family is explained
        let alt: Vec<Code> = c.alternatives.iter().map(|a| a.code).collect();
        assert_eq!(alt, [Code::H2017, Code::H2023, Code::Cpt97535]);
    }

    #[test]
    fn self_care_goes_to_97535_only_for_ot_and_pt() {
        let p = policy("medicaid");
        let ot = candidates(
            &p,
            Service::SelfCareTraining,
            &provider(Discipline::OccupationalTherapy),
            1,
            None,
        )
        .unwrap();
        assert_eq!(ot.codes, [Code::Cpt97535]);
        let bh = candidates(
            &p,
            Service::SelfCareTraining,
            &provider(Discipline::BehavioralHealth),
            1,
            None,
        )
        .unwrap();
        assert_eq!(bh.codes, [Code::H2024, Code::H2014]);
        assert!(
            bh.alternatives.iter().any(
                |a| a.code == Code::Cpt97535 && a.reason().contains("occupational or physical")
            )
        );
        let group = candidates(
            &p,
            Service::SelfCareTraining,
            &provider(Discipline::PhysicalTherapy),
            3,
            None,
        )
        .unwrap();
        assert_eq!(group.codes, [Code::H2024, Code::H2014]);
    }

    #[test]
    fn uncovered_and_ineligible() {
        let commercial = policy("commercial");
        let err = candidates(
            &commercial,
            Service::PsychosocialRehabilitation,
            &provider(Discipline::BehavioralHealth),
            1,
            None,
        )
        .unwrap_err();
        assert_eq!(err.rule, Rule::CodeNotCovered);
        let medicaid = policy("medicaid");
        let err = candidates(
            &medicaid,
            Service::SkillsTraining,
            &provider(Discipline::BehavioralHealth),
            1,
            Some(Code::Cpt97535),
        )
        .unwrap_err();
        assert_eq!(err.rule, Rule::ProviderNotEligible);
        let medicare = policy("medicare");
        let err = candidates(
            &medicare,
            Service::SkillsTraining,
            &provider(Discipline::BehavioralHealth),
            1,
            Some(Code::H2014),
        )
        .unwrap_err();
        assert_eq!(err.rule, Rule::CodeNotCovered);
    }

    #[test]
    fn national_supported_employment_prefers_per_diem_once_met() {
        let json = r#"{"id": "se", "extends": "medicare", "covered_codes": ["H2023", "H2024"]}"#;
        let spec = serde_json::from_str(json).unwrap();
        let p = crate::policy::resolve(spec, &|id| {
            Policy::builtins()
                .into_iter()
                .find(|p| p.id() == id)
                .map(crate::policy::DatedPolicy::undated)
        })
        .unwrap()
        .base()
        .clone();
        let c = candidates(
            &p,
            Service::SupportedEmployment,
            &provider(Discipline::BehavioralHealth),
            1,
            None,
        )
        .unwrap();
        assert_eq!(c.codes, [Code::H2024, Code::H2023]);
        assert_eq!(choose(&p, &c.codes, |_| 150).code, Code::H2024);
        let short = choose(&p, &c.codes, |_| 90);
        assert_eq!(short.code, Code::H2023);
        assert!(
            short.alternatives[0]
                .reason()
                .contains("per diem needs 120")
        );
    }

    #[test]
    fn no_unit_anywhere_picks_the_smallest_minimum() {
        let p = policy("medicaid");
        let choice = choose(&p, &[Code::H2024, Code::H2014], |_| 5);
        assert_eq!(choice.code, Code::H2014);
    }
}
