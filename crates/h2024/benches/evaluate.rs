//! Throughput of whole-request evaluation against the serde_json round-trip of the same
//! documents: a month of a practice's sessions in one request (`workload`), at 1k and 10k
//! encounters, and 100k with `H2024_BENCH_LARGE=1`.
//!
//! ```text
//! cargo bench --bench evaluate                   # 1k, 10k, engine (about 2 minutes)
//! H2024_BENCH_LARGE=1 cargo bench --bench evaluate -- month_100000/   # 100k (3-4 minutes)
//! cargo bench --bench evaluate -- month_10000/   # one size (a regex: the slash ends it)
//! cargo bench --bench evaluate -- engine/        # Engine::default, units, one encounter
//! ```
//!
//! At 100k a run takes one to a few seconds, so criterion warns that it cannot complete 10
//! samples in 5 s and takes them anyway.
//!
//! Each `month_N` group measures, on the same `N` encounters:
//!
//! - `roundtrip`, the baseline: parse the request JSON into [`Request`] and serialize the
//!   engine's response (computed before the benchmark) to a `String`;
//! - `typed`: [`Engine::evaluate`] on the parsed request;
//! - `explained`: [`Engine::evaluate_json`], today's response;
//! - `compact`: [`Engine::evaluate_json`] with `"explain": false`, and
//!   `roundtrip_compact`, the baseline on those compact documents (request and response);
//!   both skipped with a note on stderr while the engine refuses the field.
//!
//! Outputs are dropped outside the timing (`iter_with_large_drop`); the round-trip's parsed
//! request, like the engine's own, is dropped inside it. Bytes and peak memory are
//! measured by `examples/scale.rs`, which also goes to a million encounters.

mod workload;

use std::hint::black_box;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use h2024::{Code, Engine, Request, Response};
use workload::{Explain, Practice};

const POLICY: &str = "medicaid";

/// The baseline: what serde_json alone takes to read the request and write the response.
fn roundtrip(text: &str, response: &Response) -> String {
    let parsed: Request = serde_json::from_str(black_box(text)).expect("the workload is valid");
    drop(black_box(parsed));
    serde_json::to_string(black_box(response)).expect("serializable")
}

fn month(c: &mut Criterion) {
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        eprintln!("load average: {}", load.trim());
    }
    let engine = Engine::default();
    let compact = workload::compact_supported(&engine);
    if !compact {
        eprintln!("compact: n/a (engine refuses explain)");
    }
    let large = std::env::var_os("H2024_BENCH_LARGE").is_some_and(|v| v == "1");
    let sizes: &[usize] = if large {
        &[1_000, 10_000, 100_000]
    } else {
        &[1_000, 10_000]
    };
    for &n in sizes {
        let text = workload::request(Practice::FIXED, n, POLICY, Explain::Default);
        let request: Request = serde_json::from_str(&text).expect("the workload is valid");
        let response = engine.evaluate(&request);

        let mut group = c.benchmark_group(format!("month_{n}"));
        group.sample_size(10);
        group.sampling_mode(SamplingMode::Flat);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function("roundtrip", |b| {
            b.iter_with_large_drop(|| roundtrip(&text, &response))
        });
        group.bench_function("typed", |b| {
            b.iter_with_large_drop(|| engine.evaluate(black_box(&request)))
        });
        group.bench_function("explained", |b| {
            b.iter_with_large_drop(|| engine.evaluate_json(black_box(&text)))
        });
        if compact {
            let text = workload::request(Practice::FIXED, n, POLICY, Explain::Off);
            let request: Request = serde_json::from_str(&text).expect("the workload is valid");
            let response = engine.evaluate(&request);
            drop(request);
            group.bench_function("roundtrip_compact", |b| {
                b.iter_with_large_drop(|| roundtrip(&text, &response))
            });
            group.bench_function("compact", |b| {
                b.iter_with_large_drop(|| engine.evaluate_json(black_box(&text)))
            });
        }
        group.finish();
    }
}

fn engine(c: &mut Criterion) {
    let engine = Engine::default();
    let mut group = c.benchmark_group("engine");
    group.bench_function("default", |b| b.iter(Engine::default));
    group.bench_function("units", |b| {
        b.iter(|| engine.units(POLICY, Code::H2014, black_box(38)))
    });
    let one = workload::single(1, POLICY, Explain::Default);
    group.bench_function("single_encounter", |b| {
        b.iter(|| engine.evaluate_json(black_box(&one)))
    });
    if workload::compact_supported(&engine) {
        let one = workload::single(1, POLICY, Explain::Off);
        group.bench_function("single_encounter_compact", |b| {
            b.iter(|| engine.evaluate_json(black_box(&one)))
        });
    }
    group.finish();
}

criterion_group!(benches, month, engine);
criterion_main!(benches);
