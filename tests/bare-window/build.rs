//! Build script: tauri-build embeds the configuration, as it does for Slate.

fn main() {
    tauri_build::build();
}
