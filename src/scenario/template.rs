//! A CloudFormation template given where a scenario is expected: recognised by its
//! content (`AWSTemplateFormatVersion` or `Resources` at the top, and no scenario
//! `steps` or `stacks`), it becomes a scenario of one stack, named after the file, with
//! the parameters and region given on the command line, and no steps.

use std::path::Path;

use indexmap::IndexMap;

use super::{Scenario, StackSpec, TemplateSource, DEFAULT_REGION};
use crate::error::{FileError, FileProblem, Location};
use crate::region::Region;
use crate::yaml::Node;

/// What a template needs that a scenario file would say: its stack's parameters and its
/// region. Given with a scenario file, they are refused (the file says them itself).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TemplateOptions {
    /// `--parameter KEY=VALUE`, in the order given (a list's items comma-separated).
    pub parameters: IndexMap<String, String>,
    /// `--region`; the scenario default when absent.
    pub region: Option<String>,
}

impl TemplateOptions {
    /// Whether any option was given.
    pub fn is_empty(&self) -> bool {
        self.parameters.is_empty() && self.region.is_none()
    }
}

/// Whether a parsed document is a CloudFormation template rather than a scenario:
/// `AWSTemplateFormatVersion` or `Resources` at the top, and neither `steps` nor `stacks`.
pub fn is_template(root: &Node) -> bool {
    let has = |k: &str| root.get(k).is_some();
    (has("AWSTemplateFormatVersion") || has("Resources")) && !has("steps") && !has("stacks")
}

/// The stack name for a template file: its file name without `.yaml`, `.yml`, `.json`,
/// `.template` and `.cfn`, with characters a stack name cannot hold replaced by `-`
/// (`app.cfn.yaml` becomes `app`).
pub fn stack_name_for(file: &str) -> String {
    let mut stem = Path::new(file).file_name().map_or(file.to_string(), |n| n.to_string_lossy().into_owned());
    for ext in [".yaml", ".yml", ".json", ".template", ".cfn"] {
        if let Some(s) = stem.strip_suffix(ext) {
            stem = s.to_string();
        }
    }
    let mut name: String =
        stem.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '-' }).collect();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name = format!("stack-{name}");
    }
    name.truncate(128);
    name
}

/// A template as a scenario: one stack named after `file`, created from `root` with the
/// options' parameters, in the options' region (checked here), and no steps.
pub fn scenario_from_template(file: &str, root: Node, opts: &TemplateOptions) -> Result<Scenario, FileError> {
    let region = match &opts.region {
        None => DEFAULT_REGION.to_string(),
        Some(r) if Region::find(r).is_some() => r.clone(),
        Some(r) => {
            return Err(FileError::one(FileProblem {
                file: file.to_string(),
                location: Location { line: 1, column: 1 },
                context: Some("--region".into()),
                message: format!("unknown region `{r}`"),
                hint: Some(format!("vpcsim models {}", Region::known_names().join(", "))),
            }))
        }
    };
    let name = stack_name_for(file);
    let loc = root.loc;
    Ok(Scenario {
        file: file.to_string(),
        name: format!("the template {file}"),
        description: None,
        region,
        seed: None,
        stacks: vec![StackSpec {
            name,
            template: TemplateSource::Inline(root),
            parameters: opts.parameters.clone(),
            loc,
            name_loc: loc,
        }],
        steps: Vec::new(),
    })
}

/// The problem of options given with a scenario file: a scenario names its stacks'
/// parameters under `stacks:` and its region under `region:`.
pub fn options_with_a_scenario(file: &str) -> FileError {
    FileError::one(FileProblem {
        file: file.to_string(),
        location: Location { line: 1, column: 1 },
        context: None,
        message: "--parameter and --region apply to a CloudFormation template; this file is a scenario"
            .into(),
        hint: Some("give parameters under the scenario's `stacks:` and the region as `region:`".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stack_is_named_after_its_file() {
        assert_eq!(stack_name_for("dir/app.cfn.yaml"), "app");
        assert_eq!(stack_name_for("vpc_template.json"), "vpc-template");
        assert_eq!(stack_name_for("3tier.yaml"), "stack-3tier");
    }

    #[test]
    fn a_document_with_resources_and_no_steps_is_a_template() {
        let yaml = |t: &str| crate::yaml::parse(t, &crate::yaml::Limits::default()).unwrap();
        assert!(is_template(&yaml("Resources: {}\n")));
        assert!(is_template(&yaml("AWSTemplateFormatVersion: '2010-09-09'\n")));
        assert!(!is_template(&yaml("name: n\nsteps: []\n")));
        assert!(!is_template(&yaml("name: n\nResources: {}\nsteps: []\n")));
    }
}
