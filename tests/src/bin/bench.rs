//! `make bench`: runs the benchmark suites against the release provider binary and the local
//! AWS emulator. Usage: `bench [process|netplan|all]...`.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let suites: Vec<String> = std::env::args().skip(1).collect();
    let wanted = |name: &str| suites.is_empty() || suites.iter().any(|s| s == name || s == "all");
    if wanted("process") {
        match harness::bench::process::run(20).await {
            Ok(table) => match table.save() {
                Ok(path) => println!("(saved {})", path.display()),
                Err(error) => eprintln!("cannot save: {error}"),
            },
            Err(error) => {
                eprintln!("process benchmark failed: {error}");
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    if wanted("netplan") {
        let table = harness::bench::netplan::run();
        match table.save() {
            Ok(path) => println!("(saved {})", path.display()),
            Err(error) => eprintln!("cannot save: {error}"),
        }
    }
    std::process::ExitCode::SUCCESS
}
