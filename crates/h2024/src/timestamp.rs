//! Reading the request's timestamps (`start`, `end`, `clock_in`, `clock_out`): RFC 3339 date
//! and time with a UTC offset.
//!
//! What is accepted, and the value read, is exactly what `chrono` accepts and reads for a
//! `DateTime<FixedOffset>` (its relaxed RFC 3339 reading). The usual shape,
//! `2026-03-01T09:00:00-05:00` or `2026-03-01T14:00:00Z`, is read here directly: `chrono`'s
//! general reader takes about 1,800 instructions a timestamp (callgrind), a large part of
//! reading an encounter. Anything else (fractions of a second, a space or a lower-case `t`,
//! a leap second, an offset without a colon, an invalid date or time) goes to `chrono`, so
//! that it is accepted or refused, and read, as before.

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use serde::de::{self, Deserializer, Visitor};

/// Reads a timestamp field.
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<DateTime<FixedOffset>, D::Error> {
    deserializer.deserialize_str(TimestampVisitor)
}

/// Reads an optional timestamp field (`null` or absent: `None`).
pub(crate) fn option<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
    <Option<Timestamp> as serde::Deserialize>::deserialize(deserializer).map(|t| t.map(|t| t.0))
}

/// A timestamp read by [`deserialize`], for `Option`.
struct Timestamp(DateTime<FixedOffset>);

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize(deserializer).map(Timestamp)
    }
}

struct TimestampVisitor;

impl Visitor<'_> for TimestampVisitor {
    type Value = DateTime<FixedOffset>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an RFC 3339 date and time with a UTC offset")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        parse(text).map_err(E::custom)
    }
}

/// The timestamp `text` denotes, as `chrono` reads it.
pub(crate) fn parse(text: &str) -> Result<DateTime<FixedOffset>, chrono::ParseError> {
    match parse_usual(text.as_bytes()) {
        Some(t) => Ok(t),
        None => text.parse(),
    }
}

/// `YYYY-MM-DDTHH:MM:SS` then `Z` or `+HH:MM`/`-HH:MM`, every field valid; `None` for
/// anything else (including `-00:00`, which RFC 3339 gives a meaning of its own).
fn parse_usual(b: &[u8]) -> Option<DateTime<FixedOffset>> {
    if b.len() < 20 || [b[4], b[7], b[10], b[13], b[16]] != *b"--T::" {
        return None;
    }
    let offset = match &b[19..] {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (hours, minutes) = (two(*h1, *h2)?, two(*m1, *m2)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = i32::from(hours) * 3600 + i32::from(minutes) * 60;
            match sign {
                b'+' => seconds,
                _ if seconds == 0 => return None,
                _ => -seconds,
            }
        }
        _ => return None,
    };
    let year = i32::from(two(b[0], b[1])?) * 100 + i32::from(two(b[2], b[3])?);
    let (month, day) = (two(b[5], b[6])?, two(b[8], b[9])?);
    let (hour, minute, second) = (two(b[11], b[12])?, two(b[14], b[15])?, two(b[17], b[18])?);
    let local = NaiveDate::from_ymd_opt(year, month.into(), day.into())?.and_hms_opt(
        hour.into(),
        minute.into(),
        second.into(),
    )?;
    FixedOffset::east_opt(offset)?
        .from_local_datetime(&local)
        .single()
}

/// Two ASCII digits as a number.
fn two(tens: u8, units: u8) -> Option<u8> {
    let (t, u) = (tens.wrapping_sub(b'0'), units.wrapping_sub(b'0'));
    (t < 10 && u < 10).then(|| t * 10 + u)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A reading as the instant and the offset: `DateTime`'s `==` compares instants only.
    type Exact = Result<(i64, u32, i32), chrono::ParseError>;

    fn exact(t: Result<DateTime<FixedOffset>, chrono::ParseError>) -> Exact {
        t.map(|t| {
            let offset = t.offset().local_minus_utc();
            (t.timestamp(), t.timestamp_subsec_nanos(), offset)
        })
    }

    fn chrono(text: &str) -> Exact {
        exact(text.parse())
    }

    fn ours(text: &str) -> Exact {
        exact(parse(text))
    }

    #[test]
    fn the_usual_shapes_are_read_here() {
        for text in [
            "2026-03-01T09:00:00-05:00",
            "2026-03-01T14:00:00Z",
            "0000-01-01T00:00:00+23:59",
            "9999-12-31T23:59:59-23:59",
            "2024-02-29T12:30:45+05:30",
        ] {
            assert!(parse_usual(text.as_bytes()).is_some(), "{text}");
            assert_eq!(ours(text), chrono(text), "{text}");
            assert!(chrono(text).is_ok(), "{text}");
        }
    }

    #[test]
    fn other_shapes_go_to_chrono() {
        for text in [
            "2026-03-01T09:00:00.5-05:00",
            "2026-03-01 09:00:00-05:00",
            "2026-03-01t09:00:00z",
            "2026-03-01T09:00:00-0500",
            "2026-03-01T09:00:00-00:00",
            "2026-03-01T23:59:60Z",
            "2023-02-29T09:00:00Z",
            "2026-03-01T24:00:00Z",
            "2026-03-01T09:00:00+24:00",
            "+12026-03-01T09:00:00Z",
            "2026-03-01T09:00:00",
            "",
        ] {
            assert_eq!(parse_usual(text.as_bytes()), None, "{text}");
            assert_eq!(ours(text), chrono(text), "{text}");
        }
    }

    /// Strings of the usual shape with any digits: ours and chrono's answers agree (both
    /// read the same instant and offset, or both refuse).
    fn usual_shape() -> impl Strategy<Value = String> {
        (
            (0u32..=9999, 0u32..=13, 0u32..=32),
            (0u32..=25, 0u32..=61, 0u32..=61),
            prop_oneof![
                Just(None),
                (any::<bool>(), 0u32..=25, 0u32..=61).prop_map(Some)
            ],
        )
            .prop_map(|((y, mo, d), (h, mi, s), offset)| {
                let offset = match offset {
                    None => "Z".to_owned(),
                    Some((plus, oh, om)) => {
                        format!("{}{oh:02}:{om:02}", if plus { '+' } else { '-' })
                    }
                };
                format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{offset}")
            })
    }

    proptest! {
        #[test]
        fn agrees_with_chrono_on_the_usual_shape(text in usual_shape()) {
            prop_assert_eq!(ours(&text), chrono(&text));
            if parse_usual(text.as_bytes()).is_some() {
                prop_assert!(chrono(&text).is_ok());
            }
        }

        #[test]
        fn agrees_with_chrono_on_any_text(text in "[-+0-9T:Zzt .]{0,30}") {
            prop_assert_eq!(ours(&text), chrono(&text));
        }

        #[test]
        fn agrees_with_chrono_near_the_usual_shape(
            text in usual_shape(),
            at in 0usize..26,
            byte in prop::sample::select(b"0123456789-+:TZtz .".to_vec()),
        ) {
            let mut bytes = text.into_bytes();
            let at = at.min(bytes.len() - 1);
            bytes[at] = byte;
            let text = String::from_utf8(bytes).unwrap();
            prop_assert_eq!(ours(&text), chrono(&text));
        }
    }

    #[test]
    fn reads_through_serde_as_chrono_does() {
        #[derive(serde::Deserialize)]
        struct Times {
            #[serde(deserialize_with = "deserialize")]
            at: DateTime<FixedOffset>,
            #[serde(default, deserialize_with = "option")]
            maybe: Option<DateTime<FixedOffset>>,
        }
        let t: Times =
            serde_json::from_str(r#"{"at": "2026-03-01T09:00:00-05:00", "maybe": null}"#).unwrap();
        assert_eq!(exact(Ok(t.at)), chrono("2026-03-01T09:00:00-05:00"));
        assert_eq!(t.maybe, None);
        let t: Times = serde_json::from_str(
            r#"{"at": "2026-03-01T09:00:00.25Z", "maybe": "2026-03-01T09:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(exact(Ok(t.at)), chrono("2026-03-01T09:00:00.25Z"));
        assert_eq!(
            t.maybe.map(|m| exact(Ok(m))),
            Some(chrono("2026-03-01T09:00:00Z"))
        );
        assert!(serde_json::from_str::<Times>(r#"{"at": "2026-02-30T09:00:00Z"}"#).is_err());
        assert!(serde_json::from_str::<Times>(r#"{"at": 5}"#).is_err());
    }
}
