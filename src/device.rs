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
