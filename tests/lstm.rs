//! Chapter 6: the LSTM's gradients and gates, training, resuming, generation, the
//! vocabulary, checkpoints, bad input, the corpus and its download.

mod common;

use aigc::checkpoint;
use aigc::data::{TextData, Tokenization, Tokenizer, Vocab, corpus};
use aigc::gpt::{BookGpt, Gpt, GptConfig};
use aigc::lm::{
    LanguageModel, RunOptions, TextLog, TextModel, TextRecord, TextTrainer, next_token_loss,
};
use aigc::lstm::*;
use aigc::optim::ClippedAdam;
use aigc::params::parameters;
use aigc::sample::{Sampling, argmax, probabilities, sample};
use aigc::train::{Finish, Stop, TrainLog, Trainer, fit};
use dfdx::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

use common::{check_gradients, gradients, serve_files, serve_once};

/// Small enough to check by finite differences: 7 characters, embedding 3, hidden 4.
type Tiny = CharLstm<3, 4, 16, f64, Cpu>;

/// Two sequences of five characters, time-major (row t holds both sequences' t-th id).
const IDS: [usize; 10] = [1, 2, 3, 4, 5, 6, 0, 1, 2, 3];
const TARGETS: [usize; 10] = [2, 3, 4, 5, 6, 0, 1, 2, 3, 4];

/// The mean next-character loss of the tiny model on [`IDS`], recorded on `tape`.
fn tiny_loss<T: Tape<f64, Cpu>>(model: &Tiny, tape: T) -> Tensor<Rank0, f64, Cpu, T> {
    let dev = model.embed.weight.device();
    let ids = dev.tensor_from_vec(IDS.to_vec(), (5, 2)).put_tape(tape);
    let (logits, _) = model.forward(ids, None); // (5, 2, 7)
    let targets = dev.tensor_from_vec(TARGETS.to_vec(), (10,));
    next_token_loss(logits.reshape_like(&(10, 7)), targets)
}

fn tiny_loss_and_grads(model: &Tiny) -> (f64, Gradients<f64, Cpu>) {
    let loss = tiny_loss(model, OwnedTape::default());
    (loss.as_vec()[0], loss.backward())
}

#[test]
fn every_lstm_parameter_gradient_matches_finite_differences() {
    let mut model = Tiny::new(&Cpu::default(), 7, 3);
    // embed; lstm.ih weight, bias; lstm.hh weight, bias; head weight, bias.
    let sizes: Vec<usize> = parameters(&model).iter().map(Vec::len).collect();
    assert_eq!(sizes, [7 * 3, 16 * 3, 16, 16 * 4, 16, 7 * 4, 7]);
    let (_, grads) = tiny_loss_and_grads(&model);
    for (k, g) in gradients(&model, &grads).iter().enumerate() {
        assert!(g.iter().any(|x| *x != 0.0), "tensor {k} gets no gradient");
    }
    check_gradients(&mut model, 7, tiny_loss_and_grads, |m| {
        tiny_loss(m, NoneTape).as_vec()[0]
    });
}

#[test]
fn the_gates_are_in_pytorchs_order_input_forget_cell_output() {
    // With zero weights only the biases act: gate k of hidden unit j gets bias[k·H + j].
    let dev = Cpu::default();
    let mut cell = Tiny::new(&dev, 7, 0).lstm;
    let base = [0.3, -0.7, 1.1, 0.5]; // i, f, g, o
    let bias: Vec<f64> = (0..16)
        .map(|n| base[n / 4] + 0.1 * (n % 4) as f64)
        .collect();
    cell.ih.weight = dev.zeros();
    cell.hh.weight = dev.zeros();
    cell.hh.bias = dev.zeros();
    cell.ih.bias = dev.tensor_from_vec(bias.clone(), (Const,));
    let x: Tensor<(usize, usize, Const<3>), f64, Cpu> = dev.zeros_like(&(2, 1, Const));
    let (_, (h, c)) = cell.forward_seq(x, None);
    let sigmoid = |z: f64| 1.0 / (1.0 + (-z).exp());
    for j in 0..4 {
        let [i, f, g, o] = [0, 1, 2, 3].map(|k| bias[k * 4 + j]);
        let c1 = sigmoid(i) * g.tanh(); // from c₀ = 0
        let c2 = sigmoid(f) * c1 + sigmoid(i) * g.tanh();
        let h2 = sigmoid(o) * c2.tanh();
        assert!((c.as_vec()[j] - c2).abs() < 1e-12, "c[{j}]");
        assert!((h.as_vec()[j] - h2).abs() < 1e-12, "h[{j}]");
    }
}

#[test]
fn lstm_weights_use_pytorchs_layout() {
    let model = BookLstm::new(&Cpu::default(), 90, 0);
    // weight_ih_l0: (4·hidden, input); weight_hh_l0: (4·hidden, hidden); gate order i, f, g, o.
    assert_eq!(model.lstm.ih.weight.shape().concrete(), [1024, 64]);
    assert_eq!(model.lstm.hh.weight.shape().concrete(), [1024, 256]);
    assert_eq!(model.lstm.ih.bias.shape().concrete(), [1024]);
    assert_eq!(model.lstm.hh.bias.shape().concrete(), [1024]);
}

/// The book's settings, shortened, and with smaller batches so that tests are quick.
fn quick(steps: usize) -> LstmConfig {
    LstmConfig {
        steps,
        batch: 16,
        seq: 32,
        eval_every: steps.div_ceil(2),
        ..LstmConfig::default()
    }
}

/// Trains (or resumes) as `opts` says, never stopped.
fn train(text: &str, cfg: &LstmConfig, opts: &RunOptions) -> aigc::Result<LstmOutcome<Cpu>> {
    aigc::lstm::run(&Cpu::default(), text, cfg, opts, &Stop::new())
}

/// The evaluations without their timings.
fn measured(log: &TextLog) -> Vec<(usize, f64)> {
    log.evals.iter().map(|m| (m.step, m.value)).collect()
}

#[test]
fn a_short_run_on_the_bundled_corpus_beats_uniform_guessing_by_far() {
    let out = train(corpus::ANIMALS, &quick(100), &RunOptions::default()).unwrap();
    assert_eq!((out.finish, out.log.step), (Finish::Completed, 100));
    let uniform = (out.tokenizer.len() as f64).ln(); // ln 90 ≈ 4.50 nats/char
    let (first, last) = (
        out.log.evals[0].value,
        out.log.last_eval().copied().unwrap(),
    );
    assert!(
        (first - uniform).abs() < 0.1,
        "an untrained model guesses ≈ uniformly: {first} vs ln V = {uniform}"
    );
    assert!(
        last < 0.5 * uniform,
        "validation loss {last} vs ln V = {uniform}"
    );
}

#[test]
fn the_same_seed_gives_bit_identical_losses() {
    let run = |seed| {
        let cfg = LstmConfig { seed, ..quick(6) };
        train(corpus::ANIMALS, &cfg, &RunOptions::default())
            .unwrap()
            .log
    };
    let (a, b) = (run(0), run(0));
    assert_eq!(a.losses, b.losses);
    assert_eq!(measured(&a), measured(&b));
    assert_ne!(
        a.losses,
        run(1).losses,
        "another seed, other weights and batches"
    );
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
    let cfg = LstmConfig {
        eval_every: 3,
        ..quick(12)
    };
    let tmp = tempfile::tempdir().unwrap();
    let ckpt = tmp.path().join("run.ckpt");
    let whole = train(corpus::ANIMALS, &cfg, &RunOptions::default()).unwrap();

    // The same run, "Ctrl-C" during the checkpoint of step 6.
    let dev = Cpu::default();
    let data = TextData::for_training(corpus::ANIMALS, cfg.valid_fraction, cfg.seq + 1, cfg.tokens)
        .unwrap();
    let inner = TextTrainer::<Lstm, Cpu> {
        model: Lstm::build(&dev, data.tokenizer.len(), cfg.seed),
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
    let finish = fit(
        &mut trainer,
        &cfg.loop_settings(Lstm::SHORT),
        &mut log,
        &stop,
    )
    .unwrap();
    assert_eq!((finish, log.step), (Finish::Interrupted, 6));
    assert_eq!(log.losses[..], whole.log.losses[..6]);

    let resume = RunOptions {
        checkpoint: Some(ckpt),
        resume: true,
    };
    let resumed =
        aigc::lm::run::<Lstm, Cpu>(&dev, corpus::ANIMALS, &cfg, &resume, &Stop::new()).unwrap();
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
fn a_checkpoint_keeps_the_log_bit_for_bit() {
    // Losses are f32 numbers held as f64; this one is read back one bit off by a JSON
    // parser that does not round-trip floats exactly (serde_json without
    // `float_roundtrip`), which made resumed runs' logs differ from uninterrupted ones.
    let mut log = TextLog::default();
    for (step, loss) in [3.6922309398651123, 4.501336097717285, 0.1f32 as f64]
        .into_iter()
        .enumerate()
    {
        log.step = step + 1;
        log.losses.push(loss);
        log.record(loss / 3.0);
    }
    let (model, vocab) = book_model();
    let record = TextRecord::<Lstm> {
        tokenizer: vocab.clone(),
        config: quick(3),
        log: log.clone(),
    };
    let tmp = tempfile::tempdir().unwrap();
    let ckpt = tmp.path().join("log.ckpt");
    checkpoint::save(
        &ckpt,
        Lstm::NAME,
        &model,
        &[&ClippedAdam::new(record.config.adam)],
        &record,
    )
    .unwrap();
    let (_, _, loaded) = aigc::lm::load::<Lstm, Cpu>(&Cpu::default(), &ckpt).unwrap();
    assert_eq!(loaded.log.losses, log.losses);
    assert_eq!(loaded.log.evals, log.evals);
    assert_eq!(loaded.config, record.config);
}

/// The book's model, untrained, for the bundled corpus, with its character tokenizer.
fn book_model() -> (BookLstm<Cpu>, Tokenizer) {
    let vocab = Tokenizer::Chars(Vocab::from_text(corpus::ANIMALS));
    (BookLstm::new(&Cpu::default(), vocab.len(), 0), vocab)
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
    let (model, vocab) = book_model();
    let how = Sampling::default();
    let a = generate(&model, &vocab, "猫", 50, &how, 1).unwrap();
    let b = generate(&model, &vocab, "猫", 50, &how, 1).unwrap();
    assert_eq!(a, b);
    assert!(a.starts_with('猫'));
    assert_eq!(a.chars().count(), 51);
    assert!(
        a.chars().all(|c| chars(&vocab).contains(&c)),
        "only known characters come out"
    );
    let c = generate(&model, &vocab, "猫", 50, &how, 2).unwrap();
    assert_ne!(a, c, "another seed, other draws");
}

#[test]
fn temperature_zero_is_greedy_decoding_the_argmax_at_every_step() {
    let (model, vocab) = book_model();
    let dev = Cpu::default();
    let greedy = Sampling::at(0.0);
    let text = generate(&model, &vocab, "The cat", 30, &greedy, 1).unwrap();
    assert_eq!(
        text,
        generate(&model, &vocab, "The cat", 30, &greedy, 2).unwrap(),
        "no randomness: the seed does not matter"
    );
    // By hand: re-read the whole text so far at every step and take the largest logit.
    let mut ids = vocab.encode("\nThe cat").unwrap();
    let mut want = "The cat".to_string();
    let v = vocab.len();
    for _ in 0..30 {
        let (logits, _) = model.forward(time_major(&dev, &ids, 1, ids.len()), None);
        let next = argmax(&logits.as_vec()[(ids.len() - 1) * v..]);
        ids.push(next);
        want.push(chars(&vocab)[next]);
    }
    assert_eq!(text, want);
}

#[test]
fn top_k_one_is_greedy() {
    let one = Sampling {
        temperature: 1.0,
        top_k: Some(1),
        ..Sampling::default()
    };
    let p = probabilities(&[0.1, 3.0, 2.9, -1.0], &one);
    assert_eq!(p, vec![0.0, 1.0, 0.0, 0.0]);
    let mut rng = StdRng::seed_from_u64(0);
    assert!((0..100).all(|_| sample(&[0.1, 3.0, 2.9, -1.0], &one, &mut rng) == 1));
    // Low temperature sharpens, high temperature flattens.
    let cold = probabilities(&[1.0, 0.0], &Sampling::at(0.25));
    let hot = probabilities(&[1.0, 0.0], &Sampling::at(4.0));
    assert!(cold[0] > 0.98 && hot[0] < 0.57, "{cold:?} {hot:?}");
    // A whole text: top-k 1 at any temperature writes what greedy decoding writes.
    let (model, vocab) = book_model();
    let greedy = generate(&model, &vocab, "猫", 30, &Sampling::at(0.0), 0).unwrap();
    for (t, seed) in [(1.0, 1), (2.0, 2)] {
        let how = Sampling {
            temperature: t,
            ..one
        };
        assert_eq!(
            generate(&model, &vocab, "猫", 30, &how, seed).unwrap(),
            greedy
        );
    }
}

#[test]
fn an_empty_prompt_starts_at_the_start_of_a_line() {
    let (model, vocab) = book_model();
    for how in [Sampling::at(0.0), Sampling::at(0.8)] {
        let mid = Sampling {
            from_line_start: false,
            ..how
        };
        // "" from a line start is a line break read, then what follows it.
        let empty = generate(&model, &vocab, "", 30, &how, 5).unwrap();
        assert_eq!(empty.chars().count(), 30);
        let after_break = generate(&model, &vocab, "\n", 30, &mid, 5).unwrap();
        assert_eq!(format!("\n{empty}"), after_break);
        // The same holds for any prompt: a line break is read before it.
        let cat = generate(&model, &vocab, "猫", 30, &how, 5).unwrap();
        let after_break = generate(&model, &vocab, "\n猫", 30, &mid, 5).unwrap();
        assert_eq!(format!("\n{cat}"), after_break);
        // Without a line start an empty prompt gives the model nothing to read.
        let err = generate(&model, &vocab, "", 30, &mid, 5)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("invalid prompt"), "{err}");
    }
}

#[test]
fn bad_prompts_and_sampling_settings_are_errors_not_panics() {
    let (model, vocab) = book_model();
    let how = Sampling::default();
    let err = generate(&model, &vocab, "狐狸 fox", 5, &how, 1)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("'狐'") && err.contains("'狸'") && err.contains("'x'"),
        "{err}"
    );
    assert!(
        !err.contains("'f'"),
        "known characters are not named: {err}"
    );
    for t in [-1.0, f32::NAN, f32::INFINITY] {
        let err = generate(&model, &vocab, "猫", 5, &Sampling::at(t), 1)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("invalid temperature"), "{t}: {err}");
    }
    let bad = Sampling {
        top_k: Some(0),
        ..how
    };
    let err = generate(&model, &vocab, "猫", 5, &bad, 1)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("invalid top-k"), "{err}");
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
    let (model, vocab) = book_model();
    let v = vocab.len();
    assert_eq!(v, 90);
    assert_eq!(model.vocab_size(), v);
    assert_eq!(model.embed.weight.shape().concrete(), [v, 64]);
    assert_eq!(model.head.weight.shape().concrete(), [v, 256]);
    assert_eq!(model.head.bias.as_ref().unwrap().shape().concrete(), [v]);

    // A text with 1,000 distinct characters trains, and its checkpoint records them.
    let text = thousand_characters();
    assert_eq!(Vocab::from_text(&text).len(), 1000);
    let tmp = tempfile::tempdir().unwrap();
    let ckpt = tmp.path().join("thousand.ckpt");
    let cfg = LstmConfig {
        batch: 4,
        seq: 16,
        ..quick(4)
    };
    let out = train(&text, &cfg, &RunOptions::save_to(&ckpt)).unwrap();
    assert_eq!((out.finish, out.tokenizer.len()), (Finish::Completed, 1000));
    assert_eq!(out.model.embed.weight.shape().concrete(), [1000, 64]);
    assert_eq!(out.model.head.weight.shape().concrete(), [1000, 256]);
    assert!(out.log.losses.iter().all(|l| l.is_finite()));
    let first = out.log.evals[0].value;
    assert!((first - 1000f64.ln()).abs() < 0.1, "{first} vs ln 1000");
    let (loaded, vocab, record) = aigc::lm::load::<Lstm, Cpu>(&Cpu::default(), &ckpt).unwrap();
    assert_eq!((record.tokenizer.len(), vocab.len()), (1000, 1000));
    assert_eq!(vocab, out.tokenizer);
    assert_eq!(record.tokenizer, Tokenizer::Chars(Vocab::from_text(&text)));
    assert_eq!(record.log.step, 4);
    assert_eq!(loaded.vocab_size(), 1000);
    assert_eq!(parameters(&loaded), parameters(&out.model));
}

#[test]
fn texts_that_cannot_train_a_model_are_explained() {
    let cfg = quick(2);
    let err = train("", &cfg, &RunOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("empty"), "{err}");
    let err = train(" \n\n", &cfg, &RunOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("empty"), "{err}");
    let err = train("The cat sleeps.\n", &cfg, &RunOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("too short"), "{err}");

    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("latin1.txt");
    std::fs::write(&path, b"caf\xe9\nna\xefve\n").unwrap();
    let err = aigc::data::read_text(&path).unwrap_err().to_string();
    assert!(err.contains("latin1.txt:1: not valid UTF-8"), "{err}");
    std::fs::write(&path, "  \n").unwrap();
    let err = aigc::data::read_text(&path).unwrap_err().to_string();
    assert!(err.contains("empty"), "{err}");
}

#[test]
fn checkpoints_of_another_text_another_model_or_not_checkpoints_at_all_are_refused() {
    let cfg = quick(2);
    let tmp = tempfile::tempdir().unwrap();
    let ckpt = tmp.path().join("c.ckpt");
    train(corpus::ANIMALS, &cfg, &RunOptions::save_to(&ckpt)).unwrap();
    let resume = |path: &std::path::Path| RunOptions {
        checkpoint: Some(path.to_path_buf()),
        resume: true,
    };
    // Another text, so another vocabulary.
    let english: String = corpus::ANIMALS
        .lines()
        .filter(|l| l.is_ascii())
        .collect::<Vec<_>>()
        .join("\n");
    let err = train(&english, &cfg, &resume(&ckpt))
        .unwrap_err()
        .to_string();
    assert!(err.contains("another vocabulary"), "{err}");
    // Another model: the GPT's checkpoint, refused by name.
    let dev = Cpu::default();
    let vocab = Tokenizer::learn(Tokenization::Chars, corpus::ANIMALS);
    let gpt_ckpt = tmp.path().join("gpt.ckpt");
    let record = TextRecord::<Gpt> {
        tokenizer: vocab.clone(),
        config: GptConfig::default(),
        log: TextLog::default(),
    };
    let gpt = BookGpt::new(&dev, vocab.len(), 0);
    let opt = ClippedAdam::new(record.config.adam);
    checkpoint::save(&gpt_ckpt, Gpt::NAME, &gpt, &[&opt], &record).unwrap();
    let want = "holds a \"MiniGpt C128 FF512 NH4 L4 T64\", not a \"CharLstm E64 H256\"";
    let err = load(&dev, &gpt_ckpt).unwrap_err().to_string();
    assert!(err.contains(want), "{err}");
    let err = train(corpus::ANIMALS, &cfg, &resume(&gpt_ckpt))
        .unwrap_err()
        .to_string();
    assert!(err.contains(want), "{err}");
    // Another size of the same model under the book model's name.
    let small = CharLstm::<4, 8, 32, f32, Cpu>::new(&dev, vocab.len(), 0);
    let record = TextRecord::<Lstm> {
        tokenizer: vocab.clone(),
        config: cfg,
        log: TextLog::default(),
    };
    let small_ckpt = tmp.path().join("small.ckpt");
    checkpoint::save(&small_ckpt, Lstm::NAME, &small, &[&opt], &record).unwrap();
    let err = load(&dev, &small_ckpt).unwrap_err().to_string();
    assert!(err.contains("other shapes"), "{err}");
    // A file that is not a checkpoint, and one that is cut short.
    std::fs::write(tmp.path().join("junk.ckpt"), b"not a checkpoint").unwrap();
    let err = load(&dev, &tmp.path().join("junk.ckpt"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a usable aigc checkpoint"), "{err}");
    let bytes = std::fs::read(&ckpt).unwrap();
    std::fs::write(tmp.path().join("cut.ckpt"), &bytes[..bytes.len() / 2]).unwrap();
    let err = load(&dev, &tmp.path().join("cut.ckpt"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a usable aigc checkpoint"), "{err}");
    // No temporary files were left next to the checkpoints.
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 5, "{names:?}");
    assert!(names.iter().all(|n| n.ends_with(".ckpt")), "{names:?}");
}

#[test]
fn the_bundled_corpus_is_what_the_grammar_generates() {
    let text = corpus::generate(corpus::BUNDLED_LINES, corpus::BUNDLED_SEED);
    assert_eq!(text, corpus::ANIMALS, "regenerate with `aigc lstm corpus`");
    assert!(text.chars().count() >= 50_000);
    let (good, all) = corpus::well_formed_lines(&format!("x\n{text}"));
    assert_eq!(
        (good, all),
        (corpus::BUNDLED_LINES, corpus::BUNDLED_LINES),
        "every line is grammatical"
    );
    let chinese = text.lines().filter(|l| l.ends_with('。')).count();
    assert!(
        chinese > 1000 && chinese < 1400,
        "about half the lines are Chinese: {chinese}"
    );
}

#[test]
fn download_saves_the_text_it_is_served_over_loopback() {
    let fixture = "First Citizen:\nBefore we proceed any further, hear me speak.\n";
    let url = serve_once("200 OK", "input.txt", fixture.as_bytes().to_vec());
    let tmp = tempfile::tempdir().unwrap();
    let to = tmp.path().join("downloads/tiny.txt");
    let n = aigc::data::download::download_text(&url, &to).unwrap();
    assert_eq!(n, fixture.len());
    assert_eq!(std::fs::read_to_string(&to).unwrap(), fixture);
}

/// Two files of the Tang collection, in its JSON shape (traditional characters, one poem with
/// a lost character).
fn tang_files() -> Vec<(&'static str, Vec<u8>)> {
    let first = r#"[{"author": "李白", "paragraphs": ["床前明月光，", "疑是地上霜。"]},
                    {"author": "佚名", "paragraphs": ["□□□□□，", "春風吹貓來。"]}]"#;
    let second = r#"[{"author": "杜甫", "paragraphs": ["國破山河在，", "城春草木深。"]}]"#;
    vec![
        ("/tang/poet.tang.0.json", first.as_bytes().to_vec()),
        ("/tang/poet.tang.1000.json", second.as_bytes().to_vec()),
    ]
}

#[test]
fn the_tang_download_reads_files_until_it_has_enough_and_simplifies() {
    let base = format!("{}/tang", serve_files(tang_files()));
    let tmp = tempfile::tempdir().unwrap();
    let to = tmp.path().join("downloads/tang.txt");
    // 13 characters with the line break: the first file is not enough for 14.
    let got = aigc::data::download::download_tang(&base, &to, 14, true).unwrap();
    assert_eq!((got.files, got.poems, got.chars), (2, 2, 26));
    assert_eq!(
        std::fs::read_to_string(&to).unwrap(),
        "床前明月光，疑是地上霜。\n国破山河在，城春草木深。\n",
        "a poem per line, the one with a lost character left out, simplified (國 → 国)"
    );
    let got = aigc::data::download::download_tang(&base, &to, 5, false).unwrap();
    assert_eq!((got.files, got.poems), (1, 1), "stops once it has enough");
}

#[test]
fn a_tang_file_missing_on_the_server_is_an_error_and_writes_nothing() {
    let base = format!("{}/tang", serve_files(tang_files()));
    let tmp = tempfile::tempdir().unwrap();
    let to = tmp.path().join("tang.txt");
    let err = aigc::data::download::download_tang(&base, &to, 1_000, true)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("poet.tang.2000.json") && err.contains("404"),
        "{err}"
    );
    assert!(!to.exists(), "nothing is written on failure");
}

#[test]
fn download_errors_name_the_url_and_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let to = tmp.path().join("x.txt");
    let url = serve_once("404 Not Found", "input.txt", b"no such file".to_vec());
    let err = aigc::data::download::download_text(&url, &to)
        .unwrap_err()
        .to_string();
    assert!(err.contains(&url) && err.contains("404"), "{err}");
    let url = serve_once("200 OK", "input.txt", vec![0xff, 0xfe, 0x00]);
    let err = aigc::data::download::download_text(&url, &to)
        .unwrap_err()
        .to_string();
    assert!(err.contains("not UTF-8"), "{err}");
    let url = serve_once("200 OK", "input.txt", b" \n".to_vec());
    let err = aigc::data::download::download_text(&url, &to)
        .unwrap_err()
        .to_string();
    assert!(err.contains("empty"), "{err}");
    assert!(!to.exists(), "nothing is written on failure");
}

#[test]
fn sample_text_is_split_into_train_and_validation_by_position() {
    let data = TextData::split(corpus::ANIMALS, 0.1, 65, Tokenization::Chars).unwrap();
    assert_eq!(
        data.tokenizer,
        Tokenizer::Chars(Vocab::from_text(corpus::ANIMALS))
    );
    let n = corpus::ANIMALS.chars().count();
    assert_eq!(data.train.len() + data.valid.len(), n);
    assert_eq!(data.valid.len(), (n as f64 * 0.1).round() as usize);
    assert_eq!(
        data.tokenizer.decode(&data.valid),
        corpus::ANIMALS
            .chars()
            .skip(data.train.len())
            .collect::<String>()
    );
    assert_eq!(
        data.tokenizer.decode(&data.train),
        corpus::ANIMALS
            .chars()
            .take(data.train.len())
            .collect::<String>()
    );
}

/// A few dozen steps with the tokenizer `tokens`, evaluated every 20.
fn tokenized(tokens: Tokenization, steps: usize) -> LstmConfig {
    LstmConfig {
        tokens,
        eval_every: 20,
        ..quick(steps)
    }
}

/// Trains with `tokens` on the bundled corpus and checks what a tokenizer other than
/// characters changes: V, the loss per character, the checkpoint, resuming.
fn a_tokenized_run_trains_saves_its_tokenizer_and_resumes_only_with_it(
    tokens: Tokenization,
    want: Tokenizer,
    v: usize,
) {
    assert_eq!((want.len(), want.kind()), (v, tokens));
    let tmp = tempfile::tempdir().unwrap();
    let ckpt = tmp.path().join("tokens.ckpt");
    let cfg = tokenized(tokens, 40);
    let out = train(corpus::ANIMALS, &cfg, &RunOptions::save_to(&ckpt)).unwrap();
    assert_eq!((out.finish, out.log.step), (Finish::Completed, 40));
    assert_eq!(out.tokenizer, want, "learned from the text");
    assert_eq!(out.model.vocab_size(), v);
    assert_eq!(out.model.embed.weight.shape().concrete(), [v, 64]);
    assert_eq!(out.model.head.weight.shape().concrete(), [v, 256]);
    assert!(out.log.losses.iter().all(|l| l.is_finite()));

    // Untrained, each token costs ≈ ln V; per character that is ln V × tokens per character.
    let data = TextData::split(corpus::ANIMALS, cfg.valid_fraction, cfg.seq + 1, tokens).unwrap();
    assert_eq!(data.tokenizer, want);
    let valid_chars = want.decode(&data.valid).chars().count();
    let tokens_per_char = data.valid.len() as f64 / valid_chars as f64;
    let uniform = (v as f64).ln() * tokens_per_char;
    let (first, last) = (
        out.log.evals[0].value,
        out.log.last_eval().copied().unwrap(),
    );
    assert!(
        (first - uniform).abs() < 0.1 * tokens_per_char,
        "untrained: {first} nats/char vs ln {v} × {tokens_per_char} tokens/char = {uniform}"
    );
    assert!(last < 0.7 * first, "40 steps learn: {first} → {last}");

    // The checkpoint stores the tokenizer and gives it back.
    let dev = Cpu::default();
    let (loaded, tokenizer, record) = aigc::lm::load::<Lstm, Cpu>(&dev, &ckpt).unwrap();
    assert_eq!(tokenizer, want);
    assert_eq!(record.tokenizer, want);
    assert_eq!(record.config.tokens, tokens);
    assert_eq!((record.log.step, loaded.vocab_size()), (40, v));
    assert_eq!(parameters(&loaded), parameters(&out.model));
    let (_, tokenizer) = load(&dev, &ckpt).unwrap();
    assert_eq!(tokenizer, want);
    // Measured again from the checkpoint, on its own text, with its own tokenizer.
    let again = aigc::lm::evaluate::<Lstm, Cpu>(&dev, &ckpt, corpus::ANIMALS).unwrap();
    assert_eq!(again, last);
    // The reloaded tokenizer writes text: the prompt, then what the model adds.
    let how = Sampling::at(0.8);
    let text = generate(&loaded, &tokenizer, "猫", 30, &how, 1).unwrap();
    assert!(
        text.starts_with('猫') && text.len() > "猫".len(),
        "{text:?}"
    );
    assert_eq!(
        text,
        generate(&out.model, &out.tokenizer, "猫", 30, &how, 1).unwrap()
    );

    // Resuming with any other tokenizer is refused, and leaves the checkpoint as it was.
    let resume = RunOptions {
        checkpoint: Some(ckpt.clone()),
        resume: true,
    };
    let others = [
        Tokenization::Chars,
        Tokenization::Bytes,
        Tokenization::Bpe { merges: 50 },
        Tokenization::Bpe { merges: 49 },
    ];
    let saved = std::fs::read(&ckpt).unwrap();
    for other in others.into_iter().filter(|&o| o != tokens) {
        let err = train(corpus::ANIMALS, &tokenized(other, 50), &resume)
            .unwrap_err()
            .to_string();
        assert!(err.contains("another vocabulary"), "{other:?}: {err}");
        assert!(err.contains(&format!("{v} tokens")), "{other:?}: {err}");
    }
    assert_eq!(std::fs::read(&ckpt).unwrap(), saved);
    // With its own tokenizer it continues.
    let resumed = train(corpus::ANIMALS, &tokenized(tokens, 50), &resume).unwrap();
    assert_eq!((resumed.finish, resumed.log.step), (Finish::Completed, 50));
    assert_eq!(resumed.tokenizer, want);
    assert_eq!(resumed.config.tokens, tokens);
    assert_eq!(resumed.log.losses[..40], out.log.losses[..]);
}

#[test]
fn a_byte_run_trains_saves_its_tokenizer_and_resumes_only_with_it() {
    a_tokenized_run_trains_saves_its_tokenizer_and_resumes_only_with_it(
        Tokenization::Bytes,
        Tokenizer::Bytes,
        256,
    );
}

#[test]
fn a_bpe_run_trains_saves_its_tokenizer_and_resumes_only_with_it() {
    let bpe = aigc::data::bpe::Bpe::train(corpus::ANIMALS, 50);
    assert_eq!(bpe.merges.len(), 50);
    let v = Vocab::from_text(corpus::ANIMALS).len() + 50; // 90 characters and 50 merges
    a_tokenized_run_trains_saves_its_tokenizer_and_resumes_only_with_it(
        Tokenization::Bpe { merges: 50 },
        Tokenizer::Bpe(bpe),
        v,
    );
}

#[test]
fn the_validation_loss_is_per_character_three_bytes_per_chinese_character() {
    // The corpus's Chinese sentences, without line breaks: every character is 3 bytes.
    let text: String = corpus::ANIMALS
        .lines()
        .filter(|l| l.ends_with('。'))
        .collect();
    assert!(text.chars().all(|c| c.len_utf8() == 3));
    let untrained = |tokens| {
        let cfg = LstmConfig { tokens, ..quick(1) };
        let out = train(&text, &cfg, &RunOptions::default()).unwrap();
        (out.log.evals[0].value, out.tokenizer.len())
    };
    // A byte model guesses ≈ uniformly among 256 bytes, three times per character.
    let (bytes, v) = untrained(Tokenization::Bytes);
    assert_eq!(v, 256);
    let want = 3.0 * 256f64.ln(); // 16.6 nats per character
    assert!(
        (bytes - want).abs() < 0.3,
        "{bytes} nats/char vs 3 × ln 256 = {want}"
    );
    // A character model guesses once per character: ln V.
    let (chars, v) = untrained(Tokenization::Chars);
    assert!(
        (chars - (v as f64).ln()).abs() < 0.1,
        "{chars} nats/char vs ln {v}"
    );

    // The same numbers by hand: the loss of every held-out byte, summed, over the characters.
    let data = TextData::split(&text, 0.1, 33, Tokenization::Bytes).unwrap();
    let model = BookLstm::new(&Cpu::default(), 256, 0);
    let (mut total, mut predicted) = (0.0, 0);
    for b in aigc::data::consecutive_batches(&data.valid, 16, 32) {
        let n = b.batch * b.seq;
        total += model.loss::<NoneTape>(&b).as_vec()[0] as f64 * n as f64;
        predicted += n;
    }
    let per_byte = total / predicted as f64;
    assert!((per_byte - 256f64.ln()).abs() < 0.1, "{per_byte} nats/byte");
    let per_char = aigc::lm::validation_loss(&model, &data.tokenizer, &data.valid, (16, 32));
    assert!(
        (per_char - 3.0 * per_byte).abs() < 0.01 * per_char,
        "{per_char} nats/char vs 3 × {per_byte} nats/byte"
    );
    // Characters are tokens: the loss per character is the loss per token.
    let data = TextData::split(&text, 0.1, 33, Tokenization::Chars).unwrap();
    let v = data.tokenizer.len();
    let model = BookLstm::new(&Cpu::default(), v, 0);
    let (mut total, mut predicted) = (0.0, 0);
    for b in aigc::data::consecutive_batches(&data.valid, 16, 32) {
        let n = b.batch * b.seq;
        total += model.loss::<NoneTape>(&b).as_vec()[0] as f64 * n as f64;
        predicted += n;
    }
    let per_char = aigc::lm::validation_loss(&model, &data.tokenizer, &data.valid, (16, 32));
    assert!((per_char - total / predicted as f64).abs() < 1e-9 * per_char);
}
