//! AWS calls per operation, from the emulator's call record: a no-op plan (refresh + plan)
//! costs the same small number of calls whether the hub has 5 VPCs or 20, because every read
//! is batched per API.

use std::collections::BTreeMap;

use crate::hub_network_support::*;

/// Creates a hub of `n` VPCs (route tables in the first two), then plans it twice; returns
/// the calls of the create (apply) and of a no-op plan.
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
    // The first refresh after the create also confirms the hub (one DeleteTags of the
    // unconfirmed marker, once in the hub's life); the plans after it are the steady state.
    let mut plans = Vec::new();
    for _ in 0..2 {
        let before_plan = next_seq(&world.calls().await);
        let plan = world.tf.plan(&config).await.unwrap();
        assert!(!plan.has_errors(), "{:#?}", plan.errors());
        assert_no_changes(&plan);
        plans.push(counts(&world.calls().await, before_plan));
    }
    let no_op = plans.pop().expect("the second plan");
    let mut first = plans.pop().expect("the first plan");
    assert_eq!(
        first.remove("DeleteTags"),
        Some(1),
        "the first refresh confirms the hub: {first:?}"
    );
    assert_eq!(
        first, no_op,
        "besides confirming, the first plan reads the same"
    );
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

/// AWS may answer a list with fewer items than asked and a `NextToken`. With the emulator
/// serving one item per page, a hub whose reads stopped at the first page would lose
/// attachments, principals and propagations, and its re-plan would not be empty.
#[tokio::test]
async fn one_item_pages_are_read_to_the_end() {
    let mut world = World::start().await;
    let nets = [
        world.vpc(1, 1, 1).await,
        world.vpc(2, 1, 1).await,
        world.vpc(3, 1, 1).await,
    ];
    let dx = world.direct_connect_gateway(65010).await;
    world
        .emulator
        .configure(serde_json::json!({"page_size": 1}))
        .await
        .unwrap();
    let attachments: String = nets
        .iter()
        .enumerate()
        .map(|(i, n)| {
            format!(
                "    net{i} = {{\n      vpc_id = \"{}\"\n      subnet_ids = {}\n      route_table_ids = {}\n    }}\n",
                n.vpc,
                list(&n.subnets),
                list(&n.tables)
            )
        })
        .collect();
    let config = world.config(&format!(
        "  name = \"paged\"\n  share_with = [\"111111111111\", \"222222222222\", \"333333333333\"]\n  vpc_attachments = {{\n{attachments}  }}\n  data_center = {{\n    cidr_blocks = [\"192.168.0.0/16\"]\n    direct_connect_gateway_id = \"{dx}\"\n  }}\n"
    ));
    world.converge(&config).await;
    let state = world.state();
    for i in 0..3 {
        assert!(
            text(
                &state,
                &["vpc_attachments", &format!("net{i}"), "attachment_id"]
            )
            .starts_with("tgw-attach-")
        );
    }
    assert_eq!(get(&state, &["share_with"]).elements().unwrap().len(), 3);
    assert_eq!(route_entries(&state).len(), 3 * 3);

    // The reads really were paged: each of these was called with a token at least once.
    let calls = world.calls().await;
    for (action, token) in [
        ("DescribeTransitGatewayAttachments", "NextToken"),
        ("DescribeTransitGatewayVpcAttachments", "NextToken"),
        ("GetTransitGatewayRouteTablePropagations", "NextToken"),
        ("GetResourceShareAssociations", "nextToken"),
    ] {
        assert!(
            calls
                .iter()
                .any(|c| c.action == action && !c.params[token].is_null()),
            "{action} was never asked for a second page"
        );
    }

    let tgw = text(&state, &["id"]);
    let destroyed = world.tf.destroy(&config).await.unwrap();
    assert!(!destroyed.has_errors(), "{:#?}", destroyed.errors());
    assert_nothing_left(&world.inventory().await, &tgw);
}
