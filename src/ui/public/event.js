// One event (by position or event id) and the events of one correlation.
import { api, errorBox, h, replace } from './dom.js';
import { eventDetail, eventTable } from './events.js';

export async function eventView(root, ref) {
  replace(root, h('h1', {}, 'Event ', h('span.muted', {}, ref)), h('p.muted', {}, 'Loading…'));
  try {
    const event = await api(`/events/${encodeURIComponent(ref)}`);
    replace(root, h('h1', {}, h('span.type', {}, event.eventType), h('span.muted', {}, ` #${event.position}`)), eventDetail(event));
  } catch (error) {
    replace(root, h('h1', {}, 'Event ', h('span.muted', {}, ref)), errorBox(error));
  }
}

export async function correlationView(root, correlationId) {
  replace(root, h('h1', {}, 'Correlation ', h('span.muted', {}, correlationId)), h('p.muted', {}, 'Loading…'));
  try {
    const data = await api(`/correlations/${encodeURIComponent(correlationId)}`);
    replace(root, h('h1', {}, 'Correlation ', h('span.muted', {}, correlationId)),
      h('p.summary', {}, `${data.events.length} event${data.events.length === 1 ? '' : 's'}, in $all order`),
      eventTable(data.events));
  } catch (error) {
    replace(root, h('h1', {}, 'Correlation ', h('span.muted', {}, correlationId)), errorBox(error));
  }
}
