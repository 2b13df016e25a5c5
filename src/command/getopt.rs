//! A small getopt: short option clusters (`-sv`, `-c4`), long options (`--max-time 5`,
//! `--max-time=5`) and `--` ending the options. Shared by the tools in [`super::app`].

/// One option of a tool: its short letter, its long name, and whether it takes a value.
#[derive(Clone, Copy, Debug)]
pub struct OptSpec {
    /// Identifier the parsed [`Arg`] carries (the short letter when there is one).
    pub id: char,
    /// Accepted as `-<id>` too.
    pub short: bool,
    /// Long name without the dashes, if any.
    pub long: Option<&'static str>,
    /// Whether the option takes a value.
    pub takes_value: bool,
}

/// One parsed word or option.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    /// An option without value.
    Flag(char),
    /// An option and its value.
    Value(char, String),
    /// A word that is not an option.
    Positional(String),
}

/// What getopt rejects: the option as the user wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GetoptError {
    /// A short letter (`z`) or a long name with dashes (`--bogus`) that the tool lacks.
    Unknown(String),
    /// The option needs a value and none followed; the option as written.
    MissingValue(String),
}

/// Parses `words` (without the program name) against `specs`.
pub fn getopt(words: &[String], specs: &[OptSpec]) -> Result<Vec<Arg>, GetoptError> {
    let mut out = Vec::new();
    let mut rest = words.iter();
    while let Some(word) = rest.next() {
        if word == "--" {
            out.extend(rest.by_ref().map(|w| Arg::Positional(w.clone())));
        } else if let Some(long) = word.strip_prefix("--") {
            out.push(parse_long(long, specs, &mut rest)?);
        } else if word.len() > 1 && word.starts_with('-') {
            parse_cluster(&word[1..], specs, &mut rest, &mut out)?;
        } else {
            out.push(Arg::Positional(word.clone()));
        }
    }
    Ok(out)
}

fn parse_long<'a>(
    long: &str,
    specs: &[OptSpec],
    rest: &mut impl Iterator<Item = &'a String>,
) -> Result<Arg, GetoptError> {
    let (name, inline) = match long.split_once('=') {
        Some((n, v)) => (n, Some(v.to_string())),
        None => (long, None),
    };
    let spec = specs
        .iter()
        .find(|s| s.long == Some(name))
        .ok_or_else(|| GetoptError::Unknown(format!("--{name}")))?;
    if !spec.takes_value {
        return Ok(Arg::Flag(spec.id));
    }
    let value = inline.or_else(|| rest.next().cloned());
    value.map(|v| Arg::Value(spec.id, v)).ok_or_else(|| GetoptError::MissingValue(format!("--{name}")))
}

fn parse_cluster<'a>(
    cluster: &str,
    specs: &[OptSpec],
    rest: &mut impl Iterator<Item = &'a String>,
    out: &mut Vec<Arg>,
) -> Result<(), GetoptError> {
    for (i, c) in cluster.char_indices() {
        let spec =
            specs.iter().find(|s| s.short && s.id == c).ok_or_else(|| GetoptError::Unknown(c.to_string()))?;
        if !spec.takes_value {
            out.push(Arg::Flag(c));
            continue;
        }
        let attached = &cluster[i + c.len_utf8()..];
        let value = if attached.is_empty() { rest.next().cloned() } else { Some(attached.to_string()) };
        out.push(Arg::Value(c, value.ok_or_else(|| GetoptError::MissingValue(c.to_string()))?));
        return Ok(());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: [OptSpec; 3] = [
        OptSpec { id: 's', short: true, long: Some("silent"), takes_value: false },
        OptSpec { id: 'm', short: true, long: Some("max-time"), takes_value: true },
        OptSpec { id: '1', short: false, long: Some("connect-timeout"), takes_value: true },
    ];

    fn words(s: &[&str]) -> Vec<String> {
        s.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn clusters_and_attached_values_are_split() {
        let got = getopt(&words(&["-sm5", "url"]), &SPECS).unwrap();
        assert_eq!(got, [Arg::Flag('s'), Arg::Value('m', "5".into()), Arg::Positional("url".into())]);
    }

    #[test]
    fn long_options_take_the_next_word_or_an_inline_value() {
        let got = getopt(&words(&["--connect-timeout", "3", "--max-time=4"]), &SPECS).unwrap();
        assert_eq!(got, [Arg::Value('1', "3".into()), Arg::Value('m', "4".into())]);
    }

    #[test]
    fn a_long_only_option_is_not_accepted_as_a_short_letter() {
        assert_eq!(getopt(&words(&["-1"]), &SPECS), Err(GetoptError::Unknown("1".into())));
    }

    #[test]
    fn a_value_option_at_the_end_is_missing_its_value() {
        assert_eq!(getopt(&words(&["-m"]), &SPECS), Err(GetoptError::MissingValue("m".into())));
    }
}
