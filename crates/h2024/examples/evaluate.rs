//! Evaluates a request JSON and prints the response JSON.
//!
//! ```text
//! cargo run --example evaluate -- request.json
//! cat request.json | cargo run --example evaluate -- -
//! ```
//!
//! Exit status: 0 when the request was evaluated; 2 when it was refused as a whole (the
//! `{"error": ...}` document is still printed on stdout); 1 when the file cannot be read.

use std::io::Read;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(source), None) = (args.next(), args.next()) else {
        eprintln!("usage: evaluate <request.json | ->");
        return ExitCode::from(1);
    };
    let mut text = String::new();
    let read = if source == "-" {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(&source).map(|t| text = t)
    };
    if let Err(err) = read {
        eprintln!("evaluate: cannot read {source}: {err}");
        return ExitCode::from(1);
    }
    let engine = h2024::Engine::default();
    match engine.evaluate_json(&text) {
        Ok(response) => {
            println!("{response}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            println!("{}", err.to_json());
            ExitCode::from(2)
        }
    }
}
