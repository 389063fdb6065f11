//! Compact JSON written by our own [`serde::Serializer`]: how responses become bytes.
//!
//! It exists for speed, and its output is byte for byte what `serde_json::to_writer` writes
//! for the same value, so that no reader of a response sees a difference. serde_json escapes
//! every string a byte at a time, struct keys and variant names included. Here text of up to
//! 32 bytes (the keys and variant names of serde's derive, codes, ids, dates) is read eight
//! bytes at a time, checked for anything to escape with a few word operations, and appended
//! with its quotes (a key with its comma and colon) as one block of a fixed size; longer text
//! is checked the same way and copied in one piece, and only text that needs escaping is
//! escaped, in runs. Integers are formatted by hand; floats are left to serde_json.
//!
//! What is written, as serde_json documents its compact output (the JSON of RFC 8259):
//!
//! - strings: `"` and `\` as `\"` and `\\`; backspace, form feed, line feed, carriage return
//!   and tab as `\b`, `\f`, `\n`, `\r`, `\t`; the other control characters (U+0000 to U+001F)
//!   as `\u00XX` with lowercase hex digits; everything else as it is, U+007F and non-ASCII
//!   included (RFC 8259, section 7, requires no more);
//! - integers in decimal; floats as serde_json writes them (each is handed to serde_json),
//!   NaN and the infinities as `null`;
//! - serde's data model as serde_json maps it: unit, `None` and unit structs as `null`,
//!   newtype structs as their content, unit variants as their name, newtype, tuple and struct
//!   variants as `{"name":content}`, bytes as an array of numbers, map keys as strings
//!   (integers, bools and finite floats quoted; other keys refused, as serde_json refuses
//!   them), and a `serde_json::value::RawValue` as its text.
//!
//! The output is collected in a buffer of 64 KiB ([`CHUNK`]) that is handed to a [`Sink`]
//! whenever it is full, and once at the end.

use std::fmt::{self, Display, Write as _};
use std::io;

use serde::ser::{self, Impossible, Serialize};

/// The size of the buffer the output is collected in: a [`Sink`] gets it in pieces of this
/// size at most, but for a single string longer than that.
pub(crate) const CHUNK: usize = 1 << 16;

/// Where the output goes, a buffer at a time.
pub(crate) trait Sink {
    /// Takes the bytes of `buf` (never empty), leaving it empty; its capacity is the sink's
    /// to keep or take.
    fn take(&mut self, buf: &mut Vec<u8>) -> io::Result<()>;
}

/// An [`io::Write`] as a [`Sink`]: each buffer written with one `write_all` (not flushed).
pub(crate) struct Writer<W>(pub(crate) W);

impl<W: io::Write> Sink for Writer<W> {
    fn take(&mut self, buf: &mut Vec<u8>) -> io::Result<()> {
        self.0.write_all(buf)?;
        buf.clear();
        Ok(())
    }
}

/// A growing vector as a [`Sink`] (the tests' `to_vec`).
impl Sink for Vec<u8> {
    fn take(&mut self, buf: &mut Vec<u8>) -> io::Result<()> {
        self.append(buf);
        Ok(())
    }
}

/// Writes `value`'s JSON to `sink`.
///
/// The sink is a trait object: it is called once a buffer, never for each piece written.
pub(crate) fn to_sink<T: ?Sized + Serialize>(value: &T, sink: &mut dyn Sink) -> Result<(), Error> {
    let mut serializer = Serializer {
        buf: Vec::new(),
        sink,
    };
    value.serialize(&mut serializer)?;
    serializer.finish()
}

/// `value`'s JSON as bytes.
#[cfg(test)]
pub(crate) fn to_vec<T: ?Sized + Serialize>(value: &T) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    to_sink(value, &mut out)?;
    Ok(out)
}

/// Why a value was not written. The message never includes the value.
#[derive(Debug)]
pub(crate) struct Error(Box<ErrorKind>);

#[derive(Debug)]
enum ErrorKind {
    /// The sink failed.
    Io(io::Error),
    /// A map key that is not a string, a number, a bool or a char.
    KeyMustBeAString,
    /// A NaN or infinite float as a map key.
    FloatKeyMustBeFinite,
    /// A struct that claims to be a `RawValue` has another field.
    ExpectedValue,
    /// A `RawValue`'s field is not a string.
    ExpectedRawValue,
    /// From a `Serialize` implementation (`serde::ser::Error::custom`).
    Custom(Box<str>),
}

impl Error {
    fn io(error: io::Error) -> Error {
        Error(Box::new(ErrorKind::Io(error)))
    }

    fn kind(kind: ErrorKind) -> Error {
        Error(Box::new(kind))
    }

    /// The I/O error, when the sink failed.
    pub(crate) fn into_io(self) -> Option<io::Error> {
        match *self.0 {
            ErrorKind::Io(error) => Some(error),
            _ => None,
        }
    }
}

impl Display for Error {
    /// serde_json's wording for the same failures.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 {
            ErrorKind::Io(error) => Display::fmt(error, f),
            ErrorKind::KeyMustBeAString => f.write_str("key must be a string"),
            ErrorKind::FloatKeyMustBeFinite => {
                f.write_str("float key must be finite (got NaN or +/-inf)")
            }
            ErrorKind::ExpectedValue => f.write_str("expected value"),
            ErrorKind::ExpectedRawValue => f.write_str("expected RawValue"),
            ErrorKind::Custom(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &*self.0 {
            ErrorKind::Io(error) => Some(error),
            _ => None,
        }
    }
}

impl ser::Error for Error {
    fn custom<T: Display>(message: T) -> Error {
        Error::kind(ErrorKind::Custom(message.to_string().into_boxed_str()))
    }
}

/// The name serde_json gives the struct a `RawValue` serializes as, and its one field: its
/// text, written as it is.
const RAW_VALUE: &str = "$serde_json::private::RawValue";

/// The serializer: the output buffer and where it goes when full.
pub(crate) struct Serializer<'s> {
    buf: Vec<u8>,
    sink: &'s mut dyn Sink,
}

impl Serializer<'_> {
    /// Makes room for `n` more bytes in the buffer.
    #[inline]
    fn room(&mut self, n: usize) -> Result<(), Error> {
        if self.buf.capacity() - self.buf.len() < n {
            self.spill(n)?;
        }
        Ok(())
    }

    /// Hands the buffer to the sink and starts an empty one with room for `n` bytes.
    #[cold]
    #[inline(never)]
    fn spill(&mut self, n: usize) -> Result<(), Error> {
        if !self.buf.is_empty() {
            self.sink.take(&mut self.buf).map_err(Error::io)?;
            self.buf.clear();
        }
        self.buf.reserve(n.max(CHUNK));
        Ok(())
    }

    /// Hands what is left in the buffer to the sink.
    fn finish(mut self) -> Result<(), Error> {
        if !self.buf.is_empty() {
            self.sink.take(&mut self.buf).map_err(Error::io)?;
        }
        Ok(())
    }

    #[inline]
    fn put(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.room(bytes.len())?;
        self.buf.extend_from_slice(bytes);
        Ok(())
    }

    #[inline]
    fn put_byte(&mut self, byte: u8) -> Result<(), Error> {
        self.room(1)?;
        self.buf.push(byte);
        Ok(())
    }

    /// A string, quoted.
    #[inline]
    fn string(&mut self, s: &str) -> Result<(), Error> {
        self.quoted(false, s.as_bytes(), false)
    }

    /// An object key: a struct's field name or a variant's name (a `&'static str` from
    /// serde's derive), after a comma unless it is the object's first, and the colon.
    #[inline]
    fn key(&mut self, first: bool, key: &str) -> Result<(), Error> {
        self.quoted(!first, key.as_bytes(), true)
    }

    /// `text` between quotes, after a comma when `comma`, before a colon when `colon`.
    ///
    /// Text of at most 32 bytes (keys and variant names, codes, ids, dates) takes no copy of
    /// a variable length: it is read a word (eight bytes) at a time, the last word
    /// overlapping the one before, each word checked and laid out with the punctuation in a
    /// block of 40 bytes; the block is appended whole and the buffer cut back to what it
    /// holds. Longer text, and text that needs escaping, goes the long way.
    #[inline(always)]
    fn quoted(&mut self, comma: bool, text: &[u8], colon: bool) -> Result<(), Error> {
        let len = text.len();
        if len > SHORT {
            return self.quoted_long(comma, text, colon);
        }
        let at = usize::from(comma) + 1;
        let mut block = [0; SHORT + 8];
        block[0] = b',';
        block[at - 1] = b'"';
        let flagged = if len >= 8 {
            let mut flagged = 0;
            let mut i = 0;
            while i + 8 < len {
                let word = word(text, i);
                flagged |= flags(word);
                block[at + i..at + i + 8].copy_from_slice(&word.to_le_bytes());
                i += 8;
            }
            let word = word(text, len - 8);
            block[at + len - 8..at + len].copy_from_slice(&word.to_le_bytes());
            flagged | flags(word)
        } else if len > 0 {
            let word = short_word(text);
            block[at..at + 8].copy_from_slice(&word.to_le_bytes());
            // The zeros above the bytes would be flagged as control characters; a flag's
            // borrow only reaches up, so the bytes' own flags are exact.
            flags(word) & (HIGHS >> (64 - 8 * len))
        } else {
            0
        };
        if flagged != 0 {
            return self.quoted_long(comma, text, colon);
        }
        block[at + len] = b'"';
        block[at + len + 1] = b':';
        self.room(block.len())?;
        let end = self.buf.len() + at + len + 1 + usize::from(colon);
        self.buf.extend_from_slice(&block);
        self.buf.truncate(end);
        Ok(())
    }

    /// [`Serializer::quoted`] for text longer than 32 bytes or that needs escaping: checked
    /// eight bytes at a time, then copied in one piece when nothing needs escaping.
    #[inline(never)]
    fn quoted_long(&mut self, comma: bool, text: &[u8], colon: bool) -> Result<(), Error> {
        if comma {
            self.put_byte(b',')?;
        }
        if first_escape(text, 0).is_none() {
            self.room(text.len() + 2)?;
            self.buf.push(b'"');
            self.buf.extend_from_slice(text);
            self.buf.push(b'"');
        } else {
            self.escaped_string(text)?;
        }
        if colon {
            self.put_byte(b':')?;
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn escaped_string(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.put_byte(b'"')?;
        self.escaped(bytes)?;
        self.put_byte(b'"')
    }

    /// The contents of a string: the runs that need no escaping copied as they are, each
    /// byte between them escaped.
    fn escaped(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let mut start = 0;
        while let Some(at) = first_escape(bytes, start) {
            self.put(&bytes[start..at])?;
            let (escape, len) = escape(bytes[at]);
            self.put(&escape[..len])?;
            start = at + 1;
        }
        self.put(&bytes[start..])
    }

    /// An integer: its digits (and sign) laid out in a fixed-size array, appended whole,
    /// then the buffer cut back to their length.
    #[inline]
    fn integer(&mut self, negative: bool, magnitude: u64) -> Result<(), Error> {
        let mut digits = [0; 24];
        let sign = usize::from(negative);
        let len = sign + magnitude.checked_ilog10().map_or(1, |log| log as usize + 1);
        digits[0] = b'-';
        decimal(magnitude, &mut digits[sign..len]);
        self.room(digits.len())?;
        let end = self.buf.len() + len;
        self.buf.extend_from_slice(&digits);
        self.buf.truncate(end);
        Ok(())
    }

    #[inline]
    fn unsigned(&mut self, value: u64) -> Result<(), Error> {
        self.integer(false, value)
    }

    #[inline]
    fn signed(&mut self, value: i64) -> Result<(), Error> {
        self.integer(value < 0, value.unsigned_abs())
    }

    fn unsigned_wide(&mut self, value: u128) -> Result<(), Error> {
        let mut digits = [0; 40];
        let start = decimal_wide(value, &mut digits);
        self.put(&digits[start..])
    }

    fn signed_wide(&mut self, value: i128) -> Result<(), Error> {
        let mut digits = [0; 40];
        let mut start = decimal_wide(value.unsigned_abs(), &mut digits);
        if value < 0 {
            start -= 1;
            digits[start] = b'-';
        }
        self.put(&digits[start..])
    }

    /// A finite float, as serde_json writes it.
    fn float<F: Serialize>(&mut self, value: F) -> Result<(), Error> {
        // The longest float serde_json writes is 24 bytes (`-2.2250738585072014e-308`).
        self.room(32)?;
        serde_json::to_writer(&mut self.buf, &value).map_err(ser::Error::custom)
    }

    /// A map key written by `write` between quotes.
    fn quoted_key(
        &mut self,
        write: impl FnOnce(&mut Self) -> Result<(), Error>,
    ) -> Result<(), Error> {
        self.put_byte(b'"')?;
        write(self)?;
        self.put_byte(b'"')
    }

    /// A value's `Display`, escaped, through the buffer (no string allocated); `escape`
    /// false for a `RawValue`'s text.
    fn display<T: ?Sized + Display>(&mut self, value: &T, escape: bool) -> Result<(), Error> {
        let mut adapter = Adapter {
            serializer: self,
            escape,
            error: None,
        };
        match write!(adapter, "{value}") {
            Ok(()) => Ok(()),
            Err(fmt::Error) => Err(adapter.error.unwrap_or_else(|| {
                ser::Error::custom("a Display implementation returned an error")
            })),
        }
    }
}

/// Writes what a `Display` implementation formats into the serializer.
struct Adapter<'a, 's> {
    serializer: &'a mut Serializer<'s>,
    escape: bool,
    error: Option<Error>,
}

impl fmt::Write for Adapter<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let written = if self.escape {
            self.serializer.escaped(s.as_bytes())
        } else {
            self.serializer.put(s.as_bytes())
        };
        written.map_err(|error| {
            self.error = Some(error);
            fmt::Error
        })
    }

    fn write_char(&mut self, c: char) -> fmt::Result {
        // Dates and numbers are written a digit at a time.
        if c.is_ascii() && !(self.escape && needs_escape(c as u8)) {
            return self.serializer.put_byte(c as u8).map_err(|error| {
                self.error = Some(error);
                fmt::Error
            });
        }
        self.write_str(c.encode_utf8(&mut [0; 4]))
    }
}

// ---- escaping ----------------------------------------------------------------------------

/// Whether JSON needs `byte` escaped in a string: `"`, `\` and the control characters
/// (RFC 8259, section 7). serde_json escapes exactly these.
#[inline]
fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// The escape of a byte that needs one, and its length: serde_json's two-character escapes
/// where JSON has one, else `\u00XX` with lowercase hex digits.
fn escape(byte: u8) -> ([u8; 6], usize) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let short = match byte {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        0x0c => b'f',
        b'\n' => b'n',
        b'\r' => b'r',
        b'\t' => b't',
        _ => {
            let hex = [HEX[usize::from(byte >> 4)], HEX[usize::from(byte & 0xf)]];
            return ([b'\\', b'u', b'0', b'0', hex[0], hex[1]], 6);
        }
    };
    ([b'\\', short, 0, 0, 0, 0], 2)
}

/// Each byte's lowest bit.
const ONES: u64 = 0x0101_0101_0101_0101;
/// Each byte's highest bit.
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit set in each byte of `word` (eight bytes, the first in the lowest) that needs
/// escaping: below 0x20 ("has less"), or equal to `"` or `\` ("has zero" of the word xor
/// the byte repeated). A borrow can also flag a byte above one that needs escaping, never
/// one below it: the lowest flag is the first byte to escape, and no flag means none.
#[inline]
fn flags(word: u64) -> u64 {
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    let control = word.wrapping_sub(ONES * 0x20) & !word;
    let quote = quote.wrapping_sub(ONES) & !quote;
    let backslash = backslash.wrapping_sub(ONES) & !backslash;
    (control | quote | backslash) & HIGHS
}

/// The eight bytes of `bytes` from `at`, the first in the lowest.
#[inline]
fn word(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0; 8];
    word.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(word)
}

/// The longest text [`Serializer::quoted`] lays out in a block.
const SHORT: usize = 32;

/// The bytes of `bytes` (one to seven) in a word, the first in the lowest byte, zeros above:
/// two overlapping loads, with no copy of a variable length.
#[inline]
fn short_word(bytes: &[u8]) -> u64 {
    let len = bytes.len();
    if len >= 4 {
        let mut first = [0; 4];
        let mut last = [0; 4];
        first.copy_from_slice(&bytes[..4]);
        last.copy_from_slice(&bytes[len - 4..]);
        u64::from(u32::from_le_bytes(first))
            | u64::from(u32::from_le_bytes(last)) << (8 * (len - 4))
    } else {
        u64::from(bytes[0])
            | u64::from(bytes[len / 2]) << (8 * (len / 2))
            | u64::from(bytes[len - 1]) << (8 * (len - 1))
    }
}

/// The first byte at or after `from` that needs escaping.
#[inline]
fn first_escape(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while at + 8 <= bytes.len() {
        let flags = flags(word(bytes, at));
        if flags != 0 {
            return Some(at + (flags.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    (at..bytes.len()).find(|&i| needs_escape(bytes[i]))
}

// ---- integers ----------------------------------------------------------------------------

/// "00" to "99".
const PAIRS: &[u8; 200] = b"\
    0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// `value` in decimal at the end of `out` (room for its digits, at most 20): where its
/// digits start.
#[inline]
fn decimal(mut value: u64, out: &mut [u8]) -> usize {
    let mut at = out.len();
    while value >= 100 {
        let pair = (value % 100) as usize * 2;
        value /= 100;
        at -= 2;
        out[at..at + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if value >= 10 {
        let pair = value as usize * 2;
        at -= 2;
        out[at..at + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    } else {
        at -= 1;
        out[at] = b'0' + value as u8;
    }
    at
}

/// `value` in decimal at the end of `out` (room for 39 digits): where its digits start.
fn decimal_wide(mut value: u128, out: &mut [u8]) -> usize {
    // 10^19, the largest power of ten below 2^64: the low digits nineteen at a time.
    const LOW: u128 = 10_000_000_000_000_000_000;
    let mut end = out.len();
    while value >= LOW {
        let low = (value % LOW) as u64;
        value /= LOW;
        let start = decimal(low, &mut out[end - 19..end]);
        out[end - 19..end - 19 + start].fill(b'0');
        end -= 19;
    }
    decimal(value as u64, &mut out[..end])
}

// ---- the serde data model ----------------------------------------------------------------

impl<'a, 's> ser::Serializer for &'a mut Serializer<'s> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a, 's>;
    type SerializeTuple = Compound<'a, 's>;
    type SerializeTupleStruct = Compound<'a, 's>;
    type SerializeTupleVariant = Compound<'a, 's>;
    type SerializeMap = Compound<'a, 's>;
    type SerializeStruct = Compound<'a, 's>;
    type SerializeStructVariant = Compound<'a, 's>;

    #[inline]
    fn serialize_bool(self, value: bool) -> Result<(), Error> {
        if value {
            self.put(b"true")
        } else {
            self.put(b"false")
        }
    }

    #[inline]
    fn serialize_i8(self, value: i8) -> Result<(), Error> {
        self.signed(value.into())
    }

    #[inline]
    fn serialize_i16(self, value: i16) -> Result<(), Error> {
        self.signed(value.into())
    }

    #[inline]
    fn serialize_i32(self, value: i32) -> Result<(), Error> {
        self.signed(value.into())
    }

    #[inline]
    fn serialize_i64(self, value: i64) -> Result<(), Error> {
        self.signed(value)
    }

    fn serialize_i128(self, value: i128) -> Result<(), Error> {
        self.signed_wide(value)
    }

    #[inline]
    fn serialize_u8(self, value: u8) -> Result<(), Error> {
        self.unsigned(value.into())
    }

    #[inline]
    fn serialize_u16(self, value: u16) -> Result<(), Error> {
        self.unsigned(value.into())
    }

    #[inline]
    fn serialize_u32(self, value: u32) -> Result<(), Error> {
        self.unsigned(value.into())
    }

    #[inline]
    fn serialize_u64(self, value: u64) -> Result<(), Error> {
        self.unsigned(value)
    }

    fn serialize_u128(self, value: u128) -> Result<(), Error> {
        self.unsigned_wide(value)
    }

    fn serialize_f32(self, value: f32) -> Result<(), Error> {
        self.float(value)
    }

    fn serialize_f64(self, value: f64) -> Result<(), Error> {
        self.float(value)
    }

    fn serialize_char(self, value: char) -> Result<(), Error> {
        self.string(value.encode_utf8(&mut [0; 4]))
    }

    #[inline]
    fn serialize_str(self, value: &str) -> Result<(), Error> {
        self.string(value)
    }

    fn serialize_bytes(self, value: &[u8]) -> Result<(), Error> {
        self.put_byte(b'[')?;
        for (i, &byte) in value.iter().enumerate() {
            if i > 0 {
                self.put_byte(b',')?;
            }
            self.unsigned(byte.into())?;
        }
        self.put_byte(b']')
    }

    #[inline]
    fn serialize_none(self) -> Result<(), Error> {
        self.put(b"null")
    }

    #[inline]
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Error> {
        self.put(b"null")
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.put(b"null")
    }

    #[inline]
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.string(variant)
    }

    #[inline]
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.put_byte(b'{')?;
        self.key(true, variant)?;
        value.serialize(&mut *self)?;
        self.put_byte(b'}')
    }

    #[inline]
    fn serialize_seq(self, len: Option<usize>) -> Result<Compound<'a, 's>, Error> {
        self.put_byte(b'[')?;
        let state = if len == Some(0) {
            self.put_byte(b']')?;
            State::Empty
        } else {
            State::First
        };
        Ok(Compound {
            serializer: self,
            state,
        })
    }

    fn serialize_tuple(self, len: usize) -> Result<Compound<'a, 's>, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'a, 's>, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a, 's>, Error> {
        self.put_byte(b'{')?;
        self.key(true, variant)?;
        self.serialize_seq(Some(len))
    }

    #[inline]
    fn serialize_map(self, len: Option<usize>) -> Result<Compound<'a, 's>, Error> {
        self.put_byte(b'{')?;
        let state = if len == Some(0) {
            self.put_byte(b'}')?;
            State::Empty
        } else {
            State::First
        };
        Ok(Compound {
            serializer: self,
            state,
        })
    }

    #[inline]
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Compound<'a, 's>, Error> {
        if name == RAW_VALUE {
            return Ok(Compound {
                serializer: self,
                state: State::RawValue,
            });
        }
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a, 's>, Error> {
        self.put_byte(b'{')?;
        self.key(true, variant)?;
        self.serialize_map(Some(len))
    }

    fn collect_str<T: ?Sized + Display>(self, value: &T) -> Result<(), Error> {
        self.put_byte(b'"')?;
        self.display(value, true)?;
        self.put_byte(b'"')
    }
}

/// Where an array or object is: serde_json's states. An array or object announced empty is
/// closed at once (`Empty`); anything written into it after all follows a comma, as
/// serde_json writes it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Empty,
    First,
    Rest,
    /// A `RawValue`: its one field is its text.
    RawValue,
}

/// An array or object being written.
pub(crate) struct Compound<'a, 's> {
    serializer: &'a mut Serializer<'s>,
    state: State,
}

impl Compound<'_, '_> {
    /// Whether the next element or entry is the first (no comma); the ones after are not.
    #[inline]
    fn next_is_first(&mut self) -> bool {
        let first = self.state == State::First;
        self.state = State::Rest;
        first
    }

    #[inline]
    fn element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        if !self.next_is_first() {
            self.serializer.put_byte(b',')?;
        }
        value.serialize(&mut *self.serializer)
    }

    #[inline]
    fn field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        if self.state == State::RawValue {
            return self.raw_value(key, value);
        }
        let first = self.next_is_first();
        self.serializer.key(first, key)?;
        value.serialize(&mut *self.serializer)
    }

    #[cold]
    fn raw_value<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        if key != RAW_VALUE {
            return Err(Error::kind(ErrorKind::ExpectedValue));
        }
        value.serialize(RawText(&mut *self.serializer))
    }

    /// Closes an array.
    #[inline]
    fn end_array(&mut self) -> Result<(), Error> {
        match self.state {
            State::Empty => Ok(()),
            _ => self.serializer.put_byte(b']'),
        }
    }

    /// Closes an object (a `RawValue` has nothing to close).
    #[inline]
    fn end_object(&mut self) -> Result<(), Error> {
        match self.state {
            State::Empty | State::RawValue => Ok(()),
            _ => self.serializer.put_byte(b'}'),
        }
    }
}

impl ser::SerializeSeq for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    #[inline]
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }

    #[inline]
    fn end(mut self) -> Result<(), Error> {
        self.end_array()
    }
}

impl ser::SerializeTuple for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }

    fn end(mut self) -> Result<(), Error> {
        self.end_array()
    }
}

impl ser::SerializeTupleStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }

    fn end(mut self) -> Result<(), Error> {
        self.end_array()
    }
}

impl ser::SerializeTupleVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }

    fn end(mut self) -> Result<(), Error> {
        self.end_array()?;
        self.serializer.put_byte(b'}')
    }
}

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), Error> {
        if !self.next_is_first() {
            self.serializer.put_byte(b',')?;
        }
        key.serialize(MapKey(&mut *self.serializer))
    }

    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.serializer.put_byte(b':')?;
        value.serialize(&mut *self.serializer)
    }

    fn end(mut self) -> Result<(), Error> {
        self.end_object()
    }
}

impl ser::SerializeStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    #[inline]
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }

    #[inline]
    fn end(mut self) -> Result<(), Error> {
        self.end_object()
    }
}

impl ser::SerializeStructVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }

    fn end(mut self) -> Result<(), Error> {
        self.end_object()?;
        self.serializer.put_byte(b'}')
    }
}

/// A map key: a string, or a number, bool or char written as one (serde_json's rules).
struct MapKey<'a, 's>(&'a mut Serializer<'s>);

fn key_must_be_a_string() -> Error {
    Error::kind(ErrorKind::KeyMustBeAString)
}

impl ser::Serializer for MapKey<'_, '_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible<(), Error>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Impossible<(), Error>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn serialize_bool(self, value: bool) -> Result<(), Error> {
        self.0.put(if value { b"\"true\"" } else { b"\"false\"" })
    }

    fn serialize_i8(self, value: i8) -> Result<(), Error> {
        self.0.quoted_key(|s| s.signed(value.into()))
    }

    fn serialize_i16(self, value: i16) -> Result<(), Error> {
        self.0.quoted_key(|s| s.signed(value.into()))
    }

    fn serialize_i32(self, value: i32) -> Result<(), Error> {
        self.0.quoted_key(|s| s.signed(value.into()))
    }

    fn serialize_i64(self, value: i64) -> Result<(), Error> {
        self.0.quoted_key(|s| s.signed(value))
    }

    fn serialize_i128(self, value: i128) -> Result<(), Error> {
        self.0.quoted_key(|s| s.signed_wide(value))
    }

    fn serialize_u8(self, value: u8) -> Result<(), Error> {
        self.0.quoted_key(|s| s.unsigned(value.into()))
    }

    fn serialize_u16(self, value: u16) -> Result<(), Error> {
        self.0.quoted_key(|s| s.unsigned(value.into()))
    }

    fn serialize_u32(self, value: u32) -> Result<(), Error> {
        self.0.quoted_key(|s| s.unsigned(value.into()))
    }

    fn serialize_u64(self, value: u64) -> Result<(), Error> {
        self.0.quoted_key(|s| s.unsigned(value))
    }

    fn serialize_u128(self, value: u128) -> Result<(), Error> {
        self.0.quoted_key(|s| s.unsigned_wide(value))
    }

    fn serialize_f32(self, value: f32) -> Result<(), Error> {
        if !value.is_finite() {
            return Err(Error::kind(ErrorKind::FloatKeyMustBeFinite));
        }
        self.0.quoted_key(|s| s.float(value))
    }

    fn serialize_f64(self, value: f64) -> Result<(), Error> {
        if !value.is_finite() {
            return Err(Error::kind(ErrorKind::FloatKeyMustBeFinite));
        }
        self.0.quoted_key(|s| s.float(value))
    }

    fn serialize_char(self, value: char) -> Result<(), Error> {
        self.0.string(value.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, value: &str) -> Result<(), Error> {
        self.0.string(value)
    }

    fn serialize_bytes(self, _value: &[u8]) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_none(self) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.0.string(variant)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Error> {
        Err(key_must_be_a_string())
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(key_must_be_a_string())
    }

    fn collect_str<T: ?Sized + Display>(self, value: &T) -> Result<(), Error> {
        ser::Serializer::collect_str(self.0, value)
    }
}

/// A `RawValue`'s text: a string written as it is (it is JSON already); anything else is
/// refused, as serde_json refuses it.
struct RawText<'a, 's>(&'a mut Serializer<'s>);

fn expected_raw_value() -> Error {
    Error::kind(ErrorKind::ExpectedRawValue)
}

impl ser::Serializer for RawText<'_, '_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible<(), Error>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Impossible<(), Error>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn serialize_str(self, value: &str) -> Result<(), Error> {
        self.0.put(value.as_bytes())
    }

    fn collect_str<T: ?Sized + Display>(self, value: &T) -> Result<(), Error> {
        self.0.display(value, false)
    }

    fn serialize_bool(self, _value: bool) -> Result<(), Error> {
        Err(expected_raw_value())
    }

    fn serialize_i8(self, _value: i8) -> Result<(), Error> {
        Err(expected_raw_value())
    }

    fn serialize_i16(self, _value: i16) -> Result<(), Error> {
        Err(expected_raw_value())
    }

    fn serialize_i32(self, _value: i32) -> Result<(), Error> {
        Err(expected_raw_value())
    }

    fn serialize_i64(self, _value: i64) -> Result<(), Error> {
        Err(expected_raw_value())
    }

    fn serialize_i128(self, _value: i128) -> Result<(), Error> {
        Err(expected_raw_value())
    }

    fn serialize_u8(self, _value: u8) -> Result<(), Error> {
        Err(expected_raw_value())
    }

    fn serialize_u16(self, _value: u16) -> Result<(), Error> {
        Err(expected_raw_value())
    }

    fn serialize_u32(self, _value: u32) -> Result<(), Error> {
        Err(expected_raw_value())
    }

    fn serialize_u64(self, _value: u64) -> Result<(), Error> {
        Err(expected_raw_value())
    }

    fn serialize_u128(self, _value: u128) -> Result<(), Error> {
        Err(expected_raw_value())
    }

    fn serialize_f32(self, _value: f32) -> Result<(), Error> {
        Err(expected_raw_value())
    }

    fn serialize_f64(self, _value: f64) -> Result<(), Error> {
        Err(expected_raw_value())
    }

    fn serialize_char(self, _value: char) -> Result<(), Error> {
        Err(expected_raw_value())
    }

    fn serialize_bytes(self, _value: &[u8]) -> Result<(), Error> {
        Err(expected_raw_value())
    }

    fn serialize_none(self) -> Result<(), Error> {
        Err(expected_raw_value())
    }

    fn serialize_some<T: ?Sized + Serialize>(self, _value: &T) -> Result<(), Error> {
        Err(expected_raw_value())
    }

    fn serialize_unit(self) -> Result<(), Error> {
        Err(expected_raw_value())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        Err(expected_raw_value())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
    ) -> Result<(), Error> {
        Err(expected_raw_value())
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _value: &T,
    ) -> Result<(), Error> {
        Err(expected_raw_value())
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), Error> {
        Err(expected_raw_value())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(expected_raw_value())
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
        Err(expected_raw_value())
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(expected_raw_value())
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(expected_raw_value())
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(expected_raw_value())
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Error> {
        Err(expected_raw_value())
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(expected_raw_value())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::NaiveDate;
    use proptest::prelude::*;
    use serde::Serialize;
    use serde_json::value::RawValue;

    use super::*;

    /// Our JSON of `value`, or our error's message.
    fn ours<T: ?Sized + Serialize>(value: &T) -> Result<String, String> {
        to_vec(value)
            .map(|bytes| String::from_utf8(bytes).expect("UTF-8"))
            .map_err(|e| e.to_string())
    }

    /// serde_json's, the same way.
    fn theirs<T: ?Sized + Serialize>(value: &T) -> Result<String, String> {
        serde_json::to_string(value).map_err(|e| e.to_string())
    }

    #[track_caller]
    fn assert_same<T: ?Sized + Serialize>(value: &T) {
        assert_eq!(ours(value), theirs(value));
    }

    // ---- a type with every shape of serde's data model --------------------------------

    /// Serialized with `serialize_bytes` (a `Vec<u8>` is a sequence).
    #[derive(Debug, Clone)]
    struct Bytes(Vec<u8>);

    impl Serialize for Bytes {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.serialize_bytes(&self.0)
        }
    }

    /// Serialized with `collect_str`, its `Display` in pieces: a string, a char, a number.
    #[derive(Debug, Clone)]
    struct Shown(String, char, u32);

    impl fmt::Display for Shown {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{}{}{}", self.0, self.1, self.2)
        }
    }

    impl Serialize for Shown {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_str(self)
        }
    }

    /// Entries serialized as a map with keys of any type (`collect_map`).
    #[derive(Debug, Clone)]
    struct Entries<K, V>(Vec<(K, V)>);

    impl<K: Serialize, V: Serialize> Serialize for Entries<K, V> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
        }
    }

    #[derive(Debug, Clone, Serialize)]
    struct Scalars {
        i8: i8,
        i16: i16,
        i32: i32,
        i64: i64,
        i128: i128,
        isize: isize,
        u8: u8,
        u16: u16,
        u32: u32,
        u64: u64,
        u128: u128,
        usize: usize,
        f32: f32,
        f64: f64,
        bool: bool,
        char: char,
        unit: (),
        text: String,
        maybe: Option<String>,
        bytes: Bytes,
        shown: Shown,
        date: NaiveDate,
        // Keys that need escaping, and one that is not ASCII.
        #[serde(rename = "quote\"back\\slash\ttab")]
        escaped_key: u8,
        #[serde(rename = "clé\u{7f}")]
        other_key: bool,
    }

    #[derive(Debug, Clone, Serialize)]
    struct UnitStruct;

    #[derive(Debug, Clone, Serialize)]
    struct NewtypeStruct(String);

    #[derive(Debug, Clone, Serialize)]
    struct TupleStruct(i32, String);

    #[derive(Debug, Clone, Serialize)]
    struct NoFields {}

    #[derive(Debug, Clone, Copy, Serialize)]
    enum Color {
        Red,
        #[serde(rename = "new\nline")]
        Escaped,
    }

    /// A map key of each kind serde_json takes.
    #[derive(Debug, Clone, Serialize)]
    #[serde(untagged)]
    enum Key {
        Str(String),
        I8(i8),
        I16(i16),
        I32(i32),
        I64(i64),
        I128(i128),
        U8(u8),
        U16(u16),
        U32(u32),
        U64(u64),
        U128(u128),
        F32(f32),
        F64(f64),
        Bool(bool),
        Char(char),
        Variant(Color),
        Newtype(NewtypeStruct),
        Some(Option<String>),
        Shown(Shown),
    }

    #[derive(Debug, Clone, Serialize)]
    #[serde(tag = "kind", rename_all = "snake_case")]
    enum Tagged {
        Plain,
        WithFields {
            count: u32,
            note: Option<String>,
        },
        Wrapped(Box<Scalars>),
        Mapped(BTreeMap<String, i32>),
        #[serde(rename = "tag\"with\\escapes")]
        Escaped {
            inner: Vec<Node>,
        },
    }

    #[derive(Debug, Clone, Serialize)]
    #[serde(tag = "t", content = "c")]
    enum Adjacent {
        A,
        B(i16),
        C { x: String },
    }

    #[derive(Debug, Clone, Serialize)]
    #[serde(untagged)]
    enum Untagged {
        Number(u64),
        Text(String),
        Record { a: bool, b: Option<Box<Node>> },
    }

    #[derive(Debug, Clone, Serialize)]
    struct Flattened {
        id: u32,
        #[serde(flatten)]
        rest: BTreeMap<String, Node>,
    }

    #[derive(Debug, Clone, Serialize)]
    enum Node {
        Leaf,
        #[serde(rename = "é\u{1}")]
        EscapedLeaf,
        Scalars(Box<Scalars>),
        Pair(u8, String),
        NoElements(),
        Fields {
            name: String,
            children: Vec<Node>,
            next: Option<Box<Node>>,
        },
        NoFields {},
        Tagged(Tagged),
        Adjacent(Adjacent),
        Untagged(Untagged),
        Flattened(Flattened),
        Unit(UnitStruct),
        Newtype(NewtypeStruct),
        TupleStruct(TupleStruct),
        Empty(NoFields),
        Tuple((i64, bool, ())),
        List(Vec<Node>),
        Strings(BTreeMap<String, Node>),
        Keys(Entries<Key, Node>),
        Raw(Box<RawValue>),
    }

    // ---- strategies ------------------------------------------------------------------

    /// Strings with what JSON escapes, U+007F and multibyte UTF-8 in them.
    fn text() -> impl Strategy<Value = String> {
        let c = prop_oneof![
            6 => (0x20u8..0x7f).prop_map(char::from),
            2 => (0u8..0x20).prop_map(char::from),
            1 => Just('"'),
            1 => Just('\\'),
            1 => Just('\u{7f}'),
            1 => Just('é'),
            1 => Just('€'),
            1 => Just('😀'),
            1 => any::<char>(),
        ];
        prop::collection::vec(c, 0..40).prop_map(String::from_iter)
    }

    /// A value of `T`: one of its extremes, zero or any.
    fn int<T: Arbitrary + Copy + fmt::Debug + 'static>(
        extremes: [T; 3],
    ) -> impl Strategy<Value = T> {
        prop_oneof![prop::sample::select(extremes.to_vec()), any::<T>()]
    }

    fn f64s() -> impl Strategy<Value = f64> {
        prop_oneof![
            any::<f64>(),
            (-1e6..1e6f64),
            prop::sample::select(vec![
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
                -0.0,
                f64::MIN_POSITIVE,
                5e-324,
                f64::MAX,
                f64::MIN,
                1e21,
                0.1,
            ]),
        ]
    }

    fn f32s() -> impl Strategy<Value = f32> {
        prop_oneof![
            any::<f32>(),
            prop::sample::select(vec![f32::NAN, f32::INFINITY, f32::MIN, f32::MAX, 1e-45]),
        ]
    }

    fn shown() -> impl Strategy<Value = Shown> {
        (text(), any::<char>(), any::<u32>()).prop_map(|(s, c, n)| Shown(s, c, n))
    }

    fn scalars() -> impl Strategy<Value = Scalars> {
        let ints = (
            int([i8::MIN, 0, i8::MAX]),
            int([i16::MIN, 0, i16::MAX]),
            int([i32::MIN, 0, i32::MAX]),
            int([i64::MIN, 0, i64::MAX]),
            int([i128::MIN, 0, i128::MAX]),
            int([isize::MIN, 0, isize::MAX]),
        );
        let unsigned = (
            int([u8::MIN, 9, u8::MAX]),
            int([u16::MIN, 10, u16::MAX]),
            int([u32::MIN, 99, u32::MAX]),
            int([u64::MIN, 100, u64::MAX]),
            int([u128::MIN, u128::from(u64::MAX) + 1, u128::MAX]),
            int([usize::MIN, 1, usize::MAX]),
        );
        let rest = (
            (f32s(), f64s(), any::<bool>(), any::<char>()),
            (text(), prop::option::of(text()), any::<Vec<u8>>(), shown()),
            (0..3_000_000i32, any::<u8>(), any::<bool>()),
        );
        (ints, unsigned, rest).prop_map(
            |(
                (i8, i16, i32, i64, i128, isize),
                (u8, u16, u32, u64, u128, usize),
                (
                    (f32, f64, bool, char),
                    (text, maybe, bytes, shown),
                    (days, escaped_key, other_key),
                ),
            )| Scalars {
                i8,
                i16,
                i32,
                i64,
                i128,
                isize,
                u8,
                u16,
                u32,
                u64,
                u128,
                usize,
                f32,
                f64,
                bool,
                char,
                unit: (),
                text,
                maybe,
                bytes: Bytes(bytes),
                shown,
                date: NaiveDate::from_num_days_from_ce_opt(days).unwrap(),
                escaped_key,
                other_key,
            },
        )
    }

    fn key() -> impl Strategy<Value = Key> {
        prop_oneof![
            4 => text().prop_map(Key::Str),
            1 => int([i8::MIN, 0, i8::MAX]).prop_map(Key::I8),
            1 => int([i16::MIN, 0, i16::MAX]).prop_map(Key::I16),
            1 => int([i32::MIN, 0, i32::MAX]).prop_map(Key::I32),
            1 => int([i64::MIN, 0, i64::MAX]).prop_map(Key::I64),
            1 => int([i128::MIN, 0, i128::MAX]).prop_map(Key::I128),
            1 => int([0, 1, u8::MAX]).prop_map(Key::U8),
            1 => int([0, 1, u16::MAX]).prop_map(Key::U16),
            1 => int([0, 1, u32::MAX]).prop_map(Key::U32),
            1 => int([0, 1, u64::MAX]).prop_map(Key::U64),
            1 => int([0, 1, u128::MAX]).prop_map(Key::U128),
            1 => f32s().prop_filter("finite", |f| f.is_finite()).prop_map(Key::F32),
            1 => f64s().prop_filter("finite", |f| f.is_finite()).prop_map(Key::F64),
            1 => any::<bool>().prop_map(Key::Bool),
            1 => any::<char>().prop_map(Key::Char),
            1 => prop::sample::select(vec![Color::Red, Color::Escaped]).prop_map(Key::Variant),
            1 => text().prop_map(|s| Key::Newtype(NewtypeStruct(s))),
            1 => text().prop_map(|s| Key::Some(Some(s))),
            1 => shown().prop_map(Key::Shown),
        ]
    }

    /// A `RawValue`: JSON text kept as it is, whitespace included.
    fn raw() -> impl Strategy<Value = Box<RawValue>> {
        prop_oneof![
            text().prop_map(|s| serde_json::to_string(&s).unwrap()),
            Just("[1, 2 ,\n3]".to_owned()),
            Just("{\"a\" : null}".to_owned()),
            any::<i64>().prop_map(|n| n.to_string()),
        ]
        .prop_map(|json| RawValue::from_string(json).unwrap())
    }

    fn node() -> impl Strategy<Value = Node> {
        let leaf = prop_oneof![
            Just(Node::Leaf),
            Just(Node::EscapedLeaf),
            scalars().prop_map(|s| Node::Scalars(Box::new(s))),
            (any::<u8>(), text()).prop_map(|(n, s)| Node::Pair(n, s)),
            Just(Node::NoElements()),
            Just(Node::NoFields {}),
            Just(Node::Tagged(Tagged::Plain)),
            (any::<u32>(), prop::option::of(text()))
                .prop_map(|(count, note)| { Node::Tagged(Tagged::WithFields { count, note }) }),
            scalars().prop_map(|s| Node::Tagged(Tagged::Wrapped(Box::new(s)))),
            prop::collection::btree_map(text(), any::<i32>(), 0..4)
                .prop_map(|m| Node::Tagged(Tagged::Mapped(m))),
            prop_oneof![
                Just(Adjacent::A),
                any::<i16>().prop_map(Adjacent::B),
                text().prop_map(|x| Adjacent::C { x }),
            ]
            .prop_map(Node::Adjacent),
            prop_oneof![
                any::<u64>().prop_map(Untagged::Number),
                text().prop_map(Untagged::Text),
            ]
            .prop_map(Node::Untagged),
            Just(Node::Unit(UnitStruct)),
            text().prop_map(|s| Node::Newtype(NewtypeStruct(s))),
            (any::<i32>(), text()).prop_map(|(n, s)| Node::TupleStruct(TupleStruct(n, s))),
            Just(Node::Empty(NoFields {})),
            (any::<i64>(), any::<bool>()).prop_map(|(n, b)| Node::Tuple((n, b, ()))),
            raw().prop_map(Node::Raw),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            let list = prop::collection::vec(inner.clone(), 0..6);
            prop_oneof![
                (text(), list.clone(), prop::option::of(inner.clone())).prop_map(
                    |(name, children, next)| Node::Fields {
                        name,
                        children,
                        next: next.map(Box::new),
                    }
                ),
                list.clone()
                    .prop_map(|inner| Node::Tagged(Tagged::Escaped { inner })),
                (any::<bool>(), prop::option::of(inner.clone())).prop_map(|(a, b)| {
                    Node::Untagged(Untagged::Record {
                        a,
                        b: b.map(Box::new),
                    })
                }),
                (
                    any::<u32>(),
                    prop::collection::btree_map(text(), inner.clone(), 0..4)
                )
                    .prop_map(|(id, rest)| Node::Flattened(Flattened { id, rest })),
                list.prop_map(Node::List),
                prop::collection::btree_map(text(), inner.clone(), 0..5).prop_map(Node::Strings),
                prop::collection::vec((key(), inner), 0..5)
                    .prop_map(|entries| Node::Keys(Entries(entries))),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn strings_are_written_as_serde_json_writes_them(s in text(), c in any::<char>()) {
            prop_assert_eq!(ours(&s), theirs(&s));
            prop_assert_eq!(ours(&c), theirs(&c));
            let shown = Shown(s.clone(), c, 7);
            prop_assert_eq!(ours(&shown), theirs(&shown));
            let keyed = BTreeMap::from([(s.clone(), &s)]);
            prop_assert_eq!(ours(&keyed), theirs(&keyed));
        }

        #[test]
        fn values_are_written_as_serde_json_writes_them(node in node()) {
            let ours = ours(&node);
            prop_assert!(ours.is_ok(), "{:?}", ours);
            prop_assert_eq!(ours, theirs(&node));
        }
    }

    #[test]
    fn integers_of_every_length_at_their_extremes() {
        let mut n: u128 = 1;
        while let Some(next) = n.checked_mul(10) {
            for v in [n - 1, n, n + 1] {
                assert_same(&v);
                if let Ok(v) = u64::try_from(v) {
                    assert_same(&[v]);
                    assert_same(&Entries(vec![(v, 0)]));
                }
                if let Ok(v) = i128::try_from(v) {
                    assert_same(&[v, -v]);
                    assert_same(&Entries(vec![(-v, 0)]));
                }
                if let Ok(v) = i64::try_from(v) {
                    assert_same(&[v, -v]);
                }
            }
            n = next;
        }
        assert_same(&(i8::MIN, i16::MIN, i32::MIN, i64::MIN, i128::MIN));
        assert_same(&(u8::MAX, u16::MAX, u32::MAX, u64::MAX, u128::MAX));
        assert_same(&Entries(vec![(i128::MIN, 1), (i128::MAX, 2)]));
        assert_same(&Entries(vec![(u128::MAX, 1)]));
    }

    #[test]
    fn every_control_character_and_the_bytes_left_as_they_are() {
        for c in (0u8..0x80).map(char::from).chain(['é', '\u{2028}', '😀']) {
            // Alone and at each position of an eight-byte word.
            let mut s = String::from(c);
            assert_same(&s);
            for _ in 0..9 {
                s.insert(0, 'a');
                assert_same(&s);
            }
        }
        // The exact escapes (serde_json's): short ones, and `\u00XX` in lowercase hex.
        assert_eq!(
            ours("\"\\/\u{8}\u{c}\n\r\t\u{0}\u{1f}\u{b}\u{7f}é").unwrap(),
            "\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0000\\u001f\\u000b\u{7f}é\""
        );
    }

    #[test]
    fn keys_that_are_not_strings_are_refused_as_serde_json_refuses_them() {
        assert_eq!(
            ours(&Entries(vec![((), 1)])),
            Err("key must be a string".to_owned())
        );
        assert_same(&Entries(vec![((), 1)]));
        assert_same(&Entries(vec![(None::<String>, 1)]));
        assert_same(&Entries(vec![(vec![1], 1)]));
        assert_same(&Entries(vec![(Bytes(vec![1]), 1)]));
        assert_same(&Entries(vec![(UnitStruct, 1)]));
        assert_same(&Entries(vec![(TupleStruct(1, String::new()), 1)]));
        assert_same(&Entries(vec![(NoFields {}, 1)]));
        assert_same(&Entries(vec![(Adjacent::B(1), 1)]));
        assert_same(&Entries(vec![(Node::Pair(1, String::new()), 1)]));
        assert_same(&Entries(vec![(Node::NoFields {}, 1)]));
        assert_same(&Entries(vec![(BTreeMap::<u8, u8>::new(), 1)]));
        assert_same(&Entries(vec![((1, 2), 1)]));
        let raw = RawValue::from_string("1".to_owned()).unwrap();
        assert_same(&Entries(vec![(raw, 1)]));
        for nan in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_same(&Entries(vec![(nan, 1)]));
            assert_same(&Entries(vec![(nan as f32, 1)]));
        }
        assert!(ours(&Entries(vec![(f64::NAN, 1)])).is_err());
    }

    /// A `Serialize` that announces a length of zero and writes elements anyway, and a
    /// struct that claims to be a `RawValue`: written or refused as serde_json does.
    #[test]
    fn lying_lengths_and_false_raw_values() {
        struct SeqLiar;
        impl Serialize for SeqLiar {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeSeq;
                let mut seq = serializer.serialize_seq(Some(0))?;
                seq.serialize_element(&1)?;
                seq.serialize_element(&2)?;
                seq.end()
            }
        }
        struct MapLiar;
        impl Serialize for MapLiar {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeStruct;
                let mut s = serializer.serialize_struct("MapLiar", 0)?;
                s.serialize_field("a", &1)?;
                s.end()
            }
        }
        struct FalseRaw(&'static str);
        impl Serialize for FalseRaw {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeStruct;
                let mut s = serializer.serialize_struct(RAW_VALUE, 1)?;
                s.serialize_field(self.0, &1)?;
                s.end()
            }
        }
        assert_eq!(ours(&SeqLiar).unwrap(), "[],1,2]");
        assert_same(&SeqLiar);
        assert_same(&MapLiar);
        assert_same(&[FalseRaw(RAW_VALUE)]);
        assert_same(&[FalseRaw("other")]);
        assert!(ours(&FalseRaw("other")).is_err());
    }

    /// A sink that records the size of each piece it is given, and fails when told to.
    struct Pieces {
        sizes: Vec<usize>,
        out: Vec<u8>,
        fail: bool,
    }

    impl io::Write for Pieces {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.fail {
                return Err(io::Error::new(io::ErrorKind::BrokenPipe, "closed"));
            }
            self.sizes.push(buf.len());
            self.out.extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_writer_gets_pieces_of_at_most_64_kib_and_its_errors() {
        let mut big: Vec<String> = (0..20_000).map(|i| format!("line {i}\n")).collect();
        big.push("x".repeat(3 * CHUNK));
        big.push("after".to_owned());
        let mut out = Pieces {
            sizes: Vec::new(),
            out: Vec::new(),
            fail: false,
        };
        to_sink(&big, &mut Writer(&mut out)).unwrap();
        assert_eq!(
            String::from_utf8(out.out).unwrap(),
            serde_json::to_string(&big).unwrap()
        );
        // Pieces of 64 KiB at most, but for the one string longer than that.
        assert!(out.sizes.len() > 3, "{:?}", out.sizes);
        let long: Vec<&usize> = out.sizes.iter().filter(|&&n| n > CHUNK).collect();
        assert_eq!(long.len(), 1, "{:?}", out.sizes);

        let mut failing = Pieces {
            sizes: Vec::new(),
            out: Vec::new(),
            fail: true,
        };
        let error = to_sink(&big, &mut Writer(&mut failing)).unwrap_err();
        assert!(std::error::Error::source(&error).is_some());
        let kind = error.into_io().map(|e| e.kind());
        assert_eq!(kind, Some(io::ErrorKind::BrokenPipe));
    }

    #[test]
    fn errors_say_what_failed_not_the_value() {
        let error = <Error as ser::Error>::custom("the custom message");
        assert_eq!(error.to_string(), "the custom message");
        assert!(std::error::Error::source(&error).is_none());
        assert!(error.into_io().is_none());

        /// A `Display` that fails without the sink failing.
        struct Broken;
        impl fmt::Display for Broken {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("secret")?;
                Err(fmt::Error)
            }
        }
        let mut sink = Vec::new();
        let mut serializer = Serializer {
            buf: Vec::new(),
            sink: &mut sink,
        };
        let error = ser::Serializer::collect_str(&mut serializer, &Broken).unwrap_err();
        assert!(!error.to_string().contains("secret"), "{error}");
    }
}
