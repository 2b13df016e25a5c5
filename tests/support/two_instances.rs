//! The world of the scenario-driven instance tests (services, cfn-init, metadata,
//! signals): a VPC with one subnet, the group admitting everything from the VPC, a client
//! and a server there, and the server's own YAML (UserData, Metadata, Properties) written
//! by each test.
#![allow(dead_code)]

/// The network every such world starts from, at resource indentation: VPC 10.0.0.0/16
/// with DNS, subnet 10.0.1.0/24 in us-east-1a (`public`: instances get a public address
/// at launch) and the group `Open`, everything from the VPC admitted.
pub fn network(public: bool) -> String {
    format!(
        r#"
      Vpc:
        Type: AWS::EC2::VPC
        Properties: {{CidrBlock: 10.0.0.0/16, EnableDnsSupport: true, EnableDnsHostnames: true}}
      Subnet:
        Type: AWS::EC2::Subnet
        Properties: {{VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24, AvailabilityZone: us-east-1a, MapPublicIpOnLaunch: {public}}}
      Open:
        Type: AWS::EC2::SecurityGroup
        Properties:
          VpcId: !Ref Vpc
          GroupDescription: everything from the VPC
          SecurityGroupIngress: [{{IpProtocol: '-1', CidrIp: 10.0.0.0/16}}]"#
    )
}

/// The template: the private [`network`], a client and a server, `server` being the
/// server's YAML (Metadata, Properties) at resource indentation.
pub fn template(server: &str) -> String {
    format!(
        r#"
    Resources:{}
      Client:
        Type: AWS::EC2::Instance
        Properties: {{SubnetId: !Ref Subnet, SecurityGroupIds: [!Ref Open]}}
      Server:
        Type: AWS::EC2::Instance
{server}
"#,
        network(false)
    )
}

/// A scenario named `name` of one stack `stack` (the template inline) and these steps
/// (YAML list items at scenario indentation).
pub fn scenario_text(name: &str, stack: &str, server: &str, steps: &str) -> String {
    stack_scenario(name, stack, &template(server), steps)
}

/// A scenario named `name` of one stack `stack` whose template is `template` (inline) and
/// these steps.
pub fn stack_scenario(name: &str, stack: &str, template: &str, steps: &str) -> String {
    let body: String = template.lines().map(|l| format!("  {l}\n")).collect();
    format!("name: {name}\nstacks:\n  - name: {stack}\n    template-body:\n{body}\nsteps:\n{steps}")
}
