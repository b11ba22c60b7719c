//! Build script: lets tauri-build embed the configuration and generate the permission set for
//! Slate's own commands. Every command listed here needs an explicit `allow-…` permission in a
//! capability file before a window may call it.

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(slate_commands::COMMANDS);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri-build failed");
}

#[path = "src/shell/command_names.rs"]
mod slate_commands;
