//! The seed lab (the course's PrivateLink walkthrough; docs/getting-started.md runs
//! it): two VPCs, an internet-facing NLB in front of two web servers. [`Lab`] builds
//! it from the embedded template
//! (`scenarios/privatelink-lab.cfn.yaml`, byte for byte what `vpcsim lab` runs) through
//! the same stack code, then finds its resources by logical id; tests, benchmarks and
//! the narrated `vpcsim lab` start from here.

use std::time::Duration;

use indexmap::IndexMap;

use crate::cfn::Stack;
use crate::error::{ApiError, FileError};
use crate::ids::*;
use crate::model::Tags;
use crate::world::World;

/// The seed lab's template, as `vpcsim lab` and `scenarios/privatelink-lab.yaml` use it.
pub const TEMPLATE: &str = include_str!("../scenarios/privatelink-lab.cfn.yaml");

/// The seed lab's scenario (`scenarios/privatelink-lab.yaml`): its steps and their expectations.
pub const SCENARIO: &str = include_str!("../scenarios/privatelink-lab.yaml");

/// The same template with My-EC2 launched without a public IP (the no-public-ip lesson).
pub const TEMPLATE_NO_PUBLIC_IP: &str = include_str!("../scenarios/privatelink-lab-no-public-ip.cfn.yaml");

/// The stack's name in the lab's scenario.
pub const STACK_NAME: &str = "privatelink-lab";

/// The key pair the lab's scenario passes as `KeyName`.
pub const KEY_NAME: &str = "lab-key";

/// Variations of the lab.
#[derive(Clone, Copy, Debug)]
pub struct LabOptions {
    /// The seed.
    pub seed: u64,
    /// Whether My-EC2 gets a public IP (the lab: yes; [`TEMPLATE_NO_PUBLIC_IP`] when not).
    pub my_ec2_public_ip: bool,
}

impl Default for LabOptions {
    fn default() -> LabOptions {
        LabOptions { seed: 7, my_ec2_public_ip: true }
    }
}

/// Why the lab could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LabError {
    /// The embedded template was refused.
    #[error("{0}")]
    Template(#[from] FileError),
    /// A resource the lab's handles name is not in the created stack.
    #[error("the lab's stack has no {kind} `{logical_id}`: {source}")]
    Missing {
        /// The logical id looked up.
        logical_id: &'static str,
        /// What it should be.
        kind: &'static str,
        /// Why the lookup failed.
        source: ApiError,
    },
}

/// The lab's world and the handles of its resources.
#[derive(Clone, Debug)]
pub struct Lab {
    /// The region (ap-northeast-2).
    pub world: World,
    /// The stack the template created.
    pub stack: Stack,
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

/// Finds the lab's resources by logical id in its created stack.
struct Finder<'a> {
    world: &'a World,
    stack: &'a Stack,
}

impl Finder<'_> {
    fn find<T>(
        &self,
        logical_id: &'static str,
        kind: &'static str,
        lookup: impl Fn(&World, &str, &str) -> Result<T, ApiError>,
    ) -> Result<T, LabError> {
        let physical = self.stack.resources.get(logical_id).map_or("", |(_, c)| c.physical_id.as_str());
        lookup(self.world, "DescribeStackResource", physical).map_err(|source| LabError::Missing {
            logical_id,
            kind,
            source,
        })
    }
}

impl Lab {
    /// Build the lab's stack from its template, as `vpcsim lab` does, targets still `initial`.
    ///
    /// ```
    /// use vpcsim::lab::{Lab, LabOptions};
    /// let lab = Lab::build(LabOptions::default()).unwrap();
    /// assert_eq!(lab.stack.resources.len(), 22);
    /// ```
    pub fn build(opts: LabOptions) -> Result<Lab, LabError> {
        let mut world = World::in_region("ap-northeast-2", opts.seed).expect("known region");
        let (file, text) = if opts.my_ec2_public_ip {
            ("privatelink-lab.cfn.yaml", TEMPLATE)
        } else {
            ("privatelink-lab-no-public-ip.cfn.yaml", TEMPLATE_NO_PUBLIC_IP)
        };
        let params = IndexMap::from([("KeyName".to_string(), KEY_NAME.to_string())]);
        let stack =
            crate::stack::create_stack(&mut world, STACK_NAME, file, text, &params, &IndexMap::new())?;
        let f = Finder { world: &world, stack: &stack };
        let vpc = |id| f.find(id, "VPC", World::vpc_id);
        let subnet = |id| f.find(id, "subnet", World::subnet_id);
        let igw = |id| f.find(id, "internet gateway", World::igw_id);
        let sg = |id| f.find(id, "security group", World::sg_id);
        let instance = |id| f.find(id, "instance", World::instance_id);
        let (my_vpc, custom_vpc) = (vpc("MyVPC")?, vpc("CustomVPC")?);
        let (my_subnet, custom_subnet) = (subnet("MyPublicSN")?, subnet("CustomPublicSN")?);
        let (my_igw, custom_igw) = (igw("MyIGW")?, igw("CustomIGW")?);
        let my_rt = f.find("MyPublicRT", "route table", World::route_table_id)?;
        let (web_sg, custom_sg) = (sg("WebSG")?, sg("CustomWebSG")?);
        let my_ec2 = instance("MyEC2")?;
        let (web1, web2) = (instance("CustomWeb1EC2")?, instance("CustomWeb2EC2")?);
        let nlb = f.find("CustomNLB", "load balancer", World::lb_id)?;
        let tg = f.find("CustomNLBTG", "target group", World::target_group_id)?;
        Ok(Lab {
            world,
            stack,
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
    pub fn ready(opts: LabOptions) -> Result<Lab, LabError> {
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
