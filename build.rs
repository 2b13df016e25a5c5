//! Generates one test per scenario file in scenarios/, so a new file cannot be forgotten.

use std::fmt::Write;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=scenarios");
    let mut names: Vec<String> = std::fs::read_dir("scenarios")
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.retain(|n| n.ends_with(".yaml") && !n.ends_with(".cfn.yaml"));
    names.sort();
    let mut out = String::new();
    for n in &names {
        let ident: String = n
            .trim_end_matches(".yaml")
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let _ = writeln!(out, "#[test]\nfn scenario_{ident}() {{ run_scenario_file({n:?}); }}");
    }
    let dest = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("scenario_tests.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}
