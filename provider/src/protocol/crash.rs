//! What a provider crash looks like to Terraform: only stderr lines starting `panic: ` are shown
//! to the user as a crash report, so the panic hook writes that prefix (as a Go provider's
//! runtime would) and the process exits with Go's panic status.

/// Exit status of a crashed provider, the one Go uses for an unrecovered panic.
pub const EXIT_STATUS: i32 = 2;

/// The crash report for a panic payload and location.
pub fn report(
    payload: &(dyn std::any::Any + Send),
    location: Option<&std::panic::Location<'_>>,
    backtrace: &str,
) -> String {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    let location = location
        .map(|l| format!("{}:{}", l.file(), l.line()))
        .unwrap_or_else(|| "unknown location".to_string());
    format!("panic: {message}\n\nat {location}\n\n{backtrace}")
}

/// Installs the hook: report on stderr, then exit rather than limp on with lost state.
pub fn install_hook() {
    std::panic::set_hook(Box::new(|info| {
        let backtrace = std::backtrace::Backtrace::force_capture().to_string();
        eprintln!("{}", report(info.payload(), info.location(), &backtrace));
        std::process::exit(EXIT_STATUS);
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_line_is_what_terraform_recognises() {
        let text = report(&"index out of bounds", None, "backtrace here");
        assert!(text.starts_with("panic: index out of bounds\n"), "{text}");
        let owned: Box<dyn std::any::Any + Send> = Box::new(String::from("state lost"));
        let text = report(owned.as_ref(), Some(std::panic::Location::caller()), "");
        assert!(text.starts_with("panic: state lost\n"), "{text}");
        assert!(text.contains("crash.rs:"), "{text}");
        let odd: Box<dyn std::any::Any + Send> = Box::new(42u8);
        assert!(report(odd.as_ref(), None, "").starts_with("panic: unknown panic"));
    }
}
