//! The request: who was seen, by whom, for what, when and where.
//!
//! These types are the request JSON: `serde` derives are the wire format, not a second
//! model. Unknown fields are refused everywhere, so a misspelt field is an error rather than
//! a silently ignored fact.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::codes::{Code, Service};
pub use crate::credentials::{Credential, Discipline};
use crate::diagnoses::Diagnosis;
use crate::ids::Id;
pub use crate::places::{Modality, Setting};
use crate::policy::PolicySpec;
use crate::session::{Session, SessionError};

/// A batch of documented sessions to turn into claim lines.
///
/// ```
/// use h2024::{Engine, Request};
/// let request: Request = serde_json::from_str(r#"{
///   "policy": "medicaid",
///   "patients":  [{"id": "p1"}],
///   "providers": [{"id": "pr1", "credential": "masters", "discipline": "behavioral_health"}],
///   "encounters": [{"id": "e1", "patient": "p1", "provider": "pr1",
///                   "service": "skills_training", "setting": "home",
///                   "start": "2026-03-02T09:00:00-05:00", "end": "2026-03-02T09:45:00-05:00"}]
/// }"#)?;
/// let response = Engine::default().evaluate(&request);
/// assert_eq!(response.lines[0].units, 3);
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// The encounter type is a parameter only so that the engine can read the same schema with
/// each encounter kept as its JSON text first (one malformed encounter must not sink the
/// others); users name it `Request`, which is `Request<Encounter>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "schema",
    schemars(
        rename = "Request",
        description = "A batch of documented sessions to turn into claim lines (README, \"Request and response\")."
    )
)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Request<E = Encounter> {
    /// The payer policy: the id of a built-in or loaded policy, or a policy object.
    #[serde(default)]
    pub policy: PolicyRef,
    /// Whether the response carries prose (`rationale`, alternatives' `reason`, finding
    /// `message`) beside the typed reasons and data. Default true; false gives a compact
    /// response with everything machine-readable kept.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub explain: bool,
    /// The patients the encounters refer to.
    #[serde(default)]
    pub patients: Vec<Patient>,
    /// The rendering providers the encounters refer to.
    #[serde(default)]
    pub providers: Vec<Provider>,
    /// The documented sessions.
    // A typed path rather than `default`: no `E: Default` bound, and the schema derive can
    // name the type.
    #[serde(default = "Vec::<E>::new")]
    pub encounters: Vec<E>,
    /// Electronic visit verification records, as the state's EVV system holds them (at most
    /// [`MAX_EVV_VISITS`]); checked against in-person encounters of the codes a policy's
    /// `evv` requires (`docs/rules.md`, "Electronic visit verification").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evv_visits: Vec<EvvVisit>,
}

impl Default for Request {
    /// An empty request under the default policy, with explanations: what `{}` reads as.
    fn default() -> Self {
        Request {
            policy: PolicyRef::default(),
            explain: true,
            patients: Vec::new(),
            providers: Vec::new(),
            encounters: Vec::new(),
            evv_visits: Vec::new(),
        }
    }
}

impl Request {
    /// An empty request under the default policy (`medicaid`); add to it with the `with_`
    /// methods.
    ///
    /// ```
    /// use chrono::DateTime;
    /// use h2024::{Credential, Discipline, Encounter, Engine, Patient, Provider, Request};
    /// use h2024::{Service, Setting};
    /// let start = DateTime::parse_from_rfc3339("2026-03-02T09:00:00-05:00").unwrap();
    /// let end = DateTime::parse_from_rfc3339("2026-03-02T09:45:00-05:00").unwrap();
    /// let request = Request::new()
    ///     .with_policy("medicaid")
    ///     .with_patient(Patient::new("p1"))
    ///     .with_provider(Provider::new("pr1", Credential::Masters, Discipline::BehavioralHealth))
    ///     .with_encounter(
    ///         Encounter::new("e1", "p1", "pr1", Service::SkillsTraining, Setting::Home)
    ///             .with_times(start, end),
    ///     );
    /// let response = Engine::default().evaluate(&request);
    /// assert_eq!(response.lines[0].units, 3);
    /// ```
    pub fn new() -> Request {
        Request::default()
    }

    /// Reads a request from JSON as [`Engine::evaluate_json`](crate::Engine::evaluate_json)
    /// does: objects only, errors naming the path and never a value. (`serde_json::from_str`
    /// also works, with serde's own, laxer reading and messages.)
    ///
    /// ```
    /// use h2024::{Request, RequestErrorKind};
    /// let request = Request::from_json(r#"{"policy": "commercial"}"#)?;
    /// assert!(request.encounters.is_empty());
    /// let err = Request::from_json(r#"{"patients": [["p1"]]}"#).unwrap_err();
    /// assert_eq!(err.kind(), RequestErrorKind::InvalidRequest);
    /// assert_eq!(err.path(), Some("patients[0]"));
    /// # Ok::<(), h2024::RequestError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A [`RequestError`](crate::RequestError) for text that is not JSON or not of the
    /// request's shape, including a malformed encounter (which
    /// [`Engine::evaluate_json`](crate::Engine::evaluate_json) would report as a finding),
    /// or a document over [`MAX_REQUEST_BYTES`](crate::MAX_REQUEST_BYTES).
    pub fn from_json(json: &str) -> Result<Request, crate::RequestError> {
        if json.len() > crate::MAX_REQUEST_BYTES {
            return Err(crate::RequestError::new(
                crate::RequestErrorKind::TooLarge,
                None,
                format!("request larger than {} bytes", crate::MAX_REQUEST_BYTES),
            ));
        }
        crate::strict::from_str(json).map_err(crate::RequestError::from_failure)
    }

    /// Whether the response carries prose beside the typed reasons and data (default true).
    pub fn with_explain(mut self, explain: bool) -> Self {
        self.explain = explain;
        self
    }

    /// Evaluates under the built-in or loaded policy `id`.
    pub fn with_policy(mut self, id: impl Into<String>) -> Self {
        self.policy = PolicyRef::Named(id.into());
        self
    }

    /// Evaluates under a policy of the request's own (see [`PolicySpec::extending`]).
    pub fn with_inline_policy(mut self, spec: PolicySpec) -> Self {
        self.policy = PolicyRef::Inline(Box::new(spec));
        self
    }

    /// Adds a patient.
    pub fn with_patient(mut self, patient: Patient) -> Self {
        self.patients.push(patient);
        self
    }

    /// Adds a provider.
    pub fn with_provider(mut self, provider: Provider) -> Self {
        self.providers.push(provider);
        self
    }

    /// Adds an encounter.
    pub fn with_encounter(mut self, encounter: Encounter) -> Self {
        self.encounters.push(encounter);
        self
    }

    /// Adds an electronic visit verification record.
    pub fn with_evv_visit(mut self, visit: EvvVisit) -> Self {
        self.evv_visits.push(visit);
        self
    }
}

/// An electronic visit verification (EVV) record: the six elements the 21st Century Cures
/// Act, section 12006, asks an EVV system to verify (the service, the member, the date, the
/// location, the provider, and the begin and end times), as a state aggregator holds them
/// (`docs/rules.md`, "Electronic visit verification"). The service and date are read from
/// the encounters the visit is matched with.
///
/// ```
/// use chrono::DateTime;
/// use h2024::request::{EvvVisit, VisitStatus};
/// use h2024::Setting;
/// let visit = EvvVisit::new(
///     "v1", "p1", "pr1",
///     DateTime::parse_from_rfc3339("2026-03-02T09:00:00-05:00").unwrap(),
///     DateTime::parse_from_rfc3339("2026-03-02T09:45:00-05:00").unwrap(),
///     VisitStatus::Verified,
///     Setting::Home,
/// );
/// assert!(visit.check().is_ok());
/// ```
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct EvvVisit {
    /// The visit's id in the EVV system (at most [`MAX_ID_CHARS`] characters).
    pub id: String,
    /// The patient (member) served, by id in `patients`.
    pub patient: String,
    /// The provider who served, by id in `providers`.
    pub provider: String,
    /// When the provider clocked in (RFC 3339 with offset).
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub clock_in: DateTime<FixedOffset>,
    /// When the provider clocked out; must be after `clock_in`.
    #[serde(deserialize_with = "crate::timestamp::deserialize")]
    pub clock_out: DateTime<FixedOffset>,
    /// Whether the EVV system verified the visit.
    pub status: VisitStatus,
    /// Where the service was delivered.
    pub location: Setting,
}

/// Whether an EVV system verified a visit.
///
/// In JSON: `"verified"` or `"unverified"`.
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum VisitStatus {
    /// Verified: it may support a claim.
    Verified,
    /// Not verified (an exception not cleared, a manual entry not accepted): it supports no
    /// claim yet.
    Unverified,
}

impl EvvVisit {
    /// A visit of `patient` by `provider` from `clock_in` to `clock_out`.
    pub fn new(
        id: impl Into<String>,
        patient: impl Into<String>,
        provider: impl Into<String>,
        clock_in: DateTime<FixedOffset>,
        clock_out: DateTime<FixedOffset>,
        status: VisitStatus,
        location: Setting,
    ) -> EvvVisit {
        EvvVisit {
            id: id.into(),
            patient: patient.into(),
            provider: provider.into(),
            clock_in,
            clock_out,
            status,
            location,
        }
    }

    /// Checks the lengths of the visit's identifiers (`id`, `patient`, `provider`).
    ///
    /// # Errors
    ///
    /// A [`FieldError`] naming the first one longer than [`MAX_ID_CHARS`].
    pub fn check(&self) -> Result<(), FieldError> {
        check_id(&self.id, || "id".to_owned())?;
        check_id(&self.patient, || "patient".to_owned())?;
        check_id(&self.provider, || "provider".to_owned())
    }
}

/// Which policy a request is evaluated under.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PolicyRef {
    /// A built-in policy or one loaded into the engine, by id.
    Named(String),
    /// A policy given in the request itself (it may `extends` a named one).
    Inline(Box<PolicySpec>),
}

impl Default for PolicyRef {
    /// The `medicaid` built-in policy.
    fn default() -> Self {
        PolicyRef::Named(crate::policy::DEFAULT_POLICY.to_owned())
    }
}

impl Serialize for PolicyRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            PolicyRef::Named(id) => serializer.serialize_str(id),
            PolicyRef::Inline(spec) => spec.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for PolicyRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RefVisitor;
        impl<'de> Visitor<'de> for RefVisitor {
            type Value = PolicyRef;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a policy id or a policy object")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PolicyRef, E> {
                Ok(PolicyRef::Named(v.to_owned()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<PolicyRef, A::Error> {
                PolicySpec::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|spec| PolicyRef::Inline(Box::new(spec)))
            }
        }
        deserializer.deserialize_any(RefVisitor)
    }
}

/// A patient. Only an opaque id is needed; never send names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Patient {
    /// The caller's identifier for the patient.
    #[cfg_attr(feature = "schema", schemars(length(max = MAX_ID_CHARS)))]
    pub id: Id,
    /// Date of birth, used for early-intervention age checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<NaiveDate>,
    /// The treatment plan the sessions must tie to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub treatment_plan: Option<TreatmentPlan>,
    /// Prior authorizations on file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "schema", schemars(length(max = MAX_LIST_LEN)))]
    pub authorizations: Vec<Authorization>,
}

/// A patient's treatment plan: goals, each tied to a functional deficit (`docs/rules.md`,
/// "Treatment plan").
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TreatmentPlan {
    /// The plan's goals.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(length(max = MAX_LIST_LEN)))]
    pub goals: Vec<Goal>,
    /// When the last progress report was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_progress_report: Option<NaiveDate>,
}

/// One treatment-plan goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Goal {
    /// The goal's id, which session `objectives` refer to.
    #[cfg_attr(feature = "schema", schemars(length(max = MAX_ID_CHARS)))]
    pub id: String,
    /// The skills the goal covers (`budgeting`, `meal_preparation`, ...).
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(length(max = MAX_LIST_LEN)))]
    pub skills: Vec<String>,
    /// The documented functional deficit the goal addresses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deficit: Option<String>,
}

/// A prior authorization on file for a patient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Authorization {
    /// The authorization number.
    #[cfg_attr(feature = "schema", schemars(length(max = MAX_ID_CHARS)))]
    pub number: String,
    /// The codes it authorizes.
    pub codes: Vec<Code>,
    /// First authorized date of service.
    pub start: NaiveDate,
    /// Last authorized date of service.
    pub end: NaiveDate,
    /// Units authorized in all.
    pub units_authorized: u32,
    /// Units already used before this request. They count toward the whole-authorization
    /// limits only (`units_authorized` and a `limits` entry `per` `authorization`).
    #[serde(default)]
    pub units_used: u32,
    /// Limits per day, week, month or the whole authorization, besides `units_authorized`
    /// (at most [`MAX_AUTHORIZATION_LIMITS`], one per period). Weeks start on the policy's
    /// `week_start`; months are calendar months.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "schema", schemars(length(max = MAX_AUTHORIZATION_LIMITS)))]
    pub limits: Vec<AuthorizationLimit>,
}

/// The period an authorization limit counts units over.
///
/// In JSON: `"day"`, `"week"`, `"month"` or `"authorization"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Period {
    /// A date of service.
    Day,
    /// Seven days from the policy's `week_start`.
    Week,
    /// A calendar month.
    Month,
    /// The authorization's whole date range (where `units_used` counts too).
    Authorization,
}

impl Period {
    /// Every period, in the order above.
    pub const ALL: [Period; 4] = [
        Period::Day,
        Period::Week,
        Period::Month,
        Period::Authorization,
    ];

    /// The name used in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
            Period::Authorization => "authorization",
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One limit of an authorization: at most `units` units per `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AuthorizationLimit {
    /// The period the units are counted over.
    pub per: Period,
    /// The most units in one such period (at least 1).
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    pub units: u32,
}

impl AuthorizationLimit {
    /// At most `units` units per `per`.
    pub fn new(per: Period, units: u32) -> AuthorizationLimit {
        AuthorizationLimit { per, units }
    }
}

/// A rendering provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Provider {
    /// The caller's identifier for the provider.
    #[cfg_attr(feature = "schema", schemars(length(max = MAX_ID_CHARS)))]
    pub id: Id,
    /// Highest education level, which picks the provider-level modifier.
    pub credential: Credential,
    /// Professional discipline.
    pub discipline: Discipline,
    /// An occupational or physical therapy assistant (CO/CQ on 97535).
    #[serde(default)]
    pub assistant: bool,
}

/// Another 15-minute timed service given to the patient the same day, not modelled here
/// (97110, 97530, ...), whose minutes count toward the CMS 8-minute total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct OtherTimedService {
    /// The CPT or HCPCS code: five characters, letters and digits.
    #[cfg_attr(
        feature = "schema",
        schemars(regex(pattern = r"^[A-Za-z0-9][0-9]{4}$"))
    )]
    pub code: String,
    /// Timed minutes of that service.
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 1440)))]
    pub minutes: u32,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

fn one() -> u32 {
    1
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

/// One documented session.
///
/// Time is given either as exact `start`/`end` (RFC 3339 with offset) or, for payers that
/// want total timed minutes only, as `date` + `minutes`. Seconds are truncated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Encounter {
    /// The caller's identifier for the encounter, unique in the request.
    #[cfg_attr(feature = "schema", schemars(length(max = MAX_ID_CHARS)))]
    pub id: Id,
    /// The patient's id (in `patients`).
    #[cfg_attr(feature = "schema", schemars(length(max = MAX_ID_CHARS)))]
    pub patient: Id,
    /// The rendering provider's id (in `providers`).
    #[cfg_attr(feature = "schema", schemars(length(max = MAX_ID_CHARS)))]
    pub provider: Id,
    /// What kind of service was delivered.
    pub service: Service,
    /// When the face-to-face service began.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::timestamp::option"
    )]
    pub start: Option<DateTime<FixedOffset>>,
    /// When it ended.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::timestamp::option"
    )]
    pub end: Option<DateTime<FixedOffset>>,
    /// The date of service, when only total minutes are documented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// Total face-to-face minutes, when no clock times are documented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 1440)))]
    pub minutes: Option<u32>,
    /// Where the patient was.
    pub setting: Setting,
    /// How the session was delivered.
    #[serde(default)]
    pub modality: Modality,
    /// A follow-up (not initial) service.
    #[serde(default)]
    pub follow_up: bool,
    /// Delivered under an early intervention plan (IFSP).
    #[serde(default)]
    pub early_intervention: bool,
    /// Number of patients in the session; 2 or more is a group.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = MAX_GROUP_SIZE)))]
    pub group_size: u32,
    /// Pins the code instead of letting the engine select one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<Code>,
    /// Other 15-minute timed services the patient had that day (CMS 8-minute rule), with
    /// the day's minutes per code. Repeated on several encounters of the same day, the
    /// largest value per code counts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "schema", schemars(length(max = MAX_LIST_LEN)))]
    pub other_timed_services: Vec<OtherTimedService>,
    /// The session note's contents, as far as the payer checks them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation: Option<Documentation>,
    /// The session's main purpose is education (classroom-style teaching).
    #[serde(default)]
    pub educational: bool,
    /// What the biller intends to send for this encounter, audited against the engine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billed: Option<Billed>,
    /// The ICD-10-CM codes the session treats, the primary first (at most
    /// [`MAX_DIAGNOSES`]). Its line points at them on the claim (README, "From a response
    /// to a claim").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diagnoses: Vec<Diagnosis>,
}

/// What a session note documents (`docs/rules.md`, "Session note elements"; Oklahoma
/// OAC 317:30-5-248, NY OPWDD).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Documentation {
    /// The skills taught.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(length(max = MAX_LIST_LEN)))]
    pub skills_taught: Vec<String>,
    /// The patient's participation level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub participation: Option<String>,
    /// Progress since the last session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<String>,
    /// Techniques used (didactic, modelling, role-play, ...).
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(length(max = MAX_LIST_LEN)))]
    pub techniques: Vec<String>,
    /// The treatment-plan goals (by id) the session addressed.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(length(max = MAX_LIST_LEN)))]
    pub objectives: Vec<String>,
    /// Challenges met.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenges: Option<String>,
    /// Adjustments made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjustments: Option<String>,
}

/// The claim line a biller intends to send for an encounter.
///
/// Fields are loosely typed on purpose: a malformed modifier or a fractional unit count is
/// exactly what the audit reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Billed {
    /// The procedure code.
    pub code: String,
    /// The modifiers, in the order they would be sent.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(length(max = MAX_BILLED_MODIFIERS)))]
    pub modifiers: Vec<String>,
    /// Units of service.
    #[cfg_attr(feature = "schema", schemars(range(min = 0.0, max = MAX_BILLED_UNITS)))]
    pub units: f64,
    /// The place-of-service code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place_of_service: Option<String>,
}

impl Patient {
    /// A patient known only by id; add a birth date, plan or authorizations with the
    /// `with_` methods.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use h2024::{Code, Patient};
    /// use h2024::request::{Authorization, Goal, TreatmentPlan};
    /// let date = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    /// let patient = Patient::new("p1")
    ///     .with_birth_date(NaiveDate::from_ymd_opt(2019, 5, 1).unwrap())
    ///     .with_treatment_plan(
    ///         TreatmentPlan::new()
    ///             .with_goal(Goal::new("g1").with_skill("budgeting").with_deficit("cannot pay bills"))
    ///             .with_last_progress_report(date(2, 15)),
    ///     )
    ///     .with_authorization(Authorization::new("A-1", vec![Code::H2014], date(1, 1), date(6, 30), 40));
    /// assert!(patient.check().is_ok());
    /// ```
    pub fn new(id: impl Into<Id>) -> Patient {
        Patient {
            id: id.into(),
            birth_date: None,
            treatment_plan: None,
            authorizations: Vec::new(),
        }
    }

    /// Sets the date of birth.
    pub fn with_birth_date(mut self, birth_date: NaiveDate) -> Self {
        self.birth_date = Some(birth_date);
        self
    }

    /// Sets the treatment plan.
    pub fn with_treatment_plan(mut self, plan: TreatmentPlan) -> Self {
        self.treatment_plan = Some(plan);
        self
    }

    /// Adds a prior authorization.
    pub fn with_authorization(mut self, authorization: Authorization) -> Self {
        self.authorizations.push(authorization);
        self
    }
}

impl TreatmentPlan {
    /// A plan with no goal and no progress report yet.
    pub fn new() -> TreatmentPlan {
        TreatmentPlan::default()
    }

    /// Adds a goal.
    pub fn with_goal(mut self, goal: Goal) -> Self {
        self.goals.push(goal);
        self
    }

    /// Sets the date of the last progress report.
    pub fn with_last_progress_report(mut self, date: NaiveDate) -> Self {
        self.last_progress_report = Some(date);
        self
    }
}

impl Goal {
    /// A goal with no skill and no documented deficit yet.
    pub fn new(id: impl Into<String>) -> Goal {
        Goal {
            id: id.into(),
            skills: Vec::new(),
            deficit: None,
        }
    }

    /// Adds a skill the goal covers.
    pub fn with_skill(mut self, skill: impl Into<String>) -> Self {
        self.skills.push(skill.into());
        self
    }

    /// Sets the functional deficit the goal addresses.
    pub fn with_deficit(mut self, deficit: impl Into<String>) -> Self {
        self.deficit = Some(deficit.into());
        self
    }
}

impl Authorization {
    /// An authorization of `units_authorized` units of `codes` from `start` to `end`, none
    /// used yet.
    pub fn new(
        number: impl Into<String>,
        codes: Vec<Code>,
        start: NaiveDate,
        end: NaiveDate,
        units_authorized: u32,
    ) -> Authorization {
        Authorization {
            number: number.into(),
            codes,
            start,
            end,
            units_authorized,
            units_used: 0,
            limits: Vec::new(),
        }
    }

    /// Sets the units already used before this request.
    pub fn with_units_used(mut self, units_used: u32) -> Self {
        self.units_used = units_used;
        self
    }

    /// Adds a limit of at most `units` units per `per`.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use h2024::{Code, Patient};
    /// use h2024::request::{Authorization, Period};
    /// let date = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    /// let auth = Authorization::new("A-1", vec![Code::H2014], date(1, 1), date(6, 30), 400)
    ///     .with_limit(Period::Week, 16)
    ///     .with_limit(Period::Month, 60);
    /// assert!(Patient::new("p1").with_authorization(auth.clone()).check().is_ok());
    /// // One limit per period at most.
    /// let twice = auth.with_limit(Period::Week, 20);
    /// let err = Patient::new("p1").with_authorization(twice).check().unwrap_err();
    /// assert_eq!(err.field, "authorizations[0].limits[2].per");
    /// ```
    pub fn with_limit(mut self, per: Period, units: u32) -> Self {
        self.limits.push(AuthorizationLimit::new(per, units));
        self
    }
}

impl Provider {
    /// A provider who is not an assistant.
    ///
    /// ```
    /// use h2024::{Credential, Discipline, Provider};
    /// let ota = Provider::new("ota1", Credential::Associate, Discipline::OccupationalTherapy)
    ///     .with_assistant(true);
    /// assert!(ota.assistant);
    /// ```
    pub fn new(id: impl Into<Id>, credential: Credential, discipline: Discipline) -> Provider {
        Provider {
            id: id.into(),
            credential,
            discipline,
            assistant: false,
        }
    }

    /// Marks an occupational or physical therapy assistant (CO/CQ on 97535).
    pub fn with_assistant(mut self, assistant: bool) -> Self {
        self.assistant = assistant;
        self
    }
}

impl OtherTimedService {
    /// `minutes` of another timed service, `code`, the same day.
    pub fn new(code: impl Into<String>, minutes: u32) -> OtherTimedService {
        OtherTimedService {
            code: code.into(),
            minutes,
        }
    }
}

impl Encounter {
    /// A session with no time yet (add [`Encounter::with_times`] or
    /// [`Encounter::with_minutes`]), in person, initial, not early intervention, one-on-one,
    /// code chosen by the engine, nothing else documented.
    ///
    /// ```
    /// use chrono::{DateTime, NaiveDate};
    /// use h2024::{Code, Encounter, Modality, Service, Setting};
    /// use h2024::request::{Billed, Documentation, Timing};
    /// let timed = Encounter::new("e1", "p1", "pr1", Service::SkillsTraining, Setting::Home)
    ///     .with_times(
    ///         DateTime::parse_from_rfc3339("2026-03-02T09:00:00-05:00").unwrap(),
    ///         DateTime::parse_from_rfc3339("2026-03-02T10:00:00-05:00").unwrap(),
    ///     )
    ///     .with_modality(Modality::AudioVideo)
    ///     .with_follow_up(true)
    ///     .with_documentation(Documentation::new().with_skill_taught("budgeting"))
    ///     .with_billed(Billed::new("H2024", 1.0).with_modifier("GT"));
    /// let Ok(Timing::Session(session)) = timed.timing() else { panic!() };
    /// assert_eq!(session.minutes(), 60);
    /// let total = Encounter::new("e2", "p1", "pr1", Service::SelfCareTraining, Setting::Clinic)
    ///     .with_minutes(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(), 38)
    ///     .with_code(Code::Cpt97535);
    /// assert!(matches!(total.timing(), Ok(Timing::Session(_))));
    /// ```
    pub fn new(
        id: impl Into<Id>,
        patient: impl Into<Id>,
        provider: impl Into<Id>,
        service: Service,
        setting: Setting,
    ) -> Encounter {
        Encounter {
            id: id.into(),
            patient: patient.into(),
            provider: provider.into(),
            service,
            start: None,
            end: None,
            date: None,
            minutes: None,
            setting,
            modality: Modality::default(),
            follow_up: false,
            early_intervention: false,
            group_size: 1,
            code: None,
            other_timed_services: Vec::new(),
            documentation: None,
            educational: false,
            billed: None,
            diagnoses: Vec::new(),
        }
    }

    /// Sets exact start and end times (and clears `date`/`minutes`).
    pub fn with_times(mut self, start: DateTime<FixedOffset>, end: DateTime<FixedOffset>) -> Self {
        self.start = Some(start);
        self.end = Some(end);
        self.date = None;
        self.minutes = None;
        self
    }

    /// Sets a date of service and total minutes (and clears `start`/`end`), for payers that
    /// take total timed minutes.
    pub fn with_minutes(mut self, date: NaiveDate, minutes: u32) -> Self {
        self.date = Some(date);
        self.minutes = Some(minutes);
        self.start = None;
        self.end = None;
        self
    }

    /// Sets how the session was delivered.
    pub fn with_modality(mut self, modality: Modality) -> Self {
        self.modality = modality;
        self
    }

    /// Marks a follow-up (not initial) service.
    pub fn with_follow_up(mut self, follow_up: bool) -> Self {
        self.follow_up = follow_up;
        self
    }

    /// Marks a session under an early intervention plan (IFSP).
    pub fn with_early_intervention(mut self, early_intervention: bool) -> Self {
        self.early_intervention = early_intervention;
        self
    }

    /// Sets the number of patients in the session (2 or more is a group).
    pub fn with_group_size(mut self, group_size: u32) -> Self {
        self.group_size = group_size;
        self
    }

    /// Pins the code instead of letting the engine choose.
    pub fn with_code(mut self, code: Code) -> Self {
        self.code = Some(code);
        self
    }

    /// Adds another 15-minute timed service of the same day (CMS 8-minute rule).
    pub fn with_other_timed_service(mut self, service: OtherTimedService) -> Self {
        self.other_timed_services.push(service);
        self
    }

    /// Sets the session note's contents.
    pub fn with_documentation(mut self, documentation: Documentation) -> Self {
        self.documentation = Some(documentation);
        self
    }

    /// Marks a session whose main purpose is education.
    pub fn with_educational(mut self, educational: bool) -> Self {
        self.educational = educational;
        self
    }

    /// Adds a diagnosis (ICD-10-CM), in order: the primary first.
    pub fn with_diagnosis(mut self, diagnosis: Diagnosis) -> Self {
        self.diagnoses.push(diagnosis);
        self
    }

    /// Sets what the biller intends to send, for the audit.
    pub fn with_billed(mut self, billed: Billed) -> Self {
        self.billed = Some(billed);
        self
    }
}

impl Documentation {
    /// A note that documents nothing yet.
    pub fn new() -> Documentation {
        Documentation::default()
    }

    /// Adds a skill taught.
    pub fn with_skill_taught(mut self, skill: impl Into<String>) -> Self {
        self.skills_taught.push(skill.into());
        self
    }

    /// Sets the participation level.
    pub fn with_participation(mut self, participation: impl Into<String>) -> Self {
        self.participation = Some(participation.into());
        self
    }

    /// Sets the progress since the last session.
    pub fn with_progress(mut self, progress: impl Into<String>) -> Self {
        self.progress = Some(progress.into());
        self
    }

    /// Adds a technique used.
    pub fn with_technique(mut self, technique: impl Into<String>) -> Self {
        self.techniques.push(technique.into());
        self
    }

    /// Adds a treatment-plan goal (by id) the session addressed.
    pub fn with_objective(mut self, goal_id: impl Into<String>) -> Self {
        self.objectives.push(goal_id.into());
        self
    }

    /// Sets the challenges met.
    pub fn with_challenges(mut self, challenges: impl Into<String>) -> Self {
        self.challenges = Some(challenges.into());
        self
    }

    /// Sets the adjustments made.
    pub fn with_adjustments(mut self, adjustments: impl Into<String>) -> Self {
        self.adjustments = Some(adjustments.into());
        self
    }
}

impl Billed {
    /// A billed line of `units` units of `code`, with no modifier or place of service.
    pub fn new(code: impl Into<String>, units: f64) -> Billed {
        Billed {
            code: code.into(),
            modifiers: Vec::new(),
            units,
            place_of_service: None,
        }
    }

    /// Adds a modifier, in the order they would be sent.
    pub fn with_modifier(mut self, modifier: impl Into<String>) -> Self {
        self.modifiers.push(modifier.into());
        self
    }

    /// Sets the place-of-service code.
    pub fn with_place_of_service(mut self, place_of_service: impl Into<String>) -> Self {
        self.place_of_service = Some(place_of_service.into());
        self
    }
}

/// The most units a billed line may claim before it is taken as a data error.
pub const MAX_BILLED_UNITS: f64 = 10_000.0;

/// The largest group this library accepts (`group_size`); larger is taken as a data error.
pub const MAX_GROUP_SIZE: u32 = 100;

/// The longest list accepted in an encounter or a patient (skills, goals, authorizations,
/// other timed services, ...); longer is taken as a data error.
pub const MAX_LIST_LEN: usize = 100;

/// The most `diagnoses` an encounter lists (as many as a claim carries: 837P HI, CMS-1500
/// box 21). Longer lists are taken as a data error.
pub const MAX_DIAGNOSES: usize = crate::diagnoses::MAX_CLAIM_DIAGNOSES;
/// The most `evv_visits` a request holds: a month of a large practice, as many as
/// [`MAX_REQUEST_BYTES`](crate::MAX_REQUEST_BYTES) leaves room for encounters. Longer is
/// refused as a whole (path `evv_visits`).
pub const MAX_EVV_VISITS: usize = 1_000_000;

/// The most `limits` an authorization holds: one per [`Period`]. Longer lists are taken as
/// a data error, like a repeated period.
pub const MAX_AUTHORIZATION_LIMITS: usize = Period::ALL.len();

/// The most modifiers accepted in `billed.modifiers` (a line carries four; more are
/// reported as `too_many_modifiers` up to this many, and refused beyond).
pub const MAX_BILLED_MODIFIERS: usize = 10;

/// The longest identifier accepted, in characters: encounter, patient, provider and goal
/// ids, an encounter's `patient` and `provider`, `documentation.objectives` entries and
/// authorization numbers. Longer is taken as a data error, and the value is never repeated
/// (README, "Errors").
pub const MAX_ID_CHARS: usize = 128;

fn check_id(value: &str, field: impl FnOnce() -> String) -> Result<(), FieldError> {
    // Most ids are short: the byte length bounds the character count.
    if value.len() > MAX_ID_CHARS && value.chars().count() > MAX_ID_CHARS {
        return Err(FieldError::new(
            field(),
            format_args!("at most {MAX_ID_CHARS} characters"),
        ));
    }
    Ok(())
}

fn check_len(len: usize, max: usize, field: &str) -> Result<(), FieldError> {
    if len > max {
        return Err(FieldError::new(
            field,
            format_args!("at most {max} entries"),
        ));
    }
    Ok(())
}

impl Patient {
    /// Checks the lengths of the patient's ids and lists and the authorizations' dates.
    ///
    /// # Errors
    ///
    /// A [`FieldError`] for an id, goal id or authorization number longer than
    /// [`MAX_ID_CHARS`], a list longer than [`MAX_LIST_LEN`], an authorization that ends
    /// before it starts, or authorization `limits` longer than [`MAX_AUTHORIZATION_LIMITS`],
    /// with a limit of 0 units or two limits for the same period.
    pub fn check(&self) -> Result<(), FieldError> {
        check_id(&self.id, || "id".to_owned())?;
        if let Some(plan) = &self.treatment_plan {
            check_len(plan.goals.len(), MAX_LIST_LEN, "treatment_plan.goals")?;
            for (i, goal) in plan.goals.iter().enumerate() {
                check_id(&goal.id, || format!("treatment_plan.goals[{i}].id"))?;
                check_len(
                    goal.skills.len(),
                    MAX_LIST_LEN,
                    &format!("treatment_plan.goals[{i}].skills"),
                )?;
            }
        }
        check_len(self.authorizations.len(), MAX_LIST_LEN, "authorizations")?;
        for (i, auth) in self.authorizations.iter().enumerate() {
            check_id(&auth.number, || format!("authorizations[{i}].number"))?;
            if auth.end < auth.start {
                return Err(FieldError::new(
                    format!("authorizations[{i}].end"),
                    "must not be before start",
                ));
            }
            check_len(
                auth.limits.len(),
                MAX_AUTHORIZATION_LIMITS,
                &format!("authorizations[{i}].limits"),
            )?;
            for (j, limit) in auth.limits.iter().enumerate() {
                if limit.units == 0 {
                    return Err(FieldError::new(
                        format!("authorizations[{i}].limits[{j}].units"),
                        "must be at least 1",
                    ));
                }
                if auth.limits[..j].iter().any(|l| l.per == limit.per) {
                    return Err(FieldError::new(
                        format!("authorizations[{i}].limits[{j}].per"),
                        "at most one limit per period",
                    ));
                }
            }
        }
        Ok(())
    }
}

impl Provider {
    /// Checks the length of the provider's id.
    ///
    /// # Errors
    ///
    /// A [`FieldError`] (`id`) for an id longer than [`MAX_ID_CHARS`].
    pub fn check(&self) -> Result<(), FieldError> {
        check_id(&self.id, || "id".to_owned())
    }
}

/// Why a field of an encounter or a patient is unacceptable. Names the field, never its
/// value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{field}`: {problem}")]
#[non_exhaustive]
pub struct FieldError {
    /// The field at fault, as a JSON path below the encounter or patient (`end`,
    /// `other_timed_services[0].code`, `treatment_plan.goals`).
    pub field: String,
    /// What is wrong with it.
    pub problem: String,
}

impl FieldError {
    fn new(field: impl Into<String>, problem: impl fmt::Display) -> Self {
        FieldError {
            field: field.into(),
            problem: problem.to_string(),
        }
    }
}

/// What an encounter documents about time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    /// A valid session (clock times or total minutes).
    Session(Session),
    /// No time at all: neither `start`/`end` nor `date`/`minutes`.
    Missing,
}

impl Encounter {
    /// Checks the lengths of the encounter's identifiers: `id`, `patient`, `provider` and
    /// each of `documentation.objectives`.
    ///
    /// # Errors
    ///
    /// A [`FieldError`] naming the first one longer than [`MAX_ID_CHARS`].
    pub fn check_ids(&self) -> Result<(), FieldError> {
        check_id(&self.id, || "id".to_owned())?;
        check_id(&self.patient, || "patient".to_owned())?;
        check_id(&self.provider, || "provider".to_owned())?;
        if let Some(doc) = &self.documentation {
            for (i, objective) in doc.objectives.iter().enumerate() {
                check_id(objective, || format!("documentation.objectives[{i}]"))?;
            }
        }
        Ok(())
    }

    /// Checks the encounter's own fields and returns its timing.
    ///
    /// # Errors
    ///
    /// A [`FieldError`] naming the field: `start` without `end` or the reverse, clock times
    /// mixed with `date`/`minutes`, `date` without `minutes` or the reverse, end not after
    /// start, longer than 24 hours, minutes outside 1..=1440, `group_size` outside 1..=100,
    /// an `other_timed_services` entry with a malformed code or minutes outside 1..=1440,
    /// `billed.units` negative, not finite or absurd, a list longer than its limit.
    pub fn timing(&self) -> Result<Timing, FieldError> {
        if self.group_size == 0 || self.group_size > MAX_GROUP_SIZE {
            return Err(FieldError::new(
                "group_size",
                format_args!("must be between 1 and {MAX_GROUP_SIZE}"),
            ));
        }
        check_len(
            self.other_timed_services.len(),
            MAX_LIST_LEN,
            "other_timed_services",
        )?;
        if let Some(doc) = &self.documentation {
            check_len(
                doc.skills_taught.len(),
                MAX_LIST_LEN,
                "documentation.skills_taught",
            )?;
            check_len(
                doc.techniques.len(),
                MAX_LIST_LEN,
                "documentation.techniques",
            )?;
            check_len(
                doc.objectives.len(),
                MAX_LIST_LEN,
                "documentation.objectives",
            )?;
        }
        check_len(self.diagnoses.len(), MAX_DIAGNOSES, "diagnoses")?;
        if let Some(billed) = &self.billed {
            check_len(
                billed.modifiers.len(),
                MAX_BILLED_MODIFIERS,
                "billed.modifiers",
            )?;
        }
        for (i, other) in self.other_timed_services.iter().enumerate() {
            let well_formed = other.code.len() == 5
                && other.code.bytes().all(|b| b.is_ascii_alphanumeric())
                && other.code.bytes().skip(1).all(|b| b.is_ascii_digit());
            if !well_formed {
                return Err(FieldError::new(
                    format!("other_timed_services[{i}].code"),
                    "must be a five-character CPT or HCPCS code",
                ));
            }
            if other.minutes == 0 || other.minutes > 1440 {
                return Err(FieldError::new(
                    format!("other_timed_services[{i}].minutes"),
                    "must be between 1 and 1440",
                ));
            }
        }
        if let Some(billed) = &self.billed {
            if !billed.units.is_finite() || billed.units < 0.0 || billed.units > MAX_BILLED_UNITS {
                return Err(FieldError::new(
                    "billed.units",
                    format_args!("must be a number between 0 and {MAX_BILLED_UNITS}"),
                ));
            }
        }
        let clock = self.start.is_some() || self.end.is_some();
        let total = self.date.is_some() || self.minutes.is_some();
        let session = match (self.start, self.end, self.date, self.minutes) {
            _ if clock && total => {
                return Err(FieldError::new(
                    if self.date.is_some() {
                        "date"
                    } else {
                        "minutes"
                    },
                    "give either start/end or date/minutes, not both",
                ));
            }
            (Some(start), Some(end), None, None) => Session::from_times(start, end),
            (Some(_), None, _, _) => {
                return Err(FieldError::new("end", "missing: start is given"));
            }
            (None, Some(_), _, _) => {
                return Err(FieldError::new("start", "missing: end is given"));
            }
            (None, None, Some(date), Some(minutes)) => Session::from_minutes(date, minutes),
            (None, None, Some(_), None) => {
                return Err(FieldError::new("minutes", "missing: date is given"));
            }
            (None, None, None, Some(_)) => {
                return Err(FieldError::new("date", "missing: minutes is given"));
            }
            _ => return Ok(Timing::Missing),
        };
        session.map(Timing::Session).map_err(|e| {
            let field = match e {
                SessionError::EndNotAfterStart | SessionError::LongerThanADay => "end",
                SessionError::Minutes => "minutes",
            };
            FieldError::new(field, e)
        })
    }
}

/// A policy id: 1-64 letters, digits, `_`, `-`, `.` (README, "Your own policies").
#[cfg(feature = "schema")]
const POLICY_ID_PATTERN: &str = "^[A-Za-z0-9_.-]{1,64}$";

#[cfg(feature = "schema")]
impl schemars::JsonSchema for PolicyRef {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PolicyRef".into()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        "h2024::request::PolicyRef".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "The payer policy: the id of a built-in or loaded policy (default `medicaid`), or a policy object of the request's own (its `id` may be left out: it is then called `inline`).",
            "anyOf": [
                {"type": "string", "pattern": POLICY_ID_PATTERN},
                generator.subschema_for::<crate::policy::PolicySpec>(),
            ],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encounter() -> Encounter {
        serde_json::from_str(
            r#"{"id":"e1","patient":"p1","provider":"pr1","service":"skills_training",
                "setting":"home","start":"2026-03-02T09:00:00-05:00","end":"2026-03-02T09:45:30-05:00"}"#,
        )
        .unwrap()
    }

    #[test]
    fn defaults_and_timing() {
        let e = encounter();
        assert_eq!(e.group_size, 1);
        assert_eq!(e.modality, Modality::InPerson);
        let Timing::Session(s) = e.timing().unwrap() else {
            panic!("expected a session")
        };
        assert_eq!(s.minutes(), 45);
    }

    #[test]
    fn inconsistent_time_fields_name_the_field() {
        let mut e = encounter();
        e.end = None;
        assert_eq!(e.timing().unwrap_err().field, "end");
        let mut e = encounter();
        e.minutes = Some(30);
        assert_eq!(e.timing().unwrap_err().field, "minutes");
        let mut e = encounter();
        std::mem::swap(&mut e.start, &mut e.end);
        assert_eq!(e.timing().unwrap_err().field, "end");
        let mut e = encounter();
        e.start = None;
        e.end = None;
        assert_eq!(e.timing().unwrap(), Timing::Missing);
        e.date = NaiveDate::from_ymd_opt(2026, 3, 2);
        assert_eq!(e.timing().unwrap_err().field, "minutes");
        e.minutes = Some(0);
        assert_eq!(e.timing().unwrap_err().field, "minutes");
        e.minutes = Some(40);
        assert!(matches!(e.timing().unwrap(), Timing::Session(_)));
    }

    #[test]
    fn group_size_and_other_services_are_checked() {
        let mut e = encounter();
        e.group_size = 0;
        assert_eq!(e.timing().unwrap_err().field, "group_size");
        let mut e = encounter();
        e.other_timed_services.push(OtherTimedService {
            code: "97110".into(),
            minutes: 23,
        });
        assert!(e.timing().is_ok());
        e.other_timed_services.push(OtherTimedService {
            code: "9711".into(),
            minutes: 23,
        });
        assert_eq!(
            e.timing().unwrap_err().field,
            "other_timed_services[1].code"
        );
    }

    #[test]
    fn unknown_fields_are_refused() {
        let err = serde_json::from_str::<Patient>(r#"{"id":"p","name":"x"}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field"));
    }

    #[test]
    fn policy_ref_accepts_a_name_or_an_object() {
        let named: PolicyRef = serde_json::from_str(r#""commercial""#).unwrap();
        assert_eq!(named, PolicyRef::Named("commercial".into()));
        let inline: PolicyRef =
            serde_json::from_str(r#"{"id":"mine","extends":"medicaid"}"#).unwrap();
        assert!(matches!(inline, PolicyRef::Inline(_)));
        assert!(serde_json::from_str::<PolicyRef>("3").is_err());
    }
}
