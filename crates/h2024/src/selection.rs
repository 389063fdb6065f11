//! Code selection: which code of the family bills a session, and why every other code was
//! turned down.
//!
//! The scope of each code comes from the code set (DOMAIN.md §1): H2024/H2014 teach life
//! skills, H2017 rehabilitates psychiatric function, H2023 supports employment, 97535 is
//! one-on-one training in activities of daily living by an occupational or physical
//! therapist and "may not be covered for strictly behavioural health services".
//! Psychotherapy and case management belong to other code families.
//!
//! Between codes for the same service (H2024 per hour and H2014 per 15 minutes in the
//! reference code set; H2024 per diem and H2023 in the national one), the engine takes a
//! per-diem code once the day meets its minimum, otherwise the code whose billed time
//! (units x unit length) is closest to the documented minutes; ties go to the policy's
//! preference order.

use crate::codes::{Code, Service};
use crate::findings::Rule;
use crate::policy::Policy;
use crate::request::{Discipline, Provider};
use crate::response::Alternative;

/// The codes that may bill a session, with the reasons for those turned down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Candidates {
    /// In the policy's preference order; never empty.
    pub codes: Vec<Code>,
    pub rationale: Vec<String>,
    pub alternatives: Vec<Alternative>,
}

/// Why a session cannot be coded at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Uncodable {
    pub rule: Rule,
    pub message: String,
    pub rationale: Vec<String>,
    pub alternatives: Vec<Alternative>,
}

/// The code family that bills a service outside this library's scope.
pub(crate) fn other_family(service: Service) -> Option<&'static str> {
    match service {
        Service::Psychotherapy => Some(
            "psychotherapy is billed with the CPT psychotherapy codes (90832-90838), not with skills-training codes",
        ),
        Service::CaseManagement => Some(
            "case management is billed with the case-management codes (HCPCS T1016/T1017, G9002), not with skills-training codes",
        ),
        _ => None,
    }
}

fn discipline_label(d: Discipline) -> &'static str {
    match d {
        Discipline::BehavioralHealth => "behavioural health",
        Discipline::OccupationalTherapy => "occupational therapy",
        Discipline::PhysicalTherapy => "physical therapy",
        Discipline::SpeechTherapy => "speech therapy",
        Discipline::CaseManagement => "case management",
    }
}

/// The candidate codes for a session, before its minutes are known.
pub(crate) fn candidates(
    policy: &Policy,
    service: Service,
    provider: &Provider,
    group_size: u32,
    pinned: Option<Code>,
) -> Result<Candidates, Uncodable> {
    let set = policy.code_set();
    let mut rationale = Vec::new();
    let can_bill_97535 = provider.discipline.is_ot_or_pt();

    if let Some(code) = pinned {
        let entry = set.entry(code);
        let mut alternatives = others(policy, &[code], |c| {
            format!("the request pins {code}; {c} was not considered")
        });
        if code == Code::Cpt97535 && !can_bill_97535 {
            return Err(Uncodable {
                rule: Rule::ProviderNotEligible,
                message: format!(
                    "97535 is billed by occupational or physical therapists; the provider's discipline is {}",
                    discipline_label(provider.discipline)
                ),
                rationale: vec![format!("code {code} pinned by the request")],
                alternatives,
            });
        }
        if !policy.covers(code) {
            return Err(Uncodable {
                rule: Rule::CodeNotCovered,
                message: format!(
                    "policy {} does not cover the pinned code {code}",
                    policy.id()
                ),
                rationale: vec![format!("code {code} pinned by the request")],
                alternatives,
            });
        }
        rationale.push(format!(
            "code {code} pinned by the request ({}, {})",
            entry.descriptor, entry.unit
        ));
        if entry.service != service
            && !(code != Code::Cpt97535 && service == Service::SelfCareTraining)
        {
            rationale.push(format!(
                "note: {code} is defined for {} in code set {}; the session documents {service}",
                entry.service,
                set.id()
            ));
        }
        alternatives.retain(|a| a.code != code);
        return Ok(Candidates {
            codes: vec![code],
            rationale,
            alternatives,
        });
    }

    // The service the code set's codes are looked up by.
    let mut lookup = service;
    let mut special: Vec<Alternative> = Vec::new();
    if service == Service::SelfCareTraining {
        let why_not = if !can_bill_97535 {
            Some(format!(
                "97535 is billed by occupational or physical therapists and may not be covered for strictly behavioural services; the provider's discipline is {}",
                discipline_label(provider.discipline)
            ))
        } else if group_size >= 2 {
            Some(format!(
                "97535 is one-on-one training; this session had {group_size} patients"
            ))
        } else {
            None
        };
        if let Some(reason) = why_not {
            rationale.push(format!(
                "self-care training outside 97535's scope is billed as skills training: {reason}"
            ));
            special.push(Alternative {
                code: Code::Cpt97535,
                reason,
            });
            lookup = Service::SkillsTraining;
        }
    }

    let natural: Vec<Code> = policy
        .preference()
        .iter()
        .copied()
        .filter(|&c| set.entry(c).service == lookup && !special.iter().any(|a| a.code == c))
        .collect();
    let list = |codes: &[Code]| {
        codes
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    rationale.push(format!(
        "service {lookup}: code set {} lists {}",
        set.id(),
        if natural.is_empty() {
            "no code".to_owned()
        } else {
            list(&natural)
        }
    ));
    let covered: Vec<Code> = natural
        .iter()
        .copied()
        .filter(|&c| policy.covers(c))
        .collect();
    let mut alternatives = special;
    alternatives.extend(others(policy, &natural, |c| {
        format!(
            "{c} bills {} in code set {}, not {lookup}",
            set.entry(c).service,
            set.id()
        )
    }));
    for &c in natural.iter().filter(|c| !covered.contains(c)) {
        alternatives.push(Alternative {
            code: c,
            reason: format!("policy {} does not cover {c}", policy.id()),
        });
    }
    alternatives.retain(|a| !covered.contains(&a.code));
    alternatives.sort_by_key(|a| a.code);
    alternatives.dedup_by_key(|a| a.code);

    if covered.is_empty() {
        return Err(Uncodable {
            rule: Rule::CodeNotCovered,
            message: if natural.is_empty() {
                format!("code set {} has no code for {lookup}", set.id())
            } else {
                format!(
                    "policy {} covers none of the codes for {lookup} ({})",
                    policy.id(),
                    list(&natural)
                )
            },
            rationale,
            alternatives,
        });
    }
    if covered.len() < natural.len() {
        rationale.push(format!("policy {} covers {}", policy.id(), list(&covered)));
    }
    Ok(Candidates {
        codes: covered,
        rationale,
        alternatives,
    })
}

/// Alternatives for every code not in `considered`, with `reason`.
fn others(
    policy: &Policy,
    considered: &[Code],
    reason: impl Fn(Code) -> String,
) -> Vec<Alternative> {
    policy
        .code_set()
        .entries()
        .iter()
        .map(|e| e.code)
        .filter(|c| !considered.contains(c))
        .map(|c| Alternative {
            code: c,
            reason: reason(c),
        })
        .collect()
}

/// The outcome of choosing among candidates for known minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Choice {
    pub code: Code,
    pub rationale: Vec<String>,
    pub alternatives: Vec<Alternative>,
}

struct Scored {
    code: Code,
    minutes: u32,
    units: u32,
    billed: Option<u64>,
}

fn describe(s: &Scored) -> String {
    let plural = if s.units == 1 { "" } else { "s" };
    match s.billed {
        Some(billed) => {
            let diff = billed as i64 - i64::from(s.minutes);
            let off = match diff {
                0 => "exact".to_owned(),
                d if d > 0 => format!("{d} over"),
                d => format!("{} under", -d),
            };
            format!(
                "{} earns {} unit{plural} for {} minutes ({billed} billed minutes, {off})",
                s.code, s.units, s.minutes
            )
        }
        None => format!(
            "{} earns {} per-diem unit{plural} for {} minutes in the day",
            s.code, s.units, s.minutes
        ),
    }
}

/// Chooses among `candidates` (in preference order), given the minutes each would bill on
/// its line.
pub(crate) fn choose(
    policy: &Policy,
    candidates: &[Code],
    minutes_for: impl Fn(Code) -> u32,
) -> Choice {
    let scored: Vec<Scored> = candidates
        .iter()
        .map(|&code| {
            let rounding = policy.code(code).rounding;
            let minutes = minutes_for(code);
            let units = rounding.units(minutes);
            Scored {
                code,
                minutes,
                units,
                billed: rounding.billed_minutes(units),
            }
        })
        .collect();
    let Some(first) = scored.first() else {
        // Callers never pass an empty list; keep a defined answer anyway.
        return Choice {
            code: Code::H2014,
            rationale: vec!["no candidate code".to_owned()],
            alternatives: Vec::new(),
        };
    };
    if scored.len() == 1 {
        return Choice {
            code: first.code,
            rationale: vec![format!("{} is the only candidate", first.code)],
            alternatives: Vec::new(),
        };
    }
    let mut rationale: Vec<String> = scored.iter().map(describe).collect();
    let distance = |s: &Scored| {
        s.billed
            .map(|b| (b as i64 - i64::from(s.minutes)).unsigned_abs())
            .unwrap_or(u64::MAX)
    };
    let per_diem = scored.iter().find(|s| s.billed.is_none() && s.units > 0);
    let (chosen, why) = if let Some(s) = per_diem {
        (
            s,
            format!("{} is chosen: the day meets its per-diem minimum", s.code),
        )
    } else if let Some(s) = scored
        .iter()
        .filter(|s| s.units > 0 && s.billed.is_some())
        .min_by_key(|s| distance(s))
    {
        let tie = scored
            .iter()
            .filter(|o| o.units > 0 && o.billed.is_some() && distance(o) == distance(s))
            .count()
            > 1;
        let why = if tie {
            format!(
                "{} is chosen: billed time ties, and policy {} prefers it",
                s.code,
                policy.id()
            )
        } else {
            format!(
                "{} is chosen: its billed time is closest to the documented minutes",
                s.code
            )
        };
        (s, why)
    } else {
        let s = scored
            .iter()
            .min_by_key(|s| policy.code(s.code).rounding.minimum_minutes())
            .unwrap_or(first);
        (
            s,
            format!(
                "no candidate earns a unit; {} is chosen as the code with the smallest minimum ({} minutes)",
                s.code,
                policy.code(s.code).rounding.minimum_minutes()
            ),
        )
    };
    rationale.push(why);
    let alternatives = scored
        .iter()
        .filter(|s| s.code != chosen.code)
        .map(|s| Alternative {
            code: s.code,
            reason: if s.billed.is_none() && s.units == 0 {
                format!(
                    "per diem needs {} minutes in the day; {} documented",
                    policy.code(s.code).rounding.minimum_minutes(),
                    s.minutes
                )
            } else {
                format!("{}; {} fits better", describe(s), chosen.code)
            },
        })
        .collect();
    Choice {
        code: chosen.code,
        rationale,
        alternatives,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::Credential;

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
            bh.alternatives
                .iter()
                .any(|a| a.code == Code::Cpt97535 && a.reason.contains("occupational or physical"))
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
                .map(|p| p.spec().clone())
        })
        .unwrap();
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
        assert!(short.alternatives[0].reason.contains("per diem needs 120"));
    }

    #[test]
    fn no_unit_anywhere_picks_the_smallest_minimum() {
        let p = policy("medicaid");
        let choice = choose(&p, &[Code::H2024, Code::H2014], |_| 5);
        assert_eq!(choice.code, Code::H2014);
    }
}
