//! Reference solutions of the exercises, compiled only with the `solutions` feature.
//! Each function has the signature of its stub in `src/exercises/`.

pub mod ch03;
pub mod ch04;
pub mod ch05;
pub mod ch06;
pub mod ch07;
pub mod ch08;
pub mod ch09;
