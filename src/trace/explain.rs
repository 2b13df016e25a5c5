//! What each explanation code means, in a paragraph: the text of
//! docs/explanation-codes.md, embedded at build time so that `vpcsim explain CODE`, the
//! lab and the shell say what the documentation says, from one source.

/// The glossary as written in the repository's docs.
const GLOSSARY: &str = include_str!("../../docs/explanation-codes.md");

/// The explanation of `code` (as Reachability Analyzer prints it, any case): the text
/// under its heading in the glossary, Markdown links reduced to their text, paragraphs
/// joined into one; `None` for a code the glossary does not have.
///
/// ```
/// let text = vpcsim::trace::explain::explain("bad_state").unwrap();
/// assert!(text.contains("pendingAcceptance") || text.contains("available"), "{text}");
/// assert!(vpcsim::trace::explain::explain("NO_SUCH_CODE").is_none());
/// ```
pub fn explain(code: &str) -> Option<String> {
    let wanted = code.trim().to_ascii_uppercase();
    let mut sections = GLOSSARY.split("\n## ").skip(1);
    let section = sections.find(|s| s.lines().next().map(str::trim) == Some(wanted.as_str()))?;
    let body: Vec<&str> = section.lines().skip(1).map(str::trim).filter(|l| !l.is_empty()).collect();
    Some(unlink(&body.join(" ")))
}

/// The codes the glossary explains, in its order.
pub fn codes() -> Vec<&'static str> {
    GLOSSARY.split("\n## ").skip(1).filter_map(|s| s.lines().next()).map(str::trim).collect()
}

/// `[text](target)` becomes `text`; backquotes are kept.
fn unlink(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find("](").map(|i| open + i) else { break };
        let Some(end) = rest[close..].find(')').map(|i| close + i) else { break };
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..close]);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::ExplanationCode;

    #[test]
    fn every_code_vpcsim_produces_has_an_explanation() {
        for code in ExplanationCode::ALL {
            let text = explain(code.as_str()).unwrap_or_default();
            assert!(text.len() > 80, "{} has no paragraph in docs/explanation-codes.md", code.as_str());
            assert!(!text.contains("]("), "links are reduced to their text: {text}");
        }
    }

    #[test]
    fn a_link_keeps_its_text() {
        assert_eq!(unlink("see [the lab](../x.yaml) and [R6](a.md#r)."), "see the lab and R6.");
    }
}
