//! The engine: policies resolved once, then requests evaluated against them.
//!
//! [`Engine`] is immutable after construction and `Send + Sync`: share one across threads.
//! Evaluation is a pure function of the engine and the request: no I/O, no clock, no global
//! state.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::checks;
use crate::claim::{self, Item, Rejected};
use crate::codes::Code;
use crate::error::{
    PolicyError, PolicyErrorKind, RequestError, RequestErrorKind, describe_serde_error,
};
use crate::explain::Reason;
use crate::findings::{Data, Finding, Rule};
use crate::policy::{self, Policy, PolicySpec};
use crate::request::{Encounter, Patient, PolicyRef, Provider, Request};
use crate::response::{Decision, Response, SCHEMA_VERSION};
use crate::session::MAX_SESSION_MINUTES;

/// The largest request document [`Engine::evaluate_json`] accepts: 1 GiB, room for a month
/// of a large practice (a million encounters).
pub const MAX_REQUEST_BYTES: usize = 1 << 30;

/// The largest policy document [`Engine::from_policies_json`] accepts: 16 MiB.
pub const MAX_POLICY_BYTES: usize = 16 << 20;

/// Turns requests into claim lines under built-in and loaded payer policies.
///
/// ```
/// use h2024::Engine;
/// let engine = Engine::default();
/// let response = engine.evaluate_json(r#"{
///   "patients":  [{"id": "p1"}],
///   "providers": [{"id": "pr1", "credential": "masters", "discipline": "behavioral_health"}],
///   "encounters": [{"id": "e1", "patient": "p1", "provider": "pr1",
///                   "service": "skills_training", "setting": "home",
///                   "start": "2026-03-02T09:00:00-05:00", "end": "2026-03-02T10:00:00-05:00"}]
/// }"#)?;
/// let v: serde_json::Value = serde_json::from_str(&response).unwrap();
/// assert_eq!(v["lines"][0]["code"], "H2024");
/// assert_eq!(v["lines"][0]["units"], 1);
/// assert_eq!(v["lines"][0]["modifiers"], serde_json::json!(["HO"]));
/// # Ok::<(), h2024::RequestError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Engine {
    policies: BTreeMap<String, Policy>,
}

impl Default for Engine {
    /// An engine with the built-in policies (`medicaid`, `commercial`, `medicare`).
    fn default() -> Self {
        Engine {
            policies: Policy::builtins()
                .into_iter()
                .map(|p| (p.id().to_owned(), p))
                .collect(),
        }
    }
}

/// Why [`Engine::units`] cannot answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitsError {
    /// No built-in or loaded policy has that id.
    #[error("no built-in or loaded policy has that id")]
    UnknownPolicy,
    /// Minutes outside 0..=1440 (one session lasts at most a day).
    #[error("a single session lasts at most 1440 minutes")]
    MinutesOutOfRange,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequest<'a> {
    #[serde(default)]
    policy: PolicyRef,
    #[serde(default = "yes")]
    explain: bool,
    #[serde(default)]
    patients: Vec<Patient>,
    #[serde(default)]
    providers: Vec<Provider>,
    #[serde(default, borrow)]
    encounters: Vec<&'a RawValue>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
struct IdProbe<'a> {
    #[serde(default, borrow)]
    id: Option<Cow<'a, str>>,
}

impl Engine {
    /// The built-in policies plus those in `json`, an array of policy objects (see
    /// [`PolicySpec`]). Each may `extends` a built-in or an earlier one in the array.
    ///
    /// ```
    /// use h2024::{Code, Engine, UnitRule};
    /// let engine = Engine::from_policies_json(r#"[
    ///   {"id": "ny-style", "extends": "medicaid", "units": {"H2014": {"rule": "whole"}},
    ///    "max_units_per_day": {"H2014": 16}}
    /// ]"#)?;
    /// let policy = engine.policy("ny-style").unwrap();
    /// assert_eq!(policy.code(Code::H2014).rounding.rule(), UnitRule::Whole);
    /// assert_eq!(engine.units("ny-style", Code::H2014, 29), Ok(1));
    /// # Ok::<(), h2024::PolicyError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A [`PolicyError`] naming the path of the first problem: text that is not a JSON
    /// array of policies, an unknown field or invalid value, a missing field in a policy
    /// without `extends`, an unknown `extends`, an id already taken, or a document over
    /// [`MAX_POLICY_BYTES`].
    pub fn from_policies_json(json: &str) -> Result<Engine, PolicyError> {
        if json.len() > MAX_POLICY_BYTES {
            return Err(PolicyError::new(
                PolicyErrorKind::InvalidJson,
                "",
                format!("policy document larger than {MAX_POLICY_BYTES} bytes"),
            ));
        }
        let mut de = serde_json::Deserializer::from_str(json);
        let specs: Vec<PolicySpec> = serde_path_to_error::deserialize(&mut de)
            .map_err(|e| PolicyError::from_serde("", e))?;
        de.end().map_err(|_| {
            PolicyError::new(
                PolicyErrorKind::InvalidJson,
                "",
                "trailing characters after the policy array",
            )
        })?;
        let mut engine = Engine::default();
        for (i, spec) in specs.into_iter().enumerate() {
            let prefix = format!("[{i}]");
            if engine.policies.contains_key(&spec.id) {
                return Err(PolicyError::new(
                    PolicyErrorKind::DuplicateId,
                    format!("{prefix}.id"),
                    "another policy (built-in or earlier in the array) has this id",
                ));
            }
            let policy = policy::resolve(spec, &|id| {
                engine.policies.get(id).map(|p| p.spec().clone())
            })
            .map_err(|e| e.prefixed(&prefix))?;
            engine.policies.insert(policy.id().to_owned(), policy);
        }
        Ok(engine)
    }

    /// A built-in or loaded policy by id.
    pub fn policy(&self, id: &str) -> Option<&Policy> {
        self.policies.get(id)
    }

    /// Every policy the engine knows, by id.
    pub fn policies(&self) -> impl Iterator<Item = &Policy> {
        self.policies.values()
    }

    /// Units that `minutes` of a single session of `code` earn under the policy's rule for
    /// that code, with no other session or timed service that day.
    ///
    /// ```
    /// use h2024::{Code, Engine};
    /// let engine = Engine::default();
    /// assert_eq!(engine.units("medicaid", Code::H2014, 38), Ok(3));
    /// assert_eq!(engine.units("medicaid", Code::H2024, 91), Ok(2));
    /// assert_eq!(engine.units("medicare", Code::H2024, 120), Ok(1)); // per diem
    /// assert!(engine.units("nope", Code::H2014, 38).is_err());
    /// ```
    ///
    /// # Errors
    ///
    /// [`UnitsError::UnknownPolicy`] when no policy has that id,
    /// [`UnitsError::MinutesOutOfRange`] for more than 1440 minutes.
    pub fn units(&self, policy: &str, code: Code, minutes: u32) -> Result<u32, UnitsError> {
        let policy = self.policy(policy).ok_or(UnitsError::UnknownPolicy)?;
        if minutes > MAX_SESSION_MINUTES {
            return Err(UnitsError::MinutesOutOfRange);
        }
        Ok(policy.code(code).rounding.units(minutes))
    }

    fn resolve_policy<'a>(&'a self, policy: &PolicyRef) -> Result<Cow<'a, Policy>, RequestError> {
        match policy {
            PolicyRef::Named(id) => self.policies.get(id).map(Cow::Borrowed).ok_or_else(|| {
                RequestError::new(
                    RequestErrorKind::UnknownPolicy,
                    Some("policy".to_owned()),
                    format!(
                        "names no built-in or loaded policy (known: {})",
                        self.policies.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                )
            }),
            PolicyRef::Inline(spec) => policy::resolve((**spec).clone(), &|id| {
                self.policies.get(id).map(|p| p.spec().clone())
            })
            .map(Cow::Owned)
            .map_err(RequestError::from_policy),
        }
    }

    /// Evaluates a typed request.
    ///
    /// A request that cannot be evaluated as a whole (its policy is unknown or invalid, two
    /// patients or providers share an id) yields a response with no line, a null decision
    /// per encounter and one `request_refused` finding; [`Engine::try_evaluate`] returns the
    /// error instead.
    pub fn evaluate(&self, request: &Request) -> Response {
        match self.try_evaluate(request) {
            Ok(response) => response,
            Err(err) => refused(request, &err),
        }
    }

    /// Evaluates a typed request, or says why it cannot be evaluated as a whole.
    ///
    /// # Errors
    ///
    /// A [`RequestError`] when the policy is unknown or invalid, or two patients or
    /// providers share an id, or a patient's lists are too long. Problems with single
    /// encounters are findings, not errors.
    pub fn try_evaluate(&self, request: &Request) -> Result<Response, RequestError> {
        let policy = self.resolve_policy(&request.policy)?;
        let items: Vec<Item<'_>> = request.encounters.iter().map(Item::Parsed).collect();
        evaluate_items(
            &policy,
            &request.patients,
            &request.providers,
            &items,
            request.explain,
        )
    }

    /// Evaluates a request given as JSON and returns the response as JSON.
    ///
    /// A document that is not JSON, lacks the request's top-level shape, has a malformed
    /// patient or provider, or names an unknown or invalid policy is refused as a whole.
    /// A malformed encounter is not: it gets an `invalid_encounter` finding naming the field,
    /// and every other encounter is evaluated.
    ///
    /// # Errors
    ///
    /// A [`RequestError`] (its [`RequestError::to_json`] is the error document) for a
    /// document refused as a whole, as above, or one over [`MAX_REQUEST_BYTES`].
    pub fn evaluate_json(&self, json: &str) -> Result<String, RequestError> {
        let response = self.evaluate_json_to_response(json)?;
        serde_json::to_string(&response).map_err(|_| {
            RequestError::new(
                RequestErrorKind::InvalidRequest,
                None,
                "the response could not be serialized",
            )
        })
    }

    /// Like [`Engine::evaluate_json`], returning the typed response.
    ///
    /// # Errors
    ///
    /// As [`Engine::evaluate_json`].
    pub fn evaluate_json_to_response(&self, json: &str) -> Result<Response, RequestError> {
        if json.len() > MAX_REQUEST_BYTES {
            return Err(RequestError::new(
                RequestErrorKind::TooLarge,
                None,
                format!("request larger than {MAX_REQUEST_BYTES} bytes"),
            ));
        }
        let mut de = serde_json::Deserializer::from_str(json);
        let raw: RawRequest<'_> =
            serde_path_to_error::deserialize(&mut de).map_err(RequestError::from_serde)?;
        de.end().map_err(|_| {
            RequestError::new(
                RequestErrorKind::InvalidJson,
                None,
                "trailing characters after the request object",
            )
        })?;
        let policy = self.resolve_policy(&raw.policy)?;
        let parsed: Vec<Result<Encounter, Rejected>> = raw
            .encounters
            .iter()
            .enumerate()
            .map(|(i, text)| parse_encounter(i, text))
            .collect();
        let items: Vec<Item<'_>> = parsed
            .iter()
            .map(|p| match p {
                Ok(encounter) => Item::Parsed(encounter),
                Err(rejected) => Item::Rejected(rejected),
            })
            .collect();
        evaluate_items(&policy, &raw.patients, &raw.providers, &items, raw.explain)
    }
}

/// The evaluation, then the checks on it, then the response.
fn evaluate_items(
    policy: &Policy,
    patients: &[Patient],
    providers: &[Provider],
    items: &[Item<'_>],
    explain: bool,
) -> Result<Response, RequestError> {
    let eval = claim::build(policy, patients, providers, items)?;
    let checked = checks::run(policy, &eval);
    let mut findings = eval.findings;
    findings.extend(checked);
    Ok(Response {
        schema_version: SCHEMA_VERSION,
        policy: policy.id().to_owned(),
        explain,
        lines: eval.lines,
        decisions: eval.decisions,
        findings: in_request_order(findings, items.len()),
    })
}

/// Findings in the request order of their encounters; within an encounter, in the order
/// they were found (evaluation first, then the checks). A counting sort: linear, and the
/// findings are moved once.
fn in_request_order(findings: Vec<(usize, Finding)>, items: usize) -> Vec<Finding> {
    let mut start = vec![0usize; items + 1];
    for (item, _) in &findings {
        start[*item + 1] += 1;
    }
    for i in 0..items {
        start[i + 1] += start[i];
    }
    let mut slots: Vec<Option<Finding>> = Vec::with_capacity(findings.len());
    slots.resize_with(findings.len(), || None);
    for (item, finding) in findings {
        slots[start[item]] = Some(finding);
        start[item] += 1;
    }
    slots.into_iter().flatten().collect()
}

fn parse_encounter(index: usize, text: &RawValue) -> Result<Encounter, Rejected> {
    // The fast path; only a failure is parsed again to find the path at fault.
    if let Ok(encounter) = serde_json::from_str::<Encounter>(text.get()) {
        return Ok(encounter);
    }
    let mut de = serde_json::Deserializer::from_str(text.get());
    serde_path_to_error::deserialize::<_, Encounter>(&mut de).map_err(|err| {
        let (field, problem, _) = describe_serde_error(&err);
        let id = serde_json::from_str::<IdProbe<'_>>(text.get())
            .ok()
            .and_then(|p| p.id)
            .map(Cow::into_owned);
        Rejected {
            index,
            id,
            field: if field.is_empty() {
                "(encounter)".to_owned()
            } else {
                field
            },
            problem,
        }
    })
}

fn refused(request: &Request, err: &RequestError) -> Response {
    let policy = match &request.policy {
        PolicyRef::Named(id) => id.clone(),
        PolicyRef::Inline(spec) => spec.id.clone(),
    };
    let decisions = request
        .encounters
        .iter()
        .map(|e| Decision {
            encounter: e.id.clone(),
            code: None,
            line: None,
            reasons: vec![Reason::RequestRefused],
            alternatives: Vec::new(),
        })
        .collect();
    Response {
        schema_version: SCHEMA_VERSION,
        policy,
        explain: request.explain,
        lines: Vec::new(),
        decisions,
        findings: vec![Finding::new(
            Rule::RequestRefused,
            None,
            Data::RequestRefused {
                error: err.kind(),
                path: err.path().map(str::to_owned),
            },
        )],
    }
}
