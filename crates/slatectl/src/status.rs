//! `slatectl check` and `slatectl status`: the database's health, and the terminal at a glance
//! (read by `slate_core::status`, the same facts the administrator panel shows).

use slate_core::status::{Availability, TerminalStatus};
use slate_core::Kiosk;

use crate::output::{self, Failure};

/// `slatectl check`: integrity, schema, and whether an administrator exists.
pub fn check(kiosk: &Kiosk, json: bool) -> Result<(), Failure> {
    output::check(json, &kiosk.check()?);
    Ok(())
}

/// `slatectl status`: ready, in use or needs attention; the last wipe, audit head and policy.
pub fn status(kiosk: &Kiosk, json: bool) -> Result<(), Failure> {
    let now = Availability::read(kiosk)?;
    output::status(json, &now, &TerminalStatus::read(kiosk)?);
    Ok(())
}
