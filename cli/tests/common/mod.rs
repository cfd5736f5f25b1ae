//! Helpers shared by the CLI's integration tests: run the binary, read its JSON, build trees.

#![allow(clippy::expect_used, dead_code)] // Reason: a test that cannot run its setup should stop there; not every test file uses every helper.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub const VEEAM_CALLBACKS: [&str; 4] = [
    "--callback",
    "https://veeam.acme.internal",
    "--callback",
    "https://172.12.0.1",
];

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_eca-guard"))
}

pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run eca-guard")
}

pub fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/retrieve")
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `check --format json` and returns (exit code, findings, stderr).
pub fn check_json(pack: &str, extra: &[&str], dir: &Path) -> (i32, Vec<Value>, String) {
    let mut args = vec!["check", "--pack", pack, "--format", "json"];
    args.extend_from_slice(extra);
    let dir = dir.to_string_lossy().into_owned();
    args.push(&dir);
    let o = run(&args);
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}\nstderr: {}", stdout(&o), stderr(&o)));
    let obj = v.as_object().expect("an object");
    assert_eq!(obj.len(), 1, "exactly one key: {v}");
    let findings = obj["findings"].as_array().expect("findings array").clone();
    for f in &findings {
        for key in ["rule", "severity", "field", "message", "fix", "source", "app", "file"] {
            assert!(f.get(key).is_some(), "finding without {key}: {f}");
        }
        let sev = f["severity"].as_str().unwrap_or("");
        assert!(["error", "warning", "deviation", "info"].contains(&sev), "{f}");
    }
    (code(&o), findings, stderr(&o))
}

pub fn rules_of(findings: &[Value], app: &str, severity: &str) -> Vec<String> {
    findings
        .iter()
        .filter(|f| f["app"] == app && f["severity"] == severity)
        .map(|f| f["rule"].as_str().unwrap_or("").to_string())
        .collect()
}

pub fn finding<'a>(findings: &'a [Value], app: &str, rule: &str) -> &'a Value {
    findings
        .iter()
        .find(|f| f["app"] == app && f["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} for {app} in {findings:#?}"))
}

/// Generates a clean app for `pack` into `dir` and returns its source folder.
pub fn generate(pack: &str, name: &str, dir: &Path, extra: &[&str]) -> PathBuf {
    let out = dir.to_string_lossy().into_owned();
    let mut args = vec![
        "generate",
        "--pack",
        pack,
        "--name",
        name,
        "--label",
        "Test App",
        "--contact-email",
        "admin@example.com",
        "--out",
        &out,
    ];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert_eq!(code(&o), 0, "generate failed: {}{}", stdout(&o), stderr(&o));
    dir.join("force-app/main/default")
}

pub fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{} has no {from}", path.display());
    std::fs::write(path, text.replace(from, to)).expect("write");
}

/// A clean Veeam ECA; several can go into one folder (`--force` rewrites package.xml).
pub fn veeam_app(dir: &Path, name: &str) -> PathBuf {
    let mut extra = VEEAM_CALLBACKS.to_vec();
    extra.push("--force");
    generate("veeam-eca", name, dir, &extra)
}

pub fn file(src: &Path, folder: &str, name: &str) -> PathBuf {
    src.join(folder).join(name)
}

pub fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// Writes `text` to `root/rel`, creating folders.
pub fn put(root: &Path, rel: &str, text: &str) -> PathBuf {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(&path, text).expect("write");
    path
}

/// Runs `check` with any format and returns (exit code, stdout, stderr).
pub fn check_raw(args: &[&str], dir: &Path) -> (i32, String, String) {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    let dir = dir.to_string_lossy().into_owned();
    all.push(&dir);
    let o = run(&all);
    (code(&o), stdout(&o), stderr(&o))
}
