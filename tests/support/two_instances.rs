//! The world of the scenario-driven instance tests (services, cfn-init): a VPC with a
//! client and a server in one subnet, the group admitting everything from the VPC, and
//! the server's own YAML (UserData, Metadata, Properties) written by each test.

/// The template: `server` is the server's YAML (Metadata, Properties) at resource
/// indentation.
pub fn template(server: &str) -> String {
    format!(
        r#"
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties: {{CidrBlock: 10.0.0.0/16, EnableDnsSupport: true, EnableDnsHostnames: true}}
      Subnet:
        Type: AWS::EC2::Subnet
        Properties: {{VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24, AvailabilityZone: us-east-1a}}
      Open:
        Type: AWS::EC2::SecurityGroup
        Properties:
          VpcId: !Ref Vpc
          GroupDescription: everything from the VPC
          SecurityGroupIngress: [{{IpProtocol: '-1', CidrIp: 10.0.0.0/16}}]
      Client:
        Type: AWS::EC2::Instance
        Properties: {{SubnetId: !Ref Subnet, SecurityGroupIds: [!Ref Open]}}
      Server:
        Type: AWS::EC2::Instance
{server}
"#
    )
}

/// A scenario named `name` of one stack `stack` (the template inline) and these steps
/// (YAML list items at scenario indentation).
pub fn scenario_text(name: &str, stack: &str, server: &str, steps: &str) -> String {
    let body: String = template(server).lines().map(|l| format!("  {l}\n")).collect();
    format!("name: {name}\nstacks:\n  - name: {stack}\n    template-body:\n{body}\nsteps:\n{steps}")
}
