//! Reading and writing files safely. Reading: only regular files, never more than
//! [`READ_LIMIT`] bytes, and never blocking on a FIFO or a device (`O_NONBLOCK`, and the type
//! checked on the open file); sources may be symlinks to regular files, the output directory's
//! files are read without following any (`O_NOFOLLOW`). Writing: through a temporary file
//! created exclusively with an unpredictable name beside the target, renamed over it.

use std::io::{Read, Write};
use std::path::Path;

/// Larger files are refused (sources) or not archc's (output) and are never read whole.
pub const READ_LIMIT: u64 = 64 * 1024 * 1024;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// A FIFO, a device, a socket, a directory (or, without following, a symlink).
    NotRegular,
    TooLarge(u64),
    Io(std::io::Error),
}

/// Whether a symlink at the path itself is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    Follow,
    Refuse,
}

/// The bytes of the regular file at `path`.
pub fn read(path: &Path, links: Links) -> Result<Vec<u8>, ReadError> {
    let metadata = match links {
        Links::Follow => std::fs::metadata(path),
        Links::Refuse => std::fs::symlink_metadata(path),
    }
    .map_err(ReadError::Io)?;
    if !metadata.is_file() {
        return Err(ReadError::NotRegular);
    }
    if metadata.len() > READ_LIMIT {
        return Err(ReadError::TooLarge(metadata.len()));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // A FIFO or a symlink swapped in since the check is refused, not waited on or followed.
        let nofollow = if links == Links::Refuse {
            libc::O_NOFOLLOW
        } else {
            0
        };
        options.custom_flags(libc::O_NONBLOCK | nofollow);
    }
    let file = options.open(path).map_err(|error| match error.raw_os_error() {
        #[cfg(unix)]
        Some(libc::ELOOP) => ReadError::NotRegular,
        _ => ReadError::Io(error),
    })?;
    let opened = file.metadata().map_err(ReadError::Io)?;
    if !opened.is_file() {
        return Err(ReadError::NotRegular);
    }
    let mut bytes = Vec::new();
    file.take(READ_LIMIT + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > READ_LIMIT {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Writes `contents` to `path` through a temporary file created exclusively (`O_EXCL`, an
/// unpredictable name) in the same directory, then renamed over `path`: readers see the old
/// file or the new one, and a symlink planted at `path` is replaced, not followed. The file
/// gets `permissions` (a replaced file's), or a new file's usual mode.
pub fn write_atomically(
    path: &Path,
    contents: &[u8],
    permissions: Option<std::fs::Permissions>,
) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".archc-").suffix(".tmp");
    if let Some(permissions) = permissions {
        builder.permissions(permissions);
    } else {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // What `open` gives a new file (the umask applies).
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
    }
    let mut temporary = builder.tempfile_in(dir)?;
    temporary.write_all(contents)?;
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Replaces the contents of an existing file in place as far as anyone can tell: a symlink
/// stays a symlink (its target is rewritten) and the file keeps its mode.
pub fn rewrite(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let permissions = std::fs::metadata(&target)?.permissions();
    write_atomically(&target, contents, Some(permissions))
}
