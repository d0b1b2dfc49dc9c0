//! The checks of the exercises, one function per test of `tests/exercises.rs`, taking the
//! function under test as an argument. The tests call them on the library's stubs (or,
//! with `--features solutions`, the reference solutions); the notebooks' check cells call
//! them on the function the reader wrote in the notebook. One piece of logic, two callers.
//!
//! Unlike the stubs, this module is always compiled (the notebooks use the crate with its
//! default features). Each check panics with a message naming what is wrong.

#![allow(missing_docs)]

pub mod ch03;
pub mod ch04;
pub mod ch05;
pub mod ch06;
pub mod ch07;
pub mod ch08;
pub mod ch09;

pub(crate) use crate::data::{Dataset, wine_quality};
pub(crate) use dfdx::prelude::*;
pub(crate) use rand::rngs::StdRng;
pub(crate) use rand::{Rng, SeedableRng};

/// `|a − b| ≤ tol · max(|a|, |b|, 1)`.
pub(crate) fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0)
}
