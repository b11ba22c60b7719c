//! An I/O error as the end of a sentence a person reads: "permission denied", not
//! "Permission denied (os error 13)". One place for every module that reports a file problem.

use std::io;

/// The error's own words, without the OS error number, lower case, no final full stop.
pub fn reason(e: &io::Error) -> String {
    let s = e.to_string();
    s.split(" (os error")
        .next()
        .unwrap_or(&s)
        .to_lowercase()
        .trim_end_matches('.')
        .to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_os_error_number_goes() {
        let e = std::io::Error::from_raw_os_error(13);
        assert_eq!(super::reason(&e), "permission denied");
    }
}
