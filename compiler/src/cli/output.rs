//! Writing generated files: only inside the output directory, each through a temporary file
//! and a rename, removing only files archc wrote (they carry its header, or for JSON, its
//! per-environment manifest lists them), and refusing a directory that holds files archc did
//! not write (unless forced). Hidden entries (`.terraform/`, `.terraform.lock.hcl`, `.build/`)
//! belong to the tools that made them: never read, never removed, never in the way; `.github/`
//! is the exception, since the deploy workflows live there.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::backend::{GENERATED_MARK, MANIFEST, OutputFile};
use crate::diagnostics::{HostError, codes};

/// What a build changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Written {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// Writes `files` under `out`, removing the archc files under the `scope` prefixes that are no
/// longer generated.
pub fn write(out: &Path, files: &[OutputFile], scope: &[String], force: bool) -> Result<Written, HostError> {
    std::fs::create_dir_all(out).map_err(|e| io(out, &e))?;
    let existing = scan(out)?;
    let foreign: Vec<&PathBuf> = existing
        .iter()
        .filter(|(_, ours)| !ours)
        .map(|(p, _)| p)
        .collect();
    if !foreign.is_empty() && !force {
        let shown: Vec<String> = foreign
            .iter()
            .take(5)
            .map(|p| format!("`{}`", p.display()))
            .collect();
        let more = if foreign.len() > 5 {
            format!(" and {} more", foreign.len() - 5)
        } else {
            String::new()
        };
        return Err(HostError {
            code: codes::FOREIGN_OUTPUT,
            message: format!(
                "`{}` holds files archc did not generate: {}{more}",
                out.display(),
                shown.join(", ")
            ),
            help: "write elsewhere with `--out DIR`, or pass `--force` to write beside them (they are never removed)".into(),
        });
    }
    let mut written = Written::default();
    let wanted: BTreeSet<PathBuf> = files.iter().map(|f| out.join(&f.path)).collect();
    for file in files {
        let path = out.join(&file.path);
        if std::fs::read(&path).is_ok_and(|bytes| bytes == file.contents.as_bytes()) {
            written.unchanged += 1;
            continue;
        }
        let parent = path.parent().unwrap_or(out);
        std::fs::create_dir_all(parent).map_err(|e| io(parent, &e))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temporary = parent.join(format!(".{name}.archc-{}", std::process::id()));
        std::fs::write(&temporary, &file.contents).map_err(|e| io(&temporary, &e))?;
        std::fs::rename(&temporary, &path).map_err(|e| io(&path, &e))?;
        written.written += 1;
    }
    let in_scope = |path: &Path| {
        let relative = path
            .strip_prefix(out)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        scope.iter().any(|prefix| relative.starts_with(prefix.as_str()))
    };
    for (path, ours) in &existing {
        if *ours && !wanted.contains(path) && in_scope(path) {
            std::fs::remove_file(path).map_err(|e| io(path, &e))?;
            written.removed += 1;
            remove_empty_parents(path, out);
        }
    }
    Ok(written)
}

/// The differences between `files` and what is on disk: missing, changed (stale or edited by
/// hand) and left-over archc files. Empty when the output is current.
pub fn compare(out: &Path, files: &[OutputFile], scope: &[String]) -> Result<Vec<String>, HostError> {
    let mut problems = Vec::new();
    for file in files {
        let path = out.join(&file.path);
        match std::fs::read(&path) {
            Err(_) => problems.push(format!("missing: {}", path.display())),
            Ok(bytes) if bytes != file.contents.as_bytes() => {
                problems.push(format!("differs: {}", path.display()))
            }
            Ok(_) => {}
        }
    }
    if out.is_dir() {
        let wanted: BTreeSet<PathBuf> = files.iter().map(|f| out.join(&f.path)).collect();
        for (path, ours) in scan(out)? {
            let relative = path
                .strip_prefix(out)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            let in_scope = scope.iter().any(|prefix| relative.starts_with(prefix.as_str()));
            if ours && in_scope && !wanted.contains(&path) {
                problems.push(format!("no longer generated: {}", path.display()));
            }
        }
    }
    Ok(problems)
}

/// Every visible file under `dir` (and under `.github/`), and whether archc wrote it.
fn scan(dir: &Path) -> Result<Vec<(PathBuf, bool)>, HostError> {
    let listed = manifests(dir);
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let entries = std::fs::read_dir(&current).map_err(|e| io(&current, &e))?;
        for entry in entries {
            let entry = entry.map_err(|e| io(&current, &e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') && !(current == dir && name == ".github") {
                continue;
            }
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| io(&path, &e))?;
            if kind.is_dir() {
                stack.push(path);
            } else {
                let ours = listed.contains(&path) || is_generated(&path);
                out.push((path, ours));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// The files the per-environment manifests (`<env>/archc-manifest.txt`) list, if archc wrote
/// those manifests.
fn manifests(dir: &Path) -> BTreeSet<PathBuf> {
    let mut listed = BTreeSet::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return listed;
    };
    for entry in entries.flatten() {
        let manifest = entry.path().join(MANIFEST);
        if !is_generated(&manifest) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        listed.extend(
            text.lines()
                .skip(1)
                .filter(|line| !line.is_empty() && !line.contains(".."))
                .map(|line| dir.join(line)),
        );
    }
    listed
}

/// Whether the file's first line carries archc's header.
fn is_generated(path: &Path) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    String::from_utf8_lossy(first_line).contains(GENERATED_MARK)
}

fn remove_empty_parents(path: &Path, root: &Path) {
    let mut current = path.parent();
    while let Some(dir) = current {
        if dir == root || !dir.starts_with(root) || std::fs::remove_dir(dir).is_err() {
            break;
        }
        current = dir.parent();
    }
}

fn io(path: &Path, error: &std::io::Error) -> HostError {
    HostError {
        code: codes::UNREADABLE_FILE,
        message: format!("cannot write `{}`: {error}", path.display()),
        help: "check that the output directory is writable".into(),
    }
}
