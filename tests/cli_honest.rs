//! Honest success at the command line: the built binary never reports success for
//! something that did not happen. Empty substitutions, unbounded waits, invalid input
//! bytes, write errors and hostile text each end in an error that says what and where.

use std::io::Write;
use std::process::{Command, Stdio};

/// What a run of the binary gave.
struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `vpcsim ARGS` in the crate's folder with `input` (any bytes) on standard input.
fn vpcsim_with_bytes(args: &[&str], input: &[u8]) -> Ran {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child.stdin.take().expect("stdin").write_all(input).expect("stdin takes the input");
    let out = child.wait_with_output().expect("the binary finishes");
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn vpcsim(args: &[&str]) -> Ran {
    vpcsim_with_bytes(args, b"")
}

mod shell {
    use super::*;

    #[test]
    fn a_public_ip_that_does_not_exist_is_an_error_and_the_shell_ends_with_exit_0() {
        let ran = vpcsim_with_bytes(
            &["shell", "scenarios/lesson-no-public-ip.yaml"],
            b"${MyEC2.PublicIp}\ncurl http://${MyEC2.PublicIp}/\necho done\n",
        );
        assert_eq!(ran.code, 0, "never 101: {}", ran.stderr);
        assert!(
            ran.stdout
                .contains("vpcsim: line 1: `${MyEC2.PublicIp}` yields nothing: `MyEC2` has no `PublicIp`"),
            "{}",
            ran.stdout
        );
        assert!(ran.stdout.contains("vpcsim: line 2: `${MyEC2.PublicIp}` yields nothing"), "{}", ran.stdout);
        assert!(!ran.stdout.contains("curl: (6)"), "curl never ran with an empty host: {}", ran.stdout);
        assert!(ran.stdout.contains("unknown command echo"), "the session went on: {}", ran.stdout);
    }

    #[test]
    fn wait_is_bounded_like_a_scenario_s_naming_max_wait_and_max_total_wait() {
        let week = "wait 24h\n".repeat(7);
        let input = format!("wait 999999h\n{week}wait 1s\nwait-for CustomNLBTG healthy\n");
        let ran = vpcsim_with_bytes(&["shell", "lab"], input.as_bytes());
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        assert!(
            ran.stdout.contains("vpcsim: `wait`: `999999h` is longer than the limit of 24h (MAX_WAIT)"),
            "{}",
            ran.stdout
        );
        assert_eq!(ran.stdout.matches("the clock is now").count(), 7, "{}", ran.stdout);
        assert_eq!(ran.stdout.matches("(limit MAX_TOTAL_WAIT)").count(), 2, "{}", ran.stdout);
    }

    #[test]
    fn a_line_of_invalid_utf8_is_an_error_naming_the_line_and_the_session_goes_on() {
        let ran = vpcsim_with_bytes(&["shell", "lab"], b"help\nwait \xff\xfe 1s\ndescribe vpcs\n");
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        assert!(
            ran.stdout.contains("vpcsim: line 2: not valid UTF-8 (at byte 6); the line is skipped"),
            "{}",
            ran.stdout
        );
        assert!(ran.stdout.contains("$ describe vpcs\n{"), "{}", ran.stdout);
    }
}

mod run {
    use super::*;

    #[test]
    fn a_step_with_an_empty_substitution_fails_at_its_step_even_when_it_expects_failure() {
        let ran = vpcsim(&["run", "tests/data/cli/empty-substitution.yaml"]);
        assert_eq!(ran.code, 1, "{}{}", ran.stdout, ran.stderr);
        assert!(ran.stdout.contains("`${MyEC2.PublicIp}` yields nothing"), "{}", ran.stdout);
        assert!(!ran.stdout.contains("Could not resolve host"), "curl never ran: {}", ran.stdout);
    }
}

mod write_errors {
    use super::*;

    /// Runs `vpcsim ARGS` with standard output (or standard error) on /dev/full.
    fn to_full(args: &[&str], stderr_too: bool) -> (i32, String) {
        let full = || std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
        let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::null())
            .stdout(full())
            .stderr(if stderr_too { Stdio::from(full()) } else { Stdio::piped() })
            .output()
            .expect("the binary runs");
        (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
    }

    #[test]
    fn every_command_writing_to_a_full_disk_exits_3_naming_standard_output() {
        let commands: [&[&str]; 6] = [
            &["lab"],
            &["run", "scenarios/privatelink-lab.yaml"],
            &["shell", "lab"],
            &["trace", "lab", "--from", "My-EC2", "--to", "Custom-NLB:80", "--until", "4"],
            &["describe", "lab"],
            &["graph", "lab"],
        ];
        for args in commands {
            let (code, stderr) = to_full(args, false);
            assert_eq!(code, 3, "{args:?}: {stderr}");
            assert!(
                stderr.contains("vpcsim: cannot write to standard output: No space left on device"),
                "{args:?}: {stderr}"
            );
        }
    }

    #[test]
    fn an_error_that_cannot_be_written_to_standard_error_still_exits_non_zero() {
        let (code, _) = to_full(&["describe", "no-such-file.yaml"], true);
        assert_eq!(code, 3);
    }

    #[test]
    fn graph_o_on_a_full_disk_exits_3_naming_the_file() {
        let ran = vpcsim(&["graph", "lab", "-o", "/dev/full"]);
        assert_eq!(ran.code, 3, "{}", ran.stderr);
        assert!(ran.stderr.contains("cannot write /dev/full"), "{}", ran.stderr);
    }
}

mod trace_destination {
    use super::*;

    #[test]
    fn ipv6_is_refused_as_unmodelled_and_a_signed_zero_or_large_port_is_refused() {
        for to in ["::1", "[::1]:80"] {
            let ran = vpcsim(&["trace", "lab", "--from", "My-EC2", "--to", to]);
            assert_eq!(ran.code, 2, "{to}");
            assert!(ran.stderr.contains("vpcsim models IPv4 only"), "{to}: {}", ran.stderr);
        }
        for to in ["1.2.3.4:+80", "1.2.3.4:0", "1.2.3.4:65536"] {
            let ran = vpcsim(&["trace", "lab", "--from", "My-EC2", "--to", to]);
            assert_eq!(ran.code, 2, "{to}: {}", ran.stdout);
            assert!(ran.stderr.contains("expected HOST or HOST:PORT"), "{to}: {}", ran.stderr);
        }
    }
}
