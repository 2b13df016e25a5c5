//! One small type per AWS resource. The model holds typed handles ([`crate::ids`])
//! and resolved references only; names and spans stay in the file layers.

pub mod autoscaling;
pub mod aws_service;
pub mod connection_notification;
pub mod dhcp_options;
pub mod eigw;
pub mod eip;
pub mod endpoint_policy;
pub mod endpoint_service;
pub mod eni;
pub mod flow_log;
pub mod gateway_endpoint;
pub mod hosted_zone;
pub mod igw;
pub mod insights;
pub mod instance;
pub mod ipv6;
pub mod metadata_options;
pub mod nacl;
pub mod nat_gateway;
pub mod nat_instance;
pub mod nlb;
pub mod peering;
pub mod prefix_list;
pub mod route_table;
pub mod security_group;
pub mod subnet;
pub mod vpc;
pub mod vpc_endpoint;

/// The Name tag and other tags of a resource, in the order given: a small map (most
/// resources hold one Name tag or none), kept as a list so an empty set costs no heap
/// and a single tag costs one allocation. Keys are unique; inserting an existing key
/// replaces its value in place, as an `IndexMap` would.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tags(Vec<(String, String)>);

impl Tags {
    /// No tags.
    pub fn new() -> Self {
        Tags(Vec::new())
    }

    /// Set `key` to `value`, keeping the key's position if it was present; the previous value.
    pub fn insert(&mut self, key: String, value: String) -> Option<String> {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => Some(std::mem::replace(v, value)),
            None => {
                self.0.push((key, value));
                None
            }
        }
    }

    /// The value of `key`, if any.
    pub fn get(&self, key: &str) -> Option<&String> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The tags in order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }

    /// How many tags.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<(String, String)> for Tags {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        let mut tags = Tags::new();
        tags.extend(iter);
        tags
    }
}

impl Extend<(String, String)> for Tags {
    fn extend<I: IntoIterator<Item = (String, String)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<const N: usize> From<[(String, String); N]> for Tags {
    fn from(tags: [(String, String); N]) -> Self {
        let mut out = Tags(Vec::with_capacity(N));
        out.extend(tags);
        out
    }
}

type TagPair<'a> = fn(&'a (String, String)) -> (&'a String, &'a String);

fn tag_pair((k, v): &(String, String)) -> (&String, &String) {
    (k, v)
}

impl<'a> IntoIterator for &'a Tags {
    type Item = (&'a String, &'a String);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (String, String)>, TagPair<'a>>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(tag_pair as TagPair<'a>)
    }
}

/// The value of the `Name` tag, if any.
pub fn name_tag(tags: &Tags) -> Option<&str> {
    tags.get("Name").map(String::as_str)
}
