//! Whether an instance is set up as a NAT instance (G5), from its UserData or an explicit
//! declaration: IP forwarding and masquerade rules.
//!
//! [`detect_forwarding`] reads a shell script through the one shell reader ([`super::shell`])
//! for what the usual NAT-instance scripts do:
//! - IP forwarding: `sysctl -w net.ipv4.ip_forward=1` (or `net.ipv4.conf.all.forwarding`),
//!   `echo 1 > /proc/sys/net/ipv4/ip_forward` (or `| tee`); `net.ipv4.ip_forward = 1`
//!   written to /etc/sysctl.conf or /etc/sysctl.d/*.conf takes effect once `sysctl -p
//!   [FILE]` or `sysctl --system` loads it (otherwise only at the next boot, which the
//!   simulation never reaches);
//! - masquerade: `iptables -t nat -A|-I POSTROUTING [-o IF] [-s CIDR] [-d CIDR] -j
//!   MASQUERADE`; `firewall-cmd --add-masquerade` (with `--permanent`, once
//!   `firewall-cmd --reload` runs; firewalld turns IP forwarding on with it);
//!   `nft add rule ... postrouting [oifname IF] [ip saddr CIDR] [ip daddr CIDR] masquerade`.
//!
//! A rule with any other match (`-p tcp`, `-m ...`, `--dport`) is not recognised: it is
//! not taken as masquerading everything. The interface named by `-o`/`oifname` is taken
//! as the instance's primary one (the only one a NAT instance usually has).
//!
//! # Explicit declaration in Metadata
//!
//! ```yaml
//! Metadata:
//!   vpcsim:
//!     forwarding:
//!       ip_forward: true        # default true
//!       masquerade: 10.40.0.0/16  # true (every source), false, a CIDR or a list of CIDRs
//! ```
//!
//! The declaration wins over the UserData.

use indexmap::IndexMap;

use crate::addr::Cidr;
use crate::model::nat_instance::{Forwarding, Masquerade};
use crate::yaml::{Node, NodeValue};

use super::init::Init;
use super::problem::Problem;
use super::shell::{self, Commands, Host, Shell};
use super::userdata::{self, decode_user_data, Boot};

/// What an instance's operating system does with packets for others: the Metadata
/// declaration if any, else detected in its UserData (base64, as evaluated properties carry it).
pub fn forwarding(properties: &Node, metadata: Option<&Node>) -> Result<Forwarding, Problem> {
    forwarding_at(properties, metadata, Boot::default())
}

/// What an instance's operating system does with packets for others, its UserData run
/// where `boot` says (cfn-init's `commands` may set up forwarding too).
pub fn forwarding_at(
    properties: &Node,
    metadata: Option<&Node>,
    boot: Boot<'_>,
) -> Result<Forwarding, Problem> {
    if let Some((_, decl)) = metadata.and_then(|m| m.get("vpcsim")).and_then(|v| v.entry("forwarding")) {
        return declared(decl);
    }
    let Some(script) = properties.get("UserData").and_then(Node::as_str).and_then(decode_user_data) else {
        return Ok(Forwarding::default());
    };
    let init = Init::parse(metadata)?.map(|(i, _)| i);
    let mut fx = Effects::default();
    shell::run(&script, userdata::host(boot, init.as_ref()), &mut fx);
    Ok(fx.forwarding)
}

fn declared(decl: &Node) -> Result<Forwarding, Problem> {
    let bad = |n: &Node, m: &str| Problem::new(n.loc, format!("Metadata.vpcsim.forwarding: {m}"));
    if matches!(decl.value, NodeValue::Null) {
        return Ok(Forwarding::default());
    }
    let map = decl.as_map().ok_or_else(|| bad(decl, "expected a map with ip_forward, masquerade"))?;
    let mut f = Forwarding { ip_forward: true, masquerade: Vec::new() };
    for (k, v) in map {
        match k.name.as_str() {
            "ip_forward" => {
                f.ip_forward = boolean(v).ok_or_else(|| bad(v, "ip_forward must be true or false"))?
            }
            "masquerade" => f.masquerade = masquerade(v).map_err(|m| bad(v, &m))?,
            other => return Err(bad(v, &format!("unknown key `{other}`; expected ip_forward, masquerade"))),
        }
    }
    Ok(f)
}

fn boolean(n: &Node) -> Option<bool> {
    match n.scalar_text()?.as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

fn masquerade(n: &Node) -> Result<Vec<Masquerade>, String> {
    let from = |n: &Node| -> Result<Masquerade, String> {
        let text = n.scalar_text().ok_or("masquerade entries must be CIDR blocks")?;
        let source =
            text.parse::<Cidr>().map_err(|_| format!("`{text}` is not a CIDR block (10.40.0.0/16)"))?;
        Ok(Masquerade { source: Some(source), destination: None })
    };
    if let Some(items) = n.as_seq() {
        return items.iter().map(from).collect();
    }
    match boolean(n) {
        Some(true) => Ok(vec![Masquerade::ANY]),
        Some(false) => Ok(Vec::new()),
        None => from(n).map(|m| vec![m]),
    }
}

/// What the script did to forwarding, as far as a NAT instance goes.
#[derive(Default)]
struct Effects {
    forwarding: Forwarding,
    /// `firewall-cmd --permanent --add-masquerade`, applied by `firewall-cmd --reload`.
    permanent_masquerade: bool,
}

/// Detects IP forwarding and masquerade rules a UserData shell script sets up (G5).
///
/// ```
/// use vpcsim::cfn::detect_forwarding;
/// let script = "sysctl -w net.ipv4.ip_forward=1\niptables -t nat -A POSTROUTING -o eth0 -s 10.40.0.0/16 -j MASQUERADE\n";
/// let f = detect_forwarding(script);
/// assert!(f.ip_forward);
/// assert_eq!(f.masquerade[0].source, Some("10.40.0.0/16".parse().unwrap()));
/// ```
pub fn detect_forwarding(user_data: &str) -> Forwarding {
    let mut fx = Effects::default();
    shell::run(user_data, Host::default(), &mut fx);
    fx.forwarding
}

impl Commands for Effects {
    /// sysctl, iptables, firewall-cmd and nft.
    fn run(&mut self, sh: &mut Shell<'_>, args: &[&str], _stdin: Option<String>) -> Option<String> {
        match args {
            ["sysctl", rest @ ..] => sysctl(rest, &sh.files, self),
            ["iptables", rest @ ..] if flushes_nat(rest) => self.forwarding.masquerade.clear(),
            ["iptables", rest @ ..] => self.forwarding.masquerade.extend(iptables(rest)),
            ["firewall-cmd", rest @ ..] => firewall_cmd(rest, self),
            ["nft", rest @ ..] => self.forwarding.masquerade.extend(nft(rest)),
            _ => {}
        }
        None
    }

    /// Writing the kernel's forwarding switch under /proc takes effect at once.
    fn wrote(&mut self, path: &str, content: &str) {
        if path == "/proc/sys/net/ipv4/ip_forward" || path == "/proc/sys/net/ipv4/conf/all/forwarding" {
            self.forwarding.ip_forward = content.trim() == "1";
        }
    }
}

/// Whether `path` is a sysctl settings file (/etc/sysctl.conf, /etc/sysctl.d/*.conf).
fn is_sysctl_file(path: &str) -> bool {
    path == "/etc/sysctl.conf" || path.starts_with("/etc/sysctl.d/")
}

/// `sysctl [-w] KEY=VALUE...`, `sysctl -p [FILE]`, `sysctl --system`.
fn sysctl(args: &[&str], files: &IndexMap<String, String>, fx: &mut Effects) {
    match args {
        ["--system", ..] => {
            files.iter().filter(|(p, _)| is_sysctl_file(p)).for_each(|(_, t)| load(t, fx));
        }
        ["-p" | "--load", rest @ ..] => {
            let file = rest.first().copied().unwrap_or("/etc/sysctl.conf");
            files.get(file).into_iter().for_each(|t| load(t, fx));
        }
        _ => {
            let words: Vec<&str> = args.iter().copied().filter(|a| !a.starts_with('-')).collect();
            set(&words.join(" "), fx);
        }
    }
}

/// The settings of a sysctl file, one `key = value` a line (`#` and `;` start comments).
fn load(text: &str, fx: &mut Effects) {
    text.lines().filter(|l| !l.trim_start().starts_with(['#', ';'])).for_each(|l| set(l, fx));
}

fn set(setting: &str, fx: &mut Effects) {
    let Some((key, value)) = setting.split_once('=') else { return };
    let key = key.trim().replace('/', ".");
    if key == "net.ipv4.ip_forward" || key == "net.ipv4.conf.all.forwarding" {
        fx.forwarding.ip_forward = value.trim() == "1";
    }
}

/// `iptables -t nat -A|-I POSTROUTING [-o IF] [-s CIDR] [-d CIDR] -j MASQUERADE`.
fn iptables(args: &[&str]) -> Option<Masquerade> {
    let mut rule = Masquerade::ANY;
    let (mut nat, mut postrouting, mut jump) = (false, false, false);
    let mut it = args.iter();
    while let Some(&a) = it.next() {
        match a {
            "-t" | "--table" => nat = it.next() == Some(&"nat"),
            "-A" | "--append" | "-I" | "--insert" => {
                postrouting = it.next() == Some(&"POSTROUTING");
                if matches!(a, "-I" | "--insert")
                    && it.as_slice().first().is_some_and(|n| n.parse::<u32>().is_ok())
                {
                    it.next();
                }
            }
            "-o" | "--out-interface" => {
                it.next()?;
            }
            "-s" | "--source" => rule.source = Some(it.next()?.parse().ok()?),
            "-d" | "--destination" => rule.destination = Some(it.next()?.parse().ok()?),
            "-j" | "--jump" => jump = it.next() == Some(&"MASQUERADE"),
            "-w" | "--wait" => {}
            _ => return None,
        }
    }
    (nat && postrouting && jump).then_some(rule)
}

/// `iptables -t nat -F [POSTROUTING]`: the nat table's rules are gone (`-F` alone flushes the filter table).
fn flushes_nat(args: &[&str]) -> bool {
    let flush = args.iter().any(|a| matches!(*a, "-F" | "--flush"));
    let nat = args.windows(2).any(|w| matches!(w[0], "-t" | "--table") && w[1] == "nat");
    flush && nat
}

/// `firewall-cmd [--permanent] [--zone=Z] --add-masquerade` and `firewall-cmd --reload`.
fn firewall_cmd(args: &[&str], fx: &mut Effects) {
    let permanent = args.contains(&"--permanent");
    if args.contains(&"--add-masquerade") {
        if permanent {
            fx.permanent_masquerade = true;
        } else {
            masquerade_everything(fx);
        }
    }
    if args.contains(&"--reload") && fx.permanent_masquerade {
        masquerade_everything(fx);
    }
}

/// firewalld's masquerade rewrites every forwarded packet and turns IPv4 forwarding on.
fn masquerade_everything(fx: &mut Effects) {
    fx.forwarding.ip_forward = true;
    if !fx.forwarding.masquerade.contains(&Masquerade::ANY) {
        fx.forwarding.masquerade.push(Masquerade::ANY);
    }
}

/// `nft add rule [ip] TABLE postrouting [oifname IF] [ip saddr CIDR] [ip daddr CIDR] masquerade`.
fn nft(args: &[&str]) -> Option<Masquerade> {
    let rest = match args {
        ["add" | "insert", "rule", "ip", _, chain, rest @ ..]
        | ["add" | "insert", "rule", _, chain, rest @ ..]
            if chain.eq_ignore_ascii_case("postrouting") =>
        {
            rest
        }
        _ => return None,
    };
    let (last, matches) = rest.split_last()?;
    if *last != "masquerade" {
        return None;
    }
    let mut rule = Masquerade::ANY;
    let mut it = matches.iter();
    while let Some(&a) = it.next() {
        match (a, it.next().copied()) {
            ("oifname" | "oif", Some(_)) => {}
            ("ip", Some("saddr")) => rule.source = Some(it.next()?.parse().ok()?),
            ("ip", Some("daddr")) => rule.destination = Some(it.next()?.parse().ok()?),
            _ => return None,
        }
    }
    Some(rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(s: &str) -> Option<Cidr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn g5_the_aws_documentation_script_forwards_and_masquerades_the_vpc() {
        let f = detect_forwarding(
            "#!/bin/bash\nsysctl -w net.ipv4.ip_forward=1\n/sbin/iptables -t nat -A POSTROUTING -o eth0 -s 10.40.0.0/16 -j MASQUERADE\n",
        );
        assert!(f.ip_forward);
        assert_eq!(f.masquerade, vec![Masquerade { source: cidr("10.40.0.0/16"), destination: None }]);
    }

    fn declared_in(metadata: &str) -> Result<Forwarding, Problem> {
        let doc = crate::yaml::parse(metadata, &Default::default()).unwrap();
        let props = Node::new(NodeValue::Map(Vec::new()), Default::default());
        forwarding(&props, Some(&doc))
    }

    #[test]
    fn g5_a_metadata_declaration_sets_forwarding_and_masquerade_sources() {
        let f = declared_in("vpcsim:\n  forwarding:\n    masquerade: 10.40.0.0/16\n").unwrap();
        assert_eq!(
            f,
            Forwarding {
                ip_forward: true,
                masquerade: vec![Masquerade { source: cidr("10.40.0.0/16"), destination: None }]
            }
        );
        let f = declared_in("vpcsim:\n  forwarding: {ip_forward: false, masquerade: true}\n").unwrap();
        assert_eq!(f, Forwarding { ip_forward: false, masquerade: vec![Masquerade::ANY] });
        let list = declared_in("vpcsim:\n  forwarding: {masquerade: [10.1.0.0/16, 10.2.0.0/16]}\n").unwrap();
        assert_eq!(list.masquerade.len(), 2);
    }

    #[test]
    fn g5_an_unknown_or_malformed_forwarding_key_is_an_error_at_its_location() {
        let e = declared_in("vpcsim:\n  forwarding:\n    masquerad: true\n").unwrap_err();
        assert!(e.message.contains("unknown key `masquerad`"), "{}", e.message);
        assert_eq!(e.loc.line, 3);
        let e = declared_in("vpcsim:\n  forwarding: {masquerade: 10.40.0.0/33}\n").unwrap_err();
        assert!(e.message.contains("is not a CIDR block"), "{}", e.message);
    }

    #[test]
    fn g5_flushing_the_nat_table_removes_the_masquerade_rules_and_flushing_the_filter_table_does_not() {
        let rule = "iptables -t nat -A POSTROUTING -j MASQUERADE\n";
        assert_eq!(detect_forwarding(&format!("{rule}iptables -F\n")).masquerade, vec![Masquerade::ANY]);
        assert!(detect_forwarding(&format!("{rule}iptables -t nat -F\n")).masquerade.is_empty());
    }

    #[test]
    fn g5_proc_echo_and_tee_turn_forwarding_on() {
        assert!(detect_forwarding("echo 1 > /proc/sys/net/ipv4/ip_forward").ip_forward);
        assert!(detect_forwarding("echo 1 | sudo tee /proc/sys/net/ipv4/ip_forward").ip_forward);
        assert!(!detect_forwarding("echo 0 > /proc/sys/net/ipv4/ip_forward").ip_forward);
    }

    #[test]
    fn g5_a_sysctl_file_forwards_only_once_sysctl_loads_it() {
        let written = "echo 'net.ipv4.ip_forward = 1' >> /etc/sysctl.conf\n";
        assert!(!detect_forwarding(written).ip_forward, "the file alone waits for the next boot");
        assert!(detect_forwarding(&format!("{written}sysctl -p\n")).ip_forward);
        let dropin =
            "cat > /etc/sysctl.d/99-nat.conf <<EOF\n# NAT\nnet.ipv4.ip_forward=1\nEOF\nsysctl --system\n";
        assert!(detect_forwarding(dropin).ip_forward);
    }

    #[test]
    fn g5_firewalld_masquerade_forwards_and_rewrites_every_source() {
        let f = detect_forwarding("firewall-cmd --add-masquerade");
        assert!(f.ip_forward);
        assert_eq!(f.masquerade, vec![Masquerade::ANY]);
        assert_eq!(detect_forwarding("firewall-cmd --permanent --add-masquerade").masquerade, vec![]);
        let reloaded = detect_forwarding("firewall-cmd --permanent --add-masquerade\nfirewall-cmd --reload");
        assert_eq!(reloaded.masquerade, vec![Masquerade::ANY]);
    }

    #[test]
    fn g5_nftables_masquerade_with_a_source_block_is_recognised() {
        let f = detect_forwarding(
            "nft add rule ip nat postrouting oifname \"eth0\" ip saddr 10.40.0.0/16 masquerade",
        );
        assert_eq!(f.masquerade, vec![Masquerade { source: cidr("10.40.0.0/16"), destination: None }]);
    }

    #[test]
    fn g5_a_masquerade_rule_limited_by_protocol_or_in_another_table_is_not_taken_as_masquerading_everything()
    {
        assert!(detect_forwarding("iptables -t nat -A POSTROUTING -p tcp -j MASQUERADE")
            .masquerade
            .is_empty());
        assert!(detect_forwarding("iptables -A POSTROUTING -j MASQUERADE").masquerade.is_empty());
        assert!(detect_forwarding("iptables -t nat -A PREROUTING -j MASQUERADE").masquerade.is_empty());
    }
}
