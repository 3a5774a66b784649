// Building DOM nodes without innerHTML, so text from the server is never parsed as markup.

// el('button', {class: 'big', onclick: fn, text: 'Save'}, child…): attributes, listeners (on…), text.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    // Through the CSSOM: the Content-Security-Policy refuses a style attribute set as markup.
    else if (key === 'style') node.style.cssText = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

// An <option>, selected when asked.
export function option(value, label, selected) {
  const node = el('option', { value, text: label });
  if (selected) node.selected = true;
  return node;
}

// Where navigator.clipboard is missing (plain http on a LAN), the old way still copies.
export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch { /* denied: try the old way */ }
  }
  const area = el('textarea', { readonly: true, class: 'report-copy-area' });
  area.value = text;
  document.body.append(area);
  area.select();
  let copied = false;
  try { copied = document.execCommand('copy'); } catch { copied = false; }
  area.remove();
  return copied;
}
