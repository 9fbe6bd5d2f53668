//! Fuzzing the protocol edge: every RPC that takes input gets random and mutated msgpack and
//! JSON `DynamicValue`s, configurations, states, type names, schema versions, private data,
//! import ids, list blocks and function arguments, on the real provider (its resources, their
//! list resources and `cidr_overlaps`), called directly as `server.rs`'s tests do.
//!
//! Each call must answer within [`ANSWER_WITHIN`], never panic (proptest reports a panic as a
//! failure, with the shrunk input), answer `Ok`, or `NotFound` for a type this provider does
//! not have (the behaviour `server.rs` documents), and answer input it cannot decode with an
//! error diagnostic rather than silence. What comes back must itself be readable against the
//! schema.
//!
//! Managed-resource RPCs run on three servers: unconfigured, configured with an unknown
//! provider block (offline planning), and configured with AWS clients whose credentials never
//! load (everything up to the first AWS call runs; the call then fails at once, offline).
//!
//! Cases per property: [`DEFAULT_CASES`]; `MIGRATION_FUZZ_CASES` sets another number
//! (`make test-fuzz`).

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};
use plugin_proto::tfplugin6::provider_server::Provider as _;
use plugin_proto::tfplugin6::{self, DynamicValue, diagnostic::Severity};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::TestCaseError;
use tonic::{Code, Request, Status};

use super::cty::{self, Number, Refinements, Type, Value};
use super::resource::Provider;
use super::server::{Lifecycle, ProviderService, decode};
use crate::config::clients::AwsClients;
use crate::framework::context::Configured;
use crate::provider::MigrationProvider;

/// Cases per property in `make test` (`cargo test`): ten properties, about 8 s of CPU in the
/// dev profile.
const DEFAULT_CASES: u32 = 96;

/// Longer than any offline answer takes; a call still running then is a hang.
const ANSWER_WITHIN: Duration = Duration::from_secs(5);

const HUB: &str = "migration_hub_network";
const VPN: &str = "migration_client_vpn_group_access";
const SPOKE: &str = "migration_hub_spoke";
const FUNCTION: &str = "cidr_overlaps";

fn cases() -> u32 {
    std::env::var("MIGRATION_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_CASES)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(),
        // A shrink replays RPCs; bound it so a failure is reported in seconds.
        max_shrink_iters: 2048,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Servers

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// A fresh process: ConfigureProvider has not run.
    Unconfigured,
    /// ConfigureProvider got a provider block with an unknown value: resources plan offline.
    Offline,
    /// Configured, with credentials that never load: every AWS call fails at once, offline.
    NoCredentials,
}

fn arb_mode() -> impl Strategy<Value = Mode> {
    prop_oneof![
        Just(Mode::Unconfigured),
        Just(Mode::Offline),
        Just(Mode::NoCredentials)
    ]
}

#[derive(Debug)]
struct NoCredentials;

impl ProvideCredentials for NoCredentials {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::ready(Err(CredentialsError::not_loaded(
            "the fuzz suite runs offline",
        )))
    }
}

/// Clients whose every call fails before it is sent (no credentials), pointed at the discard
/// port of the loopback interface should one ever be sent anyway.
fn offline_clients() -> AwsClients {
    let sdk = aws_types::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_types::region::Region::new("eu-west-1"))
        .credentials_provider(SharedCredentialsProvider::new(NoCredentials))
        .endpoint_url("http://127.0.0.1:9")
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .build();
    AwsClients {
        ec2: aws_sdk_ec2::Client::new(&sdk),
        ram: aws_sdk_ram::Client::new(&sdk),
        directory: aws_sdk_directory::Client::new(&sdk),
        directory_data: aws_sdk_directoryservicedata::Client::new(&sdk),
        direct_connect: aws_sdk_directconnect::Client::new(&sdk),
        mgn: aws_sdk_mgn::Client::new(&sdk),
        sts: aws_sdk_sts::Client::new(&sdk),
        region: "eu-west-1".into(),
        account_id: Some("111122223333".into()),
        looked_up_account: Default::default(),
        default_tags: BTreeMap::new(),
        max_retries: 0,
        governor: Arc::new(crate::aws::governor::Governor::default()),
    }
}

struct Server {
    provider: Arc<MigrationProvider>,
    service: ProviderService<MigrationProvider>,
}

async fn server(mode: Mode) -> Server {
    let provider = Arc::new(MigrationProvider::new());
    let service = ProviderService::new(provider.clone(), Lifecycle::default());
    match mode {
        Mode::Unconfigured => {}
        Mode::Offline => {
            // What Terraform sends when the provider block depends on a resource not yet made.
            let ty = provider.schema().implied_type();
            let config = Value::object([("region", Value::unknown())]);
            let answer = service
                .configure_provider(Request::new(tfplugin6::configure_provider::Request {
                    config: Some(msgpack(&ty, &config)),
                    ..Default::default()
                }))
                .await
                .expect("ConfigureProvider answers")
                .into_inner();
            assert!(!has_error(&answer.diagnostics), "{:?}", answer.diagnostics);
            assert!(matches!(
                provider.state().configured(),
                Configured::Deferred
            ));
        }
        Mode::NoCredentials => provider
            .state()
            .set(Configured::Ready(Arc::new(offline_clients()))),
    }
    Server { provider, service }
}

fn resource_type(type_name: &str) -> Option<Type> {
    MigrationProvider::new()
        .resource(type_name)
        .map(|r| r.schema().implied_type())
}

/// The `config` block type of a list resource; the hub's for a type the provider does not list.
fn list_type(type_name: &str) -> Type {
    let provider = MigrationProvider::new();
    provider
        .list_resource(type_name)
        .or_else(|| provider.list_resource(HUB))
        .map(|l| l.schema().implied_type())
        .expect("the hub is listable")
}

/// Realistic `config` blocks of a list block of `type_name`: left out (all null), and filters.
fn list_seeds(type_name: &str) -> Vec<Value> {
    match type_name {
        HUB => vec![
            Value::object([("name", Value::Null), ("tags", Value::Null)]),
            Value::object([
                ("name", Value::string("hub")),
                ("tags", map(&[("team", Value::string("network"))])),
            ]),
        ],
        VPN => vec![
            Value::object([("client_vpn_endpoint_ids", Value::Null)]),
            Value::object([(
                "client_vpn_endpoint_ids",
                strings(&["cvpn-endpoint-0123456789abcdef0", "vpn-1"]),
            )]),
        ],
        SPOKE => vec![Value::object([(
            "transit_gateway_id",
            Value::string("tgw-0123456789abcdef0"),
        )])],
        _ => Vec::new(),
    }
}

fn arb_list_case() -> BoxedStrategy<(Mode, String, Option<DynamicValue>, bool, i64)> {
    arb_type_name()
        .prop_flat_map(|type_name| {
            let config = arb_input(&list_type(&type_name), list_seeds(&type_name));
            (
                arb_mode(),
                Just(type_name),
                config,
                any::<bool>(),
                prop_oneof![Just(0i64), Just(1), Just(100), Just(-1), Just(i64::MAX)],
            )
        })
        .boxed()
}

fn provider_type() -> Type {
    MigrationProvider::new().schema().implied_type()
}

// ---------------------------------------------------------------------------------------------
// Running one case

/// One case on its own runtime (the SDK's clients spawn nothing that outlives it).
fn run(case: impl Future<Output = Result<(), TestCaseError>>) -> Result<(), TestCaseError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(case)
}

/// The RPC's answer, or a failure if it takes longer than [`ANSWER_WITHIN`].
async fn within<T>(
    rpc: impl Future<Output = Result<tonic::Response<T>, Status>>,
) -> Result<Result<T, Status>, TestCaseError> {
    match tokio::time::timeout(ANSWER_WITHIN, rpc).await {
        Ok(answer) => Ok(answer.map(tonic::Response::into_inner)),
        Err(_) => Err(TestCaseError::fail(format!(
            "no answer within {ANSWER_WITHIN:?}"
        ))),
    }
}

/// `Ok` for a type the provider has; `NotFound` (`None` here) for one it does not.
fn answered<T>(
    known: bool,
    name: &str,
    answer: Result<T, Status>,
) -> Result<Option<T>, TestCaseError> {
    match (known, answer) {
        (true, Ok(answer)) => Ok(Some(answer)),
        (false, Err(status)) if status.code() == Code::NotFound => Ok(None),
        (true, Err(status)) => Err(TestCaseError::fail(format!(
            "{name:?}: a broken RPC instead of diagnostics: {status:?}"
        ))),
        (false, Ok(_)) => Err(TestCaseError::fail(format!(
            "{name:?} is no type of this provider, yet it was answered"
        ))),
        (false, Err(status)) => Err(TestCaseError::fail(format!(
            "{name:?}: expected NotFound, got {status:?}"
        ))),
    }
}

fn has_error(diagnostics: &[tfplugin6::Diagnostic]) -> bool {
    diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error as i32)
}

/// Every diagnostic says how bad it is and what happened.
fn well_formed(diagnostics: &[tfplugin6::Diagnostic]) -> Result<(), TestCaseError> {
    for d in diagnostics {
        prop_assert!(
            d.severity == Severity::Error as i32 || d.severity == Severity::Warning as i32,
            "a diagnostic without severity: {:?}",
            d
        );
        prop_assert!(
            !d.summary.is_empty(),
            "a diagnostic without summary: {:?}",
            d
        );
    }
    Ok(())
}

/// A value the provider sends back decodes against the schema, as Terraform will decode it.
fn readable(value: &Option<DynamicValue>, ty: &Type) -> Result<(), TestCaseError> {
    if let Some(value) = value {
        prop_assert!(
            decode(Some(value), ty).is_ok(),
            "the provider answered a value Terraform cannot read: {:?}",
            decode(Some(value), ty).err()
        );
    }
    Ok(())
}

fn decodes(value: &Option<DynamicValue>, ty: &Type) -> bool {
    decode(value.as_ref(), ty).is_ok()
}

fn non_null(value: &Option<DynamicValue>, ty: &Type) -> bool {
    decode(value.as_ref(), ty).is_ok_and(|v| !v.is_null())
}

// ---------------------------------------------------------------------------------------------
// Generators: strings, numbers, values of a type

/// Strings the provider gives meaning to, and strings that tend to break parsers.
const DICTIONARY: &[&str] = &[
    "",
    " ",
    "0",
    "-1",
    "null",
    "tgw-0123456789abcdef0",
    "tgw-",
    " tgw-0a1b ",
    "vpc-0a1b2c3d",
    "subnet-0a1b2c3d",
    "rtb-0a1b2c3d",
    "cgw-0a1b2c3d",
    "cvpn-endpoint-0123456789abcdef0",
    "cvpn-endpoint-",
    "d-1234567890",
    "5c2b1f4e-0000-4000-8000-000000000000",
    "10.0.0.0/16",
    "10.0.0.0/8",
    "10.0.0.1/16",
    "10.0.0.0/33",
    "0.0.0.0/0",
    "192.168.0.0/24",
    "169.254.0.0/16",
    "::/0",
    "2001:db8::/32",
    "2001:db8::/129",
    "256.0.0.0/8",
    "111122223333",
    "arn:aws:organizations::111122223333:organization/o-abc123",
    "arn:aws:organizations::111122223333:ou/o-abc123/ou-ab12-cd34",
    "arn:aws:iam::111122223333:role/migration",
    "S-1-5-21-1004336348-1177238915-682003330-1104",
    "30m",
    "0s",
    "1h30m",
    "-5m",
    ".5s",
    "1..5s",
    "1e3h",
    "µs",
    "3000000000000000h",
    "2562047h47m16.854775807s",
    "2562048h",
    "99999999999999999999999h",
    "eu-west-1",
    "us-east-1",
    "standard",
    "adaptive",
    "Name",
    "aws:reserved",
    "migration:owner",
    "a: b",
    "\u{0}",
    "é",
    "🦀",
    "%s%n",
    "\\",
    "{\"resource\":{\"discover\":true}}",
];

thread_local! {
    // Built once per test thread: regex strategies compile their pattern when built, and a
    // value of a resource's type has dozens of strings and numbers.
    static STRING: BoxedStrategy<String> = build_arb_string();
    static NUMBER: BoxedStrategy<Number> = build_arb_number();
}

fn arb_string() -> BoxedStrategy<String> {
    STRING.with(Clone::clone)
}

fn arb_number() -> BoxedStrategy<Number> {
    NUMBER.with(Clone::clone)
}

/// Regex strategies are slow to sample in the dev profile (a value of a resource's type has
/// dozens of strings), so strings are put together from cheap parts.
fn build_arb_string() -> BoxedStrategy<String> {
    let digits = |n: std::ops::Range<usize>| {
        vec(select(b"0123456789".to_vec()), n).prop_map(|d| String::from_utf8(d).expect("ascii"))
    };
    prop_oneof![
        6 => select(DICTIONARY).prop_map(str::to_string),
        4 => vec(any::<char>(), 0..12).prop_map(String::from_iter),
        2 => (digits(1..21), proptest::option::of(digits(1..4)), select(vec!["ns", "us", "ms", "s", "m", "h", "d", ""]))
            .prop_map(|(whole, fraction, unit)| match fraction {
                Some(fraction) => format!("{whole}.{fraction}{unit}"),
                None => format!("{whole}{unit}"),
            }),
        1 => (any::<u64>(), any::<bool>()).prop_map(|(n, upper)| if upper {
            format!("tgw-{n:X}")
        } else {
            format!("tgw-{n:x}")
        }),
        1 => any::<[u8; 5]>().prop_map(|[a, b, c, d, len]| format!("{a}.{b}.{c}.{d}/{}", len % 40)),
        1 => (1usize..40_000).prop_map(|n| "x".repeat(n)),
    ]
    .boxed()
}

fn build_arb_number() -> BoxedStrategy<Number> {
    let digits = |n: std::ops::Range<usize>| {
        vec(select(b"0123456789".to_vec()), n).prop_map(|d| String::from_utf8(d).expect("ascii"))
    };
    prop_oneof![
        any::<i64>().prop_map(Number::from),
        (-10i64..70_000).prop_map(Number::from),
        select(vec![
            64512u64,
            65534,
            4_200_000_000,
            4_294_967_294,
            4_294_967_295,
            u64::MAX
        ])
        .prop_map(Number::from),
        any::<f64>().prop_filter_map("finite", Number::from_f64),
        (
            any::<bool>(),
            digits(1..41),
            proptest::option::of(digits(1..21)),
            proptest::option::of(-99_999i64..100_000)
        )
            .prop_filter_map("a decimal", |(negative, whole, fraction, exponent)| {
                let sign = if negative { "-" } else { "" };
                let fraction = fraction.map(|f| format!(".{f}")).unwrap_or_default();
                let exponent = exponent.map(|e| format!("e{e}")).unwrap_or_default();
                format!("{sign}{whole}{fraction}{exponent}").parse().ok()
            }),
    ]
    .boxed()
}

fn arb_unknown() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::unknown()),
        any::<bool>().prop_map(|not_null| Value::Unknown(Refinements {
            not_null,
            ..Refinements::default()
        })),
    ]
    .boxed()
}

/// Huge collections are of primitives only, so that their sizes never multiply.
fn primitive(ty: &Type) -> bool {
    matches!(ty, Type::Bool | Type::Number | Type::String)
}

/// An element of a huge collection: cheap to make (a few hundred per value), mostly distinct
/// (CIDRs, ids, indices), sometimes null or unknown.
fn arb_bulk(ty: &Type, unknowns: bool) -> BoxedStrategy<Value> {
    let known = match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Number => any::<i64>().prop_map(Value::number).boxed(),
        _ => prop_oneof![
            any::<[u8; 3]>().prop_map(|[a, b, c]| format!("10.{a}.{b}.0/{}", 16 + c % 17)),
            any::<u32>().prop_map(|n| format!("subnet-{n:08x}")),
            select(DICTIONARY).prop_map(str::to_string),
        ]
        .prop_map(Value::String)
        .boxed(),
    };
    if unknowns {
        prop_oneof![1 => Just(Value::Null), 1 => Just(Value::unknown()), 30 => known].boxed()
    } else {
        prop_oneof![1 => Just(Value::Null), 30 => known].boxed()
    }
}

fn arb_elements(element: &Type, unknowns: bool) -> BoxedStrategy<Vec<Value>> {
    let few = vec(arb_value(element, unknowns), 0..5);
    if primitive(element) {
        prop_oneof![12 => few, 1 => vec(arb_bulk(element, unknowns), 100..400)].boxed()
    } else {
        few.boxed()
    }
}

/// A value of `ty` with random contents: nulls and (when `unknowns`) unknowns in every
/// position, omitted object attributes, huge collections of primitives.
fn arb_value(ty: &Type, unknowns: bool) -> BoxedStrategy<Value> {
    let known: BoxedStrategy<Value> = match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Number => arb_number().prop_map(Value::Number).boxed(),
        Type::String => arb_string().prop_map(Value::String).boxed(),
        Type::List(element) => arb_elements(element, unknowns)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(element) => arb_elements(element, unknowns).prop_map(Value::Set).boxed(),
        Type::Map(element) => {
            let each = arb_value(element, unknowns);
            let few = btree_map(arb_string(), each.clone(), 0..4);
            if primitive(element) {
                prop_oneof![12 => few, 1 => btree_map(any::<u32>().prop_map(|n| n.to_string()), arb_bulk(element, unknowns), 100..400)]
                    .prop_map(Value::Map)
                    .boxed()
            } else {
                few.prop_map(Value::Map).boxed()
            }
        }
        Type::Object(attributes) => {
            let names: Vec<String> = attributes.keys().cloned().collect();
            let values: Vec<_> = attributes
                .values()
                .map(|t| proptest::option::weighted(0.9, arb_value(t, unknowns)))
                .collect();
            values
                .prop_map(move |values| {
                    Value::Object(
                        names
                            .iter()
                            .cloned()
                            .zip(values)
                            .filter_map(|(name, value)| Some((name, value?)))
                            .collect(),
                    )
                })
                .boxed()
        }
        Type::Tuple(types) => {
            let values: Vec<_> = types.iter().map(|t| arb_value(t, unknowns)).collect();
            values.prop_map(Value::Tuple).boxed()
        }
        Type::Dynamic => arb_string()
            .prop_map(|s| Value::dynamic(Type::String, Value::String(s)))
            .boxed(),
    };
    if unknowns {
        prop_oneof![1 => Just(Value::Null), 1 => arb_unknown(), 8 => known].boxed()
    } else {
        prop_oneof![1 => Just(Value::Null), 9 => known].boxed()
    }
}

/// Types to put where another was expected.
fn arb_other_type() -> BoxedStrategy<Type> {
    select(vec![
        Type::Bool,
        Type::Number,
        Type::String,
        Type::Dynamic,
        Type::list(Type::String),
        Type::set(Type::Number),
        Type::map(Type::Bool),
        Type::object([("cidr_blocks", Type::String), ("vpc_id", Type::Number)]),
        Type::Tuple(vec![Type::String, Type::Number]),
        Type::list(Type::list(Type::String)),
    ])
    .boxed()
}

fn positions(ty: &Type) -> usize {
    1 + match ty {
        Type::List(t) | Type::Set(t) | Type::Map(t) => positions(t),
        Type::Object(attributes) => attributes.values().map(positions).sum(),
        Type::Tuple(types) => types.iter().map(positions).sum(),
        _ => 0,
    }
}

/// `ty` with the type at pre-order position `at` replaced by `other`.
fn replace_at(ty: &Type, at: usize, other: &Type) -> Type {
    fn walk(ty: &Type, at: &mut Option<usize>, other: &Type) -> Type {
        match at {
            Some(0) => {
                *at = None;
                return other.clone();
            }
            Some(n) => *n -= 1,
            None => return ty.clone(),
        }
        match ty {
            Type::List(t) => Type::List(Box::new(walk(t, at, other))),
            Type::Set(t) => Type::Set(Box::new(walk(t, at, other))),
            Type::Map(t) => Type::Map(Box::new(walk(t, at, other))),
            Type::Object(attributes) => Type::Object(
                attributes
                    .iter()
                    .map(|(name, t)| (name.clone(), walk(t, at, other)))
                    .collect(),
            ),
            Type::Tuple(types) => Type::Tuple(types.iter().map(|t| walk(t, at, other)).collect()),
            _ => ty.clone(),
        }
    }
    walk(ty, &mut Some(at), other)
}

/// A value of `ty` with one position of another type (a wrong-typed attribute, element or
/// the whole value), and the type it was made for.
fn arb_wrong_typed(ty: &Type, unknowns: bool) -> BoxedStrategy<(Type, Value)> {
    let ty = ty.clone();
    (any::<Index>(), arb_other_type())
        .prop_flat_map(move |(at, other)| {
            let wrong = replace_at(&ty, at.index(positions(&ty)), &other);
            (Just(wrong.clone()), arb_value(&wrong, unknowns))
        })
        .boxed()
}

/// The types of `value`'s positions (of type `ty`) in pre-order; an object's absent
/// attributes are null positions.
fn value_positions(value: &Value, ty: &Type, into: &mut Vec<Type>) {
    into.push(ty.clone());
    match (value, ty) {
        (Value::Object(attributes), Type::Object(types)) => {
            for (name, t) in types {
                value_positions(attributes.get(name).unwrap_or(&Value::Null), t, into);
            }
        }
        (Value::List(items), Type::List(t)) | (Value::Set(items), Type::Set(t)) => {
            items.iter().for_each(|item| value_positions(item, t, into));
        }
        (Value::Map(items), Type::Map(t)) => {
            items
                .values()
                .for_each(|item| value_positions(item, t, into));
        }
        _ => {}
    }
}

/// `value` with the position `at` (numbered as [`value_positions`] does) replaced by `with`.
fn replace_value_at(value: &Value, ty: &Type, at: &mut Option<usize>, with: &Value) -> Value {
    match at {
        Some(0) => {
            *at = None;
            return with.clone();
        }
        Some(n) => *n -= 1,
        None => return value.clone(),
    }
    match (value, ty) {
        (Value::Object(attributes), Type::Object(types)) => Value::Object(
            types
                .iter()
                .map(|(name, t)| {
                    let attribute = attributes.get(name).unwrap_or(&Value::Null);
                    (name.clone(), replace_value_at(attribute, t, at, with))
                })
                .collect(),
        ),
        (Value::List(items), Type::List(t)) => Value::List(
            items
                .iter()
                .map(|item| replace_value_at(item, t, at, with))
                .collect(),
        ),
        (Value::Set(items), Type::Set(t)) => Value::Set(
            items
                .iter()
                .map(|item| replace_value_at(item, t, at, with))
                .collect(),
        ),
        (Value::Map(items), Type::Map(t)) => Value::Map(
            items
                .iter()
                .map(|(key, item)| (key.clone(), replace_value_at(item, t, at, with)))
                .collect(),
        ),
        _ => value.clone(),
    }
}

/// A realistic value with one position (an attribute, an element, a nested object) replaced
/// by a random value of its type: mostly valid input that reaches deep into the checks.
fn arb_changed_seed(ty: &Type, seeds: Vec<Value>, unknowns: bool) -> BoxedStrategy<Value> {
    let ty = ty.clone();
    (select(seeds), any::<Index>())
        .prop_flat_map(move |(seed, at)| {
            let mut types = Vec::new();
            value_positions(&seed, &ty, &mut types);
            let at = at.index(types.len());
            let ty = ty.clone();
            arb_value(&types[at], unknowns)
                .prop_map(move |with| replace_value_at(&seed, &ty, &mut Some(at), &with))
        })
        .boxed()
}

// ---------------------------------------------------------------------------------------------
// Generators: encodings, garbage, mutations

fn msgpack(ty: &Type, value: &Value) -> DynamicValue {
    DynamicValue {
        msgpack: cty::to_msgpack(value, ty).expect("a generated value encodes"),
        json: Vec::new(),
    }
}

fn json(ty: &Type, value: &Value) -> DynamicValue {
    DynamicValue {
        msgpack: Vec::new(),
        json: cty::to_json(value, ty).expect("a generated value encodes as JSON"),
    }
}

fn msgpack_bytes(bytes: Vec<u8>) -> DynamicValue {
    DynamicValue {
        msgpack: bytes,
        json: Vec::new(),
    }
}

fn json_bytes(bytes: Vec<u8>) -> DynamicValue {
    DynamicValue {
        msgpack: Vec::new(),
        json: bytes,
    }
}

/// Markers that change a msgpack reader's course: nil, never-used, ext, arrays and maps with
/// 32-bit lengths, fixarrays, fixmaps, fixstrs.
const MSGPACK_MARKERS: &[u8] = &[
    0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xcb, 0xcf, 0xd4, 0xd9, 0xdc, 0xdd, 0xde, 0xdf, 0xff, 0x00, 0x7f,
    0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf,
];
/// Lengths that promise far more than follows.
const MSGPACK_SPLICES: &[&[u8]] = &[
    &[0xdd, 0xff, 0xff, 0xff, 0xff],
    &[0xdf, 0x7f, 0xff, 0xff, 0xff],
    &[0xdb, 0xff, 0xff, 0xff, 0xf0],
    &[0xc6, 0xff, 0xff, 0xff, 0xff],
    &[0xc9, 0x00, 0x00, 0x04, 0x00, 0x0c],
    &[0xd4, 0x0c, 0x80],
    &[0xd7, 0x00, 0, 0, 0, 0, 0, 0, 0, 0],
];
const JSON_MARKERS: &[u8] = b"{}[]\":,\\0-e.9tnf \xff";
const JSON_SPLICES: &[&[u8]] = &[
    b"null",
    b"\"\\u0000\"",
    b"\"\\ud800\"",
    b"1e999999",
    b"-0",
    b"[[[[[[[[",
    b"{\"\":{\"\":",
    b"\"unknown\"",
];

#[derive(Clone, Debug)]
enum Mutation {
    Flip(Index, u8),
    Set(Index, u8),
    Insert(Index, u8),
    Delete(Index),
    Truncate(Index),
    Duplicate(Index, Index),
    Splice(Index, usize),
}

fn arb_mutations(markers: &'static [u8], splices: usize) -> BoxedStrategy<Vec<Mutation>> {
    let one = prop_oneof![
        (any::<Index>(), 0u8..8).prop_map(|(i, bit)| Mutation::Flip(i, bit)),
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        (any::<Index>(), select(markers)).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<Index>().prop_map(Mutation::Delete),
        any::<Index>().prop_map(Mutation::Truncate),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Duplicate(a, b)),
        (any::<Index>(), 0..splices).prop_map(|(i, s)| Mutation::Splice(i, s)),
    ];
    vec(one, 1..6).boxed()
}

fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation], splices: &[&[u8]]) -> Vec<u8> {
    for mutation in mutations {
        let len = bytes.len();
        match mutation {
            Mutation::Insert(i, b) => bytes.insert(i.index(len + 1), *b),
            Mutation::Splice(i, s) => {
                let at = i.index(len + 1);
                bytes.splice(at..at, splices[*s].iter().copied());
            }
            _ if len == 0 => {}
            Mutation::Flip(i, bit) => bytes[i.index(len)] ^= 1 << bit,
            Mutation::Set(i, b) => bytes[i.index(len)] = *b,
            Mutation::Delete(i) => {
                bytes.remove(i.index(len));
            }
            Mutation::Truncate(i) => bytes.truncate(i.index(len)),
            Mutation::Duplicate(a, b) => {
                let (a, b) = (a.index(len), b.index(len));
                let chunk = bytes[a.min(b)..=a.max(b)].to_vec();
                bytes.splice(a..a, chunk);
            }
        }
    }
    bytes
}

fn arb_msgpack_garbage() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        4 => vec(any::<u8>(), 0..64),
        1 => (1usize..20_000).prop_map(|depth| {
            let mut bytes = vec![0x91; depth];
            bytes.push(0xc0);
            bytes
        }),
        1 => (1usize..20_000).prop_map(|depth| {
            let mut bytes = [0x81, 0xa1, b'a'].repeat(depth);
            bytes.push(0xc0);
            bytes
        }),
        1 => select(MSGPACK_SPLICES).prop_map(<[u8]>::to_vec),
    ]
    .boxed()
}

fn arb_json_garbage() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        3 => vec(any::<u8>(), 0..64),
        3 => "\\PC{0,40}".prop_map(String::into_bytes),
        1 => (1usize..20_000).prop_map(|depth| "[".repeat(depth).into_bytes()),
        1 => (1usize..20_000).prop_map(|depth| {
            format!("{}null{}", "{\"a\":".repeat(depth), "}".repeat(depth)).into_bytes()
        }),
        1 => select(JSON_SPLICES).prop_map(<[u8]>::to_vec),
    ]
    .boxed()
}

fn names(ty: &Type, into: &mut Vec<String>) {
    match ty {
        Type::List(t) | Type::Set(t) | Type::Map(t) => names(t, into),
        Type::Object(attributes) => {
            for (name, t) in attributes {
                into.push(name.clone());
                names(t, into);
            }
        }
        Type::Tuple(types) => types.iter().for_each(|t| names(t, into)),
        _ => {}
    }
}

/// Any JSON document, its object keys mostly attribute names of `ty`: the shape of a state,
/// the contents of anything.
fn arb_json_document(ty: &Type) -> BoxedStrategy<serde_json::Value> {
    use serde_json::Value as Json;
    let mut keys = Vec::new();
    names(ty, &mut keys);
    keys.push("resource".into());
    keys.sort();
    keys.dedup();
    let key = prop_oneof![4 => select(keys), 1 => arb_string()];
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        any::<f64>().prop_map(Json::from),
        arb_string().prop_map(Json::String),
    ];
    leaf.prop_recursive(5, 48, 6, move |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Json::Array),
            btree_map(key.clone(), inner, 0..6).prop_map(|m| Json::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

/// A DynamicValue for a position of type `ty`, `seeds` being realistic values of it: absent,
/// empty, garbage, random values of the type, mutations of valid encodings, wrong-typed
/// values, JSON documents of any shape.
fn arb_input(ty: &Type, seeds: Vec<Value>) -> BoxedStrategy<Option<DynamicValue>> {
    let (t1, t2, t3, t4, t5) = (ty.clone(), ty.clone(), ty.clone(), ty.clone(), ty.clone());
    // Realistic seeds, seeds with one position changed, random values of the type: to encode
    // as they are, and to encode and mutate.
    let seeded = |seeds: Vec<Value>, unknowns: bool| -> BoxedStrategy<Value> {
        if seeds.is_empty() {
            arb_value(ty, unknowns)
        } else {
            prop_oneof![
                2 => select(seeds.clone()),
                4 => arb_changed_seed(ty, seeds, unknowns),
                3 => arb_value(ty, unknowns),
            ]
            .boxed()
        }
    };
    let known: Vec<Value> = seeds
        .iter()
        .filter(|v| v.is_wholly_known())
        .cloned()
        .collect();
    let (msgpack_seed, json_seed) = (seeded(seeds, true), seeded(known, false));
    prop_oneof![
        1 => Just(None),
        1 => Just(Some(DynamicValue::default())),
        2 => arb_msgpack_garbage().prop_map(|b| Some(msgpack_bytes(b))),
        2 => arb_json_garbage().prop_map(|b| Some(json_bytes(b))),
        5 => msgpack_seed.clone().prop_map(move |v| Some(msgpack(&t1, &v))),
        2 => json_seed.clone().prop_map(move |v| Some(json(&t2, &v))),
        5 => (msgpack_seed, arb_mutations(MSGPACK_MARKERS, MSGPACK_SPLICES.len())).prop_map(
            move |(v, m)| Some(msgpack_bytes(mutate(cty::to_msgpack(&v, &t3).expect("encodes"), &m, MSGPACK_SPLICES)))
        ),
        3 => (json_seed, arb_mutations(JSON_MARKERS, JSON_SPLICES.len())).prop_map(
            move |(v, m)| Some(json_bytes(mutate(cty::to_json(&v, &t4).expect("encodes"), &m, JSON_SPLICES)))
        ),
        2 => arb_wrong_typed(ty, true).prop_map(|(t, v)| Some(msgpack(&t, &v))),
        1 => arb_wrong_typed(ty, false).prop_map(|(t, v)| Some(json(&t, &v))),
        1 => arb_json_document(&t5).prop_map(|d| Some(json_bytes(d.to_string().into_bytes()))),
    ]
    .boxed()
}

/// Private data: none, garbage, JSON of any shape, the envelopes the resources write.
fn arb_private(ty: &Type) -> BoxedStrategy<Vec<u8>> {
    prop_oneof![
        3 => Just(Vec::new()),
        2 => vec(any::<u8>(), 0..32),
        2 => arb_json_document(ty).prop_map(|d| d.to_string().into_bytes()),
        1 => select(vec![
            &b"{\"resource\":{\"discover\":true}}"[..],
            b"{\"resource\":{\"checked\":true,\"follows_associations\":false}}",
            b"{\"resource\":null}",
            b"{\"discover\":\"yes\"}",
        ])
        .prop_map(<[u8]>::to_vec),
    ]
    .boxed()
}

fn arb_type_name() -> BoxedStrategy<String> {
    prop_oneof![
        6 => select(vec![HUB, VPN, SPOKE]).prop_map(str::to_string),
        1 => select(vec!["", "migration", "aws_vpc", "migration_hub_network ", "MIGRATION_HUB_NETWORK"])
            .prop_map(str::to_string),
        1 => arb_string(),
    ]
    .boxed()
}

// ---------------------------------------------------------------------------------------------
// Realistic values: what Terraform sends for a typical configuration

fn strings(items: &[&str]) -> Value {
    Value::Set(items.iter().map(|s| Value::string(*s)).collect())
}

fn map(items: &[(&str, Value)]) -> Value {
    Value::Map(
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

fn provider_seeds() -> Vec<Value> {
    vec![
        Value::object([
            ("region", Value::string("eu-west-1")),
            ("max_retries", Value::number(5)),
            ("retry_mode", Value::string("adaptive")),
            ("allowed_account_ids", strings(&["111122223333"])),
            ("skip_credentials_validation", Value::bool(true)),
        ]),
        Value::object([
            ("region", Value::unknown()),
            ("profile", Value::string("migration")),
            (
                "shared_config_files",
                Value::List(vec![Value::string("~/.aws/config")]),
            ),
        ]),
    ]
}

fn hub_seeds() -> Vec<Value> {
    let attachment = |vpc: &str| {
        Value::object([
            ("vpc_id", Value::string(vpc)),
            (
                "subnet_ids",
                strings(&["subnet-0a1b2c3d", "subnet-1a2b3c4d"]),
            ),
            ("route_table_ids", strings(&["rtb-0a1b2c3d"])),
            ("appliance_mode_support", Value::bool(false)),
            ("dns_support", Value::unknown()),
        ])
    };
    let config = Value::object([
        ("name", Value::string("hub")),
        ("description", Value::string("migration hub")),
        ("amazon_side_asn", Value::number(64512)),
        ("share_with", strings(&["111122223333"])),
        ("transit_gateway_cidr_blocks", strings(&["10.99.0.0/24"])),
        (
            "vpc_attachments",
            map(&[
                ("staging", attachment("vpc-0a1b2c3d")),
                ("prod", attachment("vpc-1a2b3c4d")),
            ]),
        ),
        (
            "data_center",
            Value::object([
                ("cidr_blocks", strings(&["192.168.0.0/16"])),
                (
                    "vpn",
                    Value::object([
                        ("customer_gateway_id", Value::string("cgw-0a1b2c3d")),
                        ("static_routes_only", Value::bool(true)),
                    ]),
                ),
            ]),
        ),
        ("tags", map(&[("team", Value::string("net"))])),
        (
            "timeouts",
            Value::object([("create", Value::string("45m"))]),
        ),
    ]);
    let mut state = config.clone();
    if let Value::Object(attributes) = &mut state {
        attributes.insert("id".into(), Value::string("tgw-0123456789abcdef0"));
        attributes.insert("route_table_id".into(), Value::string("tgw-rtb-0a1b2c3d"));
        attributes.insert("owner_id".into(), Value::string("111122223333"));
        attributes.insert(
            "routes".into(),
            map(&[(
                "rtb-0a1b2c3d",
                Value::object([
                    ("vpc", Value::string("staging")),
                    (
                        "destinations",
                        map(&[("192.168.0.0/16", Value::string("data_center"))]),
                    ),
                ]),
            )]),
        );
    }
    vec![config, state]
}

fn vpn_seeds() -> Vec<Value> {
    let config = Value::object([
        (
            "client_vpn_endpoint_id",
            Value::string("cvpn-endpoint-0123456789abcdef0"),
        ),
        ("directory_id", Value::string("d-1234567890")),
        (
            "groups",
            map(&[
                (
                    "admins",
                    Value::object([
                        (
                            "sid",
                            Value::string("S-1-5-21-1004336348-1177238915-682003330-1104"),
                        ),
                        ("networks", strings(&["10.0.0.0/16", "10.1.0.0/16"])),
                    ]),
                ),
                (
                    "developers",
                    Value::object([
                        ("name", Value::string("Developers")),
                        ("networks", strings(&["10.2.0.0/16"])),
                        ("description", Value::string("dev access")),
                    ]),
                ),
            ]),
        ),
        ("route_subnet_ids", strings(&["subnet-0a1b2c3d"])),
        ("manage_routes", Value::bool(true)),
        ("allow_internet", Value::bool(false)),
    ]);
    let mut state = config.clone();
    if let Value::Object(attributes) = &mut state {
        attributes.insert(
            "id".into(),
            Value::string("cvpn-endpoint-0123456789abcdef0"),
        );
        attributes.insert("client_cidr_block".into(), Value::string("172.16.0.0/22"));
        attributes.insert(
            "routes".into(),
            map(&[(
                "10.0.0.0/16",
                map(&[("subnet-0a1b2c3d", Value::string("active"))]),
            )]),
        );
    }
    vec![config, state]
}

fn spoke_seeds() -> Vec<Value> {
    let config = Value::object([
        ("transit_gateway_id", Value::string("tgw-0123456789abcdef0")),
        (
            "resource_share_arn",
            Value::string("arn:aws:ram:eu-west-1:111122223333:resource-share/7ab63972"),
        ),
        ("vpc_id", Value::string("vpc-0a1b2c3d")),
        ("route_table_ids", strings(&["rtb-0a1b2c3d"])),
        (
            "hub_cidr_blocks",
            strings(&["10.1.0.0/16", "192.168.0.0/16"]),
        ),
        ("acceptance_timeout", Value::string("10m")),
        ("subnet_ids", Value::unknown()),
    ]);
    let mut state = config.clone();
    if let Value::Object(attributes) = &mut state {
        attributes.insert("id".into(), Value::string("tgw-attach-0123456789abcdef0"));
        attributes.insert("subnet_ids".into(), strings(&["subnet-0a1b2c3d"]));
        attributes.insert(
            "routes".into(),
            map(&[(
                "rtb-0a1b2c3d",
                map(&[("10.1.0.0/16", Value::string("tgw-0123456789abcdef0"))]),
            )]),
        );
    }
    vec![config, state]
}

fn seeds(type_name: &str) -> Vec<Value> {
    match type_name {
        HUB => hub_seeds(),
        SPOKE => spoke_seeds(),
        _ => vpn_seeds(),
    }
}

/// The inputs of one managed-resource RPC: up to three values of the resource's type.
#[derive(Clone, Debug)]
struct ResourceCase {
    mode: Mode,
    type_name: String,
    values: [Option<DynamicValue>; 3],
    private: Vec<u8>,
}

impl ResourceCase {
    fn ty(&self) -> Type {
        resource_type(&self.type_name).unwrap_or_else(|| resource_type(HUB).expect("the hub"))
    }

    fn known(&self) -> bool {
        resource_type(&self.type_name).is_some()
    }
}

fn arb_resource_case() -> BoxedStrategy<ResourceCase> {
    let per_type = |type_name: BoxedStrategy<String>, of: &str| {
        let ty = resource_type(of).expect("a resource type");
        let input = arb_input(&ty, seeds(of));
        (
            arb_mode(),
            type_name,
            [input.clone(), input.clone(), input],
            arb_private(&ty),
        )
            .prop_map(|(mode, type_name, values, private)| ResourceCase {
                mode,
                type_name,
                values,
                private,
            })
            .boxed()
    };
    // Type names that are no resource of this provider get the hub's values.
    let hub_or_other = prop_oneof![4 => Just(HUB.to_string()), 1 => arb_type_name()].boxed();
    prop_oneof![
        per_type(hub_or_other, HUB),
        per_type(Just(VPN.to_string()).boxed(), VPN),
        per_type(Just(SPOKE.to_string()).boxed(), SPOKE)
    ]
    .boxed()
}

// ---------------------------------------------------------------------------------------------
// The properties

proptest! {
    #![proptest_config(config())]

    #[test]
    fn provider_config_is_answered(
        config in arb_input(&provider_type(), provider_seeds()),
    ) {
        run(async move {
            let ty = provider_type();
            let Server { provider, service } = server(Mode::Unconfigured).await;
            let validated = within(service.validate_provider_config(Request::new(
                tfplugin6::validate_provider_config::Request { config: config.clone() },
            )))
            .await?
            .map_err(|s| TestCaseError::fail(format!("ValidateProviderConfig: {s:?}")))?;
            well_formed(&validated.diagnostics)?;
            let decoded = decode(config.as_ref(), &ty);
            if decoded.is_err() {
                prop_assert!(has_error(&validated.diagnostics), "undecodable config validated");
            }
            // A valid, wholly known configuration would build real clients from this machine's
            // AWS environment: ConfigureProvider gets everything else.
            let offline = match &decoded {
                Ok(value) => {
                    !value.is_wholly_known()
                        || crate::config::settings::parse(value).1.has_errors()
                }
                Err(_) => true,
            };
            if offline {
                let configured = within(service.configure_provider(Request::new(
                    tfplugin6::configure_provider::Request {
                        config: config.clone(),
                        ..Default::default()
                    },
                )))
                .await?
                .map_err(|s| TestCaseError::fail(format!("ConfigureProvider: {s:?}")))?;
                well_formed(&configured.diagnostics)?;
                if has_error(&configured.diagnostics) {
                    prop_assert!(
                        matches!(provider.state().configured(), Configured::NotYet),
                        "a refused configuration configured the provider"
                    );
                } else {
                    prop_assert!(decoded.is_ok(), "undecodable config configured");
                    prop_assert!(
                        matches!(provider.state().configured(), Configured::Deferred),
                        "a configuration with unknowns did not defer"
                    );
                }
            }
            Ok(())
        })?;
    }

    #[test]
    fn resource_config_validation_is_answered(case in arb_resource_case()) {
        run(async move {
            let ty = case.ty();
            let config = case.values[0].clone();
            let Server { service, .. } = server(case.mode).await;
            let answer = within(service.validate_resource_config(Request::new(
                tfplugin6::validate_resource_config::Request {
                    type_name: case.type_name.clone(),
                    config: config.clone(),
                    ..Default::default()
                },
            )))
            .await?;
            let Some(answer) = answered(case.known(), &case.type_name, answer)? else {
                return Ok(());
            };
            well_formed(&answer.diagnostics)?;
            if !decodes(&config, &ty) {
                prop_assert!(has_error(&answer.diagnostics), "undecodable config validated");
            }
            Ok(())
        })?;
    }

    #[test]
    fn state_upgrades_are_answered(
        type_name in arb_type_name(),
        version in prop_oneof![
            4 => select(vec![0i64, 1]),
            1 => select(vec![2i64, -1, i64::MIN, i64::MAX]),
            1 => any::<i64>(),
        ],
        raw in prop_oneof![
            1 => Just(Vec::new()),
            2 => arb_json_garbage(),
            3 => arb_json_document(&resource_type(HUB).expect("the hub"))
                .prop_map(|d| d.to_string().into_bytes()),
            3 => arb_value(&resource_type(HUB).expect("the hub"), false)
                .prop_map(|v| cty::to_json(&v, &resource_type(HUB).expect("the hub")).expect("encodes")),
            3 => arb_value(&resource_type(VPN).expect("the vpn"), false)
                .prop_map(|v| cty::to_json(&v, &resource_type(VPN).expect("the vpn")).expect("encodes")),
            3 => (
                select(hub_seeds().into_iter().chain(vpn_seeds()).filter(Value::is_wholly_known).collect::<Vec<_>>()),
                arb_mutations(JSON_MARKERS, JSON_SPLICES.len()),
            ).prop_map(|(seed, m)| {
                let ty = if seed.attr("client_vpn_endpoint_id").is_some() { VPN } else { HUB };
                let bytes = cty::to_json(&seed, &resource_type(ty).expect("a type")).expect("encodes");
                mutate(bytes, &m, JSON_SPLICES)
            }),
        ],
        flatmap in prop_oneof![
            6 => Just(BTreeMap::new()),
            1 => btree_map(arb_string(), arb_string(), 1..4),
        ],
    ) {
        run(async move {
            let Server { service, .. } = server(Mode::Unconfigured).await;
            let answer = within(service.upgrade_resource_state(Request::new(
                tfplugin6::upgrade_resource_state::Request {
                    type_name: type_name.clone(),
                    version,
                    raw_state: Some(tfplugin6::RawState {
                        json: raw.clone(),
                        flatmap: flatmap.clone().into_iter().collect(),
                    }),
                },
            )))
            .await?;
            let known = resource_type(&type_name);
            let Some(answer) = answered(known.is_some(), &type_name, answer)? else {
                return Ok(());
            };
            let ty = known.expect("known");
            well_formed(&answer.diagnostics)?;
            readable(&answer.upgraded_state, &ty)?;
            if raw.is_empty() {
                // Nothing stored: nothing to upgrade; flatmap state is refused by name.
                prop_assert!(answer.upgraded_state.is_none());
                prop_assert_eq!(has_error(&answer.diagnostics), !flatmap.is_empty());
                return Ok(());
            }
            prop_assert!(
                answer.upgraded_state.is_some() != has_error(&answer.diagnostics),
                "an upgrade must answer a state or an error, not {:?}",
                answer
            );
            // Not JSON at all (a syntax check: numbers of any size are JSON, and cty reads them).
            if version > 1 || serde_json::from_slice::<serde::de::IgnoredAny>(&raw).is_err() {
                prop_assert!(has_error(&answer.diagnostics), "accepted: {:?}", answer);
            }
            Ok(())
        })?;
    }

    #[test]
    fn reads_are_answered(case in arb_resource_case()) {
        run(async move {
            let ty = case.ty();
            let state = case.values[0].clone();
            let Server { service, .. } = server(case.mode).await;
            let answer = within(service.read_resource(Request::new(
                tfplugin6::read_resource::Request {
                    type_name: case.type_name.clone(),
                    current_state: state.clone(),
                    private: case.private.clone(),
                    ..Default::default()
                },
            )))
            .await?;
            let Some(answer) = answered(case.known(), &case.type_name, answer)? else {
                return Ok(());
            };
            well_formed(&answer.diagnostics)?;
            readable(&answer.new_state, &ty)?;
            prop_assert!(answer.new_state.is_some() || has_error(&answer.diagnostics));
            if !decodes(&state, &ty) {
                prop_assert!(has_error(&answer.diagnostics), "undecodable state read");
                prop_assert!(answer.new_state.is_none());
            } else if case.mode == Mode::Unconfigured && non_null(&state, &ty) {
                prop_assert!(has_error(&answer.diagnostics), "read without a configured provider");
            }
            Ok(())
        })?;
    }

    #[test]
    fn plans_are_answered(case in arb_resource_case()) {
        run(async move {
            let ty = case.ty();
            let [prior, proposed, config] = case.values.clone();
            let Server { service, .. } = server(case.mode).await;
            let answer = within(service.plan_resource_change(Request::new(
                tfplugin6::plan_resource_change::Request {
                    type_name: case.type_name.clone(),
                    prior_state: prior.clone(),
                    proposed_new_state: proposed.clone(),
                    config: config.clone(),
                    prior_private: case.private.clone(),
                    ..Default::default()
                },
            )))
            .await?;
            let Some(answer) = answered(case.known(), &case.type_name, answer)? else {
                return Ok(());
            };
            well_formed(&answer.diagnostics)?;
            readable(&answer.planned_state, &ty)?;
            prop_assert!(answer.planned_state.is_some() || has_error(&answer.diagnostics));
            if ![&prior, &proposed, &config].iter().all(|v| decodes(v, &ty)) {
                prop_assert!(has_error(&answer.diagnostics), "undecodable input planned");
                prop_assert!(answer.planned_state.is_none());
            } else if case.mode == Mode::Unconfigured && non_null(&proposed, &ty) {
                prop_assert!(has_error(&answer.diagnostics), "planned without a configured provider");
            }
            Ok(())
        })?;
    }

    #[test]
    fn applies_are_answered(case in arb_resource_case()) {
        run(async move {
            let ty = case.ty();
            let [prior, planned, config] = case.values.clone();
            let Server { service, .. } = server(case.mode).await;
            let answer = within(service.apply_resource_change(Request::new(
                tfplugin6::apply_resource_change::Request {
                    type_name: case.type_name.clone(),
                    prior_state: prior.clone(),
                    planned_state: planned.clone(),
                    config: config.clone(),
                    planned_private: case.private.clone(),
                    ..Default::default()
                },
            )))
            .await?;
            let Some(answer) = answered(case.known(), &case.type_name, answer)? else {
                return Ok(());
            };
            well_formed(&answer.diagnostics)?;
            readable(&answer.new_state, &ty)?;
            prop_assert!(answer.new_state.is_some() || has_error(&answer.diagnostics));
            if ![&prior, &planned, &config].iter().all(|v| decodes(v, &ty)) {
                prop_assert!(has_error(&answer.diagnostics), "undecodable input applied");
                prop_assert!(answer.new_state.is_none());
            } else if case.mode != Mode::NoCredentials
                && (non_null(&prior, &ty) || non_null(&planned, &ty))
            {
                prop_assert!(has_error(&answer.diagnostics), "applied without AWS clients");
            }
            Ok(())
        })?;
    }

    #[test]
    fn imports_are_answered(
        mode in arb_mode(),
        type_name in arb_type_name(),
        id in prop_oneof![
            3 => arb_string(),
            2 => "\\s{0,2}tgw-[0-9a-fA-Fg]{0,18}\\s{0,2}",
            2 => "cvpn-endpoint-[0-9a-f]{0,18}",
        ],
    ) {
        run(async move {
            let Server { service, .. } = server(mode).await;
            let answer = within(service.import_resource_state(Request::new(
                tfplugin6::import_resource_state::Request {
                    type_name: type_name.clone(),
                    id: id.clone(),
                    ..Default::default()
                },
            )))
            .await?;
            let known = resource_type(&type_name);
            let Some(answer) = answered(known.is_some(), &type_name, answer)? else {
                return Ok(());
            };
            let ty = known.expect("known");
            well_formed(&answer.diagnostics)?;
            for imported in &answer.imported_resources {
                prop_assert_eq!(&imported.type_name, &type_name);
                readable(&imported.state, &ty)?;
            }
            let errors = has_error(&answer.diagnostics);
            prop_assert!(answer.imported_resources.is_empty() == errors, "{:?}", answer);
            let transit_gateway = id.trim().strip_prefix("tgw-").is_some_and(|rest| {
                !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_hexdigit())
            });
            // An import needs clients; the hub's needs no call, the endpoint's read fails.
            let importable = mode == Mode::NoCredentials && type_name == HUB && transit_gateway;
            prop_assert_eq!(errors, !importable, "{:?}", answer);
            Ok(())
        })?;
    }

    #[test]
    fn data_source_requests_are_answered(
        type_name in arb_type_name(),
        config in arb_input(&Type::object([("name", Type::String)]), Vec::new()),
    ) {
        run(async move {
            let Server { provider, service } = server(Mode::Offline).await;
            let known = provider.data_source(&type_name).is_some();
            let validated = within(service.validate_data_resource_config(Request::new(
                tfplugin6::validate_data_resource_config::Request {
                    type_name: type_name.clone(),
                    config: config.clone(),
                },
            )))
            .await?;
            if let Some(answer) = answered(known, &type_name, validated)? {
                well_formed(&answer.diagnostics)?;
            }
            let read = within(service.read_data_source(Request::new(
                tfplugin6::read_data_source::Request {
                    type_name: type_name.clone(),
                    config: config.clone(),
                    ..Default::default()
                },
            )))
            .await?;
            if let Some(answer) = answered(known, &type_name, read)? {
                well_formed(&answer.diagnostics)?;
            }
            Ok(())
        })?;
    }

    /// ValidateListResourceConfig and ListResource (`terraform query`): answered, or
    /// `NotFound` for a type the provider does not list; the stream ends within the deadline,
    /// every event's diagnostics are well formed, and since no server here reaches AWS, a list
    /// ends in an error and finds nothing.
    #[test]
    fn list_requests_are_answered(
        (mode, type_name, config, include_resource, limit) in arb_list_case(),
    ) {
        run(async move {
            let Server { provider, service } = server(mode).await;
            let known = provider.list_resource(&type_name).is_some();
            let validated = within(service.validate_list_resource_config(Request::new(
                tfplugin6::validate_list_resource_config::Request {
                    type_name: type_name.clone(),
                    config: config.clone(),
                    ..Default::default()
                },
            )))
            .await?;
            if let Some(answer) = answered(known, &type_name, validated)? {
                well_formed(&answer.diagnostics)?;
                if !decodes(&config, &list_type(&type_name)) {
                    prop_assert!(has_error(&answer.diagnostics), "{:?}", answer);
                }
            }
            let listed = within(service.list_resource(Request::new(
                tfplugin6::list_resource::Request {
                    type_name: type_name.clone(),
                    config: config.clone(),
                    include_resource_object: include_resource,
                    limit,
                },
            )))
            .await?;
            let Some(stream) = answered(known, &type_name, listed)? else {
                return Ok(());
            };
            let events: Vec<_> = tokio::time::timeout(
                ANSWER_WITHIN,
                tokio_stream::StreamExt::collect::<Vec<_>>(stream),
            )
            .await
            .map_err(|_| TestCaseError::fail(format!("no end of the list within {ANSWER_WITHIN:?}")))?;
            let mut errors = 0;
            for event in events {
                let event = event.map_err(|status| {
                    TestCaseError::fail(format!("a broken stream instead of diagnostics: {status:?}"))
                })?;
                well_formed(&event.diagnostic)?;
                prop_assert!(event.identity.is_none(), "found without AWS: {:?}", event);
                prop_assert!(event.resource_object.is_none(), "{:?}", event);
                errors += usize::from(has_error(&event.diagnostic));
            }
            prop_assert_eq!(errors, 1, "a list that cannot reach AWS ends in one error");
            Ok(())
        })?;
    }

    #[test]
    fn function_calls_are_answered(
        name in prop_oneof![6 => Just(FUNCTION.to_string()), 1 => arb_string()],
        arguments in prop_oneof![
            6 => vec(arb_input(&Type::list(Type::String), vec![
                Value::List(vec![Value::string("10.0.0.0/8"), Value::string("10.1.0.0/16")]),
                Value::List(vec![Value::string("192.168.0.0/24"), Value::unknown()]),
                Value::List(vec![Value::string("2001:db8::/32"), Value::string("2001:db8:1::/48")]),
            ]), 1..2),
            1 => vec(arb_input(&Type::list(Type::String), Vec::new()), 0..4),
            1 => vec(arb_other_type().prop_flat_map(|t| arb_value(&t, true).prop_map(move |v| Some(msgpack(&t, &v)))), 1..3),
        ],
    ) {
        run(async move {
            let Server { service, .. } = server(Mode::Unconfigured).await;
            let arguments: Vec<DynamicValue> = arguments.into_iter().map(Option::unwrap_or_default).collect();
            let answer = within(service.call_function(Request::new(
                tfplugin6::call_function::Request {
                    name: name.clone(),
                    arguments: arguments.clone(),
                },
            )))
            .await?
            .map_err(|s| TestCaseError::fail(format!("CallFunction: {s:?}")))?;
            prop_assert!(answer.result.is_some() != answer.error.is_some(), "{:?}", answer);
            if let Some(error) = &answer.error {
                prop_assert!(!error.text.is_empty());
            }
            let result_type = Type::list(Type::object([
                ("wider", Type::String),
                ("wider_index", Type::Number),
                ("narrower", Type::String),
                ("narrower_index", Type::Number),
            ]));
            readable(&answer.result, &result_type)?;
            let callable = name == FUNCTION
                && arguments.len() == 1
                && decode(Some(&arguments[0]), &Type::list(Type::String)).is_ok();
            if !callable {
                prop_assert!(answer.error.is_some(), "answered: {:?}", answer);
            }
            Ok(())
        })?;
    }
}

/// Requests with no input, on every server.
#[tokio::test]
async fn discovery_is_answered_in_every_mode() {
    for mode in [Mode::Unconfigured, Mode::Offline, Mode::NoCredentials] {
        let Server { service, .. } = server(mode).await;
        let schema = service
            .get_provider_schema(Request::new(Default::default()))
            .await
            .unwrap()
            .into_inner();
        assert!(schema.resource_schemas.contains_key(HUB), "{mode:?}");
        assert!(schema.resource_schemas.contains_key(VPN), "{mode:?}");
        assert!(schema.resource_schemas.contains_key(SPOKE), "{mode:?}");
        assert!(
            schema
                .resource_schemas
                .contains_key("migration_replication_staging_area"),
            "{mode:?}"
        );
        let functions = service
            .get_functions(Request::new(Default::default()))
            .await
            .unwrap()
            .into_inner();
        assert!(functions.functions.contains_key(FUNCTION), "{mode:?}");
        let metadata = service
            .get_metadata(Request::new(Default::default()))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(metadata.resources.len(), 4, "{mode:?}");
    }
}

/// The generators reach what they claim to: every family of input appears, and a sample
/// holds undecodable values, decodable ones, and ones with unknowns.
#[test]
fn the_generators_cover_valid_and_invalid_input() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let ty = resource_type(HUB).expect("the hub");
    let strategy = arb_input(&ty, hub_seeds());
    let mut runner = TestRunner::deterministic();
    let (mut undecodable, mut decodable, mut unknowns, mut nulls) = (0, 0, 0, 0);
    for _ in 0..200 {
        let input = strategy.new_tree(&mut runner).expect("a value").current();
        match decode(input.as_ref(), &ty) {
            Err(_) => undecodable += 1,
            Ok(Value::Null) => nulls += 1,
            Ok(value) if !value.is_wholly_known() => unknowns += 1,
            Ok(_) => decodable += 1,
        }
    }
    for (what, count) in [
        ("undecodable", undecodable),
        ("known", decodable),
        ("with unknowns", unknowns),
        ("null", nulls),
    ] {
        assert!(count >= 10, "{what}: {count} of 200");
    }
}

/// Found while writing this suite's dictionary of durations (the random search reaches it only
/// rarely: it takes a 16-digit duration in `timeouts` of an apply with clients): a duration
/// beyond what a deadline can hold (Go refuses durations over 2562047h; this parser took up to
/// 2^64 s) passed validation and plan, then panicked the apply ("overflow when adding duration
/// to instant") instead of answering.
#[tokio::test]
async fn a_timeout_too_long_for_a_deadline_is_a_diagnostic_not_a_panic() {
    for (type_name, config) in [
        (HUB, hub_seeds()[0].clone()),
        (VPN, vpn_seeds()[0].clone()),
        (SPOKE, spoke_seeds()[0].clone()),
    ] {
        let ty = resource_type(type_name).expect("a resource type");
        let Value::Object(mut attributes) = config else {
            panic!("an object")
        };
        attributes.insert(
            "timeouts".into(),
            Value::object([("create", Value::string("3000000000000000h"))]),
        );
        let config = Value::Object(attributes);
        let Server { service, .. } = server(Mode::NoCredentials).await;
        let applied = service
            .apply_resource_change(Request::new(tfplugin6::apply_resource_change::Request {
                type_name: type_name.into(),
                planned_state: Some(msgpack(&ty, &config)),
                config: Some(msgpack(&ty, &config)),
                ..Default::default()
            }))
            .await
            .expect("an answer")
            .into_inner();
        assert!(has_error(&applied.diagnostics), "{type_name}");
        let validated = service
            .validate_resource_config(Request::new(tfplugin6::validate_resource_config::Request {
                type_name: type_name.into(),
                config: Some(msgpack(&ty, &config)),
                ..Default::default()
            }))
            .await
            .expect("an answer")
            .into_inner();
        assert!(
            validated
                .diagnostics
                .iter()
                .any(|d| d.summary == "Invalid timeout"),
            "{type_name}: {:?}",
            validated.diagnostics
        );
    }
}
