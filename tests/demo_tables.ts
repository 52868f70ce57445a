/**
 * The demo upload types' target tables (migration 0002) as the query builder sees them, for
 * tests that seed or read them: `db.kysely.withTables<DemoTables>()`.
 *
 * @module
 */

/** `facilities` and `emissions`, as far as tests write or read them. */
export type DemoTables = {
  facilities: { facility_id: string; name: string; county?: string | null };
  emissions: {
    facility_id: string;
    year: number | string;
    pollutant: string;
    amount: string | number;
    unit: string;
  };
};
