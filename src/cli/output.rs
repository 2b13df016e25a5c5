//! Standard output and standard error for every command. Every write is flushed and
//! checked: the first write error is kept, nothing more is written, and the command
//! ends with exit 3 ([`super::exit::WRITE`]) naming the stream and the error
//! (`vpcsim describe lab > /dev/full`). A closed pipe (`vpcsim ... | head`) is the
//! reader saying it has seen enough: output stops quietly and the exit code is the
//! command's own.

use std::io::{ErrorKind, Write};
use std::sync::Mutex;

/// The first write error, as the message to show; `Some("")` after a closed pipe.
static FAILURE: Mutex<Option<String>> = Mutex::new(None);

/// Writes `text` to standard output and flushes.
pub fn out(text: &str) {
    out_bytes(text.as_bytes());
}

/// Writes `bytes` to standard output and flushes.
pub fn out_bytes(bytes: &[u8]) {
    if stopped() {
        return;
    }
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        fail("standard output", &e);
    }
}

/// Writes `text` to standard error (unbuffered).
pub fn err(text: &str) {
    if stopped() {
        return;
    }
    if let Err(e) = std::io::stderr().lock().write_all(text.as_bytes()) {
        fail("standard error", &e);
    }
}

/// Writes `text` and a newline to standard error.
pub fn errln(text: &str) {
    err(&format!("{text}\n"));
}

/// Whether output has stopped (a write failed or the pipe closed).
pub fn stopped() -> bool {
    FAILURE.lock().map_or(true, |f| f.is_some())
}

/// The write error that stopped the output, if one did (a closed pipe is none).
pub fn failure() -> Option<String> {
    FAILURE.lock().ok().and_then(|f| f.clone()).filter(|m| !m.is_empty())
}

fn fail(stream: &str, e: &std::io::Error) {
    let message = if e.kind() == ErrorKind::BrokenPipe {
        String::new()
    } else {
        format!("cannot write to {stream}: {e}")
    };
    if let Ok(mut f) = FAILURE.lock() {
        f.get_or_insert(message);
    }
}
