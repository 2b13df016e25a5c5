//! `aws s3 ls` and `aws s3 cp s3://BUCKET/KEY - | gunzip` (F1): read the log files flow
//! logs delivered, printed as text as the AWS CLI prints them (no JSON, no `--query`).

use crate::command::aws::s3::S3Request;
use crate::command::aws::SERVICE_EXIT;
use crate::describe::s3::{self as j, Listing};
use crate::scenario::StepOutcome;
use crate::world::World;

/// Runs one `aws s3` command. `ls` of a prefix that matches nothing exits 1, as the CLI
/// does; a missing object is the CLI's `fatal error` (exit 1).
pub fn run(w: &World, request: &S3Request) -> StepOutcome {
    match request {
        S3Request::Ls { path: None, bucket_name_prefix, .. } => {
            StepOutcome::ok(j::list_buckets(w, bucket_name_prefix.as_deref()))
        }
        S3Request::Ls { path: Some(path), recursive, human_readable, summarize, .. } => {
            let how =
                Listing { recursive: *recursive, human_readable: *human_readable, summarize: *summarize };
            match j::list(w, path, how) {
                Ok((stdout, found)) => {
                    let exit_code = if found || path.key.is_empty() { 0 } else { 1 };
                    StepOutcome { exit_code, stdout, ..StepOutcome::default() }
                }
                Err(e) => StepOutcome {
                    exit_code: SERVICE_EXIT,
                    stderr: format!("\n{e}\n"),
                    ..StepOutcome::default()
                },
            }
        }
        S3Request::Cp { path } => match j::get(w, path) {
            Ok(text) => StepOutcome::ok(text),
            Err(e) => {
                StepOutcome { exit_code: 1, stderr: format!("fatal error: {e}\n"), ..StepOutcome::default() }
            }
        },
    }
}
