//! Chapter 8: the mode metrics, one step of the game, determinism, checkpoints and bad input.

use std::sync::atomic::AtomicBool;

use aigc::data::{Images, Mixture};
use aigc::gan::*;
use dfdx::prelude::*;

fn never() -> AtomicBool {
    AtomicBool::new(false)
}

/// A small, quick configuration of the 2-D GAN (constant learning rate, so that a run
/// extended by resuming follows the same schedule as one planned that long).
fn quick(steps: usize, pack: usize) -> GanConfig {
    GanConfig {
        steps,
        batch: 32,
        pack,
        eval_every: 20,
        cosine: false,
        ..GanConfig::default()
    }
}

#[test]
fn the_cosine_schedule_decays_to_zero() {
    let cfg = GanConfig::default();
    assert_eq!(cfg.lr_at(0), cfg.lr);
    assert!((cfg.lr_at(cfg.steps / 2) - cfg.lr / 2.0).abs() < 1e-9);
    assert!(cfg.lr_at(cfg.steps) < 1e-9);
    assert_eq!(quick(10, 1).lr_at(9), quick(10, 1).lr);
}

#[test]
fn samples_at_one_mode_cover_one_mode() {
    let ring = Mixture::ring();
    let at_one: Vec<f32> = (0..2500).flat_map(|_| ring.centres[3]).collect();
    let m = mode_metrics(&at_one, &ring);
    assert_eq!((m.modes_covered, m.n_modes), (1, 8));
    assert_eq!(m.high_quality_pct, 100.0);
    assert_eq!(m.hq_per_mode[3], 2500);
    assert!(
        (m.kl_vs_uniform - 8f64.ln()).abs() < 1e-9,
        "all mass on one of 8 modes"
    );
}

#[test]
fn samples_on_every_centre_cover_every_mode() {
    for mix in [Mixture::ring(), Mixture::grid()] {
        let k = mix.centres.len();
        let on_all: Vec<f32> = (0..2500).flat_map(|i| mix.centres[i % k]).collect();
        let m = mode_metrics(&on_all, &mix);
        assert_eq!(m.modes_covered, k, "{}", mix.name);
        assert_eq!(m.high_quality_pct, 100.0);
        assert!(m.kl_vs_uniform.abs() < 1e-4, "{}", m.kl_vs_uniform);
    }
}

#[test]
fn quality_and_coverage_thresholds_are_the_papers() {
    let ring = Mixture::ring();
    let c = ring.centres[0];
    // 19 high-quality samples do not cover a mode; 20 do. 2.9 std is in, 3.1 std is out.
    let near = |n: usize, off: f32| -> Vec<f32> {
        (0..n).flat_map(|_| [c[0] + off * ring.std, c[1]]).collect()
    };
    assert_eq!(mode_metrics(&near(19, 2.9), &ring).modes_covered, 0);
    assert_eq!(mode_metrics(&near(20, 2.9), &ring).modes_covered, 1);
    let out = mode_metrics(&near(100, 3.1), &ring);
    assert_eq!((out.modes_covered, out.high_quality_pct), (0, 0.0));
    // The real data itself: every mode, nearly all samples high quality.
    let real = ring.sample(2500, &mut step_rng(0, 0));
    let m = mode_metrics(&real, &ring);
    assert_eq!(m.modes_covered, 8);
    assert!(m.high_quality_pct > 99.0, "{}", m.high_quality_pct);
}

#[test]
fn one_step_moves_both_losses_the_right_way() {
    let dev = Cpu::seed_from_u64(0);
    let mut gan: PlaneGan<2, 2, Cpu> = Gan::new(&dev);
    let mut players = Players::new(GanConfig::default().adam);
    let mut rng = step_rng(7, 0);
    let real = Mixture::ring().sample(256, &mut rng);
    let z = noise(256, 2, &mut rng);
    let before = gan.clone();
    let reported = gan_step(&dev, &mut gan, &mut players, &real, &z, 1e-3);
    // The D step lowered D's loss (old generator, new discriminator)…
    let d_before = losses(&dev, &before, &real, &z).d;
    let new_d = Gan {
        g: before.g.clone(),
        d: gan.d.clone(),
    };
    let d_after = losses(&dev, &new_d, &real, &z).d;
    assert!(
        d_after < d_before,
        "D loss {d_before} → {d_after} after D's step"
    );
    assert!(
        (reported.d - d_before).abs() < 1e-5,
        "the step reports D's loss before it"
    );
    // …and the G step lowered G's loss against that new discriminator.
    let g_before = losses(&dev, &new_d, &real, &z).g;
    let g_after = losses(&dev, &gan, &real, &z).g;
    assert!(
        g_after < g_before,
        "G loss {g_before} → {g_after} after G's step"
    );
    assert!((reported.g - g_before).abs() < 1e-5);
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let ring = Mixture::ring();
    let run = || {
        let dev = Cpu::seed_from_u64(5);
        let cfg = GanConfig {
            seed: 5,
            ..quick(40, 2)
        };
        run_plane::<2, 4, _>(&dev, &ring, &cfg, None, false, &never())
            .unwrap()
            .1
    };
    let (a, b) = (run(), run());
    assert_eq!(a.losses, b.losses);
    assert_eq!(a.evals, b.evals);
    assert_eq!(a.evals.len(), 3, "at steps 0, 20 and 40");
}

#[test]
fn a_resumed_run_equals_an_uninterrupted_one() {
    let dir = tempfile::tempdir().unwrap();
    let ckpt = dir.path().join("ring.ckpt");
    let grid = Mixture::grid();
    let dev = Cpu::seed_from_u64(1);
    let (whole, log, _, _) = run_plane::<2, 2, _>(
        &dev,
        &grid,
        &GanConfig {
            seed: 1,
            ..quick(40, 1)
        },
        None,
        false,
        &never(),
    )
    .unwrap();
    let dev = Cpu::seed_from_u64(1);
    run_plane::<2, 2, _>(
        &dev,
        &grid,
        &GanConfig {
            seed: 1,
            ..quick(20, 1)
        },
        Some(&ckpt),
        false,
        &never(),
    )
    .unwrap();
    let (resumed, log2, cfg, finish) = run_plane::<2, 2, _>(
        &dev,
        &grid,
        &GanConfig {
            seed: 1,
            ..quick(40, 1)
        },
        Some(&ckpt),
        true,
        &never(),
    )
    .unwrap();
    assert_eq!((finish, cfg.steps, log2.step), (Finish::Completed, 40, 40));
    assert_eq!(log.losses, log2.losses);
    assert_eq!(
        aigc::optim::parameters(&whole.g),
        aigc::optim::parameters(&resumed.g)
    );
    assert_eq!(
        aigc::optim::parameters(&whole.d),
        aigc::optim::parameters(&resumed.d)
    );
}

#[test]
fn a_checkpoint_loads_only_into_its_own_model() {
    let dir = tempfile::tempdir().unwrap();
    let ckpt = dir.path().join("ring.ckpt");
    let dev = Cpu::seed_from_u64(0);
    run_plane::<2, 2, _>(
        &dev,
        &Mixture::ring(),
        &quick(1, 1),
        Some(&ckpt),
        false,
        &never(),
    )
    .unwrap();
    let other_data = run_plane::<2, 2, _>(
        &dev,
        &Mixture::grid(),
        &quick(2, 1),
        Some(&ckpt),
        true,
        &never(),
    );
    let msg = other_data.unwrap_err().to_string();
    assert!(
        msg.contains("GAN ring") && msg.contains("GAN grid"),
        "{msg}"
    );
    let other_pack = run_plane::<2, 4, _>(
        &dev,
        &Mixture::ring(),
        &quick(2, 2),
        Some(&ckpt),
        true,
        &never(),
    );
    assert!(other_pack.unwrap_err().to_string().contains("pack1"));
    std::fs::write(&ckpt, b"not a checkpoint").unwrap();
    let broken = run_plane::<2, 2, _>(
        &dev,
        &Mixture::ring(),
        &quick(2, 1),
        Some(&ckpt),
        true,
        &never(),
    );
    assert!(
        broken
            .unwrap_err()
            .to_string()
            .contains("not a usable aigc checkpoint")
    );
}

#[test]
fn bad_hyper_parameters_are_clear_errors() {
    let dev = Cpu::seed_from_u64(0);
    let ring = Mixture::ring();
    let err = |cfg: GanConfig| {
        run_plane::<2, 2, _>(&dev, &ring, &cfg, None, false, &never())
            .unwrap_err()
            .to_string()
    };
    assert!(
        err(GanConfig {
            lr: 0.0,
            ..quick(1, 1)
        })
        .contains("learning rate")
    );
    assert!(
        err(GanConfig {
            lr: -1e-4,
            ..quick(1, 1)
        })
        .contains("learning rate")
    );
    assert!(
        err(GanConfig {
            lr: f32::NAN,
            ..quick(1, 1)
        })
        .contains("learning rate")
    );
    assert!(
        err(GanConfig {
            batch: 0,
            ..quick(1, 1)
        })
        .contains("batch size")
    );
    let e = err(GanConfig {
        noise_dim: 0,
        ..quick(1, 1)
    });
    assert!(
        e.contains("noise dimension") && e.contains("at least 1"),
        "{e}"
    );
    let e = err(GanConfig {
        noise_dim: 64,
        ..quick(1, 1)
    });
    assert!(
        e.contains("noise dimension") && e.contains("built for 2, got 64"),
        "{e}"
    );
    let e = err(GanConfig {
        pack: 2,
        ..quick(1, 1)
    });
    assert!(e.contains("pack"), "{e}");
    let e = run_plane::<2, 8, _>(
        &dev,
        &ring,
        &GanConfig {
            batch: 30,
            ..quick(1, 4)
        },
        None,
        false,
        &never(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("multiple of the pack size 4"), "{e}");
}

#[test]
fn nan_losses_stop_the_run_with_a_message() {
    let dev = Cpu::seed_from_u64(0);
    let mut gan: PlaneGan<2, 2, Cpu> = Gan::new(&dev);
    gan.d.l3.bias.copy_from(&[f32::NAN]); // a poisoned discriminator
    let mut players = Players::new(GanConfig::default().adam);
    let mut log = GanLog::default();
    let err = train_gan(
        &dev,
        &mut gan,
        &mut players,
        &Mixture::ring(),
        &quick(5, 1),
        &mut log,
        &never(),
        |_, _, _| Ok(()),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("diverged at step 0") && err.contains("NaN"),
        "{err}"
    );
}

#[test]
fn the_digits_loader_checks_every_line() {
    let good = format!("{},7", vec!["8"; 64].join(","));
    let d = Images::parse("d.csv", &format!("{good}\n{good}\n")).unwrap();
    assert_eq!((d.len(), d.labels[1], d.pixels[5]), (2, 7, 0.0));
    let short = format!("{good}\n{},7\n", vec!["8"; 63].join(","));
    let e = Images::parse("d.csv", &short).unwrap_err().to_string();
    assert!(
        e.starts_with("d.csv:2:") && e.contains("found 64 cells"),
        "{e}"
    );
    let big = format!("{good}\n{good}\n{},17,3\n", vec!["0"; 63].join(","));
    let e = Images::parse("d.csv", &big).unwrap_err().to_string();
    assert!(
        e.starts_with("d.csv:3:") && e.contains("pixel 64 is \"17\""),
        "{e}"
    );
    let neg = format!("-1,{},3\n", vec!["0"; 63].join(","));
    let e = Images::parse("d.csv", &neg).unwrap_err().to_string();
    assert!(e.starts_with("d.csv:1:") && e.contains("pixel 1"), "{e}");
    let label = format!("{},10\n", vec!["0"; 64].join(","));
    assert!(
        Images::parse("d.csv", &label)
            .unwrap_err()
            .to_string()
            .contains("label")
    );
    assert!(
        Images::parse("d.csv", "\n")
            .unwrap_err()
            .to_string()
            .contains("no images")
    );
}

#[test]
fn the_bundled_digits_and_the_judge() {
    let d = aigc::data::digits().unwrap();
    assert_eq!(d.len(), 1797);
    let counts: Vec<usize> = (0..10)
        .map(|c| d.labels.iter().filter(|&&l| l == c).count())
        .collect();
    assert!(
        counts.iter().all(|&c| (174..=183).contains(&c)),
        "{counts:?}"
    );
    let judge = Classifier::train(&d);
    assert!(judge.heldout_accuracy > 0.93, "{}", judge.heldout_accuracy);
    let real = real_reference(&d, &judge);
    assert_eq!(real.classes_ge_5pct, 10);
    assert!(real.is_like > 7.5, "{}", real.is_like);
    // A collapsed generator: 1,000 copies of one digit score 1.
    let same: Vec<f32> = (0..1000).flat_map(|_| d.image(0).to_vec()).collect();
    let m = judge.judge(&same);
    assert!(
        (m.is_like - 1.0).abs() < 1e-3 && m.classes_ge_5pct == 1,
        "{m:?}"
    );
}

#[test]
fn pictures_are_valid_files() {
    let ring = Mixture::ring();
    let dev = Cpu::seed_from_u64(0);
    let (_, log, cfg, _) =
        run_plane::<2, 2, _>(&dev, &ring, &quick(40, 1), None, false, &never()).unwrap();
    let gif = figures::training_gif(&log, &ring, cfg.steps).unwrap();
    assert!(gif.starts_with(b"GIF89a"));
    let png = figures::digit_grid_png(&vec![0.5; 64 * 10], 2).unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    let svg = figures::scatter_chart(&log.evals[1].samples, &ring, "ring")
        .to_svg()
        .unwrap();
    assert!(svg.starts_with("<svg"));
}

fn aigc(out: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_aigc"))
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

#[test]
fn the_cli_trains_resumes_and_draws_the_ring() {
    let tmp = tempfile::tempdir().unwrap();
    let o = aigc(
        tmp.path(),
        &["gan", "ring", "--steps", "40", "--eval-every", "20"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("Chapter 8") && text.contains("modes covered"),
        "{text}"
    );
    let dir = tmp.path().join("gan");
    for f in [
        "ring.json",
        "ring.md",
        "ring-loss.svg",
        "ring-modes.svg",
        "ring-step-0.svg",
        "ring-step-40.svg",
        "ring.gif",
        "ring.ckpt",
    ] {
        assert!(dir.join(f).exists(), "missing {f}");
    }
    let o = aigc(
        tmp.path(),
        &[
            "gan",
            "ring",
            "--steps",
            "60",
            "--eval-every",
            "20",
            "--resume",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("ring.json")).unwrap()).unwrap();
    assert_eq!(report["steps"], 60);
    // A grid run cannot resume the ring's checkpoint.
    let o = aigc(
        tmp.path(),
        &[
            "gan",
            "grid",
            "--steps",
            "60",
            "--resume",
            "--checkpoint",
            dir.join("ring.ckpt").to_str().unwrap(),
        ],
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a \"GAN grid"));
}

#[test]
fn the_cli_rejects_bad_settings_and_bad_digit_files() {
    let tmp = tempfile::tempdir().unwrap();
    let err = |args: &[&str]| {
        let o = aigc(tmp.path(), args);
        assert!(!o.status.success(), "{args:?} succeeded");
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    assert!(err(&["gan", "ring", "--lr", "0"]).contains("positive"));
    assert!(err(&["gan", "ring", "--batch", "0"]).contains("at least 1"));
    assert!(err(&["gan", "grid", "--noise-dim", "0"]).contains("noise dimension"));
    assert!(err(&["gan", "grid", "--noise-dim", "3"]).contains("noise 2 or 256"));
    assert!(err(&["gan", "ring", "--pack", "8"]).contains("pack 1, 2 or 4"));
    assert!(err(&["gan", "ring", "--pack", "2", "--batch", "9"]).contains("multiple"));
    assert!(err(&["gan", "digits", "--pack", "4"]).contains("packs 1 and 2"));
    let bad = tmp.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!(
            "{},1\n{},20,1\n",
            vec!["0"; 64].join(","),
            vec!["0"; 63].join(",")
        ),
    )
    .unwrap();
    let e = err(&["gan", "digits", "--data", bad.to_str().unwrap()]);
    assert!(e.contains("bad.csv:2:") && e.contains("pixel 64"), "{e}");
}

/// The book's GAN numbers come from long runs (`aigc gan collapse --reference`, `gan ring`,
/// `gan digits`); the cheap parts are recomputed here, and the chapter's claims are checked
/// against the committed numbers.
#[test]
fn the_books_gan_numbers_are_what_the_code_produces() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("book/src/generated/gan");
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap()
    };
    let close = |a: &serde_json::Value, b: f64| {
        let a = a.as_f64().unwrap();
        assert!(
            (a - b).abs() <= 1e-3 * a.abs().max(b.abs()) + 1e-4,
            "book {a}, code {b}"
        );
    };
    // The digits judge and its verdict on real digits.
    let digits = read("digits.json");
    let images = aigc::data::digits().unwrap();
    let judge = Classifier::train(&images);
    close(&digits["judge_heldout_accuracy"], judge.heldout_accuracy);
    let real = real_reference(&images, &judge);
    close(&digits["real"]["is_like"], real.is_like);
    assert_eq!(
        digits["real"]["class_hist"],
        serde_json::json!(real.class_hist)
    );
    // The ring run's first evaluation: the untrained generator of seed 0.
    let ring = read("ring.json");
    let cfg = GanConfig {
        steps: 1,
        ..GanConfig::default()
    };
    let (_, log, _, _) = run_plane::<2, 4, _>(
        &Cpu::seed_from_u64(0),
        &Mixture::ring(),
        &cfg,
        None,
        false,
        &never(),
    )
    .unwrap();
    let m = log.evals[0].modes.as_ref().unwrap();
    assert_eq!(ring["history"][0][1], m.modes_covered);
    close(&ring["history"][0][2], m.high_quality_pct);
    // The chapter's claims: the fix's medians reach the goal, the reference collapses.
    let collapse = read("collapse.json");
    let medians = collapse["medians"].as_array().unwrap();
    let median = |data: &str, method: &str| {
        let row = medians
            .iter()
            .find(|r| r[0] == data && r[1] == method)
            .unwrap_or_else(|| panic!("no {data} {method} row"));
        (row[2].as_f64().unwrap(), row[3].as_f64().unwrap())
    };
    assert_eq!(median("ring", "PacGAN").0, 8.0);
    assert!(median("grid", "PacGAN").0 >= 24.0 && median("grid", "PacGAN").1 >= 80.0);
    assert!(median("ring", "reference").0 <= 1.0);
    assert!(median("grid", "vanilla").0 < median("grid", "PacGAN").0);
}
