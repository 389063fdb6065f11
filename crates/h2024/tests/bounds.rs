//! Bounded cost for hostile shapes: the response is at most a fixed multiple of the request
//! plus a constant, peak memory during an evaluation is at most a fixed multiple of the
//! request plus a constant, and work grows linearly: the bytes allocated for a request four
//! times as large are at most about four times as many (a size ratio, never a clock).
//! Among the shapes, lines that pass every authorization limit: the authorization check
//! keeps one running total per limit, so its work and findings grow with the lines.
//!
//! The bounds asserted here are the ones the README states ("Limits and bounds"). Memory is
//! measured with a counting allocator, so every measurement runs in one test, one after the
//! other, with nothing else evaluating in this test binary.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use h2024::Engine;
use serde_json::{Value, json};

/// Counts bytes allocated in all, bytes live now and the most live at once.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static TOTAL: AtomicUsize = AtomicUsize::new(0);

// SAFETY-free: `GlobalAlloc` is an unsafe trait, but this test crate only forwards to
// `System` and counts; it is a test, not the library (which forbids unsafe code).
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged to the system allocator, whose contract the caller
        // upholds.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
            TOTAL.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` was allocated by `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// What one evaluation cost.
#[derive(Debug)]
struct Cost {
    request: usize,
    response: usize,
    /// The most bytes live at once during the evaluation, beyond those live before it.
    peak: usize,
    /// Bytes allocated during the evaluation.
    allocated: usize,
}

fn measure(engine: &Engine, request: &str) -> Cost {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let total_before = TOTAL.load(Ordering::Relaxed);
    let response = match engine.evaluate_json(request) {
        Ok(text) => text.len(),
        Err(err) => err.to_json().len(),
    };
    Cost {
        request: request.len(),
        response,
        peak: PEAK.load(Ordering::Relaxed) - before,
        allocated: TOTAL.load(Ordering::Relaxed) - total_before,
    }
}

/// The README's bounds ("Limits and bounds").
const RESPONSE_FACTOR: usize = 160;
const MEMORY_FACTOR: usize = 500;
const CONSTANT: usize = 1 << 20;

impl Cost {
    /// Holds the cost of the request `what` to the README's bounds.
    fn assert_within_bounds(&self, what: &str) {
        assert!(
            self.response <= RESPONSE_FACTOR * self.request + CONSTANT,
            "{what}: response {self:?}"
        );
        assert!(
            self.peak <= MEMORY_FACTOR * self.request + CONSTANT,
            "{what}: memory {self:?}"
        );
    }
}

fn people() -> (Value, Value) {
    (
        json!([{"id": "p1", "treatment_plan": {"goals": [{"id": "g1", "skills": ["budgeting"],
                 "deficit": "cannot manage monthly bills"}], "last_progress_report": "2026-02-20"}}]),
        json!([{"id": "pr1", "credential": "masters", "discipline": "behavioral_health"},
               {"id": "ot1", "credential": "masters", "discipline": "occupational_therapy"}]),
    )
}

fn request(policy: &str, explain: bool, encounters: Vec<Value>) -> String {
    let (patients, providers) = people();
    json!({"policy": policy, "explain": explain, "patients": patients, "providers": providers,
           "encounters": encounters})
    .to_string()
}

/// The hostile shapes of the issue, at `n` encounters.
fn shapes(n: usize) -> Vec<(&'static str, String)> {
    let at = |minute: usize| {
        format!(
            "2026-03-02T{:02}:{:02}:00-05:00",
            8 + minute / 60 % 12,
            minute % 60
        )
    };
    let session = |i: usize, id: String| {
        json!({"id": id, "patient": "p1", "provider": "pr1", "service": "skills_training",
               "setting": "home", "start": at(0), "end": at(45),
               "documentation": {"skills_taught": ["budgeting"], "participation": "active",
                                 "progress": "paid two bills", "techniques": ["modeling"],
                                 "objectives": ["g1"]},
               "follow_up": i % 2 == 0})
    };
    let longest_id = |i: usize| format!("{i:0>128}");
    // `n` sessions `e0`, `e1`, ..., each changed by `change` (given its position).
    let sessions = |change: &dyn Fn(usize, &mut Value)| -> Vec<Value> {
        (0..n)
            .map(|i| {
                let mut e = session(i, format!("e{i}"));
                change(i, &mut e);
                e
            })
            .collect()
    };
    // A session on day `i` from 2026-01-01, 09:00 to 09:45.
    let daily = |i: usize, e: &mut Value| {
        let date =
            chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(i as u64);
        e["start"] = json!(format!("{date}T09:00:00-05:00"));
        e["end"] = json!(format!("{date}T09:45:00-05:00"));
    };
    // Sessions overlapping one another, 30 minutes each, starting a minute apart.
    let overlapping = |i: usize, e: &mut Value| {
        e["start"] = json!(at(i % 600));
        e["end"] = json!(at(i % 600 + 30));
    };
    vec![
        // Empty objects: each an invalid encounter.
        ("empty encounters", {
            let (patients, providers) = people();
            let body = vec!["{}"; n].join(",");
            format!(
                r#"{{"explain": false, "patients": {patients}, "providers": {providers}, "encounters": [{body}]}}"#
            )
        }),
        // The same session again and again, under the longest ids allowed: duplicates that
        // would each quote the other's id.
        (
            "duplicates with the longest ids",
            request(
                "medicaid",
                true,
                (0..n).map(|i| session(i, longest_id(i))).collect(),
            ),
        ),
        // Every session overlapping every other (one patient, one provider).
        (
            "all overlapping",
            request("medicaid", true, sessions(&overlapping)),
        ),
        // Many distinct other timed services on one patient-day (the CMS 8-minute pool).
        (
            "distinct other timed services",
            request(
                "medicare",
                true,
                (0..n)
                    .map(|i| {
                        json!({"id": format!("e{i}"), "patient": "p1", "provider": "ot1",
                               "service": "self_care_training", "setting": "clinic",
                               "date": "2026-03-02", "minutes": 20,
                               "other_timed_services": (0..100)
                                   .map(|k| json!({"code": format!("{:05}", i * 100 + k), "minutes": 1}))
                                   .collect::<Vec<_>>()})
                    })
                    .collect(),
            ),
        ),
        // A session a day drawn on an authorization whose every limit is passed on every
        // line: four authorization_exceeded findings a line, one running total per limit.
        ("every authorization limit passed", {
            let (patients, providers) = people();
            let mut patients = patients;
            patients[0]["authorizations"] = json!([{"number": "A-1", "codes": ["H2014", "H2024"],
                "start": "2026-01-01", "end": "2030-12-31", "units_authorized": 1,
                "limits": [{"per": "day", "units": 1}, {"per": "week", "units": 1},
                           {"per": "month", "units": 1}, {"per": "authorization", "units": 1}]}]);
            let encounters = sessions(&daily);
            json!({"policy": "medicaid", "explain": true, "patients": patients,
                   "providers": providers, "encounters": encounters})
            .to_string()
        }),
        // A session a day with twelve diagnoses of its own: beyond the first line, every
        // diagnosis is left off the claim, each with a too_many_diagnoses finding.
        ("diagnoses beyond twelve a claim", {
            let encounters = sessions(&|i, e| {
                daily(i, e);
                e["diagnoses"] = json!((0..12)
                    .map(|k| format!("A{}{}.{i:04}", k % 10, k / 10))
                    .collect::<Vec<_>>());
            });
            request("medicaid", true, encounters)
        }),
        // An inline policy with the longest fee schedule, every entry for the lines' code
        // and none matching them (a modifier they lack, dates before theirs): each line
        // compares them all and gets fee_not_found.
        ("longest fee schedule, no fee matching", {
            let (patients, providers) = people();
            let first = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
            let fees: Vec<Value> = (0..h2024::fees::MAX_FEES)
                .map(|k| {
                    let from = first + chrono::Days::new(k as u64);
                    json!({"code": "H2014", "modifiers": ["GT"], "cents_per_unit": k,
                           "from": from, "to": from})
                })
                .collect();
            let encounters = sessions(&daily);
            json!({"policy": {"extends": "medicaid", "fees": fees}, "explain": true,
                   "patients": patients, "providers": providers, "encounters": encounters})
            .to_string()
        }),
        // EVV: every session and every visit of one patient and provider overlapping every
        // other (the matching is a sort and two segment trees per pair, never pairwise).
        ("evv visits all overlapping", {
            let (patients, providers) = people();
            let encounters = sessions(&overlapping);
            let visits: Vec<Value> = (0..n)
                .map(|i| {
                    json!({"id": format!("v{i}"), "patient": "p1", "provider": "pr1",
                           "clock_in": at((i * 7) % 600), "clock_out": at((i * 7) % 600 + 40),
                           "status": if i % 3 == 0 { "unverified" } else { "verified" },
                           "location": "home"})
                })
                .collect();
            json!({"policy": {"extends": "medicaid", "evv": {"required_codes": ["H2014", "H2024"]}},
                   "explain": true, "patients": patients, "providers": providers,
                   "encounters": encounters, "evv_visits": visits})
            .to_string()
        }),
        // EVV visits that are all ignored, under the longest ids: one finding each, on no
        // encounter.
        ("invalid evv visits", {
            let (patients, providers) = people();
            let visits: Vec<Value> = (0..n)
                .map(|i| {
                    json!({"id": longest_id(i), "patient": "nobody", "provider": "pr1",
                           "clock_in": at(0), "clock_out": at(30), "status": "verified",
                           "location": "home"})
                })
                .collect();
            json!({"policy": {"extends": "medicaid", "evv": {"required_codes": ["H2014"]}},
                   "explain": true, "patients": patients, "providers": providers,
                   "encounters": [], "evv_visits": visits})
            .to_string()
        }),
        // Every session pinned to a code of its own (most outside the code set): one
        // candidate computation per distinct code, each found again by a sorted lookup.
        (
            "a different pinned code each",
            request(
                "medicaid",
                true,
                sessions(&|i, e| {
                    e["code"] = json!(format!("{}{:04}", ['A', 'G', 'H', 'T'][i % 4], i));
                }),
            ),
        ),
        // The longest lists an encounter may hold.
        (
            "longest lists",
            request(
                "medicaid",
                true,
                sessions(&|_, e| {
                    e["documentation"]["skills_taught"] =
                        json!((0..100).map(|k| format!("skill {k}")).collect::<Vec<_>>());
                    e["documentation"]["techniques"] = json!(vec!["modeling"; 100]);
                    e["billed"] = json!({"code": "H2024", "units": 1,
                                         "modifiers": vec!["ZZ"; 10]});
                }),
            ),
        ),
    ]
}

#[test]
fn hostile_shapes_stay_within_the_stated_bounds_and_grow_linearly() {
    let engine = Engine::default();
    let small = shapes(250);
    let large = shapes(1000);
    let mut report = Vec::new();
    for ((name, a), (_, b)) in small.iter().zip(&large) {
        let ca = measure(&engine, a);
        let cb = measure(&engine, b);
        ca.assert_within_bounds(name);
        cb.assert_within_bounds(name);
        // Four times the encounters: at most about four times the work and the output.
        let work = cb.allocated as f64 / ca.allocated as f64;
        let output = cb.response as f64 / ca.response as f64;
        assert!(work < 4.6, "{name}: allocated {work:.2}x for 4x the input");
        assert!(output < 4.6, "{name}: output {output:.2}x for 4x the input");
        report.push(format!(
            "{name}: response/request {:.1}, peak/request {:.1}, work ratio {work:.2}",
            cb.response as f64 / cb.request as f64,
            cb.peak as f64 / cb.request as f64
        ));
    }
    // The largest ratio: empty encounters, explained, at a size where the constant no
    // longer helps (each answer names `encounters[i]`, so it grows with the digits of i).
    let n = 100_000;
    let empty = format!(r#"{{"encounters": [{}]}}"#, vec!["{}"; n].join(","));
    let c = measure(&engine, &empty);
    c.assert_within_bounds(&format!("{n} empty encounters"));
    report.push(format!(
        "{n} empty encounters, explained: response/request {:.1}, peak/request {:.1}",
        c.response as f64 / c.request as f64,
        c.peak as f64 / c.request as f64
    ));
    // Shown with --nocapture: the figures behind the README's bounds.
    println!("{}", report.join("\n"));
}
