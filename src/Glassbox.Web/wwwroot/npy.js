// Reads a NumPy .npy file (version 1–3, little-endian float32/float64/int32/int64, C order) into {shape, data}.
export function parseNpy(buffer) {
  const bytes = new Uint8Array(buffer);
  if (bytes[0] !== 0x93 || String.fromCharCode(...bytes.slice(1, 6)) !== 'NUMPY') throw new Error('not a .npy file');
  const major = bytes[6];
  const view = new DataView(buffer);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.slice(start, start + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  if (/'fortran_order':\s*True/.test(header)) throw new Error('Fortran-order arrays are not supported');
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').map(s => s.trim()).filter(s => s).map(Number);
  const offset = start + headerLength;
  const types = { '<f4': Float32Array, '<f8': Float64Array, '<i4': Int32Array, '<i8': BigInt64Array };
  const T = types[descr];
  if (!T) throw new Error(`unsupported dtype ${descr}`);
  const count = shape.reduce((a, b) => a * b, 1);
  const data = new T(buffer.slice(offset, offset + count * T.BYTES_PER_ELEMENT));
  return { shape, data: T === BigInt64Array ? Float64Array.from(data, Number) : data };
}

// The map of input n, target slot k of an N×K×C×H×W array, summed over channels: {height, width, values, max}.
export function channelSum(npy, n = 0, k = 0) {
  const [, K, C, H, W] = npy.shape;
  const values = new Float64Array(H * W);
  const base = (n * K + k) * C * H * W;
  for (let c = 0; c < C; c++)
    for (let i = 0; i < H * W; i++) values[i] += npy.data[base + c * H * W + i];
  let max = 0;
  for (const v of values) max = Math.max(max, Math.abs(v));
  return { height: H, width: W, values, max };
}

// SHAP's convention: red pushes the class score up, blue pushes it down, white is zero; symmetric scale at max |value|.
export function colour(v, max) {
  const t = max > 0 ? Math.min(1, Math.abs(v) / max) : 0;
  const fade = Math.round(255 * (1 - t));
  return v >= 0 ? [255, fade, fade] : [fade, fade, 255];
}
