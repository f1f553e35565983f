//! Embeds the git commit (hash and commit date, never the build time) so that
//! `townsquare version` is honest without rebuilding the crate on every build.

use std::path::Path;
use std::process::Command;

fn main() {
    let git_dir = Path::new(".git");
    if git_dir.exists() {
        println!("cargo:rerun-if-changed=.git/HEAD");
        println!("cargo:rerun-if-changed=.git/packed-refs");
        if let Ok(head) = std::fs::read_to_string(git_dir.join("HEAD")) {
            if let Some(reference) = head.trim().strip_prefix("ref: ") {
                println!("cargo:rerun-if-changed=.git/{reference}");
            }
        }
    }
    let output = Command::new("git")
        .args(["log", "-1", "--format=%H %cI"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let (hash, date) = output.split_once(' ').unwrap_or(("unknown", "unknown"));
    println!("cargo:rustc-env=TOWNSQUARE_GIT_HASH={hash}");
    println!("cargo:rustc-env=TOWNSQUARE_COMMIT_DATE={date}");
}
