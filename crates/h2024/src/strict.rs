//! Strict reading of request and policy documents (README, "Errors").
//!
//! [`Strict`] wraps a `serde_json` deserializer and changes two things, at every depth of
//! the document:
//!
//! - **Objects only.** `serde`'s derived `Deserialize` reads a struct from a JSON object or
//!   from a positional array (`["e1", "p1", ...]`). A request or a policy never means the
//!   array form, and positional data is easy to misread, so wherever a struct is expected
//!   only an object is accepted ([`Problem::NotAnObject`]). The derived code is untouched:
//!   [`Strict`] answers its `deserialize_struct` call with `deserialize_any` and refuses
//!   anything but a map.
//! - **Errors classified when raised.** The derived code and the types it reads raise errors
//!   through the `serde::de::Error` constructors (`unknown_field`, `missing_field`,
//!   `invalid_type`, ...). Here the error type is [`Error`], whose constructors keep only
//!   the kind of problem and the names the format itself defines (field and variant names),
//!   never the input value. Errors raised by `serde_json` itself (not JSON, unexpected end,
//!   a token of the wrong kind) are kept as they are and classified with
//!   `serde_json::Error::classify`. No message text is ever read.
//!
//! The derived code sees [`Error`] as its error type, but `serde_json`, which calls back
//! into it, needs its own: where an [`Error`] of ours crosses back into `serde_json`, its
//! [`Problem`] is parked in a slot shared by every layer, and picked up again when the error
//! comes out of `serde_json`.
//!
//! The wrapper only forwards otherwise. Its cost, measured when it was written: reading a
//! typical documented encounter takes about 11% more instructions than `serde_json` alone
//! (callgrind, 20,000 encounters), which is about
//! 2% of a whole `Engine::evaluate_json` of 5,000 encounters.

use std::cell::Cell;
use std::fmt;

use serde::Deserialize;
use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};
use serde_json::error::Category;

/// What is wrong with a value, as far as the format can say without quoting it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Problem {
    /// An array, string, number, `true`/`false` or `null` where an object is expected.
    NotAnObject,
    /// An object key that is not a field of the object; the fields it may have.
    UnknownField(&'static [&'static str]),
    /// A required field is missing.
    MissingField(&'static str),
    /// A field is given twice.
    DuplicateField(&'static str),
    /// A name (an enum value or a map key) outside the ones the format knows.
    UnknownName(&'static [&'static str]),
    /// A value of the wrong JSON type.
    WrongType,
    /// A value of the right type that the field does not accept.
    InvalidValue,
    /// A list of the wrong length.
    WrongLength,
}

/// A problem, and whether it is in a map key rather than a value. A key that cannot be
/// read is input text: the path then stops at the map that holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fault {
    problem: Problem,
    in_key: bool,
}

impl From<Problem> for Fault {
    fn from(problem: Problem) -> Self {
        Fault {
            problem,
            in_key: false,
        }
    }
}

type Slot = Cell<Option<Fault>>;

/// The error type the derived code sees: a problem of ours, or an error of the wrapped
/// deserializer passed through unchanged.
#[derive(Debug)]
pub(crate) enum Error<E> {
    /// Raised by the derived code or a type it reads.
    Ours(Fault),
    /// Raised by the wrapped deserializer.
    Inner(E),
}

impl<E> Error<E> {
    fn ours(problem: Problem) -> Self {
        Error::Ours(problem.into())
    }

    /// The same error, raised while reading a map key.
    fn in_key(self) -> Self {
        match self {
            Error::Ours(fault) => Error::Ours(Fault {
                in_key: true,
                ..fault
            }),
            inner => inner,
        }
    }
}

impl<E> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Ours(fault) => f.write_str(problem_message(fault.problem)),
            Error::Inner(_) => f.write_str("not valid JSON, or a value of the wrong type"),
        }
    }
}

impl<E: fmt::Debug> std::error::Error for Error<E> {}

impl<E: fmt::Debug> de::Error for Error<E> {
    fn custom<T: fmt::Display>(_message: T) -> Self {
        // Raised by a type's own parser (a code, a modifier, a date); its text may quote the
        // input, so only the kind is kept.
        Error::ours(Problem::InvalidValue)
    }

    fn invalid_type(_: de::Unexpected<'_>, _: &dyn de::Expected) -> Self {
        Error::ours(Problem::WrongType)
    }

    fn invalid_value(_: de::Unexpected<'_>, _: &dyn de::Expected) -> Self {
        Error::ours(Problem::InvalidValue)
    }

    fn invalid_length(_: usize, _: &dyn de::Expected) -> Self {
        Error::ours(Problem::WrongLength)
    }

    fn unknown_variant(_: &str, expected: &'static [&'static str]) -> Self {
        Error::ours(Problem::UnknownName(expected))
    }

    fn unknown_field(_: &str, expected: &'static [&'static str]) -> Self {
        Error::ours(Problem::UnknownField(expected))
    }

    fn missing_field(field: &'static str) -> Self {
        Error::ours(Problem::MissingField(field))
    }

    fn duplicate_field(field: &'static str) -> Self {
        Error::ours(Problem::DuplicateField(field))
    }
}

/// An error leaving our code for the wrapped deserializer's: a problem of ours is parked.
fn outbound<E: de::Error>(slot: &Slot, err: Error<E>) -> E {
    match err {
        Error::Inner(e) => e,
        Error::Ours(fault) => {
            slot.set(Some(fault));
            E::custom("see the parked problem")
        }
    }
}

/// An error coming out of the wrapped deserializer: a parked problem is picked up.
fn inbound<E>(slot: &Slot, err: E) -> Error<E> {
    match slot.take() {
        Some(fault) => Error::Ours(fault),
        None => Error::Inner(err),
    }
}

/// A deserializer that reads structs from objects only and classifies errors (see the
/// module documentation).
pub(crate) struct Strict<'s, D> {
    de: D,
    slot: &'s Slot,
}

impl<'s, D> Strict<'s, D> {
    fn new(de: D, slot: &'s Slot) -> Self {
        Strict { de, slot }
    }
}

macro_rules! forward_deserialize {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
            let slot = self.slot;
            self.de.$method(Wrap::new(visitor, slot)).map_err(|e| inbound(slot, e))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Strict<'_, D> {
    type Error = Error<D::Error>;

    forward_deserialize! {
        deserialize_any deserialize_bool
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128
        deserialize_f32 deserialize_f64 deserialize_char deserialize_str deserialize_string
        deserialize_bytes deserialize_byte_buf deserialize_option deserialize_unit
        deserialize_seq deserialize_map deserialize_identifier deserialize_ignored_any
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        let slot = self.slot;
        self.de
            .deserialize_unit_struct(name, Wrap::new(visitor, slot))
            .map_err(|e| inbound(slot, e))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        let slot = self.slot;
        self.de
            .deserialize_newtype_struct(name, Wrap::new(visitor, slot))
            .map_err(|e| inbound(slot, e))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        let slot = self.slot;
        self.de
            .deserialize_tuple(len, Wrap::new(visitor, slot))
            .map_err(|e| inbound(slot, e))
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        let slot = self.slot;
        self.de
            .deserialize_tuple_struct(name, len, Wrap::new(visitor, slot))
            .map_err(|e| inbound(slot, e))
    }

    /// Objects only: the visitor is offered a map and nothing else.
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        let slot = self.slot;
        self.de
            .deserialize_any(Wrap::object_only(visitor, slot))
            .map_err(|e| inbound(slot, e))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        let slot = self.slot;
        self.de
            .deserialize_enum(name, variants, Wrap::new(visitor, slot))
            .map_err(|e| inbound(slot, e))
    }

    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }
}

/// A visitor handed to the wrapped deserializer: it hands our wrappers on to the visitor
/// it wraps, and refuses everything but a map when a struct is expected.
struct Wrap<'s, V> {
    visitor: V,
    slot: &'s Slot,
    object_only: bool,
}

impl<'s, V> Wrap<'s, V> {
    fn new(visitor: V, slot: &'s Slot) -> Self {
        Wrap {
            visitor,
            slot,
            object_only: false,
        }
    }

    fn object_only(visitor: V, slot: &'s Slot) -> Self {
        Wrap {
            visitor,
            slot,
            object_only: true,
        }
    }

    fn not_an_object<E: de::Error>(&self) -> E {
        outbound(self.slot, Error::<E>::ours(Problem::NotAnObject))
    }
}

macro_rules! forward_visit {
    ($($method:ident($ty:ty))*) => {$(
        fn $method<E: de::Error>(self, v: $ty) -> Result<Self::Value, E> {
            if self.object_only {
                return Err(self.not_an_object());
            }
            let slot = self.slot;
            self.visitor.$method(v).map_err(|e| outbound(slot, e))
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.object_only {
            f.write_str("an object")
        } else {
            self.visitor.expecting(f)
        }
    }

    forward_visit! {
        visit_bool(bool)
        visit_i8(i8) visit_i16(i16) visit_i32(i32) visit_i64(i64) visit_i128(i128)
        visit_u8(u8) visit_u16(u16) visit_u32(u32) visit_u64(u64) visit_u128(u128)
        visit_f32(f32) visit_f64(f64) visit_char(char)
        visit_str(&str) visit_borrowed_str(&'de str) visit_string(String)
        visit_bytes(&[u8]) visit_borrowed_bytes(&'de [u8]) visit_byte_buf(Vec<u8>)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        if self.object_only {
            return Err(self.not_an_object());
        }
        let slot = self.slot;
        self.visitor.visit_none().map_err(|e| outbound(slot, e))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        if self.object_only {
            return Err(self.not_an_object());
        }
        let slot = self.slot;
        self.visitor.visit_unit().map_err(|e| outbound(slot, e))
    }

    fn visit_some<D: Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        if self.object_only {
            return Err(self.not_an_object());
        }
        let slot = self.slot;
        self.visitor
            .visit_some(Strict::new(de, slot))
            .map_err(|e| outbound(slot, e))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        if self.object_only {
            return Err(self.not_an_object());
        }
        let slot = self.slot;
        self.visitor
            .visit_newtype_struct(Strict::new(de, slot))
            .map_err(|e| outbound(slot, e))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        if self.object_only {
            return Err(self.not_an_object());
        }
        let slot = self.slot;
        self.visitor
            .visit_seq(Access { inner: seq, slot })
            .map_err(|e| outbound(slot, e))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let slot = self.slot;
        self.visitor
            .visit_map(Access { inner: map, slot })
            .map_err(|e| outbound(slot, e))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        if self.object_only {
            return Err(self.not_an_object());
        }
        let slot = self.slot;
        self.visitor
            .visit_enum(Access { inner: data, slot })
            .map_err(|e| outbound(slot, e))
    }
}

/// A seed handed to the wrapped deserializer: it reads with a [`Strict`] deserializer.
struct Seed<'s, T> {
    seed: T,
    slot: &'s Slot,
}

impl<'de, T: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<'_, T> {
    type Value = T::Value;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<T::Value, D::Error> {
        let slot = self.slot;
        self.seed
            .deserialize(Strict::new(de, slot))
            .map_err(|e| outbound(slot, e))
    }
}

/// The wrapped deserializer's sequence, map, enum or variant access, handed to our visitor.
struct Access<'s, A> {
    inner: A,
    slot: &'s Slot,
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Access<'_, A> {
    type Error = Error<A::Error>;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Self::Error> {
        let slot = self.slot;
        self.inner
            .next_element_seed(Seed { seed, slot })
            .map_err(|e| inbound(slot, e))
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Access<'_, A> {
    type Error = Error<A::Error>;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        let slot = self.slot;
        self.inner
            .next_key_seed(Seed { seed, slot })
            .map_err(|e| inbound(slot, e).in_key())
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<T::Value, Self::Error> {
        let slot = self.slot;
        self.inner
            .next_value_seed(Seed { seed, slot })
            .map_err(|e| inbound(slot, e))
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'s, 'de, A: EnumAccess<'de>> EnumAccess<'de> for Access<'s, A> {
    type Error = Error<A::Error>;
    type Variant = Access<'s, A::Variant>;

    fn variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<(T::Value, Self::Variant), Self::Error> {
        let slot = self.slot;
        self.inner
            .variant_seed(Seed { seed, slot })
            .map(|(value, inner)| (value, Access { inner, slot }))
            .map_err(|e| inbound(slot, e))
    }
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for Access<'_, A> {
    type Error = Error<A::Error>;

    fn unit_variant(self) -> Result<(), Self::Error> {
        let slot = self.slot;
        self.inner.unit_variant().map_err(|e| inbound(slot, e))
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, Self::Error> {
        let slot = self.slot;
        self.inner
            .newtype_variant_seed(Seed { seed, slot })
            .map_err(|e| inbound(slot, e))
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        let slot = self.slot;
        self.inner
            .tuple_variant(len, Wrap::new(visitor, slot))
            .map_err(|e| inbound(slot, e))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        let slot = self.slot;
        self.inner
            .struct_variant(fields, Wrap::object_only(visitor, slot))
            .map_err(|e| inbound(slot, e))
    }
}

/// A document that could not be read: where, and what is wrong, in our own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    /// The JSON path of the value at fault (`encounters[3].start`); empty for the whole
    /// document. Only field names, valid map keys and list positions appear in it.
    pub path: String,
    /// What is wrong, naming no value.
    pub message: String,
    /// The text is not JSON (as opposed to JSON of the wrong shape).
    pub syntax: bool,
}

/// Reads a whole document as `T` with no path tracking: the fast path. `None` when it
/// cannot be read; [`from_str`] then says why.
pub(crate) fn from_str_fast<'de, T: Deserialize<'de>>(json: &'de str) -> Option<T> {
    let slot = Slot::new(None);
    let mut de = serde_json::Deserializer::from_str(json);
    let value = T::deserialize(Strict::new(&mut de, &slot)).ok()?;
    de.end().ok()?;
    Some(value)
}

/// Reads a whole document as `T`, or says where and why it cannot be read.
pub(crate) fn from_str<'de, T: Deserialize<'de>>(json: &'de str) -> Result<T, Failure> {
    let slot = Slot::new(None);
    let mut de = serde_json::Deserializer::from_str(json);
    let value = serde_path_to_error::deserialize(Strict::new(&mut de, &slot))
        .map_err(|err| describe(&err))?;
    de.end().map_err(|e| syntax_failure(&e))?;
    Ok(value)
}

fn syntax_failure(err: &serde_json::Error) -> Failure {
    let what = match err.classify() {
        Category::Eof => "unexpected end of input",
        Category::Io => "could not be read",
        Category::Syntax | Category::Data => "not valid JSON",
    };
    Failure {
        path: String::new(),
        message: format!("{what} at line {}, column {}", err.line(), err.column()),
        syntax: true,
    }
}

fn describe(err: &serde_path_to_error::Error<Error<serde_json::Error>>) -> Failure {
    let fault = match err.inner() {
        Error::Ours(fault) => *fault,
        Error::Inner(e) => match e.classify() {
            Category::Syntax | Category::Eof | Category::Io => return syntax_failure(e),
            // serde_json raises data errors itself only for a token of the wrong kind.
            Category::Data => Problem::WrongType.into(),
        },
    };
    let segments = err.path().iter().count();
    // A key that could not be read is the last segment; name the map that holds it.
    let shown = if fault.in_key {
        segments.saturating_sub(1)
    } else {
        segments
    };
    let mut path = render_path(err.path(), shown);
    let message = match fault.problem {
        Problem::UnknownField(fields) if !fields.is_empty() => {
            format!("unknown field (the fields here are {})", fields.join(", "))
        }
        Problem::UnknownName(names) if fault.in_key && !names.is_empty() => {
            format!("unknown key (the keys here are {})", names.join(", "))
        }
        _ if fault.in_key => "invalid key".to_owned(),
        Problem::MissingField(name) | Problem::DuplicateField(name) => {
            path = join_path(&path, name);
            problem_message(fault.problem).to_owned()
        }
        Problem::UnknownName(names) if !names.is_empty() => {
            format!("must be one of {}", names.join(", "))
        }
        _ => problem_message(fault.problem).to_owned(),
    };
    Failure {
        path,
        message,
        syntax: false,
    }
}

fn problem_message(problem: Problem) -> &'static str {
    match problem {
        Problem::NotAnObject => "must be an object",
        Problem::UnknownField(_) => "unknown field",
        Problem::MissingField(_) => "missing field",
        Problem::DuplicateField(_) => "field given twice",
        Problem::UnknownName(_) => "not one of the names this field takes",
        Problem::WrongType => "wrong type",
        Problem::InvalidValue => "invalid value",
        Problem::WrongLength => "wrong number of entries",
    }
}

/// The first `count` segments of the path, as `a.b[3].c`. A map key is shown only when it
/// is a name of the format (a snake_case field, setting or `default`), a code, a known
/// modifier or a code pattern (`H*`), each as the library writes it; at any other key the
/// path stops, so that it names the enclosing field and never a key that could carry data.
fn render_path(path: &serde_path_to_error::Path, count: usize) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter().take(count) {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                let shown = if let Ok(code) = key.parse::<crate::Code>() {
                    code.as_str().to_owned()
                } else if is_format_name(key) {
                    key.clone()
                } else if let Ok(modifier) = key.parse::<crate::Modifier>() {
                    modifier.as_str().to_owned()
                } else if let Ok(pattern) = key.parse::<crate::codes::CodePattern>() {
                    pattern.to_string()
                } else {
                    break;
                };
                out = join_path(&out, &shown);
            }
            Segment::Unknown => break,
        }
    }
    out
}

/// A lower-case snake_case name of at most 40 characters, the shape of every field, enum
/// value and non-code map key of the format.
fn is_format_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 40
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

pub(crate) fn join_path(prefix: &str, path: &str) -> String {
    match (prefix.is_empty(), path.is_empty()) {
        (true, _) => path.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) if path.starts_with('[') => format!("{prefix}{path}"),
        (false, false) => format!("{prefix}.{path}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        name: u32,
        when: Option<chrono::NaiveDate>,
        items: Option<Vec<Sample>>,
        inner: Option<Box<Sample>>,
        by_code: Option<BTreeMap<crate::Code, u32>>,
    }

    fn fail(json: &str) -> Failure {
        from_str::<Sample>(json).unwrap_err()
    }

    #[test]
    fn objects_read_as_before() {
        let s: Sample =
            from_str(r#"{"name": 1, "items": [{"name": 2}], "inner": {"name": 3}}"#).unwrap();
        assert_eq!(s.items.unwrap()[0].name, 2);
        assert_eq!(s.inner.unwrap().name, 3);
        assert!(from_str_fast::<Sample>(r#"{"name": 1}"#).is_some());
    }

    #[test]
    fn arrays_are_refused_where_an_object_is_expected() {
        // serde_json alone accepts the positional form.
        assert!(serde_json::from_str::<Sample>("[1, null, null, null, null]").is_ok());
        let f = fail("[1, null, null, null, null]");
        assert_eq!(
            (f.path.as_str(), f.message.as_str()),
            ("", "must be an object")
        );
        let f = fail(r#"{"name": 1, "items": [[2, null, null, null, null]]}"#);
        assert_eq!(f.path, "items[0]");
        assert_eq!(f.message, "must be an object");
        let f = fail(r#"{"name": 1, "inner": [2, null, null, null, null]}"#);
        assert_eq!(f.path, "inner");
        assert!(from_str_fast::<Sample>("[1, null, null, null, null]").is_none());
    }

    #[test]
    fn values_are_never_echoed() {
        let f = fail(r#"{"name": "Jane Doe"}"#);
        assert_eq!(
            (f.path.as_str(), f.message.as_str()),
            ("name", "wrong type")
        );
        let f = fail(r#"{"name": 1, "when": "1961-13-45"}"#);
        assert_eq!(
            (f.path.as_str(), f.message.as_str()),
            ("when", "invalid value")
        );
        let f = fail(r#"{"name": 1, "by_code": {"Jane Doe": 1}}"#);
        assert_eq!(f.path, "by_code");
        assert!(!f.message.contains("Jane"), "{f:?}");
        let f = fail(r#"{"name": 1, "by_code": {"h2014": "Jane"}}"#);
        assert_eq!(f.path, "by_code.H2014");
    }

    #[test]
    fn unknown_missing_and_duplicate_fields() {
        for key in ["Jane Doe", "jane_doe"] {
            let f = fail(&format!(
                r#"{{"name": 1, "items": [{{"name": 2, "{key}": 1}}]}}"#
            ));
            assert_eq!(f.path, "items[0]");
            assert!(f.message.starts_with("unknown field"), "{f:?}");
            assert!(!f.message.contains("ane"), "{f:?}");
            assert!(f.message.contains("name, when"), "{f:?}");
        }
        let f = fail(r#"{"name": 1, "by_code": {"jane_doe": 1}}"#);
        assert_eq!(
            (f.path.as_str(), f.message.as_str()),
            ("by_code", "invalid key")
        );
        let f = fail(r#"{"items": []}"#);
        assert_eq!(
            (f.path.as_str(), f.message.as_str()),
            ("name", "missing field")
        );
        let f = fail(r#"{"name": 1, "name": 2}"#);
        assert_eq!(
            (f.path.as_str(), f.message.as_str()),
            ("name", "field given twice")
        );
    }

    #[test]
    fn syntax_errors_give_a_position() {
        for json in [r#"{"name": 1,"#, r#"{"name": 1} x"#, r#"{"name": 1x}"#] {
            let f = fail(json);
            assert!(f.syntax, "{json}");
            assert!(f.path.is_empty());
            assert!(f.message.contains("line 1, column"), "{}", f.message);
        }
    }
}
