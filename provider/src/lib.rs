//! terraform-provider-migration: composite Terraform/OpenTofu resources for AWS migration
//! connectivity (a Transit Gateway hub shared over RAM, its attachments and mesh routes, and
//! Client VPN access per Active Directory group).
//!
//! The flow of one `terraform apply` reads straight down the modules: [`protocol`] decodes the
//! request, a resource's model types it, validation and [`netplan`] check it, the resource
//! observes AWS through [`aws`], diffs, plans operations, runs them, and [`protocol`] encodes the
//! new state. See `docs/design.md`.

#![warn(missing_docs, unreachable_pub)]

pub mod aws;
pub mod config;
mod data_sources;
mod engine;
mod framework;
mod functions;
pub mod netplan;
pub mod protocol;
pub mod provider;
mod resources;
