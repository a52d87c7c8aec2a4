import { parseNpy, channelSum, colour } from './npy.js';

const $ = (sel, root = document) => root.querySelector(sel);
const state = { methods: null, models: [], datasets: [], upload: null, jobs: {} };

async function api(path, init) {
  const response = await fetch(path, init);
  const text = await response.text();
  const body = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const retry = response.headers.get('Retry-After');
    throw new Error((body && body.error ? body.error : `${response.status} ${response.statusText}`) + (retry ? ` (retry in ${retry} s)` : ''));
  }
  return body;
}

function option(value, text = value) {
  const o = document.createElement('option');
  o.value = value; o.textContent = text;
  return o;
}

function showError(message) { $('#form-error').textContent = message || ''; }

// ---------- image ----------
async function refreshImage() {
  if (state.upload) {
    $('#preview').src = `/api/uploads/${state.upload.id}`;
    $('#image-label').textContent = `upload ${state.upload.width}×${state.upload.height}`;
    return;
  }
  const name = $('#dataset').value, index = $('#index').value;
  if (!name) return;
  $('#preview').src = `/api/datasets/image?name=${encodeURIComponent(name)}&index=${index}`;
  try {
    const label = await api(`/api/datasets/label?name=${encodeURIComponent(name)}&index=${index}`);
    $('#image-label').textContent = `label ${label.labelName}`;
  } catch (e) { $('#image-label').textContent = e.message; }
}

async function onUpload(event) {
  const file = event.target.files[0];
  if (!file) { state.upload = null; return refreshImage(); }
  const form = new FormData();
  form.append('file', file);
  try {
    state.upload = await api('/api/uploads', { method: 'POST', body: form });
    showError('');
  } catch (e) { state.upload = null; showError(e.message); }
  refreshImage();
}

// ---------- model and method, per configuration pane ----------
async function onModel(config) {
  const name = $('.model', config).value;
  const info = $('.model-info', config);
  info.textContent = '…';
  try {
    const m = await api(`/api/models/info?name=${encodeURIComponent(name)}`);
    config.dataset.kind = m.kind;
    if (m.kind === 'generator') {
      info.textContent = 'generator checkpoint: Explain draws a sample grid';
      config.usable = null;
    } else {
      info.textContent = `${m.kind}, input ${m.info.channels}×${m.info.height}×${m.info.width}, classes ${m.classNames.join(', ')}`;
      config.usable = new Set(m.usableMethods);
    }
  } catch (e) { info.textContent = e.message; config.usable = null; }
  fillMethods(config);
}

function fillMethods(config) {
  const select = $('.method', config);
  const previous = select.value || (config.dataset.pane === 'b' ? 'integrated-gradients' : 'saliency');
  select.replaceChildren();
  const families = new Map();
  for (const m of state.methods.methods) {
    if (config.usable && !config.usable.has(m.name)) continue;
    if (!families.has(m.family)) families.set(m.family, []);
    families.get(m.family).push(m);
  }
  for (const [family, list] of families) {
    const group = document.createElement('optgroup');
    group.label = family;
    for (const m of list) group.append(option(m.name));
    select.append(group);
  }
  if ([...select.options].some(o => o.value === previous)) select.value = previous;
  renderOptions(config);
}

// One input per option, by the schema's kind; the catalog's default is the value shown.
function field(f, prefix) {
  const label = document.createElement('label');
  label.title = f.help + (f.reference ? ` (Captum/SHAP: ${f.reference})` : '');
  const span = document.createElement('span');
  span.textContent = '--' + f.flag;
  let input;
  if (f.choices) {
    input = document.createElement('select');
    for (const c of f.choices) input.append(option(c));
    if (f.default != null) input.value = f.default;
  } else if (f.kind === 'boolean') {
    input = document.createElement('input');
    input.type = 'checkbox';
    input.checked = f.default === 'true';
  } else {
    input = document.createElement('input');
    input.type = f.kind === 'integer' || f.kind === 'number' ? 'number' : 'text';
    if (f.kind === 'number') input.step = 'any';
    if (f.min != null) input.min = f.min;
    if (f.max != null) input.max = f.max;
    // A baseline or mask default is a description ("the background set"), not a value: shown as a hint only.
    const described = f.kind === 'baselines' || f.kind === 'feature-mask';
    input.value = described ? '' : (f.default ?? '');
    input.placeholder = f.default ?? 'none';
  }
  input.name = prefix + f.flag;
  input.dataset.flag = f.flag;
  input.dataset.default = f.kind === 'boolean' ? String(f.default === 'true') : input.value;
  label.append(span, input);
  return label;
}

function renderOptions(config) {
  const box = $('.options', config);
  box.replaceChildren();
  const m = state.methods.methods.find(x => x.name === $('.method', config).value);
  $('.method-summary', config).textContent = m ? m.summary : '';
  if (!m) return;
  const own = m.options.filter(f => !state.methods.common.includes(f.flag));
  for (const f of own) box.append(field(f, config.dataset.pane + '-'));
  const more = document.createElement('details');
  const summary = document.createElement('summary');
  summary.textContent = 'output, seed, noise tunnel';
  more.append(summary);
  for (const f of m.options.filter(f => state.methods.common.includes(f.flag))) more.append(field(f, config.dataset.pane + '-'));
  for (const f of state.methods.noiseTunnel.filter(f => f.flag !== 'seed')) more.append(field(f, config.dataset.pane + '-'));
  box.append(more);
}

// Only the options changed from their defaults are sent; the server binds and checks them with the catalog's schema.
function chosenOptions(config) {
  const options = {};
  for (const input of config.querySelectorAll('.options [data-flag]')) {
    const value = input.type === 'checkbox' ? String(input.checked) : input.value.trim();
    if (value !== input.dataset.default && value !== '') options[input.dataset.flag] = value;
  }
  return options;
}

// ---------- jobs ----------
function imageRequest() {
  return state.upload ? { upload: state.upload.id } : { dataset: $('#dataset').value, index: Number($('#index').value) };
}

async function explain(event) {
  event.preventDefault();
  showError('');
  const configs = [...document.querySelectorAll('.config')].filter(c => !c.hidden);
  for (const id of Object.values(state.jobs)) if (id) fetch(`/api/jobs/${id}`, { method: 'DELETE' });
  state.jobs = {};
  $('#pane-b').hidden = configs.length < 2;
  $('#cancel').disabled = false;
  await Promise.all(configs.map(async config => {
    const pane = $(`#pane-${config.dataset.pane}`);
    pane.hidden = false;
    const model = $('.model', config).value, method = $('.method', config).value;
    pane.replaceChildren(heading(config.dataset.kind === 'generator' ? `${model} — samples` : `${model} — ${method}`), status('queued'));
    try {
      const job = config.dataset.kind === 'generator'
        ? await api('/api/generate', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ model, count: 32 }) })
        : await api('/api/jobs', {
            method: 'POST', headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ model, method, options: chosenOptions(config), classes: $('#classes').value, ...imageRequest() }),
          });
      state.jobs[config.dataset.pane] = job.id;
      pane.dataset.job = job.id;
      await follow(job.id, pane);
    } catch (e) {
      pane.append(errorLine(e.message));
    }
  }));
  $('#cancel').disabled = true;
}

function heading(text) { const h = document.createElement('h2'); h.textContent = text; return h; }
function status(text) { const p = document.createElement('div'); p.className = 'status'; p.textContent = text; return p; }
function errorLine(text) { const p = document.createElement('div'); p.className = 'error'; p.textContent = text; return p; }

// Follows the job's server-sent events until it ends, then draws its result.
function follow(id, pane) {
  return new Promise(resolve => {
    const bar = document.createElement('progress');
    pane.append(bar);
    const events = new EventSource(`/api/jobs/${id}/events`);
    events.addEventListener('job', async message => {
      const job = JSON.parse(message.data);
      const p = job.progress;
      $('.status', pane).textContent = `${job.state}${p.stage ? ` · ${p.stage}` : ''}${p.detail ? ` · ${p.detail}` : ''}`;
      if (p.fraction != null) bar.value = p.fraction; else bar.removeAttribute('value');
      if (['done', 'failed', 'cancelled'].includes(job.state)) {
        events.close();
        bar.remove();
        if (job.state === 'done') await (job.kind === 'generate' ? showSamples(job, pane) : showResult(job, pane));
        else pane.append(errorLine(job.error));
        pane.dataset.state = job.state;
        resolve();
      }
    });
    events.onerror = () => { events.close(); pane.append(errorLine('Lost the connection to the server.')); resolve(); };
  });
}

function showSamples(job, pane) {
  const img = document.createElement('img');
  img.className = 'plot';
  img.src = `/api/jobs/${job.id}/files/samples.png`;
  img.alt = 'samples';
  pane.append(img, downloads(job.id, job.result.files));
}

async function showResult(job, pane) {
  const r = job.result;
  const files = `/api/jobs/${job.id}/files/`;
  const classes = r.classNames;
  const top = r.probabilities.map((p, i) => [p, i]).sort((a, b) => b[0] - a[0]).slice(0, 3);
  pane.append(status(`predicted ${classes[r.prediction]} (${(100 * r.probabilities[r.prediction]).toFixed(1)} %)` +
    (r.input.labelName != null ? `, label ${r.input.labelName}` : '') + ` · top: ${top.map(([p, i]) => `${classes[i]} ${(100 * p).toFixed(1)} %`).join(', ')}` +
    ` · ${r.seconds.toFixed(2)} s`));

  // The map of the first explained class, drawn from attributions.npy itself (red up, blue down).
  const npy = parseNpy(await (await fetch(files + 'attributions.npy')).arrayBuffer());
  const map = channelSum(npy, 0, 0);
  const canvas = document.createElement('canvas');
  canvas.className = 'map';
  canvas.width = map.width; canvas.height = map.height;
  canvas.dataset.max = map.max;
  canvas.dataset.target = r.targets[0];
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(map.width, map.height);
  map.values.forEach((v, i) => { const [R, G, B] = colour(v, map.max); image.data.set([R, G, B, 255], 4 * i); });
  ctx.putImageData(image, 0, 0);
  const input = document.createElement('img');
  input.className = 'input';
  input.src = $('#preview').src;
  const maps = document.createElement('div');
  maps.className = 'maps';
  maps.append(figure(input, 'input'), figure(canvas, `map for class ${classes[r.targets[0]]} · ±${map.max.toPrecision(3)} <span class="legend"></span>`));
  pane.append(maps);

  if (r.files.imagePlot) {
    const plot = document.createElement('img');
    plot.className = 'plot';
    plot.alt = 'image plot';
    plot.src = files + 'image_plot.png';
    pane.append(figure(plot, 'image plot (shap.image_plot)'));
  }
  if (r.files.forcePlotSvg) {
    const force = document.createElement('img');
    force.className = 'force';
    force.alt = 'force plot';
    force.src = files + 'force_plot.svg';
    pane.append(figure(force, `force plot of the most probable explained class (<a href="${files}force_plot.html" target="_blank">interactive</a>)`));
  }
  const table = document.createElement('table');
  const row = (a, b, cls) => { const tr = table.insertRow(); tr.insertCell().textContent = a; const td = tr.insertCell(); td.textContent = b; if (cls) td.className = cls; };
  if (r.check) row(`check: ${r.check.kind}`, `max |error| ${r.check.maxAbs?.toExponential(2)} ${r.check.guaranteed ? (r.check.holds ? '✓ holds' : '✗ fails') : '(estimator)'}`, r.check.holds ? 'ok' : 'bad');
  else row('check', 'this method promises no additivity');
  row('deletion vs random order', `AUC ${r.deletion.attributionAuc?.toFixed(3)} vs ${r.deletion.randomAuc?.toFixed(3)} ${r.deletion.fasterThanRandom ? '✓ faster' : '✗ not faster'}`, r.deletion.fasterThanRandom ? 'ok' : 'bad');
  for (const m of r.metrics) row(`${m.name} (${m.higherIsBetter ? '↑' : '↓'} better)`, m.mean == null ? 'n/a' : m.mean.toPrecision(4));
  table.className = 'metrics';
  pane.append(table);
  pane.append(downloads(job.id, Object.values(r.files)));
}

function figure(element, caption) {
  const f = document.createElement('figure');
  const c = document.createElement('figcaption');
  c.innerHTML = caption;
  f.append(element, c);
  return f;
}

function downloads(id, names) {
  const div = document.createElement('div');
  div.className = 'downloads';
  div.append('download: ');
  for (const name of names) {
    const a = document.createElement('a');
    a.href = `/api/jobs/${id}/files/${name}`;
    a.textContent = name;
    a.download = name;
    div.append(a);
  }
  return div;
}

async function cancel() {
  for (const id of Object.values(state.jobs)) if (id) await fetch(`/api/jobs/${id}`, { method: 'DELETE' });
}

// ---------- start ----------
async function start() {
  try {
    [state.methods, state.models, state.datasets] = await Promise.all([api('/api/methods'), api('/api/models'), api('/api/datasets')]);
  } catch (e) { showError(e.message); return; }
  for (const d of state.datasets) $('#dataset').append(option(d.name, `${d.name} (${d.count})`));
  if (state.datasets.length === 0) showError('The data root has no dataset folder; upload an image.');
  for (const config of document.querySelectorAll('.config')) {
    for (const m of state.models) $('.model', config).append(option(m.name, `${m.name} (${m.kind})`));
    $('.model', config).addEventListener('change', () => onModel(config));
    $('.method', config).addEventListener('change', () => renderOptions(config));
    if (state.models.length) await onModel(config);
  }
  if (state.models.length === 0) showError('The model root has no model; start with --models DIR.');
  $('#dataset').addEventListener('change', () => { state.upload = null; $('#upload').value = ''; refreshImage(); });
  $('#index').addEventListener('change', () => { state.upload = null; $('#upload').value = ''; refreshImage(); });
  $('#upload').addEventListener('change', onUpload);
  $('#compare').addEventListener('change', e => { $('.config[data-pane=b]').hidden = !e.target.checked; });
  $('#form').addEventListener('submit', explain);
  $('#cancel').addEventListener('click', cancel);
  await refreshImage();
  document.body.dataset.ready = 'true';
}

start();
