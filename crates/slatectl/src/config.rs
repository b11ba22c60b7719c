//! `slatectl config …`: reading and changing settings (defaults < administrator < policy files;
//! in a room, the room's values for the room, the terminal's group and the terminal instead of
//! the administrator's), each value with the layer and the file that set it.

use serde_json::json;
use slate_core::kiosk::KioskError;
use slate_core::settings::SettingError;

use crate::cli::ConfigCommand;
use crate::output::{self, Failure};
use crate::Ctx;

pub fn run(ctx: &Ctx, cmd: ConfigCommand) -> Result<(), Failure> {
    let (kiosk, json) = (ctx.kiosk, ctx.json);
    if matches!(cmd, ConfigCommand::Show | ConfigCommand::Get { .. }) {
        // In a room: its values as they are now (the service reads them as they change; without
        // it, those kept from the last time are shown, said in the log).
        if let Err(e) = kiosk.refresh_room_settings() {
            output::warn(&format!(
                "The room cannot be asked now ({e}); its settings as last read are shown."
            ));
        }
    }
    match cmd {
        ConfigCommand::Show => output::settings(
            json,
            &kiosk.settings_in_force()?,
            &kiosk.data_dir().database(),
        ),
        ConfigCommand::Get { key } => {
            let all = kiosk.settings_in_force()?;
            let Some(e) = all.iter().find(|e| e.def.key == key) else {
                return Err(KioskError::from(SettingError::Unknown(key)).into());
            };
            let file = output::source_file(e, &kiosk.data_dir().database());
            output::answer(
                json,
                &json!({ "key": key, "value": e.value, "layer": e.layer, "file": file }),
                &e.value,
            );
        }
        ConfigCommand::Set { key, value } => {
            // slatectl put standard input's line in place of `-` before the command ran.
            let value = zeroize::Zeroizing::new(value);
            let (old, new) = kiosk.set_setting(&ctx.actor, &key, &value)?;
            output::setting_changed(json, &key, &old, &new, "");
        }
        ConfigCommand::Unset { key } => {
            let (old, new) = kiosk.unset_setting(&ctx.actor, &key)?;
            output::setting_changed(json, &key, &old, &new, " (the default)");
        }
    }
    Ok(())
}
