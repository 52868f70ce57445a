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
