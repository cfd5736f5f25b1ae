//! Exit status as the contract says (docs/contract.md, "Command line"; docs/cli.md, "Exit
//! status"): 0 no errors, 1 errors (or a file that could not be read, or an --app that names
//! nothing while others were checked), 2 nothing could be read or nothing asked for is there.

#![allow(clippy::expect_used)] // Reason: a test that cannot run its setup should stop there.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

#[test]
fn app_that_names_nothing_fails_the_run() {
    let t = tempfile::tempdir().expect("tempdir");
    veeam_app(t.path(), "Present");
    // Nothing that --app asks for is there: exit 2, with the name.
    let (c, findings, err) = check_json("veeam-eca", &["--app", "Absent"], t.path());
    assert_eq!(c, 2, "{findings:#?}");
    assert!(err.contains("--app Absent: no app of this API name"), "{err}");
    assert!(err.contains("nothing to check"), "{err}");
    // One name there, one not: the named app is checked, and the run fails (exit 1).
    let mut args = VEEAM_CALLBACKS.to_vec();
    args.extend(["--app", "Present", "--app", "Absent"]);
    let (c, findings, err) = check_json("veeam-eca", &args, t.path());
    assert_eq!(c, 1, "{err}");
    assert!(findings.iter().any(|f| f["app"] == "Present"));
    assert!(err.contains("error: --app Absent: no app of this API name"), "{err}");
    // A name of the other kind is said to be one.
    let (c, _, err) = check_json("veeam-eca", &["--app", "Veeam_Legacy"], &fixture());
    assert_eq!(c, 2);
    assert!(
        err.contains("--app Veeam_Legacy: Veeam_Legacy is a Connected App; pack veeam-eca is for External Client Apps"),
        "{err}"
    );
}

#[test]
fn strict_fails_on_warnings_of_findings_and_of_files() {
    let t = tempfile::tempdir().expect("tempdir");
    let src = veeam_app(t.path(), "Extra");
    let oauth = file(&src, "extlClntAppOauthSettings", "Extra_oauth.ecaOauth-meta.xml");
    // A warning finding only: an extra scope.
    edit(&oauth, "Full, RefreshToken", "Full, RefreshToken, Web");
    let (c, findings, _) = check_json("veeam-eca", &VEEAM_CALLBACKS, t.path());
    assert_eq!(c, 0);
    assert_eq!(finding(&findings, "Extra", "scope-extra")["severity"], "warning");
    let mut strict = VEEAM_CALLBACKS.to_vec();
    strict.push("--strict");
    assert_eq!(check_json("veeam-eca", &strict, t.path()).0, 1);
    // A warning about a file only: an unknown element (no finding at all).
    edit(&oauth, "Full, RefreshToken, Web", "Full, RefreshToken");
    edit(&oauth, "<label>", "<isShiny>true</isShiny>\n    <label>");
    let (c, findings, err) = check_json("veeam-eca", &VEEAM_CALLBACKS, t.path());
    assert_eq!(c, 0, "{findings:#?}");
    assert!(findings.iter().all(|f| f["severity"] != "warning"), "{findings:#?}");
    assert!(err.contains("unknown element <isShiny>"), "{err}");
    assert_eq!(check_json("veeam-eca", &strict, t.path()).0, 1);
    // And a clean tree passes --strict.
    edit(&oauth, "<isShiny>true</isShiny>\n    ", "");
    assert_eq!(check_json("veeam-eca", &strict, t.path()).0, 0);
}

#[test]
fn file_paths_are_relative_to_the_folder_given() {
    let t = tempfile::tempdir().expect("tempdir");
    let src = veeam_app(t.path(), "Rel");
    let edits = file(
        &src,
        "extlClntAppGlobalOauthSets",
        "Rel_glbloauth.ecaGlblOauth-meta.xml",
    );
    edit(
        &edits,
        "<isPkceRequired>false</isPkceRequired>",
        "<isPkceRequired>true</isPkceRequired>",
    );
    let pkce_file = |o: &Output| -> String {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        v["findings"]
            .as_array()
            .and_then(|a| a.iter().find(|f| f["rule"] == "pkce"))
            .map(|f| f["file"].as_str().unwrap_or("").to_string())
            .unwrap_or_default()
    };
    let check_in = |cwd: &Path, dir: &str| {
        bin()
            .current_dir(cwd)
            .args(["check", "--pack", "veeam-eca", "--format", "json"])
            .args(VEEAM_CALLBACKS)
            .arg(dir)
            .output()
            .expect("run")
    };
    let expect = "extlClntAppGlobalOauthSets/Rel_glbloauth.ecaGlblOauth-meta.xml";
    assert_eq!(
        pkce_file(&check_in(t.path(), ".")),
        format!("force-app/main/default/{expect}")
    );
    assert_eq!(
        pkce_file(&check_in(t.path(), "./force-app")),
        format!("main/default/{expect}")
    );
    assert_eq!(pkce_file(&check_in(&src, ".")), expect);
    let abs = t.path().to_string_lossy().into_owned();
    assert_eq!(
        pkce_file(&check_in(Path::new("/"), &abs)),
        format!("force-app/main/default/{expect}")
    );
    // One metadata folder given: its apps are read with their companions from the sibling
    // folders, which lie outside it.
    assert_eq!(pkce_file(&check_in(&src, "externalClientApps")), format!("../{expect}"));
    assert_eq!(
        pkce_file(&check_in(&src, "extlClntAppGlobalOauthSets")),
        "Rel_glbloauth.ecaGlblOauth-meta.xml"
    );
}

/// Runs the binary as a user who may not read mode-000 files: itself when it is not root, else
/// `nobody` through setpriv (root reads every file, so a test as root would prove nothing). The
/// binary is copied into the tree, which is made readable to everyone, since the build folder may
/// not be (CI runs as root in a folder of its own).
fn run_unprivileged(tree: &Path, locked: &[PathBuf], args: &[&str]) -> Output {
    let uid = Command::new("id").arg("-u").output().expect("id -u");
    let root = String::from_utf8_lossy(&uid.stdout).trim() == "0";
    let mode = |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).expect("chmod");
    let exe = tree.join("eca-guard");
    if !exe.exists() {
        std::fs::copy(env!("CARGO_BIN_EXE_eca-guard"), &exe).expect("copy the binary");
    }
    mode(tree, 0o755);
    let mut stack = vec![tree.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                mode(&p, 0o755);
                stack.push(p);
            } else {
                mode(&p, 0o644);
            }
        }
    }
    mode(&exe, 0o755);
    for p in locked {
        mode(p, 0o000);
    }
    let mut cmd = if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(&exe);
        c
    } else {
        Command::new(&exe)
    };
    cmd.args(args);
    // A binary just written can be "busy" for a moment: another test's child, forked while the
    // copy was open, holds the written file until it execs.
    let busy = |o: &Output| String::from_utf8_lossy(&o.stderr).contains("Text file busy");
    let mut tries = 0;
    let out = loop {
        match cmd.output() {
            Err(e) if e.raw_os_error() == Some(26) && tries < 50 => {}
            Ok(o) if busy(&o) && tries < 50 => {}
            r => break r.expect("run eca-guard unprivileged"),
        }
        tries += 1;
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    for p in locked {
        mode(p, if p.is_dir() { 0o755 } else { 0o644 });
    }
    out
}

#[test]
fn a_file_the_user_may_not_read_is_named_and_fails_the_run() {
    let t = tempfile::tempdir().expect("tempdir");
    let tree = t.path().join("tree");
    veeam_app(&tree, "Fine");
    let src = veeam_app(&tree, "Locked");
    let plcy = file(&src, "extlClntAppPolicies", "Locked_plcy.ecaPlcy-meta.xml");
    let dir = tree.to_string_lossy().into_owned();
    let mut args = vec!["check", "--pack", "veeam-eca", "--format", "json"];
    args.extend_from_slice(&VEEAM_CALLBACKS);
    args.push(&dir);
    let o = run_unprivileged(t.path(), std::slice::from_ref(&plcy), &args);
    let err = stderr(&o);
    assert_eq!(code(&o), 1, "{err}");
    assert!(
        err.contains("Locked_plcy.ecaPlcy-meta.xml: cannot be read: Permission denied"),
        "{err}"
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let findings = v["findings"].as_array().cloned().unwrap_or_default();
    // The locked file's setting is unverified; the rest of the tree is checked.
    assert_eq!(
        finding(&findings, "Locked", "field-unreadable")["field"],
        "oauthEnabled"
    );
    assert!(findings.iter().any(|f| f["app"] == "Fine"));

    // A folder the user may not list: named, and the run fails.
    let folder = src.join("extlClntAppOauthSettings");
    let o = run_unprivileged(t.path(), std::slice::from_ref(&folder), &args);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("extlClntAppOauthSettings: folder cannot be read: Permission denied"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn nothing_the_user_may_read_exits_2() {
    let t = tempfile::tempdir().expect("tempdir");
    let tree = t.path().join("tree");
    let only = put(
        &tree,
        "force-app/main/default/externalClientApps/Only.eca-meta.xml",
        "<ExternalClientApplication><label>Only</label></ExternalClientApplication>",
    );
    let dir = tree.to_string_lossy().into_owned();
    let o = run_unprivileged(t.path(), &[only], &["check", "--pack", "veeam-eca", &dir]);
    let err = stderr(&o);
    assert_eq!(code(&o), 2, "{err}");
    assert!(
        err.contains("Only.eca-meta.xml: cannot be read: Permission denied"),
        "{err}"
    );
    assert!(
        err.contains("none of the 1 metadata files found could be read"),
        "{err}"
    );
}
