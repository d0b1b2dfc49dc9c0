//! Choosing where tensors live: the CPU (always available) or an NVIDIA GPU (with the
//! `cuda` feature and a GPU present).
//!
//! Every model in this crate is generic over the dfdx device, so the choice is made once,
//! here, and the same code runs on either.

use crate::error::{AigcError, Result};

/// What the reader asked for with `--device`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum DeviceChoice {
    /// The CPU (the default).
    #[default]
    Cpu,
    /// An NVIDIA GPU through CUDA; an error when unavailable.
    Cuda,
    /// CUDA when this build has it and a GPU answers, else the CPU.
    Auto,
}

/// The device a run will actually use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved {
    /// The CPU.
    Cpu,
    /// GPU number 0.
    Cuda,
}

/// `true` when this binary was built with the `cuda` feature.
pub const CUDA_COMPILED: bool = cfg!(feature = "cuda");

/// Turns a [`DeviceChoice`] into the device to use, or a message that says what is missing.
///
/// ```
/// use aigc::device::{resolve, DeviceChoice, Resolved};
/// assert_eq!(resolve(DeviceChoice::Cpu).unwrap(), Resolved::Cpu);
/// if !aigc::device::CUDA_COMPILED {
///     let err = resolve(DeviceChoice::Cuda).unwrap_err().to_string();
///     assert!(err.contains("--features cuda"));
/// }
/// ```
// ANCHOR: resolve
pub fn resolve(choice: DeviceChoice) -> Result<Resolved> {
    match choice {
        DeviceChoice::Cpu => Ok(Resolved::Cpu),
        DeviceChoice::Cuda if !CUDA_COMPILED => Err(AigcError::Device(
            "this aigc was built without CUDA support. Rebuild it with \
             `cargo build --release --features cuda` (needs a CUDA toolkit ≥ 12 and an NVIDIA \
             driver), or run on the CPU with `--device cpu`."
                .to_string(),
        )),
        DeviceChoice::Cuda => match cuda_probe() {
            Ok(()) => Ok(Resolved::Cuda),
            Err(why) => Err(AigcError::Device(format!(
                "CUDA was asked for but no usable GPU was found: {why}. Check `nvidia-smi`, \
                 or run on the CPU with `--device cpu`."
            ))),
        },
        DeviceChoice::Auto if CUDA_COMPILED && cuda_probe().is_ok() => Ok(Resolved::Cuda),
        DeviceChoice::Auto => Ok(Resolved::Cpu),
    }
}
// ANCHOR_END: resolve

/// The GPU's device type: dfdx's `Cuda` in a CUDA build. A CPU-only build never opens a
/// GPU ([`resolve`] never answers [`Resolved::Cuda`] there); the name is then `Cpu`, so
/// that code written for both devices compiles in either build.
#[cfg(feature = "cuda")]
pub type GpuDevice = dfdx::tensor::Cuda;
/// See the CUDA build's documentation: in this build, never used.
#[cfg(not(feature = "cuda"))]
pub type GpuDevice = dfdx::tensor::Cpu;

/// Opens GPU 0 with its random generator seeded by `seed`.
#[cfg(feature = "cuda")]
pub fn open_gpu(seed: u64) -> Result<GpuDevice> {
    dfdx::tensor::Cuda::try_seed_from_u64(seed)
        .map_err(|e| AigcError::Device(format!("cannot open GPU 0: {e:?}")))
}

/// In a CPU-only build there is no GPU to open.
#[cfg(not(feature = "cuda"))]
pub fn open_gpu(_seed: u64) -> Result<GpuDevice> {
    Err(AigcError::Device("built without CUDA".into()))
}

/// Runs `$body` with `$dev` bound to the device that `$choice` resolves to, its random
/// generator seeded with `$seed`: the same code, compiled for the CPU's types and for the
/// GPU's. A missing GPU is an error, returned with `?` before anything runs.
///
/// ```
/// use aigc::device::DeviceChoice;
/// fn two() -> aigc::Result<f32> {
///     use aigc::dfdx::prelude::*;
///     Ok(aigc::on_device!(DeviceChoice::Cpu, 0, |dev| {
///         let x: Tensor<Rank1<2>, f32, _> = dev.ones();
///         x.sum::<Rank0, _>().as_vec()[0]
///     }))
/// }
/// assert_eq!(two().unwrap(), 2.0);
/// ```
// ANCHOR: on_device
#[macro_export]
macro_rules! on_device {
    ($choice:expr, $seed:expr, |$dev:ident| $body:expr) => {
        match $crate::device::resolve($choice)? {
            $crate::device::Resolved::Cpu => {
                let $dev = $crate::dfdx::tensor::Cpu::seed_from_u64($seed);
                $body
            }
            $crate::device::Resolved::Cuda => {
                let $dev = $crate::device::open_gpu($seed)?;
                $body
            }
        }
    };
}
// ANCHOR_END: on_device

#[cfg(feature = "cuda")]
fn cuda_probe() -> std::result::Result<(), String> {
    // Creating the device loads the driver and opens GPU 0; failure is an error value here,
    // never a panic.
    std::panic::catch_unwind(|| dfdx::tensor::Cuda::try_seed_from_u64(0).map(|_| ()))
        .map_err(|_| "the CUDA driver library could not be loaded".to_string())?
        .map_err(|e| format!("{e:?}"))
}

#[cfg(not(feature = "cuda"))]
fn cuda_probe() -> std::result::Result<(), String> {
    Err("built without the cuda feature".to_string())
}
