//! Rebuilds the crate when the built web UI (`ui/dist`, embedded by `ui.rs`) changes.
fn main() {
    println!("cargo:rerun-if-changed=../../ui/dist");
}
