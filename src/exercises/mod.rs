//! Checked exercises: a stub for you to fill in, and a test that checks it.
//!
//! Every technical chapter ends with exercises, and most of them live here, one module per
//! chapter ([`ch03`], [`ch04`], [`ch05`], [`ch06`], [`ch07`], [`ch08`], [`ch09`]). Each
//! exercise is a small public function whose documentation states the task and whose body
//! is a stub:
//!
//! ```text
//! exercise!("Exercise 4.1: …", solutions::ch04::mean_absolute_error(y, y_hat))
//! ```
//!
//! Without the `solutions` feature that line is `todo!("Exercise 4.1: …")`: replace it
//! with your code. `tests/exercises.rs` has one test per exercise, which fails (with the
//! exercise's name) until your code does what the task asks:
//!
//! ```text
//! cargo test --features exercises --test exercises          # every exercise
//! cargo test --features exercises --test exercises ch04     # one chapter's
//! ```
//!
//! The stubs are compiled only with the `exercises` feature, so unsolved stubs never
//! break the normal build; [`checks`], the tests' logic as functions that take the
//! function under test, is always compiled: the notebooks' check cells call it on the
//! function the reader writes in the notebook. The `solutions` feature (which implies `exercises`) makes every
//! stub call its reference solution in `solutions/`; CI runs the tests that way, which
//! proves that every exercise can be solved and that every test passes a right answer.

// A stub does not read its arguments until you write its body.
#![cfg_attr(not(feature = "solutions"), allow(unused_variables))]

/// The body of an unsolved exercise: `todo!(task)`, or, with the `solutions` feature,
/// the reference solution. Replace the whole `exercise!(…)` call with your code.
#[cfg(all(feature = "exercises", not(feature = "solutions")))]
macro_rules! exercise {
    ($task:literal, $solution:expr) => {
        todo!($task)
    };
}

/// The body of an unsolved exercise: `todo!(task)`, or, with the `solutions` feature,
/// the reference solution. Replace the whole `exercise!(…)` call with your code.
#[cfg(feature = "solutions")]
macro_rules! exercise {
    ($task:literal, $solution:expr) => {
        $solution
    };
}

#[cfg(feature = "exercises")]
pub mod ch03;
#[cfg(feature = "exercises")]
pub mod ch04;
#[cfg(feature = "exercises")]
pub mod ch05;
#[cfg(feature = "exercises")]
pub mod ch06;
#[cfg(feature = "exercises")]
pub mod ch07;
#[cfg(feature = "exercises")]
pub mod ch08;
#[cfg(feature = "exercises")]
pub mod ch09;

pub mod checks;

/// The reference solutions. Try the exercise before you read them.
#[cfg(feature = "solutions")]
mod solutions;
