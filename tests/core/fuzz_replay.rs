//! The fuzz targets' inputs replayed without libFuzzer: every crash reproducer they found
//! (`fuzz/regressions/<target>/`) and their seed corpus (`fuzz/corpus/<target>/`), through the
//! targets' own entry functions (fuzz/src/lib.rs, compiled in here), which panic on a bug.

use std::path::Path;

#[path = "../../fuzz/src/lib.rs"]
mod entries;

/// Runs `entry` on every file of the target's reproducers and corpus; how many there were.
fn replay(target: &str, entry: fn(&[u8])) -> (usize, usize) {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut counts = [0, 0];
    for (i, dir) in ["regressions", "corpus"].into_iter().enumerate() {
        let mut files: Vec<_> = std::fs::read_dir(fuzz.join(dir).join(target))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        for path in files {
            let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            // The file's name in the panic message says which input failed.
            let caught = std::panic::catch_unwind(|| entry(&data));
            assert!(caught.is_ok(), "{target}: {} fails", path.display());
            counts[i] += 1;
        }
    }
    assert!(counts[1] > 0, "{target}: no corpus in fuzz/corpus/{target}");
    (counts[0], counts[1])
}

#[test]
fn snapshot() {
    replay("snapshot", entries::snapshot);
}

#[test]
fn config() {
    replay("config", entries::config);
}

#[test]
fn callback() {
    replay("callback", entries::callback_field);
}

#[test]
fn pack() {
    replay("pack", entries::custom_pack);
}

#[test]
fn metadata() {
    replay("metadata", entries::metadata_file);
}

#[test]
fn host() {
    replay("host", entries::org_host);
}
