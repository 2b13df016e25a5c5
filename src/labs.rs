//! The labs built into the binary, so `vpcsim lab NAME` works from any directory (and
//! after `cargo install`): each a narrated scenario with the templates it names, the
//! text of the files in scenarios/ byte for byte. The first is the seed lab, which
//! `vpcsim lab` runs when no name is given.

/// A lab built into the binary.
#[derive(Clone, Copy, Debug)]
pub struct BuiltinLab {
    /// The name `vpcsim lab NAME` takes.
    pub name: &'static str,
    /// What it shows, in one line (`vpcsim lab --list`).
    pub summary: &'static str,
    /// Its scenario's file name in scenarios/.
    pub file: &'static str,
    /// Its scenario's text.
    pub scenario: &'static str,
    /// The templates its stacks name: file name and text.
    pub templates: &'static [(&'static str, &'static str)],
}

/// Every built-in lab; the first is the default.
pub const LABS: &[BuiltinLab] = &[
    BuiltinLab {
        name: "privatelink",
        summary: "PrivateLink through an endpoint service: the course's seed lab",
        file: "privatelink-lab.yaml",
        scenario: crate::lab::SCENARIO,
        templates: &[("privatelink-lab.cfn.yaml", crate::lab::TEMPLATE)],
    },
    BuiltinLab {
        name: "nat-instance",
        summary: "A NAT instance gives a private subnet a way out (the second lab, G5)",
        file: "nat-instance-lab.yaml",
        scenario: include_str!("../scenarios/nat-instance-lab.yaml"),
        templates: &[("nat-instance-lab.cfn.yaml", include_str!("../scenarios/nat-instance-lab.cfn.yaml"))],
    },
    BuiltinLab {
        name: "nat-gateway",
        summary: "The same network with a NAT gateway instead: out, and no way back in (G1-G4)",
        file: "lesson-nat-gateway-egress.yaml",
        scenario: include_str!("../scenarios/lesson-nat-gateway-egress.yaml"),
        templates: &[("nat-gateway-lab.cfn.yaml", include_str!("../scenarios/nat-gateway-lab.cfn.yaml"))],
    },
];

/// The built-in lab called `name`.
///
/// ```
/// assert_eq!(vpcsim::labs::find("nat-instance").unwrap().file, "nat-instance-lab.yaml");
/// assert!(vpcsim::labs::find("nat").is_none());
/// ```
pub fn find(name: &str) -> Option<&'static BuiltinLab> {
    LABS.iter().find(|l| l.name == name)
}

/// The built-in lab whose scenario file is `file` (`nat-instance-lab.yaml`), if any.
pub fn by_file(file: &str) -> Option<&'static BuiltinLab> {
    LABS.iter().find(|l| l.file == file)
}

/// The templates a session running a built-in lab can name: every file of the one
/// embedded catalogue ([`crate::catalogue::FILES`]), which holds each lab's templates.
pub fn templates() -> Vec<(&'static str, &'static str)> {
    crate::catalogue::FILES.to_vec()
}
