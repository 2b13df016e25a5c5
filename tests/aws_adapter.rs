//! The typed `aws` adapter end to end on the seed lab: every flag an operation
//! accepts is read (it changes the answer or the world, or its value is refused),
//! `--filters`, `--query` and `--output` answer as the AWS CLI does, and a failing
//! call that would make several changes makes none.

use indexmap::IndexMap;
use vpcsim::command::aws::{parse_line, FlagKind, OPERATIONS};
use vpcsim::lab::{Lab, LabOptions};
use vpcsim::scenario::{Backend, StepOutcome};
use vpcsim::session::Session;

const TEMPLATE: &str = "Resources:
  V:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.200.0.0/16
  S:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref V, CidrBlock: 10.200.1.0/24}
  T:
    Type: AWS::EC2::LaunchTemplate
    Properties: {LaunchTemplateData: {InstanceType: t3.micro}}
  G:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      LaunchTemplate: {LaunchTemplateId: !Ref T}
      MinSize: 0
      MaxSize: 3
      VPCZoneIdentifier: [!Ref S]
";

/// The lab with an endpoint service (principal `*`), an endpoint waiting for
/// acceptance, a free Elastic IP, one associated with Custom-WEB-2, and two stacks;
/// with the ids the cases use, by placeholder.
fn setup() -> (Session, IndexMap<&'static str, String>) {
    let lab = Lab::ready(LabOptions::default()).expect("the lab builds");
    let w = &lab.world;
    let mut ids: IndexMap<&'static str, String> = IndexMap::new();
    ids.insert("{MYVPC}", w[lab.my_vpc].aws_id.clone());
    ids.insert("{CVPC}", w[lab.custom_vpc].aws_id.clone());
    ids.insert("{MYSUBNET}", w[lab.my_subnet].aws_id.clone());
    ids.insert("{CSUBNET}", w[lab.custom_subnet].aws_id.clone());
    ids.insert("{MYIGW}", w[lab.my_igw].aws_id.clone());
    ids.insert("{CIGW}", w[lab.custom_igw].aws_id.clone());
    ids.insert("{MYRT}", w[lab.my_rt].aws_id.clone());
    ids.insert("{WEBSG}", w[lab.web_sg].aws_id.clone());
    ids.insert("{WEBSGNAME}", w[lab.web_sg].name.clone());
    ids.insert("{CSG}", w[lab.custom_sg].aws_id.clone());
    ids.insert("{MYEC2}", w[lab.my_ec2].aws_id.clone());
    ids.insert("{WEB1}", w[lab.web1].aws_id.clone());
    ids.insert("{WEB2}", w[lab.web2].aws_id.clone());
    ids.insert("{ENI}", w[w[lab.my_ec2].eni].aws_id.clone());
    ids.insert("{WEB1ENI}", w[w[lab.web1].eni].aws_id.clone());
    ids.insert("{LB}", w[lab.nlb].arn.clone());
    ids.insert("{LBNAME}", w[lab.nlb].name.clone());
    ids.insert("{TG}", w[lab.tg].arn.clone());
    ids.insert("{TGNAME}", w[lab.tg].name.clone());
    ids.insert("{LISTENER}", w.listeners().values().next().expect("a listener").arn.clone());
    let assoc = w[lab.my_subnet].route_table_association_id.clone().expect("MySubnet uses MyRT");
    ids.insert("{MYRTASSOC}", assoc);
    ids.insert("{MYACLASSOC}", vpcsim::ops::security::nacl_association_id(&w[lab.my_subnet].aws_id));
    let acl = |vpc| w.nacls().values().find(|n| n.vpc == vpc).expect("a network ACL").aws_id.clone();
    ids.insert("{ACL}", acl(lab.my_vpc));
    ids.insert("{ACL2}", acl(lab.custom_vpc));
    ids.insert("{MYVPCASSOC}", vpcsim::ops::vpc_cidr::primary_association_id(&w[lab.my_vpc].aws_id));
    ids.insert("{DOPT}", w.dhcp_options().values().next().expect("the default DHCP options").aws_id.clone());
    let mut s = Session::new(lab.world);
    for name in ["one", "two"] {
        let stack = vpcsim::stack::create_stack(
            &mut s.world,
            name,
            "t.yaml",
            TEMPLATE,
            &IndexMap::new(),
            &IndexMap::new(),
        )
        .expect("the stack builds");
        s.stacks.insert(name.to_string(), stack);
    }
    for (key, stack) in [("{ASG}", "one"), ("{ASG2}", "two")] {
        ids.insert(key, s.stacks[stack].resources["G"].1.physical_id.clone());
    }
    ids.insert("{STACKSUBNET}", s.stacks["one"].resources["S"].1.physical_id.clone());
    ids.insert("{LT}", s.stacks["one"].resources["T"].1.physical_id.clone());
    let svc = ok(
        &mut s,
        &ids,
        "aws ec2 create-vpc-endpoint-service-configuration --network-load-balancer-arns {LB}",
    );
    ids.insert("{SVC}", svc["ServiceConfiguration"]["ServiceId"].as_str().unwrap().to_string());
    ids.insert("{SVCNAME}", svc["ServiceConfiguration"]["ServiceName"].as_str().unwrap().to_string());
    ok(
        &mut s,
        &ids,
        "aws ec2 modify-vpc-endpoint-service-permissions --service-id {SVC} --add-allowed-principals *",
    );
    let ep = ok(
        &mut s,
        &ids,
        "aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id {MYVPC} --service-name {SVCNAME} --subnet-ids {MYSUBNET}",
    );
    ids.insert("{EP}", ep["VpcEndpoint"]["VpcEndpointId"].as_str().unwrap().to_string());
    let eip = ok(&mut s, &ids, "aws ec2 allocate-address");
    ids.insert("{EIP}", eip["AllocationId"].as_str().unwrap().to_string());
    ids.insert("{EIPIP}", eip["PublicIp"].as_str().unwrap().to_string());
    let eip2 = ok(&mut s, &ids, "aws ec2 allocate-address");
    ids.insert("{EIP2}", eip2["AllocationId"].as_str().unwrap().to_string());
    let assoc = ok(&mut s, &ids, "aws ec2 associate-address --allocation-id {EIP2} --instance-id {WEB2}");
    ids.insert("{ASSOC}", assoc["AssociationId"].as_str().unwrap().to_string());
    let nat =
        ok(&mut s, &ids, "aws ec2 create-nat-gateway --subnet-id {MYSUBNET} --connectivity-type private");
    ids.insert("{NAT}", nat["NatGateway"]["NatGatewayId"].as_str().unwrap().to_string());
    let gwe = ok(
        &mut s,
        &ids,
        "aws ec2 create-vpc-endpoint --vpc-id {CVPC} --service-name com.amazonaws.ap-northeast-2.dynamodb",
    );
    ids.insert("{GWE}", gwe["VpcEndpoint"]["VpcEndpointId"].as_str().unwrap().to_string());
    let pcx = ok(&mut s, &ids, "aws ec2 create-vpc-peering-connection --vpc-id {MYVPC} --peer-vpc-id {CVPC}");
    ids.insert("{PCX}", pcx["VpcPeeringConnection"]["VpcPeeringConnectionId"].as_str().unwrap().to_string());
    let pl = ok(
        &mut s,
        &ids,
        "aws ec2 create-managed-prefix-list --prefix-list-name office --max-entries 5 --entries Cidr=203.0.113.0/24",
    );
    ids.insert("{PL}", pl["PrefixList"]["PrefixListId"].as_str().unwrap().to_string());
    let s3 = ok(
        &mut s,
        &ids,
        "aws ec2 describe-prefix-lists --filters Name=prefix-list-name,Values=com.amazonaws.ap-northeast-2.s3",
    );
    ids.insert("{S3PL}", s3["PrefixLists"][0]["PrefixListId"].as_str().unwrap().to_string());
    let nip = ok(
        &mut s,
        &ids,
        "aws ec2 create-network-insights-path --source {MYEC2} --destination {WEB1} --protocol tcp --destination-port 80",
    );
    ids.insert("{NIP}", nip["NetworkInsightsPath"]["NetworkInsightsPathId"].as_str().unwrap().to_string());
    let nia = ok(&mut s, &ids, "aws ec2 start-network-insights-analysis --network-insights-path-id {NIP}");
    ids.insert(
        "{NIA}",
        nia["NetworkInsightsAnalysis"]["NetworkInsightsAnalysisId"].as_str().unwrap().to_string(),
    );
    let nis = ok(&mut s, &ids, SCOPE_CREATE);
    ids.insert(
        "{NIS}",
        nis["NetworkInsightsAccessScope"]["NetworkInsightsAccessScopeId"].as_str().unwrap().to_string(),
    );
    let nisa = ok(
        &mut s,
        &ids,
        "aws ec2 start-network-insights-access-scope-analysis --network-insights-access-scope-id {NIS}",
    );
    ids.insert(
        "{NISA}",
        nisa["NetworkInsightsAccessScopeAnalysis"]["NetworkInsightsAccessScopeAnalysisId"]
            .as_str()
            .unwrap()
            .to_string(),
    );
    let zone = ok(
        &mut s,
        &ids,
        "aws route53 create-hosted-zone --name lab.internal --caller-reference lab --vpc VPCRegion=ap-northeast-2,VPCId={MYVPC}",
    );
    ids.insert("{ZONE}", zone["HostedZone"]["Id"].as_str().unwrap().to_string());
    ids.insert("{CHANGE}", zone["ChangeInfo"]["Id"].as_str().unwrap().to_string());
    (s, ids)
}

/// An access scope: every path from the internet.
const SCOPE_CREATE: &str = r#"aws ec2 create-network-insights-access-scope --match-paths '[{"Source":{"ResourceStatement":{"ResourceTypes":["AWS::EC2::InternetGateway"]}}}]'"#;

fn fill(line: &str, ids: &IndexMap<&'static str, String>) -> String {
    ids.iter().fold(line.to_string(), |l, (k, v)| l.replace(k, v))
}

fn call(s: &mut Session, ids: &IndexMap<&'static str, String>, line: &str) -> Result<StepOutcome, String> {
    let mut line = fill(line, ids);
    if let Some((_, fl)) = s.world.flow_logs().live().next() {
        line = line.replace("{FL}", &fl.aws_id);
    }
    if let Some((_, spare)) = s.world.enis().live().find(|(_, e)| e.description == "spare") {
        line = line.replace("{SPARE}", &spare.aws_id);
        if let Some(a) = &spare.attachment {
            line = line.replace("{ATTACHMENT}", &a.id);
        }
    }
    if let Some(block) = s.world[s.world.vpcs().live().next().expect("MyVPC").0].ipv6_cidrs.first() {
        let base = u128::from(block.cidr.network());
        for (i, name) in ["{V6A}", "{V6B}"].into_iter().enumerate() {
            let net = ipnet::Ipv6Net::new(std::net::Ipv6Addr::from(base + ((i as u128) << 64)), 64).unwrap();
            line = line.replace(name, &net.to_string());
        }
    }
    if let Some((_, g)) = s.world.eigws().live().next() {
        line = line.replace("{EIGW}", &g.aws_id);
    }
    if let Some(rest) = line.strip_prefix("@nc ") {
        let (host, port) = rest.split_once(' ').expect("@nc HOST PORT");
        let Some(vpcsim::world::Handle::Instance(i)) = s.world.find(&ids["{MYEC2}"]) else {
            panic!("My-EC2")
        };
        let req = vpcsim::apps::nc::Nc {
            host: host.into(),
            ports: vpcsim::addr::PortRange::single(port.parse().unwrap()),
            zero_io: true,
            ..Default::default()
        };
        let out = s.world.nc(i, &req);
        return Ok(StepOutcome { exit_code: out.exit_code, ..StepOutcome::default() });
    }
    parse_line(&line).map(|c| s.run_aws(&c)).map_err(|e| e.to_string())
}

fn ok(s: &mut Session, ids: &IndexMap<&'static str, String>, line: &str) -> serde_json::Value {
    let out = call(s, ids, line).unwrap_or_else(|e| panic!("{line}: {e}"));
    assert_eq!(out.exit_code, 0, "{line}: {}", out.stderr);
    out.json.unwrap_or_default()
}

/// What a line leaves behind: its parse error, or its exit code, stdout and stderr, and the world.
fn effect(prep: &[&str], line: &str) -> (Result<(i32, String, String), String>, String) {
    let (mut s, ids) = setup();
    for p in prep {
        let out = call(&mut s, &ids, p).unwrap_or_else(|e| panic!("{p}: {e}"));
        assert_eq!(out.exit_code, 0, "prep {p}: {}", out.stderr);
    }
    let out = call(&mut s, &ids, line).map(|o| (o.exit_code, o.stdout, o.stderr));
    (out, format!("{:?}", s.world) + &format!("{:?}", s.stacks.keys().collect::<Vec<_>>()))
}

/// One flag of one operation: a line without it (or with another value) and a line with it.
struct Case {
    op: &'static str,
    flag: &'static str,
    prep: Vec<&'static str>,
    without: String,
    with: String,
}

fn case(op: &'static str, flag: &'static str, without: &str, with: &str) -> Case {
    let full = |rest: &str| format!("aws {} {op} {rest}", service(op));
    Case { op, flag, prep: Vec::new(), without: full(without), with: full(with) }
}

fn prepped(prep: &[&'static str], c: Case) -> Case {
    Case { prep: prep.to_vec(), ..c }
}

fn service(op: &str) -> &'static str {
    OPERATIONS.iter().find(|o| o.name == op).map(|o| o.service).unwrap_or("ec2")
}

const ASSOCIATE_CVPC: &[&str] =
    &["aws route53 associate-vpc-with-hosted-zone --hosted-zone-id {ZONE} --vpc VPCRegion=ap-northeast-2,VPCId={CVPC}"];
const BATCH: &str = r#"{"Changes": [{"Action": "CREATE", "ResourceRecordSet": {"Name": "a.lab.internal", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "10.0.0.1"}]}}]}"#;

const PL_ROUTE: &str =
    "aws ec2 create-route --route-table-id {MYRT} --destination-prefix-list-id {PL} --gateway-id {MYIGW}";
/// E2: a gateway endpoint policy that denies everything.
const DENY_ALL: &str = r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}"#;
const GWE_DENY: &str = r#"aws ec2 modify-vpc-endpoint --vpc-endpoint-id {GWE} --policy-document '{"Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}'"#;
/// A stack template with one parameter (the VPC's block), for create-stack.
const CFN_T: &str = r#"'{"Parameters": {"C": {"Type": "String", "Default": "10.7.0.0/16"}}, "Resources": {"V": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": {"Ref": "C"}}}}}'"#;
const CREATE_MADE: &str = r#"aws cloudformation create-stack --stack-name made --template-body '{"Resources": {"V": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.7.0.0/16"}}}}'"#;
const NFN_REJECT: &str = "aws ec2 create-vpc-endpoint-connection-notification --service-id {SVC} --connection-notification-arn arn:aws:sns:us-east-1:123456789012:ops --connection-events Reject";
const REJECT_EP: &str = "aws ec2 reject-vpc-endpoint-connections --service-id {SVC} --vpc-endpoint-ids {EP}";
const PCX_DELETE: &str = "aws ec2 delete-vpc-peering-connection --vpc-peering-connection-id {PCX}";
const PCX_ACCEPT: &str = "aws ec2 accept-vpc-peering-connection --vpc-peering-connection-id {PCX}";

/// A create-vpc-endpoint-connection-notification line's flags: `watched`, a topic and Accept.
fn nfn(watched: &str) -> String {
    format!("{watched} --connection-notification-arn arn:aws:sns:us-east-1:123456789012:ops --connection-events Accept")
}

/// A second launch template, named `other`.
const OTHER_LT: &str =
    "aws ec2 create-launch-template --launch-template-name other --launch-template-data InstanceType=t3.micro";
/// The first stack's group runs one instance.
const ASG_ONE: &str =
    "aws autoscaling set-desired-capacity --auto-scaling-group-name {ASG} --desired-capacity 1";

/// A create-auto-scaling-group line's flags for the first stack's template and subnet, and `more`.
fn asg(more: &str) -> String {
    format!("--auto-scaling-group-name n --launch-template LaunchTemplateId={{LT}} --min-size 0 --max-size 2 --vpc-zone-identifier {{STACKSUBNET}} {more}")
}

/// Frees the lab's NLB for a new endpoint service.
const FREE_NLB: &[&str] = &[
    "aws ec2 reject-vpc-endpoint-connections --service-id {SVC} --vpc-endpoint-ids {EP}",
    "aws ec2 delete-vpc-endpoint-service-configurations --service-ids {SVC}",
];

/// I7: My-EC2's automatic public IP is the only address mapped in MyVPC; terminating it lets
/// the gateway detach.
/// M4: a standalone interface in My-EC2's subnet, `{SPARE}` (described `spare`).
const SPARE: &[&str] = &["aws ec2 create-network-interface --subnet-id {MYSUBNET} --description spare"];
/// M4: the spare interface attached to My-EC2 at device index 1, `{ATTACHMENT}`.
const SPARE_ATTACHED: &[&str] = &[
    "aws ec2 create-network-interface --subnet-id {MYSUBNET} --description spare",
    "aws ec2 attach-network-interface --network-interface-id {SPARE} --instance-id {MYEC2} --device-index 1",
];
/// M6: a standalone interface holding 10.0.0.201 as a secondary address.
const SECONDARY_ON_SPARE: &[&str] = &[
    "aws ec2 create-network-interface --subnet-id {MYSUBNET} --private-ip-addresses PrivateIpAddress=10.0.0.201,Primary=false",
];
/// M6: My-EC2's interface holding 10.0.0.201 as a secondary address.
const SECONDARY_ON_ENI: &[&str] =
    &["aws ec2 assign-private-ip-addresses --network-interface-id {ENI} --private-ip-addresses 10.0.0.201"];
const UNMAP_MY_VPC: &[&str] = &["aws ec2 terminate-instances --instance-ids {MYEC2}"];

/// MyVPC without its gateway.
const UNMAP_AND_DETACH_MY_IGW: &[&str] = &[
    "aws ec2 terminate-instances --instance-ids {MYEC2}",
    "aws ec2 detach-internet-gateway --internet-gateway-id {MYIGW} --vpc-id {MYVPC}",
];

fn cases() -> Vec<Case> {
    let mut c = vec![
        case(
            "create-vpc-endpoint-service-configuration",
            "network-load-balancer-arns",
            "",
            "--network-load-balancer-arns {LB}",
        ),
        prepped(
            FREE_NLB,
            case(
                "create-vpc-endpoint-service-configuration",
                "acceptance-required",
                "--network-load-balancer-arns {LB} --no-acceptance-required",
                "--network-load-balancer-arns {LB} --acceptance-required",
            ),
        ),
        prepped(
            FREE_NLB,
            case(
                "create-vpc-endpoint-service-configuration",
                "no-acceptance-required",
                "--network-load-balancer-arns {LB} --acceptance-required",
                "--network-load-balancer-arns {LB} --no-acceptance-required",
            ),
        ),
        prepped(
            FREE_NLB,
            case(
                "create-vpc-endpoint-service-configuration",
                "private-dns-name",
                "--network-load-balancer-arns {LB}",
                "--network-load-balancer-arns {LB} --private-dns-name app.example.com",
            ),
        ),
        case(
            "describe-vpc-endpoint-service-configurations",
            "service-ids",
            "",
            "--service-ids vpce-svc-0123456789abcdef0",
        ),
        case(
            "describe-vpc-endpoint-service-configurations",
            "filters",
            "",
            "--filters Name=service-state,Values=Deleted",
        ),
        case(
            "delete-vpc-endpoint-service-configurations",
            "service-ids",
            "--service-ids vpce-svc-0123456789abcdef0",
            "--service-ids {SVC}",
        ),
        case(
            "modify-vpc-endpoint-service-permissions",
            "service-id",
            "--service-id vpce-svc-0123456789abcdef0 --add-allowed-principals arn:aws:iam::111122223333:root",
            "--service-id {SVC} --add-allowed-principals arn:aws:iam::111122223333:root",
        ),
        case(
            "modify-vpc-endpoint-service-permissions",
            "add-allowed-principals",
            "--service-id {SVC}",
            "--service-id {SVC} --add-allowed-principals arn:aws:iam::111122223333:root",
        ),
        case(
            "modify-vpc-endpoint-service-permissions",
            "remove-allowed-principals",
            "--service-id {SVC}",
            "--service-id {SVC} --remove-allowed-principals *",
        ),
        case(
            "start-vpc-endpoint-service-private-dns-verification",
            "service-id",
            "--service-id vpce-svc-0123456789abcdef0",
            "--service-id {SVC}",
        ),
        case(
            "describe-vpc-endpoint-service-permissions",
            "service-id",
            "--service-id vpce-svc-0123456789abcdef0",
            "--service-id {SVC}",
        ),
        case(
            "describe-vpc-endpoint-service-permissions",
            "filters",
            "--service-id {SVC}",
            "--service-id {SVC} --filters Name=principal-type,Values=Account",
        ),
        case(
            "accept-vpc-endpoint-connections",
            "service-id",
            "--service-id vpce-svc-0123456789abcdef0 --vpc-endpoint-ids {EP}",
            "--service-id {SVC} --vpc-endpoint-ids {EP}",
        ),
        case(
            "accept-vpc-endpoint-connections",
            "vpc-endpoint-ids",
            "--service-id {SVC} --vpc-endpoint-ids vpce-0123456789abcdef0",
            "--service-id {SVC} --vpc-endpoint-ids {EP}",
        ),
        case(
            "reject-vpc-endpoint-connections",
            "service-id",
            "--service-id vpce-svc-0123456789abcdef0 --vpc-endpoint-ids {EP}",
            "--service-id {SVC} --vpc-endpoint-ids {EP}",
        ),
        case(
            "reject-vpc-endpoint-connections",
            "vpc-endpoint-ids",
            "--service-id {SVC} --vpc-endpoint-ids vpce-0123456789abcdef0",
            "--service-id {SVC} --vpc-endpoint-ids {EP}",
        ),
        case(
            "describe-vpc-endpoint-connections",
            "filters",
            "",
            "--filters Name=vpc-endpoint-state,Values=available",
        ),
        case("describe-vpc-endpoints", "vpc-endpoint-ids", "", "--vpc-endpoint-ids vpce-0123456789abcdef0"),
        case("describe-vpc-endpoints", "filters", "", "--filters Name=vpc-endpoint-state,Values=available"),
        case(
            "delete-vpc-endpoints",
            "vpc-endpoint-ids",
            "--vpc-endpoint-ids vpce-0123456789abcdef0",
            "--vpc-endpoint-ids {EP}",
        ),
        case(
            "describe-vpc-endpoint-services",
            "service-names",
            "",
            "--service-names com.amazonaws.vpce.ap-northeast-2.vpce-svc-0123456789abcdef0",
        ),
        case("describe-vpc-endpoint-services", "filters", "", "--filters Name=service-name,Values=nothing*"),
    ];
    let endpoint = "--vpc-id {CVPC} --service-name {SVCNAME} --subnet-ids {CSUBNET}";
    let with_type = |rest: &str| format!("--vpc-endpoint-type Interface {rest}");
    c.extend([
        case("create-vpc-endpoint", "vpc-endpoint-type", endpoint, &with_type(endpoint)),
        case(
            "create-vpc-endpoint",
            "vpc-id",
            &with_type("--vpc-id {MYVPC} --service-name {SVCNAME} --subnet-ids {CSUBNET}"),
            &with_type(endpoint),
        ),
        case(
            "create-vpc-endpoint",
            "service-name",
            &with_type("--vpc-id {CVPC} --service-name com.example.none --subnet-ids {CSUBNET}"),
            &with_type(endpoint),
        ),
        case(
            "create-vpc-endpoint",
            "subnet-ids",
            &with_type("--vpc-id {CVPC} --service-name {SVCNAME}"),
            &with_type(endpoint),
        ),
        case(
            "create-vpc-endpoint",
            "security-group-ids",
            &with_type(endpoint),
            &with_type(&format!("{endpoint} --security-group-ids {{CSG}}")),
        ),
        case(
            "create-vpc-endpoint",
            "private-dns-enabled",
            &with_type(&format!("{endpoint} --no-private-dns-enabled")),
            &with_type(&format!("{endpoint} --private-dns-enabled")),
        ),
        case(
            "create-vpc-endpoint",
            "no-private-dns-enabled",
            &with_type(&format!("{endpoint} --private-dns-enabled")),
            &with_type(&format!("{endpoint} --no-private-dns-enabled")),
        ),
    ]);
    for op in [
        "authorize-security-group-ingress",
        "authorize-security-group-egress",
        "revoke-security-group-ingress",
        "revoke-security-group-egress",
    ] {
        let base = "--group-id {WEBSG} --protocol tcp --port 8080 --cidr 10.9.0.0/16";
        let prep: Vec<&'static str> = match op {
            "revoke-security-group-ingress" => vec!["aws ec2 authorize-security-group-ingress --group-id {WEBSG} --protocol tcp --port 8080 --cidr 10.9.0.0/16"],
            "revoke-security-group-egress" => vec!["aws ec2 authorize-security-group-egress --group-id {WEBSG} --protocol tcp --port 8080 --cidr 10.9.0.0/16"],
            _ => vec![],
        };
        let variants = [
            ("group-id", "--group-id {CSG} --protocol tcp --port 8080 --cidr 10.9.0.0/16"),
            ("group-name", "--group-name {WEBSGNAME} --protocol tcp --port 8080 --cidr 10.9.0.0/16"),
            ("protocol", "--group-id {WEBSG} --protocol udp --port 8080 --cidr 10.9.0.0/16"),
            ("port", "--group-id {WEBSG} --protocol tcp --port 8081 --cidr 10.9.0.0/16"),
            ("cidr", "--group-id {WEBSG} --protocol tcp --port 8080 --cidr 10.8.0.0/16"),
            ("source-group", "--group-id {WEBSG} --protocol tcp --port 8080 --source-group {WEBSG}"),
            ("ip-permissions", "--group-id {WEBSG} --ip-permissions IpProtocol=tcp,FromPort=9000,ToPort=9001,IpRanges=[{CidrIp=10.7.0.0/16}]"),
        ];
        for (flag, with) in variants {
            c.push(prepped(&prep, case(op, flag, base, with)));
        }
    }
    let route = "--route-table-id {MYRT} --destination-cidr-block 10.50.0.0/16 --gateway-id {MYIGW}";
    let create_route: &'static str = "aws ec2 create-route --route-table-id {MYRT} --destination-cidr-block 10.50.0.0/16 --gateway-id {MYIGW}";
    for op in ["create-route", "replace-route"] {
        let prep: Vec<&'static str> = if op == "replace-route" { vec![create_route] } else { vec![] };
        let base = if op == "replace-route" {
            "--route-table-id {MYRT} --destination-cidr-block 10.50.0.0/16 --network-interface-id {ENI}"
        } else {
            route
        };
        let variants = [
            ("route-table-id", "--route-table-id rtb-0123456789abcdef0 --destination-cidr-block 10.50.0.0/16 --gateway-id {MYIGW}"),
            ("destination-cidr-block", "--route-table-id {MYRT} --destination-cidr-block 10.51.0.0/16 --gateway-id {MYIGW}"),
            ("gateway-id", "--route-table-id {MYRT} --destination-cidr-block 10.50.0.0/16 --gateway-id {CIGW}"),
            ("instance-id", "--route-table-id {MYRT} --destination-cidr-block 10.50.0.0/16 --instance-id {MYEC2}"),
            ("network-interface-id", "--route-table-id {MYRT} --destination-cidr-block 10.50.0.0/16 --network-interface-id {ENI}"),
            ("nat-gateway-id", "--route-table-id {MYRT} --destination-cidr-block 10.50.0.0/16 --nat-gateway-id nat-0123456789abcdef0"),
            ("vpc-peering-connection-id", "--route-table-id {MYRT} --destination-cidr-block 10.50.0.0/16 --vpc-peering-connection-id pcx-0123456789abcdef0"),
            ("transit-gateway-id", "--route-table-id {MYRT} --destination-cidr-block 10.50.0.0/16 --transit-gateway-id tgw-0123456789abcdef0"),
        ];
        for (flag, with) in variants {
            let without = if flag == "network-interface-id" { route } else { base };
            c.push(prepped(&prep, case(op, flag, without, with)));
        }
    }
    c.extend([
        prepped(
            &[create_route],
            case(
                "delete-route",
                "route-table-id",
                "--route-table-id {MYRT} --destination-cidr-block 10.50.0.0/16",
                "--route-table-id rtb-0123456789abcdef0 --destination-cidr-block 10.50.0.0/16",
            ),
        ),
        prepped(
            &[create_route],
            case(
                "delete-route",
                "destination-cidr-block",
                "--route-table-id {MYRT} --destination-cidr-block 10.50.0.0/16",
                "--route-table-id {MYRT} --destination-cidr-block 10.51.0.0/16",
            ),
        ),
        case("describe-network-acls", "network-acl-ids", "", "--network-acl-ids {ACL}"),
        case("describe-network-acls", "filters", "", "--filters Name=vpc-id,Values={MYVPC}"),
        case("describe-route-tables", "route-table-ids", "", "--route-table-ids {MYRT}"),
        case("describe-route-tables", "filters", "", "--filters Name=vpc-id,Values={MYVPC}"),
        case("describe-vpcs", "vpc-ids", "", "--vpc-ids {MYVPC}"),
        case(
            "associate-vpc-cidr-block",
            "vpc-id",
            "--cidr-block 10.1.0.0/16",
            "--vpc-id {MYVPC} --cidr-block 10.1.0.0/16",
        ),
        case(
            "associate-vpc-cidr-block",
            "cidr-block",
            "--vpc-id {MYVPC}",
            "--vpc-id {MYVPC} --cidr-block 10.1.0.0/16",
        ),
        case("disassociate-vpc-cidr-block", "association-id", "", "--association-id {MYVPCASSOC}"),
        case("describe-vpcs", "filters", "", "--filters Name=tag:Name,Values=MyVPC"),
        case("describe-subnets", "subnet-ids", "", "--subnet-ids {MYSUBNET}"),
        case("describe-subnets", "filters", "", "--filters Name=vpc-id,Values={CVPC}"),
        case("describe-security-groups", "group-ids", "", "--group-ids {WEBSG}"),
        case("describe-security-groups", "group-names", "", "--group-names {WEBSGNAME}"),
        case("describe-security-groups", "filters", "", "--filters Name=group-id,Values={CSG}"),
        case("describe-instances", "instance-ids", "", "--instance-ids {WEB1}"),
        case("describe-instances", "filters", "", "--filters Name=instance-state-name,Values=stopped"),
        case("describe-network-interfaces", "network-interface-ids", "", "--network-interface-ids {ENI}"),
        case(
            "describe-network-interfaces",
            "filters",
            "",
            "--filters Name=interface-type,Values=network_load_balancer",
        ),
        case("describe-internet-gateways", "internet-gateway-ids", "", "--internet-gateway-ids {CIGW}"),
        case("describe-internet-gateways", "filters", "", "--filters Name=attachment.vpc-id,Values={MYVPC}"),
        prepped(
            UNMAP_AND_DETACH_MY_IGW,
            case(
                "attach-internet-gateway",
                "internet-gateway-id",
                "--internet-gateway-id {CIGW} --vpc-id {MYVPC}",
                "--internet-gateway-id {MYIGW} --vpc-id {MYVPC}",
            ),
        ),
        prepped(
            UNMAP_AND_DETACH_MY_IGW,
            case(
                "attach-internet-gateway",
                "vpc-id",
                "--internet-gateway-id {MYIGW} --vpc-id {CVPC}",
                "--internet-gateway-id {MYIGW} --vpc-id {MYVPC}",
            ),
        ),
        prepped(
            UNMAP_MY_VPC,
            case(
                "detach-internet-gateway",
                "internet-gateway-id",
                "--internet-gateway-id {CIGW} --vpc-id {MYVPC}",
                "--internet-gateway-id {MYIGW} --vpc-id {MYVPC}",
            ),
        ),
        prepped(
            UNMAP_MY_VPC,
            case(
                "detach-internet-gateway",
                "vpc-id",
                "--internet-gateway-id {MYIGW} --vpc-id {CVPC}",
                "--internet-gateway-id {MYIGW} --vpc-id {MYVPC}",
            ),
        ),
        case(
            "modify-instance-metadata-options",
            "instance-id",
            "--instance-id {WEB1} --http-tokens required",
            "--instance-id {MYEC2} --http-tokens required",
        ),
        case(
            "modify-instance-metadata-options",
            "http-tokens",
            "--instance-id {MYEC2} --http-tokens optional",
            "--instance-id {MYEC2} --http-tokens required",
        ),
        case(
            "modify-instance-metadata-options",
            "http-endpoint",
            "--instance-id {MYEC2} --http-endpoint enabled",
            "--instance-id {MYEC2} --http-endpoint disabled",
        ),
        case(
            "modify-instance-attribute",
            "instance-id",
            "--instance-id {WEB1} --no-source-dest-check",
            "--instance-id {MYEC2} --no-source-dest-check",
        ),
        case(
            "modify-instance-attribute",
            "source-dest-check",
            "--instance-id {MYEC2} --no-source-dest-check",
            "--instance-id {MYEC2} --source-dest-check",
        ),
        case(
            "modify-instance-attribute",
            "no-source-dest-check",
            "--instance-id {MYEC2} --source-dest-check",
            "--instance-id {MYEC2} --no-source-dest-check",
        ),
        case(
            "modify-instance-attribute",
            "groups",
            "--instance-id {MYEC2} --groups {WEBSG}",
            "--instance-id {MYEC2} --groups {CSG}",
        ),
        case(
            "modify-instance-attribute",
            "source-dest-check",
            "--instance-id {MYEC2} --source-dest-check '{\"Value\": true}'",
            "--instance-id {MYEC2} --source-dest-check \"{\\\"Value\\\": false}\"",
        ),
        case(
            "modify-network-interface-attribute",
            "network-interface-id",
            "--network-interface-id {WEB1ENI} --no-source-dest-check",
            "--network-interface-id {ENI} --no-source-dest-check",
        ),
        case(
            "modify-network-interface-attribute",
            "source-dest-check",
            "--network-interface-id {ENI} --no-source-dest-check",
            "--network-interface-id {ENI} --source-dest-check Value=true",
        ),
        case(
            "modify-network-interface-attribute",
            "no-source-dest-check",
            "--network-interface-id {ENI} --source-dest-check",
            "--network-interface-id {ENI} --no-source-dest-check",
        ),
        case(
            "modify-network-interface-attribute",
            "groups",
            "--network-interface-id {ENI} --groups {WEBSG}",
            "--network-interface-id {ENI} --groups {CSG}",
        ),
        case("terminate-instances", "instance-ids", "--instance-ids {WEB1}", "--instance-ids {WEB2}"),
        // M4: standalone interfaces, attached and detached.
        case("create-network-interface", "subnet-id", "--subnet-id {CSUBNET}", "--subnet-id {MYSUBNET}"),
        case("create-network-interface", "description", "--subnet-id {MYSUBNET}", "--subnet-id {MYSUBNET} --description spare"),
        case(
            "create-network-interface",
            "private-ip-address",
            "--subnet-id {MYSUBNET}",
            "--subnet-id {MYSUBNET} --private-ip-address 10.0.0.200",
        ),
        case("create-network-interface", "groups", "--subnet-id {MYSUBNET}", "--subnet-id {MYSUBNET} --groups {WEBSG}"),
        case(
            "create-network-interface",
            "tag-specifications",
            "--subnet-id {MYSUBNET}",
            "--subnet-id {MYSUBNET} --tag-specifications 'ResourceType=network-interface,Tags=[{Key=Name,Value=spare}]'",
        ),
        prepped(SPARE, case("delete-network-interface", "network-interface-id", "--network-interface-id {ENI}", "--network-interface-id {SPARE}")),
        prepped(
            SPARE,
            case(
                "attach-network-interface",
                "network-interface-id",
                "--network-interface-id {ENI} --instance-id {MYEC2} --device-index 1",
                "--network-interface-id {SPARE} --instance-id {MYEC2} --device-index 1",
            ),
        ),
        prepped(
            SPARE,
            case(
                "attach-network-interface",
                "instance-id",
                "--network-interface-id {SPARE} --instance-id {WEB1} --device-index 1",
                "--network-interface-id {SPARE} --instance-id {MYEC2} --device-index 1",
            ),
        ),
        prepped(
            SPARE,
            case(
                "attach-network-interface",
                "device-index",
                "--network-interface-id {SPARE} --instance-id {MYEC2} --device-index 0",
                "--network-interface-id {SPARE} --instance-id {MYEC2} --device-index 1",
            ),
        ),
        prepped(SPARE_ATTACHED, case("detach-network-interface", "attachment-id", "--attachment-id eni-attach-0123456789abcdef0", "--attachment-id {ATTACHMENT}")),
        prepped(SPARE_ATTACHED, case("detach-network-interface", "force", "--attachment-id {ATTACHMENT}", "--attachment-id {ATTACHMENT} --force")),
        prepped(SPARE_ATTACHED, case("detach-network-interface", "no-force", "--attachment-id {ATTACHMENT} --force", "--attachment-id {ATTACHMENT} --no-force")),
        // M6: secondary private addresses.
        case(
            "create-network-interface",
            "private-ip-addresses",
            "--subnet-id {MYSUBNET}",
            "--subnet-id {MYSUBNET} --private-ip-addresses PrivateIpAddress=10.0.0.201,Primary=false",
        ),
        case(
            "create-network-interface",
            "secondary-private-ip-address-count",
            "--subnet-id {MYSUBNET}",
            "--subnet-id {MYSUBNET} --secondary-private-ip-address-count 2",
        ),
        case(
            "assign-private-ip-addresses",
            "network-interface-id",
            "--network-interface-id {WEB1ENI} --private-ip-addresses 10.0.0.201",
            "--network-interface-id {ENI} --private-ip-addresses 10.0.0.201",
        ),
        case(
            "assign-private-ip-addresses",
            "private-ip-addresses",
            "--network-interface-id {ENI} --secondary-private-ip-address-count 1",
            "--network-interface-id {ENI} --private-ip-addresses 10.0.0.201",
        ),
        case(
            "assign-private-ip-addresses",
            "secondary-private-ip-address-count",
            "--network-interface-id {ENI}",
            "--network-interface-id {ENI} --secondary-private-ip-address-count 1",
        ),
        prepped(
            SECONDARY_ON_SPARE,
            case(
                "assign-private-ip-addresses",
                "allow-reassignment",
                "--network-interface-id {ENI} --private-ip-addresses 10.0.0.201",
                "--network-interface-id {ENI} --private-ip-addresses 10.0.0.201 --allow-reassignment",
            ),
        ),
        prepped(
            SECONDARY_ON_SPARE,
            case(
                "assign-private-ip-addresses",
                "no-allow-reassignment",
                "--network-interface-id {ENI} --private-ip-addresses 10.0.0.201 --allow-reassignment",
                "--network-interface-id {ENI} --private-ip-addresses 10.0.0.201 --no-allow-reassignment",
            ),
        ),
        prepped(
            SECONDARY_ON_ENI,
            case(
                "unassign-private-ip-addresses",
                "network-interface-id",
                "--network-interface-id {WEB1ENI} --private-ip-addresses 10.0.0.201",
                "--network-interface-id {ENI} --private-ip-addresses 10.0.0.201",
            ),
        ),
        prepped(
            SECONDARY_ON_ENI,
            case(
                "unassign-private-ip-addresses",
                "private-ip-addresses",
                "--network-interface-id {ENI} --private-ip-addresses 10.0.0.202",
                "--network-interface-id {ENI} --private-ip-addresses 10.0.0.201",
            ),
        ),
        prepped(
            SECONDARY_ON_ENI,
            case(
                "associate-address",
                "private-ip-address",
                "--allocation-id {EIP} --network-interface-id {ENI}",
                "--allocation-id {EIP} --network-interface-id {ENI} --private-ip-address 10.0.0.201",
            ),
        ),
        case(
            "associate-address",
            "allocation-id",
            "--allocation-id eipalloc-0123456789abcdef0 --instance-id {MYEC2}",
            "--allocation-id {EIP} --instance-id {MYEC2}",
        ),
        case(
            "associate-address",
            "instance-id",
            "--allocation-id {EIP} --instance-id {WEB1}",
            "--allocation-id {EIP} --instance-id {MYEC2}",
        ),
        case(
            "associate-address",
            "network-interface-id",
            "--allocation-id {EIP} --instance-id {WEB1}",
            "--allocation-id {EIP} --network-interface-id {ENI}",
        ),
        case(
            "associate-address",
            "public-ip",
            "--public-ip 203.0.113.9 --instance-id {MYEC2}",
            "--public-ip {EIPIP} --instance-id {MYEC2}",
        ),
        case(
            "associate-address",
            "allow-reassociation",
            "--allocation-id {EIP2} --instance-id {WEB1} --no-allow-reassociation",
            "--allocation-id {EIP2} --instance-id {WEB1} --allow-reassociation",
        ),
        case(
            "associate-address",
            "no-allow-reassociation",
            "--allocation-id {EIP2} --instance-id {WEB1} --allow-reassociation",
            "--allocation-id {EIP2} --instance-id {WEB1} --no-allow-reassociation",
        ),
        case(
            "disassociate-address",
            "association-id",
            "--association-id eipassoc-0123456789abcdef0",
            "--association-id {ASSOC}",
        ),
        case("disassociate-address", "public-ip", "--public-ip 203.0.113.9", "--public-ip {EIPIP}"),
        case("allocate-address", "domain", "", "--domain standard"),
        case(
            "release-address",
            "allocation-id",
            "--allocation-id eipalloc-0123456789abcdef0",
            "--allocation-id {EIP}",
        ),
        case("release-address", "public-ip", "--public-ip 203.0.113.9", "--public-ip {EIPIP}"),
        case(
            "create-nat-gateway",
            "subnet-id",
            "--subnet-id subnet-0123456789abcdef0 --allocation-id {EIP}",
            "--subnet-id {MYSUBNET} --allocation-id {EIP}",
        ),
        case(
            "create-nat-gateway",
            "allocation-id",
            "--subnet-id {MYSUBNET} --allocation-id {EIP}",
            "--subnet-id {MYSUBNET} --allocation-id {EIP2}",
        ),
        case(
            "create-nat-gateway",
            "connectivity-type",
            "--subnet-id {MYSUBNET} --connectivity-type public",
            "--subnet-id {MYSUBNET} --connectivity-type private",
        ),
        case(
            "create-nat-gateway",
            "private-ip-address",
            "--subnet-id {MYSUBNET} --connectivity-type private",
            "--subnet-id {MYSUBNET} --connectivity-type private --private-ip-address 10.0.0.200",
        ),
        case(
            "delete-nat-gateway",
            "nat-gateway-id",
            "--nat-gateway-id nat-0123456789abcdef0",
            "--nat-gateway-id {NAT}",
        ),
        case("describe-nat-gateways", "nat-gateway-ids", "", "--nat-gateway-ids nat-0123456789abcdef0"),
        case("describe-nat-gateways", "filter", "", "--filter Name=state,Values=deleted"),
        case("describe-nat-gateways", "filters", "", "--filters Name=state,Values=deleted"),
    ]);
    let acl = "--network-acl-id {ACL} --rule-number 150 --protocol tcp --rule-action allow --ingress --cidr-block 10.9.0.0/16 --port-range From=80,To=80";
    let acl_variants = [
        ("network-acl-id", acl.replace("{ACL}", "{ACL2}")),
        ("rule-number", acl.replace("150", "151")),
        ("protocol", acl.replace("tcp", "udp")),
        ("rule-action", acl.replace("allow", "deny")),
        ("egress", acl.replace("--ingress", "--egress")),
        ("cidr-block", acl.replace("10.9.0.0", "10.8.0.0")),
        ("port-range", acl.replace("To=80", "To=81")),
        (
            "icmp-type-code",
            acl.replace("--protocol tcp", "--protocol icmp")
                .replace(" --port-range From=80,To=80", " --icmp-type-code Type=8,Code=0"),
        ),
    ];
    for (flag, with) in acl_variants {
        c.push(case("create-network-acl-entry", flag, acl, &with));
    }
    c.push(case("create-network-acl-entry", "ingress", &acl.replace("--ingress", "--egress"), acl));
    c.push(case(
        "create-network-acl-entry",
        "ipv6-cidr-block",
        acl,
        &acl.replace("--cidr-block 10.9.0.0/16", "--ipv6-cidr-block 2001:db8::/32"),
    ));
    c.extend(ipv6_cases());
    let entry: &'static str = "aws ec2 create-network-acl-entry --network-acl-id {ACL} --rule-number 150 --protocol tcp --rule-action allow --ingress --cidr-block 10.9.0.0/16";
    let del = "--network-acl-id {ACL} --rule-number 150 --ingress";
    c.extend([
        prepped(&[entry], case("delete-network-acl-entry", "network-acl-id", del, &del.replace("{ACL}", "{ACL2}"))),
        prepped(&[entry], case("delete-network-acl-entry", "rule-number", del, &del.replace("150", "151"))),
        prepped(&[entry], case("delete-network-acl-entry", "egress", del, &del.replace("--ingress", "--egress"))),
        prepped(&[entry], case("delete-network-acl-entry", "ingress", &del.replace("--ingress", "--egress"), del)),
        case("register-targets", "target-group-arn", "--target-group-arn arn:aws:elasticloadbalancing:ap-northeast-2:242016487318:targetgroup/none/0123456789abcdef --targets Id={WEB1},Port=8080", "--target-group-arn {TG} --targets Id={WEB1},Port=8080"),
        case("register-targets", "targets", "--target-group-arn {TG} --targets Id={WEB1},Port=8080", "--target-group-arn {TG} --targets Id={WEB1},Port=8081"),
        case("deregister-targets", "target-group-arn", "--target-group-arn arn:aws:elasticloadbalancing:ap-northeast-2:242016487318:targetgroup/none/0123456789abcdef --targets Id={WEB1}", "--target-group-arn {TG} --targets Id={WEB1}"),
        case("deregister-targets", "targets", "--target-group-arn {TG} --targets Id={WEB1}", "--target-group-arn {TG} --targets Id={WEB2}"),
        case("describe-target-health", "target-group-arn", "--target-group-arn arn:aws:elasticloadbalancing:ap-northeast-2:242016487318:targetgroup/none/0123456789abcdef", "--target-group-arn {TG}"),
        case("describe-target-health", "targets", "--target-group-arn {TG}", "--target-group-arn {TG} --targets Id={WEB1}"),
        case("describe-load-balancers", "load-balancer-arns", "", "--load-balancer-arns arn:aws:elasticloadbalancing:ap-northeast-2:242016487318:loadbalancer/net/none/0123456789abcdef"),
        case("describe-load-balancers", "names", "", "--names none"),
        case("describe-target-groups", "target-group-arns", "", "--target-group-arns arn:aws:elasticloadbalancing:ap-northeast-2:242016487318:targetgroup/none/0123456789abcdef"),
        case("describe-target-groups", "names", "", "--names none"),
        case("describe-target-groups", "load-balancer-arn", "", "--load-balancer-arn arn:aws:elasticloadbalancing:ap-northeast-2:242016487318:loadbalancer/net/none/0123456789abcdef"),
        case("describe-listeners", "load-balancer-arn", "--load-balancer-arn arn:aws:elasticloadbalancing:ap-northeast-2:242016487318:loadbalancer/net/none/0123456789abcdef", "--load-balancer-arn {LB}"),
        case("describe-listeners", "listener-arns", "--load-balancer-arn {LB}", "--listener-arns arn:aws:elasticloadbalancing:ap-northeast-2:242016487318:listener/net/none/0123456789abcdef/0123456789abcdef"),
        case("modify-target-group-attributes", "target-group-arn", "--target-group-arn arn:aws:elasticloadbalancing:ap-northeast-2:242016487318:targetgroup/none/0123456789abcdef --attributes Key=deregistration_delay.timeout_seconds,Value=30", "--target-group-arn {TG} --attributes Key=deregistration_delay.timeout_seconds,Value=30"),
        case("modify-target-group-attributes", "attributes", "--target-group-arn {TG} --attributes Key=deregistration_delay.timeout_seconds,Value=30", "--target-group-arn {TG} --attributes Key=deregistration_delay.timeout_seconds,Value=31"),
        case("describe-target-group-attributes", "target-group-arn", "--target-group-arn arn:aws:elasticloadbalancing:ap-northeast-2:242016487318:targetgroup/none/0123456789abcdef", "--target-group-arn {TG}"),
        case("set-security-groups", "load-balancer-arn", "--load-balancer-arn arn:aws:elasticloadbalancing:ap-northeast-2:242016487318:loadbalancer/net/none/0123456789abcdef --security-groups {CSG}", "--load-balancer-arn {LB} --security-groups {CSG}"),
        case("set-security-groups", "security-groups", "--load-balancer-arn {LB} --security-groups sg-0123456789abcdef0", "--load-balancer-arn {LB} --security-groups {CSG}"),
        case("set-security-groups", "enforce-security-group-inbound-rules-on-private-link-traffic", "--load-balancer-arn {LB} --security-groups {CSG}", "--load-balancer-arn {LB} --security-groups {CSG} --enforce-security-group-inbound-rules-on-private-link-traffic sometimes"),
        case("create-vpc-peering-connection", "vpc-id", "--vpc-id {CVPC} --peer-vpc-id {CVPC}", "--vpc-id {MYVPC} --peer-vpc-id {CVPC}"),
        prepped(&[PCX_DELETE], case("create-vpc-peering-connection", "peer-vpc-id", "--vpc-id {MYVPC} --peer-vpc-id {MYVPC}", "--vpc-id {MYVPC} --peer-vpc-id {CVPC}")),
        case("accept-vpc-peering-connection", "vpc-peering-connection-id", "--vpc-peering-connection-id pcx-0123456789abcdef0", "--vpc-peering-connection-id {PCX}"),
        case("reject-vpc-peering-connection", "vpc-peering-connection-id", "--vpc-peering-connection-id pcx-0123456789abcdef0", "--vpc-peering-connection-id {PCX}"),
        case("delete-vpc-peering-connection", "vpc-peering-connection-id", "--vpc-peering-connection-id pcx-0123456789abcdef0", "--vpc-peering-connection-id {PCX}"),
        case("describe-vpc-peering-connections", "vpc-peering-connection-ids", "--vpc-peering-connection-ids pcx-0123456789abcdef0", "--vpc-peering-connection-ids {PCX}"),
        case("describe-vpc-peering-connections", "filters", "", "--filters Name=status-code,Values=active"),
        prepped(&[PCX_ACCEPT], case("modify-vpc-peering-connection-options", "vpc-peering-connection-id", "--vpc-peering-connection-id pcx-0123456789abcdef0 --requester-peering-connection-options AllowDnsResolutionFromRemoteVpc=true", "--vpc-peering-connection-id {PCX} --requester-peering-connection-options AllowDnsResolutionFromRemoteVpc=true")),
        prepped(&[PCX_ACCEPT], case("modify-vpc-peering-connection-options", "requester-peering-connection-options", "--vpc-peering-connection-id {PCX} --accepter-peering-connection-options AllowDnsResolutionFromRemoteVpc=true", "--vpc-peering-connection-id {PCX} --requester-peering-connection-options AllowDnsResolutionFromRemoteVpc=true")),
        prepped(&[PCX_ACCEPT], case("modify-vpc-peering-connection-options", "accepter-peering-connection-options", "--vpc-peering-connection-id {PCX} --requester-peering-connection-options AllowDnsResolutionFromRemoteVpc=true", "--vpc-peering-connection-id {PCX} --accepter-peering-connection-options AllowDnsResolutionFromRemoteVpc=true")),
        case("create-vpc-endpoint", "route-table-ids", "--vpc-id {MYVPC} --service-name com.amazonaws.ap-northeast-2.s3", "--vpc-id {MYVPC} --service-name com.amazonaws.ap-northeast-2.s3 --route-table-ids {MYRT}"),
        case("create-vpc-endpoint", "policy-document", "--vpc-id {MYVPC} --service-name com.amazonaws.ap-northeast-2.s3", &format!("--vpc-id {{MYVPC}} --service-name com.amazonaws.ap-northeast-2.s3 --policy-document '{DENY_ALL}'")),
        case("modify-vpc-endpoint", "vpc-endpoint-id", "--vpc-endpoint-id vpce-0123456789abcdef0 --reset-policy", "--vpc-endpoint-id {GWE} --reset-policy"),
        case("modify-vpc-endpoint", "policy-document", "--vpc-endpoint-id {GWE} --reset-policy", &format!("--vpc-endpoint-id {{GWE}} --policy-document '{DENY_ALL}'")),
        prepped(&[GWE_DENY], case("modify-vpc-endpoint", "reset-policy", "--vpc-endpoint-id {GWE} --no-reset-policy", "--vpc-endpoint-id {GWE} --reset-policy")),
        case("modify-vpc-endpoint", "no-reset-policy", &format!("--vpc-endpoint-id {{GWE}} --reset-policy --policy-document '{DENY_ALL}'"), &format!("--vpc-endpoint-id {{GWE}} --no-reset-policy --policy-document '{DENY_ALL}'")),
        case("create-route", "destination-prefix-list-id", "--route-table-id {MYRT} --destination-cidr-block 203.0.113.0/24 --gateway-id {MYIGW}", "--route-table-id {MYRT} --destination-prefix-list-id {PL} --gateway-id {MYIGW}"),
        prepped(&[PL_ROUTE], case("replace-route", "destination-prefix-list-id", "--route-table-id {MYRT} --destination-prefix-list-id pl-0123456789abcdef0 --network-interface-id {ENI}", "--route-table-id {MYRT} --destination-prefix-list-id {PL} --network-interface-id {ENI}")),
        prepped(&[PL_ROUTE], case("delete-route", "destination-prefix-list-id", "--route-table-id {MYRT} --destination-prefix-list-id pl-0123456789abcdef0", "--route-table-id {MYRT} --destination-prefix-list-id {PL}")),
        case("create-managed-prefix-list", "prefix-list-name", "--prefix-list-name com.amazonaws.lab --max-entries 2", "--prefix-list-name lab --max-entries 2"),
        case("create-managed-prefix-list", "max-entries", "--prefix-list-name lab --max-entries 2", "--prefix-list-name lab --max-entries 3"),
        case("create-managed-prefix-list", "address-family", "--prefix-list-name lab --max-entries 2", "--prefix-list-name lab --max-entries 2 --address-family IPv6"),
        case("create-managed-prefix-list", "entries", "--prefix-list-name lab --max-entries 2", "--prefix-list-name lab --max-entries 2 --entries Cidr=10.9.0.0/16"),
        case("describe-prefix-lists", "prefix-list-ids", "", "--prefix-list-ids {S3PL}"),
        case("describe-prefix-lists", "filters", "", "--filters Name=prefix-list-name,Values=com.amazonaws.ap-northeast-2.s3"),
        case("describe-managed-prefix-lists", "prefix-list-ids", "", "--prefix-list-ids {PL}"),
        case("describe-managed-prefix-lists", "filters", "", "--filters Name=owner-id,Values=AWS"),
        case("get-managed-prefix-list-entries", "prefix-list-id", "--prefix-list-id {S3PL}", "--prefix-list-id {PL}"),
        case("delete-stack", "stack-name", "--stack-name one", "--stack-name two"),
        case("describe-stacks", "stack-name", "", "--stack-name two"),
        case("create-stack", "stack-name", &format!("--stack-name made --template-body {CFN_T}"), &format!("--stack-name made2 --template-body {CFN_T}")),
        case("create-stack", "template-body", "--stack-name made", &format!("--stack-name made --template-body {CFN_T}")),
        case("create-stack", "parameters", &format!("--stack-name made --template-body {CFN_T}"), &format!("--stack-name made --template-body {CFN_T} --parameters ParameterKey=C,ParameterValue=10.8.0.0/16")),
        prepped(&[CREATE_MADE], case("describe-stack-events", "stack-name", "--stack-name nope", "--stack-name made")),
        prepped(&[NFN_REJECT, REJECT_EP], case("vpcsim-list-published-messages", "topic-arn", "", "--topic-arn arn:aws:sns:us-east-1:123456789012:other")),
        case("describe-auto-scaling-groups", "auto-scaling-group-names", "", "--auto-scaling-group-names {ASG}"),
        case("create-vpc-endpoint-connection-notification", "service-id", &nfn("--vpc-endpoint-id {EP}"), &nfn("--service-id {SVC}")),
        case("create-vpc-endpoint-connection-notification", "vpc-endpoint-id", &nfn("--service-id {SVC}"), &nfn("--vpc-endpoint-id {EP}")),
        case("create-vpc-endpoint-connection-notification", "connection-notification-arn", &nfn("--service-id {SVC}"), &nfn("--service-id {SVC}").replace(":ops", ":other")),
        case("create-vpc-endpoint-connection-notification", "connection-events", &nfn("--service-id {SVC}"), &nfn("--service-id {SVC}").replace("Accept", "Reject")),
        case("describe-vpc-endpoint-connection-notifications", "connection-notification-id", "", "--connection-notification-id vpce-nfn-00000000000000000"),
        case("delete-vpc-endpoint-connection-notifications", "connection-notification-ids", "--connection-notification-ids vpce-nfn-00000000000000000", "--connection-notification-ids vpce-nfn-11111111111111111"),
        case("create-launch-template", "launch-template-name", "--launch-template-name a --launch-template-data InstanceType=t3.micro", "--launch-template-name b --launch-template-data InstanceType=t3.micro"),
        case("create-launch-template", "launch-template-data", "--launch-template-name a --launch-template-data InstanceType=t3.micro", "--launch-template-name a --launch-template-data InstanceType=t3.large"),
        prepped(&[OTHER_LT], case("describe-launch-templates", "launch-template-ids", "", "--launch-template-ids {LT}")),
        prepped(&[OTHER_LT], case("describe-launch-templates", "launch-template-names", "", "--launch-template-names other")),
        prepped(&[OTHER_LT], case("delete-launch-template", "launch-template-id", "--launch-template-name other", "--launch-template-id {LT}")),
        prepped(&[OTHER_LT], case("delete-launch-template", "launch-template-name", "--launch-template-id {LT}", "--launch-template-name other")),
        case("create-auto-scaling-group", "auto-scaling-group-name", &asg(""), &asg("").replace("--auto-scaling-group-name n", "--auto-scaling-group-name m")),
        case("create-auto-scaling-group", "launch-template", &asg("").replace("--launch-template LaunchTemplateId={LT}", ""), &asg("")),
        case("create-auto-scaling-group", "min-size", &asg(""), &asg("").replace("--min-size 0", "--min-size 1")),
        case("create-auto-scaling-group", "max-size", &asg(""), &asg("").replace("--max-size 2", "--max-size 3")),
        case("create-auto-scaling-group", "desired-capacity", &asg(""), &asg("--desired-capacity 1")),
        case("create-auto-scaling-group", "vpc-zone-identifier", &asg("").replace("--vpc-zone-identifier {STACKSUBNET}", ""), &asg("")),
        case("create-auto-scaling-group", "target-group-arns", &asg(""), &asg("--target-group-arns {TG}")),
        case("create-auto-scaling-group", "health-check-type", &asg("--health-check-type EC2"), &asg("--health-check-type ELB")),
        case("create-auto-scaling-group", "health-check-grace-period", &asg(""), &asg("--health-check-grace-period 30")),
        case("create-auto-scaling-group", "tags", &asg(""), &asg("--tags Key=Tier,Value=web,PropagateAtLaunch=true")),
        case("delete-auto-scaling-group", "auto-scaling-group-name", "--auto-scaling-group-name {ASG}", "--auto-scaling-group-name {ASG2}"),
        prepped(&[ASG_ONE], case("delete-auto-scaling-group", "force-delete", "--auto-scaling-group-name {ASG}", "--auto-scaling-group-name {ASG} --force-delete")),
        prepped(&[ASG_ONE], case("delete-auto-scaling-group", "no-force-delete", "--auto-scaling-group-name {ASG} --force-delete", "--auto-scaling-group-name {ASG} --no-force-delete")),
        case("set-desired-capacity", "auto-scaling-group-name", "--auto-scaling-group-name {ASG} --desired-capacity 1", "--auto-scaling-group-name {ASG2} --desired-capacity 1"),
        case("set-desired-capacity", "desired-capacity", "--auto-scaling-group-name {ASG} --desired-capacity 1", "--auto-scaling-group-name {ASG} --desired-capacity 2"),
        case("run-instances", "image-id", "--subnet-id {MYSUBNET}", "--subnet-id {MYSUBNET} --image-id ami-0fedcba9876543210"),
        case("run-instances", "instance-type", "--subnet-id {MYSUBNET}", "--subnet-id {MYSUBNET} --instance-type t3.large"),
        case("run-instances", "count", "--subnet-id {MYSUBNET}", "--subnet-id {MYSUBNET} --count 2"),
        case("run-instances", "subnet-id", "--subnet-id {MYSUBNET}", "--subnet-id {CSUBNET}"),
        case("run-instances", "security-group-ids", "--subnet-id {MYSUBNET}", "--subnet-id {MYSUBNET} --security-group-ids {WEBSG}"),
        case("run-instances", "private-ip-address", "--subnet-id {MYSUBNET}", "--subnet-id {MYSUBNET} --private-ip-address 10.0.0.200"),
        case(
            "run-instances",
            "secondary-private-ip-addresses",
            "--subnet-id {MYSUBNET}",
            "--subnet-id {MYSUBNET} --secondary-private-ip-addresses 10.0.0.201",
        ),
        case(
            "run-instances",
            "secondary-private-ip-address-count",
            "--subnet-id {MYSUBNET}",
            "--subnet-id {MYSUBNET} --secondary-private-ip-address-count 1",
        ),
        case("run-instances", "associate-public-ip-address", "--subnet-id {MYSUBNET} --no-associate-public-ip-address", "--subnet-id {MYSUBNET} --associate-public-ip-address"),
        case("run-instances", "no-associate-public-ip-address", "--subnet-id {MYSUBNET} --associate-public-ip-address", "--subnet-id {MYSUBNET} --no-associate-public-ip-address"),
        case("run-instances", "key-name", "--subnet-id {MYSUBNET}", "--subnet-id {MYSUBNET} --key-name lab"),
        case("run-instances", "user-data", "--subnet-id {MYSUBNET}", "--subnet-id {MYSUBNET} --user-data 'systemctl stop sshd'"),
        case("run-instances", "launch-template", "--subnet-id {STACKSUBNET}", "--subnet-id {STACKSUBNET} --launch-template LaunchTemplateId={LT}"),
        case("run-instances", "metadata-options", "--subnet-id {MYSUBNET}", "--subnet-id {MYSUBNET} --metadata-options HttpTokens=required"),
    ]);
    c.extend(insights_cases());
    c.extend(flow_log_cases());
    c.extend(network_cases());
    c.extend(load_balancing_cases());
    c
}

/// The elbv2 calls that build a Network Load Balancer by hand.
#[rustfmt::skip]
fn load_balancing_cases() -> Vec<Case> {
    const LB: &str = "--name hand --type network --subnets {MYSUBNET}";
    const TG: &str = "--name hand --protocol TCP --port 80 --vpc-id {MYVPC}";
    const LISTENER: &str = "--load-balancer-arn {LB} --protocol TCP --port 8081 --default-actions Type=forward,TargetGroupArn={TG}";
    let with = |base: &str, more: &str| format!("{base} {more}");
    vec![
        case("create-load-balancer", "name", LB, "--name other --type network --subnets {MYSUBNET}"),
        case("create-load-balancer", "type", "--name hand --subnets {MYSUBNET}", LB),
        case("create-load-balancer", "subnets", LB, "--name hand --type network --subnets {CSUBNET}"),
        case("create-load-balancer", "scheme", LB, &with(LB, "--scheme internal")),
        case("create-load-balancer", "security-groups", LB, &with(LB, "--security-groups {WEBSG}")),
        case("create-load-balancer", "tags", LB, &with(LB, "--tags Key=Name,Value=hand")),
        case("create-target-group", "name", TG, "--name other --protocol TCP --port 80 --vpc-id {MYVPC}"),
        case("create-target-group", "protocol", TG, "--name hand --protocol UDP --port 80 --vpc-id {MYVPC}"),
        case("create-target-group", "port", TG, "--name hand --protocol TCP --port 81 --vpc-id {MYVPC}"),
        case("create-target-group", "vpc-id", TG, "--name hand --protocol TCP --port 80 --vpc-id {CVPC}"),
        case("create-target-group", "target-type", TG, &with(TG, "--target-type ip")),
        case("create-target-group", "health-check-protocol", TG, &with(TG, "--health-check-protocol HTTP")),
        case("create-target-group", "health-check-port", TG, &with(TG, "--health-check-port 8080")),
        case("create-target-group", "health-check-path", &with(TG, "--health-check-protocol HTTP"), &with(TG, "--health-check-protocol HTTP --health-check-path /health")),
        case("create-target-group", "tags", TG, &with(TG, "--tags Key=Name,Value=hand")),
        case("create-listener", "load-balancer-arn", "--load-balancer-arn arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:loadbalancer/net/none/0 --protocol TCP --port 8081 --default-actions Type=forward,TargetGroupArn={TG}", LISTENER),
        case("create-listener", "protocol", LISTENER, "--load-balancer-arn {LB} --protocol TCP_UDP --port 8081 --default-actions Type=forward,TargetGroupArn={TG}"),
        case("create-listener", "port", LISTENER, "--load-balancer-arn {LB} --protocol TCP --port 8082 --default-actions Type=forward,TargetGroupArn={TG}"),
        case("create-listener", "default-actions", "--load-balancer-arn {LB} --protocol TCP --port 8081", LISTENER),
        case("delete-load-balancer", "load-balancer-arn", "--load-balancer-arn arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:loadbalancer/net/none/0", "--load-balancer-arn {LB}"),
        case("delete-target-group", "target-group-arn", "--target-group-arn arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:targetgroup/none/0", "--target-group-arn {TG}"),
        case("delete-listener", "listener-arn", "--listener-arn arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:listener/net/none/0/0", "--listener-arn {LISTENER}"),
    ]
}

/// The calls that build a network by hand.
#[rustfmt::skip]
/// A8: MyVPC with an Amazon-provided IPv6 block (`{V6A}` and `{V6B}` are its first /64s).
const MY_VPC_IPV6: &[&str] = &["aws ec2 associate-vpc-cidr-block --vpc-id {MYVPC} --amazon-provided-ipv6-cidr-block"];
/// A8: that, and an egress-only gateway in each lab VPC (`{EIGW}` is MyVPC's).
const EIGWS: &[&str] = &[
    "aws ec2 associate-vpc-cidr-block --vpc-id {MYVPC} --amazon-provided-ipv6-cidr-block",
    "aws ec2 create-egress-only-internet-gateway --vpc-id {MYVPC}",
    "aws ec2 create-egress-only-internet-gateway --vpc-id {CVPC}",
];
/// A8: MyVPC's block, its gateway, and MyRT's `::/0` route to the internet gateway.
const IPV6_ROUTE: &[&str] = &[
    "aws ec2 associate-vpc-cidr-block --vpc-id {MYVPC} --amazon-provided-ipv6-cidr-block",
    "aws ec2 create-egress-only-internet-gateway --vpc-id {MYVPC}",
    "aws ec2 create-route --route-table-id {MYRT} --destination-ipv6-cidr-block ::/0 --gateway-id {MYIGW}",
];

/// A8: the dual-stack calls' flags.
fn ipv6_cases() -> Vec<Case> {
    let v6_route = "--route-table-id {MYRT} --destination-ipv6-cidr-block ::/0 --gateway-id {MYIGW}";
    let to_eigw =
        "--route-table-id {MYRT} --destination-ipv6-cidr-block ::/0 --egress-only-internet-gateway-id {EIGW}";
    vec![
        case(
            "associate-vpc-cidr-block",
            "amazon-provided-ipv6-cidr-block",
            "--vpc-id {MYVPC}",
            "--vpc-id {MYVPC} --amazon-provided-ipv6-cidr-block",
        ),
        case(
            "associate-vpc-cidr-block",
            "no-amazon-provided-ipv6-cidr-block",
            "--vpc-id {MYVPC} --amazon-provided-ipv6-cidr-block",
            "--vpc-id {MYVPC} --no-amazon-provided-ipv6-cidr-block",
        ),
        prepped(
            MY_VPC_IPV6,
            case(
                "associate-subnet-cidr-block",
                "subnet-id",
                "--subnet-id subnet-0123456789abcdef0 --ipv6-cidr-block {V6A}",
                "--subnet-id {MYSUBNET} --ipv6-cidr-block {V6A}",
            ),
        ),
        prepped(
            MY_VPC_IPV6,
            case(
                "associate-subnet-cidr-block",
                "ipv6-cidr-block",
                "--subnet-id {MYSUBNET} --ipv6-cidr-block {V6A}",
                "--subnet-id {MYSUBNET} --ipv6-cidr-block {V6B}",
            ),
        ),
        case("create-egress-only-internet-gateway", "vpc-id", "--vpc-id {CVPC}", "--vpc-id {MYVPC}"),
        prepped(
            EIGWS,
            case(
                "delete-egress-only-internet-gateway",
                "egress-only-internet-gateway-id",
                "--egress-only-internet-gateway-id eigw-0123456789abcdef0",
                "--egress-only-internet-gateway-id {EIGW}",
            ),
        ),
        prepped(
            EIGWS,
            case(
                "describe-egress-only-internet-gateways",
                "egress-only-internet-gateway-ids",
                "",
                "--egress-only-internet-gateway-ids {EIGW}",
            ),
        ),
        prepped(
            EIGWS,
            case(
                "describe-egress-only-internet-gateways",
                "filters",
                "",
                "--filters Name=attachment.vpc-id,Values={MYVPC}",
            ),
        ),
        prepped(
            MY_VPC_IPV6,
            case(
                "create-route",
                "destination-ipv6-cidr-block",
                "--route-table-id {MYRT} --destination-cidr-block 10.50.0.0/16 --gateway-id {MYIGW}",
                v6_route,
            ),
        ),
        prepped(EIGWS, case("create-route", "egress-only-internet-gateway-id", v6_route, to_eigw)),
        prepped(
            IPV6_ROUTE,
            case(
                "replace-route",
                "destination-ipv6-cidr-block",
                "--route-table-id {MYRT} --destination-cidr-block 10.50.0.0/16 --network-interface-id {ENI}",
                "--route-table-id {MYRT} --destination-ipv6-cidr-block ::/0 --network-interface-id {ENI}",
            ),
        ),
        prepped(IPV6_ROUTE, case("replace-route", "egress-only-internet-gateway-id", v6_route, to_eigw)),
        prepped(
            IPV6_ROUTE,
            case(
                "delete-route",
                "destination-ipv6-cidr-block",
                "--route-table-id {MYRT} --destination-ipv6-cidr-block 2001:db8::/32",
                "--route-table-id {MYRT} --destination-ipv6-cidr-block ::/0",
            ),
        ),
    ]
}

fn network_cases() -> Vec<Case> {
    const TAG_VPC: &str = "--tag-specifications 'ResourceType=vpc,Tags=[{Key=Name,Value=hand}]'";
    vec![
        case("create-vpc", "cidr-block", "--cidr-block 10.50.0.0/16", "--cidr-block 10.51.0.0/24"),
        case("create-vpc", "tag-specifications", "--cidr-block 10.50.0.0/16", &format!("--cidr-block 10.50.0.0/16 {TAG_VPC}")),
        case("delete-vpc", "vpc-id", "--vpc-id vpc-0123456789abcdef0", "--vpc-id {CVPC}"),
        case("modify-vpc-attribute", "vpc-id", "--vpc-id {CVPC} --no-enable-dns-support", "--vpc-id {MYVPC} --no-enable-dns-support"),
        case("modify-vpc-attribute", "enable-dns-support", "--vpc-id {MYVPC} --no-enable-dns-support", "--vpc-id {MYVPC} --enable-dns-support"),
        case("modify-vpc-attribute", "no-enable-dns-support", "--vpc-id {MYVPC} --enable-dns-support", "--vpc-id {MYVPC} --no-enable-dns-support"),
        case("modify-vpc-attribute", "enable-dns-hostnames", "--vpc-id {MYVPC} --no-enable-dns-hostnames", "--vpc-id {MYVPC} --enable-dns-hostnames '{\"Value\":true}'"),
        case("modify-vpc-attribute", "no-enable-dns-hostnames", "--vpc-id {MYVPC} --enable-dns-hostnames", "--vpc-id {MYVPC} --no-enable-dns-hostnames"),
        case("create-subnet", "vpc-id", "--vpc-id {CVPC} --cidr-block 10.0.200.0/24", "--vpc-id {MYVPC} --cidr-block 10.0.200.0/24"),
        case("create-subnet", "cidr-block", "--vpc-id {MYVPC} --cidr-block 10.0.200.0/24", "--vpc-id {MYVPC} --cidr-block 10.0.201.0/24"),
        case("create-subnet", "availability-zone", "--vpc-id {MYVPC} --cidr-block 10.0.200.0/24", "--vpc-id {MYVPC} --cidr-block 10.0.200.0/24 --availability-zone ap-northeast-2c"),
        case("create-subnet", "tag-specifications", "--vpc-id {MYVPC} --cidr-block 10.0.200.0/24", "--vpc-id {MYVPC} --cidr-block 10.0.200.0/24 --tag-specifications 'ResourceType=subnet,Tags=[{Key=Name,Value=hand}]'"),
        case("delete-subnet", "subnet-id", "--subnet-id subnet-0123456789abcdef0", "--subnet-id {MYSUBNET}"),
        case("modify-subnet-attribute", "subnet-id", "--subnet-id {CSUBNET} --map-public-ip-on-launch", "--subnet-id {MYSUBNET} --map-public-ip-on-launch"),
        case("modify-subnet-attribute", "map-public-ip-on-launch", "--subnet-id {CSUBNET} --no-map-public-ip-on-launch", "--subnet-id {CSUBNET} --map-public-ip-on-launch"),
        case("modify-subnet-attribute", "no-map-public-ip-on-launch", "--subnet-id {CSUBNET} --map-public-ip-on-launch", "--subnet-id {CSUBNET} --no-map-public-ip-on-launch"),
        case("create-security-group", "group-name", "--group-name a --description d --vpc-id {MYVPC}", "--group-name b --description d --vpc-id {MYVPC}"),
        case("create-security-group", "description", "--group-name a --description d --vpc-id {MYVPC}", "--group-name a --description e --vpc-id {MYVPC}"),
        case("create-security-group", "vpc-id", "--group-name a --description d", "--group-name a --description d --vpc-id {MYVPC}"),
        case("create-security-group", "tag-specifications", "--group-name a --description d --vpc-id {MYVPC}", "--group-name a --description d --vpc-id {MYVPC} --tag-specifications 'ResourceType=security-group,Tags=[{Key=Name,Value=hand}]'"),
        case("delete-security-group", "group-id", "", "--group-id {WEBSG}"),
        case("create-route-table", "vpc-id", "--vpc-id {CVPC}", "--vpc-id {MYVPC}"),
        case("create-route-table", "tag-specifications", "--vpc-id {MYVPC}", "--vpc-id {MYVPC} --tag-specifications 'ResourceType=route-table,Tags=[{Key=Name,Value=hand}]'"),
        case("associate-route-table", "route-table-id", "--route-table-id rtb-0123456789abcdef0 --subnet-id {MYSUBNET}", "--route-table-id {MYRT} --subnet-id {MYSUBNET}"),
        case("associate-route-table", "subnet-id", "--route-table-id {MYRT}", "--route-table-id {MYRT} --subnet-id {MYSUBNET}"),
        case("disassociate-route-table", "association-id", "--association-id rtbassoc-0123456789abcdef0", "--association-id {MYRTASSOC}"),
        case("delete-route-table", "route-table-id", "--route-table-id rtb-0123456789abcdef0", "--route-table-id {MYRT}"),
        case("create-internet-gateway", "tag-specifications", "", "--tag-specifications 'ResourceType=internet-gateway,Tags=[{Key=Name,Value=hand}]'"),
        case("delete-internet-gateway", "internet-gateway-id", "--internet-gateway-id igw-0123456789abcdef0", "--internet-gateway-id {MYIGW}"),
        case("create-network-acl", "vpc-id", "--vpc-id {CVPC}", "--vpc-id {MYVPC}"),
        case("create-network-acl", "tag-specifications", "--vpc-id {MYVPC}", "--vpc-id {MYVPC} --tag-specifications 'ResourceType=network-acl,Tags=[{Key=Name,Value=hand}]'"),
        case("replace-network-acl-association", "association-id", "--association-id aclassoc-0123456789abcdef0 --network-acl-id {ACL}", "--association-id {MYACLASSOC} --network-acl-id {ACL}"),
        case("replace-network-acl-association", "network-acl-id", "--association-id {MYACLASSOC} --network-acl-id acl-0123456789abcdef0", "--association-id {MYACLASSOC} --network-acl-id {ACL}"),
        case("delete-network-acl", "network-acl-id", "--network-acl-id acl-0123456789abcdef0", "--network-acl-id {ACL}"),
        case("run-instances", "tag-specifications", "--subnet-id {MYSUBNET}", "--subnet-id {MYSUBNET} --tag-specifications 'ResourceType=instance,Tags=[{Key=Name,Value=hand}]'"),
    ]
}

/// F1: the flow log and CloudWatch Logs calls' flags; `@nc HOST PORT` sends a flow from My-EC2.
fn flow_log_cases() -> Vec<Case> {
    const ROLE: &str = "--deliver-logs-permission-arn arn:aws:iam::123456789012:role/flow-logs";
    let create = format!("aws ec2 create-flow-logs --resource-ids {{MYVPC}} --resource-type VPC --traffic-type ALL --log-group-name g {ROLE}");
    let flows: &'static str = Box::leak(create.clone().into_boxed_str());
    let logged: &[&'static str] = Box::leak(vec![flows, "@nc 8.8.8.8 53"].into_boxed_slice());
    let vpc = |rest: &str| format!("--resource-ids {{MYVPC}} --resource-type VPC --traffic-type ALL {rest}");
    let cw = |rest: &str| vpc(&format!("--log-group-name g {ROLE} {rest}"));
    let to_s3: &[&'static str] = &["aws ec2 create-flow-logs --resource-ids {MYVPC} --resource-type VPC --traffic-type ALL --log-destination-type s3 --log-destination arn:aws:s3:::flows"];
    vec![
        prepped(to_s3, case("list-objects-v2", "bucket", "--bucket other-bucket", "--bucket flows")),
        prepped(to_s3, case("list-objects-v2", "prefix", "--bucket flows", "--bucket flows --prefix AWSLogs/")),
        case("create-flow-logs", "resource-ids", &cw("").replace("{MYVPC}", "{CVPC}"), &cw("")),
        case(
            "create-flow-logs",
            "resource-type",
            &format!("--resource-ids {{MYSUBNET}} --resource-type VPC --traffic-type ALL --log-group-name g {ROLE}"),
            &format!("--resource-ids {{MYSUBNET}} --resource-type Subnet --traffic-type ALL --log-group-name g {ROLE}"),
        ),
        case("create-flow-logs", "traffic-type", &cw(""), &cw("").replace("ALL", "REJECT")),
        case(
            "create-flow-logs",
            "log-destination-type",
            &vpc("--log-destination arn:aws:s3:::flows"),
            &vpc("--log-destination arn:aws:s3:::flows --log-destination-type s3"),
        ),
        case("create-flow-logs", "log-group-name", &cw(""), &cw("").replace("--log-group-name g", "--log-group-name h")),
        case(
            "create-flow-logs",
            "log-destination",
            &cw(""),
            &cw("").replace("--log-group-name g", "--log-destination arn:aws:logs:ap-northeast-2:123456789012:log-group:h"),
        ),
        case("create-flow-logs", "deliver-logs-permission-arn", &vpc("--log-group-name g"), &cw("")),
        case("create-flow-logs", "log-format", &cw(""), &cw("--log-format '${version} ${action}'")),
        case("create-flow-logs", "max-aggregation-interval", &cw(""), &cw("--max-aggregation-interval 60")),
        case(
            "create-flow-logs",
            "destination-options",
            &vpc("--log-destination-type s3 --log-destination arn:aws:s3:::flows"),
            &vpc("--log-destination-type s3 --log-destination arn:aws:s3:::flows --destination-options HiveCompatiblePartitions=true"),
        ),
        prepped(logged, case("describe-flow-logs", "flow-log-ids", "", "--flow-log-ids fl-0123456789abcdef0")),
        prepped(logged, case("describe-flow-logs", "filter", "", "--filter Name=traffic-type,Values=REJECT")),
        prepped(logged, case("describe-flow-logs", "filters", "", "--filters Name=traffic-type,Values=REJECT")),
        prepped(logged, case("delete-flow-logs", "flow-log-ids", "--flow-log-ids fl-0123456789abcdef0", "--flow-log-ids {FL}")),
        prepped(logged, case("filter-log-events", "log-group-name", "--log-group-name h", "--log-group-name g")),
        prepped(logged, case("filter-log-events", "log-group-identifier", "--log-group-identifier h", "--log-group-identifier g")),
        prepped(logged, case("filter-log-events", "filter-pattern", "--log-group-name g", "--log-group-name g --filter-pattern REJECT")),
        prepped(logged, case("filter-log-events", "log-stream-names", "--log-group-name g", "--log-group-name g --log-stream-names eni-0123456789abcdef0")),
        prepped(logged, case("filter-log-events", "log-stream-name-prefix", "--log-group-name g", "--log-group-name g --log-stream-name-prefix x")),
        prepped(logged, case("filter-log-events", "start-time", "--log-group-name g", "--log-group-name g --start-time 9999999999999")),
        prepped(logged, case("filter-log-events", "end-time", "--log-group-name g", "--log-group-name g --end-time 1")),
        prepped(logged, case("describe-log-groups", "log-group-name-prefix", "", "--log-group-name-prefix x")),
    ]
}

/// RA4: the network insights calls' flags.
fn insights_cases() -> Vec<Case> {
    let path = |rest: &str| format!("--protocol tcp --destination-port 80 {rest}");
    let to_web1 = path("--source {MYEC2} --destination {WEB1}");
    let out = "--source {MYEC2} --destination-ip 8.8.8.8 --protocol tcp";
    let m = r#"--match-paths '[{"Source":{"ResourceStatement":{"ResourceTypes":["AWS::EC2::InternetGateway"]}}}]'"#;
    let x = r#"--exclude-paths '[{"Destination":{"ResourceStatement":{"Resources":["{WEB1}"]}}}]'"#;
    vec![
        case(
            "create-network-insights-path",
            "source",
            &path("--source {MYIGW} --destination {WEB1}"),
            &to_web1,
        ),
        case(
            "create-network-insights-path",
            "destination",
            &path("--source {MYEC2} --destination {WEB2}"),
            &to_web1,
        ),
        case(
            "create-network-insights-path",
            "source-ip",
            &path("--source {MYIGW} --destination {WEB1}"),
            &path("--source {MYIGW} --destination {WEB1} --source-ip 198.51.100.7"),
        ),
        case(
            "create-network-insights-path",
            "destination-ip",
            &format!("{out} --destination-port 80"),
            &format!("{out} --destination-port 80").replace("8.8.8.8", "8.8.4.4"),
        ),
        case("create-network-insights-path", "protocol", &to_web1, &to_web1.replace("tcp", "udp")),
        case("create-network-insights-path", "destination-port", &to_web1, &to_web1.replace("80", "443")),
        case(
            "create-network-insights-path",
            "filter-at-source",
            &format!("{out} --filter-at-source DestinationPortRange={{FromPort=80,ToPort=80}}"),
            &format!("{out} --filter-at-source DestinationPortRange={{FromPort=443,ToPort=443}}"),
        ),
        case(
            "start-network-insights-analysis",
            "network-insights-path-id",
            "--network-insights-path-id nip-0123456789abcdef0",
            "--network-insights-path-id {NIP}",
        ),
        case(
            "describe-network-insights-paths",
            "network-insights-path-ids",
            "--network-insights-path-ids nip-0123456789abcdef0",
            "--network-insights-path-ids {NIP}",
        ),
        case("describe-network-insights-paths", "filters", "", "--filters Name=protocol,Values=udp"),
        case(
            "describe-network-insights-analyses",
            "network-insights-analysis-ids",
            "--network-insights-analysis-ids nia-0123456789abcdef0",
            "--network-insights-analysis-ids {NIA}",
        ),
        case(
            "describe-network-insights-analyses",
            "network-insights-path-id",
            "--network-insights-path-id nip-0123456789abcdef0",
            "--network-insights-path-id {NIP}",
        ),
        case("describe-network-insights-analyses", "filters", "", "--filters Name=status,Values=failed"),
        case(
            "delete-network-insights-path",
            "network-insights-path-id",
            "--network-insights-path-id nip-0123456789abcdef0",
            "--network-insights-path-id {NIP}",
        ),
        case(
            "delete-network-insights-analysis",
            "network-insights-analysis-id",
            "--network-insights-analysis-id nia-0123456789abcdef0",
            "--network-insights-analysis-id {NIA}",
        ),
        case("create-network-insights-access-scope", "match-paths", "", m),
        case("create-network-insights-access-scope", "exclude-paths", m, &format!("{m} {x}")),
        case(
            "start-network-insights-access-scope-analysis",
            "network-insights-access-scope-id",
            "--network-insights-access-scope-id nis-0123456789abcdef0",
            "--network-insights-access-scope-id {NIS}",
        ),
        case(
            "get-network-insights-access-scope-analysis-findings",
            "network-insights-access-scope-analysis-id",
            "--network-insights-access-scope-analysis-id nisa-0123456789abcdef0",
            "--network-insights-access-scope-analysis-id {NISA}",
        ),
        case(
            "describe-network-insights-access-scopes",
            "network-insights-access-scope-ids",
            "--network-insights-access-scope-ids nis-0123456789abcdef0",
            "--network-insights-access-scope-ids {NIS}",
        ),
        case("describe-network-insights-access-scopes", "filters", "", "--filters Name=tag:Name,Values=none"),
        case(
            "describe-network-insights-access-scope-analyses",
            "network-insights-access-scope-analysis-ids",
            "--network-insights-access-scope-analysis-ids nisa-0123456789abcdef0",
            "--network-insights-access-scope-analysis-ids {NISA}",
        ),
        case(
            "describe-network-insights-access-scope-analyses",
            "network-insights-access-scope-id",
            "--network-insights-access-scope-id nis-0123456789abcdef0",
            "--network-insights-access-scope-id {NIS}",
        ),
        case(
            "describe-network-insights-access-scope-analyses",
            "filters",
            "",
            "--filters Name=status,Values=failed",
        ),
        case(
            "get-network-insights-access-scope-content",
            "network-insights-access-scope-id",
            "--network-insights-access-scope-id nis-0123456789abcdef0",
            "--network-insights-access-scope-id {NIS}",
        ),
        case(
            "delete-network-insights-access-scope",
            "network-insights-access-scope-id",
            "--network-insights-access-scope-id nis-0123456789abcdef0",
            "--network-insights-access-scope-id {NIS}",
        ),
        case(
            "delete-network-insights-access-scope-analysis",
            "network-insights-access-scope-analysis-id",
            "--network-insights-access-scope-analysis-id nisa-0123456789abcdef0",
            "--network-insights-access-scope-analysis-id {NISA}",
        ),
        case(
            "create-hosted-zone",
            "name",
            "--name a.internal --caller-reference c1",
            "--name b.internal --caller-reference c1",
        ),
        case(
            "create-hosted-zone",
            "caller-reference",
            "--name a.internal --caller-reference c1",
            "--name a.internal --caller-reference c2",
        ),
        case(
            "create-hosted-zone",
            "vpc",
            "--name a.internal --caller-reference c1",
            "--name a.internal --caller-reference c1 --vpc VPCRegion=ap-northeast-2,VPCId={CVPC}",
        ),
        case(
            "create-hosted-zone",
            "hosted-zone-config",
            "--name a.internal --caller-reference c1",
            "--name a.internal --caller-reference c1 --hosted-zone-config Comment=x",
        ),
        case("get-hosted-zone", "id", "--id Z00000000000000000000", "--id {ZONE}"),
        prepped(
            &["aws route53 create-hosted-zone --name pub.example --caller-reference p1"],
            case("list-hosted-zones", "hosted-zone-type", "", "--hosted-zone-type PrivateHostedZone"),
        ),
        case(
            "list-hosted-zones-by-vpc",
            "vpc-id",
            "--vpc-id {CVPC} --vpc-region ap-northeast-2",
            "--vpc-id {MYVPC} --vpc-region ap-northeast-2",
        ),
        case(
            "list-hosted-zones-by-vpc",
            "vpc-region",
            "--vpc-id {MYVPC} --vpc-region us-east-1",
            "--vpc-id {MYVPC} --vpc-region ap-northeast-2",
        ),
        case(
            "associate-vpc-with-hosted-zone",
            "hosted-zone-id",
            "--hosted-zone-id Z00000000000000000000 --vpc VPCRegion=ap-northeast-2,VPCId={CVPC}",
            "--hosted-zone-id {ZONE} --vpc VPCRegion=ap-northeast-2,VPCId={CVPC}",
        ),
        case(
            "associate-vpc-with-hosted-zone",
            "vpc",
            "--hosted-zone-id {ZONE} --vpc VPCRegion=ap-northeast-2,VPCId={MYVPC}",
            "--hosted-zone-id {ZONE} --vpc VPCRegion=ap-northeast-2,VPCId={CVPC}",
        ),
        case(
            "associate-vpc-with-hosted-zone",
            "comment",
            "--hosted-zone-id {ZONE} --vpc VPCRegion=ap-northeast-2,VPCId={CVPC}",
            "--hosted-zone-id {ZONE} --vpc VPCRegion=ap-northeast-2,VPCId={CVPC} --comment hello",
        ),
        prepped(
            ASSOCIATE_CVPC,
            case(
                "disassociate-vpc-from-hosted-zone",
                "hosted-zone-id",
                "--hosted-zone-id Z00000000000000000000 --vpc VPCRegion=ap-northeast-2,VPCId={CVPC}",
                "--hosted-zone-id {ZONE} --vpc VPCRegion=ap-northeast-2,VPCId={CVPC}",
            ),
        ),
        prepped(
            ASSOCIATE_CVPC,
            case(
                "disassociate-vpc-from-hosted-zone",
                "vpc",
                "--hosted-zone-id {ZONE} --vpc VPCRegion=ap-northeast-2,VPCId={MYVPC}",
                "--hosted-zone-id {ZONE} --vpc VPCRegion=ap-northeast-2,VPCId={CVPC}",
            ),
        ),
        prepped(
            ASSOCIATE_CVPC,
            case(
                "disassociate-vpc-from-hosted-zone",
                "comment",
                "--hosted-zone-id {ZONE} --vpc VPCRegion=ap-northeast-2,VPCId={CVPC}",
                "--hosted-zone-id {ZONE} --vpc VPCRegion=ap-northeast-2,VPCId={CVPC} --comment bye",
            ),
        ),
        case(
            "change-resource-record-sets",
            "hosted-zone-id",
            &format!("--hosted-zone-id Z00000000000000000000 --change-batch '{}'", BATCH),
            &format!("--hosted-zone-id {{ZONE}} --change-batch '{}'", BATCH),
        ),
        case(
            "change-resource-record-sets",
            "change-batch",
            &format!("--hosted-zone-id {{ZONE}} --change-batch '{}'", BATCH),
            &format!("--hosted-zone-id {{ZONE}} --change-batch '{}'", BATCH.replace("10.0.0.1", "10.0.0.2")),
        ),
        case(
            "list-resource-record-sets",
            "hosted-zone-id",
            "--hosted-zone-id Z00000000000000000000",
            "--hosted-zone-id {ZONE}",
        ),
        case("delete-hosted-zone", "id", "--id Z00000000000000000000", "--id {ZONE}"),
        case("get-change", "id", "--id C00000000000000000000", "--id {CHANGE}"),
        case(
            "create-dhcp-options",
            "dhcp-configurations",
            "--dhcp-configurations Key=domain-name,Values=a.example",
            "--dhcp-configurations Key=domain-name,Values=b.example",
        ),
        case(
            "associate-dhcp-options",
            "dhcp-options-id",
            "--dhcp-options-id {DOPT} --vpc-id {MYVPC}",
            "--dhcp-options-id default --vpc-id {MYVPC}",
        ),
        case(
            "associate-dhcp-options",
            "vpc-id",
            "--dhcp-options-id default --vpc-id {MYVPC}",
            "--dhcp-options-id default --vpc-id {CVPC}",
        ),
        case(
            "describe-dhcp-options",
            "dhcp-options-ids",
            "--dhcp-options-ids dopt-0123456789abcdef0",
            "--dhcp-options-ids {DOPT}",
        ),
        case("describe-dhcp-options", "filters", "", "--filters Name=key,Values=ntp-servers"),
        case(
            "delete-dhcp-options",
            "dhcp-options-id",
            "--dhcp-options-id dopt-0123456789abcdef0",
            "--dhcp-options-id {DOPT}",
        ),
    ]
}

/// Every spelling of every flag the table accepts, as `(operation, flag)`.
fn accepted_flags() -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    for op in OPERATIONS {
        for f in op.flags {
            out.push((op.name, f.name));
            if let FlagKind::Switch(neg) | FlagKind::BoolValue(neg) = f.kind {
                out.push((op.name, neg));
            }
        }
    }
    out
}

#[test]
fn every_accepted_flag_changes_the_answer_or_is_refused() {
    let cases = cases();
    let missing: Vec<_> = accepted_flags()
        .into_iter()
        .filter(|(op, f)| !cases.iter().any(|c| c.op == *op && c.flag == *f))
        .collect();
    assert!(missing.is_empty(), "flags with no case: {missing:?}");
    let mut same = Vec::new();
    for c in &cases {
        let without = effect(&c.prep, &c.without);
        let with = effect(&c.prep, &c.with);
        if without == with {
            same.push(format!("{} --{}: {:?}", c.op, c.flag, with.0));
        }
    }
    assert!(same.is_empty(), "flags that changed nothing:\n{}", same.join("\n"));
}

// ---------------------------------------------------------------- filters, query, output

fn run_line(s: &mut Session, ids: &IndexMap<&'static str, String>, line: &str) -> StepOutcome {
    call(s, ids, line).unwrap_or_else(|e| panic!("{line}: {e}"))
}

#[test]
fn describe_vpcs_by_name_tag_with_a_query_prints_one_id_as_text() {
    let (mut s, ids) = setup();
    let out = run_line(
        &mut s,
        &ids,
        "aws ec2 describe-vpcs --filters Name=tag:Name,Values=MyVPC --query Vpcs[].VpcId --output text",
    );
    assert_eq!(out.stdout, format!("{}\n", ids["{MYVPC}"]));
}

#[test]
fn the_json_form_of_filters_and_several_values_select_as_shorthand_does() {
    let (mut s, ids) = setup();
    let json = run_line(
        &mut s,
        &ids,
        r#"aws ec2 describe-vpcs --filters '[{"Name":"tag:Name","Values":["MyVPC","Custom*"]}]' --query Vpcs[].VpcId --output text"#,
    );
    let short =
        run_line(&mut s, &ids, "aws ec2 describe-vpcs --filters Name=tag:Name,Values=MyVPC,Custom* --query Vpcs[].VpcId --output text");
    assert_eq!(json.stdout, short.stdout);
    assert_eq!(json.stdout, format!("{}\t{}\n", ids["{MYVPC}"], ids["{CVPC}"]));
}

#[test]
fn several_filters_must_all_match() {
    let (mut s, ids) = setup();
    let both = run_line(
        &mut s,
        &ids,
        "aws ec2 describe-subnets --filters Name=vpc-id,Values={CVPC} Name=subnet-id,Values={MYSUBNET} --query Subnets[].SubnetId --output text",
    );
    assert_eq!(both.stdout, "");
    let one = run_line(
        &mut s,
        &ids,
        "aws ec2 describe-subnets --filters Name=vpc-id,Values={MYVPC} Name=subnet-id,Values={MYSUBNET} --query Subnets[].SubnetId --output text",
    );
    assert_eq!(one.stdout, format!("{}\n", ids["{MYSUBNET}"]));
}

#[test]
fn instances_filter_by_state_group_and_name_tag() {
    let (mut s, ids) = setup();
    run_line(&mut s, &ids, "aws ec2 terminate-instances --instance-ids {WEB2}");
    let q = "--query Reservations[].Instances[].InstanceId --output text";
    let running = run_line(&mut s, &ids, &format!("aws ec2 describe-instances --filters Name=instance-state-name,Values=running Name=vpc-id,Values={{CVPC}} {q}"));
    assert_eq!(running.stdout, format!("{}\n", ids["{WEB1}"]));
    let terminated = run_line(
        &mut s,
        &ids,
        &format!("aws ec2 describe-instances --filters Name=instance-state-name,Values=terminated {q}"),
    );
    assert_eq!(terminated.stdout, format!("{}\n", ids["{WEB2}"]));
    let named = run_line(
        &mut s,
        &ids,
        &format!("aws ec2 describe-instances --filters Name=tag:Name,Values=My-EC?  {q}"),
    );
    assert_eq!(named.stdout, format!("{}\n", ids["{MYEC2}"]));
    let group = run_line(
        &mut s,
        &ids,
        &format!("aws ec2 describe-instances --filters Name=instance.group-id,Values={{WEBSG}} {q}"),
    );
    assert!(group.stdout.contains(&ids["{MYEC2}"]), "{}", group.stdout);
}

#[test]
fn endpoint_calls_filter_by_service_name_type_and_state() {
    let (mut s, ids) = setup();
    let q = "--query VpcEndpoints[].VpcEndpointId --output text";
    let by_name = run_line(&mut s, &ids, &format!("aws ec2 describe-vpc-endpoints --filters Name=service-name,Values={{SVCNAME}} Name=vpc-endpoint-type,Values=Interface {q}"));
    assert_eq!(by_name.stdout, format!("{}\n", ids["{EP}"]));
    let pending = run_line(
        &mut s,
        &ids,
        &format!(
            "aws ec2 describe-vpc-endpoints --filters Name=vpc-endpoint-state,Values=pendingAcceptance {q}"
        ),
    );
    assert_eq!(pending.stdout, format!("{}\n", ids["{EP}"]));
    let gateway = run_line(
        &mut s,
        &ids,
        &format!("aws ec2 describe-vpc-endpoints --filters Name=vpc-endpoint-type,Values=Gateway {q}"),
    );
    assert_eq!(gateway.stdout, format!("{}\n", ids["{GWE}"]), "the setup's DynamoDB gateway endpoint");
    let services = run_line(&mut s, &ids, "aws ec2 describe-vpc-endpoint-services --filters Name=service-name,Values={SVCNAME} --query ServiceNames --output text");
    assert_eq!(services.stdout, format!("{}\n", ids["{SVCNAME}"]));
}

#[test]
fn an_unknown_filter_is_refused_as_aws_refuses_it() {
    let (mut s, ids) = setup();
    let out = run_line(&mut s, &ids, "aws ec2 describe-vpcs --filters Name=colour,Values=blue");
    assert_eq!(out.exit_code, 254);
    assert_eq!(
        out.stderr,
        "\nAn error occurred (InvalidParameterValue) when calling the DescribeVpcs operation: The filter 'colour' is invalid\n"
    );
}

#[test]
fn names_on_elbv2_and_security_group_names_narrow_the_answer() {
    let (mut s, ids) = setup();
    let lb = run_line(&mut s, &ids, "aws elbv2 describe-load-balancers --names {LBNAME} --query LoadBalancers[].LoadBalancerArn --output text");
    assert_eq!(lb.stdout, format!("{}\n", ids["{LB}"]));
    let missing = run_line(&mut s, &ids, "aws elbv2 describe-load-balancers --names nope");
    assert!(missing.stderr.contains("(LoadBalancerNotFound)"), "{}", missing.stderr);
    let tg = run_line(&mut s, &ids, "aws elbv2 describe-target-groups --names {TGNAME} --query TargetGroups[].TargetGroupArn --output text");
    assert_eq!(tg.stdout, format!("{}\n", ids["{TG}"]));
    let sg = run_line(&mut s, &ids, "aws ec2 describe-security-groups --group-names {WEBSGNAME} --query SecurityGroups[].GroupId --output text");
    assert_eq!(sg.stdout, format!("{}\n", ids["{WEBSG}"]));
}

#[test]
fn text_output_prints_records_as_the_cli_flattens_them() {
    let (mut s, ids) = setup();
    let out = run_line(&mut s, &ids, "aws ec2 describe-vpcs --vpc-ids {MYVPC} --output text");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[0].starts_with("VPCS\t10.0.0.0/16\t"), "{}", out.stdout);
    assert!(lines[0].contains("\tFalse\t"), "{}", out.stdout);
    assert!(lines.contains(&"TAGS\tName\tMyVPC"), "{}", out.stdout);
    assert!(lines.iter().any(|l| l.starts_with("CIDRBLOCKASSOCIATIONSET\t")), "{}", out.stdout);
}

#[test]
fn table_output_is_the_clis_boxed_table() {
    let (mut s, ids) = setup();
    let out = run_line(
        &mut s,
        &ids,
        "aws ec2 describe-vpcs --vpc-ids {MYVPC} --query Vpcs[].[VpcId,CidrBlock] --output table",
    );
    let id = &ids["{MYVPC}"];
    let expected = format!(
        "------------------------------------------\n\
         |              DescribeVpcs              |\n\
         +------------------------+---------------+\n\
         |  {id} |  10.0.0.0/16  |\n\
         +------------------------+---------------+\n"
    );
    assert_eq!(out.stdout, expected);
}

#[test]
fn a_query_selects_what_a_step_saves() {
    let (mut s, ids) = setup();
    let out = run_line(&mut s, &ids, "aws ec2 describe-vpcs --vpc-ids {MYVPC} --query Vpcs[0].{Id:VpcId}");
    assert_eq!(out.json, Some(serde_json::json!({"Id": ids["{MYVPC}"]})));
    assert_eq!(out.stdout, format!("{{\n    \"Id\": \"{}\"\n}}\n", ids["{MYVPC}"]));
}

// ---------------------------------------------------------------- the done-when line, through the shell and a scenario

#[test]
fn the_labs_shell_prints_one_vpc_id_for_the_name_tag_filter_and_query() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .args(["shell", "lab"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let line =
        "aws ec2 describe-vpcs --filters Name=tag:Name,Values=MyVPC --query 'Vpcs[].VpcId' --output text\n";
    child.stdin.take().expect("stdin").write_all(line.as_bytes()).expect("stdin takes the line");
    let out = child.wait_with_output().expect("the shell finishes");
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    let after = stdout.split(line).nth(1).unwrap_or_else(|| panic!("the line is echoed:\n{stdout}"));
    let ids: Vec<&str> = after.lines().filter(|l| l.starts_with("vpc-")).collect();
    assert_eq!(ids.len(), 1, "{stdout}");
    assert!(!ids[0].contains('\t'), "{stdout}");
}

#[test]
fn a_scenario_step_prints_one_vpc_id_for_the_name_tag_filter_and_query() {
    let text = "name: one vpc\nregion: ap-northeast-2\nstacks:\n  - name: lab\n    template: privatelink-lab.cfn.yaml\n    parameters: {KeyName: k}\nsteps:\n  - run: aws ec2 describe-vpcs --filters Name=tag:Name,Values=MyVPC --query 'Vpcs[].VpcId' --output text\n    expect:\n      output-matches: '^vpc-[0-9a-f]{17}$'\n";
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let s = vpcsim::scenario::load_str(dir.join("one-vpc.yaml").to_str().unwrap(), text)
        .expect("the scenario is valid");
    let mut session = Session::for_scenario(&s).expect("a session");
    let report = vpcsim::scenario::run(&s, &mut session).expect("the scenario runs");
    assert!(report.passed, "{}", vpcsim::scenario::render::text(&report));
    let stdout = &report.steps[0].outcome.as_ref().expect("an outcome").stdout;
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
}

// ---------------------------------------------------------------- atomicity without a clone

fn unchanged_after(line: &str, prep: &[&str]) {
    let (mut s, ids) = setup();
    for p in prep {
        run_line(&mut s, &ids, p);
    }
    let before = format!("{:?}", s.world);
    let out = run_line(&mut s, &ids, line);
    assert_ne!(out.exit_code, 0, "{line} fails");
    assert!(before == format!("{:?}", s.world), "{line} changed the world: {}", out.stderr);
}

#[test]
fn terminating_several_instances_with_one_unknown_terminates_none() {
    unchanged_after("aws ec2 terminate-instances --instance-ids {WEB1} {WEB2} i-0123456789abcdef0", &[]);
}

#[test]
fn modify_instance_attribute_with_a_bad_group_keeps_the_source_dest_check() {
    unchanged_after("aws ec2 modify-instance-attribute --instance-id {MYEC2} --no-source-dest-check --groups {WEBSG} sg-0123456789abcdef0", &[]);
    unchanged_after(
        "aws ec2 modify-instance-attribute --instance-id {MYEC2} --no-source-dest-check --groups {CSG}",
        &[],
    );
}

#[test]
fn several_ip_permissions_with_one_bad_peer_authorize_none() {
    unchanged_after(
        "aws ec2 authorize-security-group-ingress --group-id {WEBSG} --ip-permissions IpProtocol=tcp,FromPort=9000,ToPort=9000,IpRanges=[{CidrIp=10.7.0.0/16}],UserIdGroupPairs=[{GroupId=sg-0123456789abcdef0}]",
        &[],
    );
}

#[test]
fn registering_several_targets_with_one_unknown_registers_none() {
    unchanged_after("aws elbv2 register-targets --target-group-arn {TG} --targets Id={WEB1},Port=8080 Id=i-0123456789abcdef0", &[]);
}

#[test]
fn accepting_several_endpoints_with_one_unknown_accepts_none() {
    unchanged_after("aws ec2 accept-vpc-endpoint-connections --service-id {SVC} --vpc-endpoint-ids {EP} vpce-0123456789abcdef0", &[]);
}

#[test]
fn every_flag_aws_has_that_vpcsim_does_not_model_is_refused_saying_so() {
    for op in OPERATIONS {
        for (flag, why) in op.unmodelled {
            let line = format!("aws {} {} --{flag} x", op.service, op.name);
            let err = parse_line(&line).expect_err(&line);
            assert_eq!(err.exit_code(), 252, "{line}");
            assert_eq!(
                err.to_string(),
                format!("aws: error: --{flag} is not modelled by vpcsim: {why}"),
                "{line}"
            );
        }
    }
    for global in ["--profile dev", "--debug", "--max-items 5", "--output yaml"] {
        let line = format!("aws ec2 describe-vpcs {global}");
        assert!(
            parse_line(&line).expect_err(&line).to_string().contains("is not modelled by vpcsim"),
            "{line}"
        );
    }
}

#[test]
fn a_duplicate_rule_is_named_as_aws_names_it_without_debug_text() {
    let (mut s, ids) = setup();
    let line = "aws ec2 authorize-security-group-ingress --group-id {WEBSG} --protocol tcp --port 8080 --cidr 10.9.0.0/16";
    run_line(&mut s, &ids, line);
    let out = run_line(&mut s, &ids, line);
    assert_eq!(out.exit_code, 254);
    assert_eq!(
        out.stderr,
        "\nAn error occurred (InvalidPermission.Duplicate) when calling the AuthorizeSecurityGroupIngress operation: \
         the specified rule \"peer: 10.9.0.0/16, TCP, from port: 8080, to port: 8080, ALLOW\" already exists\n"
    );
}

// ---------------------------------------------------------------- building a network by hand

/// A field of a call's JSON answer, as text.
fn field(v: &serde_json::Value, path: &[&str]) -> String {
    path.iter()
        .fold(v, |v, k| match k.parse::<usize>() {
            Ok(i) => &v[i],
            Err(_) => &v[*k],
        })
        .as_str()
        .unwrap_or_else(|| panic!("{path:?} in {v}"))
        .to_string()
}

fn refused(s: &mut Session, ids: &IndexMap<&'static str, String>, line: &str, code: &str) {
    let out = run_line(s, ids, line);
    assert_eq!(out.exit_code, 254, "{line}: {}", out.stdout);
    assert!(out.stderr.contains(&format!("({code})")), "{line}: {}", out.stderr);
}

#[test]
fn a_vpc_built_by_hand_refuses_deletion_until_its_pieces_are_deleted_in_order_a7() {
    let (mut s, mut ids) = setup();
    let vpc = ok(&mut s, &ids, "aws ec2 create-vpc --cidr-block 10.60.0.0/16 --tag-specifications 'ResourceType=vpc,Tags=[{Key=Name,Value=Hand}]'");
    assert_eq!(vpc["Vpc"]["CidrBlock"], "10.60.0.0/16");
    assert_eq!(vpc["Vpc"]["Tags"], serde_json::json!([{"Key": "Name", "Value": "Hand"}]));
    ids.insert("{HV}", field(&vpc, &["Vpc", "VpcId"]));
    let subnet = ok(
        &mut s,
        &ids,
        "aws ec2 create-subnet --vpc-id {HV} --cidr-block 10.60.1.0/24 --availability-zone ap-northeast-2a",
    );
    assert_eq!(subnet["Subnet"]["AvailabilityZone"], "ap-northeast-2a");
    assert_eq!(subnet["Subnet"]["MapPublicIpOnLaunch"], false);
    ids.insert("{HS}", field(&subnet, &["Subnet", "SubnetId"]));
    let igw = ok(&mut s, &ids, "aws ec2 create-internet-gateway");
    ids.insert("{HI}", field(&igw, &["InternetGateway", "InternetGatewayId"]));
    ok(&mut s, &ids, "aws ec2 attach-internet-gateway --internet-gateway-id {HI} --vpc-id {HV}");
    let rt = ok(&mut s, &ids, "aws ec2 create-route-table --vpc-id {HV}");
    assert_eq!(rt["RouteTable"]["Routes"][0]["GatewayId"], "local");
    ids.insert("{HR}", field(&rt, &["RouteTable", "RouteTableId"]));
    let assoc = ok(&mut s, &ids, "aws ec2 associate-route-table --route-table-id {HR} --subnet-id {HS}");
    ids.insert("{HA}", field(&assoc, &["AssociationId"]));
    let sg = ok(
        &mut s,
        &ids,
        "aws ec2 create-security-group --group-name web --description 'web servers' --vpc-id {HV}",
    );
    ids.insert("{HG}", field(&sg, &["GroupId"]));
    let acl = ok(&mut s, &ids, "aws ec2 create-network-acl --vpc-id {HV}");
    ids.insert("{HN}", field(&acl, &["NetworkAcl", "NetworkAclId"]));

    refused(&mut s, &ids, "aws ec2 delete-vpc --vpc-id {HV}", "DependencyViolation");
    refused(
        &mut s,
        &ids,
        "aws ec2 delete-internet-gateway --internet-gateway-id {HI}",
        "DependencyViolation",
    );
    refused(&mut s, &ids, "aws ec2 delete-route-table --route-table-id {HR}", "DependencyViolation");
    ok(&mut s, &ids, "aws ec2 detach-internet-gateway --internet-gateway-id {HI} --vpc-id {HV}");
    ok(&mut s, &ids, "aws ec2 delete-internet-gateway --internet-gateway-id {HI}");
    ok(&mut s, &ids, "aws ec2 disassociate-route-table --association-id {HA}");
    ok(&mut s, &ids, "aws ec2 delete-route-table --route-table-id {HR}");
    ok(&mut s, &ids, "aws ec2 delete-subnet --subnet-id {HS}");
    refused(&mut s, &ids, "aws ec2 delete-vpc --vpc-id {HV}", "DependencyViolation");
    ok(&mut s, &ids, "aws ec2 delete-security-group --group-id {HG}");
    ok(&mut s, &ids, "aws ec2 delete-network-acl --network-acl-id {HN}");
    ok(&mut s, &ids, "aws ec2 delete-vpc --vpc-id {HV}");

    let left = run_line(&mut s, &ids, "aws ec2 describe-route-tables --filters Name=vpc-id,Values={HV} --query RouteTables[].RouteTableId --output text");
    assert_eq!(left.stdout, "", "the main table goes with its VPC");
    refused(
        &mut s,
        &ids,
        "aws ec2 create-subnet --vpc-id {HV} --cidr-block 10.60.2.0/24",
        "InvalidVpcID.NotFound",
    );
}

#[test]
fn a_vpcs_default_group_cannot_be_deleted_and_a_group_in_use_is_a_dependency_violation_a7() {
    // S4: the default group lives as long as its VPC.
    let (mut s, mut ids) = setup();
    let default = run_line(&mut s, &ids, "aws ec2 describe-security-groups --filters Name=vpc-id,Values={MYVPC} Name=group-name,Values=default --query SecurityGroups[0].GroupId --output text");
    ids.insert("{DEFAULT}", default.stdout.trim().to_string());
    refused(&mut s, &ids, "aws ec2 delete-security-group --group-id {DEFAULT}", "CannotDelete");
    refused(&mut s, &ids, "aws ec2 delete-security-group --group-id {WEBSG}", "DependencyViolation");
    let sg =
        ok(&mut s, &ids, "aws ec2 create-security-group --group-name peer --description p --vpc-id {MYVPC}");
    ids.insert("{PEER}", field(&sg, &["GroupId"]));
    ok(&mut s, &ids, "aws ec2 authorize-security-group-ingress --group-id {WEBSG} --protocol tcp --port 22 --source-group {PEER}");
    refused(&mut s, &ids, "aws ec2 delete-security-group --group-id {PEER}", "DependencyViolation");
    ok(&mut s, &ids, "aws ec2 revoke-security-group-ingress --group-id {WEBSG} --protocol tcp --port 22 --source-group {PEER}");
    let deleted = ok(&mut s, &ids, "aws ec2 delete-security-group --group-id {PEER}");
    assert_eq!(deleted["Return"], true);
}

#[test]
fn a_second_group_of_one_name_in_a_vpc_is_invalid_group_duplicate() {
    let (mut s, ids) = setup();
    ok(&mut s, &ids, "aws ec2 create-security-group --group-name twin --description a --vpc-id {MYVPC}");
    refused(
        &mut s,
        &ids,
        "aws ec2 create-security-group --group-name twin --description b --vpc-id {MYVPC}",
        "InvalidGroup.Duplicate",
    );
    ok(&mut s, &ids, "aws ec2 create-security-group --group-name twin --description c --vpc-id {CVPC}");
}

#[test]
fn a_subnet_outside_its_vpc_or_overlapping_a_sibling_is_refused_a1() {
    let (mut s, ids) = setup();
    refused(
        &mut s,
        &ids,
        "aws ec2 create-subnet --vpc-id {MYVPC} --cidr-block 192.168.0.0/24",
        "InvalidSubnet.Range",
    );
    refused(
        &mut s,
        &ids,
        "aws ec2 create-subnet --vpc-id {MYVPC} --cidr-block 10.0.0.0/28",
        "InvalidSubnet.Conflict",
    );
    refused(
        &mut s,
        &ids,
        "aws ec2 create-subnet --vpc-id vpc-0123456789abcdef0 --cidr-block 10.0.0.0/28",
        "InvalidVpcID.NotFound",
    );
    refused(&mut s, &ids, "aws ec2 create-vpc --cidr-block 10.0.0.0/8", "InvalidVpc.Range");
}

#[test]
fn tag_specifications_for_another_resource_type_are_refused() {
    let (mut s, ids) = setup();
    let err = parse_line("aws ec2 create-vpc --cidr-block 10.61.0.0/16 --tag-specifications 'ResourceType=subnet,Tags=[{Key=Name,Value=x}]'").expect_err("a subnet's tags on create-vpc");
    assert_eq!(err.exit_code(), 254);
    assert!(err.to_string().contains("(InvalidParameterValue) when calling the CreateVpc operation: 'subnet' is not a valid taggable resource type"), "{err}");
    let json = ok(
        &mut s,
        &ids,
        r#"aws ec2 create-internet-gateway --tag-specifications '[{"ResourceType":"internet-gateway","Tags":[{"Key":"Name","Value":"j"},{"Key":"team","Value":"net"}]}]'"#,
    );
    assert_eq!(
        json["InternetGateway"]["Tags"],
        serde_json::json!([{"Key": "Name", "Value": "j"}, {"Key": "team", "Value": "net"}])
    );
}

#[test]
fn run_instances_tags_its_instances_and_describe_filters_by_the_tag() {
    let (mut s, ids) = setup();
    ok(&mut s, &ids, "aws ec2 run-instances --subnet-id {MYSUBNET} --count 2 --tag-specifications 'ResourceType=instance,Tags=[{Key=Name,Value=hand}]'");
    let out = run_line(&mut s, &ids, "aws ec2 describe-instances --filters Name=tag:Name,Values=hand --query Reservations[].Instances[].InstanceId --output text");
    assert_eq!(out.stdout.split_whitespace().count(), 2, "{}", out.stdout);
}

#[test]
fn a_subnet_that_maps_public_ips_gives_the_next_instance_a_public_address_i2() {
    let (mut s, ids) = setup();
    ok(&mut s, &ids, "aws ec2 modify-subnet-attribute --subnet-id {CSUBNET} --map-public-ip-on-launch");
    let run = ok(&mut s, &ids, "aws ec2 run-instances --subnet-id {CSUBNET}");
    assert!(run["Instances"][0]["PublicIpAddress"].is_string(), "{run}");
}

#[test]
fn a_network_load_balancer_built_by_hand_forwards_through_its_listener_and_keeps_a_group_in_use() {
    let (mut s, mut ids) = setup();
    let tg = ok(
        &mut s,
        &ids,
        "aws elbv2 create-target-group --name hand --protocol TCP --port 22 --vpc-id {MYVPC}",
    );
    assert_eq!(tg["TargetGroups"][0]["TargetType"], "instance");
    ids.insert("{HTG}", field(&tg, &["TargetGroups", "0", "TargetGroupArn"]));
    let lb = ok(&mut s, &ids, "aws elbv2 create-load-balancer --name hand --type network --subnets {MYSUBNET} --tags Key=Name,Value=hand");
    ids.insert("{HLB}", field(&lb, &["LoadBalancers", "0", "LoadBalancerArn"]));
    let listener = ok(&mut s, &ids, "aws elbv2 create-listener --load-balancer-arn {HLB} --protocol TCP --port 22 --default-actions Type=forward,TargetGroupArn={HTG}");
    assert_eq!(listener["Listeners"][0]["DefaultActions"][0]["TargetGroupArn"], ids["{HTG}"].as_str());
    ids.insert("{HL}", field(&listener, &["Listeners", "0", "ListenerArn"]));
    let groups = run_line(&mut s, &ids, "aws elbv2 describe-target-groups --names hand --query TargetGroups[0].LoadBalancerArns --output text");
    assert_eq!(groups.stdout.trim(), ids["{HLB}"]);
    refused(&mut s, &ids, "aws elbv2 delete-target-group --target-group-arn {HTG}", "ResourceInUse");
    ok(&mut s, &ids, "aws elbv2 delete-listener --listener-arn {HL}");
    ok(&mut s, &ids, "aws elbv2 delete-target-group --target-group-arn {HTG}");
    ok(&mut s, &ids, "aws elbv2 delete-load-balancer --load-balancer-arn {HLB}");
    let left = run_line(
        &mut s,
        &ids,
        "aws elbv2 describe-load-balancers --query LoadBalancers[].LoadBalancerName --output text",
    );
    assert!(!left.stdout.split_whitespace().any(|n| n == "hand"), "{}", left.stdout);
}

#[test]
fn only_network_load_balancers_and_forward_actions_are_built() {
    for line in [
        "aws elbv2 create-load-balancer --name a --type application --subnets subnet-1",
        "aws elbv2 create-target-group --name a --protocol TCP --port 80 --vpc-id vpc-1 --target-type lambda",
        "aws elbv2 create-listener --load-balancer-arn a --protocol TLS --port 443 --default-actions Type=forward,TargetGroupArn=t",
        "aws elbv2 create-listener --load-balancer-arn a --protocol TCP --port 80 --default-actions Type=fixed-response",
    ] {
        let err = parse_line(line).expect_err(line);
        assert_eq!(err.exit_code(), 254, "{line}");
        assert!(err.to_string().contains("(ValidationError)"), "{line}: {err}");
    }
}
