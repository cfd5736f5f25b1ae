//! Native integration tests of the core. Each module holds one area:
//! - `packs`: every built-in pack against a correct page and against each single mistake;
//! - `callbacks`: the callback linter, table-driven;
//! - `sessions`: Session Settings, policies and IP ranges;
//! - `pages`: notes a page calls for whatever the pack (legacy Connected App pages);
//! - `options`: ECA Guard's own options, by the form's rules;
//! - `report`: the evidence report (contents, no secret, hostile text, JSON shape);
//! - `bad_input`: shapes a page or a user can produce that must not panic or pass wrongly;
//! - `fuzz_replay`: the fuzz targets' reproducers and corpus, through their entry functions;
//! - `prop_*`: property tests (proptest): fixing one field clears exactly its findings
//!   (`prop_fix`), the callback linter against Salesforce's documented rules (`prop_callback`),
//!   generated apps pass their pack and read back the same settings (`prop_generate`).

// Reason: a test that cannot get its fixture should stop right there with the message.
#![allow(clippy::expect_used)]

mod bad_input;
mod callbacks;
mod fuzz_replay;
mod library;
mod options;
mod org_rows;
mod packs;
mod pages;
mod prop_callback;
mod prop_fix;
mod prop_generate;
mod report;
mod sessions;
mod settings_doc;
mod support;
