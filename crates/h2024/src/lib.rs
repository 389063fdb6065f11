//! # h2024
//!
//! Turns a documented skills-training session into a correct, defensible claim line:
//! the right code among HCPCS H2024, H2014, H2017, H2023 and CPT 97535, the right units
//! under the payer's rounding rule, the right modifiers in the right order, the place of
//! service, and findings that warn before a payer denies.
//!
//! ```
//! use h2024::{Engine, Request};
//!
//! let engine = Engine::default(); // built-in policies: medicaid (default), commercial, medicare
//! let request: Request = serde_json::from_str(r#"{
//!   "policy": "medicaid",
//!   "patients":  [{"id": "p1"}],
//!   "providers": [{"id": "pr1", "credential": "masters", "discipline": "behavioral_health"}],
//!   "encounters": [{"id": "e1", "patient": "p1", "provider": "pr1",
//!                   "service": "skills_training", "setting": "home", "follow_up": true,
//!                   "start": "2026-03-02T09:00:00-05:00", "end": "2026-03-02T09:45:00-05:00"}]
//! }"#).unwrap();
//! let response = engine.evaluate(&request);
//! let line = &response.lines[0];
//! assert_eq!(line.code.as_str(), "H2014");   // 45 minutes bill closest as 3 x 15 minutes
//! assert_eq!(line.units, 3);
//! assert_eq!(line.modifiers.iter().map(|m| m.as_str()).collect::<Vec<_>>(), ["HO", "TS"]);
//! assert_eq!(line.place_of_service.as_str(), "12");
//! assert!(response.decisions[0].rationale().iter().any(|r| r.contains("closest")));
//! ```
//!
//! ## The H2024 conflict
//!
//! The product brief defines H2024 as "skills training and development, per hour"; the CMS
//! national HCPCS file defines it as "supported employment, per diem". Code definitions are
//! data: the default `reference` code set follows the brief, the `national` code set follows
//! CMS (the `medicare` policy uses it). See [`CodeSet`].
//!
//! ## Layers
//!
//! Each layer uses only itself and the layers above it, and no module reaches itself again
//! through others (the test `tests/layers.rs` follows every `crate::` path and checks both):
//!
//! 1. vocabulary: [`codes`], [`modifiers`], [`places`] (settings, modalities, places of
//!    service), [`credentials`]; plain types with their meanings; [`units`] (a code's
//!    rounding rule) and [`session`] (a session's time); the strict JSON reading, the
//!    error types and timestamps;
//! 2. [`policy`]: payer policies as data, resolved once into plain fields (with their
//!    [`fees`]);
//! 3. [`request`]: what a request says, read strictly;
//! 4. the results as plain data: the typed reasons ([`explain::Reason`] and its kin), the
//!    [`findings`] (rule, severity, CARC, data) and the [`response`] (lines, decisions);
//! 5. rules: [`requirements`] (the modifiers a policy requires) and code selection;
//! 6. the evaluation: one immutable, typed record per encounter and per line;
//! 7. the checks: denial-risk findings, each check a function of the evaluation;
//! 8. the claims: lines priced from the policy's [`fees`], grouped into claims with their
//!    diagnoses, each line's 837P loop written by [`x12`];
//! 9. [`explain`]: the prose, rendered from the typed reasons and data;
//! 10. the response's JSON, with or without prose; [`Engine`] runs it all; [`x12`] writes a
//!     response's claims as an 837P interchange.
//!
//! The C API is a separate crate, `h2024-ffi` (opaque handles and status codes, declared in
//! `include/h2024.h`, with its own guide); this crate has no `unsafe` code. The command line
//! `h2024` is the crate `h2024-cli`.
//!
//! ## Guides
//!
//! The repository's `docs/` folder, also shipped with this crate and shown here:
//!
//! - [`guide::rules`] (`docs/rules.md`): every billing rule the library applies, with its
//!   public source; the doc comments of the code that applies a rule cite its section;
//! - [`guide::policies`] (`docs/policies.md`): the policy JSON, `extends`, the built-in
//!   policies and inline policies.
//!
//! The README covers the request and response, the findings and the limits; `SECURITY.md`
//! what input is trusted and how to report a problem.
//!
//! ## Features
//!
//! - `schema` (off by default): derives `schemars::JsonSchema` on the request, response and
//!   policy types and adds the `schema` module, which generates their JSON Schemas (README,
//!   "JSON Schema").
#![deny(missing_docs)]
#![warn(clippy::missing_errors_doc)]
#![forbid(unsafe_code)]

/// The guides of the repository's `docs/` folder, as pages of this documentation.
pub mod guide {
    #[doc = include_str!("../docs/rules.md")]
    #[allow(rustdoc::bare_urls)]
    pub mod rules {}

    #[doc = include_str!("../docs/policies.md")]
    pub mod policies {}
}

mod checks;
mod claims;
mod engine;
mod error;
mod evaluation;
pub mod explain;
pub mod fees;
pub mod findings;
pub mod policy;
pub mod request;
pub mod response;
mod rules;
#[cfg(feature = "schema")]
pub mod schema;
pub mod session;
mod strict;
mod timestamp;
mod vocabulary;
mod wire;
pub mod x12;

pub use rules::{requirements, units};
pub use vocabulary::{codes, credentials, diagnoses, ids, modifiers, places};

use evaluation::claim;
use rules::{reasons, selection};

pub use codes::{Code, CodeEntry, CodeSet, CodeSetId, InvalidCode, MAX_CODES, Service, Unit};
pub use diagnoses::{Diagnosis, InvalidDiagnosis};
pub use engine::{Engine, MAX_POLICY_BYTES, MAX_REQUEST_BYTES, UnitsError, WriteError};
pub use error::{PolicyError, PolicyErrorKind, RequestError, RequestErrorKind};
pub use findings::{Finding, Rule, Severity};
pub use ids::Id;
pub use modifiers::{InvalidModifier, Modifier, ModifierGroup};
pub use places::PlaceOfService;
pub use policy::{
    Effective, MAX_SOURCES, MAX_VERSIONS, Policy, PolicySpec, STATE_PACK_JSON, Source,
};
pub use request::MAX_ID_CHARS;
pub use request::{
    Credential, Discipline, Encounter, Modality, OtherTimedService, Patient, PolicyRef, Provider,
    Request, Setting,
};
pub use response::{Alternative, Claim, Decision, Line, Response};
pub use session::Session;
pub use units::{Aggregation, UnitRule};

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
