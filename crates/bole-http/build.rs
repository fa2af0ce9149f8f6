//! Release builds embed `web/dist`: rebuild when the web app is rebuilt. Without a built
//! app there is nothing to watch (watching a missing path would rebuild this crate on
//! every cargo run).
fn main() {
    let dist = std::path::Path::new("../../web/dist");
    if dist.exists() {
        println!("cargo:rerun-if-changed=../../web/dist");
    } else {
        println!("cargo:rerun-if-changed=build.rs");
    }
}
