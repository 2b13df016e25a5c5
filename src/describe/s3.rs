//! What `aws s3 ls` and `aws s3 cp` show of a world's S3 (F1): the buckets flow logs
//! deliver to and the log files delivered so far, printed as the AWS CLI prints them.
//!
//! vpcsim knows a bucket when a flow log (live or deleted) names it as its destination;
//! the bucket appears when the first of them is created. A log file is listed from the
//! end of its 5-minute window (its delivery), with its gzip size: the text is compressed
//! as S3 stores it (`flate2`, fixed level and header, so the size is the same every run).

use serde_json::{json, Value};

use crate::command::aws::s3::S3Path;
use crate::error::ApiError;
use crate::model::flow_log::{LogDestination, LogFile};
use crate::world::World;

/// A bucket: its name and virtual creation time (milliseconds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bucket {
    /// The name.
    pub name: String,
    /// When the first flow log delivering there was created.
    pub created_ms: u64,
}

/// Every bucket a flow log delivers to, by name.
pub fn buckets(w: &World) -> Vec<Bucket> {
    let mut out: Vec<Bucket> = Vec::new();
    for (_, f) in w.flow_logs().iter() {
        let LogDestination::S3(dest) = &f.destination else { continue };
        match out.iter_mut().find(|b| b.name == dest.bucket) {
            Some(b) => b.created_ms = b.created_ms.min(f.created_ms),
            None => out.push(Bucket { name: dest.bucket.clone(), created_ms: f.created_ms }),
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The delivered log files of `bucket`, by key; `None` when vpcsim knows no such bucket.
pub fn objects<'w>(w: &'w World, bucket: &str) -> Option<Vec<&'w LogFile>> {
    let mut known = false;
    let mut files = Vec::new();
    for (_, f) in w.flow_logs().iter() {
        let LogDestination::S3(dest) = &f.destination else { continue };
        if dest.bucket == bucket {
            known = true;
            files.extend(f.files.iter().filter(|file| file.delivered_ms <= w.now_ms()));
        }
    }
    files.sort_by(|a, b| a.key.cmp(&b.key));
    known.then_some(files)
}

/// A log file's size in S3: its text gzip-compressed.
pub fn gzip_size(text: &str) -> u64 {
    GzipSizer::new().size(text)
}

/// Measures gzip sizes with one deflate state for many files: a compressor's state is
/// hundreds of kilobytes, so a listing of a week of files must not make one per file.
pub struct GzipSizer {
    deflate: flate2::Compress,
    out: Vec<u8>,
}

impl GzipSizer {
    /// A sizer at the default level, as `GzEncoder` compresses.
    pub fn new() -> GzipSizer {
        GzipSizer {
            deflate: flate2::Compress::new(flate2::Compression::default(), false),
            out: vec![0; 16 * 1024],
        }
    }

    /// The gzip size of `text`: a 10-byte header, the raw deflate stream, an 8-byte trailer.
    pub fn size(&mut self, text: &str) -> u64 {
        self.deflate.reset();
        let mut input = text.as_bytes();
        loop {
            let before_in = self.deflate.total_in();
            let status = self.deflate.compress(input, &mut self.out, flate2::FlushCompress::Finish);
            input = &input[(self.deflate.total_in() - before_in) as usize..];
            match status {
                Ok(flate2::Status::StreamEnd) | Err(_) => break,
                Ok(_) => {}
            }
        }
        18 + self.deflate.total_out()
    }
}

impl Default for GzipSizer {
    fn default() -> GzipSizer {
        GzipSizer::new()
    }
}

/// How `ls` lists: recursively or one folder level, sizes plain or human-readable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Listing {
    /// `--recursive`.
    pub recursive: bool,
    /// `--human-readable`.
    pub human_readable: bool,
    /// `--summarize`.
    pub summarize: bool,
}

/// `aws s3 ls s3://bucket/prefix`: folders (`PRE name/`) then objects, and whether any
/// matched; an unknown bucket is S3's NoSuchBucket.
pub fn list(w: &World, path: &S3Path, how: Listing) -> Result<(String, bool), ApiError> {
    let files = objects(w, &path.bucket).ok_or_else(|| {
        ApiError::new("ListObjectsV2", "NoSuchBucket", "The specified bucket does not exist")
    })?;
    let under: Vec<&LogFile> = files.into_iter().filter(|f| f.key.starts_with(&path.key)).collect();
    let mut out = String::new();
    // Without --recursive, S3 groups keys at the next `/` after the prefix (common
    // prefixes), and the CLI prints each by its last folder name, each object by its
    // last path component.
    let mut folders: Vec<&str> = Vec::new();
    let (mut count, mut total) = (0u64, 0u64);
    let mut lines = Vec::new();
    let mut sizer = GzipSizer::new();
    for f in &under {
        let rest = &f.key[path.key.len()..];
        match rest.find('/') {
            Some(i) if !how.recursive => {
                let common = &f.key[..path.key.len() + i + 1];
                if folders.last() != Some(&common) {
                    folders.push(common);
                }
            }
            _ => {
                let size = sizer.size(&f.text);
                let name = match how.recursive {
                    true => f.key.as_str(),
                    false => f.key.rsplit('/').next().unwrap_or_default(),
                };
                let size_text = if how.human_readable { human_readable(size) } else { size.to_string() };
                lines.push(format!("{} {size_text:>10} {name}\n", date_time(f.delivered_ms)));
                count += 1;
                total += size;
            }
        }
    }
    for common in &folders {
        let folder = common.rsplit('/').nth(1).unwrap_or_default();
        out.push_str(&format!("{:>30} {folder}/\n", "PRE"));
    }
    out.extend(lines);
    if how.summarize {
        let total_text = if how.human_readable { human_readable(total) } else { total.to_string() };
        out.push_str(&format!("\n{:>15}{count}\n{:>15}{total_text}\n", "Total Objects: ", "Total Size: "));
    }
    Ok((out, !under.is_empty()))
}

/// `aws s3api list-objects-v2 --bucket B [--prefix P]`: the delivered files under the
/// prefix, by key, as the CLI prints them (`Contents` absent when there are none). The
/// `ETag` (an MD5 of the gzip bytes) is left out.
pub fn list_objects_v2(w: &World, bucket: &str, prefix: &str) -> Result<Value, ApiError> {
    let files = objects(w, bucket).ok_or_else(|| {
        ApiError::new("ListObjectsV2", "NoSuchBucket", "The specified bucket does not exist")
    })?;
    let mut sizer = GzipSizer::new();
    let contents: Vec<Value> = files
        .into_iter()
        .filter(|f| f.key.starts_with(prefix))
        .map(|f| {
            json!({
                "Key": f.key,
                "LastModified": format!("{}+00:00", date_time(f.delivered_ms).replace(' ', "T")),
                "Size": sizer.size(&f.text),
                "StorageClass": "STANDARD",
            })
        })
        .collect();
    let mut v = json!({"RequestCharged": null, "Prefix": prefix});
    if !contents.is_empty() {
        v = json!({"Contents": contents, "RequestCharged": null, "Prefix": prefix});
    }
    Ok(v)
}

/// `aws s3 ls`: the buckets with their creation time.
pub fn list_buckets(w: &World, prefix: Option<&str>) -> String {
    buckets(w)
        .into_iter()
        .filter(|b| prefix.is_none_or(|p| b.name.starts_with(p)))
        .map(|b| format!("{} {}\n", date_time(b.created_ms), b.name))
        .collect()
}

/// `aws s3 cp s3://bucket/key - | gunzip`: the object's text, or the CLI's 404.
pub fn get(w: &World, path: &S3Path) -> Result<String, ApiError> {
    let not_found = |m: String| ApiError::new("HeadObject", "404", m);
    let files = objects(w, &path.bucket).ok_or_else(|| not_found("Not Found".into()))?;
    files
        .into_iter()
        .find(|f| f.key == path.key)
        .map(|f| f.text.clone())
        .ok_or_else(|| not_found(format!("Key \"{}\" does not exist", path.key)))
}

/// Virtual time as `ls` prints it: `YYYY-MM-DD HH:MM:SS` (UTC).
fn date_time(ms: u64) -> String {
    let secs = crate::apps::EPOCH_UNIX + (ms / 1000) as i64;
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::OffsetDateTime::from_unix_timestamp(secs).ok().and_then(|t| t.format(&fmt).ok()).unwrap_or_default()
}

/// `--human-readable`: `1 Byte`, `N Bytes`, then `X.Y KiB`, `MiB`, ... as the AWS CLI rounds.
fn human_readable(size: u64) -> String {
    const SUFFIXES: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let bytes = size as f64;
    match size {
        1 => return "1 Byte".into(),
        s if s < 1024 => return format!("{s} Bytes"),
        _ => {}
    }
    for (i, suffix) in SUFFIXES.iter().enumerate() {
        let unit = 1024f64.powi(i as i32 + 2);
        if ((bytes / unit) * 1024.0).round() < 1024.0 || i == SUFFIXES.len() - 1 {
            return format!("{:.1} {suffix}", 1024.0 * bytes / unit);
        }
    }
    format!("{size} Bytes")
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn sizes_read_as_the_aws_cli_prints_them_human_readable() {
        assert_eq!(human_readable(1), "1 Byte");
        assert_eq!(human_readable(1023), "1023 Bytes");
        assert_eq!(human_readable(1024), "1.0 KiB");
        assert_eq!(human_readable(1536), "1.5 KiB");
        assert_eq!(human_readable(5 * 1024 * 1024), "5.0 MiB");
    }

    #[test]
    fn the_sizer_gives_the_length_of_what_gzencoder_writes_file_after_file() {
        let mut sizer = GzipSizer::new();
        for n in [0, 1, 50, 5000] {
            let text = "2 123456789012 eni-0 10.0.0.1 10.0.0.2 40000 80 6 5 348 1 2 ACCEPT OK\n".repeat(n);
            let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            encoder.write_all(text.as_bytes()).unwrap();
            assert_eq!(sizer.size(&text), encoder.finish().unwrap().len() as u64, "{n} lines");
        }
    }

    #[test]
    fn a_gzip_size_is_the_same_every_time_and_smaller_for_repetitive_text() {
        let text = "2 123456789012 eni-0 10.0.0.1 10.0.0.2 40000 80 6 5 348 1 2 ACCEPT OK\n".repeat(50);
        assert_eq!(gzip_size(&text), gzip_size(&text));
        assert!(gzip_size(&text) < text.len() as u64 / 4);
    }
}
