// $all: newest first, filtered by event type and stream prefix, following
// new events live (server-sent events) while the page is open.
import { api, errorBox, h, number, replace } from './dom.js';
import { eventRows, eventTable } from './events.js';

let live; // the EventSource of the view on screen, closed when the view changes

export function stopLive() {
  live?.close();
  live = undefined;
}

export async function allView(root, params) {
  stopLive();
  const type = params.get('type') ?? '';
  const prefix = params.get('prefix') ?? '';
  const typeInput = h('input', { name: 'type', placeholder: 'Event types (A,B)', value: type, autocomplete: 'off' });
  const prefixInput = h('input', { name: 'prefix', placeholder: 'Stream prefix', value: prefix, autocomplete: 'off' });
  const form = h('form.toolbar', {
    onsubmit: (e) => {
      e.preventDefault();
      const q = new URLSearchParams();
      if (typeInput.value.trim()) q.set('type', typeInput.value.trim());
      if (prefixInput.value) q.set('prefix', prefixInput.value);
      location.hash = `#/all${q.size ? `?${q}` : ''}`;
    },
  }, typeInput, prefixInput, h('button', { type: 'submit' }, 'Filter'),
  (type || prefix) ? h('a.clear', { href: '#/all' }, 'Clear') : null);
  const status = h('span.live-status', {}, 'connecting…');
  const counter = h('span.muted', {});
  const list = h('div', {}, h('p.muted', {}, 'Loading…'));
  replace(root, h('h1', {}, '$all ', status), form, counter, list);

  const filter = new URLSearchParams();
  if (type) filter.set('type', type);
  if (prefix) filter.set('prefix', prefix);
  let newest = 0;
  let received = 0;
  try {
    const page = await api(`/all?${new URLSearchParams([...filter, ['count', '50']])}`);
    newest = page.events[0]?.position ?? 0;
    const table = eventTable(page.events);
    const body = table.querySelector('tbody');
    const more = h('div.pager', {}, olderButton(page.older, filter, body));
    replace(list, page.events.length === 0 ? h('p.empty.none-yet', {}, 'No events yet.') : null, table, more);
    if (newest === 0) {
      // The page has no events: anything from the last position on is new (filtered ones included).
      const overview = await api('/overview');
      newest = overview.lastPosition;
    }
    live = new EventSource(`/api/all/live?${new URLSearchParams([...filter, ['after', String(newest)]])}`);
    live.addEventListener('live', () => { status.textContent = '● live'; status.className = 'live-status on'; });
    live.addEventListener('event', (message) => {
      const event = JSON.parse(message.data);
      if (event.position <= newest) return;
      newest = event.position;
      received += 1;
      list.querySelector('.none-yet')?.remove();
      const [row, detail] = eventRows(event);
      row.classList.add('fresh');
      body.prepend(row, detail);
      counter.textContent = `${number(received)} new event${received === 1 ? '' : 's'} since the page opened`;
      window.dispatchEvent(new Event('store-changed'));
    });
    live.addEventListener('failure', (message) => { status.textContent = `stopped: ${JSON.parse(message.data).error}`; status.className = 'live-status off'; });
    live.onerror = () => { status.textContent = 'reconnecting…'; status.className = 'live-status off'; };
  } catch (error) {
    status.textContent = '';
    replace(list, errorBox(error));
  }
}

function olderButton(older, filter, body) {
  if (older === null) return h('span.muted', {}, 'The beginning of $all.');
  const button = h('button', {
    onclick: async () => {
      button.disabled = true;
      try {
        const page = await api(`/all?${new URLSearchParams([...filter, ['count', '50'], ['before', String(older)]])}`);
        for (const event of page.events) body.append(...eventRows(event));
        button.replaceWith(olderButton(page.older, filter, body));
      } catch (error) {
        button.replaceWith(errorBox(error));
      }
    },
  }, 'Older events');
  return button;
}
