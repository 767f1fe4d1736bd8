// The event browser: a hash router over the views, and the store summary in the header.
import { api, h, number, replace } from './dom.js';
import { allView, stopLive } from './all.js';
import { correlationView, eventView } from './event.js';
import { streamView } from './stream.js';
import { streamsView } from './streams.js';
import { stopRefresh, subscriptionsView } from './subscriptions.js';

const view = document.getElementById('view');
const summary = document.getElementById('store-summary');
let overview;
let routed = 0;

async function loadOverview() {
  overview = await api('/overview');
  replace(summary,
    h('span', { title: overview.database }, `schema ${overview.schema}`),
    h('span', {}, `${number(overview.liveStreams)} streams`),
    h('span', {}, `${number(overview.events)} events`),
    h('span.badge', {}, overview.admin.enabled ? 'admin' : 'read-only'));
}

/** Shows the view of the current hash; body[data-routed] counts the views shown (tests wait on it). */
async function route() {
  await show();
  document.body.dataset.routed = String(++routed);
}

async function show() {
  stopLive();
  stopRefresh();
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query);
  const [, section = 'streams', ...rest] = path.split('/');
  const arg = decodeURIComponent(rest.join('/'));
  for (const link of document.querySelectorAll('[data-nav]')) {
    link.classList.toggle('active', link.dataset.nav === section || (section === 'stream' && link.dataset.nav === 'streams'));
  }
  try {
    await loadOverview();
  } catch (error) {
    replace(view, h('div.error', {}, error.message));
    return;
  }
  if (section === 'stream' && arg) return streamView(view, arg, params);
  if (section === 'all') return allView(view, params);
  if (section === 'subscriptions') return subscriptionsView(view, overview);
  if (section === 'event' && arg) return eventView(view, arg);
  if (section === 'correlation' && arg) return correlationView(view, arg);
  return streamsView(view, params);
}

// A view that sees the store change (a live event) asks for fresh counts, at most every half second.
let refreshing;
window.addEventListener('store-changed', () => {
  refreshing ??= setTimeout(() => { refreshing = undefined; loadOverview().catch(() => undefined); }, 500);
});

window.addEventListener('hashchange', route);
route();
