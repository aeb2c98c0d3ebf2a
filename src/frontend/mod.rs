//! Language frontends: source text in, language-neutral facts (`model::FileFacts`) out.

pub mod nesting;
pub mod python;
pub mod rust;
pub mod suppression;
