//! Chapter 7: attention's defining properties, gradients, training, generation, bad input.

use std::sync::atomic::AtomicBool;

use aigc::data::{TextData, Vocab, corpus};
use aigc::gpt::*;
use aigc::lstm::{Finish, TrainLog, next_char_loss};
use aigc::optim::ClippedAdam;
use aigc::sample::Sampling;
use dfdx::prelude::*;

/// A model small enough to check by finite differences: 8 characters, 8 numbers per
/// position, 2 heads, 2 blocks, context 6.
type Tiny = MiniGpt<8, 8, 32, 2, 2, 6, f64, Cpu>;

const IDS: [usize; 12] = [1, 2, 3, 4, 5, 6, 0, 7, 2, 3, 1, 5];
const TARGETS: [usize; 12] = [2, 3, 4, 5, 6, 0, 7, 1, 3, 1, 5, 4];

fn tiny_loss(model: &Tiny, dev: &Cpu) -> f64 {
    let logits = model.forward(dev.tensor_from_vec(IDS.to_vec(), (2, 6)));
    next_char_loss(logits, dev.tensor_from_vec(TARGETS.to_vec(), (2, 6))).as_vec()[0]
}

fn random_heads(dev: &Cpu, shape: (usize, usize, usize, usize)) -> Heads<f64, Cpu> {
    dev.sample_normal_like(&shape)
}

#[test]
fn attention_rows_sum_to_one_and_the_future_gets_exactly_zero_weight() {
    let dev = Cpu::seed_from_u64(1);
    let (b, h, t, d) = (2, 3, 7, 4);
    let q = random_heads(&dev, (b, h, t, d));
    let k = random_heads(&dev, (b, h, t, d));
    let w = attention_weights(q, k).as_vec();
    for row in 0..b * h * t {
        let weights = &w[row * t..(row + 1) * t];
        let sum: f64 = weights.iter().sum();
        assert!((sum - 1.0).abs() < 1e-12, "row {row} sums to {sum}");
        let position = row % t;
        for (s, &weight) in weights.iter().enumerate() {
            if s > position {
                assert_eq!(weight, 0.0, "position {position} attends to the future {s}");
            } else {
                assert!(weight > 0.0, "position {position} ignores the past {s}");
            }
        }
    }
}

#[test]
fn changing_a_future_character_never_changes_an_earlier_prediction() {
    let dev = Cpu::seed_from_u64(2);
    let mut model: Tiny = BuildModule::build(&dev);
    model.init_like_nanogpt();
    let logits = |ids: Vec<usize>| model.forward(dev.tensor_from_vec(ids, (1, 6))).as_vec();
    let before = logits(vec![1, 2, 3, 4, 5, 6]);
    let after = logits(vec![1, 2, 3, 4, 0, 7]); // positions 4 and 5 change
    assert_eq!(
        before[..4 * 8],
        after[..4 * 8],
        "positions 0–3 must not see 4–5"
    );
    assert_ne!(
        before[4 * 8..],
        after[4 * 8..],
        "positions 4–5 do see their inputs"
    );
}

/// softmax(q kᵀ/√d + M) v for one sequence and one head, by plain loops.
fn attention_by_hand(q: &[Vec<f64>], k: &[Vec<f64>], v: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let d = q[0].len() as f64;
    (0..q.len())
        .map(|t| {
            let scores: Vec<f64> = (0..=t)
                .map(|s| q[t].iter().zip(&k[s]).map(|(a, b)| a * b).sum::<f64>() / d.sqrt())
                .collect();
            let max = scores.iter().cloned().fold(f64::MIN, f64::max);
            let e: Vec<f64> = scores.iter().map(|x| (x - max).exp()).collect();
            let z: f64 = e.iter().sum();
            (0..v[0].len())
                .map(|j| (0..=t).map(|s| e[s] / z * v[s][j]).sum())
                .collect()
        })
        .collect()
}

/// x Wᵀ for one sequence (rows of x) and a (out, in) weight matrix.
fn project(x: &[Vec<f64>], w: &[f64], cols: usize) -> Vec<Vec<f64>> {
    x.iter()
        .map(|row| {
            (0..w.len() / cols)
                .map(|o| (0..cols).map(|i| w[o * cols + i] * row[i]).sum())
                .collect()
        })
        .collect()
}

fn multi_head_by_hand<const NH: usize>(
    attn: &CausalSelfAttention<8, NH, f64, Cpu>,
    x: &[Vec<f64>],
) -> Vec<Vec<f64>> {
    let (q, k, v) = (
        project(x, &attn.q.weight.as_vec(), 8),
        project(x, &attn.k.weight.as_vec(), 8),
        project(x, &attn.v.weight.as_vec(), 8),
    );
    let hs = 8 / NH;
    let cut = |m: &[Vec<f64>], h: usize| -> Vec<Vec<f64>> {
        m.iter().map(|r| r[h * hs..(h + 1) * hs].to_vec()).collect()
    };
    let heads: Vec<Vec<Vec<f64>>> = (0..NH)
        .map(|h| attention_by_hand(&cut(&q, h), &cut(&k, h), &cut(&v, h)))
        .collect();
    let joined: Vec<Vec<f64>> = (0..x.len())
        .map(|t| heads.iter().flat_map(|h| h[t].clone()).collect())
        .collect();
    project(&joined, &attn.proj.weight.as_vec(), 8)
}

fn check_against_hand<const NH: usize>(seed: u64) {
    let dev = Cpu::seed_from_u64(seed);
    let attn: CausalSelfAttention<8, NH, f64, Cpu> = BuildModule::build(&dev);
    let x: Seq<8, f64, Cpu> = dev.sample_normal_like(&(1, 5, Const));
    let rows: Vec<Vec<f64>> = x.as_vec().chunks(8).map(<[f64]>::to_vec).collect();
    let got = attn.forward(x).as_vec();
    let want: Vec<f64> = multi_head_by_hand(&attn, &rows).concat();
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() < 1e-12, "{NH} heads: {g} vs by hand {w}");
    }
}

#[test]
fn one_head_is_single_head_attention_and_two_heads_are_two_attentions_side_by_side() {
    check_against_hand::<1>(4);
    check_against_hand::<2>(5);
}

/// Checks ∂loss/∂θ from `backward()` against central differences, for a few entries of one
/// parameter tensor reached through `get`.
fn check_tensor<S: Shape>(
    dev: &Cpu,
    model: &mut Tiny,
    name: &str,
    get: fn(&mut Tiny) -> &mut Tensor<S, f64, Cpu>,
) {
    let grads = model.alloc_grads();
    let ids = dev.tensor_from_vec(IDS.to_vec(), (2, 6));
    let logits = model.forward(ids.traced(grads));
    let grads = next_char_loss(logits, dev.tensor_from_vec(TARGETS.to_vec(), (2, 6))).backward();
    let analytic = grads.get(&*get(model)).as_vec();
    let original = get(model).as_vec();
    let h = 1e-6;
    for j in (0..original.len()).step_by(original.len().div_ceil(5)) {
        let mut plus = original.clone();
        plus[j] += h;
        get(model).copy_from(&plus);
        let up = tiny_loss(model, dev);
        let mut minus = original.clone();
        minus[j] -= h;
        get(model).copy_from(&minus);
        let down = tiny_loss(model, dev);
        get(model).copy_from(&original);
        let numeric = (up - down) / (2.0 * h);
        assert!(
            (numeric - analytic[j]).abs() < 1e-6 * (1.0 + numeric.abs()),
            "{name}[{j}]: backward {} vs finite difference {numeric}",
            analytic[j]
        );
    }
}

#[test]
fn every_kind_of_parameter_gets_the_gradient_finite_differences_give() {
    let dev = Cpu::seed_from_u64(6);
    let mut model: Tiny = BuildModule::build(&dev);
    // Larger weights than nanoGPT's 0.02, so that attention is far from uniform and
    // every path carries a gradient worth checking.
    let attn = &mut model.blocks.modules[0].attn;
    attn.q
        .weight
        .fill_with_distr(rand_distr::Normal::new(0.0, 0.8).unwrap());
    attn.k
        .weight
        .fill_with_distr(rand_distr::Normal::new(0.0, 0.8).unwrap());
    check_tensor(&dev, &mut model, "wte", |m| &mut m.wte.weight);
    check_tensor(&dev, &mut model, "wpe", |m| &mut m.wpe.weight);
    check_tensor(&dev, &mut model, "block0.ln1.gamma", |m| {
        &mut m.blocks.modules[0].ln1.gamma
    });
    check_tensor(&dev, &mut model, "block0.attn.q", |m| {
        &mut m.blocks.modules[0].attn.q.weight
    });
    check_tensor(&dev, &mut model, "block0.attn.k", |m| {
        &mut m.blocks.modules[0].attn.k.weight
    });
    check_tensor(&dev, &mut model, "block0.attn.v", |m| {
        &mut m.blocks.modules[0].attn.v.weight
    });
    check_tensor(&dev, &mut model, "block0.attn.proj", |m| {
        &mut m.blocks.modules[0].attn.proj.weight
    });
    check_tensor(&dev, &mut model, "block1.fc", |m| {
        &mut m.blocks.modules[1].fc.weight
    });
    check_tensor(&dev, &mut model, "block1.proj", |m| {
        &mut m.blocks.modules[1].proj.weight
    });
    check_tensor(&dev, &mut model, "ln_f.beta", |m| &mut m.ln_f.beta);
    check_tensor(&dev, &mut model, "head", |m| &mut m.head.weight);
}

/// A small GPT that trains in seconds in a debug build: 32 numbers per position, 2 blocks,
/// context 32.
type Small = MiniGpt<128, 32, 128, 4, 2, 32, f32, Cpu>;

fn quick(steps: usize) -> GptConfig {
    GptConfig {
        steps,
        seq: 32,
        batch: 8,
        lr: 3e-3,
        warmup: 10,
        eval_every: 50,
        eval_batches: 4,
        ..GptConfig::default()
    }
}

fn train_small(cfg: &GptConfig, seed: u64) -> (TrainLog, Small) {
    let dev = Cpu::seed_from_u64(seed);
    let data = TextData::split(corpus::ANIMALS, cfg.valid_fraction, cfg.seq + 1).unwrap();
    let mut model: Small = BuildModule::build(&dev);
    model.init_like_nanogpt();
    let mut opt = ClippedAdam::new(cfg.adam);
    let mut log = TrainLog::default();
    let finish = train_gpt(
        &dev,
        &mut model,
        &mut opt,
        &data,
        cfg,
        &mut log,
        &AtomicBool::new(false),
        |_, _, _| Ok(()),
    )
    .unwrap();
    assert_eq!(finish, Finish::Completed);
    (log, model)
}

#[test]
fn a_short_run_on_the_bundled_corpus_learns_far_more_than_letter_frequencies() {
    let (log, _) = train_small(&quick(150), 0);
    let (first, last) = (log.valid[0].1, log.valid.last().unwrap().1);
    // ln 90 = 4.50 is a uniform guess; the corpus's letter frequencies alone give ≈ 3.3.
    assert!(
        first > 4.3,
        "an untrained model guesses ≈ uniformly, got {first}"
    );
    assert!(last < 2.4, "after 150 steps the validation loss is {last}");
}

#[test]
fn the_same_seed_gives_bit_identical_losses() {
    let (a, _) = train_small(&quick(5), 9);
    let (b, _) = train_small(&quick(5), 9);
    assert_eq!(a.train, b.train);
    let (c, _) = train_small(&quick(5), 10);
    assert_ne!(a.train, c.train, "another seed, other initial weights");
}

#[test]
fn the_schedule_warms_up_then_decays_to_the_minimum() {
    let cfg = GptConfig::default();
    assert!(cfg.lr_at(0) < cfg.lr / 50.0);
    assert!((cfg.lr_at(cfg.warmup) - cfg.lr).abs() < 1e-9);
    assert!((cfg.lr_at(cfg.steps) - cfg.min_lr).abs() < 1e-9);
    let mid = cfg.lr_at((cfg.warmup + cfg.steps) / 2);
    assert!((mid - (cfg.lr + cfg.min_lr) / 2.0).abs() < 1e-6);
}

#[test]
fn prompts_longer_than_the_context_are_cropped_and_unknown_characters_named() {
    let dev = Cpu::seed_from_u64(3);
    let mut model: Small = BuildModule::build(&dev);
    model.init_like_nanogpt();
    let vocab = Vocab::from_text(corpus::ANIMALS);
    let long = "The cat sleeps. ".repeat(10); // 160 characters, context 32
    let how = Sampling::default();
    let text = generate(&dev, &model, &vocab, &long, 20, &how, 1).unwrap();
    assert!(text.starts_with(&long) && text.chars().count() == long.chars().count() + 20);
    // Cropping means only the last 32 characters matter.
    let other = format!("dog{}", &long[3..]);
    let cropped = generate(&dev, &model, &vocab, &other, 20, &how, 1).unwrap();
    assert_eq!(text[long.len()..], cropped[other.len()..]);
    let err = generate(&dev, &model, &vocab, "猫🦀", 5, &how, 1).unwrap_err();
    assert!(err.to_string().contains('🦀'), "{err}");
    assert!(generate(&dev, &model, &vocab, "", 5, &how, 1).is_err());
}

#[test]
fn windows_longer_than_the_context_and_bad_rates_are_refused() {
    let bad = [
        GptConfig {
            seq: 65,
            ..GptConfig::default()
        },
        GptConfig {
            lr: -1.0,
            ..GptConfig::default()
        },
        GptConfig {
            batch: 0,
            ..GptConfig::default()
        },
    ];
    for cfg in bad {
        let err = cfg.validate(64).unwrap_err().to_string();
        assert!(!err.is_empty());
    }
    let err = GptConfig {
        seq: 65,
        ..GptConfig::default()
    }
    .validate(64)
    .unwrap_err();
    assert!(err.to_string().contains("context of 64"), "{err}");
}

#[test]
fn reading_one_character_at_a_time_with_the_cache_gives_the_full_windows_logits() {
    let dev = Cpu::seed_from_u64(7);
    let mut model: Tiny = BuildModule::build(&dev);
    model.init_like_nanogpt();
    let ids = vec![3, 1, 4, 1, 5, 7];
    let full = model
        .forward(dev.tensor_from_vec(ids.clone(), (1, 6)))
        .as_vec();
    let mut cache = KvCache::default();
    let mut stepwise = model
        .forward_cached(dev.tensor_from_vec(ids[..2].to_vec(), (1, 2)), &mut cache)
        .as_vec(); // a two-character prompt, then one character at a time
    for &id in &ids[2..] {
        stepwise.extend(
            model
                .forward_cached(dev.tensor_from_vec(vec![id], (1, 1)), &mut cache)
                .as_vec(),
        );
    }
    assert_eq!(cache.len, 6);
    for (a, b) in full.iter().zip(&stepwise) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }
}

#[test]
fn tanh_gelu_is_the_tanh_form_and_its_gradient_is_right() {
    let dev = Cpu::default();
    let xs = [-3.0, -1.0, -0.1, 0.0, 0.5, 2.0, 4.0];
    let x: Tensor<Rank1<7>, f64, Cpu> = dev.tensor(xs);
    let y = tanh_gelu(x.clone().leaky_traced());
    let values = y.as_vec();
    let grads = y.sum().backward();
    let slope = grads.get(&x).as_vec();
    let tanh_form = |x: f64| {
        0.5 * x * (1.0 + ((2.0 / std::f64::consts::PI).sqrt() * (x + 0.044715 * x.powi(3))).tanh())
    };
    for (i, &x) in xs.iter().enumerate() {
        assert!((values[i] - tanh_form(x)).abs() < 1e-12, "tanh_gelu({x})");
        let numeric = (tanh_form(x + 1e-6) - tanh_form(x - 1e-6)) / 2e-6;
        assert!(
            (slope[i] - numeric).abs() < 1e-8,
            "gelu'({x}): {} vs {numeric}",
            slope[i]
        );
    }
    // dfdx 0.13's exact GELU has the right value but the wrong slope (at x = 1: 1.0833).
    let one: Tensor<Rank0, f64, Cpu> = dev.tensor(1.0);
    let slope = one
        .clone()
        .leaky_traced()
        .accurate_gelu()
        .backward()
        .get(&one)
        .as_vec()[0];
    assert!(
        (slope - 1.0833).abs() > 0.01,
        "dfdx fixed accurate_gelu's derivative: {slope}"
    );
}

#[test]
fn an_interrupted_run_resumes_exactly_where_it_stopped() {
    use std::sync::atomic::Ordering;
    let cfg = GptConfig {
        steps: 8,
        batch: 4,
        seq: 32,
        warmup: 2,
        eval_every: 2,
        eval_batches: 1,
        ..GptConfig::default()
    };
    let tmp = tempfile::tempdir().unwrap();
    let never = AtomicBool::new(false);
    let whole_ckpt = tmp.path().join("whole.ckpt");
    let dev = Cpu::seed_from_u64(cfg.seed);
    let whole = train_or_resume(&dev, corpus::ANIMALS, &cfg, &whole_ckpt, false, &never).unwrap();

    // The same run, "Ctrl-C" after step 4: the flag is raised from the checkpoint hook.
    let data = prepare_text(corpus::ANIMALS, &cfg).unwrap();
    let ckpt = tmp.path().join("run.ckpt");
    let dev = Cpu::seed_from_u64(cfg.seed);
    let mut model = new_model(&dev);
    let mut opt = ClippedAdam::new(cfg.adam);
    let mut log = TrainLog::default();
    let ctrl_c = AtomicBool::new(false);
    let finish = train_gpt(
        &dev,
        &mut model,
        &mut opt,
        &data,
        &cfg,
        &mut log,
        &ctrl_c,
        |m, o, l| {
            save_checkpoint(&ckpt, m, o, &data.vocab, &cfg, l)?;
            ctrl_c.store(l.step >= 4, Ordering::SeqCst);
            Ok(())
        },
    )
    .unwrap();
    assert_eq!((finish, log.step), (Finish::Interrupted, 4));

    let resumed = train_or_resume(
        &Cpu::seed_from_u64(99),
        corpus::ANIMALS,
        &cfg,
        &ckpt,
        true,
        &never,
    )
    .unwrap();
    assert_eq!(resumed.log.step, 8);
    assert_eq!(
        resumed.log.train, whole.log.train,
        "the same losses, step by step"
    );
    assert_eq!(
        aigc::optim::parameters(&resumed.model),
        aigc::optim::parameters(&whole.model),
        "the same weights"
    );
    // A checkpoint of another model is refused by name.
    let lstm_ckpt = tmp.path().join("lstm.ckpt");
    let lstm_cfg = aigc::lstm::LstmConfig::default();
    let lstm = aigc::lstm::new_model(&dev);
    aigc::lstm::save_checkpoint(
        &lstm_ckpt,
        &lstm,
        &ClippedAdam::new(lstm_cfg.adam),
        &data.vocab,
        &lstm_cfg,
        &TrainLog::default(),
    )
    .unwrap();
    let err = load_checkpoint(&dev, &lstm_ckpt).unwrap_err().to_string();
    assert!(err.contains("not a \"MiniGpt"), "{err}");
}
