// Streams: newest first, searched by id, paged.
import { api, badge, errorBox, h, number, replace, streamHref, time } from './dom.js';

export async function streamsView(root, params) {
  const page = Number(params.get('page') ?? 1);
  const search = params.get('search') ?? '';
  const input = h('input', { type: 'search', name: 'search', placeholder: 'Search stream ids…', value: search, autocomplete: 'off' });
  const form = h('form.toolbar', { onsubmit: (e) => { e.preventDefault(); go(1, input.value); } }, input, h('button', { type: 'submit' }, 'Search'));
  const results = h('div', {}, h('p.muted', {}, 'Loading…'));
  replace(root, h('h1', {}, 'Streams'), form, results);

  function go(nextPage, nextSearch = search) {
    const q = new URLSearchParams();
    if (nextSearch) q.set('search', nextSearch);
    if (nextPage > 1) q.set('page', String(nextPage));
    location.hash = `#/streams${q.size ? `?${q}` : ''}`;
  }

  try {
    const data = await api(`/streams?${new URLSearchParams({ page: String(page), pageSize: '25', search })}`);
    const rows = data.entries.map((s) => h('tr', {},
      h('td', {}, h('a', { href: streamHref(s.streamId) }, s.streamId)),
      h('td.num', {}, number(s.version)),
      h('td.time', {}, time(s.createdAt)),
      h('td', {}, s.status === 'deleted' ? [badge('deleted', 'bad'), ' ', time(s.deletedAt)] : badge('live', 'ok'))));
    replace(results,
      h('p.summary', {}, `${number(data.totalEntries)} stream${data.totalEntries === 1 ? '' : 's'}${search ? ` matching “${search}”` : ''}`),
      rows.length === 0 ? h('p.empty', {}, 'No streams.') : h('table.list', {},
        h('thead', {}, h('tr', {}, h('th', {}, 'Stream'), h('th.num', {}, 'Version'), h('th', {}, 'Created'), h('th', {}, 'State'))),
        h('tbody', {}, rows)),
      pager(data.pageNumber, data.totalPages, go));
  } catch (error) {
    replace(results, errorBox(error));
  }
}

function pager(pageNumber, totalPages, go) {
  if (totalPages <= 1) return null;
  return h('div.pager', {},
    h('button', { disabled: pageNumber <= 1, onclick: () => go(pageNumber - 1) }, '← Newer'),
    h('span', {}, `Page ${pageNumber} of ${totalPages}`),
    h('button', { disabled: pageNumber >= totalPages, onclick: () => go(pageNumber + 1) }, 'Older →'));
}
