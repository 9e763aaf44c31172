//! Who runs the embedded PostgreSQL: the current user, or an unprivileged system user when the
//! process is root (Postgres refuses to run as root). Owns the file-ownership checks that follow.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

use nix::unistd::{Gid, Uid, User};

use super::EmbeddedError;

/// The system user created to run Postgres when gathering itself runs as root.
pub const SYSTEM_USER: &str = "gathering";

/// The identity Postgres processes run under.
#[derive(Debug, Clone)]
pub struct PgOwner {
    pub uid: Uid,
    pub gid: Gid,
    pub name: String,
    /// True when we switch to this user from root for every Postgres command.
    switch: bool,
}

impl PgOwner {
    /// The current user, or the `gathering` system user (created if missing) when root.
    pub fn resolve() -> Result<Self, EmbeddedError> {
        let uid = Uid::effective();
        if !uid.is_root() {
            let name = User::from_uid(uid)
                .ok()
                .flatten()
                .map_or_else(|| uid.to_string(), |u| u.name);
            return Ok(Self {
                uid,
                gid: Gid::effective(),
                name,
                switch: false,
            });
        }
        let user = match lookup(SYSTEM_USER)? {
            Some(user) => user,
            None => {
                create_system_user()?;
                lookup(SYSTEM_USER)?.ok_or_else(|| {
                    EmbeddedError::User(format!("user `{SYSTEM_USER}` missing after useradd"))
                })?
            }
        };
        Ok(Self {
            uid: user.uid,
            gid: user.gid,
            name: user.name,
            switch: true,
        })
    }

    /// A command that runs as this owner.
    /// Runs in its own process group, so a Ctrl-C or a group-wide SIGTERM aimed at gathering
    /// does not kill a `pg_ctl stop` that shutdown is running.
    pub fn command(&self, program: &Path) -> Command {
        let mut command = Command::new(program);
        command.process_group(0);
        if self.switch {
            // std drops supplementary groups before setuid when the parent is root.
            command.uid(self.uid.as_raw()).gid(self.gid.as_raw());
        }
        command
    }

    /// Makes `path` (a directory we create) belong to the owner, with mode 0700.
    pub fn own_private_dir(&self, path: &Path) -> Result<(), EmbeddedError> {
        std::fs::create_dir_all(path).map_err(|e| io_err(path, "create", e))?;
        let current = self.check_owned(path)?;
        if self.switch && current != self.uid {
            chown_tree(path, self.uid, self.gid)?;
        }
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| io_err(path, "chmod", e))
    }

    /// Gives the owner a file we wrote (as root).
    pub fn own_file(&self, path: &Path) -> Result<(), EmbeddedError> {
        if self.switch {
            nix::unistd::chown(path, Some(self.uid), Some(self.gid))
                .map_err(|e| io_err(path, "chown", e.into()))?;
        }
        Ok(())
    }

    /// Refuses a directory that belongs to somebody else. As root we accept our own user's
    /// and root's (a directory root made for us, taken over on first use).
    fn check_owned(&self, path: &Path) -> Result<Uid, EmbeddedError> {
        let meta = std::fs::metadata(path).map_err(|e| io_err(path, "inspect", e))?;
        let owner = Uid::from_raw(meta.uid());
        let acceptable = owner == self.uid || (self.switch && owner.is_root());
        if acceptable {
            Ok(owner)
        } else {
            let who = User::from_uid(owner)
                .ok()
                .flatten()
                .map_or_else(|| format!("uid {owner}"), |u| u.name);
            Err(EmbeddedError::ForeignDataDir {
                path: path.to_owned(),
                owner: who,
                expected: self.name.clone(),
            })
        }
    }

    /// As root, Postgres (running as the system user) must be able to walk down to `path`:
    /// grant search (not read) permission on each ancestor that denies it, and say so.
    pub fn ensure_reachable(&self, path: &Path) -> Result<(), EmbeddedError> {
        if !self.switch {
            return Ok(());
        }
        let absolute = std::path::absolute(path).map_err(|e| io_err(path, "resolve", e))?;
        for dir in absolute.ancestors().skip(1) {
            let Ok(meta) = std::fs::metadata(dir) else {
                continue;
            };
            let mode = meta.permissions().mode();
            if mode & 0o001 == 0 && Uid::from_raw(meta.uid()) != self.uid {
                tracing::warn!(
                    dir = %dir.display(),
                    "granting search permission (o+x) so the `{}` user can reach the PostgreSQL files",
                    self.name
                );
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode | 0o001))
                    .map_err(|e| io_err(dir, "chmod o+x", e))?;
            }
        }
        Ok(())
    }
}

fn lookup(name: &str) -> Result<Option<User>, EmbeddedError> {
    User::from_name(name).map_err(|e| EmbeddedError::User(format!("cannot look up `{name}`: {e}")))
}

fn create_system_user() -> Result<(), EmbeddedError> {
    tracing::info!("creating system user `{SYSTEM_USER}` to run PostgreSQL (it refuses root)");
    let output = Command::new("useradd")
        .args(["--system", "--no-create-home", "--user-group"])
        .args(["--shell", "/usr/sbin/nologin", SYSTEM_USER])
        .output()
        .map_err(|e| EmbeddedError::User(format!("cannot run useradd: {e}")))?;
    // Exit 9: created meanwhile by a concurrent start.
    if output.status.success() || output.status.code() == Some(9) {
        Ok(())
    } else {
        Err(EmbeddedError::User(format!(
            "useradd {SYSTEM_USER} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}

fn chown_tree(path: &Path, uid: Uid, gid: Gid) -> Result<(), EmbeddedError> {
    nix::unistd::chown(path, Some(uid), Some(gid)).map_err(|e| io_err(path, "chown", e.into()))?;
    let meta = std::fs::symlink_metadata(path).map_err(|e| io_err(path, "inspect", e))?;
    if meta.is_dir() {
        let entries = std::fs::read_dir(path).map_err(|e| io_err(path, "list", e))?;
        for entry in entries {
            let entry = entry.map_err(|e| io_err(path, "list", e))?;
            let child_meta = entry
                .metadata()
                .map_err(|e| io_err(&entry.path(), "inspect", e))?;
            if child_meta.uid() != uid.as_raw() || child_meta.is_dir() {
                chown_tree(&entry.path(), uid, gid)?;
            }
        }
    }
    Ok(())
}

pub(super) fn io_err(path: &Path, action: &str, source: std::io::Error) -> EmbeddedError {
    EmbeddedError::Io {
        action: format!("{action} {}", path.display()),
        source,
    }
}
