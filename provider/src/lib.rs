//! terraform-provider-migration: composite Terraform/OpenTofu resources for AWS migration
//! connectivity (a Transit Gateway hub shared over RAM, its attachments and mesh routes, and
//! Client VPN access per Active Directory group).
//!
//! The flow of one `terraform apply` reads straight down the modules: [`protocol`] decodes the
//! request, a resource's model types it, validation and [`netplan`] check it, the resource
//! observes AWS through [`aws`], diffs, plans operations, runs them, and [`protocol`] encodes the
//! new state. See `docs/design.md`.

pub mod aws;
pub mod config;
pub mod data_sources;
pub mod engine;
pub mod framework;
pub mod functions;
pub mod netplan;
pub mod protocol;
pub mod provider;
pub mod resources;
