//! The response: claim lines, one decision per encounter, and findings.
//!
//! These types are the response JSON (`schema_version` 1); how they are written, with or
//! without prose, is the `wire` module's business.

use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::codes::Code;
use crate::diagnoses::Diagnosis;
use crate::findings::Finding;
use crate::ids::Id;
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
    schemars(deny_unknown_fields, transform = response_prose)
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
    /// The lines grouped into claims: a patient's lines in line order, at most
    /// [`MAX_CLAIM_LINES`] a claim (README, "From a response to a claim"). Written last
    /// in the JSON.
    #[serde(default)]
    pub claims: Vec<Claim>,
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
    pub patient: Id,
    /// The rendering provider's id.
    pub provider: Id,
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
    pub encounters: Vec<Id>,
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
    /// The line's charge in cents (837P SV102, CMS-1500 box 24F): its units times the
    /// `cents_per_unit` of the policy's fee for its code, modifiers and date of service.
    /// `None` when the policy in force has no fee that matches (a `fee_not_found` warning
    /// when its `fees` list is not empty).
    #[serde(default)]
    pub charge_cents: Option<u64>,
    /// The line's diagnoses as pointers (1-12) into its claim's `diagnoses`, at most four
    /// (837P SV107, CMS-1500 box 24E): the diagnoses of its encounters, in order, that the
    /// claim carries. Empty when they carry none.
    #[serde(default)]
    pub diagnosis_pointers: Vec<u8>,
    /// The line as the 837P 2400 loop (`LX`, `SV1`, `DTP*472`, and `REF*G1` when it draws
    /// on an authorization), with the default separators (`*`, `:`, `~`); `LX` counts
    /// within its claim. `None` when the line lacks an element the 837P requires: a charge
    /// or a diagnosis pointer, or an authorization number that does not fit `REF02` (at
    /// most 50 printable characters, no separator). See [`crate::x12`].
    #[serde(default)]
    pub x12: Option<String>,
}

/// The code decision for one encounter, with the reasons.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "schema",
    schemars(deny_unknown_fields, transform = decision_prose)
)]
#[non_exhaustive]
pub struct Decision {
    /// The encounter's id (or `encounters[i]` when it had no readable id).
    pub encounter: Id,
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
    schemars(deny_unknown_fields, transform = alternative_prose)
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

/// The most service lines one claim holds (837P loop 2400, repeated at most 50 times;
/// CMS-1500 prints six a page). A patient's further lines start a new claim.
pub const MAX_CLAIM_LINES: usize = 50;

pub use crate::diagnoses::MAX_CLAIM_DIAGNOSES;

/// One claim: a patient's lines, in line order (date of service, then code), at most
/// [`MAX_CLAIM_LINES`] (an 837P 2300 loop, a CMS-1500 form).
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Claim {
    /// The patient's id.
    pub patient: Id,
    /// The claim's lines: indexes into `Response.lines`, in order. A line's position here,
    /// from 1, is its `LX` number.
    pub lines: Vec<usize>,
    /// The diagnoses of the lines' encounters, each once, in the order the lines and their
    /// encounters give them, at most [`MAX_CLAIM_DIAGNOSES`] (837P HI, CMS-1500 box 21);
    /// the first is the principal diagnosis. Those beyond are left off with a
    /// `too_many_diagnoses` finding.
    pub diagnoses: Vec<Diagnosis>,
    /// The claim's total charge in cents (837P CLM02, CMS-1500 box 28): the sum of its
    /// lines' charges, or `None` when a line has none (a partial total would not match the
    /// lines, which the 837P requires).
    pub charge_cents: Option<u64>,
    /// The claim's place of service (837P CLM05-1): the one most of its lines have (ties:
    /// the earliest line's). Each line also gives its own (SV105).
    pub place_of_service: PlaceOfService,
}

#[cfg(feature = "schema")]
/// The prose goes with `explain`: an explained response carries every `rationale`, `reason`
/// and `message`, a compact one none (README, "Reasons as data, prose on demand").
pub(crate) fn response_prose(schema: &mut schemars::Schema) {
    let prose = |present: bool| {
        let field = |name: &str| -> serde_json::Value {
            if present {
                serde_json::json!({"required": [name]})
            } else {
                serde_json::json!({"properties": {name: false}})
            }
        };
        let mut decision = field("rationale");
        decision["properties"]["alternatives"] = serde_json::json!({"items": field("reason")});
        serde_json::json!({
            "properties": {
                "decisions": {"items": decision},
                "findings": {"items": field("message")},
            },
        })
    };
    schema.insert(
        "if".to_owned(),
        serde_json::json!({"properties": {"explain": {"const": false}}}),
    );
    schema.insert("then".to_owned(), prose(false));
    schema.insert("else".to_owned(), prose(true));
}

#[cfg(feature = "schema")]
/// A decision's `rationale`: one sentence per reason, in an explained response only.
pub(crate) fn decision_prose(schema: &mut schemars::Schema) {
    crate::findings::prose_property(
        schema,
        "rationale",
        serde_json::json!({
            "description": "One sentence per reason, rendered from `reasons`; only in an explained response (`explain` true).",
            "type": "array",
            "items": {"type": "string"},
        }),
    );
}

#[cfg(feature = "schema")]
/// An alternative's `reason`: why the code was turned down, in an explained response only.
pub(crate) fn alternative_prose(schema: &mut schemars::Schema) {
    crate::findings::prose_property(
        schema,
        "reason",
        serde_json::json!({
            "description": "Why the code was turned down, rendered from `why`; only in an explained response (`explain` true).",
            "type": "string",
        }),
    );
}
