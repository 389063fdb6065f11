//! `Engine::evaluate_json` on arbitrary text: never panics; the answer is a response that
//! reads back as `Response`, or an error document, within the README's bound on size; and
//! the crate's own JSON writer gives exactly the bytes serde_json gives for the same
//! response (ids and other text from the input go through its escaping).
#![no_main]

use std::sync::LazyLock;

use h2024::{Engine, Response};
use libfuzzer_sys::fuzz_target;

static ENGINE: LazyLock<Engine> = LazyLock::new(Engine::default);

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let answer = match ENGINE.evaluate_json(text) {
        Ok(response) => {
            let typed: Response =
                serde_json::from_str(&response).expect("the response reads back as a Response");
            assert_eq!(typed.schema_version, 1);
            let again = ENGINE
                .evaluate_json_to_response(text)
                .expect("the same request is evaluated again");
            let reference = serde_json::to_string(&again).expect("serde_json writes the response");
            assert_eq!(response, reference, "the writer and serde_json disagree");
            response
        }
        Err(err) => {
            let document: serde_json::Value =
                serde_json::from_str(&err.to_json()).expect("the error document is JSON");
            assert!(document["error"]["kind"].is_string());
            err.to_json()
        }
    };
    // README, "Limits and bounds": the response is at most 100 times the request plus 1 MiB.
    assert!(answer.len() <= 100 * text.len() + (1 << 20));
});
