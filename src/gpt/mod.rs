//! Chapter 7 — attention and a small Transformer: a character-level GPT in dfdx.
//!
//! The model reads a window of characters and predicts, at every position, the next one.
//! Unlike the LSTM of chapter 6, which carries one state vector from step to step, every
//! position here can look back at every earlier position directly, through attention.
//! dfdx 0.13's `MultiHeadAttention` takes no mask, so [`attention`] writes causal
//! attention from `matmul` and `softmax`.
//!
//! | file | concept |
//! |---|---|
//! | `attention.rs` | the causal mask, scaled dot-product attention, multi-head attention |
//! | `model.rs` | embeddings, the pre-LayerNorm block, the stacked model |
//! | `train.rs` | AdamW with warm-up and cosine decay, clipping, validation |
//! | `generate.rs` | sampling text, one character at a time |
//! | `run.rs` | the `aigc gpt` experiment: checkpoints, resume, report |
//! | `figures.rs` | attention maps as heat maps |
//! | `compare.rs` | LSTM against Transformer on the same text and clock |

mod attention;
mod compare;
mod figures;
mod generate;
mod model;
mod run;
mod train;

pub use attention::{
    CausalSelfAttention, Heads, KeysValues, Seq, attention, attention_weights, causal_mask,
    per_position,
};
pub use compare::{Comparison, Curve, compare};
pub use figures::{AttentionMap, attention_map, heatmap_svg, sharpest_head};
pub use generate::generate;
pub use model::{Block, BookGpt, KvCache, MiniGpt, tanh_gelu};
pub use run::{
    CheckpointMeta, GptReport, MAX_VOCAB, MODEL_NAME, TrainOutcome, evaluate, load_checkpoint,
    loss_chart, new_model, prepare_text, report, save_checkpoint, train_or_resume, write_report,
};
pub use train::{GptConfig, train_gpt, train_step, validation_loss};
