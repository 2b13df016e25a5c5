//! `aws s3 ls` and `aws s3 cp s3://BUCKET/KEY - | gunzip`: the AWS CLI's high-level S3
//! commands, which take positional paths, so they are read here rather than through
//! [`super::table`]. vpcsim's buckets hold only the log files flow logs deliver (F1), so
//! the two commands that read them are modelled; the others are refused saying so.
//!
//! A flow log file is gzip-compressed, and `cp ... -` prints the object's bytes: on a
//! terminal people pipe them through `gunzip`. vpcsim prints no binary, so `cp` to `-`
//! is accepted only followed by `| gunzip` (or `| gunzip -c`, `| zcat`, `| gzip -d`,
//! `| gzip -dc`), and then prints the text.

use super::AwsError;

/// A typed `aws s3` command.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum S3Request {
    /// `aws s3 ls [s3://BUCKET[/PREFIX]]`: the buckets, or a bucket's objects and folders.
    Ls {
        /// The bucket and prefix; `None` lists the buckets.
        path: Option<S3Path>,
        /// `--recursive`: every object under the prefix, by full key.
        recursive: bool,
        /// `--human-readable`: sizes in Bytes, KiB, MiB, ...
        human_readable: bool,
        /// `--summarize`: the total objects and size after the list.
        summarize: bool,
        /// `--bucket-name-prefix`: only buckets whose name starts so (listing buckets).
        bucket_name_prefix: Option<String>,
    },
    /// `aws s3 cp s3://BUCKET/KEY - | gunzip`: an object's text.
    Cp {
        /// The object.
        path: S3Path,
    },
}

impl S3Request {
    /// `ls` or `cp`.
    pub fn operation(&self) -> &'static str {
        match self {
            S3Request::Ls { .. } => "ls",
            S3Request::Cp { .. } => "cp",
        }
    }
}

/// `s3://bucket/key`: a bucket and a key (or key prefix, possibly empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Path {
    /// The bucket.
    pub bucket: String,
    /// The key or prefix after the bucket's `/`.
    pub key: String,
}

impl S3Path {
    /// `s3://bucket/key` or `bucket/key` (as `ls` reads it).
    fn parse(text: &str) -> S3Path {
        let path = text.strip_prefix("s3://").unwrap_or(text);
        let (bucket, key) = path.split_once('/').unwrap_or((path, ""));
        S3Path { bucket: bucket.to_string(), key: key.to_string() }
    }
}

const ONLY_FLOW_LOGS: &str =
    "vpcsim's buckets hold only the log files flow logs deliver; `aws s3 ls` and `aws s3 cp s3://BUCKET/KEY - | gunzip` read them";

/// Parses the words after `aws s3` (the subcommand first).
pub fn parse(words: &[String]) -> Result<S3Request, AwsError> {
    let operation = words.first().map(String::as_str).unwrap_or_default();
    let args = words.get(1..).unwrap_or_default();
    match operation {
        "ls" => ls(args),
        "cp" => cp(args),
        "mb" | "rb" | "rm" | "mv" | "sync" | "presign" | "website" => {
            Err(AwsError::Unmodelled { option: format!("aws s3 {operation}"), why: ONLY_FLOW_LOGS.into() })
        }
        _ => Err(AwsError::InvalidOperation {
            operation: operation.into(),
            choices: "cp | ls | mb | mv | presign | rb | rm | sync | website".into(),
        }),
    }
}

fn ls(args: &[String]) -> Result<S3Request, AwsError> {
    let (mut path, mut recursive, mut human_readable, mut summarize, mut prefix) =
        (None, false, false, false, None);
    let mut unknown = Vec::new();
    let mut it = args.iter();
    while let Some(word) = it.next() {
        match word.as_str() {
            "--recursive" => recursive = true,
            "--human-readable" => human_readable = true,
            "--summarize" => summarize = true,
            "--bucket-name-prefix" => {
                let value =
                    it.next().ok_or_else(|| AwsError::MissingValue { flag: "bucket-name-prefix".into() })?;
                prefix = Some(value.clone());
            }
            "--page-size" => return Err(unmodelled(word, "vpcsim returns every item in one page")),
            "--request-payer" => return Err(unmodelled(word, "vpcsim has no requester-pays buckets")),
            "--bucket-region" => {
                return Err(unmodelled(word, "vpcsim simulates one region; list without it"))
            }
            w if w.starts_with("--") || path.is_some() => unknown.push(word.clone()),
            _ => path = Some(S3Path::parse(word)),
        }
    }
    if !unknown.is_empty() {
        return Err(AwsError::UnknownOptions { options: unknown });
    }
    let path = path.filter(|p| !p.bucket.is_empty());
    Ok(S3Request::Ls { path, recursive, human_readable, summarize, bucket_name_prefix: prefix })
}

fn cp(args: &[String]) -> Result<S3Request, AwsError> {
    let (paths, pipe) = match args.iter().position(|w| w == "|") {
        Some(i) => (&args[..i], Some(&args[i + 1..])),
        None => (args, None),
    };
    if let Some(flag) = paths.iter().find(|w| w.starts_with("--")) {
        return Err(unmodelled(
            flag,
            "vpcsim models `aws s3 cp s3://BUCKET/KEY - | gunzip` only, to read a flow log file",
        ));
    }
    let [source, destination] = paths else {
        return Err(AwsError::ParamError(
            "usage: aws s3 cp <S3Uri> - | gunzip (vpcsim copies an object to standard output only)".into(),
        ));
    };
    if !source.starts_with("s3://") {
        return Err(unmodelled(&format!("aws s3 cp {source}"), ONLY_FLOW_LOGS));
    }
    if destination != "-" {
        return Err(unmodelled(
            &format!("aws s3 cp to {destination}"),
            "vpcsim has no local files; print the object with `aws s3 cp s3://BUCKET/KEY - | gunzip`",
        ));
    }
    let gunzip = |cmd: &[String]| {
        let words: Vec<&str> = cmd.iter().map(String::as_str).collect();
        matches!(
            words[..],
            ["gunzip"] | ["gunzip", "-c"] | ["zcat"] | ["gzip", "-d"] | ["gzip", "-dc" | "-cd"]
        )
    };
    match pipe {
        Some(cmd) if gunzip(cmd) => Ok(S3Request::Cp { path: S3Path::parse(source) }),
        Some(cmd) => Err(unmodelled(
            &format!("| {}", cmd.join(" ")),
            "vpcsim pipes `aws s3 cp ... -` into gunzip (or zcat) only",
        )),
        None => Err(unmodelled(
            "aws s3 cp ... - without | gunzip",
            "a flow log file is gzip-compressed and vpcsim prints no binary; add `| gunzip` as you would on a terminal",
        )),
    }
}

fn unmodelled(option: &str, why: &str) -> AwsError {
    AwsError::Unmodelled { option: option.into(), why: why.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        crate::command::split(line).unwrap()[2..].to_vec()
    }

    #[test]
    fn ls_reads_a_bucket_a_prefix_and_its_switches() {
        let got = parse(&words("aws s3 ls s3://logs/fl/ --recursive --summarize")).unwrap();
        let path = Some(S3Path { bucket: "logs".into(), key: "fl/".into() });
        let want = S3Request::Ls {
            path,
            recursive: true,
            human_readable: false,
            summarize: true,
            bucket_name_prefix: None,
        };
        assert_eq!(got, want);
        assert!(matches!(parse(&words("aws s3 ls")).unwrap(), S3Request::Ls { path: None, .. }));
        assert!(matches!(parse(&words("aws s3 ls s3://")).unwrap(), S3Request::Ls { path: None, .. }));
    }

    #[test]
    fn cp_to_standard_output_is_read_only_through_gunzip() {
        let want = S3Request::Cp { path: S3Path { bucket: "logs".into(), key: "a/b.log.gz".into() } };
        for tail in ["gunzip", "gunzip -c", "zcat", "gzip -d", "gzip -dc"] {
            assert_eq!(parse(&words(&format!("aws s3 cp s3://logs/a/b.log.gz - | {tail}"))).unwrap(), want);
        }
        for refused in [
            "aws s3 cp s3://logs/a/b.log.gz -",
            "aws s3 cp s3://logs/a/b.log.gz - | grep REJECT",
            "aws s3 cp s3://logs/a/b.log.gz ./b.log.gz",
            "aws s3 cp ./b.log s3://logs/b.log",
            "aws s3 cp --quiet s3://logs/a/b.log.gz - | gunzip",
            "aws s3 rm s3://logs/a/b.log.gz",
        ] {
            assert!(matches!(parse(&words(refused)), Err(AwsError::Unmodelled { .. })), "{refused}");
        }
    }

    #[test]
    fn unknown_words_and_operations_are_the_clis_errors() {
        assert!(matches!(parse(&words("aws s3 ls s3://a s3://b")), Err(AwsError::UnknownOptions { .. })));
        assert!(matches!(parse(&words("aws s3 ls --bogus")), Err(AwsError::UnknownOptions { .. })));
        assert!(matches!(parse(&words("aws s3 list")), Err(AwsError::InvalidOperation { .. })));
        assert!(matches!(parse(&words("aws s3 ls --page-size 5")), Err(AwsError::Unmodelled { .. })));
    }
}
