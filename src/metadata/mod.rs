//! External Client App metadata as `sf project retrieve` writes it: a streaming reader that
//! maps each app to one [`Snapshot`] (`read`), and a generator that writes a deployable source
//! folder for a pack (`generate`). Native only (feature `metadata`): the Wasm build never
//! compiles it.
//!
//! Files and folders: docs/salesforce-facts.md, "External Client App metadata". Which element
//! holds which setting: `mapping.rs`. Files are recognised by their type's suffix wherever they
//! sit (the metadata registry marks these types `strictDirectoryName: false`), grouped into
//! source roots (`walk.rs`, `index.rs`) and read app by app (`read.rs`, `app.rs`).

mod app;
pub mod generate;
mod index;
mod known;
pub mod mapping;
mod read;
mod walk;
mod xml;

use std::path::{Path, PathBuf};

use crate::settings::Field;
use crate::snapshot::{Page, Snapshot};

pub use read::GLOBAL_OAUTH_MISSING;
pub use walk::{walk, Select, Summary, WalkError};

/// What one file gives: its settings, its problems, and where each value is (kind and line).
pub type FileRead = (Snapshot, Vec<Problem>, Vec<(Field, Part, usize)>);

/// One file's text read as metadata of kind `part`, with the walk's own parser and accumulator
/// but no file system: a file that cannot be used makes every setting it holds unreadable, a
/// bad value makes its one setting unreadable. `path` only names the file in problems. For
/// callers that hold the text already (the fuzz targets, property tests).
pub fn read_str(part: Part, path: &Path, text: &str) -> FileRead {
    let mut acc = app::Acc::new(Snapshot::new(Page::Metadata));
    match walk::parse_part(part, path, text) {
        Ok((doc, warning)) => {
            if let Some(w) = warning {
                acc.problem(&w.path, w.reason, w.level);
            }
            acc.read(part, path, &doc);
            match part {
                Part::GlobalOauth => acc.secret_in(path, &doc, "consumerSecret"),
                Part::ConnectedApp => acc.secret_in(path, &doc, "oauthConfig/consumerSecret"),
                _ => {}
            }
        }
        Err(e) => {
            let reason = e.to_string();
            acc.problem(path, reason.clone(), ProblemLevel::Error);
            acc.failed(part, path, &reason);
        }
    }
    acc.finish()
}

/// One metadata file kind an app is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// `ExternalClientApplication`: `externalClientApps/NAME.eca-meta.xml`.
    Eca,
    /// `ExtlClntAppConfigurablePolicies`: `extlClntAppPolicies/NAME_plcy.ecaPlcy-meta.xml`.
    Policies,
    /// `ExtlClntAppGlobalOauthSettings`: `extlClntAppGlobalOauthSets/NAME_glbloauth.ecaGlblOauth-meta.xml`.
    GlobalOauth,
    /// `ExtlClntAppOauthSettings`: `extlClntAppOauthSettings/NAME_oauth.ecaOauth-meta.xml`.
    OauthSettings,
    /// `ExtlClntAppOauthConfigurablePolicies`: `extlClntAppOauthPolicies/NAME_oauthPlcy.ecaOauthPlcy-meta.xml`.
    OauthPolicies,
    /// `SecuritySettings`: `settings/Security.settings-meta.xml` (org-wide).
    Security,
    /// Legacy `ConnectedApp`: `connectedApps/NAME.connectedApp-meta.xml`.
    ConnectedApp,
    /// `ExtlClntAppOauthSecuritySettings`: `extlClntAppOauthSecuritySettings/NAME.ecaOauthSecurity-meta.xml`.
    /// Recognised and named, not checked: the Metadata API guide documents no field of it that
    /// a pack could check.
    OauthSecurity,
}

impl Part {
    /// The ECA's companion files, in the order they are read.
    pub const COMPANIONS: [Part; 4] = [
        Part::Policies,
        Part::GlobalOauth,
        Part::OauthSettings,
        Part::OauthPolicies,
    ];

    /// Every file kind, in the order a file name is matched against their suffixes.
    pub const ALL: [Part; 8] = [
        Part::Eca,
        Part::Policies,
        Part::GlobalOauth,
        Part::OauthSettings,
        Part::OauthPolicies,
        Part::Security,
        Part::ConnectedApp,
        Part::OauthSecurity,
    ];

    /// The file kind of a file name (either format), wherever the file sits. Of the settings
    /// files only `Security.settings` is one: other settings are not read.
    pub fn of_file(file_name: &str) -> Option<Part> {
        let part = Part::ALL.into_iter().find(|p| p.is_type_file(file_name))?;
        match part {
            Part::Security => (part.app_of(file_name) == Some("Security")).then_some(part),
            _ => Some(part),
        }
    }

    /// The folder `sf project retrieve` puts it in.
    pub fn folder(self) -> &'static str {
        match self {
            Part::Eca => "externalClientApps",
            Part::Policies => "extlClntAppPolicies",
            Part::GlobalOauth => "extlClntAppGlobalOauthSets",
            Part::OauthSettings => "extlClntAppOauthSettings",
            Part::OauthPolicies => "extlClntAppOauthPolicies",
            Part::Security => "settings",
            Part::ConnectedApp => "connectedApps",
            Part::OauthSecurity => "extlClntAppOauthSecuritySettings",
        }
    }

    /// What the file name of app `NAME` ends with after `NAME`.
    pub fn name_suffix(self) -> &'static str {
        match self {
            Part::Eca => ".eca-meta.xml",
            Part::Policies => "_plcy.ecaPlcy-meta.xml",
            Part::GlobalOauth => "_glbloauth.ecaGlblOauth-meta.xml",
            Part::OauthSettings => "_oauth.ecaOauth-meta.xml",
            Part::OauthPolicies => "_oauthPlcy.ecaOauthPlcy-meta.xml",
            Part::Security => ".settings-meta.xml",
            Part::ConnectedApp => ".connectedApp-meta.xml",
            Part::OauthSecurity => ".ecaOauthSecurity-meta.xml",
        }
    }

    /// What every file of this type ends with (the type's file suffix).
    pub fn type_suffix(self) -> &'static str {
        match self {
            Part::Eca => ".eca-meta.xml",
            Part::Policies => ".ecaPlcy-meta.xml",
            Part::GlobalOauth => ".ecaGlblOauth-meta.xml",
            Part::OauthSettings => ".ecaOauth-meta.xml",
            Part::OauthPolicies => ".ecaOauthPlcy-meta.xml",
            Part::Security => ".settings-meta.xml",
            Part::ConnectedApp => ".connectedApp-meta.xml",
            Part::OauthSecurity => ".ecaOauthSecurity-meta.xml",
        }
    }

    /// The metadata type name, which is also the file's root element.
    pub fn type_name(self) -> &'static str {
        match self {
            Part::Eca => "ExternalClientApplication",
            Part::Policies => "ExtlClntAppConfigurablePolicies",
            Part::GlobalOauth => "ExtlClntAppGlobalOauthSettings",
            Part::OauthSettings => "ExtlClntAppOauthSettings",
            Part::OauthPolicies => "ExtlClntAppOauthConfigurablePolicies",
            Part::Security => "SecuritySettings",
            Part::ConnectedApp => "ConnectedApp",
            Part::OauthSecurity => "ExtlClntAppOauthSecuritySettings",
        }
    }

    /// The app name in a file name of this type, in source format (`A_oauth.ecaOauth-meta.xml`)
    /// or Metadata API format (`A_oauth.ecaOauth`, as `--target-metadata-dir` writes it).
    pub fn app_of(self, file_name: &str) -> Option<&str> {
        let suffix = self.name_suffix();
        file_name
            .strip_suffix(suffix)
            .or_else(|| file_name.strip_suffix(suffix.trim_end_matches("-meta.xml")))
            .filter(|n| !n.is_empty())
    }

    /// Whether a file name has this type's suffix (either format).
    pub fn is_type_file(self, file_name: &str) -> bool {
        let t = self.type_suffix();
        let m = t.trim_end_matches("-meta.xml");
        (file_name.ends_with(t) && file_name.len() > t.len()) || (file_name.ends_with(m) && file_name.len() > m.len())
    }

    /// `folder/NAME<suffix>` in Metadata API format (no `-meta.xml`).
    pub fn mdapi_relative_path(self, name: &str) -> PathBuf {
        let p = self.relative_path(name);
        let s = p.to_string_lossy();
        PathBuf::from(s.trim_end_matches("-meta.xml"))
    }

    /// `folder/NAME<suffix>` for app `name`.
    pub fn relative_path(self, name: &str) -> PathBuf {
        match self {
            Part::Security => Path::new("settings").join("Security.settings-meta.xml"),
            _ => Path::new(self.folder()).join(format!("{name}{}", self.name_suffix())),
        }
    }

    /// The settings this file holds.
    pub fn fields(self) -> impl Iterator<Item = Field> {
        mapping::fields_of(self)
    }
}

/// What kind of thing a report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppKind {
    /// An External Client App (its `.eca-meta.xml` and companions).
    Eca,
    /// A legacy Connected App.
    ConnectedApp,
    /// Org settings alone (a source root with `Security.settings-meta.xml` and no app).
    OrgSettings,
}

impl AppKind {
    /// A short word for output.
    pub fn as_str(self) -> &'static str {
        match self {
            AppKind::Eca => "External Client App",
            AppKind::ConnectedApp => "Connected App",
            AppKind::OrgSettings => "Org settings",
        }
    }
}

/// How bad a problem with a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProblemLevel {
    /// Something was ignored, left out or is risky (an unknown element, a companion file that is
    /// not there, a secret in the file); the settings it concerns are reported as unverified.
    Warning,
    /// A file, or a value in it, is there but could not be read: a check of that tree must not
    /// pass (`eca-guard check` exits 1).
    Error,
}

/// A problem reading one file. It never stops the walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file (or folder).
    pub path: PathBuf,
    /// Why, in words.
    pub reason: String,
    /// How bad.
    pub level: ProblemLevel,
}

/// One app (or the org settings of a source root), read and mapped to a snapshot.
#[derive(Debug, Clone)]
pub struct AppReport {
    /// What it is.
    pub kind: AppKind,
    /// API name (the file name's stem).
    pub name: String,
    /// The source root: the folder that holds `externalClientApps/`, `settings/`, ….
    pub root: PathBuf,
    /// What the files say.
    pub snapshot: Snapshot,
    /// Files read for it, by part.
    pub files: Vec<(Part, PathBuf)>,
    /// Where each setting's value was read: file kind and line.
    pub locations: Vec<(Field, Part, usize)>,
    /// Problems with its files.
    pub problems: Vec<Problem>,
}

impl AppReport {
    /// The file a setting comes from, and the line of its element when the file has it (for
    /// `file` and `line` in findings). Settings without a file of their own (a missing
    /// companion) point at the app's main file.
    pub fn location_of(&self, field: Option<Field>) -> Option<(&Path, Option<usize>)> {
        if let Some(f) = field {
            if let Some((_, part, line)) = self.locations.iter().find(|(lf, _, _)| *lf == f) {
                if let Some((_, path)) = self.files.iter().find(|(p, _)| p == part) {
                    return Some((path, Some(*line)));
                }
            }
            let parts = mapping::mapping(f).iter().map(|m| m.part);
            for part in parts {
                if let Some((_, path)) = self.files.iter().find(|(p, _)| *p == part) {
                    return Some((path, None));
                }
            }
        }
        self.files.first().map(|(_, p)| (p.as_path(), None))
    }

    /// The file a setting comes from (see [`AppReport::location_of`]).
    pub fn file_for(&self, field: Option<Field>) -> Option<&Path> {
        self.location_of(field).map(|(p, _)| p)
    }
}

/// What the walk hands out, in order.
#[derive(Debug, Clone)]
pub enum Event {
    /// An app, fully read.
    App(Box<AppReport>),
    /// A problem with a file that belongs to no single app (Security settings, a stray file).
    Problem(Problem),
}
