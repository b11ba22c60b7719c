//! The core's modules depend one way: each module of `src/` uses only the modules listed before
//! it in the table of `docs/architecture.md` (test code aside). So an import that would close a
//! cycle, or that goes against the written order, fails here, and the page cannot drift from
//! the code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The modules in the order the architecture page lists them (its table's first column).
fn documented_order() -> Vec<String> {
    let page = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/architecture.md");
    let text = std::fs::read_to_string(&page).expect("docs/architecture.md");
    let table = text
        .split("## The core's modules, leaves first")
        .nth(1)
        .expect("the section of the core's modules");
    table
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_owned)
        .collect()
}

/// Every `.rs` file below `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("a source folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// The names that follow `prefix` in `code` (a path's first segment).
fn segments_after<'a>(code: &'a str, prefix: &str) -> Vec<&'a str> {
    code.split(prefix)
        .skip(1)
        .map(|rest| {
            let end = rest
                .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect()
}

/// Each top-level module and the other top-level modules its production code names.
fn dependencies(modules: &BTreeSet<String>) -> BTreeMap<String, BTreeSet<String>> {
    let root = src();
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in rust_files(&root) {
        let rel = file.strip_prefix(&root).expect("below src");
        let parts: Vec<String> = rel
            .iter()
            .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
            .collect();
        let module = parts[0].clone();
        if module == "lib" || parts.last().is_some_and(|p| p == "tests") {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("a source file");
        // Production code only: up to the first test module, without comments.
        let code: String = text
            .split("#[cfg(test)]")
            .next()
            .unwrap_or("")
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        // `super::` names a sibling of the crate root from a top-level file or a folder's
        // mod.rs; from a file inside a folder it names the folder itself.
        let super_is_root = parts.len() == 1 || parts.last().is_some_and(|p| p == "mod");
        let mut named: Vec<&str> = segments_after(&code, "crate::");
        if super_is_root {
            named.extend(segments_after(&code, "super::"));
        }
        let entry = deps.entry(module.clone()).or_default();
        for n in named {
            if n != module && modules.contains(n) {
                entry.insert(n.to_owned());
            }
        }
    }
    deps
}

#[test]
fn every_module_uses_only_those_before_it_in_the_architecture_page() {
    let order = documented_order();
    let listed: BTreeSet<String> = order.iter().cloned().collect();
    let on_disk: BTreeSet<String> = rust_files(&src())
        .iter()
        .filter_map(|f| {
            let rel = f.strip_prefix(src()).ok()?;
            let first = rel.iter().next()?.to_string_lossy();
            Some(first.trim_end_matches(".rs").to_owned())
        })
        .filter(|m| m != "lib")
        .collect();
    assert_eq!(
        listed, on_disk,
        "docs/architecture.md lists exactly the core's modules"
    );
    let position: BTreeMap<&str, usize> = order
        .iter()
        .enumerate()
        .map(|(i, m)| (m.as_str(), i))
        .collect();
    let mut against = Vec::new();
    for (module, uses) in dependencies(&listed) {
        for used in uses {
            if position[used.as_str()] >= position[module.as_str()] {
                against.push(format!("{module} uses {used}"));
            }
        }
    }
    assert!(
        against.is_empty(),
        "imports against the order of docs/architecture.md (a cycle, or a module listed too \
         early): {against:?}"
    );
}
