//! The least-squares solution in closed form: the target gradient descent should reach.
//!
//! Setting the gradient of the MSE to zero gives the *normal equations*
//! (AᵀA) θ = Aᵀy, where A is the feature matrix with a column of ones appended (for b)
//! and θ = (w, b). We solve them with Gaussian elimination: fine for a dozen unknowns.

use crate::data::Dataset;
use crate::error::{AigcError, Result};
use crate::regression::LinearModel;

/// The model with the smallest possible MSE on `data`, from the normal equations.
///
/// ```
/// let wine = aigc::data::wine_quality().unwrap();
/// let best = aigc::regression::least_squares(&wine).unwrap();
/// let g = aigc::regression::gradient(&best, &wine);
/// // At the minimum the gradient vanishes.
/// assert!(g.w.iter().chain([&g.b]).all(|g| g.abs() < 1e-8));
/// ```
// ANCHOR: closed_form
pub fn least_squares(data: &Dataset) -> Result<LinearModel> {
    let d = data.n_features();
    let k = d + 1; // the unknowns: d weights and the bias
    let mut ata = vec![vec![0.0; k]; k]; // AᵀA
    let mut aty = vec![0.0; k]; // Aᵀy
    for i in 0..data.len() {
        let a: Vec<f64> = data.row(i).iter().copied().chain([1.0]).collect();
        for r in 0..k {
            aty[r] += a[r] * data.y[i];
            for c in 0..k {
                ata[r][c] += a[r] * a[c];
            }
        }
    }
    let theta = solve(ata, aty).ok_or_else(|| {
        AigcError::Shape(
            "the normal equations are singular: two features are linearly dependent \
             (or there are fewer rows than features); remove a duplicated column"
                .to_string(),
        )
    })?;
    Ok(LinearModel {
        w: theta[..d].to_vec(),
        b: theta[d],
    })
}
// ANCHOR_END: closed_form

/// Solves `m · x = v` by Gaussian elimination with partial pivoting; `None` if singular.
fn solve(mut m: Vec<Vec<f64>>, mut v: Vec<f64>) -> Option<Vec<f64>> {
    let k = v.len();
    let scale = m.iter().flatten().fold(0.0f64, |a, x| a.max(x.abs()));
    for col in 0..k {
        // Swap the row with the largest pivot up: dividing by a tiny pivot amplifies rounding.
        let pivot = (col..k).max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs()))?;
        if m[pivot][col].abs() <= 1e-12 * scale {
            return None;
        }
        m.swap(col, pivot);
        v.swap(col, pivot);
        let pivot_row = m[col].clone();
        for row in col + 1..k {
            // Subtract the multiple of the pivot row that zeroes this row's entry in `col`.
            let f = m[row][col] / pivot_row[col];
            for (x, p) in m[row][col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * p;
            }
            v[row] -= f * v[col];
        }
    }
    let mut x = vec![0.0; k];
    for row in (0..k).rev() {
        let rest: f64 = (row + 1..k).map(|c| m[row][c] * x[c]).sum();
        x[row] = (v[row] - rest) / m[row][row];
    }
    Some(x)
}
