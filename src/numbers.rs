//! How the book writes numbers: short when a number is short, four significant digits
//! otherwise. Every table, message and report uses these two functions, so a number reads
//! the same in a terminal, in the book and in an error.

/// A number as typed when that is short (`0.35`, `3`), else with 4 significant digits.
///
/// ```
/// use aigc::numbers::short;
/// assert_eq!(short(3.0), "3");
/// assert_eq!(short(0.387205136590403), "0.3872");
/// assert_eq!(short(36286.876874135196), "36290");
/// assert_eq!(short(f64::INFINITY), "inf");
/// ```
pub fn short(x: f64) -> String {
    let plain = format!("{x}");
    if plain.len() <= 6 { plain } else { sig(x, 4) }
}

/// Formats a number with `digits` significant digits, the way the book quotes numbers.
///
/// ```
/// use aigc::numbers::sig;
/// assert_eq!(sig(0.416767, 4), "0.4168");
/// assert_eq!(sig(1234.5, 3), "1230");
/// assert_eq!(sig(0.0000543, 2), "5.4e-5");
/// ```
pub fn sig(x: f64, digits: usize) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let magnitude = x.abs().log10().floor() as i32;
    if !(-3..6).contains(&magnitude) {
        // Very small or very large: scientific notation, e.g. 5.4e-5.
        return format!("{x:.prec$e}", prec = digits.saturating_sub(1));
    }
    let decimals = (digits as i32 - 1 - magnitude).max(0) as usize;
    let factor = 10f64.powi(magnitude - digits as i32 + 1);
    let rounded = if decimals == 0 {
        (x / factor).round() * factor
    } else {
        x
    };
    format!("{rounded:.decimals$}")
}

/// The middle value of `values` (the mean of the two middle ones for an even count);
/// `NaN` for none. Used for step times and for results over several seeds, where one
/// slow step or one unlucky seed should not move the number.
///
/// ```
/// use aigc::numbers::median;
/// assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
/// assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
/// assert!(median(vec![]).is_nan());
/// ```
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => values[n / 2],
        _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}
