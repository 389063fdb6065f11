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
use crate::response::{Alternative, Claim, Decision, Line, Response};

/// The output of [`to_string`]: one vector that the serializer's full buffers are
/// appended to (the first is taken over whole, so a small response is not copied).
///
/// Memory: the vector grows by doubling. Capacity not yet written to is address space, not
/// resident memory, and glibc moves a large block's pages on `realloc` (`mremap`) without
/// copying them, so on Linux the resident output stays about its length. Where a `realloc`
/// copies, the old block and the new one are held together for a moment: at most twice the
/// output, as many chunks joined at the end would also need.
#[derive(Default)]
struct Output(Vec<u8>);

impl json::Sink for Output {
    fn take(&mut self, buf: &mut Vec<u8>) -> io::Result<()> {
        if self.0.is_empty() {
            std::mem::swap(&mut self.0, buf);
        } else {
            self.0.append(buf);
        }
        Ok(())
    }
}

/// Writes the response's JSON to `out` as it is serialized, in pieces of at most 64 KiB
/// (not flushed). The response is dropped as it is written, list element by list element.
pub(crate) fn write(response: Response, out: &mut dyn io::Write) -> Result<(), json::Error> {
    json::to_sink(&Draining::new(response), &mut json::Writer(out))
}

impl Response {
    /// The response's JSON, exactly as [`Engine::evaluate_json`](crate::Engine::evaluate_json)
    /// writes it: with its prose when `explain` is set, without when not. The same bytes as
    /// `serde_json::to_string(&response)`, written by the crate's own JSON writer (faster:
    /// no key or tag is escaped byte by byte).
    ///
    /// ```
    /// use h2024::Engine;
    /// let engine = Engine::default();
    /// let json = r#"{"explain": false, "encounters": []}"#;
    /// let response = engine.evaluate_json_to_response(json)?;
    /// assert_eq!(response.to_json(), engine.evaluate_json(json)?);
    /// assert_eq!(response.to_json(), serde_json::to_string(&response).unwrap());
    /// # Ok::<(), h2024::RequestError>(())
    /// ```
    pub fn to_json(&self) -> String {
        let mut output = Output::default();
        // Our types always serialize, and a vector takes every byte.
        match json::to_sink(self, &mut output) {
            Ok(()) => String::from_utf8(output.0).unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Writes [`Response::to_json`]'s bytes to `out` as they are serialized, 64 KiB at a
    /// time (`out` is not flushed).
    ///
    /// # Errors
    ///
    /// The first error `out` returns; the output is then incomplete.
    pub fn write_json<W: io::Write>(&self, mut out: W) -> io::Result<()> {
        json::to_sink(self, &mut json::Writer(&mut out)).map_err(|e| {
            e.into_io()
                .unwrap_or_else(|| io::Error::other("the response could not be serialized"))
        })
    }
}

/// The response's JSON as a string. The response is dropped as it is written, list element
/// by list element: the memory it gives back is there for the growing output, so that the
/// two are not both held whole at the end.
pub(crate) fn to_string(response: Response) -> Result<String, json::Error> {
    let mut output = Output::default();
    json::to_sink(&Draining::new(response), &mut output)?;
    let Output(mut bytes) = output;
    bytes.shrink_to_fit();
    // The serializer writes UTF-8 only.
    String::from_utf8(bytes).map_err(serde::ser::Error::custom)
}

impl Serialize for Response {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let lists = (
            &List::Borrowed(&self.lines),
            &List::Borrowed(&self.decisions),
            &List::Borrowed(&self.findings),
            &List::Borrowed(&self.claims),
        );
        serialize_response(self, lists, serializer)
    }
}

/// A response that gives up each list element once it is written. Serialized once: its
/// lists are empty afterwards.
struct Draining {
    /// The response without its lists (its top-level fields).
    head: Response,
    lines: List<'static, Line>,
    decisions: List<'static, Decision>,
    findings: List<'static, Finding>,
    claims: List<'static, Claim>,
}

impl Draining {
    fn new(mut response: Response) -> Draining {
        Draining {
            lines: List::drained(&mut response.lines),
            decisions: List::drained(&mut response.decisions),
            findings: List::drained(&mut response.findings),
            claims: List::drained(&mut response.claims),
            head: response,
        }
    }
}

impl Serialize for Draining {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let lists = (&self.lines, &self.decisions, &self.findings, &self.claims);
        serialize_response(&self.head, lists, serializer)
    }
}

/// A response's lines, decisions, findings and claims, as they are written.
type Lists<'l, 'a> = (
    &'l List<'a, Line>,
    &'l List<'a, Decision>,
    &'l List<'a, Finding>,
    &'l List<'a, Claim>,
);

/// The response's JSON: its top-level fields from `head`, its lists from `lists`, in the
/// response's field order.
fn serialize_response<S: Serializer>(
    head: &Response,
    (lines, decisions, findings, claims): Lists<'_, '_>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let scratch = RefCell::new(String::with_capacity(256));
    let prose = Prose(head.explain.then_some(&scratch));
    let mut s = serializer.serialize_struct("Response", 7)?;
    s.serialize_field("schema_version", &head.schema_version)?;
    s.serialize_field("policy", &head.policy)?;
    s.serialize_field("explain", &head.explain)?;
    s.serialize_field("lines", &Plain(lines))?;
    s.serialize_field("decisions", &ExplainList(decisions, prose))?;
    s.serialize_field("findings", &ExplainList(findings, prose))?;
    s.serialize_field("claims", &Plain(claims))?;
    s.end()
}

/// A list of the response as it is written: borrowed, or owned and drained (each element
/// dropped once written).
enum List<'a, T> {
    Borrowed(&'a [T]),
    Drained(RefCell<std::vec::IntoIter<T>>),
}

impl<T> List<'_, T> {
    /// The elements of `list`, taken out of it, to be drained.
    fn drained(list: &mut Vec<T>) -> Self {
        List::Drained(RefCell::new(std::mem::take(list).into_iter()))
    }

    fn len(&self) -> usize {
        match self {
            List::Borrowed(items) => items.len(),
            List::Drained(items) => items.borrow().len(),
        }
    }

    /// Calls `f` on each element, in order.
    fn each<E>(&self, mut f: impl FnMut(&T) -> Result<(), E>) -> Result<(), E> {
        match self {
            List::Borrowed(items) => items.iter().try_for_each(f),
            List::Drained(items) => {
                let mut items = items.borrow_mut();
                items.try_for_each(|item| f(&item))
            }
        }
    }
}

/// A list written as a JSON array of its elements' own JSON.
struct Plain<'l, 'a, T>(&'l List<'a, T>);

impl<T: Serialize> Serialize for Plain<'_, '_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        self.0.each(|item| seq.serialize_element(item))?;
        seq.end()
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

/// A list written as a JSON array, each element explained or not.
struct ExplainList<'l, 'a, T>(&'l List<'a, T>, Prose<'l>);

impl<T: ExplainSerialize> Serialize for ExplainList<'_, '_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        self.0
            .each(|item| seq.serialize_element(&Explained(item, self.1)))?;
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
        let alternatives = List::Borrowed(&self.alternatives);
        s.serialize_field("alternatives", &ExplainList(&alternatives, prose))?;
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
