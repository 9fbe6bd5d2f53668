//! End-to-end tests: the real provider binary driven by the harness (playing Terraform core),
//! against the local AWS emulator where AWS is involved. One test binary, so the AWS SDK is
//! linked once.

mod emulator;
mod protocol;
mod repository;
