//! The layers, checked: the crates under src-tauri/crates depend on each other one way
//! (ARCHITECTURE.md's order), only the app depends on Tauri, and inside each crate the modules
//! import each other one way too (no circles), so the folder tree is the map of the code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Bottom to top: a crate may depend only on crates before it.
const LAYERS: [&str; 6] = ["domain", "secrets", "ledger", "gateways", "sandbox", "core"];

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/crates")
}

/// The `[dependencies]` names of a crate's manifest (any target), dev-dependencies left out.
fn dependencies(layer: &str) -> BTreeSet<String> {
    let manifest = std::fs::read_to_string(crates_dir().join(layer).join("Cargo.toml")).unwrap();
    let mut deps = BTreeSet::new();
    let mut in_deps = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_deps = line.ends_with("dependencies]") && !line.contains("dev-dependencies");
            continue;
        }
        if in_deps && !line.is_empty() && !line.starts_with('#') {
            let name = line.split(['=', '.', ' ']).next().unwrap().trim();
            deps.insert(name.to_string());
        }
    }
    deps
}

#[test]
fn crates_depend_downwards_only_and_none_on_tauri() {
    for (i, layer) in LAYERS.iter().enumerate() {
        for dep in dependencies(layer) {
            assert!(
                !dep.starts_with("tauri") && !dep.contains("webkit") && dep != "wry",
                "{layer} depends on {dep}: only the app may depend on Tauri"
            );
            if let Some(other) = dep.strip_prefix("paydesk-") {
                let at = LAYERS
                    .iter()
                    .position(|l| *l == other)
                    .unwrap_or_else(|| panic!("{layer} depends on an unknown crate {dep}"));
                assert!(
                    at < i,
                    "{layer} depends on {other}, which is not below it ({LAYERS:?})"
                );
            }
        }
    }
    let mut found: Vec<String> = std::fs::read_dir(crates_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    let mut listed: Vec<String> = LAYERS.iter().map(|l| l.to_string()).collect();
    listed.sort();
    assert_eq!(found, listed, "every crate has its place in LAYERS");
}

/// A crate's top-level modules and the ones each imports (`crate::x`, or `super::x` from a
/// module's own file), test code left out.
fn module_imports(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, files);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        // Test code: `tests.rs`, `<topic>_tests.rs` (declared under #[cfg(test)]), a `tests/` folder.
        let file_name = rel.file_name().unwrap().to_string_lossy();
        if top == "lib" || top == "tests" || file_name.ends_with("tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        let entry = graph.entry(top.clone()).or_default();
        for (i, _) in code.match_indices("crate::") {
            let name: String = code[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                .collect();
            if !name.is_empty() && name != top {
                entry.insert(name);
            }
        }
    }
    let modules: BTreeSet<String> = graph.keys().cloned().collect();
    for deps in graph.values_mut() {
        deps.retain(|d| modules.contains(d));
    }
    graph
}

/// A circle in `graph`, if there is one.
fn circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_string());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn modules_inside_each_crate_import_one_way() {
    for layer in LAYERS {
        let graph = module_imports(&crates_dir().join(layer).join("src"));
        assert!(!graph.is_empty(), "{layer} has modules");
        if let Some(found) = circle(&graph) {
            panic!(
                "{layer}: modules import each other in a circle: {}",
                found.join(" -> ")
            );
        }
    }
}

#[test]
fn the_circle_finder_finds_circles() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec![]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(circle(&graph).unwrap(), ["a", "b", "c", "a"]);
    let line: BTreeMap<String, BTreeSet<String>> = [("a", vec!["b"]), ("b", vec![])]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
        .collect();
    assert_eq!(circle(&line), None);
}
