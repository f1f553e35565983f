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
    embed_web_client();
}

/// Writes `$OUT_DIR/web_assets.rs`: a table of every file in `web/dist` (the committed build
/// of the web client) as `include_bytes!`, each with its precompressed `.br`/`.gz` siblings.
/// Watching the directory rebuilds the crate whenever the client's build changes.
fn embed_web_client() {
    let dist = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("web")
        .join("dist");
    println!("cargo:rerun-if-changed={}", dist.display());
    let mut files = Vec::new();
    collect_files(&dist, &dist, &mut files);
    files.sort();
    let mut table = String::from("&[\n");
    for rel in &files {
        if rel.ends_with(".br") || rel.ends_with(".gz") {
            continue;
        }
        let sibling = |ext: &str| {
            let name = format!("{rel}.{ext}");
            if files.contains(&name) {
                format!(
                    "Some(include_bytes!({:?}))",
                    dist.join(&name).display().to_string()
                )
            } else {
                "None".to_string()
            }
        };
        table.push_str(&format!(
            "    WebAsset {{ path: {:?}, body: include_bytes!({:?}), brotli: {}, gzip: {} }},\n",
            format!("/{rel}"),
            dist.join(rel).display().to_string(),
            sibling("br"),
            sibling("gz"),
        ));
    }
    table.push_str("]\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("web_assets.rs");
    std::fs::write(out, table).expect("write web_assets.rs");
}

fn collect_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(root, &path, out);
        } else if let Ok(rel) = path.strip_prefix(root) {
            // Forward slashes on every platform: these are URL paths.
            let parts: Vec<_> = rel
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            out.push(parts.join("/"));
        }
    }
}
