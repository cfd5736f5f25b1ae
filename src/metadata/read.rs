//! Reads one source root: its Security settings once, then each app from the files the root's
//! index linked to it, handed out one at a time. Which element holds which setting is the
//! mapping's business (`mapping.rs`, read by `app.rs`); this file decides which files make an
//! app, and what a missing or second file means.

use std::path::{Path, PathBuf};

use super::app::Acc;
use super::index::{self, name_of, Files, Index};
use super::walk::{Read, Walker};
use super::{AppKind, AppReport, Part, ProblemLevel};
use crate::settings::Field;
use crate::snapshot::{Page, Snapshot};

/// Why a retrieve usually lacks the global OAuth settings file, and how to get it: the Metadata
/// API's special access rule for the type (docs/salesforce-facts.md, "Checked against the
/// sources": Metadata API).
pub const GLOBAL_OAUTH_MISSING: &str = "Salesforce includes ExtlClntAppGlobalOauthSettings in a retrieve only while the org allows \"Allow Access to OAuth Consumer Secrets via Metadata API\" (Setup > External Client App Settings), and only for a user with \"View External Client Apps Consumer Secrets in Metadata\" where the user has a developer role. Turn the setting on for the retrieve and off again right after: Salesforce's Metadata Secrets Protection control recommends keeping it off";

/// Org-wide settings of one source root (`Security.settings`), read once and given to each of
/// its apps.
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

/// A new accumulator for one app's snapshot.
fn acc_for(app: &str) -> Acc {
    Acc::new(Snapshot::new(Page::Metadata).with(Field::ApiName, app))
}

impl Walker<'_> {
    /// Loads the first of `candidates` that is there and reads its settings into `acc`.
    fn load_part(&mut self, part: Part, candidates: &[PathBuf], acc: &mut Acc) -> Option<(PathBuf, Read)> {
        for path in candidates {
            match self.load(part, path, &mut acc.problems) {
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

    /// Reads every app of one source root.
    pub fn read_root(&mut self, root: &Path) {
        let Index {
            ecas,
            companions,
            connected_apps,
            security,
            not_checked,
        } = {
            let index = index::build(self, root);
            if index.is_empty() {
                return;
            }
            self.summary.roots += 1;
            self.summary.files_found += index.files();
            index
        };
        self.summary.not_checked += not_checked;
        let org = self.read_org(security);
        let before = self.summary.apps;
        let mut skipped_name = false;
        let (apps, mut groups) = index::link(ecas, companions);
        if self.select.wants(AppKind::Eca) {
            let mut last: Option<String> = None;
            for (app, path) in apps {
                if last.as_deref() == Some(app.as_str()) {
                    let reason = format!("a second {} file for app {app}; ignored", Part::Eca.type_name());
                    self.problem(path, reason, ProblemLevel::Warning);
                    continue;
                }
                last = Some(app.clone());
                let files = groups.remove(&app).unwrap_or_default();
                if self.selected(&app, &mut skipped_name) {
                    let report = self.read_eca(root, &app, Some(path), files, &org);
                    self.emit(report);
                }
            }
            for (app, files) in std::mem::take(&mut groups) {
                if self.selected(&app, &mut skipped_name) {
                    let report = self.read_eca(root, &app, None, files, &org);
                    self.emit(report);
                }
            }
        } else {
            // Apps with a main file, and apps known only from their companions.
            let mut names: Vec<String> = apps.into_iter().map(|(a, _)| a).collect();
            names.dedup();
            let orphans: Vec<String> = groups.into_keys().filter(|g| names.binary_search(g).is_err()).collect();
            self.skip_kind(names.into_iter().chain(orphans));
        }
        let mut cas: Vec<(String, PathBuf)> = connected_apps
            .into_iter()
            .map(|p| {
                (
                    Part::ConnectedApp.app_of(&name_of(&p)).unwrap_or_default().to_string(),
                    p,
                )
            })
            .collect();
        cas.sort();
        if self.select.wants(AppKind::ConnectedApp) {
            let mut last: Option<String> = None;
            for (app, path) in cas {
                if last.as_deref() == Some(app.as_str()) {
                    let reason = format!(
                        "a second {} file for app {app}; ignored",
                        Part::ConnectedApp.type_name()
                    );
                    self.problem(path, reason, ProblemLevel::Warning);
                    continue;
                }
                last = Some(app.clone());
                if self.selected(&app, &mut skipped_name) {
                    let report = self.read_connected_app(root, &app, &path, &org);
                    self.emit(report);
                }
            }
        } else {
            self.skip_kind(cas.into_iter().map(|(a, _)| a));
        }
        // A root with no app to check (none, or only apps of the other kind) still has its
        // org-wide settings checked; with --app, only the named apps' roots count.
        let none_read = self.summary.apps == before && !skipped_name && self.select.names.is_empty();
        if let Some(org) = org.filter(|o| none_read && o.path.is_some()) {
            let mut report = AppReport {
                kind: AppKind::OrgSettings,
                name: "Security settings".into(),
                root: root.to_path_buf(),
                snapshot: Snapshot::new(Page::Metadata),
                files: Vec::new(),
                locations: Vec::new(),
                problems: Vec::new(),
            };
            org.apply(&mut report.snapshot, &mut report.files, &mut report.locations);
            self.emit(report);
        }
    }

    /// Whether the app named `app` is selected; counts it when not.
    fn selected(&mut self, app: &str, skipped_name: &mut bool) -> bool {
        if self.select.names.is_empty() || self.select.names.iter().any(|n| n == app) {
            return true;
        }
        self.summary.skipped_name += 1;
        *skipped_name = true;
        false
    }

    /// Counts apps of the kind the selection leaves out.
    fn skip_kind(&mut self, names: impl Iterator<Item = String>) {
        for name in names {
            self.summary.skipped_kind += 1;
            if self.select.names.contains(&name) && !self.summary.named_other_kind.contains(&name) {
                self.summary.named_other_kind.push(name);
            }
        }
    }

    fn read_org(&mut self, mut security: Vec<PathBuf>) -> Option<Org> {
        security.sort();
        for extra in security.iter().skip(1) {
            let reason = format!(
                "a second {} file in this source folder; ignored (the org's settings come from {})",
                Part::Security.type_name(),
                security.first().map(|p| p.display().to_string()).unwrap_or_default()
            );
            self.problem(extra.clone(), reason, ProblemLevel::Warning);
        }
        let first = security.into_iter().next()?;
        let mut acc = Acc::new(Snapshot::new(Page::Metadata));
        let (path, read) = self.load_part(Part::Security, &[first], &mut acc)?;
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

    fn read_eca(
        &mut self,
        root: &Path,
        app: &str,
        eca_file: Option<PathBuf>,
        linked: Files,
        org: &Option<Org>,
    ) -> AppReport {
        let mut acc = acc_for(app);
        let mut files: Vec<(Part, PathBuf)> = Vec::new();
        // A missing file is named where a retrieve of the same format would have put it: in the
        // standard folder beside the one the app's main file (or first companion) is in.
        let known = eca_file.clone().or_else(|| linked.first().map(|(_, p)| p.clone()));
        let mdapi = known.as_ref().is_some_and(|p| !name_of(p).ends_with("-meta.xml"));
        let home = known
            .as_ref()
            .and_then(|p| p.parent())
            .map(|dir| match (dir.file_name(), dir.parent()) {
                (Some(n), Some(up)) if super::walk::is_metadata_folder(&n.to_string_lossy()) => up.to_path_buf(),
                _ => dir.to_path_buf(),
            })
            .unwrap_or_else(|| root.to_path_buf());
        let expected = |part: Part| {
            home.join(if mdapi {
                part.mdapi_relative_path(app)
            } else {
                part.relative_path(app)
            })
        };
        let eca_path = eca_file.clone().unwrap_or_else(|| expected(Part::Eca));
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
                let shown = linked.first().map_or_else(|| eca_path.clone(), |(_, p)| p.clone());
                acc.problem(
                    &shown,
                    format!(
                        "companion file of app {app}, but there is no {} (the app's main file); checked without it",
                        Part::Eca.relative_path(app).display()
                    ),
                    ProblemLevel::Warning,
                );
                acc.snap.unreadable(
                    Field::DistributionState,
                    format!("{} is missing", Part::Eca.relative_path(app).display()),
                );
            }
        }
        let mut read: Vec<Part> = Vec::new();
        for part in Part::COMPANIONS {
            let candidates: Vec<PathBuf> = linked
                .iter()
                .filter(|(p, _)| *p == part)
                .map(|(_, p)| p.clone())
                .collect();
            let Some((path, r)) = self.load_part(part, &candidates, &mut acc) else {
                continue;
            };
            if let Read::Ok(doc) = &r {
                acc.owner(&path, doc, app);
                if part == Part::GlobalOauth {
                    acc.secret_in(&path, doc, "consumerSecret");
                }
            }
            for other in candidates.iter().filter(|c| **c != path) {
                let reason = format!(
                    "a second {} file for app {app}; ignored (the app's is {})",
                    part.type_name(),
                    name_of(&path)
                );
                acc.problem(other, reason, ProblemLevel::Warning);
            }
            files.push((part, path));
            read.push(part);
        }
        let has = |part: Part| read.contains(&part);
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
                    let why = if part == Part::GlobalOauth {
                        self.summary.global_oauth_missing += 1;
                        "its settings (callback URLs, secrets, PKCE, flows) are not checked; see the note at the end"
                    } else {
                        "its settings are not checked"
                    };
                    acc.missing(part, &expected(part), app, why);
                    files.push((part, expected(part)));
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
            root: root.to_path_buf(),
            snapshot,
            files,
            locations,
            problems,
        }
    }

    fn read_connected_app(&mut self, root: &Path, app: &str, path: &Path, org: &Option<Org>) -> AppReport {
        let mut acc = acc_for(app);
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
            root: root.to_path_buf(),
            snapshot,
            files,
            locations,
            problems,
        }
    }
}
