//! The C API as C and C++ programs see it.
//!
//! - `include/h2024.h` is exactly what cbindgen generates now from `src/lib.rs` and
//!   `cbindgen.toml`; `H2024_BLESS=1 cargo test --test c_api` rewrites it (and the expected
//!   outputs of the examples). Its version macros and `h2024.pc` match `Cargo.toml`.
//! - The C examples (`examples/c`) and C tests (`tests/c`) compile with
//!   `cc -std=c11 -Wall -Wextra -Werror -Wpedantic`, link statically and dynamically, run,
//!   and print exactly what they should. The header compiles as C++17 and links with C
//!   linkage.
//!
//! # Which library the C programs link
//!
//! Cargo builds the package's library with all its crate types (`lib`, `cdylib`,
//! `staticlib`) before it builds this test (it would not, were `lib` not among them), and
//! writes `libh2024_ffi.a` and `libh2024_ffi.so` into the same `deps` directory as this test's executable. The C programs link those: they are
//! the library of this very `cargo test` (same sources, profile and target directory), and
//! no second cargo runs inside the test, so there is no waiting on the build directory's
//! lock and no second build of the dependencies. `H2024_LIB_DIR` overrides the directory
//! (to test a release build, say).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");
const HEADER: &str = "include/h2024.h";
const BLESS_HINT: &str = "run `H2024_BLESS=1 cargo test --test c_api` to regenerate it, review \
                          the diff, and commit it";

fn root() -> &'static Path {
    Path::new(MANIFEST_DIR)
}

fn bless() -> bool {
    std::env::var_os("H2024_BLESS").is_some_and(|v| v == "1")
}

/// The header as cbindgen generates it now.
fn generated_header() -> String {
    let config = cbindgen::Config::from_file(root().join("cbindgen.toml"))
        .expect("cbindgen.toml is a valid cbindgen configuration");
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(root().join("src/lib.rs"))
        .generate()
        .expect("cbindgen generates the header from src/lib.rs");
    let mut out = Vec::new();
    bindings.write(&mut out);
    String::from_utf8(out).expect("the header is UTF-8")
}

fn committed_header() -> String {
    fs::read_to_string(root().join(HEADER)).unwrap_or_default()
}

/// The first line where two texts differ, for a readable failure.
fn first_difference(committed: &str, generated: &str) -> String {
    let mut committed_lines = committed.lines();
    let mut generated_lines = generated.lines();
    for number in 1.. {
        match (committed_lines.next(), generated_lines.next()) {
            (None, None) => return "(only line endings differ)".to_owned(),
            (a, b) if a == b => continue,
            (a, b) => {
                return format!(
                    "first difference at line {number}:\n  committed: {}\n  generated: {}",
                    a.unwrap_or("(end of file)"),
                    b.unwrap_or("(end of file)")
                );
            }
        }
    }
    unreachable!()
}

#[test]
fn header_is_what_cbindgen_generates() {
    let generated = generated_header();
    if bless() {
        fs::create_dir_all(root().join("include")).unwrap();
        fs::write(root().join(HEADER), &generated).unwrap();
        return;
    }
    let committed = committed_header();
    assert!(
        committed == generated,
        "{HEADER} differs from what cbindgen generates from src/lib.rs and cbindgen.toml; \
         {BLESS_HINT}.\n{}",
        first_difference(&committed, &generated)
    );
}

/// The value of `#define NAME value` in the header.
fn define(header: &str, name: &str) -> String {
    header
        .lines()
        .find_map(|line| {
            let rest = line.strip_prefix("#define ")?.strip_prefix(name)?;
            rest.starts_with(' ').then(|| rest.trim().to_owned())
        })
        .unwrap_or_else(|| panic!("{HEADER} defines {name}"))
}

#[test]
fn version_macros_match_cargo_toml() {
    let header = generated_header();
    let hint = "update the version macros in cbindgen.toml (`after_includes`), then run \
                `H2024_BLESS=1 cargo test --test c_api`";
    assert_eq!(
        define(&header, "H2024_VERSION"),
        format!("\"{}\"", env!("CARGO_PKG_VERSION")),
        "{hint}"
    );
    assert_eq!(
        define(&header, "H2024_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MAJOR"),
        "{hint}"
    );
    assert_eq!(
        define(&header, "H2024_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_MINOR"),
        "{hint}"
    );
    assert_eq!(
        define(&header, "H2024_VERSION_PATCH"),
        env!("CARGO_PKG_VERSION_PATCH"),
        "{hint}"
    );
}

#[test]
fn every_function_documents_ownership_and_threads() {
    let header = generated_header();
    let mut functions = Vec::new();
    let mut doc = String::new();
    for line in header.lines() {
        if line.starts_with("/**") {
            doc.clear();
        }
        doc.push_str(line);
        doc.push('\n');
        if let Some(open) = line.find("h2024_").filter(|_| line.contains('(')) {
            if line.starts_with([' ', '/', '*', '#']) {
                continue; // a comment or a macro, not a declaration
            }
            let name: String = line[open..].chars().take_while(|&c| c != '(').collect();
            assert!(
                doc.contains("Ownership:"),
                "{name} states ownership:\n{doc}"
            );
            assert!(
                doc.contains("Thread safety:"),
                "{name} states thread safety:\n{doc}"
            );
            functions.push(name);
        }
    }
    assert_eq!(
        functions,
        [
            "h2024_version",
            "h2024_engine_new",
            "h2024_engine_free",
            "h2024_evaluate",
            "h2024_string_free",
            "h2024_last_error",
            "h2024_units",
        ]
    );
    assert!(header.contains("typedef struct H2024Engine H2024Engine;"));
    assert!(header.contains("typedef enum H2024Status {"));
    assert!(header.contains("#ifdef __cplusplus\nextern \"C\" {"));
}

#[test]
fn pkg_config_file_matches_cargo_toml() {
    let pc = fs::read_to_string(root().join("h2024.pc")).unwrap();
    let field = |name: &str| -> String {
        pc.lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap_or_else(|| panic!("h2024.pc has {name}"))
            .trim()
            .to_owned()
    };
    assert_eq!(
        field("Version:"),
        env!("CARGO_PKG_VERSION"),
        "update Version in h2024.pc"
    );
    assert_eq!(field("Libs:"), "-L${libdir} -lh2024");
    assert_eq!(field("Cflags:"), "-I${includedir}");
    // What a static link needs besides the archive: rustc's list for the standard library
    // (h2024 links no native library of its own).
    #[cfg(target_os = "linux")]
    assert_eq!(
        field("Libs.private:"),
        native_static_libs(),
        "update Libs.private in h2024.pc and the commands in docs/c-api.md"
    );
}

/// `rustc --print native-static-libs` for a static library that uses only `std`.
#[cfg(target_os = "linux")]
fn native_static_libs() -> String {
    let dir = scratch_dir().join("native-static-libs");
    fs::create_dir_all(&dir).unwrap();
    let source = dir.join("empty.rs");
    fs::write(&source, "pub fn f() -> String { String::from(\"x\") }\n").unwrap();
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let output = Command::new(rustc)
        .args(["--crate-type", "staticlib", "--crate-name", "empty"])
        .args(["--print", "native-static-libs", "--out-dir"])
        .arg(&dir)
        .arg(&source)
        .output()
        .expect("rustc runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    stderr
        .lines()
        .find_map(|l| l.split("native-static-libs:").nth(1))
        .expect("rustc prints native-static-libs")
        .trim()
        .to_owned()
}

fn scratch_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("c_api");
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// The directory with `libh2024_ffi.a` and `libh2024_ffi.so` of this build (see the module docs).
#[cfg(target_os = "linux")]
fn lib_dir() -> PathBuf {
    let dir = match std::env::var_os("H2024_LIB_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => std::env::current_exe()
            .unwrap()
            .parent()
            .expect("the test executable is in a directory")
            .to_path_buf(),
    };
    for lib in ["libh2024_ffi.a", "libh2024_ffi.so"] {
        assert!(
            dir.join(lib).is_file(),
            "{lib} not found in {}: cargo builds it there with the test; set H2024_LIB_DIR to \
             the directory of a built library otherwise",
            dir.display()
        );
    }
    dir
}

#[cfg(target_os = "linux")]
#[derive(Clone, Copy, Debug)]
enum Link {
    Static,
    Dynamic,
}

/// Compiles and links one C or C++ program against the header and the library.
#[cfg(target_os = "linux")]
fn build(compiler: &str, std: &str, source: &str, link: Link) -> PathBuf {
    let lib = lib_dir();
    let stem = Path::new(source).file_stem().unwrap().to_str().unwrap();
    let exe = scratch_dir().join(format!("{stem}-{}", format!("{link:?}").to_lowercase()));
    let mut cmd = Command::new(compiler);
    cmd.arg(format!("-std={std}"))
        .args(["-Wall", "-Wextra", "-Werror", "-Wpedantic", "-g"])
        .arg(format!("-I{}", root().join("include").display()))
        .arg(root().join(source))
        .arg("-o")
        .arg(&exe);
    match link {
        // The minimal set documented in docs/c-api.md (gcc adds libgcc_s itself; on glibc 2.34+
        // libpthread, libdl, librt and libutil are parts of libc).
        Link::Static => cmd
            .arg(lib.join("libh2024_ffi.a"))
            .args(["-lpthread", "-ldl", "-lm"]),
        Link::Dynamic => cmd
            .arg(format!("-L{}", lib.display()))
            .arg("-lh2024_ffi")
            .arg(format!("-Wl,-rpath,{}", lib.display())),
    };
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {compiler}: {e}"));
    assert!(
        output.status.success(),
        "{compiler} failed on {source} ({link:?}):\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if let Link::Dynamic = link {
        let ldd = Command::new("ldd")
            .arg(&exe)
            .env_remove("LD_LIBRARY_PATH")
            .output()
            .expect("ldd runs");
        let ldd = String::from_utf8_lossy(&ldd.stdout);
        assert!(
            ldd.contains(&format!(
                "libh2024_ffi.so => {}",
                lib.join("libh2024_ffi.so").display()
            )),
            "{source} is linked dynamically to this build's libh2024_ffi.so:\n{ldd}"
        );
    }
    exe
}

#[cfg(target_os = "linux")]
fn run(exe: &Path) -> Output {
    // cargo test sets LD_LIBRARY_PATH to target/debug, whose libh2024_ffi.so may be stale;
    // it would take precedence over the rpath that points at this build's library.
    let output = Command::new(exe)
        .env_remove("LD_LIBRARY_PATH")
        .output()
        .expect("the program runs");
    assert!(
        output.status.success(),
        "{} failed ({}):\n{}{}",
        exe.display(),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "{} wrote to stderr:\n{}",
        exe.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Builds an example both ways, runs it, and compares its output with
/// `examples/c/NAME.expected`.
#[cfg(target_os = "linux")]
fn check_example(name: &str) {
    let expected_path = root().join(format!("examples/c/{name}.expected"));
    for link in [Link::Static, Link::Dynamic] {
        let exe = build("cc", "c11", &format!("examples/c/{name}.c"), link);
        let stdout = String::from_utf8(run(&exe).stdout).unwrap();
        if bless() {
            fs::write(&expected_path, &stdout).unwrap();
            continue;
        }
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        assert!(
            stdout == expected,
            "examples/c/{name}.c ({link:?}) printed something else than \
             examples/c/{name}.expected ({}); if the change is intended, rerun with \
             H2024_BLESS=1 and review the diff.\n--- printed:\n{stdout}--- expected:\n{expected}",
            first_difference(&expected, &stdout)
        );
    }
}

#[cfg(target_os = "linux")]
#[test]
fn example_select_code() {
    check_example("select_code");
}

#[cfg(target_os = "linux")]
#[test]
fn example_units() {
    check_example("units");
}

/// Builds a C test, runs it, and checks its closing line.
#[cfg(target_os = "linux")]
fn check_c_test(name: &str) {
    let exe = build("cc", "c11", &format!("tests/c/{name}.c"), Link::Static);
    let stdout = String::from_utf8(run(&exe).stdout).unwrap();
    let last = stdout.lines().last().unwrap_or_default();
    let counts = last
        .strip_prefix(&format!("{name}: "))
        .and_then(|rest| rest.strip_suffix(" failed"))
        .and_then(|rest| rest.split_once(" passed, "))
        .unwrap_or_else(|| panic!("closing line of {name}: {last:?}"));
    let passed: u32 = counts.0.parse().unwrap();
    assert_eq!(counts.1, "0", "{stdout}");
    assert!(passed >= 50, "{name} ran its checks: {stdout}");
}

#[cfg(target_os = "linux")]
#[test]
fn c_misuse() {
    check_c_test("misuse");
}

#[cfg(target_os = "linux")]
#[test]
fn c_threads() {
    check_c_test("threads");
}

#[cfg(target_os = "linux")]
#[test]
fn shared_library_exports_exactly_the_header_functions() {
    let lib = lib_dir().join("libh2024_ffi.so");
    let output = Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(&lib)
        .output()
        .expect("nm runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut exported: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| match l.split_whitespace().collect::<Vec<_>>()[..] {
            [_, "T", name] => Some(name.to_owned()),
            _ => None,
        })
        .collect();
    exported.sort();
    let header = committed_header();
    let mut declared: Vec<String> = header
        .lines()
        .filter(|l| !l.starts_with([' ', '/', '*', '#']))
        .filter_map(|l| {
            let start = l.find("h2024_")?;
            let name: String = l[start..].chars().take_while(|&c| c != '(').collect();
            l[start + name.len()..].starts_with('(').then_some(name)
        })
        .collect();
    declared.sort();
    assert_eq!(exported, declared);
}

#[cfg(target_os = "linux")]
#[test]
fn header_is_self_contained_c99_and_guarded() {
    // First and only include, twice: it brings its own <stdint.h> and has an include guard.
    let source = scratch_dir().join("only_header.c");
    fs::write(
        &source,
        "#include \"h2024.h\"\n#include \"h2024.h\"\n\
         uint32_t f(const H2024Engine *e) { uint32_t u = 0;\n\
         return h2024_units(e, \"medicaid\", \"H2014\", 38, &u) == H2024_STATUS_OK ? u : 0; }\n",
    )
    .unwrap();
    let output = Command::new("cc")
        .args([
            "-std=c99",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-Wpedantic",
            "-fsyntax-only",
        ])
        .arg(format!("-I{}", root().join("include").display()))
        .arg(&source)
        .output()
        .expect("cc runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[cfg(target_os = "linux")]
#[test]
fn header_compiles_and_links_as_cpp() {
    let exe = build("c++", "c++17", "tests/c/header.cpp", Link::Dynamic);
    let stdout = String::from_utf8(run(&exe).stdout).unwrap();
    assert_eq!(stdout, format!("c++: ok ({})\n", env!("CARGO_PKG_VERSION")));
}
