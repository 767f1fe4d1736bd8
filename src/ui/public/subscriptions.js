// Subscriptions and projections: state, owner, checkpoint, lag and a lag
// chart, refreshed every two seconds; the events projections parked; with
// --allow-admin, a confirmed rebuild of a projection or replay of its parked events.
import { api, badge, errorBox, eventHref, h, number, replace, streamHref, time } from './dom.js';
import { lagChart } from './chart.js';

const REFRESH_MS = 2000;
let timer; // the refresh of the view on screen, stopped when the view changes

export function stopRefresh() {
  clearTimeout(timer);
  timer = undefined;
}

export async function subscriptionsView(root, overview) {
  stopRefresh();
  const projections = h('div', {}, h('p.muted', {}, 'Loading…'));
  const subscriptions = h('div');
  const parked = overview.parkedEvents ? h('div') : null;
  const notice = h('div.notice', { role: 'status' });
  replace(root,
    h('h1', {}, 'Subscriptions & projections'),
    notice,
    h('h2', {}, 'Projections'), projections,
    h('h2', {}, 'Persistent subscriptions'), subscriptions,
    parked ? [h('h2', {}, 'Parked events'), parked] : null);

  async function refresh() {
    try {
      const data = await api('/subscriptions');
      if (!root.contains(projections)) return;
      const rows = data.subscriptions;
      replace(projections, table(rows.filter((r) => r.kind === 'projection'), 'projection', overview, notice));
      replace(subscriptions, table(rows.filter((r) => r.kind === 'subscription'), 'subscription', overview, notice));
      if (parked) replace(parked, parkedTable((await api('/parked')).events, overview, notice));
    } catch (error) {
      replace(projections, errorBox(error));
    }
    if (root.contains(projections)) timer = setTimeout(refresh, REFRESH_MS);
  }
  await refresh();
}

function table(rows, kind, overview, notice) {
  if (rows.length === 0) return h('p.empty', {}, kind === 'projection' ? 'No projection has run on this store yet.' : 'No persistent subscriptions.');
  const admin = kind === 'projection' && overview.admin.enabled;
  return h(`table.list.${kind}s`, {},
    h('thead', {}, h('tr', {},
      h('th', {}, 'Name'), kind === 'subscription' ? h('th', {}, 'Follows') : null, h('th', {}, 'State'), h('th', {}, 'Owner'),
      h('th.num', {}, 'Checkpoint'), h('th.num', {}, 'Lag'), h('th', {}, 'Lag over time'), admin ? h('th', {}, '') : null)),
    h('tbody', {}, rows.map((row) => h('tr', { dataset: { name: row.name } },
      h('td', {}, h('strong', {}, row.name), row.error ? h('div.error-text', {}, row.error) : null),
      kind === 'subscription' ? h('td', {}, row.streamId === '$all' ? h('a', { href: '#/all' }, '$all') : h('a', { href: streamHref(row.streamId) }, row.streamId)) : null,
      h('td', {}, stateBadge(row.state)),
      h('td', {}, row.owner ? [h('code', {}, row.owner), h('div.muted.small', {}, 'since ', time(row.ownedSince))] : h('span.muted', {}, 'none')),
      h('td.num', {}, `#${number(row.checkpoint)}`),
      h('td.num.lag', {}, row.lag === 0 ? badge('caught up', 'ok') : h('strong', {}, number(row.lag))),
      h('td', {}, h('div.chart-cell', {}, lagChart(row.history), h('span.muted.small', {}, `peak ${number(Math.max(0, ...row.history.map((s) => s.lag)))}`))),
      admin ? h('td', {}, rebuildButton(row.name, overview, notice)) : null))));
}

function stateBadge(state) {
  return badge(state, state === 'running' ? 'ok' : state === 'failed' ? 'bad' : '');
}

function rebuildButton(name, overview, notice) {
  if (!overview.admin.rebuild.includes(name)) return h('span.muted.small', { title: 'start the browser with --allow-admin --module <path> to rebuild' }, 'not loaded');
  return h('button.danger', { onclick: () => confirmAndPost('rebuild', name, notice) }, 'Rebuild…');
}

function parkedTable(events, overview, notice) {
  if (events.length === 0) return h('p.empty', {}, 'No parked events.');
  const replay = overview.admin.replayParked;
  return h('table.list.parked', {},
    h('thead', {}, h('tr', {},
      h('th', {}, 'Projection'), h('th.num', {}, 'Position'), h('th', {}, 'Event'), h('th', {}, 'Error'),
      h('th.num', {}, 'Attempts'), h('th', {}, 'Parked'), replay ? h('th', {}, '') : null)),
    h('tbody', {}, events.map((row) => h('tr', { dataset: { projection: row.projection, position: String(row.position) } },
      h('td', {}, h('strong', {}, row.projection)),
      h('td.num', {}, h('a', { href: eventHref(row.position) }, `#${number(row.position)}`)),
      h('td', {}, h('span.type', {}, row.eventType), h('div.muted.small', {}, h('a', { href: streamHref(row.streamId) }, `${row.streamId}@${row.streamVersion}`))),
      h('td', {}, h('span.error-text', {}, row.error), row.errorCode ? h('div.muted.small', {}, h('code', {}, row.errorCode)) : null),
      h('td.num.attempts', {}, String(row.attempts)),
      h('td', {}, time(row.parkedAt)),
      replay ? h('td', {}, replayButton(row.projection, overview, notice)) : null))));
}

function replayButton(name, overview, notice) {
  if (!overview.admin.rebuild.includes(name)) return h('span.muted.small', { title: 'start the browser with --allow-admin --module <path> to replay' }, 'not loaded');
  return h('button', { onclick: () => confirmAndPost('replay-parked', name, notice) }, 'Replay…');
}

/** Asks the server for a confirmation token, shows its prompt, and posts the action with it. */
async function confirmAndPost(action, projection, notice) {
  try {
    const confirmation = await api('/admin/confirmations', post({ action, projection }));
    if (!window.confirm(confirmation.prompt)) return;
    replace(notice, h('p.muted', {}, `${action === 'rebuild' ? 'Rebuilding' : 'Replaying parked events of'} ${projection}…`));
    const result = await api(`/admin/projections/${encodeURIComponent(projection)}/${action}`, post({ token: confirmation.token }));
    replace(notice, h('p.ok-text', {}, action === 'rebuild'
      ? `Rebuilt ${projection}: ${number(result.events)} events up to position ${number(result.position)} in ${(result.elapsedMs / 1000).toFixed(1)} s.`
      : `Replayed the parked events of ${projection}: ${number(result.replayed)} applied, ${number(result.failed)} failed again.`));
  } catch (error) {
    replace(notice, errorBox(error));
  }
}

function post(body) {
  return { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}
