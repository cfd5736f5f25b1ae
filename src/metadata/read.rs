//! Walks a retrieved metadata tree and hands out one [`AppReport`] per app, as it goes.
//!
//! Memory stays flat in the number of apps: a source root's apps are read one at a time, by
//! file name; only the names of one folder (to sort them) and companion files that do not
//! follow the `NAME_suffix` naming are held while a source root is read.

use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::xml;
use super::{AppKind, AppReport, Event, Part, Problem, ProblemLevel};
use crate::snapshot::{field, IpRange, Page, Snapshot, Unreadable};

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

/// The outcome of reading one part of an app.
enum Read<T> {
    /// No such file.
    Missing,
    /// There, but unusable (the reason is already reported).
    Failed(String),
    /// Parsed.
    Ok(T),
}

/// An app's companion files that do not follow `NAME_suffix`, or whose app has no `.eca-meta.xml`.
type Extra = BTreeMap<String, Vec<(Part, PathBuf)>>;

/// Org-wide settings of one source root.
#[derive(Default, Clone)]
struct Org {
    path: Option<PathBuf>,
    lock_sessions_to_ip: Option<bool>,
    lock_sessions_to_domain: Option<bool>,
    enforce_ip_ranges_every_request: Option<bool>,
    trusted_ip_ranges: Option<Vec<IpRange>>,
    unreadable: Vec<Unreadable>,
}

impl Org {
    fn apply(&self, snap: &mut Snapshot, files: &mut Vec<(Part, PathBuf)>) {
        snap.lock_sessions_to_ip = self.lock_sessions_to_ip;
        snap.lock_sessions_to_domain = self.lock_sessions_to_domain;
        snap.enforce_ip_ranges_every_request = self.enforce_ip_ranges_every_request;
        snap.trusted_ip_ranges.clone_from(&self.trusted_ip_ranges);
        snap.unreadable.extend(self.unreadable.iter().cloned());
        if let Some(p) = &self.path {
            files.push((Part::Security, p.clone()));
        }
    }
}

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

    /// Reads, checks the structure of and parses one file. Problems go to `problems`.
    fn load<T: for<'de> serde::Deserialize<'de>>(
        &mut self,
        part: Part,
        path: &Path,
        problems: &mut Vec<Problem>,
    ) -> Read<T> {
        let text = match read_text(path) {
            Ok(t) => t,
            Err(e) if e.kind() == ErrorKind::NotFound => return Read::Missing,
            Err(e) => return self.failed(path, format!("cannot be read: {e}"), problems),
        };
        let outline = match xml::outline(&text, part) {
            Ok(o) => o,
            Err(reason) => return self.failed(path, reason, problems),
        };
        if outline.root != part.type_name() {
            return self.failed(
                path,
                format!(
                    "not {} metadata: the root element is <{}>, expected <{}>",
                    part.type_name(),
                    outline.root,
                    part.type_name()
                ),
                problems,
            );
        }
        if !outline.unknown.is_empty() {
            problems.push(Problem {
                path: path.to_path_buf(),
                reason: format!(
                    "unknown element{} <{}> ignored (a newer API version, or a typo?)",
                    if outline.unknown.len() > 1 { "s" } else { "" },
                    outline.unknown.join(">, <")
                ),
                level: ProblemLevel::Warning,
            });
        }
        match xml::parse::<T>(&text) {
            Ok(v) => {
                self.summary.files_read += 1;
                Read::Ok(v)
            }
            Err(reason) => self.failed(path, reason, problems),
        }
    }

    /// Loads the first of `candidates` that exists; returns its path (None: none exists).
    fn load_first<T: for<'de> serde::Deserialize<'de>>(
        &mut self,
        part: Part,
        candidates: &[PathBuf],
        problems: &mut Vec<Problem>,
        out: &mut Read<T>,
    ) -> Option<PathBuf> {
        for path in candidates {
            *out = self.load(part, path, problems);
            if !matches!(out, Read::Missing) {
                return Some(path.clone());
            }
        }
        None
    }

    fn failed<T>(&mut self, path: &Path, reason: String, problems: &mut Vec<Problem>) -> Read<T> {
        self.summary.files_failed += 1;
        problems.push(Problem {
            path: path.to_path_buf(),
            reason: reason.clone(),
            level: ProblemLevel::Error,
        });
        Read::Failed(reason)
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
                let mut snapshot = Snapshot {
                    page: Page::Metadata,
                    ..Snapshot::default()
                };
                let mut files = Vec::new();
                org.apply(&mut snapshot, &mut files);
                self.emit(AppReport {
                    kind: AppKind::OrgSettings,
                    name: "Security settings".into(),
                    root: dir.to_path_buf(),
                    snapshot,
                    files,
                    problems: Vec::new(),
                });
            }
        }
    }

    fn read_org(&mut self, dir: &Path) -> Option<Org> {
        let mut path = dir.join(Part::Security.relative_path(""));
        if !path.exists() {
            path = dir.join(Part::Security.mdapi_relative_path(""));
        }
        let mut problems = Vec::new();
        let mut org = Org::default();
        match self.load::<xml::Security>(Part::Security, &path, &mut problems) {
            Read::Missing => return None,
            Read::Failed(reason) => {
                org.unreadable = unreadable(Part::Security, &path, &reason);
            }
            Read::Ok(sec) => {
                org.path = Some(path.clone());
                if let Some(s) = &sec.session_settings {
                    let mut b = |name: &str, f: &str, v: &Option<String>| match xml::boolean(name, v) {
                        Ok(b) => b,
                        Err(reason) => {
                            problems.push(Problem {
                                path: path.clone(),
                                reason: reason.clone(),
                                level: ProblemLevel::Error,
                            });
                            org.unreadable.push(Unreadable {
                                field: f.into(),
                                reason,
                            });
                            None
                        }
                    };
                    org.lock_sessions_to_ip = b("lockSessionsToIp", field::LOCK_SESSIONS_TO_IP, &s.lock_sessions_to_ip);
                    org.lock_sessions_to_domain = b(
                        "lockSessionsToDomain",
                        field::LOCK_SESSIONS_TO_DOMAIN,
                        &s.lock_sessions_to_domain,
                    );
                    org.enforce_ip_ranges_every_request = b(
                        "enforceIpRangesEveryRequest",
                        field::ENFORCE_IP_RANGES_EVERY_REQUEST,
                        &s.enforce_ip_ranges_every_request,
                    );
                }
                if let Some(n) = &sec.network_access {
                    org.trusted_ip_ranges = Some(
                        n.ip_ranges
                            .iter()
                            .map(|r| IpRange {
                                start: xml::text(&r.start).unwrap_or_default(),
                                end: xml::text(&r.end).unwrap_or_default(),
                            })
                            .collect(),
                    );
                }
            }
        }
        for p in problems {
            self.problem(p.path, p.reason, p.level);
        }
        Some(org)
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
        let mut snap = Snapshot {
            page: Page::Metadata,
            api_name: Some(app.to_string()),
            ..Snapshot::default()
        };
        let mut files: Vec<(Part, PathBuf)> = Vec::new();
        let mut problems: Vec<Problem> = Vec::new();
        // ExternalClientApplication
        let has_eca = eca_file.is_some();
        let eca_path = eca_file.unwrap_or_else(|| dir.join(Part::Eca.relative_path(app)));
        if has_eca {
            match self.load::<xml::Eca>(Part::Eca, &eca_path, &mut problems) {
                Read::Ok(e) => {
                    snap.name = xml::text(&e.label);
                    snap.contact_email = xml::text(&e.contact_email);
                    snap.distribution_state = xml::text(&e.distribution_state);
                    files.push((Part::Eca, eca_path.clone()));
                }
                Read::Failed(reason) => {
                    snap.unreadable.extend(unreadable(Part::Eca, &eca_path, &reason));
                    files.push((Part::Eca, eca_path.clone()));
                }
                Read::Missing => {}
            }
        } else {
            let shown = extra
                .first()
                .map(|(_, p)| p.clone())
                .unwrap_or_else(|| eca_path.clone());
            problems.push(Problem {
                path: shown,
                reason: format!(
                    "companion file of app {app}, but there is no {} (the app's main file); checked without it",
                    Part::Eca.relative_path(app).display()
                ),
                level: ProblemLevel::Error,
            });
            snap.unreadable.push(Unreadable {
                field: field::DISTRIBUTION_STATE.into(),
                reason: format!("{} is missing", Part::Eca.relative_path(app).display()),
            });
        }

        // Companions.
        let mut plcy: Read<xml::Policies> = Read::Missing;
        let mut glbl: Read<xml::GlobalOauth> = Read::Missing;
        let mut oauth: Read<xml::OauthSettings> = Read::Missing;
        let mut oplcy: Read<xml::OauthPolicies> = Read::Missing;
        let mut paths: Vec<(Part, PathBuf)> = Vec::new();
        for part in Part::COMPANIONS {
            // Source format, Metadata API format, then a file that names the app inside.
            let mut candidates = vec![
                dir.join(part.relative_path(app)),
                dir.join(part.mdapi_relative_path(app)),
            ];
            candidates.extend(extra.iter().filter(|(p, _)| *p == part).map(|(_, p)| p.clone()).take(1));
            let path = match part {
                Part::Policies => self.load_first(part, &candidates, &mut problems, &mut plcy),
                Part::GlobalOauth => self.load_first(part, &candidates, &mut problems, &mut glbl),
                Part::OauthSettings => self.load_first(part, &candidates, &mut problems, &mut oauth),
                Part::OauthPolicies => self.load_first(part, &candidates, &mut problems, &mut oplcy),
                _ => None,
            };
            if let Some(path) = path {
                paths.push((part, path));
            }
        }
        for (part, path) in &extra {
            if paths.iter().any(|(p, chosen)| p == part && chosen != path) {
                problems.push(Problem {
                    path: path.clone(),
                    reason: format!("a second {} file for app {app}; ignored", part.type_name()),
                    level: ProblemLevel::Warning,
                });
            }
        }
        for (part, path) in &paths {
            let failed = match part {
                Part::Policies => matches!(plcy, Read::Failed(_)),
                Part::GlobalOauth => matches!(glbl, Read::Failed(_)),
                Part::OauthSettings => matches!(oauth, Read::Failed(_)),
                Part::OauthPolicies => matches!(oplcy, Read::Failed(_)),
                _ => false,
            };
            if failed {
                files.push((*part, path.clone()));
            }
        }
        let path_for = |part: Part| {
            paths
                .iter()
                .find(|(p, _)| *p == part)
                .map(|(_, path)| path.clone())
                .unwrap_or_else(|| dir.join(part.relative_path(app)))
        };

        let bad_value = |snap: &mut Snapshot, problems: &mut Vec<Problem>, part: Part, f: &str, r: String| {
            problems.push(Problem {
                path: path_for(part),
                reason: r.clone(),
                level: ProblemLevel::Error,
            });
            snap.unreadable.push(Unreadable {
                field: f.into(),
                reason: r,
            });
        };
        macro_rules! boolean {
            ($part:expr, $name:literal, $field:expr, $value:expr) => {
                match xml::boolean($name, $value) {
                    Ok(v) => v,
                    Err(r) => {
                        bad_value(&mut snap, &mut problems, $part, $field, r);
                        None
                    }
                }
            };
        }

        let any_oauth_file =
            !matches!(glbl, Read::Missing) || !matches!(oauth, Read::Missing) || !matches!(oplcy, Read::Missing);
        match &plcy {
            Read::Ok(p) => {
                let enabled = boolean!(Part::Policies, "isEnabled", field::OAUTH_ENABLED, &p.is_enabled);
                let plugin = boolean!(
                    Part::Policies,
                    "isOauthPluginEnabled",
                    field::OAUTH_ENABLED,
                    &p.is_oauth_plugin_enabled
                );
                snap.oauth_enabled = Some(enabled.unwrap_or(true) && plugin.unwrap_or(true));
                files.push((Part::Policies, path_for(Part::Policies)));
                check_owner(
                    &mut problems,
                    &path_for(Part::Policies),
                    app,
                    &p.external_client_application,
                );
            }
            Read::Failed(reason) => {
                snap.unreadable
                    .extend(unreadable(Part::Policies, &path_for(Part::Policies), reason))
            }
            Read::Missing => snap.oauth_enabled = Some(any_oauth_file),
        }
        if snap.oauth_enabled == Some(false) && !any_oauth_file && matches!(plcy, Read::Missing) {
            problems.push(Problem {
                path: eca_path.clone(),
                reason: format!(
                    "app {app} has no OAuth settings ({}, {}): OAuth is not enabled for it",
                    Part::GlobalOauth.relative_path(app).display(),
                    Part::OauthSettings.relative_path(app).display()
                ),
                level: ProblemLevel::Warning,
            });
        }
        let oauth_on = snap.oauth_enabled != Some(false);

        match &glbl {
            Read::Ok(g) => {
                let path = path_for(Part::GlobalOauth);
                snap.callback_url = Some(g.callback_url.as_deref().unwrap_or("").trim().to_string());
                let optional = boolean!(
                    Part::GlobalOauth,
                    "isConsumerSecretOptional",
                    field::REQUIRE_SECRET_WEB_SERVER,
                    &g.is_consumer_secret_optional
                );
                // Inference (salesforce-facts.md): "Require secret for Web Server Flow" is the
                // negation of isConsumerSecretOptional (default false).
                if !snap
                    .unreadable
                    .iter()
                    .any(|u| u.field == field::REQUIRE_SECRET_WEB_SERVER)
                {
                    snap.require_secret_web_server = Some(!optional.unwrap_or(false));
                }
                snap.require_secret_refresh = boolean!(
                    Part::GlobalOauth,
                    "isSecretRequiredForRefreshToken",
                    field::REQUIRE_SECRET_REFRESH,
                    &g.is_secret_required_for_refresh_token
                )
                .or_else(|| default_if_readable(&snap, field::REQUIRE_SECRET_REFRESH, true));
                snap.require_pkce = boolean!(
                    Part::GlobalOauth,
                    "isPkceRequired",
                    field::REQUIRE_PKCE,
                    &g.is_pkce_required
                )
                .or_else(|| default_if_readable(&snap, field::REQUIRE_PKCE, true));
                snap.code_credentials_flow = boolean!(
                    Part::GlobalOauth,
                    "isCodeCredFlowEnabled",
                    field::CODE_CREDENTIALS_FLOW,
                    &g.is_code_cred_flow_enabled
                )
                .or_else(|| default_if_readable(&snap, field::CODE_CREDENTIALS_FLOW, false));
                snap.client_credentials_flow = boolean!(
                    Part::GlobalOauth,
                    "isClientCredentialsFlowEnabled",
                    field::CLIENT_CREDENTIALS_FLOW,
                    &g.is_client_credentials_flow_enabled
                )
                .or_else(|| default_if_readable(&snap, field::CLIENT_CREDENTIALS_FLOW, false));
                if xml::text(&g.consumer_secret).is_some() {
                    problems.push(Problem {
                        path: path.clone(),
                        reason: "holds a <consumerSecret>: anyone who can read this file can act as the app; remove it from source control and rotate the secret".into(),
                        level: ProblemLevel::Warning,
                    });
                }
                check_owner(&mut problems, &path, app, &g.external_client_application);
                files.push((Part::GlobalOauth, path));
            }
            Read::Failed(reason) => {
                snap.unreadable
                    .extend(unreadable(Part::GlobalOauth, &path_for(Part::GlobalOauth), reason))
            }
            Read::Missing if oauth_on => missing(&mut snap, &mut problems, &mut files, dir, app, Part::GlobalOauth),
            Read::Missing => {}
        }
        match &oauth {
            Read::Ok(o) => {
                snap.scopes = Some(
                    o.comma_separated_oauth_scopes
                        .as_deref()
                        .unwrap_or("")
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect(),
                );
                let path = path_for(Part::OauthSettings);
                check_owner(&mut problems, &path, app, &o.external_client_application);
                files.push((Part::OauthSettings, path));
            }
            Read::Failed(reason) => {
                snap.unreadable
                    .extend(unreadable(Part::OauthSettings, &path_for(Part::OauthSettings), reason))
            }
            Read::Missing if oauth_on => missing(&mut snap, &mut problems, &mut files, dir, app, Part::OauthSettings),
            Read::Missing => {}
        }
        match &oplcy {
            Read::Ok(o) => {
                snap.permitted_users = xml::text(&o.permitted_users_policy_type);
                snap.ip_relaxation = xml::text(&o.ip_relaxation_policy_type);
                snap.refresh_token_policy = xml::text(&o.refresh_token_policy_type);
                let path = path_for(Part::OauthPolicies);
                check_owner(&mut problems, &path, app, &o.external_client_application);
                files.push((Part::OauthPolicies, path));
            }
            Read::Failed(reason) => {
                snap.unreadable
                    .extend(unreadable(Part::OauthPolicies, &path_for(Part::OauthPolicies), reason))
            }
            Read::Missing if oauth_on => missing(&mut snap, &mut problems, &mut files, dir, app, Part::OauthPolicies),
            Read::Missing => {}
        }
        if let Some(org) = org {
            org.apply(&mut snap, &mut files);
        }
        AppReport {
            kind: AppKind::Eca,
            name: app.to_string(),
            root: dir.to_path_buf(),
            snapshot: snap,
            files,
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
        let mut snap = Snapshot {
            page: Page::Metadata,
            api_name: Some(app.to_string()),
            ..Snapshot::default()
        };
        let mut problems = Vec::new();
        let mut files = vec![(Part::ConnectedApp, path.to_path_buf())];
        match self.load::<xml::ConnectedApp>(Part::ConnectedApp, path, &mut problems) {
            Read::Ok(ca) => {
                snap.name = xml::text(&ca.label);
                snap.contact_email = xml::text(&ca.contact_email);
                snap.oauth_enabled = Some(ca.oauth_config.is_some());
                let mut b = |name: &str, f: &str, v: &Option<String>, default: bool| match xml::boolean(name, v) {
                    Ok(v) => Some(v.unwrap_or(default)),
                    Err(reason) => {
                        problems.push(Problem {
                            path: path.to_path_buf(),
                            reason: reason.clone(),
                            level: ProblemLevel::Error,
                        });
                        snap.unreadable.push(Unreadable {
                            field: f.into(),
                            reason,
                        });
                        None
                    }
                };
                if let Some(c) = &ca.oauth_config {
                    let secret_optional = b(
                        "isConsumerSecretOptional",
                        field::REQUIRE_SECRET_WEB_SERVER,
                        &c.is_consumer_secret_optional,
                        false,
                    );
                    let refresh = b(
                        "isSecretRequiredForRefreshToken",
                        field::REQUIRE_SECRET_REFRESH,
                        &c.is_secret_required_for_refresh_token,
                        true,
                    );
                    let pkce = b("isPkceRequired", field::REQUIRE_PKCE, &c.is_pkce_required, false);
                    let code = b(
                        "isCodeCredentialEnabled",
                        field::CODE_CREDENTIALS_FLOW,
                        &c.is_code_credential_enabled,
                        false,
                    );
                    let client = b(
                        "isClientCredentialEnabled",
                        field::CLIENT_CREDENTIALS_FLOW,
                        &c.is_client_credential_enabled,
                        false,
                    );
                    let admin = b("isAdminApproved", field::PERMITTED_USERS, &c.is_admin_approved, false);
                    snap.callback_url = Some(c.callback_url.as_deref().unwrap_or("").trim().to_string());
                    snap.scopes = Some(
                        c.scopes
                            .iter()
                            .map(|s| s.trim().to_string())
                            .filter(|s| !s.is_empty())
                            .collect(),
                    );
                    snap.require_secret_web_server = secret_optional.map(|o| !o);
                    snap.require_secret_refresh = refresh;
                    snap.require_pkce = pkce;
                    snap.code_credentials_flow = code;
                    snap.client_credentials_flow = client;
                    snap.permitted_users = admin.map(|a| {
                        if a {
                            "AdminApprovedPreAuthorized".to_string()
                        } else {
                            "AllSelfAuthorized".to_string()
                        }
                    });
                    if xml::text(&c.consumer_secret).is_some() {
                        problems.push(Problem {
                            path: path.to_path_buf(),
                            reason: "holds a <consumerSecret>: anyone who can read this file can act as the app; remove it from source control and rotate the secret".into(),
                            level: ProblemLevel::Warning,
                        });
                    }
                }
                if let Some(p) = &ca.oauth_policy {
                    snap.ip_relaxation = xml::text(&p.ip_relaxation).map(|v| connected_app_ip_relaxation(&v));
                    snap.refresh_token_policy = xml::text(&p.refresh_token_policy);
                }
            }
            Read::Failed(reason) => {
                files.clear();
                snap.unreadable.extend(unreadable(Part::ConnectedApp, path, &reason));
            }
            Read::Missing => {
                files.clear();
                problems.push(Problem {
                    path: path.to_path_buf(),
                    reason: "vanished while being read".into(),
                    level: ProblemLevel::Error,
                });
            }
        }
        if files.is_empty() {
            files.push((Part::ConnectedApp, path.to_path_buf()));
        }
        if let Some(org) = org {
            org.apply(&mut snap, &mut files);
        }
        AppReport {
            kind: AppKind::ConnectedApp,
            name: app.to_string(),
            root: dir.to_path_buf(),
            snapshot: snap,
            files,
            problems,
        }
    }
}

/// A Connected App's `ipRelaxation` (`ENFORCE`, `BYPASS`, `ENFORCE_ACTIVATED_DEVICES`) in the
/// ECA spelling the packs use.
fn connected_app_ip_relaxation(v: &str) -> String {
    match v.to_ascii_uppercase().as_str() {
        "ENFORCE" => "Enforce".into(),
        "BYPASS" => "Bypass".into(),
        "ENFORCE_ACTIVATED_DEVICES" => "Bypass_2factor".into(),
        _ => v.to_string(),
    }
}

/// The default of a field the file leaves out, unless a bad value made it unreadable.
fn default_if_readable(snap: &Snapshot, f: &str, default: bool) -> Option<bool> {
    if snap.unreadable.iter().any(|u| u.field == f) {
        None
    } else {
        Some(default)
    }
}

/// `<externalClientApplication>` of a companion file, without a full parse.
fn owner_of(text: &str) -> Option<String> {
    let start = text.find("<externalClientApplication>")? + "<externalClientApplication>".len();
    let end = text[start..].find("</externalClientApplication>")? + start;
    let v = text[start..end].trim();
    (!v.is_empty()).then(|| v.to_string())
}

fn check_owner(problems: &mut Vec<Problem>, path: &Path, app: &str, owner: &Option<String>) {
    if let Some(o) = xml::text(owner) {
        if o != app {
            problems.push(Problem {
                path: path.to_path_buf(),
                reason: format!(
                    "<externalClientApplication> names `{o}`, but the file belongs to app `{app}` by its name"
                ),
                level: ProblemLevel::Warning,
            });
        }
    }
}

fn unreadable(part: Part, path: &Path, reason: &str) -> Vec<Unreadable> {
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    part.fields()
        .iter()
        .map(|f| Unreadable {
            field: (*f).to_string(),
            reason: format!("{file}: {reason}"),
        })
        .collect()
}

fn missing(
    snap: &mut Snapshot,
    problems: &mut Vec<Problem>,
    files: &mut Vec<(Part, PathBuf)>,
    dir: &Path,
    app: &str,
    part: Part,
) {
    let rel = part.relative_path(app);
    files.push((part, dir.join(&rel)));
    problems.push(Problem {
        path: dir.join(&rel),
        reason: format!(
            "missing companion file of app {app} ({}); its settings are not checked",
            part.type_name()
        ),
        level: ProblemLevel::Error,
    });
    for f in part.fields() {
        snap.unreadable.push(Unreadable {
            field: (*f).to_string(),
            reason: format!("{} is missing", rel.display()),
        });
    }
}
