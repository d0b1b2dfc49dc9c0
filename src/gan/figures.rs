//! The chapter's pictures: samples over the modes (SVG and an animated GIF), loss curves,
//! mode coverage over training, and a grid of generated digits (PNG).

use crate::data::Mixture;
use crate::data::images::PIXELS;
use crate::error::{AigcError, Result};
use crate::plot::{Chart, Series};

use super::GanLog;

/// Generated points and the mode centres in one scatter plot.
pub fn scatter_chart(points: &[f32], mixture: &Mixture, title: &str) -> Chart {
    let pts = points
        .chunks_exact(2)
        .map(|p| (p[0] as f64, p[1] as f64))
        .collect();
    let centres = mixture
        .centres
        .iter()
        .map(|c| (c[0] as f64, c[1] as f64))
        .collect();
    Chart::new(title, "x₁", "x₂")
        .with(Series::points("generated", pts))
        .with(Series::points("mode centres", centres))
}

/// Both players' losses (mean of every 50 steps), with the values of a discriminator that
/// cannot tell real from fake: 2 ln 2 for D's loss (real + fake terms) and ln 2 for G's.
pub fn loss_chart(log: &GanLog, title: &str) -> Chart {
    let smooth = |f: fn(&super::StepLosses) -> f32| -> Vec<(f64, f64)> {
        log.losses
            .chunks(50)
            .enumerate()
            .map(|(i, c)| {
                let mean = c.iter().map(f).sum::<f32>() / c.len() as f32;
                ((i * 50 + c.len()) as f64, mean as f64)
            })
            .collect()
    };
    let end = log.step.max(1) as f64;
    let ln2 = std::f64::consts::LN_2;
    Chart::new(title, "step", "loss (nats)")
        .with(Series::line("discriminator", smooth(|l| l.d)))
        .with(Series::line("generator", smooth(|l| l.g)))
        .with(Series::line(
            "2 ln 2 (D at chance)",
            vec![(0.0, 2.0 * ln2), (end, 2.0 * ln2)],
        ))
        .with(Series::line(
            "ln 2 (G at chance)",
            vec![(0.0, ln2), (end, ln2)],
        ))
}

/// Modes covered and % high-quality samples at every evaluation of one or more runs.
pub fn coverage_chart(runs: &[(String, &GanLog)], n_modes: usize, title: &str) -> Chart {
    let mut chart = Chart::new(title, "step", "modes covered");
    for (name, log) in runs {
        let pts = log
            .evals
            .iter()
            .filter_map(|e| {
                e.value
                    .modes
                    .as_ref()
                    .map(|m| (e.step as f64, m.modes_covered as f64))
            })
            .collect();
        chart = chart.with(Series::line(name.clone(), pts));
    }
    let end = runs.iter().map(|(_, log)| log.step).max().unwrap_or(1) as f64;
    chart.with(Series::line(
        "all modes",
        vec![(0.0, n_modes as f64), (end, n_modes as f64)],
    ))
}

const GIF_SIZE: u16 = 320;

/// An animated GIF of the generated points at every evaluation: grey rings mark 3 std
/// around each mode centre, blue dots are samples, the bar at the bottom is the progress
/// through training.
pub fn training_gif(log: &GanLog, mixture: &Mixture, total_steps: usize) -> Result<Vec<u8>> {
    let s = GIF_SIZE as usize;
    let lim = mixture
        .centres
        .iter()
        .flatten()
        .fold(0.0f32, |m, x| m.max(x.abs()))
        + 1.0;
    let to_px = |v: f32| ((v + lim) / (2.0 * lim) * (s as f32 - 1.0)).round() as i64;
    let palette = [255, 255, 255, 170, 170, 170, 0, 114, 178, 213, 94, 0];
    let mut out = Vec::new();
    {
        let gif_err = |e: gif::EncodingError| AigcError::Shape(format!("GIF: {e}"));
        let mut enc = gif::Encoder::new(&mut out, GIF_SIZE, GIF_SIZE, &palette).map_err(gif_err)?;
        enc.set_repeat(gif::Repeat::Infinite).map_err(gif_err)?;
        for (k, eval) in log.evals.iter().enumerate() {
            let mut px = vec![0u8; s * s];
            let mut put = |x: i64, y: i64, c: u8| {
                if (0..s as i64).contains(&x) && (0..s as i64).contains(&y) {
                    px[(s - 1 - y as usize) * s + x as usize] = c;
                }
            };
            let r = (3.0 * mixture.std / (2.0 * lim) * s as f32).max(2.0);
            for c in &mixture.centres {
                for a in 0..64 {
                    let t = a as f32 / 64.0 * std::f32::consts::TAU;
                    let (x, y) = (
                        to_px(c[0]) as f32 + r * t.cos(),
                        to_px(c[1]) as f32 + r * t.sin(),
                    );
                    put(x.round() as i64, y.round() as i64, 1);
                }
            }
            for p in eval.value.samples.chunks_exact(2) {
                let (x, y) = (to_px(p[0]), to_px(p[1]));
                for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                    put(x + dx, y + dy, 2);
                }
            }
            let done = eval.step as f32 / total_steps.max(1) as f32;
            for x in 0..(done * s as f32) as i64 {
                for y in 0..4 {
                    put(x, y, 3);
                }
            }
            let mut frame = gif::Frame::from_indexed_pixels(GIF_SIZE, GIF_SIZE, px, None);
            frame.delay = if k + 1 == log.evals.len() { 200 } else { 40 }; // 1/100 s
            enc.write_frame(&frame).map_err(gif_err)?;
        }
    }
    Ok(out)
}

/// A PNG of digits (pixels in [−1, 1], 64 per image) in a square grid, dark ink on white,
/// each pixel drawn as a `scale` × `scale` block.
pub fn digit_grid_png(pixels: &[f32], scale: usize) -> Result<Vec<u8>> {
    let n = pixels.len() / PIXELS;
    let cols = (n as f64).sqrt().ceil() as usize;
    let rows = n.div_ceil(cols.max(1));
    let (pad, cell) = (2, 8 * scale + 2);
    let (w, h) = (cols * cell + pad, rows * cell + pad);
    let mut img = vec![255u8; w * h];
    for (k, digit) in pixels.chunks_exact(PIXELS).enumerate() {
        let (r, c) = (k / cols, k % cols);
        for (i, &v) in digit.iter().enumerate() {
            let ink = ((v.clamp(-1.0, 1.0) + 1.0) * 127.5) as u8;
            for dy in 0..scale {
                for dx in 0..scale {
                    let y = pad + r * cell + (i / 8) * scale + dy;
                    let x = pad + c * cell + (i % 8) * scale + dx;
                    img[y * w + x] = 255 - ink;
                }
            }
        }
    }
    let mut out = Vec::new();
    {
        let png_err = |e: png::EncodingError| AigcError::Shape(format!("PNG: {e}"));
        let mut enc = png::Encoder::new(&mut out, w as u32, h as u32);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(png_err)?;
        writer.write_image_data(&img).map_err(png_err)?;
    }
    Ok(out)
}
