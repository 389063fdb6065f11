//! Throughput of whole-request evaluation: a month of a practice's sessions in one request.
//!
//! ```text
//! cargo bench --bench evaluate
//! ```

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use h2024::{Engine, Request};
use serde_json::json;

/// `n` documented encounters spread over 30 days, 1,000 patients (each with a treatment
/// plan) and 50 providers, mixing services, settings, modalities and group sessions.
fn month(n: usize, policy: &str) -> String {
    let services = [
        "skills_training",
        "skills_training",
        "psychosocial_rehabilitation",
        "supported_employment",
        "self_care_training",
    ];
    let settings = ["home", "clinic", "community", "school"];
    let plan = json!({"goals": [{"id": "g1", "skills": ["budgeting", "meal_preparation"],
                                 "deficit": "cannot manage monthly bills"}],
                      "last_progress_report": "2026-02-20"});
    let note = json!({"skills_taught": ["budgeting"], "participation": "active",
                      "progress": "paid two bills", "techniques": ["modeling"], "objectives": ["g1"]});
    let patients: Vec<_> = (0..1000)
        .map(|i| json!({"id": format!("p{i}"), "treatment_plan": plan}))
        .collect();
    let providers: Vec<_> = (0..50)
        .map(|i| {
            let discipline = if i % 10 == 0 {
                "occupational_therapy"
            } else {
                "behavioral_health"
            };
            let credential = ["masters", "bachelors", "paraprofessional"][i % 3];
            json!({"id": format!("pr{i}"), "credential": credential, "discipline": discipline})
        })
        .collect();
    let encounters: Vec<_> = (0..n)
        .map(|i| {
            let day = 1 + (i / 7) % 30;
            let hour = 8 + (i % 9);
            let minutes = 10 + (i * 7) % 110;
            let end = hour * 60 + minutes;
            json!({
                "id": format!("e{i}"),
                "patient": format!("p{}", (i * 31) % 1000),
                "provider": format!("pr{}", (i * 17) % 50),
                "service": services[i % services.len()],
                "setting": settings[i % settings.len()],
                "modality": if i % 11 == 0 { "audio_video" } else { "in_person" },
                "follow_up": i % 3 != 0,
                "group_size": if i % 13 == 0 { 4 } else { 1 },
                "start": format!("2026-03-{day:02}T{hour:02}:00:00-05:00"),
                "end": format!("2026-03-{day:02}T{:02}:{:02}:00-05:00", end / 60, end % 60),
                "documentation": note,
            })
        })
        .collect();
    json!({"policy": policy, "patients": patients, "providers": providers, "encounters": encounters})
        .to_string()
}

fn bench(c: &mut Criterion) {
    let engine = Engine::default();
    let mut group = c.benchmark_group("evaluate_json");
    group.sample_size(10);
    for n in [1_000usize, 10_000, 100_000] {
        let text = month(n, "medicaid");
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("medicaid", n), &text, |b, text| {
            b.iter(|| engine.evaluate_json(text).map(|s| s.len()))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("evaluate_typed");
    group.sample_size(10);
    for n in [10_000usize, 100_000] {
        let request: Request = serde_json::from_str(&month(n, "medicaid")).expect("valid");
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("medicaid", n), &request, |b, r| {
            b.iter(|| engine.evaluate(r).lines.len())
        });
    }
    group.finish();

    let mut group = c.benchmark_group("engine");
    group.bench_function("default", |b| b.iter(Engine::default));
    group.bench_function("units", |b| {
        b.iter(|| engine.units("medicaid", h2024::Code::H2014, std::hint::black_box(38)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
