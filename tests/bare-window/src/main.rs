//! A bare Tauri window: one window showing one static page, nothing else. It is built like Slate
//! (the same Tauri, the same release profile) so that `make bench` can compare Slate's memory
//! and CPU at rest with what any Tauri window costs on the same machine.

fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("the window runs");
}
