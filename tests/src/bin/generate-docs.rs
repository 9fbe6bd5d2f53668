//! `make docs`: writes the Registry pages generated from the provider's schemas.

fn main() -> std::process::ExitCode {
    let root = harness::docs::repository_root();
    match harness::docs::generate() {
        Ok(pages) => {
            for (path, content) in pages {
                let target = root.join(&path);
                if let Some(parent) = target.parent() {
                    let _ = std::fs::create_dir_all(parent);
                }
                if let Err(error) = std::fs::write(&target, content) {
                    eprintln!("cannot write {}: {error}", target.display());
                    return std::process::ExitCode::FAILURE;
                }
                println!("wrote {}", path.display());
            }
            std::process::ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("cannot generate the docs: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
