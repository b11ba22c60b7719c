//! What the long loops share with the benches: keeping their figures for BENCHMARKS.md. Each
//! run of a long loop (not the short one `make test` makes) prints its figures and keeps them as
//! `target/bench-results/<name>.md`; `make bench` ends by putting every such fragment into
//! BENCHMARKS.md (`bench-report`, in the end-to-end crate).

#![allow(dead_code)] // each test file uses part of it

use std::path::Path;

/// Prints `figures` and keeps them as the fragment `target/bench-results/<name>.md`.
pub fn write_figures(name: &str, figures: &str) {
    println!("\n{figures}");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-results");
    let kept = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join(format!("{name}.md")), figures));
    if let Err(e) = kept {
        eprintln!("cannot keep the figures in {}: {e}", dir.display());
    }
}
