//! Files are refused at the size limit without reading past it (regular files only).

use std::path::{Path, PathBuf};

use super::*;

#[test]
fn measuring_counts_what_this_thread_allocates() {
    let (_, usage) = measure(|| vec![0u8; 4096]);
    assert!(usage.allocated >= 4096 && usage.peak >= 4096, "{usage:?}");
}

/// A fresh directory for one test's files, removed when the test ends.
fn scratch(test: &str) -> tempfile::TempDir {
    tempfile::Builder::new().prefix(&format!("vpcsim-files-{test}-")).tempdir().expect("a scratch directory")
}

/// Loads a scenario file on a watched thread (a blocking open fails the test instead of hanging it).
fn load(path: PathBuf) -> Result<vpcsim::scenario::Scenario, FileError> {
    finishes(move || vpcsim::scenario::load(&path))
}

#[test]
fn dev_zero_as_a_scenario_is_refused_as_a_device_without_reading_it() {
    let (e, usage) = measure(|| vpcsim::scenario::load(Path::new("/dev/zero")).unwrap_err());
    assert_eq!(e.problems.len(), 1);
    let p = &e.problems[0];
    assert_eq!((p.file.as_str(), p.location.line, p.location.column), ("/dev/zero", 1, 1));
    assert!(p.message.contains("/dev/zero is a device, not a regular file"), "{p}");
    assert!(usage.peak < 64 << 10, "nothing read: {usage:?}");
}

#[cfg(unix)]
#[test]
fn a_fifo_as_a_scenario_or_as_a_stack_template_is_refused_without_blocking() {
    let scratch = scratch("fifo");
    let dir = scratch.path().to_path_buf();
    let fifo = dir.join("t.cfn.yaml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(made.success());
    let e = load(fifo.clone()).unwrap_err();
    assert!(e.problems[0].message.contains("is a FIFO, not a regular file"), "{e}");
    let scenario = dir.join("s.yaml");
    std::fs::write(
        &scenario,
        "name: s\nstacks:\n  - name: a\n    template: t.cfn.yaml\nsteps:\n  - wait: 1s\n",
    )
    .unwrap();
    let e = finishes(move || {
        let s = vpcsim::scenario::load(&scenario).expect("the scenario is well formed");
        let mut session = vpcsim::session::Session::for_scenario(&s).expect("a session");
        vpcsim::scenario::run(&s, &mut session).map(|_| ()).unwrap_err()
    });
    let text = e.to_string();
    assert!(text.contains("s.yaml:3:") && text.contains("stack a"), "{text}");
    assert!(text.contains("t.cfn.yaml is a FIFO, not a regular file"), "{text}");
}

#[test]
fn a_directory_as_a_scenario_is_refused_naming_its_path() {
    let scratch = scratch("dir");
    let dir = scratch.path().to_path_buf();
    let e = load(dir.clone()).unwrap_err();
    let want = format!("{} is a directory, not a regular file", dir.display());
    assert!(e.problems[0].message.contains(&want), "{e}");
}

#[test]
fn a_file_over_eight_mebibytes_is_refused_naming_max_bytes_after_reading_at_most_the_limit() {
    let scratch = scratch("big");
    let dir = scratch.path().to_path_buf();
    let path = dir.join("big.yaml");
    std::fs::write(&path, "# padding\n".repeat(3_000_000)).unwrap();
    let (e, usage) = measure(|| vpcsim::scenario::load(&path).unwrap_err());
    assert!(e.problems[0].message.contains("more than 8388608 bytes (limit max_bytes)"), "{e}");
    assert!(usage.allocated < (8 << 20) + (64 << 10), "read at most the limit and a byte: {usage:?}");
}

#[test]
fn invalid_utf8_is_reported_at_the_line_and_column_of_the_first_bad_byte() {
    let scratch = scratch("utf8");
    let dir = scratch.path().to_path_buf();
    let path = dir.join("bad.yaml");
    std::fs::write(&path, b"name: s\nsteps:\n  - wait: \xc3\xa91s\xff\n".as_slice()).unwrap();
    let e = load(path.clone()).unwrap_err();
    let p = &e.problems[0];
    assert_eq!((p.location.line, p.location.column), (3, 14), "{p}");
    assert!(p.message.contains("not UTF-8 text: invalid byte 0xff"), "{p}");
    assert_eq!(p.file, path.display().to_string());
}

#[test]
fn a_byte_order_mark_before_a_scenario_its_template_or_a_scope_is_skipped_as_yaml_and_json_readers_skip_it() {
    let scratch = scratch("bom");
    let dir = scratch.path().to_path_buf();
    let bom = "\u{feff}";
    std::fs::write(
        dir.join("s.yaml"),
        format!("{bom}name: s\nstacks:\n  - name: a\n    template: t.cfn.yaml\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("t.cfn.yaml"),
        format!(
            "{bom}Resources:\n  V:\n    Type: AWS::EC2::VPC\n    Properties: {{CidrBlock: 10.0.0.0/16}}\n"
        ),
    )
    .unwrap();
    let scenario = dir.join("s.yaml");
    let vpcs = finishes(move || {
        let s = vpcsim::scenario::load(&scenario).expect("the mark is not part of the first key");
        let mut session = vpcsim::session::Session::for_scenario(&s).expect("a session");
        vpcsim::scenario::run(&s, &mut session).expect("the template's mark is skipped too");
        session.world.vpcs().live().count()
    });
    assert_eq!(vpcs, 1);
    std::fs::write(dir.join("scope.json"), format!("{bom}{{\"MatchPaths\": []}}")).unwrap();
    let text = vpcsim::source::read(&dir.join("scope.json"), 1 << 20).expect("UTF-8 text");
    assert!(text.starts_with('{'), "{text:?}");
}
