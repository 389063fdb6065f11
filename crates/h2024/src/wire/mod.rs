//! The JSON of a response: what is written, and the prose that goes with it only when the
//! response is explained (`explain: true`). The prose itself comes from
//! [`explain`](crate::explain); this module only decides where it goes. The bytes are
//! written by [`json`], our own compact JSON serializer (serde_json's output, faster).

mod json;

use std::cell::RefCell;
use std::fmt::{self, Write as _};
use std::io;

use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use crate::explain::AlternativeText;
use crate::findings::Finding;
use crate::response::{Alternative, Decision, Response};

/// Output collected in chunks of at most 64 KiB, then copied once into a string of the
/// exact size: at most twice the response in memory, where a growing string can hold three
/// times it while it reallocates. A response of one chunk is not copied: its chunk is
/// shrunk to size.
#[derive(Default)]
struct Chunks {
    full: Vec<Vec<u8>>,
    len: usize,
}

impl json::Sink for Chunks {
    fn take(&mut self, buf: &mut Vec<u8>) -> io::Result<()> {
        self.len += buf.len();
        self.full.push(std::mem::take(buf));
        Ok(())
    }
}

impl Chunks {
    fn concat(mut self) -> Vec<u8> {
        if self.full.len() <= 1 {
            let mut only = self.full.pop().unwrap_or_default();
            only.shrink_to_fit();
            return only;
        }
        let mut out = Vec::with_capacity(self.len);
        for chunk in self.full {
            out.extend_from_slice(&chunk);
        }
        out
    }
}

/// Writes the response's JSON to `out` as it is serialized, in pieces of at most 64 KiB
/// (not flushed).
pub(crate) fn write(response: &Response, out: &mut dyn io::Write) -> Result<(), json::Error> {
    json::to_sink(response, &mut json::Writer(out))
}

/// The response's JSON as a string; the response is dropped once written.
pub(crate) fn to_string(response: Response) -> Result<String, json::Error> {
    let mut chunks = Chunks::default();
    json::to_sink(&response, &mut chunks)?;
    drop(response);
    // The serializer writes UTF-8 only.
    String::from_utf8(chunks.concat()).map_err(serde::ser::Error::custom)
}

impl Serialize for Response {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let scratch = RefCell::new(String::with_capacity(256));
        let prose = Prose(self.explain.then_some(&scratch));
        let mut s = serializer.serialize_struct("Response", 7)?;
        s.serialize_field("schema_version", &self.schema_version)?;
        s.serialize_field("policy", &self.policy)?;
        s.serialize_field("explain", &self.explain)?;
        s.serialize_field("lines", &self.lines)?;
        s.serialize_field("decisions", &ExplainList(&self.decisions, prose))?;
        s.serialize_field("findings", &ExplainList(&self.findings, prose))?;
        s.serialize_field("claims", &self.claims)?;
        s.end()
    }
}

/// Whether prose is written, and the buffer it is rendered into: one per response, so that
/// each sentence is rendered with one allocation-free pass and escaped once.
#[derive(Clone, Copy)]
struct Prose<'a>(Option<&'a RefCell<String>>);

/// A value whose JSON depends on whether the response is explained.
trait ExplainSerialize {
    /// Serializes the value, with its prose only when `prose` holds a buffer.
    fn serialize_with<S: Serializer>(
        &self,
        serializer: S,
        prose: Prose<'_>,
    ) -> Result<S::Ok, S::Error>;

    /// Serializes the value with its prose, on its own.
    fn serialize_explained<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let scratch = RefCell::new(String::new());
        self.serialize_with(serializer, Prose(Some(&scratch)))
    }
}

/// A slice serialized as a JSON array, each element explained or not.
struct ExplainList<'a, T>(&'a [T], Prose<'a>);

impl<T: ExplainSerialize> Serialize for ExplainList<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for item in self.0 {
            seq.serialize_element(&Explained(item, self.1))?;
        }
        seq.end()
    }
}

struct Explained<'a, T>(&'a T, Prose<'a>);

impl<T: ExplainSerialize> Serialize for Explained<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize_with(serializer, self.1)
    }
}

impl Serialize for Finding {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.serialize_explained(serializer)
    }
}

impl ExplainSerialize for Finding {
    fn serialize_with<S: Serializer>(
        &self,
        serializer: S,
        prose: Prose<'_>,
    ) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Finding", 8)?;
        s.serialize_field("rule", &self.rule)?;
        s.serialize_field("severity", &self.severity)?;
        s.serialize_field("carc", &self.carc)?;
        s.serialize_field("encounter", &self.encounter)?;
        s.serialize_field("line", &self.line)?;
        s.serialize_field("element", &self.element)?;
        s.serialize_field("data", &self.data)?;
        if let Prose(Some(scratch)) = prose {
            s.serialize_field("message", &Rendered(&self.data, scratch))?;
        }
        s.end()
    }
}

/// Serializes a value's `Display` as a JSON string, rendered into the response's buffer.
struct Rendered<'a, T: fmt::Display>(&'a T, &'a RefCell<String>);

impl<T: fmt::Display> Serialize for Rendered<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut text = self.1.borrow_mut();
        text.clear();
        write!(text, "{}", self.0).map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&text)
    }
}

impl ExplainSerialize for Decision {
    fn serialize_with<S: Serializer>(
        &self,
        serializer: S,
        prose: Prose<'_>,
    ) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Decision", 7)?;
        s.serialize_field("encounter", &self.encounter)?;
        s.serialize_field("code", &self.code)?;
        s.serialize_field("line", &self.line)?;
        s.serialize_field("policy_version", &self.policy_version)?;
        s.serialize_field("reasons", &self.reasons)?;
        if let Prose(Some(scratch)) = prose {
            s.serialize_field("rationale", &RenderedList(&self.reasons, scratch))?;
        }
        s.serialize_field("alternatives", &ExplainList(&self.alternatives, prose))?;
        s.end()
    }
}

impl Serialize for Decision {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.serialize_explained(serializer)
    }
}

impl ExplainSerialize for Alternative {
    fn serialize_with<S: Serializer>(
        &self,
        serializer: S,
        prose: Prose<'_>,
    ) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Alternative", 3)?;
        s.serialize_field("code", &self.code)?;
        s.serialize_field("why", &self.why)?;
        if let Prose(Some(scratch)) = prose {
            s.serialize_field("reason", &Rendered(&AlternativeText(self), scratch))?;
        }
        s.end()
    }
}

impl Serialize for Alternative {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.serialize_explained(serializer)
    }
}

struct RenderedList<'a, T: fmt::Display>(&'a [T], &'a RefCell<String>);

impl<T: fmt::Display> Serialize for RenderedList<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for item in self.0 {
            seq.serialize_element(&Rendered(item, self.1))?;
        }
        seq.end()
    }
}
