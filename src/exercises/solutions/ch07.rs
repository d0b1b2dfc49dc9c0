//! Solutions of chapter 7's exercises.

pub fn attention_by_hand(q: &[f32], k: &[f32], v: &[f32], t: usize, d: usize) -> Vec<f32> {
    let scale = 1.0 / (d as f32).sqrt();
    let row = |m: &[f32], i: usize| -> Vec<f32> { m[i * d..(i + 1) * d].to_vec() };
    let mut out = Vec::with_capacity(t * d);
    for i in 0..t {
        let qi = row(q, i);
        // Scores of the positions i may read: s = 0..=i (the causal mask).
        let scores: Vec<f32> = (0..=i)
            .map(|s| qi.iter().zip(row(k, s)).map(|(a, b)| a * b).sum::<f32>() * scale)
            .collect();
        let max = scores.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
        let e: Vec<f32> = scores.iter().map(|x| (x - max).exp()).collect();
        let z: f32 = e.iter().sum();
        for j in 0..d {
            out.push((0..=i).map(|s| e[s] / z * v[s * d + j]).sum());
        }
    }
    out
}

pub fn sinusoidal_positions(positions: usize, c: usize) -> Vec<f64> {
    let mut table = Vec::with_capacity(positions * c);
    for p in 0..positions {
        for j in 0..c {
            let i = j / 2;
            let angle = p as f64 / 10_000f64.powf(2.0 * i as f64 / c as f64);
            table.push(if j % 2 == 0 { angle.sin() } else { angle.cos() });
        }
    }
    table
}

pub fn gpt_parameters(v: usize, c: usize, ff: usize, l: usize, block: usize) -> usize {
    let embeddings = v * c + block * c;
    let per_block = 2 * (2 * c) + 4 * c * c + 2 * c * ff; // 2 LayerNorms, q/k/v/proj, MLP
    let head = 2 * c + c * v; // final LayerNorm, then the head
    embeddings + l * per_block + head
}
