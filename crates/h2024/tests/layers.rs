//! The crate's modules depend on each other one way (the crate documentation, "Layers"): no
//! source file reaches, through `crate::` paths, a file that reaches it back, and no file
//! uses a file of a layer below its own.
//!
//! Each file under `src/` is a node; a `crate::a` or `crate::a::b` path outside comments and
//! test modules is an edge to the file that defines it (`src/a.rs`, `src/a/mod.rs`,
//! `src/a/b.rs`, or the one file `src/*/a.rs` that the crate root re-exports as `a`).
//! Doc links are comments and do not count; attributes (a `schemars` transform) do.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// The layers of the crate documentation ("Layers"), top first, each with the files it
/// holds (a path names a file or a folder; a file is in the layer of the longest path that
/// names it). A file uses only files of its own layer or of layers above it.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "vocabulary",
        &[
            "vocabulary",
            "rules/units",
            "session",
            "timestamp",
            "strict",
            "error",
        ],
    ),
    ("policy", &["policy", "fees"]),
    ("request", &["request"]),
    ("results", &["rules/reasons", "findings", "response"]),
    ("rules", &["rules"]),
    ("evaluation", &["evaluation"]),
    ("checks", &["checks"]),
    ("claims", &["claims", "x12"]),
    ("explanation", &["explain"]),
    ("engine", &["wire", "engine", "schema", "lib"]),
];

/// The layer of a file (`evaluation/claim`), as its position in [`LAYERS`].
fn layer_of(file: &str) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None; // (length of the path, layer)
    for (layer, (_, paths)) in LAYERS.iter().enumerate() {
        for path in *paths {
            let names = file == *path
                || file
                    .strip_prefix(path)
                    .is_some_and(|rest| rest.starts_with('/'));
            if names && best.is_none_or(|(len, _)| path.len() > len) {
                best = Some((path.len(), layer));
            }
        }
    }
    best.map(|(_, layer)| layer)
}

/// Every `.rs` file under `dir`, as its path relative to `src/` without `.rs` (`engine`,
/// `evaluation/mod`, `evaluation/claim`), with its text.
fn sources(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .expect("src/ is readable")
        .map(|e| e.expect("a readable entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sources(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let name = path
                .strip_prefix(root)
                .expect("under src/")
                .with_extension("")
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(name, fs::read_to_string(&path).expect("readable source"));
        }
    }
}

/// The code of a file that the library is built from: without comments and without its
/// test module (which every file keeps at its end).
fn library_code(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let end = text.find("#[cfg(test)]").unwrap_or(text.len());
    text[..end]
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.split("//").next().unwrap_or("")))
}

/// The `crate::` paths of a line: their first two segments.
fn crate_paths(line: &str) -> Vec<(String, Option<String>)> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue; // `$crate::`, `other_crate::`
        }
        let segment = |s: &str| -> String {
            s.chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect()
        };
        let first = segment(rest);
        let second = rest[first.len()..]
            .strip_prefix("::")
            .map(segment)
            .filter(|s| !s.is_empty());
        if !first.is_empty() {
            found.push((first, second));
        }
    }
    found
}

/// The file a `crate::first::second` path is defined in, if it is a module of the crate.
fn resolve(
    files: &BTreeMap<String, String>,
    (first, second): &(String, Option<String>),
) -> Option<String> {
    if let Some(second) = second {
        let child = format!("{first}/{second}");
        if files.contains_key(&child) {
            return Some(child);
        }
    }
    for own in [first.clone(), format!("{first}/mod")] {
        if files.contains_key(&own) {
            return Some(own);
        }
    }
    // A module re-exported at the root from a folder (`pub use vocabulary::codes`).
    let mut nested = files
        .keys()
        .filter(|k| k.rsplit_once('/').is_some_and(|(_, name)| name == first));
    match (nested.next(), nested.next()) {
        (Some(only), None) => Some(only.clone()),
        _ => None,
    }
}

/// The library's files, and for each the files it uses, with the first line that does.
type Edges = BTreeMap<String, BTreeMap<String, usize>>;

fn edges() -> (BTreeMap<String, String>, Edges) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    sources(&root, &root, &mut files);
    assert!(files.len() > 20, "the crate's sources were found");

    let mut edges: Edges = BTreeMap::new();
    for (name, text) in &files {
        for (line_no, code) in library_code(text) {
            for path in crate_paths(code) {
                if let Some(target) = resolve(&files, &path) {
                    if &target != name && target != "lib" {
                        (edges.entry(name.clone()).or_default())
                            .entry(target)
                            .or_insert(line_no);
                    }
                }
            }
        }
    }
    assert!(
        edges
            .get("engine")
            .is_some_and(|e| e.contains_key("policy")),
        "the edges were read (engine uses policy)"
    );
    (files, edges)
}

#[test]
fn no_file_uses_a_layer_below_its_own() {
    let (files, edges) = edges();
    let unplaced: Vec<&String> = files.keys().filter(|f| layer_of(f).is_none()).collect();
    assert!(
        unplaced.is_empty(),
        "files in no layer (add them to LAYERS and to the crate documentation): {unplaced:?}"
    );
    let mut wrong = Vec::new();
    for (from, used) in &edges {
        for (to, line) in used {
            let (a, b) = (layer_of(from).unwrap(), layer_of(to).unwrap());
            if b > a {
                wrong.push(format!(
                    "{from}.rs:{line} ({}) uses {to} ({})",
                    LAYERS[a].0, LAYERS[b].0
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "uses of a lower layer:\n{wrong:#?}");
}

#[test]
fn no_module_reaches_back_to_itself() {
    let (files, edges) = edges();

    // Depth-first search; a cycle is reported with the line of each step.
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeMap<String, usize>>,
        state: &mut BTreeMap<String, bool>,
        stack: &mut Vec<String>,
        cycles: &mut Vec<String>,
    ) {
        state.insert(node.to_owned(), false);
        stack.push(node.to_owned());
        for (next, _) in edges.get(node).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(false) => {
                    let from = stack.iter().position(|n| n == next).unwrap_or(0);
                    let mut steps: Vec<String> = Vec::new();
                    let cycle: Vec<&String> = stack[from..].iter().chain([next]).collect();
                    for pair in cycle.windows(2) {
                        let line = edges[pair[0].as_str()][pair[1].as_str()];
                        steps.push(format!("{}.rs:{line} uses {}", pair[0], pair[1]));
                    }
                    cycles.push(steps.join(", "));
                }
                Some(true) => {}
                None => visit(next, edges, state, stack, cycles),
            }
        }
        stack.pop();
        state.insert(node.to_owned(), true);
    }
    let mut state = BTreeMap::new();
    let mut cycles = Vec::new();
    for name in files.keys() {
        if !state.contains_key(name.as_str()) {
            visit(name, &edges, &mut state, &mut Vec::new(), &mut cycles);
        }
    }
    let unique: BTreeSet<String> = cycles.into_iter().collect();
    assert!(unique.is_empty(), "module cycles:\n{unique:#?}");
}

#[test]
fn paths_are_read_from_code_not_comments() {
    assert_eq!(
        crate_paths("use crate::codes::{Code, Service};"),
        [("codes".to_owned(), None)]
    );
    assert_eq!(
        crate_paths("x: crate::evaluation::claim::Item, y: $crate::z, w: h2024_crate::q"),
        [("evaluation".to_owned(), Some("claim".to_owned()))]
    );
    let text =
        "use crate::a;\n/// [`b`](crate::b)\nfn f() {} // crate::c\n#[cfg(test)]\nuse crate::d;";
    let paths: Vec<String> = library_code(text)
        .flat_map(|(_, code)| crate_paths(code))
        .map(|(first, _)| first)
        .collect();
    assert_eq!(paths, ["a"]);
}

#[test]
fn files_are_placed_by_their_longest_path() {
    assert_eq!(layer_of("rules/units"), Some(0));
    assert_eq!(layer_of("rules/reasons"), Some(3));
    assert_eq!(layer_of("rules/selection"), Some(4));
    assert_eq!(layer_of("rules"), Some(4));
    assert_eq!(layer_of("evaluation/claim"), Some(5));
    assert_eq!(layer_of("policyx"), None);
}
