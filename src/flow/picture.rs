//! Polylines as dot sequences for the flow pictures (trajectories, coupling pairs): points in
//! data coordinates spaced about half a pixel apart along each segment, for
//! [`crate::ebm::picture::Picture::dots`].

use crate::viewport::Viewport;

/// Appends the dots of the segment from `a` to `b` (data coordinates).
pub fn segment_points(
    vp: &Viewport,
    a: [f32; 2],
    b: [f32; 2],
    xs: &mut Vec<f32>,
    ys: &mut Vec<f32>,
) {
    let (pa, pb) = (
        vp.to_pixel(a[0] as f64, a[1] as f64),
        vp.to_pixel(b[0] as f64, b[1] as f64),
    );
    let len = (pb.0 - pa.0).hypot(pb.1 - pa.1);
    if !len.is_finite() {
        return;
    }
    let n = ((len * 2.0).ceil() as usize).clamp(1, 20_000);
    for k in 0..=n {
        let t = k as f32 / n as f32;
        xs.push(a[0] + (b[0] - a[0]) * t);
        ys.push(a[1] + (b[1] - a[1]) * t);
    }
}

/// Appends the dots of the polyline through `pts`.
pub fn polyline_points(vp: &Viewport, pts: &[[f32; 2]], xs: &mut Vec<f32>, ys: &mut Vec<f32>) {
    for w in pts.windows(2) {
        segment_points(vp, w[0], w[1], xs, ys);
    }
}
