//! The ordered operations that turn what exists (the record) into what is wanted: pure, so the
//! order and contents of every apply are unit-tested without AWS.
//!
//! A create goes outward from the servers: the security group first (the one object marked
//! unconfirmed, so an interrupted create is adopted), its rules, the Elastic IP, the NAT
//! gateway and the wait until it is available, the staging subnet's default route, and last
//! the template, which names the subnet and the group. A destroy goes the other way; the
//! Elastic IP is released only once the NAT gateway is deleted (AWS refuses it before).

use std::collections::BTreeSet;

use super::model::{Desired, ENDPOINT_SERVICES, Tags, fingerprint};
use super::observe::Area;
use crate::aws::ec2::security_group::CidrRule;
use crate::aws::ec2::vpc_endpoint::VpcEndpoint;
use crate::aws::mgn::TemplateSettings;
use crate::engine::OperationPlan;
use crate::framework::tags::UNCONFIRMED_TAG;

/// What an EC2 object of the staging area is, for retagging and messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    SecurityGroup,
    ElasticIp,
    NatGateway,
}

/// One step of an apply; each carries what it needs, as the executor sees only the record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    /// Create the security group, marked unconfirmed with the staging area's fingerprint.
    CreateSecurityGroup {
        tags: Tags,
    },
    /// Set the group's rules: inbound and outbound rules to add and to remove.
    SetRules {
        authorize_ingress: BTreeSet<CidrRule>,
        revoke_ingress: BTreeSet<CidrRule>,
        authorize_egress: BTreeSet<CidrRule>,
        revoke_egress: BTreeSet<CidrRule>,
    },
    AllocateElasticIp {
        tags: Tags,
    },
    CreateNatGateway {
        tags: Tags,
    },
    AwaitNatGateway,
    /// Remove a default route that goes nowhere any more (to a deleted NAT gateway).
    DeleteDefaultRoute {
        table: String,
    },
    /// The staging subnet's default route to the NAT gateway.
    CreateDefaultRoute {
        table: String,
    },
    /// Create the template with these settings (its security group is the record's).
    CreateTemplate {
        settings: TemplateSettings,
        tags: Tags,
    },
    UpdateTemplate {
        settings: TemplateSettings,
    },
    RetagTemplate {
        set: Tags,
        remove: BTreeSet<String>,
    },
    Retag {
        kind: Kind,
        set: Tags,
        remove: BTreeSet<String>,
    },
    /// A VPC endpoint to `service` (`com.amazonaws.<region>.<name>`): an interface endpoint in
    /// the staging subnet with the record's security group, else the gateway endpoint on the
    /// staging subnet's route table.
    CreateEndpoint {
        service: String,
        interface: bool,
        tags: Tags,
    },
    /// Wait until every endpoint is `available`.
    AwaitEndpoints,
    DeleteTemplate,
    /// Delete every endpoint and wait until they are gone (their interfaces hold the group).
    DeleteEndpoints,
    DeleteNatGateway,
    ReleaseElasticIp,
    DeleteSecurityGroup,
}

/// The tags to set and remove to go from `existing` to `wanted`; the unconfirmed marker is the
/// read's to remove, never an apply's (which could die unsaved).
fn retag(existing: &Tags, wanted: &Tags) -> Option<(Tags, BTreeSet<String>)> {
    let set: Tags = wanted
        .iter()
        .filter(|(k, v)| existing.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let remove: BTreeSet<String> = existing
        .keys()
        .filter(|k| !wanted.contains_key(*k) && k.as_str() != UNCONFIRMED_TAG)
        .cloned()
        .collect();
    (!set.is_empty() || !remove.is_empty()).then_some((set, remove))
}

/// How `vpc_endpoint_ids` names an endpoint: the service's last name part, `-gateway` for the
/// gateway endpoint.
pub(crate) fn endpoint_key(endpoint: &VpcEndpoint) -> String {
    let name = endpoint
        .service_name
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_string();
    if endpoint.interface {
        name
    } else {
        format!("{name}-gateway")
    }
}

/// The endpoints a private staging area has in `region`: (service name, interface), the S3
/// gateway endpoint first (an S3 interface endpoint's private DNS needs it).
pub(crate) fn wanted_endpoints(region: &str) -> Vec<(String, bool)> {
    std::iter::once((format!("com.amazonaws.{region}.s3"), false))
        .chain(
            ENDPOINT_SERVICES
                .iter()
                .map(|name| (format!("com.amazonaws.{region}.{name}"), true)),
        )
        .collect()
}

/// The rules EC2 gives a new group: everything out.
fn default_egress() -> BTreeSet<CidrRule> {
    BTreeSet::from([CidrRule {
        protocol: "-1".into(),
        from_port: -1,
        to_port: -1,
        cidr: "0.0.0.0/0".into(),
    }])
}

/// The operations from `record` to `desired` (`None`: destroy).
pub(crate) fn operations(desired: Option<&Desired>, record: &Area) -> OperationPlan<Op> {
    let mut plan = OperationPlan::default();
    let Some(desired) = desired else {
        destroy(record, &mut plan);
        return plan;
    };
    // The security group and its rules.
    let (ingress, egress) = match &record.security_group {
        None => {
            let mut tags = desired.tags.clone();
            tags.insert(UNCONFIRMED_TAG.into(), fingerprint(&desired.vpc_id));
            plan.then("security group", vec![Op::CreateSecurityGroup { tags }]);
            (BTreeSet::new(), default_egress())
        }
        Some(group) => {
            if let Some((set, remove)) = retag(&group.tags, &desired.tags) {
                plan.then(
                    "security group tags",
                    vec![Op::Retag {
                        kind: Kind::SecurityGroup,
                        set,
                        remove,
                    }],
                );
            }
            (group.ingress.clone(), group.egress.clone())
        }
    };
    let rules = Op::SetRules {
        authorize_ingress: desired.ingress.difference(&ingress).cloned().collect(),
        revoke_ingress: ingress.difference(&desired.ingress).cloned().collect(),
        authorize_egress: desired.egress.difference(&egress).cloned().collect(),
        revoke_egress: egress.difference(&desired.egress).cloned().collect(),
    };
    if rules
        != (Op::SetRules {
            authorize_ingress: BTreeSet::new(),
            revoke_ingress: BTreeSet::new(),
            authorize_egress: BTreeSet::new(),
            revoke_egress: BTreeSet::new(),
        })
    {
        plan.then("security group rules", vec![rules]);
    }
    if desired.nat_subnet_id.is_none() {
        endpoints(desired, record, &mut plan);
    } else {
        way_out(desired, record, &mut plan);
    }
    // The template.
    match &record.template {
        None => plan.then(
            "template",
            vec![Op::CreateTemplate {
                settings: desired.template.clone(),
                tags: desired.tags.clone(),
            }],
        ),
        Some(template) => {
            let mut ops = Vec::new();
            let mut wanted = desired.template.clone();
            wanted.security_group_ids =
                record.security_group.iter().map(|g| g.id.clone()).collect();
            if template.settings != wanted || record.security_group.is_none() {
                ops.push(Op::UpdateTemplate {
                    settings: desired.template.clone(),
                });
            }
            if let Some((set, remove)) = retag(&template.tags, &desired.tags) {
                ops.push(Op::RetagTemplate { set, remove });
            }
            plan.then("template", ops);
        }
    }
    plan
}

/// NAT mode's way out: the Elastic IP, the NAT gateway, the default route.
fn way_out(desired: &Desired, record: &Area, plan: &mut OperationPlan<Op>) {
    match &record.elastic_ip {
        None => plan.then(
            "Elastic IP",
            vec![Op::AllocateElasticIp {
                tags: desired.tags.clone(),
            }],
        ),
        Some(address) => {
            if let Some((set, remove)) = retag(&address.tags, &desired.tags) {
                plan.then(
                    "Elastic IP tags",
                    vec![Op::Retag {
                        kind: Kind::ElasticIp,
                        set,
                        remove,
                    }],
                );
            }
        }
    }
    match record.nat.as_ref().filter(|n| n.live()) {
        None => plan.then(
            "NAT gateway",
            vec![
                Op::CreateNatGateway {
                    tags: desired.tags.clone(),
                },
                Op::AwaitNatGateway,
            ],
        ),
        Some(nat) => {
            if nat.state != "available" {
                plan.then("NAT gateway", vec![Op::AwaitNatGateway]);
            }
            if let Some((set, remove)) = retag(&nat.tags, &desired.tags) {
                plan.then(
                    "NAT gateway tags",
                    vec![Op::Retag {
                        kind: Kind::NatGateway,
                        set,
                        remove,
                    }],
                );
            }
        }
    }
    if let Some(table) = &record.route_table
        && !(record.routed_to_nat() && record.nat.as_ref().is_some_and(|n| n.live()))
    {
        let mut route = Vec::new();
        if record.default_route().is_some() {
            route.push(Op::DeleteDefaultRoute {
                table: table.id.clone(),
            });
        }
        route.push(Op::CreateDefaultRoute {
            table: table.id.clone(),
        });
        plan.then("default route", route);
    }
}

/// Private mode's way out: the VPC endpoints that are missing, then the wait for them.
fn endpoints(desired: &Desired, record: &Area, plan: &mut OperationPlan<Op>) {
    let missing: Vec<Op> = wanted_endpoints(&desired.region)
        .into_iter()
        .filter(|(service, interface)| {
            !record
                .endpoints
                .iter()
                .any(|e| &e.service_name == service && e.interface == *interface)
        })
        .map(|(service, interface)| Op::CreateEndpoint {
            service,
            interface,
            tags: desired.tags.clone(),
        })
        .collect();
    let settled = record.endpoints.iter().all(|e| e.state == "available");
    if !missing.is_empty() || !settled {
        plan.then("VPC endpoints", missing);
        plan.then("wait for the VPC endpoints", vec![Op::AwaitEndpoints]);
    }
}

fn destroy(record: &Area, plan: &mut OperationPlan<Op>) {
    if record.template.is_some() {
        plan.then("delete the template", vec![Op::DeleteTemplate]);
    }
    if !record.endpoints.is_empty() {
        plan.then("delete the VPC endpoints", vec![Op::DeleteEndpoints]);
    }
    if let Some(table) = &record.route_table
        && record.routed_to_nat()
    {
        plan.then(
            "delete the default route",
            vec![Op::DeleteDefaultRoute {
                table: table.id.clone(),
            }],
        );
    }
    if record.nat.is_some() {
        plan.then("delete the NAT gateway", vec![Op::DeleteNatGateway]);
    }
    if record.elastic_ip.is_some() {
        plan.then("release the Elastic IP", vec![Op::ReleaseElasticIp]);
    }
    if record.security_group.is_some() {
        plan.then("delete the security group", vec![Op::DeleteSecurityGroup]);
    }
}

/// A sentence naming what an operation tried, for its failure's summary.
pub(crate) fn describe(op: &Op, record: &Area) -> String {
    let group = record
        .security_group
        .as_ref()
        .map_or("the security group".to_string(), |g| {
            format!("security group {}", g.id)
        });
    let nat = record
        .nat
        .as_ref()
        .map_or("the NAT gateway".to_string(), |n| {
            format!("NAT gateway {}", n.id)
        });
    let template = record
        .template
        .as_ref()
        .map_or("the replication configuration template".to_string(), |t| {
            format!("replication configuration template {}", t.id)
        });
    let address = record
        .elastic_ip
        .as_ref()
        .map_or("the Elastic IP".to_string(), |a| {
            format!("Elastic IP {}", a.allocation_id)
        });
    match op {
        Op::CreateSecurityGroup { .. } => format!(
            "Creating the replication servers' security group in {} failed",
            record.vpc_id
        ),
        Op::SetRules { .. } => format!("Setting the rules of {group} failed"),
        Op::AllocateElasticIp { .. } => "Allocating the NAT gateway's Elastic IP failed".into(),
        Op::CreateNatGateway { .. } => format!(
            "Creating the NAT gateway in {} failed",
            record.nat_subnet_id
        ),
        Op::AwaitNatGateway => format!("Waiting for {nat} to be available failed"),
        Op::DeleteDefaultRoute { table } => {
            format!("Deleting the default route of {table} failed")
        }
        Op::CreateDefaultRoute { table } => {
            format!("Creating the default route of {table} to {nat} failed")
        }
        Op::CreateTemplate { .. } => {
            "Creating the replication configuration template failed".into()
        }
        Op::UpdateTemplate { .. } => format!("Updating {template} failed"),
        Op::RetagTemplate { .. } => format!("Tagging {template} failed"),
        Op::Retag { kind, .. } => format!(
            "Tagging {} failed",
            match kind {
                Kind::SecurityGroup => &group,
                Kind::ElasticIp => &address,
                Kind::NatGateway => &nat,
            }
        ),
        Op::CreateEndpoint { service, .. } => {
            format!("Creating the VPC endpoint to {service} failed")
        }
        Op::AwaitEndpoints => "Waiting for the VPC endpoints to be available failed".into(),
        Op::DeleteEndpoints => "Deleting the VPC endpoints failed".into(),
        Op::DeleteTemplate => format!("Deleting {template} failed"),
        Op::DeleteNatGateway => format!("Deleting {nat} failed"),
        Op::ReleaseElasticIp => format!("Releasing {address} failed"),
        Op::DeleteSecurityGroup => format!("Deleting {group} failed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::ec2::nat_gateway::{ElasticIp, NatGateway};
    use crate::aws::ec2::route_table::{RouteTable, VpcRoute};
    use crate::aws::ec2::security_group::SecurityGroup;
    use crate::aws::mgn::ReplicationTemplate;
    use crate::framework::typed::FromValue;
    use crate::resources::replication_staging_area::model::Config;
    use crate::resources::replication_staging_area::model::tests::config_value;

    fn desired() -> Desired {
        Config::from_value(&config_value(&[]))
            .unwrap()
            .desired(&Tags::new(), "eu-west-1", &BTreeSet::new(), None)
            .unwrap()
    }

    fn names(plan: &OperationPlan<Op>) -> Vec<&'static str> {
        plan.operations()
            .map(|op| match op {
                Op::CreateSecurityGroup { .. } => "create group",
                Op::SetRules { .. } => "rules",
                Op::AllocateElasticIp { .. } => "allocate",
                Op::CreateNatGateway { .. } => "create nat",
                Op::AwaitNatGateway => "await nat",
                Op::DeleteDefaultRoute { .. } => "delete route",
                Op::CreateDefaultRoute { .. } => "create route",
                Op::CreateTemplate { .. } => "create template",
                Op::UpdateTemplate { .. } => "update template",
                Op::RetagTemplate { .. } => "retag template",
                Op::Retag { .. } => "retag",
                Op::CreateEndpoint {
                    interface: true, ..
                } => "create interface endpoint",
                Op::CreateEndpoint { .. } => "create gateway endpoint",
                Op::AwaitEndpoints => "await endpoints",
                Op::DeleteEndpoints => "delete endpoints",
                Op::DeleteTemplate => "delete template",
                Op::DeleteNatGateway => "delete nat",
                Op::ReleaseElasticIp => "release",
                Op::DeleteSecurityGroup => "delete group",
            })
            .collect()
    }

    fn empty() -> Area {
        Area {
            vpc_id: "vpc-1".into(),
            staging_subnet_id: "subnet-s".into(),
            nat_subnet_id: "subnet-p".into(),
            route_table: Some(RouteTable {
                id: "rtb-s".into(),
                vpc_id: "vpc-1".into(),
                routes: vec![],
            }),
            ..Area::default()
        }
    }

    /// What a create of `desired()` leaves.
    fn complete() -> Area {
        let desired = desired();
        let mut settings = desired.template.clone();
        settings.security_group_ids = BTreeSet::from(["sg-1".to_string()]);
        Area {
            security_group: Some(SecurityGroup {
                id: "sg-1".into(),
                vpc_id: "vpc-1".into(),
                name: "staging".into(),
                tags: desired.tags.clone(),
                ingress: desired.ingress.clone(),
                egress: desired.egress.clone(),
            }),
            elastic_ip: Some(ElasticIp {
                allocation_id: "eipalloc-1".into(),
                public_ip: "203.0.113.1".into(),
                tags: desired.tags.clone(),
            }),
            nat: Some(NatGateway {
                id: "nat-1".into(),
                subnet_id: "subnet-p".into(),
                vpc_id: "vpc-1".into(),
                state: "available".into(),
                allocation_ids: vec!["eipalloc-1".into()],
                tags: desired.tags.clone(),
            }),
            route_table: Some(RouteTable {
                id: "rtb-s".into(),
                vpc_id: "vpc-1".into(),
                routes: vec![VpcRoute {
                    destination: "0.0.0.0/0".into(),
                    target: "nat-1".into(),
                    state: "active".into(),
                }],
            }),
            template: Some(ReplicationTemplate {
                id: "rct-1".into(),
                arn: "arn:aws:mgn:eu-west-1:111122223333:replication-configuration-template/rct-1"
                    .into(),
                settings,
                tags: desired.tags.clone(),
            }),
            ..empty()
        }
    }

    #[test]
    fn a_create_goes_from_the_group_to_the_template_and_marks_the_group() {
        let plan = operations(Some(&desired()), &empty());
        assert_eq!(
            names(&plan),
            vec![
                "create group",
                "rules",
                "allocate",
                "create nat",
                "await nat",
                "create route",
                "create template"
            ]
        );
        let Some(Op::CreateSecurityGroup { tags }) = plan.operations().next() else {
            panic!("the group first");
        };
        assert_eq!(tags[UNCONFIRMED_TAG], fingerprint("vpc-1"));
        // EC2's everything-out rule is replaced by 443 out.
        let Some(Op::SetRules {
            revoke_egress,
            authorize_egress,
            ..
        }) = plan.operations().nth(1)
        else {
            panic!("then the rules");
        };
        assert_eq!(revoke_egress, &default_egress());
        assert_eq!(
            authorize_egress,
            &BTreeSet::from([CidrRule::tcp(443, "0.0.0.0/0")])
        );
    }

    #[test]
    fn what_exists_as_wanted_plans_nothing() {
        assert_eq!(
            names(&operations(Some(&desired()), &complete())),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn drift_plans_only_its_repair() {
        let mut drifted = complete();
        drifted.nat = None;
        drifted.route_table.as_mut().unwrap().routes[0].state = "blackhole".into();
        drifted
            .template
            .as_mut()
            .unwrap()
            .settings
            .bandwidth_throttling = 50;
        drifted.security_group.as_mut().unwrap().ingress.clear();
        assert_eq!(
            names(&operations(Some(&desired()), &drifted)),
            vec![
                "rules",
                "create nat",
                "await nat",
                "delete route",
                "create route",
                "update template"
            ]
        );
    }

    #[test]
    fn new_tags_retag_every_object_and_never_remove_the_marker() {
        let mut record = complete();
        let group = record.security_group.as_mut().unwrap();
        group
            .tags
            .insert(UNCONFIRMED_TAG.into(), fingerprint("vpc-1"));
        let mut desired = desired();
        desired.tags.insert("team".into(), "migration".into());
        let plan = operations(Some(&desired), &record);
        assert_eq!(
            names(&plan),
            vec!["retag", "retag", "retag", "retag template"]
        );
        for op in plan.operations() {
            let (Op::Retag { set, remove, .. } | Op::RetagTemplate { set, remove }) = op else {
                panic!("only tags change: {op:?}");
            };
            assert_eq!(
                set,
                &Tags::from([("team".to_string(), "migration".to_string())])
            );
            assert!(remove.is_empty(), "{remove:?}");
        }
    }

    #[test]
    fn a_private_create_makes_endpoints_instead_of_a_nat_gateway() {
        let value = config_value(&[
            (
                "network_mode",
                crate::protocol::cty::Value::string("PRIVATE"),
            ),
            ("nat_subnet_id", crate::protocol::cty::Value::Null),
        ]);
        let desired = Config::from_value(&value)
            .unwrap()
            .desired(
                &Tags::new(),
                "eu-west-1",
                &BTreeSet::from(["10.60.0.0/16".to_string()]),
                None,
            )
            .unwrap();
        let plan = operations(Some(&desired), &empty());
        assert_eq!(
            names(&plan),
            vec![
                "create group",
                "rules",
                "create gateway endpoint",
                "create interface endpoint",
                "create interface endpoint",
                "create interface endpoint",
                "await endpoints",
                "create template"
            ]
        );
        let services: Vec<&str> = plan
            .operations()
            .filter_map(|op| match op {
                Op::CreateEndpoint { service, .. } => Some(service.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(
            services,
            vec![
                "com.amazonaws.eu-west-1.s3",
                "com.amazonaws.eu-west-1.mgn",
                "com.amazonaws.eu-west-1.ec2",
                "com.amazonaws.eu-west-1.s3"
            ]
        );
    }

    #[test]
    fn a_destroy_releases_the_address_after_the_nat_gateway() {
        assert_eq!(
            names(&operations(None, &complete())),
            vec![
                "delete template",
                "delete route",
                "delete nat",
                "release",
                "delete group"
            ]
        );
        assert_eq!(names(&operations(None, &empty())), Vec::<&str>::new());
    }
}
