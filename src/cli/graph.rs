//! `vpcsim graph`: the world a scenario leaves as DOT, Mermaid or SVG (through
//! Graphviz `dot`), optionally with a traced path drawn over it.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use vpcsim::graph::Diagram;
use vpcsim::scenario::render::escape_controls;

use super::{exit, trace, world, CliError, GraphFormat, ProtocolArg};

/// Renders and writes the diagram.
pub fn command(
    file: &Path,
    format: GraphFormat,
    trace_args: Option<&[String]>,
    state: &world::StateArgs,
    output: Option<&Path>,
) -> Result<u8, CliError> {
    let prepared = world::prepare_described(file, state)?;
    super::output::errln(&prepared.state_line);
    if let Some(path) = output {
        refuse_an_input(path, &prepared.inputs)?;
    }
    let session = &prepared.session;
    let traced = match trace_args {
        Some([from, to]) => Some(trace::trace_from(session, from, to, ProtocolArg::Tcp)?),
        Some(_) => return Err(CliError::invalid("--trace takes two values: FROM TO[:PORT]")),
        None => None,
    };
    let mut diagram = Diagram::of(&session.world, traced.as_ref().map(|t| &t.trace));
    let mut title = format!(
        "{} ({}, after {} of {} steps)",
        prepared.name,
        session.world.region().name,
        prepared.state.applied,
        prepared.state.total
    );
    if let Some(t) = &traced {
        let verdict = match &t.trace.explanation {
            None => "reachable".to_string(),
            Some(x) => format!("blocked: {}", x.code),
        };
        title.push_str(&format!(
            "\ntraced: {} -> {} ({}) port {}, {verdict}",
            t.from.0, t.to.0, t.to.1, t.trace.flow.dst_port
        ));
    }
    diagram.set_title(title);
    let bytes = match format {
        GraphFormat::Dot => escape_controls(&diagram.dot()).into_owned().into_bytes(),
        GraphFormat::Mermaid => escape_controls(&diagram.mermaid()).into_owned().into_bytes(),
        GraphFormat::Svg => svg(&diagram.dot())?,
    };
    match output {
        Some(path) => std::fs::write(path, &bytes).map_err(|e| CliError {
            code: exit::WRITE,
            message: format!("cannot write {}: {e}", path.display()),
        })?,
        None => super::output::out_bytes(&bytes),
    }
    Ok(exit::OK)
}

/// `-o PATH` must not be one of the files the diagram is drawn from (the same file by
/// device and inode, whatever path names it).
fn refuse_an_input(output: &Path, inputs: &[std::path::PathBuf]) -> Result<(), CliError> {
    match inputs.iter().find(|input| same_file::is_same_file(input, output).unwrap_or(false)) {
        Some(input) => Err(CliError::invalid(format!(
            "-o {}: that is {}, an input of this diagram; refusing to overwrite it (choose another output file)",
            output.display(),
            input.display()
        ))),
        None => Ok(()),
    }
}

/// DOT drawn as SVG by Graphviz `dot`.
pub fn svg(dot: &str) -> Result<Vec<u8>, CliError> {
    let child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(CliError::invalid(
                "--format svg needs Graphviz's `dot`, which is not on PATH: install it (apt-get install graphviz), or use --format dot",
            ))
        }
        Err(e) => return Err(CliError::invalid(format!("cannot run Graphviz `dot`: {e}"))),
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(dot.as_bytes());
    }
    let out =
        child.wait_with_output().map_err(|e| CliError::invalid(format!("Graphviz `dot` failed: {e}")))?;
    if !out.status.success() {
        return Err(CliError {
            code: exit::FAILED,
            message: format!("Graphviz `dot` rejected the diagram: {}", String::from_utf8_lossy(&out.stderr)),
        });
    }
    Ok(out.stdout)
}
