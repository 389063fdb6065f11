//! The session note and the treatment plan: what a payer reads to decide medical necessity.
//!
//! Sources: `docs/rules.md`, "Documentation" (Oklahoma OAC 317:30-5-248; NY OPWDD): every
//! skills-training session documents the skills taught, techniques, participation, progress
//! and the plan objectives addressed; a therapy note (97535) its objectives, progress and
//! techniques (Medicare Benefit Policy Manual Ch. 15 §220.3); which elements a code needs is
//! the policy's `documentation_elements`; each skill taught ties to a treatment-plan goal and each goal to a documented
//! functional deficit; progress reports at the payer's interval justify continuation.
//! Missing information is CARC 16; medical necessity not shown is CARC 50 (`docs/rules.md`,
//! "Denial reason codes (CARC)").
//!
//! Messages and `element`s name fields and list positions, never the note's text.

use std::borrow::Cow;

use crate::codes::Service;
use crate::evaluation::Evaluated;
use crate::findings::{Data, DocumentationElement, Finding, Rule};
use crate::policy::Policy;
use crate::request::{Documentation, TreatmentPlan};

fn blank(text: &str) -> bool {
    match text.as_bytes().first() {
        None => true,
        // The usual case, decided by the first byte.
        Some(b) if b.is_ascii_alphanumeric() => false,
        Some(_) => text.trim().is_empty(),
    }
}

/// A skill as compared: trimmed, lower case. Borrowed when it already is (the usual case).
fn normalize(text: &str) -> Cow<'_, str> {
    let text = text.trim();
    if text.is_ascii() {
        if text.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(text.to_ascii_lowercase())
        } else {
            Cow::Borrowed(text)
        }
    } else {
        Cow::Owned(text.to_lowercase())
    }
}

/// The `required` elements `doc` lacks, in the order of [`DocumentationElement::ALL`]
/// (which elements a code requires is policy data: `docs/rules.md`, "Session note
/// elements").
fn missing_elements<'a>(
    doc: Option<&'a Documentation>,
    required: &[DocumentationElement],
) -> impl Iterator<Item = DocumentationElement> + 'a {
    use DocumentationElement::*;
    // The required elements as bits, by their place in `ALL` (the declaration order).
    let mask = required
        .iter()
        .fold(0u8, |mask, &element| mask | 1 << element as u8);
    let empty_list = |list: &[String]| list.iter().all(|s| blank(s));
    let empty_text = |text: &Option<String>| text.as_deref().is_none_or(blank);
    DocumentationElement::ALL
        .into_iter()
        .filter(move |&element| mask & (1 << element as u8) != 0)
        .filter(move |element| {
            let Some(doc) = doc else { return true };
            match element {
                SkillsTaught => empty_list(&doc.skills_taught),
                Participation => empty_text(&doc.participation),
                Progress => empty_text(&doc.progress),
                Techniques => empty_list(&doc.techniques),
                Objectives => empty_list(&doc.objectives),
                Challenges => empty_text(&doc.challenges),
                Adjustments => empty_text(&doc.adjustments),
            }
        })
}

/// A treatment plan indexed once per patient: (normalized skill, goal) and (goal id, goal),
/// each sorted, looked up by binary search (no hashing of the request's text).
pub(crate) struct PlanIndex<'a> {
    goals_by_skill: Vec<(Cow<'a, str>, usize)>,
    goal_by_id: Vec<(&'a str, usize)>,
}

impl<'a> PlanIndex<'a> {
    fn new(plan: &'a TreatmentPlan) -> Self {
        let mut goals_by_skill = Vec::new();
        let mut goal_by_id = Vec::with_capacity(plan.goals.len());
        for (g, goal) in plan.goals.iter().enumerate() {
            goal_by_id.push((goal.id.as_str(), g));
            for skill in goal.skills.iter().filter(|s| !blank(s)) {
                goals_by_skill.push((normalize(skill), g));
            }
        }
        // A skill listed twice by one goal counts once; an id used by two goals names the
        // first.
        goals_by_skill.sort_unstable();
        goals_by_skill.dedup();
        goal_by_id.sort_unstable();
        PlanIndex {
            goals_by_skill,
            goal_by_id,
        }
    }

    /// The goals that list `skill` (normalized), in plan order.
    fn goals_of<'s>(&'s self, skill: &'s str) -> impl Iterator<Item = usize> + 's {
        let from = self
            .goals_by_skill
            .partition_point(|(s, _)| s.as_ref() < skill);
        self.goals_by_skill[from..]
            .iter()
            .take_while(move |(s, _)| s.as_ref() == skill)
            .map(|&(_, g)| g)
    }

    /// The first goal with id `id`.
    fn goal(&self, id: &str) -> Option<usize> {
        let at = self.goal_by_id.partition_point(|&(have, _)| have < id);
        self.goal_by_id
            .get(at)
            .filter(|&&(have, _)| have == id)
            .map(|&(_, g)| g)
    }
}

/// Plan indexes by patient rank, built on first use for each patient, and the list of goals
/// an encounter addresses, reused from one encounter to the next.
#[derive(Default)]
pub(crate) struct PlanIndexes<'a> {
    by_rank: Vec<Option<PlanIndex<'a>>>,
    /// (goal, addressed by a skill rather than an objective, the skill's or objective's
    /// position).
    addressed: Vec<(usize, bool, usize)>,
}

/// Documentation, treatment-plan and progress-report findings for one coded encounter.
pub(crate) fn check<'a>(
    policy: &Policy,
    ev: &Evaluated<'a>,
    indexes: &mut PlanIndexes<'a>,
    found: &mut Vec<(usize, Finding)>,
) {
    let Some(code) = ev.code else { return };
    let doc = ev.enc.documentation.as_ref();
    let mut flag = |rule: Rule, data: Data, element: String| {
        let (item, f) = ev.finding(rule, data);
        found.push((item, f.on_element(element)));
    };

    for element in missing_elements(doc, policy.documentation_elements(code)) {
        flag(
            Rule::MissingDocumentation,
            Data::MissingElement { element },
            element.as_str().to_owned(),
        );
    }

    let needs_plan = matches!(
        policy.entry(code).service,
        Service::SkillsTraining
            | Service::PsychosocialRehabilitation
            | Service::SupportedEmployment
            | Service::CommunitySupport
            | Service::OngoingEmploymentSupport
    );
    let plan = ev.patient.treatment_plan.as_ref();
    match plan {
        None if needs_plan => flag(
            Rule::NoTreatmentPlan,
            Data::NoTreatmentPlan { code },
            "treatment_plan".to_owned(),
        ),
        None => {}
        Some(plan) => {
            let rank = ev.patient_rank as usize;
            let PlanIndexes { by_rank, addressed } = indexes;
            if by_rank.len() <= rank {
                by_rank.resize_with(rank + 1, || None);
            }
            let index = by_rank[rank].get_or_insert_with(|| PlanIndex::new(plan));
            let empty = Documentation::default();
            let doc = doc.unwrap_or(&empty);
            // Goals addressed, with the element that addresses them (a skill or an objective
            // by position); named in words only if a finding needs it.
            addressed.clear();
            for (i, skill) in doc.skills_taught.iter().enumerate() {
                if blank(skill) {
                    continue;
                }
                let before = addressed.len();
                addressed.extend(index.goals_of(&normalize(skill)).map(|g| (g, true, i)));
                if addressed.len() == before {
                    flag(
                        Rule::SkillNotInTreatmentPlan,
                        Data::SkillNotInPlan { index: i },
                        format!("skills_taught[{i}]"),
                    );
                }
            }
            for (i, objective) in doc.objectives.iter().enumerate() {
                if blank(objective) {
                    continue;
                }
                match index.goal(objective) {
                    Some(g) => addressed.push((g, false, i)),
                    None => flag(
                        Rule::SkillNotInTreatmentPlan,
                        Data::ObjectiveNotInPlan { index: i },
                        format!("objectives[{i}]"),
                    ),
                }
            }
            addressed.sort_by_key(|&(g, _, _)| g);
            addressed.dedup_by_key(|&mut (g, _, _)| g);
            for &(g, skill, i) in addressed.iter() {
                if plan.goals[g].deficit.as_deref().is_none_or(blank) {
                    let via = if skill {
                        format!("skills_taught[{i}]")
                    } else {
                        format!("objectives[{i}]")
                    };
                    flag(
                        Rule::GoalWithoutDeficit,
                        Data::GoalWithoutDeficit { goal: g, via },
                        format!("treatment_plan.goals[{g}].deficit"),
                    );
                }
            }
        }
    }

    let (Some(interval), Some(session)) = (policy.progress_report_interval_days(), ev.session)
    else {
        return;
    };
    let dos = session.date_of_service();
    let days_since = plan
        .and_then(|p| p.last_progress_report)
        .map(|r| (dos - r).num_days());
    if days_since.is_none_or(|days| days > i64::from(interval)) {
        flag(
            Rule::ProgressReportOverdue,
            Data::ProgressReportOverdue {
                days_since,
                interval_days: interval,
            },
            "treatment_plan.last_progress_report".to_owned(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_elements_are_listed_in_order() {
        let all = crate::policy::DEFAULT_DOCUMENTATION_ELEMENTS;
        assert_eq!(missing_elements(None, &all).count(), 5);
        let doc = Documentation {
            skills_taught: vec!["budgeting".into()],
            participation: Some("  ".into()),
            progress: Some("improving".into()),
            techniques: vec![],
            objectives: vec!["g1".into()],
            challenges: None,
            adjustments: None,
        };
        assert_eq!(
            missing_elements(Some(&doc), &all).collect::<Vec<_>>(),
            [
                DocumentationElement::Participation,
                DocumentationElement::Techniques
            ]
        );
    }
}
