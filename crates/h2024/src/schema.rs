//! JSON Schema (draft 2020-12) of the request, the response and a policy, generated from the
//! Rust types with `schemars` (feature `schema`; README, "JSON Schema").
//!
//! The repository commits the three documents as `schema/request.schema.json`,
//! `schema/response.schema.json` and `schema/policy.schema.json`; a test fails when they
//! differ from what this module generates (`H2024_BLESS=1 cargo test -p h2024 --test schema`
//! rewrites them), and another validates every example request, policy and response of the
//! repository against them.
//!
//! - The **request** and **policy** schemas describe what the engine reads (serde's
//!   deserializing side: a field with a default may be left out).
//! - The **response** schema describes what the engine writes: every field always present,
//!   `null` where it has no value, and the prose (`rationale` of a decision, `reason` of an
//!   alternative, `message` of a finding) in every decision, alternative and finding of an
//!   explained response and in none of a compact one.
//!
//! Codes and modifiers are given in upper case, as the engine writes them; the engine also
//! reads them in lower case. The schemas describe the shape of a document; the engine checks
//! more (ids that must match, dates in order, list lengths, ...), each refusal naming its
//! path (README, "Errors").
//!
//! ```
//! use h2024::schema::Document;
//! let schema = Document::Request.schema();
//! assert_eq!(schema["title"], "Request");
//! assert_eq!(Document::Response.file_name(), "response.schema.json");
//! ```

use std::fmt;
use std::str::FromStr;

use schemars::generate::SchemaSettings;
use schemars::{Schema, json_schema};
use serde_json::Value;

use crate::policy::PolicySpec;
use crate::request::Request;
use crate::response::Response;

/// One of the three schema documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Document {
    /// A request (`Engine::evaluate_json`'s input), with its inline policy if any.
    Request,
    /// A response, explained or compact (`Engine::evaluate_json`'s output).
    Response,
    /// One policy object (a policies document is an array of them).
    Policy,
}

impl Document {
    /// The three documents, in this order.
    pub const ALL: [Document; 3] = [Document::Request, Document::Response, Document::Policy];

    /// The document's name: `request`, `response` or `policy`.
    pub const fn name(self) -> &'static str {
        match self {
            Document::Request => "request",
            Document::Response => "response",
            Document::Policy => "policy",
        }
    }

    /// The file the repository commits it as, under `schema/`: `request.schema.json`, ...
    pub const fn file_name(self) -> &'static str {
        match self {
            Document::Request => "request.schema.json",
            Document::Response => "response.schema.json",
            Document::Policy => "policy.schema.json",
        }
    }

    /// The schema, generated from the types.
    pub fn schema(self) -> Value {
        let mut schema = match self {
            Document::Request => SchemaSettings::draft2020_12()
                .for_deserialize()
                .into_generator()
                .into_root_schema_for::<Request>(),
            Document::Response => SchemaSettings::draft2020_12()
                .for_serialize()
                .into_generator()
                .into_root_schema_for::<Response>(),
            Document::Policy => policy_root(),
        }
        .to_value();
        tidy_descriptions(&mut schema);
        schema
    }

    /// The schema as the repository commits it: pretty-printed JSON ending in a newline.
    pub fn to_json(self) -> String {
        // A `Value` always serializes.
        let mut text = serde_json::to_string_pretty(&self.schema()).unwrap_or_default();
        text.push('\n');
        text
    }
}

impl fmt::Display for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error for a name that is not `request`, `response` or `policy`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected one of request, response, policy")]
pub struct UnknownDocument;

impl FromStr for Document {
    type Err = UnknownDocument;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Document::ALL
            .into_iter()
            .find(|d| d.name() == s)
            .ok_or(UnknownDocument)
    }
}

/// The policy schema: a policy object as loaded (`id` required), whose `versions` are
/// policy objects without one.
fn policy_root() -> Schema {
    let mut generator = SchemaSettings::draft2020_12()
        .for_deserialize()
        .into_generator();
    let spec = generator.subschema_for::<PolicySpec>();
    let definitions = generator.take_definitions(true);
    let mut root = json_schema!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Policy",
        "description": "A payer policy as loaded by `Engine::from_policies_json` (an array of these) or `--policies`: the fields of `PolicySpec`, with `id` required. A request's inline policy may leave `id` out (README, \"Your own policies\").",
        "required": ["id"],
    });
    if let Some(reference) = spec.get("$ref") {
        root.insert("$ref".to_owned(), reference.clone());
    }
    root.insert("$defs".to_owned(), Value::Object(definitions));
    root
}

/// Rust intra-doc links (``[`Name`]`` and ``[`Name`](path)``) read as plain code in a schema's
/// descriptions.
fn tidy_descriptions(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                match item {
                    Value::String(text) if key == "description" => *text = description(text),
                    _ => tidy_descriptions(item),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(tidy_descriptions),
        _ => {}
    }
}

/// A doc comment as a description: ``[`X`]`` and ``[`X`](target)`` become `` `X` ``, Rust's
/// `` `None` `` is JSON's `` `null` ``, and the lines of a paragraph are joined (list items
/// keep their own line).
fn description(text: &str) -> String {
    let text = plain_links(text).replace("`None`", "`null`");
    let mut out = String::with_capacity(text.len());
    for (i, paragraph) in text.split("\n\n").enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        for (j, line) in paragraph.lines().enumerate() {
            if j > 0 {
                out.push(if line.starts_with("- ") { '\n' } else { ' ' });
            }
            out.push_str(line);
        }
    }
    out
}

/// ``[`X`]`` and ``[`X`](target)`` become `` `X` ``; other text is kept.
fn plain_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("[`") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let Some(close) = after.find("`]") else {
            out.push_str(&rest[at..]);
            return out;
        };
        // The code span, backticks included.
        out.push_str(&after[..close + 1]);
        rest = &after[close + 2..];
        if rest.starts_with('(') {
            if let Some(end) = rest.find(')') {
                rest = &rest[end + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_read_as_code() {
        assert_eq!(
            plain_links("see [`A`] and [`B`](crate::B)."),
            "see `A` and `B`."
        );
        assert_eq!(plain_links("[`open"), "[`open");
        assert_eq!(plain_links("no link"), "no link");
    }

    #[test]
    fn descriptions_read_as_prose() {
        assert_eq!(
            description("The code; `None` when\nthere is none.\n\nList:\n- one\n- two"),
            "The code; `null` when there is none.\n\nList:\n- one\n- two"
        );
    }

    #[test]
    fn names_round_trip() {
        for doc in Document::ALL {
            assert_eq!(doc.name().parse::<Document>(), Ok(doc));
        }
        assert!("requests".parse::<Document>().is_err());
    }
}
