//! `BoltzmannWidget`: the handle behind `<sb-boltzmann>`.
//!
//! Three trainers of the same fully visible Boltzmann machine on the same patterns, from the same
//! θ = 0: the exact gradient, CD-k and persistent CD. JS calls `step(n)` per frame, then `draw`
//! (patterns and coupling matrices) and `drawChart` (exact KL against update), and reads small
//! values: every number is exact (enumeration) except the gradient estimates of CD and PCD.

use super::draw::context;
use crate::boltzmann::patterns::{PatternSet, PRESET_NAMES};
use crate::boltzmann::trainer::{cd_expected_stats, Method, Trainer, MAX_CHAINS, MAX_SWEEPS};
use crate::boltzmann::view::{draw_figure, MatrixPanel, PatternRow};
use crate::chart::ChartTheme;
use crate::chart_multi::{draw_multi_chart, multi_chart_svg, palette, Series};
use crate::error::{check_range, Error};
use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// Chains shown as patterns.
const SHOWN: usize = 8;

/// The three trainers on one pattern set, with drawing.
#[wasm_bindgen]
pub struct BoltzmannWidget {
    trainers: Vec<Trainer>,
    units: usize,
    sweeps: u32,
    chains: usize,
    learning_rate: f64,
    seed: u32,
    scratch: Vec<f64>,
}

fn checked_count(name: &'static str, v: f64, hi: f64) -> Result<usize, Error> {
    check_range(name, v, 1.0, hi, false)?;
    if v.fract() != 0.0 {
        return Err(Error::invalid(name, format!("an integer in [1, {hi}]"), v));
    }
    Ok(v as usize)
}

fn trainers(
    data: &PatternSet,
    lr: f64,
    k: u32,
    chains: usize,
    seed: u32,
) -> Result<Vec<Trainer>, Error> {
    Ok(vec![
        Trainer::new(data.clone(), Method::Exact, lr, chains, seed as u64)?,
        Trainer::new(data.clone(), Method::Cd { k }, lr, chains, seed as u64)?,
        Trainer::new(data.clone(), Method::Pcd { k }, lr, chains, seed as u64)?,
    ])
}

#[wasm_bindgen]
impl BoltzmannWidget {
    /// A widget on `patterns` (bit i of each number is unit i) of a machine with `units` ∈ [2, 16],
    /// learning rate ∈ (0, 10], `sweeps` k ∈ [1, 1000], `chains` M ∈ [1, 10 000], and a seed.
    #[wasm_bindgen(constructor)]
    pub fn new(
        units: f64,
        patterns: &[u32],
        learning_rate: f64,
        sweeps: f64,
        chains: f64,
        seed: u32,
    ) -> Result<BoltzmannWidget, JsError> {
        let d = checked_count("units", units, 16.0)?;
        let k = checked_count("sweeps", sweeps, MAX_SWEEPS as f64)? as u32;
        let m = checked_count("chains", chains, MAX_CHAINS as f64)?;
        let data = PatternSet::new(d, patterns)?;
        let trainers = trainers(&data, learning_rate, k, m, seed)?;
        Ok(BoltzmannWidget {
            trainers,
            units: d,
            sweeps: k,
            chains: m,
            learning_rate,
            seed,
            scratch: vec![],
        })
    }

    /// The patterns of a 3 × 3 preset (`bars-and-stripes`, `letters`, `diagonals`).
    #[wasm_bindgen(js_name = presetPatterns)]
    pub fn preset_patterns(name: &str) -> Result<Vec<u32>, JsError> {
        Ok(PatternSet::preset(name)?.patterns().to_vec())
    }

    /// The preset names.
    #[wasm_bindgen(js_name = presetNames)]
    pub fn preset_names() -> Vec<String> {
        PRESET_NAMES.iter().map(|s| s.to_string()).collect()
    }

    fn rebuild(&mut self, data: &PatternSet) -> Result<(), Error> {
        self.trainers = trainers(
            data,
            self.learning_rate,
            self.sweeps,
            self.chains,
            self.seed,
        )?;
        Ok(())
    }

    /// Restarts all three trainers from θ = 0 with a new seed.
    pub fn reset(&mut self, seed: u32) -> Result<(), JsError> {
        self.seed = seed;
        let data = self.trainers[0].data().clone();
        Ok(self.rebuild(&data)?)
    }

    /// New patterns (same number of units); restarts training.
    #[wasm_bindgen(js_name = setPatterns)]
    pub fn set_patterns(&mut self, patterns: &[u32]) -> Result<(), JsError> {
        let data = PatternSet::new(self.units, patterns)?;
        Ok(self.rebuild(&data)?)
    }

    /// The learning rate for the next updates (training continues).
    #[wasm_bindgen(js_name = setLearningRate)]
    pub fn set_learning_rate(&mut self, lr: f64) -> Result<(), JsError> {
        for t in &mut self.trainers {
            t.set_learning_rate(lr)?;
        }
        self.learning_rate = lr;
        Ok(())
    }

    /// Gibbs sweeps k of CD and PCD; restarts training.
    #[wasm_bindgen(js_name = setSweeps)]
    pub fn set_sweeps(&mut self, k: f64) -> Result<(), JsError> {
        self.sweeps = checked_count("sweeps", k, MAX_SWEEPS as f64)? as u32;
        let data = self.trainers[0].data().clone();
        Ok(self.rebuild(&data)?)
    }

    /// Number of chains M of CD and PCD; restarts training.
    #[wasm_bindgen(js_name = setChains)]
    pub fn set_chains(&mut self, m: f64) -> Result<(), JsError> {
        self.chains = checked_count("chains", m, MAX_CHAINS as f64)?;
        let data = self.trainers[0].data().clone();
        Ok(self.rebuild(&data)?)
    }

    /// `n` ∈ [1, 100 000] updates of each trainer, with n × chains × sweeps ≤ 10⁸ (a bound on
    /// the Gibbs work of one call, so that no call can freeze the page).
    pub fn step(&mut self, n: f64) -> Result<(), JsError> {
        let n = checked_count("updates", n, 100_000.0)?;
        let work = n as f64 * self.chains as f64 * self.sweeps as f64;
        if work > 1e8 {
            return Err(JsError::new(&format!(
                "updates × chains × sweeps must be at most 1e8 per call; got {n} × {} × {}",
                self.chains, self.sweeps
            )));
        }
        for _ in 0..n {
            for t in &mut self.trainers {
                t.step()?;
            }
        }
        Ok(())
    }

    fn trainer(&self, i: u32) -> Result<&Trainer, JsError> {
        self.trainers.get(i as usize).ok_or_else(|| {
            JsError::new(&format!(
                "trainer must be 0 (exact), 1 (CD-k) or 2 (PCD); got {i}"
            ))
        })
    }

    /// Updates so far.
    #[wasm_bindgen(getter)]
    pub fn updates(&self) -> f64 {
        self.trainers[0].updates() as f64
    }
    /// Units D.
    #[wasm_bindgen(getter)]
    pub fn units(&self) -> usize {
        self.units
    }
    /// Sweeps k.
    #[wasm_bindgen(getter)]
    pub fn sweeps(&self) -> u32 {
        self.sweeps
    }
    /// Chains M.
    #[wasm_bindgen(getter)]
    pub fn chains(&self) -> usize {
        self.chains
    }
    /// The patterns.
    pub fn patterns(&self) -> Vec<u32> {
        self.trainers[0].data().patterns().to_vec()
    }
    /// H(p) of the data, nats: the log-likelihood of a perfect model is −H(p).
    pub fn entropy(&self) -> f64 {
        self.trainers[0].data().entropy()
    }
    /// Exact KL(p‖q_θ) of trainer i (0 exact, 1 CD-k, 2 PCD), nats.
    pub fn kl(&self, i: u32) -> Result<f64, JsError> {
        Ok(self.trainer(i)?.kl())
    }
    /// Exact average log-likelihood ⟨log q_θ⟩_p of trainer i.
    #[wasm_bindgen(js_name = logLikelihood)]
    pub fn log_likelihood(&self, i: u32) -> Result<f64, JsError> {
        let t = self.trainer(i)?;
        Ok(t.data().log_likelihood(t.exact()))
    }
    /// log Z_θ of trainer i (exact).
    #[wasm_bindgen(js_name = logZ)]
    pub fn log_z(&self, i: u32) -> Result<f64, JsError> {
        Ok(self.trainer(i)?.exact().log_z)
    }
    /// Cosine between trainer i's last gradient estimate and the exact gradient (NaN before the
    /// first update).
    pub fn cosine(&self, i: u32) -> Result<f64, JsError> {
        Ok(self.trainer(i)?.cosine())
    }
    /// max |⟨φ⟩_p − ⟨φ⟩_q| of trainer i: zero at the maximum-likelihood fit.
    pub fn mismatch(&self, i: u32) -> Result<f64, JsError> {
        Ok(self.trainer(i)?.moment_mismatch())
    }
    /// The exact bias of CD-k at the CD trainer's θ, ‖E[ĝ_CD] − g‖ / ‖g‖, by propagating the
    /// data distribution through k Gibbs sweeps (no sampling). NaN when g = 0.
    #[wasm_bindgen(js_name = cdBias)]
    pub fn cd_bias(&mut self) -> f64 {
        let t = &self.trainers[1];
        let neg = cd_expected_stats(t.machine(), t.data(), self.sweeps, &mut self.scratch);
        let (mut b2, mut g2) = (0.0, 0.0);
        for ((q, n), g) in t.exact().stats.iter().zip(&neg).zip(t.exact_gradient()) {
            b2 += (q - n) * (q - n);
            g2 += g * g;
        }
        if g2 == 0.0 {
            f64::NAN
        } else {
            (b2 / g2).sqrt()
        }
    }
    /// Exact KL of trainer i after 0, s, 2s, … updates (s = `historyStride`; the history is
    /// thinned 2:1 whenever it reaches 4096 entries).
    #[wasm_bindgen(js_name = klHistory)]
    pub fn kl_history(&self, i: u32) -> Result<Vec<f64>, JsError> {
        Ok(self.trainer(i)?.history().to_vec())
    }
    /// Updates between two history entries.
    #[wasm_bindgen(getter, js_name = historyStride)]
    pub fn history_stride(&self) -> f64 {
        self.trainers[0].history_stride() as f64
    }
    /// θ of trainer i: couplings W_ij (i < j, row by row), then biases.
    pub fn params(&self, i: u32) -> Result<Vec<f64>, JsError> {
        Ok(self.trainer(i)?.machine().params().to_vec())
    }
    /// The `n` most probable states of trainer i's model, flat [state, probability, …].
    #[wasm_bindgen(js_name = topStates)]
    pub fn top_states(&self, i: u32, n: usize) -> Result<Vec<f64>, JsError> {
        Ok(self
            .trainer(i)?
            .exact()
            .top_states(n.min(1 << self.units))
            .into_iter()
            .flat_map(|(s, p)| [s as f64, p])
            .collect())
    }
    /// Current states of trainer i's Gibbs chains (at most `n`).
    #[wasm_bindgen(js_name = chainStates)]
    pub fn chain_states(&self, i: u32, n: usize) -> Result<Vec<u32>, JsError> {
        let c = self.trainer(i)?.chains();
        Ok(c[..n.min(c.len())].to_vec())
    }

    fn figure(&self) -> (Vec<PatternRow>, Vec<MatrixPanel>) {
        let d = self.units;
        let data = self.trainers[0].data();
        let mut distinct = data.distinct().to_vec();
        distinct.sort_by(|a, b| {
            b.1.partial_cmp(&a.1)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.0.cmp(&b.0))
        });
        let pct = |p: f64| {
            if p >= 0.0995 {
                format!("{:.0}%", 100.0 * p)
            } else {
                format!("{:.1}%", 100.0 * p)
            }
        };
        let data_row = PatternRow {
            title: format!("Data: {} patterns, p(s)", data.patterns().len()),
            items: distinct.iter().map(|&(s, p)| (s, Some(pct(p)))).collect(),
        };
        let top = |i: usize, title: &str| PatternRow {
            title: title.to_string(),
            items: self.trainers[i]
                .exact()
                .top_states(SHOWN)
                .into_iter()
                .map(|(s, p)| (s, Some(pct(p))))
                .collect(),
        };
        let chains = |i: usize, title: String| PatternRow {
            title,
            items: self.trainers[i]
                .chains()
                .iter()
                .take(SHOWN)
                .map(|&s| (s, None))
                .collect(),
        };
        let rows = vec![
            data_row,
            top(0, "Exact-gradient model: most probable states, q(s)"),
            top(1, "CD-k model: most probable states, q(s)"),
            chains(
                1,
                format!(
                    "CD-{} negative samples (chains restarted at data)",
                    self.sweeps
                ),
            ),
            chains(
                2,
                format!("PCD-{} negative samples (persistent chains)", self.sweeps),
            ),
        ];
        let dense = |t: &Trainer| {
            let m = t.machine();
            (0..d * d)
                .map(|k| m.coupling(k / d, k % d))
                .collect::<Vec<f64>>()
        };
        let mats = self
            .trainers
            .iter()
            .zip(["W, exact", "W, CD-k", "W, PCD"])
            .map(|(t, name)| MatrixPanel {
                title: name.into(),
                w: dense(t),
            })
            .collect();
        (rows, mats)
    }

    /// Draws the pattern rows and the coupling matrices on `canvas`.
    pub fn draw(&self, canvas: &HtmlCanvasElement, dpr: f64, dark: bool) -> Result<(), JsError> {
        context(canvas)?;
        let root = CanvasBackend::with_canvas_object(canvas.clone())
            .ok_or_else(|| JsError::new("plotters could not use the canvas"))?
            .into_drawing_area();
        let (rows, mats) = self.figure();
        draw_figure(
            &root,
            self.units,
            &rows,
            &mats,
            dpr_ok(dpr),
            &ChartTheme::for_theme(dark),
        )
        .map_err(|e| JsError::new(&e))?;
        root.present()
            .map_err(|e| JsError::new(&format!("{e:?}")))?;
        Ok(())
    }

    fn curves(&self) -> Vec<Vec<(f64, f64)>> {
        self.trainers
            .iter()
            .map(|t| {
                let s = t.history_stride() as f64;
                t.history()
                    .iter()
                    .enumerate()
                    .map(|(i, &k)| (i as f64 * s, k))
                    .collect()
            })
            .collect()
    }

    fn labels(&self) -> [String; 3] {
        [
            "exact gradient".to_string(),
            format!("CD-{}", self.sweeps),
            format!("PCD-{}", self.sweeps),
        ]
    }

    /// The exact KL(p‖q_θ) of the three trainers against update, on `canvas`.
    #[wasm_bindgen(js_name = drawChart)]
    pub fn draw_chart(
        &self,
        canvas: &HtmlCanvasElement,
        dpr: f64,
        dark: bool,
    ) -> Result<(), JsError> {
        let root = CanvasBackend::with_canvas_object(canvas.clone())
            .ok_or_else(|| JsError::new("plotters could not use the canvas"))?
            .into_drawing_area();
        let curves = self.curves();
        let labels = self.labels();
        let pal = palette(dark);
        let series: Vec<Series> = (0..3)
            .map(|i| Series {
                label: &labels[i],
                color: pal[i],
                points: &curves[i],
                width: if i == 0 { 3.2 } else { 1.6 },
            })
            .collect();
        draw_multi_chart(
            &root,
            &series,
            "update",
            "exact KL(p‖q) nats",
            false,
            dpr_ok(dpr),
            &ChartTheme::for_theme(dark),
        )
        .map_err(|e| JsError::new(&e))?;
        root.present()
            .map_err(|e| JsError::new(&format!("{e:?}")))?;
        Ok(())
    }

    /// The KL chart as an SVG document.
    #[wasm_bindgen(js_name = chartSvg)]
    pub fn chart_svg(&self, width: u32, height: u32, dark: bool) -> Result<String, JsError> {
        let curves = self.curves();
        let labels = self.labels();
        let pal = palette(dark);
        let series: Vec<Series> = (0..3)
            .map(|i| Series {
                label: &labels[i],
                color: pal[i],
                points: &curves[i],
                width: if i == 0 { 3.2 } else { 1.6 },
            })
            .collect();
        multi_chart_svg(
            &series,
            "update",
            "exact KL(p‖q) nats",
            false,
            (width.clamp(100, 4000), height.clamp(80, 4000)),
            dark,
        )
        .map_err(|e| JsError::new(&e))
    }
}

fn dpr_ok(dpr: f64) -> f64 {
    if dpr.is_finite() && dpr > 0.0 {
        dpr.clamp(0.5, 4.0)
    } else {
        1.0
    }
}
