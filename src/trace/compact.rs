//! A trace as people read it on a narrow terminal: one hop a line (`kind name (short
//! id)` and what matched), the packet only where it changes, ARNs shortened to the
//! resource's name and short id. The full ids stay in the wide table and in the JSON
//! analysis; [`fit`] folds any other text to a width.

use std::borrow::Cow;
use std::fmt::Write;
use std::sync::LazyLock;

use super::{Header, Hop};

/// How many characters of an id's hex part a short id keeps (as git's short hashes do).
pub const SHORT_ID: usize = 8;

/// Words of an ARN's resource part that are types, not names.
const ARN_TYPES: [&str; 6] = ["loadbalancer", "listener", "targetgroup", "net", "app", "gwy"];

/// An id shortened: `i-8b2cc0371b49582a6` to `i-8b2cc037`, an ARN to its last segment's
/// first characters; anything else (`internet`, a name) is kept.
///
/// ```
/// use vpcsim::trace::compact::short_id;
/// assert_eq!(short_id("i-8b2cc0371b49582a6"), "i-8b2cc037");
/// assert_eq!(short_id("vpce-svc-75335415149e513cb"), "vpce-svc-75335415");
/// assert_eq!(short_id("arn:aws:elasticloadbalancing:r:1:targetgroup/TG/f0922da4ee252701"), "f0922da4");
/// assert_eq!(short_id("internet"), "internet");
/// ```
pub fn short_id(id: &str) -> String {
    if let Some(resource) = arn_resource(id) {
        let last = resource.rsplit('/').next().unwrap_or(resource);
        return last.chars().take(SHORT_ID).collect();
    }
    match id.rsplit_once('-') {
        Some((prefix, hex)) if hex.len() > SHORT_ID && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
            format!("{prefix}-{}", &hex[..SHORT_ID])
        }
        _ => id.to_string(),
    }
}

/// The resource part of an ARN (`loadbalancer/net/Custom-NLB/851a...`), or `None`.
fn arn_resource(id: &str) -> Option<&str> {
    id.strip_prefix("arn:")?;
    id.splitn(6, ':').nth(5)
}

/// The name an ARN carries (`Custom-NLB` in `listener/net/Custom-NLB/...`).
fn arn_name(id: &str) -> Option<&str> {
    arn_resource(id)?.split('/').find(|part| !ARN_TYPES.contains(part))
}

/// A hop as `kind name (short id)`; the name from its Name tag, else from its ARN.
pub fn label(h: &Hop) -> String {
    let name = h.name.as_deref().or_else(|| arn_name(&h.id));
    let short = short_id(&h.id);
    match name {
        Some(n) if n == short => format!("{} {n}", h.kind.as_str()),
        Some(n) => format!("{} {n} ({short})", h.kind.as_str()),
        None if short == h.kind.as_str() => short,
        None => format!("{} {short}", h.kind.as_str()),
    }
}

/// A path, one hop a line (folded to `width`): its number, [`label`] and what matched; under
/// a hop, the packet where it differs from the hop before, and what the hop rewrote it to.
pub fn path(hops: &[Hop], indent: &str, width: usize) -> String {
    let mut out = String::new();
    let mut last: Option<Header> = None;
    let under = format!("{indent}     ");
    for h in hops {
        let mut line = format!("{indent}{:>3}  {}", h.seq, label(h));
        if let Some(m) = &h.matched {
            let _ = write!(line, ": {m}");
        }
        out.push_str(&fold(&line, &under, width));
        if h.inbound.is_some() && h.inbound != last {
            out.push_str(&fold(&format!("{under}packet {}", header(h.inbound)), &under, width));
        }
        if h.outbound.is_some() && h.outbound != h.inbound {
            out.push_str(&fold(&format!("{under}rewritten to {}", header(h.outbound)), &under, width));
        }
        last = h.outbound.or(h.inbound).or(last);
    }
    out
}

fn header(h: Option<Header>) -> String {
    h.map(|h| h.to_string()).unwrap_or_default()
}

/// One line folded to `width` (display columns), continuation lines starting with `under`;
/// ends with a newline.
fn fold(line: &str, under: &str, width: usize) -> String {
    let options = textwrap::Options::new(width.max(20))
        .subsequent_indent(under)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    let mut out = textwrap::fill(line, options);
    out.push('\n');
    out
}

static ARN_PREFIX: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]*:").expect("a valid expression")
});

/// Text with every ARN's partition, service, region and account elided (`arn:…:` then
/// the resource part), for narrow terminals; `--wide` and `--json` keep them whole.
///
/// ```
/// use vpcsim::trace::compact::shorten_arns;
/// let arn = "arn:aws:elasticloadbalancing:ap-northeast-2:242016487318:loadbalancer/net/N/851a";
/// assert_eq!(shorten_arns(&format!("--arn {arn} x")), "--arn arn:…:loadbalancer/net/N/851a x");
/// ```
pub fn shorten_arns(text: &str) -> Cow<'_, str> {
    ARN_PREFIX.replace_all(text, "arn:…:")
}

/// Text folded so that no line is wider than `width` display columns: a longer line is
/// broken between words where it can be (inside a word where it cannot), its continuation
/// lines indented two more than it. Widths under 20 count as 20.
///
/// ```
/// use vpcsim::trace::compact::fit;
/// let text = "short\n  aaaa bbbb cccc dddd eeee\n";
/// assert_eq!(fit(text, 20), "short\n  aaaa bbbb cccc\n    dddd eeee\n");
/// ```
pub fn fit(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.strip_suffix('\n').unwrap_or(line);
        if textwrap::core::display_width(body) <= width {
            out.push_str(line);
            continue;
        }
        let indent = &body[..body.len() - body.trim_start().len()];
        let under = format!("{indent}  ");
        let options = textwrap::Options::new(width.max(20))
            .initial_indent(indent)
            .subsequent_indent(&under)
            .word_splitter(textwrap::WordSplitter::NoHyphenation);
        out.push_str(&textwrap::fill(body.trim_start(), options));
        if line.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::Protocol;
    use crate::trace::{ComponentKind, Text};
    use std::net::Ipv4Addr;

    fn hop(seq: u16, kind: ComponentKind, id: &str, name: Option<&str>) -> Hop {
        Hop {
            seq,
            kind,
            id: id.into(),
            name: name.map(Text::from),
            matched: None,
            inbound: None,
            outbound: None,
        }
    }

    #[test]
    fn a_listener_without_a_name_is_labelled_with_its_load_balancer_s_name_and_short_id() {
        let arn = "arn:aws:elasticloadbalancing:ap-northeast-2:1:listener/net/Custom-NLB/851a8b2c9d300e0b/febceafaf8511586";
        let h = hop(12, ComponentKind::LoadBalancerListener, arn, None);
        assert_eq!(label(&h), "load-balancer-listener Custom-NLB (febceafa)");
        assert_eq!(label(&hop(7, ComponentKind::Internet, "internet", None)), "internet");
    }

    #[test]
    fn the_packet_is_shown_where_it_changes_and_where_a_hop_rewrites_it() {
        let a = Header {
            src: Ipv4Addr::new(10, 0, 0, 5),
            dst: Ipv4Addr::new(3, 3, 3, 3),
            protocol: Protocol::Tcp,
            src_port: 32768,
            dst_port: 80,
        };
        let b = Header { src: Ipv4Addr::new(52, 1, 1, 1), ..a };
        let mut first = hop(1, ComponentKind::NetworkInterface, "eni-58673c0b1cc735b65", Some("My-EC2"));
        first.inbound = Some(a);
        let mut second = hop(2, ComponentKind::InternetGateway, "igw-a4597ab01942fe417", Some("My-IGW"));
        second.inbound = Some(a);
        second.outbound = Some(b);
        let mut third = hop(3, ComponentKind::Internet, "internet", None);
        third.inbound = Some(b);
        assert_eq!(
            path(&[first, second, third], "  ", 80),
            "    1  network-interface My-EC2 (eni-58673c0b)\n       packet 10.0.0.5:32768 > 3.3.3.3:80 tcp\n    \
2  internet-gateway My-IGW (igw-a4597ab0)\n       rewritten to 52.1.1.1:32768 > 3.3.3.3:80 tcp\n    3  internet\n"
        );
    }

    #[test]
    fn a_word_longer_than_the_width_is_broken_and_no_line_is_wider() {
        let long = format!("$ curl http://{}.example.com/\n", "x".repeat(100));
        let fitted = fit(&long, 40);
        assert!(fitted.lines().all(|l| textwrap::core::display_width(l) <= 40), "{fitted}");
        assert_eq!(fitted.replace(['\n', ' '], ""), long.replace(['\n', ' '], ""));
    }
}
