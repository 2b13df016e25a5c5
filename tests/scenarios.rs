//! Every scenario file in scenarios/ is a test: it must load, create its stacks and
//! hold every expectation. The files are listed when the tests run (libtest-mimic), so
//! a new file cannot be forgotten and no build script is needed; each test is named
//! after its file (`lesson-no-public-ip.yaml`), so two files cannot share a name.
//! `cargo test --test scenarios -- lesson` runs the lessons only.

use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use vpcsim::scenario::{self, render};
use vpcsim::session::Session;

/// The scenario files: `*.yaml` in scenarios/, but not the CloudFormation templates (`*.cfn.yaml`).
fn scenario_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.ends_with(".yaml") && !name.ends_with(".cfn.yaml") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Loads, builds and runs one scenario file; every expectation must hold.
fn run_scenario_file(path: &Path) -> Result<(), Failed> {
    let s = scenario::load(path).map_err(|e| e.to_string())?;
    let mut session = Session::for_scenario(&s).map_err(|e| e.to_string())?;
    let report = scenario::run(&s, &mut session).map_err(|e| e.to_string())?;
    if report.passed {
        Ok(())
    } else {
        Err(render::text(&report).into())
    }
}

fn main() {
    let args = Arguments::from_args();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let files = scenario_files(&dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    assert!(!files.is_empty(), "no scenario files in {}", dir.display());
    let trials = files
        .into_iter()
        .map(|path| {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            Trial::test(name, move || run_scenario_file(&path))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
