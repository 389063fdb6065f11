//! Writes the 837P interchange of a request's claims: evaluates a request under the state
//! packs and writes its claims with an envelope (`docs/x12.md`).
//!
//! ```text
//! cargo run --example x12                                  # the shipped example, to stdout
//! cargo run --example x12 -- REQUEST ENVELOPE [OUT]        # your files; OUT or stdout
//! ```
//!
//! Exits 0 once the interchange is written, 2 when the request, the envelope or the
//! response cannot make one (the reason, naming a path and never a value, on stderr).

use std::fs;
use std::io::{self, Write as _};
use std::process::ExitCode;

use h2024::x12::{Envelope, write_837p};
use h2024::{Engine, Request};

const REQUEST: &str = include_str!("x12/request.json");
const ENVELOPE: &str = include_str!("x12/envelope.json");

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let read = |path: &String| fs::read_to_string(path).map_err(|e| format!("{path}: {e}"));
    let texts = match args.as_slice() {
        [] => Ok((REQUEST.to_owned(), ENVELOPE.to_owned())),
        [request, envelope] | [request, envelope, _] => {
            read(request).and_then(|r| Ok((r, read(envelope)?)))
        }
        _ => Err("usage: x12 [REQUEST ENVELOPE [OUT]]".to_owned()),
    };
    let (request, envelope) = match texts {
        Ok(texts) => texts,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let request = match Request::from_json(&request) {
        Ok(request) => request,
        Err(e) => {
            eprintln!("request refused: {e}");
            return ExitCode::from(2);
        }
    };
    let envelope = match Envelope::from_json(&envelope) {
        Ok(envelope) => envelope,
        Err(e) => {
            eprintln!("envelope refused: {e}");
            return ExitCode::from(2);
        }
    };
    let response = Engine::with_state_packs().evaluate(&request);
    let written = match args.get(2) {
        Some(path) => fs::File::create(path)
            .map_err(|e| format!("{path}: {e}"))
            .and_then(|file| write_837p(&response, &envelope, file).map_err(|e| e.to_string())),
        None => {
            let stdout = io::stdout();
            let mut lock = stdout.lock();
            write_837p(&response, &envelope, &mut lock)
                .map_err(|e| e.to_string())
                .and_then(|()| lock.flush().map_err(|e| e.to_string()))
        }
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("no interchange: {message}");
            ExitCode::from(2)
        }
    }
}
