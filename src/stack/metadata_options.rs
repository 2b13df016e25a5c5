//! M1: an instance's, launch template's or launch configuration's `MetadataOptions`:
//! `HttpEndpoint` and `HttpTokens` are modelled (a disabled endpoint answers 403, required
//! tokens make a request without one 401); the other keys change no answer vpcsim gives
//! and are warned about (see [`super::nested`]).

use crate::cfn::SinkError;
use crate::model::metadata_options::{Endpoint, MetadataOptions, Tokens};
use crate::yaml::Node;

use super::props::{bad, item};

/// The options at `path` (`MetadataOptions`, `LaunchTemplateData.MetadataOptions`) of
/// `node`, AWS's defaults for the keys not given.
pub(super) fn read(node: Option<&Node>, path: &str) -> Result<MetadataOptions, SinkError> {
    let mut options = MetadataOptions::default();
    let Some(node) = node else { return Ok(options) };
    let p = item(node, path);
    if let Some(text) = p.opt_str("HttpEndpoint")? {
        options.endpoint = Endpoint::parse(&text).ok_or_else(|| {
            bad(&p.path("HttpEndpoint"), format!("HttpEndpoint must be enabled or disabled, not {text:?}"))
        })?;
    }
    if let Some(text) = p.opt_str("HttpTokens")? {
        options.tokens = Tokens::parse(&text).ok_or_else(|| {
            bad(&p.path("HttpTokens"), format!("HttpTokens must be optional or required, not {text:?}"))
        })?;
    }
    Ok(options)
}
