//! The billing rules, as functions of a policy and a session: minutes to units, the
//! modifiers a policy requires, the code chosen among the family, and the typed reasons for
//! each choice.

pub(crate) mod reasons;
pub mod requirements;
pub(crate) mod selection;
pub mod units;
