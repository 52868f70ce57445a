import { defineUploadType } from "../../core/config/define_upload_type.ts";

/** Facilities: one row per site that reports emissions. */
export default defineUploadType({
  name: "facilities",
  label: "Facilities",
  description:
    "The register of reporting sites: one row per facility with its name, county, location, " +
    "opening date and whether it is active. Upload the whole register or just the rows that " +
    "changed; rows are matched on Facility ID.",
  table: "facilities",
  key: ["facility_id"],
  writeMode: "upsert",
  onInvalid: "reject",
  columns: [
    {
      name: "facility_id",
      label: "Facility ID",
      description: "Three capital letters, a dash and six digits, e.g. ABC-000123",
      type: "text",
      required: true,
      pattern: "^[A-Z]{3}-[0-9]{6}$",
      aliases: ["Facility ID", "facility"],
      example: "ABC-000123",
    },
    {
      name: "name",
      label: "Name",
      description: "The facility's name, at most 200 characters",
      type: "text",
      required: true,
      maxLength: 200,
      example: "North Plant",
    },
    { name: "county", label: "County", type: "text", example: "Kent" },
    {
      name: "latitude",
      label: "Latitude",
      description: "Decimal degrees, -90 to 90 (WGS 84)",
      type: "number",
      min: -90,
      max: 90,
      example: 51.2781,
    },
    {
      name: "longitude",
      label: "Longitude",
      description: "Decimal degrees, -180 to 180 (WGS 84)",
      type: "number",
      min: -180,
      max: 180,
      example: 1.0789,
    },
    {
      name: "opened_on",
      label: "Opened on",
      description: "Date the facility opened, written YYYY-MM-DD",
      type: "date",
      example: "2001-02-03",
    },
    {
      name: "active",
      label: "Active",
      description: "true or false (yes/no and 1/0 work too)",
      type: "boolean",
      example: "true",
    },
  ],
});
