//! The lab and the lessons built into the binary: every file of scenarios/ (scenario
//! files and the CloudFormation templates they create), embedded at build time by
//! build.rs, so `vpcsim run lesson-nat-gateway-egress`, `vpcsim lessons` and the
//! commands that take a scenario work after `cargo install`, with no checkout. A
//! built-in scenario's `template:` paths resolve against the same set
//! ([`crate::session::Session::embedded`]).
//!
//! ```
//! let (file, text) = vpcsim::catalogue::scenario("lesson-nat-gateway-egress").unwrap();
//! assert_eq!(file, "lesson-nat-gateway-egress.yaml");
//! let s = vpcsim::scenario::load_str(file, text).unwrap();
//! assert!(s.stacks.iter().all(|st| vpcsim::catalogue::template_of(&st.template).is_some()));
//! ```

use std::path::Path;

use crate::scenario::TemplateSource;

include!(concat!(env!("OUT_DIR"), "/catalogue.rs"));

/// The name `lab` stands for: the seed lab.
pub const LAB: &str = "privatelink-lab.yaml";

/// Whether an embedded file is a scenario (not a template): it has `steps` or `stacks`,
/// as [`crate::scenario::template::is_template`] decides for files on disk.
fn is_scenario(text: &str) -> bool {
    let limits = crate::yaml::Limits::default();
    crate::yaml::parse(text, &limits).is_ok_and(|doc| !crate::scenario::template::is_template(&doc))
}

/// Every built-in scenario (file name and text): the lab first, then the others by name.
pub fn scenarios() -> Vec<(&'static str, &'static str)> {
    let mut all: Vec<(&str, &str)> = FILES.iter().copied().filter(|(_, t)| is_scenario(t)).collect();
    all.sort_by_key(|(n, _)| (*n != LAB, *n));
    all
}

/// The built-in scenario `name` names: `lab`, a file name (`lesson-elastic-ip.yaml`) or
/// one without its extension (`lesson-elastic-ip`).
pub fn scenario(name: &str) -> Option<(&'static str, &'static str)> {
    let name = if name == "lab" { LAB } else { name };
    FILES
        .iter()
        .copied()
        .filter(|(n, _)| {
            *n == name || n.strip_suffix(".yaml").or_else(|| n.strip_suffix(".yml")) == Some(name)
        })
        .find(|(_, t)| is_scenario(t))
}

/// The embedded template a built-in scenario's stack names, if there is one.
pub fn template_of(source: &TemplateSource) -> Option<&'static str> {
    match source {
        TemplateSource::File(path) => FILES.iter().find(|(n, _)| Path::new(n) == path).map(|(_, t)| *t),
        TemplateSource::Inline(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lab_is_the_first_scenario_and_templates_are_not_scenarios() {
        let names: Vec<&str> = scenarios().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names[0], LAB);
        assert!(names.contains(&"lesson-nat-gateway-egress.yaml"));
        assert!(!names.iter().any(|n| n.contains(".cfn.")), "{names:?}");
    }

    #[test]
    fn a_scenario_is_found_by_file_name_by_name_without_extension_and_lab() {
        assert_eq!(scenario("lab").map(|(n, _)| n), Some(LAB));
        assert_eq!(scenario("lesson-elastic-ip").map(|(n, _)| n), Some("lesson-elastic-ip.yaml"));
        assert_eq!(scenario("lesson-elastic-ip.yaml").map(|(n, _)| n), Some("lesson-elastic-ip.yaml"));
        assert_eq!(scenario("privatelink-lab.cfn.yaml"), None, "a template is not a scenario");
        assert_eq!(scenario("no-such-lesson"), None);
    }

    #[test]
    fn every_lab_of_vpcsim_lab_name_is_the_catalogue_s_file_byte_for_byte() {
        for lab in crate::labs::LABS {
            assert_eq!(scenario(lab.file).map(|(_, t)| t), Some(lab.scenario), "{}", lab.name);
            for (name, text) in lab.templates {
                assert!(FILES.contains(&(name, text)), "{}: {name}", lab.name);
            }
        }
    }

    #[test]
    fn every_built_in_scenario_s_templates_are_built_in_too() {
        for (file, text) in scenarios() {
            let s = crate::scenario::load_str(file, text).unwrap_or_else(|e| panic!("{file}: {e}"));
            for st in &s.stacks {
                assert!(
                    template_of(&st.template).is_some() || matches!(st.template, TemplateSource::Inline(_)),
                    "{file}: {:?}",
                    st.template
                );
            }
        }
    }
}
