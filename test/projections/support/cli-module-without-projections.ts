/** A module for `rebuild --module` that forgot to export its projections. */
export const entities = [];
