//! Embeds the git commit (hash and commit date, never the build time) so that
//! `townsquare version` is honest without rebuilding the crate on every build.
//!
//! Cargo re-runs a build script whenever a watched path is missing, so only paths that exist
//! are watched: HEAD, the branch's loose ref (or, while it is packed, its directory, where a
//! new commit will write it) and `packed-refs`. Git is asked where they are, which also covers
//! worktrees, whose `.git` is a file.

use std::path::{Path, PathBuf};
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    Command::new("git")
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}

fn watch(path: &Path) {
    if path.exists() {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if let (Some(git_dir), Some(common_dir)) = (
        git(&["rev-parse", "--git-dir"]),
        git(&["rev-parse", "--git-common-dir"]),
    ) {
        let (git_dir, common_dir) = (PathBuf::from(git_dir), PathBuf::from(common_dir));
        watch(&git_dir.join("HEAD"));
        watch(&common_dir.join("packed-refs"));
        if let Some(reference) = git(&["symbolic-ref", "-q", "HEAD"]) {
            let loose = common_dir.join(&reference);
            if loose.exists() {
                watch(&loose);
            } else if let Some(parent) = loose.parent() {
                watch(parent);
            }
        }
    }
    let output = git(&["log", "-1", "--format=%H %cI"]).unwrap_or_default();
    let (hash, date) = output.split_once(' ').unwrap_or(("unknown", "unknown"));
    println!("cargo:rustc-env=TOWNSQUARE_GIT_HASH={hash}");
    println!("cargo:rustc-env=TOWNSQUARE_COMMIT_DATE={date}");
}
