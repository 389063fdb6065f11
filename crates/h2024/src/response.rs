//! The response: claim lines, one decision per encounter, and findings.
//!
//! These types are the response JSON (`schema_version` 1); how they are written, with or
//! without prose, is the `wire` module's business.

use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::codes::Code;
use crate::findings::Finding;
use crate::modifiers::Modifier;
use crate::places::PlaceOfService;
use crate::reasons::{Reason, Turndown};

/// The version of the response format.
pub const SCHEMA_VERSION: u32 = 1;

/// What the engine made of a request.
///
/// Serialized with `explain` on (the default), decisions carry their `rationale` and each
/// alternative its `reason`, and findings their `message`, all rendered from the typed
/// reasons and data; with `explain` off those three are left out and everything
/// machine-readable stays.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "schema",
    schemars(deny_unknown_fields, transform = crate::schema::response_prose)
)]
#[non_exhaustive]
pub struct Response {
    /// The response format's version ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// The id of the policy applied (`inline` for an inline policy without an id).
    pub policy: String,
    /// Whether the serialized response carries prose (rationale, reasons, messages).
    #[serde(default = "yes")]
    pub explain: bool,
    /// Claim lines, sorted by patient, date of service, code as written (then provider,
    /// modifiers, place of service).
    pub lines: Vec<Line>,
    /// Exactly one decision per encounter, in request order.
    pub decisions: Vec<Decision>,
    /// What threatens the lines, in request order of their encounters.
    pub findings: Vec<Finding>,
}

fn yes() -> bool {
    true
}

/// One claim line (an X12 837P SV1 service line with its DTP*472 date).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[non_exhaustive]
pub struct Line {
    /// The patient's id.
    pub patient: String,
    /// The rendering provider's id.
    pub provider: String,
    /// The date of service.
    pub date_of_service: NaiveDate,
    /// The procedure code.
    pub code: Code,
    /// Up to four modifiers, in line order.
    #[cfg_attr(feature = "schema", schemars(length(max = crate::modifiers::MAX_MODIFIERS)))]
    pub modifiers: Vec<Modifier>,
    /// Units of service (SV104, unit basis `UN`).
    pub units: u32,
    /// Documented minutes of the encounters on the line.
    pub minutes: u32,
    /// The place of service (SV105).
    pub place_of_service: PlaceOfService,
    /// The encounters billed on this line.
    pub encounters: Vec<String>,
    /// The `from` of the policy version in force on the date of service, or `None` for
    /// the policy's own fields (README, "Policy versions").
    #[serde(default)]
    pub policy_version: Option<NaiveDate>,
    /// The number of the authorization on file the line draws on (the first that lists its
    /// code and covers its date of service), or `None` when it draws on none.
    #[serde(default)]
    pub authorization: Option<String>,
    /// Units left on that authorization after this line: the smallest of what each of its
    /// limits has left in the line's day, week, month and the whole authorization;
    /// negative once a limit is passed. `None` when the line draws on no authorization.
    #[serde(default)]
    pub authorization_units_remaining: Option<i64>,
}

/// The code decision for one encounter, with the reasons.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "schema",
    schemars(deny_unknown_fields, transform = crate::schema::decision_prose)
)]
#[non_exhaustive]
pub struct Decision {
    /// The encounter's id (or `encounters[i]` when it had no readable id).
    pub encounter: String,
    /// The chosen code; `None` when the encounter cannot be coded.
    pub code: Option<Code>,
    /// The index of the line in `Response.lines` that bills the encounter, if any.
    pub line: Option<usize>,
    /// The `from` of the policy version the encounter was evaluated under, or `None` for
    /// the policy's own fields (and for an encounter not evaluated under any).
    #[serde(default)]
    pub policy_version: Option<NaiveDate>,
    /// Every step of the decision, in order, as data.
    pub reasons: Vec<Reason>,
    /// Each code of the family that was turned down, and why (shared by the decisions
    /// that turn down the same codes for the same reasons).
    pub alternatives: Arc<[Alternative]>,
}

/// A code that was turned down.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "schema",
    schemars(deny_unknown_fields, transform = crate::schema::alternative_prose)
)]
#[non_exhaustive]
pub struct Alternative {
    /// The code.
    pub code: Code,
    /// Why it was not chosen, as data.
    pub why: Turndown,
}

impl Alternative {
    /// A code turned down, and why.
    pub fn new(code: Code, why: Turndown) -> Alternative {
        Alternative { code, why }
    }
}
