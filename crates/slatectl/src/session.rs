//! `slatectl session …`: seeing sessions, and asking the running kiosk to end the live one.

use serde_json::json;
use slate_core::Kiosk;

use crate::cli::SessionCommand;
use crate::output::{self, Failure};

pub fn run(kiosk: &Kiosk, cmd: SessionCommand, json: bool) -> Result<(), Failure> {
    match cmd {
        SessionCommand::List { recent } => {
            let rows = match recent {
                Some(n) => kiosk.recent_sessions(n)?,
                None => kiosk.open_sessions()?,
            };
            output::sessions(json, &rows);
        }
        SessionCommand::End { user } => {
            let n = kiosk.request_end(&crate::me(), user.as_deref())?;
            let text = if n == 0 {
                "No matching session is open.".to_owned()
            } else {
                format!(
                    "Asked the kiosk to end {n} session{}; it acts within 2 seconds.",
                    if n == 1 { "" } else { "s" }
                )
            };
            output::answer(json, &json!({ "asked_to_end": n }), &text);
        }
    }
    Ok(())
}
