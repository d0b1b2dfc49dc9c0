//! # aigc — the library behind the book *Generative AI, hands-on in Rust*
//!
//! Every chapter of the book is a page, a notebook, a command of the `aigc` CLI and a module
//! of this crate. The modules follow the book:
//!
//! | chapter | module | CLI |
//! |---|---|---|
//! | 3. Tensors and autodiff | [`tensors`] | `aigc tensors` |
//! | 4. Neurons and the MSE loss | [`neuron`], [`mse`] | `aigc mse` |
//! | 5. Gradient descent | [`regression`] | `aigc regression`, `aigc mlp` |
//! | 6. LSTM text generation | [`lstm`], [`data::text`], [`sample`], [`optim`], [`checkpoint`] | `aigc lstm train`, `aigc lstm generate` |
//! | 7. Attention and the Transformer | [`gpt`] | `aigc gpt train`, `aigc gpt generate` |
//! | 8. Generative adversarial networks | [`gan`], [`data::mixtures`], [`data::images`] | `aigc gan ring`, `aigc gan collapse`, `aigc gan digits` |
//! | 9. Running on a GPU | [`device`], [`bench`] | `aigc --device cuda bench` |
//!
//! Shared pieces sit below the chapters: [`data`] (loaders and bundled data), [`train`]
//! (divergence guard, hyper-parameter checks, progress bars), [`plot`] (one chart style for
//! files and notebooks), [`report`] (atomic output files, tables) and [`device`]
//! (CPU or CUDA). Model code is generic over the dfdx device, so it runs on both.
//!
//! With the `exercises` feature the [`exercises`] module also has, per chapter, stubs for
//! the reader to fill in, each checked by a test
//! (`cargo test --features exercises --test exercises`); its `checks`, the tests' logic as
//! functions of the function under test, are always there for the notebooks' check cells.
//!
//! ```
//! use dfdx::prelude::*;
//! // Chapter 3 in one line: d/dx (x² + 3x) at x = 2 is 7.
//! assert_eq!(aigc::tensors::derivative_at(&Cpu::default(), 2.0).1, 7.0);
//! ```

#![warn(missing_docs)]

// Shared modules (no chapter depends on another's plumbing; these depend on no chapter).
pub mod checkpoint;
pub mod data;
pub mod device;
pub mod error;
pub mod kernels;
pub mod layers;
pub mod lm;
pub mod numbers;
pub mod optim;
pub mod params;
pub mod plot;
pub mod report;
pub mod sample;
pub mod train;

// The chapters, in reading order.
pub mod bench;
pub mod gan;
pub mod gpt;
pub mod lstm;
pub mod mse;
pub mod neuron;
pub mod regression;
pub mod tensors;

pub mod exercises;

pub use error::{AigcError, Result};

/// The dfdx version this crate is built on, re-exported so notebooks and readers' code
/// use exactly the same types (`use aigc::dfdx::prelude::*;`).
pub use dfdx;
/// The plotting library behind [`plot`], re-exported for the same reason.
pub use plotters;
