//! Output files of the CLI (`run --trace PATH`, `heap graph -o PATH`): created after the
//! source was read, and never the source itself. The check is by file identity (device and
//! inode of the opened files), so the same path, a symlink or a hard link to the program are
//! all refused (exit 2) with the source untouched: the output is opened without truncation,
//! compared, and only then emptied.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use crate::outcome::UsageError;

/// Which file an opened file is: its device and inode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileIdentity {
    device: u64,
    inode: u64,
}

impl FileIdentity {
    pub fn of(metadata: &std::fs::Metadata) -> FileIdentity {
        FileIdentity {
            device: metadata.dev(),
            inode: metadata.ino(),
        }
    }
}

/// The input an output must not be: its path (for the message) and identity.
pub struct InputFile<'a> {
    pub path: &'a Path,
    pub identity: FileIdentity,
}

/// Opens `path` for writing — a usage error (exit 2) when it cannot be, or when it is one
/// of `inputs` — and only then truncates it (a regular file; `/dev/null` and pipes are left
/// as they are).
pub fn create_output_file(path: &Path, inputs: &[InputFile<'_>]) -> Result<File, UsageError> {
    let cannot = |error: std::io::Error| {
        UsageError(format!(
            "cannot create output file `{}`: {error}",
            path.display()
        ))
    };
    check_writable_location(path)?;
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(cannot)?;
    let metadata = file.metadata().map_err(cannot)?;
    let identity = FileIdentity::of(&metadata);
    if let Some(input) = inputs.iter().find(|input| input.identity == identity) {
        return Err(UsageError(format!(
            "output file `{}` is the program's source `{}` (the same file): refusing to overwrite it",
            path.display(),
            input.path.display()
        )));
    }
    if metadata.is_file() {
        file.set_len(0).map_err(cannot)?;
    }
    Ok(file)
}

/// A usage error (exit 2, before anything runs) when `path` cannot be a new file: its
/// directory is missing, or it is a directory.
pub fn check_writable_location(path: &Path) -> Result<(), UsageError> {
    if path.is_dir() {
        return Err(UsageError(format!(
            "cannot create output file `{}`: it is a directory",
            path.display()
        )));
    }
    match path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        Some(parent) if !parent.is_dir() => Err(UsageError(format!(
            "cannot create output file `{}`: directory `{}` does not exist",
            path.display(),
            parent.display()
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_directory_or_a_directory_is_refused() {
        let missing = Path::new("/definitely/not/here/graph.dot");
        let error = check_writable_location(missing).unwrap_err();
        assert!(
            error
                .0
                .contains("directory `/definitely/not/here` does not exist"),
            "{error}"
        );
        assert!(check_writable_location(&std::env::temp_dir()).is_err());
        assert!(check_writable_location(Path::new("graph.dot")).is_ok());
        assert!(check_writable_location(&std::env::temp_dir().join("g.dot")).is_ok());
    }
}
