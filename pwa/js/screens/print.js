// Print labels (/app/print?itemIds=a,b or ?batchId=…): a template, a format, where a part-used sheet
// starts; PDF goes to the system print dialog, ZPL to a network label printer.
import { el, option } from '../dom.js';

function field(label, control) {
  return el('label', { class: 'field' }, el('span', { class: 'label', text: label }), control);
}

function listParam(value) {
  return String(value || '').split(',').map((part) => part.trim()).filter(Boolean);
}

// Phone browsers show no PDF inside a frame: they open it in their viewer, which prints.
const FRAME_PRINTS = !/Android|iPhone|iPad|iPod|Mobile/i.test(navigator.userAgent);

/** Open a PDF in a hidden frame and call the system print dialog; a new tab where a frame cannot print. */
function printPdf(blob) {
  const url = URL.createObjectURL(blob);
  if (!FRAME_PRINTS) {
    window.open(url, '_blank', 'noopener');
    setTimeout(() => URL.revokeObjectURL(url), 300000);
    return url;
  }
  const frame = el('iframe', { class: 'print-frame', title: 'Labels', style: 'position:fixed;width:0;height:0;border:0;right:0;bottom:0' });
  frame.src = url;
  frame.addEventListener('load', () => {
    try {
      frame.contentWindow.focus();
      frame.contentWindow.print();
    } catch {
      window.open(url, '_blank', 'noopener');
    }
  }, { once: true });
  document.body.append(frame);
  // The dialog blocks; keep the frame long enough for it either way.
  setTimeout(() => {
    frame.remove();
    URL.revokeObjectURL(url);
  }, 120000);
  return url;
}

export async function render(root, params, app) {
  const itemIds = listParam(params.itemIds);
  let batchId = params.batchId || null;
  let closed = false;

  const heading = el('h1', { text: 'Print labels' });
  const what = el('p', { id: 'print-what', class: 'print-what' });
  const template = el('select', { id: 'print-template' });
  const format = el('select', { id: 'print-format' });
  const start = el('input', { id: 'print-start', type: 'number', min: '1', value: '1', inputmode: 'numeric' });
  const startField = field('Start at label', start);
  const copies = el('input', { id: 'print-copies', type: 'number', min: '1', max: '50', value: '1', inputmode: 'numeric' });
  const printButton = el('button', { type: 'submit', id: 'print-submit', class: 'btn btn-primary btn-big btn-block', text: 'Print' });
  const printers = el('div', { id: 'print-printers', class: 'print-printers' });
  const error = el('div', { class: 'error', id: 'print-error', role: 'alert', hidden: true });
  const opened = el('p', { class: 'hint', id: 'print-opened' });
  const form = el('form', { class: 'form print-form', novalidate: true },
    field('Template', template), field('Format', format), startField, field('Copies', copies), error, printButton, opened, printers);
  const batches = el('ul', { id: 'print-batches', class: 'print-batches' });
  root.replaceChildren(el('div', { class: 'print-screen' }, heading, what, form,
    el('h2', { text: 'Blank tag batches' }), batches));

  function showError(text) {
    error.textContent = text || '';
    error.hidden = !text;
  }

  const [templateList, printerAnswer, batchAnswer] = await Promise.all([
    app.api.get('/labels/templates').catch((err) => { showError(err.message); return []; }),
    app.api.get('/printers').catch(() => null), // no printers configured, or no such route on this server
    app.api.get('/labels/blank-batches', { query: { limit: 10 } }).catch(() => null),
  ]);
  if (closed) return undefined;
  const templates = Array.isArray(templateList) ? templateList : templateList.items || [];
  const printerList = (printerAnswer && printerAnswer.items) || [];
  const batchList = (batchAnswer && batchAnswer.items) || [];

  function describeTarget() {
    if (batchId) {
      const batch = batchList.find((b) => b.id === batchId);
      what.textContent = batch ? `Blank tag batch of ${batch.count} (${new Date(batch.createdAt).toLocaleDateString()})`
        : 'A blank tag batch';
    } else if (itemIds.length) {
      what.textContent = itemIds.length === 1 ? 'One asset label' : `${itemIds.length} asset labels`;
    } else {
      what.textContent = 'Nothing chosen to print: open this from an asset, or pick a blank tag batch below.';
    }
    printButton.disabled = !batchId && !itemIds.length;
  }

  const lastUsed = await app.store.get('meta', 'print-template').catch(() => null);
  const preferred = batchId ? (batchList.find((b) => b.id === batchId) || {}).template : lastUsed;
  template.replaceChildren(...templates.map((t) => option(t.name, t.title || t.name, t.name === preferred)));

  function current() {
    return templates.find((t) => t.name === template.value) || templates[0] || null;
  }

  function paintFormats() {
    const chosen = current();
    const formats = chosen ? chosen.formats : ['pdf'];
    const was = format.value;
    format.replaceChildren(...formats.map((f) => option(f, f.toUpperCase(), f === (formats.includes(was) ? was : 'pdf'))));
    startField.hidden = !chosen || chosen.slots <= 1 || format.value !== 'pdf';
    if (chosen) start.max = String(chosen.slots);
    paintPrinters();
  }

  function paintPrinters() {
    const chosen = current();
    const zpl = format.value === 'zpl';
    const usable = printerList.filter((p) => !chosen || p.template === chosen.name);
    printers.replaceChildren(...(zpl ? usable : []).map((printer) => {
      const send = el('button', { type: 'button', class: 'btn btn-big btn-block', 'data-printer-id': printer.id,
                                  text: `Send to ${printer.name}` });
      send.addEventListener('click', () => sendToPrinter(printer, send));
      return send;
    }));
    if (zpl && !usable.length) {
      printers.append(el('p', { class: 'hint', text: 'No network printer uses this template: the ZPL file will download.' }));
    }
    printButton.textContent = zpl ? 'Download ZPL' : 'Print';
  }

  async function sendToPrinter(printer, button) {
    showError('');
    button.disabled = true;
    const body = { copies: Math.max(1, Number(copies.value) || 1) };
    if (batchId) body.blankBatchId = batchId;
    else body.itemIds = itemIds;
    try {
      const answer = await app.api.post(`/printers/${printer.id}/print`, body);
      app.toast(`Sent ${answer && answer.labels ? answer.labels : ''} label(s) to ${printer.name}`.replace('  ', ' '), 'success');
    } catch (err) {
      showError(err.message);
    } finally {
      button.disabled = false;
    }
  }

  async function fetchSheet() {
    const chosen = current();
    if (batchId) {
      return app.api.request('GET', `/labels/blank-batches/${batchId}/sheet`, {
        raw: true, query: { format: format.value, startPosition: start.value || 1 },
      });
    }
    return app.api.request('POST', '/labels/print', {
      raw: true,
      body: {
        itemIds, template: chosen.name, format: format.value,
        startPosition: Math.max(1, Number(start.value) || 1), copies: Math.max(1, Number(copies.value) || 1),
      },
    });
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showError('');
    if (!current()) {
      showError('No label template is available');
      return;
    }
    printButton.disabled = true;
    if (!batchId) app.store.put('meta', 'print-template', current().name).catch(() => {});
    try {
      const response = await fetchSheet();
      const blob = await response.blob();
      if (format.value === 'pdf') {
        const url = printPdf(blob.type ? blob : new Blob([blob], { type: 'application/pdf' }));
        opened.replaceChildren(el('a', { id: 'print-open', href: url, target: '_blank', rel: 'noopener',
                                         text: 'No print dialog? Open the PDF' }));
      } else {
        const url = URL.createObjectURL(blob);
        const link = el('a', { href: url, download: `labels.${format.value}` });
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(url), 60000);
      }
    } catch (err) {
      showError(err.message);
    } finally {
      printButton.disabled = false;
    }
  });
  template.addEventListener('change', paintFormats);
  format.addEventListener('change', () => {
    startField.hidden = !current() || current().slots <= 1 || format.value !== 'pdf';
    paintPrinters();
  });

  batches.replaceChildren(...batchList.map((batch) => {
    const pick = el('button', { type: 'button', class: 'btn', 'data-batch-id': batch.id,
      text: `${batch.count} blank tags, ${batch.claimed} used — ${new Date(batch.createdAt).toLocaleDateString()} (${batch.template})` });
    pick.addEventListener('click', () => {
      batchId = batch.id;
      itemIds.length = 0;
      template.value = batch.template;
      template.disabled = true;
      // A batch prints on the template it was reserved for.
      paintFormats();
      describeTarget();
    });
    return el('li', {}, pick);
  }));
  if (!batchList.length) batches.append(el('li', { class: 'hint', text: 'None yet' }));

  paintFormats();
  describeTarget();
  return () => {
    closed = true;
  };
}
