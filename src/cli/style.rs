//! Output for people: aligned tables, and colour only on a terminal with NO_COLOR unset.

use std::io::IsTerminal;

use vpcsim::scenario::render::escape_controls;

/// Whether to colour standard output.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    color: bool,
}

impl Style {
    /// Colour when standard output is a terminal and `NO_COLOR` is unset or empty (no-color.org).
    pub fn detect() -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style { color: std::io::stdout().is_terminal() && !no_color }
    }

    /// No colour, whatever the terminal (text written to files).
    pub fn plain() -> Style {
        Style { color: false }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// Bold.
    pub fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    /// Green: reachable, passed.
    pub fn good(self, text: &str) -> String {
        self.paint("32", text)
    }

    /// Red: blocked, failed.
    pub fn bad(self, text: &str) -> String {
        self.paint("31", text)
    }

    /// Dim: secondary detail.
    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }
}

/// The width output must fit: `COLUMNS` when it is a positive number, else the terminal's
/// when standard output is one; `None` (a pipe or a file) keeps lines whole.
pub fn width() -> Option<usize> {
    if let Some(n) = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok()) {
        if n > 0 {
            return Some(n);
        }
    }
    if !std::io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(terminal_size::Width(w), _)| usize::from(w))
}

/// The width to fit `wide` text to: `None` when `--wide` was given, the width is unknown,
/// or every line of the wide text already fits.
pub fn fit_width(wide_text: &str, wide: bool) -> Option<usize> {
    let width = width().filter(|_| !wide)?;
    wide_text.lines().any(|l| textwrap::core::display_width(l) > width).then_some(width)
}

/// Rows as a table whose columns line up (widths in characters); trailing spaces trimmed;
/// control characters in cells escaped ([`escape_controls`]).
/// The header row, when given, is printed in bold.
pub fn table(header: &[&str], rows: &[Vec<String>], indent: &str, style: Style) -> String {
    let rows: Vec<Vec<String>> =
        rows.iter().map(|r| r.iter().map(|c| escape_controls(c).into_owned()).collect()).collect();
    let rows = rows.as_slice();
    let cols = header.len().max(rows.iter().map(Vec::len).max().unwrap_or(0));
    let mut widths = vec![0; cols];
    let head: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    for row in std::iter::once(&head).chain(rows) {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |row: &[String]| {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c}{}", " ".repeat(widths[i] - c.chars().count())))
            .collect();
        format!("{indent}{}", cells.join("  ").trim_end())
    };
    let mut out = String::new();
    if !header.is_empty() {
        out.push_str(&style.bold(&line(&head)));
        out.push('\n');
    }
    for row in rows {
        out.push_str(&line(row));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_and_lines_end_without_spaces() {
        let rows = vec![
            vec!["1".to_string(), "instance".into(), "".into()],
            vec!["10".into(), "igw".into(), "x".into()],
        ];
        let t = table(&["#", "KIND", "NAME"], &rows, "", Style { color: false });
        assert_eq!(t, "#   KIND      NAME\n1   instance\n10  igw       x\n");
    }
}
