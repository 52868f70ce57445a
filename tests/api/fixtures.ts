/** CSV files shared by the API tests (the demo types' shapes, small and exact). */

/** Three valid facilities. */
export const FACILITIES = [
  "facility_id,name,county,latitude,longitude,opened_on,active",
  "ABC-000001,North Plant,Kent,51.5,-0.12,2001-02-03,yes",
  "ABC-000002,South Plant,Essex,50.1,1.25,1999-12-31,no",
  "ABC-000003,East Works,,,,,",
].join("\n") + "\n";

/** Against FACILITIES: one unchanged, one changed (name, active), one new, two invalid rows. */
export const FACILITIES_CHANGES = [
  "Facility ID,name,county,latitude,longitude,opened_on,active",
  "ABC-000001,North Plant,Kent,51.5,-0.12,2001-02-03,yes",
  "ABC-000002,South Plant II,Essex,50.1,1.25,1999-12-31,TRUE",
  "ABC-000004,West Depot,Surrey,51.2,-0.5,2020-06-01,1",
  "bad-id,Broken,,95,,2023-02-30,maybe",
  "ABC-000004,Duplicate Depot,,,,,",
].join("\n") + "\n";

/** Reads a response as text. */
export function text(res: Response): Promise<string> {
  return res.text();
}

const NEW_ROWS = Array.from({ length: 20 }, (_, i) => {
  const n = String(101 + i).padStart(6, "0");
  const county = i % 2 === 0 ? "Kent" : "Surrey";
  return `ABC-${n},Depot ${String.fromCharCode(90 - i)},${county},${
    50 + i / 10
  },0.5,2020-01-01,yes`;
});

/**
 * Against FACILITIES: row 2 unchanged, 3 changed (name), 4 changed (county), 5–24 new (Kent on
 * odd rows, Surrey on even), 25–27 invalid.
 */
export const FILTERED = [
  "facility_id,name,county,latitude,longitude,opened_on,active",
  "ABC-000001,North Plant,Kent,51.5,-0.12,2001-02-03,yes",
  "ABC-000002,South Plant II,Essex,50.1,1.25,1999-12-31,no",
  "ABC-000003,East Works,Kent,,,,",
  ...NEW_ROWS,
  "bad-id,Broken,,95,,2023-02-30,maybe",
  "ABC-000200,Bad Date,Kent,,,2023-13-01,",
  "XYZ,Bad Id,Kent,,,,",
].join("\n") + "\n";
