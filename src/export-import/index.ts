export { exportEvents, countExportEvents } from './export-events';
export type { ExportOptions } from './export-events';
export { importEvents } from './import-events';
export type { ImportOptions, ImportProgress } from './import-events';
export { parseNdjson } from './ndjson';
export { ImportError } from './exported-event';
export type { ExportedEvent, ExportedGap, ExportedLink, ExportedTruncation, ExportRecord, ImportErrorReason } from './exported-event';
