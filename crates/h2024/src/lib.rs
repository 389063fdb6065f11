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
//! ## Modules
//! - [`codes`]: the codes and code sets.
//! - [`units`]: minutes to units (midpoint, whole, threshold, CMS 8-minute, per diem).
//! - [`modifiers`]: modifier meanings, order, conflicts and derivation.
//! - [`policy`]: payer policies as data.
//! - [`request`], [`response`], [`session`]: the wire model.
//! - [`findings`]: denial-risk findings with rule ids and CARCs.
//! - [`Engine`] evaluates requests.
//!
//! The C API is a separate crate, `h2024-ffi` (opaque handles and status codes, declared in
//! `include/h2024.h`); this crate has no `unsafe` code.
#![deny(missing_docs)]
#![warn(clippy::missing_errors_doc)]
#![forbid(unsafe_code)]

mod checks;
mod claim;
pub mod codes;
pub mod derive;
mod engine;
mod error;
mod evaluation;
pub mod explain;
pub mod findings;
pub mod modifiers;
pub mod places;
pub mod policy;
mod reasons;
pub mod request;
pub mod response;
mod selection;
pub mod session;
mod strict;
pub mod units;
mod wire;

pub use codes::{Code, CodeEntry, CodeSet, CodeSetId, Service, Unit, UnknownCode};
pub use engine::{Engine, MAX_POLICY_BYTES, MAX_REQUEST_BYTES, UnitsError};
pub use error::{PolicyError, PolicyErrorKind, RequestError, RequestErrorKind};
pub use findings::{Finding, Rule, Severity};
pub use modifiers::{InvalidModifier, Modifier, ModifierGroup};
pub use places::PlaceOfService;
pub use policy::{Policy, PolicySpec};
pub use request::MAX_ID_CHARS;
pub use request::{
    Credential, Discipline, Encounter, Modality, OtherTimedService, Patient, PolicyRef, Provider,
    Request, Setting,
};
pub use response::{Alternative, Decision, Line, Response};
pub use session::Session;
pub use units::{Aggregation, UnitRule};

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
