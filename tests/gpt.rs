//! Chapter 7: attention's defining properties, gradients, training, resuming, generation,
//! the vocabulary, the key/value cache, checkpoints and bad input.

mod common;

use std::marker::PhantomData;

use aigc::checkpoint;
use aigc::data::{TextData, Tokenization, Tokenizer, Vocab, corpus};
use aigc::gpt::*;
use aigc::layers::{Init, seeded};
use aigc::lm::{
    RunOptions, TextConfig, TextLog, TextModel, TextOutcome, TextRecord, TextTrainer,
    next_token_loss,
};
use aigc::lstm::{BookLstm, Lstm, LstmConfig};
use aigc::optim::ClippedAdam;
use aigc::params::{parameter_ranks, parameters, set_parameters};
use aigc::sample::{Sampling, argmax};
use aigc::train::{Finish, Stop, TrainLog, Trainer, fit};
use dfdx::prelude::*;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};

use common::{check_gradients, gradients};

/// A model small enough to check by finite differences: 8 characters, 8 numbers per
/// position, 2 heads, 2 blocks, context 6.
type Tiny = MiniGpt<8, 32, 2, 2, 6, f64, Cpu>;

const IDS: [usize; 12] = [1, 2, 3, 4, 5, 6, 0, 7, 2, 3, 1, 5];
const TARGETS: [usize; 12] = [2, 3, 4, 5, 6, 0, 7, 1, 3, 1, 5, 4];

/// The mean next-character loss of the tiny model on two windows of [`IDS`].
fn tiny_loss<T: Tape<f64, Cpu> + Merge<T>>(model: &Tiny, tape: T) -> Tensor<Rank0, f64, Cpu, T> {
    let dev = model.wte.weight.device();
    let logits = model.forward(dev.tensor_from_vec(IDS.to_vec(), (2, 6)).put_tape(tape));
    let targets = dev.tensor_from_vec(TARGETS.to_vec(), (12,));
    next_token_loss(logits.reshape_like(&(12, 8)), targets)
}

fn tiny_loss_and_grads(model: &Tiny) -> (f64, Gradients<f64, Cpu>) {
    let loss = tiny_loss(model, OwnedTape::default());
    (loss.as_vec()[0], loss.backward())
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
    let dev = Cpu::default();
    let model = Tiny::new(&dev, 8, 2);
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
    let rng = &mut seeded(seed);
    let mut attn = CausalSelfAttention::<8, NH, f64, Cpu>::new(&dev, 0.02, rng);
    // Weights far larger than GPT-2's 0.02, so that attention is far from uniform.
    for w in [&mut attn.q, &mut attn.k, &mut attn.v, &mut attn.proj] {
        w.weight = Init::Normal(0.7).tensor(&dev, (Const, Const), rng);
    }
    let x: Seq<8, f64, Cpu> = dev.sample_normal_like(&(1, 5, Const));
    let rows: Vec<Vec<f64>> = x.as_vec().chunks(8).map(<[f64]>::to_vec).collect();
    let got = attn.forward(x).as_vec();
    let want: Vec<f64> = multi_head_by_hand(&attn, &rows).concat();
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() < 1e-12, "{NH} heads: {g} vs by hand {w}");
    }
}

#[test]
fn one_head_is_single_head_attention_and_two_heads_are_two_attentions_side_by_side() {
    check_against_hand::<1>(4);
    check_against_hand::<2>(5);
}

#[test]
fn every_kind_of_parameter_gets_the_gradient_finite_differences_give() {
    let mut model = Tiny::new(&Cpu::default(), 8, 6);
    // Larger weights than nanoGPT's 0.02, and LayerNorms away from the identity, so that
    // attention is far from uniform and every path carries a gradient worth checking.
    let rng = &mut seeded(7);
    let noisy: Vec<Vec<f64>> = parameters(&model)
        .iter()
        .zip(parameter_ranks(&model))
        .map(|(values, rank)| {
            let centre = if rank == 1 { 0.8 } else { 0.0 }; // LayerNorm gains and shifts
            let draw = |_| {
                let z: f64 = StandardNormal.sample(&mut *rng);
                centre + 0.5 * z
            };
            values.iter().map(draw).collect()
        })
        .collect();
    assert!(set_parameters(&mut model, &noisy));
    // wte, wpe; per block ln1 (γ, β), q, k, v, proj, ln2 (γ, β), fc, proj; ln_f (γ, β); head.
    assert_eq!(parameters(&model).len(), 2 + 2 * 10 + 2 + 1);
    let (_, grads) = tiny_loss_and_grads(&model);
    for (k, g) in gradients(&model, &grads).iter().enumerate() {
        assert!(g.iter().any(|x| *x != 0.0), "tensor {k} gets no gradient");
    }
    check_gradients(&mut model, 5, tiny_loss_and_grads, |m| {
        tiny_loss(m, NoneTape).as_vec()[0]
    });
}

/// A small GPT that trains in seconds in a debug build: 32 numbers per position, 4 heads,
/// 2 blocks, context 32.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct SmallGpt;

type Small<D> = MiniGpt<32, 128, 4, 2, 32, f32, D>;

impl TextModel for SmallGpt {
    type Net<D: Device<f32>> = Small<D>;
    const SHORT: &'static str = "small-gpt";
    const NAME: &'static str = "MiniGpt C32 FF128 NH4 L2 T32";

    fn book_config() -> TextConfig<SmallGpt> {
        let book = GptConfig::default();
        TextConfig {
            steps: 150,
            batch: 8,
            seq: 32,
            lr: 3e-3,
            min_lr: book.min_lr,
            warmup: 10,
            valid_fraction: book.valid_fraction,
            eval_every: 50,
            seed: 0,
            adam: book.adam,
            tokens: Tokenization::Chars,
            model: PhantomData,
        }
    }

    fn build<D: Device<f32>>(dev: &D, vocab: usize, seed: u64) -> Small<D> {
        MiniGpt::new(dev, vocab, seed)
    }
}

type SmallConfig = TextConfig<SmallGpt>;

fn quick(steps: usize) -> SmallConfig {
    SmallConfig {
        steps,
        ..SmallConfig::default()
    }
}

/// Trains (or resumes) the small GPT as `opts` says, never stopped.
fn train(
    text: &str,
    cfg: &SmallConfig,
    opts: &RunOptions,
) -> aigc::Result<TextOutcome<SmallGpt, Cpu>> {
    aigc::lm::run(&Cpu::default(), text, cfg, opts, &Stop::new())
}

/// The evaluations without their timings.
fn measured(log: &TextLog) -> Vec<(usize, f64)> {
    log.evals.iter().map(|m| (m.step, m.value)).collect()
}

#[test]
fn a_short_run_on_the_bundled_corpus_learns_far_more_than_letter_frequencies() {
    let out = train(corpus::ANIMALS, &quick(150), &RunOptions::default()).unwrap();
    assert_eq!((out.finish, out.log.step), (Finish::Completed, 150));
    let uniform = (out.tokenizer.len() as f64).ln(); // ln 90 = 4.50
    let (first, last) = (
        out.log.evals[0].value,
        out.log.last_eval().copied().unwrap(),
    );
    assert!(
        (first - uniform).abs() < 0.1,
        "an untrained model guesses ≈ uniformly: {first} vs ln V = {uniform}"
    );
    // The corpus's letter frequencies alone give ≈ 3.3.
    assert!(last < 2.4, "after 150 steps the validation loss is {last}");
}

#[test]
fn the_same_seed_gives_bit_identical_losses() {
    let run = |seed| {
        let cfg = SmallConfig { seed, ..quick(5) };
        train(corpus::ANIMALS, &cfg, &RunOptions::default())
            .unwrap()
            .log
    };
    let (a, b) = (run(9), run(9));
    assert_eq!(a.losses, b.losses);
    assert_eq!(measured(&a), measured(&b));
    assert_ne!(
        a.losses,
        run(10).losses,
        "another seed, other initial weights"
    );
}

#[test]
fn the_schedule_warms_up_then_decays_to_the_minimum() {
    let cfg = GptConfig::default();
    assert!(cfg.lr_at(0) < cfg.lr / 50.0);
    assert!(cfg.lr_at(cfg.warmup / 2) < cfg.lr_at(cfg.warmup - 1));
    assert!((cfg.lr_at(cfg.warmup) - cfg.lr).abs() < 1e-9);
    assert!((cfg.lr_at(cfg.steps) - cfg.min_lr).abs() < 1e-9);
    let mid = cfg.lr_at((cfg.warmup + cfg.steps) / 2);
    assert!((mid - (cfg.lr + cfg.min_lr) / 2.0).abs() < 1e-6);
}

/// A trainer that raises `stop` from its checkpoint once `at` steps are done, as Ctrl-C
/// during that checkpoint would.
struct StopAtCheckpoint<'s, T> {
    inner: T,
    at: usize,
    stop: &'s Stop,
}

impl<T: Trainer> Trainer for StopAtCheckpoint<'_, T> {
    type Losses = T::Losses;
    type Eval = T::Eval;
    fn lr_at(&self, step: usize) -> f32 {
        self.inner.lr_at(step)
    }
    fn step(&mut self, step: usize, rng: &mut StdRng, lr: f32) -> T::Losses {
        self.inner.step(step, rng, lr)
    }
    fn evaluate(&mut self) -> aigc::Result<T::Eval> {
        self.inner.evaluate()
    }
    fn checkpoint(&mut self, log: &TrainLog<T::Losses, T::Eval>) -> aigc::Result<()> {
        self.inner.checkpoint(log)?;
        if log.step >= self.at {
            self.stop.request();
        }
        Ok(())
    }
}

#[test]
fn an_interrupted_run_resumes_exactly_where_it_stopped() {
    let cfg = SmallConfig {
        steps: 12,
        batch: 4,
        warmup: 4, // the resumed half continues the warm-up and the cosine
        eval_every: 3,
        ..SmallConfig::default()
    };
    let tmp = tempfile::tempdir().unwrap();
    let ckpt = tmp.path().join("run.ckpt");
    let whole = train(corpus::ANIMALS, &cfg, &RunOptions::default()).unwrap();

    // The same run, "Ctrl-C" during the checkpoint of step 6.
    let dev = Cpu::default();
    let data = TextData::for_training(corpus::ANIMALS, cfg.valid_fraction, cfg.seq + 1, cfg.tokens)
        .unwrap();
    let inner = TextTrainer::<SmallGpt, Cpu> {
        model: SmallGpt::build(&dev, data.tokenizer.len(), cfg.seed),
        opt: ClippedAdam::new(cfg.adam),
        data: &data,
        config: cfg,
        checkpoint: Some(ckpt.clone()),
    };
    let stop = Stop::new();
    let mut trainer = StopAtCheckpoint {
        inner,
        at: 6,
        stop: &stop,
    };
    let mut log = TextLog::default();
    let settings = cfg.loop_settings(SmallGpt::SHORT);
    let finish = fit(&mut trainer, &settings, &mut log, &stop).unwrap();
    assert_eq!((finish, log.step), (Finish::Interrupted, 6));
    assert_eq!(log.losses[..], whole.log.losses[..6]);

    let resume = RunOptions {
        checkpoint: Some(ckpt),
        resume: true,
    };
    let resumed =
        aigc::lm::run::<SmallGpt, Cpu>(&dev, corpus::ANIMALS, &cfg, &resume, &Stop::new()).unwrap();
    assert_eq!(
        (resumed.finish, resumed.log.step, resumed.config),
        (Finish::Completed, 12, cfg)
    );
    assert_eq!(
        resumed.log.losses, whole.log.losses,
        "the same losses, step by step"
    );
    assert_eq!(measured(&resumed.log), measured(&whole.log));
    assert_eq!(
        parameters(&resumed.model),
        parameters(&whole.model),
        "the same weights, bit for bit"
    );
}

#[test]
fn a_checkpoint_of_another_model_is_refused_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let dev = Cpu::default();
    let vocab = Tokenizer::learn(Tokenization::Chars, corpus::ANIMALS);
    let lstm_ckpt = tmp.path().join("lstm.ckpt");
    let record = TextRecord::<Lstm> {
        tokenizer: vocab.clone(),
        config: LstmConfig::default(),
        log: TextLog::default(),
    };
    let lstm = BookLstm::new(&dev, vocab.len(), 0);
    let opt = ClippedAdam::new(record.config.adam);
    checkpoint::save(&lstm_ckpt, Lstm::NAME, &lstm, &[&opt], &record).unwrap();
    let err = load(&dev, &lstm_ckpt).unwrap_err().to_string();
    assert!(
        err.contains("holds a \"CharLstm E64 H256\", not a \"MiniGpt C128 FF512 NH4 L4 T64\""),
        "{err}"
    );
    let resume = RunOptions {
        checkpoint: Some(lstm_ckpt),
        resume: true,
    };
    let err = aigc::gpt::run(
        &dev,
        corpus::ANIMALS,
        &GptConfig::default(),
        &resume,
        &Stop::new(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("not a \"MiniGpt C128"), "{err}");
    // Another size of GPT is another model too.
    let small_ckpt = tmp.path().join("small.ckpt");
    let small = Small::<Cpu>::new(&dev, vocab.len(), 0);
    let record = TextRecord::<SmallGpt> {
        tokenizer: vocab.clone(),
        config: quick(2),
        log: TextLog::default(),
    };
    checkpoint::save(&small_ckpt, SmallGpt::NAME, &small, &[&opt], &record).unwrap();
    let err = load(&dev, &small_ckpt).unwrap_err().to_string();
    assert!(err.contains("not a \"MiniGpt C128"), "{err}");
    assert!(aigc::lm::load::<SmallGpt, Cpu>(&dev, &small_ckpt).is_ok());
}

/// The small model, untrained, for the bundled corpus, with its character tokenizer.
fn small_model() -> (Small<Cpu>, Tokenizer) {
    let vocab = Tokenizer::Chars(Vocab::from_text(corpus::ANIMALS));
    (Small::new(&Cpu::default(), vocab.len(), 3), vocab)
}

/// The characters of a character tokenizer.
fn chars(tokenizer: &Tokenizer) -> &[char] {
    match tokenizer {
        Tokenizer::Chars(vocab) => &vocab.chars,
        other => panic!("not a character tokenizer: {:?}", other.kind()),
    }
}

#[test]
fn generation_is_reproducible_and_starts_with_the_prompt() {
    let (model, vocab) = small_model();
    let how = Sampling::default();
    let a = generate(&model, &vocab, "小猫", 80, &how, 1).unwrap(); // past the context
    assert_eq!(a, generate(&model, &vocab, "小猫", 80, &how, 1).unwrap());
    assert!(a.starts_with("小猫"));
    assert_eq!(a.chars().count(), 82);
    assert!(a.chars().all(|c| chars(&vocab).contains(&c)));
    assert_ne!(a, generate(&model, &vocab, "小猫", 80, &how, 2).unwrap());
}

#[test]
fn prompts_longer_than_the_context_are_cropped_and_unknown_characters_named() {
    let (model, vocab) = small_model();
    let long = "The cat sleeps. ".repeat(10); // 160 characters, context 32
    let how = Sampling::default();
    let text = generate(&model, &vocab, &long, 20, &how, 1).unwrap();
    assert!(text.starts_with(&long) && text.chars().count() == long.chars().count() + 20);
    // Cropping means only the last 32 characters matter.
    let other = format!("dog{}", &long[3..]);
    let cropped = generate(&model, &vocab, &other, 20, &how, 1).unwrap();
    assert_eq!(text[long.len()..], cropped[other.len()..]);
    let err = generate(&model, &vocab, "猫🦀", 5, &how, 1).unwrap_err();
    assert!(err.to_string().contains('🦀'), "{err}");
    let bad = Sampling {
        top_k: Some(0),
        ..how
    };
    assert!(generate(&model, &vocab, "猫", 5, &bad, 1).is_err());
    assert!(generate(&model, &vocab, "猫", 5, &Sampling::at(f32::NAN), 1).is_err());
}

#[test]
fn temperature_zero_is_greedy_decoding_the_argmax_at_every_step() {
    let (model, vocab) = small_model();
    let dev = Cpu::default();
    let greedy = Sampling::at(0.0);
    // 1 line break + 7 prompt characters + 20 new ones stay inside the context of 32.
    let text = generate(&model, &vocab, "The cat", 20, &greedy, 1).unwrap();
    assert_eq!(
        text,
        generate(&model, &vocab, "The cat", 20, &greedy, 2).unwrap(),
        "no randomness: the seed does not matter"
    );
    // By hand, without the cache: the whole window at every step, the largest logit.
    let mut ids = vocab.encode("\nThe cat").unwrap();
    let mut want = "The cat".to_string();
    let v = vocab.len();
    for _ in 0..20 {
        let logits = model.forward(dev.tensor_from_vec(ids.clone(), (1, ids.len())));
        let next = argmax(&logits.as_vec()[(ids.len() - 1) * v..]);
        ids.push(next);
        want.push(chars(&vocab)[next]);
    }
    assert_eq!(text, want);
    // Top-k 1 is greedy too, at any temperature.
    let one = Sampling {
        top_k: Some(1),
        ..Sampling::at(1.5)
    };
    assert_eq!(
        generate(&model, &vocab, "The cat", 20, &one, 3).unwrap(),
        text
    );
}

#[test]
fn an_empty_prompt_starts_at_the_start_of_a_line() {
    let (model, vocab) = small_model();
    for how in [Sampling::at(0.0), Sampling::at(0.8)] {
        let mid = Sampling {
            from_line_start: false,
            ..how
        };
        let empty = generate(&model, &vocab, "", 40, &how, 5).unwrap();
        assert_eq!(empty.chars().count(), 40);
        let after_break = generate(&model, &vocab, "\n", 40, &mid, 5).unwrap();
        assert_eq!(format!("\n{empty}"), after_break);
        let cat = generate(&model, &vocab, "猫", 40, &how, 5).unwrap();
        let after_break = generate(&model, &vocab, "\n猫", 40, &mid, 5).unwrap();
        assert_eq!(format!("\n{cat}"), after_break);
        let err = generate(&model, &vocab, "", 40, &mid, 5)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("invalid prompt"), "{err}");
    }
}

#[test]
fn windows_longer_than_the_context_and_bad_rates_are_refused() {
    let book = GptConfig::default();
    let bad = [
        GptConfig { seq: 65, ..book },
        GptConfig { lr: -1.0, ..book },
        GptConfig {
            min_lr: f32::NAN,
            ..book
        },
        GptConfig { batch: 0, ..book },
        GptConfig { steps: 0, ..book },
        GptConfig {
            valid_fraction: 1.5,
            ..book
        },
    ];
    for cfg in bad {
        assert!(cfg.validate(Some(64)).is_err(), "{cfg:?}");
    }
    assert!(book.validate(Some(64)).is_ok());
    let long = GptConfig { seq: 65, ..book };
    assert!(
        long.validate(None).is_ok(),
        "only a context limits the window"
    );
    let err = long.validate(Some(64)).unwrap_err();
    assert!(err.to_string().contains("context of 64"), "{err}");
    // The run checks it against the model it builds.
    let err = aigc::gpt::run(
        &Cpu::default(),
        corpus::ANIMALS,
        &long,
        &RunOptions::default(),
        &Stop::new(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("context of 64"), "{err}");
    let err = train(corpus::ANIMALS, &quick(0), &RunOptions::default()).unwrap_err();
    assert!(err.to_string().contains("steps"), "{err}");
}

/// A synthetic text with exactly 1,000 distinct characters: 999 CJK ideographs in
/// scrambled lines of 19, and the line break.
fn thousand_characters() -> String {
    let ideographs: Vec<char> = (0..999)
        .map(|i| char::from_u32(0x4e00 + i).unwrap())
        .collect();
    let mut text = String::new();
    for n in 0..12_000 {
        text.push(ideographs[(n * 7) % 999]); // 7 and 999 are coprime: every one appears
        if n % 19 == 18 {
            text.push('\n');
        }
    }
    text
}

#[test]
fn a_models_vocabulary_has_exactly_one_row_per_character_of_its_text() {
    let (model, vocab) = small_model();
    let v = vocab.len();
    assert_eq!((v, model.vocab_size()), (90, 90));
    assert_eq!(model.wte.weight.shape().concrete(), [v, 32]);
    assert_eq!(model.head.weight.shape().concrete(), [v, 32]);
    assert!(model.head.bias.is_none(), "no bias, as in GPT-2");
    let book = BookGpt::<Cpu>::new(&Cpu::default(), 7, 0);
    assert_eq!(book.wte.weight.shape().concrete(), [7, 128]);
    assert_eq!(book.head.weight.shape().concrete(), [7, 128]);

    let text = thousand_characters();
    assert_eq!(Vocab::from_text(&text).len(), 1000);
    let tmp = tempfile::tempdir().unwrap();
    let ckpt = tmp.path().join("thousand.ckpt");
    let cfg = SmallConfig {
        batch: 4,
        seq: 16,
        eval_every: 2,
        ..quick(4)
    };
    let out = train(&text, &cfg, &RunOptions::save_to(&ckpt)).unwrap();
    assert_eq!((out.finish, out.tokenizer.len()), (Finish::Completed, 1000));
    assert_eq!(out.model.wte.weight.shape().concrete(), [1000, 32]);
    assert_eq!(out.model.head.weight.shape().concrete(), [1000, 32]);
    assert!(out.log.losses.iter().all(|l| l.is_finite()));
    let first = out.log.evals[0].value;
    assert!((first - 1000f64.ln()).abs() < 0.1, "{first} vs ln 1000");
    let (loaded, vocab, record) = aigc::lm::load::<SmallGpt, Cpu>(&Cpu::default(), &ckpt).unwrap();
    assert_eq!((record.tokenizer.len(), vocab.len()), (1000, 1000));
    assert_eq!(vocab, out.tokenizer);
    assert_eq!(record.tokenizer, Tokenizer::Chars(Vocab::from_text(&text)));
    assert_eq!(record.log.step, 4);
    assert_eq!(loaded.vocab_size(), 1000);
    assert_eq!(parameters(&loaded), parameters(&out.model));
}

#[test]
fn reading_one_character_at_a_time_with_the_cache_gives_the_full_windows_logits() {
    let dev = Cpu::default();
    let model = Tiny::new(&dev, 8, 7);
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
    assert_eq!(full.len(), stepwise.len());
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
