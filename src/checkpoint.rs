//! Checkpoints: a model's weights, its optimiser's state and the run's metadata in one
//! safetensors file, written atomically.
//!
//! The file holds one tensor per parameter (`param.<k>`), Adam's moments (`adam_m.<k>`,
//! `adam_v.<k>`) and a JSON document in the safetensors metadata (vocabulary,
//! hyper-parameters, step, loss curves). It is written to a temporary file in the same
//! folder and renamed over the old checkpoint, so a crash or Ctrl-C at any moment leaves
//! either the old or the new checkpoint, never half of one.

use std::collections::HashMap;
use std::path::Path;

use safetensors::tensor::{Dtype as StDtype, SafeTensors, TensorView};
use serde::Serialize;
use serde::de::DeserializeOwned;

use dfdx::nn::tensor_collection::TensorCollection;
use dfdx::prelude::Device;

use crate::error::{AigcError, Result};
use crate::optim::{AdamSettings, ClippedAdam, parameters, set_parameters};

/// What a checkpoint holds besides its metadata.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tensors {
    /// Parameter values, one vector per parameter tensor, in the model's visit order.
    pub params: Vec<Vec<f32>>,
    /// Adam's first moments (may be empty).
    pub adam_m: Vec<Vec<f32>>,
    /// Adam's second moments (may be empty).
    pub adam_v: Vec<Vec<f32>>,
}

fn bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// Saves `tensors` and `meta` to `path` atomically.
// ANCHOR: save
pub fn save<M: Serialize>(path: &Path, tensors: &Tensors, meta: &M) -> Result<()> {
    let groups = [
        ("param", &tensors.params),
        ("adam_m", &tensors.adam_m),
        ("adam_v", &tensors.adam_v),
    ];
    let raw: Vec<(String, Vec<u8>, usize)> = groups
        .iter()
        .flat_map(|(name, vs)| {
            vs.iter()
                .enumerate()
                .map(move |(k, v)| (format!("{name}.{k:03}"), bytes(v), v.len()))
        })
        .collect();
    let views = raw
        .iter()
        .map(|(name, data, n)| {
            Ok((
                name.clone(),
                TensorView::new(StDtype::F32, vec![*n], data).map_err(st_error)?,
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let json = serde_json::to_string(meta)
        .map_err(|e| AigcError::Checkpoint(format!("cannot describe the checkpoint: {e}")))?;
    let info = Some(HashMap::from([("aigc".to_string(), json)]));
    let file = safetensors::tensor::serialize(views, &info).map_err(st_error)?;
    crate::report::write_atomic(path, &file)
}
// ANCHOR_END: save

/// Loads a checkpoint written by [`save`]; a missing, truncated or foreign file is an
/// error that says so.
pub fn load<M: DeserializeOwned>(path: &Path) -> Result<(Tensors, M)> {
    let file = std::fs::read(path).map_err(|e| AigcError::io(path, e))?;
    let bad = |why: String| {
        AigcError::Checkpoint(format!(
            "{}: not a usable aigc checkpoint: {why}",
            path.display()
        ))
    };
    let st = SafeTensors::deserialize(&file).map_err(|e| bad(format!("{e:?}")))?;
    let (_, header) = SafeTensors::read_metadata(&file).map_err(|e| bad(format!("{e:?}")))?;
    let json = header
        .metadata()
        .as_ref()
        .and_then(|m| m.get("aigc"))
        .ok_or_else(|| bad("no aigc metadata".into()))?;
    let meta: M = serde_json::from_str(json).map_err(|e| bad(format!("metadata: {e}")))?;
    let mut tensors = Tensors::default();
    let mut names = st.names();
    names.sort();
    for name in names {
        let view = st.tensor(name).map_err(|e| bad(format!("{e:?}")))?;
        let values: Vec<f32> = view
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        match name.split('.').next() {
            Some("param") => tensors.params.push(values),
            Some("adam_m") => tensors.adam_m.push(values),
            Some("adam_v") => tensors.adam_v.push(values),
            _ => return Err(bad(format!("unexpected tensor {name}"))),
        }
    }
    Ok((tensors, meta))
}

/// Loads a checkpoint that must hold the model named `model` (its metadata's `model`
/// field); a checkpoint of another model is refused with both names, before its
/// metadata is read any further.
pub fn load_model<M: DeserializeOwned>(path: &Path, model: &str) -> Result<(Tensors, M)> {
    let (tensors, meta): (Tensors, serde_json::Value) = load(path)?;
    let found = meta
        .get("model")
        .and_then(|m| m.as_str())
        .unwrap_or("unnamed model");
    if found != model {
        return Err(AigcError::Checkpoint(format!(
            "{}: holds a {found:?}, not a {model:?}",
            path.display()
        )));
    }
    let meta = serde_json::from_value(meta).map_err(|e| {
        AigcError::Checkpoint(format!(
            "{}: not a usable aigc checkpoint: metadata: {e}",
            path.display()
        ))
    })?;
    Ok((tensors, meta))
}

/// Saves a model's parameters and its optimiser's moments with `meta`, atomically (the
/// whole checkpoint of a training run; [`restore`] reads it back).
pub fn save_trained<M, D, Meta>(
    path: &Path,
    model: &M,
    opt: &ClippedAdam,
    meta: &Meta,
) -> Result<()>
where
    M: TensorCollection<f32, D>,
    D: Device<f32>,
    Meta: Serialize,
{
    let tensors = Tensors {
        params: parameters(model),
        adam_m: opt.m.clone(),
        adam_v: opt.v.clone(),
    };
    save(path, &tensors, meta)
}

/// Reads a checkpoint written by [`save_trained`] for the model named `name` into
/// `model` (freshly built, of the right shape), and returns the optimiser, rebuilt from
/// the settings and step count `adam` finds in the metadata, with the metadata. Another
/// model's checkpoint, or tensors of other shapes, are errors that say so.
pub fn restore<M, D, Meta>(
    path: &Path,
    name: &str,
    model: &mut M,
    adam: impl FnOnce(&Meta) -> (AdamSettings, u64),
) -> Result<(ClippedAdam, Meta)>
where
    M: TensorCollection<f32, D>,
    D: Device<f32>,
    Meta: DeserializeOwned,
{
    let (tensors, meta): (Tensors, Meta) = load_model(path, name)?;
    if !set_parameters(model, &tensors.params) {
        return Err(AigcError::Checkpoint(format!(
            "{}: its tensors have other shapes than this model's (another model size?)",
            path.display()
        )));
    }
    let (settings, t) = adam(&meta);
    let mut opt = ClippedAdam::new(settings);
    (opt.t, opt.m, opt.v) = (t, tensors.adam_m, tensors.adam_v);
    Ok((opt, meta))
}

fn st_error(e: safetensors::SafeTensorError) -> AigcError {
    AigcError::Checkpoint(format!("safetensors: {e:?}"))
}
