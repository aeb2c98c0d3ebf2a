//! Whole-tree views for people, built from the outcome of a run: the dependency graph that
//! `importgate graph` draws and the figures of `importgate audit`. Plain data; `report`
//! renders them.

pub mod audit;
pub mod duplicates;
pub mod graph_view;
pub mod summary;
