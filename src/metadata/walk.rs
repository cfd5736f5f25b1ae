//! Walks a metadata tree, finds its source roots, and hands out one [`AppReport`] per app as it
//! goes (the per-root file index: `index.rs`; the per-app readers: `read.rs`).
//!
//! A *source root* is the folder one org's metadata lives in: the first folder on the way down
//! that holds an `sfdx-project.json` (a project: all its package directories are one org), a
//! standard metadata folder (`externalClientApps/`, `settings/`, …; a Metadata API retrieve has
//! them beside its `package.xml`) or a metadata file itself. A `package.xml` alone is no mark:
//! a repository of many orgs may keep a manifest at its top. Below a root, files are recognised by their type's
//! suffix wherever they sit: the metadata registry marks these types `strictDirectoryName: false`
//! (docs/salesforce-facts.md, "Metadata values checked"), and hand-written projects use other
//! folders.
//!
//! Memory stays flat in the number of apps and roots: one root's file paths are held while it is
//! read, its apps are read and handed out one at a time, and nothing is kept between roots.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::xml::{self, Doc, XmlError};
use super::{AppKind, AppReport, Event, Part, Problem, ProblemLevel};

/// Files larger than this are not metadata of these types; they are refused unread.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Which apps to read. Apps of another kind, or not named, are counted, not read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Select {
    /// Only apps of this kind (`Eca` or `ConnectedApp`); `None`: both.
    pub kind: Option<AppKind>,
    /// Only apps with these API names; empty: every app. With names, roots that give no named
    /// app are not reported as org settings of their own.
    pub names: Vec<String>,
}

impl Select {
    /// Whether apps of `kind` are read.
    pub fn wants(&self, kind: AppKind) -> bool {
        self.kind.is_none_or(|k| k == kind)
    }
}

/// Counts of what the walk saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Source roots that held metadata files.
    pub roots: usize,
    /// Reports handed out (apps, plus org settings of roots without a selected app).
    pub apps: usize,
    /// Metadata files recognised (read or not).
    pub files_found: usize,
    /// Metadata files read and parsed.
    pub files_read: usize,
    /// Metadata files that could not be read or parsed.
    pub files_failed: usize,
    /// Problems reported (all levels).
    pub problems: usize,
    /// Apps not read because they are of the kind [`Select::kind`] leaves out.
    pub skipped_kind: usize,
    /// Apps not read because [`Select::names`] does not name them.
    pub skipped_name: usize,
    /// Names of [`Select::names`] that are apps of the kind left out.
    pub named_other_kind: Vec<String>,
    /// ECAs read without their ExtlClntAppGlobalOauthSettings file.
    pub global_oauth_missing: usize,
    /// ExtlClntAppOauthSecuritySettings files: recognised, not checked.
    pub not_checked: usize,
}

/// The input as a whole could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WalkError {
    /// No such file or folder.
    #[error("{0}: no such file or directory")]
    NotFound(PathBuf),
    /// A file where a folder was expected.
    #[error("{0}: not a directory (pass the folder `sf project retrieve` wrote, e.g. force-app)")]
    NotADirectory(PathBuf),
    /// The folder itself cannot be listed.
    #[error("{0}: cannot be read: {1}")]
    Unreadable(PathBuf, String),
}

/// Why one file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// Reading it failed.
    #[error("cannot be read: {0}")]
    Io(#[from] std::io::Error),
    /// Not well-formed XML.
    #[error(transparent)]
    Xml(#[from] XmlError),
    /// Another type's file with this type's suffix.
    #[error("not {expected} metadata: the root element is <{found}>, expected <{expected}>")]
    Root {
        /// The root element found.
        found: String,
        /// The type's root element.
        expected: &'static str,
    },
}

/// Whether a folder's name is one of the standard metadata folders.
pub fn is_metadata_folder(name: &str) -> bool {
    Part::ALL.iter().any(|p| p.folder() == name)
}

/// Folders never read: tool state (`.sfdx`, `.git`, …) and installed packages.
pub fn is_skipped_folder(name: &str) -> bool {
    name.starts_with('.') || name == "node_modules"
}

/// Whether `dir` is a source root (see the module documentation).
fn is_root(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let name = e.file_name();
        let name = name.to_string_lossy();
        let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
        name == "sfdx-project.json" || (is_dir && is_metadata_folder(&name)) || Part::of_file(&name).is_some()
    })
}

/// Walks `dir` (any depth, any number of source roots) and calls `sink` for each selected app
/// and each problem that belongs to no app. Errors only when `dir` itself cannot be read.
pub fn walk(dir: &Path, select: &Select, sink: &mut dyn FnMut(Event)) -> Result<Summary, WalkError> {
    let meta = std::fs::metadata(dir).map_err(|e| match e.kind() {
        ErrorKind::NotFound => WalkError::NotFound(dir.to_path_buf()),
        _ => WalkError::Unreadable(dir.to_path_buf(), e.to_string()),
    })?;
    if !meta.is_dir() {
        return Err(WalkError::NotADirectory(dir.to_path_buf()));
    }
    std::fs::read_dir(dir).map_err(|e| WalkError::Unreadable(dir.to_path_buf(), e.to_string()))?;
    // `…/default/externalClientApps` given: its apps' companions are in the sibling folders.
    let base = match dir.file_name().and_then(|n| n.to_str()) {
        Some(n) if is_metadata_folder(n) => match dir.parent() {
            Some(p) if p.as_os_str().is_empty() => PathBuf::from("."),
            Some(p) => p.to_path_buf(),
            None => dir.to_path_buf(),
        },
        _ => dir.to_path_buf(),
    };
    let mut w = Walker {
        sink,
        select,
        summary: Summary::default(),
    };
    let mut entries = walkdir::WalkDir::new(&base)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = entries.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                w.walk_error(&base, &e);
                continue;
            }
        };
        if !entry.file_type().is_dir() {
            continue;
        }
        if entry.depth() > 0 && is_skipped_folder(&entry.file_name().to_string_lossy()) {
            entries.skip_current_dir();
            continue;
        }
        if is_root(entry.path()) {
            w.read_root(entry.path());
            entries.skip_current_dir();
        }
    }
    Ok(w.summary)
}

/// Reads a file as UTF-8 text, refusing huge files and folders.
pub fn read_text(path: &Path) -> Result<String, std::io::Error> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(std::io::Error::other("is a directory, not a file"));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(std::io::Error::other(format!(
            "{} bytes, too large for this metadata type (limit {MAX_FILE_BYTES})",
            meta.len()
        )));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0) + 1);
    file.read_to_end(&mut bytes)?;
    let text = String::from_utf8(bytes)
        .map_err(|e| std::io::Error::other(format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to())))?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// The outcome of reading one file.
pub enum Read {
    /// No such file (it went away since the folder was listed).
    Missing,
    /// There, but unusable (the reason is already reported).
    Failed(String),
    /// Parsed.
    Ok(Doc),
}

/// The walk's state: where events go, what is selected, what was seen.
pub struct Walker<'a> {
    sink: &'a mut dyn FnMut(Event),
    /// Which apps to read.
    pub select: &'a Select,
    /// Counts so far.
    pub summary: Summary,
}

impl Walker<'_> {
    /// A problem that belongs to no app.
    pub fn problem(&mut self, path: PathBuf, reason: String, level: ProblemLevel) {
        self.summary.problems += 1;
        (self.sink)(Event::Problem(Problem { path, reason, level }));
    }

    /// A folder the walk could not enter.
    pub fn walk_error(&mut self, base: &Path, e: &walkdir::Error) {
        let path = e.path().map(Path::to_path_buf).unwrap_or_else(|| base.to_path_buf());
        if e.loop_ancestor().is_some() {
            let reason = "a link back to a folder above it; not followed".to_string();
            self.problem(path, reason, ProblemLevel::Warning);
            return;
        }
        let reason = e.io_error().map(|io| io.to_string()).unwrap_or_else(|| e.to_string());
        self.problem(path, format!("folder cannot be read: {reason}"), ProblemLevel::Error);
    }

    /// Hands out one report.
    pub fn emit(&mut self, report: AppReport) {
        self.summary.apps += 1;
        self.summary.problems += report.problems.len();
        (self.sink)(Event::App(Box::new(report)));
    }

    /// Reads, checks the structure of and parses one file. Problems go to `problems`.
    pub fn load(&mut self, part: Part, path: &Path, problems: &mut Vec<Problem>) -> Read {
        let parsed = read_text(path)
            .map_err(FileError::from)
            .and_then(|text| parse_part(part, path, &text));
        let doc = match parsed {
            Ok((doc, warning)) => {
                problems.extend(warning);
                doc
            }
            Err(FileError::Io(e)) if e.kind() == ErrorKind::NotFound => return Read::Missing,
            Err(e) => {
                self.summary.files_failed += 1;
                let reason = e.to_string();
                problems.push(Problem {
                    path: path.to_path_buf(),
                    reason: reason.clone(),
                    level: ProblemLevel::Error,
                });
                return Read::Failed(reason);
            }
        };
        self.summary.files_read += 1;
        Read::Ok(doc)
    }
}

/// Parses one file's text as metadata of kind `part`: well-formed XML whose root element is the
/// type's own. Elements this reader does not know come back as a warning about `path`.
pub fn parse_part(part: Part, path: &Path, text: &str) -> Result<(Doc, Option<Problem>), FileError> {
    let doc = xml::parse(text, part)?;
    if doc.root.name != part.type_name() {
        return Err(FileError::Root {
            found: doc.root.name.clone(),
            expected: part.type_name(),
        });
    }
    let warning = (!doc.unknown.is_empty()).then(|| Problem {
        path: path.to_path_buf(),
        reason: format!(
            "unknown element{} <{}> ignored (a newer API version, or a typo?)",
            if doc.unknown.len() > 1 { "s" } else { "" },
            doc.unknown.join(">, <")
        ),
        level: ProblemLevel::Warning,
    });
    Ok((doc, warning))
}
