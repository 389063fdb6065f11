//! The JSON of a response: what is written, and the prose that goes with it only when the
//! response is explained (`explain: true`). The prose itself comes from
//! [`explain`](crate::explain); this module only decides where it goes.

use std::fmt;

use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use crate::explain::AlternativeText;
use crate::findings::Finding;
use crate::response::{Alternative, Decision, Response};

impl Serialize for Response {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let explain = self.explain;
        let mut s = serializer.serialize_struct("Response", 6)?;
        s.serialize_field("schema_version", &self.schema_version)?;
        s.serialize_field("policy", &self.policy)?;
        s.serialize_field("explain", &explain)?;
        s.serialize_field("lines", &self.lines)?;
        s.serialize_field("decisions", &ExplainList(&self.decisions, explain))?;
        s.serialize_field("findings", &ExplainList(&self.findings, explain))?;
        s.end()
    }
}

/// A value whose JSON depends on whether the response is explained.
pub(crate) trait ExplainSerialize {
    /// Serializes the value, with its prose only when `explain` is on.
    fn serialize_with<S: Serializer>(
        &self,
        serializer: S,
        explain: bool,
    ) -> Result<S::Ok, S::Error>;
}

/// A slice serialized as a JSON array, each element explained or not.
struct ExplainList<'a, T>(&'a [T], bool);

impl<T: ExplainSerialize> Serialize for ExplainList<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for item in self.0 {
            seq.serialize_element(&Explained(item, self.1))?;
        }
        seq.end()
    }
}

struct Explained<'a, T>(&'a T, bool);

impl<T: ExplainSerialize> Serialize for Explained<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize_with(serializer, self.1)
    }
}

impl Serialize for Finding {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ExplainSerialize::serialize_with(self, serializer, true)
    }
}

impl ExplainSerialize for Finding {
    fn serialize_with<S: Serializer>(
        &self,
        serializer: S,
        explain: bool,
    ) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Finding", if explain { 8 } else { 7 })?;
        s.serialize_field("rule", &self.rule)?;
        s.serialize_field("severity", &self.severity)?;
        s.serialize_field("carc", &self.carc)?;
        s.serialize_field("encounter", &self.encounter)?;
        s.serialize_field("line", &self.line)?;
        s.serialize_field("element", &self.element)?;
        s.serialize_field("data", &self.data)?;
        if explain {
            s.serialize_field("message", &Rendered(&self.data))?;
        }
        s.end()
    }
}

/// Serializes a value's `Display` as a JSON string without an intermediate `String`.
pub(crate) struct Rendered<'a, T: fmt::Display>(pub &'a T);

impl<T: fmt::Display> Serialize for Rendered<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self.0)
    }
}

impl ExplainSerialize for Decision {
    fn serialize_with<S: Serializer>(
        &self,
        serializer: S,
        explain: bool,
    ) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Decision", 6)?;
        s.serialize_field("encounter", &self.encounter)?;
        s.serialize_field("code", &self.code)?;
        s.serialize_field("line", &self.line)?;
        s.serialize_field("reasons", &self.reasons)?;
        if explain {
            s.serialize_field("rationale", &RenderedList(&self.reasons))?;
        }
        s.serialize_field("alternatives", &ExplainList(&self.alternatives, explain))?;
        s.end()
    }
}

impl Serialize for Decision {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ExplainSerialize::serialize_with(self, serializer, true)
    }
}

impl ExplainSerialize for Alternative {
    fn serialize_with<S: Serializer>(
        &self,
        serializer: S,
        explain: bool,
    ) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Alternative", 3)?;
        s.serialize_field("code", &self.code)?;
        s.serialize_field("why", &self.why)?;
        if explain {
            s.serialize_field("reason", &Rendered(&AlternativeText(self)))?;
        }
        s.end()
    }
}

impl Serialize for Alternative {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ExplainSerialize::serialize_with(self, serializer, true)
    }
}

struct RenderedList<'a, T: fmt::Display>(&'a [T]);

impl<T: fmt::Display> Serialize for RenderedList<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for item in self.0 {
            seq.serialize_element(&Rendered(item))?;
        }
        seq.end()
    }
}
