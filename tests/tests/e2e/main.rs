//! End-to-end tests: the real provider binary driven by the harness (playing Terraform core),
//! against the local AWS emulator where AWS is involved. One test binary, so the AWS SDK is
//! linked once.

mod aws_finders;
mod client_vpn;
mod client_vpn_failure;
mod client_vpn_fixture;
mod client_vpn_ownership;
mod client_vpn_scale;
mod client_vpn_transit_gateway;
mod client_vpn_validation;
mod directory_groups;
mod emulator;
mod functions;
mod hub_network;
mod hub_network_calls;
mod hub_network_client_vpn;
mod hub_network_data;
mod hub_network_drift;
mod hub_network_failures;
mod hub_network_handover;
mod hub_network_spokes;
mod hub_network_support;
mod hub_network_updates;
mod hub_network_validation;
mod hub_spoke;
mod identity;
mod list;
mod protocol;
mod reachability;
mod replication_staging_area;
mod repository;
