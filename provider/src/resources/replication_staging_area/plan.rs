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
    /// A NAT gateway in `subnet`, holding an Elastic IP no other NAT gateway holds.
    CreateNatGateway {
        subnet: String,
        tags: Tags,
    },
    /// Wait until the NAT gateway in `subnet` is available.
    AwaitNatGateway {
        subnet: String,
    },
    /// Remove a default route: one that goes nowhere any more (to a deleted NAT gateway) or to
    /// the wrong one, or a destroy's.
    DeleteDefaultRoute {
        table: String,
    },
    /// A staging subnet table's default route to the NAT gateway in `nat_subnet`.
    CreateDefaultRoute {
        table: String,
        nat_subnet: String,
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
        id: String,
        set: Tags,
        remove: BTreeSet<String>,
    },
    /// A VPC endpoint to `service` (`com.amazonaws.<region>.<name>`): an interface endpoint in
    /// `subnets` (one staging subnet per zone) with the record's security group, else the
    /// gateway endpoint on the staging subnets' route tables.
    CreateEndpoint {
        service: String,
        interface: bool,
        subnets: BTreeSet<String>,
        tags: Tags,
    },
    /// Wait until every endpoint is `available`.
    AwaitEndpoints,
    DeleteTemplate,
    /// Delete every endpoint and wait until they are gone (their interfaces hold the group).
    DeleteEndpoints,
    /// Delete these NAT gateways and wait until they are deleted.
    DeleteNatGateways {
        ids: Vec<String>,
    },
    ReleaseElasticIp {
        allocation_id: String,
    },
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
                        id: group.id.clone(),
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
    if desired.nat_for.is_empty() {
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

/// NAT mode's way out: an Elastic IP and a NAT gateway in each NAT subnet, and each staging
/// subnet's default route to the NAT gateway of its NAT subnet. An Elastic IP no NAT gateway
/// holds (allocated by an interrupted apply, or freed by a NAT gateway deleted out of band) is
/// taken before a new one is allocated.
fn way_out(desired: &Desired, record: &Area, plan: &mut OperationPlan<Op>) {
    let nat_subnets: BTreeSet<&String> = desired.nat_for.values().collect();
    let missing: Vec<&String> = nat_subnets
        .iter()
        .copied()
        .filter(|subnet| record.nat_in(subnet).is_none())
        .collect();
    let free = record
        .elastic_ips
        .iter()
        .filter(|a| {
            !record
                .nats
                .iter()
                .any(|n| n.allocation_ids.contains(&a.allocation_id))
        })
        .count();
    let allocate: Vec<Op> = (free..missing.len())
        .map(|_| Op::AllocateElasticIp {
            tags: desired.tags.clone(),
        })
        .collect();
    plan.then("Elastic IPs", allocate);
    let mut retags = Vec::new();
    for address in &record.elastic_ips {
        if let Some((set, remove)) = retag(&address.tags, &desired.tags) {
            retags.push(Op::Retag {
                kind: Kind::ElasticIp,
                id: address.allocation_id.clone(),
                set,
                remove,
            });
        }
    }
    for nat in record.nats.iter().filter(|n| n.live()) {
        if let Some((set, remove)) = retag(&nat.tags, &desired.tags) {
            retags.push(Op::Retag {
                kind: Kind::NatGateway,
                id: nat.id.clone(),
                set,
                remove,
            });
        }
    }
    plan.then("Elastic IP and NAT gateway tags", retags);
    plan.then(
        "NAT gateways",
        missing
            .iter()
            .map(|subnet| Op::CreateNatGateway {
                subnet: (*subnet).clone(),
                tags: desired.tags.clone(),
            })
            .collect(),
    );
    let awaited: Vec<Op> = nat_subnets
        .iter()
        .filter(|subnet| record.nat_in(subnet).is_none_or(|n| n.state != "available"))
        .map(|subnet| Op::AwaitNatGateway {
            subnet: (*subnet).clone(),
        })
        .collect();
    plan.then("wait for the NAT gateways", awaited);
    let mut routes = Vec::new();
    // A staging subnet no longer configured loses its default route to a NAT gateway of the
    // staging area (unless its table is a configured staging subnet's too).
    let wanted_tables: BTreeSet<&String> = desired
        .nat_for
        .keys()
        .filter_map(|s| record.route_tables.get(s).map(|t| &t.id))
        .collect();
    let mut tables_done = BTreeSet::new();
    for (staging, table) in &record.route_tables {
        if !desired.nat_for.contains_key(staging)
            && !wanted_tables.contains(&table.id)
            && record.routed_to_ours(staging)
            && tables_done.insert(table.id.clone())
        {
            routes.push(Op::DeleteDefaultRoute {
                table: table.id.clone(),
            });
        }
    }
    for (staging, nat_subnet) in &desired.nat_for {
        let Some(table) = record.route_tables.get(staging) else {
            continue;
        };
        if !tables_done.insert(table.id.clone()) {
            continue;
        }
        let routed = record
            .routed_nat(staging)
            .is_some_and(|n| &n.subnet_id == nat_subnet);
        if routed {
            continue;
        }
        if record.default_route(staging).is_some() {
            routes.push(Op::DeleteDefaultRoute {
                table: table.id.clone(),
            });
        }
        routes.push(Op::CreateDefaultRoute {
            table: table.id.clone(),
            nat_subnet: nat_subnet.clone(),
        });
    }
    plan.then("default routes", routes);
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
            subnets: desired.endpoint_subnet_ids.clone(),
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
    let mut tables = BTreeSet::new();
    let routes: Vec<Op> = record
        .route_tables
        .iter()
        .filter(|(staging, _)| record.routed_to_ours(staging))
        .filter(|(_, table)| tables.insert(table.id.clone()))
        .map(|(_, table)| Op::DeleteDefaultRoute {
            table: table.id.clone(),
        })
        .collect();
    plan.then("delete the default routes", routes);
    if !record.nats.is_empty() {
        plan.then(
            "delete the NAT gateways",
            vec![Op::DeleteNatGateways {
                ids: record.nats.iter().map(|n| n.id.clone()).collect(),
            }],
        );
    }
    plan.then(
        "release the Elastic IPs",
        record
            .elastic_ips
            .iter()
            .map(|a| Op::ReleaseElasticIp {
                allocation_id: a.allocation_id.clone(),
            })
            .collect(),
    );
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
    let nat = |subnet: &str| {
        record
            .nat_in(subnet)
            .map_or(format!("the NAT gateway in {subnet}"), |n| {
                format!("NAT gateway {}", n.id)
            })
    };
    let template = record
        .template
        .as_ref()
        .map_or("the replication configuration template".to_string(), |t| {
            format!("replication configuration template {}", t.id)
        });
    match op {
        Op::CreateSecurityGroup { .. } => format!(
            "Creating the replication servers' security group in {} failed",
            record.vpc_id
        ),
        Op::SetRules { .. } => format!("Setting the rules of {group} failed"),
        Op::AllocateElasticIp { .. } => "Allocating a NAT gateway's Elastic IP failed".into(),
        Op::CreateNatGateway { subnet, .. } => {
            format!("Creating the NAT gateway in {subnet} failed")
        }
        Op::AwaitNatGateway { subnet } => {
            format!("Waiting for {} to be available failed", nat(subnet))
        }
        Op::DeleteDefaultRoute { table } => {
            format!("Deleting the default route of {table} failed")
        }
        Op::CreateDefaultRoute { table, nat_subnet } => {
            format!(
                "Creating the default route of {table} to {} failed",
                nat(nat_subnet)
            )
        }
        Op::CreateTemplate { .. } => {
            "Creating the replication configuration template failed".into()
        }
        Op::UpdateTemplate { .. } => format!("Updating {template} failed"),
        Op::RetagTemplate { .. } => format!("Tagging {template} failed"),
        Op::Retag { kind, id, .. } => format!(
            "Tagging {} {id} failed",
            match kind {
                Kind::SecurityGroup => "security group",
                Kind::ElasticIp => "Elastic IP",
                Kind::NatGateway => "NAT gateway",
            }
        ),
        Op::CreateEndpoint { service, .. } => {
            format!("Creating the VPC endpoint to {service} failed")
        }
        Op::AwaitEndpoints => "Waiting for the VPC endpoints to be available failed".into(),
        Op::DeleteEndpoints => "Deleting the VPC endpoints failed".into(),
        Op::DeleteTemplate => format!("Deleting {template} failed"),
        Op::DeleteNatGateways { ids } => {
            format!("Deleting NAT gateway {} failed", ids.join(" and "))
        }
        Op::ReleaseElasticIp { allocation_id } => {
            format!("Releasing Elastic IP {allocation_id} failed")
        }
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
    use crate::resources::replication_staging_area::model::tests::{
        config_value, per_zone_changes, zones,
    };
    use std::collections::BTreeMap;

    fn desired() -> Desired {
        Config::from_value(&config_value(&[]))
            .unwrap()
            .desired(&Tags::new(), "eu-west-1", &BTreeSet::new(), None, &zones())
            .unwrap()
    }

    fn names(plan: &OperationPlan<Op>) -> Vec<&'static str> {
        plan.operations()
            .map(|op| match op {
                Op::CreateSecurityGroup { .. } => "create group",
                Op::SetRules { .. } => "rules",
                Op::AllocateElasticIp { .. } => "allocate",
                Op::CreateNatGateway { .. } => "create nat",
                Op::AwaitNatGateway { .. } => "await nat",
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
                Op::DeleteNatGateways { .. } => "delete nat",
                Op::ReleaseElasticIp { .. } => "release",
                Op::DeleteSecurityGroup => "delete group",
            })
            .collect()
    }

    fn address(id: &str, tags: &Tags) -> ElasticIp {
        ElasticIp {
            allocation_id: id.into(),
            public_ip: format!("203.0.113.{}", id.len()),
            tags: tags.clone(),
        }
    }

    fn nat(id: &str, subnet: &str, allocation: &str, tags: &Tags) -> NatGateway {
        NatGateway {
            id: id.into(),
            subnet_id: subnet.into(),
            vpc_id: "vpc-1".into(),
            state: "available".into(),
            allocation_ids: vec![allocation.into()],
            tags: tags.clone(),
        }
    }

    fn routed_table(id: &str, nat: &str) -> RouteTable {
        RouteTable {
            id: id.into(),
            vpc_id: "vpc-1".into(),
            routes: vec![VpcRoute {
                destination: "0.0.0.0/0".into(),
                target: nat.into(),
                state: "active".into(),
            }],
        }
    }

    fn empty() -> Area {
        Area {
            vpc_id: "vpc-1".into(),
            staging_subnet_id: "subnet-s".into(),
            nat_subnet_ids: BTreeSet::from(["subnet-p".to_string()]),
            route_tables: BTreeMap::from([(
                "subnet-s".to_string(),
                RouteTable {
                    id: "rtb-s".into(),
                    vpc_id: "vpc-1".into(),
                    routes: vec![],
                },
            )]),
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
            elastic_ips: vec![address("eipalloc-1", &desired.tags)],
            nats: vec![nat("nat-1", "subnet-p", "eipalloc-1", &desired.tags)],
            route_tables: BTreeMap::from([(
                "subnet-s".to_string(),
                routed_table("rtb-s", "nat-1"),
            )]),
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
        drifted.nats.clear();
        drifted.route_tables.get_mut("subnet-s").unwrap().routes[0].state = "blackhole".into();
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
                &zones(),
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

    fn per_zone_desired() -> Desired {
        Config::from_value(&config_value(&per_zone_changes()))
            .unwrap()
            .desired(&Tags::new(), "eu-west-1", &BTreeSet::new(), None, &zones())
            .unwrap()
    }

    /// What a create of `per_zone_desired()` leaves: a NAT gateway in subnet-p (zone a) and
    /// subnet-q (zone b), staging subnets subnet-s and subnet-t routed to their zone's.
    fn per_zone_complete() -> Area {
        let desired = per_zone_desired();
        let mut area = complete();
        area.additional_staging_subnet_ids = BTreeSet::from(["subnet-t".to_string()]);
        area.nat_subnet_ids = BTreeSet::from(["subnet-p".to_string(), "subnet-q".to_string()]);
        area.per_zone = true;
        area.elastic_ips.push(address("eipalloc-22", &desired.tags));
        area.nats
            .push(nat("nat-2", "subnet-q", "eipalloc-22", &desired.tags));
        area.route_tables
            .insert("subnet-t".into(), routed_table("rtb-t", "nat-2"));
        area
    }

    #[test]
    fn a_per_zone_create_makes_a_nat_gateway_per_zone_and_routes_each_staging_subnet_to_its_own() {
        let mut record = empty();
        record.route_tables.insert(
            "subnet-t".into(),
            RouteTable {
                id: "rtb-t".into(),
                vpc_id: "vpc-1".into(),
                routes: vec![],
            },
        );
        let plan = operations(Some(&per_zone_desired()), &record);
        assert_eq!(
            names(&plan),
            vec![
                "create group",
                "rules",
                "allocate",
                "allocate",
                "create nat",
                "create nat",
                "await nat",
                "await nat",
                "create route",
                "create route",
                "create template"
            ]
        );
        let routes: Vec<(&str, &str)> = plan
            .operations()
            .filter_map(|op| match op {
                Op::CreateDefaultRoute { table, nat_subnet } => {
                    Some((table.as_str(), nat_subnet.as_str()))
                }
                _ => None,
            })
            .collect();
        assert_eq!(routes, vec![("rtb-s", "subnet-p"), ("rtb-t", "subnet-q")]);
        assert_eq!(
            names(&operations(Some(&per_zone_desired()), &per_zone_complete())),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn a_per_zone_repair_touches_only_the_zone_that_drifted() {
        // Zone b's NAT gateway deleted out of band: its Elastic IP is free again and taken
        // by the new one, and only zone b's route moves.
        let mut drifted = per_zone_complete();
        drifted.nats.retain(|n| n.id != "nat-2");
        drifted.route_tables.get_mut("subnet-t").unwrap().routes[0].state = "blackhole".into();
        let plan = operations(Some(&per_zone_desired()), &drifted);
        assert_eq!(
            names(&plan),
            vec!["create nat", "await nat", "delete route", "create route"]
        );
        assert!(plan.operations().any(|op| op
            == &Op::CreateDefaultRoute {
                table: "rtb-t".into(),
                nat_subnet: "subnet-q".into()
            }));
        // Zone a's route deleted out of band: put back to zone a's NAT gateway.
        let mut drifted = per_zone_complete();
        drifted
            .route_tables
            .get_mut("subnet-s")
            .unwrap()
            .routes
            .clear();
        assert_eq!(
            operations(Some(&per_zone_desired()), &drifted)
                .operations()
                .cloned()
                .collect::<Vec<_>>(),
            vec![Op::CreateDefaultRoute {
                table: "rtb-s".into(),
                nat_subnet: "subnet-p".into()
            }]
        );
        // A staging subnet routed to the other zone's NAT gateway is moved to its own.
        let mut crossed = per_zone_complete();
        crossed
            .route_tables
            .insert("subnet-t".into(), routed_table("rtb-t", "nat-1"));
        assert_eq!(
            names(&operations(Some(&per_zone_desired()), &crossed)),
            vec!["delete route", "create route"]
        );
    }

    #[test]
    fn an_interrupted_create_takes_the_free_elastic_ip_instead_of_allocating_another() {
        let mut record = per_zone_complete();
        record.nats.retain(|n| n.id != "nat-2");
        record
            .route_tables
            .get_mut("subnet-t")
            .unwrap()
            .routes
            .clear();
        // Both addresses exist, one held: no allocation, one NAT gateway.
        assert_eq!(
            names(&operations(Some(&per_zone_desired()), &record)),
            vec!["create nat", "await nat", "create route"]
        );
        assert_eq!(
            record.free_address().map(|a| a.allocation_id.as_str()),
            Some("eipalloc-22")
        );
        // Neither exists: one allocation.
        record
            .elastic_ips
            .retain(|a| a.allocation_id != "eipalloc-22");
        assert_eq!(
            names(&operations(Some(&per_zone_desired()), &record)),
            vec!["allocate", "create nat", "await nat", "create route"]
        );
    }

    #[test]
    fn a_per_zone_destroy_removes_every_route_nat_gateway_and_address() {
        let plan = operations(None, &per_zone_complete());
        assert_eq!(
            names(&plan),
            vec![
                "delete template",
                "delete route",
                "delete route",
                "delete nat",
                "release",
                "release",
                "delete group"
            ]
        );
        assert!(plan.operations().any(|op| op
            == &Op::DeleteNatGateways {
                ids: vec!["nat-1".into(), "nat-2".into()]
            }));
    }

    #[test]
    fn a_shared_nat_gateway_serves_every_staging_subnet() {
        let desired = Config::from_value(&config_value(&[(
            "additional_staging_subnet_ids",
            crate::resources::replication_staging_area::model::tests::set(&["subnet-t"]),
        )]))
        .unwrap()
        .desired(&Tags::new(), "eu-west-1", &BTreeSet::new(), None, &zones())
        .unwrap();
        let mut record = complete();
        record.additional_staging_subnet_ids = BTreeSet::from(["subnet-t".to_string()]);
        record.route_tables.insert(
            "subnet-t".into(),
            RouteTable {
                id: "rtb-t".into(),
                vpc_id: "vpc-1".into(),
                routes: vec![],
            },
        );
        assert_eq!(
            operations(Some(&desired), &record)
                .operations()
                .cloned()
                .collect::<Vec<_>>(),
            vec![Op::CreateDefaultRoute {
                table: "rtb-t".into(),
                nat_subnet: "subnet-p".into()
            }]
        );
    }

    #[test]
    fn a_staging_subnet_removed_in_place_loses_its_default_route() {
        // The record still has subnet-t (the stored state's), the configuration only subnet-s.
        let mut record = per_zone_complete();
        record.nat_subnet_ids = BTreeSet::from(["subnet-p".to_string()]);
        record.per_zone = false;
        record.nats.retain(|n| n.id == "nat-1");
        record
            .route_tables
            .insert("subnet-t".into(), routed_table("rtb-t", "nat-1"));
        record
            .elastic_ips
            .retain(|a| a.allocation_id == "eipalloc-1");
        assert_eq!(
            operations(Some(&desired()), &record)
                .operations()
                .cloned()
                .collect::<Vec<_>>(),
            vec![Op::DeleteDefaultRoute {
                table: "rtb-t".into()
            }]
        );
        // A table another configured staging subnet uses keeps its route.
        record
            .route_tables
            .insert("subnet-t".into(), routed_table("rtb-s", "nat-1"));
        assert_eq!(
            names(&operations(Some(&desired()), &record)),
            Vec::<&str>::new()
        );
    }
}
