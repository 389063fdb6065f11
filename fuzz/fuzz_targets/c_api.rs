//! The C entry points on arbitrary bytes: statuses, outputs, `h2024_last_error` and frees
//! as the header promises (`h2024_ffi::fuzzing::c_entry_points`, where the `unsafe` calls
//! live).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| h2024_ffi::fuzzing::c_entry_points(data));
