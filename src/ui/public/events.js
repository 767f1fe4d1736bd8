// The list of events shared by the stream, $all and correlation views:
// one line each, a click opens the whole event under it (loaded on demand
// when the list holds only a preview).
import { api, eventHref, h, json, replace, streamHref, time } from './dom.js';

/** columns: 'position' | 'version' first; the stream shown unless `showStream` is false. */
export function eventTable(events, { numberColumn = 'position', showStream = true } = {}) {
  const body = h('tbody');
  for (const event of events) body.append(...eventRows(event, { numberColumn, showStream }));
  return h('table.events', {},
    h('thead', {}, h('tr', {},
      h('th.num', {}, numberColumn === 'position' ? 'Position' : 'Version'),
      showStream ? h('th', {}, 'Stream') : null,
      h('th', {}, 'Type'),
      h('th', {}, 'Time'),
      h('th', {}, 'Data'))),
    body);
}

/** The row of one event and its (hidden) detail row; the first is returned first. */
export function eventRows(event, { numberColumn = 'position', showStream = true } = {}) {
  const detail = h('tr.detail', { hidden: true }, h('td', { colspan: showStream ? 5 : 4 }));
  const number = numberColumn === 'position' ? event.position : event.eventNumber;
  const row = h('tr.event', { dataset: { position: event.position }, tabindex: 0 },
    h('td.num', {}, `#${number}`),
    showStream ? h('td', {}, h('a', { href: streamHref(event.streamId), onclick: (e) => e.stopPropagation() }, event.streamId), h('span.muted', {}, `@${event.streamVersion}`)) : null,
    h('td', {}, h('span.type', {}, event.eventType)),
    h('td.time', {}, time(event.createdAt)),
    h('td.preview', {}, preview(event)));
  const toggle = async () => {
    detail.hidden = !detail.hidden;
    row.classList.toggle('open', !detail.hidden);
    if (!detail.hidden && !detail.dataset.loaded) {
      detail.dataset.loaded = '1';
      const cell = detail.firstChild;
      if (!event.truncated) return void replace(cell, eventDetail(event));
      replace(cell, h('p.muted', {}, 'Loading the whole event…'));
      try {
        replace(cell, eventDetail(await api(`/events/${event.position}`)));
      } catch (error) {
        replace(cell, h('div.error', {}, error.message));
      }
    }
  };
  row.addEventListener('click', toggle);
  row.addEventListener('keydown', (e) => { if (e.key === 'Enter') toggle(); });
  return [row, detail];
}

function preview(event) {
  const text = typeof event.data === 'string' && event.truncated ? event.data : JSON.stringify(event.data);
  return [h('code', {}, text.length > 140 ? `${text.slice(0, 140)}…` : text),
    event.truncated ? h('span.badge.warn', { title: `${event.dataSize} characters of JSON` }, `${Math.ceil(event.dataSize / 1024)} KB, click to load`) : null];
}

/** An event in full: its ids and links, data and metadata as formatted JSON. */
export function eventDetail(event) {
  return h('div.event-detail', {},
    h('dl.facts', {},
      fact('Event id', h('code', {}, event.eventId)),
      fact('Stream', h('a', { href: streamHref(event.streamId) }, `${event.streamId}@${event.streamVersion}`)),
      fact('Position', h('a', { href: eventHref(event.position) }, `#${event.position}`)),
      fact('Causation', event.causationId ? h('a', { href: eventHref(event.causationId), title: 'the event that caused this one' }, event.causationId) : h('span.muted', {}, 'none')),
      fact('Correlation', event.correlationId ? h('a', { href: `#/correlation/${event.correlationId}`, title: 'every event of this correlation' }, event.correlationId) : h('span.muted', {}, 'none'))),
    h('div.payloads', {},
      h('section', {}, h('h4', {}, 'Data'), json(event.data)),
      h('section', {}, h('h4', {}, 'Metadata'), json(event.metadata))));
}

function fact(label, value) {
  return [h('dt', {}, label), h('dd', {}, value)];
}
