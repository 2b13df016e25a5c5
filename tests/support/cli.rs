//! Runs the `vpcsim` binary the way a user does, for the tests that check its output.

use std::process::Command;

/// Runs `vpcsim ARGS` in the crate's folder: exit code, stdout, stderr.
pub fn vpcsim(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    let text = |b: Vec<u8>| String::from_utf8(b).expect("UTF-8");
    (out.status.code().unwrap_or(-1), text(out.stdout), text(out.stderr))
}
