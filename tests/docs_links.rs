//! The repository explains itself: every relative link in README.md and docs/*.md
//! leads to a file of the repository (and an `#anchor` to a heading of that file), and
//! no file of the repository points readers at documents kept outside it.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// README.md and every Markdown file of docs/, sorted.
fn documents() -> Vec<PathBuf> {
    let mut docs: Vec<PathBuf> = fs::read_dir(root().join("docs"))
        .expect("docs/ exists")
        .map(|e| e.expect("a readable entry of docs/").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    docs.insert(0, root().join("README.md"));
    docs
}

/// The destinations of every link and image of a Markdown text, in order.
fn links(markdown: &str) -> Vec<String> {
    Parser::new(markdown)
        .filter_map(|event| match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                Some(dest_url.to_string())
            }
            _ => None,
        })
        .collect()
}

/// The anchors GitHub gives the headings of a Markdown text: the heading's text in
/// lower case, spaces as hyphens, other punctuation dropped, `-1`, `-2` after repeats.
fn anchors(markdown: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut heading: Option<String> = None;
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                let slug = slug(&heading.take().unwrap_or_default());
                let unique = (0..)
                    .map(|n| if n == 0 { slug.clone() } else { format!("{slug}-{n}") })
                    .find(|s| !out.contains(s))
                    .expect("an unused anchor");
                out.insert(unique);
            }
            _ => {}
        }
    }
    out
}

fn slug(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn is_external(dest: &str) -> bool {
    dest.contains("://") || dest.starts_with("mailto:")
}

/// Every broken relative link of one document, as `document: link: why`.
fn broken_links(doc: &Path) -> Vec<String> {
    let text = fs::read_to_string(doc).expect("a readable document");
    let name = doc.strip_prefix(root()).unwrap_or(doc).display().to_string();
    let mut broken = Vec::new();
    for dest in links(&text).into_iter().filter(|d| !is_external(d)) {
        let (path, anchor) = dest.split_once('#').map_or((dest.as_str(), None), |(p, a)| (p, Some(a)));
        let target =
            if path.is_empty() { doc.to_path_buf() } else { doc.parent().expect("a folder").join(path) };
        let inside = target.canonicalize().is_ok_and(|t| t.starts_with(root()));
        if !inside {
            broken.push(format!("{name}: {dest}: no such file in the repository"));
            continue;
        }
        let Some(anchor) = anchor else { continue };
        if target.extension().is_some_and(|x| x == "md") {
            let headings = anchors(&fs::read_to_string(&target).expect("a readable target"));
            if !headings.contains(anchor) {
                broken.push(format!("{name}: {dest}: no heading with anchor #{anchor}"));
            }
        }
    }
    broken
}

#[test]
fn every_relative_link_in_the_readme_and_docs_leads_to_a_file_and_heading_of_the_repository() {
    let broken: Vec<String> = documents().iter().flat_map(|d| broken_links(d)).collect();
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn the_docs_folder_holds_the_pages_the_readme_promises() {
    let readme = fs::read_to_string(root().join("README.md")).expect("README.md");
    let linked = links(&readme);
    for page in [
        "docs/getting-started.md",
        "docs/scenario-format.md",
        "docs/aws-rules.md",
        "docs/explanation-codes.md",
    ] {
        assert!(root().join(page).is_file(), "{page} is missing");
        assert!(
            linked.iter().any(|l| l == page || l.starts_with(&format!("{page}#"))),
            "README.md does not link {page}"
        );
    }
}

#[test]
fn the_link_checker_finds_headings_and_ignores_links_in_code() {
    let md = "# Rule ids (A, R)\n## `expect` keys\n## Rule ids (A, R)\n\n`[not](a-link.md)`\n\n```\n[nor](this.md)\n```\n[yes](x.md#rule-ids-a-r-1)\n";
    assert_eq!(links(md), ["x.md#rule-ids-a-r-1"]);
    let expected: BTreeSet<String> =
        ["rule-ids-a-r", "expect-keys", "rule-ids-a-r-1"].map(String::from).into();
    assert_eq!(anchors(md), expected);
}

/// Every file under `dir`, skipping build output and git's own folder.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("a readable folder") {
        let path = entry.expect("a readable entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if path.is_dir() {
            if name != "target" && name != ".git" {
                files(&path, out);
            }
        } else {
            out.push(path);
        }
    }
}

#[test]
fn no_file_of_the_repository_refers_readers_to_documents_kept_outside_it() {
    // The folder and the documents that live only outside the repository, spelt in
    // pieces so that this file does not match itself; docs/ holds their successors.
    let outside =
        [["shared", "/"].concat(), ["aws-", "semantics.md"].concat(), ["lab-", "walkthrough.md"].concat()];
    let mut all = Vec::new();
    files(&root(), &mut all);
    let mentions: Vec<String> = all
        .iter()
        .filter_map(|p| {
            let text = String::from_utf8_lossy(&fs::read(p).ok()?).into_owned();
            let named: Vec<&str> =
                outside.iter().filter(|o| text.contains(o.as_str())).map(String::as_str).collect();
            let file = p.strip_prefix(root()).unwrap_or(p).display();
            (!named.is_empty()).then(|| format!("{file} mentions {}", named.join(", ")))
        })
        .collect();
    assert!(mentions.is_empty(), "{}", mentions.join("\n"));
}
