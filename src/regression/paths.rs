//! Three optimisers on one two-parameter bowl, L(θ) = ½(θ₁² + κ θ₂²): the loss surface
//! drawn as contour lines, with the path each optimiser takes from the same start.
//! The bowl is what the wine loss looks like along its least and most curved directions
//! (its Hessian's eigenvectors), shrunk to two dimensions: a long, narrow valley.

use serde::Serialize;

use crate::plot::{Chart, Series};

/// How much more curved the bowl is across the valley than along it.
pub const KAPPA: f64 = 20.0;

/// Where every optimiser starts.
pub const START: [f64; 2] = [-4.0, 1.5];

/// The bowl's loss.
pub fn bowl(t: [f64; 2]) -> f64 {
    0.5 * (t[0] * t[0] + KAPPA * t[1] * t[1])
}

/// Its gradient ∇L = (θ₁, κ θ₂).
pub fn bowl_gradient(t: [f64; 2]) -> [f64; 2] {
    [t[0], KAPPA * t[1]]
}

/// One optimiser's way down: its name, step size, and every point it visited.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Path {
    /// `SGD`, `momentum`, `Adam`.
    pub optimiser: String,
    /// η.
    pub lr: f64,
    /// θ after 0, 1, 2, … steps.
    pub points: Vec<[f64; 2]>,
    /// The first step at which L < 10⁻³ (`None` if never within the steps run).
    pub steps_to_1e_3: Option<usize>,
}

/// `steps` steps of plain gradient descent, momentum (μ = 0.9) and Adam (β = (0.9, 0.999))
/// from [`START`]: plain descent at η = 0.09, just below its stability limit 2/κ = 0.1;
/// momentum at η = 0.01, whose steps add up to about 10η along a steady direction; Adam at
/// η = 0.1, about the size of each of its steps.
// ANCHOR: paths
pub fn optimiser_paths(steps: usize) -> Vec<Path> {
    let run = |name: &str, lr: f64, mut update: Box<dyn FnMut([f64; 2], usize) -> [f64; 2]>| {
        let mut points = vec![START];
        for r in 1..=steps {
            let t = *points.last().unwrap_or(&START);
            let d = update(bowl_gradient(t), r);
            points.push([t[0] - lr * d[0], t[1] - lr * d[1]]);
        }
        let steps_to_1e_3 = points.iter().position(|&p| bowl(p) < 1e-3);
        Path {
            optimiser: name.into(),
            lr,
            points,
            steps_to_1e_3,
        }
    };
    let mut v = [0.0; 2]; // momentum's velocity
    let (mut m, mut s) = ([0.0; 2], [0.0; 2]); // Adam's averages
    vec![
        run("SGD", 0.09, Box::new(|g, _| g)),
        run(
            "momentum",
            0.01,
            Box::new(move |g, _| {
                v = [0.9 * v[0] + g[0], 0.9 * v[1] + g[1]];
                v
            }),
        ),
        run(
            "Adam",
            0.1,
            Box::new(move |g, r| {
                let (b1, b2) = (0.9f64, 0.999f64);
                let mut d = [0.0; 2];
                for i in 0..2 {
                    m[i] = b1 * m[i] + (1.0 - b1) * g[i];
                    s[i] = b2 * s[i] + (1.0 - b2) * g[i] * g[i];
                    let (mh, sh) = (
                        m[i] / (1.0 - b1.powi(r as i32)),
                        s[i] / (1.0 - b2.powi(r as i32)),
                    );
                    d[i] = mh / (sh.sqrt() + 1e-8);
                }
                d
            }),
        ),
    ]
}
// ANCHOR_END: paths

/// The bowl's contour lines (grey, where L = 0.5, 2, 4.5, 8) and the three paths.
pub fn paths_chart(paths: &[Path]) -> Chart {
    let mut chart = Chart::new(
        &format!("SGD, momentum and Adam on L = ½(θ₁² + {KAPPA}θ₂²)"),
        "θ₁ (along the valley)",
        "θ₂ (across it)",
    );
    for p in paths {
        let points = p.points.iter().map(|t| (t[0], t[1])).collect();
        chart = chart.with(Series::line(
            format!("{}, η = {}", p.optimiser, p.lr),
            points,
        ));
    }
    for level in [0.5f64, 2.0, 4.5, 8.0] {
        let ring = (0..=96)
            .map(|k| {
                let a = k as f64 / 96.0 * std::f64::consts::TAU;
                (
                    (2.0 * level).sqrt() * a.cos(),
                    (2.0 * level / KAPPA).sqrt() * a.sin(),
                )
            })
            .collect();
        chart = chart.with(Series::guide(ring));
    }
    chart
}
