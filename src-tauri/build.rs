//! Build script: lets tauri-build embed the configuration and generate the permission set for
//! Slate's own commands (listed once, in the core's `ipc_names.rs`). Every command listed here needs an explicit `allow-…` permission in a
//! capability file before a window may call it.

fn main() {
    println!("cargo:rerun-if-changed=../crates/slate-core/src/ipc_names.rs");
    let manifest = tauri_build::AppManifest::new().commands(ipc_names::COMMANDS);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri-build failed");
}

#[path = "../crates/slate-core/src/ipc_names.rs"]
#[allow(dead_code)] // the events are for the app and the UI
mod ipc_names;
