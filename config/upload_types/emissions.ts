import { defineUploadType } from "../../core/config/define_upload_type.ts";

/** Emissions: yearly amounts per facility and pollutant. */
export default defineUploadType({
  name: "emissions",
  label: "Emissions",
  description: "Yearly emissions per facility and pollutant, with unit and reporting date.",
  table: "emissions",
  key: ["facility_id", "year", "pollutant"],
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
    },
    { name: "year", type: "integer", required: true, min: 1990, max: 2100, example: 2024 },
    {
      name: "pollutant",
      type: "enum",
      required: true,
      values: ["CO2", "CH4", "N2O", "NOX", "SO2", "PM25"],
    },
    { name: "amount", type: "number", required: true, min: 0, example: 1250.5 },
    { name: "unit", type: "enum", required: true, values: ["t", "kg", "lb"] },
    { name: "reported_on", label: "Reported on", type: "date", example: "2025-03-31" },
    { name: "notes", type: "text", maxLength: 1000, example: "Estimated" },
  ],
});
