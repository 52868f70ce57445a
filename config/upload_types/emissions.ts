import { defineUploadType } from "../../core/config/define_upload_type.ts";

/** Emissions: yearly amounts per facility and pollutant. */
export default defineUploadType({
  name: "emissions",
  label: "Emissions",
  description:
    "Yearly emissions reported by each facility: one row per facility, year and pollutant, " +
    "with the amount and its unit. A row for a facility, year and pollutant already on file " +
    "replaces the earlier figure.",
  table: "emissions",
  key: ["facility_id", "year", "pollutant"],
  writeMode: "upsert",
  onInvalid: "reject",
  // Yearly inventories run to millions of rows; files stream through in bounded memory, so the
  // limits are about how long a run may take, not memory (the benchmark sends a 1 GB file of
  // 12 M rows).
  maxFileBytes: 2 * 1024 ** 3,
  maxRows: 20_000_000,
  columns: [
    {
      name: "facility_id",
      label: "Facility ID",
      description: "A facility already in Facilities: three capital letters, a dash and six " +
        "digits, e.g. ABC-000123",
      type: "text",
      required: true,
      pattern: "^[A-Z]{3}-[0-9]{6}$",
      aliases: ["Facility ID", "facility"],
      example: "ABC-000123",
      references: "facilities",
    },
    {
      name: "year",
      label: "Year",
      description: "Reporting year, 1990 to 2100",
      type: "integer",
      required: true,
      min: 1990,
      max: 2100,
      example: 2024,
    },
    {
      name: "pollutant",
      label: "Pollutant",
      description: "One of CO2, CH4, N2O, NOX, SO2, PM25 (any case)",
      type: "enum",
      required: true,
      values: ["CO2", "CH4", "N2O", "NOX", "SO2", "PM25"],
      example: "CO2",
    },
    {
      name: "amount",
      label: "Amount",
      description: "Amount emitted in the unit given, zero or more; a dot for decimals",
      type: "number",
      required: true,
      min: 0,
      example: 1250.5,
    },
    {
      name: "unit",
      label: "Unit",
      description: "t (tonnes), kg or lb",
      type: "enum",
      required: true,
      values: ["t", "kg", "lb"],
      example: "t",
    },
    {
      name: "reported_on",
      label: "Reported on",
      description: "Date the figure was reported, written YYYY-MM-DD",
      type: "date",
      example: "2025-03-31",
    },
    {
      name: "notes",
      label: "Notes",
      description: "Free text, at most 1000 characters",
      type: "text",
      maxLength: 1000,
      example: "Estimated",
    },
  ],
});
