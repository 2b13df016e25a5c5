//! `vpcsim serve [FILE]`: the web page and its JSON API on 127.0.0.1 (another address
//! only with `--bind`, with a warning), for one scenario or template (the seed lab when
//! no FILE is given). It runs until interrupted.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;

use vpcsim::serve::{self, Explorer, Server};

use super::{output, world, CliError};

/// The arguments of `vpcsim serve`.
pub struct Args<'a> {
    /// Scenario or template; the built-in lab when `None`.
    pub file: Option<&'a Path>,
    /// The port (0: any free port).
    pub port: u16,
    /// The address to listen on (127.0.0.1 unless given).
    pub bind: Option<IpAddr>,
    /// Open the page in the default browser.
    pub open: bool,
    /// Where the page opens (the steps before clean-up unless `--until` or `--from-start`),
    /// and a template's parameters and region when FILE is a CloudFormation template.
    pub state: &'a world::StateArgs,
}

/// Builds the explorer, binds, prints the URL and answers until interrupted.
pub fn command(args: Args<'_>) -> Result<u8, CliError> {
    let file = args.file.unwrap_or(Path::new("lab"));
    let mut explorer = explorer(file, args.state, &args.state.template)?;
    let ip = args.bind.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    if !ip.is_loopback() {
        output::errln(&format!(
            "vpcsim: warning: serving on {ip}: anyone who can reach this address can use the page and change its worlds through /api/run"
        ));
    }
    let server =
        Server::bind(SocketAddr::new(ip, args.port)).map_err(|e| CliError::invalid(e.to_string()))?;
    let url = server.url();
    let t = explorer.timeline();
    super::emit(&format!(
        "vpcsim serve: {} ({} steps, opening at step {}) on {url}\nPress Ctrl-C to stop.\n",
        t.name,
        t.report.steps.len(),
        t.default_step
    ));
    if args.open {
        if let Err(e) = opener::open_browser(&url) {
            output::errln(&format!("vpcsim: could not open a browser ({e}); open {url} yourself"));
        }
    }
    server.run(&mut explorer);
    Ok(super::exit::OK)
}

/// The explorer for a scenario file, the built-in lab, or a CloudFormation template (one
/// stack, no steps), opening at the state `state` selects (said on standard error, as every
/// command that takes a scenario does).
fn explorer(
    file: &Path,
    state: &world::StateArgs,
    template: &world::TemplateArgs,
) -> Result<Explorer, CliError> {
    let (scenario, builtin) = world::load(file, template)?;
    let opening = world::State::of(&scenario, state)?;
    output::errln(&opening.line(&scenario.file));
    let session = world::session_for(&scenario, builtin)?;
    serve::explore(&scenario, session, opening.applied)
        .map_err(|e| CliError::invalid(e.to_string().trim_end().to_string()))
}
