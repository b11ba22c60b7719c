//! `bench-report`: puts the figures every bench and long loop left in `target/bench-results/`
//! into `BENCHMARKS.md` (the last step of `make bench`; see `slate_e2e::report`).

use std::process::ExitCode;

fn main() -> ExitCode {
    let benchmarks = slate_e2e::workspace_root().join("BENCHMARKS.md");
    let results = slate_e2e::report::results_dir();
    match slate_e2e::report::update(&benchmarks, &results) {
        Ok((placed, added)) => {
            println!(
                "BENCHMARKS.md: figures updated for {}",
                if placed.is_empty() {
                    "nothing".to_owned()
                } else {
                    placed.join(", ")
                }
            );
            if !added.is_empty() {
                println!(
                    "added at the end (no markers for them yet, move them where they belong): {}",
                    added.join(", ")
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "bench-report: cannot update {} from {}: {e}",
                benchmarks.display(),
                results.display()
            );
            ExitCode::FAILURE
        }
    }
}
