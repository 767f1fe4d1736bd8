/** A module for `rebuild --module` whose projection class lacks @Projection. */
export class PlainClass {}

export const projections = [PlainClass];
