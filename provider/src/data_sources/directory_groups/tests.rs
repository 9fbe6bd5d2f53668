//! The data source through its lifecycle, against Directory Service and Directory Service Data
//! clients answered by `aws-smithy-mocks` (the SDK's own deserializers, no network).

use std::sync::Arc;

use aws_sdk_directory::operation::describe_directories::DescribeDirectoriesOutput;
use aws_sdk_directory::types::{DirectoryDescription, DirectoryStage, DirectoryType};
use aws_sdk_directoryservicedata::operation::describe_group::DescribeGroupOutput;
use aws_sdk_directoryservicedata::operation::list_groups::ListGroupsOutput;
use aws_sdk_directoryservicedata::types::{GroupScope, GroupSummary, GroupType};
use aws_smithy_mocks::{Rule, RuleMode, mock};
use tokio_util::sync::CancellationToken;

use super::*;
use crate::config::clients::AwsClients;
use crate::framework::context::{Configured, ProviderState};
use crate::framework::data_source::DataSourceLifecycle;
use crate::framework::typed::{FromValue, Holds, assert_matches_schema};
use crate::protocol::diagnostics::Severity;
use crate::protocol::resource::{DataReadRequest, DataReadResponse, DataResource};

const DIRECTORY: &str = "d-1234567890";
const DOMAIN_SID: &str = "S-1-5-21-1004336348-1177238915-682003330";

fn http(status: u16, body: String) -> aws_smithy_runtime_api::http::Response {
    aws_smithy_runtime_api::http::Response::new(
        aws_smithy_runtime_api::http::StatusCode::try_from(status).unwrap(),
        aws_smithy_types::body::SdkBody::from(body),
    )
}

/// A REST-JSON error answer as Directory Service Data sends it.
fn data_error(code: &str, message: &str, reason: Option<&str>) -> String {
    let reason = reason.map_or(String::new(), |r| format!(",\"Reason\":\"{r}\""));
    format!("{{\"__type\":\"{code}\",\"Message\":\"{message}\"{reason}}}")
}

fn directory_of(kind: DirectoryType) -> Rule {
    mock!(aws_sdk_directory::Client::describe_directories).then_output(move || {
        DescribeDirectoriesOutput::builder()
            .directory_descriptions(
                DirectoryDescription::builder()
                    .directory_id(DIRECTORY)
                    .r#type(kind.clone())
                    .stage(DirectoryStage::Active)
                    .build(),
            )
            .build()
    })
}

/// DescribeGroup answering for `name` in any case, as Active Directory does.
fn group(name: &'static str, rid: u32) -> Rule {
    mock!(aws_sdk_directoryservicedata::Client::describe_group)
        .match_requests(move |r| {
            r.sam_account_name().map(str::to_lowercase) == Some(name.to_lowercase())
        })
        .then_output(move || {
            DescribeGroupOutput::builder()
                .directory_id(DIRECTORY)
                .sam_account_name(name)
                .sid(format!("{DOMAIN_SID}-{rid}"))
                .distinguished_name(format!(
                    "CN={name},OU=Users,OU=CORP,DC=corp,DC=example,DC=com"
                ))
                .group_type(GroupType::Security)
                .group_scope(GroupScope::Global)
                .realm("corp.example.com")
                .build()
        })
}

fn describe_group_fails(status: u16, code: &'static str, reason: Option<&'static str>) -> Rule {
    mock!(aws_sdk_directoryservicedata::Client::describe_group)
        .then_http_response(move || http(status, data_error(code, "said AWS", reason)))
}

fn summary(name: &str) -> GroupSummary {
    GroupSummary::builder()
        .sam_account_name(name)
        .sid(format!("{DOMAIN_SID}-{}", 1000 + name.len()))
        .group_type(GroupType::Security)
        .group_scope(GroupScope::Global)
        .build()
        .unwrap()
}

/// ListGroups answering the page `token` names with `names`, pointing at `next`.
fn list_page(
    token: Option<&'static str>,
    names: &'static [&'static str],
    next: Option<&'static str>,
) -> Rule {
    mock!(aws_sdk_directoryservicedata::Client::list_groups)
        .match_requests(move |r| r.next_token() == token && r.max_results() == Some(250))
        .then_output(move || {
            ListGroupsOutput::builder()
                .directory_id(DIRECTORY)
                .set_groups(Some(names.iter().map(|n| summary(n)).collect()))
                .set_next_token(next.map(str::to_string))
                .build()
        })
}

fn clients(directory: &[&Rule], data: &[&Rule]) -> AwsClients {
    use aws_smithy_mocks::{MockResponseInterceptor, create_mock_http_client};
    let sdk = aws_types::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_types::region::Region::new("eu-west-1"))
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(
                aws_credential_types::Credentials::new("AKID", "SECRET", None, None, "test"),
            ),
        )
        .http_client(create_mock_http_client())
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .build();
    let mut directory_mocks = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
    for rule in directory {
        directory_mocks = directory_mocks.with_rule(rule);
    }
    let mut data_mocks = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
    for rule in data {
        data_mocks = data_mocks.with_rule(rule);
    }
    AwsClients {
        ec2: aws_sdk_ec2::Client::new(&sdk),
        ram: aws_sdk_ram::Client::new(&sdk),
        directory: aws_sdk_directory::Client::from_conf(
            aws_sdk_directory::config::Builder::from(&sdk)
                .interceptor(directory_mocks)
                .build(),
        ),
        directory_data: aws_sdk_directoryservicedata::Client::from_conf(
            aws_sdk_directoryservicedata::config::Builder::from(&sdk)
                .interceptor(data_mocks)
                .build(),
        ),
        direct_connect: aws_sdk_directconnect::Client::new(&sdk),
        mgn: aws_sdk_mgn::Client::new(&sdk),
        sts: aws_sdk_sts::Client::new(&sdk),
        region: "eu-west-1".into(),
        account_id: None,
        looked_up_account: Default::default(),
        default_tags: Default::default(),
        max_retries: 0,
        governor: Arc::new(crate::aws::governor::Governor::new(Default::default())),
    }
}

fn config(names: &[&str], realm: Option<&str>) -> Value {
    Value::object([
        ("directory_id", Value::string(DIRECTORY)),
        (
            "names",
            Value::Set(names.iter().map(|n| Value::string(*n)).collect()),
        ),
        ("realm", realm.map_or(Value::Null, Value::string)),
        ("groups", Value::Null),
        ("sids", Value::Null),
    ])
}

async fn read(clients: AwsClients, config: Value) -> DataReadResponse {
    let state = ProviderState::new();
    state.set(Configured::Ready(Arc::new(clients)));
    DataSourceLifecycle::new(DirectoryGroups, state)
        .read(DataReadRequest {
            config,
            deferral_allowed: false,
            cancel: CancellationToken::new(),
        })
        .await
}

/// The one error of a failed read, with its attribute path.
fn only_error(read: &DataReadResponse) -> (&str, String, String) {
    assert!(read.state.is_null(), "a failed read has no state");
    let errors: Vec<_> = read
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let path = errors[0]
        .attribute
        .as_ref()
        .map_or(String::new(), ToString::to_string);
    (errors[0].summary.as_str(), path, errors[0].detail.clone())
}

#[test]
fn the_typed_structs_match_the_schema() {
    let schema = schema();
    assert_matches_schema::<Config>(&schema.block, &[], Holds::Arguments);
    assert_matches_schema::<State>(&schema.block, &[], Holds::Everything);
    assert_matches_schema::<GroupState>(&schema.block, &["groups"], Holds::Everything);
    assert!(schema.sanity_errors().is_empty());
}

#[tokio::test]
async fn names_resolve_in_any_case_keyed_as_written() {
    let engineers = group("Migration Engineers", 1108);
    let it = group("InternalIT", 1109);
    let directory = directory_of(DirectoryType::MicrosoftAd);
    let read = read(
        clients(&[&directory], &[&engineers, &it]),
        config(&["migration engineers", "InternalIT"], None),
    )
    .await;
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
    let state = State::from_value(&read.state).unwrap();
    assert_eq!(
        state.sids,
        BTreeMap::from([
            ("InternalIT".to_string(), format!("{DOMAIN_SID}-1109")),
            (
                "migration engineers".to_string(),
                format!("{DOMAIN_SID}-1108")
            ),
        ])
    );
    let engineers = &state.groups["migration engineers"];
    assert_eq!(
        engineers.name, "Migration Engineers",
        "the directory's spelling"
    );
    assert_eq!(engineers.group_type.as_deref(), Some("Security"));
    assert_eq!(engineers.group_scope.as_deref(), Some("Global"));
    assert_eq!(
        engineers.distinguished_name.as_deref(),
        Some("CN=Migration Engineers,OU=Users,OU=CORP,DC=corp,DC=example,DC=com")
    );
    assert_eq!(state.realm, None);
}

#[tokio::test]
async fn a_missing_name_is_an_error_naming_it_and_the_closest_names_from_every_page() {
    let engineers = group("Engineers", 1108);
    let missing = describe_group_fails(404, "ResourceNotFoundException", None);
    let first = list_page(None, &["Auditors", "Domain Admins"], Some("page-2"));
    let second = list_page(Some("page-2"), &["Engineers", "Operations"], None);
    let directory = directory_of(DirectoryType::MicrosoftAd);
    let read = read(
        clients(&[&directory], &[&engineers, &missing, &first, &second]),
        config(&["Engineers", "Operation"], Some("corp.example.com")),
    )
    .await;
    let (summary, path, detail) = only_error(&read);
    assert_eq!(summary, "Group not found");
    assert_eq!(path, "names");
    assert!(
        detail.contains(
            "no group named \"Operation\" in domain corp.example.com of directory d-1234567890"
        ),
        "{detail}"
    );
    assert!(
        detail.contains("The closest existing names: \"Operations\"."),
        "{detail}"
    );
    assert_eq!(second.num_calls(), 1, "the second page was read");
}

#[tokio::test]
async fn a_missing_name_without_a_near_one_says_what_a_name_is() {
    let missing = describe_group_fails(404, "ResourceNotFoundException", None);
    let only = list_page(None, &["Domain Admins"], None);
    let directory = directory_of(DirectoryType::MicrosoftAd);
    let read = read(
        clients(&[&directory], &[&missing, &only]),
        config(&["Payroll"], None),
    )
    .await;
    let (_, _, detail) = only_error(&read);
    assert!(detail.contains("sAMAccountName"), "{detail}");
    assert!(!detail.contains("closest"), "{detail}");
}

#[tokio::test]
async fn simple_ad_and_ad_connector_say_how_to_find_a_sid_without_calling_directory_data() {
    for (kind, label) in [
        (DirectoryType::SimpleAd, "a Simple AD"),
        (DirectoryType::AdConnector, "an AD Connector"),
    ] {
        let never = describe_group_fails(500, "InternalServerException", None);
        let directory = directory_of(kind);
        let read = read(
            clients(&[&directory], &[&never]),
            config(&["Engineers"], None),
        )
        .await;
        let (summary, path, detail) = only_error(&read);
        assert_eq!(
            summary,
            "Group names are not available for this directory type"
        );
        assert_eq!(path, "directory_id");
        assert!(detail.contains(label), "{detail}");
        assert!(detail.contains("Get-ADGroup -Identity"), "{detail}");
        assert_eq!(never.num_calls(), 0);
    }
}

#[tokio::test]
async fn directory_data_refusing_the_type_is_the_same_error() {
    let refused = describe_group_fails(400, "ValidationException", Some("INVALID_DIRECTORY_TYPE"));
    let directory = directory_of(DirectoryType::SharedMicrosoftAd);
    let read = read(
        clients(&[&directory], &[&refused]),
        config(&["Engineers"], None),
    )
    .await;
    let (summary, _, detail) = only_error(&read);
    assert_eq!(
        summary,
        "Group names are not available for this directory type"
    );
    assert!(detail.contains("(AWS: said AWS)"), "{detail}");
}

#[tokio::test]
async fn data_access_disabled_says_how_to_enable_it() {
    let disabled = describe_group_fails(403, "AccessDeniedException", Some("DATA_DISABLED"));
    let directory = directory_of(DirectoryType::MicrosoftAd);
    let read = read(
        clients(&[&directory], &[&disabled]),
        config(&["Engineers"], None),
    )
    .await;
    let (summary, path, detail) = only_error(&read);
    assert_eq!(summary, "Directory Service Data is not enabled");
    assert_eq!(path, "directory_id");
    assert!(
        detail.contains("aws ds enable-directory-data-access --directory-id d-1234567890"),
        "{detail}"
    );
}

#[tokio::test]
async fn other_access_denied_is_a_failed_call_not_a_disabled_directory() {
    let denied = describe_group_fails(403, "AccessDeniedException", Some("IAM_AUTH"));
    let directory = directory_of(DirectoryType::MicrosoftAd);
    let read = read(
        clients(&[&directory], &[&denied]),
        config(&["Engineers"], None),
    )
    .await;
    let (summary, _, detail) = only_error(&read);
    assert_eq!(summary, "Cannot read migration_directory_groups");
    assert!(detail.contains("AccessDeniedException"), "{detail}");
}

#[tokio::test]
async fn an_unknown_directory_names_the_region() {
    let absent = mock!(aws_sdk_directory::Client::describe_directories).then_http_response(|| {
        http(
            400,
            "{\"__type\":\"EntityDoesNotExistException\",\"Message\":\"no such directory\"}"
                .to_string(),
        )
    });
    let read = read(clients(&[&absent], &[]), config(&["Engineers"], None)).await;
    let (summary, path, detail) = only_error(&read);
    assert_eq!(summary, "Directory not found");
    assert_eq!(path, "directory_id");
    assert!(
        detail.contains("d-1234567890 in Region eu-west-1"),
        "{detail}"
    );
}

#[test]
fn validate_checks_ids_names_and_realm_and_accepts_unknowns() {
    let source = DataSourceLifecycle::new(DirectoryGroups, ProviderState::new());
    let mut bad = config(&["Engineers", "", "a/b", " padded"], Some(" "));
    if let Value::Object(attributes) = &mut bad {
        attributes.insert("directory_id".into(), Value::string("d-12345"));
    }
    let found = source.validate(&bad);
    let mut problems: Vec<(String, String)> = found
        .iter()
        .map(|d| {
            (
                d.attribute
                    .as_ref()
                    .map_or(String::new(), ToString::to_string),
                d.summary.clone(),
            )
        })
        .collect();
    problems.sort();
    assert_eq!(
        problems,
        [
            ("directory_id", "Invalid directory id"),
            ("names", "Invalid group name"),
            ("names", "Invalid group name"),
            ("names", "Invalid group name"),
            ("realm", "Empty realm"),
        ]
        .map(|(p, s)| (p.to_string(), s.to_string()))
    );
    let mut unknown = config(&[], None);
    if let Value::Object(attributes) = &mut unknown {
        attributes.insert("directory_id".into(), Value::unknown());
        attributes.insert("names".into(), Value::unknown());
        attributes.insert("realm".into(), Value::unknown());
    }
    assert!(source.validate(&unknown).is_empty());
    assert!(
        source
            .validate(&config(&["Domain Admins"], None))
            .is_empty()
    );
}

#[test]
fn closest_names_are_near_in_edits_or_contain_each_other() {
    let existing: Vec<Group> = [
        "Engineers",
        "Migration Engineers",
        "Auditors",
        "Domain Users",
    ]
    .iter()
    .map(|n| Group {
        name: n.to_string(),
        sid: String::new(),
        distinguished_name: None,
        group_type: None,
        group_scope: None,
    })
    .collect();
    assert_eq!(
        closest("engineer", &existing),
        ["Engineers", "Migration Engineers"]
    );
    assert_eq!(closest("Auditor", &existing), ["Auditors"]);
    assert!(closest("Payroll", &existing).is_empty());
    assert_eq!(distance("kitten", "Sitting"), 3);
}
