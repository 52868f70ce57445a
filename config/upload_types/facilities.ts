import { defineUploadType } from "../../core/config/define_upload_type.ts";

/** Facilities: one row per site that reports emissions. */
export default defineUploadType({
  name: "facilities",
  label: "Facilities",
  description: "Sites that report emissions: identity, location, opening date and status.",
  table: "facilities",
  key: ["facility_id"],
  writeMode: "upsert",
  onInvalid: "reject",
  columns: [
    {
      name: "facility_id",
      label: "Facility ID",
      type: "text",
      required: true,
      pattern: "^[A-Z]{3}-[0-9]{6}$",
      aliases: ["facility"],
      example: "ABC-000123",
      description: "Three capital letters, a dash and six digits",
    },
    { name: "name", type: "text", required: true, maxLength: 200, example: "North Plant" },
    { name: "county", type: "text", example: "Kent" },
    { name: "latitude", type: "number", min: -90, max: 90, example: 51.5 },
    { name: "longitude", type: "number", min: -180, max: 180, example: -0.12 },
    { name: "opened_on", label: "Opened on", type: "date", example: "2001-02-03" },
    { name: "active", type: "boolean", example: "true" },
  ],
});
