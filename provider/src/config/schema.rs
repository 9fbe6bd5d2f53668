//! The `provider "migration" {}` block. Argument names follow hashicorp/aws so users can copy
//! their existing provider blocks; every value can also come from the standard AWS environment
//! variables and shared config files.

use crate::aws::governor::{Lane, ec2_rate};
use crate::protocol::cty::Type;
use crate::protocol::schema::{Attribute, Block, NestedBlock, Nesting, Schema};

/// `max_retries` when unset, as in hashicorp/aws.
pub const DEFAULT_MAX_RETRIES: u32 = 25;

/// The service names accepted in the `endpoints` block.
pub const ENDPOINT_SERVICES: [&str; 7] = [
    "ec2",
    "ram",
    "directory",
    "directoryservicedata",
    "directconnect",
    "mgn",
    "sts",
];

fn string_list() -> Type {
    Type::List(Box::new(Type::String))
}

fn string_set() -> Type {
    Type::Set(Box::new(Type::String))
}

fn single_block(name: &str, description: &str, attributes: Vec<Attribute>) -> NestedBlock {
    NestedBlock {
        type_name: name.to_string(),
        nesting: Nesting::Single,
        block: Block {
            attributes,
            blocks: Vec::new(),
            description: description.to_string(),
            deprecated: false,
        },
        min_items: 0,
        max_items: 0,
    }
}

/// The lanes of `ec2_api_rate_limits`: argument prefix, what it covers, AWS's default rate.
pub const RATE_LIMIT_LANES: [(&str, &str, Lane); 4] = [
    (
        "describe",
        "`Describe*`, `Get*` and `Search*` calls",
        Lane::Describe,
    ),
    (
        "mutating",
        "mutating calls (`Create*`, `Delete*`, `Modify*`, `Enable*`, …)",
        Lane::Mutate,
    ),
    (
        "client_vpn",
        "`AuthorizeClientVpnIngress`, `RevokeClientVpnIngress`, `CreateClientVpnRoute` and `DeleteClientVpnRoute`",
        Lane::ClientVpnMutation,
    ),
    ("tags", "`CreateTags` and `DeleteTags`", Lane::Tags),
];

fn rate_limit_attributes() -> Vec<Attribute> {
    RATE_LIMIT_LANES
        .iter()
        .flat_map(|(prefix, covers, lane)| {
            let rate = ec2_rate(*lane);
            [
                Attribute::optional(&format!("{prefix}_burst"), Type::Number).describe(&format!(
                    "Bucket size for {covers}: how many calls may be made at once after a quiet \
                     period. A whole number from 1 to 100000. Default: `{}` (AWS's default).",
                    rate.burst
                )),
                Attribute::optional(&format!("{prefix}_per_second"), Type::Number).describe(
                    &format!(
                        "Refill rate for {covers}, in calls per second (fractions allowed, more \
                         than 0, at most 100000). Default: `{}` (AWS's default).",
                        rate.per_second
                    ),
                ),
            ]
        })
        .collect()
}

/// The `provider "migration"` block, as GetProviderSchema sends it.
pub fn provider_schema() -> Schema {
    let endpoints = ENDPOINT_SERVICES
        .iter()
        .map(|service| {
            Attribute::optional(service, Type::String).describe(&format!(
                "Custom endpoint URL for the {service} API (for example a local emulator such \
                 as moto or LocalStack). Also read from `AWS_ENDPOINT_URL_<SERVICE>` and \
                 `AWS_ENDPOINT_URL`."
            ))
        })
        .collect();
    Schema {
        version: 0,
        block: Block {
            description: "Configures the AWS account and Region the migration hub resources \
                          are managed in. Arguments follow the `hashicorp/aws` provider, and \
                          every one of them can also come from the standard AWS environment \
                          variables and shared configuration files."
                .to_string(),
            deprecated: false,
            attributes: vec![
                Attribute::optional("region", Type::String)
                    .describe("AWS Region, e.g. `eu-west-1`. Also read from `AWS_REGION`, `AWS_DEFAULT_REGION` and the shared config file."),
                Attribute::optional("profile", Type::String)
                    .describe("Named profile of the shared configuration files. Also read from `AWS_PROFILE`."),
                Attribute::optional("shared_config_files", string_list())
                    .describe("Paths of shared config files. Default: `~/.aws/config`."),
                Attribute::optional("shared_credentials_files", string_list())
                    .describe("Paths of shared credentials files. Default: `~/.aws/credentials`."),
                Attribute::optional("access_key", Type::String)
                    .sensitive()
                    .describe("Access key ID. Prefer environment variables, profiles or role assumption over static keys."),
                Attribute::optional("secret_key", Type::String)
                    .sensitive()
                    .describe("Secret access key; required together with `access_key`."),
                Attribute::optional("token", Type::String)
                    .sensitive()
                    .describe("Session token for temporary credentials."),
                Attribute::optional("max_retries", Type::Number).describe(&format!(
                    "How many times a retryable AWS error (throttling, 5xx, eventual consistency, a connection that failed) is retried with backoff and jitter before the operation fails. A host name that does not exist (a typo in `endpoints` or `region`) is not retried. Default: `{DEFAULT_MAX_RETRIES}`."
                )),
                Attribute::optional("retry_mode", Type::String)
                    .describe("`standard` (default) or `adaptive` (client-side rate limiting when the account is throttled). Also read from `AWS_RETRY_MODE`."),
                Attribute::optional("allowed_account_ids", string_set())
                    .describe("Refuse to run unless the credentials belong to one of these account IDs. Conflicts with `forbidden_account_ids`."),
                Attribute::optional("forbidden_account_ids", string_set())
                    .describe("Refuse to run when the credentials belong to one of these account IDs."),
                Attribute::optional("skip_credentials_validation", Type::Bool)
                    .describe("Do not call STS `GetCallerIdentity` when the provider is configured (useful for plans in CI without credentials: offline checks still run). Default: `false`."),
            ],
            blocks: vec![
                single_block(
                    "assume_role",
                    "Assume an IAM role with STS `AssumeRole` before calling any other API.",
                    vec![
                        Attribute::required("role_arn", Type::String).describe("ARN of the role to assume."),
                        Attribute::optional("session_name", Type::String).describe("Session name recorded in CloudTrail. Default: `terraform-provider-migration`."),
                        Attribute::optional("external_id", Type::String).describe("External ID the role's trust policy requires."),
                        Attribute::optional("duration", Type::String).describe("Session duration as a Go duration string, e.g. `1h`, `15m` (15 minutes to 12 hours)."),
                    ],
                ),
                single_block(
                    "assume_role_with_web_identity",
                    "Assume an IAM role with an OIDC token (STS `AssumeRoleWithWebIdentity`), as Terraform Cloud dynamic credentials do.",
                    vec![
                        Attribute::required("role_arn", Type::String).describe("ARN of the role to assume."),
                        Attribute::optional("session_name", Type::String).describe("Session name. Default: `terraform-provider-migration`."),
                        Attribute::optional("web_identity_token_file", Type::String).describe("File holding the OIDC token; read again whenever credentials are refreshed."),
                        Attribute::optional("web_identity_token", Type::String).sensitive().describe("The OIDC token itself. Exactly one of `web_identity_token` and `web_identity_token_file` is required."),
                    ],
                ),
                single_block("endpoints", "Custom service endpoints.", endpoints),
                single_block(
                    "ec2_api_rate_limits",
                    "The EC2 API rate limits the provider paces its calls at, per account and \
                     Region, as token buckets (burst, then a refill rate per second). The \
                     defaults are AWS's, so a large apply waits for its turn instead of collecting \
                     `RequestLimitExceeded` errors. Set them only when they differ for your \
                     account: higher when AWS Support has raised the account's EC2 API limits, \
                     lower to leave part of the budget to other tools working in the same \
                     account and Region at the same time. Client VPN's limit of 10 concurrent \
                     mutations per endpoint is fixed by AWS and not set here.",
                    rate_limit_attributes(),
                ),
                single_block(
                    "default_tags",
                    "Tags added to every AWS object the provider creates; a resource's own `tags` win on conflicts.",
                    vec![Attribute::optional("tags", Type::Map(Box::new(Type::String))).describe("Tag keys and values.")],
                ),
            ],
        },
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn provider_schema_passes_terraform_sanity_rules() {
        let schema = super::provider_schema();
        assert_eq!(schema.sanity_errors(), Vec::<String>::new());
        for name in ["access_key", "secret_key", "token"] {
            assert!(schema.block.attribute(name).unwrap().sensitive, "{name}");
        }
        let web = schema.block.block("assume_role_with_web_identity").unwrap();
        assert!(web.block.attribute("web_identity_token").unwrap().sensitive);
    }
}
