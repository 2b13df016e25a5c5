//! The value functions of [`Env`]: `Fn::Sub`, `Fn::Select`, `Fn::GetAZs`, `Fn::Base64`,
//! `Fn::Join`, `Fn::Split`, `Fn::FindInMap`, `Fn::Cidr` and `Fn::ImportValue`, each as
//! AWS documents it. An unknown input (dry run) makes the result unknown.

use std::net::Ipv4Addr;

use base64::Engine as _;

use super::eval::{describe, is_unknown, str_node, Env};
use super::problem::{did_you_mean, Problem};
use crate::addr::Cidr;
use crate::error::Location;
use crate::yaml::{Node, NodeValue};

fn unknown_or(value: Option<Node>, loc: Location) -> Node {
    value.unwrap_or_else(|| {
        let mut n = str_node("(unknown until created)", loc);
        n.tag = Some("!vpcsim/unknown".into());
        n
    })
}

fn seq(items: Vec<String>, loc: Location) -> Node {
    Node::new(NodeValue::Seq(items.into_iter().map(|s| str_node(s, loc)).collect()), loc)
}

impl Env<'_> {
    /// `Fn::Sub`: `"text ${Var}"` or `["text ${Var}", {Var: value}]`.
    pub(super) fn sub(&self, arg: &Node, loc: Location) -> Result<Node, Problem> {
        let (template, vars) = match (arg.as_str(), arg.as_seq()) {
            (Some(t), _) => (t, None),
            (_, Some([t, vars])) if t.as_str().is_some() && vars.as_map().is_some() => {
                (t.as_str().unwrap_or_default(), Some(vars))
            }
            _ => {
                return Err(Problem::new(
                    arg.loc,
                    format!("Fn::Sub expects a string or [string, {{variables}}], got {}", describe(arg)),
                ))
            }
        };
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let var = &after[..end];
            match var.strip_prefix('!') {
                Some(literal) => out.push_str(&format!("${{{literal}}}")),
                None => match self.sub_variable(var.trim(), vars, arg.loc)? {
                    Some(v) => {
                        self.room_for(out.len() + v.len(), loc)?;
                        out.push_str(&v);
                    }
                    None => return Ok(unknown_or(None, loc)),
                },
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(str_node(out, loc))
    }

    fn sub_variable(&self, var: &str, vars: Option<&Node>, loc: Location) -> Result<Option<String>, Problem> {
        if let Some(v) = vars.and_then(|m| m.get(var)) {
            return self.string(v, &format!("Fn::Sub variable {var}"));
        }
        let call = match var.split_once('.') {
            Some(_) if !var.starts_with("AWS::") => ("Fn::GetAtt", str_node(var, loc)),
            _ => ("Ref", str_node(var, loc)),
        };
        let node =
            Node::new(NodeValue::Map(vec![(crate::yaml::Key { name: call.0.into(), loc }, call.1)]), loc);
        let value = self.value(&node, &format!("Fn::Sub variable {var}"))?;
        match value.value {
            _ if is_unknown(&value) => Ok(None),
            NodeValue::Seq(_) | NodeValue::Map(_) => Err(Problem::new(
                loc,
                format!("Fn::Sub variable `{var}` is {}, not a string", value.a_type_name()),
            )),
            _ => Ok(value.scalar_text()),
        }
    }

    /// `Fn::Select: [index, list]`.
    pub(super) fn select(&self, arg: &Node, loc: Location) -> Result<Node, Problem> {
        let [index, list] = Self::args(arg, "Fn::Select", "[index, list]", 2)? else {
            return Ok(unknown_or(None, loc));
        };
        let Some(i) = self.string(index, "Fn::Select index")? else { return Ok(unknown_or(None, loc)) };
        let i: usize = i.trim().parse().map_err(|_| {
            Problem::new(index.loc, format!("Fn::Select index must be a non-negative integer, not `{i}`"))
        })?;
        let Some(items) = self.list(list, "Fn::Select's second argument")? else {
            return Ok(unknown_or(None, loc));
        };
        let len = items.len();
        let item = items.into_iter().nth(i).ok_or_else(|| {
            Problem::new(
                index.loc,
                format!("Fn::Select index {i} is out of range: the list has {len} item(s)"),
            )
            .hint(format!("use an index from 0 to {}", len.saturating_sub(1)))
        })?;
        Ok(item)
    }

    /// `Fn::GetAZs: region`: the region's AZs (`""` means this stack's region). Another
    /// region vpcsim knows gives its own AZs; a region it does not know is refused, never
    /// answered with made-up zone names.
    pub(super) fn get_azs(&self, arg: &Node, loc: Location) -> Result<Node, Problem> {
        let Some(region) = self.string(arg, "Fn::GetAZs")? else { return Ok(unknown_or(None, loc)) };
        if region.is_empty() || region == self.ctx.region {
            return Ok(seq(self.ctx.azs.clone(), loc));
        }
        let Some(known) = crate::region::Region::find(&region) else {
            return Err(Problem::new(arg.loc, format!("Fn::GetAZs: unknown region `{region}`")).hint(
                format!(
                    "vpcsim knows {}; `''` is this stack's region",
                    crate::region::Region::known_names().join(", ")
                ),
            ));
        };
        Ok(seq(known.azs.iter().map(|az| az.to_string()).collect(), loc))
    }

    /// `Fn::Base64: string`.
    pub(super) fn base64(&self, arg: &Node, loc: Location) -> Result<Node, Problem> {
        let text = self.string(arg, "Fn::Base64")?;
        Ok(unknown_or(text.map(|t| str_node(base64::engine::general_purpose::STANDARD.encode(t), loc)), loc))
    }

    /// `Fn::Join: [delimiter, [values]]`.
    pub(super) fn join(&self, arg: &Node, loc: Location) -> Result<Node, Problem> {
        let [delim, list] = Self::args(arg, "Fn::Join", "[delimiter, [values]]", 2)? else {
            return Ok(unknown_or(None, loc));
        };
        let delim = self.string(delim, "Fn::Join delimiter")?;
        let Some(items) = self.list(list, "Fn::Join's second argument")? else {
            return Ok(unknown_or(None, loc));
        };
        let mut parts = Vec::with_capacity(items.len());
        for item in &items {
            if is_unknown(item) {
                return Ok(unknown_or(None, loc));
            }
            parts.push(item.scalar_text().ok_or_else(|| {
                Problem::new(item.loc, format!("Fn::Join values must be strings, not {}", item.a_type_name()))
            })?);
        }
        if let Some(d) = &delim {
            let size = parts.iter().map(String::len).sum::<usize>() + d.len() * parts.len().saturating_sub(1);
            self.room_for(size, loc)?;
        }
        Ok(unknown_or(delim.map(|d| str_node(parts.join(&d), loc)), loc))
    }

    /// `Fn::Split: [delimiter, string]`.
    pub(super) fn split(&self, arg: &Node, loc: Location) -> Result<Node, Problem> {
        let [delim, text] = Self::args(arg, "Fn::Split", "[delimiter, string]", 2)? else {
            return Ok(unknown_or(None, loc));
        };
        match (self.string(delim, "Fn::Split delimiter")?, self.string(text, "Fn::Split source")?) {
            (Some(d), Some(t)) if !d.is_empty() => {
                Ok(seq(t.split(d.as_str()).map(str::to_string).collect(), loc))
            }
            (Some(_), Some(_)) => Err(Problem::new(delim.loc, "Fn::Split delimiter must not be empty")),
            _ => Ok(unknown_or(None, loc)),
        }
    }

    /// `Fn::FindInMap: [MapName, TopLevelKey, SecondLevelKey]`.
    pub(super) fn find_in_map(&self, arg: &Node, loc: Location) -> Result<Node, Problem> {
        let shape = "[MapName, TopLevelKey, SecondLevelKey]";
        let keys = Self::args(arg, "Fn::FindInMap", shape, 3)?;
        let mut node = self
            .tpl
            .mappings
            .as_ref()
            .ok_or_else(|| Problem::new(loc, "Fn::FindInMap: the template has no Mappings"))?;
        for (level, k) in keys.iter().enumerate() {
            let Some(name) = self.string(k, "Fn::FindInMap key")? else { return Ok(unknown_or(None, loc)) };
            let names: Vec<&str> =
                node.as_map().unwrap_or_default().iter().map(|(k, _)| k.name.as_str()).collect();
            node = node.get(&name).ok_or_else(|| {
                let what = ["map", "top-level key", "second-level key"][level];
                let hint = did_you_mean(&name, names.iter().copied())
                    .unwrap_or_else(|| format!("known: {}", names.join(", ")));
                Problem::new(k.loc, format!("Fn::FindInMap: no {what} `{name}`")).hint(hint)
            })?;
        }
        Ok(node.clone())
    }

    /// `Fn::Cidr: [ipBlock, count, cidrBits]`: `count` blocks of `cidrBits` host bits each.
    pub(super) fn cidr(&self, arg: &Node, loc: Location) -> Result<Node, Problem> {
        let [block, count, bits] = Self::args(arg, "Fn::Cidr", "[ipBlock, count, cidrBits]", 3)? else {
            return Ok(unknown_or(None, loc));
        };
        let (Some(b), Some(c), Some(h)) = (
            self.string(block, "Fn::Cidr ipBlock")?,
            self.string(count, "Fn::Cidr count")?,
            self.string(bits, "Fn::Cidr cidrBits")?,
        ) else {
            return Ok(unknown_or(None, loc));
        };
        let count_n = int_in(&c, 1, 256)
            .ok_or_else(|| Problem::new(count.loc, format!("Fn::Cidr count must be 1 to 256, not `{c}`")))?;
        if b.contains(':') {
            let block_cidr = crate::model::ipv6::parse(&b)
                .ok_or_else(|| Problem::new(block.loc, format!("Fn::Cidr: invalid IPv6 CIDR block {b:?}")))?;
            return ipv6_blocks(block_cidr, count_n, (&h, bits.loc), count.loc).map(|b| seq(b, loc));
        }
        let block_cidr: Cidr = b.parse().map_err(|e| Problem::new(block.loc, format!("Fn::Cidr: {e}")))?;
        let max_bits = 32 - u32::from(block_cidr.prefix_len());
        let host_bits = int_in(&h, 1, max_bits).ok_or_else(|| {
            Problem::new(
                bits.loc,
                format!("Fn::Cidr cidrBits must be 1 to {max_bits} for {block_cidr}, not `{h}`"),
            )
        })?;
        let available = 1u64 << (max_bits - host_bits);
        if u64::from(count_n) > available {
            let msg = format!("Fn::Cidr: {block_cidr} holds only {available} blocks of {host_bits} host bits, not {count_n}");
            return Err(Problem::new(count.loc, msg));
        }
        let blocks = (0..count_n)
            .map(|i| {
                let base = u64::from(block_cidr.base()) + (u64::from(i) << host_bits);
                Cidr::new(Ipv4Addr::from(base as u32), (32 - host_bits) as u8).to_string()
            })
            .collect();
        Ok(seq(blocks, loc))
    }

    /// `Fn::ImportValue: name`: another stack's export.
    pub(super) fn import_value(&self, arg: &Node, loc: Location) -> Result<Node, Problem> {
        let Some(name) = self.string(arg, "Fn::ImportValue")? else { return Ok(unknown_or(None, loc)) };
        let value = self.exports.get(&name).ok_or_else(|| {
            let hint = did_you_mean(&name, self.exports.keys().map(String::as_str))
                .unwrap_or_else(|| "create the stack that exports it first".to_string());
            Problem::new(arg.loc, format!("Fn::ImportValue: no stack exports `{name}`")).hint(hint)
        })?;
        self.imported.borrow_mut().insert(name);
        Ok(str_node(value.clone(), loc))
    }
}

fn int_in(text: &str, min: u32, max: u32) -> Option<u32> {
    text.trim().parse::<u32>().ok().filter(|n| (min..=max).contains(n))
}

/// `Fn::Cidr` on an IPv6 block (A8): `count` blocks of `host_bits` host bits each, from
/// the block's start (`!Cidr [VPC /56, 4, 64]` gives four /64s).
fn ipv6_blocks(
    block: ipnet::Ipv6Net,
    count: u32,
    (bits_text, bits_loc): (&str, Location),
    count_loc: Location,
) -> Result<Vec<String>, Problem> {
    let max_bits = 128 - u32::from(block.prefix_len());
    let host_bits = int_in(bits_text, 1, max_bits).ok_or_else(|| {
        Problem::new(
            bits_loc,
            format!("Fn::Cidr cidrBits must be 1 to {max_bits} for {block}, not `{bits_text}`"),
        )
    })?;
    let spare = max_bits - host_bits;
    if spare < 9 && u64::from(count) > 1u64 << spare {
        let msg = format!(
            "Fn::Cidr: {block} holds only {} blocks of {host_bits} host bits, not {count}",
            1u64 << spare
        );
        return Err(Problem::new(count_loc, msg));
    }
    let base = u128::from(block.network());
    let len = (128 - host_bits) as u8;
    Ok((0..count)
        .map(|i| {
            let addr = std::net::Ipv6Addr::from(base + u128::from(i).checked_shl(host_bits).unwrap_or(0));
            ipnet::Ipv6Net::new(addr, len).map(|n| n.to_string()).unwrap_or_default()
        })
        .collect())
}
