//! Errors for documents refused as a whole: a request ([`RequestError`]) or a policy
//! ([`PolicyError`]).
//!
//! Messages name the field (as a JSON path such as `encounters[3].start`), never its value:
//! a request carries patient data, and an error message ends up in logs.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::strict::{Failure, join_path};

/// What kind of problem refused a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PolicyErrorKind {
    /// The text is not JSON, or not of the policy shape (an array of policy objects).
    InvalidJson,
    /// A field is unknown, of the wrong type, or holds a value the policy format refuses.
    InvalidValue,
    /// A field that a policy without `extends` must give is missing.
    MissingField,
    /// `extends` names no built-in or earlier policy.
    UnknownBase,
    /// Two policies share an id, or a policy reuses a built-in's id.
    DuplicateId,
}

/// A policy that cannot be used, with the path of the field at fault.
///
/// ```
/// use h2024::{Engine, PolicyErrorKind};
/// let err = Engine::from_policies_json(
///     r#"[{"id": "ny", "extends": "medicaid", "units": {"H2014": {"rule": "round_down"}}}]"#,
/// ).unwrap_err();
/// assert_eq!(err.kind(), PolicyErrorKind::InvalidValue);
/// assert_eq!(err.path(), "[0].units.H2014.rule");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct PolicyError {
    kind: PolicyErrorKind,
    message: String,
    path: String,
}

impl PolicyError {
    pub(crate) fn new(
        kind: PolicyErrorKind,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        PolicyError {
            kind,
            message: message.into(),
            path: path.into(),
        }
    }

    /// A policy document that could not be read (see [`crate::strict`]).
    pub(crate) fn from_failure(prefix: &str, failure: Failure) -> Self {
        PolicyError {
            kind: if failure.syntax {
                PolicyErrorKind::InvalidJson
            } else {
                PolicyErrorKind::InvalidValue
            },
            message: failure.message,
            path: join_path(prefix, &failure.path),
        }
    }

    pub(crate) fn prefixed(mut self, prefix: &str) -> Self {
        self.path = join_path(prefix, &self.path);
        self
    }

    /// What kind of problem it is.
    pub fn kind(&self) -> PolicyErrorKind {
        self.kind
    }

    /// What is wrong, without the offending value.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The JSON path of the field at fault (`[0].units.H2014.rule`; empty for the whole
    /// document).
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "invalid policy: {}", self.message)
        } else {
            write!(f, "invalid policy at `{}`: {}", self.path, self.message)
        }
    }
}

/// What kind of problem refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RequestErrorKind {
    /// The text is not JSON.
    InvalidJson,
    /// JSON, but not of the request's top-level shape (or a patient or provider is malformed).
    InvalidRequest,
    /// `policy` names no built-in or loaded policy.
    UnknownPolicy,
    /// The inline `policy` object is not a valid policy.
    InvalidPolicy,
    /// The document is larger than [`MAX_REQUEST_BYTES`](crate::MAX_REQUEST_BYTES).
    TooLarge,
}

impl RequestErrorKind {
    /// The snake_case name used in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            RequestErrorKind::InvalidJson => "invalid_json",
            RequestErrorKind::InvalidRequest => "invalid_request",
            RequestErrorKind::UnknownPolicy => "unknown_policy",
            RequestErrorKind::InvalidPolicy => "invalid_policy",
            RequestErrorKind::TooLarge => "too_large",
        }
    }
}

/// A request refused as a whole.
///
/// As JSON (what [`Engine::evaluate_json`](crate::Engine::evaluate_json) callers print):
/// `{"error": {"kind": "invalid_request", "message": "...", "path": "patients[0].id"}}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RequestError {
    kind: RequestErrorKind,
    message: String,
    path: Option<String>,
}

impl RequestError {
    pub(crate) fn new(
        kind: RequestErrorKind,
        path: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        RequestError {
            kind,
            message: message.into(),
            path,
        }
    }

    /// A request document that could not be read (see [`crate::strict`]).
    pub(crate) fn from_failure(failure: Failure) -> Self {
        let Failure {
            path,
            message,
            syntax,
        } = failure;
        RequestError {
            kind: if syntax {
                RequestErrorKind::InvalidJson
            } else if path == "policy" || path.starts_with("policy.") {
                RequestErrorKind::InvalidPolicy
            } else {
                RequestErrorKind::InvalidRequest
            },
            message,
            path: (!path.is_empty()).then_some(path),
        }
    }

    pub(crate) fn from_policy(err: PolicyError) -> Self {
        let kind = match err.kind {
            PolicyErrorKind::UnknownBase => RequestErrorKind::UnknownPolicy,
            _ => RequestErrorKind::InvalidPolicy,
        };
        RequestError {
            kind,
            message: err.message,
            path: Some(join_path("policy", &err.path)),
        }
    }

    /// What kind of problem it is.
    pub fn kind(&self) -> RequestErrorKind {
        self.kind
    }

    /// What is wrong, without the offending value.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The JSON path of the field at fault, when one field is at fault.
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// The error as the JSON document `{"error": {"kind", "message", "path"}}`.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Body<'a> {
            kind: RequestErrorKind,
            message: &'a str,
            path: Option<&'a str>,
        }
        #[derive(Serialize)]
        struct Doc<'a> {
            error: Body<'a>,
        }
        let doc = Doc {
            error: Body {
                kind: self.kind,
                message: &self.message,
                path: self.path.as_deref(),
            },
        };
        serde_json::to_string(&doc).unwrap_or_else(|_| {
            r#"{"error":{"kind":"invalid_request","message":"unserializable error","path":null}}"#
                .to_owned()
        })
    }
}

impl Serialize for RequestError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("RequestError", 3)?;
        s.serialize_field("kind", &self.kind)?;
        s.serialize_field("message", &self.message)?;
        s.serialize_field("path", &self.path)?;
        s.end()
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) => write!(f, "request refused at `{path}`: {}", self.message),
            None => write!(f, "request refused: {}", self.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_error_json_shape() {
        let err = RequestError::new(
            RequestErrorKind::UnknownPolicy,
            Some("policy".into()),
            "no such policy",
        );
        let v: serde_json::Value = serde_json::from_str(&err.to_json()).unwrap();
        assert_eq!(v["error"]["kind"], "unknown_policy");
        assert_eq!(v["error"]["path"], "policy");
        assert_eq!(v["error"]["message"], "no such policy");
    }

    #[test]
    fn inline_policy_failures_are_invalid_policy() {
        let failure = |path: &str| Failure {
            path: path.to_owned(),
            message: "unknown field".to_owned(),
            syntax: false,
        };
        let kind = |path: &str| RequestError::from_failure(failure(path)).kind();
        assert_eq!(kind("policy"), RequestErrorKind::InvalidPolicy);
        assert_eq!(kind("policy.units"), RequestErrorKind::InvalidPolicy);
        assert_eq!(kind("policies"), RequestErrorKind::InvalidRequest);
        assert_eq!(kind("patients[0]"), RequestErrorKind::InvalidRequest);
    }
}
