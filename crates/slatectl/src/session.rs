//! `slatectl session …`: seeing sessions, and asking the running kiosk to end the live one.

use serde_json::json;

use crate::cli::SessionCommand;
use crate::output::{self, Failure};
use crate::Ctx;

pub fn run(ctx: &Ctx, cmd: SessionCommand) -> Result<(), Failure> {
    let (kiosk, json) = (ctx.kiosk, ctx.json);
    match cmd {
        SessionCommand::List { recent } => {
            let rows = match recent {
                Some(n) => kiosk.recent_sessions(n)?,
                None => kiosk.open_sessions()?,
            };
            output::sessions(json, &rows);
        }
        SessionCommand::End { user } => {
            let n = kiosk.request_end(&ctx.actor, user.as_deref())?;
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
