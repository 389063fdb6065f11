//! Diagnosis codes: ICD-10-CM, as an encounter lists them and a claim carries them (837P
//! HI, CMS-1500 box 21).
//!
//! An ICD-10-CM code is three to seven characters: a letter, a digit, a letter or digit
//! (the category), then up to four letters or digits, written after a dot
//! (`docs/rules.md`, "Diagnoses"; CMS, "ICD-10-CM Official Guidelines for Coding and
//! Reporting", Section I.A, and CMS ICD-10 code structure). This library checks the shape,
//! not whether the code exists in the current year's code set.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The most characters of an ICD-10-CM code, without its dot.
const MAX_CHARS: usize = 7;

/// The most diagnoses one claim carries (837P HI01-HI12; CMS-1500 box 21, A-L).
pub const MAX_CLAIM_DIAGNOSES: usize = 12;

/// A well-formed ICD-10-CM code.
///
/// Parsing accepts the code with or without its dot and in either case; it is stored in
/// upper case without the dot, so `F84.0` and `f840` are the same code. It is written in
/// JSON with the dot after the third character (`F84.0`), and on an 837P without it
/// ([`Diagnosis::as_x12`], `F840`).
///
/// ```
/// use h2024::Diagnosis;
/// let d: Diagnosis = "F84.0".parse()?;
/// assert_eq!(d.to_string(), "F84.0");
/// assert_eq!(d.as_x12(), "F840");
/// assert_eq!("f840".parse::<Diagnosis>()?, d);
/// assert_eq!("F70".parse::<Diagnosis>()?.to_string(), "F70");
/// assert!("F8".parse::<Diagnosis>().is_err()); // too short
/// assert!("F84.".parse::<Diagnosis>().is_err()); // a dot needs characters after it
/// assert!("84.0".parse::<Diagnosis>().is_err()); // a letter first
/// assert!("F84.01234".parse::<Diagnosis>().is_err()); // at most four after the dot
/// # Ok::<(), h2024::InvalidDiagnosis>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Diagnosis {
    chars: [u8; MAX_CHARS],
    len: u8,
}

/// Text that is not a well-formed ICD-10-CM code. The message does not repeat the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "an ICD-10-CM code is a letter, a digit, a letter or digit, then up to four more after an optional dot"
)]
pub struct InvalidDiagnosis;

impl Diagnosis {
    /// The code without its dot, as the 837P writes it (`F840`).
    pub fn as_x12(&self) -> &str {
        // Every constructor checks the bytes are ASCII letters and digits.
        std::str::from_utf8(&self.chars[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl FromStr for Diagnosis {
    type Err = InvalidDiagnosis;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = s.as_bytes();
        let (category, rest) = bytes.split_at_checked(3).ok_or(InvalidDiagnosis)?;
        let rest = match rest.split_first() {
            Some((b'.', [])) => return Err(InvalidDiagnosis),
            Some((b'.', after)) => after,
            _ => rest,
        };
        if rest.len() > MAX_CHARS - 3
            || !category[0].is_ascii_alphabetic()
            || !category[1].is_ascii_digit()
            || !category[2].is_ascii_alphanumeric()
            || !rest.iter().all(u8::is_ascii_alphanumeric)
        {
            return Err(InvalidDiagnosis);
        }
        let mut chars = [0u8; MAX_CHARS];
        for (to, from) in chars.iter_mut().zip(category.iter().chain(rest)) {
            *to = from.to_ascii_uppercase();
        }
        Ok(Diagnosis {
            chars,
            // At most seven.
            len: (3 + rest.len()) as u8,
        })
    }
}

impl fmt::Display for Diagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self.as_x12();
        match code.split_at_checked(3) {
            Some((category, rest)) if !rest.is_empty() => write!(f, "{category}.{rest}"),
            _ => f.write_str(code),
        }
    }
}

impl fmt::Debug for Diagnosis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Diagnosis({self})")
    }
}

impl Serialize for Diagnosis {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Diagnosis {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Diagnosis {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Diagnosis".into()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        "h2024::Diagnosis".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "An ICD-10-CM diagnosis code: a letter, a digit, a letter or digit, then up to four more letters or digits after an optional dot (any case).",
            "pattern": "^[A-Za-z][0-9][0-9A-Za-z](?:\\.?[0-9A-Za-z]{1,4})?$",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        for ok in [
            "F70", "F84.0", "F840", "Z13.40", "S72.001A", "s72001a", "U07.1",
        ] {
            assert!(ok.parse::<Diagnosis>().is_ok(), "{ok}");
        }
        for bad in [
            "",
            "F",
            "F8",
            "F84.",
            "F.840",
            "8F4",
            "FF4",
            "F8-0",
            "F84.0.1",
            "F84.01234",
            "F8401234",
            "F84 0",
            "É84",
            "F84.0 ",
        ] {
            assert_eq!(bad.parse::<Diagnosis>(), Err(InvalidDiagnosis), "{bad:?}");
        }
        let long: Diagnosis = "S72.001A".parse().unwrap();
        assert_eq!(long.as_x12(), "S72001A");
        assert_eq!(long.to_string(), "S72.001A");
        assert_eq!("s72001a".parse::<Diagnosis>().unwrap(), long);
    }

    #[test]
    fn json_round_trip_is_dotted() {
        let d: Diagnosis = serde_json::from_str(r#""f840""#).unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), r#""F84.0""#);
        let err = serde_json::from_str::<Diagnosis>(r#""Jane Doe""#).unwrap_err();
        assert!(!err.to_string().contains("Jane"), "{err}");
    }
}
