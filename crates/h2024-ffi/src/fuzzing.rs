//! A fuzzing harness for the C entry points, used by `fuzz/` (target `c_api`) through the
//! `fuzzing` feature, and by this crate's unit tests. Not part of the C API.
//!
//! It lives here, not in `fuzz/`, so that the crate stays the only place of h2024 with
//! `unsafe` code.

use std::ffi::{CStr, CString, c_char};
use std::ptr;

use crate::{
    H2024Engine, H2024Status, h2024_engine_free, h2024_engine_new, h2024_evaluate,
    h2024_last_error, h2024_string_free, h2024_units, h2024_version,
};

/// The calling thread's last error, checked: NULL exactly when `status` is OK, otherwise
/// UTF-8 that starts with `function`.
fn check_last_error(status: H2024Status, function: &str) {
    let message = h2024_last_error();
    if status == H2024Status::Ok {
        assert!(message.is_null(), "{function}: OK leaves no message");
        return;
    }
    assert!(
        !message.is_null(),
        "{function}: {status:?} leaves a message"
    );
    // SAFETY: a non-NULL `h2024_last_error` is a NUL-terminated string that stays valid
    // until the thread's next status-returning call; it is read at once.
    let text = unsafe { CStr::from_ptr(message) };
    let text = text.to_str().expect("the message is UTF-8");
    assert!(
        text.starts_with(function) && text[function.len()..].starts_with(": "),
        "the message starts with the function's name: {text}"
    );
}

/// Calls every entry point of the C API with the pieces of `data` and checks what the
/// header promises: the statuses each function may return (never `PANIC`), outputs set on
/// every call, `h2024_last_error` set exactly on failure, and every handed-out string and
/// engine freed once.
///
/// `data` is cut at its NUL bytes into: the policies (empty: NULL, the built-ins only), the
/// request, the policy and the code for `h2024_units`; its first two bytes give the minutes.
pub fn c_entry_points(data: &[u8]) {
    let mut parts = data.split(|&b| b == 0);
    let mut next = || CString::new(parts.next().unwrap_or_default()).expect("no NUL in a part");
    let policies = next();
    let request = next();
    let policy = next();
    let code = next();
    let minutes = u32::from(u16::from_le_bytes([
        data.first().copied().unwrap_or(0),
        data.get(1).copied().unwrap_or(0),
    ])) % 1600;

    // SAFETY: `h2024_version` returns a static NUL-terminated string.
    let version = unsafe { CStr::from_ptr(h2024_version()) };
    assert_eq!(version.to_str(), Ok(env!("CARGO_PKG_VERSION")));

    let mut engine: *mut H2024Engine = ptr::NonNull::dangling().as_ptr();
    let policies_ptr = if policies.is_empty() {
        ptr::null()
    } else {
        policies.as_ptr()
    };
    // SAFETY: `policies_ptr` is NULL or a C string that outlives the call; `engine` is a
    // local.
    let status = unsafe { h2024_engine_new(policies_ptr, &mut engine) };
    check_last_error(status, "h2024_engine_new");
    match status {
        H2024Status::Ok => assert!(!engine.is_null()),
        H2024Status::InvalidUtf8 | H2024Status::InvalidPolicy => {
            assert!(engine.is_null(), "a failed call sets the output to NULL");
            // SAFETY: NULL policies: the built-ins only; `engine` is a local.
            let status = unsafe { h2024_engine_new(ptr::null(), &mut engine) };
            assert_eq!(status, H2024Status::Ok);
        }
        other => panic!("h2024_engine_new returned {other:?}"),
    }

    let mut response: *mut c_char = ptr::NonNull::dangling().as_ptr();
    // SAFETY: `engine` is live, `request` is a C string that outlives the call, `response`
    // is a local.
    let status = unsafe { h2024_evaluate(engine, request.as_ptr(), &mut response) };
    check_last_error(status, "h2024_evaluate");
    match status {
        H2024Status::Ok
        | H2024Status::InvalidJson
        | H2024Status::InvalidRequest
        | H2024Status::UnknownPolicy
        | H2024Status::InvalidPolicy
        | H2024Status::TooLarge => {
            assert!(!response.is_null(), "{status:?} hands out a document");
            // SAFETY: a non-NULL output is a NUL-terminated string handed out by the
            // library, valid until it is freed below.
            let text = unsafe { CStr::from_ptr(response) };
            let text = text.to_str().expect("the document is UTF-8");
            let expected = if status == H2024Status::Ok {
                "{\"schema_version\":"
            } else {
                "{\"error\":"
            };
            assert!(text.starts_with(expected), "{status:?}: {text}");
            // SAFETY: handed out by `h2024_evaluate`, freed once.
            unsafe { h2024_string_free(response) };
        }
        H2024Status::InvalidUtf8 => assert!(response.is_null()),
        other => panic!("h2024_evaluate returned {other:?}"),
    }

    let mut units = u32::MAX;
    // SAFETY: `engine` is live, `policy` and `code` are C strings that outlive the call,
    // `units` is a local.
    let status =
        unsafe { h2024_units(engine, policy.as_ptr(), code.as_ptr(), minutes, &mut units) };
    check_last_error(status, "h2024_units");
    match status {
        H2024Status::Ok => assert!(units <= minutes.max(1)),
        H2024Status::InvalidUtf8
        | H2024Status::UnknownCode
        | H2024Status::UnknownPolicy
        | H2024Status::MinutesOutOfRange => assert_eq!(units, 0),
        other => panic!("h2024_units returned {other:?}"),
    }

    // SAFETY: `engine` came from `h2024_engine_new` and is freed once.
    unsafe { h2024_engine_free(engine) };
}

#[cfg(test)]
mod tests {
    use super::c_entry_points;

    #[test]
    fn the_harness_accepts_what_the_api_promises() {
        let request = br#"{"patients": [{"id": "p1"}], "providers": [{"id": "pr1", "credential": "masters", "discipline": "behavioral_health"}], "encounters": [{"id": "e1", "patient": "p1", "provider": "pr1", "service": "skills_training", "setting": "home", "start": "2026-03-02T09:00:00-05:00", "end": "2026-03-02T09:45:00-05:00"}]}"#;
        let policies =
            br#"[{"id": "ny", "extends": "medicaid", "units": {"H2014": {"rule": "whole"}}}]"#;
        let mut cases: Vec<Vec<u8>> = vec![
            Vec::new(),
            vec![0; 8],
            b"\xff\0\xfe\0\xfd\0\xfc".to_vec(),
            b"not json\0{\0medicaid\0H2014".to_vec(),
        ];
        let mut good = policies.to_vec();
        good.push(0);
        good.extend_from_slice(request);
        good.extend_from_slice(b"\0ny\0h2014");
        cases.push(good);
        let mut refused = b"\0{\"policy\": \"nope\"}\0nope\0H9999".to_vec();
        refused.insert(0, 0xff);
        cases.push(refused);
        for case in cases {
            c_entry_points(&case);
        }
    }
}
