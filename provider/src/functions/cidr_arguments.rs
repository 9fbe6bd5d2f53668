//! Reading CIDR blocks and addresses from function arguments, with errors that name the
//! argument, the element and the value, and say what to write instead.
//!
//! Terraform frames a [`FunctionError`] on an argument as `Invalid value for "<parameter>"
//! parameter: <text>.`, so the texts here carry no full stop of their own.

use ipnet::IpNet;

use crate::framework::function::Arguments;
use crate::netplan::cidr::{CidrError, parse_address_or_cidr, parse_canonical};
use crate::protocol::function::FunctionError;

/// What an argument (or each element of it) must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wanted {
    /// A canonical CIDR block, as AWS writes it.
    Cidr,
    /// A canonical CIDR block, or a single address standing for its /32 or /128.
    AddressOrCidr,
}

impl Wanted {
    fn parse(self, text: &str) -> Result<IpNet, CidrError> {
        match self {
            Wanted::Cidr => parse_canonical(text),
            Wanted::AddressOrCidr => parse_address_or_cidr(text),
        }
    }

    fn example(self) -> &'static str {
        match self {
            Wanted::Cidr => "a CIDR block such as \"10.0.0.0/16\"",
            Wanted::AddressOrCidr => {
                "an IP address or CIDR block such as \"10.0.0.5\" or \"10.0.0.0/16\""
            }
        }
    }
}

/// One bad value at `place` (`cidrs[1]`, `rules["ops"][0]`, `container`).
pub(crate) fn describe(place: &str, error: &CidrError, wanted: Wanted) -> String {
    match (error, wanted) {
        (CidrError::NotACidr { input }, Wanted::Cidr) => format!(
            "{place} = {input:?} is not a CIDR block: expected an IPv4 or IPv6 network such as \
             \"10.0.0.0/16\" or \"fd00::/8\""
        ),
        (CidrError::NotACidr { input }, Wanted::AddressOrCidr) => format!(
            "{place} = {input:?} is not an IP address or CIDR block: expected an address such \
             as \"10.0.0.5\" or \"fd00::5\", or a network such as \"10.0.0.0/16\""
        ),
        (CidrError::HostBitsSet { input, canonical }, _) => format!(
            "{place} = {input:?} is not a canonical CIDR because its host bits are set: the \
             network is \"{canonical}\""
        ),
        (CidrError::NotCanonical { input, canonical }, _) => {
            format!("{place} = {input:?} is not a canonical CIDR: AWS writes it \"{canonical}\"")
        }
        (CidrError::AddressNotCanonical { input, canonical }, _) => format!(
            "{place} = {input:?} is not a canonical IP address: AWS writes it \"{canonical}\""
        ),
    }
}

/// The problems found in one argument; an error naming the first and counting the others.
#[derive(Default)]
pub(crate) struct Problems(Vec<String>);

impl Problems {
    pub(crate) fn push(&mut self, problem: String) {
        self.0.push(problem);
    }

    /// Reads `text` at `place`, noting a problem (and answering `None`) when it does not fit.
    pub(crate) fn parse(
        &mut self,
        place: &str,
        text: Option<&str>,
        wanted: Wanted,
    ) -> Option<IpNet> {
        let Some(text) = text else {
            self.push(format!(
                "{place} is null: every element must be {}",
                wanted.example()
            ));
            return None;
        };
        wanted
            .parse(text)
            .map_err(|error| self.push(describe(place, &error, wanted)))
            .ok()
    }

    /// `Ok` when nothing was found, else the error on argument `index`.
    pub(crate) fn finish(
        self,
        arguments: &Arguments<'_>,
        index: usize,
    ) -> Result<(), FunctionError> {
        let Some(first) = self.0.first() else {
            return Ok(());
        };
        let text = match self.0.len() {
            1 => first.clone(),
            n => format!(
                "{first} (and {} more invalid element{})",
                n - 1,
                if n == 2 { "" } else { "s" }
            ),
        };
        Err(arguments.error(index, text))
    }
}

/// Argument `index`, a string, as a network.
pub(crate) fn single(
    arguments: &Arguments<'_>,
    index: usize,
    wanted: Wanted,
) -> Result<IpNet, FunctionError> {
    let text: String = arguments.get(index)?;
    wanted
        .parse(&text)
        .map_err(|error| arguments.error(index, describe(arguments.name(index), &error, wanted)))
}

/// Argument `index`, a list of strings, as networks in the list's order; every bad element is
/// counted, the first named.
pub(crate) fn list(
    arguments: &Arguments<'_>,
    index: usize,
    wanted: Wanted,
) -> Result<Vec<IpNet>, FunctionError> {
    let texts: Vec<Option<String>> = arguments.get(index)?;
    let name = arguments.name(index);
    let mut problems = Problems::default();
    let networks: Vec<IpNet> = texts
        .iter()
        .enumerate()
        .filter_map(|(i, text)| problems.parse(&format!("{name}[{i}]"), text.as_deref(), wanted))
        .collect();
    problems.finish(arguments, index)?;
    Ok(networks)
}
