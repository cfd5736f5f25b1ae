//! One source root's metadata files, found by suffix at any depth below it, and the ECA
//! companion files linked to their app: by the `NAME_suffix` naming a retrieve writes, else by
//! the `<externalClientApplication>` element the file carries (a hand-written project may name
//! and place companions freely: docs/salesforce-facts.md, "Metadata values checked").

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::walk::{is_skipped_folder, read_text, Walker};
use super::{Part, ProblemLevel};

/// One app's files, in the order they are tried (per part: the conventionally named one first).
pub type Files = Vec<(Part, PathBuf)>;

/// The metadata files of one source root.
#[derive(Debug, Default)]
pub struct Index {
    /// `ExternalClientApplication` files.
    pub ecas: Vec<PathBuf>,
    /// ECA companion files (policies, global OAuth, OAuth settings, OAuth policies).
    pub companions: Files,
    /// `ConnectedApp` files.
    pub connected_apps: Vec<PathBuf>,
    /// `Security.settings` files (one is expected).
    pub security: Vec<PathBuf>,
    /// `ExtlClntAppOauthSecuritySettings` files: named, not checked.
    pub not_checked: usize,
}

impl Index {
    /// Whether the root holds no metadata file at all.
    pub fn is_empty(&self) -> bool {
        self.ecas.is_empty()
            && self.companions.is_empty()
            && self.connected_apps.is_empty()
            && self.security.is_empty()
            && self.not_checked == 0
    }

    /// How many metadata files it holds.
    pub fn files(&self) -> usize {
        self.ecas.len() + self.companions.len() + self.connected_apps.len() + self.security.len() + self.not_checked
    }
}

/// The file name of a path, as text.
pub fn name_of(path: &Path) -> String {
    path.file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Symlinked folders followed below one root, at most.
const MAX_LINKED: usize = 64;

/// Lists every metadata file below `root`. Reports files in a standard ECA or Connected App
/// folder that are not metadata of any of these types, and folders that cannot be read.
pub fn build(w: &mut Walker<'_>, root: &Path) -> Index {
    let mut index = Index::default();
    let mut linked = Vec::new();
    if let Ok(canonical) = std::fs::canonicalize(root) {
        linked.push(canonical);
    }
    collect(w, root, &mut index, &mut linked);
    index
}

/// Walks without following links, so that no file is `stat`ed: the folder listing's file type
/// is enough (a retrieve holds thousands of files). A symlink is looked at on its own: a linked
/// folder is walked as if it were here, a linked file is taken by its name.
fn collect(w: &mut Walker<'_>, root: &Path, index: &mut Index, linked: &mut Vec<PathBuf>) {
    let mut entries = walkdir::WalkDir::new(root).sort_by_file_name().into_iter();
    while let Some(entry) = entries.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                w.walk_error(root, &e);
                continue;
            }
        };
        if entry.depth() == 0 {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        let mut is_dir = entry.file_type().is_dir();
        if entry.file_type().is_symlink() {
            is_dir = std::fs::metadata(entry.path()).is_ok_and(|m| m.is_dir());
            if is_dir && Part::of_file(&name).is_none() {
                // Each linked folder once, and never one that holds the root (a loop).
                let target = std::fs::canonicalize(entry.path()).ok();
                let seen = target
                    .as_ref()
                    .is_none_or(|t| linked.iter().any(|l| l == t || l.starts_with(t)));
                if !seen && linked.len() <= MAX_LINKED && !is_skipped_folder(&name) {
                    linked.extend(target);
                    collect(w, entry.path(), index, linked);
                }
                continue;
            }
        }
        if is_dir && is_skipped_folder(&name) {
            entries.skip_current_dir();
            continue;
        }
        match Part::of_file(&name) {
            // A folder with a metadata file's name is recorded too: reading it says why it fails.
            Some(part) => {
                if is_dir {
                    entries.skip_current_dir();
                }
                let path = entry.path().to_path_buf();
                match part {
                    Part::Eca => index.ecas.push(path),
                    Part::ConnectedApp => index.connected_apps.push(path),
                    Part::Security => index.security.push(path),
                    Part::OauthSecurity => index.not_checked += 1,
                    _ => index.companions.push((part, path)),
                }
            }
            None if !is_dir && !name.starts_with('.') => stray(w, entry.path()),
            None => {}
        }
    }
}

/// A file in an ECA or Connected App folder that is no metadata of these types (a settings
/// folder holds many other settings files, which are not ours to judge).
fn stray(w: &mut Walker<'_>, path: &Path) {
    let folder = path
        .parent()
        .and_then(|p| p.file_name())
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Some(part) = Part::ALL
        .into_iter()
        .find(|p| p.folder() == folder && *p != Part::Security)
    else {
        return;
    };
    w.problem(
        path.to_path_buf(),
        format!(
            "not {} metadata (expected NAME{} in {}/); ignored",
            part.type_name(),
            part.type_suffix(),
            part.folder()
        ),
        ProblemLevel::Warning,
    );
}

/// `<externalClientApplication>` of a companion file, without a full parse.
fn owner_of(text: &str) -> Option<String> {
    let start = text.find("<externalClientApplication>")? + "<externalClientApplication>".len();
    let end = text[start..].find("</externalClientApplication>")? + start;
    let v = text[start..end].trim();
    (!v.is_empty()).then(|| v.to_string())
}

/// The app name a file's name gives (`A_oauth.ecaOauth-meta.xml` → `A`; `Foo.ecaOauth` → `Foo`).
fn app_by_name(part: Part, name: &str) -> String {
    part.app_of(name).map(str::to_string).unwrap_or_else(|| {
        name.trim_end_matches(part.type_suffix())
            .trim_end_matches(part.type_suffix().trim_end_matches("-meta.xml"))
            .to_string()
    })
}

/// The ECAs of a root, sorted by app name: `(app, main file)`; and the companions grouped by app
/// (apps without a main file included). A companion named `NAME_suffix` belongs to app `NAME`
/// when that app has a main file; any other belongs to the app its `<externalClientApplication>`
/// names (or, without one, to the app its name gives).
pub fn link(ecas: Vec<PathBuf>, companions: Files) -> (Vec<(String, PathBuf)>, BTreeMap<String, Files>) {
    let mut apps: Vec<(String, PathBuf)> = ecas
        .into_iter()
        .map(|p| (app_by_name(Part::Eca, &name_of(&p)), p))
        .collect();
    apps.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    let has_eca = |app: &str| apps.binary_search_by(|(n, _)| n.as_str().cmp(app)).is_ok();
    let mut groups: BTreeMap<String, Vec<(Part, PathBuf, bool)>> = BTreeMap::new();
    for (part, path) in companions {
        let name = name_of(&path);
        let by_name = part.app_of(&name).filter(|a| has_eca(a)).map(str::to_string);
        let conventional = by_name.is_some();
        let owner = by_name
            .or_else(|| read_text(&path).ok().and_then(|t| owner_of(&t)))
            .unwrap_or_else(|| app_by_name(part, &name));
        groups.entry(owner).or_default().push((part, path, conventional));
    }
    // The conventionally named files first, each kind's in path order.
    let groups = groups
        .into_iter()
        .map(|(app, mut files)| {
            files.sort_by_key(|(_, _, conventional)| !conventional);
            (app, files.into_iter().map(|(part, path, _)| (part, path)).collect())
        })
        .collect();
    (apps, groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_kinds_by_suffix_in_both_formats() {
        for (name, part) in [
            ("A.eca-meta.xml", Some(Part::Eca)),
            ("A.eca", Some(Part::Eca)),
            ("A_glbloauth.ecaGlblOauth-meta.xml", Some(Part::GlobalOauth)),
            ("Global.ecaGlblOauth", Some(Part::GlobalOauth)),
            ("A_oauthPlcy.ecaOauthPlcy", Some(Part::OauthPolicies)),
            ("A_oauth.ecaOauth-meta.xml", Some(Part::OauthSettings)),
            ("A.ecaOauthSecurity-meta.xml", Some(Part::OauthSecurity)),
            ("Security.settings-meta.xml", Some(Part::Security)),
            ("Security.settings", Some(Part::Security)),
            ("Account.settings-meta.xml", None),
            ("A.connectedApp", Some(Part::ConnectedApp)),
            (".eca-meta.xml", None),
            ("notes.txt", None),
        ] {
            assert_eq!(Part::of_file(name), part, "{name}");
        }
    }

    #[test]
    fn owner_element_is_found_without_a_parse() {
        assert_eq!(
            owner_of("<X>\n  <externalClientApplication> App </externalClientApplication></X>"),
            Some("App".into())
        );
        assert_eq!(owner_of("<X><externalClientApplication/></X>"), None);
    }
}
