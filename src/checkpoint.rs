//! Checkpoints: a model's weights, its optimisers' state and the run's metadata in one
//! safetensors file, written atomically.
//!
//! The file holds one tensor per parameter (`param.<k>`), each optimiser's moments
//! (`adam<i>.m.<k>`, `adam<i>.v.<k>`) and a JSON document in the safetensors metadata:
//! the model's name, each optimiser's settings and step count, and the run's own record
//! (vocabulary, hyper-parameters, step, loss curves). It is written to a temporary file in
//! the same folder and renamed over the old checkpoint, so a crash or Ctrl-C at any moment
//! leaves either the old or the new checkpoint, never half of one.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use dfdx::prelude::Device;
use safetensors::tensor::{Dtype as StDtype, SafeTensors, TensorView};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{AigcError, Result};
use crate::optim::{AdamSettings, ClippedAdam};
use crate::params::{Params, parameters, set_parameters};

/// The version of the file layout; older files are refused with a message.
pub const FORMAT: u32 = 2;

/// What the JSON part of a checkpoint holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Header<R> {
    /// Which model the tensors belong to.
    model: String,
    /// [`FORMAT`] when written.
    format: u32,
    /// Each optimiser's settings and step count.
    optimisers: Vec<(AdamSettings, u64)>,
    /// The run's own record.
    run: R,
}

fn bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// Saves `model`, its `optimisers` and the run's record `run` to `path` atomically, under
/// the model's `name`.
// ANCHOR: save
pub fn save<M, D, R>(
    path: &Path,
    name: &str,
    model: &M,
    optimisers: &[&ClippedAdam<D>],
    run: &R,
) -> Result<()>
where
    M: Params<f32, D>,
    D: Device<f32>,
    R: Serialize,
{
    let mut tensors: Vec<(String, Vec<f32>)> = parameters(model)
        .into_iter()
        .enumerate()
        .map(|(k, p)| (format!("param.{k:04}"), p))
        .collect();
    for (i, opt) in optimisers.iter().enumerate() {
        let (m, v) = opt.moments();
        for (which, moments) in [("m", m), ("v", v)] {
            for (k, x) in moments.into_iter().enumerate() {
                tensors.push((format!("adam{i}.{which}.{k:04}"), x));
            }
        }
    }
    let header = Header {
        model: name.to_string(),
        format: FORMAT,
        optimisers: optimisers.iter().map(|o| (o.settings, o.t)).collect(),
        run,
    };
    let json = serde_json::to_string(&header)
        .map_err(|e| AigcError::Checkpoint(format!("cannot describe the checkpoint: {e}")))?;
    let raw: Vec<(String, Vec<u8>, usize)> = tensors
        .into_iter()
        .map(|(n, v)| (n, bytes(&v), v.len()))
        .collect();
    let views = raw
        .iter()
        .map(|(n, data, len)| {
            let view = TensorView::new(StDtype::F32, vec![*len], data).map_err(st_error)?;
            Ok((n.clone(), view))
        })
        .collect::<Result<Vec<_>>>()?;
    let info = Some(HashMap::from([("aigc".to_string(), json)]));
    let file = safetensors::tensor::serialize(views, &info).map_err(st_error)?;
    crate::report::write_atomic(path, &file)
}
// ANCHOR_END: save

/// A checkpoint read from disk: its record, and its tensors waiting for a model.
#[derive(Debug, Clone)]
pub struct Checkpoint<R> {
    /// The file it came from (for messages).
    pub path: PathBuf,
    /// The run's record, as saved.
    pub run: R,
    optimisers: Vec<(AdamSettings, u64)>,
    params: Vec<Vec<f32>>,
    moments: HashMap<(usize, char), Vec<Vec<f32>>>,
}

/// Reads the checkpoint at `path`, which must hold the model called `name`. A missing,
/// truncated or foreign file, or another model's checkpoint, is an error that says which,
/// before the record is read any further.
pub fn open<R: DeserializeOwned>(path: &Path, name: &str) -> Result<Checkpoint<R>> {
    let file = std::fs::read(path).map_err(|e| AigcError::io(path, e))?;
    let bad = |why: String| {
        AigcError::Checkpoint(format!(
            "{}: not a usable aigc checkpoint: {why}",
            path.display()
        ))
    };
    let st = SafeTensors::deserialize(&file).map_err(|e| bad(format!("{e:?}")))?;
    let (_, meta) = SafeTensors::read_metadata(&file).map_err(|e| bad(format!("{e:?}")))?;
    let json = meta
        .metadata()
        .as_ref()
        .and_then(|m| m.get("aigc"))
        .ok_or_else(|| bad("no aigc metadata".into()))?;
    let header: Header<serde_json::Value> =
        serde_json::from_str(json).map_err(|e| bad(format!("metadata: {e}")))?;
    if header.model != name {
        return Err(AigcError::Checkpoint(format!(
            "{}: holds a {:?}, not a {name:?}",
            path.display(),
            header.model
        )));
    }
    if header.format != FORMAT {
        return Err(bad(format!(
            "written in format {} by another version of aigc; this one reads format {FORMAT}",
            header.format
        )));
    }
    let run = serde_json::from_value(header.run).map_err(|e| bad(format!("metadata: {e}")))?;
    let mut names = st.names();
    names.sort();
    let (mut params, mut moments) = (Vec::new(), HashMap::<_, Vec<_>>::new());
    for n in names {
        let view = st.tensor(n).map_err(|e| bad(format!("{e:?}")))?;
        let values: Vec<f32> = view
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let parts: Vec<&str> = n.split('.').collect();
        match parts.as_slice() {
            ["param", _] => params.push(values),
            [adam, which, _] if adam.starts_with("adam") => {
                let i = adam[4..].parse().map_err(|_| bad(format!("tensor {n}")))?;
                let which = which.chars().next().unwrap_or('?');
                moments.entry((i, which)).or_default().push(values);
            }
            _ => return Err(bad(format!("unexpected tensor {n}"))),
        }
    }
    Ok(Checkpoint {
        path: path.to_path_buf(),
        run,
        optimisers: header.optimisers,
        params,
        moments,
    })
}

impl<R> Checkpoint<R> {
    /// Copies the saved weights into `model` (freshly built, of the right sizes).
    pub fn restore<M: Params<f32, D>, D: Device<f32>>(&self, model: &mut M) -> Result<()> {
        if set_parameters(model, &self.params) {
            Ok(())
        } else {
            Err(AigcError::Checkpoint(format!(
                "{}: its tensors have other shapes than this model's (another model size?)",
                self.path.display()
            )))
        }
    }

    /// Optimiser `i` as it was saved, its moments on `dev`.
    pub fn optimiser<D: Device<f32>>(&self, i: usize, dev: &D) -> Result<ClippedAdam<D>> {
        let (settings, t) = *self.optimisers.get(i).ok_or_else(|| {
            AigcError::Checkpoint(format!(
                "{}: holds {} optimisers, not {}",
                self.path.display(),
                self.optimisers.len(),
                i + 1
            ))
        })?;
        let get = |which| self.moments.get(&(i, which)).cloned().unwrap_or_default();
        Ok(ClippedAdam::resume(dev, settings, t, (get('m'), get('v'))))
    }
}

fn st_error(e: safetensors::SafeTensorError) -> AigcError {
    AigcError::Checkpoint(format!("safetensors: {e:?}"))
}
