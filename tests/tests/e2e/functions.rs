//! Provider-defined functions and data sources at the RPC level, on the real binary: what the
//! real CLI cannot show (malformed arguments, unknown names, calls core never makes), and the
//! harness's own rules around a call. `tests/tests/terraform/functions.rs` shows the same
//! functions on real Terraform.

use harness::Terraform;
use harness::process::{LaunchOptions, ProviderProcess};
use plugin_proto::tfplugin6::{self, DynamicValue};
use terraform_provider_migration::protocol::cty::{self, Type, Value};
use terraform_provider_migration::protocol::function::{Definition, FunctionError};

async fn launch() -> ProviderProcess {
    ProviderProcess::launch(LaunchOptions::default())
        .await
        .expect("provider starts")
}

fn strings(items: &[&str]) -> Value {
    Value::List(items.iter().map(|s| Value::string(*s)).collect())
}

fn pair(wider: &str, wider_index: i64, narrower: &str, narrower_index: i64) -> Value {
    Value::object([
        ("wider", Value::string(wider)),
        ("wider_index", Value::number(wider_index)),
        ("narrower", Value::string(narrower)),
        ("narrower_index", Value::number(narrower_index)),
    ])
}

async fn call(process: &mut ProviderProcess, arguments: Vec<DynamicValue>) -> FunctionError {
    let response = process
        .provider
        .call_function(tfplugin6::call_function::Request {
            name: "cidr_overlaps".into(),
            arguments,
        })
        .await
        .expect("CallFunction answers")
        .into_inner();
    assert!(response.result.is_none(), "{response:?}");
    FunctionError::from_proto(&response.error.expect("an error"))
}

#[tokio::test]
async fn the_function_is_announced_everywhere_terraform_looks() {
    let mut process = launch().await;
    let metadata = process
        .provider
        .get_metadata(tfplugin6::get_metadata::Request {})
        .await
        .unwrap()
        .into_inner();
    let names: Vec<&str> = metadata.functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "cidr_contains",
            "cidr_overlaps",
            "cidr_subtract",
            "cidr_summarize",
            "client_vpn_effective_group"
        ]
    );
    assert!(
        metadata
            .data_sources
            .iter()
            .any(|d| d.type_name == "migration_directory_groups"),
        "{:?}",
        metadata.data_sources
    );
    let schema = process
        .provider
        .get_provider_schema(tfplugin6::get_provider_schema::Request {})
        .await
        .unwrap()
        .into_inner();
    for name in &names {
        let definition = Definition::from_proto(&schema.functions[*name]).unwrap();
        assert!(definition.sanity_errors(name).is_empty(), "{name}");
        assert!(definition.variadic.is_none(), "{name}");
        assert!(!definition.summary.is_empty() && !definition.description.is_empty());
    }
    let definition = Definition::from_proto(&schema.functions["cidr_overlaps"]).unwrap();
    assert!(definition.sanity_errors("cidr_overlaps").is_empty());
    assert_eq!(definition.parameters.len(), 1);
    let cidrs = &definition.parameters[0];
    assert_eq!(
        (
            cidrs.name.as_str(),
            &cidrs.ty,
            cidrs.allow_null,
            cidrs.allow_unknown
        ),
        ("cidrs", &Type::list(Type::String), false, false)
    );
    assert!(definition.variadic.is_none());
    assert!(!definition.summary.is_empty() && !definition.description.is_empty());
    let functions = process
        .provider
        .get_functions(tfplugin6::get_functions::Request {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(functions.functions, schema.functions);
    process.shutdown().await.unwrap();
}

#[tokio::test]
async fn calls_answer_every_overlapping_pair_without_a_configured_provider() {
    let mut tf = Terraform::new(LaunchOptions::default());
    let result = tf
        .call_function(
            "cidr_overlaps",
            vec![strings(&[
                "10.0.0.0/16",
                "fd00::/8",
                "10.0.1.0/24",
                "192.168.0.0/24",
                "fd00:0:0:7::/64",
                "10.0.0.0/16",
            ])],
        )
        .await
        .expect("the call runs")
        .expect("no function error");
    assert_eq!(
        result,
        Value::List(vec![
            pair("10.0.0.0/16", 0, "10.0.0.0/16", 5),
            pair("10.0.0.0/16", 0, "10.0.1.0/24", 2),
            pair("10.0.0.0/16", 5, "10.0.1.0/24", 2),
            pair("fd00::/8", 1, "fd00:0:0:7::/64", 4),
        ])
    );
    let none = tf
        .call_function(
            "cidr_overlaps",
            vec![strings(&["10.0.0.0/16", "10.1.0.0/16"])],
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(none, Value::List(Vec::new()));
    // Core's own rules: unknown in, unknown out (no call); null refused.
    let partly_known = Value::List(vec![Value::string("10.0.0.0/8"), Value::unknown()]);
    let unknown = tf
        .call_function("cidr_overlaps", vec![partly_known])
        .await
        .unwrap()
        .unwrap();
    assert!(unknown.is_unknown());
    let null = tf
        .call_function("cidr_overlaps", vec![Value::Null])
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(null.argument, Some(0));
}

#[tokio::test]
async fn a_bad_cidr_is_an_error_on_the_argument_naming_the_value() {
    let mut tf = Terraform::new(LaunchOptions::default());
    let error = tf
        .call_function(
            "cidr_overlaps",
            vec![strings(&["10.0.0.0/16", "10.0.0.1/16"])],
        )
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(
        error,
        FunctionError::at(
            0,
            "cidrs[1] = \"10.0.0.1/16\" is not a canonical CIDR because its host bits are \
             set: the network is \"10.0.0.0/16\""
        )
    );
    // An element core lets through as null reaches the provider, which names it.
    let error = tf
        .call_function(
            "cidr_overlaps",
            vec![Value::List(vec![Value::string("10.0.0.0/8"), Value::Null])],
        )
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(error.argument, Some(0));
    assert!(error.text.starts_with("cidrs[1] is null"), "{error}");
}

#[tokio::test]
async fn malformed_calls_are_function_errors_and_the_provider_keeps_serving() {
    let mut process = launch().await;
    let list = Type::list(Type::String);
    let raw = |msgpack: Vec<u8>| DynamicValue {
        msgpack,
        json: Vec::new(),
    };
    // Not msgpack at all; a truncated array; a string where a list is declared; an array
    // claiming four billion elements; JSON of the wrong shape.
    for argument in [
        raw(vec![0xc1]),
        raw(vec![0x92, 0xa1, b'a']),
        raw(cty::to_msgpack(&Value::string("10.0.0.0/8"), &Type::String).unwrap()),
        raw(vec![0xdd, 0xff, 0xff, 0xff, 0xff]),
        DynamicValue {
            msgpack: Vec::new(),
            json: br#"{"cidrs": 1}"#.to_vec(),
        },
    ] {
        let error = call(&mut process, vec![argument.clone()]).await;
        assert_eq!(error.argument, Some(0), "{argument:?}: {error}");
        assert!(
            error.text.contains("cannot be read as list of string"),
            "{error}"
        );
    }
    // Too many and too few arguments, an unknown name: errors about the whole call.
    let good = raw(cty::to_msgpack(&Value::List(Vec::new()), &list).unwrap());
    let error = call(&mut process, vec![good.clone(), good.clone()]).await;
    assert_eq!(error.argument, None);
    assert!(error.text.contains("exactly 1 argument"), "{error}");
    assert!(call(&mut process, Vec::new()).await.argument.is_none());
    let response = process
        .provider
        .call_function(tfplugin6::call_function::Request {
            name: "cidr_intersect".into(),
            arguments: vec![good.clone()],
        })
        .await
        .unwrap()
        .into_inner();
    let error = FunctionError::from_proto(&response.error.unwrap());
    assert!(
        error.text.contains("no function named \"cidr_intersect\""),
        "{error}"
    );
    // An unknown argument core would never send: an unknown result, not a failure.
    let unknown = raw(cty::to_msgpack(&Value::unknown(), &list).unwrap());
    let response = process
        .provider
        .call_function(tfplugin6::call_function::Request {
            name: "cidr_overlaps".into(),
            arguments: vec![unknown],
        })
        .await
        .unwrap()
        .into_inner();
    assert!(response.error.is_none());
    let result = cty::from_msgpack(
        &response.result.unwrap().msgpack,
        &Type::list(Type::Dynamic),
    );
    assert!(result.is_ok_and(|v| v.is_unknown()));
    // Still serving, and no panic on the way (shutdown checks stderr).
    let again = process
        .provider
        .call_function(tfplugin6::call_function::Request {
            name: "cidr_overlaps".into(),
            arguments: vec![good],
        })
        .await
        .unwrap()
        .into_inner();
    assert!(again.result.is_some());
    process.shutdown().await.unwrap();
}

#[tokio::test]
async fn data_source_rpcs_refuse_types_the_provider_does_not_have() {
    let mut process = launch().await;
    let read = process
        .provider
        .read_data_source(tfplugin6::read_data_source::Request {
            type_name: "migration_nothing".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(read.code(), tonic::Code::NotFound);
    assert!(read.message().contains("migration_nothing"));
    let validate = process
        .provider
        .validate_data_resource_config(tfplugin6::validate_data_resource_config::Request {
            type_name: "migration_nothing".into(),
            config: None,
        })
        .await
        .unwrap_err();
    assert_eq!(validate.code(), tonic::Code::NotFound);
    process.shutdown().await.unwrap();

    // The harness, like core, refuses the configuration before asking the provider.
    let mut tf = Terraform::new(LaunchOptions::default());
    let error = tf
        .plan(
            r#"
            provider "migration" {
              region                      = "eu-west-1"
              skip_credentials_validation = true
            }
            data "migration_nothing" "x" {}
            "#,
        )
        .await
        .unwrap_err();
    assert!(error.to_string().contains("Invalid data source"), "{error}");
}

#[tokio::test]
async fn the_set_functions_answer_through_call_function() {
    let mut tf = Terraform::new(LaunchOptions::default());
    let mut call = async |name: &str, arguments: Vec<Value>| {
        tf.call_function(name, arguments)
            .await
            .expect("the call runs")
    };
    assert_eq!(
        call(
            "cidr_contains",
            vec![Value::string("10.0.0.0/16"), Value::string("10.0.3.4")]
        )
        .await,
        Ok(Value::Bool(true))
    );
    assert_eq!(
        call(
            "cidr_contains",
            vec![Value::string("0.0.0.0/0"), Value::string("fd00::1")]
        )
        .await,
        Ok(Value::Bool(false))
    );
    assert_eq!(
        call(
            "cidr_subtract",
            vec![
                Value::string("10.0.0.0/22"),
                strings(&["10.0.1.0/24", "10.0.2.0/24"])
            ]
        )
        .await,
        Ok(strings(&["10.0.0.0/24", "10.0.3.0/24"]))
    );
    assert_eq!(
        call(
            "cidr_summarize",
            vec![strings(&["10.0.1.0/24", "10.0.0.0/24", "fd00::1"])]
        )
        .await,
        Ok(strings(&["10.0.0.0/23", "fd00::1/128"]))
    );
    let rules = Value::Map(
        [
            ("ops".to_string(), strings(&["10.0.0.0/16"])),
            ("dev".to_string(), strings(&["10.0.1.0/24"])),
        ]
        .into(),
    );
    assert_eq!(
        call(
            "client_vpn_effective_group",
            vec![rules.clone(), Value::string("10.0.1.5")]
        )
        .await,
        Ok(strings(&["dev"]))
    );
    assert_eq!(
        call(
            "client_vpn_effective_group",
            vec![rules, Value::string("192.0.2.1")]
        )
        .await,
        Ok(strings(&[]))
    );
    let error = call(
        "cidr_summarize",
        vec![strings(&["10.0.0.0/24", "10.0.1.1/24"])],
    )
    .await
    .unwrap_err();
    assert_eq!(error.argument, Some(0));
    assert!(error.text.contains("cidrs[1] = \"10.0.1.1/24\""), "{error}");
}
