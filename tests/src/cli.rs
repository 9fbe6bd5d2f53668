//! Real Terraform: the `terraform` command of a release installed by
//! `tests/terraform/install.py` (Terraform core from PyPI), run in a scratch working directory
//! holding configuration files from `tests/terraform/cases/`, with the provider under test
//! installed by `terraform init` from a filesystem mirror, exactly as a user's machine does it.
//!
//! Where the harness of [`crate::terraform`] re-implements core's rules, this module asks core
//! itself: what it prints, the plans it makes (`terraform show -json`), the state it saves.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value as Json;
use tokio::process::{Child, Command};

use crate::process::{Error, provider_binary};

/// Namespace and type of the provider in `required_providers`.
pub const PROVIDER_SOURCE: &str = "registry.terraform.io/migration-hub/migration";

/// The environment variable that chooses the Terraform releases a run tests: space or comma
/// separated versions, or `all`. Unset: the releases `versions.json` marks `default` (the oldest
/// and the newest supported).
pub const VERSIONS_VARIABLE: &str = "MIGRATION_TERRAFORM_VERSIONS";

fn terraform_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("terraform")
}

/// The directory of a test case's configuration files.
pub fn case_dir(case: &str) -> PathBuf {
    terraform_dir().join("cases").join(case)
}

/// A Terraform release, as `major.minor.patch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(pub u32, pub u32, pub u32);

impl Version {
    pub fn parse(text: &str) -> Option<Version> {
        let mut parts = text.trim().trim_start_matches('v').split('.');
        let mut next = || parts.next()?.parse().ok();
        Some(Version(next()?, next()?, next().unwrap_or(0)))
    }

    /// Whether this release is `major.minor` or newer.
    pub fn at_least(&self, major: u32, minor: u32) -> bool {
        (self.0, self.1) >= (major, minor)
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// One entry of `tests/terraform/versions.json`.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct Release {
    pub terraform: String,
    #[serde(default)]
    pub supported: bool,
    #[serde(default)]
    pub default: bool,
}

/// Every release `versions.json` lists, oldest first.
pub fn releases() -> Vec<Release> {
    #[derive(serde::Deserialize)]
    struct File {
        versions: Vec<Release>,
    }
    let path = terraform_dir().join("versions.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut file: File = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not valid: {e}", path.display()));
    file.versions
        .sort_by_key(|r| Version::parse(&r.terraform).unwrap_or(Version(0, 0, 0)));
    file.versions
}

/// The `terraform` command of one installed release.
#[derive(Clone, Debug)]
pub struct Cli {
    pub version: Version,
    binary: PathBuf,
}

impl Cli {
    /// The installed release `version` (see `make terraform-cli`).
    pub fn installed(version: &str) -> Result<Cli, Error> {
        let parsed =
            Version::parse(version).ok_or_else(|| format!("not a Terraform version: {version}"))?;
        let binary = terraform_dir()
            .join(".cli")
            .join(parsed.to_string())
            .join("terraform");
        if !binary.exists() {
            return Err(format!(
                "Terraform {parsed} is not installed at {}: run `make terraform-cli` \
                 (or `python3 tests/terraform/install.py {parsed}`)",
                binary.display()
            )
            .into());
        }
        Ok(Cli {
            version: parsed,
            binary,
        })
    }

    /// The releases this run tests, from [`VERSIONS_VARIABLE`] (supported releases only when
    /// it says `all`).
    pub fn under_test() -> Vec<Cli> {
        let releases = releases();
        let chosen: Vec<String> = match std::env::var(VERSIONS_VARIABLE) {
            Ok(list) if list.trim() == "all" => releases
                .iter()
                .filter(|r| r.supported)
                .map(|r| r.terraform.clone())
                .collect(),
            Ok(list) if !list.trim().is_empty() => list
                .split([' ', ','])
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            _ => releases
                .iter()
                .filter(|r| r.default)
                .map(|r| r.terraform.clone())
                .collect(),
        };
        chosen
            .iter()
            .map(|v| Cli::installed(v).unwrap_or_else(|e| panic!("{e}")))
            .collect()
    }

    pub fn binary(&self) -> &Path {
        &self.binary
    }
}

/// A filesystem mirror holding the provider under test, made once per test process: the
/// unpacked layout, whose package directory `terraform init` links instead of copying.
fn provider_mirror() -> &'static Path {
    static MIRROR: OnceLock<PathBuf> = OnceLock::new();
    MIRROR.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("migration-tf-mirror-{}", std::process::id()));
        let package = root
            .join(PROVIDER_SOURCE)
            .join(env!("CARGO_PKG_VERSION"))
            .join(platform());
        std::fs::create_dir_all(&package).expect("mirror directory");
        let link = package.join(format!(
            "terraform-provider-migration_v{}",
            env!("CARGO_PKG_VERSION")
        ));
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(provider_binary(), &link).expect("mirror link");
        root
    })
}

fn platform() -> String {
    let os = std::env::consts::OS;
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{os}_{arch}")
}

/// What one `terraform` command did.
#[derive(Clone, Debug)]
pub struct Run {
    pub args: Vec<String>,
    /// `None` when a signal ended it.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Run {
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// Everything Terraform printed, as a user sees it in a terminal.
    pub fn output(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// Panics with Terraform's output unless the command succeeded.
    #[track_caller]
    pub fn ok(self) -> Run {
        assert!(self.success(), "{}", self.report("failed"));
        self
    }

    /// Panics with Terraform's output unless the command failed.
    #[track_caller]
    pub fn failed(self) -> Run {
        assert!(
            !self.success(),
            "{}",
            self.report("succeeded, but should fail")
        );
        self
    }

    /// The command line, its exit code and everything it printed, for assertion messages.
    pub fn report(&self, what: &str) -> String {
        format!(
            "terraform {} {what} (exit {:?}, {:.1} s)\n--- stdout\n{}\n--- stderr\n{}",
            self.args.join(" "),
            self.code,
            self.elapsed.as_secs_f64(),
            self.stdout,
            self.stderr
        )
    }
}

/// Subcommands that take `-no-color`.
const COLOURED: &[&str] = &[
    "init",
    "validate",
    "plan",
    "apply",
    "destroy",
    "import",
    "show",
    "refresh",
    "output",
    "providers",
    "query",
    "console",
];

/// A file of a case's configuration: `*.tf`, and the `list` blocks of `*.tfquery.hcl`
/// (`terraform query`, Terraform ≥ 1.14; older releases ignore them).
fn is_configuration(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "tf")
        || path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().ends_with(".tfquery.hcl"))
}

/// A scratch working directory with its own configuration, state and CLI configuration, and
/// the environment Terraform runs in (the provider inherits it).
pub struct Workspace {
    pub cli: Cli,
    pub dir: PathBuf,
    env: BTreeMap<String, String>,
    keep: bool,
    colour: bool,
    /// How long one command may run before [`Workspace::run`] gives up on it.
    limit: Duration,
}

/// How long one command may run unless [`Workspace::set_time_limit`] says otherwise.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(600);

impl Workspace {
    /// An empty working directory for `cli`, named after `name`, whose Terraform talks to AWS
    /// through `env` (credentials, Region, endpoints). It is removed when dropped, unless a
    /// test failed or `HARNESS_KEEP_WORKSPACES` is set.
    pub fn new(cli: &Cli, name: &str, env: &[(String, String)]) -> Workspace {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let slug: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let dir = std::env::temp_dir().join(format!(
            "migration-tf-{}-{n}-{slug}-{}",
            std::process::id(),
            cli.version
        ));
        let mut workspace = Workspace::at(cli, &dir, env);
        workspace.keep = false;
        workspace
    }

    /// A working directory at `dir` (emptied first) that stays after the workspace is dropped.
    pub fn at(cli: &Cli, dir: &Path, env: &[(String, String)]) -> Workspace {
        let dir = dir.to_path_buf();
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join(".home")).expect("workspace directory");
        let rc = dir.join(".terraformrc");
        std::fs::write(
            &rc,
            format!(
                "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"{PROVIDER_SOURCE}\"]\n  }}\n}}\n",
                provider_mirror().display()
            ),
        )
        .expect("CLI configuration");
        let mut vars: BTreeMap<String, String> = BTreeMap::new();
        for key in ["PATH", "TMPDIR", "LANG"] {
            if let Ok(value) = std::env::var(key) {
                vars.insert(key.into(), value);
            }
        }
        vars.insert("HOME".into(), dir.join(".home").display().to_string());
        vars.insert("TF_CLI_CONFIG_FILE".into(), rc.display().to_string());
        vars.insert("CHECKPOINT_DISABLE".into(), "1".into());
        vars.insert("TF_IN_AUTOMATION".into(), "1".into());
        if let Ok(level) = std::env::var("HARNESS_TF_LOG") {
            vars.insert("TF_LOG".into(), level);
            vars.insert(
                "TF_LOG_PATH".into(),
                dir.join("terraform.log").display().to_string(),
            );
        }
        for (key, value) in env {
            vars.insert(key.clone(), value.clone());
        }
        Workspace {
            cli: cli.clone(),
            dir,
            env: vars,
            keep: true,
            colour: false,
            limit: DEFAULT_TIME_LIMIT,
        }
    }

    /// Lets Terraform print in colour (tests read plain text; `make demo` shows colours in a
    /// terminal).
    pub fn set_colour(&mut self, colour: bool) {
        self.colour = colour;
    }

    /// How long each later command may run (10 minutes unless set): a hub of 100 VPCs takes
    /// longer than that to create against the emulator.
    pub fn set_time_limit(&mut self, limit: Duration) {
        self.limit = limit;
    }

    /// Sets (or overrides) one environment variable of every later command.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.insert(key.into(), value.into());
    }

    /// Replaces the configuration (`*.tf`) with the files of `tests/terraform/cases/<case>`.
    pub fn use_case(&self, case: &str) {
        self.use_dir(&case_dir(case));
    }

    /// Replaces the configuration (`*.tf`) with the files of several cases, in order: a later
    /// case's file replaces an earlier case's file of the same name (an `import.tf` added to a
    /// configuration, a `versions.tf` with another provider block).
    pub fn use_cases(&self, cases: &[&str]) {
        self.remove_configuration();
        for case in cases {
            self.add_dir(&case_dir(case));
        }
    }

    /// Replaces the configuration (`*.tf`) with the `*.tf` files of `source`.
    pub fn use_dir(&self, source: &Path) {
        self.remove_configuration();
        self.add_dir(source);
    }

    fn remove_configuration(&self) {
        for entry in std::fs::read_dir(&self.dir).expect("workspace").flatten() {
            let path = entry.path();
            if is_configuration(&path) {
                std::fs::remove_file(path).expect("old configuration file");
            }
        }
    }

    fn add_dir(&self, source: &Path) {
        let entries = std::fs::read_dir(source)
            .unwrap_or_else(|e| panic!("test case {}: {e}", source.display()));
        for entry in entries.flatten() {
            let path = entry.path();
            if is_configuration(&path) {
                std::fs::copy(&path, self.dir.join(entry.file_name())).expect("copy case file");
            }
        }
    }

    /// Writes `name` in the working directory.
    pub fn write(&self, name: &str, contents: &str) {
        std::fs::write(self.dir.join(name), contents).expect("write workspace file");
    }

    pub fn remove(&self, name: &str) {
        let _ = std::fs::remove_file(self.dir.join(name));
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(name))
            .unwrap_or_else(|e| panic!("{}: {e}", self.dir.join(name).display()))
    }

    /// Sets the input variables (`terraform.tfvars.json`).
    pub fn set_vars(&self, vars: &Json) {
        self.write(
            "terraform.tfvars.json",
            &serde_json::to_string_pretty(vars).expect("variables"),
        );
    }

    fn command(&self, args: &[&str]) -> (Command, Vec<String>) {
        let mut full: Vec<String> = Vec::new();
        if let Some((first, rest)) = args.split_first() {
            full.push(first.to_string());
            if !self.colour && COLOURED.contains(first) && !rest.contains(&"-no-color") {
                full.push("-no-color".into());
            }
            if matches!(
                *first,
                "init" | "plan" | "apply" | "destroy" | "import" | "refresh"
            ) && !rest.iter().any(|a| a.starts_with("-input"))
            {
                full.push("-input=false".into());
            }
            full.extend(rest.iter().map(|s| s.to_string()));
        }
        let mut command = Command::new(&self.cli.binary);
        command
            .args(&full)
            .current_dir(&self.dir)
            .env_clear()
            .envs(&self.env)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        (command, full)
    }

    /// Runs `terraform <args>` to its end (10 minutes at most, or the time limit set).
    pub async fn run(&self, args: &[&str]) -> Run {
        self.run_with_input(args, None).await
    }

    /// Runs `terraform <args>` with `input` on its standard input, then end of input (as
    /// `echo 'expression' | terraform console` does).
    pub async fn run_with_stdin(&self, args: &[&str], input: &str) -> Run {
        self.run_with_input(args, Some(input)).await
    }

    async fn run_with_input(&self, args: &[&str], input: Option<&str>) -> Run {
        use tokio::io::AsyncWriteExt;
        let started = Instant::now();
        let (mut command, full) = self.command(args);
        if input.is_some() {
            command.stdin(Stdio::piped());
        }
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.cli.binary.display()));
        if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
            stdin
                .write_all(input.as_bytes())
                .await
                .expect("terraform's standard input");
            // Small input fits the pipe's buffer before Terraform reads anything. Dropping
            // the handle closes the pipe: end of input.
        }
        let (code, stdout, stderr) = Collected::start(child)
            .finish(self.limit)
            .await
            .unwrap_or_else(|| panic!("terraform {} ran for {:?}", full.join(" "), self.limit));
        Run {
            args: full,
            code,
            stdout,
            stderr,
            elapsed: started.elapsed(),
        }
    }

    /// Runs `terraform <args>` with this process's terminal (what it prints goes straight to
    /// the user, in colour when it is a terminal); its exit code.
    pub async fn run_in_terminal(&self, args: &[&str]) -> Option<i32> {
        let (mut command, _) = self.command(args);
        command.stdout(Stdio::inherit()).stderr(Stdio::inherit());
        command
            .status()
            .await
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.cli.binary.display()))
            .code()
    }

    /// Starts `terraform <args>` without waiting (for interrupting it).
    pub fn spawn(&self, args: &[&str]) -> Running {
        let (mut command, full) = self.command(args);
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.cli.binary.display()));
        Running {
            collected: Collected::start(child),
            args: full,
            started: Instant::now(),
        }
    }

    /// `terraform init`, which must succeed.
    pub async fn init(&self) -> Run {
        self.run(&["init"]).await.ok()
    }

    /// `terraform apply -auto-approve <extra>`.
    pub async fn apply(&self, extra: &[&str]) -> Run {
        let mut args = vec!["apply", "-auto-approve"];
        args.extend_from_slice(extra);
        self.run(&args).await
    }

    /// `terraform destroy -auto-approve <extra>`.
    pub async fn destroy(&self, extra: &[&str]) -> Run {
        let mut args = vec!["destroy", "-auto-approve"];
        args.extend_from_slice(extra);
        self.run(&args).await
    }

    /// `terraform plan -detailed-exitcode <extra>`: exit 0 means no changes, 2 changes.
    pub async fn plan(&self, extra: &[&str]) -> Run {
        let mut args = vec!["plan", "-detailed-exitcode"];
        args.extend_from_slice(extra);
        self.run(&args).await
    }

    /// Panics unless a plan shows no change at all.
    pub async fn assert_no_changes(&self) -> Run {
        let run = self.plan(&[]).await;
        assert_eq!(run.code, Some(0), "{}", run.report("should plan no change"));
        run
    }

    /// A saved plan as `terraform show -json` describes it, with the plan run that made it.
    pub async fn plan_json(&self, extra: &[&str]) -> (Run, Json) {
        let mut args = vec!["plan", "-out=tfplan"];
        args.extend_from_slice(extra);
        let run = self.run(&args).await.ok();
        let shown = self.run(&["show", "-json", "tfplan"]).await.ok();
        let json = serde_json::from_str(&shown.stdout)
            .unwrap_or_else(|e| panic!("show -json: {e}\n{}", shown.stdout));
        (run, json)
    }

    /// The state as `terraform show -json` describes it (`values.root_module.resources`).
    pub async fn state(&self) -> Json {
        let shown = self.run(&["show", "-json"]).await.ok();
        serde_json::from_str(&shown.stdout)
            .unwrap_or_else(|e| panic!("show -json: {e}\n{}", shown.stdout))
    }

    /// The attribute values of `address` in the state, if it is there.
    pub async fn resource(&self, address: &str) -> Option<Json> {
        let state = self.state().await;
        state["values"]["root_module"]["resources"]
            .as_array()?
            .iter()
            .find(|r| r["address"] == address)
            .map(|r| r["values"].clone())
    }

    /// SIGKILLs the provider processes Terraform runs in this workspace, as the OOM killer or
    /// a lost CI runner would: no answer, no Shutdown. Returns how many there were.
    pub fn kill_providers(&self) -> usize {
        kill_leftover_providers(&self.dir)
    }

    /// The raw state file (`terraform.tfstate`).
    pub fn state_file(&self) -> Json {
        serde_json::from_str(&self.read("terraform.tfstate")).expect("terraform.tfstate")
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        kill_leftover_providers(&self.dir);
        if self.keep {
            return;
        }
        if std::thread::panicking() || std::env::var_os("HARNESS_KEEP_WORKSPACES").is_some() {
            eprintln!("workspace kept for inspection: {}", self.dir.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// A `terraform` command still running.
pub struct Running {
    collected: Collected,
    args: Vec<String>,
    started: Instant,
}

impl Running {
    pub fn pid(&self) -> u32 {
        self.collected.child.id().expect("running terraform")
    }

    /// Sends SIGINT, as a Ctrl-C in the terminal does.
    pub fn interrupt(&self) {
        signal(self.pid(), "INT");
    }

    /// Waits for the command's end (`limit` at most) and collects its output.
    pub async fn finish(self, limit: Duration) -> Run {
        let args = self.args.clone();
        let started = self.started;
        let (code, stdout, stderr) =
            self.collected.finish(limit).await.unwrap_or_else(|| {
                panic!("terraform {} did not end within {limit:?}", args.join(" "))
            });
        Run {
            args,
            code,
            stdout,
            stderr,
            elapsed: started.elapsed(),
        }
    }
}

/// A child process whose standard output and error are read as it runs.
///
/// Its end is the process's exit, not the end of its pipes: when Terraform crashes (a Go
/// panic), the provider processes it started live on, holding Terraform's pipes open, and
/// waiting for their end would wait forever. After the exit the pipes get a moment to drain.
struct Collected {
    child: Child,
    stdout: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    stderr: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    readers: Vec<tokio::task::JoinHandle<()>>,
}

/// How long the pipes of a process that has exited may take to reach their end.
const DRAIN: Duration = Duration::from_secs(2);

impl Collected {
    fn start(mut child: Child) -> Collected {
        use std::sync::{Arc, Mutex};
        use tokio::io::{AsyncRead, AsyncReadExt};
        fn reader(
            mut pipe: impl AsyncRead + Unpin + Send + 'static,
            buffer: Arc<Mutex<Vec<u8>>>,
        ) -> tokio::task::JoinHandle<()> {
            tokio::spawn(async move {
                let mut chunk = vec![0u8; 64 * 1024];
                while let Ok(n) = pipe.read(&mut chunk).await {
                    if n == 0 {
                        break;
                    }
                    buffer
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .extend_from_slice(&chunk[..n]);
                }
            })
        }
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let readers = vec![
            reader(child.stdout.take().expect("piped stdout"), stdout.clone()),
            reader(child.stderr.take().expect("piped stderr"), stderr.clone()),
        ];
        Collected {
            child,
            stdout,
            stderr,
            readers,
        }
    }

    /// The exit code (`None` when a signal ended it) and the output, or `None` if the process
    /// ran longer than `limit` (it is killed when dropped).
    async fn finish(mut self, limit: Duration) -> Option<(Option<i32>, String, String)> {
        let status = tokio::time::timeout(limit, self.child.wait())
            .await
            .ok()?
            .expect("terraform's exit status");
        let readers = std::mem::take(&mut self.readers);
        let _ = tokio::time::timeout(DRAIN, async {
            for reader in readers {
                let _ = reader.await;
            }
        })
        .await;
        let text = |buffer: &std::sync::Mutex<Vec<u8>>| {
            String::from_utf8_lossy(&buffer.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
        };
        Some((status.code(), text(&self.stdout), text(&self.stderr)))
    }
}

impl Drop for Collected {
    fn drop(&mut self) {
        for reader in &self.readers {
            reader.abort();
        }
    }
}

/// Kills the provider processes still running in `dir`: those a crashed Terraform left behind
/// (a provider ends on Terraform's Shutdown call, which a crash never makes), or, in a crash
/// test, the one an apply is using. Only processes whose working directory is `dir` or below
/// and whose command is the provider are touched. Returns how many were killed.
fn kill_leftover_providers(dir: &Path) -> usize {
    let mut killed = 0;
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return killed;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let in_dir =
            std::fs::read_link(entry.path().join("cwd")).is_ok_and(|cwd| cwd.starts_with(dir));
        let provider = std::fs::read_to_string(entry.path().join("comm"))
            .is_ok_and(|comm| comm.starts_with("terraform-provi"));
        if in_dir && provider {
            let status = std::process::Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            if status.is_ok_and(|s| s.success()) {
                killed += 1;
            }
        }
    }
    killed
}

/// Sends `signal` (`INT`, `KILL`, …) to process `pid`.
pub fn signal(pid: u32, signal: &str) {
    let status = std::process::Command::new("kill")
        .args([format!("-{signal}"), pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success(), "kill -{signal} {pid} failed");
}

/// Lines of the plan body Terraform printed: from the first resource heading to the
/// `Plan:` summary, the part a reviewer reads.
pub fn plan_body(output: &str) -> Vec<&str> {
    let lines: Vec<&str> = output.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim_start().starts_with("# "))
        .unwrap_or(lines.len());
    let end = lines
        .iter()
        .position(|l| l.starts_with("Plan: "))
        .map_or(lines.len(), |i| i + 1);
    lines[start.min(end)..end].to_vec()
}

/// Whether a diagnostic is an error or a warning.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One diagnostic as Terraform printed it (`-no-color`):
///
/// ```text
/// Error: Invalid SID
///
///   with migration_client_vpn_group_access.access,
///   on main.tf line 20, in resource "migration_client_vpn_group_access" "access":
///   20:       sid      = var.engineers_sid
///
/// "S-1-5-21-bad" is not a security identifier. …
/// ```
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    /// The resource address of the `with …,` line.
    pub address: Option<String>,
    /// File and line of the `on <file> line <n>` reference.
    pub file: Option<String>,
    pub line: Option<usize>,
    /// Everything after the heading, source snippet and detail, as printed.
    pub body: String,
}

impl Diagnostic {
    /// The `on <file> line <n>` reference, as `<file>:<n>`.
    pub fn location(&self) -> Option<String> {
        Some(format!("{}:{}", self.file.as_ref()?, self.line?))
    }
}

/// Every diagnostic in Terraform's output (errors go to stderr, warnings of a successful plan to
/// stdout; pass [`Run::output`] for both), in the order printed. Colour or not, the framing
/// (`╷`, `│`, `╵`) is stripped.
pub fn diagnostics(output: &str) -> Vec<Diagnostic> {
    let mut found: Vec<Diagnostic> = Vec::new();
    for raw in output.lines() {
        let line = raw
            .trim_start_matches(['╷', '╵'])
            .strip_prefix("│ ")
            .or_else(|| raw.strip_prefix('│'))
            .unwrap_or(raw);
        let heading = line
            .strip_prefix("Error: ")
            .map(|s| (Severity::Error, s))
            .or_else(|| {
                line.strip_prefix("Warning: ")
                    .map(|s| (Severity::Warning, s))
            });
        if let Some((severity, summary)) = heading {
            found.push(Diagnostic {
                severity,
                summary: summary.trim().to_string(),
                address: None,
                file: None,
                line: None,
                body: String::new(),
            });
            continue;
        }
        let Some(current) = found.last_mut() else {
            continue;
        };
        let trimmed = line.trim();
        if current.address.is_none()
            && let Some(address) = trimmed
                .strip_prefix("with ")
                .and_then(|a| a.strip_suffix(','))
        {
            current.address = Some(address.to_string());
        } else if current.file.is_none()
            && let Some(rest) = trimmed.strip_prefix("on ")
            && let Some((file, after)) = rest.split_once(" line ")
        {
            let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
            current.file = Some(file.to_string());
            current.line = digits.parse().ok();
        }
        current.body.push_str(line);
        current.body.push('\n');
    }
    found
}

/// The 1-based number of the one line of `tests/terraform/cases/<case>/<file>` that contains
/// `needle` (panics unless exactly one does), to compare with a diagnostic's line.
pub fn case_line(case: &str, file: &str, needle: &str) -> usize {
    let path = case_dir(case).join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "{needle:?} should be on exactly one line of {}: {lines:?}",
        path.display()
    );
    lines[0]
}

/// The `resource_changes` entry of `address` in a plan shown by `terraform show -json`.
pub fn resource_change<'a>(plan: &'a Json, address: &str) -> Option<&'a Json> {
    plan["resource_changes"]
        .as_array()?
        .iter()
        .find(|c| c["address"] == address)
}

/// The actions (`["update"]`, `["delete", "create"]`, `["no-op"]`, …) a shown plan has for
/// `address`; empty when the plan does not mention it.
pub fn actions(plan: &Json, address: &str) -> Vec<String> {
    resource_change(plan, address)
        .and_then(|c| c["change"]["actions"].as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
