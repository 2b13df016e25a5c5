//! `vpcsim lessons` and `vpcsim explain CODE`: what there is to learn, and what an
//! explanation code means ([`vpcsim::trace::explain`], the glossary in docs/).

use super::{exit, output, CliError};

/// Every scenario in scenarios/ (the lab first, then the lessons), embedded: file name and
/// text. A test checks that every scenario file is here, so a new lesson is listed.
pub const SCENARIOS: &[(&str, &str)] = &[
    ("privatelink-lab.yaml", include_str!("../../scenarios/privatelink-lab.yaml")),
    ("nat-instance-lab.yaml", include_str!("../../scenarios/nat-instance-lab.yaml")),
    ("lesson-elastic-ip.yaml", include_str!("../../scenarios/lesson-elastic-ip.yaml")),
    ("lesson-endpoint-sg-blocks.yaml", include_str!("../../scenarios/lesson-endpoint-sg-blocks.yaml")),
    ("lesson-endpoint-wrong-az.yaml", include_str!("../../scenarios/lesson-endpoint-wrong-az.yaml")),
    ("lesson-nacl-return-traffic.yaml", include_str!("../../scenarios/lesson-nacl-return-traffic.yaml")),
    ("lesson-nat-gateway-egress.yaml", include_str!("../../scenarios/lesson-nat-gateway-egress.yaml")),
    (
        "lesson-nat-instance-source-dest-check.yaml",
        include_str!("../../scenarios/lesson-nat-instance-source-dest-check.yaml"),
    ),
    ("lesson-no-public-ip.yaml", include_str!("../../scenarios/lesson-no-public-ip.yaml")),
    (
        "lesson-peering-not-transitive.yaml",
        include_str!("../../scenarios/lesson-peering-not-transitive.yaml"),
    ),
    ("lesson-provider-rejects.yaml", include_str!("../../scenarios/lesson-provider-rejects.yaml")),
    ("lesson-s3-gateway-endpoint.yaml", include_str!("../../scenarios/lesson-s3-gateway-endpoint.yaml")),
    ("network-insights.yaml", include_str!("../../scenarios/network-insights.yaml")),
    ("network-insights-nat-gateway.yaml", include_str!("../../scenarios/network-insights-nat-gateway.yaml")),
    ("saas-privatelink.yaml", include_str!("../../scenarios/saas-privatelink.yaml")),
    ("syslog-udp-nlb.yaml", include_str!("../../scenarios/syslog-udp-nlb.yaml")),
    ("three-tier.yaml", include_str!("../../scenarios/three-tier.yaml")),
    ("two-tier-internal-nlb.yaml", include_str!("../../scenarios/two-tier-internal-nlb.yaml")),
];

/// `vpcsim lessons`: every lab and lesson, its title and how to run it.
pub fn lessons() -> Result<u8, CliError> {
    let mut out = String::from("The lab and the lessons (files in scenarios/ of the repository):\n");
    for (file, text) in SCENARIOS {
        let s = vpcsim::scenario::load_str(file, text).map_err(|e| CliError::invalid(e.to_string()))?;
        let run = match vpcsim::labs::by_file(file) {
            Some(lab) if lab.name == vpcsim::labs::LABS[0].name => "vpcsim lab --pause".to_string(),
            Some(lab) => format!("vpcsim lab {} --pause", lab.name),
            None => format!("vpcsim run scenarios/{file}"),
        };
        out.push_str(&format!("\n  {}\n      {run}\n", s.name));
    }
    out.push_str("\n`vpcsim shell FILE` opens a lesson's world to explore;\n`vpcsim explain CODE` says what a blocked flow's code means.\n");
    super::emit(&out);
    Ok(exit::OK)
}

/// `vpcsim explain CODE`: the glossary's paragraph, folded to 80 columns.
pub fn explain(code: &str) -> Result<u8, CliError> {
    let Some(text) = vpcsim::trace::explain::explain(code) else {
        let codes = vpcsim::trace::explain::codes();
        let hint = vpcsim::command::closest(&code.to_ascii_uppercase(), codes.iter().copied())
            .map(|c| format!(" (did you mean {c}?)"))
            .unwrap_or_default();
        return Err(CliError::invalid(format!(
            "no explanation code {code}{hint}; the codes are: {}",
            codes.join(", ")
        )));
    };
    let width = super::style::width().unwrap_or(80).min(80);
    output::out(&format!("{}\n\n{}\n", code.to_ascii_uppercase(), textwrap::fill(&text, width)));
    Ok(exit::OK)
}
