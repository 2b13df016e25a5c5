//! Embeds every file of scenarios/ (the lab, the lessons and the templates they create)
//! into the binary: it writes `catalogue.rs` to OUT_DIR, one `include_str!` a file, in
//! file-name order, so a scenario added to the folder is built in without a list to edit
//! (src/catalogue.rs reads it).

use std::fmt::Write;
use std::path::Path;

fn main() {
    // Read at run time, not with env!: a build script binary reused by another checkout
    // (a second worktree sharing a target directory) must read that checkout's files.
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&root).join("scenarios");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("scenarios/ is readable")
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml") || n.ends_with(".json"))
        .collect();
    names.sort();
    let mut out = String::from("/// Every file of scenarios/, by file name, in file-name order.\npub const FILES: &[(&str, &str)] = &[\n");
    for n in &names {
        println!("cargo:rerun-if-changed={}", dir.join(n).display());
        let path = dir.join(n);
        let _ = writeln!(out, "    ({n:?}, include_str!({:?})),", path.display().to_string());
    }
    out.push_str("];\n");
    // Written beside, then renamed over: a target directory copied with hard links (one
    // per worktree) shares the old file's inode, which an in-place write would change for
    // every copy.
    let dir = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let fresh = dir.join("catalogue.rs.new");
    std::fs::write(&fresh, out).expect("OUT_DIR is writable");
    std::fs::rename(&fresh, dir.join("catalogue.rs")).expect("OUT_DIR is writable");
}
