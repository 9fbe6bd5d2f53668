//! AWS calls per operation, from the emulator's call record: a no-op plan (refresh + plan)
//! costs the same small number of calls whether the hub has 5 VPCs or 20, because every read
//! is batched per API.

use std::collections::BTreeMap;

use crate::hub_network_support::*;

/// Creates a hub of `n` VPCs (route tables in the first two), then plans it again; returns
/// the calls of the create (apply) and of the no-op plan.
async fn measure(n: u8) -> (BTreeMap<String, usize>, BTreeMap<String, usize>) {
    let mut world = World::start().await;
    let mut attachments = String::new();
    for i in 0..n {
        let net = world.vpc(i + 1, 1, usize::from(i < 2)).await;
        attachments.push_str(&format!(
            "    vpc{i} = {{\n      vpc_id = \"{}\"\n      subnet_ids = {}\n      route_table_ids = {}\n    }}\n",
            net.vpc,
            list(&net.subnets),
            list(&net.tables)
        ));
    }
    let dx = world.direct_connect_gateway(65010).await;
    let config = world.config(&format!(
        "  name = \"hub\"\n  share_with = [\"444455556666\"]\n  vpc_attachments = {{\n{attachments}  }}\n  data_center = {{\n    cidr_blocks = [\"192.168.0.0/16\"]\n    direct_connect_gateway_id = \"{dx}\"\n  }}\n"
    ));
    let before_create = next_seq(&world.calls().await);
    let applied = world.tf.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.errors());
    let create = counts(&world.calls().await, before_create);
    let before_plan = next_seq(&world.calls().await);
    let plan = world.tf.plan(&config).await.unwrap();
    assert!(!plan.has_errors(), "{:#?}", plan.errors());
    assert_no_changes(&plan);
    let no_op = counts(&world.calls().await, before_plan);
    (create, no_op)
}

fn total(calls: &BTreeMap<String, usize>) -> usize {
    calls.values().sum()
}

#[tokio::test]
async fn a_no_op_plan_costs_the_same_few_calls_at_5_and_20_vpcs() {
    let (create_5, plan_5) = measure(5).await;
    let (create_20, plan_20) = measure(20).await;
    eprintln!("no-op plan, 5 VPCs: {} calls {plan_5:?}", total(&plan_5));
    eprintln!("no-op plan, 20 VPCs: {} calls {plan_20:?}", total(&plan_20));
    eprintln!("create, 5 VPCs: {} calls {create_5:?}", total(&create_5));
    eprintln!("create, 20 VPCs: {} calls {create_20:?}", total(&create_20));
    assert_eq!(
        plan_5, plan_20,
        "the no-op plan does not grow with the number of VPCs"
    );
    assert!(total(&plan_20) <= 12, "a handful of calls: {plan_20:#?}");
    // Creating grows with the VPCs only through the per-object mutations.
    assert_eq!(create_20["CreateTransitGatewayVpcAttachment"], 20);
    assert_eq!(create_5["DescribeVpcs"], create_20["DescribeVpcs"]);
    assert_eq!(
        create_5["DescribeRouteTables"],
        create_20["DescribeRouteTables"]
    );
}
