// A small lag-over-time chart: an SVG area of the samples, newest right.
const SVG = 'http://www.w3.org/2000/svg';

export function lagChart(samples, { width = 180, height = 36 } = {}) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'chart');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  const max = Math.max(1, ...samples.map((s) => s.lag));
  const title = document.createElementNS(SVG, 'title');
  title.textContent = samples.length ? `lag over the last ${Math.round((samples.at(-1).at - samples[0].at) / 1000)} s, peak ${max}` : 'no samples yet';
  svg.append(title);
  if (samples.length === 0) return svg;
  const t0 = samples[0].at;
  const span = Math.max(1, samples.at(-1).at - t0);
  const x = (s) => (samples.length === 1 ? width : ((s.at - t0) / span) * (width - 2) + 1);
  const y = (s) => height - 2 - (s.lag / max) * (height - 4);
  const points = samples.map((s) => `${x(s).toFixed(1)},${y(s).toFixed(1)}`);
  const area = document.createElementNS(SVG, 'polygon');
  area.setAttribute('points', `${x(samples[0]).toFixed(1)},${height - 1} ${points.join(' ')} ${x(samples.at(-1)).toFixed(1)},${height - 1}`);
  area.setAttribute('class', 'area');
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('points', points.join(' '));
  line.setAttribute('class', 'line');
  svg.append(area, line);
  return svg;
}
