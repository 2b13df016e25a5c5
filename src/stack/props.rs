//! Reading evaluated CloudFormation properties with errors that name the property:
//! strings where AWS accepts `'80'` or `80`, booleans, lists, tags, resource ids.

use std::net::Ipv4Addr;

use crate::addr::Cidr;
use crate::cfn::SinkError;
use crate::model::Tags;
use crate::yaml::{Node, NodeValue};

/// A property error pointing at `path`.
pub fn bad(path: &str, message: impl Into<String>) -> SinkError {
    SinkError { message: message.into(), hint: None, property: Some(path.to_string()) }
}

/// A property error with a hint.
pub fn bad_hint(path: &str, message: impl Into<String>, hint: impl Into<String>) -> SinkError {
    SinkError { message: message.into(), hint: Some(hint.into()), property: Some(path.to_string()) }
}

/// The properties of one resource, with the path prefix used in errors.
#[derive(Clone, Copy, Debug)]
pub struct Props<'a> {
    node: &'a Node,
    prefix: &'a str,
}

impl<'a> Props<'a> {
    /// The properties map (or an empty one).
    pub fn new(node: &'a Node) -> Props<'a> {
        Props { node, prefix: "" }
    }

    /// The path of `key` in errors (`SecurityGroupIngress.0.FromPort` for a list item's key).
    pub fn path(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.prefix)
        }
    }

    /// A nested map at `key`, with the prefix extended.
    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.node.get(key)
    }

    /// An optional scalar as text (numbers and booleans accepted).
    pub fn opt_str(&self, key: &str) -> Result<Option<String>, SinkError> {
        match self.node.get(key) {
            None => Ok(None),
            Some(n) if matches!(n.value, NodeValue::Null) => Ok(None),
            Some(n) => n.scalar_text().map(Some).ok_or_else(|| {
                bad(&self.path(key), format!("{key} must be a string, not {}", n.a_type_name()))
            }),
        }
    }

    /// A required scalar as text.
    pub fn str(&self, key: &str) -> Result<String, SinkError> {
        self.opt_str(key)?.ok_or_else(|| bad(&self.path(key), format!("required property {key} is missing")))
    }

    /// An optional boolean (`true`, `'true'`).
    pub fn opt_bool(&self, key: &str) -> Result<Option<bool>, SinkError> {
        if let Some(n) =
            self.node.get(key).filter(|n| n.scalar_text().is_none() && !matches!(n.value, NodeValue::Null))
        {
            return Err(bad(
                &self.path(key),
                format!("{key} must be true or false, not a {}", n.type_name()),
            ));
        }
        match self.opt_str(key)?.as_deref() {
            None => Ok(None),
            Some(s) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(s) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(s) => Err(bad(&self.path(key), format!("{key} must be true or false, not {s:?}"))),
        }
    }

    /// An optional integer (`80`, `'80'`).
    pub fn opt_int(&self, key: &str) -> Result<Option<i64>, SinkError> {
        match self.opt_str(key)? {
            None => Ok(None),
            Some(s) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| bad(&self.path(key), format!("{key} must be a number, not {s:?}"))),
        }
    }

    /// An optional integer that AWS accepts only from `min` to `max`: outside it, the
    /// API's `ValidationError` (CloudFormation fails the resource), never a default.
    pub fn opt_int_in(&self, key: &str, min: i64, max: i64) -> Result<Option<i64>, SinkError> {
        let Some(n) = self.opt_int(key)? else { return Ok(None) };
        let bound = if n < min {
            format!("greater than or equal to {min}")
        } else if n > max {
            format!("less than or equal to {max}")
        } else {
            return Ok(Some(n));
        };
        let message =
            format!("Value '{n}' at '{key}' failed to satisfy constraint: Member must have value {bound} (ValidationError)");
        Err(bad_hint(&self.path(key), message, format!("{key} is {min} to {max}")))
    }

    /// An optional port number, 1 to 65535.
    pub fn opt_port(&self, key: &str) -> Result<Option<u16>, SinkError> {
        Ok(self.opt_int_in(key, 1, 65535)?.and_then(|n| u16::try_from(n).ok()))
    }

    /// An optional CIDR block.
    pub fn opt_cidr(&self, key: &str) -> Result<Option<Cidr>, SinkError> {
        match self.opt_str(key)? {
            None => Ok(None),
            Some(s) => s.parse().map(Some).map_err(|e: crate::addr::CidrParseError| {
                bad_hint(&self.path(key), e.to_string(), "write a block like 10.0.0.0/16")
            }),
        }
    }

    /// An optional IPv6 block (A8), host bits cleared as AWS stores it.
    pub fn opt_ipv6_cidr(&self, key: &str) -> Result<Option<ipnet::Ipv6Net>, SinkError> {
        match self.opt_str(key)? {
            None => Ok(None),
            Some(s) => crate::model::ipv6::parse(&s).map(Some).ok_or_else(|| {
                bad_hint(
                    &self.path(key),
                    format!("invalid IPv6 CIDR block {s:?}"),
                    "write a block like 2600:1f18:a:b00::/56 or ::/0",
                )
            }),
        }
    }

    /// An optional IPv4 address.
    pub fn opt_ip(&self, key: &str) -> Result<Option<Ipv4Addr>, SinkError> {
        match self.opt_str(key)? {
            None => Ok(None),
            Some(s) => s
                .parse()
                .map(Some)
                .map_err(|_| bad(&self.path(key), format!("{key}: {s:?} is not an IPv4 address"))),
        }
    }

    /// An optional list of scalars.
    pub fn str_list(&self, key: &str) -> Result<Vec<String>, SinkError> {
        let Some(n) = self.node.get(key) else { return Ok(Vec::new()) };
        let items = n
            .as_seq()
            .ok_or_else(|| bad(&self.path(key), format!("{key} must be a list, not {}", n.a_type_name())))?;
        items
            .iter()
            .enumerate()
            .map(|(i, x)| {
                x.scalar_text().ok_or_else(|| bad(&format!("{}.{i}", self.path(key)), "must be a string"))
            })
            .collect()
    }

    /// A list of maps, each as properties with its own path.
    pub fn maps(&self, key: &str) -> Result<Vec<(String, &'a Node)>, SinkError> {
        let Some(n) = self.node.get(key) else { return Ok(Vec::new()) };
        let items = n
            .as_seq()
            .ok_or_else(|| bad(&self.path(key), format!("{key} must be a list, not {}", n.a_type_name())))?;
        Ok(items.iter().enumerate().map(|(i, x)| (format!("{}.{i}", self.path(key)), x)).collect())
    }

    /// `Tags: [{Key, Value}]`.
    pub fn tags(&self) -> Result<Tags, SinkError> {
        let mut tags = Tags::new();
        for (path, t) in self.maps("Tags")? {
            let p = Props { node: t, prefix: "" };
            let k = p.str("Key").map_err(|e| bad(&path, e.message))?;
            let v = p.opt_str("Value").map_err(|e| bad(&path, e.message))?.unwrap_or_default();
            tags.insert(k, v);
        }
        Ok(tags)
    }
}

/// Properties of a list item, whose errors name `path`.
pub fn item<'a>(node: &'a Node, path: &'a str) -> Props<'a> {
    Props { node, prefix: path }
}
