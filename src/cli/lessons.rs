//! `vpcsim lessons` and `vpcsim explain CODE`: what there is to learn, and what an
//! explanation code means ([`vpcsim::trace::explain`], the glossary in docs/).

use super::{exit, output, CliError};

/// `vpcsim lessons`: every lab and lesson built in, its title and how to run it.
pub fn lessons() -> Result<u8, CliError> {
    let mut out =
        String::from("Built-in lab and lessons (their files are in the repository's scenarios/):\n");
    for (file, text) in vpcsim::catalogue::scenarios() {
        let s = vpcsim::scenario::load_str(file, text).map_err(|e| CliError::invalid(e.to_string()))?;
        let run = match vpcsim::labs::by_file(file) {
            Some(lab) if lab.name == vpcsim::labs::LABS[0].name => "vpcsim lab --pause".to_string(),
            Some(lab) => format!("vpcsim lab {} --pause", lab.name),
            None => format!("vpcsim run {}", file.strip_suffix(".yaml").unwrap_or(file)),
        };
        out.push_str(&format!("\n  {}\n      {run}\n", s.name));
    }
    out.push_str("\nEach name works wherever a command takes a scenario file: `vpcsim shell NAME`\nopens a lesson's world to explore, `vpcsim serve NAME` shows it in a web page;\n`vpcsim explain CODE` says what a blocked flow's code means.\n");
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
