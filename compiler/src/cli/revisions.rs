//! The versions `archc diff` compares: a workspace as it is on disk, another directory, or the
//! workspace as a git revision of its repository holds it (read with `git` itself: `rev-parse`
//! to resolve the revision, `ls-tree` to list its files, one `cat-file --batch` to read them).
//!
//! Every version's paths are relative to its workspace's root, so the two versions' files are
//! matched by path and an unchanged file is one query input, checked once.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use super::files::READ_LIMIT;
use super::{display, load};
use crate::diagnostics::{HostError, codes};

/// `(path relative to the workspace root, text)` of every `.arch` file of one version.
pub type Sources = Vec<(String, String)>;

/// The version `spec` names: a directory (its `.arch` files), else a git revision of the
/// repository `workspace` is in (the `.arch` files below the same directory in that revision;
/// none when the workspace did not exist then).
pub fn sources(spec: &str, workspace: &Path) -> Result<Sources, HostError> {
    let directory = Path::new(spec);
    if directory.is_dir() {
        return on_disk(directory);
    }
    at_revision(spec, workspace)
}

/// The workspace in `directory` as it is on disk.
pub fn on_disk(directory: &Path) -> Result<Sources, HostError> {
    let root = format!("{}/", display(directory));
    Ok(load(directory)?
        .into_iter()
        .map(|(path, text)| {
            let relative = path.strip_prefix(&root).map(str::to_owned).unwrap_or(path);
            (relative, text)
        })
        .collect())
}

fn unknown_revision(spec: &str, why: String) -> HostError {
    HostError {
        code: codes::UNKNOWN_REVISION,
        message: format!("`{spec}` is neither a directory nor a git revision here: {why}"),
        help: "pass a commit, branch or tag of the repository the workspace is in (`archc diff origin/main`), or a directory holding the other version".into(),
    }
}

/// Runs `git -C <dir> <args>`, its standard output on success.
fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|error| format!("cannot run git: {error}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        let message = String::from_utf8_lossy(&output.stderr);
        Err(message.lines().next().unwrap_or("git failed").trim().to_owned())
    }
}

fn at_revision(spec: &str, workspace: &Path) -> Result<Sources, HostError> {
    // A revision is never an option: `--output=…` would be one to git.
    if spec.starts_with('-') || spec.is_empty() {
        return Err(unknown_revision(spec, "it starts with `-`".into()));
    }
    let text = |bytes: Vec<u8>| String::from_utf8_lossy(&bytes).trim().to_owned();
    let commit = git(
        workspace,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &format!("{spec}^{{commit}}"),
        ],
    )
    .map(text)
    .map_err(|why| unknown_revision(spec, why))?;
    if commit.is_empty() {
        return Err(unknown_revision(spec, "git knows no such commit".into()));
    }
    let prefix = git(workspace, &["rev-parse", "--show-prefix"])
        .map(text)
        .map_err(|why| unknown_revision(spec, why))?;
    let listing = git(
        workspace,
        &[
            "ls-tree",
            "-r",
            "-z",
            "--full-tree",
            &commit,
            "--",
            &format!(":/{prefix}"),
        ],
    )
    .map_err(|why| unknown_revision(spec, why))?;
    let mut blobs: Vec<(String, String)> = Vec::new();
    let mut workspaces: Vec<String> = Vec::new();
    for entry in listing.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let mut meta = meta.split(' ');
        let (mode, kind, object) = (meta.next(), meta.next(), meta.next());
        let (Some(mode), Some("blob"), Some(object)) = (mode, kind, object) else {
            continue;
        };
        let Some(relative) = path.strip_prefix(prefix.as_str()) else {
            continue;
        };
        if relative.split('/').any(|part| part.starts_with('.')) {
            continue;
        }
        if let Some(dir) = relative.strip_suffix(super::WORKSPACE_MARKER)
            && !dir.is_empty()
        {
            workspaces.push(dir.to_owned());
        }
        // A symbolic link's blob is its target's path, not a file to read.
        if relative.ends_with(".arch") && mode != "120000" {
            blobs.push((relative.to_owned(), object.to_owned()));
        }
    }
    // Below another `archc.toml` is another workspace, as on disk.
    blobs.retain(|(path, _)| !workspaces.iter().any(|w| path.starts_with(w.as_str())));
    // The workspace did not exist then (a pull request that adds it): an empty version.
    if blobs.is_empty() {
        return Ok(Vec::new());
    }
    let texts = read_blobs(workspace, &blobs)?;
    Ok(blobs.into_iter().map(|(path, _)| path).zip(texts).collect())
}

/// The blobs' texts, in order, from one `git cat-file --batch` (fed on its own thread, so
/// neither side of the pipe waits for the other).
fn read_blobs(workspace: &Path, blobs: &[(String, String)]) -> Result<Vec<String>, HostError> {
    let failed = |why: String| HostError {
        code: codes::UNREADABLE_FILE,
        message: format!("cannot read the revision's files with git: {why}"),
        help: "check that git works in this repository (`git status`)".into(),
    };
    let mut child = Command::new("git")
        .arg("-C")
        .arg(workspace)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|error| failed(error.to_string()))?;
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err(failed("no pipe to git".into()));
    };
    let request: String = blobs.iter().map(|(_, object)| format!("{object}\n")).collect();
    let feeder = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
    let mut reader = BufReader::new(stdout);
    let mut texts = Vec::with_capacity(blobs.len());
    for (path, _) in blobs {
        let mut header = String::new();
        reader
            .read_line(&mut header)
            .map_err(|error| failed(error.to_string()))?;
        let size: u64 = header
            .split(' ')
            .nth(2)
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| failed(format!("unexpected answer `{}`", header.trim())))?;
        if size > READ_LIMIT {
            let _ = child.kill();
            return Err(HostError {
                code: codes::UNREADABLE_FILE,
                message: format!(
                    "`{path}` is {} MiB in that revision, more than archc reads ({} MiB)",
                    size / (1024 * 1024),
                    READ_LIMIT / (1024 * 1024)
                ),
                help: "an architecture is kilobytes of text; compare with another revision".into(),
            });
        }
        let mut bytes = Vec::new();
        (&mut reader)
            .take(size + 1)
            .read_to_end(&mut bytes)
            .map_err(|error| failed(error.to_string()))?;
        bytes.pop();
        let text = String::from_utf8(bytes).map_err(|error| HostError {
            code: codes::NOT_UTF8,
            message: format!(
                "`{path}` is not valid UTF-8 in that revision (first bad byte at offset {})",
                error.utf8_error().valid_up_to()
            ),
            help: "compare with a revision where it is UTF-8".into(),
        })?;
        texts.push(text);
    }
    let _ = feeder.join();
    let _ = child.wait();
    Ok(texts)
}
