//! The provider binary: started by Terraform/OpenTofu (go-plugin), or by hand with `--debug`.

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::Arc;

use terraform_provider_migration::protocol::{crash, handshake, logging, serve};
use terraform_provider_migration::provider::MigrationProvider;

fn main() -> ExitCode {
    crash::install_hook();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--version" || a == "-version") {
        println!("terraform-provider-migration {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    let debug = args.iter().any(|a| a == "--debug" || a == "-debug");
    let env: HashMap<String, String> = std::env::vars().collect();
    let mode = if debug {
        serve::Mode::Debug
    } else {
        match handshake::negotiate(&env) {
            Ok(launch) => serve::Mode::Managed(launch),
            Err(refusal) => {
                eprintln!("{refusal}");
                return ExitCode::from(1);
            }
        }
    };
    let level = logging::level_from_env(
        env.get("TF_LOG_PROVIDER").map(String::as_str),
        env.get("TF_LOG").map(String::as_str),
    );
    logging::install_with(
        level,
        logging::aws_sdk_level(
            level,
            env.get(logging::AWS_SDK_LEVEL_VARIABLE).map(String::as_str),
        ),
    );
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("cannot start the async runtime: {error}");
            return ExitCode::from(1);
        }
    };
    let provider = Arc::new(MigrationProvider::new());
    let result = runtime.block_on(serve::run(provider, mode));
    // In-flight tasks are abandoned: Terraform has already received every answer it waits for.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(1)
        }
    }
}
