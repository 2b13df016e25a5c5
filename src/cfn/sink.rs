//! The seam between the template engine and the simulation model: the model implements
//! [`ResourceSink`]; the engine calls it with fully evaluated properties, in dependency
//! order, and keeps what it returns ([`Created`]) for `Ref` and `Fn::GetAtt`.

use indexmap::IndexMap;

use crate::yaml::Node;

/// Where a stack is created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackContext {
    /// `AWS::StackName`.
    pub stack_name: String,
    /// `AWS::Region`.
    pub region: String,
    /// `AWS::AccountId`.
    pub account_id: String,
    /// The region's AZs, what `Fn::GetAZs ''` returns.
    pub azs: Vec<String>,
}

/// What the model made of one resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Created {
    /// What `Ref` returns (`vpc-...`, an ARN for ELBv2 resources, ...).
    pub physical_id: String,
    /// What `Fn::GetAtt` returns, by attribute name.
    pub attributes: IndexMap<String, AttrValue>,
}

/// One `Fn::GetAtt` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttrValue {
    /// A string.
    Str(String),
    /// A list of strings.
    List(Vec<String>),
}

/// Why the model refused a resource.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SinkError {
    /// What went wrong.
    pub message: String,
    /// What would fix it.
    pub hint: Option<String>,
    /// The property at fault, as a path (`NetworkInterfaces.0.SubnetId` or `NetworkInterfaces[0].SubnetId`).
    pub property: Option<String>,
}

/// The simulation model, as the template engine sees it.
pub trait ResourceSink {
    /// Whether this resource type is modelled. Non-network types (IAM, S3, Lambda, Logs,
    /// SNS, SQS, ...) are skipped with a warning naming each; network types (AWS::EC2::*,
    /// AWS::ElasticLoadBalancingV2::*, AWS::Route53*) that are not supported are an error.
    fn supports(&self, resource_type: &str) -> bool;
    /// Create one resource from its fully evaluated properties (intrinsics resolved;
    /// AWS::NoValue removed; locations kept on the nodes so errors can point at a property).
    fn create(
        &mut self,
        logical_id: &str,
        resource_type: &str,
        properties: &Node,
        metadata: Option<&Node>,
    ) -> Result<Created, SinkError>;
    /// Check the properties of a resource the engine creates itself (a nested stack, C3):
    /// the warnings of those accepted without effect, or why one is refused. Nothing by default.
    fn check_properties(
        &mut self,
        _resource_type: &str,
        _properties: &Node,
    ) -> Result<Vec<SinkWarning>, SinkError> {
        Ok(Vec::new())
    }
    /// C3: the resources created from now on belong to the stack `name` (a nested stack, then
    /// its parent again), for the names and tags the model derives from a stack's name.
    fn set_stack_name(&mut self, _name: &str) {}
    /// Delete a resource this stack created (used by delete-stack, in reverse dependency order).
    fn delete(&mut self, logical_id: &str, resource_type: &str, created: &Created) -> Result<(), SinkError>;
    /// The warnings the last [`ResourceSink::create`] raised, each with the property it is
    /// about (a property accepted that does not change the simulation); none by default.
    fn take_warnings(&mut self) -> Vec<SinkWarning> {
        Vec::new()
    }
    /// Attributes of resources created earlier that the last [`ResourceSink::create`]
    /// changed (an IPv6 block associated with a VPC changes its `Ipv6CidrBlocks`), for
    /// later `Fn::GetAtt`s to read, as CloudFormation reads them at that time; none by default.
    fn take_attribute_updates(&mut self) -> Vec<AttributeUpdate> {
        Vec::new()
    }
    /// C2: the signals the instances created so far sent from their UserData, each with
    /// whether it reached CloudFormation (or S3, for a wait condition handle); none by default.
    fn signals(&mut self) -> Vec<SentSignal> {
        Vec::new()
    }
    /// C2: the stack waits `by` for signals; the model's clock moves on (nothing by default).
    fn wait(&mut self, _by: std::time::Duration) {}
    /// A change of a resource's or the stack's status, as it happens, for the model to
    /// stamp with its clock and keep (`describe-stack-events`); nothing by default.
    fn record(&mut self, _event: super::event::ResourceEvent) {}
}

/// A signal an instance sent (C2), and whether it arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentSignal {
    /// What was sent.
    pub signal: super::signal::Signal,
    /// The instance that sent it (`i-...`).
    pub from: String,
    /// Ok when it reached the service; else why not (the instance has no way there).
    pub delivered: Result<(), String>,
}

/// A new value of one attribute of a resource created earlier, found by its physical id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributeUpdate {
    /// The resource's physical id (what `Ref` returns).
    pub physical_id: String,
    /// The attribute.
    pub attribute: String,
    /// Its new value.
    pub value: AttrValue,
}

/// A warning about one property of a created resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SinkWarning {
    /// The property, as a path (`InstanceTenancy`).
    pub property: String,
    /// What the user should know.
    pub message: String,
}

/// Whether a resource type is networking, which must be modelled rather than skipped: it
/// forwards, filters or names traffic. Besides EC2, Elastic Load Balancing (a Classic Load
/// Balancer too) and Route 53, that is Network Firewall, Global Accelerator, VPC Lattice,
/// and Cloud Map's private DNS namespace (a private hosted zone answered in its VPC).
pub fn is_network_type(resource_type: &str) -> bool {
    [
        "AWS::EC2::",
        "AWS::ElasticLoadBalancingV2::",
        "AWS::ElasticLoadBalancing::",
        "AWS::Route53",
        "AWS::NetworkFirewall::",
        "AWS::GlobalAccelerator::",
        "AWS::VpcLattice::",
        "AWS::ServiceDiscovery::PrivateDnsNamespace",
    ]
    .iter()
    .any(|p| resource_type.starts_with(p))
}
