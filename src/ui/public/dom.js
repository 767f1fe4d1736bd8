// Small DOM helpers: every text goes in through textContent, never as HTML.

/** h('a.link', { href }, 'text', child) */
export function h(tag, attrs = {}, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name);
  if (classes.length) el.className = classes.join(' ');
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Fetches a JSON API answer; throws with the server's message on an error status. */
export async function api(path, init) {
  const response = await fetch(`/api${path}`, init);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error ?? `${response.status} ${response.statusText}`);
  return body;
}

export function streamHref(streamId) {
  return `#/stream/${encodeURIComponent(streamId)}`;
}

export function eventHref(ref) {
  return `#/event/${encodeURIComponent(ref)}`;
}

/** 2026-12-06 07:50:36 (local time), the full ISO time as a tooltip. */
export function time(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  const text = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return h('time', { datetime: iso, title: iso }, text);
}

export function number(n) {
  return Number(n).toLocaleString('en-US');
}

/** Pretty-printed JSON with its keys, strings and numbers coloured. */
export function json(value) {
  const pre = h('pre.json');
  const text = JSON.stringify(value, null, 2) ?? 'null';
  const token = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;
  let last = 0;
  for (const match of text.matchAll(token)) {
    pre.append(text.slice(last, match.index));
    if (match[1] && match[2]) pre.append(h('span.j-key', {}, match[1]), match[2]);
    else if (match[1]) pre.append(h('span.j-str', {}, match[1]));
    else if (match[3]) pre.append(h('span.j-lit', {}, match[3]));
    else pre.append(h('span.j-num', {}, match[4]));
    last = match.index + match[0].length;
  }
  pre.append(text.slice(last));
  return pre;
}

export function errorBox(error) {
  return h('div.error', { role: 'alert' }, error instanceof Error ? error.message : String(error));
}

export function badge(text, kind = '') {
  return h(`span.badge${kind ? `.${kind}` : ''}`, {}, text);
}
