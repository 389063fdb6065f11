//! The session note and the treatment plan: what a payer reads to decide medical necessity.
//!
//! Sources: DOMAIN.md §6 (brief; Oklahoma OAC 317:30-5-248; NY OPWDD): every session
//! documents the skills taught, techniques, participation, progress and the plan objectives
//! addressed; each skill taught ties to a treatment-plan goal and each goal to a documented
//! functional deficit; progress reports at the payer's interval justify continuation.
//! Missing information is CARC 16; medical necessity not shown is CARC 50 (§5).
//!
//! Messages and `element`s name fields and list positions, never the note's text.

use std::collections::HashMap;

use crate::claim::{Context, Output};
use crate::codes::Service;
use crate::findings::Rule;
use crate::policy::Policy;
use crate::request::{Documentation, TreatmentPlan};

fn blank(text: &str) -> bool {
    text.trim().is_empty()
}

fn normalize(text: &str) -> String {
    text.trim().to_lowercase()
}

/// The documentation elements every session note needs, and whether `doc` lacks each.
fn missing_elements(doc: Option<&Documentation>) -> Vec<&'static str> {
    let empty_list = |list: &[String]| list.iter().all(|s| blank(s));
    let empty_text = |text: &Option<String>| text.as_deref().is_none_or(blank);
    let Some(doc) = doc else {
        return vec![
            "skills_taught",
            "participation",
            "progress",
            "techniques",
            "objectives",
        ];
    };
    [
        ("skills_taught", empty_list(&doc.skills_taught)),
        ("participation", empty_text(&doc.participation)),
        ("progress", empty_text(&doc.progress)),
        ("techniques", empty_list(&doc.techniques)),
        ("objectives", empty_list(&doc.objectives)),
    ]
    .into_iter()
    .filter_map(|(name, missing)| missing.then_some(name))
    .collect()
}

/// A treatment plan indexed once per patient: normalized skill to goals, goal id to goal.
pub(crate) struct PlanIndex<'a> {
    goals_by_skill: HashMap<String, Vec<usize>>,
    goal_by_id: HashMap<&'a str, usize>,
}

impl<'a> PlanIndex<'a> {
    fn new(plan: &'a TreatmentPlan) -> Self {
        let mut goals_by_skill: HashMap<String, Vec<usize>> = HashMap::new();
        let mut goal_by_id = HashMap::new();
        for (g, goal) in plan.goals.iter().enumerate() {
            goal_by_id.entry(goal.id.as_str()).or_insert(g);
            for skill in goal.skills.iter().filter(|s| !blank(s)) {
                let goals = goals_by_skill.entry(normalize(skill)).or_default();
                if goals.last() != Some(&g) {
                    goals.push(g);
                }
            }
        }
        PlanIndex {
            goals_by_skill,
            goal_by_id,
        }
    }
}

/// Plan indexes, built on first use for each patient.
pub(crate) type PlanIndexes<'a> = HashMap<&'a str, PlanIndex<'a>>;

/// Adds documentation, treatment-plan and progress-report findings for one coded encounter.
pub(crate) fn check<'a>(
    policy: &Policy,
    ctx: &Context<'a>,
    indexes: &mut PlanIndexes<'a>,
    out: &mut Output,
) {
    let Some(code) = ctx.code else { return };
    let doc = ctx.enc.documentation.as_ref();

    for element in missing_elements(doc) {
        out.finding(
            ctx.item,
            Rule::MissingDocumentation,
            format!("the session note does not document `{element}`"),
        )
        .element = Some(element.to_owned());
    }

    let needs_plan = matches!(
        policy.code_set().entry(code).service,
        Service::SkillsTraining
            | Service::PsychosocialRehabilitation
            | Service::SupportedEmployment
    );
    let plan = ctx.patient.treatment_plan.as_ref();
    match plan {
        None if needs_plan => {
            out.finding(
                ctx.item,
                Rule::NoTreatmentPlan,
                format!(
                    "{code} needs a treatment plan whose goals the sessions address; the patient has no `treatment_plan`"
                ),
            )
            .element = Some("treatment_plan".to_owned());
        }
        None => {}
        Some(plan) => {
            let index = indexes
                .entry(ctx.patient.id.as_str())
                .or_insert_with(|| PlanIndex::new(plan));
            let empty = Documentation::default();
            let doc = doc.unwrap_or(&empty);
            let mut addressed: Vec<(usize, String)> = Vec::new();
            for (i, skill) in doc.skills_taught.iter().enumerate() {
                if blank(skill) {
                    continue;
                }
                match index.goals_by_skill.get(&normalize(skill)) {
                    Some(goals) => {
                        addressed.extend(goals.iter().map(|&g| (g, format!("skills_taught[{i}]"))))
                    }
                    None => {
                        out.finding(
                            ctx.item,
                            Rule::SkillNotInTreatmentPlan,
                            format!(
                                "`documentation.skills_taught[{i}]` is not among the skills of any treatment-plan goal"
                            ),
                        )
                        .element = Some(format!("skills_taught[{i}]"));
                    }
                }
            }
            for (i, objective) in doc.objectives.iter().enumerate() {
                if blank(objective) {
                    continue;
                }
                match index.goal_by_id.get(objective.as_str()) {
                    Some(&g) => addressed.push((g, format!("objectives[{i}]"))),
                    None => {
                        out.finding(
                            ctx.item,
                            Rule::SkillNotInTreatmentPlan,
                            format!(
                                "`documentation.objectives[{i}]` names no goal of the treatment plan"
                            ),
                        )
                        .element = Some(format!("objectives[{i}]"));
                    }
                }
            }
            addressed.sort_by_key(|(g, _)| *g);
            addressed.dedup_by_key(|(g, _)| *g);
            for (g, via) in addressed {
                if plan.goals[g].deficit.as_deref().is_none_or(blank) {
                    out.finding(
                        ctx.item,
                        Rule::GoalWithoutDeficit,
                        format!(
                            "`treatment_plan.goals[{g}]`, addressed through `documentation.{via}`, documents no functional deficit"
                        ),
                    )
                    .element = Some(format!("treatment_plan.goals[{g}].deficit"));
                }
            }
        }
    }

    let (Some(interval), Some(session)) = (policy.progress_report_interval_days(), ctx.session)
    else {
        return;
    };
    let dos = session.date_of_service();
    let last = plan.and_then(|p| p.last_progress_report);
    let message = match last {
        None => Some(format!(
            "no progress report on file; policy {} expects one every {interval} days",
            policy.id()
        )),
        Some(report) => {
            let days = (dos - report).num_days();
            (days > i64::from(interval)).then(|| {
                format!(
                    "the last progress report is {days} days before the date of service; policy {} expects one every {interval} days",
                    policy.id()
                )
            })
        }
    };
    if let Some(message) = message {
        out.finding(ctx.item, Rule::ProgressReportOverdue, message)
            .element = Some("treatment_plan.last_progress_report".to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_elements_are_listed_in_order() {
        assert_eq!(missing_elements(None).len(), 5);
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
            missing_elements(Some(&doc)),
            ["participation", "techniques"]
        );
    }
}
