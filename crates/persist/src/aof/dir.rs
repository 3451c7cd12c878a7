//! Operations on the AOF directory, as Redis 7.0 performs them.
//!
//! Every change to the set of files follows the same rule: first make the
//! new file(s), then persist a new manifest, and only then treat the change
//! as done. A crash in between leaves an unlisted file, never a manifest
//! naming a file that does not exist. The manifest itself is replaced
//! atomically:
//!
//! | step | action                                                       |
//! |------|--------------------------------------------------------------|
//! | 1    | write `temp-<appendfilename>.manifest` (O_TRUNC, mode 0644)   |
//! | 2    | fsync it                                                      |
//! | 3    | rename it over `<appendfilename>.manifest`                    |
//! | 4    | fsync the directory (new files and the rename become durable) |
//!
//! A rewrite (BGREWRITEAOF) goes through three calls:
//!
//! | when                         | call                       | manifest afterwards                         |
//! |------------------------------|----------------------------|---------------------------------------------|
//! | rewrite starts               | [`AofDir::open_new_incr`]  | old base, old incrs, new incr               |
//! | child's new base is ready    | [`AofDir::install_rewrite`]| new base; old base and old incrs are history; new incr |
//! | right after                  | [`AofDir::delete_history`] | new base, new incr                          |
//!
//! Each call works on a copy of the manifest and only updates the caller's
//! manifest once the new one is on disk; on error, nothing changes (files
//! it created are removed again).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use super::manifest::{self, AofFile, FileKind, Manifest};
use super::{io_err, AofError};

/// The AOF directory (`<dir>/<appenddirname>`) and `appendfilename`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AofDir {
    pub dir: PathBuf,
    pub filename: String,
}

/// What [`AofDir::start`] did.
#[derive(Debug)]
pub struct StartReport {
    /// The incremental file opened for appending (at its end).
    pub file: File,
    /// Its name.
    pub incr_name: String,
    /// True when the incremental file was created now (Redis logs "Creating
    /// AOF incr file ... on server start", else "Opening ...").
    pub incr_created: bool,
    /// The base file created because the manifest was empty ("Creating AOF
    /// base file ... on server start").
    pub base_created: Option<String>,
    /// Current size of the incremental file.
    pub incr_size: u64,
}

impl AofDir {
    pub fn new(dir: impl Into<PathBuf>, filename: impl Into<String>) -> AofDir {
        AofDir { dir: dir.into(), filename: filename.into() }
    }

    /// Path of a file of the directory.
    pub fn path_of(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    pub fn manifest_path(&self) -> PathBuf {
        self.path_of(&manifest::manifest_name(&self.filename))
    }

    pub fn temp_manifest_path(&self) -> PathBuf {
        self.path_of(&manifest::temp_manifest_name(&self.filename))
    }

    /// Where a pre-7.0 single AOF lives: `<dir>/<appendfilename>`, beside the AOF directory.
    pub fn legacy_path(&self) -> PathBuf {
        self.dir.parent().unwrap_or_else(|| Path::new(".")).join(&self.filename)
    }

    /// `dirCreateIfMissing`.
    pub fn create_if_missing(&self) -> Result<(), AofError> {
        match fs::create_dir(&self.dir) {
            Err(e) if e.kind() != io::ErrorKind::AlreadyExists => {
                Err(AofError::Io { what: "Can't open or create append-only dir", path: self.dir.clone(), source: e })
            }
            _ => Ok(()),
        }
    }

    /// Read the manifest (`aofLoadManifestFromDisk`). A missing directory or
    /// manifest is not an error: it gives an empty manifest, as in Redis
    /// (which then creates them, see [`AofDir::start`]).
    pub fn load_manifest(&self) -> Result<Manifest, AofError> {
        let path = self.manifest_path();
        if !self.dir.is_dir() {
            return Ok(Manifest::default());
        }
        match fs::read(&path) {
            Ok(data) => Manifest::parse(&data).map_err(|error| AofError::Manifest { path, error }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Manifest::default()),
            Err(e) => Err(AofError::Io { what: "Fatal error: can't open the AOF manifest file for reading", path, source: e }),
        }
    }

    /// Write the manifest atomically (`writeAofManifestFile`).
    pub fn persist_manifest(&self, m: &Manifest) -> Result<(), AofError> {
        let tmp = self.temp_manifest_path();
        let fin = self.manifest_path();
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o644)
            .open(&tmp)
            .map_err(io_err("Can't open the AOF manifest file", &tmp))?;
        f.write_all(m.format().as_bytes())
            .map_err(io_err("Error trying to write the temporary AOF manifest file", &tmp))?;
        f.sync_all().map_err(io_err("Fail to fsync the temp AOF file", &tmp))?;
        drop(f);
        fs::rename(&tmp, &fin).map_err(io_err("Error trying to rename the temporary AOF manifest file", &tmp))?;
        self.fsync_dir()
    }

    /// fsync the directory itself, so renames and new files are durable.
    pub fn fsync_dir(&self) -> Result<(), AofError> {
        File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(io_err("Fail to fsync AOF directory", &self.dir))
    }

    /// Size of a listed file; a missing file is [`AofError::MissingFile`].
    pub fn file_size(&self, name: &str) -> Result<u64, AofError> {
        fs::metadata(self.path_of(name))
            .map(|m| m.len())
            .map_err(|source| AofError::MissingFile { name: name.to_string(), source })
    }

    fn open_append(&self, name: &str) -> Result<File, AofError> {
        let p = self.path_of(name);
        OpenOptions::new().append(true).create(true).mode(0o644).open(&p).map_err(io_err("Can't open the append-only file", p))
    }

    fn open_trunc(&self, name: &str) -> Result<File, AofError> {
        let p = self.path_of(name);
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o644)
            .open(&p)
            .map_err(io_err("Can't open the append-only file", p))
    }

    /// Startup with AOF on (`aofOpenIfNeededOnServerStart`): create the
    /// directory; with an empty manifest make a base file by calling
    /// `write_base` on a temporary path (then fsync it and rename it into
    /// place); open the last incremental file for appending, or create the
    /// first one; persist the manifest.
    pub fn start(
        &self,
        m: &mut Manifest,
        rdb_preamble: bool,
        write_base: &mut dyn FnMut(&Path) -> io::Result<()>,
    ) -> Result<StartReport, AofError> {
        self.create_if_missing()?;
        let mut next = m.clone();
        let mut base_created = None;
        if next.is_empty() {
            let name = next.add_new_base(&self.filename, rdb_preamble);
            let tmp = self.path_of(&format!("temp-rewriteaof-{}.aof", std::process::id()));
            let written = write_base(&tmp)
                .and_then(|_| File::open(&tmp).and_then(|f| f.sync_all()))
                .and_then(|_| fs::rename(&tmp, self.path_of(&name)));
            if let Err(e) = written {
                let _ = fs::remove_file(&tmp);
                return Err(AofError::Io { what: "Write error writing append only file on disk", path: tmp, source: e });
            }
            base_created = Some(name);
        }
        let incr_created = next.incrs.is_empty();
        let incr_name = match next.incrs.last() {
            Some(f) => f.name.clone(),
            None => next.add_new_incr(&self.filename),
        };
        let file = self.open_append(&incr_name)?;
        self.persist_manifest(&next)?;
        let incr_size = self.file_size(&incr_name)?;
        *m = next;
        Ok(StartReport { file, incr_name, incr_created, base_created, incr_size })
    }

    /// Rewrite start, step (a) (`openNewIncrAofForAppend` with AOF on): list a
    /// new incremental file, create it empty, persist the manifest. Returns
    /// the file (to append to from now on) and its name. On error the
    /// manifest is unchanged.
    pub fn open_new_incr(&self, m: &mut Manifest) -> Result<(File, String), AofError> {
        let mut next = m.clone();
        let name = next.add_new_incr(&self.filename);
        let file = self.open_trunc(&name)?;
        if let Err(e) = self.persist_manifest(&next) {
            drop(file);
            let _ = fs::remove_file(self.path_of(&name));
            return Err(e);
        }
        *m = next;
        Ok((file, name))
    }

    /// Rewrite start while AOF is being turned on (`AOF_WAIT_REWRITE`): the
    /// commands go to `temp-<appendfilename>.incr`, not yet listed;
    /// [`AofDir::install_rewrite`] with `temp_incr: true` lists it.
    pub fn open_temp_incr(&self) -> Result<(File, String), AofError> {
        let name = manifest::temp_incr_name(&self.filename);
        Ok((self.open_trunc(&name)?, name))
    }

    /// Rewrite done, step (b) (`backgroundRewriteDoneHandler`): rename
    /// `temp_base` (the child's output, already fsynced) into a new base
    /// name, make the previous base and the incremental files that predate
    /// the rewrite history (all but the last one when `aof_on`), list the
    /// temporary incremental file under a new name when `temp_incr`, and
    /// persist the manifest. Returns the new base's name.
    pub fn install_rewrite(
        &self,
        m: &mut Manifest,
        temp_base: &Path,
        rdb_preamble: bool,
        aof_on: bool,
        temp_incr: bool,
    ) -> Result<String, AofError> {
        let mut next = m.clone();
        let base = next.add_new_base(&self.filename, rdb_preamble);
        let base_path = self.path_of(&base);
        fs::rename(temp_base, &base_path)
            .map_err(io_err("Error trying to rename the temporary AOF base file", temp_base))?;
        let mut new_incr = None;
        if temp_incr {
            let tmp = self.path_of(&manifest::temp_incr_name(&self.filename));
            let name = next.add_new_incr(&self.filename);
            let path = self.path_of(&name);
            if let Err(e) = fs::rename(&tmp, &path) {
                let _ = fs::remove_file(&base_path);
                return Err(AofError::Io { what: "Error trying to rename the temporary AOF incr file", path: tmp, source: e });
            }
            new_incr = Some(path);
        }
        next.mark_rewritten_incrs_as_history(aof_on || temp_incr);
        if let Err(e) = self.persist_manifest(&next) {
            let _ = fs::remove_file(&base_path);
            if let Some(p) = new_incr {
                let _ = fs::remove_file(p);
            }
            return Err(e);
        }
        *m = next;
        Ok(base)
    }

    /// Step (c) (`aofDelHistoryFiles`): delete the history files and persist
    /// the manifest without them. Returns the names removed (Redis logs
    /// "Removing the history file ... in the background" for each). A file
    /// already gone is not an error.
    pub fn delete_history(&self, m: &mut Manifest) -> Result<Vec<String>, AofError> {
        if m.history.is_empty() {
            return Ok(Vec::new());
        }
        let mut removed = Vec::new();
        for f in &m.history {
            let p = self.path_of(&f.name);
            match fs::remove_file(&p) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => {
                    return Err(AofError::Io { what: "Can't remove the history file", path: p, source: e })
                }
                _ => removed.push(f.name.clone()),
            }
        }
        let mut next = m.clone();
        next.history.clear();
        self.persist_manifest(&next)?;
        *m = next;
        Ok(removed)
    }

    /// Upgrade from a pre-7.0 single file (`loadAppendOnlyFiles` +
    /// `aofUpgradePrepare`). When `<dir>/<appendfilename>` exists and the
    /// directory is missing, or the manifest lists nothing, or it lists only
    /// a base with that very name which is not in the directory yet (a
    /// crash mid-upgrade), the legacy file becomes base 1: the directory is
    /// created, the manifest persisted, then the file moved in. Each step is
    /// safe to redo after a crash. Returns true when it upgraded (Redis logs
    /// "Successfully migrated an old-style AOF file (...) into the AOF
    /// directory (...)").
    pub fn upgrade_if_needed(&self, m: &mut Manifest) -> Result<bool, AofError> {
        let legacy = self.legacy_path();
        if !legacy.is_file() {
            return Ok(false);
        }
        let half_done = m.incrs.is_empty()
            && m.base.as_ref().is_some_and(|b| b.name == self.filename)
            && !self.path_of(&self.filename).exists();
        if self.dir.is_dir() && !m.is_empty() && !half_done {
            return Ok(false);
        }
        self.create_if_missing()?;
        let mut next = m.clone();
        next.base = Some(AofFile { name: self.filename.clone(), seq: 1, kind: FileKind::Base });
        next.curr_base_seq = 1;
        self.persist_manifest(&next)?;
        fs::rename(&legacy, self.path_of(&self.filename))
            .map_err(io_err("Error trying to move the old AOF file into the AOF dir", &legacy))?;
        self.fsync_dir()?;
        *m = next;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aof::testutil::scratch;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn missing_dir_or_manifest_is_empty() {
        let root = scratch("dir-missing");
        let d = AofDir::new(root.join("appendonlydir"), "appendonly.aof");
        assert!(d.load_manifest().unwrap().is_empty());
        d.create_if_missing().unwrap();
        assert!(d.load_manifest().unwrap().is_empty());
        fs::write(d.manifest_path(), "junk\n").unwrap();
        let e = d.load_manifest().unwrap_err();
        assert!(e.to_string().contains("Invalid AOF manifest file format"), "{e}");
    }

    #[test]
    fn start_creates_base_incr_and_manifest_like_redis() {
        let root = scratch("dir-start");
        let d = AofDir::new(root.join("appendonlydir"), "appendonly.aof");
        let mut m = d.load_manifest().unwrap();
        let r = d.start(&mut m, true, &mut |p| fs::write(p, b"REDIS0010")).unwrap();
        assert_eq!(r.base_created.as_deref(), Some("appendonly.aof.1.base.rdb"));
        assert_eq!(r.incr_name, "appendonly.aof.1.incr.aof");
        assert!(r.incr_created);
        // What Redis 7.0.15 writes on a first start with appendonly yes.
        assert_eq!(
            fs::read_to_string(d.manifest_path()).unwrap(),
            "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
        );
        assert_eq!(names(&d.dir), ["appendonly.aof.1.base.rdb", "appendonly.aof.1.incr.aof", "appendonly.aof.manifest"]);
        // A second start reopens the same incr file.
        let mut m2 = d.load_manifest().unwrap();
        let r2 = d.start(&mut m2, true, &mut |_| panic!("no base needed")).unwrap();
        assert!(!r2.incr_created);
        assert_eq!(m2, m);
    }

    #[test]
    fn rewrite_steps_produce_redis_manifests() {
        let root = scratch("dir-rewrite");
        let d = AofDir::new(root.join("appendonlydir"), "appendonly.aof");
        let mut m = Manifest::default();
        d.start(&mut m, true, &mut |p| fs::write(p, b"")).unwrap();
        // (a) rewrite starts
        let (_f, incr) = d.open_new_incr(&mut m).unwrap();
        assert_eq!(incr, "appendonly.aof.2.incr.aof");
        // (b) the child's base is ready
        let tmp = root.join("temp-rewriteaof-bg-1.aof");
        fs::write(&tmp, b"REDIS").unwrap();
        let base = d.install_rewrite(&mut m, &tmp, true, true, false).unwrap();
        assert_eq!(base, "appendonly.aof.2.base.rdb");
        // Byte for byte what Redis 7.0.15 wrote after its first BGREWRITEAOF
        // with aof-disable-auto-gc yes.
        let want = fs::read_to_string(crate::aof::testutil::sample("after-first-rewrite.manifest")).unwrap();
        assert_eq!(fs::read_to_string(d.manifest_path()).unwrap(), want);
        // (c) history deleted
        let removed = d.delete_history(&mut m).unwrap();
        assert_eq!(removed, ["appendonly.aof.1.incr.aof", "appendonly.aof.1.base.rdb"]);
        assert_eq!(names(&d.dir), ["appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof", "appendonly.aof.manifest"]);
        assert_eq!(
            fs::read_to_string(d.manifest_path()).unwrap(),
            "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n"
        );
    }

    #[test]
    fn failed_install_leaves_manifest_alone() {
        let root = scratch("dir-fail");
        let d = AofDir::new(root.join("appendonlydir"), "appendonly.aof");
        let mut m = Manifest::default();
        d.start(&mut m, false, &mut |p| fs::write(p, b"")).unwrap();
        let before = m.clone();
        let e = d.install_rewrite(&mut m, &root.join("nope"), false, true, false).unwrap_err();
        assert!(e.to_string().contains("rename the temporary AOF base file"), "{e}");
        assert_eq!(m, before);
    }

    #[test]
    fn turning_aof_on_lists_the_temp_incr() {
        let root = scratch("dir-waitrw");
        let d = AofDir::new(root.join("appendonlydir"), "appendonly.aof");
        d.create_if_missing().unwrap();
        let mut m = Manifest::default();
        let (mut f, name) = d.open_temp_incr().unwrap();
        assert_eq!(name, "temp-appendonly.aof.incr");
        f.write_all(b"*1\r\n$4\r\nPING\r\n").unwrap();
        let tmp = root.join("temp-rewriteaof-bg-9.aof");
        fs::write(&tmp, b"").unwrap();
        d.install_rewrite(&mut m, &tmp, true, false, true).unwrap();
        assert_eq!(
            fs::read_to_string(d.manifest_path()).unwrap(),
            "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
        );
        assert_eq!(fs::read(d.path_of("appendonly.aof.1.incr.aof")).unwrap(), b"*1\r\n$4\r\nPING\r\n");
    }

    #[test]
    fn legacy_upgrade_then_start_matches_redis() {
        let root = scratch("dir-upgrade-start");
        fs::write(root.join("appendonly.aof"), b"*1\r\n$4\r\nPING\r\n").unwrap();
        let d = AofDir::new(root.join("appendonlydir"), "appendonly.aof");
        let mut m = d.load_manifest().unwrap();
        assert!(d.upgrade_if_needed(&mut m).unwrap());
        let r = d.start(&mut m, true, &mut |_| panic!("the legacy file is the base")).unwrap();
        assert!(r.incr_created);
        // What redis-server 7.0.15 left after starting on a legacy appendonly.aof.
        assert_eq!(
            fs::read_to_string(d.manifest_path()).unwrap(),
            "file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
        );
        assert_eq!(names(&d.dir), ["appendonly.aof", "appendonly.aof.1.incr.aof", "appendonly.aof.manifest"]);
        assert_eq!(names(&root), ["appendonlydir"]);
    }

    #[test]
    fn legacy_upgrade() {
        let root = scratch("dir-upgrade");
        fs::write(root.join("appendonly.aof"), b"*1\r\n$4\r\nPING\r\n").unwrap();
        let d = AofDir::new(root.join("appendonlydir"), "appendonly.aof");
        let mut m = d.load_manifest().unwrap();
        assert!(d.upgrade_if_needed(&mut m).unwrap());
        assert_eq!(fs::read_to_string(d.manifest_path()).unwrap(), "file appendonly.aof seq 1 type b\n");
        assert!(!root.join("appendonly.aof").exists());
        assert!(d.path_of("appendonly.aof").is_file());
        // Nothing left to upgrade.
        assert!(!d.upgrade_if_needed(&mut m).unwrap());
        // Crash after the manifest was written but before the move: redone.
        fs::rename(d.path_of("appendonly.aof"), root.join("appendonly.aof")).unwrap();
        let mut m = d.load_manifest().unwrap();
        assert!(d.upgrade_if_needed(&mut m).unwrap());
        assert!(d.path_of("appendonly.aof").is_file());
        // A real multi-part directory wins over a stray legacy file.
        let mut m = d.load_manifest().unwrap();
        d.start(&mut m, true, &mut |_| Ok(())).unwrap();
        fs::write(root.join("appendonly.aof"), b"").unwrap();
        let mut m = d.load_manifest().unwrap();
        assert!(!d.upgrade_if_needed(&mut m).unwrap());
    }
}
