//! Native integration tests of the core. Each module holds one area:
//! - `packs`: every built-in pack against a correct page and against each single mistake;
//! - `callbacks`: the callback linter, table-driven;
//! - `sessions`: Session Settings, policies and IP ranges;
//! - `pages`: notes a page calls for whatever the pack (legacy Connected App pages);
//! - `bad_input`: shapes a page or a user can produce that must not panic or pass wrongly;
//! - `fuzz_replay`: the fuzz targets' reproducers and corpus, through their entry functions.

// Reason: a test that cannot get its fixture should stop right there with the message.
#![allow(clippy::expect_used)]

mod bad_input;
mod callbacks;
mod fuzz_replay;
mod library;
mod packs;
mod pages;
mod sessions;
mod support;
