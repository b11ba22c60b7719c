//! `slatectl`'s command line as a library: the binary parses it, and `slate-docgen` writes the
//! man pages and shell completions from the same clap types (without linking the binary's code).

pub mod cli;
