//! Every file vestige writes goes through here, so that a write never damages the repository:
//! only a regular file or a new path is written (a symbolic link is followed and its target
//! replaced, the link kept), and only whole, through a temporary file in the same directory that
//! is renamed over the target. The temporary file is removed on an error, on SIGINT, SIGTERM and
//! SIGHUP, and its name (see [`crate::own`]) is one the walk never scans.

use std::fs::{self, Metadata};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use tempfile::TempPath;

use crate::own::{TEMP_PREFIX, TEMP_SUFFIX};

/// A write vestige refused or could not do.
#[derive(Debug, miette::Diagnostic, thiserror::Error)]
pub enum WriteError {
    /// The path holds something vestige does not overwrite.
    #[error("refusing to write {}: {why}", path.display())]
    #[diagnostic(help("{help}"))]
    Refused {
        /// The path asked for.
        path: PathBuf,
        /// What is there.
        why: String,
        /// What to do instead.
        help: String,
    },
    /// The file system failed.
    #[error("cannot write {}: {error}", path.display())]
    Failed {
        /// The path asked for.
        path: PathBuf,
        /// Why.
        error: io::Error,
    },
}

/// Where a write lands: a regular file that exists, or a new path in an existing directory.
#[derive(Debug)]
pub struct Target {
    /// The path asked for.
    asked: PathBuf,
    /// The file replaced: `asked` with every symbolic link resolved.
    real: PathBuf,
    /// The file there now, if any.
    existing: Option<Metadata>,
}

impl Target {
    /// The target for a write to `path`; refuses directories, devices, FIFOs, sockets,
    /// read-only files and symbolic links that lead nowhere.
    pub fn of(path: &Path) -> Result<Self, WriteError> {
        let failed = |error| WriteError::Failed {
            path: path.to_owned(),
            error,
        };
        let refused = |why: &str| WriteError::Refused {
            path: path.to_owned(),
            why: why.to_owned(),
            help: "vestige writes only regular files or new paths; name another file".to_owned(),
        };
        let meta = match fs::symlink_metadata(path) {
            Ok(meta) => meta,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                let name = path
                    .file_name()
                    .ok_or_else(|| refused("it has no file name"))?;
                let parent = match path.parent() {
                    Some(parent) if !parent.as_os_str().is_empty() => parent,
                    _ => Path::new("."),
                };
                let parent = fs::canonicalize(parent).map_err(failed)?;
                return Ok(Self {
                    asked: path.to_owned(),
                    real: parent.join(name),
                    existing: None,
                });
            }
            Err(error) => return Err(failed(error)),
        };
        let meta = if meta.file_type().is_symlink() {
            fs::metadata(path).map_err(|_| refused("it is a symbolic link that leads nowhere"))?
        } else {
            meta
        };
        if let Some(kind) = not_regular(&meta) {
            return Err(refused(&format!("it is {kind}")));
        }
        if meta.permissions().readonly() {
            return Err(WriteError::Refused {
                path: path.to_owned(),
                why: "it is read-only".to_owned(),
                help: "make it writable first if it is meant to change".to_owned(),
            });
        }
        Ok(Self {
            asked: path.to_owned(),
            real: fs::canonicalize(path).map_err(failed)?,
            existing: Some(meta),
        })
    }

    /// The path asked for.
    pub fn path(&self) -> &Path {
        &self.asked
    }

    /// The file replaced, every symbolic link resolved.
    pub fn real(&self) -> &Path {
        &self.real
    }

    /// Whether a file is there now.
    pub fn exists(&self) -> bool {
        self.existing.is_some()
    }

    /// A refusal to write this target, because `why`, with `help`.
    pub fn refuse(&self, why: impl Into<String>, help: impl Into<String>) -> WriteError {
        WriteError::Refused {
            path: self.asked.clone(),
            why: why.into(),
            help: help.into(),
        }
    }

    /// Writes what `fill` produces into a temporary file beside the target, ready to replace it;
    /// an existing target keeps its permissions.
    pub fn prepare(
        &self,
        fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<Pending, WriteError> {
        let failed = |error| WriteError::Failed {
            path: self.asked.clone(),
            error,
        };
        let dir = self.real.parent().unwrap_or(Path::new("."));
        let name = self.real.file_name().unwrap_or_default().to_string_lossy();
        // Short enough that the temporary name stays within the 255 bytes a name may have.
        let name: String = name.chars().take(60).collect();
        let prefix = format!("{TEMP_PREFIX}{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(TEMP_SUFFIX);
        #[cfg(unix)]
        if self.existing.is_none() {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(fs::Permissions::from_mode(0o666));
        }
        cleanup::install();
        let (file, temp) = {
            let mut pending = pending();
            let file = builder.tempfile_in(dir).map_err(failed)?;
            pending.push(file.path().to_owned());
            file.into_parts()
        };
        let pending = Pending {
            temp: Some(temp),
            real: self.real.clone(),
            asked: self.asked.clone(),
        };
        if let Some(meta) = &self.existing {
            file.set_permissions(meta.permissions()).map_err(failed)?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt;
                // Only root may give a file away; anyone else keeps the file as their own.
                let _ = std::os::unix::fs::fchown(&file, Some(meta.uid()), Some(meta.gid()));
            }
        }
        let mut out = BufWriter::new(file);
        fill(&mut out)
            .and_then(|()| out.into_inner().map_err(io::IntoInnerError::into_error))
            .and_then(|file| file.sync_all())
            .map_err(failed)?;
        Ok(pending)
    }
}

/// A temporary file written in full, waiting to replace its target; dropped, it is removed.
#[derive(Debug)]
pub struct Pending {
    temp: Option<TempPath>,
    real: PathBuf,
    asked: PathBuf,
}

impl Pending {
    /// Renames the temporary file over the target, atomically, unless something other than a
    /// regular file took the target's place since it was checked.
    pub fn commit(mut self) -> Result<(), WriteError> {
        let Some(temp) = self.temp.take() else {
            return Ok(());
        };
        let mut pending = pending();
        let path = temp.to_path_buf();
        let now = match fs::symlink_metadata(&self.real) {
            Ok(meta) if meta.file_type().is_symlink() => Some("a symbolic link"),
            Ok(meta) => not_regular(&meta),
            Err(_) => None,
        };
        if let Some(kind) = now {
            pending.retain(|p| *p != path);
            drop(temp);
            return Err(WriteError::Refused {
                path: self.asked.clone(),
                why: format!("it became {kind} during the run"),
                help: "run again once nothing else changes it".to_owned(),
            });
        }
        let done = temp.persist(&self.real);
        pending.retain(|p| *p != path);
        done.map_err(|err| WriteError::Failed {
            path: self.asked.clone(),
            error: err.error,
        })
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(temp) = self.temp.take() {
            let mut pending = pending();
            pending.retain(|p| p != &*temp);
            drop(temp);
        }
    }
}

/// What `meta` is, unless it is a regular file.
fn not_regular(meta: &Metadata) -> Option<&'static str> {
    let kind = meta.file_type();
    if kind.is_file() {
        return None;
    }
    if kind.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some("a FIFO");
        }
        if kind.is_block_device() || kind.is_char_device() {
            return Some("a device");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a regular file")
}

/// The temporary files not yet renamed, which a signal removes.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(|poison| poison.into_inner())
}

/// Removes the pending temporary files when the process is told to stop.
#[cfg(unix)]
mod cleanup {
    use std::sync::Once;

    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    use signal_hook::iterator::Signals;

    /// Starts, once, a thread that on SIGINT, SIGTERM or SIGHUP removes the pending temporary
    /// files and then ends the process as the signal would have. It holds the list while doing
    /// so, so a rename under way finishes first and no new temporary file is made.
    pub fn install() {
        static INSTALLED: Once = Once::new();
        INSTALLED.call_once(|| {
            let Ok(mut signals) = Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
                return;
            };
            std::thread::spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    let pending = super::pending();
                    for path in pending.iter() {
                        let _ = std::fs::remove_file(path);
                    }
                    let _ = signal_hook::low_level::emulate_default_handler(signal);
                    std::process::exit(128 + signal);
                }
            });
        });
    }
}

/// Signals are not caught here: a temporary file is removed on errors only.
#[cfg(not(unix))]
mod cleanup {
    /// Nothing to install.
    pub fn install() {}
}
