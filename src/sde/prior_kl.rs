//! How far the end of the forward process is from the prior: KL(p_T ‖ N(0, v I)).
//!
//! A reverse sampler starts from the prior N(0, vI), not from the exact p_T; the mismatch
//! KL(p_T ‖ N(0, vI)) is the first term of the diffusion ELBO (Ho et al. 2020, eq. 5, L_T) and
//! never vanishes for a finite schedule (a short one leaves it large). For mixture data p_T =
//! Σ wₖ N(α μₖ, α²Σₖ + σ²I) it has no closed form; it is computed by tensor Gauss–Legendre
//! quadrature of p_T log(p_T/π) over a box holding both laws (±10 sd), with cells no wider than
//! the narrowest component's sd (order 4: relative error ≪ 1e-6 for these smooth integrands).
//! For one Gaussian N(m, S) the closed form is ½(tr S/v + |m|²/v − 2 − ln det(S/v)).

use crate::error::Error;
use crate::mixture::GaussianMixture;
use crate::quadrature::Rule2;

/// KL(data pushed to (mean scale α, added variance σ²) ‖ N(0, prior_variance·I)) in nats.
pub fn prior_kl(
    data: &GaussianMixture,
    mean_scale: f64,
    variance: f64,
    prior_variance: f64,
) -> Result<f64, Error> {
    if !(prior_variance.is_finite() && prior_variance > 0.0) {
        return Err(Error::invalid(
            "prior variance",
            "a finite number > 0",
            prior_variance,
        ));
    }
    let pt = data.scaled_noised(mean_scale, variance)?;
    let sd_min = pt
        .components()
        .iter()
        .map(|c| {
            let s = c.cov();
            // the smallest eigenvalue of the 2×2 covariance
            let (tr, det) = (s[0] + s[2], s[0] * s[2] - s[1] * s[1]);
            (0.5 * (tr - (tr * tr - 4.0 * det).max(0.0).sqrt()))
                .max(1e-300)
                .sqrt()
        })
        .fold(f64::MAX, f64::min);
    let b = pt.view_box();
    let r = 10.0 * prior_variance.sqrt();
    let half = (0.5 * (b[1] - b[0]) * 10.0 / 4.0 / 1.1).max(r);
    let (cx, cy) = (0.5 * (b[0] + b[1]), 0.5 * (b[2] + b[3]));
    let view = [
        (cx - half).min(-r),
        (cx + half).max(r),
        (cy - half).min(-r),
        (cy + half).max(r),
    ];
    let width = (view[1] - view[0]).max(view[3] - view[2]);
    let cells = ((width / sd_min).ceil() as usize).clamp(16, 400);
    let rule = Rule2::new(view, cells, 4)?;
    let log_norm = -(2.0 * std::f64::consts::PI * prior_variance).ln();
    let kl = rule.integrate(|x| {
        let lq = pt.log_density(x);
        let lp = log_norm - (x[0] * x[0] + x[1] * x[1]) / (2.0 * prior_variance);
        lq.exp() * (lq - lp)
    });
    Ok(kl.max(0.0))
}
