//! Reading the files people wrote (scenarios, templates): [`read`] is the one function
//! every such file goes through.
//!
//! Guarantees: only a regular file is opened for reading (a device such as `/dev/zero`,
//! a FIFO or a directory is refused by its path, before anything is read, so nothing
//! blocks or grows without bound); at most the size limit plus one byte is read, so a
//! file over the limit is refused without reading past it; text that is not UTF-8 is
//! refused at the line and column of its first bad byte, inside the file; a leading
//! byte order mark is dropped.

use std::fs::File;
use std::io::Read as _;
use std::path::Path;

use crate::error::{FileProblem, Location};

/// Why a file could not be read as text.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The path names something other than a regular file.
    #[error("{path} is {kind}, not a regular file; give the path of a YAML file")]
    NotAFile {
        /// The path as given.
        path: String,
        /// What it is instead ("a directory", "a FIFO", "a device", ...).
        kind: &'static str,
    },
    /// The file is longer than the limit; nothing past the limit was read.
    #[error("{path} is more than {limit} bytes (limit max_bytes)")]
    TooLarge {
        /// The path as given.
        path: String,
        /// The limit, in bytes.
        limit: usize,
    },
    /// The bytes are not UTF-8 text.
    #[error("{path}:{at}: the file is not UTF-8 text: invalid byte 0x{byte:02x}")]
    NotUtf8 {
        /// The path as given.
        path: String,
        /// Where the first invalid byte is.
        at: Location,
        /// The first invalid byte.
        byte: u8,
    },
    /// The operating system refused (missing file, permissions, ...).
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path as given.
        path: String,
        /// What the operating system said.
        source: std::io::Error,
    },
}

impl ReadError {
    /// The path the error is about.
    pub fn path(&self) -> &str {
        match self {
            ReadError::NotAFile { path, .. }
            | ReadError::TooLarge { path, .. }
            | ReadError::NotUtf8 { path, .. }
            | ReadError::Io { path, .. } => path,
        }
    }

    /// Where in the file the problem is: the first bad byte, else the start of the file.
    pub fn location(&self) -> Location {
        match self {
            ReadError::NotUtf8 { at, .. } => *at,
            _ => Location { line: 1, column: 1 },
        }
    }

    /// The error as a problem located in the file it is about.
    pub fn to_problem(&self) -> FileProblem {
        let message = match self {
            ReadError::NotUtf8 { byte, .. } => {
                format!("the file is not UTF-8 text: invalid byte 0x{byte:02x}")
            }
            other => other.to_string(),
        };
        let hint = match self {
            ReadError::TooLarge { .. } => Some("split the file, or remove what it does not need".to_string()),
            ReadError::NotUtf8 { .. } => Some("save the file as UTF-8".to_string()),
            _ => None,
        };
        FileProblem { file: self.path().to_string(), location: self.location(), context: None, message, hint }
    }
}

/// Reads a regular file of at most `max_bytes` bytes as UTF-8 text.
///
/// ```
/// use vpcsim::source::{read, ReadError};
/// let e = read(std::path::Path::new("/dev/zero"), 8 << 20).unwrap_err();
/// assert!(matches!(e, ReadError::NotAFile { kind: "a device", .. }), "{e}");
/// ```
pub fn read(path: &Path, max_bytes: usize) -> Result<String, ReadError> {
    let shown = path.display().to_string();
    let io = |source| ReadError::Io { path: shown.clone(), source };
    check_regular(path, &std::fs::metadata(path).map_err(io)?)?;
    let file = File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    check_regular(path, &meta)?;
    let limit = u64::try_from(max_bytes).unwrap_or(u64::MAX).saturating_add(1);
    // Sized once from the file's length (capped at the limit), so the buffer never doubles past it.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len().min(limit)).unwrap_or(max_bytes));
    file.take(limit).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() > max_bytes {
        return Err(ReadError::TooLarge { path: shown, limit: max_bytes });
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let valid = e.utf8_error().valid_up_to();
        ReadError::NotUtf8 { path: shown.clone(), at: location_of(bytes, valid), byte: bytes[valid] }
    })?;
    Ok(without_bom(text))
}

/// The text without a leading byte order mark (U+FEFF), which editors on Windows write
/// and YAML and JSON readers skip: it is not part of the first key. Columns on line 1
/// then count from the first character an editor shows.
fn without_bom(text: String) -> String {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    }
}

/// Refuses anything but a regular file, naming what it is.
fn check_regular(path: &Path, meta: &std::fs::Metadata) -> Result<(), ReadError> {
    let ft = meta.file_type();
    if ft.is_file() {
        return Ok(());
    }
    let kind = if ft.is_dir() { "a directory" } else { special_kind(&ft) };
    Err(ReadError::NotAFile { path: path.display().to_string(), kind })
}

#[cfg(unix)]
fn special_kind(ft: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt as _;
    if ft.is_fifo() {
        "a FIFO"
    } else if ft.is_socket() {
        "a socket"
    } else if ft.is_block_device() || ft.is_char_device() {
        "a device"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> &'static str {
    "not a regular file"
}

/// The 1-based line and column (in characters) of byte `at`, whose prefix is valid UTF-8.
fn location_of(bytes: &[u8], at: usize) -> Location {
    let before = &bytes[..at];
    let line_start = before.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let line = 1 + before.iter().filter(|b| **b == b'\n').count();
    let column = 1 + String::from_utf8_lossy(&before[line_start..]).chars().count();
    Location { line, column }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_bad_byte_is_located_by_line_and_character_column() {
        assert_eq!(location_of(b"a: 1\nb: \xc3\xa9x\xff", 11), Location { line: 2, column: 6 });
        assert_eq!(location_of(b"\xff", 0), Location { line: 1, column: 1 });
    }
}
