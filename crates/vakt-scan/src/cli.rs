//! `vakt scan`: the command-line front end of the scanner (owned by the scanner work).

/// Arguments of `vakt scan` (clap derive; filled in by the scanner work).
#[derive(Debug, Clone, clap::Args)]
pub struct ScanArgs {
    /// Files and directories to scan.
    pub paths: Vec<std::path::PathBuf>,
}

/// Run a scan; returns the process exit status (0 nothing found, 1 findings, 2 errors).
pub fn run(args: ScanArgs) -> i32 {
    let _ = args;
    todo!()
}
