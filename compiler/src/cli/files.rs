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

/// The bytes of the regular file at `path`, if it holds at most [`READ_LIMIT`].
pub fn read(path: &Path, links: Links) -> Result<Vec<u8>, ReadError> {
    read_up_to(path, links, READ_LIMIT)
}

/// The bytes of the regular file at `path`, if it holds at most `limit`.
pub fn read_up_to(path: &Path, links: Links, limit: u64) -> Result<Vec<u8>, ReadError> {
    let (file, len) = open_regular(path, links)?;
    if len > limit {
        return Err(ReadError::TooLarge(len));
    }
    // Sized once from the open file (growing by doubling cost a copy and fresh pages).
    let mut bytes = Vec::with_capacity(usize::try_from(len.saturating_add(1)).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// The SHA-256 (hex) of the regular file at `path`, read in pieces (a file of any size).
pub fn sha256_of(path: &Path, links: Links) -> Result<String, ReadError> {
    use sha2::Digest as _;
    let (mut file, _) = open_regular(path, links)?;
    let mut hasher = sha2::Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(ReadError::Io)?;
    Ok(hex(&hasher.finalize()))
}

/// Lower-case hex, as `sha256sum` prints a digest.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, byte| {
        let _ = write!(out, "{byte:02x}");
        out
    })
}

/// Opens the regular file at `path` for reading, with its length; anything else is refused
/// without blocking on it.
fn open_regular(path: &Path, links: Links) -> Result<(std::fs::File, u64), ReadError> {
    let metadata = match links {
        Links::Follow => std::fs::metadata(path),
        Links::Refuse => std::fs::symlink_metadata(path),
    }
    .map_err(ReadError::Io)?;
    if !metadata.is_file() {
        return Err(ReadError::NotRegular);
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
    Ok((file, opened.len()))
}

/// Writes `contents` to `path` through a temporary file created exclusively (`O_EXCL`, an
/// unpredictable name) in the same directory, then renamed over `path`: readers see the old
/// file or the new one, and a symlink planted at `path` is replaced, not followed. The file
/// gets `permissions` (a replaced file's), or a new file's usual mode. With `Sync::Later`
/// the caller makes it durable (with [`sync_filesystem`], once for many files).
pub fn write_atomically(
    path: &Path,
    contents: &[u8],
    permissions: Option<std::fs::Permissions>,
    sync: Sync,
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
    if sync == Sync::Now {
        temporary.as_file().sync_all()?;
    }
    temporary.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Replaces the contents of an existing file in place as far as anyone can tell: a symlink
/// stays a symlink (its target is rewritten) and the file keeps its mode.
pub fn rewrite(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let permissions = std::fs::metadata(&target)?.permissions();
    write_atomically(&target, contents, Some(permissions), Sync::Now)
}

/// When a written file reaches the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sync {
    /// Before `write_atomically` returns (`fsync`).
    Now,
    /// When the caller calls `sync_filesystem`: one flush for a build of 200,000 files, where
    /// an `fsync` each took most of two minutes.
    Later,
}

impl Sync {
    /// How a build writes its many files: `Later` where the system can flush one file system
    /// at once (`syncfs`, Linux), else `Now`.
    pub const MANY: Sync = if cfg!(target_os = "linux") {
        Sync::Later
    } else {
        Sync::Now
    };
}

/// Flushes what was written to the file system that holds `dir` (Linux's `syncfs`); where
/// there is no such call, files were written with `Sync::Now` and there is nothing to do.
pub fn sync_filesystem(dir: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    rustix::fs::syncfs(std::fs::File::open(dir)?)?;
    #[cfg(not(target_os = "linux"))]
    let _ = dir;
    Ok(())
}
