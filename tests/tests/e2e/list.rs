//! List resources (protocol 6.10, `terraform query` on Terraform ≥ 1.14) at the wire, against
//! the emulator: what each list finds (only this provider's objects, an interrupted create's
//! gateway named so), `limit`, filters, the resource object of `include_resource` equal to what
//! an import gives, StopProvider ending a list, and the errors of an unconfigured provider.

use std::time::{Duration, Instant};

use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};
use harness::emulator::REGION;
use harness::query::{ListBlock, Listed, list};
use harness::{LaunchOptions, ProviderProcess, Terraform};
use plugin_proto::tfplugin6;
use terraform_provider_migration::protocol::cty::Value;

use crate::client_vpn_fixture::site;
use crate::hub_network_support::{OWNER, World};

const HUB: &str = "migration_hub_network";
const ACCESS: &str = "migration_client_vpn_group_access";

fn identity(attribute: &str, id: &str) -> Value {
    Value::object([
        ("account_id", Value::string(OWNER)),
        ("region", Value::string(REGION)),
        (attribute, Value::string(id)),
    ])
}

fn ids(results: &[Listed], attribute: &str) -> Vec<String> {
    results
        .iter()
        .map(|r| {
            r.identity
                .attr(attribute)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

/// A Transit Gateway made outside the provider, with `tags`.
async fn gateway(world: &World, tags: &[(&str, &str)]) -> String {
    let mut spec = TagSpecification::builder().resource_type(ResourceType::TransitGateway);
    for (key, value) in tags {
        spec = spec.tags(Tag::builder().key(*key).value(*value).build());
    }
    world
        .aws
        .ec2
        .create_transit_gateway()
        .tag_specifications(spec.build())
        .send()
        .await
        .unwrap()
        .transit_gateway()
        .unwrap()
        .transit_gateway_id()
        .unwrap()
        .to_string()
}

async fn tags_of(world: &World, tgw: &str) -> Vec<String> {
    let described = world
        .aws
        .ec2
        .describe_transit_gateways()
        .transit_gateway_ids(tgw)
        .send()
        .await
        .unwrap();
    described.transit_gateways()[0]
        .tags()
        .iter()
        .map(|t| t.key().unwrap().to_string())
        .collect()
}

fn two_hubs(world: &World) -> String {
    format!(
        "{}\nresource \"migration_hub_network\" \"a\" {{\n  name = \"list-a\"\n  tags = {{ team = \"net\" }}\n}}\n\
         resource \"migration_hub_network\" \"b\" {{\n  name = \"list-b\"\n}}\n",
        world.emulator.provider_block("")
    )
}

#[tokio::test]
async fn the_hub_list_finds_only_this_providers_hubs() {
    let mut world = World::start().await;
    let text = two_hubs(&world);
    let applied = world.tf.apply(&text).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.diagnostics);
    // Until Terraform's next refresh reads them, the new gateways keep their unconfirmed
    // marker, and a list says so.
    let (mut process, _) = world.tf.configured(&text).await.unwrap();
    let fresh = list(&mut process, &ListBlock::of(HUB)).await.unwrap();
    process.shutdown().await.unwrap();
    assert_eq!(fresh.results.len(), 2, "{:?}", fresh.diagnostics);
    assert!(
        fresh.results.iter().all(|r| r
            .display_name
            .contains("unconfirmed: no Terraform state has read it")),
        "{:?}",
        fresh.results
    );
    let planned = world.tf.plan(&text).await.unwrap();
    assert!(!planned.has_errors(), "{:#?}", planned.diagnostics);
    let id_of = |world: &World, address: &str| {
        world
            .tf
            .state_value(address)
            .unwrap()
            .attr("id")
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    };
    let (a, b) = (
        id_of(&world, "migration_hub_network.a"),
        id_of(&world, "migration_hub_network.b"),
    );
    // Not ours: a gateway without tags, one of another type's; an interrupted create's is.
    gateway(&world, &[("Name", "list-a")]).await;
    gateway(
        &world,
        &[
            ("migration:managed-by", "migration_hub_spoke"),
            ("Name", "x"),
        ],
    )
    .await;
    let left = gateway(
        &world,
        &[
            ("migration:managed-by", HUB),
            ("Name", "list-c"),
            ("migration:unconfirmed", "0123"),
        ],
    )
    .await;

    let (mut process, _) = world.tf.configured(&text).await.unwrap();
    let everything = list(&mut process, &ListBlock::of(HUB)).await.unwrap();
    assert!(
        everything.diagnostics.is_empty(),
        "{:?}",
        everything.diagnostics
    );
    let mut expected = vec![a.clone(), b.clone(), left.clone()];
    expected.sort();
    assert_eq!(ids(&everything.results, "id"), expected);
    for result in &everything.results {
        let id = result.identity.attr("id").unwrap().as_str().unwrap();
        assert_eq!(result.identity, identity("id", id));
        assert!(result.object.is_none(), "not asked for");
        let name = if id == a {
            "list-a"
        } else if id == b {
            "list-b"
        } else {
            "list-c"
        };
        assert!(
            result.display_name.starts_with(&format!("{name} ({id})")),
            "{}",
            result.display_name
        );
        assert_eq!(
            result.display_name.contains("unconfirmed"),
            id == left,
            "{}",
            result.display_name
        );
    }

    // limit, and the filters.
    let mut block = ListBlock::of(HUB);
    block.limit = 1;
    let one = list(&mut process, &block).await.unwrap();
    assert_eq!(ids(&one.results, "id"), expected[..1]);
    block.limit = 0;
    assert!(list(&mut process, &block).await.unwrap().results.is_empty());
    let filtered = |name: Value, tags: Value| ListBlock {
        config: Value::object([("name", name), ("tags", tags)]),
        ..ListBlock::of(HUB)
    };
    let by_name = list(
        &mut process,
        &filtered(Value::string("list-b"), Value::Null),
    )
    .await
    .unwrap();
    assert_eq!(ids(&by_name.results, "id"), [b.as_str()]);
    let by_tag = list(
        &mut process,
        &filtered(
            Value::Null,
            Value::Map([("team".to_string(), Value::string("net"))].into()),
        ),
    )
    .await
    .unwrap();
    assert_eq!(ids(&by_tag.results, "id"), [a.as_str()]);

    // include_resource: each object is what an import of it gives, and listing changes
    // nothing (the interrupted create's marker stays).
    let mut block = ListBlock::of(HUB);
    block.include_resource = true;
    let full = list(&mut process, &block).await.unwrap();
    assert!(full.diagnostics.is_empty(), "{:?}", full.diagnostics);
    assert_eq!(ids(&full.results, "id"), expected);
    process.shutdown().await.unwrap();
    assert!(
        tags_of(&world, &left)
            .await
            .contains(&"migration:unconfirmed".to_string())
    );
    for result in &full.results {
        let id = result.identity.attr("id").unwrap().as_str().unwrap();
        let mut importer = Terraform::new(world.tf.launch.clone());
        let target = format!(
            "{}\nresource \"migration_hub_network\" \"imported\" {{\n  name = \"x\"\n}}\n",
            world.emulator.provider_block("")
        );
        let imported = importer
            .import(&target, "migration_hub_network.imported", id)
            .await
            .unwrap();
        assert!(imported.is_empty(), "{imported:?}");
        let object = result.object.as_ref().expect("asked for");
        assert_eq!(
            Some(object),
            importer
                .state_value("migration_hub_network.imported")
                .as_ref(),
            "{id}"
        );
        assert_eq!(object.attr("id"), Some(&Value::string(id)));
    }
}

#[tokio::test]
async fn the_access_list_finds_endpoints_with_group_rules() {
    let site = site(&["Ops"]).await;
    let ops = site.sid("Ops").to_string();
    let mut tf = site.terraform();
    let config = site.config(&format!(
        r#"  groups = {{ ops = {{ sid = "{ops}", networks = ["10.40.0.0/16"] }} }}"#
    ));
    let applied = tf.apply(&config).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.diagnostics);
    // A second endpoint whose only rule is for all groups: not one this resource manages.
    let vpc = site.aws.ec2.describe_vpcs().send().await.unwrap().vpcs()[0]
        .vpc_id()
        .unwrap()
        .to_string();
    let foreign = harness::seed::client_vpn_endpoint(
        &site.aws.ec2,
        OWNER,
        "172.20.0.0/22",
        &site.directory_id,
        &vpc,
    )
    .await
    .unwrap();
    site.aws
        .ec2
        .authorize_client_vpn_ingress()
        .client_vpn_endpoint_id(&foreign)
        .target_network_cidr("10.0.0.0/8")
        .authorize_all_groups(true)
        .send()
        .await
        .unwrap();

    let (mut process, _) = tf.configured(&config).await.unwrap();
    let mut block = ListBlock::of(ACCESS);
    block.include_resource = true;
    let found = list(&mut process, &block).await.unwrap();
    assert!(found.diagnostics.is_empty(), "{:?}", found.diagnostics);
    assert_eq!(
        ids(&found.results, "client_vpn_endpoint_id"),
        [site.endpoint_id.as_str()]
    );
    let result = &found.results[0];
    assert_eq!(
        result.identity,
        identity("client_vpn_endpoint_id", &site.endpoint_id)
    );
    assert!(
        result.display_name.ends_with(": 1 group"),
        "{}",
        result.display_name
    );
    // The object is the import's, and so is what the applied state holds.
    let object = result.object.as_ref().unwrap();
    let groups = object.attr("groups").unwrap().as_map().unwrap();
    assert_eq!(groups.keys().collect::<Vec<_>>(), ["ops"]);
    let mut importer = site.terraform();
    let imported = importer
        .import(
            &config,
            "migration_client_vpn_group_access.access",
            &site.endpoint_id,
        )
        .await
        .unwrap();
    assert!(imported.is_empty(), "{imported:?}");
    assert_eq!(
        Some(object),
        importer
            .state_value("migration_client_vpn_group_access.access")
            .as_ref()
    );

    // A filter naming the other endpoint finds nothing; an id that is not one is refused at
    // validation, naming the attribute.
    let by_ids = |ids: &[&str]| ListBlock {
        config: Value::object([(
            "client_vpn_endpoint_ids",
            Value::Set(ids.iter().map(|id| Value::string(*id)).collect()),
        )]),
        ..ListBlock::of(ACCESS)
    };
    let none = list(&mut process, &by_ids(&[&foreign])).await.unwrap();
    assert!(none.results.is_empty() && none.diagnostics.is_empty());
    let refused = list(&mut process, &by_ids(&["vpn-1"])).await.unwrap();
    let errors = refused.errors();
    assert!(
        errors.len() == 1 && errors[0].contains("client_vpn_endpoint_ids"),
        "{errors:?}"
    );
    assert_eq!(
        refused.diagnostics[0]
            .attribute
            .as_ref()
            .unwrap()
            .to_string(),
        "client_vpn_endpoint_ids"
    );
    process.shutdown().await.unwrap();
}

#[tokio::test]
async fn stop_provider_ends_a_list() {
    let mut world = World::start().await;
    let text = two_hubs(&world);
    let applied = world.tf.apply(&text).await.unwrap();
    assert!(!applied.has_errors(), "{:#?}", applied.diagnostics);
    // Every call slow, so that reading the two hubs takes seconds.
    world
        .emulator
        .configure(serde_json::json!({"latency_ms": 400}))
        .await
        .unwrap();
    let (mut process, _) = world.tf.configured(&text).await.unwrap();
    let mut stopper = process.provider.clone();
    let stop = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        stopper
            .stop_provider(tfplugin6::stop_provider::Request {})
            .await
            .unwrap();
        Instant::now()
    });
    let mut block = ListBlock::of(HUB);
    block.include_resource = true;
    let listed = list(&mut process, &block).await.unwrap();
    let ended = Instant::now();
    let stopped = stop.await.unwrap();
    assert!(
        ended.saturating_duration_since(stopped) < Duration::from_secs(3),
        "the list ended {:?} after StopProvider",
        ended.saturating_duration_since(stopped)
    );
    assert!(listed.results.len() < 2, "{:?}", listed.results);
    let errors = listed.errors();
    assert!(
        errors.len() == 1 && errors[0].contains("asked the provider to stop"),
        "{errors:?}"
    );
    process.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_list_needs_a_configured_provider() {
    // Terraform configures before it lists; a provider that was not says so rather than
    // listing nothing.
    let mut process = ProviderProcess::launch(LaunchOptions::default())
        .await
        .unwrap();
    for type_name in [HUB, ACCESS, "migration_hub_spoke"] {
        let listed = list(&mut process, &ListBlock::of(type_name)).await.unwrap();
        assert!(listed.results.is_empty());
        let errors = listed.errors();
        assert!(
            errors.len() == 1 && errors[0].starts_with("Provider not configured"),
            "{type_name}: {errors:?}"
        );
    }
    // A list type the provider does not have: Terraform refuses it before any call ("Invalid
    // list resource type"); both RPCs answer NotFound, naming the type and those there are.
    let expected = "this provider has no list resource type \"migration_nothing\" (it lists \
                    migration_hub_network, migration_client_vpn_group_access, \
                    migration_hub_spoke); check the list block's type name and the provider \
                    version";
    let unknown = process
        .provider
        .validate_list_resource_config(tfplugin6::validate_list_resource_config::Request {
            type_name: "migration_nothing".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), tonic::Code::NotFound);
    assert_eq!(unknown.message(), expected);
    let unknown = process
        .provider
        .list_resource(tfplugin6::list_resource::Request {
            type_name: "migration_nothing".into(),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), tonic::Code::NotFound);
    assert_eq!(unknown.message(), expected);
    // The harness, as core, refuses a type the schemas do not list.
    let refused = list(&mut process, &ListBlock::of("migration_nothing"))
        .await
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("unknown list resource type \"migration_nothing\""),
        "{refused}"
    );
    process.shutdown().await.unwrap();
}
