//! `h2024`: a biller's command line for the h2024 engine (README, "Command line").
//!
//! Exit codes: 0 done; 1 `scrub` found an error finding; 2 a refused input, bad usage, or
//! an input or output that failed. Errors go to stderr, one line each, naming the field or
//! argument at fault and never repeating a value from the request or the envelope.

use std::fs::File;
use std::io::{self, IsTerminal as _, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Parser, Subcommand, ValueEnum};
use h2024::schema::Document;
use h2024::x12::{Envelope, X12Error};
use h2024::{Code, Engine, Response};

mod progress;
mod report;

use progress::Progress;

/// Turns behavioural-health sessions into claim lines (HCPCS H2024, H2014, H2017, H2023, CPT
/// 97535): evaluate or scrub a request, write its claims as an X12 837P, list the policies,
/// compute units, print the JSON Schemas.
///
/// Exit codes: 0 done; 1 `scrub` found an error finding; 2 refused input (a request or an
/// envelope), bad usage, or an input or output error (one line on stderr).
#[derive(Debug, Parser)]
#[command(name = "h2024", version)]
struct Cli {
    /// Loads the policies of FILE (a JSON array of policy objects) beside the built-in ones,
    /// for every command.
    #[arg(long, global = true, value_name = "FILE")]
    policies: Option<PathBuf>,
    /// Adds the state packs (tx-medicaid, ny-opwdd, az-complete-health, mi-pihp, ok-dds,
    /// me-mainecare): starting points to confirm with the payer. Policies of --policies may
    /// extend them.
    #[arg(long, global = true)]
    state_packs: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Evaluates a request (a JSON file, or - for stdin) and prints the response.
    Evaluate {
        /// The request: a JSON file, or - for stdin.
        #[arg(value_name = "FILE|-")]
        input: String,
        /// A compact JSON response: no rationale, reason or message (the typed reasons and
        /// data stay).
        #[arg(long)]
        compact: bool,
        /// json: the response; table: one row per encounter with its findings under it;
        /// csv: one row per encounter. A line's charge shows on its first encounter's row
        /// only, so the column sums to the lines' charges.
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
    },
    /// Lists a request's findings, grouped by encounter; exits 1 when any is an error.
    Scrub {
        /// The request: a JSON file, or - for stdin.
        #[arg(value_name = "FILE|-")]
        input: String,
    },
    /// Evaluates a request and writes its claims as an X12 837P interchange (005010X222A1).
    ///
    /// All or nothing: the envelope and every claim and line are checked before anything is
    /// written. When the response has no claim (no encounter became a line), or a claim or a
    /// line cannot be written (a line whose `x12` is null: no charge, no diagnosis pointer,
    /// an authorization number REF02 cannot carry; a claim without a diagnosis, or whose
    /// patient has no subscriber in the envelope), nothing is written, OUT is neither created
    /// nor changed, and the command exits 2 naming the path of the first problem
    /// (`lines[1].charge_cents`). Findings do not stop it: run `h2024 scrub` first. See
    /// docs/x12.md.
    X12 {
        /// The request: a JSON file, or - for stdin.
        #[arg(value_name = "FILE|-")]
        input: String,
        /// The envelope: a JSON file with what the engine never sees (interchange ids and
        /// control numbers, submitter, receiver, billing provider, payer, subscribers;
        /// docs/x12.md).
        #[arg(long, value_name = "ENV")]
        envelope: PathBuf,
        /// Writes the interchange to OUT instead of stdout: created, or replaced, only once
        /// the interchange is checked; removed again if writing it fails.
        #[arg(long, value_name = "OUT")]
        output: Option<PathBuf>,
    },
    /// Lists the policies (id, versions, sources, description), or shows one as JSON.
    Policies {
        /// The policy to show: its own fields, or with --date the rules in force that day.
        id: Option<String>,
        /// The date of service whose rules to show (YYYY-MM-DD).
        #[arg(long, value_name = "YYYY-MM-DD", requires = "id")]
        date: Option<NaiveDate>,
    },
    /// Prints the units that MINUTES of one session of a code earn under a policy.
    Units {
        /// The policy.
        #[arg(long, default_value = "medicaid")]
        policy: String,
        /// The procedure code (H2014, 97535, ...).
        #[arg(long)]
        code: Code,
        /// The session's minutes (0 to 1440).
        minutes: u32,
    },
    /// Prints the JSON Schema of a request, a response or a policy.
    Schema {
        /// Which document.
        #[arg(value_enum)]
        document: SchemaDocument,
    },
}

/// How `evaluate` prints the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// The response JSON.
    Json,
    /// A table for people.
    Table,
    /// Comma-separated values, one row per encounter.
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SchemaDocument {
    /// What `evaluate` reads.
    Request,
    /// What `evaluate` writes.
    Response,
    /// One policy object (a --policies file is an array of them).
    Policy,
}

impl From<SchemaDocument> for Document {
    fn from(doc: SchemaDocument) -> Document {
        match doc {
            SchemaDocument::Request => Document::Request,
            SchemaDocument::Response => Document::Response,
            SchemaDocument::Policy => Document::Policy,
        }
    }
}

/// Why a command could not be done: one line for stderr (exit code 2).
#[derive(Debug)]
struct Failure(String);

impl Failure {
    fn new(message: impl Into<String>) -> Failure {
        Failure(message.into())
    }

    /// Writing the output failed. A closed pipe (`h2024 ... | head`) is not an error.
    fn output(err: &io::Error) -> Option<Failure> {
        (err.kind() != io::ErrorKind::BrokenPipe)
            .then(|| Failure::new(format!("cannot write the output: {err}")))
    }
}

/// The exit codes (README, "Command line").
mod exit {
    /// Done.
    pub const DONE: u8 = 0;
    /// `scrub` found at least one error finding.
    pub const ERROR_FINDINGS: u8 = 1;
    /// Refused input, bad usage, or an input or output error.
    pub const REFUSED: u8 = 2;
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(&err),
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(Failure(message)) => {
            eprintln!("h2024: {message}");
            ExitCode::from(exit::REFUSED)
        }
    }
}

/// Help and version are printed as clap writes them (exit 0); any other usage error as one
/// line naming the argument, never the value given (exit 2).
fn usage_error(err: &clap::Error) -> ExitCode {
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            // Nothing more to say if stdout is closed.
            let _ = err.print();
            return ExitCode::from(exit::DONE);
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = err.print();
            return ExitCode::from(exit::REFUSED);
        }
        _ => {}
    }
    eprintln!("h2024: {} (see h2024 --help)", usage_message(err));
    ExitCode::from(exit::REFUSED)
}

fn usage_message(err: &clap::Error) -> String {
    let arg = match err.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(name)) => Some(name.clone()),
        Some(ContextValue::Strings(names)) => Some(names.join(", ")),
        _ => None,
    };
    let arg = arg.as_deref().unwrap_or("an argument");
    match err.kind() {
        ErrorKind::InvalidValue => match err.get(ContextKind::ValidValue) {
            Some(ContextValue::Strings(valid)) => {
                format!("invalid value for {arg}: expected {}", valid.join(", "))
            }
            _ => format!("invalid value for {arg}"),
        },
        ErrorKind::ValueValidation => match std::error::Error::source(err) {
            // The parsers' messages (codes, dates, numbers) never repeat the text.
            Some(source) => format!("invalid value for {arg}: {source}"),
            None => format!("invalid value for {arg}"),
        },
        ErrorKind::MissingRequiredArgument => format!("missing {arg}"),
        ErrorKind::MissingSubcommand => {
            "missing command: evaluate, scrub, x12, policies, units or schema".to_owned()
        }
        ErrorKind::InvalidSubcommand => {
            "unknown command: expected evaluate, scrub, x12, policies, units or schema".to_owned()
        }
        ErrorKind::UnknownArgument => "unknown argument".to_owned(),
        ErrorKind::ArgumentConflict => format!("{arg} conflicts with another argument"),
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues => {
            format!("wrong number of values for {arg}")
        }
        kind => format!(
            "bad usage: {}",
            kind.as_str().unwrap_or("the arguments cannot be read")
        ),
    }
}

fn run(cli: Cli) -> Result<u8, Failure> {
    let engine = engine(&cli)?;
    match cli.command {
        Command::Evaluate {
            input,
            compact,
            format,
        } => evaluate(&engine, &input, compact, format),
        Command::Scrub { input } => scrub(&engine, &input),
        Command::X12 {
            input,
            envelope,
            output,
        } => x12(&engine, &input, &envelope, output.as_deref()),
        Command::Policies { id, date } => policies(&engine, id.as_deref(), date),
        Command::Units {
            policy,
            code,
            minutes,
        } => {
            let units = engine
                .units(&policy, code, minutes)
                .map_err(|e| Failure::new(format!("units: {e}")))?;
            write_stdout(|out| writeln!(out, "{units}"))
        }
        Command::Schema { document } => {
            let text = Document::from(document).to_json();
            write_stdout(|out| out.write_all(text.as_bytes()))
        }
    }
}

/// The built-in policies, the state packs with `--state-packs`, and those of `--policies`.
fn engine(cli: &Cli) -> Result<Engine, Failure> {
    let engine = if cli.state_packs {
        Engine::with_state_packs()
    } else {
        Engine::default()
    };
    let Some(path) = &cli.policies else {
        return Ok(engine);
    };
    let bytes = std::fs::read(path)
        .map_err(|e| Failure::new(format!("cannot read the --policies file: {e}")))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Failure::new("the --policies file is not UTF-8 text"))?;
    // A PolicyError names the path of the field at fault, never its value.
    engine
        .load_policies_json(&text)
        .map_err(|e| Failure::new(format!("--policies: {e}")))
}

/// Reads the request: a file, or stdin for `-`; with a progress bar on a terminal for a
/// large input.
fn read_input(input: &str, progress: &mut Progress) -> Result<String, Failure> {
    let bytes = if input == "-" {
        read_all(io::stdin().lock(), None, progress)
    } else {
        let file = std::fs::File::open(input)
            .map_err(|e| Failure::new(format!("cannot read the input file: {e}")))?;
        let size = file.metadata().ok().map(|m| m.len());
        read_all(file, size, progress)
    }
    .map_err(|e| Failure::new(format!("cannot read the input: {e}")))?;
    String::from_utf8(bytes).map_err(|_| Failure::new("the input is not UTF-8 text"))
}

fn read_all(
    mut reader: impl Read,
    size: Option<u64>,
    progress: &mut Progress,
) -> io::Result<Vec<u8>> {
    progress.start_reading(size);
    let capacity = size.and_then(|s| usize::try_from(s).ok()).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity.saturating_add(1));
    let mut chunk = vec![0u8; 1 << 20];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        bytes.extend_from_slice(&chunk[..n]);
        progress.read(bytes.len() as u64);
    }
    progress.finish_reading();
    Ok(bytes)
}

/// Evaluates the request of `input`, refusing it with a one-line error (and, for
/// `--format json`, the error document on stdout).
fn evaluate_input(engine: &Engine, input: &str, error_document: bool) -> Result<Response, Failure> {
    let mut progress = Progress::new(io::stderr().is_terminal());
    let text = read_input(input, &mut progress)?;
    let response = progress.evaluating(|| engine.evaluate_json_to_response(&text));
    drop(text);
    response.map_err(|err| {
        if error_document {
            let _ = writeln!(io::stdout(), "{}", err.to_json());
        }
        // The message names the path, never a value of the request.
        let at = err.path().map(|p| format!(" at `{p}`")).unwrap_or_default();
        Failure::new(format!(
            "request refused ({}){at}: {}",
            err.kind().as_str(),
            err.message()
        ))
    })
}

fn evaluate(engine: &Engine, input: &str, compact: bool, format: Format) -> Result<u8, Failure> {
    let mut response = evaluate_input(engine, input, format == Format::Json)?;
    match format {
        Format::Json => {
            if compact {
                response.explain = false;
            }
            write_stdout(|out| {
                response.write_json(&mut *out)?;
                writeln!(out)
            })
        }
        Format::Table => write_stdout(|out| report::table(&response, out)),
        Format::Csv => write_stdout(|out| report::csv(&response, out)),
    }
}

fn scrub(engine: &Engine, input: &str) -> Result<u8, Failure> {
    let response = evaluate_input(engine, input, false)?;
    write_stdout(|out| report::scrub(&response, out))?;
    let errors = response
        .findings
        .iter()
        .any(|f| f.severity == h2024::Severity::Error);
    Ok(if errors {
        exit::ERROR_FINDINGS
    } else {
        exit::DONE
    })
}

/// Reads and checks the envelope, evaluates the request, and writes the 837P interchange to
/// `output` or stdout (README, "From a response to a claim"; docs/x12.md).
fn x12(
    engine: &Engine,
    input: &str,
    envelope: &Path,
    output: Option<&Path>,
) -> Result<u8, Failure> {
    // The envelope first: a mistake in it is found before a large request is read.
    let envelope = read_envelope(envelope)?;
    let response = evaluate_input(engine, input, false)?;
    let written = match output {
        None => h2024::x12::write_837p(&response, &envelope, io::stdout().lock()),
        Some(path) => {
            let mut file = LazyFile::new(path);
            let written = h2024::x12::write_837p(&response, &envelope, &mut file);
            if written.is_err() && file.created_regular_file() {
                // An incomplete interchange is worse than none.
                drop(file);
                let _ = std::fs::remove_file(path);
            }
            written
        }
    };
    match written {
        Ok(()) => Ok(exit::DONE),
        Err(X12Error::Io(err)) => match output {
            None => Failure::output(&err).map_or(Ok(exit::DONE), Err),
            Some(_) => Err(Failure::new(format!(
                "cannot write the --output file: {err}"
            ))),
        },
        Err(err) => Err(interchange_refused(&err)),
    }
}

/// The envelope of `path`, read as requests are read and checked against the 837P.
fn read_envelope(path: &Path) -> Result<Envelope, Failure> {
    let bytes = std::fs::read(path)
        .map_err(|e| Failure::new(format!("cannot read the --envelope file: {e}")))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Failure::new("the --envelope file is not UTF-8 text"))?;
    let envelope = Envelope::from_json(&text).map_err(|err| envelope_refused(&err))?;
    envelope.check().map_err(|err| envelope_refused(&err))?;
    Ok(envelope)
}

/// An envelope refused: its path and the problem, never a value (the library's messages
/// quote none: docs/x12.md, "Checks, before anything is written").
fn envelope_refused(err: &X12Error) -> Failure {
    Failure::new(format!("--envelope refused{}", at_path(err)))
}

/// The response (or the envelope, for a claim's patient without a subscriber) cannot make
/// an interchange: the path of the first problem, as `write_837p` names it.
fn interchange_refused(err: &X12Error) -> Failure {
    Failure::new(format!("interchange refused{}", at_path(err)))
}

/// `` at `path`: problem`` (or `: problem` without a path) for an [`X12Error`].
fn at_path(err: &X12Error) -> String {
    if let X12Error::Envelope { path, message } = err {
        return match path.as_str() {
            "" => format!(": {message}"),
            path => format!(" at `{path}`: {message}"),
        };
    }
    let text = err.to_string();
    // The other refusals are written `` `path`: problem ``.
    match err.path() {
        Some(path) => match text.strip_prefix(&format!("`{path}`: ")) {
            Some(problem) => format!(" at `{path}`: {problem}"),
            None => format!(": {text}"),
        },
        None => format!(": {text}"),
    }
}

/// The `--output` file, created (or truncated) at the first byte written: `write_837p`
/// checks everything before it writes, so a refused interchange leaves no file, and an
/// existing one as it was.
struct LazyFile<'a> {
    path: &'a Path,
    file: Option<File>,
}

impl<'a> LazyFile<'a> {
    fn new(path: &'a Path) -> LazyFile<'a> {
        LazyFile { path, file: None }
    }

    /// Whether the file was opened, and is a regular file (not a device or a pipe, which
    /// are never removed).
    fn created_regular_file(&self) -> bool {
        self.file
            .as_ref()
            .and_then(|f| f.metadata().ok())
            .is_some_and(|m| m.is_file())
    }

    fn file(&mut self) -> io::Result<&mut File> {
        let file = match self.file.take() {
            Some(file) => file,
            None => File::create(self.path)?,
        };
        Ok(self.file.insert(file))
    }
}

impl Write for LazyFile<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file()?.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.file()?.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(file) => file.flush(),
            None => Ok(()),
        }
    }
}

fn policies(engine: &Engine, id: Option<&str>, date: Option<NaiveDate>) -> Result<u8, Failure> {
    let Some(id) = id else {
        return write_stdout(|out| report::policies(engine, out));
    };
    // Neither the id given nor the loaded ids are repeated (README, "Errors").
    let policy =
        match date {
            None => engine.policy(id),
            Some(date) => {
                engine.policy(id).ok_or_else(unknown_policy)?;
                Some(engine.policy_on(id, date).ok_or_else(|| {
                    Failure::new("policies: the policy is not in effect on --date")
                })?)
            }
        }
        .ok_or_else(unknown_policy)?;
    write_stdout(|out| {
        serde_json::to_writer_pretty(&mut *out, policy.spec()).map_err(io::Error::from)?;
        writeln!(out)
    })
}

fn unknown_policy() -> Failure {
    Failure::new("policies: ID names no built-in or loaded policy (`h2024 policies` lists them)")
}

/// Writes to stdout through a buffer; a closed pipe ends the output quietly.
fn write_stdout(
    write: impl FnOnce(&mut io::BufWriter<io::StdoutLock<'_>>) -> io::Result<()>,
) -> Result<u8, Failure> {
    let mut out = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Ok(()) => Ok(exit::DONE),
        Err(e) => Failure::output(&e).map_or(Ok(exit::DONE), Err),
    }
}
