//! The envelope: what an 837P needs that the engine never sees (`docs/x12.md`,
//! "The envelope"): the interchange's ids, control numbers and date, the submitter, the
//! receiver, the billing provider, the payer, each patient's subscriber data and,
//! optionally, the rendering providers' NPIs. The caller supplies it beside a response.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::x12::{Separators, X12Error, npi_is_valid};

/// Everything the 837P needs beyond a response. Read it with [`Envelope::from_json`]
/// (objects only; errors name the path, never the value); the writer checks it again
/// against its separators before writing anything.
///
/// The JSON of the shipped example is `crates/h2024/examples/x12/envelope.json`;
/// `docs/x12.md` maps every field to its 837P element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Envelope {
    /// The interchange and functional group: ids, control numbers, date and usage.
    pub interchange: Interchange,
    /// CLM01 of each claim is this prefix and the claim's position in `Response.claims`
    /// from 1 (at most 30 characters; may be empty). Choose one unique per batch, so that
    /// the payer's remittance can be matched back to the claim.
    #[serde(default)]
    pub claim_id_prefix: String,
    /// Loop 1000A: who sends the claims.
    pub submitter: Submitter,
    /// Loop 1000B: who receives them (the payer or clearinghouse).
    pub receiver: Receiver,
    /// Loop 2010AA: the billing provider.
    pub billing_provider: BillingProvider,
    /// Loop 2010BB: the payer.
    pub payer: Payer,
    /// Loops 2000B/2010BA: for each patient of the response (by the patient's id), the
    /// subscriber. The patient is taken to be the subscriber (SBR02 `18`, self).
    pub subscribers: Vec<Subscriber>,
    /// Loop 2420A: the rendering provider of each line whose provider is listed here (by
    /// the provider's id). A line whose provider is not listed was rendered by the
    /// billing provider.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rendering_providers: Vec<RenderingProvider>,
    /// The separators (default `*`, `:`, `^`, `~`).
    #[serde(default)]
    pub separators: Separators,
}

/// ISA, GS, ST and BHT: the interchange's parties, control numbers and date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Interchange {
    /// ISA05: the sender id's qualifier (`ZZ`, mutually defined, by default; or `01`, `14`,
    /// `20`, `27`, `28`, `29`, `30`, `33`).
    #[serde(default = "zz")]
    pub sender_qualifier: String,
    /// ISA06 and GS02: the sender's id (2-15 characters).
    pub sender_id: String,
    /// ISA07: the receiver id's qualifier (as `sender_qualifier`).
    #[serde(default = "zz")]
    pub receiver_qualifier: String,
    /// ISA08 and GS03: the receiver's id (2-15 characters).
    pub receiver_id: String,
    /// ISA13 and IEA02 (1 to 999999999, written with nine digits).
    pub control_number: u32,
    /// GS06 and GE02 (1 to 999999999).
    pub group_control_number: u32,
    /// ST02 and SE02 (1 to 999999999, written with at least four digits).
    pub transaction_control_number: u32,
    /// When the interchange was created (ISA09-10, GS04-05, BHT04-05): the engine reads
    /// no clock.
    pub created: NaiveDateTime,
    /// ISA15: `test` (the default) or `production`.
    #[serde(default)]
    pub usage: Usage,
    /// ISA14: whether the sender asks for an interchange acknowledgment (TA1).
    #[serde(default)]
    pub acknowledgment_requested: bool,
    /// BHT03: the sender's id for this batch (1-50 characters).
    pub batch_id: String,
}

fn zz() -> String {
    "ZZ".to_owned()
}

/// Whether the interchange is a test or production data (ISA15).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Usage {
    /// `T`.
    #[default]
    Test,
    /// `P`.
    Production,
}

/// Loop 1000A.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Submitter {
    /// NM103: the organization's name (1-60 characters).
    pub name: String,
    /// NM109: the submitter's id with the receiver (2-80 characters).
    pub id: String,
    /// PER02: whom to contact (1-60 characters), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_name: Option<String>,
    /// PER04: their telephone number, ten digits.
    pub phone: String,
    /// PER06: their e-mail address (1-256 characters), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// Loop 1000B.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Receiver {
    /// NM103 (1-60 characters).
    pub name: String,
    /// NM109 (2-80 characters).
    pub id: String,
}

/// A street address (N3, N4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Address {
    /// N301 (1-55 characters).
    pub line1: String,
    /// N302 (1-55 characters), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// N401 (2-30 characters).
    pub city: String,
    /// N402: the two-letter state code.
    pub state: String,
    /// N403: five or nine digits (the billing provider's: nine).
    pub postal_code: String,
}

/// Whether a tax id is an employer identification number or a social security number
/// (REF01 `EI` or `SY`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TaxIdType {
    /// `EI`: an employer identification number.
    #[default]
    Ein,
    /// `SY`: a social security number.
    Ssn,
}

/// Loop 2000A/2010AA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct BillingProvider {
    /// NM103: the organization's name, or a person's last name (1-60 characters).
    pub name: String,
    /// NM104: a person's first name (1-35 characters); given, the provider is a person
    /// (NM102 `1`), otherwise an organization (`2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// NM109: the NPI (ten digits, Luhn check digit with prefix 80840).
    pub npi: String,
    /// REF02: the tax id, nine digits.
    pub tax_id: String,
    /// REF01: `ein` (default) or `ssn`.
    #[serde(default)]
    pub tax_id_type: TaxIdType,
    /// PRV03: the provider taxonomy code (ten characters), if the payer wants it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxonomy: Option<String>,
    /// N3/N4: a street address (no post office box), with a nine-digit ZIP code.
    pub address: Address,
}

/// Loop 2010BB.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Payer {
    /// NM103 (1-60 characters).
    pub name: String,
    /// NM109: the payer id (2-80 characters).
    pub id: String,
    /// SBR09: the claim filing indicator code (`MC` Medicaid, `CI` commercial, `MB`
    /// Medicare Part B, ... one of the 837P's list).
    pub claim_filing: String,
}

/// The sex on a subscriber's record (DMG03).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Sex {
    /// `F`.
    F,
    /// `M`.
    M,
    /// `U`: unknown.
    U,
}

impl Sex {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Sex::F => "F",
            Sex::M => "M",
            Sex::U => "U",
        }
    }
}

/// Loops 2000B/2010BA for one patient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Subscriber {
    /// The patient's id, as in the request and the response.
    pub patient: String,
    /// NM103 (1-60 characters).
    pub last_name: String,
    /// NM104 (1-35 characters), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// NM105 (1-25 characters), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// NM109: the member id with the payer (2-80 characters).
    pub member_id: String,
    /// DMG02.
    pub birth_date: NaiveDate,
    /// DMG03: `F`, `M` or `U`.
    pub sex: Sex,
    /// N3/N4.
    pub address: Address,
}

/// Loop 2420A for the lines of one provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RenderingProvider {
    /// The provider's id, as in the request and the response.
    pub provider: String,
    /// NM103 (1-60 characters).
    pub last_name: String,
    /// NM104 (1-35 characters), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// NM109: the NPI.
    pub npi: String,
    /// PRV03: the provider taxonomy code, if the payer wants it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxonomy: Option<String>,
}

/// The claim filing indicator codes of the 837P (SBR09).
const CLAIM_FILING_CODES: [&str; 23] = [
    "11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS", "FI", "HM", "LM", "MA",
    "MB", "MC", "OF", "TV", "VA", "WC", "ZZ",
];

/// The interchange id qualifiers of the 837P (ISA05, ISA07).
const ID_QUALIFIERS: [&str; 9] = ["01", "14", "20", "27", "28", "29", "30", "33", "ZZ"];

/// The US state, district and territory codes (N402): the 50 states, DC, the territories
/// and the military post codes.
const STATES: [&str; 62] = [
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
    "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY",
    "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV",
    "WI", "WY", "DC", "AS", "GU", "MP", "PR", "VI", "UM", "FM", "MH", "PW", "AA", "AE",
];

/// The highest control number (nine digits).
const MAX_CONTROL_NUMBER: u32 = 999_999_999;

/// Checks one text element: `min`-`max` characters, writable with `seps`.
fn text(
    path: &str,
    value: &str,
    min: usize,
    max: usize,
    seps: &Separators,
) -> Result<(), X12Error> {
    if !seps.writable(value) {
        return Err(X12Error::HoldsSeparator {
            path: path.to_owned(),
        });
    }
    let len = value.len();
    if len < min || len > max || value.trim() != value {
        return Err(X12Error::invalid(
            path,
            format!("must be {min}-{max} characters, without leading or trailing spaces"),
        ));
    }
    Ok(())
}

fn optional(
    path: &str,
    value: &Option<String>,
    min: usize,
    max: usize,
    seps: &Separators,
) -> Result<(), X12Error> {
    value
        .as_deref()
        .map_or(Ok(()), |v| text(path, v, min, max, seps))
}

fn digits(path: &str, value: &str, counts: &[usize], what: &str) -> Result<(), X12Error> {
    if counts.contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(X12Error::invalid(path, format!("must be {what}")))
    }
}

fn npi(path: &str, value: &str) -> Result<(), X12Error> {
    if npi_is_valid(value) {
        Ok(())
    } else {
        Err(X12Error::invalid(
            path,
            "must be a National Provider Identifier: ten digits whose last is the Luhn check digit (prefix 80840)",
        ))
    }
}

fn taxonomy(path: &str, value: &Option<String>) -> Result<(), X12Error> {
    match value {
        Some(t) if t.len() != 10 || !t.bytes().all(|b| b.is_ascii_alphanumeric()) => Err(
            X12Error::invalid(path, "must be a ten-character provider taxonomy code"),
        ),
        _ => Ok(()),
    }
}

fn address(path: &str, a: &Address, zip9: bool, seps: &Separators) -> Result<(), X12Error> {
    text(&format!("{path}.line1"), &a.line1, 1, 55, seps)?;
    optional(&format!("{path}.line2"), &a.line2, 1, 55, seps)?;
    text(&format!("{path}.city"), &a.city, 2, 30, seps)?;
    if !STATES.contains(&a.state.as_str()) {
        return Err(X12Error::invalid(
            format!("{path}.state"),
            "must be a two-letter US state code, in capitals",
        ));
    }
    let zip = format!("{path}.postal_code");
    if zip9 {
        digits(&zip, &a.postal_code, &[9], "nine digits (ZIP+4)")
    } else {
        digits(&zip, &a.postal_code, &[5, 9], "five or nine digits")
    }
}

impl Envelope {
    /// Reads an envelope from JSON, as requests are read: objects only, unknown fields
    /// refused, errors naming the path and never the value. The values are checked by
    /// [`Envelope::check`] (the writer calls it).
    ///
    /// ```
    /// use h2024::x12::Envelope;
    /// let err = Envelope::from_json(r#"{"interchange": {}}"#).unwrap_err();
    /// assert_eq!(err.path(), Some("interchange.sender_id"));
    /// ```
    ///
    /// # Errors
    ///
    /// [`X12Error::Envelope`] for text that is not JSON or not of the envelope's shape.
    pub fn from_json(json: &str) -> Result<Envelope, X12Error> {
        crate::strict::from_str(json).map_err(|f| X12Error::Envelope {
            path: f.path,
            message: f.message,
        })
    }

    /// Checks every value against the 837P: lengths, digits, codes, NPIs by their check
    /// digit, and no separator in any text.
    ///
    /// # Errors
    ///
    /// The first problem, with its path ([`X12Error::Invalid`],
    /// [`X12Error::HoldsSeparator`]).
    pub fn check(&self) -> Result<(), X12Error> {
        self.checked_index().map(|_| ())
    }

    /// [`Envelope::check`], and the subscribers' and rendering providers' positions sorted
    /// by patient and provider id, for lookups by binary search.
    pub(crate) fn checked_index(&self) -> Result<Index, X12Error> {
        let seps = &self.separators;
        seps.check()?;
        let i = &self.interchange;
        for (path, q) in [
            ("interchange.sender_qualifier", &i.sender_qualifier),
            ("interchange.receiver_qualifier", &i.receiver_qualifier),
        ] {
            if !ID_QUALIFIERS.contains(&q.as_str()) {
                return Err(X12Error::invalid(
                    path,
                    format!("must be one of {}", ID_QUALIFIERS.join(", ")),
                ));
            }
        }
        text("interchange.sender_id", &i.sender_id, 2, 15, seps)?;
        text("interchange.receiver_id", &i.receiver_id, 2, 15, seps)?;
        for (path, n) in [
            ("interchange.control_number", i.control_number),
            ("interchange.group_control_number", i.group_control_number),
            (
                "interchange.transaction_control_number",
                i.transaction_control_number,
            ),
        ] {
            if n == 0 || n > MAX_CONTROL_NUMBER {
                return Err(X12Error::invalid(path, "must be between 1 and 999999999"));
            }
        }
        use chrono::Datelike;
        if !(1000..=9999).contains(&i.created.year()) {
            return Err(X12Error::invalid(
                "interchange.created",
                "must be in the years 1000 to 9999",
            ));
        }
        text("interchange.batch_id", &i.batch_id, 1, 50, seps)?;
        text("claim_id_prefix", &self.claim_id_prefix, 0, 30, seps)?;

        let s = &self.submitter;
        text("submitter.name", &s.name, 1, 60, seps)?;
        text("submitter.id", &s.id, 2, 80, seps)?;
        optional("submitter.contact_name", &s.contact_name, 1, 60, seps)?;
        digits("submitter.phone", &s.phone, &[10], "ten digits")?;
        optional("submitter.email", &s.email, 1, 256, seps)?;

        text("receiver.name", &self.receiver.name, 1, 60, seps)?;
        text("receiver.id", &self.receiver.id, 2, 80, seps)?;

        let b = &self.billing_provider;
        text("billing_provider.name", &b.name, 1, 60, seps)?;
        optional("billing_provider.first_name", &b.first_name, 1, 35, seps)?;
        npi("billing_provider.npi", &b.npi)?;
        digits("billing_provider.tax_id", &b.tax_id, &[9], "nine digits")?;
        taxonomy("billing_provider.taxonomy", &b.taxonomy)?;
        address("billing_provider.address", &b.address, true, seps)?;

        let p = &self.payer;
        text("payer.name", &p.name, 1, 60, seps)?;
        text("payer.id", &p.id, 2, 80, seps)?;
        if !CLAIM_FILING_CODES.contains(&p.claim_filing.as_str()) {
            return Err(X12Error::invalid(
                "payer.claim_filing",
                format!("must be one of {}", CLAIM_FILING_CODES.join(", ")),
            ));
        }

        for (k, sub) in self.subscribers.iter().enumerate() {
            let at = |field: &str| format!("subscribers[{k}].{field}");
            text(&at("last_name"), &sub.last_name, 1, 60, seps)?;
            optional(&at("first_name"), &sub.first_name, 1, 35, seps)?;
            optional(&at("middle_name"), &sub.middle_name, 1, 25, seps)?;
            text(&at("member_id"), &sub.member_id, 2, 80, seps)?;
            if !(1000..=9999).contains(&sub.birth_date.year()) {
                return Err(X12Error::invalid(
                    at("birth_date"),
                    "must be in the years 1000 to 9999",
                ));
            }
            address(&at("address"), &sub.address, false, seps)?;
        }
        for (k, r) in self.rendering_providers.iter().enumerate() {
            let at = |field: &str| format!("rendering_providers[{k}].{field}");
            text(&at("last_name"), &r.last_name, 1, 60, seps)?;
            optional(&at("first_name"), &r.first_name, 1, 35, seps)?;
            npi(&at("npi"), &r.npi)?;
            taxonomy(&at("taxonomy"), &r.taxonomy)?;
        }
        let subscribers = sorted(&self.subscribers, |s| &s.patient).map_err(|k| {
            X12Error::invalid(
                format!("subscribers[{k}].patient"),
                "another subscriber names the same patient",
            )
        })?;
        let rendering = sorted(&self.rendering_providers, |r| &r.provider).map_err(|k| {
            X12Error::invalid(
                format!("rendering_providers[{k}].provider"),
                "another entry names the same provider",
            )
        })?;
        Ok(Index {
            subscribers,
            rendering,
        })
    }

    /// The subscriber of `patient`, through `index`.
    pub(crate) fn subscriber(&self, index: &Index, patient: &str) -> Option<&Subscriber> {
        find(&self.subscribers, &index.subscribers, patient, |s| {
            &s.patient
        })
    }

    /// The rendering provider of `provider`, through `index`.
    pub(crate) fn rendering(&self, index: &Index, provider: &str) -> Option<&RenderingProvider> {
        find(&self.rendering_providers, &index.rendering, provider, |r| {
            &r.provider
        })
    }
}

/// Positions of the subscribers and rendering providers, sorted by id.
pub(crate) struct Index {
    subscribers: Vec<usize>,
    rendering: Vec<usize>,
}

/// Positions of `items` sorted by `key`; `Err` with the position of the later of two
/// entries with equal keys.
fn sorted<T>(items: &[T], key: impl Fn(&T) -> &String) -> Result<Vec<usize>, usize> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| key(&items[a]).cmp(key(&items[b])).then(a.cmp(&b)));
    match order
        .windows(2)
        .find(|w| key(&items[w[0]]) == key(&items[w[1]]))
    {
        Some(w) => Err(w[1]),
        None => Ok(order),
    }
}

fn find<'a, T>(
    items: &'a [T],
    order: &[usize],
    id: &str,
    key: impl Fn(&T) -> &String,
) -> Option<&'a T> {
    let at = order.partition_point(|&i| key(&items[i]).as_str() < id);
    order
        .get(at)
        .map(|&i| &items[i])
        .filter(|item| key(item) == id)
}
