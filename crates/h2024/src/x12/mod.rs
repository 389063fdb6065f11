//! X12 837P (health care claim: professional, 005010X222A1) from a response and an
//! [`Envelope`]: the interchange a practice sends its payer or clearinghouse
//! (`docs/x12.md` maps every response and envelope field to its element and CMS-1500 box).
//!
//! A response carries what the engine decides: claims (loop 2300: total charge, place of
//! service, diagnoses) and their lines (loop 2400: code and modifiers, charge, units, place
//! of service, diagnosis pointers, date of service, authorization number; each line's
//! loop is also in `Line::x12`). The envelope carries what the engine never sees: the
//! interchange's ids and control numbers, the submitter, receiver, billing provider and
//! payer, and each patient's subscriber data (name, member id, birth date, sex, address).
//!
//! [`write_837p`] checks everything first, naming the path of the first problem and never
//! a value, and only then writes, as it goes, to any [`io::Write`]: one pass over the
//! claims and lines, constant work per line.
//!
//! Written (in order): ISA, GS, ST, BHT; 1000A (NM1*41, PER), 1000B (NM1*40); 2000A (HL,
//! PRV when a taxonomy is given), 2010AA (NM1*85, N3, N4, REF tax id); per patient, 2000B
//! (HL, SBR: primary, self), 2010BA (NM1*IL, N3, N4, DMG), 2010BB (NM1*PR); per claim,
//! 2300 (CLM, HI) and per line 2400 (LX, SV1, DTP*472, REF*G1) with 2420A (NM1*82, PRV)
//! when the envelope lists the line's provider; SE, GE, IEA. A patient with more than 100
//! claims (the 837P's limit per 2000B) gets another 2000B loop.

mod envelope;
mod error;
pub(crate) mod segments;

use std::io::{self, Write as _};

pub use envelope::{
    Address, BillingProvider, Envelope, Interchange, Payer, Receiver, RenderingProvider, Sex,
    Submitter, Subscriber, TaxIdType, Usage,
};
pub use error::X12Error;
pub use segments::{Dollars, Separators};

use crate::response::{MAX_CLAIM_DIAGNOSES, MAX_CLAIM_LINES, Response};
use segments::{Segments, Sink, amount_fits, line_gap, service_line};

/// The most claims one 2000B (subscriber) loop holds (837P loop 2300, repeated at most
/// 100 times).
pub const MAX_CLAIMS_PER_SUBSCRIBER: usize = 100;

/// The most characters of a claim id (CLM01, data element 1028).
const MAX_CLAIM_ID_CHARS: usize = 38;

/// Whether `npi` is a National Provider Identifier: ten digits whose last is the Luhn
/// check digit of the first nine, computed with the prefix 80840 (CMS, "Requirements for
/// National Provider Identifier (NPI) and NPI Enumerator Check Digit Calculation";
/// `docs/x12.md`, "NPI").
///
/// ```
/// use h2024::x12::npi_is_valid;
/// assert!(npi_is_valid("1234567893"));  // CMS's worked example
/// assert!(!npi_is_valid("1234567890")); // wrong check digit
/// assert!(!npi_is_valid("123456789"));  // nine digits
/// ```
pub fn npi_is_valid(npi: &str) -> bool {
    let bytes = npi.as_bytes();
    if bytes.len() != 10 || !bytes.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = b"80840"
        .iter()
        .chain(bytes)
        .rev()
        .enumerate()
        .map(|(i, &b)| {
            let d = u32::from(b - b'0');
            match (i % 2, d * 2) {
                (1, twice) if twice > 9 => twice - 9,
                (1, twice) => twice,
                _ => d,
            }
        })
        .sum();
    sum % 10 == 0
}

/// Writes the 837P interchange of `response`'s claims with `envelope` to `out`.
///
/// Everything is checked before the first byte is written: the envelope
/// ([`Envelope::check`]), and that every claim has a subscriber, a diagnosis and a total,
/// and every line a charge and a diagnosis pointer and an authorization number REF02 can
/// carry. Then the interchange is written as it goes (through a buffer), linear in the
/// lines.
///
/// ```
/// use h2024::{Engine, Request};
/// use h2024::x12::{Envelope, write_837p};
/// let engine = Engine::with_state_packs();
/// let request = Request::from_json(include_str!("../../examples/x12/request.json"))?;
/// let response = engine.evaluate(&request);
/// let envelope = Envelope::from_json(include_str!("../../examples/x12/envelope.json"))?;
/// let mut out = Vec::new();
/// write_837p(&response, &envelope, &mut out)?;
/// let text = String::from_utf8(out).unwrap();
/// assert!(text.starts_with("ISA*00*"));
/// assert!(text.contains("SV1*HC:H2014:HO"));
/// assert!(text.trim_end().ends_with('~'));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`X12Error::Missing`], [`X12Error::Invalid`] or [`X12Error::HoldsSeparator`] with the
/// path of the first problem, in the envelope or the response, before anything is
/// written; [`X12Error::Io`] when `out` fails (what was written is then incomplete).
pub fn write_837p<W: io::Write>(
    response: &Response,
    envelope: &Envelope,
    out: W,
) -> Result<(), X12Error> {
    let index = envelope.checked_index()?;
    check_response(response, envelope, &index)?;
    let mut buffered = Io(io::BufWriter::with_capacity(1 << 16, out));
    let mut segs = Segments::new(&mut buffered, envelope.separators);
    write_interchange(&mut segs, response, envelope, &index)?;
    buffered.0.flush()?;
    Ok(())
}

/// A writer as a segment sink.
struct Io<W: io::Write>(io::BufWriter<W>);

impl<W: io::Write> Sink for &mut Io<W> {
    fn put(&mut self, text: &str) -> io::Result<()> {
        self.0.write_all(text.as_bytes())
    }
}

/// The claim id (CLM01) of claim `k`.
fn claim_id(envelope: &Envelope, k: usize) -> String {
    format!("{}{}", envelope.claim_id_prefix, k + 1)
}

/// What the 837P requires of the response, checked before anything is written.
fn check_response(
    response: &Response,
    envelope: &Envelope,
    index: &envelope::Index,
) -> Result<(), X12Error> {
    if response.claims.is_empty() {
        return Err(X12Error::Missing {
            path: "claims".to_owned(),
            element: "at least one claim (loop 2300): the response has no line",
        });
    }
    if claim_id(envelope, response.claims.len() - 1).len() > MAX_CLAIM_ID_CHARS {
        return Err(X12Error::invalid(
            "claim_id_prefix",
            "too long: with the claim's number, a claim id (CLM01) holds at most 38 characters",
        ));
    }
    let seps = &envelope.separators;
    for (k, claim) in response.claims.iter().enumerate() {
        let at = |field: &str| format!("claims[{k}].{field}");
        if envelope.subscriber(index, &claim.patient).is_none() {
            return Err(X12Error::Missing {
                path: at("patient"),
                element: "a subscriber (loop 2010BA): no entry of the envelope's `subscribers` names the claim's patient",
            });
        }
        if claim.lines.is_empty() || claim.lines.len() > MAX_CLAIM_LINES {
            return Err(X12Error::invalid(
                at("lines"),
                "a claim holds 1 to 50 lines",
            ));
        }
        if claim.diagnoses.is_empty() {
            return Err(X12Error::Missing {
                path: at("diagnoses"),
                element: "HI, the claim's principal diagnosis (the claim's encounters list no `diagnoses`)",
            });
        }
        if claim.diagnoses.len() > MAX_CLAIM_DIAGNOSES {
            return Err(X12Error::invalid(at("diagnoses"), "at most 12 diagnoses"));
        }
        match claim.charge_cents {
            None => {
                return Err(X12Error::Missing {
                    path: at("charge_cents"),
                    element: "CLM02, the claim's total charge (a line of the claim has no charge)",
                });
            }
            Some(total) if !amount_fits(total) => {
                return Err(X12Error::invalid(
                    at("charge_cents"),
                    "more than the 18 digits of an X12 amount",
                ));
            }
            Some(_) => {}
        }
        for &li in &claim.lines {
            let Some(line) = response.lines.get(li) else {
                return Err(X12Error::invalid(
                    at("lines"),
                    "names a line the response does not have",
                ));
            };
            if line.patient != claim.patient {
                return Err(X12Error::invalid(
                    format!("lines[{li}].patient"),
                    "the line is not the claim's patient's",
                ));
            }
            if let Some(gap) = line_gap(line, seps) {
                return Err(gap.error(li));
            }
            if line
                .diagnosis_pointers
                .iter()
                .any(|&p| p == 0 || usize::from(p) > claim.diagnoses.len())
            {
                return Err(X12Error::invalid(
                    format!("lines[{li}].diagnosis_pointers"),
                    "points past the claim's diagnoses",
                ));
            }
        }
    }
    Ok(())
}

fn write_interchange<S: Sink>(
    out: &mut Segments<S>,
    response: &Response,
    envelope: &Envelope,
    index: &envelope::Index,
) -> Result<(), X12Error> {
    let i = &envelope.interchange;
    let seps = envelope.separators;
    let control = format!("{:09}", i.control_number);
    let (repetition, component) = (seps.repetition.to_string(), seps.component.to_string());
    let usage = match i.usage {
        Usage::Test => "T",
        Usage::Production => "P",
    };
    out.segment(
        "ISA",
        &[
            "00",
            "          ",
            "00",
            "          ",
            &i.sender_qualifier,
            &format!("{:<15}", i.sender_id),
            &i.receiver_qualifier,
            &format!("{:<15}", i.receiver_id),
            &i.created.format("%y%m%d").to_string(),
            &i.created.format("%H%M").to_string(),
            &repetition,
            "00501",
            &control,
            if i.acknowledgment_requested { "1" } else { "0" },
            usage,
            &component,
        ],
    )?;
    let date = i.created.format("%Y%m%d").to_string();
    let time = i.created.format("%H%M").to_string();
    let group = i.group_control_number.to_string();
    out.segment(
        "GS",
        &[
            "HC",
            &i.sender_id,
            &i.receiver_id,
            &date,
            &time,
            &group,
            "X",
            "005010X222A1",
        ],
    )?;
    out.count = 0;
    let transaction = format!("{:04}", i.transaction_control_number);
    out.segment("ST", &["837", &transaction, "005010X222A1"])?;
    out.segment("BHT", &["0019", "00", &i.batch_id, &date, &time, "CH"])?;

    // 1000A, 1000B.
    let s = &envelope.submitter;
    out.segment("NM1", &["41", "2", &s.name, "", "", "", "", "46", &s.id])?;
    let contact = s.contact_name.as_deref().unwrap_or_default();
    match &s.email {
        Some(email) => out.segment("PER", &["IC", contact, "TE", &s.phone, "EM", email])?,
        None => out.segment("PER", &["IC", contact, "TE", &s.phone])?,
    }
    let r = &envelope.receiver;
    out.segment("NM1", &["40", "2", &r.name, "", "", "", "", "46", &r.id])?;

    // 2000A, 2010AA.
    let b = &envelope.billing_provider;
    out.segment("HL", &["1", "", "20", "1"])?;
    if let Some(taxonomy) = &b.taxonomy {
        out.segment("PRV", &["BI", "PXC", taxonomy])?;
    }
    name_segment(out, "85", &b.name, b.first_name.as_deref(), "XX", &b.npi)?;
    address(out, &b.address)?;
    let tax_qualifier = match b.tax_id_type {
        TaxIdType::Ein => "EI",
        TaxIdType::Ssn => "SY",
    };
    out.segment("REF", &[tax_qualifier, &b.tax_id])?;

    // Per patient (claims come in line order, so a patient's claims are a run), at most
    // 100 claims a subscriber loop.
    let mut hl = 1usize;
    let mut k = 0;
    while k < response.claims.len() {
        let patient = &response.claims[k].patient;
        let run = response.claims[k..]
            .iter()
            .take(MAX_CLAIMS_PER_SUBSCRIBER)
            .take_while(|c| c.patient == *patient)
            .count();
        hl += 1;
        // Checked: every claim's patient has a subscriber.
        let Some(sub) = envelope.subscriber(index, patient) else {
            return Err(X12Error::Missing {
                path: format!("claims[{k}].patient"),
                element: "a subscriber (loop 2010BA)",
            });
        };
        subscriber(out, envelope, sub, hl)?;
        for (offset, claim) in response.claims[k..k + run].iter().enumerate() {
            let total = segments::Dollars(claim.charge_cents.unwrap_or_default()).to_string();
            let place = out.composite(&[claim.place_of_service.as_str(), "B", "1"]);
            out.segment(
                "CLM",
                &[
                    &claim_id(envelope, k + offset),
                    &total,
                    "",
                    "",
                    &place,
                    "Y",
                    "A",
                    "Y",
                    "Y",
                ],
            )?;
            let codes: Vec<String> = claim
                .diagnoses
                .iter()
                .enumerate()
                .map(|(n, d)| out.composite(&[if n == 0 { "ABK" } else { "ABF" }, d.as_x12()]))
                .collect();
            let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
            out.segment("HI", &codes)?;
            for (n, &li) in claim.lines.iter().enumerate() {
                let line = &response.lines[li];
                service_line(out, line, n + 1)?;
                if let Some(rendering) = envelope.rendering(index, &line.provider) {
                    name_segment(
                        out,
                        "82",
                        &rendering.last_name,
                        rendering.first_name.as_deref(),
                        "XX",
                        &rendering.npi,
                    )?;
                    if let Some(taxonomy) = &rendering.taxonomy {
                        out.segment("PRV", &["PE", "PXC", taxonomy])?;
                    }
                }
            }
        }
        k += run;
    }
    let count = (out.count + 1).to_string();
    out.segment("SE", &[&count, &transaction])?;
    out.segment("GE", &["1", &group])?;
    out.segment("IEA", &["1", &control])?;
    Ok(())
}

/// NM1 of an entity: a person (NM102 `1`) when a first name is given, else an
/// organization (`2`).
fn name_segment<S: Sink>(
    out: &mut Segments<S>,
    entity: &str,
    name: &str,
    first: Option<&str>,
    qualifier: &str,
    id: &str,
) -> io::Result<()> {
    let kind = if first.is_some() { "1" } else { "2" };
    out.segment(
        "NM1",
        &[
            entity,
            kind,
            name,
            first.unwrap_or_default(),
            "",
            "",
            "",
            qualifier,
            id,
        ],
    )
}

fn address<S: Sink>(out: &mut Segments<S>, a: &Address) -> io::Result<()> {
    out.segment("N3", &[&a.line1, a.line2.as_deref().unwrap_or_default()])?;
    out.segment("N4", &[&a.city, &a.state, &a.postal_code])
}

/// 2000B, 2010BA and 2010BB for one patient.
fn subscriber<S: Sink>(
    out: &mut Segments<S>,
    envelope: &Envelope,
    sub: &Subscriber,
    hl: usize,
) -> io::Result<()> {
    out.segment("HL", &[&hl.to_string(), "1", "22", "0"])?;
    out.segment(
        "SBR",
        &[
            "P",
            "18",
            "",
            "",
            "",
            "",
            "",
            "",
            &envelope.payer.claim_filing,
        ],
    )?;
    out.segment(
        "NM1",
        &[
            "IL",
            "1",
            &sub.last_name,
            sub.first_name.as_deref().unwrap_or_default(),
            sub.middle_name.as_deref().unwrap_or_default(),
            "",
            "",
            "MI",
            &sub.member_id,
        ],
    )?;
    address(out, &sub.address)?;
    out.segment(
        "DMG",
        &[
            "D8",
            &sub.birth_date.format("%Y%m%d").to_string(),
            sub.sex.code(),
        ],
    )?;
    let p = &envelope.payer;
    out.segment("NM1", &["PR", "2", &p.name, "", "", "", "", "PI", &p.id])
}
