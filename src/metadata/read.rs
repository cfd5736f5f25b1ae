//! Walks a retrieved metadata tree and hands out one [`AppReport`] per app, as it goes.
//!
//! Memory stays flat in the number of apps: a source root's apps are read one at a time, by
//! file name; only the names of one folder (to sort them) and companion files that do not
//! follow the `NAME_suffix` naming are held while a source root is read.

use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::app::{self, Acc};
use super::xml::Doc;
use super::{AppKind, AppReport, Event, Part, Problem, ProblemLevel};
use crate::settings::Field;
use crate::snapshot::{Page, Snapshot};

/// Files larger than this are not metadata of these types; they are refused unread.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Counts of what the walk saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Source roots found (folders holding `externalClientApps/`, `connectedApps/` or `settings/`).
    pub roots: usize,
    /// Reports handed out (apps, plus org settings of roots without apps).
    pub apps: usize,
    /// Metadata files read and parsed.
    pub files_read: usize,
    /// Metadata files that could not be read or parsed.
    pub files_failed: usize,
    /// Problems reported (all levels).
    pub problems: usize,
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

const FOLDERS: [Part; 7] = [
    Part::Eca,
    Part::Policies,
    Part::GlobalOauth,
    Part::OauthSettings,
    Part::OauthPolicies,
    Part::Security,
    Part::ConnectedApp,
];

fn is_metadata_folder(name: &str) -> bool {
    FOLDERS.iter().any(|p| p.folder() == name)
}

struct Walker<'a> {
    sink: &'a mut dyn FnMut(Event),
    summary: Summary,
}

/// Walks `dir` (any depth, any number of source roots) and calls `sink` for each app and each
/// problem that belongs to no app. Errors only when `dir` itself cannot be read.
pub fn walk(dir: &Path, sink: &mut dyn FnMut(Event)) -> Result<Summary, WalkError> {
    let meta = std::fs::metadata(dir).map_err(|e| match e.kind() {
        ErrorKind::NotFound => WalkError::NotFound(dir.to_path_buf()),
        _ => WalkError::Unreadable(dir.to_path_buf(), e.to_string()),
    })?;
    if !meta.is_dir() {
        return Err(WalkError::NotADirectory(dir.to_path_buf()));
    }
    std::fs::read_dir(dir).map_err(|e| WalkError::Unreadable(dir.to_path_buf(), e.to_string()))?;
    // `…/default/externalClientApps` given: read its source root.
    let base = match dir.file_name().and_then(|n| n.to_str()) {
        Some(n) if is_metadata_folder(n) => dir.parent().unwrap_or(dir).to_path_buf(),
        _ => dir.to_path_buf(),
    };
    let mut w = Walker {
        sink,
        summary: Summary::default(),
    };
    let walker = walkdir::WalkDir::new(&base)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            if e.depth() == 0 || !e.file_type().is_dir() {
                return true;
            }
            let name = e.file_name().to_string_lossy();
            !(is_metadata_folder(&name) || name.starts_with('.') || name == "node_modules")
        });
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_dir() => w.maybe_root(e.path()),
            Ok(_) => {}
            Err(e) => {
                let path = e.path().map(Path::to_path_buf).unwrap_or_else(|| base.clone());
                let reason = e.io_error().map(|io| io.to_string()).unwrap_or_else(|| e.to_string());
                w.problem(path, format!("folder cannot be read: {reason}"), ProblemLevel::Error);
            }
        }
    }
    Ok(w.summary)
}

/// Reads a file as UTF-8 text, refusing huge files.
fn read_text(path: &Path) -> Result<String, std::io::Error> {
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
enum Read {
    /// No such file.
    Missing,
    /// There, but unusable (the reason is already reported).
    Failed(String),
    /// Parsed.
    Ok(Doc),
}

/// An app's companion files that do not follow `NAME_suffix`, or whose app has no `.eca-meta.xml`.
type Extra = BTreeMap<String, Vec<(Part, PathBuf)>>;

/// Org-wide settings of one source root (`Security.settings-meta.xml`), read once and given to
/// each of its apps.
#[derive(Default, Clone)]
struct Org {
    path: Option<PathBuf>,
    snap: Snapshot,
    locations: Vec<(Field, Part, usize)>,
}

impl Org {
    fn apply(&self, snap: &mut Snapshot, files: &mut Vec<(Part, PathBuf)>, locations: &mut Vec<(Field, Part, usize)>) {
        for (f, v) in self.snap.values() {
            snap.set(f, v.clone());
        }
        snap.unreadable.extend(self.snap.unreadable.iter().cloned());
        snap.defaulted.extend(self.snap.defaulted.iter().copied());
        locations.extend(self.locations.iter().copied());
        if let Some(p) = &self.path {
            files.push((Part::Security, p.clone()));
        }
    }
}

/// Where to tell the admin a missing global OAuth settings file usually comes from.
const GLOBAL_OAUTH_MISSING: &str = "a retrieve includes it only while the org allows \"Allow access to External Client App consumer secrets via Metadata API\" (Setup › External Client App Settings); turn that on for the retrieve, then off again, as Salesforce's Metadata Secrets Protection control recommends";

impl Walker<'_> {
    fn problem(&mut self, path: PathBuf, reason: String, level: ProblemLevel) {
        self.summary.problems += 1;
        (self.sink)(Event::Problem(Problem { path, reason, level }));
    }

    fn emit(&mut self, report: AppReport) {
        self.summary.apps += 1;
        self.summary.problems += report.problems.len();
        (self.sink)(Event::App(Box::new(report)));
    }

    /// Lists the `.…-meta.xml` files of one folder, sorted; reports other entries.
    fn list(&mut self, folder: &Path, part: Part) -> Vec<String> {
        let mut names = Vec::new();
        self.each(folder, part, &mut |name| names.push(name));
        names.sort_unstable();
        names
    }

    /// Calls `f` with each `.…-meta.xml` file name of one folder (unsorted, nothing held);
    /// reports other entries.
    fn each(&mut self, folder: &Path, part: Part, f: &mut dyn FnMut(String)) {
        let entries = match std::fs::read_dir(folder) {
            Ok(e) => e,
            Err(e) if e.kind() == ErrorKind::NotFound => return,
            Err(e) => {
                self.problem(
                    folder.to_path_buf(),
                    format!("folder cannot be read: {e}"),
                    ProblemLevel::Error,
                );
                return;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    self.problem(
                        folder.to_path_buf(),
                        format!("folder cannot be listed: {e}"),
                        ProblemLevel::Error,
                    );
                    continue;
                }
            };
            let name = entry.file_name().to_string_lossy().into_owned();
            if part.is_type_file(&name) {
                f(name);
            } else if !name.starts_with('.') {
                self.problem(
                    entry.path(),
                    format!(
                        "not {} metadata (expected NAME{} in {}/); ignored",
                        part.type_name(),
                        part.type_suffix(),
                        part.folder()
                    ),
                    ProblemLevel::Warning,
                );
            }
        }
    }

    /// Companion files that `NAME_suffix` with an existing `NAME.eca-meta.xml` does not claim,
    /// keyed by the app they name in `<externalClientApplication>`.
    fn index_extra(&mut self, dir: &Path, ecas: &[String]) -> Extra {
        let mut extra = Extra::new();
        let has_eca = |app: &str| {
            ecas.binary_search_by(|n| Part::Eca.app_of(n).unwrap_or(n).cmp(app))
                .is_ok()
        };
        for part in Part::COMPANIONS {
            let folder = dir.join(part.folder());
            let mut unclaimed: Vec<String> = Vec::new();
            self.each(&folder, part, &mut |name| {
                let claimed = part.app_of(&name).is_some_and(has_eca);
                if !claimed {
                    unclaimed.push(name);
                }
            });
            unclaimed.sort_unstable();
            for name in unclaimed {
                let path = folder.join(&name);
                let owner = read_text(&path)
                    .ok()
                    .and_then(|t| owner_of(&t))
                    .or_else(|| part.app_of(&name).map(str::to_string))
                    .unwrap_or_else(|| {
                        name.trim_end_matches(part.type_suffix())
                            .trim_end_matches(part.type_suffix().trim_end_matches("-meta.xml"))
                            .to_string()
                    });
                extra.entry(owner).or_default().push((part, path));
            }
        }
        extra
    }

    /// Reads, checks the structure of and parses one file. Problems go to `acc`.
    fn load(&mut self, part: Part, path: &Path, acc: &mut Acc) -> Read {
        let text = match read_text(path) {
            Ok(t) => t,
            Err(e) if e.kind() == ErrorKind::NotFound => return Read::Missing,
            Err(e) => return self.failed(path, format!("cannot be read: {e}"), acc),
        };
        match app::parse_part(part, path, &text, acc) {
            Ok(doc) => {
                self.summary.files_read += 1;
                Read::Ok(doc)
            }
            Err(reason) => self.failed(path, reason, acc),
        }
    }

    fn failed(&mut self, path: &Path, reason: String, acc: &mut Acc) -> Read {
        self.summary.files_failed += 1;
        acc.problem(path, reason.clone(), ProblemLevel::Error);
        Read::Failed(reason)
    }

    /// Loads the first of `candidates` that exists and reads its settings into `acc`.
    fn load_part(&mut self, part: Part, candidates: &[PathBuf], acc: &mut Acc) -> Option<(PathBuf, Read)> {
        for path in candidates {
            match self.load(part, path, acc) {
                Read::Missing => continue,
                Read::Failed(reason) => {
                    acc.failed(part, path, &reason);
                    return Some((path.clone(), Read::Failed(reason)));
                }
                Read::Ok(doc) => {
                    acc.read(part, path, &doc);
                    return Some((path.clone(), Read::Ok(doc)));
                }
            }
        }
        None
    }

    /// Reads `dir` as a source root if it holds metadata folders.
    fn maybe_root(&mut self, dir: &Path) {
        let has = |part: Part| dir.join(part.folder()).is_dir();
        let has_security = dir.join(Part::Security.relative_path("")).exists()
            || dir.join(Part::Security.mdapi_relative_path("")).exists();
        let has_eca = Part::COMPANIONS.iter().any(|p| has(*p)) || has(Part::Eca);
        let has_ca = has(Part::ConnectedApp);
        if !(has_eca || has_ca || has_security) {
            return;
        }
        self.summary.roots += 1;
        let org = self.read_org(dir);
        let before = self.summary.apps;
        if has_eca {
            self.read_ecas(dir, &org);
        }
        if has_ca {
            self.read_connected_apps(dir, &org);
        }
        if self.summary.apps == before {
            if let Some(org) = org.filter(|o| o.path.is_some()) {
                let mut report = AppReport {
                    kind: AppKind::OrgSettings,
                    name: "Security settings".into(),
                    root: dir.to_path_buf(),
                    snapshot: Snapshot::new(Page::Metadata),
                    files: Vec::new(),
                    locations: Vec::new(),
                    problems: Vec::new(),
                };
                org.apply(&mut report.snapshot, &mut report.files, &mut report.locations);
                self.emit(report);
            }
        }
    }

    fn read_org(&mut self, dir: &Path) -> Option<Org> {
        let candidates = [
            dir.join(Part::Security.relative_path("")),
            dir.join(Part::Security.mdapi_relative_path("")),
        ];
        let mut acc = Acc::new(Snapshot::new(Page::Metadata));
        let (path, read) = self.load_part(Part::Security, &candidates, &mut acc)?;
        let (snap, problems, locations) = acc.finish();
        for p in problems {
            self.problem(p.path, p.reason, p.level);
        }
        Some(Org {
            path: matches!(read, Read::Ok(_)).then_some(path),
            snap,
            locations,
        })
    }

    fn read_ecas(&mut self, dir: &Path, org: &Option<Org>) {
        let folder = dir.join(Part::Eca.folder());
        let mut ecas = self.list(&folder, Part::Eca);
        // Sorted by app name (not by file name: `A_b.eca-meta.xml` vs `A.eca-meta.xml`).
        ecas.sort_unstable_by(|a, b| {
            let key = |n: &str| Part::Eca.app_of(n).unwrap_or(n).to_string();
            key(a).cmp(&key(b))
        });
        let mut extra = self.index_extra(dir, &ecas);
        for name in ecas {
            let Some(app) = Part::Eca.app_of(&name) else {
                continue;
            };
            let more = extra.remove(app).unwrap_or_default();
            let report = self.read_eca(dir, app, Some(folder.join(&name)), more, org);
            self.emit(report);
        }
        for (app, files) in std::mem::take(&mut extra) {
            let report = self.read_eca(dir, &app, None, files, org);
            self.emit(report);
        }
    }

    fn read_eca(
        &mut self,
        dir: &Path,
        app: &str,
        eca_file: Option<PathBuf>,
        extra: Vec<(Part, PathBuf)>,
        org: &Option<Org>,
    ) -> AppReport {
        let mut acc = Acc::new(Snapshot::new(Page::Metadata).with(Field::ApiName, app));
        let mut files: Vec<(Part, PathBuf)> = Vec::new();
        let eca_path = eca_file
            .clone()
            .unwrap_or_else(|| dir.join(Part::Eca.relative_path(app)));
        match &eca_file {
            Some(path) => {
                if self
                    .load_part(Part::Eca, std::slice::from_ref(path), &mut acc)
                    .is_some()
                {
                    files.push((Part::Eca, path.clone()));
                }
            }
            None => {
                let shown = extra.first().map_or_else(|| eca_path.clone(), |(_, p)| p.clone());
                acc.problem(
                    &shown,
                    format!(
                        "companion file of app {app}, but there is no {} (the app's main file); checked without it",
                        Part::Eca.relative_path(app).display()
                    ),
                    ProblemLevel::Error,
                );
                acc.snap.unreadable(
                    Field::DistributionState,
                    format!("{} is missing", Part::Eca.relative_path(app).display()),
                );
            }
        }
        let mut read: Vec<(Part, PathBuf, bool)> = Vec::new(); // part, path, parsed
        for part in Part::COMPANIONS {
            let candidates = app::candidates(dir, part, app, &extra);
            if let Some((path, r)) = self.load_part(part, &candidates, &mut acc) {
                if let Read::Ok(doc) = &r {
                    acc.owner(&path, doc, app);
                    if part == Part::GlobalOauth {
                        acc.secret_in(&path, doc, "consumerSecret");
                    }
                }
                files.push((part, path.clone()));
                read.push((part, path, matches!(r, Read::Ok(_))));
            }
        }
        for (part, path) in &extra {
            if read.iter().any(|(p, chosen, _)| p == part && chosen != path) {
                acc.problem(
                    path,
                    format!("a second {} file for app {app}; ignored", part.type_name()),
                    ProblemLevel::Warning,
                );
            }
        }
        let has = |part: Part| read.iter().any(|(p, _, _)| *p == part);
        let any_oauth_file = has(Part::GlobalOauth) || has(Part::OauthSettings);
        if !has(Part::Policies) {
            // No policies file: OAuth is on exactly when the app has OAuth settings files.
            acc.snap.set(Field::OauthEnabled, any_oauth_file);
        }
        if acc.snap.bool(Field::OauthEnabled) == Some(false) && !any_oauth_file && !has(Part::Policies) {
            acc.problem(
                &eca_path,
                format!(
                    "app {app} has no OAuth settings ({}, {}): OAuth is not enabled for it",
                    Part::GlobalOauth.relative_path(app).display(),
                    Part::OauthSettings.relative_path(app).display()
                ),
                ProblemLevel::Warning,
            );
        }
        if acc.snap.bool(Field::OauthEnabled) != Some(false) {
            for part in [Part::GlobalOauth, Part::OauthSettings, Part::OauthPolicies] {
                if !has(part) {
                    let path = dir.join(part.relative_path(app));
                    let why = if part == Part::GlobalOauth {
                        format!("its settings are not checked; {GLOBAL_OAUTH_MISSING}")
                    } else {
                        "its settings are not checked".to_string()
                    };
                    acc.missing(part, &path, app, &why);
                    files.push((part, path));
                }
            }
        }
        let (mut snapshot, problems, mut locations) = acc.finish();
        if let Some(org) = org {
            org.apply(&mut snapshot, &mut files, &mut locations);
        }
        AppReport {
            kind: AppKind::Eca,
            name: app.to_string(),
            root: dir.to_path_buf(),
            snapshot,
            files,
            locations,
            problems,
        }
    }

    fn read_connected_apps(&mut self, dir: &Path, org: &Option<Org>) {
        let folder = dir.join(Part::ConnectedApp.folder());
        for name in self.list(&folder, Part::ConnectedApp) {
            let Some(app) = Part::ConnectedApp.app_of(&name) else {
                continue;
            };
            let path = folder.join(&name);
            let report = self.read_connected_app(dir, app, &path, org);
            self.emit(report);
        }
    }

    fn read_connected_app(&mut self, dir: &Path, app: &str, path: &Path, org: &Option<Org>) -> AppReport {
        let mut acc = Acc::new(Snapshot::new(Page::Metadata).with(Field::ApiName, app));
        let mut files = vec![(Part::ConnectedApp, path.to_path_buf())];
        match self.load_part(Part::ConnectedApp, &[path.to_path_buf()], &mut acc) {
            Some((_, Read::Ok(doc))) => acc.secret_in(path, &doc, "oauthConfig/consumerSecret"),
            Some(_) => {}
            None => acc.problem(path, "vanished while being read".into(), ProblemLevel::Error),
        }
        if acc.snap.bool(Field::OauthEnabled) == Some(false) {
            // Without an oauthConfig there are no OAuth settings to check (nor to miss).
            for f in Part::ConnectedApp.fields().filter(|f| *f != Field::OauthEnabled) {
                acc.snap.remove(f);
            }
        }
        let (mut snapshot, problems, mut locations) = acc.finish();
        if snapshot.bool(Field::OauthEnabled) == Some(false) {
            snapshot
                .unreadable
                .retain(|u| !Part::ConnectedApp.fields().any(|f| f == u.field));
        }
        if let Some(org) = org {
            org.apply(&mut snapshot, &mut files, &mut locations);
        }
        AppReport {
            kind: AppKind::ConnectedApp,
            name: app.to_string(),
            root: dir.to_path_buf(),
            snapshot,
            files,
            locations,
            problems,
        }
    }
}

/// `<externalClientApplication>` of a companion file, without a full parse.
fn owner_of(text: &str) -> Option<String> {
    let start = text.find("<externalClientApplication>")? + "<externalClientApplication>".len();
    let end = text[start..].find("</externalClientApplication>")? + start;
    let v = text[start..end].trim();
    (!v.is_empty()).then(|| v.to_string())
}
