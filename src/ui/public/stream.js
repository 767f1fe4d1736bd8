// One stream: its events in version order, paged both ways (latest page first).
import { api, badge, errorBox, h, number, replace, time } from './dom.js';
import { eventTable } from './events.js';

export async function streamView(root, streamId, params) {
  const direction = params.get('direction') ?? 'backward';
  const from = params.get('from') ?? (direction === 'forward' ? '1' : '-1');
  replace(root, h('h1', {}, h('span.muted', {}, 'Stream '), streamId), h('p.muted', {}, 'Loading…'));
  const go = (dir, at) => { location.hash = `#/stream/${encodeURIComponent(streamId)}?direction=${dir}&from=${at}`; };
  try {
    const info = await api(`/streams/${encodeURIComponent(streamId)}`);
    const head = h('div.stream-head', {},
      h('span', {}, 'Version ', h('strong', {}, number(info.version))),
      h('span', {}, 'Created ', time(info.createdAt)),
      info.deletedAt ? h('span', {}, badge('deleted', 'bad'), ' ', time(info.deletedAt)) : badge('live', 'ok'));
    if (info.deletedAt) return void replace(root, h('h1', {}, h('span.muted', {}, 'Stream '), streamId), head, h('p.empty', {}, 'This stream was deleted: its events are no longer readable.'));
    const page = await api(`/streams/${encodeURIComponent(streamId)}/events?${new URLSearchParams({ direction, from, count: '20' })}`);
    const first = page.events[0]?.eventNumber ?? 0;
    const last = page.events.at(-1)?.eventNumber ?? 0;
    replace(root,
      h('h1', {}, h('span.muted', {}, 'Stream '), streamId),
      head,
      h('div.pager', {},
        h('button', { disabled: page.older === null, onclick: () => go('backward', page.older) }, '← Older'),
        h('span', {}, page.events.length ? `Versions ${first}–${last} of ${page.version}` : 'No events'),
        h('button', { disabled: page.newer === null, onclick: () => go('forward', page.newer) }, 'Newer →')),
      eventTable(page.events, { numberColumn: 'version', showStream: false }));
  } catch (error) {
    replace(root, h('h1', {}, h('span.muted', {}, 'Stream '), streamId), errorBox(error));
  }
}
