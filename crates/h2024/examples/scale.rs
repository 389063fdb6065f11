//! How evaluation scales: time, bytes and peak memory per encounter, against the serde_json
//! round-trip of the same documents.
//!
//! ```text
//! cargo run --release --example scale                          # every mode at 1k..1M, a table
//! cargo run --release --example scale -- --sizes 1000,10000    # the same, smaller
//! cargo run --release --example scale -- --mode compact --n 1000000 --repeat 3
//! cargo run --release --example scale -- --practice growing --sizes 10000,1000000
//! ```
//!
//! The workload is `benches/workload` (a month of a practice's documented sessions, the
//! same as the criterion benchmark's). Modes, each on the same `n` encounters:
//!
//! - `roundtrip`, the baseline: parse the request JSON into [`h2024::Request`] and serialize
//!   the engine's response (computed beforehand, outside the timing) to a `String`;
//! - `roundtrip-compact`: the same for the compact documents (`"explain": false` in the
//!   request, so the response leaves out its prose), the like-for-like baseline of `compact`;
//! - `typed`: [`Engine::evaluate`] on the parsed request;
//! - `explained`: [`Engine::evaluate_json`], today's response with every decision's
//!   rationale and alternatives;
//! - `compact`: [`Engine::evaluate_json`] on the request with `"explain": false`. An engine
//!   that refuses the field is reported as `n/a`, not as a failure;
//! - `streamed`: [`Engine::evaluate_json_to_writer`] on the compact request, the response
//!   written to a writer that only counts bytes (no response string held);
//! - `single`, `single-compact`: `--n` calls of [`Engine::evaluate_json`] on a request with
//!   one encounter (the per-call cost a C caller sees, without the C boundary).
//!
//! With `--mode`, one measurement: the median of `--repeat` runs, timed with
//! [`Instant`], printed as one line of `key=value` fields (`scale mode=... n=...
//! us_per_encounter=... peak_rss_mib=...`). Outputs are dropped outside the timed region;
//! what a mode builds and discards on the way (the parsed request of `roundtrip`) is
//! dropped inside it, as the engine drops its own.
//!
//! `--mode M --emit-request` prints the request JSON that mode evaluates (for `.ci/scale`,
//! which times the same single-encounter request through the C API) instead.
//!
//! Without `--mode`, every mode at every size of `--sizes`, each in a child process (this
//! program again), so that each peak RSS is that mode's own; then a table and the ratios
//! the project's targets are stated in. The table gives the median time per encounter and the
//! fastest run's: on a busy machine the spread between them is the noise.
//! By default the workload's practice does not grow with `n` (see `benches/workload`), so
//! growth per encounter across sizes includes more findings per encounter. With
//! `--practice growing` the practice grows with `n` and keeps the 10k month's crowding (the
//! same document below 20k encounters), so that growth across sizes is scaling alone. Each
//! record names the practice's `patients` and `providers`.
//!
//! Memory: `input_rss_mib` is the resident set once the input is built (the request text or
//! the typed request, plus the precomputed response for `roundtrip`), before any
//! evaluation, and `input_peak_rss_mib` the high-water mark while it was built (the
//! generator's own figure). `peak_rss_mib` is the high-water mark (`VmHWM`) after the
//! runs. When the kernel lets the program reset the mark (`/proc/self/clear_refs`, Linux
//! 4.0 and later, `hwm_reset=yes`), the mark is reset once the input is built, so the
//! generator's temporary memory is not counted; the input itself is. Linux only
//! (`/proc/self/status`); elsewhere the memory fields are `-`.

#[path = "../benches/workload/mod.rs"]
mod workload;

use std::collections::BTreeMap;
use std::hint::black_box;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use h2024::{Engine, Request, Response};
use workload::{Explain, Practice};

const POLICY: &str = "medicaid";
const DEFAULT_SIZES: [usize; 4] = [1_000, 10_000, 100_000, 1_000_000];
const DEFAULT_CALLS: usize = 100_000;
/// The encounter of the month that `single` evaluates alone.
const SINGLE_ENCOUNTER: usize = 1;
/// What the table says for a compact mode the engine refuses.
const REFUSED: &str = "n/a (engine refuses explain)";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Mode {
    Roundtrip,
    RoundtripCompact,
    Typed,
    Explained,
    Compact,
    Streamed,
    Single,
    SingleCompact,
}

impl Mode {
    const ALL: [Mode; 8] = [
        Mode::Roundtrip,
        Mode::RoundtripCompact,
        Mode::Typed,
        Mode::Explained,
        Mode::Compact,
        Mode::Streamed,
        Mode::Single,
        Mode::SingleCompact,
    ];

    fn name(self) -> &'static str {
        match self {
            Mode::Roundtrip => "roundtrip",
            Mode::RoundtripCompact => "roundtrip-compact",
            Mode::Typed => "typed",
            Mode::Explained => "explained",
            Mode::Compact => "compact",
            Mode::Streamed => "streamed",
            Mode::Single => "single",
            Mode::SingleCompact => "single-compact",
        }
    }

    fn parse(name: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.name() == name)
    }

    fn explain(self) -> Explain {
        match self {
            Mode::RoundtripCompact | Mode::Compact | Mode::Streamed | Mode::SingleCompact => {
                Explain::Off
            }
            _ => Explain::Default,
        }
    }
}

struct Args {
    mode: Option<Mode>,
    n: usize,
    repeat: usize,
    sizes: Vec<usize>,
    calls: usize,
    emit_request: bool,
    growing: bool,
}

const USAGE: &str = "usage: scale [--mode roundtrip|roundtrip-compact|typed|explained|compact|streamed|\
     single|single-compact] [--n N] [--repeat R] [--sizes N,N,...] [--calls N] \
     [--practice fixed|growing] [--emit-request]";

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        mode: None,
        n: 10_000,
        repeat: 3,
        sizes: DEFAULT_SIZES.to_vec(),
        calls: DEFAULT_CALLS,
        emit_request: false,
        growing: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.to_owned());
        }
        if flag == "--emit-request" {
            args.emit_request = true;
            continue;
        }
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let number = |v: &str| {
            v.replace('_', "")
                .parse::<usize>()
                .ok()
                .filter(|&x| x > 0)
                .ok_or_else(|| format!("{flag}: not a positive number: {v}"))
        };
        match flag.as_str() {
            "--mode" => {
                args.mode =
                    Some(Mode::parse(&value).ok_or_else(|| format!("unknown mode\n{USAGE}"))?);
            }
            "--n" => args.n = number(&value)?,
            "--repeat" => args.repeat = number(&value)?,
            "--calls" => args.calls = number(&value)?,
            "--practice" => {
                args.growing = match value.as_str() {
                    "fixed" => false,
                    "growing" => true,
                    _ => return Err(format!("--practice: fixed or growing\n{USAGE}")),
                };
            }
            "--sizes" => {
                args.sizes = value.split(',').map(number).collect::<Result<_, _>>()?;
            }
            _ => return Err(format!("unknown argument {flag}\n{USAGE}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    if cfg!(debug_assertions) {
        eprintln!("scale: a debug build; for meaningful figures run with --release");
    }
    match args.mode {
        Some(mode) if args.emit_request => {
            print!("{}", request_of(mode, args.n, args.practice()));
            ExitCode::SUCCESS
        }
        Some(mode) => {
            println!(
                "{}",
                measure(mode, args.n, args.repeat, args.growing).line()
            );
            ExitCode::SUCCESS
        }
        None => sweep(&args),
    }
}

impl Args {
    /// The practice whose month `--n` encounters are (the single modes' request is always
    /// the fixed practice's).
    fn practice(&self) -> Practice {
        practice(self.n, self.growing)
    }
}

fn practice(n: usize, growing: bool) -> Practice {
    if growing {
        Practice::growing(n)
    } else {
        Practice::FIXED
    }
}

/// The request JSON a mode evaluates or parses (`--emit-request`): `roundtrip` and `typed`
/// the `explained` one, `roundtrip-compact` the `compact` one.
fn request_of(mode: Mode, n: usize, practice: Practice) -> String {
    match mode {
        Mode::Single | Mode::SingleCompact => {
            workload::single(SINGLE_ENCOUNTER, POLICY, mode.explain())
        }
        _ => workload::request(practice, n, POLICY, mode.explain()),
    }
}

// ---- one measurement --------------------------------------------------------------------

/// One mode at one size, as printed (and read back by the sweep).
#[derive(Debug, Clone, Default)]
struct Record {
    fields: BTreeMap<String, String>,
    order: Vec<String>,
}

impl Record {
    fn set(&mut self, key: &str, value: impl ToString) {
        if self
            .fields
            .insert(key.to_owned(), value.to_string())
            .is_none()
        {
            self.order.push(key.to_owned());
        }
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.fields.get(key).map(String::as_str)
    }

    fn number(&self, key: &str) -> Option<f64> {
        self.get(key)?.parse().ok()
    }

    fn line(&self) -> String {
        let mut line = String::from("scale");
        for key in &self.order {
            line.push_str(&format!(" {key}={}", self.fields[key]));
        }
        line
    }

    fn from_line(line: &str) -> Option<Record> {
        let mut record = Record::default();
        for field in line.strip_prefix("scale ")?.split(' ') {
            let (key, value) = field.split_once('=')?;
            record.set(key, value);
        }
        Some(record)
    }
}

/// What a mode works on, built before any timing.
enum Input {
    Text(String),
    Typed(Request),
    /// The request text and the response to serialize (`roundtrip`).
    RoundTrip(String, Response),
}

fn measure(mode: Mode, n: usize, repeat: usize, growing: bool) -> Record {
    let engine = Engine::default();
    let practice = practice(n, growing);
    let mut record = Record::default();
    record.set("mode", mode.name());
    record.set("n", n);
    if !matches!(mode, Mode::Single | Mode::SingleCompact) {
        record.set("patients", practice.patients);
        record.set("providers", practice.providers);
    }
    if mode.explain() == Explain::Off && !workload::compact_supported(&engine) {
        record.set("status", "n/a");
        record.set("reason", "engine-refuses-explain");
        return record;
    }
    record.set("status", "ok");
    record.set("repeat", repeat);

    let input = match mode {
        Mode::Roundtrip | Mode::RoundtripCompact => {
            let text = request_of(mode, n, practice);
            let request: Request = serde_json::from_str(&text).expect("the workload is valid");
            let response = engine.evaluate(&request);
            drop(request);
            Input::RoundTrip(text, response)
        }
        Mode::Typed => Input::Typed(workload::typed(practice, n, POLICY)),
        Mode::Explained | Mode::Compact | Mode::Streamed => {
            Input::Text(request_of(mode, n, practice))
        }
        Mode::Single | Mode::SingleCompact => {
            let text = request_of(mode, n, practice);
            for _ in 0..n.min(1_000) {
                black_box(engine.evaluate_json(&text).map(|s| s.len()).ok());
            }
            Input::Text(text)
        }
    };
    let request_bytes = match &input {
        Input::Text(text) | Input::RoundTrip(text, _) => Some(text.len()),
        Input::Typed(_) => None,
    };
    let input_rss = memory_kib("VmRSS");
    let input_peak = memory_kib("VmHWM");
    let hwm_reset = reset_peak();

    let mut times = Vec::with_capacity(repeat);
    let mut response_bytes = None;
    for _ in 0..repeat {
        let (elapsed, bytes) = run_once(&engine, mode, n, &input);
        times.push(elapsed);
        response_bytes = bytes;
    }
    times.sort();
    let median = times[times.len() / 2];
    let peak = memory_kib("VmHWM");

    let per_encounter = |bytes: Option<usize>| match bytes {
        Some(b) if matches!(mode, Mode::Single | Mode::SingleCompact) => format!("{b}"),
        Some(b) => format!("{:.1}", b as f64 / n as f64),
        None => "-".to_owned(),
    };
    let total = median.as_secs_f64();
    record.set("total_s", format!("{total:.6}"));
    record.set("us_per_encounter", format!("{:.3}", total * 1e6 / n as f64));
    record.set("request_bytes", opt(request_bytes));
    record.set("response_bytes", opt(response_bytes));
    record.set("request_bytes_per_encounter", per_encounter(request_bytes));
    record.set(
        "response_bytes_per_encounter",
        per_encounter(response_bytes),
    );
    record.set("input_rss_mib", mib(input_rss));
    record.set("input_peak_rss_mib", mib(input_peak));
    record.set("peak_rss_mib", mib(peak));
    record.set("hwm_reset", if hwm_reset { "yes" } else { "no" });
    record.set("load1", load_average().unwrap_or_else(|| "-".to_owned()));
    record.set("min_s", format!("{:.6}", times[0].as_secs_f64()));
    record.set(
        "max_s",
        format!("{:.6}", times[times.len() - 1].as_secs_f64()),
    );
    drop(input);
    record
}

/// One timed run: its duration and the size of what it produced, when it is text.
fn run_once(engine: &Engine, mode: Mode, n: usize, input: &Input) -> (Duration, Option<usize>) {
    match (mode, input) {
        (Mode::Roundtrip | Mode::RoundtripCompact, Input::RoundTrip(text, response)) => {
            let start = Instant::now();
            let request: Request =
                serde_json::from_str(black_box(text)).expect("the workload is valid");
            drop(black_box(request));
            let out = serde_json::to_string(black_box(response)).expect("serializable");
            let elapsed = start.elapsed();
            (elapsed, Some(out.len()))
        }
        (Mode::Typed, Input::Typed(request)) => {
            let start = Instant::now();
            let response = engine.evaluate(black_box(request));
            let elapsed = start.elapsed();
            assert_eq!(response.decisions.len(), n);
            (elapsed, None)
        }
        (Mode::Explained | Mode::Compact, Input::Text(text)) => {
            let start = Instant::now();
            let out = engine.evaluate_json(black_box(text));
            let elapsed = start.elapsed();
            (elapsed, Some(out.expect("the workload is valid").len()))
        }
        (Mode::Streamed, Input::Text(text)) => {
            let mut sink = Counted(0);
            let start = Instant::now();
            engine
                .evaluate_json_to_writer(black_box(text), &mut sink)
                .expect("the workload is valid");
            (start.elapsed(), Some(sink.0))
        }
        (Mode::Single | Mode::SingleCompact, Input::Text(text)) => {
            let mut bytes = 0;
            let start = Instant::now();
            for _ in 0..n {
                let out = engine.evaluate_json(black_box(text));
                bytes = black_box(out.expect("the workload is valid").len());
            }
            (start.elapsed(), Some(bytes))
        }
        _ => unreachable!("each mode builds its own input"),
    }
}

/// A writer that keeps only the number of bytes written (`streamed`).
struct Counted(usize);

impl std::io::Write for Counted {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn opt(value: Option<usize>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or_else(|| "-".to_owned(), |k| format!("{:.1}", k as f64 / 1024.0))
}

/// A `kB` field of `/proc/self/status` (`VmRSS`, `VmHWM`), in KiB.
fn memory_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status
        .lines()
        .find(|l| l.starts_with(&format!("{field}:")))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resets the peak RSS to the current RSS (`/proc/self/clear_refs`, value 5).
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// The one-minute load average (`/proc/loadavg`).
fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next().map(str::to_owned)
}

// ---- the sweep --------------------------------------------------------------------------

fn sweep(args: &Args) -> ExitCode {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(err) => {
            eprintln!("scale: cannot find this program to run it again: {err}");
            return ExitCode::FAILURE;
        }
    };
    let started = Instant::now();
    println!(
        "# h2024 scale: policy {POLICY}, {} practice, sizes {:?}, repeat {}, {} single calls; \
         load average {}",
        if args.growing { "growing" } else { "fixed" },
        args.sizes,
        args.repeat,
        args.calls,
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    let mut runs: Vec<(usize, Mode)> = Vec::new();
    for &n in &args.sizes {
        for mode in Mode::ALL {
            if !matches!(mode, Mode::Single | Mode::SingleCompact) {
                runs.push((n, mode));
            }
        }
    }
    runs.push((args.calls, Mode::Single));
    runs.push((args.calls, Mode::SingleCompact));

    let mut records: BTreeMap<(Mode, usize), Record> = BTreeMap::new();
    let mut failures = 0;
    for (n, mode) in runs {
        let output = Command::new(&exe)
            .args(["--mode", mode.name()])
            .args(["--n", &n.to_string()])
            .args(["--repeat", &args.repeat.to_string()])
            .args(["--practice", if args.growing { "growing" } else { "fixed" }])
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output();
        let record = output.ok().filter(|o| o.status.success()).and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .find_map(Record::from_line)
        });
        match record {
            Some(record) => {
                println!("{}", record.line());
                records.insert((mode, n), record);
            }
            None => {
                println!("# {} at n={n} failed", mode.name());
                failures += 1;
            }
        }
    }
    println!(
        "# the sweep took {:.0} s; load average {}",
        started.elapsed().as_secs_f64(),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    println!();
    table(&records);
    println!();
    ratios(args, &records);
    if failures > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn label(n: usize) -> String {
    match n {
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}

fn table(records: &BTreeMap<(Mode, usize), Record>) {
    println!(
        "{:<17} {:>6} {:>10} {:>10} {:>10} {:>11} {:>12} {:>10} {:>10}",
        "mode",
        "n",
        "µs/enc",
        "(fastest)",
        "total s",
        "req B/enc",
        "resp B/enc",
        "input MiB",
        "peak MiB"
    );
    for ((mode, n), r) in records {
        if r.get("status") != Some("ok") {
            println!("{:<17} {:>6} {REFUSED}", mode.name(), label(*n));
            continue;
        }
        let field = |k: &str| r.get(k).unwrap_or("-").to_owned();
        let fastest = r
            .number("min_s")
            .map_or_else(|| "-".to_owned(), |s| format!("{:.3}", s * 1e6 / *n as f64));
        println!(
            "{:<17} {:>6} {:>10} {:>10} {:>10} {:>11} {:>12} {:>10} {:>10}",
            mode.name(),
            label(*n),
            field("us_per_encounter"),
            fastest,
            field("total_s"),
            field("request_bytes_per_encounter"),
            field("response_bytes_per_encounter"),
            field("input_rss_mib"),
            field("peak_rss_mib"),
        );
    }
}

fn ratios(args: &Args, records: &BTreeMap<(Mode, usize), Record>) {
    let us = |mode: Mode, n: usize| {
        records
            .get(&(mode, n))
            .and_then(|r| r.number("us_per_encounter"))
    };
    let refused = |mode: Mode, n: usize| {
        records
            .get(&(mode, n))
            .is_some_and(|r| r.get("status") == Some("n/a"))
    };
    let ratio = |mode: Mode, base: Mode, n: usize| match (us(mode, n), us(base, n)) {
        _ if refused(mode, n) || refused(base, n) => REFUSED.to_owned(),
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}", a / b),
        _ => "-".to_owned(),
    };
    println!("ratios of time per encounter (same input, same sweep):");
    for (mode, base) in [
        (Mode::Compact, Mode::Roundtrip),
        (Mode::Compact, Mode::RoundtripCompact),
        (Mode::Streamed, Mode::RoundtripCompact),
        (Mode::Explained, Mode::Roundtrip),
        (Mode::Typed, Mode::Roundtrip),
    ] {
        let cells: Vec<String> = args
            .sizes
            .iter()
            .map(|&n| format!("{} {}", label(n), ratio(mode, base, n)))
            .collect();
        println!(
            "  {:<28} {}",
            format!("{}/{}:", mode.name(), base.name()),
            cells.join(", ")
        );
    }

    // Growth is stated against 10k; without 10k (or when 10k is the largest), against the
    // smallest size.
    let largest = args.sizes.iter().copied().max().unwrap_or(10_000);
    let smallest = args.sizes.iter().copied().min().unwrap_or(10_000);
    let reference = if args.sizes.contains(&10_000) && largest > 10_000 {
        10_000
    } else {
        smallest
    };
    let typed_at = if args.sizes.contains(&10_000) {
        10_000
    } else {
        reference
    };
    match us(Mode::Typed, typed_at) {
        Some(v) => println!("typed µs/encounter at {}: {v:.3}", label(typed_at)),
        None => println!("typed µs/encounter at {}: -", label(typed_at)),
    }
    let growth: Vec<String> = [
        Mode::Roundtrip,
        Mode::RoundtripCompact,
        Mode::Typed,
        Mode::Explained,
        Mode::Compact,
    ]
    .into_iter()
    .map(|mode| {
        let value = match (us(mode, largest), us(mode, reference)) {
            _ if refused(mode, largest) => REFUSED.to_owned(),
            (Some(a), Some(b)) if b > 0.0 => format!("{:.2}", a / b),
            _ => "-".to_owned(),
        };
        format!("{} {value}", mode.name())
    })
    .collect();
    println!(
        "per-encounter growth {} vs {}: {}",
        label(largest),
        label(reference),
        growth.join(", ")
    );
    for mode in [Mode::Compact, Mode::Streamed, Mode::Explained] {
        let memory = match records.get(&(mode, largest)) {
            _ if refused(mode, largest) => REFUSED.to_owned(),
            Some(r) => format!(
                "{} MiB (input {} MiB, hwm_reset {})",
                r.get("peak_rss_mib").unwrap_or("-"),
                r.get("input_rss_mib").unwrap_or("-"),
                r.get("hwm_reset").unwrap_or("-")
            ),
            None => "-".to_owned(),
        };
        println!("{} {} peak RSS: {memory}", label(largest), mode.name());
    }
    for mode in [Mode::Single, Mode::SingleCompact] {
        let value = match us(mode, args.calls) {
            _ if refused(mode, args.calls) => REFUSED.to_owned(),
            Some(v) => format!("{v:.3} µs/call"),
            None => "-".to_owned(),
        };
        println!(
            "{} (evaluate_json, one encounter, {} calls): {value}",
            mode.name(),
            args.calls
        );
    }
}
