//! The same hub written as raw hashicorp/aws resources, as a model: which resource instances it
//! takes, how many AWS calls its no-op plan makes, and how long its apply walk takes when
//! Terraform core schedules those resources at `-parallelism=10`.
//!
//! The call counts and the create sequences come from that provider's resource code
//! (`internal/service/ec2`, `ram`, `directconnect`): every managed resource instance is read once
//! per refresh with its own find function, and every create is its mutating call, then its
//! waiter (the plugin SDK's `StateChangeConf`: first poll at once, then 200 ms doubling to 10 s),
//! then a read. See docs/performance.md for the table per resource type.

/// The raw resource instances equivalent to one `migration_hub_network`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawHub {
    /// `aws_ec2_transit_gateway_vpc_attachment`, one per VPC (each VPC has one route table).
    pub vpcs: usize,
    /// `aws_route`, in the VPC route tables (every other VPC and the data-center CIDRs).
    pub vpc_routes: usize,
    /// `aws_ec2_transit_gateway_route`, static routes to the data center in the hub table.
    pub hub_static_routes: usize,
    /// `aws_ram_principal_association` (the share itself and its TGW association come with any).
    pub principals: usize,
    /// `aws_dx_gateway_association` plus the data source that finds its TGW attachment.
    pub direct_connect: bool,
}

/// One line of the refresh formula: a resource type, its instances, calls per instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadCost {
    pub resource: &'static str,
    pub instances: usize,
    pub calls_each: usize,
    pub calls: &'static str,
}

impl RawHub {
    /// What a no-op `terraform plan` reads, resource type by resource type.
    pub fn refresh_costs(&self) -> Vec<ReadCost> {
        let share = usize::from(self.principals > 0);
        let dx = usize::from(self.direct_connect);
        vec![
            ReadCost {
                resource: "provider configuration",
                instances: 1,
                calls_each: 1,
                calls: "sts:GetCallerIdentity",
            },
            ReadCost {
                resource: "aws_ec2_transit_gateway",
                instances: 1,
                calls_each: 1,
                calls: "DescribeTransitGateways",
            },
            ReadCost {
                resource: "aws_ec2_transit_gateway_vpc_attachment",
                instances: self.vpcs,
                calls_each: 4,
                calls: "DescribeTransitGatewayVpcAttachments, DescribeTransitGateways, \
                        GetTransitGatewayRouteTableAssociations, \
                        GetTransitGatewayRouteTablePropagations",
            },
            ReadCost {
                resource: "aws_ec2_transit_gateway_route_table_propagation",
                instances: self.vpcs + dx,
                calls_each: 1,
                calls: "GetTransitGatewayRouteTablePropagations",
            },
            ReadCost {
                resource: "aws_route",
                instances: self.vpc_routes,
                calls_each: 1,
                calls: "DescribeRouteTables",
            },
            ReadCost {
                resource: "aws_ec2_transit_gateway_route",
                instances: self.hub_static_routes,
                calls_each: 1,
                calls: "SearchTransitGatewayRoutes",
            },
            ReadCost {
                resource: "aws_ram_resource_share",
                instances: share,
                calls_each: 1,
                calls: "ram:GetResourceShares",
            },
            ReadCost {
                resource: "aws_ram_resource_association",
                instances: share,
                calls_each: 1,
                calls: "ram:GetResourceShareAssociations",
            },
            ReadCost {
                resource: "aws_ram_principal_association",
                instances: self.principals,
                calls_each: 1,
                calls: "ram:GetResourceShareAssociations",
            },
            ReadCost {
                resource: "aws_dx_gateway_association",
                instances: dx,
                calls_each: 1,
                calls: "directconnect:DescribeDirectConnectGatewayAssociations",
            },
            ReadCost {
                resource: "data.aws_ec2_transit_gateway_dx_gateway_attachment",
                instances: dx,
                calls_each: 1,
                calls: "DescribeTransitGatewayAttachments",
            },
        ]
    }

    /// AWS calls of a no-op plan: at least one read per resource instance.
    pub fn refresh_calls(&self) -> usize {
        self.refresh_costs()
            .iter()
            .map(|c| c.instances * c.calls_each)
            .sum()
    }

    /// The raw resources' dependency graph and each create's sequence of calls and waits.
    pub fn create_graph(&self) -> Vec<Node> {
        let mut nodes = Vec::new();
        let mut add = |name: String, deps: Vec<usize>, steps: Vec<Step>| {
            nodes.push(Node { name, deps, steps });
            nodes.len() - 1
        };
        use Step::*;
        // CreateTransitGateway, wait available, read.
        let tgw = add(
            "aws_ec2_transit_gateway".into(),
            vec![],
            vec![Call, Await(Transition::TransitGateway), Call],
        );
        let mut share = None;
        if self.principals > 0 {
            // CreateResourceShare, wait ACTIVE (one poll), read.
            let s = add(
                "aws_ram_resource_share".into(),
                vec![],
                vec![Call, Await(Transition::Immediate), Call],
            );
            add(
                "aws_ram_resource_association".into(),
                vec![s, tgw],
                vec![Call, Await(Transition::RamAssociation), Call],
            );
            share = Some(s);
        }
        for p in 0..self.principals {
            add(
                format!("aws_ram_principal_association[{p}]"),
                vec![share.expect("a share when there are principals")],
                vec![Call, Await(Transition::RamAssociation), Call],
            );
        }
        // Create, wait available, DescribeTransitGateways, association and propagation checks
        // (default association kept, default propagation off), then the read (4 calls).
        let attachments: Vec<usize> = (0..self.vpcs)
            .map(|i| {
                add(
                    format!("aws_ec2_transit_gateway_vpc_attachment[{i}]"),
                    vec![tgw],
                    vec![
                        Call,
                        Await(Transition::VpcAttachment),
                        Call,
                        Call,
                        Call,
                        Call,
                        Call,
                        Call,
                        Call,
                    ],
                )
            })
            .collect();
        let mut data_center = None;
        if self.direct_connect {
            let association = add(
                "aws_dx_gateway_association".into(),
                vec![tgw],
                vec![Call, Await(Transition::DirectConnect), Call],
            );
            data_center = Some(add(
                "data.aws_ec2_transit_gateway_dx_gateway_attachment".into(),
                vec![association],
                vec![Call],
            ));
        }
        // Enable, wait enabled (one poll), read.
        for (i, attachment) in attachments.iter().copied().chain(data_center).enumerate() {
            add(
                format!("aws_ec2_transit_gateway_route_table_propagation[{i}]"),
                vec![attachment],
                vec![Call, Await(Transition::Immediate), Call],
            );
        }
        // CreateRoute, waitRouteReady (two polls 100 ms apart: ContinuousTargetOccurence 2),
        // read. A route through a TGW needs the VPC's attachment: depends_on it.
        for r in 0..self.vpc_routes {
            let attachment = attachments[r % self.vpcs.max(1)];
            add(
                format!("aws_route[{r}]"),
                vec![attachment],
                vec![Call, Call, Sleep(0.1), Call, Call],
            );
        }
        for r in 0..self.hub_static_routes {
            add(
                format!("aws_ec2_transit_gateway_route[{r}]"),
                data_center.into_iter().collect(),
                vec![Call, Call],
            );
        }
        nodes
    }
}

/// A raw resource's create.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub name: String,
    pub deps: Vec<usize>,
    pub steps: Vec<Step>,
}

/// One step of a create.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Step {
    /// One AWS call: one round trip.
    Call,
    /// A waiter polling (one call per poll, SDK backoff) until the object made by the previous
    /// call has finished its transition.
    Await(Transition),
    /// A fixed pause, in seconds.
    Sleep(f64),
}

/// Which of the emulator's state-transition delays a waiter waits out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    TransitGateway,
    VpcAttachment,
    DirectConnect,
    RamAssociation,
    /// Done by the first poll.
    Immediate,
}

/// The transition delays and call latency the model runs with (seconds).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    /// One call's round trip (measured: the median call duration in the emulator's record).
    pub call: f64,
    pub transit_gateway: f64,
    pub vpc_attachment: f64,
    pub direct_connect: f64,
    pub ram_association: f64,
}

impl Timing {
    fn delay(&self, transition: Transition) -> f64 {
        match transition {
            Transition::TransitGateway => self.transit_gateway,
            Transition::VpcAttachment => self.vpc_attachment,
            Transition::DirectConnect => self.direct_connect,
            Transition::RamAssociation => self.ram_association,
            Transition::Immediate => 0.0,
        }
    }
}

/// How long one create takes on its own. The object is ready `delay` after its create call
/// returned; a poll sees it when the poll reaches AWS (the end of its round trip) at or after
/// that moment. Between polls the plugin SDK sleeps 200 ms, doubling, at most 10 s.
pub fn node_duration(steps: &[Step], timing: &Timing) -> f64 {
    let mut t = 0.0;
    for step in steps {
        match *step {
            Step::Call => t += timing.call,
            Step::Sleep(s) => t += s,
            Step::Await(transition) => {
                let ready = t + timing.delay(transition);
                let mut wait = 0.2;
                loop {
                    t += timing.call;
                    if t >= ready {
                        break;
                    }
                    t += wait;
                    wait = (wait * 2.0).min(10.0);
                }
            }
        }
    }
    t
}

/// Terraform core's apply walk: a node starts once its dependencies are done and one of
/// `parallelism` slots is free (first come, first served); returns the makespan in seconds.
pub fn schedule(nodes: &[Node], timing: &Timing, parallelism: usize) -> f64 {
    let n = nodes.len();
    let durations: Vec<f64> = nodes
        .iter()
        .map(|node| node_duration(&node.steps, timing))
        .collect();
    let mut remaining: Vec<usize> = nodes.iter().map(|node| node.deps.len()).collect();
    let mut dependents = vec![Vec::new(); n];
    for (i, node) in nodes.iter().enumerate() {
        for &d in &node.deps {
            dependents[d].push(i);
        }
    }
    // Ready queue ordered by (ready time, index); running set as (finish time, index).
    let mut ready: Vec<(f64, usize)> = (0..n)
        .filter(|&i| remaining[i] == 0)
        .map(|i| (0.0, i))
        .collect();
    let mut running: Vec<(f64, usize)> = Vec::new();
    let mut now = 0.0f64;
    let mut done = 0;
    while done < n {
        ready.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        while running.len() < parallelism.max(1) && !ready.is_empty() && ready[0].0 <= now {
            let (_, i) = ready.remove(0);
            running.push((now + durations[i], i));
        }
        // Advance to the next event: a node finishing, or a node becoming ready.
        let next_finish = running.iter().map(|r| r.0).fold(f64::INFINITY, f64::min);
        let next_ready = if running.len() < parallelism.max(1) {
            ready.first().map(|r| r.0).unwrap_or(f64::INFINITY)
        } else {
            f64::INFINITY
        };
        let next = next_finish.min(next_ready);
        assert!(next.is_finite(), "the graph has a cycle");
        now = next.max(now);
        let (finished, still): (Vec<_>, Vec<_>) = running.into_iter().partition(|r| r.0 <= now);
        running = still;
        for (_, i) in finished {
            done += 1;
            for &j in &dependents[i] {
                remaining[j] -= 1;
                if remaining[j] == 0 {
                    ready.push((now, j));
                }
            }
        }
    }
    now
}

/// The longest chain of dependent creates (the makespan with unlimited parallelism).
pub fn critical_path(nodes: &[Node], timing: &Timing) -> f64 {
    let mut finish = vec![0.0f64; nodes.len()];
    // Nodes are built dependencies-first, so one pass in index order is a topological order.
    for (i, node) in nodes.iter().enumerate() {
        let start = node.deps.iter().map(|&d| finish[d]).fold(0.0, f64::max);
        finish[i] = start + node_duration(&node.steps, timing);
    }
    finish.into_iter().fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hub(vpcs: usize) -> RawHub {
        RawHub {
            vpcs,
            vpc_routes: vpcs * vpcs,
            hub_static_routes: 1,
            principals: 1,
            direct_connect: true,
        }
    }

    const TIMING: Timing = Timing {
        call: 0.05,
        transit_gateway: 2.0,
        vpc_attachment: 2.0,
        direct_connect: 2.0,
        ram_association: 0.5,
    };

    #[test]
    fn refresh_reads_every_instance_and_grows_with_the_square_of_the_vpcs() {
        // N² routes + 4N attachment reads + (N + 1) propagations + 9 singletons.
        for n in [5usize, 20, 50, 100] {
            assert_eq!(hub(n).refresh_calls(), n * n + 5 * n + 9, "n = {n}");
        }
        let without_share = RawHub {
            principals: 0,
            direct_connect: false,
            hub_static_routes: 0,
            ..hub(5)
        };
        // No share, no data center: configuration, TGW, 5 × 4, 5 propagations, 25 routes.
        assert_eq!(without_share.refresh_calls(), 1 + 1 + 20 + 5 + 25);
    }

    #[test]
    fn waiters_back_off_like_the_plugin_sdk() {
        let timing = Timing {
            call: 0.0,
            ..TIMING
        };
        // Ready at 1.0 s: polls at 0, 0.2, 0.6, 1.4 → seen at 1.4 s.
        let steps = [Step::Await(Transition::TransitGateway)];
        let t = node_duration(
            &steps,
            &Timing {
                transit_gateway: 1.0,
                ..timing
            },
        );
        assert!((t - 1.4).abs() < 1e-9, "{t}");
        // Immediate: one poll.
        assert_eq!(
            node_duration(&[Step::Await(Transition::Immediate)], &TIMING),
            0.05
        );
    }

    #[test]
    fn one_slot_serializes_and_unlimited_slots_reach_the_critical_path() {
        let nodes = hub(4).create_graph();
        let serial: f64 = nodes.iter().map(|n| node_duration(&n.steps, &TIMING)).sum();
        let one = schedule(&nodes, &TIMING, 1);
        assert!((one - serial).abs() < 1e-6, "{one} vs {serial}");
        let unlimited = schedule(&nodes, &TIMING, nodes.len());
        let path = critical_path(&nodes, &TIMING);
        assert!((unlimited - path).abs() < 1e-6, "{unlimited} vs {path}");
        let ten = schedule(&nodes, &TIMING, 10);
        assert!(path <= ten && ten <= serial, "{path} ≤ {ten} ≤ {serial}");
    }

    #[test]
    fn the_graph_has_one_create_per_raw_resource() {
        let nodes = hub(3).create_graph();
        let count = |prefix: &str| nodes.iter().filter(|n| n.name.starts_with(prefix)).count();
        assert_eq!(count("aws_ec2_transit_gateway_vpc_attachment"), 3);
        assert_eq!(count("aws_route["), 9);
        assert_eq!(count("aws_ec2_transit_gateway_route_table_propagation"), 4);
        assert_eq!(count("aws_ec2_transit_gateway_route["), 1);
        // Every dependency comes before its dependent (critical_path relies on it).
        assert!(
            nodes
                .iter()
                .enumerate()
                .all(|(i, n)| n.deps.iter().all(|&d| d < i))
        );
    }
}
