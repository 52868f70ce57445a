/**
 * Why a cell was refused: a stable code and a message in plain words (shared by the cell rules
 * and the readers they compose, so those need not import the rules).
 *
 * This module is browser compatible.
 *
 * @module
 */

/** Row error codes, stable for clients. */
export type RowErrorCode =
  | "required"
  | "type"
  | "pattern"
  | "min"
  | "max"
  | "max_length"
  | "enum"
  | "duplicate_key"
  | "unknown_reference"
  | "ragged_row";

/** Why a cell was refused. */
export class CellFailure {
  constructor(readonly code: RowErrorCode, readonly message: string) {}
}
