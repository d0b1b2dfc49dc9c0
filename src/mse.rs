//! Chapter 4 — the mean squared error, written twice and then explained.
//!
//! For targets yᵢ and predictions ŷᵢ, i = 1 … n:
//!
//! MSE = (1/n) Σᵢ (yᵢ − ŷᵢ)²
//!
//! Minimising it is the same as maximising the likelihood of the data under the model
//! yᵢ = ŷᵢ + εᵢ with Gaussian noise εᵢ ~ N(0, σ²), which is why it is the default loss
//! for predicting numbers.

use dfdx::prelude::*;

/// MSE in plain Rust: the mean of the squared differences.
///
/// ```
/// assert_eq!(aigc::mse::mse(&[1.0, 2.0, 3.0], &[1.0, 2.0, 5.0]), 4.0 / 3.0);
/// ```
///
/// # Panics
/// If the slices have different lengths or are empty: that is a bug in the caller,
/// not bad data.
// ANCHOR: mse_plain
pub fn mse(y: &[f64], y_hat: &[f64]) -> f64 {
    assert_eq!(
        y.len(),
        y_hat.len(),
        "targets and predictions differ in length"
    );
    assert!(!y.is_empty(), "the MSE of no examples is undefined");
    let sum: f64 = y
        .iter()
        .zip(y_hat)
        .map(|(y, y_hat)| (y - y_hat).powi(2))
        .sum();
    sum / y.len() as f64
}
// ANCHOR_END: mse_plain

/// MSE with dfdx: the same formula as tensor operations, on any device.
///
/// ```
/// use dfdx::prelude::*;
/// let dev = Cpu::default();
/// assert!((aigc::mse::mse_dfdx(&dev, &[1.0, 2.0, 3.0], &[1.0, 2.0, 5.0]) - 4.0 / 3.0).abs() < 1e-6);
/// ```
// ANCHOR: mse_dfdx
pub fn mse_dfdx<D: Device<f32>>(dev: &D, y: &[f32], y_hat: &[f32]) -> f32 {
    let n = y.len();
    let y = dev.tensor_from_vec(y.to_vec(), (n,));
    let y_hat = dev.tensor_from_vec(y_hat.to_vec(), (n,));
    let loss = (y - y_hat).square().mean(); // dfdx::losses::mse_loss is exactly this line
    loss.as_vec()[0] // copy the scalar back from the device
}
// ANCHOR_END: mse_dfdx

/// ∂MSE/∂ŷᵢ = (2/n)(ŷᵢ − yᵢ): each prediction is pushed towards its target in proportion
/// to its error, so big mistakes dominate the update.
///
/// ```
/// assert_eq!(aigc::mse::mse_gradient(&[1.0, 2.0], &[2.0, 2.0]), vec![1.0, 0.0]);
/// ```
// ANCHOR: mse_gradient
pub fn mse_gradient(y: &[f64], y_hat: &[f64]) -> Vec<f64> {
    let n = y.len() as f64;
    y.iter()
        .zip(y_hat)
        .map(|(y, y_hat)| 2.0 / n * (y_hat - y))
        .collect()
}
// ANCHOR_END: mse_gradient

/// The average negative log-likelihood of the targets under yᵢ ~ N(ŷᵢ, σ²):
///
/// NLL = ½ ln(2πσ²) + MSE / (2σ²)
///
/// an increasing affine function of the MSE, so both have the same minimiser.
///
/// ```
/// let (y, y_hat) = ([1.0, 2.0], [1.5, 2.5]);
/// let nll = aigc::mse::gaussian_nll(&y, &y_hat, 1.0);
/// let via_mse = 0.5 * (2.0 * std::f64::consts::PI).ln() + aigc::mse::mse(&y, &y_hat) / 2.0;
/// assert!((nll - via_mse).abs() < 1e-12);
/// ```
// ANCHOR: gaussian_nll
pub fn gaussian_nll(y: &[f64], y_hat: &[f64], sigma: f64) -> f64 {
    let var = sigma * sigma;
    let log_density = |y: f64, mean: f64| {
        -0.5 * (2.0 * std::f64::consts::PI * var).ln() - (y - mean).powi(2) / (2.0 * var)
    };
    -y.iter()
        .zip(y_hat)
        .map(|(&y, &m)| log_density(y, m))
        .sum::<f64>()
        / y.len() as f64
}
// ANCHOR_END: gaussian_nll

/// The chapter's toy data: hours of study (x) and exam scores out of 10 (y).
pub const STUDY_HOURS: [f64; 6] = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
/// Scores matching [`STUDY_HOURS`]; roughly y ≈ 1.5x.
pub const EXAM_SCORES: [f64; 6] = [1.8, 2.9, 4.7, 5.8, 7.9, 8.8];

/// MSE of the one-weight model ŷ = w·x on the toy data.
pub fn toy_loss(w: f64) -> f64 {
    let y_hat: Vec<f64> = STUDY_HOURS.iter().map(|x| w * x).collect();
    mse(&EXAM_SCORES, &y_hat)
}

/// dL/dw for ŷ = w·x, by the chain rule: Σᵢ ∂L/∂ŷᵢ · ∂ŷᵢ/∂w = (2/n) Σᵢ (w xᵢ − yᵢ) xᵢ.
// ANCHOR: toy_slope
pub fn toy_slope(w: f64) -> f64 {
    let y_hat: Vec<f64> = STUDY_HOURS.iter().map(|x| w * x).collect();
    let dl_dyhat = mse_gradient(&EXAM_SCORES, &y_hat);
    dl_dyhat.iter().zip(STUDY_HOURS).map(|(g, x)| g * x).sum()
}
// ANCHOR_END: toy_slope

/// The w that minimises [`toy_loss`]: dL/dw = 0 gives w* = Σ xy / Σ x².
pub fn toy_best_w() -> f64 {
    let xy: f64 = STUDY_HOURS
        .iter()
        .zip(EXAM_SCORES)
        .map(|(x, y)| x * y)
        .sum();
    let xx: f64 = STUDY_HOURS.iter().map(|x| x * x).sum();
    xy / xx
}

/// The numbers `aigc mse` produces (written to `mse.json`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MseReport {
    /// MSE of the toy data at w = 1, in plain Rust.
    pub mse_plain: f64,
    /// The same, computed by dfdx in f32.
    pub mse_dfdx: f64,
    /// The minimising weight w* = Σxy / Σx².
    pub best_w: f64,
    /// The loss at w*.
    pub best_loss: f64,
    /// (w, L(w), dL/dw by hand, dL/dw by dfdx) at a few weights.
    pub slopes: Vec<(f64, f64, f64, f64)>,
}

/// dL/dw of the toy loss by dfdx's autodiff, to check [`toy_slope`].
pub fn toy_slope_autodiff<D: Device<f32>>(dev: &D, w: f64) -> f64 {
    let x = dev.tensor(STUDY_HOURS.map(|v| v as f32));
    let y = dev.tensor(EXAM_SCORES.map(|v| v as f32));
    let w: Tensor<Rank0, f32, D> = dev.tensor(w as f32);
    let y_hat = w.leaky_trace().broadcast::<Rank1<6>, _>() * x; // ŷ = w·x, recorded on a tape
    let grads = mse_loss(y_hat, y).backward();
    grads.get(&w).as_vec()[0] as f64
}

/// Where the chapter looks at the loss.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MseConfig {
    /// The weight whose predictions ŷ = w·x are scored two ways (the book's 1).
    pub w: f64,
    /// Weights at which L(w) and its slope are tabulated (the best weight w* is added).
    pub slopes_at: Vec<f64>,
}

impl Default for MseConfig {
    fn default() -> Self {
        MseConfig {
            w: 1.0,
            slopes_at: vec![0.5, 1.0, 2.0],
        }
    }
}

/// Runs the chapter's MSE experiment.
pub fn run<D: Device<f32>>(dev: &D, cfg: &MseConfig) -> MseReport {
    let y_hat: Vec<f64> = STUDY_HOURS.iter().map(|x| cfg.w * x).collect();
    let f32s = |v: &[f64]| v.iter().map(|&v| v as f32).collect::<Vec<f32>>();
    let best_w = toy_best_w();
    let mut weights = cfg.slopes_at.clone();
    weights.push(best_w);
    weights.sort_by(f64::total_cmp);
    MseReport {
        mse_plain: mse(&EXAM_SCORES, &y_hat),
        mse_dfdx: mse_dfdx(dev, &f32s(&EXAM_SCORES), &f32s(&y_hat)) as f64,
        best_w,
        best_loss: toy_loss(best_w),
        slopes: weights
            .iter()
            .map(|&w| (w, toy_loss(w), toy_slope(w), toy_slope_autodiff(dev, w)))
            .collect(),
    }
}

impl MseReport {
    /// The loss curve L(w) with its tangent at two weights.
    pub fn loss_chart(&self) -> crate::plot::Chart {
        use crate::plot::{Chart, Series};
        let ws: Vec<f64> = (0..=100).map(|i| i as f64 * 0.03).collect();
        let mut chart = Chart::new("MSE of ŷ = w·x on the study-hours data", "w", "MSE").with(
            Series::line("L(w)", ws.iter().map(|&w| (w, toy_loss(w))).collect()),
        );
        for w0 in [0.75, 2.25] {
            let (l0, s0) = (toy_loss(w0), toy_slope(w0));
            let tangent = [w0 - 0.4, w0 + 0.4].map(|w| (w, l0 + s0 * (w - w0)));
            chart.series.push(Series::line(
                format!("tangent at w = {w0}: slope {}", crate::numbers::sig(s0, 3)),
                tangent.to_vec(),
            ));
        }
        chart.with(Series::points(
            "minimum w*",
            vec![(self.best_w, self.best_loss)],
        ))
    }

    /// The activation functions of the chapter.
    pub fn activation_chart(&self) -> crate::plot::Chart {
        use crate::neuron::Activation;
        use crate::plot::{Chart, Series};
        let zs: Vec<f64> = (0..=120).map(|i| -3.0 + i as f64 * 0.05).collect();
        let mut chart = Chart::new("Activation functions σ(z)", "z", "σ(z)");
        for a in Activation::ALL {
            chart.series.push(Series::line(
                a.name(),
                zs.iter().map(|&z| (z, a.apply(z))).collect(),
            ));
        }
        chart
    }

    /// MSE and Gaussian negative log-likelihood against w: the same minimum.
    pub fn nll_chart(&self) -> crate::plot::Chart {
        use crate::plot::{Chart, Series};
        let ws: Vec<f64> = (0..=100).map(|i| 0.8 + i as f64 * 0.014).collect();
        let nll = |w: f64| {
            let y_hat: Vec<f64> = STUDY_HOURS.iter().map(|x| w * x).collect();
            gaussian_nll(&EXAM_SCORES, &y_hat, 1.0)
        };
        Chart::new(
            "MSE and Gaussian NLL (σ = 1) share their minimum",
            "w",
            "loss",
        )
        .with(Series::line(
            "MSE",
            ws.iter().map(|&w| (w, toy_loss(w))).collect(),
        ))
        .with(Series::line(
            "NLL",
            ws.iter().map(|&w| (w, nll(w))).collect(),
        ))
    }
}

impl crate::report::Report for MseReport {
    /// The result table as Markdown.
    fn summary(&self) -> String {
        use crate::numbers::sig;
        let mut t =
            crate::report::MarkdownTable::new(&["w", "L(w)", "dL/dw by hand", "dL/dw by dfdx"]);
        for &(w, l, s, a) in &self.slopes {
            t.row(vec![sig(w, 4), sig(l, 4), sig(s, 4), sig(a, 4)]);
        }
        format!(
            "MSE at w = 1: plain Rust {}, dfdx {}. Best weight w* = {} with MSE {}.\n\n{}",
            sig(self.mse_plain, 6),
            sig(self.mse_dfdx, 6),
            sig(self.best_w, 4),
            sig(self.best_loss, 4),
            t.to_markdown()
        )
    }

    /// Writes `mse.json`, `mse.md` and the three figures into `out`.
    fn write(&self, out: &mut crate::report::OutputDir) -> crate::Result<()> {
        out.json("mse.json", self)?;
        out.text("mse.md", &self.summary())?;
        out.svg("mse-curve.svg", &self.loss_chart())?;
        out.svg("activations.svg", &self.activation_chart())?;
        out.svg("mse-vs-nll.svg", &self.nll_chart())
    }
}
