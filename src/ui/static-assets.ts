/**
 * The page's files (plain HTML, CSS and JavaScript modules, no build step),
 * served from src/ui/public. Only names listed in that folder are served,
 * so no request path reaches another file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface Asset {
  body: Buffer;
  contentType: string;
}

/** The folder of the page's files, from the sources or from a build (dist/src/ui has no copy of them). */
export function assetsFolder(): string {
  const candidates = [join(__dirname, 'public'), join(__dirname, '..', '..', '..', 'src', 'ui', 'public')];
  const found = candidates.find((folder) => existsSync(join(folder, 'index.html')));
  if (!found) throw new Error(`the event browser's page is missing (looked in ${candidates.join(', ')})`);
  return found;
}

/** Every file of the folder, read once: the page is small. Keys are URL paths (`/app.js`). */
export function loadAssets(folder = assetsFolder()): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(folder)) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType) assets.set(`/${name}`, { body: readFileSync(join(folder, name)), contentType });
  }
  return assets;
}
