//! An instance's metadata options (M1): whether its instance metadata service answers at
//! all (`HttpEndpoint`) and whether it requires an IMDSv2 session token (`HttpTokens`), and
//! what the service answers one HTTP request under them: the value, or the error page of
//! the real service (400 for a token request without a valid TTL, 401 for a missing or
//! wrong token when tokens are required, 403 when the endpoint is disabled, 404 for a path
//! it does not have, 405 for a method it does not take).

/// `HttpEndpoint`: whether the metadata service answers the instance.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Endpoint {
    /// It answers (AWS's default).
    #[default]
    Enabled,
    /// Every request gets 403 Forbidden.
    Disabled,
}

/// `HttpTokens`: whether a request needs an IMDSv2 session token.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tokens {
    /// With or without a token (IMDSv1 and IMDSv2; AWS's default).
    #[default]
    Optional,
    /// Only with a token (IMDSv2): a request without one gets 401 Unauthorized.
    Required,
}

/// An instance's `MetadataOptions`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MetadataOptions {
    /// `HttpEndpoint`.
    pub endpoint: Endpoint,
    /// `HttpTokens`.
    pub tokens: Tokens,
}

impl Endpoint {
    /// Reads `enabled` or `disabled`.
    pub fn parse(text: &str) -> Option<Endpoint> {
        match text {
            "enabled" => Some(Endpoint::Enabled),
            "disabled" => Some(Endpoint::Disabled),
            _ => None,
        }
    }

    /// As the API writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Endpoint::Enabled => "enabled",
            Endpoint::Disabled => "disabled",
        }
    }
}

impl Tokens {
    /// Reads `optional` or `required`.
    pub fn parse(text: &str) -> Option<Tokens> {
        match text {
            "optional" => Some(Tokens::Optional),
            "required" => Some(Tokens::Required),
            _ => None,
        }
    }

    /// As the API writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Tokens::Optional => "optional",
            Tokens::Required => "required",
        }
    }
}

/// Some of the options, as a call or a launch template gives them; the others stay.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MetadataChange {
    /// `HttpEndpoint`, when given.
    pub endpoint: Option<Endpoint>,
    /// `HttpTokens`, when given.
    pub tokens: Option<Tokens>,
}

impl MetadataOptions {
    /// These options with the ones `change` gives.
    pub fn with(self, change: MetadataChange) -> MetadataOptions {
        MetadataOptions {
            endpoint: change.endpoint.unwrap_or(self.endpoint),
            tokens: change.tokens.unwrap_or(self.tokens),
        }
    }
}

/// The session token `PUT /latest/api/token` returns. vpcsim issues the same one to every
/// instance and never expires it (its clock does not reach a token's TTL in a lesson).
pub const TOKEN: &str = "AQAEAHZwY3NpbS10b2tlbg==";

/// The header that carries a session token.
pub const TOKEN_HEADER: &str = "X-aws-ec2-metadata-token";

/// The header a token request gives the token's lifetime in, in seconds (1 to 21600).
pub const TTL_HEADER: &str = "X-aws-ec2-metadata-token-ttl-seconds";

/// One HTTP request to the metadata service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MetadataRequest<'a> {
    /// `GET`, `PUT`, ...
    pub method: &'a str,
    /// The path (`/latest/meta-data/local-ipv4`).
    pub path: &'a str,
    /// The `X-aws-ec2-metadata-token` header's value.
    pub token: Option<&'a str>,
    /// The `X-aws-ec2-metadata-token-ttl-seconds` header's value.
    pub ttl: Option<&'a str>,
}

impl<'a> MetadataRequest<'a> {
    /// A GET without headers (IMDSv1).
    pub fn get(path: &'a str) -> MetadataRequest<'a> {
        MetadataRequest { method: "GET", path, token: None, ttl: None }
    }

    /// A GET with a valid session token (IMDSv2), as AWS's own agents send it.
    pub fn get_with_token(path: &'a str) -> MetadataRequest<'a> {
        MetadataRequest { token: Some(TOKEN), ..MetadataRequest::get(path) }
    }

    /// A request with the headers as a tool writes them (`Name: value`, names in any case).
    pub fn with_headers(
        method: &'a str,
        path: &'a str,
        headers: &'a [impl AsRef<str>],
    ) -> MetadataRequest<'a> {
        let header = |name: &str| {
            headers.iter().find_map(|h| {
                let (n, v) = h.as_ref().split_once(':')?;
                n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
            })
        };
        MetadataRequest { method, path, token: header(TOKEN_HEADER), ttl: header(TTL_HEADER) }
    }
}

/// What the service answers: a status and a body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetadataReply {
    /// 200, or the error's status.
    pub status: u16,
    /// The value, or the service's error page.
    pub body: String,
}

impl MetadataReply {
    fn ok(body: String) -> MetadataReply {
        MetadataReply { status: 200, body }
    }

    fn error(status: u16) -> MetadataReply {
        MetadataReply { status, body: error_page(status) }
    }

    /// The value when the request succeeded (what PHP's `file_get_contents` returns; it
    /// returns false, printed as nothing, on an error status).
    pub fn value(self) -> Option<String> {
        (self.status == 200).then_some(self.body)
    }
}

/// M1: what the metadata service answers `request` under `options`; `value` is the
/// instance's value at a path (None: the service has no such path).
pub fn answer(
    options: MetadataOptions,
    request: &MetadataRequest<'_>,
    value: impl FnOnce(&str) -> Option<String>,
) -> MetadataReply {
    if options.endpoint == Endpoint::Disabled {
        return MetadataReply::error(403);
    }
    if request.path.trim_start_matches('/') == "latest/api/token" {
        return issue_token(request);
    }
    if !matches!(request.method, "GET" | "HEAD") {
        return MetadataReply::error(405);
    }
    match (request.token, options.tokens) {
        (Some(t), _) if t != TOKEN => return MetadataReply::error(401),
        (None, Tokens::Required) => return MetadataReply::error(401),
        _ => {}
    }
    value(request.path).map_or_else(|| MetadataReply::error(404), MetadataReply::ok)
}

/// `PUT /latest/api/token` with a TTL of 1 to 21600 seconds: a session token.
fn issue_token(request: &MetadataRequest<'_>) -> MetadataReply {
    if request.method != "PUT" {
        return MetadataReply::error(405);
    }
    let ttl = request.ttl.and_then(|t| t.parse::<u32>().ok()).filter(|t| (1..=21_600).contains(t));
    match ttl {
        Some(_) => MetadataReply::ok(TOKEN.to_string()),
        None => MetadataReply::error(400),
    }
}

/// The reason phrase of an error status.
fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        405 => "Method Not Allowed",
        _ => "Not Found",
    }
}

/// The error page the metadata service sends (XHTML, no final newline).
fn error_page(status: u16) -> String {
    let title = format!("{status} - {}", reason(status));
    format!(
        "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n\t\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" lang=\"en\">\n  <head>\n    <title>{title}</title>\n  </head>\n  <body>\n    <h1>{title}</h1>\n  </body>\n</html>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(path: &str) -> Option<String> {
        (path == "/latest/meta-data/local-ipv4").then(|| "10.0.1.5".to_string())
    }

    const REQUIRED: MetadataOptions =
        MetadataOptions { endpoint: Endpoint::Enabled, tokens: Tokens::Required };

    #[test]
    fn m1_without_a_token_the_service_answers_when_tokens_are_optional_and_401_when_required() {
        let get = MetadataRequest::get("/latest/meta-data/local-ipv4");
        assert_eq!(answer(MetadataOptions::default(), &get, value).value(), Some("10.0.1.5".into()));
        let refused = answer(REQUIRED, &get, value);
        assert_eq!(refused.status, 401);
        assert!(refused.body.contains("<title>401 - Unauthorized</title>"), "{}", refused.body);
    }

    #[test]
    fn m1_a_token_from_put_api_token_opens_the_service_and_a_wrong_one_is_401() {
        let headers = [format!("{TTL_HEADER}: 21600")];
        let put = MetadataRequest::with_headers("PUT", "/latest/api/token", &headers);
        let token = answer(REQUIRED, &put, value).value().unwrap();
        let with = [format!("x-aws-ec2-metadata-token: {token}")];
        let get = MetadataRequest::with_headers("GET", "/latest/meta-data/local-ipv4", &with);
        assert_eq!(answer(REQUIRED, &get, value).value(), Some("10.0.1.5".into()));
        let wrong = MetadataRequest { token: Some("nope"), ..get };
        assert_eq!(answer(MetadataOptions::default(), &wrong, value).status, 401);
    }

    #[test]
    fn m1_a_token_request_needs_put_and_a_ttl_of_1_to_21600_seconds() {
        let none: [&str; 0] = [];
        assert_eq!(
            answer(REQUIRED, &MetadataRequest::with_headers("PUT", "/latest/api/token", &none), value).status,
            400
        );
        let long = [format!("{TTL_HEADER}: 21601")];
        assert_eq!(
            answer(REQUIRED, &MetadataRequest::with_headers("PUT", "/latest/api/token", &long), value).status,
            400
        );
        assert_eq!(answer(REQUIRED, &MetadataRequest::get("/latest/api/token"), value).status, 405);
    }

    #[test]
    fn m1_a_disabled_endpoint_answers_403_to_everything() {
        let off = MetadataOptions { endpoint: Endpoint::Disabled, tokens: Tokens::Optional };
        let reply = answer(off, &MetadataRequest::get_with_token("/latest/meta-data/local-ipv4"), value);
        assert_eq!(reply.status, 403);
        assert!(reply.body.contains("403 - Forbidden"));
    }

    #[test]
    fn m1_a_path_the_service_does_not_have_is_404() {
        assert_eq!(answer(REQUIRED, &MetadataRequest::get_with_token("/latest/nothing"), value).status, 404);
    }
}
