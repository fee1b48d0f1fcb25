//! A compact, versioned binary file for a network's weights.
//!
//! Layout (all integers u32 little-endian, floats f32 little-endian):
//!
//! | bytes | content |
//! |---|---|
//! | 4 | magic `SBNN` |
//! | 4 | format version (1) |
//! | 4 | hidden activation (0 = SiLU, 1 = ReLU) |
//! | 4 | number of widths n = L + 1 |
//! | 4n | widths d_0 … d_L |
//! | 4P | per layer, W row by row (d_{l+1} × d_l, PyTorch's `weight`), then b |
//!
//! P = Σ (d_l + 1)d_{l+1}. A file is read only if every field matches: magic, version, the
//! expected architecture, the exact length, and finite weights; otherwise the error names the
//! problem.

use super::activation::Activation;
use super::architecture::{Architecture, MAX_LAYERS, MAX_WIDTH};
use super::mlp::Mlp;
use crate::error::Error;
use std::fmt;

/// The first four bytes of a weights file.
pub const MAGIC: [u8; 4] = *b"SBNN";
/// The format version written and read.
pub const VERSION: u32 = 1;

/// Why a weights file was rejected.
#[derive(Debug, Clone, PartialEq)]
pub enum WeightsFileError {
    /// Fewer bytes than the header needs.
    TruncatedHeader {
        /// Bytes received.
        len: usize,
    },
    /// The first four bytes are not `SBNN`.
    BadMagic {
        /// The bytes found.
        found: [u8; 4],
    },
    /// A version this build cannot read.
    UnsupportedVersion {
        /// The version found.
        found: u32,
    },
    /// An activation code other than 0 or 1.
    UnknownActivation {
        /// The code found.
        code: u32,
    },
    /// The header's widths are not a valid architecture.
    BadArchitecture {
        /// What is wrong.
        problem: String,
    },
    /// The file holds another architecture than the network it is loaded into.
    ArchitectureMismatch {
        /// The network's architecture.
        expected: String,
        /// The file's architecture.
        found: String,
    },
    /// The file is shorter than its header announces.
    Truncated {
        /// Bytes the header announces.
        expected: usize,
        /// Bytes received.
        got: usize,
    },
    /// The file is longer than its header announces.
    TrailingBytes {
        /// Bytes the header announces.
        expected: usize,
        /// Bytes received.
        got: usize,
    },
    /// A weight is NaN or infinite.
    NonFinite {
        /// Its index in the file's parameter order.
        index: usize,
    },
}

impl fmt::Display for WeightsFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use WeightsFileError::*;
        match self {
            TruncatedHeader { len } => write!(
                f,
                "weights file is truncated: {len} byte(s), shorter than its 16-byte header"
            ),
            BadMagic { found } => write!(
                f,
                "weights file has bad magic bytes {found:?}; expected \"SBNN\" (a scorebook network file)"
            ),
            UnsupportedVersion { found } => write!(
                f,
                "weights file has format version {found}; this build reads version {VERSION}"
            ),
            UnknownActivation { code } => write!(
                f,
                "weights file has unknown activation code {code}; expected 0 (silu) or 1 (relu)"
            ),
            BadArchitecture { problem } => write!(f, "weights file has an invalid architecture: {problem}"),
            ArchitectureMismatch { expected, found } => write!(
                f,
                "weights file is for the network {found}, but this network is {expected}"
            ),
            Truncated { expected, got } => write!(
                f,
                "weights file is truncated: {got} bytes, the header announces {expected}"
            ),
            TrailingBytes { expected, got } => write!(
                f,
                "weights file has trailing bytes: {got} bytes, the header announces {expected}"
            ),
            NonFinite { index } => write!(f, "weights file has a non-finite weight at index {index}"),
        }
    }
}

impl std::error::Error for WeightsFileError {}

impl From<WeightsFileError> for Error {
    fn from(e: WeightsFileError) -> Self {
        Error::invalid(
            "weights file",
            "a scorebook network file (SBNN version 1) of this architecture",
            e,
        )
    }
}

/// The file's bytes for `net`.
pub fn encode(net: &Mlp) -> Vec<u8> {
    let arch = net.architecture();
    let w = arch.widths();
    let mut out = Vec::with_capacity(16 + 4 * w.len() + 4 * arch.param_count());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&arch.activation().code().to_le_bytes());
    out.extend_from_slice(&(w.len() as u32).to_le_bytes());
    for &d in w {
        out.extend_from_slice(&(d as u32).to_le_bytes());
    }
    for (l, ly) in net.layout().iter().enumerate() {
        for o in 0..ly.fan_out {
            for i in 0..ly.fan_in {
                out.extend_from_slice(&net.weight(l, o, i).to_le_bytes());
            }
        }
        for o in 0..ly.fan_out {
            out.extend_from_slice(&net.bias(l, o).to_le_bytes());
        }
    }
    out
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Reads the architecture in a file's header (and checks magic, version and length).
pub fn read_architecture(bytes: &[u8]) -> Result<Architecture, WeightsFileError> {
    use WeightsFileError::*;
    if bytes.len() < 16 {
        if bytes.len() >= 4 && bytes[..4] != MAGIC {
            return Err(BadMagic {
                found: [bytes[0], bytes[1], bytes[2], bytes[3]],
            });
        }
        return Err(TruncatedHeader { len: bytes.len() });
    }
    if bytes[..4] != MAGIC {
        return Err(BadMagic {
            found: [bytes[0], bytes[1], bytes[2], bytes[3]],
        });
    }
    let version = u32_at(bytes, 4);
    if version != VERSION {
        return Err(UnsupportedVersion { found: version });
    }
    let code = u32_at(bytes, 8);
    let act = Activation::from_code(code).ok_or(UnknownActivation { code })?;
    let n = u32_at(bytes, 12) as usize;
    if !(2..=MAX_LAYERS + 1).contains(&n) {
        return Err(BadArchitecture {
            problem: format!("{n} widths; expected 2 to {}", MAX_LAYERS + 1),
        });
    }
    let header = 16 + 4 * n;
    if bytes.len() < header {
        return Err(Truncated {
            expected: header,
            got: bytes.len(),
        });
    }
    let widths: Vec<usize> = (0..n).map(|i| u32_at(bytes, 16 + 4 * i) as usize).collect();
    if let Some(&w) = widths.iter().find(|&&w| w == 0 || w > MAX_WIDTH) {
        return Err(BadArchitecture {
            problem: format!("width {w}; expected 1 to {MAX_WIDTH}"),
        });
    }
    Architecture::new(&widths, act).map_err(|e| BadArchitecture {
        problem: e.to_string(),
    })
}

/// Decodes a file into a network, which must have the architecture `expected` when given.
pub fn decode(bytes: &[u8], expected: Option<&Architecture>) -> Result<Mlp, WeightsFileError> {
    use WeightsFileError::*;
    let arch = read_architecture(bytes)?;
    if let Some(e) = expected {
        if *e != arch {
            return Err(ArchitectureMismatch {
                expected: e.describe(),
                found: arch.describe(),
            });
        }
    }
    let header = 16 + 4 * arch.widths().len();
    let total = header + 4 * arch.param_count();
    if bytes.len() < total {
        return Err(Truncated {
            expected: total,
            got: bytes.len(),
        });
    }
    if bytes.len() > total {
        return Err(TrailingBytes {
            expected: total,
            got: bytes.len(),
        });
    }
    let mut net = Mlp::zeros(arch);
    let layout = net.layout().to_vec();
    let p = net.params_mut();
    let mut at = header;
    let mut index = 0;
    let mut next = || -> Result<f32, WeightsFileError> {
        let v = f32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
        if !v.is_finite() {
            return Err(NonFinite { index });
        }
        at += 4;
        index += 1;
        Ok(v)
    };
    for ly in &layout {
        for o in 0..ly.fan_out {
            for i in 0..ly.fan_in {
                p[ly.wt + i * ly.fan_out + o] = next()?;
            }
        }
        for o in 0..ly.fan_out {
            p[ly.b + o] = next()?;
        }
    }
    net.refresh();
    Ok(net)
}
