//! Typed errors: [`ApiError`] for control-plane calls (the AWS error code and a message
//! a learner understands), [`Location`] and [`FileError`] for problems in files people wrote.

use std::fmt;

use serde::Serialize;

/// An AWS API error, as the AWS CLI prints it: `An error occurred (Code) when calling the Op operation: message`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("An error occurred ({code}) when calling the {operation} operation: {message}")]
pub struct ApiError {
    /// The AWS error code, for example `InvalidVpcEndpointService.NotFound`.
    pub code: String,
    /// The API operation, for example `CreateVpcEndpoint`.
    pub operation: String,
    /// What went wrong and, where it helps, what to do.
    pub message: String,
}

impl ApiError {
    /// A new error for `operation` with AWS code `code`.
    pub fn new(operation: &str, code: &str, message: impl Into<String>) -> ApiError {
        ApiError { code: code.to_string(), operation: operation.to_string(), message: message.into() }
    }
}

/// A position in a file people wrote: 1-based line and column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Location {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// One problem in a file: where it is, which resource or step, what is wrong and what to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileProblem {
    /// The file's path as the user gave it.
    pub file: String,
    /// Where in the file.
    pub location: Location,
    /// The logical id, parameter or step the problem belongs to (`Resources.MyVPC`, `steps[3]`).
    pub context: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What would fix it.
    pub hint: Option<String>,
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.file, self.location)?;
        if let Some(c) = &self.context {
            write!(f, "{c}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\n  help: {h}")?;
        }
        Ok(())
    }
}

/// One or more problems found in input files; independent problems are reported together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct FileError {
    /// The problems, in file order.
    pub problems: Vec<FileProblem>,
}

impl FileError {
    /// An error holding one problem.
    pub fn one(problem: FileProblem) -> FileError {
        FileError { problems: vec![problem] }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {p}")?;
        }
        Ok(())
    }
}
