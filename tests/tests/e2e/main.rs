//! End-to-end tests: the real provider binary driven by the harness (playing Terraform core),
//! against the local AWS emulator where AWS is involved. One test binary, so the AWS SDK is
//! linked once.

mod client_vpn;
mod client_vpn_failure;
mod client_vpn_fixture;
mod client_vpn_scale;
mod client_vpn_validation;
mod emulator;
mod protocol;
mod repository;
