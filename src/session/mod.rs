//! A session: a world, the stacks created in it and where its files live. It is the
//! [`Backend`] that scenario files run against: names resolve the way the scenario
//! contract says (logical id, Name tag, own name, AWS id), tools run on instances and
//! `aws` calls become control-plane calls with the AWS CLI's JSON.

mod awscli;
mod hosts;
mod json;

pub use hosts::{Source, Traced, SOURCE_PORT};

pub(crate) use awscli::run_in_world;

use std::path::Path;
use std::time::Duration;

use indexmap::IndexMap;

use crate::apps::{AppOutput, Client};
use crate::cfn::{AttrValue, Stack};
use crate::command::app::{AppCommand, Host};
use crate::command::aws::AwsCall;
use crate::error::{FileError, FileProblem};
use crate::ids::InstanceId;
use crate::scenario::{Resolution, Scenario, StepOutcome, TemplateSource};
use crate::stack::Body;
use crate::world::{Handle, World};

/// A world with its stacks.
#[derive(Clone, Debug)]
pub struct Session {
    /// The simulated region.
    pub world: World,
    /// Stacks by name, in creation order.
    pub stacks: IndexMap<String, Stack>,
    /// Stacks whose deletion failed, with the reason (DELETE_FAILED).
    pub delete_failed: IndexMap<String, String>,
    /// Every stack's events and status over time, rolled-back stacks included.
    pub stack_log: crate::stack::events::StackLog,
    /// Template files built into the binary (name, text), looked up before the disk.
    pub embedded: Vec<(&'static str, &'static str)>,
    /// What stack creation passed over (resource types outside networking), to show the user.
    pub warnings: Vec<FileProblem>,
    /// A8: whether an `aws` call has already said that IPv6 state is kept but no IPv6
    /// flow is simulated (once a session).
    pub ipv6_warned: bool,
    /// Where `file://` arguments of `aws` calls are read from: the scenario's folder
    /// (none: the current folder, as the AWS CLI reads them).
    pub files_dir: Option<std::path::PathBuf>,
}

impl Session {
    /// A session for a scenario: its region and seed (7 when absent).
    pub fn for_scenario(scenario: &Scenario) -> Result<Session, FileError> {
        let world = World::in_region(&scenario.region, scenario.seed.unwrap_or(7)).ok_or_else(|| {
            FileError::one(FileProblem {
                file: scenario.file.clone(),
                location: crate::error::Location { line: 1, column: 1 },
                context: Some("region".into()),
                message: format!("unknown region {:?}", scenario.region),
                hint: Some(format!("use one of: {}", crate::region::Region::known_names().join(", "))),
            })
        })?;
        let mut session = Session::new(world);
        session.files_dir = std::path::Path::new(&scenario.file).parent().map(std::path::Path::to_path_buf);
        Ok(session)
    }

    /// A session on a world built elsewhere (through the API), with no stacks yet.
    pub fn new(world: World) -> Session {
        Session {
            world,
            stacks: IndexMap::new(),
            delete_failed: IndexMap::new(),
            stack_log: crate::stack::events::StackLog::new(),
            embedded: Vec::new(),
            warnings: Vec::new(),
            ipv6_warned: false,
            files_dir: None,
        }
    }

    fn exports(&self) -> IndexMap<String, String> {
        self.stacks.values().flat_map(|s| s.exports.clone()).collect()
    }

    /// The instance name (Name tag or logical id) closest to `name`, for "did you mean": only
    /// instances, so that a misspelt `on:` is never pointed at a security group.
    fn closest_instance(&self, name: &str) -> Option<String> {
        let w = &self.world;
        let mut names: Vec<&str> =
            w.instances().ids().filter_map(|i| w.name_of(Handle::Instance(i))).collect();
        for stack in self.stacks.values() {
            names.extend(
                stack
                    .resources
                    .iter()
                    .filter(|(_, (_, c))| matches!(w.find(&c.physical_id), Some(Handle::Instance(_))))
                    .map(|(logical, _)| logical.as_str()),
            );
        }
        crate::command::closest(name, names).map(str::to_string)
    }

    /// The live instance a step's `on:` names.
    pub fn instance(&self, name: &str) -> Result<InstanceId, String> {
        match self.resolve_name(name) {
            Resolution::Found { ref_value, .. } => match self.world.find(&ref_value) {
                Some(Handle::Instance(i)) => Ok(i),
                _ => Err(format!("{name} is not an instance")),
            },
            Resolution::NotFound { .. } => Err(match self.closest_instance(name) {
                Some(s) => format!("no instance named {name} (did you mean {s}?)"),
                None => format!("no instance named {name}"),
            }),
            Resolution::Ambiguous(c) => Err(format!("{name} is ambiguous: {}", c.join(", "))),
        }
    }

    /// Where a step's `on:` runs: `internet` (a client at [`crate::forward::INTERNET_CLIENT`]),
    /// `internet ADDRESS` (a client at that public address), an interface's `eni-` id, or an instance.
    pub fn client(&self, on: &str) -> Result<Client, String> {
        let mut words = on.split_whitespace();
        if words.next() == Some("internet") {
            return match (words.next(), words.next()) {
                (None, _) => Ok(Client::Internet(crate::forward::INTERNET_CLIENT)),
                (Some(a), None) => internet_client(a).map(Client::Internet),
                _ => Err(format!("`{on}`: give one address after internet, as in `internet 198.51.100.7`")),
            };
        }
        if let Some(Handle::Eni(e)) = self.world.find(on) {
            return Ok(Client::Interface(e));
        }
        let i = self.instance(on)?;
        let state = self.world[i].state;
        if state != crate::model::instance::InstanceState::Running {
            return Err(format!("{on} is {}: commands run on running instances", state.as_str()));
        }
        Ok(Client::Instance(i))
    }

    /// Find a resource: logical id, then Name tag, then own name, then AWS id (the scenario contract's order).
    pub fn resolve_name(&self, name: &str) -> Resolution {
        let mut found: Vec<(String, String)> = Vec::new();
        for stack in self.stacks.values() {
            if let Some((ty, c)) = stack.resources.get(name) {
                found.push((c.physical_id.clone(), ty.clone()));
            }
        }
        if found.is_empty() {
            found = self.by_tag_or_name(name);
        }
        if found.is_empty() {
            if let Some(h) = self.world.find(name) {
                found.push((name.to_string(), type_of(h).to_string()));
            }
        }
        found.dedup();
        match found.len() {
            0 => Resolution::NotFound { suggestion: self.suggest(name) },
            1 => {
                let (ref_value, kind) = found.remove(0);
                Resolution::Found { ref_value, kind }
            }
            _ => Resolution::Ambiguous(found.into_iter().map(|(r, _)| r).collect()),
        }
    }

    fn by_tag_or_name(&self, name: &str) -> Vec<(String, String)> {
        let w = &self.world;
        let mut out = Vec::new();
        let handles = self.all_handles();
        for h in &handles {
            if w.name_of(*h) == Some(name) && !matches!(h, Handle::Eni(_)) {
                out.push((w.aws_id(*h).to_string(), type_of(*h).to_string()));
            }
        }
        out
    }

    fn all_handles(&self) -> Vec<Handle> {
        let w = &self.world;
        let mut v = Vec::new();
        v.extend(w.vpcs().live().map(|(i, _)| Handle::Vpc(i)));
        v.extend(w.subnets().live().map(|(i, _)| Handle::Subnet(i)));
        v.extend(w.route_tables().ids().map(Handle::RouteTable));
        v.extend(w.igws().ids().map(Handle::Igw));
        v.extend(w.sgs().live().map(|(i, _)| Handle::Sg(i)));
        v.extend(w.instances().ids().map(Handle::Instance));
        v.extend(w.lbs().live().map(|(i, _)| Handle::Lb(i)));
        v.extend(w.target_groups().live().map(|(i, _)| Handle::TargetGroup(i)));
        v.extend(w.services().ids().map(Handle::Service));
        v.extend(w.endpoints().ids().map(Handle::Endpoint));
        v.extend(w.nat_gateways().live().map(|(i, _)| Handle::NatGateway(i)));
        v
    }

    fn suggest(&self, name: &str) -> Option<String> {
        let mut names: Vec<String> = self.stacks.values().flat_map(|s| s.resources.keys().cloned()).collect();
        names.extend(self.all_handles().iter().filter_map(|h| self.world.name_of(*h).map(str::to_string)));
        crate::command::closest(name, names.iter().map(String::as_str)).map(str::to_string)
    }

    fn app_outcome(out: AppOutput) -> StepOutcome {
        StepOutcome {
            exit_code: out.exit_code,
            stdout: out.stdout,
            stderr: out.stderr,
            trace: out.trace,
            answers: out.answers,
            json: None,
        }
    }
}

/// The address of a client on the internet: an IPv4 address outside the private, shared,
/// loopback, link-local and multicast ranges.
fn internet_client(text: &str) -> Result<std::net::Ipv4Addr, String> {
    let ip: std::net::Ipv4Addr =
        text.parse().map_err(|_| format!("`internet {text}`: {text} is not an IPv4 address"))?;
    let shared = crate::addr::Cidr::new(std::net::Ipv4Addr::new(100, 64, 0, 0), 10);
    let special = ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_unspecified()
        || shared.contains(ip);
    if special {
        return Err(format!(
            "`internet {text}`: {text} is not a public address; a client on the internet needs one"
        ));
    }
    Ok(ip)
}

/// The CloudFormation type of a handle, as resolution reports it.
fn type_of(h: Handle) -> &'static str {
    match h {
        Handle::Vpc(_) => "AWS::EC2::VPC",
        Handle::Subnet(_) => "AWS::EC2::Subnet",
        Handle::RouteTable(_) => "AWS::EC2::RouteTable",
        Handle::Igw(_) => "AWS::EC2::InternetGateway",
        Handle::Eigw(_) => "AWS::EC2::EgressOnlyInternetGateway",
        Handle::Sg(_) => "AWS::EC2::SecurityGroup",
        Handle::Nacl(_) => "AWS::EC2::NetworkAcl",
        Handle::Eni(_) => "AWS::EC2::NetworkInterface",
        Handle::Instance(_) => "AWS::EC2::Instance",
        Handle::Eip(_) => "AWS::EC2::EIP",
        Handle::Lb(_) => "AWS::ElasticLoadBalancingV2::LoadBalancer",
        Handle::Listener(_) => "AWS::ElasticLoadBalancingV2::Listener",
        Handle::TargetGroup(_) => "AWS::ElasticLoadBalancingV2::TargetGroup",
        Handle::Service(_) => "AWS::EC2::VPCEndpointService",
        Handle::Endpoint(_) => "AWS::EC2::VPCEndpoint",
        Handle::NatGateway(_) => "AWS::EC2::NatGateway",
        Handle::Peering(_) => "AWS::EC2::VPCPeeringConnection",
        Handle::PrefixList(_) => "AWS::EC2::PrefixList",
        Handle::GatewayEndpoint(_) => "AWS::EC2::VPCEndpoint",
        Handle::LaunchTemplate(_) => "AWS::EC2::LaunchTemplate",
        Handle::AutoScalingGroup(_) => "AWS::AutoScaling::AutoScalingGroup",
        Handle::InsightsPath(_) => "AWS::EC2::NetworkInsightsPath",
        Handle::InsightsAnalysis(_) => "AWS::EC2::NetworkInsightsAnalysis",
        Handle::AccessScope(_) => "AWS::EC2::NetworkInsightsAccessScope",
        Handle::AccessScopeAnalysis(_) => "AWS::EC2::NetworkInsightsAccessScopeAnalysis",
        Handle::HostedZone(_) => "AWS::Route53::HostedZone",
        Handle::DhcpOptions(_) => "AWS::EC2::DHCPOptions",
        Handle::ConnectionNotification(_) => "AWS::EC2::VPCEndpointConnectionNotification",
        Handle::FlowLog(_) => "AWS::EC2::FlowLog",
        Handle::LogGroup(_) => "AWS::Logs::LogGroup",
    }
}

fn host_text(h: &Host) -> String {
    match h {
        Host::Ip(ip) => ip.to_string(),
        Host::Name(n) => n.clone(),
    }
}

impl crate::scenario::Backend for Session {
    fn create_stacks(&mut self, scenario: &Scenario) -> Result<(), FileError> {
        for spec in &scenario.stacks {
            let exports = self.exports();
            let text = match &spec.template {
                TemplateSource::File(path) => {
                    Some(match self.embedded.iter().find(|(n, _)| Path::new(n) == path) {
                        Some((_, text)) => text.to_string(),
                        None => read_template(scenario, spec, path)?,
                    })
                }
                TemplateSource::Inline(_) => None,
            };
            let (file, body) = match &spec.template {
                TemplateSource::Inline(node) => (scenario.file.clone(), Body::Node(node)),
                TemplateSource::File(path) => {
                    (path.display().to_string(), Body::Text(text.as_deref().unwrap_or_default()))
                }
            };
            let (result, events) = crate::stack::create_stack_recorded(
                &mut self.world,
                &spec.name,
                (&file, body),
                &spec.parameters,
                &exports,
            );
            self.stack_log.append(events);
            let stack = result?;
            self.warnings.extend(stack.warnings.iter().cloned());
            self.stacks.insert(spec.name.clone(), stack);
        }
        Ok(())
    }

    fn resolve(&self, name: &str) -> Resolution {
        self.resolve_name(name)
    }

    fn get_att(&self, name: &str, attr: &str) -> Result<String, String> {
        for stack in self.stacks.values() {
            if let Some((_, c)) = stack.resources.get(name) {
                return match c.attributes.get(attr) {
                    Some(AttrValue::Str(s)) => Ok(s.clone()),
                    Some(AttrValue::List(l)) => Ok(l.join(",")),
                    None => Err(format!(
                        "{name} has no attribute {attr}; it has: {}",
                        c.attributes.keys().cloned().collect::<Vec<_>>().join(", ")
                    )),
                };
            }
        }
        json::attribute(&self.world, name, attr, self)
    }

    fn run_app(&mut self, on: &str, cmd: &AppCommand) -> StepOutcome {
        let instance = match self.client(on) {
            Ok(c) => c,
            Err(e) => return StepOutcome { exit_code: 2, stderr: format!("{e}\n"), ..Default::default() },
        };
        let w = &mut self.world;
        let out = match cmd {
            AppCommand::Dig(d) => {
                let server = match &d.server {
                    None => None,
                    Some(Host::Ip(ip)) => Some(*ip),
                    Some(Host::Name(n)) => match crate::apps::host::resolve(w, instance, n) {
                        Ok(ip) => Some(ip),
                        Err(_) => {
                            return StepOutcome {
                                exit_code: 10,
                                stderr: format!("dig: couldn't get address for '{n}': not found\n"),
                                ..Default::default()
                            }
                        }
                    },
                };
                let qtype = match d.record_type.try_into() {
                    Ok(t) => t,
                    Err(t) => {
                        return StepOutcome {
                            exit_code: 1,
                            stderr: format!("{}\n", crate::command::app::unmodelled(t)),
                            ..Default::default()
                        }
                    }
                };
                let q = crate::apps::dig::Dig { name: d.name.clone(), short: d.short, server };
                let query =
                    crate::apps::dig::Query { qtype, sections: d.sections, time: d.time, tries: d.tries };
                w.dig_query(instance, &q, query)
            }
            AppCommand::Curl(c) => {
                let req = crate::apps::curl::Curl {
                    host: host_text(&c.url.host),
                    port: c.url.port,
                    path: c.url.path.clone(),
                    verbose: c.verbose,
                    connect_timeout: c.connect_timeout,
                    max_time: c.max_time,
                    silent: c.silent,
                    show_error: c.show_error,
                    head: c.head,
                    fail: c.fail,
                    to_file: c.output.is_some(),
                    method: c.method.clone(),
                    headers: c.headers.clone(),
                };
                w.curl(instance, &req)
            }
            AppCommand::Ping(p) => w.ping(
                instance,
                &crate::apps::ping::Ping {
                    host: host_text(&p.host),
                    count: p.count,
                    interval: p.interval,
                    timeout: p.timeout,
                    quiet: p.quiet,
                },
            ),
            AppCommand::Nc(n) => w.nc(
                instance,
                &crate::apps::nc::Nc {
                    host: host_text(&n.host),
                    ports: n.ports,
                    udp: n.udp,
                    verbose: n.verbose,
                    zero_io: n.zero_io,
                    numeric: n.numeric,
                    timeout: n.timeout,
                },
            ),
        };
        Session::app_outcome(out)
    }

    fn run_aws(&mut self, call: &AwsCall) -> StepOutcome {
        awscli::run(self, call)
    }

    fn advance(&mut self, by: Duration) {
        self.world.advance(by);
    }

    fn state_of(&self, resource: &str, wanted: &str) -> Result<bool, String> {
        json::state_of(self, resource, wanted)
    }

    fn next_change(&self) -> Option<Duration> {
        self.world.next_change()
    }
}

/// A stack's template file, read as every input file is ([`crate::source::read`]): a
/// problem in its text is located in the template, one about the path at the stack.
fn read_template(
    scenario: &Scenario,
    spec: &crate::scenario::StackSpec,
    path: &Path,
) -> Result<String, FileError> {
    crate::source::read(path, crate::yaml::Limits::default().max_bytes).map_err(|e| {
        let context = Some(format!("stack {}", spec.name));
        if let crate::source::ReadError::NotUtf8 { .. } = e {
            return FileError::one(FileProblem { context, ..e.to_problem() });
        }
        FileError::one(FileProblem {
            file: scenario.file.clone(),
            location: spec.loc,
            context,
            message: format!("cannot use the template: {e}"),
            hint: Some("the path is relative to the scenario file".into()),
        })
    })
}
