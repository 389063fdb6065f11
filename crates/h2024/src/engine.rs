//! The engine: policies resolved once, then requests evaluated against them.
//!
//! [`Engine`] is immutable after construction and `Send + Sync`: share one across threads.
//! Evaluation is a pure function of the engine and the request: no I/O, no clock, no global
//! state.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::checks;
use crate::claim::{self, Item, Rejected};
use crate::claims;
use crate::codes::Code;
use crate::error::{PolicyError, PolicyErrorKind, RequestError, RequestErrorKind};
use crate::explain::Reason;
use crate::findings::{Data, Finding, Rule};
use crate::ids::Id;
use crate::policy::{self, DatedPolicy, Policy, PolicySpec};
use crate::request::{
    Encounter, EvvVisit, MAX_EVV_VISITS, MAX_ID_CHARS, Patient, PolicyRef, Provider, Request,
};
use crate::response::{Decision, Response, SCHEMA_VERSION};
use crate::session::MAX_SESSION_MINUTES;
use crate::strict;
use crate::wire;

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
    policies: BTreeMap<String, DatedPolicy>,
}

impl Default for Engine {
    /// An engine with the built-in policies (`medicaid`, `commercial`, `medicare`).
    fn default() -> Self {
        Engine {
            policies: Policy::builtins()
                .into_iter()
                .map(|p| (p.id().to_owned(), DatedPolicy::undated(p)))
                .collect(),
        }
    }
}

const UNSERIALIZABLE: &str = "the response could not be serialized";

/// Why [`Engine::evaluate_json_to_writer`] did not write a whole response.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// The request was refused as a whole; nothing was written.
    #[error(transparent)]
    Refused(RequestError),
    /// Writing the response failed; what was written is incomplete.
    #[error("the response could not be written: {0}")]
    Io(io::Error),
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
    /// The policy's code set does not define the code.
    #[error("the policy's code set does not define that code")]
    UnknownCode,
}

/// The request with each encounter kept as its JSON text, to be read one by one: the same
/// schema as [`Request`], read when the fast path finds a problem somewhere.
type RawRequest<'a> = Request<&'a RawValue>;

impl<'a> Request<&'a RawValue> {
    /// Reads the request document: the top level, patients, providers and policy in full,
    /// each encounter only as far as its JSON text (README, "Errors").
    /// The caller has checked the size.
    fn read(json: &'a str) -> Result<RawRequest<'a>, RequestError> {
        let raw: RawRequest<'a> = strict::from_str(json).map_err(RequestError::from_failure)?;
        check_providers(&raw.providers)?;
        check_visits(&raw.evv_visits)?;
        Ok(raw)
    }

    /// Each encounter parsed, or rejected with the field at fault.
    /// Kept apart, so that a rejected encounter takes the room of its rejection only, not
    /// that of an encounter.
    fn parse_encounters(&self) -> (Vec<Encounter>, Vec<Rejected>) {
        let mut parsed = Vec::with_capacity(self.encounters.len());
        let mut rejected = Vec::new();
        for (i, text) in self.encounters.iter().enumerate() {
            match parse_encounter(i, text) {
                Ok(encounter) => parsed.push(encounter),
                Err(r) => rejected.push(r),
            }
        }
        (parsed, rejected)
    }
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
    /// assert_eq!(policy.code(Code::H2014).map(|r| r.rounding.rule()), Some(UnitRule::Whole));
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
        Engine::default().load_policies_json(json)
    }

    /// The built-in policies plus `specs`, built in Rust rather than read from JSON: the
    /// same checks as [`Engine::from_policies_json`], with paths such as `[0].units`.
    ///
    /// ```
    /// use h2024::{Code, Engine, PolicySpec};
    /// let mut ny = PolicySpec::extending("ny-style", "medicaid");
    /// ny.covered_codes = Some(vec![Code::H2014, Code::H2017]);
    /// ny.max_units_per_day = Some([(Code::H2014, Some(16))].into());
    /// let engine = Engine::from_policies(vec![ny])?;
    /// assert!(!engine.policy("ny-style").unwrap().covers(Code::H2024));
    /// # Ok::<(), h2024::PolicyError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Engine::from_policies_json`], except for JSON problems.
    pub fn from_policies(specs: Vec<PolicySpec>) -> Result<Engine, PolicyError> {
        Engine::default().load_policies(specs)
    }

    /// The built-in policies plus the state packs (`tx-medicaid`, `ny-opwdd`,
    /// `az-complete-health`, `mi-pihp`, `ok-dds`, `me-mainecare`): starting points for
    /// those states' Medicaid rules, each with its sources and what could not be verified
    /// ([`Policy::sources`], [`Policy::unverified`]; README, "State packs"). Confirm them
    /// with the payer before billing.
    ///
    /// ```
    /// use h2024::{Code, Engine};
    /// let engine = Engine::with_state_packs();
    /// // Texas: units of 15 full minutes, no partial unit.
    /// assert_eq!(engine.units("tx-medicaid", Code::H2014, 44), Ok(2));
    /// assert!(!engine.policy("tx-medicaid").unwrap().sources().is_empty());
    /// ```
    pub fn with_state_packs() -> Engine {
        let mut engine = Engine::default();
        for (id, json) in policy::STATE_PACK_JSON {
            engine = match engine.load_policies_json(&format!("[{json}]")) {
                Ok(engine) => engine,
                // The packs are checked by tests; an edit that breaks one fails them.
                Err(e) => panic!("state pack {id} is invalid: {e}"),
            };
        }
        engine
    }

    /// This engine's policies plus those in `json` (as [`Engine::from_policies_json`], on
    /// top of what the engine has: `Engine::with_state_packs().load_policies_json(..)`
    /// lets your policies extend a state pack).
    ///
    /// # Errors
    ///
    /// As [`Engine::from_policies_json`].
    pub fn load_policies_json(self, json: &str) -> Result<Engine, PolicyError> {
        if json.len() > MAX_POLICY_BYTES {
            return Err(PolicyError::new(
                PolicyErrorKind::InvalidJson,
                "",
                format!("policy document larger than {MAX_POLICY_BYTES} bytes"),
            ));
        }
        let specs: Vec<PolicySpec> =
            strict::from_str(json).map_err(|f| PolicyError::from_failure("", f))?;
        self.load_policies(specs)
    }

    /// This engine's policies plus `specs` (as [`Engine::from_policies`]).
    ///
    /// # Errors
    ///
    /// As [`Engine::from_policies`].
    pub fn load_policies(self, specs: Vec<PolicySpec>) -> Result<Engine, PolicyError> {
        let mut engine = self;
        for (i, spec) in specs.into_iter().enumerate() {
            let prefix = format!("[{i}]");
            if spec.id.is_empty() {
                return Err(PolicyError::new(
                    PolicyErrorKind::MissingField,
                    format!("{prefix}.id"),
                    "a loaded policy needs an id",
                ));
            }
            if spec.id == policy::INLINE_POLICY_ID {
                return Err(PolicyError::new(
                    PolicyErrorKind::InvalidValue,
                    format!("{prefix}.id"),
                    "`inline` names a request's own policy; choose another id",
                ));
            }
            if engine.policies.contains_key(&spec.id) {
                return Err(PolicyError::new(
                    PolicyErrorKind::DuplicateId,
                    format!("{prefix}.id"),
                    "another policy (built-in or earlier in the array) has this id",
                ));
            }
            let id = spec.id.clone();
            let policy = policy::resolve(spec, &|id| engine.policies.get(id).cloned())
                .map_err(|e| e.prefixed(&prefix))?;
            engine.policies.insert(id, policy);
        }
        Ok(engine)
    }

    /// A built-in or loaded policy by id.
    ///
    /// A policy with versions answers with its own fields; [`Engine::policy_on`] gives
    /// the rules in force on a date.
    pub fn policy(&self, id: &str) -> Option<&Policy> {
        self.policies.get(id).map(DatedPolicy::base)
    }

    /// The rules of policy `id` in force on `date`: its version for that date (see
    /// [`Policy::version`]), or `None` when no policy has that id or the policy is not
    /// in effect on that date.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use h2024::{Code, Engine};
    /// let engine = Engine::from_policies_json(r#"[
    ///   {"id": "az", "extends": "medicaid", "effective": {"from": "2024-01-01"},
    ///    "versions": [{"from": "2024-10-15", "max_units_per_day": {"H2014": 8}}]}
    /// ]"#)?;
    /// let day = |m, d| NaiveDate::from_ymd_opt(2024, m, d).unwrap();
    /// let before = engine.policy_on("az", day(10, 14)).unwrap();
    /// assert_eq!(before.version(), None);
    /// let after = engine.policy_on("az", day(10, 15)).unwrap();
    /// assert_eq!(after.version(), Some(day(10, 15)));
    /// assert_eq!(after.code(Code::H2014).unwrap().max_units_per_day, Some(8));
    /// assert!(engine.policy_on("az", NaiveDate::from_ymd_opt(2023, 12, 31).unwrap()).is_none());
    /// # Ok::<(), h2024::PolicyError>(())
    /// ```
    pub fn policy_on(&self, id: &str, date: chrono::NaiveDate) -> Option<&Policy> {
        self.policies.get(id)?.on(date).map(|(_, policy)| policy)
    }

    /// The dated rules of policy `id`, in date order: each date from which its rules change
    /// (`None` for the first stretch, from the beginning), with the rules in force from then
    /// to the next date (their [`Policy::version`] says which version they are: `None` for
    /// the policy's own fields). `None` when no policy has that id. The dates come from the
    /// policy's versions and those of the policy it extends (README, "Policy versions");
    /// whether the policy is in effect on a date is [`Policy::effective`]'s business.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use h2024::Engine;
    /// let engine = Engine::from_policies_json(r#"[
    ///   {"id": "az", "extends": "medicaid",
    ///    "versions": [{"from": "2024-10-15", "to": "2024-12-31", "max_units_per_day": {"H2014": 8}}]}
    /// ]"#)?;
    /// let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
    /// let schedule: Vec<_> = engine
    ///     .policy_schedule("az")
    ///     .unwrap()
    ///     .map(|(from, rules)| (from, rules.version()))
    ///     .collect();
    /// assert_eq!(schedule, [
    ///     (None, None),                                          // the policy's own fields
    ///     (day(2024, 10, 15), day(2024, 10, 15)),                // its version
    ///     (day(2025, 1, 1), None),                               // its own fields again
    /// ]);
    /// assert_eq!(engine.policy_schedule("medicaid").unwrap().count(), 1);
    /// assert!(engine.policy_schedule("nope").is_none());
    /// # Ok::<(), h2024::PolicyError>(())
    /// ```
    pub fn policy_schedule(
        &self,
        id: &str,
    ) -> Option<impl Iterator<Item = (Option<chrono::NaiveDate>, &Policy)>> {
        self.policies.get(id).map(DatedPolicy::stretches)
    }

    /// Every policy the engine knows, by id.
    pub fn policies(&self) -> impl Iterator<Item = &Policy> {
        self.policies.values().map(DatedPolicy::base)
    }

    /// Units that `minutes` of a single session of `code` earn under the policy's rule for
    /// that code, with no other session or timed service that day (none for a session
    /// shorter than the code's `min_session_minutes`).
    ///
    /// ```
    /// use h2024::{Code, Engine};
    /// let engine = Engine::default();
    /// assert_eq!(engine.units("medicaid", Code::H2014, 38), Ok(3));
    /// assert_eq!(engine.units("medicaid", Code::H2024, 91), Ok(2));
    /// assert_eq!(engine.units("medicare", Code::H2024, 120), Ok(1)); // per diem
    /// assert!(engine.units("nope", Code::H2014, 38).is_err());
    /// let t2019: Code = "T2019".parse().unwrap();
    /// assert!(engine.units("medicaid", t2019, 38).is_err()); // not in its code set
    /// ```
    ///
    /// # Errors
    ///
    /// [`UnitsError::UnknownPolicy`] when no policy has that id,
    /// [`UnitsError::MinutesOutOfRange`] for more than 1440 minutes,
    /// [`UnitsError::UnknownCode`] for a code the policy's code set does not define.
    pub fn units(&self, policy: &str, code: Code, minutes: u32) -> Result<u32, UnitsError> {
        let policy = self.policy(policy).ok_or(UnitsError::UnknownPolicy)?;
        if minutes > MAX_SESSION_MINUTES {
            return Err(UnitsError::MinutesOutOfRange);
        }
        let rules = policy.code(code).ok_or(UnitsError::UnknownCode)?;
        Ok(rules.session_units(minutes))
    }

    fn resolve_policy<'a>(
        &'a self,
        policy: &PolicyRef,
    ) -> Result<Cow<'a, DatedPolicy>, RequestError> {
        match policy {
            PolicyRef::Named(id) => self.policies.get(id).map(Cow::Borrowed).ok_or_else(|| {
                RequestError::new(
                    RequestErrorKind::UnknownPolicy,
                    Some("policy".to_owned()),
                    // Neither the name given nor the loaded policies' ids: an engine may
                    // hold many, and the caller has `Engine::policies`.
                    "names no built-in or loaded policy",
                )
            }),
            PolicyRef::Inline(spec) => {
                let mut spec = (**spec).clone();
                if spec.id.is_empty() {
                    policy::INLINE_POLICY_ID.clone_into(&mut spec.id);
                } else if self.policies.contains_key(&spec.id) {
                    // Otherwise the response would name a payer whose rules it did not use.
                    return Err(RequestError::new(
                        RequestErrorKind::InvalidPolicy,
                        Some("policy.id".to_owned()),
                        "an inline policy may not take the id of a built-in or loaded policy \
                         (leave `id` out and it is called `inline`)",
                    ));
                }
                policy::resolve(spec, &|id| self.policies.get(id).cloned())
                    .map(Cow::Owned)
                    .map_err(RequestError::from_policy)
            }
        }
    }

    /// The policy name a refused request's response carries: the id as given when it is a
    /// well-formed policy id (an inline policy without one is `inline`), else empty, so
    /// that no text of the request is repeated.
    fn reported_policy_name(&self, policy: &PolicyRef) -> String {
        let id = match policy {
            PolicyRef::Named(id) => id.as_str(),
            PolicyRef::Inline(spec) if spec.id.is_empty() => policy::INLINE_POLICY_ID,
            PolicyRef::Inline(spec) if self.policies.contains_key(&spec.id) => {
                policy::INLINE_POLICY_ID
            }
            PolicyRef::Inline(spec) => spec.id.as_str(),
        };
        if policy::is_valid_id(id) {
            id.to_owned()
        } else {
            String::new()
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
            Err(err) => refused(request, self.reported_policy_name(&request.policy), &err),
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
        check_providers(&request.providers)?;
        check_visits(&request.evv_visits)?;
        let policy = self.resolve_policy(&request.policy)?;
        // The encounters refused (few as a rule), in request order.
        let rejected: Vec<Rejected> = (request.encounters.iter().enumerate())
            .filter_map(|(i, e)| screen_encounter(i, e))
            .collect();
        let mut next = rejected.iter().peekable();
        let items: Vec<Item<'_>> = (request.encounters.iter().enumerate())
            .map(|(i, e)| match next.next_if(|r| r.index == i) {
                Some(r) => Item::Rejected(r),
                None => Item::Parsed(e),
            })
            .collect();
        evaluate_items(
            &policy,
            (&request.patients, &request.providers),
            &request.evv_visits,
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
        wire::to_string(response)
            .map_err(|_| RequestError::new(RequestErrorKind::InvalidRequest, None, UNSERIALIZABLE))
    }

    /// Like [`Engine::evaluate_json`], writing the response to `out` as it is serialized
    /// (no response string is held in memory): the way to answer a large request.
    ///
    /// ```
    /// use h2024::Engine;
    /// let mut out = Vec::new();
    /// Engine::default().evaluate_json_to_writer(r#"{"explain": false}"#, &mut out)?;
    /// let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    /// assert_eq!(v["explain"], false);
    /// # Ok::<(), h2024::WriteError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`WriteError::Refused`] for a request refused as a whole (as [`Engine::evaluate_json`];
    /// nothing is written then), [`WriteError::Io`] with the error `out` returned when it
    /// fails (the output is then incomplete).
    pub fn evaluate_json_to_writer<W: io::Write>(
        &self,
        json: &str,
        mut out: W,
    ) -> Result<(), WriteError> {
        let response = self
            .evaluate_json_to_response(json)
            .map_err(WriteError::Refused)?;
        // Buffered by the serializer: `out` gets pieces of 64 KiB.
        // The writer's own error comes back as it is.
        wire::write(response, &mut out).map_err(|e| {
            WriteError::Io(
                e.into_io()
                    .unwrap_or_else(|| io::Error::other("the response could not be serialized")),
            )
        })?;
        out.flush().map_err(WriteError::Io)
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
        // The fast path: the whole document read at once, as the typed request. Only a
        // document with a problem somewhere is read again, encounter by encounter, so that a
        // malformed encounter is reported by its field and does not sink the others.
        if let Some(request) = strict::from_str_fast::<Request>(json) {
            return self.try_evaluate(&request);
        }
        let raw = RawRequest::read(json)?;
        let policy = self.resolve_policy(&raw.policy)?;
        let (parsed, rejected) = raw.parse_encounters();
        // Back in request order: a rejection knows its position.
        let (mut parsed, mut rejected) = (parsed.iter(), rejected.iter().peekable());
        let items: Vec<Item<'_>> = (0..raw.encounters.len())
            .filter_map(|i| match rejected.next_if(|r| r.index == i) {
                Some(r) => Some(Item::Rejected(r)),
                None => parsed.next().map(Item::Parsed),
            })
            .collect();
        evaluate_items(
            &policy,
            (&raw.patients, &raw.providers),
            &raw.evv_visits,
            &items,
            raw.explain,
        )
    }
}

/// The evaluation, then the checks on it, then the claims, then the response.
fn evaluate_items(
    policy: &DatedPolicy,
    (patients, providers): (&[Patient], &[Provider]),
    visits: &[EvvVisit],
    items: &[Item<'_>],
    explain: bool,
) -> Result<Response, RequestError> {
    let mut eval = claim::build(policy, patients, providers, items)?;
    let checked = checks::run(&eval, visits);
    let mut lines = std::mem::take(&mut eval.lines);
    for drawn in checked.drawn {
        let line = &mut lines[drawn.line];
        line.authorization = Some(drawn.number);
        line.authorization_units_remaining = Some(drawn.remaining);
    }
    let finished = claims::finish(policy, &eval, &mut lines);
    let found = [
        std::mem::take(&mut eval.findings),
        checked.findings,
        finished.findings,
    ];
    let decisions = std::mem::take(&mut eval.decisions);
    let findings = in_request_order(found, &decisions);
    Ok(Response {
        schema_version: SCHEMA_VERSION,
        policy: policy.base().id().to_owned(),
        explain,
        lines,
        claims: finished.claims,
        decisions,
        findings,
    })
}

/// Findings in the request order of their encounters, then the findings on no encounter
/// (at position `items`: the EVV visits'); within an encounter, in the order they were
/// found (`found` in order: evaluation, checks, claims; each list in its own order). A
/// counting sort: linear, and each finding is moved about once. The lists are joined onto
/// the longest one, so that the most findings are not copied into fresh memory first (at
/// 1M encounters of the benchmark month, the checks' 1.9M findings are 325 MB). Each
/// finding on an encounter gets the encounter's id here, from its decision (the
/// evaluation, the checks and the claims leave it empty), so that the ids are read in
/// request order.
fn in_request_order(mut found: [Vec<(usize, Finding)>; 3], decisions: &[Decision]) -> Vec<Finding> {
    let items = decisions.len();
    // Where each finding goes: its encounter's first slot, then the next, in found order.
    let mut next = vec![0usize; items + 2];
    for (item, _) in found.iter().flatten() {
        next[*item + 1] += 1;
    }
    for i in 0..=items {
        next[i + 1] += next[i];
    }
    // The joined vector holds the longest list first, then the others in found order.
    let longest = (0..found.len())
        .max_by_key(|&i| found[i].len())
        .unwrap_or(0);
    let order = std::iter::once(longest).chain((0..found.len()).filter(|&i| i != longest));
    let mut offsets = [0usize; 3];
    let mut total = 0;
    for list in order.clone() {
        offsets[list] = total;
        total += found[list].len();
    }
    let mut target = vec![0u32; total];
    for (list, offset) in found.iter().zip(offsets) {
        for (k, (item, _)) in list.iter().enumerate() {
            target[offset + k] = next[*item] as u32;
            next[*item] += 1;
        }
    }
    drop(next);
    let mut findings = std::mem::take(&mut found[longest]);
    findings.reserve_exact(total - findings.len());
    for list in order.skip(1) {
        findings.append(&mut found[list]);
    }
    // Applied in place: no second vector of findings.
    crate::evaluation::permute(&mut findings, target);
    (findings.into_iter())
        .map(|(item, mut f)| {
            if let Some(decision) = decisions.get(item) {
                f.encounter = Some(decision.encounter.clone());
            }
            f
        })
        .collect()
}

/// Checks what the EVV visits' types do not: how many there are and the length of their
/// ids (README, "Limits and bounds").
fn check_visits(visits: &[EvvVisit]) -> Result<(), RequestError> {
    if visits.len() > MAX_EVV_VISITS {
        return Err(RequestError::new(
            RequestErrorKind::InvalidRequest,
            Some("evv_visits".to_owned()),
            format!("at most {MAX_EVV_VISITS} entries"),
        ));
    }
    for (i, visit) in visits.iter().enumerate() {
        visit.check().map_err(|e| {
            RequestError::new(
                RequestErrorKind::InvalidRequest,
                Some(format!("evv_visits[{i}].{}", e.field)),
                e.problem,
            )
        })?;
    }
    Ok(())
}

/// Checks what the providers' types do not: the length of their ids. (Patients are checked
/// by [`Patient::check`] when they are indexed.)
fn check_providers(providers: &[Provider]) -> Result<(), RequestError> {
    for (i, provider) in providers.iter().enumerate() {
        provider.check().map_err(|e| {
            RequestError::new(
                RequestErrorKind::InvalidRequest,
                Some(format!("providers[{i}].{}", e.field)),
                e.problem,
            )
        })?;
    }
    Ok(())
}

/// An encounter whose identifiers are too long, rejected before evaluation so that no id
/// of it is ever repeated (a too-long `id` is shown as `encounters[i]`).
fn screen_encounter(index: usize, encounter: &Encounter) -> Option<Rejected> {
    let err = encounter.check_ids().err()?;
    Some(Rejected {
        index,
        id: (err.field != "id").then(|| encounter.id.clone()),
        field: err.field,
        problem: err.problem,
    })
}

fn parse_encounter(index: usize, text: &RawValue) -> Result<Encounter, Rejected> {
    // The fast path; only a failure is parsed again to find the path at fault.
    if let Some(encounter) = strict::from_str_fast::<Encounter>(text.get()) {
        return match screen_encounter(index, &encounter) {
            Some(rejected) => Err(rejected),
            None => Ok(encounter),
        };
    }
    strict::from_str::<Encounter>(text.get()).map_err(|failure| {
        let id = strict::from_str_fast::<IdProbe<'_>>(text.get())
            .and_then(|p| p.id)
            .filter(|id| id.chars().count() <= MAX_ID_CHARS)
            .map(|id| Id::from(&*id));
        Rejected {
            index,
            id,
            field: if failure.path.is_empty() {
                "(encounter)".to_owned()
            } else {
                failure.path
            },
            problem: failure.message,
        }
    })
}

fn refused(request: &Request, policy: String, err: &RequestError) -> Response {
    let decisions = request
        .encounters
        .iter()
        .enumerate()
        .map(|(i, e)| Decision {
            // A too-long id is not repeated (README, "Errors").
            encounter: match e.check_ids() {
                Err(err) if err.field == "id" => format!("encounters[{i}]").into(),
                _ => e.id.clone(),
            },
            code: None,
            line: None,
            policy_version: None,
            reasons: vec![Reason::RequestRefused],
            alternatives: Arc::from([]),
        })
        .collect();
    Response {
        schema_version: SCHEMA_VERSION,
        policy,
        explain: request.explain,
        lines: Vec::new(),
        claims: Vec::new(),
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use proptest::prelude::*;

    use super::in_request_order;
    use crate::findings::{Data, Finding, Rule};
    use crate::response::Decision;

    proptest! {
        /// Whichever list is longest, the findings come out in request order of their
        /// encounters, those on no encounter last, and within an encounter in found order
        /// (evaluation, checks, claims): the order of a stable sort of the three lists
        /// joined in that order. Each finding on an encounter gets its decision's id.
        #[test]
        fn findings_come_out_in_request_then_found_order(
            items in 0usize..6,
            lists in prop::array::uniform3(prop::collection::vec(0usize..7, 0..40)),
        ) {
            let decisions: Vec<Decision> = (0..items)
                .map(|i| Decision {
                    encounter: format!("e{i}").into(),
                    code: None,
                    line: None,
                    policy_version: None,
                    reasons: Vec::new(),
                    alternatives: Arc::from([]),
                })
                .collect();
            // Each finding is tagged by its place in the joined lists (in `line`).
            let mut tag = 0;
            let found = lists.clone().map(|list| {
                list.into_iter()
                    .map(|item| {
                        let item = item.min(items);
                        tag += 1;
                        (item, Finding::about(Rule::ProviderOverlap, None, Data::NoTime).on_line(tag))
                    })
                    .collect::<Vec<_>>()
            });
            let mut expected: Vec<(usize, usize)> = found
                .iter()
                .flatten()
                .map(|(item, f)| (*item, f.line.unwrap()))
                .collect();
            expected.sort_by_key(|&(item, _)| item);
            let got = in_request_order(found, &decisions);
            let got_tags: Vec<usize> = got.iter().map(|f| f.line.unwrap()).collect();
            let expected_tags: Vec<usize> = expected.iter().map(|&(_, t)| t).collect();
            prop_assert_eq!(got_tags, expected_tags);
            for (f, (item, _)) in got.iter().zip(&expected) {
                let id = decisions.get(*item).map(|d| d.encounter.clone());
                prop_assert_eq!(&f.encounter, &id);
            }
        }
    }
}
