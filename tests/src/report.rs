//! The figures of the benches and long loops, and how they reach `BENCHMARKS.md`.
//!
//! Every bench, timing harness and long loop writes its figures as a markdown fragment to
//! `target/bench-results/<name>.md` ([`write_figures`]; the criterion benches of `slate-core` write
//! the same files). `make bench` ends with the `bench-report` binary, which puts each fragment
//! into `BENCHMARKS.md` between the markers `<!-- figures:<name> -->` and `<!-- /figures:<name> -->`,
//! dated, leaving the prose around them as it is. A fragment with no markers yet is added at the
//! end under its own heading, so no figure is dropped.

use std::path::{Path, PathBuf};

/// The median of `v` (not empty).
pub fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n.is_multiple_of(2) {
        f64::midpoint(v[n / 2 - 1], v[n / 2])
    } else {
        v[n / 2]
    }
}

/// Where fragments are kept: `target/bench-results/`.
pub fn results_dir() -> PathBuf {
    super::target_dir().join("bench-results")
}

/// Prints `figures` and keeps them as the fragment `name` for `bench-report`.
pub fn write_figures(name: &str, figures: &str) {
    println!("\n{figures}");
    let dir = results_dir();
    std::fs::create_dir_all(&dir).expect("target/bench-results");
    std::fs::write(dir.join(format!("{name}.md")), figures).expect("the figures are kept");
}

/// `text` with the region of `name` replaced by `figures` (dated `date`), or the region added
/// at the end when `text` has no markers for it. Returns the new text and whether the markers
/// were there.
pub fn splice(text: &str, name: &str, date: &str, figures: &str) -> (String, bool) {
    let open = format!("<!-- figures:{name} -->");
    let close = format!("<!-- /figures:{name} -->");
    let body = format!(
        "{open}\nMeasured {date}:\n\n{}\n{close}",
        figures.trim_end()
    );
    match (text.find(&open), text.find(&close)) {
        (Some(start), Some(end)) if end > start => {
            let mut out = String::with_capacity(text.len() + body.len());
            out.push_str(&text[..start]);
            out.push_str(&body);
            out.push_str(&text[end + close.len()..]);
            (out, true)
        }
        _ => (
            format!("{}\n\n## {name}\n\n{body}\n", text.trim_end()),
            false,
        ),
    }
}

/// Puts every fragment of `results` into the file `benchmarks`; returns the names placed and
/// the names that had no markers (added at the end).
pub fn update(benchmarks: &Path, results: &Path) -> std::io::Result<(Vec<String>, Vec<String>)> {
    let mut text = std::fs::read_to_string(benchmarks)?;
    let mut fragments: Vec<PathBuf> = std::fs::read_dir(results)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    fragments.sort();
    let (mut placed, mut added) = (Vec::new(), Vec::new());
    for path in fragments {
        let Some(name) = path.file_stem().and_then(|s| s.to_str()).map(str::to_owned) else {
            continue;
        };
        let figures = std::fs::read_to_string(&path)?;
        let when: chrono::DateTime<chrono::Local> = std::fs::metadata(&path)?.modified()?.into();
        let (next, had_markers) =
            splice(&text, &name, &when.format("%Y-%m-%d").to_string(), &figures);
        text = next;
        if had_markers {
            placed.push(name);
        } else {
            added.push(name);
        }
    }
    std::fs::write(benchmarks, text)?;
    Ok((placed, added))
}

#[cfg(test)]
mod tests {
    use super::splice;

    #[test]
    fn replaces_only_its_own_region() {
        let text = "# B\n\nprose a\n<!-- figures:a -->\nold a\n<!-- /figures:a -->\nprose b\n\
                    <!-- figures:b -->\nold b\n<!-- /figures:b -->\nend\n";
        let (out, had) = splice(text, "a", "2026-11-22", "| x | 1 |\n");
        assert!(had);
        assert_eq!(
            out,
            "# B\n\nprose a\n<!-- figures:a -->\nMeasured 2026-11-22:\n\n| x | 1 |\n\
             <!-- /figures:a -->\nprose b\n<!-- figures:b -->\nold b\n<!-- /figures:b -->\nend\n"
        );
        // Splicing again gives the same text: the region is replaced, not nested.
        let (again, _) = splice(&out, "a", "2026-11-22", "| x | 1 |\n");
        assert_eq!(again, out);
    }

    #[test]
    fn a_fragment_without_markers_is_added_at_the_end() {
        let (out, had) = splice("# B\n\nprose\n", "new", "2026-11-22", "figure");
        assert!(!had);
        assert!(out.starts_with("# B\n\nprose\n\n## new\n\n<!-- figures:new -->\n"));
        assert!(out.ends_with("figure\n<!-- /figures:new -->\n"));
        // A closing marker before the opening one is no region.
        let (_, had) = splice("<!-- /figures:x -->\n<!-- figures:x -->\n", "x", "d", "f");
        assert!(!had);
    }
}
