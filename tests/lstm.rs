//! Chapter 6: the LSTM's gradients, training, generation, checkpoints and bad input.

use aigc::lstm::*;
use dfdx::prelude::*;

type Tiny = CharLstm<7, 3, 4, 16, f64, Cpu>;

fn tiny_loss(model: &Tiny, dev: &Cpu) -> f64 {
    let ids = dev.tensor_from_vec(vec![1, 2, 3, 4, 5, 6, 0, 1, 2, 3], (5, 2));
    let targets = dev.tensor_from_vec(vec![2, 3, 4, 5, 6, 0, 1, 2, 3, 4], (5, 2));
    let (logits, _) = model.forward(ids, None);
    next_char_loss(logits, targets).as_vec()[0]
}

/// Checks ∂loss/∂θ from `backward()` against central differences, for a few entries of one
/// parameter tensor reached through `get`.
fn check_tensor<S: Shape>(
    dev: &Cpu,
    model: &mut Tiny,
    name: &str,
    get: fn(&mut Tiny) -> &mut Tensor<S, f64, Cpu>,
) {
    let mut grads = model.alloc_grads();
    let ids = dev.tensor_from_vec(vec![1, 2, 3, 4, 5, 6, 0, 1, 2, 3], (5, 2));
    let targets = dev.tensor_from_vec(vec![2, 3, 4, 5, 6, 0, 1, 2, 3, 4], (5, 2));
    let (logits, _) = model.forward(ids.traced(grads), None);
    grads = next_char_loss(logits, targets).backward();
    let analytic = grads.get(&*get(model)).as_vec();
    let original = get(model).as_vec();
    let h = 1e-6;
    for j in (0..original.len()).step_by(original.len().div_ceil(7)) {
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
fn every_lstm_parameter_gradient_matches_finite_differences() {
    let dev = Cpu::seed_from_u64(3);
    let mut model: Tiny = BuildModule::build(&dev);
    check_tensor(&dev, &mut model, "embed.weight", |m| &mut m.embed.weight);
    check_tensor(&dev, &mut model, "lstm.ih.weight", |m| {
        &mut m.lstm.ih.weight
    });
    check_tensor(&dev, &mut model, "lstm.ih.bias", |m| &mut m.lstm.ih.bias);
    check_tensor(&dev, &mut model, "lstm.hh.weight", |m| {
        &mut m.lstm.hh.weight
    });
    check_tensor(&dev, &mut model, "lstm.hh.bias", |m| &mut m.lstm.hh.bias);
    check_tensor(&dev, &mut model, "head.weight", |m| &mut m.head.weight);
    check_tensor(&dev, &mut model, "head.bias", |m| &mut m.head.bias);
}

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use aigc::data::{TextData, Vocab, corpus};
use aigc::optim::{ClippedAdam, parameters};
use aigc::sample::Sampling;

fn quick(steps: usize) -> LstmConfig {
    LstmConfig {
        steps,
        eval_every: steps.div_ceil(2),
        eval_batches: 2,
        ..LstmConfig::default()
    }
}

#[test]
fn a_short_run_on_the_bundled_corpus_beats_uniform_guessing_by_far() {
    let cfg = quick(100);
    let tmp = tempfile::tempdir().unwrap();
    let stop = AtomicBool::new(false);
    let dev = Cpu::seed_from_u64(cfg.seed);
    let out = train_or_resume(
        &dev,
        corpus::ANIMALS,
        &cfg,
        &tmp.path().join("c"),
        false,
        &stop,
    )
    .unwrap();
    let uniform = (out.vocab.len() as f64).ln(); // ln 90 ≈ 4.50 nats/char
    let last = out.log.valid.last().unwrap().1;
    assert!(
        last < 2.0 / 3.0 * uniform,
        "validation loss {last} vs ln(V) = {uniform}"
    );
    assert!(
        out.log.valid[0].1 > 0.95 * uniform,
        "an untrained model is near uniform"
    );
}

#[test]
fn the_same_seed_gives_bit_identical_losses() {
    let cfg = quick(8);
    let run = || {
        let tmp = tempfile::tempdir().unwrap();
        let dev = Cpu::seed_from_u64(cfg.seed);
        let stop = AtomicBool::new(false);
        train_or_resume(
            &dev,
            corpus::ANIMALS,
            &cfg,
            &tmp.path().join("c"),
            false,
            &stop,
        )
        .unwrap()
        .log
    };
    let (a, b) = (run(), run());
    assert_eq!(a.train, b.train);
    assert_eq!(a.valid, b.valid);
}

#[test]
fn an_interrupted_run_resumes_exactly_where_it_stopped() {
    let cfg = quick(12);
    let data = prepare_text(corpus::ANIMALS, &cfg).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let ckpt = tmp.path().join("run.ckpt");

    // The uninterrupted run.
    let dev = Cpu::seed_from_u64(cfg.seed);
    let never = AtomicBool::new(false);
    let whole = train_or_resume(
        &dev,
        corpus::ANIMALS,
        &cfg,
        &tmp.path().join("w"),
        false,
        &never,
    )
    .unwrap();

    // The same run, "Ctrl-C" after step 6: the flag is raised from the checkpoint hook.
    let dev = Cpu::seed_from_u64(cfg.seed);
    let mut model = new_model(&dev);
    let mut opt = ClippedAdam::new(cfg.adam);
    let mut log = TrainLog::default();
    let ctrl_c = AtomicBool::new(false);
    let finish = train_lstm(
        &dev,
        &mut model,
        &mut opt,
        &data,
        &cfg,
        &mut log,
        &ctrl_c,
        |m, o, l| {
            save_checkpoint(&ckpt, m, o, &data.vocab, &cfg, l)?;
            ctrl_c.store(l.step >= 6, Ordering::SeqCst);
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(finish, Finish::Interrupted);
    assert_eq!(log.step, 6);

    let never = AtomicBool::new(false);
    let resumed = train_or_resume(
        &Cpu::seed_from_u64(99),
        corpus::ANIMALS,
        &cfg,
        &ckpt,
        true,
        &never,
    )
    .unwrap();
    assert_eq!(resumed.log.step, 12);
    assert_eq!(
        resumed.log.train, whole.log.train,
        "the same losses, step by step"
    );
    assert_eq!(
        parameters(&resumed.model),
        parameters(&whole.model),
        "the same weights"
    );
}

#[test]
fn generation_is_reproducible_and_starts_with_the_prompt() {
    let dev = Cpu::seed_from_u64(0);
    let model: BookLstm<Cpu> = BuildModule::build(&dev);
    let vocab = Vocab::from_text(corpus::ANIMALS);
    let how = Sampling::default();
    let a = generate(&dev, &model, &vocab, "猫", 50, &how, 1).unwrap();
    let b = generate(&dev, &model, &vocab, "猫", 50, &how, 1).unwrap();
    assert_eq!(a, b);
    assert!(a.starts_with('猫'));
    assert_eq!(a.chars().count(), 51);
    assert!(
        a.chars().all(|c| vocab.chars.contains(&c)),
        "only known characters come out"
    );
}

#[test]
fn bad_prompts_and_sampling_settings_are_errors_not_panics() {
    let dev = Cpu::seed_from_u64(0);
    let model: BookLstm<Cpu> = BuildModule::build(&dev);
    let vocab = Vocab::from_text(corpus::ANIMALS);
    let how = Sampling::default();
    let err = generate(&dev, &model, &vocab, "狐狸 fox", 5, &how, 1)
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
    for t in [0.0, -1.0, f32::NAN] {
        let bad = Sampling {
            temperature: t,
            top_k: None,
        };
        let err = generate(&dev, &model, &vocab, "猫", 5, &bad, 1)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("invalid temperature"), "{err}");
    }
    let bad = Sampling {
        temperature: 1.0,
        top_k: Some(0),
    };
    let err = generate(&dev, &model, &vocab, "猫", 5, &bad, 1)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("invalid top-k"), "{err}");
    assert!(generate(&dev, &model, &vocab, "", 5, &how, 1).is_err());
}

#[test]
fn top_k_one_is_greedy() {
    let p = aigc::sample::probabilities(
        &[0.1, 3.0, 2.9, -1.0],
        4,
        &Sampling {
            temperature: 1.0,
            top_k: Some(1),
        },
    );
    assert_eq!(p, vec![0.0, 1.0, 0.0, 0.0]);
    // Low temperature sharpens, high temperature flattens.
    let cold = aigc::sample::probabilities(
        &[1.0, 0.0],
        2,
        &Sampling {
            temperature: 0.25,
            top_k: None,
        },
    );
    let hot = aigc::sample::probabilities(
        &[1.0, 0.0],
        2,
        &Sampling {
            temperature: 4.0,
            top_k: None,
        },
    );
    assert!(cold[0] > 0.98 && hot[0] < 0.57);
}

#[test]
fn texts_that_cannot_train_a_model_are_explained() {
    let cfg = LstmConfig::default();
    let err = prepare_text("", &cfg).unwrap_err().to_string();
    assert!(err.contains("empty"), "{err}");
    let err = prepare_text("The cat sleeps.\n", &cfg)
        .unwrap_err()
        .to_string();
    assert!(err.contains("too short"), "{err}");
    let many: String = (0..300u32)
        .filter_map(|i| char::from_u32(0x4e00 + i))
        .cycle()
        .take(20_000)
        .collect();
    let err = prepare_text(&many, &cfg).unwrap_err().to_string();
    assert!(err.contains("300 distinct characters"), "{err}");

    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("latin1.txt");
    std::fs::write(&path, b"caf\xe9\nna\xefve\n").unwrap();
    let err = aigc::data::read_text(&path).unwrap_err().to_string();
    assert!(err.contains("latin1.txt:1: not valid UTF-8"), "{err}");
    std::fs::write(&path, "  \n").unwrap();
    assert!(
        aigc::data::read_text(&path)
            .unwrap_err()
            .to_string()
            .contains("empty")
    );
}

#[test]
fn checkpoints_of_another_text_or_not_checkpoints_at_all_are_refused() {
    let cfg = quick(2);
    let tmp = tempfile::tempdir().unwrap();
    let ckpt = tmp.path().join("c.ckpt");
    let dev = Cpu::seed_from_u64(0);
    let stop = AtomicBool::new(false);
    train_or_resume(&dev, corpus::ANIMALS, &cfg, &ckpt, false, &stop).unwrap();
    // Another text, so another vocabulary.
    let english: String = corpus::ANIMALS
        .lines()
        .filter(|l| l.is_ascii())
        .collect::<Vec<_>>()
        .join("\n");
    let err = train_or_resume(&dev, &english, &cfg, &ckpt, true, &stop)
        .unwrap_err()
        .to_string();
    assert!(err.contains("another vocabulary"), "{err}");
    // A file that is not a checkpoint, and one that is cut short.
    std::fs::write(tmp.path().join("junk.ckpt"), b"not a checkpoint").unwrap();
    let err = load_checkpoint(&dev, &tmp.path().join("junk.ckpt"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a usable aigc checkpoint"), "{err}");
    let bytes = std::fs::read(&ckpt).unwrap();
    std::fs::write(tmp.path().join("cut.ckpt"), &bytes[..bytes.len() / 2]).unwrap();
    assert!(load_checkpoint(&dev, &tmp.path().join("cut.ckpt")).is_err());
    // No temporary files were left next to the checkpoint.
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
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
fn lstm_weights_use_pytorchs_layout() {
    let dev = Cpu::default();
    let model: BookLstm<Cpu> = BuildModule::build(&dev);
    // weight_ih_l0: (4·hidden, input); weight_hh_l0: (4·hidden, hidden); gate order i, f, g, o.
    assert_eq!(model.lstm.ih.weight.shape().concrete(), [1024, 64]);
    assert_eq!(model.lstm.hh.weight.shape().concrete(), [1024, 256]);
    assert_eq!(model.lstm.ih.bias.shape().concrete(), [1024]);
}

/// Serves `body` with `status` once on a loopback port; returns the URL.
fn serve_once(status: &'static str, body: Vec<u8>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/input.txt", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut request = [0u8; 1024];
            let _ = stream.read(&mut request);
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    url
}

#[test]
fn download_saves_the_text_it_is_served_over_loopback() {
    let fixture = "First Citizen:\nBefore we proceed any further, hear me speak.\n";
    let url = serve_once("200 OK", fixture.as_bytes().to_vec());
    let tmp = tempfile::tempdir().unwrap();
    let to = tmp.path().join("downloads/tiny.txt");
    let n = aigc::download::download_text(&url, &to).unwrap();
    assert_eq!(n, fixture.len());
    assert_eq!(std::fs::read_to_string(&to).unwrap(), fixture);
}

#[test]
fn download_errors_name_the_url_and_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let to = tmp.path().join("x.txt");
    let url = serve_once("404 Not Found", b"no such file".to_vec());
    let err = aigc::download::download_text(&url, &to)
        .unwrap_err()
        .to_string();
    assert!(err.contains(&url) && err.contains("404"), "{err}");
    let url = serve_once("200 OK", vec![0xff, 0xfe, 0x00]);
    let err = aigc::download::download_text(&url, &to)
        .unwrap_err()
        .to_string();
    assert!(err.contains("not UTF-8"), "{err}");
    assert!(!to.exists(), "nothing is written on failure");
}

#[test]
fn sample_text_is_split_into_train_and_validation_by_position() {
    let data = TextData::split(corpus::ANIMALS, 0.1, 65).unwrap();
    let n = corpus::ANIMALS.chars().count();
    assert_eq!(data.train.len() + data.valid.len(), n);
    assert_eq!(
        data.vocab.decode(&data.valid),
        corpus::ANIMALS
            .chars()
            .skip(data.train.len())
            .collect::<String>()
    );
}
