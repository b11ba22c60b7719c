//! `slatectl config …`: reading and changing settings (defaults < administrator < policy files),
//! each value with the layer and the file that set it.

use serde_json::json;
use slate_core::kiosk::KioskError;
use slate_core::settings::SettingError;
use slate_core::Kiosk;

use crate::cli::ConfigCommand;
use crate::output::{self, Failure};

pub fn run(kiosk: &Kiosk, cmd: ConfigCommand, json: bool) -> Result<(), Failure> {
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
            let (old, new) = kiosk.set_setting(&crate::me(), &key, &value)?;
            output::setting_changed(json, &key, &old, &new, "");
        }
        ConfigCommand::Unset { key } => {
            let (old, new) = kiosk.unset_setting(&crate::me(), &key)?;
            output::setting_changed(json, &key, &old, &new, " (the default)");
        }
    }
    Ok(())
}
