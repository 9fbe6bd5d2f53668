//! Resource identity (protocol 6.9, Terraform ≥ 1.12) at the wire, RPC by RPC, as Terraform core
//! sends and checks it: the identity schemas, UpgradeResourceIdentity, and the identity of one
//! hub through plan, apply, read, import (by id and by identity) and destroy, against the
//! emulator.

use harness::core::proposed_new;
use harness::emulator::REGION;
use harness::process::ProviderProcess;
use plugin_proto::tfplugin6::{self, DynamicValue, RawState, ResourceIdentityData};
use terraform_provider_migration::protocol::cty::{self, Type, Value};
use terraform_provider_migration::protocol::diagnostics::{Diagnostics, Severity};
use terraform_provider_migration::protocol::identity::IdentitySchema;
use terraform_provider_migration::protocol::schema::Schema;

use crate::hub_network_support::{OWNER, World};

const HUB: &str = "migration_hub_network";
const ACCESS: &str = "migration_client_vpn_group_access";
const SPOKE: &str = "migration_hub_spoke";
const STAGING: &str = "migration_replication_staging_area";

fn identity_type(id: &str) -> Type {
    Type::object([
        ("account_id", Type::String),
        ("region", Type::String),
        (id, Type::String),
    ])
}

fn identity(account: Option<&str>, region: Option<&str>, id: Option<&str>) -> Value {
    let text = |s: Option<&str>| s.map(Value::string).unwrap_or(Value::Null);
    Value::object([
        ("account_id", text(account)),
        ("region", text(region)),
        ("id", text(id)),
    ])
}

fn wire(value: &Value, ty: &Type) -> DynamicValue {
    DynamicValue {
        msgpack: cty::to_msgpack(value, ty).unwrap(),
        json: Vec::new(),
    }
}

fn wire_identity(value: &Value) -> Option<ResourceIdentityData> {
    Some(ResourceIdentityData {
        identity_data: Some(wire(value, &identity_type("id"))),
    })
}

/// An identity a response carries, decoded (null when absent).
fn identity_of(data: Option<&ResourceIdentityData>) -> Value {
    match data.and_then(|d| d.identity_data.as_ref()) {
        Some(value) => cty::from_msgpack(&value.msgpack, &identity_type("id")).unwrap(),
        None => Value::Null,
    }
}

fn errors(wire: &[tfplugin6::Diagnostic]) -> Vec<String> {
    Diagnostics::from_proto(wire)
        .0
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect()
}

#[tokio::test]
async fn identity_schemas_and_their_upgrade() {
    let mut process = ProviderProcess::launch(Default::default()).await.unwrap();
    let schemas = process
        .provider
        .get_resource_identity_schemas(tfplugin6::get_resource_identity_schemas::Request {})
        .await
        .unwrap()
        .into_inner();
    assert!(schemas.diagnostics.is_empty());
    let mut names: Vec<&String> = schemas.identity_schemas.keys().collect();
    names.sort();
    assert_eq!(names, [ACCESS, HUB, SPOKE, STAGING]);
    for (type_name, required) in [
        (HUB, "id"),
        (ACCESS, "client_vpn_endpoint_id"),
        (SPOKE, "id"),
        (STAGING, "id"),
    ] {
        let schema = IdentitySchema::from_proto(&schemas.identity_schemas[type_name]).unwrap();
        assert!(schema.sanity_errors().is_empty(), "{type_name}");
        assert_eq!(schema.version, 0);
        assert_eq!(
            schema.implied_type(),
            identity_type(required),
            "{type_name}"
        );
        let by_import: Vec<(&str, bool, bool)> = schema
            .attributes
            .iter()
            .map(|a| {
                (
                    a.name.as_str(),
                    a.required_for_import,
                    a.optional_for_import,
                )
            })
            .collect();
        assert_eq!(
            by_import,
            [
                ("account_id", false, true),
                ("region", false, true),
                (required, true, false)
            ]
        );
        assert!(schema.attributes.iter().all(|a| !a.description.is_empty()));
    }

    let upgrade = |version: i64, json: &[u8], type_name: &str| {
        tfplugin6::upgrade_resource_identity::Request {
            type_name: type_name.to_string(),
            version,
            raw_identity: Some(RawState {
                json: json.to_vec(),
                flatmap: Default::default(),
            }),
        }
    };
    let stored = br#"{"account_id":"111122223333","region":"eu-west-1","id":"tgw-0123"}"#;
    let upgraded = process
        .provider
        .upgrade_resource_identity(upgrade(0, stored, HUB))
        .await
        .unwrap()
        .into_inner();
    assert!(
        upgraded.diagnostics.is_empty(),
        "{:?}",
        upgraded.diagnostics
    );
    assert_eq!(
        identity_of(upgraded.upgraded_identity.as_ref()),
        identity(Some("111122223333"), Some("eu-west-1"), Some("tgw-0123"))
    );
    for (version, json, expected) in [
        (1, &stored[..], "Identity written by a newer provider"),
        (0, &b"{\"id\": 1"[..], "Stored identity cannot be read"),
    ] {
        let refused = process
            .provider
            .upgrade_resource_identity(upgrade(version, json, HUB))
            .await
            .unwrap()
            .into_inner();
        assert!(refused.upgraded_identity.is_none());
        let errors = errors(&refused.diagnostics);
        assert!(errors[0].starts_with(expected), "{errors:?}");
    }
    let unknown = process
        .provider
        .upgrade_resource_identity(upgrade(0, stored, "migration_nothing"))
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), tonic::Code::NotFound);
    process.shutdown().await.unwrap();
}

/// The RPCs of one hub, as Terraform ≥ 1.12 makes them, with what core checks of each answer.
struct Session {
    process: ProviderProcess,
    schema: Schema,
    config: Value,
}

impl Session {
    fn ty(&self) -> Type {
        self.schema.implied_type()
    }

    async fn plan(
        &mut self,
        prior: &Value,
        config: &Value,
        prior_identity: &Value,
    ) -> tfplugin6::plan_resource_change::Response {
        let ty = self.ty();
        let proposed = if config.is_null() {
            Value::Null
        } else {
            proposed_new(&self.schema.block, prior, config)
        };
        self.process
            .provider
            .plan_resource_change(tfplugin6::plan_resource_change::Request {
                type_name: HUB.into(),
                prior_state: Some(wire(prior, &ty)),
                proposed_new_state: Some(wire(&proposed, &ty)),
                config: Some(wire(config, &ty)),
                prior_identity: wire_identity(prior_identity),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
    }

    async fn apply(
        &mut self,
        prior: &Value,
        planned: &tfplugin6::plan_resource_change::Response,
        config: &Value,
    ) -> tfplugin6::apply_resource_change::Response {
        let ty = self.ty();
        self.process
            .provider
            .apply_resource_change(tfplugin6::apply_resource_change::Request {
                type_name: HUB.into(),
                prior_state: Some(wire(prior, &ty)),
                planned_state: planned.planned_state.clone(),
                config: Some(wire(config, &ty)),
                planned_private: planned.planned_private.clone(),
                planned_identity: planned.planned_identity.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
    }

    async fn read(
        &mut self,
        state: &Value,
        current_identity: &Value,
    ) -> tfplugin6::read_resource::Response {
        let ty = self.ty();
        self.process
            .provider
            .read_resource(tfplugin6::read_resource::Request {
                type_name: HUB.into(),
                current_state: Some(wire(state, &ty)),
                current_identity: wire_identity(current_identity),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
    }

    async fn import(
        &mut self,
        id: &str,
        by_identity: &Value,
    ) -> tfplugin6::import_resource_state::Response {
        self.process
            .provider
            .import_resource_state(tfplugin6::import_resource_state::Request {
                type_name: HUB.into(),
                id: id.into(),
                identity: wire_identity(by_identity),
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
    }

    fn state(&self, value: Option<&DynamicValue>) -> Value {
        cty::from_msgpack(&value.unwrap().msgpack, &self.ty()).unwrap()
    }
}

#[tokio::test]
async fn the_identity_of_a_hub_in_every_rpc() {
    let mut world = World::start().await;
    let text = world.config(r#"name = "identity-hub""#);
    let (process, configuration) = world.tf.configured(&text).await.unwrap();
    let schemas = process
        .provider
        .clone()
        .get_provider_schema(tfplugin6::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    let schema = Schema::from_proto(&schemas.resource_schemas[HUB]).unwrap();
    let config = configuration
        .resource_value(&configuration.resources[0], &schema.block)
        .unwrap();
    let mut session = Session {
        process,
        schema,
        config,
    };
    let config = session.config.clone();

    // Create: no planned identity while the Transit Gateway id is unknown (a partly unknown
    // one breaks Terraform's plan rendering); the apply's is wholly known.
    let planned = session.plan(&Value::Null, &config, &Value::Null).await;
    assert!(
        errors(&planned.diagnostics).is_empty(),
        "{:?}",
        planned.diagnostics
    );
    assert!(planned.planned_identity.is_none());
    let applied = session.apply(&Value::Null, &planned, &config).await;
    assert!(
        errors(&applied.diagnostics).is_empty(),
        "{:?}",
        applied.diagnostics
    );
    let state = session.state(applied.new_state.as_ref());
    let tgw = state
        .attr("id")
        .and_then(Value::as_str)
        .unwrap()
        .to_string();
    assert!(tgw.starts_with("tgw-"), "{tgw}");
    let expected = identity(Some(OWNER), Some(REGION), Some(&tgw));
    assert_eq!(identity_of(applied.new_identity.as_ref()), expected);

    // Read: the same identity, whether Terraform holds one yet (state saved before 1.12) or
    // not; one of another Region is refused and the state kept.
    for current in [Value::Null, expected.clone()] {
        let read = session.read(&state, &current).await;
        assert!(
            errors(&read.diagnostics).is_empty(),
            "{:?}",
            read.diagnostics
        );
        assert_eq!(identity_of(read.new_identity.as_ref()), expected);
    }
    let elsewhere = identity(Some(OWNER), Some("us-east-1"), Some(&tgw));
    let refused = session.read(&state, &elsewhere).await;
    let said = errors(&refused.diagnostics);
    assert!(
        said.len() == 1
            && said[0].starts_with("Identity of another Region")
            && said[0].contains("\"region\""),
        "{said:?}"
    );
    assert_eq!(session.state(refused.new_state.as_ref()), state);
    assert_eq!(identity_of(refused.new_identity.as_ref()), elsewhere);

    // A plan of no change keeps the identity, wholly known (core refuses an unknown one on an
    // update), with or without the prior identity; one of another account is refused.
    for prior_identity in [expected.clone(), Value::Null] {
        let unchanged = session.plan(&state, &config, &prior_identity).await;
        assert!(
            errors(&unchanged.diagnostics).is_empty(),
            "{:?}",
            unchanged.diagnostics
        );
        assert_eq!(identity_of(unchanged.planned_identity.as_ref()), expected);
    }
    let other_account = identity(Some("444455556666"), Some(REGION), Some(&tgw));
    let refused = session.plan(&state, &config, &other_account).await;
    let said = errors(&refused.diagnostics);
    assert!(
        said.len() == 1
            && said[0].starts_with("Identity of another account")
            && said[0].contains("\"account_id\""),
        "{said:?}"
    );

    // Import by id, and by identity with only the id (account and Region filled in): the same
    // identity; an identity of another account or without an id is refused, naming the
    // attribute.
    for (id, by_identity) in [
        (tgw.as_str(), Value::Null),
        ("", identity(None, None, Some(&tgw))),
        ("", expected.clone()),
    ] {
        let imported = session.import(id, &by_identity).await;
        assert!(
            errors(&imported.diagnostics).is_empty(),
            "{:?}",
            imported.diagnostics
        );
        assert_eq!(imported.imported_resources.len(), 1);
        let resource = &imported.imported_resources[0];
        assert_eq!(identity_of(resource.identity.as_ref()), expected);
        let state = session.state(resource.state.as_ref());
        assert_eq!(state.attr("id"), Some(&Value::string(&tgw)));
    }
    for (by_identity, expected_error) in [
        (
            identity(Some("444455556666"), None, Some(&tgw)),
            "Identity of another account",
        ),
        (identity(None, None, None), "Identity without its object"),
    ] {
        let refused = session.import("", &by_identity).await;
        assert!(refused.imported_resources.is_empty());
        let said = errors(&refused.diagnostics);
        assert!(said[0].starts_with(expected_error), "{said:?}");
    }

    // Destroy: the plan keeps the identity, the apply leaves none.
    let destroying = session.plan(&state, &Value::Null, &expected).await;
    assert_eq!(identity_of(destroying.planned_identity.as_ref()), expected);
    let destroyed = session.apply(&state, &destroying, &Value::Null).await;
    assert!(
        errors(&destroyed.diagnostics).is_empty(),
        "{:?}",
        destroyed.diagnostics
    );
    assert!(session.state(destroyed.new_state.as_ref()).is_null());
    assert!(destroyed.new_identity.is_none());
    // Gone is gone in the provider's own place: null state, no identity.
    let gone = session.read(&state, &expected).await;
    assert!(session.state(gone.new_state.as_ref()).is_null());
    assert!(gone.new_identity.is_none());
    session.process.shutdown().await.unwrap();
    drop(world);
}
