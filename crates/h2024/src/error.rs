//! Errors for documents refused as a whole: a request ([`RequestError`]) or a policy
//! ([`PolicyError`]).
//!
//! Messages name the field (as a JSON path such as `encounters[3].start`), never its value:
//! a request carries patient data, and an error message ends up in logs.

use std::fmt;

use serde::{Serialize, Serializer};

/// What kind of problem refused a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
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
///     r#"[{"id": "ny", "extends": "medicaid", "units": {"H2014": {"rule": "round_up"}}}]"#,
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

    pub(crate) fn from_serde(
        prefix: &str,
        err: serde_path_to_error::Error<serde_json::Error>,
    ) -> Self {
        let (path, message, syntax) = describe_serde_error(&err);
        PolicyError {
            kind: if syntax {
                PolicyErrorKind::InvalidJson
            } else {
                PolicyErrorKind::InvalidValue
            },
            message,
            path: join_path(prefix, &path),
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
#[serde(rename_all = "snake_case")]
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

    pub(crate) fn from_serde(err: serde_path_to_error::Error<serde_json::Error>) -> Self {
        let (path, message, syntax) = describe_serde_error(&err);
        RequestError {
            kind: if syntax {
                RequestErrorKind::InvalidJson
            } else if path.starts_with("policy.") {
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

pub(crate) fn join_path(prefix: &str, path: &str) -> String {
    match (prefix.is_empty(), path.is_empty()) {
        (true, _) => path.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) if path.starts_with('[') => format!("{prefix}{path}"),
        (false, false) => format!("{prefix}.{path}"),
    }
}

/// Turns a serde error into (path, message, is_syntax) without echoing any input value.
///
/// serde's own messages quote the offending value (`invalid type: string "…", expected
/// u32`); those parts are cut, keeping only what was expected. Field names (unknown,
/// missing, duplicate) are kept when they look like identifiers, since they are part of the
/// path.
pub(crate) fn describe_serde_error(
    err: &serde_path_to_error::Error<serde_json::Error>,
) -> (String, String, bool) {
    let inner = err.inner();
    let mut path = String::new();
    for segment in err.path().iter() {
        use serde_path_to_error::Segment;
        let part = match segment {
            Segment::Seq { index } => {
                path.push_str(&format!("[{index}]"));
                continue;
            }
            Segment::Map { key } if is_identifier(key) => key.as_str(),
            Segment::Enum { variant } if is_identifier(variant) => variant.as_str(),
            Segment::Map { .. } | Segment::Enum { .. } => "<key>",
            Segment::Unknown => "?",
        };
        path = join_path(&path, part);
    }
    if inner.is_syntax() || inner.is_eof() || inner.is_io() {
        let what = if inner.is_eof() {
            "unexpected end of input"
        } else {
            "not valid JSON"
        };
        return (
            String::new(),
            format!("{what} at line {}, column {}", inner.line(), inner.column()),
            true,
        );
    }
    let full = inner.to_string();
    let text = match full.rfind(" at line ") {
        Some(i) => &full[..i],
        None => full.as_str(),
    };
    let expected = |t: &str| {
        t.rfind(", expected ")
            .map(|i| t[i + 2..].to_owned())
            .unwrap_or_else(|| "invalid value".to_owned())
    };
    let named = |t: &str, prefix: &str| -> Option<String> {
        let rest = t.strip_prefix(prefix)?;
        let name = rest.split('`').next()?;
        Some(if is_identifier(name) {
            name.to_owned()
        } else {
            String::new()
        })
    };
    let name_in_path = |name: String, path: &mut String| {
        let ends_with_name = path == &name || path.ends_with(&format!(".{name}"));
        if !name.is_empty() && !ends_with_name {
            *path = join_path(path, &name);
        }
    };
    let message = if let Some(name) = named(text, "unknown field `") {
        name_in_path(name, &mut path);
        "unknown field".to_owned()
    } else if let Some(name) = named(text, "missing field `") {
        name_in_path(name, &mut path);
        "missing field".to_owned()
    } else if let Some(name) = named(text, "duplicate field `") {
        name_in_path(name, &mut path);
        "field given twice".to_owned()
    } else if text.starts_with("invalid type") {
        format!("wrong type: {}", expected(text))
    } else if text.starts_with("invalid value") || text.starts_with("unknown variant") {
        format!("invalid value: {}", expected(text))
    } else if text.starts_with("invalid length") {
        text.to_owned()
    } else if text.contains(['"', '`', '\'']) {
        "invalid value".to_owned()
    } else {
        // Our own types' messages and chrono's parse errors never quote the input.
        format!("invalid value: {text}")
    };
    (path, message, false)
}

/// A field name or map key that may appear in a path: a lower-case snake_case name of at
/// most 40 characters (every field name of the format is one), or one of the codes (the
/// keys of a policy's `units`). Anything else is replaced, since a key could carry data.
fn is_identifier(name: &str) -> bool {
    let snake = !name.is_empty()
        && name.len() <= 40
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    snake || name.parse::<crate::Code>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn describe<T: serde::de::DeserializeOwned>(json: &str) -> (String, String, bool) {
        let mut de = serde_json::Deserializer::from_str(json);
        let err = serde_path_to_error::deserialize::<_, T>(&mut de)
            .err()
            .unwrap();
        describe_serde_error(&err)
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        name: u32,
        when: Option<chrono::NaiveDate>,
        items: Option<Vec<Sample>>,
    }

    #[test]
    fn values_are_never_echoed() {
        let (path, message, _) = describe::<Sample>(r#"{"name": "Jane Doe"}"#);
        assert_eq!(path, "name");
        assert!(!message.contains("Jane"), "{message}");
        assert!(message.contains("u32"), "{message}");
        let (path, message, _) = describe::<Sample>(r#"{"name": 1, "when": "1961-13-45"}"#);
        assert_eq!(path, "when");
        assert!(!message.contains("1961"), "{message}");
    }

    #[test]
    fn unknown_and_missing_fields_are_named_in_the_path() {
        let (path, message, _) =
            describe::<Sample>(r#"{"name": 1, "items": [{"name": 2, "ssn": 1}]}"#);
        assert_eq!(path, "items[0].ssn");
        assert_eq!(message, "unknown field");
        let (path, message, _) = describe::<Sample>(r#"{"items": []}"#);
        assert_eq!(path, "name");
        assert_eq!(message, "missing field");
        let (path, message, _) = describe::<Sample>(r#"{"name": 1, "Jane Doe": 1}"#);
        assert!(
            !path.contains("Jane") && !message.contains("Jane"),
            "{path} {message}"
        );
    }

    #[test]
    fn syntax_errors_give_a_position() {
        let (path, message, syntax) = describe::<Sample>(r#"{"name": 1,"#);
        assert!(syntax);
        assert!(path.is_empty());
        assert!(message.contains("line 1"), "{message}");
    }

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
}
