//! Reading a `.cairn` source file for `run` and `check`; an unreadable file is a usage error.

use std::path::Path;

use crate::outcome::UsageError;

/// A loaded source file: the name shown in diagnostics and its text.
pub struct LoadedSource {
    pub name: String,
    pub text: String,
}

pub fn read_source(path: &Path) -> Result<LoadedSource, UsageError> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| UsageError(format!("cannot read `{}`: {error}", path.display())))?;
    Ok(LoadedSource {
        name: path.display().to_string(),
        text,
    })
}
