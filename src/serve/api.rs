//! The server's requests and answers, apart from any socket: [`Explorer::handle`] takes
//! a method, a request target and a body and returns a status, a content type and a
//! body. The HTTP loop ([`super::http`]) and the benchmark call it the same way.
//!
//! Routes (docs/web.md documents them): `GET /` and `GET /assets/...` (the page, built
//! in), `GET /api/steps`, `GET /api/world?step=N`, `GET /api/trace?step=N&from=..&to=..
//! &port=..&protocol=..`, `GET /api/reach?step=N&ports=tcp:80,udp:53`, `POST /api/run` and
//! `POST /api/reset`. Every problem is a 4xx
//! with `{"error": "..."}`; nothing a client sends can make the server panic.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::{json, Value};

use super::timeline::Timeline;
use super::{assets, topology};
use crate::addr::Protocol;
use crate::command::{app, aws};
use crate::scenario::subst::{apply, Resolver, Saved, Template};
use crate::scenario::wait::{WaitBudget, WaitLimit};
use crate::scenario::{
    format_duration, parse_duration, Backend, Resolution, StepOutcome, DEFAULT_WAIT_FOR_TIMEOUT,
};
use crate::session::Session;

/// The longest request target (path and query) served, in bytes.
pub const MAX_TARGET: usize = 2048;
/// The largest request body read, in bytes.
pub const MAX_BODY: usize = 16 * 1024;
/// The longest command line `/api/run` takes, in bytes.
pub const MAX_COMMAND: usize = 1024;

/// A request as the handler sees it.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// `GET`, `POST`, ...
    pub method: &'a str,
    /// The path and query, as sent (`/api/trace?from=My-EC2&to=...`).
    pub target: &'a str,
    /// The body (empty for `GET`).
    pub body: &'a [u8],
}

/// An answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: &'static str,
    /// The body.
    pub body: Cow<'static, [u8]>,
}

impl Response {
    fn json(status: u16, v: &Value) -> Response {
        let body = crate::describe::pretty(v).into_bytes();
        Response { status, content_type: "application/json", body: Cow::Owned(body) }
    }
}

/// Why a request was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// A parameter is missing, unknown or invalid (400).
    #[error("{0}")]
    BadRequest(String),
    /// No such path (404).
    #[error("no such path: {0}")]
    NotFound(String),
    /// The path exists, not for this method (405).
    #[error("{path} takes {allowed} only")]
    MethodNotAllowed {
        /// The path.
        path: String,
        /// The method it takes.
        allowed: &'static str,
    },
    /// The body is larger than [`MAX_BODY`] (413).
    #[error("the request body is larger than {MAX_BODY} bytes")]
    BodyTooLarge,
    /// The request target is longer than [`MAX_TARGET`] (414).
    #[error("the request target is longer than {MAX_TARGET} bytes")]
    TargetTooLong,
}

impl ApiError {
    /// The HTTP status that says it.
    pub fn status(&self) -> u16 {
        match self {
            ApiError::BadRequest(_) => 400,
            ApiError::NotFound(_) => 404,
            ApiError::MethodNotAllowed { .. } => 405,
            ApiError::BodyTooLarge => 413,
            ApiError::TargetTooLong => 414,
        }
    }

    /// The error as the answer: `{"error": message}`.
    pub fn response(&self) -> Response {
        Response::json(self.status(), &json!({"error": self.to_string()}))
    }
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::BadRequest(message.into())
}

/// One scenario's timeline, explored through the API.
#[derive(Debug)]
pub struct Explorer {
    timeline: Timeline,
}

impl Explorer {
    /// An explorer over a built timeline.
    pub fn new(timeline: Timeline) -> Explorer {
        Explorer { timeline }
    }

    /// The timeline explored.
    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// Answers one request (never panics on what a client sends).
    pub fn handle(&mut self, req: &Request<'_>) -> Response {
        self.route(req).unwrap_or_else(|e| e.response())
    }

    fn route(&mut self, req: &Request<'_>) -> Result<Response, ApiError> {
        if req.target.len() > MAX_TARGET {
            return Err(ApiError::TargetTooLong);
        }
        if req.body.len() > MAX_BODY {
            return Err(ApiError::BodyTooLarge);
        }
        let (path, query) = req.target.split_once('?').unwrap_or((req.target, ""));
        let method = |allowed: &'static str| {
            if req.method == allowed {
                Ok(())
            } else {
                Err(ApiError::MethodNotAllowed { path: path.to_string(), allowed })
            }
        };
        let params = Params::parse(query)?;
        let value = match path {
            "/api/steps" => method("GET").and_then(|()| params.only(&[])).map(|()| self.steps())?,
            "/api/world" => method("GET").and_then(|()| self.world(&params))?,
            "/api/trace" => method("GET").and_then(|()| self.trace(&params))?,
            "/api/reach" => method("GET").and_then(|()| self.reach(&params))?,
            "/api/run" => method("POST").and_then(|()| self.run(req.body))?,
            "/api/reset" => method("POST").and_then(|()| self.reset(req.body))?,
            _ => {
                let (content_type, body) =
                    assets::lookup(path).ok_or_else(|| ApiError::NotFound(path.to_string()))?;
                method("GET")?;
                return Ok(Response { status: 200, content_type, body: Cow::Borrowed(body) });
            }
        };
        Ok(Response::json(200, &value))
    }

    /// `/api/steps`: `vpcsim run --json`'s report (`{name, file, passed, steps}`), each step
    /// with its `description`, and the scenario's `description`, the `default_step` the page
    /// opens at and the `last` step whose world exists.
    fn steps(&self) -> Value {
        let t = &self.timeline;
        let mut v = serde_json::to_value(&t.report).unwrap_or(Value::Null);
        if let Some(Value::Array(steps)) = v.get_mut("steps") {
            for (step, d) in steps.iter_mut().zip(&t.descriptions) {
                if let Value::Object(m) = step {
                    m.insert("description".into(), json!(d));
                }
            }
        }
        if let Value::Object(m) = &mut v {
            m.insert("description".into(), json!(t.description));
            m.insert("default_step".into(), json!(t.default_step));
            m.insert("last".into(), json!(t.last()));
        }
        v
    }

    fn step(&self, params: &Params) -> Result<usize, ApiError> {
        match params.get("step") {
            None => Ok(self.timeline.default_step),
            Some(s) => {
                let n: usize = s.parse().map_err(|_| bad(format!("step {s:?} is not a number")))?;
                if n > self.timeline.last() {
                    return Err(bad(format!("step {n}: the worlds go from 0 to {}", self.timeline.last())));
                }
                Ok(n)
            }
        }
    }

    fn session(&self, step: usize) -> Result<&Session, ApiError> {
        self.timeline.session(step).ok_or_else(|| bad(format!("no world after step {step}")))
    }

    /// `/api/world?step=N`: `{step, edited, clock, describe: (vpcsim describe's JSON),
    /// topology, sources: [running instances' names], destinations: [instances, load
    /// balancers and endpoints, by name and by DNS name]}`.
    fn world(&self, params: &Params) -> Result<Value, ApiError> {
        params.only(&["step"])?;
        let step = self.step(params)?;
        let session = self.session(step)?;
        let w = &session.world;
        let sources: Vec<&str> = w
            .instances()
            .ids()
            .filter(|i| w[*i].state.as_str() == "running")
            .filter_map(|i| w.name_of(crate::world::Handle::Instance(i)))
            .collect();
        let mut destinations: Vec<String> = sources.iter().map(|s| s.to_string()).collect();
        for lb in w.lbs().values().filter(|l| !l.deleted) {
            destinations.extend([lb.name.clone(), lb.dns_name.clone()]);
        }
        for e in w.endpoints().ids().filter(|e| w[*e].state.as_str() != "deleted") {
            destinations.push(w[e].aws_id.clone());
            destinations.extend(w.endpoint_dns_names(e));
        }
        Ok(json!({
            "step": step,
            "edited": self.timeline.is_edited(step),
            "clock": w.wall_clock().to_string(),
            "describe": crate::describe::everything(w),
            "topology": topology::topology(w),
            "sources": sources,
            "destinations": destinations,
        }))
    }

    /// `/api/trace?step=N&from=SOURCE&to=HOST&port=P&protocol=tcp|udp|icmp`: `{flow,
    /// analysis: (vpcsim trace --json's document), hops: {forward, return}, drawn,
    /// explanation: {code, message, paragraph} | null}`.
    fn trace(&self, params: &Params) -> Result<Value, ApiError> {
        params.only(&["step", "from", "to", "port", "protocol"])?;
        let step = self.step(params)?;
        let session = self.session(step)?;
        let from = params.get("from").ok_or_else(|| bad("give from= (an instance, or internet)"))?;
        let to = params.get("to").ok_or_else(|| {
            bad("give to= (an instance, a load balancer, an endpoint, a name or an address)")
        })?;
        let port = match params.get("port") {
            None | Some("") => None,
            Some(p) => match p.parse::<u16>() {
                Ok(n) if n > 0 && p.bytes().all(|b| b.is_ascii_digit()) => Some(n),
                _ => return Err(bad(format!("port {p:?} is not a port (from 1 to 65535)"))),
            },
        };
        let protocol = match params.get("protocol").unwrap_or("tcp") {
            "tcp" => Protocol::Tcp,
            "udp" => Protocol::Udp,
            "icmp" => Protocol::Icmp,
            other => return Err(bad(format!("protocol {other:?}: use tcp, udp or icmp"))),
        };
        let source = session.source(from).map_err(bad)?;
        let traced = session.trace_flow(source, to, port, protocol).map_err(bad)?;
        let (w, t) = (&session.world, &traced.trace);
        let explanation = t.explanation.as_ref().map(|x| {
            json!({
                "code": x.code.as_str(),
                "message": x.to_string(),
                "paragraph": crate::trace::explain::explain(x.code.as_str()),
            })
        });
        Ok(json!({
            "step": step,
            "flow": {"from": from, "to": to, "address": traced.addr.to_string(),
                     "protocol": t.flow.protocol, "port": t.flow.dst_port, "reachable": t.reachable()},
            "analysis": crate::trace::analysis(w, t),
            "hops": {"forward": topology::hops(&t.forward), "return": topology::hops(&t.ret)},
            "drawn": topology::drawn(w, t),
            "explanation": explanation,
        }))
    }

    /// `/api/reach?step=N&ports=tcp:80,udp:53,icmp`: `vpcsim reach --json`'s matrix of the
    /// world after `step` (every source against every destination, identical rows and columns
    /// merged into classes), for the ports given (`vpcsim reach`'s default set when absent),
    /// with the `step`.
    fn reach(&self, params: &Params) -> Result<Value, ApiError> {
        params.only(&["step", "ports"])?;
        let step = self.step(params)?;
        let w = &self.session(step)?.world;
        let probes = match params.get("ports") {
            None | Some("") => crate::analyzer::DEFAULT_PROBES.to_vec(),
            Some(list) => {
                let mut probes: Vec<crate::analyzer::Probe> = Vec::new();
                for p in list.split(',') {
                    let probe = p.trim().parse().map_err(|e| bad(format!("ports: {e}")))?;
                    if !probes.contains(&probe) {
                        probes.push(probe);
                    }
                }
                probes
            }
        };
        let sources = crate::analyzer::select::sources(w, &[]);
        let targets = crate::analyzer::select::targets(w, &[]);
        let m = crate::analyzer::Matrix::compute(w, sources, targets, probes);
        let mut v = crate::analyzer::json::matrix(w, &m);
        if let Value::Object(o) = &mut v {
            o.insert("step".into(), json!(step));
        }
        Ok(v)
    }

    /// `POST /api/run` with `{step, on, command}`: a command (`dig`, `curl`, `ping`, `nc`
    /// on the instance `on`, `aws ...`, `wait DURATION` or `wait-for RESOURCE STATE`) on
    /// the world after `step`, which it may change; `vpcsim run --json`'s outcome
    /// (`{exit_code, stdout, stderr, trace, answers}`).
    fn run(&mut self, body: &[u8]) -> Result<Value, ApiError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Run {
            step: Option<usize>,
            on: Option<String>,
            command: String,
        }
        let r: Run = serde_json::from_slice(body)
            .map_err(|e| bad(format!("the body is not {{step, on, command}}: {e}")))?;
        if r.command.len() > MAX_COMMAND {
            return Err(bad(format!("the command is longer than {MAX_COMMAND} bytes")));
        }
        let step = self.step_of(r.step)?;
        let line = r.command.trim();
        if line.is_empty() {
            return Err(bad("the command is empty"));
        }
        let (session, budget) =
            self.timeline.edit(step).ok_or_else(|| bad(format!("no world after step {step}")))?;
        let line = substitute(session, line).map_err(bad)?;
        let words: Vec<&str> = line.split_whitespace().collect();
        let program = words.first().copied().unwrap_or("");
        let outcome = if program == "wait" || program == "wait-for" {
            wait(session, budget, &words)
        } else if program == "aws" {
            match aws::parse_line(&line) {
                Ok(call) => session.run_aws(&call),
                Err(e) => StepOutcome::failed(2, format!("{e}\n")),
            }
        } else if !["dig", "curl", "ping", "nc"].contains(&program) {
            return Err(bad(format!(
                "`{program}` is not a command of the console: it runs dig, curl, ping and nc (with on), aws, wait and wait-for"
            )));
        } else {
            let on = r.on.as_deref().ok_or_else(|| bad(format!("{program} runs on an instance: give on")))?;
            session.instance(on).map_err(bad)?;
            match app::parse_line(&line) {
                Ok(cmd) => session.run_app(on, &cmd),
                Err(e) => StepOutcome::failed(e.exit_code, format!("{}\n", e.message)),
            }
        };
        let mut v = serde_json::to_value(&outcome).unwrap_or(Value::Null);
        if let Value::Object(m) = &mut v {
            m.insert("command".into(), json!(line));
            let x = outcome.trace.as_ref().and_then(|t| t.explanation.as_ref());
            m.insert("explanation".into(), json!(x.map(|x| x.to_string())));
        }
        Ok(v)
    }

    /// `POST /api/reset` with `{step}`: drops what the console changed in that step's world.
    fn reset(&mut self, body: &[u8]) -> Result<Value, ApiError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Reset {
            step: Option<usize>,
        }
        let r: Reset =
            serde_json::from_slice(body).map_err(|e| bad(format!("the body is not {{step}}: {e}")))?;
        let step = self.step_of(r.step)?;
        Ok(json!({"step": step, "reset": self.timeline.reset(step)}))
    }

    fn step_of(&self, step: Option<usize>) -> Result<usize, ApiError> {
        match step {
            None => Ok(self.timeline.default_step),
            Some(n) if n <= self.timeline.last() => Ok(n),
            Some(n) => Err(bad(format!("step {n}: the worlds go from 0 to {}", self.timeline.last()))),
        }
    }
}

/// `wait DURATION` (advance the clock) or `wait-for RESOURCE STATE` (advance it until the
/// resource is in that state, 15 minutes at most), bounded like the shell's: exit 2 for a
/// wait beyond [`crate::scenario::MAX_WAIT`] or past the world's
/// [`crate::scenario::MAX_TOTAL_WAIT`], which use nothing.
fn wait(session: &mut Session, budget: &mut WaitBudget, words: &[&str]) -> StepOutcome {
    let refused = |e: WaitLimit| StepOutcome::failed(2, format!("{e}; {}\n", e.hint()));
    match words {
        ["wait", text] => {
            let Some(d) = parse_duration(text) else {
                return StepOutcome::failed(
                    2,
                    format!("wait: {text:?} is not a duration, like 30s, 2m or 1h\n"),
                );
            };
            if let Err(e) = budget.charge("wait", text, d) {
                return refused(e);
            }
            session.advance(d);
            StepOutcome::ok(format!("the clock is now {}\n", session.world.wall_clock()))
        }
        ["wait-for", resource, state] => {
            let timeout = DEFAULT_WAIT_FOR_TIMEOUT;
            if let Err(e) = budget.charge("timeout", &format_duration(timeout), timeout) {
                return refused(e);
            }
            crate::scenario::wait::wait_for(session, resource, state, timeout)
        }
        ["wait", ..] => StepOutcome::failed(2, "wait: give one duration, like 30s, 2m or 1h\n"),
        _ => StepOutcome::failed(
            2,
            "wait-for: give a resource and a state, like: wait-for Custom-NLB-TG healthy\n",
        ),
    }
}

/// `${X}` and `${X.Attr}` in a console line, as in scenario files (no saved outputs).
fn substitute(session: &Session, line: &str) -> Result<String, String> {
    if !line.contains("${") {
        return Ok(line.to_string());
    }
    struct SessionResolver<'a>(&'a Session);
    impl Resolver for SessionResolver<'_> {
        fn resolve(&self, name: &str) -> Resolution {
            Backend::resolve(self.0, name)
        }
        fn get_att(&self, name: &str, attr: &str) -> Result<String, String> {
            Backend::get_att(self.0, name, attr)
        }
    }
    let template = Template::parse(line).map_err(|e| e.to_string())?;
    apply(&template, &Saved::new(), &SessionResolver(session))
}

/// A query's parameters, each given at most once.
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(query: &str) -> Result<Params, ApiError> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            if pairs.iter().any(|(seen, _)| *seen == k) {
                return Err(bad(format!("{k} is given twice")));
            }
            if v.is_empty() {
                return Err(bad(format!("{k} is empty: give a value or leave {k} out")));
            }
            pairs.push((k.into_owned(), v.into_owned()));
        }
        Ok(Params(pairs))
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Refuses a parameter the route does not take (one accepted and ignored would mislead).
    fn only(&self, known: &[&str]) -> Result<(), ApiError> {
        match self.0.iter().find(|(k, _)| !known.contains(&k.as_str())) {
            Some((k, _)) if known.is_empty() => {
                Err(bad(format!("unknown parameter {k}; this path takes none")))
            }
            Some((k, _)) => Err(bad(format!("unknown parameter {k}; this path takes {}", known.join(", ")))),
            None => Ok(()),
        }
    }
}
