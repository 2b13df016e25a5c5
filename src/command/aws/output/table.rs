//! `--output table`: the answer as the AWS CLI's boxed table. Each record becomes a
//! section (titled by the key it was found under, indented one `|` per level), with
//! its scalar fields as sorted column headers over one row per item; a record with
//! one scalar prints as a `key | value` row. A table wider than 80 columns (the CLI's
//! width off a terminal) turns single-row sections into `header | value` rows.

use serde_json::Value;

use super::{is_scalar, scalar};

const WIDTH: usize = 80;

#[derive(Default)]
struct Section {
    title: String,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    indent: usize,
    widths: Vec<usize>,
}

impl Section {
    fn grow(&mut self, cells: &[String]) {
        if self.widths.is_empty() {
            self.widths = cells.iter().map(|c| c.chars().count()).collect();
        } else {
            for (w, c) in self.widths.iter_mut().zip(cells) {
                *w = (*w).max(c.chars().count());
            }
        }
    }

    fn header(&mut self, headers: Vec<String>) {
        self.grow(&headers);
        self.headers = headers;
    }

    fn row(&mut self, row: Vec<String>) {
        self.grow(&row);
        self.rows.push(row);
    }

    fn total_width(&self) -> usize {
        let cells: usize = self.widths.iter().map(|w| w + 4).sum();
        let total = cells + 2 + 2 * self.indent;
        total.max(self.title.chars().count() + 2 + 2 * self.indent)
    }

    /// Column widths scaled to fill `max` exactly, as the CLI scales them.
    fn column_widths(&self, max: usize) -> Vec<usize> {
        let unscaled: Vec<usize> = self.widths.iter().map(|w| w + 4).collect();
        let sum: usize = unscaled.iter().sum();
        if unscaled.is_empty() {
            return unscaled;
        }
        let factor = max as f64 / sum as f64;
        let mut scaled: Vec<i64> = unscaled.iter().map(|w| round_half_even(factor * *w as f64)).collect();
        let mut off = scaled.iter().sum::<i64>() - max as i64;
        while off != 0 {
            let order: Vec<usize> =
                if off < 0 { (0..scaled.len()).rev().collect() } else { (0..scaled.len()).collect() };
            for i in order {
                if off > 0 {
                    scaled[i] -= 1;
                    off -= 1;
                } else {
                    scaled[i] += 1;
                    off += 1;
                }
                if off == 0 {
                    break;
                }
            }
        }
        scaled.into_iter().map(|w| w.max(0) as usize).collect()
    }
}

/// Python's `round`: halves go to the even neighbour.
fn round_half_even(x: f64) -> i64 {
    let r = x.round();
    if (x - x.trunc()).abs() == 0.5 && r as i64 % 2 != 0 {
        (r - x.signum()) as i64
    } else {
        r as i64
    }
}

#[derive(Default)]
struct Table {
    sections: Vec<Section>,
}

impl Table {
    fn current(&mut self) -> &mut Section {
        if self.sections.is_empty() {
            self.sections.push(Section::default());
        }
        let last = self.sections.len() - 1;
        &mut self.sections[last]
    }

    fn section(&mut self, title: &str, indent: usize) {
        self.sections.push(Section { title: title.to_string(), indent, ..Section::default() });
    }

    /// Adds `v` under `title`; false when there is nothing to show.
    fn build(&mut self, title: Option<&str>, v: &Value, indent: usize) -> bool {
        if is_empty(v) {
            return false;
        }
        if let Some(t) = title {
            self.section(t, indent);
        }
        match v {
            Value::Array(items) if items[0].is_object() => self.records(items, indent, title),
            Value::Array(items) => {
                for item in items {
                    match item {
                        Value::Array(inner) if inner.iter().all(is_scalar) => {
                            self.current().row(inner.iter().map(scalar).collect())
                        }
                        s if is_scalar(s) => self.current().row(vec![scalar(s)]),
                        other => {
                            self.build(None, other, 0);
                        }
                    }
                }
            }
            Value::Object(map) => {
                let (headers, more) = split_keys(map.iter());
                if headers.len() == 1 {
                    let value = scalar(&map[&headers[0]]);
                    self.current().row(vec![headers[0].clone(), value]);
                } else if !headers.is_empty() {
                    let row = headers.iter().map(|k| scalar(&map[k])).collect();
                    self.current().header(headers);
                    self.current().row(row);
                }
                for k in more {
                    self.build(Some(&k), &map[&k], indent + 1);
                }
            }
            _ => {}
        }
        true
    }

    fn records(&mut self, items: &[Value], indent: usize, title: Option<&str>) {
        let objects: Vec<&serde_json::Map<String, Value>> =
            items.iter().filter_map(Value::as_object).collect();
        let (mut headers, mut more) = (Vec::new(), Vec::new());
        for m in &objects {
            let (h, r) = split_keys(m.iter());
            headers.extend(h);
            more.extend(r);
        }
        headers.sort();
        headers.dedup();
        more.sort();
        more.dedup();
        self.current().header(headers.clone());
        for (i, m) in objects.iter().enumerate() {
            if i > 0 && !more.is_empty() {
                self.section(title.unwrap_or_default(), indent);
                self.current().header(headers.clone());
            }
            let row = headers.iter().map(|h| m.get(h).map(scalar).unwrap_or_default()).collect();
            self.current().row(row);
            for k in &more {
                if let Some(v) = m.get(k) {
                    self.build(Some(k), v, indent + 1);
                }
            }
        }
    }

    fn render(mut self) -> String {
        let mut max = self.sections.iter().map(Section::total_width).max().unwrap_or(0);
        if max > WIDTH {
            for s in &mut self.sections {
                if s.rows.len() == 1 && !s.headers.is_empty() {
                    let mut vertical =
                        Section { title: s.title.clone(), indent: s.indent, ..Section::default() };
                    for (h, v) in s.headers.iter().zip(&s.rows[0]) {
                        vertical.row(vec![h.clone(), v.clone()]);
                    }
                    *s = vertical;
                }
            }
            max = self.sections.iter().map(Section::total_width).max().unwrap_or(0);
        }
        let mut out = format!("{}\n", "-".repeat(max));
        for s in &self.sections {
            render_section(s, max, &mut out);
        }
        out
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        Value::Number(n) => n.as_f64() == Some(0.0),
    }
}

/// A record's keys: those holding scalars and those holding lists or records, each sorted.
fn split_keys<'a>(entries: impl Iterator<Item = (&'a String, &'a Value)>) -> (Vec<String>, Vec<String>) {
    let (mut headers, mut more) = (Vec::new(), Vec::new());
    for (k, v) in entries {
        if is_scalar(v) {
            headers.push(k.clone());
        } else {
            more.push(k.clone());
        }
    }
    headers.sort();
    more.sort();
    (headers, more)
}

fn center(text: &str, length: usize, left: &str, right: &str) -> String {
    let len = text.chars().count();
    let start = (length / 2).saturating_sub(len / 2).saturating_sub(1);
    let so_far = left.chars().count() + start + len;
    let right_spaces = length.saturating_sub(right.chars().count()).saturating_sub(so_far);
    format!("{left}{}{text}{}{right}", " ".repeat(start), " ".repeat(right_spaces))
}

fn align_left(text: &str, length: usize, left: &str, right: &str) -> String {
    let len = text.chars().count();
    let padding = if length >= len + 2 + left.len() + right.len() { 2 } else { 0 };
    let so_far = left.len() + padding + len;
    format!(
        "{left}{}{text}{}{right}",
        " ".repeat(padding),
        " ".repeat(length.saturating_sub(so_far + right.len()))
    )
}

fn line_break(widths: &[usize]) -> String {
    let mut out = String::new();
    for (i, w) in widths.iter().enumerate() {
        if i == 0 {
            out.push_str(&format!("+{}+", "-".repeat(w.saturating_sub(2))));
        } else {
            out.push_str(&format!("{}+", "-".repeat(w.saturating_sub(1))));
        }
    }
    out
}

fn render_section(s: &Section, max: usize, out: &mut String) {
    let width = max.saturating_sub(2 * s.indent);
    let bars = "|".repeat(s.indent);
    let mut line = |text: String| out.push_str(&format!("{bars}{text}{bars}\n"));
    if !s.title.is_empty() {
        line(center(&s.title, width, "|", "|"));
        if s.headers.is_empty() && s.rows.is_empty() {
            line(format!("+{}+", "-".repeat(width.saturating_sub(2))));
        }
    }
    let widths = s.column_widths(width);
    if !s.headers.is_empty() {
        line(line_break(&widths));
        let mut cells = String::new();
        for (i, (w, h)) in widths.iter().zip(&s.headers).enumerate() {
            cells.push_str(&center(h, *w, if i == 0 { "|" } else { "" }, "|"));
        }
        line(cells);
    }
    if !s.rows.is_empty() && !widths.is_empty() {
        line(line_break(&widths));
        for row in &s.rows {
            let mut cells = String::new();
            for (i, (w, c)) in widths.iter().zip(row).enumerate() {
                cells.push_str(&align_left(c, *w, if i == 0 { "|" } else { "" }, "|"));
            }
            line(cells);
        }
        line(line_break(&widths));
    }
}

/// The table the CLI prints for `answer` of the operation `title` (nothing for an empty answer).
pub fn render(title: &str, answer: &Value) -> String {
    let mut t = Table::default();
    if t.build(Some(title), answer, 0) {
        t.render()
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_list_of_ids_is_a_titled_column() {
        let out = render("DescribeVpcs", &json!(["vpc-1", "vpc-2"]));
        assert_eq!(
            out,
            "--------------\n\
             |DescribeVpcs|\n\
             +------------+\n\
             |  vpc-1     |\n\
             |  vpc-2     |\n\
             +------------+\n"
        );
    }

    #[test]
    fn records_get_sorted_headers_and_nested_sections_are_indented() {
        let doc = json!({"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "Tags": [{"Key": "Name", "Value": "A"}]}]});
        let out = render("DescribeVpcs", &doc);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[1], "|       DescribeVpcs       |", "{out}");
        assert!(lines[2].starts_with("+---"), "{out}");
        assert!(lines.iter().any(|l| l.starts_with("||") && l.contains("Vpcs")), "{out}");
        assert!(lines.iter().any(|l| l.contains("CidrBlock") && l.contains("VpcId")), "{out}");
        assert!(lines.iter().any(|l| l.starts_with("|||") && l.contains("Tags")), "{out}");
        let width = lines[0].len();
        assert!(lines.iter().all(|l| l.len() == width), "{out}");
    }

    #[test]
    fn halves_round_to_even_as_python_does() {
        assert_eq!(round_half_even(2.5), 2);
        assert_eq!(round_half_even(3.5), 4);
        assert_eq!(round_half_even(2.4), 2);
    }
}
