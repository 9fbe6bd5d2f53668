//! `provider::migration::client_vpn_effective_group(rules, destination)`: which groups' users
//! Client VPN lets through to a destination, by its longest-prefix rule across all groups.

use std::collections::BTreeMap;

use super::cidr_arguments::{Problems, Wanted, single};
use crate::framework::function::{Arguments, Function};
use crate::netplan::Labelled;
use crate::netplan::shadowing::authorized_groups;
use crate::protocol::cty::Type;
use crate::protocol::function::{Definition, FunctionError, Parameter};

pub(crate) struct ClientVpnEffectiveGroup;

const DESCRIPTION: &str = "\
Returns the groups whose users AWS Client VPN lets through to `destination`, given every \
group's authorization rules: the groups holding the rule that decides.

Client VPN evaluates authorization rules by longest prefix across all groups: for a destination \
address the most specific rule whose network contains it decides, whatever its group, and \
`0.0.0.0/0` is evaluated last (AWS troubleshooting page \"Authorization rules for Active \
Directory groups not working as expected\"). With group `ops` on `10.0.0.0/16` and group `dev` \
on `10.0.1.0/24`, users of `ops` cannot reach `10.0.1.0/24` although their rule covers it: the \
answer is `[\"dev\"]` for `10.0.1.5` and `[\"ops\"]` for `10.0.2.5`. \
`migration_client_vpn_group_access` warns about such rules when it plans; this function lets a \
`check` block or a `precondition` state who must reach what, before anything is deployed.

The answer is a list of group keys, in key order:

- one key when one group's rule decides;
- several keys when groups hold rules on the very same network: AWS authorizes all of them;
- an empty list when no rule covers the destination: no one is authorized.

`contains(..., \"ops\")` asks whether users of `ops` get through; `one(...)` turns the list into \
the group or `null` where no two groups share a network (and fails where they do).

`destination` may be an address or a CIDR block. For a block the answer is the groups \
authorized on every address in it: where rules inside the block give parts of it to other \
groups, only groups authorized everywhere in it remain, possibly none.

`rules` maps each group's key to the CIDR blocks of its rules, the shape of the `networks` of \
`migration_client_vpn_group_access`'s `groups`: pass `{ for key, group in var.groups : key => \
group.networks }`. A rule that authorizes all users acts as a rule every group holds: add its \
network to every group's list. IPv4 and IPv6 are evaluated apart; a destination is never \
covered by a rule of the other family. Every CIDR block must be written the way AWS reports it \
(`10.0.0.1/16` is refused, and the error names `10.0.0.0/16`), and so must the destination.";

impl Function for ClientVpnEffectiveGroup {
    const NAME: &'static str = "client_vpn_effective_group";
    type Output = Vec<String>;

    fn definition(&self) -> Definition {
        Definition::new(Type::list(Type::String))
            .parameter(
                Parameter::new("rules", Type::map(Type::list(Type::String))).describe(
                    "Each group's key and the CIDR blocks of its authorization rules, as the \
                     `networks` of `migration_client_vpn_group_access`'s `groups`. A list may be \
                     empty; a network may appear under several groups.",
                ),
            )
            .parameter(
                Parameter::new("destination", Type::String).describe(
                    "The address (`10.0.1.5`) or network (`10.0.1.0/24`) users would reach.",
                ),
            )
            .summary("The groups whose Client VPN authorization rule decides for a destination")
            .describe(DESCRIPTION)
    }

    fn call(&self, arguments: &Arguments<'_>) -> Result<Vec<String>, FunctionError> {
        let groups: BTreeMap<String, Option<Vec<Option<String>>>> = arguments.get(0)?;
        let mut problems = Problems::default();
        let mut rules = Vec::new();
        for (key, networks) in &groups {
            let Some(networks) = networks else {
                problems.push(format!(
                    "rules[{key:?}] is null: every group needs a list of CIDR blocks, [] for none"
                ));
                continue;
            };
            for (i, text) in networks.iter().enumerate() {
                let place = format!("rules[{key:?}][{i}]");
                if let Some(prefix) = problems.parse(&place, text.as_deref(), Wanted::Cidr) {
                    rules.push(Labelled {
                        label: key.as_str(),
                        prefix,
                    });
                }
            }
        }
        problems.finish(arguments, 0)?;
        let destination = single(arguments, 1, Wanted::AddressOrCidr)?;
        Ok(authorized_groups(&rules, &destination)
            .into_iter()
            .map(str::to_string)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::function::FunctionAdapter;
    use crate::framework::typed::FromValue;
    use crate::protocol::cty::Value;
    use crate::protocol::resource::ProviderFunction;

    fn rules(groups: &[(&str, &[&str])]) -> Value {
        Value::Map(
            groups
                .iter()
                .map(|(key, networks)| {
                    let list = networks.iter().map(|n| Value::string(*n)).collect();
                    (key.to_string(), Value::List(list))
                })
                .collect(),
        )
    }

    fn call(groups: &[(&str, &[&str])], destination: &str) -> Result<Vec<String>, FunctionError> {
        let result = FunctionAdapter::new(ClientVpnEffectiveGroup)
            .call(vec![rules(groups), Value::string(destination)])?;
        Ok(Vec::<String>::from_value(&result).unwrap())
    }

    const AWS_EXAMPLE: &[(&str, &[&str])] = &[
        ("ops", &["10.0.0.0/16", "172.16.0.0/16"]),
        ("dev", &["10.0.1.0/24"]),
        ("db", &["10.0.1.0/24", "fd00::/8"]),
        ("everyone", &["0.0.0.0/0"]),
    ];

    #[test]
    fn the_longest_prefix_decides_across_groups() {
        assert_eq!(call(AWS_EXAMPLE, "10.0.2.5").unwrap(), ["ops"]);
        assert_eq!(call(AWS_EXAMPLE, "10.0.1.5").unwrap(), ["db", "dev"]);
        assert_eq!(call(AWS_EXAMPLE, "10.0.1.0/24").unwrap(), ["db", "dev"]);
        assert_eq!(call(AWS_EXAMPLE, "172.16.9.0/24").unwrap(), ["ops"]);
        assert_eq!(call(AWS_EXAMPLE, "8.8.8.8").unwrap(), ["everyone"]);
        assert_eq!(call(AWS_EXAMPLE, "fd00::1").unwrap(), ["db"]);
        // Nothing covers it, or groups split it: no one reaches all of it.
        assert_eq!(call(AWS_EXAMPLE, "fe80::1").unwrap(), Vec::<String>::new());
        assert_eq!(
            call(AWS_EXAMPLE, "10.0.0.0/16").unwrap(),
            Vec::<String>::new()
        );
        assert_eq!(call(&[], "10.0.0.1").unwrap(), Vec::<String>::new());
        assert_eq!(
            call(&[("ops", &[])], "10.0.0.1").unwrap(),
            Vec::<String>::new()
        );
    }

    #[test]
    fn errors_name_the_group_the_element_and_the_value() {
        assert_eq!(
            call(
                &[
                    ("dev", &["10.0.1.0/24"]),
                    ("ops", &["10.0.0.0/16", "10.0.1.1/24"])
                ],
                "10.0.1.5"
            ),
            Err(FunctionError::at(
                0,
                "rules[\"ops\"][1] = \"10.0.1.1/24\" is not a canonical CIDR because its host \
                 bits are set: the network is \"10.0.1.0/24\""
            ))
        );
        // A rule is a network: a bare address is refused there.
        assert_eq!(
            call(&[("ops", &["10.0.0.1"])], "10.0.0.1")
                .unwrap_err()
                .text,
            "rules[\"ops\"][0] = \"10.0.0.1\" is not a CIDR block: expected an IPv4 or IPv6 \
             network such as \"10.0.0.0/16\" or \"fd00::/8\""
        );
        assert_eq!(
            call(&[("ops", &["10.0.0.0/16"])], "10.0.0.1/16"),
            Err(FunctionError::at(
                1,
                "destination = \"10.0.0.1/16\" is not a canonical CIDR because its host bits \
                 are set: the network is \"10.0.0.0/16\""
            ))
        );
        let null_group = Value::Map([("ops".to_string(), Value::Null)].into());
        let error = FunctionAdapter::new(ClientVpnEffectiveGroup)
            .call(vec![null_group, Value::string("10.0.0.1")])
            .unwrap_err();
        assert_eq!(
            error,
            FunctionError::at(
                0,
                "rules[\"ops\"] is null: every group needs a list of CIDR blocks, [] for none"
            )
        );
    }
}
