//! Looking inside: where does each position of a trained model attend?

use dfdx::prelude::*;
use plotters::prelude::*;

use super::BookGpt;
use crate::data::Tokenizer;
use crate::error::{AigcError, Result};

/// The attention weights of every head of one block on one text.
#[derive(Debug, Clone, PartialEq)]
pub struct AttentionMap {
    /// The block (0 is the first).
    pub layer: usize,
    /// Heads in the block.
    pub heads: usize,
    /// Positions (tokens of the text, at most the context).
    pub positions: usize,
    /// The text of each position's token, for the axes.
    pub tokens: Vec<String>,
    /// weights[h][t][s]: how much position t of head h reads position s.
    pub weights: Vec<Vec<Vec<f32>>>,
}

/// The attention weights of block `layer` of `model` reading `text` (cropped to the
/// model's context).
pub fn attention_map<D: Device<f32>>(
    model: &BookGpt<D>,
    tokenizer: &Tokenizer,
    text: &str,
    layer: usize,
) -> Result<AttentionMap> {
    let ids = tokenizer.encode(text)?;
    let ids = &ids[..ids.len().min(BookGpt::<D>::CONTEXT)];
    if ids.is_empty() {
        return Err(AigcError::BadText("no text to show attention on".into()));
    }
    let dev = model.wte.weight.device().clone();
    let input = dev.tensor_from_vec(ids.to_vec(), (1, ids.len()));
    let w = model
        .attention_map(input, layer)
        .ok_or_else(|| AigcError::InvalidHyperParameter {
            name: "layer",
            message: format!("the model has no block {layer}"),
        })?;
    let (_, heads, t, _) = *w.shape();
    let flat = w.as_vec();
    let weights = (0..heads)
        .map(|h| {
            (0..t)
                .map(|i| flat[(h * t + i) * t..(h * t + i + 1) * t].to_vec())
                .collect()
        })
        .collect();
    Ok(AttentionMap {
        layer,
        heads,
        positions: t,
        tokens: ids.iter().take(t).map(|&i| tokenizer.token(i)).collect(),
        weights,
    })
}

impl AttentionMap {
    /// The mean entropy −Σₛ w log w of head `head`'s rows, in nats: 0 for a head that
    /// always reads exactly one position, larger for a head that spreads its attention.
    pub fn entropy(&self, head: usize) -> f64 {
        let rows = &self.weights[head];
        let h: f64 = rows
            .iter()
            .flatten()
            .filter(|&&w| w > 0.0)
            .map(|&w| -(w as f64) * (w as f64).ln())
            .sum();
        h / rows.len().max(1) as f64
    }
}

/// Of every head of every block, the one whose attention is the most focused (lowest
/// mean entropy) on `text`: the map of its block and the head's index. Focused heads are
/// the easiest to read; a diffuse head averages over many positions.
pub fn sharpest_head<D: Device<f32>>(
    model: &BookGpt<D>,
    tokenizer: &Tokenizer,
    text: &str,
) -> Result<(AttentionMap, usize)> {
    let mut best: Option<(AttentionMap, usize, f64)> = None;
    for layer in 0..model.blocks.len() {
        let map = attention_map(model, tokenizer, text, layer)?;
        for head in 0..map.heads {
            let h = map.entropy(head);
            if best.as_ref().is_none_or(|b| h < b.2) {
                best = Some((map.clone(), head, h));
            }
        }
    }
    best.map(|(m, h, _)| (m, h))
        .ok_or_else(|| AigcError::Shape("the model has no attention heads".into()))
}

/// A token as an axis label: whitespace made visible.
fn label(token: &str) -> String {
    token.replace('\n', "⏎").replace(' ', "␣")
}

/// Head `head` of `map` as an SVG heat map: row t (the reading position) against
/// column s (the position read), darker = more weight. `tokens` label the axes.
pub fn heatmap_svg(map: &AttentionMap, head: usize, tokens: &[String]) -> Result<String> {
    let w = map
        .weights
        .get(head)
        .ok_or_else(|| AigcError::InvalidHyperParameter {
            name: "head",
            message: format!("the block has {} heads, not {}", map.heads, head + 1),
        })?;
    let chars: Vec<&String> = tokens.iter().take(map.positions).collect();
    let n = map.positions as i32;
    let cell = 580 / n.max(1); // pixels per cell, for centring the labels
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 640)).into_drawing_area();
        let draw = || -> std::result::Result<(), String> {
            root.fill(&WHITE).map_err(|e| e.to_string())?;
            let mut chart = ChartBuilder::on(&root)
                .caption(
                    format!(
                        "Block {}, head {}: how much each row reads each column",
                        map.layer + 1,
                        head + 1
                    ),
                    ("sans-serif", 18),
                )
                .margin(10)
                .x_label_area_size(30)
                .y_label_area_size(30)
                .build_cartesian_2d(0..n, n..0)
                .map_err(|e| e.to_string())?;
            let name = |i: &i32| {
                let c = usize::try_from(*i).ok().and_then(|i| chars.get(i));
                c.map_or(String::new(), |c| label(c))
            };
            chart
                .configure_mesh()
                .disable_mesh()
                .x_labels(n as usize)
                .y_labels(n as usize)
                .x_label_offset(cell / 2)
                .y_label_offset(cell / 2)
                .label_style(("sans-serif", 11))
                .x_label_formatter(&name)
                .y_label_formatter(&name)
                .draw()
                .map_err(|e| e.to_string())?;
            chart
                .draw_series((0..n).flat_map(|t| {
                    (0..n).map(move |s| {
                        let weight = w[t as usize][s as usize].clamp(0.0, 1.0);
                        let shade = (255.0 * (1.0 - weight)) as u8;
                        Rectangle::new(
                            [(s, t), (s + 1, t + 1)],
                            RGBColor(shade, shade, 255).filled(),
                        )
                    })
                }))
                .map_err(|e| e.to_string())?;
            root.present().map_err(|e| e.to_string())
        };
        draw().map_err(|e| AigcError::Shape(format!("cannot draw the attention map: {e}")))?;
    }
    Ok(svg)
}
