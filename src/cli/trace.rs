//! `vpcsim trace`: one flow from an instance (or any interface, or a client on the
//! internet), forward and back, as an aligned table
//! or as a Reachability Analyzer-shaped JSON analysis ([`vpcsim::trace::analysis`],
//! whose module doc lists the fields; stable).

use std::net::Ipv4Addr;
use std::path::Path;

use serde_json::Value;
use vpcsim::addr::Protocol;
use vpcsim::apps::Client;
use vpcsim::scenario::render::escape_controls;
use vpcsim::scenario::Resolution;
use vpcsim::session::Session;
use vpcsim::trace::{compact, Flow, Header, Hop, Trace};
use vpcsim::world::{Handle, World};

use super::style::{table, Style};
use super::{exit, world, CliError, ProtocolArg};

/// The source port of traced flows: the first of Linux's ephemeral ports.
pub const SOURCE_PORT: u16 = 32768;

/// A traced flow and what it was asked for.
pub struct Traced {
    /// The source instance's name as given and its id.
    pub from: (String, String),
    /// The destination as given and the address it resolved to.
    pub to: (String, Ipv4Addr),
    /// The explained path.
    pub trace: Trace,
}

/// `vpcsim trace FILE --from INSTANCE --to HOST[:PORT] ...`.
pub fn command(
    file: &Path,
    from: &str,
    to: &str,
    protocol: ProtocolArg,
    state: &world::StateArgs,
    json: bool,
    wide: bool,
) -> Result<u8, CliError> {
    let prepared = world::prepare_described(file, state)?;
    super::output::errln(&prepared.state_line);
    let session = prepared.session;
    let traced = trace_from(&session, from, to, protocol)?;
    if json {
        super::emit(&format!(
            "{}\n",
            vpcsim::describe::pretty(&analysis_json(&session.world, &traced.trace))
        ));
    } else {
        super::emit(&fitted(&traced, Style::detect(), wide));
    }
    Ok(if traced.trace.reachable() { exit::OK } else { exit::FAILED })
}

/// Traces a flow from `from` (an instance, `internet`, `internet:ADDRESS`, an `eni-` id, or a
/// load balancer: its first node) to `to` (`HOST` or `HOST:PORT`).
pub fn trace_from(
    session: &Session,
    from: &str,
    to: &str,
    protocol: ProtocolArg,
) -> Result<Traced, CliError> {
    let client = source(session, from)?;
    let (host, port) = split_port(to)?;
    let w = &session.world;
    let addr = session.resolve_host(client, host).map_err(CliError::invalid)?;
    let protocol = match protocol {
        ProtocolArg::Tcp => Protocol::Tcp,
        ProtocolArg::Udp => Protocol::Udp,
        ProtocolArg::Icmp => Protocol::Icmp,
    };
    let (src_port, dst_port) =
        if protocol == Protocol::Icmp { (0, 8) } else { (SOURCE_PORT, port.unwrap_or(80)) };
    let header = Header { src: w.client_address_to(client, addr), dst: addr, protocol, src_port, dst_port };
    let flow = Flow { header, seq: 0 };
    let (trace, id) = match client {
        Client::Instance(i) => (w.trace(w.source_interface(i, addr), flow), w[i].aws_id.clone()),
        Client::Interface(e) => (w.trace(e, flow), w[e].aws_id.clone()),
        Client::Internet(a) => (w.trace_from_internet(flow), a.to_string()),
    };
    Ok(Traced { from: (from.to_string(), id), to: (host.to_string(), addr), trace })
}

/// Where a traced flow starts: `internet[:ADDRESS]`, a load balancer's first node, else
/// whatever a scenario step's `on:` may name ([`Session::client`]).
fn source(session: &Session, from: &str) -> Result<Client, CliError> {
    if let Some(addr) = from.strip_prefix("internet:") {
        if addr.trim().is_empty() {
            return Err(CliError::invalid(format!(
                "`{from}`: give the client's public address after `internet:`, or write `internet` for 203.0.113.10"
            )));
        }
        return session.client(&format!("internet {addr}")).map_err(CliError::invalid);
    }
    if let Resolution::Found { ref_value, .. } = session.resolve_name(from) {
        if let Some(Handle::Lb(lb)) = session.world.find(&ref_value) {
            let node = session.world[lb].nodes.first().map(|n| n.eni);
            return node
                .map(Client::Interface)
                .ok_or_else(|| CliError::invalid(format!("{from} has no nodes to start a flow from")));
        }
    }
    session.client(from).map_err(CliError::invalid)
}

/// A trace's analysis as a JSON value.
pub fn analysis_json(w: &World, t: &Trace) -> Value {
    serde_json::to_value(vpcsim::trace::analysis(w, t)).unwrap_or(Value::Null)
}

/// `HOST:PORT` into its parts; a bare `HOST` has no port. The port is digits only, from 1
/// to 65535; IPv6 (`::1`, `[::1]:80`) is refused with a message, since vpcsim models IPv4.
fn split_port(to: &str) -> Result<(&str, Option<u16>), CliError> {
    if to.starts_with('[') || to.matches(':').count() > 1 {
        return Err(CliError::invalid(format!(
            "invalid destination {to:?}: an IPv6 address, and vpcsim models IPv4 only; give an IPv4 address or a name, as HOST or HOST:PORT"
        )));
    }
    let bad = |why: &str| {
        CliError::invalid(format!("invalid destination {to:?}: {why}; expected HOST or HOST:PORT"))
    };
    let Some((host, port)) = to.split_once(':') else {
        return if to.is_empty() { Err(bad("no host")) } else { Ok((to, None)) };
    };
    if host.is_empty() {
        return Err(bad("no host before the `:`"));
    }
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("the port is not a number (digits only, from 1 to 65535)"));
    }
    match port.parse::<u16>() {
        Ok(p) if p > 0 => Ok((host, Some(p))),
        _ => Err(bad("the port is out of range (from 1 to 65535)")),
    }
}

/// Shortens an ARN to its resource part for tables (`loadbalancer/net/Custom-NLB/...`).
fn short_id(id: &str) -> &str {
    if id.starts_with("arn:") {
        id.splitn(6, ':').nth(5).unwrap_or(id)
    } else {
        id
    }
}

fn header_text(h: &Option<Header>) -> String {
    h.map(|h| h.to_string()).unwrap_or_default()
}

/// One path as table rows: #, kind, id, name, matched, in, out. IN is shown where the packet
/// differs from the row above (so rewrites stand out), OUT only where the component rewrote it.
fn rows(hops: &[Hop]) -> Vec<Vec<String>> {
    let mut last: Option<Header> = None;
    hops.iter()
        .map(|h| {
            let inbound = if h.inbound.is_some() && h.inbound != last {
                header_text(&h.inbound)
            } else {
                String::new()
            };
            last = h.outbound.or(h.inbound).or(last);
            vec![
                h.seq.to_string(),
                h.kind.as_str().to_string(),
                short_id(&h.id).to_string(),
                h.name.as_deref().unwrap_or("-").to_string(),
                h.matched.as_ref().map(ToString::to_string).unwrap_or_default(),
                inbound,
                header_text(&h.outbound),
            ]
        })
        .collect()
}

const COLUMNS: [&str; 7] = ["#", "KIND", "ID", "NAME", "MATCHED", "IN", "OUT"];

/// [`text`], or, when the terminal (or `COLUMNS`) is narrower than its table and `wide` is
/// not asked for, [`compact_text`] folded to the width.
pub fn fitted(t: &Traced, style: Style, wide: bool) -> String {
    let text = text(t, style);
    match super::style::fit_width(&text, wide) {
        Some(width) => compact::fit(&compact::shorten_arns(&compact_text(t, style, width)), width),
        None => text,
    }
}

/// The trace for a narrow terminal: the question, both paths one hop a line, the verdict.
pub fn compact_text(t: &Traced, style: Style, width: usize) -> String {
    let mut out = question(t);
    for (label, hops) in [("Forward path", &t.trace.forward), ("Return path", &t.trace.ret)] {
        if !hops.is_empty() {
            out.push_str(&format!("\n{}\n", style.bold(label)));
            out.push_str(&escape_controls(&compact::path(hops, "", width)));
        }
    }
    out.push('\n');
    out.push_str(&verdict(&t.trace, style));
    out
}

fn question(t: &Traced) -> String {
    let flow = t.trace.flow;
    escape_controls(&format!(
        "Trace {} ({}) -> {} ({}) {} port {}\n",
        t.from.0, t.from.1, t.to.0, t.to.1, flow.protocol, flow.dst_port
    ))
    .into_owned()
}

/// The trace for people: the question, both paths as tables, the verdict.
pub fn text(t: &Traced, style: Style) -> String {
    let mut out = question(t);
    out.push_str(&paths(&t.trace, style));
    out
}

/// Both paths and the verdict (also used by the shell).
pub fn paths(trace: &Trace, style: Style) -> String {
    let mut out = String::new();
    out.push_str(&format!("\n{}\n", style.bold("Forward path")));
    out.push_str(&table(&COLUMNS, &rows(&trace.forward), "  ", style));
    if !trace.ret.is_empty() {
        out.push_str(&format!("\n{}\n", style.bold("Return path")));
        out.push_str(&table(&COLUMNS, &rows(&trace.ret), "  ", style));
    }
    out.push('\n');
    out.push_str(&verdict(trace, style));
    out
}

/// `REACHABLE: the destination saw ...` or `NOT REACHABLE: why`.
fn verdict(trace: &Trace, style: Style) -> String {
    match (&trace.explanation, trace.delivered) {
        (Some(x), _) => format!("{} {}\n", style.bad("NOT REACHABLE:"), escape_controls(&x.to_string())),
        (None, Some(seen)) => format!(
            "{} the destination saw {} > {}; the response came back\n",
            style.good("REACHABLE:"),
            seen.src,
            seen.dst
        ),
        (None, None) => format!("{}\n", style.good("REACHABLE")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_destination_splits_into_host_and_port() {
        assert_eq!(split_port("web:8080").unwrap(), ("web", Some(8080)));
        assert_eq!(split_port("10.0.0.5").unwrap(), ("10.0.0.5", None));
        assert!(split_port("web:http").is_err());
    }

    #[test]
    fn a_port_is_digits_from_1_to_65535_and_ipv6_is_refused_as_unmodelled() {
        assert_eq!(split_port("1.2.3.4:65535").unwrap(), ("1.2.3.4", Some(65535)));
        for bad in ["1.2.3.4:+80", "1.2.3.4:0", "1.2.3.4:65536", "1.2.3.4:", ":80", "", "h: 80"] {
            assert!(split_port(bad).is_err(), "{bad:?}");
        }
        for v6 in ["::1", "[::1]:80", "fe80::1"] {
            let e = split_port(v6).err().map(|e| e.message).unwrap_or_default();
            assert!(e.contains("vpcsim models IPv4 only"), "{v6}: {e}");
        }
    }

    #[test]
    fn an_arn_is_shortened_to_its_resource() {
        assert_eq!(short_id("arn:aws:elasticloadbalancing:r:1:loadbalancer/net/x/1"), "loadbalancer/net/x/1");
        assert_eq!(short_id("igw-1"), "igw-1");
    }
}
