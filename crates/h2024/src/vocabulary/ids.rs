//! The caller's identifiers: of patients, providers and encounters.
//!
//! An [`Id`] is read once from the request and then shared, not copied, by every line,
//! decision, claim and finding that names it: cloning one is a reference-count increment.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A patient's, provider's or encounter's id, as the caller wrote it: text, shared by every
/// value that names it. It reads as a `str` (`Deref`, `AsRef`, `Display`), compares with
/// `str`, `&str` and `String`, and is written in JSON as a string.
///
/// The type holds any text, so that a request is read whole; the engine then checks the
/// length (at most [`MAX_ID_CHARS`](crate::MAX_ID_CHARS) characters): an encounter with a
/// longer id is an `invalid_encounter` that names the field, a patient or provider with one
/// refuses the request (README, "Errors").
///
/// ```
/// use h2024::Id;
/// let id = Id::from("e1");
/// let again = id.clone(); // shared, not copied
/// assert_eq!(again, "e1");
/// assert_eq!(again.as_str(), "e1");
/// assert_eq!(serde_json::to_string(&id).unwrap(), r#""e1""#);
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id(Arc<str>);

impl Id {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Id {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Id {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Id {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Id {
    fn from(text: &str) -> Id {
        Id(Arc::from(text))
    }
}

impl From<String> for Id {
    fn from(text: String) -> Id {
        Id(Arc::from(text))
    }
}

impl From<&String> for Id {
    fn from(text: &String) -> Id {
        Id::from(text.as_str())
    }
}

impl From<Id> for String {
    fn from(id: Id) -> String {
        id.0.to_string()
    }
}

impl PartialEq<str> for Id {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Id {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<String> for Id {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Id> for str {
    fn eq(&self, other: &Id) -> bool {
        *self == *other.0
    }
}

impl PartialEq<Id> for &str {
    fn eq(&self, other: &Id) -> bool {
        **self == *other.0
    }
}

impl PartialEq<Id> for String {
    fn eq(&self, other: &Id) -> bool {
        **self == *other.0
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Id, D::Error> {
        struct IdVisitor;

        impl Visitor<'_> for IdVisitor {
            type Value = Id;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an id (a string)")
            }

            // Borrowed or not, the text is copied once, into the shared allocation.
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Id, E> {
                Ok(Id::from(text))
            }
        }

        deserializer.deserialize_str(IdVisitor)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Id {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        String::schema_name()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        String::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use proptest::prelude::*;

    use super::Id;

    proptest! {
        /// An id compares, orders and hashes as its text (so maps of ids can be searched by
        /// `&str`), and its JSON is the JSON of its text, read back to the same id.
        #[test]
        fn an_id_behaves_as_its_text(a in ".{0,12}", b in ".{0,12}") {
            let (x, y) = (Id::from(a.as_str()), Id::from(b.clone()));
            prop_assert_eq!(x == y, a == b);
            prop_assert_eq!(x == *b.as_str(), a == b);
            prop_assert_eq!(x == b.as_str(), a == b);
            prop_assert_eq!(x == b, a == b);
            prop_assert_eq!(b == x, a == b);
            prop_assert_eq!(x.cmp(&y), a.cmp(&b));
            prop_assert_eq!(x.as_str(), a.as_str());
            prop_assert_eq!(x.to_string(), a.clone());
            prop_assert_eq!(format!("{x:?}"), format!("{a:?}"));
            let set: HashSet<Id> = [x.clone()].into();
            prop_assert!(set.contains(a.as_str()));
            prop_assert_eq!(set.contains(b.as_str()), a == b);
            let json = serde_json::to_string(&x).unwrap();
            prop_assert_eq!(&json, &serde_json::to_string(&a).unwrap());
            prop_assert_eq!(serde_json::from_str::<Id>(&json).unwrap(), x);
        }
    }

    /// A clone shares the text; it is not a copy.
    #[test]
    fn a_clone_shares_the_text() {
        let id = Id::from("e1");
        let clone = id.clone();
        assert!(std::ptr::eq(id.as_str(), clone.as_str()));
        assert_eq!(String::from(clone), "e1");
    }

    /// Only a string is an id.
    #[test]
    fn only_a_string_is_an_id() {
        for json in ["1", "null", "[]", "{}", "true"] {
            assert!(serde_json::from_str::<Id>(json).is_err(), "{json}");
        }
        assert_eq!(serde_json::from_str::<Id>(r#""a\"b""#).unwrap(), "a\"b");
    }
}
