//! The words the rules are written in: procedure codes and code sets, modifiers, settings,
//! modalities and places of service, provider credentials and disciplines, diagnosis codes,
//! the caller's ids.
//! Plain types with their meanings; no rule of any payer.

pub mod codes;
pub mod credentials;
pub mod diagnoses;
pub mod ids;
pub mod modifiers;
pub mod places;
