//! The seed lab's topology built through the API (shared/lab-walkthrough.md): two
//! VPCs, an internet-facing NLB in front of two web servers. Tests, benchmarks and
//! the narrated `vpcsim lab` start from here.

use std::time::Duration;

use crate::addr::Cidr;
use crate::error::ApiError;
use crate::ids::*;
use crate::model::nlb::{HealthCheck, ListenerProtocol, TargetRef, TargetType};
use crate::model::Tags;
use crate::ops::ec2::RunInstance;
use crate::ops::elbv2::{CreateLoadBalancer, CreateTargetGroup, TargetSpec};
use crate::ops::security::Permission;
use crate::ops::vpc::{CreateSubnet, CreateVpc, RouteTargetSpec};
use crate::trace::Direction;
use crate::world::World;

/// Variations of the lab.
#[derive(Clone, Copy, Debug)]
pub struct LabOptions {
    /// The seed.
    pub seed: u64,
    /// Whether My-EC2 gets a public IP (the lab: yes).
    pub my_ec2_public_ip: bool,
}

impl Default for LabOptions {
    fn default() -> LabOptions {
        LabOptions { seed: 7, my_ec2_public_ip: true }
    }
}

/// The lab's world and the handles of its resources.
#[derive(Clone, Debug)]
pub struct Lab {
    /// The region (ap-northeast-2).
    pub world: World,
    /// MyVPC 10.0.0.0/16.
    pub my_vpc: VpcId,
    /// CustomVPC 20.0.0.0/16.
    pub custom_vpc: VpcId,
    /// My-Public-SN 10.0.0.0/24.
    pub my_subnet: SubnetId,
    /// Custom-Public-SN 20.0.0.0/24.
    pub custom_subnet: SubnetId,
    /// My-IGW.
    pub my_igw: IgwId,
    /// Custom-IGW.
    pub custom_igw: IgwId,
    /// My-Public-RT.
    pub my_rt: RouteTableId,
    /// WebSG.
    pub web_sg: SgId,
    /// CustomSG.
    pub custom_sg: SgId,
    /// My-EC2.
    pub my_ec2: InstanceId,
    /// Custom-WEB-1.
    pub web1: InstanceId,
    /// Custom-WEB-2.
    pub web2: InstanceId,
    /// Custom-NLB.
    pub nlb: LbId,
    /// Custom-NLB-TG.
    pub tg: TargetGroupId,
}

fn tags(name: &str) -> Tags {
    Tags::from([("Name".to_string(), name.to_string())])
}

fn cidr(s: &str) -> Option<Cidr> {
    s.parse().ok()
}

impl Lab {
    /// Build the lab's stack as the template does, targets still `initial`.
    pub fn build(opts: LabOptions) -> Result<Lab, ApiError> {
        let mut w = World::in_region("ap-northeast-2", opts.seed).expect("known region");
        let my_vpc =
            w.create_vpc(CreateVpc { cidr: cidr("10.0.0.0/16"), tags: tags("MyVPC"), ..Default::default() })?;
        let custom_vpc = w.create_vpc(CreateVpc {
            cidr: cidr("20.0.0.0/16"),
            tags: tags("CustomVPC"),
            ..Default::default()
        })?;
        let my_igw = w.create_internet_gateway(tags("My-IGW"));
        let custom_igw = w.create_internet_gateway(tags("Custom-IGW"));
        w.attach_internet_gateway(my_igw, my_vpc)?;
        w.attach_internet_gateway(custom_igw, custom_vpc)?;
        let my_rt = w.create_route_table(my_vpc, tags("My-Public-RT"));
        w.create_route(my_rt, Cidr::ANY, &RouteTargetSpec::Gateway(w[my_igw].aws_id.clone()))?;
        let custom_rt = w.create_route_table(custom_vpc, tags("Custom-Public-RT"));
        w.create_route(custom_rt, Cidr::ANY, &RouteTargetSpec::Gateway(w[custom_igw].aws_id.clone()))?;
        let az = w.region.azs[0].to_string();
        let subnet = |vpc, block: &str, name: &str| CreateSubnet {
            vpc: Some(vpc),
            cidr: cidr(block),
            az: Some(az.clone()),
            map_public_ip_on_launch: false,
            tags: tags(name),
        };
        let my_subnet = w.create_subnet(subnet(my_vpc, "10.0.0.0/24", "My-Public-SN"))?;
        let custom_subnet = w.create_subnet(subnet(custom_vpc, "20.0.0.0/24", "Custom-Public-SN"))?;
        w.associate_route_table(my_rt, my_subnet)?;
        w.associate_route_table(custom_rt, custom_subnet)?;
        let web_rules = [Permission::tcp(80, Cidr::ANY), Permission::tcp(22, Cidr::ANY)];
        let web_sg = w.create_security_group(my_vpc, "WebSG", "WebSG", tags("WebSG"))?;
        w.authorize_security_group(web_sg, Direction::Ingress, &web_rules)?;
        let custom_sg = w.create_security_group(custom_vpc, "CustomSG", "CustomSG", tags("Custom-WebSG"))?;
        w.authorize_security_group(custom_sg, Direction::Ingress, &web_rules)?;
        let instance = |subnet, sg, public, name: &str| RunInstance {
            subnet: Some(subnet),
            groups: vec![sg],
            public_ip: Some(public),
            key_name: Some("lab-key".into()),
            tags: tags(name),
            ..Default::default()
        };
        let my_ec2 = w.run_instance(instance(my_subnet, web_sg, opts.my_ec2_public_ip, "My-EC2"))?;
        let web1 = w.run_instance(instance(custom_subnet, custom_sg, true, "Custom-WEB-1"))?;
        let web2 = w.run_instance(instance(custom_subnet, custom_sg, true, "Custom-WEB-2"))?;
        for (i, n) in [(web1, 1), (web2, 2)] {
            let body = format!("<html><h1>Endpoint Service Lab - CloudNeta Web Server {n}</h1></html>");
            w.serve_http(i, 80, "httpd", &body);
        }
        let tg = w.create_target_group(CreateTargetGroup {
            name: "Custom-NLB-TG".into(),
            protocol: ListenerProtocol::Tcp,
            port: 80,
            vpc: custom_vpc,
            target_type: TargetType::Instance,
            health_check: HealthCheck::default(),
            preserve_client_ip: None,
            tags: Tags::new(),
        })?;
        let targets = [web1, web2].map(|i| TargetSpec { target: TargetRef::Instance(i), port: Some(80) });
        w.register_targets(tg, &targets)?;
        let nlb = w.create_load_balancer(CreateLoadBalancer {
            name: "Custom-NLB".into(),
            subnets: vec![custom_subnet],
            tags: tags("Custom-NLB"),
            ..Default::default()
        })?;
        w.create_listener(nlb, ListenerProtocol::Tcp, 80, Some(tg))?;
        Ok(Lab {
            world: w,
            my_vpc,
            custom_vpc,
            my_subnet,
            custom_subnet,
            my_igw,
            custom_igw,
            my_rt,
            web_sg,
            custom_sg,
            my_ec2,
            web1,
            web2,
            nlb,
            tg,
        })
    }

    /// Build the lab and wait until both targets are healthy (step 1).
    pub fn ready(opts: LabOptions) -> Result<Lab, ApiError> {
        let mut lab = Lab::build(opts)?;
        lab.world.advance(Duration::from_secs(180));
        Ok(lab)
    }

    /// Steps 4-6: create the endpoint service and the endpoint, accept it, wait until available.
    pub fn connect_privatelink(&mut self) -> Result<EndpointId, ApiError> {
        let w = &mut self.world;
        let svc = w.create_vpc_endpoint_service_configuration(&[self.nlb], true, None, Tags::new())?;
        let ep = w.create_vpc_endpoint(crate::ops::privatelink::CreateVpcEndpoint {
            vpc: Some(self.my_vpc),
            service_name: w[svc].service_name.clone(),
            subnets: vec![self.my_subnet],
            groups: vec![self.web_sg],
            ..Default::default()
        })?;
        w.accept_vpc_endpoint_connections(svc, &[ep])?;
        w.advance(Duration::from_secs(150));
        Ok(ep)
    }
}
